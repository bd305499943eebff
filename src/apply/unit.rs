//! Whose list is it: the unit a returned list was exported for, and the unit of each source record,
//! both told the way `export-list` files its lists (the canonical names that make the list's path,
//! in the division the list was cut by: 2020 communes, or 2025 ones). A list only ever corrects
//! the people of its own unit.

use std::cell::RefCell;
use std::collections::HashMap;

use super::returned::ListIdentity;
use super::source::SourceRow;
use crate::normalize::places::{Division, Gazetteer, Place};
use crate::normalize::units2025;
use crate::output::export::Folder;

/// A unit as the key of its list's path (lower case): two units whose lists share a file share a
/// key, as they share the list.
pub type UnitPath = String;

fn key(folder: &Folder) -> UnitPath {
    folder.path().to_string_lossy().to_lowercase()
}

/// The unit a list names in its identity (empty names: not recognised at export).
pub fn of_list(identity: &ListIdentity) -> UnitPath {
    key(&identity.folder())
}

/// The units of source records, from their written places, each spelling resolved once.
pub struct Units<'a> {
    gazetteer: &'a Gazetteer,
    seen: RefCell<HashMap<([String; 3], bool), Place>>,
}

impl<'a> Units<'a> {
    /// Records placed in `gazetteer`'s units.
    pub fn new(gazetteer: &'a Gazetteer) -> Self {
        Units {
            gazetteer,
            seen: RefCell::new(HashMap::new()),
        }
    }

    fn place(&self, written: &[String; 3], district_column: bool) -> Place {
        let k = (written.clone(), district_column);
        if let Some(p) = self.seen.borrow().get(&k) {
            return p.clone();
        }
        let p =
            self.gazetteer
                .resolve_either(&written[0], &written[1], &written[2], district_column);
        self.seen.borrow_mut().insert(k, p.clone());
        p
    }

    /// The unit of a record written in this province, district and commune (in a sheet with a
    /// district column, or without), in `division`.
    pub fn of_place(
        &self,
        written: &[String; 3],
        district_column: bool,
        division: Division,
    ) -> UnitPath {
        let place = self.place(written, district_column);
        match division {
            Division::D2020 => key(&Folder::of(&place)),
            Division::D2025 => key(&Folder::of_2025(&units2025::file(&place, "")).0),
        }
    }

    /// The unit of a source record, in `division` (with 2025 units, a record of a split commune
    /// goes where its address says, as on the lists).
    pub fn of_row(&self, row: &SourceRow, division: Division) -> UnitPath {
        if division == Division::D2020 {
            return self.of_place(&row.place, row.district_column, division);
        }
        let place = self.place(&row.place, row.district_column);
        let address = crate::record::address_line(|f| row.get(f));
        key(&Folder::of_2025(&units2025::file(&place, &address)).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(p: &str, d: &str, c: &str) -> ListIdentity {
        let mut id = ListIdentity::default();
        for (k, v) in [("province", p), ("district", d), ("commune", c)] {
            id.values.insert(k.to_string(), v.to_string());
        }
        id
    }

    #[test]
    fn a_record_is_in_the_unit_of_the_list_its_place_files_it_in() {
        let g = Gazetteer::builtin();
        let units = Units::new(&g);
        let place = |p: &str, d: &str, c: &str| [p, d, c].map(String::from);
        let at = |p: &str, d: &str, c: &str| units.of_place(&place(p, d, c), true, Division::D2020);
        let list = of_list(&identity(
            "Thành phố Hà Nội",
            "Quận Ba Đình",
            "Phường Phúc Xá",
        ));
        // Any spelling the scan recognises files the record in the same list.
        assert_eq!(at("Hà Nội", "Ba Đình", "P. Phúc Xá"), list);
        assert_eq!(at("ha noi", "ba dinh", "phuc xa"), list);
        // Another commune of the same district is another list.
        assert_ne!(at("Hà Nội", "Ba Đình", "Phường Trúc Bạch"), list);
        // A place nobody recognised goes with the province's unknown-commune list.
        let unknown = of_list(&identity("Thành phố Hà Nội", "", ""));
        assert_eq!(at("Hà Nội", "", "Xóm Lạ"), unknown);
        let nowhere = of_list(&identity("", "", ""));
        assert_eq!(at("", "", ""), nowhere);
        assert_ne!(unknown, nowhere);
        // With 2025 units: Phúc Xá went to Phường Hồng Hà, as a 2025 dump writes it too.
        let mut id = identity("Thành phố Hà Nội", "", "Phường Hồng Hà");
        id.values.insert("units".into(), "2025".into());
        assert_eq!(id.division(), Division::D2025);
        let list = of_list(&id);
        let today = |p: &str, d: &str, c: &str| {
            units.of_place(&place(p, d, c), !d.is_empty(), Division::D2025)
        };
        assert_eq!(today("Hà Nội", "Ba Đình", "Phúc Xá"), list);
        assert_eq!(today("Hà Nội", "", "Phường Hồng Hà"), list);
        assert_ne!(today("Hà Nội", "Ba Đình", "Trúc Bạch"), list);
    }
}
