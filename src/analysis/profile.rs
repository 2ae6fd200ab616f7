//! Figures of one member read off their purchases: gaps between purchase days, and the label
//! (store, channel, category) they bought under most.

use crate::model::population::{Member, Purchase};

/// The label a member bought under most: most purchases, then the larger net spend, then the
/// later last purchase, then the first seen (domain rule in `docs/rules.md`).
pub fn preferred<'f>(
    purchases: impl Iterator<Item = (Option<&'f str>, &'f Purchase)>,
) -> Option<&'f str> {
    // (label, purchases, cents, last day): a member has few distinct labels.
    let mut seen: Vec<(&str, u32, i64, i32)> = Vec::new();
    for (label, p) in purchases {
        let Some(label) = label else { continue };
        match seen.iter_mut().find(|s| s.0 == label) {
            Some(s) => {
                s.1 += 1;
                s.2 += p.net_cents;
                s.3 = s.3.max(p.day);
            }
            None => seen.push((label, 1, p.net_cents, p.day)),
        }
    }
    let mut best: Option<(&str, u32, i64, i32)> = None;
    for s in seen {
        if best.is_none_or(|b| (s.1, s.2, s.3) > (b.1, b.2, b.3)) {
            best = Some(s);
        }
    }
    best.map(|b| b.0)
}

/// Per-member purchase-day gaps in days between consecutive distinct purchase days.
pub fn interpurchase_gaps<'a>(m: &'a Member<'_>) -> impl Iterator<Item = f64> + 'a {
    let mut prev: Option<i32> = None;
    m.distinct_days().filter_map(move |d| {
        let gap = prev.map(|p| f64::from(d - p));
        prev = Some(d);
        gap
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(day: i32, cents: i64) -> Purchase {
        Purchase {
            day,
            order: 0,
            net_cents: cents,
            source: 0,
            labels: [0; 3],
        }
    }

    fn pick(rows: &[(Option<&'static str>, Purchase)]) -> Option<String> {
        preferred(rows.iter().map(|(l, p)| (*l, p))).map(str::to_string)
    }

    #[test]
    fn preferred_label_by_count_then_spend_then_recency() {
        // Most purchases wins even against more spend.
        let a = [
            (Some("A"), p(1, 100)),
            (Some("B"), p(2, 5000)),
            (Some("A"), p(3, 100)),
        ];
        assert_eq!(pick(&a).as_deref(), Some("A"));
        // Equal counts: the larger spend.
        let b = [(Some("A"), p(1, 100)), (Some("B"), p(2, 300))];
        assert_eq!(pick(&b).as_deref(), Some("B"));
        // Equal counts and spend: the later last purchase.
        let c = [(Some("B"), p(5, 100)), (Some("A"), p(1, 100))];
        assert_eq!(pick(&c).as_deref(), Some("B"));
        let d = [(Some("A"), p(9, 100)), (Some("B"), p(1, 100))];
        assert_eq!(pick(&d).as_deref(), Some("A"));
        // All equal: the first met.
        let e = [(Some("B"), p(1, 100)), (Some("A"), p(1, 100))];
        assert_eq!(pick(&e).as_deref(), Some("B"));
        // Unlabelled purchases do not count.
        let f = [(None, p(1, 100)), (None, p(2, 100)), (Some("C"), p(3, 1))];
        assert_eq!(pick(&f).as_deref(), Some("C"));
        assert_eq!(pick(&[(None, p(1, 1))]), None);
    }
}
