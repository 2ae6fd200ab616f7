//! Strategy (运营策略): the playbook as data ([`playbook`]) applied to a run's members — each
//! play's members, reach per channel, value at stake and expected gain, ranked — and the touch
//! calendar of the next 30 days. Plays select members with rules of the rule language, so a
//! playbook works with segment, tier and stage keys alone, and with tags where a scheme has them.

pub mod playbook;

pub use playbook::{Play, Playbook, PlaybookError, DEFAULT_PLAYBOOK};

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::members::{Column, MemberTable, MemberView, Value};
use crate::model::Day;
use crate::report::{
    Action, ActionPlan, CalendarEntry, CalendarWeek, Channel, ChannelReach, GainKind,
    TouchCalendar, ValueBasis,
};
use crate::tags::{Rule, RuleError, TagSource};

/// What applying a playbook needs besides the members and tags.
#[derive(Debug, Clone, Copy)]
pub struct PlanInputs {
    /// The as-of date.
    pub as_of: i32,
    /// Dormancy thresholds t1..t4 (days).
    pub thresholds: [f64; 4],
    /// Mean net value of a buyer's first purchase.
    pub mean_first_purchase_value: f64,
}

/// The contact fields channels need: phone (SMS, AI call), guide (WeCom), e-mail, follower
/// (template message). Read once per member as whether it can be reached ([`Fields::reach`]),
/// and over all members as whether the data can tell ([`Fields::known`]: no guide column at
/// all makes WeCom reach unknown, not zero).
#[derive(Debug, Clone, Copy, Default)]
struct Fields {
    phone: bool,
    guide: bool,
    email: bool,
    follower: bool,
}

impl Fields {
    /// What a member can be reached by.
    fn reach(m: &MemberView<'_>) -> Fields {
        Fields {
            phone: m.phone().is_some(),
            guide: m.guide().is_some(),
            email: m.email().is_some(),
            follower: m.follower() == Some(true),
        }
    }

    /// Which fields some member has (the follower flag with either value).
    fn known(members: &MemberTable) -> Fields {
        let mut k = Fields::default();
        for m in members.iter() {
            k.phone |= m.phone().is_some();
            k.email |= m.email().is_some();
            k.guide |= m.guide().is_some();
            k.follower |= m.follower().is_some();
            if k.phone && k.email && k.guide && k.follower {
                break;
            }
        }
        k
    }

    /// Whether the field a channel needs is there.
    fn channel(self, c: Channel) -> bool {
        match c {
            Channel::Sms | Channel::AiCall => self.phone,
            Channel::Wecom1v1 | Channel::WecomMoments => self.guide,
            Channel::Email => self.email,
            Channel::TemplateMessage => self.follower,
            Channel::SubscriptionMessage => false,
        }
    }
}

/// Running figures of one play.
#[derive(Default, Clone)]
struct Tally {
    members: usize,
    reach: Vec<usize>,
    any: usize,
    value: f64,
}

/// Applies the playbook: one pass over the members for every play's rule.
pub fn plan(
    book: &Playbook,
    members: &MemberTable,
    tags: &dyn TagSource,
    inputs: &PlanInputs,
) -> ActionPlan {
    let rules: Vec<Result<Rule, RuleError>> = book
        .plays
        .iter()
        .map(|p| Rule::compile(&p.rule, tags))
        .collect();
    let forecasts = members.has_forecasts();
    let known = Fields::known(members);
    // Plays whose rule is one `column = "value"` are found by one lookup of their column per
    // member; the others run their rule.
    let mut by_column: Vec<(&'static Column, FxHashMap<&str, Vec<usize>>)> = Vec::new();
    let mut ruled: Vec<usize> = Vec::new();
    for (k, r) in rules.iter().enumerate() {
        match r.as_ref().ok().and_then(Rule::as_equality) {
            Some((c, v)) => match by_column.iter_mut().find(|(bc, _)| bc.key == c.key) {
                Some((_, map)) => map.entry(v).or_default().push(k),
                None => by_column.push((c, FxHashMap::from_iter([(v, vec![k])]))),
            },
            None if r.is_ok() => ruled.push(k),
            None => {}
        }
    }
    // The other plays' members as bits, each rule run over the table once.
    let ruled: Vec<(usize, Vec<u64>)> = ruled
        .into_iter()
        .filter_map(|k| Some((k, rules[k].as_ref().ok()?.bits(members, tags))))
        .collect();
    let n = members.len();
    let parts = crate::par::threads().min(n.div_ceil(1 << 14)).max(1);
    let ranges: Vec<std::ops::Range<usize>> = (0..parts)
        .map(|p| p * n / parts..(p + 1) * n / parts)
        .collect();
    let empty: Vec<Tally> = book
        .plays
        .iter()
        .map(|p| Tally {
            reach: vec![0; p.channels.len()],
            ..Default::default()
        })
        .collect();
    let part_tallies = crate::par::map_owned(ranges, |range| {
        let mut tally = empty.clone();
        let mut hits: Vec<usize> = Vec::new();
        for m in range.map(|i| members.view(i)) {
            hits.clear();
            for (c, map) in &by_column {
                let v = match (c.get)(&m) {
                    Value::Text(t) | Value::Key(t) => t,
                    _ => continue,
                };
                if let Some(ks) = map.get(v) {
                    hits.extend_from_slice(ks);
                }
            }
            let i = m.index();
            for (k, bits) in &ruled {
                if bits[i / 64] >> (i % 64) & 1 == 1 {
                    hits.push(*k);
                }
            }
            if hits.is_empty() {
                continue;
            }
            let value = if forecasts {
                m.forecast().map_or(0.0, |f| f.clv)
            } else {
                m.spend_12m().unwrap_or(0.0)
            };
            let reach = Fields::reach(&m);
            for &k in &hits {
                let (p, t) = (&book.plays[k], &mut tally[k]);
                t.members += 1;
                t.value += value;
                let mut any = false;
                for (j, c) in p.channels.iter().enumerate() {
                    if known.channel(*c) && reach.channel(*c) {
                        t.reach[j] += 1;
                        any = true;
                    }
                }
                t.any += usize::from(any);
            }
        }
        tally
    });
    let mut tally = empty;
    for part in part_tallies {
        for (t, p) in tally.iter_mut().zip(part) {
            t.members += p.members;
            t.value += p.value;
            t.any += p.any;
            for (a, b) in t.reach.iter_mut().zip(p.reach) {
                *a += b;
            }
        }
    }
    let total = members.len();
    let mut actions: Vec<Action> = book
        .plays
        .iter()
        .zip(&rules)
        .zip(tally)
        .map(|((p, rule), t)| {
            let known: Vec<bool> = p.channels.iter().map(|c| known.channel(*c)).collect();
            let value_at_stake = round2(match p.gain.kind {
                GainKind::ValueShare => t.value,
                GainKind::Conversion => t.members as f64 * inputs.mean_first_purchase_value,
            });
            Action {
                key: p.key.clone(),
                group: p.group.clone(),
                rule: p.rule.clone(),
                name_zh: p.name_zh.clone(),
                name_en: p.name_en.clone(),
                error_en: rule.as_ref().err().map(RuleError::message_en),
                error_zh: rule.as_ref().err().map(RuleError::message_zh),
                members: t.members,
                share: if total == 0 {
                    0.0
                } else {
                    t.members as f64 / total as f64
                },
                reach: p
                    .channels
                    .iter()
                    .zip(&t.reach)
                    .zip(&known)
                    .map(|((c, n), k)| ChannelReach {
                        channel: *c,
                        reachable: k.then_some(*n),
                    })
                    .collect(),
                reachable_any: known.iter().any(|k| *k).then_some(t.any),
                reach_complete: known.iter().all(|k| *k),
                value_at_stake,
                gain_kind: p.gain.kind,
                gain_rate: p.gain.rate,
                expected_gain: round2(value_at_stake * p.gain.rate),
                rank: 0,
            }
        })
        .collect();
    // Ranked by value at stake, then members, then playbook order (a stable sort).
    let mut order: Vec<usize> = (0..actions.len()).collect();
    order.sort_by(|&a, &b| {
        actions[b]
            .value_at_stake
            .total_cmp(&actions[a].value_at_stake)
            .then(actions[b].members.cmp(&actions[a].members))
    });
    for (rank, &i) in order.iter().enumerate() {
        actions[i].rank = rank + 1;
    }
    let mut ranked: Vec<Option<Action>> = actions.into_iter().map(Some).collect();
    let actions = order.iter().filter_map(|&i| ranked[i].take()).collect();
    ActionPlan {
        value_basis: if forecasts {
            ValueBasis::Clv
        } else {
            ValueBasis::Spend12m
        },
        mean_first_purchase_value: round2(inputs.mean_first_purchase_value),
        actions,
        calendar: calendar(book, &rules, members, tags, inputs),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The dormancy tier a buyer enters when recency passes threshold `k` (0-based).
const ENTERED: [&str; 4] = ["silent", "near_sleep", "dormant", "lost"];

/// The touch calendar: who comes due for a repurchase, and who crosses into a quieter tier,
/// in each week of the next 30 days; and how many are overdue, recently or long.
fn calendar(
    book: &Playbook,
    rules: &[Result<Rule, RuleError>],
    members: &MemberTable,
    tags: &dyn TagSource,
    inputs: &PlanInputs,
) -> TouchCalendar {
    let as_of = inputs.as_of;
    let week_of = |d: i32| -> Option<usize> {
        let k = d - as_of;
        (1..=30).contains(&k).then(|| ((k - 1) / 7) as usize)
    };
    // The play of a group the member matches first (playbook order).
    let play_of = |m: &MemberView<'_>, group: &str| -> Option<&str> {
        book.plays
            .iter()
            .zip(rules)
            .find(|(p, r)| p.group == group && r.as_ref().is_ok_and(|r| r.matches(m, tags)))
            .map(|(p, _)| p.key.as_str())
    };
    // The play written for a tier the member has not entered yet: its key, or a dormancy play
    // whose rule names the tier.
    let tier_play = |tier: &str| -> Option<String> {
        let quoted = format!("\"{tier}\"");
        book.plays
            .iter()
            .find(|p| p.key == format!("dormancy.{tier}"))
            .or_else(|| {
                book.plays
                    .iter()
                    .find(|p| p.group == "dormancy" && p.rule.contains(&quoted))
            })
            .map(|p| p.key.clone())
    };
    let tier_plays: Vec<Option<String>> = ENTERED.iter().map(|t| tier_play(t)).collect();
    // (week, moment, target, action) → members; texts borrowed, copied once per entry below.
    let mut buckets: BTreeMap<(usize, &'static str, &str, Option<&str>), usize> = BTreeMap::new();
    let (mut recently_overdue, mut long_lapsed) = (0, 0);
    for m in members.iter() {
        if let Some(next) = m.expected_next_purchase() {
            if let Some(w) = week_of(next) {
                let target = m.segment().unwrap_or("unscored");
                let action = play_of(&m, "rfm");
                *buckets
                    .entry((w, "repurchase_due", target, action))
                    .or_default() += 1;
            } else if next <= as_of {
                let late = f64::from(as_of - next);
                if late <= m.personal_cycle_days().unwrap_or(0.0) {
                    recently_overdue += 1;
                } else {
                    long_lapsed += 1;
                }
            }
        }
        if let Some(last) = m.last_purchase() {
            for (k, t) in inputs.thresholds.iter().enumerate() {
                let day = last + t.floor() as i32 + 1;
                if let Some(w) = week_of(day) {
                    let tier = ENTERED[k];
                    *buckets
                        .entry((w, "enters_tier", tier, tier_plays[k].as_deref()))
                        .or_default() += 1;
                }
            }
        }
    }
    let weeks = (0..5)
        .map(|w| {
            let from = as_of + 1 + 7 * w as i32;
            CalendarWeek {
                from: Day(from),
                to: Day((from + 6).min(as_of + 30)),
                entries: buckets
                    .iter()
                    .filter(|((bw, ..), _)| *bw == w)
                    .map(|((_, moment, target, action), n)| CalendarEntry {
                        moment: moment.to_string(),
                        target: target.to_string(),
                        members: *n,
                        action: action.map(str::to_string),
                    })
                    .collect(),
            }
        })
        .collect();
    TouchCalendar {
        weeks,
        recently_overdue,
        long_lapsed,
    }
}
