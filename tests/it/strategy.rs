//! The playbook applied: each action's members, reach and value at stake against a plain tally
//! of the exported member rows; editing a play changes the plan; a bad playbook names the play
//! and the field.

use std::collections::HashMap;

use memberlens::report::{Channel, ValueBasis};
use memberlens::strategy::Playbook;
use memberlens::Analyzer;

use crate::support::{exported_rows, trio_analyzer as analyzer};

type Row = HashMap<String, String>;

/// The action of a play in the latest plan.
fn action(a: &Analyzer, key: &str) -> memberlens::report::Action {
    let plan = &a.analysis().unwrap().report.action_plan;
    plan.actions.iter().find(|x| x.key == key).unwrap().clone()
}

/// The plain side: which exported rows a shipped play's rule means, read off its key.
fn covered<'r>(rows: &'r [Row], key: &str) -> Vec<&'r Row> {
    let (group, value) = key.split_once('.').unwrap();
    let column = match group {
        "rfm" => "segment",
        "dormancy" | "non_buyer" => "dormancy",
        "lifecycle" => "lifecycle",
        _ => return Vec::new(),
    };
    rows.iter().filter(|r| r[column] == value).collect()
}

#[test]
fn value_at_stake_and_reach_are_what_the_member_rows_add_up_to() {
    for forecast in [true, false] {
        let a = analyzer(forecast);
        let rows = exported_rows(a.analysis().unwrap());
        let plan = &a.analysis().unwrap().report.action_plan;
        assert_eq!(
            plan.value_basis,
            if forecast {
                ValueBasis::Clv
            } else {
                ValueBasis::Spend12m
            }
        );
        let mut checked = 0;
        for act in &plan.actions {
            if act.group == "rfm_ten" {
                continue;
            }
            let mine = covered(&rows, &act.key);
            assert_eq!(act.members, mine.len(), "{}", act.key);
            let value_col = if forecast { "clv" } else { "spend_12m" };
            let value: f64 = mine
                .iter()
                .map(|r| r[value_col].parse::<f64>().unwrap_or(0.0))
                .sum();
            if act.gain_kind == memberlens::report::GainKind::ValueShare {
                assert!(
                    (act.value_at_stake - value).abs() < 0.05 + value * 1e-9,
                    "{}: {} vs {value}",
                    act.key,
                    act.value_at_stake
                );
            } else {
                let want = act.members as f64 * plan.mean_first_purchase_value;
                assert!((act.value_at_stake - want).abs() < 0.01 * act.members as f64 + 0.01);
            }
            assert!((act.expected_gain - act.value_at_stake * act.gain_rate).abs() < 0.01);
            // The fixtures have phones and no guide or follower column: SMS reach is the members
            // with a phone; WeCom and template-message reach are unknown, not zero.
            for r in &act.reach {
                match r.channel {
                    Channel::Sms | Channel::AiCall => assert_eq!(
                        r.reachable,
                        Some(mine.iter().filter(|m| !m["phone"].is_empty()).count()),
                        "{}",
                        act.key
                    ),
                    Channel::Wecom1v1
                    | Channel::WecomMoments
                    | Channel::TemplateMessage
                    | Channel::SubscriptionMessage => assert_eq!(r.reachable, None),
                    Channel::Email => assert_eq!(
                        r.reachable,
                        Some(mine.iter().filter(|m| !m["email"].is_empty()).count())
                    ),
                }
            }
            checked += 1;
        }
        assert!(checked >= 20);
        // Ranked by value at stake.
        for w in plan.actions.windows(2) {
            assert!(w[0].value_at_stake >= w[1].value_at_stake);
            assert_eq!(w[0].rank + 1, w[1].rank);
        }
    }
}

#[test]
fn the_calendar_counts_what_the_member_rows_say() {
    let a = analyzer(false);
    let analysis = a.analysis().unwrap();
    let rows = exported_rows(analysis);
    let cal = &analysis.report.action_plan.calendar;
    let as_of = analysis.report.as_of.0;
    let day = |s: &str| memberlens::model::Day::parse(s).map(|d| d.0);
    let due: usize = rows
        .iter()
        .filter_map(|r| day(&r["expected_next_purchase"]))
        .filter(|d| (as_of + 1..=as_of + 30).contains(d))
        .count();
    let shown: usize = cal
        .weeks
        .iter()
        .flat_map(|w| &w.entries)
        .filter(|e| e.moment == "repurchase_due")
        .map(|e| e.members)
        .sum();
    assert_eq!(shown, due);
    let (mut recent, mut long) = (0, 0);
    for r in &rows {
        let Some(d) = day(&r["expected_next_purchase"]) else {
            continue;
        };
        if d <= as_of {
            let cycle: f64 = r["personal_cycle_days"].parse().unwrap();
            if f64::from(as_of - d) <= cycle {
                recent += 1;
            } else {
                long += 1;
            }
        }
    }
    assert_eq!((cal.recently_overdue, cal.long_lapsed), (recent, long));
    // Crossing into 沉默 (recency > t1) in the next 30 days: last purchase + t1 + 1 in the window.
    let t1 = analysis.report.dormancy.thresholds[0].floor() as i32;
    let silent = rows
        .iter()
        .filter_map(|r| day(&r["last_purchase"]))
        .filter(|l| (as_of + 1..=as_of + 30).contains(&(l + t1 + 1)))
        .count();
    let shown: usize = cal
        .weeks
        .iter()
        .flat_map(|w| &w.entries)
        .filter(|e| e.moment == "enters_tier" && e.target == "silent")
        .map(|e| e.members)
        .sum();
    assert_eq!(shown, silent);
    assert_eq!(cal.weeks.len(), 5);
    assert_eq!(cal.weeks[4].to.0, as_of + 30);
}

#[test]
fn editing_a_play_changes_the_plan_and_a_bad_one_names_its_place() {
    let mut a = analyzer(false);
    let mut book: serde_json::Value = serde_json::from_str(&a.playbook_json()).unwrap();
    let i = book["plays"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["key"] == "rfm.important_retain")
        .unwrap();
    let before = action(&a, "rfm.important_retain");
    book["plays"][i]["gain"]["rate"] = serde_json::json!(0.5);
    book["plays"][i]["rule"] =
        serde_json::json!("segment = \"important_retain\" and phone is not empty");
    a.set_playbook(Some(&book.to_string())).unwrap();
    let after = action(&a, "rfm.important_retain");
    assert_eq!(after.gain_rate, 0.5);
    assert!(after.members <= before.members);
    assert_eq!(
        after.members,
        a.count_rule("segment = \"important_retain\" and phone is not empty")
            .unwrap()
    );
    // Bad playbooks: the place and the field, in both languages; the playbook in use stays.
    let in_use = a.playbook_json();
    let mut bad = book.clone();
    bad["plays"][3]["gain"]["rate"] = serde_json::json!(7);
    let e = a.set_playbook(Some(&bad.to_string())).unwrap_err();
    assert_eq!(e.code(), "invalid_playbook");
    assert!(
        e.message_en().contains("plays[3].gain.rate"),
        "{}",
        e.message_en()
    );
    assert!(
        e.message_zh().contains("plays[3].gain.rate"),
        "{}",
        e.message_zh()
    );
    let mut bad = book.clone();
    bad["plays"][5]["rule"] = serde_json::json!("segment >= 3");
    let e = a.set_playbook(Some(&bad.to_string())).unwrap_err();
    assert!(
        e.message_en().contains("plays[5].rule"),
        "{}",
        e.message_en()
    );
    let mut bad = book.clone();
    bad["plays"][2]["channels"] = serde_json::json!(["pigeon"]);
    let e = a.set_playbook(Some(&bad.to_string())).unwrap_err();
    assert!(e.message_en().contains("pigeon"), "{}", e.message_en());
    assert_eq!(a.playbook_json(), in_use);
}

#[test]
fn the_shipped_playbook_covers_every_segment_tier_and_stage() {
    let book = Playbook::default_playbook();
    let keys: Vec<&str> = book.plays.iter().map(|p| p.key.as_str()).collect();
    for k in [
        "rfm.important_value",
        "rfm.important_develop",
        "rfm.important_keep",
        "rfm.important_retain",
        "rfm.general_value",
        "rfm.general_develop",
        "rfm.general_keep",
        "rfm.general_retain",
        "dormancy.active",
        "dormancy.silent",
        "dormancy.near_sleep",
        "dormancy.dormant",
        "dormancy.lost",
        "non_buyer.within_30d",
        "non_buyer.days_31_90",
        "non_buyer.days_91_365",
        "non_buyer.over_365d",
        "non_buyer.unknown",
        "lifecycle.introduction",
        "lifecycle.growth",
        "lifecycle.maturity",
        "lifecycle.dormancy",
        "lifecycle.churn",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    assert_eq!(
        book.plays.iter().filter(|p| p.group == "rfm_ten").count(),
        10
    );
    // Every play's rule selects someone on the trio except where the data has no such member.
    let a = analyzer(false);
    for p in &book.plays {
        a.count_rule(&p.rule)
            .unwrap_or_else(|e| panic!("{}: {e}", p.key));
    }
}
