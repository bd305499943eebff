//! Sex rules: `GENDER_MISSING`, `GENDER_INVALID`, `GENDER_FORMAT` (another spelling of Nam / Nữ).
//! The CCCD's sex digit is checked by the ID rules (`ID_GENDER_MISMATCH`).

use crate::findings::RowFindings;
use crate::normalize::NormalRow;
use crate::normalize::gender::GenderReading;
use crate::record::Field;
use crate::rules::{Code, Detail};

/// Checks the sex of `row`.
pub fn check(row: &NormalRow<'_, '_>, out: &mut RowFindings<'_>) {
    let f = Some(Field::Gender);
    let value = row.raw.get(Field::Gender).display();
    match row.gender {
        GenderReading::Missing => out.push(f, Code::GenderMissing, &value, "", Detail::None),
        GenderReading::Invalid => out.push(f, Code::GenderInvalid, &value, "", Detail::None),
        GenderReading::Variant(g) => {
            out.push(f, Code::GenderFormat, &value, g.label(), Detail::None)
        }
        GenderReading::Canonical(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::run;

    #[test]
    fn gender_rules() {
        let codes = |s: &str| run(&[(Field::Gender, s)], check);
        assert!(codes("Nam").is_empty());
        assert!(codes("Nữ").is_empty());
        assert_eq!(codes(""), [(Code::GenderMissing, String::new())]);
        assert_eq!(codes("khác"), [(Code::GenderInvalid, String::new())]);
        assert_eq!(codes("nu"), [(Code::GenderFormat, "Nữ".into())]);
        assert_eq!(codes("MALE"), [(Code::GenderFormat, "Nam".into())]);
    }
}
