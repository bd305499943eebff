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
use crate::normalize::places::Division;
use crate::normalize::units2025;
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
    /// Province, district, commune (empty where not known or for a subtotal).
    pub unit: UnitKey,
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
        self.rows = self.rows.saturating_add(o.rows);
        self.people = self.people.saturating_add(o.people);
        self.people_with_errors = self.people_with_errors.saturating_add(o.people_with_errors);
        for (a, b) in self.families.iter_mut().zip(o.families) {
            *a = a.saturating_add(b);
        }
    }

    /// A readable name: the most precise level known.
    pub fn label(&self) -> String {
        let UnitKey {
            province: p,
            district: d,
            commune: c,
        } = &self.unit;
        [c, d, p]
            .iter()
            .find(|s| !s.is_empty())
            .map_or_else(|| "(chưa rõ)".to_string(), |s| s.to_string())
    }
}

/// A unit whose oldest open error waits longer than the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The unit.
    pub unit: UnitKey,
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

/// The unit a count goes to in `division`: as recorded, or the 2025 commune that took it over.
fn counted_in(unit: UnitKey, division: Division) -> UnitKey {
    match division {
        Division::D2020 => unit,
        Division::D2025 => {
            let [p, d, c] = units2025::regroup(&unit.province, &unit.district, &unit.commune);
            UnitKey::new(p, d, c)
        }
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

impl ReportData {
    /// From the `summary.json` of one or more scan folders (units of several scans are added up).
    /// A summary that cannot be read, or is not a scan's, is left out with one line saying so
    /// (the second value); only when none can be read is it an error.
    pub fn from_scan_dirs(
        dirs: &[PathBuf],
        division: Division,
        lang: Lang,
    ) -> Result<(ReportData, Vec<String>)> {
        let mut units: BTreeMap<UnitKey, UnitLine> = BTreeMap::new();
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
                let key = counted_in(
                    UnitKey::new(s("province"), s("district"), s("commune")),
                    division,
                );
                let codes = unit
                    .get("by_code")
                    .and_then(serde_json::Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(c, n)| (c.as_str(), n.as_u64().unwrap_or(0)));
                let line = UnitLine {
                    unit: key.clone(),
                    rows: u(unit, "rows"),
                    people: u(unit, "people"),
                    people_with_errors: u(unit, "people_with_errors"),
                    families: families_of(codes),
                };
                units
                    .entry(key.clone())
                    .or_insert_with(|| UnitLine {
                        unit: key,
                        ..UnitLine::default()
                    })
                    .add(&line);
            }
        }
        if problems.len() == dirs.len()
            && let Some(first) = problems.first()
        {
            anyhow::bail!("{first}");
        }
        let data = ReportData {
            as_of,
            units: units.into_values().collect(),
            division,
            ..ReportData::default()
        };
        Ok((data, problems))
    }

    /// From a history: the latest complete run's units, every run's totals, and the units
    /// whose oldest open error is older than `sla_days`.
    pub fn from_history(h: &History, sla_days: u32, division: Division) -> Result<ReportData> {
        let trend = h.runs()?;
        let Some(last) = trend.last() else {
            return Ok(ReportData {
                sla_days,
                from_history: true,
                division,
                ..ReportData::default()
            });
        };
        let mut units: BTreeMap<UnitKey, UnitLine> = BTreeMap::new();
        for c in h.units(last.id)? {
            let unit = counted_in(c.unit, division);
            let line = UnitLine {
                families: families_of(c.by_code.iter().map(|(k, n)| (k.as_str(), *n))),
                unit: unit.clone(),
                rows: c.rows,
                people: c.people,
                people_with_errors: c.people_with_errors,
            };
            units
                .entry(unit.clone())
                .or_insert_with(|| UnitLine {
                    unit,
                    ..UnitLine::default()
                })
                .add(&line);
        }
        let units = units.into_values().collect();
        // Open errors by unit (merged when several recorded units count in one), then the deadline.
        let mut ages: BTreeMap<UnitKey, (u64, NaiveDate)> = BTreeMap::new();
        for a in h.open_ages()? {
            let e = ages
                .entry(counted_in(a.unit, division))
                .or_insert((0, a.oldest));
            e.0 = e.0.saturating_add(a.open_errors);
            e.1 = e.1.min(a.oldest);
        }
        let mut overdue: Vec<Overdue> = ages
            .into_iter()
            .map(|(unit, (open_errors, oldest))| Overdue {
                days: (last.as_of - oldest).num_days(),
                unit,
                open_errors,
                oldest,
            })
            .filter(|o| o.days > i64::from(sla_days))
            .collect();
        overdue.sort_by(|a, b| b.days.cmp(&a.days).then(a.unit.cmp(&b.unit)));
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

    /// The units a chart shows, worst first (at most 30): communes when there are few, else
    /// districts, else provinces.
    pub fn chart_units(&self) -> Vec<(String, u64)> {
        let tree = self.tree();
        let level = [2u8, 1, 0]
            .into_iter()
            .find(|l| tree.iter().filter(|(x, _)| x == l).count() <= 30)
            .unwrap_or(0);
        let mut v: Vec<(String, u64)> = tree
            .into_iter()
            .filter(|(l, _)| *l == level)
            .map(|(_, u)| (u.label(), u.people_with_errors))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(30);
        v
    }

    /// The communes with the most people with errors.
    pub fn worst(&self, n: usize) -> Vec<&UnitLine> {
        let mut v: Vec<&UnitLine> = self.units.iter().collect();
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
    writeln!(
        w,
        "{}{day}: {} {}, {} {}, {} {} ({} {}).",
        lang.pick("Ngày ", ""),
        lang.count(t.rows),
        lang.pick("dòng", "rows"),
        lang.count(t.people),
        lang.pick("người", "people"),
        lang.count(t.people_with_errors),
        lang.pick("người có lỗi", "people with errors"),
        percent(t.share_clean(), lang),
        lang.pick("sạch", "clean")
    )?;
    if let Some(last) = data.trend.last() {
        writeln!(
            w,
            "{}: {} {}, {} {}, {} {}; {} {} {} {}.",
            lang.pick("So với lần trước", "Since the last run"),
            lang.count(last.new),
            lang.pick("phát hiện mới", "new findings"),
            lang.count(last.fixed),
            lang.pick("đã được sửa", "fixed"),
            lang.count(last.open),
            lang.pick("còn tồn đọng", "open"),
            lang.count(data.overdue.len() as u64),
            lang.pick("địa bàn có lỗi quá", "units with errors older than"),
            data.sla_days,
            lang.pick("ngày", "days")
        )?;
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
            let name: String = [&u.unit.commune, &u.unit.district, &u.unit.province]
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
    writeln!(
        w,
        "{}: {}",
        lang.pick("Báo cáo", "Report"),
        names.join(", ")
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
        assert_eq!(data.chart_units()[0], ("z".to_string(), 5));
        assert_eq!(data.worst(1)[0].unit.commune, "z");
    }
}
