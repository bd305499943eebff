//! `ID_DUPLICATE_CONFLICT`: the same number on different people, across every input of the run.
//! Each row with a readable number is indexed (number, name and birth-date keys); once all inputs
//! are read, every row of a number that carries more than one person is reported. The result does
//! not depend on the order in which batches arrived.

use chrono::Datelike;

use crate::findings::Finding;
use crate::normalize::NormalRow;
use crate::normalize::dates::DateReading;
use crate::normalize::identifiers::key_shown;
use crate::record::Field;
use crate::rules::row_index::{Entry, Keyed, RowIndex, join_rows, le_u32, le_u64};
use crate::rules::{Code, Detail};

/// What is kept of a row with a readable number, or of rows one after the other with the same
/// number, name and birth date (a person's doses).
///
/// Aligned to 4 bytes, not 8: its [`crate::rules::row_index::Entry`] is then 44 bytes, not
/// 48 (4 MB less for a million entries).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, packed(4))]
pub struct IdEntry {
    key: u64,
    /// Hash of the folded name; 0 when there is no name.
    name: u64,
    /// See [`birth_key`].
    birth: u32,
    /// The rows after the first that the entry stands for.
    more: u32,
}

impl Keyed for IdEntry {
    /// Rows are grouped by number.
    type Key = u64;

    fn key(e: &Entry<Self>) -> u64 {
        e.data.key
    }

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(&self.name.to_le_bytes());
        out.extend_from_slice(&self.birth.to_le_bytes());
        out.extend_from_slice(&self.more.to_le_bytes());
    }

    fn get(b: &[u8]) -> Option<(Self, usize)> {
        let e = IdEntry {
            key: le_u64(b, 0)?,
            name: le_u64(b, 8)?,
            birth: le_u32(b, 16)?,
            more: le_u32(b, 20)?,
        };
        Some((e, 24))
    }

    const JOINS_ROWS: bool = true;

    fn rows(&self) -> u32 {
        self.more.saturating_add(1)
    }

    /// Rows of one number, name and birth date: one person's, with nothing to tell apart.
    fn join(&mut self, next: &Self) -> bool {
        let same = (self.key, self.name, self.birth) == (next.key, next.name, next.birth);
        join_rows(&mut self.more, same, next.rows())
    }

    /// A number kept without its text is shown as its digits (it was written as exactly them).
    fn shown<'a>(&self, kept: &'a str) -> std::borrow::Cow<'a, str> {
        key_shown(self.key, kept)
    }
}

/// The rows with a readable number.
pub type IdIndex = RowIndex<IdEntry>;

/// A birth date as a number: year << 9 | day of year (0 when only the year is known); 0 when
/// unknown.
pub fn birth_key(b: DateReading) -> u32 {
    match b {
        DateReading::Full { date, .. } => ((date.year().max(0) as u32) << 9) | date.ordinal(),
        DateReading::YearOnly(y) => (y.max(0) as u32) << 9,
        _ => 0,
    }
}

/// Notes `row` in `index` if it has a readable number. `name_key` is the
/// [`crate::normalize::text::fold_hash`] of its name, `unit` the number of its unit.
pub fn add(index: &mut IdIndex, row: &NormalRow<'_, '_>, name_key: u64, unit: u32) {
    push(index, entry(row, name_key), row, unit);
}

/// What [`add`] keeps of a row: its entry, if it has a readable number, and whether the cell is
/// written as exactly the number's digits. The same for every row of one person's fields.
pub type Noted = Option<(IdEntry, bool)>;

/// The [`Noted`] of `row`, whose name's key is `name_key`.
pub fn entry(row: &NormalRow<'_, '_>, name_key: u64) -> Noted {
    let id = row.id.number()?;
    let entry = IdEntry {
        key: id.key(),
        name: name_key,
        birth: birth_key(row.birth),
        more: 0,
    };
    Some((
        entry,
        row.id
            .is_written_as_digits(row.raw.get(Field::IdNumber).text()),
    ))
}

/// Notes `row` in `index` as `noted` ([`entry`]) says, in unit `unit`.
pub fn push(index: &mut IdIndex, noted: Noted, row: &NormalRow<'_, '_>, unit: u32) {
    match noted {
        // Most rows: a valid number, shown as its digits if a finding is ever made on it (the
        // cell as written would cost the text of every row of the dump).
        Some((entry, true)) => index.push_text(entry, row.raw.loc, unit, ""),
        Some((entry, false)) => index.push(entry, row.raw, unit, Field::IdNumber),
        None => {}
    }
}

/// Every row of every number carried by more than one person, with the row's unit. `unit(u)`
/// names unit `u`. The findings' record ids are left empty for [`record_id::RecordIds::fill`]. An `Err` is
/// the index's temporary file failing.
pub fn conflicts<'u>(
    mut index: IdIndex,
    unit: impl Fn(u32) -> (&'u str, &'u str, &'u str),
) -> std::io::Result<Vec<(u32, Finding)>> {
    index.findings(
        |group| {
            let people = distinct_people(group);
            (people >= 2).then_some(Detail::People(people))
        },
        Code::IdDuplicateConflict,
        unit,
        |_, _| String::new(),
    )
}

/// How many different people a group of rows with one number holds: different names, or birth
/// dates that cannot be the same day.
fn distinct_people(group: &[Entry<IdEntry>]) -> u32 {
    // Most groups are one person's doses: one name, one birth date, nothing to count.
    if let Some(first) = group.first()
        && group
            .iter()
            .all(|e| e.data.name == first.data.name && e.data.birth == first.data.birth)
    {
        return 1;
    }
    let mut names: Vec<u64> = group
        .iter()
        .map(|e| e.data.name)
        .filter(|&n| n != 0)
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut years: Vec<u32> = group
        .iter()
        .filter(|e| e.data.birth != 0)
        .map(|e| e.data.birth >> 9)
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut days: Vec<u32> = group
        .iter()
        .filter(|e| e.data.birth & 0x1ff != 0)
        .map(|e| e.data.birth)
        .collect();
    days.sort_unstable();
    days.dedup();
    let births = years.len().max(days.len());
    names.len().max(births).max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_row;
    use crate::normalize::text::fold_hash;
    use crate::rules::record_id::{self, RecordIndex};

    /// The rows with a number, and every row's record id.
    type Ix = (IdIndex, RecordIndex);

    fn put(index: &mut Ix, row: u32, id: &str, name: &str, dob: &str) {
        let raw = crate::rules::testing::person_row(row, id, name, dob, "");
        super::add(
            &mut index.0,
            &normalize_row(&raw, crate::rules::testing::TODAY),
            fold_hash(name),
            row % 2,
        );
        record_id::add(&mut index.1, &raw, u64::from(row), row % 2);
    }

    /// The findings on `index` with their units and record ids, in row order.
    fn with_units(index: Ix) -> Vec<(u32, Finding)> {
        let (_, mut ids) =
            record_id::duplicates(index.1, places).expect("temporary files work in tests");
        let mut found = super::conflicts(index.0, places).expect("temporary files work in tests");
        ids.fill(found.iter_mut().map(|(_, f)| f))
            .expect("temporary files work in tests");
        found.sort_by_key(|(_, f)| f.loc);
        found
    }

    /// The findings on `index` with their record ids, in row order.
    fn conflicts(index: Ix) -> Vec<Finding> {
        with_units(index).into_iter().map(|(_, f)| f).collect()
    }

    fn places(u: u32) -> (&'static str, &'static str, &'static str) {
        if u == 0 {
            ("P0", "D0", "C0")
        } else {
            ("P1", "D1", "C1")
        }
    }

    #[test]
    fn same_person_many_doses_is_no_conflict() {
        let mut ix = Ix::default();
        put(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990");
        put(&mut ix, 3, "079090001234", "NGUYEN VAN AN", "01/02/1990");
        put(&mut ix, 4, "79090001234", "Nguyễn Văn An", "1990");
        put(&mut ix, 5, "079090001234", "", "");
        assert!(conflicts(ix).is_empty());
    }

    #[test]
    fn different_people_are_all_reported() {
        let mut ix = Ix::default();
        put(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990");
        put(&mut ix, 3, "079090001234", "Nguyễn Văn An", "01/02/1990");
        put(&mut ix, 7, "079090001234", "Trần Thị Bình", "05/06/1990");
        put(&mut ix, 9, "079190001235", "Lê Văn C", "05/06/1990");
        let found = conflicts(ix);
        let rows: Vec<u32> = found.iter().map(|f| f.loc.row).collect();
        assert_eq!(rows, [2, 3, 7]);
        assert_eq!(&*found[2].row.record_id, "R7");
        assert_eq!(&*found[2].row.commune, "C1");
        assert_eq!(&*found[0].row.commune, "C0");
        assert_eq!(&*found[2].value, "079090001234");
        assert_eq!(found[0].detail, Detail::People(2));
    }

    /// A number written as exactly its digits keeps no text and shows its digits; one written
    /// otherwise shows the cell as written.
    #[test]
    fn a_finding_shows_the_number_as_written() {
        let mut ix = Ix::default();
        put(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990");
        put(&mut ix, 3, "079.090.001.234", "Trần Thị Bình", "05/06/1990");
        put(&mut ix, 4, "024613579", "Lê Văn C", "05/06/1990");
        put(&mut ix, 5, "024613579", "Phạm Thị D", "05/06/1991");
        let found = conflicts(ix);
        let values: Vec<&str> = found.iter().map(|f| &*f.value).collect();
        assert_eq!(
            values,
            ["079090001234", "079.090.001.234", "024613579", "024613579"]
        );
    }

    /// What `conflicts` finds in `index`, one line a finding, sorted.
    fn lines(index: IdIndex) -> Vec<String> {
        let found = super::conflicts(index, places).expect("temporary files work in tests");
        let mut out: Vec<String> = found
            .iter()
            .map(|(u, f)| format!("{u} {:?} {} {:?}", f.loc, f.value, f.detail))
            .collect();
        out.sort();
        out
    }

    /// `rows` (row, number, name, birth date, unit) indexed as a scan does (rows one after the
    /// other joined), and with every row an entry of its own (indexes of one row appended, which
    /// never joins).
    fn joined_and_apart(rows: &[(u32, &str, &str, &str, u32)]) -> (IdIndex, IdIndex) {
        let (mut joined, mut apart) = (IdIndex::default(), IdIndex::default());
        for &(row, id, name, dob, unit) in rows {
            let raw = crate::rules::testing::person_row(row, id, name, dob, "");
            let normal = normalize_row(&raw, crate::rules::testing::TODAY);
            super::add(&mut joined, &normal, fold_hash(name), unit);
            let mut one = IdIndex::default();
            super::add(&mut one, &normal, fold_hash(name), unit);
            apart.append(one, &[0, 1]);
        }
        (joined, apart)
    }

    #[test]
    fn a_persons_rows_one_after_the_other_are_one_entry_and_all_reported() {
        let (an, born) = ("Nguyễn Văn An", "01/02/1990");
        let rows = [
            (2, "079090001234", an, born, 0),
            (3, "079090001234", an, born, 0),
            (4, "079090001234", an, born, 0),
            // Another unit, a gap, a number written otherwise: entries of their own.
            (5, "079090001234", an, born, 1),
            (7, "079090001234", an, born, 1),
            (8, "079.090.001.234", an, born, 1),
            (9, "079090001234", "Trần Thị Bình", "05/06/1990", 1),
        ];
        let (joined, apart) = joined_and_apart(&rows);
        assert_eq!((joined.len(), apart.len()), (5, 7));
        let found = lines(joined);
        assert_eq!(found, lines(apart));
        // Every row is reported, the three joined ones too.
        assert_eq!(found.len(), 7);
        assert!(found[0].contains("row: 2") && found[2].contains("row: 4"));
    }

    proptest::proptest! {
        /// Whatever the rows, joining them gives the findings of every row apart.
        #[test]
        fn rows_joined_give_the_findings_of_rows_apart(
            picks in proptest::collection::vec(
                (0usize..3, 0usize..3, 0usize..2, 0u32..2, 1u32..3), 0..60)
        ) {
            let numbers = ["079090001234", "079.090.001.234", "023456781"];
            let names = ["Nguyễn Văn An", "Trần Thị Bình", ""];
            let dobs = ["01/02/1990", "1991"];
            let mut row = 1;
            let rows: Vec<(u32, &str, &str, &str, u32)> = picks
                .iter()
                .map(|&(n, m, d, u, step)| {
                    row += step;
                    (row, numbers[n], names[m], dobs[d], u)
                })
                .collect();
            let (joined, apart) = joined_and_apart(&rows);
            proptest::prop_assert!(joined.len() <= apart.len());
            proptest::prop_assert_eq!(lines(joined), lines(apart));
        }
    }

    #[test]
    fn same_name_other_birth_date_conflicts() {
        let mut ix = Ix::default();
        put(&mut ix, 2, "079090001234", "Nguyễn Văn An", "01/02/1990");
        put(&mut ix, 3, "079090001234", "Nguyễn Văn An", "02/02/1990");
        assert_eq!(conflicts(ix).len(), 2);
    }

    /// The findings of `rows` (row, number, name, birth date), with every index written to disk
    /// after each `every` rows when `every` is not 0: what the findings.csv line shows of each.
    fn found_through(rows: &[(u32, &str, &str, &str)], every: usize) -> Vec<String> {
        let dir = tempfile::tempdir().expect("temporary files work in tests");
        let mut ix = Ix::default();
        for (i, &(row, id, name, dob)) in rows.iter().enumerate() {
            put(&mut ix, row, id, name, dob);
            if every > 0 && i % every == 0 {
                ix.0.spill(dir.path())
                    .expect("temporary files work in tests");
                ix.1.spill(dir.path())
                    .expect("temporary files work in tests");
            }
        }
        assert_eq!(ix.0.is_spilled(), every > 0 && !rows.is_empty());
        let (_, mut ids) = record_id::duplicates(ix.1, places).expect("in tests");
        let mut found = super::conflicts(ix.0, places).expect("in tests");
        ids.fill(found.iter_mut().map(|(_, f)| f))
            .expect("temporary files work in tests");
        let mut out: Vec<String> = found
            .iter()
            .map(|(u, f)| {
                format!(
                    "{u} {:?} {} {} {:?}",
                    f.loc, f.row.record_id, f.value, f.detail
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn conflicts_read_from_disk_are_those_of_memory() {
        let numbers = ["079090001234", "79090001234", "001190000001", "023456781"];
        let names = ["Nguyễn Văn An", "Trần Thị Bình", "NGUYEN VAN AN", ""];
        let dobs = ["01/02/1990", "1990", "02/02/1990", ""];
        // A fixed pseudo-random walk over those values.
        let mut x: u32 = 7;
        let rows: Vec<(u32, &str, &str, &str)> = (2..300)
            .map(|row| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let pick = |shift: u32| ((x >> shift) % 4) as usize;
                (row, numbers[pick(16)], names[pick(20)], dobs[pick(24)])
            })
            .collect();
        let memory = found_through(&rows, 0);
        assert!(!memory.is_empty());
        for every in [1, 7, 100] {
            assert_eq!(
                found_through(&rows, every),
                memory,
                "spilled every {every} rows"
            );
        }
    }

    #[test]
    fn merging_indexes_keeps_texts() {
        let mut a = Ix::default();
        let mut b = Ix::default();
        put(&mut a, 2, "079090001234", "A B", "01/02/1990");
        put(&mut b, 3, "079090001234", "C D", "01/02/1990");
        a.0.append(b.0, &[0, 1]);
        a.1.append(b.1, &[0, 1]);
        assert_eq!(a.0.len(), 2);
        let found = with_units(a);
        assert_eq!(&*found[1].1.row.record_id, "R3");
        assert_eq!(found[1].0, 1);
    }
}
