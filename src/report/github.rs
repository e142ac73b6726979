//! GitHub Actions workflow commands: one annotation per finding at the line of the part that
//! changed in the new capture (the nearest step before for a missing call), and a `::warning`
//! per warning about the comparison as a whole. Properties and data are escaped by GitHub's
//! rules, so no captured text or file name can start a command of its own.

use super::Report;
use crate::severity::Severity;
use std::io::{self, Write};

/// Writes `::error`/`::warning`/`::notice` lines, then one summary line per report.
pub(super) fn render(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for f in &report.findings {
            let command = match f.severity {
                Severity::Breaking => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut props = format!("file={}", property(&report.new.source));
            if let Some(line) = f.new_line.or(f.line) {
                props.push_str(&format!(",line={line}"));
            }
            props.push_str(&format!(
                ",title={}",
                property(&format!("flowdiff {} {}", f.kind.as_str(), f.id))
            ));
            let text = format!("{}: {}", f.call, f.message);
            writeln!(out, "::{command} {props}::{}", data(&text))?;
        }
        for w in &report.warnings {
            let mut props = format!("file={}", property(&report.new.source));
            if let Some(line) = w.line {
                props.push_str(&format!(",line={line}"));
            }
            let title = format!("flowdiff {}", w.kind.as_str());
            props.push_str(&format!(",title={}", property(&title)));
            writeln!(out, "::warning {props}::{}", data(&w.message))?;
        }
        let c = report.counts;
        writeln!(
            out,
            "flowdiff: {}: {} breaking, {} warning, {} info: {}",
            data(&report.new.source),
            c.breaking,
            c.warning,
            c.info,
            if report.verdict == super::Verdict::Fail {
                "fail"
            } else {
                "pass"
            }
        )?;
    }
    Ok(())
}

/// Escapes an annotation message.
pub(super) fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes an annotation property value.
pub(super) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn annotation_text_is_escaped() {
        assert_eq!(super::data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
