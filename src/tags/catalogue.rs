//! The tag catalogue (标签体系) as data: category (一级) → group (二级) → tag (三级). A group
//! makes its tags one of three ways:
//! - `values`: one tag per distinct value of a member column (region, tier, guide, segment...);
//! - `bands`: one tag per band of a number column, at fixed `edges` or at `quantiles` of the
//!   members that have a value (age bands, CLV tiers);
//! - `rules`: tags written as rules of the rule language (reachability, custom tags).
//!
//! Every tag ends up as a rule, so `tag("…")` in any rule means the same members the tag counts.
//! The shipped default is `default_catalogue.json`; a catalogue is read from JSON with errors
//! that name the place.

use serde::{Deserialize, Serialize};

use super::audience::AudienceDef;
use super::compile::{Rule, TagSource};
use crate::analysis::stats::percentile_select;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

use crate::members::{column, Column, ColumnKind, MemberTable, MemberView, Value};
pub use crate::report::{
    Basis, CategorySummary, Change, GroupInfo, GroupSummary, Setter, TagSummary, TagsReport,
};

/// A tag written as a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleTag {
    /// Stable key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The rule (see `docs/rules-language.md`).
    pub rule: String,
}

/// How a group makes its tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Make {
    /// One tag per distinct value of `column`; `names` gives display names of known values
    /// (`[key, 中文, English]`).
    Values {
        /// The member column.
        column: String,
        /// Names of known values.
        #[serde(default)]
        names: Vec<[String; 3]>,
    },
    /// One tag per band of a number column: at `edges`, or at `quantiles` (0..1) of the members
    /// with a value. Bands are `[low, high)`; the last is open.
    Bands {
        /// The member column.
        column: String,
        /// Fixed band edges, ascending.
        #[serde(default)]
        edges: Vec<f64>,
        /// Quantiles (0..1, ascending) whose values are the edges.
        #[serde(default)]
        quantiles: Vec<f64>,
    },
    /// Tags written as rules.
    Rules {
        /// The tags.
        tags: Vec<RuleTag>,
        /// Member columns the rules need: without a value in one of them for any member, the
        /// group is unavailable (with the reason) rather than empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        requires: Vec<String>,
    },
}

/// A group of tags (二级).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// What it is.
    #[serde(flatten)]
    pub info: GroupInfo,
    /// How the tags are made.
    #[serde(flatten)]
    pub make: Make,
}

/// A category (一级).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Stable key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Its groups.
    pub groups: Vec<Group>,
}

/// The tag scheme (标签方案): the catalogue's categories and the saved audiences, one JSON
/// document to import and export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// The categories, in display order.
    pub categories: Vec<Category>,
    /// Saved audiences (人群), evaluated with every analysis.
    #[serde(default)]
    pub audiences: Vec<AudienceDef>,
}

/// What is wrong with a catalogue: the place (`categories[2].groups[0].tags[1].rule`) and why.
pub type CatalogueError = crate::error::PlaceError;

/// The catalogue shipped with the analyzer.
pub const DEFAULT_CATALOGUE: &str = include_str!("default_catalogue.json");

/// One tag, evaluated.
#[derive(Debug, Clone)]
pub struct Tag {
    /// Stable key (`group.value` for made tags).
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The rule that defines it.
    pub rule: Rule,
    /// Index of its category and group.
    pub group: (usize, usize),
    /// For a tag of a `values` group: its column and value (counted without running the rule).
    value: Option<(&'static Column, String)>,
    /// Named after a raw value of its column (no display name in the catalogue).
    raw_value: bool,
    /// For a tag of a `bands` group: its column and `[low, high)` (the rule's meaning, read
    /// without running it).
    band: Option<(&'static Column, f64, f64)>,
}

/// A catalogue made for one member table: every tag with its rule, and the groups that could
/// not be made (their input column has no value) with the reason.
#[derive(Debug, Clone)]
pub struct Tags {
    /// The catalogue it was made from.
    pub catalogue: Catalogue,
    /// The tags, in catalogue order.
    pub tags: Vec<Tag>,
    /// Per category and group: why it has no tags (`None` when it has them).
    pub unavailable: Vec<Vec<Option<(String, String)>>>,
    /// The rules that could not be read (their groups are unavailable).
    pub rule_errors: Vec<CatalogueError>,
    /// Members per tag, in tag order.
    counts: Vec<usize>,
    /// Per tag not of a `values` group: one bit per member, made in one pass over the members
    /// (a `values` tag is a comparison of one column, cheap to run and as many as the column
    /// has values, so it is made as bits only when a rule asks for it: see [`TagSource::bits`]).
    bits: Vec<std::sync::OnceLock<Vec<u64>>>,
}

impl TagSource for Tags {
    fn find(&self, name: &str) -> Option<usize> {
        Earlier(&self.tags).find(name)
    }

    fn has(&self, tag: usize, member: &MemberView<'_>) -> bool {
        match self.bits[tag].get() {
            Some(bits) => {
                let i = member.index();
                bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
            }
            None => self.tags[tag].rule.matches(member, self),
        }
    }

    fn bits(&self, tag: usize, table: &MemberTable) -> Option<&[u64]> {
        let cell = self.bits.get(tag)?;
        Some(cell.get_or_init(|| self.tags[tag].rule.bits(table, self)))
    }
}

/// The tags of one member while its bits are made: those made so far are read from `done`.
struct Making<'t> {
    tags: &'t [Tag],
    done: &'t [Option<bool>],
}

impl TagSource for Making<'_> {
    fn find(&self, name: &str) -> Option<usize> {
        Earlier(self.tags).find(name)
    }

    fn has(&self, tag: usize, member: &MemberView<'_>) -> bool {
        match self.done.get(tag).copied().flatten() {
            Some(hit) => hit,
            None => self.tags[tag].rule.matches(member, self),
        }
    }
}

/// The bits of every tag not of a `values` group, in one pass over the members (a part per
/// thread natively, each a whole number of 64-member words).
fn make_bits(tags: &[Tag], table: &MemberTable) -> Vec<Option<Vec<u64>>> {
    let n = table.len();
    let words = n.div_ceil(64);
    let ruled: Vec<usize> = (0..tags.len())
        .filter(|&k| tags[k].value.is_none())
        .collect();
    let parts = crate::par::threads().min(words.div_ceil(256)).max(1);
    let ranges: Vec<std::ops::Range<usize>> = (0..parts)
        .map(|p| p * words / parts..(p + 1) * words / parts)
        .collect();
    let made = crate::par::map_owned(ranges, |wr| {
        let mut bits: Vec<Vec<u64>> = vec![vec![0u64; wr.len()]; ruled.len()];
        let mut done: Vec<Option<bool>> = vec![None; tags.len()];
        for i in wr.start * 64..(wr.end * 64).min(n) {
            let m = table.view(i);
            // Only the made tags were set (a values tag's entry stays `None`).
            for &k in &ruled {
                done[k] = None;
            }
            // The bands of a group share their column: read once per member.
            let mut band_value: Option<(&'static str, Option<f64>)> = None;
            for (r, &k) in ruled.iter().enumerate() {
                let hit = match tags[k].band {
                    Some((c, lo, hi)) => {
                        let x = match band_value {
                            Some((key, x)) if key == c.key => x,
                            _ => {
                                let x = match (c.get)(&m) {
                                    Value::Int(n) => Some(n as f64),
                                    Value::Number(x) => Some(x),
                                    _ => None,
                                };
                                band_value = Some((c.key, x));
                                x
                            }
                        };
                        x.is_some_and(|x| (lo..hi).contains(&x))
                    }
                    None => tags[k].rule.matches(&m, &Making { tags, done: &done }),
                };
                done[k] = Some(hit);
                if hit {
                    bits[r][i / 64 - wr.start] |= 1 << (i % 64);
                }
            }
        }
        bits
    });
    let mut out: Vec<Option<Vec<u64>>> = vec![None; tags.len()];
    for (r, &k) in ruled.iter().enumerate() {
        let mut all = Vec::with_capacity(words);
        for part in &made {
            all.extend_from_slice(&part[r]);
        }
        out[k] = Some(all);
    }
    out
}

/// Tags defined so far, for the rules of later tags (so a tag can name only earlier ones).
struct Earlier<'t>(&'t [Tag]);

impl TagSource for Earlier<'_> {
    fn find(&self, name: &str) -> Option<usize> {
        self.0
            .iter()
            .position(|t| t.name_zh == name || t.name_en == name || t.key == name)
    }

    fn has(&self, tag: usize, member: &MemberView<'_>) -> bool {
        self.0[tag].rule.matches(member, self)
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "'"))
}

fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{}", (x * 100.0).round() / 100.0)
    }
}

impl Catalogue {
    /// Reads a catalogue from JSON; the error names the place.
    pub fn from_json(text: &str) -> Result<Catalogue, CatalogueError> {
        let cat: Catalogue =
            serde_json::from_str(text).map_err(|e| CatalogueError::json(&e, "标签方案"))?;
        cat.validate()?;
        Ok(cat)
    }

    /// The display name the catalogue gives a value of a member column (a `values` group's
    /// `names`), in Chinese or English.
    pub fn value_name(&self, column: &str, value: &str, zh: bool) -> Option<&str> {
        self.categories
            .iter()
            .flat_map(|c| &c.groups)
            .find_map(|g| match &g.make {
                Make::Values { column: col, names } if col == column => names
                    .iter()
                    .find(|n| n[0] == value)
                    .map(|n| if zh { n[1].as_str() } else { n[2].as_str() }),
                _ => None,
            })
    }

    /// The shipped catalogue.
    pub fn default_catalogue() -> Catalogue {
        Catalogue::from_json(DEFAULT_CATALOGUE).expect("the shipped catalogue is valid")
    }

    /// Checks the columns, bands and keys (rules are checked when the tags are made).
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let bad = |place: String, en: String, zh: String| Err(CatalogueError::new(place, en, zh));
        let mut keys = std::collections::HashSet::new();
        for (ci, c) in self.categories.iter().enumerate() {
            for (gi, g) in c.groups.iter().enumerate() {
                let place = format!("categories[{ci}].groups[{gi}]");
                if !keys.insert(g.info.key.clone()) {
                    return bad(
                        format!("{place}.key"),
                        format!("the group key \"{}\" is used twice", g.info.key),
                        format!("分组键“{}”重复", g.info.key),
                    );
                }
                match &g.make {
                    Make::Values { column: col, .. } | Make::Bands { column: col, .. } => {
                        let Some(c) = column(col) else {
                            return bad(
                                format!("{place}.column"),
                                format!("no member column is called \"{col}\""),
                                format!("没有名为“{col}”的会员字段"),
                            );
                        };
                        if let Make::Bands {
                            edges, quantiles, ..
                        } = &g.make
                        {
                            let numeric = matches!(
                                c.kind,
                                ColumnKind::Integer
                                    | ColumnKind::Number
                                    | ColumnKind::Money
                                    | ColumnKind::Rate
                            );
                            let ascending =
                                |v: &[f64]| v.windows(2).all(|w| w[0] < w[1]) && !v.is_empty();
                            if !numeric {
                                return bad(
                                    format!("{place}.column"),
                                    format!("bands need a number column; \"{col}\" is not one"),
                                    format!("分段需要数字字段，“{col}”不是"),
                                );
                            }
                            if edges.is_empty() == quantiles.is_empty()
                                || !(ascending(edges) || ascending(quantiles))
                                || quantiles.iter().any(|q| !(0.0..=1.0).contains(q))
                            {
                                return bad(
                                    format!("{place}.edges"),
                                    "give either ascending edges or ascending quantiles in 0..1"
                                        .into(),
                                    "请给出递增的 edges，或 0..1 之间递增的 quantiles".into(),
                                );
                            }
                        }
                    }
                    Make::Rules { tags, requires } => {
                        if let Some((ri, col)) = requires
                            .iter()
                            .enumerate()
                            .find(|(_, c)| column(c).is_none())
                        {
                            return bad(
                                format!("{place}.requires[{ri}]"),
                                format!("no member column is called \"{col}\""),
                                format!("没有名为“{col}”的会员字段"),
                            );
                        }
                        for (ti, t) in tags.iter().enumerate() {
                            if t.key.is_empty() || t.rule.trim().is_empty() {
                                return bad(
                                    format!("{place}.tags[{ti}]"),
                                    "a tag needs a key and a rule".into(),
                                    "标签需要 key 和 rule".into(),
                                );
                            }
                        }
                    }
                }
            }
        }
        let mut names = std::collections::HashSet::new();
        for (ai, a) in self.audiences.iter().enumerate() {
            if a.name.trim().is_empty() || a.rule.trim().is_empty() {
                return bad(
                    format!("audiences[{ai}]"),
                    "an audience needs a name and a rule".into(),
                    "人群需要名称和规则".into(),
                );
            }
            if !names.insert(a.name.trim()) {
                return bad(
                    format!("audiences[{ai}].name"),
                    format!("the audience name \"{}\" is used twice", a.name),
                    format!("人群名称“{}”重复", a.name),
                );
            }
        }
        Ok(())
    }

    /// The tags for a member table: values and bands read from its members, every rule
    /// checked. A group whose input has no value, or one of whose rules cannot be read, is
    /// unavailable with the reason (the rule errors are also kept in [`Tags::rule_errors`]).
    pub fn make(self, table: &MemberTable) -> Tags {
        let scan = scan(&self, table);
        let mut tags: Vec<Tag> = Vec::new();
        let mut unavailable = Vec::new();
        let mut rule_errors = Vec::new();
        let mut value_counts: Vec<Option<usize>> = Vec::new();
        for (ci, c) in self.categories.iter().enumerate() {
            let mut row = Vec::new();
            for (gi, g) in c.groups.iter().enumerate() {
                let place = format!("categories[{ci}].groups[{gi}]");
                let made = made_tags(g, &scan);
                let made = match made {
                    Ok(m) => m,
                    Err((en, zh)) => {
                        row.push(Some((en, zh)));
                        continue;
                    }
                };
                let group_start = tags.len();
                let mut failed = None;
                for (ti, t) in made.into_iter().enumerate() {
                    let MadeTag {
                        key,
                        name_zh: zh,
                        name_en: en,
                        rule,
                        count,
                        band,
                    } = t;
                    let raw_value = matches!(&g.make, Make::Values { names, .. }
                        if !names.iter().any(|n| key[g.info.key.len() + 1..] == n[0]));
                    let compiled = match Rule::compile(&rule, &Earlier(&tags)) {
                        Ok(c) => c,
                        Err(e) => {
                            failed = Some(CatalogueError {
                                place: format!("{place}.tags[{ti}].rule"),
                                reason_en: format!("the rule of tag \"{key}\": {}", e.message_en()),
                                reason_zh: format!("标签“{key}”的规则：{}", e.message_zh()),
                            });
                            break;
                        }
                    };
                    let value = match &g.make {
                        Make::Values { column: col, .. } => {
                            column(col).map(|c| (c, key[g.info.key.len() + 1..].to_string()))
                        }
                        _ => None,
                    };
                    tags.push(Tag {
                        key,
                        name_zh: zh,
                        name_en: en,
                        rule: compiled,
                        group: (ci, gi),
                        raw_value,
                        value,
                        band: band.and_then(|b| {
                            let Make::Bands { column: col, .. } = &g.make else {
                                return None;
                            };
                            column(col).map(|c| (c, b.0, b.1))
                        }),
                    });
                    value_counts.push(count);
                }
                match failed {
                    // A rule that cannot be read makes its group unavailable, saying why;
                    // the other groups are still made.
                    Some(e) => {
                        tags.truncate(group_start);
                        value_counts.truncate(group_start);
                        row.push(Some((
                            format!("{}: {}", e.place, e.reason_en),
                            format!("{}：{}", e.place, e.reason_zh),
                        )));
                        rule_errors.push(e);
                    }
                    None => row.push(None),
                }
            }
            unavailable.push(row);
        }
        let bits: Vec<std::sync::OnceLock<Vec<u64>>> = make_bits(&tags, table)
            .into_iter()
            .map(|b| b.map_or_else(std::sync::OnceLock::new, std::sync::OnceLock::from))
            .collect();
        let counts = value_counts
            .iter()
            .zip(&bits)
            .map(|(c, b)| match (c, b.get()) {
                (_, Some(b)) => b.iter().map(|w| w.count_ones() as usize).sum(),
                (Some(c), None) => *c,
                (None, None) => 0,
            })
            .collect();
        Tags {
            catalogue: self,
            tags,
            unavailable,
            rule_errors,
            counts,
            bits,
        }
    }
}

/// A tag as its group makes it.
struct MadeTag {
    key: String,
    name_zh: String,
    name_en: String,
    rule: String,
    /// Members, when counted while made (`values` groups).
    count: Option<usize>,
    /// `[low, high)` of a `bands` tag (read once per member instead of running the rule).
    band: Option<(f64, f64)>,
}

type Made = Vec<MadeTag>;

/// A group's tags, or why it has none.
/// What one pass over the members tells every group: each `values` column's distinct values
/// (first seen first, with their members), whether each column a group needs has a value, and
/// each `bands` column's numbers.
struct Scan {
    distinct: Vec<(&'static str, Vec<(String, usize)>)>,
    any: Vec<(&'static str, bool)>,
    numbers: Vec<(&'static str, Vec<f64>)>,
}

impl Scan {
    fn distinct(&self, col: &str) -> Option<&[(String, usize)]> {
        self.distinct
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, v)| v.as_slice())
    }

    fn any(&self, col: &str) -> bool {
        self.any.iter().any(|(c, a)| *c == col && *a)
    }

    fn numbers(&self, col: &str) -> &[f64] {
        self.numbers
            .iter()
            .find(|(c, _)| *c == col)
            .map_or(&[], |(_, v)| v.as_slice())
    }
}

/// A value as a `values` group names it (none for an empty or non-text cell).
fn value_text<'a>(v: Value<'a>) -> Option<Cow<'a, str>> {
    match v {
        Value::Text(t) | Value::Key(t) if !t.is_empty() => Some(Cow::Borrowed(t)),
        Value::Int(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// One pass over the members for every group of the catalogue (a part per thread natively,
/// the parts merged in member order).
fn scan(cat: &Catalogue, table: &MemberTable) -> Scan {
    let mut dcols: Vec<&'static Column> = Vec::new();
    let mut acols: Vec<&'static Column> = Vec::new();
    let mut ncols: Vec<&'static Column> = Vec::new();
    let add = |list: &mut Vec<&'static Column>, key: &str| {
        if let Some(c) = column(key) {
            if !list.iter().any(|x| x.key == c.key) {
                list.push(c);
            }
        }
    };
    for g in cat.categories.iter().flat_map(|c| &c.groups) {
        match &g.make {
            Make::Values { column, .. } => add(&mut dcols, column),
            // Numbers are kept only to find quantiles; fixed edges need a value to exist.
            Make::Bands {
                column, quantiles, ..
            } if !quantiles.is_empty() => add(&mut ncols, column),
            Make::Bands { column, .. } => add(&mut acols, column),
            Make::Rules { requires, .. } => requires.iter().for_each(|r| add(&mut acols, r)),
        }
    }
    type Part<'t> = (Vec<Vec<(Cow<'t, str>, usize)>>, Vec<bool>, Vec<Vec<f64>>);
    let n = table.len();
    let parts = crate::par::threads().min(n.div_ceil(1 << 14)).max(1);
    let ranges: Vec<std::ops::Range<usize>> = (0..parts)
        .map(|p| p * n / parts..(p + 1) * n / parts)
        .collect();
    let made: Vec<Part<'_>> = crate::par::map_owned(ranges, |range| {
        let mut seen: Vec<Vec<(Cow<'_, str>, usize)>> = vec![Vec::new(); dcols.len()];
        let mut index: Vec<FxHashMap<Cow<'_, str>, usize>> =
            vec![FxHashMap::default(); dcols.len()];
        // Most texts are the table's shared labels or static keys: found by address first,
        // by content only the first time an address is met.
        let mut by_address: Vec<FxHashMap<(usize, usize), usize>> =
            vec![FxHashMap::default(); dcols.len()];
        let mut any = vec![false; acols.len()];
        let mut numbers: Vec<Vec<f64>> = vec![Vec::new(); ncols.len()];
        for m in range.map(|i| table.view(i)) {
            for (k, c) in dcols.iter().enumerate() {
                let Some(v) = value_text((c.get)(&m)) else {
                    continue;
                };
                let address = match &v {
                    Cow::Borrowed(t) => Some((t.as_ptr() as usize, t.len())),
                    Cow::Owned(_) => None,
                };
                if let Some(&i) = address.and_then(|a| by_address[k].get(&a)) {
                    seen[k][i].1 += 1;
                    continue;
                }
                let i = match index[k].get(&v) {
                    Some(&i) => {
                        seen[k][i].1 += 1;
                        i
                    }
                    None => {
                        index[k].insert(v.clone(), seen[k].len());
                        seen[k].push((v, 1));
                        seen[k].len() - 1
                    }
                };
                if let Some(a) = address {
                    by_address[k].insert(a, i);
                }
            }
            for (k, c) in acols.iter().enumerate() {
                any[k] = any[k] || !matches!((c.get)(&m), Value::Empty);
            }
            for (k, c) in ncols.iter().enumerate() {
                match (c.get)(&m) {
                    Value::Int(x) => numbers[k].push(x as f64),
                    Value::Number(x) => numbers[k].push(x),
                    _ => {}
                }
            }
        }
        (seen, any, numbers)
    });
    let mut distinct: Vec<Vec<(String, usize)>> = vec![Vec::new(); dcols.len()];
    let mut index: Vec<FxHashMap<String, usize>> = vec![FxHashMap::default(); dcols.len()];
    let mut any = vec![false; acols.len()];
    let mut numbers: Vec<Vec<f64>> = vec![Vec::new(); ncols.len()];
    for (seen, part_any, part_numbers) in made {
        for (k, values) in seen.into_iter().enumerate() {
            for (v, count) in values {
                match index[k].get(v.as_ref()) {
                    Some(&i) => distinct[k][i].1 += count,
                    None => {
                        index[k].insert(v.to_string(), distinct[k].len());
                        distinct[k].push((v.into_owned(), count));
                    }
                }
            }
        }
        for (a, b) in any.iter_mut().zip(part_any) {
            *a |= b;
        }
        for (a, b) in numbers.iter_mut().zip(part_numbers) {
            a.extend(b);
        }
    }
    Scan {
        distinct: dcols.iter().map(|c| c.key).zip(distinct).collect(),
        any: acols.iter().map(|c| c.key).zip(any).collect(),
        numbers: ncols.iter().map(|c| c.key).zip(numbers).collect(),
    }
}

fn made_tags(g: &Group, scan: &Scan) -> Result<Made, (String, String)> {
    let none = |col: &str| {
        Err((
            format!("no member has a value in \"{col}\" (map a column to it)"),
            format!("没有会员在“{col}”上有值（请映射对应的列）"),
        ))
    };
    match &g.make {
        Make::Rules { tags, requires } => {
            for col in requires {
                if !scan.any(col) {
                    return none(col);
                }
            }
            Ok(tags
                .iter()
                .map(|t| MadeTag {
                    key: format!("{}.{}", g.info.key, t.key),
                    name_zh: t.name_zh.clone(),
                    name_en: t.name_en.clone(),
                    rule: t.rule.clone(),
                    count: None,
                    band: None,
                })
                .collect())
        }
        Make::Values { column: col, names } => {
            let Some(c) = column(col) else {
                return none(col);
            };
            // Distinct values, most members first (ties in first-seen order).
            let mut seen: Vec<(String, usize)> = scan.distinct(col).unwrap_or_default().to_vec();
            if seen.is_empty() {
                return none(col);
            }
            let known: Vec<&str> = names.iter().map(|n| n[0].as_str()).collect();
            seen.sort_by(|a, b| {
                let pos = |v: &str| known.iter().position(|k| *k == v).unwrap_or(usize::MAX);
                pos(&a.0).cmp(&pos(&b.0)).then(b.1.cmp(&a.1))
            });
            Ok(seen
                .into_iter()
                .map(|(v, count)| {
                    let (zh, en) = names
                        .iter()
                        .find(|n| n[0] == v)
                        .map_or((v.clone(), v.clone()), |n| (n[1].clone(), n[2].clone()));
                    let rule = if matches!(c.kind, ColumnKind::Integer) {
                        format!("{col} = {v}")
                    } else {
                        format!("{col} = {}", quoted(&v))
                    };
                    MadeTag {
                        key: format!("{}.{v}", g.info.key),
                        name_zh: zh,
                        name_en: en,
                        rule,
                        count: Some(count),
                        band: None,
                    }
                })
                .collect())
        }
        Make::Bands {
            column: col,
            edges,
            quantiles,
        } => {
            let mut cuts: Vec<f64> = if quantiles.is_empty() {
                if !scan.any(col) {
                    return none(col);
                }
                edges.clone()
            } else {
                let mut values: Vec<f64> = scan.numbers(col).to_vec();
                if values.is_empty() {
                    return none(col);
                }
                quantiles
                    .iter()
                    .map(|q| percentile_select(&mut values, q * 100.0))
                    .collect()
            };
            cuts.dedup();
            let mut out = Vec::new();
            let label = |lo: Option<f64>, hi: Option<f64>| match (lo, hi) {
                (None, Some(h)) => format!("< {}", number_text(h)),
                (Some(l), Some(h)) => format!("{}–{}", number_text(l), number_text(h)),
                (Some(l), None) => format!("≥ {}", number_text(l)),
                (None, None) => String::new(),
            };
            for i in 0..=cuts.len() {
                let lo = i.checked_sub(1).map(|k| cuts[k]);
                let hi = cuts.get(i).copied();
                let rule = match (lo, hi) {
                    (None, Some(h)) => format!("{col} < {h}"),
                    (Some(l), Some(h)) => format!("{col} >= {l} and {col} < {h}"),
                    (Some(l), None) => format!("{col} >= {l}"),
                    (None, None) => continue,
                };
                let name = label(lo, hi);
                out.push(MadeTag {
                    key: format!("{}.{i}", g.info.key),
                    name_zh: format!("{}{}", g.info.name_zh, name),
                    name_en: format!("{} {}", g.info.name_en, name),
                    rule,
                    count: None,
                    band: Some((lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY))),
                });
            }
            Ok(out)
        }
    }
}

impl Tags {
    /// A tag's name where it stands alone (a list's tags cell): a tag named after a raw value
    /// (a store, a region, a file) carries its group's name, `所属门店：静安店`.
    pub fn display_name(&self, t: &Tag, zh: bool) -> String {
        let name = if zh { &t.name_zh } else { &t.name_en };
        if !t.raw_value {
            return name.clone();
        }
        let g = &self.catalogue.categories[t.group.0].groups[t.group.1].info;
        if zh {
            format!("{}：{name}", g.name_zh)
        } else {
            format!("{}: {name}", g.name_en)
        }
    }

    /// The display name the catalogue gives a value of a member column (a `values` group's
    /// `names`), in Chinese or English.
    pub fn value_name(&self, column: &str, value: &str, zh: bool) -> Option<&str> {
        self.catalogue.value_name(column, value, zh)
    }

    /// The tags a member carries, in catalogue order.
    pub fn of<'t>(&'t self, m: &MemberView<'_>) -> impl Iterator<Item = &'t Tag> + 't {
        // A values tag is its column's value: each such column is read once, not once per
        // tag (a guide column makes thousands of tags); the other tags are bit tests.
        let mut hits = vec![false; self.tags.len()];
        let mut read: Vec<(&'static str, Option<String>)> = Vec::new();
        for (k, t) in self.tags.iter().enumerate() {
            hits[k] = match &t.value {
                Some((c, v)) => {
                    let cell = match read.iter().find(|(key, _)| *key == c.key) {
                        Some((_, cell)) => cell,
                        None => {
                            read.push((c.key, value_text((c.get)(m)).map(Cow::into_owned)));
                            &read[read.len() - 1].1
                        }
                    };
                    cell.as_deref() == Some(v.as_str())
                }
                None => self.has(k, m),
            };
        }
        self.tags
            .iter()
            .zip(hits)
            .filter_map(|(t, hit)| hit.then_some(t))
    }

    /// How many members carry each tag, in tag order (counted when the tags were made, for
    /// the member table they were made for).
    pub fn counts(&self, _table: &MemberTable) -> Vec<usize> {
        self.counts.clone()
    }
}

impl Tags {
    /// The catalogue with every tag's count and every unavailable group's reason.
    pub fn summary(&self, table: &MemberTable) -> Vec<CategorySummary> {
        let counts = self.counts(table);
        let share = |n: usize| {
            if table.is_empty() {
                0.0
            } else {
                n as f64 / table.len() as f64
            }
        };
        self.catalogue
            .categories
            .iter()
            .enumerate()
            .map(|(ci, c)| CategorySummary {
                key: c.key.clone(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                groups: c
                    .groups
                    .iter()
                    .enumerate()
                    .map(|(gi, g)| {
                        let why = self.unavailable[ci][gi].clone();
                        GroupSummary {
                            info: g.info.clone(),
                            unavailable_en: why.as_ref().map(|w| w.0.clone()),
                            unavailable_zh: why.map(|w| w.1),
                            tags: self
                                .tags
                                .iter()
                                .zip(&counts)
                                .filter(|(t, _)| t.group == (ci, gi))
                                .map(|(t, n)| TagSummary {
                                    key: t.key.clone(),
                                    name_zh: t.name_zh.clone(),
                                    name_en: t.name_en.clone(),
                                    rule: t.rule.text().to_string(),
                                    members: *n,
                                    share: share(*n),
                                })
                                .collect(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}
