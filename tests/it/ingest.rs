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
fn an_unclosed_quote_is_read_on_its_own_line_and_said_where() {
    // The quote opens the phone field and closes nowhere: read as a character, the row has
    // the header's width and is kept (its phone is unreadable); the next row is a row.
    let csv = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,2024-01-02,\"13800000002,20\n3,2024-01-03,13800000003,30\n";
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!(
        (f.summary.rows, f.summary.accepted, f.summary.rejected_rows),
        (3, 3, 0)
    );
    let w: Vec<(usize, &str)> = f
        .warnings
        .iter()
        .map(|w| (w.line, w.kind().key()))
        .collect();
    assert_eq!(w, [(3, "stray_quote"), (3, "field_ignored")]);
    // A row still narrower than the header once its quote is a character is rejected.
    let short = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,\"2024-01-02,20\n3,2024-01-03,13800000003,30\n";
    let f = ingest("t.csv", short.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!(
        (f.summary.rows, f.summary.accepted, f.summary.rejected_rows),
        (3, 2, 1)
    );
    assert_eq!(f.warnings[0].line, 3);
    assert_eq!(
        f.warnings[0].code,
        memberlens::WarningCode::StrayQuoteRow {
            fields: 3,
            header: 4
        }
    );
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

/// A workbook whose first sheet is notes (one column of text) and whose second is orders.
fn notes_then_orders() -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "本表导出自 POS 系统").unwrap();
    notes.write_string(1, 0, "金额单位：元").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("订单").unwrap();
    for (c, h) in ["订单号", "下单时间", "手机号", "实付金额"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..4u32 {
        ws.write_string(r, 0, format!("S{r}")).unwrap();
        ws.write_string(r, 1, format!("2024-01-0{r}")).unwrap();
        ws.write_string(r, 2, format!("1380000000{r}")).unwrap();
        ws.write_number(r, 3, 10.0 * f64::from(r)).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_notes_sheet_before_the_data_is_passed_over_and_every_sheet_is_listed() {
    let mut a = Analyzer::new();
    let s = a
        .add_file("pos.xlsx", notes_then_orders(), FileOptions::default())
        .unwrap();
    assert_eq!(s.sheet.as_deref(), Some("订单"));
    assert_eq!(s.sheets, ["说明", "订单"]);
    assert_eq!((s.rows, s.accepted), (3, 3));
    // The notes sheet, chosen, cannot be classified: the file stays, with its error and a
    // preview of that sheet to choose from.
    let e = a
        .set_file_options(
            "pos.xlsx",
            FileOptions {
                sheet: Some("说明".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::HeaderOnly { .. } | Error::UnknownTableKind { .. }),
        "{e:?}"
    );
    assert_eq!(a.file_error("pos.xlsx"), Some(&e));
    let p = a.file_preview("pos.xlsx").unwrap();
    assert_eq!((p.sheet.as_deref(), p.sheets.len()), (Some("说明"), 2));
    assert_eq!(p.headers, ["本表导出自 POS 系统"]);
    // Back to the orders sheet: read again.
    let s = a
        .set_file_options(
            "pos.xlsx",
            FileOptions {
                sheet: Some("订单".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(s.accepted, 3);
    assert!(a.file_error("pos.xlsx").is_none());
}

#[test]
fn a_file_that_cannot_be_classified_is_kept_to_choose_its_kind() {
    let mut a = Analyzer::new();
    a.add_file(
        "members.csv",
        "手机号,姓名\n13800000001,甲\n".as_bytes().to_vec(),
        FileOptions::default(),
    )
    .unwrap();
    let odd = "客户手机,消费时间,金额,门店\n13800000001,2024-01-02,100,静安店\n13800000002,2024-01-05,50,徐汇店\n";
    let e = a
        .add_file("odd.csv", odd.as_bytes().to_vec(), FileOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), "unknown_table_kind");
    // It is still there: its error, its columns and first rows for the card.
    assert_eq!(
        a.file_error("odd.csv").map(Error::code),
        Some("unknown_table_kind")
    );
    let p = a.file_preview("odd.csv").unwrap();
    assert_eq!(p.headers, ["客户手机", "消费时间", "金额", "门店"]);
    assert_eq!(p.rows.len(), 2);
    assert_eq!((p.encoding.as_str(), p.delimiter.as_str()), ("utf-8", ","));
    // An analysis meanwhile leaves it out.
    assert!(a.analyze(&AnalysisOptions::default()).is_err());
    // The user says what it is: read.
    let columns = [
        ("客户手机", "phone"),
        ("消费时间", "order_time"),
        ("金额", "amount"),
        ("门店", "store"),
    ]
    .iter()
    .map(|(h, r)| (h.to_string(), r.to_string()))
    .collect();
    let s = a
        .set_file_options(
            "odd.csv",
            FileOptions {
                kind: Some(memberlens::ingest::TableKind::Orders),
                columns,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(s.accepted, 2);
    let r = &a.analyze(&AnalysisOptions::default()).unwrap().report;
    assert!((r.inventory.revenue - 150.0).abs() < 1e-9);
    assert_eq!(r.inventory.members_total, 2);
}

#[test]
fn what_is_not_a_table_says_what_it_looks_like() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
    let mut a = Analyzer::new();
    let e = a
        .add_file("logo.csv", png, FileOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), "not_a_table");
    assert!(e.message_en().contains("logo.csv") && e.message_en().contains("PNG image"));
    assert!(e.message_zh().contains("不是表格文件") && e.message_zh().contains("PNG 图片"));
    assert_eq!(
        a.file_preview("logo.csv").unwrap_err().code(),
        "not_a_table"
    );
    let xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0\0\0".to_vec();
    let e = a
        .add_file("old.xls", xls, FileOptions::default())
        .unwrap_err();
    assert!(e.message_en().contains(".xlsx or CSV") && e.message_zh().contains("另存为"));
    let e = a
        .add_file("nul.csv", vec![0u8; 1 << 20], FileOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), "not_a_table");
    // UTF-16 without a BOM is text, not binary.
    let text: Vec<u8> = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let e = ingest("u16.csv", &text, &FileOptions::default()).err();
    assert!(
        e.as_ref().is_none_or(|e| e.code() != "not_a_table"),
        "{e:?}"
    );
    // Removing a file that failed drops it.
    a.remove_file("logo.csv");
    assert_eq!(
        a.file_preview("logo.csv").unwrap_err().code(),
        "unknown_file"
    );
}
