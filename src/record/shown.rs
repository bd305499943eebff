//! [`Shown`]: the five person fields a list shows and takes corrections for — name, birth date,
//! sex, ID number, phone, the fields of [`SHOWN`] in that order — by name instead of by
//! position, for the exported values, the corrections typed and the canonical corrections of
//! `apply-corrections`; and [`ListValues`], those fields with the address: what a list shows of
//! a person. Here, beside [`Field`], so that the scan, the lists and `apply-corrections` all
//! read them.

use crate::record::Field;

/// The person fields a list shows, in this order.
pub const SHOWN: [Field; 5] = [
    Field::FullName,
    Field::BirthDate,
    Field::Gender,
    Field::IdNumber,
    Field::Phone,
];

/// One value per person field a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Shown<T> {
    /// Full name (`Họ và tên`).
    pub name: T,
    /// Birth date (`Ngày sinh`).
    pub birth: T,
    /// Sex (`Giới tính`).
    pub gender: T,
    /// CCCD/CMND number.
    pub id: T,
    /// Phone number.
    pub phone: T,
}

impl<T> Shown<T> {
    /// One value per field, made from the field.
    pub fn from_fn(mut f: impl FnMut(Field) -> T) -> Self {
        Shown {
            name: f(Field::FullName),
            birth: f(Field::BirthDate),
            gender: f(Field::Gender),
            id: f(Field::IdNumber),
            phone: f(Field::Phone),
        }
    }

    /// The values in the list's order ([`SHOWN`]): name, birth date, sex, ID number, phone.
    pub fn from_array([name, birth, gender, id, phone]: [T; 5]) -> Self {
        Shown {
            name,
            birth,
            gender,
            id,
            phone,
        }
    }

    /// The value of a field, if the list shows it.
    pub fn get(&self, field: Field) -> Option<&T> {
        match field {
            Field::FullName => Some(&self.name),
            Field::BirthDate => Some(&self.birth),
            Field::Gender => Some(&self.gender),
            Field::IdNumber => Some(&self.id),
            Field::Phone => Some(&self.phone),
            _ => None,
        }
    }

    /// The value of a field, to change, if the list shows it.
    pub fn get_mut(&mut self, field: Field) -> Option<&mut T> {
        match field {
            Field::FullName => Some(&mut self.name),
            Field::BirthDate => Some(&mut self.birth),
            Field::Gender => Some(&mut self.gender),
            Field::IdNumber => Some(&mut self.id),
            Field::Phone => Some(&mut self.phone),
            _ => None,
        }
    }

    /// The fields with their values, in the list's order ([`SHOWN`]).
    pub fn iter(&self) -> impl Iterator<Item = (Field, &T)> {
        SHOWN.into_iter().zip(self.as_array())
    }

    /// The values in the list's order ([`SHOWN`]).
    pub fn as_array(&self) -> [&T; 5] {
        [&self.name, &self.birth, &self.gender, &self.id, &self.phone]
    }

    /// A reference to each value.
    pub fn each_ref(&self) -> Shown<&T> {
        Shown {
            name: &self.name,
            birth: &self.birth,
            gender: &self.gender,
            id: &self.id,
            phone: &self.phone,
        }
    }

    /// Each value changed by `f`.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Shown<U> {
        Shown {
            name: f(&self.name),
            birth: f(&self.birth),
            gender: f(&self.gender),
            id: f(&self.id),
            phone: f(&self.phone),
        }
    }
}

/// What a list shows of a person, as found: the [`Shown`] fields, then the address line (street,
/// commune, district, province as written) — the locked columns `Họ và tên` to `Địa chỉ`, and the
/// values the scan writes aside for the lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ListValues<T = String> {
    /// Name, birth date, sex, ID number and phone.
    pub shown: Shown<T>,
    /// The address line.
    pub address: T,
}

impl<T> ListValues<T> {
    /// The values in the list's column order: name, birth date, sex, ID number, phone, address.
    /// The one place that order is written down; [`ListValues::from_cells`] reads it back.
    pub fn cells(&self) -> [&T; 6] {
        let [name, birth, gender, id, phone] = self.shown.as_array();
        [name, birth, gender, id, phone, &self.address]
    }

    /// The values from `next`, called once per value in the order of [`ListValues::cells`];
    /// `None` as soon as it gives none.
    pub fn from_cells(mut next: impl FnMut() -> Option<T>) -> Option<Self> {
        Some(ListValues {
            shown: Shown {
                name: next()?,
                birth: next()?,
                gender: next()?,
                id: next()?,
                phone: next()?,
            },
            address: next()?,
        })
    }

    /// Each value changed by `f`.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> ListValues<U> {
        ListValues {
            shown: self.shown.map(&mut f),
            address: f(&self.address),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_values_round_trip_in_column_order() {
        let v = ListValues {
            shown: Shown::from_fn(|f| f.name()),
            address: "Xã A",
        };
        let cells = v.cells();
        assert_eq!(
            cells,
            [
                &"full_name",
                &"birth_date",
                &"gender",
                &"id_number",
                &"phone",
                &"Xã A"
            ]
        );
        let mut it = cells.into_iter().copied();
        assert_eq!(ListValues::from_cells(|| it.next()), Some(v));
        let mut short = ["a", "b"].into_iter();
        assert_eq!(ListValues::from_cells(|| short.next()), None);
        assert_eq!(v.map(|s| s.chars().count()).address, 4);
    }

    #[test]
    fn fields_are_named_in_the_lists_order() {
        let s = Shown::from_fn(|f| f.name());
        let order: Vec<Field> = s.iter().map(|(f, _)| f).collect();
        assert_eq!(order, SHOWN);
        for (f, v) in s.iter() {
            assert_eq!(s.get(f), Some(v));
        }
        assert_eq!(s.get(Field::Address), None);
        assert_eq!(s.id, Field::IdNumber.name());
        let mut m = s.map(|v| v.len());
        if let Some(n) = m.get_mut(Field::Phone) {
            *n = 0;
        }
        assert_eq!(m.phone, 0);
    }
}
