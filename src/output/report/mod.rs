//! `report` (docs/report.md): where each province, district and commune stands — rows, people, people
//! with errors, the share of people clean, findings per family — read from scans' `summary.json` or
//! from the history, where it also shows the trend across runs and the units whose oldest open
//! error is older than the deadline. Counts only: a report never holds a person's data.
//! [`xlsx`] and [`html`] write it; [`print_top`] prints its top on the terminal.

pub mod html;
pub mod xlsx;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::NaiveDate;

use crate::history::{History, RunInfo};
use crate::i18n::Lang;
use crate::normalize::places::{Division, Gazetteer};
use crate::normalize::units2025::{self, Filed};
use crate::pipeline::UnitKey;

/// The families findings are counted in.
pub const FAMILIES: [&str; 4] = [
    "Thiếu số CMND/CCCD",
    "Số CMND/CCCD sai",
    "Sai thông tin cá nhân",
    "Khác",
];

/// English names of [`FAMILIES`].
pub const FAMILIES_EN: [&str; 4] = [
    "No ID number",
    "Malformed ID number",
    "Wrong personal data",
    "Other",
];

/// The family of a finding code: 0 no ID, 1 malformed ID, 2 wrong personal data (ID contradicting
/// sex or birth year, duplicates, name, birth date, sex), 3 other (phone, place, doses, rows).
/// Formatting-only codes (severity `info`) are not counted.
pub fn family(code: &str) -> Option<usize> {
    let info = crate::rules::Code::from_name(code)
        .is_some_and(|c| c.severity() == crate::findings::Severity::Info);
    if info {
        return None;
    }
    Some(match code {
        "ID_MISSING" => 0,
        "ID_FORMAT"
        | "ID_LEADING_ZERO_LOST"
        | "ID_PRECISION_LOST"
        | "ID_PLACEHOLDER"
        | "ID_PROVINCE_CODE"
        | "ID_CMND_PREFIX_UNLISTED" => 1,
        c if c.starts_with("ID_") || c.starts_with("NAME_") || c.starts_with("DOB_") => 2,
        c if c.starts_with("GENDER_") => 2,
        _ => 3,
    })
}

/// One unit's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitLine {
    /// Province, district, commune (empty where not known or for a subtotal; empty for the
    /// group of unrecognised communes too, see [`UnitLine::group`]).
    pub unit: UnitKey,
    /// The line gathers the communes the gazetteer does not recognise (misspelt, missing) of
    /// its district, or of its province when the district is not recognised either: one line,
    /// "Xã chưa xác định", instead of one per spelling.
    pub group: bool,
    /// How many units, as the scans recorded them, the line adds up (a group: how many
    /// spellings; a 2025 commune: the 2020 communes it took over).
    pub names: u64,
    /// Data rows.
    pub rows: u64,
    /// People.
    pub people: u64,
    /// People with at least one error.
    pub people_with_errors: u64,
    /// Findings per family ([`FAMILIES`]).
    pub families: [u64; 4],
}

impl UnitLine {
    /// The share of people without errors, 0 to 1 (1 when there is nobody).
    pub fn share_clean(&self) -> f64 {
        if self.people == 0 {
            1.0
        } else {
            (self.people.saturating_sub(self.people_with_errors)) as f64 / self.people as f64
        }
    }

    fn add(&mut self, o: &UnitLine) {
        // Saturating: the numbers come from files a user may have edited.
        self.names = self.names.saturating_add(o.names);
        self.rows = self.rows.saturating_add(o.rows);
        self.people = self.people.saturating_add(o.people);
        self.people_with_errors = self.people_with_errors.saturating_add(o.people_with_errors);
        for (a, b) in self.families.iter_mut().zip(o.families) {
            *a = a.saturating_add(b);
        }
    }

    /// A readable name: the most precise level known (a group: its name and the level it is
    /// in, "Xã chưa xác định (3 tên), Huyện Ba Tri").
    pub fn label(&self, lang: Lang) -> String {
        let UnitKey {
            province: p,
            district: d,
            commune: c,
        } = &self.unit;
        if self.group {
            let place = [d, p].into_iter().find(|s| !s.is_empty());
            return match place {
                Some(place) => format!("{}, {place}", group_name(self.names, lang)),
                None => group_name(self.names, lang),
            };
        }
        [c, d, p].iter().find(|s| !s.is_empty()).map_or_else(
            || lang.pick("(chưa rõ)", "(unknown)").to_string(),
            |s| s.to_string(),
        )
    }

    /// The name shown in the commune column: the commune, or the group's name.
    pub fn commune_name(&self, lang: Lang) -> String {
        if self.group {
            group_name(self.names, lang)
        } else {
            self.unit.commune.clone()
        }
    }
}

/// The name of a group of unrecognised communes, with how many spellings it holds.
pub fn group_name(names: u64, lang: Lang) -> String {
    lang.pick(
        format!("Xã chưa xác định ({} tên)", lang.count(names)),
        format!(
            "Unrecognised communes ({} {})",
            lang.count(names),
            if names == 1 { "name" } else { "names" }
        ),
    )
}

/// A unit whose oldest open error waits longer than the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The unit.
    pub unit: UnitKey,
    /// The group of unrecognised communes of its district or province ([`UnitLine::group`]).
    pub group: bool,
    /// How many units as recorded have open errors in it (a group: how many spellings).
    pub names: u64,
    /// Its people in the latest run (0 when the latest run read none of its rows).
    pub people: u64,
    /// Open error findings.
    pub open_errors: u64,
    /// The oldest was first seen on.
    pub oldest: NaiveDate,
    /// Days it has waited.
    pub days: i64,
}

/// Everything a report shows.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    /// The date of the (latest) run.
    pub as_of: Option<NaiveDate>,
    /// Counts per commune, sorted by unit.
    pub units: Vec<UnitLine>,
    /// The runs of the history, oldest first (empty without history).
    pub trend: Vec<RunInfo>,
    /// Units over the deadline (history only), longest wait first.
    pub overdue: Vec<Overdue>,
    /// The deadline in days.
    pub sla_days: u32,
    /// Whether it comes from a history.
    pub from_history: bool,
    /// The division the units are counted by (`--units`): with 2025, 2025 communes under 2025
    /// provinces, no districts.
    pub division: Division,
}

/// The line a unit as recorded counts in, in `division`, and whether that line is the group of
/// unrecognised communes. A commune is recognised when the built-in gazetteer (2020, or 2025 for
/// a unit written without a district) finds it under its province: then it counts as recorded,
/// or in the 2025 commune that took it over. Otherwise — a misspelt or missing commune, whatever
/// its number of people — it counts in the group of its district (its province when the district
/// is not recognised either, or of nowhere), as `export-list` files such people in
/// `_chua-ro-xa.xlsx` at the nearest level known.
fn counted_in(unit: UnitKey, division: Division) -> (UnitKey, bool) {
    let g = Gazetteer::builtin();
    let place = g.resolve_either(
        &unit.province,
        &unit.district,
        &unit.commune,
        !unit.district.trim().is_empty(),
    );
    let province = place.province.clone().unwrap_or_default();
    let known = place.province.is_some() && place.commune.is_some();
    match division {
        Division::D2020 if known => (unit, false),
        Division::D2020 => {
            let district = if province.is_empty() {
                String::new()
            } else {
                place.district.clone().unwrap_or_default()
            };
            (UnitKey::new(province, district, ""), true)
        }
        Division::D2025 => match units2025::file(&place, "") {
            Filed::Commune(_) | Filed::Undetermined { .. } => {
                let [p, d, c] = units2025::regroup(&unit.province, &unit.district, &unit.commune);
                (UnitKey::new(p, d, c), false)
            }
            Filed::Province(p) => (UnitKey::new(p, "", ""), true),
            Filed::Unknown => (UnitKey::default(), true),
        },
    }
}

fn u(v: &serde_json::Value, k: &str) -> u64 {
    v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0)
}

fn families_of<'a>(codes: impl Iterator<Item = (&'a str, u64)>) -> [u64; 4] {
    let mut f = [0u64; 4];
    for (code, n) in codes {
        if let Some(i) = family(code) {
            f[i] = f[i].saturating_add(n);
        }
    }
    f
}

/// The lines of a report being added up: each unit as recorded goes to the line it counts in
/// ([`counted_in`]); a line knows which recorded units it holds, so that `names` counts each once
/// however many scans name it.
#[derive(Default)]
struct Lines {
    lines: BTreeMap<UnitKey, (UnitLine, std::collections::BTreeSet<UnitKey>)>,
}

impl Lines {
    fn add(&mut self, recorded: UnitKey, division: Division, counts: &UnitLine) {
        let (key, group) = counted_in(recorded.clone(), division);
        let (line, names) = self.lines.entry(key.clone()).or_insert_with(|| {
            (
                UnitLine {
                    unit: key,
                    group,
                    ..UnitLine::default()
                },
                std::collections::BTreeSet::new(),
            )
        });
        line.add(counts);
        names.insert(recorded);
        line.names = names.len() as u64;
    }

    /// The lines by province and district, each district's group after its communes.
    fn into_lines(self) -> Vec<UnitLine> {
        let mut v: Vec<UnitLine> = self.lines.into_values().map(|(l, _)| l).collect();
        v.sort_by(|a, b| {
            (&a.unit.province, &a.unit.district, a.group, &a.unit.commune).cmp(&(
                &b.unit.province,
                &b.unit.district,
                b.group,
                &b.unit.commune,
            ))
        });
        v
    }
}

impl ReportData {
    /// From the `summary.json` of one or more scan folders (units of several scans are added up).
    /// A summary that cannot be read, or is not a scan's, is left out with one line saying so
    /// (the second value); only when none can be read is it an error.
    pub fn from_scan_dirs(
        dirs: &[PathBuf],
        division: Division,
        lang: Lang,
    ) -> Result<(ReportData, Vec<String>)> {
        let mut units = Lines::default();
        let mut as_of = None;
        let mut problems = Vec::new();
        for dir in dirs {
            let path = if dir.is_dir() {
                dir.join("summary.json")
            } else {
                dir.clone()
            };
            let what = |cause: &dyn std::fmt::Display| {
                lang.pick(
                    format!("không đọc được kết quả quét '{}': {cause}", path.display()),
                    format!("cannot read the scan summary '{}': {cause}", path.display()),
                )
            };
            // A summary is a few MB even for a whole country; a bigger file is not one.
            const MAX_SUMMARY_BYTES: u64 = 256 << 20;
            let text = match std::fs::metadata(&path) {
                Ok(m) if m.len() > MAX_SUMMARY_BYTES => Err(lang
                    .pick(
                        "tệp quá lớn, không phải tệp tóm tắt",
                        "too big to be a summary",
                    )
                    .to_string()),
                _ => std::fs::read_to_string(&path).map_err(|e| e.to_string()),
            };
            let v = text.and_then(|t| {
                serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string())
            });
            let v = match v {
                Ok(v) if v.get("units").is_some_and(serde_json::Value::is_array) => v,
                Ok(_) => {
                    problems.push(what(&lang.pick(
                        "không phải tệp summary.json của vaxclean scan",
                        "not the summary.json of a vaxclean scan",
                    )));
                    continue;
                }
                Err(e) => {
                    problems.push(what(&e));
                    continue;
                }
            };
            if let Some(d) = v
                .get("as_of")
                .and_then(serde_json::Value::as_str)
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            {
                as_of = as_of.max(Some(d));
            }
            for unit in v
                .get("units")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
            {
                let s = |k: &str| {
                    unit.get(k)
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                let recorded = UnitKey::new(s("province"), s("district"), s("commune"));
                let codes = unit
                    .get("by_code")
                    .and_then(serde_json::Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(c, n)| (c.as_str(), n.as_u64().unwrap_or(0)));
                let line = UnitLine {
                    rows: u(unit, "rows"),
                    people: u(unit, "people"),
                    people_with_errors: u(unit, "people_with_errors"),
                    families: families_of(codes),
                    ..UnitLine::default()
                };
                units.add(recorded, division, &line);
            }
        }
        if problems.len() == dirs.len()
            && let Some(first) = problems.first()
        {
            anyhow::bail!("{first}");
        }
        let data = ReportData {
            as_of,
            units: units.into_lines(),
            division,
            ..ReportData::default()
        };
        Ok((data, problems))
    }

    /// From a history: the latest complete run's units, every run's totals, and the units
    /// whose oldest open error is older than `sla_days`.
    pub fn from_history(h: &History, sla_days: u32, division: Division) -> Result<ReportData> {
        let mut trend = h.runs()?;
        // The trend counts each night's rows and people as its units do (the sum of its units,
        // as the summary tables add them), not by the run's own count of distinct people: a
        // person with rows in two units counts in each, in every figure of the report.
        let sums = h.unit_sums()?;
        for run in &mut trend {
            let s = sums.get(&run.id).copied().unwrap_or_default();
            (run.rows, run.people, run.people_with_errors) =
                (s.rows, s.people, s.people_with_errors);
        }
        let Some(last) = trend.last().cloned() else {
            return Ok(ReportData {
                sla_days,
                from_history: true,
                division,
                ..ReportData::default()
            });
        };
        let mut lines = Lines::default();
        for c in h.units(last.id)? {
            let line = UnitLine {
                families: families_of(c.by_code.iter().map(|(k, n)| (k.as_str(), *n))),
                rows: c.rows,
                people: c.people,
                people_with_errors: c.people_with_errors,
                ..UnitLine::default()
            };
            lines.add(c.unit, division, &line);
        }
        let units: Vec<UnitLine> = lines.into_lines();
        // Open errors by the line they count in (several recorded units may count in one), then
        // the deadline.
        type Age = (u64, NaiveDate, bool, std::collections::BTreeSet<UnitKey>);
        let mut ages: BTreeMap<UnitKey, Age> = BTreeMap::new();
        for a in h.open_ages()? {
            let (key, group) = counted_in(a.unit.clone(), division);
            let e = ages
                .entry(key)
                .or_insert_with(|| (0, a.oldest, group, Default::default()));
            e.0 = e.0.saturating_add(a.open_errors);
            e.1 = e.1.min(a.oldest);
            e.3.insert(a.unit);
        }
        let people: BTreeMap<&UnitKey, u64> = units.iter().map(|u| (&u.unit, u.people)).collect();
        let mut overdue: Vec<Overdue> = ages
            .into_iter()
            .map(|(unit, (open_errors, oldest, group, names))| Overdue {
                days: (last.as_of - oldest).num_days(),
                people: people.get(&unit).copied().unwrap_or(0),
                unit,
                group,
                names: names.len() as u64,
                open_errors,
                oldest,
            })
            .filter(|o| o.days > i64::from(sla_days))
            .collect();
        // Longest wait first; then by place, a district's group after its communes.
        fn place(o: &Overdue) -> (&String, &String, bool, &String) {
            (&o.unit.province, &o.unit.district, o.group, &o.unit.commune)
        }
        overdue.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| place(a).cmp(&place(b))));
        Ok(ReportData {
            as_of: Some(last.as_of),
            units,
            overdue,
            sla_days,
            from_history: true,
            trend,
            division,
        })
    }

    /// Everything added up.
    pub fn totals(&self) -> UnitLine {
        let mut t = UnitLine::default();
        for u in &self.units {
            t.add(u);
        }
        t
    }

    /// Province subtotals, district subtotals and communes, in that nesting: (level, line),
    /// level 0 a province, 1 a district, 2 a commune.
    pub fn tree(&self) -> Vec<(u8, UnitLine)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.units.len() {
            let p = self.units[i].unit.province.clone();
            let mut prov = UnitLine {
                unit: UnitKey::new(p.clone(), "", ""),
                ..UnitLine::default()
            };
            let start = out.len();
            out.push((0, UnitLine::default()));
            while i < self.units.len() && self.units[i].unit.province == p {
                let d = self.units[i].unit.district.clone();
                let mut dist = UnitLine {
                    unit: UnitKey::new(p.clone(), d.clone(), ""),
                    ..UnitLine::default()
                };
                // The 2025 units have no districts: no district lines.
                let districts = !(d.is_empty() && self.division == Division::D2025);
                let dstart = out.len();
                if districts {
                    out.push((1, UnitLine::default()));
                }
                while i < self.units.len()
                    && self.units[i].unit.province == p
                    && self.units[i].unit.district == d
                {
                    dist.add(&self.units[i]);
                    out.push((2, self.units[i].clone()));
                    i += 1;
                }
                prov.add(&dist);
                if districts {
                    out[dstart] = (1, dist);
                }
            }
            out[start] = (0, prov);
        }
        out
    }

    /// The units a chart shows, worst first (at most 30, none without errors): communes when
    /// there are few, else districts, else provinces.
    pub fn chart_units(&self, lang: Lang) -> Vec<(String, u64)> {
        let tree = self.tree();
        let level = [2u8, 1, 0]
            .into_iter()
            .find(|l| tree.iter().filter(|(x, _)| x == l).count() <= 30)
            .unwrap_or(0);
        let mut v: Vec<(String, u64)> = tree
            .into_iter()
            .filter(|(l, _)| *l == level)
            .filter(|(_, u)| u.people_with_errors > 0)
            .map(|(_, u)| (u.label(lang), u.people_with_errors))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(30);
        v
    }

    /// The communes with the most people with errors (none without).
    pub fn worst(&self, n: usize) -> Vec<&UnitLine> {
        let mut v: Vec<&UnitLine> = self
            .units
            .iter()
            .filter(|u| u.people_with_errors > 0)
            .collect();
        v.sort_by(|a, b| {
            b.people_with_errors
                .cmp(&a.people_with_errors)
                .then(a.unit.cmp(&b.unit))
        });
        v.truncate(n);
        v
    }
}

fn percent(x: f64, lang: Lang) -> String {
    let s = format!("{:.1}%", x * 100.0);
    if lang == Lang::Vi {
        s.replace('.', ",")
    } else {
        s
    }
}

/// Prints the totals and the worst communes.
pub fn print_top(
    w: &mut impl Write,
    data: &ReportData,
    files: &[&Path],
    lang: Lang,
) -> std::io::Result<()> {
    let t = data.totals();
    let day = data
        .as_of
        .map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string());
    let (rows, people, bad) = (
        lang.count(t.rows),
        lang.count(t.people),
        lang.count(t.people_with_errors),
    );
    let clean = percent(t.share_clean(), lang);
    let totals = lang.pick(
        format!("Ngày {day}: {rows} dòng, {people} người, {bad} người có lỗi ({clean} sạch)."),
        format!("{day}: {rows} rows, {people} people, {bad} people with errors ({clean} clean)."),
    );
    writeln!(w, "{totals}")?;
    if let Some(last) = data.trend.last() {
        let (new, fixed, open) = (
            lang.count(last.new),
            lang.count(last.fixed),
            lang.count(last.open),
        );
        let (overdue, days) = (lang.count(data.overdue.len() as u64), data.sla_days);
        let since = lang.pick(
            format!(
                "So với lần trước: {new} phát hiện mới, {fixed} đã được sửa, {open} còn tồn đọng; {overdue} địa bàn có lỗi quá {days} ngày."
            ),
            format!(
                "Since the last run: {new} new findings, {fixed} fixed, {open} open; {overdue} units with errors older than {days} days."
            ),
        );
        writeln!(w, "{since}")?;
    }
    let worst = data.worst(10);
    if !worst.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "  {:<40} {:>10} {:>12} {:>8}",
            lang.pick("địa bàn", "unit"),
            lang.pick("số người", "people"),
            lang.pick("người có lỗi", "with errors"),
            lang.pick("sạch", "clean")
        )?;
        for u in worst {
            let commune = u.commune_name(lang);
            let name: String = [&commune, &u.unit.district, &u.unit.province]
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let name: String = name.chars().take(40).collect();
            writeln!(
                w,
                "  {:<40} {:>10} {:>12} {:>8}",
                name,
                lang.count(u.people),
                lang.count(u.people_with_errors),
                percent(u.share_clean(), lang)
            )?;
        }
    }
    writeln!(w)?;
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let names = names.join(", ");
    writeln!(
        w,
        "{}",
        lang.pick(format!("Báo cáo: {names}"), format!("Report: {names}"))
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(p: &str, d: &str, c: &str, people: u64, err: u64) -> UnitLine {
        UnitLine {
            unit: UnitKey::new(p, d, c),
            rows: people * 2,
            people,
            people_with_errors: err,
            families: [err, 0, 0, 1],
            ..UnitLine::default()
        }
    }

    #[test]
    fn families_sort_codes() {
        assert_eq!(family("ID_MISSING"), Some(0));
        assert_eq!(family("ID_LEADING_ZERO_LOST"), Some(1));
        assert_eq!(family("ID_GENDER_MISMATCH"), Some(2));
        assert_eq!(family("NAME_ENCODING"), Some(2));
        assert_eq!(family("GENDER_MISSING"), Some(2));
        assert_eq!(family("PHONE_INVALID"), Some(3));
        assert_eq!(family("DOSE_DUPLICATE"), Some(3));
        assert_eq!(family("NAME_FORMAT"), None, "formatting only");
    }

    #[test]
    fn scans_roll_up_into_2025_communes_without_districts() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let unit = |c: &str, people: u64| {
            serde_json::json!({"province": "Thành phố Hà Nội", "district": "Quận Ba Đình",
                "commune": c, "rows": people, "people": people, "people_with_errors": 1,
                "by_code": {"ID_MISSING": 1}})
        };
        let summary = serde_json::json!({"as_of": "2026-11-26", "units": [
            unit("Phường Phúc Xá", 10), unit("Phường Vĩnh Phúc", 20), unit("Phường Cống Vị", 30)]});
        std::fs::write(dir.path().join("summary.json"), summary.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let dirs = [dir.path().to_path_buf()];
        let read = |d| ReportData::from_scan_dirs(&dirs, d, Lang::En).map(|x| x.0);
        let (old, new) = match (read(Division::D2020), read(Division::D2025)) {
            (Ok(o), Ok(n)) => (o, n),
            other => panic!("{other:?}"),
        };
        assert_eq!(old.units.len(), 3);
        // Phúc Xá → Hồng Hà, Vĩnh Phúc → Ngọc Hà; Cống Vị was split: counted under its own name.
        let names: Vec<(&str, u64)> = new
            .units
            .iter()
            .map(|u| (u.unit.commune.as_str(), u.people))
            .collect();
        assert_eq!(
            names,
            [
                ("Phường Cống Vị (trước 2025, nay thuộc nhiều xã)", 30),
                ("Phường Hồng Hà", 10),
                ("Phường Ngọc Hà", 20)
            ]
        );
        assert_eq!(old.totals(), new.totals());
        let tree = new.tree();
        assert!(
            tree.iter().all(|(level, _)| *level != 1),
            "no district lines"
        );
        assert_eq!(tree.len(), 4);
    }

    #[test]
    fn unrecognised_communes_count_in_their_district_s_group() {
        let of = |p: &str, d: &str, c: &str, div| counted_in(UnitKey::new(p, d, c), div);
        let ba_tri = UnitKey::new("Tỉnh Bến Tre", "Huyện Ba Tri", "");
        // Recognised, however few people: as recorded.
        let tan_my = UnitKey::new("Tỉnh Bến Tre", "Huyện Ba Tri", "Xã Tân Mỹ");
        assert_eq!(
            of("Tỉnh Bến Tre", "Huyện Ba Tri", "Xã Tân Mỹ", Division::D2020),
            (tan_my, false)
        );
        // Misspelt or missing: the district's group.
        for c in ["Xã Tân Myy", "Xa Tan My 2", ""] {
            assert_eq!(
                of("Tỉnh Bến Tre", "Huyện Ba Tri", c, Division::D2020),
                (ba_tri.clone(), true),
                "{c}"
            );
        }
        // The district unknown too: the province's group; nothing known: one group.
        assert_eq!(
            of(
                "Tỉnh Bến Tre",
                "Huyện Không Có",
                "Xã Tân Myy",
                Division::D2020
            ),
            (UnitKey::new("Tỉnh Bến Tre", "", ""), true)
        );
        assert_eq!(
            of("Tỉnh Không Có", "", "Xã Tân Mỹ", Division::D2020),
            (UnitKey::default(), true)
        );
        // A unit written in 2025 communes (no district) is recognised.
        let hong_ha = UnitKey::new("Thành phố Hà Nội", "", "Phường Hồng Hà");
        assert_eq!(
            of("Thành phố Hà Nội", "", "Phường Hồng Hà", Division::D2020),
            (hong_ha, false)
        );
        // In 2025 units: the 2025 province's group.
        let (key, group) = of(
            "Tỉnh Bến Tre",
            "Huyện Ba Tri",
            "Xã Tân Myy",
            Division::D2025,
        );
        assert!(group);
        assert!(key.district.is_empty() && key.commune.is_empty());
        assert!(!key.province.is_empty());
    }

    #[test]
    fn a_group_holds_every_spelling_once_and_adds_up_their_people() {
        let mut lines = Lines::default();
        let counts = |people| UnitLine {
            rows: people,
            people,
            people_with_errors: 1,
            ..UnitLine::default()
        };
        let misspelt = |c: &str| UnitKey::new("Tỉnh Bến Tre", "Huyện Ba Tri", c);
        lines.add(misspelt("Xã Tân Myy"), Division::D2020, &counts(3));
        lines.add(misspelt("Xa Tan My 2"), Division::D2020, &counts(1));
        // The same spelling from a second scan: one name.
        lines.add(misspelt("Xã Tân Myy"), Division::D2020, &counts(2));
        lines.add(misspelt("Xã Tân Mỹ"), Division::D2020, &counts(40));
        let data = ReportData {
            units: lines.into_lines(),
            ..ReportData::default()
        };
        assert_eq!(data.units.len(), 2);
        // The group comes after the district's communes.
        let group = &data.units[1];
        assert!(group.group);
        assert_eq!(
            (group.names, group.people, group.people_with_errors),
            (2, 6, 3)
        );
        assert_eq!(group.commune_name(Lang::Vi), "Xã chưa xác định (2 tên)");
        assert_eq!(
            group.label(Lang::En),
            "Unrecognised communes (2 names), Huyện Ba Tri"
        );
        assert_eq!(data.totals().people, 46);
        assert_eq!(data.units[0].names, 1);
    }

    #[test]
    fn the_tree_adds_up() {
        let data = ReportData {
            units: vec![
                line("A", "A1", "x", 10, 2),
                line("A", "A1", "y", 10, 0),
                line("A", "A2", "z", 5, 5),
                line("B", "B1", "w", 4, 1),
            ],
            ..ReportData::default()
        };
        let tree = data.tree();
        let levels: Vec<u8> = tree.iter().map(|(l, _)| *l).collect();
        assert_eq!(levels, [0, 1, 2, 2, 1, 2, 0, 1, 2]);
        assert_eq!(tree[0].1.people, 25);
        assert_eq!(tree[0].1.people_with_errors, 7);
        assert_eq!(tree[1].1.people, 20);
        assert_eq!(data.totals().people, 29);
        assert!((tree[4].1.share_clean() - 0.0).abs() < 1e-9);
        assert_eq!(data.chart_units(Lang::En)[0], ("z".to_string(), 5));
        assert_eq!(data.worst(1)[0].unit.commune, "z");
    }
}
