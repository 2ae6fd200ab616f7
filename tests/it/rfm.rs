//! RFM scoring and segments (domain.md §4) on small and degenerate populations.

use crate::support::analyze_csv;

#[test]
fn one_buyer_and_identical_buyers_do_not_break_scoring() {
    let r = analyze_csv("订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n").report;
    assert_eq!(r.inventory.buyers, 1);
    assert_eq!(
        r.rfm
            .segments
            .0
            .iter()
            .map(|(_, s)| s.members)
            .sum::<usize>(),
        1
    );
    let same = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,2024-01-01,13800000002,10\n3,2024-01-01,13800000003,10\n";
    let r = analyze_csv(same).report;
    assert_eq!(r.rfm.segments.get("general_retain").unwrap().members, 3);
    let fc = r
        .forecast
        .as_ref()
        .expect("forecast section with the reason");
    assert!(
        fc.bgnbd.is_none(),
        "one purchase day each: BG/NBD is not identified"
    );
    assert!(fc.not_fitted.iter().any(|n| n.model == "bgnbd"));
}
