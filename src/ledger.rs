//! The export ledger and the open conflicts, kept in the history database (`--history FILE` on
//! `export-list` and `apply-corrections`; docs/apply-corrections.md).
//!
//! A list carries its own description in a hidden sheet, and anyone holding a copy can rewrite
//! that sheet. The ledger is the tool's own record of every list it wrote — export id, list, unit,
//! and per row where it stood, the record keys it stood for and the fingerprint of what it showed —
//! so that a returned list is checked against what was really exported: a list the ledger does not
//! know is not ours, and each row is compared with the recorded row, not with the sheet's copy.
//!
//! Conflicts between lists (one new ID number claimed for two people; one person corrected two
//! ways) are recorded as *sides* and stay open across batches until each side has come back
//! settled, so the list resent first does not win. Nothing personal is stored: numbers, people and
//! corrections are kept as truncated SHA-256 digests.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use crate::history::History;
use crate::output::list_workbook::TableRow;

/// The tables this module adds to the history (schema version 3).
pub const SCHEMA: &str = r"
CREATE TABLE export_lists(
    export_id TEXT NOT NULL,
    list TEXT NOT NULL,
    created TEXT NOT NULL,
    as_of TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    province TEXT NOT NULL,
    district TEXT NOT NULL,
    commune TEXT NOT NULL,
    rows INTEGER NOT NULL,
    PRIMARY KEY(export_id, list)
);
CREATE TABLE export_rows(
    export_id TEXT NOT NULL,
    list TEXT NOT NULL,
    row INTEGER NOT NULL,
    keys TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY(export_id, list, row)
);
CREATE TABLE conflicts(
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    origin TEXT NOT NULL,
    party TEXT NOT NULL,
    opened TEXT NOT NULL,
    resolved TEXT,
    PRIMARY KEY(kind, subject, origin)
);
CREATE INDEX conflicts_open ON conflicts(resolved);
";

/// The table this module adds in schema version 4: the latest answer heard for each list row of
/// an export (by its origin), and the day it was first answered, so that a list returned in an
/// earlier batch is still "returned" (verification.xlsx). Result codes only: nothing personal.
pub const ANSWERS_SCHEMA: &str = r"
CREATE TABLE list_answers(
    origin TEXT PRIMARY KEY,
    result TEXT NOT NULL,
    first_answered TEXT NOT NULL,
    last_answered TEXT NOT NULL
);
";

/// A list `export-list` wrote, as verification.xlsx needs it: its unit, its date, and per row
/// the row's origin and record keys (one per line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedList {
    /// The export's id.
    pub export_id: String,
    /// The list's path under the output folder.
    pub list: String,
    /// When it was written (RFC 3339).
    pub created: String,
    /// The export's date.
    pub as_of: NaiveDate,
    /// Province, district, commune.
    pub unit: [String; 3],
    /// Per row: origin, record keys.
    pub rows: Vec<(String, String)>,
}

/// A row of a recorded list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    /// Where it stood, its keys and its fingerprint.
    pub table: TableRow,
    /// The row of the first list this person's row came from (`export id/list/row`): a list sent
    /// back and returned again is the same side of a conflict as the list it came from.
    pub origin: String,
}

/// A list the tool wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRecord {
    /// The export's id (shared by the lists of one run).
    pub export_id: String,
    /// The list's path under the output folder, `/`-separated.
    pub list: String,
    /// When it was written (RFC 3339).
    pub created: String,
    /// The run's date.
    pub as_of: NaiveDate,
    /// The unit's province, district and commune (empty where not recognised).
    pub unit: [String; 3],
    /// Its rows.
    pub rows: Vec<LedgerRow>,
}

impl ListRecord {
    /// A list `export-list` wrote: every row is its own origin.
    pub fn of_export(
        export_id: &str,
        created: &str,
        as_of: NaiveDate,
        written: &crate::output::export::IndexRow,
    ) -> ListRecord {
        let f = &written.folder;
        let part = |p: &Option<String>| p.clone().unwrap_or_default();
        ListRecord {
            export_id: export_id.to_string(),
            list: written.path.clone(),
            created: created.to_string(),
            as_of,
            unit: [part(&f.province), part(&f.district), part(&f.commune)],
            rows: written
                .table
                .iter()
                .map(|t| LedgerRow {
                    origin: origin(export_id, &written.path, t.row),
                    table: t.clone(),
                })
                .collect(),
        }
    }
}

/// The origin of row `row` of a list first written by this export.
pub fn origin(export_id: &str, list: &str, row: u32) -> String {
    format!("{export_id}/{list}/{row}")
}

/// The export id, list and row an origin names ([`origin`]).
pub fn split_origin(origin: &str) -> Option<(&str, &str, u32)> {
    let (export_id, rest) = origin.split_once('/')?;
    let (list, row) = rest.rsplit_once('/')?;
    Some((export_id, list, row.parse().ok()?))
}

/// A truncated SHA-256 of `parts`: how the ledger keeps numbers, people and corrections.
pub fn digest<S: AsRef<str>>(parts: &[S]) -> String {
    crate::util::digest_hex(parts, 12)
}

/// What a conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// One new ID number for two people (`ID_TAKEN`).
    IdTaken,
    /// One person corrected two ways (`CONFLICT_WORKBOOKS`).
    Corrections,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::IdTaken => "ID_TAKEN",
            Kind::Corrections => "CONFLICT_WORKBOOKS",
        }
    }

    fn of(code: &str) -> Option<Kind> {
        [Kind::IdTaken, Kind::Corrections]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// One side of a conflict: a row (by its origin) claiming something (`party`) about a subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Side {
    /// What it is about.
    pub kind: Kind,
    /// The number (ID_TAKEN) or the person (CONFLICT_WORKBOOKS), as a digest.
    pub subject: String,
    /// The row, by origin.
    pub origin: String,
    /// Who claims the number, or which corrections, as a digest.
    pub party: String,
}

impl History {
    /// Every row of `sql`, whose `N` columns are all text.
    fn text_rows<const N: usize>(&self, sql: &str) -> Result<Vec<[String; N]>> {
        let mut stmt = self.conn().prepare(sql)?;
        let rows = stmt
            .query_map([], |r| {
                let mut row: [String; N] = std::array::from_fn(|_| String::new());
                for (i, cell) in row.iter_mut().enumerate() {
                    *cell = r.get(i)?;
                }
                Ok(row)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Records the lists an export (or an apply run sending lists back) wrote.
    pub fn record_lists(&mut self, lists: &[ListRecord]) -> Result<()> {
        self.write(|tx| {
            let mut list_stmt = tx.prepare(
                "INSERT OR REPLACE INTO export_lists
                 (export_id, list, created, as_of, tool_version, province, district, commune, rows)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut row_stmt = tx.prepare(
                "INSERT OR REPLACE INTO export_rows
                 (export_id, list, row, keys, fingerprint, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for l in lists {
                list_stmt.execute(params![
                    l.export_id,
                    l.list,
                    l.created,
                    l.as_of.format("%Y-%m-%d").to_string(),
                    env!("CARGO_PKG_VERSION"),
                    l.unit[0],
                    l.unit[1],
                    l.unit[2],
                    l.rows.len() as i64,
                ])?;
                for r in &l.rows {
                    row_stmt.execute(params![
                        l.export_id,
                        l.list,
                        r.table.row,
                        r.table.keys,
                        r.table.fingerprint,
                        r.origin,
                    ])?;
                }
            }
            Ok(())
        })
    }

    /// The list recorded under this export id and path, if any.
    pub fn list(&self, export_id: &str, list: &str) -> Result<Option<ListRecord>> {
        let conn = self.conn();
        let head = conn
            .query_row(
                "SELECT created, as_of, province, district, commune FROM export_lists
                 WHERE export_id = ?1 AND list = ?2",
                params![export_id, list],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        [r.get(2)?, r.get(3)?, r.get(4)?],
                    ))
                },
            )
            .optional()?;
        let Some((created, as_of, unit)) = head else {
            return Ok(None);
        };
        let mut stmt = conn.prepare(
            "SELECT row, keys, fingerprint, origin FROM export_rows
             WHERE export_id = ?1 AND list = ?2 ORDER BY row",
        )?;
        let rows = stmt
            .query_map(params![export_id, list], |r| {
                Ok(LedgerRow {
                    table: TableRow {
                        row: r.get(0)?,
                        keys: r.get(1)?,
                        fingerprint: r.get(2)?,
                    },
                    origin: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(ListRecord {
            export_id: export_id.to_string(),
            list: list.to_string(),
            created,
            as_of: NaiveDate::parse_from_str(&as_of, "%Y-%m-%d").unwrap_or_default(),
            unit,
            rows,
        }))
    }

    /// The lists `export-list` wrote (not the lists sent back by `apply-corrections`, whose rows
    /// descend from another list's), in the order recorded, without their rows. A list is told by
    /// its first row only, through the primary key: no scan of every row ever exported.
    pub fn exported_heads(&self) -> Result<Vec<ExportedList>> {
        let mut stmt = self.conn().prepare(
            "SELECT l.export_id, l.list, l.created, l.as_of, l.province, l.district, l.commune,
                    (SELECT r.origin = l.export_id || '/' || l.list || '/' || r.row
                     FROM export_rows r WHERE r.export_id = l.export_id AND r.list = l.list
                     ORDER BY r.row LIMIT 1)
             FROM export_lists l
             ORDER BY l.as_of, l.created, l.export_id, l.list",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let as_of: String = r.get(3)?;
                let own: Option<bool> = r.get(7)?;
                Ok((
                    ExportedList {
                        export_id: r.get(0)?,
                        list: r.get(1)?,
                        created: r.get(2)?,
                        as_of: NaiveDate::parse_from_str(&as_of, "%Y-%m-%d").unwrap_or_default(),
                        unit: [r.get(4)?, r.get(5)?, r.get(6)?],
                        rows: Vec::new(),
                    },
                    own.unwrap_or(false),
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter(|(_, own)| *own)
            .map(|(l, _)| l)
            .collect())
    }

    /// The rows of a recorded list: origin, record keys.
    pub fn list_rows(&self, export_id: &str, list: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT origin, keys FROM export_rows WHERE export_id = ?1 AND list = ?2 ORDER BY row",
        )?;
        let rows = stmt
            .query_map(params![export_id, list], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The record keys of one recorded list row, by its place.
    pub fn row_keys(&self, export_id: &str, list: &str, row: u32) -> Result<Option<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT keys FROM export_rows WHERE export_id = ?1 AND list = ?2 AND row = ?3",
        )?;
        Ok(stmt
            .query_row(params![export_id, list, row], |r| r.get(0))
            .optional()?)
    }

    /// The answers recorded for list rows, by origin: result code, day first answered.
    pub fn answers(&self) -> Result<std::collections::HashMap<String, (String, NaiveDate)>> {
        let rows = self.text_rows("SELECT origin, result, first_answered FROM list_answers")?;
        Ok(rows
            .into_iter()
            .map(|[o, res, first]| {
                let first = NaiveDate::parse_from_str(&first, "%Y-%m-%d").unwrap_or_default();
                (o, (res, first))
            })
            .collect())
    }

    /// Records the answers of a run (origin, result code, day first answered), heard on `day`.
    pub fn record_answers(
        &mut self,
        answers: &[(String, &'static str, NaiveDate)],
        day: NaiveDate,
    ) -> Result<()> {
        let day = day.format("%Y-%m-%d").to_string();
        self.write(|tx| {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO list_answers(origin, result, first_answered, last_answered)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (origin, result, first) in answers {
                let first = first.format("%Y-%m-%d").to_string();
                stmt.execute(params![origin, result, first, day])?;
            }
            Ok(())
        })
    }

    /// Every side of a conflict still open.
    pub fn open_sides(&self) -> Result<Vec<Side>> {
        let rows = self.text_rows(
            "SELECT kind, subject, origin, party FROM conflicts WHERE resolved IS NULL
             ORDER BY kind, subject, origin",
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|[kind, subject, origin, party]| {
                Some(Side {
                    kind: Kind::of(&kind)?,
                    subject,
                    origin,
                    party,
                })
            })
            .collect())
    }

    /// Opens `opened` (again, with their latest party) and closes `resolved`, on `day`.
    pub fn settle(&mut self, opened: &[Side], resolved: &[Side], day: NaiveDate) -> Result<()> {
        let day = day.format("%Y-%m-%d").to_string();
        self.write(|tx| {
            let mut open = tx.prepare(
                "INSERT INTO conflicts(kind, subject, origin, party, opened) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(kind, subject, origin)
                 DO UPDATE SET party = excluded.party, resolved = NULL",
            )?;
            for s in opened {
                open.execute(params![s.kind.code(), s.subject, s.origin, s.party, day])?;
            }
            let mut close = tx.prepare(
                "UPDATE conflicts SET resolved = ?4
                 WHERE kind = ?1 AND subject = ?2 AND origin = ?3 AND resolved IS NULL",
            )?;
            for s in resolved {
                close.execute(params![s.kind.code(), s.subject, s.origin, day])?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use std::time::Duration;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn history(dir: &std::path::Path) -> History {
        History::open(&dir.join("h.sqlite"), Duration::from_secs(1), Lang::En)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_recorded_list_reads_back_and_others_are_unknown() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut h = history(dir.path());
        let row = |n: u32| LedgerRow {
            table: TableRow {
                row: n + 1,
                keys: format!("VX{n}"),
                fingerprint: format!("{n:032x}"),
            },
            origin: origin("e1", "A/B/C.xlsx", n + 1),
        };
        let list = ListRecord {
            export_id: "e1".into(),
            list: "A/B/C.xlsx".into(),
            created: "2026-11-26T08:00:00+07:00".into(),
            as_of: day(26),
            unit: ["A".into(), "B".into(), "C".into()],
            rows: vec![row(1), row(2)],
        };
        h.record_lists(std::slice::from_ref(&list))
            .unwrap_or_else(|e| panic!("{e}"));
        let back = h.list("e1", "A/B/C.xlsx").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, Some(list));
        assert_eq!(h.list("e1", "A/B/D.xlsx").ok().flatten(), None);
        assert_eq!(
            h.list("0000000000000000", "A/B/C.xlsx").ok().flatten(),
            None
        );
    }

    #[test]
    fn the_exports_are_told_from_the_lists_sent_back_and_answers_read_back() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut h = history(dir.path());
        let list = |export_id: &str, path: &str, from: Option<&str>| ListRecord {
            export_id: export_id.into(),
            list: path.into(),
            created: "2026-11-20T08:00:00+07:00".into(),
            as_of: day(20),
            unit: ["A".into(), "B".into(), "C".into()],
            rows: (2..4)
                .map(|n| LedgerRow {
                    table: TableRow {
                        row: n,
                        keys: format!("VX{n}\nVX{}", n + 10),
                        fingerprint: format!("{n:032x}"),
                    },
                    origin: from.map_or_else(|| origin(export_id, path, n), |f| format!("{f}/{n}")),
                })
                .collect(),
        };
        h.record_lists(&[
            list("e1", "A/B/C.xlsx", None),
            list("e2", "rejected/A/B/C.xlsx", Some("e1/A/B/C.xlsx")),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let heads = h.exported_heads().unwrap_or_else(|e| panic!("{e}"));
        let named: Vec<(&str, &str)> = heads
            .iter()
            .map(|l| (l.export_id.as_str(), l.list.as_str()))
            .collect();
        assert_eq!(named, [("e1", "A/B/C.xlsx")]);
        assert_eq!(heads[0].unit, ["A", "B", "C"]);
        let rows = h.list_rows("e1", "A/B/C.xlsx").unwrap_or_default();
        assert_eq!(
            rows,
            [
                ("e1/A/B/C.xlsx/2".to_string(), "VX2\nVX12".to_string()),
                ("e1/A/B/C.xlsx/3".to_string(), "VX3\nVX13".to_string()),
            ]
        );
        assert_eq!(split_origin(&rows[1].0), Some(("e1", "A/B/C.xlsx", 3)));
        assert_eq!(split_origin("e1"), None);
        assert_eq!(
            h.row_keys("e1", "A/B/C.xlsx", 3).ok().flatten().as_deref(),
            Some("VX3\nVX13")
        );
        h.record_answers(&[(rows[0].0.clone(), "fixed", day(24))], day(26))
            .unwrap_or_else(|e| panic!("{e}"));
        let answers = h.answers().unwrap_or_default();
        assert_eq!(
            answers.get(&rows[0].0),
            Some(&("fixed".to_string(), day(24)))
        );
    }

    #[test]
    fn sides_stay_open_until_settled() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut h = history(dir.path());
        let side = |origin: &str, party: &str| Side {
            kind: Kind::IdTaken,
            subject: digest(&["001085012345"]),
            origin: origin.into(),
            party: party.into(),
        };
        let (a, b) = (side("e1/x/2", "pa"), side("e2/y/5", "pb"));
        h.settle(&[a.clone(), b.clone()], &[], day(26))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.open_sides().ok(), Some(vec![a.clone(), b.clone()]));
        h.settle(&[], std::slice::from_ref(&b), day(27))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.open_sides().ok(), Some(vec![a.clone()]));
        // Opened again, with another party.
        let b2 = side("e2/y/5", "pc");
        h.settle(std::slice::from_ref(&b2), &[], day(28))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.open_sides().ok(), Some(vec![a, b2]));
        assert_ne!(digest(&["1"]), digest(&["2"]));
        assert_eq!(digest(&["a", "b"]).len(), 24);
    }
}
