//! The command line in the user's language: `--help` of the top level and of every subcommand,
//! and argument errors, in Vietnamese by default, in English with `--lang en` or with
//! `VAXCLEAN_LANG=en`; clap's exit codes (0 for help, 2 for a mistake) either way.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Output};

const SUBCOMMANDS: [&str; 6] = [
    "scan",
    "export-list",
    "apply-corrections",
    "repair",
    "report",
    "sample",
];

/// Runs vaxclean with `args` and `VAXCLEAN_LANG` set to `env` (or unset), in a folder of its own.
fn run(args: &[&str], env: Option<&str>) -> (Output, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vaxclean"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_remove("VAXCLEAN_LANG");
    if let Some(v) = env {
        cmd.env("VAXCLEAN_LANG", v);
    }
    let out = cmd.output().unwrap();
    let (stdout, stderr) = common::text(&out);
    (out, stdout, stderr)
}

#[test]
fn help_is_vietnamese_by_default() {
    let (out, stdout, _) = run(&["--help"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains("Cách dùng: vaxclean [TÙY_CHỌN] <LỆNH>"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Lệnh:") && stdout.contains("Tùy chọn:"),
        "{stdout}"
    );
    assert!(stdout.contains("Ví dụ:"), "{stdout}");
    assert!(
        !stdout.contains("Usage:") && !stdout.contains("Print help"),
        "{stdout}"
    );
    // `-h` too, in its shorter layout.
    let (out, short, _) = run(&["-h"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        short.contains("Cách dùng: vaxclean [TÙY_CHỌN] <LỆNH>"),
        "{short}"
    );
}

#[test]
fn help_is_english_with_lang_en_or_the_environment_variable() {
    for (args, env) in [
        (&["--help", "--lang", "en"][..], None),
        (&["--lang=en", "--help"][..], None),
        (&["--help"][..], Some("en")),
        (&["--help"][..], Some("EN")),
    ] {
        let (out, stdout, _) = run(args, env);
        assert_eq!(out.status.code(), Some(0), "{args:?} {env:?}");
        assert!(
            stdout.contains("Usage: vaxclean [OPTIONS] <COMMAND>"),
            "{stdout}"
        );
        assert!(stdout.contains("[env: VAXCLEAN_LANG"), "{stdout}");
        assert!(!stdout.contains("Cách dùng"), "{stdout}");
    }
    // `--lang` wins over the environment.
    let (_, stdout, _) = run(&["--help", "--lang", "vi"], Some("en"));
    assert!(stdout.contains("Cách dùng"), "{stdout}");
}

#[test]
fn every_subcommand_has_its_help_and_examples_in_both_languages() {
    for sub in SUBCOMMANDS {
        let (out, vi, _) = run(&[sub, "--help"], None);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        assert!(
            vi.contains(&format!("Cách dùng: vaxclean {sub} [TÙY_CHỌN]")),
            "{vi}"
        );
        assert!(
            vi.contains("Ví dụ:") && vi.contains(&format!("  vaxclean {sub} ")),
            "{vi}"
        );
        assert!(
            vi.contains("-h, --help") && vi.contains("In hướng dẫn này."),
            "{vi}"
        );
        assert!(
            !vi.contains("Options:") && !vi.contains("[default:"),
            "{vi}"
        );
        // The same through `vaxclean help <subcommand>`.
        let (_, via_help, _) = run(&["help", sub], None);
        assert!(
            via_help.contains(&format!("Cách dùng: vaxclean {sub}")),
            "{via_help}"
        );
        let (out, en, _) = run(&[sub, "--help", "--lang", "en"], None);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        assert!(
            en.contains(&format!("Usage: vaxclean {sub} [OPTIONS]")),
            "{en}"
        );
        assert!(en.contains("Examples:"), "{en}");
    }
}

#[test]
fn a_bad_argument_is_refused_in_vietnamese_with_exit_code_2() {
    let (out, stdout, stderr) = run(&["scan", "a.csv", "--fail-on", "warn"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("lỗi: giá trị 'warn' không hợp lệ cho '--fail-on <SEVERITY>'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[giá trị được nhận: error, warning]"),
        "{stderr}"
    );
    let (out, _, stderr) = run(&["scna", "a.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("không có lệnh 'scna'"), "{stderr}");
    assert!(stderr.contains("có phải ý bạn là 'scan'?"), "{stderr}");
    let (out, _, stderr) = run(&["scan"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("thiếu tham số bắt buộc: <INPUT>..."),
        "{stderr}"
    );
    assert!(
        stderr.contains("Cách dùng: vaxclean scan [TÙY_CHỌN] <INPUT>..."),
        "{stderr}"
    );
    // In English, clap's own words.
    let (out, _, stderr) = run(&["scan", "a.csv", "--nope"], Some("en"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with("error: unexpected argument '--nope'"),
        "{stderr}"
    );
    // A language that does not exist is itself refused, in Vietnamese.
    let (out, _, stderr) = run(&["scan", "a.csv", "--lang", "fr"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("giá trị 'fr' không hợp lệ cho '--lang <LANG>'"),
        "{stderr}"
    );
}

#[test]
fn the_environment_variable_sets_the_language_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("không-có.csv");
    let missing = missing.to_str().unwrap();
    let (out, _, stderr) = run(&["scan", missing, "--out", "o", "-q"], Some("en"));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("No such file"), "{stderr}");
    let (_, _, stderr) = run(&["scan", missing, "--out", "o", "-q"], None);
    assert!(stderr.contains("không có tệp hoặc thư mục này"), "{stderr}");
}

#[test]
fn an_os_error_is_said_with_what_to_do() {
    // The output folder's parent is a file: the folder cannot be made.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tệp"), "x").unwrap();
    let out_dir = dir.path().join("tệp").join("ket-qua");
    let sample = common::fixture("sample.csv");
    let args = [
        "scan",
        sample.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "-q",
    ];
    let (out, _, stderr) = run(&args, None);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("không ghi được vào thư mục đầu ra"),
        "{stderr}"
    );
    assert!(stderr.contains("rồi chạy lại"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
}
