//! The legacy encodings whose damage a name can carry, as character tables: TCVN3 (ABC) and
//! VNI-Windows font text, Windows-1258 bytes read as Windows-1252, and UTF-8 bytes read as
//! Windows-1252 or Windows-1250 — each decoded one word at a time (a cell can mix encodings), and
//! each written by [`damage`] for the sample generator and the tests. The TCVN3 and VNI tables
//! come from the published TCVN 5712 (VN3) and VNI-Windows character tables.

use std::sync::LazyLock;

use encoding_rs::{Encoding, WINDOWS_1250, WINDOWS_1252, WINDOWS_1258};
use unicode_normalization::UnicodeNormalization;

use super::Legacy;

/// The tables' maps: small keys looked up for every character of every word tried.
type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

/// The byte each character came from, when text is bytes read in a single-byte code page (the
/// bytes a code page leaves undefined come through as the control characters of the same
/// number).
fn byte_table(encoding: &'static Encoding) -> HashMap<char, u8> {
    let mut m = HashMap::default();
    for b in 0u8..=255 {
        let bytes = [b];
        let (text, _) = encoding.decode_without_bom_handling(&bytes);
        if let Some(c) = text.chars().next().filter(|c| *c != '\u{fffd}') {
            m.insert(c, b);
        }
        m.entry(char::from(b)).or_insert(b);
    }
    m
}

static CP1252_BYTES: LazyLock<HashMap<char, u8>> = LazyLock::new(|| byte_table(WINDOWS_1252));
static CP1250_BYTES: LazyLock<HashMap<char, u8>> = LazyLock::new(|| byte_table(WINDOWS_1250));

fn as_bytes(s: &str, table: &HashMap<char, u8>) -> Option<Vec<u8>> {
    s.chars().map(|c| table.get(&c).copied()).collect()
}

fn as_cp1252_bytes(s: &str) -> Option<Vec<u8>> {
    as_bytes(s, &CP1252_BYTES)
}

fn decode_double_utf8(s: &str, table: &HashMap<char, u8>) -> Option<String> {
    String::from_utf8(as_bytes(s, table)?).ok()
}

fn decode_windows_1258(s: &str) -> Option<String> {
    let bytes = as_cp1252_bytes(s)?;
    let (text, had_errors) = WINDOWS_1258.decode_without_bom_handling(&bytes);
    (!had_errors).then(|| super::nfc_owned(text.into_owned()))
}

/// `word` (NFC, no space) read back from the damage `legacy` does, when it can be.
pub fn decode(word: &str, legacy: Legacy) -> Option<String> {
    match legacy {
        Legacy::DoubleUtf8 => decode_double_utf8(word, &CP1252_BYTES),
        Legacy::DoubleUtf8Cp1250 => decode_double_utf8(word, &CP1250_BYTES),
        Legacy::Windows1258 => decode_windows_1258(word),
        Legacy::Vni => decode_vni(word),
        Legacy::Tcvn3 => decode_tcvn3(word),
    }
}

/// TCVN3: each byte above 0xA0 is one lower-case letter (capitals exist only for the seven
/// letters with a hat, breve or horn and đ; upper-case words use the same bytes in a capitals
/// font).
const TCVN3: &[(u8, char)] = &[
    (0xA1, 'Ă'),
    (0xA2, 'Â'),
    (0xA3, 'Ê'),
    (0xA4, 'Ô'),
    (0xA5, 'Ơ'),
    (0xA6, 'Ư'),
    (0xA7, 'Đ'),
    (0xA8, 'ă'),
    (0xA9, 'â'),
    (0xAA, 'ê'),
    (0xAB, 'ô'),
    (0xAC, 'ơ'),
    (0xAD, 'ư'),
    (0xAE, 'đ'),
    (0xB5, 'à'),
    (0xB6, 'ả'),
    (0xB7, 'ã'),
    (0xB8, 'á'),
    (0xB9, 'ạ'),
    (0xBB, 'ằ'),
    (0xBC, 'ẳ'),
    (0xBD, 'ẵ'),
    (0xBE, 'ắ'),
    (0xC6, 'ặ'),
    (0xC7, 'ầ'),
    (0xC8, 'ẩ'),
    (0xC9, 'ẫ'),
    (0xCA, 'ấ'),
    (0xCB, 'ậ'),
    (0xCC, 'è'),
    (0xCE, 'ẻ'),
    (0xCF, 'ẽ'),
    (0xD0, 'é'),
    (0xD1, 'ẹ'),
    (0xD2, 'ề'),
    (0xD3, 'ể'),
    (0xD4, 'ễ'),
    (0xD5, 'ế'),
    (0xD6, 'ệ'),
    (0xD7, 'ì'),
    (0xD8, 'ỉ'),
    (0xDC, 'ĩ'),
    (0xDD, 'í'),
    (0xDE, 'ị'),
    (0xDF, 'ò'),
    (0xE1, 'ỏ'),
    (0xE2, 'õ'),
    (0xE3, 'ó'),
    (0xE4, 'ọ'),
    (0xE5, 'ồ'),
    (0xE6, 'ổ'),
    (0xE7, 'ỗ'),
    (0xE8, 'ố'),
    (0xE9, 'ộ'),
    (0xEA, 'ờ'),
    (0xEB, 'ở'),
    (0xEC, 'ỡ'),
    (0xED, 'ớ'),
    (0xEE, 'ợ'),
    (0xEF, 'ù'),
    (0xF1, 'ủ'),
    (0xF2, 'ũ'),
    (0xF3, 'ú'),
    (0xF4, 'ụ'),
    (0xF5, 'ừ'),
    (0xF6, 'ử'),
    (0xF7, 'ữ'),
    (0xF8, 'ứ'),
    (0xF9, 'ự'),
    (0xFA, 'ỳ'),
    (0xFB, 'ỷ'),
    (0xFC, 'ỹ'),
    (0xFD, 'ý'),
    (0xFE, 'ỵ'),
];

/// [`TCVN3`] by byte, built once.
static TCVN3_BY_BYTE: LazyLock<HashMap<u8, char>> =
    LazyLock::new(|| TCVN3.iter().copied().collect());

/// A VNI table by character.
type VniTable = HashMap<char, &'static str>;

/// [`VNI_SINGLE`] and [`VNI_MARKS`] by character, built once.
static VNI_BY_CHAR: LazyLock<(VniTable, VniTable)> = LazyLock::new(|| {
    (
        VNI_SINGLE.iter().copied().collect(),
        VNI_MARKS.iter().copied().collect(),
    )
});

fn decode_tcvn3(s: &str) -> Option<String> {
    let bytes = as_cp1252_bytes(s)?;
    let table = &*TCVN3_BY_BYTE;
    let mut out = String::with_capacity(s.len());
    for word in bytes.split(|b| *b == b' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        // A word typed in capitals keeps its capitals.
        let upper = word
            .iter()
            .filter(|b| b.is_ascii_uppercase() || (0xA1..=0xA7).contains(*b))
            .count();
        let lower = word.iter().filter(|b| b.is_ascii_lowercase()).count();
        let capitals = upper >= 1 && lower == 0;
        for b in word {
            match table.get(b) {
                Some(c) if capitals => out.extend(c.to_uppercase()),
                Some(c) => out.push(*c),
                None if b.is_ascii() => out.push(char::from(*b)),
                None => return None,
            }
        }
    }
    Some(out)
}

/// VNI: a base letter followed by a mark character; ơ, ư, đ and the tone-marked i are single
/// characters.
const VNI_SINGLE: &[(char, &str)] = &[
    ('ô', "ơ"),
    ('Ô', "Ơ"),
    ('ö', "ư"),
    ('Ö', "Ư"),
    ('ñ', "đ"),
    ('Ñ', "Đ"),
    ('ì', "ì"),
    ('Ì', "Ì"),
    ('í', "í"),
    ('Í', "Í"),
    ('æ', "ỉ"),
    ('Æ', "Ỉ"),
    ('ó', "ĩ"),
    ('Ó', "Ĩ"),
    ('ò', "ị"),
    ('Ò', "Ị"),
    ('î', "ỵ"),
    ('Î', "Ỵ"),
];

/// VNI marks: the character and the combining marks it stands for.
const VNI_MARKS: &[(char, &str)] = &[
    ('ø', "\u{300}"),
    ('ù', "\u{301}"),
    ('û', "\u{309}"),
    ('õ', "\u{303}"),
    ('ï', "\u{323}"),
    ('Ø', "\u{300}"),
    ('Ù', "\u{301}"),
    ('Û', "\u{309}"),
    ('Õ', "\u{303}"),
    ('Ï', "\u{323}"),
    ('â', "\u{302}"),
    ('Â', "\u{302}"),
    ('ê', "\u{306}"),
    ('Ê', "\u{306}"),
    ('á', "\u{302}\u{301}"),
    ('à', "\u{302}\u{300}"),
    ('å', "\u{302}\u{309}"),
    ('ã', "\u{302}\u{303}"),
    ('ä', "\u{302}\u{323}"),
    ('Á', "\u{302}\u{301}"),
    ('À', "\u{302}\u{300}"),
    ('Å', "\u{302}\u{309}"),
    ('Ã', "\u{302}\u{303}"),
    ('Ä', "\u{302}\u{323}"),
    ('é', "\u{306}\u{301}"),
    ('è', "\u{306}\u{300}"),
    ('ú', "\u{306}\u{309}"),
    ('ü', "\u{306}\u{303}"),
    ('ë', "\u{306}\u{323}"),
    ('É', "\u{306}\u{301}"),
    ('È', "\u{306}\u{300}"),
    ('Ú', "\u{306}\u{309}"),
    ('Ü', "\u{306}\u{303}"),
    ('Ë', "\u{306}\u{323}"),
];

fn decode_vni(s: &str) -> Option<String> {
    let (single, marks) = &*VNI_BY_CHAR;
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev_base = false;
    for c in s.chars() {
        if prev_base && let Some(m) = marks.get(&c) {
            out.push_str(m);
            prev_base = false;
            continue;
        }
        if let Some(t) = single.get(&c) {
            out.push_str(t);
            // ơ and ư take a tone mark after them.
            prev_base = matches!(c, 'ô' | 'Ô' | 'ö' | 'Ö');
            continue;
        }
        if !c.is_ascii() {
            return None;
        }
        out.push(c);
        prev_base = c.is_ascii_alphabetic();
    }
    Some(super::nfc_owned(out))
}

/// Writes `name` as a legacy encoding damages it (for the sample generator and the tests).
pub fn damage(name: &str, legacy: Legacy) -> String {
    let read = |bytes: &[u8], encoding: &'static Encoding| -> String {
        bytes
            .iter()
            .map(|b| {
                let one = [*b];
                let (t, _) = encoding.decode_without_bom_handling(&one);
                t.chars()
                    .next()
                    .filter(|c| *c != '\u{fffd}')
                    .unwrap_or(char::from(*b))
            })
            .collect()
    };
    let cp1252 = |bytes: &[u8]| read(bytes, WINDOWS_1252);
    match legacy {
        Legacy::DoubleUtf8 => cp1252(name.as_bytes()),
        Legacy::DoubleUtf8Cp1250 => read(name.as_bytes(), WINDOWS_1250),
        Legacy::Windows1258 => cp1252(&crate::sample::write::encode_windows_1258(name)),
        Legacy::Tcvn3 => {
            let mut bytes = Vec::new();
            for c in name.chars() {
                let lower = c.to_lowercase().next().unwrap_or(c);
                if let Some((b, _)) = TCVN3.iter().find(|(_, t)| *t == c) {
                    bytes.push(*b);
                } else if let Some((b, _)) = TCVN3.iter().find(|(_, t)| *t == lower) {
                    // A capital with a tone: the lower-case byte, as in a capitals font.
                    bytes.push(*b);
                } else if c.is_ascii() {
                    bytes.push(c as u8);
                } else {
                    bytes.extend(c.to_string().bytes());
                }
            }
            cp1252(&bytes)
        }
        Legacy::Vni => {
            let mut out = String::new();
            for c in name.chars() {
                if let Some((v, _)) = VNI_SINGLE.iter().find(|(_, t)| t.chars().eq([c])) {
                    out.push(*v);
                    continue;
                }
                let d: Vec<char> = std::iter::once(c).nfd().collect();
                let (base, rest) = d.split_first().map_or((c, &[][..]), |(b, r)| (*b, r));
                // ơ / ư carry their horn in the single character.
                let horn = rest.contains(&'\u{31b}');
                let rest: String = rest.iter().filter(|m| **m != '\u{31b}').collect();
                if horn {
                    let single = match base {
                        'o' => 'ô',
                        'O' => 'Ô',
                        'u' => 'ö',
                        _ => 'Ö',
                    };
                    out.push(single);
                } else {
                    out.push(base);
                }
                if rest.is_empty() {
                    continue;
                }
                let upper = base.is_uppercase();
                let sorted = |t: &str| {
                    let mut v: Vec<char> = t.chars().collect();
                    v.sort_unstable();
                    v
                };
                match VNI_MARKS
                    .iter()
                    .find(|(m, marks)| sorted(marks) == sorted(&rest) && m.is_uppercase() == upper)
                {
                    Some((m, _)) => out.push(*m),
                    None => out.push_str(&rest),
                }
            }
            out
        }
    }
}
