//! The action plan (行动建议): the playbook applied to this run's members — each play with the
//! members it covers, who can be reached how, the value at stake and the expected gain, ranked
//! — and the touch calendar of the next 30 days.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kind of benefit a play offers (权益).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// 尊享权益: few and prestigious.
    Exclusive,
    /// 营销权益: differentiated and conditional.
    Marketing,
    /// 基础权益: guaranteed, shared by all.
    Basic,
}

/// A touch channel, with what it needs to reach a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 短信: needs a phone.
    Sms,
    /// AI 外呼: needs a phone.
    AiCall,
    /// 公众号模板消息: needs a follower of the official account.
    TemplateMessage,
    /// 小程序订阅消息: needs a subscription no export says (reach unknown).
    SubscriptionMessage,
    /// 企业微信 1v1: needs a guide relationship.
    #[serde(rename = "wecom_1v1")]
    Wecom1v1,
    /// 企微朋友圈: needs a guide relationship.
    WecomMoments,
    /// E-mail: needs an e-mail address.
    Email,
}

/// How many of a play's members a channel reaches.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChannelReach {
    /// The channel.
    pub channel: Channel,
    /// Members it can reach; `null` when no column says (unknown, not zero).
    pub reachable: Option<usize>,
}

/// What the value at stake is made of.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueBasis {
    /// The members' predicted CLV (forecasts computed).
    Clv,
    /// The members' net spend in the 365 days up to as-of (forecasts off).
    #[default]
    Spend12m,
}

/// How a play's expected gain is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GainKind {
    /// `rate` × the value at stake (buyers).
    ValueShare,
    /// members × `rate` × the mean first-purchase value (members yet to buy).
    Conversion,
}

/// One play applied: an action to take.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Action {
    /// The play's key (`rfm.important_retain`).
    pub key: String,
    /// Its group: `rfm`, `rfm_ten`, `dormancy`, `non_buyer`, `lifecycle` or `custom`.
    pub group: String,
    /// The rule selecting its members.
    pub rule: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Why the rule cannot be run (English), `null` when it ran; the figures are then 0.
    pub error_en: Option<String>,
    /// The same in Chinese.
    pub error_zh: Option<String>,
    /// Members it covers.
    pub members: usize,
    /// Share of all members.
    pub share: f64,
    /// Reach per channel, in the play's order of preference.
    pub reach: Vec<ChannelReach>,
    /// Members reachable by at least one of the play's channels whose reach is known; `null`
    /// when no channel's reach is known.
    pub reachable_any: Option<usize>,
    /// True when every channel's reach is known (else `reachable_any` is a lower bound).
    pub reach_complete: bool,
    /// Value at stake: the sum over its members (CLV or 12-month spend, see the plan's
    /// `value_basis`).
    pub value_at_stake: f64,
    /// The gain assumption's kind.
    pub gain_kind: GainKind,
    /// The gain assumption's rate (editable in the playbook).
    pub gain_rate: f64,
    /// The expected gain under the assumption.
    pub expected_gain: f64,
    /// Rank by value at stake (1 = largest; ties by members, then playbook order).
    pub rank: usize,
}

/// Members whose moment for a play falls in one week of the next 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CalendarEntry {
    /// What happens: `repurchase_due` (the expected repurchase date falls in the week) or
    /// `enters_tier` (recency crosses a dormancy threshold in the week).
    pub moment: String,
    /// For `enters_tier`: the tier entered; for `repurchase_due`: the member's segment key or
    /// `unscored`.
    pub target: String,
    /// Members.
    pub members: usize,
    /// The play that applies (the first covering most of them), if any.
    pub action: Option<String>,
}

/// One week of the touch calendar.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CalendarWeek {
    /// First day.
    pub from: crate::model::Day,
    /// Last day (inclusive).
    pub to: crate::model::Day,
    /// What falls in it.
    pub entries: Vec<CalendarEntry>,
}

/// The touch calendar of the next 30 days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct TouchCalendar {
    /// Weeks from the day after as-of, the last one cut at day 30.
    pub weeks: Vec<CalendarWeek>,
    /// Members whose expected repurchase date has passed by at most one personal cycle
    /// (recently overdue: still worth a reminder).
    pub recently_overdue: usize,
    /// Members later than that (long lapsed: a win-back, not a reminder).
    pub long_lapsed: usize,
}

/// The action plan (行动建议).
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct ActionPlan {
    /// What the value at stake is made of.
    pub value_basis: ValueBasis,
    /// Mean first-purchase net value over buyers (the `conversion` gains' unit).
    pub mean_first_purchase_value: f64,
    /// The actions, ranked by value at stake.
    pub actions: Vec<Action>,
    /// The next 30 days.
    pub calendar: TouchCalendar,
}

impl ActionPlan {
    /// The actions that cover someone and could be run, by rank.
    pub fn ranked(&self) -> Vec<&Action> {
        let mut v: Vec<&Action> = self
            .actions
            .iter()
            .filter(|a| a.members > 0 && a.error_en.is_none())
            .collect();
        v.sort_by_key(|a| a.rank);
        v
    }
}
