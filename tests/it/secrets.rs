//! No secret from any capture reaches any output: `show` (as captured and normalized, each
//! format), `normalize`, `bless`, and every report format of a comparison full of findings, in
//! strict modes too. The secrets are collected from every fixture by their shapes, one per
//! family of secret rules (token shapes, secret-like members of any type, credential headers,
//! token ids, credential blobs, `key=value` secrets), so a new fixture is covered the day it is
//! added; `families` probes each family on a capture made for it.

mod families;

use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout};
use regex::Regex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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

/// The shapes of secrets in captures, one per family of secret rules (a `v` group is the
/// secret itself), and what each family is.
const SHAPES: &[(&str, &str)] = &[
    ("Fernet token", r"gAAAAA[A-Za-z0-9_-]{20,}"),
    ("hashed token", r"\{SHA(?:1|256)\}[0-9a-f]{40,64}"),
    (
        "JSON Web Token",
        r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
    ),
    (
        "password-like member of any type",
        r#"(?i)["'](?:[a-z_]*password|[a-z_]*pass|passcode|[a-z_]*secret)["']\s*:\s*["']?(?P<v>[^"'{}<>,\s]{3,})"#,
    ),
    (
        "credential header",
        r#"(?i)(?:authorization|cookie|x-auth-key|x-storage-pass|x-storage-token)["']?\s*:\s*["']?(?:(?:Bearer|Basic|Digest)\s+)?(?P<v>[A-Za-z0-9._~+/=-]{6,})"#,
    ),
    (
        "token id under a token",
        r#""token"\s*:\s*\{[^{}]*?"id"\s*:\s*"(?P<v>[^"]{8,})""#,
    ),
    (
        "credential blob",
        r#""blob"\s*:\s*"(?P<v>(?:[^"\\]|\\.){4,})""#,
    ),
    (
        "key=value secret in text or query",
        r#"(?i)(?:password|passcode|secret|_sig|signature)=(?P<v>[^&\s"']{3,})"#,
    ),
];

/// The secrets a capture holds in the clear, by shape (the index in [`SHAPES`]).
fn secrets(text: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, (_, shape)) in SHAPES.iter().enumerate() {
        let re = Regex::new(shape).expect("shape");
        for caps in re.captures_iter(text) {
            let found = caps
                .name("v")
                .unwrap_or_else(|| caps.get(0).expect("match"));
            // JSON literals are no secret (`"password": null`).
            if !["null", "true", "false"].contains(&found.as_str()) {
                out.insert((i, found.as_str().to_string()));
            }
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

/// `show --format json` of a capture (as captured, secrets redacted) and its flow names.
fn show_json(capture: &str) -> (String, Vec<String>) {
    let out = flowdiff(&["show", "--format", "json", capture]);
    let text = stdout(&out);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("capture json");
    let names = doc["flows"]
        .as_array()
        .map(|flows| {
            flows
                .iter()
                .map(|f| f["flow"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    (text, names)
}

#[test]
fn no_secret_of_any_fixture_reaches_show_normalize_bless_or_a_report() {
    let captures = captures();
    assert!(captures.len() >= 5, "{captures:?}");
    let mut found = BTreeSet::new();
    for capture in &captures {
        found.extend(secrets(
            &std::fs::read_to_string(capture).expect("readable"),
        ));
    }
    for (i, (family, _)) in SHAPES.iter().enumerate() {
        assert!(
            found.iter().any(|(shape, _)| *shape == i),
            "no fixture holds a {family}: {found:?}"
        );
    }
    let all: BTreeSet<String> = found.into_iter().map(|(_, secret)| secret).collect();
    let dir = scratch_dir("secrets");
    // Two workers: the runs are many and mostly process start-up.
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (captures, all, dir) = (&captures, &all, &dir);
            scope.spawn(move || {
                for i in (worker..captures.len()).step_by(2) {
                    sweep(i, captures, all, dir);
                }
            });
        }
    });
}

/// Every output of capture `i` of `captures`, checked against `all` the fixtures' secrets.
fn sweep(i: usize, captures: &[PathBuf], all: &BTreeSet<String>, dir: &Path) {
    let path = captures[i].to_str().expect("utf-8 path");
    let (shown, names) = show_json(path);
    assert_clean(&format!("show --format json {path}"), &shown, all);
    let flow = names.first().cloned().unwrap_or_default();
    // show as captured (secrets redacted) in the other formats, and normalized.
    for args in [
        vec!["show", path, "--flow", &flow],
        vec!["show", path, "--format", "mermaid", "--flow", &flow],
        vec!["show", path, "--format", "json", "--normalized"],
    ] {
        let run = flowdiff(&args);
        assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
        assert_clean(&format!("{args:?}"), &stdout(&run), all);
        assert_clean(&format!("{args:?} (stderr)"), &stderr(&run), all);
    }
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
    assert_clean(&format!("normalize {path}"), &written, all);
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
    assert_clean(&format!("bless {path}"), &blessed, all);
    assert_clean(&format!("bless {path} (stdout)"), &stdout(&run), all);
    // Every report format of a comparison with another capture (many findings, values shown
    // old and new), in strict modes (plumbing and interleaving compared like any call: the
    // most findings); text and JSON in the default modes too.
    let other = captures[(i + 1) % captures.len()].to_str().expect("utf-8");
    let strict = ["--strict-plumbing", "--strict-order"];
    let runs = ["text", "json", "markdown", "junit", "github"]
        .iter()
        .map(|format| (*format, true))
        .chain([("text", false), ("json", false)]);
    for (format, strict_mode) in runs {
        let mut args = vec![path, other, "--format", format, "--fail-on", "never"];
        if strict_mode {
            args.extend(strict);
        }
        let run = flowdiff(&args);
        assert_clean(&format!("{args:?}"), &stdout(&run), all);
        assert_clean(&format!("{args:?} (stderr)"), &stderr(&run), all);
    }
}
