//! Corrections against the population registry (`apply-corrections --registry`). A list exported
//! with a registry shows the registry's values in `Gợi ý sửa`, marked as such; `Đã sửa` beside
//! them with nothing retyped accepts them ([`confirmed_suggestions`]). Every corrected person is
//! then looked up by their new number: a number the registry gives to someone clearly else is
//! sent back (`REG_ID_OTHER_PERSON`), and values that are exactly a resident's need no note to
//! replace a whole identity ([`check`]).

use chrono::NaiveDate;

use super::returned::ReturnedRow;
use super::{Reason, canonical};
use crate::i18n::Lang;
use crate::normalize::identifiers::{IdReading, read_id};
use crate::output::export::field_label;
use crate::output::list_workbook::registry_suggestion;
use crate::record::shown::Shown;
use crate::record::{Cell, Field};
use crate::registry::Registry;
use crate::registry::compare::{NameAgreement, name_agreement};
use crate::rules::Code;

/// The registry's suggestions of a returned row, read as corrections: what `Đã sửa` with
/// nothing retyped accepts. Empty when the row has none (or one cannot be read).
pub fn confirmed_suggestions(
    r: &ReturnedRow,
    today: NaiveDate,
    lang: Lang,
) -> Shown<Option<String>> {
    let mut fixes: Shown<Option<String>> = Shown::default();
    for line in r.suggestions().lines() {
        let Some((label, value)) = registry_suggestion(line) else {
            continue;
        };
        let field = [
            Field::FullName,
            Field::BirthDate,
            Field::Gender,
            Field::IdNumber,
        ]
        .into_iter()
        .find(|f| field_label(*f) == label);
        let Some(field) = field else { continue };
        if let (Ok(v), Some(slot)) = (
            canonical(field, &Cell::Text(value.to_string()), today, lang),
            fixes.get_mut(field),
        ) {
            *slot = Some(v);
        }
    }
    fixes
}

/// What the registry says of a corrected person.
#[derive(Debug, Clone, PartialEq)]
pub enum Said {
    /// The values are exactly a resident's (number, name, birth date, sex).
    Confirmed,
    /// The new number is a resident's who is clearly someone else.
    OtherPerson(Reason),
    /// Nothing either way (the number is not in the registry, or fits only in part).
    Nothing,
}

/// Looks the corrected person up by their number, when the number was corrected or the row
/// otherwise changed.
pub fn check(reg: &Registry, values: &Shown<String>, id_fixed: bool, lang: Lang) -> Said {
    let number = match read_id(&Cell::Text(values.id.as_str()), 9999) {
        IdReading::Valid { id, .. } | IdReading::LeadingZeroLost { id } => id,
        _ => return Said::Nothing,
    };
    let Some(resident) = reg.by_number(number).and_then(|i| reg.resident(i)) else {
        return Said::Nothing;
    };
    let name = crate::normalize::names::read_name(&values.name);
    let name = name.clean();
    let folded = name.map(crate::normalize::text::fold).unwrap_or_default();
    let agreement = name_agreement(name, &folded, &resident.name);
    if id_fixed && agreement == NameAgreement::Different {
        return Said::OtherPerson(Reason {
            why: super::why::Why::Rule(Code::RegIdOtherPerson),
            field: Some(Field::IdNumber),
            message: crate::rules::message(
                Code::RegIdOtherPerson,
                crate::rules::Detail::None,
                lang,
            ),
        });
    }
    let today = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default();
    let birth = crate::normalize::dates::read_date(&Cell::Text(values.birth.as_str()), today);
    let sex = crate::normalize::gender::read_gender(&Cell::Text(values.gender.as_str())).gender();
    let same = name == Some(&*resident.name)
        && resident.birth.date().is_some()
        && birth.date() == resident.birth.date()
        && resident.sex.is_some()
        && sex == resident.sex;
    if same { Said::Confirmed } else { Said::Nothing }
}
