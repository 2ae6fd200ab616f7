//! Integration tests: one binary, a module per topic.

mod forecast;
mod support;
mod truth;
