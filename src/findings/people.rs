//! The people behind the findings, for the subcommands that list people rather than findings
//! (`export-list`). When asked, the scan notes every row it checks: whose row it is, in which
//! unit, how serious its findings are — in memory, about 48 bytes a row — and, written aside in a
//! temporary file, the row's record key, the person's values as found and the row's findings.
//! The lists then read back only the rows of the people they list.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use super::Finding;
use super::store::{Decoder, put_problem, put_str};
use crate::record::shown::ListValues;
use crate::record::{Field, RowLoc};
use crate::rules::{Code, Detail};

/// One checked row, in memory.
#[derive(Debug, Clone, Copy)]
pub struct PersonRow {
    /// The person the row belongs to (rows of one person share it).
    pub person: u64,
    /// The hash of the row's unit (canonical names where recognised).
    pub unit: u64,
    /// Where the row is.
    pub loc: RowLoc,
    /// The most serious finding that can put a person on a list: 0 error, 1 warning, 2 info,
    /// 3 none. Findings on dose fields and on the record key never count.
    pub rank: u8,
    /// The same, counting only findings that need a person: a certain fix
    /// ([`Finding::is_certain`]) is made by `repair` and lists nobody on its own.
    pub needs: u8,
    offset: u64,
    len: u32,
}

/// How serious a finding is for listing its person, or `None` when it cannot list anyone
/// (dose findings, a shared record key — nothing the hamlet team can correct — and findings on
/// the whole row).
pub fn listing_rank(code: Code) -> Option<u8> {
    match code.field() {
        None | Some(Field::DoseDate | Field::DoseNumber | Field::RecordId) => None,
        Some(_) => Some(code.severity() as u8),
    }
}

/// A finding as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFinding {
    /// The field.
    pub field: Option<Field>,
    /// The code.
    pub code: Code,
    /// What the message needs.
    pub detail: Detail,
    /// The cell as found.
    pub value: String,
    /// The right value, if computed.
    pub suggestion: String,
}

impl From<&Finding> for RowFinding {
    fn from(f: &Finding) -> Self {
        RowFinding {
            field: f.field,
            code: f.code,
            detail: f.detail,
            value: f.value.to_string(),
            suggestion: f.suggestion.to_string(),
        }
    }
}

/// One checked row, read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapturedRow {
    /// The platform's record key, as written (may be empty).
    pub record_id: String,
    /// The values a list shows of the person, as found; kept only for rows with findings.
    pub values: Option<ListValues>,
    /// The row's own findings (cross-record ones are added by the reader of the scan result).
    pub findings: Vec<RowFinding>,
}

/// Rows noted by one batch, before they go to the store.
#[derive(Debug, Default)]
pub struct BatchPeople {
    buf: Vec<u8>,
    rows: Vec<PersonRow>,
}

impl BatchPeople {
    /// Notes a row. `values` only for rows with findings.
    pub fn push(
        &mut self,
        person: u64,
        unit: u64,
        loc: RowLoc,
        record_id: &str,
        values: Option<ListValues<&str>>,
        findings: &[Finding],
    ) {
        let start = self.buf.len();
        let buf = &mut self.buf;
        put_str(buf, record_id);
        match values {
            Some(v) => {
                buf.push(1);
                v.cells().into_iter().for_each(|s| put_str(buf, s));
            }
            None => buf.push(0),
        }
        buf.extend_from_slice(&(findings.len() as u32).to_le_bytes());
        let mut rank = 3u8;
        let mut needs = 3u8;
        for f in findings {
            if let Some(r) = listing_rank(f.code) {
                rank = rank.min(r);
                if !f.is_certain() {
                    needs = needs.min(r);
                }
            }
            put_problem(buf, f.field, f.code, f.detail);
            put_str(buf, &f.value);
            put_str(buf, &f.suggestion);
        }
        self.rows.push(PersonRow {
            person,
            unit,
            loc,
            rank,
            needs,
            offset: start as u64,
            len: (self.buf.len() - start) as u32,
        });
    }
}

/// Every checked row of a scan: the index in memory, the rest in a temporary file.
#[derive(Debug)]
pub struct PeopleStore {
    file: Mutex<(File, u64)>,
    rows: Mutex<Vec<PersonRow>>,
}

impl PeopleStore {
    /// A store whose temporary file lives in `dir` (deleted when the store is dropped).
    pub fn new(dir: &Path) -> std::io::Result<PeopleStore> {
        Ok(PeopleStore {
            file: Mutex::new((tempfile::tempfile_in(dir)?, 0)),
            rows: Mutex::new(Vec::new()),
        })
    }

    /// Adds one batch's rows.
    pub fn put(&self, batch: BatchPeople) -> std::io::Result<()> {
        if batch.rows.is_empty() {
            return Ok(());
        }
        let mut guard = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let (file, end) = &mut *guard;
        file.write_all(&batch.buf)?;
        let base = *end;
        *end += batch.buf.len() as u64;
        drop(guard);
        let mut rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        rows.extend(batch.rows.into_iter().map(|mut r| {
            r.offset += base;
            r
        }));
        Ok(())
    }

    /// The rows noted, in no particular order, and a reader for what was written aside.
    pub fn finish(self) -> std::io::Result<(Vec<PersonRow>, RowReader)> {
        let (mut file, _) = self
            .file
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        file.flush()?;
        let rows = self
            .rows
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Ok((rows, RowReader { file }))
    }
}

/// Reads rows back from the store's file; safe to share between threads.
#[derive(Debug)]
pub struct RowReader {
    file: File,
}

fn damaged() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "damaged temporary file of rows",
    )
}

impl RowReader {
    /// What was written aside for `row`.
    pub fn read(&self, row: &PersonRow) -> std::io::Result<CapturedRow> {
        let mut buf = vec![0u8; row.len as usize];
        read_at(&self.file, &mut buf, row.offset)?;
        decode(&buf).ok_or_else(damaged)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

fn decode(buf: &[u8]) -> Option<CapturedRow> {
    let mut d = Decoder { buf };
    let text = |d: &mut Decoder<'_>| d.string().map(String::from);
    let record_id = text(&mut d)?;
    let values = match *d.take(1)?.first()? {
        1 => Some(ListValues::from_cells(|| text(&mut d))?),
        _ => None,
    };
    let n = d.u32()?;
    let mut findings = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let (field, code, detail) = d.problem()?;
        findings.push(RowFinding {
            field,
            code,
            detail,
            value: text(&mut d)?,
            suggestion: text(&mut d)?,
        });
    }
    d.buf.is_empty().then_some(CapturedRow {
        record_id,
        values,
        findings,
    })
}

/// A person on the lists: their rows, the row whose values the list shows, and its unit.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Every row of the person, in output order.
    pub rows: Vec<PersonRow>,
    /// The row whose values are shown: the first with a finding that lists the person.
    pub shown: usize,
    /// The most serious listing finding of the person (see [`PersonRow::rank`]).
    pub rank: u8,
}

impl Listed {
    /// The unit the person is listed in: that of the shown row.
    pub fn unit(&self) -> u64 {
        self.rows.get(self.shown).map_or(0, |r| r.unit)
    }
}

/// Who is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing {
    /// The least serious finding that lists a person: 0 error, 1 warning, 2 info.
    pub threshold: u8,
    /// List people whose only findings are certain fixes too (`--include-repairable`).
    pub repairable: bool,
}

/// The people with a finding at least as serious as `listing.threshold` that needs a person
/// (any finding with `listing.repairable`), in the order of their shown rows. `cross` are the
/// findings made across records (they count too); `order` gives a row's place in the output
/// order.
pub fn list_people<O>(
    mut rows: Vec<PersonRow>,
    cross: &[Finding],
    listing: Listing,
    order: O,
) -> Vec<Listed>
where
    O: Fn(&RowLoc) -> (u32, u32) + Sync,
{
    use rayon::prelude::*;
    use std::collections::HashMap;
    let mut cross_rank: HashMap<RowLoc, u8> = HashMap::new();
    for f in cross {
        if let Some(r) = listing_rank(f.code) {
            let e = cross_rank.entry(f.loc).or_insert(r);
            *e = (*e).min(r);
        }
    }
    if !cross_rank.is_empty() {
        for row in &mut rows {
            if let Some(r) = cross_rank.get(&row.loc) {
                row.rank = row.rank.min(*r);
                row.needs = row.needs.min(*r);
            }
        }
    }
    let threshold = listing.threshold;
    let rank_of = |r: &PersonRow| if listing.repairable { r.rank } else { r.needs };
    rows.par_sort_unstable_by_key(|r| (r.person, order(&r.loc)));
    let mut listed: Vec<Listed> = rows
        .chunk_by(|a, b| a.person == b.person)
        .filter_map(|group| {
            let rank = group.iter().map(rank_of).min()?;
            if rank > threshold {
                return None;
            }
            let shown = group.iter().position(|r| rank_of(r) <= threshold)?;
            Some(Listed {
                rows: group.to_vec(),
                shown,
                rank,
            })
        })
        .collect();
    listed.par_sort_unstable_by_key(|p| p.rows.get(p.shown).map(|r| order(&r.loc)));
    listed
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::findings::RowInfo;
    use crate::record::shown::Shown;

    fn finding(code: Code, value: &str, suggestion: &str) -> Finding {
        Finding {
            loc: RowLoc::default(),
            row: Arc::new(RowInfo::default()),
            field: code.field(),
            code,
            value: value.into(),
            suggestion: suggestion.into(),
            detail: Detail::Digits(11),
        }
    }

    #[test]
    fn rows_come_back_as_written() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = PeopleStore::new(dir.path())?;
        let mut a = BatchPeople::default();
        let loc = |row| RowLoc {
            source: 0,
            sheet: 0,
            row,
        };
        let values = ListValues {
            shown: Shown::from_array(["Lê Văn Á", "01/02/1990", "Nam", "79090001234", ""]),
            address: "Xã A",
        };
        a.push(
            7,
            1,
            loc(2),
            "R2",
            Some(values),
            &[
                finding(Code::IdLeadingZeroLost, "79090001234", "079090001234"),
                finding(Code::NameFormat, "lê văn á", "Lê Văn Á"),
            ],
        );
        a.push(7, 1, loc(3), "", None, &[]);
        let mut b = BatchPeople::default();
        b.push(
            9,
            2,
            loc(9),
            "R9",
            None,
            &[finding(Code::DoseDuplicate, "2", "")],
        );
        store.put(b)?;
        store.put(a)?;
        let (mut rows, reader) = store.finish()?;
        rows.sort_by_key(|r| r.loc);
        assert_eq!(rows.iter().map(|r| r.rank).collect::<Vec<_>>(), [0, 3, 3]);
        let first = reader.read(&rows[0])?;
        assert_eq!(first.record_id, "R2");
        assert_eq!(first.values, Some(values.map(|v| v.to_string())));
        assert_eq!(first.findings.len(), 2);
        assert_eq!(first.findings[0].suggestion, "079090001234");
        assert_eq!(first.findings[1].code, Code::NameFormat);
        let second = reader.read(&rows[1])?;
        assert_eq!(second, CapturedRow::default());
        let third = reader.read(&rows[2])?;
        assert_eq!(third.record_id, "R9");
        assert_eq!(third.findings[0].code, Code::DoseDuplicate);
        Ok(())
    }

    const ERRORS: Listing = Listing {
        threshold: 0,
        repairable: false,
    };

    fn row(person: u64, line: u32, rank: u8) -> PersonRow {
        PersonRow {
            person,
            unit: person % 2,
            loc: RowLoc {
                source: 0,
                sheet: 0,
                row: line,
            },
            rank,
            needs: rank,
            offset: 0,
            len: 0,
        }
    }

    #[test]
    fn people_whose_only_errors_are_certain_fixes_are_listed_only_when_asked() {
        let mut repairable = row(5, 2, 0);
        repairable.needs = 3;
        let mut both = row(6, 3, 0);
        both.needs = 1;
        let rows = vec![repairable, both, row(7, 4, 0)];
        let order = |l: &RowLoc| (l.sheet, l.row);
        let people = |listing| {
            list_people(rows.clone(), &[], listing, order)
                .iter()
                .map(|p| p.rows[0].person)
                .collect::<Vec<_>>()
        };
        assert_eq!(people(ERRORS), [7]);
        let warnings = Listing {
            threshold: 1,
            ..ERRORS
        };
        assert_eq!(people(warnings), [6, 7]);
        let all = Listing {
            repairable: true,
            ..ERRORS
        };
        assert_eq!(people(all), [5, 6, 7]);
    }

    #[test]
    fn a_certain_finding_does_not_count_towards_needing_a_person() {
        let values: ListValues<&str> = ListValues::default();
        let mut batch = BatchPeople::default();
        let zero = finding(Code::IdLeadingZeroLost, "79090001234", "079090001234");
        let unsure = finding(Code::IdLeadingZeroLost, "123", "");
        batch.push(
            1,
            0,
            RowLoc::default(),
            "R1",
            Some(values),
            std::slice::from_ref(&zero),
        );
        batch.push(2, 0, RowLoc::default(), "R2", Some(values), &[unsure]);
        batch.push(
            3,
            0,
            RowLoc::default(),
            "R3",
            Some(values),
            &[zero, finding(Code::IdGenderMismatch, "Nam", "")],
        );
        let ranks: Vec<(u8, u8)> = batch.rows.iter().map(|r| (r.rank, r.needs)).collect();
        assert_eq!(ranks, [(0, 3), (0, 0), (0, 0)]);
    }

    #[test]
    fn people_are_listed_once_by_their_most_serious_finding() {
        let rows = vec![
            row(5, 9, 3),
            row(5, 4, 3),
            row(5, 6, 0),
            row(8, 2, 1),
            row(8, 3, 3),
            row(9, 1, 2),
            row(11, 7, 3),
        ];
        let order = |l: &RowLoc| (l.sheet, l.row);
        let errors = list_people(rows.clone(), &[], ERRORS, order);
        assert_eq!(errors.len(), 1);
        let p = &errors[0];
        assert_eq!(
            p.rows.iter().map(|r| r.loc.row).collect::<Vec<_>>(),
            [4, 6, 9]
        );
        assert_eq!((p.shown, p.rank, p.unit()), (1, 0, 1));
        let warnings = list_people(
            rows.clone(),
            &[],
            Listing {
                threshold: 1,
                ..ERRORS
            },
            order,
        );
        assert_eq!(
            warnings
                .iter()
                .map(|p| p.rows[p.shown].loc.row)
                .collect::<Vec<_>>(),
            [2, 6]
        );
        // A cross-record finding lists the person of its row.
        let mut conflict = finding(Code::IdDuplicateConflict, "x", "");
        conflict.loc = rows[6].loc;
        let with_cross = list_people(rows, &[conflict], ERRORS, order);
        assert_eq!(
            with_cross
                .iter()
                .map(|p| p.rows[0].person)
                .collect::<Vec<_>>(),
            [5, 11]
        );
    }

    #[test]
    fn only_person_fields_list_people() {
        assert_eq!(listing_rank(Code::IdMissing), Some(0));
        assert_eq!(listing_rank(Code::PhoneInvalid), Some(1));
        assert_eq!(listing_rank(Code::NameFormat), Some(2));
        assert_eq!(listing_rank(Code::DoseDuplicate), None);
        assert_eq!(listing_rank(Code::DoseDateInvalid), None);
        assert_eq!(listing_rank(Code::RowRagged), None);
    }
}
