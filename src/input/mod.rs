//! Read stage: opens each input by its extension and streams its rows, in batches, to a [`Sink`].
//! CSV goes through `csv.rs` (encoding and delimiter sniffing), workbooks through `excel.rs`
//! (xlsx through our own cell reader, `xlsx.rs`, with calamine behind it; calamine's streaming
//! cell reader for xlsb; calamine's ranges for xls and ods). `header.rs` finds the header and maps the
//! columns. A file that cannot be read is an [`InputError`] naming it; the run goes on.

pub mod csv;
pub mod dedupe;
pub mod encoding;
pub mod excel;
pub mod guard;
pub mod header;
pub mod ods;
pub mod xls;
pub mod xlsx;

pub use dedupe::dedupe;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::i18n::Lang;
use crate::record::{Cell, CellRef, FIELD_COUNT};
use header::HeaderTable;

/// The most grid cells a workbook read whole may take (.xls and .ods: calamine loads every sheet
/// at open into dense grids spanning each sheet's outermost cells): 4,194,304, about 130 MiB of
/// values for an .xls (32 bytes a cell) and 230 MiB for an .ods (values and formulas, 56 bytes a
/// cell), some 200,000 rows of 20 columns. xlsx and xlsb are streamed and have no such bound.
pub const MAX_GRID_CELLS: u64 = 1 << 22;

/// Refuses a workbook read whole (.xls, .ods) whose sheets span more than [`MAX_GRID_CELLS`]
/// grid cells of `cell_bytes` each.
fn check_grid(file: &InputFile, cells: u64, cell_bytes: u64) -> Result<(), InputError> {
    if cells > MAX_GRID_CELLS {
        return Err(InputError::TooBig {
            path: file.display.clone(),
            cells,
            mib: cells.saturating_mul(cell_bytes) >> 20,
        });
    }
    Ok(())
}

/// Rows per batch of a workbook handed to the checkers (a CSV batch is ~1 MiB of text instead).
pub const BATCH_ROWS: usize = 4096;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`, `.tsv`, `.txt`.
    Csv,
    /// `.xlsx`, `.xlsm`.
    Xlsx,
    /// `.xlsb`.
    Xlsb,
    /// `.xls` (BIFF).
    Xls,
    /// `.ods`.
    Ods,
}

impl Format {
    /// The format of `path`, from its extension.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "tsv" | "txt" => Format::Csv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "xlsb" => Format::Xlsb,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            _ => return None,
        })
    }

    /// Lower-case name, as in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
        }
    }
}

/// What identifies an input a run read: its path as given, the SHA-256 of its bytes (hex;
/// empty when it could not be taken) and its size. A list's hidden sheet and the history keep
/// these.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SourceStamp {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes, in hex; empty when unknown.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One input file of a run.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The path, to open.
    pub path: PathBuf,
    /// The path as the user gave it (or as found under a directory they gave), for messages
    /// and the findings file.
    pub display: String,
    /// Its format.
    pub format: Format,
    /// Its size in bytes.
    pub size: u64,
    /// Found under a folder argument rather than named on the command line: a file there that
    /// is not a dump (no header) is skipped with a warning instead of failing the run.
    pub from_folder: bool,
}

/// Why an input could not be read. Each names the file.
#[derive(Debug, Error)]
pub enum InputError {
    /// The path does not exist or cannot be listed.
    #[error("'{path}': cannot open: {cause}")]
    Open {
        /// The input.
        path: String,
        /// The system's reason.
        cause: String,
    },
    /// The extension is not one of the supported formats.
    #[error(
        "'{path}': unsupported file type (expected .xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt)"
    )]
    Unsupported {
        /// The input.
        path: String,
    },
    /// The file is not a readable workbook or CSV file (damaged, encrypted, not what its
    /// extension says).
    #[error("'{path}': cannot read: {cause}")]
    Unreadable {
        /// The input.
        path: String,
        /// What the reader said.
        cause: String,
    },
    /// A workbook saved with a password (Excel then encrypts the whole file).
    #[error(
        "'{path}': the workbook is protected by a password; open it in Excel, remove the password (File → Info → Protect Workbook → Encrypt with Password) and run again"
    )]
    Encrypted {
        /// The input.
        path: String,
    },
    /// An Excel 97-2003 workbook whose name ends in .xlsx or .xlsb.
    #[error(
        "'{path}': this is an Excel 97-2003 workbook with a newer extension; rename it to .xls (or save it again as .xlsx) and run again"
    )]
    OldFormat {
        /// The input.
        path: String,
    },
    /// A zip-based workbook whose parts would inflate far beyond any real dump (a zip bomb).
    #[error(
        "'{path}': refused: its parts would inflate to {inflated_mib} MiB from {packed_kib} KiB (a zip bomb?)"
    )]
    Bomb {
        /// The input.
        path: String,
        /// What the parts say they inflate to, in MiB.
        inflated_mib: u64,
        /// Their packed size, in KiB.
        packed_kib: u64,
    },
    /// An `.xls` file whose compound-file container is malformed.
    #[error(
        "'{path}': cannot read: damaged Excel 97-2003 file ({cause}); open it in Excel and save it again"
    )]
    Damaged {
        /// The input.
        path: String,
        /// What is wrong with the container.
        cause: String,
    },
    /// An `.xls` sheet spanning more cells than the format holds (a damaged file).
    #[error(
        "'{path}': refused: a sheet spans {cells} cells, more than an .xls file can hold (65,536 rows × 256 columns); the file is damaged"
    )]
    Oversized {
        /// The input.
        path: String,
        /// The cells the sheet would span.
        cells: u64,
    },
    /// An .xls or .ods whose sheets would take more than [`MAX_GRID_CELLS`] in memory.
    #[error(
        "'{path}': refused: its sheets span {cells} cells, which would take about {mib} MiB to read (at most 4,194,304 cells are read from an .xls or .ods); save it as .xlsx or .csv and run again"
    )]
    TooBig {
        /// The input.
        path: String,
        /// The grid cells its sheets would take.
        cells: u64,
        /// What they would take, in MiB.
        mib: u64,
    },
    /// An .ods saved with a password.
    #[error(
        "'{path}': the spreadsheet is protected by a password; open it in LibreOffice, save it again without the password (File → Save As, \"Save with password\" unticked) and run again"
    )]
    EncryptedOds {
        /// The input.
        path: String,
    },
    /// No sheet has columns that map to at least the name and the ID number.
    #[error(
        "'{path}': no header with a name and an ID number column; headers seen: {seen}{}",
        hidden_en(*hidden)
    )]
    NoHeader {
        /// The input.
        path: String,
        /// The cells of the best candidate row that look like headers, quoted and joined.
        seen: String,
        /// How many cells of that row look like a person's data and are not shown.
        hidden: usize,
    },
    /// A link inside an input folder that leads outside it.
    #[error(
        "'{path}': not read: a link to a file outside the input folder; name that file on the command line to read it"
    )]
    LinkOutside {
        /// The link.
        path: String,
    },
    /// A workbook file of 0 bytes.
    #[error("'{path}': the file is empty (0 bytes); export the dump again")]
    Empty {
        /// The input.
        path: String,
    },
    /// The `--sheet` filter matched no sheet.
    #[error("'{path}': no sheet named {wanted}; sheets: {found}")]
    NoSuchSheet {
        /// The input.
        path: String,
        /// The names asked for.
        wanted: String,
        /// The names present.
        found: String,
    },
}

/// The note on the cells of a header-less row that are not shown, in English.
fn hidden_en(hidden: usize) -> String {
    if hidden > 0 {
        format!(" (and {hidden} cells that look like personal data, not shown)")
    } else {
        String::new()
    }
}

/// The system's reason for a file that cannot be opened, in Vietnamese where it is a common one;
/// else kept, marked as the system's own words.
fn cause_vi(cause: &str) -> String {
    // Linux, then Windows ("The system cannot find the file specified."), then Wine's words.
    const KNOWN: [(&str, &str); 8] = [
        (
            "No such file or directory",
            "không có tệp hoặc thư mục này (kiểm tra lại đường dẫn)",
        ),
        (
            "cannot find the file",
            "không có tệp hoặc thư mục này (kiểm tra lại đường dẫn)",
        ),
        (
            "cannot find the path",
            "không có tệp hoặc thư mục này (kiểm tra lại đường dẫn)",
        ),
        ("Permission denied", "không có quyền đọc"),
        ("Access is denied", "không có quyền đọc"),
        (
            "File not found",
            "không có tệp hoặc thư mục này (kiểm tra lại đường dẫn)",
        ),
        (
            "Path not found",
            "không có tệp hoặc thư mục này (kiểm tra lại đường dẫn)",
        ),
        ("Access denied", "không có quyền đọc"),
    ];
    KNOWN.iter().find(|(en, _)| cause.contains(en)).map_or_else(
        || format!("lỗi hệ thống: {cause}"),
        |(_, vi)| (*vi).to_string(),
    )
}

/// A reader library's own (English) words, shown after a Vietnamese message as a technical
/// detail for whoever repairs the file; nothing when there are none.
fn detail_vi(cause: &str) -> String {
    if cause.trim().is_empty() {
        String::new()
    } else {
        format!(" (chi tiết kỹ thuật: {cause})")
    }
}

impl InputError {
    /// The message in `lang`, one line.
    pub fn render(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            InputError::Open { path, cause } => {
                format!("'{path}': không mở được: {}", cause_vi(cause))
            }
            InputError::Unsupported { path } => format!(
                "'{path}': không hỗ trợ loại tệp này (cần .xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt)"
            ),
            InputError::Unreadable { path, cause } => {
                format!(
                    "'{path}': không đọc được tệp (hỏng, có mật khẩu hoặc sai định dạng){}",
                    detail_vi(cause)
                )
            }
            InputError::Encrypted { path } => format!(
                "'{path}': tệp Excel có đặt mật khẩu; mở bằng Excel, bỏ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu) rồi chạy lại"
            ),
            InputError::OldFormat { path } => format!(
                "'{path}': đây là tệp Excel 97-2003 nhưng mang đuôi mới; đổi đuôi thành .xls (hoặc lưu lại dạng .xlsx) rồi chạy lại"
            ),
            InputError::Bomb {
                path,
                inflated_mib,
                packed_kib,
            } => format!(
                "'{path}': từ chối đọc: các phần của tệp giải nén ra {inflated_mib} MiB từ {packed_kib} KiB (bom nén?)"
            ),
            InputError::Damaged { path, cause } => format!(
                "'{path}': không đọc được: tệp Excel 97-2003 bị hỏng; mở tệp bằng Excel, lưu lại rồi chạy lại{}",
                detail_vi(cause)
            ),
            InputError::Oversized { path, cells } => format!(
                "'{path}': từ chối đọc: một trang tính trải trên {cells} ô, nhiều hơn tệp .xls có thể chứa (65.536 dòng × 256 cột); tệp bị hỏng"
            ),
            InputError::NoHeader { path, seen, hidden } => {
                let hidden = if *hidden > 0 {
                    format!(" (và {hidden} ô trông như dữ liệu cá nhân, không hiện ra)")
                } else {
                    String::new()
                };
                format!(
                    "'{path}': không tìm thấy dòng tiêu đề có cột họ tên và cột số CMND/CCCD; tiêu đề thấy được: {seen}{hidden}"
                )
            }
            InputError::NoSuchSheet {
                path,
                wanted,
                found,
            } => format!("'{path}': không có trang tính {wanted}; các trang tính: {found}"),
            InputError::TooBig { path, cells, mib } => format!(
                "'{path}': từ chối đọc: các trang tính trải trên {cells} ô, cần khoảng {mib} MiB bộ nhớ để đọc (tệp .xls hoặc .ods chỉ được đọc tới 4.194.304 ô); hãy lưu lại dạng .xlsx hoặc .csv rồi chạy lại"
            ),
            InputError::EncryptedOds { path } => format!(
                "'{path}': bảng tính có đặt mật khẩu; mở bằng LibreOffice, lưu lại không kèm mật khẩu (Tệp → Lưu thành, bỏ chọn \"Lưu với mật khẩu\") rồi chạy lại"
            ),
            InputError::LinkOutside { path } => format!(
                "'{path}': không đọc: đây là liên kết tới một tệp ngoài thư mục đầu vào; muốn đọc tệp đó thì ghi rõ tên tệp trên dòng lệnh"
            ),
            InputError::Empty { path } => {
                format!("'{path}': tệp rỗng (0 byte); hãy xuất lại dữ liệu")
            }
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            InputError::Open { path, .. }
            | InputError::Unsupported { path }
            | InputError::Unreadable { path, .. }
            | InputError::Bomb { path, .. }
            | InputError::Encrypted { path }
            | InputError::OldFormat { path }
            | InputError::Oversized { path, .. }
            | InputError::Damaged { path, .. }
            | InputError::NoHeader { path, .. }
            | InputError::NoSuchSheet { path, .. }
            | InputError::LinkOutside { path }
            | InputError::TooBig { path, .. }
            | InputError::EncryptedOds { path }
            | InputError::Empty { path } => path,
        }
    }
}

/// Expands the inputs: files as given, directories into every supported file under them
/// (sorted, hidden files and Excel's `~$` lock files left out). A link under a folder is followed
/// only when it leads to a file inside that folder; one that leads outside is named in an error
/// and not read (a link to a system file must not have its lines printed as "headers seen").
pub fn discover(args: &[PathBuf]) -> (Vec<InputFile>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        let display = arg.display().to_string();
        match std::fs::metadata(arg) {
            Err(e) => errors.push(InputError::Open {
                path: display,
                cause: e.to_string(),
            }),
            Ok(meta) if meta.is_dir() => {
                let root = std::fs::canonicalize(arg).unwrap_or_else(|_| arg.clone());
                let mut found = Vec::new();
                walk(&root, arg, &mut found, &mut errors);
                found.sort();
                for path in found {
                    if let Some(format) = Format::of(&path) {
                        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                        files.push(InputFile {
                            display: path.display().to_string(),
                            path,
                            format,
                            size,
                            from_folder: true,
                        });
                    }
                }
            }
            Ok(meta) => match Format::of(arg) {
                Some(format) => files.push(InputFile {
                    path: arg.clone(),
                    display,
                    format,
                    size: meta.len(),
                    from_folder: false,
                }),
                None => errors.push(InputError::Unsupported { path: display }),
            },
        }
    }
    (files, errors)
}

/// Lists the files under `dir`, a folder inside the input folder `root` (canonical).
fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<InputError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(InputError::Open {
                path: dir.display().to_string(),
                cause: e.to_string(),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(root, &path, out, errors),
            Ok(t) if t.is_symlink() => match std::fs::canonicalize(&path) {
                // A link to a folder is not walked (the folder it leads to, when inside, is).
                Ok(target) if target.starts_with(root) && target.is_file() => out.push(path),
                Ok(target) if target.starts_with(root) => {}
                Ok(target) if target.is_dir() || Format::of(&path).is_some() => {
                    errors.push(InputError::LinkOutside {
                        path: path.display().to_string(),
                    });
                }
                // A broken link, or a link to something that is not an input.
                _ => {}
            },
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
}

/// What the readers need to know.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Header names.
    pub headers: HeaderTable,
    /// The header row, 1-based, when the user fixed it.
    pub header_row: Option<usize>,
    /// Only these sheets (empty: all).
    pub sheets: Vec<String>,
    /// Fields not to read even when a column holds them (the work at hand does not use them).
    pub skip: [bool; FIELD_COUNT],
}

impl ReadOptions {
    /// Reads only `fields`.
    pub fn only(&mut self, fields: &[crate::record::Field]) {
        for (i, skip) in self.skip.iter_mut().enumerate() {
            *skip = !fields.iter().any(|f| f.index() == i);
        }
    }

    /// `columns` without the skipped fields.
    pub fn kept(&self, mut columns: [Option<usize>; FIELD_COUNT]) -> [Option<usize>; FIELD_COUNT] {
        for (col, skip) in columns.iter_mut().zip(self.skip) {
            if skip {
                *col = None;
            }
        }
        columns
    }
}

/// A sheet (or CSV file) being read: which input, which columns.
#[derive(Debug, Clone)]
pub struct SheetCtx {
    /// Index of the input in the run.
    pub source: u32,
    /// Index of the sheet in the run's sheet table.
    pub sheet: u32,
    /// The column of each field, in [`crate::record::Field::ALL`] order.
    pub columns: [Option<usize>; FIELD_COUNT],
    /// How many columns the header has (CSV rows of another width are ragged).
    pub width: usize,
}

/// What a reader tells about a sheet when it finds its header.
#[derive(Debug, Clone)]
pub struct SheetInfo {
    /// Index of the input in the run.
    pub source: u32,
    /// Sheet name; empty for CSV.
    pub name: String,
    /// 1-based row of the header.
    pub header_row: u32,
    /// The header cells as found.
    pub headers: Vec<String>,
    /// Which fields were found, by name.
    pub mapped: Vec<&'static str>,
    /// The CSV encoding or `None` for workbooks.
    pub encoding: Option<&'static str>,
    /// The CSV delimiter.
    pub delimiter: Option<char>,
}

/// The sheets a [`Sink`] was told of, by index: what its `sheet` method keeps.
#[derive(Debug, Default)]
pub struct Sheets(std::sync::Mutex<Vec<SheetInfo>>);

impl Sheets {
    /// Keeps a sheet; returns its index (what [`Sink::sheet`] returns).
    pub fn add(&self, info: SheetInfo) -> u32 {
        let mut sheets = self.lock();
        sheets.push(info);
        (sheets.len() - 1) as u32
    }

    /// The name of sheet `i` ("" for CSV or a sheet not kept).
    pub fn name(&self, i: u32) -> String {
        self.lock()
            .get(i as usize)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    /// The sheets kept, by index.
    pub fn into_vec(self) -> Vec<SheetInfo> {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SheetInfo>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Where a text cell's text is in its batch's text ([`CellRows`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TextSpan {
    start: u32,
    len: u32,
}

/// A workbook row reduced to the canonical fields; its texts are kept by its batch.
#[derive(Debug, Clone, Default)]
pub struct CellRow {
    /// 1-based sheet row.
    pub row: u32,
    /// One cell per field.
    pub cells: [Cell<TextSpan>; FIELD_COUNT],
}

/// Workbook rows of one batch, every text of them one after another in one buffer: the reading
/// thread allocates nothing per cell, and the checking thread frees two buffers per batch.
#[derive(Debug)]
pub struct CellRows {
    text: String,
    rows: Vec<CellRow>,
    /// The bytes of text the batch can hold: what a span can point into.
    limit: usize,
}

impl Default for CellRows {
    fn default() -> Self {
        CellRows::with_capacity(0)
    }
}

impl CellRows {
    /// A batch with room for `rows` rows.
    pub fn with_capacity(rows: usize) -> Self {
        CellRows {
            text: String::with_capacity(rows * 128),
            rows: Vec::with_capacity(rows),
            limit: u32::MAX as usize,
        }
    }

    /// Keeps `text` for a cell of a row still to be pushed ([`CellRows::push`]). `None` when it
    /// does not fit (4 GiB of text in one batch): the caller sends the batch and starts another.
    pub fn add_text(&mut self, text: &str) -> Option<TextSpan> {
        if self.text.len() + text.len() > self.limit {
            return None;
        }
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(text.len()).ok()?;
        self.text.push_str(text);
        Some(TextSpan { start, len })
    }

    /// Lowers what the batch can hold, to test what happens when it is full.
    #[cfg(test)]
    pub(crate) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Keeps `cell`, its text with [`CellRows::add_text`]; `None` as there.
    pub fn add(&mut self, cell: Cell<&str>) -> Option<Cell<TextSpan>> {
        match cell {
            Cell::Text(s) => Some(Cell::Text(self.add_text(s)?)),
            other => Some(other.map_text(|_| TextSpan::default())),
        }
    }

    /// Past this many bytes of text a batch is sent, whatever its number of rows (a batch of
    /// long texts must not hold the reader's memory).
    pub const MAX_TEXT: usize = 64 << 20;

    /// Adds a row whose texts were kept by this batch.
    pub fn push(&mut self, row: CellRow) {
        self.rows.push(row);
    }

    /// The rows.
    pub fn rows(&self) -> &[CellRow] {
        &self.rows
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The bytes of text kept.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// A cell of one of the rows, its text borrowed from the batch (empty if the span is not
    /// this batch's).
    pub fn cell(&self, c: &Cell<TextSpan>) -> CellRef<'_> {
        c.map_text(|t| {
            let (start, len) = (t.start as usize, t.len as usize);
            std::borrow::Cow::Borrowed(self.text.get(start..start + len).unwrap_or_default())
        })
    }
}

/// A batch of rows of one sheet.
#[derive(Debug)]
pub enum Rows {
    /// CSV text of whole records, parsed by the thread that checks it (the buffers are
    /// recycled between batches).
    Csv(csv::CsvChunk),
    /// Workbook rows.
    Cells(CellRows),
    /// A CSV record that could not be read (a quote never closed, a record too long), to be
    /// reported on its line.
    Broken(csv::BrokenRecord),
}

/// Rows of one sheet, handed from a reader to the checkers.
#[derive(Debug)]
pub struct Batch {
    /// The sheet.
    pub ctx: Arc<SheetCtx>,
    /// The rows.
    pub rows: Rows,
}

impl Batch {
    /// Calls `f` with each row as a raw record, and the CSV record it came from (for CSV).
    pub fn for_each_row<F>(&self, mut f: F)
    where
        F: FnMut(&crate::record::RawRecord<'_>, Option<&csv::CsvRecord<'_>>),
    {
        use crate::record::{RawRecord, RowLoc};
        let ctx = &self.ctx;
        let loc = |row: u32| RowLoc {
            source: ctx.source,
            sheet: ctx.sheet,
            row,
        };
        match &self.rows {
            Rows::Csv(chunk) => {
                // Parsed into this thread's buffers, reused from batch to batch.
                thread_local! {
                    static PARSED: std::cell::Cell<csv::CsvBatch> = std::cell::Cell::default();
                }
                let mut records = PARSED.take();
                records.for_each_record(chunk, |rec| {
                    let raw = RawRecord {
                        loc: loc(rec.line()),
                        cells: csv::record_cells(rec, &ctx.columns),
                    };
                    f(&raw, Some(rec));
                });
                PARSED.set(records);
            }
            Rows::Broken(_) => {}
            Rows::Cells(rows) => {
                for r in rows.rows() {
                    let raw = RawRecord {
                        loc: loc(r.row),
                        cells: std::array::from_fn(|i| rows.cell(&r.cells[i])),
                    };
                    f(&raw, None);
                }
            }
        }
    }
}

/// Where readers send what they read.
pub trait Sink: Sync {
    /// Registers a sheet whose header was found; returns its index.
    fn sheet(&self, info: SheetInfo) -> u32;
    /// Hands over a batch; `false` means stop reading.
    fn batch(&self, batch: Batch) -> bool;
    /// A recycled buffer for CSV text, if one is free.
    fn recycled(&self) -> Option<Vec<u8>>;
    /// `bytes` more of the input have been read.
    fn progress(&self, bytes: u64);
    /// A sheet of a workbook was skipped because it has no recognisable header.
    fn sheet_skipped(&self, source: u32, sheet: &str);
    /// The SHA-256 of input `source` (hex), when its reader read it whole on the way.
    fn hashed(&self, source: u32, sha256: String) {
        let _ = (source, sha256);
    }
}

/// Reads one input into `sink`.
pub fn read_file(
    file: &InputFile,
    source: u32,
    opts: &ReadOptions,
    sink: &dyn Sink,
) -> Result<(), InputError> {
    let read = || {
        // Test hook, debug builds only: a reader that panics on the named file, so that the tests
        // can prove the guard end to end (the inputs the fuzzer found are now refused earlier).
        #[cfg(debug_assertions)]
        if std::env::var_os("VAXCLEAN_TEST_READER_PANIC")
            .is_some_and(|name| file.display.ends_with(&*name.to_string_lossy()))
        {
            panic!("test hook: the reader panicked");
        }
        match file.format {
            Format::Csv => csv::read(file, source, opts, sink),
            Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods => {
                excel::read(file, source, opts, sink)
            }
        }
    };
    guard::guarded(read).unwrap_or_else(|cause| {
        Err(InputError::Unreadable {
            path: file.display.clone(),
            cause,
        })
    })
}

/// Picks the header among the first rows (as text), or says which headers were seen.
pub(crate) fn find_header(
    file: &InputFile,
    opts: &ReadOptions,
    first_rows: &[Vec<String>],
) -> Result<header::Header, InputError> {
    let forced = opts.header_row.map(|r| r.saturating_sub(1));
    match header::detect(&opts.headers, first_rows, forced) {
        Some(h) if h.has_required() => Ok(h),
        found => {
            let seen_row = match &found {
                Some(h) => h.names.clone(),
                None => {
                    // The first of the fullest rows: a header is usually as wide as the data.
                    let filled =
                        |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty()).count();
                    let most = first_rows.iter().map(filled).max().unwrap_or(0);
                    first_rows
                        .iter()
                        .find(|r| filled(r) == most)
                        .cloned()
                        .unwrap_or_default()
                }
            };
            let cells: Vec<&str> = seen_row
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            let shown: Vec<String> = cells
                .iter()
                .filter(|c| looks_like_header(&opts.headers, c))
                .take(30)
                .map(|c| format!("\"{}\"", c.chars().take(60).collect::<String>()))
                .collect();
            let hidden = cells
                .iter()
                .filter(|c| !looks_like_header(&opts.headers, c))
                .count();
            Err(InputError::NoHeader {
                path: file.display.clone(),
                seen: if shown.is_empty() {
                    "-".into()
                } else {
                    shown.join(", ")
                },
                hidden,
            })
        }
    }
}

/// Whether a cell may be quoted in a message about a missing header: it reads as a header, a
/// title or a place, not as a person's data. A dump exported without its header row shows its
/// first person where the header should be, so digits (an ID number, a phone, a date), an
/// e-mail address and names (two to six capitalised words, unless the first is a unit such as
/// "Tỉnh" or "Xã") are never quoted; a known header always is.
pub(crate) fn looks_like_header(table: &HeaderTable, cell: &str) -> bool {
    if table.lookup(cell).is_some() {
        return true;
    }
    if cell.chars().any(|c| c.is_ascii_digit() || c == '@') {
        return false;
    }
    let words: Vec<&str> = cell.split_whitespace().collect();
    let capitalised = |w: &&str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_uppercase)
            && chars.all(|c| c.is_alphabetic() && !c.is_uppercase())
    };
    let name_like = (2..=6).contains(&words.len()) && words.iter().all(capitalised);
    let unit = words.first().is_some_and(|w| {
        matches!(
            crate::normalize::text::fold(w).as_str(),
            "tinh" | "thanh" | "huyen" | "quan" | "thi" | "xa" | "phuong"
        )
    });
    !name_like || unit
}

/// The names of the mapped fields, for summaries.
pub(crate) fn mapped_names(columns: &[Option<usize>; FIELD_COUNT]) -> Vec<&'static str> {
    crate::record::Field::ALL
        .iter()
        .filter(|f| columns[f.index()].is_some())
        .map(|f| f.name())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_lines_say_the_common_causes_in_vietnamese() {
        let missing = InputError::Open {
            path: "dunp.csv".into(),
            cause: "No such file or directory (os error 2)".into(),
        };
        let line = missing.render(Lang::Vi);
        assert!(line.contains("không có tệp hoặc thư mục này"), "{line}");
        assert!(!line.contains("No such file"), "{line}");
        let denied = InputError::Open {
            path: "a.csv".into(),
            cause: "Permission denied (os error 13)".into(),
        };
        assert!(denied.render(Lang::Vi).contains("không có quyền đọc"));
        // A library's own words stay, marked as a technical detail after the Vietnamese line.
        let damaged = InputError::Unreadable {
            path: "a.xlsx".into(),
            cause: "Zip error: invalid Zip archive".into(),
        };
        let line = damaged.render(Lang::Vi);
        assert!(
            line.ends_with("(chi tiết kỹ thuật: Zip error: invalid Zip archive)"),
            "{line}"
        );
        assert!(missing.render(Lang::En).contains("No such file"));
    }
}
