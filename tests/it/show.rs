//! `flowdiff show`: call tree, JSON model, Mermaid round trip, and bad input through the CLI.

use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout, structure};
use flowdiff::parse::parse;

fn path(name: &str) -> String {
    fixture(name).to_string_lossy().into_owned()
}

#[test]
fn show_prints_one_line_per_exchange_and_a_summary() {
    let output = flowdiff(&["show", &path("image-save.hook.md")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8 + 1, "{text}");
    assert!(
        lines[0].starts_with("1 openstack -> keystone GET /identity/ 300"),
        "{text}"
    );
    // swift-proxy-server's validation call is nested two levels under the second glance call.
    let swift = lines
        .iter()
        .find(|l| l.contains("swift-proxy-server -> keystone"))
        .expect("swift validation call");
    assert!(swift.contains("     swift-proxy-server"), "{swift}");
    assert_eq!(
        lines[8],
        "format: hook markdown, 16 events, 8 exchanges, 4 actors"
    );
    assert!(!text.contains('\u{1b}'), "no color when piped");
}

#[test]
fn show_json_has_stable_fields_and_step_references() {
    let output = flowdiff(&["show", "--format", "json", &path("image-save.hook.md")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    // One document listing the capture's flows, whatever their number.
    assert_eq!(document["schema"], "flowdiff-capture/v1");
    assert_eq!(document["format"], "hook_markdown");
    let flows = document["flows"].as_array().expect("flows");
    assert_eq!(flows.len(), 1);
    let value = &flows[0];
    assert_eq!(value["schema"], "flowdiff-trace/v1");
    assert_eq!(value["format"], "hook_markdown");
    let exchanges = value["exchanges"].as_array().expect("exchanges");
    assert_eq!(exchanges.len(), 8);
    let swift = exchanges
        .iter()
        .find(|e| e["caller"] == "swift-proxy-server")
        .expect("swift call");
    let parent = swift["parent_step"].as_u64().expect("has a parent") as usize;
    assert_eq!(exchanges[parent - 1]["callee"], "swift-proxy-server");
    assert_eq!(value["events"].as_array().map(Vec::len), Some(16));
}

#[test]
fn show_mermaid_reads_back_to_the_same_calls() {
    for name in [
        "server-create.hook.md",
        "image-create.doc.md",
        "image-show.hook.md",
    ] {
        let output = flowdiff(&["show", "--format", "mermaid", &path(name)]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let original = parse(&crate::common::fixture_text(name)).expect("fixture parses");
        let back = parse(&stdout(&output)).expect("mermaid parses back");
        assert_eq!(structure(&back), structure(&original), "{name}");
        let parents =
            |t: &flowdiff::Trace| t.exchanges.iter().map(|e| e.parent).collect::<Vec<_>>();
        assert_eq!(parents(&back), parents(&original), "{name}");
    }
}

#[test]
fn bad_inputs_exit_2_with_one_message_naming_the_file() {
    let dir = scratch_dir("show-bad");
    let empty = dir.join("empty.md");
    std::fs::write(&empty, "").expect("write");
    let junk = dir.join("junk.bin");
    std::fs::write(&junk, [0u8, 159, 146, 150, 255, 0, 1]).expect("write");
    let prose = dir.join("prose.md");
    std::fs::write(&prose, "# Notes\n\nNothing to see here.\n").expect("write");
    let missing = dir.join("missing.md");
    let no_members = dir.join("not-a-golden-set");
    std::fs::create_dir_all(&no_members).expect("mkdir");
    for (file, expected) in [
        (&empty, "empty.md"),
        (&junk, "junk.bin:1:"),
        (&prose, "prose.md"),
        (&missing, "missing.md"),
        (&no_members, "no members here"),
    ] {
        let output = flowdiff(&["show", &file.to_string_lossy()]);
        assert_eq!(output.status.code(), Some(2), "{}", file.display());
        let message = stderr(&output);
        assert!(message.contains(expected), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(!message.contains("panicked"), "{message}");
        assert!(stdout(&output).is_empty());
    }
}

#[test]
fn show_on_a_golden_set_lists_members_and_what_they_taught_it() {
    use crate::compare::edit::Hook;
    let dir = scratch_dir("show-set");
    let set = dir.join("image-save");
    std::fs::create_dir_all(&set).expect("set dir");
    let original = crate::common::fixture_text("image-save.hook.md");
    let mut variant = Hook::parse(&original);
    // Another capture of the same flow: glance's service token was cached, and the image's
    // status read differently.
    let token = variant.request("glance-api", "POST", "/identity/v3/auth/tokens", 0);
    variant.drop_exchange(token);
    let shown = variant.request("openstack", "GET", "/v2/images/", 0);
    let answer = variant.response(shown);
    variant.edit_body(answer, |body| body["status"] = "queued".into());
    for (name, text) in [("001.md", original), ("002.md", variant.text())] {
        let normalized = flowdiff::normalize::normalize(
            &parse(&text).expect("member parses"),
            &flowdiff::normalize::RuleSet::builtin(),
        );
        std::fs::write(
            set.join(name),
            flowdiff::trace_output::hook_markdown::hook_markdown(&normalized),
        )
        .expect("write member");
    }
    let output = flowdiff(&["show", &set.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("golden set image-save (2 members"),
        "{text}"
    );
    assert!(text.contains("001.md: 8 exchanges"), "{text}");
    assert!(text.contains("002.md: 7 exchanges"), "{text}");
    let learned: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  openstack"))
        .collect();
    assert_eq!(learned.len(), 2, "{text}");
    assert!(
        learned
            .iter()
            .any(|l| l.contains("/file") && l.contains("auth")),
        "{text}"
    );
    assert!(
        learned
            .iter()
            .any(|l| l.contains("value_changed") && l.contains("/status")),
        "{text}"
    );
}

#[test]
fn color_is_one_decision_always_never_or_auto() {
    let file = path("image-show.hook.md");
    let always = flowdiff(&["show", "--color", "always", &file]);
    assert!(stdout(&always).contains("\u{1b}["), "{}", stdout(&always));
    let diff_always = flowdiff(&["--color", "always", &file, &path("image-show.hook-log.txt")]);
    assert!(
        stdout(&diff_always).contains("\u{1b}["),
        "{}",
        stdout(&diff_always)
    );
    for args in [
        vec!["show", "--color", "never", file.as_str()],
        vec!["show", file.as_str()],
    ] {
        let output = flowdiff(&args);
        assert!(!stdout(&output).contains('\u{1b}'), "{args:?}");
    }
}
