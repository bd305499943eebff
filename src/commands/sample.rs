//! `vaxclean sample`: writes a synthetic dump (and optionally its truth file) so the tool can be
//! tried, tested and benchmarked without real data.

use std::io::Write;

use anyhow::Result;

use crate::cli::SampleArgs;
use crate::exit;
use crate::output::atomic::OutDir;
use crate::sample::Generator;
use crate::sample::registry::{ExtractWriter, KeyWriter};
use crate::sample::write::{CsvRows, RowWriter, XlsxRows, write_truth};
use crate::settings::{SampleSettings, Ui};

/// Runs `sample`.
pub fn run(args: &SampleArgs, ui: Ui) -> Result<u8> {
    let lang = ui.lang;
    let settings = SampleSettings::new(args, ui)?;
    let delimiter = settings.delimiter;
    let units = settings.spec.registry;
    let mut generator = Generator::new(settings.spec).map_err(anyhow::Error::msg)?;
    let mut registry = match (&settings.registry, units) {
        (Some(path), Some(units)) => Some(ExtractWriter::create(
            path,
            units,
            settings.encoding,
            delimiter,
            &generator.police_title(),
        )?),
        _ => None,
    };
    let mut key = match &settings.registry_key {
        Some(path) if registry.is_some() => Some(KeyWriter::create(path)?),
        _ => None,
    };
    // Writes a person's rows, and the residents and key lines they made.
    let mut pump = |generator: &mut Generator, w: &mut dyn RowWriter| -> Result<()> {
        while let Some(rows) = generator.next_person() {
            for r in &rows {
                w.row(r)?;
            }
            if let Some(x) = registry.as_mut() {
                x.residents(&generator.take_residents())?;
            }
            let lines = generator.take_key();
            if let Some(k) = key.as_mut() {
                k.lines(&lines)?;
            }
        }
        Ok(())
    };

    let out_path = &settings.out;
    let dir = out_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let out = OutDir::prepare(dir, lang)?;
    let name = out_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sample.csv".into());
    let is_xlsx = name.to_ascii_lowercase().ends_with(".xlsx");
    if is_xlsx {
        // rust_xlsxwriter writes the zip itself; write beside and rename for atomicity.
        let prefix = format!("{}{name}.", crate::output::atomic::TEMP_PREFIX);
        let tmp = crate::output::atomic::temp_builder(
            &prefix,
            ".xlsx",
            crate::output::atomic::Access::Group,
        )
        .tempfile_in(dir)?;
        let mut w: Box<dyn RowWriter> = Box::new(XlsxRows::new(tmp.path(), settings.title_lines)?);
        pump(&mut generator, w.as_mut())?;
        w.finish()?;
        tmp.persist(out_path).map_err(|e| e.error)?;
    } else {
        let delimiter = if name.to_ascii_lowercase().ends_with(".tsv") {
            b'\t'
        } else {
            delimiter
        };
        out.write(&name, |file| {
            let mut w: Box<dyn RowWriter + '_> = Box::new(CsvRows::new(
                file,
                settings.encoding,
                delimiter,
                settings.title_lines,
            )?);
            pump(&mut generator, w.as_mut())?;
            w.finish()
        })?;
    }
    let mut residents = 0;
    if let Some(mut x) = registry {
        x.residents(&generator.drain_residents())?;
        residents = x.count();
        x.finish()?;
    }
    if let Some(k) = key {
        k.finish()?;
    }
    if let Some(truth_path) = &settings.truth {
        let mut f = std::io::BufWriter::new(std::fs::File::create(truth_path)?);
        write_truth(&mut f, &generator.truth())?;
        f.flush()?;
    }
    if !ui.quiet {
        let rows = generator.rows_done();
        println!(
            "{}",
            lang.pick(
                format!(
                    "Đã ghi {} dòng vào {}",
                    lang.count(rows),
                    out_path.display()
                ),
                format!("Wrote {} rows to {}", lang.count(rows), out_path.display())
            )
        );
        if let Some(path) = &settings.registry {
            println!(
                "{}",
                lang.pick(
                    format!(
                        "Đã ghi {} công dân vào {}",
                        lang.count(residents),
                        path.display()
                    ),
                    format!(
                        "Wrote {} residents to {}",
                        lang.count(residents),
                        path.display()
                    )
                )
            );
        }
    }
    Ok(exit::OK)
}
