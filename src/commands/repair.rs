//! `vaxclean repair`: find the fixes the rules are certain of ([`crate::repair`]) and write the
//! dumps with them made (merged/), audit.csv (status `repaired`) and summary.json
//! (docs/repair.md). The dumps are only ever read. Exit 0 when the run went through, 2 when an
//! input could not be read (the others are still repaired, with `--allow-partial` written).

use std::io::Write;

use anyhow::Result;
use rayon::prelude::*;

use crate::cli::RepairArgs;
use crate::exit;
use crate::output::atomic::{OutDir, Outputs};
use crate::output::{audit, merged};
use crate::settings::{RepairSettings, Ui};

/// Runs `repair`.
pub fn run(args: &RepairArgs, ui: Ui) -> Result<u8> {
    let settings = RepairSettings::new(args, ui)?;
    let lang = ui.lang;
    let config = &settings.config;
    let mut out = OutDir::begin(&settings.out, Outputs::Repair, ui.access, lang)?;
    let (files, input_errors, names) = super::merged_inputs(&settings.inputs, out.path(), ui)?;
    let total: u64 = files.iter().map(|f| f.size).sum();
    let progress = crate::progress::Progress::new(total, ui.quiet, lang);
    let repairs = crate::repair::find(
        &files,
        &config.read,
        config.today,
        config.threads(),
        &progress,
    );
    progress.finish();

    let failed: Vec<String> = input_errors
        .iter()
        .map(|e| e.render(lang))
        .chain(repairs.errors.iter().map(|(_, e)| e.render(lang)))
        .collect();
    let mut stderr = std::io::stderr().lock();
    for e in &failed {
        writeln!(stderr, "vaxclean: {}", crate::util::printable(e))?;
    }
    drop(stderr);

    let rows = repairs.audit_rows(&files, lang);
    out.write("audit.csv", |w| audit::write(w, &rows))?;
    if !settings.dry_run {
        let unreadable: Vec<usize> = repairs.errors.iter().map(|(i, _)| *i).collect();
        merged::write_all(&out, &files, &names, &repairs.edits(), &unreadable)?;
    }
    let hashes: Vec<Option<String>> = files
        .par_iter()
        .map(|f| crate::pipeline::sha256_of(&f.path))
        .collect();
    let mut summary = repairs.summary(&files, &hashes);
    summary.dry_run = settings.dry_run;
    out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")?;
        Ok(())
    })?;
    if !super::finish_outputs(&mut out, !failed.is_empty(), settings.allow_partial, ui)? {
        return Ok(exit::TROUBLE);
    }
    if !ui.quiet {
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{}\n{}: {}",
            summary.terminal(lang),
            lang.pick("Kết quả", "Output"),
            out.path().display()
        )?;
    }
    Ok(if failed.is_empty() {
        exit::OK
    } else {
        exit::TROUBLE
    })
}
