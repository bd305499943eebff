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
use crate::normalize::places::Division;
use crate::normalize::units2025;
use crate::pipeline::{ScanResult, UnitKey};
use crate::rules::Code;

#[derive(Serialize)]
struct Summary<'a> {
    tool: &'static str,
    version: &'static str,
    as_of: String,
    inputs: Vec<Input<'a>>,
    totals: Totals,
    /// The division `units` are counted by: `2020`, or `2025` (`scan --units 2025`).
    units_division: &'static str,
    units: Vec<Unit>,
    /// With `--registry`: the extracts and how many rows were matched (counts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    registry: Option<Registry<'a>>,
    timings_ms: Timings,
}

#[derive(Serialize)]
struct Registry<'a> {
    files: &'a [String],
    rows_covered: u64,
    rows_matched: u64,
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
    #[serde(flatten)]
    findings: FindingCounts,
}

#[derive(Serialize, Default)]
struct Unit {
    province: String,
    district: String,
    commune: String,
    rows: u64,
    people: u64,
    people_with_errors: u64,
    #[serde(flatten)]
    findings: FindingCounts,
    #[serde(skip)]
    codes: BTreeMap<Code, u64>,
}

/// Findings counted: in all, by severity (every severity, 0 included) and by code.
#[derive(Serialize, Default)]
struct FindingCounts {
    findings: u64,
    by_severity: BTreeMap<&'static str, u64>,
    by_code: BTreeMap<&'static str, u64>,
}

impl FindingCounts {
    fn of(codes: &BTreeMap<Code, u64>) -> FindingCounts {
        let mut by_severity: BTreeMap<&'static str, u64> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for (code, n) in codes {
            *by_severity.entry(code.severity().as_str()).or_insert(0) += n;
        }
        FindingCounts {
            findings: codes.values().sum(),
            by_severity,
            by_code: codes.iter().map(|(c, n)| (c.as_str(), *n)).collect(),
        }
    }
}

#[derive(Serialize)]
struct Timings {
    read_and_check: u128,
    cross_checks: u128,
    total: u128,
}

/// Writes the summary of `result`. `total` is the run's wall time so far.
pub fn write(
    w: &mut impl Write,
    result: &ScanResult,
    as_of: chrono::NaiveDate,
    total: Duration,
    division: Division,
    lang: Lang,
) -> Result<()> {
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
    // Each unit as the scan read it, or rolled up into the 2025 commune that took it over.
    let mut units: BTreeMap<UnitKey, Unit> = BTreeMap::new();
    for (key, u) in &result.units {
        let key = match division {
            Division::D2020 => key.clone(),
            Division::D2025 => {
                let [p, d, c] = units2025::regroup(&key.province, &key.district, &key.commune);
                UnitKey::new(p, d, c)
            }
        };
        let line = units.entry(key.clone()).or_insert_with(|| Unit {
            province: key.province.clone(),
            district: key.district.clone(),
            commune: key.commune.clone(),
            ..Unit::default()
        });
        line.rows += u.rows;
        line.people += u.people;
        line.people_with_errors += u.people_with_errors;
        for (code, n) in &u.findings {
            *line.codes.entry(*code).or_insert(0) += n;
        }
    }
    let units: Vec<Unit> = units
        .into_values()
        .map(|mut u| {
            u.findings = FindingCounts::of(&u.codes);
            u
        })
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
            findings: FindingCounts::of(&result.by_code),
        },
        units_division: match division {
            Division::D2020 => "2020",
            Division::D2025 => "2025",
        },
        units,
        registry: result.registry.as_ref().map(|r| Registry {
            files: &r.files,
            rows_covered: r.rows_covered,
            rows_matched: r.rows_matched,
        }),
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
