//! Stores and channels (门店与渠道): members, buyers, orders, revenue, AOV, repurchase rate and
//! monthly revenue per store or channel, and 店均销 month by month.

use rustc_hash::FxHashMap;

use super::{month_label, Months};
use crate::analysis::stats::{money, ratio, round2};
use crate::model::population::{label_ids, Population};
use crate::model::NONE;
use crate::report::{OutletStats, StoreMonth};

/// Per label: buyers, repeat buyers, orders, net cents, purchase cents per month (from the
/// population's first month; empty until the label has a purchase).
#[derive(Default)]
struct Acc {
    buyers: usize,
    repeat: usize,
    orders: usize,
    cents: i64,
    used: bool,
    months: Vec<i64>,
}

/// One kind of label being counted: its accumulators and a member's tally.
struct Side {
    acc: Vec<Acc>,
    tally: Vec<(u32, u32)>,
}

impl Side {
    fn purchase(&mut self, id: u32, month: usize, span: usize, cents: i64) {
        let a = &mut self.acc[id as usize];
        a.used = true;
        a.orders += 1;
        a.cents += cents;
        if a.months.is_empty() {
            a.months = vec![0; span];
        }
        a.months[month] += cents;
        match self.tally.iter_mut().find(|(l, _)| *l == id) {
            Some(t) => t.1 += 1,
            None => self.tally.push((id, 1)),
        }
    }

    /// The member's purchases are counted: their buyers and repeat buyers.
    fn member_done(&mut self) {
        for (id, n) in self.tally.drain(..) {
            let a = &mut self.acc[id as usize];
            a.buyers += 1;
            a.repeat += usize::from(n >= 2);
        }
    }

    fn kept(self, names: &[String]) -> (Vec<String>, Vec<Acc>) {
        names
            .iter()
            .cloned()
            .zip(self.acc)
            .filter(|(_, a)| a.used)
            .unzip()
    }
}

/// Stores and channels over the members' purchases and returns, in one pass.
fn outlets(
    pop: &Population<'_>,
    months: &Months,
    first_month: i32,
) -> [(Vec<String>, Vec<Acc>); 2] {
    // Labels are per file: one id per distinct text across files.
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut names: Vec<String> = Vec::new();
    let per_file: Vec<Vec<u32>> = pop
        .order_files
        .iter()
        .map(|f| {
            f.map(|f| {
                f.labels
                    .iter()
                    .map(|l| {
                        *ids.entry(l.as_str()).or_insert_with(|| {
                            names.push(l.clone());
                            names.len() as u32 - 1
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
        })
        .collect();
    let label_of = |file: usize, label: u32| -> Option<u32> {
        (label != NONE).then(|| per_file[file][label as usize])
    };
    let side = || Side {
        acc: (0..names.len()).map(|_| Acc::default()).collect(),
        tally: Vec::new(),
    };
    let (mut stores, mut channels) = (side(), side());
    let span = (months.get(pop.as_of) - first_month + 1).max(1) as usize;
    if !names.is_empty() {
        for m in &pop.members {
            for p in m.purchases {
                let f = p.source as usize;
                let Some(Some(file)) = pop.order_files.get(f) else {
                    continue;
                };
                if file.labels.is_empty() {
                    continue;
                }
                let [store, channel, _] = label_ids(file, p);
                let month = (months.get(p.day) - first_month) as usize;
                if let Some(id) = label_of(f, store) {
                    stores.purchase(id, month, span, p.net_cents);
                }
                if let Some(id) = label_of(f, channel) {
                    channels.purchase(id, month, span, p.net_cents);
                }
            }
            stores.member_done();
            channels.member_done();
        }
    }
    // The members' returns at each label (rows on or before as-of whose person is a member).
    for (fi, f) in pop.order_files.iter().enumerate() {
        let Some(f) = f else { continue };
        for r in f.returns.iter().filter(|r| r.day <= pop.as_of) {
            if r.person == NONE || pop.person_member[fi].get(r.person as usize).is_none() {
                continue;
            }
            for (side, raw) in [(&mut stores, r.store), (&mut channels, r.channel)] {
                if let Some(id) = label_of(fi, raw) {
                    side.acc[id as usize].cents += r.cents;
                    side.acc[id as usize].used = true;
                }
            }
        }
    }
    [stores.kept(&names), channels.kept(&names)]
}

fn stats(
    names: Vec<String>,
    acc: &[Acc],
    members: impl Fn(&str) -> Option<usize>,
) -> Vec<OutletStats> {
    let mut v: Vec<OutletStats> = names
        .into_iter()
        .zip(acc)
        .map(|(label, a)| {
            let revenue = money(a.cents);
            let months = a.months.iter().filter(|c| **c != 0).count();
            OutletStats {
                members: members(&label),
                label,
                buyers: a.buyers,
                orders: a.orders,
                revenue: round2(revenue),
                aov: round2(ratio(revenue, a.orders as f64)),
                repurchase_rate: ratio(a.repeat as f64, a.buyers as f64),
                active_months: months,
                revenue_per_month: round2(ratio(revenue, months as f64)),
            }
        })
        .collect();
    v.sort_by(|a, b| {
        b.revenue
            .total_cmp(&a.revenue)
            .then_with(|| a.label.cmp(&b.label))
    });
    v
}

/// Stores, channels and the months of stores.
/// `registered`: members registered at each store (from the members' records).
pub fn run(
    pop: &Population<'_>,
    months: &Months,
    registered: &FxHashMap<String, usize>,
) -> (Vec<OutletStats>, Vec<OutletStats>, Vec<StoreMonth>) {
    let first_month = months.get(months.first());
    let [(store_names, store_acc), (channel_names, channel_acc)] =
        outlets(pop, months, first_month);
    // 店均销 by month: stores with a purchase in the month, and their revenue.
    let span = store_acc.iter().map(|a| a.months.len()).max().unwrap_or(0);
    let store_months = (0..span)
        .filter_map(|k| {
            let (stores, cents) = store_acc
                .iter()
                .filter_map(|a| a.months.get(k).filter(|c| **c != 0))
                .fold((0usize, 0i64), |(n, s), c| (n + 1, s + c));
            (stores > 0).then(|| StoreMonth {
                month: month_label(first_month + k as i32),
                stores,
                revenue: round2(money(cents)),
                revenue_per_store: round2(ratio(money(cents), stores as f64)),
            })
        })
        .collect();
    let stores = stats(store_names, &store_acc, |l| {
        Some(registered.get(l).copied().unwrap_or(0))
    });
    let channels = stats(channel_names, &channel_acc, |_| None);
    (stores, channels, store_months)
}
