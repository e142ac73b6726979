//! Payload checks of one aligned pair: status, query, headers and bodies.

use super::align::Pair;
use super::headers::{compare_headers, compare_query, Change, Difference};
use super::schema::{self, DriftKind};
use super::sides::Sides;
use super::{default_severity, Finding, Kind, Part};
use crate::normalize::rules::HeaderClass;
use crate::normalize::RuleSet;
use crate::severity::Severity;
use crate::trace::{Body, Completeness, Exchange, Message};
use serde_json::Value;
use std::sync::atomic::AtomicUsize;

/// How many aligned pairs a thread takes at a time: payloads differ a lot in size (a token's
/// service catalog, an empty answer), so small chunks keep two threads' shares even.
const CHUNK: usize = 4;

/// The findings on the aligned `pairs` taken a chunk at a time from `next` (which the threads
/// comparing them share) until every pair was taken: each chunk's first pair and its findings.
pub(super) fn compare_chunks(
    s: &Sides,
    pairs: &[Pair],
    payloads: bool,
    next: &AtomicUsize,
) -> Vec<(usize, Vec<Finding>)> {
    crate::cores::claimed(pairs.len(), CHUNK, next)
        .map(|range| {
            let start = range.start;
            let findings = pairs[range]
                .iter()
                .flat_map(|pair| compare_pair(s, pair.old, pair.new, payloads))
                .collect();
            (start, findings)
        })
        .collect()
}

/// The findings of two threads' chunks, in pair order.
pub(super) fn in_pair_order<F>(
    mut chunks: Vec<(usize, Vec<F>)>,
    other: Vec<(usize, Vec<F>)>,
) -> impl Iterator<Item = F> {
    chunks.extend(other);
    chunks.sort_unstable_by_key(|(start, _)| *start);
    chunks.into_iter().flat_map(|(_, findings)| findings)
}

/// Findings on the aligned pair (old exchange `o`, new exchange `n`). Without `payloads` (one
/// side is structure-only) only the status is compared.
fn compare_pair(s: &Sides, o: usize, n: usize, payloads: bool) -> Vec<Finding> {
    let (a, b) = (&s.old.exchanges[o], &s.new.exchanges[n]);
    let mut out = Vec::new();
    status(s, o, n, &mut out);
    if !payloads {
        return out;
    }
    let requests = has_request(a) && has_request(b);
    let responses = a.status.is_some() && b.status.is_some();
    if requests {
        if let (Some(q1), Some(q2)) = (&a.query, &b.query) {
            for d in compare_query(q1, q2) {
                let mut f = s.finding(Kind::QueryChanged, Part::RequestQuery, Some(o), Some(n));
                f.message = format!("query parameter {} {}", d.name, describe(&d));
                fill(&mut f, d);
                out.push(f);
            }
        }
        headers(
            s,
            (o, n),
            Part::RequestHeaders,
            &a.request.headers,
            &b.request.headers,
            &mut out,
        );
        body(
            s,
            (o, n),
            Part::RequestBody,
            &a.request,
            &b.request,
            &mut out,
        );
    }
    if responses {
        headers(
            s,
            (o, n),
            Part::ResponseHeaders,
            &a.response.headers,
            &b.response.headers,
            &mut out,
        );
        body(
            s,
            (o, n),
            Part::ResponseBody,
            &a.response,
            &b.response,
            &mut out,
        );
    }
    out
}

/// How far the payloads of two exchanges of one signature are apart: the drift `compare_pair`
/// would report between them (status, query, request and response bodies; shape and
/// non-volatile values), counted. What pairs same-signature calls by content.
pub(super) fn drift(old: &Exchange, new: &Exchange, rules: &RuleSet) -> u32 {
    let bodies = |a: &Body, b: &Body| -> usize {
        match (a, b) {
            (Body::Json(a), Body::Json(b)) => schema::count(a, b, rules),
            (Body::Unknown, _) | (_, Body::Unknown) => 0,
            (a, b) => usize::from(a.kind() != b.kind()),
        }
    };
    let query = match (&old.query, &new.query) {
        (Some(a), Some(b)) => compare_query(a, b).len(),
        _ => 0,
    };
    let total = usize::from(old.status != new.status)
        + query
        + bodies(&old.request.body, &new.request.body)
        + bodies(&old.response.body, &new.response.body);
    u32::try_from(total).unwrap_or(u32::MAX)
}

fn has_request(e: &Exchange) -> bool {
    e.completeness != Completeness::ResponseOnly
}

fn status(s: &Sides, o: usize, n: usize, out: &mut Vec<Finding>) {
    let (old, new) = (s.old.exchanges[o].status, s.new.exchanges[n].status);
    if old == new {
        return;
    }
    let mut f = s.finding(Kind::StatusChanged, Part::Status, Some(o), Some(n));
    f.severity = match (old, new) {
        (Some(a), Some(b)) if a / 100 != b / 100 => Severity::Breaking,
        _ => Severity::Warning,
    };
    let show = |st: Option<u16>| st.map_or_else(|| "no response".to_string(), |c| c.to_string());
    f.message = format!("status {} → {}", show(old), show(new));
    f.old = old.map(Value::from);
    f.new = new.map(Value::from);
    out.push(f);
}

fn describe(d: &Difference) -> String {
    match d.change {
        Change::Added => format!("added: {}", clip(d.new.as_deref().unwrap_or(""))),
        Change::Removed => format!("removed (was {})", clip(d.old.as_deref().unwrap_or(""))),
        Change::Changed => format!(
            "changed: {} → {}",
            clip(d.old.as_deref().unwrap_or("")),
            clip(d.new.as_deref().unwrap_or(""))
        ),
    }
}

fn fill(f: &mut Finding, d: Difference) {
    f.pointer = Some(d.name);
    f.old = d.old.map(Value::String);
    f.new = d.new.map(Value::String);
}

fn headers(
    s: &Sides,
    (o, n): (usize, usize),
    part: Part,
    old: &crate::trace::Headers,
    new: &crate::trace::Headers,
    out: &mut Vec<Finding>,
) {
    let side = side_name(part);
    for d in compare_headers(old, new, &|name| s.header_ignored(name)) {
        let kind = match d.change {
            Change::Added => Kind::HeaderAdded,
            Change::Removed => Kind::HeaderRemoved,
            Change::Changed => Kind::HeaderChanged,
        };
        let mut f = s.finding(kind, part, Some(o), Some(n));
        f.severity = header_severity(s.rules.header_class(&d.name), d.change);
        f.message = format!("{side} header {} {}", d.name, describe(&d));
        fill(&mut f, d);
        out.push(f);
    }
}

/// The severity policy of header findings: what exists depends on where the capture was
/// taken, so only the API contract's headers make a removal breaking.
fn header_severity(class: HeaderClass, change: Change) -> Severity {
    match (class, change) {
        (HeaderClass::CapturePoint, _) => Severity::Info,
        (HeaderClass::Contract, Change::Removed) => Severity::Breaking,
        (HeaderClass::Contract, _) | (HeaderClass::Other, Change::Removed | Change::Added) => {
            Severity::Warning
        }
        (HeaderClass::Other, Change::Changed) => Severity::Info,
    }
}

fn side_name(part: Part) -> &'static str {
    match part {
        Part::RequestHeaders | Part::RequestBody | Part::RequestQuery => "request",
        _ => "response",
    }
}

/// Body findings. A truncated body (cut by the capture) is known only up to the cut: fields it
/// lacks may have been cut away, so they are never reported as removed (new truncated) or
/// added (old truncated), and its kind is not compared.
fn body(
    s: &Sides,
    (o, n): (usize, usize),
    part: Part,
    old_message: &Message,
    new_message: &Message,
    out: &mut Vec<Finding>,
) {
    let side = side_name(part);
    let (old, new) = (&old_message.body, &new_message.body);
    let uncertain = |kind: DriftKind| match kind {
        DriftKind::FieldRemoved => new_message.truncated,
        DriftKind::FieldAdded => old_message.truncated,
        _ => false,
    };
    let either_truncated = old_message.truncated || new_message.truncated;
    match (old, new) {
        (Body::Unknown, _) | (_, Body::Unknown) => {}
        (Body::Json(a), Body::Json(b)) => {
            let drift = schema::compare(a, b, s.rules);
            for d in drift.into_iter().filter(|d| !uncertain(d.kind)) {
                let kind = match d.kind {
                    DriftKind::FieldAdded => Kind::FieldAdded,
                    DriftKind::FieldRemoved => Kind::FieldRemoved,
                    DriftKind::TypeChanged => Kind::TypeChanged,
                    DriftKind::ValueChanged => Kind::ValueChanged,
                };
                let mut f = s.finding(kind, part, Some(o), Some(n));
                let at = if d.pointer.is_empty() {
                    "/"
                } else {
                    d.pointer.as_str()
                };
                let show = |v: &Option<Value>| {
                    v.as_ref()
                        .map_or_else(String::new, |v| clip(&v.to_string()))
                };
                f.message = match kind {
                    Kind::FieldAdded => format!("{side} field {at} added ({})", plain(&d.new)),
                    Kind::FieldRemoved => {
                        format!("{side} field {at} removed (was {})", plain(&d.old))
                    }
                    Kind::TypeChanged => {
                        format!(
                            "{side} {at} changed type: {} → {}",
                            plain(&d.old),
                            plain(&d.new)
                        )
                    }
                    _ => format!("{side} {at} changed: {} → {}", show(&d.old), show(&d.new)),
                };
                if kind == Kind::ValueChanged && s.rules.value_pinned(&d.pointer) {
                    f.severity = Severity::Warning;
                }
                f.pointer = Some(d.pointer);
                f.old = d.old;
                f.new = d.new;
                out.push(f);
            }
        }
        (a, b) if a.kind() != b.kind() && !either_truncated => {
            let mut f = s.finding(Kind::TypeChanged, part, Some(o), Some(n));
            f.severity = body_kind_severity(a, b);
            f.message = format!("{side} body changed from {} to {}", a.kind(), b.kind());
            f.pointer = Some(String::new());
            f.old = Some(Value::from(a.kind()));
            f.new = Some(Value::from(b.kind()));
            out.push(f);
        }
        _ => {}
    }
}

/// The severity policy of a body that changed kind: how an opaque payload is logged (bytes
/// repr, object repr, text) depends on the capture point, so between two non-empty opaque bodies
/// it is info; a payload appearing or disappearing is a warning; JSON against anything else keeps
/// the default (breaking).
fn body_kind_severity(old: &Body, new: &Body) -> Severity {
    let opaque = |b: &Body| matches!(b, Body::Text(_) | Body::Bytes(_) | Body::Object(_));
    match (old, new) {
        (a, b) if opaque(a) && opaque(b) => Severity::Info,
        (Body::None, _) | (_, Body::None) => Severity::Warning,
        _ => default_severity(Kind::TypeChanged),
    }
}

/// A type name or value without JSON quotes.
fn plain(v: &Option<Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => clip(&other.to_string()),
        None => String::new(),
    }
}

/// Shortens long values for one-line messages.
fn clip(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks two threads took turn about come out in pair order, each chunk's findings as
    /// they were.
    #[test]
    fn chunks_from_two_threads_come_out_in_pair_order() {
        let one = vec![(4, vec!["b1", "b2"]), (12, vec!["d"])];
        let other = vec![(0, vec!["a"]), (8, Vec::new()), (16, vec!["e"])];
        let found: Vec<&str> = in_pair_order(one, other).collect();
        assert_eq!(found, ["a", "b1", "b2", "d", "e"]);
    }
}
