//! The lists of `export-list` (docs/export-list.md): the people of a scan grouped by the commune they live
//! in, one workbook per commune at `<province>/<district>/<commune>.xlsx` (people whose commune
//! is not known go to `_chua-ro-xa.xlsx` at the nearest level known), built in parallel, and
//! `index.csv` with one row per workbook.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use rayon::prelude::*;

use crate::findings::Finding;
use crate::findings::people::{Listed, RowFinding, RowReader};
use crate::i18n::Lang;
use crate::normalize::places::{Division, Kind, Place, same_name};
use crate::normalize::units2025::{self, Filed};
use crate::output::atomic::OutDir;
use crate::output::list_workbook::{self, ListMeta, ListRow, TableRow};
use crate::output::paths::component;
use crate::pipeline::{SheetReport, SourceReport, UnitKey};
use crate::record::{Field, RowLoc};
use crate::rules::message;

/// The file of people whose commune is not known.
pub const UNKNOWN_COMMUNE_FILE: &str = "_chua-ro-xa.xlsx";
/// With 2025 units: the file of a province's people whose 2020 commune was split between several
/// 2025 communes and whose address names none of them.
pub const UNDETERMINED_FILE: &str = "_can-xac-dinh.xlsx";

/// The columns of `index.csv`.
pub const INDEX_COLUMNS: [&str; 6] = [
    "path", "province", "district", "commune", "people", "findings",
];

/// Where a list goes: the canonical names known, from the province down.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Folder {
    /// Province, when recognised.
    pub province: Option<String>,
    /// District, when recognised.
    pub district: Option<String>,
    /// Commune, when recognised.
    pub commune: Option<String>,
    /// The commune's code.
    pub commune_code: Option<String>,
    /// The province's list of people whose 2025 commune must still be determined (their 2020
    /// commune was split between several).
    pub undetermined: bool,
}

impl Folder {
    /// The unit a row's place was recognised as.
    pub fn of(place: &Place) -> Folder {
        let province = place.province.clone();
        let district = province.as_ref().and(place.district.clone());
        let commune = province.as_ref().and(place.commune.clone());
        Folder {
            commune_code: commune.as_ref().and(place.commune_code.clone()),
            province,
            district,
            commune,
            undetermined: false,
        }
    }

    /// Where a person is filed in the 2025 division ([`units2025::file`]); the candidates when
    /// the commune must still be determined.
    pub fn of_2025(filed: &Filed) -> (Folder, Vec<String>) {
        match filed {
            Filed::Commune(u) => (
                Folder {
                    province: Some(u.province.clone()),
                    commune: Some(u.commune.clone()),
                    commune_code: Some(u.code.clone()).filter(|c| !c.is_empty()),
                    ..Folder::default()
                },
                Vec::new(),
            ),
            Filed::Undetermined {
                province,
                candidates,
            } => (
                Folder {
                    province: Some(province.clone()),
                    undetermined: true,
                    ..Folder::default()
                },
                candidates.iter().map(|c| c.commune.clone()).collect(),
            ),
            Filed::Province(p) => (
                Folder {
                    province: Some(p.clone()),
                    ..Folder::default()
                },
                Vec::new(),
            ),
            Filed::Unknown => (Folder::default(), Vec::new()),
        }
    }

    /// The unit names as a list's hidden sheet writes them (empty: not recognised).
    pub fn named(province: &str, district: &str, commune: &str, undetermined: bool) -> Folder {
        let part = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Folder {
            province: part(province),
            district: part(district),
            commune: part(commune),
            commune_code: None,
            undetermined,
        }
    }

    /// The workbook's path under the output folder: each name made one safe component.
    pub fn path(&self) -> PathBuf {
        let mut p = PathBuf::new();
        for part in [&self.province, &self.district].into_iter().flatten() {
            p.push(component(part));
        }
        match &self.commune {
            Some(c) => p.push(format!("{}.xlsx", component(c))),
            None if self.undetermined => p.push(UNDETERMINED_FILE),
            None => p.push(UNKNOWN_COMMUNE_FILE),
        }
        p
    }
}

/// Which communes to export.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Province names (any spelling); empty: all.
    pub provinces: Vec<String>,
    /// District names.
    pub districts: Vec<String>,
    /// Commune names or codes.
    pub communes: Vec<String>,
}

impl Filter {
    /// Whether the list of `folder` is wanted.
    pub fn keeps(&self, folder: &Folder) -> bool {
        let level = |wanted: &[String], kind: Kind, have: &Option<String>, code: Option<&str>| {
            wanted.is_empty()
                || have.as_deref().is_some_and(|h| {
                    wanted
                        .iter()
                        .any(|w| same_name(kind, w, h) || code.is_some_and(|c| c == w.trim()))
                })
        };
        level(&self.provinces, Kind::Province, &folder.province, None)
            && level(&self.districts, Kind::District, &folder.district, None)
            && level(
                &self.communes,
                Kind::Commune,
                &folder.commune,
                folder.commune_code.as_deref(),
            )
    }
}

/// One written workbook, as `index.csv` lists it.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// Path under the output folder, `/`-separated.
    pub path: String,
    /// The unit.
    pub folder: Folder,
    /// People listed.
    pub people: u64,
    /// Findings shown.
    pub findings: u64,
    /// The list's table, when [`ExportContext::keep_tables`].
    pub table: Vec<TableRow>,
}

/// What the lists need from the scan besides the people.
pub struct ExportContext<'a> {
    /// Reads the people's rows back.
    pub reader: &'a RowReader,
    /// Cross-record findings by row.
    pub cross: HashMap<RowLoc, Vec<&'a Finding>>,
    /// Units by hash.
    pub units: &'a HashMap<u64, (UnitKey, Place)>,
    /// The inputs.
    pub sources: &'a [SourceReport],
    /// The sheets read.
    pub sheets: &'a [SheetReport],
    /// What every workbook says of itself (place fields are filled per workbook).
    pub meta: ListMeta,
    /// Keep each list's table ([`IndexRow::table`]) for the export ledger.
    pub keep_tables: bool,
    /// The division the lists are cut by (`--units`).
    pub division: Division,
}

/// The record key of a row: the platform's record id, else `name:row` (CSV) or
/// `name:sheet:row` (workbooks), with the input's [`key_names`] name.
pub fn record_key(
    record_id: &str,
    loc: RowLoc,
    sources: &[SourceReport],
    sheets: &[SheetReport],
) -> String {
    let source = sources
        .get(loc.source as usize)
        .map_or("", |s| s.key_name.as_str());
    let sheet = sheets
        .get(loc.sheet as usize)
        .map_or("", |s| s.info.name.as_str());
    key_from(record_id, source, sheet, loc.row)
}

/// How the record keys of rows without a record id name each input: its file name, so that the
/// same dump gives the same keys from whichever folder it is read (`2026-11-20/dump.csv` and
/// `2026-11-21/dump.csv`); the path as given when two inputs of the run share a file name.
pub fn key_names(files: &[crate::input::InputFile]) -> Vec<String> {
    files.iter().map(|f| key_name(f, files)).collect()
}

/// The [`key_names`] name of `file`, one of `files`.
pub fn key_name(file: &crate::input::InputFile, files: &[crate::input::InputFile]) -> String {
    let name = |f: &crate::input::InputFile| {
        f.path
            .file_name()
            .map_or_else(|| f.display.clone(), |n| n.to_string_lossy().into_owned())
    };
    let mine = name(file);
    if files.iter().filter(|f| name(f) == mine).count() > 1 {
        file.display.clone()
    } else {
        mine
    }
}

/// The record key from its parts: the record id when there is one, else `source:row` (CSV, whose
/// sheet name is empty) or `source:sheet:row`.
pub fn key_from(record_id: &str, source: &str, sheet: &str, row: u32) -> String {
    let id = record_id.trim();
    if !id.is_empty() {
        id.to_string()
    } else if sheet.is_empty() {
        format!("{source}:{row}")
    } else {
        format!("{source}:{sheet}:{row}")
    }
}

/// How a list names a field in `Gợi ý sửa`.
pub fn field_label(field: Field) -> &'static str {
    match field {
        Field::FullName => "Họ và tên",
        Field::BirthDate => "Ngày sinh",
        Field::Gender => "Giới tính",
        Field::IdNumber => "Số CMND/CCCD",
        Field::Phone => "Số điện thoại",
        Field::Province => "Tỉnh/thành phố",
        Field::District => "Quận/huyện",
        Field::Commune => "Xã/phường",
        Field::DoseNumber => "Mũi tiêm",
        Field::DoseDate => "Ngày tiêm",
        _ => "",
    }
}

/// The message with a capital first letter.
fn sentence(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Builds the list row of one person; also returns how many findings it shows.
pub fn list_row(person: &Listed, ctx: &ExportContext<'_>) -> std::io::Result<(ListRow, u64)> {
    let mut row = ListRow::default();
    let mut findings: Vec<RowFinding> = Vec::new();
    let mut keys_seen = HashSet::new();
    for (i, r) in person.rows.iter().enumerate() {
        let captured = ctx.reader.read(r)?;
        let key = record_key(&captured.record_id, r.loc, ctx.sources, ctx.sheets);
        if keys_seen.insert(key.clone()) {
            row.record_keys.push(key);
        }
        if i == person.shown
            && let Some(values) = captured.values
        {
            row.values = values;
        }
        findings.extend(captured.findings);
        if let Some(cross) = ctx.cross.get(&r.loc) {
            findings.extend(cross.iter().map(|f| RowFinding::from(*f)));
        }
    }
    // The same finding on several dose rows is shown once; personal fields first.
    findings.sort_by(|a, b| {
        (a.field, a.code, &a.value, &a.suggestion).cmp(&(b.field, b.code, &b.value, &b.suggestion))
    });
    let mut lines: Vec<String> = Vec::new();
    let mut suggested: Vec<Field> = Vec::new();
    // The population registry's values come first: they are what the police confirm.
    for f in findings.iter().filter(|f| f.code.from_registry()) {
        if let Some(field) = f.field
            && !f.suggestion.is_empty()
            && !suggested.contains(&field)
        {
            suggested.push(field);
            row.suggestions.push(format!(
                "{}: {}{}",
                field_label(field),
                f.suggestion,
                list_workbook::FROM_REGISTRY
            ));
        }
    }
    for f in &findings {
        let certain = !f.suggestion.is_empty() && f.code.certain(f.detail);
        let mut text = format!("• {}", sentence(&message(f.code, f.detail, Lang::Vi)));
        if certain {
            text.push_str(list_workbook::CERTAIN_FIX);
        }
        if matches!(f.field, Some(Field::DoseDate | Field::DoseNumber)) && !f.value.is_empty() {
            text.push_str(&format!(
                " ({}: {})",
                field_label(f.field.unwrap_or(Field::DoseDate)),
                f.value
            ));
        }
        if !lines.contains(&text) {
            lines.push(text);
        }
        if let Some(field) = f.field
            && !f.suggestion.is_empty()
            && !suggested.contains(&field)
        {
            suggested.push(field);
            let mark = if certain {
                list_workbook::CERTAIN_FIX
            } else {
                ""
            };
            row.suggestions
                .push(format!("{}: {}{mark}", field_label(field), f.suggestion));
        }
    }
    let n = lines.len() as u64;
    row.errors = lines;
    Ok((row, n))
}

/// Writes one workbook per folder under `out`, in parallel, and returns the index rows sorted
/// by path. `people` are in output order.
pub fn write_lists(
    out: &OutDir,
    people: Vec<Listed>,
    ctx: &ExportContext<'_>,
    filter: &Filter,
) -> Result<Vec<IndexRow>> {
    let mut by_folder: BTreeMap<Folder, Vec<Filing>> = BTreeMap::new();
    let mut former: BTreeMap<Folder, BTreeSet<[String; 3]>> = BTreeMap::new();
    for p in people {
        let place = ctx.units.get(&p.unit()).map(|(_, place)| place);
        let (folder, candidates) = match (ctx.division, place) {
            (Division::D2020, _) => (place.map(Folder::of).unwrap_or_default(), Vec::new()),
            (Division::D2025, Some(place)) => {
                let filed = file_2025(&p, place, ctx)?;
                if place.division == Division::D2020 && place.commune.is_some() {
                    let name = |n: &Option<String>| n.clone().unwrap_or_default();
                    let old = [&place.commune, &place.district, &place.province].map(name);
                    former
                        .entry(Folder::of_2025(&filed).0)
                        .or_default()
                        .insert(old);
                }
                Folder::of_2025(&filed)
            }
            (Division::D2025, None) => (Folder::default(), Vec::new()),
        };
        if filter.keeps(&folder) {
            by_folder.entry(folder).or_default().push(Filing {
                person: p,
                candidates,
            });
        }
    }
    // Two units that make the same file name (after making names safe) share one workbook.
    let mut by_path: BTreeMap<String, (Folder, Vec<Filing>, String)> = BTreeMap::new();
    for (folder, list) in by_folder {
        let key = folder.path().to_string_lossy().to_lowercase();
        let before = former_names(former.get(&folder));
        let entry = by_path
            .entry(key)
            .or_insert_with(|| (folder, Vec::new(), before));
        entry.1.extend(list);
    }
    let jobs: Vec<(Folder, Vec<Filing>, String)> = by_path.into_values().collect();
    let mut rows: Vec<IndexRow> = jobs
        .into_par_iter()
        .map(|(folder, list, before)| write_one(out, folder, list, before, ctx))
        .collect::<Result<Vec<_>>>()?;
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(rows)
}

/// A person filed in a list, with the candidate communes when the 2025 one must be determined.
struct Filing {
    person: Listed,
    candidates: Vec<String>,
}

/// Files a person in the 2025 division, reading their address when their 2020 commune was split.
fn file_2025(p: &Listed, place: &Place, ctx: &ExportContext<'_>) -> Result<Filed> {
    let filed = units2025::file(place, "");
    if !matches!(filed, Filed::Undetermined { .. }) {
        return Ok(filed);
    }
    let address = match p.rows.get(p.shown) {
        Some(r) => ctx.reader.read(r)?.values.map(|v| v.address),
        None => None,
    };
    Ok(units2025::file(place, &address.unwrap_or_default()))
}

/// "Xã A, Xã B (Huyện H, Tỉnh T)" — the 2020 communes a 2025 list takes people from, by district.
fn former_names(old: Option<&BTreeSet<[String; 3]>>) -> String {
    let mut by_district: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for [c, d, p] in old.into_iter().flatten() {
        by_district.entry((p, d)).or_default().push(c);
    }
    by_district
        .into_iter()
        .map(|((p, d), communes)| {
            let up = [d, p]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>();
            format!("{} ({})", communes.join(", "), up.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn write_one(
    out: &OutDir,
    folder: Folder,
    mut list: Vec<Filing>,
    former: String,
    ctx: &ExportContext<'_>,
) -> Result<IndexRow> {
    let order = |f: &Filing| f.person.rows.get(f.person.shown).map(|r| r.loc);
    list.sort_by_key(|p| order(p).map(|l| (sheet_rank(ctx.sheets, l.sheet), l.row)));
    let rel = folder.path();
    let path = crate::output::paths::slashed(&rel);
    let mut meta = ctx.meta.clone();
    meta.list = path.clone();
    meta.province = folder.province.clone().unwrap_or_default();
    meta.district = folder.district.clone().unwrap_or_default();
    meta.commune = folder.commune.clone().unwrap_or_default();
    meta.commune_code = folder.commune_code.clone().unwrap_or_default();
    meta.undetermined = folder.undetermined;
    meta.former = former;
    let mut findings = 0u64;
    let mut failed: Option<std::io::Error> = None;
    let people = list.len() as u64;
    let mut table = Vec::new();
    // The rows of one list are held while they are put in hamlet order.
    let mut rows: Vec<ListRow> = list
        .iter()
        .map_while(|f| match list_row(&f.person, ctx) {
            Ok((mut row, n)) => {
                if !f.candidates.is_empty() {
                    row.suggestions.push(format!(
                        "Xã/phường mới (2025), một trong: {}",
                        f.candidates.join("; ")
                    ));
                }
                findings += n;
                Some(row)
            }
            Err(e) => {
                failed = Some(e);
                None
            }
        })
        .collect();
    list_workbook::group_by_hamlet(&mut rows, |r| r.values.address.as_str());
    out.write_at(&rel, |w| {
        let written = list_workbook::write(&mut *w, &meta, std::mem::take(&mut rows))?;
        if ctx.keep_tables {
            table = written;
        }
        // A row that could not be read back leaves no half list behind.
        match failed.take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    })?;
    Ok(IndexRow {
        path,
        folder,
        people,
        findings,
        table,
    })
}

fn sheet_rank(sheets: &[SheetReport], sheet: u32) -> u32 {
    sheets.get(sheet as usize).map_or(u32::MAX, |s| s.rank)
}

/// Writes `index.csv`: UTF-8 with BOM, CRLF, one row per workbook.
pub fn write_index(w: &mut impl Write, rows: &[IndexRow]) -> Result<()> {
    let mut csv = crate::output::excel_csv(w, &INDEX_COLUMNS)?;
    for r in rows {
        let f = &r.folder;
        csv.write_record([
            crate::output::defuse(&r.path).as_ref(),
            crate::output::defuse(f.province.as_deref().unwrap_or("")).as_ref(),
            crate::output::defuse(f.district.as_deref().unwrap_or("")).as_ref(),
            crate::output::defuse(f.commune.as_deref().unwrap_or("")).as_ref(),
            &r.people.to_string(),
            &r.findings.to_string(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(p: Option<&str>, d: Option<&str>, c: Option<&str>) -> Folder {
        Folder {
            province: p.map(String::from),
            district: d.map(String::from),
            commune: c.map(String::from),
            commune_code: c.map(|_| "20308".to_string()),
            undetermined: false,
        }
    }

    #[test]
    fn paths_follow_the_units_known() {
        let full = folder(
            Some("Tỉnh Quảng Nam"),
            Some("Huyện Duy Xuyên"),
            Some("Xã Duy Hòa"),
        );
        assert_eq!(
            full.path(),
            PathBuf::from("Tỉnh Quảng Nam/Huyện Duy Xuyên/Xã Duy Hòa.xlsx")
        );
        let no_commune = folder(Some("Tỉnh Quảng Nam"), Some("Huyện Duy Xuyên"), None);
        assert_eq!(
            no_commune.path(),
            PathBuf::from("Tỉnh Quảng Nam/Huyện Duy Xuyên/_chua-ro-xa.xlsx")
        );
        assert_eq!(
            folder(None, None, None).path(),
            PathBuf::from("_chua-ro-xa.xlsx")
        );
        let hostile = folder(Some("../../x"), Some("CON"), Some("a/b"));
        assert_eq!(hostile.path(), PathBuf::from("_.._x/_CON/a_b.xlsx"));
    }

    #[test]
    fn filters_match_any_spelling_and_codes() {
        let f = folder(
            Some("Tỉnh Quảng Nam"),
            Some("Huyện Duy Xuyên"),
            Some("Xã Duy Hòa"),
        );
        let keep = |p: &[&str], d: &[&str], c: &[&str]| {
            Filter {
                provinces: p.iter().map(|s| s.to_string()).collect(),
                districts: d.iter().map(|s| s.to_string()).collect(),
                communes: c.iter().map(|s| s.to_string()).collect(),
            }
            .keeps(&f)
        };
        assert!(keep(&[], &[], &[]));
        assert!(keep(&["quang nam"], &[], &[]));
        assert!(keep(
            &["Quảng Nam", "Hà Nội"],
            &["duy xuyen"],
            &["Xã Duy Hoà"]
        ));
        assert!(keep(&[], &[], &["20308"]));
        assert!(!keep(&["Quảng Ngãi"], &[], &[]));
        assert!(!keep(&[], &[], &["Duy Trung"]));
        assert!(
            !Filter {
                communes: vec!["x".into()],
                ..Filter::default()
            }
            .keeps(&folder(Some("Tỉnh Quảng Nam"), None, None))
        );
    }
}
