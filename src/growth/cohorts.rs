//! Cohorts by first-purchase month (同期群): second purchase within 30/90/180/365 days of the
//! first, and month by month the share buying and the revenue per member.

use std::collections::BTreeMap;

use super::{month_label, month_of, Months};
use crate::analysis::stats::{money, ratio, round2};
use crate::model::population::Population;
use crate::report::{Cohort, SecondWithin};

/// The second-purchase windows, in days.
pub const WINDOWS: [u32; 4] = [30, 90, 180, 365];

#[derive(Default)]
struct Acc {
    members: usize,
    eligible: [usize; 4],
    second: [usize; 4],
    /// Per month after the first: buyers, net cents.
    buyers: Vec<usize>,
    cents: Vec<i64>,
}

pub fn cohorts(pop: &Population<'_>, months: &Months) -> Vec<Cohort> {
    let as_of = pop.as_of;
    let last_month = month_of(as_of);
    let mut by_month: BTreeMap<i32, Acc> = BTreeMap::new();
    let mut months_seen: Vec<i32> = Vec::new();
    for m in &pop.members {
        let Some(first) = m.purchases.first() else {
            continue;
        };
        let fm = months.get(first.day);
        let span = (last_month - fm + 1).max(1) as usize;
        let acc = by_month.entry(fm).or_default();
        if acc.buyers.len() < span {
            acc.buyers.resize(span, 0);
            acc.cents.resize(span, 0);
        }
        acc.members += 1;
        let second = m.purchases.get(1).map(|p| p.day - first.day);
        for (k, w) in WINDOWS.iter().enumerate() {
            if first.day + *w as i32 <= as_of {
                acc.eligible[k] += 1;
                acc.second[k] += usize::from(second.is_some_and(|g| g <= *w as i32));
            }
        }
        months_seen.clear();
        for p in m.purchases {
            let k = (months.get(p.day) - fm) as usize;
            acc.cents[k] += p.net_cents;
            if months_seen.last() != Some(&(k as i32)) {
                months_seen.push(k as i32);
                acc.buyers[k] += 1;
            }
        }
    }
    let month_end = {
        let (y, mo, d) = crate::model::Day(as_of).ymd();
        d == crate::model::day::days_in_month(y, mo)
    };
    by_month
        .into_iter()
        .map(|(fm, a)| {
            let n = a.members as f64;
            Cohort {
                month: month_label(fm),
                members: a.members,
                second_within: WINDOWS
                    .iter()
                    .enumerate()
                    .map(|(k, w)| SecondWithin {
                        days: *w,
                        eligible: a.eligible[k],
                        share: (a.eligible[k] > 0)
                            .then(|| ratio(a.second[k] as f64, a.eligible[k] as f64)),
                    })
                    .collect(),
                retention: a.buyers.iter().map(|b| ratio(*b as f64, n)).collect(),
                revenue_per_member: a.cents.iter().map(|c| round2(money(*c) / n)).collect(),
                last_month_partial: !month_end,
            }
        })
        .collect()
}
