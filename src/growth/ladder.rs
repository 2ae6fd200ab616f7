//! The purchase-number ladder (购买次数转化): of the buyers with at least n purchases, the share
//! with n + 1 (1 → 2 is 首购转二购), and the days between the n-th and the (n+1)-th.

use rustc_hash::FxHashMap;

use crate::analysis::stats::{percentiles, ratio};
use crate::model::population::{purchase_labels, Population};
use crate::report::{Ladder, LadderGroup, LadderStep};

/// Rungs 1 → 2 up to 10 → 11.
pub const RUNGS: u32 = 10;

/// Running counts of one group: per rung, buyers reaching it and the gaps to the next.
struct Rungs {
    reached: [usize; RUNGS as usize + 1],
    gaps: Vec<Vec<f64>>,
}

impl Rungs {
    fn new() -> Rungs {
        Rungs {
            reached: [0; RUNGS as usize + 1],
            gaps: vec![Vec::new(); RUNGS as usize],
        }
    }

    /// One buyer's purchase days, in order.
    fn add(&mut self, days: impl Iterator<Item = i32>) {
        let mut prev = None;
        for (k, d) in days.take(RUNGS as usize + 1).enumerate() {
            self.reached[k] += 1;
            if let Some(p) = prev {
                self.gaps[k - 1].push(f64::from(d - p));
            }
            prev = Some(d);
        }
    }

    fn steps(mut self) -> Vec<LadderStep> {
        (0..RUNGS as usize)
            .map(|k| {
                let gaps = &mut self.gaps[k];
                LadderStep {
                    n: k as u32 + 1,
                    reached: self.reached[k],
                    next: self.reached[k + 1],
                    rate: (self.reached[k] > 0)
                        .then(|| ratio(self.reached[k + 1] as f64, self.reached[k] as f64)),
                    days_quartiles: (!gaps.is_empty())
                        .then(|| percentiles(gaps, [25.0, 50.0, 75.0])),
                }
            })
            .collect()
    }
}

pub fn ladder(pop: &Population<'_>) -> Ladder {
    let mut all = Rungs::new();
    let mut by_source: Vec<Rungs> = pop.source_labels.iter().map(|_| Rungs::new()).collect();
    let mut by_channel: FxHashMap<&str, Rungs> = FxHashMap::default();
    // With one orders file its ladder is the whole one: not counted twice.
    let single = pop.is_source.iter().filter(|s| **s).count() <= 1;
    let mut undated = 0;
    let mut sources: Vec<u16> = Vec::new();
    for m in &pop.members {
        if m.purchases.is_empty() {
            undated += usize::from(m.is_buyer());
            continue;
        }
        all.add(m.purchases.iter().map(|p| p.day));
        if !single {
            sources.clear();
            sources.extend(m.purchases.iter().map(|p| p.source));
            sources.sort_unstable();
            sources.dedup();
            for &s in &sources {
                let days = m.purchases.iter().filter(|q| q.source == s).map(|q| q.day);
                by_source[s as usize].add(days);
            }
        }
        if let Some(c) = purchase_labels(&pop.order_files, &m.purchases[0]).channel {
            by_channel
                .entry(c)
                .or_insert_with(Rungs::new)
                .add(m.purchases.iter().map(|p| p.day));
        }
    }
    let mut by_first_channel: Vec<LadderGroup> = by_channel
        .into_iter()
        .map(|(label, r)| LadderGroup {
            label: label.to_string(),
            steps: r.steps(),
        })
        .collect();
    by_first_channel.sort_by(|a, b| {
        b.steps[0]
            .reached
            .cmp(&a.steps[0].reached)
            .then_with(|| a.label.cmp(&b.label))
    });
    let all = all.steps();
    Ladder {
        by_source: by_source
            .into_iter()
            .enumerate()
            .filter(|(s, r)| pop.is_source.get(*s).copied().unwrap_or(false) || r.reached[0] > 0)
            .map(|(s, r)| LadderGroup {
                label: pop.source_labels[s].clone(),
                steps: if single { all.clone() } else { r.steps() },
            })
            .collect(),
        all,
        by_first_channel,
        undated_buyers: undated,
    }
}
