//! Writing the registry side of a sample: the extract (xlsx, or CSV in the dump's encoding) and the
//! answer key, each under a temporary name beside its path and renamed when complete.

use super::{KEY_HEADER, KeyLine, RegistryUnits, Resident};
use crate::sample::Value;

/// Writes the extract: `.xlsx`, or CSV in the dump's encoding and delimiter. Written beside its
/// path under a temporary name and renamed on [`ExtractWriter::finish`].
pub struct ExtractWriter {
    rows: Box<dyn crate::sample::write::RowWriter>,
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
    units: RegistryUnits,
    stt: u64,
}

/// A temporary file beside `path`, to be renamed to it.
fn temp_beside(path: &std::path::Path, suffix: &str) -> anyhow::Result<tempfile::NamedTempFile> {
    use crate::output::atomic::{Access, TEMP_PREFIX, temp_builder};
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!("{TEMP_PREFIX}{name}.");
    Ok(temp_builder(&prefix, suffix, Access::Group).tempfile_in(dir)?)
}

impl ExtractWriter {
    /// Starts the extract at `path`; `police` is the first title line.
    pub fn create(
        path: &std::path::Path,
        units: RegistryUnits,
        encoding: crate::sample::write::CsvEncoding,
        delimiter: u8,
        police: &str,
    ) -> anyhow::Result<ExtractWriter> {
        use crate::sample::write::{CsvRows, XlsxRows};
        let xlsx = path
            .to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".xlsx");
        let titles = units.titles(!xlsx, police);
        let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
        let (tmp, rows): (_, Box<dyn crate::sample::write::RowWriter>) = if xlsx {
            let tmp = temp_beside(path, ".xlsx")?;
            let rows = XlsxRows::with_header(
                tmp.path(),
                "Danh sach cong dan",
                units.widths(),
                &titles,
                &units.header(),
            )?;
            (tmp, Box::new(rows))
        } else {
            let tmp = temp_beside(path, ".csv")?;
            let file = std::io::BufWriter::new(tmp.reopen()?);
            let rows = CsvRows::with_header(file, encoding, delimiter, &titles, &units.header())?;
            (tmp, Box::new(rows))
        };
        Ok(ExtractWriter {
            rows,
            tmp,
            path: path.to_path_buf(),
            units,
            stt: 0,
        })
    }

    /// Writes residents, numbering them on.
    pub fn residents(&mut self, residents: &[Resident]) -> anyhow::Result<()> {
        for r in residents {
            self.stt += 1;
            let row: Vec<Value> = r
                .fields(self.stt, self.units)
                .into_iter()
                .map(|f| {
                    if f.is_empty() {
                        Value::Empty
                    } else {
                        Value::Text(f)
                    }
                })
                .collect();
            self.rows.row(&row)?;
        }
        Ok(())
    }

    /// Residents written.
    pub fn count(&self) -> u64 {
        self.stt
    }

    /// Completes the file and gives it its name.
    pub fn finish(self) -> anyhow::Result<()> {
        self.rows.finish()?;
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Writes the answer key (CSV, UTF-8), beside its path under a temporary name until
/// [`KeyWriter::finish`].
pub struct KeyWriter {
    out: csv::Writer<std::io::BufWriter<std::fs::File>>,
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl KeyWriter {
    /// Starts the key at `path`, with its header.
    pub fn create(path: &std::path::Path) -> anyhow::Result<KeyWriter> {
        let tmp = temp_beside(path, ".csv")?;
        let mut out = csv::Writer::from_writer(std::io::BufWriter::new(tmp.reopen()?));
        out.write_record(KEY_HEADER)?;
        Ok(KeyWriter {
            out,
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Writes key lines.
    pub fn lines(&mut self, lines: &[KeyLine]) -> anyhow::Result<()> {
        for l in lines {
            self.out.write_record(l.fields())?;
        }
        Ok(())
    }

    /// Completes the file and gives it its name.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        drop(self.out);
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}
