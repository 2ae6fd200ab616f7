//! Which members to list: search, filters, sort and page, over the column table.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::columns::{column, Value};
use super::store::MemberTable;
use super::view::MemberView;

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
    /// True when member `v` passes every filter.
    pub fn matches(&self, v: &MemberView<'_>) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref()
                .is_none_or(|w| w.is_empty() || have == Some(w))
        };
        if !eq(&self.segment, v.segment())
            || !eq(&self.dormancy, Some(v.dormancy()))
            || !eq(&self.lifecycle, Some(v.lifecycle()))
            || !eq(&self.segment_ten, v.segment_ten())
            || !eq(&self.churn_band, v.churn_band())
        {
            return false;
        }
        if let Some(src) = self.source.as_deref().filter(|s| !s.is_empty()) {
            if !v.sources().iter().any(|s| s == src) {
                return false;
            }
        }
        if self.buyers.is_some_and(|b| b != v.is_buyer()) {
            return false;
        }
        if let Some(q) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let q = q.to_lowercase();
            let hit = |o: Option<&str>| o.is_some_and(|t| t.to_lowercase().contains(&q));
            if !(hit(v.member_id()) || hit(v.phone()) || hit(v.email()) || hit(v.name())) {
                return false;
            }
        }
        true
    }
}

/// How two cells of one column order: numbers and dates by value, texts by their bytes, empty
/// cells last.
fn compare(a: &Value<'_>, b: &Value<'_>) -> Ordering {
    fn number(v: &Value<'_>) -> Option<f64> {
        match v {
            Value::Int(n) => Some(*n as f64),
            Value::Number(x) => Some(*x),
            Value::Day(d) => Some(f64::from(*d)),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }
    match (a, b) {
        (Value::Empty, Value::Empty) => Ordering::Equal,
        (Value::Empty, _) => Ordering::Greater,
        (_, Value::Empty) => Ordering::Less,
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.text_of().cmp(&b.text_of()),
        },
    }
}

/// Indexes of the members matching `q`, sorted as asked (stable: ties keep table order; empty
/// cells last in both directions).
pub fn select(table: &MemberTable, q: &MemberQuery) -> Vec<usize> {
    let mut idx: Vec<usize> = table
        .iter()
        .filter(|v| q.matches(v))
        .map(|v| v.index())
        .collect();
    if let Some(col) = q.sort.as_deref().and_then(column) {
        // Each key computed once (not in every comparison).
        let keys: Vec<Value<'_>> = idx.iter().map(|&i| (col.get)(&table.view(i))).collect();
        let mut order: Vec<usize> = (0..idx.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&keys[a], &keys[b]);
            match (x, y) {
                (Value::Empty, _) | (_, Value::Empty) => compare(x, y),
                _ if q.desc => compare(x, y).reverse(),
                _ => compare(x, y),
            }
        });
        idx = order.into_iter().map(|k| idx[k]).collect();
    }
    idx
}

/// One page of the query: total matches and the members on the page.
pub fn page<'t>(table: &'t MemberTable, q: &MemberQuery) -> (usize, Vec<MemberView<'t>>) {
    let idx = select(table, q);
    let total = idx.len();
    let limit = if q.limit == 0 { total } else { q.limit };
    (
        total,
        idx.into_iter()
            .skip(q.offset)
            .take(limit)
            .map(|i| table.view(i))
            .collect(),
    )
}
