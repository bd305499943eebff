//! Arguments resolved into the options the work uses: the TOML config and `--map` merged into the
//! header table, dates parsed, the output folder named. Nothing below this layer imports clap.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::cli::{
    ApplyArgs, ExportArgs, FailOn, InputArgs, MinSeverity, ReadArgs, RepairArgs, ReportArgs,
    SampleArgs, ScanArgs,
};
use crate::i18n::Lang;
use crate::input::ReadOptions;
use crate::input::header::HeaderTable;
use crate::normalize::places::{Division, Gazetteer};
use crate::pipeline::ScanConfig;
use crate::record::Field;
use crate::sample::registry::RegistryUnits;
use crate::sample::write::CsvEncoding;
use crate::sample::{Defect, SampleSpec};

/// How a person wants to see the run.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// Message language.
    pub lang: Lang,
    /// Only errors.
    pub quiet: bool,
    /// Who may read the outputs.
    pub access: crate::output::atomic::Access,
}

/// Everything `scan` needs.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// Inputs as given.
    pub inputs: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Engine options.
    pub config: ScanConfig,
    /// Exit 1 on findings of this severity.
    pub fail_on: Option<FailOn>,
    /// The history database to record the run in, if any.
    pub history: Option<PathBuf>,
    /// How long to wait for another run's hold on the history.
    pub history_wait: std::time::Duration,
    /// Record a run dated before the history's latest.
    pub allow_out_of_order: bool,
    /// Write the outputs even when an input could not be read.
    pub allow_partial: bool,
    /// Language and verbosity.
    pub ui: Ui,
    /// The division summary.json counts units by (the history keeps them as read).
    pub division: Division,
}

/// Everything `export-list` needs.
#[derive(Debug, Clone)]
pub struct ExportSettings {
    /// Inputs as given.
    pub inputs: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Engine options (capturing the people for the lists).
    pub config: ScanConfig,
    /// Who is listed: the least severe finding (0 errors only, 1 warnings too, 2 everything),
    /// and whether certain fixes alone list a person.
    pub listing: crate::findings::people::Listing,
    /// Only these provinces, districts, communes (empty: all).
    pub provinces: Vec<String>,
    /// See [`ExportSettings::provinces`].
    pub districts: Vec<String>,
    /// See [`ExportSettings::provinces`].
    pub communes: Vec<String>,
    /// Write the lists even when an input could not be read.
    pub allow_partial: bool,
    /// The export ledger: the history to record the lists in.
    pub ledger: Ledger,
    /// The division the lists are cut by.
    pub division: Division,
    /// Language and verbosity.
    pub ui: Ui,
}

/// The export ledger (`--history`, `--history-wait`) of `export-list` and `apply-corrections`.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// The history database holding it, if one was given.
    pub history: Option<PathBuf>,
    /// How long to wait for another run that writes it.
    pub wait: std::time::Duration,
}

impl Ledger {
    fn of(args: &crate::cli::LedgerArgs) -> Ledger {
        Ledger {
            history: args.history.clone(),
            wait: std::time::Duration::from_secs(args.history_wait),
        }
    }

    /// The history, opened (created or upgraded), when one was given.
    pub fn open(&self, lang: Lang) -> Result<Option<crate::history::History>> {
        self.history
            .as_deref()
            .map(|p| crate::history::History::open(p, self.wait, lang))
            .transpose()
    }
}

/// Everything `apply-corrections` needs.
#[derive(Debug, Clone)]
pub struct ApplySettings {
    /// The dumps the lists were exported from, as given.
    pub sources: Vec<PathBuf>,
    /// The filled lists (files or folders), as given.
    pub corrections: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Reader options, date and threads.
    pub config: ScanConfig,
    /// Decide and report, but write no merged sources.
    pub dry_run: bool,
    /// Write the outputs even when an input could not be read.
    pub allow_partial: bool,
    /// The export ledger to check the lists against.
    pub ledger: Ledger,
    /// Language and verbosity.
    pub ui: Ui,
}

/// Everything `repair` needs.
#[derive(Debug, Clone)]
pub struct RepairSettings {
    /// Inputs as given.
    pub inputs: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Reader options, date and threads.
    pub config: ScanConfig,
    /// Find the fixes, but write no merged dumps.
    pub dry_run: bool,
    /// Write the outputs even when an input could not be read.
    pub allow_partial: bool,
    /// Language and verbosity.
    pub ui: Ui,
}

/// Everything `report` needs.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// Scan output folders to report on (without a history).
    pub scans: Vec<PathBuf>,
    /// The history database, when the report is made from it.
    pub history: Option<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Days a finding may stay open before it is overdue.
    pub sla_days: u32,
    /// The division units are counted by.
    pub division: Division,
    /// Language and verbosity.
    pub ui: Ui,
}

/// Everything `sample` needs.
#[derive(Debug, Clone)]
pub struct SampleSettings {
    /// What to generate.
    pub spec: SampleSpec,
    /// The CSV delimiter (a `.tsv` file is tab-separated whatever this says).
    pub delimiter: u8,
    /// The CSV text encoding.
    pub encoding: CsvEncoding,
    /// Title lines above the header, as exports often have.
    pub title_lines: bool,
    /// The dump to write.
    pub out: PathBuf,
    /// Where to write the truth file, if anywhere.
    pub truth: Option<PathBuf>,
    /// Where to write the registry extract (`.xlsx` or `.csv`), if anywhere.
    pub registry: Option<PathBuf>,
    /// Where to write the registry's answer key, if anywhere.
    pub registry_key: Option<PathBuf>,
}

/// The TOML config (`--config`): header mappings and reading defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// The header row, 1-based.
    header_row: Option<usize>,
    /// Sheets to read.
    #[serde(default)]
    sheets: Vec<String>,
    /// field name → header text(s).
    #[serde(default)]
    columns: std::collections::BTreeMap<String, OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

fn field_names() -> String {
    Field::ALL
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_field(name: &str, lang: Lang) -> Result<Field> {
    Field::from_name(name.trim()).ok_or_else(|| {
        lang.pick(
            anyhow!("không có trường \"{name}\"; các trường: {}", field_names()),
            anyhow!(
                "unknown field \"{name}\"; expected one of: {}",
                field_names()
            ),
        )
    })
}

/// Parses `YYYY-MM-DD`, or gives today's date.
pub fn resolve_today(as_of: Option<&str>, lang: Lang) -> Result<NaiveDate> {
    match as_of {
        None => Ok(chrono::Local::now().date_naive()),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            lang.pick(
                anyhow!("--as-of \"{s}\": cần ngày dạng YYYY-MM-DD, ví dụ 2026-11-26"),
                anyhow!("--as-of \"{s}\": expected a date as YYYY-MM-DD, e.g. 2026-11-26"),
            )
        }),
    }
}

fn load_config(path: &Path, lang: Lang) -> Result<ConfigFile> {
    let text = std::fs::read_to_string(path).with_context(|| {
        lang.pick(
            format!("không đọc được tệp cấu hình '{}'", path.display()),
            format!("cannot read config file '{}'", path.display()),
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        lang.pick(
            anyhow!("tệp cấu hình '{}' sai: {}", path.display(), e.message()),
            anyhow!(
                "config file '{}' is invalid: {}",
                path.display(),
                e.message()
            ),
        )
    })
}

/// Resolves the inputs and reading options shared by every subcommand that reads dumps.
pub fn resolve_input(args: &InputArgs, lang: Lang) -> Result<(ScanConfig, Vec<PathBuf>)> {
    Ok((resolve_read(&args.read, lang)?, args.inputs.clone()))
}

/// Resolves how to read dumps.
pub fn resolve_read(args: &ReadArgs, lang: Lang) -> Result<ScanConfig> {
    let mut headers = HeaderTable::default();
    let mut read = ReadOptions::default();
    if let Some(path) = &args.config {
        let cfg = load_config(path, lang)?;
        for (name, headers_for) in cfg.columns {
            let field =
                parse_field(&name, lang).with_context(|| format!("'{}'", path.display()))?;
            match headers_for {
                OneOrMany::One(h) => headers.add(field, &h),
                OneOrMany::Many(hs) => hs.iter().for_each(|h| headers.add(field, h)),
            }
        }
        read.header_row = cfg.header_row;
        read.sheets = cfg.sheets;
    }
    for m in &args.maps {
        let Some((name, header)) = m.split_once('=') else {
            bail!(lang.pick(
                format!("--map \"{m}\": cần dạng TRƯỜNG=\"Tiêu đề cột\""),
                format!("--map \"{m}\": expected FIELD=\"Header text\"")
            ));
        };
        headers.add(parse_field(name, lang)?, header.trim().trim_matches('"'));
    }
    if let Some(r) = args.header_row {
        read.header_row = Some(r as usize);
    }
    if !args.sheets.is_empty() {
        read.sheets = args.sheets.clone();
    }
    read.headers = headers;
    let gazetteer = match &args.gazetteer {
        None => Gazetteer::builtin(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                lang.pick(
                    format!("không đọc được danh mục hành chính '{}'", path.display()),
                    format!("cannot read the gazetteer '{}'", path.display()),
                )
            })?;
            Arc::new(Gazetteer::from_csv(&text).map_err(|e| {
                lang.pick(
                    anyhow!("danh mục hành chính '{}' sai: {e}", path.display()),
                    anyhow!("the gazetteer '{}' is invalid: {e}", path.display()),
                )
            })?)
        }
    };
    let today = resolve_today(args.as_of.as_deref(), lang)?;
    let registry = resolve_registry(args, today, lang)?;
    let config = ScanConfig {
        read,
        today,
        threads: args.threads,
        gazetteer,
        capture: false,
        registry,
        index_memory: args.index_memory.unwrap_or(crate::pipeline::INDEX_MEMORY),
    };
    Ok(config)
}

/// Reads the registry extracts named by `--registry`, with the columns named by
/// `--registry-map`.
fn resolve_registry(
    args: &ReadArgs,
    today: NaiveDate,
    lang: Lang,
) -> Result<Option<Arc<crate::registry::Registry>>> {
    if args.registry.is_empty() {
        return Ok(None);
    }
    let mut user = Vec::new();
    for m in &args.registry_maps {
        let Some((name, header)) = m.split_once('=') else {
            bail!(lang.pick(
                format!("--registry-map \"{m}\": cần dạng TRƯỜNG=\"Tiêu đề cột\""),
                format!("--registry-map \"{m}\": expected FIELD=\"Header text\"")
            ));
        };
        let field = match name.trim() {
            "old_id_number" => crate::registry::OLD_NUMBER,
            other => parse_field(other, lang)?,
        };
        user.push((field, header.trim().trim_matches('"').to_string()));
    }
    crate::registry::read(&args.registry, &user, today)
        .map(|r| Some(Arc::new(r)))
        .map_err(|e| anyhow!(e.render(lang)))
}

impl ScanSettings {
    /// Resolves `scan`'s arguments.
    pub fn new(args: &ScanArgs, ui: Ui) -> Result<Self> {
        let (config, inputs) = resolve_input(&args.input, ui.lang)?;
        Ok(ScanSettings {
            inputs,
            out: args.out.clone(),
            config,
            fail_on: args.fail_on,
            history: args.history.clone(),
            history_wait: std::time::Duration::from_secs(args.history_wait),
            division: args.units.into(),
            allow_out_of_order: args.allow_out_of_order,
            allow_partial: args.allow_partial,
            ui,
        })
    }
}

impl ExportSettings {
    /// Resolves `export-list`'s arguments.
    pub fn new(args: &ExportArgs, ui: Ui) -> Result<Self> {
        let (mut config, inputs) = resolve_input(&args.input, ui.lang)?;
        config.capture = true;
        Ok(ExportSettings {
            inputs,
            out: args.out.clone(),
            config,
            listing: crate::findings::people::Listing {
                threshold: match args.min_severity {
                    MinSeverity::Error => 0,
                    MinSeverity::Warning => 1,
                    MinSeverity::Info => 2,
                },
                // Formatting-only findings are all certain: asking for them lists them.
                repairable: args.include_repairable || args.min_severity == MinSeverity::Info,
            },
            provinces: args.province.clone(),
            districts: args.district.clone(),
            communes: args.commune.clone(),
            allow_partial: args.allow_partial,
            ledger: Ledger::of(&args.ledger),
            division: args.units.into(),
            ui,
        })
    }
}

impl ApplySettings {
    /// Resolves `apply-corrections`' arguments.
    pub fn new(args: &ApplyArgs, ui: Ui) -> Result<Self> {
        Ok(ApplySettings {
            sources: args.sources.clone(),
            corrections: args.corrections.clone(),
            out: args.out.clone(),
            config: resolve_read(&args.read, ui.lang)?,
            dry_run: args.dry_run,
            allow_partial: args.allow_partial,
            ledger: Ledger::of(&args.ledger),
            ui,
        })
    }
}

impl RepairSettings {
    /// Resolves `repair`'s arguments.
    pub fn new(args: &RepairArgs, ui: Ui) -> Result<Self> {
        Ok(RepairSettings {
            inputs: args.input.inputs.clone(),
            out: args.out.clone(),
            config: resolve_read(&args.input.read, ui.lang)?,
            dry_run: args.dry_run,
            allow_partial: args.allow_partial,
            ui,
        })
    }
}

impl ReportSettings {
    /// Resolves `report`'s arguments.
    pub fn new(args: &ReportArgs, ui: Ui) -> Self {
        ReportSettings {
            scans: args.scans.clone(),
            history: args.history.clone(),
            out: args.out.clone(),
            sla_days: args.sla_days,
            division: args.units.into(),
            ui,
        }
    }
}

impl SampleSettings {
    /// Resolves `sample`'s arguments: the defect kinds, rate and delimiter checked.
    pub fn new(args: &SampleArgs, ui: Ui) -> Result<Self> {
        let lang = ui.lang;
        let mut kinds = Vec::new();
        for k in &args.defects {
            match Defect::from_name(k) {
                Some(d) => kinds.push(d),
                None => {
                    let all: Vec<&str> = Defect::ALL.iter().map(|d| d.name()).collect();
                    bail!(lang.pick(
                        format!("không có loại lỗi \"{k}\"; các loại: {}", all.join(", ")),
                        format!(
                            "unknown defect kind \"{k}\"; expected one of: {}",
                            all.join(", ")
                        )
                    ));
                }
            }
        }
        if !(0.0..=1.0).contains(&args.defect_rate) {
            bail!(
                lang.pick(
                    "--defect-rate phải từ 0 đến 1",
                    "--defect-rate must be between 0 and 1"
                )
                .to_string()
            );
        }
        let delimiter = match args.delimiter.as_str() {
            "," => b',',
            ";" => b';',
            "tab" | "\\t" | "\t" => b'\t',
            "|" => b'|',
            other => bail!(lang.pick(
                format!("--delimiter \"{other}\": chọn một trong , ; tab |"),
                format!("--delimiter \"{other}\": expected one of , ; tab |")
            )),
        };
        let mut spec = SampleSpec::new(args.people, args.seed);
        spec.rows = args.rows;
        if let Some(n) = args.first_record {
            spec.first_record = n;
        }
        spec.defect_rate = args.defect_rate;
        spec.kinds = kinds;
        spec.provinces = args.provinces.clone();
        spec.communes = args.communes;
        spec.numeric_ids = args.numeric_ids;
        spec.ansi = args.encoding == crate::cli::SampleEncoding::Windows1258;
        spec.today = resolve_today(args.as_of.as_deref(), lang)?;
        if let Some(path) = &args.registry {
            let name = path.to_string_lossy().to_ascii_lowercase();
            if !(name.ends_with(".xlsx") || name.ends_with(".csv")) {
                bail!(lang.pick(
                    format!("--registry {}: tệp phải là .xlsx hoặc .csv", path.display()),
                    format!(
                        "--registry {}: expected a .xlsx or .csv file",
                        path.display()
                    )
                ));
            }
            spec.registry = Some(match args.registry_units {
                crate::cli::UnitsArg::U2025 => RegistryUnits::U2025,
                crate::cli::UnitsArg::U2020 => RegistryUnits::U2020,
            });
        }
        Ok(SampleSettings {
            spec,
            delimiter,
            encoding: args.encoding.into(),
            title_lines: args.title_lines,
            out: args.out.clone(),
            truth: args.truth.clone(),
            registry: args.registry.clone(),
            registry_key: args.registry_key.clone(),
        })
    }
}
