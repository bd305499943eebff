//! One commune's correction list (docs/export-list.md): sheet `Danh sách` with the people to check, the
//! columns the hamlet team fills in and the signature block; sheet `Hướng dẫn`; and a hidden sheet
//! `vaxclean` that identifies the export and fingerprints what each row showed, so that
//! `apply-corrections` can tell what came back and whether anything locked was changed.
//!
//! Rows are written as they come (rust_xlsxwriter's constant-memory mode): a ward of 40,000 people
//! takes no more memory than a hamlet. Every cell is a string, number or blank, never a formula;
//! text that a spreadsheet would take for one is stored with Excel's quote prefix.

use std::io::{Seek, Write};

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, XlsxError};

mod hamlet;
mod parts;

pub use hamlet::{NO_HAMLET, group_by_hamlet, hamlet_heading, hamlet_of, hamlet_order};
pub use parts::GUIDE;
use parts::{META_ROWS_BEFORE_TABLE, guide, list_footer, list_header, meta_header};

use crate::input::SourceStamp;
use crate::output::write_text;
use crate::record::shown::{ListValues, Shown};

/// The headers of sheet `Danh sách`, in order (docs/export-list.md).
pub const HEADERS: [&str; 17] = [
    "STT",
    "Mã bản ghi",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CMND/CCCD",
    "Số điện thoại",
    "Địa chỉ",
    "Lỗi phát hiện",
    "Gợi ý sửa",
    "Họ và tên đúng",
    "Ngày sinh đúng",
    "Giới tính đúng",
    "Số CMND/CCCD đúng",
    "Số điện thoại đúng",
    "Kết quả xác minh",
    "Ghi chú",
];

/// The header of the extra column of a list sent back by `apply-corrections`.
pub const REASON_HEADER: &str = "Lý do trả lại";

/// The header of the extra column of a list of people whose place is unknown (`_chua-ro-xa.xlsx`,
/// `_can-xac-dinh.xlsx`): where the person really lives, written by the team.
pub const ADDRESS_FIX_HEADER: &str = "Địa chỉ đúng";

/// The 0-based sheet row of the header row: the heading (issuing unit, national heading, title and
/// place) takes the rows above it.
pub const HEADER_ROW: u32 = 5;

/// The list sheet's name.
pub const LIST_SHEET: &str = "Danh sách";
/// The instructions sheet's name.
pub const GUIDE_SHEET: &str = "Hướng dẫn";
/// The hidden sheet's name.
pub const META_SHEET: &str = "vaxclean";
/// What the hidden sheet's first row says, so a reader knows the layout.
pub const META_FORMAT: &str = "vaxclean-danh-sach/1";
/// The first row of the hidden sheet's per-row table.
pub const META_TABLE_HEADERS: [&str; 4] = ["row", "stt", "record_keys", "fingerprint"];

/// How a list marks a fix the rules are certain of (`repair` makes it; `apply-corrections`
/// makes it too for the people the teams answer for): nobody needs to write it again.
pub const CERTAIN_FIX: &str = " (tự sửa, không cần ghi lại)";

/// `STT`.
pub const COL_STT: u16 = 0;
/// `Mã bản ghi`: the first record key, followed by "+N" when the person has N more (every key is
/// in the hidden sheet).
pub const COL_KEYS: u16 = 1;
/// The locked columns (0-based), after STT and the record keys: the name as found.
pub const COL_NAME: u16 = 2;
/// The birth date as found.
pub const COL_BIRTH: u16 = 3;
/// The sex as found.
pub const COL_GENDER: u16 = 4;
/// The ID number as found.
pub const COL_ID: u16 = 5;
/// The phone as found.
pub const COL_PHONE: u16 = 6;
/// The address as found.
pub const COL_ADDRESS: u16 = 7;
/// The findings, one per line.
pub const COL_ERRORS: u16 = 8;
/// The mark after a suggestion that is the population registry's value ("Số CMND/CCCD: 0790…
/// (theo dữ liệu dân cư)"): the police confirm it rather than type it.
pub const FROM_REGISTRY: &str = " (theo dữ liệu dân cư)";

/// The field label and value of a suggestion line that is the population registry's.
pub fn registry_suggestion(line: &str) -> Option<(&str, &str)> {
    line.trim_end()
        .strip_suffix(FROM_REGISTRY)?
        .split_once(": ")
}

/// The field label and value of any suggestion line ("Số CMND/CCCD: 0790…"), without the
/// mark of a registry value or of a certain fix.
pub fn suggestion_value(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_end();
    let line = line
        .strip_suffix(FROM_REGISTRY)
        .or_else(|| line.strip_suffix(CERTAIN_FIX))
        .unwrap_or(line);
    line.split_once(": ")
}

/// The suggestions, one per line.
pub const COL_SUGGESTIONS: u16 = 9;
/// Columns the hamlet team fills in (0-based), and the verification status.
pub const COL_NAME_FIX: u16 = 10;
/// Birth date correction.
pub const COL_BIRTH_FIX: u16 = 11;
/// Sex correction.
pub const COL_GENDER_FIX: u16 = 12;
/// ID number correction.
pub const COL_ID_FIX: u16 = 13;
/// Phone correction.
pub const COL_PHONE_FIX: u16 = 14;
/// Verification result.
pub const COL_STATUS: u16 = 15;
/// Free notes.
pub const COL_NOTE: u16 = 16;
/// The locked columns a row's fingerprint covers: STT to `Gợi ý sửa`.
pub const LOCKED_COLUMNS: u16 = 10;

/// The verification results the status dropdown offers.
pub const STATUSES: [&str; 5] = [
    "Đã sửa",
    "Thông tin đúng",
    "Không xác định được",
    "Đã chuyển đi",
    "Đã mất",
];

/// What identifies a list.
#[derive(Debug, Clone)]
pub struct ListMeta {
    /// The export's id, shared by every workbook of one run.
    pub export_id: String,
    /// When the export ran (RFC 3339).
    pub created: String,
    /// The run's date.
    pub as_of: NaiveDate,
    /// Canonical province name (empty when unknown).
    pub province: String,
    /// District.
    pub district: String,
    /// Commune.
    pub commune: String,
    /// The commune's gazetteer code, when known.
    pub commune_code: String,
    /// The list's path under the output folder, `/`-separated: with the export id, what names
    /// it in the export ledger.
    pub list: String,
    /// The division the unit is named in (`--units`).
    pub division: crate::normalize::places::Division,
    /// A province's list of people whose 2025 commune must still be determined.
    pub undetermined: bool,
    /// With 2025 units: the 2020 communes the list's people were written in ("Xã A, Xã B (Huyện
    /// H, Tỉnh T)"), shown with the new name.
    pub former: String,
    /// Sources: path as given, SHA-256, size in bytes.
    pub sources: Vec<SourceStamp>,
    /// A list sent back: one more column, [`REASON_HEADER`].
    pub with_reason: bool,
}

impl ListMeta {
    /// A list of people whose place is unknown (no commune, or a 2025 commune still to determine):
    /// it has the column [`ADDRESS_FIX_HEADER`].
    pub fn address_fix(&self) -> bool {
        self.commune.trim().is_empty() || self.undetermined
    }

    /// The extra columns after [`HEADERS`], in order, with their widths.
    pub fn extra_columns(&self) -> Vec<(&'static str, f64)> {
        let mut out = Vec::new();
        if self.with_reason {
            out.push((REASON_HEADER, REASON_WIDTH));
        }
        if self.address_fix() {
            out.push((ADDRESS_FIX_HEADER, ADDRESS_FIX_WIDTH));
        }
        out
    }
}

/// One row of a list's table (the hidden sheet's, or the export ledger's): where it stood, the
/// record keys it stands for (one per line) and the [`fingerprint`] of its locked cells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TableRow {
    /// Its 1-based sheet row.
    pub row: u32,
    /// Its record keys, one per line.
    pub keys: String,
    /// The fingerprint of its locked cells.
    pub fingerprint: String,
}

/// One person on the list.
#[derive(Debug, Clone, Default)]
pub struct ListRow {
    /// The record keys of the person's rows.
    pub record_keys: Vec<String>,
    /// Name, birth date, sex, ID number, phone and address as found.
    pub values: ListValues,
    /// The findings, in plain words, one per line.
    pub errors: Vec<String>,
    /// Suggested values, `Field: value`, one per line.
    pub suggestions: Vec<String>,
    /// What was typed in the correction columns last time (a list sent back), `Họ và tên đúng`
    /// to `Ghi chú`.
    pub typed: Typed,
    /// Why the row is sent back.
    pub reason: String,
    /// What was typed in [`ADDRESS_FIX_HEADER`] last time (a list sent back).
    pub address_fix: String,
}

impl ListRow {
    /// The locked cells of the row as written (STT to `Gợi ý sửa`).
    pub fn locked_cells(&self, stt: u32) -> [String; LOCKED_COLUMNS as usize] {
        let [name, birth, gender, id, phone, address] = self.values.cells().map(String::clone);
        [
            stt.to_string(),
            shown_keys(&self.record_keys),
            name,
            birth,
            gender,
            id,
            phone,
            address,
            self.errors.join("\n"),
            self.suggestions.join("\n"),
        ]
    }
}

/// What a hamlet team typed in a row's correction columns, `Họ và tên đúng` to `Ghi chú`: the
/// corrected person fields, the verification result and the note (empty where nothing was typed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// The corrections: `Họ và tên đúng` to `Số điện thoại đúng`.
    pub fixes: Shown<String>,
    /// `Kết quả xác minh`.
    pub status: String,
    /// `Ghi chú`.
    pub note: String,
}

impl Typed {
    /// The cells with their columns, in column order ([`COL_NAME_FIX`] to [`COL_NOTE`]).
    pub fn cells(&self) -> [(u16, &str); 7] {
        let Shown {
            name,
            birth,
            gender,
            id,
            phone,
        } = &self.fixes;
        [
            (COL_NAME_FIX, name),
            (COL_BIRTH_FIX, birth),
            (COL_GENDER_FIX, gender),
            (COL_ID_FIX, id),
            (COL_PHONE_FIX, phone),
            (COL_STATUS, &self.status),
            (COL_NOTE, &self.note),
        ]
    }

    /// Nothing typed.
    pub fn is_empty(&self) -> bool {
        self.cells().iter().all(|(_, v)| v.is_empty())
    }
}

/// What `Mã bản ghi` shows of a person's record keys: the first, and "+N" when there are N more.
pub fn shown_keys<S: AsRef<str>>(keys: &[S]) -> String {
    match keys {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [first, rest @ ..] => format!("{} +{}", first.as_ref(), rest.len()),
    }
}

/// The record keys a `Mã bản ghi` cell names: each line, without a trailing "+N" (lists of older
/// versions have every key, one per line).
pub fn keys_in_cell(cell: &str) -> Vec<String> {
    cell.split('\n')
        .map(|line| {
            let line = line.trim();
            match line.rsplit_once(" +") {
                Some((key, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                    key.trim_end()
                }
                _ => line,
            }
        })
        .filter(|k| !k.is_empty())
        .map(String::from)
        .collect()
}

/// The fingerprint of a row's locked cells: what `apply-corrections` compares to tell whether a
/// locked cell was edited.
pub fn fingerprint<S: AsRef<str>>(cells: &[S]) -> String {
    crate::util::digest_hex(cells.iter().map(|c| c.as_ref().trim()), 16)
}

/// Column widths (in Excel's character units) of the list's 17 columns: the handwriting cells are
/// at least 30 mm (names) and 25 mm (dates, numbers) wide once the page is fitted to an A4 width,
/// and the text prints at 9 pt or more when the phone columns are hidden (see [`PRINT`]).
pub const WIDTHS: [f64; 17] = [
    3.5, 6.0, 12.5, 10.0, 5.0, 13.0, 11.5, 12.5, 17.0, 14.0, 18.5, 15.5, 7.0, 15.5, 15.5, 10.0,
    10.0,
];

/// Width of the reason column of a list sent back.
pub const REASON_WIDTH: f64 = 20.0;
/// Width of [`ADDRESS_FIX_HEADER`].
pub const ADDRESS_FIX_WIDTH: f64 = 18.5;

/// How the list prints: the font size of its text and the page margins (inches).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Print {
    /// Points, of every cell of the table.
    pub font_size: f64,
    /// Left and right margins, inches.
    pub side_margin: f64,
}

/// The list's print settings.
pub const PRINT: Print = Print {
    font_size: 11.0,
    side_margin: 0.2,
};

const FONT: &str = "Times New Roman";
const FIX_FILL: u32 = 0xFFF7D6;
const HEAD_FILL: u32 = 0xD9E2F3;
const FIX_HEAD_FILL: u32 = 0xFFE699;
const HAMLET_FILL: u32 = 0xEDEDED;

struct Formats {
    head: Format,
    fix_head: Format,
    cell: Format,
    center: Format,
    fix_text: Format,
    fix_date: Format,
    fix_choice: Format,
    plain: Format,
    bold_center: Format,
    italic_center: Format,
    title: Format,
    hamlet: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_size(PRINT.font_size);
        let boxed = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let fix = boxed.clone().set_unlocked().set_background_color(FIX_FILL);
        let head = boxed
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            head: head.clone().set_background_color(HEAD_FILL),
            fix_head: head.set_background_color(FIX_HEAD_FILL),
            hamlet: boxed
                .clone()
                .set_bold()
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(HAMLET_FILL),
            center: boxed.clone().set_align(FormatAlign::Center),
            cell: boxed,
            fix_text: fix.clone().set_num_format_index(49),
            fix_date: fix.clone().set_num_format("dd/mm/yyyy"),
            fix_choice: fix.set_align(FormatAlign::Center),
            bold_center: base
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            italic_center: base
                .clone()
                .set_italic()
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            title: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            plain: base,
        }
    }
}

/// How many printed lines a text takes in a column `width` characters wide.
fn lines(text: &str, width: f64) -> usize {
    let per_line = (width * 1.1).max(1.0);
    text.split('\n')
        .map(|l| ((l.chars().count() as f64) / per_line).ceil().max(1.0) as usize)
        .sum()
}

/// A page header: `fixed`, then `text` escaped and cut (with "…") so that the whole holds in the 255
/// characters Excel allows (a longer one is dropped by the writer, leaving the page without its
/// heading).
fn page_header(fixed: &str, text: &str) -> String {
    const MAX: usize = 255;
    let room = MAX.saturating_sub(fixed.chars().count());
    let mut escaped = header_text(text);
    if escaped.chars().count() > room {
        let cut: String = text.chars().take(room.saturating_sub(1)).collect();
        escaped = header_text(&cut);
        // An `&` doubled by the escape may have pushed it over again.
        while escaped.chars().count() + 1 > room && !escaped.is_empty() {
            escaped.pop();
            if escaped.ends_with('&') && !escaped.ends_with("&&") {
                escaped.pop();
            }
        }
        escaped.push('…');
    }
    format!("{fixed}{escaped}")
}

/// Escapes `&` for a page header or footer.
fn header_text(s: &str) -> String {
    s.replace('&', "&&")
}

/// Whether the list shows the phone columns: only when one of its rows has something about the
/// phone (a finding, a suggestion, a phone typed last time). Hidden, they leave room for the
/// others to print at a readable size.
pub fn shows_phone(rows: &[ListRow]) -> bool {
    rows.iter().any(|r| {
        !r.typed.fixes.phone.is_empty()
            || r.errors
                .iter()
                .chain(&r.suggestions)
                .any(|l| l.to_lowercase().contains("điện thoại"))
    })
}

/// The unit that issues a list, as its heading names it: (the unit above, the unit), in capitals.
pub fn issuing_unit(meta: &ListMeta) -> (String, String) {
    let up = |s: &str| s.trim().to_uppercase();
    let (p, d, c) = (
        meta.province.trim(),
        meta.district.trim(),
        meta.commune.trim(),
    );
    if !c.is_empty() && !meta.undetermined {
        let above = if !d.is_empty() {
            format!("TRUNG TÂM Y TẾ {}", up(d))
        } else {
            format!("UBND {}", up(c))
        };
        (above, format!("TRẠM Y TẾ {}", up(c)))
    } else if !d.is_empty() {
        let above = if p.is_empty() {
            String::new()
        } else {
            format!("SỞ Y TẾ {}", up(p))
        };
        (above, format!("TRUNG TÂM Y TẾ {}", up(d)))
    } else if !p.is_empty() {
        (format!("UBND {}", up(p)), format!("SỞ Y TẾ {}", up(p)))
    } else {
        (
            String::new(),
            "ĐƠN VỊ: ..................................".into(),
        )
    }
}

/// The national heading of the list.
pub const NATION: [&str; 2] = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
];
/// The title of the list.
pub const TITLE: &str = "DANH SÁCH RÀ SOÁT, ĐIỀU CHỈNH THÔNG TIN TIÊM CHỦNG COVID-19";
/// Who signs below the list, left to right.
pub const SIGNERS: [&str; 3] = ["TỔ CÔNG TÁC THÔN/TỔ DÂN PHỐ", "TRẠM Y TẾ", "CÔNG AN"];
/// The columns (0-based) where the signature block's merged cells start: a reader skips a row
/// with nothing elsewhere.
pub const SIGNATURE_COLUMNS: [u16; 3] = [1, 5, 9];

/// The signers below the list: the hamlet team, the commune's station and police.
fn signers(meta: &ListMeta) -> [String; 3] {
    let c = meta.commune.trim();
    let unit = if c.is_empty() || meta.undetermined {
        "XÃ/PHƯỜNG".to_string()
    } else {
        c.to_uppercase()
    };
    [
        SIGNERS[0].to_string(),
        format!("{} {unit}", SIGNERS[1]),
        format!("{} {unit}", SIGNERS[2]),
    ]
}

/// The place of a list in words: "Xã A, Huyện B, Tỉnh C", with what the 2025 units add.
fn place_line(meta: &ListMeta) -> String {
    let place: Vec<&str> = [&meta.commune, &meta.district, &meta.province]
        .into_iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let mut place = if place.is_empty() {
        "Chưa rõ địa bàn".to_string()
    } else if meta.undetermined {
        format!("{} — cần xác định xã/phường mới", place.join(", "))
    } else if meta.commune.is_empty() {
        format!("{} — chưa rõ xã/phường", place.join(", "))
    } else {
        place.join(", ")
    };
    if !meta.former.is_empty() {
        place = format!("{place} (trước 2025: {})", meta.former);
    }
    place
}

/// Writes a list workbook with `rows` to `w`, in the order given (put them in hamlet order first,
/// [`group_by_hamlet`]): a sub-heading row starts each hamlet. Returns its table: per person
/// written, where it stands, its keys and its fingerprint, in sheet order.
pub fn write<W, I>(w: W, meta: &ListMeta, rows: I) -> Result<Vec<TableRow>, XlsxError>
where
    W: Write + Seek + Send,
    I: IntoIterator<Item = ListRow>,
{
    let rows: Vec<ListRow> = rows.into_iter().collect();
    let phone = shows_phone(&rows);
    let mut book = crate::output::new_workbook();
    // The workbook's own font is the list's: the column widths are counted in its digits, so a
    // program that lacks Calibri (LibreOffice without Carlito) still prints the widths set here.
    book.set_default_format(
        &Format::new()
            .set_font_name(FONT)
            .set_font_size(PRINT.font_size),
        20,
        64,
    )?;
    let f = Formats::new();
    book.add_worksheet_with_constant_memory()?
        .set_name(LIST_SHEET)?;
    book.add_worksheet_with_constant_memory()?
        .set_name(GUIDE_SHEET)?;
    book.add_worksheet_with_constant_memory()?
        .set_name(META_SHEET)?;

    let extra = meta.extra_columns();
    let last_col = HEADERS.len() as u16 + extra.len() as u16 - 1;
    list_header(book.worksheet_from_index(0)?, &f, meta, phone, last_col)?;
    meta_header(book.worksheet_from_index(2)?, meta)?;
    let mut n: u32 = 0;
    let mut r = HEADER_ROW;
    let mut table = Vec::new();
    let mut hamlet: Option<(bool, Vec<(String, u64)>)> = None;
    let address_col = extra
        .iter()
        .position(|(h, _)| *h == ADDRESS_FIX_HEADER)
        .map(|i| HEADERS.len() as u16 + i as u16);
    for row in rows {
        n += 1;
        r += 1;
        let ws = book.worksheet_from_index(0)?;
        let here = hamlet_of(&row.values.address);
        let order = hamlet_order(here.as_deref());
        if hamlet.as_ref() != Some(&order) {
            let heading = hamlet_heading(here.as_deref());
            ws.merge_range(r, 0, r, last_col, "", &f.hamlet)?;
            write_text(ws, r, 0, &heading, Some(&f.hamlet))?;
            ws.set_row_height(r, 20)?;
            hamlet = Some(order);
            r += 1;
        }
        // Cut to what a cell holds first, so the fingerprint covers what the sheet shows.
        let cells = row
            .locked_cells(n)
            .map(|c| super::excel_text(&c).into_owned());
        let print = fingerprint(&cells);
        let mut height = 2usize;
        for (c, text) in cells.iter().enumerate() {
            let col = c as u16;
            if c == 0 {
                ws.write_number_with_format(r, 0, f64::from(n), &f.center)?;
                continue;
            }
            write_text(ws, r, col, text, Some(&f.cell))?;
            if col != COL_PHONE || phone {
                height = height.max(lines(text, WIDTHS[c]));
            }
        }
        for (col, typed) in row.typed.cells() {
            let format = match col {
                COL_BIRTH_FIX => &f.fix_date,
                COL_ID_FIX | COL_PHONE_FIX => &f.fix_text,
                COL_GENDER_FIX | COL_STATUS => &f.fix_choice,
                _ => &f.fix_text,
            };
            if typed.is_empty() {
                ws.write_blank(r, col, format)?;
            } else {
                write_text(ws, r, col, typed, Some(&f.fix_text))?;
                height = height.max(lines(typed, WIDTHS[usize::from(col)]));
            }
        }
        if meta.with_reason {
            write_text(ws, r, HEADERS.len() as u16, &row.reason, Some(&f.cell))?;
            height = height.max(lines(&row.reason, REASON_WIDTH));
        }
        if let Some(col) = address_col {
            if row.address_fix.is_empty() {
                ws.write_blank(r, col, &f.fix_text)?;
            } else {
                write_text(ws, r, col, &row.address_fix, Some(&f.fix_text))?;
                height = height.max(lines(&row.address_fix, ADDRESS_FIX_WIDTH));
            }
        }
        ws.set_row_height(r, (height as f64 * 14.0 + 6.0).min(409.0))?;
        let meta_ws = book.worksheet_from_index(2)?;
        let mr = META_ROWS_BEFORE_TABLE + meta.sources.len() as u32 + n;
        meta_ws.write_number(mr, 0, f64::from(r + 1))?;
        meta_ws.write_number(mr, 1, f64::from(n))?;
        let keys = super::excel_text(&row.record_keys.join("\n")).into_owned();
        write_text(meta_ws, mr, 2, &keys, None)?;
        write_text(meta_ws, mr, 3, &print, None)?;
        table.push(TableRow {
            row: r + 1,
            keys,
            fingerprint: print,
        });
    }
    let ws = book.worksheet_from_index(0)?;
    list_footer(ws, &f, r, meta, last_col)?;
    guide(book.worksheet_from_index(1)?, &f)?;
    book.worksheet_from_index(2)?.set_hidden(true);
    book.worksheet_from_index(0)?.set_active(true);
    book.save_to_writer(w)?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_header_holds_in_excels_limit() {
        let fixed = "&L&\"Arial,Bold\"&11DANH SÁCH&R&\"Arial,Regular\"&10";
        let short = page_header(fixed, "Xã A & B");
        assert_eq!(short, format!("{fixed}Xã A && B"));
        let long = "Xã Tân Hòa, Xã Tân Phú & Xã Tân Mỹ (Huyện Ba Tri, Tỉnh Bến Tre); ".repeat(10);
        let h = page_header(fixed, &long);
        assert!(h.chars().count() <= 255, "{}", h.chars().count());
        assert!(h.ends_with('…') && h.starts_with(fixed));
        // No lone `&` left at the cut.
        let tail = h.trim_end_matches('…');
        assert!(!tail.ends_with('&') || tail.ends_with("&&"));
    }

    #[test]
    fn fingerprints_ignore_surrounding_spaces_only() {
        let a = fingerprint(&["1", "R1", "Lê Văn Á"]);
        assert_eq!(a, fingerprint(&["1 ", "R1", " Lê Văn Á"]));
        assert_ne!(a, fingerprint(&["1", "R1", "Lê Văn A"]));
        assert_ne!(a, fingerprint(&["1", "R1Lê Văn Á", ""]));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn named_values_land_in_their_columns() {
        let row = ListRow {
            record_keys: vec!["R1".into()],
            values: ListValues {
                shown: Shown::from_fn(|f| f.name().to_string()),
                address: "Xã A".into(),
            },
            typed: Typed {
                fixes: Shown::from_fn(|f| format!("{} fix", f.name())),
                status: "Đã sửa".into(),
                note: "note".into(),
            },
            ..ListRow::default()
        };
        let locked = row.locked_cells(1);
        let shown_columns = [
            COL_NAME,
            COL_BIRTH,
            COL_GENDER,
            COL_ID,
            COL_PHONE,
            COL_ADDRESS,
        ];
        for (col, value) in shown_columns.into_iter().zip(row.values.cells()) {
            assert_eq!(&locked[usize::from(col)], value);
        }
        assert_eq!(locked[usize::from(COL_ADDRESS)], "Xã A");
        let typed = row.typed.cells();
        let columns: Vec<u16> = typed.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            columns,
            (LOCKED_COLUMNS..HEADERS.len() as u16).collect::<Vec<_>>()
        );
        assert_eq!(
            typed[usize::from(COL_ID_FIX - LOCKED_COLUMNS)].1,
            "id_number fix"
        );
        assert_eq!(typed[usize::from(COL_STATUS - LOCKED_COLUMNS)].1, "Đã sửa");
        assert_eq!(typed[usize::from(COL_NOTE - LOCKED_COLUMNS)].1, "note");
        assert!(!row.typed.is_empty() && Typed::default().is_empty());
    }

    #[test]
    fn keys_show_the_first_and_how_many_more() {
        assert_eq!(shown_keys::<&str>(&[]), "");
        assert_eq!(shown_keys(&["R1"]), "R1");
        assert_eq!(shown_keys(&["R1", "R2", "R3"]), "R1 +2");
        assert_eq!(keys_in_cell("R1 +2"), ["R1"]);
        // Lists of older versions: every key, one per line.
        assert_eq!(keys_in_cell("R1\nR2\n"), ["R1", "R2"]);
        assert_eq!(keys_in_cell("a.csv:12"), ["a.csv:12"]);
    }

    #[test]
    fn hamlets_are_read_from_the_address_and_ordered() {
        assert_eq!(hamlet_of("Thôn 3, Xã Tân Mỹ").as_deref(), Some("Thôn 3"));
        assert_eq!(
            hamlet_of("12 Lê Lợi; Tổ  5, Phường 1").as_deref(),
            Some("Tổ 5")
        );
        assert_eq!(hamlet_of("Ấp Phú Hòa, Xã A").as_deref(), Some("Ấp Phú Hòa"));
        assert_eq!(
            hamlet_of("khu pho 4, Phuong 2").as_deref(),
            Some("khu pho 4")
        );
        // Streets that look like hamlet words without their accents are not hamlets.
        assert_eq!(hamlet_of("15 Tô Hiến Thành, Phường 13"), None);
        assert_eq!(hamlet_of("Láng Hạ, Đống Đa"), None);
        assert_eq!(hamlet_of(""), None);
        let mut names = vec![Some("Thôn 10"), None, Some("thôn 2"), Some("Ấp Bắc")];
        names.sort_by_key(|h| hamlet_order(*h));
        assert_eq!(
            names,
            [Some("Ấp Bắc"), Some("thôn 2"), Some("Thôn 10"), None]
        );
        assert_eq!(hamlet_order(Some("Thôn 2")), hamlet_order(Some("THÔN 2")));
    }

    #[test]
    fn the_issuing_unit_follows_what_is_known_of_the_place() {
        let meta = |p: &str, d: &str, c: &str| ListMeta {
            export_id: String::new(),
            created: String::new(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
            province: p.into(),
            district: d.into(),
            commune: c.into(),
            commune_code: String::new(),
            list: String::new(),
            division: crate::normalize::places::Division::D2020,
            undetermined: false,
            former: String::new(),
            sources: Vec::new(),
            with_reason: false,
        };
        let full = meta("Tỉnh Bến Tre", "Huyện Ba Tri", "Xã Tân Mỹ");
        assert_eq!(
            issuing_unit(&full),
            (
                "TRUNG TÂM Y TẾ HUYỆN BA TRI".to_string(),
                "TRẠM Y TẾ XÃ TÂN MỸ".to_string()
            )
        );
        assert!(!full.address_fix() && full.extra_columns().is_empty());
        let no_commune = meta("Tỉnh Bến Tre", "Huyện Ba Tri", "");
        assert_eq!(issuing_unit(&no_commune).1, "TRUNG TÂM Y TẾ HUYỆN BA TRI");
        assert_eq!(
            no_commune.extra_columns(),
            [(ADDRESS_FIX_HEADER, ADDRESS_FIX_WIDTH)]
        );
        assert_eq!(
            issuing_unit(&meta("Tỉnh Bến Tre", "", "")).1,
            "SỞ Y TẾ TỈNH BẾN TRE"
        );
        assert!(issuing_unit(&meta("", "", "")).1.starts_with("ĐƠN VỊ"));
        assert_eq!(
            signers(&full)[1..],
            ["TRẠM Y TẾ XÃ TÂN MỸ", "CÔNG AN XÃ TÂN MỸ"]
        );
    }

    #[test]
    fn wrapped_lines_are_counted() {
        assert_eq!(lines("", 10.0), 1);
        assert_eq!(lines("a\nb", 10.0), 2);
        assert_eq!(lines(&"x".repeat(30), 10.0), 3);
    }
}
