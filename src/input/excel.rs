//! Workbooks. xlsx/xlsm are streamed cell by cell by our own reader ([`super::xlsx`]), calamine
//! reading on wherever it gives up; xlsb is streamed cell by cell by calamine (never the
//! whole-sheet range, which a single stray cell in column XFD would make enormous); xls and ods
//! are loaded by calamine at open anyway and read from their range. Every sheet is read unless `--sheet`
//! narrows it; sheets without a recognisable header are skipped and reported.

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use calamine::{Data, DataRef, ExcelDateTime, Ods, Reader, Xls, Xlsb, Xlsx, open_workbook};
use chrono::NaiveDate;

use super::{
    BATCH_ROWS, Batch, CellRow, CellRows, Format, InputError, InputFile, ReadOptions, Rows,
    SheetCtx, SheetInfo, Sink, find_header, header::HEADER_SEARCH_ROWS, mapped_names,
};
use crate::record::Cell;

/// Columns kept per row while looking for the header.
const HEADER_MAX_COLUMNS: u32 = 512;

fn unreadable(file: &InputFile, e: impl std::fmt::Display) -> InputError {
    InputError::Unreadable {
        path: file.display.clone(),
        cause: error_chain(&e.to_string()),
    }
}

/// calamine repeats its message in the cause chain; keep one line.
fn error_chain(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

pub(super) fn date_of(dt: &ExcelDateTime) -> Cell<&'static str> {
    if dt.is_duration() {
        return Cell::Number(dt.as_f64());
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
        Some(date) => Cell::Date(date),
        None => Cell::Number(dt.as_f64()),
    }
}

pub(super) fn iso_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn from_ref<'a>(v: &'a DataRef<'_>) -> Cell<&'a str> {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.as_str()),
        DataRef::SharedString(s) => Cell::Text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => date_of(dt),
        DataRef::DateTimeIso(s) => iso_date(s).map_or(Cell::Text(s.as_str()), Cell::Date),
        DataRef::DurationIso(s) => Cell::Text(s.as_str()),
        DataRef::Error(_) => Cell::Error,
    }
}

/// A calamine cell as a [`Cell`].
pub(crate) fn from_data(v: &Data) -> Cell<&str> {
    match v {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.as_str()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => date_of(dt),
        Data::DateTimeIso(s) => iso_date(s).map_or(Cell::Text(s.as_str()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.as_str()),
        Data::Error(_) => Cell::Error,
    }
}

/// An owned copy of a cell; blank text becomes empty.
pub(crate) fn owned(c: Cell<&str>) -> Cell<String> {
    match c {
        Cell::Text(s) if s.trim().is_empty() => Cell::Empty,
        c => c.map_text(|s| s.to_string()),
    }
}

/// A part bigger than this when inflated is only accepted at a ratio real workbooks have.
const BOMB_PART_BYTES: u64 = 256 << 20;
/// Sheet XML packs 5–20 times; a bomb, hundreds or thousands of times.
const BOMB_RATIO: u64 = 200;
/// No real dump inflates to more than this in all (Excel's 1,048,576 rows of 16 columns is ~1 GiB).
const BOMB_TOTAL_BYTES: u64 = 16 << 30;

/// Refuses a zip-based workbook (xlsx, xlsb, ods) whose parts say they inflate far beyond any real
/// dump, before anything is inflated. Files that are not zips are left to the reader.
pub fn check_zip(file: &InputFile) -> Result<(), InputError> {
    let Ok(f) = File::open(&file.path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(f)) else {
        return Ok(());
    };
    let (mut total, mut packed) = (0u64, 0u64);
    let mut bomb = false;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index_raw(i) else {
            continue;
        };
        let (size, comp) = (part.size(), part.compressed_size());
        total = total.saturating_add(size);
        packed = packed.saturating_add(comp);
        if size > BOMB_PART_BYTES && size / comp.max(1) > BOMB_RATIO {
            bomb = true;
        }
    }
    if bomb || total > BOMB_TOTAL_BYTES {
        return Err(InputError::Bomb {
            path: file.display.clone(),
            inflated_mib: total >> 20,
            packed_kib: packed >> 10,
        });
    }
    Ok(())
}

/// The first bytes of an OLE compound file: what Excel writes for an .xlsx saved with a password
/// (the zip is encrypted inside an `EncryptedPackage` stream).
pub(crate) const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Tells a password-protected xlsx/xlsb (an OLE container holding an `EncryptedPackage`) and an
/// old `.xls` renamed `.xlsx` apart from a merely broken file, for a message that says what to do.
fn check_encrypted(file: &InputFile) -> Result<(), InputError> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let read = File::open(&file.path).and_then(|mut f| f.read_exact(&mut head));
    if read.is_err() || head != OLE_MAGIC || file.format == Format::Ods {
        return Ok(());
    }
    let Ok(cfb) = File::open(&file.path)
        .map_err(drop)
        .and_then(|f| cfb::CompoundFile::open(f).map_err(drop))
    else {
        return Ok(());
    };
    if cfb.exists("EncryptedPackage") || cfb.exists("EncryptionInfo") {
        return Err(InputError::Encrypted {
            path: file.display.clone(),
        });
    }
    if cfb.exists("Workbook") || cfb.exists("Book") {
        return Err(InputError::OldFormat {
            path: file.display.clone(),
        });
    }
    Ok(())
}

/// What is checked before calamine opens a workbook: a password (zip formats), a zip bomb, an
/// `.xls` sheet beyond the format's size. Every reader of workbooks calls this first.
pub fn precheck(file: &InputFile) -> Result<(), InputError> {
    if file.format != Format::Csv && file.size == 0 {
        return Err(InputError::Empty {
            path: file.display.clone(),
        });
    }
    match file.format {
        Format::Xlsx | Format::Xlsb => {
            check_encrypted(file)?;
            check_zip(file)
        }
        Format::Ods => {
            check_zip(file)?;
            check_ods(file)
        }
        Format::Xls => super::xls::check(file),
        Format::Csv => Ok(()),
    }
}

/// [`precheck`] of a workbook named by its path (the returned lists and the merged copies of
/// `apply-corrections`, which do not come through [`super::discover`]).
pub fn precheck_path(path: &std::path::Path, display: &str) -> Result<(), InputError> {
    let Some(format) = Format::of(path) else {
        return Ok(());
    };
    precheck(&InputFile {
        path: path.to_path_buf(),
        display: display.to_string(),
        format,
        size: std::fs::metadata(path).map_or(0, |m| m.len()),
        from_folder: false,
    })
}

/// Bytes a grid cell of an .ods takes in calamine (a value and a formula).
const ODS_CELL_BYTES: u64 = 56;

/// Refuses an .ods saved with a password (with what to do), and one whose sheets would take more
/// than [`super::MAX_GRID_CELLS`] once calamine loads them.
fn check_ods(file: &InputFile) -> Result<(), InputError> {
    let Ok(f) = File::open(&file.path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(f)) else {
        return Ok(());
    };
    let Some(survey) = super::ods::survey(&mut zip) else {
        return Ok(());
    };
    if survey.encrypted {
        return Err(InputError::EncryptedOds {
            path: file.display.clone(),
        });
    }
    super::check_grid(file, survey.grid_cells, ODS_CELL_BYTES)
}

/// Streams the selected sheets of an xlsx or xlsb workbook `$wb` cell by cell into `$sink`,
/// returning from the reader when the sink says stop. A macro: calamine's two cell readers
/// share no trait.
macro_rules! stream_cell_sheets {
    ($wb:ident, $file:ident, $source:ident, $opts:ident, $sink:ident, $outcome:ident) => {
        for name in select_sheets($file, $opts, worksheets($wb.sheets_metadata()))? {
            let mut streamer = SheetStreamer::new($file, $source, &name, $opts, $sink);
            let result = match $wb.worksheet_cells_reader(&name) {
                Ok(mut cells) => loop {
                    match cells.next_cell() {
                        Ok(Some(cell)) => {
                            let (r, c) = cell.get_position();
                            if !streamer.cell(r, c, from_ref(cell.get_value())) {
                                break streamer.finish();
                            }
                        }
                        Ok(None) => break streamer.finish(),
                        Err(e) => break Err(unreadable($file, e)),
                    }
                },
                Err(e) => Err(unreadable($file, e)),
            };
            if $outcome.add(result, &name, $source, $sink) {
                return Ok(());
            }
        }
    };
}

/// Reads a workbook input into `sink`.
pub fn read(
    file: &InputFile,
    source: u32,
    opts: &ReadOptions,
    sink: &dyn Sink,
) -> Result<(), InputError> {
    precheck(file)?;
    let mut outcome = SheetsOutcome::default();
    match file.format {
        Format::Xlsx => match super::xlsx::open(&file.path) {
            Ok(book) => {
                if stream_xlsx(book, file, source, opts, sink, &mut outcome)? {
                    return Ok(());
                }
            }
            // Parts our reader does not read: calamine reads the whole workbook.
            Err(_) => {
                let mut wb: Xlsx<BufReader<File>> =
                    open_workbook(&file.path).map_err(|e| unreadable(file, e))?;
                stream_cell_sheets!(wb, file, source, opts, sink, outcome);
            }
        },
        Format::Xlsb => {
            let mut wb: Xlsb<BufReader<File>> =
                open_workbook(&file.path).map_err(|e| unreadable(file, e))?;
            stream_cell_sheets!(wb, file, source, opts, sink, outcome);
        }
        Format::Xls => {
            let mut wb: Xls<BufReader<File>> =
                open_workbook(&file.path).map_err(|e| unreadable(file, e))?;
            if stream_ranges(&mut wb, file, source, opts, sink, &mut outcome)? {
                return Ok(());
            }
        }
        Format::Ods => {
            let mut wb: Ods<BufReader<File>> =
                open_workbook(&file.path).map_err(|e| unreadable(file, e))?;
            if stream_ranges(&mut wb, file, source, opts, sink, &mut outcome)? {
                return Ok(());
            }
        }
        Format::Csv => return Err(unreadable(file, "not a workbook")),
    }
    sink.progress(file.size);
    outcome.into_result(file)
}

/// Reads the selected sheets of an xlsx workbook with our reader ([`super::xlsx`]).
/// `Ok(true)` when the sink asked to stop reading the file.
fn stream_xlsx(
    mut book: super::xlsx::Book,
    file: &InputFile,
    source: u32,
    opts: &ReadOptions,
    sink: &dyn Sink,
    outcome: &mut SheetsOutcome,
) -> Result<bool, InputError> {
    let mut calamine = None;
    for name in select_sheets(file, opts, book.worksheets())? {
        let mut streamer = SheetStreamer::new(file, source, &name, opts, sink);
        let given = xlsx_sheet_cells(&mut book, &mut calamine, &file.path, &name, |r, c, v| {
            streamer.cell(r, c, v)
        });
        let result = match given {
            Ok(_) => streamer.finish(),
            Err(e) => Err(unreadable(file, e)),
        };
        if outcome.add(result, &name, source, sink) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Gives every cell of sheet `name` to `cell` (until it says `false`): our reader's and, if it
/// gives the sheet back part-way, calamine's from there on (calamine reads the sheet again and
/// the cells our reader gave are skipped). `Ok` tells whether calamine took over and why;
/// `Err` is calamine's reason the sheet cannot be read.
fn xlsx_sheet_cells(
    book: &mut super::xlsx::Book,
    calamine: &mut Option<Xlsx<BufReader<File>>>,
    path: &std::path::Path,
    name: &str,
    mut cell: impl FnMut(u32, u32, Cell<&str>) -> bool,
) -> Result<Option<super::xlsx::Bail>, String> {
    let bail = match book.stream(name, &mut cell) {
        Ok(()) => return Ok(None),
        Err(bail) => bail,
    };
    let wb = match calamine {
        Some(wb) => wb,
        None => {
            calamine.insert(open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?)
        }
    };
    let mut cells = wb.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
    let mut seen = 0u64;
    loop {
        match cells.next_cell() {
            Ok(Some(c)) => {
                seen += 1;
                if seen <= bail.cells {
                    continue;
                }
                let (r, col) = c.get_position();
                if !cell(r, col, from_ref(c.get_value())) {
                    return Ok(Some(bail));
                }
            }
            Ok(None) => return Ok(Some(bail)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Cells as (sheet, row, column, value shown as `{:?}`).
#[cfg(test)]
pub(crate) type ShownCells = Vec<(String, u32, u32, String)>;

/// Every cell of every worksheet of an xlsx workbook, shown as `{:?}`, read by our reader
/// (calamine taking over where it gives up) or, with `ours` false, by calamine alone; with the
/// reasons our reader gave sheets back. `Err` is calamine's reason it cannot be read.
#[cfg(test)]
pub(crate) fn xlsx_cells(
    path: &std::path::Path,
    ours: bool,
) -> Result<(ShownCells, Vec<&'static str>), String> {
    let (mut cells, mut bails) = (Vec::new(), Vec::new());
    let book = match ours.then(|| super::xlsx::open(path)) {
        Some(Ok(book)) => Some(book),
        Some(Err(unsupported)) => {
            bails.push(unsupported.0);
            None
        }
        None => None,
    };
    let Some(mut book) = book else {
        let mut wb: Xlsx<BufReader<File>> =
            open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
        for name in worksheets(wb.sheets_metadata()) {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| e.to_string())?;
            while let Some(c) = reader.next_cell().map_err(|e| e.to_string())? {
                let (r, col) = c.get_position();
                cells.push((
                    name.clone(),
                    r,
                    col,
                    format!("{:?}", from_ref(c.get_value())),
                ));
            }
        }
        return Ok((cells, bails));
    };
    let mut calamine = None;
    for name in book.worksheets() {
        let bail = xlsx_sheet_cells(&mut book, &mut calamine, path, &name, |r, c, v| {
            cells.push((name.clone(), r, c, format!("{v:?}")));
            true
        })?;
        bails.extend(bail.map(|b| b.why));
    }
    Ok((cells, bails))
}

/// The names of the worksheets: chart sheets, dialog and macro sheets and VBA modules hold no
/// rows and are left out before anything is read from them.
fn worksheets(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

/// Reads the selected sheets of an xls or ods workbook, each as one range, into `sink`;
/// `Ok(true)` when the sink asked to stop reading the file.
fn stream_ranges<RS, R>(
    wb: &mut R,
    file: &InputFile,
    source: u32,
    opts: &ReadOptions,
    sink: &dyn Sink,
    outcome: &mut SheetsOutcome,
) -> Result<bool, InputError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    for name in select_sheets(file, opts, worksheets(wb.sheets_metadata()))? {
        let result = match wb.worksheet_range(&name) {
            Ok(range) => stream_range(file, source, &name, opts, sink, &range),
            Err(e) => Err(unreadable(file, e)),
        };
        if outcome.add(result, &name, source, sink) {
            return Ok(true);
        }
    }
    Ok(false)
}

fn stream_range(
    file: &InputFile,
    source: u32,
    name: &str,
    opts: &ReadOptions,
    sink: &dyn Sink,
    range: &calamine::Range<Data>,
) -> Result<SheetEnd, InputError> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut streamer = SheetStreamer::new(file, source, name, opts, sink);
    for (r, c, v) in range.used_cells() {
        if !streamer.cell(r0 + r as u32, c0 + c as u32, from_data(v)) {
            break;
        }
    }
    streamer.finish()
}

/// What became of a workbook's sheets: at least one must have a header.
#[derive(Default)]
struct SheetsOutcome {
    read: usize,
    first_error: Option<InputError>,
}

/// What a sheet's reading ended in.
enum SheetEnd {
    /// Read to its end.
    Read,
    /// The sink asked to stop reading the file.
    Stopped,
}

impl SheetsOutcome {
    /// Notes a sheet; `true` when the sink asked to stop reading the file.
    fn add(
        &mut self,
        result: Result<SheetEnd, InputError>,
        name: &str,
        source: u32,
        sink: &dyn Sink,
    ) -> bool {
        match result {
            Ok(SheetEnd::Read) => self.read += 1,
            Ok(SheetEnd::Stopped) => return true,
            Err(e) => {
                sink.sheet_skipped(source, name);
                self.first_error.get_or_insert(e);
            }
        }
        false
    }

    /// `Err` when no sheet was read: the first sheet's reason (no header, unreadable), or, for
    /// a workbook with no worksheet at all, that it has none.
    fn into_result(self, file: &InputFile) -> Result<(), InputError> {
        match (self.read, self.first_error) {
            (0, Some(e)) => Err(e),
            (0, None) => Err(InputError::NoHeader {
                path: file.display.clone(),
                seen: "-".into(),
                hidden: 0,
            }),
            _ => Ok(()),
        }
    }
}

fn select_sheets(
    file: &InputFile,
    opts: &ReadOptions,
    names: Vec<String>,
) -> Result<Vec<String>, InputError> {
    if opts.sheets.is_empty() {
        return Ok(names);
    }
    let chosen: Vec<String> = names
        .iter()
        .filter(|n| {
            opts.sheets
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(n.trim()))
        })
        .cloned()
        .collect();
    if chosen.is_empty() {
        let quote = |v: &[String]| {
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(InputError::NoSuchSheet {
            path: file.display.clone(),
            wanted: quote(&opts.sheets),
            found: quote(&names),
        });
    }
    Ok(chosen)
}

/// A row kept whole while the header is searched: its 0-based number and its cells by column.
type WholeRow = (u32, Vec<(u32, Cell<String>)>);

enum Phase {
    /// Collecting the first rows to find the header.
    Searching(Vec<WholeRow>),
    /// Header found: cells go straight into canonical rows.
    Streaming {
        ctx: Arc<SheetCtx>,
        /// Field index of each column (up to the last mapped column).
        field_of: Vec<Option<usize>>,
        /// The rows assembled, with the texts of the row being assembled.
        batch: CellRows,
    },
    /// The sink asked to stop, or the header search failed.
    Done,
}

/// Turns a stream of cells (in row order) into batches of canonical rows.
struct SheetStreamer<'s> {
    file: &'s InputFile,
    source: u32,
    name: &'s str,
    opts: &'s ReadOptions,
    sink: &'s dyn Sink,
    phase: Phase,
    /// The row being assembled while searching.
    pending: Option<WholeRow>,
    /// The row being assembled while streaming.
    current: Option<CellRow>,
    error: Option<InputError>,
}

impl<'s> SheetStreamer<'s> {
    fn new(
        file: &'s InputFile,
        source: u32,
        name: &'s str,
        opts: &'s ReadOptions,
        sink: &'s dyn Sink,
    ) -> Self {
        SheetStreamer {
            file,
            source,
            name,
            opts,
            sink,
            phase: Phase::Searching(Vec::new()),
            pending: None,
            current: None,
            error: None,
        }
    }

    /// Takes one cell; `false` means stop reading.
    fn cell(&mut self, row: u32, col: u32, value: Cell<&str>) -> bool {
        match &mut self.phase {
            Phase::Done => false,
            Phase::Searching(rows) => {
                if value.is_blank() || col >= HEADER_MAX_COLUMNS {
                    return true;
                }
                if self.pending.as_ref().is_some_and(|(r, _)| *r != row) {
                    if let Some(done) = self.pending.take() {
                        rows.push(done);
                    }
                    if rows.len() >= HEADER_SEARCH_ROWS {
                        if !self.resolve_header() {
                            return false;
                        }
                        return self.cell(row, col, value);
                    }
                }
                self.pending
                    .get_or_insert_with(|| (row, Vec::new()))
                    .1
                    .push((col, owned(value)));
                true
            }
            Phase::Streaming { field_of, .. } => {
                let Some(Some(field)) = field_of.get(col as usize).copied() else {
                    return true;
                };
                if value.is_blank() {
                    return true;
                }
                if self.current.as_ref().is_some_and(|c| c.row != row + 1) && !self.flush_row() {
                    return false;
                }
                let Phase::Streaming { batch, .. } = &mut self.phase else {
                    return false;
                };
                let kept = match batch.add(value.clone()) {
                    Some(kept) => kept,
                    // The batch's text is full mid-row: the rows before go, the row's texts move.
                    None => {
                        if !self.send_before_current() {
                            return false;
                        }
                        let Phase::Streaming { batch, .. } = &mut self.phase else {
                            return false;
                        };
                        // A text no batch can hold (gigabytes in one cell): unreadable.
                        batch.add(value).unwrap_or(Cell::Error)
                    }
                };
                let current = self.current.get_or_insert_with(|| CellRow {
                    row: row + 1,
                    ..CellRow::default()
                });
                current.cells[field] = kept;
                true
            }
        }
    }

    /// Moves the assembled row into the batch, sending the batch when full.
    fn flush_row(&mut self) -> bool {
        let Some(row) = self.current.take() else {
            return true;
        };
        let Phase::Streaming { ctx, batch, .. } = &mut self.phase else {
            return true;
        };
        batch.push(row);
        if batch.len() >= BATCH_ROWS || batch.text_len() >= CellRows::MAX_TEXT {
            let rows = std::mem::replace(batch, CellRows::with_capacity(BATCH_ROWS));
            let b = Batch {
                ctx: ctx.clone(),
                rows: Rows::Cells(rows),
            };
            if !self.sink.batch(b) {
                self.phase = Phase::Done;
                return false;
            }
        }
        true
    }

    /// Sends the rows assembled so far and starts a batch holding only the texts of the row
    /// being assembled (when its texts no longer fit the batch); `false` means stop reading.
    fn send_before_current(&mut self) -> bool {
        let Phase::Streaming { ctx, batch, .. } = &mut self.phase else {
            return false;
        };
        let full = std::mem::replace(batch, CellRows::with_capacity(BATCH_ROWS));
        if let Some(current) = &mut self.current {
            for cell in &mut current.cells {
                let moved = batch.add(full.cell(cell).as_borrowed());
                *cell = moved.unwrap_or(Cell::Error);
            }
        }
        if full.is_empty() {
            return true;
        }
        let sent = self.sink.batch(Batch {
            ctx: ctx.clone(),
            rows: Rows::Cells(full),
        });
        if !sent {
            self.phase = Phase::Done;
        }
        sent
    }

    /// Finds the header among the rows collected and switches to streaming.
    fn resolve_header(&mut self) -> bool {
        let Phase::Searching(rows) = std::mem::replace(&mut self.phase, Phase::Done) else {
            return false;
        };
        let texts: Vec<Vec<String>> = rows
            .iter()
            .map(|(_, cells)| {
                let width = cells
                    .iter()
                    .map(|(c, _)| *c as usize + 1)
                    .max()
                    .unwrap_or(0);
                let mut t = vec![String::new(); width];
                for (c, v) in cells {
                    t[*c as usize] = v.display().into_owned();
                }
                t
            })
            .collect();
        let mut opts = self.opts.clone();
        // --header-row counts sheet rows; the search list skips empty ones.
        if let Some(wanted) = self.opts.header_row {
            opts.header_row = rows
                .iter()
                .position(|(r, _)| *r as usize + 1 == wanted)
                .map(|i| i + 1)
                .or(Some(usize::MAX));
        }
        let header = match find_header(self.file, &opts, &texts) {
            Ok(h) => h,
            Err(e) => {
                self.error = Some(e);
                return false;
            }
        };
        let header_row = rows.get(header.header_row).map_or(0, |(r, _)| *r);
        let sheet = self.sink.sheet(SheetInfo {
            source: self.source,
            name: self.name.to_string(),
            header_row: header_row + 1,
            headers: header.names.clone(),
            mapped: mapped_names(&header.columns),
            encoding: None,
            delimiter: None,
        });
        let columns = self.opts.kept(header.columns);
        let width = columns.iter().flatten().max().map_or(0, |c| c + 1);
        let mut field_of = vec![None; width];
        for (field, col) in columns.iter().enumerate() {
            if let Some(c) = col {
                field_of[*c] = Some(field);
            }
        }
        let ctx = Arc::new(SheetCtx {
            source: self.source,
            sheet,
            columns,
            width: header.names.len(),
        });
        let mut batch = CellRows::with_capacity(BATCH_ROWS);
        for (r, cells) in rows.into_iter().skip(header.data_start) {
            let mut row = CellRow {
                row: r + 1,
                ..CellRow::default()
            };
            for (c, v) in &cells {
                if let Some(Some(f)) = field_of.get(*c as usize) {
                    // The first rows of a sheet hold far less than a batch's text.
                    row.cells[*f] = batch.add(v.as_ref().as_borrowed()).unwrap_or(Cell::Error);
                }
            }
            batch.push(row);
        }
        self.phase = Phase::Streaming {
            ctx,
            field_of,
            batch,
        };
        true
    }

    /// Ends the sheet: finds the header if the sheet was short, sends the last batch.
    fn finish(mut self) -> Result<SheetEnd, InputError> {
        if let Phase::Searching(rows) = &mut self.phase {
            if let Some(done) = self.pending.take() {
                rows.push(done);
            }
            self.resolve_header();
        }
        // No header among the first rows: the sheet is skipped, whatever its length.
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if !self.flush_row() {
            return Ok(SheetEnd::Stopped);
        }
        match &mut self.phase {
            Phase::Streaming { ctx, batch, .. } => {
                if !batch.is_empty() {
                    let rows = std::mem::take(batch);
                    let sent = self.sink.batch(Batch {
                        ctx: ctx.clone(),
                        rows: Rows::Cells(rows),
                    });
                    if !sent {
                        return Ok(SheetEnd::Stopped);
                    }
                }
                Ok(SheetEnd::Read)
            }
            // The sink asked to stop.
            _ => Ok(SheetEnd::Stopped),
        }
    }
}

/// Calls `f` with every non-empty cell of the worksheet `name` (0-based row and column), in row
/// order, until it returns `false`. xlsx and xlsb sheets are streamed, never read into
/// calamine's dense range (which one stray cell at XFD1048576 makes 17 billion cells); .xls and
/// .ods sheets come from the grid calamine loaded at open, which [`precheck`] bounded. An `Err`
/// is the reader's message.
pub fn for_each_cell(
    book: &mut calamine::Sheets<BufReader<File>>,
    name: &str,
    mut f: impl FnMut(u32, u32, &Data) -> bool,
) -> Result<(), String> {
    use calamine::Sheets;
    macro_rules! stream {
        ($wb:expr) => {{
            let mut cells = $wb
                .worksheet_cells_reader(name)
                .map_err(|e| error_chain(&e.to_string()))?;
            while let Some(cell) = cells.next_cell().map_err(|e| error_chain(&e.to_string()))? {
                let (r, c) = cell.get_position();
                let value = Data::from(cell.get_value().clone());
                if value != Data::Empty && !f(r, c, &value) {
                    break;
                }
            }
        }};
    }
    macro_rules! whole {
        ($wb:expr) => {{
            let range = $wb
                .worksheet_range(name)
                .map_err(|e| error_chain(&e.to_string()))?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, c, v) in range.used_cells() {
                if !f(r0 + r as u32, c0 + c as u32, v) {
                    break;
                }
            }
        }};
    }
    match book {
        Sheets::Xlsx(wb) => stream!(wb),
        Sheets::Xlsb(wb) => stream!(wb),
        Sheets::Xls(wb) => whole!(wb),
        Sheets::Ods(wb) => whole!(wb),
    }
    Ok(())
}

/// The worksheets of `book` (chart sheets and the like left out), with their visibility.
pub fn worksheets_of(
    book: &calamine::Sheets<BufReader<File>>,
) -> Vec<(String, calamine::SheetVisible)> {
    book.sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Keeps every row it is handed as (sheet row, name, ID number, birth date), and counts the
    /// batches.
    #[derive(Default)]
    struct Collected {
        rows: Mutex<Vec<(u32, String, String, String)>>,
        batches: Mutex<usize>,
    }

    impl Sink for Collected {
        fn sheet(&self, _info: SheetInfo) -> u32 {
            0
        }
        fn batch(&self, batch: Batch) -> bool {
            *self.batches.lock().expect("lock") += 1;
            batch.for_each_row(|raw, _| {
                let text = |f: crate::record::Field| raw.get(f).display().into_owned();
                self.rows.lock().expect("lock").push((
                    raw.loc.row,
                    text(crate::record::Field::FullName),
                    text(crate::record::Field::IdNumber),
                    text(crate::record::Field::BirthDate),
                ));
            });
            true
        }
        fn recycled(&self) -> Option<Vec<u8>> {
            None
        }
        fn progress(&self, _bytes: u64) {}
        fn sheet_skipped(&self, _source: u32, _sheet: &str) {}
    }

    fn file() -> InputFile {
        InputFile {
            path: "dump.xlsx".into(),
            display: "dump.xlsx".into(),
            format: Format::Xlsx,
            size: 0,
            from_folder: false,
        }
    }

    /// The name and ID number of data row `i`.
    fn person(i: u32) -> (String, String) {
        (format!("Nguyễn Văn Số {i}"), format!("0010900{i:05}"))
    }

    /// Streams a header and `rows` data rows, each with a birth date of only spaces that the
    /// reader must drop; before data row `shrink_at`, the batch being filled is made to hold only
    /// `limit` bytes of text.
    fn stream(rows: u32, shrink_at: u32, limit: usize) -> Collected {
        let (file, opts, sink) = (file(), ReadOptions::default(), Collected::default());
        let mut s = SheetStreamer::new(&file, 0, "Sheet1", &opts, &sink);
        for (c, h) in ["STT", "Họ và tên", "Số CCCD", "Ngày sinh"]
            .iter()
            .enumerate()
        {
            assert!(s.cell(0, c as u32, Cell::Text(h)));
        }
        for i in 1..=rows {
            if i == shrink_at
                && let Phase::Streaming { batch, .. } = &mut s.phase
            {
                batch.set_limit(batch.text_len() + limit);
            }
            let (name, id) = person(i);
            assert!(s.cell(i, 0, Cell::Number(f64::from(i))));
            assert!(s.cell(i, 1, Cell::Text(&name)));
            assert!(s.cell(i, 2, Cell::Text(&id)));
            assert!(s.cell(i, 3, Cell::Text("  ")));
        }
        assert!(matches!(s.finish(), Ok(SheetEnd::Read)));
        sink
    }

    /// The rows [`stream`] gives, the blank birth dates dropped.
    fn expected(rows: u32) -> Vec<(u32, String, String, String)> {
        (1..=rows)
            .map(|i| {
                let (name, id) = person(i);
                (i + 1, name, id, String::new())
            })
            .collect()
    }

    #[test]
    fn every_row_comes_out_with_its_own_texts() {
        let sink = stream(9000, 0, 0);
        assert_eq!(*sink.rows.lock().expect("lock"), expected(9000));
        // 4,096 rows a batch.
        assert_eq!(*sink.batches.lock().expect("lock"), 3);
    }

    #[test]
    fn a_batch_full_mid_row_goes_and_the_row_moves_whole_to_the_next() {
        // Room for the name of row 100 but not its ID number.
        let room = person(100).0.len() + 3;
        let sink = stream(200, 100, room);
        assert_eq!(*sink.rows.lock().expect("lock"), expected(200));
        assert_eq!(*sink.batches.lock().expect("lock"), 2);
        // No room for even the first text of row 40.
        let sink = stream(200, 40, 0);
        assert_eq!(*sink.rows.lock().expect("lock"), expected(200));
        assert_eq!(*sink.batches.lock().expect("lock"), 2);
    }
}
