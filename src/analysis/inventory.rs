//! The inventory pass (数据盘点, domain.md §3): figures read straight off the members, and the
//! `inventory` section built from them and the label figures.

use super::profile;
use super::sources::LabelFigures;
use super::stats::{median, money, ratio, round2};
use crate::model::population::{Member, PopulationCounts};
use crate::report::Inventory;

/// Inventory figures read straight off the members (domain.md §3).
pub(super) struct InventoryBasics {
    pub buyers: usize,
    purchase_orders: usize,
    revenue_cents: i64,
    returns_cents: i64,
    repeaters: usize,
    pub median_gap: Option<f64>,
    /// Members who bought in the period before the last one, and those of them who bought
    /// again in the last one (the return rate).
    rr_base: usize,
    rr_back: usize,
}

pub(super) fn basics(members: &[Member], as_of: i32, return_period: i32) -> InventoryBasics {
    let mut inv = InventoryBasics {
        buyers: 0,
        purchase_orders: 0,
        revenue_cents: 0,
        returns_cents: 0,
        repeaters: 0,
        median_gap: None,
        rr_base: 0,
        rr_back: 0,
    };
    let mut gaps: Vec<f64> = Vec::new();
    let l = return_period;
    for m in members {
        inv.revenue_cents += m.net_spend_cents();
        inv.returns_cents += m.returns_cents();
        if m.is_buyer() {
            inv.buyers += 1;
            inv.purchase_orders += m.frequency() as usize;
            if m.frequency() >= 2 {
                inv.repeaters += 1;
            }
            gaps.extend(profile::interpurchase_gaps(m));
        }
        let earlier = m
            .purchases
            .iter()
            .any(|p| p.day > as_of - 2 * l && p.day <= as_of - l);
        if earlier {
            inv.rr_base += 1;
            if m.purchases
                .iter()
                .any(|p| p.day > as_of - l && p.day <= as_of)
            {
                inv.rr_back += 1;
            }
        }
    }
    inv.median_gap = median(&mut gaps);
    inv
}

/// The `inventory` section.
pub(super) fn section(
    inv: &InventoryBasics,
    labels: LabelFigures,
    counts: &PopulationCounts,
    members_total: usize,
) -> Inventory {
    let revenue = money(inv.revenue_cents);
    let n_buyers = inv.buyers;
    let stores_with_sales = labels
        .by_store
        .iter()
        .filter(|s| s.purchase_orders > 0)
        .count();
    let store_revenue: f64 = labels.by_store.iter().map(|s| s.revenue).sum();
    Inventory {
        members_total,
        members_in_member_file: labels.members_in_member_file,
        buyers: n_buyers,
        non_buyers: members_total - n_buyers,
        purchase_orders: inv.purchase_orders,
        revenue: round2(revenue),
        aov: round2(ratio(revenue, inv.purchase_orders as f64)),
        avg_spend_per_buyer: round2(ratio(revenue, n_buyers as f64)),
        avg_orders_per_buyer: ratio(inv.purchase_orders as f64, n_buyers as f64),
        repurchase_rate: ratio(inv.repeaters as f64, n_buyers as f64),
        return_rate: ratio(inv.rr_back as f64, inv.rr_base as f64),
        return_rate_base: inv.rr_base,
        guest_orders: counts.guest_orders,
        guest_revenue: round2(money(counts.guest_revenue_cents)),
        return_rows: counts.return_rows,
        returns_amount: round2(money(inv.returns_cents)),
        median_interpurchase_days: inv.median_gap,
        tier_counts: labels.tier_counts,
        revenue_per_store: round2(ratio(store_revenue, stores_with_sales as f64)),
        by_store: labels.by_store,
        by_channel: labels.by_channel,
        by_reg_channel: labels.by_reg_channel,
    }
}
