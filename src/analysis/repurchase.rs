//! Personal purchase cycle and expected next purchase (预计复购时间), domain.md §6 first bullet.

use serde::{Deserialize, Serialize};

/// Where a member's expected next purchase falls relative to the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RepurchaseStatus {
    /// 已逾期: expected before as-of.
    Overdue,
    /// 即将复购: within the next `due_window` days.
    Due,
    /// 未到期: later.
    Later,
}

impl RepurchaseStatus {
    /// Report key.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// Personal cycle: (last − first) / (F − 1) for F ≥ 2, else the population median gap.
pub fn personal_cycle_days(
    first: i32,
    last: i32,
    frequency: u32,
    median_gap: Option<f64>,
) -> Option<f64> {
    if frequency >= 2 && last > first {
        Some(f64::from(last - first) / f64::from(frequency - 1))
    } else {
        median_gap
    }
}

/// Expected next purchase day (rounded to the nearest day) and its status.
pub fn expected_next(
    last: i32,
    cycle_days: f64,
    as_of: i32,
    due_window: i32,
) -> (i32, RepurchaseStatus) {
    let next = last + cycle_days.round() as i32;
    let status = if next < as_of {
        RepurchaseStatus::Overdue
    } else if next <= as_of + due_window {
        RepurchaseStatus::Due
    } else {
        RepurchaseStatus::Later
    };
    (next, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_and_status() {
        assert_eq!(personal_cycle_days(0, 90, 4, Some(33.0)), Some(30.0));
        assert_eq!(personal_cycle_days(5, 5, 1, Some(33.0)), Some(33.0));
        assert_eq!(personal_cycle_days(5, 5, 1, None), None);
        // Several purchases on one day: no spread, fall back to the median.
        assert_eq!(personal_cycle_days(5, 5, 3, Some(20.0)), Some(20.0));
        assert_eq!(
            expected_next(100, 30.0, 140, 30),
            (130, RepurchaseStatus::Overdue)
        );
        assert_eq!(
            expected_next(100, 30.0, 130, 30),
            (130, RepurchaseStatus::Due)
        );
        assert_eq!(
            expected_next(100, 30.0, 100, 29),
            (130, RepurchaseStatus::Later)
        );
    }
}
