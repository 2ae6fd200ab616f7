//! The member table's columns: one descriptor each (key, Chinese and English label, kind,
//! getter). Cells, sorting, the page's member rows and column list, and exports all read this
//! table: adding a column is one entry here (and a getter on [`MemberView`] when the value is
//! new).

use schemars::JsonSchema;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::view::MemberView;
use crate::model::day::format_day;

/// What a column holds: how it is shown, sorted and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Free text.
    Text,
    /// A key from a fixed list (segment, tier, stage...): the page shows its translated name.
    Key,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// An amount of money.
    Money,
    /// A probability or share in 0..1.
    Rate,
    /// A date `YYYY-MM-DD`.
    Date,
    /// A list of texts.
    List,
    /// Yes or no.
    Bool,
}

/// One cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// No value.
    Empty,
    /// Text.
    Text(&'a str),
    /// A key from a fixed list.
    Key(&'static str),
    /// A whole number.
    Int(i64),
    /// A number.
    Number(f64),
    /// A day number (days since 1970-01-01).
    Day(i32),
    /// A list of texts.
    List(&'a [String]),
    /// Yes or no.
    Bool(bool),
}

impl<'a> Value<'a> {
    fn text(v: Option<&'a str>) -> Self {
        v.map_or(Value::Empty, Value::Text)
    }

    fn key(v: Option<&'static str>) -> Self {
        v.map_or(Value::Empty, Value::Key)
    }

    fn int(v: Option<impl Into<i64>>) -> Self {
        v.map_or(Value::Empty, |x| Value::Int(x.into()))
    }

    fn number(v: Option<f64>) -> Self {
        v.map_or(Value::Empty, Value::Number)
    }

    fn day(v: Option<i32>) -> Self {
        v.map_or(Value::Empty, Value::Day)
    }

    /// The text of a cell as an export writes it (`None` when empty; numbers as written by
    /// the caller).
    pub fn text_of(&self) -> Option<String> {
        match self {
            Value::Empty => None,
            Value::Text(t) => Some((*t).to_string()),
            Value::Key(k) => Some((*k).to_string()),
            Value::Int(n) => Some(n.to_string()),
            Value::Number(x) => Some(x.to_string()),
            Value::Day(d) => Some(format_day(*d)),
            Value::List(l) => Some(l.join("|")),
            Value::Bool(b) => Some(b.to_string()),
        }
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Empty => s.serialize_none(),
            Value::Text(t) => s.serialize_str(t),
            Value::Key(k) => s.serialize_str(k),
            Value::Int(n) => s.serialize_i64(*n),
            Value::Number(x) => s.serialize_f64(*x),
            Value::Day(d) => s.serialize_str(&format_day(*d)),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for t in l.iter() {
                    seq.serialize_element(t)?;
                }
                seq.end()
            }
            Value::Bool(b) => s.serialize_bool(*b),
        }
    }
}

/// A column of the member table.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct Column {
    /// Stable key (the JSON field of a member row, the export's default header).
    pub key: &'static str,
    /// Chinese label.
    pub label_zh: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// What it holds.
    pub kind: ColumnKind,
    /// True for forecast columns (present only when forecasts were computed).
    pub forecast: bool,
    /// True when the page's member table shows it unless the user hides it.
    pub shown: bool,
    /// The cell of a member.
    #[serde(skip)]
    #[schemars(skip)]
    pub get: for<'a> fn(&MemberView<'a>) -> Value<'a>,
}

const fn col(
    key: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    kind: ColumnKind,
    get: for<'a> fn(&MemberView<'a>) -> Value<'a>,
) -> Column {
    Column {
        key,
        label_zh,
        label_en,
        kind,
        forecast: false,
        shown: false,
        get,
    }
}

impl Column {
    /// Shown by the page's member table unless the user hides it.
    const fn shown(self) -> Column {
        Column {
            shown: true,
            ..self
        }
    }

    /// A forecast column (present only with forecasts).
    const fn forecast(self) -> Column {
        Column {
            forecast: true,
            ..self
        }
    }
}

use ColumnKind as K;

/// Every column, in display and export order.
#[rustfmt::skip]
pub const COLUMNS: &[Column] = &[
    col("member_id", "会员ID", "Member id", K::Text, |v| Value::text(v.member_id())).shown(),
    col("phone", "手机号", "Phone", K::Text, |v| Value::text(v.phone())).shown(),
    col("email", "邮箱", "E-mail", K::Text, |v| Value::text(v.email())).shown(),
    col("name", "姓名", "Name", K::Text, |v| Value::text(v.name())).shown(),
    col("sources", "来源", "Sources", K::List, |v| Value::List(v.sources())).shown(),
    col("in_member_file", "在会员表中", "In members table", K::Bool, |v| Value::Bool(v.in_member_file())),
    col("tier", "会员等级", "Tier", K::Text, |v| Value::text(v.tier())).shown(),
    col("registered_at", "注册时间", "Registered", K::Date, |v| Value::day(v.registered_at())).shown(),
    col("reg_channel", "注册渠道", "Registration channel", K::Text, |v| Value::text(v.reg_channel())),
    col("store", "所属门店", "Store", K::Text, |v| Value::text(v.store())),
    col("gender", "性别", "Gender", K::Text, |v| Value::text(v.gender())),
    col("birthday", "生日", "Birthday", K::Date, |v| Value::day(v.birthday())),
    col("age", "年龄", "Age", K::Integer, |v| Value::int(v.age())),
    col("region", "地区", "Region", K::Text, |v| Value::text(v.region())),
    col("guide", "导购", "Guide", K::Text, |v| Value::text(v.guide())),
    col("follower", "关注公众号", "Follows official account", K::Bool, |v| v.follower().map_or(Value::Empty, Value::Bool)),
    col("points", "积分", "Points", K::Number, |v| Value::number(v.points())),
    col("preferred_store", "常购门店", "Preferred store", K::Text, |v| Value::text(v.preferred_store())),
    col("preferred_channel", "常购渠道", "Preferred channel", K::Text, |v| Value::text(v.preferred_channel())),
    col("favourite_category", "偏好品类", "Favourite category", K::Text, |v| Value::text(v.favourite_category())),
    col("first_source", "首单来源", "First-order source", K::Text, |v| Value::text(v.first_source())),
    col("first_channel", "首单渠道", "First-order channel", K::Text, |v| Value::text(v.first_channel())),
    col("first_store", "首单门店", "First-order store", K::Text, |v| Value::text(v.first_store())),
    col("first_purchase", "首次消费", "First purchase", K::Date, |v| Value::day(v.first_purchase())).shown(),
    col("last_purchase", "最近消费", "Last purchase", K::Date, |v| Value::day(v.last_purchase())).shown(),
    col("days_since_first", "首购距今天数", "Days since first purchase", K::Integer, |v| Value::int(v.days_since_first())),
    col("recency_days", "R 天数", "Recency", K::Integer, |v| Value::int(v.recency_days())).shown(),
    col("frequency", "F 次数", "Frequency", K::Integer, |v| Value::Int(v.frequency().into())).shown(),
    col("monetary", "M 金额", "Monetary", K::Money, |v| Value::Number(v.monetary())).shown(),
    col("monthly_spend", "月均消费", "Monthly spend", K::Money, |v| Value::number(v.monthly_spend())),
    col("spend_12m", "近12个月消费", "Spend, last 12 months", K::Money, |v| Value::number(v.spend_12m())),
    col("refund_rate", "退款率", "Refund rate", K::Rate, |v| Value::number(v.refund_rate())),
    col("r_score", "R", "R", K::Integer, |v| Value::int(v.scores().map(|s| s[0]))).shown(),
    col("f_score", "F", "F", K::Integer, |v| Value::int(v.scores().map(|s| s[1]))).shown(),
    col("m_score", "M", "M", K::Integer, |v| Value::int(v.scores().map(|s| s[2]))).shown(),
    col("segment", "RFM 分层", "Segment", K::Key, |v| Value::key(v.segment())).shown(),
    col("segment_ten", "十分层", "Ten-segment", K::Key, |v| Value::text(v.segment_ten())).shown(),
    col("dormancy", "沉睡分层", "Dormancy", K::Key, |v| Value::Key(v.dormancy())).shown(),
    col("lifecycle", "生命周期", "Lifecycle", K::Key, |v| Value::Key(v.lifecycle())).shown(),
    col("personal_cycle_days", "个人周期", "Cycle (days)", K::Number, |v| Value::number(v.personal_cycle_days())).shown(),
    col("expected_next_purchase", "预计复购", "Next purchase", K::Date, |v| Value::day(v.expected_next_purchase())).shown(),
    col("repurchase_status", "复购状态", "Repurchase", K::Key, |v| Value::key(v.repurchase_status())).shown(),
    col("p_alive", "存活概率", "P(alive)", K::Rate, |v| Value::number(v.forecast().map(|f| f.p_alive))).forecast().shown(),
    col("expected_purchases_30d", "30 天预期购买", "Expected purchases 30 d", K::Number, |v| Value::number(v.forecast().map(|f| f.expected_purchases_30d))).forecast(),
    col("expected_purchases_90d", "90 天预期购买", "Expected purchases 90 d", K::Number, |v| Value::number(v.forecast().map(|f| f.expected_purchases_90d))).forecast(),
    col("expected_purchases_365d", "365 天预期购买", "Expected purchases 365 d", K::Number, |v| Value::number(v.forecast().map(|f| f.expected_purchases_365d))).forecast(),
    col("expected_spend", "预期单次消费", "Expected spend", K::Money, |v| Value::number(v.forecast().map(|f| f.expected_spend))).forecast().shown(),
    col("clv", "CLV", "CLV", K::Money, |v| Value::number(v.forecast().map(|f| f.clv))).forecast().shown(),
    col("churn_risk", "流失风险", "Churn risk", K::Rate, |v| Value::number(v.forecast().map(|f| f.churn_risk))).forecast().shown(),
    col("churn_band", "流失风险等级", "Churn band", K::Key, |v| Value::key(v.churn_band())).forecast().shown(),
    col("segment_then", "对比日 RFM 分层", "Segment at comparison date", K::Key, |v| Value::key(v.segment_then())),
    col("dormancy_then", "对比日沉睡分层", "Tier at comparison date", K::Key, |v| Value::key(v.dormancy_then())),
    col("movement", "分群迁移", "Movement", K::Key, |v| Value::key(v.movement())),
];

/// The column with this key.
pub fn column(key: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.key == key)
}

/// A member as the page reads it: every column's key and cell.
pub struct MemberRow<'a>(pub MemberView<'a>);

impl Serialize for MemberRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(COLUMNS.len()))?;
        for c in COLUMNS {
            m.serialize_entry(c.key, &(c.get)(&self.0))?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        for (i, c) in COLUMNS.iter().enumerate() {
            assert!(
                COLUMNS[i + 1..].iter().all(|d| d.key != c.key),
                "{} twice",
                c.key
            );
        }
    }
}
