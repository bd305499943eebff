//! `vaxclean apply-corrections`: read the returned lists, decide every row with the scan's rules
//! ([`crate::apply`]), then write the merged sources, audit.csv, the lists sent back, the import
//! file, verification.xlsx and summary.json (docs/apply-corrections.md). The sources are only
//! ever read. Exit 0 when the run went through, 2 when a source or a returned workbook could not
//! be used (the others are still applied). Orchestration only: what is written is built by
//! [`crate::apply::outputs`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use crate::apply::outputs::{self, Applied, RunFacts};
use crate::apply::returned::{self, Refusal, Returned};
use crate::apply::{self, Context, authentic, source, standing};
use crate::cli::ApplyArgs;
use crate::exit;
use crate::input::SourceStamp;
use crate::ledger::ListRecord;
use crate::output::atomic::{OutDir, Outputs};
use crate::output::audit;
use crate::output::list_workbook;
use crate::output::merged;
use crate::output::verification;
use crate::settings::{ApplySettings, Ui};

/// Runs `apply-corrections`.
pub fn run(args: &ApplyArgs, ui: Ui) -> Result<u8> {
    let started = Instant::now();
    let settings = ApplySettings::new(args, ui)?;
    let lang = ui.lang;
    let config = &settings.config;
    let today = config.today;
    let mut ledger = settings.ledger.open(lang)?;
    let mut out = OutDir::begin(&settings.out, Outputs::Apply, ui.access, lang)?;
    let (files, input_errors, names) = super::merged_inputs(&settings.sources, out.path(), ui)?;

    // The returned workbooks, read in parallel.
    let (paths, missing) = returned::discover(&settings.corrections);
    let read: Vec<(String, Result<Returned, Refusal>)> = paths
        .par_iter()
        .map(|(p, d)| (d.clone(), returned::read(p, d)))
        .collect();
    let mut refused: Vec<(String, Refusal)> = missing
        .into_iter()
        .map(|(d, e)| (d, Refusal::Unreadable(e)))
        .collect();
    let mut books: Vec<Returned> = Vec::new();
    for (d, r) in read {
        match r {
            Ok(b) => books.push(b),
            Err(e) => refused.push((d, e)),
        }
    }
    // Columns added after the last one are ignored; said once per list.
    if !ui.quiet {
        let mut stderr = std::io::stderr().lock();
        for b in books.iter().filter(|b| !b.ignored_columns.is_empty()) {
            let line = returned::ignored_note(b, lang);
            writeln!(stderr, "{}", crate::util::printable(&line))?;
        }
    }
    // Each list checked against what the ledger recorded at export, or only against itself.
    let mut facts;
    (books, facts) = authentic::check(books, ledger.as_ref(), &mut refused, ui.quiet, lang)?;

    let ctx = Context {
        today,
        lang,
        returned: &books,
        gazetteer: &config.gazetteer,
        registry: config.registry.as_deref(),
    };
    let wanted = apply::wanted(&ctx);
    let index = source::index(&files, &config.read, &wanted, today, config.threads());
    let mut decisions = apply::decide(&ctx, &index);
    let open = match &ledger {
        Some(h) => h.open_sides()?,
        None => Vec::new(),
    };
    let settled = ledger
        .as_ref()
        .map(|_| standing::enforce(&mut decisions, &ctx, &open));
    // A workbook none of whose rows can be found belongs to other data.
    let (applied, foreign) = Applied::new(files, books, index, decisions);
    refused.extend(foreign);

    let failed_sources: Vec<String> = input_errors
        .iter()
        .map(|e| e.render(lang))
        .chain(applied.index.errors.iter().map(|(_, e)| e.render(lang)))
        .collect();
    let mut stderr = std::io::stderr().lock();
    for e in &failed_sources {
        writeln!(stderr, "vaxclean: {}", crate::util::printable(e))?;
    }
    for (d, why) in &refused {
        let line = format!("'{d}': {}", outputs::refusal_message(why, lang));
        writeln!(stderr, "vaxclean: {}", crate::util::printable(&line))?;
    }
    drop(stderr);

    // What the history knows of the lists exported and the answers of earlier batches.
    let tracked = apply::verify::track(&applied, ledger.as_ref(), today)?;
    let audit_rows = applied.audit_rows(lang);
    let audit_path = out.write("audit.csv", |w| audit::write(w, &audit_rows))?;

    let hashes: Vec<Option<String>> = applied
        .files
        .par_iter()
        .map(|f| crate::pipeline::sha256_of(&f.path))
        .collect();
    let mut written: Vec<PathBuf> = vec![audit_path];
    let mut import_count = 0usize;
    let mut rejected_lists = 0usize;
    let mut sent_back: Vec<ListRecord> = Vec::new();
    if !settings.dry_run {
        // Merged sources.
        let edits = applied.edits_by_source();
        let unreadable: Vec<usize> = applied.index.errors.iter().map(|(i, _)| *i).collect();
        written.extend(merged::write_all(
            &out,
            &applied.files,
            &names,
            &edits,
            &unreadable,
        )?);
        // Lists sent back.
        let sources_meta: Vec<SourceStamp> = applied
            .files
            .iter()
            .zip(&hashes)
            .map(|(f, h)| SourceStamp {
                path: f.display.clone(),
                sha256: h.clone().unwrap_or_default(),
                size: f.size,
            })
            .collect();
        let lists = applied.rejected_lists();
        let mut origins = applied.rejected_origins();
        let export_id = outputs::export_id();
        let rels = applied.rejected_paths(lists.keys());
        for ((w, rows), rel) in lists.into_iter().zip(rels) {
            let meta = applied.rejected_meta(w, &export_id, &rel, today, &sources_meta);
            // In hamlet order, each row with its origin.
            let mut paired: Vec<(list_workbook::ListRow, String)> = rows
                .into_iter()
                .zip(origins.remove(&w).unwrap_or_default())
                .collect();
            list_workbook::group_by_hamlet(&mut paired, |(r, _)| r.values.address.as_str());
            let (rows, from): (Vec<_>, Vec<_>) = paired.into_iter().unzip();
            let mut table = Vec::new();
            written.push(out.write_at(&rel, |w| {
                table = list_workbook::write(&mut *w, &meta, rows)?;
                Ok(())
            })?);
            sent_back.push(authentic::sent_back(&meta, today, table, from));
            rejected_lists += 1;
        }
        // The import file.
        let import = applied.import_rows(today);
        import_count = import.len();
        if !import.is_empty() {
            written.push(out.write_at(Path::new("import/nhap-lai.xlsx"), |w| {
                verification::write_import(&mut *w, &import)?;
                Ok(())
            })?);
        }
        let ver = applied.verification(today, tracked.as_ref());
        written.push(out.write("verification.xlsx", |w| {
            verification::write_verification(&mut *w, &ver)?;
            Ok(())
        })?);
    }

    if let (Some(f), Some(s)) = (&mut facts, &settled) {
        s.count_into(f, &open);
    }
    let summary = applied.summary(&RunFacts {
        as_of: today,
        dry_run: settings.dry_run,
        hashes: &hashes,
        refused: &refused,
        import_records: import_count,
        rejected_lists,
        seconds: started.elapsed().as_secs_f64(),
        ledger: facts,
    });
    let summary_path = out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")?;
        Ok(())
    })?;
    written.push(summary_path);
    // A source or a returned list that could not be read makes the run incomplete: unless asked,
    // it changes nothing in the output folder.
    let unreadable = refused
        .iter()
        .any(|(_, r)| matches!(r, Refusal::Unreadable(_)));
    let failed = !failed_sources.is_empty() || unreadable;
    if !super::finish_outputs(&mut out, failed, settings.allow_partial, ui)? {
        return Ok(exit::TROUBLE);
    }
    // What was written is on record only once it is in place: the lists sent back (so that they
    // are ours when they return), the conflicts opened and settled, the answers heard.
    if let (Some(h), Some(s), Some(t), false) = (&mut ledger, &settled, &tracked, settings.dry_run)
    {
        h.record_lists(&sent_back)?;
        h.settle(&s.opened, &s.resolved, today)?;
        h.record_answers(&t.run, today)?;
    }

    if !ui.quiet {
        let (first, second) = summary.terminal(lang);
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{first}\n{second}\n{}: {}",
            lang.pick("Kết quả", "Output"),
            out.path().display()
        )?;
    }
    let trouble = !failed_sources.is_empty() || !refused.is_empty();
    Ok(if trouble { exit::TROUBLE } else { exit::OK })
}
