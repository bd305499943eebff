//! The sources with the accepted corrections applied, in their own format. A CSV stays a CSV:
//! same encoding, BOM, delimiter and line ends, and every record that does not change is copied
//! byte for byte; a changed record is written again with only its corrected fields replaced.
//! Workbooks (xlsx, xls, xlsb, ods) are written as xlsx with every sheet, cell and cell type, and
//! the corrected cells as text (a birth date as a date where the source had a date cell).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use calamine::{Data, SheetVisible, open_workbook_auto};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format};

use crate::input::csv::{TextEncoding, encode_windows_1258, sniff_delimiter, sniff_encoding};

/// One corrected cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// 0-based column (of the CSV record, or of the sheet).
    pub col: usize,
    /// The new text.
    pub text: String,
    /// Write a date cell instead (workbooks whose cell was a date).
    pub date: Option<NaiveDate>,
}

/// Edits of one sheet (or CSV file) by 1-based row (or line where the record starts).
pub type SheetEdits = HashMap<u32, Vec<Edit>>;

/// Edits of every input (by index), per sheet name ("" for CSV).
pub type Edits = HashMap<u32, HashMap<String, SheetEdits>>;

/// Adds `edit` to the edits of the row at `loc`, on the sheet named `sheet` ("" for CSV).
pub fn add(edits: &mut Edits, loc: crate::record::RowLoc, sheet: String, edit: Edit) {
    edits
        .entry(loc.source)
        .or_default()
        .entry(sheet)
        .or_default()
        .entry(loc.row)
        .or_default()
        .push(edit);
}

/// Writes `merged/<names[i]>` in `out` for every input that could be read (`unreadable` lists the
/// others), each with its edits, in parallel; returns the paths written.
pub fn write_all(
    out: &crate::output::atomic::OutDir,
    files: &[crate::input::InputFile],
    names: &[String],
    edits: &Edits,
    unreadable: &[usize],
) -> Result<Vec<std::path::PathBuf>> {
    use rayon::prelude::*;
    let none = HashMap::new();
    files
        .par_iter()
        .enumerate()
        .filter(|(i, _)| !unreadable.contains(i))
        .map(|(i, f)| {
            let rel = Path::new("merged").join(&names[i]);
            let mine = edits.get(&(i as u32)).unwrap_or(&none);
            out.write_at(&rel, |w| {
                if is_csv(&f.path) {
                    let sheet = mine.values().next().cloned().unwrap_or_default();
                    write_csv(&f.path, w, &sheet)
                } else {
                    write_xlsx(&f.path, &mut *w, mine)
                }
            })
        })
        .collect()
}

const SAMPLE_BYTES: usize = 64 * 1024;

/// The text stream of a CSV file: raw bytes after any UTF-8 BOM, or UTF-16 decoded to UTF-8.
fn text_stream(path: &Path, encoding: TextEncoding) -> std::io::Result<Box<dyn Read>> {
    let mut f = File::open(path)?;
    Ok(match encoding {
        TextEncoding::Utf8 | TextEncoding::Windows1258 => Box::new(f),
        TextEncoding::Utf8Bom => {
            let mut bom = [0u8; 3];
            f.read_exact(&mut bom)?;
            Box::new(f)
        }
        TextEncoding::Utf16(enc) => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(enc))
                .bom_override(true)
                .build(f),
        ),
    })
}

/// Writes UTF-8 text out as UTF-16.
struct Utf16Out<W: Write> {
    inner: W,
    big_endian: bool,
    pending: Vec<u8>,
}

impl<W: Write> Write for Utf16Out<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) => e.valid_up_to(),
        };
        let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for unit in text.encode_utf16() {
            let b = if self.big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend_from_slice(&b);
        }
        self.inner.write_all(&bytes)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `src` with `edits` applied to `out`.
pub fn write_csv(src: &Path, out: &mut dyn Write, edits: &SheetEdits) -> Result<()> {
    // Nothing to change: the bytes as they are (a file that is not valid in the encoding it was
    // read in, such as UTF-16 of an odd length, would not survive decoding and encoding again).
    if edits.is_empty() {
        std::io::copy(&mut File::open(src)?, out)?;
        return Ok(());
    }
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    File::open(src)?
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)?;
    let encoding = sniff_encoding(&sample);
    let default_delim = if src
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
    {
        b'\t'
    } else {
        b','
    };
    let text = match encoding {
        TextEncoding::Utf16(enc) => enc.decode(&sample).0.into_owned(),
        _ => String::from_utf8_lossy(&sample).into_owned(),
    };
    let delimiter = sniff_delimiter(&text, default_delim);
    let mut sink: Box<dyn Write + '_> = match encoding {
        TextEncoding::Utf8 | TextEncoding::Windows1258 => Box::new(&mut *out),
        TextEncoding::Utf8Bom => {
            out.write_all(b"\xEF\xBB\xBF")?;
            Box::new(&mut *out)
        }
        TextEncoding::Utf16(enc) => {
            let big_endian = enc == encoding_rs::UTF_16BE;
            if sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]) {
                out.write_all(if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" })?;
            }
            Box::new(Utf16Out {
                inner: &mut *out,
                big_endian,
                pending: Vec::new(),
            })
        }
    };
    let mut rdr =
        crate::input::csv::reader_builder(delimiter).from_reader(text_stream(src, encoding)?);
    let mut copy = BufReader::with_capacity(256 * 1024, text_stream(src, encoding)?);
    let mut copied = 0u64;
    let mut rec = csv::ByteRecord::new();
    let mut span = Vec::new();
    while rdr.read_byte_record(&mut rec)? {
        let Some(pos) = rec.position() else { continue };
        let Some(row_edits) = edits.get(&(pos.line() as u32)) else {
            continue;
        };
        let start = pos.byte();
        let end = rdr.position().byte();
        std::io::copy(&mut (&mut copy).take(start - copied), &mut sink)?;
        span.clear();
        (&mut copy).take(end - start).read_to_end(&mut span)?;
        copied = end;
        let crlf = span.ends_with(b"\r\n");
        let lf = span.ends_with(b"\n");
        // The file's encoding decides (a corrected field is written in it), as when it was read.
        let utf8 = match encoding {
            TextEncoding::Windows1258 => false,
            TextEncoding::Utf16(_) => true,
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => {
                std::str::from_utf8(rec.as_slice()).is_ok()
            }
        };
        let mut fields: Vec<Vec<u8>> = (0..rec.len())
            .map(|i| {
                crate::input::csv::field(&rec, i)
                    .unwrap_or_default()
                    .to_vec()
            })
            .collect();
        for e in row_edits {
            if fields.len() <= e.col {
                fields.resize(e.col + 1, Vec::new());
            }
            fields[e.col] = if utf8 {
                e.text.as_bytes().to_vec()
            } else {
                encode_windows_1258(&e.text)
            };
        }
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(if crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(Vec::new());
        w.write_record(&fields)?;
        let mut bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
        if !lf {
            // The last line had no line end.
            while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                bytes.pop();
            }
        }
        sink.write_all(&bytes)?;
    }
    std::io::copy(&mut copy, &mut sink)?;
    sink.flush()?;
    Ok(())
}

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
    )
    .ok()
}

/// Writes the workbook `src` as xlsx with `edits` (by sheet name) applied.
pub fn write_xlsx<W>(src: &Path, out: W, edits: &HashMap<String, SheetEdits>) -> Result<()>
where
    W: Write + std::io::Seek + Send,
{
    crate::input::guard::guarded(|| write_xlsx_unguarded(src, out, edits))
        .unwrap_or_else(|cause| Err(anyhow::anyhow!("{}: {cause}", src.display())))
}

fn write_xlsx_unguarded<W>(src: &Path, out: W, edits: &HashMap<String, SheetEdits>) -> Result<()>
where
    W: Write + std::io::Seek + Send,
{
    let display = src.display().to_string();
    // Bounded before it is opened, as every workbook read (an .ods or .xls too big to load).
    crate::input::excel::precheck_path(src, &display).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut book = open_workbook_auto(src).with_context(|| display.clone())?;
    let mut xlsx = crate::output::new_workbook();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let none = SheetEdits::new();
    // Worksheets only: a chart sheet has no cells to carry over.
    for (name, visible) in crate::input::excel::worksheets_of(&book) {
        let ws = xlsx.add_worksheet_with_constant_memory()?;
        ws.set_name(&name)?;
        if visible != SheetVisible::Visible {
            ws.set_hidden(true);
        }
        let sheet_edits = edits.get(&name).unwrap_or(&none);
        let mut rows_with_edits: Vec<u32> = sheet_edits.keys().copied().collect();
        rows_with_edits.sort_unstable();
        let mut pending = rows_with_edits.into_iter().peekable();
        let write_edits =
            |ws: &mut rust_xlsxwriter::Worksheet, row: u32, done: &[usize]| -> Result<()> {
                for e in sheet_edits.get(&row).into_iter().flatten() {
                    if done.contains(&e.col) {
                        continue;
                    }
                    let (r, c) = (row - 1, e.col as u16);
                    match e.date.and_then(excel_date) {
                        Some(d) => {
                            ws.write_datetime_with_format(r, c, &d, &date)?;
                        }
                        None => super::write_text(ws, r, c, &e.text, None)?,
                    }
                }
                Ok(())
            };
        // The cells as they come, row by row (no grid): the row being written and the columns
        // of its edits already written.
        let mut current: Option<u32> = None;
        let mut done: Vec<usize> = Vec::new();
        let mut failed: Option<anyhow::Error> = None;
        let mut write_cell =
            |ws: &mut rust_xlsxwriter::Worksheet, row: u32, col: u32, cell: &Data| -> Result<()> {
                if current != Some(row) {
                    if let Some(r) = current {
                        write_edits(ws, r + 1, &done)?;
                        done.clear();
                    }
                    // Rows with edits but no cells before this one come first, in order.
                    while let Some(&p) = pending.peek() {
                        if p > row + 1 {
                            break;
                        }
                        pending.next();
                        if p < row + 1 {
                            write_edits(ws, p, &[])?;
                        }
                    }
                    current = Some(row);
                }
                let Ok(c) = u16::try_from(col) else {
                    return Ok(());
                };
                let col = col as usize;
                if let Some(e) = sheet_edits
                    .get(&(row + 1))
                    .and_then(|es| es.iter().find(|e| e.col == col))
                {
                    done.push(col);
                    match e.date.and_then(excel_date) {
                        Some(d) => {
                            ws.write_datetime_with_format(row, c, &d, &date)?;
                        }
                        None => super::write_text(ws, row, c, &e.text, None)?,
                    }
                    return Ok(());
                }
                match cell {
                    Data::Empty => {}
                    Data::String(s) => {
                        super::write_text(ws, row, c, s, None)?;
                    }
                    Data::Float(f) => {
                        ws.write_number(row, c, *f)?;
                    }
                    Data::Int(n) => {
                        ws.write_number(row, c, *n as f64)?;
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(row, c, *b)?;
                    }
                    Data::DateTime(dt) => {
                        ws.write_number_with_format(row, c, dt.as_f64(), &date)?;
                    }
                    Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        super::write_text(ws, row, c, s, None)?;
                    }
                    Data::Error(e) => {
                        super::write_text(ws, row, c, &e.to_string(), None)?;
                    }
                }
                Ok(())
            };
        crate::input::excel::for_each_cell(&mut book, &name, |row, col, cell| {
            match write_cell(ws, row, col, cell) {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        })
        .map_err(|e| anyhow::anyhow!("{display}: {name}: {e}"))?;
        if let Some(e) = failed {
            return Err(e);
        }
        if let Some(r) = current {
            write_edits(ws, r + 1, &done)?;
        }
        for p in pending {
            write_edits(ws, p, &[])?;
        }
    }
    if xlsx.worksheets().is_empty() {
        xlsx.add_worksheet();
    }
    xlsx.save_to_writer(out)?;
    Ok(())
}

/// Whether a file is read as CSV (kept as CSV) rather than as a workbook.
pub fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        ["csv", "tsv", "txt"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_csv_of_odd_utf16_is_copied_byte_for_byte_without_edits() -> Result<()> {
        // Found by the `merged` fuzz target: a CSV read as UTF-16 (NUL every other byte) whose
        // length is odd came back with its last byte turned into U+FFFD.
        let input = include_bytes!("../../tests/data/fuzz/csv-odd-utf16.csv.bin");
        let bytes = &input[1..];
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("src.csv");
        std::fs::write(&path, bytes)?;
        let mut out = Vec::new();
        write_csv(&path, &mut out, &SheetEdits::new())?;
        assert_eq!(out, bytes);
        Ok(())
    }

    fn edit(col: usize, text: &str) -> Edit {
        Edit {
            col,
            text: text.to_string(),
            date: None,
        }
    }

    fn merged(input: &[u8], edits: &SheetEdits) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::abort());
        let path = dir.path().join("a.csv");
        std::fs::write(&path, input).unwrap_or_default();
        let mut out = Vec::new();
        write_csv(&path, &mut out, edits).unwrap_or_default();
        out
    }

    #[test]
    fn untouched_records_are_copied_byte_for_byte() {
        let input = b"\xEF\xBB\xBFh1;h2;h3\r\n\"a\";b;\"c\"\"q\"\r\nx;y;z\r\nlast;no;newline";
        let mut edits = SheetEdits::new();
        edits.insert(3, vec![edit(1, "Nữ")]);
        edits.insert(4, vec![edit(2, "say \"hi\"")]);
        let out = merged(input, &edits);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "\u{feff}h1;h2;h3\r\n\"a\";b;\"c\"\"q\"\r\nx;Nữ;z\r\nlast;no;\"say \"\"hi\"\"\""
        );
        assert_eq!(merged(input, &SheetEdits::new()), input);
    }

    #[test]
    fn windows_1258_and_utf16_stay_as_they_were() {
        let mut cp = b"ten,gioi\n".to_vec();
        cp.extend_from_slice(&encode_windows_1258("Lê Thị Hà,Nam\n"));
        let mut edits = SheetEdits::new();
        edits.insert(2, vec![edit(1, "Nữ")]);
        let out = merged(&cp, &edits);
        let mut want = b"ten,gioi\n".to_vec();
        want.extend_from_slice(&encode_windows_1258("Lê Thị Hà,Nữ\n"));
        assert_eq!(out, want);

        let text = "ten\tgioi\r\nLê Thị Hà\tNam\r\n";
        let mut u16: Vec<u8> = vec![0xFF, 0xFE];
        u16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let out = merged(&u16, &edits);
        let mut want: Vec<u8> = vec![0xFF, 0xFE];
        want.extend(
            "ten\tgioi\r\nLê Thị Hà\tNữ\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(out, want);
    }
}
