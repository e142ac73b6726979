//! Pairing events into exchanges and inferring each exchange's parent (shared by every format).

use super::lines::{split_target, Call};
use crate::trace::{
    Body, Completeness, Event, EventKind, Exchange, Format, Headers, Message, Trace, Warning,
};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes the small integer keys of the open-exchange tables (interned party ids) with one
/// multiplication; SipHash is kept for keys taken from the input (names, request ids).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// The header the hook writes on both sides of an exchange.
pub(crate) const REQUEST_ID: &str = "X-Requestshook-Request-Id";

/// One request or response as a format parser read it, before pairing.
#[derive(Debug, Clone)]
pub(crate) struct RawEvent<'a> {
    /// Request or response.
    pub kind: EventKind,
    /// 1-based heading line.
    pub line: usize,
    /// The party that sent the request.
    pub caller: &'a str,
    /// The party that answered.
    pub callee: &'a str,
    /// Method; empty on a response that does not repeat it.
    pub method: &'a str,
    /// URL path (`/` for the hook's `None`); empty on a response that does not name it.
    pub path: &'a str,
    /// Query string, `None` when the format did not record it.
    pub query: Option<&'a str>,
    /// Status code (responses).
    pub status: Option<u16>,
    /// Reason phrase (responses).
    pub reason: &'a str,
    /// Headers in capture order.
    pub headers: Headers,
    /// The body.
    pub body: Body,
}

impl<'a> RawEvent<'a> {
    /// The event a call line stands for. `url`, when the format gives the request's full URL,
    /// supplies path and query (a URL without `?` has an empty query); otherwise the call's
    /// target does, and a missing query is unknown. A response without either leaves the path
    /// empty: the exchange keeps its request's.
    pub fn new(
        line: usize,
        call: Call<'a>,
        (caller, callee): (&'a str, &'a str),
        url: Option<&'a str>,
        headers: Headers,
        body: Body,
    ) -> Self {
        let (kind, method, status, reason, target) = match call {
            Call::Request { method, target } => {
                (EventKind::Request, method, None, "", Some(target))
            }
            Call::Response {
                status,
                reason,
                method,
                target,
            } => (
                EventKind::Response,
                method.unwrap_or(""),
                Some(status),
                reason,
                target,
            ),
        };
        let (path, query) = match (url, target) {
            (Some(url), _) => {
                let (path, query) = split_target(url, true);
                (path, query.or(Some("")))
            }
            (None, Some(target)) => split_target(target, false),
            // A response that does not name its path takes its request's when it closes one.
            (None, None) => ("", None),
        };
        RawEvent {
            kind,
            line,
            caller,
            callee,
            method,
            path,
            query,
            status,
            reason,
            headers,
            body,
        }
    }
}

/// What the format parser found besides events.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    /// The flow name from a title.
    pub name: Option<String>,
    /// The variables note.
    pub variables: Vec<(String, String)>,
    /// Warnings so far.
    pub warnings: Vec<Warning>,
}

/// The most recent still-open exchange of `list`, dropping answered ones from its top first.
/// Answered exchanges are not removed when they close (that would cost a search); they are
/// dropped here once nothing open is above them, so every entry is popped at most once.
fn top_open(list: &mut Vec<usize>, slots: &[Slot]) -> Option<usize> {
    while let Some(&top) = list.last() {
        if slots[top].is_open() {
            return Some(top);
        }
        list.pop();
    }
    None
}

/// A new exchange from its first event (request or lone response); the sides are filled later.
fn open_exchange(ev: &RawEvent<'_>, completeness: Completeness, parent: Option<usize>) -> Exchange {
    Exchange {
        caller: ev.caller.to_string(),
        callee: ev.callee.to_string(),
        method: ev.method.to_string(),
        path: ev.path.to_string(),
        query: ev.query.map(str::to_string),
        status: None,
        reason: None,
        request: Message::default(),
        response: Message::default(),
        completeness,
        parent,
        adopted: false,
    }
}

/// Per exchange, what pairing needs to remember.
pub(crate) struct Slot {
    has_id: bool,
    /// Index into the events of the exchange's request.
    pub request_pos: Option<usize>,
    /// Index into the events of the exchange's response.
    pub response_pos: Option<usize>,
}

impl Slot {
    /// Request seen, response not yet.
    fn is_open(&self) -> bool {
        self.request_pos.is_some() && self.response_pos.is_none()
    }
}

/// The pairing state: exchanges so far and the requests still open, by id, by party pair and
/// by callee (for parents). Party names are interned to small integers.
#[derive(Default)]
pub(crate) struct Pairing<'a> {
    parties: HashMap<&'a str, u32>,
    exchanges: Vec<Exchange>,
    events: Vec<Event>,
    slots: Vec<Slot>,
    open_by_id: HashMap<String, usize>,
    open_by_pair: IdMap<(u32, u32), Vec<usize>>,
    /// Indexed by party id.
    open_by_callee: Vec<Vec<usize>>,
    warnings: Vec<Warning>,
}

impl<'a> Pairing<'a> {
    fn party(&mut self, name: &'a str) -> u32 {
        let next = self.parties.len() as u32;
        let id = *self.parties.entry(name).or_insert(next);
        if id == next {
            self.open_by_callee.push(Vec::new());
        }
        id
    }

    /// An empty pairing with room for about `events` events (only reserved, not touched).
    pub fn with_capacity(events: usize) -> Self {
        Pairing {
            events: Vec::with_capacity(events),
            exchanges: Vec::with_capacity(events / 2 + 1),
            slots: Vec::with_capacity(events / 2 + 1),
            ..Pairing::default()
        }
    }

    /// Adds the next event in capture order.
    pub fn push(&mut self, ev: RawEvent<'a>) {
        let caller = self.party(ev.caller);
        let callee = self.party(ev.callee);
        let position = self.events.len();
        let index = match ev.kind {
            EventKind::Request => self.request(&ev, caller, callee, position),
            EventKind::Response => self.response(&ev, caller, callee, position),
        };
        let exchange = &mut self.exchanges[index];
        let message = Message {
            line: Some(ev.line),
            headers: ev.headers,
            body: ev.body,
            truncated: false,
        };
        match ev.kind {
            EventKind::Request => exchange.request = message,
            EventKind::Response => {
                exchange.status = ev.status;
                exchange.reason = Some(ev.reason.to_string());
                exchange.response = message;
            }
        }
        self.events.push(Event {
            kind: ev.kind,
            line: ev.line,
            exchange: index,
        });
    }

    /// Opens an exchange; its parent is the innermost open exchange into its caller.
    fn request(&mut self, ev: &RawEvent<'a>, caller: u32, callee: u32, position: usize) -> usize {
        let index = self.exchanges.len();
        let parent = top_open(&mut self.open_by_callee[caller as usize], &self.slots);
        let id = ev.headers.get(REQUEST_ID);
        if let Some(id) = id {
            self.open_by_id.insert(id.to_string(), index);
        }
        self.open_by_pair
            .entry((caller, callee))
            .or_default()
            .push(index);
        self.open_by_callee[callee as usize].push(index);
        self.slots.push(Slot {
            has_id: id.is_some(),
            request_pos: Some(position),
            response_pos: None,
        });
        self.exchanges
            .push(open_exchange(ev, Completeness::Unanswered, parent));
        index
    }

    /// Closes the exchange the response answers (by request id, else the most recent open
    /// request between the same parties), or records a lone response.
    fn response(&mut self, ev: &RawEvent<'a>, caller: u32, callee: u32, position: usize) -> usize {
        let id = ev.headers.get(REQUEST_ID);
        let slots = &self.slots;
        let by_id = id
            .and_then(|id| self.open_by_id.remove(id))
            .filter(|&i| slots[i].is_open());
        let matched = by_id.or_else(|| {
            let list = self.open_by_pair.get_mut(&(caller, callee))?;
            top_open(list, slots)?;
            // A response with an id never takes a request that had another id.
            list.iter()
                .rev()
                .copied()
                .find(|&i| slots[i].is_open() && (id.is_none() || !slots[i].has_id))
        });
        let Some(index) = matched else {
            self.warnings.push(Warning {
                line: ev.line,
                message: format!(
                    "response without a request: no open `{} -> {}` request before it",
                    ev.caller, ev.callee
                ),
            });
            self.slots.push(Slot {
                has_id: id.is_some(),
                request_pos: None,
                response_pos: Some(position),
            });
            self.exchanges
                .push(open_exchange(ev, Completeness::ResponseOnly, None));
            return self.exchanges.len() - 1;
        };
        self.slots[index].response_pos = Some(position);
        let exchange = &mut self.exchanges[index];
        if exchange.method.is_empty() {
            exchange.method = ev.method.to_string();
        }
        exchange.completeness = Completeness::Complete;
        index
    }
}

impl Pairing<'_> {
    /// The trace: exchanges in step order with parents (before adoption, which needs the
    /// rules: [`crate::normalize::adopt`]), warnings by line.
    pub fn finish(self, format: Format, meta: Meta) -> Trace {
        let Pairing {
            mut exchanges,
            mut events,
            warnings,
            ..
        } = self;
        // The vectors were reserved from the input's size: give back what was not used.
        exchanges.shrink_to_fit();
        events.shrink_to_fit();
        let mut all = meta.warnings;
        all.extend(warnings);
        all.sort_by_key(|w| w.line);
        Trace {
            name: meta.name,
            format,
            variables: meta.variables,
            events,
            exchanges,
            warnings: all,
        }
    }
}
