//! `findings.csv` (docs/outputs.md): UTF-8 with BOM, one row per finding, sorted by source, sheet, row,
//! field, code, with exactly the columns of [`COLUMNS`]. Text that a spreadsheet would take for a
//! formula is written with a leading apostrophe.

use std::io::Write;
use std::sync::Mutex;

use anyhow::Result;

use crate::findings::FindingView;
use crate::findings::store::SortedFindings;
use crate::history::FindingKey;
use crate::i18n::Lang;
use crate::output::export::record_key;
use crate::output::{defuse, defuse_bytes};
use crate::pipeline::{SheetReport, SourceReport};
use crate::rules::message;

/// The columns, in order.
pub const COLUMNS: [&str; 13] = [
    "source",
    "sheet",
    "row",
    "record_id",
    "province",
    "district",
    "commune",
    "field",
    "code",
    "severity",
    "value",
    "suggestion",
    "message",
];

/// Writes `findings` to `w`; `sources` and `sheets` name where they are. With `keys`, also
/// collects each finding's history key (record key + code) on the way.
pub fn write(
    w: &mut impl Write,
    findings: SortedFindings,
    sources: &[SourceReport],
    sheets: &[SheetReport],
    lang: Lang,
    keys: Option<&Mutex<Vec<FindingKey>>>,
) -> Result<()> {
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut header = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    header.write_record(COLUMNS)?;
    w.write_all(&header.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    // Runs of findings are rendered in parallel and written in order.
    let render = |run: &[FindingView<'_>]| -> Vec<u8> {
        let mut out = Vec::with_capacity(run.len() * 320);
        if let Some(keys) = keys {
            let mine: Vec<FindingKey> = run
                .iter()
                .map(|f| FindingKey {
                    record_key: record_key(
                        &String::from_utf8_lossy(f.record_id),
                        f.loc,
                        sources,
                        sheets,
                    ),
                    input: sources
                        .get(f.loc.source as usize)
                        .map_or_else(String::new, |s| s.key_name.clone()),
                    code: f.code.as_str(),
                    severity: f.severity().as_str(),
                    unit: crate::pipeline::UnitKey::new(
                        String::from_utf8_lossy(f.province),
                        String::from_utf8_lossy(f.district),
                        String::from_utf8_lossy(f.commune),
                    ),
                })
                .collect();
            keys.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(mine);
        }
        let mut row = RowNumber::default();
        for f in run {
            let sheet = sheets.get(f.loc.sheet as usize);
            let source = sheet
                .and_then(|s| sources.get(s.info.source as usize))
                .map_or("", |s| s.file.display.as_str());
            let sheet_name = sheet.map_or("", |s| s.info.name.as_str());
            let (source, sheet_name) = (defuse(source), defuse(sheet_name));
            let message = message(f.code, f.detail, lang);
            let fields: [&[u8]; 13] = [
                source.as_bytes(),
                sheet_name.as_bytes(),
                row.format(f.loc.row).as_bytes(),
                &defuse_bytes(f.record_id),
                &defuse_bytes(f.province),
                &defuse_bytes(f.district),
                &defuse_bytes(f.commune),
                f.field.map_or("", |x| x.name()).as_bytes(),
                f.code.as_str().as_bytes(),
                f.severity().as_str().as_bytes(),
                &defuse_bytes(f.value),
                &defuse_bytes(f.suggestion),
                message.as_bytes(),
            ];
            push_record(&mut out, &fields);
        }
        out
    };
    findings.render_in_order(render, |bytes| w.write_all(bytes))?;
    Ok(())
}

/// A buffer to write a row number in without allocating.
#[derive(Default)]
struct RowNumber([u8; 10]);

impl RowNumber {
    fn format(&mut self, mut n: u32) -> &str {
        let mut i = self.0.len();
        loop {
            i -= 1;
            self.0[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        std::str::from_utf8(&self.0[i..]).unwrap_or("0")
    }
}

/// Appends one CSV record as the csv crate writes it with a CRLF terminator: a field holding a
/// comma, a quote, CR or LF is quoted (quotes doubled), fields are separated by commas. Written
/// here because findings.csv has a row per finding and the csv crate's writer, byte by byte, was
/// most of the time spent writing it; the tests check the output against the csv crate's.
pub fn push_record(out: &mut Vec<u8>, fields: &[&[u8]]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let bytes: &[u8] = field;
        if needs_quotes(bytes) {
            out.push(b'"');
            for part in bytes.split_inclusive(|&b| b == b'"') {
                out.extend_from_slice(part);
                if part.last() == Some(&b'"') {
                    out.push(b'"');
                }
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(bytes);
        }
    }
    if fields.len() == 1 && fields.first().is_some_and(|f| f.is_empty()) {
        // A record of one empty field, told apart from an empty line.
        out.extend_from_slice(b"\"\"");
    }
    out.extend_from_slice(b"\r\n");
}

/// Whether a field holds a comma, a quote, CR or LF: eight bytes at a time (a byte equal to `b`
/// leaves a zero byte in `x ^ b…b`, which `(y - 0x01…01) & !y & 0x80…80` tells).
fn needs_quotes(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, b: u8| {
        let y = x ^ (ONES * u64::from(b));
        y.wrapping_sub(ONES) & !y & HIGH != 0
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        if has(x, b',') | has(x, b'"') | has(x, b'\r') | has(x, b'\n') {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn row_numbers() {
        let mut b = RowNumber::default();
        assert_eq!(b.format(0), "0");
        assert_eq!(b.format(7), "7");
        assert_eq!(b.format(1_234_567), "1234567");
        assert_eq!(b.format(u32::MAX), "4294967295");
    }

    proptest! {
        #[test]
        fn quoting_is_needed_exactly_for_comma_quote_cr_lf(
            bytes in prop::collection::vec(any::<u8>(), 0..40)
        ) {
            let plain = bytes.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
            prop_assert_eq!(needs_quotes(&bytes), plain);
        }

        #[test]
        fn bytes_are_defused_as_text_is(text in "[=+@\t\r a-zà-ỹ-]{0,6}") {
            let want = defuse(&text);
            prop_assert_eq!(&*defuse_bytes(text.as_bytes()), want.as_bytes());
        }

        #[test]
        fn records_are_written_as_the_csv_crate_writes_them(
            fields in prop::collection::vec("[a-zà-ỹ ,\"\r\n'=+-]{0,20}", 1..6)
        ) {
            let mut want = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
            want.write_record(&fields).expect("writes to memory");
            let want = want.into_inner().expect("writes to memory");
            let mut got = Vec::new();
            let refs: Vec<&[u8]> = fields.iter().map(|f| f.as_bytes()).collect();
            push_record(&mut got, &refs);
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        }
    }
}
