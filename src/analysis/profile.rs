//! Linked members and their per-member purchase profile (the input of every analysis).

use rustc_hash::FxHashMap;

use super::identity::Linker;
use crate::ingest::{FileData, IngestedFile};
use crate::model::{MemberRecord, OrderFile, PersonKeys, SummaryTotals, NONE};

/// One purchase of a member, as the analyses need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Purchase {
    /// Day number.
    pub day: i32,
    /// Index of the order in its file's `orders` (its store, channel and category).
    pub order: u32,
    /// Net cents (> 0).
    pub net_cents: i64,
    /// Index of the orders file (source) it came from.
    pub source: u16,
}

/// A member's keys, borrowed from the files they were read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberKeys<'f> {
    /// Member id / card number.
    pub member_id: Option<&'f str>,
    /// Normalised phone.
    pub phone: Option<&'f str>,
    /// Normalised e-mail.
    pub email: Option<&'f str>,
}

/// A linked member (会员): keys, attributes and purchases up to the as-of date. Texts and
/// purchases are borrowed (from the files, and from one array of all purchases in member
/// order): a large export has hundreds of thousands of members.
#[derive(Debug, Clone, Default)]
pub struct Member<'f> {
    /// Merged keys (first seen of each kind).
    pub keys: MemberKeys<'f>,
    /// Name (member file first, then orders).
    pub name: Option<&'f str>,
    /// Attributes from the members table, if the member is in one.
    /// Boxed: most order-only members have none, and the record is ten fields wide.
    pub record: Option<Box<MemberRecord>>,
    /// Sources (orders files) the member appears in, by index.
    pub sources: Vec<u16>,
    /// Purchases on or before the as-of date, sorted by day.
    pub purchases: &'f [Purchase],
    /// Returns on or before the as-of date: (day, negative cents), so windows can filter them.
    pub returns: Vec<(i32, i64)>,
    /// Totals from a member-summary table (used when the member has no order rows).
    pub summary: Option<SummaryTotals>,
}

impl Member<'_> {
    /// True when the member has at least one purchase (orders or summary).
    pub fn is_buyer(&self) -> bool {
        !self.purchases.is_empty() || self.summary.is_some_and(|s| s.total_orders > 0)
    }

    /// Number of purchases (F over all history).
    pub fn frequency(&self) -> u32 {
        if self.purchases.is_empty() {
            self.summary.map(|s| s.total_orders).unwrap_or(0)
        } else {
            self.purchases.len() as u32
        }
    }

    /// Net spend: purchases plus returns, in cents (may be negative before flooring).
    pub fn net_spend_cents(&self) -> i64 {
        if self.purchases.is_empty() {
            self.summary.map(|s| s.total_spend_cents).unwrap_or(0) + self.returns_cents()
        } else {
            self.purchases.iter().map(|p| p.net_cents).sum::<i64>() + self.returns_cents()
        }
    }

    /// First purchase day.
    pub fn first_day(&self) -> Option<i32> {
        self.purchases
            .first()
            .map(|p| p.day)
            .or_else(|| self.summary.map(|s| s.first_day.unwrap_or(s.last_day)))
    }

    /// Last purchase day.
    pub fn last_day(&self) -> Option<i32> {
        self.purchases
            .last()
            .map(|p| p.day)
            .or_else(|| self.summary.map(|s| s.last_day))
    }

    /// Returns on or before as-of, in cents (negative).
    pub fn returns_cents(&self) -> i64 {
        self.returns.iter().map(|r| r.1).sum()
    }

    /// Distinct purchase days, in order.
    pub fn distinct_days(&self) -> impl Iterator<Item = i32> + '_ {
        let mut last = None;
        self.purchases.iter().map(|p| p.day).filter(move |d| {
            let new = last != Some(*d);
            last = Some(*d);
            new
        })
    }
}

/// Rows of each file dated after the as-of date, and guest activity.
#[derive(Debug, Clone, Default)]
pub struct PopulationCounts {
    /// Per file: data rows dated after as-of.
    pub after_as_of_rows: Vec<usize>,
    /// Guest purchases (no member key).
    pub guest_orders: usize,
    /// Guest net revenue in cents (purchases plus guest returns).
    pub guest_revenue_cents: i64,
    /// Return rows counted (on or before as-of).
    pub return_rows: usize,
    /// Per file: return rows counted (on or before as-of).
    pub return_rows_by_file: Vec<usize>,
    /// Per file: members' return cents (on or before as-of), for source revenue.
    pub member_returns_cents: Vec<i64>,
}

/// Members, the as-of date and per-file counts.
#[derive(Debug, Clone, Default)]
pub struct Population<'f> {
    /// Linked members.
    pub members: Vec<Member<'f>>,
    /// The as-of date (分析基准日).
    pub as_of: i32,
    /// Counts.
    pub counts: PopulationCounts,
    /// Source labels, indexed by file (non-order files have a label too but no purchases).
    pub source_labels: Vec<String>,
    /// Which files are orders files.
    pub is_source: Vec<bool>,
    /// Per file: the member index of each of its `persons` (empty for members tables), as
    /// linking decided it; later passes over order rows use this instead of re-linking.
    pub person_member: Vec<Vec<u32>>,
    /// Per file: its orders and labels (`None` for members tables), for a purchase's store,
    /// channel and category.
    pub order_files: Vec<Option<&'f OrderFile>>,
}

/// The store, channel and category of a purchase, from the order files by file index.
pub fn purchase_labels<'f>(
    order_files: &[Option<&'f OrderFile>],
    p: &Purchase,
) -> PurchaseLabels<'f> {
    let Some(Some(file)) = order_files.get(p.source as usize) else {
        return PurchaseLabels::default();
    };
    let Some(order) = file.orders.get(p.order as usize) else {
        return PurchaseLabels::default();
    };
    let label = |i: u32| (i != NONE).then(|| file.labels[i as usize].as_str());
    PurchaseLabels {
        store: label(order.store),
        channel: label(order.channel),
        category: label(order.category),
    }
}

/// The label a member bought under most: most purchases, then the larger net spend, then the
/// later last purchase, then the first seen (domain rule in `docs/rules.md`).
pub fn preferred<'f>(
    purchases: impl Iterator<Item = (Option<&'f str>, &'f Purchase)>,
) -> Option<&'f str> {
    // (label, purchases, cents, last day): a member has few distinct labels.
    let mut seen: Vec<(&str, u32, i64, i32)> = Vec::new();
    for (label, p) in purchases {
        let Some(label) = label else { continue };
        match seen.iter_mut().find(|s| s.0 == label) {
            Some(s) => {
                s.1 += 1;
                s.2 += p.net_cents;
                s.3 = s.3.max(p.day);
            }
            None => seen.push((label, 1, p.net_cents, p.day)),
        }
    }
    let mut best: Option<(&str, u32, i64, i32)> = None;
    for s in seen {
        if best.is_none_or(|b| (s.1, s.2, s.3) > (b.1, b.2, b.3)) {
            best = Some(s);
        }
    }
    best.map(|b| b.0)
}

/// What a purchase's order says of where and what: store, channel, category of its first
/// item line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurchaseLabels<'f> {
    /// Store (门店).
    pub store: Option<&'f str>,
    /// Channel (渠道).
    pub channel: Option<&'f str>,
    /// Category (品类).
    pub category: Option<&'f str>,
}

impl<'f> Population<'f> {
    /// The store, channel and category of a purchase.
    pub fn labels(&self, p: &Purchase) -> PurchaseLabels<'f> {
        purchase_labels(&self.order_files, p)
    }

    /// True when some orders file has a store, channel or category label.
    pub fn has_labels(&self) -> bool {
        self.order_files
            .iter()
            .flatten()
            .any(|f| !f.labels.is_empty())
    }
}

/// The latest purchase day in the files (orders and summaries), or `None` when there is none.
pub fn latest_purchase_day(files: &[&IngestedFile]) -> Option<i32> {
    let mut best: Option<i32> = None;
    for f in files {
        match &f.data {
            FileData::Orders(o) => {
                for ord in o.orders.iter().filter(|o| o.is_purchase()) {
                    best = Some(best.map_or(ord.day, |b| b.max(ord.day)));
                }
            }
            FileData::Members(ms) => {
                for s in ms.iter().filter_map(|m| m.summary) {
                    best = Some(best.map_or(s.last_day, |b| b.max(s.last_day)));
                }
            }
        }
    }
    best
}

/// Links identities across files and gathers each member's purchases up to `as_of`, all of
/// them in `purchases` in member order (each member's sorted by day).
pub fn build<'f>(
    files: &[&'f IngestedFile],
    as_of: i32,
    purchases: &'f mut Vec<Purchase>,
) -> Population<'f> {
    let mut linker = Linker::default();
    // Handles in a fixed order: member files first (so members keep their master-data order), then orders.
    let mut handles: Vec<Option<u32>> = Vec::new();
    let mut spans: Vec<(usize, usize)> = vec![(0, 0); files.len()];
    let order = files
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.data, FileData::Members(_)))
        .chain(
            files
                .iter()
                .enumerate()
                .filter(|(_, f)| matches!(f.data, FileData::Orders(_))),
        );
    for (fi, f) in order {
        let start = handles.len();
        match &f.data {
            FileData::Members(ms) => handles.extend(ms.iter().map(|m| linker.add(&m.keys))),
            FileData::Orders(o) => handles.extend(o.persons.iter().map(|p| linker.add(p))),
        }
        spans[fi] = (start, handles.len());
    }
    let (dense, n) = linker.resolve(&handles);
    let mut members: Vec<Member> = vec![Member::default(); n];
    let merge_keys = |m: &mut Member<'f>, k: &'f PersonKeys| {
        if m.keys.member_id.is_none() {
            m.keys.member_id = k.member_id.as_deref();
        }
        if m.keys.phone.is_none() {
            m.keys.phone = k.phone.as_deref();
        }
        if m.keys.email.is_none() {
            m.keys.email = k.email.as_deref();
        }
    };
    let mut counts = PopulationCounts {
        after_as_of_rows: vec![0; files.len()],
        member_returns_cents: vec![0; files.len()],
        return_rows_by_file: vec![0; files.len()],
        ..Default::default()
    };
    let mut person_member_by_file: Vec<Vec<u32>> = vec![Vec::new(); files.len()];
    for (fi, f) in files.iter().enumerate() {
        if let FileData::Orders(o) = &f.data {
            let (start, _) = spans[fi];
            person_member_by_file[fi] = (0..o.persons.len())
                .map(|p| dense[start + p].unwrap_or(NONE))
                .collect();
        }
    }
    // Each member's purchase list is allocated once, at its final size.
    let mut n_purchases = vec![0u32; n];
    for (fi, f) in files.iter().enumerate() {
        if let FileData::Orders(o) = &f.data {
            let pm = &person_member_by_file[fi];
            for ord in &o.orders {
                if ord.day <= as_of && ord.person != NONE && ord.is_purchase() {
                    n_purchases[pm[ord.person as usize] as usize] += 1;
                }
            }
        }
    }
    // Where each member's purchases start in `purchases`, and the next free place.
    let mut starts = Vec::with_capacity(n + 1);
    let mut total = 0u32;
    for k in &n_purchases {
        starts.push(total);
        total += k;
    }
    starts.push(total);
    drop(n_purchases);
    let mut next = starts.clone();
    purchases.clear();
    purchases.resize(
        total as usize,
        Purchase {
            day: 0,
            order: 0,
            net_cents: 0,
            source: 0,
        },
    );
    let mut source_labels = Vec::with_capacity(files.len());
    let mut is_source = Vec::with_capacity(files.len());
    for (fi, &f) in files.iter().enumerate() {
        source_labels.push(f.summary.source_label.clone());
        is_source.push(matches!(f.data, FileData::Orders(_)));
        let (start, _) = spans[fi];
        match &f.data {
            FileData::Members(ms) => {
                for (i, rec) in ms.iter().enumerate() {
                    let Some(m) = dense[start + i] else { continue };
                    let m = &mut members[m as usize];
                    merge_keys(m, &rec.keys);
                    if m.name.is_none() {
                        m.name = rec.name.as_deref();
                    }
                    if let Some(s) = rec.summary {
                        if s.last_day <= as_of {
                            m.summary = Some(s);
                        }
                    }
                    match &mut m.record {
                        None => m.record = Some(Box::new(rec.clone())),
                        Some(existing) => fill_missing(existing, rec),
                    }
                }
            }
            FileData::Orders(o) => {
                let person_member = std::mem::take(&mut person_member_by_file[fi]);
                for (p, keys) in o.persons.iter().enumerate() {
                    let m = &mut members[person_member[p] as usize];
                    merge_keys(m, keys);
                    if m.name.is_none() {
                        m.name = o.person_names[p].as_deref();
                    }
                    if !m.sources.contains(&(fi as u16)) {
                        m.sources.push(fi as u16);
                    }
                }
                for (oi, ord) in o.orders.iter().enumerate() {
                    if ord.day > as_of {
                        counts.after_as_of_rows[fi] += ord.rows as usize;
                        continue;
                    }
                    if !ord.is_purchase() {
                        continue;
                    }
                    if ord.person == NONE {
                        counts.guest_orders += 1;
                        counts.guest_revenue_cents += ord.net_cents();
                        continue;
                    }
                    let slot = &mut next[person_member[ord.person as usize] as usize];
                    purchases[*slot as usize] = Purchase {
                        day: ord.day,
                        order: oi as u32,
                        net_cents: ord.net_cents(),
                        source: fi as u16,
                    };
                    *slot += 1;
                }
                for r in &o.returns {
                    if r.day > as_of {
                        counts.after_as_of_rows[fi] += 1;
                        continue;
                    }
                    counts.return_rows += 1;
                    counts.return_rows_by_file[fi] += 1;
                    if r.person == NONE {
                        counts.guest_revenue_cents += r.cents;
                    } else {
                        members[person_member[r.person as usize] as usize]
                            .returns
                            .push((r.day, r.cents));
                        counts.member_returns_cents[fi] += r.cents;
                    }
                }
                person_member_by_file[fi] = person_member;
            }
        }
    }
    for w in starts.windows(2) {
        let own = &mut purchases[w[0] as usize..w[1] as usize];
        // Exports are mostly in date order already: check before sorting.
        if !own.is_sorted_by_key(|p| p.day) {
            own.sort_by_key(|p| p.day);
        }
    }
    let purchases: &'f [Purchase] = purchases;
    for (m, w) in members.iter_mut().zip(starts.windows(2)) {
        m.purchases = &purchases[w[0] as usize..w[1] as usize];
        m.sources.sort_unstable();
    }
    Population {
        members,
        as_of,
        counts,
        source_labels,
        is_source,
        person_member: person_member_by_file,
        order_files: files
            .iter()
            .map(|f| match &f.data {
                FileData::Orders(o) => Some(o),
                FileData::Members(_) => None,
            })
            .collect(),
    }
}

fn fill_missing(existing: &mut MemberRecord, rec: &MemberRecord) {
    macro_rules! fill {
        ($($f:ident),*) => {$(
            if existing.$f.is_none() {
                existing.$f.clone_from(&rec.$f);
            }
        )*};
    }
    fill!(
        name,
        gender,
        birthday,
        tier,
        registered,
        reg_channel,
        store,
        points,
        guide,
        region,
        summary
    );
    for (header, value) in &rec.extra {
        if !existing.extra.iter().any(|(h, _)| h == header) {
            existing.extra.push((header.clone(), value.clone()));
        }
    }
}

/// Per-member purchase-day gaps in days between consecutive distinct purchase days.
pub fn interpurchase_gaps<'a>(m: &'a Member<'_>) -> impl Iterator<Item = f64> + 'a {
    let mut prev: Option<i32> = None;
    m.distinct_days().filter_map(move |d| {
        let gap = prev.map(|p| f64::from(d - p));
        prev = Some(d);
        gap
    })
}

/// Counts members by a label, keeping first-seen order.
pub fn count_by<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut idx: FxHashMap<&str, usize> = FxHashMap::default();
    let mut out: Vec<(String, usize)> = Vec::new();
    for l in labels {
        match idx.get(l) {
            Some(&i) => out[i].1 += 1,
            None => {
                idx.insert(l, out.len());
                out.push((l.to_string(), 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(day: i32, cents: i64) -> Purchase {
        Purchase {
            day,
            order: 0,
            net_cents: cents,
            source: 0,
        }
    }

    fn pick(rows: &[(Option<&'static str>, Purchase)]) -> Option<String> {
        preferred(rows.iter().map(|(l, p)| (*l, p))).map(str::to_string)
    }

    #[test]
    fn preferred_label_by_count_then_spend_then_recency() {
        // Most purchases wins even against more spend.
        let a = [
            (Some("A"), p(1, 100)),
            (Some("B"), p(2, 5000)),
            (Some("A"), p(3, 100)),
        ];
        assert_eq!(pick(&a).as_deref(), Some("A"));
        // Equal counts: the larger spend.
        let b = [(Some("A"), p(1, 100)), (Some("B"), p(2, 300))];
        assert_eq!(pick(&b).as_deref(), Some("B"));
        // Equal counts and spend: the later last purchase.
        let c = [(Some("B"), p(5, 100)), (Some("A"), p(1, 100))];
        assert_eq!(pick(&c).as_deref(), Some("B"));
        let d = [(Some("A"), p(9, 100)), (Some("B"), p(1, 100))];
        assert_eq!(pick(&d).as_deref(), Some("A"));
        // All equal: the first met.
        let e = [(Some("B"), p(1, 100)), (Some("A"), p(1, 100))];
        assert_eq!(pick(&e).as_deref(), Some("B"));
        // Unlabelled purchases do not count.
        let f = [(None, p(1, 100)), (None, p(2, 100)), (Some("C"), p(3, 1))];
        assert_eq!(pick(&f).as_deref(), Some("C"));
        assert_eq!(pick(&[(None, p(1, 1))]), None);
    }
}
