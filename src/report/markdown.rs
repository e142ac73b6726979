//! Markdown for a pull-request comment: a summary table of the flows first, then per flow its
//! verdict, counts, warnings, a table of findings (`info` ones folded in `<details>`) and the
//! comparison as a Mermaid diagram (folded in `<details>` when long).
//!
//! Captured values are escaped (no HTML, emphasis or table breakage can come from them), and
//! the comment stays under [`LIMIT`] characters: the findings past it are counted, not shown.

use super::{step_label, Report, Verdict};
use crate::compare::Finding;
use crate::severity::Severity;
use std::io::{self, Write};
use std::path::Path;

/// The most characters the comment may take (GitHub refuses comments above 65,536).
pub(super) const LIMIT: usize = 60_000;

/// Room kept for the closing lines once the findings are cut.
const CLOSING: usize = 600;

/// Writes the summary table, then one section per report, relative links from `links_from`.
pub(super) fn render(
    reports: &[Report],
    links_from: Option<&Path>,
    full: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut doc = Doc {
        text: String::new(),
        cut: 0,
    };
    summary_table(reports, &mut doc);
    for report in reports {
        section(report, links_from, full, &mut doc);
    }
    if doc.cut > 0 {
        doc.text.push_str(&format!(
            "\n**{} more findings in the full report** (`--format json` or `-o FILE`).\n",
            doc.cut
        ));
    }
    out.write_all(doc.text.as_bytes())
}

/// The comment being written, and how many findings did not fit.
struct Doc {
    text: String,
    cut: usize,
}

impl Doc {
    /// Whether `more` characters still fit, keeping room for the closing lines.
    fn fits(&self, more: usize) -> bool {
        self.cut == 0 && self.text.len() + more + CLOSING <= LIMIT
    }
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✅ pass",
        Verdict::Fail => "❌ fail",
    }
}

fn summary_table(reports: &[Report], doc: &mut Doc) {
    doc.text
        .push_str("| flow | verdict | breaking | warning | info |\n|---|---|---|---|---|\n");
    for r in reports {
        let c = r.counts;
        doc.text.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            escape(&r.title()),
            mark(r.verdict),
            c.breaking,
            c.warning,
            c.info
        ));
    }
}

fn section(report: &Report, links_from: Option<&Path>, full: bool, doc: &mut Doc) {
    let head = format!(
        "\n### flowdiff: {}: {} against {}\n\n",
        mark(report.verdict),
        escape(&report.new.source),
        escape(&report.old.source)
    );
    let c = report.counts;
    let mut summary = format!(
        "**{} breaking**, {} warning, {} info; {} old exchanges, {} new\n",
        c.breaking, c.warning, c.info, report.old.exchanges, report.new.exchanges
    );
    let s = report.suppressed;
    if s.cache_dependent_calls + s.optional_by_golden_set > 0 {
        summary.insert_str(
            summary.len() - 1,
            &format!(
                "; suppressed: {} cache-dependent calls, {} optional by golden set",
                s.cache_dependent_calls, s.optional_by_golden_set
            ),
        );
    }
    summary.insert_str(summary.len() - 1, &super::accepted::summary(report));
    let mut accepted = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = super::accepted::section(report, true, &mut accepted);
    summary.push_str(&String::from_utf8_lossy(&accepted));
    for w in &report.warnings {
        summary.push_str(&format!("\n> ⚠️ **warning**: {}\n", escape(&w.message)));
    }
    if !doc.fits(head.len() + summary.len()) {
        doc.cut += report.findings.len();
        return;
    }
    doc.text.push_str(&head);
    doc.text.push_str(&summary);
    if report.findings.is_empty() {
        doc.text.push_str("\nNo differences shown.\n");
        return;
    }
    // The flow drawn, when it fits (the findings come first).
    let diagram = format!("\n{}", super::mermaid::fenced(report, full));
    let link = links_from
        .and_then(|from| crate::fsutil::relative_link(Path::new(&report.new.source), from));
    let (info, other): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .partition(|f| f.severity == Severity::Info);
    if !other.is_empty() {
        table(&other, link.as_deref(), "\n", "", doc);
    }
    if !info.is_empty() {
        let open = format!(
            "\n<details><summary>{} info findings</summary>\n\n",
            info.len()
        );
        table(&info, link.as_deref(), &open, "\n</details>\n", doc);
    }
    if doc.fits(diagram.len()) {
        doc.text.push_str(&diagram);
    }
}

/// A table of `findings` between `open` and `close`, as many rows as fit.
fn table(findings: &[&Finding], link: Option<&str>, open: &str, close: &str, doc: &mut Doc) {
    const HEAD: &str =
        "| severity | kind | step (old → new) | call | details |\n|---|---|---|---|---|\n";
    if !doc.fits(open.len() + HEAD.len() + close.len()) {
        doc.cut += findings.len();
        return;
    }
    doc.text.push_str(open);
    doc.text.push_str(HEAD);
    for f in findings {
        let new_step = match (link, f.new_step, f.new_line) {
            (Some(file), Some(step), Some(line)) => {
                format!("[{step}]({}#L{line})", target(file))
            }
            _ => step_label(f.new_step),
        };
        let row = format!(
            "| {} | {} `{}` | {} → {new_step} | {} | {} |\n",
            f.severity,
            f.kind.as_str().replace('_', "\\_"),
            f.id,
            step_label(f.old_step),
            escape(&f.call),
            escape(&f.message)
        );
        if doc.fits(row.len() + close.len()) {
            doc.text.push_str(&row);
        } else {
            doc.cut += 1;
        }
    }
    doc.text.push_str(close);
}

/// Captured text made inert in Markdown and in a table cell: every character that could start
/// HTML, an entity, emphasis, a code span, a link or a cell is backslash-escaped, and line
/// breaks become spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '<' | '>' | '&' | '|' | '*' | '_' | '`' | '[' | ']' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A link target with spaces and parentheses escaped.
fn target(path: &str) -> String {
    path.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_values_is_escaped() {
        assert_eq!(
            super::escape("<b>*x*_y_ `z` [a](b) | &amp;\n"),
            "\\<b\\>\\*x\\*\\_y\\_ \\`z\\` \\[a\\](b) \\| \\&amp; "
        );
    }
}
