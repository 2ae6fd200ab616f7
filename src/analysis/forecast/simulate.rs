//! Customers drawn from a fitted purchase model: the parametric bootstrap of the estimates'
//! uncertainty where the observed information is singular ([`bootstrap_covariance`]), and the
//! model's expected number of customers per repeat-purchase count (lifetimes'
//! `plot_period_transactions`, which simulates the same way: [`repeat_count_expectation`]).
//!
//! Seeded and deterministic (splitmix64, and the `libm` functions of [`super::special`]), so
//! the CLI and the page draw the same customers.

use super::bgnbd::BgNbdData;
use super::limits::{fit_model_like, PurchaseModel};
use super::special::{ln, pow};

/// splitmix64 with the draws the models need.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on 0..n (n > 0; a slight bias for large n is no matter to its uses: tests).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Exponential with the given rate (infinite for rate 0).
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -ln(self.uniform()) / rate
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * ln(u)).sqrt() * libm::cos(2.0 * std::f64::consts::PI * v)
    }

    /// Gamma(shape, scale 1) by Marsaglia & Tsang (with the shape < 1 boost).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0) * pow(u, 1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            let v = v * v * v;
            if v > 0.0 && ln(self.uniform()) < 0.5 * x * x + d - d * v + d * ln(v) {
                return d * v;
            }
        }
    }

    /// Beta(a, b).
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

/// Largest number of purchases drawn for one customer (a bound on absurd parameters).
const MAX_DRAWN: f64 = 1e6;

/// One customer first buying at 0 and observed for `t` units under `model`: (x, t_x).
pub fn draw_history(model: &PurchaseModel, t: f64, rng: &mut Rng) -> (f64, f64) {
    // (purchase rate, dropout chance after each purchase, dropout at the start, end of life)
    let (lambda, p, start_dropout, end) = match *model {
        PurchaseModel::BgNbd(f) => (rng.gamma(f.r) / f.alpha, rng.beta(f.a, f.b), false, t),
        PurchaseModel::MbgNbd(f) => (rng.gamma(f.r) / f.alpha, rng.beta(f.a, f.b), true, t),
        PurchaseModel::ParetoNbd(f) => {
            let lambda = rng.gamma(f.r) / f.alpha;
            let mu = rng.gamma(f.s) / f.beta;
            (lambda, 0.0, false, rng.exponential(mu).min(t))
        }
        PurchaseModel::BgPoisson { lambda, a, b } => (lambda, rng.beta(a, b), false, t),
        PurchaseModel::Nbd { r, alpha } => (rng.gamma(r) / alpha, 0.0, false, t),
        PurchaseModel::Poisson { lambda } => (lambda, 0.0, false, t),
    };
    if start_dropout && rng.uniform() < p {
        return (0.0, 0.0);
    }
    let (mut x, mut t_x, mut now) = (0.0, 0.0, 0.0);
    while x < MAX_DRAWN {
        now += rng.exponential(lambda);
        if now.is_nan() || now > end {
            break;
        }
        x += 1.0;
        t_x = now;
        if p > 0.0 && rng.uniform() < p {
            break;
        }
    }
    (x, t_x)
}

/// Most customers a bootstrap replicate draws: the covariance of a larger data set is this
/// one's scaled by the ratio of sizes (it shrinks as 1/n), which keeps a replicate's fit
/// quick on a million customers.
pub const BOOTSTRAP_CUSTOMERS: usize = 20_000;

/// Replicates of the parametric bootstrap.
pub const BOOTSTRAP_REPLICATES: usize = 24;

/// Covariance of `model`'s estimates by a parametric bootstrap: [`BOOTSTRAP_REPLICATES`] data
/// sets drawn from the fitted model with the customers' own observation times T (a sample of
/// at most [`BOOTSTRAP_CUSTOMERS`] of them, taken evenly over the sorted T's), each refitted;
/// the replicates' sample covariance, scaled by sample size / customers. `None` when fewer
/// than two thirds of the replicates have an estimate (the model is not identified there).
pub fn bootstrap_covariance(
    data: &BgNbdData,
    model: &PurchaseModel,
    seed: u64,
) -> Option<Vec<Vec<f64>>> {
    let ts = data.observation_times(BOOTSTRAP_CUSTOMERS);
    let scale = ts.len() as f64 / data.total_weight;
    let mut estimates: Vec<Vec<f64>> = Vec::new();
    for replicate in 0..BOOTSTRAP_REPLICATES {
        let mut rng = Rng::new(seed ^ (replicate as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        let drawn: Vec<super::summary::CustomerSummary> = ts
            .iter()
            .map(|&t| {
                let (x, t_x) = draw_history(model, t, &mut rng);
                super::summary::CustomerSummary {
                    frequency: x,
                    recency: t_x,
                    t,
                    monetary_value: 0.0,
                }
            })
            .collect();
        let Ok(d) = BgNbdData::new(&drawn) else {
            continue;
        };
        if let Ok(f) = fit_model_like(&d, model) {
            estimates.push(f.model.parameters().iter().map(|p| p.1).collect());
        }
    }
    if estimates.len() * 3 < BOOTSTRAP_REPLICATES * 2 {
        return None;
    }
    let k = estimates[0].len();
    let n = estimates.len() as f64;
    let mean: Vec<f64> = (0..k)
        .map(|i| estimates.iter().map(|e| e[i]).sum::<f64>() / n)
        .collect();
    let cov: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    estimates
                        .iter()
                        .map(|e| (e[i] - mean[i]) * (e[j] - mean[j]))
                        .sum::<f64>()
                        / (n - 1.0)
                        * scale
                })
                .collect()
        })
        .collect();
    cov.iter()
        .enumerate()
        .all(|(i, r)| r[i].is_finite() && r[i] > 0.0)
        .then_some(cov)
}

/// Expected number of customers with 0, 1, …, `last` − 1 and `last` or more repeat purchases
/// in their own observation time, under `model`: the customers drawn with their own T
/// (`replicates` times, averaged), as lifetimes' `plot_period_transactions` draws them.
pub fn repeat_count_expectation(
    data: &BgNbdData,
    model: &PurchaseModel,
    last: usize,
    seed: u64,
) -> Vec<f64> {
    // about 200,000 draws in all, at least one per customer
    let replicates = (200_000.0 / data.total_weight).ceil().clamp(1.0, 50.0) as usize;
    let mut counts = vec![0.0f64; last + 1];
    let mut rng = Rng::new(seed);
    for _ in 0..replicates {
        for &(_, _, ti, w) in &data.triples {
            let t = data.times[ti as usize];
            for _ in 0..w as usize {
                let (x, _) = draw_history(model, t, &mut rng);
                counts[(x as usize).min(last)] += 1.0;
            }
        }
    }
    counts.iter().map(|c| c / replicates as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::forecast::bgnbd::BgNbdFit;
    use crate::analysis::forecast::limits::model_covariance;
    use crate::analysis::forecast::summary::CustomerSummary;

    fn drawn(model: &PurchaseModel, n: usize, seed: u64) -> BgNbdData {
        let mut rng = Rng::new(seed);
        let s: Vec<CustomerSummary> = (0..n)
            .map(|i| {
                let t = 20.0 + (i % 50) as f64;
                let (x, t_x) = draw_history(model, t, &mut rng);
                CustomerSummary {
                    frequency: x,
                    recency: t_x,
                    t,
                    monetary_value: 0.0,
                }
            })
            .collect();
        BgNbdData::new(&s).unwrap()
    }

    #[test]
    fn bootstrap_agrees_with_the_observed_information_and_is_deterministic() {
        let truth = PurchaseModel::BgNbd(BgNbdFit::from_params(0.6, 5.0, 0.7, 2.5));
        let data = drawn(&truth, 5_000, 3);
        let fit = fit_model_like(&data, &truth).unwrap().model;
        let hessian = model_covariance(&data, &fit).unwrap();
        let boot = bootstrap_covariance(&data, &fit, 99).unwrap();
        for i in 0..4 {
            // 24 replicates estimate a variance to about ±30 % (χ² with 23 degrees of freedom)
            let ratio = (boot[i][i] / hessian[i][i]).sqrt();
            assert!((0.6..1.6).contains(&ratio), "param {i}: {ratio}");
        }
        assert_eq!(boot, bootstrap_covariance(&data, &fit, 99).unwrap());
    }

    #[test]
    fn observation_times_keep_the_spread() {
        let truth = PurchaseModel::Poisson { lambda: 0.3 };
        let data = drawn(&truth, 5_000, 4);
        let all = data.observation_times(usize::MAX);
        assert_eq!(all.len(), 5_000);
        let some = data.observation_times(50);
        assert_eq!(some.len(), 50);
        // T = 20 + (i mod 50): a sample of 50 spaced evenly takes each value once
        let want: Vec<f64> = (0..50).map(|i| 20.0 + i as f64).collect();
        assert_eq!(some, want);
    }

    #[test]
    fn repeat_counts_under_poisson_are_the_poisson_probabilities() {
        let lambda = 0.05;
        let model = PurchaseModel::Poisson { lambda };
        let data = drawn(&model, 2_000, 5);
        let expected = repeat_count_expectation(&data, &model, 7, 11);
        // exact: Σ over customers of P(N(T) = k) (last bucket: the rest)
        let mut exact = [0.0f64; 8];
        for i in 0..2_000 {
            let t = 20.0 + (i % 50) as f64;
            let mut pk = (-lambda * t).exp();
            let mut below = 0.0;
            for (k, e) in exact.iter_mut().enumerate().take(7) {
                *e += pk;
                below += pk;
                pk *= lambda * t / (k as f64 + 1.0);
            }
            exact[7] += 1.0 - below;
        }
        for (k, (got, want)) in expected.iter().zip(exact).enumerate() {
            // 50 replicates of 2,000 customers averaged: the count's sd is about √(want / 50)
            assert!(
                (got - want).abs() < 5.0 * (want / 50.0).sqrt() + 0.5,
                "k={k}: {got} vs {want}"
            );
        }
    }
}
