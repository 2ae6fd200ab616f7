//! Shared helpers: fixture paths and loading, small inputs read or analysed in one call.

use std::path::PathBuf;

use memberlens::{ingest, Analysis, AnalysisOptions, Analyzer, Error, FileOptions};

/// Path of a shared fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(name)
}

/// Reads a fixture's bytes.
pub fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Analyses fixtures with default options.
pub fn analyze(names: &[&str]) -> Analysis {
    let mut a = Analyzer::new();
    for n in names {
        a.add_file(n, bytes(n), FileOptions::default())
            .unwrap_or_else(|e| panic!("{n}: {e}"));
    }
    a.analyze(&AnalysisOptions::default())
        .expect("analysis")
        .clone()
}

/// The omnichannel trio (member master, online orders, POS sales) analysed with default
/// options, forecasts on or off, in an `Analyzer` (for its exports, plan and report).
pub fn trio_analyzer(forecast: bool) -> Analyzer {
    let mut a = Analyzer::new();
    for n in ["members.csv", "online_orders_gbk.csv", "pos_sales.csv"] {
        a.add_file(n, bytes(n), FileOptions::default())
            .unwrap_or_else(|e| panic!("{n}: {e}"));
    }
    let mut opts = AnalysisOptions::default();
    opts.forecast.enabled = forecast;
    a.analyze(&opts).expect("analysis");
    a
}

/// The truth.json document.
pub fn truth() -> serde_json::Value {
    serde_json::from_slice(&bytes("truth.json")).expect("truth.json")
}

/// Analyses one CSV text (named `t.csv`) with default options.
pub fn analyze_csv(csv: &str) -> Analysis {
    let mut a = Analyzer::new();
    a.add_file("t.csv", csv.as_bytes().to_vec(), FileOptions::default())
        .expect("ingest");
    a.analyze(&AnalysisOptions::default())
        .expect("analysis")
        .clone()
}

/// The error reading `csv` (named `t.csv`) gives.
pub fn ingest_err(csv: &[u8]) -> Error {
    ingest("t.csv", csv, &FileOptions::default()).expect_err("an error")
}

/// The exported member table as header → cell maps (the plain side of the comparison).
pub fn exported_rows(a: &memberlens::Analysis) -> Vec<std::collections::HashMap<String, String>> {
    let bytes = memberlens::export::members_csv(a.members.iter());
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(|c| c.trim_start_matches('\'').to_string()))
                .collect()
        })
        .collect()
}
