//! MBG/NBD ("modified" BG/NBD, Batislam, Denizel & Filiztekin 2007, with Wagner & Hoppe's
//! 2008 erratum; lifetimes' `ModifiedBetaGeoFitter`): BG/NBD where a customer may drop out
//! at the start too, right after the first purchase, not only after repeat purchases. So a
//! one-time buyer's P(alive) falls with the time since that purchase (under BG/NBD it is 1).
//!
//! Same grouped data and the same rearranged, compensated likelihood as BG/NBD
//! ([`BgNbdData::mbg_log_likelihood`]); the conditional expectation is BG/NBD's numerator
//! at b + 1 over MBG/NBD's own dropout odds, which is lifetimes' formula term for term.

use super::bgnbd::{fit_bg_family, logistic_neg, BgNbdData, BgNbdFit};
use super::optimize::{warm_first, StopRule};
use super::special::{exp, ln};
use super::ForecastError;

/// Fitted MBG/NBD parameters (r, α: Gamma purchase rates; a, b: Beta dropout probability).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MbgNbdFit {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (time units) of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the Beta distribution of dropout probabilities.
    pub a: f64,
    /// Second shape of the Beta distribution of dropout probabilities.
    pub b: f64,
}

impl MbgNbdFit {
    /// ln of the odds that the customer dropped out (after the last purchase, the first
    /// included) vs is alive: ln a/(b+x) + (r+x) ln((α+T)/(α+t_x)).
    fn log_dropout_odds(&self, x: f64, t_x: f64, t: f64) -> f64 {
        ln(self.a) - ln(self.b + x) + (self.r + x) * (ln(self.alpha + t) - ln(self.alpha + t_x))
    }

    /// P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)), one-time buyers
    /// included.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        logistic_neg(self.log_dropout_odds(x, t_x, t))
    }

    /// Expected purchases in the next `horizons[j]` units, into `out[j]` (lifetimes'
    /// `conditional_expected_number_of_purchases_up_to_time`):
    /// (a+b+x)/(a−1) [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))]
    /// / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)).
    pub fn conditional_expected_purchases_many(
        &self,
        horizons: &[f64],
        x: f64,
        t_x: f64,
        t: f64,
        out: &mut [f64],
    ) {
        let shifted = BgNbdFit::from_params(self.r, self.alpha, self.a, self.b + 1.0);
        let denominator = 1.0 + exp(self.log_dropout_odds(x, t_x, t));
        shifted.expected_purchases_over(horizons, x, t, denominator, out);
    }

    /// [`Self::conditional_expected_purchases_many`] for one horizon.
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        let mut out = [0.0];
        self.conditional_expected_purchases_many(&[horizon], x, t_x, t, &mut out);
        out[0]
    }

    /// Expected repeat purchases of a new customer in `horizon` units (lifetimes'
    /// `expected_number_of_purchases_up_to_time`: b/(a−1) [1 − 2F1(r, b+1; a+b; t/(α+t))
    /// (α/(α+t))^r]): the conditional formula at x = t_x = T = 0 (odds a/b).
    pub fn expected_purchases_new(&self, horizon: f64) -> f64 {
        self.conditional_expected_purchases(horizon, 0.0, 0.0, 0.0)
    }
}

/// Fits MBG/NBD by maximum likelihood on grouped data, with the likelihood's value, the
/// optimiser's convergence and its iterations; [`ForecastError::NoMaximum`] when a shape runs
/// off (the data support a limit of the model, e.g. homogeneous purchase rates).
pub fn fit_data(data: &BgNbdData) -> Result<(MbgNbdFit, f64, bool, u32), ForecastError> {
    fit_data_from(data, None)
}

/// [`fit_data`], first from `warm` when given (e.g. the BG/NBD estimate, which is close: the
/// two models differ only in whether one-time buyers can drop out); a converged warm start is
/// kept without confirming it from the cold starts, which remain the fallback.
pub fn fit_data_from(
    data: &BgNbdData,
    warm: Option<[f64; 4]>,
) -> Result<(MbgNbdFit, f64, bool, u32), ForecastError> {
    let scale = data.mean_t_scale();
    let cold = [
        [1.0, scale, 1.0, 1.0],
        [0.5, scale, 0.9, 1.6],
        [2.0, 4.0 * scale, 0.3, 6.0],
    ];
    let (starts, rule) = warm_first(warm, &cold, StopRule::TwoAgree);
    let best = fit_bg_family("mbgnbd", data.total_weight, &starts, rule, |p, g| {
        data.mbg_log_likelihood(p, g)
    })?;
    let [r, alpha, a, b] = best.params;
    Ok((
        MbgNbdFit { r, alpha, a, b },
        -best.f * data.total_weight,
        best.converged,
        best.iterations,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::forecast::optimize::assert_gradient;
    use crate::analysis::forecast::special::hyp2f1_series;
    use crate::analysis::forecast::summary::CustomerSummary;

    fn cs(x: f64, t_x: f64, t: f64) -> CustomerSummary {
        CustomerSummary {
            frequency: x,
            recency: t_x,
            t,
            monetary_value: 0.0,
        }
    }

    /// lifetimes' `_negative_log_likelihood` of one customer, written as it is there.
    fn lifetimes_ll(p: [f64; 4], x: f64, t_x: f64, t: f64) -> f64 {
        use crate::analysis::forecast::special::ln_gamma;
        let [r, alpha, a, b] = p;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x + 1.0) - ln_gamma(b) - ln_gamma(a + b + x + 1.0);
        let a3 = -(r + x) * (alpha + t).ln();
        let a4 = a.ln() - (b + x).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln());
        let m = a4.max(0.0);
        a1 + a2 + a3 + m + ((a4 - m).exp() + (-m).exp()).ln()
    }

    #[test]
    fn likelihood_and_gradient_are_lifetimes_formula() {
        let sample = [
            cs(0.0, 0.0, 30.0),
            cs(2.0, 20.0, 35.0),
            cs(5.0, 12.0, 40.0),
            cs(1.0, 3.0, 9.0),
            cs(7.0, 50.0, 52.0),
            cs(0.0, 0.0, 4.0),
        ];
        let d = BgNbdData::new(&sample).unwrap();
        for p in [[0.525, 6.183, 0.891, 1.614], [2.0, 40.0, 0.3, 5.0]] {
            let want: f64 = sample
                .iter()
                .map(|s| lifetimes_ll(p, s.frequency, s.recency, s.t))
                .sum();
            let got = d.mbg_log_likelihood(p, None);
            assert!((got - want).abs() < 1e-10 * want.abs(), "{got} vs {want}");
            assert_gradient(|q, g| d.mbg_log_likelihood(q, g), p);
        }
    }

    #[test]
    fn expectation_and_p_alive_are_lifetimes_formulas() {
        let f = MbgNbdFit {
            r: 0.525,
            alpha: 6.183,
            a: 0.891,
            b: 1.614,
        };
        for &(x, t_x, t, h) in &[
            (0.0, 0.0, 38.86, 10.0),
            (2.0, 30.43, 38.86, 39.0),
            (6.0, 20.0, 30.0, 4.0),
        ] {
            let (r, al, a, b) = (f.r, f.alpha, f.a, f.b);
            let hyp = hyp2f1_series(r + x, b + x + 1.0, a + b + x, h / (al + t + h));
            let numerator =
                (a + b + x) / (a - 1.0) * (1.0 - hyp * ((al + t) / (al + t + h)).powf(r + x));
            let odds = a / (b + x) * ((al + t) / (al + t_x)).powf(r + x);
            let want = numerator / (1.0 + odds);
            let got = f.conditional_expected_purchases(h, x, t_x, t);
            assert!((got - want).abs() < 1e-9 * want, "{got} vs {want}");
            assert!((f.p_alive(x, t_x, t) - 1.0 / (1.0 + odds)).abs() < 1e-12);
        }
        // one-time buyers: P(alive) < 1 and falling with the time since their purchase
        assert!(f.p_alive(0.0, 0.0, 1.0) < 1.0);
        assert!(f.p_alive(0.0, 0.0, 50.0) < f.p_alive(0.0, 0.0, 5.0));
    }
}
