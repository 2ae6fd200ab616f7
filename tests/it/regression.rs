//! Regression tests: each is named after what broke, and its doc line says how and where it
//! was fixed.

use memberlens::{ingest, AnalysisOptions, Analyzer, FileOptions};

use crate::support::{analyze, analyze_csv, truth};

/// Store and channel figures re-identified people by their bare key text, so a member id and an
/// equal-looking phone counted as one member (fixed in a28a9df).
#[test]
fn channel_figures_follow_linking_not_bare_key_text() {
    // A member id that reads like someone else's phone is a different key: two members.
    let csv = "订单号,下单时间,会员ID,手机号,实付金额,渠道\n1,2024-01-01,13800000001,,10,X\n2,2024-01-02,,13800000001,20,X\n";
    let r = analyze_csv(csv).report;
    assert_eq!(r.inventory.members_total, 2);
    let x = &r.inventory.by_channel[0];
    assert_eq!(
        (x.label.as_str(), x.members, x.buyers, x.purchase_orders),
        ("X", 2, 2, 2)
    );
}

/// The person cache skipped normalisation on a hit, so a repeat buyer's unreadable phone was
/// warned about on its first line only, and the members reader dropped an unreadable e-mail
/// without a warning (fixed in 00b1c31).
#[test]
fn every_row_with_an_unreadable_key_field_is_warned_about() {
    // The same bad phone on two rows (a repeat buyer) is reported on both lines.
    let csv =
        "订单号,下单时间,会员ID,手机号,实付金额\n1,2024-01-01,V1,n/a,10\n2,2024-01-02,V1,n/a,20\n";
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    let lines: Vec<usize> = f
        .warnings
        .iter()
        .filter(|w| w.kind().key() == "field_ignored")
        .map(|w| w.line)
        .collect();
    assert_eq!(lines, vec![2, 3]);
    assert_eq!(f.summary.accepted, 2);
    // Members tables warn about an unreadable e-mail too, instead of dropping it silently.
    let members = "会员卡号,邮箱,姓名\nV1,not-an-email,张三\n";
    let m = ingest("m.csv", members.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!(
        m.warnings
            .iter()
            .map(|w| (w.line, w.kind().key()))
            .collect::<Vec<_>>(),
        vec![(2, "field_ignored")]
    );
}

/// With an RFM window, M subtracted the returns of all history instead of the window's
/// (fixed in 5e4f9ec).
#[test]
fn windowed_monetary_counts_only_returns_in_the_window() {
    // Return of 30 long before a 90-day window: M in the window is the in-window purchase only.
    let csv = "小票号,会员卡号,销售日期,销售金额\nR1,V1,20230101,100\nR2,V1,20230105,-30\nR3,V1,20240301,50\n";
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    let all = a
        .analyze(&AnalysisOptions::default())
        .unwrap()
        .report
        .rfm
        .breakpoints
        .monetary[0];
    assert!((all - 120.0).abs() < 1e-9, "all history: 100 + 50 - 30");
    let w = a
        .analyze(&AnalysisOptions {
            rfm_window_days: Some(90),
            ..Default::default()
        })
        .unwrap()
        .report
        .rfm
        .breakpoints
        .monetary[0];
    assert!(
        (w - 50.0).abs() < 1e-9,
        "window: the 2024 purchase only, got {w}"
    );
}

/// The "forecasts were not computed" notice was built, then dropped before the report
/// (fixed in b4efb31).
#[test]
fn forecasts_that_cannot_be_computed_leave_a_notice() {
    // Buyers known only from member-summary totals: no purchase history to fit on.
    let a = analyze_csv(
        "会员卡号,手机号,累计消费金额,累计消费次数,最近消费时间\nV1,13800000000,500,3,2024-03-01\nV2,13800000001,80,1,2024-02-01\n",
    );
    assert_eq!(a.report.inventory.buyers, 2);
    assert!(a.report.forecast.is_none());
    let notice = a
        .report
        .notices
        .iter()
        .find(|n| matches!(n.code, memberlens::NoticeCode::ForecastNotComputed { .. }))
        .expect("a notice saying why there are no forecasts");
    assert!(notice.message_en.starts_with("Forecasts were not computed"));
    assert!(notice.message_zh.starts_with("未计算预测"));
}

/// Source revenue left out the members' returns, so it disagreed with the inventory revenue
/// (fixed in f34a332).
#[test]
fn source_revenue_includes_returns() {
    let a = analyze(&["pos_sales.csv"]);
    let t = &truth()["pos"];
    assert!((a.report.sources[0].revenue - t["revenue"].as_f64().unwrap()).abs() <= 0.01);
    assert_eq!(
        a.report.sources[0].buyers as u64,
        t["buyers"].as_u64().unwrap()
    );
}

/// Issue 17: a row with fewer fields than the header was read with its values shifted (the
/// amount taken from the refund column), with no warning.
#[test]
fn a_row_missing_a_delimiter_is_rejected_not_read_shifted() {
    let csv = "订单号,下单时间,手机号,买家昵称,实付金额,退款金额,备注\n\
               1,2024-01-01,13800000001,甲,100,0,\n\
               2,2024-01-02,13800000002,乙185,15\n\
               3,2024-01-03,13800000003,丙,70,0\n";
    let f =
        memberlens::ingest("t.csv", csv.as_bytes(), &memberlens::FileOptions::default()).unwrap();
    // Line 3 lost a delimiter between the nickname and the amount: rejected, with the reason.
    // Line 4 lacks only the last column, which nothing reads: kept.
    assert_eq!(
        (f.summary.rows, f.summary.accepted, f.summary.rejected_rows),
        (3, 2, 1)
    );
    let w = &f.warnings[0];
    assert_eq!(w.line, 3);
    assert_eq!(
        w.code,
        memberlens::WarningCode::TooFewFields {
            fields: 5,
            header: 7
        }
    );
    assert!(w.message_en().contains("delimiter is missing"));
    assert!(w.message_zh().contains("缺了分隔符"));
    let a = crate::support::analyze_csv(csv);
    assert!((a.report.inventory.revenue - 170.0).abs() < 1e-9);
}

/// Issue 17: amounts near 9.2e16 were accepted and their sum wrapped (revenue 9.84, a
/// negative AOV); `99999999999999999999` was accepted too.
#[test]
fn amounts_beyond_ten_billion_are_rejected_and_totals_never_wrap() {
    let csv = "订单号,下单时间,手机号,实付金额\n\
               1,2024-01-01,13800000001,92233720368547758\n\
               2,2024-01-02,13800000001,92233720368547758\n\
               3,2024-01-03,13800000002,99999999999999999999\n\
               4,2024-01-04,13800000002,120.50\n\
               5,2024-01-05,13800000003,9999999999.99\n";
    let f =
        memberlens::ingest("t.csv", csv.as_bytes(), &memberlens::FileOptions::default()).unwrap();
    assert_eq!((f.summary.accepted, f.summary.rejected_rows), (2, 3));
    for (w, line) in f.warnings.iter().zip([2, 3, 4]) {
        assert_eq!(w.line, line);
        assert!(
            matches!(
                w.code,
                memberlens::WarningCode::AmountTooLarge { .. }
                    | memberlens::WarningCode::BadAmount { .. }
            ),
            "{:?}",
            w.code
        );
    }
    assert!(matches!(
        f.warnings[0].code,
        memberlens::WarningCode::AmountTooLarge { .. }
    ));
    assert!(f.warnings[0].message_zh().contains("超过 100 亿"));
    let r = crate::support::analyze_csv(csv).report;
    assert!((r.inventory.revenue - (120.50 + 9_999_999_999.99)).abs() < 1e-3);
    assert!(r.inventory.aov > 0.0);
}

/// Issue 17: one order dated 2099-05-01 among 2024 orders became the as-of date, making every
/// member 'lost', with no warning.
#[test]
fn a_future_dated_typo_does_not_become_the_as_of_date() {
    let mut csv = String::from("订单号,下单时间,手机号,实付金额\n");
    for i in 0..300 {
        csv += &format!(
            "{i},2024-{:02}-{:02},138{:08},100\n",
            1 + i % 12,
            1 + i % 28,
            i % 120
        );
    }
    csv += "typo,2099-05-01,13800000001,100\n";
    let r = analyze_csv(&csv).report;
    assert_eq!(r.as_of.to_string(), "2024-12-28");
    assert_eq!(r.files[0].after_as_of_rows, 1);
    let n = r
        .notices
        .iter()
        .find(|n| n.message_en.contains("2099-05-01"))
        .expect("a notice names the left-out date");
    assert!(n.message_zh.contains("录入错误"));
    // Recency is measured from 2024, not 2099: nobody is lost.
    assert_eq!(r.dormancy.buyers.get("lost").copied(), Some(0));
    // A user's as-of date is taken as given, and a real latest day is kept.
    let plain = analyze_csv(&csv.replace("2099-05-01", "2025-01-20")).report;
    assert_eq!(plain.as_of.to_string(), "2025-01-20");
    assert!(plain
        .notices
        .iter()
        .all(|n| !n.message_en.contains("typos")));
}
