//! The population packed into the member table (its texts and records move into the rows),
//! with the dormancy, lifecycle and repurchase counts taken on the way.

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

/// The member table and the sections counted while packing it.
pub(super) struct Packed {
    pub members: MemberTable,
    pub dormancy: DormancyReport,
    pub lifecycle: OrderedMap<usize>,
    pub repurchase: RepurchaseReport,
}

/// Packs the population: its members' records move into the rows, their purchases and the
/// rest stay for the passes after (growth). Each half of the members is packed on its own
/// thread (native), then the halves are joined. The rows' state at the comparison date is
/// set later ([`MemberTable::set_then`]), by the growth pass.
pub(super) fn pack(
    pop: &mut Population<'_>,
    inputs: &PackInputs<'_>,
    mode: DormancyMode,
) -> Packed {
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
    let (rows, counts) = if par::threads() > 1 {
        let half = members.len() / 2;
        let (first, second) = members.split_at_mut(half);
        let ((mut rows, mut counts), (rows2, counts2)) = par::join(
            || member_rows(first, 0, &ctx),
            || member_rows(second, half, &ctx),
        );
        rows.append(rows2);
        counts.add(counts2);
        (rows, counts)
    } else {
        member_rows(members, 0, &ctx)
    };
    let RowCounts {
        tier_n,
        tier_rev,
        nb_n,
        stage_n,
        mut rep,
        mut cycles,
    } = counts;
    rep.median_personal_cycle_days = median(&mut cycles);
    let count = |n: Option<&usize>| n.copied().unwrap_or(0);
    Packed {
        members: rows,
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

/// What the member loop reads besides the members.
struct RowContext<'a> {
    inputs: &'a PackInputs<'a>,
    source_labels: &'a [String],
    /// The orders files by index, when any has a store, channel or category label.
    order_files: Option<&'a [Option<&'a OrderFile>]>,
    /// True when the data can show refunds (a refund column or return rows).
    knows_refunds: bool,
}

/// Dormancy, lifecycle and repurchase counts over some members.
#[derive(Default)]
struct RowCounts {
    tier_n: FxHashMap<BuyerTier, usize>,
    tier_rev: FxHashMap<BuyerTier, i64>,
    nb_n: FxHashMap<NonBuyerTier, usize>,
    stage_n: FxHashMap<Stage, usize>,
    rep: RepurchaseReport,
    cycles: Vec<f64>,
}

impl RowCounts {
    fn add(&mut self, o: RowCounts) {
        for (k, v) in o.tier_n {
            *self.tier_n.entry(k).or_default() += v;
        }
        for (k, v) in o.tier_rev {
            *self.tier_rev.entry(k).or_default() += v;
        }
        for (k, v) in o.nb_n {
            *self.nb_n.entry(k).or_default() += v;
        }
        for (k, v) in o.stage_n {
            *self.stage_n.entry(k).or_default() += v;
        }
        self.rep.overdue += o.rep.overdue;
        self.rep.recently_overdue += o.rep.recently_overdue;
        self.rep.long_overdue += o.rep.long_overdue;
        self.rep.lapsed += o.rep.lapsed;
        self.rep.due += o.rep.due;
        self.rep.later += o.rep.later;
        self.cycles.extend(o.cycles);
    }
}

/// The member-table rows of `members` (member `first + i` of the population is
/// `members[i]`), taking their texts, and the counts over them.
fn member_rows(
    members: &mut [Member],
    first: usize,
    ctx: &RowContext<'_>,
) -> (MemberTable, RowCounts) {
    let as_of = ctx.inputs.as_of;
    let mut counts = RowCounts::default();
    let RowCounts {
        tier_n,
        tier_rev,
        nb_n,
        stage_n,
        rep,
        cycles,
    } = &mut counts;
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
        let record = m.record.take();
        let registered_at = record.as_ref().and_then(|r| r.registered);
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
        if let (Some(first), Some(last)) = (m.first_day(), m.last_day()) {
            let recency = as_of - last;
            row.first_purchase = Some(first);
            row.last_purchase = Some(last);
            row.recency_days = Some(recency);
            let tier = dormancy::buyer_tier(f64::from(recency), &ctx.inputs.thresholds);
            *tier_n.entry(tier).or_default() += 1;
            *tier_rev.entry(tier).or_default() += m.net_spend_cents();
            row.dormancy = tier.key();
            let stage = lifecycle::buyer_stage(
                f64::from(recency),
                m.frequency(),
                &ctx.inputs.thresholds,
                &ctx.inputs.stage_rule,
            );
            *stage_n.entry(stage).or_default() += 1;
            row.lifecycle = stage.key();
            if let Some(cycle) =
                repurchase::personal_cycle_days(first, last, m.frequency(), ctx.inputs.median_gap)
            {
                if m.frequency() >= 2 && last > first {
                    cycles.push(cycle);
                }
                let (next, status) = repurchase::expected_next(
                    last,
                    cycle,
                    as_of,
                    ctx.inputs.due_window_days,
                    ctx.inputs.thresholds[2],
                );
                row.personal_cycle_days = Some((cycle * 10.0).round() / 10.0);
                row.expected_next_purchase = Some(next);
                row.repurchase_status = Some(status.key());
                rep.overdue += usize::from(status.is_overdue());
                match status {
                    repurchase::RepurchaseStatus::RecentlyOverdue => rep.recently_overdue += 1,
                    repurchase::RepurchaseStatus::LongOverdue => rep.long_overdue += 1,
                    repurchase::RepurchaseStatus::Lapsed => rep.lapsed += 1,
                    repurchase::RepurchaseStatus::Due => rep.due += 1,
                    repurchase::RepurchaseStatus::Later => rep.later += 1,
                }
            }
        } else {
            let since = registered_at.map(|d| as_of - d);
            let tier = NonBuyerTier::of(since);
            *nb_n.entry(tier).or_default() += 1;
            row.dormancy = tier.key();
            let stage = lifecycle::non_buyer_stage(since, &ctx.inputs.thresholds);
            *stage_n.entry(stage).or_default() += 1;
            row.lifecycle = stage.key();
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
    (rows, counts)
}
