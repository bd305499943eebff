//! Conflicts that outlive a batch (`apply-corrections --history`). Within one batch, one new ID
//! number claimed for two people, or one person corrected two ways, sends every row involved back
//! ([`super::decide`]). Recorded in the history, the conflict stays open: a row resent later that
//! still claims what another open side disputes is sent back again, so the list resent first
//! does not win. A side closes when its row (or a list sent back for it) comes back settled —
//! applied, confirmed, moved away…, or claiming something else.

use std::collections::HashSet;

use super::{Context, Decision, Outcome, Reason, Why};
use crate::i18n::Lang;
use crate::ledger::{Kind, Side, digest};
use crate::normalize::dates::read_date;
use crate::normalize::text::fold;
use crate::record::{Cell, Field};

/// What one batch does to the conflicts on record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Settled {
    /// Sides opened (or opened again) by this batch.
    pub opened: Vec<Side>,
    /// Sides this batch settles.
    pub resolved: Vec<Side>,
}

/// What a decision claims: (kind, subject, party).
fn claims(d: &Decision, ctx: &Context<'_>) -> Vec<(Kind, String, String)> {
    let mut out = Vec::new();
    if d.fixes.iter().all(|(_, f)| f.is_none()) {
        return out;
    }
    let shown = d
        .row
        .and_then(|r| ctx.returned.get(d.workbook)?.rows.get(r))
        .map(|r| r.shown().map(|s| s.to_string()))
        .unwrap_or_default();
    if let Some(id) = &d.fixes.id {
        let name = d.fixes.name.clone().unwrap_or(shown.name.clone());
        let birth = d.fixes.birth.clone().unwrap_or(shown.birth.clone());
        let birth = read_date(&Cell::Text(birth), ctx.today)
            .date()
            .map(|b| b.to_string())
            .unwrap_or_default();
        out.push((
            Kind::IdTaken,
            digest(&[id.as_str()]),
            digest(&[fold(&name), birth]),
        ));
    }
    let mut keys = d.keys.clone();
    keys.sort_unstable();
    let fixes: Vec<&str> = d
        .fixes
        .iter()
        .map(|(_, f)| f.as_deref().unwrap_or(""))
        .collect();
    out.push((Kind::Corrections, digest(&keys), digest(&fixes)));
    out
}

fn why_of(kind: Kind) -> (Why, Option<Field>) {
    match kind {
        Kind::IdTaken => (Why::IdTaken, Some(Field::IdNumber)),
        Kind::Corrections => (Why::ConflictWorkbooks, None),
    }
}

/// Whether `d` was sent back for a conflict of this kind.
fn rejected_for(d: &Decision, kind: Kind) -> bool {
    matches!(&d.outcome, Outcome::Rejected(r) if r.why == why_of(kind).0)
}

fn still_open(kind: Kind, lang: Lang) -> Reason {
    let (why, field) = why_of(kind);
    let more = lang.pick(
        " (xung đột còn mở từ một lần áp dụng trước; cần giải quyết cả hai bên)",
        " (a conflict still open from an earlier batch; both sides must be settled)",
    );
    Reason {
        why,
        field,
        message: format!("{}{more}", why.text(lang)),
    }
}

/// Checks the batch's `decisions` against the `open` sides on record: a row applied here that
/// claims what an unsettled side of another row disputes is sent back; returns the sides to open
/// and those settled.
pub fn enforce(decisions: &mut [Decision], ctx: &Context<'_>, open: &[Side]) -> Settled {
    let claimed: Vec<Vec<(Kind, String, String)>> =
        decisions.iter().map(|d| claims(d, ctx)).collect();
    // An open side whose row came back settled: final, or claiming something else.
    let settles = |d: &Decision, mine: &[(Kind, String, String)], s: &Side| {
        let same = mine
            .iter()
            .any(|(k, subj, party)| *k == s.kind && *subj == s.subject && *party == s.party);
        match &d.outcome {
            Outcome::Pending => false,
            Outcome::Confirmed | Outcome::Unidentified | Outcome::MovedAway | Outcome::Deceased => {
                true
            }
            Outcome::Applied | Outcome::AlreadyApplied | Outcome::Duplicate => true,
            // Sent back while claiming something else: the team changed its mind. Sent back
            // before its corrections were read (a locked cell edited, a row deleted…): nothing
            // was said, the side stays open.
            Outcome::Rejected(_) => !mine.is_empty() && !same,
        }
    };
    let mut resolved: HashSet<&Side> = HashSet::new();
    for s in open {
        for (d, mine) in decisions.iter().zip(&claimed) {
            if d.origin == s.origin && settles(d, mine, s) {
                resolved.insert(s);
            }
        }
    }
    // A row applied here against an unsettled side of another row is sent back.
    let mut sent_back: Vec<(Vec<usize>, Reason)> = Vec::new();
    for (i, mine) in claimed.iter().enumerate() {
        if decisions[i].outcome != Outcome::Applied {
            continue;
        }
        let origin = decisions[i].origin.clone();
        let against = mine.iter().find_map(|(k, subj, party)| {
            open.iter()
                .find(|s| {
                    s.kind == *k
                        && s.subject == *subj
                        && s.party != *party
                        && s.origin != origin
                        && !resolved.contains(s)
                })
                .map(|s| s.kind)
        });
        if let Some(kind) = against {
            let d = &mut decisions[i];
            let why = still_open(kind, ctx.lang);
            d.outcome = Outcome::Rejected(why.clone());
            d.changes.clear();
            sent_back.push((d.matched.clone(), why));
        }
    }
    // Rows that apply the same corrections follow the one sent back.
    for d in decisions.iter_mut() {
        if d.outcome == Outcome::Duplicate
            && let Some((_, r)) = sent_back.iter().find(|(m, _)| *m == d.matched)
        {
            d.outcome = Outcome::Rejected(r.clone());
        }
    }
    let mut settled = Settled::default();
    for s in open {
        let undone = decisions
            .iter()
            .any(|d| d.origin == s.origin && rejected_for(d, s.kind));
        if resolved.contains(s) && !undone {
            settled.resolved.push(s.clone());
        }
    }
    for (d, mine) in decisions.iter().zip(&claimed) {
        for (kind, subject, party) in mine {
            if rejected_for(d, *kind) {
                settled.opened.push(Side {
                    kind: *kind,
                    subject: subject.clone(),
                    origin: d.origin.clone(),
                    party: party.clone(),
                });
            }
        }
    }
    settled.opened.sort();
    settled.opened.dedup();
    settled
}

impl Settled {
    /// Counts this batch's sides into the summary's ledger facts.
    pub fn count_into(&self, facts: &mut super::outputs::LedgerFacts, open: &[Side]) {
        facts.conflicts_opened = self.opened.len();
        facts.conflicts_resolved = self.resolved.len();
        facts.conflicts_open = self.open_after(open);
    }

    /// How many sides stay open once this batch is recorded over `open`.
    pub fn open_after(&self, open: &[Side]) -> usize {
        let key = |s: &Side| (s.kind, s.subject.clone(), s.origin.clone());
        let mut sides: HashSet<_> = open.iter().map(key).collect();
        for s in &self.resolved {
            sides.remove(&key(s));
        }
        sides.extend(self.opened.iter().map(key));
        sides.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{FIX_NAME, SHOWN_A, book, context, index_of, returned_row, src_row};
    use super::super::{decide, returned::Returned};
    use super::*;
    use crate::normalize::places::Gazetteer;

    const SHOWN_B: [&str; 5] = ["Trần Thị Bé", "01/01/1990", "Nữ", "", ""];
    const CMND: [&str; 5] = ["", "", "", "024123987", ""];

    fn run(books: &[Returned], open: &[Side]) -> (Vec<String>, Settled) {
        let index = index_of(vec![
            src_row("R1", SHOWN_A, 1, 2),
            src_row("R2", SHOWN_B, 1, 3),
        ]);
        let gazetteer = Gazetteer::default();
        let ctx = context(books, &gazetteer);
        let mut d = decide(&ctx, &index);
        let settled = enforce(&mut d, &ctx, open);
        let codes = d
            .iter()
            .map(|d| match &d.outcome {
                Outcome::Rejected(r) => r.why.code().to_string(),
                o => o.code().to_string(),
            })
            .collect();
        (codes, settled)
    }

    #[test]
    fn a_number_claimed_twice_stays_disputed_until_both_sides_settle() {
        let a = || returned_row(&["R1"], SHOWN_A, CMND, "Đã sửa");
        let b = || returned_row(&["R2"], SHOWN_B, CMND, "Đã sửa");
        // Batch 1: both in one list: both sent back, two sides opened.
        let (codes, s1) = run(&[book(vec![a(), b()])], &[]);
        assert_eq!(codes, ["ID_TAKEN", "ID_TAKEN"]);
        let open: Vec<Side> = s1
            .opened
            .iter()
            .filter(|s| s.kind == Kind::IdTaken)
            .cloned()
            .collect();
        assert_eq!(open.len(), 2);
        // Batch 2: A resent alone: still disputed by B.
        let (codes, s2) = run(&[book(vec![a()])], &open);
        assert_eq!(codes, ["ID_TAKEN"]);
        assert!(s2.resolved.is_empty());
        // Batch 3: B comes back with another number: B's side settles; A still waits this batch.
        let other = returned_row(&["R2"], SHOWN_B, ["", "", "", "024123988", ""], "Đã sửa");
        let (codes, s3) = run(&[book(vec![other])], &open);
        assert_eq!(codes, ["applied"]);
        assert_eq!(s3.resolved.len(), 1);
        let left: Vec<Side> = open
            .iter()
            .filter(|s| !s3.resolved.contains(s))
            .cloned()
            .collect();
        // Batch 4: A resent: nobody disputes it any more.
        let (codes, s4) = run(&[book(vec![a()])], &left);
        assert_eq!(codes, ["applied"]);
        assert_eq!(s4.resolved, left);
        assert_eq!(s4.open_after(&left), 0);
        assert_eq!(s3.open_after(&open), 1);
    }

    #[test]
    fn a_side_sent_back_unread_stays_open() {
        let a = || returned_row(&["R1"], SHOWN_A, CMND, "Đã sửa");
        let b = || returned_row(&["R2"], SHOWN_B, CMND, "Đã sửa");
        let (_, s1) = run(&[book(vec![a(), b()])], &[]);
        // B's row comes back with a locked cell edited: its corrections are not read, and A's
        // list resent with it still finds the number disputed.
        let mut edited = b();
        edited.integrity = crate::apply::returned::Integrity::LockedEdited;
        let (codes, s2) = run(&[book(vec![a()]), book(vec![edited])], &s1.opened);
        assert_eq!(codes, ["ID_TAKEN", "LOCKED_EDITED"]);
        assert!(s2.resolved.is_empty());
    }

    #[test]
    fn one_person_corrected_two_ways_stays_disputed() {
        let one = || returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa");
        let mut two = returned_row(&["R1"], SHOWN_A, ["Lê Văn Ấn", "", "", "", ""], "Đã sửa");
        two.origin = "e2/other.xlsx/7".into();
        let (codes, s1) = run(&[book(vec![one()]), book(vec![two])], &[]);
        assert_eq!(codes, ["CONFLICT_WORKBOOKS", "CONFLICT_WORKBOOKS"]);
        let (codes, _) = run(&[book(vec![one()])], &s1.opened);
        assert_eq!(codes, ["CONFLICT_WORKBOOKS"]);
        // The other list comes back agreeing: both settle, and it applies.
        let mut agree = one();
        agree.origin = "e2/other.xlsx/7".into();
        let (codes, s3) = run(&[book(vec![one(), agree])], &s1.opened);
        assert_eq!(codes, ["applied", "duplicate"]);
        assert_eq!(s3.resolved.len(), s1.opened.len());
    }
}
