//! Tempest logs run against run, and `--debug` outputs: a log against itself or a re-run is
//! clean, a test that changed is reported in that test only, and the client's debug output of
//! one command captured twice compares clean.
//!
//! The logs are generated here in the attachment layout, two workers interleaved, as Tempest
//! writes them (`tempest.lib.common.rest_client`, DEBUG blocks with dict reprs and `b'…'`
//! bodies, the synthetic `status` and `content-location` headers).

use crate::common::{fixture_text, flowdiff, scratch_dir, stderr, stdout};
use crate::normalize::regenerate::regenerate;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One API call of a test: method, path under the cloud, status, response body.
type Call = (&'static str, String, u16, String);

/// The tests of a small run: a server test that creates, polls and deletes a server, an image
/// test, and a class setup; `ids` names the run's resources (a re-run has other ones).
fn tests(ids: &[&str; 3], polls: usize, extra_delete: bool) -> Vec<(String, Vec<Call>)> {
    let [server, image, name] = ids;
    let server_body = |status: &str| {
        format!(
            r#"{{"server": {{"id": "{server}", "name": "tempest-ServersTestJSON-server-{name}", "status": "{status}", "updated": "2020-09-07T19:30:13Z"}}}}"#
        )
    };
    let mut create = vec![(
        "POST",
        "/compute/v2.1/servers".to_string(),
        202,
        server_body("BUILD"),
    )];
    for k in 0..polls {
        let status = if k + 1 == polls { "ACTIVE" } else { "BUILD" };
        create.push((
            "GET",
            format!("/compute/v2.1/servers/{server}"),
            200,
            server_body(status),
        ));
    }
    create.push((
        "GET",
        format!("/compute/v2.1/servers/{server}/os-interface"),
        200,
        r#"{"interfaceAttachments": []}"#.to_string(),
    ));
    if extra_delete {
        create.push((
            "DELETE",
            format!("/compute/v2.1/servers/{server}"),
            204,
            String::new(),
        ));
    }
    let images = vec![
        (
            "GET",
            "/image/v2/images?limit=20".to_string(),
            200,
            format!(
                r#"{{"images": [{{"id": "{image}", "status": "active"}}], "first": "/v2/images"}}"#
            ),
        ),
        (
            "GET",
            format!("/image/v2/images/{image}"),
            200,
            format!(r#"{{"id": "{image}", "status": "active", "visibility": "public"}}"#),
        ),
    ];
    let setup = vec![(
        "GET",
        "/compute/v2.1/flavors/detail".to_string(),
        200,
        r#"{"flavors": [{"id": "1", "name": "m1.tiny"}]}"#.to_string(),
    )];
    vec![
        ("ServersTestJSON:setUpClass".to_string(), setup),
        ("ServersTestJSON:test_create_server".to_string(), create),
        ("ImagesTestJSON:test_list_images".to_string(), images),
    ]
}

/// The log of `tests` as two workers write it: the first test on one pid, the others on the
/// second, their records interleaved (INFO and DEBUG as separate writes).
fn log(tests: &[(String, Vec<Call>)], pids: [u32; 2], clock: u32) -> String {
    let mut records: Vec<(u32, String, String)> = Vec::new();
    let mut queues: Vec<Vec<(u32, String, String)>> = vec![Vec::new(), Vec::new()];
    for (t, (test, calls)) in tests.iter().enumerate() {
        let pid = pids[usize::from(t > 0)];
        for (method, path, status, body) in calls {
            let url = format!("https://10.0.0.5{path}");
            let info = format!(
                "INFO     [tempest.lib.common.rest_client] Request ({test}): {status} {method} {url} 0.120s"
            );
            let response_body = if body.is_empty() {
                "b''".to_string()
            } else {
                format!("b'{}'", body.replace('\'', "\\'"))
            };
            let debug = format!(
                "DEBUG    [tempest.lib.common.rest_client] Request - Headers: {{'Content-Type': 'application/json', 'Accept': 'application/json', 'X-Auth-Token': '<omitted>'}}\n        Body: None\n    Response - Headers: {{'date': 'Mon, 07 Sep 2020 19:30:12 GMT', 'content-type': 'application/json', 'x-openstack-request-id': 'req-502a0106-3eb9-4d42-9dd4-c43ba89187b6', 'connection': 'close', 'status': '{status}', 'content-location': '{url}'}}\n        Body: {response_body}"
            );
            queues[usize::from(t > 0)].push((pid, info, debug));
        }
    }
    // Interleave: worker A's INFO, worker B's INFO, then both DEBUG blocks.
    let second = queues.pop().unwrap_or_default();
    let first = queues.pop().unwrap_or_default();
    let (mut a, mut b) = (first.into_iter(), second.into_iter());
    loop {
        let (x, y) = (a.next(), b.next());
        if x.is_none() && y.is_none() {
            break;
        }
        let pair: Vec<_> = x.into_iter().chain(y).collect();
        for (pid, info, _) in &pair {
            records.push((*pid, info.clone(), String::new()));
        }
        for (pid, _, debug) in pair {
            records.push((pid, String::new(), debug));
        }
    }
    let mut out = String::new();
    for (n, (pid, info, debug)) in records.into_iter().enumerate() {
        let millis = clock + n as u32 * 7;
        let stamp = format!(
            "2020-09-07 19:{:02}:{:02},{:03}",
            millis / 60_000 % 60,
            millis / 1000 % 60,
            millis % 1000
        );
        let line = if info.is_empty() { debug } else { info };
        let _ = writeln!(out, "{stamp} {pid} {line}");
    }
    out
}

const IDS: [&str; 3] = [
    "0d59f238-daef-40d4-adf9-a4fa24c35231",
    "6db08272-a856-49da-8909-7c4c73ab0bac",
    "1603838213",
];
const RERUN_IDS: [&str; 3] = [
    "bad005cf-17e1-48ad-b9f7-e9f9352beb13",
    "a42bfade-78ec-4c95-b7b4-272ba265072c",
    "738112947",
];

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write log");
    path
}

/// The first run's log and a later run's in `dir`: the re-run has other workers, ids, names
/// and timestamps, and with `changed` the server test polls twice more and deletes its server.
pub(crate) fn before_and_after(dir: &Path, changed: bool) -> (PathBuf, PathBuf) {
    let before = write(
        dir,
        "before.log",
        &log(&tests(&IDS, 3, false), [4101, 4102], 0),
    );
    let polls = if changed { 5 } else { 3 };
    let after = write(
        dir,
        "after.log",
        &log(&tests(&RERUN_IDS, polls, changed), [977, 978], 3_600_000),
    );
    (before, after)
}

/// `flowdiff OLD NEW --format json` as a run document (exit status must be `code`).
fn run(old: &Path, new: &Path, code: i32) -> Value {
    let out = flowdiff(&[
        old.to_str().expect("utf-8"),
        new.to_str().expect("utf-8"),
        "--format",
        "json",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_str(&stdout(&out)).expect("run document")
}

/// `(flow, kind, severity)` of every finding of a run.
fn findings(run: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for report in run["reports"].as_array().expect("reports") {
        for f in report["findings"].as_array().expect("findings") {
            out.push((
                report["new"]["flow"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["kind"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

#[test]
fn a_log_against_itself_and_against_a_re_run_is_clean() {
    let (before, again) = before_and_after(&scratch_dir("tempest-rerun"), false);
    let itself = run(&before, &before, 0);
    assert_eq!(itself["summary"]["compared"], 3);
    assert!(findings(&itself).is_empty(), "{itself:#}");
    // The re-run: other workers, other ids, another random name, later timestamps.
    let rerun = run(&before, &again, 0);
    assert_eq!(rerun["summary"]["compared"], 3);
    assert_eq!(rerun["summary"]["changed"], 0, "{rerun:#}");
    assert!(findings(&rerun).is_empty(), "{rerun:#}");
}

#[test]
fn a_test_with_a_new_delete_and_two_more_polls_is_reported_in_that_test_only() {
    let (before, after) = before_and_after(&scratch_dir("tempest-change"), true);
    let changed = run(&before, &after, 1);
    assert_eq!(changed["summary"]["changed"], 1, "{changed:#}");
    let test = "ServersTestJSON:test_create_server".to_string();
    let mut found = findings(&changed);
    found.sort();
    assert_eq!(
        found,
        [
            (test.clone(), "extra_call".into(), "warning".into()),
            (test, "repeat_count_changed".into(), "info".into()),
        ],
        "{changed:#}"
    );
}

#[test]
fn tests_on_one_side_only_are_not_comparable() {
    let dir = scratch_dir("tempest-only");
    let all = tests(&IDS, 3, false);
    let before = write(&dir, "before.log", &log(&all, [4101, 4102], 0));
    let after = write(&dir, "after.log", &log(&all[..2], [4101, 4102], 0));
    let text = flowdiff(&[
        before.to_str().expect("utf-8"),
        after.to_str().expect("utf-8"),
    ]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    insta::assert_snapshot!(
        "tempest_only_in_old",
        stdout(&text).replace(dir.to_str().expect("utf-8"), "DIR")
    );
}

#[test]
fn show_lists_the_flows_of_a_log_and_shows_one() {
    let dir = scratch_dir("tempest-show");
    let path = write(
        &dir,
        "run.log",
        &log(&tests(&IDS, 3, false), [4101, 4102], 0),
    );
    let path = path.to_str().expect("utf-8");
    let list = flowdiff(&["show", path]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    insta::assert_snapshot!("tempest_show_list", stdout(&list));
    let one = flowdiff(&[
        "show",
        path,
        "--flow",
        "ServersTestJSON:test_create_server",
        "--normalized",
    ]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    insta::assert_snapshot!("tempest_show_one_normalized", stdout(&one));
    let missing = flowdiff(&["show", path, "--flow", "NoSuchTest:test_x"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no flow named"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_client_debug_output_captured_twice_compares_clean() {
    let dir = scratch_dir("client-debug");
    // The cloud by name, so that regenerating volatile values keeps it the same cloud.
    let text =
        fixture_text("client-debug.server-create.txt").replace("172.31.10.216", "cloud.example");
    let first = write(&dir, "first.txt", &text);
    // Another capture of the same command: fresh ids, tokens (and their hashes), request ids,
    // dates and the generated admin password.
    let mut again = regenerate(&text);
    for (i, hash) in regex::Regex::new(r"\{SHA256\}[0-9a-f]{64}")
        .expect("regex")
        .find_iter(&text)
        .map(|m| m.as_str().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .enumerate()
    {
        again = again.replace(&hash, &format!("{{SHA256}}{:064x}", i + 7));
    }
    assert_ne!(again, text);
    let second = write(&dir, "second.txt", &again);
    let out = flowdiff(&[
        first.to_str().expect("utf-8"),
        second.to_str().expect("utf-8"),
        "--format",
        "json",
        "--fail-on",
        "info",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).expect("report");
    assert_eq!(report["findings"], Value::Array(Vec::new()));
    assert_eq!(report["new"]["exchanges"], 7);
}

#[test]
fn bless_one_test_check_the_log_against_it_and_write_notes_across_all_tests() {
    let dir = scratch_dir("tempest-gate");
    let (before, after) = before_and_after(&dir, true);
    let (before, after) = (
        before.to_str().expect("utf-8"),
        after.to_str().expect("utf-8"),
    );
    let golden = dir.join("golden");
    let golden = golden.to_str().expect("utf-8");
    let test = "ServersTestJSON:test_create_server";
    // bless needs --flow for a capture of many flows, and writes that one.
    let refused = flowdiff(&["bless", before, "--golden", golden, "--yes"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--flow"), "{}", stderr(&refused));
    let blessed = flowdiff(&["bless", before, "--flow", test, "--golden", golden, "--yes"]);
    assert_eq!(blessed.status.code(), Some(0), "{}", stderr(&blessed));
    let files: Vec<_> = std::fs::read_dir(golden).expect("golden").collect();
    assert_eq!(files.len(), 1);
    // check: the one test with a golden is checked, the other two are not (a note says so).
    let check = flowdiff(&["check", after, "--golden", golden, "--fail-on", "warning"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert!(stdout(&check).contains("extra_call"), "{}", stdout(&check));
    assert!(stderr(&check).contains("2 flow(s)"), "{}", stderr(&check));
    // notes across all tests: the changed test only.
    let notes = flowdiff(&["notes", before, after, "--format", "json"]);
    assert_eq!(notes.status.code(), Some(0), "{}", stderr(&notes));
    let notes: Value = serde_json::from_str(&stdout(&notes)).expect("notes json");
    let changed: Vec<&str> = notes["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .filter(|f| f["status"] == "changed")
        .filter_map(|f| f["flow"].as_str())
        .collect();
    assert_eq!(changed, [test]);
}

#[test]
fn the_closing_line_counts_every_flow_compared_and_explain_names_each_flow() {
    let (before, after) = before_and_after(&scratch_dir("tempest-closing"), true);
    let (old, new) = (
        before.to_str().expect("utf-8"),
        after.to_str().expect("utf-8"),
    );
    for format in ["text", "markdown"] {
        let out = flowdiff(&[old, new, "--fail-on", "warning", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = stdout(&out);
        // One report printed (the flow that changed), three flows counted.
        assert!(text.contains("1 changed"), "{text}");
        assert!(
            text.trim_end().ends_with("3 flows: 2 pass, 1 fail"),
            "{format}: {text}"
        );
    }
    // --explain: the step in every flow that has it, each named by its flow.
    let out = flowdiff(&[old, new, "--explain", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "ServersTestJSON:test_create_server in {new} (against {old}):"
        )),
        "{text}"
    );
    assert_eq!(text.matches(" (against ").count(), 3, "{text}");
    assert_eq!(
        text.matches("\nstep 1: ").count() + usize::from(text.starts_with("step 1: ")),
        3,
        "{text}"
    );
    let out = flowdiff(&[old, new, "--explain", "1", "--format", "json"]);
    let value: Value = serde_json::from_str(&stdout(&out)).expect("explanations");
    let flows: Vec<&str> = value
        .as_array()
        .expect("an object per flow")
        .iter()
        .filter_map(|e| e["flow"].as_str())
        .collect();
    assert_eq!(flows.len(), 3, "{value:#}");
    assert!(
        flows.contains(&"ServersTestJSON:test_create_server"),
        "{value:#}"
    );
    let out = flowdiff(&[old, new, "--explain", "9999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--explain 9999: no such step"),
        "{}",
        stderr(&out)
    );
}
