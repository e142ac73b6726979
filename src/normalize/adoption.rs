//! Adoption: attaching auth calls a service logged before the inbound request they serve.

use super::{signature, RuleSet};
use crate::trace::{Completeness, EventKind, Exchange, Trace};

/// Adoption: a hook placed behind keystonemiddleware logs a service's token calls (validation,
/// service tokens) *before* the inbound request that caused them. Such calls, made while none
/// of the service's inbound exchanges is open and immediately followed (once they completed) by
/// an inbound request to that service, belong to that request.
///
/// Only auth plumbing is adopted: cache-dependent calls to the identity service (the rules say
/// which calls and which service). Any other call stays where the capture put it, so an
/// independent call of one actor that happens to be logged just before another actor's inbound
/// request remains a root.
///
/// Only an unbroken run qualifies: the inbound request must be the very next event after the
/// last such call's response, and each earlier call must end right where the next one starts.
/// A call to the party that sends the inbound request next is not adopted either: `S -> C`
/// answered and then `C -> S` is C reacting, not S serving C's request early. Idempotent.
pub fn adopt(trace: &mut Trace, rules: &RuleSet) {
    let adoptable: Vec<bool> = trace
        .exchanges
        .iter()
        .map(|e| auth_plumbing(e, rules))
        .collect();
    if !adoptable.contains(&true) {
        return;
    }
    let mut request_pos = vec![None; trace.exchanges.len()];
    let mut response_pos = vec![None; trace.exchanges.len()];
    for (pos, event) in trace.events.iter().enumerate() {
        let slot = match event.kind {
            EventKind::Request => request_pos.get_mut(event.exchange),
            EventKind::Response => response_pos.get_mut(event.exchange),
        };
        if let Some(slot) = slot {
            *slot = Some(pos);
        }
    }
    let exchanges = &mut trace.exchanges;
    for inbound in 0..exchanges.len() {
        let Some(mut pos) = request_pos[inbound] else {
            continue;
        };
        while pos > 0 {
            let before = trace.events[pos - 1];
            if before.kind != EventKind::Response || before.exchange >= exchanges.len() {
                break;
            }
            let candidate = before.exchange;
            let fits = {
                let c = &exchanges[candidate];
                adoptable[candidate]
                    && c.parent.is_none()
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

/// A service's cache-dependent call to the identity service (token validation, service token).
fn auth_plumbing(exchange: &Exchange, rules: &RuleSet) -> bool {
    rules.is_identity(&exchange.callee)
        && !rules.is_client(&exchange.caller)
        && rules.cache_dependent(&signature(exchange, rules), false)
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
