//! Forecast benchmark: 1,000,000 synthetic customers (examples/common/forecast_sim.rs, an
//! MBG/NBD + Gamma-Gamma process) summarised, fitted and scored; the summary goes to a CSV that
//! scripts/bench_forecast.py fits with lifetimes for the comparison.
//!
//! `cargo run --release --example bench_forecast -- [customers] [out-dir]`

use memberlens::analysis::forecast::{
    bgnbd, clv, gamma_gamma, limits, summarize, CustomerSummary, PurchaseModel, TimeUnit,
};
use std::fmt::Write as _;
use std::time::Instant;

#[path = "common/args.rs"]
mod args;
#[path = "common/forecast_sim.rs"]
mod forecast_sim;
use forecast_sim::AS_OF;

/// Each customer's purchases as (day, spend) (examples/common/forecast_sim.rs).
fn simulate(n: usize) -> Vec<Vec<(i32, f64)>> {
    let mut customers: Vec<Vec<(i32, f64)>> = vec![Vec::new(); n];
    forecast_sim::simulate(n, |c, day, spend| customers[c].push((day, spend)));
    customers
}

/// The model of a candidate (its fit, or a placeholder of its kind) for timing its fit alone.
fn kind_of(c: &limits::Candidate) -> PurchaseModel {
    match (&c.fit, c.key) {
        (Ok(f), _) => f.model,
        (Err(_), "bg_poisson") => PurchaseModel::BgPoisson {
            lambda: 1.0,
            a: 1.0,
            b: 1.0,
        },
        (Err(_), "nbd") => PurchaseModel::Nbd { r: 1.0, alpha: 1.0 },
        (Err(_), "mbgnbd") => PurchaseModel::MbgNbd(memberlens::analysis::forecast::MbgNbdFit {
            r: 1.0,
            alpha: 1.0,
            a: 1.0,
            b: 1.0,
        }),
        (Err(_), "pareto_nbd") => PurchaseModel::ParetoNbd(
            memberlens::analysis::forecast::ParetoNbdFit::from_params(1.0, 1.0, 1.0, 1.0),
        ),
        _ => PurchaseModel::BgNbd(bgnbd::BgNbdFit::from_params(1.0, 1.0, 1.0, 1.0)),
    }
}

/// CPU seconds of this process so far, all threads (Linux; 0 elsewhere): the comparison runs
/// its fits on threads natively, the page's Wasm build in one, so its CPU time is what the
/// page would spend.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // fields after the command name (which may hold spaces) in parentheses: utime is the
    // 12th, stime the 13th, in clock ticks (100 per second on Linux)
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> std::io::Result<()> {
    let n = args::count(1_000_000) as usize;
    let out_dir = args::out_dir("bench-out")?;

    let t = Instant::now();
    let customers = simulate(n);
    println!(
        "simulate      {:>9.3} s  ({n} customers)",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let summaries: Vec<CustomerSummary> = customers
        .iter()
        .filter_map(|c| summarize(c, AS_OF, TimeUnit::Day))
        .collect();
    let t_summarize = t.elapsed().as_secs_f64();
    println!("summarize     {t_summarize:>9.3} s");

    let mut csv = String::with_capacity(n * 32);
    csv.push_str("frequency,recency,T,monetary_value\n");
    for s in &summaries {
        let _ = writeln!(
            csv,
            "{},{},{},{}",
            s.frequency, s.recency, s.t, s.monetary_value
        );
    }
    std::fs::write(out_dir.join("summary.csv"), csv)?;

    let t = Instant::now();
    let data = bgnbd::BgNbdData::new(&summaries).map_err(std::io::Error::other)?;
    let t_group = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cpu = cpu_seconds();
    let bg = bgnbd::fit_data(&data).map_err(std::io::Error::other)?;
    let t_bg = t.elapsed().as_secs_f64();
    let cpu_bg = cpu_seconds() - cpu;
    println!(
        "bgnbd fit     {:>9.3} s  (+{t_group:.3} s grouping into {} triples) r={:.6} alpha={:.6} a={:.6} b={:.6} ll={:.3} converged={} iterations={}",
        t_bg,
        data.distinct_triples(),
        bg.r,
        bg.alpha,
        bg.a,
        bg.b,
        bg.log_likelihood,
        bg.converged,
        bg.iterations
    );

    let t = Instant::now();
    let gg = gamma_gamma::fit(&summaries).map_err(std::io::Error::other)?;
    let t_gg = t.elapsed().as_secs_f64();
    println!(
        "gamma-gamma   {:>9.3} s  p={:.6} q={:.6} gamma={:.6} customers={} converged={}",
        t_gg, gg.p, gg.q, gg.gamma, gg.customers, gg.converged
    );

    // Scoring: history-dependent quantities once per distinct (x, t_x, T), as `run` does.
    let t = Instant::now();
    let cpu = cpu_seconds();
    let histories = clv::score_histories(
        &memberlens::analysis::forecast::PurchaseModel::BgNbd(bg),
        &summaries,
        12,
        0.01,
        TimeUnit::Day,
    );
    let scores: Vec<[f64; 6]> = summaries
        .iter()
        .zip(&histories)
        .map(|(s, h)| {
            let spend = gg.conditional_expected_average_profit(s.frequency, s.monetary_value);
            let e = h.expected_purchases;
            [
                h.p_alive,
                e[0],
                e[1],
                e[2],
                spend,
                spend * h.discounted_purchases,
            ]
        })
        .collect();
    let t_score = t.elapsed().as_secs_f64();
    let cpu_score = cpu_seconds() - cpu;
    println!("score         {t_score:>9.3} s");

    // The same without the per-history cache, for an honest per-customer cost.
    let t = Instant::now();
    let mut check = 0.0;
    for s in summaries.iter().take(100_000) {
        let (x, tx, tt) = (s.frequency, s.recency, s.t);
        check += bg.p_alive(x, tx, tt)
            + bg.conditional_expected_purchases(30.0, x, tx, tt)
            + bg.conditional_expected_purchases(90.0, x, tx, tt)
            + bg.conditional_expected_purchases(365.0, x, tx, tt)
            + clv::customer_lifetime_value(
                &bg,
                gg.conditional_expected_average_profit(x, s.monetary_value),
                x,
                tx,
                tt,
                12,
                0.01,
                TimeUnit::Day,
            );
    }
    let per_customer = t.elapsed().as_secs_f64() / summaries.len().min(100_000) as f64;
    println!(
        "score/uncached {:>8.3} µs per customer (checksum {check:.3})",
        per_customer * 1e6
    );

    let total = t_summarize + t_group + t_bg + t_gg + t_score;
    println!(
        "TOTAL rust (summarize+fit+score) {total:.3} s; fit+score from summaries {:.3} s",
        total - t_summarize
    );

    // Issue 16: the model comparison (BG/NBD, MBG/NBD, Pareto/NBD and BG/NBD's three limits,
    // each with its covariance) and the scoring under the chosen model, beside the
    // single-model path above (BG/NBD fit + scoring, the same grouping and Gamma-Gamma).
    let t = Instant::now();
    let cpu = cpu_seconds();
    let choice =
        limits::choose_data(&data, limits::ModelSelection::Auto).map_err(std::io::Error::other)?;
    let t_compare = t.elapsed().as_secs_f64();
    let cpu_compare = cpu_seconds() - cpu;
    for c in &choice.candidates {
        let started = Instant::now();
        let _ = limits::fit_model_like(&data, &kind_of(c));
        let fit_alone = started.elapsed().as_secs_f64();
        let started = Instant::now();
        if let Ok(f) = &c.fit {
            let _ = limits::model_covariance(&data, &f.model);
        }
        println!(
            "  {:<11} {:>8.3} s fit alone, {:.3} s observed information{}  {}",
            c.key,
            fit_alone,
            started.elapsed().as_secs_f64(),
            if c.bootstrapped {
                " (singular: bootstrapped)"
            } else {
                ""
            },
            match &c.fit {
                Ok(f) => format!(
                    "LL={:.3} AIC={:.3} params={:?}",
                    f.log_likelihood,
                    f.aic(),
                    f.model.parameters()
                ),
                Err(e) => format!("no estimate: {e}"),
            }
        );
    }
    let chosen = choice.chosen_fit().model;
    let t = Instant::now();
    let histories = clv::score_histories(&chosen, &summaries, 12, 0.01, TimeUnit::Day);
    let t_score_chosen = t.elapsed().as_secs_f64();
    let single = t_bg + t_score;
    let compared = t_compare + t_score_chosen;
    println!(
        "compare       {t_compare:>9.3} s  (6 models with covariances; chosen {}), score {t_score_chosen:.3} s ({} members)",
        chosen.key(),
        histories.len()
    );
    println!(
        "SINGLE (bgnbd fit + score) {single:.3} s | COMPARISON (compare + score) {compared:.3} s | ratio {:.2}x",
        compared / single
    );
    // CPU time: what one thread (the page's Wasm build) spends; the scoring is the same work
    // under either model, so the single path's scoring CPU stands for both
    let (cpu_single, cpu_compared) = (cpu_bg + cpu_score, cpu_compare + cpu_score);
    println!(
        "CPU: SINGLE {cpu_single:.2} s | COMPARISON {cpu_compared:.2} s | ratio {:.2}x (one thread, as in the page)",
        cpu_compared / cpu_single
    );

    let mut s = String::with_capacity(summaries.len() * 80);
    s.push_str("p_alive,e30,e90,e365,expected_spend,clv\n");
    for v in &scores {
        let _ = writeln!(s, "{},{},{},{},{},{}", v[0], v[1], v[2], v[3], v[4], v[5]);
    }
    std::fs::write(out_dir.join("rust_scores.csv"), s)?;
    std::fs::write(
        out_dir.join("rust_result.txt"),
        format!(
            "r={}\nalpha={}\na={}\nb={}\np={}\nq={}\nv={}\nseconds={}\n",
            bg.r,
            bg.alpha,
            bg.a,
            bg.b,
            gg.p,
            gg.q,
            gg.gamma,
            total - t_summarize
        ),
    )?;
    Ok(())
}
