//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases at Poisson rate
//! λ ~ Gamma(r, α) while alive, an exponential lifetime with rate μ ~ Gamma(s, β).
//!
//! The likelihood follows Fader & Hardie, "A Note on Deriving the Pareto/NBD Model and Related
//! Expressions" (2005), eq. (22), with the 2F1(r+s+x, ·; r+s+x+1; z) factors evaluated in log
//! space through a transform whose series has positive terms shrinking faster than z^k
//! ([`ln_hyp2f1_a_b_a1`]). The gradient is analytic: the series is differentiated term by
//! term in its parameters and argument in the same loop ([`Hyp2f1Table::ln_value_grad`]), and
//! the chain rule carries it to (r, α, s, β). Customers are grouped as for BG/NBD
//! ([`BgNbdData`]); each 2F1 factor is computed once per distinct (x, time) pair, with the
//! series coefficients of one x shared, and the terms of one time once per distinct time.

use super::bgnbd::{logistic_neg, sort_with_ranks, BgNbdData};
use super::optimize::{fit_multistart, warm_first, StopRule};
use super::special::{
    digamma, exp, exp_m1, expm1_over, ln, ln_1p, ln_gamma_ratio, ln_hyp2f1_a_b_a1, log_sub_exp,
    Hyp2f1Table, NeumaierSum,
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
/// at time u ([`ParetoData::log_likelihood`] computes the same for many u at once, with the
/// gradient).
///
/// With α ≥ β: base α, z = (α−β)/(α+u), B = s+1; else base β, z = (β−α)/(β+u), B = r+x.
fn a0_piece(params: [f64; 4], x: f64, u: f64) -> f64 {
    let [r, alpha, s, beta] = params;
    let big_a = r + s + x;
    let (base, diff, big_b) = if alpha < beta {
        (beta, beta - alpha, r + x)
    } else {
        (alpha, alpha - beta, s + 1.0)
    };
    ln_hyp2f1_a_b_a1(big_a, big_b, diff / (base + u)) - big_a * ln(base + u)
}

/// ln A0 of the Pareto/NBD likelihood (the "died between t_x and T" branch), −inf when 0.
fn ln_a0(r: f64, alpha: f64, s: f64, beta: f64, x: f64, t_x: f64, t: f64) -> f64 {
    if t <= t_x {
        return f64::NEG_INFINITY;
    }
    let p = [r, alpha, s, beta];
    log_sub_exp(a0_piece(p, x, t_x), a0_piece(p, x, t))
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
    /// Indexes the (x, time) pairs the triples of `data` use, ordered by x (the pairs of one
    /// x share their series coefficients).
    pub fn new(data: &'a BgNbdData) -> Self {
        let mut index: FastMap<(u32, u32), u32> = FastMap::default();
        let mut pairs = Vec::new();
        let mut id = |key: (u32, u32)| {
            *index.entry(key).or_insert_with(|| {
                pairs.push(key);
                (pairs.len() - 1) as u32
            })
        };
        let first: Vec<(u32, u32)> = data
            .triples
            .iter()
            .map(|&(xi, txi, ti, _)| (id((xi, txi)), id((xi, ti))))
            .collect();
        let rank = sort_with_ranks(&mut pairs, |a, b| a.cmp(b));
        let triple_pairs = first
            .iter()
            .map(|&(p, q)| (rank[p as usize], rank[q as usize]))
            .collect();
        ParetoData {
            data,
            pairs,
            triple_pairs,
        }
    }

    /// Total log-likelihood at (r, α, s, β); when `grad` is given, fills d LL / d(r, α, s, β).
    ///
    /// The terms that depend on one time only (ln(α+τ), ln(1+τ/α), ... ) are computed once per
    /// distinct time, the A0 pieces once per (x, time) pair with the series coefficients of
    /// their x shared ([`Hyp2f1Table`]), and each triple combines them.
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
        let times = PerTime::new(&d.times, alpha, beta, want_grad);
        // ln s − ln(r+s+x) of the dead branch's odds, and 1/(r+s+x), per x
        let ln_s = ln(s);
        let per_x: Vec<(f64, f64)> =
            d.xs.iter()
                .map(|&(x, _)| (ln_s - ln(r + s + x), 1.0 / (r + s + x)))
                .collect();
        let pieces = self.a0_pieces(params, &times, want_grad);
        for (&(xi, txi, ti, w), &(p_tx, p_t)) in d.triples.iter().zip(&self.triple_pairs) {
            let x = d.xs[xi as usize].0;
            let ti = ti as usize;
            let (l1a, l1b, ln_at, ln_bt) =
                (times.l1a[ti], times.l1b[ti], times.ln_a[ti], times.ln_b[ti]);
            let base = -r * l1a - x * ln_at - s * l1b;
            let (p, q) = (pieces[p_tx as usize], pieces[p_t as usize]);
            if want_grad {
                g[0] -= w * l1a;
                g[1] += w * (r * times.ta[ti] - x * times.inv_a[ti]);
                g[2] -= w * l1b;
                g[3] += w * s * times.tb[ti];
            }
            // alive for sure unless the last purchase was before T (and A0 > 0)
            if txi as usize == ti || p.0 <= q.0 {
                ll.add(w * base);
                continue;
            }
            // odds of "dead" vs "alive": e^o0 · (1 − e^(q−p)), with o0 the odds without the
            // (1 − e^(q−p)) factor of A0 = e^p − e^q; ln(1 + odds) and the dead branch's share
            // from one exponential of each and one logarithm
            let o0 = per_x[xi as usize].0 + p.0 + (r + x) * ln_at + s * ln_bt;
            let dq = q.0 - p.0;
            // 1 − e^(q−p), exact when q is close to p; and e^(q−p) for the gradient
            let (keep, ratio) = if dq > -std::f64::consts::LN_2 {
                let m = exp_m1(dq);
                (-m, 1.0 + m)
            } else {
                let e = exp(dq);
                (1.0 - e, e)
            };
            let (lse, share) = if o0 > 0.0 {
                let rest = exp(-o0) + keep;
                (o0 + ln(rest), keep / rest)
            } else {
                let odds = exp(o0) * keep;
                (ln_1p(odds), odds / (1.0 + odds))
            };
            ll.add(w * (base + lse));
            if want_grad {
                // ∇ ln(e^p − e^q) = (∇p − e^(q−p) ∇q) / (1 − e^(q−p))
                let scale = 1.0 / keep;
                let inv_sum = per_x[xi as usize].1;
                let own = [
                    -inv_sum + ln_at,
                    (r + x) * times.inv_a[ti],
                    1.0 / s - inv_sum + ln_bt,
                    s * times.inv_b[ti],
                ];
                for k in 0..4 {
                    let d_a0 = (p.1[k] - ratio * q.1[k]) * scale;
                    g[k] += w * share * (own[k] + d_a0);
                }
            }
        }
        if let Some(out) = grad {
            *out = g;
        }
        ll.value()
    }

    /// The A0 piece of every (x, time) pair ([`a0_piece`]), with its gradient when asked.
    fn a0_pieces(
        &self,
        params: [f64; 4],
        times: &PerTime,
        want_grad: bool,
    ) -> Vec<(f64, [f64; 4])> {
        let d = self.data;
        let [r, alpha, s, beta] = params;
        // With α ≥ β: base α, z = (α−β)/(α+u), B = s+1; else base β, z = (β−α)/(β+u), B = r+x.
        let swapped = alpha < beta;
        let (base, diff) = if swapped {
            (beta, beta - alpha)
        } else {
            (alpha, alpha - beta)
        };
        let mut out = Vec::with_capacity(self.pairs.len());
        let mut table: Option<(u32, Hyp2f1Table)> = None;
        for &(xi, ti) in &self.pairs {
            let x = d.xs[xi as usize].0;
            let big_a = r + s + x;
            let big_b = if swapped { r + x } else { s + 1.0 };
            if table.as_ref().is_none_or(|(k, _)| *k != xi) {
                table = Some((xi, Hyp2f1Table::new(big_a, big_b)));
            }
            let Some((_, series)) = table.as_mut() else {
                unreachable!("set above")
            };
            let ti = ti as usize;
            let u = d.times[ti];
            let z = diff / (base + u);
            let (ln_base, inv) = if swapped {
                (times.ln_b[ti], times.inv_b.get(ti).copied().unwrap_or(0.0))
            } else {
                (times.ln_a[ti], times.inv_a.get(ti).copied().unwrap_or(0.0))
            };
            if !want_grad {
                out.push((series.ln_value(z) - big_a * ln_base, [0.0; 4]));
                continue;
            }
            let (l, l_a, l_b, l_z) = series.ln_value_grad(z);
            // ∂A = (1, 0, 1, 0); ∂B and ∂z by branch; ∂ ln(base + u) on the base's parameter
            let (dz_alpha, dz_beta) = if swapped {
                (-inv, (alpha + u) * inv * inv)
            } else {
                ((beta + u) * inv * inv, -inv)
            };
            let common = l_a - ln_base;
            let mut pg = [common, l_z * dz_alpha, common, l_z * dz_beta];
            if swapped {
                pg[0] += l_b;
                pg[3] -= big_a * inv;
            } else {
                pg[2] += l_b;
                pg[1] -= big_a * inv;
            }
            out.push((l - big_a * ln_base, pg));
        }
        out
    }
}

/// The likelihood's terms that depend on one time τ only, per distinct time.
struct PerTime {
    /// ln(1 + τ/α), ln(1 + τ/β), ln(α + τ), ln(β + τ)
    l1a: Vec<f64>,
    l1b: Vec<f64>,
    ln_a: Vec<f64>,
    ln_b: Vec<f64>,
    /// For the gradient: τ/(α(α+τ)), τ/(β(β+τ)), 1/(α+τ), 1/(β+τ) (empty without it).
    ta: Vec<f64>,
    tb: Vec<f64>,
    inv_a: Vec<f64>,
    inv_b: Vec<f64>,
}

impl PerTime {
    fn new(times: &[f64], alpha: f64, beta: f64, want_grad: bool) -> Self {
        let each = |f: &dyn Fn(f64) -> f64| times.iter().map(|&t| f(t)).collect::<Vec<f64>>();
        let grad_each = |f: &dyn Fn(f64) -> f64| if want_grad { each(f) } else { Vec::new() };
        PerTime {
            l1a: each(&|t| ln_1p(t / alpha)),
            l1b: each(&|t| ln_1p(t / beta)),
            ln_a: each(&|t| ln(alpha + t)),
            ln_b: each(&|t| ln(beta + t)),
            ta: grad_each(&|t| t / (alpha * (alpha + t))),
            tb: grad_each(&|t| t / (beta * (beta + t))),
            inv_a: grad_each(&|t| 1.0 / (alpha + t)),
            inv_b: grad_each(&|t| 1.0 / (beta + t)),
        }
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
    fit_data_from(data, None)
}

/// [`fit_data`], first from `warm` when given (e.g. a guess from the BG/NBD estimate, see
/// [`start_from_bgnbd`]), the cold starts behind it.
pub fn fit_data_from(
    data: &BgNbdData,
    warm: Option<[f64; 4]>,
) -> Result<ParetoNbdFit, ForecastError> {
    let pd = ParetoData::new(data);
    let scale = data.mean_t_scale();
    let cold = [
        [0.5, scale, 0.5, scale],
        [1.0, 2.0 * scale, 1.0, 4.0 * scale],
        [0.25, scale, 0.8, 8.0 * scale],
    ];
    // one converged start suffices, warm or cold: the likelihood is unimodal in practice (on
    // CDNOW and simulated data every start reaches the same maximum) and a start costs ~1 s at
    // a million customers
    let (starts, rule) = warm_first(warm, &cold, StopRule::FirstConverged);
    let best = fit_multistart(
        |p, g| pd.log_likelihood(p, g),
        data.total_weight,
        &starts,
        rule,
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

/// A Pareto/NBD start from a BG/NBD estimate (r, α, a, b): the same purchase-rate
/// distribution, and dropout rates whose mean is BG/NBD's dropout chance per purchase times
/// the mean purchase rate, a/(a+b) · r/α, with shape ½.
pub fn start_from_bgnbd(r: f64, alpha: f64, a: f64, b: f64) -> [f64; 4] {
    let mean_dropout = a / (a + b) * r / alpha;
    [r, alpha, 0.5, 0.5 / mean_dropout]
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
