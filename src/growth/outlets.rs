//! Stores and channels (门店与渠道): members, buyers, orders, revenue, AOV, repurchase rate and
//! monthly revenue per store or channel, and 店均销 month by month.

use rustc_hash::{FxHashMap, FxHashSet};

use super::{month_label, month_of};
use crate::analysis::stats::{money, ratio, round2};
use crate::model::population::Population;
use crate::model::NONE;
use crate::report::{OutletStats, StoreMonth};

/// Which label of an order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Store,
    Channel,
}

/// Per label: buyers, repeat buyers, orders, net cents, cents per month.
#[derive(Default)]
struct Acc {
    buyers: usize,
    repeat: usize,
    orders: usize,
    cents: i64,
    months: FxHashMap<i32, i64>,
}

/// One kind of label (stores or channels) over the members' purchases and returns.
fn outlets(pop: &Population<'_>, kind: Kind) -> (Vec<String>, Vec<Acc>) {
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
    let mut acc: Vec<Acc> = (0..names.len()).map(|_| Acc::default()).collect();
    let mut used = vec![false; names.len()];
    let mut tally: Vec<(u32, u32)> = Vec::new();
    for m in &pop.members {
        tally.clear();
        for p in m.purchases {
            let Some(Some(file)) = pop.order_files.get(p.source as usize) else {
                continue;
            };
            let o = &file.orders[p.order as usize];
            let raw = if kind == Kind::Store {
                o.store
            } else {
                o.channel
            };
            let Some(id) = label_of(p.source as usize, raw) else {
                continue;
            };
            let a = &mut acc[id as usize];
            used[id as usize] = true;
            a.orders += 1;
            a.cents += p.net_cents;
            *a.months.entry(month_of(p.day)).or_default() += p.net_cents;
            match tally.iter_mut().find(|(l, _)| *l == id) {
                Some(t) => t.1 += 1,
                None => tally.push((id, 1)),
            }
        }
        for (id, n) in &tally {
            let a = &mut acc[*id as usize];
            a.buyers += 1;
            a.repeat += usize::from(*n >= 2);
        }
    }
    // The members' returns at each label (rows on or before as-of whose person is a member).
    for (fi, f) in pop.order_files.iter().enumerate() {
        let Some(f) = f else { continue };
        for r in f.returns.iter().filter(|r| r.day <= pop.as_of) {
            if r.person == NONE || pop.person_member[fi].get(r.person as usize).is_none() {
                continue;
            }
            let raw = if kind == Kind::Store {
                r.store
            } else {
                r.channel
            };
            if let Some(id) = label_of(fi, raw) {
                acc[id as usize].cents += r.cents;
                used[id as usize] = true;
            }
        }
    }
    let kept: Vec<(String, Acc)> = names
        .into_iter()
        .zip(acc)
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(x, _)| x)
        .collect();
    kept.into_iter().unzip()
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
            let months = a.months.len();
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
pub fn run(pop: &Population<'_>) -> (Vec<OutletStats>, Vec<OutletStats>, Vec<StoreMonth>) {
    let (store_names, store_acc) = outlets(pop, Kind::Store);
    let mut registered: FxHashMap<&str, usize> = FxHashMap::default();
    for m in &pop.members {
        if let Some(s) = m.record.as_ref().and_then(|r| r.store.as_deref()) {
            *registered.entry(s).or_default() += 1;
        }
    }
    // 店均销 by month: stores with a purchase in the month, and their revenue.
    let mut months: std::collections::BTreeMap<i32, (FxHashSet<usize>, i64)> = Default::default();
    for (k, a) in store_acc.iter().enumerate() {
        for (m, c) in &a.months {
            let e = months.entry(*m).or_default();
            e.0.insert(k);
            e.1 += c;
        }
    }
    let store_months = months
        .into_iter()
        .map(|(m, (stores, cents))| StoreMonth {
            month: month_label(m),
            stores: stores.len(),
            revenue: round2(money(cents)),
            revenue_per_store: round2(ratio(money(cents), stores.len() as f64)),
        })
        .collect();
    let stores = stats(store_names, &store_acc, |l| {
        Some(registered.get(l).copied().unwrap_or(0))
    });
    let (channel_names, channel_acc) = outlets(pop, Kind::Channel);
    let channels = stats(channel_names, &channel_acc, |_| None);
    (stores, channels, store_months)
}
