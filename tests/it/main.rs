//! Integration tests: one binary, a module per topic.

mod cli;
mod edges;
mod forecast;
mod robustness;
mod support;
mod truth;
