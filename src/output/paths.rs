//! File names made from the data: safe on Windows, macOS and Linux, and never a way out of the
//! output folder. A name is one path component; separators, `..`, reserved device names, control
//! and forbidden characters cannot survive.

use unicode_normalization::UnicodeNormalization;

/// The longest component kept, in characters (well under every file system's 255 bytes).
const MAX_CHARS: usize = 80;

/// A relative path as one `/`-separated string, whatever the platform (index.csv, the lists'
/// hidden sheet, the export ledger).
pub fn slashed(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `name` as one safe path component: NFC; `< > : " / \ | ? *` and control characters become
/// `_`; no leading dot or space, no trailing dot or space; Windows device names (CON, NUL,
/// COM1…) get a leading `_`; at most 80 characters; never empty.
pub fn component(name: &str) -> String {
    let mut out: String = name
        .nfc()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect::<String>()
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if out.chars().count() > MAX_CHARS {
        out = out.chars().take(MAX_CHARS).collect();
    }
    let trimmed = out.trim_matches(|c: char| c == '.' || c == ' ');
    let mut out = trimmed.to_string();
    if out.is_empty() {
        out.push('_');
    }
    if is_reserved(&out) {
        out.insert(0, '_');
    }
    out
}

/// Windows device names, with or without an extension.
fn is_reserved(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    matches!(
        stem.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ((stem.starts_with("COM") || stem.starts_with("LPT"))
        && stem.len() == 4
        && stem[3..]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hostile_names_are_tamed() {
        for (name, tamed) in [
            ("Xã Hòa An", "Xã Hòa An"),
            ("../../x", "_.._x"),
            ("..", "_"),
            ("..\\x", "_x"),
            ("a/b", "a_b"),
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("COM1", "_COM1"),
            ("Phường 1", "Phường 1"),
            ("", "_"),
            ("  x  ", "x"),
            ("x.", "x"),
            ("Xã 🦠", "Xã 🦠"),
            ("a\u{0}b\tc", "a_b_c"),
            // Decomposed accents are composed.
            ("Hoa\u{300}", "Hoà"),
        ] {
            assert_eq!(component(name), tamed, "{name:?}");
        }
        assert_eq!(component(&"ấ".repeat(300)).chars().count(), 80);
    }

    proptest! {
        #[test]
        fn any_name_stays_one_safe_component(name in ".{0,400}") {
            let c = component(&name);
            prop_assert!(!c.is_empty());
            prop_assert!(c.chars().count() <= MAX_CHARS + 1);
            prop_assert!(!c.contains(['/', '\\', ':', '\0']));
            prop_assert!(c != "." && c != "..");
            prop_assert!(!c.starts_with('.') && !c.ends_with('.') && !c.ends_with(' '));
            prop_assert!(!is_reserved(&c));
            let p = std::path::Path::new(&c);
            prop_assert_eq!(p.components().count(), 1);
            prop_assert!(matches!(p.components().next(), Some(std::path::Component::Normal(_))));
        }
    }
}
