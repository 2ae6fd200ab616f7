//! The analysis in two steps (what the page draws first): the results handed over before the
//! tags, audiences, action plan and growth are made are the final report's sections, those four
//! apart; the notice growth adds comes only with the report.

use memberlens::{AnalysisOptions, Analyzer, FileOptions};
use serde_json::Value;

use crate::support::bytes;

/// The analyzer of the omnichannel trio, and what its analysis in steps gives: the results
/// handed over (as JSON), how often they were, and the final report (as JSON).
fn in_steps(opts: &AnalysisOptions) -> (Value, usize, Value) {
    let mut a = Analyzer::new();
    for n in ["members.csv", "online_orders_gbk.csv", "pos_sales.csv"] {
        a.add_file(n, bytes(n), FileOptions::default())
            .unwrap_or_else(|e| panic!("{n}: {e}"));
    }
    let mut first = Value::Null;
    let mut calls = 0;
    let report = a
        .analyze_in_steps(opts, &mut |r| {
            calls += 1;
            first = serde_json::to_value(r).unwrap();
        })
        .expect("analysis")
        .report
        .clone();
    (first, calls, serde_json::to_value(&report).unwrap())
}

/// The report's keys and values other than tags, audiences, action plan, growth and notices.
fn core(v: &Value) -> serde_json::Map<String, Value> {
    let mut m = v.as_object().unwrap().clone();
    for k in ["tags", "audiences", "action_plan", "growth", "notices"] {
        m.remove(k);
    }
    m
}

fn codes(v: &Value) -> Vec<String> {
    v["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].to_string())
        .collect()
}

#[test]
fn the_first_results_are_the_reports_sections_before_tags_actions_and_growth() {
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = false;
    let (first, calls, report) = in_steps(&opts);
    assert_eq!(calls, 1, "handed over once");
    assert_eq!(core(&first), core(&report));
    assert_eq!(first["notices"], report["notices"]);
    // The report has what the first results left out, and it is not empty.
    assert!(report["tags"]["catalogue"].as_array().unwrap().len() > 1);
    assert!(!report["action_plan"]["actions"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(report["growth"]["ladder"]["all"].as_array().unwrap().len() > 1);
    assert!(report["growth"]["movement"].is_object());
    // The same analysis in one step gives the same report.
    let mut a = Analyzer::new();
    for n in ["members.csv", "online_orders_gbk.csv", "pos_sales.csv"] {
        a.add_file(n, bytes(n), FileOptions::default()).unwrap();
    }
    let once = serde_json::to_value(&a.analyze(&opts).unwrap().report).unwrap();
    assert_eq!(once, report);
}

#[test]
fn the_notice_of_no_movement_comes_with_the_report_and_the_rest_is_the_same() {
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = false;
    opts.compare_date = Some("2000-01-01".into());
    let (first, _, report) = in_steps(&opts);
    assert_eq!(core(&first), core(&report));
    let (before, after) = (codes(&first), codes(&report));
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[..before.len()], before[..]);
    assert!(
        after.last().unwrap().contains("no_buyers_at_compare_date"),
        "{after:?}"
    );
    assert!(report["growth"]["movement"].is_null());
}

#[test]
fn with_forecasts_the_first_results_have_them() {
    let (first, _, report) = in_steps(&AnalysisOptions::default());
    assert!(
        first["forecast"].is_object(),
        "the forecast section is in the first results"
    );
    assert_eq!(core(&first), core(&report));
}
