//! Flows built one whole exchange at a time, for the client-side formats whose records each
//! hold a complete call (Tempest's log, a client's `--debug` output): every exchange is a root,
//! its callee the URL's `host:port` (the normalizer maps that to a service).

use super::lines::{authority, split_target};
use crate::trace::{Event, EventKind, Exchange, Format, Trace};

/// An empty flow named `name`.
pub(crate) fn flow(name: Option<String>, format: Format) -> Trace {
    Trace {
        name,
        format,
        variables: Vec::new(),
        events: Vec::new(),
        exchanges: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The exchange `caller -> host:port METHOD path` for an absolute `url` (path and query from
/// it, an empty query when it has none), its request seen at `line`; `None` when `url` is not
/// absolute or holds white space (a URL cannot; a path with a space would not read back from
/// a written golden, whose call lines end in the target).
pub(crate) fn exchange(caller: &str, method: &str, url: &str, line: usize) -> Option<Exchange> {
    if url.contains(char::is_whitespace) {
        return None;
    }
    let callee = authority(url)?;
    let (path, query) = split_target(url, true);
    let mut exchange = Exchange::new(caller, &callee, method, path);
    exchange.query = Some(query.unwrap_or("").to_string());
    exchange.request.line = Some(line);
    Some(exchange)
}

/// Fills in the flow's events from its messages' lines, in capture order.
pub(crate) fn finish(mut trace: Trace) -> Trace {
    let mut events = Vec::with_capacity(trace.exchanges.len() * 2);
    for (i, exchange) in trace.exchanges.iter().enumerate() {
        let sides = [
            (EventKind::Request, exchange.request.line),
            (EventKind::Response, exchange.response.line),
        ];
        for (kind, line) in sides {
            if let Some(line) = line {
                events.push(Event {
                    kind,
                    line,
                    exchange: i,
                });
            }
        }
    }
    events.sort_by_key(|e| (e.line, e.exchange, e.kind == EventKind::Response));
    trace.events = events;
    trace.warnings.sort_by_key(|w| w.line);
    trace.exchanges.shrink_to_fit();
    trace
}
