//! flowdiff's integration tests: one binary, one module per area.

mod accept;
mod bless;
mod browser;
mod common;
mod compare;
mod default_rules;
mod diagram;
mod golden;
mod layout;
mod library;
mod normalize;
mod notes;
mod output_files;
mod parse;
mod review;
mod schemas;
mod secrets;
mod show;
mod visual;
