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

pub use audience::{AudienceDef, AudienceStats};
pub use catalogue::{Catalogue, CatalogueError, Tags};
pub use compile::{NoTags, Rule, TagSource};
pub use error::{RuleError, RuleErrorKind};

use crate::members::MemberTable;
use crate::report::TagsReport;

/// The tags pass: a scheme's tags made for a member table, counted, and its audiences.
pub struct Tagged {
    /// The tags, for rules and queries afterwards.
    pub tags: Tags,
    /// The catalogue with counts.
    pub report: TagsReport,
    /// The scheme's audiences.
    pub audiences: Vec<AudienceStats>,
}

/// Makes the scheme's tags for the members, counts them and evaluates the saved audiences.
pub fn pass(members: &MemberTable, scheme: Catalogue) -> Tagged {
    counted(members, scheme.make(members))
}

/// Counts tags already made for the members and evaluates their scheme's audiences.
pub fn counted(members: &MemberTable, tags: Tags) -> Tagged {
    let report = TagsReport {
        catalogue: tags.summary(members),
    };
    let audiences = audience::evaluate(&tags.catalogue.audiences, members, &tags);
    Tagged {
        tags,
        report,
        audiences,
    }
}
