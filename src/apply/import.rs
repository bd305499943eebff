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
        let columns = self.index.columns.get(&row.loc.sheet);
        let has = |f: Field| columns.is_none_or(|c| c[f.index()].is_some());
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
                ..Columns::new(has)
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
