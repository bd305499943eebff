//! ID number rules (`ID_*` except the cross-record `ID_DUPLICATE_CONFLICT`): missing, malformed,
//! Excel damage, placeholders, unknown province codes and CMND prefixes, and the CCCD's sex and
//! birth year checked against the record.

use crate::findings::RowFindings;
use crate::normalize::NormalRow;
use crate::normalize::gender::Gender;
use crate::normalize::identifiers::{FormatProblem, IdKind, IdReading};
use crate::record::Field;
use crate::reference;
use crate::rules::{Code, Detail};

/// Checks the ID number of `row`.
pub fn check(row: &NormalRow<'_, '_>, out: &mut RowFindings<'_>) {
    let cell = row.raw.get(Field::IdNumber);
    let value = cell.display();
    let id_field = Some(Field::IdNumber);
    match &row.id {
        IdReading::Missing => out.push(id_field, Code::IdMissing, &value, "", Detail::None),
        IdReading::Valid { separators, id } => {
            if *separators {
                out.push(
                    id_field,
                    Code::IdSeparators,
                    &value,
                    id.as_str(),
                    Detail::None,
                );
            }
        }
        IdReading::LeadingZeroLost { id } => out.push(
            id_field,
            Code::IdLeadingZeroLost,
            &value,
            id.as_str(),
            Detail::None,
        ),
        IdReading::PrecisionLost => {
            out.push(id_field, Code::IdPrecisionLost, &value, "", Detail::None)
        }
        IdReading::Placeholder => out.push(id_field, Code::IdPlaceholder, &value, "", Detail::None),
        IdReading::ProvinceCode { code } => out.push(
            id_field,
            Code::IdProvinceCode,
            &value,
            "",
            Detail::PlaceCode(*code),
        ),
        IdReading::CmndPrefix { group } => out.push(
            id_field,
            Code::IdProvinceCode,
            &value,
            "",
            Detail::CmndPrefix {
                prefix: *group,
                digits: 2,
            },
        ),
        IdReading::Format { problem, repaired } => {
            let detail = match problem {
                FormatProblem::Characters => Detail::Characters,
                FormatProblem::Length(n) => Detail::Digits(u16::try_from(*n).unwrap_or(u16::MAX)),
                FormatProblem::ImpossibleYear(y) => Detail::FutureYear(*y),
                FormatProblem::Scientific => Detail::Scientific,
            };
            let suggestion = repaired.map(|id| id.to_string()).unwrap_or_default();
            out.push(id_field, Code::IdFormat, &value, &suggestion, detail);
        }
    }

    // A 9-digit CMND whose two-digit group some province issued, but whose own prefix the table
    // does not list (093, 232, 281…): the table's sub-ranges come partly from memory, so a
    // warning, not an error.
    if let Some(id) = row.id.number().filter(|id| id.kind() == IdKind::Cmnd9)
        && reference::cmnd9_prefix_of(id.as_str()).is_none()
    {
        let prefix = id
            .as_str()
            .get(..3)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        out.push(
            id_field,
            Code::IdCmndPrefixUnlisted,
            &value,
            "",
            Detail::CmndPrefix { prefix, digits: 3 },
        );
    }

    // The CCCD's own sex and birth year against the record's.
    let Some(id) = row.id.number().filter(|id| id.kind() == IdKind::Cccd12) else {
        return;
    };
    let mut mismatch = |field: Field, code, detail| {
        out.push(Some(field), code, &row.raw.get(field).display(), "", detail);
    };
    if let (Some(id_sex), Some(sex)) = (id.sex(), row.gender.gender())
        && id_sex != sex
    {
        let female = Detail::IdFemale(id_sex == Gender::Female);
        mismatch(Field::Gender, Code::IdGenderMismatch, female);
    }
    if let (Some(id_year), Some(year)) = (id.birth_year(), row.birth.year())
        && id_year != year
    {
        mismatch(
            Field::BirthDate,
            Code::IdBirthYearMismatch,
            Detail::IdYear(id_year),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Cell;
    use crate::rules::testing::run_cells;

    fn run(id: Cell<&str>, sex: &str, dob: &str) -> Vec<(Code, String, String)> {
        let cells = [
            (Field::IdNumber, id),
            (Field::Gender, Cell::Text(sex)),
            (Field::BirthDate, Cell::Text(dob)),
        ];
        run_cells(&cells, check)
            .into_iter()
            .map(|f| (f.code, f.value.to_string(), f.suggestion.to_string()))
            .collect()
    }

    fn codes(id: &str) -> Vec<Code> {
        run(Cell::Text(id), "Nam", "01/01/1990")
            .into_iter()
            .map(|f| f.0)
            .collect()
    }

    #[test]
    fn a_clean_cccd_has_no_finding() {
        assert!(run(Cell::Text("079090001234"), "Nam", "01/01/1990").is_empty());
        assert!(run(Cell::Text("079190001234"), "Nữ", "1990").is_empty());
        assert!(run(Cell::Text("172345678"), "Nữ", "01/01/1990").is_empty());
    }

    #[test]
    fn each_id_code() {
        assert_eq!(codes(""), [Code::IdMissing]);
        assert_eq!(codes("079 090 001 234"), [Code::IdSeparators]);
        assert_eq!(codes("79090001234"), [Code::IdLeadingZeroLost]);
        assert_eq!(codes("7.90900E+10"), [Code::IdPrecisionLost]);
        assert_eq!(codes("111111111111"), [Code::IdPlaceholder]);
        assert_eq!(codes("099090001234"), [Code::IdProvinceCode]);
        assert_eq!(codes("07909000123"), [Code::IdFormat]);
        assert_eq!(codes("CMND079090"), [Code::IdFormat]);
    }

    /// Issue 20: a 9-digit CMND whose prefix no province issued, and CCCD codes outside the
    /// country table.
    #[test]
    fn cmnd_prefixes_and_country_codes() {
        // No province ever issued 00 or 39-99: an error.
        for id in ["001234567", "391234567", "501234567", "991234568"] {
            assert_eq!(codes(id), [Code::IdProvinceCode], "{id}");
        }
        let f = run_cells(&[(Field::IdNumber, Cell::Text("391234567"))], check);
        assert_eq!(
            f[0].detail,
            Detail::CmndPrefix {
                prefix: 39,
                digits: 2
            }
        );
        // A group the table knows, a third digit it does not list: a warning.
        for id in ["093456789", "232345678", "281234567", "289234567"] {
            assert_eq!(codes(id), [Code::IdCmndPrefixUnlisted], "{id}");
        }
        assert_eq!(
            Code::IdCmndPrefixUnlisted.severity(),
            crate::findings::Severity::Warning
        );
        // Listed prefixes, low confidence ones included, pass.
        for id in [
            "017345628",
            "095345678",
            "233345678",
            "241234567",
            "245123456",
            "381234567",
        ] {
            assert!(codes(id).is_empty(), "{id}");
        }
        // An 8-digit CMND restored with its zero is checked too (093 is unlisted).
        assert_eq!(codes("93456789"), [Code::IdFormat]);
        // CCCD: country codes only from the table (101-295).
        for id in ["100090001234", "296090001234", "299090001234"] {
            assert_eq!(codes(id), [Code::IdProvinceCode], "{id}");
        }
        assert!(codes("101090001234").is_empty());
        assert!(codes("295090001234").is_empty());
    }

    #[test]
    fn suggestions() {
        let f = run(Cell::Number(79090001234.0), "Nam", "01/01/1990");
        assert_eq!(
            f,
            [(
                Code::IdLeadingZeroLost,
                "79090001234".to_string(),
                "079090001234".to_string()
            )]
        );
        let f = run(Cell::Text("079.090.001.234"), "Nam", "01/01/1990");
        assert_eq!(f[0].2, "079090001234");
    }

    #[test]
    fn sex_and_birth_year_against_the_cccd() {
        // Digit 4 = 0: male, born 19xx.
        let f = run(Cell::Text("079090001234"), "Nữ", "01/01/1990");
        assert_eq!(f, [(Code::IdGenderMismatch, "Nữ".into(), String::new())]);
        let f = run(Cell::Text("079090001234"), "Nam", "01/01/1991");
        assert_eq!(
            f,
            [(
                Code::IdBirthYearMismatch,
                "01/01/1991".into(),
                String::new()
            )]
        );
        // Digit 4 = 3: female, born 20xx.
        assert!(run(Cell::Text("079305001234"), "nữ", "12/12/2005").is_empty());
        // A repaired number is checked too.
        let f = run(Cell::Number(79090001234.0), "Nữ", "1990");
        assert_eq!(f.len(), 2);
        // Unknown sex or birth date: nothing to compare.
        assert!(run(Cell::Text("079090001234"), "", "").is_empty());
        // A CMND carries neither.
        assert!(run(Cell::Text("172345678"), "Nam", "1950").is_empty());
    }
}
