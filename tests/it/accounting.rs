//! The accounting rule (domain.md §2): every data row of every file is accepted, dropped as a
//! duplicate line or rejected with its line and reason, `rows = accepted + duplicate_rows +
//! rejected_rows`; rows after the as-of date are left out and counted.

use memberlens::ingest::TableKind;
use memberlens::{ingest, AnalysisOptions, Analyzer, FileOptions, FileSummary};
use proptest::prelude::*;
use proptest::sample::Index;

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
    let reasons: Vec<_> = f
        .warnings
        .iter()
        .map(|w| (w.line, w.kind().key()))
        .collect();
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

// The rule as a property. Random orders and members tables are built line by line, each data
// line with the fate domain.md §2 gives it (accepted, or rejected for an unreadable or missing
// date or amount, a missing key, an unquoted delimiter); a line repeating an earlier one exactly
// is a duplicate whatever it holds. The model counts rows, duplicates and rejections on its
// own, so the test checks the sum rule and that each term is what the rows say.

/// What becomes of a data line that is not a duplicate.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Accepted,
    Rejected,
}

impl Fate {
    /// Accepted when the line can be read, else rejected.
    fn of(readable: bool) -> Fate {
        if readable {
            Fate::Accepted
        } else {
            Fate::Rejected
        }
    }
}

/// A data line (without its line ending; it may span lines inside quotes) and its fate.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    fate: Fate,
    /// Its number of fields.
    width: usize,
}

/// How a line's fields are laid out against the header.
#[derive(Debug, Clone)]
enum Shape {
    /// As many fields as the header.
    Full,
    /// Only the first `n` fields.
    Short(usize),
    /// Extra empty fields (trailing delimiters): readable, unless the table's rows have the
    /// header's width (a delimiter was then gained somewhere: rejected).
    LongEmpty(usize),
    /// Extra non-empty fields: an unquoted delimiter, rejected.
    LongFilled(usize),
}

/// One item of a generated table: a new line, a repeat of an earlier one, or a blank line.
#[derive(Debug, Clone)]
enum Item {
    New(Line),
    Repeat(Index),
    Blank,
}

fn shape(width: usize) -> impl Strategy<Value = Shape> {
    prop_oneof![
        6 => Just(Shape::Full),
        1 => (1..width).prop_map(Shape::Short),
        1 => (1usize..3).prop_map(Shape::LongEmpty),
        1 => (1usize..3).prop_map(Shape::LongFilled),
    ]
}

/// Lays out `fields` (CSV text each) in `shape`; the number of fields kept.
fn lay_out(mut fields: Vec<String>, shape: &Shape) -> (String, usize) {
    match shape {
        Shape::Full => {}
        Shape::Short(n) => fields.truncate(*n),
        Shape::LongEmpty(n) => fields.extend(std::iter::repeat_n(String::new(), *n)),
        Shape::LongFilled(n) => fields.extend((0..*n).map(|i| format!("extra{i}"))),
    }
    let kept = fields.len();
    (fields.join(","), kept)
}

fn readable_date() -> impl Strategy<Value = String> {
    (
        2019i32..=2024,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0usize..7,
    )
        .prop_map(|(y, m, d, h, mi, style)| match style {
            0 => format!("{y}-{m:02}-{d:02}"),
            1 => format!("{y}-{m:02}-{d:02} {h:02}:{mi:02}:05"),
            2 => format!("{y}/{m}/{d} {h}:{mi:02}"),
            3 => format!("{y}.{m:02}.{d:02}"),
            4 => format!("{y}{m:02}{d:02}"),
            5 => format!("{y}年{m}月{d}日"),
            _ => format!("{y}-{m:02}-{d:02}T{h:02}:{mi:02}:00+08:00"),
        })
}

/// A date cell and whether it can be read.
fn date_cell() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        8 => readable_date().prop_map(|d| (d, true)),
        1 => prop::sample::select(vec!["not a date", "2024-13-45", "2024-02-30", "昨天", "99999999"])
            .prop_map(|d| (d.to_string(), false)),
        1 => Just((String::new(), false)),
    ]
}

/// A phone cell and whether it gives a key.
fn phone_cell() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        4 => (0u32..40).prop_map(|n| (format!("1380000{n:04}"), true)),
        1 => (0u32..40).prop_map(|n| (format!("138-000{}-{:04}", n % 10, n), true)),
        1 => (0u32..40).prop_map(|n| (format!("+86 139 0000 {n:04}"), true)),
        1 => Just((String::new(), false)),
        1 => Just(("n/a".to_string(), false)),
    ]
}

/// A name cell: plain, or quoted around a delimiter, a doubled quote or a line feed.
fn name_cell() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "张三",
        "Li Lei",
        "\"Li, Lei\"",
        "\"王\"\"五\"\"\"",
        "\"two\nlines\"",
        "\"a,\"\"b\"\"\nc\"",
    ])
    .prop_map(str::to_string)
}

/// An amount cell and whether it can be read.
fn amount_cell() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        8 => prop::sample::select(vec![
            "128", "128.00", "\"1,234.50\"", "¥99", "\"¥1,234.50\"", "-56.00", "0", "１２８", "0.01",
        ])
        .prop_map(|a| (a.to_string(), true)),
        1 => prop::sample::select(vec!["abc", "12abc", "x", "1.2.3"]).prop_map(|a| (a.to_string(), false)),
        1 => Just((String::new(), false)),
    ]
}

const ORDERS_HEADER: &str = "订单号,下单时间,手机号,买家昵称,实付金额,订单状态";

/// An orders line: every column is read (status is the last), so a line cut short is
/// rejected: its values could have come from other columns' places.
fn orders_line() -> impl Strategy<Value = Line> {
    (
        prop_oneof![3 => (0u32..60).prop_map(|n| format!("O{n}")), 1 => Just(String::new())],
        date_cell(),
        phone_cell(),
        name_cell(),
        amount_cell(),
        prop::sample::select(vec!["交易成功", "交易关闭", "已退款", "待付款", ""]),
        shape(6),
    )
        .prop_map(
            |(oid, (date, date_ok), (phone, _), name, (amount, amount_ok), status, shape)| {
                let fields = vec![oid, date, phone, name, amount, status.to_string()];
                let (text, kept) = lay_out(fields, &shape);
                let readable =
                    date_ok && amount_ok && kept >= 6 && !matches!(shape, Shape::LongFilled(_));
                Line {
                    text,
                    fate: Fate::of(readable),
                    width: kept,
                }
            },
        )
}

/// A line every orders table starts with: a purchase, so that an analysis has one.
fn orders_purchase() -> impl Strategy<Value = Line> {
    (readable_date(), 0u32..40).prop_map(|(date, n)| Line {
        text: format!("P{n},{date},1380000{n:04},张三,100,交易成功"),
        fate: Fate::Accepted,
        width: 6,
    })
}

const MEMBERS_HEADER: &str = "会员卡号,手机号,姓名,注册时间,会员等级";

/// A members line: rejected without any key (card, readable phone), with extra filled fields,
/// or cut short (every column is read).
/// An unreadable registration date only loses the date.
fn members_line() -> impl Strategy<Value = Line> {
    (
        prop_oneof![3 => (0u32..60).prop_map(|n| format!("V{n}")), 1 => Just(String::new())],
        phone_cell(),
        name_cell(),
        date_cell(),
        prop::sample::select(vec!["金卡", "银卡", ""]),
        shape(5),
    )
        .prop_map(|(card, (phone, phone_ok), name, (date, _), tier, shape)| {
            let has_card = !card.is_empty();
            let fields = vec![card, phone, name, date, tier.to_string()];
            let (text, kept) = lay_out(fields, &shape);
            let keyed = has_card || phone_ok;
            let readable = keyed && kept >= 5 && !matches!(shape, Shape::LongFilled(_));
            Line {
                text,
                fate: Fate::of(readable),
                width: kept,
            }
        })
}

fn members_first() -> impl Strategy<Value = Line> {
    (0u32..40).prop_map(|n| Line {
        text: format!("V{n},1380000{n:04},张三,2023-01-01,金卡"),
        fate: Fate::Accepted,
        width: 5,
    })
}

fn items(line: impl Strategy<Value = Line>) -> impl Strategy<Value = Vec<Item>> {
    prop::collection::vec(
        prop_oneof![
            6 => line.prop_map(Item::New),
            2 => any::<Index>().prop_map(Item::Repeat),
            1 => Just(Item::Blank),
        ],
        0..40,
    )
}

/// A whole table: its bytes, and the counts its lines call for.
#[derive(Debug, Clone)]
struct Table {
    text: String,
    want: Counts,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Counts {
    rows: usize,
    accepted: usize,
    duplicate_rows: usize,
    rejected_rows: usize,
}

impl Counts {
    fn of(s: &FileSummary) -> Counts {
        Counts {
            rows: s.rows,
            accepted: s.accepted,
            duplicate_rows: s.duplicate_rows,
            rejected_rows: s.rejected_rows,
        }
    }
}

/// Puts a table together: optional BOM, the header, the lines each with its own ending (LF or
/// CRLF), optionally a last line whose quote never closes (a field short), with or without a
/// final ending.
fn table(
    header: &'static str,
    first: impl Strategy<Value = Line>,
    line: impl Strategy<Value = Line>,
) -> impl Strategy<Value = Table> {
    (
        any::<bool>(),
        first,
        items(line),
        prop::collection::vec(any::<bool>(), 64),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(bom, first, items, crlf, unclosed, final_ending)| {
            let mut lines: Vec<Line> = vec![first];
            let mut blanks_before = vec![0usize];
            let mut pending_blanks = 0;
            for item in items {
                match item {
                    Item::New(l) => lines.push(l),
                    Item::Repeat(i) => lines.push(lines[i.index(lines.len())].clone()),
                    Item::Blank => {
                        pending_blanks += 1;
                        continue;
                    }
                }
                blanks_before.push(pending_blanks);
                pending_blanks = 0;
            }
            if unclosed {
                // One field short: with its quote read as a character (the quote closes
                // nowhere) the row is still narrower than the header, so it is rejected.
                let cols = header.split(',').count();
                let mut cells = vec!["x"; cols - 1];
                cells[cols / 2] = "\"a quote that never closes";
                lines.push(Line {
                    text: cells.join(","),
                    fate: Fate::Rejected,
                    width: cols - 1,
                });
                blanks_before.push(pending_blanks);
            }
            let ending = |k: usize| if crlf[k % crlf.len()] { "\r\n" } else { "\n" };
            let mut text = String::new();
            if bom {
                text.push('\u{FEFF}');
            }
            text.push_str(header);
            text.push_str(ending(0));
            let mut want = Counts {
                rows: 0,
                accepted: 0,
                duplicate_rows: 0,
                rejected_rows: 0,
            };
            // When all but one in ten of the first 200 rows (all but one, in a file of fewer
            // than twenty) have the header's width, a row with more fields, even empty ones,
            // gained a delimiter somewhere: rejected.
            let width = header.split(',').count();
            let first: Vec<&Line> = lines
                .iter()
                .filter(|l| !l.text.is_empty())
                .take(200)
                .collect();
            let exact = first.iter().filter(|l| l.width == width).count();
            let other = first.len() - exact;
            let strict = exact > other && other <= (first.len() / 10).max(1);
            let mut seen = std::collections::HashSet::new();
            for (k, (l, blanks)) in lines.iter().zip(&blanks_before).enumerate() {
                for b in 0..*blanks {
                    text.push_str(ending(k + b));
                }
                text.push_str(&l.text);
                if k + 1 < lines.len() || final_ending {
                    text.push_str(ending(k + 1));
                }
                if l.text.is_empty() {
                    continue; // nothing but an ending: a blank line
                }
                want.rows += 1;
                if !seen.insert(l.text.clone()) {
                    want.duplicate_rows += 1;
                } else if l.fate == Fate::Rejected || (strict && l.width > width) {
                    want.rejected_rows += 1;
                } else {
                    want.accepted += 1;
                }
            }
            Table { text, want }
        })
}

fn orders_table() -> impl Strategy<Value = Table> {
    table(ORDERS_HEADER, orders_purchase(), orders_line())
}

fn members_table() -> impl Strategy<Value = Table> {
    table(MEMBERS_HEADER, members_first(), members_line())
}

fn kind(kind: TableKind) -> FileOptions {
    FileOptions {
        kind: Some(kind),
        ..Default::default()
    }
}

/// The rule on one file, then each term against the model.
fn assert_accounted(got: Counts, want: Counts, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        got.rows,
        got.accepted + got.duplicate_rows + got.rejected_rows,
        "rows = accepted + duplicate_rows + rejected_rows fails: {:?}\n{}",
        got,
        text
    );
    prop_assert_eq!(got, want, "counts differ from the lines'\n{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_orders_row_is_accounted_for(t in orders_table()) {
        let f = ingest("orders.csv", t.text.as_bytes(), &kind(TableKind::Orders))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", t.text)))?;
        assert_accounted(Counts::of(&f.summary), t.want, &t.text)?;
    }

    #[test]
    fn every_members_row_is_accounted_for(t in members_table()) {
        let f = ingest("members.csv", t.text.as_bytes(), &kind(TableKind::Members))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", t.text)))?;
        assert_accounted(Counts::of(&f.summary), t.want, &t.text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The report's `files[]` keep the same accounting, file by file, as the ingest summaries.
    #[test]
    fn report_files_keep_the_accounting(
        members in members_table(),
        online in orders_table(),
        pos in orders_table(),
    ) {
        let mut a = Analyzer::new();
        let inputs = [
            ("members.csv", &members, TableKind::Members),
            ("online.csv", &online, TableKind::Orders),
            ("pos.csv", &pos, TableKind::Orders),
        ];
        for (name, t, k) in inputs {
            let s = a
                .add_file(name, t.text.as_bytes().to_vec(), kind(k))
                .map_err(|e| TestCaseError::fail(format!("{name}: {e}\n{}", t.text)))?;
            assert_accounted(Counts::of(&s), t.want, &t.text)?;
        }
        let report = &a
            .analyze(&AnalysisOptions::default())
            .map_err(|e| TestCaseError::fail(format!("analysis: {e}")))?
            .report;
        prop_assert_eq!(report.files.len(), inputs.len());
        for (f, (name, t, _)) in report.files.iter().zip(inputs) {
            prop_assert_eq!(f.name.as_str(), name);
            let got = Counts {
                rows: f.rows,
                accepted: f.accepted,
                duplicate_rows: f.duplicate_rows,
                rejected_rows: f.rejected_rows,
            };
            assert_accounted(got, t.want, &t.text)?;
        }
    }
}
