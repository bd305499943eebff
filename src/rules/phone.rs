//! Phone rules: `PHONE_INVALID` (not a Vietnamese number) and `PHONE_OLD_FORMAT` (an 11-digit
//! mobile number of before 2018, with the current number as the suggestion). An empty phone is no
//! finding: the platform does not require one.

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

    #[test]
    fn phone_rules() {
        let codes = |s: &str| run(&[(Field::Phone, s)], check);
        assert!(codes("").is_empty());
        assert!(codes("0912345678").is_empty());
        assert!(codes("+84 912 345 678").is_empty());
        assert_eq!(codes("12345"), [(Code::PhoneInvalid, String::new())]);
        assert_eq!(
            codes("01662345678"),
            [(Code::PhoneOldFormat, "0362345678".into())]
        );
    }
}
