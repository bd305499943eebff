//! The CSV reading that the scan splits between threads — the reader cutting the text at record
//! ends (`last_record_end`), the checkers finding the fields (`CsvBatch::for_each_record`) —
//! against the csv crate reading the whole text: the same records, fields and line numbers, for
//! any bytes, any delimiter and any chunk size. One difference is by design: a quote left open at
//! the end of the text, which the csv crate reads as one field running to the end, is reported by
//! the scan on the line its record starts on (`unterminated_record`), and reading resumes on the
//! line after that one (`broken_record_end`); the oracle does the same with the csv crate's own
//! reading.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaxclean::input::csv::{
    CsvBatch, CsvChunk, broken_record_end, last_record_end, reader_builder, unterminated_record,
};

/// A record: its fields (`None`: reported as unreadable) and its line.
type Read = (Option<Vec<Vec<u8>>>, u64);

/// The csv crate's reading of `text` (the records after a first line), a record swallowed by a
/// quote left open reported on its line, and the text after its first line read again.
fn oracle(text: &[u8], delimiter: u8, first_line: u64) -> Vec<Read> {
    let read = |text: &[u8]| {
        let file = [&b"x\n"[..], text].concat();
        let mut rdr = reader_builder(delimiter).from_reader(file.as_slice());
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        let _ = rdr.read_byte_record(&mut rec);
        while rdr.read_byte_record(&mut rec).unwrap_or(false) {
            let p = rec.position().cloned().unwrap_or_else(csv::Position::new);
            out.push((rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>(), p));
        }
        out
    };
    let records = read(text);
    // Open when a line appended joins the last record instead of making one of its own.
    let sentinel = read(&[text, &b"\nZZZ"[..]].concat());
    let open = !records.is_empty()
        && sentinel
            .last()
            .is_none_or(|(f, _)| f != &vec![b"ZZZ".to_vec()]);
    let line = |p: &csv::Position| p.line() - 2 + first_line;
    let keep = records.len() - usize::from(open);
    let mut out: Vec<Read> = records[..keep]
        .iter()
        .map(|(f, p)| (Some(f.clone()), line(p)))
        .collect();
    if open {
        let (_, p) = &records[keep];
        let at = line(p);
        out.push((None, at));
        let rest = &text[p.byte() as usize - 2..];
        let blank = rest.iter().take_while(|&&b| b == b'\n').count();
        if let Some(k) = rest[blank..].iter().position(|&b| b == b'\n') {
            out.extend(oracle(
                &rest[blank + k + 1..],
                delimiter,
                at + blank as u64 + 1,
            ));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&settings, text)) = data.split_first() else {
        return;
    };
    let delimiter = [b',', b';', b'\t', b'|'][usize::from(settings & 3)];
    let chunk = usize::from(settings >> 2) + 1;
    let want = oracle(text, delimiter, 2);

    let mut got: Vec<Read> = Vec::new();
    let mut batch = CsvBatch::default();
    let (mut start, mut size, mut line) = (0, chunk, 2u32);
    while start < text.len() {
        let end = (start + size).min(text.len());
        let (cut, broken) = if end < text.len() {
            match last_record_end(&text[start..end], delimiter) {
                Some(cut) => (cut, false),
                None => {
                    size *= 2;
                    continue;
                }
            }
        } else {
            match unterminated_record(&text[start..], delimiter) {
                Some(s) => (s, true),
                None => (end - start, false),
            }
        };
        assert!(cut <= end - start, "a cut inside the text read");
        assert!(cut > 0 || broken, "progress");
        if cut > 0 {
            let piece = CsvChunk::new(&text[start..start + cut], delimiter, line);
            batch.for_each_record(&piece, |r| {
                got.push((
                    Some(r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()),
                    u64::from(r.line()),
                ));
            });
            line += text[start..start + cut]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32;
            start += cut;
        }
        if broken {
            got.push((None, u64::from(line)));
            match broken_record_end(&text[start..]) {
                Some((skip, lines)) => {
                    start += skip;
                    line += lines;
                }
                None => start = text.len(),
            }
        }
        size = chunk;
    }
    assert_eq!(got, want);
});
