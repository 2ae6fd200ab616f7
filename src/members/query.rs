//! Which members to list: search, filters, sort and page, over the column table.

use std::borrow::Cow;
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
    /// A rule over fields and tags the members must match (`tag("…")` for one tag; see
    /// `docs/rules-language.md`). Applied by the analyzer, which knows the tags.
    pub rule: Option<String>,
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
    /// True when no filter is set, as [`MemberQuery::matches`] reads them (an empty key or
    /// source, a blank search): every member passes.
    pub fn filters_nothing(&self) -> bool {
        let unset = |f: &Option<String>| f.as_deref().is_none_or(str::is_empty);
        [
            &self.segment,
            &self.dormancy,
            &self.lifecycle,
            &self.source,
            &self.segment_ten,
            &self.churn_band,
        ]
        .into_iter()
        .all(unset)
            && self.search.as_deref().is_none_or(|s| s.trim().is_empty())
            && self.buyers.is_none()
    }

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
            let phone_hit =
                phone_digits(&q).is_some_and(|d| v.phone().is_some_and(|p| p.contains(d.as_str())));
            if !(hit(v.member_id())
                || hit(v.phone())
                || phone_hit
                || hit(v.email())
                || hit(v.name()))
            {
                return false;
            }
        }
        true
    }
}

/// What a cell sorts by: numbers and dates by value, texts by their bytes (a list as its
/// items joined by `|`), empty cells last in both directions.
#[derive(Debug, PartialEq)]
enum SortKey<'a> {
    Number(f64),
    Text(Cow<'a, str>),
    Empty,
}

impl<'a> SortKey<'a> {
    fn of(v: Value<'a>) -> Self {
        match v {
            Value::Empty => SortKey::Empty,
            Value::Int(n) => SortKey::Number(n as f64),
            Value::Number(x) => SortKey::Number(x),
            Value::Day(d) => SortKey::Number(f64::from(d)),
            Value::Bool(b) => SortKey::Number(f64::from(u8::from(b))),
            Value::Text(t) => SortKey::Text(Cow::Borrowed(t)),
            Value::Key(k) => SortKey::Text(Cow::Borrowed(k)),
            Value::List(l) => SortKey::Text(Cow::Owned(l.join("|"))),
        }
    }

    /// The order of two keys, `desc` reversing all but the place of empty cells.
    fn cmp(&self, other: &Self, desc: bool) -> Ordering {
        let ord = match (self, other) {
            (SortKey::Empty, SortKey::Empty) => return Ordering::Equal,
            (SortKey::Empty, _) => return Ordering::Greater,
            (_, SortKey::Empty) => return Ordering::Less,
            (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
            (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
            (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        };
        if desc {
            ord.reverse()
        } else {
            ord
        }
    }
}

/// Indexes of the members matching `q` and `keep`, sorted as asked (stable: ties keep table
/// order; empty cells last in both directions).
pub fn select(
    table: &MemberTable,
    q: &MemberQuery,
    keep: impl Fn(&MemberView<'_>) -> bool,
) -> Vec<usize> {
    let mut idx: Vec<usize> = table
        .iter()
        .filter(|v| q.matches(v) && keep(v))
        .map(|v| v.index())
        .collect();
    if let Some(col) = q.sort.as_deref().and_then(column) {
        // Each key computed once (not in every comparison).
        let keys: Vec<SortKey<'_>> = idx
            .iter()
            .map(|&i| SortKey::of((col.get)(&table.view(i))))
            .collect();
        let mut order: Vec<usize> = (0..idx.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b], q.desc));
        idx = order.into_iter().map(|k| idx[k]).collect();
    }
    idx
}

/// One page of the query (members matching `q` and, when given, `keep`): total matches and the
/// members on the page. Unsorted, the table is read once without listing every match, and an
/// unsorted page of everyone reads the page's members alone (the page's first view and every
/// page turn).
pub fn page<'t>(
    table: &'t MemberTable,
    q: &MemberQuery,
    keep: Option<&dyn Fn(&MemberView<'_>) -> bool>,
) -> (usize, Vec<MemberView<'t>>) {
    let limit = if q.limit == 0 { usize::MAX } else { q.limit };
    let everyone = keep.is_none() && q.filters_nothing();
    let keep = |v: &MemberView<'_>| keep.is_none_or(|k| k(v));
    if q.sort.as_deref().and_then(column).is_none() {
        if everyone {
            let rows = (q.offset.min(table.len())..table.len())
                .take(limit)
                .map(|i| table.view(i))
                .collect();
            return (table.len(), rows);
        }
        let mut total = 0;
        let mut rows = Vec::new();
        for v in table.iter().filter(|v| q.matches(v) && keep(v)) {
            if total >= q.offset && rows.len() < limit {
                rows.push(v);
            }
            total += 1;
        }
        return (total, rows);
    }
    let idx = select(table, q, keep);
    let total = idx.len();
    (
        total,
        idx.into_iter()
            .skip(q.offset)
            .take(limit)
            .map(|i| table.view(i))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_order_numbers_texts_and_empty_cells() {
        let names = ["b".to_string(), "a".to_string()];
        let mut keys = [
            SortKey::of(Value::Empty),
            SortKey::of(Value::Text("b")),
            SortKey::of(Value::Int(3)),
            SortKey::of(Value::List(&names)),
            SortKey::of(Value::Day(-5)),
            SortKey::of(Value::Number(2.5)),
        ];
        keys.sort_by(|a, b| a.cmp(b, false));
        let shown = |k: &[SortKey<'_>]| format!("{k:?}");
        assert_eq!(
            shown(&keys),
            shown(&[
                SortKey::Number(-5.0),
                SortKey::Number(2.5),
                SortKey::Number(3.0),
                SortKey::Text("b".into()),
                SortKey::Text("b|a".into()),
                SortKey::Empty,
            ])
        );
        keys.sort_by(|a, b| a.cmp(b, true));
        assert_eq!(keys[0], SortKey::Text("b|a".into()));
        assert_eq!(
            keys[5],
            SortKey::Empty,
            "empty cells stay last when descending"
        );
    }
}

/// A search written as a phone number in any format (`+86 139 8541 8353`, `139-8541-8353`,
/// `(0086)13985418353`): its digits, without the country code, matched against phones as
/// stored (digits only). `None` for anything else.
fn phone_digits(q: &str) -> Option<String> {
    if !q
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'))
    {
        return None;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        13 if digits.starts_with("86") => &digits[2..],
        15 if digits.starts_with("0086") => &digits[4..],
        _ => &digits,
    };
    (national.len() >= 4 && national != q).then(|| national.to_string())
}

#[cfg(test)]
mod phone_tests {
    use super::phone_digits;

    #[test]
    fn phone_searches_in_any_format_become_digits() {
        assert_eq!(
            phone_digits("+86 139 8541 8353").as_deref(),
            Some("13985418353")
        );
        assert_eq!(
            phone_digits("139-8541-8353").as_deref(),
            Some("13985418353")
        );
        assert_eq!(
            phone_digits("(0086)13985418353").as_deref(),
            Some("13985418353")
        );
        assert_eq!(phone_digits("8541 8353").as_deref(), Some("85418353"));
        // Plain digits are already a search; names are not phones.
        assert_eq!(phone_digits("13985418353"), None);
        assert_eq!(phone_digits("张三"), None);
        assert_eq!(phone_digits("-"), None);
    }
}
