//! Dose rules: `DOSE_DATE_INVALID` (not a date, before the campaign began on 08/03/2021, or in the
//! future) and the cross-record `DOSE_DUPLICATE` (the same person with the same dose number on two
//! rows, reported on every row involved).

use chrono::NaiveDate;

use crate::findings::{Finding, RowFindings};
use crate::normalize::NormalRow;
use crate::normalize::dates::DateReading;
use crate::record::Field;
use crate::rules::row_index::{Entry, Keyed, RowIndex, le_u32, le_u64};
use crate::rules::{Code, Detail};

/// The first day of the national vaccination campaign.
pub const CAMPAIGN_START: Option<NaiveDate> = NaiveDate::from_ymd_opt(2021, 3, 8);

/// Checks the dose date of `row`, when the file has a dose-date column.
pub fn check(row: &NormalRow<'_, '_>, today: NaiveDate, out: &mut RowFindings<'_>) {
    let f = Some(Field::DoseDate);
    let why = match row.dose_date {
        DateReading::Full { date, .. } if CAMPAIGN_START.is_some_and(|s| date < s) => {
            Some(Detail::BeforeCampaign)
        }
        DateReading::Full { date, .. } if date > today => Some(Detail::Future),
        DateReading::Full { .. } => None,
        _ => Some(Detail::NotADate),
    };
    if let Some(why) = why {
        let value = row.raw.get(Field::DoseDate).display();
        out.push(f, Code::DoseDateInvalid, &value, "", why);
    }
}

/// What is kept of a row with a dose number: its person and the dose.
///
/// Aligned to 4 bytes, not 8: its [`crate::rules::row_index::Entry`] is then 32 bytes, not
/// 40 (8 MB less for a million rows).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, packed(4))]
pub struct DoseEntry {
    person: u64,
    dose: u32,
}

impl Keyed for DoseEntry {
    /// Rows are grouped by person and dose.
    type Key = (u64, u32);

    fn key(e: &Entry<Self>) -> (u64, u32) {
        (e.data.person, e.data.dose)
    }

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.person.to_le_bytes());
        out.extend_from_slice(&self.dose.to_le_bytes());
    }

    fn get(b: &[u8]) -> Option<(Self, usize)> {
        let e = DoseEntry {
            person: le_u64(b, 0)?,
            dose: le_u32(b, 8)?,
        };
        Some((e, 12))
    }
}

/// Rows with a dose number, for `DOSE_DUPLICATE`.
pub type DoseIndex = RowIndex<DoseEntry>;

/// Notes `row` of `person` (a key that is the same for every row of one person).
pub fn add(index: &mut DoseIndex, row: &NormalRow<'_, '_>, person: u64, unit: u32) {
    if let Some(dose) = row.dose_number {
        index.push(DoseEntry { person, dose }, row.raw, unit, Field::DoseNumber);
    }
}

/// Every row of a dose recorded more than once for one person. The findings' record ids are left
/// empty for [`crate::rules::record_id::RecordIds::fill`]. An `Err` is the index's temporary file failing.
pub fn duplicates<'u>(
    mut index: DoseIndex,
    unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
) -> std::io::Result<Vec<(u32, Finding)>> {
    index.findings(
        |group| group.first().map(|e| Detail::Dose(e.data.dose)),
        Code::DoseDuplicate,
        unit,
        |_, _| String::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{TODAY, run};

    #[test]
    fn dose_dates() {
        let codes = |s: &str| run(&[(Field::DoseDate, s)], |r, o| check(r, TODAY, o));
        assert!(codes("08/03/2021").is_empty());
        assert!(codes("2022-01-15").is_empty());
        assert_eq!(
            codes("07/03/2021"),
            [(Code::DoseDateInvalid, String::new())]
        );
        assert_eq!(
            codes("01/01/2027"),
            [(Code::DoseDateInvalid, String::new())]
        );
        assert_eq!(codes("chưa tiêm"), [(Code::DoseDateInvalid, String::new())]);
        assert_eq!(codes(""), [(Code::DoseDateInvalid, String::new())]);
    }
}
