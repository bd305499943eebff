//! `vaxclean report`: read scans' summaries or the history, write report.xlsx and report.html,
//! print the top of it. Counts only.

use std::time::Duration;

use anyhow::Result;

use crate::cli::ReportArgs;
use crate::exit;
use crate::history::History;
use crate::output::atomic::{OutDir, Outputs};
use crate::output::report::{ReportData, html, print_top, xlsx};
use crate::settings::{ReportSettings, Ui};

/// Runs `report`.
pub fn run(args: &ReportArgs, ui: Ui) -> Result<u8> {
    let settings = ReportSettings::new(args, ui);
    let lang = ui.lang;
    let mut out = OutDir::begin(&settings.out, Outputs::Report, ui.access, lang)?;
    let mut problems = Vec::new();
    let data = match &settings.history {
        Some(path) => {
            if !path.exists() {
                anyhow::bail!(lang.pick(
                    format!("không có lịch sử '{}'", path.display()),
                    format!("no history at '{}'", path.display())
                ));
            }
            let h = History::open(path, Duration::from_secs(60), lang)?;
            ReportData::from_history(&h, settings.sla_days, settings.division)?
        }
        None => {
            let (data, skipped) =
                ReportData::from_scan_dirs(&settings.scans, settings.division, lang)?;
            problems = skipped;
            data
        }
    };
    let xlsx_path = out.write("report.xlsx", |w| {
        xlsx::write(&mut *w, &data)?;
        Ok(())
    })?;
    let html_path = out.write("report.html", |w| {
        use std::io::Write;
        w.write_all(html::render(&data, lang).as_bytes())?;
        Ok(())
    })?;
    out.commit()?;
    if !ui.quiet {
        let mut stdout = std::io::stdout().lock();
        print_top(&mut stdout, &data, &[&xlsx_path, &html_path], lang)?;
    }
    // The summaries left out, one line each, after the report (as scan reports unreadable inputs).
    let mut stderr = std::io::stderr().lock();
    for p in &problems {
        use std::io::Write;
        writeln!(
            stderr,
            "vaxclean: {}",
            crate::util::printable(&p.to_string())
        )?;
    }
    Ok(if problems.is_empty() {
        exit::OK
    } else {
        exit::TROUBLE
    })
}
