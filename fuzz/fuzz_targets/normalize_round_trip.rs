//! Normalizing a capture and writing it as hook Markdown (what `normalize` and `bless` do): the
//! written file reads back as written ([`round_trip`]), and normalizing it again yields the same
//! bytes.
#![no_main]

#[path = "common.rs"]
mod common;
use common::rules;

use flowdiff::normalize::normalize;
use flowdiff::trace_output::hook_markdown::{hook_markdown, round_trip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(flows) = common::flows(data) else {
        return;
    };
    for flow in flows {
        let written = hook_markdown(&normalize(&flow, rules()));
        if let Err(e) = round_trip(&written) {
            panic!("the written form does not read back, line {}: {}\n{written}", e.line, e.message);
        }
        let back = match flowdiff::parse::parse(&written) {
            Ok(back) => back,
            Err(e) => panic!("the written form does not parse, line {}: {}", e.line, e.message),
        };
        let again = hook_markdown(&normalize(&back, rules()));
        assert_eq!(again, written, "normalizing a normalized capture changed it");
    }
});
