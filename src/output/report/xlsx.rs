//! `report.xlsx`: sheet `Tổng hợp` (province → district → commune, with totals), `Biểu đồ` (a bar
//! chart of people with errors per unit), and with a history `Xu hướng` (a line chart across runs)
//! and `Quá hạn` (units whose oldest open error is older than the deadline). Frozen headers,
//! filters, readable widths; values only, never formulas; text that looks like a formula carries
//! the quote prefix ([`write_text`]).

use std::io::{Seek, Write};

use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use super::{FAMILIES, ReportData};
use crate::output::write_text;

fn header(ws: &mut Worksheet, heads: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    let f = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9E2F3);
    for (c, (h, w)) in heads.iter().zip(widths).enumerate() {
        write_text(ws, 0, c as u16, h, Some(&f))?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_row_height(0, 45)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
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

/// Writes report.xlsx.
pub fn write<W: Write + Seek + Send>(w: W, data: &ReportData) -> Result<(), XlsxError> {
    let mut book = crate::output::new_workbook();
    let count = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    let bold = Format::new().set_bold();
    let bold_count = count.clone().set_bold();
    let bold_pct = pct.clone().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");

    let ws = book.add_worksheet();
    ws.set_name("Tổng hợp")?;
    header(
        ws,
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
        let r = i as u32 + 1;
        let strong = *level <= 2;
        let (tf, cf, pf) = if strong {
            (&bold, &bold_count, &bold_pct)
        } else {
            (&Format::new(), &count, &pct)
        };
        write_text(ws, r, 0, &u.unit.province, Some(tf))?;
        write_text(ws, r, 1, &u.unit.district, Some(tf))?;
        write_text(ws, r, 2, &u.unit.commune, Some(tf))?;
        ws.write_number_with_format(r, 3, u.rows as f64, cf)?;
        ws.write_number_with_format(r, 4, u.people as f64, cf)?;
        ws.write_number_with_format(r, 5, u.people_with_errors as f64, cf)?;
        ws.write_number_with_format(r, 6, u.share_clean(), pf)?;
        for (k, n) in u.families.iter().enumerate() {
            ws.write_number_with_format(r, 7 + k as u16, *n as f64, cf)?;
        }
    }
    ws.autofilter(0, 0, lines.len() as u32, SUMMARY_HEADERS.len() as u16 - 1)?;

    let ws = book.add_worksheet();
    ws.set_name("Biểu đồ")?;
    header(ws, &["Địa bàn", "Người có lỗi"], &[30.0, 14.0])?;
    let units = data.chart_units();
    for (i, (name, n)) in units.iter().enumerate() {
        write_text(ws, i as u32 + 1, 0, name, None)?;
        ws.write_number_with_format(i as u32 + 1, 1, *n as f64, &count)?;
    }
    let mut chart = Chart::new(ChartType::Bar);
    let last = units.len().max(1) as u32;
    chart
        .add_series()
        .set_name("Người có lỗi")
        .set_categories(("Biểu đồ", 1, 0, last, 0))
        .set_values(("Biểu đồ", 1, 1, last, 1));
    chart.title().set_name("Người có lỗi theo địa bàn");
    chart.legend().set_hidden();
    chart.y_axis().set_reverse();
    chart
        .set_width(720)
        .set_height(u32::max(320, 24 * last + 80));
    ws.insert_chart(1, 3, &chart)?;

    if data.from_history {
        let ws = book.add_worksheet();
        ws.set_name("Xu hướng")?;
        header(
            ws,
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
        for (i, run) in data.trend.iter().enumerate() {
            let r = i as u32 + 1;
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
        let last = data.trend.len().max(1) as u32;
        let mut chart = Chart::new(ChartType::Line);
        for (col, name) in [(6u16, "Còn tồn đọng"), (2, "Người có lỗi")] {
            chart
                .add_series()
                .set_name(name)
                .set_categories(("Xu hướng", 1, 0, last, 0))
                .set_values(("Xu hướng", 1, col, last, col));
        }
        chart.title().set_name("Xu hướng qua các lần quét");
        chart.set_width(720).set_height(360);
        ws.insert_chart(1, 8, &chart)?;

        let ws = book.add_worksheet();
        ws.set_name("Quá hạn")?;
        header(
            ws,
            &[
                "Tỉnh/thành phố",
                "Quận/huyện",
                "Xã/phường",
                "Lỗi còn mở",
                "Lỗi cũ nhất từ ngày",
                "Số ngày chờ",
            ],
            &[22.0, 22.0, 24.0, 11.0, 14.0, 11.0],
        )?;
        for (i, o) in data.overdue.iter().enumerate() {
            let r = i as u32 + 1;
            write_text(ws, r, 0, &o.unit.province, None)?;
            write_text(ws, r, 1, &o.unit.district, None)?;
            write_text(ws, r, 2, &o.unit.commune, None)?;
            ws.write_number_with_format(r, 3, o.open_errors as f64, &count)?;
            let d = rust_xlsxwriter::ExcelDateTime::parse_from_str(
                &o.oldest.format("%Y-%m-%d").to_string(),
            )?;
            ws.write_datetime_with_format(r, 4, &d, &date)?;
            ws.write_number(r, 5, o.days as f64)?;
        }
        ws.autofilter(0, 0, data.overdue.len().max(1) as u32, 5)?;
    }
    book.save_to_writer(w)
}
