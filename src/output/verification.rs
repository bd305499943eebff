//! The two workbooks `apply-corrections` writes for the station (docs/apply-corrections.md):
//! `verification.xlsx` — one line per exported commune (returned or not: the ones to chase), the
//! people of its list answered per outcome, totals and a signature block, then each returned
//! person and where they stand — and `import/nhap-lai.xlsx` — the records that had no valid ID
//! number and have one now, to re-import on the platform, those still carrying other errors
//! flagged. Every cell is a value, never a formula; ID numbers are text; text that looks like a
//! formula carries the quote prefix ([`write_text`]). Both print on A4 landscape, one page wide,
//! the header repeated, pages numbered.

use std::io::{Seek, Write};

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::output::write_text;

/// One returned person in the verification list (`Chi tiết`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerificationRow {
    /// Province, district, commune of the list.
    pub unit: [String; 3],
    /// The returned workbook.
    pub workbook: String,
    /// Its sheet row.
    pub workbook_row: u32,
    /// The record keys.
    pub keys: String,
    /// Name: the corrected one for a person corrected, else as exported.
    pub name: String,
    /// Birth date, likewise.
    pub birth: String,
    /// ID number, likewise.
    pub id: String,
    /// The fields corrected, by their column names ("Số CMND/CCCD, Họ và tên"), for `Đã sửa`.
    pub corrected: String,
    /// Where the person stands (`Đã sửa`, `Thông tin đúng`, `Bị trả lại`…).
    pub result: &'static str,
    /// Why, for a row sent back.
    pub reason: String,
    /// What the team wrote in `Ghi chú`.
    pub note: String,
}

/// One exported commune (one list) in the summary sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommuneLine {
    /// Province, district, commune of the list (commune empty for a `_chua-ro-xa` list).
    pub unit: [String; 3],
    /// The day the list was exported.
    pub exported: Option<NaiveDate>,
    /// The day its first answers came back; `None` while it has not come back.
    pub returned: Option<NaiveDate>,
    /// The people on the list.
    pub listed: u64,
    /// The people answered, by [`RESULTS`], each person once.
    pub counts: [u64; RESULTS.len()],
}

impl CommuneLine {
    /// The people of the list with no result yet (the list, or their row, not back).
    pub fn unanswered(&self) -> u64 {
        self.listed.saturating_sub(self.counts.iter().sum())
    }

    /// Days since the export, for a list not back yet, on `as_of`.
    pub fn days_waiting(&self, as_of: NaiveDate) -> Option<i64> {
        match (self.returned, self.exported) {
            (None, Some(e)) => Some((as_of - e).num_days().max(0)),
            _ => None,
        }
    }
}

/// Everything verification.xlsx shows.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// The run's date (`--as-of`).
    pub as_of: NaiveDate,
    /// Whether the communes come from the exports the history records (`--history`): then the
    /// lists never returned are there too; without it only the lists returned are known.
    pub from_history: bool,
    /// One line per exported commune.
    pub communes: Vec<CommuneLine>,
    /// One row per returned person.
    pub rows: Vec<VerificationRow>,
}

/// The results in the order the summary sheet shows them.
pub const RESULTS: [&str; 8] = [
    "Đã sửa",
    "Thông tin đúng",
    "Bị trả lại",
    "Không xác định được",
    "Đã chuyển đi",
    "Đã mất",
    "Chưa xác minh",
    "Dòng bị xoá",
];

/// [`RESULTS`] as stable codes (what the history records per list row).
pub const RESULT_CODES: [&str; 8] = [
    "fixed",
    "confirmed",
    "sent_back",
    "unidentified",
    "moved",
    "deceased",
    "pending",
    "deleted",
];

/// The title of the summary sheet.
pub const TITLE: &str = "BẢNG TỔNG HỢP KẾT QUẢ XÁC MINH DANH SÁCH TIÊM CHỦNG COVID-19";

/// The row of the summary sheet's header (0-based): title, date line and note above it.
pub const SUMMARY_HEADER_ROW: u32 = 3;

/// The headers of the summary sheet.
pub fn summary_headers() -> Vec<&'static str> {
    let mut heads = vec![
        "STT",
        "Tỉnh/thành phố",
        "Quận/huyện",
        "Xã/phường",
        "Ngày xuất danh sách",
        "Ngày trả về",
        "Số ngày chờ",
        "Số người trong danh sách",
    ];
    heads.extend(RESULTS);
    heads.push("Chưa có kết quả");
    heads
}

/// The headers of the detail sheet.
pub const DETAIL_HEADERS: [&str; 13] = [
    "Tỉnh/thành phố",
    "Quận/huyện",
    "Xã/phường",
    "Tệp trả về",
    "Dòng",
    "Mã bản ghi",
    "Họ và tên",
    "Ngày sinh",
    "Số CMND/CCCD",
    "Kết quả",
    "Trường đã sửa",
    "Lý do",
    "Ghi chú",
];

fn head_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9E2F3)
}

/// Header cells at `row`, column widths, and the print layout: A4 landscape, one page wide, the
/// rows down to the header repeated on every page, pages numbered.
fn header(ws: &mut Worksheet, row: u32, headers: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    let bold = head_format();
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        write_text(ws, row, c as u16, h, Some(&bold))?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(row + 1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(row, row)?;
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_footer("&CTrang &P/&N");
    Ok(())
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Writes verification.xlsx: sheet `Tổng hợp` (one line per exported commune, totals, signature
/// block) and `Chi tiết` (one row per returned person).
pub fn write_verification<W: Write + Seek + Send>(w: W, v: &Verification) -> Result<(), XlsxError> {
    let mut book = crate::output::new_workbook();
    write_summary(book.add_worksheet(), v)?;
    write_detail(book.add_worksheet_with_constant_memory()?, &v.rows)?;
    book.save_to_writer(w)
}

fn write_summary(ws: &mut Worksheet, v: &Verification) -> Result<(), XlsxError> {
    ws.set_name("Tổng hợp")?;
    let heads = summary_headers();
    let last = heads.len() as u16 - 1;
    let mut widths = vec![4.5, 16.0, 17.0, 17.0, 10.5, 10.5, 6.5, 8.5];
    widths.extend([8.0; RESULTS.len() + 1]);
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let italic = Format::new().set_italic().set_align(FormatAlign::Center);
    ws.merge_range(0, 0, 0, last, TITLE, &title)?;
    ws.set_row_height(0, 24)?;
    let returned = v.communes.iter().filter(|c| c.returned.is_some()).count();
    let dated = format!(
        "Tính đến ngày {}: {} xã/phường đã xuất danh sách, {} đã trả về, {} chưa trả về",
        dmy(v.as_of),
        v.communes.len(),
        returned,
        v.communes.len() - returned
    );
    ws.merge_range(1, 0, 1, last, &dated, &italic)?;
    if !v.from_history {
        let note = Format::new()
            .set_italic()
            .set_font_color(0xC00000)
            .set_align(FormatAlign::Center);
        ws.merge_range(
            2,
            0,
            2,
            last,
            "Chạy không có --history: chỉ có các xã/phường đã trả danh sách về; chưa biết xã/phường nào chưa trả về.",
            &note,
        )?;
    }
    let top = SUMMARY_HEADER_ROW;
    header(ws, top, &heads, &widths)?;
    ws.set_row_height(top, 45)?;

    let cell = Format::new().set_border(FormatBorder::Thin);
    let num = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    let stt = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let late = Format::new()
        .set_border(FormatBorder::Thin)
        .set_bold()
        .set_font_color(0xC00000);
    for (i, c) in v.communes.iter().enumerate() {
        let r = top + 1 + i as u32;
        ws.write_number_with_format(r, 0, (i + 1) as f64, &stt)?;
        for (k, part) in c.unit.iter().enumerate() {
            let shown = if k == 2 && part.is_empty() {
                "(chưa rõ xã)"
            } else {
                part.as_str()
            };
            write_text(ws, r, 1 + k as u16, shown, Some(&cell))?;
        }
        let exported = c.exported.map(dmy).unwrap_or_default();
        write_text(ws, r, 4, &exported, Some(&cell))?;
        match c.returned {
            Some(d) => write_text(ws, r, 5, &dmy(d), Some(&cell))?,
            None => write_text(ws, r, 5, "Chưa trả về", Some(&late))?,
        };
        match c.days_waiting(v.as_of) {
            Some(n) => ws.write_number_with_format(r, 6, n as f64, &late)?,
            None => ws.write_blank(r, 6, &num)?,
        };
        ws.write_number_with_format(r, 7, c.listed as f64, &num)?;
        for (k, n) in c.counts.iter().enumerate() {
            ws.write_number_with_format(r, 8 + k as u16, *n as f64, &num)?;
        }
        ws.write_number_with_format(r, last, c.unanswered() as f64, &num)?;
    }
    // Totals.
    let total_row = top + 1 + v.communes.len() as u32;
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0")
        .set_background_color(0xF2F2F2);
    ws.merge_range(total_row, 0, total_row, 6, "Tổng cộng", &bold)?;
    let listed: u64 = v.communes.iter().map(|c| c.listed).sum();
    ws.write_number_with_format(total_row, 7, listed as f64, &bold)?;
    for k in 0..RESULTS.len() {
        let n: u64 = v.communes.iter().map(|c| c.counts[k]).sum();
        ws.write_number_with_format(total_row, 8 + k as u16, n as f64, &bold)?;
    }
    let open: u64 = v.communes.iter().map(CommuneLine::unanswered).sum();
    ws.write_number_with_format(total_row, last, open as f64, &bold)?;
    if !v.communes.is_empty() {
        ws.autofilter(top, 0, total_row - 1, last)?;
    }
    signature(ws, total_row + 2, last, v.as_of)?;
    Ok(())
}

/// The signature block under the totals: who drew the table up, and the head of the unit.
fn signature(ws: &mut Worksheet, row: u32, last: u16, as_of: NaiveDate) -> Result<(), XlsxError> {
    let center = Format::new().set_align(FormatAlign::Center);
    let bold = center.clone().set_bold();
    let italic = center.clone().set_italic();
    let day = format!(
        "……………, ngày {} tháng {} năm {}",
        as_of.format("%d"),
        as_of.format("%m"),
        as_of.format("%Y")
    );
    let right = last.saturating_sub(6);
    ws.merge_range(row, right, row, last, &day, &italic)?;
    ws.merge_range(row + 1, 1, row + 1, 5, "NGƯỜI LẬP BIỂU", &bold)?;
    ws.merge_range(row + 1, right, row + 1, last, "THỦ TRƯỞNG ĐƠN VỊ", &bold)?;
    ws.merge_range(row + 2, 1, row + 2, 5, "(Ký, ghi rõ họ tên)", &italic)?;
    ws.merge_range(
        row + 2,
        right,
        row + 2,
        last,
        "(Ký, ghi rõ họ tên, đóng dấu)",
        &italic,
    )?;
    Ok(())
}

/// The lines a text takes in a wrapped cell `width` characters wide.
fn lines(text: &str, width: f64) -> usize {
    let per_line = (width as usize).saturating_sub(1).max(1);
    text.lines()
        .map(|l| l.chars().count().div_ceil(per_line).max(1))
        .sum::<usize>()
        .max(1)
}

fn write_detail(ws: &mut Worksheet, rows: &[VerificationRow]) -> Result<(), XlsxError> {
    ws.set_name("Chi tiết")?;
    let widths = [
        14.0, 15.0, 16.0, 22.0, 6.0, 14.0, 22.0, 11.0, 15.0, 14.0, 16.0, 30.0, 30.0,
    ];
    header(ws, 0, &DETAIL_HEADERS, &widths)?;
    ws.set_row_height(0, 30)?;
    let top = Format::new().set_align(FormatAlign::Top);
    let wrap = top.clone().set_text_wrap();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        // Rows are not measured by the spreadsheet: as tall as their longest wrapped cell.
        let tall = [
            (&r.workbook, 3),
            (&r.keys, 5),
            (&r.corrected, 10),
            (&r.reason, 11),
            (&r.note, 12),
        ]
        .iter()
        .map(|(t, c)| lines(t, widths[*c]))
        .max()
        .unwrap_or(1);
        if tall > 1 {
            ws.set_row_height(row, 15.0 * tall as f64)?;
        }
        for (c, part) in r.unit.iter().enumerate() {
            write_text(ws, row, c as u16, part, Some(&top))?;
        }
        write_text(ws, row, 3, &r.workbook, Some(&wrap))?;
        ws.write_number_with_format(row, 4, f64::from(r.workbook_row), &top)?;
        write_text(ws, row, 5, &r.keys, Some(&wrap))?;
        write_text(ws, row, 6, &r.name, Some(&top))?;
        write_text(ws, row, 7, &r.birth, Some(&top))?;
        write_text(ws, row, 8, &r.id, Some(&top))?;
        write_text(ws, row, 9, r.result, Some(&top))?;
        write_text(ws, row, 10, &r.corrected, Some(&wrap))?;
        write_text(ws, row, 11, &r.reason, Some(&wrap))?;
        write_text(ws, row, 12, &r.note, Some(&wrap))?;
    }
    ws.autofilter(
        0,
        0,
        rows.len().max(1) as u32,
        DETAIL_HEADERS.len() as u16 - 1,
    )?;
    Ok(())
}

/// The columns of the import file.
pub const IMPORT_HEADERS: [&str; 16] = [
    "Mã bản ghi",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CMND/CCCD",
    "Số điện thoại",
    "Số thẻ BHYT",
    "Tỉnh/Thành phố",
    "Quận/Huyện",
    "Xã/Phường",
    "Địa chỉ",
    "Mũi tiêm",
    "Ngày tiêm",
    "Vắc xin",
    "Số lô",
    "Cơ sở tiêm chủng",
];

/// The column of the import file that flags a record still carrying errors (after the 16 fields).
pub const IMPORT_FLAG_HEADER: &str = "Lỗi còn lại (sửa trước khi nhập)";

/// One record of the import file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    /// The 16 fields of [`IMPORT_HEADERS`], as text.
    pub cells: [String; 16],
    /// The errors the rules still find on the record, in plain Vietnamese, one per line; empty
    /// when it is clean.
    pub remaining: String,
}

/// Writes the import file: one row per record, every cell text, and a last column naming the
/// errors a record still carries (such rows shaded, so that they are not imported unseen).
pub fn write_import<W: Write + Seek + Send>(w: W, rows: &[ImportRow]) -> Result<(), XlsxError> {
    let mut book = crate::output::new_workbook();
    let ws = book.add_worksheet_with_constant_memory()?;
    ws.set_name("Nhập lại")?;
    let mut heads = IMPORT_HEADERS.to_vec();
    heads.push(IMPORT_FLAG_HEADER);
    header(
        ws,
        0,
        &heads,
        &[
            14.0, 22.0, 11.0, 8.0, 15.0, 13.0, 16.0, 16.0, 16.0, 16.0, 20.0, 8.0, 11.0, 16.0, 12.0,
            22.0, 40.0,
        ],
    )?;
    let text = Format::new().set_num_format_index(49);
    let flagged = text.clone().set_background_color(0xFFF2CC);
    let flag = Format::new()
        .set_text_wrap()
        .set_font_color(0xC00000)
        .set_background_color(0xFFF2CC);
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let bad = !r.remaining.is_empty();
        let fmt = if bad { &flagged } else { &text };
        for (c, v) in r.cells.iter().enumerate() {
            if !v.is_empty() {
                write_text(ws, row, c as u16, v, Some(fmt))?;
            } else if bad {
                ws.write_blank(row, c as u16, fmt)?;
            }
        }
        if bad {
            write_text(ws, row, 16, &r.remaining, Some(&flag))?;
        }
    }
    book.save_to_writer(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    /// A written workbook's sheet as text, row by row (numbers without `.0`).
    fn read_back(bytes: Vec<u8>, sheet: &str) -> Vec<Vec<String>> {
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook");
        let range = book.worksheet_range(sheet).expect("the sheet");
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Float(f) => format!("{f}"),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    fn written(v: &Verification) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        write_verification(&mut buf, v).expect("written");
        buf.into_inner()
    }

    fn line(commune: &str, returned: Option<NaiveDate>, counts: [u64; 8]) -> CommuneLine {
        CommuneLine {
            unit: ["Tỉnh T".into(), "Huyện H".into(), commune.into()],
            exported: Some(day(20)),
            returned,
            listed: 10,
            counts,
        }
    }

    #[test]
    fn the_summary_names_each_commune_with_totals_and_signatures() {
        let v = Verification {
            as_of: day(26),
            from_history: true,
            communes: vec![
                line("Xã B", None, [0; 8]),
                line("Xã A", Some(day(24)), [3, 4, 1, 0, 1, 0, 0, 0]),
                line("", Some(day(25)), [0, 10, 0, 0, 0, 0, 0, 0]),
            ],
            rows: Vec::new(),
        };
        let cells = read_back(written(&v), "Tổng hợp");
        assert_eq!(cells[0][0], TITLE);
        assert_eq!(
            cells[1][0],
            "Tính đến ngày 26/11/2026: 3 xã/phường đã xuất danh sách, 2 đã trả về, 1 chưa trả về"
        );
        assert_eq!(cells[2][0], "", "no warning with --history");
        let top = SUMMARY_HEADER_ROW as usize;
        assert_eq!(cells[top], summary_headers());
        let tail = |r: &[String]| r[3..].to_vec();
        assert_eq!(
            tail(&cells[top + 1]),
            [
                "Xã B",
                "20/11/2026",
                "Chưa trả về",
                "6",
                "10",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "10"
            ]
        );
        assert_eq!(
            tail(&cells[top + 2]),
            [
                "Xã A",
                "20/11/2026",
                "24/11/2026",
                "",
                "10",
                "3",
                "4",
                "1",
                "0",
                "1",
                "0",
                "0",
                "0",
                "1"
            ]
        );
        assert_eq!(cells[top + 3][3], "(chưa rõ xã)");
        let total = &cells[top + 4];
        assert_eq!(total[0], "Tổng cộng");
        assert_eq!(
            total[7..],
            ["30", "3", "14", "1", "0", "1", "0", "0", "0", "11"]
        );
        let flat: Vec<&String> = cells.iter().flatten().collect();
        for s in [
            "NGƯỜI LẬP BIỂU",
            "THỦ TRƯỞNG ĐƠN VỊ",
            "……………, ngày 26 tháng 11 năm 2026",
        ] {
            assert!(flat.iter().any(|c| *c == s), "{s}");
        }
    }

    #[test]
    fn without_history_the_summary_says_what_is_not_known() {
        let v = Verification {
            as_of: day(26),
            from_history: false,
            communes: vec![line("Xã A", Some(day(26)), [10, 0, 0, 0, 0, 0, 0, 0])],
            rows: vec![VerificationRow {
                unit: ["Tỉnh T".into(), "Huyện H".into(), "Xã A".into()],
                workbook: "a.xlsx".into(),
                workbook_row: 2,
                keys: "R1\nR2".into(),
                name: "Lê Văn Ân".into(),
                birth: "05/03/1985".into(),
                id: "001085012345".into(),
                corrected: "Họ và tên".into(),
                result: "Đã sửa",
                reason: String::new(),
                note: "=đã gặp".into(),
            }],
        };
        let bytes = written(&v);
        let cells = read_back(bytes.clone(), "Tổng hợp");
        assert!(cells[2][0].contains("--history"), "{:?}", cells[2]);
        let detail = read_back(bytes, "Chi tiết");
        assert_eq!(detail[0], DETAIL_HEADERS);
        assert_eq!(
            detail[1],
            [
                "Tỉnh T",
                "Huyện H",
                "Xã A",
                "a.xlsx",
                "2",
                "R1\nR2",
                "Lê Văn Ân",
                "05/03/1985",
                "001085012345",
                "Đã sửa",
                "Họ và tên",
                "",
                "=đã gặp"
            ]
        );
    }

    #[test]
    fn the_import_file_flags_records_still_wrong() {
        let row = |id: &str, remaining: &str| ImportRow {
            cells: std::array::from_fn(|i| match i {
                0 => id.to_string(),
                4 => "025431876".to_string(),
                _ => String::new(),
            }),
            remaining: remaining.to_string(),
        };
        let mut buf = std::io::Cursor::new(Vec::new());
        write_import(
            &mut buf,
            &[row("R1", ""), row("R2", "ngày sinh không hợp lệ")],
        )
        .expect("written");
        let cells = read_back(buf.into_inner(), "Nhập lại");
        assert_eq!(cells[0].len(), 17);
        assert_eq!(cells[0][16], IMPORT_FLAG_HEADER);
        assert_eq!(cells[1][4], "025431876", "text, the zero kept");
        assert_eq!(cells[1][16], "");
        assert_eq!(cells[2][16], "ngày sinh không hợp lệ");
    }
}
