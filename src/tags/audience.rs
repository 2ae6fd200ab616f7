//! Audiences (人群): a named rule over fields and tags, with what a touch campaign needs to know
//! of it (size, revenue, value, who can be reached how) and how audiences overlap.

use serde::{Deserialize, Serialize};

use super::compile::{Rule, TagSource};
use super::error::RuleError;
use crate::analysis::stats::ratio;
use crate::members::{MemberTable, MemberView};

/// An audience as the user defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceDef {
    /// Its name.
    pub name: String,
    /// Its rule: tags and fields combined with and/or/not (see `docs/rules-language.md`).
    pub rule: String,
}

/// What an audience holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AudienceStats {
    /// Its name.
    pub name: String,
    /// Its rule.
    pub rule: String,
    /// Members in it.
    pub members: usize,
    /// Share of all members.
    pub share: f64,
    /// Their net spend (monetary).
    pub revenue: f64,
    /// Share of all members' net spend.
    pub revenue_share: f64,
    /// Mean CLV of its members with a forecast (`None` without forecasts).
    pub mean_clv: Option<f64>,
    /// Members reachable by SMS or a call (a phone).
    pub with_phone: usize,
    /// Members reachable by e-mail.
    pub with_email: usize,
    /// Members with a guide (WeCom 1:1).
    pub with_guide: usize,
}

/// Audiences evaluated over one member table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AudienceReport {
    /// Each audience's figures, in the order given.
    pub audiences: Vec<AudienceStats>,
    /// `overlap[i][j]`: members in both audience i and audience j (the diagonal is the size).
    pub overlap: Vec<Vec<usize>>,
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

/// The figures of each audience and their overlaps, in one pass over the members.
pub fn evaluate(
    defs: &[AudienceDef],
    rules: &[Rule],
    table: &MemberTable,
    tags: &dyn TagSource,
) -> AudienceReport {
    let n = rules.len();
    let mut bits = vec![vec![0u64; words(table.len())]; n];
    let mut stats: Vec<AudienceStats> = defs
        .iter()
        .map(|d| AudienceStats {
            name: d.name.clone(),
            rule: d.rule.clone(),
            members: 0,
            share: 0.0,
            revenue: 0.0,
            revenue_share: 0.0,
            mean_clv: None,
            with_phone: 0,
            with_email: 0,
            with_guide: 0,
        })
        .collect();
    let mut clv = vec![(0.0f64, 0usize); n];
    let mut total_revenue = 0.0;
    for m in table.iter() {
        total_revenue += m.monetary();
        for (k, rule) in rules.iter().enumerate() {
            if !rule.matches(&m, tags) {
                continue;
            }
            bits[k][m.index() / 64] |= 1 << (m.index() % 64);
            add(&mut stats[k], &mut clv[k], &m);
        }
    }
    for (s, (sum, count)) in stats.iter_mut().zip(clv) {
        s.share = ratio(s.members as f64, table.len() as f64);
        s.revenue = (s.revenue * 100.0).round() / 100.0;
        s.revenue_share = ratio(s.revenue, total_revenue);
        s.mean_clv = (count > 0).then(|| sum / count as f64);
    }
    let overlap = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    bits[i]
                        .iter()
                        .zip(&bits[j])
                        .map(|(a, b)| (a & b).count_ones() as usize)
                        .sum()
                })
                .collect()
        })
        .collect();
    AudienceReport {
        audiences: stats,
        overlap,
    }
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
