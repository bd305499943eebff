//! How well the scan finds what the generator plants: no error on a clean dump of 100,000 people,
//! at least 95% of each planted defect found, at least 95% of the suggestions right, and nothing
//! reported that was not planted. The figures are in docs/rules.md.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

fn sample(dir: &Path, out: &str, args: &[&str]) {
    let mut all = vec!["sample", "-q", "--out", out, "--as-of", AS_OF];
    all.extend_from_slice(args);
    let o = run(dir, &all);
    assert!(o.status.success(), "{:?}", text(&o));
}

fn scan(dir: &Path, input: &str) {
    let o = run(
        dir,
        &["scan", input, "--out", "out", "-q", "--as-of", AS_OF],
    );
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
}

#[test]
fn a_clean_dump_of_100000_people_has_no_error() {
    let dir = tempfile::tempdir().unwrap();
    sample(
        dir.path(),
        "clean.csv",
        &["--people", "100000", "--defect-rate", "0", "--seed", "21"],
    );
    scan(dir.path(), "clean.csv");
    let s = summary(&dir.path().join("out"));
    assert_eq!(s["totals"]["people"], 100_000);
    assert_eq!(s["totals"]["by_severity"]["error"], 0, "{}", s["totals"]);
    assert_eq!(s["totals"]["findings"], 0, "{}", s["totals"]);
}

/// Per code: (planted, found, right suggestion).
fn recall(found_path: &Path, truth_path: &Path) -> BTreeMap<String, (usize, usize, usize)> {
    let rows = findings(found_path);
    let found: BTreeMap<(String, String, String, String), String> = rows
        .iter()
        .map(|r| {
            let key = (
                r["record_id"].clone(),
                r["field"].clone(),
                r["code"].clone(),
                r["value"].clone(),
            );
            (key, r["suggestion"].clone())
        })
        .collect();
    let truth = truth_keys(truth_path);
    // Nothing that was not planted.
    let planted: std::collections::BTreeSet<_> = truth
        .keys()
        .map(|k| (k.0.clone(), k.1.clone(), k.2.clone(), k.3.clone()))
        .collect();
    let extra: Vec<_> = found
        .keys()
        .filter(|k| !planted.contains(*k))
        .take(5)
        .collect();
    assert!(extra.is_empty(), "reported but not planted: {extra:?}");
    let mut per_code: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (rid, field, code, value, suggestion) in truth.keys() {
        let e = per_code.entry(code.clone()).or_default();
        e.0 += 1;
        let key = (rid.clone(), field.clone(), code.clone(), value.clone());
        if let Some(s) = found.get(&key) {
            e.1 += 1;
            if s == suggestion {
                e.2 += 1;
            }
        }
    }
    per_code
}

fn assert_at_least_95(per_code: &BTreeMap<String, (usize, usize, usize)>, what: &str) {
    for (code, (planted, found, right)) in per_code {
        let found_share = *found as f64 / *planted as f64;
        let right_share = *right as f64 / *planted as f64;
        println!(
            "{what} {code:26} planted {planted:6} found {found_share:.3} right {right_share:.3}"
        );
        assert!(found_share >= 0.95, "{what} {code}: found {found_share:.3}");
        assert!(
            right_share >= 0.95,
            "{what} {code}: right suggestions {right_share:.3}"
        );
    }
}

#[test]
fn planted_defects_are_found_with_right_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    // Every person gets one defect: about 600 people per kind.
    sample(
        dir.path(),
        "planted.csv",
        &[
            "--people",
            "20000",
            "--defect-rate",
            "1",
            "--seed",
            "22",
            "--truth",
            "truth.csv",
        ],
    );
    scan(dir.path(), "planted.csv");
    let per_code = recall(
        &dir.path().join("out/findings.csv"),
        &dir.path().join("truth.csv"),
    );
    // Every data code of docs/rules.md is planted and found.
    for code in DATA_CODES {
        assert!(
            per_code.get(code).is_some_and(|c| c.0 > 100),
            "{code} not planted"
        );
    }
    assert_at_least_95(&per_code, "all");
}

#[test]
fn each_legacy_encoding_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    for kind in [
        "name_tcvn3",
        "name_vni",
        "name_windows_1258",
        "name_double_utf8",
    ] {
        let truth = format!("{kind}.truth");
        sample(
            dir.path(),
            "enc.csv",
            &[
                "--people",
                "2000",
                "--defect-rate",
                "1",
                "--defects",
                kind,
                "--seed",
                "23",
                "--truth",
                &truth,
            ],
        );
        scan(dir.path(), "enc.csv");
        let per_code = recall(
            &dir.path().join("out/findings.csv"),
            &dir.path().join(&truth),
        );
        assert!(per_code["NAME_ENCODING"].0 > 1000);
        assert_at_least_95(&per_code, kind);
    }
}
