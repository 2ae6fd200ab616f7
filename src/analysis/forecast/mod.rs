//! Repurchase and value forecasts (复购与价值预测): purchase models (BG/NBD, MBG/NBD,
//! Pareto/NBD and BG/NBD's nested limits, compared side by side: [`limits`]), the Gamma-Gamma
//! spend model, CLV, churn risk and a calibration/holdout check.
//!
//! Everything follows the lifetimes (0.11.3) conventions and formulas so results can be checked
//! against it and against the published CDNOW estimates, but the likelihoods are computed on
//! customers grouped by identical (x, t_x, T) and with per-x terms cached, which is what makes a
//! million-customer fit take well under a second.
//!
//! Degenerate data never yields NaN or infinity: a model that cannot be fitted is reported in
//! [`ForecastOutput::not_fitted`] with its reason, and per-member values fall back as documented
//! on [`MemberForecast`].

pub mod bgnbd;
pub mod clv;
pub mod gamma_gamma;
pub mod holdout;
pub mod limits;
pub mod mbgnbd;
pub mod optimize;
pub mod pareto_nbd;
pub mod simulate;
pub mod special;
pub mod summary;

pub use bgnbd::BgNbdFit;
pub use clv::ChurnBand;
pub use gamma_gamma::GammaGammaFit;
pub use gamma_gamma::{SpendChoice, SpendModel};
pub use holdout::{HoldoutBucket, HoldoutReport};
pub use limits::{ModelSelection, PurchaseChoice, PurchaseModel};
pub use mbgnbd::MbgNbdFit;
pub use pareto_nbd::ParetoNbdFit;
pub use summary::{summarize, CustomerSummary, TimeUnit};

use std::fmt;

use crate::model::ForecastValues;
pub use crate::report::ForecastInput;

/// HashMap with FxHash: grouping a million customers by their bit patterns is several times
/// faster than with SipHash, and the keys are the user's own data (no flooding concern).
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// Why a forecast model could not be fitted or the forecast could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum ForecastError {
    /// No customer has a purchase on or before the as-of day (empty input).
    NoCustomers,
    /// Every customer bought on one day only (frequency 0): BG/NBD's purchase and dropout
    /// rates are not identified, the likelihood only improves as the rate goes to 0.
    NoRepeatPurchases,
    /// Every customer's first purchase is on the as-of day (T = 0): there is no observed time.
    NoObservationTime,
    /// Gamma-Gamma needs repeat buyers with positive spend and found too few.
    TooFewRepeatBuyers {
        /// Repeat buyers with positive mean repeat spend.
        found: usize,
        /// Minimum required.
        needed: usize,
    },
    /// A customer summary had a non-finite or negative value, or recency larger than T.
    InvalidSummary {
        /// Position of the summary in the input.
        index: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// The optimiser found no usable estimate (likelihood not finite, or q <= 1 for spend).
    FitFailed {
        /// Model name: "bgnbd", "gamma_gamma" or "pareto_nbd".
        model: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// A setting is out of range (discount <= −100 %, too many months, split not before as-of).
    InvalidSettings(String),
    /// The likelihood has no maximum inside the parameter space: it keeps rising towards a
    /// simpler, nested model (the fit stopped as soon as a shape ran past e^±10).
    NoMaximum {
        /// Model key.
        model: &'static str,
        /// Which limit it runs towards.
        limit: Limit,
    },
}

/// The limit a model's likelihood runs towards when it has no maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Purchase rates the same for everyone (Gamma shape r → ∞).
    SameRates,
    /// Nobody drops out (Beta a → 0 or b → ∞).
    NoDropout,
    /// Everyone's mean spend the same (Gamma-Gamma q → ∞).
    CommonMeanSpend,
    /// Another edge of the parameter space.
    Other,
}

impl Limit {
    fn en(self) -> &'static str {
        match self {
            Limit::SameRates => "the same purchase rate for everyone",
            Limit::NoDropout => "nobody dropping out",
            Limit::CommonMeanSpend => "the same mean spend for everyone",
            Limit::Other => "an edge of the parameter space",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Limit::SameRates => "所有人购买频率相同",
            Limit::NoDropout => "没有客户流失",
            Limit::CommonMeanSpend => "所有人平均客单价相同",
            Limit::Other => "参数空间的边界",
        }
    }
}

impl fmt::Display for ForecastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForecastError::NoCustomers => write!(f, "no customer has a purchase on or before the as-of date"),
            ForecastError::NoRepeatPurchases => write!(
                f,
                "every customer bought on a single day only, so repeat-purchase rates cannot be estimated"
            ),
            ForecastError::NoObservationTime => {
                write!(f, "every customer first bought on the as-of date, so there is no time to learn from")
            }
            ForecastError::TooFewRepeatBuyers { found, needed } => write!(
                f,
                "the spend model needs at least {needed} repeat buyers with a positive spend, found {found}"
            ),
            ForecastError::InvalidSummary { index, reason } => {
                write!(f, "customer summary {index} is invalid: {reason}")
            }
            ForecastError::FitFailed { model, reason } => write!(f, "{model} could not be fitted: {reason}"),
            ForecastError::InvalidSettings(msg) => write!(f, "invalid forecast settings: {msg}"),
            ForecastError::NoMaximum { model, limit } => write!(
                f,
                "{model} has no best fit on this data: its likelihood keeps rising towards {}, a simpler model",
                limit.en()
            ),
        }
    }
}

impl ForecastError {
    /// Why, in Chinese (zh-CN).
    pub fn message_zh(&self) -> String {
        match self {
            ForecastError::NoCustomers => "分析基准日及之前没有任何客户消费".into(),
            ForecastError::NoRepeatPurchases => "所有客户都只在一天内消费过，无法估计复购率".into(),
            ForecastError::NoObservationTime => {
                "所有客户都在分析基准日当天首次消费，没有可用于学习的时间".into()
            }
            ForecastError::TooFewRepeatBuyers { found, needed } => {
                format!(
                    "消费金额模型至少需要 {needed} 位消费金额为正的复购客户，实际只有 {found} 位"
                )
            }
            ForecastError::InvalidSummary { index, reason } => {
                format!("第 {index} 个客户汇总无效：{reason}")
            }
            ForecastError::FitFailed { model, reason } => format!("{model} 模型无法拟合：{reason}"),
            ForecastError::InvalidSettings(msg) => format!("预测参数无效：{msg}"),
            ForecastError::NoMaximum { model, limit } => format!(
                "{model} 模型在这份数据上没有最优拟合：似然函数一直朝“{}”这一更简单的模型增大",
                limit.zh()
            ),
        }
    }
}

impl std::error::Error for ForecastError {}

/// Settings of a forecast run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastSettings {
    /// Time unit the models are fitted in (parameters α, β are per unit).
    pub unit: TimeUnit,
    /// CLV horizon in months of 30 days or 4.345 weeks (default 12).
    pub clv_months: u32,
    /// Monthly discount rate for CLV (default 0.01 = 1 %).
    pub monthly_discount: f64,
    /// Last calibration day (inclusive) of an optional holdout check; the holdout window is
    /// the days after it up to the as-of day. (`--holdout-from D` passes D − 1 here.)
    pub holdout_from: Option<i32>,
    /// Which purchase model member forecasts use (default: the data's choice by AIC).
    pub model: ModelSelection,
}

impl Default for ForecastSettings {
    fn default() -> Self {
        ForecastSettings {
            unit: TimeUnit::Day,
            clv_months: 12,
            monthly_discount: 0.01,
            holdout_from: None,
            model: ModelSelection::Auto,
        }
    }
}

/// Largest CLV horizon accepted (50 years), so a typo cannot make scoring run for minutes.
pub const MAX_CLV_MONTHS: u32 = 600;

/// A model that was not fitted, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NotFitted {
    /// "bgnbd", "gamma_gamma" or "holdout".
    pub model: String,
    /// Human-readable reason (the [`ForecastError`] message).
    pub reason: String,
}

/// Forecast of one member.
///
/// When BG/NBD is not fitted (e.g. nobody ever bought twice) the fallback is the model's own
/// limit for such data: no repeat purchases are forecast (expected purchases and CLV 0) and
/// P(alive) is 1, which is what BG/NBD gives every customer without a repeat purchase. When
/// Gamma-Gamma is not fitted, the expected spend is the member's own mean spend per purchase
/// day (first day included).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberForecast {
    /// P(alive), expected purchases, expected spend (Gamma-Gamma conditional expectation),
    /// CLV over `clv_months` (客户终身价值) and churn risk 1 − P(alive) (流失风险).
    pub values: ForecastValues,
    /// Band of `churn_risk`.
    pub churn_band: ChurnBand,
}

impl std::ops::Deref for MemberForecast {
    type Target = ForecastValues;

    fn deref(&self) -> &ForecastValues {
        &self.values
    }
}

/// Everything a forecast run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastOutput {
    /// Settings the run used.
    pub settings: ForecastSettings,
    /// Members with at least one purchase on or before the as-of day.
    pub customers: usize,
    /// What the models were fitted on.
    pub input: ForecastInput,
    /// Purchase models compared and the one used (none when nobody bought twice).
    pub purchase: Option<PurchaseChoice>,
    /// Spend models compared and the one used (none when too few repeat buyers spent).
    pub spend: Option<SpendChoice>,
    /// BG/NBD fit, if its likelihood has a maximum.
    pub bgnbd: Option<BgNbdFit>,
    /// Gamma-Gamma fit, if its likelihood has a maximum.
    pub gamma_gamma: Option<GammaGammaFit>,
    /// Models (or the holdout check) that were not fitted, with reasons.
    pub not_fitted: Vec<NotFitted>,
    /// Calibration/holdout check when `holdout_from` was set and it could run.
    pub holdout: Option<HoldoutReport>,
    /// 95 % intervals of the headline totals (expected purchases in 30/90/365 days, CLV)
    /// from the estimates' uncertainty, when the chosen models have covariances.
    pub totals_interval_95: Option<[[f64; 2]; 4]>,
    /// Customers with 0..=6 and 7+ repeat purchase days up to as-of: (actual, expected under
    /// the chosen purchase model), as lifetimes' `plot_period_transactions`.
    pub repeat_purchase_counts: Vec<(usize, f64)>,
    /// Per member, in input order; `None` for members without purchases by the as-of day.
    pub members: Vec<Option<MemberForecast>>,
}

/// A customer known by a summary row instead of purchases (a warehouse's member summary,
/// docs/warehouse.md): what the models read of them, already in the time unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GivenSummary {
    /// Frequency, recency, T and mean repeat spend, as [`summarize`] gives them.
    pub summary: CustomerSummary,
    /// Mean spend per purchase day (where no spend model is used).
    pub mean_spend_per_day: f64,
    /// Orders in the summary (the forecast input's purchase count).
    pub orders: usize,
}

/// Fits the models on every member's purchases as of `as_of_day` and scores each member.
///
/// `customers[i]` holds member i's (day number, spend) pairs, in any order. Fails only on
/// settings out of range or when no member has a purchase; models that cannot be fitted are
/// listed in [`ForecastOutput::not_fitted`].
pub fn run(
    customers: &[Vec<(i32, f64)>],
    as_of_day: i32,
    settings: &ForecastSettings,
) -> Result<ForecastOutput, ForecastError> {
    run_with_summaries(customers, &[], as_of_day, settings)
}

/// [`run`], where a member without purchases may be known by a summary row instead
/// (`given[i]`, read only when `customers[i]` is empty; `given` may be shorter than
/// `customers`). Such members are fitted and scored like the others; the holdout check
/// leaves them out (it needs purchase dates).
pub fn run_with_summaries(
    customers: &[Vec<(i32, f64)>],
    given: &[Option<GivenSummary>],
    as_of_day: i32,
    settings: &ForecastSettings,
) -> Result<ForecastOutput, ForecastError> {
    if !(settings.monthly_discount.is_finite() && settings.monthly_discount > -1.0) {
        return Err(ForecastError::InvalidSettings(format!(
            "monthly discount {} must be a number above -1",
            settings.monthly_discount
        )));
    }
    if settings.clv_months > MAX_CLV_MONTHS {
        return Err(ForecastError::InvalidSettings(format!(
            "CLV horizon {} months is above the maximum of {MAX_CLV_MONTHS}",
            settings.clv_months
        )));
    }
    if let Some(split) = settings.holdout_from {
        if split >= as_of_day {
            return Err(ForecastError::InvalidSettings(format!(
                "the holdout split day {split} must be before the as-of day {as_of_day}"
            )));
        }
    }
    let unit = settings.unit;
    let given_at = |i: usize| given.get(i).copied().flatten();
    let member_summaries: Vec<Option<CustomerSummary>> = customers
        .iter()
        .enumerate()
        .map(|(i, days)| match given_at(i) {
            Some(g) if days.is_empty() => Some(g.summary),
            _ => summarize(days, as_of_day, unit),
        })
        .collect();
    let own_mean_spend = |i: usize, days: &[(i32, f64)]| match given_at(i) {
        Some(g) if days.is_empty() => finite_or_zero(g.mean_spend_per_day).max(0.0),
        _ => mean_spend_per_day(days, as_of_day),
    };
    let summaries: Vec<CustomerSummary> = member_summaries.iter().flatten().copied().collect();
    if summaries.is_empty() {
        return Err(ForecastError::NoCustomers);
    }
    let mut not_fitted = Vec::new();
    let mut note = |model: &str, e: ForecastError| {
        not_fitted.push(NotFitted {
            model: model.to_string(),
            reason: e.to_string(),
        })
    };
    let grouped = bgnbd::BgNbdData::new(&summaries);
    let purchase = grouped
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|d| limits::choose_data(d, settings.model))
        .map_err(|e| note("bgnbd", e))
        .ok();
    if let Some(Err(e)) = purchase.as_ref().map(|c| &c.candidates[0].fit) {
        note("bgnbd", e.clone());
    }
    let spend = gamma_gamma::choose(&summaries)
        .map_err(|e| note("gamma_gamma", e))
        .ok();
    if let Some(Err(e)) = spend.as_ref().map(|c| &c.candidates[0].fit) {
        note("gamma_gamma", e.clone());
    }
    let spend_model = spend.as_ref().and_then(SpendChoice::model);
    let holdout = match settings.holdout_from {
        Some(split) => {
            holdout::calibration_holdout(customers, split, as_of_day, unit, settings.model)
                .map_err(|e| note("holdout", e))
                .ok()
        }
        None => None,
    };

    // Purchase-history quantities depend on (x, t_x, T) only: computed once per distinct one.
    let history_scores = match &purchase {
        Some(c) => clv::score_histories(
            &c.chosen_fit().model,
            &summaries,
            settings.clv_months,
            settings.monthly_discount,
            unit,
        ),
        None => Vec::new(),
    };
    let mut next_scored = 0;
    let members = customers
        .iter()
        .zip(&member_summaries)
        .enumerate()
        .map(|(i, (days, summary))| {
            let s = (*summary)?;
            let (p_alive, expected, discounted) = match history_scores.get(next_scored) {
                Some(h) => (h.p_alive, h.expected_purchases, h.discounted_purchases),
                None => (1.0, [0.0; 3], 0.0),
            };
            next_scored += 1;
            let expected_spend = match &spend_model {
                Some(m) => m.expected_spend(s.frequency, s.monetary_value),
                None => own_mean_spend(i, days),
            };
            let clv = finite_or_zero(expected_spend * discounted);
            let p_alive = finite_or_zero(p_alive).clamp(0.0, 1.0);
            let churn_risk = 1.0 - p_alive;
            Some(MemberForecast {
                values: ForecastValues {
                    p_alive,
                    expected_purchases_30d: finite_or_zero(expected[0]),
                    expected_purchases_90d: finite_or_zero(expected[1]),
                    expected_purchases_365d: finite_or_zero(expected[2]),
                    expected_spend: finite_or_zero(expected_spend),
                    clv,
                    churn_risk,
                },
                churn_band: ChurnBand::from_risk(churn_risk),
            })
        })
        .collect();
    let totals_interval_95 = match &purchase {
        Some(c) => totals_interval(
            c,
            &history_scores,
            spend.as_ref(),
            &summaries,
            &match spend_model {
                // own mean spend only where no spend model is used (it costs a sort per member)
                Some(_) => vec![0.0; summaries.len()],
                None => customers
                    .iter()
                    .zip(&member_summaries)
                    .enumerate()
                    .filter(|(_, (_, s))| s.is_some())
                    .map(|(i, (days, _))| own_mean_spend(i, days))
                    .collect::<Vec<f64>>(),
            },
            settings,
        ),
        None => None,
    };
    let repeat_purchase_counts = match (&purchase, &grouped) {
        (Some(c), Ok(d)) => {
            let expected = simulate::repeat_count_expectation(
                d,
                &c.chosen_fit().model,
                REPEAT_COUNT_LAST,
                REPEAT_COUNT_SEED,
            );
            let mut actual = vec![0usize; REPEAT_COUNT_LAST + 1];
            for s in &summaries {
                actual[(s.frequency as usize).min(REPEAT_COUNT_LAST)] += 1;
            }
            actual.into_iter().zip(expected).collect()
        }
        _ => Vec::new(),
    };
    let input = ForecastInput {
        customers: summaries.len(),
        repeat_customers: summaries.iter().filter(|s| s.frequency > 0.0).count(),
        purchases: customers
            .iter()
            .enumerate()
            .map(|(i, days)| match given_at(i) {
                Some(g) if days.is_empty() => g.orders,
                _ => days.iter().filter(|d| d.0 <= as_of_day).count(),
            })
            .sum(),
        summary_customers: customers
            .iter()
            .enumerate()
            .filter(|(i, days)| days.is_empty() && given_at(*i).is_some())
            .count(),
        purchase_days: summaries.iter().map(|s| s.frequency as usize + 1).sum(),
        spend_customers: spend.as_ref().map_or(0, |c| c.customers),
    };
    Ok(ForecastOutput {
        settings: *settings,
        customers: summaries.len(),
        input,
        bgnbd: purchase.as_ref().and_then(PurchaseChoice::bgnbd),
        gamma_gamma: spend.as_ref().and_then(|c| match c.candidates[0].fit {
            Ok((SpendModel::GammaGamma(g), ..)) => Some(g),
            _ => None,
        }),
        purchase,
        spend,
        not_fitted,
        holdout,
        totals_interval_95,
        repeat_purchase_counts,
        members,
    })
}

/// The last repeat-purchase count of the diagnostics; it stands for "this many or more".
pub const REPEAT_COUNT_LAST: usize = 7;

/// Seed of the model's simulated repeat-purchase counts (fixed: same data, same figures).
const REPEAT_COUNT_SEED: u64 = 0x0008_1616_2026_c0de;

/// P(alive) of one customer over their history (lifetimes' `calculate_alive_path`): for every
/// day from their first purchase to `as_of_day`, the model's P(alive) given the purchases up
/// to that day, as (day, P(alive)). Empty when they have no purchase by then.
pub fn p_alive_history(
    model: &PurchaseModel,
    purchases: &[(i32, f64)],
    as_of_day: i32,
    unit: TimeUnit,
) -> Vec<(i32, f64)> {
    let mut days: Vec<i32> = purchases
        .iter()
        .map(|p| p.0)
        .filter(|&d| d <= as_of_day)
        .collect();
    days.sort_unstable();
    days.dedup();
    let Some(&first) = days.first() else {
        return Vec::new();
    };
    let per = unit.days();
    let mut seen = 0usize;
    (first..=as_of_day)
        .map(|day| {
            while seen < days.len() && days[seen] <= day {
                seen += 1;
            }
            let x = (seen - 1) as f64;
            let t_x = f64::from(days[seen - 1] - first) / per;
            let t = f64::from(day - first) / per;
            (
                day,
                finite_or_zero(model.p_alive(x, t_x, t)).clamp(0.0, 1.0),
            )
        })
        .collect()
}

/// Σ expected purchases in 30, 90 and 365 days and Σ CLV over the customers, under the given
/// models (members without a spend model use their own mean spend, `fallback_spend`).
fn headline_totals(
    purchase: &PurchaseModel,
    spend: Option<&SpendModel>,
    summaries: &[CustomerSummary],
    fallback_spend: &[f64],
    settings: &ForecastSettings,
) -> [f64; 4] {
    let scores = clv::score_histories(
        purchase,
        summaries,
        settings.clv_months,
        settings.monthly_discount,
        settings.unit,
    );
    totals_of(&scores, spend, summaries, fallback_spend)
}

/// [`headline_totals`] from the customers' purchase-model scores already at hand.
fn totals_of(
    scores: &[clv::HistoryScore],
    spend: Option<&SpendModel>,
    summaries: &[CustomerSummary],
    fallback_spend: &[f64],
) -> [f64; 4] {
    let mut totals = [0.0; 4];
    for ((h, s), own) in scores.iter().zip(summaries).zip(fallback_spend) {
        let spend = spend.map_or(*own, |m| m.expected_spend(s.frequency, s.monetary_value));
        for (total, e) in totals.iter_mut().zip(h.expected_purchases) {
            *total += finite_or_zero(e);
        }
        totals[3] += finite_or_zero(spend * h.discounted_purchases);
    }
    totals
}

/// 95 % intervals of the headline totals by the delta method. `scores` are the customers'
/// scores under the chosen purchase model (the members' own): the base totals and every
/// spend-parameter step reuse them, since only the purchase parameters' steps change them.
fn totals_interval(
    purchase: &PurchaseChoice,
    scores: &[clv::HistoryScore],
    spend: Option<&SpendChoice>,
    summaries: &[CustomerSummary],
    fallback_spend: &[f64],
    settings: &ForecastSettings,
) -> Option<[[f64; 2]; 4]> {
    const STEP: f64 = 1e-4;
    let model = purchase.chosen_fit().model;
    let cov = purchase.chosen_covariance()?;
    let spend_model = spend.and_then(SpendChoice::model);
    let spend_cov = match spend_model {
        Some(_) => Some(spend.and_then(SpendChoice::chosen_covariance)?),
        None => None,
    };
    let base = totals_of(scores, spend_model.as_ref(), summaries, fallback_spend);
    let mut variance = [0.0f64; 4];
    // one block of parameters: gradients by forward differences, then g' Σ g
    let mut block = |values: Vec<(&'static str, f64)>,
                     cov: &Vec<Vec<f64>>,
                     totals_at: &dyn Fn(&[f64]) -> [f64; 4]| {
        let theta: Vec<f64> = values.iter().map(|v| v.1).collect();
        let grads: Vec<[f64; 4]> = (0..theta.len())
            .map(|i| {
                let mut moved = theta.clone();
                let h = theta[i] * STEP;
                moved[i] += h;
                let t = totals_at(&moved);
                std::array::from_fn(|k| (t[k] - base[k]) / h)
            })
            .collect();
        for k in 0..4 {
            for i in 0..theta.len() {
                for j in 0..theta.len() {
                    variance[k] += grads[i][k] * cov[i][j] * grads[j][k];
                }
            }
        }
    };
    block(model.parameters(), cov, &|v| {
        headline_totals(
            &model.with_parameters(v),
            spend_model.as_ref(),
            summaries,
            fallback_spend,
            settings,
        )
    });
    if let (Some(m), Some(c)) = (spend_model, spend_cov) {
        block(m.parameters(), c, &|v| {
            totals_of(
                scores,
                Some(&m.with_parameters(v)),
                summaries,
                fallback_spend,
            )
        });
    }
    let mut out = [[0.0; 2]; 4];
    for k in 0..4 {
        if !(variance[k].is_finite() && variance[k] >= 0.0) {
            return None;
        }
        let half = 1.96 * variance[k].sqrt();
        out[k] = [base[k] - half, base[k] + half];
    }
    Some(out)
}

/// Mean spend per purchase day up to `as_of_day`, first day included (spend fallback).
fn mean_spend_per_day(days: &[(i32, f64)], as_of_day: i32) -> f64 {
    let mut seen: Vec<i32> = days
        .iter()
        .filter(|d| d.0 <= as_of_day)
        .map(|d| d.0)
        .collect();
    seen.sort_unstable();
    seen.dedup();
    let total: f64 = days
        .iter()
        .filter(|d| d.0 <= as_of_day && d.1.is_finite())
        .map(|d| d.1)
        .sum();
    finite_or_zero(total / seen.len().max(1) as f64).max(0.0)
}

fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}
