//! Test helpers for the rules: run a rule on a row made of a few text cells.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::findings::{Finding, RowFindings, RowInfo};
use crate::normalize::{NormalRow, normalize_row};
use crate::record::{Cell, CellRef, FIELD_COUNT, Field, RawRecord, RowLoc};
use crate::rules::Code;

/// The date the rule tests run as.
pub const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 26) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Runs `rule` on a row holding `cells`; gives (code, suggestion) of each finding.
pub fn run(
    cells: &[(Field, &str)],
    rule: impl Fn(&NormalRow<'_, '_>, &mut RowFindings<'_>),
) -> Vec<(Code, String)> {
    let cells: Vec<(Field, Cell<&str>)> = cells
        .iter()
        .map(|(f, t)| {
            (
                *f,
                if t.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(*t)
                },
            )
        })
        .collect();
    run_cells(&cells, rule)
        .into_iter()
        .map(|f| (f.code, f.suggestion.to_string()))
        .collect()
}

/// Runs `rule` on a row holding `cells` of any kind; gives the findings.
pub fn run_cells(
    cells: &[(Field, Cell<&str>)],
    rule: impl Fn(&NormalRow<'_, '_>, &mut RowFindings<'_>),
) -> Vec<Finding> {
    let mut row: [CellRef<'_>; FIELD_COUNT] = Default::default();
    for (f, cell) in cells {
        row[f.index()] = match cell {
            Cell::Text(t) => Cell::Text(Cow::Borrowed(*t)),
            Cell::Empty => Cell::Empty,
            Cell::Number(n) => Cell::Number(*n),
            Cell::Date(d) => Cell::Date(*d),
            Cell::Bool(b) => Cell::Bool(*b),
            Cell::Error => Cell::Error,
        };
    }
    let raw = RawRecord {
        loc: RowLoc::default(),
        cells: row,
    };
    let normal = normalize_row(&raw, TODAY);
    let mut found: Vec<Finding> = Vec::new();
    let info = RowInfo::default;
    let mut out = RowFindings::new(raw.loc, &info, &mut found);
    rule(&normal, &mut out);
    found
}

/// A row at sheet row `row` holding the non-empty `cells` as text.
pub fn raw_row(row: u32, cells: &[(Field, &str)]) -> RawRecord<'static> {
    let mut out: [CellRef<'static>; FIELD_COUNT] = Default::default();
    for (f, t) in cells {
        if !t.is_empty() {
            out[f.index()] = Cell::Text(Cow::Owned((*t).to_string()));
        }
    }
    RawRecord {
        loc: RowLoc {
            source: 0,
            sheet: 0,
            row,
        },
        cells: out,
    }
}

/// A person's row for the cross-record rules' tests: record id `R<row>`, then the number, name,
/// birth date and sex (empty: left blank).
pub fn person_row(row: u32, id: &str, name: &str, dob: &str, sex: &str) -> RawRecord<'static> {
    let key = format!("R{row}");
    raw_row(
        row,
        &[
            (Field::IdNumber, id),
            (Field::FullName, name),
            (Field::BirthDate, dob),
            (Field::Gender, sex),
            (Field::RecordId, &key),
        ],
    )
}
