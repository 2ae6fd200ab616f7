//! A small BFGS minimiser with a backtracking line search, for the 3–4 log-parameters of the
//! forecast models. Written here because the crate keeps its dependency list short and must
//! build for wasm32; the problems are tiny and smooth, so BFGS converges in tens of steps.

use super::special::{exp, ln};

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub struct Minimum {
    /// Point found (in the optimiser's coordinates, i.e. log-parameters).
    pub x: Vec<f64>,
    /// Objective at `x`.
    pub f: f64,
    /// Largest absolute gradient component at `x`.
    pub grad_inf: f64,
    /// Number of BFGS iterations taken.
    pub iterations: u32,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
    /// Whether the run stopped because a watched coordinate passed [`BfgsOptions::escape`]:
    /// the objective has no minimum inside, it keeps improving towards a limit.
    pub escaped: bool,
}

/// |log shape parameter| beyond which a fit is taken to be running off to a degenerate limit:
/// a Gamma shape r > e^10 ≈ 22,000 means purchase rates vary by less than 0.7 % between
/// customers (coefficient of variation 1/√r), a Beta shape beyond e^±10 puts the dropout
/// probability within 1e-4 of 0 or 1 for practically everyone. No real population sits there,
/// and the likelihood only creeps further, so the fit stops and the limit model is fitted.
pub const DIVERGED_LOG_PARAM: f64 = 10.0;

/// Settings for [`bfgs`].
#[derive(Debug, Clone, Copy)]
pub struct BfgsOptions {
    /// Stop when every gradient component is below this.
    pub gtol: f64,
    /// When the line search can no longer improve f (rounding noise of a sum over many
    /// customers), a gradient below this still counts as converged.
    pub gtol_noise: f64,
    /// Iteration cap.
    pub max_iter: u32,
    /// Coordinates are kept inside [-bound, bound] (log-parameters: e^±bound).
    pub bound: f64,
    /// Largest move of any coordinate in one step, so a bad direction cannot overflow.
    pub max_step: f64,
    /// Stop (with [`Minimum::escaped`]) once an accepted point has a coordinate marked in
    /// `watch` beyond ±escape.
    pub escape: f64,
    /// Which coordinates `escape` watches (the shape parameters; bit i = coordinate i).
    pub watch: u32,
}

impl Default for BfgsOptions {
    fn default() -> Self {
        BfgsOptions {
            gtol: 1e-8,
            max_iter: 1000,
            bound: 25.0,
            max_step: 3.0,
            gtol_noise: 1e-6,
            escape: f64::INFINITY,
            watch: 0,
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn inf_norm(a: &[f64]) -> f64 {
    a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Minimise `fg` (returning value and gradient) from `x0` with BFGS.
///
/// Non-finite objective values are treated as "too far": the line search shrinks the step.
/// Gradient components pushing a coordinate past the bound are zeroed so a parameter that
/// runs to the edge (an unidentified direction) does not stop convergence of the others.
pub fn bfgs<F>(mut fg: F, x0: &[f64], opts: BfgsOptions) -> Minimum
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x0.len();
    let clamp = |v: f64| v.clamp(-opts.bound, opts.bound);
    let mut x: Vec<f64> = x0.iter().map(|&v| clamp(v)).collect();
    let mut g = vec![0.0; n];
    let mut f = fg(&x, &mut g);
    if !f.is_finite() {
        return Minimum {
            x,
            f,
            grad_inf: f64::INFINITY,
            iterations: 0,
            converged: false,
            escaped: false,
        };
    }
    let project = |x: &[f64], g: &mut [f64]| {
        for i in 0..x.len() {
            if (x[i] >= opts.bound && g[i] < 0.0) || (x[i] <= -opts.bound && g[i] > 0.0) {
                g[i] = 0.0;
            }
        }
    };
    project(&x, &mut g);
    let mut h = identity(n);
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut d = vec![0.0; n];
    let mut iterations = 0;
    let mut stalled = 0;
    // f some iterations ago: a run to infinity along a flat direction (an unidentified
    // parameter) keeps taking tiny-gain steps forever; stop it when progress vanishes.
    let mut f_history: Vec<f64> = Vec::new();
    let mut converged = inf_norm(&g) < opts.gtol;
    let mut escaped = false;
    while !converged && iterations < opts.max_iter {
        iterations += 1;
        for i in 0..n {
            d[i] = -(0..n).map(|j| h[i][j] * g[j]).sum::<f64>();
        }
        let mut slope = dot(&g, &d);
        if slope >= 0.0 || !slope.is_finite() {
            h = identity(n);
            for i in 0..n {
                d[i] = -g[i];
            }
            slope = dot(&g, &d);
        }
        let biggest = inf_norm(&d);
        let mut step = if biggest > opts.max_step {
            opts.max_step / biggest
        } else {
            1.0
        };
        // Backtracking (Armijo) line search.
        let mut accepted = false;
        let mut f_new = f;
        for _ in 0..40 {
            for i in 0..n {
                x_new[i] = clamp(x[i] + step * d[i]);
            }
            f_new = fg(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= f + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            // Near the optimum f stops changing in floating point while the gradient is still
            // informative: accept a step that keeps f (to rounding) and shrinks the gradient.
            if f_new.is_finite()
                && f_new <= f + 4.0 * f64::EPSILON * f.abs()
                && inf_norm(&g_new) < inf_norm(&g)
            {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            stalled += 1;
            if stalled >= 2 || inf_norm(&g) < opts.gtol_noise {
                converged = inf_norm(&g) < opts.gtol_noise;
                break;
            }
            h = identity(n);
            continue;
        }
        stalled = 0;
        project(&x_new, &mut g_new);
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() && sy > 0.0 {
            if iterations == 1 {
                // Scale the first inverse-Hessian guess to the curvature seen (Nocedal & Wright 6.20).
                let scale = sy / dot(&y, &y);
                for (i, row) in h.iter_mut().enumerate() {
                    row[i] = scale;
                }
            }
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n).map(|i| dot(&h[i], &y)).collect();
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        f = f_new;
        converged = inf_norm(&g) < opts.gtol;
        if (0..n).any(|i| opts.watch & (1 << i) != 0 && x[i].abs() >= opts.escape) {
            escaped = true;
            converged = false;
            break;
        }
        if !converged && step < 1e-3 && inf_norm(&g) < opts.gtol_noise {
            // creeping along the rounding floor: as good as it gets
            converged = true;
            break;
        }
        f_history.push(f);
        if f_history.len() > 50 {
            let old = f_history[f_history.len() - 51];
            if !converged && old - f <= 1e-13 * f.abs().max(1.0) {
                converged = inf_norm(&g) < opts.gtol_noise;
                break;
            }
        }
    }
    let grad_inf = inf_norm(&g);
    Minimum {
        x,
        f,
        grad_inf,
        iterations,
        converged,
        escaped,
    }
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

/// Central finite-difference gradient of `f` at `x` (used for Pareto/NBD, whose analytic
/// gradient would need derivatives of 2F1 in its parameters).
pub fn numeric_gradient<F>(f: &mut F, x: &[f64], grad: &mut [f64])
where
    F: FnMut(&[f64]) -> f64,
{
    let mut p = x.to_vec();
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        p[i] = x[i] + h;
        let up = f(&p);
        p[i] = x[i] - h;
        let down = f(&p);
        p[i] = x[i];
        grad[i] = (up - down) / (2.0 * h);
    }
}

/// When a multi-start fit may skip its remaining starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRule {
    /// Once two converged starts reach the same likelihood (the next would only repeat them).
    TwoAgree,
    /// Once the best start so far has converged (for likelihoods that are well behaved).
    FirstConverged,
}

/// The starts of a fit and when it may stop: a warm start (an estimate of a neighbouring model)
/// first, kept once it converges, with the cold starts behind it as the fallback; without one
/// (or with one that is not a point of the parameter space), the cold starts under `cold_rule`.
pub fn warm_first<const N: usize>(
    warm: Option<[f64; N]>,
    cold: &[[f64; N]],
    cold_rule: StopRule,
) -> (Vec<[f64; N]>, StopRule) {
    match warm {
        Some(w) if w.iter().all(|v| v.is_finite() && *v > 0.0) => (
            std::iter::once(w).chain(cold.iter().copied()).collect(),
            StopRule::FirstConverged,
        ),
        _ => (cold.to_vec(), cold_rule),
    }
}

/// The best start of a [`fit_multistart`] run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StartFit<const N: usize> {
    /// Mean negative log-likelihood at `params`.
    pub f: f64,
    /// Parameters (not logs).
    pub params: [f64; N],
    /// BFGS iterations of this start.
    pub iterations: u32,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
    /// Whether a watched shape ran past e^±[`DIVERGED_LOG_PARAM`]: the likelihood has no
    /// maximum inside, the data supports a limit of the model, and `params` mean nothing.
    pub escaped: bool,
}

/// Maximum-likelihood fit in log-parameters from several starts: minimises the mean negative
/// log-likelihood with [`bfgs`] and keeps the best start. `ll` returns the total log-likelihood
/// at the parameters and fills its gradient; `n` is the number of customers it sums over;
/// `shapes` marks the shape parameters (bit i = parameter i) whose running past
/// e^±[`DIVERGED_LOG_PARAM`] stops the fit at once as [`StartFit::escaped`].
/// Returns `None` when the likelihood was not finite at any start.
pub fn fit_multistart<const N: usize>(
    ll: impl Fn([f64; N], Option<&mut [f64; N]>) -> f64,
    n: f64,
    starts: &[[f64; N]],
    rule: StopRule,
    shapes: u32,
) -> Option<StartFit<N>> {
    let mut best: Option<StartFit<N>> = None;
    for start in starts {
        let x0: Vec<f64> = start.iter().map(|&v| ln(v)).collect();
        let m = bfgs(
            |x, g| {
                let p: [f64; N] = std::array::from_fn(|i| exp(x[i]));
                let mut gp = [0.0; N];
                let value = ll(p, Some(&mut gp));
                for i in 0..N {
                    // chain rule for log-parameters; minimise the mean negative LL
                    g[i] = -gp[i] * p[i] / n;
                }
                -value / n
            },
            &x0,
            BfgsOptions {
                escape: DIVERGED_LOG_PARAM,
                watch: shapes,
                ..BfgsOptions::default()
            },
        );
        if !m.f.is_finite() {
            continue;
        }
        let fit = StartFit {
            f: m.f,
            params: std::array::from_fn(|i| exp(m.x[i])),
            iterations: m.iterations,
            converged: m.converged,
            escaped: m.escaped,
        };
        if m.escaped {
            // The data does not identify the model (e.g. homogeneous buyers): every start
            // drifts out the same way, so the others are skipped.
            return Some(fit);
        }
        let agrees = best
            .as_ref()
            .is_some_and(|b| (m.f - b.f).abs() <= 1e-10 * b.f.abs().max(1.0));
        if best.as_ref().is_none_or(|b| m.f < b.f - 1e-12) {
            best = Some(fit);
        }
        let done = match rule {
            StopRule::TwoAgree => agrees && m.converged,
            StopRule::FirstConverged => {
                (agrees || m.converged) && best.as_ref().is_some_and(|b| b.converged)
            }
        };
        if done {
            break;
        }
    }
    best
}

/// Covariance of maximum-likelihood estimates from the observed information: (−∇² LL)⁻¹ at
/// `p`, LL summed over customers. The Hessian is taken
/// by central differences of the analytic gradient in log-parameters (better conditioned when
/// parameters differ by orders of magnitude) and mapped back (Cov = D Cov_log D, D = diag p,
/// the gradient being 0 at the estimate). `None` when it is not positive definite (a flat
/// direction: the data do not pin that parameter down).
#[allow(clippy::needless_range_loop)] // matrix code reads best with row and column indices
pub fn covariance<const N: usize>(
    ll: impl Fn([f64; N], Option<&mut [f64; N]>) -> f64,
    p: [f64; N],
) -> Option<[[f64; N]; N]> {
    const STEP: f64 = 1e-5;
    // information in log-parameters: −∂/∂ln p_i (p_j ∂LL/∂p_j)
    let mut info = [[0.0f64; N]; N];
    for i in 0..N {
        let mut up = p;
        up[i] = p[i] * exp(STEP);
        let mut down = p;
        down[i] = p[i] * exp(-STEP);
        let (mut g_up, mut g_down) = ([0.0; N], [0.0; N]);
        ll(up, Some(&mut g_up));
        ll(down, Some(&mut g_down));
        for j in 0..N {
            info[i][j] = -(g_up[j] * up[j] - g_down[j] * down[j]) / (2.0 * STEP);
        }
    }
    for i in 0..N {
        for j in 0..i {
            let m = 0.5 * (info[i][j] + info[j][i]);
            info[i][j] = m;
            info[j][i] = m;
        }
    }
    let cov_log = invert(info)?;
    let mut cov = [[0.0; N]; N];
    for i in 0..N {
        if !(cov_log[i][i].is_finite() && cov_log[i][i] > 0.0) {
            return None;
        }
        for j in 0..N {
            cov[i][j] = p[i] * p[j] * cov_log[i][j];
        }
    }
    Some(cov)
}

/// Standard errors: the square roots of [`covariance`]'s diagonal.
pub fn standard_errors<const N: usize>(
    ll: impl Fn([f64; N], Option<&mut [f64; N]>) -> f64,
    p: [f64; N],
) -> Option<[f64; N]> {
    let cov = covariance(ll, p)?;
    Some(std::array::from_fn(|i| cov[i][i].sqrt()))
}

/// Inverse of a small symmetric positive definite matrix by Cholesky; `None` when it is not
/// positive definite.
#[allow(clippy::needless_range_loop)] // matrix code reads best with row and column indices
fn invert<const N: usize>(a: [[f64; N]; N]) -> Option<[[f64; N]; N]> {
    let mut l = [[0.0f64; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - sum;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - sum) / l[j][j];
            }
        }
    }
    // columns of A⁻¹: solve L Lᵀ x = e_c
    let mut inv = [[0.0f64; N]; N];
    for c in 0..N {
        let mut y = [0.0f64; N];
        for i in 0..N {
            let rhs = if i == c { 1.0 } else { 0.0 };
            y[i] = (rhs - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
        }
        let mut x = [0.0f64; N];
        for i in (0..N).rev() {
            x[i] = (y[i] - (i + 1..N).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
        }
        for i in 0..N {
            inv[i][c] = x[i];
        }
    }
    Some(inv)
}

/// Test helper: asserts an analytic gradient matches central finite differences at `p`.
#[cfg(test)]
pub(crate) fn assert_gradient<const N: usize>(
    ll: impl Fn([f64; N], Option<&mut [f64; N]>) -> f64,
    p: [f64; N],
) {
    let mut g = [0.0; N];
    ll(p, Some(&mut g));
    for i in 0..N {
        let h = 1e-6 * p[i];
        let mut up = p;
        up[i] += h;
        let mut down = p;
        down[i] -= h;
        let fd = (ll(up, None) - ll(down, None)) / (2.0 * h);
        assert!(
            (g[i] - fd).abs() < 1e-5 * fd.abs().max(1.0),
            "param {i} at {p:?}: {} vs {fd}",
            g[i]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_errors_of_a_normal_sample_are_the_textbook_ones() {
        // LL of n draws from N(μ, σ²) with known sums; at the MLE, se(μ) = σ/√n and
        // se(σ) = σ/√(2n) (observed information, written out by hand)
        let (n, mean, var) = (400.0f64, 3.0f64, 2.25f64);
        let ll = |p: [f64; 2], g: Option<&mut [f64; 2]>| {
            let [mu, sigma] = p;
            // Σ (x − μ)² = n var + n (mean − μ)²
            let ss = n * var + n * (mean - mu).powi(2);
            if let Some(g) = g {
                g[0] = n * (mean - mu) / sigma.powi(2);
                g[1] = -n / sigma + ss / sigma.powi(3);
            }
            -n * sigma.ln() - ss / (2.0 * sigma * sigma)
        };
        let se = standard_errors(ll, [mean, var.sqrt()]).unwrap();
        assert!((se[0] - 1.5 / 20.0).abs() < 1e-6, "{se:?}");
        assert!((se[1] - 1.5 / (800.0f64).sqrt()).abs() < 1e-6, "{se:?}");
        // a flat direction has no standard error
        assert!(standard_errors(
            |_p: [f64; 1], g: Option<&mut [f64; 1]>| {
                if let Some(g) = g {
                    g[0] = 0.0;
                }
                0.0
            },
            [1.0]
        )
        .is_none());
    }

    #[test]
    fn bfgs_minimises_rosenbrock() {
        let m = bfgs(
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            &[-1.2, 1.0],
            BfgsOptions::default(),
        );
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{m:?}"
        );
    }

    #[test]
    fn bfgs_stops_at_bound_for_unbounded_direction() {
        // f decreases forever as x0 -> -inf; x1 has a minimum at 2.
        let m = bfgs(
            |x, g| {
                g[0] = x[0].exp();
                g[1] = 2.0 * (x[1] - 2.0);
                x[0].exp() + (x[1] - 2.0).powi(2)
            },
            &[0.0, 0.0],
            BfgsOptions::default(),
        );
        assert!(m.f.is_finite());
        assert!((m.x[1] - 2.0).abs() < 1e-6, "{m:?}");
    }
}
