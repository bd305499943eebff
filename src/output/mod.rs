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
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+84 912 345 678"), "'+84 912 345 678");
        assert_eq!(defuse("-1+1"), "'-1+1");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("Nguyễn Văn An"), "Nguyễn Văn An");
        assert_eq!(defuse(""), "");
    }
}
