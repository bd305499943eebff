//! Birth-date rules: `DOB_MISSING`, `DOB_INVALID`, `DOB_OUT_OF_RANGE` (in the future, more than
//! 120 years ago, after the dose date), `DOB_YEAR_ONLY`, `DOB_FORMAT` (a valid date written another
//! way, with dd/mm/yyyy as the suggestion) and `DOB_UNDER_FIVE` (an age the campaign did not
//! vaccinate). The CCCD's birth year is checked by the ID rules (`ID_BIRTH_YEAR_MISMATCH`).

use chrono::{Datelike, NaiveDate};

use crate::findings::RowFindings;
use crate::normalize::NormalRow;
use crate::normalize::dates::{DateForm, DateReading, format_date};
use crate::record::Field;
use crate::rules::{Code, Detail};

/// Whole years from `birth` to `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Checks the birth date of `row`; `today` is the run's date.
pub fn check(row: &NormalRow<'_, '_>, today: NaiveDate, out: &mut RowFindings<'_>) {
    let f = Some(Field::BirthDate);
    let value = row.raw.get(Field::BirthDate).display();
    let oldest = today.year() - 120;
    match row.birth {
        DateReading::Missing => out.push(f, Code::DobMissing, &value, "", Detail::None),
        DateReading::Invalid => out.push(f, Code::DobInvalid, &value, "", Detail::None),
        DateReading::YearOnly(y) if y > today.year() => {
            out.push(f, Code::DobOutOfRange, &value, "", Detail::Future)
        }
        DateReading::YearOnly(y) if y < oldest => {
            out.push(f, Code::DobOutOfRange, &value, "", Detail::TooOld)
        }
        DateReading::YearOnly(_) => out.push(f, Code::DobYearOnly, &value, "", Detail::None),
        DateReading::Full { date, form } => {
            let dose = row.dose_date.date();
            let range = if date > today {
                Some(Detail::Future)
            } else if date.year() < oldest {
                Some(Detail::TooOld)
            } else if dose.is_some_and(|d| date > d) {
                Some(Detail::AfterDose)
            } else {
                None
            };
            if let Some(why) = range {
                out.push(f, Code::DobOutOfRange, &value, "", why);
                return;
            }
            if form != DateForm::Standard {
                out.push(f, Code::DobFormat, &value, &format_date(date), Detail::None);
            }
            if dose.is_some_and(|d| age_on(date, d) < 5) {
                out.push(f, Code::DobUnderFive, &value, "", Detail::None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{TODAY, run};

    fn codes(dob: &str, dose: &str) -> Vec<(Code, String)> {
        run(
            &[(Field::BirthDate, dob), (Field::DoseDate, dose)],
            |r, o| check(r, TODAY, o),
        )
    }

    #[test]
    fn birth_date_rules() {
        assert!(codes("15/02/1985", "01/08/2021").is_empty());
        // (birth date, dose date, the code of the one finding, the suggestion).
        for (dob, dose, code, suggestion) in [
            ("", "", Code::DobMissing, ""),
            ("31/02/1985", "", Code::DobInvalid, ""),
            ("1985", "", Code::DobYearOnly, ""),
            ("1985-02-15", "", Code::DobFormat, "15/02/1985"),
            ("31093", "", Code::DobFormat, "15/02/1985"),
            ("02/15/1985", "", Code::DobFormat, "15/02/1985"),
            ("15/02/2030", "", Code::DobOutOfRange, ""),
            ("15/02/1890", "", Code::DobOutOfRange, ""),
            ("15/02/2021", "01/01/2021", Code::DobOutOfRange, ""),
            ("15/02/2019", "01/08/2022", Code::DobUnderFive, ""),
        ] {
            let want = [(code, suggestion.to_string())];
            assert_eq!(codes(dob, dose), want, "{dob:?} {dose:?}");
        }
        assert!(codes("15/02/2017", "01/08/2022").is_empty());
    }

    #[test]
    fn ages() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(age_on(d(2000, 5, 10), d(2021, 5, 9)), 20);
        assert_eq!(age_on(d(2000, 5, 10), d(2021, 5, 10)), 21);
    }
}
