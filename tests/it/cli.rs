//! The `memberlens` CLI as a user runs it: exit codes, messages, report and member export.
// The binary exists only with the `cli` feature (on by default).
#![cfg(feature = "cli")]

use std::process::Command;

use crate::support::fixture;

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(args)
        .output()
        .expect("run memberlens");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn json_report_on_the_omnichannel_trio() {
    let (code, out, _) = cli(&[
        "analyze",
        &path("members.csv"),
        &path("online_orders_gbk.csv"),
        &path("pos_sales.csv"),
        "--no-forecast",
    ]);
    assert_eq!(code, 0);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["report_version"], "1.0");
    assert_eq!(r["inventory"]["members_total"], 5772);
    assert_eq!(r["source_overlap"][0]["buyers"], 589);
}

/// The report as the CLI prints it, its files read whole or in 4 MiB pieces.
fn report_read(way: &str, files: &[&str]) -> String {
    let mut args = vec!["analyze".to_string()];
    args.extend(files.iter().map(|f| path(f)));
    args.push("--no-forecast".into());
    let out = Command::new(env!("CARGO_BIN_EXE_memberlens"))
        .args(&args)
        .env("MEMBERLENS_READ", way)
        .output()
        .expect("run memberlens");
    assert_eq!(out.status.code(), Some(0), "{way}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn files_read_whole_and_in_pieces_give_the_same_report() {
    // A GBK export (read in pieces, decoded as they come), a member table (gathered whole by
    // the engine) and UTF-8 orders.
    let files = [
        "members.csv",
        "online_orders_gbk.csv",
        "pos_sales.csv",
        "shop_orders_en.csv",
    ];
    let whole = report_read("whole", &files);
    assert!(whole.contains("\"members_total\""));
    assert_eq!(whole, report_read("pieces", &files));
}

#[test]
fn text_summary_and_member_export() {
    let dir = std::env::temp_dir().join(format!("memberlens-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("members.csv");
    let xlsx = dir.join("members.xlsx");
    let (code, out, _) = cli(&[
        "analyze",
        &path("pos_sales.csv"),
        "--format",
        "text",
        "--no-forecast",
        "--members-out",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("会员总数") && out.contains("重要价值客户"),
        "{out}"
    );
    // The figures are defined as on the page and in the report: from the glossary.
    let aov = memberlens::report::glossary::term("metric.aov").unwrap();
    assert!(
        out.contains(&aov.definition_zh) && out.contains(&aov.definition_en),
        "{out}"
    );
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert_eq!(String::from_utf8(bytes).unwrap().lines().count(), 2376 + 1);
    let (code, _, _) = cli(&[
        "analyze",
        &path("pos_sales.csv"),
        "--no-forecast",
        "--members-out",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn options_change_the_analysis() {
    let (_, out, _) = cli(&[
        "analyze",
        &path("pos_sales.csv"),
        "--no-forecast",
        "--as-of",
        "2023-12-31",
        "--rfm-thresholds",
        "r=30,60,90,180;f=1,2,3,5;m=100,200,500,1000",
        "--dormancy",
        "cycle",
    ]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["as_of"], "2023-12-31");
    assert_eq!(r["as_of_source"], "user");
    assert_eq!(
        r["rfm"]["breakpoints"]["recency"],
        serde_json::json!([30.0, 60.0, 90.0, 180.0])
    );
    assert_eq!(r["dormancy"]["mode"], "cycle");
    assert!(r["files"][0]["after_as_of_rows"].as_u64().unwrap() > 0);
    let (_, out, _) = cli(&[
        "analyze",
        &path("online_orders_gbk.csv"),
        "--no-forecast",
        "--column",
        "退款金额=ignore",
    ]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        r["inventory"]["revenue"].as_f64().unwrap() > 1781946.44 + 1.0,
        "refunds no longer subtracted"
    );
}

#[test]
fn unusable_input_exits_2_with_an_actionable_message() {
    let dir = std::env::temp_dir().join(format!("memberlens-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let (code, out, err) = cli(&["analyze", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("empty.csv") && err.contains("empty") && err.contains("文件为空"),
        "{err}"
    );
    let (code, _, err) = cli(&["analyze", "/nonexistent/orders.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unusable_arguments_exit_2_and_help_exits_0() {
    for args in [
        &["analyze", "orders.csv", "--bogus"][..],
        &["analyze", "orders.csv", "--format", "xml"],
        &["analyze", "orders.csv", "--rfm-thresholds", "r=1,2,3"],
        &["analyze", "orders.csv", "--orders"],
        &["analyze"],
        &["analyse", "orders.csv"],
    ] {
        let (code, out, err) = cli(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.starts_with("memberlens: "), "{args:?}: {err}");
    }
    let (_, _, err) = cli(&["analyze", "orders.csv", "--bogus"]);
    assert!(err.contains("--bogus"), "{err}");
    let (_, _, err) = cli(&["analyze", "orders.csv", "--rfm-thresholds", "r=1,2,3"]);
    assert!(err.contains("four breakpoints"), "{err}");
    // `memberlens` alone shows the help too; every option is in the top-level help.
    for args in [&["--help"][..], &[], &["analyze", "--help"]] {
        let (code, out, _) = cli(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(
            out.contains("--members-out") && out.contains("--rfm-thresholds"),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn audience_writes_the_selected_members_and_tags_reach_members_out() {
    let dir = std::env::temp_dir().join(format!("ml-aud-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let list = dir.join("list.csv");
    let trio = [
        path("members.csv"),
        path("online_orders_gbk.csv"),
        path("pos_sales.csv"),
    ];
    let mut args: Vec<&str> = vec!["audience"];
    args.extend(trio.iter().map(String::as_str));
    let rule = r#"tag("重要价值客户") and recency_days <= 90"#;
    args.extend([
        "--no-forecast",
        "--rule",
        rule,
        "--out",
        list.to_str().unwrap(),
    ]);
    let (code, out, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&list).unwrap();
    let rows = text.trim_end().split("\r\n").count() - 1;
    assert!(rows > 0);
    assert!(out.starts_with(&format!("{rows} of ")), "{out}");
    assert!(text.starts_with("\u{FEFF}会员ID,手机号"));
    // Every listed member is in the segment and bought within 90 days: read the columns back.
    let mut r = csv::Reader::from_reader(&text.as_bytes()[3..]);
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (seg, rec) = (col("RFM 分层"), col("R 天数"));
    for row in r.records().map(Result::unwrap) {
        assert_eq!(&row[seg], "重要价值客户");
        assert!(row[rec].parse::<i32>().unwrap() <= 90);
    }
    // A rule that cannot be read: status 2, the position in both languages.
    let mut bad: Vec<&str> = vec!["audience", &trio[2], "--rule", "monetary >", "--out"];
    bad.push(list.to_str().unwrap());
    let (code, _, err) = cli(&bad);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 1, column 11") && err.contains("第 1 行第 11 列"),
        "{err}"
    );
    // A scheme that is not one: status 2, naming the place.
    let scheme = dir.join("bad.json");
    std::fs::write(&scheme, r#"{"categories":[{"key":"c","name_zh":"c","name_en":"c","groups":[{"key":"g","name_zh":"g","name_en":"g","definition_zh":"","definition_en":"","setter":"auto","change":"static","basis":"fact","kind":"values","column":"nope"}]}]}"#).unwrap();
    let (code, _, err) = cli(&["analyze", &trio[2], "--tags", scheme.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("categories[0].groups[0].column"), "{err}");
    // --members-out carries each member's tags (keys).
    let members_out = dir.join("members.csv");
    let (code, _, err) = cli(&[
        "analyze",
        &trio[0],
        &trio[2],
        "--no-forecast",
        "--members-out",
        members_out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&members_out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.ends_with(",tags"), "{header}");
    assert!(text.contains("rfm.important_value") || text.contains("dormancy."));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn report_writes_the_client_report() {
    let dir = std::env::temp_dir().join(format!("ml-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("report.html");
    let (m, o, p) = (
        path("members.csv"),
        path("online_orders_gbk.csv"),
        path("pos_sales.csv"),
    );
    let args = [
        "report",
        &m,
        &o,
        &p,
        "--no-forecast",
        "--brand",
        "示例品牌",
        "--title",
        "二季度会员复盘",
        "--date",
        "2026-01-02",
        "--out",
        out.to_str().unwrap(),
    ];
    let (code, stdout, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("report.html"), "{stdout}");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<h1>二季度会员复盘</h1>"));
    assert!(
        html.contains("示例品牌") && html.contains("2026-01-02") && html.contains("2024-06-30")
    );
    assert!(html.contains("<h2>行动建议</h2>"));
    // English, and today's date when none is given.
    let (code, _, err) = cli(&[
        "report",
        &p,
        "--no-forecast",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<h2>Action plan</h2>") && html.contains("Report date 20"));
    // A date that is not one: status 2, saying so.
    let (code, _, err) = cli(&[
        "report",
        &p,
        "--date",
        "2026-13-01",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a date"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
