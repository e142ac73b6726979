//! Reports as CI systems read them, through the CLI: JUnit validated against the XSD under
//! `tests/schema/` by xmllint, Markdown through a CommonMark parser, GitHub annotations that no
//! file name can forge, `--show`, `--explain`, colour and subcommand typos.

use super::edit::Hook;
use super::server_create;
use crate::common::{flowdiff, scratch_dir, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Seed 001 with a response value holding U+FFFF, control characters and Markdown/HTML markup,
/// and a call dropped; written as `name` next to the seed in a scratch directory.
fn captures(dir: &str, name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch_dir(dir);
    let mut hook = Hook::parse(&server_create());
    let request = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let response = hook.response(request);
    hook.edit_body(response, |v| {
        if let Some(flavor) = v.get_mut("flavor").and_then(Value::as_object_mut) {
            flavor.insert(
                "x<script>alert(1)</script>|*a*_b_`c`[d](e)&amp;".into(),
                Value::from("bad\u{FFFF}\u{1}\u{1b}[31mred"),
            );
        }
    });
    let dropped = hook.request("nova-scheduler", "GET", "/placement/allocations/", 0);
    hook.drop_exchange(dropped);
    let old = dir.join("old.md");
    let new = dir.join(name);
    std::fs::write(&old, server_create()).expect("write");
    std::fs::write(&new, hook.text()).expect("write");
    (old, new)
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = flowdiff(args);
    (out.status.code(), stdout(&out), stderr(&out))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Validates `xml` against the JUnit XSD under `tests/schema/` with `xmllint --schema` (Debian's
/// libxml2-utils, which `.ci/run` installs): a full XSD validation (elements, their order,
/// attributes, well-formedness, characters XML forbids). Fails, never skips, without xmllint.
fn validate(xml: &str) {
    let dir = scratch_dir("ci-junit-xsd");
    let file = dir.join("report.xml");
    std::fs::write(&file, xml).expect("write report");
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/junit.xsd");
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema", path(&xsd), path(&file)])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "xmllint is needed to validate the JUnit report against tests/schema/junit.xsd \
                 and could not be run ({e}): install it with `apt-get install -y libxml2-utils` \
                 (.ci/run does)"
            )
        });
    assert!(
        out.status.success(),
        "the JUnit report does not validate against tests/schema/junit.xsd:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn junit_with_forbidden_characters_is_valid_against_the_schema() {
    let (old, new) = captures("ci-junit", "new.md");
    let (code, xml, err) = run(&[
        path(&old),
        path(&new),
        "--format",
        "junit",
        "--fail-on",
        "info",
    ]);
    assert_eq!(code, Some(1), "{err}");
    validate(&xml);
    assert_eq!(xml.matches("<testsuite ").count(), 1, "{xml}");
    assert_eq!(
        xml.matches("<failure ").count(),
        2,
        "a testcase per failing call: {xml}"
    );
    assert!(xml.contains("file=\"") && xml.contains("line=\""), "{xml}");
    // A clean flow is one passing testcase.
    let (code, xml, _) = run(&[path(&old), path(&old), "--format", "junit"]);
    assert_eq!(code, Some(0));
    validate(&xml);
    assert_eq!(xml.matches("<testcase ").count(), 1, "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    // `check` with a capture it cannot read: an `<error>` next to the reports.
    let golden = new.with_file_name("golden");
    std::fs::create_dir_all(&golden).expect("dir");
    std::fs::copy(&old, golden.join("server-create.md")).expect("copy");
    let bad = new.with_file_name("bad.md");
    std::fs::write(&bad, "### (2) 200 OK /v2/images\n").expect("write");
    let (code, xml, err) = run(&[
        "check",
        path(&new),
        path(&bad),
        "--golden",
        path(&golden),
        "--flow",
        "server-create",
        "--format",
        "junit",
    ]);
    assert_eq!(code, Some(2), "{err}");
    validate(&xml);
    assert_eq!(xml.matches("<error ").count(), 1, "{xml}");
}

#[test]
fn markdown_keeps_tables_and_lets_no_html_through() {
    use pulldown_cmark::{Event as Md, Options, Parser, Tag, TagEnd};
    let (old, new) = captures("ci-markdown", "new.md");
    let (code, text, err) = run(&[path(&old), path(&new), "--format", "markdown"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        text.starts_with("| flow | verdict |"),
        "summary table first: {text}"
    );
    assert!(text.contains("<details><summary>"), "info folded: {text}");
    let mut cells = 0;
    let mut rows = Vec::new();
    let mut table_text = String::new();
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Md::Html(html) | Md::InlineHtml(html) => {
                let html = html.to_string();
                assert!(
                    html.starts_with("<details>")
                        || html.starts_with("</details>")
                        || html.starts_with("<summary>")
                        || html.starts_with("</summary>"),
                    "raw HTML from a captured value: {html:?}"
                );
            }
            Md::Start(Tag::TableRow) | Md::Start(Tag::TableHead) => cells = 0,
            Md::End(TagEnd::TableCell) => cells += 1,
            Md::End(TagEnd::TableRow) | Md::End(TagEnd::TableHead) => rows.push(cells),
            Md::Start(Tag::Emphasis)
            | Md::Start(Tag::Strong)
            | Md::Start(Tag::Link { .. })
            | Md::Code(_) => {
                // Emphasis only from flowdiff's own counts line.
            }
            Md::Text(t) => table_text.push_str(&t),
            _ => {}
        }
    }
    assert!(
        rows.len() > 3 && rows.iter().all(|&n| n == 5),
        "{rows:?}\n{text}"
    );
    assert!(
        table_text.contains("x<script>alert(1)<~1script>|*a*_b_`c`[d](e)&amp;"),
        "the value reads as written: {table_text}"
    );
    // Links are relative to the output file, never absolute.
    let out = new.with_file_name("report.md");
    let (_, _, err) = run(&[
        path(&old),
        path(&new),
        "--format",
        "markdown",
        "-o",
        path(&out),
    ]);
    let written = std::fs::read_to_string(&out).unwrap_or_else(|_| panic!("{err}"));
    assert!(written.contains("](new.md#L"), "{written}");
    assert!(!written.contains("](/"), "{written}");
}

#[test]
fn markdown_is_cut_to_fit_a_comment() {
    let dir = scratch_dir("ci-markdown-cut");
    let old = dir.join("old.md");
    std::fs::write(&old, server_create()).expect("write");
    let mut hook = Hook::parse(&server_create());
    let request = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let response = hook.response(request);
    hook.edit_body(response, |v| {
        if let Some(flavor) = v.get_mut("flavor").and_then(Value::as_object_mut) {
            for i in 0..1500 {
                flavor.insert(
                    format!("field_with_a_rather_long_name_{i:04}"),
                    Value::from(i),
                );
            }
        }
    });
    let new = dir.join("new.md");
    std::fs::write(&new, hook.text()).expect("write");
    let (_, text, err) = run(&[path(&old), path(&new), "--format", "markdown"]);
    assert!(
        text.chars().count() <= 60_000,
        "{} characters {err}",
        text.chars().count()
    );
    assert!(text.contains("more findings in the full report"), "{text}");
    assert!(
        text.trim_end().ends_with("</details>") || text.contains("</details>"),
        "details closed"
    );
}

#[test]
fn json_and_github_point_at_the_part_that_changed() {
    let (old, new) = captures("ci-github", "a\n::error file=x::forged,b.md");
    let (_, json, err) = run(&[path(&old), path(&new), "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap_or_else(|_| panic!("{err}"));
    let text = std::fs::read_to_string(&new).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let added = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kind"] == "field_added")
        .expect("a field added");
    let at = added["new_line"].as_u64().expect("new_line") as usize;
    assert!(
        lines[at - 1].starts_with("### ") && lines[at - 1].contains("200"),
        "{}",
        lines[at - 1]
    );
    assert!(added["old_line"].as_u64().is_some());
    let (_, github, _) = run(&[path(&old), path(&new), "--format", "github"]);
    for line in github.lines() {
        assert!(!line.starts_with("::error file=x"), "forged: {github}");
    }
    assert!(github.contains(&format!(",line={at},")), "{github}");
    assert!(
        github.contains("%0A%3A%3Aerror file=x%3A%3Aforged%2Cb.md"),
        "{github}"
    );
}

#[test]
fn show_filters_what_is_printed_not_the_exit_status() {
    let (old, new) = captures("ci-show", "new.md");
    let (code, text, _) = run(&[
        path(&old),
        path(&new),
        "--show",
        "breaking",
        "--fail-on",
        "info",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("missing_call") && !text.contains("field_added"),
        "{text}"
    );
    let (code, _, _) = run(&[path(&old), path(&old), "--show", "breaking"]);
    assert_eq!(code, Some(0));
}

#[test]
fn several_captures_end_with_a_summary_and_explanations_name_them() {
    let (old, new) = captures("ci-several", "server-create.md");
    let golden = old.with_file_name("golden");
    std::fs::create_dir_all(&golden).expect("dir");
    std::fs::copy(&old, golden.join("server-create.md")).expect("copy");
    std::fs::copy(&old, golden.join("server-create-2.md")).expect("copy");
    let same = old.with_file_name("server-create-2.md");
    std::fs::copy(&old, &same).expect("copy");
    let base = ["check", path(&new), path(&same), "--golden", path(&golden)];
    let (code, text, err) = run(&base);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        text.trim_end().ends_with("2 flows: 1 pass, 1 fail"),
        "{text}"
    );
    let (_, md, _) = run(&[&base[..], &["--format", "markdown"]].concat());
    assert!(md.trim_end().ends_with("2 flows: 1 pass, 1 fail"), "{md}");
    // A capture that cannot be checked is counted apart, after its error line.
    let notes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/README.md");
    let (code, text, err) = run(&[&base[..], &[path(&notes)]].concat());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        text.trim_end()
            .ends_with("2 flows: 1 pass, 1 fail; 1 capture not checked"),
        "{text}"
    );
    let (code, text, _) = run(&[&base[..], &["--explain", "3"]].concat());
    assert_eq!(code, Some(1));
    assert!(
        text.contains(&format!("{} (against", path(&new)))
            && text.contains(&format!("{} (against", path(&same))),
        "{text}"
    );
    let (_, json, err) = run(&[&base[..], &["--explain", "3", "--format", "json"]].concat());
    let value: Value = serde_json::from_str(&json).unwrap_or_else(|_| panic!("{err}"));
    let all = value.as_array().expect("an object per capture");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["step"], 3);
    assert!(
        all[0]["explanation"][0]
            .as_str()
            .is_some_and(|l| l.starts_with("step 3:")),
        "{json}"
    );
    let (code, _, err) = run(&[&base[..], &["--explain", "9999"]].concat());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--explain 9999"), "{err}");
}

#[test]
fn colour_and_typos() {
    let (old, _) = captures("ci-colour", "new.md");
    let colour = |vars: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flowdiff"));
        command
            .args([path(&old), path(&old)])
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in vars {
            command.env(k, v);
        }
        let out = command.output().expect("runs");
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    assert!(colour(&[("CLICOLOR_FORCE", "1")]));
    assert!(!colour(&[("CLICOLOR_FORCE", "0")]));
    assert!(!colour(&[("CLICOLOR_FORCE", "")]));
    assert!(!colour(&[("NO_COLOR", "")]), "no terminal: no colour");
    let (code, _, err) = run(&["shwo", "x.md"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean show?"), "{err}");
}
