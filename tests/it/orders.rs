//! Turning rows into orders (订单归一, domain.md §2): item lines, order-level amounts, returns,
//! guest orders, non-purchases.

use memberlens::{AnalysisOptions, Analyzer, Error, FileOptions};

use crate::support::analyze_csv;

#[test]
fn item_lines_collapse_without_double_counting() {
    // Youzan style: the order amount repeats on each item line; refunds too.
    let csv = "订单号,订单状态,下单时间,买家手机号,商品名称,订单实付金额,退款金额\nA,交易成功,2024-01-01 10:00,13800000001,x,100.00,0\nA,交易成功,2024-01-01 10:00,13800000001,y,100.00,0\nB,部分退款,2024-02-01 10:00,13800000001,x,80.00,30.00\nB,部分退款,2024-02-01 10:00,13800000001,z,80.00,30.00\nC,交易关闭,2024-03-01 10:00,13800000001,x,50,0\nD,交易成功,2024-03-02 10:00,,x,40,0\n";
    let r = analyze_csv(csv).report;
    assert_eq!(r.inventory.purchase_orders, 2);
    assert!((r.inventory.revenue - 150.0).abs() < 1e-9);
    assert_eq!(r.inventory.guest_orders, 1);
    assert!((r.inventory.guest_revenue - 40.0).abs() < 1e-9);
    assert_eq!(
        r.as_of.to_string(),
        "2024-03-02",
        "as-of is the latest purchase, guests included"
    );
}

#[test]
fn item_amounts_are_summed_when_no_order_amount() {
    let csv = "订单号,下单时间,手机号,商品金额\nA,2024-01-01,13800000001,10\nA,2024-01-01,13800000001,15.5\n";
    let r = analyze_csv(csv).report;
    assert_eq!(r.inventory.purchase_orders, 1);
    assert!((r.inventory.revenue - 25.5).abs() < 1e-9);
}

#[test]
fn returns_lower_spend_but_not_frequency_or_recency() {
    let csv = "小票号,会员卡号,销售日期,销售金额\nR1,V1,20240101,100\nR2,V1,20240201,50\nR3,V1,20240301,-30\n";
    let a = analyze_csv(csv);
    let r = &a.report;
    assert_eq!(r.inventory.purchase_orders, 2);
    assert_eq!(r.as_of.to_string(), "2024-02-01");
    assert!(
        (r.inventory.revenue - 150.0).abs() < 1e-9,
        "the return is after as-of"
    );
    assert_eq!(
        r.files[0].after_as_of_rows, 1,
        "the return is dated after the last purchase"
    );
    let mut a2 = Analyzer::new();
    a2.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    let r2 = a2
        .analyze(&AnalysisOptions {
            as_of: Some("2024-03-31".into()),
            ..Default::default()
        })
        .unwrap();
    let m = r2.members.view(0);
    assert_eq!(m.frequency(), 2);
    assert!((m.monetary() - 120.0).abs() < 1e-9);
    assert_eq!(m.recency_days(), Some(59));
}

#[test]
fn no_purchase_at_all_is_an_error() {
    let mut a = Analyzer::new();
    a.add_file(
        "t.csv",
        "订单号,订单状态,下单时间,手机号,实付金额\n1,交易关闭,2024-01-01,13800000001,10\n"
            .as_bytes()
            .to_vec(),
        FileOptions::default(),
    )
    .unwrap();
    assert!(matches!(
        a.analyze(&AnalysisOptions::default()),
        Err(Error::NoPurchases)
    ));
}
