//! flowdiff's integration tests: one binary, one module per area.

mod bless;
mod common;
mod compare;
mod notes;
mod parse;
mod show;
