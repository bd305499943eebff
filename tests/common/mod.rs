//! Helpers shared by the integration tests: run the binary, read what it wrote.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixed date every test runs as, so results do not move with the calendar.
pub const AS_OF: &str = "2026-11-26";

/// Every finding code about a record's data (docs/rules.md).
pub const DATA_CODES: [&str; 30] = [
    "ID_MISSING",
    "ID_FORMAT",
    "ID_LEADING_ZERO_LOST",
    "ID_PRECISION_LOST",
    "ID_SEPARATORS",
    "ID_PLACEHOLDER",
    "ID_PROVINCE_CODE",
    "ID_GENDER_MISMATCH",
    "ID_BIRTH_YEAR_MISMATCH",
    "ID_DUPLICATE_CONFLICT",
    "NAME_MISSING",
    "NAME_INVALID_CHARS",
    "NAME_ENCODING",
    "NAME_FORMAT",
    "NAME_INCOMPLETE",
    "DOB_MISSING",
    "DOB_INVALID",
    "DOB_OUT_OF_RANGE",
    "DOB_YEAR_ONLY",
    "DOB_FORMAT",
    "DOB_UNDER_FIVE",
    "GENDER_MISSING",
    "GENDER_INVALID",
    "GENDER_FORMAT",
    "PHONE_INVALID",
    "PHONE_OLD_FORMAT",
    "ADDRESS_UNKNOWN",
    "DOSE_DATE_INVALID",
    "DOSE_DUPLICATE",
    "RECORD_ID_DUPLICATE",
];

/// The project root (where `fixtures/` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// Runs `vaxclean` with `args` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaxclean"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run vaxclean")
}

/// Text of stdout and stderr.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A finding as the tests compare them: record id, field, code, value, suggestion.
pub type Key = (String, String, String, String, String);

/// The rows of findings.csv as maps from column name to value, in file order.
pub fn findings(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "findings.csv starts with a BOM"
    );
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// findings.csv reduced to comparable keys.
pub fn finding_keys(path: &Path) -> BTreeSet<Key> {
    findings(path)
        .into_iter()
        .map(|r| {
            (
                r["record_id"].clone(),
                r["field"].clone(),
                r["code"].clone(),
                r["value"].clone(),
                r["suggestion"].clone(),
            )
        })
        .collect()
}

/// A truth file written by `vaxclean sample --truth`: each planted finding and whether a scan
/// must find it (heuristic ones, such as legacy encodings, may be missed now and then).
pub fn truth_keys(path: &Path) -> BTreeMap<Key, bool> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let key = (
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
                r[4].to_string(),
            );
            (key, &r[5] == "1")
        })
        .collect()
}

/// Asserts that a scan found every certain planted finding and nothing that was not planted,
/// showing a few differences if not.
pub fn assert_same(found: &BTreeSet<Key>, truth: &BTreeMap<Key, bool>) {
    let missing: Vec<_> = truth
        .iter()
        .filter(|(k, certain)| **certain && !found.contains(*k))
        .map(|(k, _)| k)
        .collect();
    let extra: Vec<_> = found.iter().filter(|k| !truth.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {} (e.g. {:?}), extra {} (e.g. {:?})",
        missing.len(),
        &missing[..missing.len().min(5)],
        extra.len(),
        &extra[..extra.len().min(5)],
    );
}

/// Parses summary.json.
pub fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// Every file under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
