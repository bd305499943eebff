//! The synthetic data generator behind `vaxclean sample`, the fixtures, the tests and the
//! benchmarks: people with real-looking names, valid CCCD/CMND built by the real structure,
//! communes from the gazetteer, one row per dose, and a controllable share of planted defects.
//! It also says which findings a scan must report (the truth), row by row.

mod defects;
pub mod fill;
pub mod names;
pub mod registry;
pub mod rng;
pub mod write;

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};

use crate::normalize::dates::format_date;
use crate::normalize::gender::Gender;
use crate::normalize::identifiers::validate_digits;
use crate::record::Field;
use crate::reference;
use crate::rules::Code;
use defects::{Person, Planted, is_id_defect};
use registry::{Registry, RegistryUnits};
use rng::Rng;

/// The columns of a generated dump: header text and field. `STT` (row counter) maps to no field.
pub const COLUMNS: [(&str, Option<Field>); 17] = [
    ("STT", None),
    ("Mã đối tượng", Some(Field::RecordId)),
    ("Họ và tên", Some(Field::FullName)),
    ("Ngày sinh", Some(Field::BirthDate)),
    ("Giới tính", Some(Field::Gender)),
    ("Số CMND/CCCD", Some(Field::IdNumber)),
    ("Số điện thoại", Some(Field::Phone)),
    ("Số thẻ BHYT", Some(Field::InsuranceNumber)),
    ("Tỉnh/Thành phố", Some(Field::Province)),
    ("Quận/Huyện", Some(Field::District)),
    ("Xã/Phường", Some(Field::Commune)),
    ("Địa chỉ", Some(Field::Address)),
    ("Mũi tiêm", Some(Field::DoseNumber)),
    ("Ngày tiêm", Some(Field::DoseDate)),
    ("Vắc xin", Some(Field::Vaccine)),
    ("Số lô", Some(Field::LotNumber)),
    ("Cơ sở tiêm chủng", Some(Field::Facility)),
];

/// Title lines a platform export carries above its header.
pub const TITLE_LINES: [&str; 2] = [
    "DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM VẮC XIN PHÒNG COVID-19",
    "Dữ liệu tổng hợp (dữ liệu giả lập, không phải người thật)",
];

/// A kind of planted defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Defect {
    /// No ID number.
    IdMissing,
    /// Letters in the number.
    IdLetters,
    /// A 13-digit number.
    IdLength,
    /// Leading zeros dropped, as text.
    IdLeadingZeroLost,
    /// Scientific notation with 6 significant digits.
    IdPrecisionLost,
    /// Spaces or dots between digit groups.
    IdSeparators,
    /// 111111111111, 123456789…
    IdPlaceholder,
    /// A CCCD whose first three digits are no province.
    IdProvinceCode,
    /// The sex written is not the CCCD's.
    IdGenderMismatch,
    /// The birth year written is not the CCCD's.
    IdBirthYearMismatch,
    /// Another person's number.
    IdDuplicate,
    /// No name.
    NameMissing,
    /// A digit in the name.
    NameInvalidChars,
    /// The name as TCVN3 text read as Unicode.
    NameTcvn3,
    /// The name as VNI text read as Unicode.
    NameVni,
    /// The name as Windows-1258 bytes read as Windows-1252.
    NameWindows1258,
    /// The name as UTF-8 bytes read as Windows-1252.
    NameDoubleUtf8,
    /// Extra spaces, wrong capitals, decomposed accents or "Ð" for "Đ".
    NameFormat,
    /// The given name alone.
    NameIncomplete,
    /// No birth date.
    DobMissing,
    /// An impossible date (31/02).
    DobInvalid,
    /// A birth date in the future.
    DobFuture,
    /// A birth date after the doses.
    DobAfterDose,
    /// Only the birth year.
    DobYearOnly,
    /// The birth date as yyyy-mm-dd, dd-mm-yyyy or dd.mm.yyyy.
    DobFormat,
    /// A child under 5 on its first dose date.
    DobUnderFive,
    /// No sex.
    GenderMissing,
    /// A sex that is neither.
    GenderInvalid,
    /// Another spelling of Nam / Nữ.
    GenderFormat,
    /// Not a phone number.
    PhoneInvalid,
    /// An 11-digit mobile number of before 2018.
    PhoneOldFormat,
    /// A commune that does not exist.
    AddressUnknown,
    /// A commune of another district.
    AddressNotNested,
    /// One dose date not a date, before the campaign or in the future.
    DoseDateInvalid,
    /// One dose row written twice.
    DoseDuplicate,
    /// One row given the record id of another person's row.
    RecordIdReused,
}

impl Defect {
    /// Every kind.
    pub const ALL: [Defect; 36] = [
        Defect::IdMissing,
        Defect::IdLetters,
        Defect::IdLength,
        Defect::IdLeadingZeroLost,
        Defect::IdPrecisionLost,
        Defect::IdSeparators,
        Defect::IdPlaceholder,
        Defect::IdProvinceCode,
        Defect::IdGenderMismatch,
        Defect::IdBirthYearMismatch,
        Defect::IdDuplicate,
        Defect::NameMissing,
        Defect::NameInvalidChars,
        Defect::NameTcvn3,
        Defect::NameVni,
        Defect::NameWindows1258,
        Defect::NameDoubleUtf8,
        Defect::NameFormat,
        Defect::NameIncomplete,
        Defect::DobMissing,
        Defect::DobInvalid,
        Defect::DobFuture,
        Defect::DobAfterDose,
        Defect::DobYearOnly,
        Defect::DobFormat,
        Defect::DobUnderFive,
        Defect::GenderMissing,
        Defect::GenderInvalid,
        Defect::GenderFormat,
        Defect::PhoneInvalid,
        Defect::PhoneOldFormat,
        Defect::AddressUnknown,
        Defect::AddressNotNested,
        Defect::DoseDateInvalid,
        Defect::DoseDuplicate,
        Defect::RecordIdReused,
    ];

    /// The name used by `--defects`.
    pub fn name(self) -> &'static str {
        match self {
            Defect::IdMissing => "id_missing",
            Defect::IdLetters => "id_letters",
            Defect::IdLength => "id_length",
            Defect::IdLeadingZeroLost => "id_leading_zero_lost",
            Defect::IdPrecisionLost => "id_precision_lost",
            Defect::IdSeparators => "id_separators",
            Defect::IdPlaceholder => "id_placeholder",
            Defect::IdProvinceCode => "id_province_code",
            Defect::IdGenderMismatch => "id_gender_mismatch",
            Defect::IdBirthYearMismatch => "id_birth_year_mismatch",
            Defect::IdDuplicate => "id_duplicate",
            Defect::NameMissing => "name_missing",
            Defect::NameInvalidChars => "name_invalid_chars",
            Defect::NameTcvn3 => "name_tcvn3",
            Defect::NameVni => "name_vni",
            Defect::NameWindows1258 => "name_windows_1258",
            Defect::NameDoubleUtf8 => "name_double_utf8",
            Defect::NameFormat => "name_format",
            Defect::NameIncomplete => "name_incomplete",
            Defect::DobMissing => "dob_missing",
            Defect::DobInvalid => "dob_invalid",
            Defect::DobFuture => "dob_future",
            Defect::DobAfterDose => "dob_after_dose",
            Defect::DobYearOnly => "dob_year_only",
            Defect::DobFormat => "dob_format",
            Defect::DobUnderFive => "dob_under_five",
            Defect::GenderMissing => "gender_missing",
            Defect::GenderInvalid => "gender_invalid",
            Defect::GenderFormat => "gender_format",
            Defect::PhoneInvalid => "phone_invalid",
            Defect::PhoneOldFormat => "phone_old_format",
            Defect::AddressUnknown => "address_unknown",
            Defect::AddressNotNested => "address_not_nested",
            Defect::DoseDateInvalid => "dose_date_invalid",
            Defect::DoseDuplicate => "dose_duplicate",
            Defect::RecordIdReused => "record_id_reused",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Defect> {
        Defect::ALL.into_iter().find(|d| d.name() == name.trim())
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleSpec {
    /// People to generate (ignored when `rows` is set).
    pub people: u64,
    /// Stop once this many rows are written, if set.
    pub rows: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Number of the first record id ([`first_record`] of the seed unless set).
    pub first_record: u64,
    /// Share of people with one defect.
    pub defect_rate: f64,
    /// Defect kinds to plant (empty: all).
    pub kinds: Vec<Defect>,
    /// 2-digit province codes to take communes from (empty: all).
    pub provinces: Vec<String>,
    /// How many communes to spread people over.
    pub communes: Option<usize>,
    /// Write ID numbers as number cells (xlsx).
    pub numeric_ids: bool,
    /// The output is Windows-1258 text: plant only damage that code page can hold.
    pub ansi: bool,
    /// Today, for the last possible dose date.
    pub today: NaiveDate,
    /// Also make a registry extract of the dump's communes, in these units (and plant the damage
    /// that registry matching must see through, and split people).
    pub registry: Option<RegistryUnits>,
}

impl SampleSpec {
    /// A spec for `people` people with default settings.
    pub fn new(people: u64, seed: u64) -> Self {
        SampleSpec {
            people,
            rows: None,
            seed,
            first_record: first_record(seed),
            defect_rate: 0.1,
            kinds: Vec::new(),
            provinces: Vec::new(),
            communes: None,
            numeric_ids: false,
            ansi: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
            registry: None,
        }
    }
}

/// A generated cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date.
    Date(NaiveDate),
}

impl Value {
    /// The value as a scan shows it in findings.csv.
    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Number(n) => crate::record::format_number(*n),
            Value::Date(d) => format_date(*d),
        }
    }
}

/// One generated row, in [`COLUMNS`] order.
pub type Row = Vec<Value>;

/// One finding a scan must report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expected {
    /// The row's record key.
    pub record_id: String,
    /// The field.
    pub field: Field,
    /// The code.
    pub code: Code,
    /// The value as written.
    pub value: String,
    /// The suggestion, if the scan can compute one.
    pub suggestion: String,
    /// Whether a scan must find it (false: a heuristic that may miss it, such as a legacy
    /// encoding whose damage happens to look like a genuine name).
    pub certain: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Unit {
    province_code: u16,
    province: String,
    district: String,
    commune: String,
    /// The commune's statistics-office code.
    code: String,
}

impl Unit {
    /// The commune as the scan recognises it: a 2020 place, known down to the commune.
    fn place(&self) -> crate::normalize::places::Place {
        crate::normalize::places::Place {
            province: Some(self.province.clone()),
            district: Some(self.district.clone()),
            commune: Some(self.commune.clone()),
            commune_code: Some(self.code.clone()),
            unknown: false,
            division: crate::normalize::places::Division::D2020,
        }
    }
}

fn load_units(provinces: &[String]) -> Vec<Unit> {
    let mut rdr = csv::Reader::from_reader(reference::ADMIN_UNITS_2020_CSV.as_bytes());
    rdr.records()
        .filter_map(Result::ok)
        .filter(|r| {
            provinces.is_empty()
                || provinces.iter().any(|p| {
                    r.get(0).is_some_and(|c| {
                        c.trim_start_matches('0') == p.trim().trim_start_matches('0')
                    })
                })
        })
        .filter_map(|r| {
            Some(Unit {
                province_code: r.get(0)?.parse().ok()?,
                province: r.get(1)?.to_string(),
                district: r.get(3)?.to_string(),
                commune: r.get(5)?.to_string(),
                code: r.get(4)?.to_string(),
            })
        })
        .collect()
}

/// Record ids are `VX` and 9 digits: each seed numbers its records from its own block of a
/// million, so that samples of different seeds (modulo 1000) and under a million rows each never
/// share a record id. Seed 1, the default, keeps the block that starts at 1.
pub const RECORD_BLOCK: u64 = 1_000_000;

/// The number of the first record id of a sample made with `seed`.
pub fn first_record(seed: u64) -> u64 {
    (seed % 1000 + 999) % 1000 * RECORD_BLOCK + 1
}

/// The record id numbered `n` (`VX` and 9 digits; past 999,999,999 the numbers start again).
pub fn record_id(n: u64) -> String {
    format!("VX{:09}", n % 1_000_000_000)
}

/// A person whose number another person may be given (an `id_duplicate` defect).
#[derive(Debug, Clone)]
struct Victim {
    id: String,
    value: String,
    record_ids: Vec<String>,
}

/// Generates people one at a time; collects the truth as it goes.
pub struct Generator {
    spec: SampleSpec,
    rng: Rng,
    units: Vec<Unit>,
    /// Every unit of the chosen provinces (for communes of another district).
    all_units: Vec<Unit>,
    used_ids: HashSet<u64>,
    victims: Vec<Victim>,
    /// Record ids of people without a defect, for a `record_id_reused` defect.
    lenders: Vec<String>,
    next_record: u64,
    people_done: u64,
    rows_done: u64,
    truth: Vec<Expected>,
    /// The registry side, with `--registry`.
    registry: Option<Registry>,
}

/// A birth date: ages 5 to 95 at the start of the campaign.
fn birth_date(rng: &mut Rng) -> NaiveDate {
    // Age at the start of the campaign.
    let age = match rng.below(100) {
        0..=7 => rng.range(5, 11),
        8..=16 => rng.range(12, 17),
        17..=54 => rng.range(18, 39),
        55..=84 => rng.range(40, 59),
        _ => rng.range(60, 95),
    } as i32;
    let year = campaign_start().year() - age - 1;
    let day = rng.range(0, 364) as u64;
    date(year, 1, 1)
        .checked_add_days(Days::new(day))
        .unwrap_or(date(year, 6, 1))
}

/// A CCCD: the province code, the century/sex digit, the birth year's last two digits and six
/// digits from `random` (below 1,000,000).
fn cccd(place: u16, birth: NaiveDate, sex: Gender, random: u64) -> String {
    let century = (birth.year() - 1900) / 100 * 2 + i32::from(sex == Gender::Female);
    format!("{place:03}{century}{:02}{random:06}", birth.year() % 100)
}

/// The first day of the campaign (the rules' constant).
fn campaign_start() -> NaiveDate {
    crate::rules::dose::CAMPAIGN_START.unwrap_or_default()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Generator {
    /// A generator for `spec`. Fails when the province filter leaves no commune.
    pub fn new(spec: SampleSpec) -> Result<Generator, String> {
        let all = load_units(&spec.provinces);
        if all.is_empty() {
            return Err(format!(
                "no commune in provinces {}",
                spec.provinces.join(",")
            ));
        }
        let mut rng = Rng::new(spec.seed);
        let wanted = spec
            .communes
            .unwrap_or((spec.rows.map_or(spec.people, |r| r / 3) / 1000).max(1) as usize)
            .clamp(1, all.len());
        // Every n-th commune from a random start: spread over provinces, deterministic.
        let start = rng.below(all.len() as u64) as usize;
        let step = (all.len() / wanted).max(1);
        let units = (0..wanted)
            .map(|i| all[(start + i * step) % all.len()].clone())
            .collect();
        Ok(Generator {
            rng,
            units,
            all_units: all,
            used_ids: HashSet::new(),
            victims: Vec::new(),
            lenders: Vec::new(),
            next_record: spec.first_record,
            people_done: 0,
            rows_done: 0,
            truth: Vec::new(),
            registry: spec
                .registry
                .map(|u| Registry::new(u, spec.seed, spec.today)),
            spec,
        })
    }

    /// The findings planted so far, sorted, without repeats.
    pub fn truth(&self) -> Vec<Expected> {
        let mut t = self.truth.clone();
        t.sort();
        t.dedup();
        t
    }

    /// Rows generated so far.
    pub fn rows_done(&self) -> u64 {
        self.rows_done
    }

    fn done(&self) -> bool {
        match self.spec.rows {
            Some(r) => self.rows_done >= r,
            None => self.people_done >= self.spec.people,
        }
    }

    fn birth_date(&mut self) -> NaiveDate {
        birth_date(&mut self.rng)
    }

    fn new_id(&mut self, birth: NaiveDate, sex: Gender, home: u16) -> String {
        loop {
            let cmnd = birth.year() < 1980 && self.rng.chance(0.15);
            let id = if cmnd {
                let high: Vec<&reference::CmndPrefix> = reference::cmnd9_prefixes()
                    .iter()
                    .filter(|p| p.confidence == "high")
                    .collect();
                let p = self.rng.pick(&high).prefix.clone();
                let rest = format!("{:07}", self.rng.below(10_000_000));
                format!("{p}{}", &rest[..9 - p.len()])
            } else {
                let place = if self.rng.chance(0.8) {
                    home
                } else {
                    self.rng.pick(reference::province_codes()).code
                };
                cccd(place, birth, sex, self.rng.below(1_000_000))
            };
            let Ok(valid) = validate_digits(&id, self.spec.today.year()) else {
                continue;
            };
            if self.used_ids.insert(valid.key()) {
                return id;
            }
        }
    }

    fn phone(&mut self) -> String {
        if self.rng.chance(0.08) {
            return String::new();
        }
        let p = &self.rng.pick(reference::mobile_prefixes()).prefix;
        format!("{p}{:07}", self.rng.below(10_000_000))
    }

    fn doses(&mut self, birth: NaiveDate) -> Vec<(u32, NaiveDate, &'static str, String)> {
        let last_day = self.spec.today.min(date(2023, 6, 30));
        let (first_from, first_to) = if birth <= date(2003, 3, 8) {
            (campaign_start(), date(2021, 12, 31))
        } else if birth <= date(2009, 10, 27) {
            (date(2021, 10, 27), date(2022, 3, 31))
        } else {
            (date(2022, 4, 16), date(2022, 10, 31))
        };
        let adult = birth <= date(2003, 3, 8);
        let (brand, interval): (&'static str, (i64, i64)) = if adult {
            *self.rng.weighted(&[
                (("AstraZeneca", (56, 84)), 35),
                (("Pfizer-BioNTech (Comirnaty)", (21, 28)), 25),
                (("Sinopharm Vero Cell", (21, 28)), 25),
                (("Moderna (Spikevax)", (28, 35)), 10),
                (("Sputnik V", (21, 21)), 3),
                (("Abdala", (14, 14)), 2),
            ])
        } else {
            ("Pfizer-BioNTech (Comirnaty)", (21, 28))
        };
        let count = *self.rng.weighted(&[(1u32, 10), (2, 35), (3, 40), (4, 15)]);
        let span = (first_to - first_from).num_days();
        let mut day = first_from
            .checked_add_days(Days::new(self.rng.below(span.max(1) as u64)))
            .unwrap_or(first_from);
        let mut out = Vec::new();
        for n in 1..=count {
            if day > last_day {
                break;
            }
            let (b, lot) = if n <= 2 {
                (brand, self.lot(brand))
            } else {
                let b = *self.rng.pick(&[
                    "Pfizer-BioNTech (Comirnaty)",
                    "Moderna (Spikevax)",
                    "AstraZeneca",
                ]);
                (b, self.lot(b))
            };
            out.push((n, day, b, lot));
            let gap = if n == 1 && count > 1 {
                self.rng.range(interval.0, interval.1)
            } else {
                self.rng.range(90, 180)
            };
            day = day.checked_add_days(Days::new(gap as u64)).unwrap_or(day);
        }
        out
    }

    fn lot(&mut self, brand: &str) -> String {
        let n = self.rng.below(10_000);
        match brand {
            "AstraZeneca" => format!("ABV{n:04}"),
            "Pfizer-BioNTech (Comirnaty)" => format!("FK{n:04}"),
            "Moderna (Spikevax)" => format!("{:07}", n * 37),
            "Sinopharm Vero Cell" => format!("G2021{n:05}"),
            "Sputnik V" => format!("I-{n:04}21"),
            _ => format!("K{n:04}"),
        }
    }

    fn pick_defect(&mut self) -> Option<Defect> {
        if !self.rng.chance(self.spec.defect_rate) {
            return None;
        }
        let kinds: &[Defect] = if self.spec.kinds.is_empty() {
            &Defect::ALL
        } else {
            &self.spec.kinds
        };
        Some(*self.rng.pick(kinds))
    }

    /// The next person's rows, or `None` when the sample is complete.
    pub fn next_person(&mut self) -> Option<Vec<Row>> {
        if self.done() {
            return None;
        }
        self.people_done += 1;
        let unit = self.rng.pick(&self.units).clone();
        let (sex, name) = names::person(&mut self.rng);
        let birth = self.birth_date();
        let id = self.new_id(birth, sex, unit.province_code);
        let phone = self.phone();
        let doses = self.doses(birth);
        let mut person = Person {
            unit,
            sex,
            name,
            birth,
            id,
            phone,
            doses,
        };
        let mut defect = self.pick_defect();
        let mut p = Planted::new(Value::Empty, sex, birth);
        // Person-field defects may change the person (birth date, doses) before the rest.
        if let Some(d) = defect
            && !is_id_defect(d)
            && !self.plant_person(d, &mut person, &mut p)
        {
            defect = None;
        }
        p.birth_written = person.birth;
        p.id_cell = self.id_value(&person.id);
        let id = person.id.clone();
        let insurance = if self.rng.chance(0.7) {
            format!("{:010}", self.rng.below(10_000_000_000))
        } else {
            String::new()
        };
        let unit = person.unit.clone();
        let address = if unit.commune.starts_with("Xã") {
            format!("Thôn {}", self.rng.range(1, 12))
        } else {
            format!("Số {} tổ {}", self.rng.range(1, 300), self.rng.range(1, 40))
        };
        let facility = format!("Trạm Y tế {}", unit.commune);
        let mut record_ids: Vec<String> = person
            .doses
            .iter()
            .map(|_| {
                let r = record_id(self.next_record);
                self.next_record += 1;
                r
            })
            .collect();
        // Another person's record id on this person's last row: both rows share it.
        if p.reuse_record
            && let (Some(last), Some(lent)) = (record_ids.last_mut(), self.lend_record())
        {
            *last = lent.clone();
            self.truth.push(Expected {
                record_id: lent.clone(),
                field: Field::RecordId,
                code: Code::RecordIdDuplicate,
                value: lent,
                suggestion: String::new(),
                certain: true,
            });
        }

        let cccd = id.len() == 12;
        if let Some(d) = defect
            && is_id_defect(d)
            && !self.plant(d, &id, cccd, person.sex, person.birth, &mut p)
        {
            defect = None;
        }
        // The registry side: the resident, the extras of the commune, the damage, the key.
        let touched = self.registry_person(
            &person,
            &address,
            &record_ids,
            &mut p,
            defect.is_none(),
            self.people_done,
        );
        // Excel's lost zeros on a number cell.
        if let Value::Number(_) = p.id_cell
            && id.starts_with('0')
            && !matches!(defect, Some(Defect::IdDuplicate))
        {
            p.expect(
                Field::IdNumber,
                Code::IdLeadingZeroLost,
                &p.id_cell.display(),
                &id,
            );
        }
        if defect.is_none()
            && let Some(first) = record_ids.first()
        {
            // Replaced in turn rather than at random: the pool draws nothing from the random
            // stream, so the people of a seed stay the same.
            if self.lenders.len() < 256 {
                self.lenders.push(first.clone());
            } else {
                let i = (self.people_done % 256) as usize;
                self.lenders[i] = first.clone();
            }
        }
        // A person with registry damage or a split identity lends no number: the rows that
        // would share it must carry it.
        if defect.is_none() && !touched && cccd && record_ids.len() > 1 {
            let victim = Victim {
                id: id.clone(),
                value: p.id_cell.display(),
                record_ids: record_ids.clone(),
            };
            if self.victims.len() < 256 {
                self.victims.push(victim);
            } else {
                let i = self.rng.below(256) as usize;
                self.victims[i] = victim;
            }
        }
        for rid in &record_ids {
            for e in &p.expected {
                self.truth.push(Expected {
                    record_id: rid.clone(),
                    ..e.clone()
                });
            }
        }
        for (i, e) in &p.row_expected {
            if let Some(rid) = record_ids.get(*i) {
                self.truth.push(Expected {
                    record_id: rid.clone(),
                    ..e.clone()
                });
            }
        }

        let text = |s: &str| {
            if s.is_empty() {
                Value::Empty
            } else {
                Value::Text(s.to_string())
            }
        };
        let (province, district, commune) = p.place.clone().unwrap_or((
            unit.province.clone(),
            unit.district.clone(),
            unit.commune.clone(),
        ));
        let rows = person
            .doses
            .iter()
            .zip(record_ids)
            .enumerate()
            .map(|(i, ((n, day, vaccine, lot), rid))| {
                self.rows_done += 1;
                let dose_date = match &p.dose_date_cell {
                    Some((j, cell)) if *j == i => cell.clone(),
                    _ => Value::Date(*day),
                };
                vec![
                    Value::Number(self.rows_done as f64),
                    Value::Text(rid),
                    p.name_cell.clone().unwrap_or_else(|| text(&person.name)),
                    p.birth_cell.clone().unwrap_or(Value::Date(p.birth_written)),
                    p.gender_cell
                        .clone()
                        .unwrap_or_else(|| text(p.sex_written.label())),
                    match &p.first_id_cell {
                        Some(cell) if i == 0 => cell.clone(),
                        _ => p.id_cell.clone(),
                    },
                    p.phone_cell.clone().unwrap_or_else(|| text(&person.phone)),
                    text(&insurance),
                    text(&province),
                    text(&district),
                    text(&commune),
                    text(&address),
                    Value::Number(f64::from(*n)),
                    dose_date,
                    text(vaccine),
                    text(lot),
                    text(&facility),
                ]
            })
            .collect();
        Some(rows)
    }

    /// A record id of an earlier person without a defect, taken out of the pool (each is lent
    /// once, so that a shared id is on exactly two people).
    fn lend_record(&mut self) -> Option<String> {
        if self.lenders.is_empty() {
            return None;
        }
        let i = self.rng.below(self.lenders.len() as u64) as usize;
        Some(self.lenders.swap_remove(i))
    }

    /// How a clean number is written: text, or a number cell with `--numeric-ids`.
    fn id_value(&self, id: &str) -> Value {
        if self.spec.numeric_ids {
            id.parse::<u64>()
                .map_or_else(|_| Value::Text(id.to_string()), |n| Value::Number(n as f64))
        } else {
            Value::Text(id.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_people_have_valid_numbers_and_doses() {
        let mut spec = SampleSpec::new(500, 9);
        spec.defect_rate = 0.0;
        let mut g = Generator::new(spec).expect("generator");
        let mut rows = 0;
        while let Some(person) = g.next_person() {
            assert!(!person.is_empty() && person.len() <= 4);
            for row in &person {
                rows += 1;
                assert_eq!(row.len(), COLUMNS.len());
                let Value::Text(id) = &row[5] else {
                    panic!("id should be text");
                };
                assert!(validate_digits(id, 2026).is_ok(), "{id}");
                let Value::Date(dose) = row[13] else {
                    panic!("dose date");
                };
                assert!(dose >= campaign_start());
            }
        }
        assert_eq!(g.rows_done(), rows);
        assert!(g.truth().is_empty());
    }

    #[test]
    fn every_defect_is_planted_and_recorded() {
        let mut spec = SampleSpec::new(3000, 4);
        spec.defect_rate = 0.5;
        let mut g = Generator::new(spec).expect("generator");
        while g.next_person().is_some() {}
        let truth = g.truth();
        for code in [
            Code::IdMissing,
            Code::IdFormat,
            Code::IdLeadingZeroLost,
            Code::IdPrecisionLost,
            Code::IdSeparators,
            Code::IdPlaceholder,
            Code::IdProvinceCode,
            Code::IdGenderMismatch,
            Code::IdBirthYearMismatch,
            Code::IdDuplicateConflict,
        ] {
            assert!(truth.iter().any(|e| e.code == code), "{code:?}");
        }
    }

    #[test]
    fn seeds_number_records_from_their_own_block() {
        assert_eq!(first_record(1), 1, "the default seed keeps VX000000001");
        assert_eq!(first_record(2), 1_000_001);
        assert_eq!(first_record(12), 11_000_001);
        assert_eq!(first_record(1001), 1);
        assert_eq!(first_record(0), 999_000_001);
        assert_eq!(record_id(1), "VX000000001");
        assert_eq!(record_id(999_000_001), "VX999000001");
        assert_eq!(record_id(1_000_000_000), "VX000000000", "fixed width");
        let ids = |seed: u64| {
            let mut g = Generator::new(SampleSpec::new(50, seed)).expect("generator");
            let mut out = Vec::new();
            while let Some(p) = g.next_person() {
                out.extend(p.into_iter().map(|r| r[1].display()));
            }
            out
        };
        let (a, b) = (ids(1), ids(2));
        assert_eq!(a[0], "VX000000001");
        assert_eq!(b[0], "VX001000001");
        assert!(a.iter().all(|x| !b.contains(x)));
    }

    #[test]
    fn rows_limit_and_determinism() {
        let make = || {
            let mut spec = SampleSpec::new(0, 5);
            spec.rows = Some(1000);
            let mut g = Generator::new(spec).expect("generator");
            let mut all = Vec::new();
            while let Some(p) = g.next_person() {
                all.extend(p);
            }
            all
        };
        let a = make();
        assert!(a.len() >= 1000 && a.len() < 1004);
        assert_eq!(a, make());
    }
}
