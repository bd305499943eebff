//! Exit codes, in one place (docs/outputs.md, "Exit codes").

/// The command ran (whatever it found).
pub const OK: u8 = 0;
/// `--fail-on` findings exist.
pub const FINDINGS: u8 = 1;
/// A usage error, or an input that could not be read.
pub const TROUBLE: u8 = 2;
