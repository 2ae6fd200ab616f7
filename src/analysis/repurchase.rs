//! Personal purchase cycle and expected next purchase (预计复购时间), domain.md §6 first bullet.

use serde::{Deserialize, Serialize};

/// Where a member's expected next purchase falls relative to the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RepurchaseStatus {
    /// 刚逾期: expected before as-of, at most one personal cycle ago (a reminder still fits).
    RecentlyOverdue,
    /// 久未复购: expected more than one personal cycle before as-of, not yet dormant (win back).
    LongOverdue,
    /// 已沉睡: expected before as-of and the last purchase is past the dormancy threshold
    /// (t3, where the 沉睡 tier begins): lapsed, not late.
    Lapsed,
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

    /// Whether the expected next purchase is before as-of (any of the three overdue kinds).
    pub fn is_overdue(self) -> bool {
        matches!(
            self,
            RepurchaseStatus::RecentlyOverdue
                | RepurchaseStatus::LongOverdue
                | RepurchaseStatus::Lapsed
        )
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
///
/// Overdue members are split by how late they are: lapsed when their recency is past
/// `dormant_after_days` (the dormancy threshold t3), else recently overdue when at most one
/// personal cycle late, else long overdue.
pub fn expected_next(
    last: i32,
    cycle_days: f64,
    as_of: i32,
    due_window: i32,
    dormant_after_days: f64,
) -> (i32, RepurchaseStatus) {
    let next = last + cycle_days.round() as i32;
    let status = if next < as_of {
        if f64::from(as_of - last) > dormant_after_days {
            RepurchaseStatus::Lapsed
        } else if f64::from(as_of - next) <= cycle_days {
            RepurchaseStatus::RecentlyOverdue
        } else {
            RepurchaseStatus::LongOverdue
        }
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
        // (last, cycle, as-of) → status, dormant after 365 days of recency
        let cases = [
            (100, 30.0, 130, 130, RepurchaseStatus::Due),
            (100, 30.0, 100, 130, RepurchaseStatus::Later),
            (100, 30.0, 131, 130, RepurchaseStatus::RecentlyOverdue), // one day late
            (100, 30.0, 160, 130, RepurchaseStatus::RecentlyOverdue), // exactly one cycle late
            (100, 30.0, 161, 130, RepurchaseStatus::LongOverdue),
            (100, 30.0, 465, 130, RepurchaseStatus::LongOverdue), // recency 365: not yet past
            (100, 30.0, 466, 130, RepurchaseStatus::Lapsed),
            (100, 400.0, 466, 500, RepurchaseStatus::Later), // a long cycle is not lapsed
        ];
        for (last, cycle, as_of, next, status) in cases {
            let window = if as_of == 100 { 29 } else { 30 };
            assert_eq!(
                expected_next(last, cycle, as_of, window, 365.0),
                (next, status),
                "last {last}, cycle {cycle}, as of {as_of}"
            );
        }
    }
}
