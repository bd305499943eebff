//! Normalise stage: pure functions that turn raw cells into canonical values, one file per field
//! family. They never fail: a value that cannot be understood is reported as such, and the rules
//! turn that into findings. [`NormalRow`] holds what every rule of a row needs, computed once.

pub mod dates;
pub mod digits;
pub mod gender;
pub mod identifiers;
pub mod names;
pub mod phones;
pub mod places;
pub mod text;
pub mod units2025;

use chrono::{Datelike, NaiveDate};

use crate::record::{Cell, CellRef, Field, RawRecord};
use dates::DateReading;
use gender::GenderReading;
use identifiers::IdReading;
use names::NameReading;
use phones::PhoneReading;

/// A row with its fields read once, for all rules.
#[derive(Debug)]
pub struct NormalRow<'r, 'a> {
    /// The row as found.
    pub raw: &'r RawRecord<'a>,
    /// The full name.
    pub name: NameReading,
    /// The ID number.
    pub id: IdReading,
    /// The birth date.
    pub birth: DateReading,
    /// The sex.
    pub gender: GenderReading,
    /// The phone number.
    pub phone: PhoneReading,
    /// The dose date.
    pub dose_date: DateReading,
    /// The dose number, when it reads as one.
    pub dose_number: Option<u32>,
}

/// The person fields of a row: the same on every dose row of one person.
#[derive(Debug, Clone)]
struct PersonFields {
    name: NameReading,
    id: IdReading,
    birth: DateReading,
    gender: GenderReading,
    phone: PhoneReading,
}

fn person_fields(raw: &RawRecord<'_>, today: NaiveDate) -> PersonFields {
    PersonFields {
        name: match raw.get(Field::FullName) {
            Cell::Text(t) => names::read_name(t),
            Cell::Empty => NameReading::Missing,
            _ => NameReading::InvalidChars,
        },
        id: identifiers::read_id(raw.get(Field::IdNumber), today.year()),
        birth: dates::read_date(raw.get(Field::BirthDate), today),
        gender: gender::read_gender(raw.get(Field::Gender)),
        phone: phones::read_phone(raw.get(Field::Phone)),
    }
}

/// A dose number: a whole number cell, or text such as "2" or "Mũi 2".
pub fn read_dose_number(cell: &CellRef<'_>) -> Option<u32> {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 100.0 => Some(*n as u32),
        Cell::Text(t) => {
            // The digits of the text, without building a string: "Mũi 2" → 2.
            let mut n: Option<u32> = None;
            for b in t.bytes().filter(u8::is_ascii_digit) {
                n = Some(
                    n.unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(u32::from(b - b'0')),
                );
            }
            n.filter(|n| *n < 100)
        }
        _ => None,
    }
}

fn assemble<'r, 'a>(
    raw: &'r RawRecord<'a>,
    p: PersonFields,
    today: NaiveDate,
) -> NormalRow<'r, 'a> {
    NormalRow {
        raw,
        name: p.name,
        id: p.id,
        birth: p.birth,
        gender: p.gender,
        phone: p.phone,
        dose_date: dates::read_date(raw.get(Field::DoseDate), today),
        dose_number: read_dose_number(raw.get(Field::DoseNumber)),
    }
}

/// Reads the fields of `raw`. `today` bounds birth years and dates.
pub fn normalize_row<'r, 'a>(raw: &'r RawRecord<'a>, today: NaiveDate) -> NormalRow<'r, 'a> {
    assemble(raw, person_fields(raw, today), today)
}

/// The person fields a [`PersonCache`] compares.
const PERSON_FIELDS: [Field; 5] = [
    Field::FullName,
    Field::IdNumber,
    Field::BirthDate,
    Field::Gender,
    Field::Phone,
];

/// Remembers the previous row's person fields and how they read: the doses of one person are
/// usually adjacent in a dump, so most rows reuse the previous reading instead of parsing again.
#[derive(Debug, Default)]
pub struct PersonCache {
    cells: [Cell<String>; 5],
    fields: Option<PersonFields>,
    name_key: u64,
}

fn same(a: &CellRef<'_>, b: &Cell<String>) -> bool {
    match (a, b) {
        (Cell::Text(x), Cell::Text(y)) => x.as_ref() == y.as_str(),
        (Cell::Empty, Cell::Empty) | (Cell::Error, Cell::Error) => true,
        (Cell::Number(x), Cell::Number(y)) => x.to_bits() == y.to_bits(),
        (Cell::Date(x), Cell::Date(y)) => x == y,
        (Cell::Bool(x), Cell::Bool(y)) => x == y,
        _ => false,
    }
}

fn keep(slot: &mut Cell<String>, c: &CellRef<'_>) {
    match (slot, c) {
        (Cell::Text(kept), Cell::Text(new)) => {
            kept.clear();
            kept.push_str(new);
        }
        (slot, c) => *slot = c.map_text(|t| t.to_string()),
    }
}

impl PersonCache {
    /// Reads `raw` (as [`normalize_row`] does), the [`text::fold_hash`] of its name, and whether
    /// its person fields are those of the row read before it (the reading was reused).
    pub fn read<'r, 'a>(
        &mut self,
        raw: &'r RawRecord<'a>,
        today: NaiveDate,
    ) -> (NormalRow<'r, 'a>, u64, bool) {
        let hit = self.fields.is_some()
            && PERSON_FIELDS
                .iter()
                .zip(&self.cells)
                .all(|(f, kept)| same(raw.get(*f), kept));
        if hit && let Some(fields) = &self.fields {
            return (assemble(raw, fields.clone(), today), self.name_key, true);
        }
        let fields = person_fields(raw, today);
        for (f, slot) in PERSON_FIELDS.iter().zip(self.cells.iter_mut()) {
            keep(slot, raw.get(*f));
        }
        self.fields = Some(fields.clone());
        self.name_key = raw.get(Field::FullName).text().map_or(0, text::fold_hash);
        (assemble(raw, fields, today), self.name_key, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RowLoc;
    use std::borrow::Cow;

    fn raw(name: &'static str, id: &'static str) -> RawRecord<'static> {
        let mut cells: [CellRef<'static>; crate::record::FIELD_COUNT] = Default::default();
        cells[Field::FullName.index()] = Cell::Text(Cow::Borrowed(name));
        cells[Field::IdNumber.index()] = Cell::Text(Cow::Borrowed(id));
        RawRecord {
            loc: RowLoc::default(),
            cells,
        }
    }

    #[test]
    fn dose_numbers() {
        let t = |s: &'static str| read_dose_number(&Cell::Text(Cow::Borrowed(s)));
        assert_eq!(t("2"), Some(2));
        assert_eq!(t("Mũi 3"), Some(3));
        assert_eq!(t("mũi thứ 12"), Some(12));
        assert_eq!(t("x"), None);
        assert_eq!(t("100"), None);
        assert_eq!(t("99999999999999"), None);
        assert_eq!(read_dose_number(&Cell::Number(4.0)), Some(4));
        assert_eq!(read_dose_number(&Cell::Number(1.5)), None);
    }

    #[test]
    fn the_cache_gives_what_a_fresh_reading_gives() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let mut cache = PersonCache::default();
        for r in [
            raw("Nguyễn Văn An", "079090001234"),
            raw("Nguyễn Văn An", "079090001234"),
            raw("Nguyễn Văn An", "79090001234"),
            raw("Lê Thị Bình", "79090001234"),
            raw("Lê Thị Bình", ""),
        ] {
            let (row, key, _) = cache.read(&r, today);
            let fresh = normalize_row(&r, today);
            assert_eq!(row.id, fresh.id);
            assert_eq!(row.birth, fresh.birth);
            assert_eq!(row.gender, fresh.gender);
            assert_eq!(row.name, fresh.name);
            assert_eq!(row.phone, fresh.phone);
            assert_eq!(row.dose_number, fresh.dose_number);
            assert_eq!(
                key,
                text::fold_hash(r.get(Field::FullName).text().unwrap_or(""))
            );
        }
    }
}
