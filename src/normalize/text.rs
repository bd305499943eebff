//! Text folding shared by header matching, place matching and person keys: accents, case,
//! punctuation and repeated spaces are dropped, so "Họ và tên", "HO VA TEN" and "ho_va ten" meet.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folds `s` to lowercase ASCII-ish words separated by one space: accents removed, `đ` → `d`,
/// everything that is not a letter or digit becomes a separator.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            for l in c.to_lowercase() {
                out.push(l);
            }
        } else {
            pending_space = true;
        }
    };
    for c in s.chars() {
        match c {
            'đ' | 'Đ' | 'Ð' | 'ð' => push('d', &mut out),
            c if c.is_ascii() => push(c, &mut out),
            c => decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    push(d, &mut out)
                }
            }),
        }
    }
    out
}

/// Like [`fold`] with the spaces removed as well: "TP. HCM" and "tphcm" meet.
pub fn fold_compact(s: &str) -> String {
    fold(s).replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_headers_together() {
        assert_eq!(fold("Họ và tên"), "ho va ten");
        assert_eq!(fold("  HỌ VÀ TÊN "), "ho va ten");
        assert_eq!(fold("Số CMND/CCCD"), "so cmnd cccd");
        assert_eq!(fold("Đắk Lắk"), "dak lak");
        assert_eq!(fold("Ðồng"), "dong");
        // Decomposed input folds like composed input.
        assert_eq!(fold("Nguye\u{302}\u{303}n"), "nguyen");
        assert_eq!(fold("ho_va--ten"), "ho va ten");
        assert_eq!(fold_compact("TP. HCM"), "tphcm");
        assert_eq!(fold(""), "");
    }
}
