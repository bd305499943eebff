//! 2020 and 2025 administrative units: a 2020 dump listed by today's communes (`--units 2025`),
//! a dump written in 2025 units scanned and listed, split communes filed by address or set aside
//! with their candidates, and lists of 2025 communes applied back.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use calamine::Data;
use common::{AS_OF, run, text};
use vaxclean::normalize::places::Gazetteer;
use vaxclean::normalize::units2025::{Successor, Successors};
use vaxclean::output::list_workbook::{COL_ID_FIX, COL_STATUS};
use vaxclean::sample::fill::Sheets;

/// The hidden sheet's values of a list.
fn meta(s: &Sheets) -> BTreeMap<String, String> {
    s.meta
        .iter()
        .filter_map(|r| match (r.first(), r.get(1)) {
            (Some(Data::String(k)), Some(Data::String(v))) => Some((k.clone(), v.clone())),
            (Some(Data::String(k)), _) => Some((k.clone(), String::new())),
            _ => None,
        })
        .collect()
}

fn people_listed(dir: &Path) -> u64 {
    let index = common::findings(&dir.join("index.csv"));
    index
        .iter()
        .map(|r| r["people"].parse::<u64>().unwrap())
        .sum()
}

/// `export-list INPUT --out OUT --units UNITS --as-of … -q` with `extra` arguments; it must succeed
/// and say nothing on stderr (a page header too long for Excel used to be dropped with a warning of
/// the writer).
fn export(d: &Path, input: &str, out: &str, units: &str, extra: &[&str]) {
    let mut args = vec![
        "export-list",
        input,
        "--out",
        out,
        "--units",
        units,
        "--as-of",
        AS_OF,
        "-q",
    ];
    args.extend(extra);
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(text(&o).1, "", "{args:?}");
}

#[test]
fn a_2020_dump_listed_by_2025_communes_puts_everyone_where_their_commune_went() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "800",
            "--communes",
            "6",
            "--defect-rate",
            "0.5",
            "--seed",
            "12",
            "--out",
            "dump.csv",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    for (units, to) in [("2020", "l2020"), ("2025", "l2025")] {
        export(d, "dump.csv", to, units, &[]);
    }
    // Nobody dropped: the same people, cut another way.
    assert_eq!(
        people_listed(&d.join("l2020")),
        people_listed(&d.join("l2025"))
    );
    let g = Gazetteer::builtin();
    let successors = Successors::builtin();
    let mut checked = 0;
    for list in common::workbooks(&d.join("l2025")) {
        let s = Sheets::load(&list).unwrap();
        let m = meta(&s);
        assert_eq!(m["units"], "2025");
        assert_eq!(m["district"], "");
        let rel = list.strip_prefix(d.join("l2025")).unwrap();
        // <province 2025>/<commune 2025>.xlsx: two levels.
        assert_eq!(rel.components().count(), 2, "{rel:?}");
        for r in s.data_rows() {
            // The address as found ends with the 2020 commune, district and province.
            let address = s.text(r, 7);
            let parts: Vec<&str> = address.rsplitn(4, ", ").collect();
            let [province, district, commune, ..] = parts[..] else {
                continue;
            };
            let place = g.resolve(province, district, commune);
            match successors.of(&place) {
                Successor::One(u) => {
                    assert_eq!(m["commune"], u.commune, "{address}");
                    assert_eq!(m["province"], u.province, "{address}");
                    checked += 1;
                }
                Successor::Several { candidates, .. } => {
                    let names: Vec<&str> = candidates.iter().map(|c| c.commune.as_str()).collect();
                    if m["undetermined"] == "1" {
                        assert!(s.text(r, 9).contains(names[0]), "{:?}", s.text(r, 9));
                    } else {
                        assert!(names.contains(&m["commune"].as_str()), "{address}");
                    }
                    checked += 1;
                }
                other => assert!(m["commune"].is_empty(), "{address}: {other:?}"),
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

/// A dump written today: province and commune of 2025, no district column.
fn dump_2025(path: &Path, every: usize) -> usize {
    let mut rdr = csv::Reader::from_path(common::root().join("data/admin_units_2025.csv")).unwrap();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record([
        "Mã đối tượng",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CMND/CCCD",
        "Tỉnh/Thành phố",
        "Xã/Phường",
    ])
    .unwrap();
    let mut n = 0;
    for (i, r) in rdr.records().enumerate() {
        if i % every != 0 {
            continue;
        }
        let r = r.unwrap();
        n += 1;
        w.write_record([
            &format!("N{i}"),
            "Lê Văn Tám",
            "01/01/1990",
            "Nam",
            "",
            &r[1],
            &r[3],
        ])
        .unwrap();
    }
    w.flush().unwrap();
    n
}

#[test]
fn a_dump_written_in_2025_units_is_placed_and_listed_by_its_communes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = dump_2025(&d.join("today.csv"), 3);
    let out = run(
        d,
        &["scan", "today.csv", "--out", "scan", "--as-of", AS_OF, "-q"],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let unknown = common::findings(&d.join("scan/findings.csv"))
        .iter()
        .filter(|f| f["code"] == "ADDRESS_UNKNOWN")
        .count();
    assert!(unknown * 100 <= rows, "{unknown} of {rows}");
    export(d, "today.csv", "lists", "2025", &[]);
    let written = common::workbooks(&d.join("lists"));
    // One list per commune of the dump (everyone lacks an ID number), under its province.
    assert!(written.len() + unknown >= rows, "{} lists", written.len());
    assert!(
        written
            .iter()
            .any(|p| p.ends_with("Thành phố Hà Nội/Phường Ba Đình.xlsx"))
    );
}

#[test]
fn a_split_commune_goes_where_the_address_says_else_to_be_determined() {
    let g = Gazetteer::builtin();
    let successors = Successors::builtin();
    let mut rdr = csv::Reader::from_path(common::root().join("data/admin_units_2020.csv")).unwrap();
    let (row, candidates) = rdr
        .records()
        .map(Result::unwrap)
        .find_map(|r| {
            let place = g.resolve(&r[1], &r[3], &r[5]);
            match successors.of(&place) {
                Successor::Several { candidates, .. }
                    if candidates.iter().all(|c| c.commune != r[5]) =>
                {
                    Some((r, candidates))
                }
                _ => None,
            }
        })
        .unwrap();
    let bare = |name: &str| name.split_once(' ').map(|x| x.1.to_string()).unwrap();
    let target = &candidates[0];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut w = csv::Writer::from_path(d.join("dump.csv")).unwrap();
    w.write_record([
        "Mã đối tượng",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CMND/CCCD",
        "Địa chỉ",
        "Tỉnh/Thành phố",
        "Quận/Huyện",
        "Xã/Phường",
    ])
    .unwrap();
    let hamlet = format!("Thôn 1 {}", bare(&target.commune));
    for (key, name, address) in [
        ("S1", "Lê Văn Tám", hamlet.as_str()),
        ("S2", "Trần Văn Bảy", "Thôn 9"),
    ] {
        w.write_record([
            key,
            name,
            "01/01/1990",
            "Nam",
            "",
            address,
            &row[1],
            &row[3],
            &row[5],
        ])
        .unwrap();
    }
    w.flush().unwrap();
    export(d, "dump.csv", "lists", "2025", &[]);
    let written = common::workbooks(&d.join("lists"));
    assert_eq!(written.len(), 2, "{written:?}");
    let by_name = |end: &str| {
        written
            .iter()
            .find(|p| p.to_string_lossy().ends_with(end))
            .cloned()
    };
    let chosen = by_name(&format!("{}.xlsx", target.commune)).expect("the named commune's list");
    let s = Sheets::load(&chosen).unwrap();
    assert_eq!(s.text(s.data_rows()[0], 1), "S1");
    assert!(meta(&s)["former"].contains(&row[5]), "{:?}", meta(&s));
    let aside = by_name("_can-xac-dinh.xlsx").expect("the list to determine");
    assert!(aside.parent().unwrap().ends_with(&target.province));
    let s = Sheets::load(&aside).unwrap();
    let r = s.data_rows()[0];
    assert_eq!(s.text(r, 1), "S2");
    for c in &candidates {
        assert!(s.text(r, 9).contains(&c.commune), "{}", s.text(r, 9));
    }
}

#[test]
fn a_list_of_a_2025_commune_applies_back_to_its_people() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    dump_2025(&d.join("today.csv"), 400);
    export(d, "today.csv", "lists", "2025", &["--history", "h.sqlite"]);
    let list = common::workbooks(&d.join("lists"))
        .into_iter()
        .next()
        .unwrap();
    let mut s = Sheets::load(&list).unwrap();
    let r = s.data_rows()[0];
    let key = s.text(r, 1);
    s.set(r, COL_ID_FIX, Data::String("001090001234".into()));
    s.set(r, COL_STATUS, Data::String("Đã sửa".into()));
    s.save(&d.join("ret/l.xlsx")).unwrap();
    let out = run(
        d,
        &[
            "apply-corrections",
            "--source",
            "today.csv",
            "--corrections",
            "ret",
            "--out",
            "res",
            "--as-of",
            AS_OF,
            "--history",
            "h.sqlite",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let audit = common::findings(&d.join("res/audit.csv"));
    assert!(
        audit
            .iter()
            .any(|a| a["record_key"] == key && a["status"] == "applied"),
        "{audit:?}"
    );
}

#[test]
fn the_scan_summary_and_the_report_count_by_2025_communes_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "400",
            "--communes",
            "5",
            "--seed",
            "3",
            "--out",
            "dump.csv",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    for (units, to) in [("2020", "s2020"), ("2025", "s2025")] {
        let out = run(
            d,
            &[
                "scan", "dump.csv", "--out", to, "--units", units, "--as-of", AS_OF, "-q",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    }
    let old = common::summary(&d.join("s2020"));
    let new = common::summary(&d.join("s2025"));
    assert_eq!(old["units_division"], "2020");
    assert_eq!(new["units_division"], "2025");
    let units = |s: &serde_json::Value| s["units"].as_array().unwrap().clone();
    assert!(units(&new).iter().all(|u| u["district"] == ""));
    let sum = |s: &serde_json::Value, k: &str| -> u64 {
        units(s).iter().map(|u| u[k].as_u64().unwrap()).sum()
    };
    for k in ["rows", "people", "people_with_errors", "findings"] {
        assert_eq!(sum(&old, k), sum(&new, k), "{k}");
    }
    // The report rolls a 2020 scan up the same way.
    let out = run(
        d,
        &["report", "s2020", "--units", "2025", "--out", "rep", "-q"],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let html = std::fs::read_to_string(d.join("rep/report.html")).unwrap();
    for u in units(&new) {
        let commune = u["commune"].as_str().unwrap();
        let province = u["province"].as_str().unwrap();
        let known = commune.contains("(trước 2025")
            || vaxclean::normalize::places::Gazetteer::builtin_2025()
                .resolve(province, "", commune)
                .commune
                .is_some();
        if known {
            assert!(html.contains(commune), "{commune}");
        } else {
            // A commune no gazetteer knows counts in its province's group.
            assert!(html.contains("Xã chưa xác định ("), "{commune}");
        }
    }
    assert!(!html.contains("Huyện "), "no district in a 2025 report");
}
