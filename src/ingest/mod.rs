//! Ingest: bytes → decoded text → rows → typed orders/members, with row diagnostics.
//!
//! Every data row ends up in exactly one of: accepted, duplicate (dropped), rejected
//! (with line, column and reason), so `rows = accepted + duplicate_rows + rejected_rows`.

mod blocks;
mod cells;
pub mod decode;
mod group;
mod members;
mod orders;
pub mod roles;
mod rows;
pub mod sniff;
mod stream;
mod structure;
pub mod table;
pub mod values;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strum::VariantArray;

use crate::error::{Error, Warned};
use crate::model::{MemberRecord, OrderFile};
use crate::par;
pub use decode::TextEncoding;
pub use roles::{ColumnMapping, DecidedBy, Role, TableKind};
pub use rows::MAX_WARNINGS_PER_FILE;
use rows::{check_shape, hash64, ColumnIndex, RowLog};
pub use stream::FileStream;
pub use values::DateOrder;

/// What the user may decide about a file; everything is detected when left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileOptions {
    /// Force an encoding instead of detecting it.
    pub encoding: Option<TextEncoding>,
    /// Force the table kind.
    pub kind: Option<TableKind>,
    /// Header → role key, or `"ignore"` to leave a column unused.
    pub columns: BTreeMap<String, String>,
    /// XLSX sheet name (default: the first).
    pub sheet: Option<String>,
    /// Source label for an orders file (default: its file name).
    pub source_label: Option<String>,
    /// Time zone of the data in minutes east of UTC (default UTC+8).
    pub tz_offset_minutes: Option<i32>,
    /// The line (sheet row for workbooks) of the header, 1-based; found when left out (a
    /// title or notes above the header are skipped with a notice).
    pub header_row: Option<usize>,
    /// The order of year-last dates (`31/12/2023`): read only when chosen.
    pub date_order: Option<DateOrder>,
    /// How many MiB a workbook may unzip to (default 256).
    pub xlsx_limit_mib: Option<u64>,
}

/// What the page shows about one file after reading it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSummary {
    /// File name.
    pub name: String,
    /// Detected or chosen kind.
    pub kind: TableKind,
    /// How the kind was decided.
    pub kind_decided_by: DecidedBy,
    /// Encoding label (`xlsx` for workbooks).
    pub encoding: String,
    /// Delimiter (empty for workbooks).
    pub delimiter: String,
    /// Sheet read, for workbooks.
    pub sheet: Option<String>,
    /// Every sheet of a workbook, in order (empty for text files).
    pub sheets: Vec<String>,
    /// Data rows (header excluded).
    pub rows: usize,
    /// Rows accepted.
    pub accepted: usize,
    /// Exact duplicate lines dropped.
    pub duplicate_rows: usize,
    /// Rows rejected.
    pub rejected_rows: usize,
    /// Headers as written.
    pub headers: Vec<String>,
    /// Column mappings.
    pub columns: Vec<ColumnMapping>,
    /// First data rows, for the mapping editor.
    pub sample: Vec<Vec<String>>,
    /// Role keys the user can choose from.
    pub roles_available: Vec<&'static str>,
    /// Warning counts by reason key (rejections, duplicates, ignored fields).
    pub reject_reasons: BTreeMap<String, usize>,
    /// Source label (orders files).
    pub source_label: String,
}

/// Typed content of a file.
#[derive(Debug, Clone)]
pub enum FileData {
    /// Orders and returns.
    Orders(OrderFile),
    /// Member or member-summary records.
    Members(Vec<MemberRecord>),
}

/// A file after ingest.
#[derive(Debug, Clone)]
pub struct IngestedFile {
    /// Summary for the page and the report.
    pub summary: FileSummary,
    /// Typed rows.
    pub data: FileData,
}

/// A file after ingest, with its first [`MAX_WARNINGS_PER_FILE`] row warnings (and file
/// notices).
pub type Ingested = Warned<IngestedFile>;

/// Rows of a file before typing, CSV or workbook.
enum Source<'t> {
    Csv(table::CsvTable<'t>),
    Sheet(table::SheetTable),
}

impl Source<'_> {
    fn headers(&self) -> &[String] {
        match self {
            Source::Csv(t) => &t.headers,
            Source::Sheet(s) => &s.headers,
        }
    }

    /// The delimiter of the rows' raw text (U+001F for workbook rows).
    fn delimiter(&self) -> u8 {
        match self {
            Source::Csv(t) => t.delimiter(),
            Source::Sheet(_) => 0x1F,
        }
    }

    /// The records skipped above the header, and the header's line.
    fn preamble(&self) -> (&[Vec<String>], usize) {
        match self {
            Source::Csv(t) => (&t.preamble, t.header_line),
            Source::Sheet(s) => (&s.preamble, s.header_line),
        }
    }

    /// The file notice about the records skipped above the header, if they call for one.
    fn preamble_warning(&self, name: &str) -> Option<crate::error::Warning> {
        let (preamble, header_line) = self.preamble();
        structure::preamble_notice(preamble).map(|code| crate::error::Warning {
            file: name.to_string(),
            line: header_line,
            column: None,
            code,
        })
    }

    /// Drops header cells (by position): see [`header_width_mismatch`].
    fn drop_header_cells(&mut self, cells: &[usize]) {
        let keep = |h: &mut Vec<String>| {
            let mut i = 0;
            h.retain(|_| {
                i += 1;
                !cells.contains(&(i - 1))
            });
        };
        match self {
            Source::Csv(t) => keep(&mut t.headers),
            Source::Sheet(s) => keep(&mut s.headers),
        }
    }

    /// The header lines inside the data ([`structure::HeaderMatcher`]). Only lines without a
    /// digit are split and looked at, so the pass costs little beside reading the rows.
    fn header_lines(&self, headers: &[String], read: &[bool]) -> structure::HeaderLines {
        let mut scan = structure::HeaderScan::default();
        let matcher = structure::HeaderMatcher::new(headers, read);
        match self {
            Source::Csv(t) => {
                let (text, line) = t.data();
                scan.csv_lines(&matcher, text, line, t.delimiter());
            }
            Source::Sheet(s) => {
                for (line, cells, raw) in &s.rows {
                    if structure::may_be_header(raw.as_bytes()) {
                        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                        scan.line(&matcher, *line, Some(&cells));
                    } else {
                        scan.line(&matcher, *line, None);
                    }
                }
            }
        }
        scan.found
    }

    /// The raw text of a row from the span [`Source::for_each_row_ref`] gave it.
    fn raw(&self, (a, len): (u32, u32)) -> &str {
        match self {
            Source::Csv(t) => &t.text()[a as usize..(a + len) as usize],
            Source::Sheet(s) => &s.rows[a as usize].2,
        }
    }

    /// Like [`Source::for_each_row`], also giving each row's raw-text span.
    fn for_each_row_ref<'s>(
        &'s self,
        mut f: impl FnMut(table::RawRow<'_, 's>, (u32, u32)) -> bool,
    ) {
        match self {
            Source::Csv(t) => t.for_each_row(|r| {
                let span = csv_span(t.text(), r.raw);
                f(r, span)
            }),
            Source::Sheet(_) => {
                let mut k = 0u32;
                self.for_each_row(|r| {
                    k += 1;
                    f(r, (k - 1, 0))
                })
            }
        }
    }

    fn for_each_row<'s>(&'s self, f: impl FnMut(table::RawRow<'_, 's>) -> bool) {
        match self {
            Source::Csv(t) => t.for_each_row(f),
            Source::Sheet(s) => {
                let mut f = f;
                for (line, cells, raw) in &s.rows {
                    if !f(table::RawRow {
                        line: *line,
                        fields: table::Fields::Cells(cells),
                        raw,
                        unclosed_quote: false,
                        stray_quote: false,
                        delimiter: 0x1F,
                    }) {
                        break;
                    }
                }
            }
        }
    }
}

/// Where a CSV row's raw text (borrowed from `text`) sits in it.
fn csv_span(text: &str, raw: &str) -> (u32, u32) {
    (
        (raw.as_ptr() as usize - text.as_ptr() as usize) as u32,
        raw.len() as u32,
    )
}

/// Parses the user's column overrides into roles.
fn parse_overrides(file: &str, opts: &FileOptions) -> Result<Vec<(String, Option<Role>)>, Error> {
    opts.columns
        .iter()
        .map(|(h, r)| {
            if r == "ignore" || r.is_empty() {
                Ok((h.clone(), None))
            } else {
                Role::from_key(r)
                    .map(|role| (h.clone(), Some(role)))
                    .ok_or_else(|| Error::UnknownRole {
                        file: file.to_string(),
                        column: h.clone(),
                        role: r.clone(),
                    })
            }
        })
        .collect()
}

/// The first rows of a file as read, for a person to check the reading or choose the kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    /// Headers as written.
    pub headers: Vec<String>,
    /// The first data rows.
    pub rows: Vec<Vec<String>>,
    /// A workbook's sheets, in order (empty for text files).
    pub sheets: Vec<String>,
    /// The sheet read, for workbooks.
    pub sheet: Option<String>,
    /// Encoding label (`xlsx` for workbooks).
    pub encoding: String,
    /// Delimiter (empty for workbooks).
    pub delimiter: String,
}

/// Rows a preview shows.
const PREVIEW_ROWS: usize = 20;

/// The first rows of a file as `ingest` would read them with `opts`, whatever its kind.
pub fn preview(name: &str, bytes: &[u8], opts: &FileOptions) -> Result<Preview, Error> {
    sniff::check(name, bytes)?;
    if table::is_zip(bytes) {
        let s = table::read_xlsx(
            name,
            bytes,
            opts.sheet.as_deref(),
            opts.header_row,
            opts.xlsx_limit_mib,
        )?;
        return Ok(Preview {
            headers: s.headers,
            rows: s.rows.into_iter().take(PREVIEW_ROWS).map(|r| r.1).collect(),
            sheets: s.sheets,
            sheet: Some(s.sheet),
            encoding: "xlsx".into(),
            delimiter: String::new(),
        });
    }
    let decoded = decode::decode(name, bytes, opts.encoding)?;
    let d = table::sniff_delimiter(&decoded.text);
    let t = table::CsvTable::open_at(&decoded.text, d, opts.header_row).ok_or_else(|| {
        Error::EmptyFile {
            file: name.to_string(),
        }
    })?;
    let mut rows = Vec::new();
    t.for_each_row(|r| {
        rows.push(r.fields.to_vec());
        rows.len() < PREVIEW_ROWS
    });
    Ok(Preview {
        headers: t.headers.clone(),
        rows,
        sheets: Vec::new(),
        sheet: None,
        encoding: decoded.encoding.label().to_string(),
        delimiter: delimiter_label(d),
    })
}

/// Reads one file completely. `name` labels the file in warnings and reports.
pub fn ingest(name: &str, bytes: &[u8], opts: &FileOptions) -> Result<Ingested, Error> {
    ingest_in_parts(name, Cow::Borrowed(bytes), opts, par::threads())
}

/// [`ingest`] taking the bytes: they are freed as soon as the rows are read, before the
/// orders are put together (less memory at the peak for a caller that does not keep them).
pub fn ingest_owned(name: &str, bytes: Vec<u8>, opts: &FileOptions) -> Result<Ingested, Error> {
    ingest_in_parts(name, Cow::Owned(bytes), opts, par::threads())
}

/// What reading the text yields before the orders are put together.
enum Read {
    Orders(orders::OrderParts<'static>, Vec<u32>, Vec<u32>),
    Members(Vec<MemberRecord>),
}

/// [`ingest`], reading a large CSV orders text in up to `parts` parts at once.
fn ingest_in_parts(
    name: &str,
    bytes: Cow<'_, [u8]>,
    opts: &FileOptions,
    parts: usize,
) -> Result<Ingested, Error> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyFile {
            file: name.to_string(),
        });
    }
    sniff::check(name, &bytes)?;
    // Everything that borrows the text happens in this block.
    let (read, summary, pre_warnings, log) = {
        let bytes: &[u8] = &bytes;
        let overrides = parse_overrides(name, opts)?;
        let tz = values::Dates {
            tz: opts
                .tz_offset_minutes
                .unwrap_or(values::DEFAULT_TZ_OFFSET_MINUTES),
            order: opts.date_order.unwrap_or_default(),
        };
        let mut pre_warnings = Vec::new();
        let decoded;
        let mut sheets = Vec::new();
        let (mut source, encoding, delimiter, sheet) = if table::is_zip(bytes) {
            let s = table::read_xlsx(
                name,
                bytes,
                opts.sheet.as_deref(),
                opts.header_row,
                opts.xlsx_limit_mib,
            )?;
            let sheet = s.sheet.clone();
            sheets = s.sheets.clone();
            (
                Source::Sheet(s),
                "xlsx".to_string(),
                String::new(),
                Some(sheet),
            )
        } else {
            decoded = decode::decode(name, bytes, opts.encoding)?;
            pre_warnings.extend(decoded.warnings.iter().cloned());
            let d = table::sniff_delimiter(&decoded.text);
            let t =
                table::CsvTable::open_at(&decoded.text, d, opts.header_row).ok_or_else(|| {
                    Error::EmptyFile {
                        file: name.to_string(),
                    }
                })?;
            let delim = delimiter_label(d);
            (
                Source::Csv(t),
                decoded.encoding.label().to_string(),
                delim,
                None,
            )
        };
        pre_warnings.extend(source.preamble_warning(name));
        let header_line = source.preamble().1;
        let Layout {
            kind,
            kind_by,
            headers,
            columns,
            cols: mut index,
            read,
            sample,
        } = layout(
            name,
            &mut source,
            opts,
            &overrides,
            header_line,
            &mut pre_warnings,
        )?;
        index.header_lines = source.header_lines(&headers, &read);
        let cols = Arc::new(index);
        let mut log = RowLog::new(name);
        // Lines borrowed from the input: no copy per row.
        // Size the per-row maps once from the sample's mean line length (rehashing a
        // million-entry table several times costs more than the parse itself).
        let expected_rows = match &source {
            Source::Csv(t) => rows_expected(t.text_len(), &sample),
            Source::Sheet(s) => s.rows.len(),
        };
        let read = match kind {
            TableKind::Orders => {
                let (all, dup_first, oid_first) = read_order_parts(
                    &source,
                    &cols,
                    tz,
                    headers.len(),
                    expected_rows,
                    parts,
                    &log,
                )?;
                Read::Orders(all, dup_first, oid_first)
            }
            TableKind::Members | TableKind::MemberSummary => {
                let mut reader = members::MemberReader::new(name, &cols, tz, kind)?;
                // Duplicate lines first (one pass over hashes), then the typed pass.
                let (mut hashes, mut spans) = (Vec::new(), Vec::new());
                source.for_each_row_ref(|r, span| {
                    hashes.push(hash64(&r.canonical()).max(1));
                    spans.push(span);
                    true
                });
                let first = group::first_occurrence(&[&hashes], |a, b| {
                    let d = source.delimiter();
                    table::canonical(source.raw(spans[a as usize]), d)
                        == table::canonical(source.raw(spans[b as usize]), d)
                });
                drop((hashes, spans));
                let mut i = 0u32;
                source.for_each_row(|r| {
                    log.rows += 1;
                    if first[i as usize] != i {
                        log.duplicate(r.line);
                    } else {
                        match header_place(&r, &cols, &mut log) {
                            HeaderPlace::Skip => {}
                            HeaderPlace::Read => {
                                if check_shape(
                                    &r,
                                    headers.len(),
                                    cols.needed(),
                                    cols.strict_width,
                                    &mut log,
                                ) {
                                    reader.row(&r, &mut log);
                                }
                            }
                            HeaderPlace::Reordered(cells) => {
                                let moved = table::RawRow {
                                    fields: table::Fields::Cells(&cells),
                                    ..r
                                };
                                if check_shape(
                                    &moved,
                                    headers.len(),
                                    cols.needed(),
                                    cols.strict_width,
                                    &mut log,
                                ) {
                                    reader.row(&moved, &mut log);
                                }
                            }
                        }
                    }
                    i += 1;
                    true
                });
                Read::Members(reader.finish())
            }
        };
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
                encoding,
                delimiter,
                sheet,
                sheets,
            },
        );
        (read, summary, pre_warnings, log)
    };
    // The text is not read any more: free it (when it is ours) before the orders are put
    // together.
    drop(bytes);
    put_together(name, read, summary, pre_warnings, log)
}

/// The rows a text of `len` bytes holds, from its first rows' mean length: the per-row arrays
/// are sized once (growing a ten-million-row array doubles it: a copy, and the old one and
/// the new one at once).
fn rows_expected(len: usize, sample: &[Vec<String>]) -> usize {
    let sample_bytes: usize = sample
        .iter()
        .map(|r| r.iter().map(|c| c.len() + 1).sum::<usize>())
        .sum();
    // In u64: on wasm32 a 45 MB file times 200 sample rows overflows usize (the estimate
    // wrapped to about half, and every per-row array of a large file was grown by doubling).
    (len as u64 * sample.len() as u64 / sample_bytes.max(1) as u64).min(50_000_000) as usize
}

/// What a table is, as far as its header and first rows tell.
struct Shape {
    kind: TableKind,
    kind_by: DecidedBy,
    headers: Vec<String>,
    columns: Vec<ColumnMapping>,
    sample: Vec<Vec<String>>,
}

/// How a file is written: encoding, delimiter, and a workbook's sheets.
struct Format {
    encoding: String,
    delimiter: String,
    sheet: Option<String>,
    sheets: Vec<String>,
}

/// The delimiter as the summary shows it.
fn delimiter_label(d: u8) -> String {
    if d == b'\t' {
        "\\t".to_string()
    } else {
        (d as char).to_string()
    }
}

/// The summary as far as the text tells it; the row counts come once the rows are read.
fn summary_of(name: &str, opts: &FileOptions, shape: Shape, format: Format) -> FileSummary {
    FileSummary {
        name: name.to_string(),
        kind: shape.kind,
        kind_decided_by: shape.kind_by,
        encoding: format.encoding,
        delimiter: format.delimiter,
        sheet: format.sheet,
        sheets: format.sheets,
        rows: 0,
        accepted: 0,
        duplicate_rows: 0,
        rejected_rows: 0,
        headers: shape.headers,
        columns: shape.columns,
        sample: shape.sample.into_iter().take(5).collect(),
        roles_available: <Role as VariantArray>::VARIANTS
            .iter()
            .map(|r| r.key())
            .collect(),
        reject_reasons: BTreeMap::new(),
        source_label: opts
            .source_label
            .clone()
            .unwrap_or_else(|| name.to_string()),
    }
}

/// The end of reading a file: its orders put together (or its members as read), the row
/// counts in its summary, its warnings after the file's notices.
fn put_together(
    name: &str,
    read: Read,
    mut summary: FileSummary,
    pre_warnings: Vec<crate::error::Warning>,
    mut log: RowLog,
) -> Result<Ingested, Error> {
    let data = match read {
        Read::Orders(all, dup_first, oid_first) => FileData::Orders(orders::assemble(
            name, all, &dup_first, oid_first, &mut log,
        )?),
        Read::Members(m) => FileData::Members(m),
    };
    debug_assert_eq!(log.rows, log.accepted + log.duplicates + log.rejected);
    if let Some(e) = dates_unreadable(name, &summary, &log) {
        return Err(e);
    }
    let mut warnings = pre_warnings;
    warnings.extend(log.warnings);
    summary.rows = log.rows;
    summary.accepted = log.accepted;
    summary.duplicate_rows = log.duplicates;
    summary.rejected_rows = log.rejected;
    summary.reject_reasons = log.reasons;
    Ok(Warned {
        output: IngestedFile { summary, data },
        warnings,
    })
}

/// What the header and the first rows of a table tell before its rows are read: its kind,
/// its columns and how wide its rows are (file notices about them go to `pre_warnings`).
struct Layout {
    kind: TableKind,
    kind_by: DecidedBy,
    headers: Vec<String>,
    columns: Vec<ColumnMapping>,
    /// The columns' roles; the header lines inside the data are not looked for yet.
    cols: ColumnIndex,
    /// Whether a role reads each column.
    read: Vec<bool>,
    /// The first rows (up to 200), as read.
    sample: Vec<Vec<String>>,
}

/// [`Layout`] of a table whose header is on line `header_line`.
fn layout(
    name: &str,
    source: &mut Source<'_>,
    opts: &FileOptions,
    overrides: &[(String, Option<Role>)],
    header_line: usize,
    pre_warnings: &mut Vec<crate::error::Warning>,
) -> Result<Layout, Error> {
    let mut headers = source.headers().to_vec();
    if headers.is_empty() {
        return Err(Error::EmptyFile {
            file: name.to_string(),
        });
    }
    let mut sample: Vec<Vec<String>> = Vec::new();
    source.for_each_row(|r| {
        sample.push(r.fields.to_vec());
        sample.len() < 200
    });
    if sample.is_empty() {
        return Err(Error::HeaderOnly {
            file: name.to_string(),
        });
    }
    if let Some(dropped) = header_width_mismatch(name, &headers, &sample)? {
        // Empty header cells over no value: the header's columns are the rows' columns
        // once they are gone.
        headers = headers
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !dropped.contains(i))
            .map(|(_, h)| h)
            .collect();
        source.drop_header_cells(&dropped);
        pre_warnings.push(crate::error::Warning {
            file: name.to_string(),
            line: header_line,
            column: None,
            code: crate::error::WarningCode::EmptyHeaderCellsDropped {
                count: dropped.len(),
            },
        });
    }
    let (kind, kind_by, columns) = roles::map_columns(&headers, &sample, opts.kind, overrides);
    let kind = kind.ok_or_else(|| Error::UnknownTableKind {
        file: name.to_string(),
        headers: headers.clone(),
    })?;
    let mut index = ColumnIndex::new(&columns);
    let read: Vec<bool> = columns.iter().map(|c| c.role.is_some()).collect();
    index.strict_width = rows::strict_width(&sample, headers.len());
    if let Some(code) =
        rows::trailing_columns_absent(&sample, &headers, index.needed(), index.strict_width)
    {
        pre_warnings.push(crate::error::Warning {
            file: name.to_string(),
            line: header_line,
            column: None,
            code,
        });
    }
    Ok(Layout {
        kind,
        kind_by,
        headers,
        columns,
        cols: index,
        read,
        sample,
    })
}

/// When every data row is narrower than the header (all alike): the empty header cells to
/// drop when that accounts for the difference (an extra delimiter that made an empty column
/// name); otherwise the error, since each column name after the extra delimiter would sit
/// over another column's values. The error too when every row is wider than the header with
/// values past its last column (a delimiter lost in the header line); rows that only end
/// with empty cells past it (a trailing delimiter) are fine.
fn header_width_mismatch(
    file: &str,
    headers: &[String],
    sample: &[Vec<String>],
) -> Result<Option<Vec<usize>>, Error> {
    let w = sample.iter().map(Vec::len).max().unwrap_or(0);
    if sample.iter().any(|r| r.len() != w) || w == headers.len() {
        return Ok(None);
    }
    if w > headers.len() {
        let past = |r: &Vec<String>| r[headers.len()..].iter().any(|c| !c.trim().is_empty());
        if !sample.iter().any(past) {
            return Ok(None);
        }
        return Err(Error::HeaderWidthMismatch {
            file: file.to_string(),
            header: headers.len(),
            rows: w,
        });
    }
    let empty: Vec<usize> = (0..headers.len())
        .filter(|i| headers[*i].trim().is_empty())
        .collect();
    if headers.len() - empty.len() == w {
        return Ok(Some(empty));
    }
    Err(Error::HeaderWidthMismatch {
        file: file.to_string(),
        header: headers.len(),
        rows: w,
    })
}

/// What to do with a row of a members or summary table, as far as header lines inside the
/// data go (orders do it in their reader).
enum HeaderPlace {
    /// Read it.
    Read,
    /// A header line, or a row of a second table: rejected and counted.
    Skip,
    /// Read these cells: the row's, in the file's column order.
    Reordered(Vec<String>),
}

/// Rejects a header line inside the data (members and summaries; orders do it in their
/// reader), or says how to read the row.
fn header_place(r: &table::RawRow<'_, '_>, cols: &ColumnIndex, log: &mut RowLog) -> HeaderPlace {
    use crate::error::{WarningCode, WarningKind};
    use structure::RowPlace;
    match cols.header_lines.place(r.line) {
        RowPlace::Data => HeaderPlace::Read,
        RowPlace::RepeatedHeader => {
            log.reject(r.line, None, WarningCode::RepeatedHeader);
            HeaderPlace::Skip
        }
        RowPlace::ReorderedHeader(header) => {
            log.reject(
                r.line,
                None,
                WarningCode::ReorderedHeader {
                    header: header.to_string(),
                },
            );
            HeaderPlace::Skip
        }
        RowPlace::Reordered(perm, width) => {
            let needed = perm.iter().flatten().max().map_or(0, |m| m + 1);
            match rows::shape_problem(r, width, needed, cols.strict_width) {
                Some(code) => {
                    log.reject(r.line, None, code);
                    HeaderPlace::Skip
                }
                None => HeaderPlace::Reordered(structure::reorder(&r.fields, perm)),
            }
        }
        RowPlace::SecondHeader(rows, header) => {
            log.reject(
                r.line,
                None,
                WarningCode::SecondTable {
                    rows,
                    header: header.to_string(),
                },
            );
            HeaderPlace::Skip
        }
        RowPlace::InSecondTable => {
            log.reject_silently(WarningKind::HeaderRow);
            HeaderPlace::Skip
        }
    }
}

/// The error for an orders file none of whose rows could be read because every date was
/// unreadable: it names the column and an example, and says when the dates look day-first.
fn dates_unreadable(file: &str, summary: &FileSummary, log: &RowLog) -> Option<Error> {
    use crate::error::{WarningCode, WarningKind};
    let bad = log.reasons.get(WarningKind::BadDate.key()).copied()?;
    if summary.kind != TableKind::Orders || log.accepted > 0 || bad + log.duplicates < log.rows {
        return None;
    }
    let (column, example) = log.warnings.iter().find_map(|w| match &w.code {
        WarningCode::BadOrderDate { value } | WarningCode::DateOutOfRange { value, .. } => {
            Some((w.column.clone().unwrap_or_default(), value.clone()))
        }
        _ => None,
    })?;
    Some(Error::DatesUnreadable {
        file: file.to_string(),
        day_first: values::looks_year_last(&example),
        column,
        example,
    })
}

/// Reads an orders file: its parts in parallel (large CSV text on native targets), then
/// duplicate lines and order ids grouped at once. The rows are put together afterwards
/// ([`orders::assemble`]), once the text is freed.
type GroupedParts = (orders::OrderParts<'static>, Vec<u32>, Vec<u32>);

fn read_order_parts(
    source: &Source<'_>,
    cols: &Arc<ColumnIndex>,
    tz: values::Dates,
    header_len: usize,
    expected_rows: usize,
    parts: usize,
    log: &RowLog,
) -> Result<GroupedParts, Error> {
    let name = log.file.clone();
    let name = name.as_str();
    let n_parts = match source {
        Source::Csv(t) if t.text_len() >= par::MIN_PARALLEL_BYTES => parts,
        _ => 1,
    };
    let place = |r: &table::RawRow<'_, '_>| cols.header_lines.place(r.line);
    let mut parts = Vec::with_capacity(n_parts);
    match source {
        Source::Csv(t) if n_parts > 1 => {
            let pts = t.split_points(n_parts);
            // Parts split by bytes hold about as many rows each; a margin keeps a part's row
            // arrays from doubling (a copy and twice the memory) when it holds a few more.
            let per_part = expected_rows / (pts.len() - 1) + expected_rows / 16 + 64;
            let read =
                |(a, b): (usize, usize)| -> Result<(orders::OrderPart<'static>, bool), Error> {
                    let mut part =
                        orders::OrderPart::new(name, cols.clone(), tz, header_len, per_part)?;
                    let on_boundary = t.for_each_row_in(a, b, |r| {
                        part.row(&r, place(&r));
                        true
                    });
                    Ok((part.finish(), on_boundary))
                };
            let ranges: Vec<(usize, usize)> = pts.windows(2).map(|w| (w[0], w[1])).collect();
            for res in par::map(&ranges, |&r| read(r)) {
                let (part, on_boundary) = res?;
                parts.push(part);
                // A part whose last row ran across its end read the rest of the file.
                if !on_boundary {
                    break;
                }
            }
        }
        _ => {
            let mut part = orders::OrderPart::new(
                name,
                cols.clone(),
                tz,
                header_len,
                expected_rows + expected_rows / 16 + 64,
            )?;
            source.for_each_row(|r| {
                part.row(&r, place(&r));
                true
            });
            parts.push(part.finish());
        }
    }
    Ok(group_orders(orders::OrderParts::new(parts), cols))
}

/// Duplicate lines and order ids grouped by first occurrence, from the rows' hashes and order
/// ids alone: the text is not needed any more.
fn group_orders(mut all: orders::OrderParts<'static>, cols: &ColumnIndex) -> GroupedParts {
    if !cols.has(Role::OrderId) {
        let dup_first = lines_first(&all);
        all.drop_hashes();
        return (all, dup_first, Vec::new());
    }
    let oid_first = group::first_occurrence(&all.oid_hashes(), |a, b| {
        all.oid(a as usize) == all.oid(b as usize)
    });
    let dup_first = duplicate_lines(&mut all, &oid_first);
    all.drop_hashes();
    (all, dup_first, oid_first)
}

/// Duplicate lines of a file with order ids. Two equal lines have equal order ids (unless one
/// was read under a reordered header), so a row whose order id no other row has is nobody's
/// duplicate, unless an equal line has no order id where it stands (read as a header or
/// rejected there: ids are only taken from accepted rows). Such rows, most rows of most
/// exports, are left out of the grouping by line, which then groups only the rows that share
/// an order id and those without one: a grouping less, for a file of one line per order.
/// When a left-out row's line hash is also a line without an order id, or a row was read
/// under a reordered header, every line is grouped, as before.
fn duplicate_lines(all: &mut orders::OrderParts<'static>, oid_first: &[u32]) -> Vec<u32> {
    let n = oid_first.len();
    let mut shared = vec![false; n];
    for (i, &f) in oid_first.iter().enumerate() {
        if f != group::NO_KEY && f as usize != i {
            shared[i] = true;
            shared[f as usize] = true;
        }
    }
    let alone = |i: usize| oid_first[i] != group::NO_KEY && !shared[i];
    let without_ids = oid_first.iter().filter(|f| **f == group::NO_KEY).count();
    // Mostly rows without an order id leaves little out: every line is grouped then too.
    let group_all = all.any_reordered() || without_ids * 4 > n || {
        let lines = all.line_hashes();
        let rows = || lines.iter().flat_map(|p| p.iter().copied()).enumerate();
        let without_id: rustc_hash::FxHashSet<u64> = rows()
            .filter(|(i, _)| oid_first[*i] == group::NO_KEY)
            .map(|(_, h)| h)
            .collect();
        !without_id.is_empty() && rows().any(|(i, h)| alone(i) && without_id.contains(&h))
    };
    if !group_all {
        all.drop_line_hashes(alone);
    }
    let mut first = lines_first(all);
    // Rows left out are their own first occurrence.
    for (i, f) in first.iter_mut().enumerate() {
        if *f == group::NO_KEY {
            *f = i as u32;
        }
    }
    first
}

/// Each row's first equal line, by the line hashes (rows whose hash is 0 get `NO_KEY`).
fn lines_first(all: &orders::OrderParts<'static>) -> Vec<u32> {
    group::first_occurrence(&all.line_hashes(), |a, b| {
        all.same_line(a as usize, b as usize)
    })
}

#[cfg(test)]
mod parts_tests {
    use super::*;

    /// A large orders text with everything that crosses part boundaries: item lines of one
    /// order, exact duplicate lines, quoted fields (one spanning many lines), bad rows and
    /// keys, returns and labels.
    fn big_text(spanning_at: Option<usize>) -> String {
        let mut t = String::from("订单号,下单时间,手机号,商品金额,状态,门店,备注,姓名\n");
        let mut i = 0usize;
        while t.len() < par::MIN_PARALLEL_BYTES + 600_000 {
            // Mostly three item lines in a row; some lines join orders from the file's start
            // (item lines of one order in different parts).
            let oid = if i % 1000 == 999 {
                100_000 + i % 5
            } else {
                100_000 + i / 3
            };
            // Some phones written another way: other cells, the same person (in any part).
            let n = (i * 7919) % 40_000;
            let phone = match (i % 97, i % 89) {
                (0, _) => "12345".to_string(),
                (_, 0) => format!("+86 138-{:04}-{:04}", n / 10_000, n % 10_000),
                _ => format!("138{n:08}"),
            };
            let amount = if i % 211 == 0 {
                "-12.50".to_string()
            } else if i % 53 == 0 {
                format!("¥{}.{:02}", i % 500, i % 100)
            } else {
                format!("{}.{:02}", i % 500, i % 100)
            };
            let date = if i % 331 == 0 {
                "not a date".to_string()
            } else {
                format!("2024-{:02}-{:02} 10:00:00", 1 + i % 12, 1 + i % 28)
            };
            let note = if i % 13 == 0 {
                "\"a, \"\"quoted\"\" note\""
            } else {
                ""
            };
            let line = format!(
                "O{oid},{date},{phone},{amount},{},S{},{note},{}\n",
                if i % 50 == 0 {
                    "已取消"
                } else {
                    "交易成功"
                },
                i % 7,
                ["张三", "\"Li, Lei\"", ""][i % 3]
            );
            t.push_str(&line);
            if i % 101 == 0 {
                t.push_str(&line); // an exact duplicate
            }
            if spanning_at == Some(i) {
                t.push_str("O9,2024-01-01,13800000000,5,交易成功,S1,,\"");
                for _ in 0..40_000 {
                    t.push_str("a line inside one quoted field\n");
                }
                t.push_str("\"\n");
            }
            i += 1;
        }
        t
    }

    /// One pass borrows the bytes, parts take them (and free them early): both paths run.
    fn bytes(text: &str, parts: usize) -> Cow<'_, [u8]> {
        if parts == 1 {
            Cow::Borrowed(text.as_bytes())
        } else {
            Cow::Owned(text.as_bytes().to_vec())
        }
    }

    fn read(text: &str, parts: usize) -> String {
        let f = ingest_in_parts(
            "big.csv",
            bytes(text, parts),
            &FileOptions::default(),
            parts,
        )
        .unwrap();
        let FileData::Orders(o) = &f.data else {
            panic!("orders")
        };
        assert!(o.orders.len() > 10_000);
        format!("{:?}\n{:?}\n{:?}", f.summary, o, f.warnings)
    }

    /// Lines reported as duplicates, against lines whose exact text came earlier (written
    /// plainly here, not through the grouping).
    fn assert_duplicates_are_repeated_lines(text: &str) {
        let f = ingest_in_parts("d.csv", bytes(text, 1), &FileOptions::default(), 1).unwrap();
        let got: Vec<usize> = f
            .warnings
            .iter()
            .filter(|w| w.code == crate::WarningCode::DuplicateLine)
            .map(|w| w.line)
            .collect();
        let mut seen = std::collections::HashSet::new();
        let want: Vec<usize> = text
            .lines()
            .enumerate()
            .skip(1)
            .filter(|(_, l)| !seen.insert(*l))
            .map(|(i, _)| i + 1)
            .collect();
        assert!(!want.is_empty());
        assert_eq!(got, want, "{text}");
    }

    #[test]
    fn duplicate_lines_are_found_whether_or_not_their_order_id_is_shared() {
        let head = "订单号,下单时间,手机号,实付金额,商品\n";
        // Item lines of one order (one repeated), one-line orders repeated near and far, lines
        // without an order id repeated, and a rejected line repeated.
        let mut plain = String::from(head);
        for i in 0..60 {
            plain.push_str(&format!("O{i},2024-01-02,1380000{i:04},{i}.5,A\n"));
        }
        plain.push_str("O1,2024-01-02,13800000001,3,B\nO1,2024-01-02,13800000001,3,B\n");
        plain.push_str("O7,2024-01-02,13800000007,7.5,A\n");
        plain.push_str(",2024-01-03,13900000000,8,A\n,2024-01-03,13900000000,8,A\n");
        plain.push_str("O99,not a date,13900000001,8,A\nO99,not a date,13900000001,8,A\n");
        plain.push_str("O3,2024-01-02,13800000003,3.5,A\n");
        assert_duplicates_are_repeated_lines(&plain);
        // A line whose order id no other row has, repeated where it is not read as an order
        // (inside a second table): still a duplicate.
        let mut second = plain.clone();
        second.push_str("退款单号,退款时间,退款金额\nR1,2024-02-01,5\n");
        second.push_str("O42,2024-01-02,13800000042,42.5,A\n");
        assert_duplicates_are_repeated_lines(&second);
        // The same text under a reordered header: another order id, still a repeated line.
        let mut reordered = plain.clone();
        reordered.push_str("下单时间,订单号,手机号,实付金额,商品\n");
        reordered.push_str("O42,2024-01-02,13800000042,42.5,A\n");
        assert_duplicates_are_repeated_lines(&reordered);
    }

    #[test]
    fn parts_read_exactly_like_one_pass() {
        let text = big_text(None);
        let one = read(&text, 1);
        assert_eq!(one, read(&text, 2));
        assert_eq!(one, read(&text, 3));
    }

    #[test]
    fn a_quoted_field_across_the_split_falls_back_to_one_pass() {
        // The quoted field runs from before the middle to after it.
        let probe = big_text(None);
        let rows_before_middle = probe[..probe.len() / 2 - 300_000].lines().count();
        let text = big_text(Some(rows_before_middle));
        let mid = text.len() / 2;
        let open = text.find(",\"a line inside").unwrap();
        assert!(open < mid && text[open..].find("\"\n").unwrap() + open > mid);
        let one = read(&text, 1);
        assert_eq!(one, read(&text, 2));
    }
}
