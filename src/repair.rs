//! The certain fixes (`vaxclean repair`): the suggestions the rules are sure of — a lost leading
//! zero, separators in a number, a legacy-encoded name with one clear reading, the format of a
//! name, date or sex, an old or zero-less phone number ([`crate::rules::Code::certain`]) — made
//! without a person. A fix is made only when the rules find nothing wrong with the new value
//! itself; everything else is left for the lists. `apply-corrections` uses the same fixes for
//! the people the teams answered for.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use chrono::NaiveDate;

use serde::Serialize;

use crate::findings::{Finding, RowFindings, RowInfo, Severity};
use crate::i18n::Lang;
use crate::input::{Batch, InputError, InputFile, ReadOptions, SheetInfo, Sheets, Sink};
use crate::normalize::normalize_row;
use crate::normalize::places::Place;
use crate::output::audit::AuditRow;
use crate::output::export::key_from;
use crate::output::merged::{Edit, Edits};
use crate::pipeline::ReaderPool;
use crate::record::{Cell, Field, RawRecord, RowLoc};
use crate::rules::{self, Code, Columns, Detail, message};

/// One certain fix of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The field.
    pub field: Field,
    /// The cell as found.
    pub old: String,
    /// The value the rules are certain of.
    pub new: String,
    /// The rule that computed it.
    pub code: Code,
    /// What its message needs.
    pub detail: Detail,
}

/// The findings of the per-row rules on `raw` (no place: a place is never repaired).
fn findings_of(raw: &RawRecord<'_>, columns: Columns, today: NaiveDate) -> Vec<Finding> {
    let row = normalize_row(raw, today);
    let make = RowInfo::default;
    let mut found = Vec::new();
    let mut out = RowFindings::new(raw.loc, &make, &mut found);
    let columns = Columns {
        place: false,
        commune: false,
        ..columns
    };
    rules::check_row(&row, &Place::default(), columns, today, &mut out);
    found
}

/// The certain fixes of a row, one per field at most: a field whose certain findings disagree
/// on the value, or whose new value the rules still find wrong (an error, or another certain
/// fix), is left alone.
pub fn certain_fixes(raw: &RawRecord<'_>, columns: Columns, today: NaiveDate) -> Vec<Fix> {
    let found = findings_of(raw, columns, today);
    let mut fixes: Vec<Fix> = Vec::new();
    let mut torn: Vec<Field> = Vec::new();
    for f in found.iter().filter(|f| f.is_certain()) {
        let Some(field) = f.field else { continue };
        match fixes.iter().find(|x| x.field == field) {
            Some(x) if *x.new != *f.suggestion => torn.push(field),
            Some(_) => {}
            None => fixes.push(Fix {
                field,
                old: raw.get(field).display().trim().to_string(),
                new: f.suggestion.to_string(),
                code: f.code,
                detail: f.detail,
            }),
        }
    }
    fixes.retain(|x| !torn.contains(&x.field));
    if fixes.is_empty() {
        return fixes;
    }
    let mut cells = raw.cells.clone();
    for x in &fixes {
        cells[x.field.index()] = Cell::Text(Cow::Owned(x.new.clone()));
    }
    let repaired = RawRecord {
        loc: raw.loc,
        cells,
    };
    let after = findings_of(&repaired, columns, today);
    fixes.retain(|x| {
        !after.iter().any(|f| {
            f.field == Some(x.field) && (f.severity() == Severity::Error || f.is_certain())
        })
    });
    fixes
}

/// A fix made to a row of an input.
#[derive(Debug, Clone)]
pub struct Repaired {
    /// Where the row is.
    pub loc: RowLoc,
    /// The row's record id as written (may be empty).
    pub record_id: String,
    /// The column of the field in its sheet (or CSV record).
    pub col: usize,
    /// The fix.
    pub fix: Fix,
}

/// What reading the inputs gave.
#[derive(Debug, Default)]
pub struct Repairs {
    /// Every fix, in input, sheet and row order.
    pub fixes: Vec<Repaired>,
    /// The sheets read, by index.
    pub sheets: Vec<SheetInfo>,
    /// Rows read (not blank).
    pub rows: u64,
    /// Inputs that could not be read.
    pub errors: Vec<(usize, InputError)>,
}

impl Repairs {
    /// The edits per input, per sheet name ("" for CSV), per row, for the merged copies.
    pub fn edits(&self) -> Edits {
        let mut out = Edits::new();
        for r in &self.fixes {
            let sheet = self.sheet_name(r.loc.sheet).to_string();
            let edit = Edit {
                col: r.col,
                text: r.fix.new.clone(),
                date: None,
            };
            crate::output::merged::add(&mut out, r.loc, sheet, edit);
        }
        out
    }

    /// The name of sheet `i` ("" for CSV).
    pub fn sheet_name(&self, i: u32) -> &str {
        self.sheets.get(i as usize).map_or("", |s| s.name.as_str())
    }

    /// Rows with at least one fix.
    pub fn rows_fixed(&self) -> u64 {
        let mut n = 0;
        let mut last = None;
        for r in &self.fixes {
            if last != Some(r.loc) {
                n += 1;
                last = Some(r.loc);
            }
        }
        n
    }
}

impl Repairs {
    /// One audit.csv row per cell changed (status `repaired`), the reason in plain words.
    pub fn audit_rows(&self, files: &[InputFile], lang: Lang) -> Vec<AuditRow> {
        let names = crate::output::export::key_names(files);
        self.fixes
            .iter()
            .map(|r| {
                let source = files.get(r.loc.source as usize);
                let name = names.get(r.loc.source as usize).map_or("", String::as_str);
                AuditRow {
                    record_key: key_from(
                        &r.record_id,
                        name,
                        self.sheet_name(r.loc.sheet),
                        r.loc.row,
                    ),
                    source: source.map(|f| f.display.clone()).unwrap_or_default(),
                    row: r.loc.row,
                    field: r.fix.field.name().to_string(),
                    old: r.fix.old.clone(),
                    new: r.fix.new.clone(),
                    status: REPAIRED,
                    reason: message(r.fix.code, r.fix.detail, lang),
                    reason_code: r.fix.code.as_str().to_string(),
                    ..AuditRow::default()
                }
            })
            .collect()
    }

    /// The run in numbers, for summary.json and the terminal (counts only).
    pub fn summary(&self, files: &[InputFile], hashes: &[Option<String>]) -> RepairSummary {
        let mut by_code: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut by_field: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut per_file: Vec<u64> = vec![0; files.len()];
        for r in &self.fixes {
            *by_code.entry(r.fix.code.as_str()).or_insert(0) += 1;
            *by_field.entry(r.fix.field.name()).or_insert(0) += 1;
            if let Some(n) = per_file.get_mut(r.loc.source as usize) {
                *n += 1;
            }
        }
        RepairSummary {
            tool: "vaxclean",
            version: env!("CARGO_PKG_VERSION"),
            rows: self.rows,
            rows_repaired: self.rows_fixed(),
            cells_repaired: self.fixes.len() as u64,
            by_code,
            by_field,
            inputs: files
                .iter()
                .enumerate()
                .map(|(i, f)| RepairedInput {
                    path: f.display.clone(),
                    sha256: hashes.get(i).cloned().flatten().unwrap_or_default(),
                    cells_repaired: per_file.get(i).copied().unwrap_or(0),
                    readable: !self.errors.iter().any(|(j, _)| *j == i),
                })
                .collect(),
            dry_run: false,
        }
    }
}

/// The `status` of a certain fix in audit.csv.
pub const REPAIRED: &str = "repaired";

/// summary.json of `repair`.
#[derive(Debug, Clone, Serialize)]
pub struct RepairSummary {
    /// Always `vaxclean`.
    pub tool: &'static str,
    /// The tool's version.
    pub version: &'static str,
    /// Rows read (not blank).
    pub rows: u64,
    /// Rows with at least one cell changed.
    pub rows_repaired: u64,
    /// Cells changed.
    pub cells_repaired: u64,
    /// Cells changed per finding code.
    pub by_code: BTreeMap<&'static str, u64>,
    /// Cells changed per field.
    pub by_field: BTreeMap<&'static str, u64>,
    /// Each input: its path as given, SHA-256, cells changed, whether it could be read.
    pub inputs: Vec<RepairedInput>,
    /// Whether the merged copies were left unwritten (`--dry-run`).
    pub dry_run: bool,
}

/// One input of `repair` in summary.json.
#[derive(Debug, Clone, Serialize)]
pub struct RepairedInput {
    /// The path as given.
    pub path: String,
    /// Its SHA-256 (hex), when it could be read.
    pub sha256: String,
    /// Cells changed in it.
    pub cells_repaired: u64,
    /// Whether it could be read.
    pub readable: bool,
}

impl RepairSummary {
    /// The line the terminal shows.
    pub fn terminal(&self, lang: Lang) -> String {
        let n = |v: u64| lang.count(v);
        lang.pick(
            format!(
                "Đã sửa {} ô trên {} bản ghi (trong {} bản ghi đã đọc); những lỗi cần người xác minh vẫn để cho danh sách.",
                n(self.cells_repaired),
                n(self.rows_repaired),
                n(self.rows)
            ),
            format!(
                "Repaired {} cells in {} records (of {} read); errors that need a person are left for the lists.",
                n(self.cells_repaired),
                n(self.rows_repaired),
                n(self.rows)
            ),
        )
    }
}

struct RepairSink<'a> {
    today: NaiveDate,
    progress: &'a crate::progress::Progress,
    sheets: Sheets,
    found: Mutex<(Vec<Repaired>, u64)>,
}

impl Sink for RepairSink<'_> {
    fn sheet(&self, info: SheetInfo) -> u32 {
        self.sheets.add(info)
    }

    fn batch(&self, batch: Batch) -> bool {
        let ctx = &batch.ctx;
        let columns = Columns::new(|f| ctx.columns[f.index()].is_some());
        let mut fixes = Vec::new();
        let mut rows = 0u64;
        batch.for_each_row(|raw, rec| {
            if raw.cells.iter().all(Cell::is_blank) {
                return;
            }
            rows += 1;
            // A ragged CSV row's cells may not be under their headers: never touched.
            if rec.is_some_and(|r| crate::pipeline::is_ragged(r, ctx)) {
                return;
            }
            for fix in certain_fixes(raw, columns, self.today) {
                if let Some(col) = ctx.columns[fix.field.index()] {
                    fixes.push(Repaired {
                        loc: raw.loc,
                        record_id: raw.get(Field::RecordId).display().trim().to_string(),
                        col,
                        fix,
                    });
                }
            }
        });
        let mut found = self.found.lock().unwrap_or_else(PoisonError::into_inner);
        found.0.extend(fixes);
        found.1 += rows;
        true
    }

    fn recycled(&self) -> Option<Vec<u8>> {
        None
    }

    fn progress(&self, bytes: u64) {
        self.progress.inc(bytes);
    }

    fn sheet_skipped(&self, _source: u32, _sheet: &str) {}
}

/// Reads `files` (several at once, through the scan's reader pool) and finds every certain fix.
pub fn find(
    files: &[InputFile],
    read: &ReadOptions,
    today: NaiveDate,
    threads: usize,
    progress: &crate::progress::Progress,
) -> Repairs {
    let sink = RepairSink {
        today,
        progress,
        sheets: Sheets::default(),
        found: Mutex::new((Vec::new(), 0)),
    };
    let errors = ReaderPool::read_all(files, read, threads, &sink);
    let (mut fixes, rows) = sink
        .found
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    fixes.sort_by_key(|r| (r.loc, r.fix.field));
    Repairs {
        fixes,
        sheets: sink.sheets.into_vec(),
        rows,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::TODAY;

    fn row(cells: &[(Field, &'static str)]) -> RawRecord<'static> {
        let mut raw = RawRecord {
            loc: RowLoc::default(),
            cells: Default::default(),
        };
        for (f, v) in cells {
            raw.cells[f.index()] = Cell::Text(Cow::Borrowed(*v));
        }
        raw
    }

    fn fixes(cells: &[(Field, &'static str)]) -> Vec<(Field, String, Code)> {
        let all = Columns::new(|_| true);
        certain_fixes(&row(cells), all, TODAY)
            .into_iter()
            .map(|f| (f.field, f.new, f.code))
            .collect()
    }

    const PERSON: [(Field, &str); 4] = [
        (Field::FullName, "Nguyễn Văn An"),
        (Field::BirthDate, "15/02/1985"),
        (Field::Gender, "Nam"),
        (Field::Phone, "0912345678"),
    ];

    fn with(extra: &[(Field, &'static str)]) -> Vec<(Field, &'static str)> {
        let mut v: Vec<(Field, &'static str)> = PERSON
            .iter()
            .filter(|(f, _)| !extra.iter().any(|(g, _)| g == f))
            .copied()
            .collect();
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn a_clean_row_has_nothing_to_fix() {
        assert!(fixes(&with(&[(Field::IdNumber, "079085001234")])).is_empty());
    }

    #[test]
    fn certain_suggestions_are_fixes() {
        let got = fixes(&with(&[
            (Field::IdNumber, "79085001234"),
            (Field::FullName, "  nguyễn  văn an"),
            (Field::BirthDate, "1985-02-15"),
            (Field::Gender, "NAM"),
            (Field::Phone, "01662345678"),
        ]));
        let fields: Vec<Field> = got.iter().map(|g| g.0).collect();
        assert!(fields.contains(&Field::IdNumber), "{got:?}");
        assert!(got.contains(&(
            Field::IdNumber,
            "079085001234".into(),
            Code::IdLeadingZeroLost
        )));
        assert!(got.contains(&(Field::FullName, "Nguyễn Văn An".into(), Code::NameFormat)));
        assert!(got.contains(&(Field::BirthDate, "15/02/1985".into(), Code::DobFormat)));
        assert!(got.contains(&(Field::Gender, "Nam".into(), Code::GenderFormat)));
        assert!(got.contains(&(Field::Phone, "0362345678".into(), Code::PhoneOldFormat)));
    }

    #[test]
    fn what_needs_a_person_is_never_fixed() {
        // A CCCD that says the other sex: the number is well formed, the contradiction is for a
        // person; a missing number and an impossible date have no certain value.
        for id in ["079185001234", "", "12345"] {
            let got = fixes(&with(&[(Field::IdNumber, id)]));
            assert!(got.is_empty(), "{id}: {got:?}");
        }
        let got = fixes(&with(&[
            (Field::IdNumber, "079085001234"),
            (Field::BirthDate, "31/02/1985"),
        ]));
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_likely_name_reading_is_left_to_a_person() {
        // Half-retyped: "Hoàng" may be the word retyped in Unicode or VNI's Hồng. The finding
        // carries the likelier reading, but only a person may make it.
        let got = fixes(&with(&[
            (Field::IdNumber, "079085001234"),
            (Field::FullName, "Nguyễn Hoàng Huøng"),
        ]));
        assert!(got.is_empty(), "{got:?}");
        let got = fixes(&with(&[
            (Field::IdNumber, "079085001234"),
            (Field::FullName, "Buøi Văn Huøng"),
        ]));
        assert_eq!(
            got,
            [(Field::FullName, "Bùi Văn Hùng".into(), Code::NameEncoding)]
        );
    }

    #[test]
    fn a_contradiction_on_another_field_does_not_stop_a_certain_fix() {
        // The restored number says another birth year than the row's: the lost zero is certain,
        // the disagreement with the birth date is for a person (and stays a finding).
        let got = fixes(&with(&[(Field::IdNumber, "79090001234")]));
        assert_eq!(
            got,
            [(
                Field::IdNumber,
                "079090001234".into(),
                Code::IdLeadingZeroLost
            )]
        );
    }
}
