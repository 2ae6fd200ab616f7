//! Calibration/holdout check: fit on purchases up to a split day, predict the holdout window,
//! compare with what customers actually did (lifetimes' `calibration_and_holdout_data` and
//! `plot_calibration_purchases_vs_holdout_purchases`, as numbers instead of a plot).

use super::limits;
use super::summary::{distinct_days_between, summarize, TimeUnit};
use super::ForecastError;
use crate::model::Day;
pub use crate::report::{HoldoutBucket, HoldoutReport};

/// Calibration frequencies 0..=6 get their own bucket, 7 and more share the last one.
pub const LAST_BUCKET: u32 = 7;

/// Chooses and fits the purchase model on purchases up to `split_day` (the last calibration
/// day, inclusive) and checks it against (split_day, end_day], as lifetimes'
/// `calibration_and_holdout_data(calibration_period_end=split_day,
/// observation_period_end=end_day)`.
///
/// Customers whose first purchase is after the split are left out, as lifetimes does.
pub fn calibration_holdout(
    customers: &[Vec<(i32, f64)>],
    split_day: i32,
    end_day: i32,
    unit: TimeUnit,
) -> Result<HoldoutReport, ForecastError> {
    if end_day <= split_day {
        return Err(ForecastError::InvalidSettings(format!(
            "the holdout split day {split_day} must be before the as-of day {end_day}"
        )));
    }
    let mut summaries = Vec::new();
    let mut actual = Vec::new();
    for days in customers {
        if let Some(s) = summarize(days, split_day, unit) {
            summaries.push(s);
            actual.push(f64::from(distinct_days_between(days, split_day, end_day)));
        }
    }
    if summaries.is_empty() {
        return Err(ForecastError::NoCustomers);
    }
    let choice = limits::choose(&summaries)?;
    let fit = choice.chosen_fit().model;
    let holdout_length = unit.from_days(f64::from(end_day - split_day));
    let n_buckets = LAST_BUCKET as usize + 1;
    let mut count = vec![0usize; n_buckets];
    let mut sum_actual = vec![0.0; n_buckets];
    let mut sum_pred = vec![0.0; n_buckets];
    let mut abs_err = 0.0;
    for (s, &a) in summaries.iter().zip(&actual) {
        let mut pred = [0.0];
        fit.conditional_expected_purchases_many(
            &[holdout_length],
            s.frequency,
            s.recency,
            s.t,
            &mut pred,
        );
        let pred = pred[0];
        let bucket = (s.frequency.max(0.0) as usize).min(LAST_BUCKET as usize);
        count[bucket] += 1;
        sum_actual[bucket] += a;
        sum_pred[bucket] += pred;
        abs_err += (pred - a).abs();
    }
    let buckets: Vec<HoldoutBucket> = (0..n_buckets)
        .map(|i| HoldoutBucket {
            calibration_frequency: i as u32,
            customers: count[i],
            mean_actual: if count[i] > 0 {
                sum_actual[i] / count[i] as f64
            } else {
                0.0
            },
            mean_predicted: if count[i] > 0 {
                sum_pred[i] / count[i] as f64
            } else {
                0.0
            },
        })
        .collect();
    let used: Vec<&HoldoutBucket> = buckets.iter().filter(|b| b.customers > 0).collect();
    let bucket_mean_absolute_error = used
        .iter()
        .map(|b| (b.mean_predicted - b.mean_actual).abs())
        .sum::<f64>()
        / used.len().max(1) as f64;
    Ok(HoldoutReport {
        split_day: Day(split_day),
        end_day: Day(end_day),
        holdout_length,
        model: fit.key().to_string(),
        fit: choice.bgnbd(),
        customers: summaries.len(),
        total_actual: sum_actual.iter().sum(),
        total_predicted: sum_pred.iter().sum(),
        mean_absolute_error: abs_err / summaries.len() as f64,
        bucket_mean_absolute_error,
        buckets,
    })
}
