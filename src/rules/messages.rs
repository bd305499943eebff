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
            Detail::CmndPrefix { prefix, .. } if vi => format!(
                "2 chữ số đầu của CMND 9 số ({prefix:02}) không phải đầu số tỉnh nào từng cấp"
            ),
            Detail::CmndPrefix { prefix, .. } => format!(
                "the 9-digit CMND's first 2 digits ({prefix:02}) are a prefix no province ever issued"
            ),
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
        Code::IdCmndPrefixUnlisted => match detail {
            Detail::CmndPrefix { prefix, .. } if vi => format!(
                "3 chữ số đầu của CMND 9 số ({prefix:03}) không có trong bảng đầu số đã biết (bảng chưa chắc chắn ở nhóm này): kiểm tra lại số"
            ),
            Detail::CmndPrefix { prefix, .. } => format!(
                "the 9-digit CMND's first 3 digits ({prefix:03}) are not in the table of known prefixes (not certain for this group): check the number"
            ),
            _ => base(
                "đầu số CMND 9 số không có trong bảng đầu số đã biết: kiểm tra lại số",
                "the 9-digit CMND's prefix is not in the table of known prefixes: check the number",
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
        Code::NameMissing => base("thiếu họ tên", "no name"),
        Code::NameInvalidChars => base(
            "họ tên có chữ số hoặc ký hiệu (chỉ được có chữ cái, dấu cách và dấu nháy ')",
            "the name holds digits or symbols (only letters, spaces and apostrophes are allowed)",
        ),
        Code::NameEncoding => match detail {
            Detail::Legacy(l) if vi => format!(
                "họ tên bị lỗi phông chữ (bảng mã {}); tên đúng ở cột gợi ý",
                l.name()
            ),
            Detail::Legacy(l) => format!(
                "the name is garbled by a legacy encoding ({}); the suggestion is the Unicode name",
                l.name()
            ),
            Detail::LegacyUnclear(l) if vi => format!(
                "họ tên bị lỗi phông chữ (bảng mã {}) nhưng đọc được nhiều cách; cần người xem và gõ lại",
                l.name()
            ),
            Detail::LegacyUnclear(l) => format!(
                "the name is garbled by a legacy encoding ({}) and reads more than one way; a person must read it and retype it",
                l.name()
            ),
            Detail::LegacyLikely(l) if vi => format!(
                "họ tên bị lỗi phông chữ (bảng mã {}), có chữ đọc được hai cách; cột gợi ý là cách đọc nhiều khả năng nhất, cần người đối chiếu giấy tờ",
                l.name()
            ),
            Detail::LegacyLikely(l) => format!(
                "the name is garbled by a legacy encoding ({}) and a word reads two ways; the suggestion is the likelier reading, to be checked against the papers",
                l.name()
            ),
            _ => base(
                "họ tên bị lỗi phông chữ; tên đúng ở cột gợi ý",
                "the name is garbled by a legacy encoding; the suggestion is the Unicode name",
            ),
        },
        Code::NameFormat => base(
            "họ tên viết chưa chuẩn (khoảng trắng, chữ hoa, dấu); cách viết chuẩn ở cột gợi ý",
            "the name is not written the standard way (spaces, capitals, accents); see the suggestion",
        ),
        Code::NameIncomplete => base(
            "họ tên chỉ có một chữ: cần kiểm tra lại họ tên đầy đủ",
            "the name is a single word: check the full name",
        ),
        Code::DobMissing => base("thiếu ngày sinh", "no birth date"),
        Code::DobInvalid => base(
            "ngày sinh không phải ngày hợp lệ (ví dụ 31/02)",
            "the birth date is not a real date (e.g. 31/02)",
        ),
        Code::DobOutOfRange => match detail {
            Detail::Future => base("ngày sinh ở tương lai", "the birth date is in the future"),
            Detail::TooOld => base(
                "ngày sinh cách đây hơn 120 năm",
                "the birth date is more than 120 years ago",
            ),
            Detail::AfterDose => base(
                "ngày sinh sau ngày tiêm",
                "the birth date is after the vaccination date",
            ),
            _ => base("ngày sinh không hợp lý", "the birth date is impossible"),
        },
        Code::DobYearOnly => base(
            "chỉ có năm sinh, thiếu ngày và tháng",
            "only the birth year is known",
        ),
        Code::DobFormat => base(
            "ngày sinh viết chưa đúng dạng dd/mm/yyyy; cách viết đúng ở cột gợi ý",
            "the birth date is not written as dd/mm/yyyy; see the suggestion",
        ),
        Code::DobUnderFive => base(
            "người được tiêm chưa đủ 5 tuổi vào ngày tiêm (chiến dịch không tiêm cho trẻ dưới 5 tuổi): cần kiểm tra ngày sinh",
            "under 5 years old on the vaccination date, an age the campaign did not vaccinate: check the birth date",
        ),
        Code::GenderMissing => base("thiếu giới tính", "no sex"),
        Code::GenderInvalid => base(
            "giới tính không rõ: cần ghi Nam hoặc Nữ",
            "the sex is not recognisable: Nam or Nữ expected",
        ),
        Code::GenderFormat => base(
            "giới tính cần ghi đúng Nam hoặc Nữ; cách ghi đúng ở cột gợi ý",
            "the sex must be written Nam or Nữ; see the suggestion",
        ),
        Code::PhoneInvalid => match detail {
            Detail::ZeroLost => base(
                "số điện thoại di động bị mất số 0 ở đầu (ô dạng chữ); số đủ 10 chữ số ở cột gợi ý",
                "the mobile number lost its leading 0 (a text cell); the suggestion is the 10-digit number",
            ),
            _ => base(
                "số điện thoại không phải số điện thoại Việt Nam",
                "not a Vietnamese phone number",
            ),
        },
        Code::PhoneOldFormat => base(
            "số điện thoại 11 số cũ (trước 2018); số mới ở cột gợi ý",
            "an 11-digit mobile number of before 2018; the suggestion is the current number",
        ),
        Code::AddressUnknown => base(
            "không tìm thấy tỉnh/huyện/xã trong danh mục hành chính, hoặc xã không thuộc huyện/tỉnh đã ghi",
            "the province/district/commune is not in the gazetteer, or the units do not nest",
        ),
        Code::DoseDateInvalid => match detail {
            Detail::Future => base(
                "ngày tiêm ở tương lai",
                "the vaccination date is in the future",
            ),
            Detail::BeforeCampaign => base(
                "ngày tiêm trước ngày bắt đầu chiến dịch (08/03/2021)",
                "the vaccination date is before the campaign began (08/03/2021)",
            ),
            _ => base(
                "ngày tiêm không phải ngày hợp lệ",
                "the vaccination date is not a date",
            ),
        },
        Code::DoseDuplicate => match detail {
            Detail::Dose(n) if vi => format!("mũi {n} được ghi hai lần cho cùng một người"),
            Detail::Dose(n) => format!("dose {n} is recorded twice for the same person"),
            _ => base(
                "cùng một mũi được ghi hai lần cho cùng một người",
                "the same dose is recorded twice for the same person",
            ),
        },
        Code::RecordIdDuplicate => match detail {
            Detail::Shared { inputs, people } if inputs >= 2 => {
                let whose = match (vi, people >= 2) {
                    (true, true) => format!(", của {people} người khác nhau"),
                    (true, false) => ", cùng một người".to_string(),
                    (false, true) => format!(", on {people} different people"),
                    (false, false) => ", on the same person".to_string(),
                };
                if vi {
                    format!(
                        "mã bản ghi này có ở {inputs} tệp đầu vào{whose}: mã không còn chỉ đúng một bản ghi"
                    )
                } else {
                    format!(
                        "this record key is in {inputs} inputs{whose}: it no longer tells one record"
                    )
                }
            }
            Detail::Shared { people, .. } if vi => format!(
                "mã bản ghi này được dùng cho {people} người khác nhau: mã không còn chỉ đúng một bản ghi"
            ),
            Detail::Shared { people, .. } => format!(
                "this record key is on {people} different people: it no longer tells one record"
            ),
            _ => base(
                "cùng mã bản ghi có ở hai tệp đầu vào hoặc ở nhiều người khác nhau",
                "the same record key is in two inputs or on different people",
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
        Code::RowUnterminatedQuote => base(
            "dấu ngoặc kép mở ở dòng này không bao giờ được đóng: dòng bị bỏ qua, các dòng sau vẫn được đọc; cần kiểm tra tệp",
            "a quote opened on this line is never closed: line skipped, the lines after it still read; check the file",
        ),
        Code::RowTooLong => base(
            "bản ghi dài hơn 16 MiB: bị bỏ qua, các dòng sau vẫn được đọc; cần kiểm tra tệp",
            "the record is longer than 16 MiB: skipped, the lines after it still read; check the file",
        ),
        Code::RegIdProposed => {
            let head = base(
                "số CMND/CCCD thiếu, sai hoặc là số CMND cũ; theo dữ liệu dân cư, số đúng ở cột gợi ý",
                "the CCCD/CMND number is missing, wrong or an old CMND; the population registry's number is the suggestion",
            );
            with_evidence(head, detail, vi)
        }
        Code::RegNameMismatch => with_evidence(
            base(
                "họ tên khác với dữ liệu dân cư; tên trong dữ liệu dân cư ở cột gợi ý",
                "the name differs from the population registry's; the registry's name is the suggestion",
            ),
            detail,
            vi,
        ),
        Code::RegDobMismatch => with_evidence(
            base(
                "ngày sinh khác với dữ liệu dân cư; ngày sinh trong dữ liệu dân cư ở cột gợi ý",
                "the birth date differs from the population registry's; the registry's date is the suggestion",
            ),
            detail,
            vi,
        ),
        Code::RegSexMismatch => with_evidence(
            base(
                "giới tính khác với dữ liệu dân cư; giới tính trong dữ liệu dân cư ở cột gợi ý",
                "the sex differs from the population registry's; the registry's is the suggestion",
            ),
            detail,
            vi,
        ),
        Code::RegIdOtherPerson => base(
            "số CMND/CCCD này trong dữ liệu dân cư là của một người khác (khác họ tên và ngày sinh); số của chính người này, nếu tìm được, ở cột gợi ý",
            "this CCCD/CMND number belongs to someone else in the population registry (another name and birth date); this person's own number, when found, is the suggestion",
        ),
        Code::RegAmbiguous => match detail {
            Detail::People(n) if vi => format!(
                "{n} người trong dữ liệu dân cư có thể là người này, không đủ chắc chắn để đề xuất: cần công an xã xác minh"
            ),
            Detail::People(n) => format!(
                "{n} residents of the population registry could be this person, not surely enough to propose one: the commune police must check"
            ),
            _ => base(
                "nhiều người trong dữ liệu dân cư có thể là người này: cần công an xã xác minh",
                "several residents of the population registry could be this person: the commune police must check",
            ),
        },
        Code::RegNotFound => base(
            "không tìm thấy người này trong dữ liệu dân cư của xã (có thể đã chuyển đi hoặc tạm trú): cần xác minh",
            "this person is not in the commune's population registry (moved away or temporary residence?): to be checked",
        ),
        Code::PersonSplit => base(
            "cùng họ tên, ngày sinh, giới tính và xã với bản ghi có số CMND/CCCD khác: các mũi tiêm của một người đang nằm ở hai hồ sơ; số nên giữ ở cột gợi ý",
            "same name, birth date, sex and commune as records under another CCCD/CMND number: one person's doses are split over two identities; the number to keep is the suggestion",
        ),
    }
}

/// `head`, then what agreed with the registry ("khớp theo: số CCCD, họ tên, ngày sinh").
fn with_evidence(head: String, detail: Detail, vi: bool) -> String {
    use crate::registry::compare::*;
    let Detail::Evidence(bits) = detail else {
        return head;
    };
    let parts: [(u8, &str, &str); 8] = [
        (BY_NUMBER, "số CCCD", "CCCD number"),
        (BY_OLD_NUMBER, "số CMND cũ", "old CMND number"),
        (
            BY_NEAR_NUMBER,
            "số CCCD gần đúng (sai một chữ số)",
            "CCCD number but for one digit",
        ),
        (BY_NAME, "họ tên", "name"),
        (BY_NEAR_NAME, "họ tên gần đúng", "name, nearly"),
        (BY_BIRTH, "ngày sinh", "birth date"),
        (BY_SEX, "giới tính", "sex"),
        (BY_COMMUNE, "xã", "commune"),
    ];
    let named: Vec<&str> = parts
        .iter()
        .filter(|(b, ..)| bits & b != 0)
        .map(|(_, v, e)| if vi { *v } else { *e })
        .collect();
    if named.is_empty() {
        return head;
    }
    if vi {
        format!("{head} (khớp theo: {})", named.join(", "))
    } else {
        format!("{head} (matched on: {})", named.join(", "))
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
        let cmnd = |prefix, digits| Detail::CmndPrefix { prefix, digits };
        let m = message(Code::IdProvinceCode, cmnd(39, 2), Lang::Vi);
        assert!(m.contains("CMND 9 số (39)"), "{m}");
        let m = message(Code::IdProvinceCode, cmnd(0, 2), Lang::En);
        assert!(m.contains("CMND's first 2 digits (00)"), "{m}");
        let m = message(Code::IdCmndPrefixUnlisted, cmnd(93, 3), Lang::En);
        assert!(m.contains("(093)"), "{m}");
        let m = message(Code::PhoneInvalid, Detail::ZeroLost, Lang::Vi);
        assert!(m.contains("mất số 0"), "{m}");
        let m = message(Code::IdBirthYearMismatch, Detail::IdYear(1990), Lang::Vi);
        assert!(m.contains("1990"), "{m}");
        let shared = |inputs, people, lang| {
            message(
                Code::RecordIdDuplicate,
                Detail::Shared { inputs, people },
                lang,
            )
        };
        let m = shared(2, 2, Lang::Vi);
        assert!(m.contains("2 tệp đầu vào") && m.contains("2 người"), "{m}");
        let m = shared(2, 1, Lang::En);
        assert!(m.contains("2 inputs, on the same person"), "{m}");
        let m = shared(1, 3, Lang::En);
        assert!(
            m.contains("3 different people") && !m.contains("input"),
            "{m}"
        );
    }
}
