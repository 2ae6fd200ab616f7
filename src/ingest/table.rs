//! Text or workbook to rows: delimiter sniffing, RFC 4180 records (via `csv`), XLSX sheets (via `calamine`).

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
}

/// Picks the delimiter among comma, tab, semicolon and pipe from the first lines.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize, false);
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().all(|c| *c == first);
        // Prefer consistency, then more columns.
        if (consistent, first) > (best.2, best.1) {
            best = (d, first, consistent);
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
}

impl<'t> CsvTable<'t> {
    /// Opens a CSV text; `None` when the text holds no header line.
    pub fn open(text: &'t str, delimiter: u8) -> Option<CsvTable<'t>> {
        let mut rdr = csv_reader(text, delimiter);
        let mut rec = csv::StringRecord::new();
        loop {
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
                    let lead =
                        text[start..].len() - text[start..].trim_start_matches(['\r', '\n']).len();
                    let line = 1 + text.as_bytes()[..start + lead]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count();
                    let headers = rec
                        .iter()
                        .map(|s| s.trim().trim_start_matches('\u{FEFF}').to_string())
                        .collect();
                    return Some(CsvTable {
                        text,
                        delimiter,
                        headers,
                        header_line: line.max(1),
                        data_start: (rdr.position().byte() as usize).min(text.len()),
                    });
                }
                Ok(false) => return None,
                Err(_) => return None,
            }
        }
    }

    /// The whole text.
    pub fn text(&self) -> &'t str {
        self.text
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
        mut f: impl FnMut(RawRow<'_, 't>) -> bool,
    ) -> bool {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let mut pos = from.max(self.data_start).min(len);
        // Physical line of `pos`: 1 + the line feeds before it.
        let mut line = 1 + bytes[..pos].iter().filter(|b| **b == b'\n').count();
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
            if pos >= to && !crossed {
                // The row belongs to the next part.
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
                }) {
                    break;
                }
                continue;
            }
            // A record with quotes (or a bare carriage return): read by csv_core.
            let Some(consumed) = quoted.read(&bytes[pos..]) else {
                break;
            };
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
            let (buf, cells) = quoted.record();
            if cells.iter().all(|(a, b)| a == b) && raw.trim().is_empty() {
                continue;
            }
            let unclosed_quote = end >= len && raw.bytes().filter(|c| *c == b'"').count() % 2 == 1;
            if !f(RawRow {
                line: row_line,
                fields: Fields::Text {
                    buf,
                    spans: cells,
                    verbatim: false,
                },
                raw,
                unclosed_quote,
            }) {
                break;
            }
        }
        !crossed
    }
}

/// Reads one record at a time with `csv_core` (the `csv` crate's parser), for the lines the
/// fast path leaves: cells are unescaped into a buffer.
struct QuotedReader {
    rdr: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    text: String,
    spans: Vec<(u32, u32)>,
}

impl QuotedReader {
    fn new(delimiter: u8) -> Self {
        QuotedReader {
            rdr: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
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

    /// The last record read: its unescaped text and cell spans.
    fn record(&self) -> (&str, &[(u32, u32)]) {
        (&self.text, &self.spans)
    }
}

/// Cells of an XLSX sheet as text, first non-empty row as header.
pub struct SheetTable {
    /// Header cells.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<SheetRow>,
    /// Sheet name used.
    pub sheet: String,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
}

/// A sheet's data row: its row number, cells, and cells joined by U+001F (for duplicates).
pub type SheetRow = (usize, Vec<String>, String);

/// True when the bytes are a ZIP container (XLSX).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads a sheet of an XLSX workbook: `sheet`, or else the first sheet that looks like a
/// table (a header row of two or more cells with a row under it), so that a notes sheet
/// (说明) before the data is passed over; the first sheet when none does.
pub fn read_xlsx(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<SheetTable, Error> {
    use calamine::{Reader, Xlsx};
    let unreadable = |reason: String| Error::UnreadableSpreadsheet {
        file: file.to_string(),
        reason,
    };
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let names = wb.sheet_names().to_vec();
    let mut read = |name: &str| -> Result<SheetTable, Error> {
        let range = wb
            .worksheet_range(name)
            .map_err(|e| unreadable(e.to_string()))?;
        let (headers, rows) = sheet_rows(&range);
        Ok(SheetTable {
            headers,
            rows,
            sheet: name.to_string(),
            sheets: names.clone(),
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

/// A sheet's header (its first non-empty row) and data rows (empty rows skipped).
fn sheet_rows(range: &calamine::Range<calamine::Data>) -> (Vec<String>, Vec<SheetRow>) {
    use calamine::Data;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) => {
                    if f.fract() == 0.0 && f.abs() < 1e15 {
                        format!("{}", *f as i64)
                    } else {
                        format!("{f}")
                    }
                }
                Data::Int(v) => v.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(dt) => excel_datetime_text(dt.as_f64()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            })
            .collect();
        let line = first_row + i + 1;
        if headers.is_none() {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            headers = Some(cells.into_iter().map(|c| c.trim().to_string()).collect());
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let raw = cells.join("\u{1F}");
        rows.push((line, cells, raw));
    }
    (headers.unwrap_or_default(), rows)
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
                let Some(t) = CsvTable::open(&text, delimiter) else { continue };
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
    fn unclosed_quote_is_flagged() {
        let (_, r) = rows("id,name\n1,ok\n2,\"broken\n3,lost\n");
        assert_eq!(r.len(), 2);
        assert!(r[1].2);
        assert_eq!(r[1].0, 3);
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
