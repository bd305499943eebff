//! Writes generated rows as CSV (UTF-8, UTF-8 with BOM, Windows-1258, UTF-16) or xlsx, and the
//! truth file. Windows-1258 keeps tone marks as separate characters, as that code page does.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use crate::output::write_text;

use super::{COLUMNS, Expected, Row, TITLE_LINES, Value};
use crate::normalize::dates::format_date;

/// The encodings the generator writes CSV in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with BOM (what Excel writes as "CSV UTF-8").
    Utf8Bom,
    /// Windows-1258 (Vietnamese ANSI code page).
    Windows1258,
    /// UTF-16 little-endian with BOM (Excel's "Unicode text").
    Utf16,
}

/// Where generated rows go.
pub trait RowWriter {
    /// Writes one row.
    fn row(&mut self, row: &Row) -> Result<()>;
    /// Completes the file.
    fn finish(self: Box<Self>) -> Result<()>;
}

pub use crate::input::csv::encode_windows_1258;

/// A CSV writer in a chosen encoding.
pub struct CsvRows<W: Write> {
    out: W,
    encoding: CsvEncoding,
    delimiter: u8,
    line: Vec<u8>,
}

impl<W: Write> CsvRows<W> {
    /// Starts a CSV file: BOM, title lines, header.
    pub fn new(out: W, encoding: CsvEncoding, delimiter: u8, title_lines: bool) -> Result<Self> {
        let titles: &[&str] = if title_lines { &TITLE_LINES } else { &[] };
        let header: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
        Self::with_header(out, encoding, delimiter, titles, &header)
    }

    /// Starts a CSV file of other columns: BOM, `titles` (each on its line, then a blank line,
    /// if any), `header`.
    pub fn with_header(
        out: W,
        encoding: CsvEncoding,
        delimiter: u8,
        titles: &[&str],
        header: &[&str],
    ) -> Result<Self> {
        let mut w = CsvRows {
            out,
            encoding,
            delimiter,
            line: Vec::new(),
        };
        match encoding {
            CsvEncoding::Utf8Bom => w.out.write_all(b"\xEF\xBB\xBF")?,
            CsvEncoding::Utf16 => w.out.write_all(b"\xFF\xFE")?,
            _ => {}
        }
        if !titles.is_empty() {
            for t in titles {
                w.fields(&[t.to_string()])?;
            }
            w.fields(&[String::new()])?;
        }
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        w.fields(&header)?;
        Ok(w)
    }

    fn fields(&mut self, fields: &[String]) -> Result<()> {
        self.line.clear();
        {
            let mut c = csv::WriterBuilder::new()
                .delimiter(self.delimiter)
                .terminator(csv::Terminator::CRLF)
                .flexible(true)
                .from_writer(&mut self.line);
            c.write_record(fields)?;
            c.flush()?;
        }
        let text = std::str::from_utf8(&self.line).context("generated text is UTF-8")?;
        match self.encoding {
            CsvEncoding::Utf8 | CsvEncoding::Utf8Bom => self.out.write_all(&self.line)?,
            CsvEncoding::Windows1258 => self.out.write_all(&encode_windows_1258(text))?,
            CsvEncoding::Utf16 => {
                let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
                self.out.write_all(&bytes)?;
            }
        }
        Ok(())
    }
}

impl<W: Write> RowWriter for CsvRows<W> {
    fn row(&mut self, row: &Row) -> Result<()> {
        let fields: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Date(d) => format_date(*d),
                other => other.display(),
            })
            .collect();
        self.fields(&fields)
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

/// An xlsx writer (low-memory mode: rows are written as they come).
pub struct XlsxRows {
    workbook: Workbook,
    path: std::path::PathBuf,
    next_row: u32,
    date: Format,
}

impl XlsxRows {
    /// Starts a workbook at `path`: one sheet, title lines if asked, header.
    pub fn new(path: &Path, title_lines: bool) -> Result<Self> {
        let titles: &[&str] = if title_lines { &TITLE_LINES } else { &[] };
        let header: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
        Self::with_header(
            path,
            "Danh sach",
            &[
                6, 14, 26, 12, 9, 16, 13, 14, 18, 18, 20, 18, 8, 12, 26, 12, 30,
            ],
            titles,
            &header,
        )
    }

    /// Starts a workbook of other columns at `path`: one sheet named `sheet`, column `widths`,
    /// `titles` (the first in bold, then a blank line, if any), `header`.
    pub fn with_header(
        path: &Path,
        sheet: &str,
        widths: &[u16],
        titles: &[&str],
        header: &[&str],
    ) -> Result<Self> {
        let mut workbook = Workbook::new();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let bold = Format::new()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_text_wrap();
        let ws = workbook.add_worksheet_with_low_memory()?;
        ws.set_name(sheet)?;
        for (i, width) in widths.iter().enumerate() {
            ws.set_column_width(i as u16, *width)?;
        }
        let mut next_row = 0;
        if !titles.is_empty() {
            let title = Format::new().set_bold().set_font_size(14);
            for (i, t) in titles.iter().enumerate() {
                let format = (i == 0).then_some(&title);
                write_text(ws, i as u32, 0, t, format)?;
            }
            next_row = titles.len() as u32 + 1;
        }
        for (c, h) in header.iter().enumerate() {
            write_text(ws, next_row, c as u16, h, Some(&bold))?;
        }
        Ok(XlsxRows {
            workbook,
            path: path.to_path_buf(),
            next_row: next_row + 1,
            date,
        })
    }

    fn sheet(&mut self) -> Result<&mut Worksheet> {
        Ok(self.workbook.worksheet_from_index(0)?)
    }
}

impl RowWriter for XlsxRows {
    fn row(&mut self, row: &Row) -> Result<()> {
        let r = self.next_row;
        let date = self.date.clone();
        let ws = self.sheet()?;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Empty => {}
                Value::Text(s) => {
                    write_text(ws, r, c, s, None)?;
                }
                Value::Number(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Value::Date(d) => {
                    use chrono::Datelike;
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(r, c, &dt, &date)?;
                }
            }
        }
        self.next_row += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.workbook.save(&self.path)?;
        Ok(())
    }
}

/// Writes the truth: one row per finding a scan must report.
pub fn write_truth(w: impl Write, truth: &[Expected]) -> Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "record_id",
        "field",
        "code",
        "value",
        "suggestion",
        "certain",
    ])?;
    for e in truth {
        out.write_record([
            e.record_id.as_str(),
            e.field.name(),
            e.code.as_str(),
            &e.value,
            &e.suggestion,
            if e.certain { "1" } else { "0" },
        ])?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::csv::decode_field;

    #[test]
    fn windows_1258_round_trips_through_the_reader() {
        for name in [
            "Nguyễn Văn Hùng",
            "Đặng Thị Ánh Tuyết",
            "Phạm Quỳnh",
            "H'Hen Niê",
            "Mùa A Páo",
        ] {
            let bytes = encode_windows_1258(name);
            assert!(std::str::from_utf8(&bytes).is_err() || name.is_ascii());
            assert_eq!(decode_field(&bytes), name);
        }
    }
}
