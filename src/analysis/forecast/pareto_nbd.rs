//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases at Poisson rate
//! λ ~ Gamma(r, α) while alive, an exponential lifetime with rate μ ~ Gamma(s, β).
//!
//! The likelihood follows Fader & Hardie, "A Note on Deriving the Pareto/NBD Model and Related
//! Expressions" (2005), eq. (22), with the 2F1(r+s+x, ·; r+s+x+1; z) factors evaluated in log
//! space through a transform whose series has positive terms shrinking faster than z^k
//! ([`ln_hyp2f1_a_b_a1`]). The gradient is analytic: the series is differentiated term by
//! term in its parameters and argument in the same loop ([`ln_hyp2f1_a_b_a1_grad`]), and the
//! chain rule carries it to (r, α, s, β). Customers are grouped as for BG/NBD
//! ([`BgNbdData`]), and each 2F1 factor is computed once per distinct (x, time) pair.

use super::bgnbd::{logistic_neg, BgNbdData};
use super::optimize::{fit_multistart, StopRule};
use super::special::{
    digamma, exp, expm1_over, ln, ln_1p, ln_gamma_ratio, ln_hyp2f1_a_b_a1, ln_hyp2f1_a_b_a1_grad,
    log_sub_exp, NeumaierSum,
};
use super::summary::CustomerSummary;
use super::FastMap;
use super::{ForecastError, Limit};

/// Fitted Pareto/NBD parameters and fit diagnostics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParetoNbdFit {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// Shape of the Gamma distribution of dropout rates.
    pub s: f64,
    /// Scale of the Gamma distribution of dropout rates.
    pub beta: f64,
    /// Total log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Whether the optimiser reached its gradient tolerance.
    pub converged: bool,
    /// Optimiser iterations of the best start.
    pub iterations: u32,
}

/// ln 2F1(r+s+x, B; r+s+x+1; z(u)) − (r+s+x) ln(base + u): one of the two pieces of ln A0,
/// at time u, with (when `grad` is given) its gradient in (r, α, s, β).
///
/// With α ≥ β: base α, z = (α−β)/(α+u), B = s+1; else base β, z = (β−α)/(β+u), B = r+x.
fn a0_piece(params: [f64; 4], x: f64, u: f64, grad: Option<&mut [f64; 4]>) -> f64 {
    let [r, alpha, s, beta] = params;
    let big_a = r + s + x;
    let swapped = alpha < beta;
    let (base, diff, big_b) = if swapped {
        (beta, beta - alpha, r + x)
    } else {
        (alpha, alpha - beta, s + 1.0)
    };
    let z = diff / (base + u);
    let ln_base = ln(base + u);
    let Some(g) = grad else {
        return ln_hyp2f1_a_b_a1(big_a, big_b, z) - big_a * ln_base;
    };
    let (l, l_a, l_b, l_z) = ln_hyp2f1_a_b_a1_grad(big_a, big_b, z);
    // ∂A = (1, 0, 1, 0); ∂B and ∂z by branch; ∂ ln(base + u) on the base's parameter
    let inv = 1.0 / (base + u);
    let (dz_alpha, dz_beta) = if swapped {
        (-inv, (alpha + u) * inv * inv)
    } else {
        ((beta + u) * inv * inv, -inv)
    };
    let common = l_a - ln_base;
    *g = [common, l_z * dz_alpha, common, l_z * dz_beta];
    if swapped {
        g[0] += l_b;
        g[3] -= big_a * inv;
    } else {
        g[2] += l_b;
        g[1] -= big_a * inv;
    }
    l - big_a * ln_base
}

/// ln A0 of the Pareto/NBD likelihood (the "died between t_x and T" branch), −inf when 0.
fn ln_a0(r: f64, alpha: f64, s: f64, beta: f64, x: f64, t_x: f64, t: f64) -> f64 {
    if t <= t_x {
        return f64::NEG_INFINITY;
    }
    let p = [r, alpha, s, beta];
    log_sub_exp(a0_piece(p, x, t_x, None), a0_piece(p, x, t, None))
}

/// Log-likelihood of one customer (x, t_x, T) at (r, α, s, β).
pub fn customer_log_likelihood(params: [f64; 4], x: f64, t_x: f64, t: f64) -> f64 {
    let [r, alpha, s, beta] = params;
    let base =
        ln_gamma_ratio(r, x) - r * ln_1p(t / alpha) - x * ln(alpha + t) - s * ln_1p(t / beta);
    let odds = log_dead_odds(params, x, t_x, t);
    base + log_1p_exp(odds)
}

/// ln of the odds "died between t_x and T" vs "alive at T":
/// ln s − ln(r+s+x) + ln A0 + (r+x) ln(α+T) + s ln(β+T).
fn log_dead_odds(params: [f64; 4], x: f64, t_x: f64, t: f64) -> f64 {
    let [r, alpha, s, beta] = params;
    ln(s) - ln(r + s + x)
        + ln_a0(r, alpha, s, beta, x, t_x, t)
        + (r + x) * ln(alpha + t)
        + s * ln(beta + t)
}

/// ln(1 + e^v) without overflow; 0 at v = −inf.
fn log_1p_exp(v: f64) -> f64 {
    if v > 0.0 {
        v + ln_1p(exp(-v))
    } else {
        ln_1p(exp(v))
    }
}

/// Customers grouped for the Pareto/NBD likelihood: BG/NBD's grouping plus the distinct
/// (x, time) pairs whose A0 pieces the triples share.
#[derive(Debug, Clone)]
pub struct ParetoData<'a> {
    data: &'a BgNbdData,
    /// Distinct (index into `xs`, index into `times`).
    pairs: Vec<(u32, u32)>,
    /// Per triple: its (x, t_x) and (x, T) pair indices.
    triple_pairs: Vec<(u32, u32)>,
}

impl<'a> ParetoData<'a> {
    /// Indexes the (x, time) pairs the triples of `data` use.
    pub fn new(data: &'a BgNbdData) -> Self {
        let mut index: FastMap<(u32, u32), u32> = FastMap::default();
        let mut pairs = Vec::new();
        let mut id = |key: (u32, u32)| {
            *index.entry(key).or_insert_with(|| {
                pairs.push(key);
                (pairs.len() - 1) as u32
            })
        };
        let triple_pairs = data
            .triples
            .iter()
            .map(|&(xi, txi, ti, _)| (id((xi, txi)), id((xi, ti))))
            .collect();
        ParetoData {
            data,
            pairs,
            triple_pairs,
        }
    }

    /// Total log-likelihood at (r, α, s, β); when `grad` is given, fills d LL / d(r, α, s, β).
    #[allow(clippy::needless_range_loop)] // the gradient's pieces share the parameter index
    pub fn log_likelihood(&self, params: [f64; 4], grad: Option<&mut [f64; 4]>) -> f64 {
        let d = self.data;
        let [r, alpha, s, beta] = params;
        let want_grad = grad.is_some();
        let mut ll = NeumaierSum::default();
        let mut g = [0.0f64; 4];
        let dg_r = if want_grad { digamma(r) } else { 0.0 };
        for &(x, w) in &d.xs {
            ll.add(w * ln_gamma_ratio(r, x));
            if want_grad {
                g[0] += w * (digamma(r + x) - dg_r);
            }
        }
        // A0 pieces once per (x, time) pair
        let pieces: Vec<(f64, [f64; 4])> = self
            .pairs
            .iter()
            .map(|&(xi, ti)| {
                let (x, u) = (d.xs[xi as usize].0, d.times[ti as usize]);
                let mut pg = [0.0; 4];
                let v = a0_piece(params, x, u, want_grad.then_some(&mut pg));
                (v, pg)
            })
            .collect();
        let ln_s = ln(s);
        for (&(xi, txi, ti, w), &(p_tx, p_t)) in d.triples.iter().zip(&self.triple_pairs) {
            let x = d.xs[xi as usize].0;
            let t = d.times[ti as usize];
            let l1a = ln_1p(t / alpha);
            let l1b = ln_1p(t / beta);
            let ln_at = ln(alpha + t);
            let ln_bt = ln(beta + t);
            let base = -r * l1a - x * ln_at - s * l1b;
            let (p, q) = (pieces[p_tx as usize], pieces[p_t as usize]);
            let dead = txi != ti && p.0 > q.0;
            let odds = if dead {
                ln_s - ln(r + s + x) + log_sub_exp(p.0, q.0) + (r + x) * ln_at + s * ln_bt
            } else {
                f64::NEG_INFINITY
            };
            ll.add(w * (base + log_1p_exp(odds)));
            if want_grad {
                g[0] -= w * l1a;
                g[1] += w * (r * t / (alpha * (alpha + t)) - x / (alpha + t));
                g[2] -= w * l1b;
                g[3] += w * s * t / (beta * (beta + t));
                if dead {
                    let share = 1.0 - logistic_neg(odds);
                    // ∇ ln(e^p − e^q) = (∇p − e^(q−p) ∇q) / (1 − e^(q−p))
                    let ratio = exp(q.0 - p.0);
                    let scale = 1.0 / (1.0 - ratio);
                    let inv_sum = 1.0 / (r + s + x);
                    let own = [
                        -inv_sum + ln_at,
                        (r + x) / (alpha + t),
                        1.0 / s - inv_sum + ln_bt,
                        s / (beta + t),
                    ];
                    for k in 0..4 {
                        let d_a0 = (p.1[k] - ratio * q.1[k]) * scale;
                        g[k] += w * share * (own[k] + d_a0);
                    }
                }
            }
        }
        if let Some(out) = grad {
            *out = g;
        }
        ll.value()
    }
}

/// Fits Pareto/NBD by maximum likelihood (BFGS in log-parameters, analytic gradient).
pub fn fit(summaries: &[CustomerSummary]) -> Result<ParetoNbdFit, ForecastError> {
    let data = BgNbdData::new(summaries)?;
    fit_data(&data)
}

/// Fits Pareto/NBD on grouped data; [`ForecastError::NoMaximum`] when a shape runs off
/// (r: purchase rates the same for everyone; s: nobody drops out).
pub fn fit_data(data: &BgNbdData) -> Result<ParetoNbdFit, ForecastError> {
    let pd = ParetoData::new(data);
    let scale = data.mean_t_scale();
    let starts = [
        [0.5, scale, 0.5, scale],
        [1.0, 2.0 * scale, 1.0, 4.0 * scale],
        [0.25, scale, 0.8, 8.0 * scale],
    ];
    let best = fit_multistart(
        |p, g| pd.log_likelihood(p, g),
        data.total_weight,
        &starts,
        // one converged start suffices: the likelihood is unimodal in practice (on CDNOW and
        // simulated data every start reaches the same maximum) and a start costs ~1 s at a
        // million customers
        StopRule::FirstConverged,
        0b0101,
    )
    .ok_or(ForecastError::FitFailed {
        model: "pareto_nbd",
        reason: "the likelihood was not finite at any starting point".into(),
    })?;
    let [r, alpha, s, beta] = best.params;
    if best.escaped {
        let limit = if ln(r) >= super::optimize::DIVERGED_LOG_PARAM {
            Limit::SameRates
        } else if ln(s) <= -super::optimize::DIVERGED_LOG_PARAM {
            Limit::NoDropout
        } else {
            Limit::Other
        };
        return Err(ForecastError::NoMaximum {
            model: "pareto_nbd",
            limit,
        });
    }
    Ok(ParetoNbdFit {
        r,
        alpha,
        s,
        beta,
        log_likelihood: -best.f * data.total_weight,
        converged: best.converged,
        iterations: best.iterations,
    })
}

impl ParetoNbdFit {
    /// Builds a fit from known parameters; diagnostics are left at 0.
    pub fn from_params(r: f64, alpha: f64, s: f64, beta: f64) -> Self {
        ParetoNbdFit {
            r,
            alpha,
            s,
            beta,
            log_likelihood: 0.0,
            converged: true,
            iterations: 0,
        }
    }

    /// P(customer still alive | x, t_x, T) (Fader & Hardie 2005 note, eq. 18); one-time
    /// buyers included (their P(alive) falls with T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let p = logistic_neg(log_dead_odds(
            [self.r, self.alpha, self.s, self.beta],
            x,
            t_x,
            t,
        ));
        if p.is_finite() {
            p
        } else {
            0.0
        }
    }

    /// Expected purchases in the next `horizon` units given (x, t_x, T) (same note, eq. 21).
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        let mut out = [0.0];
        self.conditional_expected_purchases_many(&[horizon], x, t_x, t, &mut out);
        out[0]
    }

    /// [`Self::conditional_expected_purchases`] for several horizons, P(alive) computed once.
    pub fn conditional_expected_purchases_many(
        &self,
        horizons: &[f64],
        x: f64,
        t_x: f64,
        t: f64,
        out: &mut [f64],
    ) {
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        let alive = self.p_alive(x, t_x, t);
        for (o, &h) in out.iter_mut().zip(horizons) {
            if h <= 0.0 {
                *o = 0.0;
                continue;
            }
            // [1 − ((β+T)/(β+T+t))^(s−1)] / (s−1), written so s = 1 gives its limit.
            let ln_ratio = -ln_1p(h / (beta + t));
            let bracket = -expm1_over(s - 1.0, ln_ratio);
            let e = (r + x) * (beta + t) / (alpha + t) * bracket * alive;
            *o = if e.is_finite() { e.max(0.0) } else { 0.0 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::forecast::optimize::assert_gradient;

    fn cs(x: f64, t_x: f64, t: f64) -> CustomerSummary {
        CustomerSummary {
            frequency: x,
            recency: t_x,
            t,
            monetary_value: 0.0,
        }
    }

    #[test]
    fn likelihood_is_continuous_across_alpha_equal_beta() {
        let a = customer_log_likelihood([0.55, 10.0, 0.6, 10.0 - 1e-7], 3.0, 20.0, 38.0);
        let b = customer_log_likelihood([0.55, 10.0, 0.6, 10.0 + 1e-7], 3.0, 20.0, 38.0);
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }

    #[test]
    fn grouped_likelihood_and_analytic_gradient() {
        let sample = [
            cs(0.0, 0.0, 30.0),
            cs(2.0, 20.0, 35.0),
            cs(2.0, 20.0, 35.0),
            cs(5.0, 12.0, 40.0),
            cs(1.0, 3.0, 9.0),
            cs(7.0, 50.0, 52.0),
            cs(3.0, 40.0, 40.0),
        ];
        let data = BgNbdData::new(&sample).unwrap();
        let pd = ParetoData::new(&data);
        // both branches of the 2F1 (α > β and α < β), and small and large shapes
        for p in [
            [0.55, 10.6, 0.61, 11.7],
            [0.55, 12.0, 0.61, 3.0],
            [2.5, 4.0, 0.05, 40.0],
            [0.1, 30.0, 3.0, 8.0],
        ] {
            let direct: f64 = sample
                .iter()
                .map(|c| customer_log_likelihood(p, c.frequency, c.recency, c.t))
                .sum();
            let grouped = pd.log_likelihood(p, None);
            assert!(
                (grouped - direct).abs() < 1e-10 * direct.abs(),
                "{grouped} vs {direct}"
            );
            assert_gradient(|q, g| pd.log_likelihood(q, g), p);
        }
    }

    #[test]
    fn matches_lifetimes_values_at_published_parameters() {
        // lifetimes 0.11.3 ParetoNBDFitter on its CDNOW summary: r=0.55326, α=10.57744,
        // s=0.60615, β=11.66543 gives P(alive | 2, 30.43, 38.86) = 0.86913 and
        // E[purchases in 39 weeks] = 1.45514.
        let f = ParetoNbdFit::from_params(
            0.553_264_318_8,
            10.577_443_215,
            0.606_145_037_9,
            11.665_426_639,
        );
        assert!((f.p_alive(2.0, 30.43, 38.86) - 0.869_125_826_9).abs() < 1e-6);
        assert!(
            (f.conditional_expected_purchases(39.0, 2.0, 30.43, 38.86) - 1.455_142_351).abs()
                < 1e-5
        );
        assert_eq!(f.p_alive(0.0, 0.0, 0.0), 1.0);
        // a one-time buyer's P(alive) falls with the time since the purchase
        assert!(f.p_alive(0.0, 0.0, 40.0) < f.p_alive(0.0, 0.0, 4.0));
    }
}
