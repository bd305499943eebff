//! Returned lists are trusted only as far as they deserve: played as an attacker holding a copy of
//! one list (or none), and as a team that slips, against `export-list` / `apply-corrections`, with
//! and without the export ledger (`--history`). Each test checks that nothing was applied where it
//! should not be (the merged dump still holds the old values) and that the row says why.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::Data;
use common::{AS_OF, run, text};
use vaxclean::output::list_workbook::{
    COL_BIRTH_FIX, COL_GENDER_FIX, COL_ID_FIX, COL_NAME_FIX, COL_NOTE, COL_PHONE_FIX, COL_STATUS,
};
use vaxclean::sample::fill::Sheets;

const HEADER: [&str; 9] = [
    "Mã đối tượng",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CMND/CCCD",
    "Số điện thoại",
    "Tỉnh/Thành phố",
    "Quận/Huyện",
    "Xã/Phường",
];
const BEN_TRE: [&str; 3] = ["Tỉnh Bến Tre", "Huyện Ba Tri", "Xã Tân Mỹ"];
const HA_NOI: [&str; 3] = ["Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá"];

/// Commune A (Bến Tre) lists A1-A4; commune B (Hà Nội) lists B2; B1 is clean and on no list.
fn people() -> Vec<[&'static str; 9]> {
    let at = |r: [&'static str; 6], p: [&'static str; 3]| {
        [r[0], r[1], r[2], r[3], r[4], r[5], p[0], p[1], p[2]]
    };
    vec![
        at(["A1", "Lê Văn Tám", "01/01/1990", "Nam", "", ""], BEN_TRE),
        at(
            ["A2", "Nguyễn Thị Hoa", "02/02/1985", "Nữ", "", ""],
            BEN_TRE,
        ),
        at(["A3", "Trần Văn Bảy", "03/03/1980", "Nam", "", ""], BEN_TRE),
        at(
            ["A4", "Võ Văn Chín", "06/06/1970", "Nam", "0790700", ""],
            BEN_TRE,
        ),
        at(
            [
                "B1",
                "Phạm Văn Cường",
                "04/04/1975",
                "Nam",
                "001075012345",
                "0912345678",
            ],
            HA_NOI,
        ),
        at(["B2", "Đỗ Văn Lâm", "05/05/1990", "Nam", "", ""], HA_NOI),
    ]
}

fn write_dump(d: &Path) {
    let mut w = csv::Writer::from_path(d.join("dump.csv")).unwrap();
    w.write_record(HEADER).unwrap();
    for p in people() {
        w.write_record(p).unwrap();
    }
    w.flush().unwrap();
}

/// Exports the lists (recorded in `h.sqlite` when `ledger`), returns (list of A, list of B).
fn export(d: &Path, ledger: bool) -> (PathBuf, PathBuf) {
    write_dump(d);
    let mut args = vec![
        "export-list",
        "dump.csv",
        "--out",
        "lists",
        "--as-of",
        AS_OF,
        "-q",
    ];
    if ledger {
        args.extend(["--history", "h.sqlite"]);
    }
    let out = run(d, &args);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let lists = common::walk(&d.join("lists"));
    let find = |commune: &str| {
        lists
            .iter()
            .find(|p| p.to_string_lossy().contains(commune))
            .cloned()
            .unwrap_or_else(|| panic!("no list of {commune} in {lists:?}"))
    };
    (find("Tân Mỹ"), find("Phúc Xá"))
}

fn apply(d: &Path, lists: &str, out: &str, ledger: bool) -> std::process::Output {
    let mut args = vec![
        "apply-corrections",
        "--source",
        "dump.csv",
        "--corrections",
        lists,
        "--out",
        out,
        "--as-of",
        AS_OF,
    ];
    if ledger {
        args.extend(["--history", "h.sqlite"]);
    }
    run(d, &args)
}

/// The sheet row (0-based) of the list row standing for `key`.
fn row_of(s: &Sheets, key: &str) -> usize {
    s.data_rows()
        .into_iter()
        .find(|&r| s.keys(r).iter().any(|k| k == key))
        .unwrap_or_else(|| panic!("{key} not listed"))
}

fn fix(s: &mut Sheets, row: usize, cells: &[(u16, &str)]) {
    for (c, v) in cells {
        s.set(row, *c, Data::String(v.to_string()));
    }
}

/// The merged dump's rows by record id.
fn merged(d: &Path, out: &str) -> BTreeMap<String, Vec<String>> {
    let mut r = csv::Reader::from_path(d.join(out).join("merged/dump.csv")).unwrap();
    r.records()
        .map(|x| {
            let x: Vec<String> = x.unwrap().iter().map(String::from).collect();
            (x[0].clone(), x)
        })
        .collect()
}

/// The audit's (status, reason_code) of the rows of a record.
fn audit_of(d: &Path, out: &str, key: &str) -> Vec<(String, String)> {
    common::findings(&d.join(out).join("audit.csv"))
        .into_iter()
        .filter(|a| a["record_key"] == key)
        .map(|a| (a["status"].clone(), a["reason_code"].clone()))
        .collect()
}

fn unchanged(d: &Path, out: &str, key: &str) {
    let original = people()
        .into_iter()
        .find(|p| p[0] == key)
        .unwrap()
        .map(String::from)
        .to_vec();
    assert_eq!(merged(d, out)[key], original, "{key} was changed");
}

/// The hidden sheet's value for `key`, set.
fn meta_set(s: &mut Sheets, key: &str, value: &str) {
    let row = s
        .meta
        .iter_mut()
        .find(|r| matches!(r.first(), Some(Data::String(k)) if k == key))
        .unwrap();
    row[1] = Data::String(value.into());
}

/// Overwrites list row `row` with the visible values of `who` (keys, name … phone).
fn overwrite(s: &mut Sheets, row: usize, keys: &str, who: [&str; 9]) {
    fix(
        s,
        row,
        &[
            (1, keys),
            (2, who[1]),
            (3, who[2]),
            (4, who[3]),
            (5, who[4]),
            (6, who[5]),
            (7, ""),
            (8, ""),
            (9, ""),
        ],
    );
}

fn b1() -> [&'static str; 9] {
    people().into_iter().find(|p| p[0] == "B1").unwrap()
}

#[test]
fn a_list_built_from_scratch_rewrites_nobody_and_is_not_ours_with_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, _) = export(d, true);
    // Built from a copy of another commune's list: one row, the clean person B1 of another
    // province who was never listed, a recomputed fingerprint, an export id of zeros, the hidden
    // sheet naming B1's unit.
    let mut s = Sheets::load(&a).unwrap();
    let first = s.data_rows()[0];
    s.list.truncate(first + 1);
    overwrite(&mut s, first, "B1", b1());
    fix(
        &mut s,
        first,
        &[
            (COL_NAME_FIX, "Hoàng Văn Mạnh"),
            (COL_ID_FIX, "001075099999"),
            (COL_PHONE_FIX, "0987654321"),
            (COL_STATUS, "Đã sửa"),
        ],
    );
    common::refingerprint(&mut s, first);
    let t = common::table_start(&s);
    s.meta.truncate(t + 2);
    meta_set(&mut s, "export_id", "0000000000000000");
    for (k, v) in ["province", "district", "commune"].iter().zip(HA_NOI) {
        meta_set(&mut s, k, v);
    }
    meta_set(&mut s, "list", "");
    s.save(&d.join("forged/l.xlsx")).unwrap();

    // Without the ledger the list cannot be told from a real one, but a name unlike the old one,
    // on a row with nothing wrong with the name, is sent back.
    let out = apply(d, "forged", "res", false);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).1.contains("--history"), "{:?}", text(&out));
    unchanged(d, "res", "B1");
    assert!(
        audit_of(d, "res", "B1")
            .iter()
            .any(|(st, code)| st == "rejected" && code == "SUSPECT_CHANGE"),
        "{:?}",
        audit_of(d, "res", "B1")
    );

    // With a note that "confirms" it, only the ledger stops it: not ours.
    fix(&mut s, first, &[(COL_NOTE, "đã xác minh")]);
    s.save(&d.join("forged/l.xlsx")).unwrap();
    let out = apply(d, "forged", "res2", true);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).1.contains("NOT_OURS") || text(&out).1.contains("--history"));
    unchanged(d, "res2", "B1");
    let summary = common::summary(&d.join("res2"));
    assert_eq!(summary["workbooks"]["refused"][0]["code"], "NOT_OURS");
    assert_eq!(summary["authenticated"], true);
}

#[test]
fn a_row_overwritten_with_another_communes_person_changes_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, _) = export(d, true);
    let mut s = Sheets::load(&a).unwrap();
    // Row of A1 overwritten with B1's keys and values, a mended-looking name, the hidden table
    // row recomputed; row of A2 overwritten with unknown keys and B1's values.
    let r1 = row_of(&s, "A1");
    overwrite(&mut s, r1, "B1", b1());
    fix(
        &mut s,
        r1,
        &[(COL_NAME_FIX, "Phạm Văn Cương"), (COL_STATUS, "Đã sửa")],
    );
    common::refingerprint(&mut s, r1);
    let r2 = row_of(&s, "A2");
    overwrite(&mut s, r2, "ZZ9", b1());
    fix(
        &mut s,
        r2,
        &[(COL_PHONE_FIX, "0987654321"), (COL_STATUS, "Đã sửa")],
    );
    common::refingerprint(&mut s, r2);
    // Row of A3 deleted with its hidden table row.
    let r3 = row_of(&s, "A3");
    s.list.remove(r3);
    s.meta.remove(common::table_row(&s, r3));
    s.save(&d.join("ret/l.xlsx")).unwrap();

    // Without the ledger: the unit stops both rows.
    let out = apply(d, "ret", "res", false);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    unchanged(d, "res", "B1");
    let b1_audit = audit_of(d, "res", "B1");
    assert!(
        b1_audit
            .iter()
            .all(|(st, code)| st == "rejected" && code == "OUTSIDE_UNIT"),
        "{b1_audit:?}"
    );
    assert!(!b1_audit.is_empty());

    // With the ledger: the rows are told against the record: A1 and A2 were edited, A3 deleted,
    // and B1 is never touched.
    let out = apply(d, "ret", "res2", true);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(
        text(&out)
            .1
            .contains("differs from the record made at export")
            || text(&out).1.contains("trang ẩn khác bản đã lưu"),
        "{:?}",
        text(&out)
    );
    unchanged(d, "res2", "B1");
    for (key, code) in [
        ("A1", "LOCKED_EDITED"),
        ("A2", "LOCKED_EDITED"),
        ("A3", "ROW_DELETED"),
    ] {
        let rows = audit_of(d, "res2", key);
        assert!(
            rows.iter().any(|(st, c)| st == "rejected" && c == code),
            "{key}: {rows:?}"
        );
    }
    let summary = common::summary(&d.join("res2"));
    assert_eq!(summary["ledger"]["lists_altered"], 1);
}

#[test]
fn names_past_any_name_and_another_persons_identity_are_sent_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, _) = export(d, false);
    let mut s = Sheets::load(&a).unwrap();
    // As long as a cell holds (32,767 characters).
    let long = "Nguyễn ".repeat(4_600);
    let words = "An ".repeat(9_000);
    let b = b1();
    let r = row_of(&s, "A1");
    fix(&mut s, r, &[(COL_NAME_FIX, &long), (COL_STATUS, "Đã sửa")]);
    let r = row_of(&s, "A2");
    fix(&mut s, r, &[(COL_NAME_FIX, &words), (COL_STATUS, "Đã sửa")]);
    // Every identity field of A4 replaced by B1's.
    let r = row_of(&s, "A4");
    fix(
        &mut s,
        r,
        &[
            (COL_NAME_FIX, b[1]),
            (COL_BIRTH_FIX, b[2]),
            (COL_GENDER_FIX, b[3]),
            (COL_ID_FIX, b[4]),
            (COL_PHONE_FIX, b[5]),
            (COL_STATUS, "Đã sửa"),
        ],
    );
    // A name written on the wrong row: A3's finding is about the ID.
    let r = row_of(&s, "A3");
    fix(
        &mut s,
        r,
        &[
            (COL_NAME_FIX, "Huỳnh Thị Mai Phương"),
            (COL_ID_FIX, "083080001234"),
            (COL_STATUS, "Đã sửa"),
        ],
    );
    s.save(&d.join("ret/l.xlsx")).unwrap();
    let out = apply(d, "ret", "res", false);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    for (key, code) in [
        ("A1", "NAME_TOO_LONG"),
        ("A2", "NAME_TOO_LONG"),
        ("A3", "SUSPECT_CHANGE"),
        ("A4", "SUSPECT_CHANGE"),
    ] {
        unchanged(d, "res", key);
        let rows = audit_of(d, "res", key);
        assert!(
            rows.iter().any(|(st, c)| st == "rejected" && c == code),
            "{key}: {rows:?}"
        );
    }
    // Nothing of the 40,000 characters lands anywhere but the audit and the list sent back.
    let sent_back = common::walk(&d.join("res/rejected"));
    assert_eq!(sent_back.len(), 1);
    let back = Sheets::load(&sent_back[0]).unwrap();
    let reasons: Vec<String> = back
        .data_rows()
        .into_iter()
        .map(|r| back.text(r, 17))
        .collect();
    assert!(reasons.iter().any(|r| r.contains("10")), "{reasons:?}");
}

#[test]
fn a_number_given_to_two_people_stays_disputed_when_one_list_is_resent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, b) = export(d, true);
    // A1 (Lê Văn Tám, 1990, male) in commune A and B2 (Đỗ Văn Lâm, 1990, male) in commune B are
    // both given 083090001234, which fits either.
    let number = "083090001234";
    let give = |list: &Path, key: &str, to: &str| {
        let mut s = Sheets::load(list).unwrap();
        let r = row_of(&s, key);
        fix(&mut s, r, &[(COL_ID_FIX, number), (COL_STATUS, "Đã sửa")]);
        s.save(&d.join(to).join("l.xlsx")).unwrap();
    };
    give(&a, "A1", "both");
    give(&b, "B2", "both/b");
    give(&a, "A1", "only-a");

    let out = apply(d, "both", "r1", true);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    for key in ["A1", "B2"] {
        unchanged(d, "r1", key);
        assert!(audit_of(d, "r1", key).iter().any(|(_, c)| c == "ID_TAKEN"));
    }
    // A's list resent alone: without the ledger whoever resends first would win; with it the
    // conflict is still open.
    let out = apply(d, "only-a", "r2", true);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    unchanged(d, "r2", "A1");
    assert!(
        audit_of(d, "r2", "A1")
            .iter()
            .any(|(st, c)| st == "rejected" && c == "ID_TAKEN"),
        "{:?}",
        audit_of(d, "r2", "A1")
    );
    let summary = common::summary(&d.join("r2"));
    assert_eq!(summary["ledger"]["conflicts_open"], 2);
    // B's team finds B2 has another number: B's side settles, and A's list then applies.
    let mut s = Sheets::load(&b).unwrap();
    let r = row_of(&s, "B2");
    fix(
        &mut s,
        r,
        &[(COL_ID_FIX, "001090004321"), (COL_STATUS, "Đã sửa")],
    );
    s.save(&d.join("only-b/l.xlsx")).unwrap();
    let out = apply(d, "only-b", "r3", true);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(merged(d, "r3")["B2"][4], "001090004321");
    let out = apply(d, "only-a", "r4", true);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(merged(d, "r4")["A1"][4], number);
    let summary = common::summary(&d.join("r4"));
    assert_eq!(summary["ledger"]["conflicts_open"], 0);
}

#[test]
fn a_list_sent_back_is_ours_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, _) = export(d, true);
    let mut s = Sheets::load(&a).unwrap();
    let r = row_of(&s, "A1");
    fix(&mut s, r, &[(COL_ID_FIX, "12345"), (COL_STATUS, "Đã sửa")]);
    s.save(&d.join("ret/l.xlsx")).unwrap();
    let out = apply(d, "ret", "r1", true);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let back = common::walk(&d.join("r1/rejected"));
    assert_eq!(back.len(), 1);
    // The team mends the row sent back and returns it: the ledger knows the new list.
    let mut s = Sheets::load(&back[0]).unwrap();
    let r = row_of(&s, "A1");
    fix(&mut s, r, &[(COL_ID_FIX, "083090001234")]);
    s.save(&d.join("ret2/l.xlsx")).unwrap();
    let out = apply(d, "ret2", "r2", true);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(merged(d, "r2")["A1"][4], "083090001234");
}
