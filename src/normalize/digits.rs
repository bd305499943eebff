//! A short run of ASCII digits kept inline, without allocating: the ID and phone numbers every row
//! carries.

/// Up to `N` ASCII digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digits<const N: usize> {
    /// The digits, then `'0'` up to `N`.
    digits: [u8; N],
    len: u8,
}

impl<const N: usize> Digits<N> {
    /// `d` when it is at most `N` ASCII digits.
    pub fn new(d: &[u8]) -> Option<Digits<N>> {
        if d.len() > N || d.len() > usize::from(u8::MAX) || !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut digits = [b'0'; N];
        digits[..d.len()].copy_from_slice(d);
        Some(Digits {
            digits,
            len: d.len() as u8,
        })
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The digits as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.digits.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// How many digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of digit `i` (0 past the end).
    pub fn digit(&self, i: usize) -> u8 {
        self.as_bytes().get(i).map_or(0, |b| b.wrapping_sub(b'0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_only_and_no_longer_than_room() {
        let d = Digits::<4>::new(b"0912").expect("four digits fit");
        assert_eq!(
            (d.as_str(), d.len(), d.digit(1), d.digit(9)),
            ("0912", 4, 9, 0)
        );
        assert!(Digits::<4>::new(b"09123").is_none());
        assert!(Digits::<4>::new(b"09a").is_none());
        assert!(Digits::<4>::new(b"").is_some_and(|d| d.is_empty()));
    }
}
