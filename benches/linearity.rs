//! Linearity benchmark (hand-rolled, no harness): every stage (parse, normalize, compare, each
//! trace rendering and each report format) on generated inputs of size N and 10·N, asserting that
//! the larger input takes at most 12× the time. Shapes: deeply nested unanswered calls, many
//! distinct parties, and a long ordinary trace. Run with `cargo bench --bench linearity`; under
//! `cargo test --all-targets` (no `--bench` argument) only a small smoke run checks that every
//! stage runs, without timing anything.

use flowdiff::compare::{accept::Accepts, compare, Options};
use flowdiff::normalize::{normalize_in_place, RuleSet};
use flowdiff::report::ReportFormat;
use flowdiff::report::{self, Report, Side, Styles};
use flowdiff::trace::Trace;
use flowdiff::trace_output;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The largest ratio of times allowed for a 10× larger input.
const MAX_RATIO: f64 = 12.0;

/// `n` nested calls never answered: each request is sent by the previous request's callee.
fn nested(n: usize) -> String {
    let mut out = String::with_capacity(n * 16);
    for i in 0..n {
        let (from, to) = if i % 2 == 0 { ("a", "b") } else { ("b", "a") };
        let _ = writeln!(out, "{from}->>{to}: GET /x");
    }
    out
}

/// `n` answered calls from one client, each to a party never seen before.
fn many_parties(n: usize) -> String {
    let mut out = String::with_capacity(n * 56);
    for i in 0..n {
        let _ = writeln!(out, "client->>service-{i}: GET /v2/items/{i}");
        let _ = writeln!(out, "service-{i}-->>client: 200 OK /v2/items/{i}");
    }
    out
}

/// A long hook Markdown trace of `n` exchanges with request ids, UUIDs in paths and JSON
/// bodies: what normalization works hardest on.
fn long_trace(n: usize) -> String {
    let mut out = String::with_capacity(n * 900);
    for i in 0..n {
        let uuid = format!("{:08x}-1111-4222-8333-{:012x}", i, i * 7919);
        let (caller, callee) = match i % 3 {
            0 => ("openstack", "nova-api"),
            1 => ("nova-api", "glance-api"),
            _ => ("nova-compute", "neutron-server"),
        };
        for (arrow, heading, body) in [
            ("-->", format!("GET /v2/things/{uuid}"), "none".to_string()),
            (
                "<--",
                format!("200 OK /v2/things/{uuid}"),
                format!("{{\"thing\": {{\"id\": \"{uuid}\", \"name\": \"t-{i}\"}}}}"),
            ),
        ] {
            let _ = write!(
                out,
                "### {heading}\n`{caller}` {arrow} `{callee}`\n\n=== \"Header\"\n    ``` http\n    X-Requestshook-Request-Id: req-{i:08}\n    Content-Type: application/json\n    ```\n\n=== \"Body\"\n    ``` json\n    {body}\n    ```\n\n"
            );
        }
    }
    out
}

/// `text` with every 7th `GET` turned into a `PUT`: a mutant whose comparison has findings.
fn mutant(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        match line.find("GET /") {
            Some(at) if i % 7 == 0 => {
                out.push_str(&line[..at]);
                out.push_str("PUT /");
                out.push_str(&line[at + 5..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The median time of `runs` runs of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

/// A stage measured on a generated input: it is handed the input's text, parsed and
/// normalized trace, and its mutant's normalized trace.
type Stage = fn(&Input) -> usize;

/// An input shape: its name, its generator and the size N it is measured at (and 10·N).
type Shape = (&'static str, fn(usize) -> String, usize);

/// One generated input, ready for every stage.
struct Input {
    text: String,
    trace: Trace,
    normalized: Trace,
    mutant: Trace,
    rules: RuleSet,
}

impl Input {
    fn new(text: String, rules: &RuleSet) -> Input {
        let trace = flowdiff::parse::parse(&text).expect("generated input parses");
        let mut normalized = trace.clone();
        normalize_in_place(&mut normalized, rules);
        let mut mutant = flowdiff::parse::parse(&mutant(&text)).expect("mutant parses");
        normalize_in_place(&mut mutant, rules);
        Input {
            text,
            trace,
            normalized,
            mutant,
            rules: rules.clone(),
        }
    }

    fn report(&self) -> Report {
        let comparison = compare(
            &self.normalized,
            &self.mutant,
            &self.rules,
            &Options::default(),
        );
        Report::new(
            Side::new("old", &self.normalized),
            Side::new("new", &self.mutant),
            comparison,
            None,
            &Accepts::default(),
        )
    }
}

fn report_stage(input: &Input, format: ReportFormat) -> usize {
    let report = input.report();
    let mut out = Vec::new();
    report::render(&[report], format, &Styles::plain(), &mut out).expect("renders");
    out.len()
}

/// Every stage, by name.
const STAGES: &[(&str, Stage)] = &[
    ("parse", |i| {
        flowdiff::parse::parse(&i.text)
            .expect("parses")
            .exchanges
            .len()
    }),
    ("normalize", |i| {
        let mut trace = i.trace.clone();
        normalize_in_place(&mut trace, &i.rules);
        trace.exchanges.len()
    }),
    ("compare with mutant", |i| i.report().findings.len()),
    ("render tree", |i| {
        trace_output::tree::call_tree(&i.normalized, &Styles::plain()).len()
    }),
    ("render json", |i| {
        trace_output::json::capture_json(std::slice::from_ref(&i.normalized))
            .to_string()
            .len()
    }),
    ("render mermaid", |i| {
        trace_output::mermaid::sequence_diagram(&i.normalized).len()
    }),
    ("render hook markdown", |i| {
        trace_output::hook_markdown::hook_markdown(&i.normalized).len()
    }),
    ("report text", |i| report_stage(i, ReportFormat::Text)),
    ("report json", |i| report_stage(i, ReportFormat::Json)),
    ("report markdown", |i| {
        report_stage(i, ReportFormat::Markdown)
    }),
    ("report junit", |i| report_stage(i, ReportFormat::Junit)),
    ("report github", |i| report_stage(i, ReportFormat::Github)),
];

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let rules = RuleSet::builtin();
    let shapes: [Shape; 3] = [
        ("nested unanswered calls", nested, 20_000),
        ("distinct parties", many_parties, 2_000),
        ("long trace", long_trace, 1_000),
    ];
    let mut failed = Vec::new();
    for (shape, generate, n) in shapes {
        if !measuring {
            // Smoke run: every stage runs once on a small input.
            let input = Input::new(generate(50), &rules);
            for (_, stage) in STAGES {
                black_box(stage(&input));
            }
            continue;
        }
        let small = Input::new(generate(n), &rules);
        let large = Input::new(generate(10 * n), &rules);
        for (name, stage) in STAGES {
            // Warm up, then time the small input more often (its time is noisier).
            black_box(stage(&small));
            let t_small = median(9, || {
                black_box(stage(&small));
            });
            let t_large = median(3, || {
                black_box(stage(&large));
            });
            let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
            let verdict = if ratio <= MAX_RATIO { "ok" } else { "TOO SLOW" };
            println!(
                "{shape:<24} {name:<22} {:>9} B {:>9.3} ms -> {:>10} B {:>10.3} ms  ratio {ratio:>5.1} {verdict}",
                small.text.len(),
                t_small.as_secs_f64() * 1e3,
                large.text.len(),
                t_large.as_secs_f64() * 1e3,
            );
            if ratio > MAX_RATIO {
                failed.push(format!("{shape}: {name} ({ratio:.1}x)"));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "not linear (10x input took more than {MAX_RATIO}x time): {}",
        failed.join(", ")
    );
}
