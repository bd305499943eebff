//! Phone numbers: +84 / 84 / 0084 read as a leading 0, separators and lost leading zeros undone,
//! 10-digit mobiles checked against the carriers' prefixes, 11-digit mobiles of before 2018
//! converted with the published table, 11-digit landlines (02…) accepted.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use crate::record::Cell;
use crate::reference;

/// What a phone cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneReading {
    /// Empty.
    Missing,
    /// A current mobile or landline number (digits only, leading 0).
    Valid(Arc<str>),
    /// An 11-digit mobile number of before the 2018 conversion; the 10-digit number it became.
    Old(Arc<str>),
    /// Not a Vietnamese phone number.
    Invalid,
}

static MOBILE: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    reference::mobile_prefixes()
        .iter()
        .map(|p| p.prefix.as_str())
        .collect()
});

static OLD_TO_NEW: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    reference::mobile_prefixes()
        .iter()
        .filter_map(|p| Some((p.old_prefix.as_deref()?, p.prefix.as_str())))
        .collect()
});

fn classify(d: &str) -> PhoneReading {
    let mobile = |d: &str| d.len() == 10 && MOBILE.iter().any(|p| d.starts_with(p));
    if mobile(d) || (d.len() == 11 && d.starts_with("02")) {
        return PhoneReading::Valid(d.into());
    }
    if d.len() == 11
        && let Some(new) = d.get(..4).and_then(|p| OLD_TO_NEW.get(p))
    {
        return PhoneReading::Old(format!("{new}{}", &d[4..]).into());
    }
    PhoneReading::Invalid
}

/// Reads a phone cell; with several numbers ("091… / 098…") the first one counts.
pub fn read_phone<S: AsRef<str>>(cell: &Cell<S>) -> PhoneReading {
    let text = match cell {
        Cell::Empty => return PhoneReading::Missing,
        Cell::Number(n) if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 => {
            // A number cell lost its leading zero.
            return classify(&format!("0{}", *n as u64));
        }
        Cell::Text(s) => s.as_ref(),
        _ => return PhoneReading::Invalid,
    };
    let first = text
        .split(['/', ',', ';'])
        .map(str::trim)
        .find(|p| !p.is_empty());
    let Some(first) = first else {
        return PhoneReading::Missing;
    };
    let (international, rest) = match first.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, first),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '.' | '-' | '(' | ')' | '\u{a0}' | '\'' => {}
            _ => return PhoneReading::Invalid,
        }
    }
    let national = if let Some(r) = digits.strip_prefix("0084") {
        format!("0{r}")
    } else if let Some(r) = digits
        .strip_prefix("84")
        .filter(|r| international || r.len() >= 9)
    {
        format!("0{r}")
    } else if international {
        return PhoneReading::Invalid;
    } else if !digits.starts_with('0') && (digits.len() == 9 || digits.len() == 10) {
        format!("0{digits}")
    } else {
        digits
    };
    classify(&national)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PhoneReading {
        read_phone(&Cell::Text(s))
    }

    #[test]
    fn mobiles_and_landlines() {
        let want = PhoneReading::Valid("0912345678".into());
        for s in [
            "0912345678",
            "091 234 5678",
            "0912.345.678",
            "+84 912 345 678",
            "84912345678",
            "0084912345678",
            "912345678",
        ] {
            assert_eq!(p(s), want, "{s}");
        }
        assert_eq!(read_phone(&Cell::<&str>::Number(912345678.0)), want);
        assert_eq!(p("02438223344"), PhoneReading::Valid("02438223344".into()));
        assert_eq!(p("0912345678 / 0987654321"), want);
    }

    #[test]
    fn old_numbers_are_converted() {
        assert_eq!(p("01662345678"), PhoneReading::Old("0362345678".into()));
        assert_eq!(p("0123 456 7890"), PhoneReading::Old("0834567890".into()));
        assert_eq!(p("+84 1992345678"), PhoneReading::Old("0592345678".into()));
        assert_eq!(
            read_phone(&Cell::<&str>::Number(1282345678.0)),
            PhoneReading::Old("0782345678".into())
        );
    }

    #[test]
    fn invalid_numbers() {
        for s in [
            "0112345678",
            "123",
            "09123456789",
            "abc",
            "0912-345-67x",
            "+1 202 555 0101",
            "0",
        ] {
            assert_eq!(p(s), PhoneReading::Invalid, "{s}");
        }
        assert_eq!(p(""), PhoneReading::Missing);
        assert_eq!(read_phone(&Cell::<&str>::Empty), PhoneReading::Missing);
    }
}
