//! The library's entry point, `flowdiff::Diff`: the report `flowdiff OLD NEW` prints for the
//! same captures, errors naming the capture, flows of a Tempest log chosen by name, parse
//! warnings kept on the sides, rules and threshold honoured, write failures typed.

use crate::common::{fixture_text, flowdiff, scratch_dir, stderr, stdout};
use flowdiff::{Diff, Error, ReportFormat, RuleSet, Verdict};
use std::error::Error as _;

const OLD: &str = "tests/fixtures/server-create.hook.md";
const NEW: &str = "tests/fixtures/server-create-part.mermaid.txt";

/// A fixture's text by its path from the crate root.
fn text(path: &str) -> String {
    fixture_text(path.trim_start_matches("tests/fixtures/"))
}

/// The library's rendering of `report` in `format`.
fn rendered(report: &flowdiff::Report, format: ReportFormat) -> String {
    let mut out = Vec::new();
    report.render(format, &mut out).expect("renders");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn the_library_reports_what_the_command_line_prints() {
    let (old, new) = (text(OLD), text(NEW));
    let report = Diff::new(&old, &new)
        .names(OLD, NEW)
        .compare()
        .expect("captures compare");
    assert_eq!(report.verdict, Verdict::Fail);
    assert!(report.counts.breaking > 0, "{:?}", report.counts);
    for (format, name) in [
        (ReportFormat::Text, "text"),
        (ReportFormat::Json, "json"),
        (ReportFormat::Junit, "junit"),
        (ReportFormat::Github, "github"),
    ] {
        let cli = flowdiff(&[OLD, NEW, "--format", name]);
        assert_eq!(cli.status.code(), Some(1), "{name}: {}", stderr(&cli));
        assert_eq!(rendered(&report, format), stdout(&cli), "{name}");
    }
}

#[test]
fn options_and_threshold_are_those_of_the_command_line() {
    let (old, new) = (text(OLD), text(NEW));
    let never = Diff::new(&old, &new)
        .fail_on(None)
        .compare()
        .expect("compares");
    assert_eq!(never.verdict, Verdict::Pass);
    let strict = Diff::new(&old, &new)
        .names(OLD, NEW)
        .strict_order(true)
        .strict_plumbing(true)
        .fail_on(Some(flowdiff::Severity::Info))
        .compare()
        .expect("compares");
    let cli = flowdiff(&[
        OLD,
        NEW,
        "--strict-order",
        "--strict-plumbing",
        "--fail-on",
        "info",
        "--format",
        "json",
    ]);
    assert_eq!(rendered(&strict, ReportFormat::Json), stdout(&cli));
    // Plumbing aligned like any call: nothing is suppressed as cache-dependent.
    assert_ne!(strict.suppressed, never.suppressed);
}

#[test]
fn rules_given_replace_the_built_in_ones() {
    let dir = scratch_dir("library-rules");
    let file = dir.join("quiet.toml");
    std::fs::write(
        &file,
        "# Nothing the compute service does matters here.\n[[rule]]\nname = \"quiet-nova\"\ncallee = \"nova.*\"\nseverity = \"ignore\"\naction = \"severity\"\n",
    )
    .expect("rules file written");
    let rules = RuleSet::load(&[file.as_path()]).expect("rules load");
    let (old, new) = (text(OLD), text(NEW));
    let default = Diff::new(&old, &new).compare().expect("compares");
    let quiet = Diff::new(&old, &new)
        .rules(&rules)
        .compare()
        .expect("compares");
    let about_nova = |r: &flowdiff::Report| {
        r.findings
            .iter()
            .filter(|f| f.call.contains("-> nova"))
            .count()
    };
    assert!(about_nova(&default) > 0);
    assert_eq!(about_nova(&quiet), 0);
    assert!(quiet.findings.len() < default.findings.len());
}

#[test]
fn a_text_that_is_not_a_capture_is_an_input_error_naming_it() {
    let good = text(OLD);
    let error = Diff::new(&good, "hello\nworld\n")
        .names(OLD, "notes.txt")
        .compare()
        .expect_err("not a capture");
    match &error {
        Error::Input { path, .. } => assert_eq!(path, std::path::Path::new("notes.txt")),
        other => panic!("expected an input error, got {other:?}"),
    }
    assert!(
        error.to_string().starts_with("notes.txt:") && error.to_string().contains("expected"),
        "{error}"
    );
}

#[test]
fn a_flow_of_a_tempest_log_is_chosen_by_name() {
    let log = fixture_text("tempest.interleaved-py3.attachment-layout.log");
    let error = Diff::new(&log, &log)
        .names("a.log", "b.log")
        .compare()
        .expect_err("several flows");
    assert!(error.to_string().starts_with("a.log: "), "{error}");
    assert!(error.to_string().contains("flows"), "{error}");
    let flows = flowdiff::parse::parse_flows(&log).expect("log parses");
    let name = flows[1].name.clone().expect("tests are named");
    let report = Diff::new(&log, &log)
        .flow(&name)
        .compare()
        .expect("one flow each");
    assert_eq!(report.new.flow.as_deref(), Some(name.as_str()));
    assert_eq!(report.new.exchanges, flows[1].exchanges.len());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let missing = Diff::new(&log, &log).flow("no_such_test").compare();
    assert!(
        missing.is_err_and(|e| e.to_string().contains("no flow named \"no_such_test\"")),
        "a name not in the log"
    );
}

#[test]
fn parse_warnings_are_kept_on_the_sides() {
    // image-show with its last response cut off: the last request is never answered.
    let whole = fixture_text("image-show.hook.md");
    let last = whole.rfind("\n### ").expect("sections");
    let cut = &whole[..last + 1];
    let dir = scratch_dir("library-warnings");
    let path = dir.join("cut.md");
    std::fs::write(&path, cut).expect("written");
    let report = Diff::new(&whole, cut)
        .names("whole.md", "cut.md")
        .compare()
        .expect("compares");
    assert!(report.old.parse_warnings.is_empty());
    let [warning] = report.new.parse_warnings.as_slice() else {
        panic!("one warning: {:?}", report.new.parse_warnings);
    };
    assert!(warning.message.contains("never answered"), "{warning:?}");
    // The command line prints the same warning, at the same line.
    let path = path.to_str().expect("UTF-8 path");
    let cli = flowdiff(&["show", path]);
    let printed = format!(
        "flowdiff: warning: {path}:{}: {}",
        warning.line, warning.message
    );
    assert!(stderr(&cli).contains(&printed), "{}", stderr(&cli));
}

/// A writer that always fails.
struct Full;

impl std::io::Write for Full {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_is_a_write_error_with_its_cause() {
    let text = text(OLD);
    let report = Diff::new(&text, &text).compare().expect("compares");
    for format in [ReportFormat::Text, ReportFormat::Json, ReportFormat::Html] {
        let error = report.render(format, &mut Full).expect_err("disk full");
        assert!(
            matches!(error, Error::Write { .. }),
            "{format:?}: {error:?}"
        );
        let source = error
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(
            source.map(std::io::Error::kind),
            Some(std::io::ErrorKind::StorageFull),
            "{format:?}"
        );
    }
}

#[test]
fn the_readme_shows_the_crate_documentation_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README");
    let lib = std::fs::read_to_string(format!("{root}/src/lib.rs")).expect("lib.rs");
    let section = readme
        .split("\n## Library\n")
        .nth(1)
        .expect("a Library section");
    let in_readme = section
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("a rust block");
    // The crate docs' first example, without `//! ` and rustdoc's hidden lines.
    let docs: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let heading = docs
        .iter()
        .position(|l| *l == "# Comparing two captures")
        .expect("the section");
    let start = heading
        + docs[heading..]
            .iter()
            .position(|l| *l == "```")
            .expect("an example")
        + 1;
    let end = start
        + docs[start..]
            .iter()
            .position(|l| *l == "```")
            .expect("its end");
    let in_docs: Vec<&str> = docs[start..end]
        .iter()
        .copied()
        .filter(|l| !l.starts_with("# "))
        .collect();
    assert_eq!(in_readme, in_docs.join("\n"));
}
