//! A returned row checked: each correction read the way it was typed, the certain fixes and
//! the list's suggestions worked out, and the corrected person run through the scan's rules.

use chrono::NaiveDate;

use super::returned::{Integrity, ReturnedRow};
use super::{Outcome, Reason, Status, Why, read_status, registry, suspect};
use crate::findings::{RowFindings, RowInfo, Severity};
use crate::i18n::Lang;
use crate::normalize::dates::{DateReading, format_date, read_date};
use crate::normalize::gender::read_gender;
use crate::normalize::identifiers::{IdReading, read_id};
use crate::normalize::names::{NameReading, read_name};
use crate::normalize::normalize_row;
use crate::normalize::phones::{PhoneReading, read_phone};
use crate::normalize::text::fold;
use crate::record::shown::Shown;
use crate::record::{Cell, CellRef, FIELD_COUNT, Field, RawRecord, RowLoc};
use crate::rules::{Code, message};

/// A reason of `why` about `field`, in `lang`.
pub(super) fn reason(why: Why, field: Option<Field>, lang: Lang) -> Reason {
    Reason {
        why,
        field,
        message: why.text(lang),
    }
}

/// A correction read the way it was typed: its canonical text, or why it cannot be used.
pub(super) fn canonical(
    field: Field,
    cell: &Cell<String>,
    today: NaiveDate,
    lang: Lang,
) -> Result<String, Reason> {
    let cell = cell.as_ref();
    let bad = |code: Code| Reason {
        why: Why::Rule(code),
        field: Some(field),
        message: message(code, crate::rules::Detail::None, lang),
    };
    match field {
        Field::FullName => match &cell {
            Cell::Text(t) => match read_name(t) {
                NameReading::Name { clean } => Ok(clean.to_string()),
                NameReading::Encoding { .. } | NameReading::Damaged { .. } => {
                    Err(bad(Code::NameEncoding))
                }
                NameReading::InvalidChars => Err(bad(Code::NameInvalidChars)),
                NameReading::Missing => Err(bad(Code::NameMissing)),
            },
            _ => Err(bad(Code::NameInvalidChars)),
        },
        Field::BirthDate => match read_date(&cell, today) {
            DateReading::Full { date, .. } => Ok(format_date(date)),
            DateReading::YearOnly(_) => Err(bad(Code::DobYearOnly)),
            _ => Err(bad(Code::DobInvalid)),
        },
        Field::Gender => read_gender(&cell)
            .gender()
            .map(|g| g.label().to_string())
            .ok_or_else(|| bad(Code::GenderInvalid)),
        Field::IdNumber => match read_id(&cell, chrono::Datelike::year(&today)) {
            IdReading::Valid { id, .. } | IdReading::LeadingZeroLost { id } => Ok(id.to_string()),
            IdReading::Missing => Err(bad(Code::IdMissing)),
            IdReading::PrecisionLost => Err(bad(Code::IdPrecisionLost)),
            IdReading::Placeholder => Err(bad(Code::IdPlaceholder)),
            IdReading::ProvinceCode { .. } | IdReading::CmndPrefix { .. } => {
                Err(bad(Code::IdProvinceCode))
            }
            IdReading::Format { .. } => Err(bad(Code::IdFormat)),
        },
        Field::Phone => match read_phone(&cell) {
            PhoneReading::Valid(d) | PhoneReading::Old(d) | PhoneReading::ZeroLost(d) => {
                Ok(d.to_string())
            }
            _ => Err(bad(Code::PhoneInvalid)),
        },
        _ => Err(bad(Code::NameInvalidChars)),
    }
}

/// A person's values as a record the rules can read (the dose date bounds the birth date).
pub(super) fn person_record(values: &Shown<String>, dose_date: Option<NaiveDate>) -> RawRecord<'_> {
    let mut cells: [CellRef<'_>; FIELD_COUNT] = Default::default();
    for (f, v) in values.iter() {
        if !v.trim().is_empty() {
            cells[f.index()] = Cell::Text(v.as_str().into());
        }
    }
    if let Some(d) = dose_date {
        cells[Field::DoseDate.index()] = Cell::Date(d);
    }
    RawRecord {
        loc: RowLoc::default(),
        cells,
    }
}

/// The fixes the rules are certain of for these values ([`crate::repair::certain_fixes`]).
pub(super) fn certain_of(values: &Shown<String>, today: NaiveDate) -> Shown<Option<String>> {
    let raw = person_record(values, None);
    let mut out: Shown<Option<String>> = Shown::default();
    for fix in crate::repair::certain_fixes(&raw, crate::rules::Columns::PERSON, today) {
        if let Some(slot) = out.get_mut(fix.field) {
            *slot = Some(fix.new);
        }
    }
    out
}

/// The suggestions a returned row shows in `Gợi ý sửa` (the rules' and the cross-record
/// checks', not the registry's), read as corrections: what `Đã sửa` with nothing retyped
/// accepts. They are then checked exactly as typed values are.
pub(super) fn suggested_of(r: &ReturnedRow, today: NaiveDate, lang: Lang) -> Shown<Option<String>> {
    let mut out: Shown<Option<String>> = Shown::default();
    for line in r.suggestions().lines() {
        if crate::output::list_workbook::registry_suggestion(line).is_some() {
            continue;
        }
        let Some((label, value)) = crate::output::list_workbook::suggestion_value(line) else {
            continue;
        };
        let field = crate::record::shown::SHOWN
            .into_iter()
            .find(|f| crate::output::export::field_label(*f) == label);
        let Some(field) = field else { continue };
        if out.get(field).is_none_or(Option::is_some) {
            continue;
        }
        if let (Ok(v), Some(slot)) = (
            canonical(field, &Cell::Text(value.to_string()), today, lang),
            out.get_mut(field),
        ) {
            *slot = Some(v);
        }
    }
    out
}

/// The findings of the person rules on these values (the dose date bounds the birth date).
pub(super) fn person_findings(
    values: &Shown<String>,
    dose_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<crate::findings::Finding> {
    let raw = person_record(values, dose_date);
    let row = normalize_row(&raw, today);
    let make = RowInfo::default;
    let mut findings = Vec::new();
    {
        let mut out = RowFindings::new(raw.loc, &make, &mut findings);
        crate::rules::check_person(&row, today, &mut out);
    }
    findings
}

/// Checks the corrected person with the scan's rules: a finding on a corrected field, or a
/// contradiction between the ID number and the sex or birth year when one of them was corrected,
/// rejects the row.
pub(super) fn check_rules(
    values: &Shown<String>,
    fixed: &Shown<bool>,
    certain: &Shown<bool>,
    dose_date: Option<NaiveDate>,
    today: NaiveDate,
    lang: Lang,
) -> Option<Reason> {
    let findings = person_findings(values, dose_date, today);
    let is_fixed = |f: Field| fixed.get(f).copied().unwrap_or(false);
    // A number the rules restored (a lost zero) is the number that was there: its agreement
    // with the sex and birth year is the team's to answer, as before.
    let typed_id = is_fixed(Field::IdNumber) && !certain.id;
    findings
        .iter()
        .filter(|f| {
            let serious = f.severity() == Severity::Error
                || matches!(f.code, Code::PhoneInvalid | Code::DobYearOnly);
            let on_fixed = f.field.is_some_and(is_fixed);
            // A new number must agree with the sex and birth year already there.
            let contradiction =
                typed_id && matches!(f.code, Code::IdGenderMismatch | Code::IdBirthYearMismatch);
            serious && (on_fixed || contradiction)
        })
        .min_by_key(|f| (f.field, f.code))
        .map(|f| Reason {
            why: Why::Rule(f.code),
            field: f.field,
            message: message(f.code, f.detail, lang),
        })
}

/// Whether the list found something wrong with the row's name (a finding of the rules on the
/// values shown, or a finding or suggestion of the list about the name): a new name is expected.
pub(super) fn name_expected(r: &ReturnedRow, today: NaiveDate) -> bool {
    let shown = r.shown().map(|s| s.to_string());
    let by_rules = person_findings(&shown, None, today)
        .iter()
        .any(|f| f.field == Some(Field::FullName));
    by_rules || fold(r.errors()).contains("ho ten") || r.suggestions().contains("Họ và tên")
}

/// The returned rows, their canonical corrections and the early verdicts (integrity, status,
/// unreadable corrections), before the sources are read.
pub(super) struct Draft {
    pub(super) fixes: Shown<Option<String>>,
    pub(super) early: Option<Outcome>,
    /// The fixes are the registry's suggestions, accepted with `Đã sửa`.
    pub(super) from_registry: bool,
    /// The fixes are the list's suggestions, accepted with `Đã sửa`.
    pub(super) from_suggestions: bool,
    /// The fields fixed by the rules' certain fixes rather than by the team.
    pub(super) certain: Shown<bool>,
}

impl Draft {
    /// Adds the rules' certain fixes of the fields the team left alone.
    fn with_certain(mut self, shown: &Shown<String>, today: NaiveDate) -> Draft {
        for (field, fix) in certain_of(shown, today).iter() {
            if let (Some(new), Some(Option::None)) = (fix, self.fixes.get(field)) {
                if let Some(slot) = self.fixes.get_mut(field) {
                    *slot = Some(new.clone());
                }
                if let Some(flag) = self.certain.get_mut(field) {
                    *flag = true;
                }
            }
        }
        self
    }
}

pub(super) fn draft(r: &ReturnedRow, today: NaiveDate, registry: bool, lang: Lang) -> Draft {
    let status = read_status(&r.fixes.status);
    let mut d = Draft {
        fixes: Default::default(),
        early: None,
        from_registry: false,
        from_suggestions: false,
        certain: Shown::default(),
    };
    let reject = |why| Some(Outcome::Rejected(reason(why, None, lang)));
    d.early = match r.integrity {
        Integrity::Added => reject(Why::RowAdded),
        Integrity::LockedEdited => reject(Why::LockedEdited),
        Integrity::Intact | Integrity::Moved => None,
    };
    if d.early.is_some() {
        return d;
    }
    let any = r.fixes.any();
    // With the registry at hand, `Đã sửa` beside its suggestions accepts them as typed.
    let confirmed = if registry && status == Status::Fixed && !any {
        registry::confirmed_suggestions(r, today, lang)
    } else {
        Shown::default()
    };
    let shown = r.shown().map(|s| s.to_string());
    if confirmed.iter().any(|(_, v)| v.is_some()) {
        d.fixes = confirmed;
        d.from_registry = true;
        return d.with_certain(&shown, today);
    }
    // `Đã sửa` beside the list's suggestions, with nothing retyped, accepts them.
    if status == Status::Fixed && !any {
        let suggested = suggested_of(r, today, lang);
        if suggested.iter().any(|(_, v)| v.is_some()) {
            d.fixes = suggested;
            d.from_suggestions = true;
            return d.with_certain(&shown, today);
        }
    }
    // `Thông tin đúng`: the person is right; what the rules are certain of is still made (a
    // lost zero kept would be listed again the next night).
    if status == Status::Confirmed && !any {
        d = d.with_certain(&shown, today);
        if d.fixes.iter().any(|(_, v)| v.is_some()) {
            return d;
        }
    }
    d.early = match (status, any) {
        (Status::Unknown, _) => reject(Why::StatusUnknown),
        (Status::Fixed, false) => reject(Why::NothingToApply),
        (Status::Confirmed, true) => reject(Why::ConfirmedWithFixes),
        (Status::Confirmed, false) => Some(Outcome::Confirmed),
        (Status::Unidentified, _) => Some(Outcome::Unidentified),
        (Status::MovedAway, _) => Some(Outcome::MovedAway),
        (Status::Deceased, _) => Some(Outcome::Deceased),
        (Status::Empty, false) => Some(Outcome::Pending),
        (Status::Fixed | Status::Empty, true) => None,
    };
    if d.early.is_some() {
        return d;
    }
    for (field, cell) in r.fixes.cells.iter() {
        if cell.is_blank() {
            continue;
        }
        if field == Field::FullName && suspect::name_too_long(&cell.display()) {
            d.early = Some(Outcome::Rejected(reason(
                Why::NameTooLong,
                Some(field),
                lang,
            )));
            return d;
        }
        match canonical(field, cell, today, lang) {
            Ok(v) => {
                if let Some(slot) = d.fixes.get_mut(field) {
                    *slot = Some(v);
                }
            }
            Err(why) => {
                d.early = Some(Outcome::Rejected(why));
                return d;
            }
        }
    }
    d.with_certain(&shown, today)
}

/// The exported values with the corrections laid over them.
pub(super) fn corrected(shown: Shown<&str>, fixes: &Shown<Option<String>>) -> Shown<String> {
    let pick = |fix: &Option<String>, was: &str| fix.clone().unwrap_or_else(|| was.to_string());
    Shown {
        name: pick(&fixes.name, shown.name),
        birth: pick(&fixes.birth, shown.birth),
        gender: pick(&fixes.gender, shown.gender),
        id: pick(&fixes.id, shown.id),
        phone: pick(&fixes.phone, shown.phone),
    }
}
