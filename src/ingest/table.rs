//! Text or workbook to rows: delimiter sniffing, RFC 4180 records (via `csv`), XLSX sheets (via `calamine`).

use crate::error::Error;

/// The cells of one row, borrowed from the reader (no allocation per row).
#[derive(Clone, Copy)]
pub enum Fields<'r> {
    /// A CSV record.
    Csv(&'r csv::StringRecord),
    /// Workbook cells.
    Cells(&'r [String]),
}

impl<'r> Fields<'r> {
    /// Cell `i`, if the row has it.
    pub fn get(&self, i: usize) -> Option<&'r str> {
        match self {
            Fields::Csv(r) => r.get(i),
            Fields::Cells(c) => c.get(i).map(String::as_str),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Fields::Csv(r) => r.len(),
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
            Fields::Csv(r) => {
                if raw.as_bytes().contains(&b'"') {
                    return None;
                }
                // Unquoted fields are laid out as in the text, one delimiter byte apart.
                r.range(i)?.start + i
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

/// Header cells and the reader positioned after them.
pub struct CsvTable<'t> {
    text: &'t str,
    delimiter: u8,
    /// Header cells.
    pub headers: Vec<String>,
    /// Line of the header.
    pub header_line: usize,
}

impl<'t> CsvTable<'t> {
    /// Opens a CSV text; `None` when the text holds no header line.
    pub fn open(text: &'t str, delimiter: u8) -> Option<CsvTable<'t>> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
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
    pub fn for_each_row_in(
        &self,
        from: usize,
        to: usize,
        mut f: impl FnMut(RawRow<'_, 't>) -> bool,
    ) -> bool {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(&self.text.as_bytes()[from..]);
        let mut rec = csv::StringRecord::new();
        let mut seen_header = from > 0;
        // Physical line numbers are counted here from byte offsets: the reader's own
        // line counter lags by one terminator.
        let bytes = self.text.as_bytes();
        let (mut counted_to, mut line_at) = (
            from,
            1 + bytes[..from].iter().filter(|b| **b == b'\n').count(),
        );
        let mut crossed = false;
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                // Invalid UTF-8 cannot happen on decoded text; treat any other error as the end.
                Err(_) => break,
            }
            let end = (from + rdr.position().byte() as usize).min(bytes.len());
            let mut start = rec
                .position()
                .map(|p| from + p.byte() as usize)
                .unwrap_or(counted_to)
                .min(end);
            while start < end && (bytes[start] == b'\r' || bytes[start] == b'\n') {
                start += 1;
            }
            if start >= to && !crossed {
                // The row belongs to the next part.
                break;
            }
            if end > to && !crossed {
                // The row runs across the split: read on to the end.
                crossed = !bytes[to..end.min(bytes.len())]
                    .iter()
                    .all(|b| *b == b'\r' || *b == b'\n');
            }
            line_at += bytes[counted_to.min(start)..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            counted_to = start.max(counted_to);
            let line = line_at;
            if !seen_header {
                if line >= self.header_line {
                    seen_header = true;
                }
                continue;
            }
            let raw = self.text[start..end].trim_end_matches(['\r', '\n']);
            if raw.trim().is_empty() && rec.iter().all(|x| x.is_empty()) {
                continue;
            }
            let unclosed_quote =
                end >= self.text.len() && raw.bytes().filter(|c| *c == b'"').count() % 2 == 1;
            if !f(RawRow {
                line,
                fields: Fields::Csv(&rec),
                raw,
                unclosed_quote,
            }) {
                break;
            }
        }
        !crossed
    }
}

/// Cells of an XLSX sheet as text, first non-empty row as header.
pub struct SheetTable {
    /// Header cells.
    pub headers: Vec<String>,
    /// Data rows: (sheet row number, cells, cells joined by U+001F for duplicate detection).
    pub rows: Vec<(usize, Vec<String>, String)>,
    /// Sheet name used.
    pub sheet: String,
}

/// True when the bytes are a ZIP container (XLSX).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the first sheet (or `sheet`) of an XLSX workbook.
pub fn read_xlsx(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<SheetTable, Error> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| Error::UnreadableSpreadsheet {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| Error::SheetNotFound {
                file: file.to_string(),
                sheet: s.to_string(),
                available: names.clone(),
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::UnreadableSpreadsheet {
                file: file.to_string(),
                reason: "the workbook has no sheet".to_string(),
            })?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::UnreadableSpreadsheet {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
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
    Ok(SheetTable {
        headers: headers.unwrap_or_default(),
        rows,
        sheet: name,
    })
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
