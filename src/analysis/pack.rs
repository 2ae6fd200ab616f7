//! The dormancy, lifecycle and repurchase counts of the population ([`sections`]), and the
//! population packed into the member table ([`pack`]: its records move into the rows). Both
//! classify each member the same way ([`classify`]); the counts come first, so that the first
//! results need not wait for the table.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::dormancy::{self, BuyerTier, NonBuyerTier};
use super::forecast;
use super::lifecycle::{self, Stage, StageRule};
use super::profile;
use super::repurchase;
use super::rfm::{Scores, Segment};
use super::stats::{median, money, round2};
use crate::members::{MemberTable, NewMember};
use crate::model::population::{self, Member, Population, PurchaseLabels};
use crate::model::OrderFile;
use crate::par;
use crate::report::{DormancyMode, DormancyReport, OrderedMap, RepurchaseReport};
use strum::VariantArray;

/// What packing reads besides the members: the other passes' per-member results.
pub(super) struct PackInputs<'a> {
    pub as_of: i32,
    pub thresholds: [f64; 4],
    pub stage_rule: StageRule,
    pub median_gap: Option<f64>,
    pub due_window_days: i32,
    pub scores: &'a [Option<Scores>],
    pub segs: &'a [Option<Segment>],
    pub tens: &'a [Option<u16>],
    /// Ten-segment names (then "Others"), shared by the rows.
    pub ten_names: Vec<Arc<str>>,
    pub fc_cols: &'a [Option<forecast::MemberForecast>],
}

/// The sections counted over the members.
pub(super) struct Counted {
    pub dormancy: DormancyReport,
    pub lifecycle: OrderedMap<usize>,
    pub repurchase: RepurchaseReport,
}

/// A member's dormancy tier, lifecycle stage and, for a buyer with a purchase cycle, the
/// repurchase state.
struct Class {
    tier: Tier,
    stage: Stage,
    /// First and last purchase day (buyers).
    days: Option<(i32, i32)>,
    /// Personal cycle in days, expected next purchase day and status.
    repurchase: Option<(f64, i32, repurchase::RepurchaseStatus)>,
}

enum Tier {
    Buyer(BuyerTier),
    NonBuyer(NonBuyerTier),
}

/// The class of member `m` (a non-buyer's by its record's registration day: read before the
/// record moves into the member table).
fn classify(m: &Member, inputs: &PackInputs<'_>) -> Class {
    let as_of = inputs.as_of;
    if let (Some(first), Some(last)) = (m.first_day(), m.last_day()) {
        let recency = f64::from(as_of - last);
        let tier = dormancy::buyer_tier(recency, &inputs.thresholds);
        let stage = lifecycle::buyer_stage(
            recency,
            m.frequency(),
            &inputs.thresholds,
            &inputs.stage_rule,
        );
        let repurchase =
            repurchase::personal_cycle_days(first, last, m.frequency(), inputs.median_gap).map(
                |cycle| {
                    let (next, status) = repurchase::expected_next(
                        last,
                        cycle,
                        as_of,
                        inputs.due_window_days,
                        inputs.thresholds[2],
                    );
                    (cycle, next, status)
                },
            );
        Class {
            tier: Tier::Buyer(tier),
            stage,
            days: Some((first, last)),
            repurchase,
        }
    } else {
        let since = m
            .record
            .as_ref()
            .and_then(|r| r.registered)
            .map(|d| as_of - d);
        Class {
            tier: Tier::NonBuyer(NonBuyerTier::of(since)),
            stage: lifecycle::non_buyer_stage(since, &inputs.thresholds),
            days: None,
            repurchase: None,
        }
    }
}

/// The dormancy tiers, lifecycle stages and repurchase statuses of the population.
pub(super) fn sections(
    pop: &Population<'_>,
    inputs: &PackInputs<'_>,
    mode: DormancyMode,
) -> Counted {
    let mut tier_n: FxHashMap<BuyerTier, usize> = FxHashMap::default();
    let mut tier_rev: FxHashMap<BuyerTier, i64> = FxHashMap::default();
    let mut nb_n: FxHashMap<NonBuyerTier, usize> = FxHashMap::default();
    let mut stage_n: FxHashMap<Stage, usize> = FxHashMap::default();
    let mut rep = RepurchaseReport::default();
    let mut cycles: Vec<f64> = Vec::new();
    for m in &pop.members {
        let c = classify(m, inputs);
        match c.tier {
            Tier::Buyer(t) => {
                *tier_n.entry(t).or_default() += 1;
                *tier_rev.entry(t).or_default() += m.net_spend_cents();
            }
            Tier::NonBuyer(t) => *nb_n.entry(t).or_default() += 1,
        }
        *stage_n.entry(c.stage).or_default() += 1;
        if let (Some((cycle, _, status)), Some((first, last))) = (c.repurchase, c.days) {
            if m.frequency() >= 2 && last > first {
                cycles.push(cycle);
            }
            rep.overdue += usize::from(status.is_overdue());
            match status {
                repurchase::RepurchaseStatus::RecentlyOverdue => rep.recently_overdue += 1,
                repurchase::RepurchaseStatus::LongOverdue => rep.long_overdue += 1,
                repurchase::RepurchaseStatus::Lapsed => rep.lapsed += 1,
                repurchase::RepurchaseStatus::Due => rep.due += 1,
                repurchase::RepurchaseStatus::Later => rep.later += 1,
            }
        }
    }
    rep.median_personal_cycle_days = median(&mut cycles);
    let count = |n: Option<&usize>| n.copied().unwrap_or(0);
    Counted {
        dormancy: DormancyReport {
            mode,
            thresholds: inputs.thresholds,
            buyers: OrderedMap(
                BuyerTier::VARIANTS
                    .iter()
                    .map(|t| (t.key().to_string(), count(tier_n.get(t))))
                    .collect(),
            ),
            buyers_revenue: OrderedMap(
                BuyerTier::VARIANTS
                    .iter()
                    .map(|t| {
                        let cents = tier_rev.get(t).copied().unwrap_or(0);
                        (t.key().to_string(), round2(money(cents)))
                    })
                    .collect(),
            ),
            non_buyers: OrderedMap(
                NonBuyerTier::VARIANTS
                    .iter()
                    .map(|t| (t.key().to_string(), count(nb_n.get(t))))
                    .collect(),
            ),
        },
        lifecycle: OrderedMap(
            Stage::VARIANTS
                .iter()
                .map(|s| (s.key().to_string(), count(stage_n.get(s))))
                .collect(),
        ),
        repurchase: rep,
    }
}

/// Packs the population into the member table: its members' records move into the rows,
/// their purchases and the rest stay for the passes after (growth). Each half of the members
/// is packed on its own thread (native), then the halves are joined. The rows' state at the
/// comparison date is set later ([`MemberTable::set_then`]), by the growth pass.
pub(super) fn pack(pop: &mut Population<'_>, inputs: &PackInputs<'_>) -> MemberTable {
    let has_labels = pop.has_labels();
    let Population {
        members,
        source_labels,
        order_files,
        knows_refunds,
        ..
    } = pop;
    let ctx = RowContext {
        inputs,
        source_labels,
        order_files: has_labels.then_some(order_files.as_slice()),
        knows_refunds: *knows_refunds,
    };
    // Halves on two threads, joined; in one piece where there is one thread (Wasm), which
    // saves copying the second half into the first.
    if par::threads() > 1 {
        let half = members.len() / 2;
        let (first, second) = members.split_at_mut(half);
        let (mut rows, rows2) = par::join(
            || member_rows(first, 0, &ctx),
            || member_rows(second, half, &ctx),
        );
        rows.append(rows2);
        rows
    } else {
        member_rows(members, 0, &ctx)
    }
}

/// What the member loop reads besides the members.
struct RowContext<'a> {
    inputs: &'a PackInputs<'a>,
    source_labels: &'a [String],
    /// The orders files by index, when any has a store, channel or category label.
    order_files: Option<&'a [Option<&'a OrderFile>]>,
    /// True when the data can show refunds (a refund column or return rows).
    knows_refunds: bool,
}

/// The member-table rows of `members` (member `first + i` of the population is
/// `members[i]`), taking their records.
fn member_rows(members: &mut [Member], first: usize, ctx: &RowContext<'_>) -> MemberTable {
    let as_of = ctx.inputs.as_of;
    let mut rows = MemberTable::with_capacity(members.len(), as_of);
    // Most members share one of a few source sets: one shared list per set.
    let mut source_sets: FxHashMap<Vec<u16>, Arc<[String]>> = FxHashMap::default();
    let mut bought_in: Vec<u16> = Vec::new();
    for (k, m) in members.iter_mut().enumerate() {
        let i = first + k;
        // The files the member bought in (not every file they appear in: a member whose only
        // rows in a file are closed or refunded orders did not buy there).
        bought_in.clear();
        for p in m.purchases {
            if !bought_in.contains(&p.source) {
                bought_in.push(p.source);
            }
        }
        bought_in.sort_unstable();
        let sources = match source_sets.get(&bought_in) {
            Some(s) => s.clone(),
            None => {
                let set: Arc<[String]> = bought_in
                    .iter()
                    .map(|s| ctx.source_labels[*s as usize].clone())
                    .collect();
                source_sets.insert(bought_in.clone(), set.clone());
                set
            }
        };
        let first_purchase = m.purchases.first();
        let first_labels = match (ctx.order_files, first_purchase) {
            (Some(files), Some(p)) => population::purchase_labels(files, p),
            _ => PurchaseLabels::default(),
        };
        let first = [
            first_purchase.map(|p| ctx.source_labels[p.source as usize].as_str()),
            first_labels.channel,
            first_labels.store,
        ];
        // Net spend in (as_of − 365, as_of]: purchases and returns.
        let year_ago = ctx.inputs.as_of - 365;
        let spend_12m_cents: i64 = m
            .purchases
            .iter()
            .filter(|p| p.day > year_ago)
            .map(|p| p.net_cents)
            .sum::<i64>()
            + m.returns
                .iter()
                .filter(|r| r.0 > year_ago)
                .map(|r| r.1)
                .sum::<i64>();
        let refund_rate = (ctx.knows_refunds && m.paid_cents > 0).then(|| {
            let refunded = m.refund_cents - m.returns_cents();
            (refunded as f64 / m.paid_cents as f64).min(1.0)
        });
        let preferred = match ctx.order_files {
            Some(files) => {
                let of = |pick: fn(PurchaseLabels<'_>) -> Option<&str>| {
                    profile::preferred(
                        m.purchases
                            .iter()
                            .map(|p| (pick(population::purchase_labels(files, p)), p)),
                    )
                };
                [of(|l| l.store), of(|l| l.channel), of(|l| l.category)]
            }
            None => [None; 3],
        };
        let class = classify(m, ctx.inputs);
        let record = m.record.take();
        let mut row = NewMember {
            ids: [m.keys.member_id, m.keys.phone, m.keys.email, m.name],
            record,
            sources,
            frequency: m.frequency(),
            monetary: money(m.net_spend_cents().max(0)),
            preferred,
            first,
            refund_rate,
            // Known only from order rows: a member-summary row's last year cannot be split out.
            spend_12m: if m.purchases.is_empty() && m.summary.is_some_and(|s| s.last_day > year_ago)
            {
                f64::NAN
            } else {
                money(spend_12m_cents.max(0))
            },
            ..Default::default()
        };
        row.lifecycle = class.stage.key();
        row.dormancy = match class.tier {
            Tier::Buyer(t) => t.key(),
            Tier::NonBuyer(t) => t.key(),
        };
        if let Some((first, last)) = class.days {
            row.first_purchase = Some(first);
            row.last_purchase = Some(last);
            row.recency_days = Some(as_of - last);
        }
        if let Some((cycle, next, status)) = class.repurchase {
            row.personal_cycle_days = Some((cycle * 10.0).round() / 10.0);
            row.expected_next_purchase = Some(next);
            row.repurchase_status = Some(status.key());
        }
        if let Some(s) = ctx.inputs.scores[i] {
            row.scores = Some([s.r, s.f, s.m]);
            row.segment = ctx.inputs.segs[i].map(Segment::key);
            row.segment_ten = ctx.inputs.tens[i].map(|k| ctx.inputs.ten_names[k as usize].clone());
        }
        if let Some(Some(fc)) = ctx.inputs.fc_cols.get(i) {
            row.forecast = Some(fc.values);
            row.churn_band = Some(fc.churn_band.key());
        }
        rows.push(row);
    }
    rows
}
