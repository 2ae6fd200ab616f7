//! Times tags and audiences (issue 10) over a large member table:
//!
//! ```text
//! cargo run --release --example bench_rules -- [FILE...] [--runs N] [--json]
//! ```
//!
//! FILE defaults to `bench-out/members_1m/members.csv bench-out/members_1m/orders.csv` (made by
//! `cargo run --release --example gen_members -- 1000000 bench-out/members_1m`). The files are
//! analysed once without forecasts, then, each timed over N runs (default 7; best and median):
//!
//! - **tags, all**: `set_catalogue(None)` (drops the made tags) then `tag_summary()`: the
//!   default catalogue's tags made from the member table and every tag counted; and
//!   `tag_summary()` once more, the tags kept;
//! - the same in two parts, `Catalogue::make` and `Tags::counts`, and per group (a catalogue of
//!   that one group made and counted), to see which group costs what;
//! - each of [`RULES`] through `count_rule` (its count and time);
//! - an **audience recount**: [`AUDIENCE`], one rule of tags and fields, through `count_rule`;
//! - `audiences()` with the four [`AUDIENCES`]: their sizes and overlap.
//!
//! `--json` also prints one line `BENCH_JSON {...}` with every figure (read by
//! `scripts/bench_tags_browser.mjs`, which runs the same rules in headless Chromium).

use std::time::Instant;

use memberlens::tags::{AudienceDef, Catalogue, Tags};
use memberlens::{AnalysisOptions, Analyzer, FileOptions};
use serde_json::{json, Value};

/// Twenty custom rules: fields of every kind (numbers, dates, keys, texts, yes/no), `has` on
/// ASCII and Chinese text, `in`, `between`, emptiness, and tags of each kind of group.
const RULES: &[&str] = &[
    "recency_days <= 30 and monetary >= 1000",
    "frequency >= 3",
    "frequency >= 2 and recency_days between 31 and 180",
    r#"tag("重要价值客户")"#,
    r#"segment in ("important_value", "important_keep", "important_develop")"#,
    r#"dormancy = "near_sleep" or dormancy = "dormant""#,
    r#"lifecycle = "growth" and monetary > 200"#,
    r#"last_purchase >= "2024-01-01""#,
    "r_score >= 4 and f_score >= 4 and m_score >= 4",
    r#"phone has "138""#,
    r#"region in ("广东省", "浙江省", "江苏省", "上海市") and tier in ("金卡会员", "铂金会员", "钻石会员")"#,
    "tier is empty or not in_member_file",
    r#"gender = "女" and age between 25 and 35"#,
    r#"first_purchase < "2022-01-01" and recency_days < 90"#,
    "personal_cycle_days <= 30",
    r#"segment_ten in ("Champions", "Loyal Customers") and repurchase_status = "due""#,
    r#"favourite_category = "护肤" and preferred_channel = "门店""#,
    r#"tag("有导购（可企微1v1）") and tag("超过365天未消费")"#,
    r#"store has "上海" and registered_at >= "2024-01-01""#,
    r#"tag("monthly_spend_band.4") or tag("消费5次及以上")"#,
];

/// One audience recount: the rule an audience editor re-counts on each change.
const AUDIENCE: &str = r#"(tag("重要价值客户") or tag("重要保持客户")) and recency_days <= 90 or tag("消费5次及以上") and tag("有导购（可企微1v1）") and region in ("广东省", "浙江省")"#;

/// Four audiences for `audiences()` (sizes, revenue, reach and overlap).
const AUDIENCES: &[(&str, &str)] = &[
    (
        "高价值活跃",
        r#"(tag("重要价值客户") or tag("重要保持客户")) and recency_days <= 90"#,
    ),
    (
        "沉睡唤醒",
        r#"(tag("接近睡眠会员") or tag("休眠会员")) and monetary >= 300"#,
    ),
    (
        "导购私聊",
        r#"tag("有导购（可企微1v1）") and frequency >= 2"#,
    ),
    (
        "新客培育",
        r#"tag("引入期") or registered_at >= "2024-03-01" and frequency = 0"#,
    ),
];

/// Times `f` `runs` times: (sorted times in ms, last result).
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::with_capacity(runs);
    let mut out = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        out = Some(f());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times, out.expect("one run at least"))
}

fn best(t: &[f64]) -> f64 {
    t[0]
}

fn median(t: &[f64]) -> f64 {
    t[t.len() / 2]
}

fn fig(t: &[f64]) -> serde_json::Value {
    json!({ "best": best(t), "median": median(t) })
}

/// Peak resident memory of this process (VmHWM), MB.
fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 7usize;
    if let Some(i) = args.iter().position(|a| a == "--runs") {
        runs = args
            .get(i + 1)
            .and_then(|s| s.parse().ok())
            .expect("--runs N");
        args.drain(i..i + 2);
    }
    let json_out = args.iter().any(|a| a == "--json");
    args.retain(|a| a != "--json");
    let files = if args.is_empty() {
        vec![
            "bench-out/members_1m/members.csv".to_string(),
            "bench-out/members_1m/orders.csv".to_string(),
        ]
    } else {
        args
    };

    let mut a = Analyzer::new();
    a.set_keep_bytes(false);
    let t = Instant::now();
    let mut bytes_total = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        bytes_total += bytes.len();
        let name = std::path::Path::new(file)
            .file_name()
            .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
        a.add_file(&name, bytes, FileOptions::default())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let read_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = false;
    let t = Instant::now();
    let members = a.analyze(&opts).expect("analysis").members.len();
    let analyze_ms = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "{members} members from {} ({:.1} MB): read {read_ms:.0} ms, analysed (no forecast) in {analyze_ms:.0} ms; {runs} runs each, best / median",
        files.join(" "),
        bytes_total as f64 / 1e6
    );

    // All tags made and counted, as the page asks for them. (With the tags made by `analyze`,
    // `set_catalogue` makes them again and `tag_summary` reads them: the same work.)
    let (tags_all, _) = timed(runs, || {
        a.set_catalogue(None).expect("default catalogue");
        a.tag_summary().expect("tag summary").len()
    });
    // The summary asked for again, the tags kept: what a second call costs (the counts, when
    // the summary is computed on each call).
    let (again_t, _) = timed(runs, || a.tag_summary().expect("tag summary").len());
    // Read as the page gets it (JSON), so the figures do not depend on the summary's Rust type.
    let summary = serde_json::to_value(a.tag_summary().expect("tag summary")).expect("json");
    let groups: Vec<&Value> = list(&summary)
        .iter()
        .flat_map(|c| list(&c["groups"]))
        .collect();
    let n_tags: usize = groups.iter().map(|g| list(&g["tags"]).len()).sum();
    let unavailable: Vec<&str> = groups
        .iter()
        .filter(|g| !g["unavailable_en"].is_null())
        .filter_map(|g| g["key"].as_str())
        .collect();
    println!(
        "tags, all (set_catalogue(None) + tag_summary): {:8.1} / {:8.1} ms  {n_tags} tags in {} groups; without input: {}",
        best(&tags_all),
        median(&tags_all),
        groups.len(),
        if unavailable.is_empty() { "none".to_string() } else { unavailable.join(", ") }
    );
    println!(
        "  tag_summary() again, tags kept:           {:8.1} / {:8.1} ms",
        best(&again_t),
        median(&again_t)
    );

    // The same in two parts, and per group (a catalogue of that one group).
    let table = &a.analysis().expect("analysed").members;
    let (make_t, tags) = timed(runs, || Catalogue::default_catalogue().make(table).made());
    let (count_t, counts) = timed(runs, || tags.counts(table));
    println!(
        "  of which Catalogue::make {:8.1} / {:8.1} ms, Tags::counts {:8.1} / {:8.1} ms",
        best(&make_t),
        median(&make_t),
        best(&count_t),
        median(&count_t)
    );
    let scheme: Value = serde_json::from_str(&a.catalogue_json()).expect("catalogue json");
    let mut per_group = Vec::new();
    println!("  per group (a catalogue of that group alone; median):");
    for c in list(&scheme["categories"]) {
        for g in list(&c["groups"]) {
            let mut one = scheme.clone();
            let mut cat = c.clone();
            cat["groups"] = json!([g]);
            one["categories"] = json!([cat]);
            if one.get("audiences").is_some() {
                one["audiences"] = json!([]);
            }
            let one = Catalogue::from_json(&one.to_string()).expect("one group");
            let (mk, t1) = timed(runs.min(5), || one.clone().make(table).made());
            let (ct, _) = timed(runs.min(5), || t1.counts(table));
            let (key, kind) = (
                g["key"].as_str().unwrap_or(""),
                g["kind"].as_str().unwrap_or(""),
            );
            println!(
                "    {key:<20} {kind:<6} {:>5} tags  make {:7.1} ms  count {:7.1} ms",
                t1.tags.len(),
                median(&mk),
                median(&ct)
            );
            per_group.push(json!({
                "group": key, "kind": kind, "tags": t1.tags.len(),
                "make": fig(&mk), "count": fig(&ct),
            }));
        }
    }
    let largest = counts.iter().max().copied().unwrap_or(0);

    // The twenty rules, each counted over every member.
    let mut rules_out = Vec::new();
    let mut sum = 0.0;
    for rule in RULES {
        let (t, n) = timed(runs, || {
            a.count_rule(rule).unwrap_or_else(|e| panic!("{rule}: {e}"))
        });
        println!(
            "{n:>9} members  {:8.1} / {:8.1} ms  {rule}",
            best(&t),
            median(&t)
        );
        sum += median(&t);
        rules_out.push(json!({ "rule": rule, "members": n, "time": fig(&t) }));
    }
    println!("all {} rules: {sum:.0} ms (sum of medians)", RULES.len());

    // One audience recount.
    let (rec_t, rec_n) = timed(runs, || a.count_rule(AUDIENCE).expect("audience rule"));
    println!(
        "audience recount (count_rule): {:8.1} / {:8.1} ms  {rec_n} members  {AUDIENCE}",
        best(&rec_t),
        median(&rec_t)
    );

    // Four audiences with their overlap.
    let defs: Vec<AudienceDef> = AUDIENCES
        .iter()
        .map(|(name, rule)| AudienceDef {
            name: name.to_string(),
            rule: rule.to_string(),
        })
        .collect();
    let (aud_t, report) = timed(runs, || a.audiences(&defs).expect("audiences"));
    println!(
        "audiences() x{} with overlap: {:8.1} / {:8.1} ms",
        defs.len(),
        best(&aud_t),
        median(&aud_t)
    );
    // `{ audiences, overlap }`, or a list of audiences each with its `overlap` row.
    let report = serde_json::to_value(report).expect("json");
    let (stats, overlap): (Vec<Value>, Vec<Value>) = match report.as_array() {
        Some(list) => (
            list.clone(),
            list.iter().map(|s| s["overlap"].clone()).collect(),
        ),
        None => (
            list(&report["audiences"]).to_vec(),
            list(&report["overlap"]).to_vec(),
        ),
    };
    for (s, row) in stats.iter().zip(&overlap) {
        let pct = |k: &str| s[k].as_f64().unwrap_or(0.0) * 100.0;
        println!(
            "    {:<8} {:>8} members ({:5.1}%), revenue {:5.1}%, phone {:>8}, guide {:>8}; overlap {row}  {}",
            s["name"].as_str().unwrap_or(""),
            s["members"],
            pct("share"),
            pct("revenue_share"),
            s["with_phone"],
            s["with_guide"],
            s["rule"].as_str().unwrap_or("")
        );
    }
    let peak = peak_rss_mb();
    if let Some(p) = peak {
        println!("peak RSS {p:.0} MB (largest tag: {largest} members)");
    }
    if json_out {
        let out = json!({
            "files": files, "members": members, "runs": runs,
            "read_ms": read_ms, "analyze_ms": analyze_ms,
            "tags": { "count": n_tags, "groups": groups.len(), "unavailable": unavailable,
                      "all": fig(&tags_all), "again": fig(&again_t), "make": fig(&make_t), "counts": fig(&count_t),
                      "per_group": per_group },
            "rules": rules_out,
            "recount": { "rule": AUDIENCE, "members": rec_n, "time": fig(&rec_t) },
            "audiences": { "time": fig(&aud_t), "defs": defs,
                           "sizes": stats.iter().map(|s| s["members"].clone()).collect::<Vec<_>>(),
                           "overlap": overlap },
            "peak_rss_mb": peak,
        });
        println!("BENCH_JSON {out}");
    }
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// `Catalogue::make` gives the tags, or (in earlier versions) a `Result` of them.
trait Made {
    fn made(self) -> Tags;
}

impl Made for Tags {
    fn made(self) -> Tags {
        self
    }
}

impl<E: std::fmt::Debug> Made for Result<Tags, E> {
    fn made(self) -> Tags {
        self.expect("catalogue")
    }
}
