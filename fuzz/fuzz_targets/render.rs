//! Every rendering of a parsed capture (call tree, JSON model, Mermaid, hook Markdown) and
//! every report format of its comparison with itself normalized differently: must never panic.
#![no_main]

#[path = "common.rs"]
mod common;
use common::rules;

use flowdiff::report::ReportFormat;
use flowdiff::compare::{accept::Accepts, compare, Options};
use flowdiff::normalize::normalize;
use flowdiff::trace_output;
use flowdiff::report::{self, Report, Side, Styles};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(flows) = common::flows(data) else {
        return;
    };
    let _ = serde_json::to_string(&trace_output::json::capture_json(&flows));
    let _ = trace_output::tree::flow_list(&flows, &Styles::colored());
    let Some(raw) = flows.first() else {
        return;
    };
    let normalized = normalize(raw, rules());
    for trace in [raw, &normalized] {
        let _ = trace_output::tree::call_tree(trace, &Styles::plain());
        let _ = trace_output::mermaid::sequence_diagram(trace);
        let _ = trace_output::hook_markdown::hook_markdown(trace);
    }
    // The raw trace against its normalized self: as many differences as normalization makes.
    let comparison = compare(raw, &normalized, rules(), &Options::default());
    let report = Report::new(
        Side::new("raw", raw),
        Side::new("normalized", &normalized),
        comparison,
        None,
        &Accepts::default(),
    );
    for format in [
        ReportFormat::Text,
        ReportFormat::Json,
        ReportFormat::Markdown,
        ReportFormat::Junit,
        ReportFormat::Github,
    ] {
        let mut out = Vec::new();
        report::render(
            std::slice::from_ref(&report),
            format,
            &Styles::colored(),
            &mut out,
        )
        .expect("rendering to memory cannot fail");
    }
});
