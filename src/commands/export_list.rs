//! `vaxclean export-list`: scan the dumps, then write one correction workbook per commune
//! (docs/export-list.md) and `index.csv`. Exit 0 when the lists were written, 2 when an input could not
//! be read (the lists of the others are still written).

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::cli::ExportArgs;
use crate::exit;
use crate::findings::people::list_people;
use crate::ledger::ListRecord;
use crate::output::atomic::{OutDir, Outputs};
use crate::output::export::{self, ExportContext, Filter};
use crate::output::list_workbook::ListMeta;
use crate::settings::{ExportSettings, Ui};

/// Runs `export-list`.
pub fn run(args: &ExportArgs, ui: Ui) -> Result<u8> {
    let started = Instant::now();
    let settings = ExportSettings::new(args, ui)?;
    let lang = ui.lang;
    let config = &settings.config;
    // The ledger is opened first: a history that cannot be used stops the run before the scan.
    let mut ledger = settings.ledger.open(lang)?;
    let mut out = OutDir::begin(&settings.out, Outputs::ExportList, ui.access, lang)?;
    let (errors, result) = super::read_and_check(&settings.inputs, config, &out, ui)?;
    let failed_inputs = super::report_inputs(&errors, &result.sources, ui)?;
    let (_, mut result) = result.take_findings();
    let Some(people) = result.captured.take() else {
        return Ok(exit::TROUBLE);
    };

    let sheets = &result.sheets;
    let order = |l: &crate::record::RowLoc| {
        (
            sheets.get(l.sheet as usize).map_or(u32::MAX, |s| s.rank),
            l.row,
        )
    };
    let listed = list_people(people.rows, &people.cross, settings.listing, order);
    let mut cross: HashMap<_, Vec<_>> = HashMap::new();
    for f in &people.cross {
        cross.entry(f.loc).or_default().push(f);
    }
    let created = chrono::Local::now();
    let sources = result.read_stamps();
    let mut id = Sha256::new();
    id.update(created.to_rfc3339().as_bytes());
    for s in &sources {
        id.update(s.path.as_bytes());
        id.update(s.sha256.as_bytes());
    }
    let export_id: String = id
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let ctx = ExportContext {
        reader: &people.reader,
        cross,
        units: &people.units,
        sources: &result.sources,
        sheets: &result.sheets,
        meta: ListMeta {
            export_id: export_id.clone(),
            created: created.to_rfc3339(),
            as_of: config.today,
            province: String::new(),
            district: String::new(),
            commune: String::new(),
            commune_code: String::new(),
            list: String::new(),
            division: settings.division,
            undetermined: false,
            former: String::new(),
            sources,
            with_reason: false,
        },
        keep_tables: ledger.is_some(),
        division: settings.division,
    };
    let filter = Filter {
        provinces: settings.provinces,
        districts: settings.districts,
        communes: settings.communes,
    };
    let index = export::write_lists(&out, listed, &ctx, &filter)?;
    let index_path = out.write("index.csv", |w| export::write_index(w, &index))?;
    if let Some(h) = &mut ledger {
        let lists: Vec<ListRecord> = index
            .iter()
            .map(|r| ListRecord::of_export(&export_id, &created.to_rfc3339(), config.today, r))
            .collect();
        h.record_lists(&lists)?;
    }
    if !super::finish_outputs(&mut out, failed_inputs, settings.allow_partial, ui)? {
        return Ok(exit::TROUBLE);
    }

    if !ui.quiet {
        let people: u64 = index.iter().map(|r| r.people).sum();
        let secs = format!("{:.1}", started.elapsed().as_secs_f64());
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", lang.pick(format!("Đã quét {} dòng; lập {} danh sách cho {} người cần rà soát, trong {} giây.\nMã lần xuất: {export_id}\nDanh mục: {}",
                lang.count(result.rows),
                lang.count(index.len() as u64),
                lang.count(people),
                secs.replace('.', ","),
                index_path.display()), format!("Scanned {} rows; wrote {} lists of {} people to check, in {secs} s.\nExport id: {export_id}\nIndex: {}",
                lang.count(result.rows),
                lang.count(index.len() as u64),
                lang.count(people),
                index_path.display())))?
    }
    Ok(if failed_inputs {
        exit::TROUBLE
    } else {
        exit::OK
    })
}
