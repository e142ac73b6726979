//! A trace as hook Markdown (format 1) with a title, a variables note and a Mermaid diagram:
//! the form of golden flows, readable in review, rendered by mkdocs, read back by flowdiff.

use super::mermaid::{sequence_diagram, target};
use crate::trace::{Body, EventKind, Exchange, Message, Trace};
use std::fmt::Write;

/// Renders `trace` as hook Markdown: `# name`, the `variables` note, the sequence diagram, then
/// one numbered section per event in capture order.
pub fn hook_markdown(trace: &Trace) -> String {
    let mut out = String::new();
    if let Some(name) = trace.name.as_deref().filter(|n| !n.trim().is_empty()) {
        let _ = writeln!(out, "# {}\n", name.trim());
    }
    if !trace.variables.is_empty() {
        out.push_str("!!! note \"variables\"\n");
        for (name, value) in &trace.variables {
            let _ = writeln!(out, "    `{name}`: `{value}`  ");
        }
        out.push('\n');
    }
    out.push_str("``` mermaid\n");
    out.push_str(&sequence_diagram(trace));
    out.push_str("```\n");
    let mut number = 0;
    for (kind, index) in event_order(trace) {
        let Some(exchange) = trace.exchanges.get(index) else {
            continue;
        };
        number += 1;
        out.push('\n');
        section(&mut out, number, exchange, kind);
    }
    out
}

/// Events in capture order; a trace without events lists request then response per exchange.
fn event_order(trace: &Trace) -> Vec<(EventKind, usize)> {
    if trace.events.is_empty() && !trace.exchanges.is_empty() {
        return (0..trace.exchanges.len())
            .flat_map(|i| [(EventKind::Request, i), (EventKind::Response, i)])
            .collect();
    }
    trace.events.iter().map(|e| (e.kind, e.exchange)).collect()
}

fn section(out: &mut String, number: usize, exchange: &Exchange, kind: EventKind) {
    let (heading, party, message) = match kind {
        EventKind::Request => (
            format!("{} {}", exchange.method, target(exchange)),
            format!("`{}` --> `{}`", exchange.caller, exchange.callee),
            &exchange.request,
        ),
        EventKind::Response => (
            super::response_message(exchange),
            format!("`{}` <-- `{}`", exchange.caller, exchange.callee),
            &exchange.response,
        ),
    };
    let _ = writeln!(out, "### ({number}) {heading}\n{party}\n");
    if message.headers.is_empty() && message.body == Body::Unknown {
        return;
    }
    tabs(out, &heading, message);
}

fn tabs(out: &mut String, title: &str, message: &Message) {
    let title = title.replace('"', "'");
    out.push_str("=== \"Header\"\n");
    let _ = writeln!(out, "    ``` http title=\"{title}\" linenums=\"1\"");
    if message.headers.is_empty() {
        out.push_str("    none\n");
    }
    for (name, value) in message.headers.iter() {
        let _ = writeln!(out, "    {name}: {value}");
    }
    out.push_str("    ```\n\n=== \"Body\"\n");
    let _ = writeln!(out, "    ``` json title=\"{title}\" linenums=\"1\"");
    let text = match &message.body {
        Body::Unknown | Body::None => "none".to_string(),
        Body::Json(value) => {
            serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
        }
        Body::Text(text) | Body::Bytes(text) | Body::Object(text) => text.clone(),
    };
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    out.push_str("    ```\n");
}
