//! Formula-looking text from a dump is never a live formula in a workbook the tool writes: every
//! cell of every .xlsx under every output folder (lists with their hidden sheet, merged copies,
//! lists sent back, the import file, verification.xlsx, report.xlsx) whose text a spreadsheet
//! would take for a formula once the cell is edited carries Excel's quote prefix (or a text
//! number format), and no cell is a formula.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::Data;
use common::{AS_OF, run, text};
use quick_xml::events::Event;
use vaxclean::output::list_workbook::{COL_ID_FIX, COL_NAME_FIX, COL_PHONE_FIX, COL_STATUS};
use vaxclean::sample::fill::Sheets;

const HEADER: [&str; 10] = [
    "Mã đối tượng",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CMND/CCCD",
    "Số điện thoại",
    "Tỉnh/Thành phố",
    "Quận/Huyện",
    "Xã/Phường",
    "Địa chỉ",
];

const HYPERLINK: &str = "=HYPERLINK(\"http://x\",\"y\")";
const DDE: &str = "=cmd|' /C calc'!A0";

/// Whether a spreadsheet would take `text` for a formula once its cell is edited: `=`, `+`, `-`
/// or `@` first (ASCII or fullwidth), after any spaces, tabs and line breaks; or a tab or carriage
/// return first.
fn formula_like(text: &str) -> bool {
    if text.starts_with(['\t', '\r']) {
        return true;
    }
    text.trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠'])
}

/// One cell of a written sheet: its reference, style index, text (for a string cell), whether
/// it holds a formula.
#[derive(Debug, Default)]
struct Cell {
    r: String,
    s: usize,
    text: Option<String>,
    formula: bool,
}

/// A zip member's text, if present.
fn member(z: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Option<String> {
    let mut s = String::new();
    z.by_name(name).ok()?.read_to_string(&mut s).unwrap();
    Some(s)
}

fn attr(e: &quick_xml::events::BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.to_string())
}

/// The text of each `<si>` of sharedStrings.xml (rich runs joined).
fn shared_strings(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rdr = quick_xml::Reader::from_str(xml);
    let (mut cur, mut in_t) = (String::new(), false);
    loop {
        match rdr.read_event().unwrap() {
            Event::Start(e) if e.local_name().as_ref() == "si" => cur.clear(),
            Event::End(e) if e.local_name().as_ref() == "si" => out.push(cur.clone()),
            Event::Start(e) if e.local_name().as_ref() == "t" => in_t = true,
            Event::End(e) if e.local_name().as_ref() == "t" => in_t = false,
            Event::Text(t) if in_t => cur.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => cur.push_str(&entity(&r)),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// `text` with the `_xHHHH_` escapes of OOXML (control characters such as a carriage return)
/// turned back into their characters.
fn unescape_ooxml(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let code = tail
            .get(2..6)
            .filter(|_| tail.get(6..7) == Some("_"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text an entity or character reference stands for.
fn entity(r: &quick_xml::events::BytesRef) -> String {
    if let Some(c) = r.resolve_char_ref().unwrap() {
        return c.to_string();
    }
    match &**r {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        other => panic!("entity {other}"),
    }
    .to_string()
}

/// For each `<xf>` of `cellXfs`: whether it makes its cells text (quote prefix, or the `@`
/// number format).
fn text_styles(xml: &str) -> Vec<bool> {
    let mut text_formats: Vec<String> = vec!["49".into()];
    let mut out = Vec::new();
    let mut rdr = quick_xml::Reader::from_str(xml);
    let mut in_xfs = false;
    loop {
        match rdr.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref() == "numFmt"
                    && attr(&e, "formatCode").as_deref() == Some("@") =>
            {
                text_formats.push(attr(&e, "numFmtId").unwrap());
            }
            Event::Start(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = true,
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Start(e) | Event::Empty(e) if in_xfs && e.local_name().as_ref() == "xf" => {
                let quoted = attr(&e, "quotePrefix").is_some_and(|v| v == "1" || v == "true");
                let text = attr(&e, "numFmtId").is_some_and(|id| text_formats.contains(&id));
                out.push(quoted || text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The cells of a worksheet's XML.
fn sheet_cells(xml: &str, shared: &[String]) -> Vec<Cell> {
    let mut out = Vec::new();
    let mut rdr = quick_xml::Reader::from_str(xml);
    let mut cell: Option<(Cell, String)> = None;
    let (mut in_text, mut buf) = (false, String::new());
    loop {
        match rdr.read_event().unwrap() {
            Event::Start(e) if e.local_name().as_ref() == "c" => {
                let c = Cell {
                    r: attr(&e, "r").unwrap_or_default(),
                    s: attr(&e, "s").map_or(0, |s| s.parse().unwrap()),
                    ..Cell::default()
                };
                cell = Some((c, attr(&e, "t").unwrap_or_default()));
            }
            Event::Empty(e) if e.local_name().as_ref() == "c" => {}
            Event::End(e) if e.local_name().as_ref() == "c" => {
                if let Some((c, _)) = cell.take() {
                    out.push(c);
                }
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "f" => {
                if let Some((c, _)) = cell.as_mut() {
                    c.formula = true;
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "v" || e.local_name().as_ref() == "t" => {
                in_text = true;
                buf.clear();
            }
            Event::Text(t) if in_text => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => buf.push_str(&entity(&r)),
            Event::End(e) if e.local_name().as_ref() == "v" || e.local_name().as_ref() == "t" => {
                in_text = false;
                if let Some((c, t)) = cell.as_mut() {
                    match (t.as_str(), e.local_name().as_ref()) {
                        ("s", "v") => c.text = Some(shared[buf.parse::<usize>().unwrap()].clone()),
                        ("str", "v") => c.text = Some(buf.clone()),
                        ("inlineStr", "t") => c.text.get_or_insert_with(String::new).push_str(&buf),
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// What was checked in one workbook: formula-looking cells per sheet file.
#[derive(Debug, Default)]
struct Checked {
    /// (sheet part, cell, text) of each formula-looking cell seen.
    formula_like: Vec<(String, String, String)>,
    /// The same cells whose style does not keep them text.
    live: Vec<(String, String, String)>,
    /// Cells holding a formula.
    formulas: Vec<(String, String)>,
}

/// Reads every cell of every worksheet of `path`.
fn check(path: &Path) -> Checked {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let shared = member(&mut z, "xl/sharedStrings.xml")
        .map(|s| shared_strings(&s))
        .unwrap_or_default();
    let styles = text_styles(&member(&mut z, "xl/styles.xml").unwrap());
    let sheets: Vec<String> = z
        .file_names()
        .map(|n| n.unwrap().to_string())
        .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
        .collect();
    let mut out = Checked::default();
    for part in sheets {
        let xml = member(&mut z, &part).unwrap();
        for c in sheet_cells(&xml, &shared) {
            if c.formula {
                out.formulas.push((part.clone(), c.r.clone()));
            }
            let Some(t) = c.text.as_deref().map(unescape_ooxml) else {
                continue;
            };
            if formula_like(&t) {
                let at = (part.clone(), c.r.clone(), t);
                if !styles.get(c.s).copied().unwrap_or(false) {
                    out.live.push(at.clone());
                }
                out.formula_like.push(at);
            }
        }
    }
    out
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_predicate_of_this_test() {
    for t in [
        "=1", "+1+1", "-2+3", "@SUM(A1)", "  =1", "\t=1", "\r=1", "＝1", "\tx", "\n=1",
    ] {
        assert!(formula_like(t), "{t:?}");
    }
    for t in ["Lê Văn Tám", "", "1-2", "a=b", " x"] {
        assert!(!formula_like(t), "{t:?}");
    }
    assert_eq!(unescape_ooxml("_x000D_=1"), "\r=1");
    assert_eq!(unescape_ooxml("a_xb_x0009_"), "a_xb\t");
}

#[test]
fn every_cell_of_every_workbook_written_keeps_formula_text_inert() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (p, h, x) = ("Tỉnh Bến Tre", "Huyện Ba Tri", "Xã Tân Mỹ");
    let mut rows = vec![row(&HEADER)];
    // Each row has an error on its ID number (missing or malformed), so that it is listed.
    rows.push(row(&[
        "R1",
        HYPERLINK,
        "01/01/1990",
        "Nam",
        "",
        "0912345678",
        p,
        h,
        x,
        DDE,
    ]));
    rows.push(row(&[
        "R2",
        "@SUM(A1)",
        "02/02/1991",
        "Nữ",
        "-2+3",
        "+1+1",
        p,
        h,
        x,
        "  =1+1",
    ]));
    rows.push(row(&[
        "R3",
        "\t=1",
        "03/03/1992",
        "Nam",
        "",
        "+84 912 345 678",
        p,
        h,
        x,
        "\r=1",
    ]));
    rows.push(row(&[
        "R4",
        "Lê Văn Tám",
        "04/04/1993",
        "Nam",
        "",
        "0912345678",
        p,
        h,
        x,
        "＝1",
    ]));
    rows.push(row(&[
        "R5",
        "Lê Thị Bé",
        "05/05/1994",
        "Nữ",
        "",
        "0912345678",
        p,
        "=Huyện ngoài",
        "@Xã ngoài",
        "-",
    ]));
    // A record id that looks like a formula reaches the lists' hidden sheet (the record keys).
    rows.push(row(&[
        "=1+1",
        "Lê Văn Ba",
        "06/06/1995",
        "Nam",
        "",
        "0912345678",
        p,
        h,
        x,
        "",
    ]));
    common::xlsx(&d.join("dump.xlsx"), &[("Sheet1", rows)]);

    let out = run(
        d,
        &["scan", "dump.xlsx", "--out", "scan", "--as-of", AS_OF, "-q"],
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{:?}",
        text(&out)
    );
    let out = run(
        d,
        &[
            "export-list",
            "dump.xlsx",
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let lists: Vec<PathBuf> = common::workbooks(&d.join("lists"));
    assert!(!lists.is_empty());

    // A team fills the lists: R1 gains a valid ID number (so it goes to the import file, with
    // its formula-looking name), R2's name is "corrected" to a formula (sent back or applied,
    // either way written again), R3's phone to another.
    let returned = d.join("returned");
    let mut filled = 0;
    for list in &lists {
        let mut s = Sheets::load(list).unwrap();
        for r in s.data_rows() {
            let keys = s.text(r, 1);
            let key = keys.lines().next().unwrap_or_default().to_string();
            let typed: &[(u16, &str)] = match key.as_str() {
                k if k.ends_with("R1") => &[(COL_ID_FIX, "083090000123")],
                k if k.ends_with("R2") => &[(COL_NAME_FIX, HYPERLINK)],
                k if k.ends_with("R3") => &[(COL_PHONE_FIX, "+1+1")],
                _ => continue,
            };
            for (c, v) in typed {
                s.set(r, *c, Data::String(v.to_string()));
            }
            s.set(r, COL_STATUS, Data::String("Đã sửa".into()));
            filled += 1;
        }
        s.save(&returned.join(list.file_name().unwrap())).unwrap();
    }
    assert_eq!(filled, 3, "R1, R2 and R3 are listed");

    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.xlsx",
            "--corrections",
            "returned",
            "--out",
            "res",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{:?}",
        text(&out)
    );
    let out = run(d, &["report", "scan", "--out", "rep"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));

    // Every workbook the tool wrote, none of those the test wrote.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut live = Vec::new();
    let mut formulas = Vec::new();
    for folder in ["scan", "lists", "res", "rep"] {
        for path in common::walk(&d.join(folder)) {
            if path.extension().is_none_or(|e| e != "xlsx") {
                continue;
            }
            let rel = path.strip_prefix(d).unwrap().display().to_string();
            let got = check(&path);
            let per_part: HashMap<&str, usize> =
                got.formula_like.iter().fold(HashMap::new(), |mut m, c| {
                    *m.entry(c.0.as_str()).or_default() += 1;
                    m
                });
            for (part, n) in per_part {
                seen.insert(format!("{rel} {part}"), n);
            }
            live.extend(got.live.into_iter().map(|c| (rel.clone(), c)));
            formulas.extend(got.formulas.into_iter().map(|c| (rel.clone(), c)));
        }
    }
    eprintln!("formula-looking cells per sheet: {seen:#?}");
    assert!(
        live.is_empty(),
        "formula-looking text without the quote prefix: {live:#?}"
    );
    assert!(
        formulas.is_empty(),
        "cells holding a formula: {formulas:#?}"
    );
    // The check saw such text in each kind of workbook written.
    let any =
        |needle: &str, part: &str| seen.keys().any(|k| k.contains(needle) && k.ends_with(part));
    assert!(
        any("lists/", "sheet1.xml"),
        "a list's visible sheet: {seen:#?}"
    );
    assert!(
        any("lists/", "sheet3.xml"),
        "a list's hidden sheet: {seen:#?}"
    );
    assert!(any("res/merged/", ".xml"), "the merged copy: {seen:#?}");
    assert!(
        any("res/rejected/", "sheet1.xml"),
        "a list sent back: {seen:#?}"
    );
    assert!(
        any("verification.xlsx", ".xml"),
        "verification.xlsx: {seen:#?}"
    );
    assert!(any("res/import/", ".xml"), "the import file: {seen:#?}");
    // The report names only units the gazetteer recognises (the planted commune counts in its
    // district's group of unrecognised communes): no text of the data reaches it.
    assert!(!any("rep/report.xlsx", ".xml"), "report.xlsx: {seen:#?}");
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    common::walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

#[test]
fn text_reaches_a_workbook_only_through_the_one_helper() {
    // `output::write_text` adds the quote prefix; a writer calling rust_xlsxwriter's own text
    // or formula writers could forget it. A file's unit tests (its `#[cfg(test)] mod tests`,
    // last in the file) write workbooks only to read them back, and may write any cell.
    let helper = common::root().join("src/output/mod.rs");
    let mut bypass = Vec::new();
    for file in rust_files(&common::root().join("src")) {
        let code = std::fs::read_to_string(&file).unwrap();
        let tests = code
            .find("#[cfg(test)]\nmod tests {")
            .map_or(code.len(), |at| at);
        for (i, line) in code[..tests].lines().enumerate() {
            let call = [
                ".write_string",
                ".write_formula",
                ".write_array_formula",
                ".write_dynamic",
                ".write_rich_string",
                ".write_row",
                ".write_column",
                ".write_url",
            ]
            .iter()
            .any(|m| line.contains(m));
            let allowed = file == helper && !line.trim_start().starts_with("write_text(");
            if call && !allowed {
                bypass.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        bypass.is_empty(),
        "text written around write_text: {bypass:#?}"
    );
}
