//! Audiences (人群): a named rule over fields and tags, with what a touch campaign needs to know
//! of it (size, revenue, value, who can be reached how) and how audiences overlap.

use serde::{Deserialize, Serialize};

use super::compile::{Rule, TagSource};
use super::error::RuleError;
use crate::analysis::stats::ratio;
use crate::members::{MemberTable, MemberView};
pub use crate::report::AudienceStats;

/// An audience as the user defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceDef {
    /// Its name.
    pub name: String,
    /// Its rule: tags and fields combined with and/or/not (see `docs/rules-language.md`).
    pub rule: String,
}

/// Checks every audience's rule; the error names the audience.
pub fn compile(
    defs: &[AudienceDef],
    tags: &dyn TagSource,
) -> Result<Vec<Rule>, (usize, RuleError)> {
    defs.iter()
        .enumerate()
        .map(|(i, d)| Rule::compile(&d.rule, tags).map_err(|e| (i, e)))
        .collect()
}

fn words(n: usize) -> usize {
    n.div_ceil(64)
}

/// The figures of each audience and their overlaps, in one pass over the members. An audience
/// whose rule cannot be compiled is kept, with the error and zero figures.
pub fn evaluate(
    defs: &[AudienceDef],
    table: &MemberTable,
    tags: &dyn TagSource,
) -> Vec<AudienceStats> {
    let rules: Vec<Result<Rule, RuleError>> =
        defs.iter().map(|d| Rule::compile(&d.rule, tags)).collect();
    let n = rules.len();
    // Each audience's members as bits, then its figures over its members only.
    let bits: Vec<Vec<u64>> = rules
        .iter()
        .map(|r| match r {
            Ok(rule) => rule.bits(table, tags),
            Err(_) => vec![0u64; words(table.len())],
        })
        .collect();
    let mut stats: Vec<AudienceStats> = defs
        .iter()
        .zip(&rules)
        .map(|(d, r)| AudienceStats {
            name: d.name.clone(),
            rule: d.rule.clone(),
            error_en: r.as_ref().err().map(RuleError::message_en),
            error_zh: r.as_ref().err().map(RuleError::message_zh),
            members: 0,
            share: 0.0,
            revenue: 0.0,
            revenue_share: 0.0,
            mean_clv: None,
            with_phone: 0,
            with_email: 0,
            with_guide: 0,
            with_follower: None,
            overlap: Vec::new(),
        })
        .collect();
    let mut clv = vec![(0.0f64, 0usize); n];
    let mut followers = vec![0usize; n];
    if defs.is_empty() {
        return stats;
    }
    let total_revenue: f64 = table.iter().map(|m| m.monetary()).sum();
    let follower_known = table.iter().any(|m| m.follower().is_some());
    for k in 0..n {
        for (w, &word) in bits[k].iter().enumerate() {
            let mut word = word;
            while word != 0 {
                let m = table.view(w * 64 + word.trailing_zeros() as usize);
                word &= word - 1;
                add(&mut stats[k], &mut clv[k], &m);
                followers[k] += usize::from(m.follower() == Some(true));
            }
        }
    }
    for (k, (s, (sum, count))) in stats.iter_mut().zip(clv).enumerate() {
        s.share = ratio(s.members as f64, table.len() as f64);
        s.revenue = (s.revenue * 100.0).round() / 100.0;
        s.revenue_share = ratio(s.revenue, total_revenue);
        s.mean_clv = (count > 0).then(|| sum / count as f64);
        s.with_follower = follower_known.then_some(followers[k]);
        s.overlap = (0..n)
            .map(|j| {
                bits[k]
                    .iter()
                    .zip(&bits[j])
                    .map(|(a, b)| (a & b).count_ones() as usize)
                    .sum()
            })
            .collect();
    }
    stats
}

fn add(s: &mut AudienceStats, clv: &mut (f64, usize), m: &MemberView<'_>) {
    s.members += 1;
    s.revenue += m.monetary();
    s.with_phone += usize::from(m.phone().is_some());
    s.with_email += usize::from(m.email().is_some());
    s.with_guide += usize::from(m.guide().is_some());
    if let Some(f) = m.forecast() {
        clv.0 += f.clv;
        clv.1 += 1;
    }
}
