//! The scan history (`scan --history FILE`, docs/report.md): an embedded SQLite database recording each
//! run — when, which inputs, per unit the counts, and every finding's key (record key + code) with
//! the date it was first seen — so that night after night one can tell new findings, fixed ones and
//! those still open, and for how long.
//!
//! A run is recorded in one immediate transaction: a second run that starts meanwhile waits for it
//! (then fails with a clear message after a while), and a run killed midway leaves nothing behind —
//! never a half-recorded run. The schema is versioned in table `meta` and upgraded in place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use crate::i18n::Lang;
use crate::input::SourceStamp;
use crate::pipeline::{UnitKey, UnitStats};

/// The schema this version writes.
pub const SCHEMA_VERSION: i64 = 4;

/// Upgrades, in order: the statement that takes the schema from version `i` to `i + 1`.
/// Version 2 notes each finding's input (its file name) and whether a run was partial; the record
/// keys of rows without a record id name their file by its name instead of the path as typed
/// ([`rename_path_keys`]). Version 3 adds the export ledger and the open conflicts of
/// `apply-corrections` ([`crate::ledger`]); version 4 the answers heard for each list row, so that
/// verification.xlsx knows which lists came back in earlier batches.
const MIGRATIONS: [&str; 4] = [
    r"
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs(
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    as_of TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL DEFAULT 0,
    people INTEGER NOT NULL DEFAULT 0,
    people_with_errors INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    new_findings INTEGER NOT NULL DEFAULT 0,
    fixed_findings INTEGER NOT NULL DEFAULT 0,
    open_findings INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE run_inputs(
    run_id INTEGER NOT NULL REFERENCES runs(id),
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT
);
CREATE TABLE run_units(
    run_id INTEGER NOT NULL REFERENCES runs(id),
    province TEXT NOT NULL,
    district TEXT NOT NULL,
    commune TEXT NOT NULL,
    rows INTEGER NOT NULL,
    people INTEGER NOT NULL,
    people_with_errors INTEGER NOT NULL
);
CREATE TABLE run_unit_codes(
    run_id INTEGER NOT NULL REFERENCES runs(id),
    province TEXT NOT NULL,
    district TEXT NOT NULL,
    commune TEXT NOT NULL,
    code TEXT NOT NULL,
    count INTEGER NOT NULL
);
CREATE TABLE findings(
    record_key TEXT NOT NULL,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    province TEXT NOT NULL,
    district TEXT NOT NULL,
    commune TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    fixed_run INTEGER,
    fixed_on TEXT,
    PRIMARY KEY(record_key, code)
);
CREATE INDEX findings_open ON findings(fixed_run);
CREATE INDEX run_units_run ON run_units(run_id);
CREATE INDEX run_unit_codes_run ON run_unit_codes(run_id);
",
    r"
ALTER TABLE findings ADD COLUMN input TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
",
    crate::ledger::SCHEMA,
    crate::ledger::ANSWERS_SCHEMA,
];

/// One finding of a run, as the history keys it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingKey {
    /// The record key (record id, or `name:row` / `name:sheet:row`).
    pub record_key: String,
    /// The file name of the input it was found in.
    pub input: String,
    /// The code.
    pub code: &'static str,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// The unit (canonical names where recognised).
    pub unit: UnitKey,
}

/// What a run recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunDelta {
    /// The run's number.
    pub run: i64,
    /// Findings not open before this run.
    pub new: u64,
    /// Findings open before and not seen in this run.
    pub fixed: u64,
    /// Findings open after this run.
    pub open: u64,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// The run's number.
    pub id: i64,
    /// Its date (`--as-of`, or the day it ran).
    pub as_of: NaiveDate,
    /// Rows, people, people with errors, findings.
    pub rows: u64,
    /// People.
    pub people: u64,
    /// People with errors.
    pub people_with_errors: u64,
    /// Findings.
    pub findings: u64,
    /// New, fixed and open findings.
    pub new: u64,
    /// Fixed.
    pub fixed: u64,
    /// Open.
    pub open: u64,
}

/// Counts of one unit in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitCounts {
    /// The unit.
    pub unit: UnitKey,
    /// Rows.
    pub rows: u64,
    /// People.
    pub people: u64,
    /// People with errors.
    pub people_with_errors: u64,
    /// Findings by code.
    pub by_code: BTreeMap<String, u64>,
}

/// The open findings of one unit: how many, and the oldest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAge {
    /// The unit.
    pub unit: UnitKey,
    /// Open error findings.
    pub open_errors: u64,
    /// When the oldest open error was first seen.
    pub oldest: NaiveDate,
}

/// What a run read, so that only what it read can be found fixed.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The file names of the inputs that could not be read: their findings stay open.
    pub failed_inputs: Vec<String>,
    /// The units the run read rows of.
    pub units: std::collections::BTreeSet<UnitKey>,
}

/// One run, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct Night<'a> {
    /// Its date.
    pub as_of: NaiveDate,
    /// The inputs read.
    pub inputs: &'a [SourceStamp],
    /// Counts per unit.
    pub units: &'a BTreeMap<UnitKey, UnitStats>,
    /// Its rows and people.
    pub totals: RunTotals,
    /// Every finding.
    pub findings: &'a [FindingKey],
    /// What it read.
    pub scope: &'a Scope,
}

/// A run's totals, as the `runs` table keeps them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunTotals {
    /// Data rows.
    pub rows: u64,
    /// Distinct people.
    pub people: u64,
    /// Distinct people with at least one error finding.
    pub people_with_errors: u64,
}

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
    lang: Lang,
}

/// Creates a history that does not exist yet readable by its owner only (0600 on Unix; SQLite's
/// journal takes the same mode): it holds record keys, fingerprints and digests of what the lists
/// showed. An existing file keeps its permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// The unit named by a row's first three columns: province, district, commune.
fn unit_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<UnitKey> {
    Ok(UnitKey::new(
        r.get::<_, String>(0)?,
        r.get::<_, String>(1)?,
        r.get::<_, String>(2)?,
    ))
}

impl History {
    /// Opens (creating or upgrading) the history at `path`. `wait` is how long to wait for another
    /// run that holds it.
    pub fn open(path: &Path, wait: Duration, lang: Lang) -> Result<History> {
        let what = || {
            lang.pick(
                format!("không mở được lịch sử '{}'", path.display()),
                format!("cannot open the history '{}'", path.display()),
            )
        };
        create_private(path).with_context(what)?;
        let conn = Connection::open(path).with_context(what)?;
        conn.busy_timeout(wait).with_context(what)?;
        let mut h = History {
            conn,
            path: path.to_path_buf(),
            lang,
        };
        h.upgrade().with_context(what)?;
        Ok(h)
    }

    /// Runs `f` in one immediate transaction, committed when it returns `Ok` (a run that holds
    /// the history meanwhile is waited for, then named in the error).
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let locked = self.locked();
        let tx = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(e) if busy(&e) => return Err(locked),
            Err(e) => return Err(e.into()),
        };
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The database, to read.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn locked(&self) -> anyhow::Error {
        self.lang.pick(
            anyhow!(
                "lịch sử '{}' đang được một lần quét khác ghi; chờ lần đó xong rồi chạy lại",
                self.path.display()
            ),
            anyhow!(
                "the history '{}' is being written by another run; run again when it is done",
                self.path.display()
            ),
        )
    }

    /// The schema version of the file (0 for a new file).
    pub fn version(&self) -> Result<i64> {
        let has_meta: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get(0),
        )?;
        if !has_meta {
            return Ok(0);
        }
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    fn upgrade(&mut self) -> Result<()> {
        let lang = self.lang;
        self.write(|tx| {
        let has_meta: bool = tx.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get(0),
        )?;
        let version: i64 = if has_meta {
            tx.query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
        } else {
            let tables: i64 = tx.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )?;
            if tables > 0 {
                bail!(lang.pick(
                    "tệp này là một cơ sở dữ liệu khác, không phải lịch sử của vaxclean",
                    "this file is another database, not a vaxclean history"
                ));
            }
            0
        };
        if version > SCHEMA_VERSION {
            bail!(lang.pick(format!(
                    "lịch sử do phiên bản vaxclean mới hơn ghi (lược đồ {version}); cần cập nhật vaxclean"
                ), format!(
                    "the history was written by a newer vaxclean (schema {version}); update vaxclean"
                )));
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(step)?;
            if i == 1 {
                rename_path_keys(tx)?;
            }
        }
        tx.execute(
            "INSERT INTO meta(key, value) VALUES('schema_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [SCHEMA_VERSION.to_string()],
        )?;
        Ok(())
        })
    }

    /// The date of the latest recorded run.
    pub fn latest(&self) -> Result<Option<NaiveDate>> {
        let day: Option<String> =
            self.conn
                .query_row("SELECT max(as_of) FROM runs WHERE complete = 1", [], |r| {
                    r.get(0)
                })?;
        Ok(day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }

    /// Refuses a run dated before the latest recorded one, unless `allow` (a night recorded out
    /// of order would close findings the later nights saw open).
    pub fn check_date(&self, as_of: NaiveDate, allow: bool) -> Result<()> {
        match self.latest()? {
            Some(latest) if as_of < latest && !allow => bail!(self.lang.pick(format!(
                    "lịch sử '{}' đã có lần quét ngày {}, sau ngày của lần này ({}); lần quét này không được ghi. Quét các bản xuất cũ theo đúng thứ tự ngày, hoặc thêm --allow-out-of-order nếu thật sự muốn ghi",
                    self.path.display(),
                    latest.format("%d/%m/%Y"),
                    as_of.format("%d/%m/%Y")
                ), format!(
                    "the history '{}' already holds a run of {}, after this run's date ({}); this run is not recorded. Replay old dumps in date order, or add --allow-out-of-order if you really mean it",
                    self.path.display(),
                    latest.format("%Y-%m-%d"),
                    as_of.format("%Y-%m-%d")
                ))),
            _ => Ok(()),
        }
    }

    /// Records a run: its inputs (path, size, SHA-256), its counts per unit and every finding;
    /// returns what changed since the previous runs. Only what the run read can be found fixed
    /// (see [`Scope`]): an open finding is closed when it is not among `findings` and its unit was
    /// read (for a commune `is_known` does not recognise, its district), or its record has other
    /// findings from the same input in this run; never when it came from an input that could not
    /// be read.
    pub fn record(
        &mut self,
        night: &Night<'_>,
        is_known: impl Fn(&UnitKey) -> bool,
    ) -> Result<RunDelta> {
        let Night {
            as_of,
            inputs,
            units,
            totals,
            findings,
            scope,
        } = *night;
        self.write(|tx| {
        let day = as_of.format("%Y-%m-%d").to_string();
        tx.execute(
            "INSERT INTO runs(started, as_of, tool_version, rows, people, people_with_errors, findings, partial)
             VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                chrono::Local::now().to_rfc3339(),
                day,
                env!("CARGO_PKG_VERSION"),
                totals.rows as i64,
                totals.people as i64,
                totals.people_with_errors as i64,
                findings.len() as i64,
                !scope.failed_inputs.is_empty()
            ],
        )?;
        let run = tx.last_insert_rowid();
        {
            let mut ins = tx.prepare(
                "INSERT INTO run_inputs(run_id, path, size, sha256) VALUES(?1, ?2, ?3, ?4)",
            )?;
            for SourceStamp { path, sha256, size } in inputs {
                // An unknown hash is NULL.
                let sha = (!sha256.is_empty()).then_some(sha256);
                ins.execute(params![run, path, *size as i64, sha])?;
            }
            let mut unit = tx.prepare(
                "INSERT INTO run_units(run_id, province, district, commune, rows, people, people_with_errors)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut code = tx.prepare(
                "INSERT INTO run_unit_codes(run_id, province, district, commune, code, count)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (
                UnitKey {
                    province: p,
                    district: d,
                    commune: c,
                },
                s,
            ) in units
            {
                unit.execute(params![
                    run,
                    p,
                    d,
                    c,
                    s.rows as i64,
                    s.people as i64,
                    s.people_with_errors as i64
                ])?;
                for (k, n) in &s.findings {
                    code.execute(params![run, p, d, c, k.as_str(), *n as i64])?;
                }
            }
        }
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS cur(
                record_key TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL,
                province TEXT NOT NULL, district TEXT NOT NULL, commune TEXT NOT NULL,
                input TEXT NOT NULL,
                PRIMARY KEY(record_key, code));
             CREATE TEMP TABLE IF NOT EXISTS scope_units(
                province TEXT NOT NULL, district TEXT NOT NULL, commune TEXT NOT NULL,
                PRIMARY KEY(province, district, commune));
             CREATE TEMP TABLE IF NOT EXISTS failed_inputs(name TEXT PRIMARY KEY);
             DELETE FROM cur; DELETE FROM scope_units; DELETE FROM failed_inputs;",
        )?;
        {
            let mut ins = tx.prepare(
                "INSERT OR IGNORE INTO cur(record_key, code, severity, province, district, commune, input)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for f in findings {
                ins.execute(params![
                    f.record_key,
                    f.code,
                    f.severity,
                    f.unit.province,
                    f.unit.district,
                    f.unit.commune,
                    f.input
                ])?;
            }
            let mut failed = tx.prepare("INSERT OR IGNORE INTO failed_inputs(name) VALUES(?1)")?;
            for name in &scope.failed_inputs {
                failed.execute([name])?;
            }
            // The units of open findings that this run read.
            let districts: std::collections::BTreeSet<(&str, &str)> = scope
                .units
                .iter()
                .map(|u| (u.province.as_str(), u.district.as_str()))
                .collect();
            let open_units: Vec<UnitKey> = {
                let mut st = tx.prepare(
                    "SELECT DISTINCT province, district, commune FROM findings WHERE fixed_run IS NULL",
                )?;
                st.query_map([], unit_of)?
                .collect::<Result<_, _>>()?
            };
            let mut read = tx.prepare(
                "INSERT OR IGNORE INTO scope_units(province, district, commune) VALUES(?1, ?2, ?3)",
            )?;
            for u in open_units {
                let in_scope = scope.units.contains(&u)
                    || (!is_known(&u)
                        && districts.contains(&(u.province.as_str(), u.district.as_str())));
                if in_scope {
                    read.execute(params![u.province, u.district, u.commune])?;
                }
            }
        }
        let fixed = tx.execute(
            "UPDATE findings SET fixed_run = ?1, fixed_on = ?2
             WHERE fixed_run IS NULL
               AND NOT EXISTS (
                SELECT 1 FROM cur c WHERE c.record_key = findings.record_key AND c.code = findings.code)
               AND input NOT IN (SELECT name FROM failed_inputs)
               AND (EXISTS (
                     SELECT 1 FROM scope_units u WHERE u.province = findings.province
                        AND u.district = findings.district AND u.commune = findings.commune)
                    OR EXISTS (SELECT 1 FROM cur c WHERE c.record_key = findings.record_key
                                  AND c.input = findings.input))",
            params![run, day],
        )? as u64;
        tx.execute(
            "UPDATE findings SET last_run = ?1,
                first_seen = min(first_seen, ?2),
                province = (SELECT province FROM cur c WHERE c.record_key = findings.record_key AND c.code = findings.code),
                district = (SELECT district FROM cur c WHERE c.record_key = findings.record_key AND c.code = findings.code),
                commune = (SELECT commune FROM cur c WHERE c.record_key = findings.record_key AND c.code = findings.code),
                input = (SELECT input FROM cur c WHERE c.record_key = findings.record_key AND c.code = findings.code)
             WHERE fixed_run IS NULL AND EXISTS (
                SELECT 1 FROM cur c WHERE c.record_key = findings.record_key AND c.code = findings.code)",
            params![run, day],
        )?;
        let new = tx.execute(
            "INSERT INTO findings(record_key, code, severity, province, district, commune,
                                  first_seen, first_run, last_run, fixed_run, fixed_on, input)
             SELECT record_key, code, severity, province, district, commune, ?1, ?2, ?2, NULL, NULL, input
             FROM cur c WHERE NOT EXISTS (
                SELECT 1 FROM findings f
                WHERE f.record_key = c.record_key AND f.code = c.code AND f.fixed_run IS NULL)
             ON CONFLICT(record_key, code) DO UPDATE SET
                severity = excluded.severity, province = excluded.province,
                district = excluded.district, commune = excluded.commune,
                first_seen = excluded.first_seen, first_run = excluded.first_run,
                last_run = excluded.last_run, fixed_run = NULL, fixed_on = NULL,
                input = excluded.input",
            params![day, run],
        )? as u64;
        let open: i64 = tx.query_row(
            "SELECT count(*) FROM findings WHERE fixed_run IS NULL",
            [],
            |r| r.get(0),
        )?;
        tx.execute_batch("DELETE FROM cur; DELETE FROM scope_units; DELETE FROM failed_inputs;")?;
        if let Some(ms) = std::env::var("VAXCLEAN_TEST_HISTORY_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            // Test hook: hold the transaction open, as a slow disk would.
            std::thread::sleep(Duration::from_millis(ms));
        }
        tx.execute(
            "UPDATE runs SET complete = 1, new_findings = ?2, fixed_findings = ?3, open_findings = ?4
             WHERE id = ?1",
            params![run, new as i64, fixed as i64, open],
        )?;
        Ok(RunDelta {
            run,
            new,
            fixed,
            open: open as u64,
        })
        })
    }

    /// The complete runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>> {
        let mut st = self.conn.prepare(
            "SELECT id, as_of, rows, people, people_with_errors, findings, new_findings,
                    fixed_findings, open_findings
             FROM runs WHERE complete = 1 ORDER BY as_of, id",
        )?;
        let rows = st.query_map([], |r| {
            let day: String = r.get(1)?;
            Ok(RunInfo {
                id: r.get(0)?,
                as_of: NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap_or_default(),
                rows: r.get::<_, i64>(2)? as u64,
                people: r.get::<_, i64>(3)? as u64,
                people_with_errors: r.get::<_, i64>(4)? as u64,
                findings: r.get::<_, i64>(5)? as u64,
                new: r.get::<_, i64>(6)? as u64,
                fixed: r.get::<_, i64>(7)? as u64,
                open: r.get::<_, i64>(8)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every complete run's rows, people and people with errors as its units add them up (a
    /// person with rows in two units counts in each), by run number.
    pub fn unit_sums(&self) -> Result<BTreeMap<i64, RunTotals>> {
        // total() (a float) rather than sum(), which fails on an overflow; counts stay far below
        // 2^53, and a float beyond u64 saturates when cast.
        let mut st = self.conn.prepare(
            "SELECT run_id, total(rows), total(people), total(people_with_errors)
             FROM run_units GROUP BY run_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                RunTotals {
                    rows: r.get::<_, f64>(1)? as u64,
                    people: r.get::<_, f64>(2)? as u64,
                    people_with_errors: r.get::<_, f64>(3)? as u64,
                },
            ))
        })?;
        Ok(rows.collect::<Result<BTreeMap<_, _>, _>>()?)
    }

    /// The counts per unit of run `run`.
    pub fn units(&self, run: i64) -> Result<Vec<UnitCounts>> {
        let mut out: BTreeMap<UnitKey, UnitCounts> = BTreeMap::new();
        let mut st = self.conn.prepare(
            "SELECT province, district, commune, rows, people, people_with_errors
             FROM run_units WHERE run_id = ?1",
        )?;
        let rows = st.query_map([run], |r| {
            Ok(UnitCounts {
                unit: unit_of(r)?,
                rows: r.get::<_, i64>(3)? as u64,
                people: r.get::<_, i64>(4)? as u64,
                people_with_errors: r.get::<_, i64>(5)? as u64,
                by_code: BTreeMap::new(),
            })
        })?;
        for u in rows {
            let u = u?;
            out.insert(u.unit.clone(), u);
        }
        let mut st = self.conn.prepare(
            "SELECT province, district, commune, code, count FROM run_unit_codes WHERE run_id = ?1",
        )?;
        let codes = st.query_map([run], |r| {
            Ok((
                unit_of(r)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)? as u64,
            ))
        })?;
        for c in codes {
            let (unit, code, n) = c?;
            out.entry(unit.clone())
                .or_insert_with(|| UnitCounts {
                    unit,
                    ..UnitCounts::default()
                })
                .by_code
                .insert(code, n);
        }
        Ok(out.into_values().collect())
    }

    /// Per unit, the open error findings and when the oldest was first seen.
    pub fn open_ages(&self) -> Result<Vec<OpenAge>> {
        let mut st = self.conn.prepare(
            "SELECT province, district, commune, count(*), min(first_seen) FROM findings
             WHERE fixed_run IS NULL AND severity = 'error'
             GROUP BY province, district, commune",
        )?;
        let rows = st.query_map([], |r| {
            let oldest: String = r.get(4)?;
            Ok(OpenAge {
                unit: unit_of(r)?,
                open_errors: r.get::<_, i64>(3)? as u64,
                oldest: NaiveDate::parse_from_str(&oldest, "%Y-%m-%d").unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Whether the database is sound (`PRAGMA integrity_check`).
    pub fn is_sound(&self) -> Result<bool> {
        let s: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(s == "ok")
    }

    /// Runs started but never completed (killed): not counted anywhere.
    pub fn incomplete_runs(&self) -> Result<u64> {
        let n: i64 =
            self.conn
                .query_row("SELECT count(*) FROM runs WHERE complete = 0", [], |r| {
                    r.get(0)
                })?;
        Ok(n as u64)
    }
}

/// Upgrade to schema 2: the record keys of rows without a record id named their file by the path
/// as typed (`dumps/2026-11-20/dump.csv:12`); they now name it by its file name (`dump.csv:12`),
/// so that the same dump read from another folder keeps its keys. A key that already exists under
/// the new name is dropped (the same finding twice).
fn rename_path_keys(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let paths: Vec<String> = {
        let mut st = tx.prepare("SELECT DISTINCT path FROM run_inputs")?;
        st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for path in paths {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(&path).to_string();
        let prefix = format!("{path}:");
        tx.execute(
            "UPDATE findings SET input = ?2 WHERE substr(record_key, 1, length(?1)) = ?1 AND input = ''",
            params![prefix, name],
        )?;
        if name == path {
            continue;
        }
        tx.execute(
            "UPDATE OR IGNORE findings SET record_key = ?2 || substr(record_key, length(?1) + 1)
             WHERE substr(record_key, 1, length(?1)) = ?1",
            params![prefix, format!("{name}:")],
        )?;
        tx.execute(
            "DELETE FROM findings WHERE substr(record_key, 1, length(?1)) = ?1",
            [prefix],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_new_history_is_readable_by_its_owner_only() -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("h.sqlite");
        drop(open(&path)?);
        let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{mode:o}");
        Ok(())
    }

    /// Opens the history at `path` as the tests do (English, a second's wait for a lock).
    fn open(path: &std::path::Path) -> Result<History> {
        History::open(path, Duration::from_secs(1), Lang::En)
    }

    /// A new history in a temporary folder, which it lives as long as.
    fn fresh() -> Result<(tempfile::TempDir, History)> {
        let dir = tempfile::tempdir()?;
        let h = open(&dir.path().join("h.sqlite"))?;
        Ok((dir, h))
    }

    fn key(k: &str, code: &'static str) -> FindingKey {
        FindingKey {
            record_key: k.to_string(),
            input: "dump.csv".into(),
            code,
            severity: "error",
            unit: UnitKey::new("Tỉnh A", "Huyện B", "Xã C"),
        }
    }

    fn everything() -> Scope {
        Scope {
            failed_inputs: Vec::new(),
            units: [UnitKey::new("Tỉnh A", "Huyện B", "Xã C")].into(),
        }
    }

    /// Records a night of `findings` (no inputs, no counts: the findings are what is compared).
    fn record(
        h: &mut History,
        as_of: NaiveDate,
        findings: &[FindingKey],
        scope: &Scope,
        is_known: impl Fn(&UnitKey) -> bool,
    ) -> Result<RunDelta> {
        let units = BTreeMap::new();
        let night = Night {
            as_of,
            inputs: &[],
            units: &units,
            totals: RunTotals::default(),
            findings,
            scope,
        };
        h.record(&night, is_known)
    }

    /// Records a night that read every unit of [`everything`] and knows them all.
    fn full_night(h: &mut History, as_of: NaiveDate, findings: &[FindingKey]) -> Result<RunDelta> {
        record(h, as_of, findings, &everything(), |_| true)
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn nights_compare() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("h.sqlite");
        let mut h = open(&path)?;
        assert_eq!(h.version()?, SCHEMA_VERSION);
        let night1 = [key("R1", "ID_MISSING"), key("R2", "NAME_FORMAT")];
        let night2 = [key("R2", "NAME_FORMAT"), key("R3", "DOB_INVALID")];
        let d1 = full_night(&mut h, day(1), &night1)?;
        assert_eq!((d1.new, d1.fixed, d1.open), (2, 0, 2));
        let d2 = full_night(&mut h, day(2), &night2)?;
        assert_eq!((d2.new, d2.fixed, d2.open), (1, 1, 2));
        // R1's problem comes back: new again, seen from today.
        let d3 = full_night(&mut h, day(4), &night1)?;
        assert_eq!((d3.new, d3.fixed, d3.open), (1, 1, 2));
        let ages = h.open_ages()?;
        assert_eq!(ages.len(), 1);
        assert_eq!(ages[0].open_errors, 2);
        assert_eq!(ages[0].oldest, day(1));
        assert_eq!(h.runs()?.len(), 3);
        assert!(h.is_sound()?);
        drop(h);
        // Reopening keeps everything.
        let h = open(&path)?;
        assert_eq!(h.runs()?.len(), 3);
        Ok(())
    }

    fn key_in(k: &str, code: &'static str, unit: (&str, &str, &str), input: &str) -> FindingKey {
        FindingKey {
            record_key: k.to_string(),
            input: input.into(),
            code,
            severity: "error",
            unit: UnitKey::new(unit.0, unit.1, unit.2),
        }
    }

    fn scope(units: &[(&str, &str, &str)], failed: &[&str]) -> Scope {
        Scope {
            failed_inputs: failed.iter().map(|s| s.to_string()).collect(),
            units: units.iter().map(|u| UnitKey::new(u.0, u.1, u.2)).collect(),
        }
    }

    #[test]
    fn a_run_closes_only_what_it_read() -> Result<()> {
        let (_dir, mut h) = fresh()?;
        let (a, b) = (("P", "D", "A"), ("P", "D", "B"));
        let typo = ("P", "D", "Xa Typo");
        let other = ("P", "E", "Xa Typo 2");
        let night1 = [
            key_in("R1", "ID_MISSING", a, "a.csv"),
            key_in("R2", "ID_MISSING", b, "b.csv"),
            key_in("R3", "ID_MISSING", typo, "a.csv"),
            key_in("R4", "ID_MISSING", other, "a.csv"),
            key_in("R5", "ID_MISSING", a, "a.csv"),
            key_in("R6", "ADDRESS_UNKNOWN", typo, "a.csv"),
        ];
        let d = record(
            &mut h,
            day(1),
            &night1,
            &scope(&[a, b, typo, other], &[]),
            |_| true,
        )?;
        assert_eq!((d.new, d.fixed, d.open), (6, 0, 6));
        // Night 2 reads only commune A (the typo commune is unknown: its district D is read).
        // R5 is still wrong; R6's record moved to commune A with another finding.
        let known = |u: &UnitKey| !u.commune.starts_with("Xa Typo");
        let night2 = [
            key_in("R5", "ID_MISSING", a, "a.csv"),
            key_in("R6", "DOB_INVALID", a, "a.csv"),
        ];
        let d = record(&mut h, day(2), &night2, &scope(&[a], &[]), known)?;
        // Fixed: R1 (A read), R3 (typo commune of district D, D read), R6's ADDRESS_UNKNOWN (its
        // record was read). Open: R2 (B not read), R4 (district E not read), R5, R6's new one.
        assert_eq!((d.new, d.fixed, d.open), (1, 3, 4));
        // Night 3 reads B's commune, but b.csv could not be read: R2 stays open.
        let d = record(&mut h, day(3), &night2, &scope(&[a, b], &["b.csv"]), known)?;
        assert_eq!((d.new, d.fixed, d.open), (0, 0, 4));
        Ok(())
    }

    #[test]
    fn a_run_dated_before_the_latest_is_refused_unless_asked() -> Result<()> {
        let (_dir, mut h) = fresh()?;
        assert!(h.check_date(day(5), false).is_ok());
        full_night(&mut h, day(5), &[key("R1", "ID_MISSING")])?;
        assert!(h.check_date(day(5), false).is_ok());
        assert!(h.check_date(day(6), false).is_ok());
        let e = h.check_date(day(4), false).err();
        assert!(e.is_some_and(|e| e.to_string().contains("--allow-out-of-order")));
        assert!(h.check_date(day(4), true).is_ok());
        // Recorded out of order, a finding keeps the earlier first-seen date.
        full_night(&mut h, day(4), &[key("R1", "ID_MISSING")])?;
        assert_eq!(h.open_ages()?[0].oldest, day(4));
        Ok(())
    }

    #[test]
    fn a_newer_schema_or_another_database_is_refused() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("h.sqlite");
        drop(open(&path)?);
        let c = Connection::open(&path)?;
        c.execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )?;
        drop(c);
        let e = open(&path).err();
        assert!(e.is_some_and(|e| format!("{e:#}").contains("newer vaxclean")));
        let other = dir.path().join("other.sqlite");
        let c = Connection::open(&other)?;
        c.execute_batch("CREATE TABLE t(x);")?;
        drop(c);
        let e = open(&other).err();
        assert!(e.is_some_and(|e| format!("{e:#}").contains("not a vaxclean history")));
        Ok(())
    }

    #[test]
    fn an_old_schema_is_upgraded_in_place() -> Result<()> {
        // A file of schema 0 (created, nothing in it) becomes the current schema on open.
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("h.sqlite");
        drop(Connection::open(&path)?);
        let h = open(&path)?;
        assert_eq!(h.version()?, SCHEMA_VERSION);
        Ok(())
    }
}
