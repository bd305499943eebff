//! vaxclean: finds and repairs wrong records in Vietnam's COVID-19 vaccination dumps.
//!
//! The pipeline, one module per stage: [`input`] (readers) → [`record`] (raw rows) →
//! [`normalize`] → [`rules`] → [`findings`] → [`output`] (writers). [`pipeline`] runs it in
//! parallel; [`commands`] holds one file per subcommand; [`cli`] and [`settings`] parse and
//! resolve the arguments, and nothing below them knows about clap.

pub mod apply;
pub mod cli;
pub mod commands;
pub mod exit;
pub mod findings;
pub mod history;
pub mod i18n;
pub mod input;
pub mod ledger;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod record;
pub mod reference;
pub mod registry;
pub mod repair;
pub mod rules;
pub mod runs;
pub mod sample;
pub mod settings;
pub mod util;
