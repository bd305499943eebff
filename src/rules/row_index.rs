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
    type Key: Ord + Copy + Send + std::hash::Hash;
    /// The key of a row.
    fn key(e: &Entry<Self>) -> Self::Key;
    /// Appends the data's bytes to `out`.
    fn put(&self, out: &mut Vec<u8>);
    /// Reads the data [`Keyed::put`] wrote at the head of `bytes`, with the bytes it took.
    fn get(bytes: &[u8]) -> Option<(Self, usize)>;
    /// The value a finding on the row shows, from the text `kept` for it (a rule may keep no
    /// text when its data says the same: a number written as exactly its digits).
    fn shown<'a>(&self, kept: &'a str) -> std::borrow::Cow<'a, str> {
        std::borrow::Cow::Borrowed(kept)
    }
    /// Whether an entry may stand for several rows one after the other ([`Keyed::join`]).
    const JOINS_ROWS: bool = false;
    /// How many rows the entry stands for: its row and the ones right after it.
    fn rows(&self) -> u32 {
        1
    }
    /// Makes the entry stand for the next row too when `next`, that row's data, is the same
    /// (the index has checked the row, unit and text); `false` leaves it, and the row gets an
    /// entry of its own.
    fn join(&mut self, _next: &Self) -> bool {
        false
    }
}

/// For [`Keyed::join`]: makes `more` (the rows after an entry's first) count `next_rows` more
/// when the next row's data is the `same`; `false` when it is not, or the count would overflow.
pub(crate) fn join_rows(more: &mut u32, same: bool, next_rows: u32) -> bool {
    match more.checked_add(next_rows) {
        Some(m) if same && m < u32::MAX => {
            *more = m;
            true
        }
        _ => false,
    }
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
    /// Where its text is in the index's [`Arena`].
    text: u32,
}

/// The texts of an index's rows, one after the other, each after its length (one byte, or 255
/// and four): an entry needs four bytes to find its text, and an empty text takes none.
#[derive(Debug, Default)]
struct Arena(Vec<u8>);

impl Arena {
    /// Where an empty text is.
    const EMPTY: u32 = u32::MAX;

    fn with_capacity(bytes: usize) -> Self {
        Arena(Vec::with_capacity(bytes))
    }

    /// Keeps `text`; gives where it is.
    fn push(&mut self, text: &str) -> u32 {
        if text.is_empty() {
            return Arena::EMPTY;
        }
        let at = self.0.len() as u32;
        match u8::try_from(text.len()) {
            Ok(n) if n < 255 => self.0.push(n),
            _ => {
                self.0.push(255);
                self.0.extend_from_slice(&(text.len() as u32).to_le_bytes());
            }
        }
        self.0.extend_from_slice(text.as_bytes());
        at
    }

    /// The text kept at `at` ("" for [`Arena::EMPTY`]).
    fn get(&self, at: u32) -> &str {
        let at = at as usize;
        let (len, from) = match self.0.get(at) {
            Some(255) => (le_u32(&self.0, at + 1).unwrap_or(0) as usize, at + 5),
            Some(n) => (usize::from(*n), at + 1),
            None => return "",
        };
        self.0
            .get(from..from + len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

/// Rows kept for a cross-record rule.
#[derive(Debug)]
pub struct RowIndex<T> {
    entries: Vec<Entry<T>>,
    arena: Arena,
    /// The rows written to disk, once the index was past its budget.
    runs: Option<Runs>,
}

impl<T> Default for RowIndex<T> {
    fn default() -> Self {
        RowIndex {
            entries: Vec::new(),
            arena: Arena::default(),
            runs: None,
        }
    }
}

/// The text kept for `e` in `arena`.
fn text_in<'a, T>(arena: &'a Arena, e: &Entry<T>) -> &'a str {
    arena.get(e.text)
}

/// A row read back from disk: its entry (its text in no arena) and its text.
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
            text: Arena::EMPTY,
        };
        let text = std::str::from_utf8(bytes.get(at + 16..)?).ok()?;
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
            arena: Arena::with_capacity(rows * 16),
            runs: None,
        }
    }
}

impl<T: Keyed> RowIndex<T> {
    /// Keeps `data` for `raw`, with the text of `field` for the finding.
    pub fn push(&mut self, data: T, raw: &RawRecord<'_>, unit: u32, field: Field) {
        self.push_text(data, raw.loc, unit, &raw.get(field).display());
    }

    /// Keeps `data` for the row at `loc`, with `text` for the finding. A row right after the
    /// last one kept, in the same unit, with the same text and data, is joined to its entry when
    /// the rule allows ([`Keyed::JOINS_ROWS`]): a person's doses are usually rows one after the
    /// other with one number, name and birth date.
    pub fn push_text(&mut self, data: T, loc: RowLoc, unit: u32, text: &str) {
        if T::JOINS_ROWS
            && let Some(last) = self.entries.last_mut()
            && last.unit == unit
            && (last.loc.source, last.loc.sheet) == (loc.source, loc.sheet)
            && last.loc.row.checked_add(last.data.rows()) == Some(loc.row)
            && self.arena.get(last.text) == text
            && last.data.join(&data)
        {
            return;
        }
        let text = self.arena.push(text);
        self.entries.push(Entry {
            data,
            loc,
            unit,
            text,
        });
    }

    /// The bytes the rows in memory take.
    pub fn memory(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry<T>>() + self.arena.0.capacity()
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
        let shift = self.arena.0.len() as u32;
        self.arena.0.extend_from_slice(&other.arena.0);
        self.entries.extend(other.entries.into_iter().map(|mut e| {
            if e.text != Arena::EMPTY {
                e.text += shift;
            }
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
    /// `text`. An `Err` is the index's temporary file failing.
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
        let mut emit = |group: &[Entry<T>], arena: &Arena| {
            // One entry, however many rows it stands for, is one set of values: nothing to find.
            if group.len() < 2 {
                return;
            }
            for (i, detail, suggestion) in judge(group) {
                let Some(e) = group.get(i) else {
                    continue;
                };
                let value = e.data.shown(text_in(arena, e));
                let (province, district, commune) = unit(e.unit);
                // Every row the entry stands for.
                for row in (0..e.data.rows()).filter_map(|k| e.loc.row.checked_add(k)) {
                    let loc = RowLoc { row, ..e.loc };
                    let info = RowInfo {
                        record_id: record_id(loc, &value).into(),
                        province: province.into(),
                        district: district.into(),
                        commune: commune.into(),
                    };
                    out.push((
                        e.unit,
                        Finding {
                            loc,
                            row: Arc::new(info),
                            field: code.field(),
                            code,
                            value: value.as_ref().into(),
                            suggestion: suggestion.as_str().into(),
                            detail,
                        },
                    ));
                }
            }
        };
        let Some(runs) = &mut self.runs else {
            // Grouping needs the key only: findings are sorted again by the caller. Most keys
            // are one entry (a record id, a person's dose, a person's rows joined under one
            // number): those are set aside, and only the others sorted.
            let n = may_group(&mut self.entries);
            let rows = &mut self.entries[..n];
            rows.par_sort_unstable_by_key(T::key);
            for group in rows.chunk_by(|a, b| T::key(a) == T::key(b)) {
                emit(group, &self.arena);
            }
            return Ok(out);
        };
        write_run(runs, &mut self.entries, &mut self.arena)?;
        // One group at a time, its texts in an arena of its own.
        let mut group: Vec<Entry<T>> = Vec::new();
        let mut arena = Arena::default();
        let mut merge = runs.merge::<OnDisk<T>>()?;
        while let Some(row) = merge.next()? {
            if group
                .first()
                .is_some_and(|g| T::key(g) != T::key(&row.entry))
            {
                emit(&group, &arena);
                group.clear();
                arena.0.clear();
            }
            let mut e = row.entry;
            e.text = arena.push(&row.text);
            group.push(e);
        }
        emit(&group, &arena);
        Ok(out)
    }

    /// Gives `each` the position in `locs` and the kept text of every row at one of `locs`. An `Err` is the index's temporary file failing.
    pub fn texts_at(
        &mut self,
        locs: &[RowLoc],
        mut each: impl FnMut(usize, &str),
    ) -> io::Result<()> {
        // Every row of the index is asked about: a hash look-up, not a search.
        let at: std::collections::HashMap<RowLoc, usize, ahash::RandomState> =
            locs.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let Some(runs) = &mut self.runs else {
            // The text only of the rows asked about: reading every row's would be a jump into
            // the arena per row.
            for e in &self.entries {
                if let Some(i) = at.get(&e.loc) {
                    each(*i, text_in(&self.arena, e));
                }
            }
            return Ok(());
        };
        write_run(runs, &mut self.entries, &mut self.arena)?;
        let mut merge = runs.merge::<OnDisk<T>>()?;
        while let Some(row) = merge.next()? {
            if let Some(i) = at.get(&row.entry.loc) {
                each(*i, &row.text);
            }
        }
        Ok(())
    }
}

/// Moves to the front the rows whose key may be on another row too, and says how many; the rest
/// are the only row of their key, a group of one, which gives no finding
/// ([`crate::runs::shared_first`]).
fn may_group<T: Keyed>(entries: &mut [Entry<T>]) -> usize {
    crate::runs::shared_first(entries, T::key)
}

/// Writes `entries`, sorted by key, as one run, and empties them.
fn write_run<T: Keyed>(
    runs: &mut Runs,
    entries: &mut Vec<Entry<T>>,
    arena: &mut Arena,
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
    *arena = Arena::default();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dose::DoseEntry;
    use crate::rules::duplicates::IdEntry;
    use crate::rules::record_id::RecordEntry;
    use crate::rules::split::SplitEntry;

    #[test]
    fn texts_come_back_as_kept() {
        let long = "x".repeat(300);
        let mut a = Arena::default();
        let at: Vec<u32> = ["", "079085012345", "", &long, "Số 1", &"y".repeat(254)]
            .iter()
            .map(|t| a.push(t))
            .collect();
        assert_eq!(
            (at[0], at[2]),
            (Arena::EMPTY, Arena::EMPTY),
            "no room for nothing"
        );
        let got: Vec<&str> = at.iter().map(|i| a.get(*i)).collect();
        assert_eq!(got[1], "079085012345");
        assert_eq!(got[3], long);
        assert_eq!(got[4], "Số 1");
        assert_eq!(got[5].len(), 254);
        assert_eq!(a.get(a.0.len() as u32 + 7), "", "past the end");
    }

    fn loc(row: u32) -> RowLoc {
        RowLoc {
            source: 0,
            sheet: 0,
            row,
        }
    }

    /// A record-id index of one row per key of `keys` (the second half of the key; rows 0, 1…).
    fn record_index(keys: impl IntoIterator<Item = u32>) -> RowIndex<RecordEntry> {
        let mut index = RowIndex::default();
        for (row, k) in keys.into_iter().enumerate() {
            index.push_text(RecordEntry::with_key([0, k], 0), loc(row as u32), 0, "");
        }
        index
    }

    #[test]
    fn appended_indexes_keep_their_texts() {
        let mut one: RowIndex<RecordEntry> = RowIndex::default();
        one.push_text(RecordEntry::default(), loc(1), 0, "VX1");
        let mut two: RowIndex<RecordEntry> = RowIndex::default();
        two.push_text(RecordEntry::default(), loc(2), 0, "");
        two.push_text(RecordEntry::default(), loc(3), 1, "VX3");
        one.append(two, &[5, 6]);
        let got: Vec<(u32, u32, &str)> = one
            .entries
            .iter()
            .map(|e| (e.loc.row, e.unit, one.text(e)))
            .collect();
        assert_eq!(got, [(1, 0, "VX1"), (2, 5, ""), (3, 6, "VX3")]);
    }

    proptest::proptest! {
        /// Every row of a key on two rows or more is set aside for grouping, whatever the keys;
        /// the rows are all still there.
        #[test]
        fn no_group_of_two_is_left_out(keys in proptest::collection::vec(0u32..400, 0..300)) {
            // Keys that are small numbers, not hashes: the slots must spread them.
            let mut index = record_index(keys.iter().copied());
            let n = may_group(&mut index.entries);
            let key = |e: &Entry<RecordEntry>| RecordEntry::key(e)[1];
            let count = |k: u32| keys.iter().filter(|&&x| x == k).count();
            for (i, e) in index.entries.iter().enumerate() {
                if count(key(e)) >= 2 {
                    proptest::prop_assert!(i < n, "a row of key {} left out", key(e));
                }
            }
            let mut rows: Vec<u32> = index.entries.iter().map(|e| e.loc.row).collect();
            rows.sort_unstable();
            proptest::prop_assert_eq!(rows, (0..keys.len() as u32).collect::<Vec<_>>());
        }
    }

    #[test]
    fn keys_of_one_row_are_set_aside() {
        // Two rows share key 7; every other key is one row.
        let mut index = record_index((0..10_000u32).map(|row| if row == 9_999 { 7 } else { row }));
        let n = may_group(&mut index.entries);
        assert!(n >= 2, "both rows of key 7");
        assert!(
            n < 2_000,
            "{n} rows kept for grouping, of 10,000 nearly all alone"
        );
    }

    /// What a row costs in memory: most of a scan's memory is these entries.
    #[test]
    fn entries_stay_small() {
        use std::mem::size_of;
        assert_eq!(size_of::<Entry<IdEntry>>(), 44);
        assert_eq!(size_of::<Entry<SplitEntry>>(), 40);
        assert_eq!(size_of::<Entry<DoseEntry>>(), 32);
        assert_eq!(size_of::<Entry<RecordEntry>>(), 32);
    }
}
