//! Analyses over linked members: inventory, RFM, dormancy, lifecycle, repurchase, forecasts.
//!
//! [`run`] is the one entry point: typed files in, the report and the member table out. It
//! validates the options once, links the population, runs the passes (each returning its
//! report section), packs the member table last, and hands the sections to
//! [`report::assemble`].

pub mod alive;
pub mod dormancy;
pub mod forecast;
pub mod forecast_bridge;
mod inventory;
pub mod lifecycle;
mod options;
mod pack;
pub mod profile;
pub mod repurchase;
pub mod rfm;
mod rfm_pass;
mod sources;
pub mod stats;

use std::sync::Arc;

use crate::error::{Error, Notice, NoticeCode};
use crate::ingest::{FileData, Ingested, IngestedFile};
use crate::members::MemberTable;
use crate::model::Day;
use crate::model::Population;
use crate::par;
use crate::report::{self, FileReport, ForecastReport, OrderedMap, Report, Sections};
use crate::strategy::{self, PlanInputs, Playbook};
use crate::tags::{self, Catalogue, Tags};
use forecast::{ForecastError, MemberForecast};
use lifecycle::StageRule;

pub use options::{AnalysisOptions, MAX_SEGMENT_RULES};

/// The report and the member table.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The versioned report.
    pub report: Report,
    /// One row per member (see [`crate::members`]).
    pub members: MemberTable,
    /// The scheme's tags made for the member table.
    pub tags: Tags,
    /// What the playbook is applied with (to apply another).
    pub plan_inputs: PlanInputs,
}

/// The forecast pass's result: the section and a forecast per member, or why there is none.
type ForecastPass = Result<(ForecastReport, Vec<Option<MemberForecast>>), ForecastError>;

/// The passes that only read the population, run at once (on threads natively).
struct Passes {
    /// Forecasts, when enabled.
    forecast: Option<ForecastPass>,
    /// Inventory figures.
    inventory: inventory::InventoryBasics,
    /// RFM scores, segments and section.
    rfm: rfm_pass::RfmPart,
    /// Label and source figures.
    labels: sources::LabelPart,
}

impl Passes {
    fn run(
        files: &[&IngestedFile],
        pop: &Population<'_>,
        opts: &AnalysisOptions,
        holdout_from: Option<i32>,
    ) -> Passes {
        let as_of = pop.as_of;
        let members = &pop.members;
        let ((forecast, inventory), (rfm, labels)) = par::join(
            || {
                par::join(
                    || {
                        opts.forecast
                            .enabled
                            .then(|| forecast_bridge::run(pop, &opts.forecast, holdout_from))
                    },
                    || inventory::basics(members, as_of, opts.return_period_days as i32),
                )
            },
            || {
                par::join(
                    || rfm_pass::run(members, as_of, opts),
                    || sources::run(files, pop, as_of),
                )
            },
        );
        Passes {
            forecast,
            inventory,
            rfm,
            labels,
        }
    }
}

/// Runs every analysis on the ingested files, with the shipped tag scheme and playbook.
pub fn run(ingested: &[&Ingested], opts: &AnalysisOptions) -> Result<Analysis, Error> {
    run_with(
        ingested,
        opts,
        &Catalogue::default_catalogue(),
        &Playbook::default_playbook(),
    )
}

/// Runs every analysis on the ingested files; the tags and audiences are those of `scheme`,
/// the action plan that of `playbook`.
/// The most money, in cents, all inputs together may hold (amounts, refunds, returns and
/// summary totals, each counted positive): every sum the analysis makes is a sum of some of
/// them, so none can wrap. About ¥46 thousand trillion: far beyond any business, reached only
/// by a corrupted or crafted file.
pub const MAX_TOTAL_CENTS: i128 = (i64::MAX / 2) as i128;

/// Adds up every amount of every file (as i128, which cannot wrap here) and refuses inputs
/// beyond [`MAX_TOTAL_CENTS`].
fn check_money_bound(files: &[&IngestedFile]) -> Result<(), Error> {
    let mut total: i128 = 0;
    for f in files {
        match &f.data {
            FileData::Orders(o) => {
                for ord in &o.orders {
                    total +=
                        i128::from(ord.amount_cents).abs() + i128::from(ord.refund_cents).abs();
                }
                for r in &o.returns {
                    total += i128::from(r.cents).abs();
                }
            }
            FileData::Members(m) => {
                for s in m.iter().filter_map(|r| r.summary.as_ref()) {
                    total += i128::from(s.total_spend_cents).abs();
                }
            }
        }
    }
    if total > MAX_TOTAL_CENTS {
        return Err(Error::MoneyBeyondBound {
            total_yuan: (total / 100) as f64,
        });
    }
    Ok(())
}

pub fn run_with(
    ingested: &[&Ingested],
    opts: &AnalysisOptions,
    scheme: &Catalogue,
    playbook: &Playbook,
) -> Result<Analysis, Error> {
    run_in_steps(ingested, opts, scheme, playbook, &mut |_| {})
}

/// As [`run_with`], handing `results` the report without its tags, audiences, action plan and
/// growth (those keys hold empty placeholders) as soon as the rest exists: the files,
/// inventory, RFM, dormancy tiers, lifecycle, repurchase, sources and forecasts. The page
/// draws them while the rest is computed; the report returned is the whole one.
pub fn run_in_steps(
    ingested: &[&Ingested],
    opts: &AnalysisOptions,
    scheme: &Catalogue,
    playbook: &Playbook,
    results: &mut dyn FnMut(&Report),
) -> Result<Analysis, Error> {
    opts.validate()?;
    let files: Vec<&IngestedFile> = ingested.iter().map(|f| &f.output).collect();
    let files = files.as_slice();
    check_money_bound(files)?;
    let (as_of, as_of_source, left_out) = opts.as_of(files)?;
    let holdout_from = opts.holdout_from(as_of)?;
    let compare = opts.compare_date(as_of)?;
    let mut all_purchases = Vec::new();
    let mut pop = crate::link::build(files, as_of, &mut all_purchases);
    let Passes {
        forecast,
        inventory: inv,
        rfm,
        labels,
    } = Passes::run(files, &pop, opts, holdout_from);

    let mut notices = Vec::new();
    let (forecast, fc_cols) = match forecast {
        Some(Ok((section, cols))) => {
            notices.extend(forecast_bridge::notices(&section));
            (Some(section), cols)
        }
        Some(Err(e)) => {
            notices.push(Notice {
                message_en: format!("Forecasts were not computed: {e}."),
                message_zh: format!("未计算预测：{}。", e.message_zh()),
                code: NoticeCode::ForecastNotComputed {
                    reason: e.to_string(),
                },
            });
            (None, Vec::new())
        }
        None => (None, Vec::new()),
    };
    let files_section = file_reports(files, &pop);
    let first_purchases: Vec<i64> = pop
        .members
        .iter()
        .filter_map(|m| m.purchases.first().map(|p| p.net_cents))
        .collect();
    let mean_first_purchase_value = if first_purchases.is_empty() {
        0.0
    } else {
        stats::money(first_purchases.iter().sum::<i64>()) / first_purchases.len() as f64
    };
    let inventory = inventory::section(&inv, labels.labels, &pop.counts, pop.members.len());
    let thresholds_now = dormancy::thresholds(opts.dormancy_mode, inv.median_gap);
    if let Some(latest) = left_out.first() {
        let (n, latest, day) = (
            left_out.len(),
            Day(*latest).to_string(),
            Day(as_of).to_string(),
        );
        notices.push(Notice {
            message_en: format!(
                "{n} purchase(s) dated more than a year after all the others (latest {latest}) look like typos: the as-of date is {day}, and they are counted as after it."
            ),
            message_zh: format!(
                "有 {n} 笔消费的日期比其他所有消费晚一年以上（最晚 {latest}），应是录入错误：分析基准日取 {day}，这些消费计为基准日之后。"
            ),
            code: NoticeCode::FutureDatesLeftOut { count: n, latest },
        });
    }

    let inputs = pack::PackInputs {
        as_of,
        thresholds: thresholds_now,
        stage_rule: StageRule {
            growth_f: opts.growth_f,
            maturity_f: opts.maturity_f,
        },
        median_gap: inv.median_gap,
        due_window_days: opts.due_window_days as i32,
        scores: &rfm.scores,
        segs: &rfm.segs,
        tens: &rfm.tens,
        ten_names: rfm
            .ten_names
            .iter()
            .map(|(n, _)| Arc::from(n.as_str()))
            .collect(),
        fc_cols: &fc_cols,
    };
    let counted = pack::sections(&pop, &inputs, opts.dormancy_mode);
    let mut report = report::assemble(Sections {
        as_of: Day(as_of),
        as_of_source,
        settings: opts.settings(),
        files: files_section,
        inventory,
        rfm: rfm.report,
        dormancy: counted.dormancy,
        lifecycle: counted.lifecycle,
        repurchase: counted.repurchase,
        sources: labels.sources,
        source_overlap: labels.source_overlap,
        forecast,
        tags: Default::default(),
        audiences: Vec::new(),
        action_plan: Default::default(),
        growth: Default::default(),
        notices,
        warnings: ingested
            .iter()
            .flat_map(|f| f.warnings.iter().cloned())
            .collect(),
    });
    results(&report);

    // The member table: the members' records move into its rows (growth reads what it needs
    // of them first), their purchases stay for the growth passes.
    let records = crate::growth::FromRecords::of(&pop);
    let mut members = pack::pack(&mut pop, &inputs);
    let (growth, moved) = crate::growth::run(
        &pop,
        &crate::growth::GrowthInputs {
            records: &records,
            movement: crate::growth::MovementInputs {
                compare,
                window: opts.rfm_window_days,
                scoring: &opts.rfm_scoring,
                dormancy_mode: opts.dormancy_mode,
                segs_now: &rfm.segs,
                thresholds_now,
            },
            inventory: &report.inventory,
            mean_first_purchase_value,
            forecasts: &fc_cols,
            target: opts.target.as_ref(),
        },
    );
    drop(pop);
    members.set_then(&moved);
    if growth.movement.is_none() {
        let date = Day(compare).to_string();
        report.sections.notices.push(Notice {
            message_en: format!(
                "Nobody had bought by the comparison date {date}: there is no segment movement to show."
            ),
            message_zh: format!("对比日 {date} 之前没有任何消费，无法计算分群迁移。"),
            code: NoticeCode::NoBuyersAtCompareDate { date },
        });
    }
    report.sections.growth = growth;
    // Over the member table: the scheme's tags and audiences, then the playbook.
    let tagged = tags::pass(&members, scheme.clone());
    let plan_inputs = PlanInputs {
        as_of,
        thresholds: report.dormancy.thresholds,
        mean_first_purchase_value,
    };
    report.sections.action_plan = strategy::plan(playbook, &members, &tagged.tags, &plan_inputs);
    report.sections.tags = tagged.report;
    report.sections.audiences = tagged.audiences;
    Ok(Analysis {
        report,
        members,
        tags: tagged.tags,
        plan_inputs,
    })
}

/// Puts another scheme's tags (made for this analysis's member table) and its audiences in
/// the analysis, and applies the playbook again (its rules may name tags).
pub fn retag(analysis: &mut Analysis, made: Tags, playbook: &Playbook) {
    let tagged = tags::counted(&analysis.members, made);
    analysis.report.sections.tags = tagged.report;
    analysis.report.sections.audiences = tagged.audiences;
    analysis.tags = tagged.tags;
    // Plays that name no tag select the same members under any scheme.
    let names_tags = playbook.plays.iter().any(|p| {
        crate::tags::Rule::compile(&p.rule, &analysis.tags).map_or(true, |r| r.uses_tags())
    });
    if names_tags {
        replan(analysis, playbook);
    }
}

/// Applies another playbook to an analysis.
pub fn replan(analysis: &mut Analysis, playbook: &Playbook) {
    analysis.report.sections.action_plan = strategy::plan(
        playbook,
        &analysis.members,
        &analysis.tags,
        &analysis.plan_inputs,
    );
}

/// Each file's accounting: `rows = accepted + duplicate_rows + rejected_rows`.
fn file_reports(files: &[&IngestedFile], pop: &Population<'_>) -> Vec<FileReport> {
    files
        .iter()
        .enumerate()
        .map(|(fi, f)| FileReport {
            name: f.summary.name.clone(),
            kind: f.summary.kind.key(),
            encoding: f.summary.encoding.clone(),
            rows: f.summary.rows,
            accepted: f.summary.accepted,
            duplicate_rows: f.summary.duplicate_rows,
            rejected_rows: f.summary.rejected_rows,
            after_as_of_rows: pop.counts.after_as_of_rows[fi],
            return_rows: pop.counts.return_rows_by_file[fi],
            columns: OrderedMap(
                f.summary
                    .columns
                    .iter()
                    .map(|c| (c.header.clone(), c.role.map(|r| r.key())))
                    .collect(),
            ),
            reject_reasons: f.summary.reject_reasons.clone(),
            source_label: pop.is_source[fi].then(|| f.summary.source_label.clone()),
        })
        .collect()
}
