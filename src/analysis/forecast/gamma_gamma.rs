//! Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma Model of Monetary Value", 2013):
//! a customer's spend per transaction is Gamma(p, ν) with ν ~ Gamma(q, γ) across customers.
//! Fitted on repeat customers (x > 0) with positive mean repeat spend, as in lifetimes.
//!
//! Terms that depend on x alone (log-gammas, digammas, x ln x) are computed once per distinct
//! x, and Σ ln m̄ is a constant of the data, so one likelihood evaluation costs one logarithm
//! per distinct (x, m̄) pair.

use super::limits::{diagonal_roots, matrix_rows};
use super::optimize::{covariance, fit_multistart, StopRule, DIVERGED_LOG_PARAM};
use super::special::{digamma, ln, ln_1p, ln_gamma, ln_gamma_ratio, NeumaierSum};
use super::summary::CustomerSummary;
use super::FastMap;
use super::{ForecastError, Limit};
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
    ///
    /// Groups and pairs are sorted by value, so every sum runs in the same order whatever
    /// the order of the customers (the fit does not depend on row order).
    pub fn new(summaries: &[CustomerSummary]) -> Result<Self, ForecastError> {
        let mut weights: FastMap<(u64, u64), f64> = FastMap::default();
        let mut count = 0usize;
        for s in summaries {
            let (x, m) = (s.frequency, s.monetary_value);
            if !(x > 0.0 && x.is_finite() && m > 0.0 && m.is_finite()) {
                continue;
            }
            count += 1;
            *weights.entry((x.to_bits(), m.to_bits())).or_insert(0.0) += 1.0;
        }
        if count < MIN_REPEAT_BUYERS {
            return Err(ForecastError::TooFewRepeatBuyers {
                found: count,
                needed: MIN_REPEAT_BUYERS,
            });
        }
        let mut pairs: Vec<(f64, f64, f64)> = weights
            .into_iter()
            .map(|((x, m), w)| (f64::from_bits(x), f64::from_bits(m), w))
            .collect();
        pairs.sort_unstable_by(|p, q| p.0.total_cmp(&q.0).then(p.1.total_cmp(&q.1)));
        let mut groups: Vec<FrequencyGroup> = Vec::new();
        let mut spend_sum = NeumaierSum::default();
        for (x, m, w) in pairs {
            if groups.last().is_none_or(|g| g.0 != x) {
                groups.push((x, 0.0, 0.0, Vec::new()));
            }
            let g = groups.last_mut().expect("pushed above");
            g.1 += w;
            g.2 += w * ln(m);
            g.3.push((x * m, w));
            spend_sum.add(w * m);
        }
        Ok(GammaGammaData {
            groups,
            total_weight: count as f64,
            mean_monetary: spend_sum.value() / count as f64,
        })
    }

    /// Total log-likelihood at (p, q, γ); when `grad` is given, fills d LL / d(p, q, γ).
    ///
    /// Rearranged so nothing cancels when q, γ are huge (the common-mean limit):
    /// ln Γ(px+q)/Γ(q) by [`ln_gamma_ratio`], and q ln γ − (px+q) ln(γ + x m̄) as
    /// −(px+q) ln(1 + x m̄/γ) − px ln γ (one logarithm per pair, as before).
    pub fn log_likelihood(&self, params: [f64; 3], grad: Option<&mut [f64; 3]>) -> f64 {
        let [p, q, gamma] = params;
        let want_grad = grad.is_some();
        let ln_gamma_scale = ln(gamma);
        let dg_q = if want_grad { digamma(q) } else { 0.0 };
        let mut ll = NeumaierSum::default();
        let mut g = [0.0f64; 3];
        for (x, w, sum_ln_m, pairs) in &self.groups {
            let (x, w) = (*x, *w);
            let px = p * x;
            ll.add(
                w * (ln_gamma_ratio(q, px) - ln_gamma(px) + px * (ln(x) - ln_gamma_scale))
                    + (px - 1.0) * sum_ln_m,
            );
            let mut sum_log = NeumaierSum::default();
            let mut sum_inv = 0.0;
            let mut sum_frac = 0.0;
            for &(xm, pw) in pairs {
                sum_log.add(pw * ln_1p(xm / gamma));
                if want_grad {
                    let denom = gamma + xm;
                    sum_inv += pw / denom;
                    sum_frac += pw * xm / denom;
                }
            }
            let sum_log = sum_log.value();
            ll.add(-(px + q) * sum_log);
            if want_grad {
                let dg_pxq = digamma(px + q);
                g[0] += w * x * (dg_pxq - digamma(px) + ln(x) - ln_gamma_scale) + x * sum_ln_m
                    - x * sum_log;
                g[1] += w * (dg_pxq - dg_q) - sum_log;
                // q/γ − (px+q)/(γ + x m̄) = (q/γ) x m̄/(γ + x m̄) − px/(γ + x m̄)
                g[2] += q / gamma * sum_frac - px * sum_inv;
            }
        }
        if let Some(out) = grad {
            *out = g;
        }
        ll.value()
    }

    /// Common-mean limit (q, γ → ∞, q/γ = ν): every customer's transactions are Gamma(p, ν);
    /// the mean of x of them has density (νx)^(px) m̄^(px−1) e^(−νx m̄) / Γ(px).
    pub fn common_mean_log_likelihood(&self, params: [f64; 2], grad: Option<&mut [f64; 2]>) -> f64 {
        let [p, nu] = params;
        let ln_nu = ln(nu);
        let mut ll = NeumaierSum::default();
        let mut g = [0.0f64; 2];
        for (x, w, sum_ln_m, pairs) in &self.groups {
            let (x, w) = (*x, *w);
            let px = p * x;
            let sum_xm: f64 = pairs.iter().map(|&(xm, pw)| pw * xm).sum();
            ll.add(w * (px * (ln_nu + ln(x)) - ln_gamma(px)) + (px - 1.0) * sum_ln_m - nu * sum_xm);
            if grad.is_some() {
                g[0] += w * x * (ln_nu + ln(x) - digamma(px)) + x * sum_ln_m;
                g[1] += w * px / nu - sum_xm;
            }
        }
        if let Some(out) = grad {
            *out = g;
        }
        ll.value()
    }
}

/// Fits Gamma-Gamma on the repeat buyers among `summaries` (BFGS in log-parameters).
///
/// Fails with [`ForecastError::TooFewRepeatBuyers`] below [`MIN_REPEAT_BUYERS`], and with
/// [`ForecastError::FitFailed`] when the estimate has q <= 1, where the population mean spend
/// p·γ/(q−1) is infinite and expected spends would be meaningless.
pub fn fit(summaries: &[CustomerSummary]) -> Result<GammaGammaFit, ForecastError> {
    fit_data(&GammaGammaData::new(summaries)?)
}

/// [`fit`] on grouped data; [`ForecastError::NoMaximum`] when q runs off (everyone's mean
/// spend is the same: the common-mean model is the limit).
pub fn fit_data(data: &GammaGammaData) -> Result<GammaGammaFit, ForecastError> {
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
        0b011,
    )
    .ok_or(ForecastError::FitFailed {
        model: "gamma_gamma",
        reason: "the likelihood was not finite at any starting point".into(),
    })?;
    let [p, q, gamma] = best.params;
    if best.escaped {
        return Err(ForecastError::NoMaximum {
            model: "gamma_gamma",
            limit: if ln(q) >= DIVERGED_LOG_PARAM {
                Limit::CommonMeanSpend
            } else {
                Limit::Other
            },
        });
    }
    if q <= 1.0 {
        return Err(ForecastError::FitFailed {
            model: "gamma_gamma",
            reason: format!("q = {q:.4} <= 1: the mean spend per purchase is not finite"),
        });
    }
    Ok(GammaGammaFit {
        p,
        q,
        gamma,
        log_likelihood: -best.f * n,
        converged: best.converged,
        iterations: best.iterations,
        customers: data.total_weight as usize,
    })
}

/// The spend model used for expected spend per purchase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpendModel {
    /// Gamma-Gamma: a credibility mix of the population mean and the customer's own mean.
    GammaGamma(GammaGammaFit),
    /// Everyone's transactions are Gamma(p, ν): one mean p/ν for everyone.
    CommonMean {
        /// Shape of a transaction's spend.
        p: f64,
        /// Rate of a transaction's spend (1 / money).
        nu: f64,
    },
}

impl SpendModel {
    /// Report key: `gamma_gamma` or `common_mean`.
    pub fn key(&self) -> &'static str {
        match self {
            SpendModel::GammaGamma(_) => "gamma_gamma",
            SpendModel::CommonMean { .. } => "common_mean",
        }
    }

    /// The parameters by name.
    pub fn parameters(&self) -> Vec<(&'static str, f64)> {
        match *self {
            SpendModel::GammaGamma(f) => vec![("p", f.p), ("q", f.q), ("gamma", f.gamma)],
            SpendModel::CommonMean { p, nu } => vec![("p", p), ("nu", nu)],
        }
    }

    /// The same model with other parameter values (in [`Self::parameters`] order).
    pub fn with_parameters(&self, v: &[f64]) -> SpendModel {
        match *self {
            SpendModel::GammaGamma(f) => SpendModel::GammaGamma(GammaGammaFit {
                p: v[0],
                q: v[1],
                gamma: v[2],
                ..f
            }),
            SpendModel::CommonMean { .. } => SpendModel::CommonMean { p: v[0], nu: v[1] },
        }
    }

    /// Expected spend per purchase of a customer with x repeat purchases of mean m.
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        match *self {
            SpendModel::GammaGamma(f) => f.conditional_expected_average_profit(x, m),
            SpendModel::CommonMean { p, nu } => {
                let v = p / nu;
                if v.is_finite() {
                    v.max(0.0)
                } else {
                    0.0
                }
            }
        }
    }
}

/// A spend model considered, with its log-likelihood, or why it has no estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendCandidate {
    /// Model key.
    pub key: &'static str,
    /// Model, log-likelihood, converged, iterations.
    pub fit: Result<(SpendModel, f64, bool, u32), ForecastError>,
    /// Standard errors of the parameters (in [`SpendModel::parameters`] order) from the
    /// observed information, when it is positive definite.
    pub standard_errors: Option<Vec<f64>>,
    /// Their covariance matrix (same order), for intervals of derived totals.
    pub covariance: Option<Vec<Vec<f64>>>,
}

/// Spend models considered and the chosen one (lowest AIC, the simpler on a tie).
#[derive(Debug, Clone, PartialEq)]
pub struct SpendChoice {
    /// Gamma-Gamma, then the common mean.
    pub candidates: Vec<SpendCandidate>,
    /// Index of the chosen candidate, when any has an estimate.
    pub chosen: Option<usize>,
    /// Repeat buyers with positive spend the models were fitted on.
    pub customers: usize,
}

impl SpendChoice {
    /// The chosen candidate's covariance matrix, when it has one.
    pub fn chosen_covariance(&self) -> Option<&Vec<Vec<f64>>> {
        self.candidates[self.chosen?].covariance.as_ref()
    }

    /// The chosen model.
    pub fn model(&self) -> Option<SpendModel> {
        let c = &self.candidates[self.chosen?];
        c.fit.as_ref().ok().map(|f| f.0)
    }
}

/// Fits Gamma-Gamma and its common-mean limit and chooses by AIC.
pub fn choose(summaries: &[CustomerSummary]) -> Result<SpendChoice, ForecastError> {
    let data = GammaGammaData::new(summaries)?;
    let gg = fit_data(&data).map(|f| {
        (
            SpendModel::GammaGamma(f),
            f.log_likelihood,
            f.converged,
            f.iterations,
        )
    });
    let common = fit_common_mean(&data);
    let cov = |fit: &Result<(SpendModel, f64, bool, u32), ForecastError>| match fit {
        Ok((SpendModel::GammaGamma(f), ..)) => {
            covariance(|p, g| data.log_likelihood(p, g), [f.p, f.q, f.gamma]).map(matrix_rows)
        }
        Ok((SpendModel::CommonMean { p, nu }, ..)) => {
            covariance(|q, g| data.common_mean_log_likelihood(q, g), [*p, *nu]).map(matrix_rows)
        }
        Err(_) => None,
    };
    let (gg_cov, common_cov) = (cov(&gg), cov(&common));
    let candidates = vec![
        SpendCandidate {
            key: "gamma_gamma",
            standard_errors: gg_cov.as_deref().map(diagonal_roots),
            covariance: gg_cov,
            fit: gg,
        },
        SpendCandidate {
            key: "common_mean",
            standard_errors: common_cov.as_deref().map(diagonal_roots),
            covariance: common_cov,
            fit: common,
        },
    ];
    let mut chosen: Option<(usize, f64)> = None;
    for (i, c) in candidates.iter().enumerate().rev() {
        if let Ok((m, ll, ..)) = &c.fit {
            let aic = 2.0 * m.parameters().len() as f64 - 2.0 * ll;
            if aic.is_finite() && chosen.is_none_or(|(_, best)| aic < best) {
                chosen = Some((i, aic));
            }
        }
    }
    Ok(SpendChoice {
        candidates,
        chosen: chosen.map(|c| c.0),
        customers: data.total_weight as usize,
    })
}

/// The common-mean spend model by maximum likelihood.
pub fn fit_common_mean(
    data: &GammaGammaData,
) -> Result<(SpendModel, f64, bool, u32), ForecastError> {
    let n = data.total_weight;
    let m = data.mean_monetary;
    let starts = [[1.0, 1.0 / m], [6.0, 6.0 / m], [0.5, 0.5 / m]];
    let best = fit_multistart(
        |p, g| data.common_mean_log_likelihood(p, g),
        n,
        &starts,
        StopRule::FirstConverged,
        0b01,
    )
    .ok_or(ForecastError::FitFailed {
        model: "common_mean",
        reason: "the likelihood was not finite at any starting point".into(),
    })?;
    if best.escaped {
        return Err(ForecastError::NoMaximum {
            model: "common_mean",
            limit: Limit::Other,
        });
    }
    let [p, nu] = best.params;
    Ok((
        SpendModel::CommonMean { p, nu },
        -best.f * n,
        best.converged,
        best.iterations,
    ))
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
