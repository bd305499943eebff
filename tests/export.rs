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
    self, GUIDE_SHEET, HEADERS, LIST_SHEET, META_FORMAT, META_SHEET,
};

/// A list read back.
struct List {
    path: PathBuf,
    /// Hidden sheet key → value.
    meta: BTreeMap<String, String>,
    /// The data rows of `Danh sách`, as text, header excluded.
    rows: Vec<Vec<String>>,
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
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(cell_text).collect();
    assert_eq!(header, HEADERS, "{path:?}");
    // Data rows until the signature block (which has no STT).
    let rows: Vec<Vec<String>> = rows
        .take_while(|r| matches!(r.first(), Some(Data::Float(_) | Data::Int(_))))
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
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

fn keys_of(row: &[String]) -> Vec<String> {
    row[1].split('\n').map(String::from).collect()
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
            assert_eq!(sheet_row, &(i + 2).to_string());
            assert_eq!(stt, &row[0]);
            assert_eq!(keys, &row[1]);
            assert_eq!(print, &list_workbook::fingerprint(&row[..10]));
            for k in keys_of(row) {
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
        .flat_map(|l| l.rows.iter().flat_map(|r| keys_of(r)))
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
    assert!(book.contains("'Danh sách'!$1:$1"));
    let sheet = zip_text(path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "list protected");
    assert!(
        sheet.contains("autoFilter=\"0\""),
        "filters usable when protected"
    );
    assert!(sheet.contains("<autoFilter ref=\"A1:Q3\""));
    assert!(sheet.contains("state=\"frozen\""));
    assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"));
    assert!(sheet.contains("paperSize=\"9\""));
    assert!(sheet.contains("orientation=\"landscape\""));
    assert!(sheet.contains("fitToHeight=\"0\""));
    assert!(sheet.contains("&amp;P"), "page numbers");
    assert!(sheet.contains("TRẠM Y TẾ XÃ/PHƯỜNG"));
    assert!(sheet.contains("CÔNG AN XÃ/PHƯỜNG"));
    // Dropdowns and checks on the correction columns.
    assert!(sheet.contains("sqref=\"M2:M3\""));
    assert!(sheet.contains("<formula1>\"Nam,Nữ\"</formula1>"));
    assert!(sheet.contains("sqref=\"P2:P3\""));
    assert!(sheet.contains(
        "<formula1>\"Đã sửa,Thông tin đúng,Không xác định được,Đã chuyển đi,Đã mất\"</formula1>"
    ));
    assert!(sheet.contains("type=\"date\""));
    assert!(sheet.contains("sqref=\"L2:L3\""));
    // Original columns locked, correction columns unlocked; ID and phone fixes are text.
    let styles = zip_text(path, "xl/styles.xml");
    let xfs = cell_xfs(&styles);
    let unlocked = |cell: &str| xfs[style_of(&sheet, cell)].contains("locked=\"0\"");
    for cell in ["A2", "B2", "C2", "F2", "I2", "J3"] {
        assert!(!unlocked(cell), "{cell} locked");
    }
    for cell in ["K2", "L2", "M2", "N2", "O2", "P2", "Q3"] {
        assert!(unlocked(cell), "{cell} unlocked");
    }
    let num_fmt = |cell: &str| {
        let xf = &xfs[style_of(&sheet, cell)];
        let at = xf.find("numFmtId=\"").unwrap() + 10;
        xf[at..at + xf[at..].find('"').unwrap()].to_string()
    };
    assert_eq!(num_fmt("N2"), "49", "text format");
    assert_eq!(num_fmt("O2"), "49", "text format");
    assert!(styles.contains("formatCode=\"dd/mm/yyyy\""));
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

#[test]
fn libreoffice_renders_a_list_to_pdf() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = [
        "R1,nguyen van an,01/01/1990,Nam,,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,Thôn 1",
        "R2,Lê Thị Bé,31/02/1990,Nữ,083190000001,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ,Thôn 2",
    ];
    std::fs::write(d.join("f.csv"), format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    let lists = export(d, "f.csv", &[]);
    std::fs::copy(&lists[0].path, d.join("list.xlsx")).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", d.display());
    let out = std::process::Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(d)
        .arg(d.join("list.xlsx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let pdf = std::fs::read(d.join("list.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(pdf.len() > 5_000);
}
