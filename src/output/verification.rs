//! The two workbooks `apply-corrections` writes for the station (docs/apply-corrections.md):
//! `verification.xlsx` — per commune, each listed person and where they stand — and
//! `import/nhap-lai.xlsx` — the records that had no valid ID number and have one now, to re-import
//! on the platform. Every cell is a value, never a formula; ID numbers are text; text that looks
//! like a formula carries the quote prefix ([`write_text`]).

use std::collections::BTreeMap;
use std::io::{Seek, Write};

use rust_xlsxwriter::{Format, FormatBorder, Worksheet, XlsxError};

use crate::output::write_text;

/// One listed person in the verification list.
#[derive(Debug, Clone, Default)]
pub struct VerificationRow {
    /// Province, district, commune of the list.
    pub unit: [String; 3],
    /// The returned workbook.
    pub workbook: String,
    /// Its sheet row.
    pub workbook_row: u32,
    /// The record keys.
    pub keys: String,
    /// Name as exported.
    pub name: String,
    /// Birth date as exported.
    pub birth: String,
    /// ID number as exported.
    pub id: String,
    /// Where the person stands (`Đã sửa`, `Thông tin đúng`, `Bị trả lại`…).
    pub result: &'static str,
    /// Why, for a row sent back.
    pub reason: String,
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

fn header(ws: &mut Worksheet, headers: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9E2F3);
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        write_text(ws, 0, c as u16, h, Some(&bold))?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Printing: landscape A4, one page wide, the header on every page.
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_footer("&CTrang &P/&N");
    Ok(())
}

/// Writes verification.xlsx: sheet `Tổng hợp` (counts per commune) and `Chi tiết` (one row per
/// listed person).
pub fn write_verification<W: Write + Seek + Send>(
    w: W,
    rows: &[VerificationRow],
) -> Result<(), XlsxError> {
    let mut book = crate::output::new_workbook();
    let mut per_unit: BTreeMap<&[String; 3], [u64; RESULTS.len()]> = BTreeMap::new();
    for r in rows {
        let counts = per_unit.entry(&r.unit).or_default();
        if let Some(i) = RESULTS.iter().position(|x| *x == r.result) {
            counts[i] += 1;
        }
    }
    let summary = book.add_worksheet();
    summary.set_name("Tổng hợp")?;
    let mut heads = vec!["Tỉnh/thành phố", "Quận/huyện", "Xã/phường", "Số người"];
    heads.extend(RESULTS);
    let widths: Vec<f64> = heads
        .iter()
        .map(|h| if h.len() > 12 { 18.0 } else { 12.0 })
        .collect();
    header(summary, &heads, &widths)?;
    for (i, (unit, counts)) in per_unit.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, part) in unit.iter().enumerate() {
            write_text(summary, r, c as u16, part, None)?;
        }
        summary.write_number(r, 3, counts.iter().sum::<u64>() as f64)?;
        for (c, n) in counts.iter().enumerate() {
            summary.write_number(r, 4 + c as u16, *n as f64)?;
        }
    }
    summary.autofilter(0, 0, per_unit.len().max(1) as u32, heads.len() as u16 - 1)?;

    let detail = book.add_worksheet_with_constant_memory()?;
    detail.set_name("Chi tiết")?;
    let heads = [
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
        "Lý do",
    ];
    header(
        detail,
        &heads,
        &[
            16.0, 16.0, 16.0, 30.0, 6.0, 26.0, 22.0, 11.0, 15.0, 16.0, 40.0,
        ],
    )?;
    let wrap = Format::new().set_text_wrap();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, part) in r.unit.iter().enumerate() {
            write_text(detail, row, c as u16, part, None)?;
        }
        write_text(detail, row, 3, &r.workbook, None)?;
        detail.write_number(row, 4, f64::from(r.workbook_row))?;
        write_text(detail, row, 5, &r.keys, None)?;
        write_text(detail, row, 6, &r.name, None)?;
        write_text(detail, row, 7, &r.birth, None)?;
        write_text(detail, row, 8, &r.id, None)?;
        write_text(detail, row, 9, r.result, None)?;
        write_text(detail, row, 10, &r.reason, Some(&wrap))?;
    }
    detail.autofilter(0, 0, rows.len().max(1) as u32, heads.len() as u16 - 1)?;
    book.save_to_writer(w)
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

/// Writes the import file: one row per record, every cell text.
pub fn write_import<W: Write + Seek + Send>(w: W, rows: &[[String; 16]]) -> Result<(), XlsxError> {
    let mut book = crate::output::new_workbook();
    let ws = book.add_worksheet_with_constant_memory()?;
    ws.set_name("Nhập lại")?;
    header(
        ws,
        &IMPORT_HEADERS,
        &[
            14.0, 22.0, 11.0, 8.0, 15.0, 13.0, 16.0, 16.0, 16.0, 16.0, 20.0, 8.0, 11.0, 16.0, 12.0,
            22.0,
        ],
    )?;
    let text = Format::new().set_num_format_index(49);
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            if !v.is_empty() {
                write_text(ws, i as u32 + 1, c as u16, v, Some(&text))?;
            }
        }
    }
    book.save_to_writer(w)
}
