//! Adoption: attaching calls a service logged before the inbound request they serve.

use super::pairing::Slot;
use crate::trace::{Completeness, Event, EventKind, Exchange};

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
pub(crate) fn adopt(exchanges: &mut [Exchange], events: &[Event], slots: &[Slot]) {
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
