//! Typed reading of a members table or a member-summary table.

use super::table::RawRow;
use super::values::{self, DateError};
use super::{ColumnIndex, RowLog};
use crate::error::{Error, WarningKind};
use crate::ingest::{Role, TableKind};
use crate::model::{MemberRecord, SummaryTotals};

/// Accumulates member rows.
pub(crate) struct MemberReader<'c> {
    cols: &'c ColumnIndex,
    tz: i32,
    summary: bool,
    out: Vec<MemberRecord>,
}

fn text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl<'c> MemberReader<'c> {
    pub(crate) fn new(
        file: &str,
        cols: &'c ColumnIndex,
        tz: i32,
        kind: TableKind,
    ) -> Result<Self, Error> {
        if !cols.has(Role::MemberId) && !cols.has(Role::Phone) && !cols.has(Role::Email) {
            return Err(Error::NoMemberKey {
                file: file.to_string(),
            });
        }
        Ok(MemberReader {
            cols,
            tz,
            summary: kind == TableKind::MemberSummary,
            out: Vec::new(),
        })
    }

    fn optional_date(&self, r: &RawRow<'_, '_>, role: Role, log: &mut RowLog) -> Option<i32> {
        let cell = self.cols.cell(&r.fields, role);
        match values::parse_date(cell, self.tz) {
            Ok(d) => Some(d),
            Err(DateError::Empty) => None,
            Err(_) => {
                log.field_ignored(
                    r.line,
                    self.cols.header(role),
                    format!("cannot read the date \"{cell}\"; the member is kept without it"),
                );
                None
            }
        }
    }

    /// Reads one row; counts it as accepted or rejected in `log`.
    pub(crate) fn row(&mut self, r: &RawRow<'_, '_>, log: &mut RowLog) {
        let keys = super::read_keys(self.cols, r, log);
        if keys.is_empty() {
            log.reject(
                r.line,
                None,
                WarningKind::MissingValue,
                "the row has no member id, phone or e-mail".to_string(),
            );
            return;
        }
        let summary = if self.summary {
            let spend_cell = self.cols.cell(&r.fields, Role::TotalSpend);
            let spend = match values::parse_amount(spend_cell) {
                Ok((c, _)) => c,
                Err(values::AmountError::Empty) => 0,
                Err(_) => {
                    log.reject(
                        r.line,
                        Some(self.cols.header(Role::TotalSpend)),
                        WarningKind::BadAmount,
                        format!("cannot read the amount \"{spend_cell}\""),
                    );
                    return;
                }
            };
            let orders_cell = self.cols.cell(&r.fields, Role::TotalOrders);
            let orders: u32 = match orders_cell.replace(',', "").parse::<f64>() {
                Ok(v) if v >= 0.0 && v.fract() == 0.0 => v as u32,
                _ if orders_cell.is_empty() => u32::from(spend > 0),
                _ => {
                    log.reject(
                        r.line,
                        Some(self.cols.header(Role::TotalOrders)),
                        WarningKind::BadAmount,
                        format!("cannot read the purchase count \"{orders_cell}\""),
                    );
                    return;
                }
            };
            let last_cell = self.cols.cell(&r.fields, Role::LastPurchase);
            match values::parse_date(last_cell, self.tz) {
                Ok(last_day) => Some(SummaryTotals {
                    total_spend_cents: spend,
                    total_orders: orders.max(1),
                    first_day: self.optional_date(r, Role::FirstPurchase, log),
                    last_day,
                }),
                Err(DateError::Empty) if orders == 0 => None,
                Err(_) => {
                    log.reject(
                        r.line,
                        Some(self.cols.header(Role::LastPurchase)),
                        WarningKind::BadDate,
                        format!("cannot read the last purchase date \"{last_cell}\""),
                    );
                    return;
                }
            }
        } else {
            None
        };
        log.accepted += 1;
        let c = |role| self.cols.cell(&r.fields, role);
        let rec = MemberRecord {
            line: r.line as u32,
            keys,
            name: text(c(Role::Name)),
            gender: text(c(Role::Gender)),
            birthday: self.optional_date(r, Role::Birthday, log),
            tier: text(c(Role::Tier)),
            registered: self.optional_date(r, Role::RegisteredAt, log),
            reg_channel: text(c(Role::RegChannel)),
            store: text(c(Role::Store)),
            points: c(Role::Points)
                .replace(',', "")
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite()),
            guide: text(c(Role::Guide)),
            region: text(c(Role::Region)),
            summary,
        };
        self.out.push(rec);
    }

    pub(crate) fn finish(self) -> Vec<MemberRecord> {
        self.out
    }
}
