//! A Pollock-style polluter for order exports (Vitagliano et al., "Pollock: A Data Loading
//! Benchmark", VLDB 2023): takes a clean table and writes it back with one kind of pollution,
//! keeping a map from every physical line of the polluted text to the clean row it carries, so
//! that "the clean table minus the rows the engine reported" can be built.
//!
//! Kinds: extra or missing delimiter in one row, in one column, in the header (each position);
//! stray quotes (a field starting with a quote, a quote inside, an unbalanced quote at the
//! end); changed delimiter, quote and escape characters; preambles and footers; empty lines;
//! line ends; a second table appended; encodings. See docs/robustness.md.

use memberlens::{ingest, FileOptions};

/// A clean table: header and data rows as cell values.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Where it comes from (fixture window or synthetic), for the report.
    pub name: String,
    /// Header cells.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as a standard CSV text: comma, `"` quoting only where needed, LF, UTF-8.
    pub fn to_csv(&self) -> String {
        let d = Dialect::STANDARD;
        let mut s = d.record(&self.header);
        s.push('\n');
        for r in &self.rows {
            s.push_str(&d.record(r));
            s.push('\n');
        }
        s
    }

    /// The table without the rows in `removed` (indices into `rows`).
    pub fn without(&self, removed: &std::collections::BTreeSet<usize>) -> Table {
        Table {
            name: self.name.clone(),
            header: self.header.clone(),
            rows: self
                .rows
                .iter()
                .enumerate()
                .filter(|(i, _)| !removed.contains(i))
                .map(|(_, r)| r.clone())
                .collect(),
        }
    }

    /// Index of the first column whose header is one of `names`.
    fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.contains(&h.as_str()))
    }
}

/// How an embedded quote is escaped inside a quoted field.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Escape {
    /// RFC 4180: the quote doubled.
    Double,
    /// A backslash before it (MySQL, some PHP exports).
    Backslash,
}

/// How fields are written.
#[derive(Debug, Clone, Copy)]
struct Dialect {
    delimiter: char,
    quote: char,
    escape: Escape,
}

impl Dialect {
    const STANDARD: Dialect = Dialect {
        delimiter: ',',
        quote: '"',
        escape: Escape::Double,
    };

    fn with_delimiter(delimiter: char) -> Dialect {
        Dialect {
            delimiter,
            ..Dialect::STANDARD
        }
    }

    /// One cell as written: quoted when it holds the delimiter, the quote or a line end.
    fn field(&self, v: &str) -> String {
        let needs = v.contains(self.delimiter)
            || v.contains(self.quote)
            || v.contains('\n')
            || v.contains('\r');
        if !needs {
            return v.to_string();
        }
        let q = self.quote;
        let escaped = match self.escape {
            Escape::Double => v.replace(q, &format!("{q}{q}")),
            Escape::Backslash => v.replace(q, &format!("\\{q}")),
        };
        format!("{q}{escaped}{q}")
    }

    fn fields(&self, cells: &[String]) -> Vec<String> {
        cells.iter().map(|c| self.field(c)).collect()
    }

    fn record(&self, cells: &[String]) -> String {
        self.fields(cells).join(&self.delimiter.to_string())
    }
}

/// One line of a polluted text (a record may hold embedded line feeds), and the clean row it
/// carries, if any.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    row: Option<usize>,
}

/// How the lines of a text end.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ends {
    Lf,
    CrLf,
    Cr,
    /// LF, CRLF and CR in turn.
    Mixed,
    /// LF, without one after the last line.
    LfNoFinal,
}

/// How the text becomes bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
    Utf16Le { bom: bool },
    Utf16Be { bom: bool },
}

/// A polluted export and what it should read as.
#[derive(Debug, Clone)]
pub struct Polluted {
    /// Pollution kind (one row of the pass table).
    pub kind: &'static str,
    /// Where exactly (row, field, variant).
    pub variant: String,
    /// The clean table it was made from.
    pub base: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The text before encoding (for printing examples).
    pub text: String,
    /// For every physical line (index 0 is line 1), the clean row it carries.
    pub line_rows: Vec<Option<usize>>,
    /// What the file holds when read as intended (the base, plus the rows of an appended
    /// table).
    pub clean: Table,
}

impl Polluted {
    /// The clean row a 1-based line carries.
    pub fn row_at_line(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|i| self.line_rows.get(i).copied().flatten())
    }

    /// The clean row whose first line is this 1-based line (not a later line of a row that
    /// holds a line feed).
    pub fn row_starting_at(&self, line: usize) -> Option<usize> {
        let row = self.row_at_line(line)?;
        (line < 2 || self.row_at_line(line - 1) != Some(row)).then_some(row)
    }
}

/// The lines of a table written in `dialect`: the header (no row), then each row.
fn lines(t: &Table, dialect: Dialect) -> Vec<Line> {
    std::iter::once(Line {
        text: dialect.record(&t.header),
        row: None,
    })
    .chain(t.rows.iter().enumerate().map(|(i, r)| Line {
        text: dialect.record(r),
        row: Some(i),
    }))
    .collect()
}

/// Joins lines with their ends; returns the text and the row of every physical line.
fn assemble(lines: &[Line], ends: Ends) -> (String, Vec<Option<usize>>) {
    let mut text = String::new();
    let mut map = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        text.push_str(&l.text);
        // Embedded line feeds (inside quoted fields) are physical lines of the same row.
        for _ in 0..=l.text.matches('\n').count() {
            map.push(l.row);
        }
        let last = i + 1 == lines.len();
        text.push_str(match ends {
            Ends::Lf => "\n",
            Ends::CrLf => "\r\n",
            Ends::Cr => "\r",
            Ends::Mixed => ["\n", "\r\n", "\r"][i % 3],
            Ends::LfNoFinal if last => "",
            Ends::LfNoFinal => "\n",
        });
    }
    (text, map)
}

/// Encodes a text; `None` when the encoding cannot hold it.
fn encode(text: &str, enc: Encoding) -> Option<Vec<u8>> {
    let utf16 = |be: bool, bom: bool| {
        let mut b = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for u in units {
            b.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        b
    };
    Some(match enc {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Encoding::Gbk => {
            let (b, _, unmappable) = encoding_rs::GBK.encode(text);
            if unmappable {
                return None;
            }
            b.into_owned()
        }
        Encoding::Utf16Le { bom } => utf16(false, bom),
        Encoding::Utf16Be { bom } => utf16(true, bom),
    })
}

/// Where the chars of `s` split in half (a byte offset on a char boundary).
fn middle(s: &str) -> usize {
    let n = s.chars().count();
    s.char_indices().nth(n / 2).map_or(s.len(), |(i, _)| i)
}

/// Collects polluted files of one base table.
struct Maker<'t> {
    base: &'t Table,
    out: Vec<Polluted>,
}

impl Maker<'_> {
    /// Adds a file made of `lines` unless it is the same as the clean text (a pollution that
    /// changes nothing, such as a new quote character on a table without quoted fields).
    fn push(
        &mut self,
        kind: &'static str,
        variant: String,
        lines: &[Line],
        ends: Ends,
        enc: Encoding,
        clean: Option<Table>,
    ) {
        let (text, line_rows) = assemble(lines, ends);
        let clean = clean.unwrap_or_else(|| self.base.clone());
        if kind != "clean" && enc == Encoding::Utf8 && text == clean.to_csv() {
            return;
        }
        let Some(bytes) = encode(&text, enc) else {
            return;
        };
        self.out.push(Polluted {
            kind,
            variant,
            base: self.base.name.clone(),
            bytes,
            text,
            line_rows,
            clean,
        });
    }

    fn push_lines(&mut self, kind: &'static str, variant: String, lines: &[Line]) {
        self.push(kind, variant, lines, Ends::Lf, Encoding::Utf8, None);
    }
}

/// Rows whose single-row pollutions are tried: the first, one in the middle, the last.
fn probe_rows(t: &Table) -> Vec<usize> {
    let mut r = vec![0, t.rows.len() / 2, t.rows.len() - 1];
    r.dedup();
    r
}

/// A row's written fields with one edit applied, joined again.
fn edited(
    fields: &[String],
    delimiter: char,
    edit: impl Fn(usize, &str) -> Option<String>,
) -> String {
    fields
        .iter()
        .enumerate()
        .map(|(k, f)| edit(k, f).unwrap_or_else(|| f.clone()))
        .collect::<Vec<_>>()
        .join(&delimiter.to_string())
}

/// The field edits of the row-, column- and header-level kinds: field `k` of the written
/// record, changed.
#[derive(Debug, Clone, Copy)]
enum FieldEdit {
    /// A delimiter in the middle of the field (at its end when it has fewer than two chars).
    ExtraDelimiter,
    /// The delimiter after the field removed.
    MissingDelimiter,
    /// A quote before the field.
    QuoteStart,
    /// A quote in the middle of the field.
    QuoteMiddle,
    /// A quote after the field.
    QuoteEnd,
}

impl FieldEdit {
    /// The record's text with the edit at field `k`; `None` where it does not apply.
    fn apply(self, fields: &[String], k: usize) -> Option<String> {
        let d = ',';
        match self {
            FieldEdit::MissingDelimiter => {
                if k + 1 >= fields.len() {
                    return None;
                }
                let mut f = fields.to_vec();
                let next = f.remove(k + 1);
                f[k].push_str(&next);
                Some(f.join(&d.to_string()))
            }
            FieldEdit::ExtraDelimiter => Some(edited(fields, d, |i, f| {
                (i == k).then(|| {
                    let at = if f.chars().count() >= 2 {
                        middle(f)
                    } else {
                        f.len()
                    };
                    format!("{}{d}{}", &f[..at], &f[at..])
                })
            })),
            FieldEdit::QuoteStart => {
                Some(edited(fields, d, |i, f| (i == k).then(|| format!("\"{f}"))))
            }
            // A field of one char has no middle (its start is QuoteStart's).
            FieldEdit::QuoteMiddle if fields[k].chars().count() < 2 => None,
            FieldEdit::QuoteMiddle => Some(edited(fields, d, |i, f| {
                (i == k).then(|| {
                    let at = middle(f);
                    format!("{}\"{}", &f[..at], &f[at..])
                })
            })),
            FieldEdit::QuoteEnd => {
                Some(edited(fields, d, |i, f| (i == k).then(|| format!("{f}\""))))
            }
        }
    }
}

/// Every polluted file made from `t`.
pub fn pollute(t: &Table) -> Vec<Polluted> {
    let mut m = Maker {
        base: t,
        out: Vec::new(),
    };
    let std = Dialect::STANDARD;
    let clean = lines(t, std);
    let written: Vec<Vec<String>> = std::iter::once(&t.header)
        .chain(&t.rows)
        .map(|r| std.fields(r))
        .collect();
    let width = t.header.len();

    // The clean text itself: the baseline (and a check of the harness).
    m.push_lines("clean", "as is".into(), &clean);

    // One row: each field position, in the first, a middle and the last row.
    let row_kinds = [
        ("extra_delimiter_row", FieldEdit::ExtraDelimiter),
        ("missing_delimiter_row", FieldEdit::MissingDelimiter),
        ("quote_field_start", FieldEdit::QuoteStart),
        ("quote_field_middle", FieldEdit::QuoteMiddle),
        ("quote_field_end", FieldEdit::QuoteEnd),
    ];
    for (kind, edit) in row_kinds {
        for r in probe_rows(t) {
            for k in 0..width {
                let Some(text) = edit.apply(&written[r + 1], k) else {
                    continue;
                };
                let mut ls = clean.clone();
                ls[r + 1].text = text;
                m.push_lines(kind, format!("row {}, field {}", r + 1, k + 1), &ls);
            }
        }
    }

    // One column: the same edit in every data row; and in the header line alone.
    let column_kinds = [
        ("extra_delimiter_column", FieldEdit::ExtraDelimiter),
        ("missing_delimiter_column", FieldEdit::MissingDelimiter),
    ];
    for (kind, edit) in column_kinds {
        for k in 0..width {
            let mut ls = clean.clone();
            let mut applied = false;
            for (i, l) in ls.iter_mut().enumerate().skip(1) {
                if let Some(text) = edit.apply(&written[i], k) {
                    l.text = text;
                    applied = true;
                }
            }
            if applied {
                m.push_lines(kind, format!("column {}", k + 1), &ls);
            }
        }
    }
    let header_kinds = [
        ("extra_delimiter_header", FieldEdit::ExtraDelimiter),
        ("missing_delimiter_header", FieldEdit::MissingDelimiter),
    ];
    for (kind, edit) in header_kinds {
        for k in 0..width {
            if let Some(text) = edit.apply(&written[0], k) {
                let mut ls = clean.clone();
                ls[0].text = text;
                m.push_lines(kind, format!("header field {}", k + 1), &ls);
            }
        }
    }

    // Changed delimiter, quote and escape characters (the whole file written that way).
    for (name, d) in [("semicolon", ';'), ("tab", '\t'), ("pipe", '|')] {
        m.push_lines(
            "changed_delimiter",
            name.into(),
            &lines(t, Dialect::with_delimiter(d)),
        );
    }
    let single = Dialect {
        quote: '\'',
        ..Dialect::STANDARD
    };
    m.push_lines("changed_quote", "single quote".into(), &lines(t, single));
    let backslash = Dialect {
        escape: Escape::Backslash,
        ..Dialect::STANDARD
    };
    m.push_lines(
        "changed_escape",
        "backslash escape".into(),
        &lines(t, backslash),
    );

    // Preambles above the header.
    let pad = |s: &str| format!("{s}{}", ",".repeat(width - 1));
    let preambles: Vec<(&str, Vec<String>)> = vec![
        ("title", vec!["订单明细导出".into()]),
        (
            "title and export time",
            vec![
                "订单明细导出".into(),
                "导出时间：2024-06-30 10:00:00".into(),
            ],
        ),
        (
            "title padded to the header width",
            vec![pad("订单明细导出")],
        ),
        (
            "title, notes and a blank line",
            vec![
                "门店销售报表".into(),
                "说明：金额单位为元，已剔除测试订单".into(),
                String::new(),
            ],
        ),
        (
            "key-value lines",
            vec![
                "店铺,天猫旗舰店".into(),
                "统计周期,2024-01-01 至 2024-06-30".into(),
            ],
        ),
        (
            "english title",
            vec!["Orders export".into(), "Generated: 2024-06-30".into()],
        ),
    ];
    for (name, pre) in preambles {
        let mut ls: Vec<Line> = pre
            .into_iter()
            .map(|text| Line { text, row: None })
            .collect();
        ls.extend(clean.iter().cloned());
        m.push_lines("preamble", name.into(), &ls);
    }

    // Footers below the rows.
    let amount_col = t.column(&["订单实付金额", "实付金额", "销售金额", "Total", "amount"]);
    let total: f64 = amount_col.map_or(0.0, |c| {
        t.rows
            .iter()
            .filter_map(|r| r.get(c)?.replace(',', "").parse::<f64>().ok())
            .sum()
    });
    let total_row = |label: &str| {
        let mut cells = vec![String::new(); width];
        cells[0] = label.to_string();
        if let Some(c) = amount_col {
            cells[c] = format!("{total:.2}");
        }
        std.record(&cells)
    };
    let footers: Vec<(&str, Vec<String>)> = vec![
        ("合计 row with the total amount", vec![total_row("合计")]),
        ("total row (english)", vec![total_row("Total")]),
        ("record count", vec![format!("共 {} 条记录", t.rows.len())]),
        (
            "blank line and export note",
            vec![String::new(), "导出人：张三 导出时间：2024-06-30".into()],
        ),
    ];
    for (name, foot) in footers {
        let mut ls = clean.clone();
        ls.extend(foot.into_iter().map(|text| Line { text, row: None }));
        m.push_lines("footer", name.into(), &ls);
    }

    // Empty lines.
    let blank = |text: &str| Line {
        text: text.to_string(),
        row: None,
    };
    let mut variants: Vec<(&str, Vec<Line>)> = Vec::new();
    let mut ls = vec![blank("")];
    ls.extend(clean.iter().cloned());
    variants.push(("blank line before the header", ls));
    let mut ls = clean.clone();
    ls.insert(1, blank(""));
    variants.push(("blank line after the header", ls));
    let mut ls = Vec::new();
    for (i, l) in clean.iter().enumerate() {
        ls.push(l.clone());
        if i > 0 && i % 4 == 0 {
            ls.push(blank(""));
        }
    }
    variants.push(("blank line every fourth row", ls));
    let mut ls = clean.clone();
    ls.extend([blank(""), blank(""), blank("")]);
    variants.push(("three blank lines at the end", ls));
    let mut ls = clean.clone();
    ls.insert(clean.len() / 2, blank(&",".repeat(width - 1)));
    variants.push(("a line of delimiters only", ls));
    let mut ls = clean.clone();
    ls.insert(clean.len() / 2, blank("   "));
    variants.push(("a line of spaces", ls));
    for (name, ls) in variants {
        m.push_lines("empty_lines", name.into(), &ls);
    }

    // Line ends.
    for (name, ends) in [
        ("CRLF", Ends::CrLf),
        ("CR", Ends::Cr),
        ("LF, CRLF and CR mixed", Ends::Mixed),
        ("no line end after the last line", Ends::LfNoFinal),
    ] {
        m.push("line_ends", name.into(), &clean, ends, Encoding::Utf8, None);
    }

    // A second table appended.
    second_tables(&mut m, &clean);

    // Encodings.
    for (name, enc) in [
        ("UTF-8 with BOM", Encoding::Utf8Bom),
        ("GBK", Encoding::Gbk),
        ("UTF-16LE with BOM", Encoding::Utf16Le { bom: true }),
        ("UTF-16BE with BOM", Encoding::Utf16Be { bom: true }),
        ("UTF-16LE without BOM", Encoding::Utf16Le { bom: false }),
        ("UTF-16BE without BOM", Encoding::Utf16Be { bom: false }),
    ] {
        m.push("encoding", name.into(), &clean, Ends::Lf, enc, None);
    }
    m.out
}

/// Second tables: the header repeated (concatenated exports), the same export twice, more
/// rows under another header (columns reordered, or one more column), an unrelated table.
fn second_tables(m: &mut Maker<'_>, clean: &[Line]) {
    let t = m.base;
    let std = Dialect::STANDARD;
    let n = t.rows.len();
    let half = n / 2;
    // The header repeated in the middle: two exports pasted together.
    let mut ls = clean[..=half].to_vec();
    ls.push(Line {
        text: clean[0].text.clone(),
        row: None,
    });
    ls.extend(clean[half + 1..].iter().cloned());
    m.push_lines("second_table", "header repeated in the middle".into(), &ls);

    // The same export twice (a re-export pasted under the first).
    let mut twice = t.clone();
    twice.rows.extend(t.rows.iter().cloned());
    let mut ls = clean.to_vec();
    ls.extend(clean.iter().map(|l| Line {
        text: l.text.clone(),
        row: l.row.map(|r| r + n),
    }));
    m.push(
        "second_table",
        "the same export twice".into(),
        &ls,
        Ends::Lf,
        Encoding::Utf8,
        Some(twice.clone()),
    );
    // The same again, the copy written by another tool: every cell quoted. The lines are not
    // exact duplicates any more, but the rows are the same orders and returns.
    let quote_all = |cells: &[String]| {
        cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut ls = clean.to_vec();
    ls.push(Line {
        text: quote_all(&t.header),
        row: None,
    });
    ls.extend(t.rows.iter().enumerate().map(|(i, r)| Line {
        text: quote_all(r),
        row: Some(n + i),
    }));
    m.push(
        "second_table",
        "the same export twice, the copy quoted throughout".into(),
        &ls,
        Ends::Lf,
        Encoding::Utf8,
        Some(twice),
    );

    // More rows (the first half's, re-keyed) under a reordered header, or one with one more
    // column.
    let extra: Vec<Vec<String>> = t.rows[..half.max(1)].iter().map(|r| rekey(r)).collect();
    let mut both = t.clone();
    both.rows.extend(extra.iter().cloned());
    let order: Vec<usize> = (0..t.header.len()).rev().collect();
    let pick = |r: &[String]| order.iter().map(|&i| r[i].clone()).collect::<Vec<_>>();
    let mut ls = clean.to_vec();
    ls.push(Line {
        text: std.record(&pick(&t.header)),
        row: None,
    });
    ls.extend(extra.iter().enumerate().map(|(i, r)| Line {
        text: std.record(&pick(r)),
        row: Some(n + i),
    }));
    m.push(
        "second_table",
        "more rows under a reversed header".into(),
        &ls,
        Ends::Lf,
        Encoding::Utf8,
        Some(both.clone()),
    );
    let wider = |r: &[String], extra_cell: &str| {
        let mut r = r.to_vec();
        r.push(extra_cell.to_string());
        r
    };
    let mut ls = clean.to_vec();
    ls.push(Line {
        text: std.record(&wider(&t.header, "备注2")),
        row: None,
    });
    ls.extend(extra.iter().enumerate().map(|(i, r)| Line {
        text: std.record(&wider(r, "补录")),
        row: Some(n + i),
    }));
    m.push(
        "second_table",
        "more rows under a header with one more column".into(),
        &ls,
        Ends::Lf,
        Encoding::Utf8,
        Some(both),
    );

    // An unrelated summary table after a blank line.
    let mut ls = clean.to_vec();
    for text in [
        "",
        "门店,销售额,订单数",
        "上海静安店,12345.60,88",
        "杭州西溪店,9876.50,61",
    ] {
        ls.push(Line {
            text: text.to_string(),
            row: None,
        });
    }
    m.push_lines("second_table", "a store summary table below".into(), &ls);
}

/// A row made a different order (new order id) with the same buyer, so that appended rows are
/// not exact duplicates.
fn rekey(r: &[String]) -> Vec<String> {
    let mut r = r.to_vec();
    r[0] = format!("{}-2", r[0]);
    r
}

/// Tiny deterministic generator (splitmix64): the same synthetic tables on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// Small synthetic exports: a tiny one (for minimal examples), a Youzan-style one with item
/// lines, refunds, statuses and quoted fields (a comma, quotes, a line feed), a POS one with
/// `1,234.50` amounts, returns and a re-exported line, and an English shop export.
pub fn synthetic() -> Vec<Table> {
    // An item name before the amount and a remark column last, mostly empty (as exports have
    // them): a delimiter lost or added next to them shifts values without changing the
    // count of the fields read.
    let tiny = Table {
        name: "tiny".into(),
        header: row(&[
            "订单号",
            "下单时间",
            "手机号",
            "买家昵称",
            "商品名称",
            "实付金额",
            "退款金额",
            "备注",
        ]),
        rows: vec![
            row(&[
                "1",
                "2024-01-05",
                "13800000001",
                "甲",
                "牛排",
                "100.00",
                "0",
                "",
            ]),
            row(&[
                "2",
                "2024-02-06",
                "13800000002",
                "Li, Lei",
                "酸奶",
                "80.00",
                "20.00",
                "送礼",
            ]),
            row(&[
                "3",
                "2024-03-07",
                "13800000001",
                "甲",
                "坚果",
                "50.00",
                "0",
                "",
            ]),
            row(&[
                "4",
                "2024-04-08",
                "13800000003",
                "丙",
                "牛排",
                "30.00",
                "0",
                "",
            ]),
            row(&[
                "5",
                "2024-05-09",
                "13800000004",
                "丁",
                "饮品",
                "60.00",
                "0",
                "",
            ]),
        ],
    };

    let mut rng = Rng(17);
    let names = [
        "钱雨婷",
        "黄琳",
        "Li, Lei",
        "王\"小\"明",
        "杨华",
        "赵敏",
        "周杰",
        "Anna",
    ];
    let items = ["牛排套餐", "冻干酸奶块", "坚果礼盒", "益生菌饮"];
    let statuses = [
        "交易成功",
        "交易成功",
        "交易成功",
        "部分退款",
        "交易关闭",
        "已退款",
    ];
    let mut youzan = Table {
        name: "synthetic youzan".into(),
        header: row(&[
            "订单号",
            "订单状态",
            "下单时间",
            "买家昵称",
            "买家手机号",
            "商品名称",
            "订单实付金额",
            "退款金额",
            "备注",
        ]),
        rows: Vec::new(),
    };
    let mut order = 0;
    while youzan.rows.len() < 22 {
        order += 1;
        let buyer = rng.below(8) as usize;
        let status = rng.pick(&statuses);
        let amount = 20 + rng.below(400);
        let refund = match status {
            "部分退款" => amount / 3,
            "已退款" => amount,
            _ => 0,
        };
        let note = match order % 7 {
            0 => "请尽快发货, 谢谢",
            3 => "送礼\n请勿放价签",
            5 => "要\"加急\"",
            _ => "",
        };
        let phone = if order % 9 == 4 {
            String::new() // a guest order
        } else {
            format!("1380000{:04}", buyer * 7 + 1)
        };
        // The order-level amount, repeated on each of its item lines (as Youzan exports do).
        let amount = format!("{amount}.{:02}", rng.below(100));
        for _ in 0..1 + rng.below(2) {
            youzan.rows.push(vec![
                format!("E2024{order:05}"),
                status.to_string(),
                format!(
                    "2024-{:02}-{:02} {:02}:{:02}:00",
                    1 + order % 12,
                    1 + rng.below(28),
                    rng.below(24),
                    rng.below(60)
                ),
                names[buyer].to_string(),
                phone.clone(),
                rng.pick(&items).to_string(),
                amount.clone(),
                format!("{refund}.00"),
                note.to_string(),
            ]);
        }
    }

    let stores = ["上海静安店", "杭州西溪店", "南京新街口店"];
    let mut pos = Table {
        name: "synthetic pos".into(),
        header: row(&["小票号", "会员卡号", "门店名称", "销售日期", "销售金额"]),
        rows: Vec::new(),
    };
    for i in 0..20u64 {
        let amount = match i % 6 {
            2 => format!("{},{:03}.50", 1 + rng.below(3), rng.below(1000)),
            5 => format!("-{}.00", 10 + rng.below(50)),
            _ => format!("{}.{:02}", 30 + rng.below(500), rng.below(100)),
        };
        pos.rows.push(vec![
            format!("R2403{i:05}"),
            format!("VIP1000{:04}", rng.below(9)),
            rng.pick(&stores).to_string(),
            format!("2024{:02}{:02}", 1 + i % 12, 1 + rng.below(28)),
            amount,
        ]);
        if i == 7 {
            let again = pos.rows.last().cloned().unwrap_or_default();
            pos.rows.push(again); // a line duplicated by a re-export
        }
    }

    let mut shop = Table {
        name: "synthetic shop".into(),
        header: row(&[
            "Name",
            "Email",
            "Financial Status",
            "Created at",
            "Total",
            "Refunded Amount",
            "Billing Name",
        ]),
        rows: Vec::new(),
    };
    let people = ["Smith, John", "Ann Lee", "Wang \"Tony\" Wei", "Zoe"];
    for i in 0..16u64 {
        let p = rng.below(4) as usize;
        let status = rng.pick(&["paid", "paid", "partially_refunded", "refunded", "voided"]);
        let total = 15 + rng.below(300);
        let refunded = match status {
            "partially_refunded" => total / 4,
            "refunded" => total,
            _ => 0,
        };
        shop.rows.push(vec![
            format!("#{}", 1000 + i),
            format!("u{p:03}@example.com"),
            status.to_string(),
            format!(
                "2024-{:02}-{:02} 1{}:00:00 +0800",
                1 + i % 12,
                1 + rng.below(28),
                rng.below(10)
            ),
            format!("{total}.00"),
            format!("{refunded}.00"),
            people[p].to_string(),
        ]);
    }
    vec![tiny, youzan, pos, shop]
}

/// Reads a whole CSV text into a table (RFC 4180, any row length).
pub fn parse_table(name: &str, text: &str) -> Table {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = r.records().map(|rec| {
        rec.unwrap_or_else(|e| panic!("{name}: {e}"))
            .iter()
            .map(String::from)
            .collect::<Vec<String>>()
    });
    let header = records.next().unwrap_or_default();
    Table {
        name: name.to_string(),
        header,
        rows: records.collect(),
    }
}

/// Windows of `size` rows of an order fixture: its first rows, and rows around the first few
/// lines the engine warns about (rejected, duplicate), where the fixture is most telling.
pub fn fixture_windows(file: &str, windows: usize, size: usize) -> Vec<Table> {
    let bytes = crate::support::bytes(file);
    let (text, _, _) = encoding_rs::GB18030.decode(&bytes);
    let whole = parse_table(file, text.trim_start_matches('\u{FEFF}'));
    let warned = ingest(file, &bytes, &FileOptions::default())
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .warnings;
    // Fixture rows hold no line feed, so data row i is line i + 2.
    let mut starts = vec![0usize];
    for w in &warned {
        let start = w.line.saturating_sub(2 + size / 2);
        if starts.iter().all(|s| start >= s + size) {
            starts.push(start);
        }
        if starts.len() == windows {
            break;
        }
    }
    starts
        .into_iter()
        .map(|s| {
            let end = (s + size).min(whole.rows.len());
            Table {
                name: format!("{file} rows {}-{}", s + 1, end),
                header: whole.header.clone(),
                rows: whole.rows[s..end].to_vec(),
            }
        })
        .collect()
}
