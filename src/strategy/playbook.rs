//! The playbook (运营策略手册) as data: per group of members (a rule), the goal, the benefit, the
//! channels in order of preference, when to touch and how often at most, the message angle, the
//! KPI, and the assumption the expected gain rests on. The shipped one is
//! `default_playbook.json`; another is read from JSON with errors naming the play and field.

use serde::{Deserialize, Serialize};

use crate::report::{Benefit, Channel, GainKind};

/// When to touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingKind {
    /// `days` before the member's expected repurchase date (0: on it).
    ExpectedRepurchase,
    /// `days` before points or coupons expire.
    BeforeExpiry,
    /// Within `days` of the first purchase (首购转二购).
    AfterFirstPurchase,
    /// When the member enters the tier.
    TierCrossing,
    /// `days` before a promotion or holiday.
    Promotion,
    /// Now.
    Immediately,
}

/// When to touch, as a kind and in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// The kind.
    pub kind: TimingKind,
    /// Its number of days (see the kind).
    #[serde(default)]
    pub days: u32,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

/// At most `times` touches per `per_days` days, all channels together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencyCap {
    /// Touches.
    pub times: u32,
    /// Days.
    pub per_days: u32,
}

/// The assumption an expected gain rests on (the user edits `rate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gain {
    /// How the gain is estimated.
    pub kind: GainKind,
    /// The rate (0..1).
    pub rate: f64,
    /// The assumption in Chinese.
    pub zh: String,
    /// The same in English.
    pub en: String,
}

/// One play: what to do with the members a rule selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Play {
    /// Stable key (`rfm.important_retain`).
    pub key: String,
    /// `rfm`, `rfm_ten`, `dormancy`, `non_buyer`, `lifecycle` or `custom`.
    pub group: String,
    /// The members it is for (see `docs/rules-language.md`).
    pub rule: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The goal, in Chinese.
    pub goal_zh: String,
    /// The goal, in English.
    pub goal_en: String,
    /// The kind of benefit.
    pub benefit: Benefit,
    /// Benefit examples, in Chinese.
    pub benefit_examples_zh: Vec<String>,
    /// The same in English.
    pub benefit_examples_en: Vec<String>,
    /// Channels, in order of preference.
    pub channels: Vec<Channel>,
    /// When to touch.
    pub timing: Timing,
    /// How often at most.
    pub frequency_cap: FrequencyCap,
    /// The message angle, in Chinese.
    pub message_zh: String,
    /// The same in English.
    pub message_en: String,
    /// The KPI to watch, in Chinese.
    pub kpi_zh: String,
    /// The same in English.
    pub kpi_en: String,
    /// The expected gain's assumption.
    pub gain: Gain,
}

/// The playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// The plays, in the order they are listed when their value at stake ties.
    pub plays: Vec<Play>,
}

/// What is wrong with a playbook: the place (`plays[3].gain.rate`) and why.
pub type PlaybookError = crate::error::PlaceError;

/// The playbook shipped with the analyzer.
pub const DEFAULT_PLAYBOOK: &str = include_str!("default_playbook.json");

const GROUPS: &[&str] = &[
    "rfm",
    "rfm_ten",
    "dormancy",
    "non_buyer",
    "lifecycle",
    "custom",
];

impl Playbook {
    /// Reads a playbook from JSON; the error names the place.
    pub fn from_json(text: &str) -> Result<Playbook, PlaybookError> {
        let book: Playbook =
            serde_json::from_str(text).map_err(|e| PlaybookError::json(&e, "运营策略手册"))?;
        book.validate()?;
        Ok(book)
    }

    /// The shipped playbook.
    pub fn default_playbook() -> Playbook {
        Playbook::from_json(DEFAULT_PLAYBOOK).expect("the shipped playbook is valid")
    }

    /// Checks what JSON cannot: unique keys, known groups, rates in 0..1, texts present,
    /// example lists of one length (rules are checked when the playbook is applied).
    pub fn validate(&self) -> Result<(), PlaybookError> {
        let bad = |place: String, en: String, zh: String| Err(PlaybookError::new(place, en, zh));
        let mut keys = std::collections::HashSet::new();
        for (i, p) in self.plays.iter().enumerate() {
            let at = |field: &str| format!("plays[{i}].{field}");
            if p.key.trim().is_empty() {
                return bad(
                    at("key"),
                    "a play needs a key".into(),
                    "策略需要 key".into(),
                );
            }
            if !keys.insert(p.key.as_str()) {
                return bad(
                    at("key"),
                    format!("the key \"{}\" is used twice", p.key),
                    format!("策略键“{}”重复", p.key),
                );
            }
            if !GROUPS.contains(&p.group.as_str()) {
                return bad(
                    at("group"),
                    format!("\"{}\" is not one of {}", p.group, GROUPS.join(", ")),
                    format!("“{}”不是 {} 之一", p.group, GROUPS.join("、")),
                );
            }
            let texts = [
                ("rule", &p.rule),
                ("name_zh", &p.name_zh),
                ("name_en", &p.name_en),
                ("goal_zh", &p.goal_zh),
                ("goal_en", &p.goal_en),
                ("message_zh", &p.message_zh),
                ("message_en", &p.message_en),
                ("kpi_zh", &p.kpi_zh),
                ("kpi_en", &p.kpi_en),
                ("timing.zh", &p.timing.zh),
                ("timing.en", &p.timing.en),
            ];
            if let Some((field, _)) = texts.iter().find(|(_, t)| t.trim().is_empty()) {
                return bad(at(field), "empty text".into(), "内容为空".into());
            }
            if p.benefit_examples_zh.len() != p.benefit_examples_en.len() {
                return bad(
                    at("benefit_examples_en"),
                    "give as many English examples as Chinese ones".into(),
                    "英文示例的条数应与中文相同".into(),
                );
            }
            if p.channels.is_empty() {
                return bad(
                    at("channels"),
                    "name at least one channel".into(),
                    "至少需要一个触达渠道".into(),
                );
            }
            if !(p.gain.rate.is_finite() && (0.0..=1.0).contains(&p.gain.rate)) {
                return bad(
                    at("gain.rate"),
                    format!("{} is not a rate between 0 and 1", p.gain.rate),
                    format!("{} 不是 0 到 1 之间的比例", p.gain.rate),
                );
            }
            if p.frequency_cap.times == 0 || p.frequency_cap.per_days == 0 {
                return bad(
                    at("frequency_cap"),
                    "times and per_days must be at least 1".into(),
                    "times 和 per_days 至少为 1".into(),
                );
            }
        }
        Ok(())
    }
}
