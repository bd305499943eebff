#!/usr/bin/env python3
"""Benchmarks vaxclean against the floors it is measured by (docs/BENCHMARKS.md).

Generates its data with the project's own generator (`vaxclean sample`), then times, in one run
and alternating A B A B so that machine drift hits both alike:

  * `vaxclean scan` on a CSV dump   vs  a bare read of the same file with the csv crate;
  * `vaxclean scan` on an xlsx dump vs  a bare calamine cell-by-cell read of the same sheet;
  * `vaxclean export-list` of a CSV dump spread over 1,000 communes vs `vaxclean scan` of it
    (the budget is absolute, 20 s; the scan shows what writing the workbooks adds);
  * `vaxclean apply-corrections` of those 1,000 lists — exported again with `--include-repairable`, so
    that the people `vaxclean repair` would fix are listed with their suggestions too — filled by
    `examples/fill_lists.rs` the way a team that trusts the suggestions would, onto the same dump, vs
    `vaxclean scan` of it;
  * with pandas installed (`pip install pandas openpyxl`): `vaxclean scan` vs `scripts/pandas_checks.py`
    (the main checks, vectorised pandas) on the CSV dump, and on the xlsx dump through openpyxl;
  * with Splink installed (`pip install splink`): `vaxclean scan --registry` vs `scripts/registry_splink.py`
    (a Splink link_only model on DuckDB, written the way an analyst would) matching a dump of
    `--registry-people` people (default 30,000) against its population-registry extract (2020 units, CSV),
    both generated with `vaxclean sample --registry`; then both tools' accuracy against the sample's key;
  * with `--registry-budget`: `vaxclean scan` of 1,000,000 dump rows with `--registry` (an extract of
    ~1,050,000 residents) vs without, for the registry's time and memory budget;
  * with `--growth`: `vaxclean scan` on 100,000, 1,000,000 and 5,000,000 CSV rows (or `--growth-rows`,
    e.g. `--growth-rows 1000000,10000000,50000000`), time and memory per row; `--growth-dir` puts those
    big dumps elsewhere (a 50,000,000-row dump is ~11 GB, and its scan needs ~7 GB more for the
    cross-record indexes on disk).

For each it prints the median wall time, the median of the per-pair ratios, and the peak memory
(maximum resident set size of the process, from wait4). Standard library only.

Usage:  python3 scripts/bench.py [--csv-rows N] [--xlsx-rows N] [--export-rows N] [--runs N] [--dir DIR]
                                [--registry-people N] [--splink-runs N] [--no-splink] [--registry-budget]
                                [--growth] [--growth-rows N,N,...] [--growth-dir DIR]
Small smoke run (what CI does; the Splink comparison is skipped, with one line, where Splink is absent):
  python3 scripts/bench.py --csv-rows 20000 --xlsx-rows 5000 --export-rows 20000 --communes 50 --runs 1 \
    --pandas-runs 1 --registry-people 2000 --splink-runs 1
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
VAXCLEAN = os.path.join(RELEASE, "vaxclean")


def run(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MiB). Output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} exited with {code}: {err}")
    return wall, usage.ru_maxrss / 1024.0


def compare(name, a, b, runs, warm=True):
    """Times a against b, alternating, after one warm-up of each (unless warm is False)."""
    if warm:
        run(a)
        run(b)
    rows = []
    for _ in range(runs):
        rows.append((run(a), run(b)))
    wa = [r[0][0] for r in rows]
    wb = [r[1][0] for r in rows]
    ratios = [x / y for x, y in zip(wa, wb)]
    return {
        "name": name,
        "a_wall": statistics.median(wa),
        "b_wall": statistics.median(wb),
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "a_mem": max(r[0][1] for r in rows),
        "b_mem": max(r[1][1] for r in rows),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--csv-rows", type=int, default=1_000_000)
    p.add_argument("--xlsx-rows", type=int, default=200_000)
    p.add_argument("--export-rows", type=int, default=1_000_000)
    p.add_argument("--communes", type=int, default=1000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--pandas-runs", type=int, default=3)
    p.add_argument("--no-pandas", action="store_true", help="skip the pandas comparisons")
    p.add_argument("--registry-people", type=int, default=30_000,
                   help="people in the dump matched against a registry extract (vaxclean vs Splink)")
    p.add_argument("--splink-runs", type=int, default=3)
    p.add_argument("--no-splink", action="store_true", help="skip the Splink comparison")
    p.add_argument("--registry-budget", action="store_true",
                   help="also scan 1,000,000 rows with and without a ~1,050,000-resident extract")
    p.add_argument("--budget-people", type=int, default=770_000,
                   help="people generated for --registry-budget (the extract holds ~1.36 residents each)")
    p.add_argument("--budget-rows", type=int, default=1_000_000, help="dump rows kept for --registry-budget")
    p.add_argument("--growth", action="store_true", help="also scan 100k, 1M and 5M rows")
    p.add_argument("--growth-rows", default="100000,1000000,5000000",
                   help="the dump sizes --growth scans, comma-separated")
    p.add_argument("--growth-dir", help="where --growth's dumps go (default: --dir)")
    p.add_argument("--dir", default=os.path.join(ROOT, "bench-data"))
    args = p.parse_args()

    subprocess.run(
        ["cargo", "build", "--release", "--locked", "-q", "--bin", "vaxclean",
         "--example", "bare_csv", "--example", "bare_calamine", "--example", "fill_lists"],
        cwd=ROOT, check=True)
    os.makedirs(args.dir, exist_ok=True)
    csv_path = os.path.join(args.dir, f"dump-{args.csv_rows}.csv")
    xlsx_path = os.path.join(args.dir, f"dump-{args.xlsx_rows}.xlsx")
    if not os.path.exists(csv_path):
        subprocess.run([VAXCLEAN, "sample", "-q", "--rows", str(args.csv_rows), "--seed", "1",
                        "--defect-rate", "0.1", "--out", csv_path], check=True)
    if not os.path.exists(xlsx_path):
        subprocess.run([VAXCLEAN, "sample", "-q", "--rows", str(args.xlsx_rows), "--seed", "2",
                        "--defect-rate", "0.1", "--title-lines", "--numeric-ids", "--out", xlsx_path],
                       check=True)
    export_path = os.path.join(args.dir, f"export-{args.export_rows}-{args.communes}.csv")
    if not os.path.exists(export_path):
        subprocess.run([VAXCLEAN, "sample", "-q", "--rows", str(args.export_rows), "--seed", "3",
                        "--communes", str(args.communes), "--defect-rate", "0.1",
                        "--out", export_path], check=True)
    out = os.path.join(args.dir, "out")
    lists = os.path.join(args.dir, "lists")
    results = [
        compare(f"scan {args.csv_rows:,} CSV rows vs bare csv-crate parse",
                [VAXCLEAN, "scan", csv_path, "--out", out, "-q"],
                [os.path.join(RELEASE, "examples", "bare_csv"), csv_path], args.runs),
        compare(f"scan {args.xlsx_rows:,} xlsx rows vs bare calamine read",
                [VAXCLEAN, "scan", xlsx_path, "--out", out, "-q"],
                [os.path.join(RELEASE, "examples", "bare_calamine"), xlsx_path], args.runs),
        compare(f"export-list {args.export_rows:,} CSV rows into {args.communes:,} communes vs scan",
                [VAXCLEAN, "export-list", export_path, "--out", lists, "-q"],
                [VAXCLEAN, "scan", export_path, "--out", out, "-q"], args.runs),
    ]
    # The default lists leave out the people `repair` fixes alone, and with them nearly every
    # suggestion: the lists returned are exported with them, so that corrections get applied.
    all_lists = os.path.join(args.dir, "lists-all")
    subprocess.run(["rm", "-rf", all_lists], check=True)
    subprocess.run([VAXCLEAN, "export-list", export_path, "--include-repairable", "--out", all_lists, "-q"],
                   check=True)
    returned = os.path.join(args.dir, "returned")
    subprocess.run(["rm", "-rf", returned], check=True)
    subprocess.run([os.path.join(RELEASE, "examples", "fill_lists"), all_lists, returned], check=True)
    applied = os.path.join(args.dir, "applied")
    results.append(
        compare(f"apply-corrections of {args.communes:,} returned lists onto {args.export_rows:,} CSV rows vs scan",
                [VAXCLEAN, "apply-corrections", "--source", export_path, "--corrections", returned,
                 "--out", applied, "-q"],
                [VAXCLEAN, "scan", export_path, "--out", out, "-q"], args.runs))
    # Asked in a child: importing pandas here would swell this process, and with it the peak
    # memory that every child inherits until it execs.
    has_pandas = not args.no_pandas and subprocess.run(
        [sys.executable, "-c", "import pandas, openpyxl"], capture_output=True).returncode == 0
    if not has_pandas and not args.no_pandas:
        print("pandas not installed: skipping the pandas comparisons (pip install pandas openpyxl)",
              file=sys.stderr)
    if has_pandas:
        script = os.path.join(ROOT, "scripts", "pandas_checks.py")
        pd_out = os.path.join(args.dir, "pandas-findings.csv")
        results.append(
            compare(f"scan {args.csv_rows:,} CSV rows vs pandas", [VAXCLEAN, "scan", csv_path, "--out", out, "-q"],
                    [sys.executable, script, csv_path, pd_out], args.pandas_runs, warm=False))
        results.append(
            compare(f"scan {args.xlsx_rows:,} xlsx rows vs pandas + openpyxl",
                    [VAXCLEAN, "scan", xlsx_path, "--out", out, "-q"],
                    [sys.executable, script, xlsx_path, pd_out], args.pandas_runs, warm=False))
    has_splink = not args.no_splink and subprocess.run(
        [sys.executable, "-c", "import splink, duckdb, pandas"], capture_output=True).returncode == 0
    if not has_splink and not args.no_splink:
        print("splink not installed: skipping the registry comparison with Splink (pip install splink)",
              file=sys.stderr)
    scores = []
    if has_splink:
        n = args.registry_people
        reg_dump = os.path.join(args.dir, f"reg-dump-{n}.csv")
        reg_extract = os.path.join(args.dir, f"reg-extract-{n}.csv")
        reg_key = os.path.join(args.dir, f"reg-key-{n}.csv")
        if not all(os.path.exists(f) for f in (reg_dump, reg_extract, reg_key)):
            subprocess.run([VAXCLEAN, "sample", "-q", "--people", str(n), "--seed", "5", "--out", reg_dump,
                            "--registry", reg_extract, "--registry-units", "2020", "--registry-key", reg_key],
                           check=True)
        script = os.path.join(ROOT, "scripts", "registry_splink.py")
        reg_out = os.path.join(args.dir, "reg-out")
        proposals = os.path.join(args.dir, "splink-proposals.csv")
        with open(reg_dump, "rb") as f:
            reg_rows = sum(1 for _ in f) - 1
        with open(reg_extract, "rb") as f:
            residents = sum(1 for _ in f) - 1
        results.append(
            compare(f"scan --registry, {n:,} people ({reg_rows:,} rows) against {residents:,} residents "
                    f"vs Splink", [VAXCLEAN, "scan", reg_dump, "--registry", reg_extract, "--out", reg_out, "-q"],
                    [sys.executable, script, "--dump", reg_dump, "--registry", reg_extract, "--out", proposals],
                    args.splink_runs, warm=False))
        # Scored in a child, from the last run of each, after the timings (same computation for both).
        scored = subprocess.run(
            [sys.executable, script, "--dump", reg_dump, "--key", reg_key,
             "--findings", os.path.join(reg_out, "findings.csv"), "--proposals", proposals],
            capture_output=True, text=True, check=True)
        scores = scored.stdout.splitlines()
    if args.registry_budget:
        people, rows = args.budget_people, args.budget_rows
        full = os.path.join(args.dir, f"budget-dump-{people}.csv")
        budget_dump = os.path.join(args.dir, f"budget-dump-{people}-{rows}.csv")
        budget_extract = os.path.join(args.dir, f"budget-extract-{people}.csv")
        if not all(os.path.exists(f) for f in (budget_dump, budget_extract)):
            # 770,000 people make ~2,000,000 rows and an extract of their communes' ~1,050,000
            # residents (2025 units, the default); the dump is cut to its first rows.
            subprocess.run([VAXCLEAN, "sample", "-q", "--people", str(people), "--seed", "6", "--out", full,
                            "--registry", budget_extract], check=True)
            with open(full, "rb") as src, open(budget_dump + ".part", "wb") as dst:
                for i, line in enumerate(src):
                    if i > rows:
                        break
                    dst.write(line)
            os.replace(budget_dump + ".part", budget_dump)
            os.remove(full)
        with open(budget_dump, "rb") as f:
            rows = sum(1 for _ in f) - 1
        with open(budget_extract, "rb") as f:
            residents = sum(1 for _ in f) - 4  # two title lines, a blank line, the header
        budget_out = os.path.join(args.dir, "budget-out")
        results.append(
            compare(f"scan {rows:,} CSV rows with --registry ({residents:,} residents) vs without",
                    [VAXCLEAN, "scan", budget_dump, "--registry", budget_extract, "--out", budget_out, "-q"],
                    [VAXCLEAN, "scan", budget_dump, "--out", budget_out, "-q"], args.runs))
    growth = []
    if args.growth:
        growth_dir = args.growth_dir or args.dir
        os.makedirs(growth_dir, exist_ok=True)
        for rows in (int(n) for n in args.growth_rows.split(",")):
            path = os.path.join(growth_dir, f"dump-{rows}.csv")
            if not os.path.exists(path):
                subprocess.run([VAXCLEAN, "sample", "-q", "--rows", str(rows), "--seed", "1",
                                "--defect-rate", "0.1", "--out", path], check=True)
            runs = [run([VAXCLEAN, "scan", path, "--out", out, "-q"]) for _ in range(max(1, args.runs // 2 + 1))]
            wall = statistics.median(r[0] for r in runs)
            mem = max(r[1] for r in runs)
            growth.append((rows, wall, mem))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"files: {csv_path} ({os.path.getsize(csv_path) / 1e6:.0f} MB), "
          f"{xlsx_path} ({os.path.getsize(xlsx_path) / 1e6:.0f} MB), "
          f"{export_path} ({os.path.getsize(export_path) / 1e6:.0f} MB); {args.runs} runs each, medians")
    print()
    print("| comparison | vaxclean wall | reference wall | ratio (median, min-max) | vaxclean peak | reference peak |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['name']} | {r['a_wall']:.2f} s | {r['b_wall']:.2f} s | "
              f"{r['ratio']:.2f}x ({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) | "
              f"{r['a_mem']:.0f} MiB | {r['b_mem']:.0f} MiB |")
    for r in results:
        if r["name"].endswith("vs Splink"):
            print(f"Splink peer {1 / r['ratio']:.1f}x slower than vaxclean (median of the paired ratios; "
                  f"{1 / r['ratio_max']:.1f}-{1 / r['ratio_min']:.1f}x)")
    for line in scores:
        print(line)
    if growth:
        print()
        print("| CSV rows | scan wall (median) | peak memory | µs per row | KiB per 1,000 rows |")
        print("|---|---|---|---|---|")
        for rows, wall, mem in growth:
            print(f"| {rows:,} | {wall:.2f} s | {mem:.0f} MiB | {wall / rows * 1e6:.2f} | {mem * 1024 / rows * 1000:.0f} |")


if __name__ == "__main__":
    main()
