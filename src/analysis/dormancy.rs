//! Dormancy tiers (沉睡会员分层), domain.md §5.

use serde::{Deserialize, Serialize};

pub use crate::report::DormancyMode;

/// A buyer's tier by recency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerTier {
    /// 活跃: recency ≤ t1.
    Active,
    /// 沉默会员: t1 < recency ≤ t2.
    Silent,
    /// 接近睡眠会员: t2 < recency ≤ t3.
    NearSleep,
    /// 休眠会员: t3 < recency ≤ t4.
    Dormant,
    /// 流失会员: recency > t4.
    Lost,
}

/// Buyer tiers in order.
pub const BUYER_TIERS: [BuyerTier; 5] = [
    BuyerTier::Active,
    BuyerTier::Silent,
    BuyerTier::NearSleep,
    BuyerTier::Dormant,
    BuyerTier::Lost,
];

impl BuyerTier {
    /// Report key.
    pub fn key(self) -> &'static str {
        match self {
            BuyerTier::Active => "active",
            BuyerTier::Silent => "silent",
            BuyerTier::NearSleep => "near_sleep",
            BuyerTier::Dormant => "dormant",
            BuyerTier::Lost => "lost",
        }
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            BuyerTier::Active => "活跃会员",
            BuyerTier::Silent => "沉默会员",
            BuyerTier::NearSleep => "接近睡眠会员",
            BuyerTier::Dormant => "休眠会员",
            BuyerTier::Lost => "流失会员",
        }
    }
}

/// A non-buyer's tier by days since registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonBuyerTier {
    /// Registered ≤ 30 days ago.
    Within30d,
    /// 31–90 days.
    Days31To90,
    /// 91–365 days.
    Days91To365,
    /// More than 365 days.
    Over365d,
    /// No registration date.
    Unknown,
}

/// Non-buyer tiers in order.
pub const NON_BUYER_TIERS: [NonBuyerTier; 5] = [
    NonBuyerTier::Within30d,
    NonBuyerTier::Days31To90,
    NonBuyerTier::Days91To365,
    NonBuyerTier::Over365d,
    NonBuyerTier::Unknown,
];

impl NonBuyerTier {
    /// Report key.
    pub fn key(self) -> &'static str {
        match self {
            NonBuyerTier::Within30d => "within_30d",
            NonBuyerTier::Days31To90 => "days_31_90",
            NonBuyerTier::Days91To365 => "days_91_365",
            NonBuyerTier::Over365d => "over_365d",
            NonBuyerTier::Unknown => "unknown",
        }
    }

    /// Tier of a non-buyer registered `days` ago.
    pub fn of(days: Option<i32>) -> NonBuyerTier {
        match days {
            None => NonBuyerTier::Unknown,
            Some(d) if d <= 30 => NonBuyerTier::Within30d,
            Some(d) if d <= 90 => NonBuyerTier::Days31To90,
            Some(d) if d <= 365 => NonBuyerTier::Days91To365,
            Some(_) => NonBuyerTier::Over365d,
        }
    }
}

/// Thresholds t1..t4 in days for a mode (cycle mode falls back to fixed without a median).
pub fn thresholds(mode: DormancyMode, median_interpurchase_days: Option<f64>) -> [f64; 4] {
    match (mode, median_interpurchase_days) {
        (DormancyMode::Cycle, Some(m)) if m > 0.0 => [m, 2.0 * m, 4.0 * m, 8.0 * m],
        _ => [90.0, 180.0, 365.0, 730.0],
    }
}

/// A buyer's tier.
pub fn buyer_tier(recency_days: f64, t: &[f64; 4]) -> BuyerTier {
    if recency_days <= t[0] {
        BuyerTier::Active
    } else if recency_days <= t[1] {
        BuyerTier::Silent
    } else if recency_days <= t[2] {
        BuyerTier::NearSleep
    } else if recency_days <= t[3] {
        BuyerTier::Dormant
    } else {
        BuyerTier::Lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_tier_edges() {
        let t = thresholds(DormancyMode::Fixed, None);
        let tier = |d| buyer_tier(d, &t);
        assert_eq!(tier(0.0), BuyerTier::Active);
        assert_eq!(tier(90.0), BuyerTier::Active);
        assert_eq!(tier(91.0), BuyerTier::Silent);
        assert_eq!(tier(180.0), BuyerTier::Silent);
        assert_eq!(tier(181.0), BuyerTier::NearSleep);
        assert_eq!(tier(365.0), BuyerTier::NearSleep);
        assert_eq!(tier(366.0), BuyerTier::Dormant);
        assert_eq!(tier(730.0), BuyerTier::Dormant);
        assert_eq!(tier(731.0), BuyerTier::Lost);
    }

    #[test]
    fn cycle_thresholds_scale_with_median() {
        assert_eq!(
            thresholds(DormancyMode::Cycle, Some(33.0)),
            [33.0, 66.0, 132.0, 264.0]
        );
        assert_eq!(
            thresholds(DormancyMode::Cycle, None),
            [90.0, 180.0, 365.0, 730.0]
        );
    }

    #[test]
    fn non_buyer_tiers() {
        assert_eq!(NonBuyerTier::of(Some(30)), NonBuyerTier::Within30d);
        assert_eq!(NonBuyerTier::of(Some(31)), NonBuyerTier::Days31To90);
        assert_eq!(NonBuyerTier::of(Some(365)), NonBuyerTier::Days91To365);
        assert_eq!(NonBuyerTier::of(Some(366)), NonBuyerTier::Over365d);
        assert_eq!(NonBuyerTier::of(None), NonBuyerTier::Unknown);
    }
}
