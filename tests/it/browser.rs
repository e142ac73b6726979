//! The browser helper: `tests/browser/check.mjs` looks at diagrams and HTML reports as a person
//! would, in headless Chromium (Debian's `chromium-headless-shell`, driven by playwright-core):
//! it parses every Mermaid diagram with Mermaid's own parser and renders it, and checks the HTML
//! reports. With `FLOWDIFF_SCREENSHOTS=1` it also takes a screenshot of each, in
//! `target/visual/`. The tests of what it sees are in `visual`; the one here checks the helper.
//!
//! Node, the helper's npm packages (`npm ci` in `tests/browser/`) and Chromium must be there:
//! `.ci/run` installs them; without them these tests fail, they never skip.
//!
//! One helper serves every test (one Chromium, Mermaid loaded once), diagrams and pages at once.
//! The test harness starts tests in name order, two at a time: this module sorts early, and its
//! test starts the helper and hands it all of `visual`'s work at once; `visual` sorts last, so
//! Chromium works beside the other tests, and none holds a test thread waiting for it until the
//! end of the run.

use crate::visual::out_dir;
use flowdiff::report::diagram::Diagram;
use flowdiff::report::Report;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

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
    let browser = crate::visual::root().join("tests/browser");
    assert!(
        browser.join("node_modules/playwright-core").is_dir()
            && browser.join("node_modules/mermaid").is_dir(),
        "the browser test helper is not installed: run `npm ci` in tests/browser (.ci/run does)"
    );
    let chromium = std::env::var_os("FLOWDIFF_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium-headless-shell"));
    assert!(
        chromium.is_file(),
        "{} is missing: install Debian's chromium-headless-shell (.ci/run does)",
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

/// The helper, started if it is not yet. The tests ask for it first, before they prepare what
/// to look at: Chromium starts and Mermaid loads meanwhile.
fn helper() -> &'static Helper {
    HELPER.get_or_init(start_helper)
}

/// A manifest handed to the helper: its answer comes when the helper is done with it, and the
/// tests that hand over their work early wait for it only when they need it.
pub struct Asked {
    id: Result<u64, String>,
}

/// Hands the helper `manifest`, without waiting for its answer.
fn send(manifest: &Path) -> Asked {
    let helper = helper();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    // A test that failed while asking leaves the lock poisoned, not the helper unusable.
    let mut requests = helper.requests.lock().unwrap_or_else(|p| p.into_inner());
    let sent = writeln!(requests, "{id} {}", manifest.display()).and_then(|()| requests.flush());
    Asked {
        id: sent
            .map(|()| id)
            .map_err(|e| stopped(helper, &e.to_string())),
    }
}

/// Why there is no answer, with the helper's log.
fn stopped(helper: &Helper, why: &str) -> String {
    format!(
        "the browser helper stopped ({why}); its log, {}:\n{}",
        helper.log.display(),
        std::fs::read_to_string(&helper.log).unwrap_or_default()
    )
}

impl Asked {
    /// The helper's answer, or why there is none.
    fn answer(&self) -> Result<Value, String> {
        let helper = helper();
        let id = *self.id.as_ref().map_err(Clone::clone)?;
        let mut read = helper
            .answers
            .read
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(answer) = read.0.get(&id) {
                return Ok(answer.clone());
            }
            if read.1 {
                return Err(stopped(helper, "no answer"));
            }
            read = helper
                .answers
                .arrived
                .wait(read)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// What the helper found wrong with the diagrams and pages it was handed, one line each (it
    /// fails, never returns nothing, when the helper cannot run).
    pub fn problems(&self) -> Vec<String> {
        let answer = self.answer().unwrap_or_else(|e| panic!("{e}"));
        answer["failures"]
            .as_array()
            .unwrap_or_else(|| panic!("the helper's answer has no failures: {answer}"))
            .iter()
            .map(|f| f.as_str().expect("a failure is text").to_string())
            .collect()
    }

    /// Fails with what the helper found unless all is well.
    pub fn assert_clean(&self) {
        let problems = self.problems();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// Hands the browser helper these diagrams and pages to look at (`NAME.manifest.json` in
/// `target/visual/`).
pub fn ask(name: &str, mermaid: Vec<Value>, html: Vec<Value>) -> Asked {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).expect("target/visual");
    let manifest = dir.join(format!("{name}.manifest.json"));
    let screenshots = std::env::var_os("FLOWDIFF_SCREENSHOTS").is_some_and(|v| v == "1");
    let document =
        json!({"out_dir": dir, "mermaid": mermaid, "html": html, "screenshots": screenshots});
    std::fs::write(&manifest, document.to_string()).expect("write the manifest");
    send(&manifest)
}

/// A Mermaid file for the helper, with the arrow texts it must draw (`None`: parse and render
/// only).
pub fn mermaid_case(name: &str, text: &str, messages: Option<Vec<String>>) -> Value {
    let file = out_dir().join(format!("{name}.mmd"));
    std::fs::create_dir_all(out_dir()).expect("target/visual");
    std::fs::write(&file, text).expect("write the diagram");
    json!({"name": name, "file": file, "messages": messages})
}

/// An HTML page for the helper: the findings of the JSON report it must show and the arrows
/// each of its diagrams must draw.
pub fn html_case(name: &str, html: &str, reports: &[&Report]) -> Value {
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

/// The helper itself fails on a diagram Mermaid rejects and on arrows it does not draw.
///
/// The first browser test in name order: it starts the helper and hands it the work of
/// `visual`'s tests (in the background) before its own small request.
#[test]
fn the_browser_helper_fails_on_a_broken_diagram() {
    helper();
    crate::visual::prepare_in_background();
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
    let asked: Vec<_> = [
        ("broken", broken, "broken: parse: "),
        ("wrong_arrows", wrong, "wrong_arrows: arrow texts differ"),
    ]
    .into_iter()
    .map(|(name, item, problem)| (name, ask(name, vec![item], Vec::new()), problem))
    .collect();
    for (name, asked, problem) in asked {
        let found = asked.problems();
        assert!(
            found.len() == 1 && found[0].starts_with(problem),
            "{name}: expected one problem starting {problem:?}, found {found:#?}"
        );
    }
}
