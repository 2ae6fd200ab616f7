//! Identification: BG/NBD's nested limits, and the choice of the purchase model the data
//! supports.
//!
//! BG/NBD has no maximum on data whose purchase rates are homogeneous or where nobody drops
//! out: the likelihood keeps rising as r, α → ∞ with r/α fixed (every rate equals λ = r/α)
//! or as a → 0 / b → ∞ (every dropout probability is 0). Its supremum is then the likelihood
//! of a simpler model nested at that edge, which is fitted here instead:
//!
//! | key          | model                                   | parameters |
//! |--------------|-----------------------------------------|------------|
//! | `bgnbd`      | BG/NBD                                  | r, α, a, b |
//! | `bg_poisson` | one purchase rate λ, Beta-geometric dropout | λ, a, b |
//! | `nbd`        | Gamma-distributed rates, nobody drops out | r, α     |
//! | `poisson`    | one purchase rate λ, nobody drops out   | λ          |
//!
//! Beside them two alternatives to BG/NBD with as many parameters, where a one-time buyer may
//! have dropped out too (so their P(alive) falls with the time since their purchase):
//!
//! | key          | model                                   | parameters |
//! |--------------|-----------------------------------------|------------|
//! | `mbgnbd`     | MBG/NBD: dropout also right after the first purchase | r, α, a, b |
//! | `pareto_nbd` | Pareto/NBD: exponential lifetimes, rates μ ~ Gamma(s, β) | r, α, s, β |
//!
//! Every likelihood is that of the same data (x, t_x, T) in the same form as BG/NBD's (the
//! densities of the purchase times), so the six are compared directly: unless the user asks
//! for one ([`ModelSelection`]), the model with the lowest AIC = 2k − 2 LL is used for member
//! forecasts, a simpler one on a tie. A fit whose shape parameter runs past e^±10 has no
//! estimate ([`ForecastError::NoMaximum`]) and is not a candidate; Poisson always has one
//! (λ = Σx / ΣT).

use serde::{Deserialize, Serialize};

use super::bgnbd::{BgNbdData, BgNbdFit};
use super::mbgnbd::{self, MbgNbdFit};
use super::optimize::{covariance, fit_multistart, warm_first, StopRule, DIVERGED_LOG_PARAM};
use super::pareto_nbd::{self, ParetoData, ParetoNbdFit};
use super::simulate::bootstrap_covariance;
use super::special::{
    digamma, exp, exp_m1, ln, ln_1p, ln_gamma, ln_gamma_ratio, softplus_with_share, NeumaierSum,
};
use super::summary::CustomerSummary;
use super::{FastMap, ForecastError, Limit};

/// A purchase model with its parameters (time in the forecast's unit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PurchaseModel {
    /// BG/NBD.
    BgNbd(BgNbdFit),
    /// MBG/NBD: BG/NBD with a dropout chance right after the first purchase too.
    MbgNbd(MbgNbdFit),
    /// Pareto/NBD: exponential lifetimes with Gamma-distributed dropout rates.
    ParetoNbd(ParetoNbdFit),
    /// Everyone buys at rate λ while alive; after each purchase drops out with p ~ Beta(a, b).
    BgPoisson {
        /// Purchase rate per unit.
        lambda: f64,
        /// First Beta shape.
        a: f64,
        /// Second Beta shape.
        b: f64,
    },
    /// Rates λ ~ Gamma(r, α), nobody drops out.
    Nbd {
        /// Gamma shape.
        r: f64,
        /// Gamma scale (time units).
        alpha: f64,
    },
    /// Everyone buys at rate λ, nobody drops out.
    Poisson {
        /// Purchase rate per unit.
        lambda: f64,
    },
}

/// Largest number of terms [`bg_poisson_alive_expectation`] sums (a 50-year horizon at
/// several purchases a day); beyond it the result is what was summed.
const MAX_POISSON_TERMS: usize = 2_000_000;

impl PurchaseModel {
    /// Report key: `bgnbd`, `bg_poisson`, `nbd` or `poisson`.
    pub fn key(&self) -> &'static str {
        match self {
            PurchaseModel::BgNbd(_) => "bgnbd",
            PurchaseModel::MbgNbd(_) => "mbgnbd",
            PurchaseModel::ParetoNbd(_) => "pareto_nbd",
            PurchaseModel::BgPoisson { .. } => "bg_poisson",
            PurchaseModel::Nbd { .. } => "nbd",
            PurchaseModel::Poisson { .. } => "poisson",
        }
    }

    /// The parameters by name, in the order of the table above.
    pub fn parameters(&self) -> Vec<(&'static str, f64)> {
        match *self {
            PurchaseModel::BgNbd(f) => vec![("r", f.r), ("alpha", f.alpha), ("a", f.a), ("b", f.b)],
            PurchaseModel::MbgNbd(f) => {
                vec![("r", f.r), ("alpha", f.alpha), ("a", f.a), ("b", f.b)]
            }
            PurchaseModel::ParetoNbd(f) => {
                vec![("r", f.r), ("alpha", f.alpha), ("s", f.s), ("beta", f.beta)]
            }
            PurchaseModel::BgPoisson { lambda, a, b } => {
                vec![("lambda", lambda), ("a", a), ("b", b)]
            }
            PurchaseModel::Nbd { r, alpha } => vec![("r", r), ("alpha", alpha)],
            PurchaseModel::Poisson { lambda } => vec![("lambda", lambda)],
        }
    }

    /// The same model with other parameter values (in [`Self::parameters`] order).
    pub fn with_parameters(&self, v: &[f64]) -> PurchaseModel {
        match *self {
            PurchaseModel::BgNbd(f) => PurchaseModel::BgNbd(BgNbdFit {
                r: v[0],
                alpha: v[1],
                a: v[2],
                b: v[3],
                ..f
            }),
            PurchaseModel::MbgNbd(_) => PurchaseModel::MbgNbd(MbgNbdFit {
                r: v[0],
                alpha: v[1],
                a: v[2],
                b: v[3],
            }),
            PurchaseModel::ParetoNbd(f) => PurchaseModel::ParetoNbd(ParetoNbdFit {
                r: v[0],
                alpha: v[1],
                s: v[2],
                beta: v[3],
                ..f
            }),
            PurchaseModel::BgPoisson { .. } => PurchaseModel::BgPoisson {
                lambda: v[0],
                a: v[1],
                b: v[2],
            },
            PurchaseModel::Nbd { .. } => PurchaseModel::Nbd {
                r: v[0],
                alpha: v[1],
            },
            PurchaseModel::Poisson { .. } => PurchaseModel::Poisson { lambda: v[0] },
        }
    }

    /// A model from its report key and parameters (in [`Self::parameters`] order), e.g. to
    /// score a member again from a saved report; `None` for an unknown key or count.
    pub fn from_parameters(key: &str, v: &[f64]) -> Option<PurchaseModel> {
        let kind = match key {
            "bgnbd" => PurchaseModel::BgNbd(BgNbdFit::from_params(1.0, 1.0, 1.0, 1.0)),
            "mbgnbd" => PurchaseModel::MbgNbd(MbgNbdFit {
                r: 1.0,
                alpha: 1.0,
                a: 1.0,
                b: 1.0,
            }),
            "pareto_nbd" => PurchaseModel::ParetoNbd(ParetoNbdFit::from_params(1.0, 1.0, 1.0, 1.0)),
            "bg_poisson" => PurchaseModel::BgPoisson {
                lambda: 1.0,
                a: 1.0,
                b: 1.0,
            },
            "nbd" => PurchaseModel::Nbd { r: 1.0, alpha: 1.0 },
            "poisson" => PurchaseModel::Poisson { lambda: 1.0 },
            _ => return None,
        };
        (kind.parameters().len() == v.len()).then(|| kind.with_parameters(v))
    }

    /// Whether the model lets customers drop out (otherwise everyone is alive).
    pub fn has_dropout(&self) -> bool {
        matches!(
            self,
            PurchaseModel::BgNbd(_)
                | PurchaseModel::MbgNbd(_)
                | PurchaseModel::ParetoNbd(_)
                | PurchaseModel::BgPoisson { .. }
        )
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        match *self {
            PurchaseModel::BgNbd(f) => f.p_alive(x, t_x, t),
            PurchaseModel::MbgNbd(f) => f.p_alive(x, t_x, t),
            PurchaseModel::ParetoNbd(f) => f.p_alive(x, t_x, t),
            PurchaseModel::BgPoisson { lambda, a, b } => {
                if x <= 0.0 {
                    1.0
                } else {
                    let lo = ln(a) - ln(b + x - 1.0) + lambda * (t - t_x);
                    1.0 / (1.0 + exp(lo))
                }
            }
            PurchaseModel::Nbd { .. } | PurchaseModel::Poisson { .. } => 1.0,
        }
    }

    /// Expected purchases in the next `horizons[j]` units for (x, t_x, T), into `out[j]`.
    pub fn conditional_expected_purchases_many(
        &self,
        horizons: &[f64],
        x: f64,
        t_x: f64,
        t: f64,
        out: &mut [f64],
    ) {
        match *self {
            PurchaseModel::BgNbd(f) => {
                f.conditional_expected_purchases_many(horizons, x, t_x, t, out)
            }
            PurchaseModel::MbgNbd(f) => {
                f.conditional_expected_purchases_many(horizons, x, t_x, t, out)
            }
            PurchaseModel::ParetoNbd(f) => {
                f.conditional_expected_purchases_many(horizons, x, t_x, t, out)
            }
            PurchaseModel::BgPoisson { lambda, a, b } => {
                let alive = self.p_alive(x, t_x, t);
                for (o, &h) in out.iter_mut().zip(horizons) {
                    *o = alive * bg_poisson_alive_expectation(lambda * h.max(0.0), a, b, x);
                }
            }
            PurchaseModel::Nbd { r, alpha } => {
                // posterior rate Gamma(r + x, α + T), nobody drops out
                for (o, &h) in out.iter_mut().zip(horizons) {
                    *o = (r + x) / (alpha + t) * h.max(0.0);
                }
            }
            PurchaseModel::Poisson { lambda } => {
                for (o, &h) in out.iter_mut().zip(horizons) {
                    *o = lambda * h.max(0.0);
                }
            }
        }
    }
}

/// Expected purchases in a window of y = λt expected Poisson events of a customer alive now
/// with x past repeat purchases, dropout p ~ Beta(a, b) (the posterior is Beta(a, b + x)).
///
/// The n-th purchase happens if the Poisson count reaches n and the customer survived the
/// n − 1 before it: E = Σ_{n≥1} P(N ≥ n) E[(1−p)^(n−1)], with E[(1−p)^m] = Π_{j<m} (b+x+j) /
/// (a+b+x+j). All terms are positive (no cancellation), unlike the confluent 1F1 form.
pub fn bg_poisson_alive_expectation(y: f64, a: f64, b: f64, x: f64) -> f64 {
    if y.is_nan() || y <= 0.0 {
        return 0.0;
    }
    let bx = b + x;
    let mut sum = NeumaierSum::default();
    let mut tail = -exp_m1(-y); // P(N >= 1)
    let mut survive = 1.0; // E[(1−p)^(n−1)]
    let ln_y = ln(y);
    // P(N = n): multiplied up from e^−y while that does not underflow, else from logs
    let small = y < 700.0;
    let mut pmf = exp(-y);
    let mut n = 1usize;
    let mut total = 0.0f64;
    while n <= MAX_POISSON_TERMS {
        let term = tail * survive;
        sum.add(term);
        total += term;
        if (n as f64) > y && (term <= 1e-17 * total || tail <= 0.0) {
            break;
        }
        // P(N >= n+1) = P(N >= n) − P(N = n)
        let nf = n as f64;
        pmf = if small {
            pmf * y / nf
        } else {
            exp(-y + nf * ln_y - ln_gamma(nf + 1.0))
        };
        tail = (tail - pmf).max(0.0);
        survive *= (bx + nf - 1.0) / (a + bx + nf - 1.0);
        n += 1;
    }
    sum.value()
}

/// A fitted purchase model with its fit diagnostics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FittedModel {
    /// The model and its estimates.
    pub model: PurchaseModel,
    /// Total log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// Whether the optimiser reached its tolerance (closed forms: always).
    pub converged: bool,
    /// Optimiser iterations (0 for closed forms).
    pub iterations: u32,
}

impl FittedModel {
    /// Number of estimated parameters.
    pub fn parameter_count(&self) -> usize {
        self.model.parameters().len()
    }

    /// Akaike's information criterion 2k − 2 LL.
    pub fn aic(&self) -> f64 {
        2.0 * self.parameter_count() as f64 - 2.0 * self.log_likelihood
    }

    /// Schwarz's Bayesian information criterion k ln n − 2 LL over `customers` customers.
    pub fn bic(&self, customers: usize) -> f64 {
        self.parameter_count() as f64 * ln(customers.max(1) as f64) - 2.0 * self.log_likelihood
    }
}

/// Which purchase model member forecasts use: the data's choice (lowest AIC), or one the
/// user names (`--model`, `forecast.model`). A named model without an estimate on the data
/// (its likelihood has no maximum) gives way to the data's choice, with a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelSelection {
    /// Lowest AIC among the candidates with an estimate (the simpler on a tie).
    #[default]
    Auto,
    /// BG/NBD.
    Bgnbd,
    /// MBG/NBD.
    Mbgnbd,
    /// Pareto/NBD.
    #[serde(alias = "pareto_nbd")]
    Pareto,
}

impl ModelSelection {
    /// The candidate key the selection names, none for `Auto`.
    pub fn key(self) -> Option<&'static str> {
        match self {
            ModelSelection::Auto => None,
            ModelSelection::Bgnbd => Some("bgnbd"),
            ModelSelection::Mbgnbd => Some("mbgnbd"),
            ModelSelection::Pareto => Some("pareto_nbd"),
        }
    }

    /// Parses `auto`, `bgnbd`, `mbgnbd`, `pareto` (or `pareto_nbd`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(ModelSelection::Auto),
            "bgnbd" => Some(ModelSelection::Bgnbd),
            "mbgnbd" => Some(ModelSelection::Mbgnbd),
            "pareto" | "pareto_nbd" => Some(ModelSelection::Pareto),
            _ => None,
        }
    }
}

/// One model considered for the purchase forecasts.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Model key.
    pub key: &'static str,
    /// Its fit, or why it has none.
    pub fit: Result<FittedModel, ForecastError>,
    /// Standard errors of the parameters (in [`PurchaseModel::parameters`] order) from the
    /// observed information, when it is positive definite.
    pub standard_errors: Option<Vec<f64>>,
    /// Their covariance matrix (same order), for intervals of derived totals.
    pub covariance: Option<Vec<Vec<f64>>>,
    /// Whether the covariance is a parametric bootstrap's (the observed information was
    /// singular or not positive definite) rather than the inverse observed information.
    pub bootstrapped: bool,
}

/// The purchase models considered and the one used.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseChoice {
    /// BG/NBD, MBG/NBD, Pareto/NBD, BG/Poisson, NBD and Poisson, in that order.
    pub candidates: Vec<Candidate>,
    /// Index of the chosen candidate.
    pub chosen: usize,
    /// What the user asked for.
    pub requested: ModelSelection,
    /// Customers the models were fitted on (for BIC).
    pub customers: usize,
}

impl PurchaseChoice {
    /// The chosen candidate's covariance matrix, when it has one.
    pub fn chosen_covariance(&self) -> Option<&Vec<Vec<f64>>> {
        self.candidates[self.chosen].covariance.as_ref()
    }

    /// The chosen fit.
    pub fn chosen_fit(&self) -> FittedModel {
        match &self.candidates[self.chosen].fit {
            Ok(f) => *f,
            // `chosen` always points at a fitted candidate (Poisson always is)
            Err(_) => unreachable!("the chosen purchase model is fitted"),
        }
    }

    /// The BG/NBD fit when it has an estimate.
    pub fn bgnbd(&self) -> Option<BgNbdFit> {
        self.candidates.iter().find_map(|c| match c.fit {
            Ok(FittedModel {
                model: PurchaseModel::BgNbd(f),
                ..
            }) => Some(f),
            _ => None,
        })
    }

    /// The requested model's key when it has no estimate and the data's choice is used.
    pub fn requested_unavailable(&self) -> Option<&'static str> {
        let key = self.requested.key()?;
        (self.candidates[self.chosen].key != key).then_some(key)
    }
}

/// A fixed-size covariance matrix as rows.
pub(super) fn matrix_rows<const N: usize>(m: [[f64; N]; N]) -> Vec<Vec<f64>> {
    m.iter().map(|r| r.to_vec()).collect()
}

/// Square roots of a covariance matrix's diagonal (standard errors).
pub(super) fn diagonal_roots(m: &[Vec<f64>]) -> Vec<f64> {
    m.iter().enumerate().map(|(i, r)| r[i].sqrt()).collect()
}

/// Fits every purchase model and chooses the data's (see the module docs).
pub fn choose(summaries: &[CustomerSummary]) -> Result<PurchaseChoice, ForecastError> {
    choose_with(summaries, ModelSelection::Auto)
}

/// Fits every purchase model and chooses by `selection`.
pub fn choose_with(
    summaries: &[CustomerSummary],
    selection: ModelSelection,
) -> Result<PurchaseChoice, ForecastError> {
    let data = BgNbdData::new(summaries)?;
    choose_data(&data, selection)
}

/// The covariance of a fitted model's estimates from the observed information.
pub fn model_covariance(data: &BgNbdData, model: &PurchaseModel) -> Option<Vec<Vec<f64>>> {
    match *model {
        PurchaseModel::BgNbd(b) => {
            covariance(|p, g| data.log_likelihood(p, g), [b.r, b.alpha, b.a, b.b]).map(matrix_rows)
        }
        PurchaseModel::MbgNbd(m) => covariance(
            |p, g| data.mbg_log_likelihood(p, g),
            [m.r, m.alpha, m.a, m.b],
        )
        .map(matrix_rows),
        PurchaseModel::ParetoNbd(f) => {
            let pd = ParetoData::new(data);
            covariance(|p, g| pd.log_likelihood(p, g), [f.r, f.alpha, f.s, f.beta]).map(matrix_rows)
        }
        PurchaseModel::BgPoisson { lambda, a, b } => {
            let bp = BgPoissonData::new(data);
            covariance(|p, g| bp.log_likelihood(p, g), [lambda, a, b]).map(matrix_rows)
        }
        PurchaseModel::Nbd { r, alpha } => {
            covariance(|p, g| data.nbd_log_likelihood(p, g), [r, alpha]).map(matrix_rows)
        }
        // −∂²LL/∂λ² = Σx/λ²: se = λ/√Σx
        PurchaseModel::Poisson { lambda } => {
            let (sum_x, _) = data.totals();
            Some(vec![vec![lambda * lambda / sum_x]])
        }
    }
}

/// [`choose_with`] on grouped data.
pub fn choose_data(
    data: &BgNbdData,
    selection: ModelSelection,
) -> Result<PurchaseChoice, ForecastError> {
    let candidate = |key, fit: Result<FittedModel, ForecastError>| {
        let (covariance, bootstrapped) = match fit.as_ref() {
            Ok(f) => match model_covariance(data, &f.model) {
                Some(c) => (Some(c), false),
                None => {
                    let c = bootstrap_covariance(data, &f.model, BOOTSTRAP_SEED);
                    let bootstrapped = c.is_some();
                    (c, bootstrapped)
                }
            },
            Err(_) => (None, false),
        };
        Candidate {
            key,
            fit,
            standard_errors: covariance.as_deref().map(diagonal_roots),
            covariance,
            bootstrapped,
        }
    };
    let kinds = [
        (
            "bgnbd",
            PurchaseModel::BgNbd(BgNbdFit::from_params(1.0, 1.0, 1.0, 1.0)),
        ),
        (
            "mbgnbd",
            PurchaseModel::MbgNbd(MbgNbdFit {
                r: 1.0,
                alpha: 1.0,
                a: 1.0,
                b: 1.0,
            }),
        ),
        (
            "pareto_nbd",
            PurchaseModel::ParetoNbd(ParetoNbdFit::from_params(1.0, 1.0, 1.0, 1.0)),
        ),
        (
            "bg_poisson",
            PurchaseModel::BgPoisson {
                lambda: 1.0,
                a: 1.0,
                b: 1.0,
            },
        ),
        ("nbd", PurchaseModel::Nbd { r: 1.0, alpha: 1.0 }),
        ("poisson", PurchaseModel::Poisson { lambda: 1.0 }),
    ];
    // BG/NBD first (from cold starts, confirmed by two); the others then start from its
    // estimate when it has one (their maxima are near it), on threads natively (the results do
    // not depend on it)
    let bg = fit_model_like(data, &kinds[0].1);
    let near = match &bg {
        Ok(FittedModel {
            model: PurchaseModel::BgNbd(f),
            ..
        }) => Some(*f),
        _ => None,
    };
    let mut candidates: Vec<Candidate> = vec![candidate(kinds[0].0, bg)];
    candidates.extend(crate::par::map(&kinds[1..], |(key, kind)| {
        candidate(key, fit_model_near(data, kind, near.as_ref()))
    }));
    let requested = selection
        .key()
        .and_then(|k| candidates.iter().position(|c| c.key == k && c.fit.is_ok()));
    let chosen = match requested {
        Some(i) => i,
        None => lowest_aic(&candidates).ok_or_else(|| ForecastError::FitFailed {
            model: "poisson",
            reason: "no purchase model has a finite likelihood".into(),
        })?,
    };
    Ok(PurchaseChoice {
        candidates,
        chosen,
        requested: selection,
        customers: data.total_weight as usize,
    })
}

/// Seed of the parametric bootstrap (fixed: the same data give the same intervals).
const BOOTSTRAP_SEED: u64 = 0x1616_2026_0b00_75ed;

/// Refits the kind of model `like` is on other data (the parametric bootstrap's replicates).
pub fn fit_model_like(
    data: &BgNbdData,
    like: &PurchaseModel,
) -> Result<FittedModel, ForecastError> {
    fit_model_near(data, like, None)
}

/// Fits the kind of model `like` is, MBG/NBD, Pareto/NBD and BG/Poisson starting from a BG/NBD
/// estimate when one is given (their maxima are near it; the others have no use for it).
pub fn fit_model_near(
    data: &BgNbdData,
    like: &PurchaseModel,
    bg: Option<&BgNbdFit>,
) -> Result<FittedModel, ForecastError> {
    let near = bg.map(|f| (f.r, f.alpha, f.a, f.b));
    match like {
        PurchaseModel::BgNbd(_) => super::bgnbd::fit_data(data).map(|f| FittedModel {
            model: PurchaseModel::BgNbd(f),
            log_likelihood: f.log_likelihood,
            converged: f.converged,
            iterations: f.iterations,
        }),
        PurchaseModel::MbgNbd(_) => {
            let warm = near.map(|(r, alpha, a, b)| [r, alpha, a, b]);
            mbgnbd::fit_data_from(data, warm).map(|(f, ll, converged, iterations)| FittedModel {
                model: PurchaseModel::MbgNbd(f),
                log_likelihood: ll,
                converged,
                iterations,
            })
        }
        PurchaseModel::ParetoNbd(_) => {
            let warm = near.map(|(r, alpha, a, b)| pareto_nbd::start_from_bgnbd(r, alpha, a, b));
            pareto_nbd::fit_data_from(data, warm).map(|f| FittedModel {
                model: PurchaseModel::ParetoNbd(f),
                log_likelihood: f.log_likelihood,
                converged: f.converged,
                iterations: f.iterations,
            })
        }
        PurchaseModel::BgPoisson { .. } => {
            fit_bg_poisson_from(data, near.map(|(r, alpha, a, b)| [r / alpha, a, b]))
        }
        PurchaseModel::Nbd { .. } => fit_nbd(data),
        PurchaseModel::Poisson { .. } => fit_poisson(data),
    }
}

/// The candidate with the lowest finite AIC; on a tie the simpler (later in the list).
fn lowest_aic(candidates: &[Candidate]) -> Option<usize> {
    let mut chosen: Option<(usize, f64)> = None;
    for (i, c) in candidates.iter().enumerate().rev() {
        if let Ok(f) = &c.fit {
            let aic = f.aic();
            if aic.is_finite() && chosen.is_none_or(|(_, best)| aic < best) {
                chosen = Some((i, aic));
            }
        }
    }
    chosen.map(|(i, _)| i)
}

/// Poisson without dropout: λ = Σx / ΣT, LL = Σx (ln λ − 1).
pub fn fit_poisson(data: &BgNbdData) -> Result<FittedModel, ForecastError> {
    let (sum_x, sum_t) = data.totals();
    if !(sum_x > 0.0 && sum_t > 0.0) {
        return Err(ForecastError::NoRepeatPurchases);
    }
    let lambda = sum_x / sum_t;
    Ok(FittedModel {
        model: PurchaseModel::Poisson { lambda },
        log_likelihood: sum_x * (ln(lambda) - 1.0),
        converged: true,
        iterations: 0,
    })
}

impl BgNbdData {
    /// NBD (no dropout) log-likelihood at (r, α): Σ ln Γ(r+x)/Γ(r) − r ln(1 + T/α) − x ln(α+T).
    pub fn nbd_log_likelihood(&self, params: [f64; 2], grad: Option<&mut [f64; 2]>) -> f64 {
        let [r, alpha] = params;
        let rate = r / alpha;
        let want_grad = grad.is_some();
        let dg_r = if want_grad { digamma(r) } else { 0.0 };
        let mut ll = NeumaierSum::default();
        let mut g = [0.0f64; 2];
        for &(x, w) in &self.xs {
            ll.add(w * ln_gamma_ratio(r, x));
            if want_grad {
                g[0] += w * (digamma(r + x) - dg_r);
            }
        }
        let l1p: Vec<f64> = self.times.iter().map(|&v| ln_1p(v / alpha)).collect();
        let ln_times: Vec<f64> = self.times.iter().map(|&v| ln(alpha + v)).collect();
        for &(xi, _, ti, w) in &self.triples {
            let (x, tau) = (self.xs[xi as usize].0, self.times[ti as usize]);
            let ti = ti as usize;
            ll.add(w * (-r * l1p[ti] - x * ln_times[ti]));
            if want_grad {
                g[0] -= w * l1p[ti];
                g[1] += w * (rate * tau - x) / (alpha + tau);
            }
        }
        if let Some(out) = grad {
            *out = g;
        }
        ll.value()
    }
}

/// Customers grouped for the BG/Poisson likelihood, which depends on a customer's history only
/// through x, T − t_x and (linearly) T: one entry per distinct (x, T − t_x) of the repeat
/// buyers and the weighted sum of T, instead of one per (x, t_x, T).
#[derive(Debug, Clone)]
pub struct BgPoissonData<'a> {
    data: &'a BgNbdData,
    /// (index into `xs`, T − t_x, weight), x > 0 only
    gaps: Vec<(u32, f64, f64)>,
    /// Σ weight · T over all customers
    weighted_t: f64,
}

impl<'a> BgPoissonData<'a> {
    /// Groups the triples of `data` by (x, T − t_x).
    pub fn new(data: &'a BgNbdData) -> Self {
        let mut index: FastMap<(u32, u64), usize> = FastMap::default();
        let mut gaps: Vec<(u32, f64, f64)> = Vec::new();
        let mut weighted_t = NeumaierSum::default();
        for &(xi, txi, ti, w) in &data.triples {
            let t = data.times[ti as usize];
            weighted_t.add(w * t);
            if data.xs[xi as usize].0 > 0.0 {
                let gap = t - data.times[txi as usize];
                let i = *index.entry((xi, gap.to_bits())).or_insert_with(|| {
                    gaps.push((xi, gap, 0.0));
                    gaps.len() - 1
                });
                gaps[i].2 += w;
            }
        }
        BgPoissonData {
            data,
            gaps,
            weighted_t: weighted_t.value(),
        }
    }

    /// BG/Poisson log-likelihood at (λ, a, b): x ln λ + ln B(a, b+x)/B(a, b) − λT
    /// + ln(1 + a/(b+x−1) e^(λ(T − t_x))) for x > 0.
    pub fn log_likelihood(&self, params: [f64; 3], grad: Option<&mut [f64; 3]>) -> f64 {
        let d = self.data;
        let [lambda, a, b] = params;
        let want_grad = grad.is_some();
        let (dg_ab, dg_b) = if want_grad {
            (digamma(a + b), digamma(b))
        } else {
            (0.0, 0.0)
        };
        let ln_lambda = ln(lambda);
        let ln_a = ln(a);
        let mut ll = NeumaierSum::default();
        let mut g = [0.0f64; 3];
        let mut c4 = Vec::with_capacity(d.xs.len());
        for &(x, w) in &d.xs {
            ll.add(w * (x * ln_lambda + ln_gamma_ratio(b, x) - ln_gamma_ratio(a + b, x)));
            if want_grad {
                let dg_abx = digamma(a + b + x);
                g[0] += w * x / lambda;
                g[1] += w * (dg_ab - dg_abx);
                g[2] += w * (dg_ab + digamma(b + x) - dg_b - dg_abx);
            }
            c4.push(if x > 0.0 { ln_a - ln(b + x - 1.0) } else { 0.0 });
        }
        ll.add(-lambda * self.weighted_t);
        g[0] -= self.weighted_t;
        let mut drop_weight = vec![0.0f64; if want_grad { d.xs.len() } else { 0 }];
        for &(xi, gap, w) in &self.gaps {
            let xi = xi as usize;
            let (lse, w4) = softplus_with_share(c4[xi] + lambda * gap);
            ll.add(w * lse);
            if want_grad {
                g[0] += w * w4 * gap;
                drop_weight[xi] += w * w4;
            }
        }
        if let Some(out) = grad {
            for (xi, &dw) in drop_weight.iter().enumerate() {
                let x = d.xs[xi].0;
                if x > 0.0 {
                    g[1] += dw / a;
                    g[2] -= dw / (b + x - 1.0);
                }
            }
            *out = g;
        }
        ll.value()
    }
}

fn mean_rate(data: &BgNbdData) -> f64 {
    let (sum_x, sum_t) = data.totals();
    if sum_x > 0.0 && sum_t > 0.0 {
        sum_x / sum_t
    } else {
        1.0
    }
}

/// NBD without dropout, by maximum likelihood; [`ForecastError::NoMaximum`] when r runs off
/// (the rates are homogeneous: Poisson is the model).
pub fn fit_nbd(data: &BgNbdData) -> Result<FittedModel, ForecastError> {
    let lambda = mean_rate(data);
    let starts = [
        [1.0, 1.0 / lambda],
        [0.25, 0.25 / lambda],
        [4.0, 4.0 / lambda],
    ];
    let best = fit_multistart(
        |p, g| data.nbd_log_likelihood(p, g),
        data.total_weight,
        &starts,
        StopRule::FirstConverged,
        0b01,
    )
    .ok_or(ForecastError::FitFailed {
        model: "nbd",
        reason: "the likelihood was not finite at any starting point".into(),
    })?;
    if best.escaped {
        return Err(ForecastError::NoMaximum {
            model: "nbd",
            limit: if best.params[0] > 1.0 {
                Limit::SameRates
            } else {
                Limit::Other
            },
        });
    }
    let [r, alpha] = best.params;
    Ok(FittedModel {
        model: PurchaseModel::Nbd { r, alpha },
        log_likelihood: -best.f * data.total_weight,
        converged: best.converged,
        iterations: best.iterations,
    })
}

/// BG/Poisson by maximum likelihood; [`ForecastError::NoMaximum`] when a or b runs off.
pub fn fit_bg_poisson(data: &BgNbdData) -> Result<FittedModel, ForecastError> {
    fit_bg_poisson_from(data, None)
}

/// [`fit_bg_poisson`], first from `warm` when given (BG/NBD's mean rate r/α, a and b).
pub fn fit_bg_poisson_from(
    data: &BgNbdData,
    warm: Option<[f64; 3]>,
) -> Result<FittedModel, ForecastError> {
    let lambda = mean_rate(data);
    let cold = [[lambda, 1.0, 1.0], [lambda, 0.8, 2.5], [lambda, 0.3, 6.0]];
    let (starts, rule) = warm_first(warm, &cold, StopRule::TwoAgree);
    let bp = BgPoissonData::new(data);
    let best = fit_multistart(
        |p, g| bp.log_likelihood(p, g),
        data.total_weight,
        &starts,
        rule,
        0b110,
    )
    .ok_or(ForecastError::FitFailed {
        model: "bg_poisson",
        reason: "the likelihood was not finite at any starting point".into(),
    })?;
    let [lambda, a, b] = best.params;
    if best.escaped {
        return Err(ForecastError::NoMaximum {
            model: "bg_poisson",
            limit: if ln(a) <= -DIVERGED_LOG_PARAM || ln(b) >= DIVERGED_LOG_PARAM {
                Limit::NoDropout
            } else {
                Limit::Other
            },
        });
    }
    Ok(FittedModel {
        model: PurchaseModel::BgPoisson { lambda, a, b },
        log_likelihood: -best.f * data.total_weight,
        converged: best.converged,
        iterations: best.iterations,
    })
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

    fn sample() -> BgNbdData {
        BgNbdData::new(&[
            cs(0.0, 0.0, 30.0),
            cs(2.0, 20.0, 35.0),
            cs(2.0, 20.0, 35.0),
            cs(5.0, 12.0, 40.0),
            cs(1.0, 3.0, 9.0),
            cs(7.0, 50.0, 52.0),
        ])
        .unwrap()
    }

    #[test]
    fn bg_poisson_grouped_by_gap_equals_the_per_customer_sum() {
        // per customer, written plainly: x ln λ + ln B(a, b+x)/B(a, b) − λT
        // + ln(1 + a/(b+x−1) e^(λ(T − t_x))) when x > 0
        let customers = [
            (0.0, 0.0, 30.0),
            (2.0, 20.0, 35.0),
            (2.0, 20.0, 35.0),
            (2.0, 25.0, 40.0), // the same gap as the two above, another T
            (5.0, 12.0, 40.0),
            (1.0, 3.0, 9.0),
            (7.0, 50.0, 52.0),
        ];
        let data = BgNbdData::new(
            &customers
                .iter()
                .map(|&(x, tx, t)| cs(x, tx, t))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let ln_beta = |p: f64, q: f64| ln_gamma(p) + ln_gamma(q) - ln_gamma(p + q);
        for [lambda, a, b] in [[0.05f64, 0.8, 2.5], [0.3, 0.1, 9.0], [0.01, 3.0, 0.7]] {
            let plain: f64 = customers
                .iter()
                .map(|&(x, tx, t): &(f64, f64, f64)| {
                    let mut v = x * lambda.ln() + ln_beta(a, b + x) - ln_beta(a, b) - lambda * t;
                    if x > 0.0 {
                        v += (1.0 + a / (b + x - 1.0) * (lambda * (t - tx)).exp()).ln();
                    }
                    v
                })
                .sum();
            let grouped = BgPoissonData::new(&data).log_likelihood([lambda, a, b], None);
            assert!(
                (grouped - plain).abs() < 1e-12 * plain.abs(),
                "{grouped} vs {plain}"
            );
        }
    }

    #[test]
    fn warm_started_fits_reach_the_cold_fits_maxima() {
        // simulated BG/NBD buyers: every model has an interior maximum
        let mut rng = crate::analysis::forecast::simulate::Rng::new(7);
        let summaries: Vec<CustomerSummary> = (0..4000)
            .map(|_| {
                let lambda = rng.gamma(0.6) / 8.0;
                let p = rng.beta(0.7, 3.0);
                let t = 20.0 + 60.0 * rng.uniform();
                let (mut time, mut x, mut last) = (0.0, 0.0, 0.0);
                loop {
                    time += -rng.uniform().ln() / lambda;
                    if time > t {
                        break;
                    }
                    x += 1.0;
                    last = time;
                    if rng.uniform() < p {
                        break;
                    }
                }
                cs(x, last, t)
            })
            .collect();
        let data = BgNbdData::new(&summaries).unwrap();
        let Ok(FittedModel {
            model: PurchaseModel::BgNbd(bg),
            ..
        }) = fit_model_like(
            &data,
            &PurchaseModel::BgNbd(BgNbdFit::from_params(1.0, 1.0, 1.0, 1.0)),
        )
        else {
            panic!("BG/NBD has a maximum here")
        };
        for kind in [
            PurchaseModel::MbgNbd(MbgNbdFit {
                r: 1.0,
                alpha: 1.0,
                a: 1.0,
                b: 1.0,
            }),
            PurchaseModel::ParetoNbd(ParetoNbdFit::from_params(1.0, 1.0, 1.0, 1.0)),
            PurchaseModel::BgPoisson {
                lambda: 1.0,
                a: 1.0,
                b: 1.0,
            },
        ] {
            let cold = fit_model_like(&data, &kind).unwrap();
            let warm = fit_model_near(&data, &kind, Some(&bg)).unwrap();
            assert!(
                (cold.log_likelihood - warm.log_likelihood).abs()
                    < 1e-7 * cold.log_likelihood.abs(),
                "{}: {} vs {}",
                kind.key(),
                cold.log_likelihood,
                warm.log_likelihood
            );
            for ((_, c), (_, w)) in cold.model.parameters().iter().zip(warm.model.parameters()) {
                assert!((c - w).abs() < 1e-4 * c.abs(), "{}: {c} vs {w}", kind.key());
            }
        }
    }

    #[test]
    fn limit_gradients_match_finite_differences() {
        let d = sample();
        for p in [[0.7, 12.0], [3.0, 40.0]] {
            assert_gradient(|q, g| d.nbd_log_likelihood(q, g), p);
        }
        for p in [[0.1, 0.8, 2.5], [0.05, 3.0, 0.7]] {
            assert_gradient(|q, g| BgPoissonData::new(&d).log_likelihood(q, g), p);
        }
        for p in [[0.7, 12.0, 0.8, 2.5], [3.0, 40.0, 2.0, 5.0]] {
            assert_gradient(|q, g| d.log_likelihood(q, g), p);
        }
    }

    #[test]
    fn limits_are_the_limits_of_the_bgnbd_likelihood() {
        // r, α → ∞ with r/α = λ: BG/NBD → BG/Poisson; then b → ∞: → Poisson; a → 0: NBD.
        let d = sample();
        let (lambda, a, b) = (0.13, 0.9, 3.1);
        let big = 1e9;
        let bg = d.log_likelihood([big, big / lambda, a, b], None);
        let bgp = BgPoissonData::new(&d).log_likelihood([lambda, a, b], None);
        assert!((bg - bgp).abs() < 1e-6, "{bg} vs {bgp}");
        let (sum_x, sum_t) = d.totals();
        let poisson = sum_x * lambda.ln() - lambda * sum_t;
        let no_dropout = BgPoissonData::new(&d).log_likelihood([lambda, 1e-12, 1.0], None);
        assert!(
            (no_dropout - poisson).abs() < 1e-9,
            "{no_dropout} vs {poisson}"
        );
        let nbd = d.nbd_log_likelihood([0.7, 12.0], None);
        let bg_no_dropout = d.log_likelihood([0.7, 12.0, 1e-13, 1.0], None);
        assert!(
            (nbd - bg_no_dropout).abs() < 1e-9,
            "{nbd} vs {bg_no_dropout}"
        );
    }

    #[test]
    fn bg_poisson_expectation_matches_an_integral_over_the_dropout_probability() {
        // E = E_p[(1 − e^(−y p)) / p] with p ~ Beta(a, b + x): Simpson's rule on [0, 1]
        let (a, b, x) = (2.5, 3.0, 2.0);
        let beta = (b + x, ln_gamma(a) + ln_gamma(b + x) - ln_gamma(a + b + x));
        for &y in &[0.3, 4.0, 40.0] {
            let n = 20_000;
            let h = 1.0 / n as f64;
            let f = |p: f64| {
                if p <= 0.0 {
                    return 0.0; // p^(a−1) = 0 there (a > 1), and (1−e^(−yp))/p → y
                }
                let density = ((a - 1.0) * p.ln() + (beta.0 - 1.0) * (-p).ln_1p() - beta.1).exp();
                -(-y * p).exp_m1() / p * density
            };
            let mut s = f(0.0) + f(1.0);
            for i in 1..n {
                s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
            }
            let integral = s * h / 3.0;
            let got = bg_poisson_alive_expectation(y, a, b, x);
            assert!(
                (got - integral).abs() < 1e-9 * integral,
                "y={y}: {got} vs {integral}"
            );
        }
        // and it is BG/NBD's expectation in the limit r, α → ∞
        let (lambda, a, b) = (0.2, 0.9, 3.1);
        let limit = BgNbdFit::from_params(1e8, 1e8 / lambda, a, b);
        let m = PurchaseModel::BgPoisson { lambda, a, b };
        let mut out = [0.0; 2];
        m.conditional_expected_purchases_many(&[10.0, 90.0], 3.0, 20.0, 30.0, &mut out);
        for (j, h) in [10.0, 90.0].into_iter().enumerate() {
            let e = limit.conditional_expected_purchases(h, 3.0, 20.0, 30.0);
            assert!((out[j] - e).abs() < 1e-5 * e, "{} vs {e}", out[j]);
        }
        assert!((m.p_alive(3.0, 20.0, 30.0) - limit.p_alive(3.0, 20.0, 30.0)).abs() < 1e-6);
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use crate::analysis::forecast::summary::{summarize, TimeUnit};

    #[test]
    #[ignore = "timing only: cargo test --release --lib limits_timing -- --ignored --nocapture"]
    fn limits_timing_breakdown() {
        let mut state = 7u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let customers: Vec<Vec<(i32, f64)>> = (0..1_000_000)
            .map(|_| {
                let mut t = uniform() * 365.0;
                let mut days = Vec::new();
                while t <= 730.0 {
                    days.push((t.floor() as i32, 20.0));
                    t += -uniform().ln() / 0.02;
                }
                days
            })
            .collect();
        let clock = std::time::Instant::now();
        let s: Vec<CustomerSummary> = customers
            .iter()
            .filter_map(|c| summarize(c, 730, TimeUnit::Day))
            .collect();
        eprintln!("summarize {:?}", clock.elapsed());
        let clock = std::time::Instant::now();
        let d = BgNbdData::new(&s).unwrap();
        eprintln!(
            "group {:?} ({} triples)",
            clock.elapsed(),
            d.distinct_triples()
        );
        let clock = std::time::Instant::now();
        let r = crate::analysis::forecast::bgnbd::fit_data(&d);
        eprintln!("bgnbd {:?} {r:?}", clock.elapsed());
        let clock = std::time::Instant::now();
        let r = fit_bg_poisson(&d);
        eprintln!("bg_poisson {:?} {r:?}", clock.elapsed());
        let clock = std::time::Instant::now();
        let r = fit_nbd(&d);
        eprintln!("nbd {:?} {r:?}", clock.elapsed());
        let clock = std::time::Instant::now();
        let m = PurchaseModel::Poisson { lambda: 0.02 };
        let h = crate::analysis::forecast::clv::score_histories(&m, &s, 12, 0.01, TimeUnit::Day);
        eprintln!("score {:?} {}", clock.elapsed(), h.len());
    }
}
