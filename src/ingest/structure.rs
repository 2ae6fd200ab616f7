//! The structure of a table around its rows: lines above the header (a title, notes, an
//! export date) and header lines inside the data (two exports joined into one file, or a
//! second table appended under the first).

use super::roles::{header_role, normalize_header};
use crate::error::WarningCode;

/// Records looked at to tell a preamble from the header.
pub const LOOKAHEAD: usize = 50;
/// The furthest record the header may be found at by itself.
const MAX_PREAMBLE: usize = 20;

/// Which of the first records (cells of each non-blank record, in order) is the header: the
/// first one filled more than half as much as the data rows under it usually are. Title and
/// note lines above the header fill one or two cells (or have fewer fields) where the header
/// names every column. 0 when nothing says otherwise.
pub fn header_index(records: &[Vec<String>]) -> usize {
    let filled = |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty()).count();
    let mut counts: Vec<usize> = records.iter().skip(1).map(filled).collect();
    if counts.is_empty() {
        return 0;
    }
    counts.sort_unstable();
    let typical = counts[counts.len() / 2];
    if typical < 2 {
        return 0;
    }
    records
        .iter()
        .take(MAX_PREAMBLE + 1)
        .position(|r| filled(r) * 2 > typical)
        .unwrap_or(0)
}

/// The notice for lines skipped above the header.
pub fn preamble_notice(skipped: &[Vec<String>]) -> Option<WarningCode> {
    let first = skipped.first()?;
    let text: Vec<&str> = first
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let mut first = text.join(" ");
    if first.chars().count() > 60 {
        first = first.chars().take(60).collect::<String>() + "…";
    }
    Some(WarningCode::PreambleSkipped {
        lines: skipped.len(),
        first,
    })
}

/// What a header line inside the data is.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderLine {
    /// The file's own header again: that line is not a row; the rows after it are.
    Repeated,
    /// The file's columns again in another order (or with columns nothing reads added or
    /// left out): the rows under it, up to the next header line, are read by it. `perm[i]` is
    /// where the file's column `i` sits in these rows; `width` is this header's width.
    Reordered {
        perm: Vec<Option<usize>>,
        width: usize,
    },
    /// Another table's header: it and every row after it, up to the file's header again or
    /// the end, are not read.
    Other,
}

/// Header lines found inside the data, by line.
#[derive(Debug, Clone, Default)]
pub struct HeaderLines {
    /// `(line, kind, header text)`, by line.
    found: Vec<(usize, HeaderLine, String)>,
    /// Rows of each second table (by its header's position in `found`), counted by the reader.
    block_rows: Vec<usize>,
}

/// What a data row is, as far as header lines go.
#[derive(Debug, Clone, PartialEq)]
pub enum RowPlace<'a> {
    /// An ordinary row.
    Data,
    /// The file's header repeated.
    RepeatedHeader,
    /// The header of a second table, with its rows and header text.
    SecondHeader(usize, &'a str),
    /// A row of a second table.
    InSecondTable,
    /// The file's header again with its columns in another order.
    ReorderedHeader(&'a str),
    /// A row under a reordered header: where each of the file's columns sits in it, and
    /// that header's width.
    Reordered(&'a [Option<usize>], usize),
}

impl HeaderLines {
    /// Notes a header-like line.
    pub fn push(&mut self, line: usize, kind: HeaderLine, header: String) {
        self.found.push((line, kind, header));
        self.block_rows.push(0);
    }

    /// Counts a row of the last second table noted.
    pub fn count_block_row(&mut self) {
        if let Some(n) = self.block_rows.last_mut() {
            *n += 1;
        }
    }

    /// Where the row at `line` stands.
    pub fn place(&self, line: usize) -> RowPlace<'_> {
        if self.found.is_empty() {
            return RowPlace::Data;
        }
        let i = match self
            .found
            .partition_point(|(l, _, _)| *l <= line)
            .checked_sub(1)
        {
            Some(i) => i,
            None => return RowPlace::Data,
        };
        let (l, kind, header) = &self.found[i];
        match (kind, *l == line) {
            (HeaderLine::Repeated, true) => RowPlace::RepeatedHeader,
            (HeaderLine::Repeated, false) => RowPlace::Data,
            (HeaderLine::Reordered { .. }, true) => RowPlace::ReorderedHeader(header),
            (HeaderLine::Reordered { perm, width }, false) => RowPlace::Reordered(perm, *width),
            (HeaderLine::Other, true) => RowPlace::SecondHeader(self.block_rows[i], header),
            (HeaderLine::Other, false) => RowPlace::InSecondTable,
        }
    }
}

/// Whether a row is a header line: the file's header again, the file's columns in another
/// order (every column a role reads is there by name), or the header of another table (two
/// cells or more, at least half of its filled cells column names of this file or names a
/// column role is known by, and no cell a number). `read[i]` says whether a role reads the
/// file's column `i`.
pub struct HeaderMatcher<'h> {
    /// The file's header cells, trimmed.
    headers: Vec<&'h str>,
    /// The same, normalised ([`normalize_header`]).
    own: Vec<String>,
    read: &'h [bool],
}

impl<'h> HeaderMatcher<'h> {
    /// The file's header is normalised once, not for every line looked at.
    pub fn new(headers: &'h [String], read: &'h [bool]) -> Self {
        HeaderMatcher {
            headers: headers.iter().map(|h| h.trim()).collect(),
            own: headers.iter().map(|h| normalize_header(h)).collect(),
            read,
        }
    }

    /// What the row `cells` is, if a header line.
    pub fn line(&self, cells: &[&str]) -> Option<HeaderLine> {
        let (own, read) = (&self.own, self.read);
        let cells: Vec<&str> = cells.iter().map(|c| c.trim()).collect();
        let filled: Vec<&str> = cells.iter().copied().filter(|c| !c.is_empty()).collect();
        if filled.len() < 2 {
            return None;
        }
        let trimmed =
            |v: &[&str]| -> usize { v.iter().rposition(|c| !c.is_empty()).map_or(0, |p| p + 1) };
        let n = trimmed(&cells);
        let h = &self.headers;
        if n == trimmed(h) && cells[..n] == h[..n] {
            return Some(HeaderLine::Repeated);
        }
        if filled.iter().any(|c| {
            c.bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        }) {
            return None;
        }
        // Each cell normalised once, for the count of names and for the column order.
        let norm: Vec<String> = cells.iter().map(|c| normalize_header(c)).collect();
        let named = norm
            .iter()
            .zip(&cells)
            .filter(|(n, c)| !c.is_empty() && (own.contains(n) || header_role(n).is_some()))
            .count();
        if named < 2 || named * 2 < filled.len() {
            return None;
        }
        let perm: Vec<Option<usize>> = own
            .iter()
            .map(|h| {
                (!h.is_empty())
                    .then(|| norm.iter().position(|c| c == h))
                    .flatten()
            })
            .collect();
        let complete = perm
            .iter()
            .enumerate()
            .all(|(i, p)| p.is_some() || !read.get(i).copied().unwrap_or(false));
        Some(if complete {
            HeaderLine::Reordered {
                perm,
                width: cells.len(),
            }
        } else {
            HeaderLine::Other
        })
    }
}

/// The search for header lines inside the data, line after line; a file read in chunks keeps
/// it from one chunk to the next.
#[derive(Debug, Default)]
pub struct HeaderScan {
    /// The header lines found so far.
    pub found: HeaderLines,
    /// Whether the lines are in a second table (after another table's header).
    in_block: bool,
}

impl HeaderScan {
    /// Looks at a non-blank line: `cells` are its cells when it may be a header line
    /// ([`may_be_header`]).
    pub fn line(&mut self, matcher: &HeaderMatcher<'_>, line: usize, cells: Option<&[&str]>) {
        match cells.and_then(|c| matcher.line(c).map(|k| (c, k))) {
            Some((cells, kind)) => {
                self.in_block = kind == HeaderLine::Other;
                self.found.push(line, kind, cells.join(","));
            }
            None if self.in_block => self.found.count_block_row(),
            None => {}
        }
    }

    /// Looks at the lines of CSV `text` (whole lines: it ends with a line feed or the file
    /// does), the first of them being line `line`.
    pub fn csv_lines(
        &mut self,
        matcher: &HeaderMatcher<'_>,
        text: &str,
        mut line: usize,
        delimiter: u8,
    ) {
        let d = delimiter as char;
        let mut rest = text;
        while !rest.is_empty() {
            let end = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
            let l = &rest[..end];
            if !may_be_header(l.as_bytes()) {
                // A digit (nearly every data line, told by its first bytes): not blank, and
                // not a header line. Looked at first, so that such a line is not trimmed.
                self.line(matcher, line, None);
            } else {
                let l = l.trim_end_matches('\r');
                if !l.trim().is_empty() {
                    let cells: Vec<&str> = l.split(d).map(|c| c.trim().trim_matches('"')).collect();
                    self.line(matcher, line, Some(&cells));
                }
            }
            rest = rest.get(end + 1..).unwrap_or("");
            line += 1;
        }
    }
}

/// A row's cells in the file's column order, from a row under a reordered header.
pub fn reorder(fields: &super::table::Fields<'_>, perm: &[Option<usize>]) -> Vec<String> {
    perm.iter()
        .map(|p| p.and_then(|i| fields.get(i)).unwrap_or("").to_string())
        .collect()
}

/// True when a line of text may be a header line: it has no ASCII digit (data rows nearly
/// always carry a date, an amount or an id). Checked before the line is split.
pub fn may_be_header(line: &[u8]) -> bool {
    !line.iter().any(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(rows: &[&str]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.split(',').map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn a_title_and_notes_above_the_header_are_a_preamble() {
        let r = recs(&[
            "订单导出报表,,,",
            "导出时间：2024-06-01,,,",
            "订单号,下单时间,手机号,实付金额",
            "1,2024-01-01,13800000000,10",
            "2,2024-01-02,13800000001,20",
        ]);
        assert_eq!(header_index(&r), 2);
        let r = recs(&[
            "订单号,下单时间,手机号,实付金额",
            "1,2024-01-01,,10",
            "2,2024-01-02,,20",
        ]);
        assert_eq!(header_index(&r), 0);
        assert_eq!(header_index(&recs(&["a,b"])), 0);
    }

    #[test]
    fn header_lines_inside_the_data() {
        let h: Vec<String> = ["订单号", "下单时间", "实付金额"]
            .map(String::from)
            .to_vec();
        let read = [true, true, true];
        let m = HeaderMatcher::new(&h, &read);
        assert_eq!(
            m.line(&["订单号", "下单时间", "实付金额"]),
            Some(HeaderLine::Repeated)
        );
        assert_eq!(
            m.line(&["退款单号", "退款时间", "退款金额", "手机号"]),
            Some(HeaderLine::Other)
        );
        assert_eq!(
            m.line(&["实付金额", "备注", "订单号", "下单时间"]),
            Some(HeaderLine::Reordered {
                perm: vec![Some(2), Some(3), Some(0)],
                width: 4
            })
        );
        assert_eq!(m.line(&["A1", "2024-01-01", "10"]), None);
        assert_eq!(m.line(&["张三", "交易成功"]), None);
        let mut lines = HeaderLines::default();
        lines.push(5, HeaderLine::Repeated, String::new());
        lines.push(9, HeaderLine::Other, "x".into());
        for _ in 10..14 {
            lines.count_block_row();
        }
        assert_eq!(lines.place(4), RowPlace::Data);
        assert_eq!(lines.place(5), RowPlace::RepeatedHeader);
        assert_eq!(lines.place(6), RowPlace::Data);
        assert_eq!(lines.place(9), RowPlace::SecondHeader(4, "x"));
        assert_eq!(lines.place(10), RowPlace::InSecondTable);
    }
}
