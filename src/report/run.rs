//! Comparing two captures of many flows (Tempest logs, run against run): a summary of the flows
//! compared, changed, and present on one side only, then the reports of the flows compared.
//!
//! A flow on one side only (a test added, removed or renamed) is **not comparable**: it is one
//! `info` line, never a pile of missing calls.

use super::ReportFormat;
use super::{closing, formats, render_with as render, Report, Settings, Tally, Verdict};
use serde::Serialize;
use std::io::{self, Write};

/// The schema name of a run's JSON document.
pub const SCHEMA: &str = "flowdiff-run/v1";

/// How the flows of OLD and NEW paired up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Flows in both captures, compared.
    pub compared: usize,
    /// Of those, flows with at least one finding.
    pub changed: usize,
    /// Flows only OLD has (not comparable).
    pub only_in_old: Vec<String>,
    /// Flows only NEW has (not comparable).
    pub only_in_new: Vec<String>,
}

/// A comparison of two captures of many flows.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The OLD capture.
    pub old: String,
    /// The NEW capture.
    pub new: String,
    /// Pass when no flow's report fails.
    pub verdict: Verdict,
    /// How the flows paired up.
    pub summary: Summary,
    /// One report per flow compared, in NEW's order.
    pub reports: Vec<Report>,
}

impl Run {
    /// The run of `reports`, with the flows found on one side only.
    pub fn new(
        (old, new): (String, String),
        reports: Vec<Report>,
        only_in_old: Vec<String>,
        only_in_new: Vec<String>,
    ) -> Run {
        let summary = Summary {
            compared: reports.len(),
            changed: reports.iter().filter(|r| !r.findings.is_empty()).count(),
            only_in_old,
            only_in_new,
        };
        let verdict = if reports.iter().any(|r| r.verdict == Verdict::Fail) {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        Run {
            schema: SCHEMA,
            old,
            new,
            verdict,
            summary,
            reports,
        }
    }

    /// One line per flow on one side only.
    fn not_comparable(&self) -> impl Iterator<Item = String> + '_ {
        let old = self
            .summary
            .only_in_old
            .iter()
            .map(|f| format!("{f}: only in old ({}), not comparable", self.old));
        let new = self
            .summary
            .only_in_new
            .iter()
            .map(|f| format!("{f}: only in new ({}), not comparable", self.new));
        old.chain(new)
    }

    fn headline(&self) -> String {
        let s = &self.summary;
        format!(
            "{} flows compared, {} changed, {} only in old, {} only in new",
            s.compared,
            s.changed,
            s.only_in_old.len(),
            s.only_in_new.len()
        )
    }
}

/// Renders a run: the summary, then the reports of the flows that changed (all of them in
/// JSON and JUnit, where every compared flow is a record or a test case); text and Markdown end
/// with the line across every flow compared, printed or not.
pub fn render_run(
    run: &Run,
    format: ReportFormat,
    styles: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    let changed: Vec<Report> = run
        .reports
        .iter()
        .filter(|r| !r.findings.is_empty() || !r.warnings.is_empty())
        .cloned()
        .collect();
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, run).map_err(io::Error::from)?;
            writeln!(out)
        }
        ReportFormat::Junit => render(&run.reports, format, styles, out),
        ReportFormat::Text => {
            writeln!(out, "old {}\nnew {}", run.old, run.new)?;
            writeln!(out, "{}", run.headline())?;
            for line in run.not_comparable() {
                writeln!(out, "info: {line}")?;
            }
            if !changed.is_empty() {
                writeln!(out)?;
                formats(&changed, format, styles, out)?;
            }
            closing(Tally::of(&run.reports, 0), format, styles, out)
        }
        ReportFormat::Markdown => {
            writeln!(out, "## flowdiff: {}\n", run.headline())?;
            for line in run.not_comparable() {
                writeln!(out, "- info: {line}")?;
            }
            writeln!(out)?;
            formats(&changed, format, styles, out)?;
            closing(Tally::of(&run.reports, 0), format, styles, out)
        }
        ReportFormat::Html => {
            let mut intro = vec![run.headline()];
            intro.extend(run.not_comparable().map(|l| format!("info: {l}")));
            super::html::render(&changed, &[], &intro, styles.full, out)
        }
        ReportFormat::Mermaid => {
            writeln!(out, "%% {}", run.headline())?;
            for line in run.not_comparable() {
                writeln!(out, "%% info: {}", super::mermaid::comment(&line))?;
            }
            render(&changed, format, styles, out)
        }
        ReportFormat::Github => {
            for line in run.not_comparable() {
                let text = super::github::data(&line);
                writeln!(out, "::notice title=flowdiff not comparable::{text}")?;
            }
            render(&changed, format, styles, out)
        }
    }
}
