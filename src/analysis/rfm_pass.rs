//! The RFM pass (domain.md §4): each buyer's values in the window, scores and segments, and
//! the `rfm` section with the figures per segment.

use super::options::AnalysisOptions;
use super::rfm::{self, RfmValues, Scores, Segment};
use super::stats::{money, ratio, round2};
use crate::model::population::Member;
use crate::report::{OrderedMap, RfmReport, SegmentStats};
use strum::VariantArray;

/// Per-buyer RFM values in the window (`None` for members without a purchase in it).
fn rfm_values(m: &Member, as_of: i32, window: Option<u32>) -> Option<RfmValues> {
    let last = m.last_day()?;
    let (f, spend) = match window {
        None => (m.frequency(), m.net_spend_cents()),
        Some(w) => {
            let from = as_of - w as i32;
            let in_window: Vec<_> = m.purchases.iter().filter(|p| p.day > from).collect();
            if in_window.is_empty() {
                return None;
            }
            (
                in_window.len() as u32,
                in_window.iter().map(|p| p.net_cents).sum::<i64>()
                    + m.returns
                        .iter()
                        .filter(|r| r.0 > from)
                        .map(|r| r.1)
                        .sum::<i64>(),
            )
        }
    };
    if f == 0 {
        return None;
    }
    Some(RfmValues {
        recency_days: f64::from(as_of - last),
        frequency: f64::from(f),
        monetary: money(spend.max(0)),
    })
}

/// RFM over the members: the report section and each member's scores and segments.
pub(super) struct RfmPart {
    pub report: RfmReport,
    pub scores: Vec<Option<Scores>>,
    pub segs: Vec<Option<Segment>>,
    /// Index of the matching rule of the ten-segment (or user) scheme; the rule count
    /// stands for "Others". Rule lists are short: two bytes a member instead of sixteen.
    pub tens: Vec<Option<u16>>,
    /// (name, Chinese name) of each rule, then "Others".
    pub ten_names: Vec<(String, String)>,
}

pub(super) fn run(members: &[Member], as_of: i32, opts: &AnalysisOptions) -> RfmPart {
    let values: Vec<Option<RfmValues>> = members
        .iter()
        .map(|m| rfm_values(m, as_of, opts.rfm_window_days))
        .collect();
    let scored: Vec<RfmValues> = values.iter().flatten().copied().collect();
    let bp = rfm::breakpoints(&scored, &opts.rfm_scoring);
    let scores: Vec<Option<Scores>> = values
        .iter()
        .map(|v| v.map(|v| rfm::score(&v, &bp)))
        .collect();
    let all_scores: Vec<Scores> = scores.iter().flatten().copied().collect();
    let means = rfm::score_means(&all_scores);
    let segs: Vec<Option<Segment>> = scores
        .iter()
        .map(|s| s.map(|s| rfm::segment(&s, &means)))
        .collect();
    let rules = opts
        .rfm_rules
        .clone()
        .unwrap_or_else(rfm::ten_segment_rules);
    // Index of the matching rule; `rules.len()` stands for "Others".
    // Rule lists are short: two bytes a member instead of sixteen.
    let tens: Vec<Option<u16>> = scores
        .iter()
        .map(|s| s.map(|s| rfm::rule_index(&s, &rules).unwrap_or(rules.len()) as u16))
        .collect();
    let mut heat = [[0usize; 5]; 5];
    for s in all_scores.iter() {
        heat[(s.r - 1) as usize][(s.f - 1) as usize] += 1;
    }
    let scored_revenue: f64 = scored.iter().map(|v| v.monetary).sum();
    let mut ten_names: Vec<(String, String)> = rules
        .iter()
        .map(|r| (r.name.clone(), r.name_zh.clone()))
        .collect();
    ten_names.push(("Others".into(), "其他".into()));
    // Per segment and per ten-segment rule, in one pass over the members (in member order,
    // so the sums add up in the same order as a pass per segment would).
    let empty_sum: f64 = std::iter::empty::<f64>().sum();
    let mut seg_acc = vec![SegmentAcc::new(empty_sum); Segment::VARIANTS.len()];
    let mut ten_acc = vec![SegmentAcc::new(empty_sum); ten_names.len()];
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v else { continue };
        if let Some(k) = segs[i].and_then(|s| Segment::VARIANTS.iter().position(|x| *x == s)) {
            seg_acc[k].add(v);
        }
        if let Some(k) = tens[i] {
            ten_acc[k as usize].add(v);
        }
    }
    let seg_stats = |acc: &SegmentAcc, zh: &str, en: &str| -> SegmentStats {
        let n = acc.members;
        SegmentStats {
            name_zh: zh.to_string(),
            name_en: en.to_string(),
            members: n,
            share: ratio(n as f64, scored.len() as f64),
            revenue: round2(acc.monetary),
            revenue_share: ratio(acc.monetary, scored_revenue),
            mean_recency: ratio(acc.recency, n as f64),
            mean_frequency: ratio(acc.frequency, n as f64),
            mean_monetary: round2(ratio(acc.monetary, n as f64)),
        }
    };
    let segments = OrderedMap(
        Segment::VARIANTS
            .iter()
            .zip(&seg_acc)
            .map(|(s, acc)| {
                (
                    s.key().to_string(),
                    seg_stats(acc, s.name_zh(), s.name_en()),
                )
            })
            .collect(),
    );
    let ten_segments = OrderedMap(
        ten_names
            .iter()
            .zip(&ten_acc)
            .map(|((n, zh), acc)| (n.clone(), seg_stats(acc, zh, n)))
            .collect(),
    );

    let buyers_scored = scored.len();
    // Segment statistics are computed: the members' values are not needed any more.
    drop((scored, all_scores, values));
    RfmPart {
        report: RfmReport {
            buyers_scored,
            breakpoints: bp,
            score_means: means,
            segments,
            rf_heatmap: heat,
            ten_segments,
        },
        scores,
        segs,
        tens,
        ten_names,
    }
}

/// Sums over the scored members of one segment.
#[derive(Clone)]
struct SegmentAcc {
    members: usize,
    recency: f64,
    frequency: f64,
    monetary: f64,
}

impl SegmentAcc {
    fn new(zero: f64) -> Self {
        SegmentAcc {
            members: 0,
            recency: zero,
            frequency: zero,
            monetary: zero,
        }
    }

    fn add(&mut self, v: &RfmValues) {
        self.members += 1;
        self.recency += v.recency_days;
        self.frequency += v.frequency;
        self.monetary += v.monetary;
    }
}
