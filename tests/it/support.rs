//! Shared helpers: fixture paths and loading.

use std::path::PathBuf;

use memberlens::{Analysis, AnalysisOptions, Analyzer, FileOptions};

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

/// The truth.json document.
pub fn truth() -> serde_json::Value {
    serde_json::from_slice(&bytes("truth.json")).expect("truth.json")
}
