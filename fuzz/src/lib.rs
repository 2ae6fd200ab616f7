//! What the fuzz targets run on each input, with the invariants checked on every result. The
//! corpus test (`tests/it/fuzz_corpus.rs`) includes this file and runs every seed through the
//! same functions on stable, so CI exercises them without nightly or cargo-fuzz.
//!
//! Besides "no panic, no hang, no runaway allocation", each result must be consistent: every
//! row accounted for, warnings on real lines, parsed values in their bounds and read back the
//! same when written plainly.

use memberlens::ingest::values::{self, Currency};
use memberlens::ingest::TextEncoding;
use memberlens::{AnalysisOptions, FileOptions, Ingested, WarningKind};

/// The encodings a caller may force, chosen by the input's first byte.
const ENCODINGS: [Option<TextEncoding>; 5] = [
    None,
    Some(TextEncoding::Utf8),
    Some(TextEncoding::Gbk),
    Some(TextEncoding::Utf16Le),
    Some(TextEncoding::Utf16Be),
];

/// CSV ingest of arbitrary bytes: the first byte picks the options (its low two bits 0: an
/// encoding forced, chosen by the next three; its high bit: forecasts on), the rest is the
/// file. Whatever it reads is analysed.
pub fn csv_ingest(data: &[u8]) {
    let (opts, forecast, bytes) = match data.split_first() {
        Some((&b, rest)) => {
            let encoding = if b & 3 == 0 {
                ENCODINGS[usize::from(b >> 2) % ENCODINGS.len()]
            } else {
                None
            };
            (
                FileOptions {
                    encoding,
                    ..FileOptions::default()
                },
                b & 0x80 != 0,
                rest,
            )
        }
        None => (FileOptions::default(), false, data),
    };
    read_and_analyse("fuzz.csv", bytes, &opts, forecast);
}

/// XLSX ingest of arbitrary bytes: the input is read as a workbook (given the ZIP signature if
/// it lacks one, so that every input reaches the workbook reader), previewed and analysed.
pub fn xlsx_ingest(data: &[u8]) {
    const ZIP: &[u8] = b"PK\x03\x04";
    let bytes = if data.starts_with(ZIP) {
        data.to_vec()
    } else {
        [ZIP, data].concat()
    };
    let opts = FileOptions::default();
    if let Ok(p) = memberlens::ingest::preview("fuzz.xlsx", &bytes, &opts) {
        assert!(p.rows.len() <= 20, "a preview shows the first rows only");
        if let Some(sheet) = &p.sheet {
            assert!(
                p.sheets.contains(sheet),
                "the sheet read is one of the workbook's"
            );
        }
    }
    read_and_analyse("fuzz.xlsx", &bytes, &opts, false);
}

/// The cell parsers on any text: dates (in a zone chosen by the first byte), amounts, phones,
/// e-mails, member ids, flags. What is read is in bounds and reads back the same when written
/// plainly.
pub fn value_parsers(data: &[u8]) {
    let tz = data
        .first()
        .map_or(values::DEFAULT_TZ_OFFSET_MINUTES, |&b| {
            (i32::from(b) - 128) * 15 % (14 * 60)
        });
    let text = String::from_utf8_lossy(data);
    let s = text.as_ref();

    if let Ok(day) = values::parse_date(s, tz) {
        let (y, _, _) = values::civil_from_days(day);
        // The zone may move a date on the last or first day by one.
        assert!(
            (values::MIN_YEAR - 1..=values::MAX_YEAR + 1).contains(&y),
            "{s:?} read as year {y}"
        );
        let plain = values::format_day(day);
        assert_eq!(
            values::parse_date(&plain, tz),
            Ok(day),
            "{s:?} read as {plain}, which reads back otherwise"
        );
    }
    if let Some(day) = values::parse_iso_day(s) {
        assert_eq!(values::format_day(day), s.trim(), "{s:?}");
    }

    if let Ok((cents, _)) = values::parse_amount(s) {
        assert!(
            cents.unsigned_abs() <= values::MAX_AMOUNT as u64 * 100,
            "{s:?} read as {cents} cents, beyond the bound"
        );
        let plain = format!(
            "{}{}.{:02}",
            if cents < 0 { "-" } else { "" },
            cents.unsigned_abs() / 100,
            cents.unsigned_abs() % 100
        );
        assert_eq!(
            values::parse_amount(&plain),
            Ok((cents, Currency::Unmarked)),
            "{s:?} read as {plain}, which reads back otherwise"
        );
    }

    if let Some(p) = values::normalize_phone(s) {
        assert!(
            p.len() >= 5 && p.bytes().all(|b| b.is_ascii_digit()),
            "{s:?} → {p:?}"
        );
        assert_eq!(values::normalize_phone(&p).as_deref(), Some(p.as_str()));
    }
    if let Some(e) = values::normalize_email(s) {
        assert_eq!(values::normalize_email(&e).as_deref(), Some(e.as_str()));
    }
    if let Some(id) = values::normalize_member_id(s) {
        assert!(!id.is_empty());
        assert_eq!(
            values::normalize_member_id(&id).as_deref(),
            Some(id.as_str())
        );
    }
    let _ = values::parse_flag(s);
}

/// Ingests a file; checks every row is accounted for and every warning is on a line; then
/// analyses it (forecasts when `forecast`) and checks the inventory holds together.
fn read_and_analyse(name: &str, bytes: &[u8], opts: &FileOptions, forecast: bool) {
    let f: Ingested = match memberlens::ingest(name, bytes, opts) {
        Ok(f) => f,
        Err(e) => {
            // A whole-file error says what and where in both languages.
            assert!(!e.message_en().is_empty() && !e.message_zh().is_empty());
            return;
        }
    };
    let s = &f.output.summary;
    assert_eq!(
        s.rows,
        s.accepted + s.duplicate_rows + s.rejected_rows,
        "every row is accepted, a duplicate or rejected"
    );
    assert!(s.rows > 0, "a file read has data rows");
    for w in &f.warnings {
        if w.kind() != WarningKind::Notice {
            assert!(w.line >= 1, "a row warning is on a line: {w:?}");
        }
        let _ = (w.message_en(), w.message_zh());
    }
    let mut o = AnalysisOptions::default();
    o.forecast.enabled = forecast;
    if let Ok(a) = memberlens::run(&[&f], &o) {
        let i = &a.report.inventory;
        assert!(i.revenue.is_finite() && i.returns_amount.is_finite());
        assert!(i.buyers <= i.members_total, "buyers are members");
        assert!(i.purchase_orders >= i.buyers, "a buyer has a purchase");
        assert!(
            i.revenue.abs() <= 1e16,
            "revenue within the bound of its amounts"
        );
    }
}
