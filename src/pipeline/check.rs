//! Check phase: one batch of rows → its findings, counts and cross-record index entries
//! ([`BatchOut`]). Each row is normalised, placed in its administrative unit (matched against the
//! gazetteer once per distinct spelling in the run, [`Checker::resolve`]) and run through the one
//! list of per-row rules, [`crate::rules::check_row`].

use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;

use super::{FastMap, UnitKey};
use crate::findings::people::BatchPeople;
use crate::findings::{Finding, RowFindings, RowInfo};
use crate::input::csv::CsvRecord;
use crate::input::{Batch, Rows, SheetCtx};
use crate::normalize::NormalRow;
use crate::normalize::PersonCache;
use crate::normalize::places::{Gazetteer, Place};
use crate::record::shown::{ListValues, Shown};
use crate::record::{Cell, Field, RawRecord};
use crate::registry::Registry;
use crate::rules::dose::DoseIndex;
use crate::rules::duplicates::IdIndex;
use crate::rules::record_id::RecordIndex;
use crate::rules::split::{self, SplitIndex};
use crate::rules::{self, Code, Columns, Detail, dose, duplicates, record_id};
use crate::util::StableHasher;

/// A written place matched against the gazetteer, shared by every batch that meets it.
#[derive(Default)]
pub(super) struct Resolved {
    /// The place as written.
    pub(super) written: [String; 3],
    /// Canonical names where recognised, else as written.
    pub(super) key: UnitKey,
    pub(super) place: Place,
    /// A hash of the key, to tell people of different communes apart.
    pub(super) hash: u64,
    /// The 2025 communes of the place, when matching against a registry.
    pub(super) communes: Box<[u32]>,
}

/// A unit as a batch saw it.
pub(super) struct BatchUnit {
    pub(super) unit: Arc<Resolved>,
    pub(super) rows: u64,
}

/// What checking one batch gives.
#[derive(Default)]
pub(super) struct BatchOut {
    pub(super) doses: DoseIndex,
    pub(super) records: RecordIndex,
    pub(super) sheet: u32,
    /// The sheet row of the batch's first row.
    pub(super) first_row: u32,
    pub(super) findings: Vec<Finding>,
    /// Findings per (index in `units`, code).
    pub(super) unit_codes: FastMap<(u32, Code), u64>,
    pub(super) ids: IdIndex,
    pub(super) rows: u64,
    pub(super) skipped: u64,
    /// Units seen in the batch (canonical names where recognised), their rows and places.
    pub(super) units: Vec<BatchUnit>,
    pub(super) unit_index: FastMap<u64, usize>,
    /// (index in `units`, person key) per row.
    pub(super) people: Vec<(u32, u64)>,
    /// (index in `units`, person key) per row with an error finding.
    pub(super) error_people: Vec<(u32, u64)>,
    /// The previous row's person fields and their readings.
    pub(super) cache: PersonCache,
    /// What the rules of the person's fields and of the place gave on the previous row, and the
    /// row's unit (index in `units`).
    pub(super) kept: (rules::Kept, Option<usize>),
    /// What the previous row gave the ID-number and split-person indexes.
    pub(super) noted: (duplicates::Noted, split::Noted),
    /// The previous row's place and its index in `units`.
    pub(super) last_unit: ([String; 3], usize),
    /// Whether the batch's sheet has a district column (without one, places may be of 2025).
    pub(super) district_column: bool,
    /// Every row's person, values and findings, when capturing.
    pub(super) people_rows: Option<BatchPeople>,
    /// Rows that may be one person's under two identities.
    pub(super) splits: SplitIndex,
    /// Rows in communes the registry covers, and rows matched to a resident.
    pub(super) registry_rows: (u64, u64),
}

/// What every row check needs.
pub(super) struct Checker<'c> {
    /// Note every row for the lists.
    capture: bool,
    today: NaiveDate,
    gazetteer: &'c Gazetteer,
    /// Written places already matched, by the hash of their text.
    places: Mutex<HashMap<u64, Arc<Resolved>>>,
    /// The population registry, when matching against one.
    registry: Option<&'c Registry>,
}

/// Checks every row of a batch.
pub(super) fn check_batch(batch: &Batch, checker: &Checker<'_>) -> BatchOut {
    let ctx = &batch.ctx;
    let has = |f: Field| ctx.columns[f.index()].is_some();
    let columns = Columns::new(has);
    let first_row = match &batch.rows {
        Rows::Csv(chunk) => chunk.first_line(),
        Rows::Cells(rows) => rows.rows().first().map_or(0, |r| r.row),
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
        district_column: has(Field::District),
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
pub(crate) fn is_ragged(rec: &CsvRecord<'_>, ctx: &SheetCtx) -> bool {
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
        province: unit.key.province.as_str().into(),
        district: unit.key.district.as_str().into(),
        commune: unit.key.commune.as_str().into(),
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
    let (row, name_key, same_person) = out.cache.read(raw, today);
    let (kept, kept_unit) = &mut out.kept;
    // The same person fields and the same place: the rules of those give what they gave.
    let same = same_person && *kept_unit == Some(unit);
    *kept_unit = Some(unit);
    // Borrowed, not cloned: an Arc shared by the checking threads costs two atomic operations
    // on one cache line per row.
    let unit_ref: &Resolved = &out.units[unit].unit;
    let make = || row_info(raw, unit_ref);
    let before = out.findings.len();
    let mut found = RowFindings::new(raw.loc, &make, &mut out.findings);
    rules::check_row_again(
        &row,
        &unit_ref.place,
        columns,
        today,
        &mut found,
        kept,
        same,
    );
    if let Some(reg) = checker.registry {
        let probe = rules::registry::probe(&row, &unit_ref.communes);
        let outcome = crate::registry::matching::find(reg, &probe);
        use crate::registry::matching::Verdict;
        if outcome.verdict != Verdict::Uncovered {
            out.registry_rows.0 += 1;
        }
        if matches!(outcome.verdict, Verdict::Matched { .. }) {
            out.registry_rows.1 += 1;
        }
        rules::registry::check(&row, reg, outcome, &mut found);
    }
    for f in &out.findings[before..] {
        *out.unit_codes.entry((unit as u32, f.code)).or_insert(0) += 1;
    }
    // What the indexes keep of a row reads only the person's fields.
    if !same {
        out.noted = (
            duplicates::entry(&row, name_key),
            split::entry(&row, name_key),
        );
    }
    let (ids, splits) = out.noted;
    duplicates::push(&mut out.ids, ids, &row, unit as u32);
    split::push(&mut out.splits, splits, &row, unit as u32);
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
    if let Some(u) = out.units.get_mut(unit) {
        u.rows += 1;
    }
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
    let shown = Shown::from_fn(|f| raw.get(f).display());
    let address = crate::record::address_line(|f| raw.get(f).display());
    let values = ListValues {
        shown: shown.each_ref().map(|&v| crate::record::trim(v)),
        address: address.as_str(),
    };
    people.push(
        key,
        unit.hash,
        raw.loc,
        record_id.trim(),
        Some(values),
        findings,
    );
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
    let district_column = out.district_column;
    let (last, index) = &mut out.last_unit;
    if !out.units.is_empty() && last.iter().zip(written).all(|(a, b)| a == b) {
        return *index;
    }
    let mut h = StableHasher::default();
    for part in written {
        h.write(part.as_bytes());
        h.write_u8(0xff);
    }
    h.write_u8(u8::from(district_column));
    let hash = h.finish();
    let units = &mut out.units;
    let i = *out.unit_index.entry(hash).or_insert_with(|| {
        units.push(BatchUnit {
            unit: checker.resolve(hash, written, district_column),
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

impl<'c> Checker<'c> {
    /// A checker for rows seen on `today`, placed in `gazetteer`; `capture` notes every row for
    /// the lists.
    pub(super) fn new(today: NaiveDate, gazetteer: &'c Gazetteer, capture: bool) -> Self {
        Checker {
            capture,
            today,
            gazetteer,
            places: Mutex::new(HashMap::new()),
            registry: None,
        }
    }

    /// The checker, matching every person against `registry` too.
    pub(super) fn with_registry(mut self, registry: Option<&'c Registry>) -> Self {
        self.registry = registry;
        self
    }

    /// The units met, by the hash of their key: canonical names where recognised, and the
    /// gazetteer's reading.
    pub(super) fn units(self) -> HashMap<u64, (UnitKey, Place)> {
        let places = self
            .places
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        places
            .into_values()
            .map(|r| (r.hash, (r.key.clone(), r.place.clone())))
            .collect()
    }

    /// The gazetteer's reading of a written place, computed once per run.
    fn resolve(&self, hash: u64, written: [&str; 3], district_column: bool) -> Arc<Resolved> {
        let same = |r: &Resolved| r.written.iter().zip(written).all(|(a, b)| a == b);
        if let Some(r) = self
            .places
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&hash)
            && same(r)
        {
            return r.clone();
        }
        // Worked out with the lock released: placing a spelling (and, the first time a
        // province is named, indexing its communes) takes long enough that the other checking
        // threads, which mostly find their places known, must not wait for it. Two threads may
        // place the same new spelling at once; both get the same answer, and the first is kept.
        let place =
            self.gazetteer
                .resolve_either(written[0], written[1], written[2], district_column);
        let pick = |canonical: &Option<String>, w: &str| {
            canonical.clone().unwrap_or_else(|| w.to_string())
        };
        let key = UnitKey::new(
            pick(&place.province, written[0]),
            pick(&place.district, written[1]),
            pick(&place.commune, written[2]),
        );
        let mut k = StableHasher::default();
        for part in [&key.province, &key.district, &key.commune] {
            k.write(part.as_bytes());
            k.write_u8(0xff);
        }
        let communes = if self.registry.is_some() {
            crate::registry::communes_of(&place)
        } else {
            Box::default()
        };
        let resolved = Arc::new(Resolved {
            written: written.map(str::to_string),
            key,
            place,
            hash: k.finish(),
            communes,
        });
        let mut cache = self.places.lock().unwrap_or_else(PoisonError::into_inner);
        match cache.get(&hash) {
            Some(first) if same(first) => first.clone(),
            _ => {
                cache.insert(hash, resolved.clone());
                resolved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{CellRow, CellRows};
    use crate::record::FIELD_COUNT;
    use crate::rules::testing::TODAY;

    /// A workbook batch of a sheet with a name, ID number and province column (no birth date,
    /// sex, commune or dose columns), one row per `(name, id, province)`, from sheet row 2.
    fn batch(rows: &[(&str, &str, &str)]) -> Batch {
        let rows: Vec<(u32, [&str; 3])> = rows
            .iter()
            .enumerate()
            .map(|(i, &(name, id, province))| (i as u32 + 2, [name, id, province]))
            .collect();
        batch_of([Field::FullName, Field::IdNumber, Field::Province], &rows)
    }

    /// A workbook batch with a column per field of `fields`, one row per `(sheet row, cells)`.
    fn batch_of<const N: usize>(fields: [Field; N], rows: &[(u32, [&str; N])]) -> Batch {
        let mut columns = [None; FIELD_COUNT];
        for (i, f) in fields.into_iter().enumerate() {
            columns[f.index()] = Some(i);
        }
        let mut batch = CellRows::default();
        for (row, cells) in rows {
            let mut r = CellRow {
                row: *row,
                ..CellRow::default()
            };
            for (field, text) in fields.into_iter().zip(cells) {
                if !text.is_empty() {
                    r.cells[field.index()] = batch.add(Cell::Text(text)).expect("room");
                }
            }
            batch.push(r);
        }
        Batch {
            ctx: Arc::new(SheetCtx {
                source: 0,
                sheet: 0,
                columns,
                width: N,
            }),
            rows: Rows::Cells(batch),
        }
    }

    fn codes(out: &BatchOut) -> Vec<(u32, Code)> {
        let mut codes: Vec<_> = out.findings.iter().map(|f| (f.loc.row, f.code)).collect();
        codes.sort();
        codes
    }

    #[test]
    fn a_batch_gives_its_rows_findings_and_no_finding_on_absent_columns() {
        let gazetteer = Gazetteer::builtin();
        let checker = Checker::new(TODAY, &gazetteer, false);
        let out = check_batch(
            &batch(&[
                ("Nguyễn Văn An", "", "Thành phố Hà Nội"),
                ("", "", "Thành phố Hà Nội"),
                ("", "", ""),
                ("Trần Thị Bình", "", "Nowhere"),
            ]),
            &checker,
        );
        // The blank row is neither checked nor counted; no birth date, sex or dose finding
        // without those columns.
        assert_eq!(out.rows, 3);
        assert_eq!(out.first_row, 2);
        assert_eq!(
            codes(&out),
            [
                (2, Code::IdMissing),
                (3, Code::IdMissing),
                (3, Code::NameMissing),
                (5, Code::IdMissing),
                (5, Code::AddressUnknown),
            ]
        );
        // Two units: Hà Nội (rows 2 and 3) and the unknown one.
        assert_eq!(out.units.len(), 2);
        assert_eq!(out.units[0].rows, 2);
        assert_eq!(out.units[0].unit.key.province, "Thành phố Hà Nội");
        assert_eq!(out.unit_codes[&(0, Code::IdMissing)], 2);
        assert_eq!(out.unit_codes[&(1, Code::AddressUnknown)], 1);
        // Every row has an error finding: three people, each with errors.
        assert_eq!(out.people.len(), 3);
        assert_eq!(out.error_people.len(), 3);
    }

    #[test]
    fn a_written_place_is_resolved_once_per_run() {
        let gazetteer = Gazetteer::builtin();
        let checker = Checker::new(TODAY, &gazetteer, false);
        let first = checker.resolve(1, ["Thành phố Hà Nội", "", ""], true);
        let again = checker.resolve(1, ["Thành phố Hà Nội", "", ""], true);
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!first.place.unknown);
        let units = checker.units();
        assert_eq!(units.len(), 1);
        assert_eq!(units[&first.hash].0.province, "Thành phố Hà Nội");
    }

    /// Places are worked out outside the lock: threads placing the same new spellings at once
    /// all get one reading per spelling, the one kept, and the same as one thread alone gets.
    #[test]
    fn threads_placing_the_same_spellings_at_once_agree() {
        let gazetteer = Gazetteer::builtin();
        let spellings: Vec<[&str; 3]> = vec![
            ["Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá"],
            ["Hà Nội", "Ba Đình", "Trúc Bạch"],
            ["Tỉnh Cao Bằng", "Huyện Quảng Hòa", "Xã Quảng Hưng"],
            ["TP HCM", "Quận 1", "Phường Bến Nghé"],
            ["Nowhere", "", ""],
        ];
        let hash =
            |w: &[&str; 3]| w.iter().map(|s| s.len() as u64).sum::<u64>() << 8 | w[0].len() as u64;
        let alone = Checker::new(TODAY, &gazetteer, false);
        let want: Vec<UnitKey> = spellings
            .iter()
            .map(|w| alone.resolve(hash(w), *w, true).key.clone())
            .collect();
        let checker = Checker::new(TODAY, &gazetteer, false);
        let threads = 8;
        let start = std::sync::Barrier::new(threads);
        let got: Vec<Vec<Arc<Resolved>>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (checker, spellings, start) = (&checker, &spellings, &start);
                    s.spawn(move || {
                        start.wait();
                        // Each thread in its own order.
                        let mut order: Vec<usize> = (0..spellings.len()).collect();
                        order.rotate_left(t % spellings.len());
                        let mut got = vec![None; spellings.len()];
                        for i in order {
                            got[i] = Some(checker.resolve(hash(&spellings[i]), spellings[i], true));
                        }
                        got.into_iter().flatten().collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("no thread panics"))
                .collect()
        });
        for thread in &got {
            assert_eq!(thread.len(), spellings.len());
            for (i, r) in thread.iter().enumerate() {
                assert_eq!(r.key, want[i], "{:?}", spellings[i]);
                let kept = checker.resolve(hash(&spellings[i]), spellings[i], true);
                assert!(
                    Arc::ptr_eq(r, &kept),
                    "{:?}: not the reading kept",
                    spellings[i]
                );
            }
        }
        assert_eq!(checker.units().len(), spellings.len());
    }

    /// The fields of [`people_batch`]'s rows, in order.
    const PEOPLE_FIELDS: [Field; 8] = [
        Field::FullName,
        Field::BirthDate,
        Field::Gender,
        Field::IdNumber,
        Field::Phone,
        Field::Province,
        Field::Commune,
        Field::DoseDate,
    ];

    /// A batch of [`PEOPLE_FIELDS`] columns, one row per `(sheet row, cells)`.
    fn people_batch(rows: &[(u32, [&str; 8])]) -> Batch {
        batch_of(PEOPLE_FIELDS, rows)
    }

    /// Every finding of a batch, as the findings file shows it.
    fn shown(out: &BatchOut) -> Vec<(u32, Option<Field>, Code, String, String, String)> {
        let mut all: Vec<_> = out
            .findings
            .iter()
            .map(|f| {
                (
                    f.loc.row,
                    f.field,
                    f.code,
                    f.value.to_string(),
                    f.suggestion.to_string(),
                    format!("{:?} {}", f.detail, f.row.commune),
                )
            })
            .collect();
        all.sort();
        all
    }

    /// The findings of the ID-number and split-person rules on the indexes of `outs` merged (units
    /// numbered by first sight), as (row, code, detail and unit).
    fn cross(outs: Vec<BatchOut>) -> Vec<(u32, Code, String)> {
        let mut keys: Vec<UnitKey> = Vec::new();
        let (mut ids, mut splits) = (IdIndex::default(), SplitIndex::default());
        for out in outs {
            let units: Vec<u32> = out
                .units
                .iter()
                .map(|u| match keys.iter().position(|k| *k == u.unit.key) {
                    Some(i) => i as u32,
                    None => {
                        keys.push(u.unit.key.clone());
                        keys.len() as u32 - 1
                    }
                })
                .collect();
            ids.append(out.ids, &units);
            splits.append(out.splits, &units);
        }
        let names = |_| ("", "", "");
        let mut all: Vec<_> = duplicates::conflicts(ids, names)
            .expect("in memory")
            .into_iter()
            .chain(split::splits(splits, names).expect("in memory"))
            .map(|(unit, f)| (f.loc.row, f.code, format!("{:?} {unit}", f.detail)))
            .collect();
        all.sort();
        all
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Rows of one person one after the other reuse the person's reading, what the rules of
        /// the person and the place gave and what the ID-number and split-person indexes keep:
        /// they must get exactly the findings each row gets checked alone — whether the place,
        /// the dose date or the person changes between rows — and the same cross-record ones.
        #[test]
        fn rows_of_one_person_get_the_findings_of_a_fresh_check(
            picks in proptest::collection::vec((0..5usize, 0..3usize, 0..3usize), 1..30)
        ) {
            // One number on two names (0 and 2, a zero lost), one person under two numbers (0
            // and 1).
            const PEOPLE: [[&str; 5]; 5] = [
                ["Nguyễn Văn An", "15/02/1985", "Nam", "079085001234", "0912345678"],
                ["Nguyễn Văn An", "15/02/1985", "Nam", "079085001243", "0912345678"],
                ["nguyen van an", "15/02/1985", "Nữ", "79085001234", "912345678"],
                ["Lê Thị Bình", "2020", "nu", "", ""],
                ["Trần  Bình2", "31/02/2019", "X", "123456789", "abc"],
            ];
            const PLACES: [[&str; 2]; 3] = [
                ["Thành phố Hà Nội", "Phường Phúc Xá"],
                ["Nowhere", "Xã Đâu"],
                ["Tỉnh Điện Biên", ""],
            ];
            const DOSES: [&str; 3] = ["10/07/2021", "01/01/2019", ""];
            let rows: Vec<(u32, [&str; 8])> = picks
                .iter()
                .enumerate()
                .map(|(i, &(person, place, dose))| {
                    let [name, birth, sex, id, phone] = PEOPLE[person];
                    let [province, commune] = PLACES[place];
                    (i as u32 + 2, [name, birth, sex, id, phone, province, commune, DOSES[dose]])
                })
                .collect();
            let gazetteer = Gazetteer::builtin();
            let checker = Checker::new(TODAY, &gazetteer, false);
            let together = check_batch(&people_batch(&rows), &checker);
            let alone: Vec<BatchOut> = rows
                .iter()
                .map(|r| check_batch(&people_batch(std::slice::from_ref(r)), &checker))
                .collect();
            let mut alone_shown: Vec<_> = alone.iter().flat_map(shown).collect();
            alone_shown.sort();
            proptest::prop_assert_eq!(shown(&together), alone_shown);
            proptest::prop_assert_eq!(cross(vec![together]), cross(alone));
        }
    }
}
