//! Integration tests: one binary, a module per topic.

mod support;
mod truth;
