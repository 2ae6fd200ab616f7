//! Typed reading of an orders table and order normalisation (domain.md §2 "订单归一").

use rustc_hash::FxHashMap;

use super::table::RawRow;
use super::values::{self, AmountError, Currency, DateError};
use super::{ColumnIndex, RowLog};
use crate::error::{Error, WarningKind};
use crate::ingest::Role;
use crate::model::{Order, OrderFile, PersonKeys, Return, NONE};

/// Status values that make an order a non-purchase (closed, unpaid, cancelled, voided, refunded).
const NON_PURCHASE_STATUSES: &[&str] = &[
    "交易关闭",
    "已关闭",
    "订单关闭",
    "关闭",
    "待付款",
    "未付款",
    "等待买家付款",
    "待支付",
    "已取消",
    "取消",
    "交易取消",
    "订单取消",
    "已退款",
    "退款成功",
    "全额退款",
    "已作废",
    "作废",
    "closed",
    "cancelled",
    "canceled",
    "voided",
    "void",
    "refunded",
    "pending",
    "unpaid",
    "expired",
    "failed",
];

/// True when a status cell means the order is not a purchase.
pub fn is_non_purchase_status(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() {
        return false;
    }
    NON_PURCHASE_STATUSES
        .iter()
        .any(|x| x.eq_ignore_ascii_case(t))
}

/// Accumulates rows into orders, returns and interned keys.
pub(crate) struct OrderReader<'c> {
    file: String,
    cols: &'c ColumnIndex,
    tz: i32,
    /// True when an order-level amount is mapped (item lines repeat it: take it once).
    order_level: bool,
    out: OrderFile,
    order_ids: OrderIds,
    person_by_keys: FxHashMap<PersonKeys, u32>,
    /// Person by the key cells exactly as written (and whether a key was unreadable):
    /// skips normalising repeat buyers.
    person_by_cells: FxHashMap<CellsKey, (u32, bool)>,
    cells_buf: String,
    label_ids: FxHashMap<String, u32>,
    currencies: Vec<(Currency, Vec<usize>)>,
}

impl<'c> OrderReader<'c> {
    pub(crate) fn new(
        file: &str,
        cols: &'c ColumnIndex,
        tz: i32,
        expected_rows: usize,
    ) -> Result<Self, Error> {
        if !cols.has(Role::OrderTime) {
            return Err(Error::NoDateColumn {
                file: file.to_string(),
            });
        }
        if !cols.has(Role::Amount) && !cols.has(Role::ItemAmount) {
            return Err(Error::NoAmountColumn {
                file: file.to_string(),
            });
        }
        Ok(OrderReader {
            file: file.to_string(),
            cols,
            tz,
            order_level: cols.has(Role::Amount),
            out: OrderFile {
                orders: Vec::with_capacity(expected_rows),
                ..Default::default()
            },
            order_ids: OrderIds::with_capacity(if cols.has(Role::OrderId) {
                expected_rows
            } else {
                0
            }),
            person_by_keys: FxHashMap::default(),
            person_by_cells: FxHashMap::default(),
            cells_buf: String::new(),
            label_ids: FxHashMap::default(),
            currencies: Vec::new(),
        })
    }

    fn label(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return NONE;
        }
        if let Some(&i) = self.label_ids.get(s) {
            return i;
        }
        let i = self.out.labels.len() as u32;
        self.out.labels.push(s.to_string());
        self.label_ids.insert(s.to_string(), i);
        i
    }

    fn note_currency(&mut self, c: Currency, line: usize) {
        if c == Currency::Unmarked {
            return;
        }
        match self.currencies.iter_mut().find(|(x, _)| *x == c) {
            Some((_, lines)) => {
                if lines.len() < 3 {
                    lines.push(line);
                }
            }
            None => self.currencies.push((c, vec![line])),
        }
    }

    fn amount(
        &mut self,
        r: &RawRow<'_, '_>,
        role: Role,
        required: bool,
        log: &mut RowLog,
    ) -> Result<Option<i64>, ()> {
        let cell = self.cols.cell(&r.fields, role);
        match values::parse_amount(cell) {
            Ok((cents, cur)) => {
                self.note_currency(cur, r.line);
                Ok(Some(cents))
            }
            Err(AmountError::Empty) if !required => Ok(None),
            Err(AmountError::Empty) => {
                log.reject(
                    r.line,
                    Some(self.cols.header(role)),
                    WarningKind::MissingValue,
                    "the amount is empty".to_string(),
                );
                Err(())
            }
            Err(AmountError::Format) => {
                log.reject(
                    r.line,
                    Some(self.cols.header(role)),
                    WarningKind::BadAmount,
                    format!("cannot read the amount \"{cell}\""),
                );
                Err(())
            }
        }
    }

    fn person(&mut self, r: &RawRow<'_, '_>, log: &mut RowLog) -> u32 {
        let mut buf = std::mem::take(&mut self.cells_buf);
        buf.clear();
        for role in [Role::MemberId, Role::Phone, Role::Email] {
            buf.push_str(self.cols.cell(&r.fields, role));
            buf.push('\u{1F}');
        }
        let key = CellsKey::new(&buf);
        let p = match self.person_by_cells.get(&key) {
            Some(&(p, false)) => p,
            // Cells seen before but with an unreadable phone or e-mail: warn for this row too.
            Some(&(p, true)) => {
                super::read_keys(self.cols, r, log);
                p
            }
            None => {
                let (p, left_out) = self.person_normalized(r, log);
                self.person_by_cells.insert(key, (p, left_out));
                p
            }
        };
        self.cells_buf = buf;
        p
    }

    /// Normalises the row's keys (warning about unreadable ones) and finds or adds its person;
    /// the flag says whether a key field was left out.
    fn person_normalized(&mut self, r: &RawRow<'_, '_>, log: &mut RowLog) -> (u32, bool) {
        let (keys, left_out) = super::read_keys(self.cols, r, log);
        (self.person_of(r, keys), left_out)
    }

    fn person_of(&mut self, r: &RawRow<'_, '_>, keys: PersonKeys) -> u32 {
        if keys.is_empty() {
            return NONE;
        }
        if let Some(&p) = self.person_by_keys.get(&keys) {
            return p;
        }
        let p = self.out.persons.len() as u32;
        let name = self.cols.cell(&r.fields, Role::Name);
        self.out
            .person_names
            .push((!name.is_empty()).then(|| name.to_string()));
        self.out.persons.push(keys.clone());
        self.person_by_keys.insert(keys, p);
        p
    }

    /// Reads one row; counts it as accepted or rejected in `log`.
    pub(crate) fn row(&mut self, r: &RawRow<'_, '_>, log: &mut RowLog) {
        let date_cell = self.cols.cell(&r.fields, Role::OrderTime);
        let day = match values::parse_date(date_cell, self.tz) {
            Ok(d) => d,
            Err(DateError::Empty) => {
                log.reject(
                    r.line,
                    Some(self.cols.header(Role::OrderTime)),
                    WarningKind::MissingValue,
                    "the order date is empty".to_string(),
                );
                return;
            }
            Err(DateError::Format) => {
                log.reject(
                    r.line,
                    Some(self.cols.header(Role::OrderTime)),
                    WarningKind::BadDate,
                    format!("cannot read the date \"{date_cell}\""),
                );
                return;
            }
            Err(DateError::OutOfRange) => {
                log.reject(
                    r.line,
                    Some(self.cols.header(Role::OrderTime)),
                    WarningKind::BadDate,
                    format!(
                        "\"{date_cell}\" is not a calendar date between {} and {}",
                        values::MIN_YEAR,
                        values::MAX_YEAR
                    ),
                );
                return;
            }
        };
        let amount_role = if self.order_level {
            Role::Amount
        } else {
            Role::ItemAmount
        };
        let Ok(Some(amount)) = self.amount(r, amount_role, true, log) else {
            return;
        };
        let refund = if self.cols.has(Role::Refund) {
            match self.amount(r, Role::Refund, false, log) {
                Ok(v) => v.unwrap_or(0).abs(),
                Err(()) => return,
            }
        } else {
            0
        };
        if self.cols.has(Role::Currency) {
            if let Some(c) = Currency::from_code(self.cols.cell(&r.fields, Role::Currency)) {
                self.note_currency(c, r.line);
            }
        }
        log.accepted += 1;
        let person = self.person(r, log);
        let channel = self.label(self.cols.cell(&r.fields, Role::Channel));
        let store = self.label(self.cols.cell(&r.fields, Role::Store));
        if amount < 0 {
            self.out.returns.push(Return {
                line: r.line as u32,
                day,
                cents: amount,
                person,
                store,
                channel,
            });
            return;
        }
        let non_purchase_status = is_non_purchase_status(self.cols.cell(&r.fields, Role::Status));
        let order_id = self.cols.cell(&r.fields, Role::OrderId);
        if !order_id.is_empty() {
            // One probe: returns the order this id already has, or registers the id for the
            // order about to be pushed.
            let existing = self
                .order_ids
                .get_or_insert(order_id, self.out.orders.len() as u32);
            if let Some(idx) = existing {
                let o = &mut self.out.orders[idx as usize];
                o.rows += 1;
                if self.order_level {
                    o.amount_cents = o.amount_cents.max(amount);
                    o.refund_cents = o.refund_cents.max(refund);
                } else {
                    o.amount_cents += amount;
                    o.refund_cents += refund;
                }
                if o.person == NONE {
                    o.person = person;
                }
                if o.channel == NONE {
                    o.channel = channel;
                }
                if o.store == NONE {
                    o.store = store;
                }
                return;
            }
        }
        let category = self.label(self.cols.cell(&r.fields, Role::Category));
        self.out.orders.push(Order {
            line: r.line as u32,
            rows: 1,
            day,
            amount_cents: amount,
            refund_cents: refund,
            non_purchase_status,
            person,
            channel,
            store,
            category,
        });
    }

    /// Ends the file; fails when amounts mix currencies.
    pub(crate) fn finish(self) -> Result<OrderFile, Error> {
        if self.currencies.len() > 1 {
            return Err(Error::MixedCurrency {
                file: self.file,
                column: self
                    .cols
                    .header(if self.order_level {
                        Role::Amount
                    } else {
                        Role::ItemAmount
                    })
                    .to_string(),
                currencies: self
                    .currencies
                    .iter()
                    .map(|(c, _)| c.code().to_string())
                    .collect(),
                lines: self
                    .currencies
                    .iter()
                    .flat_map(|(_, l)| l.iter().copied())
                    .collect(),
            });
        }
        Ok(self.out)
    }
}

/// Order ids → order index without one allocation per id: ids live in one arena,
/// the map is keyed by a 64-bit hash and verified against the arena; true hash
/// collisions (different ids, same hash) go to a small exact map.
#[derive(Default)]
struct OrderIds {
    arena: String,
    spans: Vec<(u32, u32)>,
    by_hash: FxHashMap<u64, u32>,
    collided: FxHashMap<Box<str>, u32>,
}

impl OrderIds {
    fn with_capacity(n: usize) -> Self {
        OrderIds {
            arena: String::with_capacity(n * 12),
            spans: Vec::with_capacity(n),
            by_hash: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            collided: FxHashMap::default(),
        }
    }

    /// The order index of `id` if seen before; otherwise records `new_idx` for it and returns `None`.
    fn get_or_insert(&mut self, id: &str, new_idx: u32) -> Option<u32> {
        use std::collections::hash_map::Entry;
        match self.by_hash.entry(super::hash64(id)) {
            Entry::Vacant(v) => {
                v.insert(new_idx);
            }
            Entry::Occupied(o) => {
                let idx = *o.get();
                let (a, b) = self.spans[idx as usize];
                if &self.arena[a as usize..b as usize] == id {
                    return Some(idx);
                }
                // A different id with the same 64-bit hash: kept exactly on the side.
                return match self.collided.entry(id.into()) {
                    Entry::Occupied(c) => Some(*c.get()),
                    Entry::Vacant(c) => {
                        c.insert(new_idx);
                        None
                    }
                };
            }
        }
        let a = self.arena.len() as u32;
        self.arena.push_str(id);
        if self.spans.len() <= new_idx as usize {
            self.spans.resize(new_idx as usize + 1, (0, 0));
        }
        self.spans[new_idx as usize] = (a, self.arena.len() as u32);
        None
    }
}

/// A person's key cells as written: inline up to 30 bytes (a phone, a card number, a short
/// e-mail) so a lookup compares in place instead of following a pointer; longer keys boxed.
#[derive(Clone, PartialEq, Eq, Hash)]
enum CellsKey {
    Inline(u8, [u8; 30]),
    Boxed(Box<str>),
}

impl CellsKey {
    fn new(s: &str) -> CellsKey {
        let b = s.as_bytes();
        if b.len() <= 30 {
            let mut a = [0u8; 30];
            a[..b.len()].copy_from_slice(b);
            CellsKey::Inline(b.len() as u8, a)
        } else {
            CellsKey::Boxed(s.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_are_exact_even_when_hashes_collide() {
        let mut ids = OrderIds::with_capacity(4);
        assert_eq!(ids.get_or_insert("A1", 0), None);
        assert_eq!(ids.get_or_insert("A1", 1), Some(0));
        assert_eq!(ids.get_or_insert("B2", 1), None);
        // Force "C3" onto the hash of "A1": it must still be a new order, then found again.
        ids.by_hash.insert(crate::ingest::hash64("C3"), 0);
        assert_eq!(ids.get_or_insert("C3", 2), None);
        assert_eq!(ids.get_or_insert("C3", 3), Some(2));
    }

    #[test]
    fn statuses_that_are_not_purchases() {
        for s in [
            "交易关闭",
            "待付款",
            "已取消",
            "已退款",
            "closed",
            "Cancelled",
            "VOIDED",
            "refunded",
            "pending",
        ] {
            assert!(is_non_purchase_status(s), "{s}");
        }
        for s in ["交易成功", "部分退款", "paid", "partially_refunded", ""] {
            assert!(!is_non_purchase_status(s), "{s}");
        }
    }
}
