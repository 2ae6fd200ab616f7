//! Label and source figures: stores, channels, registration channels, tiers (for the
//! inventory), and buyers per source with their overlap.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use super::stats::{money, round2};
use crate::ingest::{FileData, IngestedFile};
use crate::model::population::{Member, Population};
use crate::model::NONE;
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

/// Store and channel figures from order rows (a purchase's store/channel, members only).
fn label_stats(
    files: &[&IngestedFile],
    pop: &Population,
    as_of: i32,
) -> (Vec<LabelStats>, Vec<LabelStats>) {
    let n = pop.members.len();
    let (mut stores, mut channels) = (LabelAcc::new(n), LabelAcc::new(n));
    for (fi, f) in files.iter().enumerate() {
        let FileData::Orders(o) = &f.data else {
            continue;
        };
        // The member of each person, as linking decided it.
        let member_of =
            |person: u32| (person != NONE).then(|| pop.person_member[fi][person as usize]);
        let (mut store_ids, mut channel_ids) = (stores.file(&o.labels), channels.file(&o.labels));
        for ord in o.orders.iter().filter(|x| x.day <= as_of) {
            let Some(member) = member_of(ord.person) else {
                continue;
            };
            let purchase = ord.is_purchase();
            let cents = if purchase { ord.net_cents() } else { 0 };
            store_ids.add(&mut stores, ord.store, member, purchase, cents);
            channel_ids.add(&mut channels, ord.channel, member, purchase, cents);
        }
        for r in o.returns.iter().filter(|x| x.day <= as_of) {
            let Some(member) = member_of(r.person) else {
                continue;
            };
            store_ids.add(&mut stores, r.store, member, false, r.cents);
            channel_ids.add(&mut channels, r.channel, member, false, r.cents);
        }
    }
    (stores.finish(), channels.finish())
}

/// Members counted once per label: most members keep to one store and one channel, so each
/// member's first label is kept beside them and only the other (label, member) pairs go to
/// a set (a set entry per order row, or a string key per row, cost more than the rest of the
/// figures together on a million rows).
struct Distinct {
    first: Vec<u32>,
    more: FxHashSet<u64>,
    count: Vec<usize>,
}

impl Distinct {
    fn new(members: usize) -> Self {
        Distinct {
            first: vec![NONE; members],
            more: FxHashSet::default(),
            count: Vec::new(),
        }
    }

    fn add(&mut self, label: u32, member: u32) {
        let first = &mut self.first[member as usize];
        let new = if *first == NONE {
            *first = label;
            true
        } else {
            *first != label && self.more.insert(u64::from(label) << 32 | u64::from(member))
        };
        if new {
            if self.count.len() <= label as usize {
                self.count.resize(label as usize + 1, 0);
            }
            self.count[label as usize] += 1;
        }
    }

    fn of(&self, label: usize) -> usize {
        self.count.get(label).copied().unwrap_or(0)
    }
}

/// One kind of label's figures over all files: the labels by their text (files number their
/// labels each their own way), and per label the members seen on its rows, the buyers, the
/// purchases and the net cents.
struct LabelAcc {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
    seen: Distinct,
    bought: Distinct,
    purchases: Vec<usize>,
    cents: Vec<i64>,
}

/// A file's labels as a [`LabelAcc`] numbers them (found when first used).
struct FileLabels<'a> {
    labels: &'a [String],
    global: Vec<u32>,
}

impl FileLabels<'_> {
    /// Adds a row with the file's label `label` ([`NONE`]: none) of `member`.
    fn add(&mut self, acc: &mut LabelAcc, label: u32, member: u32, purchase: bool, cents: i64) {
        if label == NONE {
            return;
        }
        let g = &mut self.global[label as usize];
        if *g == NONE {
            *g = acc.id(&self.labels[label as usize]);
        }
        acc.add(*g, member, purchase, cents);
    }
}

impl LabelAcc {
    fn new(members: usize) -> Self {
        LabelAcc {
            ids: FxHashMap::default(),
            names: Vec::new(),
            seen: Distinct::new(members),
            bought: Distinct::new(members),
            purchases: Vec::new(),
            cents: Vec::new(),
        }
    }

    fn file<'a>(&self, labels: &'a [String]) -> FileLabels<'a> {
        FileLabels {
            labels,
            global: vec![NONE; labels.len()],
        }
    }

    fn id(&mut self, label: &str) -> u32 {
        if let Some(&id) = self.ids.get(label) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(label.to_string(), id);
        self.names.push(label.to_string());
        self.purchases.push(0);
        self.cents.push(0);
        id
    }

    fn add(&mut self, label: u32, member: u32, purchase: bool, cents: i64) {
        self.seen.add(label, member);
        if purchase {
            self.bought.add(label, member);
            self.purchases[label as usize] += 1;
        }
        self.cents[label as usize] += cents;
    }

    /// By revenue, highest first; labels of equal revenue in text order.
    fn finish(self) -> Vec<LabelStats> {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b]));
        let mut v: Vec<LabelStats> = order
            .into_iter()
            .map(|i| LabelStats {
                label: self.names[i].clone(),
                members: self.seen.of(i),
                buyers: self.bought.of(i),
                purchase_orders: self.purchases[i],
                revenue: round2(money(self.cents[i])),
            })
            .collect();
        v.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
        v
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the figures counted plainly: per label text, the set of members on its rows,
    /// the set of buyers, the purchases and the cents; labels by revenue, then text.
    #[test]
    fn label_figures_match_plain_sets_over_files_numbering_labels_differently() {
        let mut rng = crate::analysis::forecast::simulate::Rng::new(0x5851_f42d_4c95_7f2d);
        for round in 0..30 {
            let members = 1 + rng.below(40) as u32;
            let texts: Vec<String> = (0..1 + rng.below(9)).map(|i| format!("门店{i}")).collect();
            // Rows: (file, file's label id or NONE, member, purchase, cents).
            let files: Vec<Vec<String>> = (0..1 + rng.below(3))
                .map(|_| {
                    let mut own = texts.clone();
                    own.rotate_left(rng.below(texts.len() as u64) as usize);
                    own
                })
                .collect();
            let mut acc = LabelAcc::new(members as usize);
            let mut plain: BTreeMap<String, (FxHashSet<u32>, FxHashSet<u32>, usize, i64)> =
                BTreeMap::new();
            for labels in &files {
                let mut ids = acc.file(labels);
                for _ in 0..rng.below(200) {
                    let label = if rng.below(6) == 0 {
                        NONE
                    } else {
                        rng.below(labels.len() as u64) as u32
                    };
                    // Members keep to a few labels, as shoppers to their stores.
                    let member = rng.below(u64::from(members)) as u32;
                    let purchase = rng.below(3) > 0;
                    let cents = if purchase {
                        1 + rng.below(50_000) as i64
                    } else {
                        -(rng.below(2_000) as i64)
                    };
                    ids.add(&mut acc, label, member, purchase, cents);
                    if label != NONE {
                        let e = plain.entry(labels[label as usize].clone()).or_default();
                        e.0.insert(member);
                        if purchase {
                            e.1.insert(member);
                            e.2 += 1;
                        }
                        e.3 += cents;
                    }
                }
            }
            let mut want: Vec<LabelStats> = plain
                .into_iter()
                .map(|(label, (m, b, n, c))| LabelStats {
                    label,
                    members: m.len(),
                    buyers: b.len(),
                    purchase_orders: n,
                    revenue: round2(money(c)),
                })
                .collect();
            want.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
            assert_eq!(acc.finish(), want, "round {round}");
        }
    }
}
