//! Plain data every engine reads: calendar days, the records of each file (orders, returns,
//! member records with their extra columns) and the linked population.

pub mod day;
pub mod forecast;
pub mod population;
pub mod records;

pub use day::Day;
pub use forecast::ForecastValues;
pub use population::{Member, Population, Purchase};
pub use records::*;
