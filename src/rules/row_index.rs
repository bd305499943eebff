//! The storage shared by cross-record rules: one small entry per row (the rule's key, where the
//! row is, its unit) with one text of the row (the value the finding shows) kept in one text
//! arena, so that indexing a million rows allocates nothing per row. Once every input is read,
//! entries are grouped by key and each rule decides which groups are findings.
//!
//! The record id is not kept here: every row's record id is kept once, by the record-id rule
//! ([`crate::rules::record_id`]), and a finding's record id is read back from there
//! ([`RowIndex::findings`]'s `record_id`).

use std::sync::Arc;

use crate::findings::{Finding, RowInfo};
use crate::record::{Field, RawRecord, RowLoc};
use crate::rules::{Code, Detail};

/// One indexed row.
#[derive(Debug, Clone, Copy)]
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
}

impl<T> Default for RowIndex<T> {
    fn default() -> Self {
        RowIndex {
            entries: Vec::new(),
            arena: String::new(),
        }
    }
}

impl<T> RowIndex<T> {
    /// An index with room for `rows` rows (and ~16 bytes of text each).
    pub fn with_capacity(rows: usize) -> Self {
        RowIndex {
            entries: Vec::with_capacity(rows),
            arena: String::with_capacity(rows * 16),
        }
    }
}

impl<T: Copy + Send> RowIndex<T> {
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
        self.arena
            .get(e.start as usize..(e.start + e.len) as usize)
            .unwrap_or("")
    }

    /// Groups the rows by `key`; every row of a group for which `judge` gives a detail becomes a
    /// finding of `code`, with the row's unit. `unit(u)` names unit `u`; `record_id(loc, text)`
    /// gives the record id of the row at `loc` whose kept text is `text`. The entries are left
    /// sorted by key.
    pub fn findings<'u, K: Ord + Send>(
        &mut self,
        key: impl Fn(&T) -> K + Sync,
        judge: impl Fn(&[Entry<T>]) -> Option<Detail>,
        code: Code,
        unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
        record_id: impl Fn(RowLoc, &str) -> String,
    ) -> Vec<(u32, Finding)> {
        self.findings_of_rows(
            |e| key(&e.data),
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

    /// Like [`RowIndex::findings`], but the key may read the whole entry (its unit too), and
    /// `judge` picks the rows of a group that are findings, each with its detail and suggestion:
    /// (index in the group, detail, suggestion).
    pub fn findings_of_rows<'u, K: Ord + Send>(
        &mut self,
        key: impl Fn(&Entry<T>) -> K + Sync,
        judge: impl Fn(&[Entry<T>]) -> Vec<(usize, Detail, String)>,
        code: Code,
        unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
        record_id: impl Fn(RowLoc, &str) -> String,
    ) -> Vec<(u32, Finding)> {
        use rayon::slice::ParallelSliceMut;
        // Grouping needs the key only: findings are sorted again by the caller.
        self.entries
            .par_sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        let mut out = Vec::new();
        for group in self.entries.chunk_by(|a, b| key(a) == key(b)) {
            if group.len() < 2 {
                continue;
            }
            for (i, detail, suggestion) in judge(group) {
                let Some(e) = group.get(i) else {
                    continue;
                };
                let value = self.text(e);
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
        }
        out
    }

    /// The index sorted by where the rows are, to look texts up by row.
    pub fn into_by_loc(mut self) -> ByLoc<T> {
        use rayon::slice::ParallelSliceMut;
        self.entries.par_sort_unstable_by_key(|e| e.loc);
        ByLoc(self)
    }
}

/// An index sorted by row: [`ByLoc::text`] finds a row's text.
#[derive(Debug)]
pub struct ByLoc<T>(RowIndex<T>);

impl<T> Default for ByLoc<T> {
    fn default() -> Self {
        ByLoc(RowIndex::default())
    }
}

impl<T: Copy + Send> ByLoc<T> {
    /// The text kept for the row at `loc` ("" when the row is not indexed).
    pub fn text(&self, loc: RowLoc) -> &str {
        match self.0.entries.binary_search_by_key(&loc, |e| e.loc) {
            Ok(i) => self.0.text(&self.0.entries[i]),
            Err(_) => "",
        }
    }
}
