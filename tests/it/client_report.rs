//! The client report (HTML): one self-contained document whose figures are the report's, in
//! either language, with the client's text escaped.

use memberlens::render::HtmlOptions;
use memberlens::{Analyzer, Error};

use crate::support::trio_analyzer as analyzer;

fn options(lang: &str, brand: &str) -> HtmlOptions {
    HtmlOptions {
        title: None,
        brand: Some(brand.into()),
        lang: Some(lang.into()),
        date: Some("2026-11-30".into()),
    }
}

/// Thousands grouped, written here without the library: 1234567 → "1,234,567".
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut parts: Vec<&str> = Vec::new();
    let mut end = s.len();
    while end > 3 {
        parts.push(&s[end - 3..end]);
        end -= 3;
    }
    parts.push(&s[..end]);
    parts.reverse();
    parts.join(",")
}

/// HTML text escaping as a browser reads it back.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The document loads nothing: no script, no stylesheet link, no image or frame source, no
/// URL in CSS; the only address is the SVG namespace.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    assert!(html.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">"#
    ));
    for bad in [
        "<script", "<link", "<img", "<iframe", " src=", " href=", "url(", "@import",
    ] {
        assert!(!html.contains(bad), "the document contains {bad}");
    }
    let addresses = html.matches("http://").count() + html.matches("https://").count();
    let namespaces = html.matches("\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(
        addresses, namespaces,
        "an address other than the SVG namespace"
    );
}

/// The text of every `<h2>`.
fn headings(html: &str) -> Vec<String> {
    html.split("<h2>")
        .skip(1)
        .map(|s| s.split("</h2>").next().unwrap().to_string())
        .collect()
}

#[test]
fn the_client_report_is_one_document_with_the_reports_figures() {
    let a = analyzer(true);
    let brand = r#"<b>"品牌" & 旗舰店</b>"#;
    let html = a.report_html(&options("zh", brand)).unwrap();
    let r = &a.analysis().unwrap().report;
    assert_self_contained(&html);
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    // The client's text is escaped, never markup.
    assert!(html.contains(&escaped(brand)), "brand not escaped");
    assert!(!html.contains(brand));
    assert!(html.contains(&r.as_of.to_string()) && html.contains("2026-11-30"));
    assert_eq!(
        headings(&html),
        [
            "摘要",
            "数据盘点",
            "RFM 分群与策略",
            "行动建议",
            "沉睡分层与生命周期",
            "预测",
            "增长分析",
            "数据来源与渠道",
            "口径说明"
        ]
    );
    // Every action with members is a row of the plan, in rank order, with its figures.
    let actions = r.action_plan.ranked();
    assert!(actions.len() > 20);
    let mut last = 0;
    for x in &actions {
        let row = format!(r#"<td class="n">{}</td><td>{}</td>"#, x.rank, x.name_zh);
        let at = html
            .find(&row)
            .unwrap_or_else(|| panic!("no row for {}", x.key));
        assert!(at > last, "{} out of rank order", x.key);
        last = at;
        let cells = &html[at..];
        let cells = &cells[..cells.find("</tr>").unwrap()];
        assert!(
            cells.contains(&format!(
                r#"<td class="n">{}</td>"#,
                grouped(x.members as u64)
            )),
            "{}: {cells}",
            x.key
        );
        let value = format!("¥{}", grouped(x.value_at_stake.round() as u64));
        assert!(cells.contains(&value), "{}: {value} in {cells}", x.key);
    }
    // The first ten are written out with their play: goal, benefits, timing, KPI.
    let book: serde_json::Value = serde_json::from_str(&a.playbook_json()).unwrap();
    for x in actions.iter().take(10) {
        let play = book["plays"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == x.key.as_str())
            .unwrap();
        for field in ["goal_zh", "message_zh", "kpi_zh"] {
            let text = escaped(play[field].as_str().unwrap());
            assert!(html.contains(&text), "{}: {field}", x.key);
        }
        assert!(html.contains(&escaped(play["timing"]["zh"].as_str().unwrap())));
    }
    // Segments and tiers with their counts; the charts are inline SVG with a text alternative.
    for (_, s) in &r.rfm.segments.0 {
        let row = format!(
            r#"<td>{}</td><td class="n">{}</td>"#,
            s.name_zh,
            grouped(s.members as u64)
        );
        assert!(html.contains(&row), "{row}");
    }
    for (_, n) in &r.dormancy.buyers.0 {
        assert!(html.contains(&format!(r#"<td class="n">{}</td>"#, grouped(*n as u64))));
    }
    assert!(html.matches("<svg ").count() >= 4);
    assert_eq!(
        html.matches("<svg ").count(),
        html.matches(r#"role="img" aria-label=""#).count()
    );
    // Key figures carry the glossary's names and definitions (the page's and the CLI's).
    let aov = memberlens::report::glossary::term("metric.aov").unwrap();
    let row = format!(
        r#"<th>{}</th><td class="n">¥{:.2}</td><td class="note">{}</td>"#,
        aov.name_zh,
        r.inventory.aov,
        escaped(&aov.definition_zh)
    );
    assert!(html.contains(&row), "{row}");
    // Growth: the movement in words, and the omnichannel combinations.
    let m = r.growth.movement.as_ref().unwrap();
    assert!(html.contains(&format!("{} 人下滑", grouped(m.moved_down as u64))));
    for c in &r.growth.omnichannel.combinations {
        let row = format!(
            "<td>{}</td><td class=\"n\">{}</td>",
            c.sources.join(" + "),
            grouped(c.buyers as u64)
        );
        assert!(html.contains(&row), "{row}");
    }
    // Forecasts in words: the expected purchases in 90 days, rounded.
    let e90 = r
        .forecast
        .as_ref()
        .unwrap()
        .expected_purchases
        .get("90d")
        .unwrap();
    assert!(html.contains(&format!("90 天约 {} 次", grouped(e90.round() as u64))));
}

#[test]
fn the_client_report_speaks_english_and_says_what_the_value_is_without_forecasts() {
    let a = analyzer(false);
    let html = a.report_html(&options("en", "Acme")).unwrap();
    let r = &a.analysis().unwrap().report;
    assert_self_contained(&html);
    assert!(html.contains(r#"<html lang="en">"#));
    let h = headings(&html);
    assert!(h.contains(&"Action plan".to_string()), "{h:?}");
    for text in &h {
        assert!(
            !text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "Chinese in an English heading: {text}"
        );
    }
    for x in r.action_plan.ranked() {
        assert!(html.contains(&format!("<td>{}</td>", escaped(&x.name_en))));
    }
    assert!(html.contains("spend in the last 12 months (forecasts were not computed)"));
    assert!(html.contains("Forecasts (purchases and customer lifetime value) were not computed"));
    // The default title, with the brand in the document's title.
    assert!(html.contains("<title>Acme · Member analysis report</title>"));
}

#[test]
fn no_client_report_before_an_analysis() {
    let a = Analyzer::new();
    assert!(matches!(
        a.report_html(&HtmlOptions::default()),
        Err(Error::NoAnalysis)
    ));
}
