//! Findings on their way from the rules to the writers, kept out of memory: each checked batch
//! appends its findings, sorted, as one chunk of a temporary file; at the end the chunks are read
//! back in output order and merged with the cross-record findings. Memory holds only the chunk
//! index, so it does not grow with the number of findings.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::{Finding, FindingView};
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
fn within_sheet(a: &FindingView<'_>, b: &FindingView<'_>) -> std::cmp::Ordering {
    (a.row_order_key(), a.value).cmp(&(b.row_order_key(), b.value))
}

pub(crate) fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// Writes `f`; the row's record id and place only when they are not those of `previous` (the
/// findings of a row come one after the other and share them).
fn encode(f: &Finding, previous: Option<&Finding>, buf: &mut Vec<u8>) {
    buf.extend_from_slice(&f.loc.source.to_le_bytes());
    buf.extend_from_slice(&f.loc.sheet.to_le_bytes());
    buf.extend_from_slice(&f.loc.row.to_le_bytes());
    put_problem(buf, f.field, f.code, f.detail);
    put_str(buf, &f.value);
    put_str(buf, &f.suggestion);
    let same_row = previous.is_some_and(|p| Arc::ptr_eq(&p.row, &f.row) || p.row == f.row);
    buf.push(u8::from(same_row));
    if !same_row {
        for s in [
            &*f.row.record_id,
            &*f.row.province,
            &*f.row.district,
            &*f.row.commune,
        ] {
            put_str(buf, s);
        }
    }
}

/// A finding's field, code and detail, as [`Decoder::problem`] reads them back.
pub(crate) fn put_problem(buf: &mut Vec<u8>, field: Option<Field>, code: Code, detail: Detail) {
    let (tag, a, b) = detail.to_parts();
    buf.push(field.map_or(u8::MAX, |x| x.index() as u8));
    let code = Code::ALL.iter().position(|c| *c == code).unwrap_or(0) as u16;
    buf.extend_from_slice(&code.to_le_bytes());
    buf.push(tag);
    buf.extend_from_slice(&a.to_le_bytes());
    buf.extend_from_slice(&b.to_le_bytes());
}

/// Reads back what [`encode`] wrote.
pub(crate) struct Decoder<'b> {
    pub(crate) buf: &'b [u8],
}

impl<'b> Decoder<'b> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        if self.buf.len() < n {
            return None;
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Some(head)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub(crate) fn string(&mut self) -> Option<Box<str>> {
        std::str::from_utf8(self.bytes()?).ok().map(Box::from)
    }

    /// A text's bytes, borrowed.
    pub(crate) fn bytes(&mut self) -> Option<&'b [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// What [`put_problem`] wrote.
    pub(crate) fn problem(&mut self) -> Option<(Option<Field>, Code, Detail)> {
        let field = *self.take(1)?.first()?;
        let field = Field::ALL.get(usize::from(field)).copied();
        let code = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        let code = *Code::ALL.get(usize::from(code))?;
        let tag = *self.take(1)?.first()?;
        let (a, b) = (self.i64()?, self.i64()?);
        Some((field, code, Detail::from_parts(tag, a, b)?))
    }

    /// What [`encode`] wrote; `previous` is the finding read before it.
    fn finding(&mut self, previous: Option<&FindingView<'b>>) -> Option<FindingView<'b>> {
        let loc = RowLoc {
            source: self.u32()?,
            sheet: self.u32()?,
            row: self.u32()?,
        };
        let (field, code, detail) = self.problem()?;
        let value = self.bytes()?;
        let suggestion = self.bytes()?;
        let (record_id, province, district, commune) = match (*self.take(1)?.first()?, previous) {
            (1, Some(p)) => (p.record_id, p.province, p.district, p.commune),
            (0, _) => (self.bytes()?, self.bytes()?, self.bytes()?, self.bytes()?),
            _ => return None,
        };
        Some(FindingView {
            loc,
            field,
            code,
            detail,
            value,
            suggestion,
            record_id,
            province,
            district,
            commune,
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
        findings.sort_unstable_by(|a, b| within_sheet(&a.view(), &b.view()));
        let mut buf = Vec::with_capacity(findings.len() * 128);
        let mut previous = None;
        for f in &findings {
            encode(f, previous, &mut buf);
            previous = Some(f);
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
                .then_with(|| within_sheet(&a.view(), &b.view()))
        });
        // Each cross-record finding goes with the chunk whose rows it falls among (or before
        // the first chunk): chunks cover disjoint runs of rows, in order.
        let mut segments: Vec<(Option<Chunk>, Vec<Finding>)> = vec![(None, Vec::new())];
        segments.extend(chunks.iter().map(|c| (Some(*c), Vec::new())));
        let mut j = 0;
        for f in extra {
            let key = (rank_of(f.loc.sheet), f.loc.row);
            while j < chunks.len() && (rank_of(chunks[j].sheet), chunks[j].first_row) <= key {
                j += 1;
            }
            segments[j].1.push(f);
        }
        let (mut file, _) = self
            .file
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        file.flush()?;
        Ok(SortedFindings {
            file: Some(file),
            segments,
            rank: rank.to_vec(),
        })
    }
}

/// The findings of a scan in output order, read back from the store.
#[derive(Debug)]
pub struct SortedFindings {
    file: Option<File>,
    /// Runs of findings in order: a stored chunk (if any) and the in-memory findings among it.
    segments: Vec<(Option<Chunk>, Vec<Finding>)>,
    rank: Vec<u32>,
}

/// How many runs are read back and rendered at once: enough for the cores, few enough that
/// memory stays small (a run is one batch's findings, up to a few thousand).
const WINDOW: usize = 8;

fn decode_all(buf: &[u8]) -> std::io::Result<Vec<FindingView<'_>>> {
    let mut d = Decoder { buf };
    let mut out: Vec<FindingView<'_>> = Vec::new();
    while !d.buf.is_empty() {
        match d.finding(out.last()) {
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

impl SortedFindings {
    /// No findings at all.
    pub fn empty() -> SortedFindings {
        SortedFindings {
            file: None,
            segments: Vec::new(),
            rank: Vec::new(),
        }
    }

    /// Hands every finding over in order, in runs: `render` turns a run into bytes (runs are
    /// decoded and rendered in parallel, a window at a time, on another thread), `write` takes
    /// the bytes in order on this one, while the next window is rendered.
    pub fn render_in_order<R, W>(mut self, render: R, mut write: W) -> std::io::Result<()>
    where
        R: Fn(&[FindingView<'_>]) -> Vec<u8> + Sync,
        W: FnMut(&[u8]) -> std::io::Result<()>,
    {
        let rank = std::mem::take(&mut self.rank);
        let segments = std::mem::take(&mut self.segments);
        let mut file = self.file.take();
        let render = &render;
        // One window rendered ahead of the one being written: memory stays two windows.
        let (tx, rx) = crossbeam_channel::bounded::<std::io::Result<Vec<Vec<u8>>>>(1);
        std::thread::scope(|s| {
            s.spawn(move || {
                let mut iter = segments.into_iter().peekable();
                while iter.peek().is_some() {
                    let window: Vec<_> = iter.by_ref().take(WINDOW).collect();
                    let rendered = render_window(window, file.as_mut(), &rank, render);
                    let failed = rendered.is_err();
                    // The writer gone (it failed) or this window failed: stop.
                    if tx.send(rendered).is_err() || failed {
                        break;
                    }
                }
            });
            // Leaving on an error drops the receiver, which stops the renderer.
            for rendered in rx {
                for bytes in rendered? {
                    write(&bytes)?;
                }
            }
            Ok(())
        })
    }
}

/// Reads a window of runs back (in order: one file) and decodes, merges and renders them in
/// parallel.
fn render_window<R>(
    window: Vec<(Option<Chunk>, Vec<Finding>)>,
    mut file: Option<&mut File>,
    rank: &[u32],
    render: &R,
) -> std::io::Result<Vec<Vec<u8>>>
where
    R: Fn(&[FindingView<'_>]) -> Vec<u8> + Sync,
{
    use rayon::prelude::*;
    let rank_of = |f: &FindingView<'_>| rank.get(f.loc.sheet as usize).copied().unwrap_or(u32::MAX);
    let order = |a: &FindingView<'_>, b: &FindingView<'_>| {
        rank_of(a).cmp(&rank_of(b)).then_with(|| within_sheet(a, b))
    };
    let mut raw = Vec::with_capacity(window.len());
    for (chunk, extra) in window {
        let bytes = match (chunk, file.as_deref_mut()) {
            (Some(c), Some(file)) => {
                file.seek(SeekFrom::Start(c.offset))?;
                let mut buf = vec![0u8; c.len as usize];
                file.read_exact(&mut buf)?;
                buf
            }
            _ => Vec::new(),
        };
        raw.push((bytes, extra));
    }
    raw.into_par_iter()
        .map(|(bytes, extra)| {
            let mut run = decode_all(&bytes)?;
            if !extra.is_empty() {
                // Both are in order already: merged, the stored ones first on a tie (as a
                // stable sort of the two one after the other would).
                let stored = std::mem::take(&mut run);
                run.reserve(stored.len() + extra.len());
                let mut extra = extra.iter().map(Finding::view).peekable();
                for f in stored {
                    while let Some(e) = extra.next_if(|e| order(e, &f).is_lt()) {
                        run.push(e);
                    }
                    run.push(f);
                }
                run.extend(extra);
            }
            Ok(render(&run))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::RowInfo;

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
        let sorted = store.into_sorted(extra, &[1, 0])?;
        // Each run rendered as lines "sheet row code record", then read back in order.
        let render = |run: &[FindingView<'_>]| {
            run.iter()
                .map(|x| {
                    format!(
                        "{} {} {} {}\n",
                        x.loc.sheet,
                        x.loc.row,
                        x.code.as_str(),
                        String::from_utf8_lossy(x.record_id)
                    )
                })
                .collect::<String>()
                .into_bytes()
        };
        let mut got = Vec::new();
        sorted.render_in_order(render, |bytes| {
            for line in String::from_utf8_lossy(bytes).lines() {
                let p: Vec<&str> = line.split(' ').collect();
                let code = Code::from_name(p[2]).map_or("", |c| c.as_str());
                got.push((
                    p[0].parse().unwrap_or(9),
                    p[1].parse().unwrap_or(0),
                    code,
                    p[3].to_string(),
                ));
            }
            Ok(())
        })?;
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
    fn a_failing_write_stops_the_rendering_and_is_the_error() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = FindingStore::new(dir.path())?;
        // Many more runs than a window: the renderer is ahead, waiting to hand one over.
        for batch in 0..40u32 {
            store.put(0, batch * 10, vec![f(0, batch * 10, Code::IdMissing, "")])?;
        }
        let sorted = store.into_sorted(Vec::new(), &[0])?;
        let rendered = std::sync::atomic::AtomicUsize::new(0);
        let render = |run: &[FindingView<'_>]| {
            rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            run.iter().map(|x| x.loc.row as u8).collect::<Vec<u8>>()
        };
        let mut written = Vec::new();
        let result = sorted.render_in_order(render, |bytes| {
            if written.len() == 3 {
                return Err(std::io::Error::other("disk full"));
            }
            written.extend_from_slice(bytes);
            Ok(())
        });
        assert_eq!(result.map_err(|e| e.to_string()), Err("disk full".into()));
        assert_eq!(written, [0, 10, 20]);
        // At most the window being written and the one ahead were rendered, not all 40 runs.
        assert!(rendered.into_inner() <= 3 * WINDOW);
        Ok(())
    }

    #[test]
    fn a_finding_survives_the_round_trip() {
        let original = f(3, 9, Code::IdLeadingZeroLost, "79090001234");
        let mut buf = Vec::new();
        encode(&original, None, &mut buf);
        // A second finding of the same row shares its record id and place.
        let mut second = original.clone();
        second.code = Code::IdFormat;
        encode(&second, Some(&original), &mut buf);
        let mut d = Decoder { buf: &buf };
        let back = d.finding(None).expect("decodes");
        assert_eq!(back, original.view());
        assert_eq!(d.finding(Some(&back)), Some(second.view()));
        assert!(d.buf.is_empty());
    }
}
