//! Growth analytics (增长分析, domain.md §9): the purchase-number ladder, cohorts by
//! first-purchase month, stores and channels, omnichannel overlap, segment movement between
//! two dates, stage compounding and the target decomposition. Each is one pass over the
//! linked population returning its part of the `growth` report section.

mod cohorts;
mod ladder;
pub mod movement;
mod omni;
mod outlets;
pub mod target;

use crate::analysis::forecast::MemberForecast;
use crate::model::population::Population;
use crate::model::Day;
use crate::report::{GrowthReport, Inventory};
pub use movement::{Moved, MovementInputs};
use rustc_hash::FxHashMap;
pub use target::TargetOptions;

/// Month index of a day: year × 12 + month − 1.
pub fn month_of(day: i32) -> i32 {
    let (y, m, _) = Day(day).ymd();
    y * 12 + m as i32 - 1
}

/// The month index of every day a population spans, looked up instead of computed for each
/// purchase.
pub struct Months {
    first: i32,
    month: Vec<i32>,
}

impl Months {
    /// From the population's first purchase to its as-of date.
    pub fn of(pop: &Population<'_>) -> Months {
        let first = pop
            .members
            .iter()
            .filter_map(|m| m.purchases.first().map(|p| p.day))
            .min()
            .unwrap_or(pop.as_of)
            .min(pop.as_of);
        Months {
            first,
            month: (first..=pop.as_of).map(month_of).collect(),
        }
    }

    /// The first day covered (the population's first purchase).
    pub fn first(&self) -> i32 {
        self.first
    }

    /// The month index of a day.
    pub fn get(&self, day: i32) -> i32 {
        usize::try_from(day - self.first)
            .ok()
            .and_then(|i| self.month.get(i).copied())
            .unwrap_or_else(|| month_of(day))
    }
}

/// `YYYY-MM` of a month index.
pub fn month_label(m: i32) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// What growth reads from the members' records, taken before packing moves the records into
/// the member table (the growth passes run after it).
pub struct FromRecords {
    /// Members registered at each store.
    stores: FxHashMap<String, usize>,
    /// Members who joined in the 365 days to as-of: registration day, else first purchase.
    joined_last_year: usize,
}

impl FromRecords {
    pub fn of(pop: &Population<'_>) -> FromRecords {
        let as_of = pop.as_of;
        let mut stores: FxHashMap<String, usize> = FxHashMap::default();
        let mut joined_last_year = 0;
        for m in &pop.members {
            let record = m.record.as_deref();
            if let Some(s) = record.and_then(|r| r.store.as_deref()) {
                match stores.get_mut(s) {
                    Some(n) => *n += 1,
                    None => {
                        stores.insert(s.to_string(), 1);
                    }
                }
            }
            let joined = record.and_then(|r| r.registered).or_else(|| m.first_day());
            if joined.is_some_and(|d| d > as_of - 365 && d <= as_of) {
                joined_last_year += 1;
            }
        }
        FromRecords {
            stores,
            joined_last_year,
        }
    }
}

/// What the growth passes read besides the population.
pub struct GrowthInputs<'a> {
    /// What the members' records said (read before packing).
    pub records: &'a FromRecords,
    /// What the movement compares (dates, RFM settings, the states at as-of).
    pub movement: movement::MovementInputs<'a>,
    /// The inventory section (AOV, rates).
    pub inventory: &'a Inventory,
    /// Mean first-purchase value.
    pub mean_first_purchase_value: f64,
    /// Per-member forecasts (empty when off).
    pub forecasts: &'a [Option<MemberForecast>],
    /// The target, when one is set.
    pub target: Option<&'a TargetOptions>,
}

/// The growth section, and each member's movement (for the member table).
pub fn run(pop: &Population<'_>, inp: &GrowthInputs<'_>) -> (GrowthReport, Vec<Option<Moved>>) {
    let months = Months::of(pop);
    let ((ladder, cohorts), ((outlets, omnichannel), (movement, moved))) = crate::par::join(
        || (ladder::ladder(pop), cohorts::cohorts(pop, &months)),
        || {
            crate::par::join(
                || {
                    (
                        outlets::run(pop, &months, &inp.records.stores),
                        omni::run(pop),
                    )
                },
                || movement::run(pop, &inp.movement),
            )
        },
    );
    let (stores, channels, store_months) = outlets;
    let target = inp.target.map(|t| {
        target::plan(
            pop,
            &months,
            t,
            &target::TargetInputs {
                inventory: inp.inventory,
                mean_first_purchase_value: inp.mean_first_purchase_value,
                forecasts: inp.forecasts,
            },
        )
    });
    let report = GrowthReport {
        ladder,
        cohorts,
        stores,
        channels,
        store_months,
        omnichannel,
        movement,
        compounding: target::compounding(inp.records.joined_last_year, inp.inventory),
        target,
    };
    (report, moved)
}
