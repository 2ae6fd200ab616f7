//! Text or workbook to rows: delimiter sniffing, RFC 4180 records (via `csv`), XLSX sheets (via `calamine`).

use super::structure::{self, LOOKAHEAD};
use crate::error::Error;

/// The cells of one row, borrowed from the reader (no allocation per row).
#[derive(Clone, Copy)]
pub enum Fields<'r> {
    /// A CSV record: cell `i` is `buf[spans[i].0..spans[i].1]`. When `verbatim`, `buf` is
    /// the row's raw text itself (the row has no quotes), so the spans are raw offsets.
    Text {
        buf: &'r str,
        spans: &'r [(u32, u32)],
        verbatim: bool,
    },
    /// Workbook cells.
    Cells(&'r [String]),
}

impl<'r> Fields<'r> {
    /// Cell `i`, if the row has it.
    pub fn get(&self, i: usize) -> Option<&'r str> {
        match self {
            Fields::Text { buf, spans, .. } => {
                let &(a, b) = spans.get(i)?;
                buf.get(a as usize..b as usize)
            }
            Fields::Cells(c) => c.get(i).map(String::as_str),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Fields::Text { spans, .. } => spans.len(),
            Fields::Cells(c) => c.len(),
        }
    }

    /// True when the row has no cell.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where `cell` (a slice of cell `i`, e.g. trimmed) sits in the row's raw text, when the
    /// raw text holds it verbatim: no quotes in the row (CSV), or cells joined by one
    /// separator byte (workbooks). `None` when that cannot be told cheaply.
    pub fn verbatim_offset(&self, i: usize, cell: &str, raw: &str) -> Option<usize> {
        let field = self.get(i)?;
        let within = (cell.as_ptr() as usize).checked_sub(field.as_ptr() as usize)?;
        let start = match self {
            Fields::Text {
                buf,
                spans,
                verbatim,
            } => {
                if !verbatim {
                    return None;
                }
                let at = spans[i].0 as usize + within;
                // The cells are slices of `raw` itself: nothing to compare.
                if buf.as_ptr() == raw.as_ptr() && at + cell.len() <= raw.len() {
                    return Some(at);
                }
                spans[i].0 as usize
            }
            Fields::Cells(c) => c[..i].iter().map(|x| x.len() + 1).sum(),
        };
        let at = start + within;
        (raw.get(at..at + cell.len()) == Some(cell)).then_some(at)
    }

    /// Owned copies of the cells.
    pub fn to_vec(&self) -> Vec<String> {
        (0..self.len())
            .filter_map(|i| self.get(i))
            .map(str::to_string)
            .collect()
    }
}

/// One data row handed to the typed readers.
pub struct RawRow<'r, 's> {
    /// 1-based physical line (CSV) or sheet row (XLSX) where the row starts.
    pub line: usize,
    /// Cell texts.
    pub fields: Fields<'r>,
    /// The row's raw text, for duplicate-line detection; borrowed from the whole input.
    pub raw: &'s str,
    /// True when the row opened a quote it never closed (it then ran to the end of the file).
    pub unclosed_quote: bool,
    /// True when a quote at the start of a field never closes on the row's own line and was
    /// read as an ordinary character (see [`CsvTable::for_each_row_in`]).
    pub stray_quote: bool,
    /// The delimiter of `raw` (U+001F for workbook rows, whose `raw` is their cells joined).
    pub delimiter: u8,
}

impl<'s> RawRow<'_, 's> {
    /// The row's text in the one spelling of [`canonical`]. A row split in place has no
    /// quote ([`Fields::Text`] `verbatim`): its raw text as is, without scanning it again.
    pub fn canonical(&self) -> std::borrow::Cow<'s, str> {
        match self.fields {
            Fields::Text { verbatim: true, .. } => std::borrow::Cow::Borrowed(self.raw),
            _ => canonical(self.raw, self.delimiter),
        }
    }
}

/// A row's raw text in one spelling for duplicate detection: a row with quotes is written
/// again with a quote only where a cell needs one (a delimiter, quote or line break in it),
/// so that an export and a copy of it quoted throughout give the same text. A row without a
/// quote is already in that spelling and is returned as is.
pub fn canonical(raw: &str, delimiter: u8) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if memchr::memchr(b'"', raw.as_bytes()).is_none() {
        return Cow::Borrowed(raw);
    }
    let b = raw.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut cell: Vec<u8> = Vec::new();
    let mut i = 0;
    loop {
        cell.clear();
        if b.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match b.get(i) {
                    None => break,
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                        cell.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        cell.push(*c);
                        i += 1;
                    }
                }
            }
        }
        while let Some(&c) = b.get(i) {
            if c == delimiter {
                break;
            }
            cell.push(c);
            i += 1;
        }
        let needs = cell
            .iter()
            .any(|c| *c == delimiter || matches!(c, b'"' | b'\n' | b'\r'));
        if needs {
            out.push(b'"');
            for &c in &cell {
                if c == b'"' {
                    out.push(b'"');
                }
                out.push(c);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(&cell);
        }
        if b.get(i) == Some(&delimiter) {
            out.push(delimiter);
            i += 1;
        } else {
            break;
        }
    }
    // Split at ASCII bytes only: still UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| raw.to_string()))
}

/// True when a field of `text` opens with a quote that never closes in it (a quote in the
/// middle of a field is an ordinary character, as the `csv` crate reads it).
fn opens_unclosed_quote(text: &str, delimiter: u8) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match b.get(i) {
                    None => return true,
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
        }
        match memchr::memchr(delimiter, &b[i.min(b.len())..]) {
            Some(p) => i += p + 1,
            None => return false,
        }
    }
}

/// Picks the delimiter among comma, tab, semicolon and pipe from the first lines: the one
/// whose count per line is the same on the most lines (a title or note line above the
/// header, with none, does not count against it), then the one giving more columns.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b'\t', b';', b'|'] {
        let mut counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, d))
            .filter(|c| *c > 0)
            .collect();
        counts.sort_unstable();
        // The most frequent count, and on how many lines.
        let (mut mode, mut freq) = (0, 0);
        for run in counts.chunk_by(|a, b| a == b) {
            if run.len() > freq {
                (mode, freq) = (run[0], run.len());
            }
        }
        if (freq, mode) > (best.2, best.1) {
            best = (d, mode, freq);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut in_q = false;
    let mut n = 0;
    for &c in line.as_bytes() {
        if c == b'"' {
            in_q = !in_q;
        } else if c == d && !in_q {
            n += 1;
        }
    }
    n
}

/// A `csv` reader over the whole text: no header row of its own, rows of any length.
fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// Header cells and the reader positioned after them.
pub struct CsvTable<'t> {
    text: &'t str,
    delimiter: u8,
    /// Header cells.
    pub headers: Vec<String>,
    /// Line of the header.
    pub header_line: usize,
    /// Byte offset just after the header record.
    data_start: usize,
    /// Whether a stray quote is read as a character when the rows say so (always, except
    /// in the tests that compare the reader with the `csv` crate).
    recover_quotes: bool,
    /// The records skipped above the header (a title, notes), as read.
    pub preamble: Vec<Vec<String>>,
    /// Line feeds before `text` in the file (a later chunk of a file read in chunks).
    line_base: usize,
}

impl<'t> CsvTable<'t> {
    /// Opens a CSV text; `None` when the text holds no header line.
    pub fn open(text: &'t str, delimiter: u8) -> Option<CsvTable<'t>> {
        Self::open_at(text, delimiter, None)
    }

    /// Opens a CSV text whose header is on physical line `header_row` (1-based), or, when
    /// `None`, on the first non-blank line unless the lines under it say it is a title or a
    /// note above the header ([`structure::header_index`]). `None` when no header is found.
    pub fn open_at(
        text: &'t str,
        delimiter: u8,
        header_row: Option<usize>,
    ) -> Option<CsvTable<'t>> {
        let mut rdr = csv_reader(text, delimiter);
        let mut rec = csv::StringRecord::new();
        // The first non-blank records: cells, line and the byte offset after each.
        let mut records: Vec<(Vec<String>, usize, usize)> = Vec::new();
        let line_of = |start: usize| {
            let lead = text[start..].len() - text[start..].trim_start_matches(['\r', '\n']).len();
            1 + text.as_bytes()[..start + lead]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
        };
        let limit = header_row.map_or(LOOKAHEAD, |_| 1);
        while records.len() < limit {
            match rdr.read_record(&mut rec) {
                Ok(true) => {
                    if rec.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    let start = rec
                        .position()
                        .map(|p| p.byte() as usize)
                        .unwrap_or(0)
                        .min(text.len());
                    let line = line_of(start);
                    if header_row.is_some_and(|h| line < h) {
                        continue;
                    }
                    let cells = rec.iter().map(str::to_string).collect();
                    records.push((
                        cells,
                        line,
                        (rdr.position().byte() as usize).min(text.len()),
                    ));
                }
                Ok(false) | Err(_) => break,
            }
        }
        if records.is_empty() {
            return None;
        }
        let k = if header_row.is_some() {
            0
        } else {
            let cells: Vec<Vec<String>> = records.iter().map(|r| r.0.clone()).collect();
            structure::header_index(&cells)
        };
        let preamble = records[..k].iter().map(|r| r.0.clone()).collect();
        let (cells, line, data_start) = records.swap_remove(k);
        let headers = cells
            .iter()
            .map(|s| s.trim().trim_start_matches('\u{FEFF}').to_string())
            .collect();
        Some(CsvTable {
            text,
            delimiter,
            headers,
            header_line: line.max(1),
            data_start,
            recover_quotes: true,
            preamble,
            line_base: 0,
        })
    }

    /// A later chunk of the file whose header is `headers`: `text` starts on a row boundary,
    /// after `line_base` line feeds of the file. Read with [`CsvTable::for_each_complete_row`].
    pub fn continued(
        text: &'t str,
        delimiter: u8,
        headers: Vec<String>,
        line_base: usize,
    ) -> CsvTable<'t> {
        CsvTable {
            text,
            delimiter,
            headers,
            header_line: 0,
            data_start: 0,
            recover_quotes: true,
            preamble: Vec::new(),
            line_base,
        }
    }

    /// The whole text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The text after the header, and the physical line it starts on.
    pub fn data(&self) -> (&'t str, usize) {
        let start = self.data_start.min(self.text.len());
        let line = 1
            + self.line_base
            + self.text.as_bytes()[..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
        (&self.text[start..], line)
    }

    /// The delimiter.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Length of the text in bytes.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Calls `f` for every data row after the header, in order; stops early when `f` returns false.
    pub fn for_each_row(&self, f: impl FnMut(RawRow<'_, 't>) -> bool) {
        self.for_each_row_in(0, self.text.len(), f);
    }

    /// Byte offsets splitting the data into `n` parts at line starts, for reading the parts
    /// in parallel: `[0, s1, .., text_len]`. A part may start inside a quoted field that
    /// spans lines; [`CsvTable::for_each_row_in`] then reports that the split was wrong.
    pub fn split_points(&self, n: usize) -> Vec<usize> {
        let bytes = self.text.as_bytes();
        let mut pts = vec![0];
        for k in 1..n {
            let target = (bytes.len() * k / n).max(*pts.last().unwrap_or(&0));
            match bytes[target..].iter().position(|b| *b == b'\n') {
                Some(p) if target + p + 1 < bytes.len() => pts.push(target + p + 1),
                _ => break,
            }
        }
        pts.dedup();
        pts.push(bytes.len());
        pts
    }

    /// Calls `f` for every data row starting in `from..to` (a part from
    /// [`CsvTable::split_points`]). Returns true when the last row read ended exactly at `to`
    /// (the next part starts on a row boundary); false when a row ran across `to` (a quoted
    /// field spanning the split): the rows were then read on to the end of the text.
    ///
    /// A line without quotes (most lines of most exports) is split in place, its cells
    /// borrowed from the text. A line with a quote (or a bare carriage return, which ends a
    /// record) is read by `csv_core`, the `csv` crate's own parser, from that line on: the
    /// record may run over several lines, and its cells are unescaped into a buffer. Both
    /// give what `csv` gives on the whole text (tested against it).
    pub fn for_each_row_in(
        &self,
        from: usize,
        to: usize,
        f: impl FnMut(RawRow<'_, 't>) -> bool,
    ) -> bool {
        self.rows_in(from, to, false, f).0
    }

    /// For a text that is not the end of the file (a chunk of it): calls `f` for every data
    /// row starting in `from..limit` that ends before the end of the text, and returns where
    /// the first row not read starts (the rows from there are read again with the text that
    /// follows) and its physical line (so that the caller need not count the line feeds of
    /// the text again). `limit` must be a line start. The rows read are the rows, and read
    /// as, a reading of the whole file gives: a row the end of the text cuts (an unfinished
    /// line, a quoted field still open) is left for later, and nothing else depends on what
    /// follows.
    pub fn for_each_complete_row(
        &self,
        from: usize,
        limit: usize,
        f: impl FnMut(RawRow<'_, 't>) -> bool,
    ) -> (usize, usize) {
        let (_, pos, line) = self.rows_in(from, limit, true, f);
        (pos, line)
    }

    /// [`CsvTable::for_each_row_in`], or with `more` [`CsvTable::for_each_complete_row`]:
    /// whether the last row ended exactly at `to`, where the first row not read starts, and
    /// its line (with `more`: a text that ends without a line feed is not read to its end).
    fn rows_in(
        &self,
        from: usize,
        to: usize,
        more: bool,
        mut f: impl FnMut(RawRow<'_, 't>) -> bool,
    ) -> (bool, usize, usize) {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let mut pos = from.max(self.data_start).min(len);
        // Physical line of `pos`: 1 + the line feeds before it.
        let mut line = 1 + self.line_base + bytes[..pos].iter().filter(|b| **b == b'\n').count();
        let mut spans: Vec<(u32, u32)> = Vec::with_capacity(self.headers.len() + 4);
        let mut quoted = QuotedReader::new(self.delimiter);
        let mut crossed = false;
        // A part without a bare carriage return (one not followed by a line feed: it would end
        // a record) is scanned with memchr; otherwise byte by byte.
        let has_bare_cr = |a: usize, b: usize| {
            memchr::memchr_iter(b'\r', &bytes[a..b.max(a)])
                .any(|i| bytes.get(a + i + 1).is_some_and(|c| *c != b'\n'))
        };
        let mut bare_cr = has_bare_cr(pos, to);
        let new_finder = |at: usize| {
            (
                at,
                memchr::memchr3_iter(self.delimiter, b'\n', b'"', &bytes[at..]),
            )
        };
        let mut finder = (!bare_cr).then(|| new_finder(pos));
        while pos < len {
            if pos >= to && (!crossed || more) {
                // The row belongs to the next part (or chunk).
                break;
            }
            // Fast path: one line with no quote and no bare carriage return.
            let mut cell_start = pos;
            let mut plain = true;
            spans.clear();
            let mut k = pos;
            if let Some((base, it)) = &mut finder {
                // Delimiters, line feeds and quotes, found with SIMD across lines.
                k = len;
                for i in it.by_ref() {
                    let at = *base + i;
                    let b = bytes[at];
                    if b == self.delimiter {
                        spans.push(((cell_start - pos) as u32, (at - pos) as u32));
                        cell_start = at + 1;
                    } else if b == b'\n' {
                        k = at;
                        break;
                    } else {
                        plain = false;
                        break;
                    }
                }
            } else {
                while k < len {
                    let b = bytes[k];
                    if b == self.delimiter {
                        spans.push(((cell_start - pos) as u32, (k - pos) as u32));
                        cell_start = k + 1;
                    } else if b == b'\n' {
                        break;
                    } else if b == b'"'
                        || (b == b'\r' && bytes.get(k + 1).is_some_and(|c| *c != b'\n'))
                    {
                        plain = false;
                        break;
                    }
                    k += 1;
                }
            }
            if plain {
                if more && k >= len {
                    // The line goes on in the next chunk.
                    break;
                }
                // `k` is at the line feed or the end of the text.
                let mut end = k;
                if end > pos && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
                let next = (k + 1).min(len);
                let row_line = line;
                line += 1;
                let start = pos;
                pos = next;
                if end == start {
                    // A blank line.
                    continue;
                }
                spans.push((
                    (cell_start - start).min(end - start) as u32,
                    (end - start) as u32,
                ));
                let raw = &self.text[start..end];
                if spans.iter().all(|(a, b)| a == b) && raw.trim().is_empty() {
                    continue;
                }
                if !f(RawRow {
                    line: row_line,
                    fields: Fields::Text {
                        buf: raw,
                        spans: &spans,
                        verbatim: true,
                    },
                    raw,
                    unclosed_quote: false,
                    stray_quote: false,
                    delimiter: self.delimiter,
                }) {
                    break;
                }
                continue;
            }
            // A record with quotes (or a bare carriage return): read by csv_core.
            let Some(consumed) = quoted.read(&bytes[pos..]) else {
                break;
            };
            if more && pos + consumed >= len {
                // The record may go on in the next chunk (a quoted field still open, or its
                // line end not seen yet).
                break;
            }
            if !bare_cr {
                finder = Some(new_finder(pos + consumed));
            }
            let end = pos + consumed;
            // Blank lines before the record are not part of it.
            let mut start = pos;
            while start < end && (bytes[start] == b'\r' || bytes[start] == b'\n') {
                line += usize::from(bytes[start] == b'\n');
                start += 1;
            }
            let row_line = line;
            let (raw, unclosed_quote, stray_quote) = if let Some(first_end) = self
                .recover_quotes
                .then(|| self.stray_quote_line(start, end))
                .flatten()
            {
                // A quote that would swallow whole rows: read its own line alone, the quote
                // as a character, and go on from the next line.
                let raw = self.text[start..first_end].trim_end_matches('\r');
                quoted.read_line_literally(raw);
                line += 1;
                pos = (first_end + 1).min(len);
                if !bare_cr {
                    finder = Some(new_finder(pos));
                }
                (raw, false, true)
            } else {
                line += bytes[start..end].iter().filter(|b| **b == b'\n').count();
                pos = end;
                if end > to && !crossed {
                    // The row runs across the split: read on to the end.
                    crossed = !bytes[to..end].iter().all(|b| *b == b'\r' || *b == b'\n');
                    if crossed {
                        bare_cr = has_bare_cr(end, len);
                        finder = (!bare_cr).then(|| new_finder(end));
                    }
                }
                let raw = self.text[start..end].trim_end_matches(['\r', '\n']);
                if quoted.record().1.iter().all(|(a, b)| a == b) && raw.trim().is_empty() {
                    continue;
                }
                // With stray quotes recovered, a record never runs unclosed to the end: a
                // quote in the middle of a field (odd quotes) is an ordinary character.
                let unclosed = !self.recover_quotes
                    && end >= len
                    && raw.bytes().filter(|c| *c == b'"').count() % 2 == 1;
                (raw, unclosed, false)
            };
            let (buf, cells) = quoted.record();
            if !f(RawRow {
                line: row_line,
                fields: Fields::Text {
                    buf,
                    spans: cells,
                    verbatim: false,
                },
                raw,
                unclosed_quote,
                stray_quote,
                delimiter: self.delimiter,
            }) {
                break;
            }
        }
        (!crossed, pos, line)
    }
}

impl CsvTable<'_> {
    /// When the record read from `start` to `end` runs over several lines because a quote
    /// on its first line never closes there, and the rows say that quote is a stray (the
    /// record reaches the end of the text unclosed, or one of the lines it swallowed is a
    /// whole row by itself: the header's width, its quotes balanced), the end of the first
    /// line. `None` for a record on one line, or a quoted field with real line breaks
    /// (whose continuation lines are not rows).
    fn stray_quote_line(&self, start: usize, end: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let body = self.text[start..end].trim_end_matches(['\r', '\n']);
        let unclosed = end >= bytes.len() && opens_unclosed_quote(body, self.delimiter);
        let Some(nl) = memchr::memchr(b'\n', body.as_bytes()) else {
            // The last line, its quote never closed: read it by itself too.
            return unclosed.then_some(start + body.len());
        };
        let first_end = start + nl;
        let width = self.headers.len();
        let whole_row = |l: &str| {
            let l = l.trim_end_matches('\r');
            !l.trim().is_empty()
                && l.bytes().filter(|c| *c == b'"').count() % 2 == 0
                && count_outside_quotes(l, self.delimiter) + 1 == width
        };
        let swallows_rows = width > 1 && body[first_end - start + 1..].split('\n').any(whole_row);
        (unclosed || swallows_rows).then_some(first_end)
    }
}

/// Reads one record at a time with `csv_core` (the `csv` crate's parser), for the lines the
/// fast path leaves: cells are unescaped into a buffer.
struct QuotedReader {
    rdr: csv_core::Reader,
    delimiter: u8,
    out: Vec<u8>,
    ends: Vec<usize>,
    text: String,
    spans: Vec<(u32, u32)>,
}

impl QuotedReader {
    fn new(delimiter: u8) -> Self {
        QuotedReader {
            rdr: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            out: vec![0; 1024],
            ends: vec![0; 64],
            text: String::new(),
            spans: Vec::new(),
        }
    }

    /// Reads the record that starts at `input` (leading line breaks are skipped, as csv
    /// does; the end of `input` is the end of the text); returns the bytes it took, or
    /// `None` when no record is left.
    fn read(&mut self, input: &[u8]) -> Option<usize> {
        use csv_core::ReadRecordResult as R;
        self.rdr.reset();
        let (mut nin, mut nout, mut nend) = (0usize, 0usize, 0usize);
        loop {
            // Once the input is used up, the empty slice tells the parser the text ended.
            let (res, i, o, e) =
                self.rdr
                    .read_record(&input[nin..], &mut self.out[nout..], &mut self.ends[nend..]);
            nin += i;
            nout += o;
            nend += e;
            match res {
                R::InputEmpty => {}
                R::OutputFull => {
                    let n = self.out.len();
                    self.out.resize(n * 2, 0);
                }
                R::OutputEndsFull => {
                    let n = self.ends.len();
                    self.ends.resize(n * 2, 0);
                }
                R::Record => break,
                R::End => return None,
            }
        }
        // Quotes are ASCII: taking them out of UTF-8 text leaves UTF-8.
        self.text.clear();
        self.text
            .push_str(&String::from_utf8_lossy(&self.out[..nout]));
        self.spans.clear();
        let mut a = 0;
        for &e in &self.ends[..nend] {
            self.spans.push((a as u32, e as u32));
            a = e;
        }
        Some(nin)
    }

    /// Reads one line by itself, a quote that opens a field and does not close on the line
    /// read as an ordinary character of that field (quoted fields that do close are read as
    /// usual).
    fn read_line_literally(&mut self, line: &str) {
        self.text.clear();
        self.spans.clear();
        let d = self.delimiter;
        let b = line.as_bytes();
        let mut i = 0;
        loop {
            let a = self.text.len();
            // A quoted field that closes on this line: its content, then anything up to the
            // delimiter as written.
            let mut rest = i;
            if b.get(i) == Some(&b'"') {
                let mut j = i + 1;
                let mut content = Vec::new();
                let closed = loop {
                    match b.get(j) {
                        None => break false,
                        Some(b'"') if b.get(j + 1) == Some(&b'"') => {
                            content.push(b'"');
                            j += 2;
                        }
                        Some(b'"') => break true,
                        Some(c) => {
                            content.push(*c);
                            j += 1;
                        }
                    }
                };
                if closed {
                    self.text.push_str(&String::from_utf8_lossy(&content));
                    rest = j + 1;
                }
            }
            let next = memchr::memchr(d, &b[rest..]).map_or(b.len(), |p| rest + p);
            self.text.push_str(&line[rest..next]);
            self.spans.push((a as u32, self.text.len() as u32));
            if next >= b.len() {
                break;
            }
            i = next + 1;
        }
    }

    /// The last record read: its unescaped text and cell spans.
    fn record(&self) -> (&str, &[(u32, u32)]) {
        (&self.text, &self.spans)
    }
}

/// Cells of an XLSX sheet as text, its header row found as for CSV (a title or notes above
/// it are skipped).
pub struct SheetTable {
    /// Header cells.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<SheetRow>,
    /// Sheet name used.
    pub sheet: String,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
    /// The rows skipped above the header (a title, notes), as read.
    pub preamble: Vec<Vec<String>>,
    /// The sheet row of the header.
    pub header_line: usize,
}

/// A sheet's data row: its row number, cells, and cells joined by U+001F (for duplicates).
pub type SheetRow = (usize, Vec<String>, String);

/// True when the bytes are a ZIP container (XLSX).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// How much a workbook may unzip to, by default: 256 MiB (about half a million rows of
/// fifteen columns). A file beyond it is refused before anything is read into memory.
pub const DEFAULT_XLSX_LIMIT_MIB: u64 = 256;

/// Cell places a sheet may take beyond its filled cells: a row is as wide as its last filled
/// cell, so a few cells far apart (a sheet crafted to be huge) would otherwise take gigabytes.
const SLOTS_BASE: usize = 1 << 20;
const SLOTS_PER_FILLED: usize = 8;

/// Refuses a workbook whose parts unzip to more than `limit_mib`, counting the bytes as they
/// are inflated (a part's declared size may lie), with nothing kept: a crafted file of a few
/// megabytes that unzips to gigabytes is stopped at the limit.
fn check_unzipped_size(file: &str, bytes: &[u8], limit_mib: u64) -> Result<(), Error> {
    let unreadable = |reason: String| Error::UnreadableSpreadsheet {
        file: file.to_string(),
        reason,
    };
    let too_large = || Error::SpreadsheetTooLarge {
        file: file.to_string(),
        limit_mib,
    };
    let limit = limit_mib.saturating_mul(1 << 20);
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| unreadable(e.to_string()))?;
        declared = declared.saturating_add(f.size());
        if declared > limit {
            return Err(too_large());
        }
    }
    let mut inflated = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index(i).map_err(|e| unreadable(e.to_string()))?;
        let mut f = std::io::Read::take(f, limit - inflated + 1);
        inflated +=
            std::io::copy(&mut f, &mut std::io::sink()).map_err(|e| unreadable(e.to_string()))?;
        if inflated > limit {
            return Err(too_large());
        }
    }
    Ok(())
}

/// Reads a sheet of an XLSX workbook: `sheet`, or else the first sheet that looks like a
/// table (a header row of two or more cells with a row under it), so that a notes sheet
/// (说明) before the data is passed over; the first sheet when none does. `header_row` is the
/// sheet row of the header (found when `None`); `limit_mib` bounds the unzipped size.
pub fn read_xlsx(
    file: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    header_row: Option<usize>,
    limit_mib: Option<u64>,
) -> Result<SheetTable, Error> {
    use calamine::{Reader, Xlsx};
    let unreadable = |reason: String| Error::UnreadableSpreadsheet {
        file: file.to_string(),
        reason,
    };
    check_unzipped_size(file, bytes, limit_mib.unwrap_or(DEFAULT_XLSX_LIMIT_MIB))?;
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let names = wb.sheet_names().to_vec();
    let mut read = |name: &str| -> Result<SheetTable, Error> {
        let cells = wb
            .worksheet_cells_reader(name)
            .map_err(|e| unreadable(e.to_string()))?;
        let filled = sheet_cells(file, cells)?;
        let (header_line, headers, rows, preamble) = sheet_table(filled, header_row);
        Ok(SheetTable {
            headers,
            rows,
            sheet: name.to_string(),
            sheets: names.clone(),
            preamble,
            header_line,
        })
    };
    match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(Error::SheetNotFound {
                    file: file.to_string(),
                    sheet: s.to_string(),
                    available: names.clone(),
                });
            }
            read(s)
        }
        None => {
            let first = names
                .first()
                .cloned()
                .ok_or_else(|| unreadable("the workbook has no sheet".to_string()))?;
            for name in &names {
                let t = read(name)?;
                let filled = t.headers.iter().filter(|h| !h.is_empty()).count();
                if filled >= 2 && !t.rows.is_empty() {
                    return Ok(t);
                }
            }
            read(&first)
        }
    }
}

/// The rows of a sheet that have a filled cell, as `(sheet row, cells)`, each as wide as its
/// last filled cell, read cell by cell (no sheet-sized grid is ever allocated).
fn sheet_cells<RS: std::io::Read + std::io::Seek>(
    file: &str,
    mut cells: calamine::XlsxCellReader<'_, RS>,
) -> Result<Vec<(usize, Vec<String>)>, Error> {
    use calamine::DataRef;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let (mut slots, mut filled) = (0usize, 0usize);
    loop {
        let cell = cells
            .next_cell()
            .map_err(|e| Error::UnreadableSpreadsheet {
                file: file.to_string(),
                reason: e.to_string(),
            })?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            DataRef::Float(f) => float_text(*f),
            DataRef::Int(v) => v.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(dt) => excel_datetime_text(dt.as_f64()),
            DataRef::Error(e) => format!("#{e:?}"),
        };
        if text.trim().is_empty() {
            continue;
        }
        let line = r as usize + 1;
        // Cells come row by row; a row out of order is put in its place.
        let at = match rows.last() {
            Some((l, _)) if *l == line => rows.len() - 1,
            Some((l, _)) if *l > line => match rows.binary_search_by_key(&line, |x| x.0) {
                Ok(i) => i,
                Err(i) => {
                    rows.insert(i, (line, Vec::new()));
                    i
                }
            },
            _ => {
                rows.push((line, Vec::new()));
                rows.len() - 1
            }
        };
        let row = &mut rows[at].1;
        let c = c as usize;
        if row.len() <= c {
            slots += c + 1 - row.len();
            row.resize(c + 1, String::new());
        }
        row[c] = text;
        filled += 1;
        if slots > SLOTS_BASE + SLOTS_PER_FILLED * filled {
            return Err(Error::SpreadsheetTooSparse {
                file: file.to_string(),
                row: line,
                column: c + 1,
            });
        }
    }
    Ok(rows)
}

/// A number cell as text: whole numbers without a fraction.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A sheet's header row and cells (found as for CSV, or on `header_row`), its data rows
/// (each at least as wide as the header) and the rows skipped above the header.
fn sheet_table(
    filled: Vec<(usize, Vec<String>)>,
    header_row: Option<usize>,
) -> (usize, Vec<String>, Vec<SheetRow>, Vec<Vec<String>>) {
    let skip = match header_row {
        Some(h) => filled.iter().take_while(|(l, _)| *l < h).count(),
        None => 0,
    };
    let mut filled = filled.into_iter().skip(skip).peekable();
    let k = if header_row.is_some() {
        0
    } else {
        let first: Vec<Vec<String>> = filled
            .clone()
            .take(LOOKAHEAD)
            .map(|(_, cells)| cells)
            .collect();
        structure::header_index(&first)
    };
    let preamble: Vec<Vec<String>> = filled.by_ref().take(k).map(|(_, c)| c).collect();
    let Some((header_line, headers)) = filled.next() else {
        return (0, Vec::new(), Vec::new(), preamble);
    };
    let headers: Vec<String> = headers.into_iter().map(|c| c.trim().to_string()).collect();
    let rows = filled
        .map(|(line, mut cells)| {
            if cells.len() < headers.len() {
                cells.resize(headers.len(), String::new());
            }
            let raw = cells.join("\u{1F}");
            (line, cells, raw)
        })
        .collect();
    (header_line, headers, rows, preamble)
}

/// Renders an Excel serial date-time as `YYYY-MM-DD HH:MM:SS` (1900 date system).
fn excel_datetime_text(serial: f64) -> String {
    let day = serial.floor();
    let secs = ((serial - day) * 86400.0).round() as i64;
    let d = day as i32 + super::values::days_from_civil(1899, 12, 30);
    format!(
        "{} {:02}:{:02}:{:02}",
        super::values::format_day(d),
        (secs / 3600).min(23),
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rows = Vec<(usize, Vec<String>, bool)>;

    fn rows(text: &str) -> (Vec<String>, Rows) {
        let t = CsvTable::open(text, sniff_delimiter(text)).unwrap();
        let mut out = Vec::new();
        t.for_each_row(|r| {
            out.push((r.line, r.fields.to_vec(), r.unclosed_quote));
            true
        });
        (t.headers, out)
    }

    /// A row as the reference and the reader give it: line, cells, raw text, unclosed quote.
    type FullRow = (usize, Vec<String>, String, bool);

    /// The reference: every row as the `csv` crate reads the whole text (the reader used
    /// before rows were split in place), with the same line, blank-line and header rules.
    fn reference_rows(text: &str, delimiter: u8) -> Vec<FullRow> {
        let mut rdr = csv_reader(text, delimiter);
        let mut rec = csv::StringRecord::new();
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut seen_header = false;
        while let Ok(true) = rdr.read_record(&mut rec) {
            let end = (rdr.position().byte() as usize).min(bytes.len());
            let mut start = rec.position().map_or(0, |p| p.byte() as usize).min(end);
            while start < end && (bytes[start] == b'\r' || bytes[start] == b'\n') {
                start += 1;
            }
            if !seen_header {
                // The header is the first record with a non-blank cell.
                seen_header = rec.iter().any(|f| !f.trim().is_empty());
                continue;
            }
            let line = 1 + bytes[..start].iter().filter(|b| **b == b'\n').count();
            let raw = text[start..end].trim_end_matches(['\r', '\n']);
            if raw.trim().is_empty() && rec.iter().all(|x| x.is_empty()) {
                continue;
            }
            let unclosed = end >= text.len() && raw.bytes().filter(|c| *c == b'"').count() % 2 == 1;
            out.push((
                line,
                rec.iter().map(str::to_string).collect(),
                raw.to_string(),
                unclosed,
            ));
        }
        out
    }

    fn reader_rows(t: &CsvTable<'_>, from: usize, to: usize) -> (Vec<FullRow>, bool) {
        let mut out = Vec::new();
        let on_boundary = t.for_each_row_in(from, to, |r| {
            out.push((
                r.line,
                r.fields.to_vec(),
                r.raw.to_string(),
                r.unclosed_quote,
            ));
            true
        });
        (out, on_boundary)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]
        /// Split in place or read by csv_core, rows are what the csv crate gives, and parts
        /// read on their own join into the same rows.
        #[test]
        fn rows_match_the_csv_crate(text in "[a,\"\r\n 中;]{0,80}") {
            for delimiter in [b',', b';'] {
                // The header on the first line, as the reference takes it.
                let Some(mut t) = CsvTable::open_at(&text, delimiter, Some(1)) else { continue };
                t.recover_quotes = false;
                let expected = reference_rows(&text, delimiter);
                let (whole, _) = reader_rows(&t, 0, text.len());
                proptest::prop_assert_eq!(&whole, &expected, "text {:?}", text);
                // Two parts split at any line start: the same rows, unless a row ran across
                // the split (the first part then read on to the end).
                let starts = text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len());
                for at in starts {
                    let (mut first, on_boundary) = reader_rows(&t, 0, at);
                    if on_boundary {
                        first.extend(reader_rows(&t, at, text.len()).0);
                    }
                    proptest::prop_assert_eq!(&first, &expected, "text {:?} split at {}", text, at);
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, ..Default::default() })]
        /// With stray quotes read as characters, parts read on their own still join into the
        /// rows of one pass, and no row is lost: every line of the text that is not blank
        /// starts a row or lies inside a quoted field of the row before.
        #[test]
        fn recovered_rows_are_the_same_in_parts(text in "[a,\"\n中]{0,80}") {
            let Some(t) = CsvTable::open(&text, b',') else { return Ok(()) };
            let (whole, _) = reader_rows(&t, 0, text.len());
            let starts = text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len());
            for at in starts {
                let (mut first, on_boundary) = reader_rows(&t, 0, at);
                if on_boundary {
                    first.extend(reader_rows(&t, at, text.len()).0);
                }
                proptest::prop_assert_eq!(&first, &whole, "text {:?} split at {}", text, at);
            }
            proptest::prop_assert!(whole.iter().all(|r| !r.3), "no row runs unclosed to the end: {:?}", whole);
        }
    }

    #[test]
    fn a_stray_quote_swallows_no_row() {
        // A nickname starting with a quote, closed by the quote of a later row: the rows
        // between are rows, the nickname keeps its quote.
        let text = "id,name,amount\n1,\"Bob,10\n2,Ann,20\n3,Li,30\n4,\"Wu, Qi\",40\n";
        let (_, r) = rows(text);
        let cells: Vec<Vec<String>> = r.iter().map(|x| x.1.clone()).collect();
        let want: Vec<Vec<String>> = [
            ["1", "\"Bob", "10"],
            ["2", "Ann", "20"],
            ["3", "Li", "30"],
            ["4", "Wu, Qi", "40"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        assert_eq!(cells, want);
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), [2, 3, 4, 5]);
        let t = CsvTable::open(text, b',').unwrap();
        let mut stray = Vec::new();
        t.for_each_row(|r| {
            stray.push(r.stray_quote);
            true
        });
        assert_eq!(stray, [true, false, false, false]);
    }

    #[test]
    fn a_quoted_field_with_line_breaks_is_still_one_field() {
        // The continuation lines are not rows of the header's width: real line breaks.
        let text = "id,note,amount\n1,\"first line\nsecond, line\nthird\",10\n2,x,20\n";
        let (_, r) = rows(text);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].1[1], "first line\nsecond, line\nthird");
        assert_eq!((r[1].0, r[1].1[2].as_str()), (5, "20"));
    }

    #[test]
    fn a_part_read_across_its_end_still_sees_bare_carriage_returns() {
        // The split falls inside the quoted field; after it, a bare CR ends a record.
        let text = format!("a,b\n1,\"{}end\"\n2,p\rq\n3,r\n", "line\n".repeat(10));
        let t = CsvTable::open(&text, b',').unwrap();
        let pts = t.split_points(2);
        assert_eq!(pts.len(), 3);
        let (rows, on_boundary) = reader_rows(&t, pts[0], pts[1]);
        assert!(!on_boundary, "the quoted field runs across the split");
        assert_eq!(rows, reference_rows(&text, b','));
        assert_eq!(rows.len(), 4, "{rows:?}");
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n1;\"2;5\";3"), b';');
        assert_eq!(sniff_delimiter("a|b\n1|2"), b'|');
    }

    #[test]
    fn quoted_fields_with_delimiters_quotes_and_newlines() {
        let (h, r) = rows("id,name,amount\r\n1,\"Li, \"\"Lei\"\"\",\"1,234.50\"\r\n2,\"two\nlines\",5\r\n3,x,6\r\n");
        assert_eq!(h, vec!["id", "name", "amount"]);
        assert_eq!(
            r[0],
            (
                2,
                vec!["1".into(), "Li, \"Lei\"".into(), "1,234.50".into()],
                false
            )
        );
        assert_eq!(r[1].0, 3);
        assert_eq!(r[1].1[1], "two\nlines");
        assert_eq!(r[2].0, 5, "line numbers count physical lines");
    }

    #[test]
    fn an_unclosed_quote_is_read_on_its_own_line() {
        let (_, r) = rows("id,name\n1,ok\n2,\"broken\n3,kept\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].1, ["2", "\"broken"]);
        assert_eq!((r[2].0, r[2].1[1].as_str()), (4, "kept"));
        assert!(r.iter().all(|x| !x.2));
    }

    #[test]
    fn header_only_and_blank_lines() {
        let (h, r) = rows("a,b\n");
        assert_eq!(h.len(), 2);
        assert!(r.is_empty());
        let (_, r) = rows("a,b\n\n1,2\n\n");
        assert_eq!(r.len(), 1);
        assert!(CsvTable::open("", b',').is_none());
    }
}
