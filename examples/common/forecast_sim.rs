//! The forecast benchmarks' simulated customers, shared by `bench_forecast` (which fits them)
//! and `gen_forecast_orders` (which writes them as an orders export for the page): purchases at
//! a Gamma-distributed rate λ ~ Gamma(r, α) with exponential gaps, a dropout chance
//! p ~ Beta(a, b) drawn after every purchase, the first included (MBG/NBD's process: BG/NBD
//! lets a customer drop out only after a repeat purchase, so MBG/NBD is the data's choice),
//! spend ~ Gamma(p_s, ν) with ν ~ Gamma(q, γ), and acquisition uniform over the year before the
//! as-of day 365. Seeded: the same customers every run.
#![allow(dead_code)]

use memberlens::analysis::forecast::simulate::Rng;

pub const R: f64 = 0.5;
pub const ALPHA: f64 = 20.0;
pub const A: f64 = 0.8;
pub const B: f64 = 4.0;
pub const P_SPEND: f64 = 6.0;
pub const Q_SPEND: f64 = 4.0;
pub const GAMMA_SPEND: f64 = 15.0;
pub const AS_OF: i32 = 365;
pub const SEED: u64 = 20_240_601;

/// Calls `emit(customer, day, spend)` for every purchase of `n` customers, in customer order
/// and, per customer, in time order; spends are rounded to cents.
pub fn simulate(n: usize, mut emit: impl FnMut(usize, i32, f64)) {
    let mut rng = Rng::new(SEED);
    for customer in 0..n {
        let lambda = rng.gamma(R) / ALPHA;
        let p = rng.beta(A, B);
        let nu = rng.gamma(Q_SPEND) / GAMMA_SPEND;
        let first = (rng.uniform() * f64::from(AS_OF)) as i32;
        let spend = |rng: &mut Rng| (rng.gamma(P_SPEND) / nu * 100.0).round() / 100.0;
        emit(customer, first, spend(&mut rng));
        let mut time = f64::from(first);
        loop {
            if rng.uniform() < p {
                break;
            }
            time += -rng.uniform().ln() / lambda.max(1e-12);
            if time > f64::from(AS_OF) {
                break;
            }
            emit(customer, time as i32, spend(&mut rng));
        }
    }
}
