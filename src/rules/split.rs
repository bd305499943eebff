//! `PERSON_SPLIT`: one person's doses under two identities, found without any registry. Rows
//! with a name, a full birth date and a sex are grouped by those and their commune; in a group
//! where one CCCD stands beside rows with an old CMND, with no number, or with a number one typo
//! from it, those rows are that person's, and the CCCD is the number to keep. Namesakes with
//! another birth date are in other groups and never joined; a group with two unrelated numbers
//! (two people after all) is left alone.

use std::hash::Hasher;

use crate::findings::Finding;
use crate::normalize::NormalRow;
use std::borrow::Cow;

use crate::normalize::identifiers::{IdNum, TWELVE, key_digits, key_shown};
use crate::record::Field;
use crate::registry::compare::one_typo;
use crate::rules::row_index::{Entry, Keyed, RowIndex, join_rows, le_u32, le_u64};
use crate::rules::{Code, Detail};
use crate::util::StableHasher;

/// What is kept of a row that has a name, a full birth date and a sex, or of rows one after the
/// other with the same person and number (a person's doses).
///
/// Aligned to 4 bytes, not 8: its [`Entry`] is then 40 bytes, not 48.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, packed(4))]
pub struct SplitEntry {
    /// Hash of the folded name, birth date and sex.
    person: u64,
    /// The number's key ([`IdNum::key`]); 0 without a readable number.
    number: u64,
    /// The rows after the first that the entry stands for.
    more: u32,
}

impl Keyed for SplitEntry {
    /// Rows are grouped by person and commune.
    type Key = (u64, u32);

    fn key(e: &Entry<Self>) -> (u64, u32) {
        (e.data.person, e.unit)
    }

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.person.to_le_bytes());
        out.extend_from_slice(&self.number.to_le_bytes());
        out.extend_from_slice(&self.more.to_le_bytes());
    }

    fn get(b: &[u8]) -> Option<(Self, usize)> {
        let e = SplitEntry {
            person: le_u64(b, 0)?,
            number: le_u64(b, 8)?,
            more: le_u32(b, 16)?,
        };
        Some((e, 20))
    }

    const JOINS_ROWS: bool = true;

    fn rows(&self) -> u32 {
        self.more.saturating_add(1)
    }

    /// Rows of one person under one number: nothing to tell apart.
    fn join(&mut self, next: &Self) -> bool {
        let same = (self.person, self.number) == (next.person, next.number);
        join_rows(&mut self.more, same, next.rows())
    }

    /// A number kept without its text is shown as its digits (it was written as exactly them).
    fn shown<'a>(&self, kept: &'a str) -> Cow<'a, str> {
        key_shown(self.number, kept)
    }
}

/// The rows that may be a split person's.
pub type SplitIndex = RowIndex<SplitEntry>;

/// Notes `row` if it has a name (`name_key`, the [`crate::normalize::text::fold_hash`] of it),
/// a full birth date and a sex.
pub fn add(index: &mut SplitIndex, row: &NormalRow<'_, '_>, name_key: u64, unit: u32) {
    push(index, entry(row, name_key), row, unit);
}

/// What [`add`] keeps of a row: its entry, if it has a name, a full birth date and a sex, and
/// whether its number is written as exactly its digits. The same for every row of one person's
/// fields.
pub type Noted = Option<(SplitEntry, bool)>;

/// The [`Noted`] of `row`, whose name's key is `name_key`.
pub fn entry(row: &NormalRow<'_, '_>, name_key: u64) -> Noted {
    let (Some(date), Some(sex)) = (row.birth.date(), row.gender.gender()) else {
        return None;
    };
    if name_key == 0 {
        return None;
    }
    let mut h = StableHasher::default();
    h.write_u64(name_key);
    h.write_i32(chrono::Datelike::num_days_from_ce(&date));
    h.write_u8(sex as u8);
    let number = row.id.number();
    let entry = SplitEntry {
        person: h.finish(),
        number: number.map_or(0, |n: IdNum| n.key()),
        more: 0,
    };
    let digits = number.is_some()
        && row
            .id
            .is_written_as_digits(row.raw.get(Field::IdNumber).text());
    Some((entry, digits))
}

/// Notes `row` in `index` as `noted` ([`entry`]) says, in unit `unit`.
pub fn push(index: &mut SplitIndex, noted: Noted, row: &NormalRow<'_, '_>, unit: u32) {
    match noted {
        // Most rows: a valid number, shown as its digits if a finding is ever made on it (the
        // cell as written would cost the text of every row of the dump).
        Some((entry, true)) => index.push_text(entry, row.raw.loc, unit, ""),
        Some((entry, false)) => index.push(entry, row.raw, unit, Field::IdNumber),
        None => {}
    }
}

/// Of the numbers of one person's group, the one to keep; `None` when the group is not surely
/// one person.
fn to_keep(group: &[Entry<SplitEntry>]) -> Option<u64> {
    let mut distinct: Vec<u64> = group.iter().map(|e| e.data.number).collect();
    distinct.sort_unstable();
    distinct.dedup();
    // An entry may stand for several rows.
    let rows_of = |n: u64| -> u64 {
        group
            .iter()
            .filter(|e| e.data.number == n)
            .map(|e| u64::from(e.data.rows()))
            .sum()
    };
    let cccds: Vec<u64> = distinct
        .iter()
        .copied()
        .filter(|n| n & TWELVE != 0)
        .collect();
    let cmnds: Vec<u64> = distinct
        .iter()
        .copied()
        .filter(|n| *n != 0 && n & TWELVE == 0)
        .collect();
    match (cccds.as_slice(), cmnds.len()) {
        ([one], 0 | 1) => Some(*one),
        ([a, b], 0) if one_typo(&key_digits(*a), &key_digits(*b)) => {
            match rows_of(*a).cmp(&rows_of(*b)) {
                std::cmp::Ordering::Greater => Some(*a),
                std::cmp::Ordering::Less => Some(*b),
                std::cmp::Ordering::Equal => None,
            }
        }
        ([], 1) => Some(cmnds[0]),
        _ => None,
    }
}

/// The rows of every split person that are not under the number to keep, with that number as
/// the suggestion. `unit(u)` names unit `u`. The findings' record ids are left empty for
/// [`crate::rules::record_id::RecordIds::fill`]. An `Err` is the index's temporary file failing.
pub fn splits<'u>(
    mut index: SplitIndex,
    unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
) -> std::io::Result<Vec<(u32, Finding)>> {
    index.findings_of_rows(
        |group| {
            // Most groups are one person's doses under one number: nothing to find.
            if let Some(first) = group.first()
                && group.iter().all(|e| e.data.number == first.data.number)
            {
                return Vec::new();
            }
            let Some(keep) = to_keep(group) else {
                return Vec::new();
            };
            let keep_text = key_digits(keep);
            group
                .iter()
                .enumerate()
                .filter(|(_, e)| e.data.number != keep)
                .map(|(i, _)| (i, Detail::None, keep_text.clone()))
                .collect()
        },
        Code::PersonSplit,
        unit,
        |_, _| String::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_row;
    use crate::normalize::text::fold_hash;
    use crate::rules::record_id::{self, RecordIndex};

    type Ix = (SplitIndex, RecordIndex);

    fn put(ix: &mut Ix, row: u32, id: &str, name: &str, dob: &str, unit: u32) {
        let raw = crate::rules::testing::person_row(row, id, name, dob, "Nam");
        let today = crate::rules::testing::TODAY;
        add(
            &mut ix.0,
            &normalize_row(&raw, today),
            fold_hash(name),
            unit,
        );
        record_id::add(&mut ix.1, &raw, u64::from(row), unit);
    }

    fn found(ix: Ix) -> Vec<(u32, String, String)> {
        let places = |_| ("P", "D", "C");
        let mut f: Vec<(u32, String, String)> = splits(ix.0, places)
            .expect("temporary files work in tests")
            .into_iter()
            .map(|(_, f)| (f.loc.row, f.value.to_string(), f.suggestion.to_string()))
            .collect();
        f.sort();
        f
    }

    #[test]
    fn an_old_cmnd_or_no_number_beside_a_cccd_is_one_person() {
        let mut ix = Ix::default();
        put(&mut ix, 2, "023456781", "Nguyễn Văn An", "01/02/1990", 0);
        put(&mut ix, 3, "079090001234", "Nguyễn Văn An", "01/02/1990", 0);
        put(&mut ix, 4, "079090001234", "NGUYỄN VĂN AN", "01/02/1990", 0);
        put(&mut ix, 5, "", "Nguyễn Văn An", "01/02/1990", 0);
        assert_eq!(
            found(ix),
            [
                (2, "023456781".to_string(), "079090001234".to_string()),
                (5, String::new(), "079090001234".to_string()),
            ]
        );
    }

    /// What `splits` finds in `index`, one line a finding, sorted.
    fn lines(index: SplitIndex) -> Vec<String> {
        let places = |_| ("P", "D", "C");
        let mut out: Vec<String> = splits(index, places)
            .expect("temporary files work in tests")
            .iter()
            .map(|(u, f)| format!("{u} {:?} {} {}", f.loc, f.value, f.suggestion))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_persons_rows_one_after_the_other_are_one_entry() {
        let mut ix = Ix::default();
        for row in 2..5 {
            put(&mut ix, row, "079090001234", "Lê Văn Bình", "05/06/1990", 0);
        }
        put(&mut ix, 5, "079090001243", "Lê Văn Bình", "05/06/1990", 0);
        assert_eq!(ix.0.len(), 2);
        // The three rows count as three against the typo's one.
        assert_eq!(
            found(ix),
            [(5, "079090001243".to_string(), "079090001234".to_string())]
        );
    }

    proptest::proptest! {
        /// Whatever the rows, a person's rows one after the other joined into one entry give
        /// the findings of every row apart (indexes of one row appended, which never joins),
        /// the majority of a typo counted in rows.
        #[test]
        fn rows_joined_give_the_findings_of_rows_apart(
            picks in proptest::collection::vec(
                (0usize..4, 0usize..2, 0usize..2, 0u32..2, 1u32..3), 0..60)
        ) {
            let numbers = ["079090001234", "079090001243", "023456781", ""];
            let names = ["Lê Văn Bình", "Trần Thị Hoa"];
            let dobs = ["05/06/1990", "07/08/1991"];
            let (mut joined, mut apart) = (SplitIndex::default(), SplitIndex::default());
            let mut row = 1;
            for &(n, m, d, unit, step) in &picks {
                row += step;
                let raw = crate::rules::testing::person_row(row, numbers[n], names[m], dobs[d], "Nam");
                let normal = normalize_row(&raw, crate::rules::testing::TODAY);
                add(&mut joined, &normal, fold_hash(names[m]), unit);
                let mut one = SplitIndex::default();
                add(&mut one, &normal, fold_hash(names[m]), unit);
                apart.append(one, &[0, 1]);
            }
            proptest::prop_assert!(joined.len() <= apart.len());
            proptest::prop_assert_eq!(lines(joined), lines(apart));
        }
    }

    #[test]
    fn a_typo_joins_the_minority_to_the_majority() {
        let mut ix = Ix::default();
        put(&mut ix, 2, "079090001234", "Lê Văn Bình", "05/06/1990", 0);
        put(&mut ix, 3, "079090001234", "Lê Văn Bình", "05/06/1990", 0);
        put(&mut ix, 4, "079090001243", "Lê Văn Bình", "05/06/1990", 0);
        assert_eq!(
            found(ix),
            [(4, "079090001243".to_string(), "079090001234".to_string())]
        );
    }

    #[test]
    fn namesakes_twins_and_two_people_are_never_joined() {
        let mut ix = Ix::default();
        // Another birth date: another person.
        put(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990", 0);
        put(&mut ix, 3, "", "Nguyễn Văn An", "02/01/1990", 0);
        // Twins: same surname and birth date, other given names.
        put(&mut ix, 4, "079090005555", "Lê Văn Nam", "03/03/2000", 0);
        put(&mut ix, 5, "", "Lê Văn Bắc", "03/03/2000", 0);
        // Two unrelated numbers on one name and birth date: two people.
        put(&mut ix, 6, "079090007777", "Trần Văn C", "04/04/1990", 0);
        put(&mut ix, 7, "079090009999", "Trần Văn C", "04/04/1990", 0);
        put(&mut ix, 8, "", "Trần Văn C", "04/04/1990", 0);
        // Another commune.
        put(&mut ix, 9, "079090001234", "Phạm Văn D", "01/02/1990", 0);
        put(&mut ix, 10, "", "Phạm Văn D", "01/02/1990", 1);
        // Only the year.
        put(&mut ix, 11, "079090001234", "Đỗ Văn E", "01/02/1990", 0);
        put(&mut ix, 12, "", "Đỗ Văn E", "1990", 0);
        assert!(found(ix).is_empty());
    }
}
