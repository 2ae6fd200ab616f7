//! What can be wrong with a rule, where (line and column), and how to say it in both languages.

use serde::Serialize;

use super::rule::Span;

/// What the reader wanted to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// A field, number, text, `tag("…")` or `col("…")`.
    Operand,
    /// `and` (after `between x`).
    And,
    /// `and`, `or` or the end of the rule.
    AndOrEnd,
    /// `(`.
    OpenParen,
    /// `)`.
    CloseParen,
    /// `,` or `)`.
    CommaOrCloseParen,
    /// `empty` (after `is` or `is not`).
    Empty,
    /// A quoted name (inside `tag(…)` or `col(…)`).
    QuotedName,
}

impl Expected {
    fn en(self) -> &'static str {
        match self {
            Expected::Operand => "a field, a number, a \"text\", tag(\"…\") or col(\"…\")",
            Expected::And => "and",
            Expected::AndOrEnd => "and, or, or the end of the rule",
            Expected::OpenParen => "(",
            Expected::CloseParen => ")",
            Expected::CommaOrCloseParen => ", or )",
            Expected::Empty => "empty",
            Expected::QuotedName => "a quoted name",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Expected::Operand => "字段、数字、\"文本\"、tag(\"…\") 或 col(\"…\")",
            Expected::And => "and",
            Expected::AndOrEnd => "and、or 或规则结尾",
            Expected::OpenParen => "(",
            Expected::CloseParen => ")",
            Expected::CommaOrCloseParen => "“,”或“)”",
            Expected::Empty => "empty",
            Expected::QuotedName => "带引号的名称",
        }
    }
}

/// The type of a value in a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    /// A number (counts, money, days, scores).
    Number,
    /// A text.
    Text,
    /// A date.
    Date,
    /// A list of texts (sources).
    List,
    /// Yes or no (tags, `in_member_file`).
    Bool,
}

impl Ty {
    fn en(self) -> &'static str {
        match self {
            Ty::Number => "a number",
            Ty::Text => "a text",
            Ty::Date => "a date",
            Ty::List => "a list",
            Ty::Bool => "yes/no",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Ty::Number => "数字",
            Ty::Text => "文本",
            Ty::Date => "日期",
            Ty::List => "列表",
            Ty::Bool => "是/否",
        }
    }
}

/// What is wrong with a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", content = "args", rename_all = "snake_case")]
pub enum RuleErrorKind {
    /// The rule is empty.
    EmptyRule,
    /// A character no rule uses.
    UnexpectedChar(char),
    /// A quote opens and never closes.
    UnterminatedText,
    /// A number that cannot be read.
    BadNumber(String),
    /// Something else was expected here.
    Expected {
        /// What was expected.
        expected: Expected,
        /// What was found (`None` at the end of the rule).
        found: Option<String>,
    },
    /// No member field has this name.
    UnknownField {
        /// The name.
        name: String,
        /// The closest field name, if one is close.
        suggestion: Option<String>,
    },
    /// Only `tag(…)` and `col(…)` are functions.
    UnknownFunction(String),
    /// No tag has this name.
    UnknownTag(String),
    /// An operator used with values it does not take.
    TypeMismatch {
        /// The operator.
        op: String,
        /// The left value's type.
        left: Ty,
        /// The right value's type.
        right: Ty,
    },
    /// A value alone where a yes/no is needed (e.g. `frequency` without a comparison).
    NotYesNo(Ty),
    /// A text compared with a date is not a date `YYYY-MM-DD`.
    BadDate(String),
}

/// A rule error with its place: line and column (1-based, in characters) and byte span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleError {
    /// What is wrong.
    #[serde(flatten)]
    pub kind: RuleErrorKind,
    /// Line of the rule (1-based).
    pub line: usize,
    /// Column in that line (1-based, counting characters).
    pub column: usize,
    /// Byte offsets of the offending part.
    #[serde(skip)]
    pub span: Span,
}

impl RuleError {
    /// An error at `span` of `src`.
    pub(crate) fn at(src: &str, kind: RuleErrorKind, span: Span) -> RuleError {
        let before = &src[..span.start.min(src.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        RuleError {
            kind,
            line,
            column,
            span,
        }
    }

    /// The message in English, with its place.
    pub fn message_en(&self) -> String {
        let what = match &self.kind {
            RuleErrorKind::EmptyRule => "the rule is empty".to_string(),
            RuleErrorKind::UnexpectedChar(c) => format!("unexpected character '{c}'"),
            RuleErrorKind::UnterminatedText => "a quote opens here and never closes".into(),
            RuleErrorKind::BadNumber(n) => format!("\"{n}\" is not a number"),
            RuleErrorKind::Expected { expected, found } => match found {
                Some(f) => format!("expected {}, found \"{f}\"", expected.en()),
                None => format!("expected {} at the end of the rule", expected.en()),
            },
            RuleErrorKind::UnknownField { name, suggestion } => match suggestion {
                Some(s) => format!("no member field is called \"{name}\"; did you mean \"{s}\"?"),
                None => format!("no member field is called \"{name}\""),
            },
            RuleErrorKind::UnknownFunction(f) => {
                format!("\"{f}\" is not a function; use tag(\"…\") or col(\"…\")")
            }
            RuleErrorKind::UnknownTag(t) => format!("no tag is called \"{t}\""),
            RuleErrorKind::TypeMismatch { op, left, right } => {
                format!("{op} cannot compare {} with {}", left.en(), right.en())
            }
            RuleErrorKind::NotYesNo(t) => {
                format!("{} is not yes/no: compare it (e.g. >= 3)", t.en())
            }
            RuleErrorKind::BadDate(d) => format!("\"{d}\" is not a date YYYY-MM-DD"),
        };
        format!("line {}, column {}: {what}", self.line, self.column)
    }

    /// The message in Chinese, with its place.
    pub fn message_zh(&self) -> String {
        let what = match &self.kind {
            RuleErrorKind::EmptyRule => "规则为空".to_string(),
            RuleErrorKind::UnexpectedChar(c) => format!("无法识别的字符“{c}”"),
            RuleErrorKind::UnterminatedText => "此处的引号没有闭合".into(),
            RuleErrorKind::BadNumber(n) => format!("“{n}”不是数字"),
            RuleErrorKind::Expected { expected, found } => match found {
                Some(f) => format!("此处应为 {}，实际是“{f}”", expected.zh()),
                None => format!("规则在此处结束，但应为 {}", expected.zh()),
            },
            RuleErrorKind::UnknownField { name, suggestion } => match suggestion {
                Some(s) => format!("没有名为“{name}”的会员字段，是否想用“{s}”？"),
                None => format!("没有名为“{name}”的会员字段"),
            },
            RuleErrorKind::UnknownFunction(f) => {
                format!("“{f}”不是函数，请使用 tag(\"…\") 或 col(\"…\")")
            }
            RuleErrorKind::UnknownTag(t) => format!("没有名为“{t}”的标签"),
            RuleErrorKind::TypeMismatch { op, left, right } => {
                format!("{op} 不能比较{}和{}", left.zh(), right.zh())
            }
            RuleErrorKind::NotYesNo(t) => format!("{}不是是/否条件，请加比较（如 >= 3）", t.zh()),
            RuleErrorKind::BadDate(d) => format!("“{d}”不是 YYYY-MM-DD 格式的日期"),
        };
        format!("第 {} 行第 {} 列：{what}", self.line, self.column)
    }
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for RuleError {}
