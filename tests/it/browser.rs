//! Looking at the diagrams and HTML reports as a person would: `tests/browser/check.mjs` opens
//! them in headless Chromium (Debian's `chromium`, driven by playwright-core), parses every
//! Mermaid diagram with Mermaid's own parser and renders it, and checks the HTML reports. With
//! `FLOWDIFF_SCREENSHOTS=1` it also takes a screenshot of each, in `target/visual/`.
//!
//! Node, the helper's npm packages (`npm ci` in `tests/browser/`) and Chromium must be there:
//! `.ci/run` installs them; without them these tests fail, they never skip.
//!
//! One helper serves every test here (one Chromium, Mermaid loaded once), diagrams and pages at
//! once. The module sorts early on purpose: the test harness starts tests in name order, and
//! these are the suite's longest; started first, they run beside the others, not after them.

use crate::common::fixture_text;
use crate::compare::{mutations, report, server_create};
use crate::diagram::{hostile, mermaid_blocks};
use flowdiff::compare::Options;
use flowdiff::report::diagram::Diagram;
use flowdiff::report::{mermaid, Report};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// The project directory.
fn root() -> PathBuf {
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

/// The browser helper, started by the first test that needs it and shared by all: one Node
/// process, one Chromium, Mermaid loaded once (each costs seconds). It answers each request
/// `ID MANIFEST` written to its stdin with a JSON line `{"id": ID, ...}` when done, diagrams
/// and pages at once; it closes the browser and ends when this test process ends (its stdin
/// then closes).
struct Helper {
    requests: Mutex<ChildStdin>,
    answers: Arc<Answers>,
    log: PathBuf,
    /// Never waited for: no test knows it is the last one; the helper ends on its own.
    _process: Mutex<Child>,
}

/// The answers read so far by id, and whether the helper stopped answering.
#[derive(Default)]
struct Answers {
    read: Mutex<(HashMap<u64, Value>, bool)>,
    arrived: Condvar,
}

static HELPER: OnceLock<Helper> = OnceLock::new();
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Starts the helper, failing with what to install when something is missing.
fn start_helper() -> Helper {
    let browser = root().join("tests/browser");
    assert!(
        browser.join("node_modules/playwright-core").is_dir()
            && browser.join("node_modules/mermaid").is_dir(),
        "the browser test helper is not installed: run `npm ci` in tests/browser (.ci/run does)"
    );
    let chromium = std::env::var_os("FLOWDIFF_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.is_file(),
        "{} is missing: install Debian's chromium (.ci/run does)",
        chromium.display()
    );
    std::fs::create_dir_all(out_dir()).expect("target/visual");
    let log = out_dir().join("helper.log");
    let mut child = Command::new("node")
        .arg(browser.join("check.mjs"))
        .env("FLOWDIFF_CHROMIUM", &chromium)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).expect("the helper's log"))
        .spawn()
        .unwrap_or_else(|e| panic!("node does not run ({e}): install node (.ci/run does)"));
    let answers = Arc::new(Answers::default());
    let output = BufReader::new(child.stdout.take().expect("piped stdout"));
    let reader = Arc::clone(&answers);
    std::thread::spawn(move || {
        for line in output.lines() {
            let Ok(answer) = line.map_err(|e| e.to_string()).and_then(|line| {
                serde_json::from_str::<Value>(&line).map_err(|e| format!("{e}: {line}"))
            }) else {
                break;
            };
            let Some(id) = answer["id"].as_u64() else {
                break;
            };
            let mut read = reader.read.lock().unwrap_or_else(|p| p.into_inner());
            read.0.insert(id, answer);
            reader.arrived.notify_all();
        }
        reader.read.lock().unwrap_or_else(|p| p.into_inner()).1 = true;
        reader.arrived.notify_all();
    });
    Helper {
        requests: Mutex::new(child.stdin.take().expect("piped stdin")),
        answers,
        log,
        _process: Mutex::new(child),
    }
}

/// The helper, started if it is not yet. Each test here asks for it first, before it prepares
/// what to look at: Chromium starts and Mermaid loads meanwhile.
fn helper() -> &'static Helper {
    HELPER.get_or_init(start_helper)
}

/// Has the helper look at `manifest`: its answer, or why there is none.
fn ask_helper(manifest: &Path) -> Result<Value, String> {
    let helper = helper();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let stopped = |why: String| {
        format!(
            "the browser helper stopped ({why}); its log, {}:\n{}",
            helper.log.display(),
            std::fs::read_to_string(&helper.log).unwrap_or_default()
        )
    };
    {
        // A test that failed while asking leaves the lock poisoned, not the helper unusable.
        let mut requests = helper.requests.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(requests, "{id} {}", manifest.display())
            .and_then(|()| requests.flush())
            .map_err(|e| stopped(e.to_string()))?;
    }
    let mut read = helper
        .answers
        .read
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    loop {
        if let Some(answer) = read.0.remove(&id) {
            return Ok(answer);
        }
        if read.1 {
            return Err(stopped("no answer".to_string()));
        }
        read = helper
            .answers
            .arrived
            .wait(read)
            .unwrap_or_else(|p| p.into_inner());
    }
}

/// What the browser helper finds wrong with these diagrams and pages, one line each (it fails,
/// never returns nothing, when the helper cannot run).
fn problems(name: &str, mermaid: Vec<Value>, html: Vec<Value>) -> Vec<String> {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).expect("target/visual");
    let manifest = dir.join(format!("{name}.manifest.json"));
    let screenshots = std::env::var_os("FLOWDIFF_SCREENSHOTS").is_some_and(|v| v == "1");
    let document =
        json!({"out_dir": dir, "mermaid": mermaid, "html": html, "screenshots": screenshots});
    std::fs::write(&manifest, document.to_string()).expect("write the manifest");
    let answer = ask_helper(&manifest).unwrap_or_else(|e| panic!("{e}"));
    answer["failures"]
        .as_array()
        .unwrap_or_else(|| panic!("the helper's answer has no failures: {answer}"))
        .iter()
        .map(|f| f.as_str().expect("a failure is text").to_string())
        .collect()
}

/// Has the browser helper look at these diagrams and pages; fails with what it found unless
/// all is well.
fn look_at(name: &str, mermaid: Vec<Value>, html: Vec<Value>) {
    let problems = problems(name, mermaid, html);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A Mermaid file for the helper, with the arrow texts it must draw (`None`: parse and render
/// only).
fn mermaid_case(name: &str, text: &str, messages: Option<Vec<String>>) -> Value {
    let file = out_dir().join(format!("{name}.mmd"));
    std::fs::create_dir_all(out_dir()).expect("target/visual");
    std::fs::write(&file, text).expect("write the diagram");
    json!({"name": name, "file": file, "messages": messages})
}

/// The arrow texts a diagram draws, in order.
fn arrow_texts(diagram: &Diagram) -> Vec<String> {
    diagram.calls().map(|c| c.label()).collect()
}

#[test]
fn every_diagram_parses_and_renders_with_mermaid_itself() {
    helper();
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
    look_at("mermaid", items, Vec::new());
}

/// The helper itself fails on a diagram Mermaid rejects and on arrows it does not draw.
#[test]
fn the_browser_helper_fails_on_a_broken_diagram() {
    helper();
    let broken = mermaid_case(
        "broken",
        "sequenceDiagram\n    a->>b: GET /x; y\n    rect\n",
        None,
    );
    let wrong = mermaid_case(
        "wrong_arrows",
        "sequenceDiagram\n    a->>b: GET /x 200\n",
        Some(vec!["GET /y 200".to_string()]),
    );
    for (name, item, problem) in [
        ("broken", broken, "broken: parse: "),
        ("wrong_arrows", wrong, "wrong_arrows: arrow texts differ"),
    ] {
        let found = problems(name, vec![item], Vec::new());
        assert!(
            found.len() == 1 && found[0].starts_with(problem),
            "{name}: expected one problem starting {problem:?}, found {found:#?}"
        );
    }
}

/// An HTML page for the helper: the findings of the JSON report it must show and the arrows
/// each of its diagrams must draw.
fn html_case(name: &str, html: &str, reports: &[&Report]) -> Value {
    let file = out_dir().join(format!("{name}.html"));
    std::fs::create_dir_all(out_dir()).expect("target/visual");
    std::fs::write(&file, html).expect("write the page");
    let mut findings = Vec::new();
    let mut severities: Vec<String> = Vec::new();
    for report in reports {
        let json = serde_json::to_value(report).expect("the JSON report");
        for f in json["findings"].as_array().into_iter().flatten() {
            findings.push(json!({"id": f["id"], "message": f["message"]}));
            let severity = f["severity"].as_str().unwrap_or_default().to_string();
            if !severities.contains(&severity) {
                severities.push(severity);
            }
        }
    }
    let arrows: Vec<usize> = reports
        .iter()
        .map(|r| Diagram::of(r, false).calls().count())
        .collect();
    json!({"name": name, "file": file, "findings": findings, "arrows": arrows,
           "severities": severities})
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

#[test]
fn html_reports_show_every_finding_and_one_arrow_per_call() {
    helper();
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
    look_at("html", Vec::new(), items);
}

#[test]
fn notes_render_as_html_with_each_changed_flow_drawn() {
    helper();
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
    look_at("notes", Vec::new(), vec![item]);
}
