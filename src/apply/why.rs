//! Why a returned row was sent back, or changed nothing, or was applied with a note: [`Why`],
//! with its stable code (audit.csv's `reason_code`, summary.json's `rejected_by_reason`) and its
//! words in Vietnamese and English, in one table. Findings of the scan's rules on a corrected
//! person keep their own code and message ([`Why::Rule`]).

use crate::i18n::Lang;
use crate::rules::Code;

/// A reason of `apply-corrections`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Why {
    /// A finding of the scan's rules on the corrected person (its code and message are the rule's).
    Rule(Code),
    /// A row added to the list.
    RowAdded,
    /// A locked cell was edited.
    LockedEdited,
    /// A status that is not one of the dropdown's.
    StatusUnknown,
    /// `Đã sửa` without a corrected value.
    NothingToApply,
    /// `Thông tin đúng` with corrected values.
    ConfirmedWithFixes,
    /// The record is gone from the source.
    StaleGone,
    /// The record changed since the export.
    StaleChanged,
    /// Several people in different places show these values.
    StaleAmbiguous,
    /// The record keys are shared by two inputs or two people (the message names them).
    KeyShared,
    /// The row was deleted from the returned list.
    RowDeleted,
    /// The same person corrected differently in two lists or rows.
    ConflictWorkbooks,
    /// The new ID number belongs to another person.
    IdTaken,
    /// Applied, though the row was moved in the list.
    RowMoved,
    /// Unchanged: the source already holds the corrections.
    AlreadyApplied,
    /// Unchanged: another list with the same corrections applied them.
    Duplicate,
    /// Unchanged: confirmed as right.
    Confirmed,
    /// Unchanged: the person could not be identified.
    Unidentified,
    /// Unchanged: moved away.
    MovedAway,
    /// Unchanged: deceased.
    Deceased,
    /// Unchanged: not yet checked.
    Pending,
    /// The row's records are not in the list's unit (another commune's people).
    OutsideUnit,
    /// The corrected name is longer than a name can be.
    NameTooLong,
    /// The change looks like another person's data, not a correction, and no note confirms it
    /// (the message says what looked wrong).
    SuspectChange,
    /// `Đã sửa` accepted the population registry's suggestions, but they are not the registry's
    /// values for this person (the list was altered, or the registry changed).
    RegistryUnconfirmed,
    /// Applied: the population registry's values, confirmed with `Đã sửa`.
    FromRegistry,
    /// Applied: the list's suggestions, accepted with `Đã sửa` and nothing retyped.
    FromSuggestions,
    /// Applied without anyone: a fix the rules are certain of (the same `repair` makes), for a
    /// person the team answered for.
    CertainFix,
}

impl Why {
    /// Apply's own reasons, code and words (Vietnamese, English): the one table.
    const fn table(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Why::Rule(_) => ("", "", ""),
            Why::RowAdded => (
                "ROW_ADDED",
                "dòng thêm vào danh sách, không có trong danh sách đã xuất",
                "a row added to the list; it was not in the exported list",
            ),
            Why::LockedEdited => (
                "LOCKED_EDITED",
                "đã sửa các cột thông tin gốc (bị khoá); chỉ ghi vào các cột nền vàng",
                "the original (locked) columns were edited; only the yellow columns may be filled in",
            ),
            Why::StatusUnknown => (
                "STATUS_UNKNOWN",
                "kết quả xác minh không rõ; chọn trong danh sách thả xuống",
                "the verification result is not one of the dropdown's",
            ),
            Why::NothingToApply => (
                "NOTHING_TO_APPLY",
                "chọn \"Đã sửa\" nhưng chưa ghi thông tin đúng",
                "\"Đã sửa\" chosen but no corrected value filled in",
            ),
            Why::ConfirmedWithFixes => (
                "CONFIRMED_WITH_FIXES",
                "chọn \"Thông tin đúng\" nhưng lại ghi thông tin sửa",
                "\"Thông tin đúng\" chosen, yet corrected values were filled in",
            ),
            Why::StaleGone => (
                "STALE_GONE",
                "bản ghi không còn trong dữ liệu nguồn",
                "the record is no longer in the source",
            ),
            Why::StaleChanged => (
                "STALE_CHANGED",
                "bản ghi đã thay đổi từ khi xuất danh sách; cần rà soát lại",
                "the record changed since the list was exported; it must be checked again",
            ),
            Why::StaleAmbiguous => (
                "STALE_AMBIGUOUS",
                "dữ liệu nguồn có nhiều người trùng thông tin này ở các địa bàn khác nhau; không xác định được bản ghi",
                "several people with these values in different places in the source; the record cannot be told",
            ),
            Why::KeyShared => (
                "KEY_SHARED",
                "mã bản ghi dùng chung; không bản ghi nào mang mã này có đúng thông tin như trong danh sách",
                "record keys shared; no record with these keys shows the values on the list",
            ),
            Why::RowDeleted => (
                "ROW_DELETED",
                "dòng đã bị xoá khỏi danh sách trả về; cần rà soát lại",
                "the row was deleted from the returned list; it must be checked again",
            ),
            Why::ConflictWorkbooks => (
                "CONFLICT_WORKBOOKS",
                "cùng một người được sửa khác nhau ở hai danh sách (hoặc hai dòng); cần thống nhất",
                "the same person was corrected differently in two lists (or rows); they must agree",
            ),
            Why::IdTaken => (
                "ID_TAKEN",
                "số CMND/CCCD này đã thuộc về một người khác (trong dữ liệu nguồn hoặc danh sách khác)",
                "this CCCD/CMND number belongs to another person (in the source or another list)",
            ),
            Why::RowMoved => (
                "ROW_MOVED",
                "dòng đã bị chuyển chỗ trong danh sách",
                "the row was moved in the list",
            ),
            Why::AlreadyApplied => ("ALREADY_APPLIED", "đã sửa từ trước", "already corrected"),
            Why::Duplicate => (
                "DUPLICATE",
                "trùng với một danh sách khác đã áp dụng",
                "the same as another list, applied there",
            ),
            Why::Confirmed => ("CONFIRMED", "xác nhận thông tin đúng", "confirmed as right"),
            Why::Unidentified => (
                "UNIDENTIFIED",
                "không xác định được",
                "could not be identified",
            ),
            Why::MovedAway => ("MOVED_AWAY", "đã chuyển đi", "moved away"),
            Why::Deceased => ("DECEASED", "đã mất", "deceased"),
            Why::Pending => ("PENDING", "chưa xác minh", "not yet checked"),
            Why::OutsideUnit => (
                "OUTSIDE_UNIT",
                "bản ghi không thuộc địa bàn của danh sách này; danh sách chỉ sửa được người của địa bàn mình",
                "the record is not in this list's unit; a list only corrects the people of its own unit",
            ),
            Why::NameTooLong => (
                "NAME_TOO_LONG",
                "họ và tên đúng quá dài (quá 10 chữ hoặc 70 ký tự)",
                "the corrected name is too long (more than 10 words or 70 characters)",
            ),
            Why::SuspectChange => (
                "SUSPECT_CHANGE",
                "thay đổi giống thông tin của người khác hơn là sửa lỗi; nếu đúng là vậy, ghi lý do vào cột Ghi chú",
                "the change looks like another person's data rather than a correction; if it is right, say why in Ghi chú",
            ),
            Why::RegistryUnconfirmed => (
                "REGISTRY_UNCONFIRMED",
                "\"Đã sửa\" nhận gợi ý theo dữ liệu dân cư, nhưng dữ liệu dân cư không cho người này các giá trị đó; ghi thông tin đúng vào các cột nền vàng",
                "\"Đã sửa\" accepted the population data's suggestions, but the population data does not give this person those values; type the right values in the yellow columns",
            ),
            Why::FromRegistry => (
                "FROM_REGISTRY",
                "theo dữ liệu dân cư: giá trị gợi ý được xác nhận bằng \"Đã sửa\"",
                "from the population data: the suggested value confirmed with \"Đã sửa\"",
            ),
            Why::FromSuggestions => (
                "FROM_SUGGESTIONS",
                "theo cột Gợi ý sửa, xác nhận bằng \"Đã sửa\"",
                "the list's suggestion, accepted with \"Đã sửa\"",
            ),
            Why::CertainFix => (
                "CERTAIN_FIX",
                "sửa chắc chắn theo quy tắc (như lệnh repair), không cần người ghi lại",
                "a fix the rules are certain of (as repair makes it); nobody needs to write it",
            ),
        }
    }

    /// Every reason of apply's own (not [`Why::Rule`]), for tests and docs.
    pub const OWN: [Why; 27] = [
        Why::RowAdded,
        Why::LockedEdited,
        Why::StatusUnknown,
        Why::NothingToApply,
        Why::ConfirmedWithFixes,
        Why::StaleGone,
        Why::StaleChanged,
        Why::StaleAmbiguous,
        Why::KeyShared,
        Why::RowDeleted,
        Why::ConflictWorkbooks,
        Why::IdTaken,
        Why::RowMoved,
        Why::AlreadyApplied,
        Why::Duplicate,
        Why::Confirmed,
        Why::Unidentified,
        Why::MovedAway,
        Why::Deceased,
        Why::Pending,
        Why::OutsideUnit,
        Why::NameTooLong,
        Why::SuspectChange,
        Why::RegistryUnconfirmed,
        Why::FromRegistry,
        Why::FromSuggestions,
        Why::CertainFix,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Why::Rule(c) => c.as_str(),
            other => other.table().0,
        }
    }

    /// In plain words; a rule's finding in its words without detail.
    pub fn text(self, lang: Lang) -> String {
        match self {
            Why::Rule(c) => crate::rules::message(c, crate::rules::Detail::None, lang),
            other => {
                let (_, vi, en) = other.table();
                lang.pick(vi, en).to_string()
            }
        }
    }

    /// Whether the row's records were not found in the sources (stale, or behind keys shared by
    /// two inputs or people): the rows that make a list one of other data.
    pub fn not_found(self) -> bool {
        matches!(
            self,
            Why::StaleGone | Why::StaleChanged | Why::StaleAmbiguous | Why::KeyShared
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_worded_in_both_languages() {
        let mut codes: Vec<&str> = Why::OWN.iter().map(|w| w.code()).collect();
        assert!(codes.iter().all(|c| !c.is_empty()));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Why::OWN.len());
        for w in Why::OWN {
            assert!(!w.text(Lang::Vi).is_empty(), "{w:?}");
            assert!(!w.text(Lang::En).is_empty(), "{w:?}");
            assert_ne!(w.text(Lang::Vi), w.text(Lang::En), "{w:?}");
        }
    }

    #[test]
    fn rule_reasons_keep_the_rule_code() {
        assert_eq!(Why::Rule(Code::PhoneInvalid).code(), "PHONE_INVALID");
        assert!(Why::StaleChanged.not_found() && Why::KeyShared.not_found());
        assert!(!Why::RowDeleted.not_found() && !Why::Rule(Code::IdFormat).not_found());
    }
}
