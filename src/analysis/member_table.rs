//! The member-level table (one row per member) and its query: search, filter, sort, page.

use serde::{Deserialize, Serialize, Serializer};

use super::member_store::Facts;
pub use super::member_store::MemberTable;
use crate::ingest::values::format_day;

/// Dates are kept as day numbers (no allocation per member) and written as `YYYY-MM-DD`.
fn day_text<S: Serializer>(day: &Option<i32>, s: S) -> Result<S::Ok, S::Error> {
    match day {
        Some(d) => s.serialize_str(&format_day(*d)),
        None => s.serialize_none(),
    }
}

/// One member with keys, R/F/M, scores, segment, tiers and forecasts.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct MemberRow {
    /// Member id / card.
    pub member_id: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Sources the member appears in.
    pub sources: std::sync::Arc<[String]>,
    /// In a members table.
    pub in_member_file: bool,
    /// Tier (会员等级).
    pub tier: Option<String>,
    /// Registration date (day number; `YYYY-MM-DD` in JSON and exports)
    #[serde(serialize_with = "day_text")]
    pub registered_at: Option<i32>,
    /// Registration channel.
    pub reg_channel: Option<String>,
    /// Store.
    pub store: Option<String>,
    /// Gender.
    pub gender: Option<String>,
    /// First purchase date (day number; `YYYY-MM-DD` in JSON and exports)
    #[serde(serialize_with = "day_text")]
    pub first_purchase: Option<i32>,
    /// Last purchase date (day number; `YYYY-MM-DD` in JSON and exports)
    #[serde(serialize_with = "day_text")]
    pub last_purchase: Option<i32>,
    /// R: days since last purchase.
    pub recency_days: Option<i32>,
    /// F: purchases.
    pub frequency: u32,
    /// M: net spend (floored at 0).
    pub monetary: f64,
    /// R score.
    pub r_score: Option<u8>,
    /// F score.
    pub f_score: Option<u8>,
    /// M score.
    pub m_score: Option<u8>,
    /// Eight-segment key.
    pub segment: Option<&'static str>,
    /// Ten-segment name.
    pub segment_ten: Option<std::sync::Arc<str>>,
    /// Dormancy tier key (buyer tier or non-buyer tier).
    pub dormancy: &'static str,
    /// Lifecycle stage key.
    pub lifecycle: &'static str,
    /// Personal purchase cycle, days.
    pub personal_cycle_days: Option<f64>,
    /// Expected next purchase date (day number; `YYYY-MM-DD` in JSON and exports)
    #[serde(serialize_with = "day_text")]
    pub expected_next_purchase: Option<i32>,
    /// overdue / due / later.
    pub repurchase_status: Option<&'static str>,
    /// P(alive) (BG/NBD).
    pub p_alive: Option<f64>,
    /// Expected purchases in the next 30 days.
    pub expected_purchases_30d: Option<f64>,
    /// Expected purchases in the next 90 days.
    pub expected_purchases_90d: Option<f64>,
    /// Expected purchases in the next 365 days.
    pub expected_purchases_365d: Option<f64>,
    /// Expected spend per purchase (Gamma-Gamma).
    pub expected_spend: Option<f64>,
    /// CLV over the horizon.
    pub clv: Option<f64>,
    /// 1 − P(alive).
    pub churn_risk: Option<f64>,
    /// low / medium / high.
    pub churn_band: Option<&'static str>,
}

/// Export and display columns, in order.
pub const COLUMNS: &[&str] = &[
    "member_id",
    "phone",
    "email",
    "name",
    "sources",
    "tier",
    "registered_at",
    "reg_channel",
    "store",
    "first_purchase",
    "last_purchase",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "segment",
    "segment_ten",
    "dormancy",
    "lifecycle",
    "personal_cycle_days",
    "expected_next_purchase",
    "repurchase_status",
    "p_alive",
    "expected_purchases_30d",
    "expected_purchases_90d",
    "expected_purchases_365d",
    "expected_spend",
    "clv",
    "churn_risk",
    "churn_band",
];

/// A cell value for export/sort.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (or empty).
    Text(String),
    /// Number.
    Number(f64),
    /// No value.
    Empty,
}

impl MemberRow {
    /// The value of a column by name.
    pub fn cell(&self, col: &str) -> Cell {
        let t = |o: &Option<String>| o.clone().map(Cell::Text).unwrap_or(Cell::Empty);
        let s =
            |o: Option<&'static str>| o.map(|x| Cell::Text(x.to_string())).unwrap_or(Cell::Empty);
        let n = |o: Option<f64>| o.map(Cell::Number).unwrap_or(Cell::Empty);
        match col {
            "member_id" => t(&self.member_id),
            "phone" => t(&self.phone),
            "email" => t(&self.email),
            "name" => t(&self.name),
            "sources" => Cell::Text(self.sources.join("|")),
            "tier" => t(&self.tier),
            "registered_at" => self
                .registered_at
                .map(|d| Cell::Text(format_day(d)))
                .unwrap_or(Cell::Empty),
            "reg_channel" => t(&self.reg_channel),
            "store" => t(&self.store),
            "first_purchase" => self
                .first_purchase
                .map(|d| Cell::Text(format_day(d)))
                .unwrap_or(Cell::Empty),
            "last_purchase" => self
                .last_purchase
                .map(|d| Cell::Text(format_day(d)))
                .unwrap_or(Cell::Empty),
            "recency_days" => n(self.recency_days.map(f64::from)),
            "frequency" => Cell::Number(f64::from(self.frequency)),
            "monetary" => Cell::Number(self.monetary),
            "r_score" => n(self.r_score.map(f64::from)),
            "f_score" => n(self.f_score.map(f64::from)),
            "m_score" => n(self.m_score.map(f64::from)),
            "segment" => s(self.segment),
            "segment_ten" => self
                .segment_ten
                .as_deref()
                .map(|x| Cell::Text(x.to_string()))
                .unwrap_or(Cell::Empty),
            "dormancy" => Cell::Text(self.dormancy.to_string()),
            "lifecycle" => Cell::Text(self.lifecycle.to_string()),
            "personal_cycle_days" => n(self.personal_cycle_days),
            "expected_next_purchase" => self
                .expected_next_purchase
                .map(|d| Cell::Text(format_day(d)))
                .unwrap_or(Cell::Empty),
            "repurchase_status" => s(self.repurchase_status),
            "p_alive" => n(self.p_alive),
            "expected_purchases_30d" => n(self.expected_purchases_30d),
            "expected_purchases_90d" => n(self.expected_purchases_90d),
            "expected_purchases_365d" => n(self.expected_purchases_365d),
            "expected_spend" => n(self.expected_spend),
            "clv" => n(self.clv),
            "churn_risk" => n(self.churn_risk),
            "churn_band" => s(self.churn_band),
            _ => Cell::Empty,
        }
    }
}

impl MemberRow {
    /// The value a column sorts by: dates as day numbers (same order as their text, no formatting).
    pub(crate) fn sort_key(&self, col: &str) -> Cell {
        let day = |d: Option<i32>| d.map(|d| Cell::Number(f64::from(d))).unwrap_or(Cell::Empty);
        match col {
            "registered_at" => day(self.registered_at),
            "first_purchase" => day(self.first_purchase),
            "last_purchase" => day(self.last_purchase),
            "expected_next_purchase" => day(self.expected_next_purchase),
            _ => self.cell(col),
        }
    }
}

/// Which members to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberQuery {
    /// Case-insensitive substring of id, phone, e-mail or name.
    pub search: Option<String>,
    /// Eight-segment key.
    pub segment: Option<String>,
    /// Dormancy tier key.
    pub dormancy: Option<String>,
    /// Lifecycle stage key.
    pub lifecycle: Option<String>,
    /// Source label.
    pub source: Option<String>,
    /// Ten-segment name.
    pub segment_ten: Option<String>,
    /// Churn band.
    pub churn_band: Option<String>,
    /// Only buyers (true) or only non-buyers (false).
    pub buyers: Option<bool>,
    /// Column to sort by.
    pub sort: Option<String>,
    /// Descending sort.
    pub desc: bool,
    /// First row of the page.
    pub offset: usize,
    /// Page size (0 = all).
    pub limit: usize,
}

impl MemberQuery {
    fn matches(&self, r: &Facts<'_>) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref()
                .is_none_or(|w| w.is_empty() || have == Some(w))
        };
        if !eq(&self.segment, r.segment)
            || !eq(&self.dormancy, Some(r.dormancy))
            || !eq(&self.lifecycle, Some(r.lifecycle))
            || !eq(&self.segment_ten, r.segment_ten)
            || !eq(&self.churn_band, r.churn_band)
        {
            return false;
        }
        if let Some(src) = self.source.as_deref().filter(|s| !s.is_empty()) {
            if !r.sources.iter().any(|s| s == src) {
                return false;
            }
        }
        if let Some(b) = self.buyers {
            if b != (r.frequency > 0) {
                return false;
            }
        }
        if let Some(q) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let q = q.to_lowercase();
            let hit = |o: Option<&str>| o.is_some_and(|v| v.to_lowercase().contains(&q));
            if !(hit(r.member_id) || hit(r.phone) || hit(r.email) || hit(r.name)) {
                return false;
            }
        }
        true
    }
}

/// Indexes of the members matching `q`, sorted as asked (stable: ties keep table order).
pub fn select(table: &MemberTable, q: &MemberQuery) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..table.len())
        .filter(|&i| q.matches(&table.facts(i)))
        .collect();
    if let Some(col) = q.sort.as_deref().filter(|c| COLUMNS.contains(c)) {
        // Each key computed once (not in every comparison).
        let keys: Vec<Cell> = idx.iter().map(|&i| table.sort_key(i, col)).collect();
        let mut order: Vec<usize> = (0..idx.len()).collect();
        order.sort_by(|&a, &b| {
            let ord = match (&keys[a], &keys[b]) {
                (Cell::Number(x), Cell::Number(y)) => x.total_cmp(y),
                (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
                (Cell::Empty, Cell::Empty) => std::cmp::Ordering::Equal,
                // Empty cells go last in both directions.
                (Cell::Empty, _) => return std::cmp::Ordering::Greater,
                (_, Cell::Empty) => return std::cmp::Ordering::Less,
                (Cell::Number(_), Cell::Text(_)) => std::cmp::Ordering::Less,
                (Cell::Text(_), Cell::Number(_)) => std::cmp::Ordering::Greater,
            };
            if q.desc {
                ord.reverse()
            } else {
                ord
            }
        });
        idx = order.into_iter().map(|k| idx[k]).collect();
    }
    idx
}

/// One page of the query: total matches and the rows on the page.
pub fn query(table: &MemberTable, q: &MemberQuery) -> (usize, Vec<MemberRow>) {
    let idx = select(table, q);
    let total = idx.len();
    let limit = if q.limit == 0 { total } else { q.limit };
    (
        total,
        idx.into_iter()
            .skip(q.offset)
            .take(limit)
            .map(|i| table.row(i))
            .collect(),
    )
}
