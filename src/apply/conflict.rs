//! Conflicts between returned rows: the same record corrected differently in two lists (or two
//! rows), and one new number given to two people (in the sources or across lists). Both sides are
//! sent back; neither is applied.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::source::SourceIndex;
use super::why::Why;
use super::{Context, Decision, Outcome, reason};
use crate::normalize::dates::read_date;
use crate::normalize::text::fold;
use crate::record::{Cell, Field};

/// The same record corrected differently in two places; one number given to two people.
pub(super) fn conflicts(out: &mut [Decision], ctx: &Context<'_>, index: &SourceIndex) {
    let lang = ctx.lang;
    let live = |d: &Decision| matches!(d.outcome, Outcome::Applied);
    // Source row → decisions that would change it.
    let mut by_row: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, d) in out.iter().enumerate() {
        if live(d) {
            for &r in &d.matched {
                by_row.entry(r).or_default().push(i);
            }
        }
    }
    let mut primary_of: HashMap<usize, usize> = HashMap::new();
    for group in by_row.values() {
        let first = group[0];
        let same = group.iter().all(|&j| out[j].fixes == out[first].fixes);
        for &j in group {
            if !same {
                out[j].outcome = Outcome::Rejected(reason(Why::ConflictWorkbooks, None, lang));
            } else if j != first {
                primary_of.insert(j, first);
            }
        }
    }
    for &j in primary_of.keys() {
        if live(&out[j]) {
            out[j].outcome = Outcome::Duplicate;
        }
    }
    // One new number, two people.
    let person = |d: &Decision| -> (String, Option<NaiveDate>) {
        let shown = d
            .row
            .and_then(|r| ctx.returned[d.workbook].rows.get(r))
            .map(|r| r.shown().map(|s| s.to_string()))
            .unwrap_or_default();
        let name = d.fixes.name.clone().unwrap_or(shown.name);
        let birth = d.fixes.birth.clone().unwrap_or(shown.birth);
        let birth: Cell<String> = Cell::Text(birth);
        (fold(&name), read_date(&birth, ctx.today).date())
    };
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in out.iter().enumerate() {
        if live(d)
            && let Some(id) = &d.fixes.id
        {
            by_id.entry(id.clone()).or_default().push(i);
        }
    }
    let taken = || Outcome::Rejected(reason(Why::IdTaken, Some(Field::IdNumber), lang));
    let mut rejected = Vec::new();
    for (id, group) in &by_id {
        let me = |i: usize| person(&out[i]);
        let people: std::collections::HashSet<(String, Option<NaiveDate>)> =
            group.iter().map(|&i| me(i)).collect();
        if people.len() > 1 {
            rejected.extend(group.iter().copied());
            continue;
        }
        for &i in group {
            let (name, birth) = me(i);
            let others = index
                .by_id
                .get(id)
                .into_iter()
                .flatten()
                .filter(|r| !out[i].matched.contains(r));
            for &r in others {
                let row = &index.rows[r];
                let their_birth: Cell<String> = Cell::Text(row.get(Field::BirthDate).to_string());
                if fold(row.get(Field::FullName)) != name
                    || read_date(&their_birth, ctx.today).date() != birth
                {
                    rejected.push(i);
                    break;
                }
            }
        }
    }
    for i in rejected {
        out[i].outcome = taken();
    }
    // A duplicate follows its primary.
    for (j, first) in primary_of {
        if let Outcome::Rejected(why) = &out[first].outcome {
            out[j].outcome = Outcome::Rejected(why.clone());
        }
    }
}
