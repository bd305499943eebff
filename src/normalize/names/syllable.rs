//! Whether a word of a name reads as Vietnamese: a syllable (an onset, a rhyme and a tone that go
//! together — a rhyme ending in -p, -t, -c or -ch takes only the sắc or nặng tone), or a word of a
//! minority name (an apostrophe, f/j/w/z, onsets such as "kp" or "bl", finals such as "r" or "l",
//! several syllables written as one word: "H'Bloanh", "Ksor", "Êban"). Capitals read as their
//! small letters; the tone may sit on either vowel ("Hoà", "Hòa"). The check allocates nothing:
//! the clean-name fast path runs it on every word.

use crate::normalize::text::split_tone;

/// How a word of a name reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Word {
    /// A Vietnamese syllable.
    Syllable,
    /// A Vietnamese syllable with a rhyme few words have ("thuở", "ngoặt", "khuya").
    Rare,
    /// A word of a minority name.
    Minority,
    /// None of these: no name has it.
    Not,
}

impl Word {
    /// Whether a name may hold the word.
    pub fn is_word(self) -> bool {
        self != Word::Not
    }
}

/// Whether every word of `s` (split at spaces) may be in a name.
pub fn all_words(s: &str) -> bool {
    s.split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| classify(w).is_word())
}

/// The longest word looked at; longer ones are no name's.
const MAX: usize = 24;

/// A word's letters without their tones, in small letters, and its one tone.
struct Letters {
    base: [char; MAX],
    len: usize,
    tone: Option<char>,
}

impl Letters {
    fn of(word: &str) -> Option<Letters> {
        let mut out = Letters {
            base: ['\0'; MAX],
            len: 0,
            tone: None,
        };
        for c in word.chars() {
            let mut lower = c.to_lowercase();
            let l = lower.next()?;
            if lower.next().is_some() {
                return None;
            }
            let (b, t) = split_tone(l)?;
            // A tone sits on a vowel ("ś" is no Vietnamese letter).
            if !is_letter(b) || (t.is_some() && !is_vowel(b)) {
                return None;
            }
            if let Some(t) = t {
                if out.tone.is_some() {
                    return None;
                }
                out.tone = Some(t);
            }
            *out.base.get_mut(out.len)? = b;
            out.len += 1;
        }
        Some(out)
    }

    fn chars(&self) -> &[char] {
        &self.base[..self.len]
    }
}

fn is_letter(b: char) -> bool {
    b.is_ascii_lowercase() || matches!(b, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư' | 'đ')
}

fn is_vowel(b: char) -> bool {
    matches!(
        b,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

/// How `word` reads (an apostrophe splits it into parts, the ones before an apostrophe may be
/// consonants alone: "H'Hen", "K'Bông").
pub fn classify(word: &str) -> Word {
    if !word.contains('\'') {
        return part(word, false);
    }
    let mut parts = word.split('\'').peekable();
    let mut worst = Word::Minority;
    while let Some(p) = parts.next() {
        if p.is_empty() {
            return Word::Not;
        }
        worst = worst.max(part(p, parts.peek().is_some()));
    }
    worst
}

fn part(p: &str, bare_ok: bool) -> Word {
    let Some(l) = Letters::of(p) else {
        return Word::Not;
    };
    let b = l.chars();
    if b.is_empty() {
        return Word::Not;
    }
    if bare_ok && b.len() <= 3 && !b.iter().any(|c| is_vowel(*c)) {
        return Word::Minority;
    }
    match standard(b, l.tone) {
        Standard::Yes => Word::Syllable,
        Standard::Rare => Word::Rare,
        Standard::Spelling => Word::Minority,
        Standard::No if minority(b) => Word::Minority,
        Standard::No => Word::Not,
    }
}

/// What the standard check says.
enum Standard {
    Yes,
    Rare,
    /// A syllable but for the spelling of its onset ("Kơn" for "Cơn"): minority names do that.
    Spelling,
    No,
}

const ONSETS: &[&str] = &[
    "ngh", "ng", "nh", "gh", "gi", "kh", "ph", "th", "tr", "ch", "qu", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];

/// Every Vietnamese rhyme without its tone (medial, nucleus, final).
const RHYMES: &[&str] = &[
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay", "ăc", "ăm",
    "ăn", "ăng", "ăp", "ăt", "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", "e", "ec", "em",
    "en", "eng", "eo", "ep", "et", "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu", "i", "ia",
    "ich", "im", "in", "inh", "ip", "it", "iu", "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu",
    "o", "oc", "oi", "om", "on", "ong", "op", "ot", "oa", "oac", "oach", "oai", "oam", "oan",
    "oang", "oanh", "oap", "oat", "oay", "oăc", "oăm", "oăn", "oăng", "oăt", "oe", "oen", "oeo",
    "oet", "ooc", "oong", "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ơ", "ơi", "ơm", "ơn",
    "ơp", "ơt", "u", "ua", "uc", "ui", "um", "un", "ung", "up", "ut", "uân", "uâng", "uât", "uây",
    "uê", "uêch", "uênh", "uôc", "uôi", "uôm", "uôn", "uông", "uôt", "uơ", "uy", "uych", "uynh",
    "uyp", "uyt", "uyu", "uya", "uyên", "uyêt", "ư", "ưa", "ưc", "ưi", "ưm", "ưn", "ưng", "ưt",
    "ưu", "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu", "y", "yêm", "yên", "yêng",
    "yêt", "yêu",
];

/// The rhymes few words have.
const RARE: &[&str] = &[
    "oac", "oam", "oap", "oăc", "oăm", "oăn", "oăng", "oăt", "oen", "oeo", "oet", "ooc", "oong",
    "uâng", "uêch", "uênh", "uơ", "uych", "uyp", "uyu", "uya", "ưm", "ưn", "ươu", "ăp", "êp",
    "yêng",
];

/// The rhymes after "qu" (its u is the medial).
const QU_RHYMES: &[&str] = &[
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "at", "ay", "ăc", "ăm", "ăn", "ăng",
    "ăt", "ân", "âng", "ât", "ây", "e", "en", "eo", "et", "ê", "êch", "ênh", "i", "ich", "inh",
    "it", "y", "ynh", "ych", "yt", "yên", "yêt", "yêu", "ôc", "ơ",
];

/// Whether the letters `b` spell `s`.
fn is(b: &[char], s: &str) -> bool {
    b.iter().copied().eq(s.chars())
}

fn starts(b: &[char], s: &str) -> bool {
    let n = s.chars().count();
    b.len() >= n && is(&b[..n], s)
}

fn listed(list: &[&str], b: &[char]) -> bool {
    list.iter().any(|r| is(b, r))
}

/// A rhyme's prefix and the rest of the word, as one run of letters.
fn rhyme_ok(rhyme: &[char], list: &[&str], tone: Option<char>) -> Option<bool> {
    if !listed(list, rhyme) {
        return None;
    }
    let stop = matches!(rhyme.last(), Some('p' | 't' | 'c')) || rhyme.ends_with(&['c', 'h']);
    if stop && !matches!(tone, Some('\u{301}' | '\u{323}')) {
        return None;
    }
    Some(listed(RARE, rhyme))
}

fn standard(b: &[char], tone: Option<char>) -> Standard {
    let mut spelling = false;
    for onset in ONSETS {
        if !starts(b, onset) {
            continue;
        }
        let n = onset.chars().count();
        let rest = &b[n..];
        let rare = match *onset {
            "qu" => rhyme_ok(rest, QU_RHYMES, tone),
            "gi" => {
                // "gì", "giếng": the i of "gi" is also the rhyme's.
                let with_i = &b[1..];
                rhyme_ok(rest, RHYMES, tone)
                    .filter(|_| rest.first().is_some_and(|c| is_vowel(*c)))
                    .or_else(|| rhyme_ok(with_i, RHYMES, tone))
            }
            _ => rhyme_ok(rest, RHYMES, tone),
        };
        let Some(rare) = rare else {
            continue;
        };
        let first = rest.first().copied().unwrap_or(' ');
        let front = matches!(first, 'e' | 'ê' | 'i' | 'y');
        let ok = match *onset {
            "c" | "ng" => !front,
            "g" => !matches!(first, 'e' | 'ê'),
            "k" | "gh" | "ngh" => front,
            _ => true,
        };
        if ok {
            return if rare { Standard::Rare } else { Standard::Yes };
        }
        // Minority names write "K" for "C" ("Kơn"); no name writes "gh"/"ngh" before anything but
        // e, ê, i ("Nghóa" is VNI for Nghĩa).
        spelling |= !matches!(*onset, "gh" | "ngh");
    }
    if spelling {
        Standard::Spelling
    } else {
        Standard::No
    }
}

/// Vowel clusters a minority name's syllables have (tones left out).
const CLUSTERS: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây",
    "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô",
    "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê", "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi",
    "uya", "uyê", "uyu", "ươi", "ươu",
];

/// The finals a Vietnamese syllable may end in.
const CODAS: &[&str] = &["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];

/// A word of a minority name: runs of consonants and Vietnamese vowel clusters; a lone
/// syllable with a Vietnamese onset and final must be a Vietnamese one but for an open "iê",
/// "uô", "ươ", "ă" or "â" ("Niê", "Kpă"), else it is no name's ("Trònh").
fn minority(b: &[char]) -> bool {
    let vowel_at = |i: usize| {
        let c = b[i];
        let next_vowel = b.get(i + 1).is_some_and(|n| is_vowel(*n));
        let prev = if i == 0 { None } else { Some(b[i - 1]) };
        // A "y" before a vowel is a consonant ("Yim", "Byă", "Ayun") but after "u" ("uyê").
        is_vowel(c)
            && !(c == 'y' && next_vowel && prev != Some('u'))
            && !(c == 'u' && prev == Some('q'))
            && !(c == 'i' && prev == Some('g') && next_vowel && i == 1)
    };
    let mut groups = 0;
    let mut run_start = 0;
    let mut in_vowel = false;
    let mut onset: &[char] = &[];
    let mut nucleus: &[char] = &[];
    let mut coda: &[char] = &[];
    let mut odd = false;
    for i in 0..=b.len() {
        let v = i < b.len() && vowel_at(i);
        let boundary = i == b.len() || v != in_vowel;
        if boundary && i > run_start {
            let run = &b[run_start..i];
            if in_vowel {
                if !listed(CLUSTERS, run) {
                    return false;
                }
                groups += 1;
                nucleus = run;
                coda = &[];
            } else {
                if run.len() > 3
                    || run
                        .iter()
                        .any(|c| is_vowel(*c) && *c != 'y' && *c != 'u' && *c != 'i')
                {
                    return false;
                }
                odd |= run.iter().any(|c| matches!(c, 'f' | 'j' | 'w' | 'z'));
                if groups == 0 {
                    onset = run;
                } else {
                    coda = run;
                }
            }
        }
        if boundary {
            run_start = i;
            in_vowel = v;
        }
    }
    if groups == 0 {
        return false;
    }
    if groups > 1 || odd {
        return true;
    }
    let usual_onset = listed(ONSETS, onset);
    let usual_coda = listed(CODAS, coda);
    if !usual_onset || !usual_coda {
        return true;
    }
    coda.is_empty() && listed(&["iê", "yê", "uô", "ươ", "ă", "â"], nucleus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables() {
        for w in [
            "Nguyễn", "Huỳnh", "Quách", "Quỳnh", "Quyên", "Giang", "Gì", "Giếng", "Nghĩa", "Kiều",
            "Kỳ", "Thuỷ", "Thủy", "Hoà", "Hòa", "Khuê", "Phước", "Việt", "Uyên", "Diễm", "Trịnh",
            "Thị", "Sơn", "Vũ", "Dũng", "Hằng", "Thắm", "Bùi", "Hùng", "Toàn", "NGUYỄN", "Yến",
            "Quốc", "Quang", "Thạch", "Ngọc", "Xiêng", "Pẻng", "Tĩn",
        ] {
            assert_eq!(classify(w), Word::Syllable, "{w}");
        }
        assert_eq!(classify("Thuở"), Word::Rare);
        assert_eq!(classify("Khuya"), Word::Rare);
    }

    #[test]
    fn minority_words() {
        for w in [
            "H'Hen", "K'Bông", "Êban", "Ksor", "Kpă", "Byă", "Ayun", "Adrơng", "Hđơk", "Kbuôr",
            "Mlô", "Niê", "Kdăm", "Yim", "Plih", "H'Bloanh", "Phal", "Slình", "Kơn", "Mah", "Blúi",
            "Fan", "Jơn", "Wang",
        ] {
            assert_eq!(classify(w), Word::Minority, "{w}");
        }
    }

    #[test]
    fn not_words() {
        // What damage and wrong repairs give (issue 20).
        for w in [
            "Trònh",
            "Quỏch",
            "Caồm",
            "Dịng",
            "Huỷn",
            "Nguyeãn",
            "Vaên",
            "Huøng",
            "V¨n",
            "Hïng",
            "NguyÔn",
            "Nguyôn",
            "Phaòm",
            "Toă",
            "N",
            "Buøi",
            "Thóy",
            "Vuõ",
            "BĂąi",
            "Thá»‹",
            "Hăt",
            "Hàt",
            "Tiếc\u{300}",
            "",
            "H''A",
            "'A",
            "Bxăśn",
            "Thaém",
            "Haèng",
        ] {
            assert_eq!(classify(w), Word::Not, "{w}");
        }
        // A stop final takes only sắc or nặng.
        for (w, word) in [
            ("Hát", Word::Syllable),
            ("Hạt", Word::Syllable),
            ("Hảt", Word::Not),
            ("Bịch", Word::Syllable),
            ("Bìch", Word::Not),
        ] {
            assert_eq!(classify(w), word, "{w}");
        }
    }

    #[test]
    fn a_word_too_long_is_no_word() {
        assert_eq!(classify(&"a".repeat(MAX + 1)), Word::Not);
        assert!(all_words("Nguyễn Văn  An"));
        assert!(!all_words("Nguyễn Vaên An"));
    }
}
