//! The rule language of custom tags and audiences (标签规则), read into a syntax tree with the
//! position of every part. Grammar (keywords in any case; `&&`, `||`, `!` also work):
//!
//! ```text
//! rule       := or
//! or         := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "not" unary | "(" or ")" | test
//! test       := operand ( cmp operand
//!                       | "between" operand "and" operand
//!                       | "has" operand
//!                       | "in" "(" operand ("," operand)* ")"
//!                       | "is" ["not"] "empty" )?
//! cmp        := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//! operand    := field | number | "text" | tag("name") | col("header")
//! ```
//!
//! A test without an operator needs a yes/no operand (a tag, `in_member_file`). Types are
//! checked before a rule runs (see [`super::compile`]). The grammar is documented for users in
//! `docs/rules-language.md`.

use super::error::{Expected, RuleError, RuleErrorKind};

/// Where a part of a rule sits: byte offsets into the rule text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=` or `==`.
    Eq,
    /// `!=` or `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CmpOp {
    /// As written in a rule.
    pub fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value in a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A member field (a column key, e.g. `recency_days`, or its Chinese label, e.g. `性别`).
    Field(String, Span),
    /// An extra column of the members table: `col("会员来源")`.
    Col(String, Span),
    /// A tag: `tag("重要价值客户")`.
    Tag(String, Span),
    /// A number.
    Number(f64, Span),
    /// `true` or `false`.
    Bool(bool, Span),
    /// A quoted text.
    Text(String, Span),
}

impl Operand {
    /// Where it is.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field(_, s)
            | Operand::Col(_, s)
            | Operand::Tag(_, s)
            | Operand::Number(_, s)
            | Operand::Bool(_, s)
            | Operand::Text(_, s) => *s,
        }
    }
}

/// A rule, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Either holds.
    Or(Box<Expr>, Box<Expr>),
    /// Both hold.
    And(Box<Expr>, Box<Expr>),
    /// Does not hold.
    Not(Box<Expr>),
    /// `a op b`.
    Compare(Operand, CmpOp, Operand, Span),
    /// `a between low and high` (inclusive).
    Between(Operand, Operand, Operand, Span),
    /// `a has "text"`: a text contains it, or an item of a list does (case-insensitive).
    Has(Operand, Operand, Span),
    /// `a in (x, y, ...)`.
    In(Operand, Vec<Operand>, Span),
    /// `a is empty` (or `is not empty` when the flag is set).
    IsEmpty(Operand, bool, Span),
    /// A yes/no operand on its own.
    Truth(Operand),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Text(String),
    Number(f64),
    Cmp(CmpOp),
    LParen,
    RParen,
    Comma,
    AndSym,
    OrSym,
    NotSym,
    End,
}

impl Tok {
    fn shown(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Text(s) => format!("\"{s}\""),
            Tok::Number(n) => n.to_string(),
            Tok::Cmp(op) => op.text().to_string(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Comma => ",".into(),
            Tok::AndSym => "&&".into(),
            Tok::OrSym => "||".into(),
            Tok::NotSym => "!".into(),
            Tok::End => String::new(),
        }
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, Span)>, RuleError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    let err = |kind, start: usize, end: usize| Err(RuleError::at(src, kind, Span { start, end }));
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let single = |t: Tok| {
            (
                t,
                Span {
                    start: i,
                    end: i + c.len_utf8(),
                },
            )
        };
        match c {
            '(' | '（' => {
                chars.next();
                out.push(single(Tok::LParen));
            }
            ')' | '）' => {
                chars.next();
                out.push(single(Tok::RParen));
            }
            ',' | '，' => {
                chars.next();
                out.push(single(Tok::Comma));
            }
            '"' | '“' | '”' | '\'' => {
                chars.next();
                let close = match c {
                    '“' => '”',
                    other => other,
                };
                let mut text = String::new();
                let mut end = None;
                for (j, d) in chars.by_ref() {
                    if d == close || (c == '“' && d == '"') || (c == '"' && d == '”') {
                        end = Some(j + d.len_utf8());
                        break;
                    }
                    text.push(d);
                }
                match end {
                    Some(e) => out.push((Tok::Text(text), Span { start: i, end: e })),
                    None => return err(RuleErrorKind::UnterminatedText, i, src.len()),
                }
            }
            '=' | '!' | '<' | '>' | '&' | '|' => {
                chars.next();
                let next = chars.peek().map(|&(_, d)| d);
                let two = |t: Tok| {
                    (
                        t,
                        Span {
                            start: i,
                            end: i + 2,
                        },
                    )
                };
                let tok = match (c, next) {
                    ('=', Some('=')) => two(Tok::Cmp(CmpOp::Eq)),
                    ('!', Some('=')) => two(Tok::Cmp(CmpOp::Ne)),
                    ('<', Some('>')) => two(Tok::Cmp(CmpOp::Ne)),
                    ('<', Some('=')) => two(Tok::Cmp(CmpOp::Le)),
                    ('>', Some('=')) => two(Tok::Cmp(CmpOp::Ge)),
                    ('&', Some('&')) => two(Tok::AndSym),
                    ('|', Some('|')) => two(Tok::OrSym),
                    ('=', _) => single(Tok::Cmp(CmpOp::Eq)),
                    ('!', _) => single(Tok::NotSym),
                    ('<', _) => single(Tok::Cmp(CmpOp::Lt)),
                    ('>', _) => single(Tok::Cmp(CmpOp::Gt)),
                    _ => return err(RuleErrorKind::UnexpectedChar(c), i, i + 1),
                };
                if tok.1.end == i + 2 {
                    chars.next();
                }
                out.push(tok);
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '.')
                    && src[i + 1..].starts_with(|d: char| d.is_ascii_digit())) =>
            {
                let mut end = i;
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_ascii_digit() || d == '.' || (j == i && d == '-') {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let text = &src[i..end];
                match text.parse::<f64>() {
                    Ok(n) if n.is_finite() => {
                        out.push((Tok::Number(n), Span { start: i, end }));
                    }
                    _ => return err(RuleErrorKind::BadNumber(text.to_string()), i, end),
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = i;
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push((Tok::Ident(src[i..end].to_string()), Span { start: i, end }));
            }
            other => {
                return err(
                    RuleErrorKind::UnexpectedChar(other),
                    i,
                    i + other.len_utf8(),
                )
            }
        }
    }
    out.push((
        Tok::End,
        Span {
            start: src.len(),
            end: src.len(),
        },
    ));
    Ok(out)
}

/// Reads a rule.
pub fn parse(src: &str) -> Result<Expr, RuleError> {
    let toks = lex(src)?;
    let mut p = Parser { src, toks, at: 0 };
    if matches!(p.peek(), Tok::End) {
        return Err(RuleError::at(src, RuleErrorKind::EmptyRule, p.span()));
    }
    let e = p.or()?;
    match p.peek() {
        Tok::End => Ok(e),
        _ => Err(p.expected(Expected::AndOrEnd)),
    }
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<(Tok, Span)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.at].0
    }

    fn span(&self) -> Span {
        self.toks[self.at].1
    }

    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.at].clone();
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(word))
    }

    fn expected(&self, what: Expected) -> RuleError {
        let found = match self.peek() {
            Tok::End => None,
            t => Some(t.shown()),
        };
        RuleError::at(
            self.src,
            RuleErrorKind::Expected {
                expected: what,
                found,
            },
            self.span(),
        )
    }

    fn or(&mut self) -> Result<Expr, RuleError> {
        let mut left = self.and()?;
        while self.keyword("or") || matches!(self.peek(), Tok::OrSym) {
            self.bump();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, RuleError> {
        let mut left = self.unary()?;
        while self.keyword("and") || matches!(self.peek(), Tok::AndSym) {
            self.bump();
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, RuleError> {
        if self.keyword("not") || matches!(self.peek(), Tok::NotSym) {
            self.bump();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if matches!(self.peek(), Tok::LParen) {
            self.bump();
            let e = self.or()?;
            if !matches!(self.peek(), Tok::RParen) {
                return Err(self.expected(Expected::CloseParen));
            }
            self.bump();
            return Ok(e);
        }
        self.test()
    }

    fn test(&mut self) -> Result<Expr, RuleError> {
        let left = self.operand()?;
        let start = left.span().start;
        let to = |end: usize| Span { start, end };
        if let Tok::Cmp(op) = *self.peek() {
            self.bump();
            let right = self.operand()?;
            let end = right.span().end;
            return Ok(Expr::Compare(left, op, right, to(end)));
        }
        if self.keyword("between") {
            self.bump();
            let low = self.operand()?;
            if !self.keyword("and") {
                return Err(self.expected(Expected::And));
            }
            self.bump();
            let high = self.operand()?;
            let end = high.span().end;
            return Ok(Expr::Between(left, low, high, to(end)));
        }
        if self.keyword("has") {
            self.bump();
            let needle = self.operand()?;
            let end = needle.span().end;
            return Ok(Expr::Has(left, needle, to(end)));
        }
        if self.keyword("in") {
            self.bump();
            if !matches!(self.peek(), Tok::LParen) {
                return Err(self.expected(Expected::OpenParen));
            }
            self.bump();
            let mut items = vec![self.operand()?];
            while matches!(self.peek(), Tok::Comma) {
                self.bump();
                items.push(self.operand()?);
            }
            if !matches!(self.peek(), Tok::RParen) {
                return Err(self.expected(Expected::CommaOrCloseParen));
            }
            let (_, close) = self.bump();
            return Ok(Expr::In(left, items, to(close.end)));
        }
        if self.keyword("is") {
            self.bump();
            let negated = self.keyword("not");
            if negated {
                self.bump();
            }
            if !self.keyword("empty") {
                return Err(self.expected(Expected::Empty));
            }
            let (_, s) = self.bump();
            return Ok(Expr::IsEmpty(left, negated, to(s.end)));
        }
        Ok(Expr::Truth(left))
    }

    fn operand(&mut self) -> Result<Operand, RuleError> {
        match self.peek().clone() {
            Tok::Number(n) => {
                let (_, s) = self.bump();
                Ok(Operand::Number(n, s))
            }
            Tok::Text(t) => {
                let (_, s) = self.bump();
                Ok(Operand::Text(t, s))
            }
            Tok::Ident(name) if is_reserved(&name) => Err(self.expected(Expected::Operand)),
            Tok::Ident(name)
                if name.eq_ignore_ascii_case("true") || name.eq_ignore_ascii_case("false") =>
            {
                let (_, s) = self.bump();
                Ok(Operand::Bool(name.eq_ignore_ascii_case("true"), s))
            }
            Tok::Ident(name) => {
                let (_, s) = self.bump();
                if !matches!(self.peek(), Tok::LParen) {
                    return Ok(Operand::Field(name, s));
                }
                self.bump();
                let arg = match self.peek().clone() {
                    Tok::Text(t) => {
                        self.bump();
                        t
                    }
                    _ => return Err(self.expected(Expected::QuotedName)),
                };
                if !matches!(self.peek(), Tok::RParen) {
                    return Err(self.expected(Expected::CloseParen));
                }
                let (_, close) = self.bump();
                let span = Span {
                    start: s.start,
                    end: close.end,
                };
                match name.to_ascii_lowercase().as_str() {
                    "tag" => Ok(Operand::Tag(arg, span)),
                    "col" => Ok(Operand::Col(arg, span)),
                    _ => Err(RuleError::at(
                        self.src,
                        RuleErrorKind::UnknownFunction(name),
                        s,
                    )),
                }
            }
            _ => Err(self.expected(Expected::Operand)),
        }
    }
}

fn is_reserved(word: &str) -> bool {
    ["and", "or", "not", "between", "has", "in", "is", "empty"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}
