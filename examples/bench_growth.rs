//! What growth analytics (issue 12) add to an analysis, measured side by side in one run:
//!
//! ```text
//! cargo run --release --example bench_growth -- [FILE...] [--runs N]
//! ```
//!
//! FILE defaults to `bench-out/orders_1m.csv` (the 1M-order benchmark file of
//! `docs/performance.md`, made by `cargo run --release --example gen_orders`). The files are
//! read once; then, over N runs (default 5; best and median):
//!
//! - the whole analysis (`analysis::run`, growth included), with forecasts and without;
//! - the growth passes alone (`growth::run`) over the same linked population, with a target to
//!   decompose, so their share of the analysis is `growth / (analysis − growth)`.

use std::time::Instant;

use memberlens::analysis::rfm::Scoring;
use memberlens::analysis::{self, dormancy::DormancyMode, AnalysisOptions};
use memberlens::growth::{self, GrowthInputs, MovementInputs, TargetOptions};
use memberlens::ingest::{self, FileOptions};

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2])
}

fn main() {
    let mut files: Vec<String> = Vec::new();
    let mut runs = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--runs" {
            runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs);
        } else {
            files.push(a);
        }
    }
    if files.is_empty() {
        files.push("bench-out/orders_1m.csv".into());
    }
    let t = Instant::now();
    let ingested: Vec<ingest::Ingested> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            ingest::ingest_owned(f, bytes, &FileOptions::default()).expect("ingest")
        })
        .collect();
    println!(
        "read {} file(s) in {:.3} s",
        files.len(),
        t.elapsed().as_secs_f64()
    );
    let refs: Vec<&ingest::Ingested> = ingested.iter().collect();
    let target = TargetOptions {
        conversion_rate: Some(0.03),
        ..TargetOptions::new(5e7)
    };
    let with = AnalysisOptions {
        target: Some(target.clone()),
        ..Default::default()
    };
    let mut without = with.clone();
    without.forecast.enabled = false;

    let (mut full, mut lean, mut alone) = (Vec::new(), Vec::new(), Vec::new());
    let mut report = None;
    for _ in 0..runs {
        let t = Instant::now();
        let a = analysis::run(&refs, &with).expect("analysis");
        full.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        drop(analysis::run(&refs, &without).expect("analysis"));
        lean.push(t.elapsed().as_secs_f64());
        // The growth passes alone, over the population the analysis links.
        let outputs: Vec<&ingest::IngestedFile> = refs.iter().map(|f| &f.output).collect();
        let mut purchases = Vec::new();
        let pop = memberlens::link::build(&outputs, a.report.as_of.0, &mut purchases);
        let t = Instant::now();
        let (g, _) = growth::run(
            &pop,
            &GrowthInputs {
                records: &growth::FromRecords::of(&pop),
                movement: MovementInputs {
                    compare: a.report.as_of.0 - 90,
                    window: None,
                    scoring: &Scoring::Quantile5,
                    dormancy_mode: DormancyMode::Fixed,
                    segs_now: &[],
                    thresholds_now: a.report.dormancy.thresholds,
                },
                inventory: &a.report.inventory,
                mean_first_purchase_value: a.report.action_plan.mean_first_purchase_value,
                forecasts: &[],
                target: Some(&target),
            },
        );
        alone.push(t.elapsed().as_secs_f64());
        report = Some((a.report.inventory.buyers, g.cohorts.len(), g.stores.len()));
    }
    let (f_best, f_med) = stats(full);
    let (l_best, l_med) = stats(lean);
    let (g_best, g_med) = stats(alone);
    if let Some((buyers, cohorts, stores)) = report {
        println!("{buyers} buyers, {cohorts} cohorts, {stores} stores");
    }
    println!("runs: {runs} (best / median, seconds)");
    println!("analysis with forecasts     {f_best:.3} / {f_med:.3}");
    println!("analysis without forecasts  {l_best:.3} / {l_med:.3}");
    println!("growth passes alone         {g_best:.3} / {g_med:.3}");
    println!(
        "growth adds {:.1}% to the analysis with forecasts, {:.1}% without (medians)",
        100.0 * g_med / (f_med - g_med),
        100.0 * g_med / (l_med - g_med)
    );
}
