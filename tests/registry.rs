//! The police step with a population registry (`--registry`), end to end: scan proposes the
//! registry's values, export-list shows them marked as the registry's, apply-corrections accepts
//! `Đã sửa` beside them and sends back a number that is someone else's; residents who are not in
//! the dumps appear nowhere; an extract without the needed columns is refused in one line.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use calamine::Data;
use common::{AS_OF, run, text};
use vaxclean::output::list_workbook::{COL_ID_FIX, COL_STATUS, COL_SUGGESTIONS};
use vaxclean::sample::fill::Sheets;

const PLACE: [&str; 3] = ["Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá"];

/// The dump, in 2020 units: (record id, name, birth date, sex, number).
const DUMP: [[&str; 5]; 6] = [
    // No number: the registry has it.
    ["R1", "Nguyễn Văn An", "01/02/1990", "Nam", ""],
    // Typed without accents.
    ["R2", "Tran Thi Binh", "05/06/1985", "Nữ", "001185002222"],
    // Right in every field.
    ["R3", "Lê Văn Cường", "03/03/1980", "Nam", "001080003333"],
    // Cường's number on another person.
    ["R4", "Hoàng Văn Dũng", "05/03/1980", "Nam", "001080003333"],
    // Not a resident.
    ["R5", "Phạm Thị Én", "09/09/1999", "Nữ", ""],
    // A second dose of An, under his CCCD: the first is a split identity.
    ["R6", "Nguyễn Văn An", "01/02/1990", "Nam", "001090001234"],
];

/// The extract, in 2025 units (Phúc Xá became part of Phường Hồng Hà), under title lines: the
/// dump's residents, and one who was never vaccinated.
const EXTRACT: &str = "CÔNG AN PHƯỜNG HỒNG HÀ\nDANH SÁCH CÔNG DÂN THƯỜNG TRÚ\n\n\
STT,Số định danh cá nhân,Số CMND cũ,\"Họ, chữ đệm và tên\",\"Ngày, tháng, năm sinh\",Giới tính,Nơi thường trú,Xã/Phường,Tỉnh/Thành phố\n\
1,001090001234,,Nguyễn Văn An,01/02/1990,Nam,Số 1 Hồng Hà,Phường Hồng Hà,Thành phố Hà Nội\n\
2,001185002222,,Trần Thị Bình,05/06/1985,Nữ,Số 2 Hồng Hà,Phường Hồng Hà,Thành phố Hà Nội\n\
3,001080003333,,Lê Văn Cường,03/03/1980,Nam,Số 3 Hồng Hà,Phường Hồng Hà,Thành phố Hà Nội\n\
4,001080004444,,Hoàng Văn Dũng,05/03/1980,Nam,Số 4 Hồng Hà,Phường Hồng Hà,Thành phố Hà Nội\n\
5,001199005555,,Vũ Thị Giang Hương,11/11/1999,Nữ,Số 5 Hồng Hà,Phường Hồng Hà,Thành phố Hà Nội\n";

/// The never-vaccinated resident: must appear in no output.
const STRANGER: [&str; 2] = ["001199005555", "Giang Hương"];

fn setup(d: &Path) {
    let mut w = csv::Writer::from_path(d.join("dump.csv")).unwrap();
    w.write_record([
        "Mã đối tượng",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CMND/CCCD",
        "Tỉnh/Thành phố",
        "Quận/Huyện",
        "Xã/Phường",
    ])
    .unwrap();
    for r in DUMP {
        w.write_record(r.iter().chain(PLACE.iter())).unwrap();
    }
    w.flush().unwrap();
    std::fs::write(d.join("dan-cu.csv"), EXTRACT).unwrap();
}

/// Runs vaxclean in `d`; the run must succeed (exit 0, or 1 for findings).
fn ran(d: &Path, args: &[&str]) -> std::process::Output {
    let out = run(d, args);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{:?}",
        text(&out)
    );
    out
}

/// (record id, code, suggestion) of every finding.
fn codes(d: &Path, out: &str) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = common::findings(&d.join(out).join("findings.csv"))
        .into_iter()
        .map(|f| {
            (
                f["record_id"].clone(),
                f["code"].clone(),
                f["suggestion"].clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn has(found: &[(String, String, String)], id: &str, code: &str, suggestion: &str) -> bool {
    found
        .iter()
        .any(|(i, c, s)| i == id && c == code && s == suggestion)
}

/// Every byte of every file under `dir`, xlsx parts inflated, as text.
fn everything_written(dir: &Path) -> String {
    let mut all = String::new();
    for p in common::walk(dir) {
        let bytes = std::fs::read(&p).unwrap();
        if p.extension().is_some_and(|e| e == "xlsx") {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..zip.len() {
                let mut part = zip.by_index(i).unwrap();
                let mut s = String::new();
                let _ = std::io::Read::read_to_string(&mut part, &mut s);
                all.push_str(&s);
            }
        } else {
            all.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    all
}

#[test]
fn scan_proposes_the_registrys_values_and_nothing_for_the_right_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    ran(
        d,
        &[
            "scan",
            "dump.csv",
            "--registry",
            "dan-cu.csv",
            "--out",
            "o",
            "--as-of",
            AS_OF,
            "-q",
        ],
    );
    let found = codes(d, "o");
    assert!(
        has(&found, "R1", "REG_ID_PROPOSED", "001090001234"),
        "{found:?}"
    );
    assert!(
        has(&found, "R2", "REG_NAME_MISMATCH", "Trần Thị Bình"),
        "{found:?}"
    );
    assert!(
        has(&found, "R4", "REG_ID_OTHER_PERSON", "001080004444"),
        "{found:?}"
    );
    assert!(has(&found, "R5", "REG_NOT_FOUND", ""), "{found:?}");
    assert!(
        has(&found, "R1", "PERSON_SPLIT", "001090001234"),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(i, c, _)| i == "R3" && c.starts_with("REG_")),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(i, c, _)| i == "R6" && c.starts_with("REG_")),
        "{found:?}"
    );
    let all = everything_written(&d.join("o"));
    for s in STRANGER {
        assert!(
            !all.contains(s),
            "a resident not in the dump was written: {s}"
        );
    }
    // The summary counts matches, and says nothing of the residents.
    let summary = common::summary(&d.join("o"));
    assert_eq!(summary["registry"]["rows_covered"], 6, "{summary}");
    assert_eq!(summary["registry"]["rows_matched"], 5, "{summary}");
    assert_eq!(summary["registry"]["files"][0], "dan-cu.csv");
    // The terminal says the same counts, and nothing of anyone.
    let out = run(
        d,
        &[
            "scan",
            "dump.csv",
            "--registry",
            "dan-cu.csv",
            "--out",
            "o2",
            "--as-of",
            AS_OF,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.contains(
            "Đối chiếu dữ liệu dân cư (dan-cu.csv): 6 dòng thuộc địa bàn có dữ liệu, 5 dòng khớp"
        ),
        "{stdout}"
    );
    for s in STRANGER
        .iter()
        .chain(["Trần Thị Bình", "001090001234"].iter())
    {
        assert!(!stdout.contains(s) && !stderr.contains(s), "{s} printed");
    }
    // Without a registry there is no such block.
    let out = run(
        d,
        &["scan", "dump.csv", "--out", "p", "--as-of", AS_OF, "-q"],
    );
    assert!(out.status.code().is_some_and(|c| c <= 1));
    assert!(common::summary(&d.join("p")).get("registry").is_none());
}

#[test]
fn the_police_confirm_the_registrys_values_on_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let reg = ["--registry", "dan-cu.csv"];
    let mut args = vec![
        "export-list",
        "dump.csv",
        "--out",
        "lists",
        "--as-of",
        AS_OF,
        "-q",
    ];
    args.extend(reg);
    let out = run(d, &args);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let lists = common::walk(&d.join("lists"));
    let list = lists
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .unwrap();
    let mut s = Sheets::load(list).unwrap();
    let row_of = |s: &Sheets, key: &str| {
        s.data_rows()
            .into_iter()
            .find(|&r| s.keys(r).iter().any(|k| k == key))
            .unwrap()
    };
    let an = row_of(&s, "R1");
    assert!(
        s.text(an, 9)
            .contains("Số CMND/CCCD: 001090001234 (theo dữ liệu dân cư)"),
        "{}",
        s.text(an, 9)
    );
    assert_eq!(
        s.suggestion(an, "Số CMND/CCCD").as_deref(),
        Some("001090001234")
    );
    // The police tick "Đã sửa" beside the registry's values, retyping nothing.
    s.set(an, COL_STATUS, Data::String("Đã sửa".into()));
    // And a team types Cường's number (someone else's) for Dũng.
    let dung = row_of(&s, "R4");
    s.set(dung, COL_ID_FIX, Data::String("001080003333".into()));
    s.set(dung, COL_STATUS, Data::String("Đã sửa".into()));
    s.save(list).unwrap();
    for s in STRANGER {
        assert!(!everything_written(&d.join("lists")).contains(s));
    }

    let apply = |out: &str, with_registry: bool| {
        let mut args = vec![
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "lists",
            "--out",
            out,
            "--as-of",
            AS_OF,
            "-q",
        ];
        if with_registry {
            args.extend(reg);
        }
        run(d, &args)
    };
    let out = apply("k", true);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{:?}",
        text(&out)
    );
    let audit = common::findings(&d.join("k").join("audit.csv"));
    let of = |key: &str| {
        audit
            .iter()
            .filter(|a| a["record_key"].contains(key))
            .map(|a| {
                (
                    a["status"].clone(),
                    a["reason_code"].clone(),
                    a["new"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(
        of("R1").iter().any(|(st, code, new)| st == "applied"
            && code == "FROM_REGISTRY"
            && new == "001090001234"),
        "{audit:?}"
    );
    assert!(
        of("R4")
            .iter()
            .any(|(st, code, _)| st == "rejected" && code == "REG_ID_OTHER_PERSON"),
        "{audit:?}"
    );
    // Without the registry, "Đã sửa" with nothing typed is still sent back.
    let out = apply("k2", false);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{:?}",
        text(&out)
    );
    let audit = common::findings(&d.join("k2").join("audit.csv"));
    assert!(
        audit
            .iter()
            .any(|a| a["record_key"].contains("R1") && a["reason_code"] == "NOTHING_TO_APPLY"),
        "{audit:?}"
    );
    for s in STRANGER {
        assert!(!everything_written(&d.join("k")).contains(s));
    }
}

#[test]
fn an_extract_without_numbers_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(
        d.join("x.csv"),
        "Họ và tên,Ngày sinh\nNguyễn Văn An,01/02/1990\n",
    )
    .unwrap();
    let out = run(
        d,
        &[
            "scan",
            "dump.csv",
            "--registry",
            "x.csv",
            "--out",
            "o",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (_, err) = text(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("x.csv") && err.contains("số định danh"),
        "{err}"
    );
    assert!(!d.join("o").join("findings.csv").exists());
}

/// The rows of a CSV file (with or without a BOM) as maps from column name to value.
fn table(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The answer key of a generated sample: record id → its line.
fn key(
    path: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
    table(path)
        .into_iter()
        .map(|r| (r["record_id"].clone(), r))
        .collect()
}

/// Per field: (fixes needed, needed and proposed, proposals right, proposals wrong).
type Scores = std::collections::BTreeMap<&'static str, [u64; 4]>;

/// Scores the findings of a scan against the key, field by field, taking for each record and
/// field the suggestion a list shows (the registry's first). Records whose id the dump reuses
/// for another person are left out (the key cannot tell which is meant).
fn score(dump: &Path, key_path: &Path, findings: &Path) -> (Scores, u64, u64) {
    let key = key(key_path);
    let found = common::findings(findings);
    let reused: std::collections::BTreeSet<String> = found
        .iter()
        .filter(|f| f["code"] == "RECORD_ID_DUPLICATE")
        .map(|f| f["record_id"].clone())
        .collect();
    let mut shown: std::collections::BTreeMap<(String, String), String> = Default::default();
    for registry_first in [true, false] {
        for f in &found {
            let from_registry = f["code"].starts_with("REG_");
            if f["suggestion"].is_empty() || from_registry != registry_first {
                continue;
            }
            shown
                .entry((f["record_id"].clone(), f["field"].clone()))
                .or_insert_with(|| f["suggestion"].clone());
        }
    }
    let dump_rows: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> =
        table(dump)
            .into_iter()
            .map(|r| (r["Mã đối tượng"].clone(), r))
            .collect();
    let fields = [
        ("id_number", "Số CMND/CCCD", "resident_id"),
        ("full_name", "Họ và tên", "resident_name"),
        ("birth_date", "Ngày sinh", "resident_birth_date"),
        ("gender", "Giới tính", "resident_sex"),
    ];
    let mut scores = Scores::new();
    let mut wrong_numbers = 0;
    for (rid, k) in &key {
        let Some(row) = dump_rows.get(rid) else {
            continue;
        };
        if reused.contains(rid) {
            continue;
        }
        for (field, column, truth_column) in fields {
            let s = scores.entry(field).or_default();
            let proposal = shown.get(&(rid.clone(), field.to_string()));
            if k["in_registry"] != "1" {
                // Nothing is the registry's to propose for a stranger.
                let by_registry = found.iter().any(|f| {
                    &f["record_id"] == rid
                        && f["field"] == field
                        && f["code"].starts_with("REG_")
                        && !f["suggestion"].is_empty()
                });
                if by_registry {
                    s[3] += 1;
                    wrong_numbers += u64::from(field == "id_number");
                }
                continue;
            }
            let truth = &k[truth_column];
            let have = row[column].trim();
            let differs = if field == "id_number" {
                have.chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    != *truth
            } else {
                have != truth
            };
            if differs {
                s[0] += 1;
                s[1] += u64::from(proposal.is_some());
            }
            if let Some(p) = proposal {
                if p == truth {
                    s[2] += 1;
                } else {
                    s[3] += 1;
                    wrong_numbers += u64::from(field == "id_number");
                }
            }
        }
    }
    (scores, wrong_numbers, key.len() as u64)
}

/// Generates a sample with a registry extract, scans it with and without the extract, and
/// checks the quality the police step needs.
fn generated(registry: &str, units: &str, seed: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        d,
        &[
            "sample",
            "--people",
            "3000",
            "--seed",
            seed,
            "--out",
            "dump.csv",
            "--registry",
            registry,
            "--registry-units",
            units,
            "--registry-key",
            "key.csv",
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let scan = |out: &str, with: bool| {
        let mut args = vec!["scan", "dump.csv", "--out", out, "--as-of", AS_OF, "-q"];
        if with {
            args.extend(["--registry", registry]);
        }
        let o = run(d, &args);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{:?}", text(&o));
    };
    scan("with", true);
    scan("without", false);
    let (scores, wrong_numbers, rows) = score(
        &d.join("dump.csv"),
        &d.join("key.csv"),
        &d.join("with/findings.csv"),
    );
    for (field, [need, proposed, right, wrong]) in &scores {
        let needed = if *field == "id_number" { 0.99 } else { 0.98 };
        assert!(
            *proposed as f64 >= needed * *need as f64,
            "{registry}: {field}: {proposed} of {need} needed fixes proposed"
        );
        assert!(
            *wrong * 1000 <= right + wrong,
            "{registry}: {field}: {wrong} wrong of {} proposals",
            right + wrong
        );
        assert!(
            *need > 50,
            "{registry}: {field}: too few damaged records ({need}) to judge"
        );
    }
    assert!(
        wrong_numbers * 2000 < rows,
        "{wrong_numbers} wrong numbers in {rows} rows"
    );
    // Split people, without the registry.
    let key = key(&d.join("key.csv"));
    let splits: Vec<&String> = key
        .iter()
        .filter(|(_, k)| k["split"] == "1")
        .map(|(r, _)| r)
        .collect();
    let found: std::collections::BTreeMap<String, String> =
        common::findings(&d.join("without/findings.csv"))
            .into_iter()
            .filter(|f| f["code"] == "PERSON_SPLIT")
            .map(|f| (f["record_id"].clone(), f["suggestion"].clone()))
            .collect();
    let hit = splits.iter().filter(|r| found.contains_key(**r)).count();
    assert!(
        splits.len() > 20 && hit * 10 >= splits.len() * 9,
        "{hit} of {} splits",
        splits.len()
    );
    for (rid, keep) in &found {
        let k = &key[rid];
        assert!(
            k["in_registry"] != "1" || &k["resident_id"] == keep,
            "{rid} joined to another person's number {keep}"
        );
    }
}

#[test]
fn a_generated_2025_workbook_extract_gives_the_right_proposals() {
    generated("dan-cu.xlsx", "2025", "11");
}

#[test]
fn a_generated_2020_csv_extract_gives_the_right_proposals() {
    generated("dan-cu.csv", "2020", "12");
}

#[test]
fn a_forged_registry_suggestion_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
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
            "--registry",
            "dan-cu.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let list = common::first_workbook(&d.join("lists"));
    let mut s = Sheets::load(&list).unwrap();
    let an = s
        .data_rows()
        .into_iter()
        .find(|&r| s.keys(r).iter().any(|k| k == "R1"))
        .unwrap();
    // Another (well-formed) number written in as the registry's, the fingerprint redone.
    let forged = s
        .text(an, usize::from(COL_SUGGESTIONS))
        .replace("001090001234", "001090001299");
    s.set(an, COL_SUGGESTIONS, Data::String(forged));
    common::refingerprint(&mut s, an);
    s.set(an, COL_STATUS, Data::String("Đã sửa".into()));
    s.save(&list).unwrap();
    ran(
        d,
        &[
            "apply-corrections",
            "--source",
            "dump.csv",
            "--corrections",
            "lists",
            "--out",
            "k",
            "--as-of",
            AS_OF,
            "-q",
            "--registry",
            "dan-cu.csv",
        ],
    );
    let audit = common::findings(&d.join("k").join("audit.csv"));
    let r1: Vec<_> = audit.iter().filter(|a| a["record_key"] == "R1").collect();
    assert!(!r1.is_empty(), "{audit:?}");
    assert!(
        r1.iter()
            .all(|a| a["status"] == "rejected" && a["reason_code"] == "REGISTRY_UNCONFIRMED"),
        "{r1:?}"
    );
    assert!(
        !std::fs::read_to_string(d.join("k/merged/dump.csv"))
            .unwrap()
            .contains("001090001299")
    );
}

#[test]
fn extracts_as_offices_keep_them_are_read_numbers_as_numbers_and_windows_1258() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    // The extract as Excel keeps a typed number: a number cell, its leading zeros gone.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let lines: Vec<&str> = EXTRACT.lines().collect();
    let mut r = 0u32;
    for line in &lines {
        let mut cells = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let Some(Ok(rec)) = cells.records().next() else {
            r += 1;
            continue;
        };
        for (c, v) in rec.iter().enumerate() {
            let numeric = c == 1 && v.chars().all(|ch| ch.is_ascii_digit()) && !v.is_empty();
            if numeric {
                sheet
                    .write_number(r, c as u16, v.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r, c as u16, v).unwrap();
            }
        }
        r += 1;
    }
    book.save(d.join("dan-cu.xlsx")).unwrap();
    // And as a Windows-1258 CSV.
    let bytes = vaxclean::input::encoding::encode_windows_1258(EXTRACT);
    std::fs::write(d.join("dan-cu-1258.csv"), &bytes).unwrap();
    for (extract, out_dir) in [("dan-cu.xlsx", "ox"), ("dan-cu-1258.csv", "ow")] {
        ran(
            d,
            &[
                "scan",
                "dump.csv",
                "--registry",
                extract,
                "--out",
                out_dir,
                "--as-of",
                AS_OF,
                "-q",
            ],
        );
        let found = codes(d, out_dir);
        assert!(
            has(&found, "R1", "REG_ID_PROPOSED", "001090001234"),
            "{extract}: {found:?}"
        );
        assert!(
            has(&found, "R2", "REG_NAME_MISMATCH", "Trần Thị Bình"),
            "{extract}: {found:?}"
        );
        assert!(
            !found
                .iter()
                .any(|(i, c, _)| i == "R3" && c.starts_with("REG_")),
            "{extract}: {found:?}"
        );
    }
}
