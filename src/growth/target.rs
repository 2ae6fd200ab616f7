//! The target decomposition (目标拆解) and stage compounding (环节复利).

use serde::{Deserialize, Serialize};

use super::{month_label, month_of, Months};
use crate::analysis::forecast::MemberForecast;
use crate::analysis::stats::{money, ratio, round2};
use crate::model::day::days_from_civil;
use crate::model::population::{purchase_labels, Population};
use crate::model::Day;
use crate::report::{
    CompoundEffect, Compounding, ExistingBasis, FunnelStage, Inventory, TargetPlan, TargetShare,
};

/// A revenue target and the assumptions the user may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetOptions {
    /// The revenue target for the period.
    pub revenue: f64,
    /// Whole calendar months after the as-of month (default 12).
    #[serde(default = "twelve")]
    pub months: u32,
    /// Traffic-to-order conversion rate, when known (0 < rate ≤ 1).
    #[serde(default)]
    pub conversion_rate: Option<f64>,
    /// Average order value instead of the data's.
    #[serde(default)]
    pub aov: Option<f64>,
    /// A new member's revenue in the period instead of the mean first-purchase value.
    #[serde(default)]
    pub new_member_value: Option<f64>,
    /// The existing members' revenue in the period instead of the estimate.
    #[serde(default)]
    pub existing_revenue: Option<f64>,
}

fn twelve() -> u32 {
    12
}

/// Longest target period, months.
pub const MAX_TARGET_MONTHS: u32 = 36;

impl TargetOptions {
    /// A revenue target over the next twelve months, every assumption the data's.
    pub fn new(revenue: f64) -> TargetOptions {
        TargetOptions {
            revenue,
            months: 12,
            conversion_rate: None,
            aov: None,
            new_member_value: None,
            existing_revenue: None,
        }
    }

    /// Why the target cannot be used, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(self.revenue) {
            return Some("the revenue target must be a positive number");
        }
        if self.months == 0 || self.months > MAX_TARGET_MONTHS {
            return Some("the period must be 1 to 36 months");
        }
        if self
            .conversion_rate
            .is_some_and(|c| !(positive(c) && c <= 1.0))
        {
            return Some("the conversion rate must be above 0 and at most 1");
        }
        if self.aov.is_some_and(|x| !positive(x))
            || self.new_member_value.is_some_and(|x| !positive(x))
        {
            return Some("the average order value and a new member's value must be positive");
        }
        if self
            .existing_revenue
            .is_some_and(|x| !(x.is_finite() && x >= 0.0))
        {
            return Some("the existing members' revenue must be 0 or more");
        }
        None
    }
}

/// The first day of month index `m` (year × 12 + month − 1).
fn month_start(m: i32) -> i32 {
    days_from_civil(m.div_euclid(12), (m.rem_euclid(12) + 1) as u32, 1)
}

/// Expected purchases of a member within `days` after as-of: piecewise linear through the
/// forecasts at 30, 90 and 365 days, and pro rata beyond.
fn expected_within(f: &MemberForecast, days: f64) -> f64 {
    let pts = [
        (0.0, 0.0),
        (30.0, f.expected_purchases_30d),
        (90.0, f.expected_purchases_90d),
        (365.0, f.expected_purchases_365d),
    ];
    if days <= 0.0 {
        return 0.0;
    }
    if days >= 365.0 {
        return f.expected_purchases_365d * days / 365.0;
    }
    let k = pts.iter().position(|(d, _)| *d >= days).unwrap_or(3);
    let ((d0, e0), (d1, e1)) = (pts[k - 1], pts[k]);
    e0 + (e1 - e0) * (days - d0) / (d1 - d0)
}

/// What the decomposition reads besides the population.
pub struct TargetInputs<'a> {
    pub inventory: &'a Inventory,
    pub mean_first_purchase_value: f64,
    pub forecasts: &'a [Option<MemberForecast>],
}

pub fn plan(
    pop: &Population<'_>,
    months_of: &Months,
    t: &TargetOptions,
    inp: &TargetInputs<'_>,
) -> TargetPlan {
    let as_of = pop.as_of;
    let first_month = month_of(as_of) + 1;
    let months: Vec<i32> = (first_month..first_month + t.months as i32).collect();
    let from = month_start(first_month);
    let to = month_start(first_month + t.months as i32) - 1;
    // The last twelve months' purchase revenue by calendar month, source and store.
    let since = as_of - 365;
    let mut by_moy = [0i64; 12];
    let mut by_source: Vec<i64> = vec![0; pop.source_labels.len()];
    let mut by_store: std::collections::BTreeMap<&str, i64> = Default::default();
    let mut prior_period: i64 = 0;
    let period_days = (to - from + 1) as f64;
    for m in &pop.members {
        for p in m.purchases.iter().filter(|p| p.day > since) {
            by_moy[months_of.get(p.day).rem_euclid(12) as usize] += p.net_cents;
            by_source[p.source as usize] += p.net_cents;
            if let Some(s) = purchase_labels(&pop.order_files, p).store {
                *by_store.entry(s).or_default() += p.net_cents;
            }
        }
        prior_period += m
            .purchases
            .iter()
            .filter(|p| f64::from(as_of - p.day) < period_days)
            .map(|p| p.net_cents)
            .sum::<i64>();
    }
    let weights: Vec<f64> = months
        .iter()
        .map(|m| money(by_moy[m.rem_euclid(12) as usize].max(0)))
        .collect();
    let wsum: f64 = weights.iter().sum();
    let by_month: Vec<TargetShare> = months
        .iter()
        .zip(&weights)
        .map(|(m, w)| {
            let share = if wsum > 0.0 {
                w / wsum
            } else {
                1.0 / months.len() as f64
            };
            TargetShare {
                label: month_label(*m),
                share,
                revenue: round2(t.revenue * share),
            }
        })
        .collect();
    let shares = |items: Vec<(String, i64)>| -> Vec<TargetShare> {
        let total: i64 = items.iter().map(|(_, c)| (*c).max(0)).sum();
        let mut v: Vec<TargetShare> = items
            .into_iter()
            .filter(|(_, c)| *c > 0)
            .map(|(label, c)| {
                let share = ratio(c as f64, total as f64);
                TargetShare {
                    label,
                    share,
                    revenue: round2(t.revenue * share),
                }
            })
            .collect();
        v.sort_by(|a, b| {
            b.share
                .total_cmp(&a.share)
                .then_with(|| a.label.cmp(&b.label))
        });
        v
    };
    let by_source = shares(
        by_source
            .into_iter()
            .enumerate()
            .map(|(s, c)| (pop.source_labels[s].clone(), c))
            .collect(),
    );
    let by_store = shares(
        by_store
            .into_iter()
            .map(|(s, c)| (s.to_string(), c))
            .collect(),
    );
    let inv = inp.inventory;
    let (existing, basis) = match t.existing_revenue {
        Some(x) => (x, ExistingBasis::User),
        None if !inp.forecasts.is_empty() => {
            let (a, b) = (f64::from(from - 1 - as_of), f64::from(to - as_of));
            let sum: f64 = inp
                .forecasts
                .iter()
                .flatten()
                .map(|f| (expected_within(f, b) - expected_within(f, a)) * f.expected_spend)
                .filter(|x| x.is_finite())
                .sum();
            (sum, ExistingBasis::Forecast)
        }
        None => (
            money(prior_period) * inv.return_rate,
            ExistingBasis::ReturnRate,
        ),
    };
    let aov = t.aov.unwrap_or(inv.aov);
    let orders = ratio(t.revenue, aov);
    let gap = (t.revenue - existing).max(0.0);
    let nmv = t.new_member_value.unwrap_or(inp.mean_first_purchase_value);
    TargetPlan {
        revenue: t.revenue,
        from: Day(from),
        to: Day(to),
        months: t.months,
        aov: round2(aov),
        orders_needed: round2(orders),
        conversion_rate: t.conversion_rate,
        traffic_needed: t.conversion_rate.map(|c| round2(orders / c)),
        existing_revenue: round2(existing),
        existing_basis: basis,
        gap: round2(gap),
        new_member_value: round2(nmv),
        new_members_needed: round2(ratio(gap, nmv)),
        by_month,
        by_source,
        by_store,
    }
}

/// The funnel 拉新 → 留存 → 转化 → 复购 → 推荐 with the data's rates, and what ±5%, ±10% on
/// every stage does.
/// `new`: the members who joined in the 365 days to as-of.
pub fn compounding(new: usize, inv: &Inventory) -> Compounding {
    let total = inv.members_total as f64;
    let stage =
        |key: &str, zh: &str, en: &str, rate: Option<f64>, bzh: &str, ben: &str| FunnelStage {
            key: key.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            rate,
            basis_zh: bzh.into(),
            basis_en: ben.into(),
        };
    let stages = vec![
        stage(
            "acquisition",
            "拉新",
            "Acquisition",
            (total > 0.0).then(|| new as f64 / total),
            "近 365 天新注册（无注册日期时按首购）的会员占会员总数",
            "members who joined in the last 365 days (registration, else first purchase) / all members",
        ),
        stage(
            "retention",
            "留存",
            "Retention",
            (inv.return_rate_base > 0).then_some(inv.return_rate),
            "回购率：前一周期有消费的会员在本周期再次消费的比例",
            "return rate: the previous period's buyers who bought again in this one",
        ),
        stage(
            "conversion",
            "转化",
            "Conversion",
            (total > 0.0).then(|| inv.buyers as f64 / total),
            "有消费会员 / 会员总数",
            "buyers / all members",
        ),
        stage(
            "repurchase",
            "复购",
            "Repurchase",
            (inv.buyers > 0).then_some(inv.repurchase_rate),
            "复购率：消费 2 次及以上的会员 / 有消费会员",
            "repurchase rate: buyers with two or more purchases / buyers",
        ),
        stage(
            "referral",
            "推荐",
            "Referral",
            None,
            "导出数据中没有推荐关系，请填写",
            "no export records referrals: enter it",
        ),
    ];
    let k = stages.len() as i32;
    Compounding {
        effects: [-0.10, -0.05, 0.05, 0.10]
            .iter()
            .map(|c| CompoundEffect {
                change: *c,
                multiplier: (1.0 + c).powi(k),
            })
            .collect(),
        stages,
    }
}
