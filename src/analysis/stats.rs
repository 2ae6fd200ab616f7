//! Small statistics helpers shared by the analyses.

/// numpy's default (linear interpolation) percentile of sorted values; `p` in 0..=100.
/// [`percentile_sorted`] of unsorted values, by selection (the values are reordered): the
/// same figure without sorting them all.
pub fn percentile_select(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let pos = (values.len() - 1) as f64 * p / 100.0;
    let lo = pos.floor() as usize;
    let (_, a, rest) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    // The next order statistic is the least of those after it.
    let b = rest.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
    let frac = pos - lo as f64;
    let diff = b - a;
    if frac >= 0.5 {
        b - diff * (1.0 - frac)
    } else {
        a + diff * frac
    }
}

pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    // numpy's _lerp: from the upper end when t >= 0.5, which keeps results monotonic.
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    if frac >= 0.5 {
        b - diff * (1.0 - frac)
    } else {
        a + diff * frac
    }
}

/// [`percentile_sorted`] at each of `ps` (ascending), from unsorted values: a selection per
/// rank instead of a full sort. `values` is reordered.
pub fn percentiles<const N: usize>(values: &mut [f64], ps: [f64; N]) -> [f64; N] {
    let n = values.len();
    if n == 0 {
        return [0.0; N];
    }
    // The two ranks each percentile reads, selected left to right.
    let mut order_stat = |k: usize, from: usize| -> f64 {
        let (_, x, _) = values[from..].select_nth_unstable_by(k - from, f64::total_cmp);
        *x
    };
    let mut done = 0usize;
    let mut cache: Option<(usize, f64)> = None;
    let mut out = [0.0; N];
    for (slot, p) in out.iter_mut().zip(ps) {
        let pos = (n - 1) as f64 * p / 100.0;
        let lo = pos.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        let frac = pos - lo as f64;
        let mut at = |k: usize| -> f64 {
            if let Some((ck, cv)) = cache {
                if ck == k {
                    return cv;
                }
            }
            let v = order_stat(k, done.min(k));
            done = k;
            cache = Some((k, v));
            v
        };
        let a = at(lo);
        let b = at(hi);
        let diff = b - a;
        *slot = if frac >= 0.5 {
            b - diff * (1.0 - frac)
        } else {
            a + diff * frac
        };
    }
    out
}

/// Median (mean of the two middle values for even counts), `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // Selection, not a full sort: the gap list has one entry per repeat purchase.
    let n = values.len();
    let (lower, mid, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let mid = *mid;
    Some(if n % 2 == 1 {
        mid
    } else {
        let below = lower.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
        (below + mid) / 2.0
    })
}

/// `num / den`, or 0 when `den` is 0 (so no NaN reaches a report).
pub fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den + 0.0
    }
}

/// Cents as currency units.
pub fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Rounds money to cents.
pub fn round2(x: f64) -> f64 {
    // `+ 0.0` turns -0.0 (an empty negative sum) into 0.0.
    (x * 100.0).round() / 100.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_by_selection_equals_percentile_of_sorted() {
        let values: Vec<f64> = (0..1001)
            .map(|i| ((i * 7919) % 1009) as f64 / 3.0)
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for p in [0.0, 12.5, 50.0, 80.0, 95.0, 99.9, 100.0] {
            let mut v = values.clone();
            assert_eq!(
                percentile_select(&mut v, p),
                percentile_sorted(&sorted, p),
                "{p}"
            );
        }
        assert_eq!(percentile_select(&mut [], 50.0), 0.0);
        assert_eq!(percentile_select(&mut [4.0], 50.0), 4.0);
    }

    #[test]
    fn percentiles_match_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        // numpy.percentile([1,2,3,4,10], [20,40,60,80]) = [1.8, 2.6, 3.4, 5.2]
        let got: Vec<f64> = [20.0, 40.0, 60.0, 80.0]
            .iter()
            .map(|p| percentile_sorted(&v, *p))
            .collect();
        for (g, w) in got.iter().zip([1.8, 2.6, 3.4, 5.2]) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        assert_eq!(percentile_sorted(&[7.0], 80.0), 7.0);
        assert_eq!(percentile_sorted(&[], 80.0), 0.0);
    }

    #[test]
    fn percentiles_match_the_sorted_ones() {
        let mut v: Vec<f64> = (0..1001).map(|i| ((i * 7919) % 613) as f64 / 7.0).collect();
        v.extend([3.0; 50]);
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let ps = [0.0, 20.0, 40.0, 40.0, 60.0, 80.0, 99.9, 100.0];
        let want = ps.map(|p| percentile_sorted(&sorted, p));
        assert_eq!(percentiles(&mut v, ps), want);
        assert_eq!(percentiles(&mut [5.0], [20.0, 80.0]), [5.0, 5.0]);
        assert_eq!(percentiles(&mut [], [50.0]), [0.0]);
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
