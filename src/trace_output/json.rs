//! The trace model as JSON (`flowdiff show --format json`), with step numbers for references.
//!
//! The documents are written straight from the model by serde (borrowing views, no
//! intermediate `serde_json::Value` tree), member by member in the order the schemas list.

use crate::trace::{Body, Exchange, Message, Trace};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

/// The `flowdiff-capture/v1` JSON document of a capture's flows: `{"schema", "format",
/// "flows": [flowdiff-trace/v1 …]}`, the same shape whether it holds one flow or many.
pub fn capture_json(flows: &[Trace]) -> impl Serialize + '_ {
    CaptureJson(flows)
}

/// The `flowdiff-trace/v1` JSON document of `trace`.
pub fn trace_json(trace: &Trace) -> impl Serialize + '_ {
    TraceJson(trace)
}

struct CaptureJson<'a>(&'a [Trace]);

impl Serialize for CaptureJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("schema", "flowdiff-capture/v1")?;
        map.serialize_entry("format", &self.0.first().map(|f| f.format))?;
        map.serialize_entry("flows", &Each(self.0, TraceJson))?;
        map.end()
    }
}

/// A JSON array of `view(item)` for every item of a slice.
struct Each<'a, T, V>(&'a [T], fn(&'a T) -> V);

impl<'a, T, V: Serialize> Serialize for Each<'a, T, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

struct TraceJson<'a>(&'a Trace);

impl Serialize for TraceJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let trace = self.0;
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("schema", "flowdiff-trace/v1")?;
        map.serialize_entry("flow", &trace.name)?;
        map.serialize_entry("format", &trace.format)?;
        map.serialize_entry(
            "variables",
            &Each(&trace.variables, |(name, value)| Variable { name, value }),
        )?;
        map.serialize_entry(
            "events",
            &Each(&trace.events, |e| EventJson {
                kind: e.kind,
                line: e.line,
                step: e.exchange + 1,
            }),
        )?;
        map.serialize_entry("exchanges", &Steps(&trace.exchanges))?;
        map.serialize_entry("warnings", &trace.warnings)?;
        map.end()
    }
}

#[derive(Serialize)]
struct Variable<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct EventJson {
    kind: crate::trace::EventKind,
    line: usize,
    step: usize,
}

/// The exchanges with their 1-based step numbers.
struct Steps<'a>(&'a [Exchange]);

impl Serialize for Steps<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().enumerate().map(|(i, exchange)| ExchangeJson {
            step: i + 1,
            caller: &exchange.caller,
            callee: &exchange.callee,
            method: &exchange.method,
            path: &exchange.path,
            query: &exchange.query,
            status: exchange.status,
            reason: &exchange.reason,
            completeness: exchange.completeness,
            parent_step: exchange.parent.map(|p| p + 1),
            adopted: exchange.adopted,
            request: MessageJson(&exchange.request),
            response: MessageJson(&exchange.response),
        }))
    }
}

#[derive(Serialize)]
struct ExchangeJson<'a> {
    step: usize,
    caller: &'a str,
    callee: &'a str,
    method: &'a str,
    path: &'a str,
    query: &'a Option<String>,
    status: Option<u16>,
    reason: &'a Option<String>,
    completeness: crate::trace::Completeness,
    parent_step: Option<usize>,
    adopted: bool,
    request: MessageJson<'a>,
    response: MessageJson<'a>,
}

struct MessageJson<'a>(&'a Message);

impl Serialize for MessageJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let message = self.0;
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("line", &message.line)?;
        map.serialize_entry("headers", &HeaderPairs(message))?;
        map.serialize_entry("body", &BodyJson(&message.body))?;
        map.serialize_entry("truncated", &message.truncated)?;
        map.end()
    }
}

/// Headers as `[name, value]` pairs in capture order.
struct HeaderPairs<'a>(&'a Message);

impl Serialize for HeaderPairs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.headers.iter().map(|(name, value)| [name, value]))
    }
}

/// `{"kind", "value"}`, the value `null` when the body has none.
struct BodyJson<'a>(&'a Body);

impl Serialize for BodyJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let body = self.0;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("kind", body.kind())?;
        match body {
            Body::Json(value) => map.serialize_entry("value", value)?,
            Body::Text(text) | Body::Bytes(text) | Body::Object(text) => {
                map.serialize_entry("value", text)?
            }
            Body::Unknown | Body::None => map.serialize_entry("value", &())?,
        }
        map.end()
    }
}
