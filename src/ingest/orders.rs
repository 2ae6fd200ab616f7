//! Typed reading of an orders table and order normalisation (domain.md §2 "订单归一").

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use std::sync::Arc;

use super::blocks::BlockVec;
use super::cells::CellsTable;
use super::structure::{HeaderLines, RowPlace};

use super::rows::{ColumnIndex, RowLog};
use super::table::RawRow;
use super::values::{self, AmountError, Currency, DateError};
use crate::error::{Error, WarningCode, WarningKind};
use crate::ingest::Role;
use crate::model::{Order, OrderFile, PersonKeys, Return, NONE};
use crate::par;

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
    let s = values::without_quotes(s);
    let t = s.trim();
    if t.is_empty() {
        return false;
    }
    NON_PURCHASE_STATUSES
        .iter()
        .any(|x| x.eq_ignore_ascii_case(t))
}

/// A row of an orders file typed on its own, before the passes that depend on earlier rows
/// (duplicate lines, order ids, persons) run in [`assemble`]. 40 bytes: a ten-million-row
/// file holds ten million of them at once; refunds (rare) are kept aside in
/// [`OrderPart::refunds`]. Nothing here points into the file's text, so the text can be freed
/// as soon as the rows are read (a file read in chunks frees each chunk then).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowRec {
    /// Physical line.
    line: u32,
    /// The order id (when [`HAS_OID`]): where it starts in the part's [`OrderPart::oids`].
    oid: u32,
    day: i32,
    amount: i64,
    /// Part-local id of the key cells.
    cells: u32,
    /// Part-local label ids: channel, store, category.
    labels: [u32; 3],
    /// Currencies noted for this row, in the order they were read.
    currencies: [Option<Currency>; 3],
    /// [`HAS_OID`], [`NON_PURCHASE`], [`RETURN`]; the top bits: why the row is rejected (a
    /// position in [`REJECT_KINDS`] + 1), 0 when it is not.
    flags: u8,
}

/// The rejection kinds a row can get here, coded in the top bits of [`RowRec::flags`].
const REJECT_KINDS: [WarningKind; 6] = [
    WarningKind::BadDate,
    WarningKind::BadAmount,
    WarningKind::MissingValue,
    WarningKind::UnclosedQuote,
    WarningKind::RaggedRow,
    WarningKind::HeaderRow,
];
const REJECT_SHIFT: u8 = 4;

impl RowRec {
    fn reject(&self) -> Option<WarningKind> {
        let code = self.flags >> REJECT_SHIFT;
        (code != 0).then(|| REJECT_KINDS[code as usize - 1])
    }
}

/// [`RowRec::flags`]: the row carries an order id and can join an earlier row's order.
const HAS_OID: u8 = 1;
/// [`RowRec::flags`]: the status means the order is not a purchase.
const NON_PURCHASE: u8 = 2;
/// [`RowRec::flags`]: a negative amount (a return row).
const RETURN: u8 = 4;
/// [`RowRec::flags`]: a stray quote was read as a character (the row is noted).
const STRAY_QUOTE: u8 = 8;

/// Rows whose order ids size the part's id arena ([`OrderPart::row`]).
const ID_SAMPLE_ROWS: usize = 1024;

/// Rows whose key cells are looked up together, once this many are queued (see
/// [`super::cells`]).
const LOOKUP_BATCH: usize = 32;

/// A row's key cells waiting for their lookup.
struct PendingCells<'t> {
    row: u32,
    key: KeyBuf,
    hash: u64,
    name: Option<Cow<'t, str>>,
}

/// A short string built in place (no allocation up to 46 bytes: a card, a phone and short
/// e-mail with separators), longer ones on the heap.
enum KeyBuf {
    Inline(u8, [u8; 46]),
    Heap(String),
}

impl KeyBuf {
    /// The cells, each followed by a U+001F separator.
    fn of(cells: [&str; 3]) -> Self {
        let total: usize = cells.iter().map(|c| c.len() + 1).sum();
        if total <= 46 {
            let mut bytes = [0u8; 46];
            let mut n = 0;
            for c in cells {
                bytes[n..n + c.len()].copy_from_slice(c.as_bytes());
                bytes[n + c.len()] = 0x1F;
                n += c.len() + 1;
            }
            KeyBuf::Inline(n as u8, bytes)
        } else {
            let mut h = String::with_capacity(total);
            for c in cells {
                h.push_str(c);
                h.push('\u{1F}');
            }
            KeyBuf::Heap(h)
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            KeyBuf::Inline(len, bytes) => &bytes[..*len as usize],
            KeyBuf::Heap(h) => h.as_bytes(),
        }
    }
}

/// Distinct key cells of a part: their normalised keys, the warnings they give on every row
/// that carries them, and the name on the first accepted row that carried them.
struct CellsEntry {
    keys: PersonKeys,
    problems: Vec<(Role, WarningCode)>,
    name: Option<String>,
}

/// A rejected row's warning text (kept for the first rows only; all are counted).
struct Rejection {
    row: u32,
    column: Option<Role>,
    code: WarningCode,
}

/// Reads one part of an orders file (parts are read in parallel): every row is typed on its
/// own, key cells and labels are interned per part.
pub(crate) struct OrderPart<'t> {
    cols: Arc<ColumnIndex>,
    tz: values::Dates,
    order_level: bool,
    header_len: usize,
    pub(crate) rows: Vec<RowRec>,
    /// A 128-bit hash of each row's raw text ([`super::rows::hash128`]), by which duplicate
    /// lines are told apart: its first half (never 0) is grouped, the second confirms.
    pub(crate) line_hash: Vec<u64>,
    line_hash2: Vec<u64>,
    /// 64-bit hash of each row's order id; 0 when the row cannot join an order by id.
    pub(crate) oid_hash: Vec<u64>,
    /// The order ids, copied out of the text one after the other, each after its length (one
    /// byte, or 255 and four bytes for an id of 255 bytes or more).
    oids: Vec<u8>,
    /// (row, refunded cents) of the rows with a refund.
    refunds: Vec<(u32, i64)>,
    cells_ids: CellsTable,
    cells: BlockVec<CellsEntry>,
    /// Rows whose key cells are looked up a few rows later (see [`super::cells`]).
    pending: std::collections::VecDeque<PendingCells<'t>>,
    label_ids: FxHashMap<String, u32>,
    labels: Vec<String>,
    rejections: Vec<Rejection>,
    /// Whether a row was read under a reordered header (its cells in another order).
    reordered: bool,
}

impl<'t> OrderPart<'t> {
    /// Checks that the file can be read as orders and starts a part.
    pub(crate) fn new(
        file: &str,
        cols: Arc<ColumnIndex>,
        tz: values::Dates,
        header_len: usize,
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
        let with_ids = cols.has(Role::OrderId);
        Ok(OrderPart {
            order_level: cols.has(Role::Amount),
            cols,
            tz,
            header_len,
            rows: Vec::with_capacity(expected_rows),
            line_hash: Vec::with_capacity(expected_rows),
            line_hash2: Vec::with_capacity(expected_rows),
            oid_hash: Vec::with_capacity(if with_ids { expected_rows } else { 0 }),
            oids: Vec::new(),
            refunds: Vec::new(),
            cells_ids: CellsTable::default(),
            cells: BlockVec::default(),
            pending: std::collections::VecDeque::with_capacity(LOOKUP_BATCH),
            label_ids: FxHashMap::default(),
            labels: Vec::new(),
            rejections: Vec::new(),
            reordered: false,
        })
    }

    /// The part-local id of the row's label of `role`; [`NONE`] for an empty cell. Inlined
    /// (a call per label and row, most of them of an unmapped column or an empty cell), the
    /// lookup itself is not.
    #[inline]
    fn label(&mut self, role: Role, r: &RawRow<'_, '_>) -> u32 {
        let s = self.cols.cell(&r.fields, role);
        if s.is_empty() {
            NONE
        } else {
            self.label_id(s)
        }
    }

    /// The part-local id of label text `s`, added when new.
    #[inline(never)]
    fn label_id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.label_ids.get(s) {
            return i;
        }
        let i = self.labels.len() as u32;
        self.labels.push(s.to_string());
        self.label_ids.insert(s.to_string(), i);
        i
    }

    /// Queues the row's key cells (exactly as written) for lookup a few rows later (see
    /// [`OrderPart::row`]); the row's `cells` id is filled in then.
    fn queue_cells(&mut self, r: &RawRow<'_, 't>) {
        let cells =
            [Role::MemberId, Role::Phone, Role::Email].map(|role| self.cols.cell(&r.fields, role));
        let key = KeyBuf::of(cells);
        let hash = super::rows::hash64_bytes(key.as_bytes());
        self.cells_ids.prefetch(hash);
        let name = self.cols.cell(&r.fields, Role::Name);
        let name = if name.is_empty() {
            None
        } else {
            // Borrowed from the text when it is there verbatim: no copy per row.
            Some(match self.verbatim_offset(r, Role::Name, name) {
                Some(at) => Cow::Borrowed(&r.raw[at..at + name.len()]),
                None => Cow::Owned(name.to_string()),
            })
        };
        self.pending.push_back(PendingCells {
            row: self.rows.len() as u32,
            key,
            hash,
            name,
        });
    }

    /// Where `cell` (the trimmed cell of `role`) sits in the row's raw text, when it is there
    /// verbatim.
    fn verbatim_offset(&self, r: &RawRow<'_, '_>, role: Role, cell: &str) -> Option<usize> {
        self.cols
            .get(role)
            .and_then(|i| r.fields.verbatim_offset(i, cell, r.raw))
    }

    /// Looks up the queued rows' key cells, oldest first (normalising each distinct set once).
    /// The batch's table slots are loaded first, one after the other, so that their cache
    /// misses overlap where nothing prefetched them (Wasm has no prefetch).
    fn resolve_queued(&mut self) {
        self.cells_ids.touch(self.pending.iter().map(|p| p.hash));
        while let Some(p) = self.pending.pop_front() {
            self.resolve(p);
        }
    }

    fn resolve(&mut self, p: PendingCells<'t>) {
        let next = self.cells.len() as u32;
        let (c, new) = self.cells_ids.get_or_insert(p.key.as_bytes(), p.hash, next);
        if new {
            // Whole strings were copied in: the bytes are UTF-8.
            let key = std::str::from_utf8(p.key.as_bytes()).unwrap_or_default();
            let mut cells = key.split('\u{1F}');
            let mut cell = || cells.next().unwrap_or("");
            let (keys, problems) = super::rows::normalize_key_cells(cell(), cell(), cell());
            self.cells.push(CellsEntry {
                keys,
                problems,
                name: p.name.map(Cow::into_owned),
            });
        }
        // Queued rows are pushed before they are resolved (see `row`).
        self.rows[p.row as usize].cells = c;
    }

    /// Ends the part: resolves the rows still queued. The part no longer borrows the text,
    /// so the text can be freed before the parts are put together.
    pub(crate) fn finish(self) -> OrderPart<'static> {
        let mut part = self.pause();
        // The lookup table is not needed any more: a small empty one takes its place.
        part.cells_ids = CellsTable::default();
        part
    }

    /// Resolves the rows still queued, so that the part no longer borrows the text it read:
    /// a file read in chunks does this at the end of each chunk, before freeing it, and goes
    /// on with the next.
    pub(crate) fn pause(mut self) -> OrderPart<'static> {
        self.resolve_queued();
        OrderPart {
            cols: self.cols,
            tz: self.tz,
            order_level: self.order_level,
            header_len: self.header_len,
            rows: self.rows,
            line_hash: self.line_hash,
            line_hash2: self.line_hash2,
            oid_hash: self.oid_hash,
            oids: self.oids,
            refunds: self.refunds,
            cells_ids: self.cells_ids,
            cells: self.cells,
            pending: std::collections::VecDeque::with_capacity(LOOKUP_BATCH),
            label_ids: self.label_ids,
            labels: self.labels,
            rejections: self.rejections,
            reordered: self.reordered,
        }
    }

    fn reject_silently(&mut self, rec: &mut RowRec, kind: WarningKind) {
        let code = REJECT_KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |p| p + 1);
        rec.flags |= (code as u8) << REJECT_SHIFT;
    }

    fn reject(
        &mut self,
        rec: &mut RowRec,
        kind: WarningKind,
        column: Option<Role>,
        warning: impl FnOnce() -> WarningCode,
    ) {
        let code = REJECT_KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |p| p + 1);
        rec.flags |= (code as u8) << REJECT_SHIFT;
        // Each rejected row gives the file's log one entry (its own, or a duplicate-line
        // entry): beyond the first MAX_WARNINGS_PER_FILE of a part, no text is ever shown.
        if self.rejections.len() < super::rows::MAX_WARNINGS_PER_FILE {
            self.rejections.push(Rejection {
                row: self.rows.len() as u32,
                column,
                code: warning(),
            });
        }
    }

    /// Reads an amount cell; `Err` carries the rejection.
    fn amount(
        &self,
        r: &RawRow<'_, '_>,
        role: Role,
        required: bool,
    ) -> Result<Option<(i64, Currency)>, WarningCode> {
        let cell = self.cols.cell(&r.fields, role);
        match values::parse_amount(cell) {
            Ok(v) => Ok(Some(v)),
            Err(AmountError::Empty) if !required => Ok(None),
            Err(AmountError::Empty) => Err(WarningCode::EmptyAmount),
            Err(AmountError::Format) => Err(WarningCode::BadAmount {
                value: cell.to_string(),
            }),
            Err(AmountError::TooLarge) => Err(WarningCode::AmountTooLarge {
                value: cell.to_string(),
            }),
        }
    }

    /// Reads one row; `place` is where it stands as far as header lines inside the data go
    /// (`ColumnIndex::header_lines` of the file at its line).
    pub(crate) fn row(&mut self, r: &RawRow<'_, 't>, place: RowPlace<'_>) {
        let mut rec = RowRec {
            line: r.line as u32,
            oid: 0,
            day: 0,
            amount: 0,
            cells: NONE,
            labels: [NONE; 3],
            currencies: [None; 3],
            flags: 0,
        };
        let [h1, h2] = super::rows::hash128(r.canonical().as_bytes());
        self.line_hash.push(h1.max(1));
        self.line_hash2.push(h2);
        if self.cols.has(Role::OrderId) {
            self.oid_hash.push(0);
        }
        self.read(r, place, &mut rec);
        self.rows.push(rec);
        if self.rows.len() == ID_SAMPLE_ROWS {
            // The ids' room for the rows expected, taken once from the first rows' ids:
            // growing ten million ids by doubling holds the old and the new arena at once.
            let per_row = self.oids.len().div_ceil(ID_SAMPLE_ROWS);
            let room = self.rows.capacity() * per_row + self.rows.capacity() / 16;
            self.oids.reserve(room.saturating_sub(self.oids.len()));
        }
        // After the push: the queued rows include this one.
        if self.pending.len() >= LOOKUP_BATCH {
            self.resolve_queued();
        }
    }

    fn read(&mut self, r: &RawRow<'_, 't>, place: RowPlace<'_>, rec: &mut RowRec) {
        let strict_width = self.cols.strict_width;
        match place {
            RowPlace::Data => self.read_row(r, rec),
            RowPlace::RepeatedHeader => self.reject(rec, WarningKind::HeaderRow, None, || {
                WarningCode::RepeatedHeader
            }),
            RowPlace::ReorderedHeader(header) => {
                self.reject(rec, WarningKind::HeaderRow, None, || {
                    WarningCode::ReorderedHeader {
                        header: header.to_string(),
                    }
                })
            }
            RowPlace::Reordered(perm, width) => {
                // Checked against its own header, then read with its cells in the file's order.
                let needed = perm.iter().flatten().max().map_or(0, |m| m + 1);
                if let Some(code) = super::rows::shape_problem(r, width, needed, strict_width) {
                    return self.reject(rec, code.kind(), None, || code);
                }
                self.reordered = true;
                let cells = super::structure::reorder(&r.fields, perm);
                let moved = RawRow {
                    line: r.line,
                    fields: super::table::Fields::Cells(&cells),
                    raw: r.raw,
                    unclosed_quote: r.unclosed_quote,
                    stray_quote: r.stray_quote,
                    delimiter: r.delimiter,
                };
                self.read_row(&moved, rec)
            }
            RowPlace::SecondHeader(rows, header) => {
                self.reject(rec, WarningKind::HeaderRow, None, || {
                    WarningCode::SecondTable {
                        rows,
                        header: header.to_string(),
                    }
                })
            }
            // Rejected without a text of its own: the table's header line carries it.
            RowPlace::InSecondTable => self.reject_silently(rec, WarningKind::HeaderRow),
        }
    }

    fn read_row(&mut self, r: &RawRow<'_, 't>, rec: &mut RowRec) {
        let cols = &*self.cols;
        if let Some(code) =
            super::rows::shape_problem(r, self.header_len, cols.needed(), cols.strict_width)
        {
            return self.reject(rec, code.kind(), None, || code);
        }
        if r.stray_quote {
            rec.flags |= STRAY_QUOTE;
        }
        let date_cell = self.cols.cell(&r.fields, Role::OrderTime);
        rec.day = match self.tz.parse(date_cell) {
            Ok(d) => d,
            Err(e) => {
                let code = || match e {
                    DateError::Empty => WarningCode::EmptyOrderDate,
                    DateError::Format => WarningCode::BadOrderDate {
                        value: date_cell.to_string(),
                    },
                    DateError::OutOfRange => WarningCode::DateOutOfRange {
                        value: date_cell.to_string(),
                        min_year: values::MIN_YEAR,
                        max_year: values::MAX_YEAR,
                    },
                };
                let kind = if e == DateError::Empty {
                    WarningKind::MissingValue
                } else {
                    WarningKind::BadDate
                };
                return self.reject(rec, kind, Some(Role::OrderTime), code);
            }
        };
        let amount_role = if self.order_level {
            Role::Amount
        } else {
            Role::ItemAmount
        };
        match self.amount(r, amount_role, true) {
            Ok(Some((cents, cur))) => {
                rec.amount = cents;
                rec.currencies[0] = Some(cur);
            }
            Ok(None) => unreachable!("a required amount is never empty-ok"),
            Err(code) => return self.reject(rec, code.kind(), Some(amount_role), || code),
        }
        if self.cols.has(Role::Refund) {
            match self.amount(r, Role::Refund, false) {
                Ok(v) => {
                    if let Some((cents, cur)) = v {
                        if cents != 0 {
                            self.refunds.push((self.rows.len() as u32, cents.abs()));
                        }
                        rec.currencies[1] = Some(cur);
                    }
                }
                Err(code) => return self.reject(rec, code.kind(), Some(Role::Refund), || code),
            }
        }
        if self.cols.has(Role::Currency) {
            rec.currencies[2] = Currency::from_code(self.cols.cell(&r.fields, Role::Currency));
        }
        self.queue_cells(r);
        rec.labels[0] = self.label(Role::Channel, r);
        rec.labels[1] = self.label(Role::Store, r);
        if rec.amount < 0 {
            rec.flags |= RETURN;
            return;
        }
        let status = self.cols.cell(&r.fields, Role::Status);
        if !status.is_empty() && is_non_purchase_status(status) {
            rec.flags |= NON_PURCHASE;
        }
        let order_id = self.cols.cell(&r.fields, Role::OrderId);
        let unquoted;
        let order_id = if order_id.contains('"') {
            // Kept aside below (not verbatim in the raw text).
            unquoted = values::without_quotes(order_id).trim().to_string();
            unquoted.as_str()
        } else {
            order_id
        };
        if !order_id.is_empty() {
            rec.flags |= HAS_OID;
            if let Some(h) = self.oid_hash.last_mut() {
                // 0 marks "no order id" in `oid_hash`.
                *h = super::rows::hash64(order_id).max(1);
            }
            rec.oid = self.oids.len() as u32;
            push_id(&mut self.oids, order_id);
        }
        rec.labels[2] = self.label(Role::Category, r);
    }
}

/// The parts of an orders file in row order, seen as one sequence of rows.
pub(crate) struct OrderParts<'t> {
    parts: Vec<OrderPart<'t>>,
    /// Global index of each part's first row, and the total at the end.
    starts: Vec<usize>,
}

impl<'t> OrderParts<'t> {
    /// Joins parts read in order.
    pub(crate) fn new(parts: Vec<OrderPart<'t>>) -> Self {
        let mut starts = vec![0];
        for p in &parts {
            starts.push(starts.last().copied().unwrap_or(0) + p.rows.len());
        }
        OrderParts { parts, starts }
    }

    fn locate(&self, i: usize) -> (usize, usize) {
        // Few parts: a linear scan beats a binary search.
        let mut k = 0;
        while self.starts[k + 1] <= i {
            k += 1;
        }
        (k, i - self.starts[k])
    }

    /// Line hashes (never 0), part by part.
    pub(crate) fn line_hashes(&self) -> Vec<&[u64]> {
        self.parts.iter().map(|p| p.line_hash.as_slice()).collect()
    }

    /// Whether a row was read under a reordered header: two equal lines may then have
    /// different order ids.
    pub(crate) fn any_reordered(&self) -> bool {
        self.parts.iter().any(|p| p.reordered)
    }

    /// Sets the line hash of every row `drop` picks to 0 (no key: left out of the grouping).
    pub(crate) fn drop_line_hashes(&mut self, drop: impl Fn(usize) -> bool) {
        let mut i = 0;
        for p in &mut self.parts {
            for h in &mut p.line_hash {
                if drop(i) {
                    *h = 0;
                }
                i += 1;
            }
        }
    }

    /// Order-id hashes (0 where the row cannot join an order by id), part by part.
    pub(crate) fn oid_hashes(&self) -> Vec<&[u64]> {
        self.parts.iter().map(|p| p.oid_hash.as_slice()).collect()
    }

    /// Frees the hashes and order ids once grouped.
    pub(crate) fn drop_hashes(&mut self) {
        for p in &mut self.parts {
            p.line_hash = Vec::new();
            p.line_hash2 = Vec::new();
            p.oid_hash = Vec::new();
            p.oids = Vec::new();
        }
    }

    /// Whether rows `a` and `b`, whose line hashes' first halves are equal, are the same
    /// line: their second halves are too (see [`super::rows::hash128`] for the odds).
    pub(crate) fn same_line(&self, a: usize, b: usize) -> bool {
        let second = |i| {
            let (k, j) = self.locate(i);
            self.parts[k].line_hash2[j]
        };
        second(a) == second(b)
    }

    /// Order id of row `i` (a row with [`HAS_OID`]).
    pub(crate) fn oid(&self, i: usize) -> &[u8] {
        let (k, j) = self.locate(i);
        let p = &self.parts[k];
        id_at(&p.oids, p.rows[j].oid as usize)
    }

    /// Puts the row counts of second tables into their header lines' warnings, once all the
    /// file's lines are known (a file read in chunks meets such a header before its rows).
    pub(crate) fn count_second_tables(&mut self, header_lines: &HeaderLines) {
        for p in &mut self.parts {
            for r in &mut p.rejections {
                if let WarningCode::SecondTable { rows, .. } = &mut r.code {
                    if let RowPlace::SecondHeader(n, _) =
                        header_lines.place(p.rows[r.row as usize].line as usize)
                    {
                        *rows = n;
                    }
                }
            }
        }
    }
}

/// Appends an order id to `oids`, after its length.
fn push_id(oids: &mut Vec<u8>, id: &str) {
    match u8::try_from(id.len()) {
        Ok(n) if n < u8::MAX => oids.push(n),
        _ => {
            oids.push(u8::MAX);
            oids.extend_from_slice(&(id.len() as u32).to_le_bytes());
        }
    }
    oids.extend_from_slice(id.as_bytes());
}

/// The order id written at `at` by [`push_id`].
fn id_at(oids: &[u8], at: usize) -> &[u8] {
    match oids[at] {
        u8::MAX => {
            let mut n = [0u8; 4];
            n.copy_from_slice(&oids[at + 1..at + 5]);
            let n = u32::from_le_bytes(n) as usize;
            &oids[at + 5..at + 5 + n]
        }
        n => &oids[at + 1..at + 1 + n as usize],
    }
}

/// An item line whose order starts in an earlier part: merged once the parts are joined.
struct Join {
    /// Global index of the order's first row.
    first_row: u32,
    amount: i64,
    refund: i64,
    /// Part-local person and label ids (see [`AssembledPart`]).
    person: u32,
    channel: u32,
    store: u32,
}

/// One part put together on its own. Persons and labels are numbered in the order of their
/// first use among the part's accepted rows (`person_cells[i]` is the cells id of local person
/// `i`, `label_use[i]` the part label of local label `i`); the join maps them to the file's.
struct AssembledPart {
    orders: Vec<Order>,
    returns: Vec<Return>,
    person_cells: Vec<u32>,
    label_use: Vec<u32>,
    cells: BlockVec<CellsEntry>,
    labels: Vec<String>,
    joins: Vec<Join>,
    log: RowLog,
    currencies: Vec<(Currency, Vec<usize>)>,
}

/// Puts one part together: drops duplicate lines, logs rejections and warnings, collapses
/// item lines of one order id. `start` is the global index of its first row; `oid_first` is
/// its share of the order-id groups: a group's first row gets the index of its order in
/// `orders`, for the item lines after it (an item line of an earlier part's order is kept
/// in `joins`).
fn assemble_part(
    p: OrderPart<'static>,
    start: usize,
    dup_first: &[u32],
    oid_first: &mut [u32],
    file: &str,
) -> AssembledPart {
    let cols = p.cols.clone();
    let order_level = cols.has(Role::Amount);
    let OrderPart {
        rows,
        refunds,
        rejections,
        cells,
        labels,
        ..
    } = p;
    let out = AssembledPart {
        orders: Vec::with_capacity(rows.len()),
        returns: Vec::new(),
        person_cells: Vec::new(),
        label_use: Vec::new(),
        cells,
        labels,
        joins: Vec::new(),
        log: RowLog::new(file),
        currencies: Vec::new(),
    };
    // Local person of each cells id, and whether the cells warn on every row: small arrays
    // read per row instead of the entries themselves.
    let person_of_cells = vec![UNSET; out.cells.len()];
    let warns: Vec<bool> = out.cells.iter().map(|c| !c.problems.is_empty()).collect();
    let label_of = vec![UNSET; out.labels.len()];
    let mut a = PartAssembly {
        cols: &cols,
        order_level,
        start,
        dup_first,
        oid_first,
        person_of_cells,
        warns,
        label_of,
        rejections: rejections.iter().peekable(),
        refunds: refunds.iter().peekable(),
        out,
    };
    for (b, block) in rows.chunks(ASSEMBLY_BLOCK).enumerate() {
        a.rows(b * ASSEMBLY_BLOCK, block);
    }
    a.out
}

/// Rows put together per call of [`PartAssembly::rows`].
///
/// V8 (Chrome, Node) runs a Wasm function first as its baseline compiler (Liftoff) made it,
/// and the optimised code it compiles once the function is hot only from the function's next
/// call on: a single call over a million rows would run unoptimised to the end (the whole
/// assembly 1.5 to 2 times slower in the page). In blocks, only the first few are.
const ASSEMBLY_BLOCK: usize = 1 << 14;

/// Marks the cells and labels of [`assemble_part`] not met yet.
const UNSET: u32 = NONE - 1;

/// What putting one part together keeps from one block of rows to the next (see
/// [`assemble_part`]).
struct PartAssembly<'a> {
    cols: &'a ColumnIndex,
    order_level: bool,
    start: usize,
    dup_first: &'a [u32],
    oid_first: &'a mut [u32],
    person_of_cells: Vec<u32>,
    warns: Vec<bool>,
    label_of: Vec<u32>,
    rejections: std::iter::Peekable<std::slice::Iter<'a, Rejection>>,
    refunds: std::iter::Peekable<std::slice::Iter<'a, (u32, i64)>>,
    out: AssembledPart,
}

impl PartAssembly<'_> {
    /// Puts the part's rows `from..from + rows.len()` together, after the rows before them.
    /// Never inlined: each block is a call of its own ([`ASSEMBLY_BLOCK`]).
    #[inline(never)]
    fn rows(&mut self, from: usize, rows: &[RowRec]) {
        let (cols, order_level, start) = (self.cols, self.order_level, self.start);
        let out = &mut self.out;
        let log = &mut out.log;
        for (k, rec) in rows.iter().enumerate() {
            let j = from + k;
            let i = start + j;
            let line = rec.line as usize;
            log.rows += 1;
            if self.dup_first[i] != i as u32 {
                log.duplicate(line);
                continue;
            }
            for c in rec.currencies.iter().flatten() {
                note_currency(&mut out.currencies, *c, line);
            }
            if let Some(kind) = rec.reject() {
                while self.rejections.next_if(|x| (x.row as usize) < j).is_some() {}
                let text = self.rejections.next_if(|x| x.row as usize == j);
                if text.is_none() && kind == WarningKind::HeaderRow {
                    log.reject_silently(kind);
                    continue;
                }
                log.reject_with(line, kind, || match text {
                    Some(t) => (t.column.map(|c| cols.header(c).to_string()), t.code.clone()),
                    // Not reached: a part keeps the text of its first MAX_WARNINGS_PER_FILE
                    // rejections, and its log keeps no more warnings than that.
                    None => (None, WarningCode::DuplicateLine),
                });
                continue;
            }
            log.accepted += 1;
            if rec.flags & STRAY_QUOTE != 0 {
                log.note(line, None, WarningCode::StrayQuote);
            }
            while self.refunds.next_if(|x| (x.0 as usize) < j).is_some() {}
            let refund = self
                .refunds
                .next_if(|x| x.0 as usize == j)
                .map_or(0, |x| x.1);
            let person = if rec.cells == NONE {
                NONE
            } else {
                let c = rec.cells as usize;
                let person_of_cells = &mut self.person_of_cells;
                if person_of_cells[c] == UNSET || self.warns[c] {
                    // First row with these cells, or cells that warn on every row: the
                    // (cache-cold) entry is read only then.
                    let entry = &out.cells[c];
                    for (role, code) in &entry.problems {
                        log.field_ignored(line, cols.header(*role), code.clone());
                    }
                    if person_of_cells[c] == UNSET {
                        person_of_cells[c] = if entry.keys.is_empty() {
                            NONE
                        } else {
                            out.person_cells.push(c as u32);
                            (out.person_cells.len() - 1) as u32
                        };
                    }
                }
                person_of_cells[c]
            };
            let label_of = &mut self.label_of;
            let channel = local_label(label_of, &mut out.label_use, rec.labels[0]);
            let store = local_label(label_of, &mut out.label_use, rec.labels[1]);
            if rec.flags & RETURN != 0 {
                out.returns.push(Return {
                    line: rec.line,
                    day: rec.day,
                    cents: rec.amount,
                    person,
                    store,
                    channel,
                });
                continue;
            }
            if rec.flags & HAS_OID != 0 {
                let f = self.oid_first[j] as usize;
                if f != i {
                    if f < start {
                        out.joins.push(Join {
                            first_row: f as u32,
                            amount: rec.amount,
                            refund,
                            person,
                            channel,
                            store,
                        });
                    } else {
                        // Item line of an order met before: `oid_first` at its first row now
                        // holds its index.
                        let o = &mut out.orders[self.oid_first[f - start] as usize];
                        merge_item_line(o, order_level, rec.amount, refund, person, channel, store);
                    }
                    continue;
                }
                self.oid_first[j] = out.orders.len() as u32;
            }
            let category = local_label(label_of, &mut out.label_use, rec.labels[2]);
            out.orders.push(Order {
                line: rec.line,
                rows: 1,
                day: rec.day,
                amount_cents: rec.amount,
                refund_cents: refund,
                non_purchase_status: rec.flags & NON_PURCHASE != 0,
                person,
                channel,
                store,
                category,
            });
        }
    }
}

/// The part-local id of part label `l` (see [`AssembledPart`]), given on its first use.
fn local_label(label_of: &mut [u32], label_use: &mut Vec<u32>, l: u32) -> u32 {
    if l == NONE {
        return NONE;
    }
    let slot = &mut label_of[l as usize];
    if *slot == UNSET {
        label_use.push(l);
        *slot = (label_use.len() - 1) as u32;
    }
    *slot
}

/// Adds an item line to its order: order-level amounts are taken once (the largest),
/// item amounts summed; the first person, channel and store seen stay.
fn merge_item_line(
    o: &mut Order,
    order_level: bool,
    amount: i64,
    refund: i64,
    person: u32,
    channel: u32,
    store: u32,
) {
    o.rows += 1;
    if order_level {
        o.amount_cents = o.amount_cents.max(amount);
        o.refund_cents = o.refund_cents.max(refund);
    } else {
        o.amount_cents = o.amount_cents.saturating_add(amount);
        o.refund_cents = o.refund_cents.saturating_add(refund);
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
}

/// Puts the rows of an orders file together in row order: drops duplicate lines (`dup_first`
/// from the line hashes), records rejections and warnings in `log`, collapses item lines of
/// one order id (`oid_first` from the order-id hashes), and finds persons by their keys.
///
/// Each part is put together on its own thread (native), with persons and labels numbered
/// within the part; the parts are then joined in row order: persons and labels get the
/// file's numbers (first appearance in the file, as one pass would give), item lines of an
/// earlier part's order are merged into it, and the logs are appended.
pub(crate) fn assemble(
    file: &str,
    parts: OrderParts<'static>,
    dup_first: &[u32],
    mut oid_first: Vec<u32>,
    log: &mut RowLog,
) -> Result<OrderFile, Error> {
    let cols = parts.parts.first().map(|p| p.cols.clone());
    let Some(cols) = cols else {
        return Ok(OrderFile::default());
    };
    let order_level = cols.has(Role::Amount);
    let starts = parts.starts;
    // Each part's share of the order-id groups.
    let mut shares: Vec<&mut [u32]> = Vec::with_capacity(parts.parts.len());
    // (No order-id column: no groups, and every share is empty.)
    let has_groups = !oid_first.is_empty();
    let mut rest = oid_first.as_mut_slice();
    for w in starts.windows(2) {
        let (share, tail) = rest.split_at_mut(if has_groups { w[1] - w[0] } else { 0 });
        shares.push(share);
        rest = tail;
    }
    let work: Vec<(OrderPart<'static>, usize, &mut [u32])> = parts
        .parts
        .into_iter()
        .zip(starts.iter().copied())
        .zip(shares)
        .map(|((p, s), share)| (p, s, share))
        .collect();
    let assembled = par::map_owned(work, |(p, start, share)| {
        assemble_part(p, start, dup_first, share, file)
    });

    // Join: the file's persons and labels, in order of first appearance.
    let mut out = OrderFile::default();
    // The first part's orders become the file's (no copy; one part is the common case in
    // the browser), with room for the others.
    let later_orders: usize = assembled.iter().skip(1).map(|a| a.orders.len()).sum();
    let n_persons: usize = assembled.iter().map(|a| a.person_cells.len()).sum();
    let mut persons = PersonIds::with_capacity(n_persons);
    out.persons.reserve(n_persons);
    out.person_names.reserve(n_persons);
    let mut label_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut currencies: Vec<(Currency, Vec<usize>)> = Vec::new();
    let mut order_base = Vec::with_capacity(assembled.len());
    for mut a in assembled {
        let person_map: Vec<u32> = a
            .person_cells
            .iter()
            .map(|&c| {
                let entry = &mut a.cells[c as usize];
                let keys = std::mem::take(&mut entry.keys);
                persons.find_or_add(keys, &mut out, || entry.name.take())
            })
            .collect();
        let label_map: Vec<u32> = a
            .label_use
            .iter()
            .map(|&l| {
                let text = &a.labels[l as usize];
                match label_ids.get(text) {
                    Some(&id) => id,
                    None => {
                        out.labels.push(text.clone());
                        label_ids.insert(text.clone(), (out.labels.len() - 1) as u32);
                        (out.labels.len() - 1) as u32
                    }
                }
            })
            .collect();
        let identity = |m: &[u32]| m.iter().enumerate().all(|(i, &g)| g == i as u32);
        let map = |m: &[u32], id: u32| if id == NONE { NONE } else { m[id as usize] };
        let (same_persons, same_labels) = (identity(&person_map), identity(&label_map));
        if !(same_persons && same_labels) {
            for o in &mut a.orders {
                o.person = map(&person_map, o.person);
                o.channel = map(&label_map, o.channel);
                o.store = map(&label_map, o.store);
                o.category = map(&label_map, o.category);
            }
            for r in &mut a.returns {
                r.person = map(&person_map, r.person);
                r.channel = map(&label_map, r.channel);
                r.store = map(&label_map, r.store);
            }
        }
        for j in &a.joins {
            // The order's first row is in an earlier part, already joined.
            let k = starts.partition_point(|&s| s <= j.first_row as usize) - 1;
            let local = oid_first[j.first_row as usize] as usize;
            let o = &mut out.orders[order_base[k] + local];
            merge_item_line(
                o,
                order_level,
                j.amount,
                j.refund,
                map(&person_map, j.person),
                map(&label_map, j.channel),
                map(&label_map, j.store),
            );
        }
        order_base.push(out.orders.len());
        if order_base.len() == 1 {
            out.orders = std::mem::take(&mut a.orders);
            out.orders.reserve_exact(later_orders);
        } else {
            out.orders.append(&mut a.orders);
        }
        out.returns.append(&mut a.returns);
        for (c, lines) in a.currencies {
            for line in lines {
                note_currency(&mut currencies, c, line);
            }
        }
        log.append(a.log);
    }
    if currencies.len() > 1 {
        return Err(Error::MixedCurrency {
            file: file.to_string(),
            column: cols
                .header(if order_level {
                    Role::Amount
                } else {
                    Role::ItemAmount
                })
                .to_string(),
            currencies: currencies
                .iter()
                .map(|(c, _)| c.code().to_string())
                .collect(),
            lines: currencies
                .iter()
                .flat_map(|(_, l)| l.iter().copied())
                .collect(),
        });
    }
    Ok(out)
}

/// Persons of a file by their normalised keys: a map from a 64-bit hash of the keys to the
/// first person with it (entries of 16 bytes instead of the keys themselves), checked against
/// the person's keys; different keys with the same hash (rare) go to an exact map.
struct PersonIds {
    by_hash: FxHashMap<u64, u32>,
    collided: FxHashMap<PersonKeys, u32>,
}

impl PersonIds {
    fn with_capacity(n: usize) -> Self {
        PersonIds {
            by_hash: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            collided: FxHashMap::default(),
        }
    }

    /// The person with `keys` in `out.persons`, added (with `name()`) when new. Never inlined
    /// into [`assemble`], which runs once (unoptimised in V8, see [`ASSEMBLY_BLOCK`]): called
    /// for every person, it is soon optimised on its own.
    #[inline(never)]
    fn find_or_add(
        &mut self,
        keys: PersonKeys,
        out: &mut OrderFile,
        name: impl FnOnce() -> Option<String>,
    ) -> u32 {
        use std::collections::hash_map::Entry;
        use std::hash::BuildHasher;
        let next = out.persons.len() as u32;
        let h = rustc_hash::FxBuildHasher.hash_one(&keys);
        let id = match self.by_hash.entry(h) {
            Entry::Vacant(v) => *v.insert(next),
            Entry::Occupied(o) if out.persons[*o.get() as usize] == keys => return *o.get(),
            Entry::Occupied(_) => match self.collided.entry(keys.clone()) {
                Entry::Occupied(c) => return *c.get(),
                Entry::Vacant(c) => *c.insert(next),
            },
        };
        out.persons.push(keys);
        out.person_names.push(name());
        id
    }
}

fn note_currency(currencies: &mut Vec<(Currency, Vec<usize>)>, c: Currency, line: usize) {
    if c == Currency::Unmarked {
        return;
    }
    match currencies.iter_mut().find(|(x, _)| *x == c) {
        Some((_, lines)) => {
            if lines.len() < 3 {
                lines.push(line);
            }
        }
        None => currencies.push((c, vec![line])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_are_exact_even_when_key_hashes_collide() {
        use std::hash::BuildHasher;
        let k = |phone: &str| PersonKeys {
            phone: Some(phone.to_string()),
            ..Default::default()
        };
        let mut ids = PersonIds::with_capacity(4);
        let mut out = OrderFile::default();
        assert_eq!(ids.find_or_add(k("1"), &mut out, || None), 0);
        assert_eq!(ids.find_or_add(k("1"), &mut out, || None), 0);
        // Put "2" on the hash slot of person 0: it must still become a person of its own.
        ids.by_hash
            .insert(rustc_hash::FxBuildHasher.hash_one(k("2")), 0);
        assert_eq!(ids.find_or_add(k("2"), &mut out, || None), 1);
        assert_eq!(ids.find_or_add(k("2"), &mut out, || None), 1);
        assert_eq!(out.persons, vec![k("1"), k("2")]);
    }

    #[test]
    fn order_ids_come_back_from_the_arena_as_written() {
        let long = "长".repeat(100); // 300 bytes: its length does not fit the length byte
        let ids = ["", "O1", "订单-0001", long.as_str(), "x"];
        let mut oids = Vec::new();
        let at: Vec<usize> = ids
            .iter()
            .map(|id| {
                let a = oids.len();
                push_id(&mut oids, id);
                a
            })
            .collect();
        for (id, a) in ids.iter().zip(at) {
            assert_eq!(id_at(&oids, a), id.as_bytes());
        }
    }

    #[test]
    fn line_hashes_tell_lines_apart() {
        use super::super::rows::hash128;
        let mut seen = std::collections::HashSet::new();
        // Lines that differ in one byte, in their length only, or by a trailing zero byte.
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for n in 0..64usize {
            let base: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            lines.push(base.clone());
            let mut z = base.clone();
            z.push(0);
            lines.push(z);
            for i in 0..n {
                let mut v = base.clone();
                v[i] ^= 1;
                lines.push(v);
            }
        }
        lines.sort();
        lines.dedup();
        for l in &lines {
            assert_eq!(hash128(l), hash128(&l.clone()));
            assert!(seen.insert(hash128(l)), "{l:?}");
            // Each half on its own too.
            assert!(seen.insert([hash128(l)[0], 0]) && seen.insert([0, hash128(l)[1]]));
        }
    }

    #[test]
    fn a_row_record_stays_small() {
        // A million-row file holds a million of these at once.
        assert_eq!(std::mem::size_of::<RowRec>(), 40);
        let mut r = RowRec {
            line: 0,
            oid: 0,
            day: 0,
            amount: 0,
            cells: 0,
            labels: [0; 3],
            currencies: [None; 3],
            flags: HAS_OID | RETURN,
        };
        assert_eq!(r.reject(), None);
        for (k, kind) in REJECT_KINDS.iter().enumerate() {
            r.flags = HAS_OID | ((k as u8 + 1) << REJECT_SHIFT);
            assert_eq!(r.reject(), Some(*kind));
            assert_eq!(r.flags & HAS_OID, HAS_OID);
        }
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
