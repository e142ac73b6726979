//! JUnit XML, written by `quick-junit`: one `<testsuite>` per compared flow, one `<testcase>`
//! per call with findings that fail the gate (named by step and call, with the capture's `file`
//! and `line`), a clean flow one passing testcase. Findings below the gate and warnings about
//! the comparison as a whole go to `system-out`.
//!
//! `quick-junit` writes one `<failure>` per testcase: a call with several failing findings gets
//! one failure whose message names the first and how many there are, and whose text lists
//! every one of them, a line each.

use super::failures::Failure;
use super::{step_label, Report};
use crate::compare::Finding;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::io::{self, Write};

/// Writes one `<testsuites>` document for all reports.
pub(super) fn render(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    render_with_failures(reports, &[], out)
}

/// [`render`], plus a test suite per capture that could not be checked, its one test case in
/// `<error>`.
pub(super) fn render_with_failures(
    reports: &[Report],
    failures: &[Failure],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut document = quick_junit::Report::new("flowdiff");
    for report in reports {
        document.add_test_suite(suite(report));
    }
    for failure in failures {
        let mut suite = TestSuite::new(xml(&failure.source));
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(xml(&failure.error));
        let mut case = TestCase::new("not checked", status);
        case.set_classname("flowdiff");
        suite.add_test_case(case);
        document.add_test_suite(suite);
    }
    document.serialize(out).map_err(io::Error::other)
}

fn suite(report: &Report) -> TestSuite {
    let mut suite = TestSuite::new(xml(&report.title()));
    let file = xml(&report.new.source);
    let mut calls: Vec<(Option<usize>, Option<usize>, Vec<&Finding>)> = Vec::new();
    let mut below: Vec<String> = Vec::new();
    for f in &report.findings {
        if !report.fails(f) {
            below.push(line(f));
            continue;
        }
        match calls.last_mut() {
            Some((old, new, group)) if (*old, *new) == (f.old_step, f.new_step) => group.push(f),
            _ => calls.push((f.old_step, f.new_step, vec![f])),
        }
    }
    for (old, new, group) in &calls {
        let Some(first) = group.first() else { continue };
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let message = match group.len() {
            1 => first.message.clone(),
            n => format!("{} (and {} more)", first.message, n - 1),
        };
        status.set_message(xml(&message));
        status.set_type(first.kind.as_str());
        let text: Vec<String> = group.iter().map(|f| line(f)).collect();
        status.set_description(xml(&text.join("\n")));
        let name = format!(
            "step {} (old {}): {}",
            step_label(*new),
            step_label(*old),
            first.call
        );
        let mut case = TestCase::new(xml(&name), status);
        case.set_classname(xml(&report.title()));
        case.extra.insert("file".into(), file.clone().into());
        if let Some(at) = first.new_line.or(first.line) {
            case.extra.insert("line".into(), at.to_string().into());
        }
        suite.add_test_case(case);
    }
    if calls.is_empty() {
        let mut case = TestCase::new(xml(&report.title()), TestCaseStatus::success());
        case.set_classname(xml(&report.title()));
        case.extra.insert("file".into(), file.into());
        suite.add_test_case(case);
    }
    let c = report.counts;
    let mut out = format!(
        "{} vs {}: {} breaking, {} warning, {} info",
        report.new.source, report.old.source, c.breaking, c.warning, c.info
    );
    for l in below {
        out.push('\n');
        out.push_str(&l);
    }
    for w in &report.warnings {
        out.push_str("\nwarning: ");
        out.push_str(&w.message);
    }
    suite.set_system_out(xml(&out));
    suite
}

/// One finding as a line: `[breaking 5c3c299605] missing_call at old step 23, new step –: CALL: MESSAGE`.
fn line(f: &Finding) -> String {
    format!(
        "[{} {}] {} at old step {}, new step {}: {}: {}",
        f.severity,
        f.id,
        f.kind.as_str(),
        step_label(f.old_step),
        step_label(f.new_step),
        f.call,
        f.message
    )
}

/// `text` without the characters XML 1.0 forbids even escaped (`quick-junit` drops control
/// characters but not U+FFFE and U+FFFF): those become U+FFFD.
fn xml(text: &str) -> String {
    text.replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(super::xml("a\u{FFFF}b\u{FFFE}"), "a\u{FFFD}b\u{FFFD}");
    }
}
