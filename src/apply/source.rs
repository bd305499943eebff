//! The sources, read once to find the records the returned lists speak of: by record key, by the
//! values the list showed, by the values it asks for (already applied), and the records that
//! already hold a number the lists want to give. Only those rows are kept, whatever the size of
//! the dump.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::sync::{Mutex, PoisonError};

use chrono::NaiveDate;

use crate::input::{Batch, InputError, InputFile, ReadOptions, SheetInfo, Sheets, Sink};
use crate::normalize::dates::read_date;
use crate::pipeline::ReaderPool;
use crate::record::{Cell, FIELD_COUNT, Field, RawRecord, RowLoc, trim};
use crate::util::StableHasher;

/// Hash of the shown person fields (name, birth date, sex, ID number, phone) as text.
pub fn values_hash<S: AsRef<str>>(values: &[S]) -> u64 {
    let mut h = StableHasher::default();
    for v in values {
        h.write(trim(v.as_ref()).as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

/// Hash of a platform record id.
pub fn record_id_hash(id: &str) -> u64 {
    let mut h = StableHasher::default();
    h.write(b"id\xff");
    h.write(id.trim().as_bytes());
    h.finish()
}

/// Hash of a record's place: file name (not its folder, so a copy elsewhere still matches),
/// sheet and row.
pub fn position_hash(source: &str, sheet: &str, row: u32) -> u64 {
    // Either separator: a list exported on Windows may be applied on Linux.
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let mut h = StableHasher::default();
    h.write(b"pos\xff");
    h.write(name.as_bytes());
    h.write_u8(0xff);
    h.write(sheet.as_bytes());
    h.write_u8(0xff);
    h.write_u32(row);
    h.finish()
}

/// The hashes a record key may stand for: a record id, or `source:row` / `source:sheet:row`.
pub fn key_hashes(key: &str) -> Vec<u64> {
    let mut out = vec![record_id_hash(key)];
    if let Some((rest, row)) = key.rsplit_once(':')
        && let Ok(row) = row.trim().parse::<u32>()
    {
        out.push(position_hash(rest, "", row));
        if let Some((path, sheet)) = rest.rsplit_once(':') {
            out.push(position_hash(path, sheet, row));
        }
    }
    out
}

/// What to keep.
#[derive(Debug, Default)]
pub struct Wanted {
    /// Key hashes ([`key_hashes`]).
    pub keys: HashSet<u64>,
    /// Value hashes ([`values_hash`]).
    pub values: HashSet<u64>,
    /// ID numbers (digits).
    pub ids: HashSet<String>,
}

/// A kept row of a source.
#[derive(Debug, Clone)]
pub struct SourceRow {
    /// Where it is.
    pub loc: RowLoc,
    /// Every canonical field as text (trimmed; dates dd/mm/yyyy).
    pub cells: [String; FIELD_COUNT],
    /// [`values_hash`] of its shown fields.
    pub values: u64,
    /// Hash of its written place.
    pub unit: u64,
    /// Its province, district and commune as written (text cells only, as the scan reads them).
    pub place: [String; 3],
    /// Whether its sheet has a district column (without one it may be written in 2025 units).
    pub district_column: bool,
    /// Its dose date, when readable.
    pub dose_date: Option<NaiveDate>,
    /// Whether the birth date cell is a date cell (a workbook's).
    pub birth_is_date: bool,
}

impl SourceRow {
    /// The text of a field.
    pub fn get(&self, f: Field) -> &str {
        &self.cells[f.index()]
    }
}

/// The rows kept and how to find them.
#[derive(Debug, Default)]
pub struct SourceIndex {
    /// The rows.
    pub rows: Vec<SourceRow>,
    /// Rows by key hash.
    pub by_key: HashMap<u64, Vec<usize>>,
    /// Rows by value hash.
    pub by_values: HashMap<u64, Vec<usize>>,
    /// Rows by ID number digits.
    pub by_id: HashMap<String, Vec<usize>>,
    /// The sheets read, by index.
    pub sheets: Vec<SheetInfo>,
    /// The column of each field, per sheet.
    pub columns: HashMap<u32, [Option<usize>; FIELD_COUNT]>,
    /// Inputs that could not be read.
    pub errors: Vec<(usize, InputError)>,
    /// The inputs' names as given, by index.
    pub sources: Vec<String>,
}

struct IndexSink<'a> {
    wanted: &'a Wanted,
    /// The run's date (dates with two-digit years).
    today: NaiveDate,
    files: &'a [InputFile],
    sheets: Sheets,
    kept: Mutex<SourceIndex>,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl IndexSink<'_> {
    fn row(
        &self,
        raw: &RawRecord<'_>,
        sheet_name: &str,
        source: &str,
        today: NaiveDate,
        district_column: bool,
    ) -> Option<SourceRow> {
        if raw.cells.iter().all(Cell::is_blank) {
            return None;
        }
        let text = |f: Field| trim(&raw.get(f).display()).to_string();
        let shown = crate::record::shown::Shown::from_fn(&text);
        let values = values_hash(&shown.as_array());
        let rid = text(Field::RecordId);
        let by_key = (!rid.is_empty() && self.wanted.keys.contains(&record_id_hash(&rid)))
            || self
                .wanted
                .keys
                .contains(&position_hash(source, sheet_name, raw.loc.row));
        let by_values = self.wanted.values.contains(&values);
        let by_id = !self.wanted.ids.is_empty() && self.wanted.ids.contains(&digits(&shown.id));
        if !(by_key || by_values || by_id) {
            return None;
        }
        let mut h = StableHasher::default();
        for f in [Field::Province, Field::District, Field::Commune] {
            h.write(text(f).to_lowercase().as_bytes());
            h.write_u8(0xff);
        }
        Some(SourceRow {
            loc: raw.loc,
            cells: std::array::from_fn(|i| trim(&raw.cells[i].display()).to_string()),
            values,
            unit: h.finish(),
            place: [Field::Province, Field::District, Field::Commune]
                .map(|f| raw.get(f).text().unwrap_or("").to_string()),
            district_column,
            dose_date: read_date(raw.get(Field::DoseDate), today).date(),
            birth_is_date: matches!(raw.get(Field::BirthDate), Cell::Date(_)),
        })
    }
}

impl Sink for IndexSink<'_> {
    fn sheet(&self, info: SheetInfo) -> u32 {
        self.sheets.add(info)
    }

    fn batch(&self, batch: Batch) -> bool {
        let ctx = &batch.ctx;
        let sheet_name = self.sheets.name(ctx.sheet);
        let source = self
            .files
            .get(ctx.source as usize)
            .map_or("", |f| f.display.as_str());
        let today = self.today;
        let mut kept = Vec::new();
        let district = ctx.columns[Field::District.index()].is_some();
        batch.for_each_row(|raw, _| {
            kept.extend(self.row(raw, &sheet_name, source, today, district));
        });
        let mut index = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        index.columns.entry(ctx.sheet).or_insert(ctx.columns);
        index.rows.extend(kept);
        true
    }

    fn recycled(&self) -> Option<Vec<u8>> {
        None
    }

    fn progress(&self, _bytes: u64) {}

    fn sheet_skipped(&self, _source: u32, _sheet: &str) {}
}

/// Reads `files` (several at once, through the scan's [`ReaderPool`]) and keeps the rows `wanted` asks for.
pub fn index(
    files: &[InputFile],
    read: &ReadOptions,
    wanted: &Wanted,
    today: NaiveDate,
    threads: usize,
) -> SourceIndex {
    let sink = IndexSink {
        wanted,
        today,
        files,
        sheets: Sheets::default(),
        kept: Mutex::new(SourceIndex::default()),
    };
    let errors = ReaderPool::read_all(files, read, threads, &sink);
    let mut index = sink
        .kept
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    index.sheets = sink.sheets.into_vec();
    index.errors = errors;
    index.sources = files.iter().map(|f| f.display.clone()).collect();
    index.rows.sort_by_key(|r| r.loc);
    let sheet_name = |s: u32| {
        index
            .sheets
            .get(s as usize)
            .map_or(String::new(), |x| x.name.clone())
    };
    let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut by_values: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in index.rows.iter().enumerate() {
        let rid = r.get(Field::RecordId);
        if !rid.is_empty() {
            by_key.entry(record_id_hash(rid)).or_default().push(i);
        }
        let source = files
            .get(r.loc.source as usize)
            .map_or("", |f| f.display.as_str());
        by_key
            .entry(position_hash(source, &sheet_name(r.loc.sheet), r.loc.row))
            .or_default()
            .push(i);
        by_values.entry(r.values).or_default().push(i);
        let d = digits(r.get(Field::IdNumber));
        if wanted.ids.contains(&d) {
            by_id.entry(d).or_default().push(i);
        }
    }
    index.by_key = by_key;
    index.by_values = by_values;
    index.by_id = by_id;
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stand_for_ids_and_places() {
        let ks = key_hashes("VX0001");
        assert_eq!(ks, vec![record_id_hash("VX0001")]);
        let ks = key_hashes("dumps/a.csv:12");
        assert!(ks.contains(&position_hash("a.csv", "", 12)));
        assert!(ks.contains(&position_hash("other/dir/a.csv", "", 12)));
        let ks = key_hashes("C:\\data\\b.xlsx:Danh sach:7");
        assert!(ks.contains(&position_hash("b.xlsx", "Danh sach", 7)));
        assert!(!ks.contains(&position_hash("b.xlsx", "Danh sach", 8)));
    }

    #[test]
    fn value_hashes_ignore_surrounding_spaces() {
        assert_eq!(values_hash(&["A ", "1"]), values_hash(&["A", " 1"]));
        assert_ne!(values_hash(&["A", "1"]), values_hash(&["A1", ""]));
    }
}
