//! flowdiff: a conformance checker and diff tool for OpenStack call flows.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! capture ──parse──▶ Trace ──normalize(RuleSet)──▶ Trace ──compare──▶ Report ──render──▶ text | json | …
//! ```
//!
//! # Comparing two captures
//!
//! [`Diff`] is the entry point: give it two captures as text (any supported format, mixed),
//! optionally rules and options, and [`Diff::compare`] runs the pipeline `flowdiff OLD NEW` runs
//! into a [`Report`]; [`Report::render`] writes it in any [`ReportFormat`].
//!
//! ```
//! // Two hook Markdown captures of `openstack image show`: the image went missing in NEW.
//! let capture = |status: &str, body: &str| {
//!     let path = "/image/v2/images/1c6e3d8a-5b3f-4f53-9d1e-0c5b8f3e2a71";
//!     format!(
//!         "### GET {path}\n`openstack` --> `glance-api`\n\n\
//!          === \"Body\"\n    ``` json\n    none\n    ```\n\n### {status} {path}\n\
//!          `openstack` <-- `glance-api`\n\n\
//!          === \"Body\"\n    ``` json\n    {body}\n    ```\n"
//!     )
//! };
//! let old = capture("200 OK", r#"{"name": "cirros", "status": "active"}"#);
//! let new = capture("404 NOT FOUND", r#"{"message": "no image"}"#);
//!
//! let report = flowdiff::Diff::new(&old, &new)
//!     .names("old.md", "new.md")
//!     .compare()?;
//! println!("verdict: {:?}", report.verdict);
//! assert_eq!(report.verdict, flowdiff::Verdict::Fail);
//! assert_eq!(report.counts.breaking, 3); // the status, and the two fields gone
//!
//! let mut text = Vec::new();
//! report.render(flowdiff::ReportFormat::Text, &mut text)?;
//! print!("{}", String::from_utf8_lossy(&text));
//! # Ok::<(), flowdiff::Error>(())
//! ```
//!
//! # The stages
//!
//! Each stage is a public module, for callers that need one step alone: [`parse::parse`] reads
//! a capture into a [`Trace`] (its example parses a Mermaid capture), [`normalize`] rewrites
//! what is volatile with a [`RuleSet`], [`compare::compare`] compares two normalized traces,
//! [`report`] renders what it found, [`trace_output`] writes a trace back out.
#![warn(missing_docs)]
#![deny(unreachable_pub)]

/// `serde_json::json!` building the model's [`Json`](crate::trace::Json), for unit tests.
#[cfg(test)]
macro_rules! model_json {
    ($($body:tt)+) => {
        crate::trace::Json::from(serde_json::json!($($body)+))
    };
}

mod cli;
mod commands;
pub mod compare;
mod config;
mod cores;
pub mod diff;
pub mod error;
mod fsutil;
pub mod golden;
mod intern;
pub mod normalize;
pub mod notes;
pub mod parse;
pub mod report;
pub mod severity;
#[cfg(test)]
mod test_support;
pub mod trace;
pub mod trace_output;

pub use diff::Diff;

/// The `flowdiff` command line, whole: parses `args` (the program name first, as
/// [`std::env::args_os`] gives them), runs the command, prints any error on stderr and returns
/// the exit status (0 pass, 1 findings that fail the run, 2 an error). The binary's `main` is
/// this one call.
pub fn run<I, T>(args: I) -> std::process::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser as _;
    // The other core starts and compiles the built-in rules while the arguments are parsed.
    cores::warm_up(|| drop(RuleSet::builtin()));
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(usage) => {
            // Help and version on stdout (exit 0), usage errors on stderr (2), as clap says.
            let _ = usage.print();
            return std::process::ExitCode::from(u8::try_from(usage.exit_code()).unwrap_or(2));
        }
    };
    match commands::run(&cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) if commands::is_broken_pipe(&error) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flowdiff: {error}");
            std::process::ExitCode::from(2)
        }
    }
}
pub use error::{Error, InputError, Result};
pub use normalize::RuleSet;
pub use report::{Report, ReportFormat, Verdict};
pub use severity::Severity;
pub use trace::{Body, Event, EventKind, Exchange, Format, Headers, Message, Signature, Trace};
