//! The client report (客户报告): the report rendered as one self-contained HTML document a
//! consultant hands over — inline styles and SVG charts, its own CSP, no request — in Chinese
//! or English, readable on screen and printed on A4. The CLI (`memberlens report`) and the
//! page (`reportHtml`) both write it from here.
//!
//! It reads the report (the contract) and the playbook the plan was made with; names of
//! keys (segments, tiers, stages) come from the caller, which takes them from the tag
//! catalogue.

mod chart;
mod document;
pub mod format;

use crate::report::Report;
use crate::strategy::Playbook;

/// The display name of a key of a member column, in the report's language
/// (`("dormancy", "near_sleep")` → 接近睡眠会员), or `None` to show the key.
pub type Names<'a> = &'a dyn Fn(&str, &str) -> Option<String>;

/// What the reader sees on the cover, and the language.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct HtmlOptions {
    /// The title (default 会员分析报告 / Member analysis report).
    pub title: Option<String>,
    /// The client's brand, shown above the title.
    pub brand: Option<String>,
    /// `zh` (default) or `en`.
    pub lang: Option<String>,
    /// The day the report is made (shown beside the as-of date), `YYYY-MM-DD`.
    pub date: Option<String>,
}

impl HtmlOptions {
    /// Chinese, unless `lang` is `en`.
    pub fn zh(&self) -> bool {
        self.lang.as_deref() != Some("en")
    }
}

/// The report as one HTML document.
pub fn report_html(
    report: &Report,
    playbook: &Playbook,
    names: Names<'_>,
    opts: &HtmlOptions,
) -> String {
    document::Doc {
        r: report,
        playbook,
        names,
        opts,
    }
    .render()
    .into_string()
}
