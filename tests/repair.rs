//! `vaxclean repair` end to end: a generated dump with every kind of planted defect is repaired;
//! every certain fix is made (a scan of the result finds none left), nothing else changes (cell by
//! cell against the original), the findings that need a person are exactly those of the original,
//! a second run finds nothing to do, and the dumps are never written.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use common::{AS_OF, run, text};

/// The codes whose suggestions are certain (docs/rules.md).
const CERTAIN: [&str; 7] = [
    "ID_LEADING_ZERO_LOST",
    "ID_SEPARATORS",
    "NAME_ENCODING",
    "NAME_FORMAT",
    "DOB_FORMAT",
    "GENDER_FORMAT",
    "PHONE_OLD_FORMAT",
];

fn certain(code: &str, suggestion: &str) -> bool {
    !suggestion.is_empty() && CERTAIN.contains(&code)
}

fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        other => format!("{other:?}"),
    }
}

/// Every cell of every sheet, by (sheet, row, column), 1-based rows.
fn cells(path: &Path) -> BTreeMap<(String, u32, u32), String> {
    let mut wb = open_workbook_auto(path).unwrap();
    let mut out = BTreeMap::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, d) in row.iter().enumerate() {
                let t = cell(d);
                if !t.is_empty() {
                    out.insert((name.clone(), r0 + r as u32 + 1, c0 + c as u32), t);
                }
            }
        }
    }
    out
}

fn audit(path: &Path) -> Vec<BTreeMap<String, String>> {
    common::findings(path)
}

/// Findings reduced to what a person must look at: (record id, field, code), certain ones left out.
fn needing_a_person(findings: &Path) -> BTreeSet<(String, String, String)> {
    common::findings(findings)
        .into_iter()
        .filter(|r| !certain(&r["code"], &r["suggestion"]))
        .map(|r| {
            (
                r["record_id"].clone(),
                r["field"].clone(),
                r["code"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_workbook_gets_every_certain_fix_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "400",
            "--out",
            "in.xlsx",
            "--numeric-ids",
            "--seed",
            "11",
        ],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let before = std::fs::read(d.join("in.xlsx")).unwrap();
    let out = run(d, &["repair", "in.xlsx", "--out", "r", "--as-of", AS_OF]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Đã sửa"), "{stdout}");
    assert_eq!(
        std::fs::read(d.join("in.xlsx")).unwrap(),
        before,
        "the dump is never written"
    );

    // Cell by cell: every changed cell is one audit row, old → new, and nothing else moved.
    let rows = audit(&d.join("r/audit.csv"));
    assert!(
        rows.len() > 300,
        "numeric IDs lose their zeros: {}",
        rows.len()
    );
    assert!(rows.iter().all(|r| r["status"] == "repaired"));
    let a = cells(&d.join("in.xlsx"));
    let b = cells(&d.join("r/merged/in.xlsx"));
    let mut changed: Vec<(u32, String, String)> = Vec::new();
    for (k, v) in &b {
        let was = a.get(k).cloned().unwrap_or_default();
        if &was != v {
            changed.push((k.1, was, v.clone()));
        }
    }
    assert!(a.keys().all(|k| b.contains_key(k)), "no cell emptied");
    let mut audited: Vec<(u32, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["row"].parse().unwrap(),
                r["old"].clone(),
                r["new"].clone(),
            )
        })
        .collect();
    changed.sort();
    audited.sort();
    assert_eq!(changed, audited);

    // A scan of the result: no certain finding left, and the others exactly as before.
    for (input, dir) in [("in.xlsx", "s1"), ("r/merged/in.xlsx", "s2")] {
        let out = run(d, &["scan", input, "--out", dir, "--as-of", AS_OF, "-q"]);
        assert!(out.status.success(), "{}", text(&out).1);
    }
    let after = common::findings(&d.join("s2/findings.csv"));
    let left: Vec<_> = after
        .iter()
        .filter(|r| certain(&r["code"], &r["suggestion"]))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        needing_a_person(&d.join("s1/findings.csv")),
        needing_a_person(&d.join("s2/findings.csv"))
    );

    // The issue's case: a numeric-ID workbook no longer lists nearly everyone for lost zeros.
    let people = |dir: &str, extra: &[&str]| -> usize {
        let mut args = vec![
            "export-list",
            "in.xlsx",
            "--out",
            dir,
            "--as-of",
            AS_OF,
            "-q",
        ];
        args.extend_from_slice(extra);
        let out = run(d, &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
        let index = std::fs::read_to_string(d.join(dir).join("index.csv")).unwrap();
        index
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(4)?.parse::<usize>().ok())
            .sum()
    };
    let needing = people("lists", &[]);
    let everyone = people("lists-all", &["--include-repairable"]);
    assert!(everyone > 300, "{everyone}");
    assert!(needing * 4 < everyone, "{needing} of {everyone} listed");

    // Again on the result: nothing left to do.
    let out = run(
        d,
        &[
            "repair",
            "r/merged/in.xlsx",
            "--out",
            "r2",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(audit(&d.join("r2/audit.csv")).is_empty());
    assert_eq!(common::summary(&d.join("r2"))["cells_repaired"], 0);
}

#[test]
fn a_csv_keeps_every_other_record_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "300",
            "--out",
            "in.csv",
            "--seed",
            "5",
            "--defect-rate",
            "0.5",
            "--encoding",
            "windows-1258",
            "--delimiter",
            ";",
        ],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let out = run(d, &["repair", "in.csv", "--out", "r", "--as-of", AS_OF]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let rows = audit(&d.join("r/audit.csv"));
    let fixed: BTreeSet<u32> = rows.iter().map(|r| r["row"].parse().unwrap()).collect();
    assert!(!fixed.is_empty());
    let a = std::fs::read(d.join("in.csv")).unwrap();
    let b = std::fs::read(d.join("r/merged/in.csv")).unwrap();
    let la: Vec<&[u8]> = a.split(|&c| c == b'\n').collect();
    let lb: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
    assert_eq!(la.len(), lb.len());
    let mut differ = BTreeSet::new();
    for (i, (x, y)) in la.iter().zip(&lb).enumerate() {
        if x != y {
            differ.insert(i as u32 + 1);
        }
    }
    assert_eq!(differ, fixed, "only the repaired lines differ");
    // The merged CSV keeps its encoding: a scan reads the fixed names back.
    let out = run(
        d,
        &[
            "scan",
            "r/merged/in.csv",
            "--out",
            "s",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert!(out.status.success());
    let left: Vec<_> = common::findings(&d.join("s/findings.csv"))
        .into_iter()
        .filter(|r| certain(&r["code"], &r["suggestion"]))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_dry_run_writes_no_dump_and_an_unreadable_input_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = run(
        d,
        &["sample", "--people", "50", "--out", "in.csv", "--seed", "2"],
    );
    assert!(out.status.success());
    let out = run(d, &["repair", "in.csv", "--out", "r", "--dry-run", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    assert!(d.join("r/audit.csv").exists());
    assert!(!d.join("r/merged").exists());
    assert_eq!(common::summary(&d.join("r"))["dry_run"], true);

    // A real run, then one with an input that cannot be read: the first run's outputs stay.
    let out = run(d, &["repair", "in.csv", "--out", "r", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let kept = std::fs::read(d.join("r/merged/in.csv")).unwrap();
    std::fs::write(d.join("broken.xlsx"), b"PK\x03\x04 not a workbook").unwrap();
    let out = run(d, &["repair", "in.csv", "broken.xlsx", "--out", "r", "-q"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.xlsx"), "{stderr}");
    assert_eq!(std::fs::read(d.join("r/merged/in.csv")).unwrap(), kept);
    // A merged copy may never land on a dump: repairing r/merged/ into r is refused.
    let out = run(d, &["repair", "r/merged/in.csv", "--out", "r"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out).1);
    assert_eq!(std::fs::read(d.join("r/merged/in.csv")).unwrap(), kept);
}
