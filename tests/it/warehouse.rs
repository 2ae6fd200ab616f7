//! The warehouse hand-off (issue 15, item 6; docs/warehouse.md): a member-summary table
//! (会员汇总) made from an order log gives every member the same RFM values, scores, segment,
//! dormancy tier and lifecycle stage as the order log itself, and its 消费天数 / 复购消费金额
//! columns give the forecasts' per-member input (lifetimes' conventions) as the purchases do.
//!
//! The summary is computed here plainly from the generated orders, independently of the
//! engine (and of docs/warehouse/duckdb/member_summary.sql, which www/tests/warehouse.test.mjs checks on
//! the shared fixtures).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use memberlens::analysis::forecast::{summarize, TimeUnit};
use memberlens::ingest::FileData;
use memberlens::model::day::civil_from_days;
use memberlens::{ingest, AnalysisOptions, Analyzer, FileOptions, WarningCode};

use crate::support::exported_rows;

fn date(day: i32) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// One generated order: its item lines repeat the order-level amount and refund.
struct GenOrder {
    id: String,
    phone: Option<String>,
    day: i32,
    status: &'static str,
    amount: i64,
    refund: i64,
    lines: usize,
}

/// A return row: member phone (or a guest), day, negative cents.
type ReturnRow = (Option<String>, i32, i64);

/// A deterministic order log: 80 members over two years, with item lines, closed and unpaid
/// orders, partial and full refunds, return rows and guest orders.
fn generate() -> (String, Vec<GenOrder>, Vec<ReturnRow>) {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rnd = |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n
    };
    let start = memberlens::model::day::days_from_civil(2022, 1, 1);
    let mut orders = Vec::new();
    let mut returns = Vec::new();
    for i in 0..700 {
        let member = rnd(80);
        let phone = (rnd(25) != 0).then(|| format!("139{:08}", member * 7919 % 100_000_000));
        let status = match rnd(12) {
            0 => "交易关闭",
            1 => "待付款",
            2 => "部分退款",
            3 => "已退款",
            _ => "交易成功",
        };
        let amount = 500 + rnd(60_000) as i64;
        let refund = match status {
            "部分退款" => amount / 3,
            "已退款" => amount,
            _ if rnd(40) == 0 => amount, // refunded in full under a paid status: net 0
            _ => 0,
        };
        // A member's orders cluster on some days, so distinct days < orders for many.
        let day = start + (member as i32 * 7 + rnd(90) as i32 * 8) % 730;
        orders.push(GenOrder {
            id: format!("E{i:06}"),
            phone,
            day,
            status,
            amount,
            refund,
            lines: 1 + rnd(3) as usize,
        });
        if rnd(15) == 0 {
            let phone = format!("139{:08}", rnd(80) * 7919 % 100_000_000);
            returns.push((
                Some(phone),
                start + rnd(730) as i32,
                -(100 + rnd(20_000) as i64),
            ));
        }
    }
    let mut csv = String::from("订单号,订单状态,下单时间,手机号,商品名称,订单实付金额,退款金额\n");
    for o in &orders {
        for l in 0..o.lines {
            writeln!(
                csv,
                "{},{},{} 10:{:02}:00,{},商品{l},{},{}",
                o.id,
                o.status,
                date(o.day),
                l,
                o.phone.as_deref().unwrap_or(""),
                money(o.amount),
                money(o.refund)
            )
            .unwrap();
        }
    }
    for (k, (phone, day, cents)) in returns.iter().enumerate() {
        writeln!(
            csv,
            "R{k:05},交易成功,{} 12:00:00,{},退货,{},0.00",
            date(*day),
            phone.as_deref().unwrap_or(""),
            money(*cents)
        )
        .unwrap();
    }
    (csv, orders, returns)
}

/// Per member (phone): purchases as (day, net cents), and returns up to as-of.
struct Plain {
    as_of: i32,
    purchases: BTreeMap<String, Vec<(i32, i64)>>,
    returns: HashMap<String, i64>,
}

fn plain(orders: &[GenOrder], returns: &[ReturnRow]) -> Plain {
    let mut purchases: BTreeMap<String, Vec<(i32, i64)>> = BTreeMap::new();
    for o in orders {
        let net = o.amount - o.refund;
        let closed = matches!(o.status, "交易关闭" | "待付款" | "已退款");
        if let (Some(p), false, true) = (&o.phone, closed, net > 0) {
            purchases.entry(p.clone()).or_default().push((o.day, net));
        }
    }
    let as_of = purchases.values().flatten().map(|p| p.0).max().unwrap();
    let mut ret = HashMap::new();
    for (phone, day, cents) in returns {
        if let (Some(p), true) = (phone, *day <= as_of) {
            *ret.entry(p.clone()).or_insert(0) += cents;
        }
    }
    Plain {
        as_of,
        purchases,
        returns: ret,
    }
}

/// The member-summary CSV of the plain computation, with the headers a Chinese warehouse
/// export would have.
fn summary_csv(p: &Plain) -> String {
    let mut out = String::from(
        "手机号,累计消费金额,累计消费次数,首次消费时间,最近消费时间,消费天数,复购消费金额\n",
    );
    for (phone, ps) in &p.purchases {
        let first = ps.iter().map(|x| x.0).min().unwrap();
        let last = ps.iter().map(|x| x.0).max().unwrap();
        let mut days: Vec<i32> = ps.iter().map(|x| x.0).collect();
        days.sort_unstable();
        days.dedup();
        let total: i64 = ps.iter().map(|x| x.1).sum::<i64>() + p.returns.get(phone).unwrap_or(&0);
        let repeat: i64 = ps.iter().filter(|x| x.0 > first).map(|x| x.1).sum();
        writeln!(
            out,
            "{phone},{},{},{},{},{},{}",
            money(total),
            ps.len(),
            date(first),
            date(last),
            days.len(),
            money(repeat)
        )
        .unwrap();
    }
    out
}

fn member_rows(name: &str, csv: &str) -> (String, HashMap<String, HashMap<String, String>>) {
    let mut a = Analyzer::new();
    a.add_file(name, csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = false;
    let analysis = a.analyze(&opts).unwrap();
    let as_of = analysis.report.as_of.to_string();
    let rows = exported_rows(analysis)
        .into_iter()
        .filter(|r| !r["phone"].is_empty())
        .map(|r| (r["phone"].clone(), r))
        .collect();
    (as_of, rows)
}

#[test]
fn summary_gives_every_member_the_segment_and_tier_of_the_order_log() {
    let (orders_csv, orders, returns) = generate();
    let p = plain(&orders, &returns);
    let summary = summary_csv(&p);
    let (as_of_orders, from_orders) = member_rows("orders.csv", &orders_csv);
    let (as_of_summary, from_summary) = member_rows("summary.csv", &summary);
    assert_eq!(as_of_orders, date(p.as_of));
    assert_eq!(as_of_summary, as_of_orders);
    let buyers: Vec<&String> = from_orders
        .iter()
        .filter(|(_, r)| !r["segment"].is_empty())
        .map(|(k, _)| k)
        .collect();
    assert_eq!(buyers.len(), p.purchases.len(), "buyers of the order log");
    assert!(buyers.len() > 60, "{} buyers", buyers.len());
    let mut segments = std::collections::BTreeSet::new();
    for phone in buyers {
        let (a, b) = (&from_orders[phone], &from_summary[phone]);
        for col in [
            "recency_days",
            "frequency",
            "monetary",
            "r_score",
            "f_score",
            "m_score",
            "segment",
            "dormancy",
            "lifecycle",
            "first_purchase",
            "last_purchase",
        ] {
            assert_eq!(a[col], b[col], "{phone}: {col}");
        }
        segments.insert(a["segment"].clone());
    }
    assert!(segments.len() >= 6, "segments reached: {segments:?}");
}

#[test]
fn summary_days_and_repeat_spend_give_the_forecast_input_of_the_purchases() {
    let (_, orders, returns) = generate();
    let p = plain(&orders, &returns);
    let summary = summary_csv(&p);
    let f = ingest("summary.csv", summary.as_bytes(), &FileOptions::default()).unwrap();
    let FileData::Members(records) = &f.data else {
        panic!("read as {:?}", f.summary.kind)
    };
    assert_eq!(records.len(), p.purchases.len());
    let mut repeaters = 0;
    for rec in records {
        let phone = rec.keys.phone.as_deref().unwrap();
        let history: Vec<(i32, f64)> = p.purchases[phone]
            .iter()
            .map(|&(d, c)| (d, c as f64 / 100.0))
            .collect();
        let want = summarize(&history, p.as_of, TimeUnit::Day).unwrap();
        let got = rec.summary.unwrap().forecast_input(p.as_of).unwrap();
        assert_eq!(f64::from(got.frequency), want.frequency, "{phone}");
        assert_eq!(f64::from(got.recency_days), want.recency, "{phone}");
        assert_eq!(f64::from(got.t_days), want.t, "{phone}");
        assert!(
            (got.mean_repeat_spend - want.monetary_value).abs() < 1e-9,
            "{phone}: {} vs {}",
            got.mean_repeat_spend,
            want.monetary_value
        );
        repeaters += usize::from(got.frequency > 0);
    }
    assert!(repeaters > 30, "{repeaters} repeat buyers");
}

#[test]
fn a_bad_purchase_day_count_is_ignored_with_a_warning_and_the_row_kept() {
    let csv = "member_id,total_spend,total_orders,first_purchase,last_purchase,purchase_days,repeat_spend\n\
               A,100.00,2,2024-01-01,2024-02-01,3,50.00\n\
               B,80.00,2,2024-01-05,2024-03-01,two,¥40.00\n\
               C,30.00,1,2024-01-09,2024-01-09,1,\n";
    let f = ingest("s.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    let FileData::Members(records) = &f.data else {
        panic!("read as {:?}", f.summary.kind)
    };
    assert_eq!(records.len(), 3, "every row kept");
    let s: Vec<_> = records.iter().map(|r| r.summary.unwrap()).collect();
    // more distinct days than purchases, and a word: both ignored
    assert_eq!(s[0].purchase_days, None);
    assert_eq!(s[1].purchase_days, None);
    assert_eq!(s[1].repeat_spend_cents, Some(4000));
    assert_eq!(s[2].purchase_days, Some(1));
    assert_eq!(s[2].repeat_spend_cents, None);
    let as_of = memberlens::model::day::days_from_civil(2024, 3, 1);
    assert_eq!(s[0].forecast_input(as_of), None, "no usable day count");
    let c = s[2].forecast_input(as_of).unwrap();
    assert_eq!(
        (c.frequency, c.recency_days, c.mean_repeat_spend),
        (0, 0, 0.0)
    );
    assert_eq!(
        c.t_days,
        as_of - memberlens::model::day::days_from_civil(2024, 1, 9)
    );
    let lines: Vec<(usize, bool)> = f
        .warnings
        .iter()
        .map(|w| {
            (
                w.line,
                matches!(w.code, WarningCode::BadPurchaseCount { .. }),
            )
        })
        .collect();
    assert_eq!(lines, [(2, true), (3, true)]);
    for w in &f.warnings {
        assert_eq!(w.column.as_deref(), Some("purchase_days"));
    }
}

/// Each buyer's forecast columns, and the purchase model chosen, with forecasts on.
fn forecast_rows(
    name: &str,
    csv: &str,
) -> (Option<String>, HashMap<String, HashMap<String, String>>) {
    let mut a = Analyzer::new();
    a.add_file(name, csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    let analysis = a.analyze(&AnalysisOptions::default()).unwrap();
    let chosen = analysis
        .report
        .forecast
        .as_ref()
        .and_then(|f| f.purchase_model.chosen.clone());
    let rows = exported_rows(analysis)
        .into_iter()
        .filter(|r| !r["phone"].is_empty() && !r["segment"].is_empty())
        .map(|r| (r["phone"].clone(), r))
        .collect();
    (chosen, rows)
}

/// An order log where buyers buy at their own rates and drop out (BG/NBD-like), so that the
/// fitted model gives P(alive) its range: 400 members over two years.
fn generate_with_dropout() -> Vec<GenOrder> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut unit = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let start = memberlens::model::day::days_from_civil(2022, 1, 1);
    let end = start + 730;
    let mut orders = Vec::new();
    for m in 0..400u64 {
        let phone = format!("138{:08}", m * 7919 % 100_000_000);
        let mut day = start + (unit() * 300.0) as i32;
        let gap = 5.0 + unit() * 80.0;
        let drop = 0.05 + unit() * 0.5;
        loop {
            let amount = 1_000 + (unit() * 40_000.0) as i64;
            orders.push(GenOrder {
                id: format!("D{:06}", orders.len()),
                phone: Some(phone.clone()),
                day,
                status: "交易成功",
                amount,
                refund: 0,
                lines: 1,
            });
            if unit() < drop {
                break;
            }
            day += 1 + (-gap * (1.0 - unit()).ln()) as i32;
            if day > end {
                break;
            }
        }
    }
    orders
}

#[test]
fn summary_members_get_the_forecasts_their_orders_give() {
    let orders = generate_with_dropout();
    let mut orders_csv = String::from("订单号,下单时间,手机号,实付金额\n");
    for o in &orders {
        let phone = o.phone.as_deref().unwrap_or("");
        writeln!(
            orders_csv,
            "{},{} 09:00:00,{phone},{}",
            o.id,
            date(o.day),
            money(o.amount)
        )
        .unwrap();
    }
    let p = plain(&orders, &[]);
    let summary = summary_csv(&p);
    let (model_orders, from_orders) = forecast_rows("orders.csv", &orders_csv);
    let (model_summary, from_summary) = forecast_rows("summary.csv", &summary);
    assert!(
        model_orders.is_some(),
        "a purchase model is fitted on the order log"
    );
    assert_eq!(model_summary, model_orders, "the same model is chosen");
    assert_eq!(
        from_orders.len(),
        p.purchases.len(),
        "every buyer of the log"
    );
    assert_eq!(from_summary.len(), from_orders.len());
    // Both fits see the same (frequency, recency, T, mean repeat spend) per customer, in
    // another order: the estimates agree to rounding, and the member values to the six
    // significant digits the member table keeps.
    let close = |a: &str, b: &str| {
        let (x, y): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
        (x - y).abs() <= 1e-5 * x.abs().max(y.abs()).max(1e-3)
    };
    let mut alive = Vec::new();
    for (phone, a) in &from_orders {
        let b = &from_summary[phone];
        for col in [
            "p_alive",
            "expected_purchases_30d",
            "expected_purchases_365d",
            "expected_spend",
            "clv",
        ] {
            assert!(!a[col].is_empty(), "{phone}: {col} forecast from orders");
            assert!(
                close(&a[col], &b[col]),
                "{phone}: {col} {} vs {}",
                a[col],
                b[col]
            );
        }
        assert_eq!(a["churn_band"], b["churn_band"], "{phone}: churn band");
        alive.push(a["p_alive"].parse::<f64>().unwrap());
    }
    // a model with dropout: P(alive) spans its range
    let low = alive.iter().filter(|&&x| x < 0.5).count();
    assert!(
        low > 20 && low < alive.len() - 20,
        "P(alive) below 0.5 for {low} of {}",
        alive.len()
    );
}
