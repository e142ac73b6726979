//! The `flowdiff OLD NEW` and `flowdiff check` command lines: one test per exit code.

use super::edit::Hook;
use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout};

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn identical_captures_exit_0() {
    let seed = fixture("server-create.hook.md");
    let out = flowdiff(&[path(&seed), path(&seed)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 breaking, 0 warning, 0 info: pass"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_breaking_change_exits_1_and_json_goes_to_the_output_file() {
    let dir = scratch_dir("cmp-exit1");
    let mut hook = Hook::parse(&super::server_create());
    let request = hook.request("nova-scheduler", "GET", "/placement/allocations/", 0);
    hook.drop_exchange(request);
    let new = dir.join("new.md");
    std::fs::write(&new, hook.text()).expect("write");
    let report = dir.join("report.json");
    let seed = fixture("server-create.hook.md");
    let out = flowdiff(&[
        path(&seed),
        path(&new),
        "--format",
        "json",
        "-o",
        path(&report),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    assert_eq!(json["schema"], "flowdiff/v1");
    assert_eq!(json["verdict"], "fail");
    assert_eq!(json["counts"]["breaking"], 1);
    let pass = flowdiff(&[path(&seed), path(&new), "--fail-on", "never"]);
    assert_eq!(pass.status.code(), Some(0));
}

#[test]
fn a_missing_argument_exits_2_with_usage() {
    let seed = fixture("server-create.hook.md");
    let out = flowdiff(&[path(&seed)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("flowdiff OLD NEW"),
        "{}",
        stderr(&out)
    );
    let missing = flowdiff(&[path(&seed), "no-such-file.md"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no-such-file.md"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn every_full_seed_passes_check_against_the_built_in_goldens() {
    let seeds = [
        "server-create.hook.md",
        "image-save.hook.md",
        "image-show.hook.md",
        "image-create.doc.md",
    ];
    let paths: Vec<std::path::PathBuf> = seeds.iter().map(|s| fixture(s)).collect();
    let mut args = vec!["check", "--format", "json"];
    args.extend(paths.iter().map(|p| path(p)));
    let out = flowdiff(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let reports = crate::common::check_results(&stdout(&out));
    assert_eq!(reports.len(), seeds.len());
    for (report, seed) in reports.iter().zip(seeds) {
        let golden = report["old"]["source"].as_str().unwrap_or_default();
        let stem = seed.split('.').next().unwrap_or_default();
        assert!(golden.contains(stem), "{seed} checked against {golden}");
        assert_eq!(report["counts"]["breaking"], 0, "{report:#}");
    }
}

#[test]
fn a_failing_gate_exits_1_even_when_stdout_closes_early() {
    use std::io::Read;
    // Ten failing captures: a report far larger than a pipe's buffer.
    let dir = crate::common::scratch_dir("pipefail");
    let part = crate::common::fixture_text("server-create-part.mermaid.txt");
    for i in 0..10 {
        std::fs::write(dir.join(format!("server-create-{i}.txt")), &part).expect("write");
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flowdiff"))
        .args([
            "check",
            dir.to_str().expect("utf-8"),
            "--flow",
            "server-create",
        ])
        .args(["--format", "json", "--strict-plumbing"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("flowdiff runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = [0u8; 64];
    stdout.read_exact(&mut head).expect("some output");
    drop(stdout); // `| head -c 64`
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(1), "the verdict, not a quiet 0");
}

#[test]
fn one_bad_capture_among_good_ones_still_gets_the_good_ones_reported_then_exit_2() {
    let dir = crate::common::scratch_dir("partial");
    let captures = dir.join("captures");
    std::fs::create_dir_all(&captures).expect("dir");
    std::fs::copy(
        crate::common::fixture("image-save.hook.md"),
        captures.join("image-save.md"),
    )
    .expect("copy");
    // A capture with an error in it (a response heading without any request before it is
    // fine; a section that cannot be read is not).
    std::fs::write(
        captures.join("broken.md"),
        "### GET /v2/images\n`openstack` --> `glance-api`\n\n=== \"Header\"\n    ``` http\n",
    )
    .expect("write");
    let path = captures.to_str().expect("utf-8");
    let json = flowdiff(&["check", path, "--format", "json"]);
    assert_eq!(json.status.code(), Some(2), "{}", stderr(&json));
    let items = crate::common::check_results(&stdout(&json));
    assert!(items.iter().any(|i| i["schema"] == "flowdiff/v1"
        && i["new"]["source"]
            .as_str()
            .is_some_and(|s| s.ends_with("image-save.md"))));
    let error = items
        .iter()
        .find(|i| i["schema"] == "flowdiff-error/v1")
        .expect("an error object");
    assert!(error["source"]
        .as_str()
        .is_some_and(|s| s.ends_with("broken.md")));
    assert!(
        error["error"]
            .as_str()
            .is_some_and(|e| e.contains("broken.md:")),
        "{error}"
    );
    // JUnit: the good flow's suite and an <error> for the bad one; -o still written.
    let out = dir.join("report.xml");
    let junit = flowdiff(&[
        "check",
        path,
        "--format",
        "junit",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(junit.status.code(), Some(2));
    let xml = std::fs::read_to_string(&out).expect("written");
    assert!(xml.contains("<error") && xml.contains("broken.md"), "{xml}");
    assert!(xml.contains("image-save.md"), "{xml}");
    // GitHub and text.
    let github = flowdiff(&["check", path, "--format", "github"]);
    assert!(
        stdout(&github).contains("::error file="),
        "{}",
        stdout(&github)
    );
    let text = flowdiff(&["check", path]);
    assert_eq!(text.status.code(), Some(2));
    assert!(
        stdout(&text).contains("error: ") && stdout(&text).contains("pass"),
        "{}",
        stdout(&text)
    );
}

/// A one-exchange hook Markdown capture: nova answering `GET …/os-interface` with `body`.
fn interfaces_capture(body: &serde_json::Value) -> String {
    let path = "/compute/v2.1/servers/e6167145-7865-4d3d-ad19-2a59fb3f1870/os-interface";
    let body = serde_json::to_string_pretty(body).expect("json");
    let body: String = body.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        "### GET {path}\n`openstack` --> `nova-api`\n\n=== \"Header\"\n    ``` http\n    X-Requestshook-Request-Id: 1\n    ```\n\n=== \"Body\"\n    ``` json\n    none\n    ```\n\n\
         ### 200 OK {path}\n`openstack` <-- `nova-api`\n\n=== \"Header\"\n    ``` http\n    X-Requestshook-Request-Id: 1\n    ```\n\n=== \"Body\"\n    ``` json\n{body}    ```\n"
    )
}

#[test]
fn a_rules_file_naming_an_identity_key_pairs_array_elements_by_it() {
    let dir = scratch_dir("cmp-element-identity");
    let attachment =
        |mac: &str, state: &str| serde_json::json!({"mac_addr": mac, "port_state": state});
    let (a, b) = ("fa:16:3e:4c:2c:30", "fa:16:3e:4c:2c:31");
    let old = serde_json::json!({"interfaceAttachments": [
        attachment(a, "ACTIVE"), attachment(b, "ACTIVE")
    ]});
    let new = serde_json::json!({"interfaceAttachments": [
        attachment(b, "DOWN"), attachment(a, "DOWN")
    ]});
    let (old_file, new_file) = (dir.join("old.md"), dir.join("new.md"));
    std::fs::write(&old_file, interfaces_capture(&old)).expect("write");
    std::fs::write(&new_file, interfaces_capture(&new)).expect("write");
    let rules = dir.join("rules.toml");
    std::fs::write(
        &rules,
        "# Interface attachments are told apart by their MAC address.\n[[rule]]\n\
         name = \"attachment-identity\"\npointer = \"/interfaceAttachments\"\n\
         action = \"element-identity\"\nkeys = [\"mac_addr\"]\n",
    )
    .expect("write");
    let pointers = |extra: &[&str]| {
        let mut args = vec![path(&old_file), path(&new_file), "--format", "json"];
        args.extend_from_slice(extra);
        let out = flowdiff(&args);
        assert!(out.status.code() == Some(0), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        findings
            .iter()
            .map(|f| format!("{} {}", f["kind"], f["pointer"]))
            .collect::<Vec<_>>()
    };
    // No built-in key identifies these elements: the collection's membership changed.
    assert_eq!(
        pointers(&[]),
        [r#""value_changed" "/interfaceAttachments""#]
    );
    // Identified by their MAC address, each attachment pairs with its own and changed inside.
    assert_eq!(
        pointers(&["--rules", path(&rules)]),
        [
            r#""value_changed" "/interfaceAttachments/*/port_state""#,
            r#""value_changed" "/interfaceAttachments/*/port_state""#
        ]
    );
}
