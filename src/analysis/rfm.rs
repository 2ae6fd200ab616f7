//! RFM scoring (打分) and segmentation (用户分类), domain.md §4.

use serde::{Deserialize, Serialize};

use super::stats::percentiles;
pub use crate::report::{Breakpoints, ScoreMeans, Scoring};

/// Per-buyer raw values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfmValues {
    /// Days since the last purchase.
    pub recency_days: f64,
    /// Purchases in the window.
    pub frequency: f64,
    /// Net spend in the window (purchases plus returns, floored at 0), currency units.
    pub monetary: f64,
}

/// Scores 1..5 per dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scores {
    /// R score (5 = most recent).
    pub r: u8,
    /// F score.
    pub f: u8,
    /// M score.
    pub m: u8,
}

fn above(v: f64, b: &[f64; 4]) -> u8 {
    b.iter().filter(|x| v > **x).count() as u8
}

/// Computes breakpoints for the buyers' values.
pub fn breakpoints(values: &[RfmValues], scoring: &Scoring) -> Breakpoints {
    match scoring {
        Scoring::Thresholds {
            recency,
            frequency,
            monetary,
        } => Breakpoints {
            recency: *recency,
            frequency: *frequency,
            monetary: *monetary,
        },
        Scoring::Quantile5 => {
            let q = |get: fn(&RfmValues) -> f64| {
                let mut v: Vec<f64> = values.iter().map(get).collect();
                percentiles(&mut v, [20.0, 40.0, 60.0, 80.0])
            };
            Breakpoints {
                recency: q(|v| v.recency_days),
                frequency: q(|v| v.frequency),
                monetary: q(|v| v.monetary),
            }
        }
    }
}

/// Scores one buyer: F and M = 1 + #{b_k < value}; R = 5 − #{b_k < value}.
pub fn score(v: &RfmValues, b: &Breakpoints) -> Scores {
    Scores {
        r: 5 - above(v.recency_days, &b.recency),
        f: 1 + above(v.frequency, &b.frequency),
        m: 1 + above(v.monetary, &b.monetary),
    }
}

/// The eight RFM segments (RFM 八大类).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Segment {
    /// 重要价值客户: high R, F, M.
    ImportantValue,
    /// 重要发展客户: high R, low F, high M.
    ImportantDevelop,
    /// 重要保持客户: low R, high F, high M.
    ImportantKeep,
    /// 重要挽留客户: low R, low F, high M.
    ImportantRetain,
    /// 一般价值客户: high R, high F, low M.
    GeneralValue,
    /// 一般发展客户: high R, low F, low M.
    GeneralDevelop,
    /// 一般保持客户: low R, high F, low M.
    GeneralKeep,
    /// 一般挽留客户: low R, F, M.
    GeneralRetain,
}

impl Segment {
    /// Report key.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Segment::ImportantValue => "重要价值客户",
            Segment::ImportantDevelop => "重要发展客户",
            Segment::ImportantKeep => "重要保持客户",
            Segment::ImportantRetain => "重要挽留客户",
            Segment::GeneralValue => "一般价值客户",
            Segment::GeneralDevelop => "一般发展客户",
            Segment::GeneralKeep => "一般保持客户",
            Segment::GeneralRetain => "一般挽留客户",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Segment::ImportantValue => "Important value",
            Segment::ImportantDevelop => "Important develop",
            Segment::ImportantKeep => "Important keep",
            Segment::ImportantRetain => "Important retain",
            Segment::GeneralValue => "General value",
            Segment::GeneralDevelop => "General develop",
            Segment::GeneralKeep => "General keep",
            Segment::GeneralRetain => "General retain",
        }
    }

    /// Looks a segment up by key.
    pub fn from_key(k: &str) -> Option<Segment> {
        k.parse().ok()
    }

    /// The segment of high/low R, F, M.
    pub fn of(r_high: bool, f_high: bool, m_high: bool) -> Segment {
        match (r_high, f_high, m_high) {
            (true, true, true) => Segment::ImportantValue,
            (true, false, true) => Segment::ImportantDevelop,
            (false, true, true) => Segment::ImportantKeep,
            (false, false, true) => Segment::ImportantRetain,
            (true, true, false) => Segment::GeneralValue,
            (true, false, false) => Segment::GeneralDevelop,
            (false, true, false) => Segment::GeneralKeep,
            (false, false, false) => Segment::GeneralRetain,
        }
    }
}

/// Mean scores.
pub fn score_means(scores: &[Scores]) -> ScoreMeans {
    let n = scores.len().max(1) as f64;
    let sum = |g: fn(&Scores) -> u8| scores.iter().map(|s| f64::from(g(s))).sum::<f64>() / n;
    ScoreMeans {
        r: sum(|s| s.r),
        f: sum(|s| s.f),
        m: sum(|s| s.m),
    }
}

/// Eight-segment assignment: a dimension is high when its score is strictly above the mean.
pub fn segment(s: &Scores, means: &ScoreMeans) -> Segment {
    Segment::of(
        f64::from(s.r) > means.r,
        f64::from(s.f) > means.f,
        f64::from(s.m) > means.m,
    )
}

/// A score-range rule: a named segment whose R, F and M scores each lie in an inclusive range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRule {
    /// Segment name.
    pub name: String,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: String,
    /// Inclusive R score range.
    pub r: [u8; 2],
    /// Inclusive F score range.
    pub f: [u8; 2],
    /// Inclusive M score range.
    pub m: [u8; 2],
}

impl ScoreRule {
    fn matches(&self, s: &Scores) -> bool {
        let within = |v: u8, r: [u8; 2]| v >= r[0] && v <= r[1];
        within(s.r, self.r) && within(s.f, self.f) && within(s.m, self.m)
    }
}

/// The ten-segment score-range scheme (first matching rule wins; unmatched = Others).
///
/// Narrower rules come before the wider ones that contain them, so every rule is reached:
/// New Customers and Promising (F = 1) before Potential Loyalist (F 1–3), Can't Lose Them
/// (R = 1, F and M 4–5) before At Risk (R 1–2, F and M 2–5). A test walks the 5×5×5 grid.
pub fn ten_segment_rules() -> Vec<ScoreRule> {
    let rule = |name: &str, zh: &str, r: [u8; 2], f: [u8; 2], m: [u8; 2]| ScoreRule {
        name: name.into(),
        name_zh: zh.into(),
        r,
        f,
        m,
    };
    vec![
        rule("Champions", "冠军客户", [4, 5], [4, 5], [4, 5]),
        rule("Loyal Customers", "忠诚客户", [2, 5], [3, 5], [3, 5]),
        rule("New Customers", "新客户", [4, 5], [1, 1], [1, 5]),
        rule("Promising", "有望客户", [3, 4], [1, 1], [1, 5]),
        rule("Potential Loyalist", "潜力客户", [3, 5], [1, 3], [1, 3]),
        rule("Need Attention", "需关注客户", [2, 3], [2, 3], [2, 3]),
        rule("About To Sleep", "即将沉睡客户", [2, 3], [1, 2], [1, 5]),
        rule("Can't Lose Them", "不能失去的客户", [1, 1], [4, 5], [4, 5]),
        rule("At Risk", "风险客户", [1, 2], [2, 5], [2, 5]),
        rule("Lost", "流失客户", [1, 2], [1, 5], [1, 5]),
    ]
}

/// Index of the first rule that matches.
pub fn rule_index(s: &Scores, rules: &[ScoreRule]) -> Option<usize> {
    rules.iter().position(|r| r.matches(s))
}

/// The first rule that matches, or "Others".
pub fn rule_segment<'r>(s: &Scores, rules: &'r [ScoreRule]) -> &'r str {
    rules
        .iter()
        .find(|r| r.matches(s))
        .map(|r| r.name.as_str())
        .unwrap_or("Others")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(r: f64, f: f64, m: f64) -> RfmValues {
        RfmValues {
            recency_days: r,
            frequency: f,
            monetary: m,
        }
    }

    #[test]
    fn quantile_ties_get_one_score() {
        // Frequencies 1,1,1,1,2: every breakpoint is 1 except the 80th (1.2); all 1s share score 1.
        let vals: Vec<RfmValues> = [1.0, 1.0, 1.0, 1.0, 2.0]
            .iter()
            .map(|f| v(10.0, *f, 100.0))
            .collect();
        let b = breakpoints(&vals, &Scoring::Quantile5);
        for (got, want) in b.frequency.iter().zip([1.0, 1.0, 1.0, 1.2]) {
            assert!((got - want).abs() < 1e-12);
        }
        let scores: Vec<Scores> = vals.iter().map(|x| score(x, &b)).collect();
        assert!(scores[..4].iter().all(|s| s.f == 1));
        assert_eq!(scores[4].f, 5, "above every breakpoint");
    }

    #[test]
    fn all_buyers_identical_are_one_segment() {
        let vals = vec![v(5.0, 2.0, 50.0); 10];
        let b = breakpoints(&vals, &Scoring::Quantile5);
        let scores: Vec<Scores> = vals.iter().map(|x| score(x, &b)).collect();
        assert!(scores.iter().all(|s| *s == Scores { r: 5, f: 1, m: 1 }));
        let means = score_means(&scores);
        assert!(scores
            .iter()
            .all(|s| segment(s, &means) == Segment::GeneralRetain));
    }

    #[test]
    fn one_buyer() {
        let vals = vec![v(3.0, 1.0, 9.0)];
        let b = breakpoints(&vals, &Scoring::Quantile5);
        assert_eq!(b.recency, [3.0; 4]);
        let s = score(&vals[0], &b);
        assert_eq!(s, Scores { r: 5, f: 1, m: 1 });
    }

    #[test]
    fn recency_scores_run_backwards() {
        let b = Breakpoints {
            recency: [30.0, 60.0, 90.0, 180.0],
            frequency: [1.0, 2.0, 3.0, 5.0],
            monetary: [100.0, 200.0, 500.0, 1000.0],
        };
        assert_eq!(score(&v(30.0, 1.0, 100.0), &b), Scores { r: 5, f: 1, m: 1 });
        assert_eq!(
            score(&v(31.0, 6.0, 1000.01), &b),
            Scores { r: 4, f: 5, m: 5 }
        );
        assert_eq!(
            score(&v(400.0, 3.0, 300.0), &b),
            Scores { r: 1, f: 3, m: 3 }
        );
    }

    #[test]
    fn eight_segments_table() {
        let means = ScoreMeans {
            r: 3.0,
            f: 2.5,
            m: 3.0,
        };
        let seg = |r, f, m| segment(&Scores { r, f, m }, &means);
        assert_eq!(seg(4, 3, 4), Segment::ImportantValue);
        assert_eq!(seg(4, 2, 4), Segment::ImportantDevelop);
        assert_eq!(
            seg(3, 3, 4),
            Segment::ImportantKeep,
            "equal to the mean is low"
        );
        assert_eq!(seg(1, 1, 5), Segment::ImportantRetain);
        assert_eq!(seg(5, 5, 3), Segment::GeneralValue);
        assert_eq!(seg(5, 1, 1), Segment::GeneralDevelop);
        assert_eq!(seg(2, 4, 2), Segment::GeneralKeep);
        assert_eq!(seg(3, 2, 3), Segment::GeneralRetain);
    }

    #[test]
    fn ten_segments_first_match_wins() {
        let rules = ten_segment_rules();
        assert_eq!(
            rule_segment(&Scores { r: 5, f: 5, m: 5 }, &rules),
            "Champions"
        );
        assert_eq!(
            rule_segment(&Scores { r: 5, f: 1, m: 1 }, &rules),
            "New Customers"
        );
        assert_eq!(
            rule_segment(&Scores { r: 5, f: 2, m: 2 }, &rules),
            "Potential Loyalist"
        );
        assert_eq!(
            rule_segment(&Scores { r: 1, f: 5, m: 5 }, &rules),
            "Can't Lose Them"
        );
        assert_eq!(
            rule_segment(&Scores { r: 1, f: 3, m: 3 }, &rules),
            "At Risk"
        );
        assert_eq!(rule_segment(&Scores { r: 1, f: 1, m: 1 }, &rules), "Lost");
        assert_eq!(rule_segment(&Scores { r: 3, f: 4, m: 1 }, &rules), "Others");
    }

    /// Every rule of the ten-segment scheme is the first match of at least one score triple,
    /// and each triple's segment is the first rule whose three ranges hold it.
    #[test]
    fn every_ten_segment_rule_is_reachable() {
        let rules = ten_segment_rules();
        let mut hits = vec![0usize; rules.len()];
        for r in 1..=5u8 {
            for f in 1..=5u8 {
                for m in 1..=5u8 {
                    let s = Scores { r, f, m };
                    let inside = |x: u8, range: [u8; 2]| range[0] <= x && x <= range[1];
                    let first = rules
                        .iter()
                        .position(|k| inside(r, k.r) && inside(f, k.f) && inside(m, k.m));
                    assert_eq!(rule_index(&s, &rules), first, "{s:?}");
                    if let Some(k) = first {
                        hits[k] += 1;
                    }
                }
            }
        }
        for (rule, n) in rules.iter().zip(&hits) {
            assert!(*n > 0, "{} is never reached", rule.name);
        }
    }
}
