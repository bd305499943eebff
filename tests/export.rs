//! `vaxclean export-list` end to end: generate a dump, export it, and read every workbook back —
//! with calamine for the values, and from the XML for protection, validation and printing.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, SheetVisible, open_workbook_auto};
use common::{AS_OF, findings, run, text};
use vaxclean::normalize::places::Gazetteer;
use vaxclean::output::list_workbook::{
    self, GUIDE_SHEET, HEADER_ROW, HEADERS, LIST_SHEET, META_FORMAT, META_SHEET,
};

/// A list read back.
struct List {
    path: PathBuf,
    /// Hidden sheet key → value.
    meta: BTreeMap<String, String>,
    /// The data rows of `Danh sách`, as text, header excluded.
    rows: Vec<Vec<String>>,
    /// The sheet's rows above the header and the hamlet sub-headings, as text.
    heading: Vec<Vec<String>>,
    /// The 1-based sheet row of each data row.
    sheet_rows: Vec<usize>,
    /// The hamlet sub-headings, in order, with how many rows follow each.
    hamlets: Vec<(String, usize)>,
    /// The rows below the list (the signature block), as text.
    footer: Vec<Vec<String>>,
    /// Hidden sheet table: (row, stt, record keys, fingerprint).
    table: Vec<(String, String, String, String)>,
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => vaxclean::record::format_number(*f),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

fn read_list(path: &Path) -> List {
    let mut book = open_workbook_auto(path).unwrap();
    let names: Vec<String> = book.sheet_names().to_vec();
    assert_eq!(names, [LIST_SHEET, GUIDE_SHEET, META_SHEET], "{path:?}");
    let visible: Vec<SheetVisible> = book.sheets_metadata().iter().map(|s| s.visible).collect();
    assert_eq!(
        visible,
        [
            SheetVisible::Visible,
            SheetVisible::Visible,
            SheetVisible::Hidden
        ]
    );
    let range = book.worksheet_range(LIST_SHEET).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    let all: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    let h = HEADER_ROW as usize;
    assert_eq!(all[h][..HEADERS.len()], HEADERS, "{path:?}");
    let heading = all[..h].to_vec();
    // Data rows (with an STT) under hamlet sub-headings (text in column A only), until the
    // signature block.
    let mut rows = Vec::new();
    let mut sheet_rows = Vec::new();
    let mut hamlets: Vec<(String, usize)> = Vec::new();
    let mut end = h + 1;
    for (i, r) in range.rows().enumerate().skip(h + 1) {
        if matches!(r.first(), Some(Data::Float(_) | Data::Int(_))) {
            rows.push(all[i].clone());
            sheet_rows.push(i + 1);
            if let Some(last) = hamlets.last_mut() {
                last.1 += 1;
            }
        } else if matches!(r.first(), Some(Data::String(_)))
            && r[1..].iter().all(|c| matches!(c, Data::Empty))
        {
            hamlets.push((cell_text(&r[0]), 0));
        } else {
            break;
        }
        end = i + 1;
    }
    let footer = all[end..].to_vec();
    // No cell of any sheet is a formula.
    for sheet in &names {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{path:?} {sheet}: a formula"
        );
    }
    let meta_range = book.worksheet_range(META_SHEET).unwrap();
    let mut meta = BTreeMap::new();
    let mut table = Vec::new();
    let mut in_table = false;
    for r in meta_range.rows() {
        let t: Vec<String> = r.iter().map(cell_text).collect();
        let get = |i: usize| t.get(i).cloned().unwrap_or_default();
        if in_table {
            table.push((get(0), get(1), get(2), get(3)));
        } else if get(0) == "row" {
            in_table = true;
        } else if get(0) != "source" {
            meta.insert(get(0), get(1));
        }
    }
    List {
        path: path.to_path_buf(),
        meta,
        rows,
        sheet_rows,
        heading,
        hamlets,
        footer,
        table,
    }
}

/// index.csv as (path, province, district, commune, people, findings).
fn index(dir: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(dir.join("index.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "path", "province", "district", "commune", "people", "findings"
        ]
    );
    rdr.records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn export(dir: &Path, input: &str, extra: &[&str]) -> Vec<List> {
    let mut args = vec![
        "export-list",
        input,
        "--out",
        "lists",
        "--as-of",
        AS_OF,
        "-q",
    ];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    index(&dir.join("lists"))
        .iter()
        .map(|r| read_list(&dir.join("lists").join(&r[0])))
        .collect()
}

fn keys_of(keys: &str) -> Vec<String> {
    keys.split('\n').map(String::from).collect()
}

#[test]
fn every_person_with_errors_is_listed_once_in_their_own_commune() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gen_out = run(
        d,
        &[
            "sample",
            "--people",
            "3000",
            "--communes",
            "6",
            "--defect-rate",
            "0.4",
            "--seed",
            "21",
            "--out",
            "dump.csv",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(gen_out.status.success(), "{:?}", text(&gen_out));
    let scan = run(
        d,
        &["scan", "dump.csv", "--out", "scan", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(scan.status.code(), Some(0), "{:?}", text(&scan));
    let lists = export(d, "dump.csv", &[]);
    assert!(lists.len() >= 6, "{} lists", lists.len());

    // The commune of every source row, as the gazetteer names it.
    let gazetteer = Gazetteer::builtin();
    let mut commune_of: HashMap<String, String> = HashMap::new();
    let mut rdr = csv::Reader::from_path(d.join("dump.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (key, p, di, c) = (
        col("Mã đối tượng"),
        col("Tỉnh/Thành phố"),
        col("Quận/Huyện"),
        col("Xã/Phường"),
    );
    for r in rdr.records() {
        let r = r.unwrap();
        let place = gazetteer.resolve(&r[p], &r[di], &r[c]);
        commune_of.insert(r[key].to_string(), place.commune.unwrap_or_default());
    }

    // Who must be listed: every record with an error on a personal field that needs a person
    // (a certain fix — a lost zero, a clear legacy name — is made by `repair` instead).
    let personal = ["full_name", "birth_date", "gender", "id_number"];
    let errors: Vec<_> = findings(&d.join("scan/findings.csv"))
        .into_iter()
        .filter(|f| f["severity"] == "error" && personal.contains(&f["field"].as_str()))
        .collect();
    let is_certain = |f: &BTreeMap<String, String>| {
        !f["suggestion"].is_empty()
            && vaxclean::rules::Code::from_name(&f["code"])
                .is_some_and(|c| c.certain(vaxclean::rules::Detail::None))
    };
    let must: BTreeSet<String> = errors
        .iter()
        .filter(|f| !is_certain(f))
        .map(|f| f["record_id"].clone())
        .collect();
    let any_error: BTreeSet<String> = errors.iter().map(|f| f["record_id"].clone()).collect();
    assert!(must.len() > 500, "{} records with errors", must.len());
    assert!(
        any_error.len() > must.len(),
        "the dump has repairable-only records"
    );

    let export_ids: BTreeSet<&String> = lists.iter().map(|l| &l.meta["export_id"]).collect();
    assert_eq!(export_ids.len(), 1, "one export id for the run");
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for list in &lists {
        assert_eq!(list.meta["format"], META_FORMAT);
        assert_eq!(list.meta["as_of"], AS_OF);
        assert_eq!(list.meta["sources"], "1");
        assert!(!list.rows.is_empty());
        assert_eq!(list.table.len(), list.rows.len(), "{:?}", list.path);
        for (i, row) in list.rows.iter().enumerate() {
            assert_eq!(row[0], (i + 1).to_string(), "STT");
            // Correction columns are empty, the error column is not.
            assert!(row[10..].iter().all(String::is_empty), "{row:?}");
            assert!(!row[8].is_empty(), "{row:?}");
            // The hidden sheet fingerprints exactly what the row shows.
            let (sheet_row, stt, keys, print) = &list.table[i];
            assert_eq!(sheet_row, &list.sheet_rows[i].to_string());
            assert_eq!(stt, &row[0]);
            // `Mã bản ghi` shows the first key, "+N" for the others; the hidden sheet has all.
            assert_eq!(list_workbook::shown_keys(&keys_of(keys)), row[1]);
            assert_eq!(print, &list_workbook::fingerprint(&row[..10]));
            for k in keys_of(keys) {
                if let Some(other) = seen.insert(k.clone(), list.path.clone()) {
                    panic!("{k} listed twice: {other:?} and {:?}", list.path);
                }
                let commune = &commune_of[&k];
                if !list.meta["commune"].is_empty() {
                    assert_eq!(commune, &list.meta["commune"], "{k} in {:?}", list.path);
                }
            }
        }
    }
    // Rows grouped by hamlet, hamlets in order, each under its sub-heading.
    for list in &lists {
        assert_eq!(
            list.hamlets.iter().map(|h| h.1).sum::<usize>(),
            list.rows.len(),
            "every row under a sub-heading: {:?}",
            list.path
        );
        assert!(list.hamlets.iter().all(|h| h.1 > 0));
        let order: Vec<_> = list
            .hamlets
            .iter()
            .map(|(h, _)| {
                let h = Some(h.as_str()).filter(|h| *h != list_workbook::NO_HAMLET);
                list_workbook::hamlet_order(h)
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", list.hamlets);
        let mut at = 0;
        for (heading, n) in &list.hamlets {
            for row in &list.rows[at..at + n] {
                let hamlet = list_workbook::hamlet_of(&row[7]);
                assert_eq!(&list_workbook::hamlet_heading(hamlet.as_deref()), heading);
            }
            at += n;
        }
    }
    assert!(
        lists.iter().any(|l| l.hamlets.len() > 3),
        "the sample's addresses name hamlets"
    );
    let missing: Vec<&String> = must.iter().filter(|k| !seen.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "not listed: {:?}",
        &missing[..missing.len().min(5)]
    );
    // Nobody is listed for certain fixes alone: every row shows a finding that needs a person.
    for list in &lists {
        for row in &list.rows {
            assert!(
                row[8]
                    .lines()
                    .any(|l| !l.ends_with(list_workbook::CERTAIN_FIX)),
                "{row:?}"
            );
        }
    }
    // index.csv counts what the workbooks hold.
    for (row, list) in index(&d.join("lists")).iter().zip(&lists) {
        assert_eq!(row[4], list.rows.len().to_string());
        assert_eq!(row[3], list.meta["commune"]);
        let shown: usize = list.rows.iter().map(|r| r[8].lines().count()).sum();
        assert_eq!(row[5], shown.to_string());
    }

    // Warnings add people; filters narrow to one commune.
    let with_warnings = export(d, "dump.csv", &["--min-severity", "warning"]);
    let count = |ls: &[List]| ls.iter().map(|l| l.rows.len()).sum::<usize>();
    assert!(count(&with_warnings) > count(&lists));
    // Asked for, the repairable people are listed too, their certain fixes marked as made.
    let everyone = export(d, "dump.csv", &["--include-repairable"]);
    assert!(count(&everyone) > count(&lists));
    let listed: BTreeSet<String> = everyone
        .iter()
        .flat_map(|l| l.table.iter().flat_map(|t| keys_of(&t.2)))
        .collect();
    let missing: Vec<&String> = any_error.iter().filter(|k| !listed.contains(*k)).collect();
    assert!(missing.is_empty(), "not listed: {missing:?}");
    assert!(everyone.iter().any(|l| l.rows.iter().any(|r| {
        r[9].lines()
            .any(|s| s.ends_with(list_workbook::CERTAIN_FIX))
    })));
    let code = lists
        .iter()
        .map(|l| &l.meta["commune_code"])
        .find(|c| !c.is_empty())
        .unwrap()
        .clone();
    let one = export(d, "dump.csv", &["--commune", &code]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].meta["commune_code"], code);
}

const HEADER: &str = "Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Số điện thoại,Tỉnh/Thành phố,Quận/Huyện,Xã/Phường,Địa chỉ\n";

#[test]
fn values_that_look_like_formulas_are_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = [
        "R1,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",01/01/1990,Nam,,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,=1+1",
        "R2,@SUM(A1),01/01/1990,Nam,-1+1,+84 912 345 678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,@x",
        "R3,Lê Văn Tám,01/01/1990,Nam,+1,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,-x",
    ];
    std::fs::write(d.join("f.csv"), format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    let lists = export(d, "f.csv", &[]);
    assert_eq!(lists.len(), 1);
    let rows = &lists[0].rows;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][2], "=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(rows[1][2], "@SUM(A1)");
    assert_eq!(rows[1][5], "-1+1");
    assert_eq!(rows[1][6], "+84 912 345 678");
    assert_eq!(rows[2][5], "+1");
    assert!(rows[0][7].starts_with("=1+1"));
}

/// The entries of a zip member.
fn zip_text(path: &Path, member: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(member).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The `s` attribute of cell `r` in a sheet's XML.
fn style_of(sheet: &str, cell: &str) -> usize {
    let at = sheet.find(&format!("<c r=\"{cell}\"")).unwrap();
    let rest = &sheet[at..];
    let s = rest.find(" s=\"").unwrap();
    let v = &rest[s + 4..];
    v[..v.find('"').unwrap()].parse().unwrap()
}

/// The `<xf>` elements of `cellXfs`.
fn cell_xfs(styles: &str) -> Vec<String> {
    let start = styles.find("<cellXfs").unwrap();
    let end = styles[start..].find("</cellXfs>").unwrap() + start;
    let body = &styles[start..end];
    body.split("<xf ").skip(1).map(String::from).collect()
}

/// A column as the sheet's XML sets it.
#[derive(Debug, Clone, Copy)]
struct Col {
    /// Width in pixels at 100 % (Excel: the width in characters times 7, plus 5).
    px: f64,
    hidden: bool,
}

/// How a list prints on A4 landscape fitted to one page wide, computed from what the sheet sets:
/// the column widths, the side margins and the font size of a data cell.
#[derive(Debug)]
struct PrintSize {
    columns: BTreeMap<u16, Col>,
    /// The fit-to-width scale, in whole percent as Excel applies it.
    scale: f64,
    /// The data cells' font size on paper, in points.
    effective_pt: f64,
}

impl PrintSize {
    /// A column's printed width in millimetres.
    fn mm(&self, col: u16) -> f64 {
        self.columns[&col].px * self.scale / 96.0 * 25.4
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

fn print_size(sheet: &str, styles: &str, data_cell: &str) -> PrintSize {
    let mut columns = BTreeMap::new();
    for tag in sheet.split("<col ").skip(1) {
        let tag = &format!(" {}", &tag[..tag.find("/>").unwrap()]);
        let min: u16 = attr(tag, "min").unwrap().parse().unwrap();
        let max: u16 = attr(tag, "max").unwrap().parse().unwrap();
        let width: f64 = attr(tag, "width").unwrap().parse().unwrap();
        let hidden = attr(tag, "hidden").as_deref() == Some("1");
        for c in min..=max {
            let px = (width * 7.0).round();
            columns.insert(c - 1, Col { px, hidden });
        }
    }
    let margins = &sheet[sheet.find("<pageMargins").unwrap()..];
    let left: f64 = attr(margins, "left").unwrap().parse().unwrap();
    let right: f64 = attr(margins, "right").unwrap().parse().unwrap();
    // A4 landscape: 297 mm wide.
    let printable_px = (297.0 / 25.4 - left - right) * 96.0;
    let total: f64 = columns.values().filter(|c| !c.hidden).map(|c| c.px).sum();
    let scale = ((printable_px / total).min(1.0) * 100.0).floor() / 100.0;
    let xf = &cell_xfs(styles)[style_of(sheet, data_cell)];
    let font_id: usize = attr(xf, "fontId").unwrap().parse().unwrap();
    let fonts = &styles[styles.find("<fonts").unwrap()..styles.find("</fonts>").unwrap()];
    let font = fonts.split("<font>").nth(font_id + 1).unwrap();
    let size: f64 = attr(&font[font.find("<sz").unwrap()..], "val")
        .unwrap()
        .parse()
        .unwrap();
    PrintSize {
        columns,
        scale,
        effective_pt: size * scale,
    }
}

#[test]
fn lists_are_protected_validated_and_print_on_a_4_landscape() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = [
        "R1,nguyen van an,01/01/1990,Nam,,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,Thôn 1",
        "R2,Lê Thị Bé,31/02/1990,Nữ,083190000001,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,Thôn 2",
    ];
    std::fs::write(d.join("f.csv"), format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    let lists = export(d, "f.csv", &[]);
    assert_eq!(lists[0].rows.len(), 2);
    let path = &lists[0].path;
    let book = zip_text(path, "xl/workbook.xml");
    assert!(book.contains("name=\"vaxclean\""));
    assert!(book.contains("state=\"hidden\""));
    assert!(book.contains("_xlnm.Print_Titles"), "header repeated");
    assert!(book.contains("'Danh sách'!$6:$6"), "{book}");
    let sheet = zip_text(path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "list protected");
    assert!(
        sheet.contains("autoFilter=\"0\""),
        "filters usable when protected"
    );
    // Header row 6; "Thôn 1" row 7, R1 row 8; "Thôn 2" row 9, R2 row 10.
    assert!(sheet.contains("<autoFilter ref=\"A6:Q10\""), "{sheet}");
    assert_eq!(
        lists[0].hamlets,
        [("Thôn 1".to_string(), 1), ("Thôn 2".to_string(), 1)]
    );
    assert_eq!(lists[0].sheet_rows, [8, 10]);
    assert!(sheet.contains("state=\"frozen\""));
    assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"));
    assert!(sheet.contains("paperSize=\"9\""));
    assert!(sheet.contains("orientation=\"landscape\""));
    assert!(sheet.contains("fitToHeight=\"0\""));
    assert!(sheet.contains("&amp;P"), "page numbers");
    // The heading: issuing unit, national heading, title, place; the signers below.
    let heading: Vec<&str> = lists[0]
        .heading
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|c| !c.is_empty())
        .collect();
    for want in [
        "TRUNG TÂM Y TẾ HUYỆN BA TRI",
        "TRẠM Y TẾ XÃ TÂN MỸ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "DANH SÁCH RÀ SOÁT, ĐIỀU CHỈNH THÔNG TIN TIÊM CHỦNG COVID-19",
        "Xã Tân Mỹ, Huyện Ba Tri, Tỉnh Bến Tre — lập ngày 26/11/2026",
    ] {
        assert!(heading.contains(&want), "{want}: {heading:?}");
    }
    let footer: Vec<&str> = lists[0]
        .footer
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|c| !c.is_empty())
        .collect();
    for want in [
        "Tân Mỹ, ngày ...... tháng ...... năm 20......",
        "TỔ CÔNG TÁC THÔN/TỔ DÂN PHỐ",
        "TRẠM Y TẾ XÃ TÂN MỸ",
        "CÔNG AN XÃ TÂN MỸ",
        "(Ký, ghi rõ họ tên)",
    ] {
        assert!(footer.contains(&want), "{want}: {footer:?}");
    }
    // Dropdowns and checks on the correction columns.
    assert!(sheet.contains("sqref=\"M7:M10\""));
    assert!(sheet.contains("<formula1>\"Nam,Nữ\"</formula1>"));
    assert!(sheet.contains("sqref=\"P7:P10\""));
    assert!(sheet.contains(
        "<formula1>\"Đã sửa,Thông tin đúng,Không xác định được,Đã chuyển đi,Đã mất\"</formula1>"
    ));
    assert!(sheet.contains("type=\"date\""));
    assert!(sheet.contains("sqref=\"L7:L10\""));
    // Original columns locked, correction columns unlocked; ID and phone fixes are text.
    let styles = zip_text(path, "xl/styles.xml");
    let xfs = cell_xfs(&styles);
    let unlocked = |cell: &str| xfs[style_of(&sheet, cell)].contains("locked=\"0\"");
    for cell in ["A8", "B8", "C8", "F8", "I8", "J10"] {
        assert!(!unlocked(cell), "{cell} locked");
    }
    for cell in ["K8", "L8", "M8", "N8", "O8", "P8", "Q10"] {
        assert!(unlocked(cell), "{cell} unlocked");
    }
    let num_fmt = |cell: &str| {
        let xf = &xfs[style_of(&sheet, cell)];
        let at = xf.find("numFmtId=\"").unwrap() + 10;
        xf[at..at + xf[at..].find('"').unwrap()].to_string()
    };
    assert_eq!(num_fmt("N8"), "49", "text format");
    assert_eq!(num_fmt("O8"), "49", "text format");
    assert!(styles.contains("formatCode=\"dd/mm/yyyy\""));
    // Printed on A4 fitted to its width: the text at 9 pt or more, the handwriting cells wide
    // enough (the phone columns are hidden: nobody's phone is in question).
    let print = print_size(&sheet, &styles, "C8");
    assert!(print.columns[&6].hidden && print.columns[&14].hidden);
    assert!(print.effective_pt >= 9.0, "{print:?}");
    assert!(print.mm(10) >= 30.0, "name {print:?}");
    for col in [11, 13] {
        assert!(print.mm(col) >= 25.0, "column {col}: {print:?}");
    }
    // The instructions sheet is there and protected too.
    let guide = zip_text(path, "xl/worksheets/sheet2.xml");
    assert!(guide.contains("<sheetProtection"));
}

#[test]
fn names_from_the_data_never_leave_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Separators, parent folders, a device name, 300 characters, emoji.
    let long = "Xã ".to_string() + &"Đ".repeat(297);
    let hostile = format!(
        "province_code,province,district_code,district,commune_code,commune\n\
         01,../../x,001,CON,00001,a/b\n\
         01,../../x,001,CON,00002,..\\\\y\n\
         01,../../x,001,CON,00003,{long}\n\
         01,../../x,001,CON,00004,Xã 😷🦠\n"
    );
    std::fs::write(d.join("g.csv"), hostile).unwrap();
    let rows = [
        "R1,Lê Văn Tám,01/01/1990,Nam,,0912345678,../../x,CON,a/b,".to_string(),
        "R2,Lê Văn Bảy,01/01/1990,Nam,,0912345678,../../x,CON,..\\\\y,".to_string(),
        format!("R3,Lê Văn Ba,01/01/1990,Nam,,0912345678,../../x,CON,{long},"),
        "R4,Lê Văn Tư,01/01/1990,Nam,,0912345678,../../x,CON,Xã 😷🦠,".to_string(),
    ];
    std::fs::write(d.join("f.csv"), format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    std::fs::create_dir(d.join("inner")).unwrap();
    let out = run(
        &d.join("inner"),
        &[
            "export-list",
            "../f.csv",
            "--out",
            "lists",
            "--gazetteer",
            "../g.csv",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let mut written = Vec::new();
    for entry in common::walk(d) {
        if entry
            .strip_prefix(d)
            .unwrap()
            .to_string_lossy()
            .contains(".vaxclean")
        {
            continue;
        }
        written.push(
            entry
                .strip_prefix(d)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
        );
    }
    written.sort();
    assert_eq!(
        written,
        [
            "f.csv".to_string(),
            "g.csv".to_string(),
            format!("inner/lists/_.._x/_CON/Xã {}.xlsx", "Đ".repeat(77)),
            "inner/lists/_.._x/_CON/Xã 😷🦠.xlsx".to_string(),
            "inner/lists/_.._x/_CON/__y.xlsx".to_string(),
            "inner/lists/_.._x/_CON/a_b.xlsx".to_string(),
            "inner/lists/index.csv".to_string(),
        ]
    );
}

/// Text of a PDF's pages `first` to `last` (pdftotext).
fn pdf_text(pdf: &Path, first: usize, last: usize) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-f", &first.to_string(), "-l", &last.to_string(), "-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn libreoffice_renders_a_list_as_an_official_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 36 people without an ID number in three hamlets, written out of order.
    let rows: Vec<String> = (0..36)
        .map(|i| {
            format!(
                "R{i},Lê Văn Tám {i},01/01/1990,Nam,,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,Thôn {}",
                [3, 1, 2][i % 3]
            )
        })
        .collect();
    std::fs::write(d.join("f.csv"), format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    let lists = export(d, "f.csv", &[]);
    let hamlets: Vec<&str> = lists[0].hamlets.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(hamlets, ["Thôn 1", "Thôn 2", "Thôn 3"]);
    std::fs::copy(&lists[0].path, d.join("list.xlsx")).unwrap();
    let script = common::root().join("scripts/render-list.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(d.join("list.xlsx"))
        .arg(d.join("pdf"))
        .output()
        .unwrap();
    if out.status.code() == Some(3) {
        eprintln!("{}", String::from_utf8_lossy(&out.stdout).trim());
        return;
    }
    assert!(out.status.success(), "{:?}", text(&out));
    let pages: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let pdf = d.join("pdf/list.pdf");
    assert!(d.join("pdf/list-1.png").exists() || d.join("pdf/list-01.png").exists());
    // Several pages of the list, each with the header row and its number; then the guide.
    assert!((3..=12).contains(&pages), "{pages} pages");
    assert!(pdf_text(&pdf, pages, pages).contains("HƯỚNG DẪN GHI DANH SÁCH"));
    let pages = pages - 1;
    for p in 1..=pages {
        let page = pdf_text(&pdf, p, p);
        assert!(page.contains("Họ và tên đúng"), "page {p}: {page}");
        assert!(page.contains(&format!("Trang {p}/")), "page {p}: {page}");
    }
    let first = pdf_text(&pdf, 1, 1);
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TRẠM Y TẾ XÃ TÂN MỸ",
        "DANH SÁCH RÀ SOÁT, ĐIỀU CHỈNH THÔNG TIN TIÊM CHỦNG COVID-19",
        "Thôn 1",
    ] {
        assert!(first.contains(want), "{want}: {first}");
    }
    let last = pdf_text(&pdf, pages, pages);
    for want in ["TỔ CÔNG TÁC THÔN/TỔ DÂN PHỐ", "CÔNG AN XÃ TÂN MỸ", "Thôn 3"] {
        assert!(last.contains(want), "{want}: {last}");
    }
}
