//! Phone rules: `PHONE_INVALID` (not a Vietnamese number, or a mobile typed as text without its
//! leading 0, then with the 10-digit number as the suggestion) and `PHONE_OLD_FORMAT` (an
//! 11-digit mobile number of before 2018, with the current number as the suggestion). An empty
//! phone is no finding: the platform does not require one.

use crate::findings::RowFindings;
use crate::normalize::NormalRow;
use crate::normalize::phones::PhoneReading;
use crate::record::Field;
use crate::rules::{Code, Detail};

/// Checks the phone of `row`.
pub fn check(row: &NormalRow<'_, '_>, out: &mut RowFindings<'_>) {
    let f = Some(Field::Phone);
    match &row.phone {
        PhoneReading::Invalid => {
            let value = row.raw.get(Field::Phone).display();
            out.push(f, Code::PhoneInvalid, &value, "", Detail::None);
        }
        PhoneReading::ZeroLost(full) => {
            let value = row.raw.get(Field::Phone).display();
            out.push(
                f,
                Code::PhoneInvalid,
                &value,
                full.as_str(),
                Detail::ZeroLost,
            );
        }
        PhoneReading::Old(new) => {
            let value = row.raw.get(Field::Phone).display();
            out.push(f, Code::PhoneOldFormat, &value, new.as_str(), Detail::None);
        }
        PhoneReading::Missing | PhoneReading::Valid(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;

    /// Issue 20: a mobile in a text cell that lost its leading 0.
    #[test]
    fn a_text_mobile_without_its_zero_is_invalid_with_the_full_number() {
        let codes = |s: &str| run(&[(Field::Phone, s)], check);
        assert_eq!(
            codes("912345678"),
            [(Code::PhoneInvalid, "0912345678".into())]
        );
        assert_eq!(
            codes("362 345 678"),
            [(Code::PhoneInvalid, "0362345678".into())]
        );
        assert_eq!(
            Code::PhoneInvalid.severity(),
            crate::findings::Severity::Warning
        );
        // A number cell that lost it is Excel's doing, read right by the platform.
        let f = crate::rules::testing::run_cells(
            &[(Field::Phone, crate::record::Cell::Number(912345678.0))],
            check,
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn phone_rules() {
        let codes = |s: &str| run(&[(Field::Phone, s)], check);
        assert!(codes("").is_empty());
        assert!(codes("0912345678").is_empty());
        assert!(codes("+84 912 345 678").is_empty());
        assert_eq!(codes("12345"), [(Code::PhoneInvalid, String::new())]);
        assert_eq!(codes("0912345678 / 0987654321"), []);
        assert_eq!(
            codes("01662345678"),
            [(Code::PhoneOldFormat, "0362345678".into())]
        );
    }
}
