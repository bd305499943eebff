//! `scan --history` and `report`: three nights of an evolving dump, the reports read back, and
//! the history under concurrent and killed runs.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use calamine::{Data, Reader, open_workbook_auto};
use common::{run, text};
use vaxclean::history::History;
use vaxclean::i18n::Lang;

const HEADER: &str =
    "Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Tỉnh/Thành phố,Quận/Huyện,Xã/Phường\n";

fn person(id: &str, name: &str, birth: &str, sex: &str, number: &str, commune: &str) -> String {
    format!("{id},{name},{birth},{sex},{number},Tỉnh Bến Tre,Huyện Ba Tri,{commune}\n")
}

/// Night 1: R1 has no ID, R2 a digit in the name. Night 2: R1 fixed, R4 loses its ID. Night 3:
/// R4 fixed, R3's birth date becomes impossible; R2 is never fixed.
fn night(n: u8) -> String {
    let r1 = if n == 1 { "" } else { "083085012345" };
    let r3_birth = if n == 3 { "31/02/1990" } else { "03/03/1990" };
    let r4 = if n == 2 { "" } else { "083175065432" };
    let mut s = HEADER.to_string();
    s += &person("R1", "Trần Văn Bình", "12/05/1985", "Nam", r1, "Xã Tân Mỹ");
    s += &person(
        "R2",
        "Nguyễn V4n An",
        "01/01/1980",
        "Nam",
        "083080054321",
        "Xã Tân Mỹ",
    );
    s += &person(
        "R3",
        "Lê Thị Cúc",
        r3_birth,
        "Nữ",
        "083190012346",
        "Xã Mỹ Hòa",
    );
    s += &person("R4", "Phạm Thị Dung", "04/04/1975", "Nữ", r4, "Xã Mỹ Hòa");
    s
}

fn scan_night(d: &Path, n: u8, date: &str) -> String {
    std::fs::write(d.join("dump.csv"), night(n)).unwrap();
    let out = run(
        d,
        &[
            "scan",
            "dump.csv",
            "--out",
            "scan",
            "--history",
            "h.sqlite",
            "--as-of",
            date,
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    text(&out).0
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut b = open_workbook_auto(path).unwrap();
    b.worksheet_range(name)
        .unwrap()
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        _ => f64::NAN,
    }
}

fn zip_names(path: &Path) -> Vec<String> {
    let z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    z.file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect()
}

fn zip_text(path: &Path, member: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(member).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn three_nights_show_new_fixed_and_open_findings_and_their_age() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let n1 = scan_night(d, 1, "2026-11-20");
    assert!(
        n1.contains("History (run 1): 2 new findings, 0 fixed, 2 open."),
        "{n1}"
    );
    let n2 = scan_night(d, 2, "2026-11-21");
    assert!(
        n2.contains("History (run 2): 1 new findings, 1 fixed, 2 open."),
        "{n2}"
    );
    let n3 = scan_night(d, 3, "2026-11-24");
    assert!(
        n3.contains("History (run 3): 1 new findings, 1 fixed, 2 open."),
        "{n3}"
    );

    let h = History::open(&d.join("h.sqlite"), Duration::from_secs(5), Lang::En).unwrap();
    let runs = h.runs().unwrap();
    let deltas: Vec<(u64, u64, u64)> = runs.iter().map(|r| (r.new, r.fixed, r.open)).collect();
    assert_eq!(deltas, [(2, 0, 2), (1, 1, 2), (1, 1, 2)]);
    assert_eq!(
        runs.iter()
            .map(|r| r.people_with_errors)
            .collect::<Vec<_>>(),
        [2, 2, 2]
    );
    // R2's error has waited since the 20th: 4 days at the third night. R3's is new.
    let mut ages = h.open_ages().unwrap();
    ages.sort_by(|a, b| a.unit.cmp(&b.unit));
    assert_eq!(ages.len(), 2);
    assert_eq!(ages[0].unit.commune, "Xã Mỹ Hòa");
    assert_eq!(ages[0].oldest.to_string(), "2026-11-24");
    assert_eq!(ages[1].unit.commune, "Xã Tân Mỹ");
    assert_eq!(ages[1].oldest.to_string(), "2026-11-20");
    drop(h);

    let out = run(
        d,
        &[
            "report",
            "--history",
            "h.sqlite",
            "--out",
            "rep",
            "--lang",
            "en",
        ],
    );
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("1 new findings, 1 fixed, 2 open; 1 units with errors older than 3 days"),
        "{stdout}"
    );
    let xlsx = d.join("rep/report.xlsx");
    let trend = sheet(&xlsx, "Xu hướng");
    assert_eq!(trend.len(), 4);
    let trend_values: Vec<Vec<f64>> = trend[1..]
        .iter()
        .map(|r| r[1..].iter().map(num).collect())
        .collect();
    assert_eq!(
        trend_values,
        [
            [4.0, 2.0, 2.0, 2.0, 0.0, 2.0],
            [4.0, 2.0, 2.0, 1.0, 1.0, 2.0],
            [4.0, 2.0, 2.0, 1.0, 1.0, 2.0]
        ]
    );
    let overdue = sheet(&xlsx, "Quá hạn");
    assert_eq!(overdue.len(), 2, "one unit over 3 days");
    assert_eq!(overdue[1][2], Data::String("Xã Tân Mỹ".into()));
    assert_eq!(num(&overdue[1][3]), 1.0);
    assert_eq!(num(&overdue[1][5]), 4.0);
    // Both charts are there.
    let names = zip_names(&xlsx);
    let charts: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with("xl/charts/chart"))
        .map(|n| zip_text(&xlsx, n))
        .collect();
    assert_eq!(charts.len(), 2);
    assert!(charts.iter().any(|c| c.contains("<c:barChart>")));
    assert!(charts.iter().any(|c| c.contains("<c:lineChart>")));
    let html = std::fs::read_to_string(d.join("rep/report.html")).unwrap();
    assert!(html.contains("id=\"overdue\""));
    assert!(html.contains("data-k=\"new\" data-v=\"1\""));
    // With a longer deadline nobody is overdue.
    let out = run(
        d,
        &[
            "report",
            "--history",
            "h.sqlite",
            "--out",
            "rep5",
            "--sla-days",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(sheet(&d.join("rep5/report.xlsx"), "Quá hạn").len(), 1);
}

/// The value of `data-k="k"` in the page.
fn card(html: &str, k: &str) -> String {
    let at = html.find(&format!("data-k=\"{k}\" data-v=\"")).unwrap();
    let rest = &html[at..];
    let v = &rest[rest.find("data-v=\"").unwrap() + 8..];
    v[..v.find('"').unwrap()].to_string()
}

#[test]
fn reports_of_scans_match_their_summaries_and_need_no_network() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixtures = [
        common::fixture("sample.csv"),
        common::fixture("sample.xlsx"),
    ];
    let out = run(
        d,
        &[
            "scan",
            fixtures[0].to_str().unwrap(),
            fixtures[1].to_str().unwrap(),
            "--out",
            "scan",
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let summary = common::summary(&d.join("scan"));
    let out = run(d, &["report", "scan", "--out", "rep"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let totals = &summary["totals"];
    assert!(stdout.contains(&format!(
        "{} người có lỗi",
        Lang::Vi.count(totals["people_with_errors"].as_u64().unwrap())
    )));

    let xlsx = d.join("rep/report.xlsx");
    let rows = sheet(&xlsx, "Tổng hợp");
    assert_eq!(rows[1][0], Data::String("Toàn bộ".into()));
    assert_eq!(num(&rows[1][3]) as u64, totals["rows"].as_u64().unwrap());
    assert_eq!(
        num(&rows[1][5]) as u64,
        totals["people_with_errors"].as_u64().unwrap()
    );
    // Every unit of the summary has its row, with its numbers.
    for unit in summary["units"].as_array().unwrap() {
        let c = unit["commune"].as_str().unwrap();
        if c.is_empty() {
            // Rows without a commune add up into their district's line.
            continue;
        }
        let text = |d: &Data| match d {
            Data::String(s) => s.clone(),
            _ => String::new(),
        };
        let row = rows.iter().find(|r| {
            text(&r[0]) == unit["province"].as_str().unwrap()
                && text(&r[1]) == unit["district"].as_str().unwrap()
                && text(&r[2]) == c
        });
        let row = row.unwrap_or_else(|| panic!("no row for {c}"));
        {
            assert_eq!(num(&row[4]) as u64, unit["people"].as_u64().unwrap(), "{c}");
            assert_eq!(
                num(&row[5]) as u64,
                unit["people_with_errors"].as_u64().unwrap(),
                "{c}"
            );
        }
    }
    let names = zip_names(&xlsx);
    assert!(
        names.iter().any(|n| n.starts_with("xl/charts/")),
        "the bar chart"
    );

    let html = std::fs::read_to_string(d.join("rep/report.html")).unwrap();
    assert_eq!(card(&html, "rows"), totals["rows"].to_string());
    assert_eq!(card(&html, "people"), totals["people"].to_string());
    assert_eq!(
        card(&html, "people_with_errors"),
        totals["people_with_errors"].to_string()
    );
    assert!(html.contains("<svg"));
    for bad in [
        "<script", "src=", "href=", "@import", "url(", "<link", "<iframe",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !without_ns.contains("http"),
        "no address but the SVG namespace"
    );
    // Counts only: no name or ID number of the input.
    for personal in ["Nguyễn", "Phan Thu Hoa", "067193828"] {
        assert!(!html.contains(personal), "{personal}");
    }
}

/// A scan recording into `h.sqlite`, writing into its own output folder (two runs into one output
/// folder are refused at once; these meet in the history).
fn scan_cmd(d: &Path, extra_env: Option<(&str, &str)>, wait: &str) -> Command {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let out = format!(
        "scan-{}",
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut c = Command::new(env!("CARGO_BIN_EXE_vaxclean"));
    c.args([
        "scan",
        "dump.csv",
        "--out",
        &out,
        "--history",
        "h.sqlite",
        "--history-wait",
        wait,
        "--as-of",
        "2026-11-20",
        "-q",
        "--lang",
        "en",
    ])
    .current_dir(d)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if let Some((k, v)) = extra_env {
        c.env(k, v);
    }
    c
}

#[test]
fn a_second_run_waits_or_fails_clearly_and_the_history_stays_sound() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("dump.csv"), night(1)).unwrap();
    // Create the history first so both runs meet in the recording, not the creation.
    assert_eq!(
        scan_cmd(d, None, "5").output().unwrap().status.code(),
        Some(0)
    );
    // A slow run holds the history; a run that will not wait fails with a clear message.
    let mut slow = scan_cmd(d, Some(("VAXCLEAN_TEST_HISTORY_PAUSE_MS", "2500")), "30")
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let impatient = scan_cmd(d, None, "0").output().unwrap();
    let (_, stderr) = text(&impatient);
    assert_eq!(impatient.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("being written by another run"), "{stderr}");
    // Its findings.csv and summary.json are written all the same.
    let written: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("findings.csv").exists() && p.join("summary.json").exists())
        .collect();
    assert_eq!(written.len(), 2, "the first run's and the impatient one's");
    // A patient run waits for it.
    let patient = scan_cmd(d, None, "30").spawn().unwrap();
    assert_eq!(slow.wait().unwrap().code(), Some(0));
    assert_eq!(patient.wait_with_output().unwrap().status.code(), Some(0));
    let h = History::open(&d.join("h.sqlite"), Duration::from_secs(5), Lang::En).unwrap();
    assert!(h.is_sound().unwrap());
    assert_eq!(h.runs().unwrap().len(), 3);
}

#[test]
fn a_killed_run_leaves_no_trace_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("dump.csv"), night(1)).unwrap();
    assert_eq!(
        scan_cmd(d, None, "5").output().unwrap().status.code(),
        Some(0)
    );
    let mut victim = scan_cmd(d, Some(("VAXCLEAN_TEST_HISTORY_PAUSE_MS", "5000")), "5")
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    victim.kill().unwrap();
    let _ = victim.wait();
    let h = History::open(&d.join("h.sqlite"), Duration::from_secs(5), Lang::En).unwrap();
    assert!(h.is_sound().unwrap());
    assert_eq!(h.runs().unwrap().len(), 1, "the killed run is not recorded");
    assert_eq!(h.incomplete_runs().unwrap(), 0, "nor half-recorded");
    drop(h);
    // The next night records as if nothing happened.
    std::fs::write(d.join("dump.csv"), night(2)).unwrap();
    let out = run(
        d,
        &[
            "scan",
            "dump.csv",
            "--out",
            "scan",
            "--history",
            "h.sqlite",
            "--as-of",
            "2026-11-21",
            "--lang",
            "en",
        ],
    );
    assert!(
        text(&out)
            .0
            .contains("History (run 2): 1 new findings, 1 fixed, 2 open."),
        "{:?}",
        text(&out)
    );
}
