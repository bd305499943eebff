//! The CSV reading that the scan splits between threads — the reader cutting the text at record
//! ends (`last_record_end`), the checkers finding the fields (`CsvBatch::parse`) — against the csv
//! crate reading the whole text: the same records, fields and line numbers, for any bytes, any
//! delimiter and any chunk size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaxclean::input::csv::{CsvBatch, CsvChunk, last_record_end, reader_builder};

fuzz_target!(|data: &[u8]| {
    let Some((&settings, text)) = data.split_first() else {
        return;
    };
    let delimiter = [b',', b';', b'\t', b'|'][usize::from(settings & 3)];
    let chunk = usize::from(settings >> 2) + 1;
    // The text stands for the records after a file's first line, as chunks always do.
    let file = [&b"x\n"[..], text].concat();
    let mut rdr = reader_builder(delimiter).from_reader(file.as_slice());
    let mut rec = csv::ByteRecord::new();
    let mut want: Vec<(Vec<Vec<u8>>, u64)> = Vec::new();
    let _ = rdr.read_byte_record(&mut rec);
    while rdr.read_byte_record(&mut rec).unwrap_or(false) {
        let line = rec.position().map_or(0, csv::Position::line);
        want.push((rec.iter().map(<[u8]>::to_vec).collect(), line));
    }

    let mut got = Vec::new();
    let mut batch = CsvBatch::default();
    let (mut start, mut size, mut line) = (0, chunk, 2u32);
    while start < text.len() {
        let end = (start + size).min(text.len());
        let cut = if end < text.len() {
            match last_record_end(&text[start..end], delimiter) {
                Some(cut) => cut,
                None => {
                    size *= 2;
                    continue;
                }
            }
        } else {
            end - start
        };
        assert!(cut > 0 && cut <= end - start, "a cut inside the text read");
        let piece = CsvChunk::new(&text[start..start + cut], delimiter, line);
        for r in batch.parse(&piece) {
            got.push((
                r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>(),
                u64::from(r.line()),
            ));
        }
        line += text[start..start + cut]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        start += cut;
        size = chunk;
    }
    assert_eq!(got, want);
});
