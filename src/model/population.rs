//! The linked population: members with their keys, members-table record and purchases up to
//! the as-of date (each purchase pointing at its order, so its store, channel and category),
//! the per-file counts, and what every analysis pass reads. Built by the `link` room.

use super::records::{MemberRecord, Order, OrderFile, SummaryTotals, NONE};

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
    /// Its order's store, channel and category ids, packed ([`pack_labels`]): the member
    /// passes read them with the purchase instead of one order, anywhere among millions, per
    /// purchase (a cache miss each on a large export). They fill the struct's padding.
    pub labels: [u16; 3],
}

/// A packed label: none.
const NO_LABEL: u16 = u16::MAX;
/// A packed label: an id too large to pack, read from the order itself.
const FAR_LABEL: u16 = u16::MAX - 1;

/// An order's store, channel and category ids as a [`Purchase`] keeps them.
pub fn pack_labels(o: &Order) -> [u16; 3] {
    [o.store, o.channel, o.category].map(|id| match id {
        NONE => NO_LABEL,
        id if id < u32::from(FAR_LABEL) => id as u16,
        _ => FAR_LABEL,
    })
}

/// The store, channel and category ids (into its file's `labels`, [`NONE`] for none) of a
/// purchase from `file`.
pub fn label_ids(file: &OrderFile, p: &Purchase) -> [u32; 3] {
    let far = || {
        file.orders
            .get(p.order as usize)
            .map_or([NONE; 3], |o| [o.store, o.channel, o.category])
    };
    let mut ids = [NONE; 3];
    for (k, packed) in p.labels.into_iter().enumerate() {
        ids[k] = match packed {
            NO_LABEL => NONE,
            FAR_LABEL => far()[k],
            id => u32::from(id),
        };
    }
    ids
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
    /// Refunded cents of the member's orders dated up to as-of (any status, from the refund
    /// column), for the refund tendency.
    pub refund_cents: i64,
    /// Amount of the member's paid orders dated up to as-of: purchases and orders with a refund.
    pub paid_cents: i64,
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
    /// True when some orders file can show refunds: it has a refund column or return rows.
    pub knows_refunds: bool,
}

/// The store, channel and category of a purchase, from the order files by file index.
pub fn purchase_labels<'f>(
    order_files: &[Option<&'f OrderFile>],
    p: &Purchase,
) -> PurchaseLabels<'f> {
    let Some(Some(file)) = order_files.get(p.source as usize) else {
        return PurchaseLabels::default();
    };
    let [store, channel, category] = label_ids(file, p);
    let label = |i: u32| (i != NONE).then(|| file.labels[i as usize].as_str());
    PurchaseLabels {
        store: label(store),
        channel: label(channel),
        category: label(category),
    }
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
    /// True when some orders file has a store, channel or category label.
    pub fn has_labels(&self) -> bool {
        self.order_files
            .iter()
            .flatten()
            .any(|f| !f.labels.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A purchase's labels read from its packed copy are its order's, for ids of every size
    /// (none, small, and past what 16 bits hold), and the copy costs the purchase no room.
    #[test]
    fn packed_labels_read_back_as_the_orders_own() {
        assert_eq!(std::mem::size_of::<Purchase>(), 24);
        let mut rng = crate::analysis::forecast::simulate::Rng::new(0x27bb_2ee6_87b0_b0fd);
        let n_labels = 70_000u32;
        let labels: Vec<String> = (0..n_labels).map(|i| format!("L{i}")).collect();
        let mut pick = || match rng.below(4) {
            0 => NONE,
            1 => rng.below(10) as u32,
            2 => u32::from(FAR_LABEL) - 2 + rng.below(4) as u32,
            _ => rng.below(u64::from(n_labels)) as u32,
        };
        let orders: Vec<Order> = (0..500)
            .map(|i| Order {
                line: i,
                rows: 1,
                day: 0,
                amount_cents: 100,
                refund_cents: 0,
                non_purchase_status: false,
                person: 0,
                store: pick(),
                channel: pick(),
                category: pick(),
            })
            .collect();
        let file = OrderFile {
            labels,
            orders,
            ..Default::default()
        };
        let files = [Some(&file)];
        for (i, o) in file.orders.iter().enumerate() {
            let p = Purchase {
                day: 0,
                order: i as u32,
                net_cents: 100,
                source: 0,
                labels: pack_labels(o),
            };
            let name = |id: u32| (id != NONE).then(|| file.labels[id as usize].as_str());
            assert_eq!(
                purchase_labels(&files, &p),
                PurchaseLabels {
                    store: name(o.store),
                    channel: name(o.channel),
                    category: name(o.category),
                },
                "order {i}: {o:?}"
            );
        }
    }
}
