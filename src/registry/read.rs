//! Reading a registry extract with the dump readers (xlsx, xls, xlsb, ods, CSV in any usual
//! encoding, title lines, numbers stored as numbers): its headers are the population database's
//! (`Số định danh cá nhân`, `Số CMND cũ`, `Họ, chữ đệm và tên`, `Ngày, tháng, năm sinh`,
//! `Nơi thường trú`, `Xã/Phường`…), mapped onto the dump's fields; the old CMND takes the slot of
//! the record key, which an extract does not have.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

use super::{Registry, RegistryStats, Resident, communes_of};
use crate::i18n::Lang;
use crate::input::header::HeaderTable;
use crate::input::{Batch, InputError, ReadOptions, SheetInfo, Sink};
use crate::normalize::identifiers::{IdKind, read_id};
use crate::normalize::places::Gazetteer;
use crate::normalize::{dates, gender, names};
use crate::record::{Field, RawRecord};

/// The column of the old CMND in a registry extract: the record key's slot.
pub const OLD_NUMBER: Field = Field::RecordId;

/// The fields an extract is read for.
const READ: [Field; 9] = [
    Field::IdNumber,
    OLD_NUMBER,
    Field::FullName,
    Field::BirthDate,
    Field::Gender,
    Field::Address,
    Field::Commune,
    Field::District,
    Field::Province,
];

/// The population database's header names (folded when the table is built).
const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::IdNumber,
        &[
            "Số định danh cá nhân",
            "Số ĐDCN",
            "Số định danh",
            "Mã định danh",
            "Mã định danh cá nhân",
            "Số CCCD",
            "CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Số CCCD/ĐDCN",
            "Số CCCD/Số định danh",
            "Số định danh/CCCD",
            "Personal ID",
            "ID number",
        ],
    ),
    (
        OLD_NUMBER,
        &[
            "Số CMND cũ",
            "CMND cũ",
            "Số CMND",
            "CMND",
            "Số chứng minh nhân dân",
            "Số CMND đã cấp",
            "Old ID number",
        ],
    ),
    (
        Field::FullName,
        &[
            "Họ, chữ đệm và tên",
            "Họ chữ đệm và tên",
            "Họ và tên",
            "Họ tên",
            "Họ tên công dân",
            "Tên công dân",
            "Full name",
            "Name",
        ],
    ),
    (
        Field::BirthDate,
        &[
            "Ngày, tháng, năm sinh",
            "Ngày tháng năm sinh",
            "Ngày sinh",
            "Năm sinh",
            "Date of birth",
            "Birth date",
        ],
    ),
    (Field::Gender, &["Giới tính", "GT", "Sex", "Gender"]),
    (
        Field::Address,
        &[
            "Nơi thường trú",
            "Địa chỉ thường trú",
            "Thường trú",
            "Nơi cư trú",
            "Nơi ở hiện tại",
            "Địa chỉ",
            "Address",
        ],
    ),
    (
        Field::Commune,
        &[
            "Xã/Phường",
            "Phường/Xã",
            "Xã/Phường/Thị trấn",
            "Xã/Phường/Đặc khu",
            "Xã",
            "Phường",
            "Commune",
        ],
    ),
    (
        Field::District,
        &[
            "Quận/Huyện",
            "Huyện/Quận",
            "Quận/Huyện/Thị xã",
            "Huyện",
            "Quận",
            "District",
        ],
    ),
    (
        Field::Province,
        &["Tỉnh/Thành phố", "Tỉnh/TP", "Tỉnh", "Thành phố", "Province"],
    ),
];

/// The header table of an extract, with the user's names (`--registry-map`) added.
pub fn headers(user: &[(Field, String)]) -> HeaderTable {
    let mut table = HeaderTable::with_aliases(ALIASES);
    for (field, header) in user {
        table.add(*field, header);
    }
    table
}

/// Why the registry could not be used. Each names the file.
#[derive(Debug)]
pub enum RegistryError {
    /// The extract has no column of numbers or of names.
    NoColumns {
        /// The file.
        path: String,
        /// The header cells seen.
        seen: String,
    },
    /// The file could not be read.
    Input(InputError),
    /// The extracts hold no resident.
    Empty {
        /// The files.
        paths: String,
    },
}

impl RegistryError {
    /// The one line a user reads.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            RegistryError::NoColumns { path, seen } => lang.pick(
                format!(
                    "tệp dữ liệu dân cư '{path}': không thấy cột số định danh (CCCD) và cột họ tên; tiêu đề thấy được: {seen}. Đặt tên cột bằng --registry-map, ví dụ --registry-map id_number=\"Số ĐDCN\""
                ),
                format!(
                    "registry file '{path}': no column of ID numbers and of names found; headers seen: {seen}. Name the columns with --registry-map, e.g. --registry-map id_number=\"Số ĐDCN\""
                ),
            ),
            RegistryError::Input(e) => lang.pick(
                format!("tệp dữ liệu dân cư: {}", e.render(lang)),
                format!("registry file: {}", e.render(lang)),
            ),
            RegistryError::Empty { paths } => lang.pick(
                format!("tệp dữ liệu dân cư {paths}: không có người nào (cần họ tên và số định danh hoặc nơi thường trú)"),
                format!("registry file {paths}: no resident in it (a name and an ID number or a residence are needed)"),
            ),
        }
    }
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for RegistryError {}

/// Collects the batches of an extract. Its sheets are only counted: nothing of them is kept.
#[derive(Default)]
struct Collect {
    batches: Mutex<Vec<Batch>>,
    sheets: AtomicU32,
}

impl Sink for Collect {
    fn sheet(&self, _info: SheetInfo) -> u32 {
        self.sheets.fetch_add(1, Ordering::Relaxed)
    }
    fn batch(&self, batch: Batch) -> bool {
        self.batches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(batch);
        true
    }
    fn recycled(&self) -> Option<Vec<u8>> {
        None
    }
    fn progress(&self, _bytes: u64) {}
    fn sheet_skipped(&self, _source: u32, _sheet: &str) {}
}

/// The place of a resident: the province, district and commune columns, else the last parts of
/// the residence address ("Thôn 3, Xã An Vinh, Tỉnh Quảng Ngãi").
fn place_of(raw: &RawRecord<'_>, district_column: bool, g: &Gazetteer) -> Box<[u32]> {
    let text = |f: Field| raw.get(f).text().unwrap_or("").trim().to_string();
    let (p, d, c) = (
        text(Field::Province),
        text(Field::District),
        text(Field::Commune),
    );
    if !c.is_empty() {
        return communes_of(&g.resolve_either(&p, &d, &c, district_column && !d.is_empty()));
    }
    let address = text(Field::Address);
    let parts: Vec<&str> = address
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let n = parts.len();
    let province = if p.is_empty() {
        parts.last().copied().unwrap_or("")
    } else {
        p.as_str()
    };
    let shift = usize::from(p.is_empty());
    // Commune then province (2025), or commune, district, province (2020).
    let tries = [
        (n.checked_sub(1 + shift), None),
        (n.checked_sub(2 + shift), n.checked_sub(1 + shift)),
    ];
    for (commune, district) in tries {
        let Some(ci) = commune else { continue };
        let district = district.and_then(|i| parts.get(i)).copied().unwrap_or("");
        let place = g.resolve_either(province, district, parts[ci], !district.is_empty());
        let found = communes_of(&place);
        if !found.is_empty() {
            return found;
        }
    }
    Box::default()
}

/// A resident from an extract row; `None` for a row without a name, or without a number and a
/// place.
fn resident(
    raw: &RawRecord<'_>,
    today: NaiveDate,
    district_column: bool,
    g: &Gazetteer,
    places: &Mutex<HashMap<String, Box<[u32]>>>,
) -> Option<Resident> {
    let name = raw.get(Field::FullName).text()?;
    let name = names::read_name(name).clean()?.to_string();
    let mut number = read_id(raw.get(Field::IdNumber), today.year()).number();
    let mut old_number = read_id(raw.get(OLD_NUMBER), today.year()).number();
    if number.is_some_and(|n| n.kind() == IdKind::Cmnd9) {
        // A 9-digit number in the number column is an old CMND.
        old_number = old_number.or(number);
        number = None;
    }
    // The address counts only when there is no commune column to read (it is each resident's
    // own, and would defeat the cache).
    let commune_written = raw
        .get(Field::Commune)
        .text()
        .is_some_and(|c| !c.trim().is_empty());
    let parts = [
        Field::Province,
        Field::District,
        Field::Commune,
        Field::Address,
    ];
    let place_text = parts[..if commune_written { 3 } else { 4 }]
        .iter()
        .map(|f| raw.get(*f).text().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\u{1f}");
    let known = places
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&place_text)
        .cloned();
    let communes = match known {
        Some(c) => c,
        None => {
            let c = place_of(raw, district_column, g);
            places
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(place_text, c.clone());
            c
        }
    };
    if number.is_none() && old_number.is_none() && communes.is_empty() {
        return None;
    }
    Some(Resident {
        number,
        old_number,
        name: name.into(),
        birth: dates::read_date(raw.get(Field::BirthDate), today),
        sex: gender::read_gender(raw.get(Field::Gender)).gender(),
        communes,
    })
}

/// Reads the extracts named by `paths`; `user` adds header names; `today` bounds dates.
pub fn read(
    paths: &[PathBuf],
    user: &[(Field, String)],
    today: NaiveDate,
) -> Result<Registry, RegistryError> {
    let (files, mut errors) = crate::input::discover(paths);
    if let Some(e) = errors.drain(..).next() {
        return Err(RegistryError::Input(e));
    }
    let mut opts = ReadOptions {
        headers: headers(user),
        ..ReadOptions::default()
    };
    opts.only(&READ);
    let sink = Collect::default();
    for (i, file) in files.iter().enumerate() {
        match crate::input::read_file(file, i as u32, &opts, &sink) {
            Ok(()) => {}
            Err(InputError::NoHeader { path, seen, .. }) => {
                return Err(RegistryError::NoColumns { path, seen });
            }
            Err(e) => return Err(RegistryError::Input(e)),
        }
    }
    let g = Gazetteer::builtin();
    let batches = sink
        .batches
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    // Places repeat: each is resolved once for the whole extract.
    let places = Mutex::new(HashMap::new());
    let read: Vec<(Vec<Resident>, u64)> = batches
        .par_iter()
        .map(|batch| {
            let district_column = batch.ctx.columns[Field::District.index()].is_some();
            let places = &places;
            let mut kept = Vec::new();
            let mut skipped = 0;
            batch.for_each_row(|raw, _| {
                if raw.cells.iter().all(crate::record::Cell::is_blank) {
                    return;
                }
                match resident(raw, today, district_column, &g, places) {
                    Some(r) => kept.push(r),
                    None => skipped += 1,
                }
            });
            (kept, skipped)
        })
        .collect();
    drop(batches);
    let mut stats = RegistryStats {
        files: files.iter().map(|f| f.display.clone()).collect(),
        ..RegistryStats::default()
    };
    let mut residents = Vec::with_capacity(read.iter().map(|(r, _)| r.len()).sum());
    for (r, skipped) in read {
        residents.extend(r);
        stats.skipped += skipped;
    }
    if residents.is_empty() {
        return Err(RegistryError::Empty {
            paths: stats.files.join(", "),
        });
    }
    Ok(Registry::new(residents, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Failure = Box<dyn std::error::Error>;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    /// An extract named `name` holding `text`, in a temporary folder that lives as long as it.
    fn extract(name: &str, text: &str) -> Result<(tempfile::TempDir, PathBuf), Failure> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(name);
        std::fs::write(&path, text)?;
        Ok((dir, path))
    }

    #[test]
    fn an_extract_under_title_lines_is_read_with_its_own_headers() -> Result<(), Failure> {
        let (_dir, path) = extract(
            "dan-cu.csv",
            "CÔNG AN XÃ BA ĐÌNH\nDANH SÁCH CÔNG DÂN THƯỜNG TRÚ\n\n\
             STT,Số định danh cá nhân,Số CMND cũ,\"Họ, chữ đệm và tên\",\"Ngày, tháng, năm sinh\",Giới tính,Nơi thường trú,Xã/Phường,Tỉnh/Thành phố\n\
             1,001090001234,023456781,Nguyễn Văn An,01/02/1990,Nam,\"Số 1, Phường Ba Đình, Thành phố Hà Nội\",Phường Ba Đình,Thành phố Hà Nội\n\
             2,001190001235,,Trần Thị Bình,05/06/1990,Nữ,\"Phường Ba Đình, Thành phố Hà Nội\",,\n\
             3,,,,01/01/2000,Nam,,,\n",
        )?;
        let reg = read(&[path], &[], today())?;
        assert_eq!(reg.len(), 2);
        assert_eq!(reg.stats.skipped, 1);
        let an = reg.resident(0).ok_or("no resident")?;
        assert_eq!(
            an.number.map(|n| n.as_str().to_string()).as_deref(),
            Some("001090001234")
        );
        assert_eq!(
            an.old_number.map(|n| n.as_str().to_string()).as_deref(),
            Some("023456781")
        );
        assert_eq!(&*an.communes, &[4]);
        // The place read from the address alone.
        let binh = reg.resident(1).ok_or("no resident")?;
        assert_eq!(&*binh.communes, &[4]);
        assert_eq!(reg.stats.communes, 1);
        Ok(())
    }

    #[test]
    fn a_place_is_read_from_the_address_alone_even_with_a_dash_in_a_name() -> Result<(), Failure> {
        let (_dir, path) = extract(
            "dia-chi.csv",
            "Số định danh cá nhân,Họ và tên,Nơi thường trú\n\
             077090001234,Nguyễn Văn An,\"Số 3, Phường Thắng Tam, Thành phố Vũng Tàu, Tỉnh Bà Rịa - Vũng Tàu\"\n",
        )?;
        let reg = read(&[path], &[], today())?;
        let an = reg.resident(0).ok_or("no resident")?;
        assert!(!an.communes.is_empty(), "the place was not read");
        assert_eq!(reg.stats.unplaced, 0);
        Ok(())
    }

    #[test]
    fn an_extract_without_numbers_or_names_is_refused_in_one_line() -> Result<(), Failure> {
        let (_dir, path) = extract(
            "x.csv",
            "STT,Họ và tên,Số giấy tờ\n1,Nguyễn Văn An,001090001234\n",
        )?;
        let Err(e) = read(std::slice::from_ref(&path), &[], today()) else {
            return Err("read".into());
        };
        let line = e.render(Lang::Vi);
        assert!(line.contains("không thấy cột số định danh"), "{line}");
        assert!(!line.contains('\n'));
        // Named by the user (`--registry-map id_number="Số giấy tờ"`), the column is read.
        let reg = read(&[path], &[(Field::IdNumber, "Số giấy tờ".into())], today())?;
        let an = reg.resident(0).ok_or("no resident")?;
        assert_eq!(
            an.number.map(|n| n.to_string()).as_deref(),
            Some("001090001234")
        );
        Ok(())
    }
}
