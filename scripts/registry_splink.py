#!/usr/bin/env python3
"""The Splink peer of `vaxclean scan --registry` (docs/BENCHMARKS.md, "Registry matching").

Links each record of a vaccination dump to the population-registry extract the police export, the
way a skilled analyst would with Splink and DuckDB, and writes what the registry says of the linked
resident: `record_id, proposed_number, proposed_name, proposed_birth_date, proposed_sex`.

How it is written:

  * Both CSVs are read as text (pandas, `dtype=str`). The dump has one row per dose; a person's dose
    rows repeat the same identity, so the analyst links each distinct identity (number, name, birth
    date, sex, commune, district, province as written) once and joins the result back to every
    record. This is the same as linking record by record (the records of one identity get the same
    answer either way), only faster. Rows of one person that differ (a split identity, a dose written
    with another number) are distinct identities and are linked on their own.
  * Normalised with the standard library: names folded (accents stripped with unicodedata, đ → d,
    upper case, spaces collapsed), numbers to their digits, dd/mm/yyyy dates parsed (a year alone kept
    as the year), sex to M/F, the place as folded province|district|commune (the 2020 extract names the
    same communes as the dump).
  * A link_only Splink model on DuckDB. Blocking rules for prediction: number exact (the dump's number
    against the CCCD, and against the old CMND); folded name + birth date; surname + birth year +
    commune; birth date + commune. Comparisons: number (exact / old CMND equal / Damerau-Levenshtein
    ≤ 1 / else), folded name (exact / Jaro-Winkler ≥ 0.92 / ≥ 0.8 / else), birth date (exact /
    day and month swapped / same year / else), sex exact, commune exact.
  * The prior (probability two random records match) from two deterministic rules at an assumed 90%
    recall; u by random sampling (2,000,000 pairs, seed 1); m by EM on two blocking rules (number
    exact; folded name + birth date). Prediction at match probability ≥ 0.99, keeping the best link
    per dump identity (ties: the first resident).

Usage:
  python3 scripts/registry_splink.py --dump dump.csv --registry reg.csv --out proposals.csv [--key key.csv]
  python3 scripts/registry_splink.py --dump dump.csv --key key.csv --findings OUT/findings.csv
      (no linkage: scores vaxclean's findings.csv against the key, the same way)
  python3 scripts/registry_splink.py --dump dump.csv --key key.csv --proposals proposals.csv
      (no linkage: scores proposals this script wrote earlier)

The accuracy printed with --key (the same computation for either tool's proposals): among dump
records that the registry holds (their right number is known), the share whose number is wrong or
missing after taking the tool's number proposal (the dump's number where it proposes none; for
vaxclean the number a correction list shows: the registry's, else the scan's own suggestion); and the
wrong number proposals (a proposal unequal to the right number, or a registry number proposed for
someone the registry does not hold) per 1,000 records. A proposal is a number other than the dump's digits.
Records whose id the dump reuses for another person (twice in the key) are left out.

Needs splink (with duckdb) and pandas for the linkage; the scoring is standard library only.
"""

import argparse
import csv
import sys
import time
import unicodedata

DUMP_COLS = {
    "record_id": "Mã đối tượng",
    "name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "number": "Số CMND/CCCD",
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện",
    "commune": "Xã/Phường",
}
REG_COLS = {
    "number": "Số định danh cá nhân",
    "old_number": "Số CMND cũ",
    "name": "Họ, chữ đệm và tên",
    "dob": "Ngày, tháng, năm sinh",
    "sex": "Giới tính",
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện",
    "commune": "Xã/Phường",
}


# ---------------------------------------------------------------------------------------------
# Normalisation (standard library)

_fold_cache = {}


def fold(text):
    """Upper case, accents stripped, đ → D, runs of spaces as one; '' for nothing."""
    if not text:
        return ""
    hit = _fold_cache.get(text)
    if hit is not None:
        return hit
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = " ".join(s.upper().split())
    _fold_cache[text] = s
    return s


def digits(text):
    return "".join(c for c in text if c.isdigit()) if text else ""


def parse_date(text):
    """(yyyy-mm-dd or None, yyyy or None, swapped yyyy-mm-dd or None) of a dd/mm/yyyy cell."""
    t = (text or "").strip()
    if len(t) == 4 and t.isdigit():
        return None, t, None
    parts = t.replace("-", "/").replace(".", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None, None, None
    if len(parts[0]) == 4:  # yyyy-mm-dd
        y, m, d = parts
    else:
        d, m, y = parts
    if len(y) != 4:
        return None, None, None
    d, m = int(d), int(m)

    def valid(day, month):
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        try:
            import datetime
            return datetime.date(int(y), month, day).isoformat()
        except ValueError:
            return None

    full = valid(d, m)
    if full is None:
        return None, y, None
    return full, y, (valid(m, d) if d != m else None)


def sex_code(text):
    f = fold(text)
    if f in ("NAM", "M", "MALE"):
        return "M"
    if f in ("NU", "F", "FEMALE"):
        return "F"
    return None


# ---------------------------------------------------------------------------------------------
# Linkage (splink, duckdb, pandas)


def prepare(df, cols, is_dump):
    """The columns Splink compares, from the text columns of a dump or an extract."""
    import pandas as pd

    def col(name, f):
        return [f(v) or None for v in df[cols[name]].tolist()]

    number = col("number", digits)
    # The dump's number is also compared with the registry's old CMND column.
    cmnd = number if is_dump else col("old_number", digits)
    name = col("name", fold)
    dates = [parse_date(v) for v in df[cols["dob"]].tolist()]
    place = zip(*(col(c, fold) for c in ("province", "district", "commune")))
    return pd.DataFrame({
        "number": number,
        "cmnd": cmnd,
        "name": name,
        "surname": [n.split(" ")[0] if n else None for n in name],
        "dob": [d[0] for d in dates],
        "birth_year": [d[1] for d in dates],
        "dob_swapped": [d[2] for d in dates],
        "sex": col("sex", sex_code),
        "commune": ["|".join(p) if all(p) else None for p in place],
    }, dtype=object)


def settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    number = cl.CustomComparison(
        output_column_name="number",
        comparison_levels=[
            cll.And(cll.NullLevel("number"), cll.NullLevel("cmnd")).configure(is_null_level=True),
            cll.ExactMatchLevel("number"),
            cll.CustomLevel("cmnd_l = cmnd_r", label_for_charts="old CMND equal"),
            cll.DamerauLevenshteinLevel("number", 1),
            cll.ElseLevel(),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("(dob_l = dob_swapped_r OR dob_swapped_l = dob_r)",
                            label_for_charts="day and month swapped"),
            cll.ExactMatchLevel("birth_year"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("number"),
            block_on("cmnd"),
            block_on("name", "dob"),
            block_on("surname", "birth_year", "commune"),
            block_on("dob", "commune"),
        ],
        comparisons=[
            number,
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]),
            birth,
            cl.ExactMatch("sex"),
            cl.ExactMatch("commune"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def make_linker(left, right, model):
    """A Linker on DuckDB: Splink 5 takes tables registered with the backend, Splink 4 the frames."""
    import inspect

    from splink import Linker

    try:
        from splink.backends.duckdb import DuckDBAPI
    except ImportError:
        from splink import DuckDBAPI
    db = DuckDBAPI()
    if "db_api" in inspect.signature(Linker.__init__).parameters:  # Splink 4
        return Linker([left, right], model, db_api=db, input_table_aliases=["dump", "registry"])
    return Linker([db.register(left, table_name="dump"), db.register(right, table_name="registry")], model)


def link(dump_path, registry_path, out_path):
    import logging

    import pandas as pd
    from splink import block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    read = dict(dtype=str, keep_default_na=False, encoding="utf-8-sig")
    dump = pd.read_csv(dump_path, usecols=list(DUMP_COLS.values()), **read)
    reg = pd.read_csv(registry_path, usecols=list(REG_COLS.values()), **read)

    # One row per distinct identity of the dump; every record gets its identity's answer.
    identity = [DUMP_COLS[c] for c in ("number", "name", "dob", "sex", "province", "district", "commune")]
    dump["identity"] = dump.groupby(identity, sort=False).ngroup()
    people = dump.drop_duplicates("identity").set_index("identity")
    left = prepare(people, DUMP_COLS, True)
    left["unique_id"] = people.index.to_numpy().astype("int64")
    right = prepare(reg, REG_COLS, False)
    right["unique_id"] = range(len(right))
    print(f"read and normalised {len(dump):,} records ({len(left):,} identities), "
          f"{len(reg):,} residents: {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    linker = make_linker(left, right, settings())
    logging.getLogger("splink").setLevel(logging.WARNING)  # the Linker sets INFO
    linker.training.estimate_probability_two_random_records_match(
        [block_on("number", "dob"), block_on("name", "dob", "commune")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("number"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name", "dob"))
    pairs = linker.inference.predict(threshold_match_probability=0.99).as_pandas_dataframe()
    print(f"trained and predicted {len(pairs):,} pairs over 0.99: {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)

    # Splink puts the first input on the left; be safe about it.
    if len(pairs) and (pairs["source_dataset_l"] != "dump").any():
        flip = pairs["source_dataset_l"] != "dump"
        pairs.loc[flip, ["unique_id_l", "unique_id_r"]] = pairs.loc[flip, ["unique_id_r", "unique_id_l"]].values
    best = (pairs.sort_values(["unique_id_l", "match_probability", "unique_id_r"],
                              ascending=[True, False, True])
            .drop_duplicates("unique_id_l"))
    best = best[["unique_id_l", "unique_id_r"]].astype("int64")
    resident = reg.iloc[best["unique_id_r"].to_numpy()]
    cccd = resident[REG_COLS["number"]].to_numpy()
    cmnd = resident[REG_COLS["old_number"]].to_numpy()
    found = pd.DataFrame({
        "identity": best["unique_id_l"].to_numpy(),
        "proposed_number": [a or b for a, b in zip(cccd, cmnd)],
        "proposed_name": resident[REG_COLS["name"]].to_numpy(),
        "proposed_birth_date": resident[REG_COLS["dob"]].to_numpy(),
        "proposed_sex": resident[REG_COLS["sex"]].to_numpy(),
    })
    result = dump[[DUMP_COLS["record_id"], "identity"]].merge(found, on="identity", how="inner")
    result = result.rename(columns={DUMP_COLS["record_id"]: "record_id"}).drop(columns="identity")
    result.to_csv(out_path, index=False)
    print(f"{len(result):,} of {len(dump):,} records linked: {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Scoring (standard library)


def read_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def proposals_from_findings(path):
    """record_id → (proposed number, from the registry), from vaxclean's findings.csv: the number a
    correction list shows, the registry's (REG_*) first, else the scan's own (ID_LEADING_ZERO_LOST,
    PERSON_SPLIT…: the scan proposes no registry number that its own finding already restores)."""
    out = {}
    found = [f for f in read_rows(path) if f["field"] == "id_number" and f["suggestion"]]
    for registry_first in (True, False):
        for f in found:
            if f["code"].startswith("REG_") == registry_first:
                out.setdefault(f["record_id"], (f["suggestion"], registry_first))
    return out


def proposals_from_csv(path):
    """record_id → (proposed number, from the registry), from this script's proposals."""
    return {r["record_id"]: (r["proposed_number"], True) for r in read_rows(path) if r["proposed_number"]}


def score(dump_path, key_path, proposed):
    """(records judged, held by the registry, wrong or missing before, after, wrong proposals)."""
    numbers = {}
    for r in read_rows(dump_path):
        numbers.setdefault(r[DUMP_COLS["record_id"]], []).append(digits(r[DUMP_COLS["number"]]))
    key = {}
    for k in read_rows(key_path):
        key.setdefault(k["record_id"], []).append(k)
    judged = held = before = after = wrong = 0
    for rid, ks in key.items():
        if len(ks) != 1 or len(numbers.get(rid, ())) != 1:
            continue  # a record id reused for another person: the key cannot tell which is meant
        k, have = ks[0], numbers[rid][0]
        judged += 1
        p, from_registry = proposed.get(rid, (None, False))
        if p == have:
            p = None  # the dump's own number is no proposal
        if k["in_registry"] != "1":
            # Nothing is the registry's to propose for a stranger (the key cannot judge the rest).
            wrong += p is not None and from_registry
            continue
        held += 1
        truth = k["resident_id"]
        before += have != truth
        after += (p or have) != truth
        wrong += p is not None and p != truth
    return judged, held, before, after, wrong


def report(tool, s):
    judged, held, before, after, wrong = s
    return (f"{tool}: {after:,} of {held:,} registry-held records with a wrong or missing number after "
            f"its proposals ({100 * after / max(held, 1):.2f}%; {100 * before / max(held, 1):.2f}% in the "
            f"dump), {wrong:,} wrong number proposals ({1000 * wrong / max(judged, 1):.2f} per 1,000 of "
            f"{judged:,} records)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dump", required=True)
    p.add_argument("--registry")
    p.add_argument("--out")
    p.add_argument("--key", help="answer key of `vaxclean sample --registry-key`: print the accuracy")
    p.add_argument("--findings", help="score this vaxclean findings.csv against --key instead of linking")
    p.add_argument("--proposals", help="score these proposals of this script against --key instead of linking")
    args = p.parse_args()
    if args.findings or args.proposals:
        if not args.key:
            p.error("--findings and --proposals need --key")
        if args.findings:
            print(report("vaxclean", score(args.dump, args.key, proposals_from_findings(args.findings))))
        if args.proposals:
            print(report("Splink peer", score(args.dump, args.key, proposals_from_csv(args.proposals))))
        return
    if not (args.registry and args.out):
        p.error("--registry and --out are needed to link")
    link(args.dump, args.registry, args.out)
    if args.key:
        import splink
        print(report(f"Splink {splink.__version__}",
                     score(args.dump, args.key, proposals_from_csv(args.out))))


if __name__ == "__main__":
    main()
