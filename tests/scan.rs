//! Integration tests of `vaxclean scan` on committed fixtures and on dumps the generator writes.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;

fn scan(dir: &Path, inputs: &[&str], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["scan"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--out", "out", "--as-of", AS_OF]);
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn sample(dir: &Path, out: &str, extra: &[&str]) {
    let mut args = vec!["sample", "-q", "--out", out, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    let o = run(dir, &args);
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn committed_fixtures_give_exactly_the_planted_findings() {
    let dir = tempfile::tempdir().unwrap();
    for (file, truth) in [
        ("sample.csv", "sample.truth.csv"),
        ("sample.xlsx", "sample-xlsx.truth.csv"),
        ("sample.xls", "sample-xlsx.truth.csv"),
        ("sample.ods", "sample-xlsx.truth.csv"),
    ] {
        let path = fixture(file);
        let o = scan(dir.path(), &[path.to_str().unwrap()], &["-q"]);
        assert_eq!(o.status.code(), Some(0), "{file}: {:?}", text(&o));
        let found = finding_keys(&dir.path().join("out/findings.csv"));
        assert!(!found.is_empty(), "{file}");
        assert_same(&found, &truth_keys(&fixture(truth)));
        // Row numbers are the ones the user sees: record VX…n is data row n, below a header on
        // line 1 (CSV) or on row 4 under two title lines and a blank one (workbooks).
        let offset = if file.ends_with(".csv") { 1 } else { 4 };
        for r in findings(&dir.path().join("out/findings.csv")) {
            let n: u32 = r["record_id"].trim_start_matches("VX").parse().unwrap();
            assert_eq!(
                r["row"],
                (n + offset).to_string(),
                "{file} {}",
                r["record_id"]
            );
        }
    }
}

#[test]
fn every_code_shows_up_in_the_committed_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["sample.csv", "sample.xlsx"] {
        let path = fixture(file);
        let o = scan(dir.path(), &[path.to_str().unwrap()], &["-q"]);
        assert!(o.status.success());
        let s = summary(&dir.path().join("out"));
        let by_code = s["totals"]["by_code"].as_object().unwrap();
        for code in DATA_CODES {
            if code == "RECORD_ID_DUPLICATE" {
                continue;
            }
            assert!(
                by_code.get(code).is_some_and(|n| n.as_u64() > Some(0)),
                "{file}: no {code}"
            );
        }
    }
    // The two fixtures were both numbered from VX000000001 (before each seed had its own block):
    // scanned together, their shared record keys are reported.
    let (csv, xlsx) = (fixture("sample.csv"), fixture("sample.xlsx"));
    let o = scan(
        dir.path(),
        &[csv.to_str().unwrap(), xlsx.to_str().unwrap()],
        &["-q"],
    );
    assert!(o.status.success());
    let s = summary(&dir.path().join("out"));
    assert!(
        s["totals"]["by_code"]["RECORD_ID_DUPLICATE"].as_u64() > Some(0),
        "{}",
        s["totals"]
    );
}

#[test]
fn another_gazetteer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("g2025.csv"),
        "province_code,province,district_code,district,commune_code,commune\n\
         01,Thành phố Hà Nội,,,00004,Phường Ba Đình\n\
         79,Thành phố Hồ Chí Minh,,,26734,Phường Sài Gòn\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.csv"),
        "Mã,Họ và tên,Số CCCD,Tỉnh,Xã\nR1,Nguyễn Văn An,079090001234,TP HCM,Phường Sài Gòn\n",
    )
    .unwrap();
    // Phường Sài Gòn is a ward of the 2025 division only: the built-in 2025 division places it
    // (the sheet has no district column); a ward neither division knows is unknown.
    let o = scan(dir.path(), &["d.csv"], &["-q"]);
    assert!(o.status.success());
    assert!(findings(&dir.path().join("out/findings.csv")).is_empty());
    std::fs::write(
        dir.path().join("typo.csv"),
        "Mã,Họ và tên,Số CCCD,Tỉnh,Xã\nR1,Nguyễn Văn An,079090001234,TP HCM,Phường Sài Gòn Mới\n",
    )
    .unwrap();
    let o = scan(dir.path(), &["typo.csv"], &["-q"]);
    assert!(o.status.success());
    let rows = findings(&dir.path().join("out/findings.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["code"], "ADDRESS_UNKNOWN");
    let o = scan(dir.path(), &["d.csv"], &["-q", "--gazetteer", "g2025.csv"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(findings(&dir.path().join("out/findings.csv")).is_empty());
    let s = summary(&dir.path().join("out"));
    assert_eq!(s["units"][0]["province"], "Thành phố Hồ Chí Minh");
    assert_eq!(s["units"][0]["commune"], "Phường Sài Gòn");
    // A gazetteer that cannot be read is a usage error naming it.
    let o = scan(dir.path(), &["d.csv"], &["-q", "--gazetteer", "none.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("none.csv"));
}

#[test]
fn places_are_written_with_canonical_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.csv"),
        "Mã,Họ và tên,Số CCCD,Tỉnh,Huyện,Xã\n\
         R1,Nguyễn Văn An,,tp hcm,q3,P.1\n\
         R2,Lê Thị Bình,,Tỉnh Phú Yên,Huyện Phú Hòa,xa hoa an\n",
    )
    .unwrap();
    let o = scan(dir.path(), &["p.csv"], &["-q"]);
    assert!(o.status.success());
    let rows = findings(&dir.path().join("out/findings.csv"));
    let places: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["province"].as_str(),
                r["district"].as_str(),
                r["commune"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("Thành phố Hồ Chí Minh", "Quận 3", "Phường 01"),
            ("Tỉnh Phú Yên", "Huyện Phú Hoà", "Xã Hòa An"),
        ]
    );
}

#[test]
fn xlsx_title_lines_and_numeric_ids() {
    let dir = tempfile::tempdir().unwrap();
    let o = scan(
        dir.path(),
        &[fixture("sample.xlsx").to_str().unwrap()],
        &["-q"],
    );
    assert!(o.status.success());
    let s = summary(&dir.path().join("out"));
    let sheet = &s["inputs"][0]["sheets"][0];
    // Two title lines and a blank line above the header.
    assert_eq!(sheet["header_row"], 4);
    assert_eq!(sheet["name"], "Danh sach");
    let rows = findings(&dir.path().join("out/findings.csv"));
    // Every CCCD stored as a number lost its leading zero, and the suggestion restores it.
    let lost: Vec<_> = rows
        .iter()
        .filter(|r| r["code"] == "ID_LEADING_ZERO_LOST")
        .collect();
    assert!(lost.len() > 100);
    for r in lost {
        assert!([9, 12].contains(&r["suggestion"].len()));
        assert!(r["suggestion"].starts_with('0'));
        assert!(r["suggestion"].ends_with(&r["value"]));
        assert_eq!(r["sheet"], "Danh sach");
        assert_eq!(r["severity"], "error");
    }
}

#[test]
fn csv_encodings_and_delimiters() {
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("bom.csv", vec!["--encoding", "utf8-bom"]),
        ("semicolon.csv", vec!["--delimiter", ";"]),
        (
            "ansi.csv",
            vec!["--encoding", "windows-1258", "--delimiter", ";"],
        ),
        (
            "utf16.csv",
            vec!["--encoding", "utf16", "--delimiter", "tab"],
        ),
        ("plain.tsv", vec!["--encoding", "utf8"]),
        ("titles.csv", vec!["--title-lines", "--delimiter", "|"]),
    ] {
        let truth = format!("{name}.truth");
        let mut args = vec!["--people", "300", "--defect-rate", "0.4", "--truth", &truth];
        args.extend(extra);
        sample(dir.path(), name, &args);
        let o = scan(dir.path(), &[name], &["-q"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {:?}", text(&o));
        assert_same(
            &finding_keys(&dir.path().join("out/findings.csv")),
            &truth_keys(&dir.path().join(&truth)),
        );
        // The reader hashes the file as it reads it (one read): the summary's SHA-256 is the file's.
        let s = summary(&dir.path().join("out"));
        assert_eq!(
            s["inputs"][0]["sha256"].as_str(),
            vaxclean::pipeline::sha256_of(&dir.path().join(name)).as_deref(),
            "{name}"
        );
    }
    // Accents survive every encoding: the names in the findings are the generator's.
    let o = scan(dir.path(), &["ansi.csv"], &["-q"]);
    assert!(o.status.success());
    let s = summary(&dir.path().join("out"));
    assert_eq!(s["inputs"][0]["sheets"][0]["delimiter"], ";");
    let units = s["units"].as_array().unwrap();
    assert!(
        units
            .iter()
            .any(|u| u["province"].as_str().unwrap().contains('ỉ'))
    );
}

#[test]
fn registry_samples_give_exactly_the_planted_findings() {
    // Registry damage and split people are in the truth where a scan reports them.
    let dir = tempfile::tempdir().unwrap();
    for (name, registry, units) in [
        ("reg.csv", "dan-cu.xlsx", "2025"),
        ("reg2020.xlsx", "dan-cu.csv", "2020"),
    ] {
        let truth = format!("{name}.truth");
        let key = format!("{name}.key.csv");
        let args = [
            "--people",
            "1500",
            "--truth",
            &truth,
            "--registry",
            registry,
            "--registry-units",
            units,
            "--registry-key",
            &key,
        ];
        sample(dir.path(), name, &args);
        let o = scan(dir.path(), &[name], &["-q"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {:?}", text(&o));
        assert_same(
            &finding_keys(&dir.path().join("out/findings.csv")),
            &truth_keys(&dir.path().join(&truth)),
        );
        let s = summary(&dir.path().join("out"));
        let rows = s["totals"]["rows"].as_u64().unwrap();
        let key = std::fs::read_to_string(dir.path().join(&key)).unwrap();
        assert_eq!(key.lines().count() as u64, rows + 1, "one key line per row");
        assert!(key.lines().skip(1).any(|l| l.ends_with(",1")), "split rows");
        assert!(dir.path().join(registry).metadata().unwrap().len() > 1000);
    }
}

#[test]
fn a_clean_dump_has_no_error() {
    let dir = tempfile::tempdir().unwrap();
    sample(
        dir.path(),
        "clean.csv",
        &["--people", "3000", "--defect-rate", "0"],
    );
    let o = scan(dir.path(), &["clean.csv"], &["--fail-on", "error"]);
    let (stdout, _) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(findings(&dir.path().join("out/findings.csv")).is_empty());
    let s = summary(&dir.path().join("out"));
    assert_eq!(s["totals"]["findings"], 0);
    assert!(s["totals"]["rows"].as_u64().unwrap() > 6000);
    assert_eq!(s["totals"]["people"], 3000);
}

#[test]
fn fail_on_sets_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("sample.csv");
    let o = scan(
        dir.path(),
        &[path.to_str().unwrap()],
        &["-q", "--fail-on", "error"],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = scan(dir.path(), &[path.to_str().unwrap()], &["-q"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn an_unreadable_file_among_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.xlsx"),
        b"this is not a workbook at all",
    )
    .unwrap();
    std::fs::write(dir.path().join("noheader.csv"), "a,b,c\n1,2,3\n").unwrap();
    let good = fixture("sample.csv");
    let o = scan(
        dir.path(),
        &[
            "broken.xlsx",
            good.to_str().unwrap(),
            "noheader.csv",
            "missing.csv",
        ],
        &["--allow-partial"],
    );
    assert_eq!(o.status.code(), Some(2));
    let (stdout, stderr) = text(&o);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines.iter().any(|l| l.contains("'broken.xlsx'")));
    assert!(lines.iter().any(|l| l.contains("'missing.csv'")));
    let noheader = lines.iter().find(|l| l.contains("'noheader.csv'")).unwrap();
    assert!(noheader.contains("\"a\", \"b\", \"c\""), "{noheader}");
    assert!(stdout.contains("tệp không đọc được"), "{stdout}");
    // The good file was scanned all the same.
    let found = finding_keys(&dir.path().join("out/findings.csv"));
    assert_same(&found, &truth_keys(&fixture("sample.truth.csv")));
    let s = summary(&dir.path().join("out"));
    assert_eq!(s["totals"]["files_failed"], 2);
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    sample(
        dir.path(),
        "a.csv",
        &["--people", "2000", "--seed", "2", "--defect-rate", "0.3"],
    );
    sample(
        dir.path(),
        "b.xlsx",
        &[
            "--people",
            "800",
            "--seed",
            "3",
            "--defect-rate",
            "0.3",
            "--numeric-ids",
        ],
    );
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4"] {
        let o = scan(
            dir.path(),
            &["b.xlsx", "a.csv"],
            &["-q", "--threads", threads],
        );
        assert!(o.status.success());
        outputs.push(std::fs::read(dir.path().join("out/findings.csv")).unwrap());
    }
    assert!(outputs[0].len() > 10_000);
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn findings_are_sorted_with_the_design_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("sample.csv");
    let o = scan(dir.path(), &[path.to_str().unwrap()], &["-q"]);
    assert!(o.status.success());
    let text = std::fs::read_to_string(dir.path().join("out/findings.csv")).unwrap();
    let header = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert_eq!(
        header,
        "source,sheet,row,record_id,province,district,commune,field,code,severity,value,suggestion,message"
    );
    let rows = findings(&dir.path().join("out/findings.csv"));
    // Fields sort in the canonical order of the fields (docs/outputs.md).
    let order = [
        "record_id",
        "full_name",
        "birth_date",
        "gender",
        "id_number",
    ];
    let keys: Vec<(u32, usize, String)> = rows
        .iter()
        .map(|r| {
            let field = order.iter().position(|f| *f == r["field"]).unwrap_or(99);
            (r["row"].parse().unwrap(), field, r["code"].clone())
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(
        rows.iter()
            .all(|r| r["source"] == path.to_str().unwrap() && r["sheet"].is_empty())
    );
}

#[test]
fn english_messages() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("sample.csv");
    let o = scan(dir.path(), &[path.to_str().unwrap()], &["--lang", "en"]);
    let (stdout, _) = text(&o);
    assert!(stdout.contains("Scanned 1 files"), "{stdout}");
    let rows = findings(&dir.path().join("out/findings.csv"));
    let missing = rows.iter().find(|r| r["code"] == "ID_MISSING").unwrap();
    assert_eq!(missing["message"], "no CCCD/CMND number");
    let o = scan(dir.path(), &[path.to_str().unwrap()], &[]);
    let (stdout, _) = text(&o);
    assert!(stdout.contains("Đã quét 1 tệp"), "{stdout}");
}

#[test]
fn custom_headers_by_map_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "Khách hàng,Giấy tờ,Năm sinh\nNguyễn Văn An,79090001234,1990\nLê Thị Bình,,1985\n";
    std::fs::write(dir.path().join("odd.csv"), csv).unwrap();
    // Without help the file has no name column.
    let o = scan(dir.path(), &["odd.csv"], &["-q"]);
    assert_eq!(o.status.code(), Some(2));
    let (_, stderr) = text(&o);
    assert!(
        stderr.contains("\"Khách hàng\", \"Giấy tờ\", \"Năm sinh\""),
        "{stderr}"
    );
    // --map.
    let o = scan(
        dir.path(),
        &["odd.csv"],
        &[
            "-q",
            "--map",
            "full_name=Khách hàng",
            "--map",
            "id_number=\"giay to\"",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let rows = findings(&dir.path().join("out/findings.csv"));
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str()).collect();
    // "Năm sinh" is a known birth-date header: a year alone is worth a warning.
    assert_eq!(
        codes,
        [
            "DOB_YEAR_ONLY",
            "ID_LEADING_ZERO_LOST",
            "DOB_YEAR_ONLY",
            "ID_MISSING"
        ]
    );
    assert_eq!(rows[1]["suggestion"], "079090001234");
    assert_eq!(rows[1]["row"], "2");
    assert_eq!(rows[3]["row"], "3");
    // The same through a TOML config.
    std::fs::write(
        dir.path().join("vaxclean.toml"),
        "[columns]\nfull_name = \"Khách hàng\"\nid_number = [\"Giấy tờ\", \"So giay to\"]\n",
    )
    .unwrap();
    let o = scan(
        dir.path(),
        &["odd.csv"],
        &["-q", "--config", "vaxclean.toml"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(findings(&dir.path().join("out/findings.csv")).len(), 4);
    // A wrong field name is a usage error that lists the fields.
    let o = scan(dir.path(), &["odd.csv"], &["-q", "--map", "fullname=X"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("full_name"));
}

#[test]
fn header_row_flag() {
    let dir = tempfile::tempdir().unwrap();
    // Row 1 looks like a header too, but the user says the header is row 2.
    let csv = "Họ tên,CCCD\nHọ và tên,Số CCCD,Giới tính\nNguyễn Văn An,079090001234,Nữ\n";
    std::fs::write(dir.path().join("h.csv"), csv).unwrap();
    let o = scan(dir.path(), &["h.csv"], &["-q", "--header-row", "2"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let rows = findings(&dir.path().join("out/findings.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["code"], "ID_GENDER_MISMATCH");
    assert_eq!(rows[0]["row"], "3");
}

#[test]
fn ragged_rows_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "Mã,Họ và tên,Số CCCD\nR1,Nguyễn Văn An,079090001234\nR2,Lê Thị Bình\nR3,\"Trần, Văn C\",079090001235,extra\nR4,Phạm D,\n";
    std::fs::write(dir.path().join("r.csv"), csv).unwrap();
    let o = scan(dir.path(), &["r.csv"], &["-q"]);
    assert_eq!(o.status.code(), Some(0));
    let rows = findings(&dir.path().join("out/findings.csv"));
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["row"].as_str(),
                r["record_id"].as_str(),
                r["code"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("3", "R2", "ROW_RAGGED"),
            ("4", "R3", "ROW_RAGGED"),
            ("5", "R4", "ID_MISSING")
        ]
    );
    let s = summary(&dir.path().join("out"));
    assert_eq!(s["totals"]["rows"], 2);
    assert_eq!(s["totals"]["skipped_rows"], 2);
}

#[test]
fn duplicates_across_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        "Mã,Họ và tên,Ngày sinh,Số CCCD\nA1,Nguyễn Văn An,01/02/1990,079090001234\nA2,Nguyễn Văn An,01/02/1990,079090001234\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.csv"),
        "Mã;Họ và tên;Ngày sinh;Số CCCD\nB1;Trần Văn Bảo;03/04/1990;79090001234\nB2;Lê Văn C;03/04/1990;079090001299\n",
    )
    .unwrap();
    let o = scan(dir.path(), &["b.csv", "a.csv"], &["-q"]);
    assert!(o.status.success());
    let rows = findings(&dir.path().join("out/findings.csv"));
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["source"].as_str(),
                r["record_id"].as_str(),
                r["code"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a.csv", "A1", "ID_DUPLICATE_CONFLICT"),
            ("a.csv", "A2", "ID_DUPLICATE_CONFLICT"),
            ("b.csv", "B1", "ID_DUPLICATE_CONFLICT"),
            ("b.csv", "B1", "ID_LEADING_ZERO_LOST"),
        ]
    );
    assert!(rows[0]["message"].contains("2 người"));
}

#[test]
fn record_keys_shared_by_two_inputs_or_two_people_are_reported_on_those_rows() {
    let dir = tempfile::tempdir().unwrap();
    // Two dumps numbered alike (S1, S2), one key on two people in one dump (P1), a dose written
    // twice under one key (D1: DOSE_DUPLICATE's, not a shared key), and rows without a key.
    std::fs::write(
        dir.path().join("a.csv"),
        "Mã,Họ và tên,Ngày sinh,Số CCCD,Mũi tiêm\n\
         S1,Nguyễn Văn An,01/02/1990,079090001234,1\n\
         S2,Nguyễn Văn An,01/02/1990,079090001234,2\n\
         A1,Phạm Thị Hoa,05/06/1985,079185001235,1\n\
         P1,Đỗ Văn Cường,07/08/1970,079070001236,1\n\
         P1,Vũ Thị Dung,09/10/1975,079175001237,1\n\
         ,Hồ Văn Em,01/01/1980,079080001238,1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.csv"),
        "Mã,Họ và tên,Ngày sinh,Số CCCD,Mũi tiêm\n\
         S1,Trần Văn Bảo,03/04/1991,079091001239,1\n\
         B1,Lê Thị Gấm,03/04/1992,079192001240,1\n\
         S2,Trần Văn Bảo,03/04/1991,079091001239,2\n\
         D1,Lý Văn Hải,03/04/1993,079093001241,1\n\
         D1,Lý Văn Hải,03/04/1993,079093001241,1\n\
         ,Hồ Văn Em,01/01/1980,079080001238,2\n",
    )
    .unwrap();
    let o = scan(dir.path(), &["a.csv", "b.csv"], &["-q", "--lang", "en"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let rows = findings(&dir.path().join("out/findings.csv"));
    let shared: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .filter(|r| r["code"] == "RECORD_ID_DUPLICATE")
        .map(|r| {
            (
                r["source"].as_str(),
                r["row"].as_str(),
                r["record_id"].as_str(),
                r["value"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        shared,
        [
            ("a.csv", "2", "S1", "S1"),
            ("a.csv", "3", "S2", "S2"),
            ("a.csv", "5", "P1", "P1"),
            ("a.csv", "6", "P1", "P1"),
            ("b.csv", "2", "S1", "S1"),
            ("b.csv", "4", "S2", "S2"),
        ]
    );
    for r in rows.iter().filter(|r| r["code"] == "RECORD_ID_DUPLICATE") {
        assert_eq!(r["field"], "record_id");
        assert_eq!(r["severity"], "warning");
        assert!(r["suggestion"].is_empty());
        let m = &r["message"];
        if r["record_id"] == "P1" {
            assert!(
                m.contains("2 different people") && !m.contains("input"),
                "{m}"
            );
        } else {
            assert!(m.contains("2 inputs, on 2 different people"), "{m}");
        }
    }
    // The other cross-record findings still show their rows' record ids.
    let dose: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["code"] == "DOSE_DUPLICATE")
        .map(|r| (r["row"].as_str(), r["record_id"].as_str()))
        .collect();
    assert_eq!(dose, [("5", "D1"), ("6", "D1")]);
    let s = summary(&dir.path().join("out"));
    assert_eq!(
        s["totals"]["by_code"]["RECORD_ID_DUPLICATE"], 6,
        "{}",
        s["totals"]
    );
}

#[test]
fn directories_are_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("dumps/sub");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(fixture("sample.csv"), data.join("x.csv")).unwrap();
    std::fs::copy(fixture("sample.xlsx"), dir.path().join("dumps/y.xlsx")).unwrap();
    std::fs::write(dir.path().join("dumps/notes.docx"), b"ignored").unwrap();
    std::fs::write(dir.path().join("dumps/~$y.xlsx"), b"excel lock file").unwrap();
    let o = scan(dir.path(), &["dumps"], &["-q"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let s = summary(&dir.path().join("out"));
    assert_eq!(s["totals"]["files"], 2);
}

#[test]
fn a_bad_output_folder_fails_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out"), b"a file, not a folder").unwrap();
    let o = scan(dir.path(), &["missing-input.csv"], &["-q"]);
    assert_eq!(o.status.code(), Some(2));
    let (_, stderr) = text(&o);
    assert!(stderr.contains("'out'"), "{stderr}");
    assert!(!stderr.contains("missing-input"), "{stderr}");
}

#[test]
fn formula_like_values_are_written_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "Mã,Họ và tên,Số CCCD,Xã\n=HYPERLINK(\"http://x\"),Nguyễn Văn An,=1+1,@SUM(A1)\n-1+1,Lê Văn B,+84912345678,Xã A\n";
    std::fs::write(dir.path().join("f.csv"), csv).unwrap();
    let o = scan(dir.path(), &["f.csv"], &["-q"]);
    assert!(o.status.success());
    let rows = findings(&dir.path().join("out/findings.csv"));
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str()).collect();
    assert_eq!(
        codes,
        [
            "ID_FORMAT",
            "ADDRESS_UNKNOWN",
            "ID_FORMAT",
            "ADDRESS_UNKNOWN"
        ]
    );
    for r in &rows {
        for (col, v) in r {
            assert!(
                !v.starts_with(['=', '+', '-', '@']),
                "{col} = {v} would be a formula"
            );
        }
    }
    assert_eq!(rows[0]["record_id"], "'=HYPERLINK(\"http://x\")");
    assert_eq!(rows[0]["commune"], "'@SUM(A1)");
}

#[test]
fn summary_holds_counts_not_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("sample.csv");
    let o = scan(dir.path(), &[path.to_str().unwrap()], &[]);
    assert!(o.status.success());
    let summary_text = std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap();
    let (stdout, stderr) = text(&o);
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    for rec in rdr.records().take(200) {
        let rec = rec.unwrap();
        // Name, birth date, ID number, phone.
        for i in [2, 3, 5, 6] {
            let v = rec[i].trim();
            if v.len() > 4 {
                assert!(!summary_text.contains(v), "summary holds {v}");
                assert!(
                    !stdout.contains(v) && !stderr.contains(v),
                    "terminal holds {v}"
                );
            }
        }
    }
    let s: serde_json::Value = serde_json::from_str(&summary_text).unwrap();
    assert_eq!(s["tool"], "vaxclean");
    assert_eq!(s["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(s["inputs"][0]["sheets"][0]["encoding"], "utf-8-bom");
    let by_code = &s["totals"]["by_code"];
    let total: u64 = by_code
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, s["totals"]["findings"].as_u64().unwrap());
    let unit_rows: u64 = s["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(unit_rows, s["totals"]["rows"].as_u64().unwrap());
}
