//! Bounds on what a returned row may change. A list is filled in by hand and travels through many
//! hands: a name no registry would hold, or a correction that swaps in another person's identity
//! instead of mending this one's, is sent back instead of applied. A note in `Ghi chú` confirms a
//! change that only looks wrong (a person renamed, a row the team really meant).

use strsim::normalized_damerau_levenshtein;

use super::{Reason, Why};
use crate::i18n::Lang;
use crate::normalize::text::fold;
use crate::record::Field;
use crate::record::shown::Shown;

/// The most words a corrected name may have.
pub const NAME_MAX_WORDS: usize = 10;
/// The most characters a corrected name may have.
pub const NAME_MAX_CHARS: usize = 70;

/// Whether a typed name is longer than any name can be.
pub fn name_too_long(typed: &str) -> bool {
    let mut words = 0usize;
    let mut chars = 0usize;
    for w in typed.split_whitespace() {
        words += 1;
        chars += w.chars().count() + usize::from(words > 1);
        if words > NAME_MAX_WORDS || chars > NAME_MAX_CHARS {
            return true;
        }
    }
    false
}

/// Whether `new` reads as another name than `old`, not as the same name mended: accents, case and
/// spaces do not count, nor words reordered, a middle name added or dropped, or a few letters.
pub fn unlike(old: &str, new: &str) -> bool {
    let (a, b) = (fold(old), fold(new));
    let words = |s: &str| {
        let mut w: Vec<String> = s.split_whitespace().map(String::from).collect();
        w.sort_unstable();
        w
    };
    let (wa, wb) = (words(&a), words(&b));
    if wa.is_empty() || wb.is_empty() || wa == wb {
        return false;
    }
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if short.len() >= 2 && short.iter().all(|w| long.contains(w)) {
        return false;
    }
    let a = a.split_whitespace().collect::<Vec<_>>().join(" ");
    let b = b.split_whitespace().collect::<Vec<_>>().join(" ");
    normalized_damerau_levenshtein(&a, &b) < 0.6
}

/// What a row would change that looks like another person's data: the name, birth date and ID
/// number all replaced at once, or a name unlike the old one where nothing was wrong with the name.
/// `name_expected` says the list found something wrong with the name (a finding or a suggestion);
/// a note confirms the change.
pub fn check(
    shown: Shown<&str>,
    fixes: &Shown<Option<String>>,
    name_expected: bool,
    note: &str,
    lang: Lang,
) -> Option<Reason> {
    if !note.trim().is_empty() {
        return None;
    }
    let changed = |f: Field, old: &str| {
        fixes
            .get(f)
            .and_then(Option::as_deref)
            .is_some_and(|new| new.trim() != old.trim())
    };
    let name_changed = fixes
        .name
        .as_deref()
        .is_some_and(|n| fold(n) != fold(shown.name));
    let swap = name_changed
        && changed(Field::BirthDate, shown.birth)
        && !shown.id.trim().is_empty()
        && changed(Field::IdNumber, shown.id);
    let message = if swap {
        lang.pick(
            "đổi cùng lúc họ tên, ngày sinh và số CMND/CCCD: giống thông tin của một người khác hơn là sửa lỗi",
            "the name, birth date and CCCD/CMND number all replaced at once: this looks like another person's data, not a correction",
        )
        .to_string()
    } else {
        let new = fixes.name.as_deref().filter(|n| unlike(shown.name, n))?;
        if name_expected {
            return None;
        }
        let old = shown.name;
        match lang {
            Lang::Vi => format!(
                "họ tên mới khác hẳn họ tên cũ ({old} → {new}) trong khi danh sách không ghi lỗi nào về họ tên: có thể ghi nhầm dòng"
            ),
            Lang::En => format!(
                "the new name is unlike the old one ({old} → {new}) though the list found nothing wrong with the name: perhaps written on the wrong row"
            ),
        }
    };
    let note = lang.pick(
        "; nếu đúng là vậy, ghi lý do vào cột Ghi chú rồi gửi lại",
        "; if it is right, say why in Ghi chú and send it again",
    );
    Some(Reason {
        why: Why::SuspectChange,
        field: Some(Field::FullName),
        message: format!("{message}{note}"),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn names_are_bounded_in_words_and_characters() {
        assert!(!name_too_long("Nguyễn Thị Ngọc Bảo Trân"));
        assert!(!name_too_long("Y Ngông Niê Kdăm"));
        assert!(name_too_long(&"a".repeat(40_000)));
        assert!(name_too_long(&"An ".repeat(9_000)));
        assert!(name_too_long(&"Văn ".repeat(NAME_MAX_WORDS + 1)));
        assert!(!name_too_long(&"Văn ".repeat(NAME_MAX_WORDS)));
        assert!(name_too_long(&"Nguyễn".repeat(12)));
    }

    #[test]
    fn a_name_mended_is_not_another_name() {
        for (old, new) in [
            ("Lê Văn An", "Lê Văn Ân"),
            ("NGUYEN VAN AN", "Nguyễn Văn An"),
            ("Nguyễn An", "Nguyễn Văn An"),
            ("Văn An Nguyễn", "Nguyễn Văn An"),
            ("Trần Thị Hoa", "Trần Thị Hòa"),
            ("Lê Văn Hùng", "Lê Văn Hưng"),
            ("", "Lê Văn An"),
        ] {
            assert!(!unlike(old, new), "{old} → {new}");
        }
        for (old, new) in [
            ("Nguyễn Văn An", "Trần Thị Bình"),
            ("Lê Văn An", "Phạm Quốc Khánh"),
            ("Nguyễn Văn An", "Nguyễn Thị Bích Ngọc"),
        ] {
            assert!(unlike(old, new), "{old} → {new}");
        }
    }

    fn fixes(f: [&str; 5]) -> Shown<Option<String>> {
        Shown::from_array(f.map(|v| Some(v.to_string()).filter(|v| !v.is_empty())))
    }

    /// Another person's whole identity, as a forged or mistaken row would give it.
    pub(crate) const OTHER_PERSON: [&str; 5] = [
        "Trần Thị Bình",
        "01/01/1990",
        "Nữ",
        "079190001234",
        "0987654321",
    ];

    const SHOWN: [&str; 5] = [
        "Nguyễn Văn An",
        "05/03/1985",
        "Nam",
        "001085012345",
        "0912345678",
    ];

    #[test]
    fn another_persons_data_is_suspect_unless_a_note_confirms_it() {
        let shown = Shown::from_array(SHOWN);
        let code = |f: [&str; 5], expected: bool, note: &str| {
            check(shown, &fixes(f), expected, note, Lang::En).map(|r| r.why.code())
        };
        let other = OTHER_PERSON;
        assert_eq!(code(other, false, ""), Some("SUSPECT_CHANGE"));
        // Even where the name was found wrong: all three at once.
        assert_eq!(code(other, true, ""), Some("SUSPECT_CHANGE"));
        assert_eq!(code(other, false, "đổi tên theo quyết định 12/QĐ"), None);
        // A name written on the wrong row of an ID finding.
        let wrong_row = ["Phạm Quốc Khánh", "", "", "", ""];
        assert_eq!(code(wrong_row, false, ""), Some("SUSPECT_CHANGE"));
        assert_eq!(code(wrong_row, true, ""), None);
        // Corrections that mend: allowed.
        assert_eq!(code(["Nguyễn Văn Ân", "", "", "", ""], false, ""), None);
        assert_eq!(
            code(["", "05/03/1986", "", "001086012345", ""], false, ""),
            None
        );
        assert_eq!(
            code(
                ["Nguyễn Văn Ân", "05/03/1986", "", "001086012345", ""],
                false,
                ""
            ),
            None
        );
        let r = check(shown, &fixes(wrong_row), false, "", Lang::Vi).map(|r| r.message);
        assert!(r.is_some_and(|m| m.contains("Nguyễn Văn An → Phạm Quốc Khánh")));
    }
}
