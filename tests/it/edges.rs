//! Edge cases of domain.md §2–§4 through the public API: each reads as input → expected outcome.

use memberlens::analysis::member_table::MemberQuery;
use memberlens::{export, ingest, AnalysisOptions, Analyzer, Error, FileOptions};

fn analyze_csv(csv: &str) -> memberlens::Analysis {
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .expect("ingest");
    a.analyze(&AnalysisOptions::default())
        .expect("analysis")
        .clone()
}

fn ingest_err(csv: &[u8]) -> Error {
    ingest("t.csv", csv, &FileOptions::default()).expect_err("an error")
}

#[test]
fn empty_file_is_a_clear_error() {
    assert!(matches!(ingest_err(b""), Error::EmptyFile { .. }));
    assert!(matches!(ingest_err(b"  \r\n "), Error::EmptyFile { .. }));
    assert!(ingest_err(b"").message_zh().contains("文件为空"));
}

#[test]
fn header_only_is_a_clear_error() {
    assert!(matches!(
        ingest_err("订单号,下单时间,手机号,实付金额\r\n".as_bytes()),
        Error::HeaderOnly { .. }
    ));
}

#[test]
fn no_date_column_names_the_file_and_the_fix() {
    let e = ingest(
        "orders.csv",
        "订单号,手机号,实付金额\n1,13800000000,5\n".as_bytes(),
        &FileOptions {
            kind: Some(memberlens::ingest::TableKind::Orders),
            ..Default::default()
        },
    )
    .err()
    .unwrap();
    assert!(matches!(e, Error::NoDateColumn { .. }), "{e:?}");
    assert!(e.message_en().contains("orders.csv") && e.message_en().contains("order_time"));
}

#[test]
fn unknown_table_kind_asks_the_user() {
    assert!(matches!(
        ingest_err(b"foo,bar\n1,2\n"),
        Error::UnknownTableKind { .. }
    ));
}

#[test]
fn unclosed_quote_rejects_the_row_and_says_where() {
    let csv = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,2024-01-02,\"13800000002,20\n3,2024-01-03,13800000003,30\n";
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!(
        (f.summary.rows, f.summary.accepted, f.summary.rejected_rows),
        (2, 1, 1)
    );
    assert_eq!(f.warnings[0].line, 3);
    assert!(f.warnings[0].reason.contains("quote"));
}

#[test]
fn mixed_currencies_name_the_rows() {
    let csv = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,¥10\n2,2024-01-02,13800000002,$20\n3,2024-01-03,13800000003,30\n";
    match ingest_err(csv.as_bytes()) {
        Error::MixedCurrency {
            lines, currencies, ..
        } => {
            assert_eq!(lines, vec![2, 3]);
            assert_eq!(currencies, vec!["CNY", "USD"]);
        }
        e => panic!("{e:?}"),
    }
}

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
        r.as_of, "2024-03-02",
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
    assert_eq!(r.as_of, "2024-02-01");
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
    assert_eq!(r2.members.row(0).frequency, 2);
    assert!((r2.members.row(0).monetary - 120.0).abs() < 1e-9);
    assert_eq!(r2.members.row(0).recency_days, Some(59));
}

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

#[test]
fn phones_link_members_across_spellings_and_files() {
    let mut a = Analyzer::new();
    a.add_file("members.csv", "会员卡号,手机号,姓名,注册时间\nV1,138-0000-0001,张三,2023-01-01\nV2,+86 139 0000 0002,李四,2024-01-15\n".as_bytes().to_vec(), FileOptions::default()).unwrap();
    a.add_file(
        "online.csv",
        "订单号,下单时间,买家手机号,实付金额\nA,2024-01-10,13800000001,10\n"
            .as_bytes()
            .to_vec(),
        FileOptions::default(),
    )
    .unwrap();
    a.add_file(
        "pos.csv",
        "小票号,会员卡号,销售日期,销售金额\nP,V1,20240120,20\n"
            .as_bytes()
            .to_vec(),
        FileOptions::default(),
    )
    .unwrap();
    let r = a
        .analyze(&AnalysisOptions::default())
        .unwrap()
        .report
        .clone();
    assert_eq!(r.inventory.members_total, 2);
    assert_eq!(r.inventory.buyers, 1);
    assert_eq!(r.source_overlap[0].buyers, 1);
    assert_eq!(r.dormancy.non_buyers.get("within_30d"), Some(&1));
}

#[test]
fn column_override_changes_the_figures() {
    let csv = "订单号,下单时间,手机号,实付金额,应付金额\n1,2024-01-01,13800000001,10,12\n";
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    assert!(
        (a.analyze(&AnalysisOptions::default())
            .unwrap()
            .report
            .inventory
            .revenue
            - 10.0)
            .abs()
            < 1e-9
    );
    let mut opts = FileOptions::default();
    opts.columns.insert("应付金额".into(), "amount".into());
    opts.columns.insert("实付金额".into(), "ignore".into());
    let s = a.set_file_options("t.csv", opts).unwrap();
    assert_eq!(s.columns[4].role.map(|r| r.key()), Some("amount"));
    assert!(
        (a.analyze(&AnalysisOptions::default())
            .unwrap()
            .report
            .inventory
            .revenue
            - 12.0)
            .abs()
            < 1e-9
    );
}

#[test]
fn utf16_and_tab_separated_exports_read() {
    let text = "订单号\t下单时间\t手机号\t实付金额\r\n1\t2024-01-01\t13800000001\t１２８．５\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let mut a = Analyzer::new();
    let s = a.add_file("t.txt", bytes, FileOptions::default()).unwrap();
    assert_eq!(
        (s.encoding.as_str(), s.delimiter.as_str()),
        ("utf-16le", "\\t")
    );
    assert!(
        (a.analyze(&AnalysisOptions::default())
            .unwrap()
            .report
            .inventory
            .revenue
            - 128.5)
            .abs()
            < 1e-9
    );
}

#[test]
fn xlsx_input_reads_the_first_sheet() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["订单号", "下单时间", "手机号", "实付金额"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "A1").unwrap();
    // An Excel serial date (2024-01-01 = 45292).
    ws.write_number(1, 1, 45292.5).unwrap();
    ws.write_string(1, 2, "13800000001").unwrap();
    ws.write_number(1, 3, 99.5).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let mut a = Analyzer::new();
    let s = a.add_file("t.xlsx", bytes, FileOptions::default()).unwrap();
    assert_eq!(s.encoding, "xlsx");
    let r = &a.analyze(&AnalysisOptions::default()).unwrap().report;
    assert_eq!(r.as_of, "2024-01-01");
    assert!((r.inventory.revenue - 99.5).abs() < 1e-9);
}

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
    assert_eq!(rows[0].name.as_deref(), Some("王五"));
    let (_, all) = a.query_members(&MemberQuery::default());
    let text = String::from_utf8(export::members_csv(&all)).unwrap();
    assert!(text.starts_with('\u{FEFF}'));
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""));
    assert_eq!(text.lines().count(), 3);
}

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

#[test]
fn every_row_with_an_unreadable_key_field_is_warned_about() {
    // The same bad phone on two rows (a repeat buyer) is reported on both lines.
    let csv =
        "订单号,下单时间,会员ID,手机号,实付金额\n1,2024-01-01,V1,n/a,10\n2,2024-01-02,V1,n/a,20\n";
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    let lines: Vec<usize> = f
        .warnings
        .iter()
        .filter(|w| w.kind.key() == "field_ignored")
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
            .map(|w| (w.line, w.kind.key()))
            .collect::<Vec<_>>(),
        vec![(2, "field_ignored")]
    );
}

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
        .warnings
        .iter()
        .find(|w| w.reason.starts_with("forecasts were not computed"))
        .expect("a notice saying why there are no forecasts");
    assert_eq!(notice.kind, memberlens::error::WarningKind::Notice);
}
