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
    let mut row: [CellRef<'_>; FIELD_COUNT] = Default::default();
    for (f, text) in cells {
        if !text.is_empty() {
            row[f.index()] = Cell::Text(Cow::Borrowed(*text));
        }
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
        .into_iter()
        .map(|f| (f.code, f.suggestion.to_string()))
        .collect()
}
