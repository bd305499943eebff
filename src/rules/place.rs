//! `ADDRESS_UNKNOWN`: the row's commune could not be placed in the gazetteer — a name that matches
//! no unit, units that do not nest, or no commune at all where the file has a commune column.

use crate::findings::RowFindings;
use crate::normalize::places::Place;
use crate::record::{Field, RawRecord};
use crate::rules::{Code, Detail};

/// Checks the place of `raw`, resolved as `place`. `has_place_columns` says whether the file has
/// any province, district or commune column, `has_commune_column` whether it has a commune one.
pub fn check(
    raw: &RawRecord<'_>,
    place: &Place,
    has_place_columns: bool,
    has_commune_column: bool,
    out: &mut RowFindings<'_>,
) {
    if !has_place_columns {
        return;
    }
    if place.unknown || (has_commune_column && place.commune_code.is_none()) {
        let value = raw.get(Field::Commune).display();
        out.push(
            Some(Field::Commune),
            Code::AddressUnknown,
            &value,
            "",
            Detail::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::places::Gazetteer;
    use crate::rules::testing::run;

    fn codes(p: &'static str, d: &'static str, c: &'static str) -> Vec<(Code, String)> {
        run(
            &[
                (Field::Province, p),
                (Field::District, d),
                (Field::Commune, c),
            ],
            |row, out| {
                let place = Gazetteer::builtin().resolve(p, d, c);
                check(row.raw, &place, true, true, out)
            },
        )
    }

    #[test]
    fn place_rules() {
        assert!(codes("Hà Nội", "Ba Đình", "Phúc Xá").is_empty());
        assert!(codes("Tỉnh Phú Yên", "Huyện Phú Hòa", "Xã Hoà An").is_empty());
        assert_eq!(codes("Hà Nội", "Hoàn Kiếm", "Phúc Xá").len(), 1);
        assert_eq!(codes("Hà Nội", "Ba Đình", "Xã Không Có").len(), 1);
        assert_eq!(codes("Hà Nội", "Ba Đình", "").len(), 1);
        assert_eq!(codes("Tỉnh Không Có", "", "").len(), 1);
    }
}
