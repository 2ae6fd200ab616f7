//! Files handed over in chunks as they are read (the page's worker, the CLI): the rows are
//! read as the chunks arrive and each chunk's text is freed, with the report of the whole
//! file read at once.

use memberlens::{report, AnalysisOptions, Analyzer, Error, FileOptions};

/// About 7 MiB of orders (more than the first chunk and one read's worth): CRLF line ends,
/// quoted fields with delimiters and line feeds, Chinese names, exact duplicate lines far
/// apart, item lines of one order far apart, bad dates and amounts, a repeated header.
fn big_orders() -> String {
    let mut t = String::from("订单号,下单时间,手机号,实付金额,状态,门店,备注,姓名\r\n");
    let mut i = 0u64;
    while t.len() < 7 << 20 {
        let oid = if i % 211 == 0 { i % 5000 } else { 100_000 + i };
        let note = match i % 17 {
            0 => "\"第一行\r\n第二行, 含逗号 \"\"引号\"\"\"",
            1 => "\"a,b\"",
            _ => "",
        };
        let date = if i % 997 == 0 {
            "2024-13-45".to_string()
        } else {
            format!("2024-{:02}-{:02} 10:{:02}", 1 + i % 12, 1 + i % 28, i % 60)
        };
        let line = format!(
            "O{oid},{date},138{:08},{}.{:02},{},门店{},{note},{}\r\n",
            (i * 7919) % 60_000,
            i % 700,
            i % 100,
            if i % 41 == 0 {
                "已取消"
            } else {
                "交易成功"
            },
            i % 9,
            ["张三", "李四", "\"Wang, Wu\"", ""][(i % 4) as usize],
        );
        t.push_str(&line);
        if i % 499 == 0 {
            t.push_str(&line);
        }
        if i == 60_000 {
            t.push_str("订单号,下单时间,手机号,实付金额,状态,门店,备注,姓名\r\n");
        }
        i += 1;
    }
    t
}

/// The summary, warnings and report (no forecasts) of a file added one way or another.
fn read(add: impl FnOnce(&mut Analyzer) -> Result<(), Error>) -> String {
    let mut a = Analyzer::new();
    a.set_keep_bytes(false);
    add(&mut a).expect("read");
    let summary = format!("{:?}", a.files());
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = false;
    let analysis = a.analyze(&opts).expect("analysis");
    format!("{summary}\n{}", report::to_json(&analysis.report))
}

fn streamed(bytes: &[u8], piece: usize) -> String {
    read(|a| {
        a.begin_file_streamed("o.csv", bytes.len(), FileOptions::default());
        for c in bytes.chunks(piece) {
            a.push_chunk("o.csv", c)?;
        }
        a.finish_file("o.csv", FileOptions::default()).map(drop)
    })
}

#[test]
fn a_large_file_read_in_chunks_gives_the_whole_file_report() {
    let text = big_orders();
    let whole = read(|a| {
        a.add_file("o.csv", text.as_bytes().to_vec(), FileOptions::default())
            .map(drop)
    });
    assert!(whole.contains("duplicate_line") || whole.contains("DuplicateLine"));
    // The page's pieces, and pieces that cut CRLFs, quoted fields and characters anywhere.
    assert_eq!(whole, streamed(text.as_bytes(), 64 << 10));
    assert_eq!(whole, streamed(text.as_bytes(), 65_537));
    assert_eq!(whole, streamed(text.as_bytes(), 999_983));
}

#[test]
fn a_file_finished_with_other_options_than_it_began_with_is_an_error() {
    let text = big_orders();
    let mut a = Analyzer::new();
    a.set_keep_bytes(false);
    a.begin_file_streamed("o.csv", 0, FileOptions::default());
    a.push_chunk("o.csv", text.as_bytes()).unwrap();
    let other = FileOptions {
        tz_offset_minutes: Some(0),
        ..Default::default()
    };
    assert!(matches!(
        a.finish_file("o.csv", other),
        Err(Error::InvalidOption { .. })
    ));
}

#[test]
fn gbk_after_the_first_chunks_asks_for_the_file_again_whole() {
    let mut bytes = big_orders().into_bytes();
    // A row with GBK bytes ("张三" in GBK) near the end: one pass cannot read it as UTF-8.
    let at = bytes.len() - 100;
    let at = at + bytes[at..].iter().position(|b| *b == b'\n').unwrap() + 1;
    bytes.splice(
        at..at,
        b"O1,2024-01-01,13800000000,5,x,y,,\xd5\xc5\xc8\xfd\r\n"
            .iter()
            .copied(),
    );
    let mut a = Analyzer::new();
    a.set_keep_bytes(false);
    a.begin_file_streamed("o.csv", bytes.len(), FileOptions::default());
    for c in bytes.chunks(64 << 10) {
        a.push_chunk("o.csv", c).unwrap();
    }
    let e = a.finish_file("o.csv", FileOptions::default()).unwrap_err();
    assert!(matches!(e, Error::ReadWhole { .. }));
    assert_eq!(e.code(), "read_whole");
    // Handed over again whole, it reads as one pass reads it (here: an encoding error that
    // names the line of the GBK bytes).
    let one =
        memberlens::ingest("o.csv", &bytes, &FileOptions::default()).map(|f| f.output.summary);
    assert_eq!(
        format!("{one:?}"),
        format!("{:?}", a.add_file("o.csv", bytes, FileOptions::default()))
    );
}
