//! The growth section (增长分析): the purchase-number ladder (首购转二购 and on), cohorts by
//! first-purchase month, stores and channels, omnichannel overlap, segment movement between two
//! dates, stage compounding and the target decomposition (目标拆解).

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::Day;

/// One rung of the ladder: of the buyers with at least `n` purchases, those with `n + 1`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LadderStep {
    /// The purchase number (1 → 2 is 首购转二购).
    pub n: u32,
    /// Buyers with at least `n` purchases.
    pub reached: usize,
    /// Of them, buyers with at least `n + 1`.
    pub next: usize,
    /// `next / reached`; `null` when nobody reached `n`.
    pub rate: Option<f64>,
    /// Days between the `n`-th and the `(n+1)`-th purchase: 25th, 50th and 75th percentiles
    /// (linear interpolation); `null` when nobody made the `(n+1)`-th.
    pub days_quartiles: Option<[f64; 3]>,
}

/// The ladder of one group of buyers.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LadderGroup {
    /// The source (file label) or first-purchase channel.
    pub label: String,
    /// Steps 1..=10.
    pub steps: Vec<LadderStep>,
}

/// The purchase-number ladder (购买次数转化).
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Ladder {
    /// All buyers with dated purchases.
    pub all: Vec<LadderStep>,
    /// Per source: the buyers' purchases in that source alone.
    pub by_source: Vec<LadderGroup>,
    /// Per channel of the first purchase: those buyers' purchases anywhere.
    pub by_first_channel: Vec<LadderGroup>,
    /// Buyers known only from a member-summary table (no dated purchases): left out.
    pub undated_buyers: usize,
}

/// Share of a cohort with a second purchase within a number of days of the first.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SecondWithin {
    /// The window in days (30, 90, 180, 365).
    pub days: u32,
    /// Members whose first purchase is at least `days` before as-of (the whole window seen).
    pub eligible: usize,
    /// Of those, the share with a second purchase within `days`; `null` when none is
    /// eligible.
    pub share: Option<f64>,
}

/// Buyers whose first purchase fell in one month, followed month by month.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Cohort {
    /// First-purchase month, `YYYY-MM`.
    pub month: String,
    /// Buyers in it.
    pub members: usize,
    /// Second purchase within 30/90/180/365 days.
    pub second_within: Vec<SecondWithin>,
    /// Share of the cohort buying in month k after the first (k = 0 is the first month,
    /// always 1), up to the as-of month.
    pub retention: Vec<f64>,
    /// Purchase net revenue in month k per cohort member.
    pub revenue_per_member: Vec<f64>,
    /// True when the last month is cut by the as-of date.
    pub last_month_partial: bool,
}

/// One store's or channel's figures.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct OutletStats {
    /// The store or channel.
    pub label: String,
    /// Stores: members whose members-table store (所属门店) it is; `null` for channels.
    pub members: Option<usize>,
    /// Members with a purchase there.
    pub buyers: usize,
    /// Purchases there.
    pub orders: usize,
    /// Net revenue there: purchases plus the members' returns there.
    pub revenue: f64,
    /// `revenue / orders`.
    pub aov: f64,
    /// Buyers with two or more purchases there / buyers.
    pub repurchase_rate: f64,
    /// Months with a purchase there.
    pub active_months: usize,
    /// `revenue / active_months` (月均销售).
    pub revenue_per_month: f64,
}

/// One month across stores (店均销 by month).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StoreMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Stores with a member purchase in the month.
    pub stores: usize,
    /// Purchase net revenue at those stores in the month.
    pub revenue: f64,
    /// `revenue / stores` (店均销).
    pub revenue_per_store: f64,
}

/// Buyers who bought in exactly one combination of sources.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SourceCombination {
    /// The sources, in file order.
    pub sources: Vec<String>,
    /// Buyers.
    pub buyers: usize,
    /// Their purchases (in any source).
    pub orders: usize,
    /// Their net spend.
    pub revenue: f64,
    /// `revenue / orders`.
    pub aov: f64,
    /// Share of all dated buyers' net spend.
    pub revenue_share: f64,
}

/// Omnichannel overlap (全渠道会员打通).
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Omnichannel {
    /// Every combination with buyers, largest first.
    pub combinations: Vec<SourceCombination>,
    /// Buyers in two or more sources.
    pub omnichannel_buyers: usize,
    /// Their share of dated buyers' net spend.
    pub omnichannel_revenue_share: f64,
}

/// Counts (and revenue) of members from one state to another.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Transition {
    /// Row keys: the state at the comparison date (`new`: no purchase by then).
    pub from: Vec<String>,
    /// Column keys: the state at as-of.
    pub to: Vec<String>,
    /// Members, `[from][to]`.
    pub counts: Vec<Vec<usize>>,
    /// Their purchase net revenue between the two dates, `[from][to]`.
    pub revenue: Vec<Vec<f64>>,
}

/// Segment movement (分群迁移) between a comparison date and as-of.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Movement {
    /// The comparison date.
    pub compare_date: Day,
    /// Buyers at the comparison date who are members now (in both matrices' non-`new` rows).
    pub present_both: usize,
    /// Buyers whose first purchase came after the comparison date.
    pub new_buyers: usize,
    /// RFM segments (scored at each date among that date's buyers).
    pub segments: Transition,
    /// Dormancy tiers.
    pub tiers: Transition,
    /// Members who moved down: a later segment in the table order, or a quieter tier.
    pub moved_down: usize,
    /// Members who moved up.
    pub moved_up: usize,
}

/// One stage of the funnel, with its rate from the data where there is one.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FunnelStage {
    /// `acquisition`, `retention`, `conversion`, `repurchase`, `referral`.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The rate in the data; `null` when no export says (the user gives it).
    pub rate: Option<f64>,
    /// How the rate was taken, in Chinese.
    pub basis_zh: String,
    /// The same in English.
    pub basis_en: String,
}

/// The effect of improving every stage by the same relative amount.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CompoundEffect {
    /// The change per stage (0.1 = +10%).
    pub change: f64,
    /// `(1 + change)^stages`.
    pub multiplier: f64,
}

/// Stage compounding (环节复利).
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Compounding {
    /// The stages.
    pub stages: Vec<FunnelStage>,
    /// Effects of ±5% and ±10% on every stage.
    pub effects: Vec<CompoundEffect>,
}

/// A share of the target.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TargetShare {
    /// The month (`YYYY-MM`), source or store.
    pub label: String,
    /// Its historical share.
    pub share: f64,
    /// Its part of the target.
    pub revenue: f64,
}

/// Where the existing members' expected revenue comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExistingBasis {
    /// The forecasts: each buyer's expected purchases in the period × expected spend.
    Forecast,
    /// No forecasts: members' revenue in the period before as-of × the return rate (回购率).
    ReturnRate,
    /// Given by the user.
    User,
}

/// The target decomposition (目标拆解).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TargetPlan {
    /// The revenue target.
    pub revenue: f64,
    /// The period's first day (the day after as-of).
    pub from: Day,
    /// Its last day.
    pub to: Day,
    /// Months in it.
    pub months: u32,
    /// Average order value assumed (the data's unless given).
    pub aov: f64,
    /// `revenue / aov`.
    pub orders_needed: f64,
    /// Conversion rate from traffic to orders, when given.
    pub conversion_rate: Option<f64>,
    /// `orders_needed / conversion_rate`.
    pub traffic_needed: Option<f64>,
    /// Revenue expected from existing members in the period.
    pub existing_revenue: f64,
    /// How it was estimated.
    pub existing_basis: ExistingBasis,
    /// `revenue − existing_revenue` (0 when existing members cover the target).
    pub gap: f64,
    /// Revenue a new member brings in the period (the data's mean first-purchase value
    /// unless given).
    pub new_member_value: f64,
    /// `gap / new_member_value`.
    pub new_members_needed: f64,
    /// Per month of the period, by the share of revenue each calendar month had in the last
    /// twelve months before as-of (equal shares when there is no history).
    pub by_month: Vec<TargetShare>,
    /// Per source, by its share of member revenue in the last twelve months.
    pub by_source: Vec<TargetShare>,
    /// Per store, by its share of store revenue in the last twelve months.
    pub by_store: Vec<TargetShare>,
}

/// Growth analytics (增长分析).
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct GrowthReport {
    /// The purchase-number ladder.
    pub ladder: Ladder,
    /// Cohorts by first-purchase month, oldest first.
    pub cohorts: Vec<Cohort>,
    /// Per store, by revenue.
    pub stores: Vec<OutletStats>,
    /// Per channel, by revenue.
    pub channels: Vec<OutletStats>,
    /// Per month: stores with sales and revenue per store.
    pub store_months: Vec<StoreMonth>,
    /// Omnichannel overlap.
    pub omnichannel: Omnichannel,
    /// Movement between the comparison date and as-of; `null` when nobody had bought by the
    /// comparison date (a notice says so).
    pub movement: Option<Movement>,
    /// Stage compounding.
    pub compounding: Compounding,
    /// The target decomposition, when a target is set.
    pub target: Option<TargetPlan>,
}
