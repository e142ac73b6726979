//! Property: on fuzzed captures (the fixtures and seeds, cut and mutated by a seeded mutator),
//! what `flowdiff normalize` writes reads back as written (what `bless` requires of a golden),
//! and normalizing it again gives the same bytes.

use flowdiff::normalize::{normalize, RuleSet};
use flowdiff::parse::parse_flows;
use flowdiff::trace_output::hook_markdown::{hook_markdown, round_trip};
use std::path::{Path, PathBuf};

/// Mutated inputs tried (each a window of a capture with 1-4 mutations).
const CASES: u64 = 1500;

/// Strings the mutator inserts: what breaks Markdown, Mermaid, party lines and bodies.
const NASTY: &[&str] = &[
    "`", "```", "````", ":", " : ", "-->", "<--", "->>", "{", "}", "[", "\"", "'", "#", "### ",
    "\t", "  ", "é", "none", "None", "=== ", "%%", ";", "|", "\\", "?", "&", "=", "0", "-",
];

/// Whole lines the mutator inserts.
const NASTY_LINES: &[&str] = &[
    "```",
    "````",
    "    ```",
    "```json",
    "### ",
    "### (9) GET /x",
    "none",
    "{",
    "}",
    "",
    "   ",
    "=== \"Body\"",
    "`a:b` --> `c`",
    "# title",
    "participant x as y",
    "sequenceDiagram",
];

/// Every capture of the fixtures and seeds (not the scripts and READMEs).
fn corpus() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [root.join("tests/fixtures"), root.join("../shared/seeds")] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .filter(|p| !is_not_a_capture(p))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("capture is text");
            files.push((path.display().to_string(), text));
        }
    }
    assert!(files.len() >= 20, "the corpus is there: {}", files.len());
    files
}

fn is_not_a_capture(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    name.is_none_or(|n| n == "README.md" || n.ends_with(".py"))
}

/// A seeded mutation of `text`: a window of lines from a heading to one, then 1-4 edits (delete,
/// duplicate, swap, insert a nasty line, insert a nasty string into a line, favouring
/// headings and party lines).
fn mutate(text: &str, rng: &mut fastrand::Rng) -> String {
    let all: Vec<&str> = text.lines().collect();
    // Windows start at a section heading where the capture has them.
    let headings: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].starts_with("### "))
        .collect();
    let start = match headings.len() {
        0 => rng.usize(..all.len().max(1)),
        n => headings[rng.usize(..n)],
    };
    let cut = start + 1 + rng.usize(..120);
    let end = headings
        .iter()
        .copied()
        .find(|&h| h >= cut)
        .unwrap_or(all.len());
    let mut lines: Vec<String> = all
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|l| l.to_string())
        .collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    for _ in 0..rng.usize(1..=4) {
        let at = pick_line(&lines, rng);
        match rng.u8(..6) {
            0 if lines.len() > 1 => {
                lines.remove(at);
            }
            1 => lines.insert(at, lines[at].clone()),
            2 => {
                let other = rng.usize(..lines.len());
                lines.swap(at, other);
            }
            3 => lines.insert(at, NASTY_LINES[rng.usize(..NASTY_LINES.len())].to_string()),
            _ => {
                let line = &mut lines[at];
                let cuts: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
                let pos = if cuts.is_empty() {
                    0
                } else {
                    cuts[rng.usize(..cuts.len())]
                };
                line.insert_str(pos, NASTY[rng.usize(..NASTY.len())]);
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A line to edit: half the time a heading or party line, when the window has one.
fn pick_line(lines: &[String], rng: &mut fastrand::Rng) -> usize {
    let structural: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("###") || lines[i].contains("-->"))
        .collect();
    if !structural.is_empty() && rng.bool() {
        structural[rng.usize(..structural.len())]
    } else {
        rng.usize(..lines.len())
    }
}

/// What is wrong with `text` under normalize-and-write, if anything: the written form does not
/// read back as written, or normalizing it again changes it.
fn defect(text: &str, rules: &RuleSet) -> Option<String> {
    defect_of(parse_flows(text).ok()?, rules)
}

/// [`defect`] of a text already read into its `flows`.
fn defect_of(flows: Vec<flowdiff::Trace>, rules: &RuleSet) -> Option<String> {
    for flow in flows {
        let written = hook_markdown(&normalize(&flow, rules));
        if let Err(e) = round_trip(&written) {
            return Some(format!("written form, line {}: {}", e.line, e.message));
        }
        let again = match flowdiff::parse::parse(&written) {
            Ok(back) => hook_markdown(&normalize(&back, rules)),
            Err(e) => return Some(format!("re-reading, line {}: {}", e.line, e.message)),
        };
        if again != written {
            let line = written
                .lines()
                .zip(again.lines())
                .position(|(a, b)| a != b)
                .map_or(written.lines().count().min(again.lines().count()), |i| i);
            return Some(format!(
                "normalizing twice differs at line {}: `{}` then `{}`",
                line + 1,
                written.lines().nth(line).unwrap_or("end of file"),
                again.lines().nth(line).unwrap_or("end of file")
            ));
        }
    }
    None
}

#[test]
fn normalized_output_reads_back_and_normalizes_to_the_same_bytes() {
    let rules = RuleSet::builtin();
    let corpus = corpus();
    let mut failures = Vec::new();
    for (name, text) in &corpus {
        if let Some(what) = defect(text, &rules) {
            failures.push(format!("{name} (whole): {what}"));
        }
    }
    let failing_dir = std::env::temp_dir().join("flowdiff-round-trip");
    // The mutants drawn in order from one seed, then checked on both cores.
    let mut rng = fastrand::Rng::with_seed(12);
    let cases: Vec<(u64, &str, String)> = (0..CASES)
        .map(|case| {
            let (name, text) = &corpus[rng.usize(..corpus.len())];
            (case, name.as_str(), mutate(text, &mut rng))
        })
        .collect();
    let check = |(case, name, input): &(u64, &str, String)| {
        // A mutant that does not parse (a cut fence or heading) is an input error, no defect.
        let flows = parse_flows(input).ok()?;
        Some(defect_of(flows, &rules).map(|what| {
            // Kept for reproduction: the input is in the temporary directory.
            let _ = std::fs::create_dir_all(&failing_dir);
            let kept = failing_dir.join(format!("case-{case}.txt"));
            let _ = std::fs::write(&kept, input);
            format!("case {case} of {name} ({}): {what}", kept.display())
        }))
    };
    let checked: Vec<Option<Option<String>>> = std::thread::scope(|scope| {
        let (first, second) = cases.split_at(cases.len() / 2);
        let other = scope.spawn(|| second.iter().map(check).collect::<Vec<_>>());
        let mut checked: Vec<_> = first.iter().map(check).collect();
        checked.extend(other.join().expect("the second half is checked"));
        checked
    });
    let parsed = checked.iter().filter(|c| c.is_some()).count() as u64;
    failures.extend(checked.into_iter().flatten().flatten());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(15)].join("\n")
    );
    // Many mutants still parse (a mutant that cuts a fence or a heading is an input error), so
    // the property is tested on hundreds of inputs, not on errors.
    assert!(parsed > CASES / 3, "only {parsed} of {CASES} mutants parse");
}

/// The inputs of the `normalize_round_trip` fuzz target's corpus (the fixtures, and every
/// failure fuzzing found, minimized) read back and normalize to the same bytes.
#[test]
fn the_fuzz_corpus_reads_back_and_normalizes_to_the_same_bytes() {
    let rules = RuleSet::builtin();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/normalize_round_trip");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let regressions = paths
        .iter()
        .filter(|p| p.to_string_lossy().contains("regression-"))
        .count();
    assert!(regressions >= 1, "the minimized failures are in the corpus");
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).expect("corpus file");
            let text = String::from_utf8(bytes).ok()?;
            defect(&text, &rules).map(|what| format!("{}: {what}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Found by fuzzing: a `://` inside a path or query (`/p:///o://`, `?next=http://h/x`) made the
/// target read as an absolute URL, so the path written from it read back as another path.
#[test]
fn a_url_inside_a_path_or_query_stays_in_it() {
    let rules = RuleSet::builtin();
    let text = "openstack->>glance-api: HEAD /image?next=http://10.0.0.5/info\n\
                glance-api-->>openstack: 200 OK\n\
                o->>e: T /p:///o://\n";
    let trace =
        flowdiff::parse::parse(text).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    let targets: Vec<(&str, Option<&str>)> = trace
        .exchanges
        .iter()
        .map(|e| (e.path.as_str(), e.query.as_deref()))
        .collect();
    assert_eq!(
        targets,
        [
            ("/image", Some("next=http://10.0.0.5/info")),
            ("/p:///o://", None)
        ]
    );
    assert_eq!(defect(text, &rules), None);
    // The fuzzer's minimized input (a byte-order mark, a name with `)`, arrows run together).
    assert_eq!(defect("\u{feff}o) REQ->>>/e):T /p:///o://", &rules), None);
}

/// Found by fuzzing: parties the capture names apart (`osc`, `Keystone`) that the rules name
/// alike (`openstack`, `keystone`) were paired by their captured names, so a response left lone
/// (or paired with an older request) was written where reading back pairs it with the request
/// before it. Normalization pairs the events again by the canonical names.
#[test]
fn parties_merged_by_canonical_names_are_paired_as_the_written_form_reads() {
    let rules = RuleSet::builtin();
    let text = "osc->>keystone: GET /identity/v3/projects\n\
                Keystone-->>osc: 200 OK\n\
                openstack->>keystone: POST /identity/v3/auth/tokens\n\
                osc->>keystone: GET /identity/v3/users\n\
                keystone-->>openstack: 201 Created\n\
                keystone-->>osc: 200 OK\n";
    let trace =
        flowdiff::parse::parse(text).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    let complete = |t: &flowdiff::Trace| {
        t.exchanges
            .iter()
            .map(|e| (e.path.clone(), e.status))
            .collect::<Vec<_>>()
    };
    // As captured: the first response answers no `osc -> Keystone` request.
    let lone = trace
        .exchanges
        .iter()
        .filter(|e| e.completeness == flowdiff::trace::Completeness::ResponseOnly)
        .count();
    assert_eq!((trace.exchanges.len(), lone), (4, 1));
    let normalized = normalize(&trace, &rules);
    assert_eq!(
        complete(&normalized),
        [
            ("/identity/v3/projects".to_string(), Some(200)),
            ("/identity/v3/auth/tokens".to_string(), Some(200)),
            ("/identity/v3/users".to_string(), Some(201)),
        ],
        "paired by the canonical names, most recent open request first"
    );
    assert_eq!(defect(text, &rules), None);
    assert_eq!(
        defect("osc->>keystone:S /\nKeystone->osc:201\n", &rules),
        None
    );
}

/// Found by fuzzing: a party named like a client debug line (`openREQ: curl stack`) went into
/// the written diagram's `participant` line, and reading the written page back took it for a
/// client's debug output; a party name of only spaces (`( )`) was read as an empty name, which
/// a written page cannot hold. Lines of a fenced diagram now only count as arrows when the
/// format is detected, and a blank party name is no hook log heading.
#[test]
fn a_party_named_like_a_log_line_reads_back_and_a_blank_one_is_no_party() {
    let rules = RuleSet::builtin();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/normalize_round_trip");
    let named =
        std::fs::read_to_string(root.join("regression-party-named-like-a-log-line.hook-log.txt"))
            .expect("corpus file");
    let trace =
        flowdiff::parse::parse(&named).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    assert_eq!(trace.exchanges[0].caller, "openREQ: curl stack");
    let written = hook_markdown(&normalize(&trace, &rules));
    assert!(
        written.contains("  participant p1 as openREQ: curl stack\n"),
        "{written}"
    );
    assert_eq!(defect(&named, &rules), None);
    let blank = "### ( )REQ >>>(n):E /\n";
    assert!(
        flowdiff::parse::parse(blank).is_err(),
        "a blank party name is no heading"
    );
    assert_eq!(defect(blank, &rules), None);
}

/// Found by fuzzing: a flow named like a client debug line (a Tempest test label holding
/// `REQ: curl -`) became the written page's `# ` title, and reading the page back took it for a
/// client's debug output. A title decides no format.
#[test]
fn a_flow_named_like_a_log_line_reads_back() {
    let rules = RuleSet::builtin();
    let text = "# flow REQ: curl -g -i -X GET http://h/x\n\
                osc->>keystone: GET /identity/v3\n\
                keystone-->>osc: 200 OK\n";
    let trace =
        flowdiff::parse::parse(text).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    assert_eq!(trace.format, flowdiff::trace::Format::Mermaid);
    assert_eq!(
        trace.name.as_deref(),
        Some("flow REQ: curl -g -i -X GET http://h/x")
    );
    assert_eq!(defect(text, &rules), None);
    let tempest = "2020-09-07 19:30:64 5 INFO rest_clientRequest (REQ: curl -): 403 T h://1\n";
    assert_eq!(defect(tempest, &rules), None);
}
