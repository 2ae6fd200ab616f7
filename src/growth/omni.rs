//! Omnichannel overlap (全渠道会员打通): buyers by the exact combination of sources they bought
//! in, with their revenue and AOV, and the omnichannel buyers' share of revenue.

use rustc_hash::FxHashMap;

use crate::analysis::stats::{money, ratio, round2};
use crate::model::population::Population;
use crate::report::{Omnichannel, SourceCombination};

pub fn run(pop: &Population<'_>) -> Omnichannel {
    // Combination (sorted source indices) → buyers, orders, net cents.
    let mut combos: FxHashMap<Vec<u16>, (usize, usize, i64)> = FxHashMap::default();
    let mut key: Vec<u16> = Vec::new();
    let mut total: i64 = 0;
    for m in &pop.members {
        if m.purchases.is_empty() {
            continue;
        }
        key.clear();
        key.extend(m.purchases.iter().map(|p| p.source));
        key.sort_unstable();
        key.dedup();
        let cents = m.net_spend_cents();
        total += cents;
        let e = match combos.get_mut(key.as_slice()) {
            Some(e) => e,
            None => combos.entry(key.clone()).or_default(),
        };
        e.0 += 1;
        e.1 += m.purchases.len();
        e.2 += cents;
    }
    let total = money(total);
    let mut combinations: Vec<SourceCombination> = combos
        .into_iter()
        .map(|(k, (buyers, orders, cents))| {
            let revenue = money(cents);
            SourceCombination {
                sources: k
                    .iter()
                    .map(|s| pop.source_labels[*s as usize].clone())
                    .collect(),
                buyers,
                orders,
                revenue: round2(revenue),
                aov: round2(ratio(revenue, orders as f64)),
                revenue_share: ratio(revenue, total),
            }
        })
        .collect();
    combinations.sort_by(|a, b| {
        b.buyers
            .cmp(&a.buyers)
            .then_with(|| a.sources.len().cmp(&b.sources.len()))
            .then_with(|| a.sources.cmp(&b.sources))
    });
    let omni: Vec<&SourceCombination> = combinations
        .iter()
        .filter(|c| c.sources.len() > 1)
        .collect();
    Omnichannel {
        omnichannel_buyers: omni.iter().map(|c| c.buyers).sum(),
        omnichannel_revenue_share: omni.iter().map(|c| c.revenue_share).sum(),
        combinations,
    }
}
