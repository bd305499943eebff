//! How a text dump's bytes are text: the encoding told from a file's first bytes (UTF-8 with or
//! without BOM, UTF-16 by BOM or by its zero bytes, Windows-1258 when the start of the file reads
//! better so than as UTF-8), the delimiter told from its first lines, and one field decoded (or
//! encoded, for the generator) in Windows-1258. The CSV reader ([`super::csv`]) uses these.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1258};
use unicode_normalization::UnicodeNormalization;

use crate::normalize::text::is_tone_mark;

/// How the bytes of a CSV file are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (a field that is not valid UTF-8 all the same is read as Windows-1258).
    Utf8,
    /// Windows-1258 (Vietnamese Windows): every field is decoded from it, even one whose bytes
    /// happen to be valid UTF-8.
    Windows1258,
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
            TextEncoding::Windows1258 => "windows-1258",
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
    if reads_as_windows_1258(sample) {
        return TextEncoding::Windows1258;
    }
    TextEncoding::Utf8
}

/// Whether `sample` (the start of a file) holds more bytes that are not UTF-8 than characters
/// that are: Windows-1258 text breaks UTF-8 at almost every accented letter and only now and then
/// happens to form a valid sequence; UTF-8 text with a stray bad byte keeps its many valid ones.
fn reads_as_windows_1258(sample: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    let mut rest = sample;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                valid += std::str::from_utf8(good)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                // A sequence cut by the end of the sample is not an error.
                let Some(n) = e.error_len() else { break };
                invalid += 1;
                rest = bad.get(n..).unwrap_or_default();
            }
        }
    }
    invalid > valid
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

/// Decodes one field of a Windows-1258 file (converted to composed Unicode); ASCII as it is.
pub fn decode_windows_1258(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if s.is_ascii() => Cow::Borrowed(s),
        _ => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1258_round_trips_a_vietnamese_name() {
        let bytes = encode_windows_1258("Nguyễn Thị Hằng");
        assert!(std::str::from_utf8(&bytes).is_err());
        assert_eq!(decode_windows_1258(&bytes), "Nguyễn Thị Hằng");
        assert_eq!(decode_field(&bytes), "Nguyễn Thị Hằng");
        assert_eq!(decode_field("Lê Văn".as_bytes()), "Lê Văn");
    }

    #[test]
    fn a_windows_1258_sample_reads_as_such() {
        let sample = encode_windows_1258("Họ và tên,Ngày sinh\nNguyễn Thị Hằng,01/02/1990\n");
        assert_eq!(sniff_encoding(&sample), TextEncoding::Windows1258);
        assert_eq!(sniff_encoding("Họ và tên\n".as_bytes()), TextEncoding::Utf8);
        assert_eq!(TextEncoding::Windows1258.name(), "windows-1258");
    }
}
