//! The trace model as JSON (`flowdiff show --format json`), with step numbers for references.

use crate::trace::{Body, Exchange, Message, Trace};
use serde_json::{json, Value};

/// The `flowdiff-capture/v1` JSON document of a capture's flows: `{"schema", "format",
/// "flows": [flowdiff-trace/v1 …]}`, the same shape whether it holds one flow or many.
pub fn capture_json(flows: &[Trace]) -> Value {
    json!({
        "schema": "flowdiff-capture/v1",
        "format": flows.first().map(|f| f.format),
        "flows": flows.iter().map(trace_json).collect::<Vec<_>>(),
    })
}

/// The `flowdiff-trace/v1` JSON document of `trace`.
pub fn trace_json(trace: &Trace) -> Value {
    json!({
        "schema": "flowdiff-trace/v1",
        "flow": trace.name,
        "format": trace.format,
        "variables": trace.variables.iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect::<Vec<_>>(),
        "events": trace.events.iter()
            .map(|e| json!({"kind": e.kind, "line": e.line, "step": e.exchange + 1}))
            .collect::<Vec<_>>(),
        "exchanges": trace.exchanges.iter().enumerate()
            .map(|(i, e)| exchange_json(i + 1, e))
            .collect::<Vec<_>>(),
        "warnings": trace.warnings,
    })
}

fn exchange_json(step: usize, exchange: &Exchange) -> Value {
    json!({
        "step": step,
        "caller": exchange.caller,
        "callee": exchange.callee,
        "method": exchange.method,
        "path": exchange.path,
        "query": exchange.query,
        "status": exchange.status,
        "reason": exchange.reason,
        "completeness": exchange.completeness,
        "parent_step": exchange.parent.map(|p| p + 1),
        "adopted": exchange.adopted,
        "request": message_json(&exchange.request),
        "response": message_json(&exchange.response),
    })
}

fn message_json(message: &Message) -> Value {
    json!({
        "line": message.line,
        "headers": message.headers.iter()
            .map(|(name, value)| json!([name, value]))
            .collect::<Vec<_>>(),
        "body": body_json(&message.body),
        "truncated": message.truncated,
    })
}

fn body_json(body: &Body) -> Value {
    match body {
        Body::Json(value) => json!({"kind": "json", "value": value}),
        Body::Text(text) | Body::Bytes(text) | Body::Object(text) => {
            json!({"kind": body.kind(), "value": text})
        }
        Body::Unknown | Body::None => json!({"kind": body.kind(), "value": null}),
    }
}
