//! Member-table writers: CSV (UTF-8 with BOM for Excel) and XLSX, over the column table, both
//! escaped against formula injection. Rows are written as they are read (no row is built
//! first).

use std::io::Write;

use crate::error::Error;
use crate::members::{column, Column, ColumnKind, MemberView, Value, COLUMNS};

/// Prefixes `'` to text that a spreadsheet would run as a formula (OWASP CSV injection):
/// cells starting with `=`, `+`, `-`, `@`, tab, CR or LF.
pub fn escape_formula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        // Six significant digits past the point's place: P(alive) 0.000123457 keeps its
        // digits, a CLV of 12345.678901 its cents and more.
        let decimals = (5 - x.abs().log10().floor() as i32).clamp(4, 12) as usize;
        let s = format!("{x:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A cell as CSV text: numbers as [`number_text`] writes them, texts escaped.
fn csv_text(v: &Value<'_>) -> String {
    match v {
        Value::Number(x) => number_text(*x),
        Value::Int(n) => n.to_string(),
        Value::Text(_) | Value::Key(_) | Value::List(_) => {
            escape_formula(&v.text_of().unwrap_or_default())
        }
        other => other.text_of().unwrap_or_default(),
    }
}

fn io_error(e: impl std::fmt::Display) -> Error {
    Error::InvalidOption {
        option: "export".into(),
        reason: e.to_string(),
    }
}

/// Which columns a list has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Every column of the member table, headed by the column keys (for machines).
    #[default]
    Full,
    /// An audience or tag list for operations: ids and contacts, guide, store, tier, segment,
    /// recency/frequency/spend, CLV, and the member's tags; headed in the chosen language.
    Audience,
    /// For a WeCom or SMS tool: phone, name, guide, member id; only members with a phone.
    Touch,
    /// Every column of the member table, as a person reads it: headers, segment and tier
    /// names and tags in the chosen language.
    Labelled,
}

/// The language of a list's header (the `full` layout is always headed by keys).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderLang {
    /// 中文.
    #[default]
    Zh,
    /// English.
    En,
}

const AUDIENCE_COLUMNS: &[&str] = &[
    "member_id",
    "phone",
    "email",
    "name",
    "guide",
    "store",
    "tier",
    "segment",
    "dormancy",
    "lifecycle",
    "recency_days",
    "frequency",
    "monetary",
    "clv",
];

const TOUCH_COLUMNS: &[&str] = &["phone", "name", "guide", "member_id"];

/// A member's tag names, joined for one cell.
pub type TagNames<'a> = &'a dyn Fn(&MemberView<'_>) -> String;

/// The display name of a key cell (`segment` `important_value` → 重要价值客户), by column key.
pub type KeyNames<'a> = &'a dyn Fn(&str, &str) -> Option<String>;

/// What a list holds: the layout, the header language and, optionally, each member's tags.
#[derive(Clone, Copy, Default)]
pub struct ListSpec<'a> {
    /// Which columns.
    pub layout: Layout,
    /// Header language (`audience` and `touch`).
    pub lang: HeaderLang,
    /// Each member's tags, as one cell (a last column `tags` / 标签).
    pub tags: Option<TagNames<'a>>,
    /// Leave the forecast columns out (no forecasts were computed).
    pub without_forecasts: bool,
    /// Names for key cells (segments, tiers, stages) in the `audience` and `touch` layouts.
    pub key_names: Option<KeyNames<'a>>,
    /// Mask phones (138****5678), e-mails (a***@x.com) and names (张**) for a list shown on a
    /// screen at a client's site.
    pub mask: bool,
}

/// A phone with its middle hidden: `138****5678`; other lengths keep their first three and
/// last two characters.
pub fn mask_phone(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    match c.len() {
        0..=4 => "*".repeat(c.len()),
        11 => format!(
            "{}****{}",
            c[..3].iter().collect::<String>(),
            c[7..].iter().collect::<String>()
        ),
        n => format!(
            "{}{}{}",
            c[..3.min(n - 2)].iter().collect::<String>(),
            "*".repeat(n - 3.min(n - 2) - 2),
            c[n - 2..].iter().collect::<String>()
        ),
    }
}

/// A name with all but its first character hidden: `张**`.
pub fn mask_name(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => format!("{first}{}", "*".repeat(c.count().max(1))),
        None => String::new(),
    }
}

/// An e-mail with its local part hidden but the first character: `a***@example.com`.
pub fn mask_email(s: &str) -> String {
    match s.split_once('@') {
        Some((local, domain)) => format!("{}@{domain}", mask_name(local)),
        None => mask_name(s),
    }
}

/// One column of a list.
enum Cell<'a> {
    Column(&'static Column),
    Tags(TagNames<'a>),
}

impl<'a> ListSpec<'a> {
    fn cells(&self) -> Vec<(String, Cell<'a>)> {
        let keys: Vec<&'static Column> = match self.layout {
            Layout::Full | Layout::Labelled => COLUMNS.iter().collect(),
            Layout::Audience => AUDIENCE_COLUMNS.iter().filter_map(|k| column(k)).collect(),
            Layout::Touch => TOUCH_COLUMNS.iter().filter_map(|k| column(k)).collect(),
        };
        let header = |c: &Column| match (self.layout, self.lang) {
            (Layout::Full, _) => c.key.to_string(),
            (_, HeaderLang::Zh) => c.label_zh.to_string(),
            (_, HeaderLang::En) => c.label_en.to_string(),
        };
        let mut out: Vec<(String, Cell<'a>)> = keys
            .into_iter()
            .filter(|c| !(self.without_forecasts && c.forecast))
            .map(|c| (header(c), Cell::Column(c)))
            .collect();
        if let (Some(t), false) = (self.tags, self.layout == Layout::Touch) {
            let h = match (self.layout, self.lang) {
                (Layout::Full, _) => "tags",
                (_, HeaderLang::Zh) => "标签",
                (_, HeaderLang::En) => "Tags",
            };
            out.push((h.to_string(), Cell::Tags(t)));
        }
        out
    }

    /// True when the member belongs in the list (a touch list needs a phone).
    fn keeps(&self, m: &MemberView<'_>) -> bool {
        self.layout != Layout::Touch || m.phone().is_some()
    }
}

/// A cell: a value, or text already made (tags, a key's display name).
fn cell_value<'m>(
    spec: &ListSpec<'_>,
    cell: &Cell<'_>,
    m: &MemberView<'m>,
) -> Result<Value<'m>, String> {
    match cell {
        Cell::Column(c) => match ((c.get)(m), spec.key_names) {
            (Value::Key(k), Some(names)) if spec.layout != Layout::Full => {
                Err(names(c.key, k).unwrap_or_else(|| k.to_string()))
            }
            // A key column read as text (the ten-segment names): named like the other keys.
            (Value::Text(t), Some(names))
                if spec.layout != Layout::Full && c.kind == ColumnKind::Key =>
            {
                Err(names(c.key, t).unwrap_or_else(|| t.to_string()))
            }
            (Value::Text(t), _) if spec.mask && matches!(c.key, "phone" | "email" | "name") => {
                Err(match c.key {
                    "phone" => mask_phone(t),
                    "email" => mask_email(t),
                    _ => mask_name(t),
                })
            }
            (v, _) => Ok(v),
        },
        Cell::Tags(f) => Err(f(m)),
    }
}

/// Writes a member list as CSV: BOM, the header, CRLF line ends, RFC 4180 quoting (the `csv`
/// crate's writer); returns the members written.
pub fn write_list_csv<'a, W: Write>(
    out: W,
    spec: &ListSpec<'_>,
    members: impl IntoIterator<Item = MemberView<'a>>,
) -> Result<usize, Error> {
    let mut out = out;
    out.write_all("\u{FEFF}".as_bytes()).map_err(io_error)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let cells = spec.cells();
    w.write_record(cells.iter().map(|(h, _)| h))
        .map_err(io_error)?;
    let mut n = 0;
    for m in members.into_iter().filter(|m| spec.keeps(m)) {
        w.write_record(cells.iter().map(|(_, c)| match cell_value(spec, c, &m) {
            Ok(v) => csv_text(&v),
            Err(text) => escape_formula(&text),
        }))
        .map_err(io_error)?;
        n += 1;
    }
    w.flush().map_err(io_error)?;
    Ok(n)
}

/// A member list as CSV bytes (see [`write_list_csv`]).
pub fn list_csv<'a>(
    spec: &ListSpec<'_>,
    members: impl IntoIterator<Item = MemberView<'a>>,
) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_list_csv(&mut out, spec, members);
    out
}

/// A member list as an XLSX workbook with one sheet `members` (会员 with Chinese headers), and
/// the members written.
pub fn list_xlsx<'a>(
    spec: &ListSpec<'_>,
    members: impl IntoIterator<Item = MemberView<'a>>,
) -> Result<(Vec<u8>, usize), Error> {
    use rust_xlsxwriter::Workbook;
    let fail = |e: rust_xlsxwriter::XlsxError| io_error(e);
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let name = match (spec.layout, spec.lang) {
        (Layout::Full, _) | (_, HeaderLang::En) => "members",
        (_, HeaderLang::Zh) => "会员",
    };
    sheet.set_name(name).map_err(fail)?;
    let cells = spec.cells();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let money = rust_xlsxwriter::Format::new().set_num_format("#,##0.00");
    let rate = rust_xlsxwriter::Format::new().set_num_format("0.00%");
    // Widths from the header (CJK characters count double) and the kind of cell.
    for (c, (h, cell)) in cells.iter().enumerate() {
        let header: usize = h.chars().map(|ch| if ch.is_ascii() { 1 } else { 2 }).sum();
        let body = match cell {
            Cell::Column(col) => match col.kind {
                crate::members::ColumnKind::Date => 11,
                crate::members::ColumnKind::Money | crate::members::ColumnKind::Number => 12,
                crate::members::ColumnKind::Text | crate::members::ColumnKind::List => 16,
                _ => 8,
            },
            Cell::Tags(_) => 60,
        };
        sheet
            .set_column_width(c as u16, (header.max(body) + 2) as f64)
            .map_err(fail)?;
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(fail)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    let mut n = 0;
    for (i, m) in members.into_iter().filter(|m| spec.keeps(m)).enumerate() {
        n += 1;
        let row = (i + 1) as u32;
        for (c, (_, cell)) in cells.iter().enumerate() {
            let kind = match cell {
                Cell::Column(col) => Some(col.kind),
                Cell::Tags(_) => None,
            };
            let c = c as u16;
            match cell_value(spec, cell, &m) {
                Ok(Value::Empty) => {}
                Ok(Value::Day(d)) => {
                    let (y, mo, da) = crate::model::day::civil_from_days(d);
                    match u16::try_from(y).ok().and_then(|y| {
                        rust_xlsxwriter::ExcelDateTime::from_ymd(y, mo as u8, da as u8).ok()
                    }) {
                        Some(dt) => {
                            sheet
                                .write_datetime_with_format(row, c, dt, &date)
                                .map_err(fail)?;
                        }
                        // Outside Excel's calendar (before 1900): written as text.
                        None => {
                            sheet
                                .write_string(row, c, crate::model::Day(d).to_string())
                                .map_err(fail)?;
                        }
                    }
                }
                Ok(Value::Number(x)) => {
                    let x = if matches!(kind, Some(crate::members::ColumnKind::Money)) {
                        (x * 100.0).round() / 100.0
                    } else {
                        x
                    };
                    match kind {
                        Some(crate::members::ColumnKind::Money) => {
                            sheet
                                .write_number_with_format(row, c, x, &money)
                                .map_err(fail)?;
                        }
                        Some(crate::members::ColumnKind::Rate) => {
                            sheet
                                .write_number_with_format(row, c, x, &rate)
                                .map_err(fail)?;
                        }
                        _ => {
                            sheet.write_number(row, c, x).map_err(fail)?;
                        }
                    }
                }
                Ok(Value::Int(n)) => {
                    sheet.write_number(row, c, n as f64).map_err(fail)?;
                }
                // write_string never makes a formula, but Excel users copy cells into CSVs: escape anyway.
                Ok(v) => {
                    let text = v.text_of().unwrap_or_default();
                    sheet
                        .write_string(row, c, escape_formula(&text))
                        .map_err(fail)?;
                }
                Err(text) => {
                    if !text.is_empty() {
                        sheet
                            .write_string(row, c, escape_formula(&text))
                            .map_err(fail)?;
                    }
                }
            }
        }
    }
    if !cells.is_empty() {
        sheet
            .autofilter(0, 0, n as u32, (cells.len() - 1) as u16)
            .map_err(fail)?;
    }
    Ok((wb.save_to_buffer().map_err(fail)?, n))
}

/// Writes the whole member table as CSV, headed by the column keys.
pub fn write_members_csv<'a, W: Write>(
    out: W,
    members: impl IntoIterator<Item = MemberView<'a>>,
) -> Result<(), Error> {
    write_list_csv(out, &ListSpec::default(), members).map(|_| ())
}

/// The whole member table as CSV bytes, headed by the column keys.
pub fn members_csv<'a>(members: impl IntoIterator<Item = MemberView<'a>>) -> Vec<u8> {
    list_csv(&ListSpec::default(), members)
}

/// The whole member table as an XLSX workbook, headed by the column keys.
pub fn members_xlsx<'a>(
    members: impl IntoIterator<Item = MemberView<'a>>,
) -> Result<Vec<u8>, Error> {
    list_xlsx(&ListSpec::default(), members).map(|(bytes, _)| bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members::{MemberTable, NewMember};

    #[test]
    fn formula_cells_are_escaped() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"] {
            assert!(escape_formula(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(escape_formula("张三"), "张三");
        assert_eq!(escape_formula(""), "");
    }

    fn one(name: &'static str, id: &'static str) -> MemberTable {
        let mut t = MemberTable::default();
        t.push(NewMember {
            ids: [Some(id), None, None, Some(name)],
            frequency: 2,
            monetary: 12.5,
            dormancy: "active",
            lifecycle: "growth",
            ..Default::default()
        });
        t
    }

    #[test]
    fn csv_has_bom_header_and_quotes() {
        let t = one("=HYPERLINK(\"x\")", "A,1");
        let bytes = members_csv(t.iter());
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("member_id,phone,email,name"));
        assert!(
            lines[1].starts_with("\"A,1\",,,\"'=HYPERLINK(\"\"x\"\")\""),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains(",2,12.5,"));
        assert_eq!(lines.len(), 3, "header, one row, and the final line end");
    }

    #[test]
    fn xlsx_is_a_zip() {
        let t = one("李雷", "1");
        let bytes = members_xlsx(t.iter()).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}

#[cfg(test)]
mod mask_tests {
    use super::*;

    #[test]
    fn masks_keep_the_ends_a_person_recognises() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86*********78");
        assert_eq!(mask_phone("1234"), "****");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_name("王小明"), "王**");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_email("alice@example.com"), "a****@example.com");
    }
}

/// The target decomposition (目标拆解) as a workbook: a sheet of the figures with their
/// assumptions, then the split by month, by source and by store; headers in Chinese or
/// English.
pub fn target_xlsx(plan: &crate::report::TargetPlan, lang: HeaderLang) -> Result<Vec<u8>, Error> {
    use crate::report::ExistingBasis;
    use rust_xlsxwriter::{Format, Workbook};
    let zh = lang == HeaderLang::Zh;
    let t = |a: &'static str, b: &'static str| if zh { a } else { b };
    let fail = |e: rust_xlsxwriter::XlsxError| io_error(e);
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let count = Format::new().set_num_format("#,##0");
    let rate = Format::new().set_num_format("0.00%");
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(t("目标拆解", "Target")).map_err(fail)?;
    sheet.set_column_width(0, 34).map_err(fail)?;
    sheet.set_column_width(1, 18).map_err(fail)?;
    sheet.set_column_width(2, 60).map_err(fail)?;
    sheet
        .write_string_with_format(0, 0, t("项目", "Item"), &bold)
        .and_then(|s| s.write_string_with_format(0, 1, t("数值", "Value"), &bold))
        .and_then(|s| s.write_string_with_format(0, 2, t("说明", "Note"), &bold))
        .map_err(fail)?;
    let basis = match plan.existing_basis {
        ExistingBasis::Forecast => t(
            "按预测：每位会员在期间的预期购买次数 × 预期客单价",
            "From the forecasts: each member's expected purchases in the period × expected spend",
        ),
        ExistingBasis::ReturnRate => t(
            "无预测：基准日前同样长度期间的会员销售额 × 回购率",
            "No forecasts: members' revenue in the same length before as-of × the return rate",
        ),
        ExistingBasis::User => t("由用户填写", "Given by the user"),
    };
    let period = format!("{} – {}", plan.from, plan.to);
    let rows: Vec<(&str, Option<f64>, &Format, String)> = vec![
        (
            t("销售目标", "Revenue target"),
            Some(plan.revenue),
            &money,
            period,
        ),
        (
            t("客单价", "Average order value"),
            Some(plan.aov),
            &money,
            String::new(),
        ),
        (
            t("所需订单数", "Orders needed"),
            Some(plan.orders_needed),
            &count,
            t("目标 ÷ 客单价", "target ÷ AOV").into(),
        ),
        (
            t("转化率", "Conversion rate"),
            plan.conversion_rate,
            &rate,
            String::new(),
        ),
        (
            t("所需流量", "Traffic needed"),
            plan.traffic_needed,
            &count,
            t("订单数 ÷ 转化率", "orders ÷ conversion rate").into(),
        ),
        (
            t("老会员预计贡献", "Expected from existing members"),
            Some(plan.existing_revenue),
            &money,
            basis.into(),
        ),
        (
            t("缺口（需新会员补足）", "Gap (for new members)"),
            Some(plan.gap),
            &money,
            t("目标 − 老会员贡献", "target − existing members").into(),
        ),
        (
            t("新会员人均贡献", "Value per new member"),
            Some(plan.new_member_value),
            &money,
            String::new(),
        ),
        (
            t("所需新会员数", "New members needed"),
            Some(plan.new_members_needed),
            &count,
            t("缺口 ÷ 新会员人均贡献", "gap ÷ value per new member").into(),
        ),
    ];
    for (i, (label, value, format, note)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *label).map_err(fail)?;
        if let Some(v) = value {
            sheet
                .write_number_with_format(r, 1, *v, format)
                .map_err(fail)?;
        }
        sheet.write_string(r, 2, note).map_err(fail)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    for (name, head, split) in [
        (t("按月", "By month"), t("月份", "Month"), &plan.by_month),
        (
            t("按来源", "By source"),
            t("来源", "Source"),
            &plan.by_source,
        ),
        (t("按门店", "By store"), t("门店", "Store"), &plan.by_store),
    ] {
        let sheet = wb.add_worksheet();
        sheet.set_name(name).map_err(fail)?;
        sheet.set_column_width(0, 28).map_err(fail)?;
        sheet.set_column_width(1, 12).map_err(fail)?;
        sheet.set_column_width(2, 18).map_err(fail)?;
        sheet
            .write_string_with_format(0, 0, head, &bold)
            .and_then(|s| s.write_string_with_format(0, 1, t("历史占比", "Share"), &bold))
            .and_then(|s| s.write_string_with_format(0, 2, t("目标", "Target"), &bold))
            .map_err(fail)?;
        for (i, s) in split.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, &s.label).map_err(fail)?;
            sheet
                .write_number_with_format(r, 1, s.share, &rate)
                .map_err(fail)?;
            sheet
                .write_number_with_format(r, 2, s.revenue, &money)
                .map_err(fail)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        sheet
            .autofilter(0, 0, split.len() as u32, 2)
            .map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}
