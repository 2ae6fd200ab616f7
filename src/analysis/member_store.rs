//! The member table kept packed: one 72-byte entry per member (segment codes fit a byte:
//! see [`super::MAX_SEGMENT_RULES`]) (and 56 bytes of forecasts
//! when they were computed) (its texts in one small
//! allocation, absent numbers as NaN or a sentinel, keys as small codes), and a full
//! [`MemberRow`] built only for the rows shown or exported. A [`MemberRow`] is about 500 bytes
//! and a large export has hundreds of thousands of members.

use std::sync::Arc;

use super::member_table::{Cell, MemberRow};

/// "No date" in a packed entry.
const NO_DAY: i32 = i32::MIN;
/// "No code" in a packed entry.
const NO_CODE: u8 = u8::MAX;

/// Texts of a member, in this order, in [`Packed::texts`].
const TEXT_FIELDS: usize = 8;

/// One member, packed.
#[derive(Debug, Clone)]
struct Packed {
    /// Presence mask, then for each present text its length (LEB128) and bytes: member id,
    /// phone, e-mail, name, tier, registration channel, store, gender.
    texts: Box<[u8]>,
    /// registered_at, first_purchase, last_purchase, expected_next_purchase, recency_days.
    days: [i32; 5],
    frequency: u32,
    monetary: f64,
    /// personal_cycle_days: NaN when absent (JSON has no NaN: it would be written as null).
    cycle: f64,
    /// R, F, M scores (0 when absent).
    scores: [u8; 3],
    /// segment, segment_ten, dormancy, lifecycle, repurchase_status, churn_band.
    codes: [u8; 6],
    in_member_file: bool,
    sources: u32,
}

/// The member table: packed entries and the few distinct values they refer to.
#[derive(Debug, Clone, Default)]
pub struct MemberTable {
    rows: Vec<Packed>,
    /// Per member, when any member has a forecast: p_alive, expected purchases 30/90/365 d,
    /// expected_spend, clv, churn_risk (NaN when absent). Empty otherwise.
    forecasts: Vec<[f64; 7]>,
    /// Keys the codes stand for (segment, tier, stage, status and band keys).
    keys: Vec<&'static str>,
    /// Ten-segment names (code 1 of each entry).
    ten_names: Vec<Arc<str>>,
    /// Distinct source lists.
    source_sets: Vec<Arc<[String]>>,
}

fn write_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let b = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn read_len(b: &[u8], at: &mut usize) -> usize {
    let (mut n, mut shift) = (0usize, 0);
    while let Some(&x) = b.get(*at) {
        *at += 1;
        n |= ((x & 0x7F) as usize) << shift;
        if x & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    n
}

fn pack_texts(texts: [Option<&str>; TEXT_FIELDS]) -> Box<[u8]> {
    // Allocated once at its final size (LEB128 takes a byte per 7 bits of the length).
    let len_bytes = |n: usize| ((usize::BITS - n.leading_zeros()).div_ceil(7)).max(1) as usize;
    let size = 1 + texts
        .iter()
        .flatten()
        .map(|t| len_bytes(t.len()) + t.len())
        .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.push(0u8);
    for (k, t) in texts.iter().enumerate() {
        if let Some(t) = t {
            out[0] |= 1 << k;
            write_len(&mut out, t.len());
            out.extend_from_slice(t.as_bytes());
        }
    }
    debug_assert_eq!(out.len(), size);
    out.into_boxed_slice()
}

fn unpack_texts(b: &[u8]) -> [Option<&str>; TEXT_FIELDS] {
    let mut out = [None; TEXT_FIELDS];
    let mask = b.first().copied().unwrap_or(0);
    let mut at = 1;
    for (k, slot) in out.iter_mut().enumerate() {
        if mask & (1 << k) != 0 {
            let n = read_len(b, &mut at);
            let end = (at + n).min(b.len());
            // Packed from whole strings, so the bytes are UTF-8.
            *slot = std::str::from_utf8(&b[at..end]).ok();
            at = end;
        }
    }
    out
}

/// The position of the first item of `list` that `is` accepts, `make()` pushed when none does
/// (the lists are short: a handful of keys, names or source sets).
fn intern<T>(list: &mut Vec<T>, is: impl Fn(&T) -> bool, make: impl FnOnce() -> T) -> usize {
    match list.iter().position(is) {
        Some(i) => i,
        None => {
            list.push(make());
            list.len() - 1
        }
    }
}

fn day(d: Option<i32>) -> i32 {
    d.unwrap_or(NO_DAY)
}

fn unday(d: i32) -> Option<i32> {
    (d != NO_DAY).then_some(d)
}

fn num(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

fn unnum(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

impl MemberTable {
    /// An empty table with room for `n` members (no doubling copies on the way).
    pub fn with_capacity(n: usize) -> Self {
        MemberTable {
            rows: Vec::with_capacity(n),
            ..Default::default()
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there is no member.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn code(&mut self, key: Option<&'static str>) -> u8 {
        key.map_or(NO_CODE, |key| {
            intern(&mut self.keys, |k| *k == key, || key) as u8
        })
    }

    fn key(&self, code: u8) -> Option<&'static str> {
        self.keys.get(code as usize).copied()
    }

    /// Adds a member (in table order).
    pub fn push(&mut self, r: MemberRow) {
        let ids = [
            r.member_id.as_deref(),
            r.phone.as_deref(),
            r.email.as_deref(),
            r.name.as_deref(),
        ];
        self.push_with_ids(ids, &r);
    }

    /// Adds a member whose member id, phone, e-mail and name are `ids` (those of `r` are not
    /// read): the texts are packed straight from where they are, without a copy of their own.
    pub fn push_with_ids(&mut self, ids: [Option<&str>; 4], r: &MemberRow) {
        let fc = [
            r.p_alive,
            r.expected_purchases_30d,
            r.expected_purchases_90d,
            r.expected_purchases_365d,
            r.expected_spend,
            r.clv,
            r.churn_risk,
        ];
        if fc.iter().any(Option::is_some) || !self.forecasts.is_empty() {
            // From the first member with a forecast on (the earlier ones had none).
            self.forecasts.resize(self.rows.len(), [f64::NAN; 7]);
            self.forecasts.push(fc.map(num));
        }
        let ten = r.segment_ten.as_ref().map_or(NO_CODE, |name| {
            intern(&mut self.ten_names, |n| n == name, || name.clone()) as u8
        });
        let sources = intern(
            &mut self.source_sets,
            |s| Arc::ptr_eq(s, &r.sources) || **s == *r.sources,
            || r.sources.clone(),
        ) as u32;
        let codes = [
            self.code(r.segment),
            ten,
            self.code(Some(r.dormancy)),
            self.code(Some(r.lifecycle)),
            self.code(r.repurchase_status),
            self.code(r.churn_band),
        ];
        let score = |s: Option<u8>| s.unwrap_or(0);
        self.rows.push(Packed {
            texts: pack_texts([
                ids[0],
                ids[1],
                ids[2],
                ids[3],
                r.tier.as_deref(),
                r.reg_channel.as_deref(),
                r.store.as_deref(),
                r.gender.as_deref(),
            ]),
            days: [
                day(r.registered_at),
                day(r.first_purchase),
                day(r.last_purchase),
                day(r.expected_next_purchase),
                day(r.recency_days),
            ],
            frequency: r.frequency,
            monetary: r.monetary,
            cycle: num(r.personal_cycle_days),
            scores: [score(r.r_score), score(r.f_score), score(r.m_score)],
            codes,
            in_member_file: r.in_member_file,
            sources,
        });
    }

    /// Appends the members of `other` (built on its own, e.g. on another thread) after these:
    /// its codes, ten-segment names and source lists are mapped to this table's.
    pub fn append(&mut self, other: MemberTable) {
        let keys: Vec<u8> = other
            .keys
            .iter()
            .map(|&k| intern(&mut self.keys, |x| *x == k, || k) as u8)
            .collect();
        let tens: Vec<u8> = other
            .ten_names
            .into_iter()
            .map(|n| intern(&mut self.ten_names, |x| *x == n, || n.clone()) as u8)
            .collect();
        let sets: Vec<u32> = other
            .source_sets
            .into_iter()
            .map(|set| {
                intern(
                    &mut self.source_sets,
                    |s| Arc::ptr_eq(s, &set) || **s == *set,
                    || set.clone(),
                ) as u32
            })
            .collect();
        if !other.forecasts.is_empty() || !self.forecasts.is_empty() {
            self.forecasts.resize(self.rows.len(), [f64::NAN; 7]);
            if other.forecasts.is_empty() {
                self.forecasts
                    .resize(self.rows.len() + other.rows.len(), [f64::NAN; 7]);
            } else {
                self.forecasts.extend(other.forecasts);
                self.forecasts
                    .resize(self.rows.len() + other.rows.len(), [f64::NAN; 7]);
            }
        }
        let map = |c: u8, to: &[u8]| if c == NO_CODE { c } else { to[c as usize] };
        self.rows.reserve(other.rows.len());
        for mut p in other.rows {
            let [seg, ten, dormancy, stage, status, band] = p.codes;
            p.codes = [
                map(seg, &keys),
                map(ten, &tens),
                map(dormancy, &keys),
                map(stage, &keys),
                map(status, &keys),
                map(band, &keys),
            ];
            p.sources = sets[p.sources as usize];
            self.rows.push(p);
        }
    }

    /// Member `i` as a full row.
    pub fn row(&self, i: usize) -> MemberRow {
        let p = &self.rows[i];
        let [member_id, phone, email, name, tier, reg_channel, store, gender] =
            unpack_texts(&p.texts).map(|t| t.map(str::to_string));
        let score = |s: u8| (s != 0).then_some(s);
        let fc = self.forecasts.get(i).copied().unwrap_or([f64::NAN; 7]);
        let n = |k: usize| unnum(fc[k]);
        MemberRow {
            member_id,
            phone,
            email,
            name,
            sources: self.source_sets[p.sources as usize].clone(),
            in_member_file: p.in_member_file,
            tier,
            registered_at: unday(p.days[0]),
            reg_channel,
            store,
            gender,
            first_purchase: unday(p.days[1]),
            last_purchase: unday(p.days[2]),
            recency_days: unday(p.days[4]),
            frequency: p.frequency,
            monetary: p.monetary,
            r_score: score(p.scores[0]),
            f_score: score(p.scores[1]),
            m_score: score(p.scores[2]),
            segment: self.key(p.codes[0]),
            segment_ten: self.ten_names.get(p.codes[1] as usize).cloned(),
            dormancy: self.key(p.codes[2]).unwrap_or_default(),
            lifecycle: self.key(p.codes[3]).unwrap_or_default(),
            personal_cycle_days: unnum(p.cycle),
            expected_next_purchase: unday(p.days[3]),
            repurchase_status: self.key(p.codes[4]),
            p_alive: n(0),
            expected_purchases_30d: n(1),
            expected_purchases_90d: n(2),
            expected_purchases_365d: n(3),
            expected_spend: n(4),
            clv: n(5),
            churn_risk: n(6),
            churn_band: self.key(p.codes[5]),
        }
    }

    /// The value member `i` sorts by in column `col` (as [`MemberRow`] gives it): numbers and
    /// dates read from the packed entry, texts through the row.
    pub(crate) fn sort_key(&self, i: usize, col: &str) -> Cell {
        let p = &self.rows[i];
        let num = |x: f64| {
            if x.is_nan() {
                Cell::Empty
            } else {
                Cell::Number(x)
            }
        };
        let day = |d: i32| unday(d).map_or(Cell::Empty, |d| Cell::Number(f64::from(d)));
        let fc = |k: usize| self.forecasts.get(i).map_or(Cell::Empty, |f| num(f[k]));
        let score = |s: u8| {
            if s == 0 {
                Cell::Empty
            } else {
                Cell::Number(f64::from(s))
            }
        };
        match col {
            "registered_at" => day(p.days[0]),
            "first_purchase" => day(p.days[1]),
            "last_purchase" => day(p.days[2]),
            "expected_next_purchase" => day(p.days[3]),
            "recency_days" => day(p.days[4]),
            "frequency" => Cell::Number(f64::from(p.frequency)),
            "monetary" => Cell::Number(p.monetary),
            "r_score" => score(p.scores[0]),
            "f_score" => score(p.scores[1]),
            "m_score" => score(p.scores[2]),
            "personal_cycle_days" => num(p.cycle),
            "p_alive" => fc(0),
            "expected_purchases_30d" => fc(1),
            "expected_purchases_90d" => fc(2),
            "expected_purchases_365d" => fc(3),
            "expected_spend" => fc(4),
            "clv" => fc(5),
            "churn_risk" => fc(6),
            _ => self.row(i).sort_key(col),
        }
    }

    /// What the query filters read, without building the row.
    pub(crate) fn facts(&self, i: usize) -> Facts<'_> {
        let p = &self.rows[i];
        let [member_id, phone, email, name, ..] = unpack_texts(&p.texts);
        Facts {
            member_id,
            phone,
            email,
            name,
            sources: &self.source_sets[p.sources as usize],
            frequency: p.frequency,
            segment: self.key(p.codes[0]),
            segment_ten: self.ten_names.get(p.codes[1] as usize).map(|s| &**s),
            dormancy: self.key(p.codes[2]).unwrap_or_default(),
            lifecycle: self.key(p.codes[3]).unwrap_or_default(),
            churn_band: self.key(p.codes[5]),
        }
    }
}

/// The fields of a member that queries filter on, borrowed from the table.
pub(crate) struct Facts<'a> {
    pub member_id: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub sources: &'a [String],
    pub frequency: u32,
    pub segment: Option<&'static str>,
    pub segment_ten: Option<&'a str>,
    pub dormancy: &'static str,
    pub lifecycle: &'static str,
    pub churn_band: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::member_table::COLUMNS;

    #[test]
    fn a_packed_member_stays_small() {
        assert_eq!(std::mem::size_of::<Packed>(), 72);
    }

    #[test]
    fn a_row_comes_back_as_it_went_in() {
        let full = MemberRow {
            member_id: Some("VIP-1".into()),
            phone: Some("13800000000".into()),
            email: None,
            name: Some("张三".into()),
            sources: Arc::from(vec!["online.csv".to_string(), "pos.csv".to_string()]),
            in_member_file: true,
            tier: Some("金卡".into()),
            registered_at: Some(18000),
            reg_channel: Some("小程序".repeat(60)),
            store: None,
            gender: Some("女".into()),
            first_purchase: Some(18100),
            last_purchase: Some(19000),
            recency_days: Some(12),
            frequency: 7,
            monetary: 1234.5,
            r_score: Some(5),
            f_score: Some(4),
            m_score: Some(3),
            segment: Some("important_value"),
            segment_ten: Some(Arc::from("Champions")),
            dormancy: "active",
            lifecycle: "maturity",
            personal_cycle_days: Some(30.5),
            expected_next_purchase: Some(19030),
            repurchase_status: Some("due"),
            p_alive: Some(0.9),
            expected_purchases_30d: Some(0.5),
            expected_purchases_90d: Some(1.5),
            expected_purchases_365d: Some(6.0),
            expected_spend: Some(150.0),
            clv: Some(800.0),
            churn_risk: Some(0.1),
            churn_band: Some("low"),
        };
        let bare = MemberRow {
            dormancy: "never_bought",
            lifecycle: "introduction",
            ..Default::default()
        };
        let mut t = MemberTable::default();
        t.push(bare.clone());
        t.push(full.clone());
        t.push(bare.clone());
        assert_eq!(t.len(), 3);
        assert_eq!(t.row(0), bare);
        assert_eq!(t.row(1), full);
        assert_eq!(t.row(2), bare);
        assert_eq!(
            t.forecasts.len(),
            3,
            "forecast columns start at the first forecast"
        );
        let mut no_fc = MemberTable::default();
        no_fc.push(bare.clone());
        assert!(no_fc.forecasts.is_empty());
        assert_eq!(no_fc.row(0), bare);
        assert_eq!(t.facts(1).phone, Some("13800000000"));
        // Sort keys read from the packed entry equal the row's, column by column.
        for i in 0..t.len() {
            for col in COLUMNS {
                assert_eq!(t.sort_key(i, col), t.row(i).sort_key(col), "{col}");
            }
        }
        assert_eq!(t.facts(0).segment, None);

        // Tables built apart and joined equal the table built in one go, whichever half
        // holds the forecasts, the codes and the source lists.
        let other = MemberRow {
            sources: Arc::from(vec!["pos.csv".to_string()]),
            segment: Some("lost"),
            segment_ten: Some(Arc::from("Lost")),
            dormancy: "dormant",
            lifecycle: "churn",
            repurchase_status: Some("overdue"),
            ..bare.clone()
        };
        let rows = [bare.clone(), other.clone(), full.clone(), other, bare];
        for split in 0..=rows.len() {
            let mut whole = MemberTable::default();
            rows.iter().for_each(|r| whole.push(r.clone()));
            let (mut a, mut b) = (MemberTable::default(), MemberTable::default());
            rows[..split].iter().for_each(|r| a.push(r.clone()));
            rows[split..].iter().for_each(|r| b.push(r.clone()));
            a.append(b);
            assert_eq!(a.len(), whole.len());
            for i in 0..whole.len() {
                assert_eq!(a.row(i), whole.row(i), "split {split}, row {i}");
            }
            assert_eq!(a.forecasts.len(), whole.forecasts.len(), "split {split}");
        }
    }
}
