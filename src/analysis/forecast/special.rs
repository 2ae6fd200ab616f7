//! Special functions the forecast models need: log-gamma, digamma, log-sum-exp and the
//! Gaussian hypergeometric function in the forms the models use.
//!
//! `f64::ln_gamma` is still unstable in std and the crate must build for wasm32 without C
//! libraries, so these are written out here (Stirling/asymptotic series after an upward
//! recurrence, accurate to ~1e-14 relative for positive arguments).
//!
//! Every transcendental function the forecast models call (fit and member scoring) goes
//! through [`ln`], [`exp`], [`ln_1p`], [`exp_m1`] and [`pow`], which are the pure-Rust `libm`
//! crate's: std's `f64::ln` and friends call the platform's C library natively and a different
//! implementation in wasm32, which moved fits by an ulp and then stopped them at different
//! iterations. With one implementation (and only +, −, ×, ÷ and √ besides, which IEEE 754
//! rounds exactly everywhere) the CLI and the page compute bit-identical parameters and
//! member values.

/// ln x ([`libm`], the same code natively and in Wasm: see the module docs).
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// e^x ([`libm`]).
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// ln(1 + x), accurate for small x ([`libm`]).
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

/// e^x − 1, accurate for small x ([`libm`]).
#[inline]
pub fn exp_m1(x: f64) -> f64 {
    libm::expm1(x)
}

/// x^y ([`libm`]).
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Shift used by [`ln_gamma`] and [`digamma`] before the asymptotic series.
const SHIFT_TO: f64 = 10.0;

/// Natural log of the gamma function for `x > 0` (returns +inf for `x <= 0`).
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return f64::INFINITY;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    // Recurrence Γ(x) = Γ(x+n) / (x (x+1) ... (x+n-1)) brings x into the series' range.
    let mut y = x;
    let mut prod = 1.0;
    while y < SHIFT_TO {
        prod *= y;
        y += 1.0;
    }
    // Stirling series, terms up to 1/y^13.
    let stirling = (y - 0.5) * ln(y) - y + LN_SQRT_2PI + stirling_correction(y);
    if prod == 1.0 {
        stirling
    } else {
        stirling - ln(prod)
    }
}

/// Stirling's correction ln Γ(y) − [(y − ½) ln y − y + ln √(2π)] for y >= [`SHIFT_TO`].
fn stirling_correction(y: f64) -> f64 {
    let inv = 1.0 / y;
    let inv2 = inv * inv;
    inv * (1.0 / 12.0
        + inv2
            * (-1.0 / 360.0
                + inv2
                    * (1.0 / 1260.0
                        + inv2
                            * (-1.0 / 1680.0
                                + inv2
                                    * (1.0 / 1188.0
                                        + inv2 * (-691.0 / 360_360.0 + inv2 / 156.0))))))
}

/// ln Γ(r + x) − ln Γ(r) for r > 0, x >= 0, accurate even when r is huge.
///
/// Subtracting two log-gammas of ~r ln r loses everything at r = 10^8 (each is ~1.7e9, the
/// difference x ln r is ~18x): for r >= 10 the Stirling terms are subtracted analytically,
/// (r − ½) ln(1 + x/r) + x ln(r + x) − x + [S(r + x) − S(r)], every piece of the size of the
/// result. Below 10 the log-gammas are small and the plain difference is exact enough.
pub fn ln_gamma_ratio(r: f64, x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    if r < SHIFT_TO || !r.is_finite() || !x.is_finite() {
        return ln_gamma(r + x) - ln_gamma(r);
    }
    (r - 0.5) * ln_1p(x / r) + x * ln(r + x) - x
        + (stirling_correction(r + x) - stirling_correction(r))
}

/// Digamma ψ(x) = d/dx ln Γ(x) for `x > 0`.
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut y = x;
    let mut acc = 0.0;
    while y < SHIFT_TO {
        acc -= 1.0 / y;
        y += 1.0;
    }
    let inv = 1.0 / y;
    let inv2 = inv * inv;
    let series = inv2
        * (1.0 / 12.0
            - inv2
                * (1.0 / 120.0
                    - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0)))));
    acc + ln(y) - 0.5 * inv - series
}

/// Neumaier's compensated sum: the total of many terms of mixed size and sign to within a
/// few ulps of the exact sum, whatever their order (a plain sum over a million customers can
/// lose ~1e-6 of a log-likelihood).
#[derive(Debug, Clone, Copy, Default)]
pub struct NeumaierSum {
    sum: f64,
    compensation: f64,
}

impl NeumaierSum {
    /// Adds one term.
    #[inline]
    pub fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.compensation += (self.sum - t) + v;
        } else {
            self.compensation += (v - t) + self.sum;
        }
        self.sum = t;
    }

    /// The total.
    pub fn value(self) -> f64 {
        self.sum + self.compensation
    }
}

/// ln(e^a + e^b) without overflow; either side may be -inf.
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if hi == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    hi + ln_1p(exp(lo - hi))
}

/// ln(e^a − e^b) for `a >= b`; -inf when equal.
pub fn log_sub_exp(a: f64, b: f64) -> f64 {
    if b == f64::NEG_INFINITY {
        return a;
    }
    let d = b - a;
    if d >= 0.0 {
        return f64::NEG_INFINITY;
    }
    // ln(1 - e^d): expm1 for d near 0 keeps the small difference exact.
    a + if d > -std::f64::consts::LN_2 {
        ln(-exp_m1(d))
    } else {
        ln_1p(-exp(d))
    }
}

/// (e^(u·v) − 1) / u, with the limit v at u = 0 (used where a parameter may equal 1).
pub fn expm1_over(u: f64, v: f64) -> f64 {
    let uv = u * v;
    if uv.abs() < 1e-300 || u == 0.0 {
        return v;
    }
    exp_m1(uv) / u
}

/// Maximum number of series terms before [`hyp2f1_series`] gives up and returns what it has.
const MAX_TERMS: usize = 200_000;

/// Gaussian hypergeometric 2F1(a, b; c; z) by its power series, for 0 <= z < 1 and c > 0.
///
/// Applies Euler's transformation 2F1(a,b;c;z) = (1−z)^(c−a−b) 2F1(c−a, c−b; c; z) when it
/// shrinks the terms (it does whenever a + b > c, the slowly converging case).
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    if z == 0.0 {
        return 1.0;
    }
    if z > 0.0 && z < 1.0 && a + b > c && c > 0.0 {
        let e = c - a - b;
        return exp(e * ln_1p(-z)) * hyp2f1_series(c - a, c - b, c, z);
    }
    hyp2f1_series(a, b, c, z)
}

/// Plain power series of 2F1, summed until the terms stop mattering.
pub fn hyp2f1_series(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..MAX_TERMS {
        let kf = k as f64;
        term *= (a + kf) * (b + kf) / ((c + kf) * (kf + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-17 * sum.abs() || term == 0.0 {
            break;
        }
    }
    sum
}

/// ln 2F1(A, B; A+1; z) for A > 0, B > 0 and 0 <= z < 1 (the Pareto/NBD likelihood's form).
///
/// Uses 2F1(A,B;A+1;z) = (1−z)^(1−B) Σ_k (A+1−B)_k / (A+1)_k z^k, whose term ratio is below z,
/// so the series converges geometrically with all terms positive when B <= A + 1.
pub fn ln_hyp2f1_a_b_a1(big_a: f64, big_b: f64, z: f64) -> f64 {
    if z <= 0.0 {
        return 0.0;
    }
    let d = big_a + 1.0 - big_b;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..MAX_TERMS {
        let kf = k as f64;
        term *= (d + kf) / (big_a + 1.0 + kf) * z;
        sum += term;
        if term.abs() <= 1e-17 * sum.abs() || term == 0.0 {
            break;
        }
    }
    (1.0 - big_b) * ln_1p(-z) + ln(sum)
}

/// [`ln_hyp2f1_a_b_a1`] for one (A, B) at many z (the Pareto/NBD likelihood evaluates it for
/// every distinct (x, time) pair, and all pairs of one x share A and B): the coefficients
/// c_k = (A+1−B)_k / (A+1)_k, and for the gradient c_k ∂ln c_k/∂A, c_k ∂ln c_k/∂B and k c_k,
/// are computed once, as far as the largest z needs, so each z costs a multiply-add per term
/// instead of a division. Same series, same stopping rule as the one-z functions.
#[derive(Debug, Clone)]
pub struct Hyp2f1Table {
    big_a: f64,
    big_b: f64,
    d: f64,
    /// (c_k, c_k ∂ln c_k/∂A, c_k ∂ln c_k/∂B, k c_k)
    coef: Vec<[f64; 4]>,
    /// Σ_{j<k} 1/(d+j) − 1/(A+1+j) and −Σ_{j<k} 1/(d+j) for the next coefficient
    sum_a: f64,
    sum_b: f64,
}

impl Hyp2f1Table {
    /// The table for ln 2F1(A, B; A+1; ·), B <= A + 1.
    pub fn new(big_a: f64, big_b: f64) -> Self {
        Hyp2f1Table {
            big_a,
            big_b,
            d: big_a + 1.0 - big_b,
            coef: vec![[1.0, 0.0, 0.0, 0.0]],
            sum_a: 0.0,
            sum_b: 0.0,
        }
    }

    /// The coefficients of term k (computed on first use).
    #[inline]
    fn at(&mut self, k: usize) -> [f64; 4] {
        while self.coef.len() <= k {
            let j = (self.coef.len() - 1) as f64;
            let c = self.coef[self.coef.len() - 1][0] * ((self.d + j) / (self.big_a + 1.0 + j));
            self.sum_a += 1.0 / (self.d + j) - 1.0 / (self.big_a + 1.0 + j);
            self.sum_b -= 1.0 / (self.d + j);
            self.coef
                .push([c, c * self.sum_a, c * self.sum_b, c * (j + 1.0)]);
        }
        self.coef[k]
    }

    /// ln 2F1(A, B; A+1; z), as [`ln_hyp2f1_a_b_a1`].
    pub fn ln_value(&mut self, z: f64) -> f64 {
        if z <= 0.0 {
            return 0.0;
        }
        let (mut zk, mut sum) = (1.0f64, 1.0f64);
        for k in 1..=MAX_TERMS {
            zk *= z;
            let term = self.at(k)[0] * zk;
            sum += term;
            if term.abs() <= 1e-17 * sum.abs() || term == 0.0 {
                break;
            }
        }
        (1.0 - self.big_b) * ln_1p(-z) + ln(sum)
    }

    /// ln 2F1(A, B; A+1; z) with its partial derivatives: (L, ∂L/∂A, ∂L/∂B, ∂L/∂z).
    ///
    /// The series Σ t_k, t_k = c_k z^k, is differentiated term by term in the same loop:
    /// ∂ ln t_k/∂A = Σ_{j<k} 1/(d+j) − 1/(A+1+j), ∂ ln t_k/∂B = −Σ_{j<k} 1/(d+j),
    /// ∂ t_k/∂z = k t_k / z, d = A+1−B. d > 0 in every use (d = r+x or s+1), so every term is
    /// positive and the sums converge with the series.
    pub fn ln_value_grad(&mut self, z: f64) -> (f64, f64, f64, f64) {
        let (big_a, big_b, d) = (self.big_a, self.big_b, self.d);
        let l1z = ln_1p(-z);
        if z <= 0.0 {
            // only t_0 = 1 remains; ∂/∂z of the series at 0 is its first coefficient
            return (0.0, 0.0, -l1z, (big_b - 1.0) + d / (big_a + 1.0));
        }
        let (mut zk, mut sum) = (1.0f64, 1.0f64);
        let (mut s_a, mut s_b, mut s_k) = (0.0f64, 0.0f64, 0.0f64);
        for k in 1..=MAX_TERMS {
            zk *= z;
            let [c, ca, cb, ck] = self.at(k);
            let term = c * zk;
            sum += term;
            s_a += ca * zk;
            s_b += cb * zk;
            s_k += ck * zk;
            if term.abs() <= 1e-17 * sum.abs() || term == 0.0 {
                break;
            }
        }
        (
            (1.0 - big_b) * l1z + ln(sum),
            s_a / sum,
            -l1z + s_b / sum,
            (big_b - 1.0) / (1.0 - z) + s_k / (z * sum),
        )
    }
}

/// ln(1 + e^v) and e^v / (1 + e^v) (the share of the e^v branch), with one exponential and
/// without overflow; (0, 0) at v = −inf.
#[inline]
pub fn softplus_with_share(v: f64) -> (f64, f64) {
    if v > 0.0 {
        let e = exp(-v);
        (v + ln_1p(e), 1.0 / (1.0 + e))
    } else {
        let e = exp(v);
        (ln_1p(e), e / (1.0 + e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_known_values() {
        let cases = [
            (1.0, 0.0),
            (2.0, 0.0),
            (0.5, 0.572_364_942_924_700_1),
            (10.0, 12.801_827_480_081_469),
            (0.001, 6.907_178_885_383_853),
            (100.5, 361.435_540_467_777_6),
            (3.7, 1.428_072_326_665_388_3),
        ];
        for (x, want) in cases {
            let got = ln_gamma(x);
            assert!(
                (got - want).abs() < 1e-12 * want.abs().max(1.0),
                "lgamma({x}) = {got}, want {want}"
            );
        }
        // Γ(n) = (n-1)!
        let mut fact = 1.0f64;
        for n in 1..30 {
            assert!(close(ln_gamma(n as f64), fact.ln(), 1e-13) || fact.ln() == 0.0);
            fact *= n as f64;
        }
    }

    #[test]
    fn ln_gamma_ratio_keeps_digits_at_huge_shapes() {
        // small r: the plain difference; Γ(5.5)/Γ(2.5) = 4.5·3.5·2.5
        assert!(close(
            ln_gamma_ratio(2.5, 3.0),
            (4.5f64 * 3.5 * 2.5).ln(),
            1e-14
        ));
        // integer x: the ratio is the product r (r+1) … (r+x−1), summed here as logs
        for &r in &[10.0f64, 37.25, 1e4, 3.2e6, 1e12] {
            for &x in &[1.0f64, 2.0, 7.0, 40.0] {
                let direct: f64 = (0..x as u32).map(|j| (r + f64::from(j)).ln()).sum();
                let got = ln_gamma_ratio(r, x);
                assert!(
                    (got - direct).abs() < 1e-12 * direct.abs(),
                    "r={r} x={x}: {got} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn digamma_matches_known_values_and_derivative() {
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-13);
        assert!((digamma(0.5) + 1.963_510_026_021_423_5).abs() < 1e-13);
        assert!((digamma(0.01) + 100.560_885_457_868_68).abs() < 1e-11);
        for &x in &[0.01f64, 0.3, 1.7, 5.5, 12.0, 250.0] {
            let h = 1e-5 * x;
            let fd = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!(close(digamma(x), fd, 1e-7), "digamma({x})");
        }
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        for &z in &[0.0, 0.1, 0.5, 0.9, 0.99] {
            // 2F1(1,1;2;z) = -ln(1-z)/z
            let want = if z == 0.0 {
                1.0
            } else {
                -(1.0f64 - z).ln() / z
            };
            assert!(close(hyp2f1(1.0, 1.0, 2.0, z), want, 1e-12), "z={z}");
            // 2F1(a,b;b;z) = (1-z)^-a
            assert!(close(
                hyp2f1(2.5, 3.0, 3.0, z),
                (1.0f64 - z).powf(-2.5),
                1e-12
            ));
            // ln 2F1(A,B;A+1;z) agrees with the plain series where that converges quickly.
            if z <= 0.5 {
                let plain = hyp2f1_series(3.2, 1.6, 4.2, z).ln();
                assert!((ln_hyp2f1_a_b_a1(3.2, 1.6, z) - plain).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn shared_series_table_matches_the_plain_series_and_its_derivatives() {
        // one table serves z values in any order, growing as the largest z needs
        for &(big_a, big_b) in &[(3.2, 1.6), (0.9, 1.2), (12.5, 3.0), (2.0, 2.9)] {
            let mut table = Hyp2f1Table::new(big_a, big_b);
            for &z in &[0.3, 0.0, 0.97, 0.5, 1e-9, 0.8] {
                let one = ln_hyp2f1_a_b_a1(big_a, big_b, z);
                assert!(
                    close(table.ln_value(z), one, 1e-13),
                    "A={big_a} B={big_b} z={z}"
                );
                let (l, l_a, l_b, l_z) = table.ln_value_grad(z);
                assert!(close(l, one, 1e-13));
                // central differences of the one-z series (h relative to each argument)
                let diff = |f: &dyn Fn(f64) -> f64, v: f64| {
                    let h = 1e-6 * v.abs().max(1e-3);
                    (f(v + h) - f(v - h)) / (2.0 * h)
                };
                let want_a = diff(&|a| ln_hyp2f1_a_b_a1(a, big_b, z), big_a);
                let want_b = diff(&|b| ln_hyp2f1_a_b_a1(big_a, b, z), big_b);
                assert!(
                    (l_a - want_a).abs() < 1e-6 * want_a.abs().max(1.0),
                    "∂A {l_a} vs {want_a}"
                );
                assert!(
                    (l_b - want_b).abs() < 1e-6 * want_b.abs().max(1.0),
                    "∂B {l_b} vs {want_b}"
                );
                if z > 1e-3 {
                    let want_z = diff(&|v| ln_hyp2f1_a_b_a1(big_a, big_b, v), z);
                    assert!(
                        (l_z - want_z).abs() < 1e-5 * want_z.abs().max(1.0),
                        "∂z {l_z} vs {want_z}"
                    );
                }
            }
        }
    }

    #[test]
    fn softplus_and_its_share() {
        for &v in &[-800.0, -30.0, -1.0, 0.0, 0.5, 40.0, 800.0] {
            let (lse, share) = softplus_with_share(v);
            // plain formulas, with their series where e^v or e^-v is negligible beside 1
            let plain = if v > 20.0 {
                v + (-v).exp()
            } else if v < -20.0 {
                v.exp()
            } else {
                (1.0 + v.exp()).ln()
            };
            assert!(
                (lse - plain).abs() <= 1e-13 * plain,
                "{v}: {lse} vs {plain}"
            );
            assert!((share - 1.0 / (1.0 + (-v).exp())).abs() < 1e-15, "{v}");
        }
        assert_eq!(softplus_with_share(f64::NEG_INFINITY), (0.0, 0.0));
    }

    #[test]
    fn log_exp_helpers_are_stable() {
        assert!(close(
            log_add_exp(1000.0, 1000.0),
            1000.0 + 2f64.ln(),
            1e-15
        ));
        assert_eq!(
            log_add_exp(f64::NEG_INFINITY, f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
        assert!(close(log_sub_exp(0.0, -1e-10), (1e-10f64).ln(), 1e-6));
        assert_eq!(log_sub_exp(3.0, 3.0), f64::NEG_INFINITY);
        assert_eq!(expm1_over(0.0, 2.0), 2.0);
        assert!(close(
            expm1_over(1e-3, 2.0),
            (2e-3f64).exp_m1() / 1e-3,
            1e-14
        ));
    }
}
