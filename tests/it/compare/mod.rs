//! Comparison tests: seeds against themselves and regenerated copies, hand-made mutations of
//! seed 001 (each yields exactly its finding), report snapshots, and one CLI test per exit code.

mod auth;
mod choose;
mod ci_reports;
mod cli;
pub mod edit;
pub mod mutations;
mod query;
mod recapture;
pub mod reports;
mod seeds;
pub mod tempest;

use crate::common::fixture_text;
use flowdiff::compare::{Finding, Kind, Options, Part};
use flowdiff::normalize::{normalize, RuleSet};
use flowdiff::report::{self, Report, Styles};
use flowdiff::{Severity, Trace};

/// Parses and normalizes capture text.
pub fn load(text: &str, rules: &RuleSet) -> Trace {
    let trace = flowdiff::parse::parse(text).expect("capture parses");
    normalize(&trace, rules)
}

/// The report of comparing `old` with `new` (texts), sources named as given: the library's
/// entry point, [`flowdiff::Diff`].
pub fn report(old: (&str, &str), new: (&str, &str), options: Options) -> Report {
    flowdiff::Diff::new(old.1, new.1)
        .names(old.0, new.0)
        .strict_order(options.strict_order)
        .strict_plumbing(options.strict_plumbing)
        .compare()
        .expect("captures compare")
}

/// Findings of comparing two texts with default options.
pub fn findings(old: &str, new: &str) -> Vec<Finding> {
    report(("old.md", old), ("new.md", new), Options::default()).findings
}

/// Renders a report in a format, plain.
pub fn render(report: &Report, format: flowdiff::report::ReportFormat) -> String {
    let mut out = Vec::new();
    report::render(
        std::slice::from_ref(report),
        format,
        &Styles::plain(),
        &mut out,
    )
    .expect("renders");
    String::from_utf8(out).expect("utf-8")
}

/// `(kind, severity, part, pointer)` of each finding, for exact assertions.
pub fn summary(findings: &[Finding]) -> Vec<(Kind, Severity, Part, Option<String>)> {
    findings
        .iter()
        .map(|f| (f.kind, f.severity, f.part, f.pointer.clone()))
        .collect()
}

/// The fixture names of the seeds.
pub const SEEDS: [&str; 5] = [
    "server-create-part.mermaid.txt",
    "server-create.hook.md",
    "image-save.hook.md",
    "image-show.hook.md",
    "image-create.doc.md",
];

/// Seed 001's text.
pub fn server_create() -> String {
    fixture_text("server-create.hook.md")
}
