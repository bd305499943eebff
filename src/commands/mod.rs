//! One file per subcommand: orchestration only (resolve settings, run the pipeline, write).

pub mod sample;
pub mod scan;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::settings::Ui;

/// Runs the command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let ui = Ui {
        lang: cli.lang,
        quiet: cli.quiet,
    };
    match &cli.command {
        Command::Scan(args) => scan::run(args, ui),
        Command::Sample(args) => sample::run(args, ui),
    }
}
