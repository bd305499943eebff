//! The cross-record indexes past their memory budget go to sorted runs on disk and are merged
//! when the rules run: a scan and an export-list forced to a tiny budget (many runs) must give
//! what they give in memory — findings.csv byte for byte, the same counts in summary.json, the
//! same people on the same lists.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use calamine::{Reader, open_workbook_auto};
use common::{run, summary, text, walk};

/// Far below one batch's index: every batch goes to disk as a run of its own.
const TINY: &str = "--index-memory=512";

/// Writes the dumps: two CSV files and a workbook (several sheets' worth of rows), numbered
/// alike so that record ids are shared across inputs, with planted defects (duplicated numbers
/// and doses, split people).
fn dumps(dir: &Path) -> Vec<String> {
    let samples: [&[&str]; 3] = [
        &[
            "--people",
            "700",
            "--seed",
            "11",
            "--out",
            "a.csv",
            "--defect-rate",
            "0.4",
            "--first-record",
            "1",
            "--registry",
            "reg-a.csv",
        ],
        &[
            "--people",
            "400",
            "--seed",
            "12",
            "--out",
            "b.xlsx",
            "--numeric-ids",
            "--title-lines",
            "--first-record",
            "1",
        ],
        &[
            "--people",
            "300",
            "--seed",
            "13",
            "--out",
            "c.csv",
            "--defect-rate",
            "0.3",
            "--first-record",
            "200",
        ],
    ];
    for args in samples {
        let mut all = vec!["sample", "-q"];
        all.extend_from_slice(args);
        let out = run(dir, &all);
        assert!(out.status.success(), "{:?}", text(&out));
    }
    ["a.csv", "b.xlsx", "c.csv"].map(String::from).to_vec()
}

/// Runs `args` over `inputs` into `out`, with `extra`; the run must succeed.
fn vaxclean(dir: &Path, args: &[&str], inputs: &[String], out: &str, extra: &[&str]) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(inputs.iter().map(String::as_str));
    all.extend([
        "--out",
        out,
        "-q",
        "--as-of",
        common::AS_OF,
        "--threads",
        "2",
    ]);
    all.extend_from_slice(extra);
    let o = run(dir, &all);
    assert!(o.status.success(), "{all:?}: {:?}", text(&o));
}

/// summary.json without its timings (the one part that may differ between two runs).
fn counts(dir: &Path) -> serde_json::Value {
    let mut s = summary(dir);
    if let Some(o) = s.as_object_mut() {
        o.remove("timings_ms");
    }
    s
}

#[test]
fn a_scan_through_runs_on_disk_finds_what_it_finds_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let inputs = dumps(dir);
    vaxclean(dir, &["scan"], &inputs, "memory", &[]);
    vaxclean(dir, &["scan"], &inputs, "disk", &[TINY]);

    let memory = std::fs::read(dir.join("memory/findings.csv")).unwrap();
    let disk = std::fs::read(dir.join("disk/findings.csv")).unwrap();
    assert!(
        memory == disk,
        "findings.csv differs when the indexes go to disk"
    );
    let findings = common::findings(&dir.join("memory/findings.csv"));
    for code in [
        "ID_DUPLICATE_CONFLICT",
        "DOSE_DUPLICATE",
        "RECORD_ID_DUPLICATE",
        "PERSON_SPLIT",
    ] {
        let rows: Vec<_> = findings.iter().filter(|f| f["code"] == code).collect();
        assert!(!rows.is_empty(), "the dumps plant {code}");
        assert!(
            rows.iter().any(|f| !f["record_id"].is_empty()),
            "{code} findings show their rows' record ids"
        );
    }

    let (m, d) = (counts(&dir.join("memory")), counts(&dir.join("disk")));
    assert_eq!(
        m, d,
        "summary.json's counts differ when the indexes go to disk"
    );
    assert!(m["totals"]["people"].as_u64().unwrap() > 1000);
    // The indexes' temporary files are gone with the run: the folder holds what it holds after
    // the run in memory.
    let names = |d: &str| {
        let mut v: Vec<_> = walk(&dir.join(d))
            .iter()
            .map(|p| p.strip_prefix(dir.join(d)).unwrap().to_path_buf())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("disk"), names("memory"));
    assert!(names("disk").len() <= 4, "{:?}", names("disk"));
}

/// Every list's path and its rows' cell values, as text.
fn lists(out: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut books = common::workbooks(out);
    books.sort();
    books
        .into_iter()
        .map(|p| {
            let mut book = open_workbook_auto(&p).unwrap();
            let range = book.worksheet_range("Danh sách").unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(ToString::to_string).collect())
                .collect();
            (p.strip_prefix(out).unwrap().display().to_string(), rows)
        })
        .collect()
}

#[test]
fn export_list_through_runs_on_disk_lists_the_people_it_lists_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let inputs = dumps(dir);
    vaxclean(dir, &["export-list"], &inputs, "memory", &[]);
    vaxclean(dir, &["export-list"], &inputs, "disk", &[TINY]);
    let index = |d: &str| std::fs::read_to_string(dir.join(d).join("index.csv")).unwrap();
    assert_eq!(index("memory"), index("disk"));
    assert!(index("memory").lines().count() > 2, "several lists");
    let memory = lists(&dir.join("memory"));
    assert!(!memory.is_empty());
    assert_eq!(memory, lists(&dir.join("disk")));
}
