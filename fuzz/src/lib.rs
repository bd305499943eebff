//! What the fuzz targets share: the row rules run on a row made of fuzzed cells, the invariant
//! that no suggestion is itself wrong, and a whole scan of fuzzed file bytes.

use std::borrow::Cow;
use std::path::Path;

use chrono::NaiveDate;
use vaxclean::findings::{Finding, RowFindings, RowInfo, Severity};
use vaxclean::input::{Format, InputFile, ReadOptions};
use vaxclean::normalize::normalize_row;
use vaxclean::pipeline::{self, ScanConfig};
use vaxclean::progress::Progress;
use vaxclean::record::{Cell, CellRef, FIELD_COUNT, Field, RawRecord, RowLoc};

/// The day every target runs as (fixed, so a crash reproduces on any later day).
pub const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 26) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// A cell from fuzzed bytes: the first byte picks the kind, the rest is the content.
pub fn cell(data: &[u8]) -> Cell<Cow<'_, str>> {
    let Some((&kind, rest)) = data.split_first() else {
        return Cell::Empty;
    };
    let text = String::from_utf8_lossy(rest);
    match kind % 8 {
        // Number cells: as Excel holds them, from the text or from the raw 8 bytes.
        0 => match text.trim().parse::<f64>() {
            Ok(n) => Cell::Number(n),
            Err(_) => Cell::Text(text),
        },
        1 => {
            let mut b = [0u8; 8];
            for (d, s) in b.iter_mut().zip(rest) {
                *d = *s;
            }
            Cell::Number(f64::from_le_bytes(b))
        }
        2 => {
            let days = rest
                .iter()
                .fold(0i64, |a, b| a.wrapping_mul(256) + i64::from(*b));
            match NaiveDate::from_num_days_from_ce_opt((days % 1_000_000) as i32) {
                Some(d) => Cell::Date(d),
                None => Cell::Error,
            }
        }
        3 => Cell::Bool(rest.first().is_some_and(|b| b % 2 == 1)),
        4 => Cell::Error,
        _ => Cell::Text(text),
    }
}

/// Every row rule's findings for a row holding `cells`.
pub fn row_findings(cells: &[(Field, CellRef<'_>)]) -> Vec<Finding> {
    let mut row: [CellRef<'_>; FIELD_COUNT] = Default::default();
    for (f, c) in cells {
        row[f.index()] = c.clone();
    }
    let raw = RawRecord {
        loc: RowLoc::default(),
        cells: row,
    };
    let normal = normalize_row(&raw, TODAY);
    let mut found = Vec::new();
    let info = RowInfo::default;
    let mut out = RowFindings::new(raw.loc, &info, &mut found);
    vaxclean::rules::check_person(&normal, TODAY, &mut out);
    vaxclean::rules::dose::check(&normal, TODAY, &mut out);
    found
}

/// The rules on `cells`, then the invariant every suggestion keeps (CONTRIBUTING.md: never an
/// invalid one): a suggested value, put in its field, draws no error on that field.
pub fn check_suggestions(cells: &[(Field, CellRef<'_>)]) {
    for f in row_findings(cells) {
        let Some(field) = f.field else { continue };
        if f.suggestion.is_empty() {
            continue;
        }
        let fixed: Vec<(Field, CellRef<'_>)> = cells
            .iter()
            .map(|(g, c)| {
                if *g == field {
                    (*g, Cell::Text(Cow::Borrowed(&*f.suggestion)))
                } else {
                    (*g, c.clone())
                }
            })
            .collect();
        let again = row_findings(&fixed);
        let wrong: Vec<_> = again
            .iter()
            .filter(|g| g.field == Some(field) && g.severity() == Severity::Error)
            .map(|g| g.code.as_str())
            .collect();
        assert!(
            wrong.is_empty(),
            "{} suggested {:?} for {:?}, which draws {wrong:?}",
            f.code.as_str(),
            f.suggestion,
            f.value
        );
    }
}

/// Scans `data` written to a file named with `extension`, as `vaxclean scan` would, and renders
/// the findings. Whatever the bytes, this returns (an unreadable file is an error line, not a
/// panic).
pub fn scan_bytes(extension: &str, data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join(format!("input.{extension}"));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Some(format) = Format::of(&path) else {
        return;
    };
    let file = InputFile {
        path: path.clone(),
        display: path.display().to_string(),
        format,
        size: data.len() as u64,
        from_folder: false,
    };
    scan_into(file, &config(None), &Progress::hidden(), dir.path());
}

/// The scan the targets run: one thread, today fixed, rows captured for the lists.
fn config(registry: Option<vaxclean::registry::Registry>) -> ScanConfig {
    ScanConfig {
        read: ReadOptions::default(),
        today: TODAY,
        threads: 1,
        gazetteer: vaxclean::normalize::places::Gazetteer::builtin(),
        capture: true,
        registry: registry.map(std::sync::Arc::new),
        index_memory: vaxclean::pipeline::INDEX_MEMORY,
    }
}

/// A small fixed dump, matched against a fuzzed registry extract.
const REGISTRY_DUMP: &str = "Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Tỉnh/Thành phố,Quận/Huyện,Xã/Phường\n\
R1,Nguyễn Văn An,01/02/1990,Nam,,Thành phố Hà Nội,Quận Ba Đình,Phường Phúc Xá\n\
R2,Tran Thi Binh,05/06/1985,Nữ,001185002222,Thành phố Hà Nội,Quận Ba Đình,Phường Phúc Xá\n\
R3,Lê Văn Cường,1980,Nam,001080003333,Thành phố Hà Nội,Quận Ba Đình,Phường Phúc Xá\n";

/// Any bytes as a registry extract (CSV): read, indexed, and a fixed dump scanned against it
/// (the extract is the police's file: it must never panic the run or hang it).
pub fn registry_bytes(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let extract = dir.path().join("dan-cu.csv");
    let dump = dir.path().join("dump.csv");
    if std::fs::write(&extract, data).is_err() || std::fs::write(&dump, REGISTRY_DUMP).is_err() {
        return;
    }
    let Ok(registry) = vaxclean::registry::read(&[extract], &[], TODAY) else {
        return;
    };
    let file = InputFile {
        path: dump.clone(),
        display: dump.display().to_string(),
        format: Format::Csv,
        size: REGISTRY_DUMP.len() as u64,
        from_folder: false,
    };
    scan_into(
        file,
        &config(Some(registry)),
        &Progress::hidden(),
        dir.path(),
    );
}

fn scan_into(file: InputFile, config: &ScanConfig, progress: &Progress, spill: &Path) {
    let Ok(result) = pipeline::run(vec![file], config, progress, spill) else {
        return;
    };
    let (findings, result) = result.take_findings();
    let mut sink = std::io::sink();
    let written = vaxclean::output::findings_csv::write(
        &mut sink,
        findings,
        &result.sources,
        &result.sheets,
        vaxclean::i18n::Lang::Vi,
        None,
    );
    assert!(
        written.is_ok(),
        "findings could not be rendered: {written:?}"
    );
}

/// libFuzzer's panic hook aborts on every panic, even one the tool catches. A panic inside
/// calamine on a damaged workbook is caught by `vaxclean::input::guard` and becomes that file's
/// error line (the product's behaviour, tested in tests/hostile.rs), so this hook lets those
/// through and still aborts on any other panic, ours included.
pub fn allow_caught_reader_panics() {
    let abort_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_calamine = info
            .location()
            .is_some_and(|l| l.file().contains("/calamine-"));
        if !(in_calamine && vaxclean::input::guard::is_guarded()) {
            abort_hook(info);
        }
    }));
}
