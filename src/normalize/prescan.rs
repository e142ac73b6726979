//! Scanning ahead on both cores: the value matches of every whole string of a long trace,
//! found per exchange on two threads before the collecting pass uses them in visiting order.
//! Only this pure search runs in parallel; placeholders are still given out sequentially, in
//! order of first appearance.

use super::compiled::Compiled;
use super::find::{find_with, Found};
use super::memo::Memo;
use super::walk::{visit_call_texts, visit_message, Ctx, Visit};
use crate::trace::Exchange;
use compact_str::CompactString;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Normalizations running now (a command may load several traces on all cores at once).
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Counts one running normalization while alive.
pub(super) struct Running {
    /// How many others were running when this one started.
    others: usize,
}

impl Running {
    /// Counts this normalization in.
    pub(super) fn start() -> Running {
        Running {
            others: RUNNING.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// True when scanning `exchanges` ahead is worth a thread: a long trace, and a core left
    /// by the other normalizations running.
    pub(super) fn scan_ahead(&self, exchanges: &[Exchange]) -> bool {
        exchanges.len() >= PARALLEL_FROM
            && self.others + 2 <= std::thread::available_parallelism().map_or(1, usize::from)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Below this many exchanges a second thread costs more than it saves.
pub(super) const PARALLEL_FROM: usize = 256;

/// Matches scanned ahead, per visited string (queries excepted: they are scanned in pieces),
/// kept in the two runs of exchanges the threads scanned (no copy to join them).
#[derive(Debug, Default)]
pub(super) struct Prescan {
    chunks: Vec<Chunk>,
    /// The index of the first exchange of each chunk.
    firsts: Vec<usize>,
    /// The chunk, string and first match `next` gives.
    chunk: usize,
    cursor: usize,
    at: usize,
}

/// The matches of a run of exchanges.
#[derive(Debug, Default)]
struct Chunk {
    /// Matches as `[start, end, rule + 1]` (0: a placeholder), small on long traces.
    found: Vec<[u32; 3]>,
    /// Per string, in visiting order: how many matches it has in `found` ([`MANY`]: too
    /// many to keep, it is scanned again).
    counts: Vec<u8>,
    /// Per exchange: where the strings of its call (path and query), request and response
    /// start, as indices in `counts` and in `found`.
    parts: Vec<[[u32; 2]; 3]>,
}

/// The count of a string not scanned ahead.
const MANY: u8 = u8::MAX;

impl Prescan {
    /// Scans the exchanges ahead on two threads; empty for short traces.
    pub(super) fn new(rules: &Compiled, exchanges: &mut [Exchange]) -> Prescan {
        if exchanges.len() < PARALLEL_FROM {
            return Prescan::default();
        }
        let mid = exchanges.len() / 2;
        let (first, second) = exchanges.split_at_mut(mid);
        let (a, b) = std::thread::scope(|s| {
            let handle = s.spawn(|| scan_exchanges(rules, second));
            let a = scan_exchanges(rules, first);
            (a, handle.join().ok().flatten())
        });
        match a.zip(b) {
            Some((a, b)) => Prescan {
                chunks: vec![a, b],
                firsts: vec![0, mid],
                ..Prescan::default()
            },
            None => Prescan::default(),
        }
    }

    /// Moves to the first string of `part` (see [`Visit::enter`]) of exchange `exchange`.
    pub(super) fn enter(&mut self, exchange: usize, part: usize) {
        self.chunk = self
            .firsts
            .partition_point(|&f| f <= exchange)
            .saturating_sub(1);
        let first = self.firsts.get(self.chunk).copied().unwrap_or_default();
        let [cursor, at] = self
            .chunks
            .get(self.chunk)
            .and_then(|c| c.parts.get(exchange - first.min(exchange)))
            .and_then(|p| p.get(part))
            .map_or([usize::MAX; 2], |p| p.map(|i| i as usize));
        (self.cursor, self.at) = (cursor, at);
    }

    /// The range in the current chunk of the next string's matches (`None`: not scanned
    /// ahead), and moves past it.
    pub(super) fn next(&mut self) -> Option<Range<usize>> {
        let count = *self.chunks.get(self.chunk)?.counts.get(self.cursor)?;
        self.cursor += 1;
        if count == MANY {
            return None;
        }
        let start = self.at;
        self.at += usize::from(count);
        Some(start..self.at)
    }

    /// Appends the matches in `range` to `out` when they fit in `text`, the string scanned
    /// (the check only keeps a bug from slicing wrong); false when not.
    pub(super) fn found_into(&self, range: Range<usize>, text: &str, out: &mut Vec<Found>) -> bool {
        let Some(found) = self.chunks.get(self.chunk).and_then(|c| c.found.get(range)) else {
            return false;
        };
        let fits = |&[start, end, _]: &[u32; 3]| {
            start <= end
                && text.is_char_boundary(start as usize)
                && text.is_char_boundary(end as usize)
        };
        if !found.iter().all(fits) {
            return false;
        }
        out.extend(found.iter().map(|&[start, end, rule]| Found {
            start: start as usize,
            end: end as usize,
            rule: (rule as usize).checked_sub(1),
        }));
        true
    }
}

/// Scans one run of exchanges, with a scan cache of its own; `None` past 4 GiB of matches.
fn scan_exchanges(rules: &Compiled, exchanges: &mut [Exchange]) -> Option<Chunk> {
    let re = rules.values.as_ref()?;
    let mut scanner = Scanner {
        rules,
        cache: re.create_cache(),
        memo: Memo::default(),
        scratch: Vec::new(),
        out: Chunk::default(),
        overflow: false,
    };
    for exchange in exchanges {
        let first = |s: &mut Scanner<'_>| {
            let at = [s.out.counts.len(), s.out.found.len()].map(u32::try_from);
            match at {
                [Ok(string), Ok(found)] => [string, found],
                _ => {
                    s.overflow = true;
                    [0, 0]
                }
            }
        };
        let call = first(&mut scanner);
        // The scanner only looks: it rewrites nothing.
        let _ = visit_call_texts(exchange, &mut scanner);
        let request = first(&mut scanner);
        visit_message(&mut exchange.request, &mut scanner, false);
        let response = first(&mut scanner);
        visit_message(&mut exchange.response, &mut scanner, false);
        scanner.out.parts.push([call, request, response]);
    }
    let mut out = scanner.out;
    out.found.shrink_to_fit();
    out.counts.shrink_to_fit();
    out.parts.shrink_to_fit();
    (!scanner.overflow).then_some(out)
}

/// The visitor that scans ahead.
struct Scanner<'r> {
    rules: &'r Compiled,
    cache: super::value_scan::ScanCache,
    memo: Memo,
    scratch: Vec<Found>,
    out: Chunk,
    overflow: bool,
}

impl Scanner<'_> {
    fn scan(&mut self, text: &str) {
        let (rules, cache) = (self.rules, &mut self.cache);
        self.scratch.clear();
        self.memo
            .find(text, 0, text.len(), &mut self.scratch, |out| {
                find_with(rules, text, 0, text.len(), out, Some(cache));
            });
        let compact = |f: &Found| {
            let rule = f.rule.map_or(Some(0), |r| r.checked_add(1))?;
            Some([
                u32::try_from(f.start).ok()?,
                u32::try_from(f.end).ok()?,
                u32::try_from(rule).ok()?,
            ])
        };
        let Some(count) = u8::try_from(self.scratch.len()).ok().filter(|&c| c < MANY) else {
            self.out.counts.push(MANY);
            return;
        };
        for f in &self.scratch {
            match compact(f) {
                Some(c) => self.out.found.push(c),
                None => self.overflow = true,
            }
        }
        self.out.counts.push(count);
    }
}

impl Visit for Scanner<'_> {
    fn visit(&mut self, text: &str, ctx: Ctx<'_>) -> Option<CompactString> {
        match ctx {
            Ctx::Query => self.out.counts.push(0),
            _ => self.scan(text),
        }
        None
    }

    fn visit_key(&mut self, key: &str) -> Option<CompactString> {
        self.scan(key);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::{normalize_with, RuleSet};
    use crate::trace::{Event, Trace};

    /// The seed capture repeated past [`super::PARALLEL_FROM`] exchanges, the copies' events
    /// interleaved (so exchanges are visited out of index order).
    fn long_trace() -> Trace {
        let text = crate::test_support::fixture("server-create.hook.md");
        let seed = crate::parse::parse(&text).expect("seed parses");
        let n = seed.exchanges.len();
        let copies = super::PARALLEL_FROM / n + 2;
        let mut trace = crate::test_support::repeated(&seed, copies);
        trace.events = seed
            .events
            .iter()
            .flat_map(|e| {
                (0..copies).rev().map(move |c| Event {
                    exchange: e.exchange + c * n,
                    ..*e
                })
            })
            .collect();
        trace
    }

    #[test]
    fn scanning_ahead_changes_nothing() {
        let rules = RuleSet::builtin();
        let trace = long_trace();
        assert!(trace.exchanges.len() >= super::PARALLEL_FROM);
        let mut ahead = trace.clone();
        normalize_with(&mut ahead, &rules, true);
        let mut sequential = trace.clone();
        normalize_with(&mut sequential, &rules, false);
        assert_eq!(ahead, sequential);
        assert_ne!(ahead, trace, "normalization replaced something");
        let mut prescan = super::Prescan::new(&rules.compiled, &mut trace.clone().exchanges);
        prescan.enter(0, 0);
        assert!(prescan.next().is_some(), "the long trace was scanned ahead");
    }
}
