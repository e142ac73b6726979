//! Every built-in rule has a test here: a probe that shows the rule's effect with the defaults
//! and shows it gone when only that rule is taken out. A new default rule without a probe fails
//! `every_default_rule_has_a_probe`.

use flowdiff::normalize::rules::{HeaderClass, Rule};
use flowdiff::normalize::{normalize, RuleSet};
use flowdiff::parse::parse;
use flowdiff::Signature;
use serde_json::{json, Value};

/// A one-exchange hook Markdown capture: `GET path` from `openstack` to `callee` with one request
/// header, answered 200 with `body`.
fn capture(path: &str, header: (&str, &str), body: &Value) -> String {
    let body = serde_json::to_string_pretty(body).expect("json");
    let body: String = body.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        "### GET {path}\n`openstack` --> `glance-api`\n\n=== \"Header\"\n    ``` http\n    {}: {}\n    X-Requestshook-Request-Id: 1\n    ```\n\n=== \"Body\"\n    ``` json\n    none\n    ```\n\n\
         ### 200 OK {path}\n`openstack` <-- `glance-api`\n\n=== \"Header\"\n    ``` http\n    X-Requestshook-Request-Id: 1\n    ```\n\n=== \"Body\"\n    ``` json\n{body}    ```\n",
        header.0, header.1
    )
}

/// The normalized request header `name`'s value.
fn header_after(rules: &RuleSet, name: &str, value: &str) -> String {
    let trace = normalize(
        &parse(&capture("/", (name, value), &json!(null))).expect("probe parses"),
        rules,
    );
    trace.exchanges[0]
        .request
        .headers
        .get(name)
        .unwrap_or("<gone>")
        .to_string()
}

/// The normalized response body.
fn body_after(rules: &RuleSet, body: Value) -> Value {
    let trace = normalize(
        &parse(&capture("/", ("Accept", "*/*"), &body)).expect("probe parses"),
        rules,
    );
    match &trace.exchanges[0].response.body {
        flowdiff::Body::Json(value) => value.to_value(),
        other => panic!("expected a JSON body, got {other:?}"),
    }
}

/// The normalized string at `/note` of a body holding `text` there.
fn note_after(rules: &RuleSet, text: &str) -> String {
    body_after(rules, json!({ "note": text }))["note"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The normalized request path.
fn path_after(rules: &RuleSet, path: &str) -> String {
    let trace = normalize(
        &parse(&capture(path, ("Accept", "*/*"), &json!(null))).expect("probe parses"),
        rules,
    );
    trace.exchanges[0].path.clone()
}

/// The normalized query string of a request to `path_and_query`.
fn query_after(rules: &RuleSet, path_and_query: &str) -> String {
    let trace = normalize(
        &parse(&capture(path_and_query, ("Accept", "*/*"), &json!(null))).expect("probe parses"),
        rules,
    );
    trace.exchanges[0].query.clone().unwrap_or_default()
}

fn sig(caller: &str, callee: &str, method: &str, path: &str) -> Signature {
    Signature::new(caller, callee, method, path)
}

type Probe = fn(&RuleSet) -> bool;

/// Each default rule and a probe that is true when the rule does its job.
const PROBES: &[(&str, Probe)] = &[
    ("fernet-token", |r| {
        note_after(r, "gAAAAABjsoUBidK_dtSo6s04L6HQ5WB6XDcLhYyaRXYNAhH7A1bn").starts_with("{token")
    }),
    ("token-hash", |r| {
        let hashed = "{SHA256}47d331cb112e7ffd3549b9958f475e4a36ab4d7848770b6ca54f337a6ca9a37e";
        header_after(r, "X-Trace", hashed).starts_with("{token")
    }),
    ("jwt-token", |r| {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVl";
        note_after(r, &format!("token {jwt}")).starts_with("token {token")
    }),
    ("auth-scheme-credential", |r| {
        note_after(r, "sent Bearer abcdef123456 and Basic YWRtaW46c2VjcmV0")
            == "sent Bearer {credential1} and Basic {credential2}"
    }),
    ("password-in-text", |r| {
        note_after(r, "username=admin&password=s3cr3t-pw&adminPass=x1y2")
            == "username=admin&password={password}&adminPass={password}"
            && note_after(r, r#"{"password": "hunter2", "password_expires_at": null}"#)
                == r#"{"password": "{password}", "password_expires_at": null}"#
            && note_after(r, "bypass=1") == "bypass=1"
    }),
    ("secret-in-text", |r| {
        note_after(r, "client_secret=Zx81-kq&X-Auth-Key: k3y&temp_url_sig=ab12")
            == "client_secret={secret}&X-Auth-Key: {secret}&temp_url_sig={secret}"
    }),
    ("omitted-token", |r| {
        header_after(r, "X-Trace", "<omitted>") == "{omitted}"
    }),
    ("tempest-rand-name", |r| {
        note_after(r, "tempest-ServersTestJSON-server-1603838213")
            .starts_with("tempest-ServersTestJSON-server-{rand")
            && note_after(r, "tempest-2020") == "tempest-2020"
    }),
    ("url-host", |r| {
        note_after(r, "http://controller.example:5000/v3") == "http://{host}/v3"
    }),
    ("request-id", |r| {
        note_after(r, "req-2e924dc5-ce29-479b-9563-7e5c1fe82468").starts_with("{request")
    }),
    ("swift-trans-id", |r| {
        note_after(r, "tx56c31b3334a34a3288c65-0063a03423").starts_with("{trans")
    }),
    ("swift-account", |r| {
        path_after(r, "/v1/AUTH_3a16cadd069e4a70b95f71316ec6f3e8/glance")
            == "/v1/AUTH_{project_id}/glance"
    }),
    ("uuid", |r| {
        note_after(r, "e6167145-7865-4d3d-ad19-2a59fb3f1870").starts_with("{uuid")
    }),
    ("hex-id", |r| {
        note_after(r, "4349d516240540dda214bae62ae5ff48").starts_with("{hex")
    }),
    ("iso-timestamp", |r| {
        note_after(r, "2023-01-06T03:15:09.000000Z") == "{timestamp}"
            && note_after(r, "2022-12-19T09:51:29") == "{timestamp}"
    }),
    ("http-date", |r| {
        header_after(r, "Last-Modified", "Mon, 02 Jan 2023 06:29:30 GMT") == "{http_date}"
    }),
    ("object-address", |r| {
        note_after(
            r,
            "<swiftclient.utils.LengthWrapper object at 0x7f1e3d78c6a0>",
        )
        .contains("at {address}")
    }),
    ("ip-address", |r| {
        note_after(r, "connect to 127.0.0.1:60999 failed") == "connect to {host} failed"
    }),
    ("token-headers", |r| {
        header_after(r, "X-Service-Token", "opaque-token-value").starts_with("{token")
            && header_after(r, "X-Storage-Token", "AUTH_tk0123abcd").starts_with("{token")
    }),
    ("credential-headers", |r| {
        [
            ("Authorization", "Bearer opaque-value"),
            ("X-Auth-Key", "s3cr3tkey"),
            ("X-Storage-Pass", "testing"),
            ("Cookie", "session=9f8e7d"),
            ("Set-Cookie", "session=9f8e7d; Path=/; HttpOnly"),
            ("X-Account-Meta-Temp-URL-Key", "mykey"),
            ("X-Auth-Password", "pw"),
        ]
        .iter()
        .all(|(name, value)| header_after(r, name, value).starts_with("{credential"))
    }),
    ("host-headers", |r| {
        header_after(r, "Host", "controller.example") == "{host}"
    }),
    ("epoch-timestamps", |r| {
        header_after(r, "X-Backend-Timestamp", "1672640969") == "{epoch}"
    }),
    ("content-length", |r| {
        header_after(r, "Content-Length", "274") == "{length}"
    }),
    ("checksum-headers", |r| {
        header_after(r, "Etag", "0c839612eb3f2469420f2ccae990827f") == "{checksum}"
    }),
    ("hook-request-id", |r| {
        header_after(
            r,
            "X-Requestshook-Request-Id",
            "49f1590ac45343b8a89620d38380c697",
        )
        .starts_with("{hook")
    }),
    ("transport-headers", |r| {
        [
            "Date",
            "Connection",
            "Server",
            "X-Trans-Id",
            "X-Forwarded-For",
            "X-Requestshook-Request-From",
        ]
        .iter()
        .all(|h| r.header_ignored(h))
            && !r.header_ignored("Content-Type")
    }),
    ("contract-headers", |r| {
        [
            "Location",
            "content-type",
            "X-Subject-Token",
            "OpenStack-API-Version",
            "X-OpenStack-Nova-API-Version",
            "x-openstack-request-id",
        ]
        .iter()
        .all(|h| r.header_class(h) == HeaderClass::Contract)
            && r.header_class("Accept") == HeaderClass::Other
    }),
    ("capture-point-headers", |r| {
        [
            "X-Identity-Status",
            "X-Roles",
            "X-Project-Id",
            "X-User-Domain-Name",
            "X-Service-Catalog",
            "X-Backend-Storage-Policy-Index",
            "Vary",
        ]
        .iter()
        .all(|h| r.header_class(h) == HeaderClass::CapturePoint)
            && r.header_class("Accept") == HeaderClass::Other
    }),
    ("password-keys", |r| {
        let body = body_after(
            r,
            json!({"auth": {"identity": {"password": {"user": {"password": "asdf"}}}}}),
        );
        let server = body_after(r, json!({"server": {"adminPass": "L3e7F8A8YrtC"}}));
        let numbers = body_after(
            r,
            json!({"user": {"original_password": 98765, "new_password": true},
                   "totp": {"passcode": 123456}, "bypass": 7}),
        );
        body["auth"]["identity"]["password"]["user"]["password"] == "{password}"
            && server["server"]["adminPass"] == "{password}"
            && numbers["user"]["original_password"] == "{password}"
            && numbers["user"]["new_password"] == "{password}"
            && numbers["totp"]["passcode"] == "{password}"
            && numbers["bypass"] == 7
            && query_after(r, "/v1/login?user=admin&password=hunter2&bypass=1")
                == "user=admin&password={password}&bypass=1"
    }),
    ("credential-keys", |r| {
        let body = body_after(
            r,
            json!({"application_credential": {"secret": "aBcD1234", "name": "ci"},
                   "credentials": [{"client_secret": 4711, "signature": "Zm9v"}]}),
        );
        body["application_credential"]["secret"] == "{secret}"
            && body["application_credential"]["name"] == "ci"
            && body["credentials"][0]["client_secret"] == "{secret}"
            && body["credentials"][0]["signature"] == "{secret}"
            && body_after(r, json!({"secret_ref": "https://kms.example/v1/secrets/x"}))
                ["secret_ref"]
                .as_str()
                .is_some_and(|v| v.ends_with("/v1/secrets/x"))
    }),
    ("token-keys", |r| {
        body_after(r, json!({"access_token": "opaque-value-123"}))["access_token"]
            .as_str()
            .is_some_and(|v| v.starts_with("{token"))
    }),
    ("token-id", |r| {
        let pki = "MIIBxzCCAbMGCSqGSIb3DQEHAqCCAaQwggGgAgEB";
        let body = body_after(r, json!({"access": {"token": {"id": pki}}}));
        body["access"]["token"]["id"]
            .as_str()
            .is_some_and(|v| v.starts_with("{token") && !v.contains("MII"))
    }),
    ("credential-blob", |r| {
        let blob = r#"{"access": "181920", "secret": "secretKey"}"#;
        let body = body_after(
            r,
            json!({"credentials": [{"blob": blob, "type": "ec2"}],
                   "credential": {"blob": "GEZDGNBVGY3TQOJQ", "type": "totp"}}),
        );
        body["credentials"][0]["blob"] == "{secret}" && body["credential"]["blob"] == "{secret}"
    }),
    ("audit-ids", |r| {
        body_after(
            r,
            json!({"token": {"audit_ids": ["MFdgRMXZSQi7so17ctW18A"]}}),
        )["token"]["audit_ids"][0]
            .as_str()
            .is_some_and(|v| v.starts_with("{audit"))
    }),
    ("checksum-key", |r| {
        body_after(r, json!({"checksum": "0c839612eb3f2469420f2ccae990827f"}))["checksum"]
            == "{checksum}"
    }),
    ("hash-value", |r| {
        body_after(r, json!({"os_hash_value": "a1b2c3d4e5f6"}))["os_hash_value"]
            .as_str()
            .is_some_and(|v| v.starts_with("{hash"))
    }),
    ("epoch-fraction", |r| {
        header_after(r, "X-Open-Expired", "1671683363.83052") == "{epoch}"
            && note_after(r, "took 12.5 s") == "took 12.5 s"
    }),
    ("id-key", |r| {
        body_after(r, json!({"project_id": "67b814b10c624269b605ea8c571decdc"}))["project_id"]
            == "{project_id}"
    }),
    ("id-in-object", |r| {
        body_after(
            r,
            json!({"image": {"id": "e6167145-7865-4d3d-ad19-2a59fb3f1870"}}),
        )["image"]["id"]
            == "{image_id}"
    }),
    ("catalog-service-id", |r| {
        let body = json!({"token": {"catalog": [{"id": "3a16cadd069e4a70b95f71316ec6f3e8", "type": "image"}]}});
        body_after(r, body)["token"]["catalog"][0]["id"] == "{service_id}"
    }),
    ("element-identity", |r| {
        r.element_identity_keys("/token/catalog") == ["id", "name", "type", "key"]
            && r.element_identity_keys("") == ["id", "name", "type", "key"]
    }),
    ("status-pinned", |r| {
        r.value_pinned("/status") && r.value_pinned("/image/status")
    }),
    ("id-after-collection", |r| {
        path_after(r, "/v2/images/e6167145-7865-4d3d-ad19-2a59fb3f1870") == "/v2/images/{image_id}"
            && path_after(r, "/v2.0/ports/f2267b05-180b-4920-b1e5-a77d38f70c24")
                == "/v2.0/ports/{port_id}"
    }),
    ("version-discovery", |r| {
        r.cache_dependent(&sig("openstack", "glance-api", "GET", "/"), true)
            && r.cache_dependent(&sig("glance-api", "keystone", "GET", "/"), false)
            && !r.cache_dependent(&sig("openstack", "glance-api", "GET", "/v2/images"), true)
    }),
    ("service-token-issue", |r| {
        r.cache_dependent(
            &sig("glance-api", "keystone", "POST", "/v3/auth/tokens"),
            false,
        ) && !r.cache_dependent(
            &sig(
                "glance-api",
                "keystone",
                "POST",
                "/v3/auth/tokens/OS-PKI/revoked",
            ),
            false,
        )
    }),
    ("client-token-issue", |r| {
        r.cache_dependent(
            &sig("openstack", "keystone", "POST", "/v3/auth/tokens"),
            true,
        ) && !r.cache_dependent(&sig("openstack", "keystone", "GET", "/v3/projects"), true)
    }),
    ("token-validation", |r| {
        r.cache_dependent(
            &sig("glance-api", "keystone", "GET", "/v3/auth/tokens"),
            false,
        ) && !r.cache_dependent(
            &sig("openstack", "keystone", "GET", "/v3/auth/tokens"),
            true,
        )
    }),
    ("service-openstack", |r| {
        r.canonical("openstack-client") == "openstack" && r.is_client("openstack")
    }),
    ("service-keystone", |r| {
        r.canonical("keystone-api") == "keystone"
            && r.mount("keystone") == Some("/identity")
            && r.is_identity("keystone-api")
            && !r.is_identity("glance-api")
    }),
    ("service-glance", |r| {
        r.canonical("glance") == "glance-api" && r.mount("glance-api") == Some("/image")
    }),
    ("service-nova", |r| {
        r.canonical("nova") == "nova-api"
            && r.mount("nova-api") == Some("/compute")
            && r.callee("158.69.70.115:443", "/compute/v2.1/servers") == "nova-api"
            && r.callee("10.0.0.5:13774", "/v2.1/servers") == "nova-api"
            && r.callee("10.0.0.5:9999", "/v2.1/servers") == "10.0.0.5:9999"
    }),
    ("service-neutron", |r| {
        r.canonical("neutron") == "neutron-server"
            && r.mount("neutron-server") == Some("/networking")
    }),
    ("service-placement", |r| {
        r.canonical("placement") == "placement-api"
            && r.mount("placement-api") == Some("/placement")
    }),
    ("service-cinder", |r| {
        r.canonical("cinder") == "cinder-api" && r.mount("cinder-api") == Some("/volume")
    }),
    ("service-swift", |r| {
        r.canonical("swift-proxy") == "swift-proxy-server"
            && r.callee("10.0.0.5:8080", "/v1/AUTH_x") == "swift-proxy-server"
    }),
    ("service-octavia", |r| {
        r.callee("10.0.0.5:443", "/load-balancer/v2/lbaas/loadbalancers") == "octavia-api"
            && r.callee("10.0.0.5:9876", "/v2/lbaas/loadbalancers") == "octavia-api"
    }),
    ("service-tempest", |r| r.is_client("tempest")),
];

/// The built-in rules without the one named `name`.
fn without(name: &str) -> RuleSet {
    let rules: Vec<Rule> = RuleSet::builtin()
        .rules()
        .iter()
        .filter(|r| r.name != name)
        .cloned()
        .collect();
    RuleSet::from_rules(rules).expect("the rest still compiles")
}

#[test]
fn every_default_rule_has_a_probe() {
    let builtin = RuleSet::builtin();
    let names: Vec<&str> = builtin.rules().iter().map(|r| r.name.as_str()).collect();
    assert!(names.len() > 30, "the built-in rules load: {names:?}");
    for name in &names {
        assert!(
            PROBES.iter().any(|(probe, _)| probe == name),
            "default rule `{name}` has no probe in tests/it/default_rules.rs"
        );
    }
    for (probe, _) in PROBES {
        assert!(
            names.contains(probe),
            "probe for a rule that does not exist: {probe}"
        );
    }
}

#[test]
fn each_default_rule_does_its_job_and_only_it_does() {
    let builtin = RuleSet::builtin();
    let mut failures = Vec::new();
    for (name, probe) in PROBES {
        if !probe(&builtin) {
            failures.push(format!("{name}: no effect with the default rules"));
        }
        if probe(&without(name)) {
            failures.push(format!("{name}: the effect stays without the rule"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_default_rule_is_commented() {
    for rule in RuleSet::builtin().rules() {
        assert!(
            !rule.about.trim().is_empty() && !rule.about.contains('\n'),
            "rule `{}` needs a one-line comment, has {:?}",
            rule.name,
            rule.about
        );
    }
}
