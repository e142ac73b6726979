//! The terminal report: the flow with old and new step columns, unchanged steps folded, each
//! finding under its step, then warnings about the comparison as a whole and a summary line with
//! counts and the verdict.

use super::{step_label, Report, Styles, Verdict};
use crate::compare::{Finding, Row, RowKind};
use crate::severity::Severity;
use crate::trace_output::tree;
use owo_colors::{OwoColorize, Style};
use std::collections::HashMap;
use std::io::{self, Write};

/// Writes every report, separated by a blank line.
pub(super) fn render(reports: &[Report], styles: &Styles, out: &mut dyn Write) -> io::Result<()> {
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        one(report, styles, out)?;
    }
    Ok(())
}

fn severity_style(styles: &Styles, severity: Severity) -> Style {
    match severity {
        Severity::Breaking => styles.error,
        Severity::Warning => styles.warning,
        Severity::Info => styles.info,
    }
}

fn side_line(label: &str, side: &super::Side) -> String {
    match &side.flow {
        Some(flow) => format!(
            "{label} {} ({flow}, {} exchanges)",
            side.source, side.exchanges
        ),
        None => format!("{label} {} ({} exchanges)", side.source, side.exchanges),
    }
}

fn one(report: &Report, styles: &Styles, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", side_line("old", &report.old).style(styles.bold))?;
    writeln!(out, "{}", side_line("new", &report.new).style(styles.bold))?;
    let by_row = super::findings_by_row(report);
    let shown = shown_rows(&report.rows, &by_row);
    let widest = report
        .rows
        .iter()
        .filter_map(|r| r.old_step.max(r.new_step))
        .max()
        .unwrap_or(0);
    let width = widest.to_string().len().max(3);
    if !report.findings.is_empty() {
        writeln!(out)?;
        let heading = format!("{:>w$} {:>w$}", "old", "new", w = width);
        writeln!(out, "{}", heading.style(styles.dim))?;
        let mut folded = Folded::default();
        for (pos, row) in report.rows.iter().enumerate() {
            if !shown[pos] {
                folded.add(row.kind);
                continue;
            }
            fold(&folded, width, styles, out)?;
            folded = Folded::default();
            row_line(row, width, styles, out)?;
            for f in by_row.get(&pos).into_iter().flatten() {
                // Under the row's call: its indentation, capped as the row's is.
                let indent = " ".repeat(2 * width + 6 + 2 * row.depth.min(tree::MAX_INDENT));
                writeln!(
                    out,
                    "{indent}{} {} {}: {}",
                    f.severity
                        .as_str()
                        .style(severity_style(styles, f.severity)),
                    f.kind.as_str().style(styles.bold),
                    format!("[{}]", f.id).style(styles.dim),
                    f.message
                )?;
            }
        }
        fold(&folded, width, styles, out)?;
    }
    writeln!(out)?;
    for w in &report.warnings {
        writeln!(out, "{}: {}", "warning".style(styles.warning), w.message)?;
    }
    summary(report, styles, out)
}

/// Rows folded away without findings: unchanged ones, and noise (extra repeats, suppressed
/// cache-dependent calls).
#[derive(Default)]
struct Folded {
    unchanged: usize,
    noise: usize,
}

impl Folded {
    fn add(&mut self, kind: RowKind) {
        match kind {
            RowKind::Paired => self.unchanged += 1,
            _ => self.noise += 1,
        }
    }
}

fn fold(folded: &Folded, width: usize, styles: &Styles, out: &mut dyn Write) -> io::Result<()> {
    let plural = |n: usize| if n == 1 { "step" } else { "steps" };
    let text = match (folded.unchanged, folded.noise) {
        (0, 0) => return Ok(()),
        (n, 0) => format!("{n} unchanged {}", plural(n)),
        (0, m) => format!("{m} suppressed {}", plural(m)),
        (n, m) => format!("{n} unchanged, {m} suppressed {}", plural(m)),
    };
    let line = format!("{:w$}   ⋮ {text}", "", w = 2 * width + 1);
    writeln!(out, "{}", line.style(styles.dim))
}

fn row_line(row: &Row, width: usize, styles: &Styles, out: &mut dyn Write) -> io::Result<()> {
    let (mark, mark_style) = match row.kind {
        RowKind::Paired => (' ', styles.dim),
        RowKind::Missing => ('-', styles.error),
        RowKind::Extra => ('+', styles.warning),
        RowKind::Repeat | RowKind::Suppressed => ('·', styles.dim),
    };
    let steps = format!(
        "{:>w$} {:>w$}",
        step_label(row.old_step),
        step_label(row.new_step),
        w = width
    );
    let call = match super::split_call(&row.call) {
        Some(c) => format!(
            "{} -> {} {} {}",
            c.caller.style(styles.actor),
            c.callee.style(styles.actor),
            c.method.style(styles.method),
            c.path
        ),
        None => row.call.clone(),
    };
    let show = |s: Option<u16>| s.map_or_else(|| "no response".to_string(), |s| s.to_string());
    let mut status = show(row.status)
        .style(styles.status(row.status))
        .to_string();
    if row.old_step.is_some() && row.new_step.is_some() && row.old_status != row.status {
        let old = show(row.old_status)
            .style(styles.status(row.old_status))
            .to_string();
        status = format!("{old} → {status}");
    }
    writeln!(
        out,
        "{} {} {}{call} {status}",
        steps.style(styles.dim),
        mark.style(mark_style),
        tree::indent(row.depth),
    )
}

/// Rows with findings, the rows they are nested under, and lone unchanged rows between them.
fn shown_rows(rows: &[Row], by_row: &HashMap<usize, Vec<&Finding>>) -> Vec<bool> {
    let mut shown = vec![false; rows.len()];
    let mut open: Vec<usize> = Vec::new(); // open[d] = latest row at depth d
    for (pos, row) in rows.iter().enumerate() {
        open.truncate(row.depth);
        // A repetition that is no longer made shows next to its repeat_count_changed finding.
        if by_row.contains_key(&pos) || row.kind == RowKind::Repeat {
            shown[pos] = true;
            // Innermost first: an ancestor already shown had all of its own shown with it, so
            // each row is marked once (linear on deeply nested flows).
            for &ancestor in open.iter().rev() {
                if std::mem::replace(&mut shown[ancestor], true) {
                    break;
                }
            }
        }
        open.push(pos);
    }
    // Folding a single step saves nothing.
    for pos in 1..rows.len().saturating_sub(1) {
        if !shown[pos] && shown[pos - 1] && shown[pos + 1] {
            shown[pos] = true;
        }
    }
    shown
}

fn summary(report: &Report, styles: &Styles, out: &mut dyn Write) -> io::Result<()> {
    let c = report.counts;
    let mut line = format!(
        "{} breaking, {} warning, {} info",
        c.breaking.style(if c.breaking > 0 {
            styles.error
        } else {
            styles.dim
        }),
        c.warning.style(if c.warning > 0 {
            styles.warning
        } else {
            styles.dim
        }),
        c.info
            .style(if c.info > 0 { styles.info } else { styles.dim })
    );
    let s = report.suppressed;
    if s.cache_dependent_calls > 0 || s.optional_by_golden_set > 0 {
        line.push_str(&format!(
            "; suppressed {} cache-dependent calls, {} optional by golden set",
            s.cache_dependent_calls, s.optional_by_golden_set
        ));
    }
    line.push_str(&super::accepted::summary(report));
    super::accepted::section(report, false, out)?;
    let verdict = match report.verdict {
        Verdict::Pass => "pass".style(styles.ok).to_string(),
        Verdict::Fail => "fail".style(styles.error).to_string(),
    };
    writeln!(out, "{line}: {verdict}")
}
