//! The purchase-model comparison (issue 16, item 2): MBG/NBD and Pareto/NBD beside BG/NBD on
//! CDNOW against lifetimes' published values, on data simulated from each model (parameters
//! recovered within their standard errors, the generating model chosen), the `model`
//! override, and the holdout check per model.

use super::forecast::{calibration_end, cdnow, cdnow_weekly_summaries, day_number, weekly};
use memberlens::analysis::forecast::simulate::Rng;
use memberlens::analysis::forecast::{
    self, limits, mbgnbd, pareto_nbd, CustomerSummary, ForecastSettings, MbgNbdFit, ModelSelection,
    PurchaseModel,
};

fn within(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs()
}

#[test]
fn cdnow_mbgnbd_matches_btydplus_estimates() {
    // lifetimes' test_params_out_is_close_to_BTYDplus: r 0.525, α 6.183, a 0.891, b 1.614
    // (asserted there to 3 decimals) on the same exact-day CDNOW summary.
    let data =
        memberlens::analysis::forecast::bgnbd::BgNbdData::new(&cdnow_weekly_summaries()).unwrap();
    let (f, ll, converged, _) = mbgnbd::fit_data(&data).unwrap();
    assert!(converged, "{f:?}");
    for (got, want) in [(f.r, 0.525), (f.alpha, 6.183), (f.a, 0.891), (f.b, 1.614)] {
        assert!((got - want).abs() < 2e-3 * want.max(1.0), "{f:?}");
    }
    assert!(ll.is_finite() && ll < 0.0);
}

#[test]
fn cdnow_mbgnbd_unconditional_expectation_matches_hardie() {
    // lifetimes' test_expected_purchases_in_period_returns_same_value_Hardie_excel_sheet
    // (rtol 0.05 there): at the BTYDplus estimates
    let f = MbgNbdFit {
        r: 0.525,
        alpha: 6.183,
        a: 0.891,
        b: 1.614,
    };
    let times = [0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00];
    let expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    for (t, e) in times.into_iter().zip(expected) {
        let got = f.expected_purchases_new(t);
        assert!(within(got, e, 0.05), "t={t}: {got} vs {e}");
    }
    // one-time buyers can have dropped out: P(alive) < 1, falling with T
    assert!(f.p_alive(0.0, 1.0, 1.0) < 1.0);
    assert!(f.p_alive(0.0, 0.0, 60.0) < f.p_alive(0.0, 0.0, 6.0));
}

#[test]
fn cdnow_comparison_fits_all_three_and_chooses_the_lowest_aic() {
    let out = forecast::run(&cdnow(), calibration_end(), &weekly()).unwrap();
    let choice = out.purchase.as_ref().unwrap();
    let keys: Vec<&str> = choice.candidates.iter().map(|c| c.key).collect();
    assert_eq!(
        keys,
        [
            "bgnbd",
            "mbgnbd",
            "pareto_nbd",
            "bg_poisson",
            "nbd",
            "poisson"
        ]
    );
    let aic = |k: &str| {
        let c = choice.candidates.iter().find(|c| c.key == k).unwrap();
        c.fit.as_ref().expect("fitted on CDNOW").aic()
    };
    // Pareto/NBD's CDNOW log-likelihood is lifetimes' −9595.0; BG/NBD's −9582.4
    let pareto = choice.candidates[2].fit.as_ref().unwrap();
    assert!((pareto.log_likelihood + 9595.0).abs() < 0.5, "{pareto:?}");
    assert!(within(aic("bgnbd"), 2.0 * 9582.4 + 8.0, 1e-4));
    let chosen = choice.candidates[choice.chosen].key;
    for k in ["bgnbd", "mbgnbd", "pareto_nbd", "nbd", "poisson"] {
        assert!(aic(chosen) <= aic(k), "{chosen} vs {k}");
    }
    for c in &choice.candidates[..3] {
        let se = c
            .standard_errors
            .as_ref()
            .expect("information positive definite");
        assert!(se.iter().all(|s| s.is_finite() && *s > 0.0), "{c:?}");
    }
}

#[test]
fn requested_model_is_used_and_one_time_buyers_age() {
    let customers = cdnow();
    for (selection, key) in [
        (ModelSelection::Bgnbd, "bgnbd"),
        (ModelSelection::Mbgnbd, "mbgnbd"),
        (ModelSelection::Pareto, "pareto_nbd"),
    ] {
        let settings = ForecastSettings {
            model: selection,
            ..weekly()
        };
        let out = forecast::run(&customers, calibration_end(), &settings).unwrap();
        let choice = out.purchase.as_ref().unwrap();
        assert_eq!(choice.chosen_fit().model.key(), key);
        assert_eq!(choice.requested_unavailable(), None);
        // one-time buyers: 1 under BG/NBD; under the others lower for an older purchase
        let one_time: Vec<(f64, f64)> = customers
            .iter()
            .zip(&out.members)
            .filter_map(|(days, m)| {
                let s = forecast::summarize(days, calibration_end(), forecast::TimeUnit::Week)?;
                (s.frequency == 0.0).then(|| (s.t, m.unwrap().p_alive))
            })
            .collect();
        assert!(one_time.len() > 1000);
        let young = one_time
            .iter()
            .fold((f64::MAX, 0.0), |b, &v| if v.0 < b.0 { v } else { b });
        let old = one_time
            .iter()
            .fold((0.0, 0.0), |b, &v| if v.0 > b.0 { v } else { b });
        if key == "bgnbd" {
            assert!(one_time.iter().all(|v| v.1 == 1.0));
        } else {
            assert!(old.1 < young.1 && young.1 < 1.0, "{key}: {young:?} {old:?}");
        }
    }
    assert_eq!(
        ModelSelection::parse("pareto"),
        Some(ModelSelection::Pareto)
    );
    assert_eq!(
        ModelSelection::parse(" MBGNBD "),
        Some(ModelSelection::Mbgnbd)
    );
    assert_eq!(ModelSelection::parse("bg"), None);
}

#[test]
fn holdout_is_checked_for_every_model() {
    let out = forecast::run(
        &cdnow(),
        day_number(1998, 6, 30),
        &ForecastSettings {
            holdout_from: Some(calibration_end()),
            ..weekly()
        },
    )
    .unwrap();
    let h = out.holdout.expect("holdout ran");
    for key in ["bgnbd", "mbgnbd", "pareto_nbd", "nbd", "poisson"] {
        let total = *h.total_predicted_by_model.get(key).expect(key);
        let err = *h.bucket_mean_absolute_error_by_model.get(key).expect(key);
        assert!(total > 0.0 && err.is_finite(), "{key}");
        // the buckets' means agree with the total
        let from_buckets: f64 = h
            .buckets
            .iter()
            .map(|b| b.mean_predicted_by_model.get(key).unwrap() * b.customers as f64)
            .sum();
        assert!((from_buckets - total).abs() < 1e-6 * total, "{key}");
    }
    // the three dropout models predict CDNOW's holdout far better than no dropout
    for key in ["bgnbd", "mbgnbd", "pareto_nbd"] {
        let e = h.bucket_mean_absolute_error_by_model.get(key).unwrap();
        let nbd = h.bucket_mean_absolute_error_by_model.get("nbd").unwrap();
        assert!(e < nbd, "{key} {e} vs nbd {nbd}");
    }
    assert_eq!(
        h.bucket_mean_absolute_error,
        *h.bucket_mean_absolute_error_by_model.get(&h.model).unwrap()
    );
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Generator {
    /// BG/NBD (r, α, a, b): dropout after each repeat purchase.
    Bg([f64; 4]),
    /// MBG/NBD (r, α, a, b): dropout also right after the first purchase.
    Mbg([f64; 4]),
    /// Pareto/NBD (r, α, s, β): exponential lifetime with rate μ ~ Gamma(s, β).
    Pareto([f64; 4]),
}

impl Generator {
    fn key(self) -> &'static str {
        match self {
            Generator::Bg(_) => "bgnbd",
            Generator::Mbg(_) => "mbgnbd",
            Generator::Pareto(_) => "pareto_nbd",
        }
    }

    fn params(self) -> [f64; 4] {
        match self {
            Generator::Bg(p) | Generator::Mbg(p) | Generator::Pareto(p) => p,
        }
    }

    /// `n` customers first buying at time 0 and observed for T ~ U(26, 78) units: their
    /// (x, t_x, T), in continuous time (so the models hold exactly).
    fn simulate(self, n: usize, seed: u64) -> Vec<CustomerSummary> {
        let mut rng = Rng::new(seed);
        let [r, alpha, c, d] = self.params();
        (0..n)
            .map(|_| {
                let big_t = 26.0 + 52.0 * rng.uniform();
                let lambda = rng.gamma(r) / alpha;
                let (mut x, mut t_x, mut t) = (0.0, 0.0, 0.0);
                match self {
                    Generator::Bg(_) | Generator::Mbg(_) => {
                        let p = rng.beta(c, d);
                        let mut alive = !(matches!(self, Generator::Mbg(_)) && rng.uniform() < p);
                        while alive {
                            t += rng.exponential(lambda);
                            if t > big_t {
                                break;
                            }
                            x += 1.0;
                            t_x = t;
                            alive = rng.uniform() >= p;
                        }
                    }
                    Generator::Pareto(_) => {
                        let mu = rng.gamma(c) / d;
                        let end = rng.exponential(mu).min(big_t);
                        loop {
                            t += rng.exponential(lambda);
                            if t > end {
                                break;
                            }
                            x += 1.0;
                            t_x = t;
                        }
                    }
                }
                CustomerSummary {
                    frequency: x,
                    recency: t_x,
                    t: big_t,
                    monetary_value: 0.0,
                }
            })
            .collect()
    }
}

const BG: Generator = Generator::Bg([0.6, 5.0, 0.7, 2.5]);
const MBG: Generator = Generator::Mbg([0.6, 5.0, 0.7, 2.5]);
const PARETO: Generator = Generator::Pareto([0.6, 5.0, 0.7, 25.0]);

#[test]
fn simulated_parameters_are_recovered_within_their_standard_errors() {
    for g in [BG, MBG, PARETO] {
        let s = g.simulate(10_000, 42);
        let choice = limits::choose(&s).unwrap();
        let c = choice.candidates.iter().find(|c| c.key == g.key()).unwrap();
        let fit = c
            .fit
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", g.key()));
        let se = c.standard_errors.as_ref().expect("standard errors");
        let truth: f64 = s.iter().map(|c| truth_log_likelihood(g, c)).sum();
        assert!(
            fit.log_likelihood >= truth,
            "{}: the maximum is below the truth",
            g.key()
        );
        for ((name, est), (want, se)) in
            fit.model.parameters().iter().zip(g.params().iter().zip(se))
        {
            // on the log scale the fit works in (se of ln θ = se / θ by the delta method):
            // a positive shape's sampling distribution is skewed, its log's much less
            assert!(
                (est.ln() - want.ln()).abs() <= 3.0 * se / est,
                "{} {name}: {est} vs {want} (se {se}); LL {} at the estimate, {truth} at the truth",
                g.key(),
                fit.log_likelihood
            );
        }
        if let PurchaseModel::ParetoNbd(p) = fit.model {
            assert!(p.converged, "{p:?}");
        }
    }
}

/// The generating model's log-likelihood of one customer at its true parameters (BG/NBD and
/// MBG/NBD through the library's grouped form, checked against lifetimes' formula in the unit
/// tests; a one-customer data set of a one-time buyer is refused, so pair it and subtract).
fn truth_log_likelihood(g: Generator, c: &CustomerSummary) -> f64 {
    use memberlens::analysis::forecast::bgnbd::BgNbdData;
    match g {
        Generator::Pareto(p) => pareto_nbd::customer_log_likelihood(p, c.frequency, c.recency, c.t),
        Generator::Bg(p) | Generator::Mbg(p) => {
            let other = CustomerSummary {
                frequency: 1.0,
                recency: 1.0,
                t: 2.0,
                monetary_value: 0.0,
            };
            let ll = |d: &BgNbdData| match g {
                Generator::Bg(_) => d.log_likelihood(p, None),
                _ => d.mbg_log_likelihood(p, None),
            };
            ll(&BgNbdData::new(&[*c, other]).unwrap()) - ll(&BgNbdData::new(&[other]).unwrap())
        }
    }
}

#[test]
#[ignore = "diagnostic: cargo test --release --test it pareto_seeds -- --ignored --nocapture"]
fn pareto_seeds() {
    for seed in 40..48u64 {
        let s = PARETO.simulate(10_000, seed);
        let choice = limits::choose(&s).unwrap();
        let c = &choice.candidates[2];
        let truth: f64 = s.iter().map(|c| truth_log_likelihood(PARETO, c)).sum();
        eprintln!(
            "seed {seed}: {:?} se {:?} LL-truth {:?} chosen {}",
            c.fit.as_ref().map(|f| f.model.parameters()),
            c.standard_errors,
            c.fit.as_ref().map(|f| f.log_likelihood - truth),
            choice.candidates[choice.chosen].key
        );
    }
}

#[test]
fn the_comparison_picks_the_generating_model() {
    let seeds = [1u64, 2, 3, 4, 5];
    for g in [BG, MBG, PARETO] {
        let picked: Vec<&str> = seeds
            .iter()
            .map(|&seed| {
                let choice = limits::choose(&g.simulate(6_000, seed)).unwrap();
                choice.candidates[choice.chosen].key
            })
            .collect();
        let right = picked.iter().filter(|&&k| k == g.key()).count();
        assert!(right >= 4, "{}: picked {picked:?}", g.key());
    }
}

#[test]
fn pareto_fit_uses_the_analytic_gradient_and_agrees_with_lifetimes() {
    // lifetimes 0.11.3 ParetoNBDFitter on CDNOW: r 0.5533, α 10.5774, s 0.6061, β 11.6654
    let summaries = cdnow_weekly_summaries();
    let p = pareto_nbd::fit(&summaries).unwrap();
    assert!(p.converged, "{p:?}");
    let published = [
        0.553_264_318_8,
        10.577_443_215,
        0.606_145_037_9,
        11.665_426_639,
    ];
    for (got, want) in [p.r, p.alpha, p.s, p.beta].into_iter().zip(published) {
        // s and β are strongly correlated (se β ≈ 6): 3e-4 of β is 0.0006 standard errors
        assert!(within(got, want, 5e-4), "{p:?}");
    }
    // and our maximum is at least as high as lifetimes' (its optimiser stops at tol 1e-7)
    let at_published: f64 = summaries
        .iter()
        .map(|s| pareto_nbd::customer_log_likelihood(published, s.frequency, s.recency, s.t))
        .sum();
    assert!(
        p.log_likelihood >= at_published - 1e-9,
        "{} vs {at_published}",
        p.log_likelihood
    );
}

#[test]
fn repeat_purchase_counts_compare_actual_with_the_model() {
    let out = forecast::run(&cdnow(), calibration_end(), &weekly()).unwrap();
    let rows = &out.repeat_purchase_counts;
    assert_eq!(rows.len(), forecast::REPEAT_COUNT_LAST + 1);
    // every customer is counted once, actually and (on average) by the model
    assert_eq!(rows.iter().map(|r| r.0).sum::<usize>(), 2357);
    let expected: f64 = rows.iter().map(|r| r.1).sum();
    assert!((expected - 2357.0).abs() < 1e-6, "{expected}");
    // CDNOW: 1,411 customers never bought again; the chosen model expects about as many
    // (FHL 2005, figure 2: the BG/NBD fit tracks the histogram within a few per cent)
    assert_eq!(rows[0].0, 1411);
    for (k, &(actual, expected)) in rows.iter().enumerate() {
        let a = actual as f64;
        assert!(
            (expected - a).abs() < 0.25 * a + 25.0,
            "{k}: {a} vs {expected}"
        );
    }
}

#[test]
fn p_alive_history_follows_the_purchases() {
    let model = PurchaseModel::MbgNbd(MbgNbdFit {
        r: 0.525,
        alpha: 6.183,
        a: 0.891,
        b: 1.614,
    });
    // purchases on days 0, 14 and 30 (twice on day 14), as of day 120, in weeks
    let purchases = [(30, 5.0), (0, 10.0), (14, 3.0), (14, 4.0)];
    let path = forecast::p_alive_history(&model, &purchases, 120, forecast::TimeUnit::Week);
    assert_eq!(path.len(), 121);
    assert_eq!(path[0].0, 0);
    for &(day, p) in &path {
        let x = [0, 14, 30].iter().filter(|&&d| d <= day).count() as f64 - 1.0;
        let last = *[0, 14, 30].iter().filter(|&&d| d <= day).max().unwrap();
        let want = model.p_alive(x, f64::from(last) / 7.0, f64::from(day) / 7.0);
        assert!((p - want).abs() < 1e-15, "day {day}");
    }
    // a purchase lifts it, silence lowers it
    assert!(path[14].1 > path[13].1);
    assert!(path[120].1 < path[31].1);
    assert!(
        forecast::p_alive_history(&model, &[(200, 1.0)], 120, forecast::TimeUnit::Day).is_empty()
    );
    // a model rebuilt from its report key and parameters is the same model
    let rebuilt = PurchaseModel::from_parameters("mbgnbd", &[0.525, 6.183, 0.891, 1.614]);
    assert_eq!(rebuilt, Some(model));
    assert_eq!(PurchaseModel::from_parameters("mbgnbd", &[1.0]), None);
}

#[test]
fn a_members_alive_history_ends_at_their_table_p_alive() {
    use memberlens::members::MemberQuery;
    let a = super::support::trio_analyzer(true);
    let as_of = a.analysis().unwrap().report.as_of.0;
    let q = MemberQuery {
        limit: usize::MAX,
        ..Default::default()
    };
    let (_, rows) = a.query_members(&q).unwrap();
    let (mut repeat, mut once) = (0, 0);
    for m in rows.iter().filter(|m| m.forecast().is_some()) {
        let h = a
            .alive_history(m.index())
            .unwrap()
            .expect("a member with a forecast has a history");
        let first = m.first_purchase().unwrap();
        // every day from the first purchase to as-of, in order
        assert_eq!(h.points.len() as i32, as_of - first + 1);
        assert_eq!(h.points[0].0 .0, first);
        assert_eq!(h.points.last().unwrap().0 .0, as_of);
        assert!(h.points.windows(2).all(|w| w[1].0 .0 == w[0].0 .0 + 1));
        assert_eq!(h.purchase_days.first().unwrap().0, first);
        assert_eq!(
            h.purchase_days.last().unwrap().0,
            m.last_purchase().unwrap()
        );
        assert!(h.purchase_days.windows(2).all(|w| w[0].0 < w[1].0));
        // the path ends where the member table's P(alive) (scored another way) is
        let end = h.points.last().unwrap().1;
        let table = m.forecast().unwrap().p_alive;
        assert!((end - table).abs() < 1e-12, "{end} vs {table}");
        assert!(h.points.iter().all(|&(_, p)| (0.0..=1.0).contains(&p)));
        if h.purchase_days.len() > 1 {
            repeat += 1;
        } else {
            once += 1;
        }
        if repeat >= 40 && once >= 40 {
            break;
        }
    }
    assert!(
        repeat >= 40 && once >= 40,
        "{repeat} repeat, {once} one-time buyers checked"
    );
    // a row past the table is an error; without forecasts there is no path
    assert!(a.alive_history(rows.len() + 5).is_err());
    let plain = super::support::trio_analyzer(false);
    assert_eq!(plain.alive_history(0).unwrap(), None);
}
