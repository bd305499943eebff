//! Places: province, district and commune names matched against the gazetteer whatever the
//! spelling ("Xã Hoà An", "Hòa An", "xa hoa an", "P.1" / "Phường 01", "TP HCM"), giving each row
//! its canonical units and commune code. The built-in gazetteer is the 2021-2022 division; another
//! one (the 2025 division, say) can be loaded from a CSV file with the same columns.

/// Maps keyed by place names: built for every province a dump names, and looked up for every
/// distinct place, where SipHash was a sixth of the time.
type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
use std::sync::{Arc, LazyLock, OnceLock};

use crate::normalize::text::{fold_compact, is_tone_mark};
use crate::reference;

/// One unit of the gazetteer.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// Statistics-office code.
    pub code: String,
    /// Official name, with its type ("Xã Hòa An").
    pub name: String,
}

#[derive(Debug, Default)]
struct Level {
    units: Vec<Unit>,
    /// Keys (with the type word, without it; toned, then folded) → units.
    maps: [HashMap<String, Named>; 4],
}

/// The units a key names: only whether it is one, and which, is ever asked (no list a key).
#[derive(Debug, Clone, Copy)]
enum Named {
    One(usize),
    Several,
}

impl Level {
    fn add(&mut self, unit: Unit, kind: Kind) -> usize {
        let keys = all_keys(&unit.name, kind);
        self.add_keyed(unit, keys)
    }

    /// [`Level::add`] with the unit's keys already made.
    fn add_keyed(&mut self, unit: Unit, keys: [String; 4]) -> usize {
        let i = self.units.len();
        for (map, key) in self.maps.iter_mut().zip(keys) {
            if !key.is_empty() {
                map.entry(key)
                    .and_modify(|n| *n = Named::Several)
                    .or_insert(Named::One(i));
            }
        }
        self.units.push(unit);
        i
    }

    /// The unit a written name means: the most exact key that names exactly one unit.
    fn find(&self, written: &str, kind: Kind) -> Lookup {
        let all = all_keys(written, kind);
        if all[3].is_empty() {
            return Lookup::Empty;
        }
        let mut ambiguous = false;
        for (map, key) in self.maps.iter().zip(all) {
            match map.get(&key) {
                Some(Named::One(one)) => return Lookup::One(*one),
                Some(Named::Several) => ambiguous = true,
                None => {}
            }
        }
        if ambiguous {
            Lookup::Ambiguous
        } else {
            Lookup::None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    Empty,
    None,
    Ambiguous,
    One(usize),
}

impl Lookup {
    /// The unit found, `Some(None)` when nothing was written, `None` when what was written is
    /// no unit or more than one (the place is unknown).
    fn written(self) -> Option<Option<usize>> {
        match self {
            Lookup::One(i) => Some(Some(i)),
            Lookup::Empty => Some(None),
            Lookup::None | Lookup::Ambiguous => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Province or centrally-run city.
    Province,
    /// District, town or provincial city.
    District,
    /// Commune, ward or township.
    Commune,
}

/// Whether `written` names the unit called `canonical`, whatever the accents, capitals, spaces
/// or type word ("Hòa An", "xa hoa an", "Xã Hoà An"; "TP HCM").
pub fn same_name(kind: Kind, written: &str, canonical: &str) -> bool {
    let a = all_keys(written, kind);
    let b = all_keys(canonical, kind);
    !a[3].is_empty() && a[3] == b[3]
}

/// Type words by level, short forms first mapped to the long ones.
const TYPE_WORDS: &[(Kind, &str, &str)] = &[
    (Kind::Province, "thanh pho", "thanh pho"),
    (Kind::Province, "tp", "thanh pho"),
    (Kind::Province, "tinh", "tinh"),
    (Kind::Province, "t", "tinh"),
    (Kind::District, "thanh pho", "thanh pho"),
    (Kind::District, "tp", "thanh pho"),
    (Kind::District, "thi xa", "thi xa"),
    (Kind::District, "tx", "thi xa"),
    (Kind::District, "quan", "quan"),
    (Kind::District, "q", "quan"),
    (Kind::District, "huyen", "huyen"),
    (Kind::District, "h", "huyen"),
    (Kind::Commune, "thi tran", "thi tran"),
    (Kind::Commune, "tt", "thi tran"),
    (Kind::Commune, "phuong", "phuong"),
    (Kind::Commune, "p", "phuong"),
    (Kind::Commune, "xa", "xa"),
    (Kind::Commune, "x", "xa"),
];

/// Other names people write for provinces (folded, without type word).
const PROVINCE_ALIASES: &[(&str, &str)] = &[
    ("hcm", "ho chi minh"),
    ("hochiminh", "ho chi minh"),
    ("sai gon", "ho chi minh"),
    ("saigon", "ho chi minh"),
    ("hn", "ha noi"),
    ("hue", "thua thien hue"),
    ("tt hue", "thua thien hue"),
    ("brvt", "ba ria vung tau"),
    ("vung tau", "ba ria vung tau"),
    ("daklak", "dak lak"),
    ("dac lac", "dak lak"),
    ("daknong", "dak nong"),
    ("dac nong", "dak nong"),
];

/// A word as folded (no accents) and as toned (letters with their hats, breves and horns, and the
/// tone marks moved to the end, so that old and new tone placement — "Hoà" / "Hòa" — meet while
/// "Pa" / "Pả" and "Vân" / "Văn" do not). Digits are split from letters ("Q3" is "q", "3").
fn words(name: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut keep = |piece: &str| {
        let folded = fold_compact(piece);
        if folded.is_empty() {
            return;
        }
        // The lower case of ASCII letters has no tone to move.
        let toned = if piece.is_ascii() {
            piece.to_ascii_lowercase()
        } else {
            toned_key(piece)
        };
        out.push((folded, toned));
    };
    for word in name.split(|c: char| !c.is_alphanumeric() && !is_tone_mark(c)) {
        // Pieces are cut where digits meet letters (a tone mark stays with its letter).
        let mut start = 0;
        let mut digits = None;
        for (i, c) in word.char_indices() {
            let d = c.is_ascii_digit();
            if digits.is_some_and(|prev| prev != d) && !is_tone_mark(c) {
                keep(&word[start..i]);
                start = i;
            }
            if !is_tone_mark(c) {
                digits = Some(d);
            }
        }
        if start < word.len() {
            keep(&word[start..]);
        }
    }
    out
}

/// A word's letters in small letters without tone marks, then its tone marks: "Hòa" and "hoà"
/// meet as "hoa\u{300}". Composed letters go through a table, lower-cased one by one (the
/// gazetteer's ten thousand names are read at every start); a word with combining marks or
/// letters beyond the table is lower-cased as a whole and decomposed.
fn toned_key(word: &str) -> String {
    // The one letter whose small form depends on its place in the word (a final sigma).
    if word.contains('Σ') {
        return toned_key_decomposed(&word.to_lowercase());
    }
    let mut letters = String::with_capacity(word.len());
    let mut tones = String::new();
    for c in word.chars().flat_map(char::to_lowercase) {
        match super::text::split_tone(c) {
            Some((base, tone)) => {
                letters.push(base);
                tones.extend(tone);
            }
            None => return toned_key_decomposed(&word.to_lowercase()),
        }
    }
    letters.push_str(&tones);
    letters
}

/// [`toned_key`] by decomposition, for any text.
fn toned_key_decomposed(lower: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let letters: String = lower.nfd().filter(|c| !is_tone_mark(*c)).nfc().collect();
    let tones: String = lower.nfd().filter(|c| is_tone_mark(*c)).collect();
    format!("{letters}{tones}")
}

/// The four keys of a name, from one split into words — toned with and without the type word,
/// folded with and without it — compact, with numbers stripped of leading zeros.
fn all_keys(name: &str, kind: Kind) -> [String; 4] {
    let w = words(name);
    let mut start = 0;
    let mut type_word = "";
    for (k, short, long) in TYPE_WORDS {
        if *k != kind {
            continue;
        }
        let n = short.split(' ').count();
        let matches = w.len() > n && w.iter().take(n).map(|x| x.0.as_str()).eq(short.split(' '));
        if matches {
            type_word = long;
            start = n;
            break;
        }
    }
    let rest = &w[start..];
    let bare = |toned: bool| -> String {
        // Room for every piece at once: growing piece by piece would copy the key again.
        let room = rest
            .iter()
            .map(|(f, t)| if toned { t.len() } else { f.len() })
            .sum();
        let mut out = String::with_capacity(room);
        for (folded, tones) in rest {
            if folded.bytes().all(|b| b.is_ascii_digit()) {
                let z = folded.trim_start_matches('0');
                out.push_str(if z.is_empty() { "0" } else { z });
            } else if toned {
                out.push_str(tones);
            } else {
                out.push_str(folded);
            }
        }
        out
    };
    let (mut toned, mut folded) = (bare(true), bare(false));
    if kind == Kind::Province {
        let spaced = rest
            .iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some((_, canonical)) = PROVINCE_ALIASES.iter().find(|(a, _)| *a == spaced) {
            folded = canonical.replace(' ', "");
            toned = folded.clone();
        }
    }
    let with_type = |b: &str| {
        let mut key = String::new();
        if !type_word.is_empty() {
            key.reserve(type_word.len() + b.len());
            type_word.split(' ').for_each(|part| key.push_str(part));
            key.push_str(b);
        }
        key
    };
    [with_type(&toned), toned, with_type(&folded), folded]
}

#[derive(Debug, Default)]
struct District {
    unit: Unit,
    communes: Level,
}

#[derive(Debug, Default)]
struct Province {
    unit: Unit,
    /// The province's lines of the gazetteer (district code and name, commune code and name), as
    /// read; indexed the first time a row names the province (a dump names a few of the 63, and
    /// indexing all ten thousand communes would be most of the start-up).
    lines: Lines,
    index: OnceLock<ProvinceIndex>,
}

/// A province's districts and communes, with their spellings indexed.
#[derive(Debug, Default)]
struct ProvinceIndex {
    districts: Level,
    district_data: Vec<District>,
    /// Every commune of the province: (district, commune) by key, for rows without a district.
    communes: HashMap<String, Vec<(usize, usize)>>,
}

impl Province {
    fn index(&self) -> &ProvinceIndex {
        self.index.get_or_init(|| {
            let mut ix = ProvinceIndex::default();
            let mut district_of: HashMap<&str, usize> = HashMap::default();
            for [d_code, d_name, c_code, c_name] in self.lines.iter() {
                let d = *district_of.entry(d_code).or_insert_with(|| {
                    let unit = Unit::new(d_code, d_name);
                    let i = ix.districts.add(unit.clone(), Kind::District);
                    ix.district_data.push(District {
                        unit,
                        ..District::default()
                    });
                    i
                });
                let unit = Unit::new(c_code, c_name);
                let keys = all_keys(&unit.name, Kind::Commune);
                let bare = keys[3].clone();
                let c = ix.district_data[d].communes.add_keyed(unit, keys);
                ix.communes.entry(bare).or_default().push((d, c));
            }
            ix
        })
    }
}

/// Lines of four texts, kept one after the other in one string (no allocation per text: the
/// gazetteer is read at every start).
#[derive(Debug, Default)]
struct Lines {
    text: String,
    /// Where each line's texts end in `text`.
    ends: Vec<[usize; 4]>,
}

impl Lines {
    fn push(&mut self, texts: [&str; 4]) {
        let ends = texts.map(|t| {
            self.text.push_str(t);
            self.text.len()
        });
        self.ends.push(ends);
    }

    fn iter(&self) -> impl Iterator<Item = [&str; 4]> {
        let mut start = 0;
        self.ends.iter().map(move |ends| {
            ends.map(|end| {
                let t = self.text.get(start..end).unwrap_or("");
                start = end;
                t
            })
        })
    }
}

/// The administrative units, with their spellings indexed.
#[derive(Debug, Default)]
pub struct Gazetteer {
    provinces: Level,
    data: Vec<Province>,
}

/// Where a row's place is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Canonical province, district and commune names, where they were recognised.
    pub province: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Commune.
    pub commune: Option<String>,
    /// The commune's code, when the row's place is recognised down to the commune.
    pub commune_code: Option<String>,
    /// Something written was not recognised, or the units do not nest.
    pub unknown: bool,
    /// The division the names belong to.
    pub division: Division,
}

/// Which administrative division a place is named in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Division {
    /// The 63 provinces, 705 districts and 10,599 communes of the 2021-2022 campaign.
    #[default]
    D2020,
    /// The 34 provinces and 3,321 communes since 1 July 2025 (no districts).
    D2025,
}

impl Unit {
    fn new(code: &str, name: &str) -> Unit {
        Unit {
            code: code.trim().to_string(),
            name: name.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

impl Gazetteer {
    /// Reads a gazetteer CSV: `province_code,province,district_code,district,commune_code,commune`
    /// (district columns may be empty for a two-level division).
    pub fn from_csv(text: &str) -> Result<Gazetteer, String> {
        let mut g = Gazetteer::default();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let mut province_of: HashMap<String, usize> = HashMap::default();
        // One byte record read into again and again; `text` is already UTF-8, and so is every
        // field cut from it at commas.
        let mut rec = csv::ByteRecord::new();
        let mut line = 0;
        while rdr.read_byte_record(&mut rec).map_err(|e| e.to_string())? {
            line += 1;
            let fields: [&str; 6] = std::array::from_fn(|i| {
                rec.get(i)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .unwrap_or("")
                    .trim()
            });
            let [code, name, district_code, district, commune_code, commune] = fields;
            if name.is_empty() || commune.is_empty() {
                return Err(format!(
                    "line {}: a province and a commune are needed",
                    line + 1
                ));
            }
            // A province's lines come one after the other: its code is looked up, not copied.
            let p = match province_of.get(code) {
                Some(p) => *p,
                None => {
                    let unit = Unit::new(code, name);
                    let i = g.provinces.add(unit.clone(), Kind::Province);
                    g.data.push(Province {
                        unit,
                        ..Province::default()
                    });
                    province_of.insert(code.to_string(), i);
                    i
                }
            };
            let Some(province) = g.data.get_mut(p) else {
                continue;
            };
            province
                .lines
                .push([district_code, district, commune_code, commune]);
        }
        if g.data.is_empty() {
            return Err("no unit".into());
        }
        Ok(g)
    }

    /// The built-in gazetteer of 2020 (63 provinces, 705 districts, 10,599 communes).
    pub fn builtin() -> Arc<Gazetteer> {
        static BUILTIN: LazyLock<Arc<Gazetteer>> = LazyLock::new(|| {
            Arc::new(Gazetteer::from_csv(reference::ADMIN_UNITS_2020_CSV).unwrap_or_default())
        });
        BUILTIN.clone()
    }

    /// The built-in division of 2025 (34 provinces, 3,321 communes, no districts).
    pub fn builtin_2025() -> Arc<Gazetteer> {
        static BUILTIN: LazyLock<Arc<Gazetteer>> = LazyLock::new(|| {
            let mut text = String::from(
                "province_code,province,district_code,district,commune_code,commune\n",
            );
            let mut rdr = csv::Reader::from_reader(reference::ADMIN_UNITS_2025_CSV.as_bytes());
            for rec in rdr.records().filter_map(Result::ok) {
                let get = |i: usize| rec.get(i).unwrap_or("").trim().replace(',', " ");
                text.push_str(&format!("{},{},,,{},{}\n", get(0), get(1), get(2), get(3)));
            }
            Arc::new(Gazetteer::from_csv(&text).unwrap_or_default())
        });
        BUILTIN.clone()
    }

    /// Matches a written place in this gazetteer, or as a place of the 2025 division when no
    /// district is written and the 2025 division fits better: the sheet has no district column
    /// at all (the 2025 units have none) and 2025 has the commune; or this gazetteer does not
    /// recognise the commune, or only by its bare name while 2025 has it with its type word too
    /// ("Phường Hồng Hà" is a 2025 ward; 2020 had a "Xã Hồng Hà"). A dump written in today's
    /// communes is placed, not reported unknown.
    pub fn resolve_either(
        &self,
        province: &str,
        district: &str,
        commune: &str,
        district_column: bool,
    ) -> Place {
        let place = self.resolve(province, district, commune);
        if !district.trim().is_empty() || commune.trim().is_empty() {
            return place;
        }
        let mut today = Gazetteer::builtin_2025().resolve(province, "", commune);
        if today.unknown || today.commune.is_none() {
            return place;
        }
        let typed = |canonical: &Option<String>| {
            canonical.as_deref().is_some_and(|name| {
                let (a, b) = (
                    all_keys(commune, Kind::Commune),
                    all_keys(name, Kind::Commune),
                );
                !a[2].is_empty() && a[2] == b[2]
            })
        };
        let placed = !place.unknown && place.commune.is_some();
        let better_in_2025 = typed(&today.commune) && !typed(&place.commune);
        if placed && district_column && !better_in_2025 {
            return place;
        }
        today.division = Division::D2025;
        today
    }

    /// Matches a written province, district and commune (any may be empty).
    pub fn resolve(&self, province: &str, district: &str, commune: &str) -> Place {
        let mut place = Place::default();
        let Some(p) = self.provinces.find(province, Kind::Province).written() else {
            place.unknown = true;
            return place;
        };
        let Some(p) = p else {
            // Without a province, a district or commune name alone is too ambiguous to place.
            place.unknown = !district.trim().is_empty() || !commune.trim().is_empty();
            return place;
        };
        let unit = &self.data[p].unit;
        place.province = Some(unit.name.clone());
        let prov = self.data[p].index();
        let Some(d) = prov.districts.find(district, Kind::District).written() else {
            place.unknown = true;
            return place;
        };
        let found_commune = match d {
            Some(d) => {
                let dist = &prov.district_data[d];
                place.district = Some(dist.unit.name.clone());
                let c = dist.communes.find(commune, Kind::Commune).written();
                place.unknown |= c.is_none();
                c.flatten().map(|c| (d, c))
            }
            None => {
                let [_, _, _, bare] = all_keys(commune, Kind::Commune);
                match prov.communes.get(&bare).map(Vec::as_slice) {
                    _ if bare.is_empty() => None,
                    Some([one]) => Some(*one),
                    _ => {
                        place.unknown = true;
                        None
                    }
                }
            }
        };
        if let Some((d, c)) = found_commune {
            let dist = &prov.district_data[d];
            let unit = &dist.communes.units[c];
            // A two-level division has no district: its communes hang under an unnamed one.
            place.district = Some(dist.unit.name.clone()).filter(|n| !n.is_empty());
            place.commune = Some(unit.name.clone());
            place.commune_code = Some(unit.code.clone());
        }
        place
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of a name as they were made before pieces became slices of the name (a
    /// `String` per piece, folded then stripped of spaces, lower-cased then toned).
    fn words_by_copies(name: &str) -> Vec<(String, String)> {
        let mut pieces: Vec<String> = Vec::new();
        for word in name.split(|c: char| !c.is_alphanumeric() && !is_tone_mark(c)) {
            let mut current = String::new();
            let mut digits = None;
            for c in word.chars() {
                let d = c.is_ascii_digit();
                if digits.is_some_and(|prev| prev != d) && !is_tone_mark(c) {
                    pieces.push(std::mem::take(&mut current));
                }
                current.push(c);
                if !is_tone_mark(c) {
                    digits = Some(d);
                }
            }
            if !current.is_empty() {
                pieces.push(current);
            }
        }
        pieces
            .into_iter()
            .filter_map(|piece| {
                let folded = crate::normalize::text::fold(&piece).replace(' ', "");
                (!folded.is_empty()).then(|| (folded, toned_key(&piece.to_lowercase())))
            })
            .collect()
    }

    proptest::proptest! {
        /// Names of Vietnamese letters, tone marks (composed and combining), digits, capitals
        /// and separators split into the same words as by copying each piece.
        #[test]
        fn words_are_those_made_by_copies(
            name in "[ a-zA-Z0-9ĐđÀ-ỹ\\u{300}\\u{301}\\u{303}\\u{309}\\u{323}.,/'İΣ-]{0,24}"
        ) {
            proptest::prop_assert_eq!(words(&name), words_by_copies(&name));
        }
    }

    #[test]
    fn every_unit_of_the_gazetteer_keeps_its_words() {
        for line in crate::reference::ADMIN_UNITS_2020_CSV.lines() {
            for name in line.split(',') {
                assert_eq!(words(name), words_by_copies(name), "{name}");
            }
        }
    }

    #[test]
    fn the_toned_key_table_agrees_with_decomposition() {
        let mut words = 0;
        // As written (capitals lower-cased letter by letter) and lower-cased first.
        for line in crate::reference::ADMIN_UNITS_2020_CSV.lines() {
            for word in line.split([',', ' ']) {
                let lower = word.to_lowercase();
                assert_eq!(toned_key(word), toned_key_decomposed(&lower), "{word}");
                assert_eq!(toned_key(&lower), toned_key_decomposed(&lower), "{word}");
                words += 1;
            }
        }
        assert!(words > 10_000);
        for w in [
            "hoà",
            "hòa",
            "hoa\u{300}",
            "nghệ",
            "ngh\u{1ec7}",
            "xã",
            "đồng",
            "ǹ",
            "a\u{323}\u{302}",
            "HOÀ",
            "Nghệ",
            "ĐỒNG",
            "ΣΑΣ",
        ] {
            let lower = w.to_lowercase();
            assert_eq!(toned_key(w), toned_key_decomposed(&lower), "{w}");
        }
        for cp in 0xC0..=0x1EFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let w = c.to_string();
            let lower = w.to_lowercase();
            assert_eq!(toned_key(&w), toned_key_decomposed(&lower), "U+{cp:04X}");
        }
    }

    fn g() -> Arc<Gazetteer> {
        Gazetteer::builtin()
    }

    #[test]
    fn the_whole_gazetteer_loads() {
        let g = g();
        assert_eq!(g.data.len(), 63);
        let districts: usize = g.data.iter().map(|p| p.index().district_data.len()).sum();
        // The statistics office's list has 700 districts (its README says 705).
        assert_eq!(districts, 700);
        let communes: usize = g
            .data
            .iter()
            .flat_map(|p| &p.index().district_data)
            .map(|d| d.communes.units.len())
            .sum();
        assert_eq!(communes, 10_599);
    }

    #[test]
    fn every_official_name_resolves_to_itself() {
        let g = g();
        for p in &g.data {
            for d in &p.index().district_data {
                for c in &d.communes.units {
                    let place = g.resolve(&p.unit.name, &d.unit.name, &c.name);
                    assert_eq!(
                        place.commune_code.as_deref(),
                        Some(c.code.as_str()),
                        "{} {} {}",
                        p.unit.name,
                        d.unit.name,
                        c.name
                    );
                    assert!(!place.unknown);
                }
            }
        }
    }

    #[test]
    fn spellings() {
        let g = g();
        let code = |p: &str, d: &str, c: &str| g.resolve(p, d, c).commune_code;
        let ba_dinh = Some("00001".to_string());
        assert_eq!(
            code("Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá"),
            ba_dinh
        );
        assert_eq!(code("Hà Nội", "Ba Đình", "Phúc Xá"), ba_dinh);
        assert_eq!(code("HA NOI", "q. ba dinh", "p phuc xa"), ba_dinh);
        assert_eq!(code("TP. Hà Nội", "", "Phúc Xá"), ba_dinh);
        // Numbered wards and "TP HCM".
        let p1 = g.resolve("TP HCM", "Quận 3", "P.1");
        assert_eq!(p1.commune.as_deref(), Some("Phường 01"));
        assert_eq!(
            g.resolve("Hồ Chí Minh", "Q3", "Phường 01").commune_code,
            p1.commune_code
        );
        assert_eq!(
            g.resolve("tp hcm", "quan 3", "phuong 1").commune_code,
            p1.commune_code
        );
        // Tones tell Phường Sa Pa from Phường Sa Pả, hats Hương Vân from Hương Văn.
        assert_eq!(code("Lào Cai", "Sa Pa", "Sa Pả").as_deref(), Some("03002"));
        assert_eq!(
            code("Lào Cai", "Sa Pa", "Phường Sa Pa").as_deref(),
            Some("03001")
        );
        assert_eq!(
            code("Huế", "Hương Trà", "Hương Văn").as_deref(),
            Some("20011")
        );
        // Without accents, two wards fold together: nothing is guessed.
        assert!(g.resolve("Hue", "Huong Tra", "huong van").unknown);
        // Old tone placement.
        assert_eq!(
            g.resolve("Hà Nội", "Hoàn Kiếm", "Phường Hàng Bài")
                .commune_code,
            g.resolve("ha noi", "hoan kiem", "hang bai").commune_code
        );
    }

    #[test]
    fn unknown_and_not_nested() {
        let g = g();
        let p = g.resolve("Hà Nội", "Ba Đình", "Xã Không Có");
        assert!(p.unknown);
        assert_eq!(p.district.as_deref(), Some("Quận Ba Đình"));
        // Phúc Xá is in Ba Đình, not in Hoàn Kiếm.
        assert!(g.resolve("Hà Nội", "Hoàn Kiếm", "Phúc Xá").unknown);
        assert!(g.resolve("Tỉnh Không Có", "", "").unknown);
        assert!(!g.resolve("", "", "").unknown);
        assert!(g.resolve("", "", "Phúc Xá").unknown);
    }

    #[test]
    fn a_place_written_in_2025_units_is_placed_in_2025() {
        let g = g();
        let p = g.resolve_either("Thành phố Hà Nội", "", "Phường Hồng Hà", true);
        assert_eq!(p.division, Division::D2025);
        assert_eq!(p.commune.as_deref(), Some("Phường Hồng Hà"));
        assert_eq!(p.district, None);
        assert!(!p.unknown);
        // A 2020 place stays a 2020 place; a district written means 2020.
        let p = g.resolve_either("Hà Nội", "Ba Đình", "Phúc Xá", true);
        assert_eq!(
            (p.division, p.commune_code.as_deref()),
            (Division::D2020, Some("00001"))
        );
        assert!(
            g.resolve_either("Hà Nội", "Ba Đình", "Hồng Hà", true)
                .unknown
        );
        // Every commune of 2025, as a 2025 dump writes it (province and commune), but at most 1%.
        let mut rdr = csv::Reader::from_reader(reference::ADMIN_UNITS_2025_CSV.as_bytes());
        let (mut all, mut unknown) = (0, 0);
        for r in rdr.records().filter_map(Result::ok) {
            let get = |i: usize| r.get(i).unwrap_or("");
            let p = g.resolve_either(get(1), "", get(3), false);
            all += 1;
            if p.unknown || p.commune_code.is_none() {
                unknown += 1;
            }
        }
        assert_eq!(all, 3321);
        assert!(unknown * 100 <= all, "{unknown} of {all}");
    }

    #[test]
    fn a_two_level_gazetteer() {
        let text = "province_code,province,district_code,district,commune_code,commune\n01,Thành phố Hà Nội,,,00004,Phường Ba Đình\n";
        let g = Gazetteer::from_csv(text).expect("loads");
        assert_eq!(
            g.resolve("Hà Nội", "", "Ba Đình").commune_code.as_deref(),
            Some("00004")
        );
        assert!(Gazetteer::from_csv("a,b\n").is_err());
    }

    #[test]
    fn a_gazetteer_line_without_a_commune_is_named() {
        let text = "province_code,province,district_code,district,commune_code,commune\n\
                    01,Thành phố Hà Nội,001,Quận Ba Đình,00001,Phường Phúc Xá\n\
                    01,\"Thành phố Hà Nội\",001,Quận Ba Đình,00004, \n";
        let err = Gazetteer::from_csv(text).err().unwrap_or_default();
        assert!(err.starts_with("line 3:"), "{err}");
        // Quoted fields read as their text; a province's lines are kept under it.
        let g = Gazetteer::from_csv(&text.replace(" \n", "\"Phường Trúc Bạch\"\n")).expect("loads");
        assert_eq!(
            g.resolve("Hà Nội", "Ba Đình", "Trúc Bạch")
                .commune_code
                .as_deref(),
            Some("00004")
        );
        assert_eq!(
            g.resolve("Hà Nội", "Ba Đình", "Phúc Xá")
                .commune_code
                .as_deref(),
            Some("00001")
        );
    }
}
