//! The report's sections: inventory, RFM, dormancy, repurchase, sources, files, settings.
//! Plain documented data; the analysis passes fill them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ordered_map::OrderedMap;

/// Settings the analysis ran with.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Settings {
    /// RFM window in days (`None` = all history).
    pub rfm_window_days: Option<u32>,
    /// RFM scoring method.
    pub rfm_scoring: Scoring,
    /// Dormancy threshold mode.
    pub dormancy_mode: DormancyMode,
    /// Period L of the return rate (回购率), days.
    pub return_period_days: u32,
    /// Days ahead counted as "due" for repurchase.
    pub due_window_days: u32,
    /// Lifecycle F thresholds.
    pub growth_f: u32,
    /// Lifecycle F thresholds.
    pub maturity_f: u32,
}

/// One input file's accounting: `rows = accepted + duplicate_rows + rejected_rows`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileReport {
    /// File name.
    pub name: String,
    /// `orders`, `members` or `member_summary`.
    pub kind: &'static str,
    /// Encoding used.
    pub encoding: String,
    /// Data rows.
    pub rows: usize,
    /// Accepted rows.
    pub accepted: usize,
    /// Exact duplicate lines dropped.
    pub duplicate_rows: usize,
    /// Rejected rows.
    pub rejected_rows: usize,
    /// Accepted rows dated after as-of (left out of the analysis).
    pub after_as_of_rows: usize,
    /// Negative-amount rows (退货) counted, for orders files.
    pub return_rows: usize,
    /// Header → role key (unused columns map to `null`).
    pub columns: OrderedMap<Option<&'static str>>,
    /// Warning counts by reason.
    pub reject_reasons: std::collections::BTreeMap<String, usize>,
    /// Source label (orders files).
    pub source_label: Option<String>,
}

/// One label's figures (store, channel, registration channel, tier).
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct LabelStats {
    /// The label.
    pub label: String,
    /// Members with this label.
    pub members: usize,
    /// Buyers among them.
    pub buyers: usize,
    /// Purchases.
    pub purchase_orders: usize,
    /// Net revenue.
    pub revenue: f64,
}

/// Data inventory (数据盘点), domain.md §3.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Inventory {
    /// 会员总数.
    pub members_total: usize,
    /// Members found in a members table.
    pub members_in_member_file: usize,
    /// 有消费会员.
    pub buyers: usize,
    /// 无消费会员.
    pub non_buyers: usize,
    /// 订单数 (member purchases).
    pub purchase_orders: usize,
    /// 销售额: member purchases' net plus member returns.
    pub revenue: f64,
    /// 客单价.
    pub aov: f64,
    /// 会员平均消费金额.
    pub avg_spend_per_buyer: f64,
    /// 会员平均消费次数.
    pub avg_orders_per_buyer: f64,
    /// 复购率.
    pub repurchase_rate: f64,
    /// 回购率 over `settings.return_period_days`.
    pub return_rate: f64,
    /// Return-rate base: buyers in the earlier period.
    pub return_rate_base: usize,
    /// 游客订单.
    pub guest_orders: usize,
    /// 游客销售额.
    pub guest_revenue: f64,
    /// Return rows (退货) counted.
    pub return_rows: usize,
    /// Revenue lost to returns (negative).
    pub returns_amount: f64,
    /// 消费周期: median gap between consecutive distinct purchase days.
    pub median_interpurchase_days: Option<f64>,
    /// 各级别卡种人数.
    pub tier_counts: OrderedMap<usize>,
    /// Per store (店均销: `revenue` per store).
    pub by_store: Vec<LabelStats>,
    /// Per channel.
    pub by_channel: Vec<LabelStats>,
    /// Per registration channel.
    pub by_reg_channel: Vec<LabelStats>,
    /// Mean revenue per store with purchases (店均销).
    pub revenue_per_store: f64,
}

/// One RFM segment's figures.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct SegmentStats {
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Members.
    pub members: usize,
    /// Share of buyers.
    pub share: f64,
    /// Net spend of its members.
    pub revenue: f64,
    /// Share of revenue.
    pub revenue_share: f64,
    /// Mean recency days.
    pub mean_recency: f64,
    /// Mean frequency.
    pub mean_frequency: f64,
    /// Mean monetary.
    pub mean_monetary: f64,
}

/// RFM results, with everything needed to check a member by hand.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RfmReport {
    /// Buyers scored.
    pub buyers_scored: usize,
    /// b1..b4 per dimension.
    pub breakpoints: Breakpoints,
    /// Mean scores (the high/low cut).
    pub score_means: ScoreMeans,
    /// The eight segments, in table order.
    pub segments: OrderedMap<SegmentStats>,
    /// Member counts by R score (rows 1..5) × F score (columns 1..5).
    pub rf_heatmap: [[usize; 5]; 5],
    /// The ten-segment scheme (or the user's score-range rules).
    pub ten_segments: OrderedMap<SegmentStats>,
}

/// Dormancy tiers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DormancyReport {
    /// `fixed` or `cycle`.
    pub mode: DormancyMode,
    /// t1..t4 in days.
    pub thresholds: [f64; 4],
    /// Buyers per tier.
    pub buyers: OrderedMap<usize>,
    /// Revenue per buyer tier.
    pub buyers_revenue: OrderedMap<f64>,
    /// Non-buyers by days since registration.
    pub non_buyers: OrderedMap<usize>,
}

/// Expected-next-purchase status counts.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct RepurchaseReport {
    /// 已逾期: expected before as-of, the sum of the three kinds below.
    pub overdue: usize,
    /// 刚逾期: at most one personal cycle late (remind).
    pub recently_overdue: usize,
    /// 久未复购: more than one personal cycle late, not yet past the dormancy threshold (win back).
    pub long_overdue: usize,
    /// 已沉睡: overdue and the last purchase past the dormancy threshold t3 (lapsed).
    pub lapsed: usize,
    /// 即将复购.
    pub due: usize,
    /// 未到期.
    pub later: usize,
    /// Median personal cycle of repeat buyers, days.
    pub median_personal_cycle_days: Option<f64>,
}

/// One source (orders file): the same figures as a label, the label being the source's.
pub type SourceReport = LabelStats;

/// Buyers shared by two sources (e.g. bought both online and offline).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourceOverlap {
    /// The two labels.
    pub sources: [String; 2],
    /// Buyers with purchases in both.
    pub buyers: usize,
}

/// How scores are assigned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Scoring {
    /// Breakpoints at the 20/40/60/80th percentiles (numpy linear interpolation).
    #[default]
    Quantile5,
    /// Four user-given breakpoints per dimension.
    Thresholds {
        /// Recency breakpoints in days, ascending.
        recency: [f64; 4],
        /// Frequency breakpoints, ascending.
        frequency: [f64; 4],
        /// Monetary breakpoints, ascending.
        monetary: [f64; 4],
    },
}

/// Breakpoints b1..b4 per dimension.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct Breakpoints {
    /// Recency (days).
    pub recency: [f64; 4],
    /// Frequency.
    pub frequency: [f64; 4],
    /// Monetary.
    pub monetary: [f64; 4],
}

/// Mean scores of all buyers: the high/low cut of the eight segments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct ScoreMeans {
    /// Mean R score.
    pub r: f64,
    /// Mean F score.
    pub f: f64,
    /// Mean M score.
    pub m: f64,
}

/// How tier thresholds are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DormancyMode {
    /// 90 / 180 / 365 / 730 days.
    #[default]
    Fixed,
    /// 1×, 2×, 4×, 8× the median inter-purchase days.
    Cycle,
}
