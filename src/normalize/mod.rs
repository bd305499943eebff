//! Normalise stage: pure functions that turn raw cells into canonical values, one file per field
//! family. They never fail: a value that cannot be understood is reported as such, and the rules
//! turn that into findings. [`NormalRow`] holds what every rule of a row needs, computed once.

pub mod dates;
pub mod gender;
pub mod identifiers;
pub mod text;

use chrono::{Datelike, NaiveDate};

use crate::record::{Field, RawRecord};
use dates::DateReading;
use gender::GenderReading;
use identifiers::IdReading;

/// A row with its key fields read once, for all rules.
#[derive(Debug)]
pub struct NormalRow<'r, 'a> {
    /// The row as found.
    pub raw: &'r RawRecord<'a>,
    /// The ID number.
    pub id: IdReading,
    /// The birth date.
    pub birth: DateReading,
    /// The sex.
    pub gender: GenderReading,
}

/// Reads the key fields of `raw`. `today` bounds birth years and dates.
pub fn normalize_row<'r, 'a>(raw: &'r RawRecord<'a>, today: NaiveDate) -> NormalRow<'r, 'a> {
    NormalRow {
        raw,
        id: identifiers::read_id(raw.get(Field::IdNumber), today.year()),
        birth: dates::read_date(raw.get(Field::BirthDate), today),
        gender: gender::read_gender(raw.get(Field::Gender)),
    }
}
