//! Golden report: the whole report on the fixture trio (members, online and POS exports), with
//! default options and forecasts on, as `memberlens::report::to_json` writes it, against
//! `tests/golden/trio.json`.
//!
//! Every figure is compared exactly, floats included: the engine is deterministic (no clock, no
//! randomness, the same passes in the same order whatever the number of threads; checked on one
//! and on two cores), so any difference is a change in what it computes. One caveat: the
//! forecasts call `ln`/`exp`/`powf`, which come from the platform's libm; the file is made on
//! Linux (glibc), and another libm may differ in the last digits of the `forecast` figures.
//! A failure names the first differing JSON paths with both values. When the change is
//! intended, update the file deliberately:
//!
//! ```text
//! MEMBERLENS_UPDATE_GOLDEN=1 cargo test --release --test it golden
//! git diff tests/golden/trio.json   # review, then commit it with the change that caused it
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use crate::support::analyze;

/// The switch that rewrites the golden file instead of comparing against it.
const UPDATE_VAR: &str = "MEMBERLENS_UPDATE_GOLDEN";

/// Differences listed in a failure message; the rest are counted.
const SHOWN: usize = 12;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn update_requested() -> bool {
    std::env::var_os(UPDATE_VAR).is_some_and(|v| v == "1")
}

/// One place where the golden and the current report differ.
#[derive(Debug, PartialEq)]
struct Difference {
    /// JSON path, e.g. `inventory.revenue` or `files[1].rejected_rows`.
    path: String,
    /// The golden value (`None`: the path is new).
    golden: Option<Value>,
    /// The current value (`None`: the path is gone).
    current: Option<Value>,
}

fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", Value::String(key.to_string())),
    }
}

/// Every path where `golden` and `current` differ, in the golden's key order. Numbers compare by value
/// (`serde_json` reads back exactly the `f64` it wrote), so floats are compared exactly.
fn differences(golden: &Value, current: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk("", golden, current, &mut out);
    out
}

fn walk(path: &str, golden: &Value, current: &Value, out: &mut Vec<Difference>) {
    match (golden, current) {
        (Value::Object(g), Value::Object(c)) => {
            for (k, gv) in g {
                let p = child_path(path, k);
                match c.get(k) {
                    Some(cv) => walk(&p, gv, cv, out),
                    None => out.push(Difference {
                        path: p,
                        golden: Some(gv.clone()),
                        current: None,
                    }),
                }
            }
            for (k, cv) in c.iter().filter(|(k, _)| !g.contains_key(*k)) {
                out.push(Difference {
                    path: child_path(path, k),
                    golden: None,
                    current: Some(cv.clone()),
                });
            }
        }
        (Value::Array(g), Value::Array(c)) => {
            for i in 0..g.len().max(c.len()) {
                let p = format!("{path}[{i}]");
                match (g.get(i), c.get(i)) {
                    (Some(gv), Some(cv)) => walk(&p, gv, cv, out),
                    (gv, cv) => out.push(Difference {
                        path: p,
                        golden: gv.cloned(),
                        current: cv.cloned(),
                    }),
                }
            }
        }
        (g, c) if g == c => {}
        (g, c) => out.push(Difference {
            path: if path.is_empty() {
                "$".into()
            } else {
                path.into()
            },
            golden: Some(g.clone()),
            current: Some(c.clone()),
        }),
    }
}

fn show(v: &Option<Value>) -> String {
    const MAX: usize = 160;
    match v {
        None => "(absent)".to_string(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() <= MAX {
                s
            } else {
                let cut: String = s.chars().take(MAX).collect();
                format!("{cut}… ({} chars)", s.len())
            }
        }
    }
}

/// The differences as a person reads them: the first [`SHOWN`] paths with both values.
fn describe(diffs: &[Difference]) -> String {
    let mut s = String::new();
    for d in diffs.iter().take(SHOWN) {
        let _ = writeln!(
            s,
            "  {}\n      golden:  {}\n      current: {}",
            d.path,
            show(&d.golden),
            show(&d.current)
        );
    }
    if diffs.len() > SHOWN {
        let _ = writeln!(s, "  … and {} more", diffs.len() - SHOWN);
    }
    s
}

/// Compares `current_json` with the golden file `name`, or rewrites the file when
/// [`UPDATE_VAR`]`=1`.
fn check_golden(name: &str, current_json: &str) {
    let path = golden_path(name);
    let current: Value = serde_json::from_str(current_json).expect("the report is JSON");
    let how = format!(
        "If the change is intended, update the golden file with\n    \
         {UPDATE_VAR}=1 cargo test --release --test it golden\n\
         then review `git diff {}` and commit it with the change that caused it.",
        path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&path)
            .display()
    );
    let golden_text = std::fs::read_to_string(&path);
    if update_requested() {
        let before = golden_text
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok());
        std::fs::create_dir_all(path.parent().unwrap()).expect("create tests/golden");
        std::fs::write(&path, format!("{current_json}\n"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        match before {
            Some(before) => {
                let diffs = differences(&before, &current);
                eprintln!(
                    "{UPDATE_VAR}=1: rewrote {} ({} paths changed)\n{}",
                    path.display(),
                    diffs.len(),
                    describe(&diffs)
                );
            }
            None => eprintln!("{UPDATE_VAR}=1: wrote {}", path.display()),
        }
        return;
    }
    let golden_text = golden_text.unwrap_or_else(|e| {
        panic!(
            "cannot read the golden report {}: {e}\nCreate it with\n    \
             {UPDATE_VAR}=1 cargo test --release --test it golden\n\
             then review it and commit it.",
            path.display()
        )
    });
    let golden: Value = serde_json::from_str(&golden_text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}\n{how}", path.display()));
    let diffs = differences(&golden, &current);
    assert!(
        diffs.is_empty(),
        "the report differs from the golden {} at {} path(s):\n{}{how}",
        path.display(),
        diffs.len(),
        describe(&diffs)
    );
}

#[test]
fn golden_trio_report() {
    let a = analyze(&["members.csv", "online_orders_gbk.csv", "pos_sales.csv"]);
    assert!(
        a.report.forecast.is_some(),
        "forecasts are on by default and fit on the trio"
    );
    check_golden("trio.json", &memberlens::report::to_json(&a.report));
}

/// The comparison itself: a changed figure, a new and a gone key, a longer array, each named by
/// its path with both values.
#[test]
fn golden_differences_name_the_paths_and_both_values() {
    let golden = serde_json::json!({
        "inventory": {"revenue": 1781946.44, "buyers": 10},
        "files": [{"name": "a.csv", "rows": 3}],
        "by label": {"门店 A": 1.5},
        "gone": true,
    });
    let mut current = golden.clone();
    current["inventory"]["revenue"] = serde_json::json!(1781946.4400000002);
    current["files"][0]["rows"] = serde_json::json!(4);
    current["files"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "b.csv"}));
    current["by label"]["门店 A"] = serde_json::json!(1.25);
    current.as_object_mut().unwrap().remove("gone");
    current["new"] = serde_json::json!([1]);
    let d = differences(&golden, &current);
    let mut paths: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "[\"by label\"][\"门店 A\"]",
            "files[0].rows",
            "files[1]",
            "gone",
            "inventory.revenue",
            "new"
        ]
    );
    let revenue = d.iter().find(|d| d.path == "inventory.revenue").unwrap();
    assert_eq!(revenue.golden, Some(serde_json::json!(1781946.44)));
    assert_eq!(revenue.current, Some(serde_json::json!(1781946.4400000002)));
    let text = describe(&d);
    assert!(
        text.contains(
            "inventory.revenue\n      golden:  1781946.44\n      current: 1781946.4400000002"
        ),
        "{text}"
    );
    assert!(text.contains("gone\n      golden:  true\n      current: (absent)"));
    assert!(differences(&golden, &golden).is_empty());
}
