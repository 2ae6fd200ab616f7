//! The member table: one row per member, packed, with one column descriptor table that drives
//! cells, sorting, filtering, export and the page's column list.
//!
//! The analysis packs members with [`MemberTable::push`]; everything else reads them through
//! [`MemberView`] (a borrowed member) and [`COLUMNS`].

mod columns;
mod query;
mod store;
mod view;

pub use crate::model::ForecastValues;
pub use columns::{column, Column, ColumnKind, MemberRow, Value, COLUMNS};
pub use query::{page, select, MemberQuery};
pub use store::{MemberTable, NewMember};
pub use view::MemberView;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MemberRecord;
    use std::sync::Arc;

    #[test]
    fn a_packed_member_stays_small() {
        assert_eq!(std::mem::size_of::<store::Packed>(), 112);
    }

    fn full() -> NewMember<'static> {
        NewMember {
            ids: [Some("VIP-1"), Some("13800000000"), None, Some("张三")],
            record: Some(Box::new(MemberRecord {
                tier: Some("金卡".into()),
                registered: Some(18000),
                reg_channel: Some("小程序".repeat(60)),
                gender: Some("女".into()),
                birthday: Some(8000),
                guide: Some("王导购".into()),
                ..Default::default()
            })),
            sources: Arc::from(vec!["online.csv".to_string(), "pos.csv".to_string()]),
            first_purchase: Some(18100),
            last_purchase: Some(19000),
            recency_days: Some(12),
            frequency: 7,
            monetary: 1234.5,
            scores: Some([5, 4, 3]),
            segment: Some("important_value"),
            segment_ten: Some(Arc::from("Champions")),
            dormancy: "active",
            lifecycle: "maturity",
            personal_cycle_days: Some(30.5),
            expected_next_purchase: Some(19030),
            repurchase_status: Some("due"),
            forecast: Some(ForecastValues {
                p_alive: 0.9,
                expected_purchases_30d: 0.5,
                expected_purchases_90d: 1.5,
                expected_purchases_365d: 6.0,
                expected_spend: 150.0,
                clv: 800.0,
                churn_risk: 0.1,
            }),
            churn_band: Some("low"),
            preferred: [Some("静安店"), None, Some("护肤")],
            first: [Some("online.csv"), Some("小程序"), None],
            refund_rate: Some(0.25),
            spend_12m: 321.5,
        }
    }

    /// `full()`'s state at the comparison date.
    const FULL_THEN: Option<[&str; 3]> = Some(["important_keep", "silent", "up"]);

    fn bare() -> NewMember<'static> {
        NewMember {
            dormancy: "never_bought",
            lifecycle: "introduction",
            ..Default::default()
        }
    }

    /// Every column's value, as text, of every member.
    fn cells(t: &MemberTable) -> Vec<Vec<String>> {
        t.iter()
            .map(|v| {
                COLUMNS
                    .iter()
                    .map(|c| format!("{:?}", (c.get)(&v)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_member_comes_back_as_it_went_in() {
        let mut t = MemberTable::with_capacity(3, 19012);
        t.push(bare());
        t.push(full());
        t.push(bare());
        t.set_then(&[None, FULL_THEN, None]);
        assert_eq!(t.len(), 3);
        let v = t.view(1);
        assert_eq!(v.member_id(), Some("VIP-1"));
        assert_eq!(v.phone(), Some("13800000000"));
        assert_eq!(v.email(), None);
        assert_eq!(v.name(), Some("张三"));
        assert_eq!(v.tier(), Some("金卡"));
        assert_eq!(v.guide(), Some("王导购"));
        assert_eq!(v.registered_at(), Some(18000));
        assert_eq!(v.recency_days(), Some(12));
        assert_eq!(v.scores(), Some([5, 4, 3]));
        assert_eq!(v.segment(), Some("important_value"));
        assert_eq!(v.segment_ten(), Some("Champions"));
        assert_eq!(
            (v.segment_then(), v.dormancy_then(), v.movement()),
            (Some("important_keep"), Some("silent"), Some("up"))
        );
        assert_eq!(v.dormancy(), "active");
        assert_eq!(v.forecast().map(|f| f.clv), Some(800.0));
        assert_eq!(v.churn_band(), Some("low"));
        assert_eq!(v.preferred_store(), Some("静安店"));
        assert_eq!(v.preferred_channel(), None);
        assert_eq!(v.favourite_category(), Some("护肤"));
        assert_eq!(v.first_source(), Some("online.csv"));
        assert_eq!(v.first_channel(), Some("小程序"));
        assert_eq!(v.first_store(), None);
        assert_eq!(v.refund_rate(), Some(0.25));
        assert_eq!(v.days_since_first(), Some(19012 - 18100));
        assert_eq!(v.sources(), ["online.csv", "pos.csv"]);
        assert!(v.in_member_file());
        let b = t.view(0);
        assert_eq!(b.member_id(), None);
        assert_eq!(b.scores(), None);
        assert_eq!(b.forecast(), None);
        assert_eq!(b.dormancy(), "never_bought");
        assert!(!b.in_member_file());
        assert_eq!(b.refund_rate(), None);
        assert_eq!(b.first_source(), None);
        assert_eq!(
            t.forecasts.len(),
            3,
            "forecast columns start at the first forecast"
        );
        let mut no_fc = MemberTable::default();
        no_fc.push(bare());
        assert!(no_fc.forecasts.is_empty());
        assert_eq!(no_fc.view(0).forecast(), None);
    }

    #[test]
    fn tables_built_apart_and_joined_equal_one_built_in_one_go() {
        // Whichever half holds the forecasts, the codes and the source lists.
        let other = || NewMember {
            sources: Arc::from(vec!["pos.csv".to_string()]),
            segment: Some("general_retain"),
            segment_ten: Some(Arc::from("Lost")),
            dormancy: "dormant",
            lifecycle: "churn",
            repurchase_status: Some("long_overdue"),
            ..bare()
        };
        let rows = || vec![bare(), other(), full(), other(), bare()];
        let thens = [None, None, FULL_THEN, None, None];
        for split in 0..=5 {
            let mut whole = MemberTable::default();
            rows().into_iter().for_each(|r| whole.push(r));
            whole.set_then(&thens);
            let (mut a, mut b) = (MemberTable::default(), MemberTable::default());
            for (i, r) in rows().into_iter().enumerate() {
                if i < split {
                    a.push(r)
                } else {
                    b.push(r)
                }
            }
            a.set_then(&thens[..split]);
            b.set_then(&thens[split..]);
            a.append(b);
            assert_eq!(a.len(), whole.len());
            assert_eq!(cells(&a), cells(&whole), "split {split}");
            assert_eq!(a.forecasts.len(), whole.forecasts.len(), "split {split}");
        }
    }
}
