//! Whose list is it: the unit a returned list was exported for, and the unit of each source record,
//! both told the way `export-list` files its lists (the canonical province, district and commune
//! that make the list's path). A list only ever corrects the people of its own unit.

use std::cell::RefCell;
use std::collections::HashMap;

use super::returned::ListIdentity;
use crate::normalize::places::Gazetteer;
use crate::output::export::Folder;

/// A unit as the key of its list's path (lower case): two units whose lists share a file share a
/// key, as they share the list.
pub type UnitPath = String;

fn key(folder: &Folder) -> UnitPath {
    folder.path().to_string_lossy().to_lowercase()
}

/// The unit a list names in its identity (empty names: not recognised at export).
pub fn of_list(identity: &ListIdentity) -> UnitPath {
    let part = |k: &str| Some(identity.get(k).trim().to_string()).filter(|s| !s.is_empty());
    key(&Folder {
        province: part("province"),
        district: part("district"),
        commune: part("commune"),
        commune_code: None,
    })
}

/// The units of source records, from their written places, each spelling resolved once.
pub struct Units<'a> {
    gazetteer: &'a Gazetteer,
    seen: RefCell<HashMap<[String; 3], UnitPath>>,
}

impl<'a> Units<'a> {
    /// Records placed in `gazetteer`'s units.
    pub fn new(gazetteer: &'a Gazetteer) -> Self {
        Units {
            gazetteer,
            seen: RefCell::new(HashMap::new()),
        }
    }

    /// The unit of a record written in this province, district and commune.
    pub fn of_place(&self, place: &[String; 3]) -> UnitPath {
        if let Some(k) = self.seen.borrow().get(place) {
            return k.clone();
        }
        let resolved = self
            .gazetteer
            .resolve_either(&place[0], &place[1], &place[2]);
        let k = key(&Folder::of(&resolved));
        self.seen.borrow_mut().insert(place.clone(), k.clone());
        k
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
        let list = of_list(&identity(
            "Thành phố Hà Nội",
            "Quận Ba Đình",
            "Phường Phúc Xá",
        ));
        // Any spelling the scan recognises files the record in the same list.
        assert_eq!(
            units.of_place(&place("Hà Nội", "Ba Đình", "P. Phúc Xá")),
            list
        );
        assert_eq!(units.of_place(&place("ha noi", "ba dinh", "phuc xa")), list);
        // Another commune of the same district is another list.
        assert_ne!(
            units.of_place(&place("Hà Nội", "Ba Đình", "Phường Trúc Bạch")),
            list
        );
        // A place nobody recognised goes with the province's unknown-commune list.
        let unknown = of_list(&identity("Thành phố Hà Nội", "", ""));
        assert_eq!(units.of_place(&place("Hà Nội", "", "Xóm Lạ")), unknown);
        let nowhere = of_list(&identity("", "", ""));
        assert_eq!(units.of_place(&place("", "", "")), nowhere);
        assert_ne!(unknown, nowhere);
    }
}
