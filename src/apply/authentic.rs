//! Returned lists checked against the export ledger (`--history`): a list the ledger does not
//! know is refused as not ours; a known one is told against its record — unit, rows, origins —
//! whatever its hidden sheet says; the lists sent back are recorded so that they are ours when
//! they return. Without the ledger a list can only be checked against itself, and the run says so.

use std::io::Write;

use anyhow::Result;
use chrono::NaiveDate;

use super::outputs::LedgerFacts;
use super::returned::{Refusal, Returned};
use crate::history::History;
use crate::i18n::Lang;
use crate::ledger::{LedgerRow, ListRecord};
use crate::output::list_workbook::{ListMeta, TableRow};

/// Checks the returned lists against the ledger when there is one (see [`authenticate`]; each
/// altered list named on stderr), else says once on stderr (unless `quiet`) that they cannot be
/// authenticated. Returns the lists to decide and, with a ledger, what it found.
pub fn check(
    books: Vec<Returned>,
    ledger: Option<&History>,
    refused: &mut Vec<(String, Refusal)>,
    quiet: bool,
    lang: Lang,
) -> Result<(Vec<Returned>, Option<LedgerFacts>)> {
    let mut stderr = std::io::stderr().lock();
    let Some(ledger) = ledger else {
        if !books.is_empty() && !quiet {
            writeln!(stderr, "{}", unchecked_note(lang))?;
        }
        return Ok((books, None));
    };
    let mut facts = LedgerFacts::default();
    let (books, notes) = authenticate(books, ledger, refused, &mut facts, lang)?;
    for n in notes {
        writeln!(stderr, "{}", crate::util::printable(&n))?;
    }
    Ok((books, Some(facts)))
}

/// The lists the ledger knows, each checked against its record; the others are refused as not
/// ours. Counts in `facts` the lists whose hidden sheet differs from the record, and names each in
/// `notes` (one line for stderr, in `lang`).
pub fn authenticate(
    books: Vec<Returned>,
    ledger: &History,
    refused: &mut Vec<(String, Refusal)>,
    facts: &mut LedgerFacts,
    lang: Lang,
) -> Result<(Vec<Returned>, Vec<String>)> {
    let mut known = Vec::with_capacity(books.len());
    let mut notes = Vec::new();
    for mut b in books {
        match ledger.list(b.identity.get("export_id"), &b.list_path())? {
            Some(record) => {
                let altered = b.adopt(&record);
                if altered > 0 {
                    facts.lists_altered += 1;
                    notes.push(altered_note(&b.display, altered, lang));
                }
                known.push(b);
            }
            None => refused.push((b.display.clone(), Refusal::NotInLedger)),
        }
    }
    Ok((known, notes))
}

fn altered_note(list: &str, rows: usize, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!(
            "vaxclean: '{list}': trang ẩn khác bản đã lưu lúc xuất ở {rows} dòng; các dòng được đối chiếu với bản đã lưu"
        ),
        Lang::En => format!(
            "vaxclean: '{list}': the hidden sheet differs from the record made at export in {rows} rows; rows are checked against the record"
        ),
    }
}

/// What a run without `--history` says once: the lists cannot be authenticated.
pub fn unchecked_note(lang: Lang) -> &'static str {
    lang.pick(
        "vaxclean: lưu ý: không có --history nên không kiểm chứng được danh sách nào do nơi này xuất ra; mỗi danh sách chỉ được đối chiếu với chính nó",
        "vaxclean: note: without --history no list can be checked as one exported here; each list is only checked against itself",
    )
}

/// The ledger's record of a list sent back: its rows (as written) with the origins of the rows
/// they send back.
pub fn sent_back(
    meta: &ListMeta,
    as_of: NaiveDate,
    table: Vec<TableRow>,
    origins: Vec<String>,
) -> ListRecord {
    ListRecord {
        export_id: meta.export_id.clone(),
        list: meta.list.clone(),
        created: meta.created.clone(),
        as_of,
        unit: [
            meta.province.clone(),
            meta.district.clone(),
            meta.commune.clone(),
        ],
        rows: table
            .into_iter()
            .zip(origins)
            .map(|(table, origin)| LedgerRow { table, origin })
            .collect(),
    }
}
