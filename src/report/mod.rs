//! Reports: findings, counts and verdict, and their renderers (one file per output format).
//!
//! [`Report`] is the only thing renderers see; adding an output format is one new file here
//! plus one arm in [`render`].

mod accepted;
pub mod diagram;
pub mod failures;
mod github;
pub mod html;
mod json;
mod junit;
mod markdown;
mod markup;
pub mod mermaid;
pub mod run;
pub mod styles;
mod svg;
mod text;

pub use styles::Styles;

use crate::compare::accept::{finding_id, Accepted, Accepts, Unused};
use crate::compare::{Comparison, Finding, Row, Suppressed, Warning};
use crate::error::Error;
use crate::severity::Severity;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

/// The JSON report's schema name.
pub const SCHEMA: &str = "flowdiff/v1";

/// The output formats of comparison reports (the `--format` values: clap's [`ValueEnum`]
/// names them, and `flowdiff.toml`'s `format` takes the same names).
///
/// [`ValueEnum`]: clap::ValueEnum
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Colored text for a terminal.
    Text,
    /// The flowdiff/v1 JSON report.
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
    /// JUnit XML: one testcase per flow.
    Junit,
    /// GitHub Actions `::error` annotations.
    Github,
    /// A Mermaid sequenceDiagram of the compared flow (one per flow).
    Mermaid,
    /// One self-contained HTML page: diagram, side-by-side calls, expandable findings.
    Html,
}

/// One side of a comparison as reports name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// Where the trace came from (`golden/image-create.md`, `new.md`).
    pub source: String,
    /// The flow's name, when known.
    pub flow: Option<String>,
    /// Number of exchanges.
    pub exchanges: usize,
    /// What parsing the capture warned about (a request never answered, a body that does not
    /// parse), for library callers; the command line prints them on stderr as it reads, and
    /// they are not part of the JSON shape.
    #[serde(skip)]
    pub parse_warnings: Vec<crate::trace::Warning>,
}

impl Side {
    /// The side of `trace`, read from `source`.
    pub fn new(source: &str, trace: &crate::trace::Trace) -> Side {
        Side {
            source: source.to_string(),
            flow: trace.name.clone(),
            exchanges: trace.exchanges.len(),
            parse_warnings: trace.warnings.clone(),
        }
    }
}

/// Whether a comparison passes the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No finding at or above the threshold.
    Pass,
    /// At least one finding at or above the threshold.
    Fail,
}

/// Findings per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Breaking findings.
    pub breaking: usize,
    /// Warnings.
    pub warning: usize,
    /// Informational findings.
    pub info: usize,
    /// Findings accepted by the config file (left out of the verdict and the counts above).
    pub accepted: usize,
}

/// The result of comparing OLD with NEW: what every renderer draws (the `flowdiff/v1` shape).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The reference side.
    pub old: Side,
    /// The side under test.
    pub new: Side,
    /// Pass or fail against the threshold.
    pub verdict: Verdict,
    /// Findings per severity.
    pub counts: Counts,
    /// What was treated as noise.
    pub suppressed: Suppressed,
    /// Warnings about the comparison as a whole (absent from the JSON when there is none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Findings in flow order.
    pub findings: Vec<Finding>,
    /// Findings accepted by the config file, with their reasons.
    pub accepted: Vec<Accepted>,
    /// Accept entries that matched nothing in the whole run (on the first report only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unused_accepts: Vec<Unused>,
    /// The flow view (text and markdown use it; not part of the JSON shape).
    #[serde(skip)]
    pub rows: Vec<Row>,
    /// The severity that fails the gate (`None`: never).
    #[serde(skip)]
    pub threshold: Option<Severity>,
    /// Whether text and markdown list the accepted findings (`--show-accepted`).
    #[serde(skip)]
    pub show_accepted: bool,
}

impl Report {
    /// Builds a report: every finding gets its id, findings `accepts` accepts move to
    /// [`Report::accepted`], and the others at or above `threshold` make it fail.
    pub fn new(
        old: Side,
        new: Side,
        mut comparison: Comparison,
        threshold: Option<Severity>,
        accepts: &Accepts,
    ) -> Report {
        let flow = old.flow.clone().or_else(|| new.flow.clone());
        let mut accepted = Vec::new();
        comparison.findings.retain_mut(|f| {
            f.id = finding_id(f, flow.as_deref());
            match accepts.accept(f, flow.as_deref()) {
                Some(a) => {
                    accepted.push(a);
                    false
                }
                None => true,
            }
        });
        let mut counts = Counts {
            accepted: accepted.len(),
            ..Counts::default()
        };
        for f in &comparison.findings {
            match f.severity {
                Severity::Breaking => counts.breaking += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        let fails = |f: &Finding| threshold.is_some_and(|t| f.severity >= t);
        let verdict = if comparison.findings.iter().any(fails) {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        Report {
            schema: SCHEMA,
            old,
            new,
            verdict,
            counts,
            suppressed: comparison.suppressed,
            warnings: comparison.warnings,
            findings: comparison.findings,
            accepted,
            unused_accepts: Vec::new(),
            rows: comparison.rows,
            threshold,
            show_accepted: false,
        }
    }

    /// True when this finding counts against the gate.
    pub fn fails(&self, finding: &Finding) -> bool {
        self.threshold.is_some_and(|t| finding.severity >= t)
    }

    /// The report with only the findings at or above `lowest` (`--show`); counts and verdict
    /// stay those of every finding.
    pub fn showing(mut self, lowest: Severity) -> Report {
        self.findings.retain(|f| f.severity >= lowest);
        self
    }

    /// Writes the report in `format` to `out`, as `flowdiff OLD NEW --format FORMAT` prints it
    /// without color.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] when `out` fails, [`Error::Serialize`] when the JSON cannot be
    /// serialized.
    pub fn render(&self, format: ReportFormat, out: &mut dyn Write) -> Result<(), Error> {
        render_with(
            std::slice::from_ref(self),
            format,
            &Settings::default(),
            out,
        )
        .map_err(|error| match crate::error::serialization(error) {
            Ok(source) => Error::Serialize {
                what: "report",
                source,
            },
            Err(source) => Error::Write { source },
        })
    }

    /// `new.md` (`openstack image create`), for headings.
    pub fn title(&self) -> String {
        match &self.new.flow {
            Some(flow) => format!("{flow} ({})", self.new.source),
            None => self.new.source.clone(),
        }
    }
}

/// How to render, beyond the format: decided once by the command layer.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Terminal styles (text only).
    pub styles: Styles,
    /// The directory Markdown links are relative to (the output file's, or the working
    /// directory); `None`: no links.
    pub links_from: Option<PathBuf>,
    /// Diagrams draw every call instead of folding runs of unchanged ones (`--full`).
    pub full: bool,
}

impl Settings {
    /// Settings with these styles and no links.
    pub fn styled(styles: Styles) -> Settings {
        Settings {
            styles,
            links_from: None,
            full: false,
        }
    }
}

/// Renders `reports` in `format`; several reports (from `check`) render one after another
/// (JSON: an array).
pub fn render(
    reports: &[Report],
    format: ReportFormat,
    styles: &Styles,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_with(reports, format, &Settings::styled(*styles), out)
}

/// [`render`] with all the settings.
pub fn render_with(
    reports: &[Report],
    format: ReportFormat,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_checked(reports, None, format, settings, out)
}

/// [`render_with`] for `check` (`failures` is `Some`, maybe empty): JSON is one
/// `flowdiff-check/v1` document whatever the number of captures, and the captures that could
/// not be checked are reported next to the others (JSON error objects in its results, a JUnit
/// test suite with an `<error>` each, a line each after the reports in the other formats).
/// Text and Markdown end with the line across flows ([`Tally`]).
pub fn render_checked(
    reports: &[Report],
    failures: Option<&[failures::Failure]>,
    format: ReportFormat,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let (Some(failures), ReportFormat::Json) = (failures, format) {
        return failures::json(reports, failures, out);
    }
    if format == ReportFormat::Html {
        return html::render(
            reports,
            failures.unwrap_or_default(),
            &[],
            settings.full,
            out,
        );
    }
    let failures = failures.unwrap_or_default();
    if failures.is_empty() {
        formats(reports, format, settings, out)?;
    } else if format == ReportFormat::Junit {
        junit::render_with_failures(reports, failures, out)?;
    } else {
        if !reports.is_empty() {
            formats(reports, format, settings, out)?;
        }
        failures::after(failures, format, out)?;
    }
    closing(Tally::of(reports, failures.len()), format, settings, out)
}

/// The reports in `format`, one after another (JSON: an object, an array for several), without
/// the closing line.
fn formats(
    reports: &[Report],
    format: ReportFormat,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ReportFormat::Text => text::render(reports, &settings.styles, out),
        ReportFormat::Json => json::render(reports, out),
        ReportFormat::Markdown => {
            markdown::render(reports, settings.links_from.as_deref(), settings.full, out)
        }
        ReportFormat::Junit => junit::render(reports, out),
        ReportFormat::Github => github::render(reports, out),
        ReportFormat::Mermaid => mermaid::render(reports, settings.full, out),
        ReportFormat::Html => html::render(reports, &[], &[], settings.full, out),
    }
}

/// How the flows of a run fared: every flow compared counts, printed or not (a run of many
/// flows prints only the reports of the flows that changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Flows whose report passes.
    pub pass: usize,
    /// Flows whose report fails.
    pub fail: usize,
    /// Captures that could not be checked.
    pub not_checked: usize,
}

impl Tally {
    /// The tally of `reports`, and of `not_checked` captures that could not be checked.
    pub fn of(reports: &[Report], not_checked: usize) -> Tally {
        let fail = reports
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .count();
        Tally {
            pass: reports.len() - fail,
            fail,
            not_checked,
        }
    }

    /// `12 flows: 11 pass, 1 fail` (`; 1 capture not checked`), the closing line of text and
    /// Markdown output; `None` for a single flow.
    pub fn line(self) -> Option<String> {
        let flows = self.pass + self.fail;
        if flows + self.not_checked < 2 {
            return None;
        }
        let plural = if flows == 1 { "flow" } else { "flows" };
        let mut line = format!("{flows} {plural}: {} pass, {} fail", self.pass, self.fail);
        match self.not_checked {
            0 => {}
            1 => line.push_str("; 1 capture not checked"),
            n => line.push_str(&format!("; {n} captures not checked")),
        }
        Some(line)
    }
}

/// Writes the closing line of `tally` in text (bold) and Markdown; nothing in other formats.
pub(crate) fn closing(
    tally: Tally,
    format: ReportFormat,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(line) = tally.line() else {
        return Ok(());
    };
    match format {
        ReportFormat::Text => {
            use owo_colors::OwoColorize;
            writeln!(out)?;
            writeln!(out, "{}", line.style(settings.styles.bold))
        }
        ReportFormat::Markdown => write!(out, "\n{line}\n"),
        // HTML has its summary table on top; the others carry no prose.
        ReportFormat::Json
        | ReportFormat::Junit
        | ReportFormat::Github
        | ReportFormat::Mermaid
        | ReportFormat::Html => Ok(()),
    }
}

/// `12`, or `–` when the call has no side there.
pub(crate) fn step_label(step: Option<usize>) -> String {
    step.map_or_else(|| "–".to_string(), |s| s.to_string())
}

/// Row position of every finding: its new step's row, else its old step's.
pub(crate) fn findings_by_row(report: &Report) -> HashMap<usize, Vec<&Finding>> {
    let mut by_new = HashMap::new();
    let mut by_old = HashMap::new();
    for (pos, row) in report.rows.iter().enumerate() {
        if let Some(n) = row.new_step {
            by_new.insert(n, pos);
        }
        if let Some(o) = row.old_step {
            by_old.insert(o, pos);
        }
    }
    let mut out: HashMap<usize, Vec<&Finding>> = HashMap::new();
    for f in &report.findings {
        let pos = f
            .new_step
            .and_then(|n| by_new.get(&n))
            .or_else(|| f.old_step.and_then(|o| by_old.get(&o)));
        if let Some(&pos) = pos {
            out.entry(pos).or_default().push(f);
        }
    }
    out
}

/// A call line `caller -> callee METHOD path` in its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallParts<'a> {
    /// The calling service.
    pub caller: &'a str,
    /// The called service.
    pub callee: &'a str,
    /// The HTTP method.
    pub method: &'a str,
    /// The path template.
    pub path: &'a str,
}

/// Splits a row's or finding's call line; `None` when it is not `caller -> callee METHOD path`.
pub(crate) fn split_call(call: &str) -> Option<CallParts<'_>> {
    let mut parts = call.splitn(4, ' ');
    let (caller, arrow, callee) = (parts.next()?, parts.next()?, parts.next()?);
    if arrow != "->" {
        return None;
    }
    let rest = parts.next().unwrap_or("");
    let (method, path) = rest.split_once(' ').unwrap_or((rest, ""));
    Some(CallParts {
        caller,
        callee,
        method,
        path,
    })
}
