//! Rules stage: the code registry and one file per rule family. Rules read a normalised row
//! ([`crate::normalize::NormalRow`]) and report findings; cross-record rules keep an index across
//! every input of the run. Codes are stable and never reused: the findings file, the workbooks and
//! the history all key on them.

pub mod birth_date;
pub mod dose;
pub mod duplicates;
pub mod gender;
pub mod id_number;
mod messages;
pub mod name;
pub mod phone;
pub mod place;
pub mod record_id;
pub mod registry;
pub mod row_index;
pub mod split;
#[cfg(test)]
pub(crate) mod testing;

use serde::Serialize;

use crate::findings::Severity;
use crate::normalize::names::Legacy;
use crate::record::Field;

pub use messages::message;

/// Which optional columns a row's sheet has: a rule on a field whose column is absent stays
/// silent (a file without a sex column has no sex to check, not a blank one on every row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// A birth-date column.
    pub birth_date: bool,
    /// A sex column.
    pub gender: bool,
    /// Any province, district or commune column.
    pub place: bool,
    /// A commune column.
    pub commune: bool,
    /// A district column (a sheet without one may be written in the 2025 units, which have none).
    pub district: bool,
    /// A dose-date column.
    pub dose_date: bool,
}

impl Columns {
    /// A person's own fields as present, and no place or dose: what `apply-corrections` checks.
    pub const PERSON: Columns = Columns {
        birth_date: true,
        gender: true,
        place: false,
        commune: false,
        district: false,
        dose_date: false,
    };

    /// The columns of a sheet, `has` saying whether it has a field's column.
    pub fn new(has: impl Fn(Field) -> bool) -> Columns {
        Columns {
            birth_date: has(Field::BirthDate),
            gender: has(Field::Gender),
            place: has(Field::Province) || has(Field::District) || has(Field::Commune),
            commune: has(Field::Commune),
            district: has(Field::District),
            dose_date: has(Field::DoseDate),
        }
    }
}

/// Every per-row rule on a row (`place` is the row's place as the gazetteer read it):
/// `apply-corrections` runs it on a corrected person ([`check_person`]), the scan runs
/// [`check_row_again`]. Cross-record rules are not here: they index the row in the pipeline's
/// check phase and report once every input is read.
#[inline]
pub fn check_row(
    row: &crate::normalize::NormalRow<'_, '_>,
    place: &crate::normalize::places::Place,
    columns: Columns,
    today: chrono::NaiveDate,
    out: &mut crate::findings::RowFindings<'_>,
) {
    rules_of_row(row, place, columns, today, out, None);
}

/// What the rules that read only a person's fields and the row's place gave on one row: the
/// next row of the same person in the same place gets it again rather than running them again
/// (a person's doses are usually rows one after the other, and most of a dump's rows are such).
#[derive(Debug, Default)]
pub struct Kept {
    /// The name's findings.
    name: Vec<crate::findings::Finding>,
    /// The sex's, the ID number's, the phone's and the place's, in that order.
    rest: Vec<crate::findings::Finding>,
}

/// [`check_row`], keeping in `kept` what the rules of the person's fields and of the place give;
/// when `same` says the row has the person fields and the place of the row `kept` was filled
/// on, those findings are recorded again on this row instead. The rules that read the dose (the
/// birth date against the dose date, the dose date) run on every row. Findings come in the
/// order [`check_row`] gives them either way.
pub fn check_row_again(
    row: &crate::normalize::NormalRow<'_, '_>,
    place: &crate::normalize::places::Place,
    columns: Columns,
    today: chrono::NaiveDate,
    out: &mut crate::findings::RowFindings<'_>,
    kept: &mut Kept,
    same: bool,
) {
    rules_of_row(row, place, columns, today, out, Some((kept, same)));
}

/// The one list of per-row rules: a new per-row rule family is called here, and nowhere else
/// ([`check_row`] keeps nothing, [`check_row_again`] keeps in `kept` or gives again from it).
/// A rule that reads only the person's fields and the place goes in a `keep` group; one that
/// reads anything else of the row (the dose), outside them.
fn rules_of_row(
    row: &crate::normalize::NormalRow<'_, '_>,
    place: &crate::normalize::places::Place,
    columns: Columns,
    today: chrono::NaiveDate,
    out: &mut crate::findings::RowFindings<'_>,
    mut kept: Option<(&mut Kept, bool)>,
) {
    use crate::findings::{Finding, RowFindings};
    fn keep(
        out: &mut RowFindings<'_>,
        kept: Option<(&mut Vec<Finding>, bool)>,
        rules: impl FnOnce(&mut RowFindings<'_>),
    ) {
        match kept {
            Some((kept, true)) => kept.iter().for_each(|f| out.again(f)),
            Some((kept, false)) => {
                let mark = out.mark();
                rules(out);
                kept.clear();
                kept.extend_from_slice(out.since(mark));
            }
            None => rules(out),
        }
    }
    let name = kept.as_mut().map(|(k, same)| (&mut k.name, *same));
    keep(out, name, |out| name::check(row, out));
    if columns.birth_date {
        birth_date::check(row, today, out);
    }
    let rest = kept.as_mut().map(|(k, same)| (&mut k.rest, *same));
    keep(out, rest, |out| {
        if columns.gender {
            gender::check(row, out);
        }
        id_number::check(row, out);
        phone::check(row, out);
        place::check(row.raw, place, columns.place, columns.commune, out);
    });
    if columns.dose_date {
        dose::check(row, today, out);
    }
}

/// The rules on a person's own fields — name, birth date, sex, ID number, phone — with every
/// column taken as present: [`check_row`] with [`Columns::PERSON`]. `apply-corrections` checks
/// a corrected person with them.
pub fn check_person(
    row: &crate::normalize::NormalRow<'_, '_>,
    today: chrono::NaiveDate,
    out: &mut crate::findings::RowFindings<'_>,
) {
    let nowhere = crate::normalize::places::Place::default();
    check_row(row, &nowhere, Columns::PERSON, today, out);
}

/// The fields the rules read; readers may skip decoding the others.
pub const CHECKED_FIELDS: &[Field] = &[
    Field::RecordId,
    Field::FullName,
    Field::BirthDate,
    Field::Gender,
    Field::IdNumber,
    Field::Phone,
    Field::Province,
    Field::District,
    Field::Commune,
    Field::DoseNumber,
    Field::DoseDate,
];

macro_rules! codes {
    ($($variant:ident = $name:literal, $field:expr, $sev:ident;)*) => {
        /// A finding's stable code (docs/rules.md).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $(#[doc = $name] $variant,)* }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in files: `ID_MISSING`…
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The field the code is reported on (`None`: the whole row).
            pub fn field(self) -> Option<Field> {
                match self { $(Code::$variant => $field,)* }
            }

            /// The code's severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
        }
    };
}

codes! {
    IdMissing = "ID_MISSING", Some(Field::IdNumber), Error;
    IdFormat = "ID_FORMAT", Some(Field::IdNumber), Error;
    IdLeadingZeroLost = "ID_LEADING_ZERO_LOST", Some(Field::IdNumber), Error;
    IdPrecisionLost = "ID_PRECISION_LOST", Some(Field::IdNumber), Error;
    IdSeparators = "ID_SEPARATORS", Some(Field::IdNumber), Info;
    IdPlaceholder = "ID_PLACEHOLDER", Some(Field::IdNumber), Error;
    IdProvinceCode = "ID_PROVINCE_CODE", Some(Field::IdNumber), Error;
    IdCmndPrefixUnlisted = "ID_CMND_PREFIX_UNLISTED", Some(Field::IdNumber), Warning;
    IdGenderMismatch = "ID_GENDER_MISMATCH", Some(Field::Gender), Error;
    IdBirthYearMismatch = "ID_BIRTH_YEAR_MISMATCH", Some(Field::BirthDate), Error;
    IdDuplicateConflict = "ID_DUPLICATE_CONFLICT", Some(Field::IdNumber), Error;
    NameMissing = "NAME_MISSING", Some(Field::FullName), Error;
    NameInvalidChars = "NAME_INVALID_CHARS", Some(Field::FullName), Error;
    NameEncoding = "NAME_ENCODING", Some(Field::FullName), Error;
    NameFormat = "NAME_FORMAT", Some(Field::FullName), Info;
    NameIncomplete = "NAME_INCOMPLETE", Some(Field::FullName), Warning;
    DobMissing = "DOB_MISSING", Some(Field::BirthDate), Error;
    DobInvalid = "DOB_INVALID", Some(Field::BirthDate), Error;
    DobOutOfRange = "DOB_OUT_OF_RANGE", Some(Field::BirthDate), Error;
    DobYearOnly = "DOB_YEAR_ONLY", Some(Field::BirthDate), Warning;
    DobFormat = "DOB_FORMAT", Some(Field::BirthDate), Info;
    DobUnderFive = "DOB_UNDER_FIVE", Some(Field::BirthDate), Warning;
    GenderMissing = "GENDER_MISSING", Some(Field::Gender), Error;
    GenderInvalid = "GENDER_INVALID", Some(Field::Gender), Error;
    GenderFormat = "GENDER_FORMAT", Some(Field::Gender), Info;
    PhoneInvalid = "PHONE_INVALID", Some(Field::Phone), Warning;
    PhoneOldFormat = "PHONE_OLD_FORMAT", Some(Field::Phone), Info;
    AddressUnknown = "ADDRESS_UNKNOWN", Some(Field::Commune), Warning;
    DoseDateInvalid = "DOSE_DATE_INVALID", Some(Field::DoseDate), Error;
    DoseDuplicate = "DOSE_DUPLICATE", Some(Field::DoseNumber), Warning;
    RecordIdDuplicate = "RECORD_ID_DUPLICATE", Some(Field::RecordId), Warning;
    RowRagged = "ROW_RAGGED", None, Error;
    RowUnterminatedQuote = "ROW_UNTERMINATED_QUOTE", None, Error;
    RowTooLong = "ROW_TOO_LONG", None, Error;
    RegIdProposed = "REG_ID_PROPOSED", Some(Field::IdNumber), Error;
    RegNameMismatch = "REG_NAME_MISMATCH", Some(Field::FullName), Error;
    RegDobMismatch = "REG_DOB_MISMATCH", Some(Field::BirthDate), Error;
    RegSexMismatch = "REG_SEX_MISMATCH", Some(Field::Gender), Error;
    RegIdOtherPerson = "REG_ID_OTHER_PERSON", Some(Field::IdNumber), Error;
    RegAmbiguous = "REG_AMBIGUOUS", Some(Field::IdNumber), Warning;
    RegNotFound = "REG_NOT_FOUND", Some(Field::IdNumber), Warning;
    PersonSplit = "PERSON_SPLIT", Some(Field::IdNumber), Warning;
}

impl Code {
    /// Whether the code's suggestion is the population registry's value (`--registry`).
    pub fn from_registry(self) -> bool {
        matches!(
            self,
            Code::RegIdProposed
                | Code::RegNameMismatch
                | Code::RegDobMismatch
                | Code::RegSexMismatch
                | Code::RegIdOtherPerson
        )
    }

    /// Whether a suggestion of this code is certain: the rules computed the one right value (a
    /// lost zero, separators, a legacy-encoded name with one clear reading, a format), so `repair`
    /// makes it without a person and `export-list` lists nobody for it alone. A finding is
    /// certain only when it also carries a suggestion ([`crate::findings::Finding::is_certain`]).
    pub fn certain(self, detail: Detail) -> bool {
        match self {
            Code::IdLeadingZeroLost
            | Code::IdSeparators
            | Code::NameFormat
            | Code::DobFormat
            | Code::GenderFormat
            | Code::PhoneOldFormat => true,
            Code::PhoneInvalid => detail == Detail::ZeroLost,
            Code::NameEncoding => !matches!(detail, Detail::LegacyLikely(_)),
            _ => false,
        }
    }

    /// The code named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What a finding's message needs besides its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Nothing.
    #[default]
    None,
    /// Letters or symbols in a number.
    Characters,
    /// This many digits.
    Digits(u16),
    /// A CCCD whose digits 4-6 give this future year.
    FutureYear(i32),
    /// Scientific notation that still held every digit.
    Scientific,
    /// A CCCD place code that is neither a province nor a country.
    PlaceCode(u16),
    /// A mobile number without its leading 0.
    ZeroLost,
    /// A 9-digit CMND's first `digits` digits (2 or 3), as the number `prefix`.
    CmndPrefix {
        /// The digits' value.
        prefix: u16,
        /// How many digits.
        digits: u8,
    },
    /// The CCCD says this birth year.
    IdYear(i32),
    /// The CCCD says this sex (true: female).
    IdFemale(bool),
    /// The number is on this many different people.
    People(u32),
    /// The row has this many cells where the header has that many.
    Cells {
        /// Cells in the row.
        found: u32,
        /// Columns in the header.
        expected: u32,
    },
    /// Text damaged by this legacy encoding.
    Legacy(Legacy),
    /// Text damaged by this legacy encoding, read more than one way: no suggestion.
    LegacyUnclear(Legacy),
    /// Text damaged by this legacy encoding whose suggestion is the likelier reading, not a
    /// certain one: a person confirms it.
    LegacyLikely(Legacy),
    /// A date in the future.
    Future,
    /// A birth date more than 120 years ago.
    TooOld,
    /// A birth date after the dose date.
    AfterDose,
    /// A dose date before the campaign began (08/03/2021).
    BeforeCampaign,
    /// Not a date at all.
    NotADate,
    /// The dose number that appears twice.
    Dose(u32),
    /// A record id shared by this many inputs and this many people.
    Shared {
        /// Inputs holding it.
        inputs: u32,
        /// Different people holding it.
        people: u32,
    },
    /// What agreed with the population registry ([`crate::registry::compare::Evidence`] bits).
    Evidence(u8),
}

impl Detail {
    /// The detail as a tag and two numbers, for storing findings compactly.
    pub fn to_parts(self) -> (u8, i64, i64) {
        match self {
            Detail::None => (0, 0, 0),
            Detail::Characters => (1, 0, 0),
            Detail::Digits(n) => (2, i64::from(n), 0),
            Detail::FutureYear(y) => (3, i64::from(y), 0),
            Detail::Scientific => (4, 0, 0),
            Detail::PlaceCode(c) => (5, i64::from(c), 0),
            Detail::IdYear(y) => (6, i64::from(y), 0),
            Detail::IdFemale(f) => (7, i64::from(f), 0),
            Detail::People(n) => (8, i64::from(n), 0),
            Detail::Cells { found, expected } => (9, i64::from(found), i64::from(expected)),
            Detail::Legacy(l) => (10, l as i64, 0),
            Detail::Future => (11, 0, 0),
            Detail::TooOld => (12, 0, 0),
            Detail::AfterDose => (13, 0, 0),
            Detail::BeforeCampaign => (14, 0, 0),
            Detail::NotADate => (15, 0, 0),
            Detail::Dose(n) => (16, i64::from(n), 0),
            Detail::Shared { inputs, people } => (17, i64::from(inputs), i64::from(people)),
            Detail::Evidence(bits) => (18, i64::from(bits), 0),
            Detail::CmndPrefix { prefix, digits } => (19, i64::from(prefix), i64::from(digits)),
            Detail::ZeroLost => (20, 0, 0),
            Detail::LegacyUnclear(l) => (21, l as i64, 0),
            Detail::LegacyLikely(l) => (22, l as i64, 0),
        }
    }

    /// The inverse of [`Detail::to_parts`]; `None` for an unknown tag.
    pub fn from_parts(tag: u8, a: i64, b: i64) -> Option<Detail> {
        Some(match tag {
            0 => Detail::None,
            1 => Detail::Characters,
            2 => Detail::Digits(u16::try_from(a).ok()?),
            3 => Detail::FutureYear(i32::try_from(a).ok()?),
            4 => Detail::Scientific,
            5 => Detail::PlaceCode(u16::try_from(a).ok()?),
            6 => Detail::IdYear(i32::try_from(a).ok()?),
            7 => Detail::IdFemale(a != 0),
            8 => Detail::People(u32::try_from(a).ok()?),
            9 => Detail::Cells {
                found: u32::try_from(a).ok()?,
                expected: u32::try_from(b).ok()?,
            },
            10 => Detail::Legacy(*Legacy::ALL.get(usize::try_from(a).ok()?)?),
            11 => Detail::Future,
            12 => Detail::TooOld,
            13 => Detail::AfterDose,
            14 => Detail::BeforeCampaign,
            15 => Detail::NotADate,
            16 => Detail::Dose(u32::try_from(a).ok()?),
            17 => Detail::Shared {
                inputs: u32::try_from(a).ok()?,
                people: u32::try_from(b).ok()?,
            },
            18 => Detail::Evidence(u8::try_from(a).ok()?),
            19 => Detail::CmndPrefix {
                prefix: u16::try_from(a).ok()?,
                digits: u8::try_from(b).ok()?,
            },
            20 => Detail::ZeroLost,
            21 => Detail::LegacyUnclear(*Legacy::ALL.get(usize::try_from(a).ok()?)?),
            22 => Detail::LegacyLikely(*Legacy::ALL.get(usize::try_from(a).ok()?)?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn details_round_trip_through_parts() {
        for d in [
            Detail::None,
            Detail::Characters,
            Detail::Digits(13),
            Detail::FutureYear(2099),
            Detail::Scientific,
            Detail::PlaceCode(99),
            Detail::IdYear(1990),
            Detail::IdFemale(true),
            Detail::People(3),
            Detail::Cells {
                found: 4,
                expected: 7,
            },
            Detail::Legacy(Legacy::Vni),
            Detail::Legacy(Legacy::Tcvn3),
            Detail::Legacy(Legacy::DoubleUtf8Cp1250),
            Detail::LegacyUnclear(Legacy::Vni),
            Detail::LegacyLikely(Legacy::Vni),
            Detail::Future,
            Detail::TooOld,
            Detail::AfterDose,
            Detail::BeforeCampaign,
            Detail::NotADate,
            Detail::Dose(2),
            Detail::Shared {
                inputs: 2,
                people: 3,
            },
            Detail::Evidence(0b1010_1001),
            Detail::CmndPrefix {
                prefix: 39,
                digits: 2,
            },
            Detail::CmndPrefix {
                prefix: 93,
                digits: 3,
            },
            Detail::ZeroLost,
        ] {
            let (t, a, b) = d.to_parts();
            assert_eq!(Detail::from_parts(t, a, b), Some(d));
        }
        assert_eq!(Detail::from_parts(200, 0, 0), None);
    }

    #[test]
    fn codes_are_unique_and_named_in_upper_snake_case() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        for c in Code::ALL {
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b'_')
            );
            assert_eq!(Code::from_name(c.as_str()), Some(*c));
        }
    }

    #[test]
    fn every_code_has_a_message_in_both_languages() {
        for c in Code::ALL {
            for lang in [Lang::Vi, Lang::En] {
                let m = message(*c, Detail::None, lang);
                assert!(!m.is_empty(), "{c:?} {lang:?}");
                assert!(
                    m.starts_with(|ch: char| !ch.is_uppercase()),
                    "lower case: {m}"
                );
            }
            assert_ne!(
                message(*c, Detail::None, Lang::Vi),
                message(*c, Detail::None, Lang::En)
            );
        }
    }
}
