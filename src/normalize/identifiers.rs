//! CCCD / CMND numbers: reads what Excel and typists do to them (lost leading zeros, numbers,
//! scientific notation, separators, placeholders) and says what the number is, or why it is not
//! one. The real structure is checked: digits 1-3 a province or country code, digit 4 century and
//! sex, digits 5-6 the birth year. There is no check digit.

use std::fmt;

use crate::normalize::digits::Digits;
use crate::normalize::gender::Gender;
use crate::record::Cell;
use crate::reference;

/// A well-formed 9-digit CMND or 12-digit CCCD, leading zeros included.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNum(Digits<12>);

/// Which kind of number an [`IdNum`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// 9-digit identity card (CMND), no year or sex inside.
    Cmnd9,
    /// 12-digit citizen card (CCCD) or 12-digit CMND, same structure.
    Cccd12,
}

impl IdNum {
    fn from_digits(d: &[u8]) -> Option<IdNum> {
        if !(d.len() == 9 || d.len() == 12) {
            return None;
        }
        Digits::new(d).map(IdNum)
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The digits as bytes (no UTF-8 check: a comparison with a cell needs none).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// CMND or CCCD.
    pub fn kind(&self) -> IdKind {
        if self.0.len() == 12 {
            IdKind::Cccd12
        } else {
            IdKind::Cmnd9
        }
    }

    /// The number as an integer key (leading zeros are kept apart by the length bit: see
    /// [`key_digits`]).
    pub fn key(&self) -> u64 {
        let v = self
            .0
            .as_bytes()
            .iter()
            .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
        v | if self.0.len() == 12 { TWELVE } else { 0 }
    }

    fn digit(&self, i: usize) -> u16 {
        u16::from(self.0.digit(i))
    }

    /// Digits 1-3 of a CCCD: the province or country code.
    pub fn place_code(&self) -> Option<u16> {
        (self.kind() == IdKind::Cccd12)
            .then(|| self.digit(0) * 100 + self.digit(1) * 10 + self.digit(2))
    }

    /// The birth year written in a CCCD's digits 4-6.
    pub fn birth_year(&self) -> Option<i32> {
        (self.kind() == IdKind::Cccd12).then(|| {
            1900 + 100 * i32::from(self.digit(3) / 2)
                + i32::from(self.digit(4) * 10 + self.digit(5))
        })
    }

    /// The sex written in a CCCD's digit 4 (even male, odd female).
    pub fn sex(&self) -> Option<Gender> {
        (self.kind() == IdKind::Cccd12).then(|| {
            if self.digit(3).is_multiple_of(2) {
                Gender::Male
            } else {
                Gender::Female
            }
        })
    }
}

impl fmt::Debug for IdNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNum({})", self.as_str())
    }
}

impl fmt::Display for IdNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value is not a number of the right form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatProblem {
    /// Letters or symbols other than separators.
    Characters,
    /// This many digits, and no repair gives 9 or 12.
    Length(usize),
    /// 12 digits whose digits 4-6 give this birth year, in the future.
    ImpossibleYear(i32),
    /// Scientific notation that still holds every digit; the number is the suggestion.
    Scientific,
}

/// What an ID cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdReading {
    /// Empty, or a word meaning "none".
    Missing,
    /// A well-formed number; `separators` says it was written with spaces, dots or the like.
    Valid {
        /// The number.
        id: IdNum,
        /// Whether separators had to be removed.
        separators: bool,
    },
    /// Excel dropped one or two leading zeros; `id` is the restored number.
    LeadingZeroLost {
        /// The restored number.
        id: IdNum,
    },
    /// Scientific notation or a number cell that lost digits: nothing can be recovered.
    PrecisionLost,
    /// Obviously not a real number: one digit repeated, 123456789…
    Placeholder,
    /// 12 digits whose first three are neither a province nor a country code.
    ProvinceCode {
        /// The three-digit code found.
        code: u16,
    },
    /// 9 digits whose first two no province ever issued a CMND with (`00`, `39`..`99`).
    CmndPrefix {
        /// The first two digits.
        group: u16,
    },
    /// Not a number of the right form.
    Format {
        /// What is wrong.
        problem: FormatProblem,
        /// The number, when the problem still let it be read (scientific notation with all digits).
        repaired: Option<IdNum>,
    },
}

/// The length bit of [`IdNum::key`]: set for a 12-digit number.
pub const TWELVE: u64 = 1 << 63;

/// What a finding shows of a number kept as its key alone: `kept` (the cell as written) when
/// there is one, else the digits of `key` (the cell was exactly them; 0 is no number).
pub fn key_shown(key: u64, kept: &str) -> std::borrow::Cow<'_, str> {
    if kept.is_empty() && key != 0 {
        std::borrow::Cow::Owned(key_digits(key))
    } else {
        std::borrow::Cow::Borrowed(kept)
    }
}

/// The digits of the number whose [`IdNum::key`] is `key`.
pub fn key_digits(key: u64) -> String {
    if key & TWELVE != 0 {
        format!("{:012}", key & !TWELVE)
    } else {
        format!("{key:09}")
    }
}

impl IdReading {
    /// The number to use for cross-checks (sex, birth year, duplicates), when there is one.
    pub fn number(&self) -> Option<IdNum> {
        match self {
            IdReading::Valid { id, .. } | IdReading::LeadingZeroLost { id } => Some(*id),
            IdReading::Format {
                repaired: Some(id), ..
            } => Some(*id),
            _ => None,
        }
    }

    /// Whether `cell`, which this was read from, is exactly a valid number's digits: the
    /// number's key ([`IdNum::key`]) then says all the cell says ([`key_digits`]).
    pub fn is_written_as_digits(&self, cell: Option<&str>) -> bool {
        match self {
            IdReading::Valid {
                id,
                separators: false,
            } => cell.is_some_and(|c| c.as_bytes() == id.as_bytes()),
            _ => false,
        }
    }
}

/// Words that people type in an ID column to say there is no number.
const NONE_WORDS: &[&str] = &[
    "khong",
    "khong co",
    "chua co",
    "ko",
    "k",
    "kco",
    "x",
    "na",
    "n a",
    "null",
    "none",
    "nil",
    "chua",
    "chua cap",
    "khong nho",
];

/// Why a run of digits is not a well-formed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitsProblem {
    /// Obviously made up.
    Placeholder,
    /// Wrong number of digits.
    Length,
    /// A 12-digit number with an unknown place code.
    ProvinceCode(u16),
    /// A 9-digit number whose first two digits no province issued.
    CmndPrefix(u16),
    /// A 12-digit number whose birth year (given) is after `max_year`.
    ImpossibleYear(i32),
}

/// Checks a run of ASCII digits as an ID: 9 digits whose first two some province issued, or 12
/// with a province code or a code of the country table and a birth year no later than
/// `max_year`. This is the test every suggested repair must pass.
pub fn validate_digits(d: &str, max_year: i32) -> Result<IdNum, DigitsProblem> {
    if is_placeholder(d) {
        return Err(DigitsProblem::Placeholder);
    }
    let id = IdNum::from_digits(d.as_bytes()).ok_or(DigitsProblem::Length)?;
    if let Some(code) = id.place_code() {
        // Born abroad: only the codes of the circular's country table (101-295).
        if !reference::is_province_code(code) && !reference::is_country_code(code) {
            return Err(DigitsProblem::ProvinceCode(code));
        }
    } else {
        let group = id.digit(0) * 10 + id.digit(1);
        if !reference::is_cmnd9_group(group) {
            return Err(DigitsProblem::CmndPrefix(group));
        }
    }
    if let Some(y) = id.birth_year().filter(|y| *y > max_year) {
        return Err(DigitsProblem::ImpossibleYear(y));
    }
    Ok(id)
}

/// One digit repeated, or a run like 123456… / 987654… of six digits or more.
pub fn is_placeholder(d: &str) -> bool {
    let b = d.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if b.iter().all(|&c| c == first) {
        return true;
    }
    if b.len() < 6 {
        return false;
    }
    let step = |up: bool| {
        b.windows(2).all(|w| {
            let (x, y) = (w[0] - b'0', w[1] - b'0');
            if up {
                (x + 1) % 10 == y
            } else {
                (y + 1) % 10 == x
            }
        })
    };
    step(true) || step(false)
}

/// Reads an ID cell. `max_year` is the latest birth year a real number can carry (this year).
pub fn read_id<S: AsRef<str>>(cell: &Cell<S>, max_year: i32) -> IdReading {
    match cell {
        Cell::Empty => IdReading::Missing,
        Cell::Text(s) => read_text(s.as_ref(), max_year),
        Cell::Number(n) => read_number(*n, max_year),
        Cell::Date(_) | Cell::Bool(_) | Cell::Error => IdReading::Format {
            problem: FormatProblem::Characters,
            repaired: None,
        },
    }
}

fn read_number(n: f64, max_year: i32) -> IdReading {
    if !n.is_finite() || n < 0.0 || n.fract() != 0.0 {
        return IdReading::Format {
            problem: FormatProblem::Characters,
            repaired: None,
        };
    }
    if n >= 1e15 {
        // Past 15 significant digits Excel keeps only the first fifteen.
        return IdReading::PrecisionLost;
    }
    let digits = format!("{}", n as u64);
    classify_digits(&digits, false, max_year)
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{2007}' | '\u{202f}' | '.' | '-' | '_' | ',' | '/' | '\t'
    )
}

fn read_text(raw: &str, max_year: i32) -> IdReading {
    // Most cells are nothing but the digits: what the reading below makes of them.
    if !raw.is_empty() && raw.len() <= 24 && raw.bytes().all(|b| b.is_ascii_digit()) {
        return classify_digits(raw, false, max_year);
    }
    let s = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}');
    if s.is_empty() {
        return IdReading::Missing;
    }
    // A leading apostrophe is Excel's "keep as text" mark, typed or exported.
    let (s, quoted) = match s.strip_prefix(['\'', '’', '`']) {
        Some(rest) => (rest.trim(), true),
        None => (s, false),
    };
    if s.is_empty() {
        return IdReading::Missing;
    }
    if let Some(reading) = read_scientific(s, max_year) {
        return reading;
    }
    // "079123456789.0": a number printed by a tool that kept the float.
    if let Some((int, frac)) = s.split_once('.')
        && !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0')
    {
        return classify_digits(int, true, max_year);
    }
    // Digits go to a stack buffer: no allocation per cell. Longer runs are counted only.
    let mut buf = [0u8; 24];
    let mut count = 0usize;
    let mut separators = quoted;
    let mut other = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if let Some(slot) = buf.get_mut(count) {
                *slot = c as u8;
            }
            count += 1;
        } else if is_separator(c) {
            separators = true;
        } else {
            other = true;
        }
    }
    if other {
        if count == 0 && NONE_WORDS.contains(&crate::normalize::text::fold(s).as_str()) {
            return IdReading::Missing;
        }
        return IdReading::Format {
            problem: FormatProblem::Characters,
            repaired: None,
        };
    }
    if count == 0 {
        // Only separators, e.g. "-" or "...": nothing was entered.
        return IdReading::Missing;
    }
    if count > buf.len() {
        return IdReading::Format {
            problem: FormatProblem::Length(count),
            repaired: None,
        };
    }
    let digits = std::str::from_utf8(&buf[..count]).unwrap_or_default();
    classify_digits(digits, separators, max_year)
}

/// "1.23457E+11": recoverable only when the mantissa still holds every digit.
fn read_scientific(s: &str, max_year: i32) -> Option<IdReading> {
    let (mantissa, exp) = s.split_once(['e', 'E'])?;
    let exp: usize = exp.strip_prefix('+').unwrap_or(exp).parse().ok()?;
    let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || exp > 30
    {
        return None;
    }
    if frac.len() > exp && !frac.bytes().skip(exp).all(|b| b == b'0') {
        // Not a whole number at all.
        return Some(IdReading::Format {
            problem: FormatProblem::Characters,
            repaired: None,
        });
    }
    if frac.len() < exp {
        // Excel shows a few significant digits and pads with zeros: the rest is gone.
        return Some(IdReading::PrecisionLost);
    }
    let digits = format!("{int}{}", &frac[..exp]);
    let digits = digits.trim_start_matches('0');
    if digits.len() > 15 {
        return Some(IdReading::PrecisionLost);
    }
    Some(match classify_digits(digits, false, max_year) {
        IdReading::Valid { id, .. } => IdReading::Format {
            problem: FormatProblem::Scientific,
            repaired: Some(id),
        },
        other => other,
    })
}

/// Classifies a run of digits that may have lost leading zeros.
fn classify_digits(d: &str, separators: bool, max_year: i32) -> IdReading {
    match validate_digits(d, max_year) {
        Ok(id) => return IdReading::Valid { id, separators },
        Err(DigitsProblem::Placeholder) => return IdReading::Placeholder,
        Err(DigitsProblem::ProvinceCode(code)) => return IdReading::ProvinceCode { code },
        Err(DigitsProblem::CmndPrefix(group)) => return IdReading::CmndPrefix { group },
        Err(DigitsProblem::ImpossibleYear(y)) => {
            return IdReading::Format {
                problem: FormatProblem::ImpossibleYear(y),
                repaired: None,
            };
        }
        Err(DigitsProblem::Length) => {}
    }
    let restored = match d.len() {
        8 => Some(format!("0{d}")),
        10 => Some(format!("00{d}")),
        11 => Some(format!("0{d}")),
        _ => None,
    };
    if let Some(r) = restored
        && let Ok(id) = validate_digits(&r, max_year)
    {
        // A 9-digit CMND rebuilt from 8 digits must start with a prefix that was really issued.
        if id.kind() == IdKind::Cccd12 || reference::cmnd9_prefix_of(id.as_str()).is_some() {
            return IdReading::LeadingZeroLost { id };
        }
    }
    IdReading::Format {
        problem: FormatProblem::Length(d.len()),
        repaired: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const Y: i32 = 2026;

    fn text(s: &str) -> IdReading {
        read_id(&Cell::Text(s), Y)
    }

    fn valid(s: &str) -> IdNum {
        validate_digits(s, Y).expect("valid test number")
    }

    #[test]
    fn clean_numbers_are_valid() {
        assert_eq!(
            text("079185001234"),
            IdReading::Valid {
                id: valid("079185001234"),
                separators: false
            }
        );
        assert_eq!(
            text("172345678"),
            IdReading::Valid {
                id: valid("172345678"),
                separators: false
            }
        );
    }

    #[test]
    fn cccd_structure_is_read() {
        let id = valid("001305012345");
        assert_eq!(id.place_code(), Some(1));
        assert_eq!(id.birth_year(), Some(2005));
        assert_eq!(id.sex(), Some(Gender::Female));
        let id = valid("079090001234");
        assert_eq!(id.birth_year(), Some(1990));
        assert_eq!(id.sex(), Some(Gender::Male));
        assert_eq!(valid("123456780").birth_year(), None);
    }

    #[test]
    fn missing_and_none_words() {
        assert_eq!(read_id(&Cell::<&str>::Empty, Y), IdReading::Missing);
        for s in ["   ", "Không có", "chưa có", "-"] {
            assert_eq!(text(s), IdReading::Missing, "{s:?}");
        }
    }

    #[test]
    fn separators_are_info_with_digits() {
        for s in [
            "079 185 001 234",
            "079.185.001.234",
            "079-185-001-234",
            "'079185001234",
        ] {
            assert_eq!(
                text(s),
                IdReading::Valid {
                    id: valid("079185001234"),
                    separators: true
                },
                "{s}"
            );
        }
        assert_eq!(
            text("079185001234.0"),
            IdReading::Valid {
                id: valid("079185001234"),
                separators: true
            }
        );
    }

    #[test]
    fn leading_zeros_are_restored() {
        // Province 079 → 11 digits once Excel drops the zero.
        assert_eq!(
            read_id(&Cell::<&str>::Number(79185001234.0), Y),
            IdReading::LeadingZeroLost {
                id: valid("079185001234")
            }
        );
        // Province 001 → 10 digits.
        assert_eq!(
            text("1185001234"),
            IdReading::LeadingZeroLost {
                id: valid("001185001234")
            }
        );
        // CMND with prefix 02 → 8 digits.
        assert_eq!(
            text("23456781"),
            IdReading::LeadingZeroLost {
                id: valid("023456781")
            }
        );
    }

    #[test]
    fn unrestorable_lengths_are_format_errors() {
        // 11 digits whose restored code 099 is no province.
        assert_eq!(
            text("99185001234"),
            IdReading::Format {
                problem: FormatProblem::Length(11),
                repaired: None
            }
        );
        // 8 digits whose restored prefix 09 9 is not a CMND prefix.
        assert!(matches!(text("99456781"), IdReading::Format { .. }));
        assert!(matches!(
            text("0791850012345"),
            IdReading::Format {
                problem: FormatProblem::Length(13),
                ..
            }
        ));
        assert!(matches!(
            text("07918500123A"),
            IdReading::Format {
                problem: FormatProblem::Characters,
                ..
            }
        ));
        // Restored year would be 2034: not a real number.
        assert!(matches!(text("1234567891"), IdReading::Format { .. }));
    }

    #[test]
    fn scientific_notation() {
        assert_eq!(text("7.91850E+10"), IdReading::PrecisionLost);
        assert_eq!(text("7,91850E+10"), IdReading::PrecisionLost);
        assert_eq!(
            text("7.9185001234E+10"),
            IdReading::LeadingZeroLost {
                id: valid("079185001234")
            }
        );
        assert_eq!(
            text("1.72345678E+8"),
            IdReading::Format {
                problem: FormatProblem::Scientific,
                repaired: Some(valid("172345678"))
            }
        );
        assert_eq!(
            read_id(&Cell::<&str>::Number(1.2345678901234567e17), Y),
            IdReading::PrecisionLost
        );
    }

    #[test]
    fn placeholders() {
        for s in [
            "000000000",
            "111111111111",
            "123456789",
            "123456789012",
            "987654321",
            "0",
        ] {
            assert_eq!(text(s), IdReading::Placeholder, "{s}");
        }
        assert!(!is_placeholder("079185001234"));
        assert!(!is_placeholder(""));
    }

    #[test]
    fn province_codes() {
        assert_eq!(text("099185001234"), IdReading::ProvinceCode { code: 99 });
        assert_eq!(text("003185001234"), IdReading::ProvinceCode { code: 3 });
        // A country code (born abroad) is accepted, but only one of the table (issue 20).
        assert!(matches!(text("101185001234"), IdReading::Valid { .. }));
        assert!(matches!(text("295185001234"), IdReading::Valid { .. }));
        for code in [100, 296, 297, 298, 299] {
            assert_eq!(
                text(&format!("{code}185001234")),
                IdReading::ProvinceCode { code },
                "{code}"
            );
        }
    }

    #[test]
    fn cmnd_prefixes_no_province_issued() {
        assert_eq!(text("001234567"), IdReading::CmndPrefix { group: 0 });
        assert_eq!(text("391234567"), IdReading::CmndPrefix { group: 39 });
        assert_eq!(text("952345678"), IdReading::CmndPrefix { group: 95 });
        // Every two-digit group of the table is read as a number, unlisted third digits too.
        for s in [
            "017345628",
            "381234567",
            "241234567",
            "281234567",
            "093456789",
        ] {
            assert!(matches!(text(s), IdReading::Valid { .. }), "{s}");
        }
    }

    #[test]
    fn future_birth_year_is_impossible() {
        assert!(matches!(
            text("079299001234"),
            IdReading::Format {
                problem: FormatProblem::ImpossibleYear(2099),
                ..
            }
        ));
        assert!(matches!(text("079199001234"), IdReading::Valid { .. }));
    }

    #[test]
    fn keys_keep_lengths_apart() {
        assert_ne!(valid("172345678").key(), valid("001172345678").key());
    }

    /// A valid CCCD or CMND built by the real structure.
    fn any_valid_id() -> impl Strategy<Value = String> {
        let cccd = (
            prop::sample::select(
                reference::province_codes()
                    .iter()
                    .map(|p| p.code)
                    .collect::<Vec<_>>(),
            ),
            0u16..4,
            0u16..100,
            0u32..1_000_000,
        )
            .prop_map(|(p, c, y, r)| format!("{p:03}{c}{y:02}{r:06}"));
        let cmnd = (
            prop::sample::select(
                reference::cmnd9_prefixes()
                    .iter()
                    .map(|p| p.prefix.clone())
                    .collect::<Vec<_>>(),
            ),
            0u64..10_000_000,
        )
            .prop_map(|(p, r)| {
                let rest = format!("{r:07}");
                format!("{p}{}", &rest[..9 - p.len()])
            });
        prop_oneof![cccd, cmnd].prop_filter("a real number", |s| validate_digits(s, Y).is_ok())
    }

    proptest! {
        #[test]
        fn excel_damage_is_repaired(id in any_valid_id(), sep in prop::sample::select(vec![" ", ".", "-"]), group in 2usize..5) {
            let want = validate_digits(&id, Y).ok();
            // Stored as a number: leading zeros dropped.
            let n: f64 = id.parse::<u64>().map(|v| v as f64).unwrap_or(0.0);
            let as_number = read_id(&Cell::<&str>::Number(n), Y);
            prop_assert_eq!(as_number.number(), want);
            // The number printed back as text.
            let trimmed = id.trim_start_matches('0').to_string();
            prop_assert_eq!(read_id(&Cell::Text(trimmed.as_str()), Y).number(), want);
            // Separators every few digits.
            let spaced: Vec<String> = id.as_bytes().chunks(group).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
            prop_assert_eq!(text(&spaced.join(sep)).number(), want);
            // Apostrophe, float suffix, full scientific notation.
            prop_assert_eq!(text(&format!("'{id}")).number(), want);
            prop_assert_eq!(text(&format!("{trimmed}.0")).number(), want);
            let sci = format!("{}.{}E+{}", &trimmed[..1], &trimmed[1..], trimmed.len() - 1);
            prop_assert_eq!(text(&sci).number(), want);
        }

        #[test]
        fn never_suggests_an_invalid_number(s in "[0-9 .'eE+A-Z-]{0,20}") {
            if let Some(id) = text(&s).number() {
                prop_assert!(validate_digits(id.as_str(), Y).is_ok(), "{s} -> {id}");
            }
        }

        #[test]
        fn numbers_never_suggest_invalid(n in 0f64..1e16) {
            if let Some(id) = read_id(&Cell::<&str>::Number(n.floor()), Y).number() {
                prop_assert!(validate_digits(id.as_str(), Y).is_ok());
            }
        }
    }
}
