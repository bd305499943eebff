//! `summary.json`: counts only, never a person's data — files with sizes and hashes, rows,
//! people, findings by code and severity, the same per province/district/commune, timings and
//! the tool version. Its fields are described in docs/outputs.md.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::findings::Severity;
use crate::i18n::Lang;
use crate::pipeline::{ScanResult, UnitKey};

#[derive(Serialize)]
struct Summary<'a> {
    tool: &'static str,
    version: &'static str,
    as_of: String,
    inputs: Vec<Input<'a>>,
    totals: Totals,
    units: Vec<Unit<'a>>,
    timings_ms: Timings,
}

#[derive(Serialize)]
struct Input<'a> {
    path: &'a str,
    format: &'static str,
    size: u64,
    sha256: Option<&'a str>,
    error: Option<String>,
    skipped: Option<String>,
    sheets: Vec<Sheet<'a>>,
    skipped_sheets: &'a [String],
}

#[derive(Serialize)]
struct Sheet<'a> {
    name: &'a str,
    header_row: u32,
    mapped_fields: &'a [&'static str],
    encoding: Option<&'static str>,
    delimiter: Option<String>,
    rows: u64,
    skipped_rows: u64,
}

#[derive(Serialize)]
struct Totals {
    files: usize,
    files_failed: usize,
    rows: u64,
    skipped_rows: u64,
    people: u64,
    people_with_errors: u64,
    findings: u64,
    by_severity: BTreeMap<&'static str, u64>,
    by_code: BTreeMap<&'static str, u64>,
}

#[derive(Serialize)]
struct Unit<'a> {
    province: &'a str,
    district: &'a str,
    commune: &'a str,
    rows: u64,
    people: u64,
    people_with_errors: u64,
    findings: u64,
    by_severity: BTreeMap<&'static str, u64>,
    by_code: BTreeMap<&'static str, u64>,
}

#[derive(Serialize)]
struct Timings {
    read_and_check: u128,
    cross_checks: u128,
    total: u128,
}

fn severities<'c>(
    codes: impl Iterator<Item = (&'c crate::rules::Code, &'c u64)>,
) -> BTreeMap<&'static str, u64> {
    let mut m: BTreeMap<&'static str, u64> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for (code, n) in codes {
        *m.entry(code.severity().as_str()).or_insert(0) += n;
    }
    m
}

/// Writes the summary of `result`. `total` is the run's wall time so far.
pub fn write(
    w: &mut impl Write,
    result: &ScanResult,
    as_of: chrono::NaiveDate,
    total: Duration,
    lang: Lang,
) -> Result<()> {
    let by_code = &result.by_code;
    let inputs = result
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| Input {
            path: &s.file.display,
            format: s.file.format.name(),
            size: s.file.size,
            sha256: s.sha256.as_deref(),
            error: s.error.as_ref().map(|e| e.render(lang)),
            skipped: s.skipped.as_ref().map(|e| e.render(lang)),
            sheets: result
                .sheets
                .iter()
                .filter(|sh| sh.info.source as usize == i)
                .map(|sh| Sheet {
                    name: &sh.info.name,
                    header_row: sh.info.header_row,
                    mapped_fields: &sh.info.mapped,
                    encoding: sh.info.encoding,
                    delimiter: sh.info.delimiter.map(|d| d.to_string()),
                    rows: sh.rows,
                    skipped_rows: sh.skipped_rows,
                })
                .collect(),
            skipped_sheets: &s.skipped_sheets,
        })
        .collect();
    let units = result
        .units
        .iter()
        .map(
            |(
                UnitKey {
                    province: p,
                    district: d,
                    commune: c,
                },
                u,
            )| Unit {
                province: p,
                district: d,
                commune: c,
                rows: u.rows,
                people: u.people,
                people_with_errors: u.people_with_errors,
                findings: u.findings.values().sum(),
                by_severity: severities(u.findings.iter()),
                by_code: u.findings.iter().map(|(c, n)| (c.as_str(), *n)).collect(),
            },
        )
        .collect();
    let summary = Summary {
        tool: "vaxclean",
        version: env!("CARGO_PKG_VERSION"),
        as_of: as_of.to_string(),
        inputs,
        totals: Totals {
            files: result.sources.len(),
            files_failed: result.sources.iter().filter(|s| s.error.is_some()).count(),
            rows: result.rows,
            skipped_rows: result.skipped_rows,
            people: result.people,
            people_with_errors: result.people_with_errors,
            findings: by_code.values().sum(),
            by_severity: severities(by_code.iter()),
            by_code: by_code.iter().map(|(c, n)| (c.as_str(), *n)).collect(),
        },
        units,
        timings_ms: Timings {
            read_and_check: result.read_time.as_millis(),
            cross_checks: result.cross_time.as_millis(),
            total: total.as_millis(),
        },
    };
    serde_json::to_writer_pretty(&mut *w, &summary)?;
    w.write_all(b"\n")?;
    Ok(())
}
