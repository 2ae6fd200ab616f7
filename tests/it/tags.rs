//! The tag catalogue: the shipped one made for the fixture trio counts what a plain tally of
//! the exported member rows counts; a group without its input says why; a bad catalogue names
//! the place.

use std::collections::HashMap;

use memberlens::tags::{Catalogue, Rule, TagSource, Tags};

use crate::support::{analyze, exported_rows};

/// An audience definition.
fn aud(name: &str, rule: &str) -> memberlens::tags::AudienceDef {
    memberlens::tags::AudienceDef {
        name: name.into(),
        rule: rule.into(),
    }
}

/// An analyzer holding fixtures, analysed with default options.
fn analyzer_with(names: &[&str]) -> memberlens::Analyzer {
    let mut a = memberlens::Analyzer::new();
    for n in names {
        a.add_file(
            n,
            crate::support::bytes(n),
            memberlens::FileOptions::default(),
        )
        .unwrap();
    }
    a.analyze(&memberlens::AnalysisOptions::default()).unwrap();
    a
}

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
    let tags = Catalogue::default_catalogue().make(&a.members);
    let got = counts(&tags, &a);
    // The one-pass count of values tags equals running each tag's rule.
    let by_rule: Vec<usize> = tags
        .tags
        .iter()
        .map(|t| t.rule.count(&a.members, &tags))
        .collect();
    assert_eq!(tags.counts(&a.members), by_rule);
    // A member's tags (as lists export them) are the tags whose rule the member matches.
    for m in a.members.iter().step_by(7) {
        let listed: Vec<&str> = tags.of(&m).map(|t| t.key.as_str()).collect();
        let matched: Vec<&str> = tags
            .tags
            .iter()
            .filter(|t| t.rule.matches(&m, &tags))
            .map(|t| t.key.as_str())
            .collect();
        assert_eq!(listed, matched);
    }
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
    let day = chrono_free_day;
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
    let tags = Catalogue::default_catalogue().make(&a.members);
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
    let made = Catalogue::from_json(bad).unwrap().make(&a.members);
    let e = made.rule_errors[0].clone();
    assert_eq!(e.place, "categories[0].groups[0].tags[1].rule");
    // The group is unavailable with the reason, its tags dropped; the analyzer refuses it.
    assert!(made.unavailable[0][0]
        .as_ref()
        .is_some_and(|(en, _)| en.contains("tags[1].rule")));
    assert!(made.tags.is_empty());
    let mut analyzer = analyzer_with(&["pos_sales.csv"]);
    let before = analyzer.catalogue_json();
    let err = analyzer.set_catalogue(Some(bad)).unwrap_err();
    assert_eq!(err.code(), "invalid_catalogue");
    assert_eq!(
        analyzer.catalogue_json(),
        before,
        "the scheme in use is kept"
    );
    assert!(e.reason_en.contains("line 1, column 1:"), "{}", e.reason_en);
    assert!(e.reason_zh.contains("第 1 行第 1 列："), "{}", e.reason_zh);
}

#[test]
fn audiences_hold_what_a_plain_tally_holds() {
    use memberlens::tags::audience;
    let a = analyze(&TRIO);
    let rows = exported_rows(&a);
    let tags = Catalogue::default_catalogue().make(&a.members);
    let defs = vec![
        aud("重要价值", r#"tag("重要价值客户")"#),
        aud("近30天有手机", "recency_days <= 30 and phone is not empty"),
        aud("高消费", "monetary >= 1000"),
    ];
    type Plain = fn(&HashMap<String, String>) -> bool;
    let plain: [Plain; 3] = [
        |r| r["segment"] == "important_value",
        |r| r["recency_days"].parse::<f64>().is_ok_and(|x| x <= 30.0) && !r["phone"].is_empty(),
        |r| r["monetary"].parse::<f64>().is_ok_and(|x| x >= 1000.0),
    ];
    audience::compile(&defs, &tags).unwrap();
    let report = audience::evaluate(&defs, &a.members, &tags);
    let total_revenue: f64 = rows
        .iter()
        .map(|r| r["monetary"].parse::<f64>().unwrap())
        .sum();
    for (k, s) in report.iter().enumerate() {
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
            assert_eq!(s.overlap[j], both, "overlap {k} x {j}");
        }
    }
    let bad = vec![aud("x", "tag(\"没有\")")];
    let (i, e) = audience::compile(&bad, &tags).unwrap_err();
    assert_eq!(i, 0);
    assert_eq!((e.line, e.column), (1, 1));
    // Evaluated anyway (a saved audience), it is kept with its error and zero figures.
    let kept = audience::evaluate(&bad, &a.members, &tags);
    assert_eq!(kept[0].members, 0);
    assert!(kept[0].error_zh.is_some() && kept[0].error_en.is_some());
}

#[test]
fn the_analyzer_serves_tags_rules_and_audiences() {
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
        .audiences(&[aud("vip", r#"tag("重要价值客户")"#)])
        .unwrap();
    assert_eq!(aud[0].members, vip);
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
    // A JSON syntax error says where in both languages, without serde's English in Chinese.
    let e = a.set_catalogue(Some("{\n\"categories\": [")).unwrap_err();
    assert!(
        e.message_en().contains("line 2, column"),
        "{}",
        e.message_en()
    );
    assert!(e.message_zh().contains("第 2 行第"), "{}", e.message_zh());
    assert!(e.message_zh().contains("JSON 不完整"), "{}", e.message_zh());
    a.set_catalogue(None).unwrap();
}

/// Two orders files and a members table small enough to work out by hand.
fn hand_worked() -> memberlens::Analyzer {
    use memberlens::{AnalysisOptions, Analyzer, FileOptions};
    let a_csv = "订单号,下单时间,手机号,实付金额,退款金额,订单状态,渠道\n\
        1,2024-01-05,13800000001,100,0,交易成功,小程序\n\
        2,2024-02-01,13800000001,200,50,交易成功,天猫\n\
        3,2024-03-01,13800000001,80,80,已退款,天猫\n\
        4,2024-03-05,13800000002,60,0,交易关闭,小程序\n\
        6,2024-01-01,13800000003,300,0,交易成功,天猫\n\
        5,2024-03-10,13800000003,-30,,交易成功,天猫\n";
    let b_csv = "订单号,下单时间,手机号,实付金额,门店\n\
        7,2024-01-02,13800000002,500,静安店\n\
        8,2024-02-02,13800000001,100,徐汇店\n";
    let m_csv =
        "手机号,姓名,是否关注公众号\n13800000001,甲,是\n13800000002,乙,否\n13800000004,丁,也许\n";
    let mut a = Analyzer::new();
    for (name, text) in [("a.csv", a_csv), ("b.csv", b_csv), ("m.csv", m_csv)] {
        a.add_file(name, text.as_bytes().to_vec(), FileOptions::default())
            .unwrap();
    }
    a.analyze(&AnalysisOptions {
        as_of: Some("2024-03-31".into()),
        ..Default::default()
    })
    .unwrap();
    a
}

#[test]
fn first_order_refunds_sources_and_follower_are_read_as_worked_out_by_hand() {
    let a = hand_worked();
    let analysis = a.analysis().unwrap();
    let by_phone = |p: &str| {
        analysis
            .members
            .iter()
            .find(|m| m.phone() == Some(p))
            .unwrap()
    };
    let m1 = by_phone("13800000001");
    // Bought in both files; first purchase 2024-01-05 in a.csv through 小程序 (no store there).
    assert_eq!(m1.sources(), ["a.csv", "b.csv"]);
    assert_eq!(
        (m1.first_source(), m1.first_channel(), m1.first_store()),
        (Some("a.csv"), Some("小程序"), None)
    );
    assert_eq!(m1.days_since_first(), Some(86));
    // Paid 100 + 200 + 80 (refunded in full) + 100 = 480; refunded 50 + 80 = 130.
    assert!((m1.refund_rate().unwrap() - 130.0 / 480.0).abs() < 1e-6);
    assert_eq!(m1.follower(), Some(true));
    // Only a closed order in a.csv: a.csv is not among the files it bought in.
    let m2 = by_phone("13800000002");
    assert_eq!(m2.sources(), ["b.csv"]);
    assert_eq!(
        (m2.first_source(), m2.first_channel(), m2.first_store()),
        (Some("b.csv"), None, Some("静安店"))
    );
    assert_eq!(m2.refund_rate(), Some(0.0));
    assert_eq!(m2.follower(), Some(false));
    // A return row of 30 against 300 paid.
    let m3 = by_phone("13800000003");
    assert!((m3.refund_rate().unwrap() - 0.1).abs() < 1e-6);
    assert_eq!(m3.follower(), None);
    // Never bought: no rate; "也许" is neither yes nor no, said with its line.
    let m4 = by_phone("13800000004");
    assert_eq!(m4.refund_rate(), None);
    assert_eq!(m4.follower(), None);
    let w = analysis
        .report
        .warnings
        .iter()
        .find(|w| w.file == "m.csv")
        .expect("a warning for the unreadable flag");
    assert_eq!(w.line, 4);
    assert!(w.message_zh().contains("也许"), "{}", w.message_zh());
    // The tags that read them.
    let keys = |m| -> Vec<String> {
        a.member_tags(&m)
            .into_iter()
            .map(|t| t.key.clone())
            .collect()
    };
    let k1 = keys(m1);
    for want in [
        "refund_tendency.some",
        "follower.yes",
        "first_order_band.d90",
        "first_source.a.csv",
        "first_channel.小程序",
    ] {
        assert!(k1.iter().any(|k| k == want), "{want} in {k1:?}");
    }
    let k2 = keys(m2);
    assert!(k2.iter().any(|k| k == "refund_tendency.none"), "{k2:?}");
    assert!(k2.iter().any(|k| k == "follower.no"), "{k2:?}");
    assert!(!keys(m4).iter().any(|k| k.starts_with("refund_tendency")));
}

#[test]
fn groups_without_their_input_say_why() {
    // Orders without a refund column or return rows, and no follower column: both groups are
    // unavailable with a reason, not empty.
    let a = analyzer_with(&["shop_orders_en.csv"]);
    let groups: Vec<_> = a
        .tag_summary()
        .unwrap()
        .iter()
        .flat_map(|c| &c.groups)
        .cloned()
        .collect();
    for key in ["follower", "gender", "guide"] {
        let g = groups.iter().find(|g| g.info.key == key).unwrap();
        assert!(g.tags.is_empty(), "{key}");
        assert!(
            g.unavailable_zh.as_deref().is_some_and(|r| !r.is_empty()),
            "{key}"
        );
        assert!(
            g.unavailable_en.as_deref().is_some_and(|r| !r.is_empty()),
            "{key}"
        );
    }
    let available = |key: &str| {
        groups
            .iter()
            .find(|g| g.info.key == key)
            .unwrap()
            .unavailable_en
            .is_none()
    };
    assert!(available("first_order_band"));
    assert!(available("rfm"));
}

#[test]
fn the_report_carries_the_catalogue_and_the_saved_audiences() {
    let mut a = analyzer_with(&TRIO);
    let report = &a.analysis().unwrap().report;
    assert_eq!(report.tags.catalogue, a.tag_summary().unwrap());
    assert!(report.audiences.is_empty(), "the shipped scheme saves none");
    let json = serde_json::to_value(report).unwrap();
    assert!(json["tags"]["catalogue"][0]["groups"][0]["tags"].is_array());
    let defs = vec![
        aud("重要价值", r#"tag("重要价值客户")"#),
        aud("近90天", "recency_days <= 90"),
    ];
    a.set_audiences(defs.clone()).unwrap();
    let saved = a.analysis().unwrap().report.audiences.clone();
    assert_eq!(saved.len(), 2);
    for (s, d) in saved.iter().zip(&defs) {
        assert_eq!(s.members, a.count_rule(&d.rule).unwrap(), "{}", d.name);
    }
    let both = a
        .count_rule(r#"tag("重要价值客户") and recency_days <= 90"#)
        .unwrap();
    assert_eq!(saved[0].overlap, [saved[0].members, both]);
    assert_eq!(saved[1].overlap, [both, saved[1].members]);
    // Saved in the scheme: exported, imported elsewhere, the same figures come back.
    let scheme = a.catalogue_json();
    let mut b = analyzer_with(&TRIO);
    b.set_catalogue(Some(&scheme)).unwrap();
    assert_eq!(b.analysis().unwrap().report.audiences, saved);
    // A bad rule is refused with its position; the saved audiences stay.
    let e = a.set_audiences(vec![aud("x", "monetary >")]).unwrap_err();
    assert_eq!(e.code(), "invalid_rule");
    assert_eq!(a.analysis().unwrap().report.audiences, saved);
    // Two audiences of one name are refused with the place.
    let e = a
        .set_audiences(vec![defs[0].clone(), defs[0].clone()])
        .unwrap_err();
    assert_eq!(e.code(), "invalid_catalogue");
    assert!(
        e.message_en().contains("audiences[1].name"),
        "{}",
        e.message_en()
    );
}

#[test]
fn a_rule_filters_the_member_query() {
    use memberlens::members::MemberQuery;
    let a = analyzer_with(&TRIO);
    let rule = r#"tag("重要价值客户") and frequency >= 3"#;
    let (total, rows) = a
        .query_members(&MemberQuery {
            rule: Some(rule.into()),
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(total, a.count_rule(rule).unwrap());
    assert!(total > 5);
    for m in rows {
        assert_eq!(m.segment(), Some("important_value"));
        assert!(m.frequency() >= 3);
    }
    let e = a
        .query_members(&MemberQuery {
            rule: Some("frequency >= ".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.code(), "invalid_rule");
}

#[test]
fn refund_tendency_counts_what_the_raw_export_says() {
    // The English shop export read plainly: one row per order, keyed by e-mail.
    let a = analyze(&["shop_orders_en.csv"]);
    let as_of = a.report.as_of.to_string();
    let text = String::from_utf8(crate::support::bytes("shop_orders_en.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (email, status, created, total, refunded) = (
        col("Email"),
        col("Financial Status"),
        col("Created at"),
        col("Total"),
        col("Refunded Amount"),
    );
    // e-mail → (paid, refunded) in cents.
    let mut per: HashMap<String, (i64, i64)> = HashMap::new();
    for row in r.records().map(Result::unwrap) {
        let cents = |i: usize| -> Option<i64> {
            let v: f64 = row[i].trim().parse().ok()?;
            Some((v * 100.0).round() as i64)
        };
        let (Some(amount), Some(refund)) = (cents(total), cents(refunded).or(Some(0))) else {
            continue;
        };
        let day = row[created].get(..10).unwrap_or("");
        let key = row[email].trim().to_lowercase();
        if key.is_empty() || day.len() != 10 || day > as_of.as_str() {
            continue;
        }
        let closed = ["refunded", "voided"].contains(&row[status].trim());
        let purchase = !closed && amount - refund > 0;
        if purchase || refund > 0 {
            let e = per.entry(key).or_default();
            e.0 += amount;
            e.1 += refund;
        }
    }
    let rates: Vec<f64> = per
        .values()
        .filter(|(paid, _)| *paid > 0)
        .map(|(paid, refunded)| (*refunded as f64 / *paid as f64).min(1.0))
        .collect();
    assert!(rates.iter().any(|r| *r > 0.0) && rates.contains(&0.0));
    let tags = Catalogue::default_catalogue().make(&a.members);
    let got = counts(&tags, &a);
    let n = |f: &dyn Fn(f64) -> bool| rates.iter().filter(|r| f(**r)).count();
    assert_eq!(got["refund_tendency.none"], n(&|r| r == 0.0));
    assert_eq!(got["refund_tendency.some"], n(&|r| r > 0.0 && r < 0.3));
    assert_eq!(got["refund_tendency.high"], n(&|r| r >= 0.3));
}

#[test]
fn first_order_tags_count_what_the_exported_dates_say() {
    let a = analyze(&TRIO);
    let rows = exported_rows(&a);
    let tags = Catalogue::default_catalogue().make(&a.members);
    let got = counts(&tags, &a);
    let as_of = chrono_free_day(&a.report.as_of.to_string());
    let since: Vec<i64> = rows
        .iter()
        .filter(|r| !r["first_purchase"].is_empty())
        .map(|r| as_of - chrono_free_day(&r["first_purchase"]))
        .collect();
    let n = |lo: i64, hi: i64| since.iter().filter(|d| (lo..=hi).contains(*d)).count();
    assert_eq!(got["first_order_band.d30"], n(i64::MIN, 30));
    assert_eq!(got["first_order_band.d90"], n(31, 90));
    assert_eq!(got["first_order_band.d180"], n(91, 180));
    assert_eq!(got["first_order_band.d365"], n(181, 365));
    assert_eq!(got["first_order_band.y2"], n(366, 730));
    assert_eq!(got["first_order_band.older"], n(731, i64::MAX));
    // First-order source: every buyer in the tag of one of the files they bought in.
    let first_source: usize = got
        .iter()
        .filter(|(k, _)| k.starts_with("first_source."))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(first_source, a.report.inventory.buyers);
    for r in rows.iter().filter(|r| !r["first_source"].is_empty()) {
        assert!(r["sources"].contains(&r["first_source"]), "{r:?}");
    }
    // Sources are the files bought in: the per-source buyers of the report.
    for s in &a.report.sources {
        let listed = rows
            .iter()
            .filter(|r| r["sources"].split('|').any(|x| x == s.label))
            .count();
        assert_eq!(listed, s.buyers, "{}", s.label);
    }
}

/// Days from 0000-03-01 of a `YYYY-MM-DD` date (Gregorian), enough for differences.
fn chrono_free_day(d: &str) -> i64 {
    let p: Vec<i64> = d.split('-').map(|x| x.parse().unwrap()).collect();
    let (y, m) = if p[1] <= 2 {
        (p[0] - 1, p[1] + 12)
    } else {
        (p[0], p[1])
    };
    365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + p[2]
}
