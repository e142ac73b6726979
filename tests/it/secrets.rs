//! No secret from any capture reaches any output: `show` (as captured and normalized, each
//! format), `normalize`, `bless`, and every report format of a comparison full of findings, in
//! strict modes too. The secrets are collected from every fixture by their shapes, one per
//! family of secret rules (token shapes, secret-like members of any type, credential headers,
//! token ids, credential blobs, `key=value` secrets), so a new fixture is covered the day it is
//! added. The sweep over the fixtures renders in-process what each command prints (hundreds of
//! outputs: a process each cost seconds), held to the CLI's output by
//! `the_sweep_sees_what_the_cli_prints`; `bless` writes what `normalize` prints under another
//! title. `families` probes each family through the CLI itself, every command and format.

mod families;

use crate::common::{fixture, flowdiff, stderr, stdout};
use flowdiff::compare::{self, accept::Accepts, Options};
use flowdiff::normalize::{self, RuleSet};
use flowdiff::report::{Report, ReportFormat, Side, Styles};
use flowdiff::{trace_output, Trace};
use regex::Regex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every fixture that is a capture, in name order.
fn captures() -> Vec<PathBuf> {
    let dir = fixture("");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|text| flowdiff::parse::is_capture(&text)))
        .collect()
}

/// The shapes of secrets in captures, one per family of secret rules (a `v` group is the
/// secret itself), and what each family is.
const SHAPES: &[(&str, &str)] = &[
    ("Fernet token", r"gAAAAA[A-Za-z0-9_-]{20,}"),
    ("hashed token", r"\{SHA(?:1|256)\}[0-9a-f]{40,64}"),
    (
        "JSON Web Token",
        r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
    ),
    (
        "password-like member of any type",
        r#"(?i)["'](?:[a-z_]*password|[a-z_]*pass|passcode|[a-z_]*secret)["']\s*:\s*["']?(?P<v>[^"'{}<>,\s]{3,})"#,
    ),
    (
        "credential header",
        r#"(?i)(?:authorization|cookie|x-auth-key|x-storage-pass|x-storage-token)["']?\s*:\s*["']?(?:(?:Bearer|Basic|Digest)\s+)?(?P<v>[A-Za-z0-9._~+/=-]{6,})"#,
    ),
    (
        "token id under a token",
        r#""token"\s*:\s*\{[^{}]*?"id"\s*:\s*"(?P<v>[^"]{8,})""#,
    ),
    (
        "credential blob",
        r#""blob"\s*:\s*"(?P<v>(?:[^"\\]|\\.){4,})""#,
    ),
    (
        "key=value secret in text or query",
        r#"(?i)(?:password|passcode|secret|_sig|signature)=(?P<v>[^&\s"']{3,})"#,
    ),
];

/// The secrets a capture holds in the clear, by shape (the index in [`SHAPES`]).
fn secrets(text: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, (_, shape)) in SHAPES.iter().enumerate() {
        let re = Regex::new(shape).expect("shape");
        for caps in re.captures_iter(text) {
            let found = caps
                .name("v")
                .unwrap_or_else(|| caps.get(0).expect("match"));
            // JSON literals are no secret (`"password": null`).
            if !["null", "true", "false"].contains(&found.as_str()) {
                out.insert((i, found.as_str().to_string()));
            }
        }
    }
    out
}

/// The fixtures' secrets, all looked for in one scan of an output (a search per secret over
/// every output, in the tests' unoptimized code, was most of this test's time).
struct Secrets(Regex);

impl Secrets {
    fn new(secrets: &BTreeSet<String>) -> Secrets {
        let any: Vec<String> = secrets.iter().map(|s| regex::escape(s)).collect();
        Secrets(Regex::new(&any.join("|")).expect("the secrets as one pattern"))
    }
}

/// Fails, naming it, if `output` shows any of the `secrets`.
fn assert_clean(what: &str, output: &str, secrets: &Secrets) {
    if let Some(secret) = secrets.0.find(output) {
        panic!("{what} shows the secret {:?}", secret.as_str());
    }
}

/// What `show --format json` prints for `flows` as captured: auth calls adopted, secrets
/// redacted (the composition `flowdiff show` makes; [`the_sweep_sees_what_the_cli_prints`]
/// holds it to the CLI's output).
fn as_captured(flows: &[Trace], rules: &RuleSet) -> Vec<Trace> {
    let mut flows = flows.to_vec();
    for flow in &mut flows {
        normalize::adopt(flow, rules);
        normalize::redact_in_place(flow, rules).expect("the secret rules compile");
    }
    flows
}

/// Every flow normalized (`show --normalized`, `normalize`, `bless`, the comparisons).
fn normalized(flows: &[Trace], rules: &RuleSet) -> Vec<Trace> {
    flows
        .iter()
        .map(|f| normalize::normalize(f, rules))
        .collect()
}

/// A capture's flows as the CLI reads them, named by the file in errors.
fn read(path: &Path) -> Vec<Trace> {
    let text = std::fs::read_to_string(path).expect("readable");
    flowdiff::parse::parse_flows(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("serializes") + "\n"
}

/// The outputs of `show` of a capture (as captured in each format, the first flow for text and
/// Mermaid; JSON normalized) and of `normalize` of its first flow, as `(what, text)`: the same
/// renderings of the same flows as the CLI's (no process per output: the sweep makes hundreds).
fn shown(flows: &[Trace], rules: &RuleSet) -> Vec<(&'static str, String)> {
    let captured = as_captured(flows, rules);
    let normal = normalized(flows, rules);
    let captured_json = json(&trace_output::json::capture_json(&captured));
    let normal_json = json(&trace_output::json::capture_json(&normal));
    vec![
        ("show --format json", captured_json),
        (
            "show",
            trace_output::tree::call_tree(&captured[0], &Styles::plain()),
        ),
        (
            "show --format mermaid",
            trace_output::mermaid::sequence_diagram(&captured[0]),
        ),
        ("show --format json --normalized", normal_json),
        (
            "normalize",
            trace_output::hook_markdown::hook_markdown(&normal[0]),
        ),
    ]
}

#[test]
fn no_secret_of_any_fixture_reaches_show_normalize_bless_or_a_report() {
    let captures = captures();
    assert!(captures.len() >= 5, "{captures:?}");
    let mut found = BTreeSet::new();
    for capture in &captures {
        found.extend(secrets(
            &std::fs::read_to_string(capture).expect("readable"),
        ));
    }
    for (i, (family, _)) in SHAPES.iter().enumerate() {
        assert!(
            found.iter().any(|(shape, _)| *shape == i),
            "no fixture holds a {family}: {found:?}"
        );
    }
    let all: BTreeSet<String> = found.into_iter().map(|(_, secret)| secret).collect();
    let all = Secrets::new(&all);
    let rules = RuleSet::builtin();
    // Each capture read and normalized once, on both cores; then each compared with the next.
    let flows: Vec<(Vec<Trace>, Vec<Trace>)> = in_two(&captures, |path| {
        let flows = read(path);
        let name = path.display();
        // What the CLI prints on stderr of each: its parse warnings.
        for flow in &flows {
            for warning in &flow.warnings {
                assert_clean(&format!("{name}: warning"), &warning.message, &all);
            }
        }
        for (what, text) in shown(&flows, &rules) {
            assert_clean(&format!("{what} {name}"), &text, &all);
        }
        let normal = normalized(&flows, &rules);
        (flows, normal)
    });
    let indices: Vec<usize> = (0..captures.len()).collect();
    in_two(&indices, |&i| {
        compared(i, &captures, &flows, &rules, &all);
    });
}

/// `work` on every item, the items shared out between two threads; the results in item order.
fn in_two<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let work = &work;
    let mut halves: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                scope.spawn(move || {
                    (worker..items.len())
                        .step_by(2)
                        .map(|i| (i, work(&items[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let mut all: Vec<(usize, R)> = halves.drain(..).flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Every report format of the comparison of capture `i` with the next one (many findings,
/// values shown old and new), in strict modes (plumbing and interleaving compared like any
/// call: the most findings) and, text and JSON, in the default modes too, checked against
/// `all` the fixtures' secrets. Captures of several flows compare their first flows.
fn compared(
    i: usize,
    captures: &[PathBuf],
    flows: &[(Vec<Trace>, Vec<Trace>)],
    rules: &RuleSet,
    all: &Secrets,
) {
    let j = (i + 1) % captures.len();
    let (old, new) = (&flows[i].1[0], &flows[j].1[0]);
    let (old_name, new_name) = (captures[i].display(), captures[j].display());
    for strict in [true, false] {
        let options = Options {
            strict_order: strict,
            strict_plumbing: strict,
            ..Options::default()
        };
        let report = Report::new(
            Side::new(&old_name.to_string(), old),
            Side::new(&new_name.to_string(), new),
            compare::compare(old, new, rules, &options),
            None,
            &Accepts::default(),
        );
        let formats: &[ReportFormat] = if strict {
            &[
                ReportFormat::Text,
                ReportFormat::Json,
                ReportFormat::Markdown,
                ReportFormat::Junit,
                ReportFormat::Github,
            ]
        } else {
            &[ReportFormat::Text, ReportFormat::Json]
        };
        for format in formats {
            let mut out = Vec::new();
            report.render(*format, &mut out).expect("renders");
            let what = format!("{old_name} {new_name} --format {format:?} (strict: {strict})");
            assert_clean(&what, &String::from_utf8_lossy(&out), all);
        }
    }
}

/// The sweep renders in-process what the CLI prints: for a capture holding every kind of
/// secret header and body, `show` in each format and `normalize` print exactly the sweep's
/// texts, and a comparison prints the report the library renders (the CLI's wiring of each
/// output to redaction is probed family by family in `families`).
#[test]
fn the_sweep_sees_what_the_cli_prints() {
    let path = fixture("credentials.hook-log.txt");
    let path_text = path.to_str().expect("utf-8 path");
    let flows = read(&path);
    let rules = RuleSet::builtin();
    let shown = shown(&flows, &rules);
    let runs: [&[&str]; 5] = [
        &["show", "--format", "json", path_text],
        &["show", path_text],
        &["show", "--format", "mermaid", path_text],
        &["show", "--format", "json", "--normalized", path_text],
        &["normalize", path_text],
    ];
    for ((what, text), args) in shown.iter().zip(runs) {
        let run = flowdiff(args);
        assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
        assert_eq!(&stdout(&run), text, "{what}: {args:?}");
    }
}
