//! The tag catalogue: the shipped one made for the fixture trio counts what a plain tally of
//! the exported member rows counts; a group without its input says why; a bad catalogue names
//! the place.

use std::collections::HashMap;

use memberlens::tags::{Catalogue, Rule, TagSource, Tags};

use crate::support::{analyze, exported_rows};

const TRIO: [&str; 3] = ["members.csv", "online_orders_gbk.csv", "pos_sales.csv"];

/// Tag counts by key.
fn counts(tags: &Tags, a: &memberlens::Analysis) -> HashMap<String, usize> {
    tags.tags
        .iter()
        .map(|t| t.key.clone())
        .zip(tags.counts(&a.members))
        .collect()
}

/// numpy's default percentile of sorted values (linear interpolation), written out.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[test]
fn automatic_tags_count_what_a_plain_tally_counts() {
    let a = analyze(&TRIO);
    let rows = exported_rows(&a);
    let tags = Catalogue::default_catalogue().make(&a.members).unwrap();
    let got = counts(&tags, &a);
    // The one-pass count of values tags equals running each tag's rule.
    let by_rule: Vec<usize> = tags
        .tags
        .iter()
        .map(|t| t.rule.count(&a.members, &tags))
        .collect();
    assert_eq!(tags.counts(&a.members), by_rule);
    let tally = |f: &dyn Fn(&HashMap<String, String>) -> bool| rows.iter().filter(|r| f(r)).count();
    let num = |r: &HashMap<String, String>, k: &str| r[k].parse::<f64>().ok();

    // Values: one tag per gender, tier and RFM segment, with the members of that value.
    let mut genders: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        if !r["gender"].is_empty() {
            *genders.entry(r["gender"].as_str()).or_default() += 1;
        }
    }
    assert!(genders.len() >= 2, "the members table has genders");
    for (g, n) in &genders {
        assert_eq!(got[&format!("gender.{g}")], *n, "gender {g}");
    }
    for (k, seg) in a.report.rfm.segments.0.iter() {
        assert_eq!(got[&format!("rfm.{k}")], seg.members, "segment {k}");
    }
    for (k, n) in a
        .report
        .dormancy
        .buyers
        .0
        .iter()
        .chain(&a.report.dormancy.non_buyers.0)
    {
        if *n > 0 {
            assert_eq!(got[&format!("dormancy.{k}")], *n, "tier {k}");
        }
    }
    // Bands at fixed edges: ages.
    let edges = [18.0, 25.0, 30.0, 35.0, 40.0, 50.0, 60.0];
    for i in 0..=edges.len() {
        let lo = if i == 0 { f64::MIN } else { edges[i - 1] };
        let hi = edges.get(i).copied().unwrap_or(f64::MAX);
        let want = tally(&|r| num(r, "age").is_some_and(|x| x >= lo && x < hi));
        assert_eq!(got[&format!("age_band.{i}")], want, "age band {i}");
    }
    // Bands at quantiles: CLV tiers at the buyers' 50/80/95th percentiles.
    let mut clv: Vec<f64> = rows.iter().filter_map(|r| num(r, "clv")).collect();
    clv.sort_by(f64::total_cmp);
    let cuts: Vec<f64> = [0.5, 0.8, 0.95]
        .iter()
        .map(|q| percentile(&clv, *q))
        .collect();
    assert_eq!(
        got["clv_tier.0"],
        tally(&|r| num(r, "clv").is_some_and(|x| x < cuts[0]))
    );
    assert_eq!(
        got["clv_tier.2"],
        tally(&|r| num(r, "clv").is_some_and(|x| x >= cuts[1] && x < cuts[2]))
    );
    assert_eq!(
        got["clv_tier.3"],
        tally(&|r| num(r, "clv").is_some_and(|x| x >= cuts[2]))
    );
    // Monthly spend: net spend over the 30-day months since the first purchase (at least one).
    let day = |d: &str| {
        let p: Vec<i64> = d.split('-').map(|x| x.parse().unwrap()).collect();
        // Days from 0000-03-01 (Gregorian), enough for differences.
        let (y, m) = if p[1] <= 2 {
            (p[0] - 1, p[1] + 12)
        } else {
            (p[0], p[1])
        };
        365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + p[2]
    };
    let as_of = day(&a.report.as_of.to_string());
    let mut checked = 0;
    for r in rows.iter().filter(|r| !r["first_purchase"].is_empty()) {
        let months = ((as_of - day(&r["first_purchase"])) as f64 / 30.0).max(1.0);
        let want = num(r, "monetary").unwrap() / months;
        let have = num(r, "monthly_spend").unwrap();
        assert!((have - want).abs() < 1e-3, "monthly spend {have} vs {want}");
        checked += 1;
    }
    assert!(checked > 1000);
    // Rules: reachability and purchase counts.
    assert_eq!(got["reach.phone"], tally(&|r| !r["phone"].is_empty()));
    assert_eq!(
        got["reach.member_file"],
        tally(&|r| r["in_member_file"] == "true")
    );
    assert_eq!(got["frequency_band.none"], a.report.inventory.non_buyers);
    assert_eq!(
        got["frequency_band.three_four"],
        tally(&|r| num(r, "frequency").is_some_and(|f| (3.0..=4.0).contains(&f)))
    );
    // Every member is in exactly one RFM, dormancy and frequency tag.
    let total = |prefix: &str| {
        got.iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, n)| n)
            .sum::<usize>()
    };
    assert_eq!(total("dormancy."), a.members.len());
    assert_eq!(total("frequency_band."), a.members.len());
    assert_eq!(total("rfm."), a.report.rfm.buyers_scored);

    // A custom rule names catalogue tags by their Chinese name.
    let rule = Rule::compile(
        r#"tag("重要价值客户") and tag("有手机号（可短信/外呼）")"#,
        &tags,
    )
    .unwrap();
    let want = tally(&|r| r["segment"] == "important_value" && !r["phone"].is_empty());
    assert_eq!(rule.count(&a.members, &tags), want);
    assert!(tags.find("Important value").is_some());
}

#[test]
fn a_group_without_its_column_says_why() {
    // Orders alone: no members table, so no gender, tier or guide.
    let a = analyze(&["online_orders_gbk.csv"]);
    let tags = Catalogue::default_catalogue().make(&a.members).unwrap();
    let cats = &tags.catalogue.categories;
    let reason = |key: &str| {
        for (ci, c) in cats.iter().enumerate() {
            for (gi, g) in c.groups.iter().enumerate() {
                if g.info.key == key {
                    return tags.unavailable[ci][gi].clone();
                }
            }
        }
        panic!("no group {key}")
    };
    let (en, zh) = reason("gender").expect("gender is unavailable without a members table");
    assert!(en.contains("\"gender\""), "{en}");
    assert!(zh.contains("gender"), "{zh}");
    assert!(reason("rfm").is_none(), "RFM tags exist");
    assert!(tags.tags.iter().all(|t| !t.key.starts_with("gender.")));
}

#[test]
fn a_bad_catalogue_names_the_place() {
    let cases = [
        ("{\"categories\": [", "line 1"),
        (
            r#"{"categories":[{"key":"c","name_zh":"c","name_en":"c","groups":[{"key":"g","name_zh":"g","name_en":"g","definition_zh":"","definition_en":"","setter":"auto","change":"static","basis":"fact","kind":"values","column":"genderr"}]}]}"#,
            "categories[0].groups[0].column",
        ),
        (
            r#"{"categories":[{"key":"c","name_zh":"c","name_en":"c","groups":[{"key":"g","name_zh":"g","name_en":"g","definition_zh":"","definition_en":"","setter":"auto","change":"static","basis":"fact","kind":"bands","column":"name","edges":[1,2]}]}]}"#,
            "categories[0].groups[0].column",
        ),
        (
            r#"{"categories":[{"key":"c","name_zh":"c","name_en":"c","groups":[{"key":"g","name_zh":"g","name_en":"g","definition_zh":"","definition_en":"","setter":"auto","change":"static","basis":"fact","kind":"bands","column":"age","edges":[30,20]}]}]}"#,
            "categories[0].groups[0].edges",
        ),
    ];
    for (json, place) in cases {
        let e = Catalogue::from_json(json).unwrap_err();
        assert!(
            e.place.starts_with(place),
            "{json}: {} (wanted {place})",
            e.place
        );
        assert!(!e.reason_zh.is_empty());
    }
    // A rule that does not check names its tag, line and column.
    let bad = r#"{"categories":[{"key":"c","name_zh":"c","name_en":"c","groups":[{"key":"g","name_zh":"g","name_en":"g","definition_zh":"","definition_en":"","setter":"manual","change":"dynamic","basis":"fact","kind":"rules","tags":[{"key":"ok","name_zh":"好","name_en":"ok","rule":"frequency >= 1"},{"key":"bad","name_zh":"坏","name_en":"bad","rule":"frequency >= \"x\""}]}]}]}"#;
    let a = analyze(&["pos_sales.csv"]);
    let e = Catalogue::from_json(bad)
        .unwrap()
        .make(&a.members)
        .err()
        .unwrap();
    assert_eq!(e.place, "categories[0].groups[0].tags[1].rule");
    assert!(
        e.reason_en.starts_with("line 1, column 1:"),
        "{}",
        e.reason_en
    );
    assert!(
        e.reason_zh.starts_with("第 1 行第 1 列："),
        "{}",
        e.reason_zh
    );
}

#[test]
fn audiences_hold_what_a_plain_tally_holds() {
    use memberlens::tags::{audience, AudienceDef};
    let a = analyze(&TRIO);
    let rows = exported_rows(&a);
    let tags = Catalogue::default_catalogue().make(&a.members).unwrap();
    let defs = vec![
        AudienceDef {
            name: "重要价值".into(),
            rule: r#"tag("重要价值客户")"#.into(),
        },
        AudienceDef {
            name: "近30天有手机".into(),
            rule: "recency_days <= 30 and phone is not empty".into(),
        },
        AudienceDef {
            name: "高消费".into(),
            rule: "monetary >= 1000".into(),
        },
    ];
    type Plain = fn(&HashMap<String, String>) -> bool;
    let plain: [Plain; 3] = [
        |r| r["segment"] == "important_value",
        |r| r["recency_days"].parse::<f64>().is_ok_and(|x| x <= 30.0) && !r["phone"].is_empty(),
        |r| r["monetary"].parse::<f64>().is_ok_and(|x| x >= 1000.0),
    ];
    let rules = audience::compile(&defs, &tags).unwrap();
    let report = audience::evaluate(&defs, &rules, &a.members, &tags);
    let total_revenue: f64 = rows
        .iter()
        .map(|r| r["monetary"].parse::<f64>().unwrap())
        .sum();
    for (k, s) in report.audiences.iter().enumerate() {
        let mine: Vec<&HashMap<String, String>> = rows.iter().filter(|r| plain[k](r)).collect();
        assert_eq!(s.members, mine.len(), "{}", s.name);
        assert!(s.members > 0, "{} selects someone", s.name);
        let revenue: f64 = mine
            .iter()
            .map(|r| r["monetary"].parse::<f64>().unwrap())
            .sum();
        assert!(
            (s.revenue - revenue).abs() < 0.01,
            "{}: {} vs {revenue}",
            s.name,
            s.revenue
        );
        assert!((s.revenue_share - revenue / total_revenue).abs() < 1e-6);
        assert!((s.share - mine.len() as f64 / rows.len() as f64).abs() < 1e-12);
        assert_eq!(
            s.with_phone,
            mine.iter().filter(|r| !r["phone"].is_empty()).count()
        );
        assert_eq!(
            s.with_guide,
            mine.iter().filter(|r| !r["guide"].is_empty()).count()
        );
        let clvs: Vec<f64> = mine.iter().filter_map(|r| r["clv"].parse().ok()).collect();
        let mean = clvs.iter().sum::<f64>() / clvs.len() as f64;
        assert!(
            (s.mean_clv.unwrap() - mean).abs() < 1e-3,
            "{}: mean CLV",
            s.name
        );
        for (j, other) in plain.iter().enumerate() {
            let both = rows.iter().filter(|r| plain[k](r) && other(r)).count();
            assert_eq!(report.overlap[k][j], both, "overlap {k} x {j}");
        }
    }
    let bad = vec![AudienceDef {
        name: "x".into(),
        rule: "tag(\"没有\")".into(),
    }];
    let (i, e) = audience::compile(&bad, &tags).unwrap_err();
    assert_eq!(i, 0);
    assert_eq!((e.line, e.column), (1, 1));
}

#[test]
fn the_analyzer_serves_tags_rules_and_audiences() {
    use memberlens::tags::AudienceDef;
    use memberlens::{AnalysisOptions, Analyzer, Error, FileOptions};
    let mut a = Analyzer::new();
    assert_eq!(
        a.count_rule("frequency >= 1").unwrap_err(),
        Error::NoAnalysis
    );
    for n in TRIO {
        a.add_file(n, crate::support::bytes(n), FileOptions::default())
            .unwrap();
    }
    let buyers = a
        .analyze(&AnalysisOptions::default())
        .unwrap()
        .report
        .inventory
        .buyers;
    assert_eq!(a.count_rule("frequency >= 1").unwrap(), buyers);
    let summary = a.tag_summary().unwrap();
    let rfm: usize = summary
        .iter()
        .flat_map(|c| &c.groups)
        .filter(|g| g.info.key == "rfm")
        .flat_map(|g| &g.tags)
        .map(|t| t.members)
        .sum();
    assert_eq!(rfm, buyers, "every buyer in one RFM tag");
    let vip = a.count_rule(r#"tag("重要价值客户")"#).unwrap();
    let aud = a
        .audiences(&[AudienceDef {
            name: "vip".into(),
            rule: r#"tag("重要价值客户")"#.into(),
        }])
        .unwrap();
    assert_eq!(aud.audiences[0].members, vip);
    match a.count_rule("frequency >=").unwrap_err() {
        e @ Error::InvalidRule {
            line: 1,
            column: 13,
            ..
        } => {
            assert_eq!(e.code(), "invalid_rule");
            assert!(
                e.message_zh().contains("第 1 行第 13 列"),
                "{}",
                e.message_zh()
            );
        }
        other => panic!("{other:?}"),
    }
    // The catalogue exports as JSON and imports back; a broken one is refused with its place.
    let json = a.catalogue_json();
    a.set_catalogue(Some(&json)).unwrap();
    assert_eq!(a.count_rule(r#"tag("重要价值客户")"#).unwrap(), vip);
    let e = a.set_catalogue(Some("{\"categories\": 3}")).unwrap_err();
    assert_eq!(e.code(), "invalid_catalogue");
    a.set_catalogue(None).unwrap();
}
