//! The member table kept packed: one 112-byte entry per member (and 56 bytes of forecasts when
//! they were computed). Its four key texts sit in one small allocation, the members-table
//! record (tier, gender, birthday, guide, extra columns...) is moved in as it was read, absent
//! numbers are NaN or a sentinel and keys are small codes. Nothing outside this file knows the
//! layout: [`MemberView`] reads a member, the column table in [`super::columns`] names what
//! it reads. A large export has hundreds of thousands of members.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::model::{ForecastValues, MemberRecord};

/// "No date" in a packed entry.
const NO_DAY: i32 = i32::MIN;
/// "No code" in a packed entry.
pub(super) const NO_CODE: u8 = u8::MAX;
/// "No label" in a packed entry (also for the labels past the 65,535th distinct one).
pub(super) const NO_LABEL: u16 = u16::MAX;

/// Texts of a member, in this order, in [`Packed::texts`]: member id, phone, e-mail, name.
pub(super) const TEXT_FIELDS: usize = 4;

/// Record texts kept as labels, in this order: tier, gender, region, registration channel,
/// store, guide.
pub(super) const RECORD_LABELS: usize = 6;

/// "No age" in a packed entry (ages of 255 and more are not kept either).
pub(super) const NO_AGE: u8 = u8::MAX;

/// The record's texts kept as labels (see [`RECORD_LABELS`]).
pub(super) fn record_texts(r: &MemberRecord) -> [Option<&str>; RECORD_LABELS] {
    [
        r.tier.as_deref(),
        r.gender.as_deref(),
        r.region.as_deref(),
        r.reg_channel.as_deref(),
        r.store.as_deref(),
        r.guide.as_deref(),
    ]
}

/// Whole years from `birthday` to `as_of` (none for a birthday after as-of).
pub(super) fn age_on(birthday: i32, as_of: i32) -> Option<i32> {
    let (by, bm, bd) = crate::model::day::civil_from_days(birthday);
    let (y, m, d) = crate::model::day::civil_from_days(as_of);
    let age = y - by - i32::from((m, d) < (bm, bd));
    (age >= 0).then_some(age)
}

/// What the analysis knows of one member, handed to [`MemberTable::push`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewMember<'a> {
    /// Member id, phone, e-mail and name, packed from where they are (no copy of their own).
    pub ids: [Option<&'a str>; TEXT_FIELDS],
    /// The members-table record, moved in.
    pub record: Option<Box<MemberRecord>>,
    /// Sources (orders files) the member bought in.
    pub sources: Arc<[String]>,
    /// First purchase day.
    pub first_purchase: Option<i32>,
    /// Last purchase day.
    pub last_purchase: Option<i32>,
    /// Days since the last purchase.
    pub recency_days: Option<i32>,
    /// Purchases.
    pub frequency: u32,
    /// Net spend, floored at 0.
    pub monetary: f64,
    /// R, F, M scores (buyers).
    pub scores: Option<[u8; 3]>,
    /// Eight-segment key.
    pub segment: Option<&'static str>,
    /// Ten-segment name.
    pub segment_ten: Option<Arc<str>>,
    /// Dormancy tier key (buyer or non-buyer tier).
    pub dormancy: &'static str,
    /// Lifecycle stage key.
    pub lifecycle: &'static str,
    /// Personal purchase cycle, days.
    pub personal_cycle_days: Option<f64>,
    /// Expected next purchase day.
    pub expected_next_purchase: Option<i32>,
    /// Repurchase status key.
    pub repurchase_status: Option<&'static str>,
    /// Forecasts, when computed for this member.
    pub forecast: Option<ForecastValues>,
    /// Churn band key.
    pub churn_band: Option<&'static str>,
    /// The store, channel and category the member bought under most.
    pub preferred: [Option<&'a str>; 3],
    /// The source (orders file), channel and store of the member's first purchase.
    pub first: [Option<&'a str>; 3],
    /// Refunded share of the amount paid (see `docs/rules.md`), when the data can show refunds.
    pub refund_rate: Option<f64>,
    /// Net spend in the 365 days up to as-of (purchases and returns); NaN when unknown.
    pub spend_12m: f64,
}

/// One member, packed.
#[derive(Debug, Clone)]
pub(super) struct Packed {
    /// Presence mask, then for each present text its length (LEB128) and bytes: member id,
    /// phone, e-mail, name.
    pub texts: Box<[u8]>,
    /// The members-table record, if the member is in one.
    pub record: Option<Box<MemberRecord>>,
    /// first_purchase, last_purchase, expected_next_purchase, recency_days ([`NO_DAY`] when absent).
    pub days: [i32; 4],
    pub frequency: u32,
    pub monetary: f64,
    /// Net spend in the 365 days up to as-of.
    pub spend_12m: f64,
    /// personal_cycle_days: NaN when absent (JSON has no NaN: it would be written as null).
    pub cycle: f64,
    /// R, F, M scores (0 when absent).
    pub scores: [u8; 3],
    /// Preferred store, channel and category: indexes into [`MemberTable::labels`].
    pub preferred: [u16; 3],
    /// First purchase's source, channel and store: indexes into [`MemberTable::labels`].
    pub first: [u16; 3],
    /// The record's tier, gender, region, registration channel, store and guide, interned in
    /// [`MemberTable::labels`] so that tags and rules read them without touching the record
    /// ([`NO_LABEL`]: none, or past the label limit — then the record is read).
    pub record_labels: [u16; RECORD_LABELS],
    /// Age in whole years on as-of ([`NO_AGE`] when unknown).
    pub age: u8,
    /// Follows the official account: 0 unknown, 1 yes, 2 no (read without the record).
    pub follower: u8,
    /// Refund rate (NaN when unknown); f32 keeps the entry small (7 significant digits).
    pub refund_rate: f32,
    /// segment, segment_ten, dormancy, lifecycle, repurchase_status, churn_band.
    pub codes: [u8; 6],
    /// Index into [`MemberTable::then_states`] ([`NO_CODE`]: none).
    pub then: u8,
    /// Index into [`MemberTable::source_sets`].
    pub sources: u32,
}

/// The member table: packed entries and the few distinct values they refer to.
#[derive(Debug, Clone, Default)]
pub struct MemberTable {
    pub(super) rows: Vec<Packed>,
    /// Per member, when any member has a forecast ([`ForecastValues`] in field order, NaN when
    /// absent). Empty otherwise.
    pub(super) forecasts: Vec<[f64; 7]>,
    /// Keys the codes stand for (segment, tier, stage, status and band keys).
    keys: Vec<&'static str>,
    /// Ten-segment names (code 1 of each entry).
    pub(super) ten_names: Vec<Arc<str>>,
    /// Distinct source lists.
    pub(super) source_sets: Vec<Arc<[String]>>,
    /// Distinct (segment, tier, direction) at the movement's comparison date (at most
    /// 10 × 6 × 4).
    pub(super) then_states: Vec<[&'static str; 3]>,
    /// Distinct store, channel and category labels.
    pub(super) labels: Vec<Arc<str>>,
    label_index: FxHashMap<Arc<str>, u16>,
    /// The as-of date the table was computed at (ages are taken on it).
    pub(super) as_of: i32,
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

/// Text `k` of a packed text block (the ones before it are skipped by their lengths; only this
/// one is checked as UTF-8).
pub(super) fn unpack_text(b: &[u8], k: usize) -> Option<&str> {
    let mask = b.first().copied().unwrap_or(0);
    if mask & (1 << k) == 0 {
        return None;
    }
    let mut at = 1;
    for j in 0..k {
        if mask & (1 << j) != 0 {
            let n = read_len(b, &mut at);
            at = (at + n).min(b.len());
        }
    }
    let n = read_len(b, &mut at);
    let end = (at + n).min(b.len());
    // Packed from whole strings, so the bytes are UTF-8.
    std::str::from_utf8(&b[at..end]).ok()
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

/// A packed day as an option.
pub(super) fn unday(d: i32) -> Option<i32> {
    (d != NO_DAY).then_some(d)
}

/// A packed number as an option.
pub(super) fn unnum(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

impl MemberTable {
    /// An empty table with room for `n` members (no doubling copies on the way), at `as_of`.
    pub fn with_capacity(n: usize, as_of: i32) -> Self {
        MemberTable {
            rows: Vec::with_capacity(n),
            as_of,
            ..Default::default()
        }
    }

    /// Sets each row's state at the movement's comparison date, in row order: segment and
    /// dormancy tier then (`new` when the member had not bought by then) and the direction
    /// moved (`new`, `down`, `up`, `same`); `None` for members without dated purchases. The
    /// growth pass computes it after the rows are packed ([`Self::push`] leaves it unset).
    pub fn set_then(&mut self, then: &[Option<[&'static str; 3]>]) {
        for (row, t) in self.rows.iter_mut().zip(then) {
            row.then = t.map_or(NO_CODE, |t| {
                intern(&mut self.then_states, |x| *x == t, || t) as u8
            });
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

    /// True when forecasts were computed for any member.
    pub fn has_forecasts(&self) -> bool {
        !self.forecasts.is_empty()
    }

    fn label(&mut self, label: Option<&str>) -> u16 {
        let Some(label) = label else { return NO_LABEL };
        if let Some(&i) = self.label_index.get(label) {
            return i;
        }
        if self.labels.len() >= usize::from(NO_LABEL) {
            return NO_LABEL;
        }
        let shared: Arc<str> = Arc::from(label);
        let i = self.labels.len() as u16;
        self.labels.push(shared.clone());
        self.label_index.insert(shared, i);
        i
    }

    fn code(&mut self, key: Option<&'static str>) -> u8 {
        key.map_or(NO_CODE, |key| {
            intern(&mut self.keys, |k| *k == key, || key) as u8
        })
    }

    /// The key a code stands for.
    pub(super) fn key(&self, code: u8) -> Option<&'static str> {
        self.keys.get(code as usize).copied()
    }

    /// Adds a member (in table order).
    pub fn push(&mut self, m: NewMember<'_>) {
        if m.forecast.is_some() || !self.forecasts.is_empty() {
            // From the first member with a forecast on (the earlier ones had none).
            self.forecasts.resize(self.rows.len(), [f64::NAN; 7]);
            self.forecasts
                .push(m.forecast.map_or([f64::NAN; 7], ForecastValues::to_array));
        }
        let ten = m.segment_ten.as_ref().map_or(NO_CODE, |name| {
            intern(&mut self.ten_names, |n| n == name, || name.clone()) as u8
        });
        let sources = intern(
            &mut self.source_sets,
            |s| Arc::ptr_eq(s, &m.sources) || **s == *m.sources,
            || m.sources.clone(),
        ) as u32;
        let codes = [
            self.code(m.segment),
            ten,
            self.code(Some(m.dormancy)),
            self.code(Some(m.lifecycle)),
            self.code(m.repurchase_status),
            self.code(m.churn_band),
        ];
        let preferred = m.preferred.map(|l| self.label(l));
        let first = m.first.map(|l| self.label(l));
        let record_labels = match &m.record {
            Some(r) => record_texts(r).map(|l| self.label(l)),
            None => [NO_LABEL; RECORD_LABELS],
        };
        let age = m
            .record
            .as_ref()
            .and_then(|r| r.birthday)
            .and_then(|b| age_on(b, self.as_of))
            .and_then(|a| u8::try_from(a).ok())
            .filter(|a| *a != NO_AGE)
            .unwrap_or(NO_AGE);
        self.rows.push(Packed {
            texts: pack_texts(m.ids),
            preferred,
            first,
            record_labels,
            age,
            follower: match m.record.as_ref().and_then(|r| r.follower) {
                None => 0,
                Some(true) => 1,
                Some(false) => 2,
            },
            refund_rate: m.refund_rate.map_or(f32::NAN, |r| r as f32),
            record: m.record,
            days: [
                day(m.first_purchase),
                day(m.last_purchase),
                day(m.expected_next_purchase),
                day(m.recency_days),
            ],
            frequency: m.frequency,
            monetary: m.monetary,
            spend_12m: m.spend_12m,
            cycle: m.personal_cycle_days.unwrap_or(f64::NAN),
            scores: m.scores.unwrap_or([0; 3]),
            codes,
            then: NO_CODE,
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
        let labels: Vec<u16> = other.labels.iter().map(|l| self.label(Some(l))).collect();
        let thens: Vec<u8> = other
            .then_states
            .iter()
            .map(|&t| intern(&mut self.then_states, |x| *x == t, || t) as u8)
            .collect();
        if !other.forecasts.is_empty() || !self.forecasts.is_empty() {
            self.forecasts.resize(self.rows.len(), [f64::NAN; 7]);
            self.forecasts.extend(other.forecasts);
            self.forecasts
                .resize(self.rows.len() + other.rows.len(), [f64::NAN; 7]);
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
            p.then = map(p.then, &thens);
            let relabel = |l: u16| if l == NO_LABEL { l } else { labels[l as usize] };
            p.preferred = p.preferred.map(relabel);
            p.first = p.first.map(relabel);
            p.record_labels = p.record_labels.map(relabel);
            self.rows.push(p);
        }
    }
}
