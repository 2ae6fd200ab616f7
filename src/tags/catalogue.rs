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
use crate::analysis::stats::percentile_sorted;
use std::borrow::Cow;
use std::collections::HashMap;

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
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueError {
    /// Where, as a JSON path.
    pub place: String,
    /// Why, in English.
    pub reason_en: String,
    /// Why, in Chinese.
    pub reason_zh: String,
}

impl std::fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.reason_en)
    }
}

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
}

impl TagSource for Tags {
    fn find(&self, name: &str) -> Option<usize> {
        Earlier(&self.tags).find(name)
    }

    fn has(&self, tag: usize, member: &MemberView<'_>) -> bool {
        Earlier(&self.tags).has(tag, member)
    }
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
        let cat: Catalogue = serde_json::from_str(text).map_err(|e| {
            use serde_json::error::Category;
            // serde's message without its " at line N column M" (the place says it).
            let what = e.to_string();
            let what = what
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string();
            CatalogueError {
                place: format!("line {}, column {}", e.line(), e.column()),
                reason_zh: match e.classify() {
                    Category::Eof => "JSON 不完整（缺少结尾的括号或引号）".to_string(),
                    Category::Syntax | Category::Io => format!("JSON 语法错误（{what}）"),
                    Category::Data => format!("不符合标签方案的格式（{what}）"),
                },
                reason_en: what,
            }
        })?;
        cat.validate()?;
        Ok(cat)
    }

    /// The shipped catalogue.
    pub fn default_catalogue() -> Catalogue {
        Catalogue::from_json(DEFAULT_CATALOGUE).expect("the shipped catalogue is valid")
    }

    /// Checks the columns, bands and keys (rules are checked when the tags are made).
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let bad = |place: String, en: String, zh: String| {
            Err(CatalogueError {
                place,
                reason_en: en,
                reason_zh: zh,
            })
        };
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
        let mut tags: Vec<Tag> = Vec::new();
        let mut unavailable = Vec::new();
        let mut rule_errors = Vec::new();
        for (ci, c) in self.categories.iter().enumerate() {
            let mut row = Vec::new();
            for (gi, g) in c.groups.iter().enumerate() {
                let place = format!("categories[{ci}].groups[{gi}]");
                let made = made_tags(g, table);
                let made = match made {
                    Ok(m) => m,
                    Err((en, zh)) => {
                        row.push(Some((en, zh)));
                        continue;
                    }
                };
                let group_start = tags.len();
                let mut failed = None;
                for (ti, (key, zh, en, rule)) in made.into_iter().enumerate() {
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
                    });
                }
                match failed {
                    // A rule that cannot be read makes its group unavailable, saying why;
                    // the other groups are still made.
                    Some(e) => {
                        tags.truncate(group_start);
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
        Tags {
            catalogue: self,
            tags,
            unavailable,
            rule_errors,
        }
    }
}

type Made = Vec<(String, String, String, String)>;

/// A group's tags as (key, 中文, English, rule), or why it has none.
fn made_tags(g: &Group, table: &MemberTable) -> Result<Made, (String, String)> {
    let none = |col: &str| {
        Err((
            format!("no member has a value in \"{col}\" (map a column to it)"),
            format!("没有会员在“{col}”上有值（请映射对应的列）"),
        ))
    };
    match &g.make {
        Make::Rules { tags, requires } => {
            for col in requires {
                let has_value = column(col)
                    .is_some_and(|c| table.iter().any(|m| !matches!((c.get)(&m), Value::Empty)));
                if !has_value {
                    return none(col);
                }
            }
            Ok(tags
                .iter()
                .map(|t| {
                    (
                        format!("{}.{}", g.info.key, t.key),
                        t.name_zh.clone(),
                        t.name_en.clone(),
                        t.rule.clone(),
                    )
                })
                .collect())
        }
        Make::Values { column: col, names } => {
            let Some(c) = column(col) else {
                return none(col);
            };
            // Distinct values, most members first (ties in first-seen order).
            // Texts are borrowed from the table: no allocation per member.
            let mut seen: Vec<(Cow<'_, str>, usize)> = Vec::new();
            let mut index: HashMap<Cow<'_, str>, usize> = HashMap::new();
            for m in table.iter() {
                let v: Cow<'_, str> = match (c.get)(&m) {
                    Value::Text(t) => Cow::Borrowed(t),
                    Value::Key(k) => Cow::Borrowed(k),
                    Value::Int(n) => Cow::Owned(n.to_string()),
                    _ => continue,
                };
                if v.is_empty() {
                    continue;
                }
                match index.get(&v) {
                    Some(&i) => seen[i].1 += 1,
                    None => {
                        index.insert(v.clone(), seen.len());
                        seen.push((v, 1));
                    }
                }
            }
            let mut seen: Vec<(String, usize)> =
                seen.into_iter().map(|(v, n)| (v.into_owned(), n)).collect();
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
                .map(|(v, _)| {
                    let (zh, en) = names
                        .iter()
                        .find(|n| n[0] == v)
                        .map_or((v.clone(), v.clone()), |n| (n[1].clone(), n[2].clone()));
                    let rule = if matches!(c.kind, ColumnKind::Integer) {
                        format!("{col} = {v}")
                    } else {
                        format!("{col} = {}", quoted(&v))
                    };
                    (format!("{}.{v}", g.info.key), zh, en, rule)
                })
                .collect())
        }
        Make::Bands {
            column: col,
            edges,
            quantiles,
        } => {
            let Some(c) = column(col) else {
                return none(col);
            };
            let mut values: Vec<f64> = table
                .iter()
                .filter_map(|m| match (c.get)(&m) {
                    Value::Int(n) => Some(n as f64),
                    Value::Number(x) => Some(x),
                    _ => None,
                })
                .collect();
            if values.is_empty() {
                return none(col);
            }
            let mut cuts: Vec<f64> = if quantiles.is_empty() {
                edges.clone()
            } else {
                values.sort_by(f64::total_cmp);
                quantiles
                    .iter()
                    .map(|q| percentile_sorted(&values, q * 100.0))
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
                out.push((
                    format!("{}.{i}", g.info.key),
                    format!("{}{}", g.info.name_zh, name),
                    format!("{} {}", g.info.name_en, name),
                    rule,
                ));
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
        self.catalogue
            .categories
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

    /// The tags a member carries, in catalogue order.
    pub fn of<'t>(&'t self, m: &MemberView<'_>) -> impl Iterator<Item = &'t Tag> + 't {
        let hits: Vec<bool> = self.tags.iter().map(|t| t.rule.matches(m, self)).collect();
        self.tags
            .iter()
            .zip(hits)
            .filter_map(|(t, hit)| hit.then_some(t))
    }

    /// How many members carry each tag, in tag order. The tags of a `values` group are
    /// counted by reading their column once per member (the same members as their rules).
    pub fn counts(&self, table: &MemberTable) -> Vec<usize> {
        let mut counts = vec![0usize; self.tags.len()];
        let mut by_column: Vec<(&'static Column, HashMap<&str, usize>)> = Vec::new();
        let mut ruled = Vec::new();
        for (k, t) in self.tags.iter().enumerate() {
            match &t.value {
                Some((c, v)) => match by_column.iter_mut().find(|(bc, _)| bc.key == c.key) {
                    Some((_, map)) => {
                        map.insert(v.as_str(), k);
                    }
                    None => by_column.push((c, HashMap::from([(v.as_str(), k)]))),
                },
                None => ruled.push(k),
            }
        }
        // The members in a part per thread (native; one part in Wasm), the parts' counts added.
        let n = table.len();
        let parts = crate::par::threads().min(n.div_ceil(1 << 14)).max(1);
        let ranges: Vec<std::ops::Range<usize>> = (0..parts)
            .map(|p| p * n / parts..(p + 1) * n / parts)
            .collect();
        let part_counts = crate::par::map_owned(ranges, |range| {
            let mut counts = vec![0usize; self.tags.len()];
            for m in range.map(|i| table.view(i)) {
                for (c, map) in &by_column {
                    let hit = match (c.get)(&m) {
                        Value::Text(t) => map.get(t),
                        Value::Key(t) => map.get(t),
                        Value::Int(n) => map.get(n.to_string().as_str()),
                        _ => None,
                    };
                    if let Some(&k) = hit {
                        counts[k] += 1;
                    }
                }
                for &k in &ruled {
                    if self.tags[k].rule.matches(&m, self) {
                        counts[k] += 1;
                    }
                }
            }
            counts
        });
        for part in part_counts {
            for (total, n) in counts.iter_mut().zip(part) {
                *total += n;
            }
        }
        counts
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
