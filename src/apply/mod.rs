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
mod check;
mod conflict;
pub mod import;
mod locate;
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

use crate::i18n::Lang;
use crate::normalize::places::Gazetteer;
use crate::normalize::text::fold;
use crate::record::Field;
use crate::record::shown::Shown;
use crate::rules::Code;
use returned::{Integrity, Returned};
use source::{SourceIndex, Wanted, key_hashes, values_hash};
pub use why::Why;

use check::{canonical, check_rules, corrected, draft, name_expected, reason};
use locate::{Found, find, rows_by_keys, shared_keys};

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
    use crate::record::{Cell, FIELD_COUNT, RowLoc};

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
