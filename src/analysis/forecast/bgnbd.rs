//! BG/NBD ("beta-geometric / negative binomial distribution", Fader, Hardie & Lee 2005):
//! while alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase they drop
//! out with probability p ~ Beta(a, b).
//!
//! The fit maximises the likelihood of (x, t_x, T) over customers. Customers with the same
//! triple contribute identical terms, so they are merged with a weight first (a million
//! customers measured in days collapse to tens of thousands of triples), and every term that
//! depends on x alone (the log-gamma ratios) is computed once per distinct x.

use super::optimize::{fit_multistart, StartFit, StopRule, DIVERGED_LOG_PARAM};
use super::special::{
    digamma, exp, exp_m1, expm1_over, ln, ln_1p, ln_gamma_ratio, softplus_with_share, NeumaierSum,
};
use super::summary::CustomerSummary;
use super::FastMap;
use super::{ForecastError, Limit};
pub use crate::report::BgNbdFit;

/// Customers grouped for the likelihood: distinct x values, distinct times and distinct
/// (x, t_x, T) triples referring to them.
#[derive(Debug, Clone)]
///
/// All three lists are sorted by value, so the likelihood sums in the same order whatever
/// the order of the customers: the fit is a function of the data, not of its row order.
pub struct BgNbdData {
    /// Distinct frequencies with their total weight.
    pub(super) xs: Vec<(f64, f64)>,
    /// Distinct time values (t_x and T share the table: ln(α + τ) is computed once per value).
    pub(super) times: Vec<f64>,
    /// Distinct triples: (index into `xs`, index of t_x, index of T, weight).
    pub(super) triples: Vec<(u32, u32, u32, f64)>,
    /// Sum of all weights (number of customers).
    pub(super) total_weight: f64,
}

impl BgNbdData {
    /// Groups summaries (validated) into weighted triples.
    pub fn new(summaries: &[CustomerSummary]) -> Result<Self, ForecastError> {
        if summaries.is_empty() {
            return Err(ForecastError::NoCustomers);
        }
        let mut x_index: FastMap<u64, u32> = FastMap::default();
        let mut time_index: FastMap<u64, u32> = FastMap::default();
        let mut triple_index: FastMap<(u32, u32, u32), usize> = FastMap::default();
        let mut xs: Vec<(f64, f64)> = Vec::new();
        let mut times: Vec<f64> = Vec::new();
        let mut triples: Vec<(u32, u32, u32, f64)> = Vec::new();
        let mut time_id = |v: f64, times: &mut Vec<f64>| {
            *time_index.entry(v.to_bits()).or_insert_with(|| {
                times.push(v);
                (times.len() - 1) as u32
            })
        };
        for (i, s) in summaries.iter().enumerate() {
            validate(i, s)?;
            // x = 0 customers carry no recency information: normalise t_x to 0.
            let tx = if s.frequency == 0.0 { 0.0 } else { s.recency };
            let xi = *x_index.entry(s.frequency.to_bits()).or_insert_with(|| {
                xs.push((s.frequency, 0.0));
                (xs.len() - 1) as u32
            });
            xs[xi as usize].1 += 1.0;
            let key = (xi, time_id(tx, &mut times), time_id(s.t, &mut times));
            let ti = *triple_index.entry(key).or_insert_with(|| {
                triples.push((key.0, key.1, key.2, 0.0));
                triples.len() - 1
            });
            triples[ti].3 += 1.0;
        }
        if xs.iter().all(|&(x, _)| x == 0.0) {
            return Err(ForecastError::NoRepeatPurchases);
        }
        if times.iter().all(|&t| t == 0.0) {
            return Err(ForecastError::NoObservationTime);
        }
        // Canonical order: by value, then triples by (x, t_x, T).
        let x_rank = sort_with_ranks(&mut xs, |a, b| a.0.total_cmp(&b.0));
        let time_rank = sort_with_ranks(&mut times, f64::total_cmp);
        for t in &mut triples {
            *t = (
                x_rank[t.0 as usize],
                time_rank[t.1 as usize],
                time_rank[t.2 as usize],
                t.3,
            );
        }
        triples.sort_unstable_by_key(|t| (t.0, t.1, t.2));
        Ok(BgNbdData {
            xs,
            times,
            triples,
            total_weight: summaries.len() as f64,
        })
    }

    /// Σ x and Σ T over customers (weighted): the Poisson rate estimate is their ratio.
    pub fn totals(&self) -> (f64, f64) {
        let mut sum_x = NeumaierSum::default();
        let mut sum_t = NeumaierSum::default();
        for &(xi, _, ti, w) in &self.triples {
            sum_x.add(w * self.xs[xi as usize].0);
            sum_t.add(w * self.times[ti as usize]);
        }
        (sum_x.value(), sum_t.value())
    }

    /// A quarter of the customers' mean T (at least 1e-3): the starting scale α of a fit.
    pub(super) fn mean_t_scale(&self) -> f64 {
        let mean_t = self
            .triples
            .iter()
            .map(|&(_, _, ti, w)| self.times[ti as usize] * w)
            .sum::<f64>()
            / self.total_weight;
        (mean_t / 4.0).max(1e-3)
    }

    /// The customers' observation times T, sorted; at most `max` of them, evenly spaced
    /// through the sorted list when there are more (a sample with the same spread).
    pub(super) fn observation_times(&self, max: usize) -> Vec<f64> {
        let mut ts: Vec<(f64, f64)> = self
            .triples
            .iter()
            .map(|&(_, _, ti, w)| (self.times[ti as usize], w))
            .collect();
        ts.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let n = self.total_weight;
        let take = (max as f64).min(n).max(1.0) as usize;
        let mut out = Vec::with_capacity(take);
        let mut cumulative = 0.0;
        let mut next = 0usize;
        for (t, w) in ts {
            cumulative += w;
            // customer k of `take` sits at position (k + ½) n / take of the sorted list
            while next < take && (next as f64 + 0.5) * n / take as f64 <= cumulative {
                out.push(t);
                next += 1;
            }
        }
        out
    }

    /// Number of distinct (x, t_x, T) triples the likelihood runs over.
    pub fn distinct_triples(&self) -> usize {
        self.triples.len()
    }

    /// Total log-likelihood at (r, α, a, b); when `grad` is given, fills d LL / d(r, α, a, b).
    ///
    /// Written so no two large terms cancel, whatever the parameters: near the
    /// homogeneous-buyer limit (r, α ~ 10^6..10^9) the textbook form's r ln α and
    /// −(r + x) ln(α + T) are each ~10^7 per customer and their sum is ~10. Here each
    /// customer contributes ln Γ(r+x)/Γ(r) (see [`ln_gamma_ratio`]) + ln B(a, b+x)/B(a, b)
    /// − r ln(1 + T/α) − x ln(α + T) + ln(1 + e^d), d = ln a/(b+x−1) + (r+x) ln((α+T)/(α+t_x)),
    /// all of the size of the result, and the customers are added with a compensated sum.
    pub fn log_likelihood(&self, params: [f64; 4], grad: Option<&mut [f64; 4]>) -> f64 {
        self.bg_family_log_likelihood(params, grad, false)
    }

    /// MBG/NBD (Batislam, Denizel & Filiztekin 2007; lifetimes' `ModifiedBetaGeoFitter`)
    /// log-likelihood at (r, α, a, b), with its gradient when asked: BG/NBD where a customer
    /// may also drop out right after the first purchase, so the dropout branch applies to
    /// x = 0 too. Each customer adds ln Γ(r+x)/Γ(r) + ln B(a, b+x+1)/B(a, b)
    /// − r ln(1 + T/α) − x ln(α + T) + ln(1 + e^d), d = ln a/(b+x) + (r+x) ln((α+T)/(α+t_x)),
    /// arranged as in [`Self::log_likelihood`].
    pub fn mbg_log_likelihood(&self, params: [f64; 4], grad: Option<&mut [f64; 4]>) -> f64 {
        self.bg_family_log_likelihood(params, grad, true)
    }

    /// BG/NBD (`modified` false) or MBG/NBD (`modified` true): the two differ only in the
    /// Beta ratio (b + x vs b + x + 1) and in whether one-time buyers may have dropped out.
    fn bg_family_log_likelihood(
        &self,
        params: [f64; 4],
        grad: Option<&mut [f64; 4]>,
        modified: bool,
    ) -> f64 {
        let [r, alpha, a, b] = params;
        let want_grad = grad.is_some();
        let ln_a = ln(a);
        let rate = r / alpha;
        // MBG/NBD: the Beta ratio runs one step further, the dropout odds use b + x
        let shift = if modified { 1.0 } else { 0.0 };
        let (dg_r, dg_ab, dg_b) = if want_grad {
            (digamma(r), digamma(a + b), digamma(b))
        } else {
            (0.0, 0.0, 0.0)
        };
        let mut ll = NeumaierSum::default();
        let mut g = [0.0f64; 4];
        // Per distinct x: ln(a / (b + x - 1 + shift)) for the dropout term, filled once.
        let mut c4 = Vec::with_capacity(self.xs.len());
        for &(x, w) in &self.xs {
            let per_x = ln_gamma_ratio(r, x) + ln_gamma_ratio(b, x + shift)
                - ln_gamma_ratio(a + b, x + shift);
            ll.add(w * per_x);
            if want_grad {
                let dg_abx = digamma(a + b + x + shift);
                g[0] += w * (digamma(r + x) - dg_r);
                g[2] += w * (dg_ab - dg_abx);
                g[3] += w * (dg_ab + digamma(b + x + shift) - dg_b - dg_abx);
            }
            c4.push(if x > 0.0 || modified {
                ln_a - ln(b + x - 1.0 + shift)
            } else {
                0.0
            });
        }
        // Per distinct time τ: ln(1 + τ/α), ln(α + τ) and 1/(α + τ).
        let l1p: Vec<f64> = self.times.iter().map(|&v| ln_1p(v / alpha)).collect();
        let ln_times: Vec<f64> = self.times.iter().map(|&v| ln(alpha + v)).collect();
        let inv_times: Vec<f64> = if want_grad {
            self.times.iter().map(|&v| 1.0 / (alpha + v)).collect()
        } else {
            Vec::new()
        };
        // Weighted probability of the "dropped out after the last purchase" branch, per x.
        let mut drop_weight = vec![0.0f64; if want_grad { self.xs.len() } else { 0 }];
        for &(xi, txi, ti, w) in &self.triples {
            let (xi, txi, ti) = (xi as usize, txi as usize, ti as usize);
            let x = self.xs[xi].0;
            // r ln α − (r + x) ln(α + T), rearranged
            let alive = -r * l1p[ti] - x * ln_times[ti];
            if x > 0.0 || modified {
                // (r + x) ln((α+T)/(α+t_x)) is small when α is large: its error is ~ε·λT
                let d = c4[xi] + (r + x) * (l1p[ti] - l1p[txi]);
                // ln(1 + e^d) and the dropout branch's share w4 = e^d / (1 + e^d), one exp
                let (lse, w4) = softplus_with_share(d);
                ll.add(w * (alive + lse));
                if want_grad {
                    let w3 = 1.0 - w4;
                    g[0] -= w * (w3 * l1p[ti] + w4 * l1p[txi]);
                    // d/dα [r ln α − (r+x) ln(α+τ)] = (λτ − x) / (α + τ)
                    g[1] += w
                        * (w3 * inv_times[ti] * (rate * self.times[ti] - x)
                            + w4 * inv_times[txi] * (rate * self.times[txi] - x));
                    drop_weight[xi] += w * w4;
                }
            } else {
                ll.add(w * alive);
                if want_grad {
                    g[0] -= w * l1p[ti];
                    g[1] += w * inv_times[ti] * rate * self.times[ti];
                }
            }
        }
        if let Some(out) = grad {
            for (xi, &dw) in drop_weight.iter().enumerate() {
                let x = self.xs[xi].0;
                if x > 0.0 || modified {
                    g[2] += dw / a;
                    g[3] -= dw / (b + x - 1.0 + shift);
                }
            }
            *out = g;
        }
        ll.value()
    }
}

/// Sorts `items` and returns, for each original position, its new position.
pub(super) fn sort_with_ranks<T: Copy>(
    items: &mut Vec<T>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<u32> {
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    order.sort_unstable_by(|&i, &j| cmp(&items[i as usize], &items[j as usize]));
    let mut rank = vec![0u32; items.len()];
    for (new, &old) in order.iter().enumerate() {
        rank[old as usize] = new as u32;
    }
    *items = order.iter().map(|&i| items[i as usize]).collect();
    rank
}

fn validate(i: usize, s: &CustomerSummary) -> Result<(), ForecastError> {
    let bad = |reason: &'static str| Err(ForecastError::InvalidSummary { index: i, reason });
    if !(s.frequency.is_finite() && s.recency.is_finite() && s.t.is_finite()) {
        return bad("frequency, recency and T must be finite");
    }
    if s.frequency < 0.0 || s.recency < 0.0 || s.t < 0.0 {
        return bad("frequency, recency and T must not be negative");
    }
    if s.recency > s.t * (1.0 + 1e-12) + 1e-12 {
        return bad("recency is larger than T");
    }
    Ok(())
}

/// Fits BG/NBD by maximum likelihood (BFGS in log-parameters from several starts).
pub fn fit(summaries: &[CustomerSummary]) -> Result<BgNbdFit, ForecastError> {
    let data = BgNbdData::new(summaries)?;
    fit_data(&data)
}

/// BFGS from `starts` on a likelihood of the BG family (r, α, a, b: BG/NBD, MBG/NBD), stopping
/// by `rule` (from cold starts: once two converged starts agree, a third would only repeat
/// them); the best start, or
/// [`ForecastError::NoMaximum`] naming the limit a shape ran off to (r: one purchase rate for
/// everyone; a down or b up: nobody drops out).
pub(super) fn fit_bg_family(
    model: &'static str,
    n: f64,
    starts: &[[f64; 4]],
    rule: StopRule,
    ll: impl Fn([f64; 4], Option<&mut [f64; 4]>) -> f64,
) -> Result<StartFit<4>, ForecastError> {
    let best = fit_multistart(ll, n, starts, rule, 0b1101).ok_or(ForecastError::FitFailed {
        model,
        reason: "the likelihood was not finite at any starting point".into(),
    })?;
    let [r, _, a, b] = best.params;
    if best.escaped {
        let limit = if ln(r) >= DIVERGED_LOG_PARAM {
            Limit::SameRates
        } else if ln(a) <= -DIVERGED_LOG_PARAM || ln(b) >= DIVERGED_LOG_PARAM {
            Limit::NoDropout
        } else {
            Limit::Other
        };
        return Err(ForecastError::NoMaximum { model, limit });
    }
    Ok(best)
}

/// Fits BG/NBD on already grouped data.
pub fn fit_data(data: &BgNbdData) -> Result<BgNbdFit, ForecastError> {
    let n = data.total_weight;
    let scale = data.mean_t_scale();
    // Starts spread over typical retail shapes; the likelihood is usually unimodal in
    // log-parameters, the extra starts guard against flat regions on odd data. Runs stop
    // once two starts converge to the same likelihood.
    let starts = [
        [1.0, scale, 1.0, 1.0],
        [0.25, scale, 0.8, 2.5],
        [2.0, 4.0 * scale, 0.3, 6.0],
    ];
    let best = fit_bg_family("bgnbd", n, &starts, StopRule::TwoAgree, |p, g| {
        data.log_likelihood(p, g)
    })?;
    let [r, alpha, a, b] = best.params;
    Ok(BgNbdFit {
        r,
        alpha,
        a,
        b,
        log_likelihood: -best.f * n,
        converged: best.converged,
        iterations: best.iterations,
    })
}

impl BgNbdFit {
    /// Builds a fit from known parameters (e.g. published ones); log-likelihood 0 = not computed.
    pub fn from_params(r: f64, alpha: f64, a: f64, b: f64) -> Self {
        BgNbdFit {
            r,
            alpha,
            a,
            b,
            log_likelihood: 0.0,
            converged: true,
            iterations: 0,
        }
    }

    /// ln of the odds that the customer dropped out after the last purchase vs is alive.
    fn log_dropout_odds(&self, x: f64, t_x: f64, t: f64) -> Option<f64> {
        if x <= 0.0 {
            return None;
        }
        Some(
            ln(self.a) - ln(self.b + x - 1.0)
                + (self.r + x) * (ln(self.alpha + t) - ln(self.alpha + t_x)),
        )
    }

    /// P(customer still alive | x, t_x, T); 1 for customers without repeat purchases.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        match self.log_dropout_odds(x, t_x, t) {
            None => 1.0,
            Some(lo) => logistic_neg(lo),
        }
    }

    /// Expected purchases in the next `horizon` units for a customer with (x, t_x, T).
    ///
    /// lifetimes' `conditional_expected_number_of_purchases_up_to_time`:
    /// (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)] / (1 + δ_{x>0}
    /// a/(b+x−1) ((α+T)/(α+t_x))^(r+x)), z = t/(α+T+t). Evaluated after Euler's transform,
    /// which cancels the (r+x) power against the 2F1 (so large x cannot overflow) and leaves a
    /// series whose terms shrink at least like z^k; the 1/(a−1) is folded in analytically so
    /// a = 1 is no special case.
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        let mut out = [0.0];
        self.conditional_expected_purchases_many(&[horizon], x, t_x, t, &mut out);
        out[0]
    }

    /// [`Self::conditional_expected_purchases`] for several horizons of one customer at once.
    ///
    /// The series coefficients depend on the customer and the parameters only, not on the
    /// horizon, so they are computed once and shared (CLV needs 12+ horizons per customer).
    pub fn conditional_expected_purchases_many(
        &self,
        horizons: &[f64],
        x: f64,
        t_x: f64,
        t: f64,
        out: &mut [f64],
    ) {
        let denominator = match self.log_dropout_odds(x, t_x, t) {
            None => 1.0,
            Some(lo) => 1.0 + exp(lo),
        };
        self.expected_purchases_over(horizons, x, t, denominator, out);
    }

    /// The conditional expectation's numerator (the expectation of a customer alive now)
    /// divided by `denominator` (1 + the odds of having dropped out), for each horizon.
    /// MBG/NBD shares it with b + 1 in place of b and its own odds.
    pub(super) fn expected_purchases_over(
        &self,
        horizons: &[f64],
        x: f64,
        t: f64,
        denominator: f64,
        out: &mut [f64],
    ) {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let c = a + b + x - 1.0;
        let big_a = a + b - 1.0 - r;
        // Which series to sum: the first terms grow by about these factors (times z, common to
        // both), and a series whose terms first grow by g needs ~g terms; the transformed one
        // is exact at a = 1.
        let growth_transformed = big_a.abs() * a / c.abs().max(1e-300);
        let growth_original = (r + x) * (b + x) / c.abs().max(1e-300);
        let use_original =
            (a - 1.0).abs() > 0.05 && c > 0.0 && growth_original < growth_transformed;
        // Per horizon: z, ln(1 − z), running term and c·S (separate arrays so the inner
        // loop vectorises).
        let zs: Vec<f64> = horizons
            .iter()
            .map(|&h| h.max(0.0) / (alpha + t + h.max(0.0)))
            .collect();
        let lns: Vec<f64> = horizons
            .iter()
            .map(|&h| -ln_1p(h.max(0.0) / (alpha + t)))
            .collect();
        let mut terms: Vec<f64> = zs.iter().map(|z| big_a * z).collect();
        let mut sums = terms.clone();
        // the largest z converges last: test it every step, all of them before stopping
        let slowest = (0..zs.len()).fold(0, |m, j| if zs[j] > zs[m] { j } else { m });
        let settled = |term: f64, sum: f64| {
            term.abs() <= 1e-16 * sum.abs() || term == 0.0 || !term.is_finite()
        };
        if !use_original && !zs.is_empty() {
            // c·S, S = Σ_{k≥1} (A)_k (a)_{k−1} / ((c)_k k!) z^k, summed with the c factored out.
            let mut k = 1.0;
            while k < MAX_SERIES_TERMS {
                let coef = (big_a + k) * (a + k - 1.0) / ((c + k) * (k + 1.0));
                for ((term, sum), z) in terms.iter_mut().zip(sums.iter_mut()).zip(&zs) {
                    *term *= coef * z;
                    *sum += *term;
                }
                if settled(terms[slowest], sums[slowest])
                    && terms.iter().zip(&sums).all(|(&t, &s)| settled(t, s))
                {
                    break;
                }
                k += 1.0;
            }
        }
        let state: Vec<(f64, f64, f64, f64)> = (0..zs.len())
            .map(|j| (zs[j], lns[j], terms[j], sums[j]))
            .collect();
        for (o, (&h, &(z, big_l, _, c_s))) in out.iter_mut().zip(horizons.iter().zip(&state)) {
            if h <= 0.0 {
                *o = 0.0;
                continue;
            }
            let numerator = if use_original {
                // c/(a−1) · [1 − (1−z)^(r+x) 2F1(r+x, b+x; c; z)], 2F1 summed in log space
                let ln_g = (r + x) * big_l + ln_hyp2f1_positive(r + x, b + x, c, z);
                c / (a - 1.0) * -exp_m1(ln_g)
            } else {
                -c * expm1_over(a - 1.0, big_l) - exp((a - 1.0) * big_l) * c_s
            };
            let e = numerator / denominator;
            *o = if e.is_finite() { e.max(0.0) } else { 0.0 };
        }
    }

    /// Expected purchases in the first `horizon` units of a newly acquired customer.
    pub fn expected_purchases_new(&self, horizon: f64) -> f64 {
        // Setting x = t_x = T = 0 in the conditional formula gives exactly the unconditional one.
        self.conditional_expected_purchases(horizon, 0.0, 0.0, 0.0)
    }
}

/// Cap on series terms: reached only for absurd parameters, where the result stays finite.
const MAX_SERIES_TERMS: f64 = 200_000.0;

/// ln 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1: all terms are positive, and the running
/// sum is rescaled so terms that grow for a while (large a·b/c·z) cannot overflow.
fn ln_hyp2f1_positive(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut ln_scale = 0.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 0.0;
    while k < MAX_SERIES_TERMS {
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term <= 1e-17 * sum {
            break;
        }
        if sum > 1e250 {
            ln_scale += ln(sum);
            term /= sum;
            sum = 1.0;
        }
        k += 1.0;
    }
    ln_scale + ln(sum)
}

/// 1 / (1 + e^v) without overflow.
pub(super) fn logistic_neg(v: f64) -> f64 {
    if v > 0.0 {
        let e = exp(-v);
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + exp(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs(x: f64, tx: f64, t: f64) -> CustomerSummary {
        CustomerSummary {
            frequency: x,
            recency: tx,
            t,
            monetary_value: 0.0,
        }
    }

    fn sample() -> Vec<CustomerSummary> {
        vec![
            cs(0.0, 0.0, 30.0),
            cs(2.0, 20.0, 38.0),
            cs(1.0, 5.0, 10.0),
            cs(7.0, 30.0, 31.0),
            cs(0.0, 0.0, 12.0),
            cs(3.0, 9.0, 40.0),
            cs(2.0, 20.0, 38.0),
        ]
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = BgNbdData::new(&sample()).unwrap();
        for p in [
            [0.24, 4.4, 0.79, 2.4],
            [1.5, 0.7, 1.0, 0.6],
            [0.05, 30.0, 3.0, 9.0],
        ] {
            crate::analysis::forecast::optimize::assert_gradient(
                |q, g| data.log_likelihood(q, g),
                p,
            );
        }
    }

    #[test]
    fn grouping_does_not_change_the_likelihood() {
        let data = BgNbdData::new(&sample()).unwrap();
        assert_eq!(data.distinct_triples(), 6);
        let p = [0.5, 3.0, 0.9, 2.0];
        let ll = data.log_likelihood(p, None);
        let mut sum = 0.0;
        for s in sample() {
            // one-customer data sets: x = 0 ones would be rejected, so evaluate via a pair and subtract
            let pair = BgNbdData::new(&[s, cs(1.0, 1.0, 2.0)]).unwrap();
            let other = BgNbdData::new(&[cs(1.0, 1.0, 2.0)]).unwrap();
            sum += pair.log_likelihood(p, None) - other.log_likelihood(p, None);
        }
        assert!((ll - sum).abs() < 1e-9, "{ll} vs {sum}");
    }

    #[test]
    fn conditional_expectation_matches_direct_hypergeometric_formula() {
        use super::super::special::hyp2f1_series;
        let f = BgNbdFit::from_params(0.243, 4.414, 0.793, 2.426);
        for &(x, tx, t, h) in &[
            (2.0, 30.43, 38.86, 39.0),
            (0.0, 0.0, 38.86, 10.0),
            (5.0, 20.0, 30.0, 4.0),
        ] {
            let (r, al, a, b) = (f.r, f.alpha, f.a, f.b);
            let z = h / (al + t + h);
            let hyp = hyp2f1_series(r + x, b + x, a + b + x - 1.0, z);
            let mut direct =
                (a + b + x - 1.0) / (a - 1.0) * (1.0 - ((al + t) / (al + t + h)).powf(r + x) * hyp);
            if x > 0.0 {
                direct /= 1.0 + a / (b + x - 1.0) * ((al + t) / (al + tx)).powf(r + x);
            }
            let ours = f.conditional_expected_purchases(h, x, tx, t);
            assert!(
                (ours - direct).abs() < 1e-9 * direct.abs().max(1.0),
                "{ours} vs {direct}"
            );
        }
    }

    #[test]
    fn a_equal_to_one_and_huge_frequency_stay_finite() {
        let f = BgNbdFit::from_params(0.5, 3.0, 1.0, 2.0);
        let e = f.conditional_expected_purchases(52.0, 3.0, 10.0, 20.0);
        let near = BgNbdFit::from_params(0.5, 3.0, 1.0 + 1e-7, 2.0)
            .conditional_expected_purchases(52.0, 3.0, 10.0, 20.0);
        assert!(e.is_finite() && (e - near).abs() < 1e-5, "{e} vs {near}");
        let g = BgNbdFit::from_params(0.243, 4.414, 0.793, 2.426);
        let big = g.conditional_expected_purchases(52.0, 500.0, 38.0, 38.86);
        // lifetimes 0.11.3 (scipy hyp2f1) gives 11.504540498654977 for this customer
        assert!((big - 11.504_540_498_654_977).abs() < 1e-9, "{big}");
        assert!(g.p_alive(500.0, 1.0, 38.86).is_finite());
        assert!(g.expected_purchases_new(1e6).is_finite());
    }

    #[test]
    fn both_series_agree_and_huge_parameters_stay_finite() {
        // a = 2.5: both series are usable, and the choice between them must not matter
        let f = BgNbdFit::from_params(0.7, 12.0, 2.5, 4.0);
        for &(x, tx, t, h) in &[
            (0.0, 0.0, 30.0, 10.0),
            (4.0, 20.0, 30.0, 52.0),
            (40.0, 29.0, 30.0, 52.0),
        ] {
            let e = f.conditional_expected_purchases(h, x, tx, t);
            let (r, al, a, b) = (f.r, f.alpha, f.a, f.b);
            let z = h / (al + t + h);
            let ln_g = (r + x) * (-(h / (al + t)).ln_1p())
                + ln_hyp2f1_positive(r + x, b + x, a + b + x - 1.0, z);
            let mut direct = (a + b + x - 1.0) / (a - 1.0) * -ln_g.exp_m1();
            if x > 0.0 {
                direct /= 1.0 + (f.log_dropout_odds(x, tx, t).unwrap()).exp();
            }
            assert!(
                (e - direct).abs() < 1e-9 * direct.max(1.0),
                "{e} vs {direct}"
            );
        }
        // the boundary estimates of a homogeneous population (r, α, a, b all huge)
        let g = BgNbdFit::from_params(7.9e5, 1.2e7, 6.2e8, 6.3e8);
        let e = g.conditional_expected_purchases(365.0, 2.0, 30.0, 90.0);
        assert!(e.is_finite() && e > 0.0, "{e}");
        let h = BgNbdFit::from_params(4.1e9, 5.8e10, 6.8e5, 8.2e5);
        assert!(h
            .conditional_expected_purchases(365.0, 2.0, 25.0, 60.0)
            .is_finite());
    }
}
