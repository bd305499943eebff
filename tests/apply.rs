//! `vaxclean apply-corrections` end to end: generate → scan → export-list → fill the lists as hamlet
//! teams would (right corrections and every kind of planted mistake) → apply → check the merged
//! data cell by cell, the audit, the lists sent back, the import file, and that a second apply
//! changes nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use common::{AS_OF, run, text};
use rust_xlsxwriter::{ExcelDateTime, Workbook};
use vaxclean::output::list_workbook::{
    COL_BIRTH_FIX, COL_GENDER_FIX, COL_ID_FIX, COL_NAME_FIX, COL_NOTE, COL_PHONE_FIX, COL_STATUS,
    HEADER_ROW, LIST_SHEET,
};

use vaxclean::sample::fill::Sheets;

fn load(path: &Path) -> Sheets {
    Sheets::load(path).unwrap()
}

fn save(s: &Sheets, path: &Path) {
    s.save(path).unwrap();
}

fn set(s: &mut Sheets, row: usize, col: u16, v: Data) {
    s.set(row, col, v);
}

fn str_at(s: &Sheets, row: usize, col: usize) -> String {
    s.text(row, col)
}

fn s(t: &str) -> Data {
    Data::String(t.to_string())
}

fn data_rows(s: &Sheets) -> Vec<usize> {
    s.data_rows()
}

fn suggestion(s: &Sheets, row: usize, label: &str) -> Option<String> {
    s.suggestion(row, label)
}

/// CSV records as maps by record id, with the file order.
fn records(path: &Path) -> (Vec<String>, HashMap<String, Vec<String>>, Vec<String>) {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new().from_reader(body);
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut order = Vec::new();
    let mut map = HashMap::new();
    for r in rdr.records() {
        let r: Vec<String> = r.unwrap().iter().map(String::from).collect();
        order.push(r[1].clone());
        map.insert(r[1].clone(), r);
    }
    (headers, map, order)
}

fn audit(path: &Path) -> Vec<BTreeMap<String, String>> {
    common::findings(path)
}

/// What a planted row should become.
#[derive(Debug)]
enum Expect {
    /// Applied: field column → new value, on every key.
    Applied(Vec<(usize, String)>),
    /// Rejected with this reason code.
    Rejected(&'static str),
    /// Unchanged with this reason code.
    Unchanged(&'static str),
}

/// A CCCD for someone of this sex and birth year, in province 001.
fn cccd(female: bool, year: i32, tail: &str) -> String {
    let century = (year - 1900) / 100;
    let digit = century * 2 + i32::from(female);
    format!("001{digit}{:02}{tail}", year % 100)
}

fn parse_dmy(s: &str) -> Option<(u32, u32, i32)> {
    let p: Vec<&str> = s.split('/').collect();
    if p.len() != 3 {
        return None;
    }
    Some((p[0].parse().ok()?, p[1].parse().ok()?, p[2].parse().ok()?))
}

#[test]
fn returned_lists_are_merged_safely_and_a_second_apply_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "500",
            "--communes",
            "2",
            "--defect-rate",
            "0.6",
            "--seed",
            "31",
            "--out",
            "dump.csv",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    // What the station does each night: scan, then export the lists of those with errors.
    let out = run(
        d,
        &["scan", "dump.csv", "--out", "scan", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let out = run(
        d,
        &[
            "export-list",
            "--include-repairable",
            "dump.csv",
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let mut lists: Vec<PathBuf> = Vec::new();
    for entry in common::walk(&d.join("lists")) {
        if entry.extension().is_some_and(|e| e == "xlsx")
            && !entry.to_string_lossy().contains("_chua-ro-xa")
        {
            lists.push(entry);
        }
    }
    lists.sort();
    assert_eq!(lists.len(), 2, "{lists:?}");
    let (headers, source, order) = records(&d.join("dump.csv"));
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (c_name, c_birth, c_sex, c_id, c_phone) = (
        col("Họ và tên"),
        col("Ngày sinh"),
        col("Giới tính"),
        col("Số CMND/CCCD"),
        col("Số điện thoại"),
    );

    let mut a = load(&lists[0]);
    let mut b = load(&lists[1]);
    let rows_a = data_rows(&a);
    let rows_b = data_rows(&b);
    assert!(
        rows_a.len() > 40 && rows_b.len() > 40,
        "{} {}",
        rows_a.len(),
        rows_b.len()
    );
    let keys = |s: &Sheets, r: usize| -> Vec<String> { s.keys(r) };
    let mut plan: Vec<(Vec<String>, Expect)> = Vec::new();
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut take = |rows: &[usize], pred: &dyn Fn(usize) -> bool| -> usize {
        let r = *rows
            .iter()
            .find(|r| !used.contains(r) && pred(**r))
            .expect("a row for the case");
        used.insert(r);
        r
    };
    let shown_ok = |s: &Sheets, r: usize| {
        parse_dmy(&str_at(s, r, 3)).is_some_and(|(_, _, y)| (1920..2010).contains(&y))
            && ["Nam", "Nữ"].contains(&str_at(s, r, 4).as_str())
    };

    // 1. The suggested ID number, typed as a number (Excel drops the leading zero).
    let r = take(&rows_a, &|r| {
        suggestion(&a, r, "Số CMND/CCCD").is_some_and(|v| v.starts_with('0') && v.len() == 12)
    });
    let id = suggestion(&a, r, "Số CMND/CCCD").unwrap();
    set(
        &mut a,
        r,
        COL_ID_FIX,
        Data::Float(id.parse::<f64>().unwrap()),
    );
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, r), Expect::Applied(vec![(c_id, id.clone())])));
    // 2. The suggested name, typed carelessly, with "da sua" typed by hand.
    let r = take(&rows_a, &|r| {
        suggestion(&a, r, "Họ và tên").is_some() && str_at(&a, r, 5).len() == 12
    });
    let name = suggestion(&a, r, "Họ và tên").unwrap();
    set(
        &mut a,
        r,
        COL_NAME_FIX,
        s(&format!("  {}  ", name.to_lowercase())),
    );
    set(&mut a, r, COL_STATUS, s("da sua"));
    plan.push((keys(&a, r), Expect::Applied(vec![(c_name, name.clone())])));
    // 3. Birth date as an Excel date and sex as "NỮ"/"nam" matching a new CCCD; phone with +84.
    let r = take(&rows_a, &|r| {
        shown_ok(&a, r) && str_at(&a, r, 5).len() != 12
    });
    let (dd, mm, yy) = parse_dmy(&str_at(&a, r, 3)).unwrap();
    let female = str_at(&a, r, 4) == "Nữ";
    let new_id = cccd(female, yy, "123457");
    let date = ExcelDateTime::from_ymd(yy as u16, mm as u8, dd as u8).unwrap();
    set(
        &mut a,
        r,
        COL_BIRTH_FIX,
        Data::DateTime(calamine::ExcelDateTime::new(
            date.to_excel(),
            calamine::ExcelDateTimeType::DateTime,
            false,
        )),
    );
    set(
        &mut a,
        r,
        COL_GENDER_FIX,
        s(if female { "NỮ" } else { "nam" }),
    );
    set(
        &mut a,
        r,
        COL_ID_FIX,
        s(&format!(
            " {} {} {} ",
            &new_id[..3],
            &new_id[3..6],
            &new_id[6..]
        )),
    );
    set(&mut a, r, COL_PHONE_FIX, s("+84 912 345 678"));
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    let sex = if female { "Nữ" } else { "Nam" };
    let birth = format!("{dd:02}/{mm:02}/{yy}");
    plan.push((
        keys(&a, r),
        Expect::Applied(vec![
            (c_birth, birth),
            (c_sex, sex.to_string()),
            (c_id, new_id.clone()),
            (c_phone, "0912345678".to_string()),
        ]),
    ));
    let import_keys = keys(&a, r);
    // 4. Confirmed; moved away.
    let r = take(&rows_a, &|_| true);
    set(&mut a, r, COL_STATUS, s("Thông tin đúng"));
    plan.push((keys(&a, r), Expect::Unchanged("CONFIRMED")));
    let r = take(&rows_a, &|_| true);
    set(&mut a, r, COL_STATUS, s("Đã chuyển đi"));
    plan.push((keys(&a, r), Expect::Unchanged("MOVED_AWAY")));
    // 5. A locked cell edited.
    let r = take(&rows_a, &|_| true);
    set(&mut a, r, 2, s("Tên Khác Hẳn"));
    set(&mut a, r, COL_NAME_FIX, s("Tên Khác Hẳn"));
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, r), Expect::Rejected("LOCKED_EDITED")));
    // 6. An impossible date; a malformed phone.
    let r = take(&rows_a, &|_| true);
    set(&mut a, r, COL_BIRTH_FIX, s("31/02/1990"));
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, r), Expect::Rejected("DOB_INVALID")));
    let r = take(&rows_a, &|_| true);
    set(&mut a, r, COL_PHONE_FIX, s("12345"));
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, r), Expect::Rejected("PHONE_INVALID")));
    // 7. A CCCD that says the other sex.
    let r = take(&rows_a, &|r| shown_ok(&a, r));
    let (_, _, yy) = parse_dmy(&str_at(&a, r, 3)).unwrap();
    let female = str_at(&a, r, 4) == "Nữ";
    set(&mut a, r, COL_ID_FIX, s(&cccd(!female, yy, "765432")));
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, r), Expect::Rejected("ID_GENDER_MISMATCH")));
    // 8. One new number for two people, in two lists (a CMND: no sex or year to contradict).
    let cmnd = "025431876";
    let r = take(&rows_a, &|_| true);
    set(&mut a, r, COL_ID_FIX, s(cmnd));
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, r), Expect::Rejected("ID_TAKEN")));
    let rb = rows_b[3];
    set(&mut b, rb, COL_ID_FIX, s(cmnd));
    set(&mut b, rb, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&b, rb), Expect::Rejected("ID_TAKEN")));
    // 9. A number that already belongs to someone else in the source.
    let other = order
        .iter()
        .map(|k| &source[k])
        .find(|rec| rec[c_id].len() == 9 && rec[c_id].bytes().all(|b| b.is_ascii_digit()))
        .expect("a CMND in the dump")[c_id]
        .clone();
    let r = take(&rows_a, &|r| str_at(&a, r, 5) != other);
    set(&mut a, r, COL_ID_FIX, s(&other));
    set(&mut a, r, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, r), Expect::Rejected("ID_TAKEN")));
    // 10. The record changed in the source since the export.
    let stale = take(&rows_a, &|_| true);
    set(&mut a, stale, COL_PHONE_FIX, s("0912345679"));
    set(&mut a, stale, COL_STATUS, s("Đã sửa"));
    let stale_keys = keys(&a, stale);
    plan.push((stale_keys.clone(), Expect::Rejected("STALE_CHANGED")));
    // 11. The same person corrected differently in a second copy of list A.
    let conflict = take(&rows_a, &|r| suggestion(&a, r, "Họ và tên").is_some());
    let good = suggestion(&a, conflict, "Họ và tên").unwrap();
    set(&mut a, conflict, COL_NAME_FIX, s(&good));
    set(&mut a, conflict, COL_STATUS, s("Đã sửa"));
    plan.push((keys(&a, conflict), Expect::Rejected("CONFLICT_WORKBOOKS")));
    let mut a2 = a.clone();
    set(&mut a2, conflict, COL_NAME_FIX, s("Nguyễn Thị Khác"));
    // 12. An unknown status.
    let r = take(&rows_a, &|_| true);
    set(&mut a, r, COL_STATUS, s("xong"));
    set(&mut a2, r, COL_STATUS, s("xong"));
    plan.push((keys(&a, r), Expect::Rejected("STATUS_UNKNOWN")));
    // 13. In list B: a row deleted, and a row added at the end.
    let deleted = rows_b[5];
    let deleted_keys = keys(&b, deleted);
    plan.push((deleted_keys.clone(), Expect::Rejected("ROW_DELETED")));
    let mut added = b.list[rows_b[6]].clone();
    added[0] = Data::Float(999.0);
    b.list.remove(deleted);
    let last = data_rows(&b).last().copied().unwrap();
    b.list.insert(last + 1, added);
    set(&mut b, last + 1, COL_NAME_FIX, s("Lê Văn Thêm"));
    set(&mut b, last + 1, COL_STATUS, s("Đã sửa"));

    let ret = d.join("returned");
    save(&a, &ret.join("a.xlsx"));
    save(&a2, &ret.join("a-copy.xlsx"));
    save(&b, &ret.join("b.xlsx"));
    // Not one of ours.
    let mut foreign = Workbook::new();
    foreign
        .add_worksheet()
        .write_string(0, 0, "Danh sách khác")
        .unwrap();
    foreign.save(ret.join("foreign.xlsx")).unwrap();

    // The stale record: someone changed its phone in the dump after the export.
    let dump = std::fs::read_to_string(d.join("dump.csv")).unwrap();
    let stale_rec = &source[&stale_keys[0]];
    let old_line = stale_rec.join(",");
    assert!(dump.contains(&old_line), "simple CSV lines");
    let mut changed = stale_rec.clone();
    changed[c_phone] = "0987654321".into();
    let dump = dump.replacen(&old_line, &changed.join(","), 1);
    std::fs::write(d.join("dump.csv"), &dump).unwrap();
    let before = std::fs::read(d.join("dump.csv")).unwrap();

    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "returned",
            "--out",
            "res",
            "--as-of",
            AS_OF,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the foreign workbook: {stdout} {stderr}"
    );
    assert!(stderr.contains("foreign.xlsx"), "{stderr}");
    assert_eq!(
        std::fs::read(d.join("dump.csv")).unwrap(),
        before,
        "the source is never written"
    );

    // The audit says what became of each planted row.
    let audit_rows = audit(&d.join("res/audit.csv"));
    let by_key: HashMap<&str, Vec<&BTreeMap<String, String>>> =
        audit_rows.iter().fold(HashMap::new(), |mut m, r| {
            m.entry(r["record_key"].as_str()).or_default().push(r);
            m
        });
    for (ks, expect) in &plan {
        let rows = by_key.get(ks[0].as_str()).unwrap_or_else(|| {
            let near: Vec<_> = audit_rows
                .iter()
                .filter(|r| r["record_key"].starts_with("VX00000010"))
                .collect();
            panic!("{ks:?} {expect:?} not in the audit: {near:?}")
        });
        match expect {
            // Applied once; the identical copy says DUPLICATE.
            Expect::Applied(_) => assert!(
                rows.iter().any(|r| r["status"] == "applied")
                    && rows
                        .iter()
                        .all(|r| r["status"] == "applied" || r["reason_code"] == "DUPLICATE"),
                "{ks:?}: {rows:?}"
            ),
            Expect::Rejected(code) => assert!(
                rows.iter()
                    .any(|r| r["status"] == "rejected" && r["reason_code"] == *code),
                "{ks:?} expected {code}: {rows:?}"
            ),
            Expect::Unchanged(code) => assert!(
                rows.iter()
                    .all(|r| r["status"] == "unchanged" && r["reason_code"] == *code),
                "{ks:?} expected {code}: {rows:?}"
            ),
        }
    }
    assert!(audit_rows.iter().any(|r| r["reason_code"] == "ROW_ADDED"));
    assert!(
        audit_rows.iter().any(|r| r["reason_code"] == "DUPLICATE"),
        "the copy's identical rows"
    );

    // Merged: every source row once, in order; the planted corrections and nothing else changed.
    let (mheaders, merged, morder) = records(&d.join("res/merged/dump.csv"));
    assert_eq!(mheaders, headers);
    let (_, now, _) = records(&d.join("dump.csv"));
    assert_eq!(morder, order, "every source row exactly once, in order");
    let mut want: HashMap<String, Vec<String>> = now.clone();
    for (ks, expect) in &plan {
        if let Expect::Applied(changes) = expect {
            for k in ks {
                for (c, v) in changes {
                    want.get_mut(k).unwrap()[*c] = v.clone();
                }
            }
        }
    }
    for k in &order {
        assert_eq!(merged[k], want[k], "record {k}");
    }

    // Lists sent back: the rejected rows with their reason.
    let rejected: Vec<PathBuf> = common::walk(&d.join("res/rejected"));
    assert!(!rejected.is_empty());
    let mut sent_back = String::new();
    for p in &rejected {
        let mut book = open_workbook_auto(p).unwrap();
        let range = book.worksheet_range(LIST_SHEET).unwrap();
        let header: Vec<String> = range
            .rows()
            .nth(HEADER_ROW as usize)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header.last().map(String::as_str), Some("Lý do trả lại"));
        for row in range.rows() {
            sent_back.push_str(
                &row.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join("|"),
            );
            sent_back.push('\n');
        }
    }
    for (ks, expect) in &plan {
        if matches!(expect, Expect::Rejected(_)) {
            assert!(sent_back.contains(&ks[0]), "{ks:?} sent back");
        }
    }
    // The import file holds the record that had no valid number and has one now.
    let mut imp = open_workbook_auto(d.join("res/import/nhap-lai.xlsx")).unwrap();
    let names = imp.sheet_names().to_vec();
    let range = imp.worksheet_range(&names[0]).unwrap();
    let imported: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
    for k in &import_keys {
        assert!(imported.contains(k), "{k} in the import file");
    }
    let row = range
        .rows()
        .find(|r| r[0].to_string() == import_keys[0])
        .unwrap();
    assert_eq!(row[4], Data::String(new_id.clone()));
    // verification.xlsx lists every row.
    let mut ver = open_workbook_auto(d.join("res/verification.xlsx")).unwrap();
    let detail = ver.worksheet_range("Chi tiết").unwrap();
    assert!(detail.rows().count() > rows_a.len());

    // A second apply onto the merged data changes nothing.
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "res/merged/dump.csv",
            "--corrections",
            "returned",
            "--out",
            "res2",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert_eq!(
        std::fs::read(d.join("res2/merged/dump.csv")).unwrap(),
        std::fs::read(d.join("res/merged/dump.csv")).unwrap()
    );
    let again = audit(&d.join("res2/audit.csv"));
    assert!(again.iter().all(|r| r["status"] != "applied"));
    assert!(again.iter().any(|r| r["reason_code"] == "ALREADY_APPLIED"));

    // A dry run writes only the audit and the summary.
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "returned/a.xlsx",
            "--out",
            "dry",
            "--dry-run",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let mut names: Vec<String> = std::fs::read_dir(d.join("dry"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".vaxclean"))
        .collect();
    names.sort();
    assert_eq!(names, ["audit.csv", "summary.json"]);
}

#[test]
fn the_output_folder_may_not_overwrite_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("res/merged")).unwrap();
    std::fs::write(
        d.join("res/merged/dump.csv"),
        "Họ và tên,Số CMND/CCCD\nLê Văn Tám,001090001234\n",
    )
    .unwrap();
    std::fs::create_dir(d.join("returned")).unwrap();
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "res/merged/dump.csv",
            "--corrections",
            "returned",
            "--out",
            "res",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--out"), "{:?}", text(&out));
}

/// Every cell of every sheet of a workbook, as text.
fn cells(path: &Path) -> BTreeMap<(String, u32, u32), String> {
    let mut book = open_workbook_auto(path).unwrap();
    let mut out = BTreeMap::new();
    for name in book.sheet_names().to_vec() {
        let range = book.worksheet_range(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let text = match v {
                Data::DateTime(d) => format!("date:{}", d.as_f64()),
                other => other.to_string(),
            };
            out.insert((name.clone(), r0 + r as u32, c0 + c as u32), text);
        }
    }
    out
}

#[test]
fn workbook_and_windows_1258_sources_keep_their_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (args, file) in [
        (vec!["--numeric-ids", "--title-lines"], "dump.xlsx"),
        (
            vec!["--encoding", "windows-1258", "--delimiter", ";"],
            "dump.csv",
        ),
    ] {
        let mut a = vec![
            "sample",
            "--people",
            "150",
            "--communes",
            "1",
            "--defect-rate",
            "0.6",
            "--seed",
            "7",
            "--out",
            file,
            "--as-of",
            AS_OF,
        ];
        a.extend(args);
        let out = run(d, &a);
        assert!(out.status.success(), "{:?}", text(&out));
    }
    for (file, lists, ret, res) in [
        ("dump.xlsx", "lx", "rx", "resx"),
        ("dump.csv", "lc", "rc", "resc"),
    ] {
        let out = run(
            d,
            &[
                "export-list",
                file,
                "--out",
                lists,
                "--include-repairable",
                "--as-of",
                AS_OF,
                "-q",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
        let list = common::walk(&d.join(lists))
            .into_iter()
            .find(|p| {
                p.extension().is_some_and(|e| e == "xlsx") && !p.to_string_lossy().contains("_chua")
            })
            .unwrap();
        let mut s = load(&list);
        // Take the first suggested ID number and a name in Vietnamese capitals.
        let r = data_rows(&s)
            .into_iter()
            .find(|&r| suggestion(&s, r, "Số CMND/CCCD").is_some())
            .unwrap();
        let id = suggestion(&s, r, "Số CMND/CCCD").unwrap();
        set(&mut s, r, COL_ID_FIX, Data::String(id.clone()));
        set(
            &mut s,
            r,
            COL_NAME_FIX,
            Data::String("ĐẶNG THỊ HƯỜNG".into()),
        );
        set(&mut s, r, COL_STATUS, Data::String("Đã sửa".into()));
        // Another name than the one listed: a note says why, or it would be sent back as suspect.
        set(
            &mut s,
            r,
            COL_NOTE,
            Data::String("đổi tên theo giấy khai sinh".into()),
        );
        save(&s, &d.join(ret).join("l.xlsx"));
        let keys: Vec<String> = s.keys(r);
        let out = run(
            d,
            &[
                "apply-corrections",
                "--source",
                file,
                "--corrections",
                ret,
                "--out",
                res,
                "--as-of",
                AS_OF,
                "-q",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
        let audit_rows = audit(&d.join(res).join("audit.csv"));
        let applied: Vec<_> = audit_rows
            .iter()
            .filter(|a| a["status"] == "applied")
            .collect();
        assert_eq!(applied.len(), keys.len() * 2, "{applied:?}");
        let changed: BTreeSet<u32> = applied.iter().map(|a| a["row"].parse().unwrap()).collect();
        if file.ends_with(".xlsx") {
            let before = cells(&d.join(file));
            let after = cells(&d.join(res).join("merged/dump.xlsx"));
            assert_eq!(before.len(), after.len(), "no cell lost or added");
            let mut diffs = 0;
            for (k, v) in &before {
                if after[k] != *v {
                    diffs += 1;
                    assert!(changed.contains(&(k.1 + 1)), "{k:?}: {v} → {}", after[k]);
                    assert!(
                        after[k] == id || after[k] == "Đặng Thị Hường",
                        "{}",
                        after[k]
                    );
                }
            }
            assert_eq!(diffs, keys.len() * 2);
        } else {
            // Windows-1258 and ';' kept; every other line byte for byte.
            let before = std::fs::read(d.join(file)).unwrap();
            let after = std::fs::read(d.join(res).join("merged/dump.csv")).unwrap();
            let lines = |b: &[u8]| {
                b.split(|x| *x == b'\n')
                    .map(<[u8]>::to_vec)
                    .collect::<Vec<_>>()
            };
            let (lb, la) = (lines(&before), lines(&after));
            assert_eq!(lb.len(), la.len());
            for (i, (x, y)) in lb.iter().zip(&la).enumerate() {
                if changed.contains(&(i as u32 + 1)) {
                    assert_ne!(x, y);
                    let want = vaxclean::input::csv::encode_windows_1258("Đặng Thị Hường");
                    assert!(
                        y.windows(want.len()).any(|w| w == want.as_slice()),
                        "line {}",
                        i + 1
                    );
                    assert!(y.windows(id.len()).any(|w| w == id.as_bytes()));
                } else {
                    assert_eq!(x, y, "line {}", i + 1);
                }
            }
        }
    }
}

#[test]
fn a_list_of_other_data_is_refused_and_others_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixture = common::fixture("sample.csv");
    let fixture = fixture.to_str().unwrap();
    let out = run(
        d,
        &[
            "export-list",
            "--include-repairable",
            fixture,
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let list = common::first_workbook(&d.join("lists"));
    let mut s = load(&list);
    assert!(s.accept_suggestions() > 0);
    save(&s, &d.join("returned/mine.xlsx"));
    // Another dump, with its own list.
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "200",
            "--seed",
            "77",
            "--defect-rate",
            "0.5",
            "--out",
            "other.csv",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(out.status.success());
    let out = run(
        d,
        &[
            "export-list",
            "--include-repairable",
            "other.csv",
            "--out",
            "other-lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let other = common::first_workbook(&d.join("other-lists"));
    let mut o = load(&other);
    assert!(o.accept_suggestions() > 0);
    save(&o, &d.join("returned/theirs.xlsx"));
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            fixture,
            "--corrections",
            "returned",
            "--out",
            "res",
            "--as-of",
            AS_OF,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("theirs.xlsx") && !stderr.contains("mine.xlsx"),
        "{stderr}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("res/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["workbooks"]["refused"][0]["code"], "NO_MATCH");
    assert!(summary["outcomes"]["applied"].as_u64().unwrap() > 0);
    // The terminal counts the lists read as summary.json does: the list of other data is refused,
    // not read too.
    assert_eq!(summary["workbooks"]["read"], 1);
    assert!(
        stdout.starts_with("Đã đọc 1 danh sách trả về (1 bị từ chối)")
            || stdout.starts_with("Read 1 returned lists (1 refused)"),
        "{stdout}"
    );
}

/// Two dumps numbered alike (`--first-record 1`, as two samples were before each seed had its own
/// block), their lists exported together: the lists, in order.
fn dumps_sharing_keys(d: &Path) -> Vec<PathBuf> {
    for (seed, file) in [("41", "a.csv"), ("42", "b.csv")] {
        let out = run(
            d,
            &[
                "sample",
                "--people",
                "120",
                "--communes",
                "1",
                "--defect-rate",
                "0.5",
                "--defects",
                "id_leading_zero_lost,id_missing",
                "--seed",
                seed,
                "--first-record",
                "1",
                "--out",
                file,
                "--as-of",
                AS_OF,
            ],
        );
        assert!(out.status.success(), "{:?}", text(&out));
    }
    let out = run(
        d,
        &[
            "export-list",
            "--include-repairable",
            "a.csv",
            "b.csv",
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let mut lists: Vec<PathBuf> = common::workbooks(&d.join("lists"));
    lists.sort();
    lists
}

/// A list row with a suggested ID number and a single record key, in one of `lists`: the list,
/// the row, its key, the suggestion and the list's values (name, number shown).
fn a_row_to_fix(lists: &[PathBuf], skip: usize) -> (PathBuf, Sheets, usize, String, String) {
    let mut seen = 0;
    for list in lists {
        let s = load(list);
        for r in data_rows(&s) {
            let keys: Vec<String> = s.keys(r);
            if keys.len() == 1
                && let Some(id) = suggestion(&s, r, "Số CMND/CCCD")
            {
                seen += 1;
                if seen > skip {
                    return (list.clone(), s, r, keys[0].clone(), id);
                }
            }
        }
    }
    panic!("no row with a suggested number in {lists:?}")
}

#[test]
fn keys_shared_by_two_inputs_correct_the_listed_person_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let lists = dumps_sharing_keys(d);
    let (_, mut s, r, key, id) = a_row_to_fix(&lists, 0);
    let name = str_at(&s, r, 2);
    // The key is in both inputs, on another person in one of them.
    let (headers, a, _) = records(&d.join("a.csv"));
    let (_, b, _) = records(&d.join("b.csv"));
    let c_name = headers.iter().position(|h| h == "Họ và tên").unwrap();
    let c_id = headers.iter().position(|h| h == "Số CMND/CCCD").unwrap();
    assert!(a.contains_key(&key) && b.contains_key(&key), "{key}");
    assert_ne!(a[&key][c_name], b[&key][c_name]);
    let (mine, theirs) = if a[&key][c_name] == name {
        ("a.csv", "b.csv")
    } else {
        ("b.csv", "a.csv")
    };
    set(&mut s, r, COL_ID_FIX, Data::String(id.clone()));
    set(&mut s, r, COL_STATUS, cell("Đã sửa"));
    save(&s, &d.join("returned/l.xlsx"));
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "a.csv",
            "b.csv",
            "--corrections",
            "returned",
            "--out",
            "res",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let audit_rows = audit(&d.join("res/audit.csv"));
    let applied: Vec<_> = audit_rows
        .iter()
        .filter(|a| a["status"] == "applied")
        .collect();
    assert_eq!(applied.len(), 1, "{audit_rows:?}");
    assert_eq!(applied[0]["source"], mine);
    assert_eq!(applied[0]["record_key"], key);
    assert_eq!(applied[0]["new"], id);
    // The listed person corrected; the other input's person with the same key untouched.
    let (_, merged_mine, _) = records(&d.join("res/merged").join(mine));
    let (_, before_mine, _) = records(&d.join(mine));
    assert_eq!(merged_mine[&key][c_id], id);
    for (k, rec) in &before_mine {
        if *k != key {
            assert_eq!(&merged_mine[k], rec, "{k}");
        }
    }
    assert_eq!(
        std::fs::read(d.join("res/merged").join(theirs)).unwrap(),
        std::fs::read(d.join(theirs)).unwrap(),
        "{theirs} unchanged"
    );
}

#[test]
fn a_row_behind_shared_keys_that_nothing_matches_names_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let lists = dumps_sharing_keys(d);
    // Two rows of one list: one applies; the other's person was renamed in its input since.
    let (list, mut s, good, _, good_id) = a_row_to_fix(&lists, 0);
    let (list2, _, bad, key, bad_id) = a_row_to_fix(&lists, 1);
    assert_eq!(list, list2, "two rows of one list");
    let name = str_at(&s, bad, 2);
    for (r, id) in [(good, &good_id), (bad, &bad_id)] {
        set(&mut s, r, COL_ID_FIX, Data::String(id.clone()));
        set(&mut s, r, COL_STATUS, cell("Đã sửa"));
    }
    save(&s, &d.join("returned/l.xlsx"));
    let mut only_bad = load(&list);
    set(&mut only_bad, bad, COL_ID_FIX, Data::String(bad_id.clone()));
    set(&mut only_bad, bad, COL_STATUS, cell("Đã sửa"));
    save(&only_bad, &d.join("returned-bad/l.xlsx"));
    let (headers, a, _) = records(&d.join("a.csv"));
    let c_name = headers.iter().position(|h| h == "Họ và tên").unwrap();
    let file = if a[&key][c_name] == name {
        "a.csv"
    } else {
        "b.csv"
    };
    let dump = std::fs::read_to_string(d.join(file)).unwrap();
    let line = dump
        .lines()
        .find(|l| l.split(',').nth(1) == Some(key.as_str()))
        .unwrap();
    assert!(line.contains(&name), "{line}");
    let renamed = line.replacen(&name, "Người Khác Hẳn", 1);
    std::fs::write(d.join(file), dump.replacen(line, &renamed, 1)).unwrap();

    let apply = |ret: &str, res: &str| {
        run(
            d,
            &[
                "apply-corrections",
                "--source",
                "a.csv",
                "b.csv",
                "--corrections",
                ret,
                "--out",
                res,
                "--as-of",
                AS_OF,
                "--lang",
                "en",
            ],
        )
    };
    let out = apply("returned", "res");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let audit_rows = audit(&d.join("res/audit.csv"));
    assert!(audit_rows.iter().any(|a| a["status"] == "applied"));
    let rejected: Vec<_> = audit_rows
        .iter()
        .filter(|a| a["record_key"] == key)
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["status"], "rejected");
    assert_eq!(rejected[0]["reason_code"], "KEY_SHARED");
    assert!(
        rejected[0]["reason"].contains("record keys shared by 2 inputs: 'a.csv' and 'b.csv'"),
        "{}",
        rejected[0]["reason"]
    );
    // A list of nothing but such rows is refused, with the cause.
    let out = apply("returned-bad", "res-bad");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("none of the list's rows matches")
            && stderr.contains("record keys shared by 2 inputs: 'a.csv' and 'b.csv'"),
        "{stderr}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("res-bad/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["workbooks"]["refused"][0]["code"], "NO_MATCH");
}

/// A text cell.
fn cell(t: &str) -> Data {
    s(t)
}

/// Renames sheet `from` of an .xlsx to `to` (in the workbook's XML, as a spreadsheet does).
fn rename_sheet(path: &Path, from: &str, to: &str) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/workbook.xml" {
            data = String::from_utf8(data)
                .unwrap()
                .replace(&format!("name=\"{from}\""), &format!("name=\"{to}\""))
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn a_sorted_list_with_sub_headings_and_an_added_column_is_read_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "400",
            "--seed",
            "5",
            "--communes",
            "2",
            "--defect-rate",
            "0.4",
            "--out",
            "dump.csv",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let out = run(
        d,
        &[
            "export-list",
            "--include-repairable",
            "dump.csv",
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let list = common::walk(&d.join("lists"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .max_by_key(|p| load(p).data_rows().len())
        .unwrap();
    let mut s = load(&list);
    let rows = data_rows(&s);
    assert!(rows.len() > 10);
    // Hamlet sub-headings stand between the rows.
    let headings = (HEADER_ROW as usize + 1..rows[rows.len() - 1])
        .filter(|r| !rows.contains(r))
        .count();
    assert!(headings >= 2, "{headings} sub-headings");
    assert!(s.accept_suggestions() > 0);
    // Sorted by name, Z to A, as Excel's sort does (rows move, sub-headings aside); then one
    // locked cell edited.
    let mut moved: Vec<Vec<Data>> = rows.iter().map(|&r| s.list[r].clone()).collect();
    moved.sort_by_key(|r| std::cmp::Reverse(r[2].to_string()));
    for (&r, row) in rows.iter().zip(moved) {
        s.list[r] = row;
    }
    let edited = rows[0];
    let edited_key =
        vaxclean::output::list_workbook::keys_in_cell(&str_at(&s, edited, 1))[0].clone();
    set(&mut s, edited, 2, s_("Tên Đã Sửa Tay"));
    // A column added after the last one, with a note in it.
    set(&mut s, HEADER_ROW as usize, 17, s_("Người xác minh"));
    set(&mut s, rows[1], 17, s_("anh Tư"));
    save(&s, &d.join("returned/l.xlsx"));

    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "returned",
            "--out",
            "res",
            "--as-of",
            AS_OF,
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The added column is ignored, and said once.
    assert_eq!(stderr.matches("Người xác minh").count(), 1, "{stderr}");
    let rows_audit = audit(&d.join("res/audit.csv"));
    let codes: Vec<&str> = rows_audit
        .iter()
        .map(|a| a["reason_code"].as_str())
        .collect();
    assert!(!codes.contains(&"ROW_ADDED"), "{codes:?}");
    assert!(!codes.contains(&"ROW_DELETED"), "{codes:?}");
    let locked: Vec<&BTreeMap<String, String>> = rows_audit
        .iter()
        .filter(|a| a["reason_code"] == "LOCKED_EDITED")
        .collect();
    assert!(!locked.is_empty());
    // The edited row only, told by its STT and keys though it moved: every key of the person.
    assert!(
        locked
            .iter()
            .all(|a| a["workbook_row"] == (edited + 1).to_string()),
        "{locked:?}"
    );
    assert!(
        locked.iter().any(|a| a["record_key"] == edited_key),
        "{locked:?}"
    );
    assert!(rows_audit.iter().any(|a| a["status"] == "applied"));

    // A renamed sheet, a column moved: refused, saying what is wrong and what to do.
    let mut plain = load(&list);
    plain.accept_suggestions();
    save(&plain, &d.join("renamed/l.xlsx"));
    rename_sheet(&d.join("renamed/l.xlsx"), LIST_SHEET, "DS thôn 1");
    let mut swapped = load(&list);
    for row in swapped.list.iter_mut() {
        if row.len() > 3 {
            row.swap(2, 3);
        }
    }
    save(&swapped, &d.join("renamed/m.xlsx"));
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "renamed",
            "--out",
            "res2",
            "--as-of",
            AS_OF,
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "không có trang \"Danh sách\" (tệp có các trang: \"DS thôn 1\", \"Hướng dẫn\")"
        ) && stderr.contains("đổi tên trang chứa danh sách lại thành \"Danh sách\""),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("cột C của trang \"Danh sách\" phải là \"Họ và tên\" nhưng là \"Ngày sinh\""),
        "{stderr}"
    );
    let summary = common::summary(&d.join("res2"));
    let refused = summary["workbooks"]["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2);
    assert!(
        refused.iter().all(|r| r["code"] == "LAYOUT_CHANGED"),
        "{refused:?}"
    );
}

fn s_(t: &str) -> Data {
    Data::String(t.to_string())
}

#[test]
fn a_place_written_for_a_person_whose_commune_is_unknown_is_checked_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "STT,Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Số điện thoại,Tỉnh/Thành phố,Quận/Huyện,Xã/Phường,Địa chỉ\n";
    let rows = [
        "1,R1,Lê Văn Tám,01/01/1990,Nam,,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Không Có,",
        "2,R2,Lê Thị Chín,01/01/1991,Nữ,,0912345679,Tỉnh Bến Tre,Huyện Ba Tri,Xã Không Có,",
    ];
    std::fs::write(d.join("dump.csv"), format!("{header}{}\n", rows.join("\n"))).unwrap();
    let out = run(
        d,
        &[
            "export-list",
            "--include-repairable",
            "dump.csv",
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let list = d.join("lists/Tỉnh Bến Tre/Huyện Ba Tri/_chua-ro-xa.xlsx");
    let mut s = load(&list);
    let h = HEADER_ROW as usize;
    assert_eq!(str_at(&s, h, 17), "Địa chỉ đúng");
    let rows = data_rows(&s);
    let row_of =
        |s: &Sheets, key: &str| rows.iter().copied().find(|&r| s.keys(r)[0] == key).unwrap();
    let (r1, r2) = (row_of(&s, "R1"), row_of(&s, "R2"));
    set(&mut s, r1, COL_ID_FIX, s_("083090001234"));
    set(&mut s, r1, 17, s_("Thôn 2, Xã Tân Mỹ"));
    set(&mut s, r1, COL_STATUS, s_("Đã sửa"));
    set(&mut s, r2, 17, s_("Thôn 9, Xã Không Hề Có"));
    set(&mut s, r2, COL_STATUS, s_("Đã sửa"));
    save(&s, &d.join("returned/l.xlsx"));
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "returned",
            "--out",
            "res",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let (headers, merged, _) = records(&d.join("res/merged/dump.csv"));
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    assert_eq!(merged["R1"][col("Xã/Phường")], "Xã Tân Mỹ");
    assert_eq!(merged["R1"][col("Địa chỉ")], "Thôn 2");
    assert_eq!(merged["R1"][col("Số CMND/CCCD")], "083090001234");
    // A place the gazetteer does not know changes nothing and is sent back.
    assert_eq!(merged["R2"][col("Xã/Phường")], "Xã Không Có");
    let audit_rows = audit(&d.join("res/audit.csv"));
    let field = |key: &str, f: &str| {
        audit_rows
            .iter()
            .find(|a| a["record_key"] == key && a["field"] == f)
            .cloned()
    };
    let commune = field("R1", "commune").unwrap();
    assert_eq!(
        (
            commune["status"].as_str(),
            commune["old"].as_str(),
            commune["new"].as_str()
        ),
        ("applied", "Xã Không Có", "Xã Tân Mỹ")
    );
    assert_eq!(field("R1", "address").unwrap()["new"], "Thôn 2");
    assert!(
        audit_rows
            .iter()
            .any(|a| a["record_key"] == "R2" && a["reason_code"] == "ADDRESS_UNKNOWN"),
        "{audit_rows:?}"
    );
}

/// `Đã sửa` beside the list's suggestions with nothing retyped accepts them; `Thông tin đúng`
/// still gets the fixes the rules are certain of, so the person is not listed again the next
/// night; and the audit says which change came from where.
#[test]
fn suggestions_are_accepted_with_da_sua_and_certain_fixes_made_for_confirmed_people() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "400",
            "--communes",
            "1",
            "--defect-rate",
            "0.7",
            "--seed",
            "21",
            "--out",
            "dump.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    // A person whose number is missing (a person must find it) also has their sex written in
    // capitals on every row (a certain fix).
    let (headers, mut by_id, order) = records(&d.join("dump.csv"));
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (name, birth, sex, id) = (
        col("Họ và tên"),
        col("Ngày sinh"),
        col("Giới tính"),
        col("Số CMND/CCCD"),
    );
    // A second one has their name in small letters (a certain fix too).
    let mut people = order
        .iter()
        .map(|k| &by_id[k])
        .filter(|r| r[id].is_empty() && r[name].contains(' ') && r[sex] == "Nam")
        .map(|r| (r[name].clone(), r[birth].clone()));
    let who = people.next().unwrap();
    let other = people.find(|p| p.0 != who.0).unwrap();
    for r in by_id.values_mut() {
        if (&r[name], &r[birth]) == (&who.0, &who.1) {
            r[sex] = "NAM".into();
        } else if (&r[name], &r[birth]) == (&other.0, &other.1) {
            r[name] = r[name].to_lowercase();
        }
    }
    let mut w = csv::Writer::from_path(d.join("dump.csv")).unwrap();
    w.write_record(&headers).unwrap();
    for k in &order {
        w.write_record(&by_id[k]).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let out = run(
        d,
        &[
            "export-list",
            "dump.csv",
            "--out",
            "lists",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let list = common::first_workbook(&d.join("lists"));
    let mut s = load(&list);
    let mark = vaxclean::output::list_workbook::CERTAIN_FIX;
    let rows = data_rows(&s);
    // A: a certain fix beside an error that needs a person, answered "Thông tin đúng".
    let a = *rows
        .iter()
        .find(|&&r| str_at(&s, r, 9).lines().any(|l| l.ends_with(mark)))
        .expect("a row with a certain fix");
    let a_fix = str_at(&s, a, 9)
        .lines()
        .find(|l| l.ends_with(mark))
        .and_then(vaxclean::output::list_workbook::suggestion_value)
        .map(|(_, v)| v.to_string())
        .unwrap();
    // B: any other row with a suggestion, answered "Đã sửa" with nothing typed.
    let b = *rows
        .iter()
        .find(|&&r| r != a && !str_at(&s, r, 9).is_empty())
        .expect("a row with a suggestion");
    let b_values: Vec<String> = str_at(&s, b, 9)
        .lines()
        .filter_map(vaxclean::output::list_workbook::suggestion_value)
        .map(|(_, v)| v.to_string())
        .collect();
    set(&mut s, a, COL_STATUS, self::s("Thông tin đúng"));
    set(&mut s, b, COL_STATUS, self::s("Đã sửa"));
    std::fs::create_dir_all(d.join("back")).unwrap();
    save(&s, &d.join("back/l.xlsx"));
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "back",
            "--out",
            "res",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let rows = audit(&d.join("res/audit.csv"));
    let of = |r: usize| -> Vec<&BTreeMap<String, String>> {
        rows.iter()
            .filter(|x| x["workbook_row"] == (r + 1).to_string())
            .collect()
    };
    let a_rows = of(a);
    assert!(
        a_rows.iter().any(|x| x["status"] == "repaired"
            && x["reason_code"] == "CERTAIN_FIX"
            && x["new"] == a_fix),
        "{a_rows:?}"
    );
    assert!(
        a_rows.iter().all(|x| x["status"] != "rejected"),
        "{a_rows:?}"
    );
    let b_rows = of(b);
    assert!(!b_rows.is_empty());
    assert!(
        b_rows
            .iter()
            .all(|x| matches!(x["status"].as_str(), "applied" | "repaired")),
        "{b_rows:?}"
    );
    assert!(
        b_rows.iter().all(|x| b_values.contains(&x["new"])),
        "{b_rows:?} {b_values:?}"
    );
    assert!(
        b_rows.iter().any(|x| matches!(
            x["reason_code"].as_str(),
            "FROM_SUGGESTIONS" | "CERTAIN_FIX"
        )),
        "{b_rows:?}"
    );
    // The merged dump holds the certain fix of A.
    let (_, merged, _) = records(&d.join("res/merged/dump.csv"));
    let key = &a_rows[0]["record_key"];
    assert!(merged[key].contains(&a_fix), "{:?}", merged[key]);
}

/// A sheet of a workbook, cell by cell as text.
fn sheet_text(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn notes_rows_typed_in_and_records_still_wrong_reach_the_outputs() {
    use vaxclean::output::list_workbook::COL_NAME;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Three people of one commune without an ID number; the second also has an impossible birth date.
    let place = "Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ";
    std::fs::write(
        d.join("dump.csv"),
        format!(
            "Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Số điện thoại,Tỉnh/Thành phố,Quận/Huyện,Xã/Phường,Địa chỉ\n\
             R1,Lê Văn An,05/03/1985,Nam,,0912345678,{place},Thôn 1\n\
             R2,Trần Thị Bình,31/02/1990,Nữ,,0987654321,{place},Thôn 2\n\
             R3,Phạm Văn Cường,02/02/1992,Nam,,0911111111,{place},Thôn 3\n"
        ),
    )
    .unwrap();
    let out = run(
        d,
        &[
            "export-list",
            "dump.csv",
            "--out",
            "lists",
            "--as-of",
            "2026-11-20",
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let list = common::first_workbook(&d.join("lists"));
    let mut l = load(&list);
    let rows = data_rows(&l);
    assert_eq!(rows.len(), 3);
    let row_of = |l: &Sheets, k: &str| {
        *data_rows(l)
            .iter()
            .find(|&&r| str_at(l, r, 1).lines().any(|x| x == k))
            .unwrap()
    };
    let (r1, r2, r3) = (row_of(&l, "R1"), row_of(&l, "R2"), row_of(&l, "R3"));
    set(&mut l, r1, COL_ID_FIX, s("025431876"));
    set(&mut l, r1, COL_STATUS, s("Đã sửa"));
    set(&mut l, r1, COL_NOTE, s("=số trên thẻ"));
    set(&mut l, r2, COL_ID_FIX, s("025431877"));
    set(&mut l, r2, COL_STATUS, s("Đã sửa"));
    let note = "chuyển vào Đà Nẵng từ 3/2022";
    set(&mut l, r3, COL_STATUS, s("Đã chuyển đi"));
    set(&mut l, r3, COL_NOTE, s(note));
    // A person the team typed in under the list, with no record key.
    let typed = data_rows(&l).last().copied().unwrap() + 1;
    l.list.insert(typed, Vec::new());
    set(&mut l, typed, COL_NAME, s("Nguyễn Văn Mới"));
    set(&mut l, typed, COL_STATUS, s("Đã sửa"));
    set(&mut l, typed, COL_NOTE, s("người mới đến"));
    // The same list returned twice.
    save(&l, &d.join("back/l.xlsx"));
    save(&l, &d.join("back/l-copy.xlsx"));
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "back",
            "--out",
            "res",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));

    // audit.csv: the note last, on every row of the returned list; the row typed in is there.
    let raw = std::fs::read_to_string(d.join("res/audit.csv")).unwrap();
    let header = raw.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(header.ends_with(",reason_code,note"), "{header}");
    let rows = audit(&d.join("res/audit.csv"));
    let of = |key: &str| -> Vec<&BTreeMap<String, String>> {
        rows.iter().filter(|r| r["record_key"] == key).collect()
    };
    assert!(
        of("R3")
            .iter()
            .all(|r| r["note"] == note && r["reason_code"] == "MOVED_AWAY")
    );
    assert!(
        of("R1")
            .iter()
            .any(|r| r["status"] == "applied" && r["note"] == "'=số trên thẻ")
    );
    let added = of("");
    assert_eq!(added.len(), 2, "once per copy: {added:?}");
    assert!(added.iter().all(|r| r["status"] == "rejected"
        && r["reason_code"] == "ROW_ADDED"
        && r["note"] == "người mới đến"
        && r["field"].is_empty()));

    // verification.xlsx without --history: the commune of the list, each person once.
    let ver = d.join("res/verification.xlsx");
    let first = sheet_text(&ver, "Tổng hợp");
    assert!(first[2][0].contains("--history"), "{:?}", first[2]);
    let header = first.iter().position(|r| r[0] == "STT").unwrap();
    let line = &first[header + 1];
    assert_eq!(line[3], "Xã Tân Mỹ");
    assert_eq!(&line[4..6], ["20/11/2026", "26/11/2026"]);
    assert_eq!(
        line[7], "3",
        "three people, though the list came back twice"
    );
    assert_eq!(line[8], "2", "Đã sửa");
    assert_eq!(line[12], "1", "Đã chuyển đi");
    let detail = sheet_text(&ver, "Chi tiết");
    let col = |h: &str| detail[0].iter().position(|x| x == h).unwrap();
    let by_keys = |k: &str| detail.iter().find(|r| r[col("Mã bản ghi")] == k).unwrap();
    assert_eq!(
        by_keys("R1")[col("Số CMND/CCCD")],
        "025431876",
        "the new number"
    );
    assert_eq!(by_keys("R1")[col("Trường đã sửa")], "Số CMND/CCCD");
    assert_eq!(by_keys("R3")[col("Ghi chú")], note);
    // One row per person, and the row typed in (once per copy), counted nowhere.
    assert_eq!(detail.len() - 1, 3 + 2);

    // The import file: both new numbers, the record still wrong flagged with its error.
    let imp = sheet_text(&d.join("res/import/nhap-lai.xlsx"), "Nhập lại");
    let flag = imp[0]
        .iter()
        .position(|h| h == vaxclean::output::verification::IMPORT_FLAG_HEADER)
        .unwrap();
    assert_eq!(flag, 16);
    let by_id = |k: &str| imp.iter().find(|r| r[0] == k).unwrap();
    assert_eq!(by_id("R1")[4], "025431876");
    assert_eq!(by_id("R1").get(flag).map_or("", String::as_str), "");
    assert!(by_id("R2")[flag].contains("ngày sinh"), "{:?}", by_id("R2"));

    // Printed by LibreOffice (when installed): the summary on one page with its title, date,
    // totals, signatures and page number, then the detail.
    if let Some(pages) = printed(d, &ver) {
        assert_eq!(pages.len(), 2, "{pages:#?}");
        let first = &pages[0];
        for s in [
            "BẢNG TỔNG HỢP KẾT QUẢ XÁC MINH",
            "Tính đến ngày 26/11/2026",
            "Xã Tân Mỹ",
            "Tổng cộng",
            "NGƯỜI LẬP BIỂU",
            "THỦ TRƯỞNG ĐƠN VỊ",
            "Trang 1/2",
        ] {
            assert!(first.contains(s), "{s} on page 1: {first}");
        }
        assert!(pages[1].contains("chuyển vào Đà Nẵng"), "{}", pages[1]);
    }
}

/// The text of each page of `book` printed to PDF by LibreOffice; `None` (and a line on stderr)
/// when LibreOffice or pdftotext is not installed.
fn printed(d: &Path, book: &Path) -> Option<Vec<String>> {
    let works = |b: &str, arg: &str| {
        std::process::Command::new(b)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works("soffice", "--version") || !works("pdftotext", "-v") {
        eprintln!("skipped: LibreOffice (soffice) or pdftotext is not installed");
        return None;
    }
    let pdf_dir = d.join("pdf");
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", d.display());
    let out = std::process::Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&pdf_dir)
        .arg(book)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let pdf = pdf_dir.join(book.with_extension("pdf").file_name().unwrap());
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let all = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(
        all.split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .map(String::from)
            .collect(),
    )
}
