//! Lifecycle stages (生命周期), domain.md §5.

use serde::{Deserialize, Serialize};

/// A member's lifecycle stage.
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
pub enum Stage {
    /// 引入期: new non-buyer, or active one-time buyer.
    Introduction,
    /// 成长期: active buyer with growth_f ≤ F < maturity_f.
    Growth,
    /// 成熟期: active buyer with F ≥ maturity_f.
    Maturity,
    /// 休眠期: between the silent and lost thresholds.
    Dormancy,
    /// 流失期: beyond the lost threshold.
    Churn,
}

impl Stage {
    /// Report key.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Stage::Introduction => "引入期",
            Stage::Growth => "成长期",
            Stage::Maturity => "成熟期",
            Stage::Dormancy => "休眠期",
            Stage::Churn => "流失期",
        }
    }
}

/// F thresholds of the growth and maturity stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRule {
    /// F at which growth starts (default 2).
    pub growth_f: u32,
    /// F at which maturity starts (default 4).
    pub maturity_f: u32,
}

impl Default for StageRule {
    fn default() -> Self {
        StageRule {
            growth_f: 2,
            maturity_f: 4,
        }
    }
}

/// Stage of a buyer with `recency_days` and `frequency`, given dormancy thresholds t1..t4.
pub fn buyer_stage(recency_days: f64, frequency: u32, t: &[f64; 4], rule: &StageRule) -> Stage {
    if recency_days > t[3] {
        Stage::Churn
    } else if recency_days > t[0] {
        Stage::Dormancy
    } else if frequency >= rule.maturity_f {
        Stage::Maturity
    } else if frequency >= rule.growth_f {
        Stage::Growth
    } else {
        Stage::Introduction
    }
}

/// Stage of a non-buyer registered `days_since_registration` ago (unknown → introduction).
pub fn non_buyer_stage(days_since_registration: Option<i32>, t: &[f64; 4]) -> Stage {
    match days_since_registration {
        None => Stage::Introduction,
        Some(d) if f64::from(d) <= t[0] => Stage::Introduction,
        Some(d) if f64::from(d) <= t[3] => Stage::Dormancy,
        Some(_) => Stage::Churn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: [f64; 4] = [90.0, 180.0, 365.0, 730.0];

    #[test]
    fn buyer_stages() {
        let r = StageRule::default();
        assert_eq!(buyer_stage(10.0, 1, &T, &r), Stage::Introduction);
        assert_eq!(buyer_stage(10.0, 2, &T, &r), Stage::Growth);
        assert_eq!(buyer_stage(10.0, 3, &T, &r), Stage::Growth);
        assert_eq!(buyer_stage(90.0, 4, &T, &r), Stage::Maturity);
        assert_eq!(buyer_stage(91.0, 9, &T, &r), Stage::Dormancy);
        assert_eq!(buyer_stage(730.0, 1, &T, &r), Stage::Dormancy);
        assert_eq!(buyer_stage(731.0, 9, &T, &r), Stage::Churn);
    }

    #[test]
    fn non_buyer_stages() {
        assert_eq!(non_buyer_stage(None, &T), Stage::Introduction);
        assert_eq!(non_buyer_stage(Some(90), &T), Stage::Introduction);
        assert_eq!(non_buyer_stage(Some(91), &T), Stage::Dormancy);
        assert_eq!(non_buyer_stage(Some(731), &T), Stage::Churn);
    }
}
