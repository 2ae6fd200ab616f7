//! Typed reading of a members table or a member-summary table.

use std::sync::Arc;

use super::rows::{ColumnIndex, RowLog};
use super::table::RawRow;
use super::values::{self, DateError};
use crate::error::{Error, WarningCode};
use crate::ingest::{Role, TableKind};
use crate::model::{MemberRecord, SummaryTotals};

/// Accumulates member rows.
pub(crate) struct MemberReader<'c> {
    cols: &'c ColumnIndex,
    tz: values::Dates,
    summary: bool,
    /// Columns no role reads, kept on each record under their header (for custom tags).
    extra_cols: Vec<(usize, Arc<str>)>,
    out: Vec<MemberRecord>,
}

fn text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl<'c> MemberReader<'c> {
    pub(crate) fn new(
        file: &str,
        cols: &'c ColumnIndex,
        tz: values::Dates,
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
            extra_cols: cols
                .unused()
                .into_iter()
                .map(|(i, h)| (i, Arc::from(h)))
                .collect(),
            out: Vec::new(),
        })
    }

    fn optional_date(&self, r: &RawRow<'_, '_>, role: Role, log: &mut RowLog) -> Option<i32> {
        let cell = self.cols.cell(&r.fields, role);
        match self.tz.parse(cell) {
            Ok(d) => Some(d),
            Err(DateError::Empty) => None,
            Err(_) => {
                log.field_ignored(
                    r.line,
                    self.cols.header(role),
                    WarningCode::DateIgnored {
                        value: cell.to_string(),
                    },
                );
                None
            }
        }
    }

    fn optional_flag(&self, r: &RawRow<'_, '_>, role: Role, log: &mut RowLog) -> Option<bool> {
        let cell = self.cols.cell(&r.fields, role);
        let flag = values::parse_flag(cell);
        if flag.is_none() && !cell.is_empty() {
            log.field_ignored(
                r.line,
                self.cols.header(role),
                WarningCode::FlagIgnored {
                    value: cell.to_string(),
                },
            );
        }
        flag
    }

    /// Distinct purchase days (消费天数): a whole number from 1 to the purchase count; any other
    /// value is ignored with a warning (the row still gives RFM, tiers and lifecycle).
    fn purchase_days(&self, r: &RawRow<'_, '_>, orders: u32, log: &mut RowLog) -> Option<u32> {
        let cell = self.cols.cell(&r.fields, Role::PurchaseDays);
        if cell.is_empty() {
            return None;
        }
        match cell.replace(',', "").parse::<f64>() {
            Ok(v) if v >= 1.0 && v.fract() == 0.0 && v <= f64::from(orders) => Some(v as u32),
            _ => {
                log.field_ignored(
                    r.line,
                    self.cols.header(Role::PurchaseDays),
                    WarningCode::BadPurchaseCount {
                        value: cell.to_string(),
                    },
                );
                None
            }
        }
    }

    /// An optional amount in cents; an unreadable one is ignored with a warning.
    fn optional_amount(&self, r: &RawRow<'_, '_>, role: Role, log: &mut RowLog) -> Option<i64> {
        let cell = self.cols.cell(&r.fields, role);
        match values::parse_amount(cell) {
            Ok((c, _)) => Some(c),
            Err(values::AmountError::Empty) => None,
            Err(_) => {
                log.field_ignored(
                    r.line,
                    self.cols.header(role),
                    WarningCode::BadAmount {
                        value: cell.to_string(),
                    },
                );
                None
            }
        }
    }

    /// Reads one row; counts it as accepted or rejected in `log`.
    pub(crate) fn row(&mut self, r: &RawRow<'_, '_>, log: &mut RowLog) {
        let keys = super::rows::read_keys(self.cols, r, log);
        if keys.is_empty() {
            log.reject(r.line, None, WarningCode::NoMemberKey);
            return;
        }
        let summary = if self.summary {
            let spend_cell = self.cols.cell(&r.fields, Role::TotalSpend);
            let spend = match values::parse_amount(spend_cell) {
                Ok((c, _)) => c,
                Err(values::AmountError::Empty) => 0,
                Err(e) => {
                    let value = spend_cell.to_string();
                    log.reject(
                        r.line,
                        Some(self.cols.header(Role::TotalSpend)),
                        if e == values::AmountError::TooLarge {
                            WarningCode::AmountTooLarge { value }
                        } else {
                            WarningCode::BadAmount { value }
                        },
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
                        WarningCode::BadPurchaseCount {
                            value: orders_cell.to_string(),
                        },
                    );
                    return;
                }
            };
            let last_cell = self.cols.cell(&r.fields, Role::LastPurchase);
            match self.tz.parse(last_cell) {
                Ok(last_day) => Some(SummaryTotals {
                    total_spend_cents: spend,
                    total_orders: orders.max(1),
                    first_day: self.optional_date(r, Role::FirstPurchase, log),
                    last_day,
                    purchase_days: self.purchase_days(r, orders.max(1), log),
                    repeat_spend_cents: self.optional_amount(r, Role::RepeatSpend, log),
                }),
                Err(DateError::Empty) if orders == 0 => None,
                Err(_) => {
                    log.reject(
                        r.line,
                        Some(self.cols.header(Role::LastPurchase)),
                        WarningCode::BadLastPurchaseDate {
                            value: last_cell.to_string(),
                        },
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
            follower: self.optional_flag(r, Role::Follower, log),
            summary,
            extra: self
                .extra_cols
                .iter()
                .filter_map(|(i, h)| {
                    let v = r.fields.get(*i).map(super::values::trim).unwrap_or("");
                    text(v).map(|v| (h.clone(), v))
                })
                .collect(),
        };
        self.out.push(rec);
    }

    pub(crate) fn finish(self) -> Vec<MemberRecord> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::{ingest, FileData, FileOptions};

    #[test]
    fn columns_no_role_reads_are_kept_by_header() {
        let csv = "会员卡号,手机号,会员来源,备注,手机\nC1,13800000001,直播间,,13900000000\nC2,13800000002, 门店 ,VIP,\n";
        let f = ingest("members.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
        let FileData::Members(ms) = &f.data else {
            panic!("read as {:?}", f.summary.kind)
        };
        let extra = |i: usize| -> Vec<(String, String)> {
            ms[i]
                .extra
                .iter()
                .map(|(h, v)| (h.to_string(), v.clone()))
                .collect()
        };
        // The second phone column is not read by the phone role: it is kept too.
        assert_eq!(
            extra(0),
            [
                ("会员来源".to_string(), "直播间".to_string()),
                ("手机".to_string(), "13900000000".to_string())
            ]
        );
        assert_eq!(
            extra(1),
            [
                ("会员来源".to_string(), "门店".to_string()),
                ("备注".to_string(), "VIP".to_string())
            ]
        );
    }
}
