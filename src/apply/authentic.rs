//! Returned lists checked against the export ledger (`--history`): a list the ledger does not
//! know is refused as not ours; a known one is told against its record — unit, rows, origins —
//! whatever its hidden sheet says; the lists sent back are recorded so that they are ours when
//! they return. Without the ledger a list can only be checked against itself, and the run says so.

use anyhow::Result;
use chrono::NaiveDate;

use super::outputs::LedgerFacts;
use super::returned::{Refusal, Returned};
use crate::history::History;
use crate::i18n::Lang;
use crate::ledger::{LedgerRow, ListRecord};
use crate::output::list_workbook::{ListMeta, TableRow};

/// The lists the ledger knows, each checked against its record; the others are refused as not
/// ours. Counts in `facts` the lists whose hidden sheet differs from the record.
pub fn authenticate(
    books: Vec<Returned>,
    ledger: &History,
    refused: &mut Vec<(String, Refusal)>,
    facts: &mut LedgerFacts,
) -> Result<Vec<Returned>> {
    let mut known = Vec::with_capacity(books.len());
    for mut b in books {
        match ledger.list(b.identity.get("export_id"), &b.list_path())? {
            Some(record) => {
                facts.lists_altered += usize::from(b.adopt(&record) > 0);
                known.push(b);
            }
            None => refused.push((b.display.clone(), Refusal::NotInLedger)),
        }
    }
    Ok(known)
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
