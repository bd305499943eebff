//! CSV, TSV and TXT dumps: encoding (UTF-8 with or without BOM, UTF-16 by BOM or by its zero
//! bytes, Windows-1258 wherever a field is not valid UTF-8), delimiter sniffing (`,` `;` tab `|`),
//! header detection, then records streamed in recycled batches. Ragged rows are left to the
//! checkers, which report and skip them.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Cursor, Read};
use std::sync::{Arc, OnceLock};

use csv::ByteRecord;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1258};
use unicode_normalization::UnicodeNormalization;

use crate::normalize::text::is_tone_mark;
use crate::record::{Cell, CellRef, FIELD_COUNT};

use super::{
    BATCH_ROWS, Batch, InputError, InputFile, ReadOptions, Rows, SheetCtx, SheetInfo, Sink,
    find_header, header::HEADER_SEARCH_ROWS, mapped_names,
};

const SAMPLE_BYTES: usize = 64 * 1024;

/// A batch is handed over at [`BATCH_ROWS`] records or at this many bytes of text, whichever
/// comes first (a dump of very long rows does not fill memory).
const BATCH_BYTES: usize = 16 << 20;

/// How the bytes of a CSV file are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (a field that is not valid UTF-8 is read as Windows-1258).
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16, converted to UTF-8 while reading.
    Utf16(&'static Encoding),
}

impl TextEncoding {
    /// Name for summaries.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16(e) if e == UTF_16BE => "utf-16be",
            TextEncoding::Utf16(_) => "utf-16le",
        }
    }
}

/// Tells the encoding from the first bytes of a file.
pub fn sniff_encoding(sample: &[u8]) -> TextEncoding {
    match sample {
        [0xEF, 0xBB, 0xBF, ..] => return TextEncoding::Utf8Bom,
        [0xFF, 0xFE, ..] => return TextEncoding::Utf16(UTF_16LE),
        [0xFE, 0xFF, ..] => return TextEncoding::Utf16(UTF_16BE),
        _ => {}
    }
    // UTF-16 without a BOM: ASCII text has a zero in every other byte.
    let n = sample.len().min(4096) / 2 * 2;
    if n >= 8 {
        let zeros = |offset: usize| {
            sample[..n]
                .iter()
                .skip(offset)
                .step_by(2)
                .filter(|&&b| b == 0)
                .count()
        };
        let (even, odd) = (zeros(0), zeros(1));
        let half = n / 2;
        if odd * 10 > half * 6 && even * 10 < half {
            return TextEncoding::Utf16(UTF_16LE);
        }
        if even * 10 > half * 6 && odd * 10 < half {
            return TextEncoding::Utf16(UTF_16BE);
        }
    }
    TextEncoding::Utf8
}

/// Picks the delimiter that splits the sample's lines most consistently into more than one
/// field, ignoring delimiters inside quotes. Ties go to `,` then `;`, tab, `|`.
pub fn sniff_delimiter(sample: &str, default: u8) -> u8 {
    let mut lines: Vec<&str> = sample.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() > 1 && !sample.ends_with('\n') {
        // The sample may have cut the last line.
        lines.pop();
    }
    lines.truncate(50);
    let mut best = (default, 0usize);
    for delim in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| {
                let mut quoted = false;
                line.bytes()
                    .filter(|&b| {
                        if b == b'"' {
                            quoted = !quoted;
                        }
                        b == delim && !quoted
                    })
                    .count()
            })
            .collect();
        // The most frequent non-zero count, and how many lines have it.
        let mut freq = std::collections::HashMap::new();
        for c in counts.iter().filter(|&&c| c > 0) {
            *freq.entry(*c).or_insert(0usize) += 1;
        }
        let Some((&fields, &lines_with)) = freq.iter().max_by_key(|(c, n)| (**n, **c)) else {
            continue;
        };
        // Score: lines that agree, weighted by how many fields they make.
        let score = lines_with * 1000 + fields;
        if score > best.1 {
            best = (delim, score);
        }
    }
    best.0
}

/// The records of one batch stored flat: every field's bytes in one buffer, the field ends in
/// another. A batch is filled by the reader thread and checked on another core; contiguous
/// buffers stream there, where a record per allocation had to be fetched piece by piece.
#[derive(Debug, Default)]
pub struct CsvBatch {
    data: Vec<u8>,
    /// End of each field in `data`.
    ends: Vec<usize>,
    /// Per record: index in `ends` of its first field, and its line in the file.
    records: Vec<(usize, u32)>,
}

/// One record of a [`CsvBatch`].
#[derive(Debug, Clone, Copy)]
pub struct CsvRecord<'b> {
    data: &'b [u8],
    /// Where the record starts in `data`.
    start: usize,
    /// End of each field in `data`.
    ends: &'b [usize],
    line: u32,
}

impl CsvBatch {
    /// Adds a record.
    pub fn push(&mut self, rec: &ByteRecord) {
        let base = self.data.len();
        self.records.push((
            self.ends.len(),
            rec.position().map_or(0, |p| p.line() as u32),
        ));
        self.data.extend_from_slice(rec.as_slice());
        self.ends.extend(
            (0..rec.len())
                .filter_map(|i| rec.range(i))
                .map(|r| base + r.end),
        );
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
        self.records.clear();
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Bytes of field text held.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// The records in order.
    pub fn iter(&self) -> impl Iterator<Item = CsvRecord<'_>> {
        let next_starts = self
            .records
            .iter()
            .skip(1)
            .map(|(first, _)| *first)
            .chain(std::iter::once(self.ends.len()));
        self.records
            .iter()
            .zip(next_starts)
            .map(|(&(first, line), next)| {
                let ends = self.ends.get(first..next).unwrap_or_default();
                let start = first
                    .checked_sub(1)
                    .and_then(|i| self.ends.get(i))
                    .copied()
                    .unwrap_or(0);
                CsvRecord {
                    data: &self.data,
                    start,
                    ends,
                    line,
                }
            })
    }
}

impl<'b> CsvRecord<'b> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it has no field.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The line of the file the record starts on.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// Where field `i` is in [`CsvRecord::as_slice`].
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(p) => *self.ends.get(p)?,
            None => self.start,
        };
        Some(start - self.start..end - self.start)
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&'b [u8]> {
        let r = self.range(i)?;
        self.as_slice().get(r)
    }

    /// Every field's bytes, one after the other.
    pub fn as_slice(&self) -> &'b [u8] {
        let end = self.ends.last().copied().unwrap_or(self.start);
        self.data.get(self.start..end).unwrap_or_default()
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
/// checked as UTF-8 once, then each field is sliced out of it; a field that is not UTF-8 is read
/// as Windows-1258.
pub fn record_cells<'r>(
    rec: &CsvRecord<'r>,
    columns: &[Option<usize>; FIELD_COUNT],
) -> [CellRef<'r>; FIELD_COUNT] {
    let whole = simdutf8::basic::from_utf8(rec.as_slice()).ok();
    let mut cells: [CellRef<'r>; FIELD_COUNT] = Default::default();
    for (cell, col) in cells.iter_mut().zip(columns) {
        let Some(c) = *col else {
            continue;
        };
        let Some(bytes) = rec.field(c) else {
            continue;
        };
        // Slicing checks that the field starts and ends on character boundaries.
        let text = whole
            .zip(rec.range(c))
            .and_then(|(w, r)| w.get(r.start..r.start + bytes.len()))
            .map_or_else(|| decode_field(bytes), Cow::Borrowed);
        if !crate::record::trim(&text).is_empty() {
            *cell = Cell::Text(text);
        }
    }
    cells
}

/// Decodes one field: UTF-8 when it is, else Windows-1258 (converted to composed Unicode).
pub fn decode_field(bytes: &[u8]) -> Cow<'_, str> {
    // simdutf8: the same answer as std, several times faster on accented text.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _) = WINDOWS_1258.decode_without_bom_handling(bytes);
            Cow::Owned(text.nfc().collect())
        }
    }
}

/// Text in Windows-1258: base letters (with their hat, breve or horn) plus separate tone marks.
pub fn encode_windows_1258(text: &str) -> Vec<u8> {
    let mut split = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii() {
            split.push(c);
            continue;
        }
        let decomposed: Vec<char> = std::iter::once(c).nfd().collect();
        let base: String = decomposed.iter().filter(|d| !is_tone_mark(**d)).collect();
        split.extend(base.nfc());
        split.extend(decomposed.iter().filter(|d| is_tone_mark(**d)));
    }
    let (bytes, _, _) = WINDOWS_1258.encode(&split);
    bytes.into_owned()
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
    let (reader, delimiter): (Box<dyn Read + Send>, u8) = match encoding {
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
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => {
            let delimiter = sniff_delimiter(&String::from_utf8_lossy(&sample), default_delim);
            if encoding == TextEncoding::Utf8Bom {
                sample.drain(..3);
            }
            // The csv reader buffers; no second buffer here.
            (Box::new(Cursor::new(sample).chain(f)), delimiter)
        }
    };
    let mut rdr = reader_builder(delimiter).from_reader(reader);

    // The first rows, for the header.
    let mut first: Vec<ByteRecord> = Vec::new();
    loop {
        if first.len() >= HEADER_SEARCH_ROWS {
            break;
        }
        let mut rec = ByteRecord::new();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => first.push(rec),
            Ok(false) => break,
            Err(e) => return Err(unreadable(file, e)),
        }
    }
    let texts: Vec<Vec<String>> = first
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| decode_field(field(r, i).unwrap_or_default()).into_owned())
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

    let new_batch = |sink: &dyn Sink| {
        let mut b = sink.recycled().unwrap_or_default();
        b.clear();
        b
    };
    let mut records = new_batch(sink);
    let mut last_byte = 0u64;
    let mut rec = ByteRecord::new();
    let mut leftover = first.into_iter().skip(header.data_start);
    loop {
        let got = match leftover.next() {
            Some(r) => {
                records.push(&r);
                true
            }
            None => {
                let got = rdr
                    .read_byte_record(&mut rec)
                    .map_err(|e| unreadable(file, e))?;
                if got {
                    records.push(&rec);
                }
                got
            }
        };
        let full = records.len() >= BATCH_ROWS || records.bytes() >= BATCH_BYTES;
        if full || (!got && !records.is_empty()) {
            let byte = rdr.position().byte();
            sink.progress(byte.saturating_sub(last_byte));
            last_byte = byte;
            let batch = Batch {
                ctx: ctx.clone(),
                rows: Rows::Csv(std::mem::replace(&mut records, new_batch(sink))),
            };
            if !sink.batch(batch) {
                return Ok(());
            }
        }
        if !got {
            break;
        }
    }
    sink.progress(file.size.saturating_sub(last_byte));
    if let Some(hex) = digest.get() {
        sink.hashed(source, hex.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let flat = |rec: ByteRecord| {
            let mut b = CsvBatch::default();
            b.push(&rec);
            b
        };
        let batch = flat(ByteRecord::from(vec!["Hùng", "x", " 079 \r"]));
        let rec = batch.iter().next().expect("one record");
        let cells = record_cells(&rec, &columns);
        assert_eq!(cells[1], Cell::Text(Cow::Borrowed("Hùng")));
        assert_eq!(cells[4], Cell::Text(Cow::Borrowed(" 079 ")));
        assert_eq!(cells[5], Cell::Empty);
        assert_eq!(cells[0], Cell::Empty);
        // A Windows-1258 field in an otherwise UTF-8 record.
        let batch = flat(ByteRecord::from(vec![&b"Nguy\xEA\xDEn"[..], b"x", b""]));
        let rec = batch.iter().next().expect("one record");
        let cells = record_cells(&rec, &columns);
        assert_eq!(cells[1], Cell::Text(Cow::Owned("Nguyễn".to_string())));
        assert_eq!(cells[4], Cell::Empty);
    }

    #[test]
    fn windows_1258_fields_are_composed() {
        // "Nguyễn" in Windows-1258: "Nguy" + ê (0xEA) + combining tilde (0xDE) + "n".
        let bytes = b"Nguy\xEA\xDEn";
        assert_eq!(decode_field(bytes), "Nguyễn");
        assert_eq!(decode_field("Hùng".as_bytes()), "Hùng");
    }

    proptest! {
        #[test]
        fn a_flat_batch_gives_back_every_record_as_read(
            rows in prop::collection::vec(prop::collection::vec("[a-zA-Zà-ỹ0-9 \r]{0,8}", 0..6), 0..12)
        ) {
            let mut batch = CsvBatch::default();
            let records: Vec<ByteRecord> = rows.iter().map(|r| ByteRecord::from(r.clone())).collect();
            for rec in &records {
                batch.push(rec);
            }
            prop_assert_eq!(batch.len(), records.len());
            for (flat, rec) in batch.iter().zip(&records) {
                prop_assert_eq!(flat.len(), rec.len());
                prop_assert_eq!(flat.as_slice(), rec.as_slice());
                prop_assert_eq!(flat.iter().collect::<Vec<_>>(), rec.iter().collect::<Vec<_>>());
                for i in 0..=rec.len() {
                    prop_assert_eq!(flat.field(i), field(rec, i));
                    prop_assert_eq!(flat.range(i), rec.range(i));
                }
            }
            batch.clear();
            prop_assert!(batch.is_empty() && batch.bytes() == 0);
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
