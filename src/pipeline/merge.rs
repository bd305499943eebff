//! Merge phase: each checked batch's counts and cross-record index entries are merged under one
//! lock ([`merge`]); once every input is read, the cross-record rules run on the merged indexes
//! ([`Merged::cross_record`]), people are counted per unit ([`distinct`], [`count_units`]) and the
//! reports of the sources and sheets are put together.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use super::check::BatchOut;
use super::{FastMap, SheetReport, SourceReport, UnitKey, UnitStats};
use crate::findings::Finding;
use crate::input::{InputError, InputFile, SheetInfo};
use crate::rules::dose::DoseIndex;
use crate::rules::duplicates::IdIndex;
use crate::rules::record_id::RecordIndex;
use crate::rules::split::{self, SplitIndex};
use crate::rules::{Code, dose, duplicates, record_id};
use crate::runs::{RunItem, Spilling};

static EMPTY_UNIT: UnitKey = UnitKey {
    province: String::new(),
    district: String::new(),
    commune: String::new(),
};

/// Distinct people per unit (indexed by unit) and in all.
type Distinct = (Vec<u64>, u64);

/// A row's unit and person, for counting people (aligned to 4 bytes: 12 bytes, not 16).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
pub(super) struct Pair(u32, u64);

impl RunItem for Pair {
    /// By person, then unit: a person's pairs are side by side.
    type Key = (u64, u32);

    fn key(&self) -> (u64, u32) {
        (self.1, self.0)
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes());
        out.extend_from_slice(&self.1.to_le_bytes());
    }

    fn read(&mut self, b: &[u8]) -> Option<()> {
        let (u, p) = b.split_first_chunk::<4>()?;
        self.0 = u32::from_le_bytes(*u);
        self.1 = u64::from_le_bytes(p.try_into().ok()?);
        Some(())
    }
}

/// Every batch's counts and cross-record index entries, merged.
#[derive(Default)]
pub(super) struct Merged {
    /// Where the indexes go past [`Merged::budget`].
    dir: PathBuf,
    /// The bytes the indexes may take in memory; `None`: no limit.
    budget: Option<usize>,
    /// How many times the indexes went to disk.
    pub(super) spills: u64,
    ids: IdIndex,
    splits: SplitIndex,
    doses: DoseIndex,
    /// Every row's record id (the one copy the cross-record findings read it from).
    records: RecordIndex,
    /// Units by name, numbered in order of first sight.
    unit_ids: FastMap<UnitKey, u32>,
    unit_rows: Vec<u64>,
    /// (unit, person) for every row; sorted and deduplicated at the end to count people.
    people: Spilling<Pair>,
    /// (unit, person) for every row with an error finding.
    error_people: Spilling<Pair>,
    /// Findings per unit and code.
    unit_codes: FastMap<(u32, Code), u64>,
    /// Rows in communes the registry covers, and rows matched to a resident.
    pub(super) registry_rows: (u64, u64),
    /// Rows checked and rows skipped, by sheet.
    pub(super) sheet_rows: HashMap<u32, (u64, u64)>,
    /// The first error writing findings aside, if any.
    pub(super) store_error: Option<std::io::Error>,
}

/// What the cross-record phase gives.
pub(super) struct Cross {
    /// The cross-record findings.
    pub(super) conflicts: Vec<Finding>,
    /// Distinct people per unit and in all.
    pub(super) people: Distinct,
    /// Distinct people with an error finding per unit and in all.
    pub(super) error_people: Distinct,
}

/// The totals of a scan.
pub(super) struct Totals {
    /// Findings by code.
    pub(super) by_code: BTreeMap<Code, u64>,
    /// Counts per unit.
    pub(super) units: BTreeMap<UnitKey, UnitStats>,
    /// Distinct people.
    pub(super) people: u64,
    /// Distinct people with an error finding.
    pub(super) people_with_errors: u64,
}

impl Merged {
    /// Nothing merged yet; past `budget` bytes the indexes are written to sorted runs in
    /// temporary files in `dir`.
    pub(super) fn new(dir: PathBuf, budget: usize) -> Self {
        Merged {
            dir,
            budget: Some(budget),
            ..Merged::default()
        }
    }

    /// The bytes the indexes take in memory.
    fn memory(&self) -> usize {
        self.ids.memory()
            + self.splits.memory()
            + self.doses.memory()
            + self.records.memory()
            + self.people.memory()
            + self.error_people.memory()
    }

    /// Writes every index to its runs on disk, freeing their memory.
    fn spill(&mut self) -> io::Result<()> {
        let dir = &self.dir;
        self.ids.spill(dir)?;
        self.splits.spill(dir)?;
        self.doses.spill(dir)?;
        self.records.spill(dir)?;
        self.people.spill(dir)?;
        self.error_people.spill(dir)
    }

    /// Runs the cross-record rules on the merged indexes (emptying them) and counts the people;
    /// the cross-record findings are counted in their units. An `Err` is an index's temporary
    /// file failing.
    pub(super) fn cross_record(&mut self) -> io::Result<Cross> {
        let mut unit_names: Vec<&UnitKey> = vec![&EMPTY_UNIT; self.unit_rows.len()];
        for (key, id) in &self.unit_ids {
            unit_names[*id as usize] = key;
        }
        let names = |u: u32| {
            let UnitKey {
                province: p,
                district: d,
                commune: c,
            } = unit_names.get(u as usize).copied().unwrap_or(&EMPTY_UNIT);
            (p.as_str(), d.as_str(), c.as_str())
        };
        let ids = std::mem::take(&mut self.ids);
        let splits = std::mem::take(&mut self.splits);
        let doses = std::mem::take(&mut self.doses);
        let records = std::mem::take(&mut self.records);
        let people_pairs = std::mem::take(&mut self.people);
        let error_pairs = std::mem::take(&mut self.error_people);
        let units_len = self.unit_rows.len();
        // The cross-record rules and the people counts need nothing of each other; the record
        // ids the other rules' findings show are then read from the record-id rule's index.
        let (cross, (people, error_people)) = rayon::join(
            || -> io::Result<_> {
                let ((records, (id_conflicts, split_people)), dose_conflicts) = rayon::join(
                    || {
                        rayon::join(
                            || record_id::duplicates(records, names),
                            || {
                                rayon::join(
                                    || duplicates::conflicts(ids, names),
                                    || split::splits(splits, names),
                                )
                            },
                        )
                    },
                    || dose::duplicates(doses, names),
                );
                let (found, mut by_row) = records?;
                let mut others = (id_conflicts?, split_people?, dose_conflicts?);
                by_row.fill(
                    others
                        .0
                        .iter_mut()
                        .chain(&mut others.1)
                        .chain(&mut others.2)
                        .map(|(_, f)| f),
                )?;
                Ok((found, others))
            },
            || {
                rayon::join(
                    || distinct(people_pairs, units_len),
                    || distinct(error_pairs, units_len),
                )
            },
        );
        drop(unit_names);
        let (record_conflicts, (id_conflicts, split_people, dose_conflicts)) = cross?;
        let (people, error_people) = (people?, error_people?);
        let mut conflicts = Vec::new();
        for (unit, finding) in id_conflicts
            .into_iter()
            .chain(split_people)
            .chain(dose_conflicts)
            .chain(record_conflicts)
        {
            *self.unit_codes.entry((unit, finding.code)).or_insert(0) += 1;
            conflicts.push(finding);
        }
        Ok(Cross {
            conflicts,
            people,
            error_people,
        })
    }

    /// Findings by code, counts per unit, and people in all: what [`Merged::cross_record`]
    /// left.
    pub(super) fn totals(&mut self, people: Distinct, error_people: Distinct) -> Totals {
        let mut by_code = BTreeMap::new();
        for ((_, code), n) in &self.unit_codes {
            *by_code.entry(*code).or_insert(0) += n;
        }
        let (units, people, people_with_errors) = count_units(
            std::mem::take(&mut self.unit_ids),
            &self.unit_rows,
            people,
            error_people,
            &self.unit_codes,
        );
        Totals {
            by_code,
            units,
            people,
            people_with_errors,
        }
    }
}

/// Merges one batch's output (its findings already written aside) into `merged`.
pub(super) fn merge(merged: &Mutex<Merged>, out: BatchOut, store_error: Option<std::io::Error>) {
    let mut guard = merged.lock().unwrap_or_else(PoisonError::into_inner);
    let m = &mut *guard;
    if let Some(e) = store_error {
        m.store_error.get_or_insert(e);
    }
    let counts = m.sheet_rows.entry(out.sheet).or_default();
    counts.0 += out.rows;
    counts.1 += out.skipped;
    let mut global = Vec::with_capacity(out.units.len());
    for unit in out.units {
        // Most units of a batch are known already: their names are looked up, not copied.
        let id = match m.unit_ids.get(&unit.unit.key) {
            Some(id) => *id,
            None => {
                let next = m.unit_ids.len() as u32;
                m.unit_ids.insert(unit.unit.key.clone(), next);
                m.unit_rows.push(0);
                next
            }
        };
        if let Some(rows) = m.unit_rows.get_mut(id as usize) {
            *rows += unit.rows;
        }
        global.push(id);
    }
    m.ids.append(out.ids, &global);
    m.splits.append(out.splits, &global);
    m.registry_rows.0 += out.registry_rows.0;
    m.registry_rows.1 += out.registry_rows.1;
    m.doses.append(out.doses, &global);
    m.records.append(out.records, &global);
    for ((u, code), n) in out.unit_codes {
        *m.unit_codes.entry((global[u as usize], code)).or_insert(0) += n;
    }
    m.people.extend(
        out.people
            .into_iter()
            .map(|(u, p)| Pair(global[u as usize], p)),
    );
    m.error_people.extend(
        out.error_people
            .into_iter()
            .map(|(u, p)| Pair(global[u as usize], p)),
    );
    if m.budget.is_some_and(|b| m.memory() > b) {
        match m.spill() {
            Ok(()) => m.spills += 1,
            Err(e) => {
                m.store_error.get_or_insert(e);
            }
        }
    }
}

/// Distinct people per unit (indexed by unit) and in all. An `Err` is the pairs' temporary file
/// failing.
fn distinct(pairs: Spilling<Pair>, units: usize) -> io::Result<Distinct> {
    let mut per_unit = vec![0u64; units];
    let mut everyone = 0;
    let mut previous: Option<Pair> = None;
    // Each person's pairs together, in order of unit: each distinct pair once. A person of one
    // pair (most of them) is counted without sorting.
    pairs.for_each_grouped(
        |pair| pair.1,
        |&pair| {
            if previous == Some(pair) {
                return;
            }
            if previous.is_none_or(|p| p.1 != pair.1) {
                everyone += 1;
            }
            if let Some(n) = per_unit.get_mut(pair.0 as usize) {
                *n += 1;
            }
            previous = Some(pair);
        },
    )?;
    Ok((per_unit, everyone))
}

/// Rows, people and findings per unit; the number of distinct people in all, and of those with
/// errors. `people` and `with_errors` are what [`distinct`] counted.
fn count_units(
    unit_ids: FastMap<UnitKey, u32>,
    unit_rows: &[u64],
    (per_unit, everyone): (Vec<u64>, u64),
    (with_errors, everyone_with_errors): (Vec<u64>, u64),
    unit_codes: &FastMap<(u32, Code), u64>,
) -> (BTreeMap<UnitKey, UnitStats>, u64, u64) {
    let mut codes: Vec<BTreeMap<Code, u64>> = vec![BTreeMap::new(); unit_rows.len()];
    for ((u, code), n) in unit_codes {
        if let Some(m) = codes.get_mut(*u as usize) {
            *m.entry(*code).or_insert(0) += n;
        }
    }
    let units = unit_ids
        .into_iter()
        .map(|(key, id)| {
            let i = id as usize;
            let stats = UnitStats {
                rows: unit_rows[i],
                people: per_unit[i],
                people_with_errors: with_errors[i],
                findings: std::mem::take(&mut codes[i]),
            };
            (key, stats)
        })
        .collect();
    (units, everyone, everyone_with_errors)
}

/// Output order of sheets: by source path as given, then sheet name.
pub(super) fn sheet_ranks(files: &[InputFile], sheets: &[SheetInfo]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..sheets.len()).collect();
    let key = |i: usize| {
        let s = &sheets[i];
        let src = files
            .get(s.source as usize)
            .map_or("", |f| f.display.as_str());
        (src, s.source, s.name.as_str())
    };
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    let mut ranks = vec![0u32; sheets.len()];
    for (rank, i) in order.into_iter().enumerate() {
        ranks[i] = rank as u32;
    }
    ranks
}

/// The report of each input, in the order given: `errors` by input index, `skipped` sheets by
/// source, `hashes` by input index.
pub(super) fn source_reports(
    files: Vec<InputFile>,
    mut errors: Vec<(usize, InputError)>,
    skipped: &[(u32, String)],
    hashes: &[Option<String>],
) -> Vec<SourceReport> {
    let key_names = crate::output::export::key_names(&files);
    files
        .into_iter()
        .zip(key_names)
        .enumerate()
        .map(|(i, (file, key_name))| {
            let mut error = errors
                .iter()
                .position(|(j, _)| *j == i)
                .map(|p| errors.swap_remove(p).1);
            let skipped_file =
                if file.from_folder && matches!(error, Some(InputError::NoHeader { .. })) {
                    error.take()
                } else {
                    None
                };
            SourceReport {
                sha256: hashes.get(i).cloned().flatten(),
                skipped_sheets: if error.is_none() && skipped_file.is_none() {
                    skipped
                        .iter()
                        .filter(|(s, _)| *s as usize == i)
                        .map(|(_, n)| n.clone())
                        .collect()
                } else {
                    Vec::new()
                },
                error,
                skipped: skipped_file,
                file,
                key_name,
            }
        })
        .collect()
}

/// The report of each sheet read: its rows and skipped rows (by sheet index) and its rank.
pub(super) fn sheet_reports(
    sheets: Vec<SheetInfo>,
    sheet_rows: &HashMap<u32, (u64, u64)>,
    ranks: &[u32],
) -> Vec<SheetReport> {
    sheets
        .into_iter()
        .enumerate()
        .map(|(i, info)| {
            let (rows, skipped_rows) = sheet_rows.get(&(i as u32)).copied().unwrap_or_default();
            SheetReport {
                info,
                rows,
                skipped_rows,
                rank: ranks.get(i).copied().unwrap_or(u32::MAX),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::input::Format;
    use crate::pipeline::check::{BatchUnit, Resolved};

    fn unit(name: &str, rows: u64) -> BatchUnit {
        BatchUnit {
            unit: Arc::new(Resolved {
                key: UnitKey::new(name.to_string(), "", ""),
                ..Resolved::default()
            }),
            rows,
        }
    }

    #[test]
    fn distinct_counts_each_person_once_per_unit_and_once_in_all() {
        let pairs = [(0, 7), (0, 7), (1, 7), (1, 8), (0, 9)].map(|(u, p)| Pair(u, p));
        let mut memory = Spilling::default();
        memory.extend(pairs);
        assert_eq!(
            distinct(memory, 3).expect("temporary files work in tests"),
            (vec![2, 2, 0], 3)
        );
        // The same pairs written to disk one or two at a time.
        let dir = tempfile::tempdir().expect("temporary files work in tests");
        let mut disk = Spilling::default();
        for two in pairs.chunks(2) {
            disk.extend(two.iter().copied());
            disk.spill(dir.path())
                .expect("temporary files work in tests");
        }
        assert!(disk.spilled());
        assert_eq!(
            distinct(disk, 3).expect("temporary files work in tests"),
            (vec![2, 2, 0], 3)
        );
        assert_eq!(
            distinct(Spilling::default(), 2).expect("temporary files work in tests"),
            (vec![0, 0], 0)
        );
    }

    #[test]
    fn count_units_gathers_rows_people_and_codes_by_unit() {
        let unit_ids: FastMap<UnitKey, u32> = [
            (UnitKey::new("A", "", ""), 0),
            (UnitKey::new("B", "", ""), 1),
        ]
        .into_iter()
        .collect();
        let codes: FastMap<(u32, Code), u64> =
            [((0, Code::NameMissing), 2), ((1, Code::IdFormat), 1)]
                .into_iter()
                .collect();
        let (units, people, with_errors) =
            count_units(unit_ids, &[5, 3], (vec![4, 2], 6), (vec![1, 1], 2), &codes);
        assert_eq!((people, with_errors), (6, 2));
        let a = &units[&UnitKey::new("A", "", "")];
        assert_eq!((a.rows, a.people, a.people_with_errors), (5, 4, 1));
        assert_eq!(a.findings, [(Code::NameMissing, 2)].into());
        let b = &units[&UnitKey::new("B", "", "")];
        assert_eq!((b.rows, b.people, b.people_with_errors), (3, 2, 1));
        assert_eq!(b.findings, [(Code::IdFormat, 1)].into());
    }

    #[test]
    fn batches_naming_one_unit_share_its_number() {
        let merged = Mutex::new(Merged::default());
        let first = BatchOut {
            sheet: 0,
            rows: 3,
            units: vec![unit("A", 2), unit("B", 1)],
            people: vec![(0, 1), (1, 2)],
            unit_codes: [((1, Code::NameMissing), 1)].into_iter().collect(),
            ..BatchOut::default()
        };
        let second = BatchOut {
            sheet: 0,
            rows: 2,
            skipped: 1,
            units: vec![unit("B", 2)],
            people: vec![(0, 3)],
            error_people: vec![(0, 3)],
            unit_codes: [((0, Code::NameMissing), 2)].into_iter().collect(),
            ..BatchOut::default()
        };
        merge(&merged, first, None);
        merge(&merged, second, None);
        let mut m = merged.into_inner().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(m.sheet_rows[&0], (5, 1));
        assert_eq!(m.unit_rows, [2, 3]);
        assert_eq!(m.people.items(), [Pair(0, 1), Pair(1, 2), Pair(1, 3)]);
        let cross = m.cross_record().expect("temporary files work in tests");
        assert!(cross.conflicts.is_empty());
        assert_eq!(cross.people, (vec![1, 2], 3));
        assert_eq!(cross.error_people, (vec![0, 1], 1));
        let totals = m.totals(cross.people, cross.error_people);
        assert_eq!(totals.by_code, [(Code::NameMissing, 3)].into());
        let b = &totals.units[&UnitKey::new("B", "", "")];
        assert_eq!((b.rows, b.people, b.people_with_errors), (3, 2, 1));
    }

    #[test]
    fn past_the_budget_the_indexes_go_to_disk_and_count_the_same() {
        let batches = || {
            (0..6u64).map(|i| BatchOut {
                sheet: 0,
                rows: 2,
                units: vec![unit(if i % 2 == 0 { "A" } else { "B" }, 2)],
                people: vec![(0, i / 2), (0, 100 + i)],
                error_people: vec![(0, i / 2)],
                ..BatchOut::default()
            })
        };
        let dir = tempfile::tempdir().expect("temporary files work in tests");
        let counted = |budget: usize| {
            let merged = Mutex::new(Merged::new(dir.path().to_path_buf(), budget));
            for b in batches() {
                merge(&merged, b, None);
            }
            let mut m = merged.into_inner().unwrap_or_else(PoisonError::into_inner);
            assert!(m.store_error.is_none());
            let spilled = m.people.spilled() && m.error_people.spilled();
            let cross = m.cross_record().expect("temporary files work in tests");
            (spilled, cross.people, cross.error_people)
        };
        let (in_memory, people, with_errors) = counted(usize::MAX);
        assert!(!in_memory);
        assert_eq!(people, (vec![6, 6], 9));
        assert_eq!(with_errors, (vec![3, 3], 3));
        assert_eq!(counted(1), (true, people, with_errors));
    }

    #[test]
    fn sheets_rank_by_source_path_then_sheet_name() {
        let file = |display: &str| InputFile {
            path: display.into(),
            display: display.to_string(),
            format: Format::Csv,
            size: 0,
            from_folder: false,
        };
        let sheet = |source: u32, name: &str| SheetInfo {
            source,
            name: name.to_string(),
            header_row: 1,
            headers: Vec::new(),
            mapped: Vec::new(),
            encoding: None,
            delimiter: None,
        };
        let files = [file("b.csv"), file("a.xlsx")];
        let sheets = [sheet(0, ""), sheet(1, "Z"), sheet(1, "A")];
        assert_eq!(sheet_ranks(&files, &sheets), [2, 1, 0]);
        let rows: HashMap<u32, (u64, u64)> = [(1, (4, 1))].into();
        let reports = sheet_reports(sheets.to_vec(), &rows, &[2, 1, 0]);
        let got: Vec<_> = reports
            .iter()
            .map(|r| (r.info.name.as_str(), r.rows, r.skipped_rows, r.rank))
            .collect();
        assert_eq!(got, [("", 0, 0, 2), ("Z", 4, 1, 1), ("A", 0, 0, 0)]);
    }
}
