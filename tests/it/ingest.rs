//! Reading files (domain.md §2): whole-file errors a person can act on, encodings,
//! delimiters, workbooks and column-role overrides.

use memberlens::{ingest, AnalysisOptions, Analyzer, Error, FileOptions};

use crate::support::ingest_err;

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
    assert_eq!(f.warnings[0].code, memberlens::WarningCode::UnclosedQuote);
    assert!(f.warnings[0].message_en().contains("quote"));
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
    assert_eq!(r.as_of.to_string(), "2024-01-01");
    assert!((r.inventory.revenue - 99.5).abs() < 1e-9);
}
