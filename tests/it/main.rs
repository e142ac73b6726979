//! flowdiff's integration tests: one binary, one module per area.

mod common;
mod compare;
mod normalize;
mod parse;
mod show;
