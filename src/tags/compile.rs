//! A rule checked against the member fields and the tags, ready to run over the member table.
//! Types are checked before a rule runs: comparing a date with a text is an error naming the
//! place, not a silent `false`.

use super::error::{RuleError, RuleErrorKind, Ty};
use super::rule::{parse, CmpOp, Expr, Operand, Span};
use crate::members::{Column, ColumnKind, MemberTable, MemberView, Value, COLUMNS};
use crate::model::Day;

/// The tags a rule may name with `tag("…")`.
pub trait TagSource: Sync {
    /// The tag's id, by its name (Chinese or English) or key.
    fn find(&self, name: &str) -> Option<usize>;
    /// True when the member carries the tag.
    fn has(&self, tag: usize, member: &MemberView<'_>) -> bool;
    /// The tag's members as bits (member `i` of `table` is bit `i % 64` of word `i / 64`),
    /// when the source keeps them (made once, kept for the next rule).
    fn bits(&self, _tag: usize, _table: &MemberTable) -> Option<&[u64]> {
        None
    }
}

/// No tags at all (a rule over fields only).
pub struct NoTags;

impl TagSource for NoTags {
    fn find(&self, _: &str) -> Option<usize> {
        None
    }

    fn has(&self, _: usize, _: &MemberView<'_>) -> bool {
        false
    }
}

/// Where a value comes from.
#[derive(Debug, Clone)]
enum Source {
    Column(&'static Column),
    Extra(String),
    Tag(usize),
    Number(f64),
    Bool(bool),
    Text(String),
    Day(i32),
}

/// A value's source and its type, as checked.
type Typed = (Source, Ty);

/// A value while a rule runs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val<'a> {
    Empty,
    Number(f64),
    Text(&'a str),
    Day(i32),
    List(&'a [String]),
    Bool(bool),
}

#[derive(Debug, Clone)]
enum Node {
    Or(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Compare(Source, CmpOp, Source),
    Between(Source, Source, Source),
    Has(Source, String),
    In(Source, Vec<Source>),
    IsEmpty(Source, bool),
    Truth(Source),
    /// A number column against constants (`frequency >= 3`, `age between 25 and 35`), the
    /// commonest test, run without the general comparison: low, low included, high, high
    /// included.
    NumRange(&'static Column, f64, bool, f64, bool),
}

/// A test of a number column against constants as a range, when it is one.
fn num_range(a: &Source, op: CmpOp, b: &Source) -> Option<Node> {
    let (Source::Column(c), Source::Number(k)) = (a, b) else {
        return None;
    };
    let (k, inf) = (*k, f64::INFINITY);
    let range = match op {
        CmpOp::Eq => (k, true, k, true),
        CmpOp::Lt => (-inf, true, k, false),
        CmpOp::Le => (-inf, true, k, true),
        CmpOp::Gt => (k, false, inf, true),
        CmpOp::Ge => (k, true, inf, true),
        CmpOp::Ne => return None,
    };
    Some(Node::NumRange(c, range.0, range.1, range.2, range.3))
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    text: String,
    root: Node,
}

fn kind_ty(k: ColumnKind) -> Ty {
    match k {
        ColumnKind::Text | ColumnKind::Key => Ty::Text,
        ColumnKind::Integer | ColumnKind::Number | ColumnKind::Money | ColumnKind::Rate => {
            Ty::Number
        }
        ColumnKind::Date => Ty::Date,
        ColumnKind::List => Ty::List,
        ColumnKind::Bool => Ty::Bool,
    }
}

/// The column a field name means: its key, `source` for `sources`, or its Chinese label.
fn field(name: &str) -> Option<&'static Column> {
    let key = match name {
        "source" => "sources",
        other => other,
    };
    COLUMNS
        .iter()
        .find(|c| c.key.eq_ignore_ascii_case(key) || c.label_zh == name)
}

/// The field name closest to a mistyped one (at most two edits away).
fn suggestion(name: &str) -> Option<String> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    let lower = name.to_lowercase();
    COLUMNS
        .iter()
        .map(|c| (distance(&lower, c.key), c.key))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.to_string())
}

struct Checker<'r> {
    src: &'r str,
    tags: &'r dyn TagSource,
}

impl Checker<'_> {
    fn err(&self, kind: RuleErrorKind, span: Span) -> RuleError {
        RuleError::at(self.src, kind, span)
    }

    /// The source of an operand and its type; a text literal stays a text here.
    fn operand(&self, o: &Operand) -> Result<Typed, RuleError> {
        Ok(match o {
            Operand::Field(name, span) => match field(name) {
                Some(c) => (Source::Column(c), kind_ty(c.kind)),
                None => {
                    return Err(self.err(
                        RuleErrorKind::UnknownField {
                            name: name.clone(),
                            suggestion: suggestion(name),
                        },
                        *span,
                    ))
                }
            },
            Operand::Col(header, _) => (Source::Extra(header.clone()), Ty::Text),
            Operand::Tag(name, span) => match self.tags.find(name) {
                Some(id) => (Source::Tag(id), Ty::Bool),
                None => return Err(self.err(RuleErrorKind::UnknownTag(name.clone()), *span)),
            },
            Operand::Number(n, _) => (Source::Number(*n), Ty::Number),
            Operand::Bool(b, _) => (Source::Bool(*b), Ty::Bool),
            Operand::Text(t, _) => (Source::Text(t.clone()), Ty::Text),
        })
    }

    /// An operand read as `want` where a text literal may stand for a date.
    fn as_type(&self, o: &Operand, want: Ty) -> Result<Typed, RuleError> {
        let (src, ty) = self.operand(o)?;
        match (&src, want) {
            (Source::Text(t), Ty::Date) => match Day::parse(t) {
                Some(d) => Ok((Source::Day(d.0), Ty::Date)),
                None => Err(self.err(RuleErrorKind::BadDate(t.clone()), o.span())),
            },
            _ => Ok((src, ty)),
        }
    }

    /// Both sides of a binary test, a text literal read as a date opposite a date.
    fn pair(&self, a: &Operand, b: &Operand) -> Result<(Typed, Typed), RuleError> {
        let (sa, ta) = self.operand(a)?;
        let (sb, tb) = self.operand(b)?;
        let (left, right) = match (ta, tb) {
            (Ty::Date, Ty::Text) if matches!(sb, Source::Text(_)) => {
                ((sa, ta), self.as_type(b, Ty::Date)?)
            }
            (Ty::Text, Ty::Date) if matches!(sa, Source::Text(_)) => {
                (self.as_type(a, Ty::Date)?, (sb, tb))
            }
            _ => ((sa, ta), (sb, tb)),
        };
        Ok((left, right))
    }

    fn mismatch(&self, op: &str, left: Ty, right: Ty, span: Span) -> RuleError {
        self.err(
            RuleErrorKind::TypeMismatch {
                op: op.to_string(),
                left,
                right,
            },
            span,
        )
    }

    fn node(&self, e: &Expr) -> Result<Node, RuleError> {
        Ok(match e {
            Expr::Or(a, b) => Node::Or(Box::new(self.node(a)?), Box::new(self.node(b)?)),
            Expr::And(a, b) => Node::And(Box::new(self.node(a)?), Box::new(self.node(b)?)),
            Expr::Not(a) => Node::Not(Box::new(self.node(a)?)),
            Expr::Compare(a, op, b, span) => {
                let ((sa, ta), (sb, tb)) = self.pair(a, b)?;
                let ordered = !matches!(op, CmpOp::Eq | CmpOp::Ne);
                let ok =
                    ta == tb && ta != Ty::List && (!ordered || matches!(ta, Ty::Number | Ty::Date));
                if !ok {
                    return Err(self.mismatch(op.text(), ta, tb, *span));
                }
                num_range(&sa, *op, &sb).unwrap_or(Node::Compare(sa, *op, sb))
            }
            Expr::Between(v, lo, hi, span) => {
                let (sv, tv) = self.operand(v)?;
                if !matches!(tv, Ty::Number | Ty::Date) {
                    return Err(self.mismatch("between", tv, tv, *span));
                }
                let (slo, tlo) = self.as_type(lo, tv)?;
                let (shi, thi) = self.as_type(hi, tv)?;
                for t in [tlo, thi] {
                    if t != tv {
                        return Err(self.mismatch("between", tv, t, *span));
                    }
                }
                match (&sv, &slo, &shi) {
                    (Source::Column(c), Source::Number(lo), Source::Number(hi))
                        if tv == Ty::Number =>
                    {
                        Node::NumRange(c, *lo, true, *hi, true)
                    }
                    _ => Node::Between(sv, slo, shi),
                }
            }
            Expr::Has(v, needle, span) => {
                let (sv, tv) = self.operand(v)?;
                let (sn, tn) = self.operand(needle)?;
                match (tv, sn) {
                    (Ty::Text | Ty::List, Source::Text(t)) => Node::Has(sv, t.to_lowercase()),
                    _ => return Err(self.mismatch("has", tv, tn, *span)),
                }
            }
            Expr::In(v, items, span) => {
                let (sv, tv) = self.operand(v)?;
                if !matches!(tv, Ty::Number | Ty::Text | Ty::Date) {
                    return Err(self.mismatch("in", tv, tv, *span));
                }
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    let (si, ti) = self.as_type(item, tv)?;
                    if ti != tv {
                        return Err(self.mismatch("in", tv, ti, item.span()));
                    }
                    list.push(si);
                }
                Node::In(sv, list)
            }
            Expr::IsEmpty(v, negated, _) => Node::IsEmpty(self.operand(v)?.0, *negated),
            Expr::Truth(v) => {
                let (sv, tv) = self.operand(v)?;
                if tv != Ty::Bool {
                    return Err(self.err(RuleErrorKind::NotYesNo(tv), v.span()));
                }
                Node::Truth(sv)
            }
        })
    }
}

fn value<'a>(src: &'a Source, m: &MemberView<'a>, tags: &dyn TagSource) -> Val<'a> {
    match src {
        Source::Column(c) => match (c.get)(m) {
            Value::Empty => Val::Empty,
            Value::Text(t) => Val::Text(t),
            Value::Key(k) => Val::Text(k),
            Value::Int(n) => Val::Number(n as f64),
            Value::Number(x) => Val::Number(x),
            Value::Day(d) => Val::Day(d),
            Value::List(l) => Val::List(l),
            Value::Bool(b) => Val::Bool(b),
        },
        Source::Extra(h) => m.extra(h).map_or(Val::Empty, Val::Text),
        Source::Tag(id) => Val::Bool(tags.has(*id, m)),
        Source::Number(n) => Val::Number(*n),
        Source::Bool(b) => Val::Bool(*b),
        Source::Text(t) => Val::Text(t),
        Source::Day(d) => Val::Day(*d),
    }
}

fn ordering(a: Val<'_>, b: Val<'_>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => x.partial_cmp(&y),
        (Val::Day(x), Val::Day(y)) => Some(x.cmp(&y)),
        (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

/// True when `text` contains `needle` (already lower-case), ignoring case; ASCII text is
/// compared in place, other text is lower-cased first.
fn contains_folded(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if text.is_ascii() {
        let (t, n) = (text.as_bytes(), needle.as_bytes());
        return t.len() >= n.len() && t.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    text.to_lowercase().contains(needle)
}

fn eval(n: &Node, m: &MemberView<'_>, tags: &dyn TagSource) -> bool {
    use std::cmp::Ordering::*;
    match n {
        Node::Or(a, b) => eval(a, m, tags) || eval(b, m, tags),
        Node::And(a, b) => eval(a, m, tags) && eval(b, m, tags),
        Node::Not(a) => !eval(a, m, tags),
        // A comparison with an empty cell holds for no member (test emptiness with `is empty`).
        Node::Compare(a, op, b) => match ordering(value(a, m, tags), value(b, m, tags)) {
            None => false,
            Some(o) => match op {
                CmpOp::Eq => o == Equal,
                CmpOp::Ne => o != Equal,
                CmpOp::Lt => o == Less,
                CmpOp::Le => o != Greater,
                CmpOp::Gt => o == Greater,
                CmpOp::Ge => o != Less,
            },
        },
        Node::Between(v, lo, hi) => {
            let v = value(v, m, tags);
            ordering(v, value(lo, m, tags)).is_some_and(|o| o != Less)
                && ordering(v, value(hi, m, tags)).is_some_and(|o| o != Greater)
        }
        Node::Has(v, needle) => match value(v, m, tags) {
            Val::Text(t) => contains_folded(t, needle),
            Val::List(l) => l.iter().any(|t| contains_folded(t, needle)),
            _ => false,
        },
        Node::In(v, items) => {
            let v = value(v, m, tags);
            items
                .iter()
                .any(|i| ordering(v, value(i, m, tags)) == Some(Equal))
        }
        Node::IsEmpty(v, negated) => {
            let empty = match value(v, m, tags) {
                Val::Empty => true,
                Val::Text(t) => t.is_empty(),
                Val::List(l) => l.is_empty(),
                _ => false,
            };
            empty != *negated
        }
        Node::Truth(v) => value(v, m, tags) == Val::Bool(true),
        Node::NumRange(c, lo, lo_in, hi, hi_in) => {
            let x = match (c.get)(m) {
                Value::Int(n) => n as f64,
                Value::Number(x) => x,
                _ => return false,
            };
            (if *lo_in { x >= *lo } else { x > *lo }) && (if *hi_in { x <= *hi } else { x < *hi })
        }
    }
}

/// Bits of the members of `within` (all members when `None`) passing a node (see
/// [`Rule::bits`]). `and` runs its right side only within its left side's members, `or` only
/// outside them, so a test runs for the members it can still change.
fn node_bits(
    n: &Node,
    within: Option<&[u64]>,
    table: &MemberTable,
    tags: &dyn TagSource,
) -> Vec<u64> {
    let len = table.len();
    let words = len.div_ceil(64);
    let all = || {
        let mut x = vec![u64::MAX; words];
        if len % 64 != 0 {
            if let Some(last) = x.last_mut() {
                *last = (1u64 << (len % 64)) - 1;
            }
        }
        x
    };
    match n {
        Node::Or(a, b) => {
            let mut x = node_bits(a, within, table, tags);
            let rest: Vec<u64> = match within {
                Some(w) => w.iter().zip(&x).map(|(w, x)| w & !x).collect(),
                None => all().iter().zip(&x).map(|(w, x)| w & !x).collect(),
            };
            if rest.iter().all(|w| *w == 0) {
                return x;
            }
            for (w, y) in x.iter_mut().zip(node_bits(b, Some(&rest), table, tags)) {
                *w |= y;
            }
            x
        }
        Node::And(a, b) => {
            let x = node_bits(a, within, table, tags);
            if x.iter().all(|w| *w == 0) {
                return x;
            }
            node_bits(b, Some(&x), table, tags)
        }
        Node::Not(a) => {
            let x = node_bits(a, within, table, tags);
            let scope = within.map_or_else(all, <[u64]>::to_vec);
            scope.iter().zip(&x).map(|(w, x)| w & !x).collect()
        }
        Node::Truth(Source::Tag(id)) if tags.bits(*id, table).is_some_and(|b| b.len() == words) => {
            let bits = tags.bits(*id, table).unwrap_or_default();
            match within {
                Some(w) => w.iter().zip(bits).map(|(w, b)| w & b).collect(),
                None => bits.to_vec(),
            }
        }
        leaf => {
            // One test over the members in scope, a part per thread (whole words each).
            let parts = crate::par::threads().min(words.div_ceil(256)).max(1);
            let ranges: Vec<std::ops::Range<usize>> = (0..parts)
                .map(|p| p * words / parts..(p + 1) * words / parts)
                .collect();
            let made = crate::par::map_owned(ranges, |wr| {
                let mut out = vec![0u64; wr.len()];
                for w in wr.clone() {
                    let mut scope = match within {
                        Some(s) => s[w],
                        None if w + 1 == words && len % 64 != 0 => (1u64 << (len % 64)) - 1,
                        None => u64::MAX,
                    };
                    while scope != 0 {
                        let bit = scope.trailing_zeros() as usize;
                        scope &= scope - 1;
                        if eval(leaf, &table.view(w * 64 + bit), tags) {
                            out[w - wr.start] |= 1 << bit;
                        }
                    }
                }
                out
            });
            made.concat()
        }
    }
}

impl Rule {
    /// Reads and checks a rule; the error names the line, the column and what is wrong.
    pub fn compile(text: &str, tags: &dyn TagSource) -> Result<Rule, RuleError> {
        let expr = parse(text)?;
        let root = Checker { src: text, tags }.node(&expr)?;
        Ok(Rule {
            text: text.to_string(),
            root,
        })
    }

    /// When the whole rule is one `column = "text"` (either way round): the column and the
    /// text, so that many such rules can be run as one lookup of the column per member.
    pub fn as_equality(&self) -> Option<(&'static Column, &str)> {
        match &self.root {
            Node::Compare(Source::Column(c), CmpOp::Eq, Source::Text(t))
            | Node::Compare(Source::Text(t), CmpOp::Eq, Source::Column(c))
                if matches!(c.kind, ColumnKind::Text | ColumnKind::Key) =>
            {
                Some((c, t.as_str()))
            }
            _ => None,
        }
    }

    /// True when the rule names a tag (its members change with the tag scheme).
    pub fn uses_tags(&self) -> bool {
        fn source(s: &Source) -> bool {
            matches!(s, Source::Tag(_))
        }
        fn node(n: &Node) -> bool {
            match n {
                Node::Or(a, b) | Node::And(a, b) => node(a) || node(b),
                Node::Not(a) => node(a),
                Node::Compare(a, _, b) => source(a) || source(b),
                Node::Between(a, b, c) => source(a) || source(b) || source(c),
                Node::Has(a, _) | Node::IsEmpty(a, _) | Node::Truth(a) => source(a),
                Node::In(a, items) => source(a) || items.iter().any(source),
                Node::NumRange(..) => false,
            }
        }
        node(&self.root)
    }

    /// The rule as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the member matches.
    pub fn matches(&self, m: &MemberView<'_>, tags: &dyn TagSource) -> bool {
        eval(&self.root, m, tags)
    }

    /// The members that match, in table order.
    pub fn select(&self, table: &MemberTable, tags: &dyn TagSource) -> Vec<usize> {
        let bits = self.bits(table, tags);
        let mut out = Vec::new();
        for (w, &word) in bits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                out.push(w * 64 + word.trailing_zeros() as usize);
                word &= word - 1;
            }
        }
        out
    }

    /// How many members match.
    pub fn count(&self, table: &MemberTable, tags: &dyn TagSource) -> usize {
        self.bits(table, tags)
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum()
    }

    /// The members that match as bits (member `i` is bit `i % 64` of word `i / 64`), the rule
    /// run a node at a time over the whole table: `and`, `or` and `not` word by word, a tag
    /// made as bits copied, each test one pass over the members (a part per thread natively).
    pub fn bits(&self, table: &MemberTable, tags: &dyn TagSource) -> Vec<u64> {
        node_bits(&self.root, None, table, tags)
    }
}
