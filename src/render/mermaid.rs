//! A trace as a Mermaid `sequenceDiagram`, which the Mermaid reader parses back to the same calls.

use crate::trace::{EventKind, Exchange, Trace};
use std::fmt::Write;

/// Renders `trace` as a fenced-free Mermaid `sequenceDiagram`, one arrow per event, in capture order.
pub fn sequence_diagram(trace: &Trace) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for actor in trace.actors() {
        let _ = writeln!(out, "  participant {actor}");
    }
    for event in &trace.events {
        if let Some(exchange) = trace.exchanges.get(event.exchange) {
            out.push_str("  ");
            out.push_str(&arrow_line(exchange, event.kind));
            out.push('\n');
        }
    }
    out
}

/// One Mermaid arrow line for the request or the response of `exchange`.
pub fn arrow_line(exchange: &Exchange, kind: EventKind) -> String {
    match kind {
        EventKind::Request => format!(
            "{}->>{}: {} {}",
            exchange.caller,
            exchange.callee,
            exchange.method,
            target(exchange)
        ),
        EventKind::Response => format!(
            "{}-->>{}: {}",
            exchange.callee,
            exchange.caller,
            super::response_message(exchange)
        ),
    }
}

/// The request target: path plus `?query` when a query is known and not empty.
pub fn target(exchange: &Exchange) -> String {
    match exchange.query.as_deref() {
        Some(query) if !query.is_empty() => format!("{}?{}", exchange.path, query),
        _ => exchange.path.clone(),
    }
}
