//! The fuzz targets' seed corpus (fuzz/corpus/<target>/) run through the targets' own entry
//! functions (fuzz/src/lib.rs), so CI exercises them and their invariants on stable, without
//! nightly or cargo-fuzz. `scripts/fuzz.sh` runs the fuzzers themselves.

#[path = "../../fuzz/src/lib.rs"]
mod entry;

use std::path::PathBuf;

/// Every seed of a target, by file name (a few dozen small files).
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.expect("a corpus entry").path();
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                bytes,
            )
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "{target}: a seed corpus of a few files at least"
    );
    files
}

/// Runs every seed; a panic names the seed.
fn run_all(target: &str, f: fn(&[u8])) {
    for (name, bytes) in seeds(target) {
        if std::panic::catch_unwind(|| f(&bytes)).is_err() {
            panic!("fuzz target {target} fails on its seed {name}");
        }
    }
}

#[test]
fn csv_ingest_seeds() {
    run_all("csv_ingest", entry::csv_ingest);
}

#[test]
fn xlsx_ingest_seeds() {
    run_all("xlsx_ingest", entry::xlsx_ingest);
}

#[test]
fn value_parser_seeds() {
    run_all("value_parsers", entry::value_parsers);
}

/// The seeds reach what they are for: some CSV seeds are read and some refused, some
/// workbooks are read (the hand-made ones are valid XLSX), and the value seeds hold dates and
/// amounts the parsers accept.
#[test]
fn seeds_reach_the_readers() {
    let opts = memberlens::FileOptions::default();
    let csv: Vec<bool> = seeds("csv_ingest")
        .iter()
        .map(|(_, b)| memberlens::ingest("s.csv", &b[1..], &opts).is_ok())
        .collect();
    assert!(csv.iter().filter(|ok| **ok).count() >= 20 && csv.contains(&false));
    let xlsx = seeds("xlsx_ingest")
        .iter()
        .filter(|(_, b)| memberlens::ingest("s.xlsx", b, &opts).is_ok())
        .count();
    assert!(xlsx >= 3, "workbooks read: {xlsx}");
    let values = seeds("value_parsers");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let dates = values
        .iter()
        .filter(|(_, b)| memberlens::ingest::values::parse_date(&text(b), 480).is_ok())
        .count();
    let amounts = values
        .iter()
        .filter(|(_, b)| memberlens::ingest::values::parse_amount(&text(b)).is_ok())
        .count();
    assert!(
        dates >= 10 && amounts >= 10,
        "dates {dates}, amounts {amounts}"
    );
}
