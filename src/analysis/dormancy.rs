//! Dormancy tiers (沉睡会员分层), domain.md §5.

use serde::{Deserialize, Serialize};

pub use crate::report::DormancyMode;

/// A buyer's tier by recency.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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

impl BuyerTier {
    /// Report key.
    pub fn key(self) -> &'static str {
        self.into()
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
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum NonBuyerTier {
    /// Registered ≤ 30 days ago.
    #[serde(rename = "within_30d")]
    #[strum(serialize = "within_30d")]
    Within30d,
    /// 31–90 days.
    #[serde(rename = "days_31_90")]
    #[strum(serialize = "days_31_90")]
    Days31To90,
    /// 91–365 days.
    #[serde(rename = "days_91_365")]
    #[strum(serialize = "days_91_365")]
    Days91To365,
    /// More than 365 days.
    #[serde(rename = "over_365d")]
    #[strum(serialize = "over_365d")]
    Over365d,
    /// No registration date.
    Unknown,
}

impl NonBuyerTier {
    /// Report key.
    pub fn key(self) -> &'static str {
        self.into()
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

#[cfg(test)]
mod key_tests {
    use super::*;
    use crate::analysis::forecast::ChurnBand;
    use crate::analysis::lifecycle::Stage;
    use crate::analysis::repurchase::RepurchaseStatus;
    use crate::analysis::rfm::Segment;
    use crate::error::WarningKind;
    use crate::ingest::{Role, TableKind};
    use strum::VariantArray;

    /// The keys are the report's and the page's contract: derived, they must stay these.
    #[test]
    fn enum_keys_are_the_contract() {
        let keys = |v: Vec<&'static str>| v.join(",");
        assert_eq!(
            keys(BuyerTier::VARIANTS.iter().map(|t| t.key()).collect()),
            "active,silent,near_sleep,dormant,lost"
        );
        assert_eq!(
            keys(NonBuyerTier::VARIANTS.iter().map(|t| t.key()).collect()),
            "within_30d,days_31_90,days_91_365,over_365d,unknown"
        );
        assert_eq!(
            keys(Stage::VARIANTS.iter().map(|t| t.key()).collect()),
            "introduction,growth,maturity,dormancy,churn"
        );
        assert_eq!(
            keys(Segment::VARIANTS.iter().map(|t| t.key()).collect()),
            "important_value,important_develop,important_keep,important_retain,\
             general_value,general_develop,general_keep,general_retain"
        );
        for s in Segment::VARIANTS {
            assert_eq!(Segment::from_key(s.key()), Some(*s));
        }
        assert_eq!(Segment::from_key("Important value"), None);
        assert_eq!(
            [
                RepurchaseStatus::RecentlyOverdue,
                RepurchaseStatus::LongOverdue,
                RepurchaseStatus::Lapsed,
                RepurchaseStatus::Due,
                RepurchaseStatus::Later
            ]
            .map(|s| s.key()),
            ["recently_overdue", "long_overdue", "lapsed", "due", "later"]
        );
        assert_eq!(
            [ChurnBand::Low, ChurnBand::Medium, ChurnBand::High].map(|s| s.key()),
            ["low", "medium", "high"]
        );
        assert_eq!(
            [
                TableKind::Orders,
                TableKind::Members,
                TableKind::MemberSummary
            ]
            .map(|k| k.key()),
            ["orders", "members", "member_summary"]
        );
        assert_eq!(WarningKind::MissingValue.key(), "missing_value");
        assert_eq!(
            keys(Role::VARIANTS.iter().map(|r| r.key()).collect()),
            "member_id,phone,email,name,order_id,order_time,amount,item_amount,refund,status,\
             channel,store,item,category,quantity,currency,registered_at,tier,points,gender,\
             birthday,region,guide,reg_channel,follower,total_spend,total_orders,first_purchase,last_purchase,purchase_days,repeat_spend"
        );
        for r in Role::VARIANTS {
            assert_eq!(Role::from_key(r.key()), Some(*r));
        }
        // serde and strum agree on every key.
        for t in NonBuyerTier::VARIANTS {
            assert_eq!(
                serde_json::to_string(t).unwrap(),
                format!("\"{}\"", t.key())
            );
        }
    }
}
