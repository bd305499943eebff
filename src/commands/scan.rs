//! `vaxclean scan`: read the dumps, check every row, write findings.csv and summary.json, print
//! a summary. Exit 0 when the scan ran, 1 with `--fail-on` when such findings exist, 2 when an
//! input could not be read.

use std::time::Instant;

use std::io::Write;
use std::sync::Mutex;

use anyhow::Result;

use crate::cli::{FailOn, ScanArgs};
use crate::exit;
use crate::findings::Severity;
use crate::history::{History, Night, RunTotals, Scope};
use crate::output::atomic::{OutDir, Outputs};
use crate::output::{findings_csv, summary, terminal};
use crate::settings::{ScanSettings, Ui};

/// Runs `scan`.
pub fn run(args: &ScanArgs, ui: Ui) -> Result<u8> {
    let started = Instant::now();
    let settings = ScanSettings::new(args, ui)?;
    let lang = ui.lang;
    // A typo in --out, a folder another run is writing, an unusable history or a run dated before
    // the history's latest fail now, not after the scan.
    let mut out = OutDir::begin(&settings.out, Outputs::Scan, ui.access, lang)?;
    let mut history = match &settings.history {
        Some(path) => {
            let h = History::open(path, settings.history_wait, lang)?;
            h.check_date(settings.config.today, settings.allow_out_of_order)?;
            Some(h)
        }
        None => None,
    };
    let (errors, result) = super::read_and_check(&settings.inputs, &settings.config, &out, ui)?;

    let (findings, result) = result.take_findings();
    let keys = history.as_ref().map(|_| Mutex::new(Vec::new()));
    let findings_path = out.write("findings.csv", |w| {
        findings_csv::write(
            w,
            findings,
            &result.sources,
            &result.sheets,
            lang,
            keys.as_ref(),
        )
    })?;
    let summary_path = out.write("summary.json", |w| {
        summary::write(
            w,
            &result,
            settings.config.today,
            started.elapsed(),
            settings.division,
            lang,
        )
    })?;
    let failed_inputs = super::report_inputs(&errors, &result.sources, ui)?;
    let written = super::finish_outputs(&mut out, failed_inputs, settings.allow_partial, ui)?;
    drop(out);

    // The history: only a run whose outputs were written is a night; it closes only findings of
    // what it read.
    let delta = match (&mut history, keys) {
        (Some(h), Some(keys)) if written => {
            let keys = keys
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let inputs = result.read_stamps();
            let scope = Scope {
                failed_inputs: result
                    .sources
                    .iter()
                    .filter(|s| s.error.is_some())
                    .map(|s| s.key_name.clone())
                    .chain(errors.iter().map(|e| {
                        let p = e.path();
                        p.rsplit(['/', '\\']).next().unwrap_or(p).to_string()
                    }))
                    .collect(),
                units: result.units.keys().cloned().collect(),
            };
            let gazetteer = &settings.config.gazetteer;
            let known = |u: &crate::pipeline::UnitKey| {
                gazetteer
                    .resolve(&u.province, &u.district, &u.commune)
                    .commune
                    .is_some()
            };
            let night = Night {
                as_of: settings.config.today,
                inputs: &inputs,
                units: &result.units,
                totals: RunTotals {
                    rows: result.rows,
                    people: result.people,
                    people_with_errors: result.people_with_errors,
                },
                findings: &keys,
                scope: &scope,
            };
            Some(h.record(&night, known)?)
        }
        (Some(_), _) => {
            let msg = lang.pick(
                "lịch sử không ghi lần quét này (kết quả chưa được ghi)",
                "the history does not record this run (its outputs were not written)",
            );
            writeln!(std::io::stderr().lock(), "vaxclean: {msg}")?;
            None
        }
        _ => None,
    };
    if !ui.quiet {
        let mut stdout = std::io::stdout().lock();
        let paths: &[&std::path::Path] = if written {
            &[&findings_path, &summary_path]
        } else {
            &[]
        };
        terminal::print(&mut stdout, &result, paths, started.elapsed(), lang)?;
        if let Some(d) = delta {
            let partial = if failed_inputs {
                lang.pick(
                    " Lần quét thiếu tệp: phát hiện của tệp không đọc được vẫn để mở.",
                    " A partial run: findings of the inputs not read stay open.",
                )
            } else {
                ""
            };
            writeln!(stdout, "{}", lang.pick(format!("Lịch sử (lần quét {}): {} phát hiện mới, {} đã được sửa, {} còn tồn đọng.{partial}",
                    d.run,
                    lang.count(d.new),
                    lang.count(d.fixed),
                    lang.count(d.open)), format!("History (run {}): {} new findings, {} fixed, {} open.{partial}",
                    d.run,
                    lang.count(d.new),
                    lang.count(d.fixed),
                    lang.count(d.open))))?
        }
    }

    if failed_inputs {
        return Ok(exit::TROUBLE);
    }
    let threshold = match settings.fail_on {
        None => return Ok(exit::OK),
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Warning) => Severity::Warning,
    };
    let hit = result
        .by_code
        .iter()
        .any(|(code, n)| *n > 0 && code.severity() <= threshold);
    Ok(if hit { exit::FINDINGS } else { exit::OK })
}
