//! Writers stage: one file per thing written. Every file is written to a temporary name in its
//! folder and renamed when complete, so a killed run leaves the old file or the new, never half.

pub mod atomic;
pub mod audit;
pub mod export;
pub mod findings_csv;
pub mod list_workbook;
pub mod merged;
pub mod paths;
pub mod report;
pub mod summary;
pub mod terminal;
pub mod verification;

static WORKBOOK_TEMPDIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Sets where the workbooks written from now on keep their temporary files (rust_xlsxwriter's
/// constant-memory sheets): the run's output folder, so that a full disk is that folder's, named
/// in the error, and not a system temporary folder. The first folder set stays.
pub fn set_workbook_tempdir(dir: &std::path::Path) {
    let _ = WORKBOOK_TEMPDIR.set(dir.to_path_buf());
}

/// A new workbook whose temporary files go where [`set_workbook_tempdir`] said.
pub fn new_workbook() -> rust_xlsxwriter::Workbook {
    let mut book = rust_xlsxwriter::Workbook::new();
    if let Some(dir) = WORKBOOK_TEMPDIR.get() {
        // A folder that cannot be written fails the write itself, with the folder named.
        let _ = book.set_tempdir(dir);
    }
    book
}

/// A CSV writer for a file Excel opens as it is: a UTF-8 byte-order mark first, CRLF line ends,
/// and `columns` as the header row. Text cells still go through [`defuse`].
pub fn excel_csv<W: std::io::Write>(mut w: W, columns: &[&str]) -> anyhow::Result<csv::Writer<W>> {
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    csv.write_record(columns)?;
    Ok(csv)
}

/// Makes a text safe for a spreadsheet cell: a value that Excel would take for a formula (`=`,
/// `+`, `-`, `@`, tab or carriage return first) gets a leading apostrophe.
pub fn defuse(text: &str) -> std::borrow::Cow<'_, str> {
    if starts_like_a_formula(text.as_bytes()) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// [`defuse`] for a text's bytes.
pub fn defuse_bytes(text: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if starts_like_a_formula(text) {
        [&b"'"[..], text].concat().into()
    } else {
        text.into()
    }
}

/// Whether a spreadsheet would take a cell starting this way for a formula.
fn starts_like_a_formula(text: &[u8]) -> bool {
    matches!(
        text.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Whether a spreadsheet would take `text` for a formula once its cell is edited: `=`, `+`, `-`
/// or `@` first (ASCII or fullwidth, which Excel's East Asian input turns into ASCII), after any
/// spaces, tabs and line breaks; or a tab or carriage return first (as [`defuse`] says for CSV).
/// Wider than [`defuse`]'s test: in a workbook the answer only sets a format flag and never
/// changes the cell's text.
pub fn looks_like_formula(text: &str) -> bool {
    if starts_like_a_formula(text.as_bytes()) {
        return true;
    }
    text.trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with([
            '=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
        ])
}

/// Writes `text` into a text cell of `ws`, the only way the tool writes text into a workbook:
/// cut to what a cell holds ([`excel_text`]), and when it looks like a formula
/// ([`looks_like_formula`]) written with `format` plus Excel's quote prefix, so that Excel and
/// LibreOffice keep it text even after the cell is edited. The cell's value is `text` itself
/// (the quote prefix is a format flag), so a list read back shows the same text.
pub fn write_text(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: Option<&rust_xlsxwriter::Format>,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let text = excel_text(text);
    if looks_like_formula(&text) {
        let quoted = format
            .cloned()
            .unwrap_or_else(rust_xlsxwriter::Format::new)
            .set_quote_prefix();
        ws.write_string_with_format(row, col, text, &quoted)?;
    } else if let Some(format) = format {
        ws.write_string_with_format(row, col, text, format)?;
    } else {
        ws.write_string(row, col, text)?;
    }
    Ok(())
}

/// The most characters Excel keeps in a cell.
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// `text` cut to what an Excel cell can hold (a 5 MB field in a CSV dump would make the whole
/// workbook unwritable); the cut is marked with "…".
pub fn excel_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= EXCEL_CELL_CHARS {
        return text.into();
    }
    let mut out: String = text.chars().take(EXCEL_CELL_CHARS - 1).collect();
    if out.len() < text.len() {
        out.push('…');
        out.into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_longer_than_excel_allows_is_cut() {
        let long = "ấ".repeat(40_000);
        let cut = excel_text(&long);
        assert_eq!(cut.chars().count(), EXCEL_CELL_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(excel_text("Lê Văn Tám"), "Lê Văn Tám");
        // Many bytes, few characters: kept whole.
        let short = "ấ".repeat(20_000);
        assert_eq!(excel_text(&short), short);
    }

    #[test]
    fn formulas_are_defused() {
        for (text, defused) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+84 912 345 678", "'+84 912 345 678"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("Nguyễn Văn An", "Nguyễn Văn An"),
            ("", ""),
        ] {
            assert_eq!(defuse(text), defused, "{text:?}");
        }
    }

    #[test]
    fn formula_looking_text_is_told() {
        for t in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "=cmd|' /C calc'!A0",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "  =1",
            "\t=1",
            "\r=1",
            "\n =1",
            "\u{ff1d}1",
            "\tx",
        ] {
            assert!(looks_like_formula(t), "{t:?}");
        }
        for t in ["Lê Văn Tám", "", " ", "1-2", "a=b", " x", "0912345678"] {
            assert!(!looks_like_formula(t), "{t:?}");
        }
    }

    /// The `s` attribute of every cell of a sheet's XML, by cell reference, and the `<xf>`
    /// elements of cellXfs.
    fn styles_of(book: &mut rust_xlsxwriter::Workbook) -> (Vec<(String, usize)>, Vec<String>) {
        let bytes = book.save_to_buffer().expect("saved");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut read = |name: &str| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut z.by_name(name).expect("member"), &mut s)
                .expect("text");
            s
        };
        let sheet = read("xl/worksheets/sheet1.xml");
        let styles = read("xl/styles.xml");
        let cells = sheet
            .split("<c r=\"")
            .skip(1)
            .map(|c| {
                let r = c[..c.find('"').expect("ref")].to_string();
                let s = c
                    .split_once(" s=\"")
                    .filter(|(head, _)| !head.contains('>'))
                    .map_or(0, |(_, v)| v[..v.find('"').expect("s")].parse().expect("n"));
                (r, s)
            })
            .collect();
        let start = styles.find("<cellXfs").expect("cellXfs");
        let end = styles.find("</cellXfs>").expect("end");
        let xfs = styles[start..end]
            .split("<xf ")
            .skip(1)
            .map(String::from)
            .collect();
        (cells, xfs)
    }

    #[test]
    fn formula_looking_text_gets_the_quote_prefix_and_keeps_its_value() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let ws = book.add_worksheet();
        let texts = ["=1+1", "Lê Văn Tám", "@SUM(A1)", " -2"];
        for (c, t) in texts.iter().enumerate() {
            write_text(ws, 0, c as u16, t, None).expect("written");
            write_text(ws, 1, c as u16, t, Some(&bold)).expect("written");
        }
        let (cells, xfs) = styles_of(&mut book);
        for (r, s) in cells {
            let col = usize::from(r.as_bytes()[0] - b'A');
            let quoted = xfs[s].contains("quotePrefix=\"1\"");
            assert_eq!(quoted, looks_like_formula(texts[col]), "{r}");
            if r.ends_with('2') {
                assert!(xfs[s].contains("applyFont=\"1\""), "{r} keeps its bold");
            }
        }
        // The value is the text itself, no apostrophe added.
        let bytes = book.save_to_buffer().expect("saved");
        let path = tempfile::NamedTempFile::new().expect("temp");
        std::fs::write(path.path(), bytes).expect("written");
        let mut read: calamine::Xlsx<_> = calamine::open_workbook(path.path()).expect("opened");
        let range = calamine::Reader::worksheet_range_at(&mut read, 0)
            .expect("a sheet")
            .expect("read");
        for (c, t) in texts.iter().enumerate() {
            for r in 0..2 {
                assert_eq!(
                    range.get_value((r, c as u32)),
                    Some(&calamine::Data::String(t.to_string()))
                );
            }
        }
    }
}
