//! One file per subcommand: orchestration only (resolve settings, run the pipeline, write).

pub mod apply_corrections;
pub mod export_list;
pub mod repair;
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
        lang: cli.lang.into(),
        quiet: cli.quiet,
        access: if cli.group_readable {
            crate::output::atomic::Access::Group
        } else {
            crate::output::atomic::Access::Owner
        },
    };
    match &cli.command {
        Command::Scan(args) => scan::run(args, ui),
        Command::ExportList(args) => export_list::run(args, ui),
        Command::ApplyCorrections(args) => apply_corrections::run(args, ui),
        Command::Repair(args) => repair::run(args, ui),
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
            let line = ui.lang.pick(
                format!("bỏ qua tệp trong thư mục: {}", e.render(ui.lang)),
                format!("skipped a file of the folder: {}", e.render(ui.lang)),
            );
            writeln!(stderr, "vaxclean: {}", printable(&line))?;
        }
        for sheet in &s.skipped_sheets {
            let msg = ui.lang.pick(
                format!(
                    "'{}': bỏ qua trang tính \"{sheet}\" (không có cột họ tên và số CMND/CCCD)",
                    s.file.display
                ),
                format!(
                    "'{}': skipped sheet \"{sheet}\" (no name and ID number columns)",
                    s.file.display
                ),
            );
            writeln!(stderr, "vaxclean: {}", printable(&msg))?;
        }
    }
    Ok(!errors.is_empty() || sources.iter().any(|s| s.error.is_some()))
}

/// The inputs of a command that writes merged copies of them (`apply-corrections`, `repair`):
/// found, deduplicated (the twins said on stderr), with the inputs that could not be found and
/// the merged copies' names. The inputs are never written: an output folder where a merged copy
/// would overwrite one of them is refused.
pub(crate) fn merged_inputs(
    paths: &[std::path::PathBuf],
    out: &std::path::Path,
    ui: Ui,
) -> Result<(
    Vec<crate::input::InputFile>,
    Vec<crate::input::InputError>,
    Vec<String>,
)> {
    let (files, errors) = crate::input::discover(paths);
    let (files, twins) = crate::input::dedupe(files);
    report_twins(&twins, ui)?;
    let names = crate::apply::outputs::merged_names(&files);
    if let Some(target) = crate::apply::outputs::overwritten_source(&files, &names, out) {
        anyhow::bail!(ui.lang.pick(
            format!(
                "'{}' là dữ liệu nguồn; chọn thư mục --out khác để không ghi đè lên nó",
                target.display()
            ),
            format!(
                "'{}' is a source; choose another --out folder so that it is not overwritten",
                target.display()
            )
        ));
    }
    Ok((files, errors, names))
}

/// Says, unless quiet, which inputs were left out as the same file or the same bytes as another.
pub(crate) fn report_twins(twins: &[crate::input::dedupe::Twin], ui: Ui) -> std::io::Result<()> {
    if ui.quiet {
        return Ok(());
    }
    let mut stderr = std::io::stderr().lock();
    for t in twins {
        let msg = if t.same_file {
            ui.lang.pick(
                format!(
                    "'{}': bỏ qua, là cùng một tệp với '{}' (chỉ đọc một lần)",
                    t.skipped, t.kept
                ),
                format!(
                    "'{}': skipped, the same file as '{}' (read once)",
                    t.skipped, t.kept
                ),
            )
        } else {
            ui.lang.pick(
                format!(
                    "'{}': bỏ qua, nội dung giống hệt '{}' (chỉ đọc một lần)",
                    t.skipped, t.kept
                ),
                format!(
                    "'{}': skipped, the same bytes as '{}' (read once)",
                    t.skipped, t.kept
                ),
            )
        };
        writeln!(stderr, "vaxclean: {msg}")?;
    }
    Ok(())
}

/// Reads and checks `inputs` for `scan` and `export-list`: finds the files, skips twins (said
/// on stderr), runs the pipeline behind a progress bar with its temporary files in `out`'s work
/// folder. Gives the inputs that could not be found, and the scan.
pub(crate) fn read_and_check(
    inputs: &[std::path::PathBuf],
    config: &crate::pipeline::ScanConfig,
    out: &crate::output::atomic::OutDir,
    ui: Ui,
) -> Result<(Vec<crate::input::InputError>, crate::pipeline::ScanResult)> {
    let (files, errors) = crate::input::discover(inputs);
    let (files, twins) = crate::input::dedupe(files);
    report_twins(&twins, ui)?;
    let total: u64 = files.iter().map(|f| f.size).sum();
    let progress = crate::progress::Progress::new(total, ui.quiet, ui.lang);
    let result = crate::pipeline::run(files, config, &progress, out.work_dir());
    progress.finish();
    let result = result.map_err(|e| {
        ui.lang.pick(
            anyhow::anyhow!(
                "không ghi được tệp tạm trong '{}': {e}",
                out.path().display()
            ),
            anyhow::anyhow!(
                "cannot use a temporary file in '{}': {e}",
                out.path().display()
            ),
        )
    })?;
    Ok((errors, result))
}

/// Ends a run's outputs: switches them in, unless an input failed and `allow_partial` was not
/// given; then the output folder keeps the previous run's outputs and a line on stderr says so.
/// Returns whether the outputs were switched in.
pub(crate) fn finish_outputs(
    out: &mut crate::output::atomic::OutDir,
    failed_inputs: bool,
    allow_partial: bool,
    ui: Ui,
) -> Result<bool> {
    if failed_inputs && !allow_partial {
        let msg = ui.lang.pick(format!(
                "chưa ghi kết quả nào: có đầu vào không đọc được, nên thư mục '{}' vẫn giữ nguyên kết quả của lần chạy trước. Sửa lỗi ở trên rồi chạy lại, hoặc thêm --allow-partial để ghi kết quả của những tệp đã đọc được",
                out.path().display()
            ), format!(
                "nothing written: an input could not be read, so '{}' keeps the previous run's outputs. Fix the error above and run again, or add --allow-partial to write the outputs of the inputs that were read",
                out.path().display()
            ));
        writeln!(std::io::stderr().lock(), "vaxclean: {msg}")?;
        return Ok(false);
    }
    out.commit()?;
    Ok(true)
}
