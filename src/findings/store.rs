//! Findings on their way from the rules to the writers, kept out of memory: each checked batch
//! appends its findings, sorted, as one chunk of a temporary file; at the end the chunks are read
//! back in output order and merged with the cross-record findings. Memory holds only the chunk
//! index, so it does not grow with the number of findings.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::{Finding, RowInfo};
use crate::record::{Field, RowLoc};
use crate::rules::{Code, Detail};

/// Where one batch's findings are in the temporary file.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    sheet: u32,
    first_row: u32,
    offset: u64,
    len: u64,
}

/// Findings written aside, chunk by chunk.
#[derive(Debug)]
pub struct FindingStore {
    file: Mutex<(File, u64)>,
    chunks: Mutex<Vec<Chunk>>,
}

/// The order of findings in a sheet: row, field, code, value.
fn within_sheet(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.row_order_key(), &a.value).cmp(&(b.row_order_key(), &b.value))
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn encode(f: &Finding, buf: &mut Vec<u8>) {
    let (tag, a, b) = f.detail.to_parts();
    buf.extend_from_slice(&f.loc.source.to_le_bytes());
    buf.extend_from_slice(&f.loc.sheet.to_le_bytes());
    buf.extend_from_slice(&f.loc.row.to_le_bytes());
    buf.push(f.field.map_or(u8::MAX, |x| x.index() as u8));
    let code = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0) as u16;
    buf.extend_from_slice(&code.to_le_bytes());
    buf.push(tag);
    buf.extend_from_slice(&a.to_le_bytes());
    buf.extend_from_slice(&b.to_le_bytes());
    for s in [
        &*f.value,
        &*f.suggestion,
        &*f.row.record_id,
        &*f.row.province,
        &*f.row.district,
        &*f.row.commune,
    ] {
        put_str(buf, s);
    }
}

/// Reads back what [`encode`] wrote.
struct Decoder<'b> {
    buf: &'b [u8],
}

impl Decoder<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.buf.len() < n {
            return None;
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn string(&mut self) -> Option<Box<str>> {
        let n = self.u32()? as usize;
        let bytes = self.take(n)?;
        Some(String::from_utf8_lossy(bytes).into())
    }

    fn finding(&mut self) -> Option<Finding> {
        let loc = RowLoc {
            source: self.u32()?,
            sheet: self.u32()?,
            row: self.u32()?,
        };
        let field = *self.take(1)?.first()?;
        let field = Field::ALL.get(usize::from(field)).copied();
        let code = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        let code = *Code::ALL.get(usize::from(code))?;
        let tag = *self.take(1)?.first()?;
        let (a, b) = (self.i64()?, self.i64()?);
        let detail = Detail::from_parts(tag, a, b)?;
        let value = self.string()?;
        let suggestion = self.string()?;
        let row = RowInfo {
            record_id: self.string()?,
            province: self.string()?,
            district: self.string()?,
            commune: self.string()?,
        };
        Some(Finding {
            loc,
            row: Arc::new(row),
            field,
            code,
            value,
            suggestion,
            detail,
        })
    }
}

impl FindingStore {
    /// A store whose temporary file lives in `dir` (deleted when the store is dropped).
    pub fn new(dir: &Path) -> std::io::Result<FindingStore> {
        let file = tempfile::tempfile_in(dir)?;
        Ok(FindingStore {
            file: Mutex::new((file, 0)),
            chunks: Mutex::new(Vec::new()),
        })
    }

    /// Stores the findings of one batch: rows `first_row..` of one sheet, no other batch holding
    /// rows of that sheet in between.
    pub fn put(
        &self,
        sheet: u32,
        first_row: u32,
        mut findings: Vec<Finding>,
    ) -> std::io::Result<()> {
        if findings.is_empty() {
            return Ok(());
        }
        findings.sort_unstable_by(within_sheet);
        let mut buf = Vec::with_capacity(findings.len() * 128);
        for f in &findings {
            encode(f, &mut buf);
        }
        let mut guard = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let (file, end) = &mut *guard;
        file.write_all(&buf)?;
        let chunk = Chunk {
            sheet,
            first_row,
            offset: *end,
            len: buf.len() as u64,
        };
        *end += buf.len() as u64;
        drop(guard);
        self.chunks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(chunk);
        Ok(())
    }

    /// Every finding in output order — sheets by `rank`, then row, field, code — with `extra`
    /// (findings kept in memory, such as the cross-record ones) merged in.
    pub fn into_sorted(
        self,
        mut extra: Vec<Finding>,
        rank: &[u32],
    ) -> std::io::Result<SortedFindings> {
        let rank_of = |sheet: u32| rank.get(sheet as usize).copied().unwrap_or(u32::MAX);
        let mut chunks = self
            .chunks
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        chunks.sort_unstable_by_key(|c| (rank_of(c.sheet), c.first_row));
        extra.sort_unstable_by(|a, b| {
            rank_of(a.loc.sheet)
                .cmp(&rank_of(b.loc.sheet))
                .then_with(|| within_sheet(a, b))
        });
        let (mut file, _) = self
            .file
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        file.flush()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(SortedFindings {
            file: BufReader::new(file),
            chunks: chunks.into_iter(),
            current: Vec::new().into_iter(),
            extra: extra.into_iter().peekable(),
            rank: rank.to_vec(),
            pos: 0,
        })
    }
}

/// The findings of a scan in output order, read back from the store.
#[derive(Debug)]
pub struct SortedFindings {
    file: BufReader<File>,
    chunks: std::vec::IntoIter<Chunk>,
    current: std::vec::IntoIter<Finding>,
    extra: std::iter::Peekable<std::vec::IntoIter<Finding>>,
    rank: Vec<u32>,
    pos: u64,
}

impl SortedFindings {
    fn load(&mut self, chunk: Chunk) -> std::io::Result<Vec<Finding>> {
        if chunk.offset != self.pos {
            self.file.seek(SeekFrom::Start(chunk.offset))?;
        }
        let mut buf = vec![0u8; chunk.len as usize];
        self.file.read_exact(&mut buf)?;
        self.pos = chunk.offset + chunk.len;
        let mut d = Decoder { buf: &buf };
        let mut out = Vec::new();
        while !d.buf.is_empty() {
            match d.finding() {
                Some(f) => out.push(f),
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "damaged temporary findings file",
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The next finding, or an error if the temporary file could not be read back.
    pub fn next_finding(&mut self) -> std::io::Result<Option<Finding>> {
        if self.current.as_slice().is_empty()
            && let Some(chunk) = self.chunks.next()
        {
            self.current = self.load(chunk)?.into_iter();
        }
        let rank = &self.rank;
        let rank_of = |f: &Finding| rank.get(f.loc.sheet as usize).copied().unwrap_or(u32::MAX);
        let take_extra = match (self.current.as_slice().first(), self.extra.peek()) {
            (None, None) => return Ok(None),
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(c), Some(e)) => {
                (rank_of(e), e.row_order_key(), &e.value)
                    < (rank_of(c), c.row_order_key(), &c.value)
            }
        };
        Ok(if take_extra {
            self.extra.next()
        } else {
            self.current.next()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(sheet: u32, row: u32, code: Code, value: &str) -> Finding {
        Finding {
            loc: RowLoc {
                source: 0,
                sheet,
                row,
            },
            row: Arc::new(RowInfo {
                record_id: format!("R{row}").into(),
                province: "Tỉnh A".into(),
                district: "".into(),
                commune: "Xã B".into(),
            }),
            field: code.field(),
            code,
            value: value.into(),
            suggestion: "s".into(),
            detail: Detail::Digits(11),
        }
    }

    #[test]
    fn chunks_come_back_sorted_and_merged() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = FindingStore::new(dir.path())?;
        // Sheet 1 ranks before sheet 0; batches arrive out of order.
        store.put(
            0,
            100,
            vec![
                f(0, 101, Code::IdMissing, ""),
                f(0, 100, Code::IdFormat, "x"),
            ],
        )?;
        store.put(1, 2, vec![f(1, 5, Code::IdPlaceholder, "0")])?;
        store.put(
            0,
            2,
            vec![
                f(0, 3, Code::IdGenderMismatch, "Nam"),
                f(0, 3, Code::IdFormat, "y"),
            ],
        )?;
        let extra = vec![
            f(0, 3, Code::IdDuplicateConflict, "y"),
            f(1, 1, Code::IdDuplicateConflict, "z"),
        ];
        let mut sorted = store.into_sorted(extra, &[1, 0])?;
        let mut got = Vec::new();
        while let Some(x) = sorted.next_finding()? {
            got.push((
                x.loc.sheet,
                x.loc.row,
                x.code.as_str(),
                x.row.record_id.to_string(),
            ));
        }
        let want = vec![
            (1, 1, "ID_DUPLICATE_CONFLICT", "R1".to_string()),
            (1, 5, "ID_PLACEHOLDER", "R5".to_string()),
            (0, 3, "ID_GENDER_MISMATCH", "R3".to_string()),
            (0, 3, "ID_DUPLICATE_CONFLICT", "R3".to_string()),
            (0, 3, "ID_FORMAT", "R3".to_string()),
            (0, 100, "ID_FORMAT", "R100".to_string()),
            (0, 101, "ID_MISSING", "R101".to_string()),
        ];
        assert_eq!(got, want);
        Ok(())
    }

    #[test]
    fn a_finding_survives_the_round_trip() {
        let original = f(3, 9, Code::IdLeadingZeroLost, "79090001234");
        let mut buf = Vec::new();
        encode(&original, &mut buf);
        let back = Decoder { buf: &buf }.finding().expect("decodes");
        assert_eq!(back.loc, original.loc);
        assert_eq!(back.code, original.code);
        assert_eq!(back.field, original.field);
        assert_eq!(back.detail, original.detail);
        assert_eq!(back.value, original.value);
        assert_eq!(*back.row, *original.row);
    }
}
