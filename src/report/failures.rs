//! Captures a run could not check (unreadable, not a capture, no golden for them): reported
//! next to the reports of the ones it could, in every format, so one bad file does not hide the
//! results of the others (the run still exits 2).

use super::ReportFormat;
use super::{github, Report};
use serde::Serialize;
use std::io::{self, Write};

/// The schema name of a failure's JSON object.
pub const SCHEMA: &str = "flowdiff-error/v1";

/// A capture that could not be checked, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The capture file.
    pub source: String,
    /// The error, as `flowdiff: …` would print it (file and line included).
    pub error: String,
}

impl Failure {
    /// A failure of `source` with `error`.
    pub fn new(source: String, error: String) -> Failure {
        Failure {
            schema: SCHEMA,
            source,
            error,
        }
    }
}

/// The schema name of `check`'s JSON document.
pub const CHECK_SCHEMA: &str = "flowdiff-check/v1";

/// `check`'s JSON: one document whatever the number of captures, `{"schema", "summary":
/// {"flows", "pass", "fail", "not_checked"}, "results": [report or error object, …]}`.
pub(super) fn json(
    reports: &[Report],
    failures: &[Failure],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut results: Vec<serde_json::Value> = Vec::with_capacity(reports.len() + failures.len());
    for r in reports {
        results.push(serde_json::to_value(r).map_err(io::Error::from)?);
    }
    for f in failures {
        results.push(serde_json::to_value(f).map_err(io::Error::from)?);
    }
    let failed = reports
        .iter()
        .filter(|r| r.verdict == super::Verdict::Fail)
        .count();
    let document = serde_json::json!({
        "schema": CHECK_SCHEMA,
        "summary": {
            "flows": reports.len(),
            "pass": reports.len() - failed,
            "fail": failed,
            "not_checked": failures.len(),
        },
        "results": results,
    });
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}

/// The failures after the reports, in the text, Markdown and GitHub formats.
pub(super) fn after(
    failures: &[Failure],
    format: ReportFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    for f in failures {
        match format {
            ReportFormat::Github => writeln!(
                out,
                "::error file={},title=flowdiff could not check::{}",
                github::property(&f.source),
                github::data(&f.error)
            )?,
            ReportFormat::Markdown => writeln!(
                out,
                "\n- ❌ **not checked**: {}",
                super::markdown::escape(&f.error)
            )?,
            ReportFormat::Mermaid => writeln!(
                out,
                "\n%% not checked: {}",
                super::mermaid::comment(&f.error)
            )?,
            _ => writeln!(out, "\nerror: {}", f.error)?,
        }
    }
    Ok(())
}
