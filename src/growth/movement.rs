//! Segment movement (分群迁移): each buyer's RFM segment and dormancy tier at a comparison date
//! and at as-of, as transition matrices with counts and the revenue between the dates, and
//! who moved down. At the comparison date everything is computed as the analysis would have
//! been on that day: only the purchases and returns up to it, RFM scored among that day's
//! buyers, the dormancy thresholds of that day.

use strum::VariantArray;

use crate::analysis::dormancy::{self, BuyerTier, DormancyMode};
use crate::analysis::profile;
use crate::analysis::rfm::{self, RfmValues, Scoring, Segment};
use crate::analysis::stats::{median, money, round2};
use crate::model::population::{Member, Population};
use crate::model::Day;
use crate::report::{Movement, Transition};

/// What the movement is computed from.
pub struct MovementInputs<'a> {
    /// The comparison date (before as-of).
    pub compare: i32,
    /// RFM window and scoring of the analysis.
    pub window: Option<u32>,
    pub scoring: &'a Scoring,
    pub dormancy_mode: DormancyMode,
    /// Each member's segment at as-of (`None`: not scored).
    pub segs_now: &'a [Option<Segment>],
    /// The dormancy thresholds at as-of.
    pub thresholds_now: [f64; 4],
}

/// A member's state at the comparison date and how they moved since: `[segment, tier,
/// direction]`, `new` for the first two when they had not bought by then; the direction is
/// `new`, `down` (a later segment in the table order, or a quieter tier), `up` or `same`.
pub type Moved = [&'static str; 3];

/// RFM values of a member on `day` (purchases and returns up to it, in the window).
fn values_at(m: &Member, day: i32, window: Option<u32>) -> Option<RfmValues> {
    let from = window.map_or(i32::MIN, |w| day - w as i32);
    let (mut f, mut cents, mut last) = (0u32, 0i64, None);
    for p in m.purchases.iter().take_while(|p| p.day <= day) {
        last = Some(p.day);
        if p.day > from {
            f += 1;
            cents += p.net_cents;
        }
    }
    let last = last?;
    if f == 0 {
        return None;
    }
    cents += m
        .returns
        .iter()
        .filter(|r| r.0 <= day && r.0 > from)
        .map(|r| r.1)
        .sum::<i64>();
    Some(RfmValues {
        recency_days: f64::from(day - last),
        frequency: f64::from(f),
        monetary: money(cents.max(0)),
    })
}

/// A segment's place in the table order (0 = best) and a tier's (0 = active).
fn seg_index(s: Segment) -> usize {
    Segment::VARIANTS.iter().position(|x| *x == s).unwrap_or(0)
}

fn tier_index(t: BuyerTier) -> usize {
    BuyerTier::VARIANTS
        .iter()
        .position(|x| *x == t)
        .unwrap_or(0)
}

/// Per member (dated buyers at as-of), the states; and the report section.
pub fn run(
    pop: &Population<'_>,
    inp: &MovementInputs<'_>,
) -> (Option<Movement>, Vec<Option<Moved>>) {
    let cmp = inp.compare;
    let values: Vec<Option<RfmValues>> = pop
        .members
        .iter()
        .map(|m| values_at(m, cmp, inp.window))
        .collect();
    let then_buyers = pop
        .members
        .iter()
        .filter(|m| m.purchases.first().is_some_and(|p| p.day <= cmp))
        .count();
    if then_buyers == 0 {
        return (None, Vec::new());
    }
    let scored: Vec<RfmValues> = values.iter().flatten().copied().collect();
    let bp = rfm::breakpoints(&scored, inp.scoring);
    let scores: Vec<Option<rfm::Scores>> = values
        .iter()
        .map(|v| v.map(|v| rfm::score(&v, &bp)))
        .collect();
    let all: Vec<rfm::Scores> = scores.iter().flatten().copied().collect();
    let means = rfm::score_means(&all);
    // The dormancy thresholds of that day (cycle mode: that day's median gap).
    let thresholds_then = {
        let mut gaps: Vec<f64> = Vec::new();
        if inp.dormancy_mode == DormancyMode::Cycle {
            for m in &pop.members {
                let n = m.purchases.partition_point(|p| p.day <= cmp);
                if n >= 2 {
                    let before = Member {
                        purchases: &m.purchases[..n],
                        ..Default::default()
                    };
                    gaps.extend(profile::interpurchase_gaps(&before));
                }
            }
        }
        dormancy::thresholds(inp.dormancy_mode, median(&mut gaps))
    };
    let seg_keys: Vec<&'static str> = Segment::VARIANTS.iter().map(|s| s.key()).collect();
    let tier_keys: Vec<&'static str> = BuyerTier::VARIANTS.iter().map(|t| t.key()).collect();
    let mut segs = Matrix::new(&seg_keys);
    let mut tiers = Matrix::new(&tier_keys);
    let (mut present, mut new, mut down, mut up) = (0, 0, 0, 0);
    let mut moved: Vec<Option<Moved>> = Vec::with_capacity(pop.members.len());
    for (i, m) in pop.members.iter().enumerate() {
        let Some(last) = m.purchases.last() else {
            moved.push(None);
            continue;
        };
        let then_n = m.purchases.partition_point(|p| p.day <= cmp);
        let between: i64 = m.purchases[then_n..].iter().map(|p| p.net_cents).sum();
        let seg_now = inp.segs_now.get(i).copied().flatten().map(seg_index);
        let tier_now = tier_index(dormancy::buyer_tier(
            f64::from(pop.as_of - last.day),
            &inp.thresholds_now,
        ));
        let (seg_then, tier_then, direction) = if then_n == 0 {
            new += 1;
            (None, None, "new")
        } else {
            present += 1;
            let seg = scores[i].map(|s| seg_index(rfm::segment(&s, &means)));
            let tier = tier_index(dormancy::buyer_tier(
                f64::from(cmp - m.purchases[then_n - 1].day),
                &thresholds_then,
            ));
            // Down: a later segment or a quieter tier; up: an earlier one (down wins).
            let later =
                |a: Option<usize>, b: Option<usize>| matches!((a, b), (Some(a), Some(b)) if b > a);
            let direction = if later(seg, seg_now) || tier_now > tier {
                down += 1;
                "down"
            } else if later(seg_now, seg) || tier_now < tier {
                up += 1;
                "up"
            } else {
                "same"
            };
            (Some(seg), Some(tier), direction)
        };
        segs.add(seg_then, seg_now, between);
        tiers.add(tier_then.map(Some), Some(tier_now), between);
        moved.push(Some([
            seg_then.map_or("new", |s| s.map_or("unscored", |k| seg_keys[k])),
            tier_then.map_or("new", |t| tier_keys[t]),
            direction,
        ]));
    }
    let movement = Movement {
        compare_date: Day(cmp),
        present_both: present,
        new_buyers: new,
        segments: segs.finish(),
        tiers: tiers.finish(),
        moved_down: down,
        moved_up: up,
    };
    (Some(movement), moved)
}

/// A transition matrix being counted over state indexes: rows `new`, the keys, `unscored`;
/// columns the keys, `unscored`. An unused `unscored` row and column are dropped at the end.
struct Matrix {
    keys: Vec<&'static str>,
    counts: Vec<Vec<usize>>,
    cents: Vec<Vec<i64>>,
}

impl Matrix {
    fn new(keys: &[&'static str]) -> Matrix {
        let mut keys = keys.to_vec();
        keys.push("unscored");
        let n = keys.len();
        Matrix {
            keys,
            counts: vec![vec![0; n]; n + 1],
            cents: vec![vec![0; n]; n + 1],
        }
    }

    /// `from`: the state's index then (`None`: new); `to`: now. `None` states are `unscored`.
    fn add(&mut self, from: Option<Option<usize>>, to: Option<usize>, cents: i64) {
        let unscored = self.keys.len() - 1;
        let r = from.map_or(0, |f| f.unwrap_or(unscored) + 1);
        let c = to.unwrap_or(unscored);
        self.counts[r][c] += 1;
        self.cents[r][c] += cents;
    }

    fn finish(self) -> Transition {
        let n = self.keys.len();
        let unscored_used =
            self.counts.iter().any(|row| row[n - 1] > 0) || self.counts[n].iter().any(|x| *x > 0);
        let cols = if unscored_used { n } else { n - 1 };
        let rows: Vec<usize> = (0..=cols).collect();
        Transition {
            from: std::iter::once("new")
                .chain(self.keys[..cols].iter().copied())
                .map(String::from)
                .collect(),
            to: self.keys[..cols].iter().map(|k| k.to_string()).collect(),
            counts: rows
                .iter()
                .map(|r| self.counts[*r][..cols].to_vec())
                .collect(),
            revenue: rows
                .iter()
                .map(|r| {
                    self.cents[*r][..cols]
                        .iter()
                        .map(|c| round2(money(*c)))
                        .collect()
                })
                .collect(),
        }
    }
}
