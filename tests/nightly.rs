//! The nightly job is safe: a bad night, a typo, a second run or a kill never destroys what was
//! good. Each test plays what a district officer does night after night and tries to break one
//! guarantee: the history after a failed night, keys of a dump moved to another folder, the
//! output folder after a failed or killed run, inputs named twice.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{AS_OF, run, text};
use vaxclean::history::History;
use vaxclean::i18n::Lang;

fn sample(d: &Path, out: &str, extra: &[&str]) {
    let mut args = vec!["sample", "--out", out, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    let o = run(d, &args);
    assert!(o.status.success(), "{:?}", text(&o));
}

/// Every file under `dir` (hidden bookkeeping of the tool left out) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for p in common::walk(dir) {
        let rel = p.strip_prefix(dir).unwrap().to_path_buf();
        if rel.to_string_lossy().starts_with(".vaxclean") {
            continue;
        }
        out.insert(rel, std::fs::read(&p).unwrap());
    }
    out
}

/// The open error findings per unit: (unit, count, oldest).
fn open_ages(history: &Path) -> Vec<(String, u64, String)> {
    let h = History::open(history, Duration::from_secs(5), Lang::En).unwrap();
    let mut ages: Vec<(String, u64, String)> = h
        .open_ages()
        .unwrap()
        .into_iter()
        .map(|a| {
            (
                format!("{}/{}/{}", a.unit.province, a.unit.district, a.unit.commune),
                a.open_errors,
                a.oldest.to_string(),
            )
        })
        .collect();
    ages.sort();
    ages
}

fn scan_night(
    d: &Path,
    inputs: &[&str],
    day: &str,
    history: &str,
    extra: &[&str],
) -> (i32, String) {
    let mut args = vec!["scan"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&[
        "--out",
        "o",
        "--history",
        history,
        "--as-of",
        day,
        "--lang",
        "en",
    ]);
    args.extend_from_slice(extra);
    let o = run(d, &args);
    let (out, err) = text(&o);
    (o.status.code().unwrap_or(-1), format!("{out}{err}"))
}

#[test]
fn a_failed_night_closes_nothing_and_the_overdue_units_stay_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(
        d,
        "dump.csv",
        &["--people", "400", "--defect-rate", "0.3", "--seed", "3"],
    );
    // With the failed night in between, and without it.
    for h in ["with.sqlite", "without.sqlite"] {
        let (code, _) = scan_night(d, &["dump.csv"], "2026-11-20", h, &[]);
        assert_eq!(code, 0);
    }
    let before = snapshot(&d.join("o"));
    let (code, said) = scan_night(d, &["dunp.csv"], "2026-11-21", "with.sqlite", &[]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("nothing written"), "{said}");
    assert!(said.contains("does not record this run"), "{said}");
    assert!(!said.contains("fixed"), "{said}");
    // Yesterday's outputs are still there, byte for byte.
    assert_eq!(snapshot(&d.join("o")), before);
    for h in ["with.sqlite", "without.sqlite"] {
        let (code, said) = scan_night(d, &["dump.csv"], "2026-11-25", h, &[]);
        assert_eq!(code, 0);
        assert!(said.contains("0 new findings, 0 fixed"), "{said}");
    }
    let with = open_ages(&d.join("with.sqlite"));
    assert!(!with.is_empty());
    assert!(with.iter().all(|(_, _, oldest)| oldest == "2026-11-20"));
    assert_eq!(with, open_ages(&d.join("without.sqlite")));
    // The report sees them overdue (5 days > 3).
    let o = run(
        d,
        &[
            "report",
            "--history",
            "with.sqlite",
            "--out",
            "r",
            "--lang",
            "en",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
}

#[test]
fn a_partial_night_closes_only_what_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two provinces, one dump each.
    sample(
        d,
        "a.csv",
        &[
            "--people",
            "300",
            "--defect-rate",
            "0.3",
            "--seed",
            "5",
            "--provinces",
            "01",
        ],
    );
    sample(
        d,
        "b.csv",
        &[
            "--people",
            "300",
            "--defect-rate",
            "0.3",
            "--seed",
            "6",
            "--provinces",
            "79",
        ],
    );
    let (code, said) = scan_night(d, &["a.csv", "b.csv"], "2026-11-20", "h.sqlite", &[]);
    assert_eq!(code, 0, "{said}");
    let first = open_ages(&d.join("h.sqlite"));
    // A night that reads only a.csv (another set of files): b's findings stay open.
    let (code, said) = scan_night(d, &["a.csv"], "2026-11-21", "h.sqlite", &[]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("0 new findings, 0 fixed"), "{said}");
    // A night where b.csv cannot be read, recorded anyway: still nothing of b closed.
    std::fs::write(d.join("b-broken.xlsx"), b"not a workbook").unwrap();
    let (code, said) = scan_night(
        d,
        &["a.csv", "b-broken.xlsx"],
        "2026-11-22",
        "h.sqlite",
        &["--allow-partial"],
    );
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("0 new findings, 0 fixed"), "{said}");
    assert!(said.contains("partial run"), "{said}");
    assert_eq!(open_ages(&d.join("h.sqlite")), first);
    // Both read again: nothing was closed meanwhile, so nothing is new either.
    let (code, said) = scan_night(d, &["a.csv", "b.csv"], "2026-11-23", "h.sqlite", &[]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("0 new findings, 0 fixed"), "{said}");
}

#[test]
fn a_run_dated_before_the_latest_is_refused_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(d, "dump.csv", &["--people", "100", "--seed", "2"]);
    assert_eq!(
        scan_night(d, &["dump.csv"], "2026-11-20", "h.sqlite", &[]).0,
        0
    );
    let before = snapshot(&d.join("o"));
    let (code, said) = scan_night(d, &["dump.csv"], "2026-11-19", "h.sqlite", &[]);
    assert_eq!(code, 2);
    assert!(said.contains("--allow-out-of-order"), "{said}");
    assert_eq!(snapshot(&d.join("o")), before);
    let (code, said) = scan_night(
        d,
        &["dump.csv"],
        "2026-11-19",
        "h.sqlite",
        &["--allow-out-of-order"],
    );
    assert_eq!(code, 0, "{said}");
    // The same day twice is fine (a second run after a fix).
    assert_eq!(
        scan_night(d, &["dump.csv"], "2026-11-20", "h.sqlite", &[]).0,
        0
    );
}

#[test]
fn the_same_dump_in_another_dated_folder_keeps_its_keys() {
    // A dump without a record-id column: keys are the file name, sheet and row.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dump = "\u{feff}Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Tỉnh,Huyện,Xã\n\
                Nguyễn Văn An,01/02/1980,Nam,,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ\n\
                Trần Thị Bình,31/02/1985,Nữ,001185000123,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ\n\
                Lê Văn Cường,1990,Nam,12345,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ\n";
    for day in ["2026-11-20", "2026-11-21"] {
        std::fs::create_dir_all(d.join(day)).unwrap();
        std::fs::write(d.join(day).join("dump.csv"), dump).unwrap();
    }
    let (code, said) = scan_night(d, &["2026-11-20/dump.csv"], "2026-11-20", "h.sqlite", &[]);
    assert_eq!(code, 0, "{said}");
    assert!(!said.contains(" 0 new findings"), "{said}");
    let (code, said) = scan_night(d, &["2026-11-21/dump.csv"], "2026-11-21", "h.sqlite", &[]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("0 new findings, 0 fixed"), "{said}");
}

#[test]
fn a_history_of_the_previous_schema_keeps_its_findings() {
    // Schema 1 keyed rows without a record id by the path as typed: the upgrade renames them.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("h.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
             INSERT INTO meta VALUES('schema_version', '1');
             CREATE TABLE runs(id INTEGER PRIMARY KEY, started TEXT NOT NULL, as_of TEXT NOT NULL,
                tool_version TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
                rows INTEGER NOT NULL DEFAULT 0, people INTEGER NOT NULL DEFAULT 0,
                people_with_errors INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0,
                new_findings INTEGER NOT NULL DEFAULT 0, fixed_findings INTEGER NOT NULL DEFAULT 0,
                open_findings INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE run_inputs(run_id INTEGER NOT NULL, path TEXT NOT NULL,
                size INTEGER NOT NULL, sha256 TEXT);
             CREATE TABLE run_units(run_id INTEGER NOT NULL, province TEXT NOT NULL,
                district TEXT NOT NULL, commune TEXT NOT NULL, rows INTEGER NOT NULL,
                people INTEGER NOT NULL, people_with_errors INTEGER NOT NULL);
             CREATE TABLE run_unit_codes(run_id INTEGER NOT NULL, province TEXT NOT NULL,
                district TEXT NOT NULL, commune TEXT NOT NULL, code TEXT NOT NULL,
                count INTEGER NOT NULL);
             CREATE TABLE findings(record_key TEXT NOT NULL, code TEXT NOT NULL,
                severity TEXT NOT NULL, province TEXT NOT NULL, district TEXT NOT NULL,
                commune TEXT NOT NULL, first_seen TEXT NOT NULL, first_run INTEGER NOT NULL,
                last_run INTEGER NOT NULL, fixed_run INTEGER, fixed_on TEXT,
                PRIMARY KEY(record_key, code));
             INSERT INTO runs VALUES(1, 'x', '2026-11-01', '0.1.0', 1, 1, 1, 1, 2, 2, 0, 2);
             INSERT INTO run_inputs VALUES(1, 'dumps/2026-11-01/dump.csv', 10, NULL);
             INSERT INTO findings VALUES('dumps/2026-11-01/dump.csv:2', 'ID_MISSING', 'error',
                'P', 'D', 'C', '2026-11-01', 1, 1, NULL, NULL);
             INSERT INTO findings VALUES('VX1', 'DOB_INVALID', 'error',
                'P', 'D', 'C', '2026-11-01', 1, 1, NULL, NULL);",
        )
        .unwrap();
    }
    let h = History::open(&path, Duration::from_secs(5), Lang::En).unwrap();
    assert_eq!(h.version().unwrap(), vaxclean::history::SCHEMA_VERSION);
    drop(h);
    let c = rusqlite::Connection::open(&path).unwrap();
    let mut keys: Vec<(String, String)> = c
        .prepare("SELECT record_key, input FROM findings ORDER BY record_key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            ("VX1".to_string(), String::new()),
            ("dump.csv:2".to_string(), "dump.csv".to_string())
        ]
    );
}

/// The filled lists of a scan of `dump` (everyone with an error listed, repairable or not), as a
/// hamlet team returns them (every suggestion taken).
fn export_and_fill(d: &Path, dump: &str, lists: &str) -> PathBuf {
    let o = run(
        d,
        &[
            "export-list",
            dump,
            "--out",
            lists,
            "--include-repairable",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let filled = d.join(format!("{lists}-filled"));
    std::fs::create_dir_all(&filled).unwrap();
    let mut n = 0;
    for p in common::walk(&d.join(lists)) {
        if p.extension().is_some_and(|e| e == "xlsx") {
            let mut s = vaxclean::sample::fill::Sheets::load(&p).unwrap();
            s.accept_suggestions();
            n += 1;
            s.save(&filled.join(format!("{n}.xlsx"))).unwrap();
        }
    }
    assert!(n > 0);
    filled
}

#[test]
fn a_failed_scan_or_apply_leaves_the_earlier_outputs_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(
        d,
        "dump.csv",
        &[
            "--people",
            "300",
            "--defect-rate",
            "0.4",
            "--seed",
            "8",
            "--communes",
            "3",
        ],
    );
    // Scan: a good night, then a night on a missing file.
    let o = run(
        d,
        &["scan", "dump.csv", "--out", "o", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(o.status.code(), Some(0));
    let before = snapshot(&d.join("o"));
    assert!(before.contains_key(Path::new("findings.csv")));
    let o = run(
        d,
        &["scan", "missing.csv", "--out", "o", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(snapshot(&d.join("o")), before);
    // A good file beside a broken one: nothing written either, unless asked.
    std::fs::write(d.join("broken.xlsx"), b"PK\x03\x04 not really").unwrap();
    let o = run(
        d,
        &[
            "scan",
            "dump.csv",
            "broken.xlsx",
            "--out",
            "o",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(snapshot(&d.join("o")), before);
    let o = run(
        d,
        &[
            "scan",
            "dump.csv",
            "broken.xlsx",
            "--out",
            "o",
            "--as-of",
            AS_OF,
            "-q",
            "--allow-partial",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_ne!(snapshot(&d.join("o")), before, "--allow-partial writes");

    // Apply: a good run with corrections, then one with a mistyped corrections path.
    let filled = export_and_fill(d, "dump.csv", "lists");
    let filled = filled.file_name().unwrap().to_string_lossy().into_owned();
    let apply = |corrections: &str| {
        run(
            d,
            &[
                "apply-corrections",
                "--source",
                "dump.csv",
                "--corrections",
                corrections,
                "--out",
                "res",
                "--as-of",
                AS_OF,
                "-q",
            ],
        )
    };
    let o = apply(&filled);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let before = snapshot(&d.join("res"));
    assert!(before.contains_key(Path::new("audit.csv")));
    assert!(before.contains_key(&Path::new("merged").join("dump.csv")));
    assert_ne!(
        before[&Path::new("merged").join("dump.csv")],
        std::fs::read(d.join("dump.csv")).unwrap(),
        "corrections were merged"
    );
    let o = apply("lists-filed");
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--allow-partial"), "{:?}", text(&o));
    assert_eq!(snapshot(&d.join("res")), before);
}

#[test]
fn a_run_that_writes_no_import_file_removes_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(
        d,
        "dump.csv",
        &[
            "--people",
            "300",
            "--defect-rate",
            "0.5",
            "--seed",
            "12",
            "--communes",
            "2",
        ],
    );
    let filled = export_and_fill(d, "dump.csv", "lists");
    let apply = |corrections: &Path| {
        run(
            d,
            &[
                "apply-corrections",
                "--source",
                "dump.csv",
                "--corrections",
                corrections.to_str().unwrap(),
                "--out",
                "res",
                "--as-of",
                AS_OF,
                "-q",
            ],
        )
    };
    let o = apply(&filled);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let first = snapshot(&d.join("res"));
    assert!(
        first.keys().any(|p| p.starts_with("import")),
        "the first run imports someone: {:?}",
        first.keys().collect::<Vec<_>>()
    );
    // The lists returned blank: nothing to import, nothing corrected.
    let blank = d.join("blank");
    std::fs::create_dir_all(&blank).unwrap();
    for (i, p) in common::walk(&d.join("lists")).into_iter().enumerate() {
        if p.extension().is_some_and(|e| e == "xlsx") {
            std::fs::copy(&p, blank.join(format!("{i}.xlsx"))).unwrap();
        }
    }
    let o = apply(&blank);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let second = snapshot(&d.join("res"));
    assert!(
        !second.keys().any(|p| p.starts_with("import")),
        "{:?}",
        second.keys()
    );
    assert!(!d.join("res/import").exists());
    assert_eq!(
        second[&Path::new("merged").join("dump.csv")],
        std::fs::read(d.join("dump.csv")).unwrap()
    );
}

#[cfg(unix)]
#[test]
fn outputs_are_readable_by_their_owner_only_unless_asked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(d, "dump.csv", &["--people", "50", "--seed", "2"]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let o = run(
        d,
        &["scan", "dump.csv", "--out", "o", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(mode(&d.join("o/findings.csv")), 0o600);
    assert_eq!(mode(&d.join("o/summary.json")), 0o600);
    let o = run(
        d,
        &[
            "export-list",
            "dump.csv",
            "--out",
            "l",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    for p in common::walk(&d.join("l")) {
        if !p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".vaxclean")
        {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
            assert_eq!(mode(p.parent().unwrap()) & 0o077, 0, "{}", p.display());
        }
    }
    let o = run(
        d,
        &[
            "scan",
            "dump.csv",
            "--out",
            "g",
            "--as-of",
            AS_OF,
            "-q",
            "--group-readable",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(mode(&d.join("g/findings.csv")), 0o640);
}

#[test]
fn a_second_run_into_the_same_folder_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(d, "dump.csv", &["--people", "50", "--seed", "2"]);
    let o = run(
        d,
        &["scan", "dump.csv", "--out", "o", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(o.status.code(), Some(0));
    let before = snapshot(&d.join("o"));
    // Another run holds the folder (its lock, as a running vaxclean holds it).
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(d.join("o/.vaxclean.lock"))
        .unwrap();
    lock.lock().unwrap();
    let o = run(
        d,
        &[
            "scan", "dump.csv", "--out", "o", "--as-of", AS_OF, "--lang", "en",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains("being written by another vaxclean run"),
        "{:?}",
        text(&o)
    );
    assert_eq!(snapshot(&d.join("o")), before);
    lock.unlock().unwrap();
    let o = run(
        d,
        &["scan", "dump.csv", "--out", "o", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(o.status.code(), Some(0));
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn killed_exports_and_applies_never_leave_a_mixed_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two nights of different data: every kill must leave exactly one night's outputs.
    sample(
        d,
        "n1.csv",
        &[
            "--people",
            "3000",
            "--communes",
            "12",
            "--defect-rate",
            "0.3",
            "--seed",
            "21",
        ],
    );
    sample(
        d,
        "n2.csv",
        &[
            "--people",
            "3000",
            "--communes",
            "12",
            "--defect-rate",
            "0.3",
            "--seed",
            "22",
        ],
    );
    let export = |input: &str| {
        vec![
            "export-list",
            input,
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    // The file set and index.csv of each night (workbooks differ in their creation time).
    let state = |dir: &Path| -> (Vec<PathBuf>, Vec<u8>) {
        let snap = snapshot(dir);
        let index = snap
            .get(Path::new("index.csv"))
            .cloned()
            .unwrap_or_default();
        (snap.into_keys().collect(), index)
    };
    assert_eq!(run(d, &args(&export("n2.csv"))).status.code(), Some(0));
    let night2 = state(&d.join("lists"));
    assert_eq!(run(d, &args(&export("n1.csv"))).status.code(), Some(0));
    let night1 = state(&d.join("lists"));
    assert_ne!(night1, night2);
    for ms in [30u64, 90, 160, 240, 330, 450, 600, 800] {
        common::kill_after(d, &args(&export("n2.csv")), ms);
        let now = state(&d.join("lists"));
        assert!(
            now == night1 || now == night2,
            "export killed after {ms} ms: a mixed folder"
        );
        // Put night 1 back for the next kill.
        assert_eq!(run(d, &args(&export("n1.csv"))).status.code(), Some(0));
    }

    // Apply: night A applies filled lists, night B blank ones.
    sample(
        d,
        "dump.csv",
        &[
            "--people",
            "2000",
            "--communes",
            "6",
            "--defect-rate",
            "0.4",
            "--seed",
            "23",
        ],
    );
    let filled = export_and_fill(d, "dump.csv", "l2");
    let apply = |corrections: &Path| {
        vec![
            "apply-corrections".to_string(),
            "--source".into(),
            "dump.csv".into(),
            "--corrections".into(),
            corrections.to_string_lossy().into_owned(),
            "--out".into(),
            "res".into(),
            "--as-of".into(),
            AS_OF.into(),
            "-q".into(),
        ]
    };
    let blank = d.join("l2");
    // The CSV outputs of a night: audit.csv and the merged dump.
    let csvs = |dir: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(dir)
            .into_iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "csv"))
            .collect()
    };
    assert_eq!(run(d, &args(&apply(&blank))).status.code(), Some(0));
    let night_b = (state(&d.join("res")).0, csvs(&d.join("res")));
    assert_eq!(run(d, &args(&apply(&filled))).status.code(), Some(0));
    let night_a = (state(&d.join("res")).0, csvs(&d.join("res")));
    assert_ne!(night_a, night_b);
    for ms in [30u64, 90, 160, 240, 330, 450, 600] {
        common::kill_after(d, &args(&apply(&blank)), ms);
        let now = (state(&d.join("res")).0, csvs(&d.join("res")));
        assert!(
            now == night_a || now == night_b,
            "apply killed after {ms} ms: a mixed folder"
        );
        assert_eq!(run(d, &args(&apply(&filled))).status.code(), Some(0));
    }

    // Killed in the middle of the switch itself: the next run into the folder finishes it first,
    // even a run that then fails.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vaxclean"));
    cmd.args(args(&apply(&blank)))
        .current_dir(d)
        .env("VAXCLEAN_TEST_DIE_IN_SWITCH", "0");
    let o = cmd.output().unwrap();
    assert!(!o.status.success());
    let o = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "missing.csv",
            "--corrections",
            "l2",
            "--out",
            "res",
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!((state(&d.join("res")).0, csvs(&d.join("res"))), night_b);
    let left: Vec<String> = std::fs::read_dir(d.join("res"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".vaxclean-run-") || n.starts_with(".vaxclean-old-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_input_named_twice_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("dumps")).unwrap();
    sample(
        d,
        "dumps/a.csv",
        &["--people", "200", "--seed", "4", "--defect-rate", "0"],
    );
    std::fs::copy(d.join("dumps/a.csv"), d.join("copy.csv")).unwrap();
    let o = run(
        d,
        &[
            "scan",
            "dumps/a.csv",
            "--out",
            "once",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let once = common::findings(&d.join("once/findings.csv"));
    for inputs in [
        vec!["dumps/a.csv", "dumps/a.csv"],
        vec!["dumps/a.csv", "dumps"],
        vec!["dumps/a.csv", "copy.csv"],
    ] {
        let mut a = vec!["scan"];
        a.extend_from_slice(&inputs);
        a.extend_from_slice(&["--out", "twice", "--as-of", AS_OF, "--lang", "en"]);
        let o = run(d, &a);
        assert_eq!(o.status.code(), Some(0), "{inputs:?}: {:?}", text(&o));
        assert!(text(&o).1.contains("read once"), "{:?}", text(&o));
        let twice = common::findings(&d.join("twice/findings.csv"));
        assert!(
            !twice.iter().any(|f| f["code"] == "DOSE_DUPLICATE"),
            "{inputs:?}"
        );
        assert_eq!(twice.len(), once.len(), "{inputs:?}");
    }
}

/// A sheet of a workbook, cell by cell as text (numbers without `.0`).
fn sheet_cells(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let (top, _) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    rows.extend(range.rows().map(|r| {
        r.iter()
            .map(|c| match c {
                Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                other => other.to_string(),
            })
            .collect()
    }));
    rows
}

/// The text of a member of a zip (an xlsx part).
fn zip_member(path: &Path, member: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(member).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The summary sheet's commune lines, by commune: (export date, returned, days waiting, listed,
/// the counts of the result columns, no result yet).
fn commune_lines(path: &Path) -> BTreeMap<String, Vec<String>> {
    let cells = sheet_cells(path, "Tổng hợp");
    let header = cells
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "STT"))
        .unwrap();
    cells[header + 1..]
        .iter()
        .take_while(|r| r.first().is_some_and(|c| c.parse::<u32>().is_ok()))
        .map(|r| (r[3].clone(), r[4..].to_vec()))
        .collect()
}

#[test]
fn verification_names_every_exported_commune_and_counts_a_list_returned_thrice_once() {
    use vaxclean::output::list_workbook::{COL_NOTE, COL_PHONE_FIX, COL_STATUS};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(
        d,
        "dump.csv",
        &[
            "--people",
            "300",
            "--communes",
            "3",
            "--defect-rate",
            "0.5",
            "--seed",
            "11",
        ],
    );
    let o = run(
        d,
        &[
            "export-list",
            "--include-repairable",
            "dump.csv",
            "--out",
            "lists",
            "--history",
            "h.sqlite",
            "--as-of",
            "2026-11-20",
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let mut lists: Vec<PathBuf> = common::walk(&d.join("lists"))
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "xlsx")
                && !p.to_string_lossy().contains("_chua-ro-xa")
        })
        .collect();
    lists.sort();
    assert_eq!(lists.len(), 3, "{lists:?}");
    let commune = |p: &Path| p.file_stem().unwrap().to_string_lossy().into_owned();
    let (a, b, c) = (&lists[0], &lists[1], &lists[2]);
    // List A comes back three times (the same filled copy), one of its people moved away with a
    // note; list B never comes back; list C comes back the next day.
    let mut filled = vaxclean::sample::fill::Sheets::load(a).unwrap();
    let fixed = filled.accept_suggestions();
    let rows = filled.data_rows();
    let moved = rows[0];
    let note = "chuyển vào Đà Nẵng từ 3/2022";
    filled.set(
        moved,
        COL_STATUS,
        calamine::Data::String("Đã chuyển đi".into()),
    );
    filled.set(moved, COL_NOTE, calamine::Data::String(note.into()));
    let fixed_now = rows
        .iter()
        .filter(|&&r| r != moved && filled.text(r, usize::from(COL_STATUS)) == "Đã sửa")
        .count();
    assert!(fixed > 0 && fixed_now > 0);
    // One person given an impossible phone number: sent back, corrected the next day.
    let bad = *rows
        .iter()
        .find(|&&r| filled.text(r, usize::from(COL_STATUS)) == "Thông tin đúng")
        .unwrap();
    filled.set(bad, COL_PHONE_FIX, calamine::Data::String("12345".into()));
    filled.set(bad, COL_STATUS, calamine::Data::String("Đã sửa".into()));
    for n in 1..=3 {
        filled.save(&d.join(format!("back/a{n}.xlsx"))).unwrap();
    }
    let apply = |corrections: &str, out: &str, as_of: &str| {
        let o = run(
            d,
            &[
                "apply-corrections",
                "--source",
                "dump.csv",
                "--corrections",
                corrections,
                "--out",
                out,
                "--history",
                "h.sqlite",
                "--as-of",
                as_of,
                "-q",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
        d.join(out).join("verification.xlsx")
    };
    let ver = apply("back", "res", "2026-11-26");
    let lines = commune_lines(&ver);
    let listed = |p: &Path| {
        vaxclean::sample::fill::Sheets::load(p)
            .unwrap()
            .data_rows()
            .len()
            .to_string()
    };
    // Every exported commune has a line; B, never returned, first, six days waiting.
    assert_eq!(lines.len(), 3, "{lines:?}");
    let line_b = &lines[&commune(b)];
    assert_eq!(line_b[0], "20/11/2026");
    assert_eq!(line_b[1], "Chưa trả về");
    assert_eq!(line_b[2], "6");
    assert_eq!(line_b[3], listed(b));
    assert_eq!(line_b.last(), Some(&listed(b)), "nobody of B answered");
    let first = sheet_cells(&ver, "Tổng hợp");
    let header = first.iter().position(|r| r[0] == "STT").unwrap();
    assert_eq!(first[header + 1][3], commune(b), "the lists to chase first");
    // A, returned three times: each person once.
    let line_a = &lines[&commune(a)];
    assert_eq!(line_a[1], "26/11/2026");
    assert_eq!(line_a[2], "");
    assert_eq!(line_a[3], listed(a));
    let answered: u64 = line_a[4..12]
        .iter()
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert_eq!(answered.to_string(), listed(a), "{line_a:?}");
    assert_eq!(line_a[4], fixed_now.to_string(), "Đã sửa");
    assert_eq!(line_a[6], "1", "Bị trả lại");
    assert_eq!(line_a[8], "1", "Đã chuyển đi");
    // Totals, title, date and the signature block.
    assert_eq!(first[0][0], vaxclean::output::verification::TITLE);
    assert!(
        first[1][0].starts_with("Tính đến ngày 26/11/2026"),
        "{:?}",
        first[1]
    );
    let total = first.iter().find(|r| r[0] == "Tổng cộng").unwrap();
    let people: usize = lists
        .iter()
        .map(|p| listed(p).parse::<usize>().unwrap())
        .sum();
    assert_eq!(total[7], people.to_string());
    let flat: Vec<&String> = first.iter().flatten().collect();
    assert!(flat.iter().any(|c| *c == "NGƯỜI LẬP BIỂU"));
    assert!(flat.iter().any(|c| *c == "THỦ TRƯỞNG ĐƠN VỊ"));
    // The detail: each person once, the note kept, the new number shown.
    let detail = sheet_cells(&ver, "Chi tiết");
    assert_eq!(detail.len() - 1, listed(a).parse::<usize>().unwrap());
    let heads = &detail[0];
    let col = |h: &str| heads.iter().position(|x| x == h).unwrap();
    let moved_row = detail
        .iter()
        .find(|r| r[col("Kết quả")] == "Đã chuyển đi")
        .unwrap();
    assert_eq!(moved_row[col("Ghi chú")], note);
    let new_ids: Vec<String> = rows
        .iter()
        .filter(|&&r| r != moved)
        .filter_map(|&r| filled.suggestion(r, "Số CMND/CCCD"))
        .collect();
    for id in &new_ids {
        assert!(
            detail
                .iter()
                .any(|r| r[col("Số CMND/CCCD")] == *id && r[col("Kết quả")] == "Đã sửa"),
            "the new number {id} shown"
        );
    }
    // Printable: A4 landscape, one page wide, the header repeated, pages numbered.
    let book = zip_member(&ver, "xl/workbook.xml");
    assert!(book.contains("'Tổng hợp'!$4:$4"), "{book}");
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = zip_member(&ver, sheet);
        assert!(xml.contains("paperSize=\"9\""));
        assert!(xml.contains("orientation=\"landscape\""));
        assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"));
        assert!(xml.contains("fitToHeight=\"0\""));
        assert!(xml.contains("&amp;P"), "page numbers");
    }
    // The audit keeps the note too.
    let audit = common::findings(&d.join("res/audit.csv"));
    assert!(
        audit
            .iter()
            .any(|r| r["reason_code"] == "MOVED_AWAY" && r["note"] == note)
    );

    // The next day C comes back, and the list sent back to A with the phone number corrected: A is
    // still returned since the 26th, its person sent back now corrected; B waits one more day.
    let mut filled_c = vaxclean::sample::fill::Sheets::load(c).unwrap();
    filled_c.accept_suggestions();
    filled_c.save(&d.join("back2/c.xlsx")).unwrap();
    // One list sent back per copy returned: the team answers the first.
    let mut sent_back: Vec<PathBuf> = common::walk(&d.join("res/rejected"));
    sent_back.sort();
    assert_eq!(sent_back.len(), 3, "{sent_back:?}");
    let mut again = vaxclean::sample::fill::Sheets::load(&sent_back[0]).unwrap();
    let back_rows = again.data_rows();
    assert_eq!(back_rows.len(), 1);
    assert_eq!(
        again.text(back_rows[0], usize::from(COL_PHONE_FIX)),
        "12345"
    );
    again.set(
        back_rows[0],
        COL_PHONE_FIX,
        calamine::Data::String("0912345678".into()),
    );
    again.save(&d.join("back2/a-again.xlsx")).unwrap();
    let lines = commune_lines(&apply("back2", "res2", "2026-11-27"));
    assert_eq!(lines.len(), 3, "a list sent back is no commune of its own");
    let now_a = &lines[&commune(a)];
    assert_eq!(now_a[1], "26/11/2026");
    assert_eq!(now_a[3], line_a[3]);
    assert_eq!(now_a[4], (fixed_now + 1).to_string(), "Đã sửa: {now_a:?}");
    assert_eq!(now_a[6], "0", "Bị trả lại");
    assert_eq!(now_a[8..], line_a[8..], "the other answers kept");
    assert_eq!(lines[&commune(c)][1], "27/11/2026");
    assert_eq!(lines[&commune(b)][2], "7");
}
