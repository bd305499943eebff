//! `report.xlsx`: sheet `Tổng hợp` (province → district → commune, with totals), `Biểu đồ` (a bar
//! chart of people with errors per unit), and with a history `Xu hướng` (a line chart across runs)
//! and `Quá hạn` (units whose oldest open error is older than the deadline). Each sheet opens with
//! the report's title and the date of its figures above the table ([`HEADER_ROW`]), prints on
//! landscape A4 one page wide with the table's header on every page and the page number in the
//! footer. Frozen headers, filters, readable widths; values only, never formulas; text that looks
//! like a formula carries the quote prefix ([`write_text`]).

use std::io::{Seek, Write};

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{FAMILIES, ReportData};
use crate::i18n::Lang;
use crate::output::write_text;

/// The row of each sheet's table header (0-based): the title and the date are above it.
pub const HEADER_ROW: u32 = 3;

/// The report's title, on every sheet and in every page header.
pub const TITLE: &str = "BÁO CÁO LÀM SẠCH DỮ LIỆU TIÊM CHỦNG COVID-19";

/// The line under the title: the date of the figures (the latest run's `--as-of`).
pub fn date_line(as_of: Option<NaiveDate>, from_history: bool) -> String {
    match as_of {
        Some(d) if from_history => format!(
            "Số liệu ngày {} (lần quét cuối của lịch sử) · vaxclean {}",
            d.format("%d/%m/%Y"),
            env!("CARGO_PKG_VERSION")
        ),
        Some(d) => format!(
            "Số liệu ngày {} · vaxclean {}",
            d.format("%d/%m/%Y"),
            env!("CARGO_PKG_VERSION")
        ),
        None => format!("Chưa có số liệu · vaxclean {}", env!("CARGO_PKG_VERSION")),
    }
}

/// A new sheet named `name`, with its title block, its table header and its print settings;
/// `what` names the sheet's table under the title.
fn sheet<'b>(
    book: &'b mut Workbook,
    name: &str,
    data: &ReportData,
    what: &str,
    heads: &[&str],
    widths: &[f64],
) -> Result<&'b mut Worksheet, XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    let title = Format::new().set_bold().set_font_size(14);
    let sub = Format::new().set_italic().set_font_color(0x404040);
    write_text(ws, 0, 0, &format!("{TITLE} — {what}"), Some(&title))?;
    write_text(
        ws,
        1,
        0,
        &date_line(data.as_of, data.from_history),
        Some(&sub),
    )?;
    ws.set_row_height(0, 21)?;
    let f = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9E2F3);
    for (c, (h, w)) in heads.iter().zip(widths).enumerate() {
        write_text(ws, HEADER_ROW, c as u16, h, Some(&f))?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_row_height(HEADER_ROW, 45)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.4, 0.4, 0.7, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    let day = data.as_of.map_or_else(String::new, |d| {
        format!("Số liệu ngày {}", d.format("%d/%m/%Y"))
    });
    ws.set_header(format!("&L&8{TITLE}&R&8{day}"));
    ws.set_footer("&L&8vaxclean — chỉ số liệu tổng hợp, không có thông tin cá nhân&R&9Trang &P/&N");
    Ok(ws)
}

/// The headers of sheet `Tổng hợp`.
pub const SUMMARY_HEADERS: [&str; 11] = [
    "Tỉnh/thành phố",
    "Quận/huyện",
    "Xã/phường",
    "Số dòng",
    "Số người",
    "Người có lỗi",
    "Tỷ lệ sạch",
    FAMILIES[0],
    FAMILIES[1],
    FAMILIES[2],
    FAMILIES[3],
];

/// The notes under the summary table: what the group of unrecognised communes is, how people
/// are counted.
pub const SUMMARY_NOTES: [&str; 2] = [
    "Xã chưa xác định: các tên xã/phường không có trong danh mục hành chính (viết sai, bỏ trống), gộp một dòng cho mỗi huyện (cho mỗi tỉnh khi huyện cũng không xác định); trong ngoặc là số tên khác nhau.",
    "Một người có dòng ở hai địa bàn được tính ở mỗi địa bàn; mọi con số của báo cáo (tổng, từng cấp, xu hướng) đều cộng từ các địa bàn.",
];

/// The headers of sheet `Quá hạn`.
pub const OVERDUE_HEADERS: [&str; 7] = [
    "Tỉnh/thành phố",
    "Quận/huyện",
    "Xã/phường",
    "Số người",
    "Lỗi còn mở",
    "Lỗi cũ nhất từ ngày",
    "Số ngày chờ",
];

/// Writes report.xlsx.
pub fn write<W: Write + Seek + Send>(w: W, data: &ReportData) -> Result<(), XlsxError> {
    let mut book = crate::output::new_workbook();
    let count = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    let bold = Format::new().set_bold();
    let bold_count = count.clone().set_bold();
    let bold_pct = pct.clone().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");

    let ws = sheet(
        &mut book,
        "Tổng hợp",
        data,
        "Tổng hợp theo địa bàn",
        &SUMMARY_HEADERS,
        &[
            22.0, 22.0, 24.0, 11.0, 11.0, 11.0, 9.0, 12.0, 12.0, 13.0, 10.0,
        ],
    )?;
    let mut lines = vec![(0u8, {
        let mut t = data.totals();
        t.unit = crate::pipeline::UnitKey::new("Toàn bộ", "", "");
        t
    })];
    lines.extend(data.tree().into_iter().map(|(l, u)| (l + 1, u)));
    for (i, (level, u)) in lines.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        let strong = *level <= 2;
        let (tf, cf, pf) = if strong {
            (&bold, &bold_count, &bold_pct)
        } else {
            (&Format::new(), &count, &pct)
        };
        write_text(ws, r, 0, &u.unit.province, Some(tf))?;
        write_text(ws, r, 1, &u.unit.district, Some(tf))?;
        write_text(ws, r, 2, &u.commune_name(Lang::Vi), Some(tf))?;
        ws.write_number_with_format(r, 3, u.rows as f64, cf)?;
        ws.write_number_with_format(r, 4, u.people as f64, cf)?;
        ws.write_number_with_format(r, 5, u.people_with_errors as f64, cf)?;
        ws.write_number_with_format(r, 6, u.share_clean(), pf)?;
        for (k, n) in u.families.iter().enumerate() {
            ws.write_number_with_format(r, 7 + k as u16, *n as f64, cf)?;
        }
    }
    let end = HEADER_ROW + lines.len() as u32;
    ws.autofilter(HEADER_ROW, 0, end, SUMMARY_HEADERS.len() as u16 - 1)?;
    let note = Format::new().set_italic().set_font_color(0x404040);
    for (i, text) in SUMMARY_NOTES.iter().enumerate() {
        write_text(ws, end + 2 + i as u32, 0, text, Some(&note))?;
    }

    let ws = sheet(
        &mut book,
        "Biểu đồ",
        data,
        "Người có lỗi theo địa bàn",
        &["Địa bàn", "Người có lỗi"],
        &[40.0, 14.0],
    )?;
    let units = data.chart_units(Lang::Vi);
    let first = HEADER_ROW + 1;
    for (i, (name, n)) in units.iter().enumerate() {
        write_text(ws, first + i as u32, 0, name, None)?;
        ws.write_number_with_format(first + i as u32, 1, *n as f64, &count)?;
    }
    let mut chart = Chart::new(ChartType::Bar);
    let last = HEADER_ROW + units.len().max(1) as u32;
    chart
        .add_series()
        .set_name("Người có lỗi")
        .set_categories(("Biểu đồ", first, 0, last, 0))
        .set_values(("Biểu đồ", first, 1, last, 1));
    chart.title().set_name("Người có lỗi theo địa bàn");
    chart.legend().set_hidden();
    chart.y_axis().set_reverse();
    chart
        .set_width(720)
        .set_height(u32::max(320, 24 * units.len() as u32 + 80));
    ws.insert_chart(first, 3, &chart)?;

    if data.from_history {
        let ws = sheet(
            &mut book,
            "Xu hướng",
            data,
            "Xu hướng qua các lần quét",
            &[
                "Ngày",
                "Số dòng",
                "Người có lỗi",
                "Phát hiện",
                "Mới",
                "Đã được sửa",
                "Còn tồn đọng",
            ],
            &[12.0, 12.0, 12.0, 12.0, 10.0, 12.0, 12.0],
        )?;
        let first = HEADER_ROW + 1;
        for (i, run) in data.trend.iter().enumerate() {
            let r = first + i as u32;
            // Text, so that charts show the dates as categories, not serial numbers.
            write_text(ws, r, 0, &run.as_of.format("%d/%m/%Y").to_string(), None)?;
            for (c, v) in [
                run.rows,
                run.people_with_errors,
                run.findings,
                run.new,
                run.fixed,
                run.open,
            ]
            .iter()
            .enumerate()
            {
                ws.write_number_with_format(r, c as u16 + 1, *v as f64, &count)?;
            }
        }
        let last = HEADER_ROW + data.trend.len().max(1) as u32;
        let mut chart = Chart::new(ChartType::Line);
        for (col, name) in [(6u16, "Còn tồn đọng"), (2, "Người có lỗi")] {
            chart
                .add_series()
                .set_name(name)
                .set_categories(("Xu hướng", first, 0, last, 0))
                .set_values(("Xu hướng", first, col, last, col));
        }
        chart.title().set_name("Xu hướng qua các lần quét");
        chart.set_width(720).set_height(360);
        ws.insert_chart(first, 8, &chart)?;

        let what = format!("Địa bàn có lỗi chờ quá {} ngày", data.sla_days);
        let ws = sheet(
            &mut book,
            "Quá hạn",
            data,
            &what,
            &OVERDUE_HEADERS,
            &[22.0, 22.0, 26.0, 11.0, 11.0, 14.0, 11.0],
        )?;
        let first = HEADER_ROW + 1;
        for (i, o) in data.overdue.iter().enumerate() {
            let r = first + i as u32;
            write_text(ws, r, 0, &o.unit.province, None)?;
            write_text(ws, r, 1, &o.unit.district, None)?;
            let commune = if o.group {
                super::group_name(o.names, Lang::Vi)
            } else {
                o.unit.commune.clone()
            };
            write_text(ws, r, 2, &commune, None)?;
            ws.write_number_with_format(r, 3, o.people as f64, &count)?;
            ws.write_number_with_format(r, 4, o.open_errors as f64, &count)?;
            let d = rust_xlsxwriter::ExcelDateTime::parse_from_str(
                &o.oldest.format("%Y-%m-%d").to_string(),
            )?;
            ws.write_datetime_with_format(r, 5, &d, &date)?;
            ws.write_number(r, 6, o.days as f64)?;
        }
        ws.autofilter(
            HEADER_ROW,
            0,
            HEADER_ROW + data.overdue.len().max(1) as u32,
            OVERDUE_HEADERS.len() as u16 - 1,
        )?;
    }
    book.save_to_writer(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::report::UnitLine;
    use crate::pipeline::UnitKey;
    use calamine::{Data, Reader};

    #[test]
    fn a_name_that_looks_like_a_formula_stays_text() -> Result<(), Box<dyn std::error::Error>> {
        // Names come from the gazetteer; should one ever look like a formula, it is still text.
        let data = ReportData {
            units: vec![UnitLine {
                unit: UnitKey::new("=1+1", "@SUM(A1)", "+1"),
                names: 1,
                people: 3,
                ..UnitLine::default()
            }],
            ..ReportData::default()
        };
        let mut buf = std::io::Cursor::new(Vec::new());
        write(&mut buf, &data)?;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(buf.into_inner()))?;
        let formulas = book.worksheet_formula("Tổng hợp")?;
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
        let range = book.worksheet_range("Tổng hợp")?;
        let cells: Vec<&Data> = range.used_cells().map(|(_, _, c)| c).collect();
        for text in ["=1+1", "@SUM(A1)", "+1"] {
            assert!(cells.contains(&&Data::String(text.into())), "{text}");
        }
        Ok(())
    }
}
