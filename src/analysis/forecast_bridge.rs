//! Connects the forecast models to linked members: builds their purchase histories,
//! runs [`super::forecast::run`], and shapes the report section and member columns.

use serde::{Deserialize, Serialize};

use super::forecast::{self, ForecastError, ForecastSettings, MemberForecast, TimeUnit};
use crate::ingest::values::format_day;
use crate::model::Population;
use crate::report::{
    Distribution, ForecastReport, ForecastSettingsReport, NotFittedReport, OrderedMap,
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
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            enabled: true,
            time_unit_days: 1,
            clv_months: 12,
            discount: 0.01,
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

/// Runs the forecasts; one entry per member (`None` for non-buyers and summary-only members).
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
        holdout_from,
    };
    let out = forecast::run(&histories, pop.as_of, &settings)?;
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
            let repeat = m.distinct_days().count().saturating_sub(1).min(10);
            let col = decile_edges
                .iter()
                .filter(|e| pop.as_of - last > **e)
                .count();
            matrix[repeat][col].0 += f.p_alive;
            matrix[repeat][col].1 += 1;
        }
    }
    let report = ForecastReport {
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
