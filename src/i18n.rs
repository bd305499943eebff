//! The language of everything a person reads: Vietnamese by default, English with `--lang en`.

use serde::Serialize;

/// A language for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Tiếng Việt.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Picks the text for this language: the one idiom for bilingual text. A sentence with
    /// values is written whole in each language, `lang.pick(format!("… {n} …"), format!("… {n} …"))`.
    pub fn pick<T>(self, vi: T, en: T) -> T {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// Formats a count the way readers of this language expect (`12.345` or `12,345`).
    pub fn count(self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self {
            Lang::Vi => '.',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped() {
        assert_eq!(Lang::Vi.count(1234567), "1.234.567");
        assert_eq!(Lang::En.count(1234567), "1,234,567");
        assert_eq!(Lang::En.count(999), "999");
        assert_eq!(Lang::En.count(0), "0");
    }
}
