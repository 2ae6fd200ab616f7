//! Integration tests: one binary, a module per topic; `regression` holds the tests named after
//! what broke.

mod accounting;
mod chunks;
mod cli;
mod client_report;
mod export;
mod forecast;
mod forecast_models;
mod fuzz_corpus;
mod golden;
mod growth;
mod ingest;
mod linking;
mod orders;
mod pollute;
mod polluted;
mod regression;
mod rfm;
mod robustness;
mod rules;
mod steps;
mod strategy;
mod support;
mod tags;
mod truth;
mod warehouse;
