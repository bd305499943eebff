//! `vaxclean sample`: writes a synthetic dump (and optionally its truth file) so the tool can be
//! tried, tested and benchmarked without real data.

use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::SampleArgs;
use crate::exit;
use crate::output::atomic::OutDir;
use crate::sample::write::{CsvRows, RowWriter, XlsxRows, write_truth};
use crate::sample::{Defect, Generator, SampleSpec};
use crate::settings::{Ui, resolve_today};

/// Runs `sample`.
pub fn run(args: &SampleArgs, ui: Ui) -> Result<u8> {
    let lang = ui.lang;
    let mut kinds = Vec::new();
    for k in &args.defects {
        match Defect::from_name(k) {
            Some(d) => kinds.push(d),
            None => {
                let all: Vec<&str> = Defect::ALL.iter().map(|d| d.name()).collect();
                bail!(lang.pick(
                    format!("không có loại lỗi \"{k}\"; các loại: {}", all.join(", ")),
                    format!(
                        "unknown defect kind \"{k}\"; expected one of: {}",
                        all.join(", ")
                    )
                ));
            }
        }
    }
    if !(0.0..=1.0).contains(&args.defect_rate) {
        bail!(
            lang.pick(
                "--defect-rate phải từ 0 đến 1",
                "--defect-rate must be between 0 and 1"
            )
            .to_string()
        );
    }
    let delimiter = match args.delimiter.as_str() {
        "," => b',',
        ";" => b';',
        "tab" | "\\t" | "\t" => b'\t',
        "|" => b'|',
        other => bail!(lang.pick(
            format!("--delimiter \"{other}\": chọn một trong , ; tab |"),
            format!("--delimiter \"{other}\": expected one of , ; tab |")
        )),
    };
    let mut spec = SampleSpec::new(args.people, args.seed);
    spec.rows = args.rows;
    if let Some(n) = args.first_record {
        spec.first_record = n;
    }
    spec.defect_rate = args.defect_rate;
    spec.kinds = kinds;
    spec.provinces = args.provinces.clone();
    spec.communes = args.communes;
    spec.numeric_ids = args.numeric_ids;
    spec.ansi = args.encoding == crate::cli::SampleEncoding::Windows1258;
    spec.today = resolve_today(args.as_of.as_deref(), lang)?;
    let mut generator = Generator::new(spec).map_err(anyhow::Error::msg)?;

    let out_path = &args.out;
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
        let mut w: Box<dyn RowWriter> = Box::new(XlsxRows::new(tmp.path(), args.title_lines)?);
        while let Some(rows) = generator.next_person() {
            for r in &rows {
                w.row(r)?;
            }
        }
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
                args.encoding.into(),
                delimiter,
                args.title_lines,
            )?);
            while let Some(rows) = generator.next_person() {
                for r in &rows {
                    w.row(r)?;
                }
            }
            w.finish()
        })?;
    }
    if let Some(truth_path) = &args.truth {
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
        )
    }
    Ok(exit::OK)
}
