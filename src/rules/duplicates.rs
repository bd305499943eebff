//! `ID_DUPLICATE_CONFLICT`: the same number on different people, across every input of the run.
//! Each row with a readable number leaves a small entry (number, name and birth-date keys, where
//! it is); once all inputs are read, the entries are sorted by number and every row of a number
//! that carries more than one person is reported. The result does not depend on the order in which
//! batches arrived.

use std::sync::Arc;

use chrono::Datelike;

use crate::findings::{Finding, RowInfo};
use crate::normalize::NormalRow;
use crate::normalize::dates::DateReading;
use crate::record::{Field, RowLoc};
use crate::rules::{Code, Detail};

/// Separates the texts of one entry in the arena.
const SEP: char = '\u{1f}';

/// One row that carries a readable ID number.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    /// Hash of the folded name; 0 when there is no name.
    name: u64,
    /// year << 9 | day of year (0 when only the year is known); 0 when unknown.
    birth: u32,
    loc: RowLoc,
    /// The row's unit (province, district, commune), numbered by the caller.
    unit: u32,
    /// The row's texts (record id, value) in the arena.
    start: u32,
    len: u32,
}

/// Entries of rows with a readable number, with their texts in one arena (no allocation per row).
#[derive(Debug, Default)]
pub struct IdIndex {
    entries: Vec<Entry>,
    arena: String,
}

/// A birth date as a number: year << 9 | day of year (0 when only the year is known); 0 when
/// unknown.
pub fn birth_key(b: DateReading) -> u32 {
    match b {
        DateReading::Full { date, .. } => ((date.year().max(0) as u32) << 9) | date.ordinal(),
        DateReading::YearOnly(y) => (y.max(0) as u32) << 9,
        _ => 0,
    }
}

impl IdIndex {
    /// Notes `row` if it has a readable number. `name_key` is the
    /// [`crate::normalize::text::fold_hash`] of its name, `unit` the number of its unit.
    pub fn add(&mut self, row: &NormalRow<'_, '_>, name_key: u64, unit: u32) {
        let Some(id) = row.id.number() else {
            return;
        };
        let start = self.arena.len() as u32;
        let raw = row.raw;
        for (i, f) in [Field::RecordId, Field::IdNumber].into_iter().enumerate() {
            if i > 0 {
                self.arena.push(SEP);
            }
            let text = raw.get(f).display();
            if text.bytes().any(|b| b == SEP as u8) {
                // The separator cannot appear inside a text.
                self.arena.extend(text.chars().filter(|&c| c != SEP));
            } else {
                self.arena.push_str(&text);
            }
        }
        self.entries.push(Entry {
            key: id.key(),
            name: name_key,
            birth: birth_key(row.birth),
            loc: raw.loc,
            unit,
            start,
            len: self.arena.len() as u32 - start,
        });
    }

    /// Adds every entry of `other`, whose unit `u` is unit `units[u]` here.
    pub fn append(&mut self, other: IdIndex, units: &[u32]) {
        let shift = self.arena.len() as u32;
        self.arena.push_str(&other.arena);
        self.entries.extend(other.entries.into_iter().map(|mut e| {
            e.start += shift;
            e.unit = units.get(e.unit as usize).copied().unwrap_or(e.unit);
            e
        }));
    }

    /// How many rows are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no row is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reports every row of every number carried by more than one person, with the row's unit.
    /// `unit(u)` gives the province, district and commune of unit `u`.
    pub fn conflicts<'u>(
        mut self,
        unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
    ) -> Vec<(u32, Finding)> {
        use rayon::slice::ParallelSliceMut;
        // Grouping needs the key only: the findings are sorted again by the caller.
        self.entries.par_sort_unstable_by_key(|e| e.key);
        let mut out = Vec::new();
        for group in self.entries.chunk_by(|a, b| a.key == b.key) {
            if group.len() < 2 {
                continue;
            }
            let people = distinct_people(group);
            if people < 2 {
                continue;
            }
            for e in group {
                let text = self
                    .arena
                    .get(e.start as usize..(e.start + e.len) as usize)
                    .unwrap_or("");
                let (record_id, value) = text.split_once(SEP).unwrap_or((text, ""));
                let (province, district, commune) = unit(e.unit);
                let info = RowInfo {
                    record_id: record_id.into(),
                    province: province.into(),
                    district: district.into(),
                    commune: commune.into(),
                };
                out.push((
                    e.unit,
                    Finding {
                        loc: e.loc,
                        row: Arc::new(info),
                        field: Some(Field::IdNumber),
                        code: Code::IdDuplicateConflict,
                        value: value.into(),
                        suggestion: "".into(),
                        detail: Detail::People(people),
                    },
                ));
            }
        }
        out
    }
}

/// How many different people a group of rows with one number holds: different names, or birth
/// dates that cannot be the same day.
fn distinct_people(group: &[Entry]) -> u32 {
    let mut names: Vec<u64> = group.iter().map(|e| e.name).filter(|&n| n != 0).collect();
    names.sort_unstable();
    names.dedup();
    let mut years: Vec<u32> = group
        .iter()
        .filter(|e| e.birth != 0)
        .map(|e| e.birth >> 9)
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut days: Vec<u32> = group
        .iter()
        .filter(|e| e.birth & 0x1ff != 0)
        .map(|e| e.birth)
        .collect();
    days.sort_unstable();
    days.dedup();
    let births = years.len().max(days.len());
    names.len().max(births).max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_row;
    use crate::normalize::text::fold_hash;
    use crate::record::{Cell, RawRecord};
    use chrono::NaiveDate;
    use std::borrow::Cow;

    fn add(index: &mut IdIndex, row: u32, id: &str, name: &str, dob: &str) {
        let mut cells: [Cell<Cow<str>>; 16] = Default::default();
        cells[Field::IdNumber.index()] = Cell::Text(Cow::Borrowed(id));
        cells[Field::FullName.index()] = Cell::Text(Cow::Borrowed(name));
        cells[Field::BirthDate.index()] = Cell::Text(Cow::Borrowed(dob));
        cells[Field::RecordId.index()] = Cell::Text(Cow::Owned(format!("R{row}")));
        let raw = RawRecord {
            loc: RowLoc {
                source: 0,
                sheet: 0,
                row,
            },
            cells,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        index.add(&normalize_row(&raw, today), fold_hash(name), row % 2);
    }

    fn places(u: u32) -> (&'static str, &'static str, &'static str) {
        if u == 0 {
            ("P0", "D0", "C0")
        } else {
            ("P1", "D1", "C1")
        }
    }

    #[test]
    fn same_person_many_doses_is_no_conflict() {
        let mut ix = IdIndex::default();
        add(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990");
        add(&mut ix, 3, "079090001234", "NGUYEN VAN AN", "01/02/1990");
        add(&mut ix, 4, "79090001234", "Nguyễn Văn An", "1990");
        add(&mut ix, 5, "079090001234", "", "");
        assert!(ix.conflicts(places).is_empty());
    }

    #[test]
    fn different_people_are_all_reported() {
        let mut ix = IdIndex::default();
        add(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990");
        add(&mut ix, 3, "079090001234", "Nguyễn Văn An", "01/02/1990");
        add(&mut ix, 7, "079090001234", "Trần Thị Bình", "05/06/1990");
        add(&mut ix, 9, "079190001235", "Lê Văn C", "05/06/1990");
        let mut found: Vec<Finding> = ix.conflicts(places).into_iter().map(|(_, f)| f).collect();
        found.sort_by_key(|f| f.loc);
        let rows: Vec<u32> = found.iter().map(|f| f.loc.row).collect();
        assert_eq!(rows, [2, 3, 7]);
        assert_eq!(&*found[2].row.record_id, "R7");
        assert_eq!(&*found[2].row.commune, "C1");
        assert_eq!(&*found[0].row.commune, "C0");
        assert_eq!(&*found[2].value, "079090001234");
        assert_eq!(found[0].detail, Detail::People(2));
    }

    #[test]
    fn same_name_other_birth_date_conflicts() {
        let mut ix = IdIndex::default();
        add(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990");
        add(&mut ix, 3, "079090001234", "Nguyễn Văn An", "02/02/1990");
        assert_eq!(ix.conflicts(places).len(), 2);
    }

    #[test]
    fn merging_indexes_keeps_texts() {
        let mut a = IdIndex::default();
        let mut b = IdIndex::default();
        add(&mut a, 2, "079090001234", "A B", "01/02/1990");
        add(&mut b, 3, "079090001234", "C D", "01/02/1990");
        a.append(b, &[0, 1]);
        assert_eq!(a.len(), 2);
        let mut found = a.conflicts(places);
        found.sort_by_key(|(_, f)| f.loc);
        assert_eq!(&*found[1].1.row.record_id, "R3");
        assert_eq!(found[1].0, 1);
    }
}
