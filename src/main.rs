//! The `vaxclean` binary: parse the arguments, run, print an error if the tool could not do its
//! job, and turn the outcome into the exit code. Everything else is in the library.

use std::process::ExitCode;

use vaxclean::cli;
use vaxclean::commands;
use vaxclean::exit;

fn main() -> ExitCode {
    vaxclean::input::guard::install_quiet_hook();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match cli::parse_from(args, std::env::var_os(cli::LANG_VAR).as_deref()) {
        Ok(cli) => cli,
        // The help or version asked for, or an argument error: in the language asked for.
        Err(refusal) => {
            let _ = refusal.print();
            return ExitCode::from(refusal.exit_code());
        }
    };
    let lang: vaxclean::i18n::Lang = cli.lang.into();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        // Output piped into `head` and closed early: nothing to report.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            // Each cause once, on one line.
            let mut parts: Vec<String> = Vec::new();
            for cause in e.chain() {
                // An OS error a person can meet is said in their language, with what to do.
                let text = cause
                    .downcast_ref::<std::io::Error>()
                    .and_then(|io| vaxclean::i18n::os_error(io, lang))
                    .unwrap_or_else(|| cause.to_string());
                if !parts.iter().any(|p| p.contains(&text)) {
                    parts.push(text);
                }
            }
            let label = lang.pick("lỗi", "error");
            let line = parts.join(": ");
            eprintln!("vaxclean: {label}: {}", vaxclean::util::printable(&line));
            ExitCode::from(exit::TROUBLE)
        }
    }
}
