//! The scan engine: readers → normalise → rules → findings, in three phases. Read
//! ([`read`]): reader threads (one per file, up to the thread count) fill batches — rows of a
//! workbook, or a CSV file's text cut at record ends, whose fields the checking thread finds
//! itself. Check ([`check`]): rayon checks the batches as they arrive, so reading overlaps
//! checking; each row goes through the one list of per-row rules, [`crate::rules::check_row`],
//! and each batch's findings go to a [`FindingStore`] on disk. Merge ([`merge`]): each batch's
//! counts and cross-record index entries are merged under one lock, and the cross-record rules
//! run once every input is read. Memory holds the cross-record index and the counts, not the
//! rows and not the findings.

mod check;
pub(crate) use check::is_ragged;
mod merge;
mod read;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::findings::Finding;
use crate::findings::people::{PeopleStore, PersonRow, RowReader};
use crate::findings::store::{FindingStore, SortedFindings};
use crate::input::{Batch, InputError, InputFile, ReadOptions, Rows, SheetInfo, SourceStamp};
use crate::normalize::places::{Gazetteer, Place};
use crate::progress::Progress;
use crate::record::Field;
use crate::rules::{CHECKED_FIELDS, Code};

use check::{Checker, check_batch};
use merge::{Merged, merge, sheet_ranks, sheet_reports, source_reports};
pub use read::{ReaderPool, sha256_of};
use read::{ReaderSink, Shared};

/// What the engine needs besides the files.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Reader options.
    pub read: ReadOptions,
    /// The run's date: bounds birth years and dose dates.
    pub today: NaiveDate,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// The administrative units places are matched against.
    pub gazetteer: Arc<Gazetteer>,
    /// Note every row's person, values and findings for the lists ([`ScanResult::people`]).
    pub capture: bool,
    /// The population registry each person is matched against (`--registry`), if any.
    pub registry: Option<Arc<crate::registry::Registry>>,
    /// The bytes the cross-record indexes may take in memory before they go to sorted runs in
    /// temporary files beside the findings ([`INDEX_MEMORY`] unless a test asks for less).
    pub index_memory: usize,
}

/// The default of [`ScanConfig::index_memory`]: about two million rows' worth of cross-record
/// index entries, so that ordinary dumps never touch the disk for them.
pub const INDEX_MEMORY: usize = 256 << 20;

impl ScanConfig {
    /// The worker threads to use: [`ScanConfig::threads`], or one per core when that is 0.
    pub fn threads(&self) -> usize {
        if self.threads == 0 {
            std::thread::available_parallelism().map_or(2, usize::from)
        } else {
            self.threads
        }
    }
}

/// A hash map with a fast hasher, for the per-row lookups (keys are the data's own, not a
/// server's callers').
type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// A unit of the administrative tree, as written in the data. Ordered by province, then
/// district, then commune.
#[derive(Debug, Default, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitKey {
    /// The province (or city) as written.
    pub province: String,
    /// The district as written.
    pub district: String,
    /// The commune (or ward) as written.
    pub commune: String,
}

impl UnitKey {
    /// The unit named by its three parts.
    pub fn new(
        province: impl Into<String>,
        district: impl Into<String>,
        commune: impl Into<String>,
    ) -> Self {
        UnitKey {
            province: province.into(),
            district: district.into(),
            commune: commune.into(),
        }
    }
}

/// Counts for one unit.
#[derive(Debug, Default, Clone)]
pub struct UnitStats {
    /// Data rows.
    pub rows: u64,
    /// Distinct people.
    pub people: u64,
    /// Distinct people with at least one error finding on their rows.
    pub people_with_errors: u64,
    /// Findings by code.
    pub findings: BTreeMap<Code, u64>,
}

/// What became of one input.
#[derive(Debug)]
pub struct SourceReport {
    /// The file.
    pub file: InputFile,
    /// How record keys name it ([`crate::output::export::key_names`]).
    pub key_name: String,
    /// SHA-256 of its bytes, when it could be read.
    pub sha256: Option<String>,
    /// Why it could not be read, if it could not.
    pub error: Option<InputError>,
    /// Sheets skipped for lack of a header.
    pub skipped_sheets: Vec<String>,
    /// Why a file found under a folder argument was skipped (it is not a dump: no header). A
    /// file named on the command line has its [`SourceReport::error`] instead.
    pub skipped: Option<InputError>,
}

impl SourceReport {
    /// Its path as given, hash (empty when unknown) and size.
    pub fn stamp(&self) -> SourceStamp {
        SourceStamp {
            path: self.file.display.clone(),
            sha256: self.sha256.clone().unwrap_or_default(),
            size: self.file.size,
        }
    }
}

/// A sheet that was read.
#[derive(Debug)]
pub struct SheetReport {
    /// As the reader found it.
    pub info: SheetInfo,
    /// Data rows checked.
    pub rows: u64,
    /// Rows skipped as malformed (ragged).
    pub skipped_rows: u64,
    /// Position of the sheet in the output order (source path, then sheet name).
    pub rank: u32,
}

/// Everything a scan found.
#[derive(Debug)]
pub struct ScanResult {
    /// The inputs, in the order given.
    pub sources: Vec<SourceReport>,
    /// The sheets read, indexed by [`RowLoc::sheet`].
    pub sheets: Vec<SheetReport>,
    /// Every finding, sorted by source, sheet, row, field, code (read once, by the writer:
    /// see [`ScanResult::take_findings`]).
    pub findings: Option<SortedFindings>,
    /// How many findings of each code.
    pub by_code: BTreeMap<Code, u64>,
    /// Data rows.
    pub rows: u64,
    /// Rows skipped as malformed.
    pub skipped_rows: u64,
    /// Distinct people.
    pub people: u64,
    /// Distinct people with at least one error finding on their rows.
    pub people_with_errors: u64,
    /// Counts per unit.
    pub units: BTreeMap<UnitKey, UnitStats>,
    /// Time reading and checking.
    pub read_time: Duration,
    /// Time in cross-record checks and sorting.
    pub cross_time: Duration,
    /// Every checked row's person, when [`ScanConfig::capture`] asked for them.
    pub captured: Option<People>,
    /// What matching against the registry gave, when there was one.
    pub registry: Option<RegistryTotals>,
    /// How many times the cross-record indexes went to disk past
    /// [`ScanConfig::index_memory`] (0: the scan held them in memory).
    pub index_spills: u64,
}

/// Counts of the matching against a registry: counts only, nothing of any resident.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryTotals {
    /// The extracts read.
    pub files: Vec<String>,
    /// Rows whose commune the extracts cover (or whose number they hold).
    pub rows_covered: u64,
    /// Rows matched to a resident.
    pub rows_matched: u64,
}

/// The people of a scan, for the lists.
#[derive(Debug)]
pub struct People {
    /// Every checked row, in no particular order.
    pub rows: Vec<PersonRow>,
    /// Reads back a row's record key, values and findings.
    pub reader: RowReader,
    /// The cross-record findings (they are not in the rows' own findings).
    pub cross: Vec<Finding>,
    /// Units by [`PersonRow::unit`]: canonical names where recognised, and the gazetteer's reading.
    pub units: HashMap<u64, (UnitKey, Place)>,
}

/// Scans `files`. Findings are written aside in a temporary file in `spill_dir` until the writer
/// reads them back in order, and so are the cross-record indexes past
/// [`ScanConfig::index_memory`]. An `Err` means such a temporary file could not be used.
pub fn run(
    files: Vec<InputFile>,
    config: &ScanConfig,
    progress: &Progress,
    spill_dir: &std::path::Path,
) -> std::io::Result<ScanResult> {
    let started = Instant::now();
    let store = FindingStore::new(spill_dir)?;
    let people_store = if config.capture {
        Some(PeopleStore::new(spill_dir)?)
    } else {
        None
    };
    let threads = config.threads();
    // The fields no rule reads are not decoded.
    let mut read = config.read.clone();
    read.only(CHECKED_FIELDS);
    if config.capture {
        // The lists show the address too.
        let mut fields = CHECKED_FIELDS.to_vec();
        fields.push(Field::Address);
        read.only(&fields);
    }
    let shared = Shared::new(progress, threads);
    let readers = ReaderPool::new(&files, &read);
    let merged = Mutex::new(Merged::new(spill_dir.to_path_buf(), config.index_memory));
    let mut hashes: Vec<Option<String>> = Vec::new();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    let checker = Checker::new(config.today, &config.gazetteer, config.capture)
        .with_registry(config.registry.as_deref());

    std::thread::scope(|s| {
        let (tx, rx) = crossbeam_channel::bounded::<Batch>(threads * 2 + 2);
        for _ in 0..readers.readers(threads) {
            let sink = ReaderSink {
                tx: tx.clone(),
                shared: &shared,
            };
            let readers = &readers;
            s.spawn(move || readers.work(&sink));
        }
        drop(tx);
        // CSV readers hash what they read; the other formats are read by calamine (with seeks
        // inside the zip), so a thread of its own hashes them alongside.
        let hasher = s.spawn(|| {
            files
                .iter()
                .map(|f| {
                    (f.format != crate::input::Format::Csv)
                        .then(|| sha256_of(&f.path))
                        .flatten()
                })
                .collect::<Vec<_>>()
        });
        let check = || {
            rx.into_iter().par_bridge().for_each(|batch| {
                let mut out = check_batch(&batch, &checker);
                if let Rows::Csv(chunk) = batch.rows {
                    let _ = shared.pool.0.try_send(chunk.into_buffer());
                }
                let mut stored =
                    store.put(out.sheet, out.first_row, std::mem::take(&mut out.findings));
                if let (Some(people), Some(rows)) = (&people_store, out.people_rows.take()) {
                    stored = stored.and(people.put(rows));
                }
                merge(&merged, out, stored.err());
            })
        };
        match &pool {
            Ok(p) => p.install(check),
            Err(_) => check(),
        }
        hashes = hasher.join().unwrap_or_default();
    });
    // A CSV file its reader did not read to the end (an error, a stop) is hashed here.
    let mut by_reader = shared
        .hashed
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    hashes.resize(files.len(), None);
    for (source, hex) in by_reader.drain(..) {
        if let Some(h) = hashes.get_mut(source as usize) {
            *h = Some(hex);
        }
    }
    for (h, f) in hashes.iter_mut().zip(&files) {
        if h.is_none() && f.format == crate::input::Format::Csv {
            *h = sha256_of(&f.path);
        }
    }
    let read_time = started.elapsed();

    let cross_started = Instant::now();
    let mut merged = merged.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let Some(e) = merged.store_error.take() {
        return Err(e);
    }
    let cross = merged.cross_record()?;
    let conflicts = cross.conflicts;
    let sheets_info = shared
        .sheets
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let ranks = sheet_ranks(&files, &sheets_info);
    let captured = match people_store {
        Some(p) => {
            let (rows, reader) = p.finish()?;
            Some(People {
                rows,
                reader,
                cross: conflicts.clone(),
                units: checker.units(),
            })
        }
        None => None,
    };
    let findings = store.into_sorted(conflicts, &ranks)?;
    let totals = merged.totals(cross.people, cross.error_people);

    let errors = readers.into_errors();
    let skipped = shared
        .skipped
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let sources = source_reports(files, errors, &skipped, &hashes);
    let sheets = sheet_reports(sheets_info, &merged.sheet_rows, &ranks);
    Ok(ScanResult {
        rows: sheets.iter().map(|s| s.rows).sum(),
        skipped_rows: sheets.iter().map(|s| s.skipped_rows).sum(),
        people: totals.people,
        people_with_errors: totals.people_with_errors,
        sources,
        sheets,
        findings: Some(findings),
        by_code: totals.by_code,
        units: totals.units,
        read_time,
        cross_time: cross_started.elapsed(),
        captured,
        registry: config.registry.as_ref().map(|r| RegistryTotals {
            files: r.stats.files.clone(),
            rows_covered: merged.registry_rows.0,
            rows_matched: merged.registry_rows.1,
        }),
        index_spills: merged.spills,
    })
}

impl ScanResult {
    /// The stamps of the inputs that were read.
    pub fn read_stamps(&self) -> Vec<SourceStamp> {
        self.sources
            .iter()
            .filter(|s| s.error.is_none())
            .map(SourceReport::stamp)
            .collect()
    }

    /// The findings, for the one writer that reads them, and the rest of the result.
    pub fn take_findings(mut self) -> (SortedFindings, ScanResult) {
        let findings = self.findings.take();
        match findings {
            Some(f) => (f, self),
            // Only reachable by taking twice; an empty store stands in.
            None => (SortedFindings::empty(), self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_zero_means_one_per_core() {
        let config = |threads| ScanConfig {
            read: ReadOptions::default(),
            today: crate::rules::testing::TODAY,
            threads,
            gazetteer: Arc::new(Gazetteer::default()),
            capture: false,
            registry: None,
            index_memory: INDEX_MEMORY,
        };
        assert_eq!(config(3).threads(), 3);
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        assert_eq!(config(0).threads(), cores);
    }

    /// The budget really sends the indexes to disk (tests/spill.rs shows the outputs are the same
    /// either way; this shows that "either way" happened).
    #[test]
    fn a_tiny_index_budget_spills_and_finds_the_same() {
        let dir = tempfile::tempdir().expect("temporary files work in tests");
        let path = dir.path().join("dump.csv");
        let mut csv =
            String::from("Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Mũi tiêm,Ngày tiêm\n");
        for i in 0..3000u32 {
            // Every number on two people: conflicts for the cross-record rules to find.
            let name = if i % 2 == 0 {
                "Nguyễn Văn An"
            } else {
                "Lê Văn Bình"
            };
            csv.push_str(&format!(
                "{name},15/02/1985,Nam,0790850{:05},1,10/07/2021\n",
                i / 2
            ));
        }
        std::fs::write(&path, csv).expect("temporary files work in tests");
        let scan = |budget: usize| {
            let (files, errors) = crate::input::discover(std::slice::from_ref(&path));
            assert!(errors.is_empty());
            let config = ScanConfig {
                read: ReadOptions::default(),
                today: crate::rules::testing::TODAY,
                threads: 2,
                gazetteer: Arc::new(Gazetteer::default()),
                capture: false,
                registry: None,
                index_memory: budget,
            };
            run(files, &config, &Progress::hidden(), dir.path()).expect("the scan runs")
        };
        let (memory, disk) = (scan(INDEX_MEMORY), scan(512));
        assert_eq!(memory.index_spills, 0);
        assert!(disk.index_spills > 0);
        assert!(
            memory
                .by_code
                .get(&Code::IdDuplicateConflict)
                .is_some_and(|n| *n > 0)
        );
        assert_eq!(memory.by_code, disk.by_code);
        assert_eq!((memory.people, memory.rows), (disk.people, disk.rows));
    }
}
