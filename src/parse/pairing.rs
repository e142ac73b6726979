//! Pairing events into exchanges and inferring each exchange's parent (shared by every format).

use super::lines::{split_target, Call};
use crate::trace::{
    Body, Completeness, Event, EventKind, Exchange, Format, Headers, Message, Trace, Warning,
};
use std::collections::HashMap;

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
    /// URL path (`/` for the hook's `None`).
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
    /// target does, and a missing query is unknown.
    pub fn new(
        line: usize,
        call: Call<'a>,
        (caller, callee): (&'a str, &'a str),
        url: Option<&'a str>,
        headers: Headers,
        body: Body,
    ) -> Self {
        let (kind, method, status, reason, target) = match call {
            Call::Request { method, target } => (EventKind::Request, method, None, "", target),
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
        let (path, query) = match url {
            Some(url) => {
                let (path, query) = split_target(url, true);
                (path, query.or(Some("")))
            }
            None => split_target(target, false),
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

/// Removes `value` from `list`, searching from the end (the usual place).
fn remove_last(list: &mut Vec<usize>, value: usize) {
    if let Some(i) = list.iter().rposition(|&v| v == value) {
        list.remove(i);
    }
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
struct Slot {
    caller: u32,
    callee: u32,
    has_id: bool,
    request_pos: Option<usize>,
    response_pos: Option<usize>,
}

/// The pairing state: exchanges so far and the requests still open, by id, by party pair and
/// by callee (for parents). Party names are interned to small integers.
#[derive(Default)]
struct Pairing<'a> {
    parties: HashMap<&'a str, u32>,
    exchanges: Vec<Exchange>,
    events: Vec<Event>,
    slots: Vec<Slot>,
    open_by_id: HashMap<String, usize>,
    open_by_pair: HashMap<(u32, u32), Vec<usize>>,
    open_by_callee: HashMap<u32, Vec<usize>>,
    warnings: Vec<Warning>,
}

impl<'a> Pairing<'a> {
    fn party(&mut self, name: &'a str) -> u32 {
        let next = self.parties.len() as u32;
        *self.parties.entry(name).or_insert(next)
    }

    fn event(&mut self, ev: RawEvent<'a>) {
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
        let parent = self
            .open_by_callee
            .get(&caller)
            .and_then(|l| l.last().copied());
        let id = ev.headers.get(REQUEST_ID);
        if let Some(id) = id {
            self.open_by_id.insert(id.to_string(), index);
        }
        self.open_by_pair
            .entry((caller, callee))
            .or_default()
            .push(index);
        self.open_by_callee.entry(callee).or_default().push(index);
        self.slots.push(Slot {
            caller,
            callee,
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
        let by_id = id.and_then(|id| self.open_by_id.remove(id));
        let slots = &self.slots;
        let matched = by_id.or_else(|| {
            let list = self.open_by_pair.get(&(caller, callee))?;
            // A response with an id never takes a request that had another id.
            list.iter()
                .rev()
                .copied()
                .find(|&i| id.is_none() || !slots[i].has_id)
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
                caller,
                callee,
                has_id: id.is_some(),
                request_pos: None,
                response_pos: Some(position),
            });
            self.exchanges
                .push(open_exchange(ev, Completeness::ResponseOnly, None));
            return self.exchanges.len() - 1;
        };
        let slot = &mut self.slots[index];
        slot.response_pos = Some(position);
        if let Some(list) = self.open_by_pair.get_mut(&(slot.caller, slot.callee)) {
            remove_last(list, index);
        }
        if let Some(list) = self.open_by_callee.get_mut(&slot.callee) {
            remove_last(list, index);
        }
        let exchange = &mut self.exchanges[index];
        if exchange.method.is_empty() {
            exchange.method = ev.method.to_string();
        }
        exchange.completeness = Completeness::Complete;
        index
    }
}

/// Builds the trace: pairs requests with responses, orders exchanges by step, infers parents.
pub(crate) fn build(format: Format, meta: Meta, raw: Vec<RawEvent<'_>>) -> Trace {
    let mut pairing = Pairing {
        events: Vec::with_capacity(raw.len()),
        warnings: meta.warnings,
        ..Pairing::default()
    };
    for ev in raw {
        pairing.event(ev);
    }
    let Pairing {
        mut exchanges,
        events,
        slots,
        warnings,
        ..
    } = pairing;
    adopt(&mut exchanges, &events, &slots);
    Trace {
        name: meta.name,
        format,
        variables: meta.variables,
        events,
        exchanges,
        warnings,
    }
}

/// Adoption: calls a service makes while none of its inbound exchanges is open, immediately
/// followed (once they completed) by an inbound request to that service, belong to that request
/// (a hook placed behind keystonemiddleware logs the validation before the request it serves).
///
/// Only an unbroken run qualifies: the inbound request must be the very next event after the
/// last such call's response, and each earlier call must end right where the next one starts.
/// An independent actor's calls (nova-compute polling while nobody calls it) are never followed
/// directly by a request *to* that actor, so they stay roots. A call to the party that sends the
/// inbound request next is not adopted either: `S -> C` answered and then `C -> S` is C reacting
/// (or an unrelated notifier), not S serving C's request early.
fn adopt(exchanges: &mut [Exchange], events: &[Event], slots: &[Slot]) {
    for inbound in 0..exchanges.len() {
        let Some(mut pos) = slots[inbound].request_pos else {
            continue;
        };
        while pos > 0 {
            let before = events[pos - 1];
            if before.kind != EventKind::Response {
                break;
            }
            let candidate = before.exchange;
            let fits = {
                let c = &exchanges[candidate];
                c.parent.is_none()
                    && c.completeness == Completeness::Complete
                    && c.caller == exchanges[inbound].callee
                    && c.callee != exchanges[inbound].caller
                    && slots[candidate].response_pos == Some(pos - 1)
                    && !is_ancestor(exchanges, candidate, inbound)
            };
            let Some(start) = slots[candidate].request_pos.filter(|_| fits) else {
                break;
            };
            exchanges[candidate].parent = Some(inbound);
            exchanges[candidate].adopted = true;
            pos = start;
        }
    }
}

/// Whether `ancestor` is `index` or one of its ancestors (guards adoption against cycles).
fn is_ancestor(exchanges: &[Exchange], ancestor: usize, index: usize) -> bool {
    let mut current = Some(index);
    let mut steps = 0;
    while let Some(i) = current {
        if i == ancestor {
            return true;
        }
        steps += 1;
        if steps > exchanges.len() {
            return true;
        }
        current = exchanges.get(i).and_then(|e| e.parent);
    }
    false
}
