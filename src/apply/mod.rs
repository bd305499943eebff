//! `apply-corrections`' engine: what each returned row asks for, whether it may be applied, and
//! the changes it makes. Every correction is read the way people type it, then checked by the
//! very rules of the scan on the corrected record; rows are matched to the sources by key, or by
//! the values they showed when the source has moved on or when their keys are shared by two
//! inputs or two people; conflicts between workbooks and numbers given to two people are caught
//! before anything is written.
//!
//! [`returned`] reads the workbooks, [`source`] finds their records; writers live in
//! [`crate::output`].

pub mod authentic;
mod conflict;
pub mod import;
pub mod outputs;
pub mod registry;
pub mod returned;
pub mod source;
pub mod standing;
pub mod suspect;
pub mod unit;
pub mod verify;
pub mod why;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::findings::{RowFindings, RowInfo, Severity};
use crate::i18n::Lang;
use crate::normalize::dates::{DateReading, format_date, read_date};
use crate::normalize::gender::read_gender;
use crate::normalize::identifiers::{IdReading, read_id};
use crate::normalize::names::{NameReading, read_name};
use crate::normalize::normalize_row;
use crate::normalize::phones::{PhoneReading, read_phone};
use crate::normalize::places::Gazetteer;
use crate::normalize::text::fold;
use crate::record::shown::Shown;
use crate::record::{Cell, CellRef, FIELD_COUNT, Field, RawRecord, RowLoc};
use crate::rules::{Code, message};
use returned::{Integrity, Returned, ReturnedRow};
use source::{SourceIndex, Wanted, key_hashes, values_hash};
pub use why::Why;

/// The verification results of the status column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `Đã sửa`: apply the corrections.
    Fixed,
    /// `Thông tin đúng`: the record is right as it is.
    Confirmed,
    /// `Không xác định được`.
    Unidentified,
    /// `Đã chuyển đi`.
    MovedAway,
    /// `Đã mất`.
    Deceased,
    /// Nothing chosen.
    Empty,
    /// Something else was typed.
    Unknown,
}

/// Reads the status as typed ("da sua", "ĐÃ SỬA ", "Thông tin đúng"…).
pub fn read_status(text: &str) -> Status {
    if text.trim().is_empty() {
        return Status::Empty;
    }
    let f = fold(text);
    let f = f.split_whitespace().collect::<Vec<_>>().join(" ");
    match f.as_str() {
        "da sua" => Status::Fixed,
        "thong tin dung" | "dung" => Status::Confirmed,
        "khong xac dinh duoc" | "khong xac dinh" => Status::Unidentified,
        "da chuyen di" | "chuyen di" => Status::MovedAway,
        "da mat" | "mat" | "da chet" => Status::Deceased,
        _ => Status::Unknown,
    }
}

/// Why a row cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Why, with its stable code: a finding of the rules, or one of apply's own.
    pub why: Why,
    /// The field it is about, if one.
    pub field: Option<Field>,
    /// In plain words.
    pub message: String,
}

/// What became of a returned row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The corrections were applied.
    Applied,
    /// The source already holds the corrected values.
    AlreadyApplied,
    /// The same corrections came in another workbook, which applied them.
    Duplicate,
    /// `Thông tin đúng`.
    Confirmed,
    /// `Không xác định được`.
    Unidentified,
    /// `Đã chuyển đi`.
    MovedAway,
    /// `Đã mất`.
    Deceased,
    /// Nothing filled in yet.
    Pending,
    /// Sent back.
    Rejected(Reason),
}

impl Outcome {
    /// A stable code for summaries.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::AlreadyApplied => "already_applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Confirmed => "confirmed",
            Outcome::Unidentified => "unidentified",
            Outcome::MovedAway => "moved",
            Outcome::Deceased => "deceased",
            Outcome::Pending => "pending",
            Outcome::Rejected(_) => "rejected",
        }
    }

    /// How the verification list says it.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Applied | Outcome::AlreadyApplied | Outcome::Duplicate => "Đã sửa",
            Outcome::Confirmed => "Thông tin đúng",
            Outcome::Unidentified => "Không xác định được",
            Outcome::MovedAway => "Đã chuyển đi",
            Outcome::Deceased => "Đã mất",
            Outcome::Pending => "Chưa xác minh",
            Outcome::Rejected(r) if r.why == Why::RowDeleted => "Dòng bị xoá",
            Outcome::Rejected(_) => "Bị trả lại",
        }
    }

    /// Why a row that changed nothing (`unchanged` in the audit) changed nothing; rows applied or
    /// sent back have their own reasons, and are never asked.
    pub fn unchanged(&self) -> Why {
        match self {
            Outcome::AlreadyApplied => Why::AlreadyApplied,
            Outcome::Duplicate => Why::Duplicate,
            Outcome::Confirmed => Why::Confirmed,
            Outcome::Unidentified => Why::Unidentified,
            Outcome::MovedAway => Why::MovedAway,
            Outcome::Deceased => Why::Deceased,
            Outcome::Pending | Outcome::Applied | Outcome::Rejected(_) => Why::Pending,
        }
    }
}

/// One field of one source record changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The source row (index into [`SourceIndex::rows`]).
    pub row: usize,
    /// The field.
    pub field: Field,
    /// The value before.
    pub old: String,
    /// The value after.
    pub new: String,
    /// A fix the rules are certain of, made for the person without anyone asking
    /// ([`crate::repair`]).
    pub certain: bool,
}

/// A returned row and what became of it.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Index of the workbook.
    pub workbook: usize,
    /// Index of the row in the workbook (`None` for a row deleted from the list).
    pub row: Option<usize>,
    /// Record keys of the row.
    pub keys: Vec<String>,
    /// The source rows it stands for.
    pub matched: Vec<usize>,
    /// The canonical corrections, by field.
    pub fixes: Shown<Option<String>>,
    /// What became of it.
    pub outcome: Outcome,
    /// The changes made (for [`Outcome::Applied`]).
    pub changes: Vec<Change>,
    /// Whether the row was moved in the list (it is applied all the same).
    pub moved: bool,
    /// Whether the corrections are the population registry's suggestions, accepted with
    /// `Đã sửa` (the audit says so).
    pub from_registry: bool,
    /// Whether the corrections are the list's suggestions, accepted with `Đã sửa` and nothing
    /// retyped (the audit says so).
    pub from_suggestions: bool,
    /// The fields whose correction is a certain fix of the rules rather than the team's.
    pub certain: Shown<bool>,
    /// The first list row it descends from: its side in a conflict between lists.
    pub origin: String,
    /// The place typed in `Địa chỉ đúng` (lists of people whose place is unknown), as the
    /// gazetteer names it: province, district, commune and the rest of the address.
    pub place: Vec<(Field, String)>,
}

/// Reads a place typed in `Địa chỉ đúng` ("Thôn 3, Xã Tân Mỹ, Huyện Ba Tri, Tỉnh Bến Tre"; the
/// province or district may be left out when the list names them): the fields it sets, canonical
/// names for the units and the rest as the address. `None` when the gazetteer cannot place it
/// down to the commune.
pub fn read_place(
    text: &str,
    gazetteer: &Gazetteer,
    province: &str,
    district: &str,
) -> Option<Vec<(Field, String)>> {
    let parts: Vec<String> = text
        .split([',', ';'])
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    let n = parts.len();
    let part = |i: usize| parts.get(i).map_or("", String::as_str);
    // (province, district, commune, parts before them), the fullest reading first.
    let mut readings: Vec<(String, String, String, usize)> = Vec::new();
    if n >= 3 {
        readings.push((
            part(n - 1).into(),
            part(n - 2).into(),
            part(n - 3).into(),
            n - 3,
        ));
    }
    if n >= 2 {
        readings.push((part(n - 1).into(), String::new(), part(n - 2).into(), n - 2));
        readings.push((
            province.into(),
            part(n - 1).into(),
            part(n - 2).into(),
            n - 2,
        ));
    }
    if n >= 1 {
        readings.push((province.into(), district.into(), part(n - 1).into(), n - 1));
    }
    readings.into_iter().find_map(|(p, d, c, rest)| {
        let place = gazetteer.resolve_either(&p, &d, &c, !d.is_empty());
        if place.unknown {
            return None;
        }
        let commune = place.commune?;
        let mut out = Vec::new();
        if let Some(p) = place.province {
            out.push((Field::Province, p));
        }
        if let Some(d) = place.district {
            out.push((Field::District, d));
        }
        out.push((Field::Commune, commune));
        if rest > 0 {
            out.push((Field::Address, parts[..rest].join(", ")));
        }
        Some(out)
    })
}

fn reason(why: Why, field: Option<Field>, lang: Lang) -> Reason {
    Reason {
        why,
        field,
        message: why.text(lang),
    }
}

/// A correction read the way it was typed: its canonical text, or why it cannot be used.
fn canonical(
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
fn person_record(values: &Shown<String>, dose_date: Option<NaiveDate>) -> RawRecord<'_> {
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
fn certain_of(values: &Shown<String>, today: NaiveDate) -> Shown<Option<String>> {
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
fn suggested_of(r: &ReturnedRow, today: NaiveDate, lang: Lang) -> Shown<Option<String>> {
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
fn person_findings(
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
fn check_rules(
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
fn name_expected(r: &ReturnedRow, today: NaiveDate) -> bool {
    let shown = r.shown().map(|s| s.to_string());
    let by_rules = person_findings(&shown, None, today)
        .iter()
        .any(|f| f.field == Some(Field::FullName));
    by_rules || fold(r.errors()).contains("ho ten") || r.suggestions().contains("Họ và tên")
}

/// The returned rows, their canonical corrections and the early verdicts (integrity, status,
/// unreadable corrections), before the sources are read.
struct Draft {
    fixes: Shown<Option<String>>,
    early: Option<Outcome>,
    /// The fixes are the registry's suggestions, accepted with `Đã sửa`.
    from_registry: bool,
    /// The fixes are the list's suggestions, accepted with `Đã sửa`.
    from_suggestions: bool,
    /// The fields fixed by the rules' certain fixes rather than by the team.
    certain: Shown<bool>,
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

fn draft(r: &ReturnedRow, today: NaiveDate, registry: bool, lang: Lang) -> Draft {
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
fn corrected(shown: Shown<&str>, fixes: &Shown<Option<String>>) -> Shown<String> {
    let pick = |fix: &Option<String>, was: &str| fix.clone().unwrap_or_else(|| was.to_string());
    Shown {
        name: pick(&fixes.name, shown.name),
        birth: pick(&fixes.birth, shown.birth),
        gender: pick(&fixes.gender, shown.gender),
        id: pick(&fixes.id, shown.id),
        phone: pick(&fixes.phone, shown.phone),
    }
}

/// What the engine needs to know of the run.
pub struct Context<'a> {
    /// The run's date.
    pub today: NaiveDate,
    /// Message language.
    pub lang: Lang,
    /// The returned workbooks.
    pub returned: &'a [Returned],
    /// The units records are filed in (as `export-list` files its lists).
    pub gazetteer: &'a Gazetteer,
    /// The population registry corrections are checked against (`--registry`), if any.
    pub registry: Option<&'a crate::registry::Registry>,
}

/// Everything the sources are searched for, from the returned rows.
pub fn wanted(ctx: &Context<'_>) -> Wanted {
    let mut w = Wanted::default();
    for book in ctx.returned {
        for del in &book.deleted {
            for k in &del.keys {
                w.keys.extend(key_hashes(k));
            }
        }
        for r in &book.rows {
            for k in &r.keys {
                w.keys.extend(key_hashes(k));
            }
            let d = draft(r, ctx.today, ctx.registry.is_some(), ctx.lang);
            w.values.insert(values_hash(&r.shown().as_array()));
            if d.early.is_none() {
                w.values
                    .insert(values_hash(&corrected(r.shown(), &d.fixes).as_array()));
                if let Some(id) = &d.fixes.id {
                    w.ids.insert(id.clone());
                }
            }
        }
    }
    w
}

/// Record keys that do not tell one record.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shared {
    /// In these inputs (their names), two or more.
    Inputs(Vec<String>),
    /// On different people, in this input.
    People(String),
}

impl Shared {
    /// Why a row with such keys was not found, for its reason and its list's refusal.
    fn reason(&self, lang: Lang) -> Reason {
        let quoted = |names: &[String], and: &str| {
            let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            match q.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} {and} {last}", rest.join(", "))
                }
                _ => q.join(""),
            }
        };
        let message = match (self, lang) {
            (Shared::Inputs(names), Lang::Vi) => format!(
                "mã bản ghi dùng chung ở {} tệp nguồn: {}; không bản ghi nào mang mã này có đúng thông tin như trong danh sách",
                names.len(),
                quoted(names, "và")
            ),
            (Shared::Inputs(names), Lang::En) => format!(
                "record keys shared by {} inputs: {}; no record with these keys shows the values on the list",
                names.len(),
                quoted(names, "and")
            ),
            (Shared::People(name), Lang::Vi) => format!(
                "mã bản ghi dùng chung cho nhiều người khác nhau trong '{name}'; không bản ghi nào mang mã này có đúng thông tin như trong danh sách"
            ),
            (Shared::People(name), Lang::En) => format!(
                "record keys shared by different people in '{name}'; no record with these keys shows the values on the list"
            ),
        };
        Reason {
            why: Why::KeyShared,
            field: None,
            message,
        }
    }
}

/// Whether the rows the keys stand for hold more than one input, or more than one person (another
/// folded name or birth date) in one input: then the keys do not tell the record.
fn shared_keys(keys: &[String], index: &SourceIndex) -> Option<Shared> {
    let name = |s: u32| {
        index
            .sources
            .get(s as usize)
            .cloned()
            .unwrap_or_else(|| format!("#{}", s + 1))
    };
    let mut inputs: Vec<u32> = Vec::new();
    let mut people_in: Option<u32> = None;
    for k in keys {
        let rows: Vec<usize> = rows_by_keys(std::slice::from_ref(k), index);
        let Some(&first) = rows.first() else { continue };
        let person = |i: usize| {
            let r = &index.rows[i];
            (fold(r.get(Field::FullName)), r.get(Field::BirthDate))
        };
        let mut sources: Vec<u32> = rows.iter().map(|&i| index.rows[i].loc.source).collect();
        sources.sort_unstable();
        sources.dedup();
        if sources.len() > 1 {
            inputs.extend(sources);
        } else if rows.iter().any(|&i| person(i) != person(first)) {
            people_in.get_or_insert(index.rows[first].loc.source);
        }
    }
    inputs.sort_unstable();
    inputs.dedup();
    if !inputs.is_empty() {
        return Some(Shared::Inputs(inputs.into_iter().map(name).collect()));
    }
    people_in.map(|s| Shared::People(name(s)))
}

/// How a row's records were found.
enum Found {
    /// These rows, as exported.
    Rows(Vec<usize>),
    /// The corrections are already there.
    Applied(Vec<usize>),
    /// Not found.
    Stale(Reason),
}

/// The source rows any of `keys` stands for, in order, once each.
fn rows_by_keys(keys: &[String], index: &SourceIndex) -> Vec<usize> {
    let mut rows: Vec<usize> = keys
        .iter()
        .flat_map(|k| key_hashes(k))
        .filter_map(|h| index.by_key.get(&h))
        .flatten()
        .copied()
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

fn find(
    r: &ReturnedRow,
    fixes: &Shown<Option<String>>,
    index: &SourceIndex,
    in_unit: &dyn Fn(usize) -> bool,
    lang: Lang,
) -> Found {
    let exported = values_hash(&r.shown().as_array());
    let target = values_hash(&corrected(r.shown(), fixes).as_array());
    let by_key = rows_by_keys(&r.keys, index);
    let shared = if by_key.len() > 1 {
        shared_keys(&r.keys, index)
    } else {
        None
    };
    if let Some(shared) = &shared {
        // The keys stand for records of other inputs or people too: only the records of the
        // listed person (the name and birth date shown, or corrected) are this row's, and each
        // key must still stand for one of them.
        let fixed = corrected(r.shown(), fixes);
        let people = [
            (fold(r.shown().name), r.shown().birth.trim().to_string()),
            (fold(&fixed.name), fixed.birth.trim().to_string()),
        ];
        let listed = |i: usize| {
            let row = &index.rows[i];
            let me = (
                fold(row.get(Field::FullName)),
                row.get(Field::BirthDate).to_string(),
            );
            people.contains(&me)
        };
        let mut rows = Vec::new();
        let mut keys_found = 0;
        for k in &r.keys {
            let mine: Vec<usize> = rows_by_keys(std::slice::from_ref(k), index)
                .into_iter()
                .filter(|&i| listed(i))
                .collect();
            keys_found += usize::from(!mine.is_empty());
            rows.extend(mine);
        }
        rows.sort_unstable();
        rows.dedup();
        if keys_found == 0 {
            // Renumbered elsewhere, perhaps: the values alone, as below; else the shared keys
            // are the cause.
            return match by_values(exported, target, index, in_unit, lang) {
                Some(found) => found,
                None => Found::Stale(shared.reason(lang)),
            };
        }
        if keys_found == r.keys.len() {
            if rows.iter().all(|&i| index.rows[i].values == exported) {
                return Found::Rows(rows);
            }
            if rows.iter().all(|&i| index.rows[i].values == target) {
                return Found::Applied(rows);
            }
        }
        return Found::Stale(stale_changed(lang));
    }
    if !by_key.is_empty() {
        if by_key.iter().all(|&i| index.rows[i].values == exported) {
            return Found::Rows(by_key);
        }
        if by_key.iter().all(|&i| index.rows[i].values == target) {
            return Found::Applied(by_key);
        }
        // Someone changed the record since the export: a correction made on the old values
        // must not land on the new ones.
        return Found::Stale(stale_changed(lang));
    }
    // The keys are gone (a newer dump renumbered its rows): look for the values shown.
    by_values(exported, target, index, in_unit, lang)
        .unwrap_or_else(|| Found::Stale(reason(Why::StaleGone, None, lang)))
}

fn stale_changed(lang: Lang) -> Reason {
    reason(Why::StaleChanged, None, lang)
}

/// The rows of the list's unit showing the exported values, else the corrected ones; `None` when
/// there are none anywhere. Rows showing them only in other units are not this list's to correct.
fn by_values(
    exported: u64,
    target: u64,
    index: &SourceIndex,
    in_unit: &dyn Fn(usize) -> bool,
    lang: Lang,
) -> Option<Found> {
    let mut elsewhere = false;
    for (hash, applied) in [(exported, false), (target, true)] {
        let Some(rows) = index.by_values.get(&hash) else {
            continue;
        };
        let rows: Vec<usize> = rows.iter().copied().filter(|&i| in_unit(i)).collect();
        if rows.is_empty() {
            elsewhere = true;
            continue;
        }
        let units: std::collections::HashSet<u64> =
            rows.iter().map(|&i| index.rows[i].unit).collect();
        if units.len() > 1 {
            return Some(Found::Stale(reason(Why::StaleAmbiguous, None, lang)));
        }
        return Some(if applied {
            Found::Applied(rows)
        } else {
            Found::Rows(rows)
        });
    }
    elsewhere.then(|| Found::Stale(reason(Why::OutsideUnit, None, lang)))
}

/// Decides every returned row. The result has one decision per returned row (in workbook and
/// row order) and one per exported row deleted from its list.
pub fn decide(ctx: &Context<'_>, index: &SourceIndex) -> Vec<Decision> {
    let lang = ctx.lang;
    let units = unit::Units::new(ctx.gazetteer);
    let mut out: Vec<Decision> = Vec::new();
    for (wi, book) in ctx.returned.iter().enumerate() {
        let list_unit = unit::of_list(&book.identity);
        let division = book.identity.division();
        let in_unit = |i: usize| units.of_row(&index.rows[i], division) == list_unit;
        for (ri, r) in book.rows.iter().enumerate() {
            let d = draft(r, ctx.today, ctx.registry.is_some(), lang);
            let mut decision = Decision {
                workbook: wi,
                row: Some(ri),
                keys: r.keys.clone(),
                matched: Vec::new(),
                fixes: d.fixes.clone(),
                outcome: Outcome::Pending,
                changes: Vec::new(),
                moved: r.integrity == Integrity::Moved,
                from_registry: d.from_registry,
                from_suggestions: d.from_suggestions,
                certain: d.certain,
                origin: r.origin.clone(),
                place: Vec::new(),
            };
            if let Some(early) = d.early {
                decision.outcome = early;
                out.push(decision);
                continue;
            }
            match find(r, &d.fixes, index, &in_unit, lang) {
                Found::Stale(why) => decision.outcome = Outcome::Rejected(why),
                // A list corrects the people of its unit only: a person none of whose records
                // is there is another unit's, whatever the row's keys say.
                Found::Applied(rows) | Found::Rows(rows) if !rows.iter().any(|&i| in_unit(i)) => {
                    decision.outcome = Outcome::Rejected(reason(Why::OutsideUnit, None, lang));
                }
                Found::Applied(rows) => {
                    decision.matched = rows;
                    decision.outcome = Outcome::AlreadyApplied;
                }
                Found::Rows(rows) => {
                    // A place typed for a person whose place is unknown: checked against the
                    // gazetteer, then applied with the rest.
                    let typed_place = r.fixes.address.trim();
                    if !typed_place.is_empty() {
                        let id = &book.identity;
                        match read_place(
                            typed_place,
                            ctx.gazetteer,
                            id.get("province"),
                            id.get("district"),
                        ) {
                            Some(place) => decision.place = place,
                            None => {
                                decision.matched = rows;
                                decision.outcome = Outcome::Rejected(reason(
                                    Why::Rule(Code::AddressUnknown),
                                    Some(Field::Commune),
                                    lang,
                                ));
                                out.push(decision);
                                continue;
                            }
                        }
                    }
                    let dose = rows.iter().filter_map(|&i| index.rows[i].dose_date).min();
                    let values = corrected(r.shown(), &d.fixes);
                    let fixed = d.fixes.map(Option::is_some);
                    decision.matched = rows;
                    let said = ctx.registry.map_or(registry::Said::Nothing, |reg| {
                        registry::check(reg, &values, fixed.id, lang)
                    });
                    let why = check_rules(&values, &fixed, &d.certain, dose, ctx.today, lang)
                        .or(match said.clone() {
                            registry::Said::OtherPerson(why) => Some(why),
                            // Values taken from the list as the registry's must be the registry's.
                            registry::Said::Nothing if d.from_registry => {
                                Some(reason(Why::RegistryUnconfirmed, None, lang))
                            }
                            _ => None,
                        })
                        .or_else(|| {
                            // The registry's own values need no note to replace an identity.
                            if said == registry::Said::Confirmed {
                                return None;
                            }
                            let expected = name_expected(r, ctx.today);
                            suspect::check(r.shown(), &d.fixes, expected, &r.fixes.note, lang)
                        });
                    decision.outcome = match why {
                        Some(why) => Outcome::Rejected(why),
                        None => Outcome::Applied,
                    };
                }
            }
            out.push(decision);
        }
        for del in &book.deleted {
            // Keys shared with other inputs or people: which of their records was listed is
            // not known, so the row is sent back by its keys alone.
            let matched = match shared_keys(&del.keys, index) {
                Some(_) => Vec::new(),
                None => rows_by_keys(&del.keys, index),
            };
            out.push(Decision {
                workbook: wi,
                row: None,
                keys: del.keys.clone(),
                matched,
                fixes: Default::default(),
                outcome: Outcome::Rejected(reason(Why::RowDeleted, None, lang)),
                changes: Vec::new(),
                moved: false,
                from_registry: false,
                from_suggestions: false,
                certain: Shown::default(),
                origin: del.origin.clone(),
                place: Vec::new(),
            });
        }
    }
    conflict::conflicts(&mut out, ctx, index);
    for d in &mut out {
        if d.outcome != Outcome::Applied {
            continue;
        }
        for &row in &d.matched {
            let place = d.place.iter().map(|(f, v)| (*f, Some(v)));
            let fixes = d.fixes.iter().map(|(f, v)| (f, v.as_ref()));
            for (field, fix) in fixes.chain(place) {
                let Some(new) = fix else { continue };
                let old = index.rows[row].get(field);
                if old != new {
                    d.changes.push(Change {
                        row,
                        field,
                        old: old.to_string(),
                        new: new.clone(),
                        certain: d.certain.get(field).copied().unwrap_or(false),
                    });
                }
            }
        }
        if d.changes.is_empty() {
            d.outcome = Outcome::AlreadyApplied;
        }
    }
    out
}

/// Whether a row's records were not found (stale, or behind keys shared by two inputs or people).
fn not_found(o: &Outcome) -> bool {
    matches!(o, Outcome::Rejected(r) if r.why.not_found())
}

/// Lists of other data: the workbooks none of whose rows can be found (rows were tried, and every
/// one tried was stale or behind shared keys), each with the cause worth naming (keys shared by
/// two inputs or people), if one.
pub fn foreign(decisions: &[Decision], workbooks: usize) -> BTreeMap<usize, Option<String>> {
    let mut out = BTreeMap::new();
    for w in 0..workbooks {
        let mine: Vec<&Decision> = decisions.iter().filter(|d| d.workbook == w).collect();
        let tried = mine
            .iter()
            .filter(|d| !d.matched.is_empty() || not_found(&d.outcome))
            .count();
        // Found as exported or as corrected; rows that are all stale mean other (or much older) data.
        let stale = mine.iter().filter(|d| not_found(&d.outcome)).count();
        if tried > 0 && tried == stale {
            let cause = mine.iter().find_map(|d| match &d.outcome {
                Outcome::Rejected(r) if r.why == Why::KeyShared => Some(r.message.clone()),
                _ => None,
            });
            out.insert(w, cause);
        }
    }
    out
}

/// Counts for summaries: outcomes and reasons.
pub fn counts(
    decisions: &[Decision],
) -> (BTreeMap<&'static str, u64>, BTreeMap<&'static str, u64>) {
    let mut outcomes = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    for d in decisions {
        *outcomes.entry(d.outcome.code()).or_insert(0) += 1;
        if let Outcome::Rejected(r) = &d.outcome {
            *reasons.entry(r.why.code()).or_insert(0) += 1;
        }
    }
    (outcomes, reasons)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
    }

    #[test]
    fn a_typed_place_is_read_against_the_gazetteer() {
        let g = Gazetteer::builtin();
        let full = read_place("Thôn 2, Xã Tân Mỹ, Huyện Ba Tri, Tỉnh Bến Tre", &g, "", "");
        let want = vec![
            (Field::Province, "Tỉnh Bến Tre".to_string()),
            (Field::District, "Huyện Ba Tri".to_string()),
            (Field::Commune, "Xã Tân Mỹ".to_string()),
            (Field::Address, "Thôn 2".to_string()),
        ];
        assert_eq!(full.as_ref(), Some(&want));
        // The list's province and district fill in what is left out.
        let short = read_place("Thôn 2 , xa tan my", &g, "Tỉnh Bến Tre", "Huyện Ba Tri");
        assert_eq!(short.as_ref(), Some(&want));
        assert_eq!(
            read_place("Thôn 9, Xã Không Hề Có", &g, "Tỉnh Bến Tre", "Huyện Ba Tri"),
            None
        );
        assert_eq!(read_place("", &g, "Tỉnh Bến Tre", "Huyện Ba Tri"), None);
    }

    #[test]
    fn statuses_are_read_as_typed() {
        for (typed, status) in [
            ("Đã sửa", Status::Fixed),
            (" da  sua ", Status::Fixed),
            ("ĐÃ SỬA", Status::Fixed),
            ("Thông tin đúng", Status::Confirmed),
            ("Không xác định được", Status::Unidentified),
            ("Đã chuyển đi", Status::MovedAway),
            ("Đã mất", Status::Deceased),
            ("", Status::Empty),
            ("ok", Status::Unknown),
        ] {
            assert_eq!(read_status(typed), status, "{typed:?}");
        }
    }

    #[test]
    fn corrections_are_read_as_people_type_them() {
        let t = |s: &str| Cell::Text(s.to_string());
        let ok = |f, c: Cell<String>| canonical(f, &c, today(), Lang::Vi).ok();
        assert_eq!(
            ok(Field::FullName, t("  nguyễn   văn an ")).as_deref(),
            Some("Nguyễn Văn An")
        );
        assert_eq!(ok(Field::Gender, t("nữ")).as_deref(), Some("Nữ"));
        assert_eq!(ok(Field::Gender, t("NỮ")).as_deref(), Some("Nữ"));
        assert_eq!(ok(Field::Gender, t("Nu")).as_deref(), Some("Nữ"));
        assert_eq!(
            ok(Field::BirthDate, t("5/3/1985")).as_deref(),
            Some("05/03/1985")
        );
        let date = NaiveDate::from_ymd_opt(1985, 3, 5)
            .map(Cell::Date)
            .unwrap_or_default();
        assert_eq!(ok(Field::BirthDate, date).as_deref(), Some("05/03/1985"));
        assert_eq!(
            ok(Field::IdNumber, t(" 001 085 012 345 ")).as_deref(),
            Some("001085012345")
        );
        // A number cell lost the leading zeros: restored when only one reading fits.
        assert_eq!(
            ok(Field::IdNumber, Cell::Number(1085012345.0)).as_deref(),
            Some("001085012345")
        );
        assert_eq!(
            ok(Field::Phone, t("+84 912 345 678")).as_deref(),
            Some("0912345678")
        );
        let bad = |f, c: Cell<String>| {
            canonical(f, &c, today(), Lang::Vi)
                .err()
                .map(|r| r.why.code())
        };
        assert_eq!(bad(Field::BirthDate, t("31/02/1990")), Some("DOB_INVALID"));
        assert_eq!(bad(Field::BirthDate, t("1990")), Some("DOB_YEAR_ONLY"));
        assert_eq!(bad(Field::Phone, t("12345")), Some("PHONE_INVALID"));
        assert_eq!(bad(Field::Gender, t("X")), Some("GENDER_INVALID"));
        assert_eq!(bad(Field::IdNumber, t("12345")), Some("ID_FORMAT"));
        assert_eq!(
            bad(Field::IdNumber, t("111111111111")),
            Some("ID_PLACEHOLDER")
        );
        assert_eq!(
            bad(Field::FullName, t("Nguyễn V4n")),
            Some("NAME_INVALID_CHARS")
        );
    }

    #[test]
    fn the_rules_check_the_corrected_person() {
        let v = |a: [&str; 5]| Shown::from_array(a.map(String::from));
        let fixed = |f: Field| Shown::from_fn(|g| g == f);
        // 001 = Hà Nội; 0 = male born 1900s; 85 = 1985.
        let person = v([
            "Nguyễn Văn An",
            "05/03/1985",
            "Nam",
            "001085012345",
            "0912345678",
        ]);
        let all = fixed(Field::IdNumber);
        assert_eq!(
            check_rules(&person, &all, &Shown::default(), None, today(), Lang::Vi),
            None
        );
        let woman = v(["Nguyễn Thị An", "05/03/1985", "Nữ", "001085012345", ""]);
        let why = check_rules(&woman, &all, &Shown::default(), None, today(), Lang::Vi);
        assert_eq!(why.map(|r| r.why.code()), Some("ID_GENDER_MISMATCH"));
        let other_year = v(["Nguyễn Văn An", "05/03/1986", "Nam", "001085012345", ""]);
        let why = check_rules(
            &other_year,
            &all,
            &Shown::default(),
            None,
            today(),
            Lang::Vi,
        );
        assert_eq!(why.map(|r| r.why.code()), Some("ID_BIRTH_YEAR_MISMATCH"));
        // Only what was corrected counts: a wrong phone nobody touched does not block an ID fix.
        let bad_phone = v(["Nguyễn Văn An", "05/03/1985", "Nam", "001085012345", "123"]);
        assert_eq!(
            check_rules(&bad_phone, &all, &Shown::default(), None, today(), Lang::Vi),
            None
        );
        let phone_fixed = fixed(Field::Phone);
        let why = check_rules(
            &bad_phone,
            &phone_fixed,
            &Shown::default(),
            None,
            today(),
            Lang::Vi,
        );
        assert_eq!(why.map(|r| r.why.code()), Some("PHONE_INVALID"));
        // A birth date after the first dose.
        let birth_fixed = fixed(Field::BirthDate);
        let dose = NaiveDate::from_ymd_opt(1980, 1, 1);
        let why = check_rules(
            &person,
            &birth_fixed,
            &Shown::default(),
            dose,
            today(),
            Lang::Vi,
        );
        assert_eq!(why.map(|r| r.why.code()), Some("DOB_OUT_OF_RANGE"));
    }

    use crate::apply::returned::{Fixes, Integrity, Returned, ReturnedRow};
    use crate::apply::source::{SourceRow, position_hash, record_id_hash};
    use crate::record::shown::SHOWN;

    pub(crate) const SHOWN_A: [&str; 5] = ["Lê Văn An", "05/03/1985", "Nam", "", "0912345678"];

    pub(crate) fn src_row(id: &str, values: [&str; 5], unit: u64, line: u32) -> SourceRow {
        let mut cells: [String; FIELD_COUNT] = Default::default();
        cells[Field::RecordId.index()] = id.to_string();
        for (f, v) in SHOWN.iter().zip(values) {
            cells[f.index()] = v.to_string();
        }
        SourceRow {
            loc: RowLoc {
                source: 0,
                sheet: 0,
                row: line,
            },
            cells,
            values: values_hash(&values),
            unit,
            place: Default::default(),
            district_column: true,
            dose_date: None,
            birth_is_date: false,
        }
    }

    /// Decides `books` against one CSV source holding `rows`.
    pub(crate) fn decided(
        books: Vec<Returned>,
        rows: Vec<SourceRow>,
    ) -> (outputs::Applied, Vec<(String, returned::Refusal)>) {
        let files = vec![crate::input::InputFile {
            path: "d.csv".into(),
            display: "d.csv".into(),
            format: crate::input::Format::Csv,
            size: 0,
            from_folder: false,
        }];
        let index = index_of(rows);
        let gazetteer = Gazetteer::default();
        let ctx = Context {
            today: today(),
            lang: Lang::En,
            returned: &books,
            gazetteer: &gazetteer,
            registry: None,
        };
        let decisions = decide(&ctx, &index);
        outputs::Applied::new(files, books, index, decisions)
    }

    pub(crate) fn index_of(rows: Vec<SourceRow>) -> SourceIndex {
        let mut index = SourceIndex::default();
        for (i, r) in rows.iter().enumerate() {
            index
                .by_key
                .entry(record_id_hash(r.get(Field::RecordId)))
                .or_default()
                .push(i);
            index
                .by_key
                .entry(position_hash("d.csv", "", r.loc.row))
                .or_default()
                .push(i);
            index.by_values.entry(r.values).or_default().push(i);
            let id = r.get(Field::IdNumber).to_string();
            if !id.is_empty() {
                index.by_id.entry(id).or_default().push(i);
            }
        }
        index.rows = rows;
        index
    }

    pub(crate) fn returned_row(
        keys: &[&str],
        shown: [&str; 5],
        fixes: [&str; 5],
        status: &str,
    ) -> ReturnedRow {
        use crate::output::list_workbook::{
            COL_BIRTH, COL_GENDER, COL_ID, COL_KEYS, COL_NAME, COL_PHONE, COL_STT, LOCKED_COLUMNS,
        };
        let mut locked: [String; LOCKED_COLUMNS as usize] = Default::default();
        locked[usize::from(COL_STT)] = "1".into();
        locked[usize::from(COL_KEYS)] = keys.join("\n");
        let columns = [COL_NAME, COL_BIRTH, COL_GENDER, COL_ID, COL_PHONE];
        for (col, v) in columns.into_iter().zip(shown) {
            locked[usize::from(col)] = v.to_string();
        }
        ReturnedRow {
            sheet_row: 2,
            exported: Some(0),
            origin: format!("e/l.xlsx/{}", keys.join("+")),
            locked,
            keys: keys.iter().map(|k| k.to_string()).collect(),
            fixes: Fixes {
                cells: Shown::from_array(fixes.map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_string())
                    }
                })),
                status: status.to_string(),
                note: String::new(),
                address: String::new(),
            },
            integrity: Integrity::Intact,
        }
    }

    pub(crate) fn book(rows: Vec<ReturnedRow>) -> Returned {
        Returned {
            path: "l.xlsx".into(),
            display: "l.xlsx".into(),
            identity: Default::default(),
            rows,
            deleted: Vec::new(),
            sheet_table: Vec::new(),
            ignored_columns: Vec::new(),
        }
    }

    /// The context of a test run: today, in English, with `gazetteer`.
    pub(crate) fn context<'a>(books: &'a [Returned], gazetteer: &'a Gazetteer) -> Context<'a> {
        Context {
            today: today(),
            lang: Lang::En,
            returned: books,
            gazetteer,
            registry: None,
        }
    }

    fn outcome_codes(books: &[Returned], index: &SourceIndex) -> Vec<String> {
        let gazetteer = Gazetteer::default();
        decide(&context(books, &gazetteer), index)
            .into_iter()
            .map(|d| match d.outcome {
                Outcome::Rejected(r) => r.why.code().to_string(),
                o => o.code().to_string(),
            })
            .collect()
    }

    pub(crate) const FIX_NAME: [&str; 5] = ["Lê Văn Ân", "", "", "", ""];

    #[test]
    fn rows_are_found_by_key_then_by_values() {
        let moved = ["Lê Văn Ân", "05/03/1985", "Nam", "", "0912345678"];
        let cases: Vec<(Vec<SourceRow>, &[&str], &str)> = vec![
            // By key, values as exported.
            (vec![src_row("R1", SHOWN_A, 1, 2)], &["R1"], "applied"),
            // A positional key.
            (vec![src_row("", SHOWN_A, 1, 7)], &["d.csv:7"], "applied"),
            // A newer dump: other keys, same values.
            (vec![src_row("X9", SHOWN_A, 1, 40)], &["R1"], "applied"),
            // Already corrected.
            (vec![src_row("R1", moved, 1, 2)], &["R1"], "already_applied"),
            // Changed by someone else since the export.
            (
                vec![src_row(
                    "R1",
                    ["Lê Văn Bình", "05/03/1985", "Nam", "", ""],
                    1,
                    2,
                )],
                &["R1"],
                "STALE_CHANGED",
            ),
            // One of the person's records changed: the whole row waits.
            (
                vec![
                    src_row("R1", SHOWN_A, 1, 2),
                    src_row(
                        "R2",
                        ["Lê Văn An", "05/03/1985", "Nam", "", "0900000000"],
                        1,
                        3,
                    ),
                ],
                &["R1", "R2"],
                "STALE_CHANGED",
            ),
            // Gone.
            (
                vec![src_row("R7", ["Hồ Văn Khác", "", "", "", ""], 1, 2)],
                &["R1"],
                "STALE_GONE",
            ),
            // The values in two places.
            (
                vec![src_row("X1", SHOWN_A, 1, 2), src_row("X2", SHOWN_A, 2, 3)],
                &["R1"],
                "STALE_AMBIGUOUS",
            ),
        ];
        for (rows, keys, want) in cases {
            let index = index_of(rows);
            let books = [book(vec![returned_row(keys, SHOWN_A, FIX_NAME, "Đã sửa")])];
            assert_eq!(outcome_codes(&books, &index), [want], "{keys:?}");
        }
    }

    #[test]
    fn shared_keys_are_looked_up_by_the_values_shown() {
        let other = ["Trần Thị Bé", "01/01/1990", "Nữ", "", ""];
        let moved = ["Lê Văn Ân", "05/03/1985", "Nam", "", "0912345678"];
        let changed = ["Lê Văn An", "05/03/1985", "Nam", "", "0900000000"];
        let renamed = ["Lê Văn Khác", "05/03/1985", "Nam", "", "0912345678"];
        let in_source = |source: u32, id: &str, values: [&str; 5], line: u32| {
            let mut r = src_row(id, values, 1, line);
            r.loc.source = source;
            r
        };
        // (rows, outcome, the rows applied to, words of the reason).
        let cases: Vec<(Vec<SourceRow>, &str, Vec<usize>, &str)> = vec![
            // Two inputs numbered alike: the row showing the listed values, in either input.
            (
                vec![in_source(0, "R1", other, 2), in_source(1, "R1", SHOWN_A, 2)],
                "applied",
                vec![1],
                "",
            ),
            (
                vec![in_source(0, "R1", SHOWN_A, 2), in_source(1, "R1", other, 2)],
                "applied",
                vec![0],
                "",
            ),
            // Already corrected in its input.
            (
                vec![in_source(0, "R1", other, 2), in_source(1, "R1", moved, 2)],
                "already_applied",
                vec![],
                "",
            ),
            // Two people with one key in one input.
            (
                vec![in_source(0, "R1", other, 2), in_source(0, "R1", SHOWN_A, 3)],
                "applied",
                vec![1],
                "",
            ),
            // The listed person's record changed since the export.
            (
                vec![in_source(0, "R1", other, 2), in_source(1, "R1", changed, 2)],
                "STALE_CHANGED",
                vec![],
                "",
            ),
            // Nobody listed behind the keys: the shared keys are named as the cause.
            (
                vec![in_source(0, "R1", other, 2), in_source(1, "R1", renamed, 2)],
                "KEY_SHARED",
                vec![],
                "record keys shared by 2 inputs: 'a.csv' and 'b.csv'",
            ),
            (
                vec![in_source(0, "R1", other, 2), in_source(0, "R1", renamed, 3)],
                "KEY_SHARED",
                vec![],
                "shared by different people in 'a.csv'",
            ),
            // ... unless the values are found under another key.
            (
                vec![
                    in_source(0, "R1", other, 2),
                    in_source(1, "R1", renamed, 2),
                    in_source(1, "X5", SHOWN_A, 9),
                ],
                "applied",
                vec![2],
                "",
            ),
            // One person's two rows under one key, one of them changed: not shared, stale.
            (
                vec![
                    in_source(0, "R1", SHOWN_A, 2),
                    in_source(0, "R1", changed, 3),
                ],
                "STALE_CHANGED",
                vec![],
                "",
            ),
        ];
        for (i, (rows, want, applied, words)) in cases.into_iter().enumerate() {
            let mut index = index_of(rows);
            index.sources = vec!["a.csv".into(), "b.csv".into()];
            let books = [book(vec![returned_row(
                &["R1"],
                SHOWN_A,
                FIX_NAME,
                "Đã sửa",
            )])];
            let gazetteer = Gazetteer::default();
            let d = decide(&context(&books, &gazetteer), &index).remove(0);
            let (code, message) = match &d.outcome {
                Outcome::Rejected(r) => (r.why.code().to_string(), r.message.clone()),
                o => (o.code().to_string(), String::new()),
            };
            assert_eq!(code, want, "case {i}: {message}");
            assert!(message.contains(words), "case {i}: {message}");
            let rows: Vec<usize> = d.changes.iter().map(|c| c.row).collect();
            assert_eq!(rows, applied, "case {i}");
        }
    }

    #[test]
    fn conflicts_between_lists_are_caught() {
        let index = index_of(vec![
            src_row("R1", SHOWN_A, 1, 2),
            src_row("R2", ["Trần Thị Bé", "01/01/1990", "Nữ", "", ""], 1, 3),
            src_row(
                "R3",
                ["Đỗ Văn Cư", "01/01/1970", "Nam", "025431876", ""],
                1,
                4,
            ),
        ]);
        let shown_b = ["Trần Thị Bé", "01/01/1990", "Nữ", "", ""];
        let same = [
            book(vec![returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa")]),
            book(vec![returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa")]),
        ];
        assert_eq!(outcome_codes(&same, &index), ["applied", "duplicate"]);
        let different = [
            book(vec![returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa")]),
            book(vec![returned_row(
                &["R1"],
                SHOWN_A,
                ["Lê Văn Ấn", "", "", "", ""],
                "Đã sửa",
            )]),
        ];
        assert_eq!(
            outcome_codes(&different, &index),
            ["CONFLICT_WORKBOOKS", "CONFLICT_WORKBOOKS"]
        );
        // One new number for two people.
        let cmnd = ["", "", "", "024123987", ""];
        let two = [book(vec![
            returned_row(&["R1"], SHOWN_A, cmnd, "Đã sửa"),
            returned_row(&["R2"], shown_b, cmnd, "Đã sửa"),
        ])];
        assert_eq!(outcome_codes(&two, &index), ["ID_TAKEN", "ID_TAKEN"]);
        // A number someone else holds in the source.
        let theirs = ["", "", "", "025431876", ""];
        let taken = [book(vec![returned_row(&["R1"], SHOWN_A, theirs, "Đã sửa")])];
        assert_eq!(outcome_codes(&taken, &index), ["ID_TAKEN"]);
    }

    #[test]
    fn a_list_corrects_the_people_of_its_unit_only() {
        let gazetteer = Gazetteer::builtin();
        let at = |id: &str, commune: &str, line: u32| {
            let mut r = src_row(id, SHOWN_A, 1, line);
            r.place = ["Thành phố Hà Nội", "Quận Ba Đình", commune].map(String::from);
            r
        };
        let mut list = book(vec![returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa")]);
        for (k, v) in [
            ("province", "Thành phố Hà Nội"),
            ("district", "Quận Ba Đình"),
            ("commune", "Phường Phúc Xá"),
        ] {
            list.identity.values.insert(k.into(), v.into());
        }
        let books = [list];
        let cases: Vec<(Vec<SourceRow>, &str)> = vec![
            (vec![at("R1", "Phúc Xá", 2)], "applied"),
            // The keys name a person of another commune.
            (vec![at("R1", "Trúc Bạch", 2)], "OUTSIDE_UNIT"),
            // Keys gone; the values only in another commune.
            (vec![at("X9", "Trúc Bạch", 2)], "OUTSIDE_UNIT"),
            // Keys gone; the values in the list's commune and another: the list's own.
            (
                vec![at("X8", "Trúc Bạch", 2), at("X9", "P. Phúc Xá", 3)],
                "applied",
            ),
        ];
        for (i, (rows, want)) in cases.into_iter().enumerate() {
            let index = index_of(rows);
            let d = decide(&context(&books, &gazetteer), &index).remove(0);
            let code = match &d.outcome {
                Outcome::Rejected(r) => r.why.code().to_string(),
                o => o.code().to_string(),
            };
            assert_eq!(code, want, "case {i}");
            if want == "applied" {
                assert!(
                    d.changes
                        .iter()
                        .all(|c| index.rows[c.row].place[2].contains("Phúc Xá"))
                );
            }
        }
    }

    #[test]
    fn corrections_past_any_name_or_swapping_a_person_are_sent_back() {
        let index = index_of(vec![src_row("R1", SHOWN_A, 1, 2)]);
        let long = "Nguyễn ".repeat(9_000);
        let other = crate::apply::suspect::tests::OTHER_PERSON;
        let cases: [([&str; 5], &str); 3] = [
            ([long.as_str(), "", "", "", ""], "NAME_TOO_LONG"),
            (other, "SUSPECT_CHANGE"),
            (["Phạm Quốc Khánh", "", "", "", ""], "SUSPECT_CHANGE"),
        ];
        for (fixes, want) in cases {
            let books = [book(vec![returned_row(&["R1"], SHOWN_A, fixes, "Đã sửa")])];
            assert_eq!(outcome_codes(&books, &index), [want]);
        }
        // A note confirms a change that only looks wrong.
        let mut row = returned_row(&["R1"], SHOWN_A, ["Phạm Quốc Khánh", "", "", "", ""], "");
        row.fixes.note = "đổi tên theo quyết định số 12".into();
        assert_eq!(outcome_codes(&[book(vec![row])], &index), ["applied"]);
    }

    #[test]
    fn statuses_decide_what_changes() {
        let index = index_of(vec![src_row("R1", SHOWN_A, 1, 2)]);
        let none = ["", "", "", "", ""];
        let cases = [
            (none, "Thông tin đúng", "confirmed"),
            (FIX_NAME, "Thông tin đúng", "CONFIRMED_WITH_FIXES"),
            (none, "Đã sửa", "NOTHING_TO_APPLY"),
            (none, "", "pending"),
            (FIX_NAME, "", "applied"),
            (none, "Đã mất", "deceased"),
            (none, "Không xác định được", "unidentified"),
            (FIX_NAME, "???", "STATUS_UNKNOWN"),
        ];
        for (fixes, status, want) in cases {
            let books = [book(vec![returned_row(&["R1"], SHOWN_A, fixes, status)])];
            assert_eq!(outcome_codes(&books, &index), [want], "{status}");
        }
    }
}
