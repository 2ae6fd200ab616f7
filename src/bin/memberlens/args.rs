//! The command line, declared once: clap derives the parser and the help from these structs.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use memberlens::analysis::dormancy::DormancyMode;
use memberlens::analysis::forecast::ModelSelection;
use memberlens::analysis::forecast_bridge::ForecastOptions;
use memberlens::analysis::rfm::Scoring;
use memberlens::growth::TargetOptions;
use memberlens::ingest::{DateOrder, TableKind, TextEncoding};
use memberlens::model::Day;
use memberlens::render::HtmlOptions;
use memberlens::{AnalysisOptions, FileOptions};

/// memberlens: member analytics for private-domain retail (私域会员分析器)
#[derive(Parser, Debug)]
#[command(name = "memberlens", version, flatten_help = true)]
#[command(arg_required_else_help = true, disable_help_subcommand = true)]
#[command(after_help = FILES_NOTE)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyse member and order exports and print the report
    #[command(after_help = FILES_NOTE)]
    Analyze(Analyze),
    /// Select an audience (人群) by a rule and write its member list
    #[command(after_help = AUDIENCE_NOTE)]
    Audience(AudienceArgs),
    /// Write the client report: one HTML document to hand over or print
    #[command(after_help = REPORT_NOTE)]
    Report(ReportArgs),
}

const REPORT_NOTE: &str = "\
The report (summary, inventory, RFM segments with their strategies, the action plan and its
touch calendar, dormancy and lifecycle, forecasts in plain words) is one HTML file with its
styles and charts inside: it opens offline, loads nothing, and prints on A4 with page numbers.";

/// `memberlens report`: the analysis options and the document to write.
#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub analyze: Analyze,
    /// The HTML document to write
    #[arg(long, value_name = "F")]
    pub out: PathBuf,
    /// The client's brand name, shown on the cover
    #[arg(long, value_name = "NAME")]
    pub brand: Option<String>,
    /// The title (default: 会员分析报告 / Member analysis report)
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// The report's language
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// The report's date on the cover (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<Day>,
}

const AUDIENCE_NOTE: &str = "\
The rule combines member fields and tags with and/or/not, e.g.
  --rule 'tag(\"重要价值客户\") and recency_days <= 90'
  --rule 'source has \"天猫\" and not source has \"门店\"'
(grammar: docs/rules-language.md). The list is CSV (UTF-8 with BOM) or XLSX by --out's
extension, with Chinese headers unless --lang en; cells that could run as formulas are escaped.";

/// `memberlens audience`: the analysis options, the rule and the list to write.
#[derive(Args, Debug)]
pub struct AudienceArgs {
    #[command(flatten)]
    pub analyze: Analyze,
    /// The audience's rule
    #[arg(long, value_name = "RULE")]
    pub rule: String,
    /// The list to write (.csv or .xlsx)
    #[arg(long, value_name = "F")]
    pub out: PathBuf,
    /// Columns: audience (contacts, guide, segment, tags), touch (phone, name, guide for a
    /// WeCom/SMS tool; members with a phone) or full (every column)
    #[arg(long, value_enum, default_value_t = ListLayout::Audience)]
    pub layout: ListLayout,
    /// Header language
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// Mask phones (138****5678), e-mails and names (张**), for a list shown on a screen
    #[arg(long)]
    pub mask: bool,
}

/// A list's columns.
/// `--date-order`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrderArg {
    /// Year first only (2023-12-31; the default)
    Ymd,
    /// Day, month, year (31/12/2023)
    Dmy,
    /// Month, day, year (12/31/2023)
    Mdy,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListLayout {
    Audience,
    Touch,
    Full,
}

/// The language of a list's headers or of the report.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// What `memberlens audience` writes.
#[derive(Debug)]
pub struct AudienceOut {
    pub rule: String,
    pub out: PathBuf,
    pub layout: ListLayout,
    pub lang: Lang,
    pub mask: bool,
}

const FILES_NOTE: &str = "\
FILES are detected as orders, members or member-summary tables (CSV/TSV/XLSX,
UTF-8/GBK/UTF-16). Force a kind with --orders F, --members F or --summary F.
Unusable input exits with status 2 and a message saying what to do.";

/// `memberlens analyze`'s options, as given.
#[derive(Args, Debug)]
pub struct Analyze {
    /// Exports to read; their kind is detected
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Read F as an orders table
    #[arg(long, value_name = "F")]
    orders: Vec<PathBuf>,
    /// Read F as a members table
    #[arg(long, value_name = "F")]
    members: Vec<PathBuf>,
    /// Read F as a member-summary table
    #[arg(long, value_name = "F")]
    summary: Vec<PathBuf>,
    /// Encoding of all files: utf-8, gbk, gb18030, utf-16le or utf-16be
    #[arg(long, value_name = "E", value_parser = parse_encoding)]
    encoding: Option<TextEncoding>,
    /// XLSX sheet to read (default: the first)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Line (sheet row) of the header in every file (default: found; a title or notes above
    /// it are skipped with a notice)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    header_row: Option<u64>,
    /// Order of year-last dates such as 31/12/2023, read only when chosen
    #[arg(long, value_name = "ORDER")]
    date_order: Option<DateOrderArg>,
    /// How many MiB a workbook may unzip to [default: 256]
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    xlsx_limit_mib: Option<u64>,
    /// Give column H the role ROLE, or `ignore` it (repeatable)
    ///
    /// Roles: member_id, phone, email, name, order_id, order_time, amount, item_amount,
    /// refund, status, channel, store, registered_at, tier, ...
    #[arg(long = "column", value_name = "H=ROLE", value_parser = parse_column)]
    #[arg(verbatim_doc_comment)]
    columns: Vec<(String, String)>,
    /// Analysis date (default: the latest purchase date)
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// Score R/F/M over the last DAYS only (default: all history)
    #[arg(long, value_name = "DAYS")]
    rfm_window: Option<u32>,
    /// Your own R/F/M breakpoints instead of quintiles (four each)
    ///
    /// e.g. r=30,60,90,180;f=1,2,3,5;m=100,200,500,1000
    #[arg(long, value_name = "SPEC", value_parser = parse_thresholds)]
    rfm_thresholds: Option<Scoring>,
    /// fixed: 90/180/365/730 days; cycle: 1/2/4/8 x the median purchase gap
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Dormancy::Fixed)]
    dormancy: Dormancy,
    /// Forecast time unit
    #[arg(long, value_enum, value_name = "UNIT", default_value_t = TimeUnit::Day)]
    time_unit: TimeUnit,
    /// CLV horizon in months
    #[arg(long, value_name = "N", default_value_t = ForecastOptions::default().clv_months)]
    clv_months: u32,
    /// Monthly discount rate
    #[arg(long, value_name = "D", default_value_t = ForecastOptions::default().discount)]
    discount: f64,
    /// Fit forecasts before DATE, compare with purchases after it
    #[arg(long, value_name = "DATE")]
    holdout_from: Option<String>,
    /// Purchase model for member forecasts (auto: lowest AIC of all models compared)
    #[arg(long, value_enum, value_name = "MODEL", default_value_t = Model::Auto)]
    model: Model,
    /// Skip the BG/NBD / Gamma-Gamma forecasts
    #[arg(long)]
    no_forecast: bool,
    /// Compare segments and tiers with this date (default: as-of minus 90 days)
    #[arg(long, value_name = "YYYY-MM-DD")]
    compare_date: Option<String>,
    /// Decompose this revenue target (目标拆解) over the months after as-of
    #[arg(long, value_name = "REVENUE")]
    target: Option<f64>,
    /// Months of the target period
    #[arg(long, value_name = "N", default_value_t = 12, requires = "target")]
    target_months: u32,
    /// Traffic-to-order conversion rate, for the traffic the target needs (0..1)
    #[arg(long, value_name = "RATE", requires = "target")]
    conversion_rate: Option<f64>,
    /// Report on stdout
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write the member table, with each member's tags, to F (.csv, UTF-8 with BOM; or .xlsx)
    #[arg(long, value_name = "F")]
    pub members_out: Option<PathBuf>,
    /// Tag scheme (catalogue and audiences) as JSON, instead of the shipped one
    #[arg(long, value_name = "SCHEME.json")]
    pub tags: Option<PathBuf>,
    /// Strategy playbook as JSON, instead of the shipped one
    #[arg(long, value_name = "PLAYBOOK.json")]
    pub playbook: Option<PathBuf>,
    /// Print phase timings on stderr
    #[arg(long)]
    pub timings: bool,
}

/// How the report is printed.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The versioned JSON report
    Json,
    /// A readable summary in Chinese and English
    Text,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Dormancy {
    Fixed,
    Cycle,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Model {
    Auto,
    Bgnbd,
    Mbgnbd,
    #[value(alias = "pareto_nbd")]
    Pareto,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum TimeUnit {
    Day,
    Week,
}

/// A parsed `memberlens analyze` command line.
#[derive(Debug)]
pub struct Request {
    /// Files in command-line order, with the kind forced by `--orders` and the like.
    pub files: Vec<(PathBuf, Option<TableKind>)>,
    pub args: Analyze,
    /// What to do with the analysis.
    pub output: Output,
}

/// What a command does with the analysis.
#[derive(Debug)]
pub enum Output {
    /// `analyze`: print the report.
    Print,
    /// `audience`: write a list (no report is printed).
    Audience(AudienceOut),
    /// `report`: write the client report.
    Html(HtmlOut),
}

/// What `memberlens report` writes.
#[derive(Debug)]
pub struct HtmlOut {
    pub out: PathBuf,
    pub options: HtmlOptions,
}

/// Parses the command line. Help and version requests, and unusable arguments, come back
/// as clap errors for [`report_error`].
pub fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Request, ParseError> {
    let matches = Cli::command().try_get_matches_from(argv)?;
    let (name, args, output) = match Cli::from_arg_matches(&matches)?.command {
        Command::Analyze(args) => ("analyze", args, Output::Print),
        Command::Audience(a) => (
            "audience",
            a.analyze,
            Output::Audience(AudienceOut {
                rule: a.rule,
                out: a.out,
                layout: a.layout,
                lang: a.lang,
                mask: a.mask,
            }),
        ),
        Command::Report(r) => (
            "report",
            r.analyze,
            Output::Html(HtmlOut {
                out: r.out,
                options: HtmlOptions {
                    title: r.title,
                    brand: r.brand,
                    lang: Some(if r.lang == Lang::En { "en" } else { "zh" }.into()),
                    date: Some(r.date.unwrap_or_else(today).to_string()),
                },
            }),
        ),
    };
    let sub = matches
        .subcommand_matches(name)
        .ok_or(ParseError::NoInput)?;
    let files = in_command_line_order(sub, &args);
    if files.is_empty() {
        return Err(ParseError::NoInput);
    }
    Ok(Request {
        files,
        args,
        output,
    })
}

/// Why the command line does not lead to an analysis.
#[derive(Debug)]
pub enum ParseError {
    /// Help, version, or an argument clap refused.
    Clap(clap::Error),
    /// `analyze` without any file.
    NoInput,
}

impl From<clap::Error> for ParseError {
    fn from(e: clap::Error) -> Self {
        ParseError::Clap(e)
    }
}

impl ParseError {
    /// Prints the help (stdout, status 0) or the error (stderr, status 2).
    pub fn report(&self) -> std::process::ExitCode {
        use clap::error::ErrorKind;
        match self {
            ParseError::NoInput => {
                eprintln!(
                    "memberlens: no input files; usage: memberlens analyze FILE... (see --help)"
                );
                std::process::ExitCode::from(2)
            }
            ParseError::Clap(e) => {
                let text = e.render().to_string();
                match e.kind() {
                    // `memberlens` alone prints the help, as `--help` does.
                    ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                        println!("{}", text.trim_end());
                        std::process::ExitCode::SUCCESS
                    }
                    _ => {
                        let text = text.strip_prefix("error: ").unwrap_or(&text);
                        eprint!("memberlens: {text}");
                        std::process::ExitCode::from(2)
                    }
                }
            }
        }
    }
}

/// Positional files and `--orders`/`--members`/`--summary` files, interleaved as given:
/// the report lists files, and numbers members, in that order.
fn in_command_line_order(sub: &ArgMatches, args: &Analyze) -> Vec<(PathBuf, Option<TableKind>)> {
    let groups = [
        ("files", &args.files, None),
        ("orders", &args.orders, Some(TableKind::Orders)),
        ("members", &args.members, Some(TableKind::Members)),
        ("summary", &args.summary, Some(TableKind::MemberSummary)),
    ];
    let mut files: Vec<(usize, PathBuf, Option<TableKind>)> = Vec::new();
    for (id, paths, kind) in groups {
        let indices = sub.indices_of(id).into_iter().flatten();
        files.extend(indices.zip(paths).map(|(i, p)| (i, p.clone(), kind)));
    }
    files.sort_by_key(|f| f.0);
    files.into_iter().map(|(_, p, k)| (p, k)).collect()
}

impl Analyze {
    /// The options for one file; column overrides apply to the files that have that header.
    pub fn file_options(&self, kind: Option<TableKind>) -> FileOptions {
        FileOptions {
            kind,
            encoding: self.encoding,
            sheet: self.sheet.clone(),
            columns: self.columns.iter().cloned().collect::<BTreeMap<_, _>>(),
            header_row: self.header_row.map(|n| n as usize),
            date_order: self.date_order.map(|o| match o {
                DateOrderArg::Dmy => DateOrder::Dmy,
                DateOrderArg::Mdy => DateOrder::Mdy,
                DateOrderArg::Ymd => DateOrder::Ymd,
            }),
            xlsx_limit_mib: self.xlsx_limit_mib,
            ..Default::default()
        }
    }

    /// The analysis options; what is not given keeps the library's default.
    pub fn analysis_options(&self) -> AnalysisOptions {
        let mut o = AnalysisOptions {
            as_of: self.as_of.clone(),
            rfm_window_days: self.rfm_window,
            dormancy_mode: match self.dormancy {
                Dormancy::Fixed => DormancyMode::Fixed,
                Dormancy::Cycle => DormancyMode::Cycle,
            },
            holdout_from: self.holdout_from.clone(),
            compare_date: self.compare_date.clone(),
            target: self.target.map(|revenue| TargetOptions {
                months: self.target_months,
                conversion_rate: self.conversion_rate,
                ..TargetOptions::new(revenue)
            }),
            ..Default::default()
        };
        if let Some(scoring) = &self.rfm_thresholds {
            o.rfm_scoring = scoring.clone();
        }
        o.forecast = ForecastOptions {
            enabled: !self.no_forecast,
            time_unit_days: match self.time_unit {
                TimeUnit::Day => 1,
                TimeUnit::Week => 7,
            },
            clv_months: self.clv_months,
            discount: self.discount,
            model: match self.model {
                Model::Auto => ModelSelection::Auto,
                Model::Bgnbd => ModelSelection::Bgnbd,
                Model::Mbgnbd => ModelSelection::Mbgnbd,
                Model::Pareto => ModelSelection::Pareto,
            },
        };
        o
    }
}

fn parse_encoding(v: &str) -> Result<TextEncoding, String> {
    serde_json::from_value(serde_json::Value::String(v.to_lowercase())).map_err(|_| {
        format!("unknown encoding \"{v}\"; use utf-8, gbk, gb18030, utf-16le or utf-16be")
    })
}

fn parse_column(v: &str) -> Result<(String, String), String> {
    let (header, role) = v.rsplit_once('=').ok_or_else(|| {
        format!("takes HEADER=ROLE (e.g. 应付金额=amount or 备注=ignore), not \"{v}\"")
    })?;
    Ok((header.to_string(), role.to_string()))
}

/// `r=30,60,90,180;f=1,2,3,5;m=100,200,500,1000` → user breakpoints for every dimension.
fn parse_thresholds(v: &str) -> Result<Scoring, String> {
    let mut dims: [Option<[f64; 4]>; 3] = [None; 3];
    for part in v.split([';', ' ']).filter(|p| !p.is_empty()) {
        let (k, nums) = part
            .split_once('=')
            .ok_or_else(|| format!("\"{part}\" should look like r=30,60,90,180"))?;
        let vals: Vec<f64> = nums
            .split(',')
            .map(|x| x.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("\"{nums}\" is not four numbers"))?;
        let four: [f64; 4] = vals
            .try_into()
            .map_err(|_| format!("{k} needs exactly four breakpoints"))?;
        let slot = match k.trim().to_ascii_lowercase().as_str() {
            "r" => 0,
            "f" => 1,
            "m" => 2,
            other => return Err(format!("unknown dimension \"{other}\" (use r, f, m)")),
        };
        dims[slot] = Some(four);
    }
    match dims {
        [Some(recency), Some(frequency), Some(monetary)] => Ok(Scoring::Thresholds {
            recency,
            frequency,
            monetary,
        }),
        _ => Err("needs r=, f= and m= (four breakpoints each)".into()),
    }
}

/// A `YYYY-MM-DD` date.
fn parse_day(s: &str) -> Result<Day, String> {
    Day::parse(s.trim()).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

/// Today (UTC).
fn today() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Day((secs / 86_400) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<Request, ParseError> {
        parse(
            std::iter::once("memberlens")
                .chain(line.split(' '))
                .map(OsString::from),
        )
    }

    #[test]
    fn the_parser_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Options not given are the library's defaults, so the help's defaults are the real ones.
    #[test]
    fn defaults_are_the_library_defaults() {
        let r = parse_line("analyze a.csv").unwrap();
        assert_eq!(r.args.analysis_options(), AnalysisOptions::default());
        assert_eq!(r.args.file_options(None), FileOptions::default());
        assert_eq!(r.args.format, Format::Json);
    }

    #[test]
    fn files_keep_their_command_line_order() {
        let r = parse_line("analyze --members m.csv a.csv --orders o.csv b.xlsx").unwrap();
        let got: Vec<_> = r
            .files
            .iter()
            .map(|(p, k)| (p.to_str().unwrap(), *k))
            .collect();
        assert_eq!(
            got,
            [
                ("m.csv", Some(TableKind::Members)),
                ("a.csv", None),
                ("o.csv", Some(TableKind::Orders)),
                ("b.xlsx", None),
            ]
        );
    }

    #[test]
    fn options_reach_the_analysis() {
        let r = parse_line(
            "analyze a.csv --as-of 2024-01-31 --rfm-window 365 --dormancy cycle --time-unit week \
             --clv-months 6 --discount 0.02 --no-forecast --encoding GBK --column 备注=ignore \
             --rfm-thresholds r=30,60,90,180;f=1,2,3,5;m=100,200,500,1000",
        )
        .unwrap();
        let o = r.args.analysis_options();
        assert_eq!(o.as_of.as_deref(), Some("2024-01-31"));
        assert_eq!(o.rfm_window_days, Some(365));
        assert_eq!(o.dormancy_mode, DormancyMode::Cycle);
        assert_eq!(o.forecast.time_unit_days, 7);
        assert_eq!(o.forecast.clv_months, 6);
        assert_eq!(o.forecast.discount, 0.02);
        assert!(!o.forecast.enabled);
        assert!(
            matches!(o.rfm_scoring, Scoring::Thresholds { recency, .. } if recency[3] == 180.0)
        );
        let f = r.args.file_options(None);
        assert_eq!(f.encoding, Some(TextEncoding::Gbk));
        assert_eq!(f.columns.get("备注").map(String::as_str), Some("ignore"));
    }

    #[test]
    fn unusable_arguments_are_refused() {
        for line in [
            "analyze",
            "analyse a.csv",
            "analyze a.csv --bogus",
            "analyze a.csv --format xml",
            "analyze a.csv --encoding latin1",
            "analyze a.csv --column amount",
            "analyze a.csv --rfm-thresholds r=1,2,3",
            "analyze a.csv --dormancy sometimes",
            "analyze a.csv --clv-months",
        ] {
            assert!(parse_line(line).is_err(), "{line}");
        }
    }
}
