//! Pathological and damaged input: deep nesting, reused request ids, captures cut short, stray
//! lines, and files too large or with lines too long for the limits.

use crate::common::{fixture_text, flowdiff, scratch_dir, stderr, stdout, warnings};
use flowdiff::parse::parse;
use flowdiff::trace::Completeness;
use std::collections::HashMap;
use std::fmt::Write as _;

/// `n` nested Mermaid calls never answered: each request is sent by the previous one's callee.
fn nested(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let (from, to) = if i % 2 == 0 { ("a", "b") } else { ("b", "a") };
        let _ = writeln!(out, "{from}->>{to}: GET /x{i}");
    }
    out
}

/// A hook Markdown section with a request id.
fn section(heading: &str, parties: &str, id: &str) -> String {
    format!(
        "### {heading}\n{parties}\n\n=== \"Header\"\n    ``` http\n    X-Requestshook-Request-Id: {id}\n    ```\n\n=== \"Body\"\n    ``` json\n    none\n    ```\n\n"
    )
}

#[test]
fn deep_nesting_prints_its_depth_as_a_number_beyond_32_levels() {
    let n = 5_000;
    let dir = scratch_dir("deep-nesting");
    let path = dir.join("nested.mermaid.txt");
    std::fs::write(&path, nested(n)).expect("write");
    let out = flowdiff(&["show", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), n + 1, "one line per exchange and the summary");
    // Step 33 is at depth 32, the last indented one; step 41 is at depth 40.
    assert!(lines[32].starts_with(&format!("  33 {}a -> b GET /x32", "  ".repeat(32))));
    assert!(lines[40].contains(&format!("{}[depth 40] a -> b GET /x40", "  ".repeat(32))));
    let longest = lines.iter().map(|l| l.len()).max().unwrap_or(0);
    assert!(longest < 120, "lines stay short: {longest}");
    // Every request is unanswered: counted once, the first ones listed.
    let warnings = stderr(&out);
    assert!(
        warnings.contains(&format!(
            "nested.mermaid.txt:1: {n} requests without a response (the capture may be cut short); the first 10 are listed"
        )),
        "{warnings}"
    );
    assert_eq!(warnings.lines().count(), 11, "{warnings}");
    assert!(
        warnings.contains(":2: request without a response: `b -> a GET /x1` was never answered")
    );
}

#[test]
fn the_text_report_of_a_deeply_nested_comparison_caps_its_indentation() {
    let n = 3_000;
    let dir = scratch_dir("deep-nesting-report");
    let old = dir.join("old.mermaid.txt");
    let new = dir.join("new.mermaid.txt");
    std::fs::write(&old, nested(n)).expect("write");
    // Every 7th call changes method: findings at every depth, each under all its ancestors.
    let changed: String = nested(n)
        .lines()
        .enumerate()
        .map(|(i, line)| match i % 7 {
            0 => format!("{}\n", line.replacen("GET", "PUT", 1)),
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(&new, changed).expect("write");
    let out = flowdiff(&[
        old.to_str().expect("utf-8 path"),
        new.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    // Step 3000 is at depth 2999: shown at 32 levels with its depth as a number.
    assert!(
        text.contains(&format!(
            "{}[depth 2999] b -> a GET /x2999",
            "  ".repeat(32)
        )),
        "{}",
        &text[text.len().saturating_sub(2000)..]
    );
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 200, "lines stay short: {longest}");
}

#[test]
fn a_capture_cut_at_a_section_boundary_counts_its_open_requests() {
    let text = fixture_text("server-create.hook.md");
    let mut most_open = 0;
    // Cut right before every 3rd section heading.
    for (at, _) in text.match_indices("\n### ").skip(1).step_by(3) {
        let cut = &text[..=at];
        // Requests whose id appears once (no response yet) in the part kept.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for line in cut.lines() {
            if let Some(id) = line.trim().strip_prefix("X-Requestshook-Request-Id: ") {
                *seen.entry(id).or_default() += 1;
            }
        }
        let open = seen.values().filter(|&&n| n == 1).count();
        most_open = most_open.max(open);
        let trace = parse(cut).expect("a cut capture still parses");
        let unanswered = trace
            .exchanges
            .iter()
            .filter(|e| e.completeness == Completeness::Unanswered)
            .count();
        assert_eq!(unanswered, open);
        let said = |start: &str| trace.warnings.iter().any(|w| w.message.starts_with(start));
        match open {
            0 => assert!(trace.warnings.is_empty(), "{:?}", trace.warnings),
            1 => assert!(said("request without a response: `")),
            n => assert!(said(&format!("{n} requests without a response"))),
        }
    }
    assert!(most_open > 1, "some cut leaves several requests open");
}

#[test]
fn a_reused_request_id_pairs_by_parties_and_warns_naming_both_lines() {
    let text = [
        section("GET /one", "`a` --> `b`", "same"),
        section("GET /two", "`c` --> `d`", "same"),
        section("200 OK /one", "`a` <-- `b`", "same"),
        section("404 Not Found /x", "`e` <-- `f`", "same"),
        section("200 OK /two", "`c` <-- `d`", "same"),
    ]
    .concat();
    let trace = parse(&text).expect("parses");
    let paired: Vec<(&str, &str, Option<u16>, Completeness)> = trace
        .exchanges
        .iter()
        .map(|e| (e.caller.as_str(), e.path.as_str(), e.status, e.completeness))
        .collect();
    assert_eq!(
        paired,
        [
            ("a", "/one", Some(200), Completeness::Complete),
            ("c", "/two", Some(200), Completeness::Complete),
            ("e", "/x", Some(404), Completeness::ResponseOnly),
        ]
    );
    assert_eq!(
        warnings(&trace),
        [
            (14, "request id same is already used by the open request at line 1: a response with this id pairs with the request of its parties"),
            (40, "response `e -> f` has the request id same of the open request at line 14, which is `c -> d`: not paired by id"),
            (40, "response without a request: no open `e -> f` request before it"),
        ]
    );
}

#[test]
fn lines_after_a_closed_block_are_reported() {
    let mut text = section("GET /one", "`a` --> `b`", "1");
    text.push_str("stray words\nmore stray words\n\n");
    text.push_str(&section("200 OK /one", "`a` <-- `b`", "1"));
    let trace = parse(&text).expect("parses");
    assert_eq!(trace.exchanges.len(), 1);
    assert_eq!(
        warnings(&trace),
        [(14, "`stray words` (and 1 more line) after the section's code block is in no tab, ignored: expected a `=== \"Header\"` or `=== \"Body\"` tab or the next `### ` heading")]
    );
}

#[test]
fn a_tab_the_parser_does_not_know_is_reported_with_its_file_and_line() {
    let request = section("GET /one", "`a` --> `b`", "1").replace(
        "=== \"Body\"",
        "=== \"Other\"\n    ``` text\n    kept out\n    ```\n\n=== \"Body\"",
    );
    let mut text = request;
    text.push_str(&section("200 OK /one", "`a` <-- `b`", "1"));
    let trace = parse(&text).expect("parses");
    assert_eq!(trace.exchanges.len(), 1);
    assert_eq!(
        warnings(&trace),
        [(9, "unknown tab `=== \"Other\"` (its block is ignored): expected `=== \"Header\"` or `=== \"Body\"`")]
    );
    let dir = scratch_dir("unknown-tab");
    let path = dir.join("other-tab.hook.md");
    std::fs::write(&path, &text).expect("write");
    let out = flowdiff(&["show", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("other-tab.hook.md:9: unknown tab `=== \"Other\"`"),
        "{}",
        stderr(&out)
    );
}

/// Runs `flowdiff show FILE` with a config file holding `config`.
fn show_with_config(name: &str, config: &str, file: &str) -> std::process::Output {
    let dir = scratch_dir(name);
    let config_path = dir.join("flowdiff.toml");
    std::fs::write(&config_path, config).expect("write config");
    flowdiff(&[
        "show",
        "--config",
        config_path.to_str().expect("utf-8 path"),
        file,
    ])
}

#[test]
fn an_input_over_the_size_limit_is_refused() {
    let out = show_with_config(
        "size-limit",
        "max_input_size = \"1 KiB\"\n",
        "tests/fixtures/image-show.hook.md",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "flowdiff: tests/fixtures/image-show.hook.md: larger than the input limit of 1 KiB (expected a capture of at most that size; raise `max_input_size` in flowdiff.toml to read it)\n"
    );
    // Under the limit, the same file reads.
    let out = show_with_config(
        "size-limit-ok",
        "max_input_size = 1000000\n",
        "tests/fixtures/image-show.hook.md",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn an_endless_line_stops_at_the_line_limit() {
    let out = show_with_config("zero", "max_line_size = \"4 MiB\"\n", "/dev/zero");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "flowdiff: /dev/zero:1: line longer than the limit of 4 MiB (expected a text capture with shorter lines; raise `max_line_size` in flowdiff.toml to read it)\n"
    );
}

#[test]
fn a_bad_limit_in_the_config_names_its_line() {
    let out = show_with_config(
        "bad-limit",
        "format = \"text\"\nmax_line_size = \"lots\"\n",
        "tests/fixtures/image-show.hook.md",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("flowdiff.toml:2: max_line_size: `lots` is not a size"),
        "{err}"
    );
}
