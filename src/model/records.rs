//! Orders, returns and member records, as ingest reads them from each file.

use serde::Serialize;

/// Marks "no value" in the u32 index fields below (guest order, no label).
pub const NONE: u32 = u32::MAX;

/// The identity keys one row carries, already normalised (domain.md §2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct PersonKeys {
    /// Member id / card number, trimmed.
    pub member_id: Option<String>,
    /// Phone, normalised (mainland mobiles to 11 digits).
    pub phone: Option<String>,
    /// E-mail, trimmed and lower-cased.
    pub email: Option<String>,
}

impl PersonKeys {
    /// True when no key is present (a guest).
    pub fn is_empty(&self) -> bool {
        self.member_id.is_none() && self.phone.is_none() && self.email.is_none()
    }
}

/// One order after its item lines are collapsed (订单归一).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Order {
    /// Line of its first row.
    pub line: u32,
    /// Data lines it was built from.
    pub rows: u32,
    /// Order date (day number in the data's zone).
    pub day: i32,
    /// Order amount in cents (order-level taken once, or item lines summed).
    pub amount_cents: i64,
    /// Refunded cents.
    pub refund_cents: i64,
    /// True when the status means closed/unpaid/cancelled/voided/refunded.
    pub non_purchase_status: bool,
    /// Index into the file's `persons`, or [`NONE`] for a guest order.
    pub person: u32,
    /// Index into the file's `labels` for channel, or [`NONE`].
    pub channel: u32,
    /// Index into the file's `labels` for store, or [`NONE`].
    pub store: u32,
    /// Index into the file's `labels` for the category of its first item line, or [`NONE`].
    pub category: u32,
}

impl Order {
    /// Net amount: amount − refund.
    pub fn net_cents(&self) -> i64 {
        self.amount_cents - self.refund_cents
    }

    /// A purchase: status not closed-like and net > 0 (domain.md §2 rule 4).
    pub fn is_purchase(&self) -> bool {
        !self.non_purchase_status && self.net_cents() > 0
    }
}

/// A negative-amount row (退货): lowers spend and revenue, is not an order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Return {
    /// Its line.
    pub line: u32,
    /// Its date.
    pub day: i32,
    /// Negative cents.
    pub cents: i64,
    /// Index into the file's `persons`, or [`NONE`].
    pub person: u32,
    /// Store label, or [`NONE`].
    pub store: u32,
    /// Channel label, or [`NONE`].
    pub channel: u32,
}

/// A row of a members table (or a member-summary table).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MemberRecord {
    /// Its line.
    pub line: u32,
    /// Keys.
    pub keys: PersonKeys,
    /// Name.
    pub name: Option<String>,
    /// Gender as written.
    pub gender: Option<String>,
    /// Birthday.
    pub birthday: Option<i32>,
    /// Tier (会员等级).
    pub tier: Option<String>,
    /// Registration date.
    pub registered: Option<i32>,
    /// Registration channel.
    pub reg_channel: Option<String>,
    /// Store.
    pub store: Option<String>,
    /// Points.
    pub points: Option<f64>,
    /// Guide (导购).
    pub guide: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Follows the brand's official account (是否关注公众号), when a column says.
    pub follower: Option<bool>,
    /// Member-summary totals, when the table is a summary.
    pub summary: Option<SummaryTotals>,
    /// The row's columns that no role reads, as header → value (non-empty values only), for
    /// custom tags (e.g. `col("会员来源") = "直播间"`).
    pub extra: Vec<(std::sync::Arc<str>, String)>,
}

/// Pre-aggregated purchase totals of a member-summary row (会员汇总).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SummaryTotals {
    /// 累计消费金额, cents.
    pub total_spend_cents: i64,
    /// 累计消费次数.
    pub total_orders: u32,
    /// 首次消费时间.
    pub first_day: Option<i32>,
    /// 最近消费时间.
    pub last_day: i32,
    /// 消费天数: distinct purchase days, when the summary has the column.
    pub purchase_days: Option<u32>,
    /// 复购消费金额, cents: net spend on the purchase days after the first, when the summary
    /// has the column.
    pub repeat_spend_cents: Option<i64>,
}

impl SummaryTotals {
    /// The forecasts' input for this member (lifetimes' conventions, domain.md §6), in days,
    /// when the summary has 消费天数 and 首次消费时间 and nothing is dated after `as_of`:
    /// frequency = distinct purchase days − 1, recency = last − first purchase day,
    /// T = as_of − first purchase day, and the mean spend per repeat day (复购消费金额 /
    /// frequency; 0 without repeat days or without the column).
    pub fn forecast_input(&self, as_of: i32) -> Option<SummaryForecastInput> {
        let days = self.purchase_days?;
        let first = self.first_day?;
        if days == 0 || first > self.last_day || self.last_day > as_of {
            return None;
        }
        let frequency = days - 1;
        Some(SummaryForecastInput {
            frequency,
            recency_days: self.last_day - first,
            t_days: as_of - first,
            mean_repeat_spend: match (frequency, self.repeat_spend_cents) {
                (0, _) | (_, None) => 0.0,
                (f, Some(c)) => c as f64 / 100.0 / f64::from(f),
            },
        })
    }
}

/// What BG/NBD and Gamma-Gamma read of one member, from a member-summary row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryForecastInput {
    /// Repeat purchase days (distinct purchase days − 1).
    pub frequency: u32,
    /// Days from the first to the last purchase day.
    pub recency_days: i32,
    /// Days from the first purchase day to the as-of date.
    pub t_days: i32,
    /// Mean net spend per repeat purchase day, currency units (0 when there is none).
    pub mean_repeat_spend: f64,
}

/// Everything typed that one orders file yields.
#[derive(Debug, Clone, Default)]
pub struct OrderFile {
    /// Distinct key sets seen, indexed by `Order::person`.
    pub persons: Vec<PersonKeys>,
    /// Names per person (first seen), same index as `persons`.
    pub person_names: Vec<Option<String>>,
    /// Interned labels (channel, store, category).
    pub labels: Vec<String>,
    /// Orders.
    pub orders: Vec<Order>,
    /// Return rows.
    pub returns: Vec<Return>,
}
