//! The tags and audiences sections: the tag catalogue made for this run with every tag's count
//! (and every group that could not be made, with the reason), and the saved audiences' figures.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Who sets a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Setter {
    /// 系统自动: computed from the data.
    Auto,
    /// 导购/人工: set by a person (a rule the user writes).
    Manual,
}

/// Whether a tag changes as the data does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// 静态: fixed once known (gender, registration channel).
    Static,
    /// 动态: recomputed with every analysis (recency, segment).
    Dynamic,
}

/// What a tag rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 事实标签: read from the data.
    Fact,
    /// 模型标签: from a model (RFM, forecasts).
    Model,
}

/// What describes a group of tags: its key, names, definition and kind of tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GroupInfo {
    /// Stable key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// One line saying what the tags mean, in Chinese.
    pub definition_zh: String,
    /// The same in English.
    pub definition_en: String,
    /// Who sets them.
    pub setter: Setter,
    /// Static or dynamic.
    pub change: Change,
    /// Fact or model.
    pub basis: Basis,
}

/// A tag with its count.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TagSummary {
    /// Stable key (`group.value`).
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The rule that defines it (see `docs/rules-language.md`).
    pub rule: String,
    /// Members carrying it.
    pub members: usize,
    /// Share of all members.
    pub share: f64,
}

/// A group (二级) with its tags, or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GroupSummary {
    /// What it is.
    #[serde(flatten)]
    pub info: GroupInfo,
    /// Why the group has no tags (its input column has no value, or a rule cannot be read),
    /// in English; `null` when it has them.
    pub unavailable_en: Option<String>,
    /// The same in Chinese.
    pub unavailable_zh: Option<String>,
    /// Its tags.
    pub tags: Vec<TagSummary>,
}

/// A category (一级) with its groups.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CategorySummary {
    /// Stable key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Its groups.
    pub groups: Vec<GroupSummary>,
}

/// The tag catalogue (标签体系) made for this run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct TagsReport {
    /// Categories → groups → tags, with counts.
    pub catalogue: Vec<CategorySummary>,
}

/// An audience (人群) with what a touch campaign needs to know of it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AudienceStats {
    /// Its name.
    pub name: String,
    /// Its rule.
    pub rule: String,
    /// Why its rule cannot be run (English), `null` when it ran; its figures are then 0.
    pub error_en: Option<String>,
    /// The same in Chinese.
    pub error_zh: Option<String>,
    /// Members in it.
    pub members: usize,
    /// Share of all members.
    pub share: f64,
    /// Their net spend (monetary).
    pub revenue: f64,
    /// Share of all members' net spend.
    pub revenue_share: f64,
    /// Mean CLV of its members with a forecast (`null` without forecasts).
    pub mean_clv: Option<f64>,
    /// Members reachable by SMS or a call (a phone).
    pub with_phone: usize,
    /// Members reachable by e-mail.
    pub with_email: usize,
    /// Members with a guide (WeCom 1:1).
    pub with_guide: usize,
    /// Members following the official account (template messages); `null` when no column
    /// says who follows (unknown, not zero).
    pub with_follower: Option<usize>,
    /// Members in both this audience and each audience, in the order of `audiences[]` (its own
    /// place holds its size).
    pub overlap: Vec<usize>,
}
