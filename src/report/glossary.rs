//! The glossary (口径): what every figure, segment, tier and chart means, in both languages.
//! One file (`glossary.json`) serves the page (imported at build time), the CLI's text output
//! and the client report, so a figure is defined the same way wherever it is shown.

use std::sync::OnceLock;

use serde::Deserialize;

/// One term: its key (`metric.aov`, `segment.important_value`...), names and definitions.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Stable key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// What it means, in Chinese.
    pub definition_zh: String,
    /// The same in English.
    pub definition_en: String,
}

impl Term {
    /// Name and definition in Chinese or English.
    pub fn text(&self, zh: bool) -> (&str, &str) {
        if zh {
            (&self.name_zh, &self.definition_zh)
        } else {
            (&self.name_en, &self.definition_en)
        }
    }
}

/// Every term, in the file's order.
pub fn glossary() -> &'static [Term] {
    static TERMS: OnceLock<Vec<Term>> = OnceLock::new();
    TERMS.get_or_init(|| {
        serde_json::from_str(include_str!("glossary.json")).expect("the glossary is valid JSON")
    })
}

/// The term with this key.
pub fn term(key: &str) -> Option<&'static Term> {
    glossary().iter().find(|t| t.key == key)
}

/// The inventory figures, in the order the CLI's summary and the report show them.
pub const INVENTORY_TERMS: &[&str] = &[
    "metric.members_total",
    "metric.buyers",
    "metric.non_buyers",
    "metric.purchase_orders",
    "metric.revenue",
    "metric.aov",
    "metric.avg_spend_per_buyer",
    "metric.avg_orders_per_buyer",
    "metric.repurchase_rate",
    "metric.return_rate",
    "metric.median_interpurchase_days",
    "metric.guest_orders",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_named_and_defined_once_in_both_languages() {
        let g = glossary();
        assert!(g.len() > 50);
        let mut keys: Vec<&str> = g.iter().map(|t| t.key.as_str()).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is defined twice");
        for t in g {
            for (what, s) in [
                ("name_zh", &t.name_zh),
                ("name_en", &t.name_en),
                ("definition_zh", &t.definition_zh),
                ("definition_en", &t.definition_en),
            ] {
                assert!(!s.trim().is_empty(), "{}: empty {what}", t.key);
            }
            // Chinese text in the Chinese fields, none in the English ones.
            let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(
                cjk(&t.definition_zh),
                "{}: definition_zh without Chinese",
                t.key
            );
            assert!(
                !cjk(&t.definition_en),
                "{}: Chinese in definition_en",
                t.key
            );
        }
        // The figures the CLI and the report define are all there.
        for k in INVENTORY_TERMS {
            assert!(term(k).is_some(), "{k}");
        }
    }
}
