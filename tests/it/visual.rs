//! What a person sees: every diagram flowdiff draws parsed and rendered by Mermaid itself, every
//! HTML report loaded and clicked, in headless Chromium through the browser helper (`browser`).
//!
//! The module sorts last on purpose: the test harness starts tests in name order, and the first
//! browser test (`browser::`, early) hands the helper the work of these tests in the background
//! (`prepare_in_background`). Chromium then works beside the other tests, and these only wait
//! for the answers at the end, instead of holding both test threads while Chromium works.
//! Each test here asks for its own work too: run alone, it prepares and hands it over itself.

use crate::browser::{ask, html_case, mermaid_case, Asked};
use crate::common::fixture_text;
use crate::compare::{mutations, report, server_create};
use crate::diagram::{hostile, mermaid_blocks};
use flowdiff::compare::Options;
use flowdiff::report::diagram::Diagram;
use flowdiff::report::{mermaid, Report};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The project directory.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the files looked at and the screenshots go.
pub fn out_dir() -> PathBuf {
    root().join("target/visual")
}

/// Each seed capture with the golden flow it is checked against: `(name, golden, capture)`.
pub fn seeds() -> Vec<(&'static str, String, String)> {
    let golden = |name: &str| {
        std::fs::read_to_string(root().join("golden").join(name)).expect("a built-in golden")
    };
    vec![
        (
            "seed_server_create",
            golden("server-create.md"),
            fixture_text("server-create.hook.md"),
        ),
        (
            "seed_server_create_part",
            golden("server-create.md"),
            fixture_text("server-create-part.mermaid.txt"),
        ),
        (
            "seed_image_save",
            golden("image-save.md"),
            fixture_text("image-save.hook.md"),
        ),
        (
            "seed_image_show",
            golden("image-show.md"),
            fixture_text("image-show.hook.md"),
        ),
        (
            "seed_image_create",
            golden("image-create.md"),
            fixture_text("image-create.doc.md"),
        ),
    ]
}

/// Every comparison looked at: the seeds against their goldens, seed 001 against each mutation
/// kind, and against a capture holding text that would break a diagram or a page. Computed
/// once for the tests that look at them.
pub fn cases() -> &'static [(String, Report)] {
    static CASES: OnceLock<Vec<(String, Report)>> = OnceLock::new();
    CASES.get_or_init(compare_cases)
}

fn compare_cases() -> Vec<(String, Report)> {
    let mut out: Vec<(String, Report)> = seeds()
        .into_iter()
        .map(|(name, golden, capture)| {
            let r = report(
                ("golden", &golden),
                (&format!("{name}.md"), &capture),
                Options::default(),
            );
            (name.to_string(), r)
        })
        .collect();
    let mut mutated = mutations::all();
    mutated.push(("hostile", hostile()));
    for (name, text) in mutated {
        let r = report(
            ("golden/server-create.md", &server_create()),
            (&format!("{name}.md"), &text),
            Options::default(),
        );
        out.push((format!("mutation_{name}"), r));
    }
    out
}

/// Starts preparing every test's work here and handing it to the helper, on a thread of its own
/// (the diagrams first: theirs is the longest chain). A failure while preparing is not reported
/// there: the test whose work it is prepares it again and fails with it.
pub fn prepare_in_background() {
    std::thread::spawn(|| {
        let _ = std::panic::catch_unwind(|| {
            diagrams();
            pages();
            notes();
        });
    });
}

/// Every diagram of every comparison looked at, folded and full, what `check` prints for several
/// flows, and the README's examples, handed to the helper once.
fn diagrams() -> &'static Asked {
    static ASKED: OnceLock<Asked> = OnceLock::new();
    ASKED.get_or_init(|| {
        let mut items = Vec::new();
        for (name, report) in cases() {
            for full in [false, true] {
                let diagram = Diagram::of(report, full);
                let name = if full {
                    format!("{name}.full")
                } else {
                    name.clone()
                };
                items.push(mermaid_case(
                    &name,
                    &mermaid::text(&diagram),
                    Some(arrow_texts(&diagram)),
                ));
            }
        }
        // What `check` prints for several flows: each diagram after a `%%` comment line.
        let (title, report) = &cases()[0];
        let diagram = Diagram::of(report, false);
        let text = format!("%% {title}\n{}", mermaid::text(&diagram));
        items.push(mermaid_case(
            "commented",
            &text,
            Some(arrow_texts(&diagram)),
        ));
        // The README's examples.
        let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
        let blocks = mermaid_blocks(&readme);
        assert!(!blocks.is_empty());
        for (i, block) in blocks.iter().enumerate() {
            items.push(mermaid_case(&format!("readme_{i}"), block, None));
        }
        ask("mermaid", items, Vec::new())
    })
}

/// The arrow texts a diagram draws, in order.
fn arrow_texts(diagram: &Diagram) -> Vec<String> {
    diagram.calls().map(|c| c.label()).collect()
}

#[test]
fn every_diagram_parses_and_renders_with_mermaid_itself() {
    diagrams().assert_clean();
}

fn html_of(reports: &[Report]) -> String {
    let mut out = Vec::new();
    flowdiff::report::render(
        reports,
        flowdiff::report::ReportFormat::Html,
        &flowdiff::report::Styles::plain(),
        &mut out,
    )
    .expect("renders");
    String::from_utf8(out).expect("utf-8")
}

/// The HTML report of every comparison looked at, and of `check` of several captures, handed to
/// the helper once.
fn pages() -> &'static Asked {
    static ASKED: OnceLock<Asked> = OnceLock::new();
    ASKED.get_or_init(|| {
        let cases = cases();
        let mut items = Vec::new();
        for (name, report) in cases {
            let html = html_of(std::slice::from_ref(report));
            if name.ends_with("hostile") {
                assert!(!html.contains("<img"), "captured markup is escaped");
                assert!(html.contains("&lt;img/src=x/onerror=alert(1)&gt;&amp;amp;"));
            }
            items.push(html_case(name, &html, &[report]));
        }
        // `check` of several captures: one section per flow, a summary table on top.
        let several: Vec<Report> = cases.iter().take(3).map(|(_, r)| r.clone()).collect();
        let html = html_of(&several);
        assert_eq!(html.matches("<section class=\"flow\"").count(), 3);
        assert!(html.contains("<table class=\"summary\">"));
        assert!(
            html.contains("id=\"flow-2-step-1\""),
            "steps are linkable per flow"
        );
        let refs: Vec<&Report> = several.iter().collect();
        items.push(html_case("check_several", &html, &refs));
        ask("html", Vec::new(), items)
    })
}

#[test]
fn html_reports_show_every_finding_and_one_arrow_per_call() {
    pages().assert_clean();
}

/// The HTML notes of a changed flow, as the command line writes them, handed to the helper once.
fn notes() -> &'static Asked {
    static ASKED: OnceLock<Asked> = OnceLock::new();
    ASKED.get_or_init(|| {
        let dir = crate::common::scratch_dir("notes-html");
        let (old, new) = (dir.join("old"), dir.join("new"));
        for (side, text) in [
            (&old, server_create()),
            (&new, mutations::all()[1].1.clone()),
        ] {
            std::fs::create_dir_all(side).expect("dir");
            std::fs::write(side.join("server-create.md"), text).expect("write");
        }
        let (old, new) = (old.to_str().expect("utf-8"), new.to_str().expect("utf-8"));
        let output = crate::common::flowdiff(&["notes", old, new, "--format", "html"]);
        assert!(output.status.success());
        let html = crate::common::stdout(&output);
        let json = crate::common::stdout(&crate::common::flowdiff(&[
            "notes", old, new, "--format", "json",
        ]));
        let notes: Value = serde_json::from_str(&json).expect("notes json");
        let report: Report = report(
            ("old/server-create.md", &server_create()),
            ("new/server-create.md", &mutations::all()[1].1),
            Options::default(),
        );
        let findings: Vec<Value> = notes["flows"][0]["report"]["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!findings.is_empty());
        let mut item = html_case("notes", &html, &[&report]);
        item["findings"] = findings
            .iter()
            .map(|f| json!({"id": f["id"], "message": f["message"]}))
            .collect();
        ask("notes", Vec::new(), vec![item])
    })
}

#[test]
fn notes_render_as_html_with_each_changed_flow_drawn() {
    notes().assert_clean();
}
