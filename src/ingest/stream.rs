//! An orders file read as it arrives, in chunks: each chunk's rows are read, and its text
//! freed, before the next is taken, so that the file's whole text is never held at once (the
//! page streams a file into the engine; at ten million rows the text alone was 445 MiB of a
//! 2.2 GB peak).
//!
//! The result is exactly the one-pass result ([`super::ingest`] of the whole bytes):
//! - the layout (encoding, delimiter, header, column roles, row width) is read from the first
//!   MiB or more, once it holds 200 whole rows after the header, as one pass reads it from
//!   the first rows of the file;
//! - a chunk is read up to its last line feed; a row the chunk's end cuts (an unfinished line,
//!   a quoted field still open, a carriage return whose line feed may follow, a UTF-8
//!   character in two chunks) is read again with the next chunk
//!   ([`CsvTable::for_each_complete_row`]);
//! - header lines inside the data are looked for line by line as the chunks come, as one
//!   pass does before the rows (a row's place only depends on the lines before it; the row
//!   counts of second tables are put in their warnings at the end);
//! - duplicate lines and order ids are grouped at the end from what the rows keep (a 128-bit
//!   line hash, the order ids copied out): nothing needs the text then.
//!
//! GBK/GB18030 text (what one pass reads a file as when its first bytes are not UTF-8, or when
//! chosen) is decoded as it arrives, up to the last line feed that arrived (a line feed is
//! never inside a GB18030 character, and the encoding keeps no state across one).
//!
//! A file that cannot be read this way is gathered whole and read in one pass as before:
//! workbooks, UTF-16, a BOM that lies, member tables, files whose layout cannot be told from
//! their first rows (they give their error then), and files smaller than the first chunk.
//! When a later chunk turns out not to be in the encoding of the first (a GBK file whose first
//! MiB is ASCII, or bytes that are not GBK), the chunks before it are gone:
//! [`Error::ReadWhole`] asks the caller to hand the file over again whole.

use std::sync::Arc;

use super::orders::{OrderPart, OrderParts};
use super::rows::{ColumnIndex, RowLog};
use super::structure::{HeaderMatcher, HeaderScan};
use super::table::CsvTable;
use super::{
    decode, layout, parse_overrides, put_together, rows_expected, sniff, summary_of, table, values,
    FileOptions, FileSummary, Format, Ingested, Layout, Read, Shape, Source, TableKind,
    TextEncoding,
};
use crate::error::{Error, Warning};

/// Bytes gathered before the layout is read (more when they hold fewer than 200 rows).
const FIRST_CHUNK: usize = 1 << 20;
/// Bytes of text read at a time after that.
const CHUNK: usize = 4 << 20;

/// How much a stream gathers before reading: [`FIRST_CHUNK`] and [`CHUNK`], smaller in tests
/// (to cut the text at every byte).
#[derive(Debug, Clone, Copy)]
struct Sizes {
    first: usize,
    chunk: usize,
}
/// Rows the layout is read from, as [`super::ingest`] reads it.
const SAMPLE_ROWS: usize = 200;

/// A file being read as its chunks arrive ([`FileStream::push`], then [`FileStream::finish`]).
pub struct FileStream {
    name: String,
    opts: FileOptions,
    /// The file's size when told (the per-row arrays are sized from it), else 0.
    size: usize,
    sizes: Sizes,
    /// Bytes gathered before the layout is tried again (while [`State::First`]).
    next_try: usize,
    state: State,
}

enum State {
    /// The first bytes, until the layout can be read from them.
    First(Vec<u8>),
    /// An orders text whose rows are being read.
    Rows(Box<Rows>),
    /// A file not read in chunks: its bytes, read in one pass at the end.
    Whole(Vec<u8>),
    /// A later chunk was not UTF-8: the file must be read again whole.
    Lost,
}

/// The reading of an orders text, between chunks.
struct Rows {
    summary: FileSummary,
    pre_warnings: Vec<Warning>,
    /// The header cells rows are read against, and whether a role reads each column.
    headers: Vec<String>,
    read: Vec<bool>,
    delimiter: u8,
    cols: Arc<ColumnIndex>,
    scan: HeaderScan,
    /// Always `Some` between chunks.
    part: Option<OrderPart<'static>>,
    /// Text not read yet, then what the next chunk completes (the end of a UTF-8 character,
    /// a carriage return's line feed). `buf[..checked]` is UTF-8 with its line ends as one
    /// pass sees them (bare carriage returns made line feeds).
    buf: Vec<u8>,
    checked: usize,
    /// Where in `buf` the next row starts, and the next line the header search looks at (it
    /// is ahead when a row's quoted field ran past the last whole line read).
    row_at: usize,
    scan_at: usize,
    /// Line feeds in the file before `buf`.
    line_base: usize,
    /// Bytes `buf` holds before rows are read from it again.
    next_read: usize,
    /// Bytes of text read at a time ([`CHUNK`]).
    chunk: usize,
    /// The file's encoding; when it is not UTF-8 (GBK/GB18030), `raw` holds the bytes not
    /// decoded yet (after the last line feed that arrived).
    encoding: TextEncoding,
    raw: Vec<u8>,
}

impl FileStream {
    /// Starts reading `name` (`size` bytes when known, else 0) with `opts`.
    pub fn new(name: &str, size: usize, opts: FileOptions) -> Self {
        Self::with_sizes(
            name,
            size,
            opts,
            Sizes {
                first: FIRST_CHUNK,
                chunk: CHUNK,
            },
        )
    }

    fn with_sizes(name: &str, size: usize, opts: FileOptions, sizes: Sizes) -> Self {
        FileStream {
            name: name.to_string(),
            opts,
            size,
            sizes,
            next_try: sizes.first,
            state: State::First(Vec::new()),
        }
    }

    /// The options the file is read with.
    pub fn options(&self) -> &FileOptions {
        &self.opts
    }

    /// Takes the next chunk of the file, reading the rows it completes.
    pub fn push(&mut self, chunk: &[u8]) {
        match &mut self.state {
            State::First(b) => {
                b.extend_from_slice(chunk);
                if b.len() >= self.next_try {
                    // Tried at 1 MiB, then each time the bytes have doubled.
                    self.next_try = b.len() * 2;
                    self.start(false);
                }
            }
            State::Rows(r) => {
                if !r.take(chunk) {
                    self.state = State::Lost;
                }
            }
            State::Whole(b) => b.extend_from_slice(chunk),
            State::Lost => {}
        }
    }

    /// Reads what is left and puts the file together.
    pub fn finish(mut self) -> Result<Ingested, Error> {
        if matches!(self.state, State::First(_)) {
            self.start(true);
        }
        match self.state {
            State::First(_) => unreachable!("started above"),
            State::Whole(bytes) => super::ingest_owned(&self.name, bytes, &self.opts),
            State::Lost => Err(Error::ReadWhole { file: self.name }),
            State::Rows(mut r) => {
                if !r.decode(true) || !r.read(true) {
                    return Err(Error::ReadWhole { file: self.name });
                }
                let Rows {
                    summary,
                    pre_warnings,
                    cols,
                    scan,
                    part,
                    ..
                } = *r;
                let mut all = OrderParts::new(part.map(OrderPart::finish).into_iter().collect());
                all.count_second_tables(&scan.found);
                let (all, dup_first, oid_first) = super::group_orders(all, &cols);
                put_together(
                    &self.name,
                    Read::Orders(all, dup_first, oid_first),
                    summary,
                    pre_warnings,
                    RowLog::new(&self.name),
                )
            }
        }
    }

    /// Reads the layout from the first bytes and starts reading rows; or, when the file
    /// cannot be read in chunks, gathers it whole. `last`: the bytes are the whole file.
    fn start(&mut self, last: bool) {
        let State::First(bytes) = std::mem::replace(&mut self.state, State::Lost) else {
            return;
        };
        self.state = match Rows::start(&self.name, &self.opts, self.size, self.sizes, bytes, last) {
            Ok(rows) => State::Rows(Box::new(rows)),
            // Not yet: more bytes are needed for the first rows.
            Err(Start::Wait(bytes)) => State::First(bytes),
            Err(Start::Whole(mut bytes)) => {
                bytes.reserve(self.size.saturating_sub(bytes.len()));
                State::Whole(bytes)
            }
        }
    }
}

/// Why rows are not read yet: the bytes, gathered on.
enum Start {
    /// The first rows are not all there yet.
    Wait(Vec<u8>),
    /// The file is read whole.
    Whole(Vec<u8>),
}

impl Rows {
    /// Reads the layout from the first bytes of the file (`last`: all of it).
    fn start(
        name: &str,
        opts: &FileOptions,
        size: usize,
        sizes: Sizes,
        mut bytes: Vec<u8>,
        last: bool,
    ) -> Result<Rows, Start> {
        // Small files, and those whose first rows are not all in the first chunks, are read
        // in one pass.
        if last
            || matches!(
                opts.encoding,
                Some(TextEncoding::Utf16Le | TextEncoding::Utf16Be)
            )
            || table::is_zip(&bytes)
            || sniff::check(name, &bytes).is_err()
        {
            return Err(Start::Whole(bytes));
        }
        let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let utf8 = match std::str::from_utf8(&bytes[bom..]) {
            Ok(t) => Some(bom + t.len()),
            Err(e) if e.error_len().is_none() => Some(bom + e.valid_up_to()),
            Err(_) => None,
        };
        // UTF-8 when the first bytes are; otherwise (or when chosen) GBK/GB18030, decoded
        // up to a line feed (never inside a GB18030 character).
        let encoding = opts.encoding.unwrap_or(if utf8.is_some() {
            TextEncoding::Utf8
        } else {
            TextEncoding::Gb18030
        });
        let valid = match (encoding, utf8) {
            (TextEncoding::Utf8, Some(valid)) => valid,
            (TextEncoding::Utf8, None) => return Err(Start::Whole(bytes)),
            _ => match memchr::memrchr(b'\n', &bytes) {
                Some(p) => p + 1,
                None => return Err(Start::Wait(bytes)),
            },
        };
        // What one pass would decide from these bytes, without a notice.
        let decoded = match decode::decode(name, &bytes[..valid], opts.encoding) {
            Ok(d) if d.encoding == encoding && d.warnings.is_empty() => {
                (encoding != TextEncoding::Utf8).then(|| d.text.into_owned().into_bytes())
            }
            _ => return Err(Start::Whole(bytes)),
        };
        // GBK: the rows are read from the text decoded so far; the bytes after it are
        // decoded as more arrive. The file's own bytes stay until the layout is read (to
        // gather on, or to read whole).
        let (mut text, raw, bom, valid) = match decoded {
            Some(text) => {
                let n = text.len();
                (text, bytes[valid..].to_vec(), 0, n)
            }
            None => (std::mem::take(&mut bytes), Vec::new(), bom, valid),
        };
        let gathered = |text: Vec<u8>, bytes: Vec<u8>| {
            if encoding == TextEncoding::Utf8 {
                text
            } else {
                bytes
            }
        };
        if text[bom..valid].iter().all(u8::is_ascii_whitespace) {
            return Err(Start::Whole(gathered(text, bytes)));
        }
        let mut rows = match Self::layout(name, opts, size, encoding, &mut text[bom..valid]) {
            Some(Ok(rows)) => rows,
            Some(Err(())) => return Err(Start::Whole(gathered(text, bytes))),
            None => return Err(Start::Wait(gathered(text, bytes))),
        };
        drop(bytes);
        let mut bytes = text;
        // The BOM and the lines up to the header are read: only the rows' lines stay.
        let data_start = bom + rows.row_at;
        rows.line_base = memchr::memchr_iter(b'\n', &bytes[..data_start]).count();
        bytes.drain(..data_start);
        rows.row_at = 0;
        rows.scan_at = 0;
        rows.checked = 0;
        rows.buf = bytes;
        rows.raw = raw;
        rows.chunk = sizes.chunk;
        if rows.read(false) {
            Ok(rows)
        } else {
            // Not UTF-8 after all, though nothing was freed: read in one pass. (Decoded GBK
            // is always UTF-8: only the file's own UTF-8 bytes get here.)
            Err(Start::Whole(std::mem::take(&mut rows.buf)))
        }
    }

    /// The layout read from `text` (UTF-8, line ends made as one pass makes them); `None`
    /// when it does not hold the header and 200 whole rows yet, `Some(Err)` when the file is
    /// to be read in one pass (not orders, or its layout gives an error there).
    fn layout(
        name: &str,
        opts: &FileOptions,
        size: usize,
        encoding: TextEncoding,
        text: &mut [u8],
    ) -> Option<Result<Rows, ()>> {
        let end = bare_carriage_returns(text, 0, false);
        let text = std::str::from_utf8(&text[..end]).ok()?;
        let limit = memchr::memrchr(b'\n', text.as_bytes())? + 1;
        let text = &text[..limit];
        let d = table::sniff_delimiter(text);
        let t = CsvTable::open_at(text, d, opts.header_row)?;
        let mut whole_rows = 0;
        t.for_each_complete_row(0, limit, |_| {
            whole_rows += 1;
            whole_rows <= SAMPLE_ROWS
        });
        if whole_rows <= SAMPLE_ROWS {
            return None;
        }
        Some(Self::from_table(name, opts, size, encoding, t))
    }

    fn from_table(
        name: &str,
        opts: &FileOptions,
        size: usize,
        encoding: TextEncoding,
        t: CsvTable<'_>,
    ) -> Result<Rows, ()> {
        let overrides = parse_overrides(name, opts).map_err(drop)?;
        let tz = values::Dates {
            tz: opts
                .tz_offset_minutes
                .unwrap_or(values::DEFAULT_TZ_OFFSET_MINUTES),
            order: opts.date_order.unwrap_or_default(),
        };
        let delimiter = t.delimiter();
        let data_start = t.text_len() - t.data().0.len();
        let mut source = Source::Csv(t);
        let mut pre_warnings: Vec<Warning> = source.preamble_warning(name).into_iter().collect();
        let header_line = source.preamble().1;
        let Layout {
            kind,
            kind_by,
            headers,
            columns,
            cols,
            read,
            sample,
        } = layout(
            name,
            &mut source,
            opts,
            &overrides,
            header_line,
            &mut pre_warnings,
        )
        .map_err(drop)?;
        if kind != TableKind::Orders {
            return Err(());
        }
        let Source::Csv(t) = source else {
            return Err(());
        };
        let row_headers = t.headers.clone();
        let cols = Arc::new(cols);
        let expected = rows_expected(size.max(t.text_len()), &sample);
        let part = OrderPart::new(
            name,
            cols.clone(),
            tz,
            headers.len(),
            expected + expected / 16 + 64,
        )
        .map_err(drop)?;
        let summary = summary_of(
            name,
            opts,
            Shape {
                kind,
                kind_by,
                headers,
                columns,
                sample,
            },
            Format {
                encoding: encoding.label().to_string(),
                delimiter: super::delimiter_label(delimiter),
                sheet: None,
                sheets: Vec::new(),
            },
        );
        Ok(Rows {
            summary,
            pre_warnings,
            headers: row_headers,
            read,
            delimiter,
            cols,
            scan: HeaderScan::default(),
            part: Some(part),
            buf: Vec::new(),
            checked: 0,
            row_at: data_start,
            scan_at: data_start,
            line_base: 0,
            next_read: 0,
            chunk: CHUNK,
            encoding,
            raw: Vec::new(),
        })
    }

    /// Takes the next chunk and reads the rows it completes, once enough text has gathered.
    /// False when the file is not in its encoding.
    fn take(&mut self, chunk: &[u8]) -> bool {
        if self.encoding == TextEncoding::Utf8 {
            self.buf.extend_from_slice(chunk);
        } else {
            self.raw.extend_from_slice(chunk);
            if self.raw.len() < self.chunk.min(self.next_read) {
                return true;
            }
            if !self.decode(false) {
                return false;
            }
        }
        self.buf.len() < self.next_read || self.read(false)
    }

    /// Decodes the GBK bytes that arrived, up to their last line feed (`last`: all of them)
    /// into `buf`; false when they are not GBK (one pass would then give its error).
    fn decode(&mut self, last: bool) -> bool {
        if self.encoding == TextEncoding::Utf8 {
            return true;
        }
        let end = if last {
            self.raw.len()
        } else {
            match memchr::memrchr(b'\n', &self.raw) {
                Some(p) => p + 1,
                None => return true,
            }
        };
        match encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&self.raw[..end])
        {
            Some(text) => self.buf.extend_from_slice(text.as_bytes()),
            None => return false,
        }
        self.raw.drain(..end);
        true
    }

    /// Reads the rows `buf` completes (`last`: all of them, the file has ended). False when
    /// the text is not UTF-8.
    fn read(&mut self, last: bool) -> bool {
        let Rows {
            headers,
            read,
            delimiter,
            scan,
            part,
            buf,
            checked,
            row_at,
            scan_at,
            line_base,
            next_read,
            chunk,
            ..
        } = self;
        *checked = bare_carriage_returns(buf, *checked, last);
        let text = match std::str::from_utf8(&buf[..*checked]) {
            Ok(t) => t,
            Err(e) if e.error_len().is_none() && !last => {
                *checked = e.valid_up_to();
                match std::str::from_utf8(&buf[..*checked]) {
                    Ok(t) => t,
                    Err(_) => return false,
                }
            }
            Err(_) => return false,
        };
        let limit = if last {
            text.len()
        } else {
            match memchr::memrchr(b'\n', text.as_bytes()) {
                Some(p) => p + 1,
                None => {
                    *next_read = buf.len() * 2;
                    return true;
                }
            }
        };
        let first_line = 1 + *line_base + memchr::memchr_iter(b'\n', &buf[..*scan_at]).count();
        if *scan_at < limit {
            let matcher = HeaderMatcher::new(headers, read);
            scan.csv_lines(&matcher, &text[*scan_at..limit], first_line, *delimiter);
        }
        let t = CsvTable::continued(text, *delimiter, headers.clone(), *line_base);
        let mut p = part.take().expect("a part between chunks");
        let found = &scan.found;
        let (stop, stop_line) = if last {
            t.for_each_row_in(*row_at, text.len(), |r| {
                p.row(&r, found.place(r.line));
                true
            });
            (text.len(), 0)
        } else {
            t.for_each_complete_row(*row_at, limit, |r| {
                p.row(&r, found.place(r.line));
                true
            })
        };
        *part = Some(p.pause());
        if last {
            return true;
        }
        // Keep the rest from the first row not read, or from the first line not looked at.
        let keep = stop.min(limit);
        let progress = stop > *row_at;
        // The line feeds before `keep`: the reader counted those before `stop` (less those
        // of a row that ran past `limit`, a quoted field over several lines).
        let before_stop = stop_line - 1 - *line_base;
        *line_base += before_stop - memchr::memchr_iter(b'\n', &buf[keep..stop]).count();
        *row_at = stop - keep;
        *scan_at = limit - keep;
        *checked -= keep;
        buf.drain(..keep);
        // A row that runs on (a quoted field over many lines) is tried again once the text
        // has doubled, not at each chunk.
        *next_read = if progress {
            buf.len() + *chunk
        } else {
            (buf.len() * 2).max(*chunk)
        };
        true
    }
}

/// Makes the bare carriage returns of `b[from..]` line feeds, as one pass does for the whole
/// text ([`decode::normalize_line_ends`]); a carriage return at the end stays when more may
/// follow (a line feed would make it part of a CRLF). Returns how far the bytes are done.
fn bare_carriage_returns(b: &mut [u8], from: usize, last: bool) -> usize {
    let mut end = b.len();
    if !last && b.last() == Some(&b'\r') {
        end -= 1;
    }
    let mut i = from.min(end);
    while let Some(p) = memchr::memchr(b'\r', &b[i..end]) {
        i += p;
        if b.get(i + 1) != Some(&b'\n') {
            b[i] = b'\n';
        }
        i += 1;
    }
    end.max(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest, FileData};

    /// An orders text with everything a chunk boundary can cut: quoted fields with line
    /// feeds, delimiters and doubled quotes; CRLF and bare CR line ends; Chinese text
    /// (multi-byte UTF-8); exact duplicate lines far apart; item lines of one order far apart;
    /// the header repeated, reordered and a second table inside the data; blank lines; a
    /// stray quote; bad rows; and the file's end in the middle of a quoted field.
    fn text(seed: u64, crlf: bool) -> String {
        let mut rng = seed;
        let mut next = move || {
            // splitmix64
            rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut t = String::from("\u{FEFF}订单号,下单时间,手机号,商品金额,状态,门店,备注,姓名");
        t.push_str(nl);
        let mut lines: Vec<String> = Vec::new();
        for i in 0..420usize {
            let r = next();
            let oid = if r % 7 == 0 {
                100 + (r >> 8) % 40
            } else {
                1000 + i as u64
            };
            let note = match (r >> 16) % 9 {
                0 => "\"多行\n备注，含逗号, 和 \"\"引号\"\"\"".to_string(),
                1 => "\"a,b\"".to_string(),
                2 => "\"\n\n\"".to_string(),
                3 => "中文备注😀".to_string(),
                _ => String::new(),
            };
            let date = if (r >> 20) % 53 == 0 {
                "bad date".to_string()
            } else {
                format!(
                    "2024-{:02}-{:02} 10:00",
                    1 + (r >> 24) % 12,
                    1 + (r >> 28) % 28
                )
            };
            let name = ["张三", "\"Li, Lei\"", "", "王五"][((r >> 32) % 4) as usize];
            let line = format!(
                "O{oid},{date},138{:08},{}.{:02},{},门店{},{note},{name}",
                (r >> 36) % 300,
                (r >> 40) % 500,
                (r >> 44) % 100,
                if (r >> 48) % 11 == 0 {
                    "已取消"
                } else {
                    "交易成功"
                },
                (r >> 52) % 5,
            );
            lines.push(line.clone());
            match i {
                _ if r % 13 == 0 && !lines.is_empty() => {
                    // A duplicate of an earlier line, anywhere before.
                    let k = (r >> 10) as usize % lines.len();
                    lines.push(lines[k].clone());
                }
                250 => lines.push("订单号,下单时间,手机号,商品金额,状态,门店,备注,姓名".into()),
                300 => lines.push("下单时间,订单号,商品金额,手机号,状态,门店,备注,姓名".into()),
                330 => lines.push("订单号,下单时间,手机号,商品金额,状态,门店,备注,姓名".into()),
                350 => {
                    lines.push("会员卡号,积分,姓名".into());
                    lines.push("V1,100,x".into());
                    lines.push("V2,200,y".into());
                    lines.push("订单号,下单时间,手机号,商品金额,状态,门店,备注,姓名".into());
                }
                360 => lines.push(String::new()),
                370 => lines.push("O9,2024-01-01,13800000000,\"5,交易成功".into()),
                _ => {}
            }
        }
        for (i, l) in lines.iter().enumerate() {
            t.push_str(l);
            // Some bare carriage returns among the line ends.
            t.push_str(if i % 97 == 5 { "\r" } else { nl });
        }
        t.push_str("O8,2024-02-02,13800000001,7,交易成功,门店1,\"open to the end");
        t
    }

    fn shown(r: Result<Ingested, Error>) -> String {
        match r {
            Ok(f) => {
                let FileData::Orders(o) = &f.output.data else {
                    panic!("orders")
                };
                format!("{:?}\n{:?}\n{:?}", f.output.summary, o, f.warnings)
            }
            Err(e) => format!("error {e:?}"),
        }
    }

    /// The file read in chunks of the given lengths (cycled), reading rows after every chunk.
    fn streamed(bytes: &[u8], lengths: &[usize], first: usize) -> String {
        let sizes = Sizes { first, chunk: 1 };
        let mut s = FileStream::with_sizes("t.csv", bytes.len(), FileOptions::default(), sizes);
        let (mut at, mut k) = (0, 0);
        while at < bytes.len() {
            let n = lengths[k % lengths.len()].min(bytes.len() - at);
            s.push(&bytes[at..at + n]);
            at += n;
            k += 1;
        }
        assert!(
            matches!(s.state, State::Rows(_)),
            "the test text is read in chunks"
        );
        shown(s.finish())
    }

    #[test]
    fn chunks_read_exactly_like_one_pass() {
        for (seed, crlf) in [(1, false), (2, true), (3, false)] {
            let t = text(seed, crlf);
            let one = shown(ingest("t.csv", t.as_bytes(), &FileOptions::default()));
            assert!(
                one.contains("SecondTable") && one.contains("DuplicateLine"),
                "{one}"
            );
            for n in 1..=7 {
                assert_eq!(
                    one,
                    streamed(t.as_bytes(), &[n], 64),
                    "seed {seed}, chunks of {n}"
                );
            }
            // Lengths that wander, and a first read that waits for more rows.
            let mut r = seed;
            let lengths: Vec<usize> = (0..61)
                .map(|_| {
                    r = r
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    1 + (r >> 33) as usize % 200
                })
                .collect();
            assert_eq!(one, streamed(t.as_bytes(), &lengths, 1), "seed {seed}");
            assert_eq!(one, streamed(t.as_bytes(), &[4096], 8192), "seed {seed}");
        }
    }

    #[test]
    fn gbk_chunks_read_exactly_like_one_pass() {
        for seed in [6, 7] {
            // No BOM (one pass would note a UTF-8 BOM on GBK text and is read whole).
            let t = text(seed, seed == 7).replace('\u{FEFF}', "");
            let gbk = encoding_rs::GBK.encode(&t).0.into_owned();
            assert!(std::str::from_utf8(&gbk).is_err());
            let one = shown(ingest("t.csv", &gbk, &FileOptions::default()));
            assert!(one.contains("encoding: \"gb18030\""), "{one}");
            for n in [1, 2, 3, 5, 7, 4096] {
                assert_eq!(one, streamed(&gbk, &[n], 64), "seed {seed}, chunks of {n}");
            }
        }
        // Bytes that are not GBK after the first chunks: the file is asked for whole.
        let mut gbk = encoding_rs::GBK.encode(&text(8, false)).0.into_owned();
        let at = gbk.len() - 300;
        gbk.splice(at..at, [0x81, b',']);
        assert!(matches!(
            stream_in_hundreds(&gbk),
            Err(Error::ReadWhole { .. })
        ));
    }

    /// `bytes` streamed in pieces of 100 bytes, the layout read from the first 64.
    fn stream_in_hundreds(bytes: &[u8]) -> Result<Ingested, Error> {
        let sizes = Sizes {
            first: 64,
            chunk: 1,
        };
        let mut s = FileStream::with_sizes("t.csv", bytes.len(), FileOptions::default(), sizes);
        for c in bytes.chunks(100) {
            s.push(c);
        }
        s.finish()
    }

    #[test]
    fn a_quoted_field_over_many_chunks_is_one_field() {
        let mut t = text(4, false);
        let at = t.find("\nO").unwrap() + 1;
        let long = format!(
            "O7,2024-03-03,13800000002,9,交易成功,门店2,\"{}\",张三\n",
            "很长的备注\n".repeat(3000)
        );
        t.insert_str(at, &long);
        let one = shown(ingest("t.csv", t.as_bytes(), &FileOptions::default()));
        assert_eq!(one, streamed(t.as_bytes(), &[3], 64));
        assert_eq!(one, streamed(t.as_bytes(), &[1000], 64));
    }

    #[test]
    fn not_utf8_after_the_first_chunks_asks_for_the_whole_file() {
        let mut b = text(5, false).into_bytes();
        // GBK bytes ("中") in a row far from the start.
        let at = b.len() - 200;
        b.splice(at..at, [0xD6, 0xD0]);
        assert!(matches!(
            stream_in_hundreds(&b),
            Err(Error::ReadWhole { .. })
        ));
    }

    #[test]
    fn small_files_and_other_kinds_are_read_whole() {
        // Under the first chunk: one pass, whatever it holds.
        for t in [
            "订单号,下单时间,商品金额\nA1,2024-01-01,5\n".to_string(),
            "会员卡号,手机号,姓名\nV1,13800000000,张三\n".to_string(),
        ] {
            let mut s = FileStream::new("t.csv", t.len(), FileOptions::default());
            s.push(t.as_bytes());
            let one = ingest("t.csv", t.as_bytes(), &FileOptions::default())
                .map(|f| format!("{:?}", f.output.summary));
            assert_eq!(one, s.finish().map(|f| format!("{:?}", f.output.summary)));
        }
    }
}
