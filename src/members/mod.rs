//! The member table: one row per member, packed, with one column descriptor table that drives
//! cells, sorting, filtering, export and the page's column list.
//!
//! The analysis packs members with [`MemberTable::push`]; everything else reads them through
//! [`MemberView`] (a borrowed member) and [`COLUMNS`].

mod columns;
mod query;
mod store;
mod view;

pub use columns::{column, Column, ColumnKind, MemberRow, Value, COLUMNS};
pub use query::{page, select, MemberQuery};
pub use store::{ForecastCells, MemberTable, NewMember};
pub use view::MemberView;
