//! P(alive) over one member's history (lifetimes' `plot_history_alive`), asked for after an
//! analysis: the member's purchases are gathered again from the files (the analysis keeps no
//! purchase list per member) and the report's purchase model is evaluated on every day from
//! their first purchase to the as-of date.

use serde::Serialize;

use super::forecast::{self, PurchaseModel, TimeUnit};
use crate::error::Error;
use crate::ingest::Ingested;
use crate::model::Day;
use crate::report::Report;

/// One member's P(alive) path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AliveHistory {
    /// The purchase model used (the report's `forecast.purchase_model.chosen`).
    pub model: String,
    /// The member's purchase days (a day with several purchases once).
    pub purchase_days: Vec<Day>,
    /// (day, P(alive) given the purchases up to that day), every day from the first purchase
    /// to the as-of date.
    pub points: Vec<(Day, f64)>,
}

/// The P(alive) path of the member in row `row` of the analysis that made `report` from
/// `files` (the same files, in the same order). `None` when the report has no purchase model
/// or the member has no dated purchase (e.g. known from a member-summary row only).
pub fn history(
    files: &[&Ingested],
    report: &Report,
    row: usize,
) -> Result<Option<AliveHistory>, Error> {
    let Some(model) = chosen_model(report) else {
        return Ok(None);
    };
    let unit = match report.forecast.as_ref().map(|f| f.settings.time_unit) {
        Some("week") => TimeUnit::Week,
        _ => TimeUnit::Day,
    };
    let as_of = report.as_of.0;
    let files: Vec<_> = files.iter().map(|f| &f.output).collect();
    let mut purchases = Vec::new();
    let pop = crate::link::build(&files, as_of, &mut purchases);
    let member = pop.members.get(row).ok_or_else(|| Error::InvalidOption {
        option: "member".into(),
        reason: format!(
            "no member in row {row} (the table has {})",
            pop.members.len()
        ),
    })?;
    let bought: Vec<(i32, f64)> = member
        .purchases
        .iter()
        .map(|p| (p.day, p.net_cents as f64 / 100.0))
        .collect();
    let points = forecast::p_alive_history(&model, &bought, as_of, unit);
    if points.is_empty() {
        return Ok(None);
    }
    let mut purchase_days: Vec<Day> = bought.iter().map(|p| Day(p.0)).collect();
    purchase_days.dedup();
    Ok(Some(AliveHistory {
        model: model.key().to_string(),
        purchase_days,
        points: points.into_iter().map(|(d, p)| (Day(d), p)).collect(),
    }))
}

/// The report's chosen purchase model with its parameters.
fn chosen_model(report: &Report) -> Option<PurchaseModel> {
    let choice = &report.forecast.as_ref()?.purchase_model;
    let key = choice.chosen.as_deref()?;
    let candidate = choice.candidates.iter().find(|c| c.model == key)?;
    let values: Vec<f64> = candidate.parameters.0.iter().map(|(_, v)| *v).collect();
    PurchaseModel::from_parameters(key, &values)
}
