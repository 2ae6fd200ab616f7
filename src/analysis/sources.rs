//! Label and source figures: stores, channels, registration channels, tiers (for the
//! inventory), and buyers per source with their overlap.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use super::stats::{money, round2};
use crate::ingest::{FileData, IngestedFile};
use crate::model::population::{Member, Population};
use crate::report::{LabelStats, OrderedMap, SourceOverlap, SourceReport};

/// The label figures the inventory section shows.
pub(super) struct LabelFigures {
    pub by_store: Vec<LabelStats>,
    pub by_channel: Vec<LabelStats>,
    pub by_reg_channel: Vec<LabelStats>,
    pub tier_counts: OrderedMap<usize>,
    pub members_in_member_file: usize,
}

/// Label figures and the sources with their overlap.
pub(super) struct LabelPart {
    pub labels: LabelFigures,
    pub sources: Vec<SourceReport>,
    pub source_overlap: Vec<SourceOverlap>,
}

pub(super) fn run(files: &[&IngestedFile], pop: &Population, as_of: i32) -> LabelPart {
    let (by_store, by_channel) = label_stats(files, pop, as_of);
    let by_reg_channel = member_label_stats(pop, |m| {
        m.record.as_ref().and_then(|r| r.reg_channel.clone())
    });
    let tier_counts = OrderedMap(
        member_label_stats(pop, |m| m.record.as_ref().and_then(|r| r.tier.clone()))
            .into_iter()
            .map(|s| (s.label, s.members))
            .collect(),
    );
    let (sources, source_overlap) = source_stats(pop);
    LabelPart {
        labels: LabelFigures {
            by_store,
            by_channel,
            by_reg_channel,
            tier_counts,
            members_in_member_file: pop.members.iter().filter(|m| m.record.is_some()).count(),
        },
        sources,
        source_overlap,
    }
}

/// Per label: members seen, buyers, purchases, net cents.
type LabelAcc = BTreeMap<String, (FxHashSet<usize>, FxHashSet<usize>, usize, i64)>;

/// Store and channel figures from order rows (a purchase's store/channel, members only).
fn label_stats(
    files: &[&IngestedFile],
    pop: &Population,
    as_of: i32,
) -> (Vec<LabelStats>, Vec<LabelStats>) {
    let mut stores: LabelAcc = BTreeMap::new();
    let mut channels: LabelAcc = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        let FileData::Orders(o) = &f.data else {
            continue;
        };
        // The member of each person, as linking decided it.
        let member_of = |person: u32| {
            (person != crate::model::NONE).then(|| pop.person_member[fi][person as usize] as usize)
        };
        let add =
            |label: u32, member: Option<usize>, purchase: bool, cents: i64, map: &mut LabelAcc| {
                if label == crate::model::NONE {
                    return;
                }
                let Some(m) = member else { return };
                let e = map.entry(o.labels[label as usize].clone()).or_default();
                e.0.insert(m);
                if purchase {
                    e.1.insert(m);
                    e.2 += 1;
                }
                e.3 += cents;
            };
        for ord in o.orders.iter().filter(|x| x.day <= as_of) {
            let member = member_of(ord.person);
            let purchase = ord.is_purchase();
            let cents = if purchase { ord.net_cents() } else { 0 };
            add(ord.store, member, purchase, cents, &mut stores);
            add(ord.channel, member, purchase, cents, &mut channels);
        }
        for r in o.returns.iter().filter(|x| x.day <= as_of) {
            let member = member_of(r.person);
            add(r.store, member, false, r.cents, &mut stores);
            add(r.channel, member, false, r.cents, &mut channels);
        }
    }
    let finish = |map: LabelAcc| {
        let mut v: Vec<LabelStats> = map
            .into_iter()
            .map(|(label, (m, b, n, c))| LabelStats {
                label,
                members: m.len(),
                buyers: b.len(),
                purchase_orders: n,
                revenue: round2(money(c)),
            })
            .collect();
        v.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
        v
    };
    (finish(stores), finish(channels))
}

/// Members, buyers, purchases and revenue grouped by a member attribute.
fn member_label_stats(
    pop: &Population,
    label: impl Fn(&Member) -> Option<String>,
) -> Vec<LabelStats> {
    let mut map: BTreeMap<String, LabelStats> = BTreeMap::new();
    for m in &pop.members {
        let Some(l) = label(m) else { continue };
        let e = map.entry(l.clone()).or_insert_with(|| LabelStats {
            label: l,
            members: 0,
            buyers: 0,
            purchase_orders: 0,
            revenue: 0.0,
        });
        e.members += 1;
        if m.is_buyer() {
            e.buyers += 1;
            e.purchase_orders += m.frequency() as usize;
            e.revenue += money(m.net_spend_cents());
        }
    }
    let mut v: Vec<LabelStats> = map
        .into_values()
        .map(|mut s| {
            s.revenue = round2(s.revenue);
            s
        })
        .collect();
    v.sort_by_key(|s| std::cmp::Reverse(s.members));
    v
}

/// Per-source figures and pairwise buyer overlap.
fn source_stats(pop: &Population) -> (Vec<SourceReport>, Vec<SourceOverlap>) {
    let src: Vec<usize> = (0..pop.is_source.len())
        .filter(|&i| pop.is_source[i])
        .collect();
    let mut reports: Vec<SourceReport> = src
        .iter()
        .map(|&i| SourceReport {
            label: pop.source_labels[i].clone(),
            members: 0,
            buyers: 0,
            purchase_orders: 0,
            revenue: 0.0,
        })
        .collect();
    let pos = |fi: u16| src.iter().position(|&s| s == fi as usize);
    let mut cents = vec![0i64; src.len()];
    let mut pair = vec![vec![0usize; src.len()]; src.len()];
    let mut bought = vec![false; src.len()];
    for m in &pop.members {
        bought.fill(false);
        for s in &m.sources {
            if let Some(p) = pos(*s) {
                reports[p].members += 1;
            }
        }
        for p in m.purchases {
            if let Some(k) = pos(p.source) {
                bought[k] = true;
                reports[k].purchase_orders += 1;
                cents[k] += p.net_cents;
            }
        }
        for (k, b) in bought.iter().enumerate() {
            if *b {
                reports[k].buyers += 1;
                for (j, b2) in bought.iter().enumerate().skip(k + 1) {
                    if *b2 {
                        pair[k][j] += 1;
                    }
                }
            }
        }
    }
    for (k, r) in reports.iter_mut().enumerate() {
        r.revenue = round2(money(cents[k] + pop.counts.member_returns_cents[src[k]]));
    }
    let mut overlap = Vec::new();
    for k in 0..src.len() {
        for j in k + 1..src.len() {
            overlap.push(SourceOverlap {
                sources: [reports[k].label.clone(), reports[j].label.clone()],
                buyers: pair[k][j],
            });
        }
    }
    (reports, overlap)
}
