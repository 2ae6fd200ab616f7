//! The versioned report: the one contract the page, the CLI and embedders read.
//!
//! Every section is a plain documented struct here ([`sections`], [`forecast`]); the analysis
//! passes fill them and [`assemble`] puts them together. Nothing here imports the analysis.
//! The JSON Schema derived from these structs ([`schema`]) generates the field tables of
//! `docs/report.md` and the page's TypeScript declarations; a test fails when either drifts.
//! Bump [`REPORT_VERSION`] on any change that removes or renames a field.

pub mod forecast;
pub mod glossary;
pub mod growth;
mod ordered_map;
pub mod schema;
pub mod sections;
pub mod strategy;
pub mod tags;

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::{Notice, Warning};
use crate::model::Day;
pub use forecast::*;
pub use growth::*;
pub use ordered_map::OrderedMap;
pub use sections::*;
pub use strategy::*;
pub use tags::*;

/// Version of the report format.
pub const REPORT_VERSION: &str = "1.0";

/// Where the as-of date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AsOfSource {
    /// The latest purchase date in the data (the default).
    LatestPurchase,
    /// Chosen by the user.
    User,
}

/// The whole report: the format version and producer, then the sections of the run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// Format version.
    pub report_version: &'static str,
    /// Producer and version.
    pub generator: String,
    /// The sections (written at the top level of the report).
    #[serde(flatten)]
    pub sections: Sections,
}

impl std::ops::Deref for Report {
    type Target = Sections;

    fn deref(&self) -> &Sections {
        &self.sections
    }
}

/// The sections of a report, as the analysis passes return them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Sections {
    /// The as-of date (分析基准日).
    pub as_of: Day,
    /// Whether as-of was the default (latest purchase) or chosen by the user.
    pub as_of_source: AsOfSource,
    /// Settings used.
    pub settings: Settings,
    /// Per-file accounting.
    pub files: Vec<FileReport>,
    /// Data inventory (数据盘点).
    pub inventory: Inventory,
    /// RFM (RFM 模型).
    pub rfm: RfmReport,
    /// Dormancy tiers (沉睡会员分层).
    pub dormancy: DormancyReport,
    /// Lifecycle stage counts (生命周期): `introduction`, `growth`, `maturity`, `dormancy`, `churn`.
    pub lifecycle: OrderedMap<usize>,
    /// Expected next purchase status counts (预计复购).
    pub repurchase: RepurchaseReport,
    /// Buyers and revenue per source (orders file).
    pub sources: Vec<SourceReport>,
    /// Buyers shared by each pair of sources.
    pub source_overlap: Vec<SourceOverlap>,
    /// Forecasts (BG/NBD, Gamma-Gamma, CLV), when they could be fitted.
    pub forecast: Option<ForecastReport>,
    /// The tag catalogue (标签体系) with every tag's count.
    pub tags: TagsReport,
    /// The scheme's saved audiences (人群), with their overlaps.
    pub audiences: Vec<AudienceStats>,
    /// The playbook applied (行动建议): ranked actions and the touch calendar.
    pub action_plan: ActionPlan,
    /// Growth analytics (增长分析): ladder, cohorts, stores and channels, omnichannel overlap,
    /// segment movement, stage compounding and the target decomposition.
    pub growth: GrowthReport,
    /// Run-level messages (e.g. forecasts not computed), in both languages.
    pub notices: Vec<Notice>,
    /// Row warnings (first 100 per file) and file notices, in both languages.
    pub warnings: Vec<Warning>,
}

/// The report of a run: its sections, stamped with the format version and the producer.
pub fn assemble(sections: Sections) -> Report {
    Report {
        report_version: REPORT_VERSION,
        generator: format!("memberlens {}", env!("CARGO_PKG_VERSION")),
        sections,
    }
}

/// Serialises to pretty JSON.
pub fn to_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
