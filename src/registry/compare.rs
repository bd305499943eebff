//! One record against one resident: how well each field agrees, and what that weighs. Weights are
//! in bits (log2 of how much likelier the agreement is for the same person than for another):
//! positive evidence for, negative against. The thresholds that turn a score into a proposal are
//! in [`super::matching`]; docs/rules.md gives both.

use chrono::Datelike;

use super::Resident;
use crate::normalize::dates::DateReading;
use crate::normalize::gender::Gender;
use crate::normalize::identifiers::IdNum;

/// What agreed, for the message of a proposal (bits of [`Evidence`]).
pub type Evidence = u8;
/// The CCCD is the resident's.
pub const BY_NUMBER: Evidence = 1;
/// The number is the resident's old CMND.
pub const BY_OLD_NUMBER: Evidence = 1 << 1;
/// The number is one typo (a digit changed, two swapped, one added or lost) from the resident's.
pub const BY_NEAR_NUMBER: Evidence = 1 << 2;
/// The name (accents aside, or a legacy encoding repaired).
pub const BY_NAME: Evidence = 1 << 3;
/// The name, nearly: one letter off, or a middle name left out.
pub const BY_NEAR_NAME: Evidence = 1 << 4;
/// The birth date.
pub const BY_BIRTH: Evidence = 1 << 5;
/// The sex.
pub const BY_SEX: Evidence = 1 << 6;
/// The commune (2020 and 2025 units compared).
pub const BY_COMMUNE: Evidence = 1 << 7;

/// What a record says about a person, read once for all its candidates.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    /// The clean name (legacy encodings repaired), if any.
    pub name: Option<&'a str>,
    /// The name folded ([`crate::normalize::text::fold`]): accents and case aside.
    pub folded: String,
    /// The number, when it reads as one (restored when Excel dropped its zeros).
    pub number: Option<IdNum>,
    /// The digits of the number cell (letters O and I read as 0 and 1), when it holds any.
    pub digits: String,
    /// The birth date.
    pub birth: DateReading,
    /// The sex.
    pub sex: Option<Gender>,
    /// The 2025 communes of the record's place.
    pub communes: &'a [u32],
}

/// How a record's number stands to a resident's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberAgreement {
    /// The resident's CCCD.
    Same,
    /// The resident's old CMND.
    OldNumber,
    /// One typo away from the resident's CCCD or old CMND.
    Near,
    /// Another number, which another resident holds.
    OtherResident,
    /// Another number, which no resident holds.
    Unknown,
    /// The record has no digits to compare.
    Absent,
}

/// How a record's name stands to a resident's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameAgreement {
    /// The same name, accents included.
    Same,
    /// The same letters; the record was typed without accents.
    Folded,
    /// One letter off (changed, added, lost, two swapped) on the folded name, or one accent.
    OneLetter,
    /// The same name but for one middle word left out or added.
    MiddleMissing,
    /// Same first and last word, another middle.
    SameEnds,
    /// Another name, or no name to compare.
    Different,
    /// The record has no name.
    Absent,
}

/// The comparison of a record with a resident.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// The total weight, in bits.
    pub score: f32,
    /// The weight without the number's: how much the person fields alone say.
    pub person_score: f32,
    /// What agreed.
    pub evidence: Evidence,
    /// The number.
    pub number: NumberAgreement,
    /// The name.
    pub name: NameAgreement,
}

/// The weights, in bits. Tuned on generated data (docs/rules.md: "Matching against the
/// population registry").
pub mod weight {
    /// The resident's CCCD.
    pub const NUMBER_SAME: f32 = 20.0;
    /// The resident's old CMND.
    pub const NUMBER_OLD: f32 = 18.0;
    /// One typo from the resident's number.
    pub const NUMBER_NEAR: f32 = 9.0;
    /// A number another resident holds.
    pub const NUMBER_OTHER: f32 = -6.0;
    /// A number nobody in the extract holds.
    pub const NUMBER_UNKNOWN: f32 = -2.0;
    /// The same name: at most, for a name one resident carries.
    pub const NAME_SAME_MAX: f32 = 12.0;
    /// The same name: at least, for the commonest names.
    pub const NAME_SAME_MIN: f32 = 5.0;
    /// Accents differ (or are missing).
    pub const NAME_FOLDED_LOSS: f32 = 1.0;
    /// One letter or accent off: this much less than the same name. Against two residents
    /// whose names differ by one letter (twins Hoa and Hòa), the one written is 128 times
    /// likelier.
    pub const NAME_ONE_LETTER_LOSS: f32 = 7.0;
    /// A middle word left out or added: this much less than the same name.
    pub const NAME_MIDDLE_LOSS: f32 = 6.0;
    /// Same first and last word, another middle.
    pub const NAME_SAME_ENDS: f32 = 0.0;
    /// Another name.
    pub const NAME_DIFFERENT: f32 = -12.0;
    /// The same birth date.
    pub const BIRTH_SAME: f32 = 12.0;
    /// Day and month swapped; or the same day and month a year off.
    pub const BIRTH_NEAR: f32 = 5.0;
    /// Only the year is known on one side, and it is the same.
    pub const BIRTH_YEAR: f32 = 4.0;
    /// The same year and month, another day.
    pub const BIRTH_SAME_MONTH: f32 = 0.0;
    /// Another birth date.
    pub const BIRTH_DIFFERENT: f32 = -10.0;
    /// The same sex.
    pub const SEX_SAME: f32 = 1.0;
    /// The other sex.
    pub const SEX_DIFFERENT: f32 = -5.0;
    /// The same commune.
    pub const COMMUNE_SAME: f32 = 2.0;
    /// Another commune.
    pub const COMMUNE_DIFFERENT: f32 = -4.0;
}

/// What the same name weighs when `count` of `residents` carry it: a name few residents carry
/// says more than a common one.
pub fn name_weight(count: u32, residents: usize) -> f32 {
    (0.95 * residents.max(1) as f32 / count.max(1) as f32)
        .log2()
        .clamp(weight::NAME_SAME_MIN, weight::NAME_SAME_MAX)
}

/// Whether `a` and `b` (ASCII digits) are one typo apart: one digit changed, two neighbours
/// swapped, one digit added or lost.
pub fn one_typo(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return false;
    }
    if a.len() == b.len() {
        let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        return match diff.as_slice() {
            [_] => true,
            [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
            _ => false,
        };
    }
    let (long, short) = if a.len() > b.len() { (a, b) } else { (b, a) };
    if long.len() != short.len() + 1 {
        return false;
    }
    let first = (0..short.len())
        .find(|&i| long[i] != short[i])
        .unwrap_or(short.len());
    long[first + 1..] == short[first..]
}

fn number_agreement(probe: &Probe<'_>, r: &Resident, held_by_other: bool) -> NumberAgreement {
    if let Some(n) = probe.number {
        if Some(n) == r.number {
            return NumberAgreement::Same;
        }
        if Some(n) == r.old_number {
            return NumberAgreement::OldNumber;
        }
    }
    if probe.digits.is_empty() {
        return NumberAgreement::Absent;
    }
    let near = [r.number, r.old_number]
        .into_iter()
        .flatten()
        .any(|n| one_typo(&probe.digits, n.as_str()));
    if near {
        NumberAgreement::Near
    } else if held_by_other {
        NumberAgreement::OtherResident
    } else {
        NumberAgreement::Unknown
    }
}

/// Compares two folded names.
pub fn name_agreement(record: Option<&str>, folded: &str, resident: &str) -> NameAgreement {
    let Some(record) = record else {
        return NameAgreement::Absent;
    };
    if folded.is_empty() {
        return NameAgreement::Absent;
    }
    if record == resident {
        return NameAgreement::Same;
    }
    let theirs = crate::normalize::text::fold(resident);
    if folded == theirs {
        // Typed without accents, or with another accent (Hoa and Hòa are two names).
        return if record.is_ascii() {
            NameAgreement::Folded
        } else {
            NameAgreement::OneLetter
        };
    }
    if folded.len() >= 6 && strsim::damerau_levenshtein(folded, &theirs) == 1 {
        return NameAgreement::OneLetter;
    }
    let a: Vec<&str> = folded.split(' ').collect();
    let b: Vec<&str> = theirs.split(' ').collect();
    if a.len() >= 2 && b.len() >= 2 && a.first() == b.first() && a.last() == b.last() {
        let (long, short) = if a.len() > b.len() {
            (&a, &b)
        } else {
            (&b, &a)
        };
        if long.len() == short.len() + 1 {
            // The short name is the long one less one middle word.
            let dropped =
                (1..long.len() - 1).any(|i| long[..i] == short[..i] && long[i + 1..] == short[i..]);
            if dropped {
                return NameAgreement::MiddleMissing;
            }
        }
        return NameAgreement::SameEnds;
    }
    NameAgreement::Different
}

fn birth_weight(record: DateReading, resident: DateReading) -> (f32, bool) {
    use weight::*;
    match (record, resident) {
        (DateReading::Full { date: a, .. }, DateReading::Full { date: b, .. }) => {
            if a == b {
                (BIRTH_SAME, true)
            } else if (a.day() == b.month() && a.month() == b.day() && a.year() == b.year())
                || (a.day() == b.day()
                    && a.month() == b.month()
                    && (a.year() - b.year()).abs() == 1)
            {
                // Day and month swapped; or the same day a year off.
                (BIRTH_NEAR, false)
            } else if a.year() == b.year() && a.month() == b.month() {
                (BIRTH_SAME_MONTH, false)
            } else {
                (BIRTH_DIFFERENT, false)
            }
        }
        (a, b) => match (a.year(), b.year()) {
            (Some(x), Some(y)) if x == y => (BIRTH_YEAR, false),
            (Some(x), Some(y)) if (x - y).abs() == 1 => (0.0, false),
            (Some(_), Some(_)) => (BIRTH_DIFFERENT, false),
            _ => (0.0, false),
        },
    }
}

/// Compares a record with resident `r`. `held_by_other`: the record's number belongs to another
/// resident. `same_name`: what the same name weighs ([`name_weight`]).
pub fn compare(probe: &Probe<'_>, r: &Resident, held_by_other: bool, same_name: f32) -> Comparison {
    use weight::*;
    let mut evidence = 0;
    let number = number_agreement(probe, r, held_by_other);
    let number_weight = match number {
        NumberAgreement::Same => {
            evidence |= BY_NUMBER;
            NUMBER_SAME
        }
        NumberAgreement::OldNumber => {
            evidence |= BY_OLD_NUMBER;
            NUMBER_OLD
        }
        NumberAgreement::Near => {
            evidence |= BY_NEAR_NUMBER;
            NUMBER_NEAR
        }
        NumberAgreement::OtherResident => NUMBER_OTHER,
        NumberAgreement::Unknown => NUMBER_UNKNOWN,
        NumberAgreement::Absent => 0.0,
    };
    let name = name_agreement(probe.name, &probe.folded, &r.name);
    let same = same_name;
    let mut person = match name {
        NameAgreement::Same => same,
        NameAgreement::Folded => same - NAME_FOLDED_LOSS,
        NameAgreement::OneLetter => same - NAME_ONE_LETTER_LOSS,
        NameAgreement::MiddleMissing => same - NAME_MIDDLE_LOSS,
        NameAgreement::SameEnds => NAME_SAME_ENDS,
        NameAgreement::Different => NAME_DIFFERENT,
        NameAgreement::Absent => 0.0,
    };
    match name {
        NameAgreement::Same | NameAgreement::Folded => evidence |= BY_NAME,
        NameAgreement::OneLetter | NameAgreement::MiddleMissing => evidence |= BY_NEAR_NAME,
        _ => {}
    }
    let (birth, same_birth) = birth_weight(probe.birth, r.birth);
    person += birth;
    if same_birth {
        evidence |= BY_BIRTH;
    }
    match (probe.sex, r.sex) {
        (Some(a), Some(b)) if a == b => {
            person += SEX_SAME;
            evidence |= BY_SEX;
        }
        (Some(_), Some(_)) => person += SEX_DIFFERENT,
        _ => {}
    }
    if !probe.communes.is_empty() && !r.communes.is_empty() {
        if probe.communes.iter().any(|c| r.communes.contains(c)) {
            person += COMMUNE_SAME;
            evidence |= BY_COMMUNE;
        } else {
            person += COMMUNE_DIFFERENT;
        }
    }
    Comparison {
        score: person + number_weight,
        person_score: person,
        evidence,
        number,
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn probe<'a>(
        name: &'a str,
        number: &str,
        birth: DateReading,
        communes: &'a [u32],
    ) -> Probe<'a> {
        let number = (!number.is_empty()).then(|| num(number));
        Probe {
            name: Some(name),
            folded: crate::normalize::text::fold(name),
            number,
            digits: number.map(|n| n.as_str().to_string()).unwrap_or_default(),
            birth,
            sex: Some(Gender::Male),
            communes,
        }
    }

    #[test]
    fn one_typo_is_one_change_swap_insertion_or_loss() {
        assert!(one_typo("079090001234", "079090001235"));
        assert!(one_typo("079090001234", "079090002134"));
        assert!(one_typo("079090001234", "0790900012345"));
        assert!(one_typo("79090001234", "079090001234"));
        assert!(!one_typo("079090001234", "079090001234"));
        assert!(!one_typo("079090001234", "079090004321"));
        assert!(!one_typo("079090001234", "179090001235"));
    }

    proptest::proptest! {
        /// `one_typo` is the optimal-string-alignment distance 1 on digit strings, both ways.
        #[test]
        fn one_typo_is_distance_one(a in "[0-9]{8,13}", b in "[0-9]{8,13}") {
            let osa = strsim::osa_distance(&a, &b) == 1;
            proptest::prop_assert_eq!(one_typo(&a, &b), osa);
            proptest::prop_assert_eq!(one_typo(&a, &b), one_typo(&b, &a));
        }

        /// Each single typo of a number is recognised as one.
        #[test]
        fn every_single_typo_is_one(a in "[0-9]{12}", i in 0usize..12, d in 0u8..10) {
            let mut changed = a.clone().into_bytes();
            changed[i] = b'0' + d;
            let changed = String::from_utf8(changed).unwrap_or_default();
            proptest::prop_assert_eq!(one_typo(&a, &changed), changed != a);
            let mut lost = a.clone();
            lost.remove(i);
            proptest::prop_assert!(one_typo(&a, &lost));
        }

        /// Comparing any names never panics and is the same name for equal texts.
        #[test]
        fn names_compare_without_panicking(a in "\\PC{0,30}", b in "\\PC{0,30}") {
            let folded = crate::normalize::text::fold(&a);
            let _ = name_agreement(Some(&a), &folded, &b);
            if !folded.is_empty() {
                proptest::prop_assert_eq!(name_agreement(Some(&a), &folded, &a), NameAgreement::Same);
            }
        }
    }

    #[test]
    fn names_agree_in_degrees() {
        let n = |r: &str, s: &str| name_agreement(Some(r), &crate::normalize::text::fold(r), s);
        assert_eq!(n("Nguyễn Văn An", "Nguyễn Văn An"), NameAgreement::Same);
        assert_eq!(n("Nguyen Van An", "Nguyễn Văn An"), NameAgreement::Folded);
        assert_eq!(
            n("Nguyễn Văn Ann", "Nguyễn Văn An"),
            NameAgreement::OneLetter
        );
        assert_eq!(
            n("Nguyễn An", "Nguyễn Văn An"),
            NameAgreement::MiddleMissing
        );
        assert_eq!(
            n("Nguyễn Thị Thu Hà", "Nguyễn Thu Hà"),
            NameAgreement::MiddleMissing
        );
        assert_eq!(n("Nguyễn Hữu An", "Nguyễn Văn An"), NameAgreement::SameEnds);
        assert_eq!(
            n("Trần Thị Bình", "Nguyễn Văn An"),
            NameAgreement::Different
        );
    }

    #[test]
    fn the_number_outweighs_a_typo_in_the_name_but_not_another_person() {
        let r = resident(
            "079090001234",
            "Nguyễn Văn An",
            born(1, 2, 1990),
            Gender::Male,
            7,
        );
        // How a probe of the resident's commune compares with `r`.
        let against =
            |name, digits, birth| compare(&probe(name, digits, birth, &[7]), &r, false, 10.0);
        let same = against("Nguyễn Văn An", "079090001234", born(1, 2, 1990));
        assert_eq!(same.number, NumberAgreement::Same);
        assert!(same.evidence & BY_NUMBER != 0 && same.evidence & BY_BIRTH != 0);
        let typo = against("Nguyễn Văn An", "079090001243", born(1, 2, 1990));
        assert_eq!(typo.number, NumberAgreement::Near);
        assert!(typo.score < same.score);
        let other = against("Trần Thị Bình", "079090001234", born(5, 6, 1970));
        assert!(other.person_score < -10.0, "{other:?}");
        let swapped = against("Nguyễn Văn An", "", born(2, 1, 1990));
        assert_eq!(swapped.number, NumberAgreement::Absent);
        assert!(swapped.score > 10.0);
    }
}
