//! The scan engine: readers → normalise → rules → findings. Reader threads (one per file, up to
//! the thread count) fill batches — rows of a workbook, or a CSV file's text cut at record ends,
//! whose fields the checking thread finds itself — and rayon checks the batches as they arrive,
//! so reading overlaps checking; each batch's findings go to a [`FindingStore`] on disk and its
//! counts are merged under one lock. Cross-record rules run once every input is read. Memory
//! holds the cross-record index and the counts, not the rows and not the findings.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use crossbeam_channel::{Receiver, Sender};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::findings::people::{BatchPeople, PeopleStore, PersonRow, RowReader};
use crate::findings::store::{FindingStore, SortedFindings};
use crate::findings::{Finding, RowFindings, RowInfo};
use crate::input::csv::CsvRecord;
use crate::input::{
    Batch, InputError, InputFile, ReadOptions, Rows, SheetCtx, SheetInfo, Sink, read_file,
};
use crate::normalize::places::{Gazetteer, Place};
use crate::normalize::{NormalRow, PersonCache};
use crate::progress::Progress;
use crate::record::{Cell, Field, RawRecord};
use crate::rules::dose::DoseIndex;
use crate::rules::duplicates::IdIndex;
use crate::rules::record_id::RecordIndex;
use crate::rules::{
    CHECKED_FIELDS, Code, Detail, birth_date, dose, duplicates, gender, id_number, name, phone,
    place, record_id,
};
use crate::util::StableHasher;

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
}

/// A hash map with a fast hasher, for the per-row lookups (keys are the data's own, not a
/// server's callers').
type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// A unit of the administrative tree, as written in the data.
pub type UnitKey = (String, String, String);

static EMPTY_UNIT: UnitKey = (String::new(), String::new(), String::new());

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

#[derive(Default)]
struct Merged {
    ids: IdIndex,
    doses: DoseIndex,
    /// Every row's record id (the one copy the cross-record findings read it from).
    records: RecordIndex,
    /// Units by name, numbered in order of first sight.
    unit_ids: HashMap<UnitKey, u32>,
    unit_rows: Vec<u64>,
    /// (unit, person) for every row; sorted and deduplicated at the end to count people.
    people: Vec<(u32, u64)>,
    /// (unit, person) for every row with an error finding.
    error_people: Vec<(u32, u64)>,
    /// Findings per unit and code.
    unit_codes: HashMap<(u32, Code), u64>,
    sheet_rows: HashMap<u32, (u64, u64)>,
    /// The first error writing findings aside, if any.
    store_error: Option<std::io::Error>,
}

struct Shared<'a> {
    sheets: Mutex<Vec<SheetInfo>>,
    skipped: Mutex<Vec<(u32, String)>>,
    /// CSV text buffers the checkers are done with.
    pool: (Sender<Vec<u8>>, Receiver<Vec<u8>>),
    progress: &'a Progress,
    /// SHA-256 of the inputs their reader hashed on the way (CSV), by input.
    hashed: Mutex<Vec<(u32, String)>>,
}

struct ReaderSink<'a> {
    tx: Sender<Batch>,
    shared: &'a Shared<'a>,
}

impl Sink for ReaderSink<'_> {
    fn sheet(&self, info: SheetInfo) -> u32 {
        let mut sheets = self
            .shared
            .sheets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        sheets.push(info);
        (sheets.len() - 1) as u32
    }

    fn batch(&self, batch: Batch) -> bool {
        self.tx.send(batch).is_ok()
    }

    fn recycled(&self) -> Option<Vec<u8>> {
        self.shared.pool.1.try_recv().ok()
    }

    fn progress(&self, bytes: u64) {
        self.shared.progress.inc(bytes);
    }

    fn hashed(&self, source: u32, sha256: String) {
        self.shared
            .hashed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((source, sha256));
    }

    fn sheet_skipped(&self, source: u32, sheet: &str) {
        self.shared
            .skipped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((source, sheet.to_string()));
    }
}

/// Scans `files`. Findings are written aside in a temporary file in `spill_dir` until the writer
/// reads them back in order. An `Err` means that temporary file could not be used.
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
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(2, usize::from)
    } else {
        config.threads
    };
    let shared = Shared {
        sheets: Mutex::new(Vec::new()),
        skipped: Mutex::new(Vec::new()),
        pool: crossbeam_channel::bounded(threads * 4 + 4),
        progress,
        hashed: Mutex::new(Vec::new()),
    };
    let errors: Mutex<Vec<(usize, InputError)>> = Mutex::new(Vec::new());
    let merged = Mutex::new(Merged::default());
    let mut hashes: Vec<Option<String>> = Vec::new();
    let next_file = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    // The fields no rule reads are not decoded.
    let mut read = config.read.clone();
    read.only(CHECKED_FIELDS);
    if config.capture {
        // The lists show the address too.
        let mut fields = CHECKED_FIELDS.to_vec();
        fields.push(Field::Address);
        read.only(&fields);
    }
    let checker = Checker {
        capture: config.capture,
        today: config.today,
        gazetteer: &config.gazetteer,
        places: Mutex::new(HashMap::new()),
    };

    std::thread::scope(|s| {
        let (tx, rx) = crossbeam_channel::bounded::<Batch>(threads * 2 + 2);
        for _ in 0..threads.min(files.len()).max(1) {
            let sink = ReaderSink {
                tx: tx.clone(),
                shared: &shared,
            };
            let (files, errors, next_file, read) = (&files, &errors, &next_file, &read);
            s.spawn(move || {
                loop {
                    let i = next_file.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if let Err(e) = read_file(file, i as u32, read, &sink) {
                        errors
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push((i, e));
                    }
                }
            });
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
    let mut unit_names: Vec<&UnitKey> = vec![&EMPTY_UNIT; merged.unit_rows.len()];
    for (key, id) in &merged.unit_ids {
        unit_names[*id as usize] = key;
    }
    let names = |u: u32| {
        let (p, d, c) = unit_names.get(u as usize).copied().unwrap_or(&EMPTY_UNIT);
        (p.as_str(), d.as_str(), c.as_str())
    };
    let ids = std::mem::take(&mut merged.ids);
    let doses = std::mem::take(&mut merged.doses);
    let records = std::mem::take(&mut merged.records);
    let people_pairs = std::mem::take(&mut merged.people);
    let error_pairs = std::mem::take(&mut merged.error_people);
    let units_len = merged.unit_rows.len();
    // The cross-record rules and the people counts need nothing of each other, but the record
    // ids the other rules' findings show are read from the record-id rule's index.
    let ((record_conflicts, (id_conflicts, dose_conflicts)), (people, error_people)) = rayon::join(
        || {
            let (found, by_row) = record_id::duplicates(records, names);
            let others = rayon::join(
                || duplicates::conflicts(ids, names, &by_row),
                || dose::duplicates(doses, names, &by_row),
            );
            (found, others)
        },
        || {
            rayon::join(
                || distinct(people_pairs, units_len),
                || distinct(error_pairs, units_len),
            )
        },
    );
    let mut conflicts = Vec::new();
    for (unit, finding) in id_conflicts
        .into_iter()
        .chain(dose_conflicts)
        .chain(record_conflicts)
    {
        *merged.unit_codes.entry((unit, finding.code)).or_insert(0) += 1;
        conflicts.push(finding);
    }
    drop(unit_names);
    let sheets_info = shared
        .sheets
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let ranks = sheet_ranks(&files, &sheets_info);
    let captured = match people_store {
        Some(p) => {
            let (rows, reader) = p.finish()?;
            let places = checker
                .places
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner);
            let units = places
                .into_values()
                .map(|r| (r.hash, (r.key.clone(), r.place.clone())))
                .collect();
            Some(People {
                rows,
                reader,
                cross: conflicts.clone(),
                units,
            })
        }
        None => None,
    };
    let findings = store.into_sorted(conflicts, &ranks)?;
    let mut by_code = BTreeMap::new();
    for ((_, code), n) in &merged.unit_codes {
        *by_code.entry(*code).or_insert(0) += n;
    }
    let (units, people, people_with_errors) = count_units(
        merged.unit_ids,
        &merged.unit_rows,
        people,
        error_people,
        &merged.unit_codes,
    );

    let mut errors = errors.into_inner().unwrap_or_else(PoisonError::into_inner);
    let skipped = shared
        .skipped
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let key_names = crate::output::export::key_names(&files);
    let sources = files
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
        .collect();
    let sheets: Vec<SheetReport> = sheets_info
        .into_iter()
        .enumerate()
        .map(|(i, info)| {
            let (rows, skipped_rows) = merged
                .sheet_rows
                .get(&(i as u32))
                .copied()
                .unwrap_or_default();
            SheetReport {
                info,
                rows,
                skipped_rows,
                rank: ranks.get(i).copied().unwrap_or(u32::MAX),
            }
        })
        .collect();
    Ok(ScanResult {
        rows: sheets.iter().map(|s| s.rows).sum(),
        skipped_rows: sheets.iter().map(|s| s.skipped_rows).sum(),
        people,
        people_with_errors,
        sources,
        sheets,
        findings: Some(findings),
        by_code,
        units,
        read_time,
        cross_time: cross_started.elapsed(),
        captured,
    })
}

impl ScanResult {
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

/// Distinct people per unit (indexed by unit) and in all.
fn distinct(mut pairs: Vec<(u32, u64)>, units: usize) -> (Vec<u64>, u64) {
    // One sort by person, then unit: a person's (unit, person) pairs are side by side.
    pairs.par_sort_unstable_by_key(|&(u, p)| (p, u));
    pairs.dedup();
    let mut per_unit = vec![0u64; units];
    for (u, _) in &pairs {
        if let Some(n) = per_unit.get_mut(*u as usize) {
            *n += 1;
        }
    }
    let everyone = pairs.chunk_by(|a, b| a.1 == b.1).count();
    (per_unit, everyone as u64)
}

/// Rows, people and findings per unit; the number of distinct people in all, and of those with
/// errors. `people` and `with_errors` are what [`distinct`] counted.
fn count_units(
    unit_ids: HashMap<UnitKey, u32>,
    unit_rows: &[u64],
    (per_unit, everyone): (Vec<u64>, u64),
    (with_errors, everyone_with_errors): (Vec<u64>, u64),
    unit_codes: &HashMap<(u32, Code), u64>,
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
fn sheet_ranks(files: &[InputFile], sheets: &[SheetInfo]) -> Vec<u32> {
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

/// The SHA-256 of a file, in hex; `None` when it cannot be read.
pub fn sha256_of(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(crate::util::hex(&h.finalize()))
}

/// A written place matched against the gazetteer, shared by every batch that meets it.
#[derive(Default)]
struct Resolved {
    /// The place as written.
    written: [String; 3],
    /// Canonical names where recognised, else as written.
    key: UnitKey,
    place: Place,
    /// A hash of the key, to tell people of different communes apart.
    hash: u64,
}

/// A unit as a batch saw it.
struct BatchUnit {
    unit: Arc<Resolved>,
    rows: u64,
}

/// What checking one batch gives.
#[derive(Default)]
struct BatchOut {
    doses: DoseIndex,
    records: RecordIndex,
    sheet: u32,
    /// The sheet row of the batch's first row.
    first_row: u32,
    findings: Vec<Finding>,
    /// Findings per (index in `units`, code).
    unit_codes: FastMap<(u32, Code), u64>,
    ids: IdIndex,
    rows: u64,
    skipped: u64,
    /// Units seen in the batch (canonical names where recognised), their rows and places.
    units: Vec<BatchUnit>,
    unit_index: FastMap<u64, usize>,
    /// (index in `units`, person key) per row.
    people: Vec<(u32, u64)>,
    /// (index in `units`, person key) per row with an error finding.
    error_people: Vec<(u32, u64)>,
    /// The previous row's person fields and their readings.
    cache: PersonCache,
    /// The previous row's place and its index in `units`.
    last_unit: ([String; 3], usize),
    /// Every row's person, values and findings, when capturing.
    people_rows: Option<BatchPeople>,
}

fn merge(merged: &Mutex<Merged>, out: BatchOut, store_error: Option<std::io::Error>) {
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
        let next = m.unit_ids.len() as u32;
        let id = *m.unit_ids.entry(unit.unit.key.clone()).or_insert(next);
        if id == next {
            m.unit_rows.push(0);
        }
        m.unit_rows[id as usize] += unit.rows;
        global.push(id);
    }
    m.ids.append(out.ids, &global);
    m.doses.append(out.doses, &global);
    m.records.append(out.records, &global);
    for ((u, code), n) in out.unit_codes {
        *m.unit_codes.entry((global[u as usize], code)).or_insert(0) += n;
    }
    m.people
        .extend(out.people.into_iter().map(|(u, p)| (global[u as usize], p)));
    m.error_people.extend(
        out.error_people
            .into_iter()
            .map(|(u, p)| (global[u as usize], p)),
    );
}

/// What every row check needs.
struct Checker<'c> {
    /// Note every row for the lists.
    capture: bool,
    today: NaiveDate,
    gazetteer: &'c Gazetteer,
    /// Written places already matched, by the hash of their text.
    places: Mutex<HashMap<u64, Arc<Resolved>>>,
}

/// Which optional columns a sheet has: a rule on a field whose column is absent stays silent.
#[derive(Clone, Copy)]
struct Columns {
    birth_date: bool,
    gender: bool,
    place: bool,
    commune: bool,
    dose_date: bool,
}

/// Checks every row of a batch.
fn check_batch(batch: &Batch, checker: &Checker<'_>) -> BatchOut {
    let ctx = &batch.ctx;
    let has = |f: Field| ctx.columns[f.index()].is_some();
    let columns = Columns {
        birth_date: has(Field::BirthDate),
        gender: has(Field::Gender),
        place: has(Field::Province) || has(Field::District) || has(Field::Commune),
        commune: has(Field::Commune),
        dose_date: has(Field::DoseDate),
    };
    let first_row = match &batch.rows {
        Rows::Csv(chunk) => chunk.first_line(),
        Rows::Cells(rows) => rows.first().map_or(0, |r| r.row),
        Rows::Broken(b) => b.line,
    };
    // Room for the rows at once, rather than growing (and copying) by doubling.
    let rows = match &batch.rows {
        Rows::Csv(chunk) => chunk.text().len() / 160,
        Rows::Cells(rows) => rows.len(),
        Rows::Broken(_) => 0,
    };
    let mut out = BatchOut {
        sheet: ctx.sheet,
        first_row,
        people_rows: checker.capture.then(BatchPeople::default),
        ids: IdIndex::with_capacity(rows),
        doses: DoseIndex::with_capacity(rows),
        records: RecordIndex::with_capacity(rows),
        people: Vec::with_capacity(rows),
        ..BatchOut::default()
    };
    if let Rows::Broken(b) = &batch.rows {
        broken(ctx, *b, checker, &mut out);
    }
    batch.for_each_row(|raw, rec| {
        if let Some(rec) = rec
            && is_ragged(rec, ctx)
        {
            ragged(raw, rec.len(), ctx.width, checker, &mut out);
            return;
        }
        check_row(raw, checker, columns, &mut out);
    });
    out
}

/// A CSV row with fewer cells than the header, or with text beyond its last column.
fn is_ragged(rec: &CsvRecord<'_>, ctx: &SheetCtx) -> bool {
    rec.len() < ctx.width
        || (rec.len() > ctx.width
            && rec
                .iter()
                .skip(ctx.width)
                .any(|f| !f.iter().all(u8::is_ascii_whitespace)))
}

/// What a finding says of its row: the record id as written, the place as recognised.
fn row_info(raw: &RawRecord<'_>, unit: &Resolved) -> RowInfo {
    RowInfo {
        record_id: raw.get(Field::RecordId).display().trim().into(),
        province: unit.key.0.as_str().into(),
        district: unit.key.1.as_str().into(),
        commune: unit.key.2.as_str().into(),
    }
}

fn ragged(
    raw: &RawRecord<'_>,
    found: usize,
    expected: usize,
    checker: &Checker<'_>,
    out: &mut BatchOut,
) {
    if raw.cells.iter().all(Cell::is_blank) {
        return;
    }
    out.skipped += 1;
    let unit = unit_of(raw, checker, out);
    *out.unit_codes
        .entry((unit as u32, Code::RowRagged))
        .or_insert(0) += 1;
    let unit_ref = out.units[unit].unit.clone();
    let unit_ref = &*unit_ref;
    let make = || row_info(raw, unit_ref);
    let mut f = RowFindings::new(raw.loc, &make, &mut out.findings);
    f.push(
        None,
        Code::RowRagged,
        "",
        "",
        Detail::Cells {
            found: found as u32,
            expected: expected as u32,
        },
    );
}

/// A CSV record the reader could not read (a quote never closed, a record too long): one finding
/// on its line, counted as a skipped row.
fn broken(
    ctx: &SheetCtx,
    b: crate::input::csv::BrokenRecord,
    checker: &Checker<'_>,
    out: &mut BatchOut,
) {
    use crate::input::csv::Broken;
    let raw = RawRecord {
        loc: crate::record::RowLoc {
            source: ctx.source,
            sheet: ctx.sheet,
            row: b.line,
        },
        cells: Default::default(),
    };
    let code = match b.kind {
        Broken::UnterminatedQuote => Code::RowUnterminatedQuote,
        Broken::TooLong => Code::RowTooLong,
    };
    out.skipped += 1;
    let unit = unit_of(&raw, checker, out);
    *out.unit_codes.entry((unit as u32, code)).or_insert(0) += 1;
    let unit_ref = out.units[unit].unit.clone();
    let make = || row_info(&raw, &unit_ref);
    let mut f = RowFindings::new(raw.loc, &make, &mut out.findings);
    f.push(None, code, "", "", Detail::None);
}

fn check_row(raw: &RawRecord<'_>, checker: &Checker<'_>, columns: Columns, out: &mut BatchOut) {
    if raw.cells.iter().all(Cell::is_blank) {
        return;
    }
    out.rows += 1;
    let today = checker.today;
    let unit = unit_of(raw, checker, out);
    let (row, name_key) = out.cache.read(raw, today);
    let unit_ref = out.units[unit].unit.clone();
    let unit_ref = &*unit_ref;
    let make = || row_info(raw, unit_ref);
    let before = out.findings.len();
    let mut found = RowFindings::new(raw.loc, &make, &mut out.findings);
    name::check(&row, &mut found);
    if columns.birth_date {
        birth_date::check(&row, today, &mut found);
    }
    if columns.gender {
        gender::check(&row, &mut found);
    }
    id_number::check(&row, &mut found);
    phone::check(&row, &mut found);
    place::check(
        raw,
        &unit_ref.place,
        columns.place,
        columns.commune,
        &mut found,
    );
    if columns.dose_date {
        dose::check(&row, today, &mut found);
    }
    for f in &out.findings[before..] {
        *out.unit_codes.entry((unit as u32, f.code)).or_insert(0) += 1;
    }
    duplicates::add(&mut out.ids, &row, name_key, unit as u32);
    let person = person_key(&row, name_key, unit_ref.hash);
    if let Some(people) = &mut out.people_rows {
        capture(
            people,
            raw,
            &row,
            person,
            name_key,
            unit_ref,
            &out.findings[before..],
        );
    }
    // The same number on different people is not one person's doses.
    let dose_person = person ^ name_key.rotate_left(17);
    dose::add(&mut out.doses, &row, dose_person, unit as u32);
    record_id::add(&mut out.records, raw, dose_person, unit as u32);
    out.units[unit].rows += 1;
    // Doses of one person are usually adjacent: keep one entry for them.
    let person = (unit as u32, person);
    if out.people.last() != Some(&person) {
        out.people.push(person);
    }
    let has_error = out.findings[before..]
        .iter()
        .any(|f| f.severity() == crate::findings::Severity::Error);
    if has_error && out.error_people.last() != Some(&person) {
        out.error_people.push(person);
    }
}

/// Notes a row for the lists. Rows of one ID number with another name or birth date are listed
/// apart: they may be different people (the scan says ID_DUPLICATE_CONFLICT), and one list row
/// shows one set of values.
fn capture(
    people: &mut BatchPeople,
    raw: &RawRecord<'_>,
    row: &NormalRow<'_, '_>,
    person: u64,
    name_key: u64,
    unit: &Resolved,
    findings: &[Finding],
) {
    let key = if row.id.number().is_some() {
        let mut h = StableHasher::default();
        h.write_u64(person);
        h.write_u64(name_key);
        h.write_u32(crate::rules::duplicates::birth_key(row.birth));
        h.finish() & !(1 << 62)
    } else {
        person
    };
    let record_id = raw.get(Field::RecordId).display();
    // Values are kept for every row: a row without findings of its own may still get a
    // cross-record one, and be the row a list shows.
    let shown = crate::findings::people::SHOWN.map(|f| raw.get(f).display());
    let address = address_of(raw);
    let values = [
        crate::record::trim(&shown[0]),
        crate::record::trim(&shown[1]),
        crate::record::trim(&shown[2]),
        crate::record::trim(&shown[3]),
        crate::record::trim(&shown[4]),
        address.as_str(),
    ];
    people.push(
        key,
        unit.hash,
        raw.loc,
        record_id.trim(),
        Some(values),
        findings,
    );
}

/// The address as written: the address column, then commune, district and province (each left
/// out when the address already says it).
fn address_of(raw: &RawRecord<'_>) -> String {
    let mut out = String::new();
    for f in [
        Field::Address,
        Field::Commune,
        Field::District,
        Field::Province,
    ] {
        let cell = raw.get(f).display();
        let part = crate::record::trim(&cell);
        if part.is_empty() || out.contains(part) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(part);
    }
    out
}

/// The key that makes rows of one person one: the valid ID number, else the name, birth date
/// and commune. The top bit keeps the two kinds apart.
fn person_key(row: &NormalRow<'_, '_>, name_key: u64, place: u64) -> u64 {
    if let Some(id) = row.id.number() {
        return id.key() & !(1 << 62);
    }
    let mut h = StableHasher::default();
    if name_key == 0 {
        // Nobody to recognise: the row stands alone.
        let loc = row.raw.loc;
        h.write_u32(loc.source);
        h.write_u32(loc.sheet);
        h.write_u32(loc.row);
    } else {
        h.write_u64(name_key);
        h.write_u32(crate::rules::duplicates::birth_key(row.birth));
        h.write_u64(place);
    }
    h.finish() | (1 << 62)
}

/// The index in `out.units` of the row's province, district and commune, matched against the
/// gazetteer once per distinct spelling in the run.
fn unit_of(raw: &RawRecord<'_>, checker: &Checker<'_>, out: &mut BatchOut) -> usize {
    let text = |f: Field| raw.get(f).text().unwrap_or("");
    let written = [
        text(Field::Province),
        text(Field::District),
        text(Field::Commune),
    ];
    let (last, index) = &mut out.last_unit;
    if !out.units.is_empty() && last.iter().zip(written).all(|(a, b)| a == b) {
        return *index;
    }
    let mut h = StableHasher::default();
    for part in written {
        h.write(part.as_bytes());
        h.write_u8(0xff);
    }
    let hash = h.finish();
    let units = &mut out.units;
    let i = *out.unit_index.entry(hash).or_insert_with(|| {
        units.push(BatchUnit {
            unit: checker.resolve(hash, written),
            rows: 0,
        });
        units.len() - 1
    });
    for (kept, new) in last.iter_mut().zip(written) {
        kept.clear();
        kept.push_str(new);
    }
    *index = i;
    i
}

impl Checker<'_> {
    /// The gazetteer's reading of a written place, computed once per run.
    fn resolve(&self, hash: u64, written: [&str; 3]) -> Arc<Resolved> {
        let mut cache = self.places.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(r) = cache.get(&hash)
            && r.written.iter().zip(written).all(|(a, b)| a == b)
        {
            return r.clone();
        }
        let place = self.gazetteer.resolve(written[0], written[1], written[2]);
        let pick = |canonical: &Option<String>, w: &str| {
            canonical.clone().unwrap_or_else(|| w.to_string())
        };
        let key = (
            pick(&place.province, written[0]),
            pick(&place.district, written[1]),
            pick(&place.commune, written[2]),
        );
        let mut k = StableHasher::default();
        for part in [&key.0, &key.1, &key.2] {
            k.write(part.as_bytes());
            k.write_u8(0xff);
        }
        let resolved = Arc::new(Resolved {
            written: written.map(str::to_string),
            key,
            place,
            hash: k.finish(),
        });
        cache.insert(hash, resolved.clone());
        resolved
    }
}
