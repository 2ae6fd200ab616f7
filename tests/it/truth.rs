//! The fixtures alone and combined give exactly the figures of truth.json.

use serde_json::Value;

use crate::support::{analyze, truth};

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

fn check(case: &str, files: &[&str]) {
    let t = &truth()[case];
    let a = analyze(files);
    let r = serde_json::to_value(&a.report).unwrap();
    let inv = &r["inventory"];
    let f = |v: &Value| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert_eq!(r["as_of"], t["as_of"], "{case} as_of");
    for k in [
        "members_total",
        "buyers",
        "non_buyers",
        "purchase_orders",
        "guest_orders",
    ] {
        if !t[k].is_null() {
            assert_eq!(inv[k], t[k], "{case} {k}");
        }
    }
    for k in ["revenue", "aov", "guest_revenue"] {
        if !t[k].is_null() {
            close(f(&inv[k]), f(&t[k]), 0.01, &format!("{case} {k}"));
        }
    }
    close(
        f(&inv["repurchase_rate"]),
        f(&t["repurchase_rate"]),
        1e-6,
        &format!("{case} repurchase_rate"),
    );
    close(
        f(&inv["return_rate"]),
        f(&t["return_rate_365"]),
        1e-6,
        &format!("{case} return_rate"),
    );
    close(
        f(&inv["median_interpurchase_days"]),
        f(&t["median_interpurchase_days"]),
        1e-9,
        &format!("{case} median gap"),
    );
    for dim in ["recency", "frequency", "monetary"] {
        for k in 0..4 {
            close(
                f(&r["rfm"]["breakpoints"][dim][k]),
                f(&t["rfm"]["breakpoints"][dim][k]),
                1e-6,
                &format!("{case} {dim} b{k}"),
            );
        }
    }
    for (k, v) in [("r", "r"), ("f", "f"), ("m", "m")] {
        close(
            f(&r["rfm"]["score_means"][k]),
            f(&t["rfm"]["score_means"][v]),
            1e-9,
            &format!("{case} mean {k}"),
        );
    }
    for (seg, n) in t["rfm"]["segments"].as_object().unwrap() {
        assert_eq!(
            &r["rfm"]["segments"][seg]["members"], n,
            "{case} segment {seg}"
        );
    }
    for (tier, n) in t["dormancy"].as_object().unwrap() {
        assert_eq!(&r["dormancy"]["buyers"][tier], n, "{case} tier {tier}");
    }
    for file in r["files"].as_array().unwrap() {
        let rows = file["rows"].as_u64().unwrap();
        let sum = file["accepted"].as_u64().unwrap()
            + file["duplicate_rows"].as_u64().unwrap()
            + file["rejected_rows"].as_u64().unwrap();
        assert_eq!(rows, sum, "{case} {} accounting", file["name"]);
    }
}

#[test]
fn online_export_alone() {
    check("online", &["online_orders_gbk.csv"]);
    let a = analyze(&["online_orders_gbk.csv"]);
    let t = &truth()["online"];
    let file = &a.report.files[0];
    assert_eq!(file.encoding, "gb18030");
    assert_eq!(file.rows as u64, t["rows"].as_u64().unwrap());
    assert_eq!(
        file.rejected_rows as u64,
        t["rejected_rows"].as_u64().unwrap()
    );
}

#[test]
fn pos_export_alone() {
    check("pos", &["pos_sales.csv"]);
    let a = analyze(&["pos_sales.csv"]);
    let t = &truth()["pos"];
    let file = &a.report.files[0];
    assert_eq!(file.rows as u64, t["rows"].as_u64().unwrap());
    assert_eq!(
        file.duplicate_rows as u64,
        t["duplicate_rows"].as_u64().unwrap()
    );
    assert_eq!(
        file.rejected_rows as u64,
        t["rejected_rows"].as_u64().unwrap()
    );
    assert_eq!(file.return_rows as u64, t["return_rows"].as_u64().unwrap());
}

#[test]
fn shop_export_alone() {
    check("shop", &["shop_orders_en.csv"]);
}

#[test]
fn omnichannel_members_online_pos() {
    let files = ["members.csv", "online_orders_gbk.csv", "pos_sales.csv"];
    check("omnichannel", &files);
    let a = analyze(&files);
    let t = &truth()["omnichannel"];
    assert_eq!(
        a.report.inventory.members_in_member_file as u64,
        t["members_in_member_file"].as_u64().unwrap()
    );
    let src = |label: &str| {
        a.report
            .sources
            .iter()
            .find(|s| s.label == label)
            .unwrap()
            .buyers as u64
    };
    assert_eq!(
        src("online_orders_gbk.csv"),
        t["online_buyers"].as_u64().unwrap()
    );
    assert_eq!(src("pos_sales.csv"), t["offline_buyers"].as_u64().unwrap());
    assert_eq!(
        a.report.source_overlap[0].buyers as u64,
        t["both_channels_buyers"].as_u64().unwrap()
    );
}
