//! The call tree `flowdiff show` prints: one line per exchange, indented by nesting.

use crate::report::Styles;
use crate::trace::{Completeness, Trace};
use owo_colors::OwoColorize;
use std::fmt::Write;

/// Lists the flows of a capture holding several (a Tempest log): each name with its call
/// count, then a summary line; `show --flow NAME` shows one.
pub fn flow_list(flows: &[Trace], styles: &Styles) -> String {
    let mut out = String::new();
    let width = flows.iter().map(|f| f.exchanges.len()).max().unwrap_or(0);
    let width = width.to_string().len();
    for flow in flows {
        let _ = writeln!(
            out,
            "{:>width$} {}  {}",
            flow.exchanges.len(),
            if flow.exchanges.len() == 1 {
                "call "
            } else {
                "calls"
            },
            flow.name
                .as_deref()
                .unwrap_or("(unnamed)")
                .style(styles.bold),
        );
    }
    let calls: usize = flows.iter().map(|f| f.exchanges.len()).sum();
    let format = flows.first().map_or("capture", |f| f.format.label());
    let _ = writeln!(
        out,
        "format: {format}, {} flows, {calls} exchanges (show one with --flow NAME)",
        flows.len()
    );
    out
}

/// Renders the call tree of `trace` followed by a summary line.
pub fn call_tree(trace: &Trace, styles: &Styles) -> String {
    let mut out = String::new();
    if let Some(name) = &trace.name {
        let _ = writeln!(out, "{}", name.style(styles.bold));
    }
    let width = trace.exchanges.len().to_string().len();
    let depths = trace.depths();
    for (index, exchange) in trace.exchanges.iter().enumerate() {
        let indent = indent(depths[index]);
        let step = format!("{:>width$}", index + 1);
        let status = match (exchange.status, exchange.completeness) {
            (Some(code), _) => code.to_string(),
            (None, Completeness::Unanswered) => "(no response)".to_string(),
            (None, _) => "-".to_string(),
        };
        let mut marks = String::new();
        if exchange.adopted {
            marks.push_str(" (adopted)");
        }
        if exchange.completeness == Completeness::ResponseOnly {
            marks.push_str(" (response only)");
        }
        for (side, message) in [
            ("request", &exchange.request),
            ("response", &exchange.response),
        ] {
            if message.truncated {
                marks.push_str(&format!(" ({side} body truncated)"));
            }
        }
        let _ = writeln!(
            out,
            "{} {}{} -> {} {} {} {}{}",
            step.style(styles.dim),
            indent,
            exchange.caller.style(styles.actor),
            exchange.callee.style(styles.actor),
            exchange.method.style(styles.method),
            crate::trace_output::mermaid::target(exchange),
            status.style(styles.status(exchange.status)),
            marks.style(styles.dim),
        );
    }
    let _ = writeln!(out, "{}", summary_line(trace));
    out
}

/// Nesting shown by indentation, up to this depth; deeper exchanges show their depth as a
/// number (`[depth 40]`), so a capture of deeply nested calls prints in linear size.
pub const MAX_INDENT: usize = 32;

/// The indentation of an exchange at `depth`: two spaces a level, up to [`MAX_INDENT`] levels,
/// then the depth as a number.
pub(crate) fn indent(depth: usize) -> String {
    let mut indent = "  ".repeat(depth.min(MAX_INDENT));
    if depth > MAX_INDENT {
        let _ = write!(indent, "[depth {depth}] ");
    }
    indent
}

/// `format: hook markdown, 110 events, 55 exchanges, 8 actors`.
pub fn summary_line(trace: &Trace) -> String {
    format!(
        "format: {}, {} events, {} exchanges, {} actors",
        trace.format.label(),
        trace.events.len(),
        trace.exchanges.len(),
        trace.actors().len()
    )
}
