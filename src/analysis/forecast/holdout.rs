//! Calibration/holdout check: fit on purchases up to a split day, predict the holdout window,
//! compare with what customers actually did (lifetimes' `calibration_and_holdout_data` and
//! `plot_calibration_purchases_vs_holdout_purchases`, as numbers instead of a plot).

use super::limits::{self, ModelSelection, PurchaseModel};
use super::summary::{distinct_days_between, summarize, CustomerSummary, TimeUnit};
use super::{FastMap, ForecastError};
use crate::model::Day;
use crate::report::OrderedMap;
pub use crate::report::{HoldoutBucket, HoldoutReport};

/// Calibration frequencies 0..=6 get their own bucket, 7 and more share the last one.
pub const LAST_BUCKET: u32 = 7;

/// Chooses and fits the purchase model on purchases up to `split_day` (the last calibration
/// day, inclusive) and checks it against (split_day, end_day], as lifetimes'
/// `calibration_and_holdout_data(calibration_period_end=split_day,
/// observation_period_end=end_day)`. Every candidate with an estimate on the calibration data
/// is checked the same way (`*_by_model`), so the comparison can be judged out of sample.
///
/// Customers whose first purchase is after the split are left out, as lifetimes does.
pub fn calibration_holdout(
    customers: &[Vec<(i32, f64)>],
    split_day: i32,
    end_day: i32,
    unit: TimeUnit,
    selection: ModelSelection,
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
    let choice = limits::choose_with(&summaries, selection)?;
    let holdout_length = unit.from_days(f64::from(end_day - split_day));
    let n_buckets = LAST_BUCKET as usize + 1;
    let bucket_of = |s: &CustomerSummary| (s.frequency.max(0.0) as usize).min(LAST_BUCKET as usize);
    let mut count = vec![0usize; n_buckets];
    let mut sum_actual = vec![0.0; n_buckets];
    for (s, &a) in summaries.iter().zip(&actual) {
        count[bucket_of(s)] += 1;
        sum_actual[bucket_of(s)] += a;
    }
    let mean = |sum: f64, n: usize| if n > 0 { sum / n as f64 } else { 0.0 };
    // per model: mean predicted per bucket, total predicted, |predicted − actual| per customer
    let models: Vec<ModelHoldout> = choice
        .candidates
        .iter()
        .filter_map(|c| c.fit.as_ref().ok().map(|f| (c.key, f.model)))
        .map(|(key, model)| {
            let scores = predictions(&model, &summaries, holdout_length);
            let mut sum_pred = vec![0.0; n_buckets];
            let mut abs_err = 0.0;
            for ((s, &a), &pred) in summaries.iter().zip(&actual).zip(&scores) {
                sum_pred[bucket_of(s)] += pred;
                abs_err += (pred - a).abs();
            }
            let means: Vec<f64> = (0..n_buckets)
                .map(|i| mean(sum_pred[i], count[i]))
                .collect();
            ModelHoldout {
                key,
                means,
                total: sum_pred.iter().sum(),
                mean_absolute_error: abs_err / summaries.len() as f64,
            }
        })
        .collect();
    let bucket_error = |means: &[f64]| {
        let used: Vec<usize> = (0..n_buckets).filter(|&i| count[i] > 0).collect();
        used.iter()
            .map(|&i| (means[i] - mean(sum_actual[i], count[i])).abs())
            .sum::<f64>()
            / used.len().max(1) as f64
    };
    let chosen_key = choice.candidates[choice.chosen].key;
    let chosen = models
        .iter()
        .find(|m| m.key == chosen_key)
        .expect("the chosen model has an estimate");
    let by_model = |f: &dyn Fn(&ModelHoldout) -> f64| {
        OrderedMap(models.iter().map(|m| (m.key.to_string(), f(m))).collect())
    };
    let buckets: Vec<HoldoutBucket> = (0..n_buckets)
        .map(|i| HoldoutBucket {
            calibration_frequency: i as u32,
            customers: count[i],
            mean_actual: mean(sum_actual[i], count[i]),
            mean_predicted: chosen.means[i],
            mean_predicted_by_model: by_model(&|m| m.means[i]),
        })
        .collect();
    Ok(HoldoutReport {
        split_day: Day(split_day),
        end_day: Day(end_day),
        holdout_length,
        model: chosen_key.to_string(),
        fit: choice.bgnbd(),
        customers: summaries.len(),
        total_actual: sum_actual.iter().sum(),
        total_predicted: chosen.total,
        mean_absolute_error: chosen.mean_absolute_error,
        bucket_mean_absolute_error: bucket_error(&chosen.means),
        total_predicted_by_model: by_model(&|m| m.total),
        mean_absolute_error_by_model: by_model(&|m| m.mean_absolute_error),
        bucket_mean_absolute_error_by_model: by_model(&|m| bucket_error(&m.means)),
        buckets,
    })
}

/// One model's predictions in the holdout window.
struct ModelHoldout {
    /// Model key.
    key: &'static str,
    /// Mean predicted purchases per customer, per calibration-frequency bucket.
    means: Vec<f64>,
    /// Predicted purchases of all customers.
    total: f64,
    /// Mean over customers of |predicted − actual|.
    mean_absolute_error: f64,
}

/// Each customer's expected purchases in the holdout window under `model` (computed once per
/// distinct history).
fn predictions(model: &PurchaseModel, summaries: &[CustomerSummary], length: f64) -> Vec<f64> {
    let mut cache: FastMap<(u64, u64, u64), f64> = FastMap::default();
    summaries
        .iter()
        .map(|s| {
            *cache
                .entry((s.frequency.to_bits(), s.recency.to_bits(), s.t.to_bits()))
                .or_insert_with(|| {
                    let mut pred = [0.0];
                    model.conditional_expected_purchases_many(
                        &[length],
                        s.frequency,
                        s.recency,
                        s.t,
                        &mut pred,
                    );
                    pred[0]
                })
        })
        .collect()
}
