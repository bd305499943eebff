//! Sex: every usual spelling ("nu", "NAM", "F", "Male"…) read as Nam or Nữ.

use unicode_normalization::UnicodeNormalization;

use crate::normalize::text::fold;
use crate::record::Cell;

/// Sex as the platform records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

impl Gender {
    /// The platform's spelling: `Nam` or `Nữ`.
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// What a sex cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenderReading {
    /// Empty.
    Missing,
    /// Exactly `Nam` or `Nữ`.
    Canonical(Gender),
    /// Another spelling of one of them.
    Variant(Gender),
    /// Not recognisable.
    Invalid,
}

impl GenderReading {
    /// The sex, when it could be read.
    pub fn gender(self) -> Option<Gender> {
        match self {
            GenderReading::Canonical(g) | GenderReading::Variant(g) => Some(g),
            _ => None,
        }
    }
}

const MALE: &[&str] = &[
    "nam", "m", "male", "man", "trai", "con trai", "dan ong", "nam gioi",
];
const FEMALE: &[&str] = &[
    "nu", "f", "female", "woman", "gai", "con gai", "dan ba", "nu gioi", "w",
];

/// Reads a sex cell.
pub fn read_gender<S: AsRef<str>>(cell: &Cell<S>) -> GenderReading {
    let text = match cell {
        Cell::Empty => return GenderReading::Missing,
        Cell::Text(s) => s.as_ref().trim(),
        _ => return GenderReading::Invalid,
    };
    match text {
        "" => return GenderReading::Missing,
        "Nam" => return GenderReading::Canonical(Gender::Male),
        "Nữ" => return GenderReading::Canonical(Gender::Female),
        _ => {}
    }
    // "nư" and "Nừ" are frequent typing slips for "nữ"; fold() drops the tone either way.
    let folded = fold(&text.nfc().collect::<String>());
    if MALE.contains(&folded.as_str()) {
        GenderReading::Variant(Gender::Male)
    } else if FEMALE.contains(&folded.as_str()) {
        GenderReading::Variant(Gender::Female)
    } else {
        GenderReading::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> GenderReading {
        read_gender(&Cell::Text(s))
    }

    #[test]
    fn spellings() {
        assert_eq!(g("Nam"), GenderReading::Canonical(Gender::Male));
        assert_eq!(g("Nữ"), GenderReading::Canonical(Gender::Female));
        assert_eq!(g(" Nam "), GenderReading::Canonical(Gender::Male));
        for s in ["nam", "NAM", "M", "male", "Male"] {
            assert_eq!(g(s), GenderReading::Variant(Gender::Male), "{s}");
        }
        for s in ["nu", "NỮ", "Nu", "F", "female", "Nu\u{303}", "nư"] {
            assert_eq!(g(s), GenderReading::Variant(Gender::Female), "{s}");
        }
        assert_eq!(g(""), GenderReading::Missing);
        assert_eq!(read_gender(&Cell::<&str>::Empty), GenderReading::Missing);
        assert_eq!(g("khác"), GenderReading::Invalid);
        assert_eq!(
            read_gender(&Cell::<&str>::Number(1.0)),
            GenderReading::Invalid
        );
    }
}
