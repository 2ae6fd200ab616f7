//! Analyses over linked members: inventory, RFM, dormancy, lifecycle, repurchase, forecasts.
//!
//! [`run`] is the one entry point: typed files in, the [`Report`] and the member table out.

pub mod dormancy;
pub mod forecast;
pub mod forecast_bridge;
pub mod identity;
pub mod lifecycle;
pub mod member_store;
pub mod member_table;
pub mod profile;
pub mod repurchase;
pub mod rfm;
pub mod stats;

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ingest::values::{format_day, parse_iso_day};
use crate::ingest::{FileData, IngestedFile};
use crate::par;
use crate::report::*;
use dormancy::{BuyerTier, DormancyMode, NonBuyerTier, BUYER_TIERS, NON_BUYER_TIERS};
use forecast_bridge::ForecastOptions;
use lifecycle::{Stage, StageRule, STAGES};
use member_table::{MemberRow, MemberTable};
use profile::{Member, Population};
use rfm::{RfmValues, ScoreRule, Scores, Scoring, Segment, SEGMENTS};
use stats::{median, ratio, round2};

/// What the user may set for an analysis; all have defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisOptions {
    /// As-of date `YYYY-MM-DD` (default: the latest purchase date).
    pub as_of: Option<String>,
    /// RFM window in days (default: all history).
    pub rfm_window_days: Option<u32>,
    /// RFM scoring.
    pub rfm_scoring: Scoring,
    /// Score-range rules replacing the ten-segment scheme.
    pub rfm_rules: Option<Vec<ScoreRule>>,
    /// Dormancy thresholds.
    pub dormancy_mode: DormancyMode,
    /// Return-rate period L, days.
    pub return_period_days: u32,
    /// Days ahead that count as "due".
    pub due_window_days: u32,
    /// Lifecycle F thresholds.
    pub growth_f: u32,
    /// Lifecycle F thresholds.
    pub maturity_f: u32,
    /// Forecast settings.
    pub forecast: ForecastOptions,
    /// Holdout split for the forecast check, `YYYY-MM-DD`.
    pub holdout_from: Option<String>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            as_of: None,
            rfm_window_days: None,
            rfm_scoring: Scoring::Quantile5,
            rfm_rules: None,
            dormancy_mode: DormancyMode::Fixed,
            return_period_days: 365,
            due_window_days: 30,
            growth_f: 2,
            maturity_f: 4,
            forecast: ForecastOptions::default(),
            holdout_from: None,
        }
    }
}

/// The report and the member table.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The versioned report.
    pub report: Report,
    /// One row per member (packed; see [`member_store`]).
    pub members: MemberTable,
}

fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

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

/// Most user segment rules a scheme may have (members store their segment as a small code).
pub const MAX_SEGMENT_RULES: usize = 200;

fn validate(opts: &AnalysisOptions) -> Result<(), Error> {
    let bad = |option: &str, reason: &str| {
        Err(Error::InvalidOption {
            option: option.to_string(),
            reason: reason.to_string(),
        })
    };
    if opts.return_period_days == 0 {
        return bad("return_period_days", "must be at least 1");
    }
    if opts.growth_f < 1 || opts.maturity_f <= opts.growth_f {
        return bad("growth_f/maturity_f", "need 1 ≤ growth_f < maturity_f");
    }
    if let Scoring::Thresholds {
        recency,
        frequency,
        monetary,
    } = &opts.rfm_scoring
    {
        for (name, b) in [
            ("recency", recency),
            ("frequency", frequency),
            ("monetary", monetary),
        ] {
            if b.windows(2).any(|w| w[0] > w[1]) || b.iter().any(|x| !x.is_finite()) {
                return bad(
                    &format!("rfm_scoring.{name}"),
                    "the four breakpoints must be finite and ascending",
                );
            }
        }
    }
    if opts.rfm_window_days == Some(0) {
        return bad("rfm_window_days", "must be at least 1");
    }
    if opts
        .rfm_rules
        .as_ref()
        .is_some_and(|r| r.len() > MAX_SEGMENT_RULES)
    {
        return bad(
            "rfm_rules",
            &format!("a segment scheme has at most {MAX_SEGMENT_RULES} rules"),
        );
    }
    Ok(())
}

/// Runs every analysis on the ingested files.
pub fn run(files: &[&IngestedFile], opts: &AnalysisOptions) -> Result<Analysis, Error> {
    validate(opts)?;
    let (as_of, as_of_source) = match &opts.as_of {
        Some(s) if !s.trim().is_empty() => (
            parse_iso_day(s).ok_or_else(|| Error::InvalidOption {
                option: "as_of".into(),
                reason: format!("\"{s}\" is not a date YYYY-MM-DD"),
            })?,
            "user",
        ),
        _ => (
            profile::latest_purchase_day(files).ok_or(Error::NoPurchases)?,
            "latest_purchase",
        ),
    };
    let holdout_from =
        match opts
            .holdout_from
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(parse_iso_day(s).filter(|d| *d < as_of).ok_or_else(|| {
                Error::InvalidOption {
                    option: "holdout_from".into(),
                    reason: format!(
                        "\"{s}\" must be a date YYYY-MM-DD before the as-of date {}",
                        format_day(as_of)
                    ),
                }
            })?),
            None => None,
        };
    if !(opts.forecast.discount.is_finite() && opts.forecast.discount > -1.0)
        || opts.forecast.clv_months > forecast::MAX_CLV_MONTHS
    {
        return Err(Error::InvalidOption {
            option: "forecast".into(),
            reason: format!(
                "discount must be above -1 and the CLV horizon at most {} months",
                forecast::MAX_CLV_MONTHS
            ),
        });
    }
    let mut all_purchases = Vec::new();
    let mut pop = profile::build(files, as_of, &mut all_purchases);
    let members = &pop.members;

    // Passes that only read the members run at once: forecasts; inventory and labels; RFM.
    let (forecast, (inv, (rfm_part, labels))) = par::join(
        || {
            opts.forecast
                .enabled
                .then(|| forecast_bridge::run(&pop, &opts.forecast, holdout_from))
        },
        || {
            par::join(
                || inventory_basics(members, as_of, opts.return_period_days as i32),
                || {
                    par::join(
                        || rfm_part(members, as_of, opts),
                        || label_part(files, &pop, as_of),
                    )
                },
            )
        },
    );
    let RfmPart {
        report: rfm_report,
        scores,
        segs,
        tens,
        ten_names,
    } = rfm_part;
    let median_gap = inv.median_gap;
    let n_buyers = inv.buyers;

    // Dormancy, lifecycle, repurchase.
    let thresholds = dormancy::thresholds(opts.dormancy_mode, median_gap);
    let stage_rule = StageRule {
        growth_f: opts.growth_f,
        maturity_f: opts.maturity_f,
    };
    let mut forecast_warnings = Vec::new();
    let (fc_report, fc_cols) = match forecast {
        Some(Ok((r, c))) => (Some(r), c),
        Some(Err(reason)) => {
            forecast_warnings.push(crate::error::Warning {
                file: String::new(),
                line: 0,
                column: None,
                kind: crate::error::WarningKind::Notice,
                reason: format!("forecasts were not computed: {reason}"),
            });
            (None, Vec::new())
        }
        None => (None, Vec::new()),
    };
    let LabelPart {
        by_store,
        by_channel,
        by_reg_channel,
        tier_counts,
        sources,
        source_overlap,
        members_in_member_file,
    } = labels;
    let stores_with_sales = by_store.iter().filter(|s| s.purchase_orders > 0).count();
    let store_revenue: f64 = by_store.iter().map(|s| s.revenue).sum();
    let n_members = members.len();
    let ctx = RowContext {
        as_of,
        source_labels: &pop.source_labels,
        thresholds: &thresholds,
        stage_rule: &stage_rule,
        median_gap,
        due_window_days: opts.due_window_days as i32,
        scores: &scores,
        segs: &segs,
        tens: &tens,
        ten_shared: ten_names
            .iter()
            .map(|(n, _)| Arc::from(n.as_str()))
            .collect(),
        fc_cols: &fc_cols,
    };
    // The members are not needed after this: their texts move into the rows. Each half of
    // them is packed on its own thread (native), then the halves are joined.
    let half = pop.members.len() / 2;
    let (first, second) = pop.members.split_at_mut(half);
    let ((mut rows, mut counts), (rows2, counts2)) = par::join(
        || member_rows(first, 0, &ctx),
        || member_rows(second, half, &ctx),
    );
    rows.append(rows2);
    counts.add(counts2);
    let RowCounts {
        tier_n,
        tier_rev,
        nb_n,
        stage_n,
        mut rep,
        mut cycles,
    } = counts;
    rep.median_personal_cycle_days = median(&mut cycles);

    let file_reports = files
        .iter()
        .enumerate()
        .map(|(fi, f)| FileReport {
            name: f.summary.name.clone(),
            kind: f.summary.kind.key(),
            encoding: f.summary.encoding.clone(),
            rows: f.summary.rows,
            accepted: f.summary.accepted,
            duplicate_rows: f.summary.duplicate_rows,
            rejected_rows: f.summary.rejected_rows,
            after_as_of_rows: pop.counts.after_as_of_rows[fi],
            return_rows: pop.counts.return_rows_by_file[fi],
            columns: OrderedMap(
                f.summary
                    .columns
                    .iter()
                    .map(|c| (c.header.clone(), c.role.map(|r| r.key())))
                    .collect(),
            ),
            reject_reasons: f.summary.reject_reasons.clone(),
            source_label: pop.is_source[fi].then(|| f.summary.source_label.clone()),
        })
        .collect();
    let revenue = money(inv.revenue_cents);
    let report = Report {
        report_version: REPORT_VERSION,
        generator: format!("memberlens {}", env!("CARGO_PKG_VERSION")),
        as_of: format_day(as_of),
        as_of_source,
        settings: Settings {
            rfm_window_days: opts.rfm_window_days,
            rfm_scoring: opts.rfm_scoring.clone(),
            dormancy_mode: opts.dormancy_mode,
            return_period_days: opts.return_period_days,
            due_window_days: opts.due_window_days,
            growth_f: opts.growth_f,
            maturity_f: opts.maturity_f,
        },
        files: file_reports,
        inventory: Inventory {
            members_total: n_members,
            members_in_member_file,
            buyers: n_buyers,
            non_buyers: n_members - n_buyers,
            purchase_orders: inv.purchase_orders,
            revenue: round2(revenue),
            aov: round2(ratio(revenue, inv.purchase_orders as f64)),
            avg_spend_per_buyer: round2(ratio(revenue, n_buyers as f64)),
            avg_orders_per_buyer: ratio(inv.purchase_orders as f64, n_buyers as f64),
            repurchase_rate: ratio(inv.repeaters as f64, n_buyers as f64),
            return_rate: ratio(inv.rr_back as f64, inv.rr_base as f64),
            return_rate_base: inv.rr_base,
            guest_orders: pop.counts.guest_orders,
            guest_revenue: round2(money(pop.counts.guest_revenue_cents)),
            return_rows: pop.counts.return_rows,
            returns_amount: round2(money(inv.returns_cents)),
            median_interpurchase_days: median_gap,
            tier_counts,
            revenue_per_store: round2(ratio(store_revenue, stores_with_sales as f64)),
            by_store,
            by_channel,
            by_reg_channel,
        },
        rfm: rfm_report,
        dormancy: DormancyReport {
            mode: opts.dormancy_mode,
            thresholds,
            buyers: OrderedMap(
                BUYER_TIERS
                    .iter()
                    .map(|t| (t.key().to_string(), tier_n.get(t).copied().unwrap_or(0)))
                    .collect(),
            ),
            buyers_revenue: OrderedMap(
                BUYER_TIERS
                    .iter()
                    .map(|t| {
                        (
                            t.key().to_string(),
                            round2(money(tier_rev.get(t).copied().unwrap_or(0))),
                        )
                    })
                    .collect(),
            ),
            non_buyers: OrderedMap(
                NON_BUYER_TIERS
                    .iter()
                    .map(|t| (t.key().to_string(), nb_n.get(t).copied().unwrap_or(0)))
                    .collect(),
            ),
        },
        lifecycle: OrderedMap(
            STAGES
                .iter()
                .map(|s| (s.key().to_string(), stage_n.get(s).copied().unwrap_or(0)))
                .collect(),
        ),
        repurchase: rep,
        sources,
        source_overlap,
        forecast: fc_report,
        warnings: files
            .iter()
            .flat_map(|f| f.warnings.iter().cloned())
            .chain(forecast_warnings)
            .collect(),
    };
    Ok(Analysis {
        report,
        members: rows,
    })
}

/// What the member loop reads besides the members.
struct RowContext<'a> {
    as_of: i32,
    source_labels: &'a [String],
    thresholds: &'a [f64; 4],
    stage_rule: &'a StageRule,
    median_gap: Option<f64>,
    due_window_days: i32,
    scores: &'a [Option<Scores>],
    segs: &'a [Option<Segment>],
    tens: &'a [Option<u16>],
    /// Ten-segment names, shared by the rows.
    ten_shared: Vec<Arc<str>>,
    fc_cols: &'a [Option<forecast::MemberForecast>],
}

/// Dormancy, lifecycle and repurchase counts over some members.
#[derive(Default)]
struct RowCounts {
    tier_n: FxHashMap<BuyerTier, usize>,
    tier_rev: FxHashMap<BuyerTier, i64>,
    nb_n: FxHashMap<NonBuyerTier, usize>,
    stage_n: FxHashMap<Stage, usize>,
    rep: RepurchaseReport,
    cycles: Vec<f64>,
}

impl RowCounts {
    fn add(&mut self, o: RowCounts) {
        for (k, v) in o.tier_n {
            *self.tier_n.entry(k).or_default() += v;
        }
        for (k, v) in o.tier_rev {
            *self.tier_rev.entry(k).or_default() += v;
        }
        for (k, v) in o.nb_n {
            *self.nb_n.entry(k).or_default() += v;
        }
        for (k, v) in o.stage_n {
            *self.stage_n.entry(k).or_default() += v;
        }
        self.rep.overdue += o.rep.overdue;
        self.rep.due += o.rep.due;
        self.rep.later += o.rep.later;
        self.cycles.extend(o.cycles);
    }
}

/// The member-table rows of `members` (member `first + i` of the population is
/// `members[i]`), taking their texts, and the counts over them.
fn member_rows(
    members: &mut [Member],
    first: usize,
    ctx: &RowContext<'_>,
) -> (MemberTable, RowCounts) {
    let as_of = ctx.as_of;
    let mut counts = RowCounts::default();
    let RowCounts {
        tier_n,
        tier_rev,
        nb_n,
        stage_n,
        rep,
        cycles,
    } = &mut counts;
    let mut rows = MemberTable::with_capacity(members.len());
    // Most members share one of a few source sets: one shared list per set.
    let mut source_sets: FxHashMap<Vec<u16>, Arc<[String]>> = FxHashMap::default();
    for (k, m) in members.iter_mut().enumerate() {
        let i = first + k;
        let sources = match source_sets.get(&m.sources) {
            Some(s) => s.clone(),
            None => {
                let set: Arc<[String]> = m
                    .sources
                    .iter()
                    .map(|s| ctx.source_labels[*s as usize].clone())
                    .collect();
                source_sets.insert(m.sources.clone(), set.clone());
                set
            }
        };
        let mut rec = m.record.take();
        let rec_mut = rec.as_deref_mut();
        let (tier, reg_channel, store, gender, registered_at) = match rec_mut {
            Some(r) => (
                r.tier.take(),
                r.reg_channel.take(),
                r.store.take(),
                r.gender.take(),
                r.registered,
            ),
            None => (None, None, None, None, None),
        };
        let mut row = MemberRow {
            sources,
            in_member_file: rec.is_some(),
            tier,
            registered_at,
            reg_channel,
            store,
            gender,
            frequency: m.frequency(),
            monetary: money(m.net_spend_cents().max(0)),
            ..Default::default()
        };
        if let (Some(first), Some(last)) = (m.first_day(), m.last_day()) {
            let recency = as_of - last;
            row.first_purchase = Some(first);
            row.last_purchase = Some(last);
            row.recency_days = Some(recency);
            let tier = dormancy::buyer_tier(f64::from(recency), ctx.thresholds);
            *tier_n.entry(tier).or_default() += 1;
            *tier_rev.entry(tier).or_default() += m.net_spend_cents();
            row.dormancy = tier.key();
            let stage = lifecycle::buyer_stage(
                f64::from(recency),
                m.frequency(),
                ctx.thresholds,
                ctx.stage_rule,
            );
            *stage_n.entry(stage).or_default() += 1;
            row.lifecycle = stage.key();
            if let Some(cycle) =
                repurchase::personal_cycle_days(first, last, m.frequency(), ctx.median_gap)
            {
                if m.frequency() >= 2 && last > first {
                    cycles.push(cycle);
                }
                let (next, status) =
                    repurchase::expected_next(last, cycle, as_of, ctx.due_window_days);
                row.personal_cycle_days = Some((cycle * 10.0).round() / 10.0);
                row.expected_next_purchase = Some(next);
                row.repurchase_status = Some(status.key());
                match status {
                    repurchase::RepurchaseStatus::Overdue => rep.overdue += 1,
                    repurchase::RepurchaseStatus::Due => rep.due += 1,
                    repurchase::RepurchaseStatus::Later => rep.later += 1,
                }
            }
        } else {
            let since = registered_at.map(|d| as_of - d);
            let tier = NonBuyerTier::of(since);
            *nb_n.entry(tier).or_default() += 1;
            row.dormancy = tier.key();
            let stage = lifecycle::non_buyer_stage(since, ctx.thresholds);
            *stage_n.entry(stage).or_default() += 1;
            row.lifecycle = stage.key();
        }
        if let Some(s) = ctx.scores[i] {
            row.r_score = Some(s.r);
            row.f_score = Some(s.f);
            row.m_score = Some(s.m);
            row.segment = ctx.segs[i].map(Segment::key);
            row.segment_ten = ctx.tens[i].map(|k| ctx.ten_shared[k as usize].clone());
        }
        if let Some(Some(fc)) = ctx.fc_cols.get(i) {
            row.p_alive = Some(fc.p_alive);
            row.expected_purchases_30d = Some(fc.expected_purchases_30d);
            row.expected_purchases_90d = Some(fc.expected_purchases_90d);
            row.expected_purchases_365d = Some(fc.expected_purchases_365d);
            row.expected_spend = Some(fc.expected_spend);
            row.clv = Some(fc.clv);
            row.churn_risk = Some(fc.churn_risk);
            row.churn_band = Some(fc.churn_band.key());
        }
        // The keys and name are borrowed from the files: packed without a copy of their own.
        rows.push_with_ids([m.keys.member_id, m.keys.phone, m.keys.email, m.name], &row);
    }
    (rows, counts)
}

/// Inventory figures read straight off the members (domain.md §3).
struct InventoryBasics {
    buyers: usize,
    purchase_orders: usize,
    revenue_cents: i64,
    returns_cents: i64,
    repeaters: usize,
    median_gap: Option<f64>,
    /// Members who bought in the period before the last one, and those of them who bought
    /// again in the last one (the return rate).
    rr_base: usize,
    rr_back: usize,
}

fn inventory_basics(members: &[Member], as_of: i32, return_period: i32) -> InventoryBasics {
    let mut inv = InventoryBasics {
        buyers: 0,
        purchase_orders: 0,
        revenue_cents: 0,
        returns_cents: 0,
        repeaters: 0,
        median_gap: None,
        rr_base: 0,
        rr_back: 0,
    };
    let mut gaps: Vec<f64> = Vec::new();
    let l = return_period;
    for m in members {
        inv.revenue_cents += m.net_spend_cents();
        inv.returns_cents += m.returns_cents();
        if m.is_buyer() {
            inv.buyers += 1;
            inv.purchase_orders += m.frequency() as usize;
            if m.frequency() >= 2 {
                inv.repeaters += 1;
            }
            gaps.extend(profile::interpurchase_gaps(m));
        }
        let earlier = m
            .purchases
            .iter()
            .any(|p| p.day > as_of - 2 * l && p.day <= as_of - l);
        if earlier {
            inv.rr_base += 1;
            if m.purchases
                .iter()
                .any(|p| p.day > as_of - l && p.day <= as_of)
            {
                inv.rr_back += 1;
            }
        }
    }
    inv.median_gap = median(&mut gaps);
    inv
}

/// RFM over the members: the report section and each member's scores and segments.
struct RfmPart {
    report: RfmReport,
    scores: Vec<Option<Scores>>,
    segs: Vec<Option<Segment>>,
    /// Index of the matching rule of the ten-segment (or user) scheme; the rule count
    /// stands for "Others". Rule lists are short: two bytes a member instead of sixteen.
    tens: Vec<Option<u16>>,
    /// (name, Chinese name) of each rule, then "Others".
    ten_names: Vec<(String, String)>,
}

fn rfm_part(members: &[Member], as_of: i32, opts: &AnalysisOptions) -> RfmPart {
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
    let mut seg_acc = vec![SegmentAcc::new(empty_sum); SEGMENTS.len()];
    let mut ten_acc = vec![SegmentAcc::new(empty_sum); ten_names.len()];
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v else { continue };
        if let Some(k) = segs[i].and_then(|s| SEGMENTS.iter().position(|x| *x == s)) {
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
        SEGMENTS
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

/// Label figures: stores, channels, registration channels, tiers, sources.
struct LabelPart {
    by_store: Vec<LabelStats>,
    by_channel: Vec<LabelStats>,
    by_reg_channel: Vec<LabelStats>,
    tier_counts: OrderedMap<usize>,
    sources: Vec<SourceReport>,
    source_overlap: Vec<SourceOverlap>,
    members_in_member_file: usize,
}

fn label_part(files: &[&IngestedFile], pop: &Population, as_of: i32) -> LabelPart {
    let (by_store, by_channel) = label_stats(files, pop, as_of);
    let by_reg_channel = member_label_stats(pop, |m| {
        m.record.as_ref().and_then(|r| r.reg_channel.clone())
    });
    let tier_counts = OrderedMap(
        member_label_stats(pop, |m| m.record.as_ref().and_then(|r| r.tier.clone()))
            .into_iter()
            .map(|s| (s.label, s.members))
            .collect(),
    );
    let (sources, source_overlap) = source_stats(pop);
    LabelPart {
        by_store,
        by_channel,
        by_reg_channel,
        tier_counts,
        sources,
        source_overlap,
        members_in_member_file: pop.members.iter().filter(|m| m.record.is_some()).count(),
    }
}

/// Per label: members seen, buyers, purchases, net cents.
type LabelAcc = BTreeMap<String, (FxHashSet<usize>, FxHashSet<usize>, usize, i64)>;

/// Store and channel figures from order rows (a purchase's store/channel, members only).
fn label_stats(
    files: &[&IngestedFile],
    pop: &Population,
    as_of: i32,
) -> (Vec<LabelStats>, Vec<LabelStats>) {
    let mut stores: LabelAcc = BTreeMap::new();
    let mut channels: LabelAcc = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        let FileData::Orders(o) = &f.data else {
            continue;
        };
        // The member of each person, as linking decided it.
        let member_of = |person: u32| {
            (person != crate::model::NONE).then(|| pop.person_member[fi][person as usize] as usize)
        };
        let add =
            |label: u32, member: Option<usize>, purchase: bool, cents: i64, map: &mut LabelAcc| {
                if label == crate::model::NONE {
                    return;
                }
                let Some(m) = member else { return };
                let e = map.entry(o.labels[label as usize].clone()).or_default();
                e.0.insert(m);
                if purchase {
                    e.1.insert(m);
                    e.2 += 1;
                }
                e.3 += cents;
            };
        for ord in o.orders.iter().filter(|x| x.day <= as_of) {
            let member = member_of(ord.person);
            let purchase = ord.is_purchase();
            let cents = if purchase { ord.net_cents() } else { 0 };
            add(ord.store, member, purchase, cents, &mut stores);
            add(ord.channel, member, purchase, cents, &mut channels);
        }
        for r in o.returns.iter().filter(|x| x.day <= as_of) {
            let member = member_of(r.person);
            add(r.store, member, false, r.cents, &mut stores);
            add(r.channel, member, false, r.cents, &mut channels);
        }
    }
    let finish = |map: LabelAcc| {
        let mut v: Vec<LabelStats> = map
            .into_iter()
            .map(|(label, (m, b, n, c))| LabelStats {
                label,
                members: m.len(),
                buyers: b.len(),
                purchase_orders: n,
                revenue: round2(money(c)),
            })
            .collect();
        v.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
        v
    };
    (finish(stores), finish(channels))
}

/// Members, buyers, purchases and revenue grouped by a member attribute.
fn member_label_stats(
    pop: &Population,
    label: impl Fn(&Member) -> Option<String>,
) -> Vec<LabelStats> {
    let mut map: BTreeMap<String, LabelStats> = BTreeMap::new();
    for m in &pop.members {
        let Some(l) = label(m) else { continue };
        let e = map.entry(l.clone()).or_insert_with(|| LabelStats {
            label: l,
            members: 0,
            buyers: 0,
            purchase_orders: 0,
            revenue: 0.0,
        });
        e.members += 1;
        if m.is_buyer() {
            e.buyers += 1;
            e.purchase_orders += m.frequency() as usize;
            e.revenue += money(m.net_spend_cents());
        }
    }
    let mut v: Vec<LabelStats> = map
        .into_values()
        .map(|mut s| {
            s.revenue = round2(s.revenue);
            s
        })
        .collect();
    v.sort_by_key(|s| std::cmp::Reverse(s.members));
    v
}

/// Per-source figures and pairwise buyer overlap.
fn source_stats(pop: &Population) -> (Vec<SourceReport>, Vec<SourceOverlap>) {
    let src: Vec<usize> = (0..pop.is_source.len())
        .filter(|&i| pop.is_source[i])
        .collect();
    let mut reports: Vec<SourceReport> = src
        .iter()
        .map(|&i| SourceReport {
            label: pop.source_labels[i].clone(),
            members: 0,
            buyers: 0,
            purchase_orders: 0,
            revenue: 0.0,
        })
        .collect();
    let pos = |fi: u16| src.iter().position(|&s| s == fi as usize);
    let mut cents = vec![0i64; src.len()];
    let mut pair = vec![vec![0usize; src.len()]; src.len()];
    let mut bought = vec![false; src.len()];
    for m in &pop.members {
        bought.fill(false);
        for s in &m.sources {
            if let Some(p) = pos(*s) {
                reports[p].members += 1;
            }
        }
        for p in m.purchases {
            if let Some(k) = pos(p.source) {
                bought[k] = true;
                reports[k].purchase_orders += 1;
                cents[k] += p.net_cents;
            }
        }
        for (k, b) in bought.iter().enumerate() {
            if *b {
                reports[k].buyers += 1;
                for (j, b2) in bought.iter().enumerate().skip(k + 1) {
                    if *b2 {
                        pair[k][j] += 1;
                    }
                }
            }
        }
    }
    for (k, r) in reports.iter_mut().enumerate() {
        r.revenue = round2(money(cents[k] + pop.counts.member_returns_cents[src[k]]));
    }
    let mut overlap = Vec::new();
    for k in 0..src.len() {
        for j in k + 1..src.len() {
            overlap.push(SourceOverlap {
                sources: [reports[k].label.clone(), reports[j].label.clone()],
                buyers: pair[k][j],
            });
        }
    }
    (reports, overlap)
}
