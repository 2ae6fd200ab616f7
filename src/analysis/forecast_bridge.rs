//! Connects the forecast models to linked members: builds their purchase histories,
//! runs [`super::forecast::run`], and shapes the report section and member columns.

use serde::{Deserialize, Serialize};

use super::forecast::{
    self, CustomerSummary, ForecastError, ForecastSettings, GivenSummary, MemberForecast,
    ModelSelection, PurchaseChoice, SpendChoice, TimeUnit,
};
use crate::error::{Notice, NoticeCode};
use crate::ingest::values::format_day;
use crate::model::Population;
use crate::report::{
    Distribution, ForecastReport, ForecastSettingsReport, ModelCandidate, ModelChoice,
    NotFittedReport, OrderedMap, RepeatPurchaseCount,
};

/// Forecast settings chosen by the user.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForecastOptions {
    /// Compute forecasts at all.
    pub enabled: bool,
    /// 1 (days) or 7 (weeks).
    pub time_unit_days: u32,
    /// CLV horizon in months.
    pub clv_months: u32,
    /// Monthly discount rate.
    pub discount: f64,
    /// Purchase model for member forecasts: `auto` (the data's choice, lowest AIC),
    /// `bgnbd`, `mbgnbd` or `pareto`.
    pub model: ModelSelection,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            enabled: true,
            time_unit_days: 1,
            clv_months: 12,
            discount: 0.01,
            model: ModelSelection::Auto,
        }
    }
}

fn distribution(values: &mut [f64]) -> Distribution {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    let total: f64 = values.iter().sum();
    let pct = |p: f64| super::stats::percentile_sorted(values, p);
    let percentiles = [pct(10.0), pct(25.0), pct(50.0), pct(75.0), pct(90.0)];
    // Twenty equal bins up to the 99th percentile, the rest in the last bin.
    let hi = pct(99.0).max(values.first().copied().unwrap_or(0.0));
    let lo = values.first().copied().unwrap_or(0.0).min(0.0);
    let k = 20usize;
    let width = if hi > lo { (hi - lo) / k as f64 } else { 1.0 };
    let bins: Vec<f64> = (0..=k).map(|i| lo + width * i as f64).collect();
    let mut counts = vec![0usize; k];
    for v in values.iter() {
        let i = (((v - lo) / width).floor().max(0.0) as usize).min(k - 1);
        counts[i] += 1;
    }
    Distribution {
        count: n,
        mean: super::stats::ratio(total, n as f64),
        total,
        percentiles,
        bins,
        counts,
    }
}

/// Runs the forecasts; one entry per member (`None` for non-buyers, and for members known only
/// by a summary row without 消费天数 or 首次消费时间).
pub fn run(
    pop: &Population,
    opts: &ForecastOptions,
    holdout_from: Option<i32>,
) -> Result<(ForecastReport, Vec<Option<MemberForecast>>), ForecastError> {
    let unit = if opts.time_unit_days == 7 {
        TimeUnit::Week
    } else {
        TimeUnit::Day
    };
    let histories: Vec<Vec<(i32, f64)>> = pop
        .members
        .iter()
        .map(|m| {
            m.purchases
                .iter()
                .map(|p| (p.day, p.net_cents as f64 / 100.0))
                .collect()
        })
        .collect();
    let settings = ForecastSettings {
        unit,
        clv_months: opts.clv_months,
        monthly_discount: opts.discount,
        // `--holdout-from D`: the holdout starts on D, so calibration ends the day before
        holdout_from: holdout_from.map(|d| d - 1),
        model: opts.model,
    };
    // Members known only by a member-summary row with its purchase days (a warehouse's hand-off):
    // their frequency, recency and T come from the row (SummaryTotals::forecast_input).
    // None without such members (`given` may be shorter than the members: at 10M orders a
    // slot per member is 93 MB).
    let per = unit.days();
    let given_of = |m: &crate::model::population::Member<'_>| {
        let s = m.summary.filter(|_| m.purchases.is_empty())?;
        let f = s.forecast_input(pop.as_of)?;
        Some(GivenSummary {
            summary: CustomerSummary {
                frequency: f64::from(f.frequency),
                recency: f64::from(f.recency_days) / per,
                t: f64::from(f.t_days) / per,
                monetary_value: f.mean_repeat_spend,
            },
            mean_spend_per_day: s.total_spend_cents as f64 / 100.0 / f64::from(f.frequency + 1),
            orders: s.total_orders as usize,
        })
    };
    let given: Vec<Option<GivenSummary>> = if pop.members.iter().any(|m| given_of(m).is_some()) {
        pop.members.iter().map(given_of).collect()
    } else {
        Vec::new()
    };
    let out = forecast::run_with_summaries(&histories, &given, pop.as_of, &settings)?;
    let mut bands = [0usize; 3];
    let mut expected = [0.0f64; 3];
    let mut clvs = Vec::new();
    // P(alive) matrix: rows = repeat days (0..9, 10+), columns = recency deciles of buyers.
    let mut recencies: Vec<i32> = pop
        .members
        .iter()
        .filter_map(|m| m.last_day())
        .map(|d| pop.as_of - d)
        .collect();
    recencies.sort_unstable();
    let decile_edges: Vec<i32> = (1..10)
        .map(|k| {
            recencies
                .get(recencies.len() * k / 10)
                .copied()
                .unwrap_or(0)
        })
        .collect();
    let mut matrix = vec![vec![(0.0f64, 0usize); 10]; 11];
    for (i, f) in out.members.iter().enumerate() {
        let Some(f) = f else { continue };
        bands[f.churn_band as usize] += 1;
        expected[0] += f.expected_purchases_30d;
        expected[1] += f.expected_purchases_90d;
        expected[2] += f.expected_purchases_365d;
        clvs.push(f.clv);
        let m = &pop.members[i];
        if let Some(last) = m.last_day() {
            let days = match given.get(i).copied().flatten() {
                Some(g) => g.summary.frequency as usize + 1,
                None => m.distinct_days().count(),
            };
            let repeat = days.saturating_sub(1).min(10);
            let col = decile_edges
                .iter()
                .filter(|e| pop.as_of - last > **e)
                .count();
            matrix[repeat][col].0 += f.p_alive;
            matrix[repeat][col].1 += 1;
        }
    }
    let report = ForecastReport {
        input: out.input.clone(),
        purchase_model: out.purchase.as_ref().map_or_else(
            || ModelChoice {
                chosen: None,
                requested: opts.model.key().map(str::to_string),
                candidates: Vec::new(),
            },
            |c| purchase_choice_report(c, out.holdout.as_ref()),
        ),
        spend_model: out.spend.as_ref().map(spend_choice_report),
        bgnbd: out.bgnbd,
        gamma_gamma: out.gamma_gamma,
        settings: ForecastSettingsReport {
            time_unit: if unit == TimeUnit::Week {
                "week"
            } else {
                "day"
            },
            clv_months: opts.clv_months,
            discount: opts.discount,
            holdout_from: holdout_from.map(format_day),
        },
        not_fitted: out
            .not_fitted
            .into_iter()
            .map(|n| NotFittedReport {
                model: n.model,
                reason: n.reason,
            })
            .collect(),
        holdout: out.holdout,
        churn_bands: OrderedMap(vec![
            ("low".into(), bands[0]),
            ("medium".into(), bands[1]),
            ("high".into(), bands[2]),
        ]),
        expected_purchases: OrderedMap(vec![
            ("30d".into(), expected[0]),
            ("90d".into(), expected[1]),
            ("365d".into(), expected[2]),
        ]),
        clv: distribution(&mut clvs),
        totals_interval_95: OrderedMap(match out.totals_interval_95 {
            Some(t) => ["purchases_30d", "purchases_90d", "purchases_365d", "clv"]
                .iter()
                .zip(t)
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            None => Vec::new(),
        }),
        repeat_purchase_counts: out
            .repeat_purchase_counts
            .iter()
            .enumerate()
            .map(|(i, &(actual, expected))| RepeatPurchaseCount {
                repeat_purchases: i as u32,
                actual,
                expected,
            })
            .collect(),
        p_alive_matrix: matrix
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(s, n)| (n > 0).then(|| s / n as f64))
                    .collect()
            })
            .collect(),
    };
    Ok((report, out.members))
}

/// A candidate's report row; `customers` for its BIC, `holdout_error` from the holdout check.
fn candidate(
    model: &str,
    parameters: Vec<(&'static str, f64)>,
    standard_errors: Option<&Vec<f64>>,
    bootstrapped: bool,
    fit: Result<(f64, bool), &ForecastError>,
    customers: usize,
    holdout_error: Option<f64>,
) -> ModelCandidate {
    let se: Vec<(String, f64)> = match standard_errors {
        Some(se) => parameters
            .iter()
            .zip(se)
            .map(|((k, _), s)| (k.to_string(), *s))
            .collect(),
        None => Vec::new(),
    };
    let interval_95 = OrderedMap(
        parameters
            .iter()
            .zip(&se)
            .map(|((k, v), (_, s))| (k.to_string(), [v - 1.96 * s, v + 1.96 * s]))
            .collect(),
    );
    match fit {
        Ok((ll, converged)) => ModelCandidate {
            model: model.to_string(),
            standard_errors_method: (!se.is_empty()).then(|| {
                if bootstrapped {
                    "parametric_bootstrap"
                } else {
                    "observed_information"
                }
                .to_string()
            }),
            standard_errors: OrderedMap(se),
            interval_95,
            aic: Some(2.0 * parameters.len() as f64 - 2.0 * ll),
            bic: Some(
                parameters.len() as f64 * forecast::special::ln(customers.max(1) as f64) - 2.0 * ll,
            ),
            holdout_bucket_mean_absolute_error: holdout_error,
            parameters: OrderedMap(
                parameters
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            log_likelihood: Some(ll),
            converged: Some(converged),
            reason: None,
        },
        Err(e) => ModelCandidate {
            model: model.to_string(),
            parameters: OrderedMap(Vec::new()),
            standard_errors: OrderedMap(Vec::new()),
            standard_errors_method: None,
            interval_95: OrderedMap(Vec::new()),
            log_likelihood: None,
            aic: None,
            bic: None,
            holdout_bucket_mean_absolute_error: None,
            converged: None,
            reason: Some(e.to_string()),
        },
    }
}

fn purchase_choice_report(
    c: &PurchaseChoice,
    holdout: Option<&crate::report::HoldoutReport>,
) -> ModelChoice {
    let holdout_error =
        |key: &str| holdout.and_then(|h| h.bucket_mean_absolute_error_by_model.get(key).copied());
    ModelChoice {
        chosen: Some(c.chosen_fit().model.key().to_string()),
        requested: c.requested.key().map(str::to_string),
        candidates: c
            .candidates
            .iter()
            .map(|k| match &k.fit {
                Ok(f) => candidate(
                    k.key,
                    f.model.parameters(),
                    k.standard_errors.as_ref(),
                    k.bootstrapped,
                    Ok((f.log_likelihood, f.converged)),
                    c.customers,
                    holdout_error(k.key),
                ),
                Err(e) => candidate(k.key, Vec::new(), None, false, Err(e), 0, None),
            })
            .collect(),
    }
}

fn spend_choice_report(c: &SpendChoice) -> ModelChoice {
    ModelChoice {
        chosen: c.model().map(|m| m.key().to_string()),
        requested: None,
        candidates: c
            .candidates
            .iter()
            .map(|k| match &k.fit {
                Ok((m, ll, converged, _)) => candidate(
                    k.key,
                    m.parameters(),
                    k.standard_errors.as_ref(),
                    false,
                    Ok((*ll, *converged)),
                    c.customers,
                    None,
                ),
                Err(e) => candidate(k.key, Vec::new(), None, false, Err(e), 0, None),
            })
            .collect(),
    }
}

/// Run-level notices the forecast section calls for, in both languages: the simpler model
/// the data supports when BG/NBD or Gamma-Gamma is not used, and fits that did not converge.
pub fn notices(report: &ForecastReport) -> Vec<Notice> {
    let unit_days = if report.settings.time_unit == "week" {
        7.0
    } else {
        1.0
    };
    choice_notices(
        &report.purchase_model,
        report.spend_model.as_ref(),
        unit_days,
    )
}

fn choice_notices(
    purchase: &ModelChoice,
    spend: Option<&ModelChoice>,
    unit_days: f64,
) -> Vec<Notice> {
    let mut out = Vec::new();
    let chosen = |choice: &ModelChoice| -> Option<ModelCandidate> {
        let key = choice.chosen.as_deref()?;
        choice.candidates.iter().find(|c| c.model == key).cloned()
    };
    if let (Some(requested), Some(used)) = (&purchase.requested, &purchase.chosen) {
        if requested != used {
            out.push(Notice {
                code: NoticeCode::RequestedModelUnavailable {
                    requested: requested.clone(),
                    used: used.clone(),
                },
                message_en: format!(
                    "The {requested} model asked for has no best fit on this data (see the model comparison): forecasts use {used}, the data's choice."
                ),
                message_zh: format!(
                    "指定的 {requested} 模型在这份数据上没有最优拟合（见模型比较）：预测改用数据所选的 {used} 模型。"
                ),
            });
        }
    }
    if let Some(c) = chosen(purchase) {
        let param = |k: &str| c.parameters.get(k).copied().unwrap_or(0.0);
        let rate_per_day = match c.model.as_str() {
            "nbd" => param("r") / param("alpha") / unit_days,
            _ => param("lambda") / unit_days,
        };
        let every = if rate_per_day > 0.0 {
            1.0 / rate_per_day
        } else {
            f64::INFINITY
        };
        let text = match c.model.as_str() {
            "poisson" => Some((
                format!(
                    "Purchase rates look the same for everyone and nobody seems to drop out, so BG/NBD has no best fit on this data: forecasts use a Poisson rate of {rate_per_day:.4} purchases per day (one every {every:.1} days) for every buyer, and P(alive) is 1."
                ),
                format!(
                    "所有人的购买频率看起来相同，也看不出有客户流失，BG/NBD 在这份数据上没有最优拟合：预测改用泊松模型，每人每天 {rate_per_day:.4} 次购买（约每 {every:.1} 天一次），存活概率均为 1。"
                ),
            )),
            "nbd" => Some((
                format!(
                    "Nobody seems to drop out, so forecasts use the NBD model (purchase rates differ between buyers, {rate_per_day:.4} purchases per day on average, no dropout): P(alive) is 1 for everyone."
                ),
                format!(
                    "看不出有客户流失，预测改用 NBD 模型（每人购买频率不同，平均每天 {rate_per_day:.4} 次，无流失）：存活概率均为 1。"
                ),
            )),
            "bg_poisson" => Some((
                format!(
                    "Purchase rates look the same for everyone: forecasts use one rate of {rate_per_day:.4} purchases per day (one every {every:.1} days) while a buyer is active, with BG/NBD's dropout after each purchase."
                ),
                format!(
                    "所有人的购买频率看起来相同：预测对每位活跃客户采用同一频率，每天 {rate_per_day:.4} 次（约每 {every:.1} 天一次），并保留 BG/NBD 的每次购买后流失概率。"
                ),
            )),
            _ => None,
        };
        if let Some((en, zh)) = text {
            out.push(Notice {
                code: NoticeCode::PurchaseModelSimplified {
                    model: c.model.clone(),
                    rate_per_day,
                },
                message_en: en,
                message_zh: zh,
            });
        }
        if c.converged == Some(false) {
            out.push(not_converged(&c.model));
        }
    }
    if let Some(c) = spend.and_then(chosen) {
        if c.model == "common_mean" {
            let p = c.parameters.get("p").copied().unwrap_or(0.0);
            let nu = c.parameters.get("nu").copied().unwrap_or(f64::INFINITY);
            let mean_spend = p / nu;
            out.push(Notice {
                code: NoticeCode::SpendModelCommonMean { mean_spend },
                message_en: format!(
                    "Mean spend per purchase looks the same for everyone: expected spend is the common mean of {mean_spend:.2} for every buyer, not a mix with their own average."
                ),
                message_zh: format!(
                    "所有人的平均客单价看起来相同：预期客单价对每位客户都取共同均值 {mean_spend:.2}，不再按个人历史均值调整。"
                ),
            });
        }
        if c.converged == Some(false) {
            out.push(not_converged(&c.model));
        }
    }
    out
}

fn not_converged(model: &str) -> Notice {
    Notice {
        code: NoticeCode::ForecastNotConverged {
            model: model.to_string(),
        },
        message_en: format!(
            "The {model} fit stopped before it converged: its parameters and the forecasts built on them are approximate."
        ),
        message_zh: format!("{model} 模型的拟合未收敛即停止：其参数及据此得出的预测仅为近似值。"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(model: &str, parameters: &[(&str, f64)], converged: bool) -> ModelChoice {
        ModelChoice {
            chosen: Some(model.to_string()),
            requested: None,
            candidates: vec![ModelCandidate {
                model: model.to_string(),
                parameters: OrderedMap(
                    parameters
                        .iter()
                        .map(|(k, v)| (k.to_string(), *v))
                        .collect(),
                ),
                standard_errors: OrderedMap(Vec::new()),
                standard_errors_method: None,
                interval_95: OrderedMap(Vec::new()),
                log_likelihood: Some(-1.0),
                aic: Some(4.0),
                bic: Some(4.0),
                holdout_bucket_mean_absolute_error: None,
                converged: Some(converged),
                reason: None,
            }],
        }
    }

    #[test]
    fn limit_models_and_non_convergence_reach_the_notices() {
        // fitted in weeks: λ = 0.14 per week is 0.02 per day, one purchase every 50 days
        let n = choice_notices(&choice("poisson", &[("lambda", 0.14)], true), None, 7.0);
        assert_eq!(n.len(), 1);
        assert!(
            matches!(n[0].code, NoticeCode::PurchaseModelSimplified { ref model, rate_per_day }
                if model == "poisson" && (rate_per_day - 0.02).abs() < 1e-12),
            "{n:?}"
        );
        assert!(n[0]
            .message_en
            .contains("Poisson rate of 0.0200 purchases per day"));
        assert!(n[0].message_en.contains("one every 50.0 days"));
        assert!(n[0].message_zh.contains("泊松") && n[0].message_zh.contains("50.0"));
        // BG/NBD chosen: no simplification notice, but a fit that did not converge is said
        let bg = choice(
            "bgnbd",
            &[("r", 0.2), ("alpha", 4.0), ("a", 0.8), ("b", 2.4)],
            false,
        );
        let spend = choice("common_mean", &[("p", 4.0), ("nu", 0.2)], true);
        let n = choice_notices(&bg, Some(&spend), 1.0);
        let codes: Vec<&NoticeCode> = n.iter().map(|n| &n.code).collect();
        assert_eq!(codes.len(), 2, "{codes:?}");
        assert!(matches!(codes[0], NoticeCode::ForecastNotConverged { model } if model == "bgnbd"));
        assert!(
            matches!(codes[1], NoticeCode::SpendModelCommonMean { mean_spend } if (mean_spend - 20.0).abs() < 1e-12)
        );
        assert!(n[0].message_zh.contains("未收敛"));
        assert!(choice_notices(&choice("bgnbd", &[], true), None, 1.0).is_empty());
    }
}
