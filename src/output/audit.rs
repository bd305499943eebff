//! `audit.csv` of `apply-corrections` (docs/apply-corrections.md): one row per field changed or rejected, and
//! one per record whose row changed nothing (confirmed, already applied, moved away…), so that
//! every returned row can be traced — a row added to a list, with no record key, included — with
//! the team's note. UTF-8 with BOM, CRLF; text that a spreadsheet would take for
//! a formula gets a leading apostrophe.

use std::io::Write;

use anyhow::Result;

use crate::output::defuse;

/// The columns, in order (docs/apply-corrections.md): `reason_code` (a stable code for scripts), then
/// `note` (what the team wrote in `Ghi chú`), added last so that scripts reading by position keep working.
pub const COLUMNS: [&str; 12] = [
    "record_key",
    "source",
    "row",
    "field",
    "old",
    "new",
    "workbook",
    "workbook_row",
    "status",
    "reason",
    "reason_code",
    "note",
];

/// One audit row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRow {
    /// The record key.
    pub record_key: String,
    /// The source path as given (empty when the record was not found).
    pub source: String,
    /// The source row (0 when not found).
    pub row: u32,
    /// The field name (empty for the whole record).
    pub field: String,
    /// The value before.
    pub old: String,
    /// The value asked for.
    pub new: String,
    /// The returned workbook.
    pub workbook: String,
    /// Its sheet row.
    pub workbook_row: u32,
    /// `applied`, `rejected` or `unchanged`.
    pub status: &'static str,
    /// Why, in plain words.
    pub reason: String,
    /// Why, as a code.
    pub reason_code: String,
    /// What the team wrote in `Ghi chú` on the returned row ("" for a deleted row).
    pub note: String,
}

/// Writes `rows` as audit.csv.
pub fn write(w: &mut impl Write, rows: &[AuditRow]) -> Result<()> {
    let mut csv = crate::output::excel_csv(w, &COLUMNS)?;
    for r in rows {
        let row = if r.row == 0 {
            String::new()
        } else {
            r.row.to_string()
        };
        let wrow = if r.workbook_row == 0 {
            String::new()
        } else {
            r.workbook_row.to_string()
        };
        csv.write_record([
            defuse(&r.record_key).as_ref(),
            defuse(&r.source).as_ref(),
            &row,
            &r.field,
            defuse(&r.old).as_ref(),
            defuse(&r.new).as_ref(),
            defuse(&r.workbook).as_ref(),
            &wrow,
            r.status,
            &r.reason,
            &r.reason_code,
            defuse(&r.note).as_ref(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_is_the_last_column_and_made_safe() {
        let row = AuditRow {
            record_key: "R1".into(),
            status: "unchanged",
            reason_code: "MOVED_AWAY".into(),
            note: "=chuyển vào Đà Nẵng từ 3/2022".into(),
            ..AuditRow::default()
        };
        let mut out = Vec::new();
        write(&mut out, &[row]).expect("written");
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert!(
            lines[0].ends_with(",reason,reason_code,note"),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[1],
            "R1,,,,,,,,unchanged,,MOVED_AWAY,'=chuyển vào Đà Nẵng từ 3/2022"
        );
    }
}
