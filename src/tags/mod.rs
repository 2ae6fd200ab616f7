//! Tags and audiences (标签体系与人群). So far: the rule language of custom tags and audiences
//! ([`rule`] reads it, [`compile`] checks its types against the member fields and tags and runs
//! it over the member table), with errors that name the line and column in both languages; and
//! the tag catalogue ([`catalogue`]: category → group → tag, made from the member table); and
//! audiences ([`audience`]: rules over fields and tags, with size, revenue, reach and overlap).

pub mod audience;
pub mod catalogue;
pub mod compile;
pub mod error;
pub mod rule;

pub use audience::{AudienceDef, AudienceReport, AudienceStats};
pub use catalogue::{Catalogue, CatalogueError, Tags};
pub use compile::{NoTags, Rule, TagSource};
pub use error::{RuleError, RuleErrorKind};
