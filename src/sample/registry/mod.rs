//! The registry side of a sample (`vaxclean sample --registry`): the commune police's extract of
//! the national population database for the dump's communes, and an answer key saying which
//! resident each dump row is.
//!
//! Every generated person is a resident of their commune, except a few vaccinated people who are
//! not; residents never vaccinated live beside them, among them the hard cases (namesakes, twins,
//! near-namesakes). The registry holds the truth; the dump gets damage a matcher must see through
//! (a number with a digit changed, a name without accents, day and month swapped…) and split
//! people (an old CMND or no number on the first dose, the CCCD on the others).
//!
//! Residents are written as they are made, through a small shuffle buffer (so the extract's order
//! tells nothing of the dump's): memory does not grow with the sample.

mod write;

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::defects::{Person, Planted, survives_ansi};
use super::rng::Rng;
use super::{Generator, Unit, Value, birth_date, cccd, date, names};
use crate::normalize::dates::format_date;
use crate::normalize::gender::Gender;
use crate::normalize::identifiers::validate_digits;
use crate::normalize::units2025::{Successor, Successors};
use crate::record::Field;
use crate::reference;
use crate::rules::Code;
pub use write::{ExtractWriter, KeyWriter};

/// Share of the dump's people who are not residents of their commune (`in_registry` 0).
pub const NOT_RESIDENT: f64 = 0.03;
/// Residents never vaccinated, per dump person (same commune).
pub const EXTRA_RESIDENTS: f64 = 0.30;
/// Share of dump people with a namesake resident (same name and commune, another birth date).
pub const NAMESAKES: f64 = 0.05;
/// Share of dump people with a twin resident (same surname, birth date and commune, another
/// given name).
pub const TWINS: f64 = 0.02;
/// Share of dump people with a near-namesake resident (same name and commune, born a year apart).
pub const NEAR_NAMESAKES: f64 = 0.02;
/// Share of adult CCCD holders whose record keeps an old 9-digit CMND.
pub const OLD_CMND: f64 = 0.30;
/// Share of dump people without a planted defect given one registry damage.
pub const DAMAGED: f64 = 0.15;
/// Share of the other CCCD holders with 2 doses or more split in two identities.
pub const SPLIT: f64 = 0.03;
/// Residents held back before being written, to shuffle the extract.
const SHUFFLE: usize = 4096;

/// The place columns of the extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryUnits {
    /// The 2025 commune and province (no district), with title lines.
    U2025,
    /// The 2020 commune, district and province; title lines in xlsx only.
    U2020,
}

/// The extract's columns with 2020 units; with 2025 units the same without `Quận/Huyện` (there are no
/// districts since 1 July 2025).
pub const COLUMNS_2020: [&str; 10] = [
    "STT",
    "Số định danh cá nhân",
    "Số CMND cũ",
    "Họ, chữ đệm và tên",
    "Ngày, tháng, năm sinh",
    "Giới tính",
    "Nơi thường trú",
    "Xã/Phường",
    "Quận/Huyện",
    "Tỉnh/Thành phố",
];

/// The answer key's header.
pub const KEY_HEADER: [&str; 9] = [
    "record_id",
    "person",
    "in_registry",
    "resident_id",
    "resident_cmnd",
    "resident_name",
    "resident_birth_date",
    "resident_sex",
    "split",
];

impl RegistryUnits {
    /// The header row.
    pub fn header(self) -> Vec<&'static str> {
        COLUMNS_2020
            .into_iter()
            .filter(|c| self == RegistryUnits::U2020 || *c != "Quận/Huyện")
            .collect()
    }

    /// Column widths for xlsx.
    pub fn widths(self) -> &'static [u16] {
        match self {
            RegistryUnits::U2025 => &[6, 16, 12, 26, 12, 9, 40, 22, 22],
            RegistryUnits::U2020 => &[6, 16, 12, 26, 12, 9, 40, 22, 22, 22],
        }
    }

    /// The title lines above the header (`csv`: of a CSV file).
    pub fn titles(self, csv: bool, police: &str) -> Vec<String> {
        if csv && self == RegistryUnits::U2020 {
            return Vec::new();
        }
        vec![
            police.to_string(),
            "DANH SÁCH CÔNG DÂN THƯỜNG TRÚ (dữ liệu giả lập)".to_string(),
        ]
    }
}

/// A resident as the registry holds them (the truth).
#[derive(Debug, Clone, PartialEq)]
pub struct Resident {
    /// The personal ID number (a 12-digit CCCD).
    pub id: String,
    /// The old 9-digit CMND, or empty.
    pub cmnd: String,
    /// Full name.
    pub name: String,
    /// Birth date.
    pub birth: NaiveDate,
    /// Sex.
    pub sex: Gender,
    /// Permanent residence, in full.
    pub address: String,
    /// The commune, as the extract's units name it.
    pub commune: String,
    /// The district (2020 units; empty in 2025).
    pub district: String,
    /// The province.
    pub province: String,
}

impl Resident {
    /// The extract's row numbered `stt`.
    pub fn fields(&self, stt: u64, units: RegistryUnits) -> Vec<String> {
        let mut out = vec![
            stt.to_string(),
            self.id.clone(),
            self.cmnd.clone(),
            self.name.clone(),
            format_date(self.birth),
            self.sex.label().to_string(),
            self.address.clone(),
            self.commune.clone(),
        ];
        if units == RegistryUnits::U2020 {
            out.push(self.district.clone());
        }
        out.push(self.province.clone());
        out
    }
}

/// One line of the answer key: a dump row and the resident it is.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyLine {
    /// The row's record id.
    pub record_id: String,
    /// The generator's person number (the same on every row of a person).
    pub person: u64,
    /// The resident, when the person is in the registry.
    pub resident: Option<Resident>,
    /// The row carries a planted split identity.
    pub split: bool,
}

impl KeyLine {
    /// The line's fields, in [`KEY_HEADER`] order.
    pub fn fields(&self) -> Vec<String> {
        let r = self.resident.as_ref();
        let get = |f: fn(&Resident) -> String| r.map(f).unwrap_or_default();
        vec![
            self.record_id.clone(),
            self.person.to_string(),
            if r.is_some() { "1" } else { "0" }.to_string(),
            get(|r| r.id.clone()),
            get(|r| r.cmnd.clone()),
            get(|r| r.name.clone()),
            get(|r| format_date(r.birth)),
            get(|r| r.sex.label().to_string()),
            if self.split { "1" } else { "0" }.to_string(),
        ]
    }
}

/// Where a 2020 commune's residents are filed in the extract.
#[derive(Debug, Clone)]
enum Filed {
    /// One place: (commune, district, province).
    One(String, String, String),
    /// A 2020 commune split between several 2025 ones, in this province.
    Split(String, Vec<String>),
}

/// The damage a matcher must see through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Damage {
    IdMissing,
    IdDigit,
    IdSwap,
    IdZeros,
    IdOldCmnd,
    NameNoAccents,
    NameTcvn3,
    NameVni,
    NameLetter,
    NameNoMiddle,
    DobDayMonth,
    DobYearOnly,
    DobYear,
    Sex,
}

const DAMAGES: [Damage; 14] = [
    Damage::IdMissing,
    Damage::IdDigit,
    Damage::IdSwap,
    Damage::IdZeros,
    Damage::IdOldCmnd,
    Damage::NameNoAccents,
    Damage::NameTcvn3,
    Damage::NameVni,
    Damage::NameLetter,
    Damage::NameNoMiddle,
    Damage::DobDayMonth,
    Damage::DobYearOnly,
    Damage::DobYear,
    Damage::Sex,
];

/// The registry side of a generator: its own random stream (the dump's people stay those of
/// the seed), the places, residents waiting to be written and key lines.
pub(super) struct Registry {
    units: RegistryUnits,
    rng: Rng,
    today: NaiveDate,
    places: HashMap<String, Filed>,
    cmnd_prefixes: HashMap<u16, Vec<String>>,
    shuffle: Vec<Resident>,
    ready: Vec<Resident>,
    key: Vec<KeyLine>,
}

impl Registry {
    pub(super) fn new(units: RegistryUnits, seed: u64, today: NaiveDate) -> Registry {
        Registry {
            units,
            rng: Rng::new(seed ^ 0x5245_4749_5354_5259),
            today,
            places: HashMap::new(),
            cmnd_prefixes: HashMap::new(),
            shuffle: Vec::new(),
            ready: Vec::new(),
            key: Vec::new(),
        }
    }

    /// Where `unit`'s residents are filed.
    fn filed(&mut self, unit: &Unit) -> Filed {
        if let Some(f) = self.places.get(&unit.code) {
            return f.clone();
        }
        let f = match self.units {
            RegistryUnits::U2020 => Filed::One(
                unit.commune.clone(),
                unit.district.clone(),
                unit.province.clone(),
            ),
            RegistryUnits::U2025 => match Successors::builtin().of(&unit.place()) {
                Successor::One(u) => Filed::One(u.commune, String::new(), u.province),
                Successor::Several {
                    province,
                    candidates,
                } => Filed::Split(
                    province,
                    candidates.into_iter().map(|c| c.commune).collect(),
                ),
                Successor::Province(p) => Filed::One(unit.commune.clone(), String::new(), p),
                Successor::Unknown => {
                    Filed::One(unit.commune.clone(), String::new(), unit.province.clone())
                }
            },
        };
        self.places.insert(unit.code.clone(), f.clone());
        f
    }

    /// A resident of `unit` living at `street` (a hamlet or street, as the dump writes it).
    #[allow(clippy::too_many_arguments)]
    fn resident(
        &mut self,
        unit: &Unit,
        street: &str,
        id: String,
        cmnd: String,
        name: String,
        birth: NaiveDate,
        sex: Gender,
    ) -> Resident {
        let (commune, district, province) = match self.filed(unit) {
            Filed::One(c, d, p) => (c, d, p),
            Filed::Split(p, candidates) => {
                // One successor (the resident's part of the old commune), named in the address.
                let c = self.rng.pick(&candidates).clone();
                (c, String::new(), p)
            }
        };
        let address = if district.is_empty() {
            format!("{street}, {commune}, {province}")
        } else {
            format!("{street}, {commune}, {district}, {province}")
        };
        Resident {
            id,
            cmnd,
            name,
            birth,
            sex,
            address,
            commune,
            district,
            province,
        }
    }

    /// Holds `r` back in the shuffle buffer; the buffer full, one resident is ready to write.
    fn push(&mut self, r: Resident) {
        self.shuffle.push(r);
        if self.shuffle.len() > SHUFFLE {
            let i = self.rng.below(self.shuffle.len() as u64) as usize;
            let out = self.shuffle.swap_remove(i);
            self.ready.push(out);
        }
    }

    /// A new, unused CCCD for a person born on `birth` in province `place`.
    fn new_cccd(
        &mut self,
        used: &mut HashSet<u64>,
        place: u16,
        birth: NaiveDate,
        sex: Gender,
    ) -> String {
        let mut id = String::new();
        for _ in 0..100 {
            id = cccd(place, birth, sex, self.rng.below(1_000_000));
            if let Ok(v) = validate_digits(&id, self.today.year())
                && used.insert(v.key())
            {
                break;
            }
        }
        id
    }

    /// A new, unused 9-digit CMND with a prefix of province `place` (any high-confidence prefix
    /// when the table has none for it).
    fn new_cmnd(&mut self, used: &mut HashSet<u64>, place: u16) -> String {
        let prefixes = self
            .cmnd_prefixes
            .entry(place)
            .or_insert_with(|| cmnd_prefixes_of(place))
            .clone();
        let mut id = String::new();
        for _ in 0..100 {
            let p = self.rng.pick(&prefixes).clone();
            let rest = format!("{:07}", self.rng.below(10_000_000));
            id = format!("{p}{}", &rest[..9usize.saturating_sub(p.len()).min(7)]);
            if let Ok(v) = validate_digits(&id, self.today.year())
                && used.insert(v.key())
            {
                break;
            }
        }
        id
    }

    /// An old CMND for an adult, at [`OLD_CMND`]'s share; else empty.
    fn maybe_cmnd(&mut self, used: &mut HashSet<u64>, place: u16, birth: NaiveDate) -> String {
        if birth.year() <= 2006 && self.rng.chance(OLD_CMND) {
            self.new_cmnd(used, place)
        } else {
            String::new()
        }
    }

    /// A street or hamlet in `unit`.
    fn street(&mut self, unit: &Unit) -> String {
        if unit.commune.starts_with("Xã") {
            format!("Thôn {}", self.rng.range(1, 12))
        } else {
            format!("Số {} tổ {}", self.rng.range(1, 300), self.rng.range(1, 40))
        }
    }

    /// A resident never vaccinated, in `unit`.
    fn extra(
        &mut self,
        used: &mut HashSet<u64>,
        unit: &Unit,
        name: String,
        birth: NaiveDate,
        sex: Gender,
    ) {
        let id = self.new_cccd(used, unit.province_code, birth, sex);
        let cmnd = self.maybe_cmnd(used, unit.province_code, birth);
        let street = self.street(unit);
        let r = self.resident(unit, &street, id, cmnd, name, birth, sex);
        self.push(r);
    }

    /// The residents ready to be written, taken.
    pub(super) fn take_residents(&mut self) -> Vec<Resident> {
        std::mem::take(&mut self.ready)
    }

    /// The key lines made so far, taken.
    pub(super) fn take_key(&mut self) -> Vec<KeyLine> {
        std::mem::take(&mut self.key)
    }

    /// Every resident held back, in random order (the sample complete).
    pub(super) fn drain(&mut self) -> Vec<Resident> {
        let mut out = std::mem::take(&mut self.ready);
        while !self.shuffle.is_empty() {
            let i = self.rng.below(self.shuffle.len() as u64) as usize;
            out.push(self.shuffle.swap_remove(i));
        }
        out
    }
}

/// The high- and medium-confidence CMND prefixes of the province numbered `code`.
fn cmnd_prefixes_of(code: u16) -> Vec<String> {
    let name = reference::province_codes()
        .iter()
        .find(|p| p.code == code)
        .map(|p| crate::normalize::text::fold(&p.name));
    let mine: Vec<String> = reference::cmnd9_prefixes()
        .iter()
        .filter(|p| p.confidence != "low" && p.prefix.len() <= 3)
        .filter(|p| {
            name.as_ref().is_some_and(|n| {
                p.provinces
                    .split(';')
                    .any(|x| crate::normalize::text::fold(x.trim()) == *n)
            })
        })
        .map(|p| p.prefix.clone())
        .collect();
    if !mine.is_empty() {
        return mine;
    }
    reference::cmnd9_prefixes()
        .iter()
        .filter(|p| p.confidence == "high" && p.prefix.len() <= 3)
        .map(|p| p.prefix.clone())
        .collect()
}

/// The name without its accents ("Đ" as "D").
fn without_accents(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'Đ' => 'D',
            'đ' => 'd',
            other => other,
        })
        .collect()
}

/// The other sex.
fn other(sex: Gender) -> Gender {
    match sex {
        Gender::Male => Gender::Female,
        Gender::Female => Gender::Male,
    }
}

impl Generator {
    /// The registry side of one person (nothing without `--registry`): the resident (unless the
    /// person is one of the few who are not), the commune's residents never vaccinated and the
    /// hard cases, then — on a person without a planted defect (`clean`) — one damage or a split
    /// identity, and the key lines of `record_ids`. `true` when the person's cells were changed.
    pub(super) fn registry_person(
        &mut self,
        person: &Person,
        street: &str,
        record_ids: &[String],
        p: &mut Planted,
        clean: bool,
        number: u64,
    ) -> bool {
        let Some(mut reg) = self.registry.take() else {
            return false;
        };
        let used = &mut self.used_ids;
        let unit = &person.unit;
        let in_registry = !reg.rng.chance(NOT_RESIDENT);
        let resident = in_registry.then(|| {
            let (id, cmnd) = if person.id.len() == 12 {
                let cmnd = reg.maybe_cmnd(used, unit.province_code, person.birth);
                (person.id.clone(), cmnd)
            } else {
                let id = reg.new_cccd(used, unit.province_code, person.birth, person.sex);
                (id, person.id.clone())
            };
            reg.resident(
                unit,
                street,
                id,
                cmnd,
                person.name.clone(),
                person.birth,
                person.sex,
            )
        });
        if let Some(r) = &resident {
            reg.push(r.clone());
        }

        // Residents never vaccinated, and the hard cases among them.
        if reg.rng.chance(EXTRA_RESIDENTS) {
            let (sex, name) = names::person(&mut reg.rng);
            let birth = birth_date(&mut reg.rng);
            reg.extra(used, unit, name, birth, sex);
        }
        if reg.rng.chance(NAMESAKES) {
            let mut birth = birth_date(&mut reg.rng);
            if birth == person.birth {
                birth = birth.succ_opt().unwrap_or(date(1980, 1, 1));
            }
            reg.extra(used, unit, person.name.clone(), birth, person.sex);
        }
        if reg.rng.chance(TWINS) {
            let surname = person.name.split(' ').next().unwrap_or("");
            let given = person.name.rsplit(' ').next().unwrap_or("");
            let sex = names::sex(&mut reg.rng);
            for _ in 0..10 {
                let name = names::full_name(&mut reg.rng, sex, false);
                let rest = name.split_once(' ').map_or("", |(_, r)| r);
                let twin = format!("{surname} {rest}");
                if !rest.is_empty() && twin.rsplit(' ').next() != Some(given) {
                    reg.extra(used, unit, twin, person.birth, sex);
                    break;
                }
            }
        }
        if reg.rng.chance(NEAR_NAMESAKES) {
            let year = person.birth.year() + if reg.rng.chance(0.5) { 1 } else { -1 };
            let birth =
                person
                    .birth
                    .with_year(year)
                    .unwrap_or(date(year, person.birth.month(), 28));
            reg.extra(used, unit, person.name.clone(), birth, person.sex);
        }

        // Damage, or a split identity, on a person without a planted defect.
        let mut touched = false;
        let mut split = false;
        if clean {
            if reg.rng.chance(DAMAGED) {
                let start = reg.rng.below(DAMAGES.len() as u64) as usize;
                for k in 0..DAMAGES.len() {
                    let d = DAMAGES[(start + k) % DAMAGES.len()];
                    if self.damage(&mut reg, d, person, resident.as_ref(), p) {
                        touched = true;
                        break;
                    }
                }
            } else if person.id.len() == 12
                && record_ids.len() >= 2
                && !(matches!(p.id_cell, Value::Number(_)) && person.id.starts_with('0'))
                && reg.rng.chance(SPLIT)
            {
                let written = match resident.as_ref().map(|r| r.cmnd.as_str()) {
                    Some(cmnd) if !cmnd.is_empty() => {
                        p.first_id_cell = Some(Value::Text(cmnd.to_string()));
                        cmnd.to_string()
                    }
                    _ => {
                        p.first_id_cell = Some(Value::Empty);
                        p.expect_row(0, Field::IdNumber, Code::IdMissing, "");
                        String::new()
                    }
                };
                // The scan finds the split without the registry, and keeps the CCCD.
                p.row_expected.push((
                    0,
                    Planted::finding(Field::IdNumber, Code::PersonSplit, &written, &person.id),
                ));
                touched = true;
                split = true;
            }
        }
        for (i, rid) in record_ids.iter().enumerate() {
            reg.key.push(KeyLine {
                record_id: rid.clone(),
                person: number,
                resident: resident.clone(),
                split: split && i == 0,
            });
        }
        self.registry = Some(reg);
        touched
    }

    /// Plants damage `d` on the person's cells; `false` when it does not fit them.
    fn damage(
        &self,
        reg: &mut Registry,
        d: Damage,
        person: &Person,
        resident: Option<&Resident>,
        p: &mut Planted,
    ) -> bool {
        use crate::normalize::names::{Legacy, damage};
        let id = person.id.as_str();
        let cccd = id.len() == 12;
        let name = person.name.as_str();
        let idf = Field::IdNumber;
        let ansi_ok = |text: &str| !self.spec.ansi || survives_ansi(text);
        match d {
            Damage::IdMissing => {
                p.id_cell = Value::Empty;
                p.expect(idf, Code::IdMissing, "", "");
            }
            Damage::IdDigit | Damage::IdSwap => {
                // Only in the last six digits: the province, century, sex and year stay right.
                let mut digits: Vec<u8> = id.bytes().collect();
                let from = digits.len().saturating_sub(6);
                if d == Damage::IdDigit {
                    let at = from + reg.rng.below(6) as usize;
                    let Some(old) = digits.get(at).copied() else {
                        return false;
                    };
                    let new = b'0' + ((old - b'0' + 1 + reg.rng.below(9) as u8) % 10);
                    digits[at] = new;
                } else {
                    let pairs: Vec<usize> = (from..digits.len().saturating_sub(1))
                        .filter(|&i| digits[i] != digits[i + 1])
                        .collect();
                    if pairs.is_empty() {
                        return false;
                    }
                    let i = *reg.rng.pick(&pairs);
                    digits.swap(i, i + 1);
                }
                let text = String::from_utf8_lossy(&digits).into_owned();
                p.id_cell = Value::Text(text);
            }
            Damage::IdZeros => {
                if !p.lose_leading_zeros(id) {
                    return false;
                }
            }
            Damage::IdOldCmnd => {
                let Some(cmnd) = resident.map(|r| r.cmnd.as_str()).filter(|c| !c.is_empty()) else {
                    return false;
                };
                if !cccd {
                    return false;
                }
                p.id_cell = Value::Text(cmnd.to_string());
            }
            Damage::NameNoAccents => {
                let text = without_accents(name);
                if text == name {
                    return false;
                }
                p.name_cell = Some(Value::Text(text));
            }
            Damage::NameTcvn3 | Damage::NameVni => {
                let legacy = if d == Damage::NameTcvn3 {
                    Legacy::Tcvn3
                } else {
                    Legacy::Vni
                };
                let text = damage(name, legacy);
                if text == name || !ansi_ok(&text) {
                    return false;
                }
                let mut e = Planted::finding(Field::FullName, Code::NameEncoding, &text, name);
                e.certain = false;
                p.expected.push(e);
                p.name_cell = Some(Value::Text(text));
            }
            Damage::NameLetter => {
                let chars: Vec<char> = name.chars().collect();
                // A lower-case letter inside a word (the capitals stay where they were).
                let inner: Vec<usize> = (1..chars.len())
                    .filter(|&i| chars[i].is_lowercase() && chars[i - 1].is_alphabetic())
                    .collect();
                if inner.is_empty() {
                    return false;
                }
                let i = *reg.rng.pick(&inner);
                let letters = ['a', 'e', 'i', 'o', 'u', 'n', 'h', 'g', 't', 'm'];
                let mut c = *reg.rng.pick(&letters);
                if c == chars[i] {
                    c = 'y';
                }
                let text: String = chars
                    .iter()
                    .enumerate()
                    .map(|(j, x)| if j == i { c } else { *x })
                    .collect();
                if !ansi_ok(&text) {
                    return false;
                }
                p.name_cell = Some(Value::Text(text));
            }
            Damage::NameNoMiddle => {
                let words: Vec<&str> = name.split(' ').collect();
                let (Some(first), Some(last)) = (words.first(), words.last()) else {
                    return false;
                };
                if words.len() < 3 {
                    return false;
                }
                p.name_cell = Some(Value::Text(format!("{first} {last}")));
            }
            Damage::DobDayMonth => {
                let b = person.birth;
                if b.day() > 12 || b.day() == b.month() {
                    return false;
                }
                let Some(swapped) = NaiveDate::from_ymd_opt(b.year(), b.day(), b.month()) else {
                    return false;
                };
                p.birth_written = swapped;
            }
            Damage::DobYearOnly => p.year_only(person.birth),
            Damage::DobYear => {
                // A year later only for people born well before the age limits.
                let b = person.birth;
                let later = b.year() <= 1990 && reg.rng.chance(0.5);
                let year = b.year() + if later { 1 } else { -1 };
                p.birth_written = b.with_year(year).unwrap_or(date(year, 2, 28));
                if cccd {
                    p.expect(
                        Field::BirthDate,
                        Code::IdBirthYearMismatch,
                        &format_date(p.birth_written),
                        "",
                    );
                }
            }
            Damage::Sex => {
                p.sex_written = other(person.sex);
                if cccd {
                    p.expect(
                        Field::Gender,
                        Code::IdGenderMismatch,
                        p.sex_written.label(),
                        "",
                    );
                }
            }
        }
        true
    }

    /// The residents ready to be written, taken (empty without `--registry`).
    pub fn take_residents(&mut self) -> Vec<Resident> {
        self.registry
            .as_mut()
            .map(Registry::take_residents)
            .unwrap_or_default()
    }

    /// The answer key's lines made so far, taken (empty without `--registry`).
    pub fn take_key(&mut self) -> Vec<KeyLine> {
        self.registry
            .as_mut()
            .map(Registry::take_key)
            .unwrap_or_default()
    }

    /// The sample complete: every resident not yet taken.
    pub fn drain_residents(&mut self) -> Vec<Resident> {
        self.registry
            .as_mut()
            .map(Registry::drain)
            .unwrap_or_default()
    }

    /// The extract's first title line: the police of the dump's commune (or of its communes).
    pub fn police_title(&mut self) -> String {
        let first = self.units.first().cloned();
        let (Some(reg), Some(unit)) = (self.registry.as_mut(), first) else {
            return String::new();
        };
        if self.units.len() > 1 {
            return format!("CÔNG AN CẤP XÃ ({} xã/phường năm 2020)", self.units.len());
        }
        let commune = match reg.filed(&unit) {
            Filed::One(c, _, _) => c,
            Filed::Split(_, c) => c.join(", "),
        };
        format!("CÔNG AN {}", commune.to_uppercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{Row, SampleSpec};

    struct Made {
        rows: Vec<Row>,
        key: Vec<KeyLine>,
        residents: Vec<Resident>,
        truth: Vec<super::super::Expected>,
    }

    fn make(people: u64, seed: u64, units: Option<RegistryUnits>) -> Made {
        let mut spec = SampleSpec::new(people, seed);
        spec.registry = units;
        spec.communes = Some(3);
        let mut g = Generator::new(spec).expect("generator");
        let mut m = Made {
            rows: Vec::new(),
            key: Vec::new(),
            residents: Vec::new(),
            truth: Vec::new(),
        };
        while let Some(rows) = g.next_person() {
            m.rows.extend(rows);
            m.key.extend(g.take_key());
            m.residents.extend(g.take_residents());
        }
        m.residents.extend(g.drain_residents());
        m.truth = g.truth();
        m
    }

    #[test]
    fn every_resident_of_the_key_is_in_the_extract() {
        let m = make(1500, 3, Some(RegistryUnits::U2025));
        assert_eq!(m.key.len(), m.rows.len(), "one key line per dump row");
        for (row, line) in m.rows.iter().zip(&m.key) {
            assert_eq!(row[1].display(), line.record_id);
        }
        let by_id: HashMap<&str, &Resident> =
            m.residents.iter().map(|r| (r.id.as_str(), r)).collect();
        assert_eq!(
            by_id.len(),
            m.residents.len(),
            "resident numbers are unique"
        );
        let mut persons = HashSet::new();
        let mut outside = 0;
        for line in &m.key {
            persons.insert(line.person);
            match &line.resident {
                Some(r) => {
                    assert_eq!(r.id.len(), 12, "{r:?}");
                    assert!(validate_digits(&r.id, 2026).is_ok(), "{r:?}");
                    assert!(r.cmnd.is_empty() || r.cmnd.len() == 9, "{r:?}");
                    assert_eq!(by_id.get(r.id.as_str()), Some(&r), "in the extract");
                }
                None => outside += 1,
            }
        }
        assert_eq!(persons.len(), 1500);
        assert!(outside > 0, "some vaccinated people are not residents");
        // Residents never vaccinated: about 30% more people, never in the key.
        let keyed: HashSet<&str> = m
            .key
            .iter()
            .filter_map(|l| l.resident.as_ref().map(|r| r.id.as_str()))
            .collect();
        let extra = m.residents.len() - keyed.len();
        assert!((400..800).contains(&extra), "{extra}");
        // Old CMND in the registry.
        assert!(m.residents.iter().filter(|r| !r.cmnd.is_empty()).count() > 300);
    }

    #[test]
    fn hard_cases_damage_and_splits_are_there() {
        let m = make(1500, 3, Some(RegistryUnits::U2025));
        let keyed: Vec<&Resident> = m.key.iter().filter_map(|l| l.resident.as_ref()).collect();
        // How many keyed residents have another resident of their province, with an address, who
        // is `alike` them.
        let with_another = |alike: &dyn Fn(&Resident, &Resident) -> bool| {
            let other = |k: &Resident, r: &Resident| {
                k.province == r.province && k.id != r.id && k.address.split(", ").nth(1).is_some()
            };
            keyed
                .iter()
                .filter(|k| m.residents.iter().any(|r| other(k, r) && alike(k, r)))
                .count()
        };
        let years_apart = |k: &Resident, r: &Resident| r.birth.year().abs_diff(k.birth.year());
        let namesakes = with_another(&|k, r| r.name == k.name && years_apart(k, r) > 1);
        assert!(namesakes > 0);
        let surname = |n: &str| n.split(' ').next().unwrap_or("").to_string();
        let twins = with_another(&|k, r| {
            r.birth == k.birth && surname(&r.name) == surname(&k.name) && r.name != k.name
        });
        assert!(twins > 0);
        let near = with_another(&|k, r| r.name == k.name && years_apart(k, r) == 1);
        assert!(near > 0);

        // Damage: the dump's values differ from the registry's.
        let (mut ids, mut names, mut dobs, mut sexes) = (0, 0, 0, 0);
        for (row, line) in m.rows.iter().zip(&m.key) {
            let Some(r) = &line.resident else { continue };
            if line.split {
                continue;
            }
            ids += usize::from(row[5].display() != r.id && row[5].display() != r.cmnd);
            names += usize::from(row[2].display() != r.name);
            dobs += usize::from(row[3].display() != format_date(r.birth));
            sexes += usize::from(row[4].display() != r.sex.label());
        }
        assert!(ids > 0 && names > 0 && dobs > 0 && sexes > 0);

        // Splits: the first row an old CMND or no number, the next rows the CCCD.
        let splits: Vec<usize> = (0..m.key.len()).filter(|&i| m.key[i].split).collect();
        assert!(!splits.is_empty());
        for i in splits {
            let (row, line) = (&m.rows[i], &m.key[i]);
            let next = &m.key[i + 1];
            assert_eq!(next.person, line.person);
            assert!(!next.split);
            let cccd = m.rows[i + 1][5].display();
            assert_eq!(cccd.len(), 12);
            let written = row[5].display();
            assert_ne!(written, cccd);
            if let Some(r) = &line.resident {
                assert_eq!(r.id, cccd);
                assert!(written.is_empty() || written == r.cmnd);
            }
        }
    }

    #[test]
    fn registry_samples_are_deterministic() {
        let plain = make(400, 8, None);
        let with = make(400, 8, Some(RegistryUnits::U2020));
        assert!(plain.key.is_empty() && plain.residents.is_empty());
        let persons: HashSet<u64> = with.key.iter().map(|l| l.person).collect();
        assert_eq!(persons.len(), 400);
        // Deterministic.
        let again = make(400, 8, Some(RegistryUnits::U2020));
        assert_eq!(with.key, again.key);
        assert_eq!(with.residents, again.residents);
        assert_eq!(with.rows, again.rows);
        // 2020 units: a district.
        assert!(with.residents.iter().all(|r| !r.district.is_empty()));
        assert!(!with.truth.is_empty());
    }

    #[test]
    fn split_communes_name_their_successor_in_the_address() {
        // Residents of a 2020 commune split between several 2025 ones are filed in one of them,
        // which the address names.
        let mut spec = SampleSpec::new(0, 1);
        spec.registry = Some(RegistryUnits::U2025);
        let mut g = Generator::new(spec).expect("generator");
        let mut reg = g.registry.take().expect("registry");
        let split = g
            .all_units
            .iter()
            .find(|u| matches!(reg.filed(u), Filed::Split(..)))
            .cloned()
            .expect("a split commune");
        let Filed::Split(_, names) = reg.filed(&split) else {
            panic!("split");
        };
        let r = reg.resident(
            &split,
            "Thôn 2",
            "001085000001".into(),
            String::new(),
            "Nguyễn Văn An".into(),
            date(1985, 1, 1),
            Gender::Male,
        );
        assert!(names.contains(&r.commune));
        match crate::normalize::units2025::file(&split.place(), &r.address) {
            crate::normalize::units2025::Filed::Commune(u) => assert_eq!(u.commune, r.commune),
            other => {
                // Only when the candidates' names overlap.
                assert!(matches!(
                    other,
                    crate::normalize::units2025::Filed::Undetermined { .. }
                ));
            }
        }
    }

    fn lines_of(path: &std::path::Path) -> Vec<String> {
        let bytes = std::fs::read(path).expect("read");
        let text = String::from_utf8(bytes).expect("utf-8");
        let text = text.strip_prefix('\u{feff}').expect("BOM");
        text.lines().map(str::to_string).collect()
    }

    fn write(units: RegistryUnits, name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(name);
        let mut spec = SampleSpec::new(200, 5);
        spec.registry = Some(units);
        spec.communes = Some(1);
        let mut g = Generator::new(spec).expect("generator");
        let mut x = ExtractWriter::create(
            &path,
            units,
            super::super::write::CsvEncoding::Utf8Bom,
            b',',
            &g.police_title(),
        )
        .expect("extract");
        let mut k = KeyWriter::create(&dir.path().join("key.csv")).expect("key");
        while g.next_person().is_some() {
            x.residents(&g.take_residents()).expect("write");
            k.lines(&g.take_key()).expect("write");
        }
        x.residents(&g.drain_residents()).expect("write");
        assert!(x.count() > 200);
        x.finish().expect("finish");
        k.finish().expect("finish");
        (dir, path)
    }

    #[test]
    fn csv_extracts_have_their_titles_and_header() {
        let (dir, path) = write(RegistryUnits::U2025, "dan-cu.csv");
        let lines = lines_of(&path);
        assert!(lines[0].starts_with("CÔNG AN "), "{}", lines[0]);
        assert!(lines[1].starts_with("DANH SÁCH CÔNG DÂN THƯỜNG TRÚ"));
        assert_eq!(lines[2], "\"\"", "a blank line (one empty field)");
        assert_eq!(
            lines[3],
            "STT,Số định danh cá nhân,Số CMND cũ,\"Họ, chữ đệm và tên\",\"Ngày, tháng, năm sinh\",\
             Giới tính,Nơi thường trú,Xã/Phường,Tỉnh/Thành phố"
        );
        let key = std::fs::read_to_string(dir.path().join("key.csv")).expect("key");
        assert!(key.starts_with(
            "record_id,person,in_registry,resident_id,resident_cmnd,resident_name,\
             resident_birth_date,resident_sex,split\n"
        ));
        // The extract is read by vaxclean's readers: header found, a row per resident.
        let bytes = std::fs::read(&path).expect("read");
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[3..]);
        let records: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("csv")).collect();
        assert_eq!(records[3].get(3), Some("Họ, chữ đệm và tên"));
        assert_eq!(records.len(), lines.len());

        let (_dir, path) = write(RegistryUnits::U2020, "dan-cu-2020.csv");
        let lines = lines_of(&path);
        assert_eq!(
            lines[0],
            "STT,Số định danh cá nhân,Số CMND cũ,\"Họ, chữ đệm và tên\",\"Ngày, tháng, năm sinh\",\
             Giới tính,Nơi thường trú,Xã/Phường,Quận/Huyện,Tỉnh/Thành phố"
        );
        assert_eq!(lines[1].split(',').next(), Some("1"));
    }

    #[test]
    fn xlsx_extract_is_written() {
        let (_dir, path) = write(RegistryUnits::U2025, "dan-cu.xlsx");
        use calamine::{Reader, Xlsx, open_workbook};
        let mut book: Xlsx<_> = open_workbook(&path).expect("xlsx");
        let range = book.worksheet_range("Danh sach cong dan").expect("sheet");
        let cell = |r: u32, c: u32| {
            range
                .get_value((r, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        assert!(cell(0, 0).starts_with("CÔNG AN "));
        let header: Vec<String> = (0..9).map(|c| cell(3, c)).collect();
        assert_eq!(header, RegistryUnits::U2025.header());
        assert_eq!(cell(4, 0), "1");
        assert_eq!(cell(4, 1).len(), 12, "numbers as text");
    }
}
