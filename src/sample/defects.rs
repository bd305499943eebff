//! Planting defects: each kind changes what a person's rows say and records the findings a scan
//! must report. ID defects are planted once the number's cell is known; the others before, since
//! some change the person (a birth date, an extra dose row).

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};

use super::{Defect, Expected, Generator, Unit, Value, date, write};
use crate::normalize::dates::format_date;
use crate::normalize::gender::Gender;
use crate::normalize::identifiers::validate_digits;
use crate::record::Field;
use crate::reference;
use crate::rules::Code;

impl Generator {
    /// Plants a defect of the name, birth date, sex, phone, place or doses; `false` when it does
    /// not fit this person.
    pub(super) fn plant_person(&mut self, d: Defect, person: &mut Person, p: &mut Planted) -> bool {
        use crate::normalize::names::{Legacy, damage};
        let today = self.spec.today;
        let cccd = person.id.len() == 12;
        match d {
            Defect::NameMissing => {
                p.name_cell = Some(Value::Empty);
                p.expect(Field::FullName, Code::NameMissing, "", "");
            }
            Defect::NameInvalidChars => {
                let text = format!("{} {}", person.name, self.rng.range(1, 9));
                p.expect(Field::FullName, Code::NameInvalidChars, &text, "");
                p.name_cell = Some(Value::Text(text));
            }
            Defect::NameTcvn3
            | Defect::NameVni
            | Defect::NameWindows1258
            | Defect::NameDoubleUtf8 => {
                let legacy = match d {
                    Defect::NameTcvn3 => Legacy::Tcvn3,
                    Defect::NameVni => Legacy::Vni,
                    Defect::NameWindows1258 => Legacy::Windows1258,
                    _ => Legacy::DoubleUtf8,
                };
                let text = damage(&person.name, legacy);
                // Damage that only the clean form undoes (Windows-1258's "Đ" read as the
                // look-alike "Ð" in "Ðinh Duy Vinh") is a format matter, not this defect.
                let format_only = crate::normalize::names::clean_form(&text) == person.name;
                if text == person.name || format_only || (self.spec.ansi && !survives_ansi(&text)) {
                    return false;
                }
                let mut e =
                    Planted::finding(Field::FullName, Code::NameEncoding, &text, &person.name);
                e.certain = false;
                p.expected.push(e);
                p.name_cell = Some(Value::Text(text));
            }
            Defect::NameFormat => {
                let text = match self.rng.below(5) {
                    0 => format!(" {}  ", person.name.replace(' ', "  ")),
                    1 => person.name.to_uppercase(),
                    2 => person.name.to_lowercase(),
                    3 => {
                        use unicode_normalization::UnicodeNormalization;
                        person.name.nfd().collect()
                    }
                    _ if person.name.contains('Đ') => person.name.replace('Đ', "Ð"),
                    _ => person.name.to_lowercase(),
                };
                if text == person.name || (self.spec.ansi && !survives_ansi(&text)) {
                    return false;
                }
                p.expect(Field::FullName, Code::NameFormat, &text, &person.name);
                p.name_cell = Some(Value::Text(text));
            }
            Defect::NameIncomplete => {
                let given = person.name.rsplit(' ').next().unwrap_or("").to_string();
                if given.is_empty() || given.contains('\'') {
                    return false;
                }
                p.expect(Field::FullName, Code::NameIncomplete, &given, "");
                p.name_cell = Some(Value::Text(given));
            }
            Defect::DobMissing => {
                p.birth_cell = Some(Value::Empty);
                p.expect(Field::BirthDate, Code::DobMissing, "", "");
            }
            Defect::DobInvalid => {
                let text = format!("31/02/{}", person.birth.year());
                p.expect(Field::BirthDate, Code::DobInvalid, &text, "");
                p.birth_cell = Some(Value::Text(text));
            }
            Defect::DobFuture => {
                let future = today
                    .checked_add_days(Days::new(self.rng.range(30, 700) as u64))
                    .unwrap_or(today);
                p.birth_cell = Some(Value::Date(future));
                let value = format_date(future);
                p.expect(Field::BirthDate, Code::DobOutOfRange, &value, "");
                if cccd {
                    p.expect(Field::BirthDate, Code::IdBirthYearMismatch, &value, "");
                }
            }
            Defect::DobAfterDose => {
                let last = person.doses.last().map_or(today, |d| d.1);
                let Some(after) = last.checked_add_days(Days::new(self.rng.range(10, 200) as u64))
                else {
                    return false;
                };
                if after > today {
                    return false;
                }
                person.birth = after;
                person.id = self.new_id(after, person.sex, person.unit.province_code);
                p.expect(
                    Field::BirthDate,
                    Code::DobOutOfRange,
                    &format_date(after),
                    "",
                );
            }
            Defect::DobYearOnly => p.year_only(person.birth),
            Defect::DobFormat => {
                let b = person.birth;
                let text = match self.rng.below(3) {
                    0 => b.format("%Y-%m-%d").to_string(),
                    1 => b.format("%d-%m-%Y").to_string(),
                    _ => b.format("%d.%m.%Y").to_string(),
                };
                p.expect(Field::BirthDate, Code::DobFormat, &text, &format_date(b));
                p.birth_cell = Some(Value::Text(text));
            }
            Defect::DobUnderFive => {
                let Some(first) = person.doses.first().map(|d| d.1) else {
                    return false;
                };
                let back = self.rng.range(2 * 365, 4 * 365) as u64;
                let Some(birth) = first.checked_sub_days(Days::new(back)) else {
                    return false;
                };
                person.birth = birth;
                person.id = self.new_id(birth, person.sex, person.unit.province_code);
                for (i, dose) in person.doses.iter().enumerate() {
                    if crate::rules::birth_date::age_on(birth, dose.1) < 5 {
                        p.expect_row(i, Field::BirthDate, Code::DobUnderFive, &format_date(birth));
                    }
                }
            }
            Defect::GenderMissing => {
                p.gender_cell = Some(Value::Empty);
                p.expect(Field::Gender, Code::GenderMissing, "", "");
            }
            Defect::GenderInvalid => {
                let text = *self.rng.pick(&["Khác", "X", "?", "Không rõ"]);
                p.gender_cell = Some(Value::Text(text.to_string()));
                p.expect(Field::Gender, Code::GenderInvalid, text, "");
            }
            Defect::GenderFormat => {
                let options: &[&str] = match person.sex {
                    Gender::Male => &["nam", "NAM", "M", "Male", "male"],
                    Gender::Female => &["nu", "NỮ", "Nu", "F", "Female", "nữ"],
                };
                let text = *self.rng.pick(options);
                p.gender_cell = Some(Value::Text(text.to_string()));
                p.expect(Field::Gender, Code::GenderFormat, text, person.sex.label());
            }
            Defect::PhoneInvalid => {
                let text = format!("0{}", self.rng.range(10_000, 99_999));
                p.expect(Field::Phone, Code::PhoneInvalid, &text, "");
                p.phone_cell = Some(Value::Text(text));
            }
            Defect::PhoneOldFormat => {
                let converted: Vec<&reference::MobilePrefix> = reference::mobile_prefixes()
                    .iter()
                    .filter(|m| m.old_prefix.is_some())
                    .collect();
                let m = *self.rng.pick(&converted);
                let rest = format!("{:07}", self.rng.below(10_000_000));
                let old = format!("{}{rest}", m.old_prefix.clone().unwrap_or_default());
                p.expect(
                    Field::Phone,
                    Code::PhoneOldFormat,
                    &old,
                    &format!("{}{rest}", m.prefix),
                );
                p.phone_cell = Some(Value::Text(old));
            }
            Defect::AddressUnknown => {
                let u = &person.unit;
                let commune = "Xã Không Có Tên".to_string();
                p.expect(Field::Commune, Code::AddressUnknown, &commune, "");
                p.place = Some((u.province.clone(), u.district.clone(), commune));
            }
            Defect::AddressNotNested => {
                let u = person.unit.clone();
                let bare = |name: &str| {
                    let rest = ["Thị trấn ", "Phường ", "Xã "]
                        .iter()
                        .find_map(|t| name.strip_prefix(t))
                        .unwrap_or(name);
                    crate::normalize::text::fold(rest)
                };
                let here: HashSet<String> = self
                    .all_units
                    .iter()
                    .filter(|x| x.province == u.province && x.district == u.district)
                    .map(|x| bare(&x.commune))
                    .collect();
                let elsewhere: Vec<&Unit> = self
                    .all_units
                    .iter()
                    .filter(|x| x.province == u.province && x.district != u.district)
                    .filter(|x| !here.contains(&bare(&x.commune)))
                    .collect();
                if elsewhere.is_empty() {
                    return false;
                }
                let other = self.rng.pick(&elsewhere).commune.clone();
                p.expect(Field::Commune, Code::AddressUnknown, &other, "");
                p.place = Some((u.province, u.district, other));
            }
            Defect::DoseDateInvalid => {
                let i = self.rng.below(person.doses.len() as u64) as usize;
                let cell = match self.rng.below(3) {
                    0 => Value::Text("chưa rõ".to_string()),
                    1 if person.birth.year() <= 2010 => Value::Date(date(2021, 1, 15)),
                    _ => Value::Date(
                        today
                            .checked_add_days(Days::new(self.rng.range(30, 300) as u64))
                            .unwrap_or(today),
                    ),
                };
                p.expect_row(i, Field::DoseDate, Code::DoseDateInvalid, &cell.display());
                p.dose_date_cell = Some((i, cell));
            }
            Defect::RecordIdReused => {
                if self.lenders.is_empty() {
                    return false;
                }
                p.reuse_record = true;
            }
            Defect::DoseDuplicate => {
                let i = self.rng.below(person.doses.len() as u64) as usize;
                let copy = person.doses[i].clone();
                let value = copy.0.to_string();
                person.doses.insert(i + 1, copy);
                p.expect_row(i, Field::DoseNumber, Code::DoseDuplicate, &value);
                p.expect_row(i + 1, Field::DoseNumber, Code::DoseDuplicate, &value);
            }
            _ => return false,
        }
        true
    }

    /// Plants `d`; `false` when it does not apply to this person.
    pub(super) fn plant(
        &mut self,
        d: Defect,
        id: &str,
        cccd: bool,
        sex: Gender,
        birth: NaiveDate,
        p: &mut Planted,
    ) -> bool {
        let idf = Field::IdNumber;
        match d {
            Defect::IdMissing => {
                p.id_cell = Value::Empty;
                p.expect(idf, Code::IdMissing, "", "");
            }
            Defect::IdLetters => {
                let at = self.rng.range(3, id.len() as i64 - 2) as usize;
                let text = format!("{}O{}", &id[..at], &id[at + 1..]);
                p.id_cell = Value::Text(text.clone());
                p.expect(idf, Code::IdFormat, &text, "");
            }
            Defect::IdLength => {
                if !cccd {
                    return false;
                }
                let text = format!("{id}{}", self.rng.below(10));
                p.id_cell = Value::Text(text.clone());
                p.expect(idf, Code::IdFormat, &text, "");
            }
            Defect::IdLeadingZeroLost => {
                if !p.lose_leading_zeros(id) {
                    return false;
                }
            }
            Defect::IdPrecisionLost => {
                let trimmed = id.trim_start_matches('0');
                let mantissa = format!("{}.{}", &trimmed[..1], &trimmed[1..6]);
                let text = format!("{mantissa}E+{}", trimmed.len() - 1);
                p.id_cell = Value::Text(text.clone());
                p.expect(idf, Code::IdPrecisionLost, &text, "");
            }
            Defect::IdSeparators => {
                let sep = if self.rng.chance(0.5) { " " } else { "." };
                let groups: Vec<&str> = id
                    .as_bytes()
                    .chunks(3)
                    .map(|c| std::str::from_utf8(c).unwrap_or(""))
                    .collect();
                let text = groups.join(sep);
                p.id_cell = Value::Text(text.clone());
                p.expect(idf, Code::IdSeparators, &text, id);
            }
            Defect::IdPlaceholder => {
                let text = *self.rng.pick(&[
                    "000000000000",
                    "111111111111",
                    "123456789",
                    "999999999",
                    "123456789012",
                    "0",
                ]);
                p.id_cell = Value::Text(text.to_string());
                p.expect(idf, Code::IdPlaceholder, text, "");
            }
            Defect::IdProvinceCode => {
                if !cccd {
                    return false;
                }
                let bad: Vec<u16> = (0..100)
                    .filter(|c| !reference::is_province_code(*c))
                    .collect();
                let code = *self.rng.pick(&bad);
                let text = format!("{code:03}{}", &id[3..]);
                p.id_cell = Value::Text(text.clone());
                p.expect(idf, Code::IdProvinceCode, &text, "");
            }
            Defect::IdGenderMismatch => {
                if !cccd {
                    return false;
                }
                p.sex_written = match sex {
                    Gender::Male => Gender::Female,
                    Gender::Female => Gender::Male,
                };
                p.expect(
                    Field::Gender,
                    Code::IdGenderMismatch,
                    p.sex_written.label(),
                    "",
                );
            }
            Defect::IdBirthYearMismatch => {
                if !cccd {
                    return false;
                }
                let shift = self.rng.range(1, 3) as i32;
                let year = birth.year() - shift;
                p.birth_written = birth.with_year(year).unwrap_or(date(year, 2, 28));
                p.expect(
                    Field::BirthDate,
                    Code::IdBirthYearMismatch,
                    &format_date(p.birth_written),
                    "",
                );
            }
            Defect::IdDuplicate => {
                if self.victims.is_empty() {
                    return false;
                }
                let i = self.rng.below(self.victims.len() as u64) as usize;
                let victim = self.victims.swap_remove(i);
                p.id_cell = self.id_value(&victim.id);
                let value = p.id_cell.display();
                p.expect(idf, Code::IdDuplicateConflict, &value, "");
                if let Value::Number(_) = p.id_cell
                    && victim.id.starts_with('0')
                {
                    p.expect(idf, Code::IdLeadingZeroLost, &value, &victim.id);
                }
                let them = validate_digits(&victim.id, self.spec.today.year()).ok();
                if let Some(v) = them {
                    if v.sex().is_some_and(|s| s != sex) {
                        p.expect(Field::Gender, Code::IdGenderMismatch, sex.label(), "");
                    }
                    if v.birth_year().is_some_and(|y| y != birth.year()) {
                        p.expect(
                            Field::BirthDate,
                            Code::IdBirthYearMismatch,
                            &format_date(birth),
                            "",
                        );
                    }
                }
                for rid in &victim.record_ids {
                    self.truth.push(Expected {
                        record_id: rid.clone(),
                        field: idf,
                        code: Code::IdDuplicateConflict,
                        value: victim.value.clone(),
                        suggestion: String::new(),
                        certain: true,
                    });
                }
            }
            _ => return false,
        }
        true
    }
}

/// Whether `text` reads back the same after a trip through a Windows-1258 file.
pub(super) fn survives_ansi(text: &str) -> bool {
    let bytes = write::encode_windows_1258(text);
    crate::input::csv::decode_field(&bytes) == text
}

/// Whether a defect is about the ID number (planted once the number's cell is known).
pub(super) fn is_id_defect(d: Defect) -> bool {
    d.name().starts_with("id_")
}

/// What a person's rows will say, and what a scan must find in them.
pub(super) struct Planted {
    pub(super) id_cell: Value,
    pub(super) sex_written: Gender,
    pub(super) birth_written: NaiveDate,
    /// Cells written instead of the person's clean ones.
    pub(super) name_cell: Option<Value>,
    pub(super) birth_cell: Option<Value>,
    pub(super) gender_cell: Option<Value>,
    pub(super) phone_cell: Option<Value>,
    /// The place written instead of the person's commune.
    pub(super) place: Option<(String, String, String)>,
    /// A dose row whose date is written as this.
    pub(super) dose_date_cell: Option<(usize, Value)>,
    /// Findings on every row of the person.
    pub(super) expected: Vec<Expected>,
    /// Findings on one dose row (its index).
    pub(super) row_expected: Vec<(usize, Expected)>,
    /// The last row takes another person's record id.
    pub(super) reuse_record: bool,
    /// The first row's number cell, when it is not the others' (a split person).
    pub(super) first_id_cell: Option<Value>,
}

impl Planted {
    pub(super) fn new(id_cell: Value, sex: Gender, birth: NaiveDate) -> Self {
        Planted {
            id_cell,
            sex_written: sex,
            birth_written: birth,
            name_cell: None,
            birth_cell: None,
            gender_cell: None,
            phone_cell: None,
            place: None,
            dose_date_cell: None,
            expected: Vec::new(),
            row_expected: Vec::new(),
            reuse_record: false,
            first_id_cell: None,
        }
    }

    pub(super) fn finding(field: Field, code: Code, value: &str, suggestion: &str) -> Expected {
        Expected {
            record_id: String::new(),
            field,
            code,
            value: value.to_string(),
            suggestion: suggestion.to_string(),
            certain: true,
        }
    }

    pub(super) fn expect(&mut self, field: Field, code: Code, value: &str, suggestion: &str) {
        self.expected
            .push(Self::finding(field, code, value, suggestion));
    }

    /// Plants the ID number `id` without its leading zeros, as Excel drops them, with the finding
    /// that restores them; `false` when `id` has none to lose.
    pub(super) fn lose_leading_zeros(&mut self, id: &str) -> bool {
        let trimmed = id.trim_start_matches('0');
        if trimmed.len() == id.len() {
            return false;
        }
        self.id_cell = Value::Text(trimmed.to_string());
        self.expect(Field::IdNumber, Code::IdLeadingZeroLost, trimmed, id);
        true
    }

    /// Plants the birth date written as its year alone, with the finding that says so.
    pub(super) fn year_only(&mut self, birth: NaiveDate) {
        let text = birth.year().to_string();
        self.expect(Field::BirthDate, Code::DobYearOnly, &text, "");
        self.birth_cell = Some(Value::Text(text));
    }

    pub(super) fn expect_row(&mut self, row: usize, field: Field, code: Code, value: &str) {
        self.row_expected
            .push((row, Self::finding(field, code, value, "")));
    }
}

/// A person before any defect is planted.
pub(super) struct Person {
    pub(super) unit: Unit,
    pub(super) sex: Gender,
    pub(super) name: String,
    pub(super) birth: NaiveDate,
    pub(super) id: String,
    pub(super) phone: String,
    pub(super) doses: Vec<(u32, NaiveDate, &'static str, String)>,
}
