//! The population registry: the residents the commune (or district) police export from the
//! national population database, read once before a scan, indexed so that each person of the
//! dumps can be matched to at most one of them ([`matching`]). Residents are compared field by
//! field ([`compare`]); a resident's values are only ever written in the findings of the person
//! they were matched to.
//!
//! Places are compared in the 2025 division: a resident's commune (2025 in an extract made today,
//! 2020 in an older one) and a dump row's commune (2020) are each turned into the 2025 communes
//! that took them over, and two places are the same when those sets meet.

pub mod compare;
pub mod matching;
mod read;

use std::collections::HashMap;
use std::hash::Hasher;

use chrono::Datelike;

use crate::normalize::dates::DateReading;
use crate::normalize::gender::Gender;
use crate::normalize::identifiers::IdNum;
use crate::normalize::places::Place;
use crate::normalize::text::fold;
use crate::normalize::units2025::{Successor, Successors};
use crate::util::StableHasher;

pub use read::{OLD_NUMBER, RegistryError, read};

type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// One resident of the extract, with the values the registry holds.
#[derive(Debug, Clone)]
pub struct Resident {
    /// The personal ID number (12-digit CCCD), when the extract gives one.
    pub number: Option<IdNum>,
    /// The old 9-digit (or 12-digit) CMND, when the extract gives one.
    pub old_number: Option<IdNum>,
    /// The name in its clean form.
    pub name: Box<str>,
    /// The birth date.
    pub birth: DateReading,
    /// The sex.
    pub sex: Option<Gender>,
    /// The 2025 communes the resident's place is (one, unless a 2020 commune was split).
    pub communes: Box<[u32]>,
}

/// The 2025 communes a place recognised by the gazetteer is part of: its own commune in an
/// extract of 2025, the commune(s) that took over a 2020 one. Empty when the commune is unknown.
pub fn communes_of(place: &Place) -> Box<[u32]> {
    let code = |c: &str| c.trim().parse::<u32>().ok();
    match Successors::builtin().of(place) {
        Successor::One(u) => code(&u.code).into_iter().collect(),
        Successor::Several { candidates, .. } => {
            candidates.iter().filter_map(|u| code(&u.code)).collect()
        }
        Successor::Province(_) | Successor::Unknown => Box::default(),
    }
}

/// The kinds of blocks residents are found by, besides their numbers.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
enum Block {
    /// Folded name and full birth date.
    NameBirth = 1,
    /// Folded name and 2025 commune.
    NameCommune = 2,
    /// First and last word of the name (a middle name left out), full birth date.
    EndsBirth = 3,
    /// Full birth date and 2025 commune (any damage to the name).
    BirthCommune = 4,
}

/// A birth date as a number (0 unless it is a full date).
fn day_key(birth: DateReading) -> u32 {
    birth.date().map_or(0, |d| {
        (d.year().max(0) as u32) << 9 | d.month() << 5 | d.day()
    })
}

fn block_key(kind: Block, parts: &[u64]) -> u64 {
    let mut h = StableHasher::default();
    h.write_u8(kind as u8);
    for p in parts {
        h.write_u64(*p);
    }
    h.finish()
}

/// The hash of a folded name.
fn name_hash(folded: &str) -> u64 {
    crate::util::stable_hash(folded.as_bytes())
}

/// The hashes of the first and last word of a folded name, when it has two words or more.
fn ends(folded: &str) -> Option<(u64, u64)> {
    let mut words = folded.split(' ');
    let first = words.next()?;
    let last = words.next_back()?;
    Some((name_hash(first), name_hash(last)))
}

/// The block keys a person with this folded name, birth date and communes is found under.
fn block_keys(folded: &str, birth: DateReading, communes: &[u32], out: &mut Vec<u64>) {
    let name = name_hash(folded);
    let day = u64::from(day_key(birth));
    if day != 0 {
        out.push(block_key(Block::NameBirth, &[name, day]));
        if let Some((first, last)) = ends(folded) {
            out.push(block_key(Block::EndsBirth, &[first, last, day]));
        }
    }
    for c in communes {
        out.push(block_key(Block::NameCommune, &[name, u64::from(*c)]));
        if day != 0 {
            out.push(block_key(Block::BirthCommune, &[day, u64::from(*c)]));
        }
    }
}

/// The residents of one or more extracts, indexed for matching.
#[derive(Debug, Default)]
pub struct Registry {
    residents: Vec<Resident>,
    /// Number key ([`IdNum::key`]) → resident, for both the CCCD and the old CMND.
    numbers: FastMap<u64, u32>,
    /// (block key, resident), sorted.
    blocks: Vec<(u64, u32)>,
    /// Where the keys starting with each `prefix_bits`-bit prefix start in `blocks` (one more
    /// entry than prefixes): a lookup reads one bucket of a few entries instead of searching
    /// millions.
    block_starts: Vec<u32>,
    /// How many leading bits of a key pick its bucket.
    prefix_bits: u32,
    /// How many residents carry each folded name.
    name_counts: FastMap<u64, u32>,
    /// The 2025 communes the extract covers.
    covered: FastMap<u32, ()>,
    /// What was read, for the summary.
    pub stats: RegistryStats,
}

/// What reading the extracts gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryStats {
    /// The files read.
    pub files: Vec<String>,
    /// Residents kept.
    pub residents: u64,
    /// Rows left out: no name, or no place and no number.
    pub skipped: u64,
    /// Residents whose place the gazetteer did not recognise (still matched by number).
    pub unplaced: u64,
    /// 2025 communes covered.
    pub communes: u64,
}

impl Registry {
    /// Indexes `residents`.
    pub fn new(residents: Vec<Resident>, mut stats: RegistryStats) -> Registry {
        use rayon::prelude::*;
        // Each name folded once: its hash and its block keys.
        let keyed: Vec<(u64, Vec<u64>)> = residents
            .par_iter()
            .map(|r| {
                let folded = fold(&r.name);
                let mut keys = Vec::with_capacity(6);
                block_keys(&folded, r.birth, &r.communes, &mut keys);
                (name_hash(&folded), keys)
            })
            .collect();
        let mut numbers = FastMap::default();
        let mut name_counts: FastMap<u64, u32> = FastMap::default();
        let mut covered = FastMap::default();
        for (i, r) in residents.iter().enumerate() {
            for n in [r.number, r.old_number].into_iter().flatten() {
                numbers.entry(n.key()).or_insert(i as u32);
            }
            if let Some((name, _)) = keyed.get(i) {
                *name_counts.entry(*name).or_insert(0) += 1;
            }
            for c in &r.communes {
                covered.insert(*c, ());
            }
            if r.communes.is_empty() {
                stats.unplaced += 1;
            }
        }
        let mut blocks: Vec<(u64, u32)> = keyed
            .into_par_iter()
            .enumerate()
            .flat_map_iter(|(i, (_, keys))| keys.into_iter().map(move |k| (k, i as u32)))
            .collect();
        blocks.par_sort_unstable();
        blocks.dedup();
        // About one bucket per block entry (keys are hashes: evenly spread).
        let prefix_bits = (usize::BITS - blocks.len().leading_zeros()).clamp(4, 24);
        let mut block_starts = vec![0u32; (1 << prefix_bits) + 1];
        for (k, _) in &blocks {
            block_starts[(k >> (64 - prefix_bits)) as usize + 1] += 1;
        }
        for i in 1..block_starts.len() {
            block_starts[i] += block_starts[i - 1];
        }
        stats.residents = residents.len() as u64;
        stats.communes = covered.len() as u64;
        Registry {
            residents,
            numbers,
            blocks,
            block_starts,
            prefix_bits,
            name_counts,
            covered,
            stats,
        }
    }

    /// Resident `i`.
    pub fn resident(&self, i: u32) -> Option<&Resident> {
        self.residents.get(i as usize)
    }

    /// How many residents there are.
    pub fn len(&self) -> usize {
        self.residents.len()
    }

    /// Whether there is no resident.
    pub fn is_empty(&self) -> bool {
        self.residents.is_empty()
    }

    /// Whether the extract covers one of these 2025 communes.
    pub fn covers(&self, communes: &[u32]) -> bool {
        communes.iter().any(|c| self.covered.contains_key(c))
    }

    /// The resident whose CCCD or old CMND is `number`.
    pub fn by_number(&self, number: IdNum) -> Option<u32> {
        self.numbers.get(&number.key()).copied()
    }

    /// How many residents carry this folded name (at least 1).
    pub fn name_count(&self, folded: &str) -> u32 {
        self.name_counts
            .get(&name_hash(folded))
            .copied()
            .unwrap_or(0)
            .max(1)
    }

    /// The residents found under any of `keys`, each once, in index order.
    fn in_blocks(&self, keys: &[u64], out: &mut Vec<u32>) {
        for k in keys {
            let Some(bucket) = k.checked_shr(64 - self.prefix_bits) else {
                continue;
            };
            let bucket = bucket as usize;
            let (Some(&lo), Some(&hi)) = (
                self.block_starts.get(bucket),
                self.block_starts.get(bucket + 1),
            ) else {
                continue;
            };
            let entries = self
                .blocks
                .get(lo as usize..hi as usize)
                .unwrap_or_default();
            out.extend(entries.iter().filter(|(b, _)| b == k).map(|(_, i)| *i));
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Residents for the tests.

    use super::*;
    use crate::normalize::dates::DateForm;
    use crate::normalize::identifiers::{IdReading, read_id};
    use crate::record::Cell;

    /// A number from its digits (panics on a malformed one: tests only).
    pub fn num(digits: &str) -> IdNum {
        match read_id(&Cell::Text(digits), 2026) {
            IdReading::Valid { id, .. } => id,
            other => panic!("not a number: {digits} {other:?}"),
        }
    }

    /// A full birth date.
    pub fn born(d: u32, m: u32, y: i32) -> DateReading {
        DateReading::Full {
            date: chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default(),
            form: DateForm::Standard,
        }
    }

    /// A resident as the tests write one: number, name, (day, month, year) of birth, sex.
    pub type Row<'a> = (&'a str, &'a str, (u32, u32, i32), Gender);

    /// Residents of commune `commune`.
    pub fn residents(rows: &[Row<'_>], commune: u32) -> Vec<Resident> {
        rows.iter()
            .map(|(n, name, (d, m, y), sex)| resident(n, name, born(*d, *m, *y), *sex, commune))
            .collect()
    }

    /// A resident of commune `commune`.
    pub fn resident(
        number: &str,
        name: &str,
        birth: DateReading,
        sex: Gender,
        commune: u32,
    ) -> Resident {
        Resident {
            number: (!number.is_empty()).then(|| num(number)),
            old_number: None,
            name: name.into(),
            birth,
            sex: Some(sex),
            communes: Box::new([commune]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn residents_are_found_by_number_and_by_blocks() {
        let mut old = resident(
            "079090001234",
            "Nguyễn Văn An",
            born(1, 2, 1990),
            Gender::Male,
            26734,
        );
        old.old_number = Some(num("023456789"));
        let reg = Registry::new(
            vec![
                old,
                resident(
                    "079190001235",
                    "Trần Thị Bình",
                    born(5, 6, 1990),
                    Gender::Female,
                    26734,
                ),
            ],
            RegistryStats::default(),
        );
        assert_eq!(reg.by_number(num("079090001234")), Some(0));
        assert_eq!(reg.by_number(num("023456789")), Some(0));
        assert_eq!(reg.by_number(num("079190001236")), None);
        assert!(reg.covers(&[1, 26734]));
        assert!(!reg.covers(&[1]));
        let mut keys = Vec::new();
        block_keys("tran binh", born(5, 6, 1990), &[26734], &mut keys);
        let mut found = Vec::new();
        reg.in_blocks(&keys, &mut found);
        assert_eq!(found, [1]);
        assert_eq!(reg.name_count("nguyen van an"), 1);
        assert_eq!(reg.stats.communes, 1);
    }
}
