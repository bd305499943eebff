//! The storage shared by cross-record rules: one small entry per row (the rule's key, where the
//! row is, its unit) with one text of the row (the value the finding shows) kept in one text
//! arena, so that indexing a million rows allocates nothing per row. Once every input is read,
//! entries are grouped by key and each rule decides which groups are findings.
//!
//! The record id is not kept here: every row's record id is kept once, by the record-id rule
//! ([`crate::rules::record_id`]), and a finding's record id is read back from there
//! ([`RowIndex::findings`]'s `record_id`).
//!
//! Past its memory budget an index is written to disk as sorted runs ([`RowIndex::spill`]); its
//! groups are then read from the merged runs, one group in memory at a time, and give the same
//! findings as in memory.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rayon::slice::ParallelSliceMut;

use crate::findings::{Finding, RowInfo};
use crate::record::{Field, RawRecord, RowLoc};
use crate::rules::{Code, Detail};
use crate::runs::{RunItem, Runs};

/// What a rule keeps of a row: the key its rows are grouped by, and its bytes on disk.
pub trait Keyed: Copy + Send + Sync + Default {
    /// The key rows are grouped by.
    type Key: Ord + Copy + Send;
    /// The key of a row.
    fn key(e: &Entry<Self>) -> Self::Key;
    /// Appends the data's bytes to `out`.
    fn put(&self, out: &mut Vec<u8>);
    /// Reads the data [`Keyed::put`] wrote at the head of `bytes`, with the bytes it took.
    fn get(bytes: &[u8]) -> Option<(Self, usize)>;
}

/// A `u32` and a `u64`, little-endian, at the head of `b` (for [`Keyed::get`]).
pub(crate) fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// See [`le_u64`].
pub(crate) fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One indexed row.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entry<T> {
    /// What the rule keeps of the row.
    pub data: T,
    /// Where the row is.
    pub loc: RowLoc,
    /// The row's unit, numbered by the caller.
    pub unit: u32,
    start: u32,
    len: u32,
}

/// Rows kept for a cross-record rule.
#[derive(Debug)]
pub struct RowIndex<T> {
    entries: Vec<Entry<T>>,
    arena: String,
    /// The rows written to disk, once the index was past its budget.
    runs: Option<Runs>,
}

impl<T> Default for RowIndex<T> {
    fn default() -> Self {
        RowIndex {
            entries: Vec::new(),
            arena: String::new(),
            runs: None,
        }
    }
}

/// The text kept for `e` in `arena`.
fn text_in<'a, T>(arena: &'a str, e: &Entry<T>) -> &'a str {
    arena
        .get(e.start as usize..(e.start + e.len) as usize)
        .unwrap_or("")
}

/// A row read back from disk: its entry (its text at 0) and its text.
#[derive(Default)]
struct OnDisk<T> {
    entry: Entry<T>,
    text: String,
}

/// Writes `e` with `text` as [`OnDisk::read`] reads it.
fn put_entry<T: Keyed>(e: &Entry<T>, text: &str, out: &mut Vec<u8>) {
    e.data.put(out);
    for n in [e.loc.source, e.loc.sheet, e.loc.row, e.unit] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    out.extend_from_slice(text.as_bytes());
}

impl<T: Keyed> RunItem for OnDisk<T> {
    type Key = T::Key;

    fn key(&self) -> T::Key {
        T::key(&self.entry)
    }

    fn write(&self, out: &mut Vec<u8>) {
        put_entry(&self.entry, &self.text, out);
    }

    fn read(&mut self, bytes: &[u8]) -> Option<()> {
        let (data, at) = T::get(bytes)?;
        let n = |i: usize| le_u32(bytes, at + 4 * i);
        self.entry = Entry {
            data,
            loc: RowLoc {
                source: n(0)?,
                sheet: n(1)?,
                row: n(2)?,
            },
            unit: n(3)?,
            start: 0,
            len: 0,
        };
        let text = std::str::from_utf8(bytes.get(at + 16..)?).ok()?;
        self.entry.len = text.len() as u32;
        self.text.clear();
        self.text.push_str(text);
        Some(())
    }
}

impl<T> RowIndex<T> {
    /// An index with room for `rows` rows (and ~16 bytes of text each).
    pub fn with_capacity(rows: usize) -> Self {
        RowIndex {
            entries: Vec::with_capacity(rows),
            arena: String::with_capacity(rows * 16),
            runs: None,
        }
    }
}

impl<T: Keyed> RowIndex<T> {
    /// Keeps `data` for `raw`, with the text of `field` for the finding.
    pub fn push(&mut self, data: T, raw: &RawRecord<'_>, unit: u32, field: Field) {
        self.push_text(data, raw.loc, unit, &raw.get(field).display());
    }

    /// Keeps `data` for the row at `loc`, with `text` for the finding.
    pub fn push_text(&mut self, data: T, loc: RowLoc, unit: u32, text: &str) {
        let start = self.arena.len() as u32;
        self.arena.push_str(text);
        self.entries.push(Entry {
            data,
            loc,
            unit,
            start,
            len: self.arena.len() as u32 - start,
        });
    }

    /// The bytes the rows in memory take.
    pub fn memory(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry<T>>() + self.arena.capacity()
    }

    /// Whether some rows are on disk ([`RowIndex::spill`]).
    pub fn is_spilled(&self) -> bool {
        self.runs.is_some()
    }

    /// Writes the rows in memory, sorted by key, as one run to a temporary file in `dir`, and
    /// frees their memory.
    pub fn spill(&mut self, dir: &Path) -> io::Result<()> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let runs = match &mut self.runs {
            Some(r) => r,
            None => self.runs.insert(Runs::new(dir)?),
        };
        write_run(runs, &mut self.entries, &mut self.arena)
    }

    /// Adds every entry of `other`, whose unit `u` is unit `units[u]` here.
    pub fn append(&mut self, other: RowIndex<T>, units: &[u32]) {
        let shift = self.arena.len() as u32;
        self.arena.push_str(&other.arena);
        self.entries.extend(other.entries.into_iter().map(|mut e| {
            e.start += shift;
            e.unit = units.get(e.unit as usize).copied().unwrap_or(e.unit);
            e
        }));
    }

    /// How many rows are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no row is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The text kept for `e`.
    pub fn text(&self, e: &Entry<T>) -> &str {
        text_in(&self.arena, e)
    }

    /// Groups the rows by their key ([`Keyed::key`]); every row of a group for which `judge`
    /// gives a detail becomes a finding of `code`, with the row's unit. `unit(u)` names unit
    /// `u`; `record_id(loc, text)` gives the record id of the row at `loc` whose kept text is
    /// `text`. The entries are left sorted by key. An `Err` is the index's temporary file failing.
    pub fn findings<'u>(
        &mut self,
        judge: impl Fn(&[Entry<T>]) -> Option<Detail>,
        code: Code,
        unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
        record_id: impl Fn(RowLoc, &str) -> String,
    ) -> io::Result<Vec<(u32, Finding)>> {
        self.findings_of_rows(
            |group| match judge(group) {
                Some(detail) => (0..group.len())
                    .map(|i| (i, detail, String::new()))
                    .collect(),
                None => Vec::new(),
            },
            code,
            unit,
            record_id,
        )
    }

    /// Like [`RowIndex::findings`], but `judge` picks the rows of a group that are findings,
    /// each with its detail and suggestion: (index in the group, detail, suggestion).
    pub fn findings_of_rows<'u>(
        &mut self,
        judge: impl Fn(&[Entry<T>]) -> Vec<(usize, Detail, String)>,
        code: Code,
        unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
        record_id: impl Fn(RowLoc, &str) -> String,
    ) -> io::Result<Vec<(u32, Finding)>> {
        let mut out = Vec::new();
        let mut emit = |group: &[Entry<T>], arena: &str| {
            if group.len() < 2 {
                return;
            }
            for (i, detail, suggestion) in judge(group) {
                let Some(e) = group.get(i) else {
                    continue;
                };
                let value = text_in(arena, e);
                let (province, district, commune) = unit(e.unit);
                let info = RowInfo {
                    record_id: record_id(e.loc, value).into(),
                    province: province.into(),
                    district: district.into(),
                    commune: commune.into(),
                };
                out.push((
                    e.unit,
                    Finding {
                        loc: e.loc,
                        row: Arc::new(info),
                        field: code.field(),
                        code,
                        value: value.into(),
                        suggestion: suggestion.as_str().into(),
                        detail,
                    },
                ));
            }
        };
        let Some(runs) = &mut self.runs else {
            // Grouping needs the key only: findings are sorted again by the caller.
            self.entries.par_sort_unstable_by_key(T::key);
            for group in self.entries.chunk_by(|a, b| T::key(a) == T::key(b)) {
                emit(group, &self.arena);
            }
            return Ok(out);
        };
        write_run(runs, &mut self.entries, &mut self.arena)?;
        // One group at a time, its texts in an arena of its own.
        let mut group: Vec<Entry<T>> = Vec::new();
        let mut arena = String::new();
        let mut merge = runs.merge::<OnDisk<T>>()?;
        while let Some(row) = merge.next()? {
            if group
                .first()
                .is_some_and(|g| T::key(g) != T::key(&row.entry))
            {
                emit(&group, &arena);
                group.clear();
                arena.clear();
            }
            let mut e = row.entry;
            e.start = arena.len() as u32;
            arena.push_str(&row.text);
            group.push(e);
        }
        emit(&group, &arena);
        Ok(out)
    }

    /// Gives `each` the position in `locs` (sorted) and the kept text of every row at one of
    /// `locs`. An `Err` is the index's temporary file failing.
    pub fn texts_at(
        &mut self,
        locs: &[RowLoc],
        mut each: impl FnMut(usize, &str),
    ) -> io::Result<()> {
        let mut one = |e: &Entry<T>, text: &str| {
            if let Ok(i) = locs.binary_search(&e.loc) {
                each(i, text);
            }
        };
        let Some(runs) = &mut self.runs else {
            for e in &self.entries {
                one(e, text_in(&self.arena, e));
            }
            return Ok(());
        };
        write_run(runs, &mut self.entries, &mut self.arena)?;
        let mut merge = runs.merge::<OnDisk<T>>()?;
        while let Some(row) = merge.next()? {
            one(&row.entry, &row.text);
        }
        Ok(())
    }

    /// The index sorted by where the rows are, to look texts up by row.
    pub fn into_by_loc(mut self) -> ByLoc<T> {
        self.entries.par_sort_unstable_by_key(|e| e.loc);
        ByLoc(self)
    }
}

/// Writes `entries`, sorted by key, as one run, and empties them.
fn write_run<T: Keyed>(
    runs: &mut Runs,
    entries: &mut Vec<Entry<T>>,
    arena: &mut String,
) -> io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    entries.par_sort_unstable_by_key(T::key);
    let mut w = runs.writer()?;
    for e in entries.iter() {
        w.push(|buf| put_entry(e, text_in(arena, e), buf))?;
    }
    w.finish()?;
    *entries = Vec::new();
    *arena = String::new();
    Ok(())
}

/// An index sorted by row: [`ByLoc::text`] finds a row's text.
#[derive(Debug)]
pub struct ByLoc<T>(RowIndex<T>);

impl<T> Default for ByLoc<T> {
    fn default() -> Self {
        ByLoc(RowIndex::default())
    }
}

impl<T: Keyed> ByLoc<T> {
    /// The text kept for the row at `loc` ("" when the row is not indexed).
    pub fn text(&self, loc: RowLoc) -> &str {
        match self.0.entries.binary_search_by_key(&loc, |e| e.loc) {
            Ok(i) => self.0.text(&self.0.entries[i]),
            Err(_) => "",
        }
    }
}
