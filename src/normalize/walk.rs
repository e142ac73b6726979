//! Visits every string of a trace that normalization looks at, in one fixed order (capture
//! order of events), so that the collecting pass and the rewriting pass see the same sequence.

use crate::trace::Json as Value;
use crate::trace::{Body, EventKind, Exchange, Headers, Message, Trace};
use compact_str::CompactString;

/// Where a visited string sits.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ctx<'a> {
    /// An exchange's URL path.
    Path,
    /// An exchange's query string.
    Query,
    /// The value of header `name`.
    Header(&'a str),
    /// A JSON string under object key `key`, inside an object under `parent`.
    Json {
        /// The key of the value (array elements inherit their array's key).
        key: Option<&'a str>,
        /// The key of the object holding `key`.
        parent: Option<&'a str>,
        /// RFC 6901 pointer of the value (empty unless pointer rules exist).
        pointer: &'a str,
    },
    /// A text, bytes or object body.
    Text,
}

/// Something that looks at (and may rewrite) each string.
pub(super) trait Visit {
    /// Visits one string; returns its new text when it changes (a compact string: a placeholder
    /// replacing a whole JSON value, the most common rewrite, stays inline without allocating).
    fn visit(&mut self, text: &str, ctx: Ctx<'_>) -> Option<CompactString>;

    /// Visits a JSON object key; returns its new text when it changes.
    fn visit_key(&mut self, key: &str) -> Option<CompactString>;

    /// True when a JSON number or boolean under `key` (at `pointer`) is a secret: it is then
    /// turned into a string and visited as one, so that its redaction replaces it (a password
    /// may be a number). Only the collecting pass decides; the rewriting pass sees the string.
    fn secret_scalar(&mut self, _key: Option<&str>, _pointer: &str) -> bool {
        false
    }

    /// Says that the next strings are those of `part` (0: path and query, 1: request,
    /// 2: response) of exchange `exchange`.
    fn enter(&mut self, _exchange: usize, _part: usize) {}
}

/// Walks `trace` in event order; `pointers` says whether JSON pointers are needed.
pub(super) fn walk(trace: &mut Trace, visitor: &mut impl Visit, pointers: bool) {
    let mut visited = Visited::default();
    for event in &trace.events {
        if let Some(exchange) = trace.exchanges.get_mut(event.exchange) {
            visited.event(
                event.exchange,
                event.kind,
                exchange,
                visitor,
                pointers,
                visit_call,
            );
        }
    }
    visited.rest(trace, visitor, pointers, visit_call);
}

/// Which sides of which exchanges were visited: the one order both passes follow, whether a
/// trace is walked whole or its events are visited as they are read.
#[derive(Debug, Default)]
pub(super) struct Visited {
    /// Per exchange: its request, its response was visited (its call with the first of them).
    sides: Vec<[bool; 2]>,
}

impl Visited {
    /// Visits event `kind` of exchange `index` (`exchange`) unless that side was visited:
    /// first its call with `call` when the exchange was not seen before, then the message.
    pub(super) fn event<V: Visit>(
        &mut self,
        index: usize,
        kind: EventKind,
        exchange: &mut Exchange,
        visitor: &mut V,
        pointers: bool,
        call: impl FnOnce(usize, &mut Exchange, &mut V),
    ) {
        if self.sides.len() <= index {
            self.sides.resize(index + 1, [false; 2]);
        }
        let side = usize::from(kind == EventKind::Response);
        let seen = &mut self.sides[index];
        if seen[side] {
            return;
        }
        let first = *seen == [false; 2];
        seen[side] = true;
        if first {
            visitor.enter(index, 0);
            call(index, exchange, visitor);
        }
        visitor.enter(index, 1 + side);
        let message = match kind {
            EventKind::Request => &mut exchange.request,
            EventKind::Response => &mut exchange.response,
        };
        visit_message(message, visitor, pointers);
    }

    /// Visits, after the events, the sides no event stood for (request, then response, of
    /// each exchange in order).
    pub(super) fn rest<V: Visit>(
        &mut self,
        trace: &mut Trace,
        visitor: &mut V,
        pointers: bool,
        mut call: impl FnMut(usize, &mut Exchange, &mut V),
    ) {
        for (index, exchange) in trace.exchanges.iter_mut().enumerate() {
            for kind in [EventKind::Request, EventKind::Response] {
                self.event(index, kind, exchange, visitor, pointers, &mut call);
            }
        }
    }
}

/// Visits an exchange's path and query, rewriting them in place.
fn visit_call(_index: usize, exchange: &mut Exchange, visitor: &mut impl Visit) {
    let (path, query) = visit_call_texts(exchange, visitor);
    write_call(exchange, path, query);
}

/// Writes the new texts of an exchange's path and query (those that changed).
pub(super) fn write_call(
    exchange: &mut Exchange,
    path: Option<CompactString>,
    query: Option<CompactString>,
) {
    if let Some(new) = path {
        exchange.path = new.into();
    }
    if let (Some(old), Some(new)) = (exchange.query.as_mut(), query) {
        *old = new.into();
    }
}

/// Visits an exchange's path and query; returns their new texts (those that change).
pub(super) fn visit_call_texts(
    exchange: &Exchange,
    visitor: &mut impl Visit,
) -> (Option<CompactString>, Option<CompactString>) {
    let path = visitor.visit(&exchange.path, Ctx::Path);
    let query = exchange
        .query
        .as_deref()
        .and_then(|query| visitor.visit(query, Ctx::Query));
    (path, query)
}

/// Visits a message's header values and body strings (JSON keys included).
pub(super) fn visit_message(message: &mut Message, visitor: &mut impl Visit, pointers: bool) {
    if let Some(headers) = visit_headers(&message.headers, visitor) {
        message.headers = headers;
    }
    match &mut message.body {
        Body::Json(value) => {
            let mut pointer = String::new();
            walk_json(value, None, None, &mut pointer, pointers, visitor);
        }
        Body::Text(text) | Body::Bytes(text) | Body::Object(text) => {
            if let Some(new) = visitor.visit(text, Ctx::Text) {
                *text = new.into();
            }
        }
        Body::None | Body::Unknown => {}
    }
}

/// Visits each header value in order; the headers rebuilt when a value changes (no copy of
/// each value just to look at it).
fn visit_headers(headers: &Headers, visitor: &mut impl Visit) -> Option<Headers> {
    let mut rebuilt: Option<Headers> = None;
    for (i, (name, value)) in headers.iter().enumerate() {
        let new = visitor.visit(value, Ctx::Header(name));
        match (&mut rebuilt, new) {
            (Some(out), new) => out.push(name, new.as_deref().unwrap_or(value)),
            (None, Some(new)) => {
                let mut out = Headers::with_room_of(headers);
                for (n, v) in headers.iter().take(i) {
                    out.push(n, v);
                }
                out.push(name, &new);
                rebuilt = Some(out);
            }
            (None, None) => {}
        }
    }
    rebuilt.map(|mut out| {
        out.shrink_to_fit();
        out
    })
}

fn walk_json(
    value: &mut Value,
    key: Option<&str>,
    parent: Option<&str>,
    pointer: &mut String,
    pointers: bool,
    visitor: &mut impl Visit,
) {
    match value {
        Value::String(text) => {
            let ctx = Ctx::Json {
                key,
                parent,
                pointer,
            };
            if let Some(new) = visitor.visit(text, ctx) {
                *text = new;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let mark = pointer.len();
                if pointers {
                    push_index(pointer, i);
                }
                walk_json(item, key, parent, pointer, pointers, visitor);
                pointer.truncate(mark);
            }
        }
        Value::Object(map) => {
            // Keys first, in order, then values: both passes see the same sequence. The map is
            // rebuilt only when a key changes, and only once its values are visited: two keys
            // may become one (two timestamps), and the value that goes was visited by the
            // collecting pass all the same.
            let renamed: Vec<(usize, CompactString)> = map
                .keys()
                .enumerate()
                .filter_map(|(i, k)| visitor.visit_key(k).map(|new| (i, new)))
                .collect();
            for (k, v) in map.iter_mut() {
                let mark = pointer.len();
                if pointers {
                    pointer.push('/');
                    if k.contains(['~', '/']) {
                        pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    } else {
                        pointer.push_str(k);
                    }
                }
                walk_json(v, Some(k), key, pointer, pointers, visitor);
                pointer.truncate(mark);
            }
            if !renamed.is_empty() {
                let mut renamed = renamed.into_iter().peekable();
                let old = std::mem::take(map);
                for (i, (k, v)) in old.into_iter().enumerate() {
                    let k = match renamed.next_if(|(at, _)| *at == i) {
                        Some((_, new)) => new,
                        None => k,
                    };
                    map.insert(k, v);
                }
            }
        }
        Value::Bool(_) | Value::Number(_) => {
            if visitor.secret_scalar(key, pointer) {
                *value = Value::String(value.to_value().to_string().into());
                walk_json(value, key, parent, pointer, pointers, visitor);
            }
        }
        Value::Null => {}
    }
}

/// Appends `/i` to a pointer without the formatting machinery (arrays are many).
fn push_index(pointer: &mut String, i: usize) {
    pointer.push('/');
    pointer.push_str(itoa::Buffer::new().format(i));
}

#[cfg(test)]
mod tests {
    #[test]
    fn indices_are_written_in_decimal() {
        let mut p = String::from("/a");
        super::push_index(&mut p, 0);
        super::push_index(&mut p, 1907);
        assert_eq!(p, "/a/0/1907");
    }
}
