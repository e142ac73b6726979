//! Pairing events into exchanges and inferring each exchange's parent (shared by every format).

use super::lines::{split_target, Call};
use crate::trace::{
    Body, Completeness, Event, EventKind, Exchange, Format, Headers, Message, Trace, Warning,
};
use rustc_hash::FxHashMap as HashMap;

/// The open-exchange tables, keyed by small integers (interned party ids): rustc's Fx hash,
/// one multiplication; SipHash is kept for keys taken from the input (names, request ids).
type IdMap<K, V> = rustc_hash::FxHashMap<K, V>;

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
    /// The capture cut the body.
    pub truncated: bool,
}

impl<'a> RawEvent<'a> {
    /// The event a call line stands for. `url`, when the format gives the request's full URL,
    /// supplies path and query (a URL without `?` has an empty query); otherwise the call's
    /// target does, and a missing query is unknown. A response without either leaves the path
    /// empty: the exchange keeps its request's.
    pub(super) fn new(
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
            truncated: false,
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

/// The requests that carried one request id, most recent last: all of them, and by party pair.
/// A replayed or buggy capture reuses ids, so an id alone does not name one request.
#[derive(Default)]
struct WithId {
    all: Vec<usize>,
    by_pair: IdMap<(u32, u32), Vec<usize>>,
}

/// The pairing state: exchanges so far and the requests still open, by id, by party pair (all
/// of them, and those without an id) and by callee (for parents). Party names are interned to
/// small integers. Every list drops answered entries lazily ([`top_open`]), so pairing is
/// linear in the number of events whatever the capture reuses. Party names are owned, so that
/// a capture read in parts pairs across them.
#[derive(Default)]
pub(crate) struct Pairing {
    parties: HashMap<Box<str>, u32>,
    exchanges: Vec<Exchange>,
    events: Vec<Event>,
    slots: Vec<Slot>,
    open_by_id: HashMap<String, WithId>,
    open_by_pair: IdMap<(u32, u32), Vec<usize>>,
    /// The open requests without a request id, by party pair.
    open_without_id: IdMap<(u32, u32), Vec<usize>>,
    /// Indexed by party id.
    open_by_callee: Vec<Vec<usize>>,
    warnings: Vec<Warning>,
}

impl Pairing {
    fn party(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.parties.get(name) {
            return id;
        }
        let id = self.parties.len() as u32;
        self.parties.insert(name.into(), id);
        self.open_by_callee.push(Vec::new());
        id
    }

    /// An empty pairing with room for about `events` events (only reserved, not touched).
    pub(super) fn with_capacity(events: usize) -> Self {
        Pairing {
            events: Vec::with_capacity(events),
            exchanges: Vec::with_capacity(events / 2 + 1),
            slots: Vec::with_capacity(events / 2 + 1),
            ..Pairing::default()
        }
    }

    /// Adds the next event in capture order.
    pub(super) fn push(&mut self, ev: RawEvent<'_>) {
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
            truncated: ev.truncated,
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

    /// Hands each event from position `from` on to `visit`, in capture order, with the index of
    /// its exchange and the exchange; returns the number of events (where the next call starts).
    pub(super) fn hand_events(
        &mut self,
        from: usize,
        visit: &mut dyn FnMut(usize, EventKind, &mut Exchange),
    ) -> usize {
        for event in self.events.get(from..).unwrap_or_default() {
            if let Some(exchange) = self.exchanges.get_mut(event.exchange) {
                visit(event.exchange, event.kind, exchange);
            }
        }
        self.events.len()
    }

    /// Opens an exchange; its parent is the innermost open exchange into its caller.
    fn request(&mut self, ev: &RawEvent<'_>, caller: u32, callee: u32, position: usize) -> usize {
        let index = self.exchanges.len();
        let parent = top_open(&mut self.open_by_callee[caller as usize], &self.slots);
        let id = ev.headers.get(REQUEST_ID);
        if let Some(id) = id {
            let with_id = self.open_by_id.entry(id.to_string()).or_default();
            if let Some(earlier) = top_open(&mut with_id.all, &self.slots) {
                self.warnings.push(Warning {
                    line: ev.line,
                    message: format!(
                        "request id {id} is already used by the open request at line {}: a response with this id pairs with the request of its parties",
                        line_of(&self.exchanges[earlier].request)
                    ),
                });
            }
            with_id.all.push(index);
            with_id
                .by_pair
                .entry((caller, callee))
                .or_default()
                .push(index);
        } else {
            self.open_without_id
                .entry((caller, callee))
                .or_default()
                .push(index);
        }
        self.open_by_pair
            .entry((caller, callee))
            .or_default()
            .push(index);
        self.open_by_callee[callee as usize].push(index);
        self.slots.push(Slot {
            request_pos: Some(position),
            response_pos: None,
        });
        self.exchanges
            .push(open_exchange(ev, Completeness::Unanswered, parent));
        index
    }

    /// Closes the exchange the response answers (the most recent open request with its request
    /// id and its parties, else the most recent open request between the same parties — one
    /// without an id when the response has one), or records a lone response.
    fn response(&mut self, ev: &RawEvent<'_>, caller: u32, callee: u32, position: usize) -> usize {
        let id = ev.headers.get(REQUEST_ID);
        let by_id = id.and_then(|id| self.open_with_id(id, ev, (caller, callee)));
        let slots = &self.slots;
        let matched = by_id.or_else(|| {
            // A response with an id never takes a request that had another id.
            let open = match id {
                Some(_) => &mut self.open_without_id,
                None => &mut self.open_by_pair,
            };
            top_open(open.get_mut(&(caller, callee))?, slots)
        });
        let Some(index) = matched else {
            self.slots.push(Slot {
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

    /// The open request a response carrying request id `id` answers: the most recent one with
    /// that id and the response's parties. When the id's most recent open request is between
    /// other parties, a warning names both lines and the response pairs by parties instead.
    fn open_with_id(&mut self, id: &str, ev: &RawEvent<'_>, parties: (u32, u32)) -> Option<usize> {
        let with_id = self.open_by_id.get_mut(id)?;
        let slots = &self.slots;
        if let Some(index) = with_id
            .by_pair
            .get_mut(&parties)
            .and_then(|list| top_open(list, slots))
        {
            return Some(index);
        }
        let other = top_open(&mut with_id.all, slots)?;
        let request = &self.exchanges[other];
        self.warnings.push(Warning {
            line: ev.line,
            message: format!(
                "response `{} -> {}` has the request id {id} of the open request at line {}, which is `{} -> {}`: not paired by id",
                ev.caller,
                ev.callee,
                line_of(&request.request),
                request.caller,
                request.callee
            ),
        });
        None
    }
}

/// Pairs the events of `trace` again, by the parties its exchanges name now: what reading the
/// trace back from a written form does. Normalization calls it when canonical names merged
/// parties that were told apart when the capture was read (`osc` and `openstack`): a response
/// to `Keystone` then answers a request to `keystone`, as it will once written. Events keep
/// their order, messages their content; the trace's warnings are those of the capture. The
/// formats read one whole call per record (Tempest's log, a client's debug output) were never
/// paired by parties: they are left as read.
pub(crate) fn repair(trace: &mut Trace) {
    let by_records = matches!(trace.format, Format::TempestLog | Format::ClientDebug);
    if trace.events.is_empty() || by_records {
        return;
    }
    let mut old = std::mem::take(&mut trace.exchanges);
    let mut messages: Vec<(Message, Message)> = old
        .iter_mut()
        .map(|e| {
            (
                std::mem::take(&mut e.request),
                std::mem::take(&mut e.response),
            )
        })
        .collect();
    let events = std::mem::take(&mut trace.events);
    let mut pairing = Pairing::with_capacity(events.len());
    for event in &events {
        let Some(exchange) = old.get(event.exchange) else {
            continue;
        };
        let (request, response) = &mut messages[event.exchange];
        let (kind, status, reason, message) = match event.kind {
            EventKind::Request => (EventKind::Request, None, "", request),
            EventKind::Response => (
                EventKind::Response,
                exchange.status,
                exchange.reason.as_deref().unwrap_or(""),
                response,
            ),
        };
        let message = std::mem::take(message);
        pairing.push(RawEvent {
            kind,
            line: event.line,
            caller: &exchange.caller,
            callee: &exchange.callee,
            method: &exchange.method,
            path: &exchange.path,
            query: exchange.query.as_deref(),
            status,
            reason,
            headers: message.headers,
            body: message.body,
            truncated: message.truncated,
        });
    }
    let Pairing {
        exchanges, events, ..
    } = pairing;
    trace.exchanges = exchanges;
    trace.events = events;
}

/// The line of a message, for warnings (0 when unknown).
fn line_of(message: &Message) -> usize {
    message.line.unwrap_or(0)
}

impl Pairing {
    /// The trace: exchanges in step order with parents (before adoption, which needs the
    /// rules: [`crate::normalize::adopt`]), warnings by line.
    pub(super) fn finish(self, format: Format, meta: Meta) -> Trace {
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
        all.extend(unpaired_warnings(&exchanges));
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

/// How many unanswered requests (and lone responses) get a warning each; a summary counts them
/// all, so a capture cut short does not print a line per open call.
const LISTED: usize = 10;

/// Warnings for the requests that got no response and the responses without a request: one
/// each for the first [`LISTED`] of either kind, and, when there are several, a count
/// (`12 requests without a response`) at the first one's line.
pub(crate) fn unpaired_warnings(exchanges: &[Exchange]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (completeness, noun, missing) in [
        (
            Completeness::Unanswered,
            "request",
            "a response (the capture may be cut short)",
        ),
        (Completeness::ResponseOnly, "response", "a request"),
    ] {
        let unpaired = exchanges.iter().filter(|e| e.completeness == completeness);
        let count = unpaired.clone().count();
        let mut listed = unpaired.take(LISTED).peekable();
        let Some(first) = listed.peek() else {
            continue;
        };
        if count > 1 {
            let shown = if count > LISTED {
                format!("; the first {LISTED} are listed")
            } else {
                String::new()
            };
            warnings.push(Warning {
                line: line_of(side(first, completeness)),
                message: format!("{count} {noun}s without {missing}{shown}"),
            });
        }
        for exchange in listed {
            let message = match completeness {
                Completeness::Unanswered => format!(
                    "request without a response: `{} -> {} {} {}` was never answered",
                    exchange.caller,
                    exchange.callee,
                    exchange.method,
                    crate::trace_output::mermaid::target(exchange)
                ),
                _ => format!(
                    "response without a request: no open `{} -> {}` request before it",
                    exchange.caller, exchange.callee
                ),
            };
            warnings.push(Warning {
                line: line_of(side(exchange, completeness)),
                message,
            });
        }
    }
    warnings
}

/// The message an unpaired exchange has: its request, or its response when it has only that.
fn side(exchange: &Exchange, completeness: Completeness) -> &Message {
    match completeness {
        Completeness::ResponseOnly => &exchange.response,
        _ => &exchange.request,
    }
}
