//! What every human-readable format says about accepted findings: the count in the summary
//! line and, with `--show-accepted`, a list with the reasons.

use super::Report;
use std::io::{self, Write};

/// `; 3 accepted` for the summary line, or nothing when no finding was accepted.
pub(super) fn summary(report: &Report) -> String {
    match report.counts.accepted {
        0 => String::new(),
        n => format!("; {n} accepted"),
    }
}

/// With `--show-accepted`, a section listing the accepted findings (a Markdown list when
/// `markdown`).
pub(super) fn section(report: &Report, markdown: bool, out: &mut dyn Write) -> io::Result<()> {
    if !report.show_accepted || report.accepted.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let heading = if markdown {
        "**Accepted findings**"
    } else {
        "accepted:"
    };
    writeln!(out, "{heading}")?;
    for a in &report.accepted {
        let call = a.call.replace('`', "'");
        match markdown {
            true => writeln!(out, "- `{}` {} `{call}`: {}", a.id, a.kind, a.reason)?,
            false => writeln!(out, "  {} {} {call}: {}", a.id, a.kind, a.reason)?,
        }
    }
    Ok(())
}
