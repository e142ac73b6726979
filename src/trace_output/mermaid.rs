//! A trace as a Mermaid `sequenceDiagram`, which the Mermaid reader parses back to the same calls.

use crate::trace::{EventKind, Exchange, Trace};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Renders `trace` as a fenced-free Mermaid `sequenceDiagram`, one arrow per event, in capture order.
/// A party whose name Mermaid or its reader would split (`10.0.0.5:443`, `nova api`) is drawn
/// by an alias: `participant p1 as 10.0.0.5:443`.
pub fn sequence_diagram(trace: &Trace) -> String {
    let mut out = String::from("sequenceDiagram\n");
    let actors = trace.actors();
    let ids = participant_ids(&actors);
    for actor in &actors {
        let _ = match ids.get(actor) {
            Some(id) => writeln!(out, "  participant {id} as {actor}"),
            None => writeln!(out, "  participant {actor}"),
        };
    }
    let id = |name: &str| ids.get(name).map_or(name, String::as_str).to_string();
    for event in &trace.events {
        if let Some(exchange) = trace.exchanges.get(event.exchange) {
            let (caller, callee) = (id(&exchange.caller), id(&exchange.callee));
            let _ = match event.kind {
                EventKind::Request => writeln!(
                    out,
                    "  {caller}->>{callee}: {} {}",
                    exchange.method,
                    target(exchange)
                ),
                EventKind::Response => writeln!(
                    out,
                    "  {callee}-->>{caller}: {}",
                    super::response_message(exchange)
                ),
            };
        }
    }
    out
}

/// The aliases of the parties whose names are not plain Mermaid ids, each `pN` with the
/// smallest N no party is named.
fn participant_ids<'a>(actors: &[&'a str]) -> HashMap<&'a str, String> {
    let names: HashSet<&str> = actors.iter().copied().collect();
    let mut ids = HashMap::new();
    let mut n = 0;
    for &actor in actors.iter().filter(|a| !is_plain_id(a)) {
        let id = loop {
            n += 1;
            let id = format!("p{n}");
            if !names.contains(id.as_str()) {
                break id;
            }
        };
        ids.insert(actor, id);
    }
    ids
}

/// True for a name an arrow line can hold as it is: letters, digits, `_`, `.` and single `-`
/// inside (no `:`, spaces, arrows or backticks).
fn is_plain_id(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// The request target: path plus `?query` when a query is known and not empty.
pub fn target(exchange: &Exchange) -> String {
    match exchange.query.as_deref() {
        Some(query) if !query.is_empty() => format!("{}?{}", exchange.path, query),
        _ => exchange.path.clone(),
    }
}
