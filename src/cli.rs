//! The command line: clap derive definitions of the subcommands and their arguments (their doc
//! comments are the English help), parsed in the language asked for ([`parse_from`]): the
//! Vietnamese texts are in [`help`], the Vietnamese argument errors in `errors`. Nothing here
//! decides anything; [`crate::settings`] resolves these into the options the work uses.

mod errors;
pub mod help;

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::i18n::Lang;
use crate::normalize::places::Division;
use crate::sample::write::CsvEncoding;

/// Finds and repairs wrong records in Vietnam's COVID-19 vaccination dumps.
#[derive(Debug, Parser)]
#[command(name = "vaxclean", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Language of messages (and of this help): vi (Vietnamese) or en (English).
    #[arg(long, global = true, value_enum, ignore_case = true, env = LANG_VAR, default_value_t = LangArg::Vi)]
    pub lang: LangArg,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Let the owner's group read the outputs too (by default only the owner can: they hold
    /// personal data).
    #[arg(long, global = true)]
    pub group_readable: bool,
}

/// The environment variable that sets the language when `--lang` is not given.
pub const LANG_VAR: &str = "VAXCLEAN_LANG";

/// The language the command line asks for, found before it is parsed (the help and the argument
/// errors are written in it): the last `--lang` given, else the environment variable
/// [`LANG_VAR`], else Vietnamese. A value that is neither `vi` nor `en` counts as Vietnamese
/// here; clap then refuses it.
pub fn lang_of(args: &[OsString], env: Option<&OsStr>) -> Lang {
    let pick = |v: &OsStr| match v.to_str() {
        Some(v) if v.eq_ignore_ascii_case("en") => Some(Lang::En),
        Some(v) if v.eq_ignore_ascii_case("vi") => Some(Lang::Vi),
        _ => None,
    };
    let mut found = None;
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            found = it.next().map(|v| pick(v).unwrap_or(Lang::Vi));
        } else if let Some(v) = a.to_str().and_then(|a| a.strip_prefix("--lang=")) {
            found = Some(pick(OsStr::new(v)).unwrap_or(Lang::Vi));
        }
    }
    found.or_else(|| env.and_then(pick)).unwrap_or(Lang::Vi)
}

/// The clap command in `lang`: the derive definitions' English, or the Vietnamese of
/// [`help`].
pub fn command(lang: Lang) -> clap::Command {
    match lang {
        Lang::En => Cli::command(),
        Lang::Vi => help::vietnamese(Cli::command()),
    }
}

/// Parses the command line (`args` with the program name first; `env`, the value of
/// [`LANG_VAR`]) in the language it asks for.
pub fn parse_from(args: Vec<OsString>, env: Option<&OsStr>) -> Result<Cli, Refusal> {
    let lang = lang_of(&args, env);
    command(lang)
        .try_get_matches_from(args)
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m))
        .map_err(|error| Refusal { error, lang })
}

/// A command line that was not run: the help or version asked for, or an argument error.
#[derive(Debug)]
pub struct Refusal {
    error: clap::Error,
    lang: Lang,
}

impl Refusal {
    /// The exit code: 0 for the help and the version, 2 for an argument error (clap's codes).
    pub fn exit_code(&self) -> u8 {
        u8::try_from(self.error.exit_code()).unwrap_or(crate::exit::TROUBLE)
    }

    /// Whether this is the help or the version asked for, rather than a mistake.
    fn asked(&self) -> bool {
        matches!(
            self.error.kind(),
            clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        )
    }

    /// What is printed, without colours.
    pub fn text(&self) -> String {
        match self.lang {
            Lang::Vi if !self.asked() => errors::vietnamese(&self.error),
            _ => self.error.render().to_string(),
        }
    }

    /// Prints it where clap would: the help and version on stdout, errors on stderr.
    pub fn print(&self) -> std::io::Result<()> {
        match self.lang {
            Lang::Vi if !self.asked() => {
                use std::io::Write;
                let mut err = std::io::stderr().lock();
                err.write_all(errors::vietnamese(&self.error).as_bytes())?;
                err.flush()
            }
            _ => self.error.print(),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find every wrong record in Excel and CSV dumps; writes findings.csv and summary.json.
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(ScanArgs),
    /// Write one correction workbook per commune, in Vietnamese, ready to print and fill in.
    #[command(name = "export-list", after_help = EXPORT_EXAMPLES)]
    ExportList(ExportArgs),
    /// Merge the returned correction workbooks into the dumps: every correction checked, every
    /// change logged, what cannot be applied sent back with the reason.
    #[command(name = "apply-corrections", after_help = APPLY_EXAMPLES)]
    ApplyCorrections(ApplyArgs),
    /// Make the fixes the rules are certain of (lost zeros, separators, formats, a legacy-encoded
    /// name with one clear reading, old phone numbers) without a person: merged copies of the
    /// dumps and audit.csv; everything else is left for the lists.
    #[command(after_help = REPAIR_EXAMPLES)]
    Repair(RepairArgs),
    /// Where each province, district and commune stands, and how it moves night after night:
    /// report.xlsx, report.html and the top of it on the terminal.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Write a synthetic dump (realistic names, valid CCCD/CMND, planted defects) to try the tool.
    #[command(after_help = SAMPLE_EXAMPLES)]
    Sample(SampleArgs),
}

const SCAN_EXAMPLES: &str = "\
Examples:
  vaxclean scan fixtures/sample.csv
  vaxclean scan dumps/ --out ketqua --lang en
  vaxclean scan dump.xlsx --sheet \"Danh sach\" --header-row 4 --map id_number=\"So giay to\"
  vaxclean scan dumps/*.csv --fail-on error --quiet
  vaxclean scan dumps/ --out ketqua --registry dan-cu-xa.xlsx

Output columns are described in docs/outputs.md.";

const EXPORT_EXAMPLES: &str = "\
Examples:
  vaxclean export-list fixtures/sample.csv --out danh-sach
  vaxclean export-list dumps/ --out danh-sach --province \"Quảng Nam\" --min-severity warning
  vaxclean export-list dump.xlsx --out danh-sach --commune 20308
  vaxclean export-list dumps/ --out danh-sach --registry dan-cu-xa.xlsx

Writes DIR/<province>/<district>/<commune>.xlsx and DIR/index.csv (docs/export-list.md).";

const APPLY_EXAMPLES: &str = "\
Examples:
  vaxclean apply-corrections --source dump.csv --corrections danh-sach-tra-ve/ --out ket-qua
  vaxclean apply-corrections --source dumps/ --corrections a.xlsx b.xlsx --out ket-qua --dry-run
  vaxclean apply-corrections --source dumps/ --corrections tra-ve/ --out ket-qua --registry dan-cu-xa.xlsx

Writes DIR/merged/, DIR/audit.csv, DIR/rejected/, DIR/import/, DIR/verification.xlsx and
DIR/summary.json (docs/apply-corrections.md). The sources are never written.";

const REPAIR_EXAMPLES: &str = "\
Examples:
  vaxclean repair dump.csv --out sua-tu-dong
  vaxclean repair dumps/ --out sua-tu-dong --dry-run

Writes DIR/merged/ (each dump with the certain fixes made), DIR/audit.csv (one row per cell
changed, status repaired) and DIR/summary.json (docs/repair.md). The dumps are never written.";

const REPORT_EXAMPLES: &str = "\
Examples:
  vaxclean report vaxclean-out --out bao-cao
  vaxclean report quet-huyen-a quet-huyen-b --out bao-cao
  vaxclean report --history vaxclean.sqlite --out bao-cao --sla-days 3

Reports hold counts only (docs/report.md).";

const SAMPLE_EXAMPLES: &str = "\
Examples:
  vaxclean sample --people 1000 --out thu.csv
  vaxclean sample --people 500 --out thu.xlsx --title-lines --numeric-ids
  vaxclean sample --people 100000 --out big.csv --defect-rate 0.2 --seed 7 --truth truth.csv
  vaxclean sample --people 2000 --out thu.csv --registry dan-cu.xlsx --registry-key key.csv
  vaxclean sample --people 200 --out clean.csv --defect-rate 0 --encoding windows-1258 --delimiter ';'";

/// Options shared by every subcommand that reads dumps: the inputs and how to read them.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Dump files (.xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt) or directories holding them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// How to read them.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How to read dumps.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Read only this sheet (repeat for several); default: every sheet.
    #[arg(long = "sheet", value_name = "NAME")]
    pub sheets: Vec<String>,
    /// The header is on this row (1-based) instead of being found automatically.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub header_row: Option<u32>,
    /// Map a column: FIELD="Header text" (fields: record_id, full_name, birth_date, gender,
    /// id_number, phone, insurance_number, province, district, commune, address, dose_number,
    /// dose_date, vaccine, lot_number, facility).
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    pub maps: Vec<String>,
    /// A TOML file with header mappings and defaults (see docs/config.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// The date the run counts as today, YYYY-MM-DD (replaying an old dump, tests).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Match places against this gazetteer CSV instead of the built-in 2020 one (columns:
    /// province_code,province,district_code,district,commune_code,commune).
    #[arg(long, value_name = "FILE")]
    pub gazetteer: Option<PathBuf>,
    /// The population registry extract(s) the commune police exported (xlsx, xls, ods, csv):
    /// every person is matched against its residents, and the registry's number, name, birth
    /// date and sex are proposed where the record differs (REG_* findings, docs/rules.md). Put
    /// it after the inputs, or repeat it per file.
    #[arg(long = "registry", value_name = "FILE", num_args = 1..)]
    pub registry: Vec<PathBuf>,
    /// Name a registry column: FIELD="Header text" (fields: id_number, old_id_number,
    /// full_name, birth_date, gender, address, commune, district, province).
    #[arg(long = "registry-map", value_name = "FIELD=HEADER")]
    pub registry_maps: Vec<String>,
    /// Bytes the cross-record indexes may hold in memory before going to temporary files (tests).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub index_memory: Option<usize>,
}

/// When findings make the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any error finding.
    Error,
    /// Any error or warning finding.
    Warning,
}

/// `vaxclean scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Inputs and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// Folder for findings.csv and summary.json (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "vaxclean-out")]
    pub out: PathBuf,
    /// Exit with code 1 when findings of this severity (or worse) exist.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Record the run in this history database (SQLite; created if missing) to compare nights.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// How long to wait for another run that is writing the same history.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub history_wait: u64,
    /// When an input cannot be read, still write the outputs of the others (replacing the
    /// previous run's) and record them in the history; by default such a run changes nothing.
    #[arg(long)]
    pub allow_partial: bool,
    /// Record a run dated before the latest one in the history (replaying old dumps in order
    /// is the safe way; this one re-dates what it finds).
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Count summary.json's units by the 2020 units the dumps name, or rolled up into today's
    /// (2025) communes and provinces; the history always keeps the units as read.
    #[arg(long, value_enum, value_name = "2020|2025", default_value = "2020")]
    pub units: UnitsArg,
}

/// Which findings put a person on a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    /// Errors on the person's ID number, name, birth date or sex.
    Error,
    /// Also warnings (phone, commune, year-only dates, one-word names).
    Warning,
    /// Also formatting-only findings.
    Info,
}

/// `vaxclean export-list`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Inputs and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// Folder for the workbooks and index.csv (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "danh-sach")]
    pub out: PathBuf,
    /// Only this province (name, any spelling; repeat for several).
    #[arg(long, value_name = "NAME")]
    pub province: Vec<String>,
    /// Only this district (name, any spelling; repeat for several).
    #[arg(long, value_name = "NAME")]
    pub district: Vec<String>,
    /// Only this commune (name in any spelling, or its 5-digit code; repeat for several).
    #[arg(long, value_name = "NAME|CODE")]
    pub commune: Vec<String>,
    /// List people with findings of this severity or worse.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = MinSeverity::Error)]
    pub min_severity: MinSeverity,
    /// Also list people whose only errors the rules can fix with certainty (lost zeros,
    /// separators, formats, clear legacy names), which `repair` makes without anyone.
    #[arg(long)]
    pub include_repairable: bool,
    /// Cut the lists by the 2020 communes the dumps name, or by today's (2025) communes:
    /// `DIR/<province>/<commune>.xlsx`, a split commune's people by their address or in
    /// `_can-xac-dinh.xlsx`.
    #[arg(long, value_enum, value_name = "2020|2025", default_value = "2020")]
    pub units: UnitsArg,
    /// When an input cannot be read, still write the lists of the others (replacing the previous
    /// run's); by default such a run changes nothing.
    #[arg(long)]
    pub allow_partial: bool,
    /// Record every list written in this history database (the one `scan --history` keeps), so
    /// that `apply-corrections --history` accepts only lists exported here.
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

/// The export ledger of `export-list` and `apply-corrections`.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// The history database (SQLite; created if missing) holding the ledger of exported lists.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// How long to wait for another run that is writing the same history.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub history_wait: u64,
}

/// `vaxclean apply-corrections`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The dumps the lists were exported from (or a newer dump of the same records).
    #[arg(long = "source", required = true, num_args = 1.., value_name = "INPUT")]
    pub sources: Vec<PathBuf>,
    /// The returned correction workbooks, or folders holding them.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    pub corrections: Vec<PathBuf>,
    /// Folder for the merged dumps, audit.csv, rejected lists, import file, verification.xlsx
    /// and summary.json (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "ket-qua")]
    pub out: PathBuf,
    /// Check everything and write only audit.csv and summary.json.
    #[arg(long)]
    pub dry_run: bool,
    /// When a source or a returned workbook cannot be read, still write the outputs of the rest
    /// (replacing the previous run's); by default such a run changes nothing.
    #[arg(long)]
    pub allow_partial: bool,
    /// Accept only lists recorded in this history by `export-list --history`, check each row
    /// against the recorded one, and keep conflicts between lists open across batches.
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// How to read the sources.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `vaxclean repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Inputs and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// Folder for the merged dumps, audit.csv and summary.json (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "sua-tu-dong")]
    pub out: PathBuf,
    /// Find the fixes and write only audit.csv and summary.json.
    #[arg(long)]
    pub dry_run: bool,
    /// When an input cannot be read, still write the outputs of the others (replacing the
    /// previous run's); by default such a run changes nothing.
    #[arg(long)]
    pub allow_partial: bool,
}

/// `vaxclean report`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("from").required(true).args(["scans", "history"])))]
pub struct ReportArgs {
    /// Folders written by `scan` (their summary.json), added up.
    #[arg(value_name = "SCAN_DIR")]
    pub scans: Vec<PathBuf>,
    /// A history written by `scan --history` (adds the trend and the units over the deadline).
    #[arg(long, value_name = "FILE", conflicts_with = "scans")]
    pub history: Option<PathBuf>,
    /// Folder for report.xlsx and report.html (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "bao-cao")]
    pub out: PathBuf,
    /// Days an error may wait before its unit is listed as overdue.
    #[arg(long, value_name = "DAYS", default_value_t = 3)]
    pub sla_days: u32,
    /// Count by the 2020 units the scans recorded, or roll them up into today's (2025) communes
    /// and provinces.
    #[arg(long, value_enum, value_name = "2020|2025", default_value = "2020")]
    pub units: UnitsArg,
}

/// `--lang`: what the command line accepts, turned into [`Lang`] (nothing below this layer knows
/// clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
        }
    }
}

/// The administrative division lists and reports are cut by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnitsArg {
    /// The 2020 provinces, districts and communes the 2021-2022 dumps name.
    #[value(name = "2020")]
    U2020,
    /// The 34 provinces and 3,321 communes since 1 July 2025 (no districts).
    #[value(name = "2025")]
    U2025,
}

impl From<UnitsArg> for Division {
    fn from(u: UnitsArg) -> Division {
        match u {
            UnitsArg::U2020 => Division::D2020,
            UnitsArg::U2025 => Division::D2025,
        }
    }
}

/// Encodings the generator writes CSV in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SampleEncoding {
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with BOM (what Excel writes as "CSV UTF-8").
    Utf8Bom,
    /// Windows-1258 (Vietnamese ANSI code page).
    #[value(name = "windows-1258")]
    Windows1258,
    /// UTF-16 little-endian with BOM (Excel's "Unicode text").
    Utf16,
}

impl From<SampleEncoding> for CsvEncoding {
    fn from(e: SampleEncoding) -> CsvEncoding {
        match e {
            SampleEncoding::Utf8 => CsvEncoding::Utf8,
            SampleEncoding::Utf8Bom => CsvEncoding::Utf8Bom,
            SampleEncoding::Windows1258 => CsvEncoding::Windows1258,
            SampleEncoding::Utf16 => CsvEncoding::Utf16,
        }
    }
}

/// `vaxclean sample`.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// How many people (each gets one row per dose, 1 to 4 doses).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub people: u64,
    /// Stop at this many rows instead of a number of people (benchmarks).
    #[arg(long, value_name = "N")]
    pub rows: Option<u64>,
    /// Output file: .csv, .tsv or .xlsx.
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// Random seed: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of the first record id (VX000000001 is 1); default: from the seed, so that samples
    /// of different seeds never share a record id (seed 1 starts at 1, seed 2 at 1000001…).
    #[arg(long, value_name = "N")]
    pub first_record: Option<u64>,
    /// Share of people given one planted defect (0 to 1), spread evenly over the defect kinds.
    #[arg(long, value_name = "RATE", default_value_t = 0.1)]
    pub defect_rate: f64,
    /// Only these defect kinds, comma-separated (see docs/sample.md for the list).
    #[arg(long, value_name = "KINDS", value_delimiter = ',')]
    pub defects: Vec<String>,
    /// Only communes of these provinces (2-digit codes, comma-separated).
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub provinces: Vec<String>,
    /// Spread people over this many communes (default: about one per 1,000 people).
    #[arg(long, value_name = "N")]
    pub communes: Option<usize>,
    /// CSV text encoding.
    #[arg(long, value_enum, default_value_t = SampleEncoding::Utf8Bom)]
    pub encoding: SampleEncoding,
    /// CSV delimiter.
    #[arg(long, default_value = ",")]
    pub delimiter: String,
    /// xlsx: write ID numbers as number cells (Excel then drops their leading zeros).
    #[arg(long)]
    pub numeric_ids: bool,
    /// Put title lines above the header, as platform exports do.
    #[arg(long)]
    pub title_lines: bool,
    /// Also write the planted defects (the findings a scan should report) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// The date the sample counts as today, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Also write a registry extract of the dump's communes (.xlsx or .csv): the residents the
    /// commune police export from the national population database, for registry matching. The
    /// dump then also gets the damage matching must see through, and people split in two
    /// identities (docs/sample.md).
    #[arg(long, value_name = "FILE")]
    pub registry: Option<PathBuf>,
    /// The extract's place columns: 2025 (commune and province since July 2025) or 2020
    /// (commune, district, province).
    #[arg(long, value_enum, value_name = "UNITS", default_value_t = UnitsArg::U2025)]
    pub registry_units: UnitsArg,
    /// With --registry: also write the answer key (which resident each dump row is) to this CSV
    /// file.
    #[arg(long, value_name = "FILE", requires = "registry")]
    pub registry_key: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_language_is_found_before_parsing() {
        let args = |a: &[&str]| -> Vec<OsString> { a.iter().map(OsString::from).collect() };
        let en = Some(OsStr::new("en"));
        let cases: &[(&[&str], Option<&OsStr>, Lang)] = &[
            (&["vaxclean", "--help"], None, Lang::Vi),
            (&["vaxclean", "--help"], en, Lang::En),
            (&["vaxclean", "--help"], Some(OsStr::new("EN")), Lang::En),
            (&["vaxclean", "--help"], Some(OsStr::new("fr")), Lang::Vi),
            (&["vaxclean", "scan", "--lang", "en"], None, Lang::En),
            (&["vaxclean", "--lang=en", "scan"], None, Lang::En),
            (&["vaxclean", "--lang", "vi", "scan"], en, Lang::Vi),
            (
                &["vaxclean", "--lang", "en", "--lang", "vi"],
                None,
                Lang::Vi,
            ),
            // After `--`, an input named "--lang" is no option.
            (&["vaxclean", "scan", "--", "--lang", "en"], None, Lang::Vi),
            // The program's own name is never read as an option.
            (&["--lang=en"], None, Lang::Vi),
        ];
        for (a, env, want) in cases {
            assert_eq!(lang_of(&args(a), *env), *want, "{a:?} {env:?}");
        }
    }

    #[test]
    fn the_vietnamese_command_line_parses_like_the_english_one() {
        let line = [
            "vaxclean",
            "scan",
            "a.csv",
            "--fail-on",
            "error",
            "--out",
            "o",
        ];
        for lang in [Lang::Vi, Lang::En] {
            let m = command(lang).try_get_matches_from(line);
            let cli = m.and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
            let Ok(Cli {
                command: Command::Scan(scan),
                ..
            }) = cli
            else {
                panic!("{lang:?}: not parsed as a scan")
            };
            assert_eq!(scan.fail_on, Some(FailOn::Error));
            assert_eq!(scan.out, PathBuf::from("o"));
        }
    }
}
