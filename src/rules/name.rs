//! Name rules: `NAME_MISSING`, `NAME_ENCODING` (legacy-encoded text, repaired), `NAME_INVALID_CHARS`,
//! `NAME_FORMAT` (spaces, capitals, decomposed accents, look-alike letters) and `NAME_INCOMPLETE`.

use crate::findings::RowFindings;
use crate::normalize::NormalRow;
use crate::normalize::names::NameReading;
use crate::record::Field;
use crate::rules::{Code, Detail};

/// Checks the name of `row`.
pub fn check(row: &NormalRow<'_, '_>, out: &mut RowFindings<'_>) {
    let f = Some(Field::FullName);
    let value = row.raw.get(Field::FullName).display();
    match &row.name {
        NameReading::Missing => out.push(f, Code::NameMissing, &value, "", Detail::None),
        NameReading::InvalidChars => out.push(f, Code::NameInvalidChars, &value, "", Detail::None),
        NameReading::Encoding { legacy, clean } => out.push(
            f,
            Code::NameEncoding,
            &value,
            clean,
            Detail::Legacy(*legacy),
        ),
        // Damage with no one clear reading: the finding, with the likelier reading for a person
        // to confirm when the doubt is only which words were retyped, else without a suggestion.
        NameReading::Damaged {
            legacy,
            likely: Some(likely),
        } => out.push(
            f,
            Code::NameEncoding,
            &value,
            likely,
            Detail::LegacyLikely(*legacy),
        ),
        NameReading::Damaged { legacy, .. } => out.push(
            f,
            Code::NameEncoding,
            &value,
            "",
            Detail::LegacyUnclear(*legacy),
        ),
        NameReading::Name { clean } => {
            if **clean != *value {
                out.push(f, Code::NameFormat, &value, clean, Detail::None);
            }
        }
    }
    if row.name.clean().is_some_and(|c| !c.contains(' ')) {
        out.push(f, Code::NameIncomplete, &value, "", Detail::None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::names::Legacy;
    use crate::rules::testing::run;

    fn codes(name: &str) -> Vec<(Code, String)> {
        run(&[(Field::FullName, name)], check)
    }

    /// Jrai and Cơ Ho names as official lists type them: the apostrophe as a prime, a grave
    /// accent, a quotation mark or a modifier letter. A format suggestion with `'`, never an
    /// invalid-characters error (issue 20).
    #[test]
    fn the_apostrophe_family_is_read_as_an_apostrophe() {
        for (raw, clean) in [
            ("H′Hen Niê", "H'Hen Niê"),
            ("K`Bông", "K'Bông"),
            ("Ksor H’Bloanh", "Ksor H'Bloanh"),
            ("Ksor H‘Bloanh", "Ksor H'Bloanh"),
            ("Rơ Mah HʼBia", "Rơ Mah H'Bia"),
            ("k`bông", "K'Bông"),
        ] {
            let found = codes(raw);
            assert_eq!(
                found.first(),
                Some(&(Code::NameFormat, clean.to_string())),
                "{raw}"
            );
            assert!(
                found.iter().all(|(c, _)| *c != Code::NameInvalidChars),
                "{raw}: {found:?}"
            );
        }
        assert!(codes("Ksor H'Bloanh").is_empty());
    }

    #[test]
    fn name_rules() {
        assert!(codes("Nguyễn Văn An").is_empty());
        assert!(codes("H'Hen Niê").is_empty());
        // (name, the code of its one finding, the suggestion).
        for (raw, code, suggestion) in [
            ("", Code::NameMissing, ""),
            ("Nguyễn Văn 2", Code::NameInvalidChars, ""),
            ("  nguyễn  văn an", Code::NameFormat, "Nguyễn Văn An"),
            ("Ðặng Văn An", Code::NameFormat, "Đặng Văn An"),
            (
                "Nguye\u{302}\u{303}n Văn An",
                Code::NameFormat,
                "Nguyễn Văn An",
            ),
            ("NguyÔn V¨n Hïng", Code::NameEncoding, "Nguyễn Văn Hùng"),
            ("Hùng", Code::NameIncomplete, ""),
            // Half-retyped, and "Hoàng" reads as Hoàng or (VNI) Hồng: the likelier reading, for
            // a person to confirm (never certain: `repair` leaves it).
            ("Nguyễn Hoàng Huøng", Code::NameEncoding, "Nguyễn Hồng Hùng"),
            ("Buøi Văn Huøng", Code::NameEncoding, "Bùi Văn Hùng"),
        ] {
            assert_eq!(codes(raw), [(code, suggestion.to_string())], "{raw:?}");
        }
        assert!(!Code::NameEncoding.certain(Detail::LegacyLikely(Legacy::Vni)));
        assert!(Code::NameEncoding.certain(Detail::Legacy(Legacy::Vni)));
        assert_eq!(
            codes("hùng"),
            [
                (Code::NameFormat, "Hùng".into()),
                (Code::NameIncomplete, String::new())
            ]
        );
    }
}
