//! The forecast section: fitted models (BG/NBD, Gamma-Gamma), the holdout check, CLV and churn.

use schemars::JsonSchema;
use serde::Serialize;

use super::ordered_map::OrderedMap;
use crate::model::Day;

/// Settings echoed in the report.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct ForecastSettingsReport {
    /// `day` or `week`.
    pub time_unit: &'static str,
    /// CLV horizon in months (30 days, or 4.345 weeks when fitted in weeks, as lifetimes).
    pub clv_months: u32,
    /// Monthly discount rate.
    pub discount: f64,
    /// Holdout split date, when a holdout check was asked for.
    pub holdout_from: Option<String>,
}

/// Summary of a distribution (CLV, P(alive)).
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct Distribution {
    /// Buyers with a value.
    pub count: usize,
    /// Mean.
    pub mean: f64,
    /// Sum.
    pub total: f64,
    /// 10/25/50/75/90th percentiles.
    pub percentiles: [f64; 5],
    /// Histogram: bin edges (n+1) and counts (n).
    pub bins: Vec<f64>,
    /// Counts per bin.
    pub counts: Vec<usize>,
}

/// The `forecast` section of the report.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct ForecastReport {
    /// What the models were fitted on.
    pub input: ForecastInput,
    /// The purchase models compared and the one member forecasts use.
    pub purchase_model: ModelChoice,
    /// The spend models compared and the one expected spend uses (none: too few repeat buyers
    /// with a positive spend, each member's own mean spend is used).
    pub spend_model: Option<ModelChoice>,
    /// BG/NBD fit (r, alpha, a, b, log_likelihood, converged, iterations), when its likelihood
    /// has a maximum (else it is in `not_fitted` with the reason and `purchase_model` says
    /// which simpler model is used).
    pub bgnbd: Option<BgNbdFit>,
    /// Gamma-Gamma fit (p, q, gamma ...), when its likelihood has a maximum.
    pub gamma_gamma: Option<GammaGammaFit>,
    /// Settings used.
    pub settings: ForecastSettingsReport,
    /// Models that could not be fitted and why (values then fall back as documented).
    pub not_fitted: Vec<NotFittedReport>,
    /// Calibration/holdout check, when asked for.
    pub holdout: Option<HoldoutReport>,
    /// Buyers per churn-risk band (low < 0.33 ≤ medium < 0.66 ≤ high).
    pub churn_bands: OrderedMap<usize>,
    /// Expected purchases by all buyers in the next 30/90/365 days.
    pub expected_purchases: OrderedMap<f64>,
    /// CLV distribution over buyers.
    pub clv: Distribution,
    /// 95 % intervals of the headline totals (`purchases_30d`, `purchases_90d`,
    /// `purchases_365d`, `clv`: the sums over buyers) from the uncertainty of the estimates
    /// (delta method with their covariance); parameter uncertainty only, not the randomness of
    /// who buys. Empty when a chosen model has no covariance.
    pub totals_interval_95: OrderedMap<[f64; 2]>,
    /// Mean P(alive) in a frequency (rows: 0..=9, 10+ repeat days) × recency-decile (columns) matrix.
    pub p_alive_matrix: Vec<Vec<Option<f64>>>,
    /// Goodness of fit in the calibration period (lifetimes' `plot_period_transactions`):
    /// customers with 0, 1, …, 6 and 7 or more repeat purchase days, actual and expected under
    /// the purchase model used (customers drawn from it with their own observation times,
    /// seeded, about 200,000 draws averaged). Empty when no purchase model was fitted.
    pub repeat_purchase_counts: Vec<RepeatPurchaseCount>,
}

/// Actual and model-expected customers with one repeat-purchase count.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RepeatPurchaseCount {
    /// Repeat purchase days (frequency); the last row stands for "this many or more".
    pub repeat_purchases: u32,
    /// Customers with that count.
    pub actual: usize,
    /// Customers the model expects with that count.
    pub expected: f64,
}

/// What the forecast models were fitted on, and how it differs from a raw transaction log:
/// only members' purchases count (guests, member-summary rows without dates, closed and fully
/// refunded orders and returns are not in it), up to the as-of date, and several purchases by
/// one member on one day are one purchase day (lifetimes' `summary_data_from_transaction_data`).
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct ForecastInput {
    /// Members with a purchase on or before the as-of date (the customers the models see).
    pub customers: usize,
    /// Of them, members who bought on two days or more (frequency > 0).
    pub repeat_customers: usize,
    /// Purchases of those members (orders with a positive net amount).
    pub purchases: usize,
    /// Distinct (member, day) pairs: what the purchase models count.
    pub purchase_days: usize,
    /// Repeat buyers with a positive mean repeat spend (the spend models' input).
    pub spend_customers: usize,
    /// Of the customers, members known only by a member-summary row (消费天数, 首次/最近消费时间,
    /// 复购消费金额; docs/warehouse.md) rather than by orders; the holdout check leaves them out.
    pub summary_customers: usize,
}

/// The models compared for one part of the forecast and the one used.
///
/// Rule: every model whose likelihood has a maximum is a candidate; unless the user asks for
/// one, the one with the lowest AIC (2k − 2 LL) is used, the simpler one on a tie. A model whose likelihood keeps rising
/// towards the edge of its parameters (e.g. BG/NBD on buyers who all buy at one rate) has no
/// estimate: its `reason` says so and a nested, simpler model takes its place.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct ModelChoice {
    /// Key of the model used (`bgnbd`, `mbgnbd`, `pareto_nbd`, `bg_poisson`, `nbd`,
    /// `poisson`; `gamma_gamma`, `common_mean`), none when no candidate has an estimate.
    pub chosen: Option<String>,
    /// The purchase model the user asked for (`--model`), none for the data's choice; when it
    /// has no estimate `chosen` is the data's choice and a notice says so.
    pub requested: Option<String>,
    /// Every model considered, from the richest to the simplest.
    pub candidates: Vec<ModelCandidate>,
}

/// One model considered.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct ModelCandidate {
    /// Model key.
    pub model: String,
    /// Estimates by name (empty without an estimate). Rates and scales are per time unit.
    pub parameters: OrderedMap<f64>,
    /// Standard errors by name, from the observed information (the inverse Hessian of the
    /// log-likelihood at the estimates), or where that is singular or not positive definite
    /// from a parametric bootstrap (`standard_errors_method`); empty when neither gives them.
    pub standard_errors: OrderedMap<f64>,
    /// `observed_information` or `parametric_bootstrap` (24 seeded replicates drawn from the
    /// fitted model with the customers' own observation times, at most 20,000 customers each,
    /// the covariance scaled to the data's size); none without standard errors.
    pub standard_errors_method: Option<String>,
    /// 95 % intervals by name: estimate ± 1.96 standard errors (lifetimes' `summary` bounds).
    pub interval_95: OrderedMap<[f64; 2]>,
    /// Total log-likelihood at the estimates (comparable across the candidates).
    pub log_likelihood: Option<f64>,
    /// AIC = 2 × parameters − 2 × log-likelihood.
    pub aic: Option<f64>,
    /// BIC = parameters × ln(customers) − 2 × log-likelihood.
    pub bic: Option<f64>,
    /// When a holdout check ran: this model's `holdout.bucket_mean_absolute_error_by_model`
    /// (fitted on the calibration period), for judging the comparison out of sample.
    pub holdout_bucket_mean_absolute_error: Option<f64>,
    /// Whether the optimiser reached its tolerance; when false a notice says so.
    pub converged: Option<bool>,
    /// Why the model has no estimate, in English.
    pub reason: Option<String>,
}

/// A model that could not be fitted.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct NotFittedReport {
    /// Model key.
    pub model: String,
    /// Reason, in English.
    pub reason: String,
}

/// Fitted BG/NBD parameters and fit diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct BgNbdFit {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (in time units) of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the Beta distribution of dropout probabilities.
    pub a: f64,
    /// Second shape of the Beta distribution of dropout probabilities.
    pub b: f64,
    /// Total log-likelihood at the estimate (summed over customers).
    pub log_likelihood: f64,
    /// Whether the optimiser reached its gradient tolerance.
    pub converged: bool,
    /// Optimiser iterations of the best start.
    pub iterations: u32,
}

/// Fitted Gamma-Gamma parameters and fit diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct GammaGammaFit {
    /// Shape of the per-transaction spend distribution.
    pub p: f64,
    /// Shape of the Gamma distribution of the spend-scale parameter ν.
    pub q: f64,
    /// Scale of the Gamma distribution of ν (lifetimes calls it `v`).
    pub gamma: f64,
    /// Total log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Whether the optimiser reached its gradient tolerance.
    pub converged: bool,
    /// Optimiser iterations of the best start.
    pub iterations: u32,
    /// Number of repeat buyers with positive spend the model was fitted on.
    pub customers: usize,
}

/// Actual vs predicted holdout purchases of customers with one calibration frequency.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HoldoutBucket {
    /// Calibration frequency (repeat purchase days) of the bucket; 7 stands for "7 or more".
    pub calibration_frequency: u32,
    /// Customers in the bucket.
    pub customers: usize,
    /// Mean actual purchase days per customer in the holdout window.
    pub mean_actual: f64,
    /// Mean predicted purchases per customer in the holdout window (the chosen model).
    pub mean_predicted: f64,
    /// The same for every purchase model with an estimate on the calibration period, by key.
    pub mean_predicted_by_model: OrderedMap<f64>,
}

/// Result of a calibration/holdout check.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HoldoutReport {
    /// Last day of the calibration period (inclusive): the day before `holdout_from`.
    pub split_day: Day,
    /// Last day of the holdout window (inclusive).
    pub end_day: Day,
    /// Holdout window length in the time unit.
    pub holdout_length: f64,
    /// Purchase model chosen on the calibration period (same rule as `purchase_model`), whose
    /// predictions are compared.
    pub model: String,
    /// BG/NBD fitted on the calibration period, when its likelihood has a maximum there.
    pub fit: Option<BgNbdFit>,
    /// Customers with a purchase in the calibration period (the ones compared).
    pub customers: usize,
    /// Per calibration-frequency buckets 0..=7.
    pub buckets: Vec<HoldoutBucket>,
    /// Sum of actual holdout purchase days.
    pub total_actual: f64,
    /// Sum of predicted holdout purchases.
    pub total_predicted: f64,
    /// Mean over customers of |predicted − actual|.
    pub mean_absolute_error: f64,
    /// Mean over non-empty buckets of |mean predicted − mean actual|.
    pub bucket_mean_absolute_error: f64,
    /// `total_predicted` of every purchase model with an estimate on the calibration period.
    pub total_predicted_by_model: OrderedMap<f64>,
    /// `mean_absolute_error` of every such model.
    pub mean_absolute_error_by_model: OrderedMap<f64>,
    /// `bucket_mean_absolute_error` of every such model (the holdout error per calibration
    /// frequency, summarised).
    pub bucket_mean_absolute_error_by_model: OrderedMap<f64>,
}
