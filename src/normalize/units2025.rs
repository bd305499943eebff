//! From the 2020 units to the 2025 ones. Since 1 July 2025 Vietnam has 34 provinces and 3,321
//! communes and no districts; the dumps name the 2020 units, the people who act on the lists work
//! in the 2025 communes. [`Successors`] tells, for a place recognised in 2020, which 2025 commune
//! took it over: one (most communes), several (a commune split between new ones: the person's
//! hamlet or address may tell which), or — for the 567 communes merged into neighbours before 2025
//! and absent from the table — those that took over the rest of its 2020 district.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use super::places::{Division, Place};
use super::text::fold;
use crate::reference;

/// A commune of the 2025 division.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit2025 {
    /// Its province (official name).
    pub province: String,
    /// The commune (official name, with its type: "Xã An Vinh", "Phường Ba Đình", "Đặc khu …").
    pub commune: String,
    /// Its statistics-office code.
    pub code: String,
}

/// Where a 2020 place went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Successor {
    /// One 2025 commune took it over (or the place was written in 2025 units).
    One(Unit2025),
    /// Several could have: split between them, or (commune absent from the table) the successors
    /// of its district; the province is known.
    Several {
        /// The 2025 province.
        province: String,
        /// The candidates, in name order.
        candidates: Vec<Unit2025>,
    },
    /// Only the 2025 province is known (the commune was not recognised).
    Province(String),
    /// Nothing is known.
    Unknown,
}

/// The 2020 → 2025 table, loaded once.
#[derive(Debug, Default)]
pub struct Successors {
    /// 2020 commune code → its successors.
    by_commune: HashMap<String, Vec<Unit2025>>,
    /// 2020 district code → the successors of its communes.
    by_district: HashMap<String, BTreeSet<Unit2025>>,
    /// 2020 commune code → its 2020 district code.
    district_of: HashMap<String, String>,
    /// 2020 province code → 2025 province name.
    provinces: HashMap<String, String>,
    /// 2020 province name (folded: the tables spell tones both ways) → its code.
    province_code: HashMap<String, String>,
}

fn records(text: &'static str) -> impl Iterator<Item = csv::StringRecord> {
    csv::ReaderBuilder::new()
        .from_reader(text.as_bytes())
        .into_records()
        .filter_map(Result::ok)
}

impl Successors {
    /// The built-in table.
    pub fn builtin() -> &'static Successors {
        static TABLE: LazyLock<Successors> = LazyLock::new(Successors::load);
        &TABLE
    }

    fn load() -> Successors {
        let mut s = Successors::default();
        let mut province_2025: HashMap<String, String> = HashMap::new();
        for r in records(reference::ADMIN_UNITS_2025_CSV) {
            let get = |i: usize| r.get(i).unwrap_or("").trim().to_string();
            province_2025.insert(get(0), get(1));
        }
        for r in records(reference::ADMIN_UNITS_2020_CSV) {
            let get = |i: usize| r.get(i).unwrap_or("").trim().to_string();
            s.district_of.insert(get(4), get(2));
            s.province_code.insert(fold(&get(1)), get(0));
        }
        for r in records(reference::PROVINCES_2020_TO_2025_CSV) {
            let get = |i: usize| r.get(i).unwrap_or("").trim().to_string();
            s.provinces.insert(get(0), get(3));
        }
        for r in records(reference::UNITS_2020_TO_2025_CSV) {
            let get = |i: usize| r.get(i).unwrap_or("").trim().to_string();
            let Some(province) = province_2025.get(&get(4)).cloned() else {
                continue;
            };
            let unit = Unit2025 {
                province,
                commune: get(6),
                code: get(5),
            };
            let list = s.by_commune.entry(get(0)).or_default();
            if !list.contains(&unit) {
                list.push(unit.clone());
            }
            if let Some(d) = s.district_of.get(&get(0)) {
                s.by_district.entry(d.clone()).or_default().insert(unit);
            }
        }
        for list in s.by_commune.values_mut() {
            list.sort();
        }
        s
    }

    /// The 2025 province a 2020 province became part of.
    pub fn province(&self, province_2020: &str) -> Option<&str> {
        let code = self.province_code.get(&fold(province_2020))?;
        self.provinces.get(code).map(String::as_str)
    }

    /// Where a place recognised by the gazetteer (canonical names) went.
    pub fn of(&self, place: &Place) -> Successor {
        if place.division == Division::D2025 {
            return match (&place.province, &place.commune) {
                (Some(p), Some(c)) => Successor::One(Unit2025 {
                    province: p.clone(),
                    commune: c.clone(),
                    code: place.commune_code.clone().unwrap_or_default(),
                }),
                (Some(p), None) => Successor::Province(p.clone()),
                _ => Successor::Unknown,
            };
        }
        let Some(province) = place.province.as_deref() else {
            return Successor::Unknown;
        };
        let Some(new_province) = self.province(province) else {
            return Successor::Unknown;
        };
        let from_table = place
            .commune_code
            .as_ref()
            .and_then(|c| self.by_commune.get(c))
            .cloned();
        let candidates: Vec<Unit2025> = match (from_table, &place.commune_code) {
            (Some(list), _) => list,
            // A commune absent from the table: its district's successors.
            (None, Some(code)) => self
                .district_of
                .get(code)
                .and_then(|d| self.by_district.get(d))
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        match candidates.as_slice() {
            [] => Successor::Province(new_province.to_string()),
            [one] => Successor::One(one.clone()),
            _ => Successor::Several {
                province: new_province.to_string(),
                candidates,
            },
        }
    }
}

/// Of several candidate communes, the one the person's address or hamlet names (by the commune's
/// name without its type, accents and case aside, as whole words; a name inside a longer one named
/// too does not count); `None` when none or more than one is named.
pub fn named_in<'a>(candidates: &'a [Unit2025], address: &str) -> Option<&'a Unit2025> {
    let text = format!(" {} ", words(address));
    let named: Vec<(&Unit2025, String)> = candidates
        .iter()
        .map(|c| (c, words(strip_type(&c.commune))))
        .filter(|(_, bare)| !bare.is_empty() && text.contains(&format!(" {bare} ")))
        .collect();
    let mut kept = named.iter().filter(|(_, bare)| {
        !named
            .iter()
            .any(|(_, other)| other != bare && format!(" {other} ").contains(&format!(" {bare} ")))
    });
    let first = kept.next()?;
    kept.next().is_none().then_some(first.0)
}

/// Where a person is filed in the 2025 division: a commune, or — their 2020 commune split between
/// several and their address naming none of them — their 2025 province's list of people whose new
/// commune must be determined, with the candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    /// This 2025 commune.
    Commune(Unit2025),
    /// One of these, in this province.
    Undetermined {
        /// The 2025 province.
        province: String,
        /// The 2025 communes that took over parts of the 2020 one.
        candidates: Vec<Unit2025>,
    },
    /// The 2025 province only (the commune was not recognised).
    Province(String),
    /// Nowhere known.
    Unknown,
}

/// Files a place recognised by the gazetteer in the 2025 division; `address` is the person's
/// address as written (hamlet, street…), which may name one of the candidates of a split commune
/// (the old commune's own name is no evidence: it names the commune that was split).
pub fn file(place: &Place, address: &str) -> Filed {
    match Successors::builtin().of(place) {
        Successor::One(u) => Filed::Commune(u),
        Successor::Several {
            province,
            candidates,
        } => {
            let old = place.commune.as_deref().map(|c| words(strip_type(c)));
            let mut text = format!(" {} ", words(address));
            if let Some(old) = old.filter(|o| !o.is_empty()) {
                text = text.replace(&format!(" {old} "), " ");
            }
            match named_in(&candidates, &text) {
                Some(u) => Filed::Commune(u.clone()),
                None => Filed::Undetermined {
                    province,
                    candidates,
                },
            }
        }
        Successor::Province(p) => Filed::Province(p),
        Successor::Unknown => Filed::Unknown,
    }
}

/// The 2025 unit a unit of a scan or history is counted in (`report --units 2025`): its names
/// (canonical where the scan recognised them, 2020 or 2025) → (province, "", commune) of 2025. A
/// 2020 commune split between several counts in its 2025 province under its own name marked as
/// such ("Xã Tân Hòa (trước 2025, nay thuộc nhiều xã)"); an unrecognised one under its 2025
/// province, or as written when even the province is unknown.
pub fn regroup(province: &str, district: &str, commune: &str) -> [String; 3] {
    let g = super::places::Gazetteer::builtin();
    let place = g.resolve_either(province, district, commune, !district.trim().is_empty());
    match file(&place, "") {
        Filed::Commune(u) => [u.province, String::new(), u.commune],
        Filed::Undetermined { province: p, .. } => {
            let old = place.commune.unwrap_or_else(|| commune.to_string());
            [
                p,
                String::new(),
                format!("{old} (trước 2025, nay thuộc nhiều xã)"),
            ]
        }
        Filed::Province(p) => [p, String::new(), commune.to_string()],
        Filed::Unknown => [province.to_string(), String::new(), commune.to_string()],
    }
}

fn strip_type(name: &str) -> &str {
    ["Thị trấn ", "Phường ", "Xã ", "Đặc khu "]
        .iter()
        .find_map(|t| name.strip_prefix(t))
        .unwrap_or(name)
}

fn words(s: &str) -> String {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::places::Gazetteer;

    fn of(p: &str, d: &str, c: &str) -> Successor {
        Successors::builtin().of(&Gazetteer::builtin().resolve(p, d, c))
    }

    #[test]
    fn a_2020_commune_goes_to_the_commune_that_took_it_over() {
        match of("Hà Nội", "Ba Đình", "Phúc Xá") {
            Successor::One(u) => {
                assert_eq!(u.commune, "Phường Hồng Hà");
                assert_eq!(u.province, "Thành phố Hà Nội");
            }
            other => panic!("{other:?}"),
        }
        // Hà Giang became part of Tuyên Quang.
        assert_eq!(
            Successors::builtin().province("Tỉnh Hà Giang"),
            Some("Tỉnh Tuyên Quang")
        );
        assert_eq!(
            of("Tỉnh Hà Giang", "", ""),
            Successor::Province("Tỉnh Tuyên Quang".into())
        );
        assert_eq!(of("", "", ""), Successor::Unknown);
    }

    #[test]
    fn every_2020_commune_has_a_successor_or_candidates() {
        let g = Gazetteer::builtin();
        let s = Successors::builtin();
        let (mut several, mut province_only) = (0, 0);
        let mut rdr = csv::Reader::from_reader(reference::ADMIN_UNITS_2020_CSV.as_bytes());
        for r in rdr.records().filter_map(Result::ok) {
            let get = |i: usize| r.get(i).unwrap_or("");
            let place = g.resolve(get(1), get(3), get(5));
            match s.of(&place) {
                Successor::One(_) => {}
                Successor::Several { candidates, .. } => {
                    assert!(candidates.len() > 1);
                    several += 1;
                }
                Successor::Province(_) => province_only += 1,
                Successor::Unknown => panic!("{} {}", get(4), get(5)),
            }
        }
        // A commune absent from the table whose district has no commune in it either.
        assert!(province_only < 20, "{province_only}");
        // 471 split communes, and the absent ones whose district has several successors.
        assert!((471..1100).contains(&several), "{several}");
    }

    #[test]
    fn a_split_commune_is_filed_where_the_address_says() {
        let g = Gazetteer::builtin();
        let s = Successors::builtin();
        // The first split commune of the table, and its candidates.
        let mut rdr = csv::Reader::from_reader(reference::ADMIN_UNITS_2020_CSV.as_bytes());
        let (place, candidates) = rdr
            .records()
            .filter_map(Result::ok)
            .find_map(|r| {
                let get = |i: usize| r.get(i).unwrap_or("").to_string();
                let place = g.resolve(&get(1), &get(3), &get(5));
                match s.of(&place) {
                    Successor::Several { candidates, .. }
                        if place
                            .commune_code
                            .as_ref()
                            .is_some_and(|c| s.by_commune.contains_key(c)) =>
                    {
                        Some((place, candidates))
                    }
                    _ => None,
                }
            })
            .expect("a split commune");
        let other = candidates
            .iter()
            .find(|c| Some(strip_type(&c.commune)) != place.commune.as_deref().map(strip_type))
            .expect("a candidate of another name");
        let hamlet = format!("Thôn 2, {}", strip_type(&other.commune));
        assert_eq!(file(&place, &hamlet), Filed::Commune(other.clone()));
        // The old commune's own name says nothing.
        let own = format!("Thôn 2, {}", place.commune.clone().unwrap_or_default());
        assert!(
            matches!(file(&place, &own), Filed::Undetermined { .. }),
            "{own}"
        );
        assert!(matches!(file(&place, ""), Filed::Undetermined { .. }));
    }

    #[test]
    fn units_of_a_report_regroup_by_2025_commune() {
        let to = |p: &str, d: &str, c: &str| regroup(p, d, c);
        assert_eq!(
            to("Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá"),
            ["Thành phố Hà Nội", "", "Phường Hồng Hà"].map(String::from)
        );
        // Already in 2025 units.
        assert_eq!(
            to("Thành phố Hà Nội", "", "Phường Hồng Hà"),
            ["Thành phố Hà Nội", "", "Phường Hồng Hà"].map(String::from)
        );
        // A province merged into another; an unknown commune stays under the new province.
        assert_eq!(
            to("Tỉnh Hà Giang", "", "Xã Không Có")[0],
            "Tỉnh Tuyên Quang"
        );
        assert_eq!(to("", "", "Xóm Lạ"), ["", "", "Xóm Lạ"].map(String::from));
    }

    #[test]
    fn the_address_names_one_candidate_or_none() {
        let u = |c: &str| Unit2025 {
            province: "Tỉnh X".into(),
            commune: c.into(),
            code: String::new(),
        };
        let c = [u("Xã An Vinh"), u("Xã Tân Hòa"), u("Phường An")];
        assert_eq!(
            named_in(&c, "Thôn 3, xã Tân Hoà").map(|x| x.commune.as_str()),
            Some("Xã Tân Hòa")
        );
        assert_eq!(
            named_in(&c, "ấp An Vinh Hạ").map(|x| x.commune.as_str()),
            Some("Xã An Vinh")
        );
        assert_eq!(named_in(&c, "Thôn 1"), None);
        assert_eq!(named_in(&c, "Tân Hòa hay An Vinh"), None);
    }
}
