//! The storage shared by cross-record rules: one small entry per row (the rule's key, where the
//! row is, its unit) with the row's record id and value kept in one text arena, so that indexing
//! a million rows allocates nothing per row. Once every input is read, entries are grouped by key
//! and each rule decides which groups are findings.

use std::sync::Arc;

use crate::findings::{Finding, RowInfo};
use crate::record::{Field, RawRecord, RowLoc};
use crate::rules::{Code, Detail};

/// Separates the texts of one entry in the arena.
const SEP: char = '\u{1f}';

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
    /// An index with room for `rows` rows (and ~32 bytes of text each).
    pub fn with_capacity(rows: usize) -> Self {
        RowIndex {
            entries: Vec::with_capacity(rows),
            arena: String::with_capacity(rows * 32),
        }
    }
}

impl<T: Copy + Send> RowIndex<T> {
    /// Keeps `data` for `raw`, with its record id and the text of `field` for the finding.
    pub fn push(&mut self, data: T, raw: &RawRecord<'_>, unit: u32, field: Field) {
        let start = self.arena.len() as u32;
        for (i, f) in [Field::RecordId, field].into_iter().enumerate() {
            if i > 0 {
                self.arena.push(SEP);
            }
            let text = raw.get(f).display();
            if text.bytes().any(|b| b == SEP as u8) {
                // The separator cannot appear inside a text.
                self.arena.extend(text.chars().filter(|&c| c != SEP));
            } else {
                self.arena.push_str(&text);
            }
        }
        self.entries.push(Entry {
            data,
            loc: raw.loc,
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

    /// Groups the rows by `key`; every row of a group for which `judge` gives a detail becomes a
    /// finding of `code`, with the row's unit. `unit(u)` names unit `u`.
    pub fn findings<'u, K: Ord + Send>(
        mut self,
        key: impl Fn(&T) -> K + Sync,
        judge: impl Fn(&[Entry<T>]) -> Option<Detail>,
        code: Code,
        unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
    ) -> Vec<(u32, Finding)> {
        use rayon::slice::ParallelSliceMut;
        // Grouping needs the key only: findings are sorted again by the caller.
        self.entries
            .par_sort_unstable_by(|a, b| key(&a.data).cmp(&key(&b.data)));
        let mut out = Vec::new();
        for group in self.entries.chunk_by(|a, b| key(&a.data) == key(&b.data)) {
            if group.len() < 2 {
                continue;
            }
            let Some(detail) = judge(group) else {
                continue;
            };
            for e in group {
                let text = self
                    .arena
                    .get(e.start as usize..(e.start + e.len) as usize)
                    .unwrap_or("");
                let (record_id, value) = text.split_once(SEP).unwrap_or((text, ""));
                let (province, district, commune) = unit(e.unit);
                let info = RowInfo {
                    record_id: record_id.into(),
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
                        suggestion: "".into(),
                        detail,
                    },
                ));
            }
        }
        out
    }
}
