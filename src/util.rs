//! Small shared helpers.

use std::hash::{BuildHasher, Hasher};

/// Fixed seeds: the same keys in every run and on every thread.
const SEEDS: [u64; 4] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
];

/// A hasher whose results are the same in every run (fixed seeds), for keys that decide what is
/// written.
pub struct StableHasher(ahash::AHasher);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher(
            ahash::RandomState::with_seeds(SEEDS[0], SEEDS[1], SEEDS[2], SEEDS[3]).build_hasher(),
        )
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    // A number is mixed in as one word, not as a slice of its bytes (the default): a folded name
    // is hashed a character at a time.
    fn write_u32(&mut self, i: u32) {
        self.0.write_u32(i);
    }

    fn write_u64(&mut self, i: u64) {
        self.0.write_u64(i);
    }
}

/// A stable hash of `bytes`.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h = StableHasher::default();
    h.write(bytes);
    h.finish()
}

/// Bytes as lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The first `bytes` bytes, in hex, of the SHA-256 of `parts`, each followed by the byte 0x1F: the
/// lists' row fingerprints and the ledger's digests.
pub fn digest_hex<S: AsRef<str>>(parts: impl IntoIterator<Item = S>, bytes: usize) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_ref().as_bytes());
        h.update([0x1f]);
    }
    let sum = h.finalize();
    hex(&sum[..bytes.min(sum.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable() {
        assert_eq!(stable_hash(b"abc"), stable_hash(b"abc"));
        assert_ne!(stable_hash(b"abc"), stable_hash(b"abd"));
    }
}

/// `text` safe to print on a terminal: control characters (an escape sequence that would clear
/// the screen or set the window title, a carriage return that would hide a line) and the
/// direction overrides that reorder text are shown escaped (`\u{1b}`), not sent raw.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(printable("Lê Văn Tám"), "Lê Văn Tám");
        assert_eq!(
            printable("a\u{1b}]0;title\u{7}b"),
            "a\\u{1b}]0;title\\u{7}b"
        );
        assert_eq!(printable("x\r\ny\u{202e}"), "x\\u{d}\\u{a}y\\u{202e}");
    }
}
