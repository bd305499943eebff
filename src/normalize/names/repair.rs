//! Legacy damage undone the way a Vietnamese reader would: word by word, since a cell can mix
//! encodings (a half-retyped `Buøi Văn Huøng`). Each encoding's reading of each word is scored —
//! a common name word best, then a syllable, a rare syllable, a minority-name word; a word no name
//! has rules a reading out — and a reading is given only when it wins clearly. The rules:
//!
//! - a cell whose every word reads as a listed name word as it stands, with nothing odd in it,
//!   is a plausible clean name: no repair (`Phan Hoàng Dung` stays, though `Hoàng` is VNI for
//!   Hồng);
//! - an encoding is evident when it turns a word no name has into a name word (`Trònh` → Trịnh);
//! - so is a syllable no list of names has that an encoding reads as one of the commonest name
//!   words (`Thò` → Thị, `Sôn` → Sơn, `Vâ` → Võ);
//! - a word that reads as a name word both as it stands and decoded takes the likelier one by
//!   the score; on a tie (`Hoàng`: Hoàng or Hồng), the decoded one when nothing in the cell was
//!   retyped in Unicode (the whole cell is then one encoding), else the cell stays without a
//!   suggestion;
//! - of the encodings, the reading with the best score wins; two different readings with the same
//!   score leave the cell without a suggestion.

use std::rc::Rc;
use std::sync::LazyLock;

use super::legacy::decode;
use super::syllable::{Word, classify};
use super::{Legacy, clean_form, has_anomaly, is_name_char, is_other_apostrophe};
use crate::normalize::text::split_tone;

/// What the damage of a cell reads as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The encoding that damaged it (the winning reading's, or the likeliest one).
    pub legacy: Legacy,
    /// The repaired name in its clean form, when one reading wins clearly: every word a name
    /// word, and no other reading as good.
    pub name: Option<String>,
    /// When no reading wins clearly only because some word reads as a name word both as it
    /// stands and decoded ("Hoàng", or Hồng in VNI): the reading with those words decoded, the
    /// likelier one (a word that already looks right is the one nobody retyped), for a person
    /// to confirm.
    pub likely: Option<String>,
}

/// The score of a reading no name has.
const NOT: u32 = 1_000_000;

/// Surnames (the first word of most names), Kinh and minority.
const SURNAMES: &[&str] = &[
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trương",
    "Đoàn",
    "Lâm",
    "Mai",
    "Tô",
    "Cao",
    "Lương",
    "Hà",
    "Tạ",
    "Vương",
    "Châu",
    "Kiều",
    "La",
    "Triệu",
    "Quách",
    "Thái",
    "Từ",
    "Trịnh",
    "Đào",
    "Lưu",
    "Tăng",
    "Thân",
    "Hứa",
    "Phùng",
    "Mạc",
    "Lã",
    "Lữ",
    "Chu",
    "Khúc",
    "Doãn",
    "Giang",
    "Kim",
    "Nông",
    "Lò",
    "Cầm",
    "Lục",
    "Bế",
    "Đàm",
    "Ma",
    "Thạch",
    "Danh",
    "Sơn",
    "Chau",
    "Mùa",
    "Giàng",
    "Sùng",
    "Vàng",
    "Thào",
    "Lầu",
    "Hờ",
    "Ly",
    "Hạng",
    "Lường",
    "Quàng",
    "Tòng",
    "Vi",
    "Tôn",
    "Âu",
    "Ông",
    "Khổng",
    "Mã",
    "Lạc",
    "Diệp",
    "Quan",
    "Ninh",
    "Thiều",
    "Viên",
    "Nghiêm",
    "Kha",
    "Đồng",
    "Hầu",
    "Khương",
    "Lại",
    "Văn",
    "Tiêu",
    "Khưu",
    "Ung",
    "Âu",
    "Đậu",
    "Đường",
    "Mẫn",
    "Lộc",
    "Nghiêm",
    "Quang",
    "Bạch",
    "Cù",
    "Hàn",
    "Hình",
    "Kiều",
    "Lều",
    "Phó",
    "Trình",
    "Ksor",
    "Siu",
    "Nay",
    "Rơ",
    "Kpă",
    "Y",
    "Rah",
    "Rcom",
];

/// Middle and given names, and the other words names are made of.
const NAMES: &[&str] = &[
    "Văn",
    "Thị",
    "Hữu",
    "Thế",
    "Đức",
    "Minh",
    "Quốc",
    "Thanh",
    "Công",
    "Ngọc",
    "Xuân",
    "Quang",
    "Thành",
    "Đình",
    "Tuấn",
    "Anh",
    "Trọng",
    "Gia",
    "Hoàng",
    "Bảo",
    "Duy",
    "Nhật",
    "Tấn",
    "Phước",
    "Thu",
    "Kim",
    "Mỹ",
    "Hồng",
    "Thùy",
    "Phương",
    "Bích",
    "Hoài",
    "Diệu",
    "Khánh",
    "Tuyết",
    "Ánh",
    "Cẩm",
    "Quỳnh",
    "Hùng",
    "Dũng",
    "Nam",
    "Long",
    "Sơn",
    "Hải",
    "Thắng",
    "Cường",
    "Huy",
    "Phúc",
    "Khang",
    "Trung",
    "Hiếu",
    "Tài",
    "Lộc",
    "Phong",
    "Vinh",
    "Toàn",
    "Thịnh",
    "Tùng",
    "Khoa",
    "Đạt",
    "An",
    "Bình",
    "Hòa",
    "Nghĩa",
    "Quân",
    "Việt",
    "Kiên",
    "Hưng",
    "Lực",
    "Trí",
    "Nhân",
    "Thuận",
    "Tiến",
    "Tâm",
    "Thiện",
    "Phát",
    "Khải",
    "Hậu",
    "Lâm",
    "Vũ",
    "Kỳ",
    "Thủy",
    "Lan",
    "Hương",
    "Hoa",
    "Mai",
    "Linh",
    "Trang",
    "Hà",
    "Thảo",
    "Huyền",
    "Nhung",
    "Hạnh",
    "Yến",
    "Loan",
    "Dung",
    "Vy",
    "Nhi",
    "Trâm",
    "Quyên",
    "Giang",
    "Oanh",
    "Diễm",
    "My",
    "Uyên",
    "Châu",
    "Hằng",
    "Liên",
    "Nga",
    "Thư",
    "Vân",
    "Hiền",
    "Thoa",
    "Thúy",
    "Ly",
    "Khuê",
    "Hân",
    "Thương",
    "Kiều",
    "Nữ",
    "Hiển",
    "Hiệp",
    "Hảo",
    "Hào",
    "Hoan",
    "Học",
    "Hợp",
    "Khôi",
    "Khiêm",
    "Lai",
    "Lành",
    "Lệ",
    "Liễu",
    "Lợi",
    "Luân",
    "Luận",
    "Mạnh",
    "Mẫn",
    "Mến",
    "Nguyệt",
    "Nhàn",
    "Như",
    "Ninh",
    "Phụng",
    "Phượng",
    "Quế",
    "Quý",
    "Quyết",
    "Sang",
    "Sáng",
    "Sinh",
    "Sỹ",
    "Sĩ",
    "Tân",
    "Thái",
    "Thắm",
    "Thiên",
    "Thơ",
    "Thông",
    "Thuần",
    "Tín",
    "Tình",
    "Trà",
    "Trinh",
    "Trúc",
    "Trường",
    "Tú",
    "Tuệ",
    "Tư",
    "Tường",
    "Vĩnh",
    "Xuyến",
    "Yên",
    "Ý",
    "Chi",
    "Cúc",
    "Dương",
    "Đào",
    "Điệp",
    "Đông",
    "Đạo",
    "Định",
    "Đăng",
    "Hạ",
    "Huệ",
    "Hường",
    "Lam",
    "Liêm",
    "Luyến",
    "Mơ",
    "Nhẫn",
    "Phi",
    "Sương",
    "Thêm",
    "Thìn",
    "Thoại",
    "Thơm",
    "Tịnh",
    "Tuyền",
    "Tươi",
    "Vui",
    "Xinh",
    "Ân",
    "Bắc",
    "Cảnh",
    "Chiến",
    "Chính",
    "Cửu",
    "Danh",
    "Điền",
    "Đoan",
    "Giao",
    "Hạnh",
    "Hiệu",
    "Hoạt",
    "Huân",
    "Hướng",
    "Kha",
    "Khiết",
    "Khuyên",
    "Lạc",
    "Lập",
    "Lĩnh",
    "Loan",
    "Lục",
    "Lụa",
    "Mạc",
    "Mẫu",
    "Mộng",
    "Nhạn",
    "Nhiên",
    "Nhung",
    "Nương",
    "Phấn",
    "Phú",
    "Phùng",
    "Quyền",
    "Sa",
    "Sâm",
    "Sen",
    "Sở",
    "Sử",
    "Tạo",
    "Thạch",
    "Thăng",
    "Thoa",
    "Thục",
    "Thuý",
    "Thủ",
    "Thức",
    "Tiên",
    "Tỉnh",
    "Toản",
    "Trầm",
    "Triều",
    "Trực",
    "Tuân",
    "Tuyên",
    "Vấn",
    "Vượng",
    "Xương",
    "Yên",
    "Em",
    "Út",
    "Bé",
    "Hai",
    "Ba",
    "Tư",
    "Năm",
    "Sáu",
    "Bảy",
    "Tám",
    "Chín",
    "Mười",
    "Hên",
    "Lệ",
    "Ngân",
    "Nguyên",
    "Hoà",
    "Ái",
    "Đan",
    "Diệp",
    "Hậu",
    "Khanh",
    "Kiệt",
    "Lễ",
    "Nhật",
    "Pháp",
    "Tiệp",
    "Trâm",
    "Vĩ",
    "Vỹ",
    "Hạo",
    "Quyết",
    "Thọ",
    "Tùng",
    "Hiên",
    "Duyên",
    "Nhàn",
    "Mỵ",
    "Chung",
    "Thuỳ",
    "Dạ",
    "Ngà",
    "Quyến",
    "Pâng",
    "Páo",
    "Sùng",
    "Seo",
    "Mí",
    "A",
    "Chư",
    "Pó",
    "Dế",
    "Mỷ",
    "Sua",
    "Chứ",
    "Dình",
    "Xiêng",
    "Ún",
    "Muôn",
    "Phóng",
    "Hặc",
    "Dền",
    "Pẻng",
    "Slình",
    "Nhình",
    "Rinh",
    "Sóc",
    "Phia",
    "Sô",
    "Sà",
    "Rương",
    "Đa",
    "Ra",
    "Niê",
    "Mlô",
    "Ayun",
    "Byă",
    "Kbuôr",
    "Hđơk",
    "Adrơng",
    "Êban",
    "Kdăm",
    "Mah",
    "Plih",
    "Kơn",
    "Bloanh",
    "Thuyên",
    "Blúi",
    "Đăm",
    "Hen",
    "Yim",
    "Bia",
    "Ngông",
    "Moan",
    "Nu",
];

/// The commonest words of names: a syllable no list has ("Thò", "Sôn", "Vâ") that an encoding
/// reads as one of these (Thị, Sơn, Võ) is damage by itself.
const COMMONEST: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Hồng", "Sơn",
    "Hùng", "Dũng", "Tuấn", "Anh", "Hương", "Lan", "Linh", "Thu", "Quốc", "Xuân",
];

/// A word's key for the name lists: small letters without tones, then the tone, so that "Hoà"
/// and "Hòa" meet.
fn key(word: &str) -> String {
    with_key(word, str::to_string)
}

/// Gives `f` the [`key`] of `word`, built on the stack (composed first only when it is not, and
/// every word of a clean form is): the name lists are asked about every word of every reading.
fn with_key<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; KEY];
    f(key_in(&super::nfc(word), &mut buf).unwrap_or_default())
}

/// The longest key looked up.
const KEY: usize = 48;

/// [`key`] of a composed word, written in `buf` (no allocation); `None` when it does not fit.
fn key_in<'b>(word: &str, buf: &'b mut [u8; KEY]) -> Option<&'b str> {
    let mut len = 0;
    let mut tone = None;
    let mut push = |c: char, len: &mut usize| -> Option<()> {
        let n = c.len_utf8();
        c.encode_utf8(buf.get_mut(*len..*len + n)?);
        *len += n;
        Some(())
    };
    for c in word.chars().flat_map(char::to_lowercase) {
        match split_tone(c) {
            Some((b, t)) => {
                push(b, &mut len)?;
                tone = tone.or(t);
            }
            None => push(c, &mut len)?,
        }
    }
    if let Some(t) = tone {
        push(t, &mut len)?;
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// Whether a composed word is on the name lists, found without allocating (the clean-name fast
/// path asks it of words that an encoding could have changed).
pub fn is_listed(word: &str) -> bool {
    let mut buf = [0u8; KEY];
    key_in(word, &mut buf).is_some_and(|k| NAME_KEYS.contains(k))
}

/// A set of keys: looked up for every word of every reading tried, so with a fast hasher.
type Keys = std::collections::HashSet<String, ahash::RandomState>;

static SURNAME_KEYS: LazyLock<Keys> = LazyLock::new(|| SURNAMES.iter().map(|w| key(w)).collect());
static COMMONEST_KEYS: LazyLock<Keys> =
    LazyLock::new(|| COMMONEST.iter().map(|w| key(w)).collect());
static NAME_KEYS: LazyLock<Keys> =
    LazyLock::new(|| NAMES.iter().chain(SURNAMES).map(|w| key(w)).collect());
static GIVEN_KEYS: LazyLock<Keys> = LazyLock::new(|| NAMES.iter().map(|w| key(w)).collect());

/// Where a word stands in a name: the surname comes first, the given name last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pos {
    First,
    Middle,
    Last,
}

impl Pos {
    /// The position of token `i` of `n`.
    fn of(i: usize, n: usize) -> Pos {
        if i == 0 {
            Pos::First
        } else if i + 1 == n {
            Pos::Last
        } else {
            Pos::Middle
        }
    }
}

/// What legacy encodings make of the commonest surnames when that is a given name ("Hồ" in VNI
/// is "Hoà"): such a first word is a closer look's, not a clean name's.
static SURNAME_LOOKALIKES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut out: Vec<String> = COMMONEST
        .iter()
        .filter(|w| SURNAME_KEYS.contains(&key(w)))
        .flat_map(|w| Legacy::TRIED.map(|l| super::legacy::damage(w, l)))
        .filter(|d| {
            let k = key(d);
            GIVEN_KEYS.contains(&k) && !SURNAME_KEYS.contains(&k)
        })
        .collect();
    out.sort();
    out.dedup();
    out
});

/// Whether the first word of `s` is what an encoding makes of a common surname and is a given
/// name as it stands ("Hoà Thị Lan" is VNI for Hồ Thị Lan): the clean-name fast path asks it.
pub fn first_word_is_surname_lookalike(s: &str) -> bool {
    // Each look-alike is compared with the start of `s` (no search for the first space: this
    // runs on every name read).
    SURNAME_LOOKALIKES.iter().any(|w| {
        s.strip_prefix(w.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    })
}

/// The score of one word (lower is likelier): a surname first or a name word elsewhere 0, a
/// name word first or a surname that is no given name last 1 (Hồ is a surname, Hoà a given
/// name), a syllable 2, a rare syllable 4, a minority word 5, no name's word [`NOT`].
fn word_score(word: &str, pos: Pos) -> u32 {
    let (class, given, surname) = word_facts(word);
    if class == Word::Not {
        return NOT;
    }
    match pos {
        Pos::First if surname => return 0,
        Pos::Middle if given || surname => return 0,
        Pos::Last if given => return 0,
        _ if given || surname => return 1,
        _ => {}
    }
    match class {
        Word::Syllable => 2,
        Word::Rare => 4,
        _ => 5,
    }
}

/// What [`word_facts`] found of the words a thread met.
type Facts = std::collections::HashMap<String, (Word, bool, bool), ahash::RandomState>;

thread_local! {
    static FACTS: std::cell::RefCell<Facts> = std::cell::RefCell::new(Facts::default());
}

/// How `word` reads, and whether it is a listed given name and a listed surname. The same
/// words come back in reading after reading (every encoding is tried on every damaged name), so
/// each thread remembers the last few thousand.
fn word_facts(word: &str) -> (Word, bool, bool) {
    /// Past this many words the memory is emptied (a few hundred kilobytes at most: only words
    /// of at most [`KEY`] bytes are kept).
    const REMEMBERED: usize = 4096;
    let facts = |w: &str| {
        let (given, surname) = with_key(w, |k| (GIVEN_KEYS.contains(k), SURNAME_KEYS.contains(k)));
        (classify(w), given, surname)
    };
    FACTS.with(|cell| {
        let Ok(mut memo) = cell.try_borrow_mut() else {
            return facts(word);
        };
        if let Some(f) = memo.get(word) {
            return *f;
        }
        let f = facts(word);
        // A word longer than any key is no name's and does not come back: not worth its room.
        if word.len() <= KEY {
            if memo.len() >= REMEMBERED {
                memo.clear();
            }
            memo.insert(word.to_string(), f);
        }
        f
    })
}

/// Whether a decoded token is one of the [`COMMONEST`] words.
fn commonest(token: &str) -> bool {
    let clean = clean_form(token);
    !clean.contains(' ') && with_key(&clean, |k| COMMONEST_KEYS.contains(k))
}

/// The score of a cell's token (what lies between two spaces; a no-break space inside it is
/// damage, not a word break), as its clean form reads.
#[cfg(test)]
fn token_score(token: &str, pos: Pos) -> u32 {
    clean_score(&clean_form(token), pos)
}

/// The score of the token whose clean form is `clean` (the sum of its words' scores).
fn clean_score(clean: &str, pos: Pos) -> u32 {
    if !clean.chars().all(|c| c == ' ' || is_name_char(c)) {
        return NOT;
    }
    let mut total = 0u32;
    let mut any = false;
    let words = || clean.split(' ').filter(|w| !w.is_empty());
    let last = words().count().saturating_sub(1);
    for (i, w) in words().enumerate() {
        any = true;
        let at = match pos {
            Pos::First if i == 0 => Pos::First,
            Pos::Last if i == last => Pos::Last,
            _ => Pos::Middle,
        };
        total = total.saturating_add(word_score(w, at));
    }
    if any { total.min(NOT) } else { NOT }
}

/// What an encoding makes of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decoded {
    /// Nothing the clean form would not do (plain letters).
    Same,
    /// The token holds characters that encoding never shows: typed in Unicode.
    Foreign,
    /// Another text, with its score.
    Text(Rc<str>, u32),
}

/// Each token's readings met so far, by encoding and place in the name (`slot`).
type Decodings = std::collections::HashMap<Box<str>, [Option<Decoded>; SLOTS], ahash::RandomState>;

/// One reading a token can have: each encoding tried, at each place in a name.
const SLOTS: usize = Legacy::TRIED.len() * 3;

thread_local! {
    /// Damaged names repeat their words (a surname, "Thị", "Văn" damaged the same way), and
    /// reading a token in an encoding (decoding, the clean form, the score of each word) costs
    /// thousands of instructions: each thread works a reading out once.
    static DECODINGS: std::cell::RefCell<Decodings> = std::cell::RefCell::new(Decodings::default());
}

/// Where a reading is kept in a token's readings (none for an encoding not tried).
fn slot(legacy: Legacy, pos: Pos) -> Option<usize> {
    let l = Legacy::TRIED.iter().position(|t| *t == legacy)?;
    let p = match pos {
        Pos::First => 0,
        Pos::Middle => 1,
        Pos::Last => 2,
    };
    Some(l * 3 + p)
}

/// `decode_token`, remembered per thread for up to 4,096 tokens of names (the memory stays
/// bounded on a dump where every damaged word differs). `clean_token` is the token's clean form,
/// so the token alone is the key.
fn decoded(token: &str, clean_token: &str, legacy: Legacy, pos: Pos) -> Decoded {
    const REMEMBERED: usize = 4096;
    DECODINGS.with(|cell| {
        let (Ok(mut memo), Some(at)) = (cell.try_borrow_mut(), slot(legacy, pos)) else {
            return decode_token(token, clean_token, legacy, pos);
        };
        if let Some(Some(d)) = memo.get(token).map(|readings| &readings[at]) {
            return d.clone();
        }
        let d = decode_token(token, clean_token, legacy, pos);
        if token.len() <= KEY {
            if memo.len() >= REMEMBERED && !memo.contains_key(token) {
                memo.clear();
            }
            memo.entry(token.into()).or_default()[at] = Some(d.clone());
        }
        d
    })
}

fn decode_token(token: &str, clean_token: &str, legacy: Legacy, pos: Pos) -> Decoded {
    // The apostrophe family reads as `'` (but for UTF-8 read as a code page, where ‘ and ’ are
    // bytes of letters: "á»‘" is "ố").
    let double = matches!(legacy, Legacy::DoubleUtf8 | Legacy::DoubleUtf8Cp1250);
    let plain: String;
    let word = if !double && token.chars().any(is_other_apostrophe) {
        plain = token
            .chars()
            .map(|c| if is_other_apostrophe(c) { '\'' } else { c })
            .collect();
        plain.as_str()
    } else {
        token
    };
    match decode(word, legacy) {
        None => Decoded::Foreign,
        Some(text) => {
            let clean = clean_form(&text);
            if clean == clean_token {
                Decoded::Same
            } else {
                Decoded::Text(text.into(), clean_score(&clean, pos))
            }
        }
    }
}

/// Whether reading a word as `decoded` rather than `as_is` is evidence of damage by itself: a
/// word no list of names has (a syllable such as "Thò", "Sôn") made a common name word (Thị, Sơn),
/// or a first word that is no surname made a common surname ("Hoà" is VNI for Hồ).
fn weak(as_is: u32, decoded: u32, pos: Pos) -> bool {
    as_is >= 2 && decoded <= 1 || pos == Pos::First && as_is == 1 && decoded == 0
}

/// One encoding's reading of a cell.
struct Reading {
    legacy: Legacy,
    name: String,
    score: u32,
    /// A word read either way with the same score.
    tie: bool,
    /// The name with every such word decoded.
    likely: String,
}

/// A token as it stands: its score, and whether it shows damage (a word no name has, or
/// something no Vietnamese name shows even where the clean form reads as a name: "ð", a
/// no-break space, a capital inside a word, a legacy mark after a vowel).
struct AsIs {
    score: u32,
    odd: bool,
    /// The token's clean form (what a reading that changes nothing gives).
    clean: String,
}

fn read_as(tokens: &[&str], as_is: &[AsIs], legacy: Legacy) -> Option<Reading> {
    let decoded: Vec<Decoded> = tokens
        .iter()
        .enumerate()
        .zip(as_is)
        .map(|((i, t), a)| decoded(t, &a.clean, legacy, Pos::of(i, tokens.len())))
        .collect();
    // A token typed in Unicode: the encoding cannot show it, or reads it as no name's word.
    let unicode = decoded.iter().zip(as_is).any(|(d, a)| match d {
        Decoded::Text(_, s) => !a.odd && *s >= NOT,
        Decoded::Foreign => !a.odd,
        Decoded::Same => false,
    });
    // A cell partly in Unicode is VNI's in practice (VNI's marks follow their vowel, so a typo
    // rarely reads as VNI); with another encoding, its damaged words must read as listed names,
    // or a typo in a Unicode name ("Nguyễn Thùu Châu") would be read as TCVN3 ("Thựu").
    let listed_only = unicode && legacy != Legacy::Vni;
    let mut words: Vec<&str> = Vec::with_capacity(tokens.len());
    let mut likely: Vec<&str> = Vec::with_capacity(tokens.len());
    let (mut score, mut tie, mut evident) = (0u32, false, false);
    for (i, ((d, a), t)) in decoded.iter().zip(as_is).zip(tokens).enumerate() {
        let (odd, a) = (a.odd, a.score);
        // The word of this reading, the word of the likely reading, the score.
        let (word, likely_word, s) = match d {
            Decoded::Text(text, s)
                if *s < NOT
                    && *s <= a
                    && (!listed_only || *s <= 1)
                    && (odd || (weak(a, *s, Pos::of(i, tokens.len())) && commonest(text))) =>
            {
                // Damage evident in the token (or a word no name has made a common name word:
                // "Thò" → Thị): the reading that makes it a name's.
                evident = true;
                (&**text, &**text, *s)
            }
            Decoded::Text(text, s) if !odd && *s < a => (&**text, &**text, *s),
            // A word read either way has no certain reading: it may be one a person retyped in
            // Unicode. The likely one is the encoding's (a word that looks right is one nobody
            // retyped), and the cell's reading the encoding's when nothing in it shows Unicode.
            Decoded::Text(text, s) if !odd && *s == a && *s < NOT => {
                tie = true;
                let word = if unicode { *t } else { &**text };
                (word, &**text, a)
            }
            _ => (*t, *t, a),
        };
        words.push(word);
        likely.push(likely_word);
        score = score.saturating_add(s);
    }
    if !evident {
        return None;
    }
    Some(Reading {
        legacy,
        name: clean_form(&words.join(" ")),
        score: score.min(NOT),
        tie,
        likely: clean_form(&likely.join(" ")),
    })
}

/// How the damage of `s` reads, if `s` shows damage: a word no name has that an encoding turns
/// into a name word. `None` for a plausible clean name and for text no encoding explains.
pub fn repair(s: &str) -> Option<Repair> {
    let s = super::nfc(s);
    let tokens: Vec<&str> = s
        .split([' ', '\t', '\n', '\r'])
        .filter(|t| !t.is_empty())
        .collect();
    // In a cell typed in capitals, a word with a small letter after its first is TCVN3's: its
    // capitals font shows a toned letter by its small letter's code ("Vò THÕ HUY").
    let capitals =
        s.chars().any(|c| c.is_ascii_uppercase()) && !s.chars().any(|c| c.is_ascii_lowercase());
    let as_is: Vec<AsIs> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let clean = clean_form(t);
            let score = clean_score(&clean, Pos::of(i, tokens.len()));
            let small = capitals && t.chars().skip(1).any(char::is_lowercase);
            AsIs {
                score,
                odd: score >= NOT || small || has_anomaly(t),
                clean,
            }
        })
        .collect();
    // Nothing odd and every word a listed name word, the first a surname: a clean name.
    let surname_first = as_is.first().is_some_and(|a| a.score == 0) || tokens.len() < 2;
    if surname_first && !as_is.iter().any(|a| a.odd || a.score >= 2) {
        return None;
    }
    let readings: Vec<Reading> = Legacy::TRIED
        .iter()
        .filter_map(|l| read_as(&tokens, &as_is, *l))
        .collect();
    let first = readings.first()?;
    let Some(best) = readings
        .iter()
        .filter(|r| r.score < NOT)
        .min_by_key(|r| r.score)
    else {
        return Some(Repair {
            legacy: first.legacy,
            name: None,
            likely: None,
        });
    };
    let rivals = readings
        .iter()
        .any(|r| r.score == best.score && r.name != best.name);
    let tied = best.tie || readings.iter().any(|r| r.name == best.name && r.tie);
    Some(Repair {
        legacy: best.legacy,
        name: (!rivals && !tied).then(|| best.name.clone()),
        likely: (!rivals && best.tie).then(|| best.likely.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A name word, damaged by one of the encodings tried, or any text.
    fn token() -> impl Strategy<Value = String> {
        let words: Vec<&str> = SURNAMES.iter().chain(NAMES).copied().collect();
        prop_oneof![
            (
                proptest::sample::select(words.clone()),
                0..Legacy::TRIED.len()
            )
                .prop_map(|(w, l)| super::super::legacy::damage(w, Legacy::TRIED[l])),
            proptest::sample::select(words).prop_map(str::to_string),
            "\\PC{1,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// A token's remembered reading is the one worked out afresh, in every encoding and at
        /// every place in a name, the first time and when met again.
        #[test]
        fn remembered_readings_are_the_readings(tokens in proptest::collection::vec(token(), 1..6)) {
            for token in tokens.iter().chain(&tokens) {
                let clean = clean_form(token);
                for legacy in Legacy::TRIED {
                    for pos in [Pos::First, Pos::Middle, Pos::Last] {
                        prop_assert_eq!(
                            decoded(token, &clean, legacy, pos),
                            decode_token(token, &clean, legacy, pos),
                            "{:?} {:?} {:?}", token, legacy, pos
                        );
                    }
                }
            }
        }
    }

    fn name(s: &str) -> Option<String> {
        repair(s).and_then(|r| r.name)
    }

    #[test]
    fn name_lists_are_name_words() {
        for w in SURNAMES.iter().chain(NAMES) {
            assert!(classify(w).is_word(), "{w}: {:?}", classify(w));
        }
        assert_eq!(key("Hoà"), key("Hòa"));
        assert_eq!(key("THUỶ"), key("thủy"));
    }

    #[test]
    fn scores() {
        assert_eq!(word_score("Nguyễn", Pos::First), 0);
        assert_eq!(word_score("Hòa", Pos::First), 1);
        assert_eq!(word_score("Hoà", Pos::Middle), 0);
        assert_eq!(word_score("Hoà", Pos::Last), 0);
        assert_eq!(word_score("Hồ", Pos::Middle), 0);
        assert_eq!(word_score("Hồ", Pos::Last), 1);
        assert_eq!(word_score("Thò", Pos::Middle), 2);
        assert_eq!(word_score("Thuở", Pos::Middle), 4);
        assert_eq!(word_score("Kpah", Pos::Middle), 5);
        assert_eq!(word_score("Trònh", Pos::Middle), NOT);
        assert_eq!(token_score("Toă\u{a0}N", Pos::Middle), NOT);
    }

    /// What a thread remembers of a word is what it would find again, and long words are not
    /// kept.
    #[test]
    fn remembered_word_facts_are_the_facts() {
        let long = "Ngh".repeat(40);
        for w in [
            "Nguyễn",
            "Hoà",
            "Hòa",
            "Thò",
            "Trònh",
            "Kpah",
            long.as_str(),
            "Nguyễn",
        ] {
            let direct = with_key(w, |k| {
                (
                    classify(w),
                    GIVEN_KEYS.contains(k),
                    SURNAME_KEYS.contains(k),
                )
            });
            assert_eq!(word_facts(w), direct, "{w}");
            assert_eq!(word_facts(w), direct, "{w}, remembered");
        }
        FACTS.with(|memo| {
            let memo = memo.borrow();
            assert!(memo.contains_key("Trònh"));
            assert!(!memo.keys().any(|w| w.len() > KEY));
        });
    }

    #[test]
    fn plausible_names_are_not_repaired() {
        for s in ["Ngô Toàn", "Hoàng Văn Hoà", "Quách Thuở", "Tồn Hoà"] {
            assert_eq!(repair(s), None, "{s}");
        }
    }

    #[test]
    fn a_first_word_that_is_no_surname_but_a_common_one_damaged_is_repaired() {
        assert_eq!(*SURNAME_LOOKALIKES, ["Hoà"]);
        assert!(first_word_is_surname_lookalike("Hoà Thị Lan"));
        assert!(!first_word_is_surname_lookalike("Nguyễn Thị Hoà"));
        assert_eq!(name("Hoà Thị Lan").as_deref(), Some("Hồ Thị Lan"));
        assert_eq!(name("Hoà Huyền").as_deref(), Some("Hồ Huyền"));
        // Last, Hoà is the given name and Hồ a surname.
        assert_eq!(name("Leâ Vaên Hoà").as_deref(), Some("Lê Văn Hoà"));
        assert_eq!(name("Hoaøng Hoà").as_deref(), Some("Hoàng Hoà"));
        assert_eq!(repair("Nguyễn Văn Hoà"), None);
        // "ngh" is never written before o: "Nghóa" is VNI for Nghĩa.
        assert_eq!(name("Nguyễn Nghóa").as_deref(), Some("Nguyễn Nghĩa"));
        assert_eq!(name("Võ Gia Nghóa").as_deref(), Some("Võ Gia Nghĩa"));
    }

    #[test]
    fn readings() {
        // A rare word that reads as a listed one is no damage but for the commonest ("Tó" is
        // TCVN3 for Tú, and a name).
        assert_eq!(repair("Đặng Văn Tó"), None);
        // A typo in a Unicode name is no TCVN3 ("Thùu" would read "Thựu").
        assert_eq!(name("Nguyễn Thùu Châu"), None);
        assert_eq!(name("Trònh Thò Lan").as_deref(), Some("Trịnh Thị Lan"));
        assert_eq!(name("Thò Lan").as_deref(), Some("Thị Lan"));
        assert_eq!(name("Nguyễn Thò Sơn").as_deref(), Some("Nguyễn Thị Sơn"));
        assert_eq!(name("Vâ ThÞ Lan").as_deref(), Some("Võ Thị Lan"));
        assert_eq!(
            name("Nguyễn Thò Huyeàn").as_deref(),
            Some("Nguyễn Thị Huyền")
        );
        assert_eq!(name("Buøi Văn Huøng").as_deref(), Some("Bùi Văn Hùng"));
    }
}
