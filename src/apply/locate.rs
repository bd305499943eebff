//! Where a returned row's record is in the sources: by its keys, unless they are shared by two
//! inputs or two people or the record changed since the export, else by the values the list
//! showed (or the corrected ones, when a previous batch already applied them).

use super::check::{corrected, reason};
use super::returned::ReturnedRow;
use super::source::{SourceIndex, key_hashes, values_hash};
use super::{Reason, Why};
use crate::i18n::Lang;
use crate::normalize::text::fold;
use crate::record::Field;
use crate::record::shown::Shown;

/// Record keys that do not tell one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Shared {
    /// In these inputs (their names), two or more.
    Inputs(Vec<String>),
    /// On different people, in this input.
    People(String),
}

impl Shared {
    /// Why a row with such keys was not found, for its reason and its list's refusal.
    fn reason(&self, lang: Lang) -> Reason {
        let quoted = |names: &[String], and: &str| {
            let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            match q.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} {and} {last}", rest.join(", "))
                }
                _ => q.join(""),
            }
        };
        let message = match (self, lang) {
            (Shared::Inputs(names), Lang::Vi) => format!(
                "mã bản ghi dùng chung ở {} tệp nguồn: {}; không bản ghi nào mang mã này có đúng thông tin như trong danh sách",
                names.len(),
                quoted(names, "và")
            ),
            (Shared::Inputs(names), Lang::En) => format!(
                "record keys shared by {} inputs: {}; no record with these keys shows the values on the list",
                names.len(),
                quoted(names, "and")
            ),
            (Shared::People(name), Lang::Vi) => format!(
                "mã bản ghi dùng chung cho nhiều người khác nhau trong '{name}'; không bản ghi nào mang mã này có đúng thông tin như trong danh sách"
            ),
            (Shared::People(name), Lang::En) => format!(
                "record keys shared by different people in '{name}'; no record with these keys shows the values on the list"
            ),
        };
        Reason {
            why: Why::KeyShared,
            field: None,
            message,
        }
    }
}

/// Whether the rows the keys stand for hold more than one input, or more than one person (another
/// folded name or birth date) in one input: then the keys do not tell the record.
pub(super) fn shared_keys(keys: &[String], index: &SourceIndex) -> Option<Shared> {
    let name = |s: u32| {
        index
            .sources
            .get(s as usize)
            .cloned()
            .unwrap_or_else(|| format!("#{}", s + 1))
    };
    let mut inputs: Vec<u32> = Vec::new();
    let mut people_in: Option<u32> = None;
    for k in keys {
        let rows: Vec<usize> = rows_by_keys(std::slice::from_ref(k), index);
        let Some(&first) = rows.first() else { continue };
        let person = |i: usize| {
            let r = &index.rows[i];
            (fold(r.get(Field::FullName)), r.get(Field::BirthDate))
        };
        let mut sources: Vec<u32> = rows.iter().map(|&i| index.rows[i].loc.source).collect();
        sources.sort_unstable();
        sources.dedup();
        if sources.len() > 1 {
            inputs.extend(sources);
        } else if rows.iter().any(|&i| person(i) != person(first)) {
            people_in.get_or_insert(index.rows[first].loc.source);
        }
    }
    inputs.sort_unstable();
    inputs.dedup();
    if !inputs.is_empty() {
        return Some(Shared::Inputs(inputs.into_iter().map(name).collect()));
    }
    people_in.map(|s| Shared::People(name(s)))
}

/// How a row's records were found.
pub(super) enum Found {
    /// These rows, as exported.
    Rows(Vec<usize>),
    /// The corrections are already there.
    Applied(Vec<usize>),
    /// Not found.
    Stale(Reason),
}

/// The source rows any of `keys` stands for, in order, once each.
pub(super) fn rows_by_keys(keys: &[String], index: &SourceIndex) -> Vec<usize> {
    let mut rows: Vec<usize> = keys
        .iter()
        .flat_map(|k| key_hashes(k))
        .filter_map(|h| index.by_key.get(&h))
        .flatten()
        .copied()
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

pub(super) fn find(
    r: &ReturnedRow,
    fixes: &Shown<Option<String>>,
    index: &SourceIndex,
    in_unit: &dyn Fn(usize) -> bool,
    lang: Lang,
) -> Found {
    let exported = values_hash(&r.shown().as_array());
    let target = values_hash(&corrected(r.shown(), fixes).as_array());
    let by_key = rows_by_keys(&r.keys, index);
    let shared = if by_key.len() > 1 {
        shared_keys(&r.keys, index)
    } else {
        None
    };
    if let Some(shared) = &shared {
        // The keys stand for records of other inputs or people too: only the records of the
        // listed person (the name and birth date shown, or corrected) are this row's, and each
        // key must still stand for one of them.
        let fixed = corrected(r.shown(), fixes);
        let people = [
            (fold(r.shown().name), r.shown().birth.trim().to_string()),
            (fold(&fixed.name), fixed.birth.trim().to_string()),
        ];
        let listed = |i: usize| {
            let row = &index.rows[i];
            let me = (
                fold(row.get(Field::FullName)),
                row.get(Field::BirthDate).to_string(),
            );
            people.contains(&me)
        };
        let mut rows = Vec::new();
        let mut keys_found = 0;
        for k in &r.keys {
            let mine: Vec<usize> = rows_by_keys(std::slice::from_ref(k), index)
                .into_iter()
                .filter(|&i| listed(i))
                .collect();
            keys_found += usize::from(!mine.is_empty());
            rows.extend(mine);
        }
        rows.sort_unstable();
        rows.dedup();
        if keys_found == 0 {
            // Renumbered elsewhere, perhaps: the values alone, as below; else the shared keys
            // are the cause.
            return match by_values(exported, target, index, in_unit, lang) {
                Some(found) => found,
                None => Found::Stale(shared.reason(lang)),
            };
        }
        if keys_found == r.keys.len() {
            if rows.iter().all(|&i| index.rows[i].values == exported) {
                return Found::Rows(rows);
            }
            if rows.iter().all(|&i| index.rows[i].values == target) {
                return Found::Applied(rows);
            }
        }
        return Found::Stale(stale_changed(lang));
    }
    if !by_key.is_empty() {
        if by_key.iter().all(|&i| index.rows[i].values == exported) {
            return Found::Rows(by_key);
        }
        if by_key.iter().all(|&i| index.rows[i].values == target) {
            return Found::Applied(by_key);
        }
        // Someone changed the record since the export: a correction made on the old values
        // must not land on the new ones.
        return Found::Stale(stale_changed(lang));
    }
    // The keys are gone (a newer dump renumbered its rows): look for the values shown.
    by_values(exported, target, index, in_unit, lang)
        .unwrap_or_else(|| Found::Stale(reason(Why::StaleGone, None, lang)))
}

pub(super) fn stale_changed(lang: Lang) -> Reason {
    reason(Why::StaleChanged, None, lang)
}

/// The rows of the list's unit showing the exported values, else the corrected ones; `None` when
/// there are none anywhere. Rows showing them only in other units are not this list's to correct.
pub(super) fn by_values(
    exported: u64,
    target: u64,
    index: &SourceIndex,
    in_unit: &dyn Fn(usize) -> bool,
    lang: Lang,
) -> Option<Found> {
    let mut elsewhere = false;
    for (hash, applied) in [(exported, false), (target, true)] {
        let Some(rows) = index.by_values.get(&hash) else {
            continue;
        };
        let rows: Vec<usize> = rows.iter().copied().filter(|&i| in_unit(i)).collect();
        if rows.is_empty() {
            elsewhere = true;
            continue;
        }
        let units: std::collections::HashSet<u64> =
            rows.iter().map(|&i| index.rows[i].unit).collect();
        if units.len() > 1 {
            return Some(Found::Stale(reason(Why::StaleAmbiguous, None, lang)));
        }
        return Some(if applied {
            Found::Applied(rows)
        } else {
            Found::Rows(rows)
        });
    }
    elsewhere.then(|| Found::Stale(reason(Why::OutsideUnit, None, lang)))
}
