//! `vaxclean apply-corrections` (placeholder while the engine is built).
use anyhow::Result;

use crate::cli::ApplyArgs;
use crate::settings::Ui;

/// Runs `apply-corrections`.
pub fn run(_args: &ApplyArgs, _ui: Ui) -> Result<u8> {
    Ok(crate::exit::TROUBLE)
}
