//! `REG_*`: a record against the population registry the police exported (`--registry`). The
//! record is matched to at most one resident ([`crate::registry::matching`]); the findings say
//! which of its fields differ from that resident's, with the registry's value as the suggestion,
//! or that no resident (or several) fits. A record that agrees with its resident in number,
//! name, birth date and sex gets none.

use crate::findings::RowFindings;
use crate::normalize::NormalRow;
use crate::normalize::dates::{DateReading, format_date};
use crate::record::{Cell, Field};
use crate::registry::compare::{NumberAgreement, Probe};
use crate::registry::matching::{Outcome, Verdict};
use crate::registry::{Registry, Resident};
use crate::rules::{Code, Detail};

/// The digits of an ID cell, letters O and I read as the digits they look like; the number
/// itself when the reader restored one.
fn digits(row: &NormalRow<'_, '_>) -> String {
    if let Some(n) = row.id.number() {
        return n.as_str().to_string();
    }
    match row.raw.get(Field::IdNumber) {
        Cell::Text(t) => t
            .chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c),
                'O' | 'o' => Some('0'),
                'I' | 'l' => Some('1'),
                _ => None,
            })
            .collect(),
        Cell::Number(n) if n.is_finite() && *n >= 0.0 && *n < 1e15 => {
            crate::record::format_number(*n)
        }
        _ => String::new(),
    }
}

/// What the record says, for matching; `communes` are its place's 2025 communes.
pub fn probe<'a>(row: &'a NormalRow<'_, '_>, communes: &'a [u32]) -> Probe<'a> {
    let name = row.name.clean();
    Probe {
        name,
        folded: name.map(crate::normalize::text::fold).unwrap_or_default(),
        number: row.id.number(),
        digits: digits(row),
        birth: row.birth,
        sex: row.gender.gender(),
        communes,
    }
}

/// The registry's number for a resident: the CCCD, else the old CMND.
fn number_of(r: &Resident) -> String {
    r.number
        .or(r.old_number)
        .map(|n| n.as_str().to_string())
        .unwrap_or_default()
}

/// The resident's birth date as the platform writes it, when the record's is not it.
fn other_birth(record: DateReading, r: &Resident) -> Option<String> {
    match (r.birth, record) {
        (DateReading::Full { date, .. }, rec) if rec.date() != Some(date) => {
            Some(format_date(date))
        }
        (DateReading::YearOnly(y), rec) if rec.year() != Some(y) => Some(y.to_string()),
        _ => None,
    }
}

/// Reports what the registry says of `row`, matched as `outcome`.
pub fn check(row: &NormalRow<'_, '_>, reg: &Registry, outcome: Outcome, out: &mut RowFindings<'_>) {
    let raw = row.raw;
    let shown = |f: Field| raw.get(f).display();
    let id_value = shown(Field::IdNumber);
    let matched = match outcome.verdict {
        Verdict::Uncovered => return,
        Verdict::Matched {
            resident,
            evidence,
            number,
        } => reg.resident(resident).map(|r| (r, evidence, number)),
        _ => None,
    };
    if outcome.number_holder.is_some() {
        let own = matched
            .filter(|(r, ..)| r.number.is_some() || r.old_number.is_some())
            .map(|(r, ..)| number_of(r))
            .unwrap_or_default();
        out.push(
            Some(Field::IdNumber),
            Code::RegIdOtherPerson,
            &id_value,
            &own,
            Detail::None,
        );
    }
    match outcome.verdict {
        Verdict::Ambiguous { candidates } => out.push(
            Some(Field::IdNumber),
            Code::RegAmbiguous,
            &id_value,
            "",
            Detail::People(candidates),
        ),
        Verdict::NotFound => out.push(
            Some(Field::IdNumber),
            Code::RegNotFound,
            &id_value,
            "",
            Detail::None,
        ),
        _ => {}
    }
    let Some((r, evidence, number)) = matched else {
        return;
    };
    let why = Detail::Evidence(evidence);
    let proposed = number_of(r);
    // The resident's own number, or their old CMND when the registry has nothing newer, is right.
    let right = number == NumberAgreement::Same
        || (number == NumberAgreement::OldNumber && r.number.is_none());
    let wrong_number = !right;
    if wrong_number && outcome.number_holder.is_none() && !proposed.is_empty() {
        out.push(
            Some(Field::IdNumber),
            Code::RegIdProposed,
            &id_value,
            &proposed,
            why,
        );
    }
    if row.name.clean() != Some(&*r.name) {
        out.push(
            Some(Field::FullName),
            Code::RegNameMismatch,
            &shown(Field::FullName),
            &r.name,
            why,
        );
    }
    if let Some(birth) = other_birth(row.birth, r) {
        out.push(
            Some(Field::BirthDate),
            Code::RegDobMismatch,
            &shown(Field::BirthDate),
            &birth,
            why,
        );
    }
    if let Some(sex) = r.sex
        && row.gender.gender() != Some(sex)
    {
        out.push(
            Some(Field::Gender),
            Code::RegSexMismatch,
            &shown(Field::Gender),
            sex.label(),
            why,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::gender::Gender;
    use crate::registry::testing::residents;
    use crate::registry::{RegistryStats, matching};

    fn registry() -> Registry {
        let people = residents(
            &[
                ("079090001234", "Nguyễn Văn An", (1, 2, 1990), Gender::Male),
                (
                    "079185002222",
                    "Trần Thị Bình",
                    (12, 5, 1985),
                    Gender::Female,
                ),
            ],
            7,
        );
        Registry::new(people, RegistryStats::default())
    }

    /// The findings of a row (name, birth date, sex, number) in commune 7.
    fn found(cells: [&'static str; 4]) -> Vec<(Code, String, String)> {
        let fields = [
            Field::FullName,
            Field::BirthDate,
            Field::Gender,
            Field::IdNumber,
        ];
        let cells: Vec<(Field, Cell<&str>)> = fields
            .into_iter()
            .zip(cells)
            .map(|(f, v)| {
                (
                    f,
                    if v.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(v)
                    },
                )
            })
            .collect();
        let reg = registry();
        crate::rules::testing::run_cells(&cells, |row, out| {
            let outcome = matching::find(&reg, &probe(row, &[7]));
            check(row, &reg, outcome, out);
        })
        .into_iter()
        .map(|f| (f.code, f.value.to_string(), f.suggestion.to_string()))
        .collect()
    }

    #[test]
    fn an_agreeing_record_gets_nothing() {
        assert!(found(["Nguyễn Văn An", "01/02/1990", "Nam", "079090001234"]).is_empty());
    }

    #[test]
    fn the_registry_proposes_each_field_that_differs() {
        let f = found(["Nguyen Van An", "1990", "Nữ", "079090001234"]);
        let codes: Vec<Code> = f.iter().map(|(c, ..)| *c).collect();
        assert_eq!(
            codes,
            [
                Code::RegNameMismatch,
                Code::RegDobMismatch,
                Code::RegSexMismatch
            ],
            "{f:?}"
        );
        assert_eq!(f[0].2, "Nguyễn Văn An");
        assert_eq!(f[1].2, "01/02/1990");
        assert_eq!(f[2].2, "Nam");
        let f = found(["Nguyễn Văn An", "01/02/1990", "Nam", ""]);
        assert_eq!(
            f,
            [(
                Code::RegIdProposed,
                String::new(),
                "079090001234".to_string()
            )]
        );
    }

    #[test]
    fn someone_elses_number_is_said_with_the_persons_own() {
        let f = found(["Trần Thị Bình", "12/05/1985", "Nữ", "079090001234"]);
        assert_eq!(
            f,
            [(
                Code::RegIdOtherPerson,
                "079090001234".to_string(),
                "079185002222".to_string()
            )]
        );
        let f = found(["Phạm Văn Cường", "01/01/1960", "Nam", ""]);
        assert_eq!(f, [(Code::RegNotFound, String::new(), String::new())]);
    }
}
