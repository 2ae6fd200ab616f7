//! Customer lifetime value and churn risk from a fitted BG/NBD (and Gamma-Gamma) model.

use super::bgnbd::BgNbdFit;
use super::limits::{bg_poisson_alive_expectation, PurchaseModel};
use super::summary::{CustomerSummary, TimeUnit};
use super::FastMap;

/// Length of a CLV month in days (when the models are fitted in days).
///
/// lifetimes' `_customer_lifetime_value` (lifetimes/utils.py, 0.11.3) steps through
/// `np.arange(1, time + 1) * factor` with `factor = {"W": 4.345, "M": 1.0, "D": 30}[freq]`:
/// 30-day months with `freq="D"`, 4.345-week months with `freq="W"`. We follow it exactly in
/// both units ([`month_length`]), so CLV matches lifetimes' for the same unit.
pub const MONTH_DAYS: f64 = 30.0;

/// Length of a CLV month in weeks (lifetimes' `freq="W"` factor, 365.25 / 12 / 7 rounded).
pub const MONTH_WEEKS: f64 = 4.345;

/// Length of a CLV month in the unit: 30 days, or 4.345 weeks.
pub fn month_length(unit: TimeUnit) -> f64 {
    match unit {
        TimeUnit::Day => MONTH_DAYS,
        TimeUnit::Week => MONTH_WEEKS,
    }
}

/// Churn-risk band (流失风险等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum ChurnBand {
    /// 低: churn risk below 0.33.
    Low,
    /// 中: churn risk from 0.33 up to 0.66.
    Medium,
    /// 高: churn risk 0.66 or more.
    High,
}

impl ChurnBand {
    /// Bands a churn risk (1 − P(alive)): low < 0.33 ≤ medium < 0.66 ≤ high.
    pub fn from_risk(risk: f64) -> Self {
        if risk >= 0.66 {
            ChurnBand::High
        } else if risk >= 0.33 {
            ChurnBand::Medium
        } else {
            ChurnBand::Low
        }
    }

    /// Stable key for reports and exports: "low", "medium" or "high".
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// Σ_{i=1..months} (E[purchases by end of month i] − E[… month i−1]) / (1+d)^i for (x, t_x, T).
///
/// Multiplied by the expected spend per purchase this is the CLV; it depends on the purchase
/// history only, so callers can compute it once per distinct (x, t_x, T).
pub fn discounted_expected_purchases(
    model: &BgNbdFit,
    x: f64,
    t_x: f64,
    t: f64,
    months: u32,
    monthly_discount: f64,
    unit: TimeUnit,
) -> f64 {
    let horizons = horizons(months, unit);
    let mut values = vec![0.0; horizons.len()];
    model.conditional_expected_purchases_many(&horizons, x, t_x, t, &mut values);
    score_values(1.0, &values, months, monthly_discount).discounted_purchases
}

/// What a purchase history (x, t_x, T) implies under the purchase model, shared by all
/// members with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryScore {
    /// P(alive).
    pub p_alive: f64,
    /// Expected purchases in the next 30, 90 and 365 days.
    pub expected_purchases: [f64; 3],
    /// Discounted expected purchases over the CLV horizon (CLV = this × expected spend).
    pub discounted_purchases: f64,
}

/// Month ends 1..=months, then 30, 90 and 365 days, in the unit.
fn horizons(months: u32, unit: TimeUnit) -> Vec<f64> {
    let month = month_length(unit);
    // 30 and 90 days are not month ends in weeks (4.345 weeks); evaluating them again costs
    // nothing once the series is shared
    let mut horizons: Vec<f64> = (1..=months).map(|i| month * f64::from(i)).collect();
    horizons.extend([30.0, 90.0, 365.0].map(|d| unit.from_days(d)));
    horizons
}

fn score_values(p_alive: f64, values: &[f64], months: u32, monthly_discount: f64) -> HistoryScore {
    let m = months as usize;
    let mut previous = 0.0;
    let mut total = 0.0;
    let mut factor = 1.0;
    for &cumulative in &values[..m] {
        factor /= 1.0 + monthly_discount;
        total += (cumulative - previous).max(0.0) * factor;
        previous = cumulative;
    }
    HistoryScore {
        p_alive,
        expected_purchases: [values[m], values[m + 1], values[m + 2]],
        discounted_purchases: if total.is_finite() { total } else { 0.0 },
    }
}

/// Scores one history under BG/NBD: P(alive), expected purchases at 30/90/365 days and the
/// discounted purchases of the CLV horizon, all horizons sharing one series evaluation.
pub fn score_history(
    model: &BgNbdFit,
    x: f64,
    t_x: f64,
    t: f64,
    months: u32,
    monthly_discount: f64,
    unit: TimeUnit,
) -> HistoryScore {
    let horizons = horizons(months, unit);
    let mut values = vec![0.0; horizons.len()];
    model.conditional_expected_purchases_many(&horizons, x, t_x, t, &mut values);
    score_values(model.p_alive(x, t_x, t), &values, months, monthly_discount)
}

/// [`score_history`] for many customers under any purchase model, computed once per
/// distinct (x, t_x, T) (and, for BG/Poisson, the alive expectation once per distinct x).
pub fn score_histories(
    model: &PurchaseModel,
    summaries: &[CustomerSummary],
    months: u32,
    monthly_discount: f64,
    unit: TimeUnit,
) -> Vec<HistoryScore> {
    let horizons = horizons(months, unit);
    let mut values = vec![0.0; horizons.len()];
    if !model.has_dropout() {
        // NBD and Poisson: a few multiplications per customer, cheaper than any cache lookup
        return summaries
            .iter()
            .map(|s| {
                model.conditional_expected_purchases_many(
                    &horizons,
                    s.frequency,
                    s.recency,
                    s.t,
                    &mut values,
                );
                score_values(1.0, &values, months, monthly_discount)
            })
            .collect();
    }
    let mut cache: FastMap<(u64, u64, u64), HistoryScore> = FastMap::default();
    let mut per_x: FastMap<u64, Vec<f64>> = FastMap::default();
    summaries
        .iter()
        .map(|s| {
            let (x, t_x, t) = (s.frequency, s.recency, s.t);
            *cache
                .entry((x.to_bits(), t_x.to_bits(), t.to_bits()))
                .or_insert_with(|| {
                    let p_alive = model.p_alive(x, t_x, t);
                    if let PurchaseModel::BgPoisson { lambda, a, b } = *model {
                        let alive = per_x.entry(x.to_bits()).or_insert_with(|| {
                            horizons
                                .iter()
                                .map(|&h| bg_poisson_alive_expectation(lambda * h, a, b, x))
                                .collect()
                        });
                        for (v, e) in values.iter_mut().zip(alive.iter()) {
                            *v = p_alive * e;
                        }
                    } else {
                        model.conditional_expected_purchases_many(
                            &horizons,
                            x,
                            t_x,
                            t,
                            &mut values,
                        );
                    }
                    score_values(p_alive, &values, months, monthly_discount)
                })
        })
        .collect()
}

/// CLV over `months` months ([`month_length`]) at `monthly_discount`, with `expected_spend` per purchase.
#[allow(clippy::too_many_arguments)]
pub fn customer_lifetime_value(
    model: &BgNbdFit,
    expected_spend: f64,
    x: f64,
    t_x: f64,
    t: f64,
    months: u32,
    monthly_discount: f64,
    unit: TimeUnit,
) -> f64 {
    let v = expected_spend
        * discounted_expected_purchases(model, x, t_x, t, months, monthly_discount, unit);
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_thresholds() {
        let cases = [
            (0.0, "low"),
            (0.3299, "low"),
            (0.33, "medium"),
            (0.6599, "medium"),
            (0.66, "high"),
            (1.0, "high"),
        ];
        for (risk, key) in cases {
            assert_eq!(ChurnBand::from_risk(risk).key(), key, "risk {risk}");
        }
    }

    #[test]
    fn clv_without_discount_is_spend_times_expected_purchases_over_the_horizon() {
        let m = BgNbdFit::from_params(0.243, 4.414, 0.793, 2.426);
        let clv = customer_lifetime_value(&m, 10.0, 2.0, 30.43, 38.86, 12, 0.0, TimeUnit::Week);
        // lifetimes' freq='W': twelve months of 4.345 weeks
        let e = m.conditional_expected_purchases(12.0 * 4.345, 2.0, 30.43, 38.86);
        assert!((clv - 10.0 * e).abs() < 1e-9, "{clv} vs {}", 10.0 * e);
        let discounted =
            customer_lifetime_value(&m, 10.0, 2.0, 30.43, 38.86, 12, 0.01, TimeUnit::Week);
        assert!(discounted < clv && discounted > clv / 1.01f64.powi(12));
        let h = score_history(&m, 2.0, 30.43, 38.86, 12, 0.01, TimeUnit::Week);
        assert!((h.discounted_purchases * 10.0 - discounted).abs() < 1e-12);
        let e90 = m.conditional_expected_purchases(90.0 / 7.0, 2.0, 30.43, 38.86);
        assert!((h.expected_purchases[1] - e90).abs() < 1e-12);
        let short = score_history(&m, 2.0, 30.43, 38.86, 1, 0.01, TimeUnit::Week);
        assert!((short.expected_purchases[1] - e90).abs() < 1e-12);
    }
}
