//! The short summary printed at the end of a scan: totals, findings by severity and by code, and
//! where the files are. Counts only.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::findings::Severity;
use crate::i18n::Lang;
use crate::pipeline::ScanResult;
use crate::rules::Code;

fn severity_label(s: Severity, lang: Lang) -> &'static str {
    match s {
        Severity::Error => lang.pick("lỗi", "errors"),
        Severity::Warning => lang.pick("cảnh báo", "warnings"),
        Severity::Info => lang.pick("thông tin", "info"),
    }
}

/// Prints the summary of `result` to `w`.
pub fn print(
    w: &mut impl Write,
    result: &ScanResult,
    outputs: &[&Path],
    elapsed: Duration,
    lang: Lang,
) -> std::io::Result<()> {
    let files = result.sources.len() as u64;
    let failed = result.sources.iter().filter(|s| s.error.is_some()).count() as u64;
    let secs = format!("{:.1}", elapsed.as_secs_f64());
    let secs = if lang == Lang::Vi {
        secs.replace('.', ",")
    } else {
        secs
    };
    let failed_note = if failed > 0 {
        lang.pick(
            format!(" ({} tệp không đọc được)", lang.count(failed)),
            format!(" ({} could not be read)", lang.count(failed)),
        )
    } else {
        String::new()
    };
    writeln!(
        w,
        "{}",
        lang.pick(
            format!(
                "Đã quét {} tệp{failed_note}: {} dòng, {} người, trong {secs} giây.",
                lang.count(files),
                lang.count(result.rows),
                lang.count(result.people)
            ),
            format!(
                "Scanned {} files{failed_note}: {} rows, {} people, in {secs} s.",
                lang.count(files),
                lang.count(result.rows),
                lang.count(result.people)
            )
        )
    )?;
    if result.skipped_rows > 0 {
        writeln!(
            w,
            "{}: {}",
            lang.pick(
                "Dòng bị bỏ qua (sai số cột)",
                "Rows skipped (wrong cell count)"
            ),
            lang.count(result.skipped_rows)
        )?;
    }
    if let Some(reg) = &result.registry {
        writeln!(
            w,
            "{}",
            lang.pick(
                format!(
                    "Đối chiếu dữ liệu dân cư ({}): {} dòng thuộc địa bàn có dữ liệu, {} dòng khớp được đúng một người.",
                    reg.files.join(", "),
                    lang.count(reg.rows_covered),
                    lang.count(reg.rows_matched)
                ),
                format!(
                    "Population data ({}): {} rows in the places it covers, {} rows matched to exactly one resident.",
                    reg.files.join(", "),
                    lang.count(reg.rows_covered),
                    lang.count(reg.rows_matched)
                )
            )
        )?;
    }
    let by_code = &result.by_code;
    let line: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            let n: u64 = by_code
                .iter()
                .filter(|(c, _)| c.severity() == *s)
                .map(|(_, n)| n)
                .sum();
            format!("{} {}", lang.count(n), severity_label(*s, lang))
        })
        .collect();
    writeln!(
        w,
        "{}: {}.",
        lang.pick("Phát hiện", "Found"),
        line.join(", ")
    )?;
    if !by_code.is_empty() {
        let mut rows: Vec<(Code, u64)> = by_code.iter().map(|(c, n)| (*c, *n)).collect();
        rows.sort_by_key(|(c, n)| (std::cmp::Reverse(*n), *c));
        writeln!(w)?;
        writeln!(
            w,
            "  {:<26} {:>10}  {}",
            lang.pick("mã", "code"),
            lang.pick("số lượng", "count"),
            lang.pick("mức", "severity")
        )?;
        for (code, n) in rows {
            writeln!(
                w,
                "  {:<26} {:>10}  {}",
                code.as_str(),
                lang.count(n),
                severity_label(code.severity(), lang)
            )?;
        }
        writeln!(w)?;
    }
    if !outputs.is_empty() {
        let paths: Vec<String> = outputs.iter().map(|p| p.display().to_string()).collect();
        writeln!(
            w,
            "{}: {}",
            lang.pick("Kết quả", "Written"),
            paths.join(", ")
        )?;
    }
    Ok(())
}
