//! Times the rule language over a large member table: `cargo run --release --example
//! bench_rules -- FILE.csv [RUNS]` (default `bench-out/orders_1m.csv`, made by `gen_orders`).
//! Prints the members, each rule's count and its best and median time over the runs, and the
//! time of all rules together (an audience recount is one rule over every member).

use std::time::Instant;

use memberlens::tags::{Catalogue, NoTags, Rule};
use memberlens::{AnalysisOptions, Analyzer, FileOptions};

const RULES: &[&str] = &[
    "recency_days <= 30 and monetary >= 1000",
    "frequency >= 3",
    "frequency >= 2 and recency_days between 31 and 180",
    r#"source has "orders" and not source has "pos""#,
    r#"segment in ("important_value", "important_keep", "important_develop")"#,
    r#"dormancy = "near_sleep" or dormancy = "dormant""#,
    r#"lifecycle = "growth" and monetary > 200"#,
    r#"last_purchase >= "2023-01-01""#,
    "r_score >= 4 and f_score >= 4 and m_score >= 4",
    r#"phone has "138""#,
    "not (frequency = 1) and monetary between 100 and 5000",
    "tier is empty and not in_member_file",
    r#"first_purchase < "2022-01-01" and recency_days < 90"#,
    "personal_cycle_days <= 30",
    r#"repurchase_status = "due""#,
    "monetary >= 500 or frequency >= 5",
    r#"segment_ten = "Champions" or segment_ten = "Loyal Customers""#,
    "recency_days > 365",
    r#"name is not empty or email is not empty"#,
    r#"sources has "csv" and frequency >= 1 and monetary > 0"#,
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args
        .get(1)
        .cloned()
        .unwrap_or("bench-out/orders_1m.csv".into());
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut a = Analyzer::new();
    a.add_file(&file, bytes, FileOptions::default())
        .expect("ingest");
    let opts = AnalysisOptions {
        forecast: memberlens::analysis::forecast_bridge::ForecastOptions {
            enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let analysis = a.analyze(&opts).expect("analysis");
    let members = &analysis.members;
    println!("{} members from {file}", members.len());
    let rules: Vec<Rule> = RULES
        .iter()
        .map(|r| Rule::compile(r, &NoTags).unwrap_or_else(|e| panic!("{r}: {e}")))
        .collect();
    let mut all = Vec::new();
    for (rule, text) in rules.iter().zip(RULES) {
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..runs {
            let t = Instant::now();
            count = rule.count(members, &NoTags);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:>9} members  best {:7.1} ms  median {:7.1} ms  {text}",
            count,
            times[0],
            times[times.len() / 2]
        );
        all.push(times[times.len() / 2]);
    }
    println!(
        "all {} rules: {:.0} ms (sum of medians); slowest rule {:.1} ms",
        RULES.len(),
        all.iter().sum::<f64>(),
        all.iter().cloned().fold(0.0, f64::max)
    );
    // The shipped tag catalogue: made (values and bands read off the members) and counted.
    let t = Instant::now();
    let tags = Catalogue::default_catalogue()
        .make(members)
        .expect("catalogue");
    let made = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let counts = tags.counts(members);
    println!(
        "tag catalogue: {} tags made in {made:.0} ms, counted in {:.0} ms (the largest has {} members)",
        tags.tags.len(),
        t.elapsed().as_secs_f64() * 1e3,
        counts.iter().max().copied().unwrap_or(0)
    );
}
