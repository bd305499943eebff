//! CSV, TSV and TXT dumps: encoding decided once per file (UTF-8 with or without BOM, UTF-16 by
//! BOM or by its zero bytes, Windows-1258 when the start of the file reads better so than as
//! UTF-8), delimiter sniffing (`,` `;` tab `|`), header detection, then the text streamed in
//! chunks of whole records: the reader thread only reads, hashes and finds where records end
//! ([`last_record_end`]); each checking thread parses its own chunk a record at a time
//! ([`CsvBatch::for_each_record`], which reads as the csv crate does). Ragged rows are left to
//! the checkers, which report and skip them. Two records cannot be cut, and are reported on
//! their line instead of read: a quote left open at the end of the file (the csv crate would read
//! the rest of the file as one field), and a record longer than [`MAX_RECORD_BYTES`]; reading
//! resumes on the line after the one the record starts on. Both are found where chunks are cut,
//! never byte by byte.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Cursor, Read};
use std::sync::{Arc, OnceLock};

use crate::record::{Cell, CellRef, FIELD_COUNT};
use csv::ByteRecord;

pub use super::encoding::{
    TextEncoding, decode_field, decode_windows_1258, encode_windows_1258, sniff_delimiter,
    sniff_encoding,
};
use super::{
    Batch, InputError, InputFile, ReadOptions, Rows, SheetCtx, SheetInfo, Sink, find_header,
    header::HEADER_SEARCH_ROWS, mapped_names,
};

const SAMPLE_BYTES: usize = 64 * 1024;

/// The reader thread hands the text over in chunks of about this many bytes (some 4,500 rows of a
/// platform dump), cut at the end of a record; a record longer than that makes its chunk longer.
const CHUNK_BYTES: usize = 1 << 20;

/// The longest record read (16 MiB; a platform record is well under 1 KiB, and Excel's longest
/// cell is 32,767 characters). A longer one is reported on its line and skipped, so that the
/// reader never holds more than this of one record.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// Whole records of a CSV file as read, not yet parsed: cut by the reader thread at the end of a
/// record, parsed by the thread that checks them ([`CsvBatch::for_each_record`]).
#[derive(Debug, Clone)]
pub struct CsvChunk {
    /// The text is `buf[..len]`; the rest is room kept for when the buffer is reused.
    buf: Vec<u8>,
    len: usize,
    /// The line the chunk starts on, as the csv crate counts it for the first record.
    first_line: u32,
    /// The file's delimiter.
    delimiter: u8,
    /// The file is Windows-1258: every field is decoded from it.
    windows_1258: bool,
}

impl CsvChunk {
    /// A chunk of `text` (whole records) read with `delimiter`, starting on line `first_line`.
    pub fn new(text: &[u8], delimiter: u8, first_line: u32) -> CsvChunk {
        CsvChunk {
            buf: text.to_vec(),
            len: text.len(),
            first_line,
            delimiter,
            windows_1258: false,
        }
    }

    /// The same, of a file in Windows-1258.
    pub fn windows_1258(mut self) -> CsvChunk {
        self.windows_1258 = true;
        self
    }

    /// The text.
    pub fn text(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The line its first record starts on.
    pub fn first_line(&self) -> u32 {
        self.first_line
    }

    /// The buffer, for reuse.
    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }
}

/// Where the last record that ends in `text` ends (just after its '\n'), reading as the csv
/// crate does: a quote opens a quoted field only at the start of a field, a '\n' between quotes is
/// text, and a '\n' right after another (a blank line, skipped) ends no record. `text` starts at
/// the start of a record. `None` when no record ends in it.
pub fn last_record_end(text: &[u8], delimiter: u8) -> Option<usize> {
    scan_ends(text, delimiter).0
}

/// Where the record starts that a quote left open at the end of `text` swallows (the end of the
/// record before it, blank lines not skipped), when `text` is the rest of a file and ends inside
/// a quoted field; `None` when every quote that opens closes.
pub fn unterminated_record(text: &[u8], delimiter: u8) -> Option<usize> {
    match scan_ends(text, delimiter) {
        (end, true) => Some(end.unwrap_or(0)),
        (_, false) => None,
    }
}

/// Where a record the reader skips ends, in `text` which starts where the record does: after the
/// blank lines before it and the first line of the record itself. Also how many line ends that
/// is. `None` when the line does not end in `text`.
pub fn broken_record_end(text: &[u8]) -> Option<(usize, u32)> {
    let blank = text.iter().take_while(|&&b| b == b'\n').count();
    let end = memchr::memchr(b'\n', text.get(blank..)?)? + blank + 1;
    Some((end, u32::try_from(blank + 1).unwrap_or(u32::MAX)))
}

/// [`last_record_end`], and whether `text` ends inside a quoted field (its closing quote never
/// came).
fn scan_ends(text: &[u8], delimiter: u8) -> (Option<usize>, bool) {
    // Records ending in text[from..to], which is all outside quotes.
    let ends_in = |from: usize, to: usize| {
        memchr::memrchr_iter(b'\n', text.get(from..to).unwrap_or_default())
            .map(|i| from + i)
            .find(|&i| i > 0 && text.get(i - 1) != Some(&b'\n'))
            .map(|i| i + 1)
    };
    let mut best = None;
    // Outside quotes from `from`; the next quote is looked for from `pos`.
    let (mut from, mut pos) = (0, 0);
    loop {
        let Some(q) = memchr::memchr(b'"', text.get(pos..).unwrap_or_default()).map(|i| pos + i)
        else {
            return (ends_in(from, text.len()).or(best), false);
        };
        let opens = q == 0 || matches!(text.get(q - 1), Some(&b) if b == delimiter || b == b'\n');
        if !opens {
            pos = q + 1;
            continue;
        }
        best = ends_in(from, q).or(best);
        // The field ends at a quote that is not followed by another.
        let mut p = q + 1;
        loop {
            let Some(c) = memchr::memchr(b'"', text.get(p..).unwrap_or_default()).map(|i| p + i)
            else {
                return (best, true);
            };
            match text.get(c + 1) {
                // The next byte, not read yet, decides (at the end of the file: it closes).
                None => return (best, false),
                Some(b'"') => p = c + 2,
                Some(_) => {
                    (from, pos) = (c + 1, c + 1);
                    break;
                }
            }
        }
    }
}

/// A record the reader could not cut, reported on its line and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenRecord {
    /// The line the record starts on (as the csv crate counts it).
    pub line: u32,
    /// What is wrong with it.
    pub kind: Broken,
}

/// What is wrong with a [`BrokenRecord`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    /// A quote opened on this line is never closed: the record would run to the end of the file
    /// (or past [`MAX_RECORD_BYTES`]).
    UnterminatedQuote,
    /// The record is longer than [`MAX_RECORD_BYTES`].
    TooLong,
}

/// The chunk's text as UTF-8, when it is (checked once for the chunk, not per record); `None`
/// in a Windows-1258 file.
fn text_of(chunk: &CsvChunk) -> Option<&str> {
    if chunk.windows_1258 {
        None
    } else {
        simdutf8::basic::from_utf8(chunk.text()).ok()
    }
}

/// Marks a field whose text is in the batch's `extra` buffer rather than in the chunk.
const EXTRA: usize = 1 << (usize::BITS - 1);

/// The records of one chunk: where each field is in the chunk's text. Filled by the thread that
/// checks the chunk, and reused from chunk to chunk.
///
/// Fields are found by searching for the delimiter, the line end and the quote sixteen bytes at a
/// time ([`split_plain_line`]; `memchr` in the rare records with quotes), reading exactly
/// as the csv crate does with [`reader_builder`]'s settings — a quote opens a quoted field only at
/// the start of a field, `""` inside quotes is one quote, text after a closing quote joins the
/// field, blank lines are skipped, a record's line is where the record before it ended — which
/// the tests check against the csv crate on generated text. It reads the quote-free fields of a
/// dump several times faster than the csv crate's byte-by-byte parser and copies nothing.
#[derive(Debug, Default)]
pub struct CsvBatch {
    /// Text of the quoted fields that differ from what is between their quotes (a doubled
    /// quote, text after the closing quote).
    extra: Vec<u8>,
    /// Per field of the record being read: start and end in the chunk's text, or in `extra`
    /// (both marked [`EXTRA`]).
    fields: Vec<(usize, usize)>,
}

/// One record of a [`CsvBatch`].
#[derive(Debug, Clone, Copy)]
pub struct CsvRecord<'b> {
    text: &'b [u8],
    /// The chunk's text, when it is all UTF-8 (checked once for the chunk, not per record).
    text_str: Option<&'b str>,
    /// The file is Windows-1258.
    windows_1258: bool,
    extra: &'b [u8],
    fields: &'b [(usize, usize)],
    /// Where the record is in `text`.
    start: usize,
    end: usize,
    line: u32,
}

impl CsvBatch {
    /// Calls `f` with each record of `chunk`, in order, one record at a time: a record is cut
    /// and checked while its text is still in the core's nearest cache, and the fields of one
    /// record are all the batch keeps.
    pub fn for_each_record(&mut self, chunk: &CsvChunk, mut f: impl FnMut(&CsvRecord<'_>)) {
        let text = chunk.text();
        let text_str = text_of(chunk);
        let (mut i, mut line) = (0, chunk.first_line);
        self.extra.clear();
        loop {
            self.fields.clear();
            let Some((at, start)) = self.next_record(text, chunk.delimiter, &mut i, &mut line)
            else {
                break;
            };
            f(&CsvRecord {
                text,
                text_str,
                windows_1258: chunk.windows_1258,
                extra: &self.extra,
                fields: &self.fields,
                start,
                end: i,
                line: at,
            });
        }
    }

    /// Cuts the record that starts at `i` (after any blank lines) into fields, pushed onto
    /// `fields`; moves `i` past it and `line` to where the next one starts. Gives the record's
    /// line and where it starts, or `None` at the end of `text`.
    fn next_record(
        &mut self,
        text: &[u8],
        delimiter: u8,
        i: &mut usize,
        line: &mut u32,
    ) -> Option<(u32, usize)> {
        let n = text.len();
        // A record is placed where the one before it ended, blank lines included.
        let at = *line;
        while text.get(*i) == Some(&b'\n') {
            *i += 1;
            *line = line.saturating_add(1);
        }
        if *i >= n {
            return None;
        }
        let start = *i;
        let mut quoted = false;
        let plain = if delimiter != b'\n' && delimiter != b'"' {
            split_plain_line(text, start, delimiter, &mut self.fields)
        } else {
            None
        };
        if let Some(line_end) = plain {
            // Most records: one line without a quote, its fields cut at each delimiter.
            *i = (line_end + 1).min(n);
        } else {
            self.fields.clear();
            loop {
                // `i` is at the start of a field.
                if text.get(*i) == Some(&b'"') {
                    quoted = true;
                    *i = self.quoted(text, *i, delimiter);
                } else {
                    let rest = text.get(*i..).unwrap_or_default();
                    let end = memchr::memchr2(delimiter, b'\n', rest).map_or(n, |k| *i + k);
                    self.fields.push((*i, end));
                    *i = end;
                }
                match text.get(*i) {
                    Some(&b) if b == delimiter => {
                        *i += 1;
                        if *i == n {
                            // A delimiter at the very end leaves a last, empty field.
                            self.fields.push((n, n));
                            break;
                        }
                    }
                    // The line end.
                    Some(_) => {
                        *i += 1;
                        break;
                    }
                    None => break,
                }
            }
        }
        let record = text.get(start..*i).unwrap_or_default();
        let newlines = if quoted {
            memchr::memchr_iter(b'\n', record).count()
        } else {
            usize::from(record.last() == Some(&b'\n'))
        };
        *line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        Some((at, start))
    }

    /// Reads the quoted field that opens at `open`; returns where it ends (at the delimiter, the
    /// line end or the end of the text that follows it).
    fn quoted(&mut self, text: &[u8], open: usize, delimiter: u8) -> usize {
        let n = text.len();
        // Where its text starts in `extra`, once it has to be copied there.
        let mut copied: Option<usize> = None;
        let (mut from, mut piece) = (open + 1, open + 1);
        let (content_end, after) = loop {
            let rest = text.get(from..).unwrap_or_default();
            let Some(q) = memchr::memchr(b'"', rest).map(|k| from + k) else {
                // Never closed: the field runs to the end of the text.
                break (n, n);
            };
            if text.get(q + 1) == Some(&b'"') {
                // A doubled quote is one quote.
                copied.get_or_insert(self.extra.len());
                self.extra
                    .extend_from_slice(text.get(piece..=q).unwrap_or_default());
                (from, piece) = (q + 2, q + 2);
                continue;
            }
            break (q, q + 1);
        };
        // Text after the closing quote, up to the delimiter or the line end, joins the field.
        let tail_end = match text.get(after) {
            Some(&b) if b != delimiter && b != b'\n' => {
                let rest = text.get(after..).unwrap_or_default();
                memchr::memchr2(delimiter, b'\n', rest).map_or(n, |k| after + k)
            }
            _ => after,
        };
        if copied.is_none() && tail_end == after {
            self.fields.push((open + 1, content_end));
        } else {
            let start = *copied.get_or_insert(self.extra.len());
            self.extra
                .extend_from_slice(text.get(piece..content_end).unwrap_or_default());
            self.extra
                .extend_from_slice(text.get(after..tail_end).unwrap_or_default());
            self.fields.push((start | EXTRA, self.extra.len() | EXTRA));
        }
        tail_end
    }
}

/// Cuts the record that starts at `start` in `text` when it is one line without a quote (most
/// records of a dump): pushes its fields, cut at every `delimiter` up to the line end (or the end
/// of `text`), as the field loop of `CsvBatch::next_record` cuts them, and gives where the line
/// ends. Gives `None` as soon as a quote comes before the line end: the record is then read field
/// by field, and the fields pushed so far are to be dropped.
///
/// Sixteen bytes at a time: each block is compared with the delimiter, the line end and the quote
/// at once (SSE2 on x86-64, NEON on ARM, plain code elsewhere, through `wide`), and the fields are
/// read from the bits of the matches, so that a line is looked at once, not once for its end, once
/// for quotes and once for its delimiters.
fn split_plain_line(
    text: &[u8],
    start: usize,
    delimiter: u8,
    fields: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    use wide::u8x16;
    let (delim, newline, quote) = (
        u8x16::splat(delimiter),
        u8x16::splat(b'\n'),
        u8x16::splat(b'"'),
    );
    let n = text.len();
    let (mut at, mut field) = (start, start);
    loop {
        // The block at `at`; the last one, shorter, is filled out with line ends.
        let block = match text.get(at..at + 16) {
            Some(b) => <[u8; 16]>::try_from(b).ok()?,
            None => {
                let rest = text.get(at..).unwrap_or_default();
                let mut b = [b'\n'; 16];
                b.get_mut(..rest.len())?.copy_from_slice(rest);
                b
            }
        };
        let v = u8x16::new(block);
        let delimiters = v.simd_eq(delim).to_bitmask();
        let ends = v.simd_eq(newline).to_bitmask();
        // The bits before the line end, if it is in this block.
        let before = (ends & ends.wrapping_neg()).wrapping_sub(1);
        if v.simd_eq(quote).to_bitmask() & before != 0 {
            return None;
        }
        let mut cuts = delimiters & before;
        while cuts != 0 {
            let end = at + cuts.trailing_zeros() as usize;
            fields.push((field, end));
            field = end + 1;
            cuts &= cuts - 1;
        }
        if ends != 0 {
            let end = (at + ends.trailing_zeros() as usize).min(n);
            fields.push((field, end));
            return Some(end);
        }
        at += 16;
    }
}

impl<'b> CsvRecord<'b> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether it has no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The line of the file the record starts on (as the csv crate counts it).
    pub fn line(&self) -> u32 {
        self.line
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&'b [u8]> {
        let &(start, end) = self.fields.get(i)?;
        if start & EXTRA == 0 {
            self.text.get(start..end)
        } else {
            self.extra.get(start & !EXTRA..end & !EXTRA)
        }
    }

    /// The record as written in the file (quotes, delimiters, line end).
    pub fn raw(&self) -> &'b [u8] {
        self.text.get(self.start..self.end).unwrap_or_default()
    }

    /// Where field `i` starts in [`CsvRecord::raw`], when it is a part of it (not for a quoted
    /// field whose text had to be rewritten).
    fn offset_in_raw(&self, i: usize) -> Option<usize> {
        let &(start, _) = self.fields.get(i)?;
        (start & EXTRA == 0).then(|| start.checked_sub(self.start))?
    }

    /// The fields.
    pub fn iter(&self) -> impl Iterator<Item = &'b [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Field `i`, without the '\r' of a CRLF line end (as [`field`]).
    pub fn field(&self, i: usize) -> Option<&'b [u8]> {
        Some(without_cr(self.get(i)?, i + 1 == self.len()))
    }
}

/// Field `i` of a record, without the '\r' of a CRLF line end.
pub fn field(rec: &ByteRecord, i: usize) -> Option<&[u8]> {
    Some(without_cr(rec.get(i)?, i + 1 == rec.len()))
}

/// A field without the '\r' a CRLF line end leaves at the end of a record's `last` field (records
/// end at '\n', see [`reader_builder`]).
fn without_cr(f: &[u8], last: bool) -> &[u8] {
    if last {
        f.strip_suffix(b"\r").unwrap_or(f)
    } else {
        f
    }
}

/// The cells of a record for the fields that have a column, in canonical order. The record is
/// checked as UTF-8 once (with its whole chunk, usually), then each field is sliced out of it (a
/// field split at ASCII delimiters from valid UTF-8 is valid UTF-8); a field that is not UTF-8 is
/// read as Windows-1258. In a Windows-1258 file every field is read as Windows-1258.
pub fn record_cells<'r>(
    rec: &CsvRecord<'r>,
    columns: &[Option<usize>; FIELD_COUNT],
) -> [CellRef<'r>; FIELD_COUNT] {
    let whole = match rec.text_str {
        Some(all) => all.get(rec.start..rec.end),
        None if rec.windows_1258 => None,
        None => simdutf8::basic::from_utf8(rec.raw()).ok(),
    };
    let decode = if rec.windows_1258 {
        decode_windows_1258
    } else {
        decode_field
    };
    let mut cells: [CellRef<'r>; FIELD_COUNT] = Default::default();
    let last = rec.len().wrapping_sub(1);
    for (cell, col) in cells.iter_mut().zip(columns) {
        let Some(c) = *col else {
            continue;
        };
        // Most fields: in a chunk that is all UTF-8, sliced straight out of it.
        if let (Some(all), Some(&(start, end))) = (rec.text_str, rec.fields.get(c)) {
            let end = if c == last && end > start && rec.text.get(end - 1) == Some(&b'\r') {
                end - 1
            } else {
                end
            };
            if let Some(text) = all.get(start..end).filter(|_| start & EXTRA == 0) {
                if !crate::record::trim(text).is_empty() {
                    *cell = Cell::Text(Cow::Borrowed(text));
                }
                continue;
            }
        }
        let Some(bytes) = rec.field(c) else {
            continue;
        };
        // Slicing checks that the field starts and ends on character boundaries.
        let text = whole
            .zip(rec.offset_in_raw(c))
            .and_then(|(w, at)| w.get(at..at + bytes.len()))
            .map_or_else(|| decode(bytes), Cow::Borrowed);
        if !crate::record::trim(&text).is_empty() {
            *cell = Cell::Text(text);
        }
    }
    cells
}

fn unreadable(file: &InputFile, e: impl std::fmt::Display) -> InputError {
    InputError::Unreadable {
        path: file.display.clone(),
        cause: e.to_string(),
    }
}

/// How every CSV dump is read, so that records and line numbers agree wherever they are read:
/// no header row, ragged rows allowed.
pub fn reader_builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Records end at '\n' only: with CRLF the csv crate reports each record one line early.
        // The '\r' left at the end of the last field is dropped by `field`.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(256 * 1024);
    b
}

/// Hashes the bytes read through it; the SHA-256 is handed over once the end of the file is
/// read, so that the input is read once for both the rows and the summary's hash.
struct Hashing<R> {
    inner: R,
    sha: Option<sha2::Sha256>,
    digest: Arc<OnceLock<String>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        if n == 0 {
            if let Some(sha) = self.sha.take() {
                let _ = self.digest.set(crate::util::hex(&sha.finalize()));
            }
        } else if let Some(sha) = &mut self.sha {
            sha.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Reads a CSV input into `sink`.
pub fn read(
    file: &InputFile,
    source: u32,
    opts: &ReadOptions,
    sink: &dyn Sink,
) -> Result<(), InputError> {
    let digest = Arc::new(OnceLock::new());
    let mut f = Hashing {
        inner: File::open(&file.path).map_err(|e| InputError::Open {
            path: file.display.clone(),
            cause: e.to_string(),
        })?,
        sha: Some(<sha2::Sha256 as sha2::Digest>::new()),
        digest: digest.clone(),
    };
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut f)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| unreadable(file, e))?;
    let encoding = sniff_encoding(&sample);
    let default_delim = if file
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
    {
        b'\t'
    } else {
        b','
    };
    let (mut reader, delimiter): (Box<dyn Read + Send>, u8) = match encoding {
        TextEncoding::Utf16(enc) => {
            let (text, _, _) = enc.decode(&sample);
            let delimiter = sniff_delimiter(&text, default_delim);
            // From the first byte again, without a second read of the file.
            let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(enc))
                .bom_override(true)
                .build(Cursor::new(sample).chain(f));
            (Box::new(decoded), delimiter)
        }
        TextEncoding::Utf8 | TextEncoding::Utf8Bom | TextEncoding::Windows1258 => {
            let delimiter = sniff_delimiter(&String::from_utf8_lossy(&sample), default_delim);
            if encoding == TextEncoding::Utf8Bom {
                sample.drain(..3);
            }
            // From the first byte again (after the BOM), without a second read of the file.
            (Box::new(Cursor::new(sample).chain(f)), delimiter)
        }
    };
    let unreadable = |e: std::io::Error| unreadable(file, e);
    let windows_1258 = encoding == TextEncoding::Windows1258;
    let decode = if windows_1258 {
        decode_windows_1258
    } else {
        decode_field
    };

    // The first rows, for the header, from the text read so far (more is read if they do not
    // fit, up to a record's bound: a quote left open would have the csv crate read the whole
    // file as one record); the data start where the csv crate says the first data row does.
    let mut text = Vec::new();
    let mut len = 0;
    let mut more = read_into(&mut reader, &mut text, &mut len, SAMPLE_BYTES).map_err(unreadable)?;
    let (first, after_first) = loop {
        let (first, after, complete) =
            first_records(text.get(..len).unwrap_or_default(), delimiter, more);
        if complete || len >= MAX_RECORD_BYTES {
            break (first, after);
        }
        let want = (text.len() * 2).min(MAX_RECORD_BYTES);
        more = read_into(&mut reader, &mut text, &mut len, want).map_err(unreadable)?;
    };
    let texts: Vec<Vec<String>> = first
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| decode(field(r, i).unwrap_or_default()).into_owned())
                .collect()
        })
        .collect();
    let header = find_header(file, opts, &texts)?;
    let width = texts.get(header.header_row).map_or(0, Vec::len);
    let sheet = sink.sheet(SheetInfo {
        source,
        name: String::new(),
        header_row: first
            .get(header.header_row)
            .and_then(|r| r.position())
            .map_or(1, |p| p.line() as u32),
        headers: header.names.clone(),
        mapped: mapped_names(&header.columns),
        encoding: Some(encoding.name()),
        delimiter: Some(delimiter as char),
    });
    let ctx = Arc::new(SheetCtx {
        source,
        sheet,
        columns: opts.kept(header.columns),
        width,
    });
    let data_start = first
        .get(header.data_start)
        .and_then(|r| r.position())
        .unwrap_or(&after_first);
    let start = usize::try_from(data_start.byte()).map_or(len, |b| b.min(len));
    text.copy_within(start..len, 0);
    len -= start;
    let mut line = u32::try_from(data_start.line()).unwrap_or(u32::MAX);
    let mut reported = start as u64;
    sink.progress(reported);

    // Then chunks of whole records, to be parsed by the checkers.
    loop {
        if more && len < CHUNK_BYTES {
            more = read_into(&mut reader, &mut text, &mut len, CHUNK_BYTES).map_err(unreadable)?;
        }
        let whole = text.get(..len).unwrap_or_default();
        // Where to cut, and what is wrong with the record that starts there, if it cannot be read.
        let (cut, broken) = if more {
            match scan_ends(whole, delimiter) {
                (Some(cut), _) => (cut, None),
                // No record ends in as much as a record may hold: report it, read on after it.
                (None, open) if len >= MAX_RECORD_BYTES => {
                    let kind = if open {
                        Broken::UnterminatedQuote
                    } else {
                        Broken::TooLong
                    };
                    (0, Some(kind))
                }
                (None, _) => {
                    // One record longer than the chunk: read on.
                    let want = (text.len().max(CHUNK_BYTES) * 2).min(MAX_RECORD_BYTES);
                    more = read_into(&mut reader, &mut text, &mut len, want).map_err(unreadable)?;
                    continue;
                }
            }
        } else {
            // The end of the file: a quote still open would swallow every record after it.
            match unterminated_record(whole, delimiter) {
                Some(start) => (start, Some(Broken::UnterminatedQuote)),
                None => (len, None),
            }
        };
        if cut == 0 && broken.is_none() {
            break;
        }
        if cut > 0 {
            let mut next = sink.recycled().unwrap_or_default();
            let rest = len - cut;
            if next.len() < rest.max(CHUNK_BYTES) {
                next.resize(rest.max(CHUNK_BYTES), 0);
            }
            next[..rest].copy_from_slice(&text[cut..len]);
            let lines = memchr::memchr_iter(b'\n', &text[..cut]).count();
            let chunk = CsvChunk {
                buf: std::mem::replace(&mut text, next),
                len: cut,
                first_line: line,
                delimiter,
                windows_1258,
            };
            len = rest;
            line = line.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
            reported += cut as u64;
            sink.progress(cut as u64);
            let batch = Batch {
                ctx: ctx.clone(),
                rows: Rows::Csv(chunk),
            };
            if !sink.batch(batch) {
                return Ok(());
            }
        }
        let Some(kind) = broken else { continue };
        let batch = Batch {
            ctx: ctx.clone(),
            rows: Rows::Broken(BrokenRecord { line, kind }),
        };
        if !sink.batch(batch) {
            return Ok(());
        }
        // Skip the record's first line (and the blank lines before it): the next line is read
        // as the start of a record.
        let (lines, bytes) =
            skip_first_line(&mut reader, &mut text, &mut len, &mut more).map_err(unreadable)?;
        line = line.saturating_add(lines);
        reported += bytes;
        sink.progress(bytes);
    }
    sink.progress(file.size.saturating_sub(reported));
    if let Some(hex) = digest.get() {
        sink.hashed(source, hex.clone());
    }
    Ok(())
}

/// Drops the blank lines at the start of `text[..*len]` and the line after them, reading on (and
/// dropping what is read) while that line has not ended, so that a line longer than the buffer
/// is passed, not kept. Returns the line ends passed and the bytes dropped.
fn skip_first_line(
    reader: &mut dyn Read,
    text: &mut Vec<u8>,
    len: &mut usize,
    more: &mut bool,
) -> std::io::Result<(u32, u64)> {
    let (mut lines, mut bytes, mut in_line) = (0u32, 0u64, false);
    loop {
        let buf = text.get(..*len).unwrap_or_default();
        let mut i = 0;
        if !in_line {
            i = buf.iter().take_while(|&&b| b == b'\n').count();
            lines = lines.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
            in_line = i < buf.len();
        }
        if in_line && let Some(k) = memchr::memchr(b'\n', buf.get(i..).unwrap_or_default()) {
            let end = i + k + 1;
            text.copy_within(end..*len, 0);
            *len -= end;
            return Ok((lines.saturating_add(1), bytes + end as u64));
        }
        bytes += *len as u64;
        *len = 0;
        if !*more {
            return Ok((lines, bytes));
        }
        *more = read_into(reader, text, len, CHUNK_BYTES)?;
    }
}

/// Reads into `buf[*len..]` until `want` bytes are there or the input ends (`false` then).
fn read_into(
    reader: &mut dyn Read,
    buf: &mut Vec<u8>,
    len: &mut usize,
    want: usize,
) -> std::io::Result<bool> {
    if buf.len() < want {
        buf.resize(want, 0);
    }
    while *len < want {
        match reader.read(&mut buf[*len..want]) {
            Ok(0) => return Ok(false),
            Ok(n) => *len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// The first [`HEADER_SEARCH_ROWS`] records of `text` (the start of the file) and the position
/// after them; `complete` unless `more` text follows and they may not all be in `text` yet.
fn first_records(text: &[u8], delimiter: u8, more: bool) -> (Vec<ByteRecord>, csv::Position, bool) {
    let mut rdr = reader_builder(delimiter).from_reader(text);
    let mut first = Vec::new();
    while first.len() < HEADER_SEARCH_ROWS {
        let mut rec = ByteRecord::new();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => first.push(rec),
            // Reading from memory fails only on a bad UTF-8 header, which byte records skip.
            Ok(false) | Err(_) => break,
        }
    }
    let after = rdr.position().clone();
    // The last record must have ended before the end of what was read.
    let complete = !more || (first.len() == HEADER_SEARCH_ROWS && after.byte() < text.len() as u64);
    (first, after, complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{UTF_16BE, UTF_16LE};
    use proptest::prelude::*;

    #[test]
    fn encodings() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFa,b"), TextEncoding::Utf8Bom);
        assert_eq!(
            sniff_encoding(b"\xFF\xFEa\0"),
            TextEncoding::Utf16(UTF_16LE)
        );
        assert_eq!(
            sniff_encoding(b"a\0,\0b\0\r\0\n\0"),
            TextEncoding::Utf16(UTF_16LE)
        );
        assert_eq!(
            sniff_encoding(b"\0a\0,\0b\0\r\0\n"),
            TextEncoding::Utf16(UTF_16BE)
        );
        assert_eq!(sniff_encoding(b"a,b\r\n"), TextEncoding::Utf8);
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n", b','), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", b','), b',');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n", b','), b'\t');
        assert_eq!(sniff_delimiter("a|b\n1|2\n", b','), b'|');
        // Commas inside quotes do not count.
        assert_eq!(
            sniff_delimiter("name;addr\n\"Lê, Văn\";\"1, 2, 3\"\n\"A\";\"B\"\n", b','),
            b';'
        );
        assert_eq!(sniff_delimiter("single\nline\n", b','), b',');
    }

    #[test]
    fn record_cells_slices_valid_records_and_decodes_the_rest() {
        let mut columns = [None; FIELD_COUNT];
        columns[1] = Some(0);
        columns[4] = Some(2);
        let mut batch = CsvBatch::default();
        // Each record's cells, and whether each text is borrowed from the chunk.
        let mut cells_of = |chunk: &CsvChunk| {
            let mut out = Vec::new();
            batch.for_each_record(chunk, |rec| {
                let cells = record_cells(rec, &columns);
                out.push(cells.map(|c| match c {
                    Cell::Text(t) => Some((t.to_string(), matches!(t, Cow::Borrowed(_)))),
                    _ => None,
                }));
            });
            out
        };
        let text = |t: &str, borrowed| Some((t.to_string(), borrowed));
        let cells = cells_of(&CsvChunk::new("Hùng,x, 079 \r\n".as_bytes(), b',', 1));
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0][1], text("Hùng", true));
        assert_eq!(cells[0][4], text(" 079 ", true));
        assert_eq!(cells[0][5], None);
        assert_eq!(cells[0][0], None);
        // A Windows-1258 field in an otherwise UTF-8 record.
        // In a chunk that is not all UTF-8, a record that is still reads its fields in place.
        let cells = cells_of(&CsvChunk::new(
            b"H\xC3\xB9ng,x,\nNguy\xEA\xDEn,x,\n",
            b',',
            1,
        ));
        assert_eq!(cells[0][1], text("Hùng", true));
        assert_eq!(cells[1][1], text("Nguyễn", false));
        assert_eq!(cells[1][4], None);
    }

    #[test]
    fn quotes_blank_lines_and_line_numbers_read_as_the_csv_crate_reads_them() {
        let text = b"\"a\"\"b\",c\n\"x\"y,\"multi\nline\"\n\n\na\"b,\"open\r\nq,";
        let mut batch = CsvBatch::default();
        let got = records(&mut batch, &CsvChunk::new(text, b',', 7));
        let want: Vec<(Vec<&[u8]>, u32)> = vec![
            (vec![b"a\"b", b"c"], 7),
            // Text after a closing quote joins the field; a quoted field holds a line end.
            (vec![b"xy", b"multi\nline"], 8),
            // Blank lines are skipped: the record is placed where the one before it ended.
            (vec![b"a\"b", b"open\r\nq,"], 10),
        ];
        let want: Vec<(Vec<Vec<u8>>, u32)> = want
            .into_iter()
            .map(|(fields, line)| (fields.into_iter().map(<[u8]>::to_vec).collect(), line))
            .collect();
        assert_eq!(got, want);
        // Read as the rest of a file, the last record's quote is left open: the scan reports that
        // record (from the end of the one before it) instead of reading it.
        assert_eq!(unterminated_record(text, b','), Some(27));
        assert_eq!(unterminated_record(b"a,\"b\"\nc", b','), None);
        assert_eq!(broken_record_end(b"\n\nab\"c\nd"), Some((7, 3)));
        // Two records, the one left open reported on line 10 (where the record before it ended,
        // as for every record after blank lines), and "q," read on line 13.
        let read = whole_text_records(text, b',', 7);
        assert_eq!(read[2], (None, 10));
        assert_eq!(read[3], (Some(vec![b"q".to_vec(), Vec::new()]), 13));
        // A delimiter at the very end leaves an empty last field.
        let got = records(&mut batch, &CsvChunk::new(b"a,", b',', 1));
        assert_eq!(got, vec![(vec![b"a".to_vec(), Vec::new()], 1)]);
    }

    #[test]
    fn a_record_ends_only_at_a_line_end_outside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"b\nc\"", b','), None);
        assert_eq!(last_record_end(b"a\n\"b\nc", b','), Some(2));
        // A quote inside an unquoted field is text.
        assert_eq!(last_record_end(b"a\"b\nc", b','), Some(4));
        // A blank line ends no record.
        assert_eq!(last_record_end(b"a\n\n\n", b','), Some(2));
        assert_eq!(last_record_end(b"\n\n", b','), None);
        // Whether `"` closes the field depends on the byte after it.
        assert_eq!(last_record_end(b"x\n\"a\n\"", b','), Some(2));
    }

    #[test]
    fn windows_1258_fields_are_composed() {
        // "Nguyễn" in Windows-1258: "Nguy" + ê (0xEA) + combining tilde (0xDE) + "n".
        let bytes = b"Nguy\xEA\xDEn";
        assert_eq!(decode_field(bytes), "Nguyễn");
        assert_eq!(decode_field("Hùng".as_bytes()), "Hùng");
    }

    /// A record as the tests compare them: its fields and its line, or `None` for a record
    /// reported as unreadable on that line.
    type Read = (Option<Vec<Vec<u8>>>, u32);

    /// Every record of `text` read whole by the csv crate: its fields and its line. The text
    /// stands for the records after a file's first line (a header), as chunks always do. A quote
    /// left open at the end swallows the rest of the text into one record for the csv crate; the
    /// scan reports that record on its line instead and reads on from the line after the one it
    /// starts on, and so does this reference (the quote is told open when a line appended to the
    /// text joins the last record instead of making one of its own).
    fn whole_text_records(text: &[u8], delimiter: u8, first_line: u32) -> Vec<Read> {
        let read = |text: &[u8]| {
            let file = [&b"x\n"[..], text].concat();
            let mut rdr = reader_builder(delimiter).from_reader(file.as_slice());
            let mut rec = ByteRecord::new();
            let mut out = Vec::new();
            let _ = rdr.read_byte_record(&mut rec);
            while rdr.read_byte_record(&mut rec).unwrap_or(false) {
                let p = rec.position().cloned().unwrap_or_else(csv::Position::new);
                out.push((rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>(), p));
            }
            out
        };
        let records = read(text);
        let sentinel = read(&[text, &b"\nZZZ"[..]].concat());
        let open = !text.is_empty()
            && sentinel
                .last()
                .is_none_or(|(f, _)| f != &vec![b"ZZZ".to_vec()])
            && !records.is_empty();
        let line = |p: &csv::Position| p.line() as u32 - 2 + first_line;
        let mut out: Vec<Read> = Vec::new();
        let keep = records.len() - usize::from(open);
        for (fields, p) in &records[..keep] {
            out.push((Some(fields.clone()), line(p)));
        }
        if open {
            let (_, p) = &records[keep];
            let at = line(p);
            out.push((None, at));
            let start = p.byte() as usize - 2;
            let rest = &text[start..];
            let blank = rest.iter().take_while(|&&b| b == b'\n').count();
            if let Some(k) = memchr::memchr(b'\n', &rest[blank..]) {
                let after = &rest[blank + k + 1..];
                out.extend(whole_text_records(after, delimiter, at + blank as u32 + 1));
            }
        }
        out
    }

    /// The fields and line of each record of `chunk`.
    fn records(batch: &mut CsvBatch, chunk: &CsvChunk) -> Vec<(Vec<Vec<u8>>, u32)> {
        let mut out = Vec::new();
        batch.for_each_record(chunk, |r| {
            out.push((r.iter().map(<[u8]>::to_vec).collect(), r.line()));
        });
        out
    }

    /// The records the reader thread and the checkers would read, the reader reading `chunk`
    /// bytes at a time (cutting at record ends, and at the end of the text reporting a record a
    /// quote left open swallows, then reading on from the line after its first).
    fn read_like_the_scan(text: &[u8], delimiter: u8, first_line: u32, chunk: usize) -> Vec<Read> {
        let mut out = Vec::new();
        let mut batch = CsvBatch::default();
        let (mut start, mut want, mut line) = (0, chunk, first_line);
        while start < text.len() {
            let end = (start + want).min(text.len());
            let (cut, broken) = if end < text.len() {
                match last_record_end(&text[start..end], delimiter) {
                    Some(cut) => (cut, false),
                    None => {
                        want *= 2;
                        continue;
                    }
                }
            } else {
                match unterminated_record(&text[start..], delimiter) {
                    Some(s) => (s, true),
                    None => (end - start, false),
                }
            };
            if cut > 0 {
                let piece = CsvChunk::new(&text[start..start + cut], delimiter, line);
                batch.for_each_record(&piece, |rec| {
                    let fields: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
                    for (i, f) in fields.iter().enumerate() {
                        // A field that is a part of the record as written is found there.
                        if let Some(at) = rec.offset_in_raw(i) {
                            assert_eq!(rec.raw().get(at..at + f.len()), Some(&f[..]));
                        }
                    }
                    out.push((Some(fields), rec.line()));
                });
                line += text[start..start + cut]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u32;
                start += cut;
            }
            if broken {
                out.push((None, line));
                match broken_record_end(&text[start..]) {
                    Some((skip, lines)) => {
                        start += skip;
                        line += lines;
                    }
                    None => start = text.len(),
                }
            }
            want = chunk;
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn chunks_read_as_the_csv_crate_reads_the_whole_text(
            parts in prop::collection::vec(
                prop::sample::select(vec!["a", "é", ",", ";", "\"", "\"\"", "\n", "\n\n", "\r", " ", "\u{feff}"]),
                0..120,
            ),
            delimiter in prop::sample::select(vec![b',', b';']),
            first_line in 1u32..5,
            chunk in 1usize..40,
        ) {
            let text = parts.concat().into_bytes();
            let want = whole_text_records(&text, delimiter, first_line);
            let got = read_like_the_scan(&text, delimiter, first_line, chunk);
            prop_assert_eq!(got, want);
        }

        /// Records without quotes are cut sixteen bytes at a time: long lines of every length,
        /// delimiters at every place of a block, blank lines, CRLF, a last line without its end.
        #[test]
        fn quote_free_lines_read_as_the_csv_crate_reads_them(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "a", "abcdefgh", "Nguyễn", "Hoàì", ",", ",,", ";", "\t", "|", "\n", "\n\n", "\r\n", " ",
                ]),
                0..200,
            ),
            delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
            chunk in 1usize..400,
        ) {
            let text = parts.concat().into_bytes();
            let want = whole_text_records(&text, delimiter, 1);
            let got = read_like_the_scan(&text, delimiter, 1, chunk);
            prop_assert_eq!(got, want);
        }

        /// A quote-free line is cut as a plain search of its line end and delimiters cuts it,
        /// from any place in any text (lines of thousands of bytes, every block boundary), and a
        /// line with a quote anywhere before its end is left to the field-by-field reading.
        #[test]
        fn plain_lines_are_cut_as_a_plain_search_cuts_them(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b'a', b'a', b'a', b'a', b'a', 0xC3, b',', b';', b'\n', b'\r', b'"', 0]),
                0..3000,
            ),
            quote_every in 1usize..4000,
            start in 0usize..3000,
            delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        ) {
            // Quotes are rare, so that most lines are plain.
            let text: Vec<u8> = bytes
                .iter()
                .enumerate()
                .map(|(k, &b)| if b == b'"' && k % quote_every != 0 { b'a' } else { b })
                .collect();
            let start = start.min(text.len());
            let line_end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |k| start + k);
            let want = if text[start..line_end].contains(&b'"') {
                None
            } else {
                let mut fields = Vec::new();
                let mut from = start;
                for (k, &b) in text.iter().enumerate().take(line_end).skip(start) {
                    if b == delimiter {
                        fields.push((from, k));
                        from = k + 1;
                    }
                }
                fields.push((from, line_end));
                Some((line_end, fields))
            };
            let mut fields = Vec::new();
            let got = split_plain_line(&text, start, delimiter, &mut fields).map(|end| (end, fields));
            prop_assert_eq!(got, want);
        }

        /// A record's cells hold its fields' text, without the '\r' of a CRLF line end, read as
        /// UTF-8 where they are and as Windows-1258 where not; a field of spaces is no cell.
        #[test]
        fn cells_are_the_fields_text(
            parts in prop::collection::vec(
                prop::sample::select(vec!["a", "ễ", ",", "\"", "\"\"", "\r", "\r\n", "\n", " ", "\u{e0}"]),
                0..60,
            ),
            bad in prop::option::of(0usize..60),
            columns in prop::collection::vec(prop::option::of(0usize..6), FIELD_COUNT),
        ) {
            let mut text = parts.concat().into_bytes();
            if let Some(at) = bad.filter(|&at| at < text.len()) {
                // A byte that is not UTF-8 somewhere.
                text.insert(at, 0xDE);
            }
            let columns: [Option<usize>; FIELD_COUNT] = std::array::from_fn(|i| columns[i]);
            let mut batch = CsvBatch::default();
            let mut failure = None;
            batch.for_each_record(&CsvChunk::new(&text, b',', 1), |rec| {
                let cells = record_cells(rec, &columns);
                for (cell, col) in cells.iter().zip(&columns) {
                    let want = col
                        .and_then(|c| rec.field(c))
                        .map(|f| std::str::from_utf8(f).map_or_else(|_| decode_field(f), Cow::Borrowed))
                        .filter(|t| !crate::record::trim(t).is_empty());
                    let got = match cell {
                        Cell::Text(t) => Some(t.clone()),
                        _ => None,
                    };
                    if got != want && failure.is_none() {
                        failure = Some((got.map(|t| t.to_string()), want.map(|t| t.to_string())));
                    }
                }
            });
            prop_assert_eq!(failure, None);
        }

        #[test]
        fn sniffing_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = sniff_encoding(&bytes);
            let _ = sniff_delimiter(&String::from_utf8_lossy(&bytes), b',');
            let _ = decode_field(&bytes);
        }

        #[test]
        fn delimiter_of_a_regular_table(delim in prop::sample::select(vec![b',', b';', b'\t', b'|']), cols in 2usize..8, rows in 2usize..10) {
            let line: Vec<String> = (0..cols).map(|i| format!("c{i}")).collect();
            let line = line.join(&(delim as char).to_string());
            let text = format!("{line}\n").repeat(rows);
            prop_assert_eq!(sniff_delimiter(&text, b','), delim);
        }
    }
}
