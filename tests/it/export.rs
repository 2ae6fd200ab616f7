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
    let (total, rows) = a
        .query_members(&MemberQuery {
            search: Some("王".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].name(), Some("王五"));
    let (_, all) = a.query_members(&MemberQuery::default()).unwrap();
    let text = String::from_utf8(export::members_csv(all.iter().copied())).unwrap();
    assert!(text.starts_with('\u{FEFF}'));
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""));
    assert_eq!(text.lines().count(), 3);
}

#[test]
fn audience_and_touch_lists_have_chinese_headers_tags_and_escaped_cells() {
    use memberlens::analyzer::ExportFormat;
    use memberlens::export::{HeaderLang, Layout};
    let csv = "订单号,下单时间,手机号,买家昵称,实付金额\n1,2024-01-01,13800000001,=HYPERLINK(\"x\"),10\n2,2024-01-02,,王五,10\n";
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    a.add_file(
        "m.csv",
        "会员卡号,姓名\nC9,王五\n".as_bytes().to_vec(),
        FileOptions::default(),
    )
    .unwrap();
    // A custom tag whose name a spreadsheet would run.
    let mut scheme: serde_json::Value = serde_json::from_str(&a.catalogue_json()).unwrap();
    scheme["categories"][0]["groups"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "key": "custom", "name_zh": "自定义", "name_en": "Custom",
            "definition_zh": "", "definition_en": "", "setter": "manual",
            "change": "dynamic", "basis": "fact", "kind": "rules",
            "tags": [{"key": "evil", "name_zh": "=EVIL()", "name_en": "+EVIL", "rule": "frequency >= 1"}]
        }));
    a.set_catalogue(Some(&scheme.to_string())).unwrap();
    a.analyze(&AnalysisOptions::default()).unwrap();
    let all = MemberQuery::default();
    let (bytes, n) = a
        .export_list(
            &all,
            ExportFormat::Csv,
            Layout::Audience,
            HeaderLang::Zh,
            false,
        )
        .unwrap();
    // The buyer by phone and the members-table member C9 (order 2 has no key: a guest).
    assert_eq!(n, 2);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("\u{FEFF}会员ID,手机号,邮箱,姓名,导购,"),
        "{text}"
    );
    let mut r = csv::Reader::from_reader(&text.as_bytes()[3..]);
    let headers = r.headers().unwrap().clone();
    assert_eq!(headers.iter().next_back(), Some("标签"));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let tags_of = |phone: &str| {
        rows.iter()
            .find(|r| &r[1] == phone)
            .map(|r| r[headers.len() - 1].to_string())
            .unwrap()
    };
    let tags = tags_of("13800000001");
    assert!(
        tags.starts_with('\''),
        "the cell that would run is escaped: {tags}"
    );
    assert!(tags.contains("=EVIL()"), "{tags}");
    assert!(tags.contains("有手机号"), "{tags}");
    // English headers on request.
    let (en, _) = a
        .export_list(
            &all,
            ExportFormat::Csv,
            Layout::Audience,
            HeaderLang::En,
            false,
        )
        .unwrap();
    assert!(String::from_utf8(en).unwrap().contains("Member id,Phone,"));
    // The touch list: phone, name, guide, member id, for the members with a phone only.
    let (touch, n) = a
        .export_list(
            &all,
            ExportFormat::Csv,
            Layout::Touch,
            HeaderLang::Zh,
            false,
        )
        .unwrap();
    assert_eq!(n, 1);
    let touch = String::from_utf8(touch).unwrap();
    let lines: Vec<&str> = touch.trim_end().split("\r\n").collect();
    assert_eq!(lines[0], "\u{FEFF}手机号,姓名,导购,会员ID");
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with("13800000001,"));
    // XLSX in the same layout.
    let (xlsx, n) = a
        .export_list(
            &all,
            ExportFormat::Xlsx,
            Layout::Audience,
            HeaderLang::Zh,
            false,
        )
        .unwrap();
    assert_eq!(n, 2);
    assert!(xlsx.starts_with(b"PK\x03\x04"));
}

#[test]
fn xlsx_lists_have_dates_money_a_frozen_filtered_header_and_can_be_masked() {
    use calamine::{Data, Reader, Xlsx};
    use memberlens::analyzer::ExportFormat;
    use memberlens::export::{HeaderLang, Layout};
    let csv = "订单号,下单时间,手机号,买家昵称,实付金额\n1,2024-01-05,13812345678,王小明,10.5\n2,2024-02-01,13812345678,王小明,20\n";
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .unwrap();
    a.analyze(&AnalysisOptions::default()).unwrap();
    let all = MemberQuery::default();
    let (bytes, _) = a
        .export_list(
            &all,
            ExportFormat::Xlsx,
            Layout::Full,
            HeaderLang::Zh,
            false,
        )
        .unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("members").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |k: &str| header.iter().position(|h| h == k).unwrap();
    let row = sheet.rows().nth(1).unwrap();
    // A date cell is an Excel date, money a number.
    match &row[col("first_purchase")] {
        // Excel's serial day of 2024-01-05 (2024-01-01 is 45292).
        Data::DateTime(d) => assert_eq!(d.as_f64(), 45296.0),
        other => panic!("first_purchase is {other:?}"),
    }
    assert_eq!(row[col("monetary")], Data::Float(30.5));
    assert_eq!(row[col("phone")], Data::String("13812345678".into()));
    // Masked: phone, name.
    let (masked, _) = a
        .export_list(&all, ExportFormat::Csv, Layout::Touch, HeaderLang::Zh, true)
        .unwrap();
    let text = String::from_utf8(masked).unwrap();
    assert!(text.contains("138****5678,王**"), "{text}");
    assert!(!text.contains("13812345678"));
}

#[test]
fn a_phone_is_found_however_it_is_written() {
    let a = crate::support::trio_analyzer(false);
    let analysis = a.analysis().unwrap();
    let phone = analysis
        .members
        .iter()
        .find_map(|m| m.phone().filter(|p| p.len() == 11).map(str::to_string))
        .unwrap();
    let (head, mid, tail) = (&phone[..3], &phone[3..7], &phone[7..]);
    for written in [
        format!("+86 {head} {mid} {tail}"),
        format!("{head}-{mid}-{tail}"),
        format!("(0086){phone}"),
        phone.clone(),
    ] {
        let q = memberlens::members::MemberQuery {
            search: Some(written.clone()),
            ..Default::default()
        };
        let (total, rows) = a.query_members(&q).unwrap();
        assert!(total >= 1, "{written}");
        assert!(
            rows.iter()
                .all(|m| m.phone().is_some_and(|p| p.contains(&phone[3..]))),
            "{written}"
        );
        assert!(
            rows.iter().any(|m| m.phone() == Some(phone.as_str())),
            "{written}"
        );
    }
}

#[test]
fn the_labelled_list_is_every_column_in_the_chosen_language() {
    use memberlens::analyzer::ExportFormat;
    use memberlens::export::{HeaderLang, Layout};
    let a = crate::support::trio_analyzer(false);
    let q = MemberQuery::default();
    let read = |lang| {
        let (bytes, _) = a
            .export_list(&q, ExportFormat::Csv, Layout::Labelled, lang, false)
            .unwrap();
        let mut r = csv::Reader::from_reader(std::io::Cursor::new(bytes[3..].to_vec()));
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect();
        (head, rows)
    };
    let (head, rows) = read(HeaderLang::Zh);
    let columns = a.member_columns();
    let labels: Vec<&str> = columns.iter().map(|c| c.label_zh).collect();
    assert_eq!(&head[..labels.len()], &labels[..]);
    assert_eq!(head.last().map(String::as_str), Some("标签"));
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (seg, ten, tier) = (col("RFM 分层"), col("十分层"), col("沉睡分层"));
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for r in rows.iter().filter(|r| !r[seg].is_empty()) {
        assert!(
            cjk(&r[seg]) && cjk(&r[ten]) && cjk(&r[tier]),
            "{:?}",
            (&r[seg], &r[ten], &r[tier])
        );
    }
    assert!(rows.iter().any(|r| r[seg] == "重要价值客户"));
    let (head, rows) = read(HeaderLang::En);
    assert_eq!(head[0], columns[0].label_en);
    let seg = head.iter().position(|h| h == "Segment").unwrap();
    assert!(rows.iter().any(|r| r[seg] == "Important value"));
    assert!(rows.iter().all(|r| !cjk(&r[seg])));
}

/// Pages of a query are windows of its whole list: everyone in table order, and a filter
/// (buyers only) against the whole list filtered here; totals likewise.
#[test]
fn pages_are_windows_of_the_whole_list() {
    let mut a = Analyzer::new();
    for f in ["members.csv", "pos_sales.csv"] {
        let bytes = std::fs::read(crate::support::fixture(f)).unwrap();
        a.add_file(f, bytes, FileOptions::default()).unwrap();
    }
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = false;
    a.analyze(&opts).unwrap();
    let (n, all) = a.query_members(&MemberQuery::default()).unwrap();
    assert_eq!(n, all.len());
    assert!(all.iter().enumerate().all(|(i, m)| m.index() == i));
    let buyers: Vec<usize> = all
        .iter()
        .filter(|m| m.is_buyer())
        .map(|m| m.index())
        .collect();
    assert!(buyers.len() > 10 && buyers.len() < n);
    // A blank search filters nothing; a blank segment key is a key no member has.
    let count = |q: MemberQuery| a.query_members(&q).unwrap().0;
    let blank = || Some("  ".to_string());
    assert_eq!(
        count(MemberQuery {
            search: blank(),
            ..Default::default()
        }),
        n
    );
    assert_eq!(
        count(MemberQuery {
            segment: blank(),
            ..Default::default()
        }),
        0
    );
    for (offset, limit) in [(0, 50), (7, 3), (n - 2, 50), (n + 5, 10), (3, 0)] {
        let (total, rows) = a
            .query_members(&MemberQuery {
                offset,
                limit,
                ..Default::default()
            })
            .unwrap();
        let want: Vec<usize> = (0..n)
            .skip(offset)
            .take(if limit == 0 { n } else { limit })
            .collect();
        assert_eq!(total, n);
        assert_eq!(rows.iter().map(|m| m.index()).collect::<Vec<_>>(), want);
        let (total, rows) = a
            .query_members(&MemberQuery {
                buyers: Some(true),
                offset,
                limit,
                ..Default::default()
            })
            .unwrap();
        let want: Vec<usize> = buyers
            .iter()
            .copied()
            .skip(offset)
            .take(if limit == 0 { n } else { limit })
            .collect();
        assert_eq!(total, buyers.len());
        assert_eq!(rows.iter().map(|m| m.index()).collect::<Vec<_>>(), want);
    }
}
