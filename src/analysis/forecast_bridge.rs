//! Connects the forecast models to linked members: builds their purchase histories,
//! runs [`super::forecast`], and shapes the report section and member columns.

use serde::Serialize;

use super::profile::Population;

/// The `forecast` section of the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ForecastReport {
    /// Why forecasts are missing, when they are.
    pub note: Option<String>,
}

/// Per-member forecast values for the member table.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemberForecastCols {
    /// P(alive).
    pub p_alive: f64,
    /// Expected purchases in 30/90/365 days.
    pub expected: [f64; 3],
    /// Expected spend per purchase.
    pub expected_spend: Option<f64>,
    /// CLV.
    pub clv: Option<f64>,
    /// 1 − P(alive).
    pub churn_risk: f64,
    /// Band key.
    pub churn_band: &'static str,
}

/// Forecast settings chosen by the user.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ForecastOptions {
    /// Compute forecasts at all.
    pub enabled: bool,
    /// `day` or `week`.
    pub time_unit_days: u32,
    /// CLV horizon in months.
    pub clv_months: u32,
    /// Monthly discount rate.
    pub discount: f64,
    /// Holdout split day (calibration/holdout check), as a day number.
    #[serde(skip)]
    pub holdout_from: Option<i32>,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            enabled: true,
            time_unit_days: 1,
            clv_months: 12,
            discount: 0.01,
            holdout_from: None,
        }
    }
}

/// Runs the forecasts; `None` per member for non-buyers.
pub fn run(
    _pop: &Population,
    _opts: &ForecastOptions,
) -> (Option<ForecastReport>, Vec<Option<MemberForecastCols>>) {
    (None, Vec::new())
}
