//! What the user may set for an analysis, checked once before anything is computed.

use serde::{Deserialize, Serialize};

use super::dormancy::DormancyMode;
use super::forecast;
use super::forecast_bridge::ForecastOptions;
use super::rfm::{ScoreRule, Scoring};
use crate::error::Error;
use crate::ingest::values::{format_day, parse_iso_day};
use crate::ingest::IngestedFile;
use crate::report::{AsOfSource, Settings};

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
    /// Comparison date of the segment movement, `YYYY-MM-DD` (default: as-of − 90 days).
    pub compare_date: Option<String>,
    /// A revenue target to decompose (目标拆解).
    pub target: Option<crate::growth::TargetOptions>,
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
            compare_date: None,
            target: None,
        }
    }
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
        if let Some(p) = opts.target.as_ref().and_then(|t| t.problem()) {
            return bad("target", p);
        }
        Ok(())
    }

    /// The comparison date of the movement: the user's, which must come before as-of, or
    /// as-of − 90 days.
    pub(super) fn compare_date(&self, as_of: i32) -> Result<i32, Error> {
        let Some(s) = self
            .compare_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return Ok(as_of - 90);
        };
        parse_iso_day(s)
            .filter(|d| *d < as_of)
            .ok_or_else(|| Error::InvalidOption {
                option: "compare_date".into(),
                reason: format!(
                    "\"{s}\" must be a date YYYY-MM-DD before the as-of date {}",
                    format_day(as_of)
                ),
            })
    }

    /// The as-of date: the user's, or the latest purchase in the files (leaving out a few
    /// purchases dated more than a year after all the others, returned latest first).
    pub(super) fn as_of(
        &self,
        files: &[&IngestedFile],
    ) -> Result<(i32, AsOfSource, Vec<i32>), Error> {
        match &self.as_of {
            Some(s) if !s.trim().is_empty() => Ok((
                parse_iso_day(s).ok_or_else(|| Error::InvalidOption {
                    option: "as_of".into(),
                    reason: format!("\"{s}\" is not a date YYYY-MM-DD"),
                })?,
                AsOfSource::User,
                Vec::new(),
            )),
            _ => {
                let (day, left_out) =
                    crate::link::plausible_latest_day(files).ok_or(Error::NoPurchases)?;
                Ok((day, AsOfSource::LatestPurchase, left_out))
            }
        }
    }

    /// The holdout split day, which must come before the as-of date.
    pub(super) fn holdout_from(&self, as_of: i32) -> Result<Option<i32>, Error> {
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
    pub(super) fn settings(&self) -> Settings {
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
