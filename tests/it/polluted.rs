//! The polluted-export suite (issue 17, item 7): order exports polluted the way the Pollock
//! benchmark pollutes CSVs (`pollute.rs`), each either analysed as its clean table minus the
//! rows the engine reported, or refused with a clear whole-file error. docs/robustness.md.
//!
//! `cargo test --release --test it polluted -- --nocapture` prints the pass table per kind.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use memberlens::{
    ingest, AnalysisOptions, Analyzer, Error, FileOptions, Warning, WarningCode, WarningKind,
};

use crate::pollute::{fixture_windows, pollute, synthetic, Polluted, Table};

/// Kinds the engine does not survive yet (issue 17): their failures are printed (the first
/// ones of each kind, smallest table first) but not asserted. Shrink this as fixes land.
const KNOWN_FAILING: &[&str] = &[];

/// Every kind the generator makes (docs/robustness.md describes each).
const KINDS: &[&str] = &[
    "clean",
    "extra_delimiter_row",
    "missing_delimiter_row",
    "extra_delimiter_column",
    "missing_delimiter_column",
    "extra_delimiter_header",
    "missing_delimiter_header",
    "quote_field_start",
    "quote_field_middle",
    "quote_field_end",
    "changed_delimiter",
    "changed_quote",
    "changed_escape",
    "preamble",
    "footer",
    "empty_lines",
    "line_ends",
    "second_table",
    "encoding",
];

/// Kinds whose pollution damages the header or every row: a clear whole-file error is as good
/// as a reading. Everywhere else the file must be read (domain.md §2 and issue 17 say these
/// are handled: delimiters, encodings, line ends, blank lines, preambles, footers, a second
/// table, a bad row), so an error is a failure.
const MAY_REFUSE: &[&str] = &[
    "extra_delimiter_column",
    "missing_delimiter_column",
    "extra_delimiter_header",
    "missing_delimiter_header",
    "changed_quote",
    "changed_escape",
];

/// The figures compared: member count, buyers, purchases, revenue and returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Figures {
    members: usize,
    buyers: usize,
    purchases: usize,
    revenue_cents: i64,
    return_rows: usize,
    returns_cents: i64,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "members {}, buyers {}, purchases {}, revenue {:.2}, returns {} ({:.2})",
            self.members,
            self.buyers,
            self.purchases,
            self.revenue_cents as f64 / 100.0,
            self.return_rows,
            self.returns_cents as f64 / 100.0
        )
    }
}

/// What the engine made of a file.
enum Outcome {
    /// Read: the figures and every row warning.
    Read {
        figures: Figures,
        warnings: Vec<Warning>,
    },
    /// Refused as a whole.
    Refused(Error),
}

fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// Reads and analyses one file with default options (no forecasts: they are not compared).
fn run(bytes: &[u8]) -> Outcome {
    let ingested = match ingest("p.csv", bytes, &FileOptions::default()) {
        Ok(f) => f,
        Err(e) => return Outcome::Refused(e),
    };
    let s = &ingested.output.summary;
    assert_eq!(
        s.rows,
        s.accepted + s.duplicate_rows + s.rejected_rows,
        "every row is accepted, a duplicate or rejected"
    );
    let mut a = Analyzer::new();
    a.add_file("p.csv", bytes.to_vec(), FileOptions::default())
        .expect("read once already");
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = false;
    let figures = match a.analyze(&opts) {
        Ok(an) => {
            let i = &an.report.inventory;
            Figures {
                members: i.members_total,
                buyers: i.buyers,
                purchases: i.purchase_orders,
                revenue_cents: cents(i.revenue),
                return_rows: i.return_rows,
                returns_cents: cents(i.returns_amount),
            }
        }
        // Nothing left to analyse is a reading too: no purchase, no buyer.
        Err(Error::NoPurchases) => Figures::default(),
        Err(e) => panic!("analysis of a read file: {e}"),
    };
    Outcome::Read {
        figures,
        warnings: ingested.warnings,
    }
}

/// The figures of a clean table (all rows removed reads as nothing).
fn reference(t: &Table, cache: &mut HashMap<String, Figures>) -> Figures {
    let text = t.to_csv();
    if let Some(f) = cache.get(&text) {
        return *f;
    }
    let f = match run(text.as_bytes()) {
        Outcome::Read { figures, .. } => figures,
        Outcome::Refused(Error::HeaderOnly { .. }) if t.rows.is_empty() => Figures::default(),
        Outcome::Refused(e) => panic!("{}: the clean table is refused: {e}", t.name),
    };
    cache.insert(text, f);
    f
}

/// Lines a warning reports: its own, and for a second table left out as a whole (one
/// warning on its header line, naming how many rows), the lines of those rows.
fn warned_lines(w: &Warning, p: &Polluted) -> Vec<usize> {
    let mut lines = vec![w.line];
    if let WarningCode::SecondTable { rows, .. } = &w.code {
        // Its rows are the records after the header line: a row's lines together (a quoted
        // line feed), any other line on its own.
        let (mut records, mut last) = (0, None);
        for l in w.line + 1..=p.line_rows.len() {
            let r = p.line_rows[l - 1];
            if r.is_none() || r != last {
                records += 1;
            }
            if records > *rows {
                break;
            }
            lines.push(l);
            last = r;
        }
    }
    lines
}

/// A whole-file error a person can act on: it names the file and is not one that misleads
/// about a file with data rows in it (empty, header only, not a table).
fn clear(e: &Error) -> bool {
    e.file().is_some() && !matches!(e.code(), "empty_file" | "header_only" | "not_a_table")
}

/// How a polluted file fared.
enum Verdict {
    Pass,
    Fail(String),
}

/// The rule: the file's figures equal those of its clean table minus the rows the engine
/// reported (all of them, or only those rejected, not those kept with a field left out or a
/// stray quote read as a character), or the file is refused with a clear error where its kind
/// allows that.
fn judge(p: &Polluted, cache: &mut HashMap<String, Figures>) -> Verdict {
    match run(&p.bytes) {
        Outcome::Refused(e) => {
            if MAY_REFUSE.contains(&p.kind) && clear(&e) {
                Verdict::Pass
            } else {
                Verdict::Fail(format!("refused with {} ({})", e.code(), e.message_en()))
            }
        }
        Outcome::Read { figures, warnings } => {
            if warnings.len() >= memberlens::ingest::MAX_WARNINGS_PER_FILE {
                return Verdict::Fail("too many warnings to tell the reported rows".into());
            }
            // The reported rows: those a warning's line falls in, or only those it starts
            // (a warning on a later line of a row that holds a line feed may be about a
            // fragment, the row's start having been read as a whole row); with every warning,
            // or only those rejecting a row (not a field left out of a row kept).
            let rows_of = |keep: &dyn Fn(&Warning) -> bool, starts: bool| -> BTreeSet<usize> {
                warnings
                    .iter()
                    .filter(|w| keep(w))
                    .flat_map(|w| warned_lines(w, p))
                    .filter_map(|l| {
                        if starts {
                            p.row_starting_at(l)
                        } else {
                            p.row_at_line(l)
                        }
                    })
                    .collect()
            };
            // Warnings on rows kept: a field left out, a stray quote read as a character, a
            // file notice.
            let rejecting = |w: &Warning| {
                !matches!(
                    w.kind(),
                    WarningKind::FieldIgnored | WarningKind::StrayQuote | WarningKind::Notice
                )
            };
            let all = rows_of(&|_| true, false);
            let mut candidates = vec![
                all.clone(),
                rows_of(&rejecting, false),
                rows_of(&|_| true, true),
                rows_of(&rejecting, true),
            ];
            candidates.dedup();
            if candidates
                .iter()
                .any(|removed| figures == reference(&p.clean.without(removed), cache))
            {
                return Verdict::Pass;
            }
            let expected_all = reference(&p.clean.without(&all), cache);
            let warned: Vec<String> = warnings
                .iter()
                .map(|w| format!("line {}: {}", w.line, w.kind().key()))
                .collect();
            Verdict::Fail(format!(
                "read as   {figures}\nexpected  {expected_all} (clean minus reported rows {:?})\nwarnings  [{}]",
                all.iter().map(|r| r + 1).collect::<Vec<_>>(),
                warned.join(", ")
            ))
        }
    }
}

/// The clean tables: the synthetic ones and windows of the order fixtures.
fn bases() -> Vec<Table> {
    let mut t = synthetic();
    for f in [
        "online_orders_gbk.csv",
        "pos_sales.csv",
        "shop_orders_en.csv",
    ] {
        t.extend(fixture_windows(f, 2, 30));
    }
    t
}

/// The start of a polluted text, line ends and tabs shown, for a person to read.
fn excerpt(p: &Polluted) -> String {
    let shown = p
        .text
        .replace('\t', "\\t")
        .replace("\r\n", "\\r\\n\n")
        .replace('\r', "\\r\n");
    let lines: Vec<&str> = shown.lines().collect();
    let mut s: String = lines
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, l)| format!("    {:>3} | {l}\n", i + 1))
        .collect();
    if lines.len() > 12 {
        s += &format!("    ... {} lines in all\n", lines.len());
    }
    s
}

#[derive(Default)]
struct Tally {
    files: usize,
    pass: usize,
    /// Failures: the base's size, the base, and the file and why.
    failures: Vec<(usize, String, String)>,
}

#[test]
fn polluted_exports_read_as_clean_minus_reported_rows_or_are_refused() {
    let started = std::time::Instant::now();
    let mut cache = HashMap::new();
    let mut tally: BTreeMap<&'static str, Tally> = BTreeMap::new();
    for base in bases() {
        for p in pollute(&base) {
            let t = tally.entry(p.kind).or_default();
            t.files += 1;
            match judge(&p, &mut cache) {
                Verdict::Pass => t.pass += 1,
                Verdict::Fail(why) => t.failures.push((
                    p.clean.rows.len(),
                    p.base.clone(),
                    format!(
                        "  [{}] {} / {}\n{}{}",
                        p.kind,
                        p.base,
                        p.variant,
                        excerpt(&p),
                        why.lines()
                            .map(|l| format!("    {l}\n"))
                            .collect::<String>()
                    ),
                )),
            }
        }
    }

    println!(
        "\npolluted exports ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("{:<28} {:>6} {:>6} {:>6}", "kind", "files", "pass", "fail");
    let mut unexpected = Vec::new();
    for (kind, t) in &tally {
        let known = KNOWN_FAILING.contains(kind);
        println!(
            "{:<28} {:>6} {:>6} {:>6}{}",
            kind,
            t.files,
            t.pass,
            t.failures.len(),
            match (known, t.failures.is_empty()) {
                (true, true) => "  known failing, but passes: remove it from KNOWN_FAILING",
                (true, false) => "  (known failing)",
                _ => "",
            }
        );
        if !t.failures.is_empty() && !known {
            unexpected.push(*kind);
        }
    }
    let (files, pass) = tally
        .values()
        .fold((0, 0), |(f, p), t| (f + t.files, p + t.pass));
    println!(
        "{:<28} {:>6} {:>6} {:>6}  ({:.1}% read as clean minus reported rows or refused clearly)",
        "all",
        files,
        pass,
        files - pass,
        100.0 * pass as f64 / files as f64
    );
    for (kind, t) in &mut tally {
        if t.failures.is_empty() {
            continue;
        }
        let mut by_base: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, base, _) in &t.failures {
            *by_base.entry(base).or_default() += 1;
        }
        let by_base: Vec<String> = by_base.iter().map(|(b, n)| format!("{b}: {n}")).collect();
        println!("\n{kind}: failures by base: {}", by_base.join(", "));
        t.failures.sort_by_key(|(n, _, _)| *n);
        for (_, _, f) in t.failures.iter().take(3) {
            println!("{f}");
        }
    }
    for k in KNOWN_FAILING.iter().chain(MAY_REFUSE) {
        assert!(KINDS.contains(k), "not a kind: {k}");
    }
    assert!(
        unexpected.is_empty(),
        "polluted exports read wrong without saying so, or refused: {unexpected:?} (see the failures above)"
    );
    // The generator itself: every kind made files, and the clean texts read as themselves.
    assert_eq!(tally["clean"].pass, tally["clean"].files);
    for kind in KINDS {
        assert!(tally.contains_key(kind), "no file of kind {kind}");
    }
}

/// The rule can fail: a row silently dropped, or a file read with an unreported wrong value,
/// is caught (so a pass above means something).
#[test]
fn the_rule_catches_a_silently_lost_row_and_a_shifted_value() {
    let t = synthetic().remove(0);
    let mut cache = HashMap::new();
    let mut p = pollute(&t)
        .into_iter()
        .find(|p| p.kind == "clean")
        .expect("the clean file");
    // The file read lacks row 2 but the clean table says it is there: revenue differs.
    let mut lost = t.clone();
    lost.rows.remove(1);
    p.bytes = lost.to_csv().into_bytes();
    assert!(matches!(judge(&p, &mut cache), Verdict::Fail(_)));
    // An amount read from another place (no warning) is caught too.
    let mut shifted = t.clone();
    let amount = t
        .header
        .iter()
        .position(|h| h == "实付金额")
        .expect("an amount column");
    shifted.rows[0][amount] = "10.00".into();
    p.bytes = shifted.to_csv().into_bytes();
    assert!(matches!(judge(&p, &mut cache), Verdict::Fail(_)));
    // The same row reported (a bad date) and left out is a pass.
    let mut reported = t.clone();
    let date = t
        .header
        .iter()
        .position(|h| h == "下单时间")
        .expect("a date column");
    reported.rows[1][date] = "not a date".into();
    p.bytes = reported.to_csv().into_bytes();
    assert!(matches!(judge(&p, &mut cache), Verdict::Pass));
}
