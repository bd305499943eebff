//! The platform re-import file of `apply-corrections` (`import/nhap-lai.xlsx`,
//! docs/apply-corrections.md), built from one [`Applied`] value: the records that had no valid ID
//! number and have one now, every field as text, each record that the scan's rules still find
//! errors on flagged with those errors in plain Vietnamese, so that it is not imported unseen.

use chrono::NaiveDate;

use super::outputs::Applied;
use super::source::SourceRow;
use super::{Decision, Outcome};
use crate::findings::{RowFindings, RowInfo, Severity};
use crate::i18n::Lang;
use crate::normalize::identifiers::{IdReading, read_id};
use crate::normalize::normalize_row;
use crate::output::verification::ImportRow;
use crate::record::{Cell, CellRef, FIELD_COUNT, Field, RawRecord, RowLoc};
use crate::rules::{Columns, message};

impl Applied {
    /// Records that had no valid ID number and have one now, as the import file's rows.
    pub fn import_rows(&self, today: NaiveDate) -> Vec<ImportRow> {
        let mut out = Vec::new();
        for d in &self.decisions {
            if !self.imported(d, today) {
                continue;
            }
            for &i in &d.matched {
                let row = &self.index.rows[i];
                let mut cells: [String; 16] = row.cells.clone();
                cells[Field::RecordId.index()] = self.key_of(row);
                for (f, fix) in d.fixes.iter() {
                    if let Some(v) = fix {
                        cells[f.index()] = v.clone();
                    }
                }
                let remaining = self.remaining_errors(row, &cells, today);
                out.push(ImportRow { cells, remaining });
            }
        }
        out
    }

    /// Whether a decision gave a valid number to records that had none.
    fn imported(&self, d: &Decision, today: NaiveDate) -> bool {
        if d.outcome != Outcome::Applied || d.fixes.id.is_none() {
            return false;
        }
        let Some(r) = self.returned_row(d) else {
            return false;
        };
        // A number Excel damaged (lost zeros) is no valid number on the platform either.
        let before = Cell::Text(r.shown().id.to_string());
        let year = chrono::Datelike::year(&today);
        !matches!(read_id(&before, year), IdReading::Valid { .. })
    }

    /// The errors the scan's own-row rules still find on a record as it will be imported (the
    /// columns its sheet has; its place is not judged here), one message per line.
    fn remaining_errors(&self, row: &SourceRow, cells: &[String; 16], today: NaiveDate) -> String {
        // The columns of the record's sheet (unknown: the person's own fields only).
        let columns = self
            .index
            .columns
            .get(&row.loc.sheet)
            .map_or(Columns::PERSON, |c| {
                Columns::new(|f| c[f.index()].is_some())
            });
        let mut refs: [CellRef<'_>; FIELD_COUNT] = Default::default();
        for (i, v) in cells.iter().enumerate() {
            if !v.trim().is_empty() {
                refs[i] = Cell::Text(v.as_str().into());
            }
        }
        if let Some(d) = row.dose_date {
            refs[Field::DoseDate.index()] = Cell::Date(d);
        }
        let raw = RawRecord {
            loc: RowLoc::default(),
            cells: refs,
        };
        let normal = normalize_row(&raw, today);
        let mut findings = Vec::new();
        {
            let make = RowInfo::default;
            let mut found = RowFindings::new(raw.loc, &make, &mut findings);
            let columns = Columns {
                place: false,
                commune: false,
                district: false,
                ..columns
            };
            let nowhere = crate::normalize::places::Place::default();
            crate::rules::check_row(&normal, &nowhere, columns, today, &mut found);
        }
        findings.sort_by_key(|f| (f.field, f.code));
        let mut lines: Vec<String> = findings
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .map(|f| message(f.code, f.detail, Lang::Vi))
            .collect();
        lines.dedup();
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use crate::apply::tests::{book, decided, returned_row, src_row, today};
    use crate::i18n::Lang;
    use crate::record::Field;

    #[test]
    fn a_record_given_a_number_but_still_wrong_is_flagged() {
        let fine = ["Lê Văn An", "05/03/1985", "Nam", "", "0912345678"];
        let bad_birth = ["Trần Thị Bình", "31/02/1990", "Nữ", "", "0987654321"];
        let rows = vec![src_row("R1", fine, 1, 2), src_row("R2", bad_birth, 1, 3)];
        let books = vec![book(vec![
            returned_row(&["R1"], fine, ["", "", "", "025431876", ""], "Đã sửa"),
            returned_row(&["R2"], bad_birth, ["", "", "", "025431877", ""], "Đã sửa"),
        ])];
        let (applied, _) = decided(books, rows);
        let import = applied.import_rows(today());
        let got: Vec<(&str, &str, &str)> = import
            .iter()
            .map(|r| {
                (
                    r.cells[Field::RecordId.index()].as_str(),
                    r.cells[Field::IdNumber.index()].as_str(),
                    r.remaining.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("R1", "025431876", ""),
                (
                    "R2",
                    "025431877",
                    crate::rules::message(
                        crate::rules::Code::DobInvalid,
                        crate::rules::Detail::None,
                        Lang::Vi
                    )
                    .as_str()
                ),
            ]
        );
    }
}
