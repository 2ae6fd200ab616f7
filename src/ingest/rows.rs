//! What every row of a file goes through: where each role sits in it, its identity keys, its
//! shape, and the log that counts every row's fate (accepted, duplicate or rejected) and keeps
//! the first warnings.

use std::collections::BTreeMap;

use strum::VariantArray;

use super::roles::{ColumnMapping, Role};
use super::table;
use super::values;
use crate::error::{Warning, WarningCode, WarningKind};
use crate::model::PersonKeys;

/// How many row warnings are kept per file (all are counted).
pub const MAX_WARNINGS_PER_FILE: usize = 100;

/// Counts and samples row outcomes of one file.
pub(crate) struct RowLog {
    pub(super) file: String,
    pub(crate) rows: usize,
    pub(crate) accepted: usize,
    pub(crate) duplicates: usize,
    pub(crate) rejected: usize,
    pub(crate) reasons: BTreeMap<String, usize>,
    pub(crate) warnings: Vec<Warning>,
}

impl RowLog {
    pub(super) fn new(file: &str) -> Self {
        RowLog {
            file: file.to_string(),
            rows: 0,
            accepted: 0,
            duplicates: 0,
            rejected: 0,
            reasons: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    pub(crate) fn note(&mut self, line: usize, column: Option<&str>, code: WarningCode) {
        self.note_with(line, code.kind(), || (column.map(str::to_string), code));
    }

    /// Counts a warning; builds its column and text only when it is kept.
    fn note_with(
        &mut self,
        line: usize,
        kind: WarningKind,
        text: impl FnOnce() -> (Option<String>, WarningCode),
    ) {
        match self.reasons.get_mut(kind.key()) {
            Some(n) => *n += 1,
            None => {
                self.reasons.insert(kind.key().to_string(), 1);
            }
        }
        if self.warnings.len() < MAX_WARNINGS_PER_FILE {
            let (column, code) = text();
            self.warnings.push(Warning {
                file: self.file.clone(),
                line,
                column,
                code,
            });
        }
    }

    /// Records a rejected row.
    pub(crate) fn reject(&mut self, line: usize, column: Option<&str>, code: WarningCode) {
        self.rejected += 1;
        self.note(line, column, code);
    }

    /// Records a rejected row whose column and text are built only if the warning is kept.
    pub(crate) fn reject_with(
        &mut self,
        line: usize,
        kind: WarningKind,
        text: impl FnOnce() -> (Option<String>, WarningCode),
    ) {
        self.rejected += 1;
        self.note_with(line, kind, text);
    }

    /// Records a rejected row without a warning of its own (a row of a second table, whose
    /// header line carries the one warning).
    pub(crate) fn reject_silently(&mut self, kind: WarningKind) {
        self.rejected += 1;
        *self.reasons.entry(kind.key().to_string()).or_default() += 1;
    }

    /// Records a kept row whose field was unreadable.
    pub(crate) fn field_ignored(&mut self, line: usize, column: &str, code: WarningCode) {
        self.note(line, Some(column), code);
    }

    /// Appends the log of the rows that follow (e.g. a later part read on its own): counts
    /// add up, and its warnings follow these up to the per-file limit, as one log would keep.
    pub(crate) fn append(&mut self, other: RowLog) {
        self.rows += other.rows;
        self.accepted += other.accepted;
        self.duplicates += other.duplicates;
        self.rejected += other.rejected;
        for (k, n) in other.reasons {
            *self.reasons.entry(k).or_default() += n;
        }
        let room = MAX_WARNINGS_PER_FILE.saturating_sub(self.warnings.len());
        self.warnings.extend(other.warnings.into_iter().take(room));
    }

    pub(crate) fn duplicate(&mut self, line: usize) {
        self.duplicates += 1;
        self.note_with(line, WarningKind::DuplicateLine, || {
            (None, WarningCode::DuplicateLine)
        });
    }
}

/// Where each role sits in a row: an array indexed by role, since it is read ten times a row.
#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnIndex {
    idx: [Option<usize>; <Role as VariantArray>::VARIANTS.len()],
    headers: Vec<String>,
    /// Fields a row needs for every mapped column to be its own: 1 + the last mapped column.
    needed: usize,
    /// Header lines inside the data (a repeated header, a second table), by line.
    pub(crate) header_lines: super::structure::HeaderLines,
    /// True when the file's rows have the header's width (nearly all of the first rows do):
    /// a row with fewer or more fields than the header, even empty ones, then lost or gained
    /// a delimiter and is rejected. Otherwise (an export that leaves trailing empty cells out,
    /// or ends rows with a delimiter) only what would shift a value read is.
    pub(crate) strict_width: bool,
}

impl ColumnIndex {
    pub(super) fn new(mappings: &[ColumnMapping]) -> Self {
        let mut idx = [None; <Role as VariantArray>::VARIANTS.len()];
        for (i, m) in mappings.iter().enumerate() {
            if let Some(r) = m.role {
                idx[r as usize].get_or_insert(i);
            }
        }
        ColumnIndex {
            needed: idx.iter().flatten().max().map_or(0, |m| m + 1),
            idx,
            headers: mappings.iter().map(|m| m.header.clone()).collect(),
            header_lines: Default::default(),
            strict_width: false,
        }
    }

    /// Fields a row needs for every mapped column to be read from its own place.
    pub(crate) fn needed(&self) -> usize {
        self.needed
    }

    /// Column position of a role.
    pub(crate) fn get(&self, r: Role) -> Option<usize> {
        self.idx[r as usize]
    }

    /// The columns no role reads (unmapped, or a second column of a role), with their headers.
    pub(crate) fn unused(&self) -> Vec<(usize, &str)> {
        (0..self.headers.len())
            .filter(|i| !self.idx.contains(&Some(*i)))
            .map(|i| (i, self.headers[i].as_str()))
            .collect()
    }

    /// True when the role is mapped.
    pub(crate) fn has(&self, r: Role) -> bool {
        self.idx[r as usize].is_some()
    }

    /// The trimmed cell of a role in a row (empty when unmapped or missing).
    #[inline]
    pub(crate) fn cell<'a>(&self, fields: &table::Fields<'a>, r: Role) -> &'a str {
        match self.get(r) {
            Some(i) => fields.get(i).map(values::trim).unwrap_or(""),
            None => "",
        }
    }

    /// The header of a role's column.
    pub(crate) fn header(&self, r: Role) -> &str {
        self.get(r).map(|i| self.headers[i].as_str()).unwrap_or("")
    }
}

/// A row's identity keys, normalised. An unreadable phone or e-mail is left out with a warning
/// naming the row (the row itself is kept).
pub(crate) fn read_keys(
    cols: &ColumnIndex,
    r: &table::RawRow<'_, '_>,
    log: &mut RowLog,
) -> PersonKeys {
    let cell = |role| cols.cell(&r.fields, role);
    let (keys, problems) =
        normalize_key_cells(cell(Role::MemberId), cell(Role::Phone), cell(Role::Email));
    for (role, code) in problems {
        log.field_ignored(r.line, cols.header(role), code);
    }
    keys
}

/// The identity keys of the three trimmed key cells, normalised, and the cells left out as
/// unreadable (with why).
pub(crate) fn normalize_key_cells(
    member_id: &str,
    phone: &str,
    email: &str,
) -> (PersonKeys, Vec<(Role, WarningCode)>) {
    let mut keys = PersonKeys {
        member_id: values::normalize_member_id(member_id),
        ..Default::default()
    };
    let mut problems = Vec::new();
    if !phone.is_empty() {
        keys.phone = values::normalize_phone(phone);
        if keys.phone.is_none() {
            problems.push((
                Role::Phone,
                WarningCode::BadPhone {
                    value: phone.to_string(),
                },
            ));
        }
    }
    if !email.is_empty() {
        keys.email = values::normalize_email(email);
        if keys.email.is_none() {
            problems.push((
                Role::Email,
                WarningCode::BadEmail {
                    value: email.to_string(),
                },
            ));
        }
    }
    (keys, problems)
}

/// Rejects rows with an unclosed quote or more fields than the header; true when the row may be read.
pub(super) fn check_shape(
    r: &table::RawRow<'_, '_>,
    header_len: usize,
    needed: usize,
    strict: bool,
    log: &mut RowLog,
) -> bool {
    match shape_problem(r, header_len, needed, strict) {
        Some(code) => {
            log.reject(r.line, None, code);
            false
        }
        None => {
            if r.stray_quote {
                log.note(r.line, None, WarningCode::StrayQuote);
            }
            true
        }
    }
}

/// The longest field a row may have (64 MiB): longer is not a value of an export, and would
/// be copied into every place the row's cells go.
pub const MAX_FIELD_BYTES: usize = 64 << 20;

/// Why a row cannot be read at all: an unclosed quote, more non-empty fields than the header,
/// or fewer fields than the mapped columns need (a delimiter missing somewhere: the values
/// after it would be read from the next column's place). Missing trailing columns that no
/// role reads do not matter.
pub(crate) fn shape_problem(
    r: &table::RawRow<'_, '_>,
    header_len: usize,
    needed: usize,
    strict: bool,
) -> Option<WarningCode> {
    if r.unclosed_quote {
        return Some(WarningCode::UnclosedQuote);
    }
    if r.raw.len() > MAX_FIELD_BYTES {
        if let Some(bytes) = (0..r.fields.len())
            .filter_map(|i| r.fields.get(i).map(str::len))
            .find(|n| *n > MAX_FIELD_BYTES)
        {
            return Some(WarningCode::FieldTooLarge {
                bytes,
                limit: MAX_FIELD_BYTES,
            });
        }
    }
    if r.stray_quote && r.fields.len() != header_len {
        return Some(WarningCode::StrayQuoteRow {
            fields: r.fields.len(),
            header: header_len,
        });
    }
    // A row narrower than the header that still ends with an empty cell was not written by
    // an export leaving trailing empty cells out: a delimiter was lost inside it.
    let ends_empty = || {
        r.fields.len() > 1
            && r.fields
                .get(r.fields.len() - 1)
                .is_some_and(|f| f.trim().is_empty())
    };
    if r.fields.len() < needed || (r.fields.len() < header_len && (strict || ends_empty())) {
        return Some(WarningCode::TooFewFields {
            fields: r.fields.len(),
            header: header_len,
        });
    }
    if r.fields.len() > header_len
        && (strict
            || (header_len..r.fields.len())
                .any(|i| r.fields.get(i).is_some_and(|f| !f.trim().is_empty())))
    {
        return Some(WarningCode::TooManyFields {
            fields: r.fields.len(),
            header: header_len,
        });
    }
    None
}

/// Whether a file's rows have the header's width: all but one in ten of its first rows do
/// (all but one in a file of fewer than twenty rows).
pub(crate) fn strict_width(sample: &[Vec<String>], header_len: usize) -> bool {
    let exact = sample.iter().filter(|r| r.len() == header_len).count();
    let other = sample.len() - exact;
    exact > other && other <= (sample.len() / 10).max(1)
}

/// The notice for a file some of whose rows end before the header's last columns, when such
/// rows are read (they have the `needed` fields; not in a file whose rows have the header's
/// width).
pub(crate) fn trailing_columns_absent(
    sample: &[Vec<String>],
    headers: &[String],
    needed: usize,
    strict: bool,
) -> Option<WarningCode> {
    let shortest = sample.iter().map(Vec::len).filter(|n| *n >= needed).min()?;
    (!strict && shortest < headers.len()).then(|| WarningCode::TrailingColumnsAbsent {
        columns: headers[shortest..].join(", "),
    })
}

/// A 128-bit hash of a row's text, by which duplicate lines are told apart once the text is
/// gone (a file read in chunks frees each chunk once its rows are read).
///
/// Two lanes of wyhash's folded multiply (the 128-bit product's halves xored), each with its
/// own keys, over 16-byte blocks, the length mixed in first and last. Two different lines
/// share all 128 bits with odds of about 2^-128, so a file of n lines has odds of about
/// n^2 / 2^129 of holding any such pair: 1.5e-25 at 10 million lines. FxHash, which keys the
/// other per-row maps, is not used here: its structure makes equal hashes of different short
/// texts far likelier than chance.
pub(crate) fn hash128(b: &[u8]) -> [u64; 2] {
    const KEYS: [[u64; 4]; 2] = [
        [
            0x243f_6a88_85a3_08d3,
            0x1319_8a2e_0370_7344,
            0xa409_3822_299f_31d0,
            0x082e_fa98_ec4e_6c89,
        ],
        [
            0x4528_21e6_38d0_1377,
            0xbe54_66cf_34e9_0c6c,
            0xc0ac_29b7_c97c_50dd,
            0x3f84_d5b5_b547_0917,
        ],
    ];
    fn fold(a: u64, b: u64) -> u64 {
        let (lo, hi) = mul_wide(a, b);
        lo ^ hi
    }
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let len = b.len() as u64;
    let mut h = [KEYS[0][2] ^ len, KEYS[1][2] ^ len];
    let mut blocks = b.chunks_exact(16);
    for c in &mut blocks {
        let (x, y) = (word(&c[..8]), word(&c[8..]));
        for (l, k) in KEYS.iter().enumerate() {
            h[l] = fold(x ^ k[0] ^ h[l], y ^ k[1]);
        }
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let (x, y) = (
            word(&tail[..tail.len().min(8)]),
            word(&tail[tail.len().min(8)..]),
        );
        for (l, k) in KEYS.iter().enumerate() {
            h[l] = fold(x ^ k[0] ^ h[l], y ^ k[1]);
        }
    }
    for (l, k) in KEYS.iter().enumerate() {
        h[l] = fold(h[l] ^ k[3], len ^ k[2]);
    }
    h
}

/// The 128-bit product of two 64-bit numbers as (low, high) halves. Wasm has no 64×64→128
/// multiply: there `u128` multiplication is a call to a general 128×128 routine
/// (`__multi3`, 3-4% of reading a file in the page), so it is done here from four 32×32→64
/// products, inline. Same result everywhere.
#[inline]
fn mul_wide(a: u64, b: u64) -> (u64, u64) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let p = u128::from(a) * u128::from(b);
        (p as u64, (p >> 64) as u64)
    }
    #[cfg(target_arch = "wasm32")]
    {
        mul_wide_by_halves(a, b)
    }
}

/// [`mul_wide`] from 32-bit halves.
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
#[inline]
fn mul_wide_by_halves(a: u64, b: u64) -> (u64, u64) {
    const LOW: u64 = 0xffff_ffff;
    let (a0, a1, b0, b1) = (a & LOW, a >> 32, b & LOW, b >> 32);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // At most 3 × (2^32 - 1): no overflow.
    let mid = (p00 >> 32) + (p01 & LOW) + (p10 & LOW);
    let lo = (p00 & LOW) | (mid << 32);
    let hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    (lo, hi)
}

/// The 64-bit hash that the per-row maps (duplicate lines, order ids) are keyed by.
pub(crate) fn hash64(s: &str) -> u64 {
    hash64_bytes(s.as_bytes())
}

/// [`hash64`] of bytes.
pub(crate) fn hash64_bytes(b: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(b);
    let h = h.finish();
    // On a 32-bit target (wasm32) FxHasher's state, and so its hash, has 32 bits: the top
    // half would be 0, and the grouping, which buckets rows by the top bits
    // ([`super::group::first_occurrence`]), would put every row in one bucket (a table of
    // the whole file, missing the cache on every row). A multiply by an odd constant, a
    // bijection (no new collisions), spreads the 32 bits over 64.
    #[cfg(target_pointer_width = "32")]
    let h = h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // FxHash mixes poorly in its low bits for short keys; fold the high half in.
    h ^ (h >> 29) ^ (h >> 47)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_product_by_halves_is_the_u128_product() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            // splitmix64
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let edges = [
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            1 << 32,
            (1 << 32) - 1,
            1 << 63,
        ];
        let mut pairs: Vec<(u64, u64)> = edges
            .iter()
            .flat_map(|&a| edges.iter().map(move |&b| (a, b)))
            .collect();
        pairs.extend((0..10_000).map(|_| (next(), next())));
        for (a, b) in pairs {
            let p = u128::from(a) * u128::from(b);
            assert_eq!(
                mul_wide_by_halves(a, b),
                (p as u64, (p >> 64) as u64),
                "{a} × {b}"
            );
        }
    }
}
