//! The parts of a list around its rows: the heading above the table, the signature block below,
//! the validations of the columns the team fills in, the hidden sheet that identifies the export,
//! and the guide sheet.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, FormatAlign,
    Formula, ProtectionOptions, Worksheet, XlsxError,
};

use super::*;
use crate::input::SourceStamp;
use crate::output::write_text;

pub(super) fn list_header(
    ws: &mut Worksheet,
    f: &Formats,
    meta: &ListMeta,
    phone: bool,
    last_col: u16,
) -> Result<(), XlsxError> {
    // The heading: the issuing unit on the left, the national heading on the right, the title and
    // the place across.
    let (above, unit) = issuing_unit(meta);
    let left = (0u16, 4u16);
    let right = (9u16, last_col);
    ws.merge_range(0, left.0, 0, left.1, "", &f.bold_center)?;
    write_text(ws, 0, 0, &above, Some(&f.bold_center))?;
    ws.merge_range(0, right.0, 0, right.1, NATION[0], &f.bold_center)?;
    ws.merge_range(1, left.0, 1, left.1, "", &f.bold_center)?;
    write_text(ws, 1, 0, &unit, Some(&f.bold_center))?;
    ws.merge_range(1, right.0, 1, right.1, NATION[1], &f.bold_center)?;
    ws.set_row_height(0, 16)?;
    ws.set_row_height(1, 16)?;
    ws.merge_range(3, 0, 3, last_col, TITLE, &f.title)?;
    ws.set_row_height(3, 24)?;
    let place = place_line(meta);
    let line = format!("{place} — lập ngày {}", meta.as_of.format("%d/%m/%Y"));
    ws.merge_range(4, 0, 4, last_col, "", &f.italic_center)?;
    write_text(ws, 4, 0, &line, Some(&f.italic_center))?;
    ws.set_row_height(4, 18)?;

    let h = HEADER_ROW;
    for (c, head) in HEADERS.iter().enumerate() {
        let col = c as u16;
        let format = if (LOCKED_COLUMNS..COL_STATUS).contains(&col) {
            &f.fix_head
        } else {
            &f.head
        };
        write_text(ws, h, col, head, Some(format))?;
        ws.set_column_width(col, WIDTHS[c])?;
    }
    for (i, (head, width)) in meta.extra_columns().into_iter().enumerate() {
        let col = HEADERS.len() as u16 + i as u16;
        let format = if head == ADDRESS_FIX_HEADER {
            &f.fix_head
        } else {
            &f.head
        };
        write_text(ws, h, col, head, Some(format))?;
        ws.set_column_width(col, width)?;
    }
    if !phone {
        ws.set_column_hidden(COL_PHONE)?;
        ws.set_column_hidden(COL_PHONE_FIX)?;
    }
    ws.set_row_height(h, 46)?;
    ws.set_freeze_panes(h + 1, 3)?;
    // Printing: landscape A4, one page wide, the header row on every page, page numbers.
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(h, h)?;
    ws.set_margins(PRINT.side_margin, PRINT.side_margin, 0.5, 0.5, 0.2, 0.2);
    ws.set_print_center_horizontally(true);
    ws.set_header(page_header(
        &format!("&L&\"{FONT},Regular\"&9Danh sách rà soát thông tin tiêm chủng COVID-19&R&\"{FONT},Regular\"&9"),
        &place,
    ));
    ws.set_footer(format!(
        "&L&\"{FONT},Regular\"&9Lập ngày {}&C&\"{FONT},Regular\"&9Trang &P/&N",
        meta.as_of.format("%d/%m/%Y")
    ));
    ws.protect_with_options(&ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    });
    Ok(())
}

/// The last data row is `last` (0-based; the header row when the list is empty).
pub(super) fn list_footer(
    ws: &mut Worksheet,
    f: &Formats,
    last: u32,
    meta: &ListMeta,
    last_col: u16,
) -> Result<(), XlsxError> {
    let as_of = meta.as_of;
    ws.autofilter(HEADER_ROW, 0, last.max(HEADER_ROW + 1), last_col)?;
    if last > HEADER_ROW {
        validations(ws, HEADER_ROW + 1, last, as_of)?;
    }
    // The signature block: the hamlet team, the station, the commune police.
    let r = last + 2;
    let [a, b, c] = SIGNATURE_COLUMNS;
    let parts = [(a, b - 1), (b, c - 1), (c, COL_PHONE_FIX - 1)];
    let short = ["Xã ", "Phường ", "Thị trấn ", "Đặc khu "]
        .iter()
        .find_map(|p| meta.commune.trim().strip_prefix(p))
        .unwrap_or(meta.commune.trim());
    let place = if short.is_empty() || meta.undetermined {
        "................."
    } else {
        short
    };
    let date_line = format!("{place}, ngày ...... tháng ...... năm 20......");
    let (d0, d1) = parts[2];
    ws.merge_range(r, d0, r, d1, "", &f.italic_center)?;
    write_text(ws, r, d0, &date_line, Some(&f.italic_center))?;
    let signers = signers(meta);
    let notes = [
        "(Ký, ghi rõ họ tên)",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        "(Ký, ghi rõ họ tên, đóng dấu)",
    ];
    let dots = "........................................";
    // Row by row: a row is written out when the next one starts.
    for (i, (c0, c1)) in parts.into_iter().enumerate() {
        ws.merge_range(r + 1, c0, r + 1, c1, "", &f.bold_center)?;
        write_text(ws, r + 1, c0, &signers[i], Some(&f.bold_center))?;
    }
    for (i, (c0, c1)) in parts.into_iter().enumerate() {
        ws.merge_range(r + 2, c0, r + 2, c1, notes[i], &f.italic_center)?;
    }
    for (c0, c1) in parts {
        ws.merge_range(r + 7, c0, r + 7, c1, dots, &f.italic_center)?;
    }
    ws.set_print_area(0, 0, r + 7, last_col)?;
    Ok(())
}

pub(super) fn validations(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    as_of: NaiveDate,
) -> Result<(), XlsxError> {
    let gender = DataValidation::new()
        .allow_list_strings(&["Nam", "Nữ"])?
        .set_input_title("Giới tính đúng")?
        .set_input_message("Chọn Nam hoặc Nữ.")?
        .set_error_title("Giới tính")?
        .set_error_message("Chỉ chọn Nam hoặc Nữ trong danh sách.")?;
    ws.add_data_validation(first, COL_GENDER_FIX, last, COL_GENDER_FIX, &gender)?;

    let status = DataValidation::new()
        .allow_list_strings(&STATUSES)?
        .set_input_title("Kết quả xác minh")?
        .set_input_message("Chọn một kết quả cho mỗi dòng.")?
        .set_error_title("Kết quả xác minh")?
        .set_error_message("Chọn một giá trị trong danh sách.")?;
    ws.add_data_validation(first, COL_STATUS, last, COL_STATUS, &status)?;

    let month = u8::try_from(as_of.month()).unwrap_or(12);
    let day = u8::try_from(as_of.day()).unwrap_or(31);
    let year = u16::try_from(as_of.year()).unwrap_or(2100);
    let birth = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            ExcelDateTime::from_ymd(1900, 1, 1)?,
            ExcelDateTime::from_ymd(year, month, day)?,
        ))
        .set_input_title("Ngày sinh đúng")?
        .set_input_message("Nhập ngày dạng ngày/tháng/năm, ví dụ 05/03/1985.")?
        .set_error_title("Ngày sinh")?
        .set_error_message(
            "Ngày không hợp lệ. Nhập dạng ngày/tháng/năm (dd/mm/yyyy), không sau ngày lập danh sách.",
        )?;
    ws.add_data_validation(first, COL_BIRTH_FIX, last, COL_BIRTH_FIX, &birth)?;

    let id = DataValidation::new()
        .allow_custom(Formula::new(format!(
            "=OR(LEN(N{0})=9,LEN(N{0})=12)",
            first + 1
        )))
        .set_input_title("Số CMND/CCCD đúng")?
        .set_input_message("12 chữ số (CCCD) hoặc 9 chữ số (CMND), giữ số 0 ở đầu.")?
        .set_error_title("Số CMND/CCCD")?
        .set_error_message("Số CCCD có 12 chữ số, CMND có 9 chữ số.")?
        .set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(first, COL_ID_FIX, last, COL_ID_FIX, &id)?;

    let phone = DataValidation::new()
        .allow_any_value()
        .set_input_title("Số điện thoại đúng")?
        .set_input_message("10 chữ số, bắt đầu bằng 0.")?;
    ws.add_data_validation(first, COL_PHONE_FIX, last, COL_PHONE_FIX, &phone)?;
    Ok(())
}

/// The hidden sheet's rows above the per-row table (the sources come between).
pub(super) const META_ROWS_BEFORE_TABLE: u32 = 16;

pub(super) fn meta_header(ws: &mut Worksheet, meta: &ListMeta) -> Result<(), XlsxError> {
    let pairs: [(&str, String); 16] = [
        ("format", META_FORMAT.to_string()),
        ("export_id", meta.export_id.clone()),
        ("created", meta.created.clone()),
        ("tool_version", env!("CARGO_PKG_VERSION").to_string()),
        ("as_of", meta.as_of.format("%Y-%m-%d").to_string()),
        ("province", meta.province.clone()),
        ("district", meta.district.clone()),
        ("commune", meta.commune.clone()),
        ("commune_code", meta.commune_code.clone()),
        ("sheet", LIST_SHEET.to_string()),
        ("header_row", (HEADER_ROW + 1).to_string()),
        ("list", meta.list.clone()),
        (
            "units",
            match meta.division {
                crate::normalize::places::Division::D2020 => "2020",
                crate::normalize::places::Division::D2025 => "2025",
            }
            .to_string(),
        ),
        (
            "undetermined",
            if meta.undetermined { "1" } else { "" }.to_string(),
        ),
        ("former", meta.former.clone()),
        ("sources", meta.sources.len().to_string()),
    ];
    for (r, (k, v)) in pairs.iter().enumerate() {
        write_text(ws, r as u32, 0, k, None)?;
        write_text(ws, r as u32, 1, v, None)?;
    }
    for (
        i,
        SourceStamp {
            path,
            sha256: sha,
            size,
        },
    ) in meta.sources.iter().enumerate()
    {
        let r = META_ROWS_BEFORE_TABLE + i as u32;
        write_text(ws, r, 0, "source", None)?;
        write_text(ws, r, 1, path, None)?;
        write_text(ws, r, 2, sha, None)?;
        ws.write_number(r, 3, *size as f64)?;
    }
    let r = META_ROWS_BEFORE_TABLE + meta.sources.len() as u32;
    for (c, h) in META_TABLE_HEADERS.iter().enumerate() {
        write_text(ws, r, c as u16, h, None)?;
    }
    ws.protect();
    Ok(())
}

/// The instructions, in a few numbered steps.
pub const GUIDE: [&str; 8] = [
    "Mỗi dòng của trang \"Danh sách\" là một người đã tiêm vắc xin COVID-19 có thông tin sai hoặc thiếu. Cột \"Lỗi phát hiện\" ghi sai ở đâu; cột \"Gợi ý sửa\" là giá trị phần mềm tính được, cần kiểm tra lại.",
    "Tổ công tác thôn/tổ dân phố gặp người dân, đối chiếu với thẻ CCCD, CMND hoặc giấy khai sinh.",
    "Ghi thông tin đúng vào các cột nền vàng: \"Họ và tên đúng\", \"Ngày sinh đúng\" (ngày/tháng/năm, ví dụ 05/03/1985), \"Giới tính đúng\" (chọn Nam hoặc Nữ), \"Số CMND/CCCD đúng\" (CCCD đủ 12 số, giữ số 0 ở đầu), \"Số điện thoại đúng\" (10 số). Chỉ ghi ô cần sửa; ô để trống là giữ nguyên. Danh sách người chưa rõ địa bàn có thêm cột \"Địa chỉ đúng\": ghi thôn/tổ dân phố, xã/phường nơi người đó sống.",
    "Chọn \"Kết quả xác minh\" cho từng dòng: \"Đã sửa\" (đã ghi thông tin đúng), \"Thông tin đúng\" (dữ liệu hiện có là đúng), \"Không xác định được\", \"Đã chuyển đi\" hoặc \"Đã mất\".",
    "Không thêm hay xoá dòng; không sửa các cột nền trắng; không chèn, xoá hay đổi tên cột (cột ghi thêm chỉ đặt sau cột cuối); không đổi tên tệp và tên trang tính. Danh sách đã xếp theo từng thôn; có thể lọc hoặc sắp xếp để xem.",
    "Công an xã/phường đối chiếu với Cơ sở dữ liệu quốc gia về dân cư, ký xác nhận ở cuối danh sách cùng Trạm Y tế.",
    "In danh sách: khổ A4 nằm ngang, dòng tiêu đề lặp lại ở mỗi trang.",
    "Gửi lại chính tệp Excel này (không phải ảnh chụp hay bản in) cho Trạm Y tế để cập nhật lên Nền tảng quản lý tiêm chủng.",
];

pub(super) fn guide(ws: &mut Worksheet, f: &Formats) -> Result<(), XlsxError> {
    let title = f.plain.clone().set_bold().set_font_size(13);
    let step = f
        .plain
        .clone()
        .set_font_size(12)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let number = step.clone().set_bold().set_align(FormatAlign::Center);
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 100)?;
    write_text(ws, 0, 0, "HƯỚNG DẪN GHI DANH SÁCH", Some(&title))?;
    for (i, text) in GUIDE.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_number_with_format(r, 0, (i + 1) as f64, &number)?;
        write_text(ws, r, 1, text, Some(&step))?;
        ws.set_row_height(r, lines(text, 100.0 * 0.85) as f64 * 16.0 + 4.0)?;
    }
    ws.set_portrait();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.protect();
    Ok(())
}
