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
use vaxclean::normalize::places::Gazetteer;
use vaxclean::output::report::xlsx::HEADER_ROW;

/// The first row of a sheet's table (below its title, date and header).
const FIRST: usize = HEADER_ROW as usize + 1;

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
    assert_eq!(trend.len(), FIRST + 3);
    let trend_values: Vec<Vec<f64>> = trend[FIRST..]
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
    assert_eq!(overdue.len(), FIRST + 1, "one unit over 3 days");
    assert_eq!(overdue[FIRST][2], Data::String("Xã Tân Mỹ".into()));
    assert_eq!(num(&overdue[FIRST][3]), 2.0, "its people");
    assert_eq!(num(&overdue[FIRST][4]), 1.0, "its open errors");
    assert_eq!(num(&overdue[FIRST][6]), 4.0, "days waiting");
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
    assert_eq!(sheet(&d.join("rep5/report.xlsx"), "Quá hạn").len(), FIRST);
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
    // The report adds up the units (a person with rows in two units counts in each).
    let totals: serde_json::Value = ["rows", "people", "people_with_errors"]
        .into_iter()
        .map(|k| {
            let sum: u64 = summary["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u[k].as_u64().unwrap())
                .sum();
            (k.to_string(), serde_json::Value::from(sum))
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    assert!(stdout.contains(&format!(
        "{} người có lỗi",
        Lang::Vi.count(totals["people_with_errors"].as_u64().unwrap())
    )));

    let xlsx = d.join("rep/report.xlsx");
    let rows = sheet(&xlsx, "Tổng hợp");
    assert_eq!(rows[FIRST][0], Data::String("Toàn bộ".into()));
    assert_eq!(
        num(&rows[FIRST][3]) as u64,
        totals["rows"].as_u64().unwrap()
    );
    assert_eq!(
        num(&rows[FIRST][5]) as u64,
        totals["people_with_errors"].as_u64().unwrap()
    );
    // Every unit of the summary has its row, with its numbers.
    for unit in summary["units"].as_array().unwrap() {
        let c = unit["commune"].as_str().unwrap();
        let text = |d: &Data| match d {
            Data::String(s) => s.clone(),
            _ => String::new(),
        };
        let (p, dist) = (
            unit["province"].as_str().unwrap(),
            unit["district"].as_str().unwrap(),
        );
        if Gazetteer::builtin().resolve(p, dist, c).commune.is_none() {
            // Rows without a commune, or with one the gazetteer does not know, add up into
            // their district's group of unrecognised communes.
            assert!(
                rows.iter()
                    .any(|r| text(&r[1]) == dist && text(&r[2]).starts_with("Xã chưa xác định (")),
                "no group for {c}"
            );
            continue;
        }
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

/// Rows added to a generated dump each night: one person (one ID number) with rows in two
/// communes, the second misspelt, a name error on both; people in misspelt communes of Huyện Ba
/// Tri, one more from the second night. These made the headline and the trend disagree, and
/// filled the overdue list with one- or two-person "communes".
fn odd_rows(n: u8) -> String {
    let mut s = HEADER.to_string();
    let number = "083082011111";
    s += &person("E1", "Hồ V4n Em", "02/02/1982", "Nam", number, "Xã Tân Mỹ");
    s += &person("E2", "Hồ V4n Em", "02/02/1982", "Nam", number, "Xã Tân Myy");
    s += &person("E3", "Đỗ Thị Gấm", "", "Nữ", "083190022222", "Xa Tan My 2");
    if n >= 2 {
        s += &person("E4", "Vũ Văn Hải", "05/05/1970", "Nam", "", "Xã Tân Mỹy");
    }
    s
}

/// The `data-v` values of the last row of table `id` in the page.
fn last_row_values(html: &str, id: &str) -> Vec<u64> {
    let table = &html[html.find(&format!("<table id=\"{id}\"")).unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let row = &table[table.rfind("<tr").unwrap()..];
    row.split("data-v=\"")
        .skip(1)
        .map(|v| v[..v.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn the_headline_the_tables_and_the_trend_give_the_same_figures_night_after_night() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nights = [
        (1u8, "0.3", "2026-11-20"),
        (2, "0.2", "2026-11-21"),
        (3, "0.2", "2026-11-25"),
    ];
    for (n, rate, day) in nights {
        let o = run(
            d,
            &[
                "sample",
                "--people",
                "300",
                "--communes",
                "3",
                "--seed",
                "7",
                "--defect-rate",
                rate,
                "--out",
                "base.csv",
                "--as-of",
                day,
            ],
        );
        assert!(o.status.success(), "{:?}", text(&o));
        std::fs::write(d.join("odd.csv"), odd_rows(n)).unwrap();
        let o = run(
            d,
            &[
                "scan",
                "base.csv",
                "odd.csv",
                "--out",
                "scan",
                "--history",
                "h.sqlite",
                "--as-of",
                day,
                "-q",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    }
    let o = run(
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
    let (stdout, _) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}");

    // What the last scan counted: per unit, and its own count of distinct people.
    let summary = common::summary(&d.join("scan"));
    let units_sum = |k: &str| -> u64 {
        summary["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u[k].as_u64().unwrap())
            .sum()
    };
    let (rows, people, with_errors) = (
        units_sum("rows"),
        units_sum("people"),
        units_sum("people_with_errors"),
    );
    assert!(
        summary["totals"]["people_with_errors"].as_u64().unwrap() < with_errors,
        "the person with rows in two communes is counted once by the scan, in each unit by the units"
    );

    // The headline on the terminal.
    let headline = stdout.lines().next().unwrap();
    assert!(
        headline.contains(&format!(
            "{} rows, {} people, {} people with errors",
            Lang::En.count(rows),
            Lang::En.count(people),
            Lang::En.count(with_errors)
        )),
        "{headline}"
    );

    // report.xlsx: the total line, the sum of its provinces, of its communes, the trend's last night.
    let xlsx = d.join("rep/report.xlsx");
    let summary_sheet = sheet(&xlsx, "Tổng hợp");
    let text_of = |d: &Data| match d {
        Data::String(s) => s.clone(),
        _ => String::new(),
    };
    let figures = |r: &[Data]| (num(&r[3]) as u64, num(&r[4]) as u64, num(&r[5]) as u64);
    let table = &summary_sheet[FIRST..];
    let total_line = table.iter().find(|r| text_of(&r[0]) == "Toàn bộ").unwrap();
    assert_eq!(figures(total_line), (rows, people, with_errors));
    let add = |lines: Vec<&Vec<Data>>| {
        lines.iter().fold((0, 0, 0), |a, r| {
            let f = figures(r);
            (a.0 + f.0, a.1 + f.1, a.2 + f.2)
        })
    };
    let provinces: Vec<&Vec<Data>> = table
        .iter()
        .filter(|r| {
            !text_of(&r[0]).is_empty()
                && text_of(&r[0]) != "Toàn bộ"
                && text_of(&r[1]).is_empty()
                && text_of(&r[2]).is_empty()
                && matches!(r[3], Data::Float(_) | Data::Int(_))
        })
        .collect();
    assert!(provinces.len() >= 2, "the sample's provinces and Bến Tre");
    assert_eq!(add(provinces), (rows, people, with_errors));
    let communes: Vec<&Vec<Data>> = table
        .iter()
        .filter(|r| !text_of(&r[2]).is_empty())
        .collect();
    assert_eq!(add(communes), (rows, people, with_errors));
    let trend = sheet(&xlsx, "Xu hướng");
    assert_eq!(trend.len(), FIRST + 3, "three nights");
    let last = &trend[FIRST + 2];
    assert_eq!(text_of(&last[0]), "25/11/2026");
    assert_eq!(
        (num(&last[1]) as u64, num(&last[2]) as u64),
        (rows, with_errors)
    );

    // report.html: the cards, the total line of the units table, the trend table's last night.
    let html = std::fs::read_to_string(d.join("rep/report.html")).unwrap();
    assert_eq!(card(&html, "rows"), rows.to_string());
    assert_eq!(card(&html, "people"), people.to_string());
    assert_eq!(card(&html, "people_with_errors"), with_errors.to_string());
    let units_table = &html[html.find("<table id=\"units\"").unwrap()..];
    let total_row = &units_table[units_table.find("<tr class=\"l0\"").unwrap()..];
    let total_values: Vec<u64> = total_row[..total_row.find("</tr>").unwrap()]
        .split("data-v=\"")
        .skip(1)
        .take(3)
        .map(|v| v[..v.find('"').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(total_values, [rows, people, with_errors]);
    assert_eq!(&last_row_values(&html, "trend")[..2], [rows, with_errors]);

    // The misspelt communes of Huyện Ba Tri are one line, in the tables and in the overdue list.
    for misspelt in ["Xã Tân Myy", "Xa Tan My 2", "Xã Tân Mỹy"] {
        assert!(!html.contains(misspelt), "{misspelt} listed on its own");
    }
    let overdue = sheet(&xlsx, "Quá hạn");
    let group: Vec<&Vec<Data>> = overdue[FIRST..]
        .iter()
        .filter(|r| text_of(&r[1]) == "Huyện Ba Tri" && text_of(&r[2]) != "Xã Tân Mỹ")
        .collect();
    assert_eq!(group.len(), 1, "{overdue:?}");
    assert_eq!(text_of(&group[0][2]), "Xã chưa xác định (3 tên)");
    assert_eq!(num(&group[0][3]), 3.0, "its people: E2, E3, E4");
    assert_eq!(num(&group[0][6]), 5.0, "waiting since the 20th");
    assert!(html.contains("Unrecognised communes (3 names)"));
    // The real commune, with its one person, keeps its own line.
    assert!(
        summary_sheet
            .iter()
            .any(|r| text_of(&r[2]) == "Xã Tân Mỹ" && num(&r[4]) == 1.0)
    );

    // Each sheet opens with the title and the date of its figures; prints landscape, one page
    // wide, with the header row on every page and the page number in the footer.
    for name in ["Tổng hợp", "Biểu đồ", "Xu hướng", "Quá hạn"] {
        let s = sheet(&xlsx, name);
        assert!(
            text_of(&s[0][0]).starts_with("BÁO CÁO LÀM SẠCH DỮ LIỆU TIÊM CHỦNG COVID-19"),
            "{name}"
        );
        assert!(text_of(&s[1][0]).contains("25/11/2026"), "{name}");
    }
    for i in 1..=4 {
        let xml = zip_text(&xlsx, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(xml.contains("orientation=\"landscape\""), "sheet {i}");
        assert!(xml.contains("fitToHeight=\"0\""), "sheet {i}");
        assert!(
            xml.contains("<oddFooter>") && xml.contains("&amp;P/&amp;N"),
            "sheet {i}"
        );
    }
    let book = zip_text(&xlsx, "xl/workbook.xml");
    assert_eq!(book.matches("_xlnm.Print_Titles").count(), 4, "{book}");
}
