//! Normalization's collecting pass run while a capture is read: each event's strings are looked
//! at (their volatile values replaced by the intermediate form the rewriting pass reads) as soon
//! as the event is read, while they are still in the cache, so that a large capture is never
//! held whole with all its raw values. The rest of normalization then runs on the whole trace,
//! and the result is the one [`super::normalize_in_place_on_one_core`] gives, byte for byte: the
//! strings are visited in the same order (capture order of events), and what runs before the
//! collecting pass in a whole normalization (canonical names, adoption) reads nothing this pass
//! changes, paths aside, which are written back only after adoption read them.

use super::contexts::Collector;
use super::prescan::Prescan;
use super::walk::{self, Visited};
use super::{adopt, canonical_names, named_variables, RuleSet};
use crate::trace::{EventKind, Exchange, Trace};
use compact_str::CompactString;

/// A capture's collecting pass, event by event as it is read.
pub(crate) struct CollectAsRead<'r> {
    rules: &'r RuleSet,
    /// Created at the first event.
    collector: Option<Collector<'r>>,
    visited: Visited,
    /// The new texts of exchanges' paths and queries (by exchange), written in at the end:
    /// canonical names, adoption and the warnings of unpaired calls read the paths as captured.
    calls: Vec<(usize, Option<CompactString>, Option<CompactString>)>,
    /// How many of the trace's first events were looked at.
    events: usize,
    pointers: bool,
}

/// Why [`CollectAsRead::finish`] did not normalize a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unfinished {
    /// No event was looked at: the trace is as read, to be normalized whole.
    Untouched,
    /// The trace must be read again, then normalized whole: its parties merged under their
    /// canonical names (its events are then paired again first), or it names variables the
    /// pass did not know of when it started.
    ReadAgain,
}

impl<'r> CollectAsRead<'r> {
    /// A pass with `rules`, before the capture's first event.
    pub(crate) fn new(rules: &'r RuleSet) -> CollectAsRead<'r> {
        CollectAsRead {
            rules,
            collector: None,
            visited: Visited::default(),
            calls: Vec::new(),
            events: 0,
            pointers: !rules.compiled.pointer_rules.is_empty(),
        }
    }

    /// Looks at the capture's next event: `kind` of exchange `index` (`exchange`, whose message
    /// for the event is complete).
    pub(crate) fn event(&mut self, index: usize, kind: EventKind, exchange: &mut Exchange) {
        self.events += 1;
        let rules = &self.rules.compiled;
        let collector = self
            .collector
            .get_or_insert_with(|| Collector::new(rules, &[], Prescan::default()));
        let calls = &mut self.calls;
        self.visited.event(
            index,
            kind,
            exchange,
            collector,
            self.pointers,
            |index, exchange, collector| defer_call(calls, index, exchange, collector),
        );
    }

    /// Forgets the events looked at: the capture is being read again whole.
    pub(crate) fn forget(&mut self) {
        *self = CollectAsRead::new(self.rules);
    }

    /// Normalizes `flows`, the capture's flows once read, whose first events were looked at.
    pub(crate) fn finish(self, flows: &mut [Trace]) -> Result<(), Unfinished> {
        let Some(mut collector) = self.collector else {
            return Err(Unfinished::Untouched);
        };
        let [trace] = flows else {
            return Err(Unfinished::ReadAgain);
        };
        if self.events > trace.events.len() || !trace.variables.is_empty() {
            return Err(Unfinished::ReadAgain);
        }
        if canonical_names(trace, self.rules) {
            return Err(Unfinished::ReadAgain);
        }
        adopt(trace, self.rules);
        let (mut visited, mut calls, pointers) = (self.visited, self.calls, self.pointers);
        let mut defer = |index: usize, exchange: &mut Exchange, collector: &mut Collector<'r>| {
            defer_call(&mut calls, index, exchange, collector);
        };
        let Trace {
            events, exchanges, ..
        } = trace;
        for event in events.get(self.events..).unwrap_or_default() {
            if let Some(exchange) = exchanges.get_mut(event.exchange) {
                visited.event(
                    event.exchange,
                    event.kind,
                    exchange,
                    &mut collector,
                    pointers,
                    &mut defer,
                );
            }
        }
        visited.rest(trace, &mut collector, pointers, &mut defer);
        for (index, path, query) in calls {
            if let Some(exchange) = trace.exchanges.get_mut(index) {
                walk::write_call(exchange, path, query);
            }
        }
        let mut assignment = collector.finish();
        walk::walk(trace, &mut assignment, false);
        trace.variables = named_variables(&assignment.variables);
        Ok(())
    }
}

/// Visits the path and query of exchange `index`, keeping their new texts for later.
fn defer_call(
    calls: &mut Vec<(usize, Option<CompactString>, Option<CompactString>)>,
    index: usize,
    exchange: &mut Exchange,
    collector: &mut Collector<'_>,
) {
    let (path, query) = walk::visit_call_texts(exchange, collector);
    if path.is_some() || query.is_some() {
        calls.push((index, path, query));
    }
}

#[cfg(test)]
mod tests {
    use super::{CollectAsRead, Unfinished};
    use crate::normalize::{normalize_in_place_on_one_core, RuleSet};
    use crate::parse::{self, PartReader};
    use crate::test_support;
    use crate::trace::Trace;

    /// `text` read in parts of `lines` lines the way `flowdiff OLD NEW` reads a capture, each
    /// event handed to `collect` once its part is read; `None` when it is not read in parts.
    fn read_collecting(
        text: &str,
        lines: usize,
        collect: &mut CollectAsRead<'_>,
    ) -> Option<Vec<Trace>> {
        let all: Vec<&str> = text.split_inclusive('\n').collect();
        let mut parts = all.chunks(lines).map(<[&str]>::concat);
        let mut reader = PartReader::start(&parts.next()?, Some(text.len())).ok()??;
        reader.hand_events(&mut |index, kind, exchange| collect.event(index, kind, exchange));
        for part in parts {
            if !reader.feed(&part).ok()? {
                return None;
            }
            reader.hand_events(&mut |index, kind, exchange| collect.event(index, kind, exchange));
        }
        reader.finish().ok()?
    }

    /// `text` parsed whole and each flow normalized whole.
    fn normalized_whole(text: &str, rules: &RuleSet) -> Vec<Trace> {
        let mut flows = parse::parse_flows(text).expect("capture");
        for flow in &mut flows {
            normalize_in_place_on_one_core(flow, rules);
        }
        flows
    }

    #[test]
    fn a_capture_collected_as_read_normalizes_to_the_trace_normalized_whole() {
        let rules = RuleSet::builtin();
        let mut collected = 0;
        for (name, text) in test_support::captures() {
            for lines in [1, 3, 50, usize::MAX] {
                let mut collect = CollectAsRead::new(&rules);
                let Some(mut flows) = read_collecting(&text, lines, &mut collect) else {
                    continue;
                };
                match collect.finish(&mut flows) {
                    Ok(()) => collected += 1,
                    Err(Unfinished::Untouched) => {
                        flows
                            .iter_mut()
                            .for_each(|f| normalize_in_place_on_one_core(f, &rules));
                    }
                    Err(Unfinished::ReadAgain) => panic!("{name} in parts of {lines} lines"),
                }
                assert!(
                    flows == normalized_whole(&text, &rules),
                    "{name} in parts of {lines} lines"
                );
            }
        }
        // Every hook Markdown capture (four fixtures), in each size of part.
        assert!(collected >= 16, "{collected} collected as read");
    }

    #[test]
    fn parties_that_merge_under_their_canonical_names_are_read_again() {
        let rules = RuleSet::builtin();
        // Reading the written trace back pairs its events again.
        let merged = test_support::client_alias_in_first_section(&test_support::fixture(
            "image-show.hook.md",
        ));
        let mut collect = CollectAsRead::new(&rules);
        let mut flows = read_collecting(&merged, 5, &mut collect).expect("read in parts");
        assert_eq!(collect.finish(&mut flows), Err(Unfinished::ReadAgain));
    }

    #[test]
    fn captures_read_whole_or_as_tests_are_untouched() {
        let rules = RuleSet::builtin();
        for name in ["tempest.oslo-layout.log", "image-create.doc.md"] {
            let text = test_support::fixture(name);
            let mut collect = CollectAsRead::new(&rules);
            let mut flows = read_collecting(&text, 5, &mut collect).unwrap_or_default();
            assert_eq!(
                collect.finish(&mut flows),
                Err(Unfinished::Untouched),
                "{name}"
            );
        }
    }
}
