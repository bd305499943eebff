//! Helpers shared by the integration tests: run the binary, read what it wrote.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixed date every test runs as, so results do not move with the calendar.
pub const AS_OF: &str = "2026-11-26";

/// Every finding code about a record's data (docs/rules.md).
pub const DATA_CODES: [&str; 30] = [
    "ID_MISSING",
    "ID_FORMAT",
    "ID_LEADING_ZERO_LOST",
    "ID_PRECISION_LOST",
    "ID_SEPARATORS",
    "ID_PLACEHOLDER",
    "ID_PROVINCE_CODE",
    "ID_GENDER_MISMATCH",
    "ID_BIRTH_YEAR_MISMATCH",
    "ID_DUPLICATE_CONFLICT",
    "NAME_MISSING",
    "NAME_INVALID_CHARS",
    "NAME_ENCODING",
    "NAME_FORMAT",
    "NAME_INCOMPLETE",
    "DOB_MISSING",
    "DOB_INVALID",
    "DOB_OUT_OF_RANGE",
    "DOB_YEAR_ONLY",
    "DOB_FORMAT",
    "DOB_UNDER_FIVE",
    "GENDER_MISSING",
    "GENDER_INVALID",
    "GENDER_FORMAT",
    "PHONE_INVALID",
    "PHONE_OLD_FORMAT",
    "ADDRESS_UNKNOWN",
    "DOSE_DATE_INVALID",
    "DOSE_DUPLICATE",
    "RECORD_ID_DUPLICATE",
];

/// The project root (where `fixtures/` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// Runs `vaxclean` with `args` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaxclean"))
        .args(args)
        .current_dir(dir)
        // The tests expect the default language, whatever the person running them chose.
        .env_remove("VAXCLEAN_LANG")
        .output()
        .expect("run vaxclean")
}

/// Text of stdout and stderr.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A finding as the tests compare them: record id, field, code, value, suggestion.
pub type Key = (String, String, String, String, String);

/// The rows of findings.csv as maps from column name to value, in file order.
pub fn findings(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "findings.csv starts with a BOM"
    );
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// findings.csv reduced to comparable keys.
pub fn finding_keys(path: &Path) -> BTreeSet<Key> {
    findings(path)
        .into_iter()
        .map(|r| {
            (
                r["record_id"].clone(),
                r["field"].clone(),
                r["code"].clone(),
                r["value"].clone(),
                r["suggestion"].clone(),
            )
        })
        .collect()
}

/// A truth file written by `vaxclean sample --truth`: each planted finding and whether a scan
/// must find it (heuristic ones, such as legacy encodings, may be missed now and then).
pub fn truth_keys(path: &Path) -> BTreeMap<Key, bool> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let key = (
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
                r[4].to_string(),
            );
            (key, &r[5] == "1")
        })
        .collect()
}

/// Asserts that a scan found every certain planted finding and nothing that was not planted,
/// showing a few differences if not.
pub fn assert_same(found: &BTreeSet<Key>, truth: &BTreeMap<Key, bool>) {
    let missing: Vec<_> = truth
        .iter()
        .filter(|(k, certain)| **certain && !found.contains(*k))
        .map(|(k, _)| k)
        .collect();
    let extra: Vec<_> = found.iter().filter(|k| !truth.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {} (e.g. {:?}), extra {} (e.g. {:?})",
        missing.len(),
        &missing[..missing.len().min(5)],
        extra.len(),
        &extra[..extra.len().min(5)],
    );
}

/// Parses summary.json.
pub fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// Every file under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every workbook (.xlsx) under `dir`, recursively: the lists export-list wrote.
pub fn workbooks(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect()
}

/// The first workbook under `dir` (a test that exported one list).
pub fn first_workbook(dir: &Path) -> PathBuf {
    workbooks(dir).into_iter().next().expect("a workbook")
}

/// The header of the small dumps the input tests build.
pub const DUMP_HEADER: [&str; 8] = [
    "Mã đối tượng",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CMND/CCCD",
    "Tỉnh/Thành phố",
    "Quận/Huyện",
    "Xã/Phường",
];

/// A data row under [`DUMP_HEADER`] whose ID number is missing (an `ID_MISSING` finding).
pub fn dump_row(key: &str) -> Vec<String> {
    [
        key,
        "Lê Văn Tám",
        "01/01/1990",
        "Nam",
        "",
        "Tỉnh Bến Tre",
        "Huyện Ba Tri",
        "Xã Tân Mỹ",
    ]
    .map(String::from)
    .to_vec()
}

/// Rows of an instruction sheet: `n` lines of text, no dump header among them.
pub fn instruction_rows(n: usize) -> Vec<Vec<String>> {
    (0..n)
        .map(|i| vec![format!("Bước {}: điền đủ thông tin rồi gửi lại", i + 1)])
        .collect()
}

/// An xlsx workbook with the given sheets of text cells.
pub fn xlsx(path: &Path, sheets: &[(&str, Vec<Vec<String>>)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

/// One row of an ODS table: (cells, times the row repeats); a cell is (text, times it repeats),
/// an empty text an empty cell.
pub type OdsRow = (Vec<(String, u32)>, u32);

/// An .ods workbook, written by hand (no tool here writes them), with the given tables.
pub fn ods(path: &Path, tables: &[(&str, Vec<OdsRow>)]) {
    use std::io::Write;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>",
    );
    for (name, rows) in tables {
        xml.push_str(&format!("<table:table table:name=\"{name}\">"));
        for (cells, repeat) in rows {
            xml.push_str(&format!(
                "<table:table-row table:number-rows-repeated=\"{repeat}\">"
            ));
            for (text, n) in cells {
                if text.is_empty() {
                    xml.push_str(&format!(
                        "<table:table-cell table:number-columns-repeated=\"{n}\"/>"
                    ));
                } else {
                    xml.push_str(&format!(
                        "<table:table-cell table:number-columns-repeated=\"{n}\" \
                         office:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>"
                    ));
                }
            }
            xml.push_str("</table:table-row>");
        }
        xml.push_str("</table:table>");
    }
    xml.push_str("</office:spreadsheet></office:body></office:document-content>");
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    z.start_file("META-INF/manifest.xml", deflated).unwrap();
    z.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest \
          xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
          <manifest:file-entry manifest:full-path=\"/\" \
          manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
          <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
          </manifest:manifest>",
    )
    .unwrap();
    z.start_file("content.xml", deflated).unwrap();
    z.write_all(xml.as_bytes()).unwrap();
    z.finish().unwrap();
}

/// Plain rows as ODS rows (each cell once, each row once).
pub fn ods_rows(rows: &[Vec<String>]) -> Vec<OdsRow> {
    rows.iter()
        .map(|r| (r.iter().map(|c| (c.clone(), 1)).collect(), 1))
        .collect()
}

/// The dump's header and `rows` data rows, as text rows.
pub fn dump_rows(rows: usize) -> Vec<Vec<String>> {
    let mut out = vec![DUMP_HEADER.map(String::from).to_vec()];
    out.extend((0..rows).map(|i| dump_row(&format!("G{}", i + 1))));
    out
}

/// Runs `vaxclean` with `args` in `dir` and kills it after `ms` milliseconds (if it is still
/// running), as a power cut or a killed nightly job would.
pub fn kill_after(dir: &Path, args: &[&str], ms: u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vaxclean"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run vaxclean");
    std::thread::sleep(std::time::Duration::from_millis(ms));
    let _ = child.kill();
    let _ = child.wait();
}

/// Index in the hidden sheet of its table's header row.
pub fn table_start(s: &vaxclean::sample::fill::Sheets) -> usize {
    s.meta
        .iter()
        .position(|r| matches!(r.first(), Some(calamine::Data::String(k)) if k == "row"))
        .unwrap()
}

/// Index in the hidden sheet of the table row of list row `row` (0-based sheet row).
pub fn table_row(s: &vaxclean::sample::fill::Sheets, row: usize) -> usize {
    let start = table_start(s);
    let want = (row + 1) as f64;
    start
        + s.meta[start..]
            .iter()
            .position(|r| match r.first() {
                Some(calamine::Data::Float(f)) => *f == want,
                Some(calamine::Data::Int(i)) => *i as f64 == want,
                _ => false,
            })
            .unwrap()
}

/// What a forger does after overwriting list row `row`: the hidden table row for it
/// recomputed from the visible cells.
pub fn refingerprint(s: &mut vaxclean::sample::fill::Sheets, row: usize) {
    let locked: Vec<String> = (0..usize::from(vaxclean::output::list_workbook::LOCKED_COLUMNS))
        .map(|c| s.text(row, c).trim().to_string())
        .map(|t| t.strip_suffix(".0").map(String::from).unwrap_or(t))
        .collect();
    let at = table_row(s, row);
    let t = &mut s.meta[at];
    // The keys shown: the first, "+N" when there are more (the hidden sheet has them all).
    if !locked[1].contains(" +") {
        t[2] = calamine::Data::String(locked[1].clone());
    }
    t[3] = calamine::Data::String(vaxclean::output::list_workbook::fingerprint(&locked));
}
