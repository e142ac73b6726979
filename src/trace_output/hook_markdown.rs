//! A trace as hook Markdown (format 1) with a title, a variables note and a Mermaid diagram:
//! the form of golden flows, readable in review, rendered by mkdocs, read back by flowdiff.

use super::mermaid::{sequence_diagram, target};
use crate::error::InputError;
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

/// Checks that `text` (written by [`hook_markdown`]) reads back as written: it parses, and the
/// trace read renders to the same text. The error names the first line that does not.
pub fn round_trip(text: &str) -> Result<(), InputError> {
    let trace = crate::parse::parse(text).map_err(|e| {
        InputError::new(
            e.line,
            format!("would not read back (reading it gives: {})", e.message),
        )
    })?;
    let again = hook_markdown(&trace);
    if again == text {
        return Ok(());
    }
    let (mut written, mut read) = (text.lines(), again.lines());
    let mut line = 1;
    loop {
        match (written.next(), read.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (a, b) => {
                let show = |l: Option<&str>| {
                    l.map_or("end of file".to_string(), |l| {
                        format!("`{}`", l.chars().take(80).collect::<String>())
                    })
                };
                return Err(InputError::new(
                    line,
                    format!(
                        "would not read back as written: {} reads back as {}",
                        show(a),
                        show(b)
                    ),
                ));
            }
        }
    }
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
            format!(
                "{} --> {}",
                code_span(&exchange.caller),
                code_span(&exchange.callee)
            ),
            &exchange.request,
        ),
        EventKind::Response => (
            super::response_message(exchange),
            format!(
                "{} <-- {}",
                code_span(&exchange.caller),
                code_span(&exchange.callee)
            ),
            &exchange.response,
        ),
    };
    let _ = writeln!(out, "### ({number}) {heading}\n{party}\n");
    if message.headers.is_empty() && message.body == Body::Unknown {
        let _ = writeln!(out, "{}", crate::parse::NOT_CAPTURED);
        return;
    }
    tabs(out, &heading, message);
}

fn tabs(out: &mut String, title: &str, message: &Message) {
    let title = title.replace('"', "'");
    let mut headers = String::new();
    if message.headers.is_empty() {
        headers.push_str("none\n");
    }
    for (name, value) in message.headers.iter() {
        let _ = writeln!(headers, "{name}: {value}");
    }
    let body = match &message.body {
        Body::Unknown | Body::None => "none".to_string(),
        Body::Json(value) => {
            serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
        }
        Body::Text(text) | Body::Bytes(text) | Body::Object(text) => text.clone(),
    };
    out.push_str("=== \"Header\"\n");
    block(out, "http", &title, &headers);
    out.push_str("\n=== \"Body\"\n");
    block(out, "json", &title, &body);
}

/// One fenced block of a tab, indented by four spaces; the fence is longer than any line of
/// only backticks in `text` (CommonMark), so such a line stays inside.
fn block(out: &mut String, language: &str, title: &str, text: &str) {
    let longest = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && line.bytes().all(|b| b == b'`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(
        out,
        "    {fence} {language} title=\"{title}\" linenums=\"1\""
    );
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    let _ = writeln!(out, "    {fence}");
}

/// `name` as a Markdown code span: in backticks, or in a longer run of them with a space at
/// both ends when it holds backticks (or starts and ends with a space), as CommonMark reads it.
fn code_span(name: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for b in name.bytes() {
        run = if b == b'`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 && !(name.starts_with(' ') && name.ends_with(' ')) {
        return format!("`{name}`");
    }
    let ticks = "`".repeat(longest + 1);
    format!("{ticks} {name} {ticks}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bodies_are_escaped_so_that_they_read_back() {
        assert_eq!(code_span("nova:api"), "`nova:api`");
        assert_eq!(code_span("```x"), "```` ```x ````");
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(code_span(" x "), "`  x  `");
        let log = "### (a:b) REQ >>> (c) : POST http://h/x\nX-Requestshook-Request-Id: 1\n\n\
                   text\n```\n\n### (a:b) RESP <<< (c) : 200 OK POST http://h/x\n\
                   X-Requestshook-Request-Id: 1\n\nnone\n";
        let trace = crate::parse::parse(log).expect("hook log");
        let text = hook_markdown(&trace);
        assert!(text.contains("    ```` json"), "{text}");
        assert_eq!(round_trip(&text), Ok(()));
    }

    #[test]
    fn what_would_not_read_back_is_named_by_its_line() {
        let log = "### (a) REQ >>> (c) : GET http://h/x\nAccept: x\n\nnone\n";
        let text = hook_markdown(&crate::parse::parse(log).expect("hook log"));
        let at = text
            .lines()
            .position(|l| l == "    Accept: x")
            .expect("header line");
        let damaged = text.replace("    Accept: x\n", "    Accept: x  \n");
        let error = round_trip(&damaged).expect_err("trailing spaces are not read back");
        assert_eq!(error.line, at + 1);
        assert!(error
            .message
            .contains("`    Accept: x  ` reads back as `    Accept: x`"));
        let error = round_trip("no capture here\n").expect_err("not a capture");
        assert!(error
            .message
            .starts_with("would not read back (reading it gives: "));
    }
}
