//! Broken and hostile inputs (docs/SECURITY.md), generated here rather than committed: every subcommand
//! that reads them must neither panic nor hang, must say in one line which file it could not use,
//! and must still process the good file given with it.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{findings, text};

const HEADER: &str =
    "Mã đối tượng,Họ và tên,Ngày sinh,Giới tính,Số CMND/CCCD,Tỉnh/Thành phố,Quận/Huyện,Xã/Phường\n";
const GOOD_ROW: &str = "G1,Lê Văn Tám,01/01/1990,Nam,,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ\n";

/// Writes a part's bytes.
type PartWriter<'a> = &'a dyn Fn(&mut dyn Write);

/// A zip with the given parts (deflated).
fn zip_with(path: &Path, parts: &[(&str, PartWriter<'_>)]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, write) in parts {
        z.start_file(*name, opts).unwrap();
        write(&mut z);
    }
    z.finish().unwrap();
}

/// A workbook whose `xl/sharedStrings.xml` declares 4 KiB in its zip headers and holds 64 MiB.
fn lying_workbook(path: &Path) {
    const PART: &str = "xl/sharedStrings.xml";
    let ns = "http://schemas.openxmlformats.org";
    let text = |t: String| move |w: &mut dyn Write| w.write_all(t.as_bytes()).unwrap();
    let types = text(format!(
        "<?xml version=\"1.0\"?><Types xmlns=\"{ns}/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>"
    ));
    let rels = text(format!(
        "<?xml version=\"1.0\"?><Relationships xmlns=\"{ns}/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    ));
    let book = text(format!(
        "<?xml version=\"1.0\"?><workbook xmlns=\"{ns}/spreadsheetml/2006/main\" \
         xmlns:r=\"{ns}/officeDocument/2006/relationships\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
    ));
    let book_rels = text(format!(
        "<?xml version=\"1.0\"?><Relationships xmlns=\"{ns}/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{ns}/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"
    ));
    let sheet = text(format!(
        "<?xml version=\"1.0\"?><worksheet xmlns=\"{ns}/spreadsheetml/2006/main\"><sheetData>\
         <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Họ và tên</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Số CCCD</t></is></c></row>\
         <row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>001090000001</t></is></c></row></sheetData></worksheet>"
    ));
    let strings = |w: &mut dyn Write| {
        w.write_all(format!("<sst xmlns=\"{ns}/spreadsheetml/2006/main\">").as_bytes())
            .unwrap();
        let one = format!("<si><t>{}</t></si>", "a".repeat(1000)).repeat(1024);
        for _ in 0..64 {
            w.write_all(one.as_bytes()).unwrap();
        }
        w.write_all(b"</sst>").unwrap();
    };
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, PartWriter<'_>); 6] = [
        ("[Content_Types].xml", &types),
        ("_rels/.rels", &rels),
        ("xl/workbook.xml", &book),
        ("xl/_rels/workbook.xml.rels", &book_rels),
        ("xl/worksheets/sheet1.xml", &sheet),
        (PART, &strings),
    ];
    for (name, write) in parts {
        z.start_file(name, opts).unwrap();
        write(&mut z);
    }
    z.finish().unwrap();
    // The lie: 4 KiB in the local header (offset 22) and the central directory (offset 24).
    let mut bytes = std::fs::read(path).unwrap();
    let mut patched = 0;
    for (sig, name_len_at, size_at, name_at) in
        [(b"PK\x03\x04", 26, 22, 30), (b"PK\x01\x02", 28, 24, 46)]
    {
        let mut i = 0;
        while let Some(off) = bytes[i..].windows(4).position(|w| w == sig) {
            let at = i + off;
            let n = u16::from_le_bytes([bytes[at + name_len_at], bytes[at + name_len_at + 1]]);
            if bytes.get(at + name_at..at + name_at + n as usize) == Some(PART.as_bytes()) {
                bytes[at + size_at..at + size_at + 4].copy_from_slice(&4096u32.to_le_bytes());
                patched += 1;
            }
            i = at + 4;
        }
    }
    assert_eq!(patched, 2, "both headers of {PART} patched");
    std::fs::write(path, bytes).unwrap();
}

/// The corpus: (file name, whether a scan must refuse it).
fn corpus(dir: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let mut put = |name: &str, bytes: &[u8], refused: bool| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        out.push((p, refused));
    };
    put("empty.csv", b"", true);
    put("header-only.csv", HEADER.as_bytes(), false);
    let mut x = 0x1234_5678u32;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    put("random.xlsx", &random, true);
    // A password-protected workbook, really encrypted (tests/data/README.md says how it was made);
    // an Excel 97-2003 workbook renamed .xlsx; an OLE header and nothing behind it.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    put(
        "password.xlsx",
        &std::fs::read(data.join("password.xlsx")).unwrap(),
        true,
    );
    put(
        "renamed-xls.xlsx",
        &std::fs::read(common::fixture("sample.xls")).unwrap(),
        true,
    );
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend_from_slice(&random[..504]);
    put("ole-header.xlsx", &ole, true);
    let sample = std::fs::read(common::fixture("sample.xlsx")).unwrap();
    put("truncated.xlsx", &sample[..sample.len() / 2], true);
    // NUL bytes, bytes that are not UTF-8, a 5 MB field, an unbalanced quote, ragged rows,
    // duplicated headers, formula-looking values.
    put(
        "nul.csv",
        format!("{HEADER}N1,Lê\0Văn,01/01/1990,Nam,\0,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ\n")
            .as_bytes(),
        false,
    );
    let mut bad_utf8 = HEADER.as_bytes().to_vec();
    bad_utf8.extend_from_slice(b"U1,L\xff\xfe V\xc3n,01/01/1990,Nam,,T\x80,H,X\n");
    put("invalid-utf8.csv", &bad_utf8, false);
    put(
        "big-field.csv",
        format!(
            "{HEADER}B1,{},01/01/1990,Nam,,Tỉnh Bến Tre,Huyện Ba Tri,Xã Tân Mỹ\n",
            "A".repeat(5 << 20)
        )
        .as_bytes(),
        false,
    );
    put(
        "quotes.csv",
        format!("{HEADER}Q1,\"Lê Văn,01/01/1990,Nam,,a,b,c\nQ2,Lê,01/01/1990,Nam,,a,b,c\n")
            .as_bytes(),
        false,
    );
    put(
        "ragged.csv",
        format!("{HEADER}R1,Lê Văn A\nR2,Lê Văn B,01/01/1990,Nam,,a,b,c,d,e\n").as_bytes(),
        false,
    );
    put(
        "duplicate-headers.csv",
        "Họ và tên,Họ và tên,Số CMND/CCCD,Số CMND/CCCD\nLê Văn A,Lê Văn B,001090000001,x\n"
            .as_bytes(),
        false,
    );
    put(
        "formulas.csv",
        format!("{HEADER}=HYPERLINK(\"x\"),@SUM(A1),-1+1,+84 912,=1,@x,-x,+y\n").as_bytes(),
        false,
    );
    // 16,384 columns.
    let mut wide = String::from("Họ và tên,Số CMND/CCCD");
    for i in 2..16384 {
        wide.push_str(&format!(",c{i}"));
    }
    wide.push_str("\nLê Văn A,001090000001");
    wide.push_str(&",x".repeat(16382));
    wide.push('\n');
    put("wide.csv", wide.as_bytes(), false);

    // A zip that is not a workbook; a workbook whose sheet inflates to 1 GiB (a zip bomb).
    let p = dir.join("not-a-workbook.xlsx");
    zip_with(
        &p,
        &[("hello.txt", &|w: &mut dyn Write| {
            w.write_all(b"hello").unwrap()
        })],
    );
    out.push((p, true));
    let p = dir.join("bomb.xlsx");
    zip_with(
        &p,
        &[("xl/worksheets/sheet1.xml", &|w: &mut dyn Write| {
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..1024 {
                w.write_all(&chunk).unwrap();
            }
        })],
    );
    out.push((p, true));
    // A workbook whose shared strings say they inflate to 4 KiB and inflate to 64 MiB.
    let p = dir.join("lying-size.xlsx");
    lying_workbook(&p);
    out.push((p, true));
    // A stray cell at XFD1048576 below a real table.
    let p = dir.join("stray-cell.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Số CMND/CCCD"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Lê Văn A").unwrap();
    ws.write_string(1, 1, "001090000001").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    book.save(&p).unwrap();
    out.push((p, false));
    out
}

/// Runs vaxclean with a deadline: a hang fails the test instead of blocking it.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vaxclean"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("vaxclean {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn scan_and_export_survive_every_broken_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.csv"), format!("{HEADER}{GOOD_ROW}")).unwrap();
    for (bad, refused) in corpus(d) {
        let bad_name = name(&bad);
        for cmd in ["scan", "export-list"] {
            let out_dir = format!("out-{cmd}-{bad_name}");
            let out = run_bounded(
                d,
                &[
                    cmd,
                    "good.csv",
                    &bad_name,
                    "--out",
                    &out_dir,
                    "--as-of",
                    common::AS_OF,
                    "-q",
                    "--allow-partial",
                ],
            );
            let (stdout, stderr) = text(&out);
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 2)),
                "{cmd} {bad_name}: exit {code:?}\n{stdout}\n{stderr}"
            );
            assert!(!stderr.contains("panicked"), "{cmd} {bad_name}: {stderr}");
            if refused {
                assert_eq!(code, Some(2), "{cmd} {bad_name} must be refused: {stderr}");
                let line = stderr.lines().find(|l| l.contains(&bad_name));
                assert!(
                    line.is_some(),
                    "{cmd} {bad_name}: no line names it: {stderr}"
                );
            }
            // The good file was processed all the same.
            if cmd == "scan" {
                let f = findings(&d.join(&out_dir).join("findings.csv"));
                assert!(
                    f.iter()
                        .any(|r| r["source"] == "good.csv" && r["code"] == "ID_MISSING"),
                    "{bad_name}: the good file's finding is missing"
                );
            } else {
                let index = std::fs::read_to_string(d.join(&out_dir).join("index.csv"))
                    .unwrap_or_else(|e| panic!("{bad_name}: {e}: {stderr}"));
                assert!(index.contains("Xã Tân Mỹ"), "{bad_name}: {index}");
            }
        }
    }
    // Nothing was written outside the output folders.
    for e in std::fs::read_dir(d).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            n.starts_with("out-") || n.ends_with(".csv") || n.ends_with(".xlsx"),
            "unexpected {n}"
        );
    }
}

#[test]
fn a_password_protected_workbook_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    corpus(d);
    let out = run_bounded(d, &["scan", "password.xlsx", "--out", "o", "--lang", "en"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("'password.xlsx': the workbook is protected by a password"),
        "{stderr}"
    );
    let out = run_bounded(d, &["scan", "password.xlsx", "--out", "o"]);
    assert!(text(&out).1.contains("có đặt mật khẩu"), "{:?}", text(&out));
}

#[test]
fn a_renamed_xls_and_a_bare_ole_header_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    corpus(d);
    let out = run_bounded(
        d,
        &[
            "scan",
            "renamed-xls.xlsx",
            "ole-header.xlsx",
            "--out",
            "o",
            "--lang",
            "en",
        ],
    );
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("'renamed-xls.xlsx': this is an Excel 97-2003 workbook"),
        "{stderr}"
    );
    assert!(
        stderr.contains("'ole-header.xlsx': cannot read"),
        "{stderr}"
    );
}

/// Scans `bad` (already in `dir`) beside a good file, in English: the run fails with exit 2 and
/// one line (given back), and the good file's finding is still written.
fn scan_beside_a_good_file(dir: &Path, bad: &str) -> String {
    std::fs::write(dir.join("good.csv"), format!("{HEADER}{GOOD_ROW}")).unwrap();
    let out = run_bounded(
        dir,
        &[
            "scan",
            bad,
            "good.csv",
            "--out",
            "o",
            "--lang",
            "en",
            "--allow-partial",
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        findings(&dir.join("o/findings.csv"))
            .iter()
            .any(|f| f["record_id"] == "G1")
    );
    stderr
}

/// The zip crate stops a part at the size its headers declare, and those sizes are what the
/// zip-bomb check bounds: a part that lies is cut off, not inflated.
#[test]
fn a_zip_part_lying_about_its_size_stops_at_the_declared_size() {
    let dir = tempfile::tempdir().unwrap();
    lying_workbook(&dir.path().join("lying-size.xlsx"));
    let stderr = scan_beside_a_good_file(dir.path(), "lying-size.xlsx");
    assert!(
        stderr.contains("'lying-size.xlsx': cannot read") && stderr.contains("declared"),
        "{stderr}"
    );
}

#[test]
fn the_zip_bomb_is_refused_before_it_is_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let items = corpus(d);
    let bomb = items.iter().find(|(p, _)| name(p) == "bomb.xlsx").unwrap();
    let out = run_bounded(d, &["scan", "bomb.xlsx", "--out", "o", "--lang", "en"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("'bomb.xlsx': refused"), "{stderr}");
    assert!(stderr.contains("1024 MiB"), "{stderr}");
    assert!(std::fs::metadata(&bomb.0).unwrap().len() < 4 << 20);
}

#[test]
fn apply_refuses_broken_returned_workbooks_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.csv"), format!("{HEADER}{GOOD_ROW}")).unwrap();
    let ret = d.join("returned");
    std::fs::create_dir(&ret).unwrap();
    let items = corpus(&ret);
    // The csv files of the corpus are not lists; keep the workbooks.
    for (p, _) in &items {
        if p.extension().is_some_and(|e| e == "csv") {
            std::fs::remove_file(p).unwrap();
        }
    }
    let out = run_bounded(
        d,
        &[
            "apply-corrections",
            "--source",
            "good.csv",
            "--corrections",
            "returned",
            "--out",
            "res",
            "--lang",
            "en",
            "--allow-partial",
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for (p, _) in items
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "xlsx"))
    {
        let n = name(p);
        assert_eq!(
            stderr.lines().filter(|l| l.contains(&n)).count(),
            1,
            "{n}: one line\n{stderr}"
        );
    }
    // The source is untouched and copied as it was.
    assert_eq!(
        std::fs::read(d.join("res/merged/good.csv")).unwrap(),
        std::fs::read(d.join("good.csv")).unwrap()
    );
}

#[test]
fn nothing_personal_reaches_the_terminal_or_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = common::fixture("sample.csv");
    let out = run_bounded(
        d,
        &[
            "scan",
            input.to_str().unwrap(),
            "--out",
            "o",
            "--as-of",
            common::AS_OF,
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let (stdout, stderr) = text(&out);
    let summary = std::fs::read_to_string(d.join("o/summary.json")).unwrap();
    let mut rdr = csv::Reader::from_path(&input).unwrap();
    let headers: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (name, birth, id, phone) = (
        col("Họ và tên"),
        col("Ngày sinh"),
        col("Số CMND/CCCD"),
        col("Số điện thoại"),
    );
    let mut checked = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let personal = [
            // Names of three words or more (two-word names can be place names too).
            Some(&r[name]).filter(|n| n.split_whitespace().count() >= 3),
            Some(&r[id]).filter(|v| v.len() >= 9),
            Some(&r[phone]).filter(|v| v.len() >= 9),
            Some(&r[birth]).filter(|v| v.len() >= 8),
        ];
        for v in personal.into_iter().flatten() {
            checked += 1;
            for (what, text) in [
                ("stdout", &stdout),
                ("stderr", &stderr),
                ("summary.json", &summary),
            ] {
                assert!(!text.contains(v), "{what} holds {v:?}");
            }
        }
    }
    assert!(checked > 500, "{checked} values checked");
}

/// Files under `dir` whose name starts with vaxclean's temporary prefix.
fn temps(dir: &Path) -> Vec<PathBuf> {
    common::walk(dir)
        .into_iter()
        .filter(|p| name(p).starts_with(".vaxclean-tmp."))
        .collect()
}

#[test]
fn a_killed_scan_leaves_the_old_output_or_the_new_never_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = common::run(
        d,
        &[
            "sample",
            "--rows",
            "60000",
            "--seed",
            "9",
            "--out",
            "dump.csv",
            "--as-of",
            common::AS_OF,
        ],
    );
    assert!(out.status.success());
    let scan = [
        "scan",
        "dump.csv",
        "--out",
        "o",
        "--as-of",
        common::AS_OF,
        "-q",
    ];
    assert_eq!(run_bounded(d, &scan).status.code(), Some(0));
    // The same input gives the same bytes: after any kill, what is there must be exactly this.
    let findings_ref = std::fs::read(d.join("o/findings.csv")).unwrap();
    kill_at_moments(d, &scan, &|delay_ms| {
        assert_eq!(
            std::fs::read(d.join("o/findings.csv")).unwrap(),
            findings_ref,
            "killed after {delay_ms} ms"
        );
        let summary = std::fs::read(d.join("o/summary.json")).unwrap();
        assert!(
            serde_json::from_slice::<serde_json::Value>(&summary).is_ok(),
            "{delay_ms} ms"
        );
    });
    // What killed runs left behind is hidden, and the next run clears it once it is stale.
    let left = temps(d);
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    let mut aged = std::fs::File::create(d.join("o/.vaxclean-tmp.findings.csv.x.tmp")).unwrap();
    aged.write_all(b"half").unwrap();
    aged.set_modified(old).unwrap();
    for p in &left {
        if let Ok(f) = std::fs::OpenOptions::new().write(true).open(p) {
            f.set_modified(old).unwrap();
        }
    }
    assert_eq!(run_bounded(d, &scan).status.code(), Some(0));
    assert!(temps(d).is_empty(), "{:?}", temps(d));
    assert_eq!(
        std::fs::read(d.join("o/findings.csv")).unwrap(),
        findings_ref
    );
}

/// Kills `args` at several moments; after each kill, `check` sees what is on disk.
fn kill_at_moments(d: &Path, args: &[&str], check: &dyn Fn(u64)) {
    for delay_ms in [40u64, 120, 250, 450, 700] {
        common::kill_after(d, args, delay_ms);
        check(delay_ms);
    }
}

#[test]
fn killed_exports_and_applies_leave_only_whole_files() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = common::run(
        d,
        &[
            "sample",
            "--people",
            "20000",
            "--communes",
            "40",
            "--defect-rate",
            "0.3",
            "--seed",
            "4",
            "--out",
            "dump.csv",
            "--as-of",
            common::AS_OF,
        ],
    );
    assert!(out.status.success());
    let export = [
        "export-list",
        "dump.csv",
        "--out",
        "lists",
        "--as-of",
        common::AS_OF,
        "-q",
    ];
    // Every workbook present opens, with its list and its hidden sheet; index.csv is whole.
    let whole = |delay: u64| {
        if !d.join("lists").exists() {
            return;
        }
        for p in common::walk(&d.join("lists")) {
            let n = name(&p);
            // Temporary files and the tool's bookkeeping (lock, notes, staging folder).
            if p.strip_prefix(d.join("lists"))
                .unwrap()
                .to_string_lossy()
                .starts_with(".vaxclean")
            {
                continue;
            }
            if n == "index.csv" {
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(text.ends_with("\r\n"), "{delay} ms: index.csv cut");
                continue;
            }
            let mut book = calamine::open_workbook_auto(&p)
                .unwrap_or_else(|e| panic!("{delay} ms: {n} is not whole: {e}"));
            assert!(book.worksheet_range("vaxclean").is_ok(), "{delay} ms: {n}");
        }
    };
    kill_at_moments(d, &export, &whole);
    assert_eq!(run_bounded(d, &export).status.code(), Some(0));
    whole(0);

    // Apply the (unfilled) lists; kills leave the merged copy either absent or whole.
    let apply = [
        "apply-corrections",
        "--source",
        "dump.csv",
        "--corrections",
        "lists",
        "--out",
        "res",
        "--as-of",
        common::AS_OF,
        "-q",
    ];
    let source = std::fs::read(d.join("dump.csv")).unwrap();
    let merged_whole = |delay: u64| {
        if let Ok(m) = std::fs::read(d.join("res/merged/dump.csv")) {
            assert_eq!(m, source, "{delay} ms: merged copy cut");
        }
        if let Ok(a) = std::fs::read_to_string(d.join("res/audit.csv")) {
            assert!(a.ends_with("\r\n"), "{delay} ms: audit.csv cut");
        }
    };
    kill_at_moments(d, &apply, &merged_whole);
    assert_eq!(run_bounded(d, &apply).status.code(), Some(0));
    merged_whole(0);
    assert_eq!(
        std::fs::read(d.join("dump.csv")).unwrap(),
        source,
        "the source untouched"
    );
}

/// Runs scan, export-list and apply-corrections on `bad` (a committed input the fuzzer made) beside
/// a good file; each says in one line that it could not use `bad` (with `expect` in it), never
/// shows a panic, and still does its work on the good file.
fn every_subcommand_costs_one_file(bad: &str, expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    std::fs::copy(data.join(bad), d.join(bad)).unwrap();
    std::fs::write(d.join("good.csv"), format!("{HEADER}{GOOD_ROW}")).unwrap();
    let runs: [&[&str]; 3] = [
        &[
            "scan",
            bad,
            "good.csv",
            "--out",
            "o",
            "--lang",
            "en",
            "--allow-partial",
        ],
        &[
            "export-list",
            bad,
            "good.csv",
            "--out",
            "l",
            "--lang",
            "en",
            "--allow-partial",
        ],
        &[
            "apply-corrections",
            "--source",
            "good.csv",
            "--corrections",
            bad,
            "--out",
            "r",
            "--lang",
            "en",
            "--allow-partial",
        ],
    ];
    for args in runs {
        let out = run_bounded(d, args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(bad)).collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line\n{stderr}");
        assert!(lines[0].contains(expect), "{args:?}: {stderr}");
    }
    let found = findings(&d.join("o/findings.csv"));
    assert!(found.iter().any(|f| f["record_id"] == "G1"), "{found:?}");
    assert!(d.join("l/index.csv").exists());
    assert_eq!(
        std::fs::read(d.join("r/merged/good.csv")).unwrap(),
        std::fs::read(d.join("good.csv")).unwrap()
    );
}

/// Found by the fuzzer (workbook target): calamine panicked on an .xls whose sector table points
/// past the end of the file ("slice index starts at 9216 but ends at 9059") and took the whole run
/// down. A malformed container is now refused before calamine sees it (`input::xls`), and readers
/// run behind `input::guard` (proven by `a_panicking_reader_costs_one_file_and_prints_no_panic`).
#[test]
fn fuzz_xls_sector_past_end_costs_one_file_not_the_run() {
    every_subcommand_costs_one_file("xls-sector-past-end.xls", "cannot read");
}

/// Found by the fuzzer (workbook target): a 10 KB .xls with a cell at column ~60,000 made calamine
/// build a dense grid of 63 million cells (3.9 GB). Sheets beyond the format's 65,536 × 256 are
/// refused before calamine reads them (`input::xls`).
#[test]
fn fuzz_xls_cell_outside_the_format_is_refused_before_reading() {
    every_subcommand_costs_one_file(
        "xls-cell-outside-format.xls",
        "more than an .xls file can hold",
    );
}

/// Found by the fuzzer (workbook target): an .xls with a malformed directory entry, which calamine
/// reads past, holds cells spanning 1.1 billion grid cells: calamine asked for 36 GB and the process
/// aborted. The container is now checked first (`cfb` crate) and the file refused.
#[test]
fn fuzz_xls_malformed_directory_is_refused_not_read_into_gigabytes() {
    every_subcommand_costs_one_file("xls-malformed-directory.xls", "damaged Excel 97-2003 file");
}

/// `report` fed broken scan summaries: each is left out with one line naming it, the good scans
/// are still reported, and nothing from a summary reaches the HTML as markup. A broken history is
/// one line too.
#[test]
fn report_leaves_out_broken_summaries_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.csv"), format!("{HEADER}{GOOD_ROW}")).unwrap();
    let out = run_bounded(d, &["scan", "good.csv", "--out", "good", "-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let broken: [(&str, &[u8]); 5] = [
        ("empty", b""),
        ("truncated", b"{\"units\": [{\"province\": \"T"),
        ("not-ours", b"[1, 2, 3]"),
        ("binary", b"\xff\xfe\x00\x01PK\x03\x04"),
        ("no-units", b"{\"rows\": 5}"),
    ];
    let mut args: Vec<String> = vec!["report".into(), "good".into()];
    for (name, bytes) in broken {
        std::fs::create_dir(d.join(name)).unwrap();
        std::fs::write(d.join(name).join("summary.json"), bytes).unwrap();
        args.push(name.into());
    }
    std::fs::create_dir(d.join("no-summary")).unwrap();
    args.push("no-summary".into());
    // Valid, but hostile: numbers at u64's limit (twice, so sums overflow) and markup in names.
    let hostile = "{\"units\": [{\"province\": \"<script>alert(1)</script>\", \"district\": \"\", \
         \"commune\": \"../../x\", \"rows\": 18446744073709551615, \"people\": 18446744073709551615, \
         \"people_with_errors\": 18446744073709551615, \"by_code\": {\"ID_MISSING\": 18446744073709551615}}]}";
    for name in ["huge-1", "huge-2"] {
        std::fs::create_dir(d.join(name)).unwrap();
        std::fs::write(d.join(name).join("summary.json"), hostile).unwrap();
        args.push(name.into());
    }
    args.extend(["--out".into(), "rep".into(), "--lang".into(), "en".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_bounded(d, &args);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for name in [
        "empty",
        "truncated",
        "not-ours",
        "binary",
        "no-units",
        "no-summary",
    ] {
        let lines = stderr
            .lines()
            .filter(|l| l.contains(&format!("{name}/summary.json")))
            .count();
        assert_eq!(lines, 1, "{name}: one line\n{stderr}");
    }
    assert!(!stderr.contains("good/summary.json"), "{stderr}");
    let html = std::fs::read_to_string(d.join("rep/report.html")).unwrap();
    assert!(
        !html.contains("<script"),
        "markup from a summary reached the page"
    );
    // A place no gazetteer knows is not named: it counts in the group of unrecognised communes.
    assert!(
        !html.contains("script&gt;"),
        "the hostile name is not shown"
    );
    assert!(
        html.contains("Unrecognised communes (1 name)"),
        "it is counted in the group"
    );
    assert!(d.join("rep/report.xlsx").exists());
    let mut written: Vec<String> = std::fs::read_dir(d.join("rep"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".vaxclean"))
        .collect();
    written.sort();
    assert_eq!(written, ["report.html", "report.xlsx"]);

    // Only broken summaries: an error, no report.
    let out = run_bounded(d, &["report", "empty", "--out", "rep2", "--lang", "en"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("empty/summary.json"), "{stderr}");

    // A history that is not a database.
    std::fs::write(
        d.join("history.db"),
        b"this is not a database at all, just text",
    )
    .unwrap();
    let out = run_bounded(
        d,
        &[
            "report",
            "--history",
            "history.db",
            "--out",
            "rep3",
            "--lang",
            "en",
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("history.db"), "{stderr}");
}

/// An Excel 97-2003 workbook saved with a password: the committed .xls fixture with a FILEPASS
/// record (RC4, as Excel writes it) after its first BOF. (No tool here encrypts an .xls, and the
/// refusal happens on that record, before anything encrypted would be read.)
fn password_xls(path: &Path) {
    use std::io::Read;
    std::fs::copy(common::fixture("sample.xls"), path).unwrap();
    let mut book = cfb::open_rw(path).unwrap();
    let mut bytes = Vec::new();
    book.open_stream("/Workbook")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(
        &bytes[..2],
        &[0x09, 0x08],
        "the stream starts with a BOF record"
    );
    let at = 4 + usize::from(u16::from_le_bytes([bytes[2], bytes[3]]));
    let mut filepass = vec![0x2F, 0x00, 54, 0x00, 1, 0, 1, 0, 1, 0];
    filepass.extend([0x5Au8; 48]);
    bytes.splice(at..at, filepass);
    book.create_stream("/Workbook")
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    book.flush().unwrap();
}

#[test]
fn a_password_protected_xls_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    password_xls(&dir.path().join("password.xls"));
    let stderr = scan_beside_a_good_file(dir.path(), "password.xls");
    assert!(
        stderr.contains("'password.xls': the workbook is protected by a password"),
        "{stderr}"
    );
}

/// The wall around the readers, end to end: a reader that panics (a test hook of debug builds,
/// since the inputs the fuzzer found are now refused before any reader runs) costs its file one
/// line, prints no panic message, and the other file is still scanned.
#[test]
fn a_panicking_reader_costs_one_file_and_prints_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.csv"), format!("{HEADER}{GOOD_ROW}")).unwrap();
    // Other bytes than good.csv (a copy would be read once, and never reach its reader).
    std::fs::write(d.join("other.csv"), format!("{HEADER}{GOOD_ROW}{GOOD_ROW}")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vaxclean"))
        .args([
            "scan",
            "good.csv",
            "other.csv",
            "--out",
            "o",
            "--lang",
            "en",
            "--allow-partial",
        ])
        .env("VAXCLEAN_TEST_READER_PANIC", "other.csv")
        .current_dir(d)
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("'other.csv': cannot read: internal error of the reader (test hook"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked at"), "{stderr}");
    let found = findings(&d.join("o/findings.csv"));
    assert!(found.iter().any(|f| f["record_id"] == "G1"));
    assert!(found.iter().all(|f| f["source"] == "good.csv"), "{found:?}");
}
