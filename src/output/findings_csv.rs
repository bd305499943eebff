//! `findings.csv` (DESIGN §5): UTF-8 with BOM, one row per finding, sorted by source, sheet, row,
//! field, code, with exactly the columns of [`COLUMNS`]. Text that a spreadsheet would take for a
//! formula is written with a leading apostrophe.

use std::io::Write;
use std::sync::Mutex;

use anyhow::Result;

use crate::findings::Finding;
use crate::findings::store::SortedFindings;
use crate::history::FindingKey;
use crate::i18n::Lang;
use crate::output::defuse;
use crate::output::export::record_key;
use crate::pipeline::{SheetReport, SourceReport};
use crate::rules::message;

/// The columns, in order.
pub const COLUMNS: [&str; 13] = [
    "source",
    "sheet",
    "row",
    "record_id",
    "province",
    "district",
    "commune",
    "field",
    "code",
    "severity",
    "value",
    "suggestion",
    "message",
];

/// Writes `findings` to `w`; `sources` and `sheets` name where they are. With `keys`, also
/// collects each finding's history key (record key + code) on the way.
pub fn write(
    w: &mut impl Write,
    findings: SortedFindings,
    sources: &[SourceReport],
    sheets: &[SheetReport],
    lang: Lang,
    keys: Option<&Mutex<Vec<FindingKey>>>,
) -> Result<()> {
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut header = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    header.write_record(COLUMNS)?;
    w.write_all(&header.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    // Runs of findings are rendered in parallel and written in order.
    let render = |run: &[Finding]| -> Vec<u8> {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(run.len() * 200));
        if let Some(keys) = keys {
            let mine: Vec<FindingKey> = run
                .iter()
                .map(|f| FindingKey {
                    record_key: record_key(&f.row.record_id, f.loc, sources, sheets),
                    code: f.code.as_str(),
                    severity: f.severity().as_str(),
                    unit: (
                        f.row.province.to_string(),
                        f.row.district.to_string(),
                        f.row.commune.to_string(),
                    ),
                })
                .collect();
            keys.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(mine);
        }
        for f in run {
            let sheet = sheets.get(f.loc.sheet as usize);
            let source = sheet
                .and_then(|s| sources.get(s.info.source as usize))
                .map_or("", |s| s.file.display.as_str());
            let sheet_name = sheet.map_or("", |s| s.info.name.as_str());
            let row = f.loc.row.to_string();
            // Writing to memory cannot fail.
            let _ = out.write_record([
                defuse(source).as_ref(),
                defuse(sheet_name).as_ref(),
                row.as_str(),
                defuse(&f.row.record_id).as_ref(),
                defuse(&f.row.province).as_ref(),
                defuse(&f.row.district).as_ref(),
                defuse(&f.row.commune).as_ref(),
                f.field.map_or("", |x| x.name()),
                f.code.as_str(),
                f.severity().as_str(),
                defuse(&f.value).as_ref(),
                defuse(&f.suggestion).as_ref(),
                &message(f.code, f.detail, lang),
            ]);
        }
        out.into_inner().unwrap_or_default()
    };
    findings.render_in_order(render, |bytes| w.write_all(bytes))?;
    Ok(())
}
