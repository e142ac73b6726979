//! One probe per family of secret rules: a few exchanges holding the family's secrets, all
//! families in one capture, and the same capture with every secret changed. Through the CLI, no
//! output shows a secret (`show` in each format, `normalize`, `bless`, and each report format of
//! their comparison, strict modes too), the comparison finds nothing (a redacted value compares
//! as its constant or numbered placeholder, so two different passwords are not a finding), and
//! `show --raw` shows them with a note on stderr.

use crate::common::{flowdiff, scratch_dir, stderr, stdout};
use regex::Regex;
use std::sync::OnceLock;

/// One exchange of a probe capture: method, URL, request headers and body, response status,
/// headers and body. `@1`, `@2`, … stand for the family's secrets.
struct Exchange {
    method: &'static str,
    url: &'static str,
    request_headers: &'static [&'static str],
    request_body: &'static str,
    status: &'static str,
    response_headers: &'static [&'static str],
    response_body: &'static str,
}

/// A family: its name, its exchanges, and each secret's value in the old and the new capture.
struct Family {
    name: &'static str,
    exchanges: &'static [Exchange],
    secrets: &'static [(&'static str, &'static str)],
}

const FAMILIES: &[Family] = &[
    Family {
        name: "secret header names",
        exchanges: &[Exchange {
            method: "GET",
            url: "http://10.0.0.5:8080/auth/v1.0",
            request_headers: &[
                "Authorization: Digest @1",
                "X-Auth-Key: @2",
                "X-Storage-Pass: @3",
                "Cookie: session=@4",
            ],
            request_body: "none",
            status: "200 OK",
            response_headers: &["Set-Cookie: session=@5; Path=/; HttpOnly"],
            response_body: "none",
        }],
        secrets: &[
            ("Qm9iOmh1bnRlcjJx", "QWxpY2U6c3dvcmRmaXNo"),
            ("k7Gz2WqPx9", "Lm3Rt8Vy1c"),
            ("sT0rAgEpW1", "Pz9qW3eRt5"),
            ("c0ok1e9f8e7d", "d1ff3r3nt42a"),
            ("s3tc00k1e51", "n3wc00k1e77"),
        ],
    },
    Family {
        name: "header value shapes",
        exchanges: &[Exchange {
            method: "GET",
            url: "http://10.0.0.5/image/v2/images",
            request_headers: &["X-Upstream-Authorization: Bearer @1"],
            request_body: "none",
            status: "200 OK",
            response_headers: &["X-Echo: Basic @2"],
            response_body: "none",
        }],
        secrets: &[
            ("opaqueBearerValue01", "opaqueBearerValue02"),
            ("YWRtaW46c2VjcmV0MQ==", "YWRtaW46c2VjcmV0Mg=="),
        ],
    },
    Family {
        name: "JSON keys at any depth, any scalar type",
        exchanges: &[
            Exchange {
                method: "POST",
                url: "http://10.0.0.5/identity/v3/auth/tokens",
                request_headers: &["Content-Type: application/json"],
                request_body: r#"{"auth": {"identity": {"methods": ["password", "totp"], "password": {"user": {"name": "admin", "password": @1}}, "totp": {"user": {"name": "admin", "passcode": "@2"}}}}}"#,
                status: "201 Created",
                response_headers: &["Content-Type: application/json"],
                response_body: r#"{"token": {"methods": ["password", "totp"]}}"#,
            },
            Exchange {
                method: "POST",
                url: "http://10.0.0.5/compute/v2.1/servers",
                request_headers: &["Content-Type: application/json"],
                request_body: r#"{"server": {"name": "vm", "adminPass": "@3"}}"#,
                status: "202 Accepted",
                response_headers: &["Content-Type: application/json"],
                response_body: r#"{"server": {"id": "6dc2e525-0f6e-4b4e-9d59-8a4ff1b1c0de", "adminPass": "@4"}}"#,
            },
            Exchange {
                method: "POST",
                url: "http://10.0.0.5/identity/v3/users/9d1f0e2c3b4a59687766554433221100/application_credentials",
                request_headers: &["Content-Type: application/json"],
                request_body: r#"{"application_credential": {"name": "ci", "secret": "@5"}}"#,
                status: "201 Created",
                response_headers: &["Content-Type: application/json"],
                response_body: r#"{"credentials": [{"access": "181920", "secret": "@6"}]}"#,
            },
        ],
        secrets: &[
            ("98765", "4321987"),
            ("918273", "564738"),
            ("L3e7F8A8YrtC", "Zq1W2e3R4t5Y"),
            ("Hx9Jk2Lm4Np6", "Pr8St1Uv3Wx5"),
            ("appCredSecretOld1", "appCredSecretNew2"),
            ("ec2SecretKeyOld1", "ec2SecretKeyNew2"),
        ],
    },
    Family {
        name: "secret paths: access.token.id, credential blobs",
        exchanges: &[
            Exchange {
                method: "POST",
                url: "http://10.0.0.5/identity/v2.0/tokens",
                request_headers: &["Content-Type: application/json"],
                request_body: r#"{"auth": {"tenantName": "demo", "token": {"id": "@1"}}}"#,
                status: "200 OK",
                response_headers: &["Content-Type: application/json"],
                response_body: r#"{"access": {"token": {"expires": "2023-01-02T07:55:23Z", "id": "@2"}, "user": {"name": "admin"}}}"#,
            },
            Exchange {
                method: "POST",
                url: "http://10.0.0.5/identity/v3/credentials",
                request_headers: &["Content-Type: application/json"],
                request_body: r#"{"credential": {"type": "totp", "blob": "@3"}}"#,
                status: "201 Created",
                response_headers: &["Content-Type: application/json"],
                response_body: r#"{"credential": {"type": "ec2", "blob": "{\"access\": \"181920\", \"trust\": \"@4\"}"}}"#,
            },
        ],
        secrets: &[
            ("MIIBxzCCAbMGCSqGSIb3old", "MIIBxzCCAbMGCSqGSIb3new"),
            ("PKIZ_eJy1Vk1z2zAOld", "PKIZ_eJy1Vk1z2zBmXw"),
            ("GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"),
            ("blobInnerValue1", "blobInnerValue2"),
        ],
    },
    Family {
        name: "token shapes",
        exchanges: &[Exchange {
            method: "GET",
            url: "http://10.0.0.5/image/v2/images",
            request_headers: &["X-Debug: {SHA256}@1"],
            request_body: "none",
            status: "200 OK",
            response_headers: &["Content-Type: application/json"],
            response_body: r#"{"note": "issued gAAAAA@2 and eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi@3.c2ln"}"#,
        }],
        secrets: &[
            (
                "47d331cb112e7ffd3549b9958f475e4a36ab4d7848770b6ca54f337a6ca9a37e",
                "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
            ),
            ("BjsoUBidK_dtSo6s04L6HQ5WB6X", "BjsoJr7kmCgtOnnBLFPFUIe4qQz"),
            ("JhZG1pbiIsIm9sZCI6MX0", "JhZG1pbiIsIm5ldyI6Mn0"),
        ],
    },
    Family {
        name: "key=value secrets in text bodies and query strings",
        exchanges: &[
            Exchange {
                method: "POST",
                url: "http://10.0.0.5:8080/login",
                request_headers: &["Content-Type: application/x-www-form-urlencoded"],
                request_body: "username=admin&password=@1&client_secret=@2",
                status: "200 OK",
                response_headers: &["Content-Type: text/plain"],
                response_body: "welcome admin\napi_key: @3",
            },
            Exchange {
                method: "GET",
                url: "http://10.0.0.5:8080/v1/AUTH_3a16cadd069e4a70b95f71316ec6f3e8/c/o?temp_url_sig=@4&temp_url_expires=1700000000&password=@5",
                request_headers: &[],
                request_body: "none",
                status: "200 OK",
                response_headers: &[],
                response_body: "none",
            },
        ],
        secrets: &[
            ("formPassOld1", "formPassNew2"),
            ("formSecretOld1", "formSecretNew2"),
            ("textApiKeyOld1", "textApiKeyNew2"),
            ("da39a3ee5e6b4b0d3255bfef95601890afd80709", "ab39a3ee5e6b4b0d3255bfef95601890afd80799"),
            ("queryPassOld1", "queryPassNew2"),
        ],
    },
];

/// The probe capture as a raw hook log: every family's exchanges in turn, with the old
/// (`which = 0`) or new (`1`) secrets. One capture for all families: each run of the CLI
/// checks them all (a run costs more than a family's few exchanges).
fn capture(which: usize) -> String {
    let mut text = String::new();
    let mut exchanges = 0;
    for family in FAMILIES {
        let mut part = String::new();
        for exchange in family.exchanges {
            exchanges += 1;
            let id = format!("{exchanges:032x}");
            let message = |headers: &[&str], body: &str| {
                let mut m: String = headers.iter().map(|h| format!("{h}\n")).collect();
                m.push_str(&format!("X-Requestshook-Request-Id: {id}\n\n{body}\n\n\n"));
                m
            };
            part.push_str(&format!(
                "### (openstack) REQ >>> (service) : {} {}\n",
                exchange.method, exchange.url
            ));
            part.push_str(&message(exchange.request_headers, exchange.request_body));
            part.push_str(&format!(
                "### (openstack) RESP <<< (service) : {} {} {}\n",
                exchange.status, exchange.method, exchange.url
            ));
            part.push_str(&message(exchange.response_headers, exchange.response_body));
        }
        // Replace the longest markers first (`@12` before `@1`).
        for (n, pair) in family.secrets.iter().enumerate().rev() {
            let value = if which == 0 { pair.0 } else { pair.1 };
            part = part.replace(&format!("@{}", n + 1), value);
        }
        assert!(
            !part.contains('@'),
            "{}: every marker replaced",
            family.name
        );
        text.push_str(&part);
    }
    text
}

/// Every family's secrets, old and new, looked for in one scan of an output (instead of a
/// search per secret in the tests' unoptimized code).
fn any_secret() -> &'static Regex {
    static ANY: OnceLock<Regex> = OnceLock::new();
    ANY.get_or_init(|| {
        let secrets = FAMILIES
            .iter()
            .flat_map(|family| family.secrets.iter().flat_map(|(old, new)| [old, new]));
        let any: Vec<String> = secrets.map(|secret| regex::escape(secret)).collect();
        Regex::new(&any.join("|")).expect("the secrets as one pattern")
    })
}

/// Fails, naming the family, if `output` shows any family's secret, old or new.
fn assert_clean(what: &str, output: &str) {
    if let Some(found) = any_secret().find(output) {
        let secret = found.as_str();
        let family = FAMILIES
            .iter()
            .find(|family| {
                family
                    .secrets
                    .iter()
                    .any(|(old, new)| [old, new].contains(&&secret))
            })
            .map_or("?", |family| family.name);
        panic!("{family}: {what} shows the secret {secret:?}:\n{output}");
    }
}

#[test]
fn no_family_of_secrets_reaches_any_output_nor_makes_a_finding() {
    let dir = scratch_dir("secret-families");
    let paths: Vec<String> = (0..2)
        .map(|which| {
            let path = dir.join(format!("families-{which}.hook-log.txt"));
            std::fs::write(&path, capture(which)).expect("probe written");
            path.to_str().expect("utf-8").to_string()
        })
        .collect();
    let (old, new) = (paths[0].as_str(), paths[1].as_str());
    // The raw captures hold the secrets: what follows proves something.
    let raw = flowdiff(&["show", "--raw", "--format", "json", old]);
    assert_eq!(raw.status.code(), Some(0), "{}", stderr(&raw));
    for family in FAMILIES {
        for (secret, _) in family.secrets {
            assert!(
                stdout(&raw).contains(secret),
                "{}: --raw shows {secret}",
                family.name
            );
        }
    }
    assert!(
        stderr(&raw).contains("holds the capture's secrets"),
        "{}",
        stderr(&raw)
    );
    for format in ["text", "json", "mermaid"] {
        for normalized in [false, true] {
            let mut args = vec!["show", "--format", format, new];
            if normalized {
                args.push("--normalized");
            }
            let run = flowdiff(&args);
            assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
            assert_clean(&format!("{args:?}"), &stdout(&run));
            assert_clean(&format!("{args:?} (stderr)"), &stderr(&run));
        }
    }
    let normalized = flowdiff(&["normalize", old]);
    assert_eq!(normalized.status.code(), Some(0), "{}", stderr(&normalized));
    assert_clean("normalize", &stdout(&normalized));
    let golden = dir.join("golden");
    std::fs::create_dir_all(&golden).expect("golden dir");
    let golden = golden.to_str().expect("utf-8");
    for capture in [old, new] {
        let run = flowdiff(&[
            "bless", capture, "--flow", "probe", "--golden", golden, "--yes",
        ]);
        assert_eq!(run.status.code(), Some(0), "bless: {}", stderr(&run));
        assert_clean("bless (stdout)", &stdout(&run));
        let written = std::fs::read_to_string(format!("{golden}/probe.md")).expect("blessed");
        assert_clean("the blessed golden", &written);
    }
    for format in ["text", "json", "markdown", "junit", "github"] {
        for strict in [false, true] {
            let mut args = vec![old, new, "--format", format, "--fail-on", "info"];
            if strict {
                args.extend(["--strict-plumbing", "--strict-order"]);
            }
            let run = flowdiff(&args);
            assert_clean(&format!("{args:?}"), &stdout(&run));
            assert_clean(&format!("{args:?} (stderr)"), &stderr(&run));
            assert_eq!(
                run.status.code(),
                Some(0),
                "changed secrets are no finding ({args:?}):\n{}",
                stdout(&run)
            );
        }
    }
}
