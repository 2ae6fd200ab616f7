//! Per-customer (frequency, recency, T, monetary value) summaries, the input of every model.
//!
//! The conventions are those of lifetimes' `summary_data_from_transaction_data`: purchases on
//! the same day count once (their spend is added), frequency counts repeat purchase days, and
//! the monetary value is the mean spend of the repeat days only (the first purchase is
//! excluded because acquisition orders differ systematically from repeat orders).

/// Time unit the models work in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeUnit {
    /// One day.
    #[default]
    Day,
    /// One week = 7 days.
    Week,
}

impl TimeUnit {
    /// Length of the unit in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }

    /// Converts a number of days into this unit.
    pub fn from_days(self, days: f64) -> f64 {
        days / self.days()
    }
}

/// One customer's purchase history, reduced to what BG/NBD and Gamma-Gamma need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerSummary {
    /// Number of distinct purchase days minus one (repeat purchases).
    pub frequency: f64,
    /// Time from the first to the last purchase day, in the unit.
    pub recency: f64,
    /// Time from the first purchase day to the as-of day, in the unit.
    pub t: f64,
    /// Mean spend per repeat purchase day (first day excluded); 0 when frequency is 0.
    pub monetary_value: f64,
}

/// Summarises one customer's purchases as of `as_of_day` (inclusive).
///
/// `purchase_days` holds (day number, spend that day) in any order and may repeat a day;
/// days after `as_of_day` are ignored. Returns `None` when no purchase is on or before it.
/// Non-finite spends count as 0 so one bad amount cannot poison the models.
pub fn summarize(
    purchase_days: &[(i32, f64)],
    as_of_day: i32,
    unit: TimeUnit,
) -> Option<CustomerSummary> {
    let mut days: Vec<(i32, f64)> = purchase_days
        .iter()
        .filter(|(d, _)| *d <= as_of_day)
        .map(|&(d, s)| (d, if s.is_finite() { s } else { 0.0 }))
        .collect();
    if days.is_empty() {
        return None;
    }
    // by day, then spend: the sums below then run in one order whatever the input's
    days.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let first = days[0].0;
    let last = days[days.len() - 1].0;
    let mut distinct = 0u32;
    let mut first_day_spend = 0.0;
    let mut total_spend = 0.0;
    let mut prev = None;
    for &(d, s) in &days {
        if prev != Some(d) {
            distinct += 1;
            prev = Some(d);
        }
        if d == first {
            first_day_spend += s;
        }
        total_spend += s;
    }
    let frequency = f64::from(distinct - 1);
    let monetary_value = if distinct > 1 {
        (total_spend - first_day_spend) / frequency
    } else {
        0.0
    };
    let per = unit.days();
    Some(CustomerSummary {
        frequency,
        recency: f64::from(last - first) / per,
        t: f64::from(as_of_day - first) / per,
        monetary_value,
    })
}

/// Number of distinct purchase days in the window (from, to] (the holdout count).
pub fn distinct_days_between(
    purchase_days: &[(i32, f64)],
    from_exclusive: i32,
    to_inclusive: i32,
) -> u32 {
    let mut days: Vec<i32> = purchase_days
        .iter()
        .map(|&(d, _)| d)
        .filter(|&d| d > from_exclusive && d <= to_inclusive)
        .collect();
    days.sort_unstable();
    days.dedup();
    days.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarize_aggregates_same_day_and_excludes_first_day_spend() {
        // unsorted, day 10 twice, day 3 is the first purchase
        let s = summarize(
            &[(10, 5.0), (3, 100.0), (10, 7.0), (17, 20.0)],
            31,
            TimeUnit::Day,
        )
        .unwrap();
        assert_eq!(s.frequency, 2.0);
        assert_eq!(s.recency, 14.0);
        assert_eq!(s.t, 28.0);
        assert_eq!(s.monetary_value, 16.0); // (12 + 20) / 2
    }

    #[test]
    fn summarize_in_weeks_and_one_time_buyer() {
        let s = summarize(&[(0, 9.0)], 14, TimeUnit::Week).unwrap();
        assert_eq!(
            (s.frequency, s.recency, s.t, s.monetary_value),
            (0.0, 0.0, 2.0, 0.0)
        );
        assert!(summarize(&[], 14, TimeUnit::Week).is_none());
        assert!(summarize(&[(20, 1.0)], 14, TimeUnit::Day).is_none());
    }

    #[test]
    fn holdout_counts_distinct_days_in_half_open_window() {
        assert_eq!(
            distinct_days_between(&[(5, 1.0), (6, 1.0), (6, 2.0), (9, 1.0), (10, 1.0)], 5, 9),
            2
        );
    }
}
