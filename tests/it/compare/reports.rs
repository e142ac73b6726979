//! Every report format on one comparison with findings of each severity, and `check` output.

use super::edit::Hook;
use super::{render, report, server_create};
use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout};
use flowdiff::compare::Options;
use flowdiff::report::ReportFormat;
use serde_json::Value;

/// Seed 001 with one new call: the client fetches a flavor's extra specs after the flavor.
pub fn with_extra_call() -> Hook {
    let mut hook = Hook::parse(&server_create());
    let extra = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let copy = hook.duplicate_exchange(extra, None);
    hook.set_heading(copy, "GET /compute/v2.1/flavors/c1/os-extra_specs");
    hook.set_heading(copy + 1, "200 OK /compute/v2.1/flavors/c1/os-extra_specs");
    hook
}

/// Seed 001 with a call dropped (breaking), a new call (warning) and a field added (info).
fn mutated() -> String {
    let mut hook = with_extra_call();
    let dropped = hook.request("nova-scheduler", "GET", "/placement/allocations/", 0);
    hook.drop_exchange(dropped);
    let request = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let response = hook.response(request);
    hook.edit_body(response, |v| {
        if let Some(flavor) = v.get_mut("flavor").and_then(Value::as_object_mut) {
            flavor.insert("description".into(), Value::from("small"));
        }
    });
    hook.text()
}

#[test]
fn every_format_renders_the_same_findings() {
    let report = report(
        ("golden/server-create.md", &server_create()),
        ("new.md", &mutated()),
        Options::default(),
    );
    let kinds: Vec<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    for (name, format) in [
        ("all_formats.text", ReportFormat::Text),
        ("all_formats.markdown", ReportFormat::Markdown),
        ("all_formats.junit", ReportFormat::Junit),
        ("all_formats.github", ReportFormat::Github),
        ("all_formats.mermaid", ReportFormat::Mermaid),
    ] {
        insta::assert_snapshot!(name, render(&report, format));
    }
    let github = render(&report, ReportFormat::Github);
    assert_eq!(
        github
            .lines()
            .filter(|l| l.starts_with("::error file=new.md,line="))
            .count(),
        1
    );
    assert_eq!(
        github
            .lines()
            .filter(|l| l.starts_with("::warning file=new.md,line="))
            .count(),
        1
    );
    let junit = render(&report, ReportFormat::Junit);
    assert_eq!(junit.matches("<failure ").count(), 1);
}

#[test]
fn check_prints_one_json_document_with_a_result_per_capture() {
    let dir = scratch_dir("cmp-check-json");
    let golden = dir.join("golden");
    std::fs::create_dir_all(&golden).expect("golden dir");
    std::fs::copy(
        fixture("server-create.hook.md"),
        golden.join("server-create.md"),
    )
    .expect("copy");
    std::fs::copy(fixture("image-show.hook.md"), golden.join("image-show.md")).expect("copy");
    // An extra call of the client makes other defining calls: the file name chooses the golden.
    let new = dir.join("server-create.md");
    std::fs::write(&new, mutated()).expect("write");
    let show = fixture("image-show.hook.md");
    let args = [
        "check",
        new.to_str().expect("path"),
        show.to_str().expect("path"),
        "--golden",
        golden.to_str().expect("path"),
        "--format",
        "json",
    ];
    let out = flowdiff(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let reports = crate::common::check_results(&stdout(&out));
    assert_eq!(reports.len(), 2);
    assert!(reports[0]["old"]["source"]
        .as_str()
        .is_some_and(|s| s.ends_with("server-create.md")));
    assert_eq!(reports[0]["verdict"], "fail");
    assert!(reports[1]["old"]["source"]
        .as_str()
        .is_some_and(|s| s.ends_with("image-show.md")));
    assert_eq!(reports[1]["verdict"], "pass");
    let forced = flowdiff(&[
        "check",
        show.to_str().expect("path"),
        "--golden",
        golden.to_str().expect("path"),
        "--flow",
        "server-create",
    ]);
    assert_eq!(
        forced.status.code(),
        Some(1),
        "--flow forces the wrong golden: {}",
        stdout(&forced)
    );
}

#[test]
fn explain_tells_why_a_step_was_flagged() {
    let dir = scratch_dir("cmp-explain");
    std::fs::write(dir.join("new.md"), mutated()).expect("write");
    let seed = fixture("server-create.hook.md");
    let new = dir.join("new.md");
    let report = report(
        ("old.md", &server_create()),
        ("new.md", &mutated()),
        Options::default(),
    );
    let extra = report
        .findings
        .iter()
        .find_map(|f| (f.kind.as_str() == "extra_call").then_some(f.new_step))
        .flatten()
        .expect("an extra call");
    let step = extra.to_string();
    let out = flowdiff(&[
        seed.to_str().expect("path"),
        new.to_str().expect("path"),
        "--explain",
        &step,
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the verdict still decides: {}",
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains(&format!("step {step}: openstack -> nova-api GET")),
        "{text}"
    );
    assert!(
        text.contains("an extra call") && text.contains("extra_call"),
        "{text}"
    );
}

/// Seed 000 repeated `copies` times (one long session of the same client), with the client's
/// flavor lookup of the copies in `changed` sent to another path.
fn repeated_part(copies: usize, changed: &[usize]) -> String {
    let part = crate::common::fixture_text("server-create-part.mermaid.txt");
    let mut out = String::new();
    for copy in 0..copies {
        for line in part.lines() {
            if changed.contains(&copy) && line.contains("/compute/v2.1/flavors/") {
                out.push_str(&line.replace("/flavors/", "/os-keypairs/"));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
    }
    out
}

#[test]
fn a_stretch_too_long_to_align_exactly_is_a_warning_in_every_format() {
    // 300 copies: the client's differing stretch has 2,000 calls a side, past the exact bound.
    let old = repeated_part(300, &[]);
    let new = repeated_part(300, &[1, 298]);
    let report = report(("old.txt", &old), ("new.txt", &new), Options::default());
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    // The two changed copies look the flavor up twice each: a missing and an extra call each time.
    let kinds = |r: &flowdiff::report::Report| -> Vec<&'static str> {
        r.findings.iter().map(|f| f.kind.as_str()).collect()
    };
    assert_eq!(kinds(&report), ["missing_call", "extra_call"].repeat(4));
    for (name, format) in [
        ("coarse.text", ReportFormat::Text),
        ("coarse.json", ReportFormat::Json),
        ("coarse.markdown", ReportFormat::Markdown),
        ("coarse.junit", ReportFormat::Junit),
        ("coarse.github", ReportFormat::Github),
    ] {
        let rendered = render(&report, format);
        assert!(rendered.contains("aligned coarsely"), "{name}");
        insta::assert_snapshot!(name, rendered);
    }
    // The same inputs, the same report: nothing depends on how fast the machine is.
    let again = super::report(("old.txt", &old), ("new.txt", &new), Options::default());
    assert_eq!(
        render(&again, ReportFormat::Json),
        render(&report, ReportFormat::Json)
    );
    // A short session with the same change is aligned exactly, without a warning.
    let short = super::report(
        ("old.txt", &repeated_part(20, &[])),
        ("new.txt", &repeated_part(20, &[1, 18])),
        Options::default(),
    );
    assert!(short.warnings.is_empty());
    assert_eq!(kinds(&short), kinds(&report));
    assert!(!render(&short, ReportFormat::Json).contains("warnings"));
}
