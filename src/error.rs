//! Typed errors for whole-input failures and row-level warnings that travel with results.

use schemars::JsonSchema;
use serde::Serialize;

/// A whole-input failure: the file (or the analysis) cannot go on. Each variant
/// carries what a person needs to act on it; `message_en`/`message_zh` render it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Error {
    /// The file has no bytes at all.
    EmptyFile { file: String },
    /// The file has a header line but no data line.
    HeaderOnly { file: String },
    /// The bytes are not valid in the encoding the user chose (or the BOM claims).
    InvalidEncoding {
        file: String,
        encoding: String,
        line: usize,
        suggestion: Option<String>,
    },
    /// The XLSX container or sheet could not be read.
    UnreadableSpreadsheet { file: String, reason: String },
    /// The workbook unzips to more than the limit (a crafted file, or one too large to read
    /// in the page: save it as CSV).
    SpreadsheetTooLarge { file: String, limit_mib: u64 },
    /// A sheet's cells are spread so far apart that reading it would take far more memory
    /// than its content (a crafted file).
    SpreadsheetTooSparse {
        file: String,
        row: usize,
        column: usize,
    },
    /// Every data row has fewer fields than the header (the header line probably has an extra
    /// delimiter), or more, with values past the header's last column (the header line
    /// probably lost one): every column name after it would sit over another column's values.
    HeaderWidthMismatch {
        file: String,
        header: usize,
        rows: usize,
    },
    /// Every date of the order-date column was unreadable: the column holds another format
    /// (or is not the date column).
    DatesUnreadable {
        file: String,
        column: String,
        example: String,
        day_first: bool,
    },
    /// The named sheet does not exist in the workbook.
    SheetNotFound {
        file: String,
        sheet: String,
        available: Vec<String>,
    },
    /// An orders file has no column that could be read as the order date.
    NoDateColumn { file: String },
    /// An orders file has no amount column (order-level or item-level).
    NoAmountColumn { file: String },
    /// No column identifies the member (id/card, phone or e-mail), so nothing can be linked.
    NoMemberKey { file: String },
    /// The bytes are not a table (an image, a PDF, an archive, an old .xls workbook...).
    NotATable {
        file: String,
        /// What it looks like: `png`, `jpeg`, `gif`, `pdf`, `xls`, `zip`, `binary`...
        looks_like: String,
    },
    /// The file's kind could not be told from its columns; the user must choose it.
    UnknownTableKind { file: String, headers: Vec<String> },
    /// One amount column mixes currencies; `lines` names example rows of each.
    MixedCurrency {
        file: String,
        column: String,
        currencies: Vec<String>,
        lines: Vec<usize>,
    },
    /// A file name was used that was never added.
    UnknownFile { file: String },
    /// A file read in chunks turned out, after its first chunks were read and freed, to need
    /// its whole text at once (it is not UTF-8): add it again whole (`add_file`, or chunks
    /// begun without options).
    ReadWhole { file: String },
    /// A column override names a role that does not exist.
    UnknownRole {
        file: String,
        column: String,
        role: String,
    },
    /// The analysis found no purchase in any file, so there is no as-of date or buyer.
    NoPurchases,
    /// All amounts together exceed what sums can hold exactly (a corrupted or crafted input).
    MoneyBeyondBound { total_yuan: f64 },
    /// An option value is out of range or malformed.
    InvalidOption { option: String, reason: String },
    /// A tag or audience rule cannot be read or its types do not fit (see `docs/rules-language.md`).
    InvalidRule {
        rule: String,
        line: usize,
        column: usize,
        message_en: String,
        message_zh: String,
    },
    /// A tag catalogue cannot be read; `place` is where (a JSON path or line and column).
    InvalidCatalogue {
        place: String,
        reason_en: String,
        reason_zh: String,
    },
    /// A strategy playbook cannot be used: the place and why.
    InvalidPlaybook {
        place: String,
        reason_en: String,
        reason_zh: String,
    },
    /// Tags or audiences were asked for before any analysis.
    NoAnalysis,
}

impl Error {
    /// The file the error is about, if any.
    pub fn file(&self) -> Option<&str> {
        match self {
            Error::EmptyFile { file }
            | Error::HeaderOnly { file }
            | Error::InvalidEncoding { file, .. }
            | Error::UnreadableSpreadsheet { file, .. }
            | Error::SpreadsheetTooLarge { file, .. }
            | Error::SpreadsheetTooSparse { file, .. }
            | Error::HeaderWidthMismatch { file, .. }
            | Error::DatesUnreadable { file, .. }
            | Error::SheetNotFound { file, .. }
            | Error::NoDateColumn { file }
            | Error::NoAmountColumn { file }
            | Error::NoMemberKey { file }
            | Error::UnknownTableKind { file, .. }
            | Error::NotATable { file, .. }
            | Error::MixedCurrency { file, .. }
            | Error::UnknownFile { file }
            | Error::ReadWhole { file }
            | Error::UnknownRole { file, .. } => Some(file),
            Error::NoPurchases
            | Error::MoneyBeyondBound { .. }
            | Error::InvalidOption { .. }
            | Error::InvalidRule { .. }
            | Error::InvalidCatalogue { .. }
            | Error::InvalidPlaybook { .. }
            | Error::NoAnalysis => None,
        }
    }

    /// The first line the error points at, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::InvalidEncoding { line, .. } => Some(*line),
            Error::SpreadsheetTooSparse { row, .. } => Some(*row),
            Error::MixedCurrency { lines, .. } => lines.first().copied(),
            Error::InvalidRule { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The column the error is about, if any.
    pub fn column(&self) -> Option<&str> {
        match self {
            Error::MixedCurrency { column, .. }
            | Error::UnknownRole { column, .. }
            | Error::DatesUnreadable { column, .. } => Some(column),
            _ => None,
        }
    }

    /// A stable machine-readable code (the serde tag).
    pub fn code(&self) -> &'static str {
        match self {
            Error::EmptyFile { .. } => "empty_file",
            Error::HeaderOnly { .. } => "header_only",
            Error::InvalidEncoding { .. } => "invalid_encoding",
            Error::UnreadableSpreadsheet { .. } => "unreadable_spreadsheet",
            Error::SheetNotFound { .. } => "sheet_not_found",
            Error::SpreadsheetTooLarge { .. } => "spreadsheet_too_large",
            Error::SpreadsheetTooSparse { .. } => "spreadsheet_too_sparse",
            Error::HeaderWidthMismatch { .. } => "header_width_mismatch",
            Error::DatesUnreadable { .. } => "dates_unreadable",
            Error::NoDateColumn { .. } => "no_date_column",
            Error::NoAmountColumn { .. } => "no_amount_column",
            Error::NoMemberKey { .. } => "no_member_key",
            Error::UnknownTableKind { .. } => "unknown_table_kind",
            Error::NotATable { .. } => "not_a_table",
            Error::MixedCurrency { .. } => "mixed_currency",
            Error::UnknownFile { .. } => "unknown_file",
            Error::ReadWhole { .. } => "read_whole",
            Error::UnknownRole { .. } => "unknown_role",
            Error::NoPurchases => "no_purchases",
            Error::MoneyBeyondBound { .. } => "money_beyond_bound",
            Error::InvalidOption { .. } => "invalid_option",
            Error::InvalidRule { .. } => "invalid_rule",
            Error::InvalidCatalogue { .. } => "invalid_catalogue",
            Error::InvalidPlaybook { .. } => "invalid_playbook",
            Error::NoAnalysis => "no_analysis",
        }
    }

    /// The message in English, saying what is wrong and what to do.
    pub fn message_en(&self) -> String {
        match self {
            Error::EmptyFile { file } => format!("{file}: the file is empty. Export it again with its data."),
            Error::HeaderOnly { file } => format!("{file}: the file has a header line but no data rows. Check the export's date range."),
            Error::InvalidEncoding { file, encoding, line, suggestion } => {
                let hint = suggestion.as_ref().map(|s| format!(" It reads cleanly as {s}: choose that encoding.")).unwrap_or_default();
                format!("{file}: line {line} is not valid {encoding}.{hint}")
            }
            Error::UnreadableSpreadsheet { file, reason } => format!("{file}: the spreadsheet cannot be read ({reason}). Save it again as .xlsx or CSV."),
            Error::SheetNotFound { file, sheet, available } => format!("{file}: there is no sheet named \"{sheet}\"; the workbook has: {}.", available.join(", ")),
            Error::SpreadsheetTooLarge { file, limit_mib } => format!("{file}: the workbook unzips to more than {limit_mib} MiB, the limit for a workbook. Save the sheet as CSV (no limit), or raise the limit if the file is trusted."),
            Error::SpreadsheetTooSparse { file, row, column } => format!("{file}: the sheet's cells are spread so far apart (e.g. row {row}, column {column}) that reading it would take far more memory than its content. Copy the table into a new sheet or save it as CSV."),
            Error::HeaderWidthMismatch { file, header, rows } => if rows < header {
                format!("{file}: the header has {header} columns but every row has {rows}: the header line probably has an extra delimiter, so each column name after it would sit over another column's values. Fix the header line, or set the header row.")
            } else {
                format!("{file}: the header has {header} columns but every row has {rows}, with values past the last column: the header line probably lost a delimiter (two column names run together), so each column name after it would sit over another column's values. Fix the header line, or set the header row.")
            },
            Error::DatesUnreadable { file, column, example, day_first } => if *day_first {
                format!("{file}: every date in column \"{column}\" was unreadable (e.g. \"{example}\"). Day-first dates (dd/mm/yyyy) are not read unless chosen: choose the date order day-month-year, or month-day-year.")
            } else {
                format!("{file}: every date in column \"{column}\" was unreadable (e.g. \"{example}\"). Check that the column is the order date, or choose its date order.")
            },
            Error::NoDateColumn { file } => format!("{file}: no column holds the order date (e.g. 下单时间, 支付时间, order_date). Map a column to the role order_time."),
            Error::NoAmountColumn { file } => format!("{file}: no column holds the order amount (e.g. 实付金额, amount). Map a column to the role amount or item_amount."),
            Error::NoMemberKey { file } => format!("{file}: no column identifies the member (member id/card number, phone or e-mail). Map one of them."),
            Error::UnknownTableKind { file, .. } => format!("{file}: cannot tell whether this is an orders, members or member-summary table. Choose its kind."),
            Error::NotATable { file, looks_like } => format!(
                "{file} is not a table: it looks like {}. Bring a CSV, TSV or XLSX export.",
                crate::ingest::sniff::looks_like_names(looks_like).0
            ),
            Error::MixedCurrency { file, column, currencies, lines } => format!(
                "{file}: column \"{column}\" mixes currencies ({}), e.g. at lines {}. Split the file by currency or convert the amounts first.",
                currencies.join(", "),
                lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ")
            ),
            Error::UnknownFile { file } => format!("{file}: no file of that name was added."),
            Error::ReadWhole { file } => format!("{file}: the file is not UTF-8 after its first part; it has to be read again, whole."),
            Error::UnknownRole { file, column, role } => format!("{file}: column \"{column}\" cannot take the unknown role \"{role}\"."),
            Error::NoPurchases => "No purchase was found in any orders file, so nothing can be scored. Check the status and amount columns, or add an orders file.".to_string(),
            Error::MoneyBeyondBound { total_yuan } => format!("All amounts together come to about {total_yuan:.3e} yuan, more than any sum can hold exactly: a file is corrupted or crafted. Check the amount columns."),
            Error::InvalidOption { option, reason } => format!("Option {option}: {reason}."),
            Error::InvalidRule { message_en, .. } => format!("Rule: {message_en}."),
            Error::InvalidCatalogue { place, reason_en, .. } => format!("Tag catalogue, {place}: {reason_en}."),
            Error::InvalidPlaybook { place, reason_en, .. } => format!("Playbook, {place}: {reason_en}."),
            Error::NoAnalysis => "Analyse the files first: tags and audiences are made from the member table.".to_string(),
        }
    }

    /// The message in Chinese (zh-CN).
    pub fn message_zh(&self) -> String {
        match self {
            Error::EmptyFile { file } => format!("{file}：文件为空，请重新导出含数据的文件。"),
            Error::HeaderOnly { file } => format!("{file}：只有表头，没有数据行，请检查导出的日期范围。"),
            Error::InvalidEncoding { file, encoding, line, suggestion } => {
                let hint = suggestion.as_ref().map(|s| format!("按 {s} 可正常读取，请选择该编码。")).unwrap_or_default();
                format!("{file}：第 {line} 行不是有效的 {encoding} 编码。{hint}")
            }
            Error::UnreadableSpreadsheet { file, reason } => format!("{file}：无法读取表格（{reason}），请另存为 .xlsx 或 CSV。"),
            Error::SheetNotFound { file, sheet, available } => format!("{file}：没有名为“{sheet}”的工作表；现有：{}。", available.join("、")),
            Error::SpreadsheetTooLarge { file, limit_mib } => format!("{file}：工作簿解压后超过 {limit_mib} MiB 的上限。请把工作表另存为 CSV（没有此上限），或在确认文件可信时提高上限。"),
            Error::SpreadsheetTooSparse { file, row, column } => format!("{file}：工作表的单元格分布过于分散（例如第 {row} 行第 {column} 列），读取所需内存远超其内容。请把表格复制到新工作表或另存为 CSV。"),
            Error::HeaderWidthMismatch { file, header, rows } => if rows < header {
                format!("{file}：表头有 {header} 列，但每一行都只有 {rows} 列：表头行可能多了一个分隔符，其后的列名都会对到别的列上。请修正表头行，或指定表头所在行。")
            } else {
                format!("{file}：表头有 {header} 列，但每一行都有 {rows} 列且最后一列之后还有值：表头行可能少了一个分隔符（两个列名连在了一起），其后的列名都会对到别的列上。请修正表头行，或指定表头所在行。")
            },
            Error::DatesUnreadable { file, column, example, day_first } => if *day_first {
                format!("{file}：“{column}”列的日期全部无法识别（例如“{example}”）。日-月-年（dd/mm/yyyy）格式需要手动选择：请选择日期顺序“日-月-年”或“月-日-年”。")
            } else {
                format!("{file}：“{column}”列的日期全部无法识别（例如“{example}”）。请确认该列是订单日期，或选择其日期顺序。")
            },
            Error::NoDateColumn { file } => format!("{file}：找不到订单日期列（如 下单时间、支付时间），请把某列指定为“下单时间”。"),
            Error::NoAmountColumn { file } => format!("{file}：找不到金额列（如 实付金额），请把某列指定为“金额”或“商品金额”。"),
            Error::NoMemberKey { file } => format!("{file}：没有可识别会员的列（会员ID/卡号、手机号或邮箱），请指定其中一列。"),
            Error::UnknownTableKind { file, .. } => format!("{file}：无法判断是订单表、会员表还是会员汇总表，请手动选择。"),
            Error::NotATable { file, looks_like } => format!(
                "{file} 不是表格文件：看起来是{}。请提供 CSV、TSV 或 XLSX 导出文件。",
                crate::ingest::sniff::looks_like_names(looks_like).1
            ),
            Error::MixedCurrency { file, column, currencies, lines } => format!(
                "{file}：“{column}”列混用了多种货币（{}），例如第 {} 行。请按币种拆分或先统一换算。",
                currencies.join("、"),
                lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("、")
            ),
            Error::UnknownFile { file } => format!("{file}：未添加该文件。"),
            Error::ReadWhole { file } => format!("{file}：文件开头之后的部分不是 UTF-8 编码，需要重新完整读取。"),
            Error::UnknownRole { file, column, role } => format!("{file}：列“{column}”不能指定为未知角色“{role}”。"),
            Error::NoPurchases => "所有订单文件中都没有有效消费，无法分析。请检查状态列和金额列，或添加订单文件。".to_string(),
            Error::MoneyBeyondBound { total_yuan } => format!("所有金额合计约 {total_yuan:.3e} 元，超出精确求和的范围：有文件已损坏或被篡改。请检查金额列。"),
            Error::InvalidOption { option, reason } => format!("参数 {option}：{reason}。"),
            Error::InvalidRule { message_zh, .. } => format!("规则：{message_zh}。"),
            Error::InvalidCatalogue { place, reason_zh, .. } => format!("标签体系 {}：{reason_zh}。", place_zh(place)),
            Error::InvalidPlaybook { place, reason_zh, .. } => format!("运营策略手册 {}：{reason_zh}。", place_zh(place)),
            Error::NoAnalysis => "请先完成分析：标签和人群基于会员明细表计算。".to_string(),
        }
    }
}

/// What is wrong with a JSON document the user imported (a tag scheme, a playbook): the place
/// (a JSON path such as `plays[3].gain.rate`, or `line 2, column 11` for JSON syntax) and why,
/// in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceError {
    /// Where.
    pub place: String,
    /// Why, in English.
    pub reason_en: String,
    /// Why, in Chinese.
    pub reason_zh: String,
}

impl PlaceError {
    /// An error at a place.
    pub fn new(place: String, reason_en: String, reason_zh: String) -> PlaceError {
        PlaceError {
            place,
            reason_en,
            reason_zh,
        }
    }

    /// A document serde could not read: its line and column, and serde's reason without its
    /// own "at line N column M"; `document_zh` names the document in Chinese.
    pub fn json(e: &serde_json::Error, document_zh: &str) -> PlaceError {
        use serde_json::error::Category;
        let what = e.to_string();
        let what = what
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string();
        PlaceError {
            place: format!("line {}, column {}", e.line(), e.column()),
            reason_zh: match e.classify() {
                Category::Eof => "JSON 不完整（缺少结尾的括号或引号）".to_string(),
                Category::Syntax | Category::Io => format!("JSON 语法错误（{what}）"),
                Category::Data => format!("不符合{document_zh}的格式（{what}）"),
            },
            reason_en: what,
        }
    }
}

impl std::fmt::Display for PlaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.reason_en)
    }
}

/// A place in a JSON document as Chinese reads it: `line 2, column 11` → `第 2 行第 11 列`;
/// a JSON path (`categories[0].groups[1]`) stays as written.
fn place_zh(place: &str) -> String {
    let nums: Vec<&str> = place
        .strip_prefix("line ")
        .map(|rest| rest.split(", column ").collect())
        .unwrap_or_default();
    match nums.as_slice() {
        [l, c] => format!("第 {l} 行第 {c} 列"),
        _ => place.to_string(),
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for Error {}

/// What kind of row problem a warning reports.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum WarningKind {
    /// The row was rejected: its date could not be read.
    BadDate,
    /// The row was rejected: its amount could not be read.
    BadAmount,
    /// The row was rejected: it has no value where one is required.
    MissingValue,
    /// The row was rejected: a quote opened and never closed.
    UnclosedQuote,
    /// The row was kept; a quote that opens a field and never closes on the row's line was
    /// read as an ordinary character (instead of swallowing the rows after it).
    StrayQuote,
    /// The row was rejected: it is a header line inside the data (a repeated header), or a
    /// row of a second table appended under the first.
    HeaderRow,
    /// The row was dropped: it repeats an earlier line exactly.
    DuplicateLine,
    /// The row was kept, but one of its fields was unreadable and left blank.
    FieldIgnored,
    /// The row was kept; its field count differs from the header's.
    RaggedRow,
    /// A file-level notice (e.g. an encoding fallback).
    Notice,
}

impl WarningKind {
    /// The stable key used in `reject_reasons` and the warnings panel.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// What exactly is wrong with a row (or a file), with the values a message quotes.
/// Serialised as `code` and `args`; [`Warning::message_en`]/[`Warning::message_zh`] render it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "code", content = "args", rename_all = "snake_case")]
pub enum WarningCode {
    /// A quote opens on this line and never closes; the rest of the file was read as one field.
    UnclosedQuote,
    /// A quote opens a field and never closes on the row's line; it was read as a character
    /// (the rows after it are read as rows). The row is kept.
    StrayQuote,
    /// A quote opens a field and never closes on the row's line; read as a character, the
    /// row still does not have the header's width, so it cannot be read.
    StrayQuoteRow {
        /// Fields in the row, the quote read as a character.
        fields: usize,
        /// Fields in the header.
        header: usize,
    },
    /// The row repeats the header (two exports joined into one file).
    RepeatedHeader,
    /// The file's columns again in another order: the rows under it are read by it.
    ReorderedHeader {
        /// The header as written.
        header: String,
    },
    /// A second table starts here, with its own header; its rows are not read.
    SecondTable {
        /// Its rows (header excluded), all left out.
        rows: usize,
        /// Its header as written.
        header: String,
    },
    /// Lines above the header (a title, notes) were skipped.
    PreambleSkipped {
        /// How many lines.
        lines: usize,
        /// The first of them, as written.
        first: String,
    },
    /// Empty header cells that no row has a value for were dropped (an extra delimiter in
    /// the header line).
    EmptyHeaderCellsDropped {
        /// How many.
        count: usize,
    },
    /// Some rows end before the header's last columns (an export that leaves trailing empty
    /// cells out): those rows are read without them.
    TrailingColumnsAbsent {
        /// The columns some rows lack, as written in the header.
        columns: String,
    },
    /// A field longer than the limit: not a value of an export.
    FieldTooLarge {
        /// Its length in bytes.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The row has more non-empty fields than the header (a value with an unquoted delimiter).
    TooManyFields {
        /// Fields in the row.
        fields: usize,
        /// Fields in the header.
        header: usize,
    },
    /// The row has fewer fields than the columns read need (a delimiter missing somewhere):
    /// its values would be read from other columns' places.
    TooFewFields {
        /// Fields in the row.
        fields: usize,
        /// Fields in the header.
        header: usize,
    },
    /// The line repeats an earlier line exactly.
    DuplicateLine,
    /// The order date is empty.
    EmptyOrderDate,
    /// The order date cannot be read.
    BadOrderDate {
        /// The cell as written.
        value: String,
    },
    /// A date outside the accepted years (taken as a typo).
    DateOutOfRange {
        /// The cell as written.
        value: String,
        /// Earliest accepted year.
        min_year: i32,
        /// Latest accepted year.
        max_year: i32,
    },
    /// The amount is empty.
    EmptyAmount,
    /// An amount (order amount, refund, total spend) cannot be read.
    BadAmount {
        /// The cell as written.
        value: String,
    },
    /// The amount is beyond ¥10 billion: a typo or a corrupted cell, not a sale.
    AmountTooLarge {
        /// The cell as written.
        value: String,
    },
    /// A member-summary purchase count cannot be read.
    BadPurchaseCount {
        /// The cell as written.
        value: String,
    },
    /// A member-summary last purchase date cannot be read.
    BadLastPurchaseDate {
        /// The cell as written.
        value: String,
    },
    /// An optional date cannot be read; the member is kept without it.
    DateIgnored {
        /// The cell as written.
        value: String,
    },
    /// A yes/no cell (e.g. 是否关注公众号) is neither; the member is kept without it.
    FlagIgnored {
        /// The cell as written.
        value: String,
    },
    /// A phone cell is not a phone number; the row is kept without it.
    BadPhone {
        /// The cell as written.
        value: String,
    },
    /// An e-mail cell is not an e-mail address; the row is kept without it.
    BadEmail {
        /// The cell as written.
        value: String,
    },
    /// A members row has no member id, phone or e-mail.
    NoMemberKey,
    /// The file starts with a UTF-8 byte-order mark but its bytes are GBK/GB18030.
    Utf8BomOnGb18030,
}

impl WarningCode {
    /// The kind of problem (what `reject_reasons` counts).
    pub fn kind(&self) -> WarningKind {
        match self {
            WarningCode::UnclosedQuote | WarningCode::StrayQuoteRow { .. } => {
                WarningKind::UnclosedQuote
            }
            WarningCode::StrayQuote => WarningKind::StrayQuote,
            WarningCode::RepeatedHeader
            | WarningCode::ReorderedHeader { .. }
            | WarningCode::SecondTable { .. } => WarningKind::HeaderRow,
            WarningCode::PreambleSkipped { .. }
            | WarningCode::EmptyHeaderCellsDropped { .. }
            | WarningCode::TrailingColumnsAbsent { .. } => WarningKind::Notice,
            WarningCode::TooManyFields { .. }
            | WarningCode::TooFewFields { .. }
            | WarningCode::FieldTooLarge { .. } => WarningKind::RaggedRow,
            WarningCode::DuplicateLine => WarningKind::DuplicateLine,
            WarningCode::EmptyOrderDate | WarningCode::EmptyAmount | WarningCode::NoMemberKey => {
                WarningKind::MissingValue
            }
            WarningCode::BadOrderDate { .. }
            | WarningCode::DateOutOfRange { .. }
            | WarningCode::BadLastPurchaseDate { .. } => WarningKind::BadDate,
            WarningCode::BadAmount { .. }
            | WarningCode::AmountTooLarge { .. }
            | WarningCode::BadPurchaseCount { .. } => WarningKind::BadAmount,
            WarningCode::DateIgnored { .. }
            | WarningCode::FlagIgnored { .. }
            | WarningCode::BadPhone { .. }
            | WarningCode::BadEmail { .. } => WarningKind::FieldIgnored,
            WarningCode::Utf8BomOnGb18030 => WarningKind::Notice,
        }
    }

    /// The reason in English, quoting the offending value.
    pub fn message_en(&self) -> String {
        match self {
            WarningCode::UnclosedQuote => "a quote opens on this line and never closes; the rest of the file was read as one field".into(),
            WarningCode::StrayQuote => "a quote opens a field on this line and never closes on it: read as an ordinary character, so the rows after it are read as rows; the row is kept".into(),
            WarningCode::StrayQuoteRow { fields, header } => format!("a quote opens a field on this line and never closes on it; even with the quote read as a character the row has {fields} fields and the header {header}, so it cannot be read"),
            WarningCode::RepeatedHeader => "the line repeats the header (two exports joined into one file); it is not a data row".into(),
            WarningCode::ReorderedHeader { header } => format!("the header starts again here with its columns in another order ({header}); it is not a data row, and the rows under it are read by it"),
            WarningCode::SecondTable { rows, header } => format!("a second table starts here (header: {header}); its {rows} rows are not read: put that table in a file of its own"),
            WarningCode::PreambleSkipped { lines, first } => format!("{lines} line(s) above the header were skipped (a title or notes: \"{first}\"); if that is wrong, set the header row"),
            WarningCode::EmptyHeaderCellsDropped { count } => format!("{count} empty header cell(s) that no row fills were dropped (an extra delimiter in the header line)"),
            WarningCode::TrailingColumnsAbsent { columns } => format!("some rows end before the last columns ({columns}), as exports that leave trailing empty cells out do; they are read without them"),
            WarningCode::FieldTooLarge { bytes, limit } => format!("a field of {bytes} bytes is beyond the limit of {limit} bytes: not a value of an export"),
            WarningCode::TooManyFields { fields, header } => format!("the row has {fields} fields but the header has {header}; a value probably contains an unquoted delimiter"),
            WarningCode::TooFewFields { fields, header } => format!("the row has {fields} fields but the header has {header}; a delimiter is missing, so its values would be read from the wrong columns"),
            WarningCode::DuplicateLine => "the line repeats an earlier line exactly".into(),
            WarningCode::EmptyOrderDate => "the order date is empty".into(),
            WarningCode::BadOrderDate { value } => format!("cannot read the date \"{value}\""),
            WarningCode::DateOutOfRange { value, min_year, max_year } => format!("\"{value}\" is not a calendar date between {min_year} and {max_year}"),
            WarningCode::EmptyAmount => "the amount is empty".into(),
            WarningCode::BadAmount { value } => format!("cannot read the amount \"{value}\""),
            WarningCode::AmountTooLarge { value } => format!("the amount \"{value}\" is beyond 10 billion: a typo or a corrupted cell"),
            WarningCode::BadPurchaseCount { value } => format!("cannot read the purchase count \"{value}\""),
            WarningCode::BadLastPurchaseDate { value } => format!("cannot read the last purchase date \"{value}\""),
            WarningCode::DateIgnored { value } => format!("cannot read the date \"{value}\"; the member is kept without it"),
            WarningCode::FlagIgnored { value } => format!("cannot read \"{value}\" as yes or no; the member is kept without it"),
            WarningCode::BadPhone { value } => format!("\"{value}\" is not a phone number; the row is kept without it"),
            WarningCode::BadEmail { value } => format!("\"{value}\" is not an e-mail address; the row is kept without it"),
            WarningCode::NoMemberKey => "the row has no member id, phone or e-mail".into(),
            WarningCode::Utf8BomOnGb18030 => "the file starts with a UTF-8 BOM but its bytes are GBK/GB18030; read as GB18030".into(),
        }
    }

    /// The reason in Chinese (zh-CN).
    pub fn message_zh(&self) -> String {
        match self {
            WarningCode::UnclosedQuote => "此行的引号没有闭合，文件其余部分被读成了一个字段".into(),
            WarningCode::StrayQuote => "此行有一个字段以引号开头但在本行内没有闭合：已把它当作普通字符，后面的行照常读取；此行保留".into(),
            WarningCode::StrayQuoteRow { fields, header } => format!(
                "此行有一个字段以引号开头但在本行内没有闭合；即使把引号当作普通字符，此行也有 {fields} 个字段而表头有 {header} 个，无法读取"
            ),
            WarningCode::RepeatedHeader => "此行重复了表头（两份导出拼在了一个文件里），不是数据行".into(),
            WarningCode::ReorderedHeader { header } => format!(
                "表头在这里重新出现，但列的顺序不同（{header}）；此行不是数据行，其下的行按这一表头读取"
            ),
            WarningCode::SecondTable { rows, header } => format!(
                "从这里开始是另一张表（表头：{header}），其 {rows} 行未读取：请把它另存为单独的文件"
            ),
            WarningCode::PreambleSkipped { lines, first } => format!(
                "跳过了表头上方的 {lines} 行（标题或说明：“{first}”）；如有误，请指定表头所在行"
            ),
            WarningCode::EmptyHeaderCellsDropped { count } => format!(
                "表头中有 {count} 个空单元格没有任何数据行填写，已去掉（表头行多了分隔符）"
            ),
            WarningCode::TrailingColumnsAbsent { columns } => format!(
                "部分行在最后几列（{columns}）之前就结束了（导出时省略了末尾的空单元格），按不含这些列读取"
            ),
            WarningCode::FieldTooLarge { bytes, limit } => format!(
                "有一个字段长 {bytes} 字节，超过上限 {limit} 字节，不是导出文件中的正常值"
            ),
            WarningCode::TooManyFields { fields, header } => format!(
                "此行有 {fields} 个字段，表头只有 {header} 个；可能某个值含有未加引号的分隔符"
            ),
            WarningCode::TooFewFields { fields, header } => format!(
                "此行只有 {fields} 个字段，表头有 {header} 个；缺了分隔符，值会被读到错误的列"
            ),
            WarningCode::DuplicateLine => "此行与前面某行完全相同（重复导出）".into(),
            WarningCode::EmptyOrderDate => "订单日期为空".into(),
            WarningCode::BadOrderDate { value } => format!("无法识别日期“{value}”"),
            WarningCode::DateOutOfRange {
                value,
                min_year,
                max_year,
            } => format!("“{value}”不是 {min_year} 至 {max_year} 年之间的有效日期"),
            WarningCode::EmptyAmount => "金额为空".into(),
            WarningCode::BadAmount { value } => format!("无法识别金额“{value}”"),
            WarningCode::AmountTooLarge { value } => {
                format!("金额“{value}”超过 100 亿，应是录入错误或数据损坏")
            }
            WarningCode::BadPurchaseCount { value } => format!("无法识别消费次数“{value}”"),
            WarningCode::BadLastPurchaseDate { value } => format!("无法识别最近消费时间“{value}”"),
            WarningCode::DateIgnored { value } => {
                format!("无法识别日期“{value}”，会员保留但不含此日期")
            }
            WarningCode::FlagIgnored { value } => {
                format!("无法把“{value}”识别为是或否，会员保留但不含此项")
            }
            WarningCode::BadPhone { value } => format!("“{value}”不是手机号，此行保留但不含手机号"),
            WarningCode::BadEmail { value } => format!("“{value}”不是邮箱地址，此行保留但不含邮箱"),
            WarningCode::NoMemberKey => "此行没有会员ID、手机号或邮箱".into(),
            WarningCode::Utf8BomOnGb18030 => {
                "文件以 UTF-8 BOM 开头，但内容是 GBK/GB18030 编码，已按 GB18030 读取".into()
            }
        }
    }
}

/// A problem with one row (or a notice about a file) that does not stop the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// File name as given by the user.
    pub file: String,
    /// 1-based physical line where the row starts (the header is line 1).
    pub line: usize,
    /// Header of the offending column, if one.
    pub column: Option<String>,
    /// What is wrong, with the values quoted.
    pub code: WarningCode,
}

impl Warning {
    /// What kind of problem.
    pub fn kind(&self) -> WarningKind {
        self.code.kind()
    }

    /// The reason in English.
    pub fn message_en(&self) -> String {
        self.code.message_en()
    }

    /// The reason in Chinese.
    pub fn message_zh(&self) -> String {
        self.code.message_zh()
    }
}

/// A warning as the report writes it: its fields, kind, code and args, and both messages.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Warning")]
struct WarningOut<'a> {
    /// File name as given by the user.
    file: &'a str,
    /// 1-based physical line where the row starts (the header is line 1).
    line: usize,
    /// Header of the offending column, if one.
    column: Option<&'a str>,
    /// What kind of problem (the key counted in `files[].reject_reasons`).
    kind: WarningKind,
    /// What is wrong: `code` and its `args`.
    #[serde(flatten)]
    code: &'a WarningCode,
    /// The reason in English, quoting the offending value.
    message_en: String,
    /// The reason in Chinese.
    message_zh: String,
}

impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WarningOut {
            file: &self.file,
            line: self.line,
            column: self.column.as_deref(),
            kind: self.kind(),
            code: &self.code,
            message_en: self.message_en(),
            message_zh: self.message_zh(),
        }
        .serialize(s)
    }
}

impl JsonSchema for Warning {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Warning".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        WarningOut::json_schema(g)
    }
}

/// What a run-level notice says.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "code", content = "args", rename_all = "snake_case")]
pub enum NoticeCode {
    /// The forecasts (BG/NBD, Gamma-Gamma, CLV) could not be computed at all.
    ForecastNotComputed {
        /// Why, in English.
        reason: String,
    },
    /// A few purchases dated more than a year after all the others were left out of the
    /// default as-of date (typos such as 2099 for 2024).
    FutureDatesLeftOut {
        /// How many.
        count: usize,
        /// The latest of them.
        latest: String,
    },
    /// Nobody had bought by the comparison date: there is no segment movement to show.
    NoBuyersAtCompareDate {
        /// The comparison date.
        date: String,
    },
    /// The data supports a simpler purchase model than BG/NBD (e.g. everyone buys at one
    /// rate and nobody drops out): member forecasts use it.
    PurchaseModelSimplified {
        /// `bg_poisson`, `nbd` or `poisson`.
        model: String,
        /// The mean purchase rate per day (λ for `poisson` and `bg_poisson`, r/α for `nbd`).
        rate_per_day: f64,
    },
    /// Everyone's mean spend per purchase looks the same: expected spend is that one mean.
    SpendModelCommonMean {
        /// The common mean spend per purchase.
        mean_spend: f64,
    },
    /// A forecast model's fit stopped before reaching its tolerance.
    ForecastNotConverged {
        /// Model key.
        model: String,
    },
    /// The purchase model the user asked for (`--model`) has no estimate on this data: the
    /// data's choice is used instead.
    RequestedModelUnavailable {
        /// The model asked for.
        requested: String,
        /// The model used.
        used: String,
    },
}

/// A message about the whole run (not about a row), in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Notice {
    /// What it says: `code` and its `args`.
    #[serde(flatten)]
    pub code: NoticeCode,
    /// The message in English.
    pub message_en: String,
    /// The message in Chinese.
    pub message_zh: String,
}

/// A result together with the warnings produced while computing it (typst's `Warned`):
/// `ingest()` returns the file it read with its row warnings. It derefs to the
/// value, so `file.summary` reads as before.
#[derive(Debug, Clone)]
pub struct Warned<T> {
    /// The value.
    pub output: T,
    /// Warnings in input order.
    pub warnings: Vec<Warning>,
}

impl<T> std::ops::Deref for Warned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.output
    }
}
