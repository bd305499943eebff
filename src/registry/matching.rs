//! Finding the resident a record is: candidates from the number (exact, or one typo away) and
//! from blocks (name and birth date, name and commune, first and last word and birth date, birth
//! date and commune), each compared field by field ([`super::compare`]); the best is proposed
//! only when it is sure and clearly ahead of the next.

use super::Registry;
use super::compare::{Comparison, Evidence, NameAgreement, NumberAgreement, Probe, compare};
use crate::normalize::dates::DateReading;
use crate::normalize::identifiers::{IdNum, validate_digits};

/// The least score of a proposal, in bits. With the weights of [`super::compare::weight`] it takes
/// the number and the name; or, without a number, the name, the birth date and the sex or
/// commune.
pub const PROPOSE: f32 = 20.0;
/// How far ahead of the next candidate a proposal must be, in bits (64 times likelier).
pub const MARGIN: f32 = 6.0;
/// The least score of a candidate worth counting when none is sure.
pub const WORTH_COUNTING: f32 = 12.0;
/// At or below this person score (without the number), with another name, the holder of the
/// record's number is someone else.
pub const OTHER_PERSON: f32 = -8.0;

/// What the registry says about a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The record's commune is not one the extract covers: nothing to say.
    Uncovered,
    /// This resident is surely the person.
    Matched {
        /// The resident.
        resident: u32,
        /// What agreed.
        evidence: Evidence,
        /// How the record's number stands to the resident's.
        number: NumberAgreement,
    },
    /// Several residents fit about equally (or one fits, not surely enough).
    Ambiguous {
        /// How many.
        candidates: u32,
    },
    /// No resident fits.
    NotFound,
}

/// A verdict, and the resident who holds the record's number when that is clearly someone else.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The holder of the record's number, when clearly not this person.
    pub number_holder: Option<u32>,
}

/// Numbers one typo away from `digits` (a digit changed, two neighbours swapped, one lost or
/// added) that are well formed.
fn near_numbers(digits: &str, out: &mut Vec<IdNum>) {
    let d = digits.as_bytes();
    if !(8..=13).contains(&d.len()) {
        return;
    }
    let mut try_bytes = |v: &[u8]| {
        if (v.len() == 9 || v.len() == 12)
            && let Ok(text) = std::str::from_utf8(v)
            && let Ok(id) = validate_digits(text, 9999)
        {
            out.push(id);
        }
    };
    let mut v = d.to_vec();
    for i in 0..d.len() {
        for c in b'0'..=b'9' {
            if c != d[i] {
                v[i] = c;
                try_bytes(&v);
            }
        }
        v[i] = d[i];
        if i + 1 < d.len() && d[i] != d[i + 1] {
            v.swap(i, i + 1);
            try_bytes(&v);
            v.swap(i, i + 1);
        }
    }
    if d.len() == 10 || d.len() == 13 {
        for i in 0..d.len() {
            let mut w = d.to_vec();
            w.remove(i);
            try_bytes(&w);
        }
    }
    if d.len() == 8 || d.len() == 11 {
        for i in 0..=d.len() {
            for c in b'0'..=b'9' {
                let mut w = d.to_vec();
                w.insert(i, c);
                try_bytes(&w);
            }
        }
    }
}

/// The record's birth date with day and month swapped, when that is a date too.
fn swapped(birth: DateReading) -> Option<DateReading> {
    use chrono::Datelike;
    let d = birth.date()?;
    let s = chrono::NaiveDate::from_ymd_opt(d.year(), d.day(), d.month())?;
    (s != d).then_some(DateReading::Full {
        date: s,
        form: crate::normalize::dates::DateForm::Standard,
    })
}

/// Whether a comparison is the record's own resident without any doubt worth a search: the
/// number, the name and the birth date agree.
fn certain(c: &Comparison) -> bool {
    c.number == NumberAgreement::Same
        && matches!(c.name, NameAgreement::Same | NameAgreement::Folded)
        && c.evidence & super::compare::BY_BIRTH != 0
}

/// Matches a record against the registry.
pub fn find(reg: &Registry, probe: &Probe<'_>) -> Outcome {
    let none = |verdict| Outcome {
        verdict,
        number_holder: None,
    };
    let holder = probe.number.and_then(|n| reg.by_number(n));
    // A record whose place could not be read may still be matched by its number; one of
    // another commune is not the extract's to judge.
    let covered = reg.covers(probe.communes);
    if !covered && (!probe.communes.is_empty() || holder.is_none()) {
        return none(Verdict::Uncovered);
    }
    let same_name = super::compare::name_weight(reg.name_count(&probe.folded), reg.len());
    let compare_with = |i: u32| {
        reg.resident(i)
            .map(|r| compare(probe, r, holder.is_some_and(|h| h != i), same_name))
    };
    let mut number_holder = None;
    if let Some(h) = holder
        && let Some(c) = compare_with(h)
    {
        if certain(&c) {
            return none(Verdict::Matched {
                resident: h,
                evidence: c.evidence,
                number: c.number,
            });
        }
        if c.person_score <= OTHER_PERSON && c.name == NameAgreement::Different {
            number_holder = Some(h);
        }
    }
    if !covered {
        // Only the number's holder, and only when surely this person.
        let verdict = holder
            .filter(|h| Some(*h) != number_holder)
            .and_then(|h| compare_with(h).map(|c| (h, c)))
            .filter(|(_, c)| c.score >= PROPOSE)
            .map_or(Verdict::Uncovered, |(h, c)| Verdict::Matched {
                resident: h,
                evidence: c.evidence,
                number: c.number,
            });
        return Outcome {
            verdict,
            number_holder,
        };
    }
    let mut candidates = Vec::new();
    let mut keys = Vec::new();
    if !probe.folded.is_empty() {
        super::block_keys(&probe.folded, probe.birth, probe.communes, &mut keys);
        if let Some(s) = swapped(probe.birth) {
            super::block_keys(&probe.folded, s, &[], &mut keys);
        }
    } else if probe.birth.date().is_some() {
        // No name: the birth date in the commune still finds candidates for the number's sake.
        super::block_keys("", probe.birth, probe.communes, &mut keys);
    }
    reg.in_blocks(&keys, &mut candidates);
    if holder.is_none() || number_holder.is_some() {
        let mut near = Vec::new();
        near_numbers(&probe.digits, &mut near);
        candidates.extend(near.into_iter().filter_map(|n| reg.by_number(n)));
    }
    candidates.extend(holder.filter(|h| Some(*h) != number_holder));
    candidates.sort_unstable();
    candidates.dedup();
    let mut scored: Vec<(f32, u32, Comparison)> = candidates
        .into_iter()
        .filter(|i| Some(*i) != number_holder)
        .filter_map(|i| compare_with(i).map(|c| (i, c)))
        .map(|(i, mut c)| {
            // The number is someone else's: it says nothing about who this person is.
            if number_holder.is_some() && c.number == NumberAgreement::OtherResident {
                c.score -= super::compare::weight::NUMBER_OTHER;
            }
            (c.score, i, c)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let verdict = match scored.as_slice() {
        [(best, i, c), rest @ ..] if *best >= PROPOSE => {
            let close = rest.iter().filter(|(s, ..)| *s > best - MARGIN).count();
            if close == 0 {
                Verdict::Matched {
                    resident: *i,
                    evidence: c.evidence,
                    number: c.number,
                }
            } else {
                Verdict::Ambiguous {
                    candidates: close as u32 + 1,
                }
            }
        }
        _ => {
            let worth = scored.iter().filter(|(s, ..)| *s >= WORTH_COUNTING).count();
            if worth > 0 {
                Verdict::Ambiguous {
                    candidates: worth as u32,
                }
            } else {
                Verdict::NotFound
            }
        }
    };
    Outcome {
        verdict,
        number_holder,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Registry, RegistryStats};
    use super::*;
    use crate::normalize::gender::Gender;

    fn probe<'a>(name: &'a str, digits: &str, birth: DateReading, sex: Gender) -> Probe<'a> {
        let number = validate_digits(digits, 2026).ok();
        Probe {
            name: (!name.is_empty()).then_some(name),
            folded: crate::normalize::text::fold(name),
            number,
            digits: digits.to_string(),
            birth,
            sex: Some(sex),
            communes: &[7],
        }
    }

    fn registry() -> Registry {
        use Gender::{Female, Male};
        let mut people = residents(
            &[
                ("079090001234", "Nguyễn Văn An", (1, 2, 1990), Male),
                // A namesake in the same commune, another birth date.
                ("079090005678", "Nguyễn Văn An", (9, 9, 1990), Male),
                // Twins: same surname and birth date.
                ("079195001111", "Lê Thị Hoa", (3, 4, 1995), Female),
                ("079195001112", "Lê Thị Hòa", (3, 4, 1995), Female),
                ("079085002222", "Trần Văn Bình", (12, 5, 1985), Male),
            ],
            7,
        );
        people[0].old_number = Some(num("023456789"));
        Registry::new(people, RegistryStats::default())
    }

    fn matched(o: Outcome) -> Option<u32> {
        match o.verdict {
            Verdict::Matched { resident, .. } => Some(resident),
            _ => None,
        }
    }

    #[test]
    fn exact_records_and_every_single_damage_find_their_resident() {
        let reg = registry();
        let (an, number) = ("Nguyễn Văn An", "079090001234");
        let (b, m) = (born(1, 2, 1990), Gender::Male);
        let cases = [
            (an, number, b, m),
            // No number; a typo; two digits swapped; the old CMND.
            (an, "", b, m),
            (an, "079090001284", b, m),
            (an, "079090002134", b, m),
            (an, "023456789", b, m),
            // Name damage, with the number.
            ("Nguyen Van An", number, b, m),
            ("Nguyễn An", number, b, m),
            // Birth date damage, with the number.
            (an, number, born(2, 1, 1990), m),
            (an, number, DateReading::YearOnly(1990), m),
            // Sex damage.
            (an, number, b, Gender::Female),
        ];
        for (name, id, birth, sex) in cases {
            let found = matched(find(&reg, &probe(name, id, birth, sex)));
            assert_eq!(found, Some(0), "{name} {id} {birth:?} {sex:?}");
        }
    }

    #[test]
    fn namesakes_and_twins_are_not_confused() {
        let reg = registry();
        let m = Gender::Male;
        // The namesake's own birth date, no number: the namesake, not the first An.
        assert_eq!(
            matched(find(&reg, &probe("Nguyễn Văn An", "", born(9, 9, 1990), m))),
            Some(1)
        );
        // Only the year, no number: two An born in 1990 fit.
        let v = find(
            &reg,
            &probe("Nguyễn Văn An", "", DateReading::YearOnly(1990), m),
        )
        .verdict;
        assert!(matches!(v, Verdict::Ambiguous { candidates: 2 }), "{v:?}");
        // Twins: each by her own name.
        let f = Gender::Female;
        assert_eq!(
            matched(find(&reg, &probe("Lê Thị Hoa", "", born(3, 4, 1995), f))),
            Some(2)
        );
        assert_eq!(
            matched(find(&reg, &probe("Lê Thị Hòa", "", born(3, 4, 1995), f))),
            Some(3)
        );
        // Without accents the twins' names are one: not a guess.
        let v = find(&reg, &probe("Le Thi Hoa", "", born(3, 4, 1995), f)).verdict;
        assert!(matches!(v, Verdict::Ambiguous { .. }), "{v:?}");
    }

    #[test]
    fn someone_elses_number_and_strangers() {
        let reg = registry();
        // Trần Văn Bình written with An's number: the number is someone else's, Bình is found.
        let o = find(
            &reg,
            &probe(
                "Trần Văn Bình",
                "079090001234",
                born(12, 5, 1985),
                Gender::Male,
            ),
        );
        assert_eq!(o.number_holder, Some(0));
        assert_eq!(matched(o), Some(4));
        // A person nobody in the extract resembles.
        let o = find(
            &reg,
            &probe("Phạm Thị Cúc", "", born(1, 1, 1960), Gender::Female),
        );
        assert_eq!(o.verdict, Verdict::NotFound);
        // A place the extract does not cover.
        let mut p = probe(
            "Nguyễn Văn An",
            "079090001234",
            born(1, 2, 1990),
            Gender::Male,
        );
        p.communes = &[8];
        assert_eq!(find(&reg, &p).verdict, Verdict::Uncovered);
        // A place that could not be read: the number still finds its holder, nothing else does.
        p.communes = &[];
        assert_eq!(matched(find(&reg, &p)), Some(0));
        let mut p = probe("Nguyễn Văn An", "", born(1, 2, 1990), Gender::Male);
        p.communes = &[];
        assert_eq!(find(&reg, &p).verdict, Verdict::Uncovered);
    }
}
