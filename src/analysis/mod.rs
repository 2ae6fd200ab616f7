//! Analyses over linked members: inventory, RFM, dormancy, lifecycle, repurchase, forecasts.
//!
//! [`run`] is the one entry point: typed files in, the report and the member table out. It
//! validates the options once, links the population, runs the passes (each returning its
//! report section), packs the member table last, and hands the sections to
//! [`report::assemble`].

pub mod dormancy;
pub mod forecast;
pub mod forecast_bridge;
pub mod identity;
mod inventory;
pub mod lifecycle;
mod pack;
pub mod profile;
pub mod repurchase;
pub mod rfm;
mod rfm_pass;
mod sources;
pub mod stats;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Notice, NoticeCode};
use crate::ingest::values::{format_day, parse_iso_day};
use crate::ingest::{Ingested, IngestedFile};
use crate::members::MemberTable;
use crate::model::Day;
use crate::par;
use crate::report::{
    self, AsOfSource, DormancyMode, FileReport, ForecastReport, OrderedMap, Report, Scoring,
    Sections, Settings,
};
use forecast::{ForecastError, MemberForecast};
use forecast_bridge::ForecastOptions;
use lifecycle::StageRule;
use profile::Population;
use rfm::ScoreRule;

/// What the user may set for an analysis; all have defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisOptions {
    /// As-of date `YYYY-MM-DD` (default: the latest purchase date).
    pub as_of: Option<String>,
    /// RFM window in days (default: all history).
    pub rfm_window_days: Option<u32>,
    /// RFM scoring.
    pub rfm_scoring: Scoring,
    /// Score-range rules replacing the ten-segment scheme.
    pub rfm_rules: Option<Vec<ScoreRule>>,
    /// Dormancy thresholds.
    pub dormancy_mode: DormancyMode,
    /// Return-rate period L, days.
    pub return_period_days: u32,
    /// Days ahead that count as "due".
    pub due_window_days: u32,
    /// Lifecycle F thresholds.
    pub growth_f: u32,
    /// Lifecycle F thresholds.
    pub maturity_f: u32,
    /// Forecast settings.
    pub forecast: ForecastOptions,
    /// Holdout split for the forecast check, `YYYY-MM-DD`.
    pub holdout_from: Option<String>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            as_of: None,
            rfm_window_days: None,
            rfm_scoring: Scoring::Quantile5,
            rfm_rules: None,
            dormancy_mode: DormancyMode::Fixed,
            return_period_days: 365,
            due_window_days: 30,
            growth_f: 2,
            maturity_f: 4,
            forecast: ForecastOptions::default(),
            holdout_from: None,
        }
    }
}

/// The report and the member table.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The versioned report.
    pub report: Report,
    /// One row per member (see [`crate::members`]).
    pub members: MemberTable,
}

/// Cents as currency units.
fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Most user segment rules a scheme may have (members store their segment as a small code).
pub const MAX_SEGMENT_RULES: usize = 200;

impl AnalysisOptions {
    /// Checks every option once, before anything is computed.
    pub fn validate(&self) -> Result<(), Error> {
        let opts = self;
        let bad = |option: &str, reason: &str| {
            Err(Error::InvalidOption {
                option: option.to_string(),
                reason: reason.to_string(),
            })
        };
        if opts.return_period_days == 0 {
            return bad("return_period_days", "must be at least 1");
        }
        if opts.growth_f < 1 || opts.maturity_f <= opts.growth_f {
            return bad("growth_f/maturity_f", "need 1 ≤ growth_f < maturity_f");
        }
        if let Scoring::Thresholds {
            recency,
            frequency,
            monetary,
        } = &opts.rfm_scoring
        {
            for (name, b) in [
                ("recency", recency),
                ("frequency", frequency),
                ("monetary", monetary),
            ] {
                if b.windows(2).any(|w| w[0] > w[1]) || b.iter().any(|x| !x.is_finite()) {
                    return bad(
                        &format!("rfm_scoring.{name}"),
                        "the four breakpoints must be finite and ascending",
                    );
                }
            }
        }
        if opts.rfm_window_days == Some(0) {
            return bad("rfm_window_days", "must be at least 1");
        }
        if opts
            .rfm_rules
            .as_ref()
            .is_some_and(|r| r.len() > MAX_SEGMENT_RULES)
        {
            return bad(
                "rfm_rules",
                &format!("a segment scheme has at most {MAX_SEGMENT_RULES} rules"),
            );
        }
        if !(opts.forecast.discount.is_finite() && opts.forecast.discount > -1.0)
            || opts.forecast.clv_months > forecast::MAX_CLV_MONTHS
        {
            return bad(
                "forecast",
                &format!(
                    "discount must be above -1 and the CLV horizon at most {} months",
                    forecast::MAX_CLV_MONTHS
                ),
            );
        }
        Ok(())
    }

    /// The as-of date: the user's, or the latest purchase in the files.
    fn as_of(&self, files: &[&IngestedFile]) -> Result<(i32, AsOfSource), Error> {
        match &self.as_of {
            Some(s) if !s.trim().is_empty() => Ok((
                parse_iso_day(s).ok_or_else(|| Error::InvalidOption {
                    option: "as_of".into(),
                    reason: format!("\"{s}\" is not a date YYYY-MM-DD"),
                })?,
                AsOfSource::User,
            )),
            _ => Ok((
                profile::latest_purchase_day(files).ok_or(Error::NoPurchases)?,
                AsOfSource::LatestPurchase,
            )),
        }
    }

    /// The holdout split day, which must come before the as-of date.
    fn holdout_from(&self, as_of: i32) -> Result<Option<i32>, Error> {
        let Some(s) = self
            .holdout_from
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return Ok(None);
        };
        parse_iso_day(s)
            .filter(|d| *d < as_of)
            .map(Some)
            .ok_or_else(|| Error::InvalidOption {
                option: "holdout_from".into(),
                reason: format!(
                    "\"{s}\" must be a date YYYY-MM-DD before the as-of date {}",
                    format_day(as_of)
                ),
            })
    }

    /// The settings echoed in the report.
    fn settings(&self) -> Settings {
        Settings {
            rfm_window_days: self.rfm_window_days,
            rfm_scoring: self.rfm_scoring.clone(),
            dormancy_mode: self.dormancy_mode,
            return_period_days: self.return_period_days,
            due_window_days: self.due_window_days,
            growth_f: self.growth_f,
            maturity_f: self.maturity_f,
        }
    }
}

/// The forecast pass's result: the section and a forecast per member, or why there is none.
type ForecastPass = Result<(ForecastReport, Vec<Option<MemberForecast>>), ForecastError>;

/// The passes that only read the population, run at once (on threads natively).
struct Passes {
    /// Forecasts, when enabled.
    forecast: Option<ForecastPass>,
    /// Inventory figures.
    inventory: inventory::InventoryBasics,
    /// RFM scores, segments and section.
    rfm: rfm_pass::RfmPart,
    /// Label and source figures.
    labels: sources::LabelPart,
}

impl Passes {
    fn run(
        files: &[&IngestedFile],
        pop: &Population<'_>,
        opts: &AnalysisOptions,
        holdout_from: Option<i32>,
    ) -> Passes {
        let as_of = pop.as_of;
        let members = &pop.members;
        let ((forecast, inventory), (rfm, labels)) = par::join(
            || {
                par::join(
                    || {
                        opts.forecast
                            .enabled
                            .then(|| forecast_bridge::run(pop, &opts.forecast, holdout_from))
                    },
                    || inventory::basics(members, as_of, opts.return_period_days as i32),
                )
            },
            || {
                par::join(
                    || rfm_pass::run(members, as_of, opts),
                    || sources::run(files, pop, as_of),
                )
            },
        );
        Passes {
            forecast,
            inventory,
            rfm,
            labels,
        }
    }
}

/// Runs every analysis on the ingested files.
pub fn run(ingested: &[&Ingested], opts: &AnalysisOptions) -> Result<Analysis, Error> {
    opts.validate()?;
    let files: Vec<&IngestedFile> = ingested.iter().map(|f| &f.output).collect();
    let files = files.as_slice();
    let (as_of, as_of_source) = opts.as_of(files)?;
    let holdout_from = opts.holdout_from(as_of)?;
    let mut all_purchases = Vec::new();
    let pop = profile::build(files, as_of, &mut all_purchases);
    let Passes {
        forecast,
        inventory: inv,
        rfm,
        labels,
    } = Passes::run(files, &pop, opts, holdout_from);

    let mut notices = Vec::new();
    let (forecast, fc_cols) = match forecast {
        Some(Ok((section, cols))) => (Some(section), cols),
        Some(Err(e)) => {
            notices.push(Notice {
                message_en: format!("Forecasts were not computed: {e}."),
                message_zh: format!("未计算预测：{}。", e.message_zh()),
                code: NoticeCode::ForecastNotComputed {
                    reason: e.to_string(),
                },
            });
            (None, Vec::new())
        }
        None => (None, Vec::new()),
    };
    let files_section = file_reports(files, &pop);
    let inventory = inventory::section(&inv, labels.labels, &pop.counts, pop.members.len());

    // Last: the population is packed into the member table (its texts move into the rows).
    let inputs = pack::PackInputs {
        as_of,
        thresholds: dormancy::thresholds(opts.dormancy_mode, inv.median_gap),
        stage_rule: StageRule {
            growth_f: opts.growth_f,
            maturity_f: opts.maturity_f,
        },
        median_gap: inv.median_gap,
        due_window_days: opts.due_window_days as i32,
        scores: &rfm.scores,
        segs: &rfm.segs,
        tens: &rfm.tens,
        ten_names: rfm
            .ten_names
            .iter()
            .map(|(n, _)| Arc::from(n.as_str()))
            .collect(),
        fc_cols: &fc_cols,
    };
    let packed = pack::pack(pop, &inputs, opts.dormancy_mode);

    let report = report::assemble(Sections {
        as_of: Day(as_of),
        as_of_source,
        settings: opts.settings(),
        files: files_section,
        inventory,
        rfm: rfm.report,
        dormancy: packed.dormancy,
        lifecycle: packed.lifecycle,
        repurchase: packed.repurchase,
        sources: labels.sources,
        source_overlap: labels.source_overlap,
        forecast,
        notices,
        warnings: ingested
            .iter()
            .flat_map(|f| f.warnings.iter().cloned())
            .collect(),
    });
    Ok(Analysis {
        report,
        members: packed.members,
    })
}

/// Each file's accounting: `rows = accepted + duplicate_rows + rejected_rows`.
fn file_reports(files: &[&IngestedFile], pop: &Population<'_>) -> Vec<FileReport> {
    files
        .iter()
        .enumerate()
        .map(|(fi, f)| FileReport {
            name: f.summary.name.clone(),
            kind: f.summary.kind.key(),
            encoding: f.summary.encoding.clone(),
            rows: f.summary.rows,
            accepted: f.summary.accepted,
            duplicate_rows: f.summary.duplicate_rows,
            rejected_rows: f.summary.rejected_rows,
            after_as_of_rows: pop.counts.after_as_of_rows[fi],
            return_rows: pop.counts.return_rows_by_file[fi],
            columns: OrderedMap(
                f.summary
                    .columns
                    .iter()
                    .map(|c| (c.header.clone(), c.role.map(|r| r.key())))
                    .collect(),
            ),
            reject_reasons: f.summary.reject_reasons.clone(),
            source_label: pop.is_source[fi].then(|| f.summary.source_label.clone()),
        })
        .collect()
}
