//! What verification.xlsx says (docs/apply-corrections.md), built from one [`Applied`] value and,
//! with `--history`, from the exports and the answers the history records: one line per exported
//! commune — returned or not — with its people answered per outcome, and one row per returned
//! person. A person is counted once however many copies of a list came back (the best answer
//! wins: an answer, then a row sent back, then a deleted row, then an empty one); a person
//! corrected shows the new values.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::outputs::Applied;
use super::returned::Integrity;
use super::{Decision, Outcome};
use crate::ledger::ExportedList;
use crate::output::verification::{
    CommuneLine, IMPORT_HEADERS, RESULT_CODES, RESULTS, Verification, VerificationRow,
};
use crate::record::Field;
use crate::record::shown::Shown;

/// How good an answer is, best first: an answer of the team, a row sent back, a deleted row,
/// nothing filled in.
fn rank(result: usize) -> u8 {
    match RESULT_CODES.get(result).copied() {
        Some("sent_back") => 1,
        Some("deleted") => 2,
        Some("pending") => 3,
        _ => 0,
    }
}

/// The answer kept when `new` comes after `old`: fresh news (an answer, a row sent back)
/// replaces what was known; a deleted or empty row only replaces something no better.
pub fn merge(old: Option<usize>, new: usize) -> usize {
    match old {
        Some(o) if rank(new) > 1 && rank(o) < rank(new) => o,
        _ => new,
    }
}

/// The index in [`RESULTS`] of an outcome.
fn result_of(o: &Outcome) -> usize {
    RESULTS.iter().position(|r| *r == o.label()).unwrap_or(6)
}

/// A person as the lists name them: their record keys, in order.
fn person(keys: &[String]) -> String {
    let mut k: Vec<&str> = keys.iter().map(String::as_str).collect();
    k.sort_unstable();
    k.join("\n")
}

/// A list row's person by the keys the ledger records (one per line).
fn person_of_recorded(keys: &str) -> String {
    let k: Vec<String> = keys
        .split('\n')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(String::from)
        .collect();
    person(&k)
}

impl Applied {
    /// Whether a decision is about a listed person: not a row added to the list, and with keys.
    fn listed(&self, d: &Decision) -> bool {
        let added = d
            .row
            .and_then(|i| self.books[d.workbook].rows.get(i))
            .is_some_and(|r| r.integrity == Integrity::Added);
        !added && !d.keys.is_empty()
    }

    fn unit_of(&self, d: &Decision) -> [String; 3] {
        let id = &self.books[d.workbook].identity;
        ["province", "district", "commune"].map(|k| id.get(k).to_string())
    }

    /// The decision that speaks for each listed person (unit + record keys), with its result:
    /// one per person however many copies came back.
    pub fn answers(&self) -> BTreeMap<([String; 3], String), (usize, usize)> {
        let mut out: BTreeMap<([String; 3], String), (usize, usize)> = BTreeMap::new();
        for (i, d) in self.decisions.iter().enumerate() {
            if !self.listed(d) {
                continue;
            }
            let result = result_of(&d.outcome);
            let slot = out
                .entry((self.unit_of(d), person(&d.keys)))
                .or_insert((i, result));
            if rank(result) < rank(slot.1) {
                *slot = (i, result);
            }
        }
        out
    }

    /// This run's answer for each list row it heard of, by the row's origin (what the history
    /// records, so that tomorrow knows which lists came back).
    pub fn results_by_origin(&self) -> BTreeMap<String, &'static str> {
        let mut best: BTreeMap<String, usize> = BTreeMap::new();
        for d in &self.decisions {
            if !self.listed(d) || d.origin.is_empty() {
                continue;
            }
            let result = result_of(&d.outcome);
            let slot = best.entry(d.origin.clone()).or_insert(result);
            if rank(result) < rank(*slot) {
                *slot = result;
            }
        }
        best.into_iter()
            .map(|(o, r)| (o, RESULT_CODES[r]))
            .collect()
    }

    /// One verification row per returned person, in the order the lists were read.
    pub fn verification_rows(&self) -> Vec<VerificationRow> {
        let mut chosen: Vec<usize> = self.answers().values().map(|(i, _)| *i).collect();
        // A row typed into a list by hand is shown too (it is no listed person, and counts nowhere).
        chosen.extend(
            self.decisions
                .iter()
                .enumerate()
                .filter(|(_, d)| !self.listed(d))
                .map(|(i, _)| i),
        );
        chosen.sort_unstable();
        chosen
            .into_iter()
            .map(|i| self.verification_row(&self.decisions[i]))
            .collect()
    }

    fn verification_row(&self, d: &Decision) -> VerificationRow {
        let b = &self.books[d.workbook];
        let r = d.row.and_then(|i| b.rows.get(i));
        let src = d.matched.first().map(|&i| &self.index.rows[i]);
        // As exported; a deleted row's from the source, when it is still there.
        let exported: Shown<String> = Shown::from_fn(|f| {
            r.and_then(|r| r.shown().get(f).map(|s| s.to_string()))
                .or_else(|| src.map(|s| s.get(f).to_string()))
                .unwrap_or_default()
        });
        // A person corrected shows the new values, and which they are.
        let corrected = matches!(
            d.outcome,
            Outcome::Applied | Outcome::AlreadyApplied | Outcome::Duplicate
        );
        let value = |f: Field| -> String {
            let fix = d.fixes.get(f).cloned().flatten().filter(|_| corrected);
            fix.or_else(|| exported.get(f).cloned()).unwrap_or_default()
        };
        let fields: Vec<&str> = if corrected {
            d.fixes
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(f, _)| IMPORT_HEADERS[f.index()])
                .collect()
        } else {
            Vec::new()
        };
        let reason = match &d.outcome {
            Outcome::Rejected(why) => why.message.clone(),
            _ => String::new(),
        };
        VerificationRow {
            unit: self.unit_of(d),
            workbook: b.display.clone(),
            workbook_row: self.workbook_row_of(d),
            keys: d.keys.join("\n"),
            name: value(Field::FullName),
            birth: value(Field::BirthDate),
            id: value(Field::IdNumber),
            corrected: fields.join(", "),
            result: d.outcome.label(),
            reason,
            note: r.map_or(String::new(), |r| r.fixes.note.trim().to_string()),
        }
    }

    /// The communes of the lists returned in this run (without `--history`: the lists never
    /// returned are not known): each person once, returned on `as_of`.
    pub fn communes_returned(&self, as_of: NaiveDate) -> Vec<CommuneLine> {
        let mut lines: BTreeMap<[String; 3], CommuneLine> = BTreeMap::new();
        for (w, b) in self.books.iter().enumerate() {
            if self.foreign[w] {
                continue;
            }
            let id = &b.identity;
            let unit = ["province", "district", "commune"].map(|k| id.get(k).to_string());
            let exported = NaiveDate::parse_from_str(id.get("as_of"), "%Y-%m-%d").ok();
            let line = lines.entry(unit.clone()).or_insert_with(|| CommuneLine {
                unit,
                returned: Some(as_of),
                ..CommuneLine::default()
            });
            line.exported = match (line.exported, exported) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        for ((unit, _), (_, result)) in self.answers() {
            if let Some(line) = lines.get_mut(&unit) {
                line.listed += 1;
                line.counts[result] += 1;
            }
        }
        sorted(lines.into_values().collect(), as_of)
    }

    /// Everything verification.xlsx shows: with `--history`, the communes of every list
    /// exported ([`Tracked`]); without, those of the lists returned in this run.
    pub fn verification(&self, as_of: NaiveDate, history: Option<&Tracked>) -> Verification {
        let communes = match history {
            Some(t) => communes_exported(&t.exports, &t.answers, as_of),
            None => self.communes_returned(as_of),
        };
        Verification {
            as_of,
            from_history: history.is_some(),
            communes,
            rows: self.verification_rows(),
        }
    }
}

/// What the history knows of the lists (`--history`), with this run's answers laid over it.
pub struct Tracked {
    /// The lists `export-list` wrote.
    pub exports: Vec<ExportedList>,
    /// Each list row's answer (index in [`RESULTS`]) and the day it first came, this run included.
    pub answers: HashMap<String, (usize, NaiveDate)>,
    /// What to record once the outputs are in place: the rows this run heard of (origin, result
    /// code, day first answered).
    pub run: Vec<(String, &'static str, NaiveDate)>,
}

/// Reads the exports and the answers the history records, and lays this run's answers over
/// them ([`merge`]); `None` without a history.
pub fn track(
    applied: &Applied,
    history: Option<&crate::history::History>,
    as_of: NaiveDate,
) -> anyhow::Result<Option<Tracked>> {
    let Some(h) = history else {
        return Ok(None);
    };
    let code = |c: &str| RESULT_CODES.iter().position(|x| *x == c);
    let mut answers: HashMap<String, (usize, NaiveDate)> = HashMap::new();
    for (origin, (c, day)) in h.answers()? {
        if let Some(r) = code(&c) {
            answers.insert(origin, (r, day));
        }
    }
    let mut run = Vec::new();
    for (origin, c) in applied.results_by_origin() {
        let Some(r) = code(c) else { continue };
        let old = answers.get(&origin).copied();
        let day = old.map_or(as_of, |(_, d)| d.min(as_of));
        let now = merge(old.map(|(o, _)| o), r);
        run.push((origin.clone(), RESULT_CODES[now], day));
        answers.insert(origin, (now, day));
    }
    // Per unit its latest list with every row; of the earlier ones, the rows answered (what the
    // latest list's people may have answered there).
    let mut exports = h.exported_heads()?;
    let mut latest: HashMap<[String; 3], usize> = HashMap::new();
    for (i, e) in exports.iter().enumerate() {
        latest.insert(e.unit.clone(), i);
    }
    let mut place: HashMap<(String, String), usize> = HashMap::new();
    for (i, e) in exports.iter_mut().enumerate() {
        if latest.get(&e.unit) == Some(&i) {
            e.rows = h.list_rows(&e.export_id, &e.list)?;
        } else {
            place.insert((e.export_id.clone(), e.list.clone()), i);
        }
    }
    let mut answered: Vec<&String> = answers.keys().collect();
    answered.sort_unstable();
    for origin in answered {
        let Some((export_id, list, row)) = crate::ledger::split_origin(origin) else {
            continue;
        };
        let Some(&i) = place.get(&(export_id.to_string(), list.to_string())) else {
            continue;
        };
        if let Some(keys) = h.row_keys(export_id, list, row)? {
            exports[i].rows.push((origin.clone(), keys));
        }
    }
    Ok(Some(Tracked {
        exports,
        answers,
        run,
    }))
}

/// The lists never returned first, the longest waiting first; then the others, by unit.
fn sorted(mut lines: Vec<CommuneLine>, as_of: NaiveDate) -> Vec<CommuneLine> {
    lines.sort_by(|a, b| {
        let wait = |l: &CommuneLine| std::cmp::Reverse(l.days_waiting(as_of).unwrap_or(-1));
        (a.returned.is_some(), wait(a), &a.unit).cmp(&(b.returned.is_some(), wait(b), &b.unit))
    });
    lines
}

/// One line per exported commune, from the exports the history records: per unit its latest
/// export, each of whose people has the answer recorded for their list row — or, when an earlier
/// export of the unit listed the same record keys, that row's answer (`answers`: by origin, the
/// result and the day it first came). A list is returned from the first day one of its people
/// was answered.
pub fn communes_exported(
    exports: &[ExportedList],
    answers: &HashMap<String, (usize, NaiveDate)>,
    as_of: NaiveDate,
) -> Vec<CommuneLine> {
    let mut by_unit: BTreeMap<&[String; 3], Vec<&ExportedList>> = BTreeMap::new();
    for e in exports {
        by_unit.entry(&e.unit).or_default().push(e);
    }
    let mut lines = Vec::new();
    for (unit, lists) in by_unit {
        // Answers by person over every export of the unit, the later export winning.
        let mut ordered = lists.clone();
        ordered.sort_by(|a, b| (a.as_of, &a.created).cmp(&(b.as_of, &b.created)));
        let mut by_person: HashMap<String, (usize, NaiveDate)> = HashMap::new();
        for l in &ordered {
            for (origin, keys) in &l.rows {
                if let Some(a) = answers.get(origin) {
                    by_person.insert(person_of_recorded(keys), *a);
                }
            }
        }
        let Some(latest) = ordered.last() else {
            continue;
        };
        let mut line = CommuneLine {
            unit: unit.clone(),
            exported: Some(latest.as_of),
            listed: latest.rows.len() as u64,
            ..CommuneLine::default()
        };
        for (origin, keys) in &latest.rows {
            let answer = answers
                .get(origin)
                .copied()
                .or_else(|| by_person.get(&person_of_recorded(keys)).copied());
            if let Some((r, day)) = answer {
                line.counts[r] += 1;
                line.returned = Some(line.returned.map_or(day, |d: NaiveDate| d.min(day)));
            }
        }
        lines.push(line);
    }
    sorted(lines, as_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn list(export: &str, commune: &str, as_of: u32, keys: &[&str]) -> ExportedList {
        let name = format!("T/H/{commune}.xlsx");
        ExportedList {
            export_id: export.into(),
            list: name.clone(),
            created: format!("2026-11-{as_of:02}T08:00:00+07:00"),
            as_of: day(as_of),
            unit: ["T".into(), "H".into(), commune.into()],
            rows: keys
                .iter()
                .enumerate()
                .map(|(i, k)| (format!("{export}/{name}/{}", i + 2), k.to_string()))
                .collect(),
        }
    }

    #[test]
    fn an_answer_replaces_what_was_known_and_an_empty_row_does_not() {
        let (fixed, sent_back, pending, deleted) = (0, 2, 6, 7);
        assert_eq!(merge(None, pending), pending);
        assert_eq!(merge(Some(fixed), pending), fixed);
        assert_eq!(merge(Some(fixed), deleted), fixed);
        assert_eq!(merge(Some(sent_back), fixed), fixed);
        assert_eq!(merge(Some(fixed), sent_back), sent_back);
        assert_eq!(merge(Some(pending), deleted), deleted);
        assert_eq!(merge(Some(deleted), pending), deleted);
    }

    #[test]
    fn every_exported_commune_has_a_line_returned_or_not() {
        let exports = vec![
            list("e1", "Xã A", 20, &["A1", "A2", "A3"]),
            list("e1", "Xã B", 20, &["B1", "B2"]),
            list("e1", "Xã C", 20, &["C1"]),
        ];
        // Xã A answered two days ago (one row) and today (another); Xã C today; Xã B never.
        let answers: HashMap<String, (usize, NaiveDate)> = [
            ("e1/T/H/Xã A.xlsx/2".to_string(), (0, day(24))),
            ("e1/T/H/Xã A.xlsx/3".to_string(), (1, day(26))),
            ("e1/T/H/Xã C.xlsx/2".to_string(), (2, day(26))),
        ]
        .into();
        let lines = communes_exported(&exports, &answers, day(26));
        let got: Vec<_> = lines
            .iter()
            .map(|l| {
                (
                    l.unit[2].as_str(),
                    l.returned,
                    l.days_waiting(day(26)),
                    l.listed,
                    l.counts[0],
                    l.counts[1],
                    l.counts[2],
                    l.unanswered(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                // Not returned: first, six days waiting.
                ("Xã B", None, Some(6), 2, 0, 0, 0, 2),
                // Returned since the 24th.
                ("Xã A", Some(day(24)), None, 3, 1, 1, 0, 1),
                ("Xã C", Some(day(26)), None, 1, 0, 0, 1, 0),
            ]
        );
    }

    #[test]
    fn a_new_export_of_a_commune_keeps_the_answers_given_to_the_same_people() {
        let exports = vec![
            list("e1", "Xã A", 20, &["A1", "A2"]),
            list("e2", "Xã A", 25, &["A2\nA9", "A3"]),
        ];
        let recorded: HashMap<String, (usize, NaiveDate)> =
            [("e1/T/H/Xã A.xlsx/3".to_string(), (4, day(22)))].into();
        // A2 was listed by e1 with one key: keys are compared as recorded.
        let lines = communes_exported(&exports, &recorded, day(26));
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].exported, Some(day(25)));
        assert_eq!(lines[0].listed, 2);
        assert_eq!(lines[0].counts.iter().sum::<u64>(), 0, "A2 ≠ A2+A9");
        let exports = vec![
            list("e1", "Xã A", 20, &["A1", "A2"]),
            list("e2", "Xã A", 25, &["A2", "A3"]),
        ];
        let lines = communes_exported(&exports, &recorded, day(26));
        assert_eq!(lines[0].counts[4], 1, "A2 moved away, answered on e1");
        assert_eq!(lines[0].returned, Some(day(22)));
    }
}
