//! No secret from any capture reaches any output: `normalize`, `bless`, and every report format
//! of a comparison full of findings. The secrets are collected from every fixture by their
//! shapes (Fernet tokens, hashed tokens, password-like JSON members and Python dict entries), so
//! a new fixture is covered the day it is added.

use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout};
use regex::Regex;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Every fixture that is a capture, in name order.
fn captures() -> Vec<PathBuf> {
    let dir = fixture("");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|text| flowdiff::parse::is_capture(&text)))
        .collect()
}

/// The secrets a capture holds in the clear.
fn secrets(text: &str) -> BTreeSet<String> {
    let shapes = [
        // Fernet tokens and keystoneauth's hashes of tokens.
        r"gAAAAA[A-Za-z0-9_-]{20,}",
        r"\{SHA(?:1|256)\}[0-9a-f]{40,64}",
        // Password-like members: `"password": "asdf"`, `'adminPass': 'x'`.
        r#"(?i)["'](?:password|adminpass|admin_pass|secret|new_password|original_password)["']\s*:\s*["'](?P<v>[^"'{}<>]{3,})["']"#,
    ];
    let mut out = BTreeSet::new();
    for shape in shapes {
        let re = Regex::new(shape).expect("shape");
        for caps in re.captures_iter(text) {
            let found = caps
                .name("v")
                .unwrap_or_else(|| caps.get(0).expect("match"));
            out.insert(found.as_str().to_string());
        }
    }
    out
}

fn assert_clean(what: &str, output: &str, secrets: &BTreeSet<String>) {
    for secret in secrets {
        assert!(
            !output.contains(secret.as_str()),
            "{what} shows the secret {secret:?}"
        );
    }
}

/// The flow names of a capture (to name one of a capture of many flows).
fn flow_names(capture: &str) -> Vec<String> {
    let out = flowdiff(&["show", "--format", "json", capture]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("capture json");
    doc["flows"]
        .as_array()
        .map(|flows| {
            flows
                .iter()
                .map(|f| f["flow"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn no_secret_of_any_fixture_reaches_normalize_bless_or_a_report() {
    let captures = captures();
    assert!(captures.len() >= 5, "{captures:?}");
    let mut all = BTreeSet::new();
    for capture in &captures {
        all.extend(secrets(
            &std::fs::read_to_string(capture).expect("readable"),
        ));
    }
    assert!(
        all.iter().any(|s| s.starts_with("gAAAAA")) && all.iter().any(|s| s.len() < 20),
        "tokens and passwords were found in the fixtures: {all:?}"
    );
    let dir = scratch_dir("secrets");
    for (i, capture) in captures.iter().enumerate() {
        let path = capture.to_str().expect("utf-8 path");
        let names = flow_names(path);
        let flow = names.first().cloned().unwrap_or_default();
        // normalize: the capture's (first) flow.
        let out = dir.join(format!("normalized-{i}.md"));
        let run = flowdiff(&[
            "normalize",
            path,
            "--flow",
            &flow,
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        assert_eq!(run.status.code(), Some(0), "{path}: {}", stderr(&run));
        let written = std::fs::read_to_string(&out).expect("written");
        assert_clean(&format!("normalize {path}"), &written, &all);
        // bless into a scratch golden directory.
        let golden = dir.join(format!("golden-{i}"));
        std::fs::create_dir_all(&golden).expect("golden dir");
        let run = flowdiff(&[
            "bless",
            path,
            "--flow",
            "secret-probe",
            "--golden",
            golden.to_str().expect("utf-8"),
            "--yes",
        ]);
        let blessed: String = std::fs::read_dir(&golden)
            .expect("golden dir")
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        assert_clean(&format!("bless {path}"), &blessed, &all);
        assert_clean(&format!("bless {path} (stdout)"), &stdout(&run), &all);
        // Every report format of a comparison with another capture (many findings, values
        // shown old and new).
        let other = captures[(i + 1) % captures.len()].to_str().expect("utf-8");
        for format in ["text", "json", "markdown", "junit", "github"] {
            let run = flowdiff(&[path, other, "--format", format, "--fail-on", "never"]);
            assert_clean(
                &format!("{path} vs {other} ({format})"),
                &stdout(&run),
                &all,
            );
            assert_clean(
                &format!("{path} vs {other} ({format}, stderr)"),
                &stderr(&run),
                &all,
            );
        }
    }
}
