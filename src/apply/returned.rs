//! Returned correction workbooks, read back: recognised by their hidden sheet, their rows checked
//! against the fingerprints written at export (a locked cell edited, a row added, moved or
//! deleted), and the values the hamlet team typed read as they were typed (text, numbers, dates).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{Data, open_workbook_auto};

use crate::normalize::places::Division;
use crate::output::list_workbook::{
    self, COL_ADDRESS, COL_BIRTH, COL_BIRTH_FIX, COL_ERRORS, COL_GENDER, COL_GENDER_FIX, COL_ID,
    COL_ID_FIX, COL_KEYS, COL_NAME, COL_NAME_FIX, COL_NOTE, COL_PHONE, COL_PHONE_FIX, COL_STATUS,
    COL_STT, COL_SUGGESTIONS, HEADERS, LIST_SHEET, LOCKED_COLUMNS, META_FORMAT, META_SHEET,
    REASON_HEADER, TableRow,
};
use crate::output::list_workbook::{ADDRESS_FIX_HEADER, SIGNATURE_COLUMNS};
use crate::record::Cell;
use crate::record::shown::Shown;

/// Why a returned workbook cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It could not be opened as a workbook.
    Unreadable(String),
    /// No hidden sheet of ours: not a list vaxclean wrote.
    NotOurs,
    /// Not in the export ledger (`--history`): no export of this history wrote it.
    NotInLedger,
    /// The list sheet is missing or its columns were changed: what is wrong.
    LayoutChanged(Layout),
    /// None of its rows can be found in the sources; the cause, when one is known (record keys
    /// shared by two inputs or two people), in the run's language.
    NoMatch(Option<String>),
}

impl Refusal {
    /// A stable code for the outputs.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unreadable(_) => "UNREADABLE",
            Refusal::NotOurs | Refusal::NotInLedger => "NOT_OURS",
            Refusal::LayoutChanged(_) => "LAYOUT_CHANGED",
            Refusal::NoMatch(_) => "NO_MATCH",
        }
    }
}

/// What is wrong with the layout of a returned list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// No sheet `Danh sách`: the sheets the workbook has (a renamed sheet is among them).
    SheetMissing(Vec<String>),
    /// No header row (`STT`, `Mã bản ghi`, …) near the top of the sheet.
    NoHeader,
    /// A column of the header is not the one exported: its 0-based column, the header expected
    /// there and the one found (empty: none).
    Column {
        /// 0-based column.
        col: u16,
        /// The header exported there.
        expected: String,
        /// The header found there.
        found: String,
    },
}

/// A column's letters ("A", "Q", "AB") from its 0-based number.
pub fn column_letters(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(char::from(b'A' + r));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// What the hidden sheet says.
#[derive(Debug, Clone, Default)]
pub struct ListIdentity {
    /// Key → value pairs (export_id, created, commune…).
    pub values: HashMap<String, String>,
    /// Sources (path, SHA-256, size), as the list was exported from.
    pub sources: Vec<crate::input::SourceStamp>,
}

impl ListIdentity {
    /// A value of the hidden sheet, or "".
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    /// The list's unit, as its hidden sheet names it.
    pub fn folder(&self) -> crate::output::export::Folder {
        let mut f = crate::output::export::Folder::named(
            self.get("province"),
            self.get("district"),
            self.get("commune"),
            self.get("undetermined") == "1",
        );
        f.commune_code = Some(self.get("commune_code").to_string()).filter(|c| !c.is_empty());
        f
    }

    /// The division the list's unit is named in (lists of older versions: 2020).
    pub fn division(&self) -> Division {
        match self.get("units") {
            "2025" => Division::D2025,
            _ => Division::D2020,
        }
    }
}

/// How a row came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integrity {
    /// As exported, at its place.
    Intact,
    /// As exported, at another place (the rows were sorted or moved).
    Moved,
    /// A locked cell was changed.
    LockedEdited,
    /// Not a row of the export.
    Added,
}

/// What the team typed in the correction columns of a row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fixes {
    /// Name, birth date, sex, ID number, phone, as typed.
    pub cells: Shown<Cell<String>>,
    /// `Kết quả xác minh` as typed.
    pub status: String,
    /// `Ghi chú`.
    pub note: String,
    /// `Địa chỉ đúng` (lists of people whose place is unknown), as typed.
    pub address: String,
}

impl Fixes {
    /// Whether any correction cell holds something.
    pub fn any(&self) -> bool {
        self.cells.iter().any(|(_, c)| !c.is_blank()) || !self.address.trim().is_empty()
    }
}

/// One row of a returned list.
#[derive(Debug, Clone)]
pub struct ReturnedRow {
    /// 1-based row of the sheet.
    pub sheet_row: u32,
    /// The row of the list's table it matched (intact, moved or edited), by index.
    pub exported: Option<usize>,
    /// The first list row it descends from ([`crate::ledger::origin`]): the side it is of in a
    /// conflict between lists. An added row is its own.
    pub origin: String,
    /// The locked cells as they came back (STT … `Gợi ý sửa`).
    pub locked: [String; LOCKED_COLUMNS as usize],
    /// The record keys of the row (from the hidden sheet when the row is intact or moved).
    pub keys: Vec<String>,
    /// What was typed.
    pub fixes: Fixes,
    /// How the row came back.
    pub integrity: Integrity,
}

impl ReturnedRow {
    /// Name, birth date, sex, ID number and phone as exported.
    pub fn shown(&self) -> Shown<&str> {
        let at = |c: u16| self.locked[usize::from(c)].as_str();
        Shown {
            name: at(COL_NAME),
            birth: at(COL_BIRTH),
            gender: at(COL_GENDER),
            id: at(COL_ID),
            phone: at(COL_PHONE),
        }
    }

    /// The address as exported.
    pub fn address(&self) -> &str {
        &self.locked[usize::from(COL_ADDRESS)]
    }

    /// The findings as exported, one per line.
    pub fn errors(&self) -> &str {
        &self.locked[usize::from(COL_ERRORS)]
    }

    /// The suggestions as exported, one per line.
    pub fn suggestions(&self) -> &str {
        &self.locked[usize::from(COL_SUGGESTIONS)]
    }
}

/// A row of the export that did not come back.
#[derive(Debug, Clone)]
pub struct DeletedRow {
    /// Its sheet row at export.
    pub sheet_row: u32,
    /// Its record keys.
    pub keys: Vec<String>,
    /// The first list row it descends from.
    pub origin: String,
}

/// A returned workbook.
#[derive(Debug, Clone)]
pub struct Returned {
    /// The file.
    pub path: PathBuf,
    /// The path as given (for messages and the audit).
    pub display: String,
    /// What the hidden sheet says.
    pub identity: ListIdentity,
    /// The rows, in sheet order.
    pub rows: Vec<ReturnedRow>,
    /// Rows of the export missing from the returned sheet.
    pub deleted: Vec<DeletedRow>,
    /// The table of the hidden sheet, as it came back.
    pub sheet_table: Vec<TableRow>,
    /// Columns added after the last one, ignored: their headers (or letters, when they have none).
    pub ignored_columns: Vec<String>,
}

impl Returned {
    /// The list's path as its hidden sheet names it (lists of older versions: the path its unit
    /// gives), to look it up in the export ledger with the export id.
    pub fn list_path(&self) -> String {
        let named = self.identity.get("list");
        if !named.is_empty() {
            return named.to_string();
        }
        crate::output::paths::slashed(&self.identity.folder().path())
    }

    /// Tells each row against `table` (the hidden sheet's as read, or the export ledger's): intact,
    /// moved, locked cells edited or added, with the keys of the exported row it stands for; and
    /// the exported rows that did not come back.
    pub fn reconcile(&mut self, table: &[TableRow]) {
        let mut by_print: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, t) in table.iter().enumerate() {
            by_print.entry(t.fingerprint.as_str()).or_default().push(i);
        }
        let mut seen = vec![false; table.len()];
        let export_id = self.identity.get("export_id").to_string();
        let list = self.list_path();
        let origin = |row: u32| crate::ledger::origin(&export_id, &list, row);
        let mut found: Vec<Option<(Integrity, usize)>> = vec![None; self.rows.len()];
        let prints: Vec<String> = self
            .rows
            .iter()
            .map(|r| list_workbook::fingerprint(&r.locked))
            .collect();
        // As exported: first at their place, then anywhere (sorted or moved rows). A row twice:
        // the copy is an addition.
        for at_place in [true, false] {
            for (i, r) in self.rows.iter().enumerate() {
                if found[i].is_some() {
                    continue;
                }
                let hit = by_print.get(prints[i].as_str()).and_then(|ks| {
                    ks.iter()
                        .copied()
                        .find(|&k| !seen[k] && (!at_place || table[k].row == r.sheet_row))
                });
                if let Some(k) = hit {
                    seen[k] = true;
                    let integrity = if table[k].row == r.sheet_row {
                        Integrity::Intact
                    } else {
                        Integrity::Moved
                    };
                    found[i] = Some((integrity, k));
                }
            }
        }
        // A locked cell edited: the row is still told by two of its place, its STT and its
        // record keys (a sorted list keeps the last two).
        for (i, r) in self.rows.iter().enumerate() {
            if found[i].is_some() {
                continue;
            }
            let shown_keys = r.locked[usize::from(COL_KEYS)].trim();
            let stt = r.locked[usize::from(COL_STT)].trim();
            let hit = (0..table.len()).find(|&k| {
                if seen[k] {
                    return false;
                }
                let t = &table[k];
                let keys = split_keys(&t.keys);
                let same_keys = !shown_keys.is_empty()
                    && (list_workbook::shown_keys(&keys) == shown_keys
                        || t.keys.trim() == shown_keys);
                let same_stt = stt == (k + 1).to_string();
                let same_place = t.row == r.sheet_row;
                usize::from(same_keys) + usize::from(same_stt) + usize::from(same_place) >= 2
            });
            if let Some(k) = hit {
                seen[k] = true;
                found[i] = Some((Integrity::LockedEdited, k));
            }
        }
        for (r, f) in self.rows.iter_mut().zip(found) {
            let (integrity, exported) = match f {
                Some((integrity, k)) => (integrity, Some(k)),
                None => (Integrity::Added, None),
            };
            r.integrity = integrity;
            r.exported = exported;
            r.origin = origin(exported.map_or(r.sheet_row, |k| table[k].row));
            r.keys = match exported {
                Some(k) => split_keys(&table[k].keys),
                None => list_workbook::keys_in_cell(&r.locked[usize::from(COL_KEYS)]),
            };
        }
        self.deleted = table
            .iter()
            .zip(&seen)
            .filter(|(_, s)| !**s)
            .map(|(t, _)| DeletedRow {
                sheet_row: t.row,
                keys: split_keys(&t.keys),
                origin: origin(t.row),
            })
            .collect();
    }

    /// Checks the list against its record in the export ledger: its unit and its rows are the
    /// recorded ones, whatever the hidden sheet says, and each row descends from the recorded
    /// origin. Returns how many rows of the hidden sheet's table differ from the record (a sheet
    /// rewritten by hand).
    pub fn adopt(&mut self, record: &crate::ledger::ListRecord) -> usize {
        for (k, v) in ["province", "district", "commune"].iter().zip(&record.unit) {
            self.identity.values.insert(k.to_string(), v.clone());
        }
        let table: Vec<TableRow> = record.rows.iter().map(|r| r.table.clone()).collect();
        let recorded: std::collections::HashSet<&TableRow> = table.iter().collect();
        let sheet: std::collections::HashSet<&TableRow> = self.sheet_table.iter().collect();
        let altered = sheet.symmetric_difference(&recorded).count();
        self.reconcile(&table);
        for r in &mut self.rows {
            if let Some(k) = r.exported {
                r.origin = record.rows[k].origin.clone();
            }
        }
        let by_row: HashMap<u32, &str> = record
            .rows
            .iter()
            .map(|r| (r.table.row, r.origin.as_str()))
            .collect();
        for d in &mut self.deleted {
            if let Some(o) = by_row.get(&d.sheet_row) {
                d.origin = o.to_string();
            }
        }
        altered
    }
}

/// What a run says once of a list with columns added after the last one: they are ignored.
pub fn ignored_note(book: &Returned, lang: crate::i18n::Lang) -> String {
    let names = book
        .ignored_columns
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    lang.pick(
        format!(
            "vaxclean: '{}': bỏ qua {} cột thêm sau cột cuối ({names}); nội dung các cột đó không được đọc",
            book.display,
            book.ignored_columns.len()
        ),
        format!(
            "vaxclean: '{}': {} column(s) added after the last one ignored ({names}); what they hold is not read",
            book.display,
            book.ignored_columns.len()
        ),
    )
}

/// A cell as the tools read it: text, number, date.
pub fn cell_of(d: &Data) -> Cell<String> {
    crate::input::excel::owned(crate::input::excel::from_data(d))
}

/// A cell as the text a person sees.
pub fn text_of(d: &Data) -> String {
    cell_of(d).display().trim().to_string()
}

/// Reads a returned workbook (a panic of the workbook reader on a damaged file is a refusal).
pub fn read(path: &Path, display: &str) -> Result<Returned, Refusal> {
    crate::input::guard::guarded(|| read_unguarded(path, display))
        .unwrap_or_else(|cause| Err(Refusal::Unreadable(cause)))
}

fn read_unguarded(path: &Path, display: &str) -> Result<Returned, Refusal> {
    crate::input::excel::precheck_path(path, display).map_err(|e| {
        let text = e.to_string();
        let cause = text
            .strip_prefix(&format!("'{display}': "))
            .unwrap_or(&text);
        Refusal::Unreadable(cause.to_string())
    })?;
    let mut book = open_workbook_auto(path).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    let names: Vec<String> = crate::input::excel::worksheets_of(&book)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    if !names.iter().any(|n| n == META_SHEET) {
        return Err(Refusal::NotOurs);
    }
    let meta = grid(&mut book, META_SHEET, 4)?;
    let mut identity = ListIdentity::default();
    // Every exported row: sheet row, STT, keys, fingerprint.
    let mut table: Vec<TableRow> = Vec::new();
    let mut in_table = false;
    for r in meta.rows.values() {
        let t = |i: usize| r.get(i).map(text_of).unwrap_or_default();
        if in_table {
            table.push(TableRow {
                row: t(0).parse::<u32>().unwrap_or(0),
                keys: t(2),
                fingerprint: t(3),
            });
        } else if t(0) == "row" {
            in_table = true;
        } else if t(0) == "source" {
            identity.sources.push(crate::input::SourceStamp {
                path: t(1),
                sha256: t(2),
                size: t(3).parse::<f64>().map_or(0, |s| s as u64),
            });
        } else if !t(0).is_empty() {
            identity.values.insert(t(0), t(1));
        }
    }
    if identity.get("format") != META_FORMAT {
        return Err(Refusal::NotOurs);
    }
    if !names.iter().any(|n| n == LIST_SHEET) {
        let visible: Vec<String> = names.into_iter().filter(|n| n != META_SHEET).collect();
        return Err(Refusal::LayoutChanged(Layout::SheetMissing(visible)));
    }
    let list = grid(&mut book, LIST_SHEET, READ_WIDTH)?;
    let (header_row, extras) = header(&list)?;
    let address_col = extras.address;
    let width = HEADERS.len() as u16;
    let mut out = Vec::new();
    for (&row, r) in list.rows.range(header_row + 1..) {
        let sheet_row = row.saturating_add(1);
        let t = |c: u16| r.get(usize::from(c)).map(text_of).unwrap_or_default();
        let cell = |c: u16| r.get(usize::from(c)).map(cell_of).unwrap_or_default();
        // The signature block below the list only uses the first cells of its merged ranges
        // (older lists: columns B and K); a hamlet's sub-heading only column A, not a number. A
        // list row has something elsewhere.
        let filled: Vec<u16> = (0..width)
            .chain(address_col)
            .filter(|c| !t(*c).is_empty())
            .collect();
        let form_only = filled
            .iter()
            .all(|c| SIGNATURE_COLUMNS.contains(c) || *c == COL_NAME_FIX);
        let heading_only = filled == [COL_STT] && t(COL_STT).parse::<f64>().is_err();
        if filled.is_empty() || form_only || heading_only {
            continue;
        }
        out.push(ReturnedRow {
            sheet_row,
            exported: None,
            locked: std::array::from_fn(|c| t(c as u16)),
            keys: Vec::new(),
            origin: String::new(),
            fixes: Fixes {
                cells: Shown {
                    name: cell(COL_NAME_FIX),
                    birth: cell(COL_BIRTH_FIX),
                    gender: cell(COL_GENDER_FIX),
                    id: cell(COL_ID_FIX),
                    phone: cell(COL_PHONE_FIX),
                },
                status: t(COL_STATUS),
                note: t(COL_NOTE),
                address: address_col.map(t).unwrap_or_default(),
            },
            integrity: Integrity::Added,
        });
    }
    let mut book = Returned {
        path: path.to_path_buf(),
        display: display.to_string(),
        identity,
        rows: out,
        deleted: Vec::new(),
        sheet_table: Vec::new(),
        ignored_columns: extras.ignored,
    };
    book.reconcile(&table);
    book.sheet_table = table;
    Ok(book)
}

/// How many columns of the list sheet are read: the exported ones, the extra ones and room for
/// a few added by hand.
const READ_WIDTH: usize = HEADERS.len() + 12;

/// The extra columns of a list's header.
#[derive(Debug, Default)]
struct Extras {
    /// [`ADDRESS_FIX_HEADER`]'s column.
    address: Option<u16>,
    /// Columns added after the last, ignored.
    ignored: Vec<String>,
}

/// Finds the header row (the first row, near the top, that has `STT` or most of the headers)
/// and checks its columns: the exported ones in their places, then the known extra ones by name;
/// any other column after them is ignored.
fn header(list: &Grid) -> Result<(u32, Extras), Refusal> {
    let texts = |r: &Vec<Data>| -> Vec<String> { r.iter().map(text_of).collect() };
    let found = list
        .rows
        .range(..40)
        .map(|(&row, r)| (row, texts(r)))
        .find(|(_, t)| {
            t.iter().any(|c| c == "STT")
                || t.iter().filter(|c| HEADERS.contains(&c.as_str())).count() >= 5
        });
    let Some((row, cells)) = found else {
        return Err(Refusal::LayoutChanged(Layout::NoHeader));
    };
    for (c, expected) in HEADERS.iter().enumerate() {
        let got = cells.get(c).map_or("", |s| s.as_str());
        if got != *expected {
            return Err(Refusal::LayoutChanged(Layout::Column {
                col: c as u16,
                expected: expected.to_string(),
                found: got.to_string(),
            }));
        }
    }
    let mut extras = Extras::default();
    for (c, h) in cells.iter().enumerate().skip(HEADERS.len()) {
        if h == ADDRESS_FIX_HEADER && extras.address.is_none() {
            extras.address = Some(c as u16);
        } else if h == REASON_HEADER || h.is_empty() {
            // The reason of a list sent back is the run's own: nothing to read.
        } else {
            extras.ignored.push(h.clone());
        }
    }
    if list.beyond.contains(&row) {
        extras
            .ignored
            .push(format!("{}…", column_letters(READ_WIDTH as u16)));
    }
    Ok((row, extras))
}

/// The first columns of a sheet, read cell by cell: a stray cell far to the right or far below
/// costs nothing (cells beyond `width` columns are not kept, empty rows take no room).
struct Grid {
    /// The rows holding a kept cell, by 0-based row, each `width` cells.
    rows: std::collections::BTreeMap<u32, Vec<Data>>,
    /// The rows holding a cell beyond `width` columns.
    beyond: std::collections::BTreeSet<u32>,
}

fn grid(
    book: &mut calamine::Sheets<std::io::BufReader<std::fs::File>>,
    name: &str,
    width: usize,
) -> Result<Grid, Refusal> {
    let mut rows: std::collections::BTreeMap<u32, Vec<Data>> = Default::default();
    let mut beyond = std::collections::BTreeSet::new();
    crate::input::excel::for_each_cell(book, name, |r, c, v| {
        match usize::try_from(c).ok().filter(|&c| c < width) {
            Some(col) => {
                rows.entry(r).or_insert_with(|| vec![Data::Empty; width])[col] = v.clone();
            }
            None => {
                if beyond.len() < 64 {
                    beyond.insert(r);
                }
            }
        }
        true
    })
    .map_err(Refusal::Unreadable)?;
    Ok(Grid { rows, beyond })
}

fn split_keys(keys: &str) -> Vec<String> {
    keys.split('\n')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(String::from)
        .collect()
}

/// Files found (path, as given) and paths that could not be read (as given, why).
pub type Discovered = (Vec<(PathBuf, String)>, Vec<(String, String)>);

/// The returned workbooks under `paths`: files as given, and every .xlsx/.xlsm/.xls/.ods under a
/// folder (except the export's own index and temporary files).
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for p in paths {
        let display = p.display().to_string();
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut found),
            Ok(_) => found.push((p.clone(), display)),
            Err(e) => missing.push((display, e.to_string())),
        }
    }
    (found, missing)
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else if ["xlsx", "xlsm", "xls", "ods"].iter().any(|e| {
            p.extension()
                .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case(e))
        }) {
            out.push((p.clone(), p.display().to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_by_their_letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(16), "Q");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(28), "AC");
    }
}
