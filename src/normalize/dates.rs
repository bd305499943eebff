//! Dates as officers type them: Excel date cells, Excel serials (as numbers or text), dd/mm/yyyy
//! and its variants (d/m/yy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, ddmmyyyy), a year alone, and
//! month-first dates where they cannot be read day-first.

use chrono::{Datelike, Days, NaiveDate};

use crate::record::Cell;

/// How a readable date was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    /// A date cell, or dd/mm/yyyy (one-digit day and month allowed).
    Standard,
    /// Another day-first form: dashes, dots, two-digit year, ISO yyyy-mm-dd, ddmmyyyy.
    Variant,
    /// Month first (only recognised when the day is over 12).
    MonthFirst,
    /// An Excel serial number, in a number cell or typed as text.
    Serial,
}

/// What a date cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateReading {
    /// Empty.
    Missing,
    /// A real calendar date.
    Full {
        /// The date.
        date: NaiveDate,
        /// How it was written.
        form: DateForm,
    },
    /// Only a year.
    YearOnly(i32),
    /// Not a date, or an impossible one (31/02).
    Invalid,
}

impl DateReading {
    /// The year, when one could be read.
    pub fn year(self) -> Option<i32> {
        match self {
            DateReading::Full { date, .. } => Some(date.year()),
            DateReading::YearOnly(y) => Some(y),
            _ => None,
        }
    }

    /// The full date, when there is one.
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            DateReading::Full { date, .. } => Some(date),
            _ => None,
        }
    }
}

/// Formats a date as the platform wants it: dd/mm/yyyy.
pub fn format_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// The date of an Excel serial (1900 date system, with its phantom 29/02/1900).
pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as u64;
    let base = if days >= 61 {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    };
    base.checked_add_days(Days::new(days))
}

/// Reads a date cell. `today` decides the century of two-digit years (never in the future).
pub fn read_date<S: AsRef<str>>(cell: &Cell<S>, today: NaiveDate) -> DateReading {
    match cell {
        Cell::Empty => DateReading::Missing,
        Cell::Date(d) => DateReading::Full {
            date: *d,
            form: DateForm::Standard,
        },
        Cell::Number(n) => serial(*n),
        Cell::Text(s) => read_text(s.as_ref(), today),
        Cell::Bool(_) | Cell::Error => DateReading::Invalid,
    }
}

fn serial(n: f64) -> DateReading {
    // Serials below 1900-03-01 are too old to be birth or dose dates anyway.
    match from_excel_serial(n) {
        Some(date) if n >= 61.0 => DateReading::Full {
            date,
            form: DateForm::Serial,
        },
        _ => DateReading::Invalid,
    }
}

fn full(y: i32, m: u32, d: u32, form: DateForm) -> DateReading {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => DateReading::Full { date, form },
        None => DateReading::Invalid,
    }
}

fn read_text(raw: &str, today: NaiveDate) -> DateReading {
    // Most cells are exactly dd/mm/yyyy: read at fixed places, as the general reading would.
    if let [d1, d2, b'/', m1, m2, b'/', y1, y2, y3, y4] = *raw.as_bytes()
        && [d1, d2, m1, m2, y1, y2, y3, y4]
            .iter()
            .all(u8::is_ascii_digit)
    {
        let n = |digits: &[u8]| {
            digits
                .iter()
                .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
        };
        let (day, month, year) = (n(&[d1, d2]), n(&[m1, m2]), n(&[y1, y2, y3, y4]));
        if month > 12 && day <= 12 {
            return full(year as i32, day, month, DateForm::MonthFirst);
        }
        return full(year as i32, month, day, DateForm::Standard);
    }
    read_text_general(raw, today)
}

fn read_text_general(raw: &str, today: NaiveDate) -> DateReading {
    let s = raw.trim();
    if s.is_empty() {
        return DateReading::Missing;
    }
    // A timestamp's time part ("15/02/1985 00:00:00", "1985-02-15T00:00:00") is dropped.
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    let b = s.as_bytes();
    if b.iter().all(u8::is_ascii_digit) {
        return match b.len() {
            4 => match s.parse::<i32>() {
                Ok(y) if (1850..=today.year()).contains(&y) => DateReading::YearOnly(y),
                _ => DateReading::Invalid,
            },
            5 => s.parse::<f64>().map_or(DateReading::Invalid, serial),
            8 => {
                let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
                match (num(0..2), num(2..4), num(4..8)) {
                    (Some(d), Some(m), Some(y)) => full(y as i32, m, d, DateForm::Variant),
                    _ => DateReading::Invalid,
                }
            }
            _ => DateReading::Invalid,
        };
    }
    let sep = match b.iter().find(|c| !c.is_ascii_digit()) {
        Some(&c @ (b'/' | b'-' | b'.')) => c as char,
        _ => return DateReading::Invalid,
    };
    let mut parts = s.split(sep);
    let (Some(a), Some(m), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return DateReading::Invalid;
    };
    let num = |p: &str| {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|x| x.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let (Some(x), Some(y), Some(z)) = (num(a), num(m), num(c)) else {
        return DateReading::Invalid;
    };
    if a.len() == 4 {
        // yyyy-mm-dd
        return full(x as i32, y, z, DateForm::Variant);
    }
    if a.len() > 2 || m.len() > 2 {
        return DateReading::Invalid;
    }
    let (year, two_digit) = match c.len() {
        4 => (z as i32, false),
        2 => {
            let this = today.year() % 100;
            let century = if (z as i32) <= this {
                today.year() - this
            } else {
                today.year() - this - 100
            };
            (century + z as i32, true)
        }
        _ => return DateReading::Invalid,
    };
    let form = if sep == '/' && !two_digit {
        DateForm::Standard
    } else {
        DateForm::Variant
    };
    if y > 12 && x <= 12 {
        // Cannot be day-first: month-first, unambiguous.
        return full(year, x, y, DateForm::MonthFirst);
    }
    full(year, y, x, form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_dd_mm_yyyy_shortcut_reads_as_the_general_reading(s in "[0-9]{2}/[0-9]{2}/[0-9]{4}") {
            prop_assert_eq!(read_text(&s, today()), read_text_general(&s, today()));
        }

        #[test]
        fn any_text_reads_without_panic(s in "\\PC{0,24}") {
            let _ = read_date(&Cell::Text(s.as_str()), today());
        }

        #[test]
        fn written_dates_read_back(days in 0u64..60_000) {
            let date = d(1900, 3, 1).checked_add_days(Days::new(days)).unwrap_or_default();
            let text = format_date(date);
            prop_assert_eq!(t(&text), DateReading::Full { date, form: DateForm::Standard });
            let iso = date.format("%Y-%m-%d").to_string();
            prop_assert_eq!(t(&iso).date(), Some(date));
        }

        #[test]
        fn serials_agree_with_date_cells(serial in 61u32..80_000) {
            let from_number = read_date(&Cell::<&str>::Number(f64::from(serial)), today()).date();
            let from_text = t(&serial.to_string()).date();
            prop_assert_eq!(from_number, from_excel_serial(f64::from(serial)));
            if serial >= 10_000 {
                prop_assert_eq!(from_text, from_number);
            }
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn t(s: &str) -> DateReading {
        read_date(&Cell::Text(s), today())
    }

    #[test]
    fn day_first_forms() {
        let want = |form| DateReading::Full {
            date: d(1985, 2, 15),
            form,
        };
        assert_eq!(t("15/02/1985"), want(DateForm::Standard));
        assert_eq!(t("15/2/1985"), want(DateForm::Standard));
        assert_eq!(t("15-02-1985"), want(DateForm::Variant));
        assert_eq!(t("15.02.1985"), want(DateForm::Variant));
        assert_eq!(t("15/02/85"), want(DateForm::Variant));
        assert_eq!(t("1985-02-15"), want(DateForm::Variant));
        assert_eq!(t("15021985"), want(DateForm::Variant));
        assert_eq!(t("15/02/1985 00:00:00"), want(DateForm::Standard));
        assert_eq!(t("02/15/1985"), want(DateForm::MonthFirst));
        // Both parts ≤ 12: read day-first.
        assert_eq!(
            t("03/02/1985"),
            DateReading::Full {
                date: d(1985, 2, 3),
                form: DateForm::Standard
            }
        );
    }

    #[test]
    fn two_digit_years_are_never_in_the_future() {
        assert_eq!(t("01/01/26").year(), Some(2026));
        assert_eq!(t("01/01/27").year(), Some(1927));
    }

    #[test]
    fn serials_and_years() {
        assert_eq!(from_excel_serial(31093.0), Some(d(1985, 2, 15)));
        assert_eq!(from_excel_serial(44263.0), Some(d(2021, 3, 8)));
        assert_eq!(
            t("31093"),
            DateReading::Full {
                date: d(1985, 2, 15),
                form: DateForm::Serial
            }
        );
        assert_eq!(
            read_date(&Cell::<&str>::Number(31093.0), today()),
            DateReading::Full {
                date: d(1985, 2, 15),
                form: DateForm::Serial
            }
        );
        assert_eq!(t("1985"), DateReading::YearOnly(1985));
        assert_eq!(t("2999"), DateReading::Invalid);
    }

    #[test]
    fn impossible_and_garbage() {
        for s in ["31/02/1985", "abc", "1/2/3/4", "13/13/1985"] {
            assert_eq!(t(s), DateReading::Invalid, "{s}");
        }
        assert_eq!(t(""), DateReading::Missing);
        assert_eq!(format_date(d(1985, 2, 3)), "03/02/1985");
    }
}
