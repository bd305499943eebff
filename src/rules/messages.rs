//! The message of each code, in plain Vietnamese for commune staff and in English. Messages say
//! what is wrong and what is expected; the value and the suggestion have columns of their own.

use crate::i18n::Lang;
use crate::rules::{Code, Detail};

/// The message for a finding with `code` and `detail`, in `lang`.
pub fn message(code: Code, detail: Detail, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let base = |v: &str, e: &str| if vi { v.to_string() } else { e.to_string() };
    match code {
        Code::IdMissing => base("thiếu số CMND/CCCD", "no CCCD/CMND number"),
        Code::IdFormat => {
            let why = match detail {
                Detail::Characters => {
                    base("có chữ cái hoặc ký hiệu", "it holds letters or symbols")
                }
                Detail::Digits(n) => {
                    if vi {
                        format!("có {n} chữ số, cần 9 (CMND) hoặc 12 (CCCD)")
                    } else {
                        format!("{n} digits where 9 (CMND) or 12 (CCCD) are expected")
                    }
                }
                Detail::FutureYear(y) => {
                    if vi {
                        format!("chữ số 4-6 cho năm sinh {y}, chưa tới")
                    } else {
                        format!("digits 4-6 give the birth year {y}, in the future")
                    }
                }
                Detail::Scientific => base(
                    "Excel ghi ở dạng số mũ (E+); nhập lại dạng chữ",
                    "Excel wrote it in scientific notation (E+); re-enter it as text",
                ),
                _ => String::new(),
            };
            let head = base("số CMND/CCCD sai định dạng", "malformed CCCD/CMND number");
            if why.is_empty() {
                head
            } else {
                format!("{head}: {why}")
            }
        }
        Code::IdLeadingZeroLost => base(
            "số CMND/CCCD bị mất số 0 ở đầu (Excel tự bỏ); số đúng ở cột gợi ý",
            "the CCCD/CMND number lost its leading zero(s) in Excel; the suggestion restores them",
        ),
        Code::IdPrecisionLost => base(
            "số CMND/CCCD bị Excel làm tròn (dạng số mũ hoặc quá 15 chữ số), không khôi phục được: cần nhập lại",
            "the CCCD/CMND number was rounded by Excel (scientific notation or over 15 digits); it cannot be recovered and must be re-entered",
        ),
        Code::IdSeparators => base(
            "số CMND/CCCD có dấu cách, dấu chấm hoặc gạch: chỉ giữ chữ số",
            "the CCCD/CMND number has spaces, dots or dashes: keep only the digits",
        ),
        Code::IdPlaceholder => base(
            "số CMND/CCCD không có thật (toàn một chữ số hoặc dãy 123456…)",
            "not a real CCCD/CMND number (one digit repeated or a run like 123456…)",
        ),
        Code::IdProvinceCode => match detail {
            Detail::PlaceCode(c) if vi => {
                format!("3 chữ số đầu của CCCD ({c:03}) không phải mã tỉnh hay mã quốc gia nào")
            }
            Detail::PlaceCode(c) => {
                format!(
                    "the CCCD's first 3 digits ({c:03}) are neither a province nor a country code"
                )
            }
            _ => base(
                "3 chữ số đầu của CCCD không phải mã tỉnh hay mã quốc gia nào",
                "the CCCD's first 3 digits are neither a province nor a country code",
            ),
        },
        Code::IdGenderMismatch => match detail {
            Detail::IdFemale(f) if vi => format!(
                "giới tính khác với số CCCD (chữ số thứ 4 của CCCD là của {})",
                if f { "nữ" } else { "nam" }
            ),
            Detail::IdFemale(f) => format!(
                "the sex differs from the CCCD (its 4th digit says {})",
                if f { "female" } else { "male" }
            ),
            _ => base(
                "giới tính khác với số CCCD",
                "the sex differs from the CCCD",
            ),
        },
        Code::IdBirthYearMismatch => match detail {
            Detail::IdYear(y) if vi => {
                format!("năm sinh khác với số CCCD (chữ số 4-6 của CCCD cho năm {y})")
            }
            Detail::IdYear(y) => {
                format!("the birth year differs from the CCCD (its digits 4-6 say {y})")
            }
            _ => base(
                "năm sinh khác với số CCCD",
                "the birth year differs from the CCCD",
            ),
        },
        Code::IdDuplicateConflict => match detail {
            Detail::People(n) if vi => format!(
                "cùng số CMND/CCCD này có ở {n} người khác nhau (khác họ tên hoặc ngày sinh)"
            ),
            Detail::People(n) => format!(
                "this CCCD/CMND number is on {n} different people (name or birth date differ)"
            ),
            _ => base(
                "cùng số CMND/CCCD có ở nhiều người khác nhau",
                "the same CCCD/CMND number is on different people",
            ),
        },
        Code::RowRagged => match detail {
            Detail::Cells { found, expected } if vi => format!(
                "dòng có {found} ô nhưng tiêu đề có {expected} cột: dòng bị bỏ qua, cần kiểm tra tệp"
            ),
            Detail::Cells { found, expected } => format!(
                "the row has {found} cells where the header has {expected}: row skipped, check the file"
            ),
            _ => base(
                "số ô của dòng khác với tiêu đề: dòng bị bỏ qua",
                "the row's cell count differs from the header: row skipped",
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_rendered() {
        let m = message(Code::IdFormat, Detail::Digits(13), Lang::Vi);
        assert!(m.contains("13 chữ số"), "{m}");
        let m = message(Code::IdProvinceCode, Detail::PlaceCode(99), Lang::En);
        assert!(m.contains("(099)"), "{m}");
        let m = message(Code::IdBirthYearMismatch, Detail::IdYear(1990), Lang::Vi);
        assert!(m.contains("1990"), "{m}");
    }
}
