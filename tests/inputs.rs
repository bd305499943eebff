//! Every input read, or refused out loud: workbooks whose first sheet is not the dump, chart
//! sheets, stray files in a folder, links out of a folder, small files that would cost gigabytes,
//! broken CSV quoting and encodings, and messages that must not show a person's data or raw
//! control characters. Every file is built here by the helpers of `tests/common`.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{AS_OF, dump_rows, findings, instruction_rows, summary, text};

/// Runs vaxclean in `dir` in English, dates fixed.
fn run_en(dir: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--lang", "en", "--as-of", AS_OF]);
    common::run(dir, &all)
}

/// The record ids of findings.csv under `out`.
fn ids_found(dir: &Path, out: &str) -> Vec<String> {
    findings(&dir.join(out).join("findings.csv"))
        .into_iter()
        .map(|f| f["record_id"].clone())
        .collect()
}

#[test]
fn an_instruction_sheet_of_thirty_rows_does_not_hide_the_dump_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut guide = instruction_rows(40);
    let mut data = dump_rows(3);
    common::xlsx(
        &d.join("book.xlsx"),
        &[("Hướng dẫn", guide.clone()), ("Dữ liệu", data.clone())],
    );
    common::ods(
        &d.join("book.ods"),
        &[
            ("Hướng dẫn", common::ods_rows(&guide)),
            ("Dữ liệu", common::ods_rows(&data)),
        ],
    );
    for book in ["book.xlsx", "book.ods"] {
        let out_dir = format!("out-{book}");
        let out = run_en(d, &["scan", book, "--out", &out_dir]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{book}: {stderr}");
        let ids = ids_found(d, &out_dir);
        for id in ["G1", "G2", "G3"] {
            assert!(
                ids.iter().any(|i| i == id),
                "{book}: {id} not read: {ids:?}"
            );
        }
        assert!(
            stderr.contains(&format!("'{book}': skipped sheet \"Hướng dẫn\"")),
            "{book}: {stderr}"
        );
        let s = summary(&d.join(&out_dir));
        assert_eq!(s["inputs"][0]["skipped_sheets"][0], "Hướng dẫn", "{book}");
        assert_eq!(s["totals"]["rows"], 3, "{book}");
    }
    // A workbook in which no sheet is a dump is an input error, whatever its length.
    guide.truncate(35);
    data = instruction_rows(5);
    common::xlsx(
        &d.join("none.xlsx"),
        &[("Hướng dẫn", guide.clone()), ("Ghi chú", data.clone())],
    );
    common::ods(
        &d.join("none.ods"),
        &[
            ("Hướng dẫn", common::ods_rows(&guide)),
            ("Ghi chú", common::ods_rows(&data)),
        ],
    );
    for book in ["none.xlsx", "none.ods"] {
        let out = run_en(d, &["scan", book, "--out", &format!("out-{book}")]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{book}: {stderr}");
        assert!(
            stderr.contains(&format!("'{book}': no header")),
            "{book}: {stderr}"
        );
    }
}

#[test]
fn a_chart_sheet_is_skipped_and_the_data_read() {
    use rust_xlsxwriter::{Chart, ChartType, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Dữ liệu").unwrap();
    for (r, row) in dump_rows(2).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_values(("Dữ liệu", 1, 0, 2, 0));
    let cs = book.add_chartsheet();
    cs.set_name("Biểu đồ").unwrap();
    cs.insert_chart(0, 0, &chart).unwrap();
    book.save(d.join("chart.xlsx")).unwrap();
    for cmd in ["scan", "export-list"] {
        let out = run_en(d, &[cmd, "chart.xlsx", "--out", cmd]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {stderr}");
        assert!(!stderr.contains("Biểu đồ"), "{cmd}: {stderr}");
    }
    let ids = ids_found(d, "scan");
    assert!(ids.iter().any(|i| i == "G2"), "{ids:?}");
    assert_eq!(
        summary(&d.join("scan"))["inputs"][0]["skipped_sheets"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

/// Issue 17: a stray file without a dump header inside a folder argument is skipped with a
/// warning (exit 0, named in summary.json); named on the command line, it stays an error.
#[test]
fn a_stray_file_in_a_folder_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dumps = d.join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    let csv = |rows: &[Vec<String>]| {
        rows.iter()
            .map(|r| r.join(","))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    std::fs::write(dumps.join("a.csv"), csv(&dump_rows(1))).unwrap();
    std::fs::write(dumps.join("notes.csv"), "ghi chú\nnhớ gửi trước thứ sáu\n").unwrap();
    let out = run_en(d, &["scan", "dumps", "--out", "o", "--allow-partial"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let warning: Vec<&str> = stderr.lines().filter(|l| l.contains("notes.csv")).collect();
    assert_eq!(warning.len(), 1, "{stderr}");
    assert!(
        warning[0].contains("skipped a file of the folder"),
        "{stderr}"
    );
    let s = summary(&d.join("o"));
    let inputs = s["inputs"].as_array().unwrap();
    let notes = inputs
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("notes.csv"))
        .unwrap();
    assert!(notes["skipped"].is_string(), "{notes}");
    assert!(notes["error"].is_null(), "{notes}");
    assert_eq!(s["totals"]["files_failed"], 0);
    assert!(ids_found(d, "o").iter().any(|i| i == "G1"));
    // Named on the command line: an error, exit 2.
    let out = run_en(
        d,
        &["scan", "dumps/notes.csv", "dumps/a.csv", "--out", "o2"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'dumps/notes.csv': no header"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_link_out_of_an_input_folder_is_named_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dumps = d.join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    std::fs::write(
        dumps.join("a.csv"),
        dump_rows(1)
            .iter()
            .map(|r| r.join(","))
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    // A "system file" outside the folder, and a link to it inside; a link to a file inside.
    std::fs::write(d.join("shadow"), "root:SECRET-HASH:19000:0:99999:7:::\n").unwrap();
    std::os::unix::fs::symlink(d.join("shadow"), dumps.join("shadow.csv")).unwrap();
    std::os::unix::fs::symlink(dumps.join("a.csv"), dumps.join("same.csv")).unwrap();
    let out = run_en(d, &["scan", "dumps", "--out", "o", "--allow-partial"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("SECRET"), "{stderr}");
    let s = std::fs::read_to_string(d.join("o/summary.json")).unwrap();
    assert!(!s.contains("SECRET"), "{s}");
    let line: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("shadow.csv"))
        .collect();
    assert_eq!(line.len(), 1, "{stderr}");
    assert!(
        line[0].contains("a link to a file outside the input folder"),
        "{stderr}"
    );
    // The link inside the folder leads to a file already read: read once, and said so.
    assert!(
        stderr.contains("same.csv': skipped, the same file as"),
        "{stderr}"
    );
}

#[test]
fn a_dump_without_its_header_quotes_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Data rows only: the header row was left out of the export.
    let rows = [
        "VX1,Nguyễn Thị Hồng Nhung,12/03/1987,Nữ,079187001234,0912345678,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ",
        "VX2,Trần Văn Bình,05/11/1979,Nam,083079004321,0987654321,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ",
    ];
    std::fs::write(d.join("no-header.csv"), rows.join("\n") + "\n").unwrap();
    let mut sheet: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.split(',').map(String::from).collect())
        .collect();
    sheet.insert(0, vec!["DANH SÁCH NGƯỜI ĐÃ TIÊM".into()]);
    common::xlsx(&d.join("no-header.xlsx"), &[("Sheet1", sheet)]);
    for lang in ["en", "vi"] {
        let out = common::run(
            d,
            &[
                "scan",
                "no-header.csv",
                "no-header.xlsx",
                "--out",
                "o",
                "--lang",
                lang,
                "--allow-partial",
            ],
        );
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let summary = std::fs::read_to_string(d.join("o/summary.json")).unwrap();
        for personal in [
            "Nguyễn Thị Hồng Nhung",
            "Nhung",
            "12/03/1987",
            "079187001234",
            "0912345678",
            "VX1",
        ] {
            for (what, t) in [
                ("stderr", &stderr),
                ("stdout", &stdout),
                ("summary", &summary),
            ] {
                assert!(!t.contains(personal), "{lang} {what} holds {personal}: {t}");
            }
        }
        // What reads as a header or a place is still quoted, the rest counted.
        assert_eq!(stderr.lines().count(), 2, "{stderr}");
        assert!(stderr.contains("\"Tỉnh Bến Tre\""), "{stderr}");
        let hidden = if lang == "en" {
            "cells that look like personal data"
        } else {
            "ô trông như dữ liệu cá nhân"
        };
        assert!(stderr.contains(hidden), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn control_characters_in_names_and_cells_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = "x\u{1b}]0;owned\u{7}\u{1b}[2J.csv";
    std::fs::write(
        d.join(name),
        "\u{1b}]title\u{7}Ghi chú\u{1b}[H,khác\nmột,hai\n",
    )
    .unwrap();
    let out = run_en(d, &["scan", name, "--out", "o"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(stderr.contains("x\\u{1b}]0;owned\\u{7}"), "{stderr}");
    assert!(stderr.contains("Ghi chú\\u{1b}[H"), "{stderr}");
}

/// A CSV dump of `rows` rows (keys R1…), as text, with `line` (1-based, header on line 1)
/// replaced by `odd` when given.
fn csv_dump(rows: usize, odd: Option<(usize, &str)>) -> String {
    let mut out = common::DUMP_HEADER.join(",") + "\n";
    for i in 1..=rows {
        match odd {
            Some((line, text)) if line == i + 1 => out.push_str(text),
            _ => out.push_str(&common::dump_row(&format!("R{i}")).join(",")),
        }
        out.push('\n');
    }
    out
}

/// (code, line) of every row-level finding, and the record ids with an `ID_MISSING`.
fn row_findings(dir: &Path, out: &str) -> (Vec<(String, String)>, Vec<String>) {
    let f = findings(&dir.join(out).join("findings.csv"));
    let rows = f
        .iter()
        .filter(|r| r["code"].starts_with("ROW_"))
        .map(|r| (r["code"].clone(), r["row"].clone()))
        .collect();
    let ids = f
        .iter()
        .filter(|r| r["code"] == "ID_MISSING")
        .map(|r| r["record_id"].clone())
        .collect();
    (rows, ids)
}

#[test]
fn an_unterminated_quote_is_reported_on_its_line_and_the_rows_after_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 135 rows; row R59 (line 60) opens a quote that never closes.
    let odd = "R59,\"Lê Văn Tám,01/01/1990,Nam,,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ";
    std::fs::write(d.join("open.csv"), csv_dump(135, Some((60, odd)))).unwrap();
    let out = run_en(d, &["scan", "open.csv", "--out", "o"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let (rows, ids) = row_findings(d, "o");
    assert_eq!(
        rows,
        [("ROW_UNTERMINATED_QUOTE".to_string(), "60".to_string())]
    );
    assert_eq!(ids.len(), 134, "every other row read");
    assert!(ids.iter().any(|i| i == "R135"));
    let s = summary(&d.join("o"));
    assert_eq!(s["totals"]["rows"], 134);
    assert_eq!(s["totals"]["skipped_rows"], 1);
    assert_eq!(s["totals"]["by_code"]["ROW_UNTERMINATED_QUOTE"], 1);
    let f = findings(&d.join("o/findings.csv"));
    let message = &f.iter().find(|r| r["row"] == "60").unwrap()["message"];
    assert!(message.contains("never closed"), "{message}");

    // In a file bigger than a record may be, the quote is found where the record bound stops the
    // reader (not at the end of the file), and the rows after it are read all the same.
    let big = csv_dump(220_000, Some((3, "R2,\"Lê Văn Tám,01/01/1990,Nam,,a,b,c")));
    assert!(big.len() > 17 << 20, "{} bytes", big.len());
    std::fs::write(d.join("open-big.csv"), big).unwrap();
    let out = run_en(d, &["scan", "open-big.csv", "--out", "o2"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let (rows, ids) = row_findings(d, "o2");
    assert_eq!(
        rows,
        [("ROW_UNTERMINATED_QUOTE".to_string(), "3".to_string())]
    );
    assert_eq!(ids.len(), 219_999);
}

#[test]
fn a_record_longer_than_the_bound_is_a_finding_and_the_other_rows_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Line 3 holds a 20 MiB field (no quote, no line end in it).
    let long = format!(
        "R2,{},01/01/1990,Nam,,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ",
        "A".repeat(20 << 20)
    );
    std::fs::write(d.join("long.csv"), csv_dump(50, Some((3, &long)))).unwrap();
    let out = run_en(d, &["scan", "long.csv", "--out", "o"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let (rows, ids) = row_findings(d, "o");
    assert_eq!(rows, [("ROW_TOO_LONG".to_string(), "3".to_string())]);
    assert_eq!(ids.len(), 49);
    assert!(ids.iter().any(|i| i == "R1") && ids.iter().any(|i| i == "R50"));
}

#[test]
fn a_windows_1258_file_is_decoded_as_a_whole_and_named_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bytes =
        vaxclean::input::csv::encode_windows_1258(&(common::DUMP_HEADER.join(",") + "\n"));
    for i in 1..=5 {
        bytes.extend(vaxclean::input::csv::encode_windows_1258(
            &(common::dump_row(&format!("W{i}")).join(",") + "\n"),
        ));
    }
    // A name damaged once already ("ThÃ´ng", UTF-8 read as Windows-1252), written in
    // Windows-1258: its bytes happen to be valid UTF-8 ("ThA\u{7b4}ng").
    bytes.extend(b"W9,ThA\xDE\xB4ng Minh,01/01/1990,Nam,,a,b,c\n");
    std::fs::write(d.join("cp1258.csv"), bytes).unwrap();
    let out = run_en(d, &["scan", "cp1258.csv", "--out", "o"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let f = findings(&d.join("o/findings.csv"));
    assert!(
        f.iter().all(|r| !r["value"].contains('\u{7b4}')),
        "a field decoded as UTF-8: {f:?}"
    );
    let name = f
        .iter()
        .find(|r| r["record_id"] == "W9" && r["field"] == "full_name")
        .unwrap_or_else(|| panic!("{f:?}"));
    assert_eq!(name["value"], "ThÃ´ng Minh");
    assert!(
        f.iter()
            .any(|r| r["record_id"] == "W1" && r["code"] == "ID_MISSING")
    );
    let s = summary(&d.join("o"));
    assert_eq!(s["inputs"][0]["sheets"][0]["encoding"], "windows-1258");
}

/// Runs vaxclean in `dir` (English, dates fixed) with its address space held to `mib` MiB, so
/// that a file that would make a reader allocate gigabytes fails the test instead of the machine.
#[cfg(unix)]
fn run_limited(dir: &Path, mib: u64, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--lang", "en", "--as-of", AS_OF]);
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", mib * 1024))
        .arg(env!("CARGO_BIN_EXE_vaxclean"))
        .args(&all)
        .env("MALLOC_ARENA_MAX", "2")
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Runs scan, export-list and apply-corrections (as a source and as a returned list) on `bad`
/// beside a good CSV under a memory limit: each refuses it in one line holding `expect`, and
/// still does its work on the good file.
#[cfg(unix)]
fn refused_everywhere_within_memory(d: &Path, bad: &str, expect: &str) {
    std::fs::write(d.join("good.csv"), csv_dump(1, None).replace("R1", "G1")).unwrap();
    let runs: [&[&str]; 4] = [
        &["scan", bad, "good.csv", "--out", "o", "--allow-partial"],
        &[
            "export-list",
            bad,
            "good.csv",
            "--out",
            "l",
            "--allow-partial",
        ],
        &[
            "apply-corrections",
            "--source",
            bad,
            "good.csv",
            "--corrections",
            "l",
            "--out",
            "r",
            "--allow-partial",
        ],
        &[
            "apply-corrections",
            "--source",
            "good.csv",
            "--corrections",
            bad,
            "--out",
            "r2",
            "--allow-partial",
        ],
    ];
    for args in runs {
        let out = run_limited(d, 1024, args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(bad)).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        assert!(lines[0].contains(expect), "{args:?}: {stderr}");
    }
    assert!(ids_found(d, "o").iter().any(|i| i == "G1"));
    assert!(d.join("r/merged/good.csv").exists());
}

#[cfg(unix)]
#[test]
fn a_small_ods_with_a_cell_far_below_a_wide_row_is_refused_before_it_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cell = |t: &str| (t.to_string(), 1);
    let rows: Vec<common::OdsRow> = vec![
        (
            vec![
                cell("Họ và tên"),
                cell("Số CMND/CCCD"),
                (String::new(), 253),
                cell("x"),
            ],
            1,
        ),
        (vec![(String::new(), 1)], 389_998),
        (vec![cell("Lê Văn Tám"), cell("001090000001")], 1),
    ];
    common::ods(&d.join("far.ods"), &[("S", rows)]);
    assert!(std::fs::metadata(d.join("far.ods")).unwrap().len() < 8 << 10);
    refused_everywhere_within_memory(d, "far.ods", "refused: its sheets span 99840000 cells");
}

/// The committed .xls fixture with one more NUMBER record, at IV65536 (row 65,535, column 255),
/// put before the last EOF record of its workbook stream (so that no sheet offset moves).
#[cfg(unix)]
fn xls_with_a_cell_at_iv65536(path: &Path) {
    use std::io::{Read, Write};
    std::fs::copy(common::fixture("sample.xls"), path).unwrap();
    let mut book = cfb::open_rw(path).unwrap();
    let mut bytes = Vec::new();
    book.open_stream("/Workbook")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let (mut at, mut last_eof) = (0usize, None);
    while at + 4 <= bytes.len() {
        let typ = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let len = usize::from(u16::from_le_bytes([bytes[at + 2], bytes[at + 3]]));
        if typ == 0x000A {
            last_eof = Some(at);
        }
        at += 4 + len;
    }
    let mut number = vec![0x03, 0x02, 14, 0];
    number.extend(65_535u16.to_le_bytes());
    number.extend(255u16.to_le_bytes());
    number.extend([0u8; 2]);
    number.extend(1.0f64.to_le_bytes());
    let at = last_eof.unwrap();
    bytes.splice(at..at, number);
    book.create_stream("/Workbook")
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    book.flush().unwrap();
}

#[cfg(unix)]
#[test]
fn an_xls_with_a_cell_at_iv65536_is_refused_before_it_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    xls_with_a_cell_at_iv65536(&d.join("far.xls"));
    refused_everywhere_within_memory(d, "far.xls", "refused: its sheets span");
}

#[cfg(unix)]
#[test]
fn a_stray_cell_at_xfd1048576_costs_apply_nothing() {
    use calamine::Data;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A source workbook with a stray cell, and its list returned with another.
    let mut rows = dump_rows(3);
    rows[1][4] = "079187001234".into();
    common::xlsx(&d.join("src.xlsx"), &[("Dữ liệu", rows)]);
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("Dữ liệu").unwrap();
        for (r, row) in dump_rows(3).iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        book.save(d.join("src.xlsx")).unwrap();
    }
    let out = run_limited(d, 1024, &["export-list", "src.xlsx", "--out", "lists"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let list = common::first_workbook(&d.join("lists"));
    let mut sheets = vaxclean::sample::fill::Sheets::load(&list).unwrap();
    sheets.set(1_048_575, 16_383, Data::String("x".into()));
    sheets.save(&d.join("returned.xlsx")).unwrap();
    let out = run_limited(
        d,
        1024,
        &[
            "apply-corrections",
            "--source",
            "src.xlsx",
            "--corrections",
            "returned.xlsx",
            "--out",
            "r",
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The merged copy keeps the stray cell (read back cell by cell, not as a range).
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(d.join("r/merged/src.xlsx")).unwrap();
    let mut cells = book.worksheet_cells_reader("Dữ liệu").unwrap();
    let mut far = false;
    while let Some(c) = cells.next_cell().unwrap() {
        far |= c.get_position() == (1_048_575, 16_383);
    }
    assert!(far, "the stray cell is kept");
}

/// rust_xlsxwriter keeps its temporary files in the output folder, not the system's: a system
/// temporary folder that cannot be written (full, or gone) made export-list panic (exit 101, 300
/// lines) and leave part of the lists.
#[test]
fn workbooks_keep_their_temporary_files_in_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("d.csv"), csv_dump(20, None)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vaxclean"))
        .args([
            "export-list",
            "d.csv",
            "--out",
            "lists",
            "--lang",
            "en",
            "--as-of",
            AS_OF,
        ])
        .env("TMPDIR", d.join("no-such-folder"))
        .current_dir(d)
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lists: Vec<_> = common::workbooks(&d.join("lists"));
    assert_eq!(lists.len(), 1, "{lists:?}");
}
