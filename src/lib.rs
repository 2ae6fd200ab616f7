//! MemberLens (私域会员分析器): member analytics for private-domain retail.
//!
//! The pipeline, one way only:
//! 1. [`ingest`]: bytes → decoded text → rows → typed orders and members, with row diagnostics;
//! 2. [`model`]: plain data (orders, returns, member records);
//! 3. [`analysis`]: identity linking, profiles, inventory, RFM, dormancy, lifecycle, repurchase, forecasts;
//! 4. [`report`]: the versioned JSON contract read by the page, the CLI and embedders;
//! 5. [`members`]: the member table (one row per member) and its column descriptors;
//! 6. [`export`]: the member table as CSV/XLSX.
//!
//! The core takes bytes and an explicit as-of date, never a path or the clock.

pub mod analysis;
pub mod analyzer;
pub mod error;
pub mod export;
pub mod growth;
pub mod ingest;
pub mod link;
pub mod members;
pub mod model;
mod par;
pub mod render;
pub mod report;
pub mod strategy;
pub mod tags;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use analysis::{run, Analysis, AnalysisOptions};
pub use analyzer::Analyzer;
pub use error::{Error, Notice, NoticeCode, Warned, Warning, WarningCode, WarningKind};
pub use ingest::{ingest, FileOptions, FileSummary, Ingested};
