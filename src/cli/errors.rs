//! clap's argument errors said in Vietnamese: the kind of mistake, the argument or value at
//! fault (from the error's context), the valid choices or a suggestion when clap has one, and
//! the usage line. The exit code stays clap's.

use clap::error::{ContextKind, ContextValue, Error, ErrorKind};

/// The Vietnamese text of an argument error (what `error.render()` says in English).
pub fn vietnamese(error: &Error) -> String {
    let ctx = |kind: ContextKind| -> Option<String> {
        error.get(kind).map(|v| match v {
            ContextValue::String(s) => s.clone(),
            ContextValue::Strings(list) => list.join(", "),
            ContextValue::StyledStr(s) => s.to_string(),
            ContextValue::StyledStrs(list) => list
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            ContextValue::Number(n) => n.to_string(),
            ContextValue::Bool(b) => b.to_string(),
            _ => String::new(),
        })
    };
    let q = |kind: ContextKind| ctx(kind).map(|s| format!("'{s}'")).unwrap_or_default();
    let arg = q(ContextKind::InvalidArg);
    let value = q(ContextKind::InvalidValue);
    let line = match error.kind() {
        ErrorKind::InvalidValue if value == "''" => {
            format!("tham số {arg} cần một giá trị, nhưng giá trị đang trống")
        }
        ErrorKind::InvalidValue => format!("giá trị {value} không hợp lệ cho {arg}"),
        ErrorKind::UnknownArgument => format!("không có tham số {arg}"),
        ErrorKind::InvalidSubcommand => {
            format!("không có lệnh {}", q(ContextKind::InvalidSubcommand))
        }
        ErrorKind::NoEquals => format!("tham số {arg} cần dấu '=' trước giá trị"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(error)
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            format!("giá trị {value} không hợp lệ cho {arg}{why}")
        }
        ErrorKind::TooManyValues => format!("thừa giá trị {value} cho {arg}"),
        ErrorKind::TooFewValues => format!(
            "tham số {arg} cần ít nhất {} giá trị, mới có {}",
            ctx(ContextKind::MinValues).unwrap_or_default(),
            ctx(ContextKind::ActualNumValues).unwrap_or_default()
        ),
        ErrorKind::WrongNumberOfValues => format!(
            "tham số {arg} cần {} giá trị, mới có {}",
            ctx(ContextKind::ExpectedNumValues).unwrap_or_default(),
            ctx(ContextKind::ActualNumValues).unwrap_or_default()
        ),
        ErrorKind::ArgumentConflict => match ctx(ContextKind::PriorArg) {
            Some(prior) if prior.contains(&arg.replace('\'', "")) || arg.is_empty() => {
                format!("tham số '{prior}' chỉ được dùng một lần")
            }
            Some(prior) => format!("không dùng được {arg} cùng với '{prior}'"),
            None => format!("không dùng được {arg} ở đây"),
        },
        ErrorKind::MissingRequiredArgument => format!(
            "thiếu tham số bắt buộc: {}",
            ctx(ContextKind::InvalidArg).unwrap_or_default()
        ),
        ErrorKind::MissingSubcommand => format!(
            "cần chọn một lệnh: {}",
            ctx(ContextKind::ValidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidUtf8 => {
            "một tham số có ký tự không đọc được (không phải UTF-8)".to_string()
        }
        _ => {
            // Help, version, I/O: nothing to translate beyond clap's own text.
            let text = error.render().to_string();
            return text.replacen("error:", "lỗi:", 1);
        }
    };
    let mut out = format!("lỗi: {line}\n");
    let valid = ctx(ContextKind::ValidValue);
    if let Some(valid) = valid.filter(|v| !v.is_empty()) {
        out.push_str(&format!("  [giá trị được nhận: {valid}]\n"));
    }
    for kind in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
        ContextKind::SuggestedSubcommand,
    ] {
        if let Some(s) = ctx(kind).filter(|s| !s.is_empty()) {
            out.push_str(&format!("\n  gợi ý: có phải ý bạn là '{s}'?\n"));
        }
    }
    if ctx(ContextKind::TrailingArg).is_some_and(|t| t == "true") {
        out.push_str("\n  gợi ý: để dùng giá trị bắt đầu bằng '-', đặt '--' trước nó\n");
    }
    if let Some(usage) = ctx(ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        out.push_str(&format!("\nCách dùng: {usage}\n"));
    }
    out.push_str("\nXem hướng dẫn: thêm --help vào cuối lệnh.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    fn error_of(args: &[&str]) -> String {
        let cmd = crate::cli::help::vietnamese(Cli::command());
        match cmd.try_get_matches_from(args) {
            Ok(_) => panic!("{args:?} was accepted"),
            Err(e) => vietnamese(&e),
        }
    }

    #[test]
    fn argument_errors_are_said_in_vietnamese() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["vaxclean", "scan", "a.csv", "--nope"],
                "không có tham số '--nope'",
            ),
            (&["vaxclean", "scna"], "không có lệnh 'scna'"),
            (
                &["vaxclean", "scan", "a.csv", "--fail-on", "x"],
                "giá trị 'x' không hợp lệ cho '--fail-on <SEVERITY>'",
            ),
            (&["vaxclean", "scan"], "thiếu tham số bắt buộc: <INPUT>..."),
            (
                &["vaxclean", "scan", "a.csv", "--header-row", "0"],
                "giá trị '0' không hợp lệ cho '--header-row <N>'",
            ),
            (
                &["vaxclean", "report", "a", "--history", "h"],
                "không dùng được '[SCAN_DIR]...' cùng với '--history <FILE>'",
            ),
        ];
        for (args, want) in cases {
            let text = error_of(args);
            assert!(text.starts_with("lỗi: "), "{text}");
            assert!(text.contains(want), "{args:?}: {text}");
            assert!(text.contains("Xem hướng dẫn: thêm --help"), "{text}");
            assert!(
                !text.contains("Usage") && !text.contains("error:"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_near_miss_gets_a_suggestion_and_the_valid_values() {
        let text = error_of(&["vaxclean", "scan", "a.csv", "--fail-on", "warn"]);
        assert!(
            text.contains("[giá trị được nhận: error, warning]"),
            "{text}"
        );
        let text = error_of(&["vaxclean", "scan", "a.csv", "--quite"]);
        assert!(
            text.contains("gợi ý: có phải ý bạn là '--quiet'?"),
            "{text}"
        );
        let text = error_of(&["vaxclean", "exprt-list"]);
        assert!(text.contains("'export-list'"), "{text}");
    }
}
