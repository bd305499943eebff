//! Text folding shared by header matching, place matching and person keys: accents, case,
//! punctuation and repeated spaces are dropped, so "Họ và tên", "HO VA TEN" and "ho_va ten" meet.
//! Letters of the Latin blocks that Vietnamese uses fold through a table built once; other
//! characters through Unicode decomposition.

use std::hash::Hasher;
use std::sync::LazyLock;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// First and last code point covered by the fold table (Latin-1 Supplement to Latin Extended
/// Additional, where every Vietnamese letter lives).
const TABLE_START: u32 = 0x00C0;
const TABLE_END: u32 = 0x1EFF;

/// The five tone marks of Vietnamese (grave, acute, tilde, hook above, dot below), as combining
/// characters.
pub const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Whether `c` is one of the [`TONE_MARKS`].
pub fn is_tone_mark(c: char) -> bool {
    TONE_MARKS.contains(&c)
}

/// For each covered code point: its folded ASCII letter (0 when it folds to something else) and
/// whether it carries a tone mark.
static LETTERS: LazyLock<Vec<(u8, bool)>> = LazyLock::new(|| {
    (TABLE_START..=TABLE_END)
        .map(|cp| {
            let Some(c) = char::from_u32(cp) else {
                return (0, false);
            };
            let mut base = None;
            let mut count = 0;
            let mut tone = false;
            decompose_canonical(c, |d| {
                if is_tone_mark(d) {
                    tone = true;
                }
                if !is_combining_mark(d) {
                    base = Some(d);
                    count += 1;
                }
            });
            let folded = match (base, count) {
                (Some('đ' | 'Đ' | 'Ð' | 'ð'), _) => b'd',
                (Some(b), 1) if b.is_ascii_alphabetic() => b.to_ascii_lowercase() as u8,
                _ => 0,
            };
            (folded, tone)
        })
        .collect()
});

/// A character without its tone mark, and the tone mark.
type ToneSplit = (char, Option<char>);

/// For each covered code point: the character without its tone mark and the tone mark, or `None`
/// when that is not one character and at most one tone (left to decomposition).
static TONELESS: LazyLock<Vec<Option<ToneSplit>>> = LazyLock::new(|| {
    use unicode_normalization::UnicodeNormalization;
    (TABLE_START..=TABLE_END)
        .map(|cp| {
            let c = char::from_u32(cp)?;
            let mut tones = Vec::new();
            let mut rest = String::new();
            decompose_canonical(c, |d| {
                if is_tone_mark(d) {
                    tones.push(d);
                } else {
                    rest.push(d);
                }
            });
            let mut composed = rest.nfc();
            match (composed.next(), composed.next(), tones.as_slice()) {
                (Some(base), None, []) => Some((base, None)),
                (Some(base), None, [t]) => Some((base, Some(*t))),
                _ => None,
            }
        })
        .collect()
});

/// `c` without its tone mark, and the tone mark: what decomposing, leaving the tone out and
/// composing again gives, from a table for the Latin blocks. `None` for other characters and
/// combining marks (the caller then decomposes).
pub fn split_tone(c: char) -> Option<(char, Option<char>)> {
    if c.is_ascii() {
        return Some((c, None));
    }
    let cp = c as u32;
    if (TABLE_START..=TABLE_END).contains(&cp) {
        return TONELESS[(cp - TABLE_START) as usize];
    }
    None
}

/// The letter `c` folds to (lower-case ASCII; 0 when it folds to something else) and whether it
/// carries a tone mark, from a table for the Latin blocks and by decomposition elsewhere.
pub fn letter(c: char) -> (u8, bool) {
    if c.is_ascii() {
        return (c.to_ascii_lowercase() as u8, false);
    }
    let cp = c as u32;
    if (TABLE_START..=TABLE_END).contains(&cp) {
        return LETTERS[(cp - TABLE_START) as usize];
    }
    let mut base = 0;
    let mut tone = false;
    decompose_canonical(c, |d| {
        tone |= is_tone_mark(d);
        if base == 0 && d.is_ascii_alphabetic() {
            base = d.to_ascii_lowercase() as u8;
        }
    });
    (base, tone)
}

/// Word-separator state of a fold in progress.
struct Words<F: FnMut(char)> {
    push: F,
    started: bool,
    pending_space: bool,
}

impl<F: FnMut(char)> Words<F> {
    fn letter(&mut self, c: char) {
        if self.pending_space && self.started {
            (self.push)(' ');
        }
        self.pending_space = false;
        self.started = true;
        (self.push)(c);
    }

    fn separator(&mut self) {
        self.pending_space = true;
    }
}

/// Calls `push` with each folded character of `s`, and with `' '` between words.
fn fold_chars(s: &str, push: impl FnMut(char)) {
    let mut w = Words {
        push,
        started: false,
        pending_space: false,
    };
    for c in s.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                w.letter(c.to_ascii_lowercase());
            } else {
                w.separator();
            }
            continue;
        }
        let cp = c as u32;
        if (TABLE_START..=TABLE_END).contains(&cp) {
            let folded = LETTERS[(cp - TABLE_START) as usize].0;
            if folded != 0 {
                w.letter(folded as char);
                continue;
            }
        }
        match c {
            'đ' | 'Đ' | 'Ð' | 'ð' => w.letter('d'),
            c if is_combining_mark(c) => {}
            c => decompose_canonical(c, |d| {
                if is_combining_mark(d) {
                } else if d.is_alphanumeric() {
                    d.to_lowercase().for_each(|l| w.letter(l));
                } else {
                    w.separator();
                }
            }),
        }
    }
}

/// Folds `s` to lowercase ASCII-ish words separated by one space: accents removed, `đ` → `d`,
/// everything that is not a letter or digit becomes a separator.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_chars(s, |c| out.push(c));
    out
}

/// [`fold`] without the spaces between words: "Hòa An" → "hoaan".
pub fn fold_compact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_chars(s, |c| {
        if c != ' ' {
            out.push(c);
        }
    });
    out
}

/// A stable hash of [`fold`]`(s)`, without building the string; 0 when `s` folds to nothing.
pub fn fold_hash(s: &str) -> u64 {
    let mut h = crate::util::StableHasher::default();
    let mut any = false;
    fold_chars(s, |c| {
        any = true;
        h.write_u32(c as u32);
    });
    if any { h.finish() | 1 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_headers_together() {
        for (raw, folded) in [
            ("Họ và tên", "ho va ten"),
            ("  HỌ VÀ TÊN ", "ho va ten"),
            ("Số CMND/CCCD", "so cmnd cccd"),
            ("Đắk Lắk", "dak lak"),
            ("Ðồng", "dong"),
            // Decomposed input folds like composed input.
            ("Nguye\u{302}\u{303}n", "nguyen"),
            ("ho_va--ten", "ho va ten"),
            ("", ""),
            ("Straße №1", "straße 1"),
        ] {
            assert_eq!(fold(raw), folded, "{raw:?}");
        }
    }

    #[test]
    fn every_vietnamese_letter_folds_to_its_base() {
        for (letters, base) in [
            ("aàáảãạăằắẳẵặâầấẩẫậ", "a"),
            ("eèéẻẽẹêềếểễệ", "e"),
            ("iìíỉĩị", "i"),
            ("oòóỏõọôồốổỗộơờớởỡợ", "o"),
            ("uùúủũụưừứửữự", "u"),
            ("yỳýỷỹỵ", "y"),
            ("dđ", "d"),
        ] {
            let want = base.repeat(letters.chars().count());
            assert_eq!(fold(letters), want);
            assert_eq!(fold(&letters.to_uppercase()), want);
        }
    }

    #[test]
    fn letters_and_tones() {
        assert_eq!(letter('ễ'), (b'e', true));
        assert_eq!(letter('Ê'), (b'e', false));
        assert_eq!(letter('đ'), (b'd', false));
        assert_eq!(letter('A'), (b'a', false));
        assert_eq!(letter('ß'), (0, false));
        assert!(is_tone_mark('\u{323}'));
        assert!(!is_tone_mark('\u{302}'));
    }

    #[test]
    fn hash_matches_fold() {
        assert_eq!(fold_hash("Nguyễn Văn An"), fold_hash("NGUYEN  van-an"));
        assert_ne!(fold_hash("Nguyễn Văn An"), fold_hash("Nguyễn Văn Anh"));
        assert_eq!(fold_hash(" - "), 0);
    }
}
