//! Pairing events into exchanges and inferring each exchange's parent (shared by every format).

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

/// Interns party names so the open-exchange tables key on small integers.
#[derive(Default)]
struct Parties<'a> {
    ids: HashMap<&'a str, u32>,
}

impl<'a> Parties<'a> {
    fn id(&mut self, name: &'a str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(name).or_insert(next)
    }
}

/// Removes `value` from `list`, searching from the end (the usual place).
fn remove_last(list: &mut Vec<usize>, value: usize) {
    if let Some(i) = list.iter().rposition(|&v| v == value) {
        list.remove(i);
    }
}

/// Builds the trace: pairs requests with responses, orders exchanges by step, infers parents.
pub(crate) fn build(format: Format, meta: Meta, raw: Vec<RawEvent<'_>>) -> Trace {
    let Meta {
        name,
        variables,
        mut warnings,
    } = meta;
    let mut parties = Parties::default();
    let mut exchanges: Vec<Exchange> = Vec::new();
    let mut events: Vec<Event> = Vec::with_capacity(raw.len());
    // Per exchange: (caller id, callee id, request has an id header, request event index).
    let mut keys: Vec<(u32, u32, bool, Option<usize>)> = Vec::new();
    let mut open_by_id: HashMap<String, usize> = HashMap::new();
    let mut open_by_pair: HashMap<(u32, u32), Vec<usize>> = HashMap::new();
    let mut open_by_callee: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut response_pos: Vec<Option<usize>> = Vec::new();

    for ev in raw {
        let caller = parties.id(ev.caller);
        let callee = parties.id(ev.callee);
        let position = events.len();
        match ev.kind {
            EventKind::Request => {
                let index = exchanges.len();
                let parent = open_by_callee.get(&caller).and_then(|l| l.last().copied());
                let id = ev.headers.get(REQUEST_ID).map(str::to_string);
                keys.push((caller, callee, id.is_some(), Some(position)));
                response_pos.push(None);
                if let Some(id) = id {
                    open_by_id.insert(id, index);
                }
                open_by_pair
                    .entry((caller, callee))
                    .or_default()
                    .push(index);
                open_by_callee.entry(callee).or_default().push(index);
                exchanges.push(Exchange {
                    caller: ev.caller.to_string(),
                    callee: ev.callee.to_string(),
                    method: ev.method.to_string(),
                    path: ev.path.to_string(),
                    query: ev.query.map(str::to_string),
                    status: None,
                    reason: None,
                    request: Message {
                        line: Some(ev.line),
                        headers: ev.headers,
                        body: ev.body,
                    },
                    response: Message::default(),
                    completeness: Completeness::Unanswered,
                    parent,
                    adopted: false,
                });
                events.push(Event {
                    kind: EventKind::Request,
                    line: ev.line,
                    exchange: index,
                });
            }
            EventKind::Response => {
                let id = ev.headers.get(REQUEST_ID);
                let by_id = id.and_then(|id| open_by_id.get(id).copied());
                let matched = by_id.or_else(|| {
                    open_by_pair.get(&(caller, callee)).and_then(|list| {
                        list.iter()
                            .rev()
                            .copied()
                            .find(|&i| id.is_none() || !keys[i].2)
                    })
                });
                let index = match matched {
                    Some(index) => {
                        if let Some(id) = id.filter(|_| by_id.is_some()) {
                            open_by_id.remove(id);
                        }
                        let (c, e, ..) = keys[index];
                        if let Some(list) = open_by_pair.get_mut(&(c, e)) {
                            remove_last(list, index);
                        }
                        if let Some(list) = open_by_callee.get_mut(&e) {
                            remove_last(list, index);
                        }
                        let exchange = &mut exchanges[index];
                        if exchange.method.is_empty() {
                            exchange.method = ev.method.to_string();
                        }
                        exchange.completeness = Completeness::Complete;
                        index
                    }
                    None => {
                        warnings.push(Warning {
                            line: ev.line,
                            message: format!(
                                "response without a request: no open `{} -> {}` request before it",
                                ev.caller, ev.callee
                            ),
                        });
                        keys.push((caller, callee, id.is_some(), None));
                        response_pos.push(None);
                        exchanges.push(Exchange {
                            caller: ev.caller.to_string(),
                            callee: ev.callee.to_string(),
                            method: ev.method.to_string(),
                            path: ev.path.to_string(),
                            query: ev.query.map(str::to_string),
                            status: None,
                            reason: None,
                            request: Message::default(),
                            response: Message::default(),
                            completeness: Completeness::ResponseOnly,
                            parent: None,
                            adopted: false,
                        });
                        exchanges.len() - 1
                    }
                };
                response_pos[index] = Some(position);
                let exchange = &mut exchanges[index];
                exchange.status = ev.status;
                exchange.reason = Some(ev.reason.to_string());
                exchange.response = Message {
                    line: Some(ev.line),
                    headers: ev.headers,
                    body: ev.body,
                };
                events.push(Event {
                    kind: EventKind::Response,
                    line: ev.line,
                    exchange: index,
                });
            }
        }
    }
    let request_pos: Vec<Option<usize>> = keys.iter().map(|k| k.3).collect();
    adopt(&mut exchanges, &events, &request_pos, &response_pos);
    Trace {
        name,
        format,
        variables,
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
fn adopt(
    exchanges: &mut [Exchange],
    events: &[Event],
    request_pos: &[Option<usize>],
    response_pos: &[Option<usize>],
) {
    for inbound in 0..exchanges.len() {
        let Some(mut pos) = request_pos[inbound] else {
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
                    && response_pos[candidate] == Some(pos - 1)
                    && !is_ancestor(exchanges, candidate, inbound)
            };
            let Some(start) = request_pos[candidate].filter(|_| fits) else {
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
