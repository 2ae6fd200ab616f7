//! Ingest: bytes → decoded text → rows → typed orders/members, with row diagnostics.
//!
//! Every data row ends up in exactly one of: accepted, duplicate (dropped), rejected
//! (with line, column and reason), so `rows = accepted + duplicate_rows + rejected_rows`.

pub mod decode;
mod members;
mod orders;
pub mod roles;
pub mod table;
pub mod values;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Warning, WarningKind};
use crate::model::{MemberRecord, OrderFile, PersonKeys};
pub use decode::TextEncoding;
pub use roles::{ColumnMapping, DecidedBy, Role, TableKind};

/// How many row warnings are kept per file (all are counted).
pub const MAX_WARNINGS_PER_FILE: usize = 100;

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
    /// The first [`MAX_WARNINGS_PER_FILE`] row warnings.
    pub warnings: Vec<Warning>,
}

/// Counts and samples row outcomes of one file.
pub(crate) struct RowLog {
    file: String,
    pub(crate) rows: usize,
    pub(crate) accepted: usize,
    pub(crate) duplicates: usize,
    pub(crate) rejected: usize,
    pub(crate) reasons: BTreeMap<String, usize>,
    pub(crate) warnings: Vec<Warning>,
}

impl RowLog {
    fn new(file: &str) -> Self {
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

    fn note(&mut self, line: usize, column: Option<&str>, kind: WarningKind, reason: String) {
        *self.reasons.entry(kind.key().to_string()).or_default() += 1;
        if self.warnings.len() < MAX_WARNINGS_PER_FILE {
            self.warnings.push(Warning {
                file: self.file.clone(),
                line,
                column: column.map(str::to_string),
                kind,
                reason,
            });
        }
    }

    /// Records a rejected row.
    pub(crate) fn reject(
        &mut self,
        line: usize,
        column: Option<&str>,
        kind: WarningKind,
        reason: String,
    ) {
        self.rejected += 1;
        self.note(line, column, kind, reason);
    }

    /// Records a kept row whose field was unreadable.
    pub(crate) fn field_ignored(&mut self, line: usize, column: &str, reason: String) {
        self.note(line, Some(column), WarningKind::FieldIgnored, reason);
    }

    fn duplicate(&mut self, line: usize) {
        self.duplicates += 1;
        self.note(
            line,
            None,
            WarningKind::DuplicateLine,
            "the line repeats an earlier line exactly".to_string(),
        );
    }
}

/// Where each role sits in a row: an array indexed by role, since it is read ten times a row.
#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnIndex {
    idx: [Option<usize>; roles::ALL_ROLES.len()],
    headers: Vec<String>,
}

impl ColumnIndex {
    fn new(mappings: &[ColumnMapping]) -> Self {
        let mut idx = [None; roles::ALL_ROLES.len()];
        for (i, m) in mappings.iter().enumerate() {
            if let Some(r) = m.role {
                idx[r as usize].get_or_insert(i);
            }
        }
        ColumnIndex {
            idx,
            headers: mappings.iter().map(|m| m.header.clone()).collect(),
        }
    }

    /// Column position of a role.
    pub(crate) fn get(&self, r: Role) -> Option<usize> {
        self.idx[r as usize]
    }

    /// True when the role is mapped.
    pub(crate) fn has(&self, r: Role) -> bool {
        self.idx[r as usize].is_some()
    }

    /// The trimmed cell of a role in a row (empty when unmapped or missing).
    pub(crate) fn cell<'a>(&self, fields: &table::Fields<'a>, r: Role) -> &'a str {
        match self.get(r) {
            Some(i) => fields.get(i).map(|s| s.trim()).unwrap_or(""),
            None => "",
        }
    }

    /// The header of a role's column.
    pub(crate) fn header(&self, r: Role) -> &str {
        self.get(r).map(|i| self.headers[i].as_str()).unwrap_or("")
    }
}

/// A row's identity keys, normalised. An unreadable phone or e-mail is left out with a warning
/// naming the row (the row itself is kept); the flag says whether that happened.
pub(crate) fn read_keys(
    cols: &ColumnIndex,
    r: &table::RawRow<'_, '_>,
    log: &mut RowLog,
) -> (PersonKeys, bool) {
    let mut keys = PersonKeys {
        member_id: values::normalize_member_id(cols.cell(&r.fields, Role::MemberId)),
        ..Default::default()
    };
    let mut left_out = false;
    let phone = cols.cell(&r.fields, Role::Phone);
    if !phone.is_empty() {
        keys.phone = values::normalize_phone(phone);
        if keys.phone.is_none() {
            left_out = true;
            log.field_ignored(
                r.line,
                cols.header(Role::Phone),
                format!("\"{phone}\" is not a phone number; the row is kept without it"),
            );
        }
    }
    let email = cols.cell(&r.fields, Role::Email);
    if !email.is_empty() {
        keys.email = values::normalize_email(email);
        if keys.email.is_none() {
            left_out = true;
            log.field_ignored(
                r.line,
                cols.header(Role::Email),
                format!("\"{email}\" is not an e-mail address; the row is kept without it"),
            );
        }
    }
    (keys, left_out)
}

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
                    }) {
                        break;
                    }
                }
            }
        }
    }
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

/// Reads one file completely. `name` labels the file in warnings and reports.
pub fn ingest(name: &str, bytes: &[u8], opts: &FileOptions) -> Result<IngestedFile, Error> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyFile {
            file: name.to_string(),
        });
    }
    let overrides = parse_overrides(name, opts)?;
    let tz = opts
        .tz_offset_minutes
        .unwrap_or(values::DEFAULT_TZ_OFFSET_MINUTES);
    let mut pre_warnings = Vec::new();
    let decoded;
    let (source, encoding, delimiter, sheet) = if table::is_zip(bytes) {
        let s = table::read_xlsx(name, bytes, opts.sheet.as_deref())?;
        let sheet = s.sheet.clone();
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
        let t = table::CsvTable::open(&decoded.text, d).ok_or_else(|| Error::EmptyFile {
            file: name.to_string(),
        })?;
        let delim = if d == b'\t' {
            "\\t".to_string()
        } else {
            (d as char).to_string()
        };
        (
            Source::Csv(t),
            decoded.encoding.label().to_string(),
            delim,
            None,
        )
    };
    let headers = source.headers().to_vec();
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
    let (kind, kind_by, columns) = roles::map_columns(&headers, &sample, opts.kind, &overrides);
    let kind = kind.ok_or_else(|| Error::UnknownTableKind {
        file: name.to_string(),
        headers: headers.clone(),
    })?;
    let cols = ColumnIndex::new(&columns);
    let mut log = RowLog::new(name);
    // Lines borrowed from the input: no copy per row.
    // Size the per-row maps once from the sample's mean line length (rehashing a
    // million-entry table several times costs more than the parse itself).
    let expected_rows = match &source {
        Source::Csv(t) => {
            let sample_bytes: usize = sample
                .iter()
                .map(|r| r.iter().map(|c| c.len() + 1).sum::<usize>())
                .sum();
            (t.text_len() * sample.len() / sample_bytes.max(1)).min(50_000_000)
        }
        Source::Sheet(s) => s.rows.len(),
    };
    let mut seen = LineSet::with_capacity(expected_rows);
    let mut dedupe = |raw| -> bool { !seen.insert(raw) };
    let data = match kind {
        TableKind::Orders => {
            let mut reader = orders::OrderReader::new(name, &cols, tz, expected_rows)?;
            source.for_each_row(|r| {
                log.rows += 1;
                if dedupe(r.raw) {
                    log.duplicate(r.line);
                } else if check_shape(&r, headers.len(), &mut log) {
                    reader.row(&r, &mut log);
                }
                true
            });
            FileData::Orders(reader.finish()?)
        }
        TableKind::Members | TableKind::MemberSummary => {
            let mut reader = members::MemberReader::new(name, &cols, tz, kind)?;
            source.for_each_row(|r| {
                log.rows += 1;
                if dedupe(r.raw) {
                    log.duplicate(r.line);
                } else if check_shape(&r, headers.len(), &mut log) {
                    reader.row(&r, &mut log);
                }
                true
            });
            FileData::Members(reader.finish())
        }
    };
    debug_assert_eq!(log.rows, log.accepted + log.duplicates + log.rejected);
    let mut warnings = pre_warnings;
    warnings.extend(log.warnings);
    let summary = FileSummary {
        name: name.to_string(),
        kind,
        kind_decided_by: kind_by,
        encoding,
        delimiter,
        sheet,
        rows: log.rows,
        accepted: log.accepted,
        duplicate_rows: log.duplicates,
        rejected_rows: log.rejected,
        headers,
        columns,
        sample: sample.into_iter().take(5).collect(),
        roles_available: roles::ALL_ROLES.iter().map(|r| r.key()).collect(),
        reject_reasons: log.reasons,
        source_label: opts
            .source_label
            .clone()
            .unwrap_or_else(|| name.to_string()),
    };
    Ok(IngestedFile {
        summary,
        data,
        warnings,
    })
}

/// Rejects rows with an unclosed quote or more fields than the header; true when the row may be read.
fn check_shape(r: &table::RawRow<'_, '_>, header_len: usize, log: &mut RowLog) -> bool {
    if r.unclosed_quote {
        log.reject(r.line, None, WarningKind::UnclosedQuote, "a quote opens on this line and never closes; the rest of the file was read as one field".to_string());
        return false;
    }
    if r.fields.len() > header_len
        && (header_len..r.fields.len())
            .any(|i| r.fields.get(i).is_some_and(|f| !f.trim().is_empty()))
    {
        log.reject(
            r.line,
            None,
            WarningKind::RaggedRow,
            format!("the row has {} fields but the header has {}; a value probably contains an unquoted delimiter", r.fields.len(), header_len),
        );
        return false;
    }
    true
}

/// The 64-bit hash that the per-row maps (duplicate lines, order ids) are keyed by.
pub(crate) fn hash64(s: &str) -> u64 {
    use std::hash::BuildHasher;
    // FxHash mixes poorly in its low bits for short keys; fold the high half in.
    let h = rustc_hash::FxBuildHasher.hash_one(s);
    h ^ (h >> 29) ^ (h >> 47)
}

/// Exact set of lines seen, keyed by a 64-bit hash so a probe compares integers; the line
/// text (borrowed from the input) is read only when two hashes are equal.
struct LineSet<'s> {
    by_hash: rustc_hash::FxHashMap<u64, &'s str>,
    /// Lines whose hash equals an earlier, different line's (rare): kept exactly.
    collided: rustc_hash::FxHashSet<&'s str>,
}

impl<'s> LineSet<'s> {
    fn with_capacity(n: usize) -> Self {
        LineSet {
            by_hash: rustc_hash::FxHashMap::with_capacity_and_hasher(n, Default::default()),
            collided: Default::default(),
        }
    }

    /// Inserts a line; false when an identical line was inserted before.
    fn insert(&mut self, line: &'s str) -> bool {
        match self.by_hash.entry(hash64(line)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
                true
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                *o.get() != line && self.collided.insert(line)
            }
        }
    }
}

#[cfg(test)]
mod line_set_tests {
    use super::{hash64, LineSet};

    #[test]
    fn exact_even_when_hashes_collide() {
        let mut s = LineSet::with_capacity(4);
        assert!(s.insert("a,1"));
        assert!(!s.insert("a,1"));
        assert!(s.insert("a,2"));
        // Force a collision: put a different line under an existing hash.
        let h = hash64("x");
        s.by_hash.insert(h, "not x");
        assert!(s.insert("x"), "a different line with the same hash is new");
        assert!(!s.insert("x"), "and is a duplicate the second time");
    }
}
