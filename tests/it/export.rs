//! Member exports (domain.md §10, conventions: privacy by construction): BOM, formula
//! escaping, queries.

use memberlens::members::MemberQuery;
use memberlens::{export, AnalysisOptions, Analyzer, FileOptions};

#[test]
fn member_export_escapes_formulas_and_keeps_chinese() {
    let csv = "订单号,下单时间,手机号,买家昵称,实付金额\n1,2024-01-01,13800000001,=HYPERLINK(\"x\"),10\n2,2024-01-02,13800000002,王五,10\n";
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    a.analyze(&AnalysisOptions::default()).unwrap();
    let (total, rows) = a.query_members(&MemberQuery {
        search: Some("王".into()),
        ..Default::default()
    });
    assert_eq!(total, 1);
    assert_eq!(rows[0].name(), Some("王五"));
    let (_, all) = a.query_members(&MemberQuery::default());
    let text = String::from_utf8(export::members_csv(all.iter().copied())).unwrap();
    assert!(text.starts_with('\u{FEFF}'));
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""));
    assert_eq!(text.lines().count(), 3);
}
