//! Markdown for a pull-request comment: a verdict heading, counts, warnings and a table of
//! findings.

use super::{step_label, Report, Verdict};
use std::io::{self, Write};

/// Writes one section per report.
pub fn render(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let mark = match report.verdict {
            Verdict::Pass => "✅ pass",
            Verdict::Fail => "❌ fail",
        };
        writeln!(
            out,
            "### flowdiff: {mark}: `{}` against `{}`",
            cell(&report.new.source),
            cell(&report.old.source)
        )?;
        writeln!(out)?;
        let c = report.counts;
        let mut summary = format!(
            "**{} breaking**, {} warning, {} info; {} old exchanges, {} new",
            c.breaking, c.warning, c.info, report.old.exchanges, report.new.exchanges
        );
        let s = report.suppressed;
        if s.cache_dependent_calls + s.optional_by_golden_set > 0 {
            summary.push_str(&format!(
                "; suppressed: {} cache-dependent calls, {} optional by golden set",
                s.cache_dependent_calls, s.optional_by_golden_set
            ));
        }
        writeln!(out, "{summary}{}", super::accepted::summary(report))?;
        super::accepted::section(report, true, out)?;
        for w in &report.warnings {
            writeln!(out)?;
            writeln!(out, "> ⚠️ **warning**: {}", cell(&w.message))?;
        }
        if report.findings.is_empty() {
            writeln!(out)?;
            writeln!(out, "No differences.")?;
            continue;
        }
        writeln!(out)?;
        writeln!(
            out,
            "| severity | kind | step (old → new) | call | details |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in &report.findings {
            writeln!(
                out,
                "| {} | `{}` `{}` | {} → {} | `{}` | {} |",
                f.severity,
                f.kind.as_str(),
                f.id,
                step_label(f.old_step),
                step_label(f.new_step),
                cell(&f.call),
                cell(&f.message)
            )?;
        }
    }
    Ok(())
}

/// Makes text safe inside a table cell (and inside backticks).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace('\n', " ")
}
