//! Linearity benchmark (hand-rolled, no harness): every stage (parse, normalize, compare, each
//! trace rendering and each report format) on generated inputs of size N and 10·N, asserting that
//! the larger input takes at most 12× the time. Shapes: deeply nested unanswered calls, many
//! distinct parties, and a long ordinary trace. Each row times the two sizes alternately and
//! keeps the shortest time of each. A row slower than that is counted in instructions
//! (valgrind's callgrind, running this executable with `--only SHAPE/STAGE --scale K`): the
//! small input's data fits in the CPU caches where the large one's does not, a step in time
//! that is not work; the row fails only when the instructions too grow more than 12×, or when
//! valgrind is missing.
//!
//! Run with `cargo bench --bench linearity [-- --filter TEXT]` (rows whose `SHAPE/STAGE`
//! contains TEXT); under `cargo test --all-targets` (no `--bench` argument) only a small smoke
//! run checks that every stage runs, without timing anything.

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

/// The shortest times of `small` and `large` over `rounds` rounds that run each once,
/// alternately, so that a burst of load from elsewhere slows both alike; the minimum is the
/// time least disturbed by anything but the work itself.
fn shortest_alternating(
    rounds: usize,
    mut small: impl FnMut(),
    mut large: impl FnMut(),
) -> (Duration, Duration) {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        t_small = t_small.min(time(&mut small));
        t_large = t_large.min(time(&mut large));
    }
    (t_small, t_large)
}

/// The instructions `valgrind --tool=callgrind` counts for one run of the stage `row`
/// (`SHAPE/STAGE`) on its input at `scale`·N, run as `--only` by this very executable; `None`
/// when valgrind is not installed or the count cannot be read.
fn instructions(row: &str, scale: usize) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = tempfile::NamedTempFile::new().ok()?;
    let status = std::process::Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--collect-atstart=no")
        .arg("--toggle-collect=*measured_run*")
        .arg(format!("--callgrind-out-file={}", out.path().display()))
        .arg(exe)
        .args(["--only", row, "--scale", &scale.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read_to_string(out.path())
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("summary: "))
        .and_then(|count| count.trim().parse().ok())
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
        serde_json::to_string(&trace_output::json::capture_json(std::slice::from_ref(
            &i.normalized,
        )))
        .expect("serializes")
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

/// Runs `stage` once on `input`: the function an instruction counter is pointed at
/// (`valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_run*'`).
#[inline(never)]
fn measured_run(stage: Stage, input: &Input) -> usize {
    stage(input)
}

/// `--only SHAPE/STAGE [--scale K]`: builds that one input at K·N (K = 1 by default) and runs
/// that one stage once, for counting its instructions; returns whether a stage was named.
fn run_only(args: &[String], shapes: &[Shape], rules: &RuleSet) -> bool {
    let Some(at) = args.iter().position(|a| a == "--only") else {
        return false;
    };
    let wanted = args.get(at + 1).expect("--only takes SHAPE/STAGE");
    let scale: usize = match args.iter().position(|a| a == "--scale") {
        Some(at) => args
            .get(at + 1)
            .and_then(|k| k.parse().ok())
            .expect("--scale takes a number"),
        None => 1,
    };
    let (shape, stage_name) = wanted.split_once('/').expect("--only takes SHAPE/STAGE");
    let (_, generate, n) = shapes
        .iter()
        .find(|(name, _, _)| *name == shape)
        .unwrap_or_else(|| panic!("no shape {shape:?}"));
    let (_, stage) = STAGES
        .iter()
        .find(|(name, _)| *name == stage_name)
        .unwrap_or_else(|| panic!("no stage {stage_name:?}"));
    let input = Input::new(generate(scale * n), rules);
    println!(
        "{shape}/{stage_name} at {scale}N: {}",
        measured_run(*stage, &input)
    );
    true
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let measuring = args.iter().any(|a| a == "--bench");
    let rules = RuleSet::builtin();
    let shapes: [Shape; 3] = [
        ("nested unanswered calls", nested, 20_000),
        ("distinct parties", many_parties, 2_000),
        ("long trace", long_trace, 1_000),
    ];
    if run_only(&args, &shapes, &rules) {
        return;
    }
    let filter = args
        .iter()
        .position(|a| a == "--filter")
        .and_then(|at| args.get(at + 1));
    let mut failed = Vec::new();
    for (shape, generate, n) in shapes {
        if filter.is_some_and(|f| {
            !STAGES
                .iter()
                .any(|(name, _)| format!("{shape}/{name}").contains(f.as_str()))
        }) {
            continue;
        }
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
            if filter.is_some_and(|f| !format!("{shape}/{name}").contains(f.as_str())) {
                continue;
            }
            // Warm up both, then alternate: 9 rounds (the small input's time is the noisier).
            black_box(stage(&small));
            black_box(stage(&large));
            let (t_small, t_large) = shortest_alternating(
                9,
                || {
                    black_box(stage(&small));
                },
                || {
                    black_box(stage(&large));
                },
            );
            let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
            let row = format!("{shape}/{name}");
            // Time alone cannot tell a quadratic path from the step between cache levels (the
            // small input's data fits in the caches, the 10x larger one's does not): a row
            // slower than linear in time is counted in instructions, which only the work moves.
            let verdict = if ratio <= MAX_RATIO {
                "ok".to_string()
            } else {
                match (instructions(&row, 1), instructions(&row, 10)) {
                    (Some(i_small), Some(i_large)) => {
                        let work = i_large as f64 / i_small.max(1) as f64;
                        if work <= MAX_RATIO {
                            format!("ok: instructions {work:.1}x (time: memory hierarchy)")
                        } else {
                            failed
                                .push(format!("{row} ({ratio:.1}x time, {work:.1}x instructions)"));
                            format!("TOO SLOW: instructions {work:.1}x")
                        }
                    }
                    _ => {
                        failed.push(format!(
                            "{row} ({ratio:.1}x time; valgrind could not count)"
                        ));
                        "TOO SLOW (install valgrind to count instructions)".to_string()
                    }
                }
            };
            println!(
                "{shape:<24} {name:<22} {:>9} B {:>9.3} ms -> {:>10} B {:>10.3} ms  ratio {ratio:>5.1} {verdict}",
                small.text.len(),
                t_small.as_secs_f64() * 1e3,
                large.text.len(),
                t_large.as_secs_f64() * 1e3,
            );
        }
    }
    assert!(
        failed.is_empty(),
        "not linear (10x input took more than {MAX_RATIO}x time and instructions): {}",
        failed.join(", ")
    );
}
