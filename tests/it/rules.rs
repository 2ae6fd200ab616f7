//! The rule language of custom tags and audiences: rules run over the fixture trio's member
//! table give the counts of a plain filter over the exported member rows, and every kind of
//! error names its line and column.

use std::collections::HashMap;

use memberlens::members::MemberView;
use memberlens::tags::{NoTags, Rule, RuleErrorKind, TagSource};

use crate::support::{analyze, analyze_csv, exported_rows};

const TRIO: [&str; 3] = ["members.csv", "online_orders_gbk.csv", "pos_sales.csv"];

fn num(row: &HashMap<String, String>, k: &str) -> Option<f64> {
    row[k].parse().ok()
}

#[test]
fn rules_count_what_a_plain_filter_counts() {
    let a = analyze(&TRIO);
    let rows = exported_rows(&a);
    type Plain = fn(&HashMap<String, String>) -> bool;
    let cases: Vec<(&str, Plain)> = vec![
        ("recency_days <= 30 and monetary >= 1000", |r| {
            num(r, "recency_days").is_some_and(|x| x <= 30.0)
                && num(r, "monetary").is_some_and(|x| x >= 1000.0)
        }),
        (r#"source has "POS" and not source has "online""#, |r| {
            r["sources"].to_lowercase().contains("pos")
                && !r["sources"].to_lowercase().contains("online")
        }),
        ("frequency >= 3 and age between 25 and 35", |r| {
            num(r, "frequency").is_some_and(|x| x >= 3.0)
                && num(r, "age").is_some_and(|x| (25.0..=35.0).contains(&x))
        }),
        (r#"gender = "女" or 性别 = "男""#, |r| {
            r["gender"] == "女" || r["gender"] == "男"
        }),
        (r#"last_purchase >= "2024-01-01""#, |r| {
            !r["last_purchase"].is_empty() && r["last_purchase"].as_str() >= "2024-01-01"
        }),
        (r#"segment in ("important_value", "important_keep")"#, |r| {
            r["segment"] == "important_value" || r["segment"] == "important_keep"
        }),
        ("tier is empty and not in_member_file", |r| {
            r["tier"].is_empty() && r["in_member_file"] == "false"
        }),
        ("not (dormancy = \"active\") && frequency > 0", |r| {
            r["dormancy"] != "active" && num(r, "frequency").is_some_and(|x| x > 0.0)
        }),
        ("birthday is not empty || recency_days < 0", |r| {
            !r["birthday"].is_empty()
        }),
        ("r_score = 5 and (f_score >= 4 or m_score >= 4)", |r| {
            num(r, "r_score") == Some(5.0)
                && (num(r, "f_score").is_some_and(|x| x >= 4.0)
                    || num(r, "m_score").is_some_and(|x| x >= 4.0))
        }),
    ];
    for (rule, plain) in cases {
        let compiled = Rule::compile(rule, &NoTags).unwrap_or_else(|e| panic!("{rule}: {e}"));
        let want = rows.iter().filter(|r| plain(r)).count();
        assert_eq!(compiled.count(&a.members, &NoTags), want, "{rule}");
        assert!(
            want > 0 || rule.contains("recency_days < 0"),
            "{rule} selects someone"
        );
        assert_eq!(compiled.select(&a.members, &NoTags).len(), want, "{rule}");
    }
}

#[test]
fn extra_columns_and_tags_are_read_by_name() {
    let a = analyze_csv(
        "会员卡号,手机号,会员来源,下单时间,实付金额\n\
         C1,13800000001,直播间,2024-01-02,100\n\
         C2,13800000002,门店,2024-01-03,50\n\
         C3,13800000003,直播间,2024-01-04,80\n",
    );
    // An orders file keeps no extra columns: only members tables do.
    let none = Rule::compile(r#"col("会员来源") = "直播间""#, &NoTags).unwrap();
    assert_eq!(none.count(&a.members, &NoTags), 0);

    let mut an = memberlens::Analyzer::new();
    an.add_file(
        "members.csv",
        "会员卡号,手机号,会员来源\nC1,13800000001,直播间\nC2,13800000002,门店\nC3,13800000003,直播间\n"
            .as_bytes()
            .to_vec(),
        memberlens::FileOptions::default(),
    )
    .unwrap();
    an.add_file(
        "orders.csv",
        "会员卡号,下单时间,实付金额\nC1,2024-01-02,100\nC2,2024-01-03,50\n"
            .as_bytes()
            .to_vec(),
        memberlens::FileOptions::default(),
    )
    .unwrap();
    let analysis = an.analyze(&memberlens::AnalysisOptions::default()).unwrap();
    let live = Rule::compile(r#"col("会员来源") = "直播间""#, &NoTags).unwrap();
    assert_eq!(live.count(&analysis.members, &NoTags), 2);
    let live_buyers =
        Rule::compile(r#"col("会员来源") has "直播" and frequency >= 1"#, &NoTags).unwrap();
    assert_eq!(live_buyers.count(&analysis.members, &NoTags), 1);

    /// One tag, "大客户": members who spent 80 or more.
    struct Big;
    impl TagSource for Big {
        fn find(&self, name: &str) -> Option<usize> {
            (name == "大客户").then_some(0)
        }
        fn has(&self, _: usize, m: &MemberView<'_>) -> bool {
            m.monetary() >= 80.0
        }
    }
    let tagged = Rule::compile(r#"tag("大客户") and not phone has "0003""#, &Big).unwrap();
    assert_eq!(
        tagged.count(&a.members, &Big),
        1,
        "C1 (100); C3 spent 80 but is excluded"
    );
    assert!(matches!(
        Rule::compile(r#"tag("大客户")"#, &NoTags).unwrap_err().kind,
        RuleErrorKind::UnknownTag(_)
    ));
}

#[test]
fn every_error_names_its_place() {
    // (rule, error code, line, column)
    let cases: &[(&str, &str, usize, usize)] = &[
        ("", "empty_rule", 1, 1),
        ("frequency >= 3 and", "expected", 1, 19),
        ("frequency >= ", "expected", 1, 14),
        ("frequency >= 3 frequency", "expected", 1, 16),
        ("(frequency >= 3", "expected", 1, 16),
        ("frequncy >= 3", "unknown_field", 1, 1),
        ("frequency >= 3 and\n  agee > 20", "unknown_field", 2, 3),
        ("first_purchase > \"yesterday\"", "bad_date", 1, 18),
        ("first_purchase > 20", "type_mismatch", 1, 1),
        ("name > \"王\"", "type_mismatch", 1, 1),
        ("sources = \"pos\"", "type_mismatch", 1, 1),
        ("frequency has \"3\"", "type_mismatch", 1, 1),
        ("frequency", "not_yes_no", 1, 1),
        ("name = \"王", "unterminated_text", 1, 8),
        ("frequency # 3", "unexpected_char", 1, 11),
        ("count(\"x\") > 1", "unknown_function", 1, 1),
        ("tag(\"没有这个\")", "unknown_tag", 1, 1),
        ("age between 20 30", "expected", 1, 16),
        ("segment in (\"a\" \"b\")", "expected", 1, 17),
        ("tier is nothing", "expected", 1, 9),
        ("frequency >= 1.2.3", "bad_number", 1, 14),
        ("frequency in (1, \"x\")", "type_mismatch", 1, 18),
    ];
    for (rule, code, line, column) in cases {
        let e = match Rule::compile(rule, &NoTags) {
            Ok(_) => panic!("{rule:?} should not compile"),
            Err(e) => e,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], *code, "{rule:?}: {}", e.message_en());
        assert_eq!(
            (e.line, e.column),
            (*line, *column),
            "{rule:?}: {}",
            e.message_en()
        );
        assert!(
            e.message_en()
                .starts_with(&format!("line {line}, column {column}: ")),
            "{}",
            e.message_en()
        );
        assert!(
            e.message_zh()
                .starts_with(&format!("第 {line} 行第 {column} 列：")),
            "{}",
            e.message_zh()
        );
    }
    let e = Rule::compile("frequncy >= 3", &NoTags).unwrap_err();
    assert!(
        e.message_en().contains("did you mean \"frequency\""),
        "{}",
        e.message_en()
    );
    assert!(e.message_zh().contains("frequency"), "{}", e.message_zh());
}

mod bits_and_members_agree {
    use memberlens::tags::{Catalogue, Rule};
    use proptest::prelude::*;

    const ATOMS: &[&str] = &[
        "frequency >= 2",
        "recency_days <= 90",
        "tag(\"重要价值客户\")",
        "tag(\"有手机号（可短信/外呼）\")",
        "monetary between 100 and 2000",
        "tier is empty",
        "source has \"pos\"",
        "segment in (\"general_retain\", \"important_keep\")",
        "tag(\"消费5次及以上\")",
        "dormancy = \"lost\"",
    ];

    fn rule() -> impl Strategy<Value = String> {
        let leaf = proptest::sample::select(ATOMS).prop_map(str::to_string);
        leaf.prop_recursive(4, 16, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
                inner.prop_map(|a| format!("not ({a})")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

        /// A rule run node by node over bits selects exactly the members it matches one by one.
        #[test]
        fn a_rule_counts_the_members_it_matches(text in rule()) {
            thread_local! {
                static A: memberlens::Analysis = crate::support::analyze(&["members.csv", "pos_sales.csv"]);
            }
            A.with(|a| {
                let tags = Catalogue::default_catalogue().make(&a.members);
                let rule = Rule::compile(&text, &tags).unwrap();
                let one_by_one: Vec<usize> = a
                    .members
                    .iter()
                    .filter(|m| rule.matches(m, &tags))
                    .map(|m| m.index())
                    .collect();
                prop_assert_eq!(rule.select(&a.members, &tags), one_by_one.clone());
                prop_assert_eq!(rule.count(&a.members, &tags), one_by_one.len());
                Ok(())
            })?;
        }
    }
}
