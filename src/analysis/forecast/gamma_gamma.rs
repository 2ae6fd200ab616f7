//! Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma Model of Monetary Value", 2013):
//! a customer's spend per transaction is Gamma(p, ν) with ν ~ Gamma(q, γ) across customers.
//! Fitted on repeat customers (x > 0) with positive mean repeat spend, as in lifetimes.
//!
//! Terms that depend on x alone (log-gammas, digammas, x ln x) are computed once per distinct
//! x, and Σ ln m̄ is a constant of the data, so one likelihood evaluation costs one logarithm
//! per distinct (x, m̄) pair.

use super::optimize::{fit_multistart, StopRule};
use super::special::{digamma, ln_gamma};
use super::summary::CustomerSummary;
use super::FastMap;
use super::ForecastError;
pub use crate::report::GammaGammaFit;

/// Fewest repeat buyers with positive spend that Gamma-Gamma is fitted on.
pub const MIN_REPEAT_BUYERS: usize = 2;

/// Repeat buyers with one frequency x: (x, total weight, Σ w ln m̄, distinct (x·m̄, weight)).
type FrequencyGroup = (f64, f64, f64, Vec<(f64, f64)>);

/// Repeat buyers grouped by frequency for the likelihood.
#[derive(Debug, Clone)]
pub struct GammaGammaData {
    /// Per distinct x: (x, total weight, Σ w ln m̄, pairs (x·m̄, weight)).
    groups: Vec<FrequencyGroup>,
    total_weight: f64,
    mean_monetary: f64,
}

impl GammaGammaData {
    /// Groups the repeat buyers with positive, finite spend; others are skipped.
    pub fn new(summaries: &[CustomerSummary]) -> Result<Self, ForecastError> {
        let mut by_x: FastMap<u64, usize> = FastMap::default();
        let mut pair_index: FastMap<(u64, u64), (usize, usize)> = FastMap::default();
        let mut groups: Vec<FrequencyGroup> = Vec::new();
        let mut count = 0usize;
        let mut spend_sum = 0.0;
        for s in summaries {
            let (x, m) = (s.frequency, s.monetary_value);
            if !(x > 0.0 && x.is_finite() && m > 0.0 && m.is_finite()) {
                continue;
            }
            count += 1;
            spend_sum += m;
            let gi = *by_x.entry(x.to_bits()).or_insert_with(|| {
                groups.push((x, 0.0, 0.0, Vec::new()));
                groups.len() - 1
            });
            groups[gi].1 += 1.0;
            groups[gi].2 += m.ln();
            let (g2, pi) = *pair_index
                .entry((x.to_bits(), m.to_bits()))
                .or_insert_with(|| {
                    groups[gi].3.push((x * m, 0.0));
                    (gi, groups[gi].3.len() - 1)
                });
            groups[g2].3[pi].1 += 1.0;
        }
        if count < MIN_REPEAT_BUYERS {
            return Err(ForecastError::TooFewRepeatBuyers {
                found: count,
                needed: MIN_REPEAT_BUYERS,
            });
        }
        Ok(GammaGammaData {
            groups,
            total_weight: count as f64,
            mean_monetary: spend_sum / count as f64,
        })
    }

    /// Total log-likelihood at (p, q, γ); when `grad` is given, fills d LL / d(p, q, γ).
    pub fn log_likelihood(&self, params: [f64; 3], grad: Option<&mut [f64; 3]>) -> f64 {
        let [p, q, gamma] = params;
        let want_grad = grad.is_some();
        let lg_q = ln_gamma(q);
        let ln_gamma_scale = gamma.ln();
        let dg_q = if want_grad { digamma(q) } else { 0.0 };
        let mut ll = 0.0;
        let mut g = [0.0f64; 3];
        for (x, w, sum_ln_m, pairs) in &self.groups {
            let (x, w) = (*x, *w);
            let px = p * x;
            ll += w * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_gamma_scale + px * x.ln())
                + (px - 1.0) * sum_ln_m;
            let mut sum_log = 0.0;
            let mut sum_inv = 0.0;
            for &(xm, pw) in pairs {
                let denom = gamma + xm;
                sum_log += pw * denom.ln();
                if want_grad {
                    sum_inv += pw / denom;
                }
            }
            ll -= (px + q) * sum_log;
            if want_grad {
                let dg_pxq = digamma(px + q);
                g[0] += w * x * (dg_pxq - digamma(px) + x.ln()) + x * sum_ln_m - x * sum_log;
                g[1] += w * (dg_pxq - dg_q + ln_gamma_scale) - sum_log;
                g[2] += w * q / gamma - (px + q) * sum_inv;
            }
        }
        if let Some(out) = grad {
            *out = g;
        }
        ll
    }
}

/// Fits Gamma-Gamma on the repeat buyers among `summaries` (BFGS in log-parameters).
///
/// Fails with [`ForecastError::TooFewRepeatBuyers`] below [`MIN_REPEAT_BUYERS`], and with
/// [`ForecastError::FitFailed`] when the estimate has q <= 1, where the population mean spend
/// p·γ/(q−1) is infinite and expected spends would be meaningless.
pub fn fit(summaries: &[CustomerSummary]) -> Result<GammaGammaFit, ForecastError> {
    let data = GammaGammaData::new(summaries)?;
    let n = data.total_weight;
    let m = data.mean_monetary;
    let starts = [[1.0, 2.0, m], [6.0, 4.0, m / 2.0], [0.5, 10.0, 18.0 * m]];
    // The Gamma-Gamma likelihood is well behaved in log-parameters: the first start that
    // converges is kept, and the other starts are a fallback for when it does not. Each
    // start costs one logarithm per distinct (x, m̄) per evaluation, which dominates the
    // whole forecast on large bases with continuous spend.
    let best = fit_multistart(
        |p, g| data.log_likelihood(p, g),
        n,
        &starts,
        StopRule::FirstConverged,
    );
    let (f, p, iterations, converged) = best.ok_or(ForecastError::FitFailed {
        model: "gamma_gamma",
        reason: "the likelihood was not finite at any starting point".into(),
    })?;
    if p[1] <= 1.0 {
        return Err(ForecastError::FitFailed {
            model: "gamma_gamma",
            reason: format!(
                "q = {:.4} <= 1: the mean spend per purchase is not finite",
                p[1]
            ),
        });
    }
    Ok(GammaGammaFit {
        p: p[0],
        q: p[1],
        gamma: p[2],
        log_likelihood: -f * n,
        converged,
        iterations,
        customers: data.total_weight as usize,
    })
}

impl GammaGammaFit {
    /// Builds a fit from known parameters; diagnostics are left at 0.
    pub fn from_params(p: f64, q: f64, gamma: f64) -> Self {
        GammaGammaFit {
            p,
            q,
            gamma,
            log_likelihood: 0.0,
            converged: true,
            iterations: 0,
            customers: 0,
        }
    }

    /// Population mean spend per transaction, p·γ/(q−1).
    pub fn population_mean_spend(&self) -> f64 {
        self.p * self.gamma / (self.q - 1.0)
    }

    /// Expected spend per transaction given x repeat purchases with mean repeat spend m
    /// (lifetimes' `conditional_expected_average_profit`): a credibility-weighted mix of the
    /// population mean and the customer's own mean, weight p·x / (p·x + q − 1).
    pub fn conditional_expected_average_profit(&self, x: f64, m: f64) -> f64 {
        let (x, m) = if x > 0.0 && m.is_finite() && m >= 0.0 {
            (x, m)
        } else {
            (0.0, 0.0)
        };
        let weight = self.p * x / (self.p * x + self.q - 1.0);
        let v = (1.0 - weight) * self.population_mean_spend() + weight * m;
        if v.is_finite() {
            v.max(0.0)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs(x: f64, m: f64) -> CustomerSummary {
        CustomerSummary {
            frequency: x,
            recency: x,
            t: 50.0,
            monetary_value: m,
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = GammaGammaData::new(&[
            cs(1.0, 10.0),
            cs(3.0, 25.5),
            cs(3.0, 25.5),
            cs(7.0, 4.0),
            cs(0.0, 0.0),
        ])
        .unwrap();
        for p in [[6.25, 3.74, 15.44], [0.7, 1.3, 2.0], [20.0, 9.0, 80.0]] {
            crate::analysis::forecast::optimize::assert_gradient(
                |q, g| data.log_likelihood(q, g),
                p,
            );
        }
    }

    #[test]
    fn expected_profit_mixes_population_and_own_mean() {
        let f = GammaGammaFit::from_params(6.25, 3.74, 15.44);
        let pop = f.population_mean_spend();
        assert!((f.conditional_expected_average_profit(0.0, 0.0) - pop).abs() < 1e-12);
        let e = f.conditional_expected_average_profit(2.0, 50.0);
        assert!(e > pop && e < 50.0);
    }

    #[test]
    fn too_few_repeat_buyers_is_an_error() {
        assert!(matches!(
            fit(&[cs(0.0, 0.0), cs(2.0, 0.0), cs(1.0, 5.0)]),
            Err(ForecastError::TooFewRepeatBuyers { found: 1, .. })
        ));
    }
}
