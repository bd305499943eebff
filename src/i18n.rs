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

/// An operating system error a person can meet (a file not found, no permission, a full disk),
/// said in `lang` with what to do; `None` for any other error, which is shown as it is. Only a
/// bare OS error is said this way: one that carries its own words keeps them.
pub fn os_error(e: &std::io::Error, lang: Lang) -> Option<String> {
    use std::io::ErrorKind as K;
    e.raw_os_error()?;
    let (vi, en) = match e.kind() {
        K::NotFound => (
            "không tìm thấy tệp hoặc thư mục; kiểm tra lại tên và đường dẫn rồi chạy lại",
            "file or folder not found; check the name and the path, then run again",
        ),
        K::PermissionDenied => (
            "không có quyền truy cập; chọn một thư mục bạn được ghi (ví dụ trong Documents), hoặc nhờ người quản trị máy cấp quyền, rồi chạy lại",
            "permission denied; choose a folder you may write in (for example in Documents), or ask the machine's administrator for access, then run again",
        ),
        K::StorageFull | K::QuotaExceeded => (
            "ổ đĩa đã đầy; xóa bớt tệp hoặc chọn ổ đĩa khác rồi chạy lại",
            "the disk is full; free some space or choose another disk, then run again",
        ),
        K::ReadOnlyFilesystem => (
            "ổ đĩa chỉ cho đọc; chọn thư mục trên ổ đĩa khác rồi chạy lại",
            "the disk is read-only; choose a folder on another disk, then run again",
        ),
        K::IsADirectory => (
            "đây là một thư mục, không phải một tệp; ghi đường dẫn đến tệp rồi chạy lại",
            "this is a folder, not a file; give the path of a file, then run again",
        ),
        K::NotADirectory => (
            "một phần của đường dẫn là tệp, không phải thư mục; kiểm tra lại đường dẫn rồi chạy lại",
            "part of the path is a file, not a folder; check the path, then run again",
        ),
        _ => return None,
    };
    Some(lang.pick(vi, en).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_a_person_meets_say_what_to_do() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        // Only bare OS errors are said in our words.
        assert_eq!(os_error(&missing, Lang::Vi), None);
        let missing = std::fs::File::open("/không/có/tệp-này.csv").map(drop);
        let Err(missing) = missing else {
            panic!("the file exists")
        };
        let vi = os_error(&missing, Lang::Vi).unwrap_or_default();
        assert!(vi.starts_with("không tìm thấy tệp hoặc thư mục"), "{vi}");
        assert!(vi.ends_with("rồi chạy lại"), "{vi}");
        let en = os_error(&missing, Lang::En).unwrap_or_default();
        assert!(en.contains("check the name"), "{en}");
        let other = std::io::Error::new(std::io::ErrorKind::NotFound, "no sheet 'x'");
        assert_eq!(os_error(&other, Lang::Vi), None);
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(Lang::Vi.count(1234567), "1.234.567");
        assert_eq!(Lang::En.count(1234567), "1,234,567");
        assert_eq!(Lang::En.count(999), "999");
        assert_eq!(Lang::En.count(0), "0");
    }
}
