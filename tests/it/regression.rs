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
    // Rows of this file do not all have the header's width (line 4 ends early): the file
    // says which trailing columns some rows lack.
    assert_eq!(
        f.warnings[0].code,
        memberlens::WarningCode::TrailingColumnsAbsent {
            columns: "备注".into()
        }
    );
    let w = &f.warnings[1];
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

/// The rows of a plain orders text (`id,date,phone,amount` after a header): revenue as the
/// plain sum of the amounts, for the tests below.
fn plain_revenue(rows: &[(&str, &str, &str, f64)]) -> f64 {
    rows.iter().map(|r| r.3).sum()
}

/// Issue 17: a nickname starting with `"` paired with the next quote in the file, and the rows
/// between vanished from `rows` and the totals (5 rows in, 3 read, revenue 60 of 150).
#[test]
fn a_stray_quote_never_swallows_the_rows_after_it() {
    let rows = [
        ("1", "2024-01-01", "13800000001", 10.0),
        ("2", "2024-01-02", "13800000002", 20.0),
        ("3", "2024-01-03", "13800000003", 30.0),
        ("4", "2024-01-04", "13800000004", 40.0),
        ("5", "2024-01-05", "13800000005", 50.0),
    ];
    let nick = ["甲", "\"Bob", "丙", "丁", "\"Wu, Qi\""];
    let mut csv = String::from("订单号,下单时间,手机号,昵称,实付金额\n");
    for (r, n) in rows.iter().zip(nick) {
        csv += &format!("{},{},{},{},{}\n", r.0, r.1, r.2, n, r.3);
    }
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!((f.summary.rows, f.summary.accepted), (5, 5));
    let w: Vec<(usize, &str)> = f
        .warnings
        .iter()
        .map(|w| (w.line, w.kind().key()))
        .collect();
    assert_eq!(w, [(3, "stray_quote")]);
    assert!(f.warnings[0].message_zh().contains("引号"));
    let r = analyze_csv(&csv).report;
    assert!((r.inventory.revenue - plain_revenue(&rows)).abs() < 1e-9);
    // Real line breaks inside a quoted field are still one field.
    let multi = "订单号,下单时间,手机号,备注,实付金额\n1,2024-01-01,13800000001,\"line one\nline two\",10\n2,2024-01-02,13800000002,x,20\n";
    let f = ingest("m.csv", multi.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!((f.summary.rows, f.summary.accepted), (2, 2));
    assert!(f.warnings.is_empty());
}

/// Issue 17: an extra delimiter in the header line gave 0 purchases with exit 0 (every column
/// name after it sat over another column's values).
#[test]
fn a_header_wider_than_every_row_is_an_error_or_its_empty_cell_is_dropped() {
    let body = "1,2024-01-01,13800000001,100,0\n2,2024-01-02,13800000002,200,50\n";
    let polluted = format!("订单号,下单,时间,手机号,实付金额,退款金额\n{body}");
    match ingest("t.csv", polluted.as_bytes(), &FileOptions::default()) {
        Err(e @ memberlens::Error::HeaderWidthMismatch { .. }) => {
            assert!(e.message_en().contains("6 columns but every row has 5"));
            assert!(e.message_zh().contains("表头有 6 列"));
        }
        other => panic!("{other:?}"),
    }
    // An empty name made by the extra delimiter is dropped, with a notice; the columns line up.
    let empty = format!("订单号,下单时间,,手机号,实付金额,退款金额\n{body}");
    let f = ingest("t.csv", empty.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!(f.summary.headers.len(), 5);
    assert_eq!(f.warnings[0].kind().key(), "notice");
    let r = analyze_csv(&empty).report;
    assert!((r.inventory.revenue - (100.0 + 200.0 - 50.0)).abs() < 1e-9);
}

/// Issue 17: a title line above the header made the file unusable, with no way to skip it.
#[test]
fn a_title_above_the_header_is_skipped_with_a_notice_or_by_the_header_row() {
    let table = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,2024-01-02,13800000002,20\n";
    let csv = format!("某品牌订单导出\n导出时间：2024-06-01 10:00,,,\n{table}");
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!(f.summary.headers[0], "订单号");
    assert_eq!((f.summary.rows, f.summary.accepted), (2, 2));
    let n = &f.warnings[0];
    assert_eq!((n.line, n.kind().key()), (3, "notice"));
    assert!(n.message_en().contains("2 line(s) above the header"));
    assert!(n.message_zh().contains("某品牌订单导出"));
    // Told where the header is, a file whose first line would pass for one is read from there.
    let notes = format!("品牌,区域,导出人,备注\n{table}");
    let opts = FileOptions {
        header_row: Some(2),
        ..Default::default()
    };
    let f = ingest("t.csv", notes.as_bytes(), &opts).unwrap();
    assert_eq!(f.summary.headers[0], "订单号");
    assert_eq!(f.summary.accepted, 2);
}

/// Issue 17: a second table appended under the orders (its own header, then its rows) was
/// read as orders, counting a return twice.
#[test]
fn a_second_table_appended_is_not_read_as_orders() {
    let csv = "订单号,下单时间,手机号,实付金额\n\
               1,2024-01-01,13800000001,100\n\
               2,2024-01-02,13800000002,200\n\
               3,2024-01-02,13800000002,-50\n\
               \n\
               退款单号,退款时间,手机号,退款金额\n\
               R3,2024-01-02,13800000002,-50\n\
               R4,2024-01-04,13800000001,-20\n";
    let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!(
        (f.summary.rows, f.summary.accepted, f.summary.rejected_rows),
        (6, 3, 3)
    );
    let w: Vec<(usize, &str)> = f
        .warnings
        .iter()
        .map(|w| (w.line, w.kind().key()))
        .collect();
    assert_eq!(
        w,
        [(6, "header_row")],
        "one warning for the whole second table"
    );
    assert!(f.warnings[0]
        .message_en()
        .contains("its 2 rows are not read"));
    let r = analyze_csv(csv).report;
    assert!((r.inventory.revenue - (100.0 + 200.0 - 50.0)).abs() < 1e-9);
    // Two exports joined into one file: the repeated header is not a row, both halves are.
    let joined = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,100\n订单号,下单时间,手机号,实付金额\n2,2024-01-02,13800000002,200\n";
    let f = ingest("j.csv", joined.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!((f.summary.rows, f.summary.accepted), (3, 2));
    assert_eq!(f.warnings[0].line, 3);
    assert_eq!(f.warnings[0].code, memberlens::WarningCode::RepeatedHeader);
    // The same columns in another order (another export of the same table): the rows under
    // that header are read by it.
    let reordered = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,100\n实付金额,订单号,手机号,下单时间\n200,2,13800000002,2024-01-02\n";
    let f = ingest("r.csv", reordered.as_bytes(), &FileOptions::default()).unwrap();
    assert_eq!((f.summary.rows, f.summary.accepted), (3, 2));
    assert_eq!(f.warnings[0].line, 3);
    assert_eq!(f.warnings[0].kind().key(), "header_row");
    let r = analyze_csv(reordered).report;
    assert!((r.inventory.revenue - 300.0).abs() < 1e-9);
    assert_eq!(r.inventory.buyers, 2);
}

/// Issue 17: with CR-only line ends every warning said line 1.
#[test]
fn cr_only_line_ends_give_the_right_line_numbers() {
    let lf = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,bad,13800000002,20\n3,2024-01-03,13800000003,x\n";
    for eol in ["\r", "\r\n", "\n"] {
        let csv = lf.replace('\n', eol);
        let f = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
        let lines: Vec<usize> = f.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [3, 4], "line ends {eol:?}");
    }
}

/// Issue 17: when every date was unreadable the message said to check the status and amount
/// columns; day-first dates could not be read at all.
#[test]
fn unreadable_dates_name_the_column_and_day_first_dates_can_be_chosen() {
    let csv = "订单号,下单时间,手机号,实付金额\n1,31/12/2023,13800000001,10\n2,15/01/2024,13800000002,20\n";
    match ingest("t.csv", csv.as_bytes(), &FileOptions::default()) {
        Err(e @ memberlens::Error::DatesUnreadable { .. }) => {
            assert!(
                e.message_en().contains("\"下单时间\""),
                "{}",
                e.message_en()
            );
            assert!(e.message_en().contains("31/12/2023"));
            assert!(e.message_en().contains("day-month-year"));
            assert!(e.message_zh().contains("日-月-年"));
        }
        other => panic!("{other:?}"),
    }
    let opts = FileOptions {
        date_order: Some(memberlens::ingest::DateOrder::Dmy),
        ..Default::default()
    };
    let f = ingest("t.csv", csv.as_bytes(), &opts).unwrap();
    assert_eq!(f.summary.accepted, 2);
}

/// Issue 17: UTF-16 without a byte-order mark said "cannot tell the table kind" (it read fine
/// with the encoding chosen).
#[test]
fn utf16_without_a_bom_is_told_by_its_zero_bytes() {
    let text = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n";
    for big_endian in [false, true] {
        let bytes: Vec<u8> = text
            .encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect();
        let f = ingest("t.csv", &bytes, &FileOptions::default()).unwrap();
        assert_eq!(f.summary.accepted, 1);
        assert!(f.summary.encoding.starts_with("utf-16"));
    }
}

/// A small valid workbook of orders, its sheet XML replaced by `sheet` when given.
/// Writes a sheet's XML.
type SheetXml<'a> = &'a dyn Fn(&mut dyn std::io::Write);

fn workbook(sheet: Option<SheetXml<'_>>) -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    use std::io::{Read, Write};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["订单号", "下单时间", "手机号", "实付金额"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "A1").unwrap();
    ws.write_string(1, 1, "2024-01-01").unwrap();
    ws.write_string(1, 2, "13800000001").unwrap();
    ws.write_number(1, 3, 10.0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let Some(sheet) = sheet else { return bytes };
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        out.start_file(name.as_str(), opts).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            sheet(&mut out);
        } else {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            out.write_all(&buf).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// Issue 17: XLSX had no limit on its unzipped size: a 1 MB file took 3.15 GB of memory and
/// a 4 MB one aborted the CLI on a failed 4 GiB allocation.
#[test]
fn an_xlsx_bomb_is_refused_before_it_is_read() {
    // 300 MiB of cells that deflate to a few megabytes.
    let bomb = workbook(Some(&|w: &mut dyn std::io::Write| {
        w.write_all(SHEET_HEAD.as_bytes()).unwrap();
        let row = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#.repeat(20_000);
        let mut n = 0;
        while n < 300 << 20 {
            w.write_all(row.as_bytes()).unwrap();
            n += row.len();
        }
        w.write_all(SHEET_TAIL.as_bytes()).unwrap();
    }));
    assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());
    let t = std::time::Instant::now();
    let e = ingest("bomb.xlsx", &bomb, &FileOptions::default()).unwrap_err();
    eprintln!("{} KiB bomb refused in {:?}", bomb.len() >> 10, t.elapsed());
    match &e {
        memberlens::Error::SpreadsheetTooLarge { file, limit_mib } => {
            assert_eq!((file.as_str(), *limit_mib), ("bomb.xlsx", 256));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.message_en().contains("256 MiB"));
    assert!(e.message_zh().contains("256 MiB"));
    // The limit is an option: a lower one refuses a smaller workbook, a higher one reads it.
    let small = workbook(None);
    assert!(ingest("w.xlsx", &small, &FileOptions::default()).is_ok());
    let low = FileOptions {
        xlsx_limit_mib: Some(1),
        ..Default::default()
    };
    let two_mib = workbook(Some(&|w: &mut dyn std::io::Write| {
        w.write_all(SHEET_HEAD.as_bytes()).unwrap();
        let row = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#;
        for _ in 0..(2 << 20) / row.len() {
            w.write_all(row.as_bytes()).unwrap();
        }
        w.write_all(SHEET_TAIL.as_bytes()).unwrap();
    }));
    assert!(matches!(
        ingest("w.xlsx", &two_mib, &low),
        Err(memberlens::Error::SpreadsheetTooLarge { limit_mib: 1, .. })
    ));
}

/// Issue 17 (XLSX): a few cells far apart made a sheet-sized grid of gigabytes.
#[test]
fn a_sheet_of_cells_far_apart_is_refused_not_allocated() {
    let sparse = workbook(Some(&|w: &mut dyn std::io::Write| {
        w.write_all(SHEET_HEAD.as_bytes()).unwrap();
        for r in 1..=400 {
            write!(w, r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#).unwrap();
        }
        w.write_all(SHEET_TAIL.as_bytes()).unwrap();
    }));
    match ingest("s.xlsx", &sparse, &FileOptions::default()) {
        Err(e @ memberlens::Error::SpreadsheetTooSparse { .. }) => {
            assert!(
                e.message_en().contains("column 16384"),
                "{}",
                e.message_en()
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 17: money sums could wrap (a build with overflow checks panicked in the analysis).
/// Amounts are capped per row, but enough of them (or item lines summed) could still pass
/// i64; the analysis now adds every amount as i128 first and refuses inputs beyond the bound.
#[test]
fn money_beyond_what_sums_hold_is_refused_not_wrapped() {
    let csv = "订单号,下单时间,手机号,实付金额\n1,2024-01-01,13800000001,10\n2,2024-01-02,13800000002,20\n";
    let base = ingest("t.csv", csv.as_bytes(), &FileOptions::default()).unwrap();
    // What millions of item lines at the per-row cap would add up to, set directly.
    let with = |a: i64, b: i64| {
        let mut f = base.clone();
        let memberlens::ingest::FileData::Orders(o) = &mut f.output.data else {
            panic!("orders")
        };
        o.orders[0].amount_cents = a;
        o.orders[1].amount_cents = b;
        f
    };
    let f = with(i64::MAX / 3, i64::MAX / 3);
    match memberlens::run(&[&f], &AnalysisOptions::default()) {
        Err(e @ memberlens::Error::MoneyBeyondBound { .. }) => {
            assert!(e.message_en().contains("corrupted"));
            assert!(e.message_zh().contains("金额"));
        }
        other => panic!("{:?}", other.map(|a| a.report.inventory.revenue)),
    }
    // Just under the bound is analysed, with the exact sum.
    let f = with(i64::MAX / 4, 100);
    let r = memberlens::run(&[&f], &AnalysisOptions::default())
        .unwrap()
        .report;
    let want = ((i64::MAX / 4) as i128 + 100) as f64 / 100.0;
    assert!((r.inventory.revenue - want).abs() / want < 1e-12);
}
