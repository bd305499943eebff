//! Phone numbers: +84 / 84 / 0084 read as a leading 0, separators and lost leading zeros undone,
//! 10-digit mobiles checked against the carriers' prefixes, 11-digit mobiles of before 2018
//! converted with the published table, 11-digit landlines (02…) accepted.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::normalize::digits::Digits;
use crate::record::Cell;
use crate::reference;

/// A phone number as the platform wants it: 10 or 11 digits, leading 0. Kept inline (no
/// allocation: every row has one).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PhoneNum(Digits<11>);

impl PhoneNum {
    /// `d` when it is 10 or 11 ASCII digits.
    fn new(d: &[u8]) -> Option<PhoneNum> {
        if !(10..=11).contains(&d.len()) {
            return None;
        }
        Digits::new(d).map(PhoneNum)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for PhoneNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for PhoneNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// What a phone cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneReading {
    /// Empty.
    Missing,
    /// A current mobile or landline number (digits only, leading 0).
    Valid(PhoneNum),
    /// An 11-digit mobile number of before the 2018 conversion; the 10-digit number it became.
    Old(PhoneNum),
    /// A text cell holding a mobile number without its leading 0 ("912345678"): the platform
    /// keeps the text as written, so it is wrong there; the 10-digit number.
    ZeroLost(PhoneNum),
    /// Not a Vietnamese phone number.
    Invalid,
}

/// Whether a 3-digit prefix ("032") is a current mobile prefix, by its value.
static MOBILE: LazyLock<[bool; 1000]> = LazyLock::new(|| {
    let mut table = [false; 1000];
    for p in reference::mobile_prefixes() {
        if let Ok(n) = p.prefix.parse::<usize>()
            && p.prefix.len() == 3
            && let Some(slot) = table.get_mut(n)
        {
            *slot = true;
        }
    }
    table
});

static OLD_TO_NEW: LazyLock<HashMap<&'static [u8], &'static [u8]>> = LazyLock::new(|| {
    reference::mobile_prefixes()
        .iter()
        .filter_map(|p| Some((p.old_prefix.as_deref()?.as_bytes(), p.prefix.as_bytes())))
        .collect()
});

/// The value of three ASCII digits.
fn three(d: &[u8]) -> usize {
    d.iter()
        .take(3)
        .fold(0, |n, b| n * 10 + usize::from(b.wrapping_sub(b'0')))
}

/// Reads national digits (leading 0).
fn classify(d: &[u8]) -> PhoneReading {
    let mobile = d.len() == 10 && MOBILE.get(three(d)).copied().unwrap_or(false);
    if mobile || (d.len() == 11 && d.starts_with(b"02")) {
        return PhoneNum::new(d).map_or(PhoneReading::Invalid, PhoneReading::Valid);
    }
    if d.len() == 11
        && let Some(new) = d.get(..4).and_then(|p| OLD_TO_NEW.get(p))
    {
        let mut converted = [0u8; 11];
        let (head, tail) = (new.len(), d.len() - 4);
        if head + tail <= converted.len() {
            converted[..head].copy_from_slice(new);
            converted[head..head + tail].copy_from_slice(&d[4..]);
            if let Some(n) = PhoneNum::new(&converted[..head + tail]) {
                return PhoneReading::Old(n);
            }
        }
    }
    PhoneReading::Invalid
}

/// Longest run of digits that can still be a number: "0084" and 11 digits.
const MAX_DIGITS: usize = 15;

/// Reads a phone cell; with several numbers ("091… / 098…") the first one counts.
pub fn read_phone<S: AsRef<str>>(cell: &Cell<S>) -> PhoneReading {
    let text = match cell {
        Cell::Empty => return PhoneReading::Missing,
        Cell::Number(n) if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 => {
            // A number cell lost its leading zero.
            return classify(format!("0{}", *n as u64).as_bytes());
        }
        Cell::Text(s) => s.as_ref(),
        _ => return PhoneReading::Invalid,
    };
    // Digits past MAX_DIGITS make no number; they are still scanned for a character that
    // makes the cell invalid all the same.
    let mut buf = [0u8; MAX_DIGITS + 1];
    let (international, digits) = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Most cells: nothing but the digits, read as the loop below reads them.
        if text.len() > MAX_DIGITS {
            return PhoneReading::Invalid;
        }
        (false, text.as_bytes())
    } else {
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
        let mut len = 0usize;
        for c in rest.chars() {
            match c {
                '0'..='9' => {
                    if let Some(slot) = buf.get_mut(len) {
                        *slot = c as u8;
                    }
                    len += 1;
                }
                ' ' | '.' | '-' | '(' | ')' | '\u{a0}' | '\'' => {}
                _ => return PhoneReading::Invalid,
            }
        }
        if len > MAX_DIGITS {
            return PhoneReading::Invalid;
        }
        (international, &buf[..len])
    };
    // The national form: a leading 0 in place of 0084 / 84, or where it was lost.
    let mut national = [0u8; MAX_DIGITS + 1];
    let put = |rest: &[u8], out: &mut [u8; MAX_DIGITS + 1]| {
        out[0] = b'0';
        out[1..=rest.len()].copy_from_slice(rest);
        rest.len() + 1
    };
    let n = if let Some(r) = digits.strip_prefix(b"0084") {
        put(r, &mut national)
    } else if let Some(r) = digits
        .strip_prefix(b"84")
        .filter(|r| international || r.len() >= 9)
    {
        put(r, &mut national)
    } else if international {
        return PhoneReading::Invalid;
    } else if !digits.starts_with(b"0") && (digits.len() == 9 || digits.len() == 10) {
        let n = put(digits, &mut national);
        // Nine digits of a mobile: the text lost the 0 (a number cell's loss is Excel's, and
        // the platform reads the number right).
        return match classify(&national[..n]) {
            PhoneReading::Valid(p) if n == 10 => PhoneReading::ZeroLost(p),
            other => other,
        };
    } else {
        national[..digits.len()].copy_from_slice(digits);
        digits.len()
    };
    classify(&national[..n])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> PhoneReading {
        read_phone(&Cell::Text(s))
    }

    fn valid(d: &str) -> PhoneReading {
        PhoneReading::Valid(PhoneNum::new(d.as_bytes()).expect("10 or 11 digits"))
    }

    fn old(d: &str) -> PhoneReading {
        PhoneReading::Old(PhoneNum::new(d.as_bytes()).expect("10 or 11 digits"))
    }

    /// The rules written plainly, with strings: what the reader above must agree with.
    fn oracle(text: &str) -> Option<(bool, String)> {
        let first = text
            .split(['/', ',', ';'])
            .map(str::trim)
            .find(|p| !p.is_empty())?;
        let (international, rest) = match first.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, first),
        };
        let mut digits = String::new();
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' | '\u{a0}' | '\'' => {}
                _ => return Some((false, String::new())),
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
            return Some((false, String::new()));
        } else if !digits.starts_with('0') && (digits.len() == 9 || digits.len() == 10) {
            format!("0{digits}")
        } else {
            digits
        };
        let mobile = national.len() == 10
            && reference::mobile_prefixes()
                .iter()
                .any(|p| national.starts_with(&p.prefix));
        if mobile || (national.len() == 11 && national.starts_with("02")) {
            return Some((true, national));
        }
        let old = reference::mobile_prefixes().iter().find(|p| {
            national.len() == 11
                && p.old_prefix
                    .as_deref()
                    .is_some_and(|o| national.starts_with(o))
        });
        match old {
            Some(p) => Some((true, format!("{}{}", p.prefix, &national[4..]))),
            None => Some((false, String::new())),
        }
    }

    proptest! {
        #[test]
        fn reads_as_the_plain_rules_do(
            text in "[+]?[0-9 .()'-]{0,20}([/,;][0-9 ]{0,12})?",
            prefix in prop::sample::select(vec!["", "0", "84", "+84", "0084", "09", "016", "02", "03"]),
        ) {
            let text = format!("{prefix}{text}");
            let got = match p(&text) {
                PhoneReading::Missing => None,
                PhoneReading::Invalid => Some((false, String::new())),
                PhoneReading::Valid(n) | PhoneReading::Old(n) | PhoneReading::ZeroLost(n) => {
                    Some((true, n.to_string()))
                }
            };
            prop_assert_eq!(got, oracle(&text), "{}", text);
        }

        #[test]
        fn any_text_reads_without_panicking(text in "\\PC{0,40}") {
            let _ = p(&text);
        }
    }

    #[test]
    fn mobiles_and_landlines() {
        let want = valid("0912345678");
        for s in [
            "0912345678",
            "091 234 5678",
            "0912.345.678",
            "+84 912 345 678",
            "84912345678",
            "0084912345678",
        ] {
            assert_eq!(p(s), want, "{s}");
        }
        assert_eq!(read_phone(&Cell::<&str>::Number(912345678.0)), want);
        // A text cell without the 0 is held wrong by the platform (issue 20).
        let lost = PhoneReading::ZeroLost(PhoneNum::new(b"0912345678").expect("10 digits"));
        assert_eq!(p("912345678"), lost);
        assert_eq!(p("912 345 678"), lost);
        // A landline without its 0 is read as before.
        assert_eq!(p("2438223344"), valid("02438223344"));
        // Nine digits that are no mobile even with the 0: invalid.
        assert_eq!(p("112345678"), PhoneReading::Invalid);
        assert_eq!(p("02438223344"), valid("02438223344"));
        assert_eq!(p("0912345678 / 0987654321"), want);
    }

    #[test]
    fn old_numbers_are_converted() {
        assert_eq!(p("01662345678"), old("0362345678"));
        assert_eq!(p("0123 456 7890"), old("0834567890"));
        assert_eq!(p("+84 1992345678"), old("0592345678"));
        assert_eq!(
            read_phone(&Cell::<&str>::Number(1282345678.0)),
            old("0782345678")
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
