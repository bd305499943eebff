//! One file per subcommand: orchestration only (resolve settings, run the pipeline, write).

pub mod apply_corrections;
pub mod export_list;
pub mod report;
pub mod sample;
pub mod scan;

use std::io::Write;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::settings::Ui;
use crate::util::printable;

/// Runs the command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let ui = Ui {
        lang: cli.lang,
        quiet: cli.quiet,
    };
    match &cli.command {
        Command::Scan(args) => scan::run(args, ui),
        Command::ExportList(args) => export_list::run(args, ui),
        Command::ApplyCorrections(args) => apply_corrections::run(args, ui),
        Command::Report(args) => report::run(args, ui),
        Command::Sample(args) => sample::run(args, ui),
    }
}

/// Prints one line per input that could not be read and, unless quiet, per sheet skipped.
/// Returns whether any input failed.
pub(crate) fn report_inputs(
    errors: &[crate::input::InputError],
    sources: &[crate::pipeline::SourceReport],
    ui: Ui,
) -> std::io::Result<bool> {
    use crate::i18n::Lang;
    let mut stderr = std::io::stderr().lock();
    for e in errors {
        writeln!(stderr, "vaxclean: {}", printable(&e.render(ui.lang)))?;
    }
    for s in sources {
        if let Some(e) = &s.error {
            writeln!(stderr, "vaxclean: {}", printable(&e.render(ui.lang)))?;
        }
        if ui.quiet {
            continue;
        }
        if let Some(e) = &s.skipped {
            let line = match ui.lang {
                Lang::Vi => format!("bỏ qua tệp trong thư mục: {}", e.render(ui.lang)),
                Lang::En => format!("skipped a file of the folder: {}", e.render(ui.lang)),
            };
            writeln!(stderr, "vaxclean: {}", printable(&line))?;
        }
        for sheet in &s.skipped_sheets {
            let msg = match ui.lang {
                Lang::Vi => format!(
                    "'{}': bỏ qua trang tính \"{sheet}\" (không có cột họ tên và số CMND/CCCD)",
                    s.file.display
                ),
                Lang::En => format!(
                    "'{}': skipped sheet \"{sheet}\" (no name and ID number columns)",
                    s.file.display
                ),
            };
            writeln!(stderr, "vaxclean: {}", printable(&msg))?;
        }
    }
    Ok(!errors.is_empty() || sources.iter().any(|s| s.error.is_some()))
}
