//! `RECORD_ID_DUPLICATE`: the same record key (the platform's record id column) in two inputs of
//! the run, or on two different people. Such a key no longer tells one record: a list row that
//! names it could stand for either, so `apply-corrections` looks such rows up by their values.
//!
//! Every row with a non-empty record id is indexed once (the hash of the id, a short person key,
//! and the id's text); this index also keeps every row's record id for the other cross-record
//! rules' findings: they are made without it and [`RecordIds::fill`] gives them theirs in one
//! pass over the index, in memory or on disk. Once all inputs are read, every row of a key that is in more
//! than one input or on more than one person is reported.

use std::hash::Hasher;

use crate::findings::Finding;
use crate::record::{Field, RawRecord, RowLoc, trim};
use crate::rules::row_index::{Entry, Keyed, RowIndex, le_u32};
use crate::rules::{Code, Detail};
use crate::util::StableHasher;

/// What is kept of a row with a record id: a hash of the trimmed id and a short person key, in
/// 32-bit halves so that an entry needs no 8-byte alignment.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordEntry {
    key: [u32; 2],
    person: u32,
}

#[cfg(test)]
impl RecordEntry {
    /// An entry of record-id key `key` (two halves) and person `person`.
    pub(crate) fn with_key(key: [u32; 2], person: u32) -> Self {
        RecordEntry { key, person }
    }
}

impl Keyed for RecordEntry {
    /// Rows are grouped by record id.
    type Key = [u32; 2];

    fn key(e: &Entry<Self>) -> [u32; 2] {
        e.data.key
    }

    fn put(&self, out: &mut Vec<u8>) {
        for n in [self.key[0], self.key[1], self.person] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }

    fn get(b: &[u8]) -> Option<(Self, usize)> {
        let e = RecordEntry {
            key: [le_u32(b, 0)?, le_u32(b, 4)?],
            person: le_u32(b, 8)?,
        };
        Some((e, 12))
    }
}

/// The rows with a record id.
pub type RecordIndex = RowIndex<RecordEntry>;

/// Every row's record id (see [`duplicates`]), for the other cross-record rules' findings.
#[derive(Debug, Default)]
pub struct RecordIds(RecordIndex);

impl RecordIds {
    /// Gives `found` their rows' record ids (trimmed; "" for a row without one), in one pass
    /// over the index: the rows with findings are few, so looking each row up among them costs
    /// less than sorting the index by row. An `Err` is the index's temporary file failing.
    pub fn fill<'f>(
        &mut self,
        found: impl IntoIterator<Item = &'f mut Finding>,
    ) -> std::io::Result<()> {
        let index = &mut self.0;
        let mut found: Vec<&mut Finding> = found.into_iter().collect();
        found.sort_unstable_by_key(|f| f.loc);
        let mut locs: Vec<RowLoc> = found.iter().map(|f| f.loc).collect();
        locs.dedup();
        index.texts_at(&locs, |i, text| {
            // A row may have several findings, each with its own row info.
            let loc = locs[i];
            let first = found.partition_point(|f| f.loc < loc);
            for f in found[first..].iter_mut().take_while(|f| f.loc == loc) {
                std::sync::Arc::make_mut(&mut f.row).record_id = trim(text).into();
            }
        })
    }
}

fn key_of(id: &str) -> [u32; 2] {
    let mut h = StableHasher::default();
    h.write(id.as_bytes());
    let k = h.finish();
    [(k >> 32) as u32, k as u32]
}

/// Notes the record id of `raw`, if it has one. `person` is the key that is the same for every
/// row of one person (the one `DOSE_DUPLICATE` groups by), `unit` the number of its unit.
pub fn add(index: &mut RecordIndex, raw: &RawRecord<'_>, person: u64, unit: u32) {
    let text = raw.get(Field::RecordId).display();
    let id = trim(&text);
    if id.is_empty() {
        return;
    }
    let entry = RecordEntry {
        key: key_of(id),
        person: (person ^ (person >> 32)) as u32,
    };
    index.push_text(entry, raw.loc, unit, &text);
}

/// Every row of a record id that is in more than one input or on more than one person, with the
/// row's unit (`unit(u)` names unit `u`); and every row's record id, for the other rules. An
/// `Err` is the index's temporary file failing.
pub fn duplicates<'u>(
    mut index: RecordIndex,
    unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
) -> std::io::Result<(Vec<(u32, Finding)>, RecordIds)> {
    let found = index.findings(judge, Code::RecordIdDuplicate, unit, |_, text| {
        trim(text).to_string()
    })?;
    Ok((found, RecordIds(index)))
}

/// How many inputs and people share one record id; `None` when it is one person in one input
/// (the same dose written twice is `DOSE_DUPLICATE`'s).
fn judge(group: &[Entry<RecordEntry>]) -> Option<Detail> {
    let first = group.first()?;
    if group
        .iter()
        .all(|e| e.loc.source == first.loc.source && e.data.person == first.data.person)
    {
        return None;
    }
    let count = |mut v: Vec<u32>| {
        v.sort_unstable();
        v.dedup();
        v.len() as u32
    };
    let inputs = count(group.iter().map(|e| e.loc.source).collect());
    let people = count(group.iter().map(|e| e.data.person).collect());
    Some(Detail::Shared { inputs, people })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Cell;
    use std::borrow::Cow;

    /// A row of input `source`, line `row`, with record id `id`, of person `person`.
    fn put(index: &mut RecordIndex, source: u32, row: u32, id: &str, person: u64) {
        let mut cells: [Cell<Cow<str>>; 16] = Default::default();
        if !id.is_empty() {
            cells[Field::RecordId.index()] = Cell::Text(Cow::Borrowed(id));
        }
        let raw = RawRecord {
            loc: RowLoc {
                source,
                sheet: source,
                row,
            },
            cells,
        };
        add(index, &raw, person, source);
    }

    fn places(u: u32) -> (&'static str, &'static str, &'static str) {
        if u == 0 {
            ("P0", "D0", "C0")
        } else {
            ("P1", "D1", "C1")
        }
    }

    /// A row: input, line, record id, person.
    type Row<'a> = (u32, u32, &'a str, u64);
    /// A reported row: input, line, detail.
    type Reported = (u32, u32, Detail);

    /// The rows reported, in order, with their detail.
    fn reported(rows: &[Row<'_>]) -> Vec<Reported> {
        let mut ix = RecordIndex::default();
        for &(source, row, id, person) in rows {
            put(&mut ix, source, row, id, person);
        }
        let (found, _) = duplicates(ix, places).expect("temporary files work in tests");
        let mut out: Vec<Reported> = found
            .iter()
            .map(|(_, f)| (f.loc.source, f.loc.row, f.detail))
            .collect();
        out.sort_by_key(|r| (r.0, r.1));
        out
    }

    #[test]
    fn shared_record_ids_are_reported_on_every_row() {
        let two_inputs = Detail::Shared {
            inputs: 2,
            people: 2,
        };
        let cases: Vec<(&str, Vec<Row<'_>>, Vec<Reported>)> = vec![
            (
                "distinct ids",
                vec![(0, 2, "VX1", 1), (0, 3, "VX2", 1), (1, 2, "VX3", 2)],
                vec![],
            ),
            (
                "one person's dose written twice: DOSE_DUPLICATE's, not ours",
                vec![(0, 2, "VX1", 1), (0, 3, "VX1", 1)],
                vec![],
            ),
            (
                "rows without a record id are not indexed",
                vec![(0, 2, "", 1), (1, 2, "", 2), (0, 3, " ", 3)],
                vec![],
            ),
            (
                "two inputs numbered alike",
                vec![(0, 2, "VX1", 1), (0, 3, "VX2", 1), (1, 2, "VX1", 2)],
                vec![(0, 2, two_inputs), (1, 2, two_inputs)],
            ),
            (
                "the same person in two inputs",
                vec![(0, 2, "VX1", 1), (1, 5, "VX1", 1)],
                vec![
                    (
                        0,
                        2,
                        Detail::Shared {
                            inputs: 2,
                            people: 1,
                        },
                    ),
                    (
                        1,
                        5,
                        Detail::Shared {
                            inputs: 2,
                            people: 1,
                        },
                    ),
                ],
            ),
            (
                "two people in one input; spaces do not make another id",
                vec![(0, 2, "VX1", 1), (0, 9, " VX1 ", 2), (0, 4, "VX1", 3)],
                vec![
                    (
                        0,
                        2,
                        Detail::Shared {
                            inputs: 1,
                            people: 3,
                        },
                    ),
                    (
                        0,
                        4,
                        Detail::Shared {
                            inputs: 1,
                            people: 3,
                        },
                    ),
                    (
                        0,
                        9,
                        Detail::Shared {
                            inputs: 1,
                            people: 3,
                        },
                    ),
                ],
            ),
        ];
        for (what, rows, want) in cases {
            assert_eq!(reported(&rows), want, "{what}");
        }
    }

    #[test]
    fn findings_show_the_id_and_record_ids_are_found_by_row() {
        let mut ix = RecordIndex::default();
        put(&mut ix, 0, 2, " VX7", 1);
        put(&mut ix, 1, 3, "VX7", 2);
        put(&mut ix, 1, 4, "VX8", 2);
        put(&mut ix, 1, 5, "", 2);
        let (mut found, mut ids) = duplicates(ix, places).expect("temporary files work in tests");
        found.sort_by_key(|(_, f)| f.loc);
        assert_eq!(found.len(), 2);
        let (unit, f) = &found[0];
        assert_eq!(*unit, 0);
        assert_eq!(f.code, Code::RecordIdDuplicate);
        assert_eq!(f.field, Some(Field::RecordId));
        assert_eq!(&*f.value, " VX7", "the value as written");
        assert_eq!(&*f.row.record_id, "VX7");
        assert_eq!(&*found[1].1.row.commune, "C1");
        assert!(
            f.suggestion.is_empty(),
            "no suggestion: the platform owns the key"
        );
        let at = |source, row| RowLoc {
            source,
            sheet: source,
            row,
        };
        // Findings of another rule on rows with, without and with no such record id.
        let mut others: Vec<Finding> = [at(0, 2), at(1, 4), at(1, 5), at(9, 9), at(1, 4)]
            .into_iter()
            .map(|loc| Finding { loc, ..f.clone() })
            .collect();
        for o in &mut others {
            std::sync::Arc::make_mut(&mut o.row).record_id = "".into();
        }
        ids.fill(&mut others)
            .expect("temporary files work in tests");
        let got: Vec<&str> = others.iter().map(|o| &*o.row.record_id).collect();
        assert_eq!(got, ["VX7", "VX8", "", "", "VX8"]);
    }
}
