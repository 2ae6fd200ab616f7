//! The accounting rule (domain.md §2): every data row of every file is accepted, dropped as a
//! duplicate line or rejected with its line and reason, `rows = accepted + duplicate_rows +
//! rejected_rows`; rows after the as-of date are left out and counted.

use memberlens::{ingest, AnalysisOptions, Analyzer, FileOptions};

#[test]
fn rows_are_all_accounted_for() {
    let csv = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n1,2024-01-01,13800000001,10\n2,bad,13800000002,20\n3,2024-01-03,13800000003,abc\n4,2024-01-04,13800000004,\n5,1960-05-01,13800000005,50\n6,2150-05-01,13800000006,60\n";
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    let s = &f.summary;
    assert_eq!(s.rows, 7);
    assert_eq!(s.duplicate_rows, 1);
    assert_eq!(s.rejected_rows, 3);
    assert_eq!(
        s.accepted, 3,
        "dates before 1970 and after 2100 are readable"
    );
    assert_eq!(s.rows, s.accepted + s.duplicate_rows + s.rejected_rows);
    let reasons: Vec<_> = f.warnings.iter().map(|w| (w.line, w.kind.key())).collect();
    assert_eq!(
        reasons,
        vec![
            (3, "duplicate_line"),
            (4, "bad_date"),
            (5, "bad_amount"),
            (6, "missing_value")
        ]
    );
}

#[test]
fn rows_after_as_of_are_left_out_and_counted() {
    let csv = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,2024-03-01,13800000001,20\n3,2024-06-01,13800000002,30\n";
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    let r = &a
        .analyze(&AnalysisOptions {
            as_of: Some("2024-03-31".into()),
            ..Default::default()
        })
        .unwrap()
        .report;
    assert_eq!(r.files[0].after_as_of_rows, 1);
    assert_eq!(r.inventory.purchase_orders, 2);
    assert_eq!(r.inventory.buyers, 1);
    assert_eq!(
        r.inventory.members_total, 2,
        "a member whose only order is later is still a member"
    );
}
