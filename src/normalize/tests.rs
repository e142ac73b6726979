//! Unit tests of normalization on hand-built traces: one per default rule, naming, idempotency.

use super::*;
use crate::trace::Json as Value;
use crate::trace::{Body, Event, EventKind, Format, Headers};

/// The sources of the enabled built-in rules' matchers that `source` picks, in rule order.
pub(super) fn builtin_sources(source: impl Fn(&rules::Matcher) -> Option<&String>) -> Vec<String> {
    RuleSet::builtin()
        .rules()
        .iter()
        .filter(|rule| rule.enabled)
        .filter_map(|rule| source(&rule.matcher).cloned())
        .collect()
}

/// The built-in value patterns, in rule order, then the kept placeholder: the value scan's.
pub(super) fn builtin_value_patterns() -> Vec<String> {
    let mut patterns = builtin_sources(|matcher| match matcher {
        rules::Matcher::Value(source) => Some(source),
        _ => None,
    });
    patterns.push(super::prebuilt::kept::KEPT_PLACEHOLDER.to_string());
    patterns
}

/// Real text: every line of the fixtures and the seed captures, and lines made to hold
/// several volatile values next to and inside each other.
pub(crate) fn texts() -> Vec<String> {
    let mut texts = Vec::new();
    for path in crate::test_support::fixture_and_seed_files() {
        if let Ok(text) = std::fs::read_to_string(&path) {
            texts.extend(text.lines().map(str::to_string));
        }
    }
    texts.extend(
        [
            "tempest-Server-12345-0e2f1c3a-5b3f-4f53-9d1e-0c5b8f3e2a71 {SHA256}0123456789abcdef0123456789abcdef0123456789abcdef",
            "req-0e2f1c3a-5b3f-4f53-9d1e-0c5b8f3e2a71 tx0123456789abcdef01234-0123456789 AUTH_0123456789abcdef0123456789abcdef",
            "password=hunter2&api_key: 'abc' Bearer abcdefghij== gAAAAABk0123456789abcdefghij_-== 0x7f1e3d78c6a0",
            "Mon, 02 Jan 2023 06:29:30 GMT 2023-01-02T06:29:30.123+00:00 1671683363.83052 127.0.0.1:60999 {image_id}",
            "é0e2f1c3a-5b3f-4f53-9d1e-0c5b8f3e2a71é http://[::1]:5000/v3 <omitted>",
            // Matches that split around a rule's group `v` more than one way.
            "password=password=abc pass: 'pass=x' http://h://x Bearer Bearer abcdefgh",
            "tempest-a-1-2-3 tempest--7- tempest-x-12-y-3 os-os-hosts a_id_id",
        ]
        .map(String::from),
    );
    // Matches longer than 255 bytes.
    texts.push(format!("Bearer {0} password={0}&", "aB3-".repeat(80)));
    assert!(texts.len() > 1000, "the fixtures are there");
    // Pieces of volatile values run together in random order (seeded), so that matches of
    // different groups overlap, abut and start inside each other.
    let pieces = [
        "0e2f1c3a",
        "-5b3f",
        "-4f53",
        "9d1e-0c5b8f3e2a71",
        "0123456789abcdef",
        "req-",
        "tx",
        "AUTH_",
        "{SHA256}",
        "{image_id}",
        "{",
        "}",
        "0x7f1e3d78c6a0",
        "1671683363",
        ".83052",
        "127.0.0.1",
        ":5000",
        "tempest-",
        "Server",
        "-123",
        "gAAAAAB",
        "abcdefghijklmnop",
        "eyJhbGciOi",
        ".",
        "password=",
        "_pass: ",
        "Secret=",
        "Bearer ",
        "http://",
        "://",
        " ",
        "é",
        "2023-01-02",
        "T06:29",
        ":30Z",
        "Mon, 02 Jan 2023 06:29:30 GMT",
        "<omitted>",
        "os-",
        "hosts",
        "_id",
        "=",
        "-",
        "token",
    ];
    let mut rng = fastrand::Rng::with_seed(14);
    for _ in 0..4_000 {
        let len = rng.usize(1..12);
        texts.push(
            (0..len)
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect(),
        );
    }
    texts
}

/// Builds a one-call exchange.
pub(crate) fn call(caller: &str, callee: &str, method: &str, path: &str) -> Exchange {
    Exchange {
        status: Some(200),
        reason: Some("OK".into()),
        ..Exchange::new(caller, callee, method, path)
    }
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs.iter().copied().collect()
}

/// A trace of `exchanges` in simple request/response order.
pub(crate) fn trace(exchanges: Vec<Exchange>) -> Trace {
    let events = (0..exchanges.len())
        .flat_map(|i| {
            [EventKind::Request, EventKind::Response].map(|kind| Event {
                kind,
                line: 0,
                exchange: i,
            })
        })
        .collect();
    Trace {
        name: None,
        format: Format::HookMarkdown,
        variables: vec![],
        events,
        exchanges,
        warnings: vec![],
    }
}

/// Normalizes one request header value with the built-in rules.
fn header_value(name: &str, value: &str) -> String {
    let mut e = call("openstack", "keystone", "GET", "/");
    e.request.headers = headers(&[(name, value)]);
    let t = normalize(&trace(vec![e]), &RuleSet::builtin());
    let value = t.exchanges[0]
        .request
        .headers
        .iter()
        .next()
        .map(|(_, v)| v.to_string());
    value.unwrap_or_default()
}

/// Normalizes a JSON response body with the built-in rules.
fn body(value: Value) -> Value {
    let mut e = call("openstack", "keystone", "GET", "/");
    e.response.body = Body::Json(value);
    let t = normalize(&trace(vec![e]), &RuleSet::builtin());
    match &t.exchanges[0].response.body {
        Body::Json(v) => v.clone(),
        other => panic!("json body expected, got {other:?}"),
    }
}

fn path(p: &str) -> String {
    let t = normalize(
        &trace(vec![call("openstack", "glance", "GET", p)]),
        &RuleSet::builtin(),
    );
    t.exchanges[0].path.clone()
}

#[test]
fn builtin_rules_load_and_every_rule_has_a_comment() {
    let rules = RuleSet::load(&[]).expect("built-in rules load");
    assert!(rules.rules().len() > 20);
    for rule in rules.rules() {
        assert!(!rule.about.is_empty(), "rule {} has no comment", rule.name);
    }
}

#[test]
fn fernet_tokens_are_numbered_secrets_everywhere() {
    let token = "gAAAAABjsoUBidK_dtSo6s04L6HQ5WB6XDcLhYyaRXYNAhH7A1bnXkF18BtoVGL7BP799R3yTWMz";
    assert_eq!(header_value("X-Subject-Token", token), "{token1}");
    assert_eq!(
        header_value("x-auth-token", &format!("b'{token}'")),
        "b'{token1}'"
    );
    assert_eq!(
        body(model_json!({"note": format!("token {token}")})),
        model_json!({"note": "token {token1}"})
    );
}

#[test]
fn token_headers_never_keep_their_value() {
    assert_eq!(
        header_value("X-Auth-Token", "not-a-fernet-token"),
        "{token1}"
    );
    assert_eq!(header_value("X-SERVICE-TOKEN", "abc"), "{token1}");
}

#[test]
fn hosts_in_urls_and_headers() {
    assert_eq!(
        header_value("Location", "http://182.161.114.101:8080/v1/x"),
        "http://{host}/v1/x"
    );
    assert_eq!(header_value("Host", "127.0.0.1:60999"), "{host}");
    assert_eq!(header_value("Host", "devstack-debug"), "{host}");
    assert_eq!(header_value("X-Forwarded-For", "182.161.114.101"), "{host}");
    assert_eq!(
        body(model_json!({"ip": "10.0.0.5"})),
        model_json!({"ip": "{host}"})
    );
}

#[test]
fn request_ids_uuids_and_hex_ids() {
    assert_eq!(
        header_value(
            "X-Compute-Request-Id",
            "req-28c2ab3a-0012-4a6a-8875-ae048973164e"
        ),
        "{request1}"
    );
    assert_eq!(
        header_value("X-Trans-Id", "tx56c31b3334a34a3288c65-0063a03423"),
        "{trans1}"
    );
    assert_eq!(
        body(
            model_json!({"a": "28c2ab3a-0012-4a6a-8875-ae048973164e", "b": "4349d516240540dda214bae62ae5ff48"})
        ),
        model_json!({"a": "{uuid1}", "b": "{hex1}"})
    );
    assert_eq!(
        header_value(
            "X-Requestshook-Request-Id",
            "49f1590ac45343b8a89620d38380c697"
        ),
        "{hook1}"
    );
}

/// Two keys that become one placeholder (two timestamps) make one member, the later value at
/// the earlier place, and every value after them is still normalized (the rewriting pass sees
/// the strings the collecting pass saw).
#[test]
fn keys_that_become_one_keep_later_values_normalized() {
    assert_eq!(
        body(model_json!({
            "2022-12-19T09:51:29Z": "1299f3a7-074e-3b66-da0d-7df68f6b4c24",
            "2023-01-01T00:00:00Z": "2299f3a7-074e-3b66-da0d-7df68f6b4c24",
            "after": "3299f3a7-074e-3b66-da0d-7df68f6b4c24",
            "more": {"x": "4299f3a7-074e-3b66-da0d-7df68f6b4c24"}
        })),
        model_json!({
            "{timestamp}": "{uuid2}",
            "after": "{uuid3}",
            "more": {"x": "{uuid4}"}
        })
    );
}

#[test]
fn timestamps_dates_epochs_and_addresses() {
    assert_eq!(
        body(
            model_json!({"a": "2023-01-06T03:15:09.000000Z", "b": "2023-01-02T06:29:17Z", "c": "2022-12-19T10:11:12+00:00", "d": "2023-01-02 06:29:17"})
        ),
        model_json!({"a": "{timestamp}", "b": "{timestamp}", "c": "{timestamp}", "d": "{timestamp}"})
    );
    assert_eq!(
        header_value("Last-Modified", "Mon, 02 Jan 2023 06:29:30 GMT"),
        "{http_date}"
    );
    assert_eq!(
        header_value("X-Backend-Data-Timestamp", "1672640969.23035"),
        "{epoch}"
    );
    assert_eq!(header_value("Content-Length", "3952"), "{length}");
    let mut e = call("glance-api", "swift", "PUT", "/v1/x");
    e.request.body =
        Body::Object("<swiftclient.utils.LengthWrapper object at 0x7f1e3d78c6a0>".into());
    let t = normalize(&trace(vec![e]), &RuleSet::builtin());
    assert_eq!(
        t.exchanges[0].request.body,
        Body::Object("<swiftclient.utils.LengthWrapper object at {address}>".into())
    );
}

#[test]
fn passwords_and_audit_ids() {
    let v = body(
        model_json!({"auth": {"identity": {"password": {"user": {"password": "asdf", "name": "admin"}}}}}),
    );
    assert_eq!(
        v,
        model_json!({"auth": {"identity": {"password": {"user": {"password": "{password}", "name": "admin"}}}}})
    );
    assert_eq!(
        body(model_json!({"audit_ids": ["MFdgRMXZSQi7so17ctW18A"]})),
        model_json!({"audit_ids": ["{audit1}"]})
    );
}

#[test]
fn checksums_share_one_name_across_headers_and_bodies() {
    let md5 = "0c839612eb3f2469420f2ccae990827f";
    let mut e = call("openstack", "glance-api", "GET", "/v2/images/x");
    e.response.headers = headers(&[("Etag", md5), ("Content-MD5", md5)]);
    e.response.body = Body::Json(model_json!({"checksum": md5, "os_hash_value": "ab12"}));
    let t = normalize(&trace(vec![e]), &RuleSet::builtin());
    let x = &t.exchanges[0].response;
    assert_eq!(x.headers.get("etag"), Some("{checksum}"));
    assert_eq!(x.headers.get("content-md5"), Some("{checksum}"));
    assert_eq!(
        x.body,
        Body::Json(model_json!({"checksum": "{checksum}", "os_hash_value": "{hash1}"}))
    );
    // Only the placeholders of paths (the flow's resources) are listed as variables.
    assert!(t.variables.is_empty());
}

#[test]
fn ids_are_named_from_paths_keys_and_parents() {
    assert_eq!(
        path("/v2/images/e6167145-7865-4d3d-ad19-2a59fb3f1870/file"),
        "/v2/images/{image_id}/file"
    );
    assert_eq!(
        path("/compute/v2.1/servers/6dc2e525-a218-4814-9dc5-4cfcf2332268"),
        "/compute/v2.1/servers/{server_id}"
    );
    assert_eq!(
        path("/v3/policies/4349d516240540dda214bae62ae5ff48"),
        "/v3/policies/{policy_id}"
    );
    assert_eq!(
        path("/v1/AUTH_7c4cda7e4807414bbdfcb22b535a9802/glance"),
        "/v1/AUTH_{project_id}/glance"
    );
    assert_eq!(path("/compute/v2.1/flavors/c1"), "/compute/v2.1/flavors/c1");
    assert_eq!(
        body(
            model_json!({"image": {"id": "e6167145-7865-4d3d-ad19-2a59fb3f1870"}, "ports": [{"id": "f2267b05-180b-4920-b1e5-a77d38f70c24", "device_id": "6dc2e525-a218-4814-9dc5-4cfcf2332268"}]})
        ),
        model_json!({"image": {"id": "{image_id}"}, "ports": [{"id": "{port_id}", "device_id": "{device_id}"}]})
    );
    assert_eq!(
        body(model_json!({"region_id": "RegionOne", "id": "4349d516240540dda214bae62ae5ff48"})),
        model_json!({"region_id": "RegionOne", "id": "{hex1}"})
    );
}

#[test]
fn a_name_once_given_is_used_everywhere_and_collisions_are_numbered() {
    let id = "6dc2e525-a218-4814-9dc5-4cfcf2332268";
    let other = "f2267b05-180b-4920-b1e5-a77d38f70c24";
    let mut post = call("openstack", "nova-api", "POST", "/compute/v2.1/servers");
    post.response.body = Body::Json(
        model_json!({"server": {"id": id, "links": [format!("http://h/servers/{id}")]}}),
    );
    let get = call(
        "openstack",
        "nova-api",
        "GET",
        &format!("/compute/v2.1/servers/{id}"),
    );
    let alloc = call(
        "nova-scheduler",
        "placement",
        "GET",
        &format!("/placement/allocations/{id}"),
    );
    let second = call(
        "openstack",
        "nova-api",
        "GET",
        &format!("/compute/v2.1/servers/{other}"),
    );
    let t = normalize(&trace(vec![post, get, alloc, second]), &RuleSet::builtin());
    assert_eq!(
        t.exchanges[0].response.body,
        Body::Json(
            model_json!({"server": {"id": "{server_id}", "links": ["http://{host}/servers/{server_id}"]}})
        )
    );
    assert_eq!(t.exchanges[2].path, "/placement/allocations/{server_id}");
    assert_eq!(t.exchanges[3].path, "/compute/v2.1/servers/{server_id2}");
    assert_eq!(t.exchanges[2].callee, "placement-api");
    let names: Vec<&str> = t.variables.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["server_id", "server_id2"]);
}

#[test]
fn unnamed_values_are_numbered_by_first_appearance_and_kept_on_renormalizing() {
    let a = "28c2ab3a-0012-4a6a-8875-ae048973164e";
    let b = "38c2ab3a-0012-4a6a-8875-ae048973164e";
    let v = body(model_json!({"x": [b, a, b], "y": "{uuid1}"}));
    // `{uuid1}` already exists in the input, so numbering skips it.
    assert_eq!(
        v,
        model_json!({"x": ["{uuid2}", "{uuid3}", "{uuid2}"], "y": "{uuid1}"})
    );
}

#[test]
fn declared_variables_name_values_and_their_placeholders() {
    let id = "3195d06aa49541009838146ab9072997";
    let mut e = call(
        "glance-api",
        "keystone-api",
        "GET",
        "/identity/v3/limits/model/{limit_endpoint}",
    );
    e.response.body = Body::Json(model_json!({"x": id}));
    let mut t = trace(vec![e]);
    t.variables = vec![("limit_endpoint".into(), id.into())];
    let n = normalize(&t, &RuleSet::builtin());
    assert_eq!(
        n.exchanges[0].path,
        "/identity/v3/limits/model/{limit_endpoint}"
    );
    assert_eq!(
        n.exchanges[0].response.body,
        Body::Json(model_json!({"x": "{limit_endpoint}"}))
    );
    assert_eq!(
        n.variables,
        vec![("limit_endpoint".to_string(), "{limit_endpoint}".to_string())]
    );
    assert_eq!(n.exchanges[0].callee, "keystone");
}

#[test]
fn normalizing_twice_changes_nothing() {
    let mut e = call(
        "openstack-client",
        "glance",
        "PUT",
        "/image/v2/images/e6167145-7865-4d3d-ad19-2a59fb3f1870/file",
    );
    e.request.headers = headers(&[
        (
            "X-Auth-Token",
            "gAAAAABjsoUBidK_dtSo6s04L6HQ5WB6XDcLhYyaRXY",
        ),
        ("Host", "1.2.3.4"),
        ("Content-Length", "12"),
    ]);
    e.response.body = Body::Json(
        model_json!({"id": "e6167145-7865-4d3d-ad19-2a59fb3f1870", "checksum": "abc", "user_id": "4349d516240540dda214bae62ae5ff48", "t": "2023-01-02T06:29:17Z"}),
    );
    let once = normalize(&trace(vec![e]), &RuleSet::builtin());
    let twice = normalize(&once, &RuleSet::builtin());
    assert_eq!(once, twice);
}

#[test]
fn signatures_ignore_mount_prefixes_aliases_trailing_slashes_and_numbers() {
    let rules = RuleSet::builtin();
    let client = call(
        "openstack-client",
        "glance",
        "GET",
        "/image/v2/images/{image_id}",
    );
    let service = call("openstack", "glance-api", "GET", "/v2/images/{image_id}");
    assert_eq!(signature(&client, &rules), signature(&service, &rules));
    assert_eq!(
        signature(&client, &rules).to_string(),
        "openstack -> glance-api GET /v2/images/{image_id}"
    );
    let a = call("openstack", "keystone", "GET", "/identity/");
    let b = call("openstack-client", "keystone-api", "GET", "/identity");
    assert_eq!(signature(&a, &rules), signature(&b, &rules));
    assert_eq!(signature(&a, &rules).path, "/");
    let c = call("x", "nova-api", "GET", "/compute/v2.1/servers/{uuid3}");
    assert_eq!(signature(&c, &rules).path, "/v2.1/servers/{uuid}");
    let d = call("x", "nova-api", "GET", "/computers");
    assert_eq!(signature(&d, &rules).path, "/computers");
}

#[test]
fn catalog_entries_are_service_ids_and_a_key_name_beats_a_parent_name() {
    let service = "3a16cadd069e4a70b95f71316ec6f3e8";
    let user = "4349d516240540dda214bae62ae5ff48";
    let v = body(
        model_json!({"token": {"catalog": [{"id": service, "type": "image"}], "user": {"id": user}},
        "limit": {"service_id": service}, "x": {"user_id": user}}),
    );
    assert_eq!(
        v,
        model_json!({"token": {"catalog": [{"id": "{service_id}", "type": "image"}], "user": {"id": "{user_id}"}},
            "limit": {"service_id": "{service_id}"}, "x": {"user_id": "{user_id}"}})
    );
    let other = "5a16cadd069e4a70b95f71316ec6f3e8";
    let v = body(model_json!({"a": {"id": other}, "b": {"owner_id": other}}));
    assert_eq!(
        v,
        model_json!({"a": {"id": "{owner_id}"}, "b": {"owner_id": "{owner_id}"}})
    );
}

/// A long trace (scanned ahead on two cores) whose bodies hold secrets of every scalar type
/// among ordinary numbers and strings.
fn trace_with_scalar_secrets(copies: usize) -> Trace {
    let exchanges = (0..copies)
        .map(|i| {
            let mut e = call("openstack", "keystone", "POST", "/v3/auth/tokens");
            e.request.body = Body::Json(model_json!({
                "auth": {"password": 98765 + i, "passcode": "123456", "remember": true,
                         "count": i, "new_password": false, "name": format!("user-{i}")}
            }));
            e
        })
        .collect();
    trace(exchanges)
}

#[test]
fn secrets_of_any_scalar_type_are_redacted_and_other_scalars_kept() {
    let long = trace_with_scalar_secrets(prescan::PARALLEL_FROM + 3);
    let mut ahead = long.clone();
    normalize_with(&mut ahead, &RuleSet::builtin(), true);
    let mut sequential = long;
    normalize_with(&mut sequential, &RuleSet::builtin(), false);
    assert_eq!(ahead, sequential, "scanning ahead sees the same strings");
    let Body::Json(last) = &ahead.exchanges[prescan::PARALLEL_FROM + 2].request.body else {
        panic!("a JSON body");
    };
    assert_eq!(
        last,
        &model_json!({"auth": {"password": "{password}", "passcode": "{password}",
                               "remember": true, "count": 258, "new_password": "{password}",
                               "name": "user-258"}})
    );
    assert_eq!(normalize(&ahead, &RuleSet::builtin()), ahead, "idempotent");
}

#[test]
fn redacting_replaces_secrets_and_leaves_everything_else_as_captured() {
    let mut e = call(
        "openstack-client",
        "glance",
        "GET",
        "/image/v2/images/e6167145-7865-4d3d-ad19-2a59fb3f1870",
    );
    e.query = Some("password=hunter2&limit=5".into());
    e.request.headers = headers(&[
        (
            "X-Auth-Token",
            "gAAAAABjsoUBidK_dtSo6s04L6HQ5WB6XDcLhYyaRXY",
        ),
        ("Authorization", "Basic YWRtaW46c2VjcmV0"),
        ("Host", "10.0.0.5"),
    ]);
    e.response.body = Body::Json(model_json!({
        "id": "e6167145-7865-4d3d-ad19-2a59fb3f1870", "adminPass": 4242,
        "created_at": "2023-01-02T06:29:17Z"
    }));
    let mut shown = trace(vec![e.clone()]);
    redact_in_place(&mut shown, &RuleSet::builtin()).expect("secret rules compile");
    let mut expected = e;
    expected.query = Some("password={password}&limit=5".into());
    expected.request.headers = headers(&[
        ("X-Auth-Token", "{token1}"),
        ("Authorization", "{credential1}"),
        ("Host", "10.0.0.5"),
    ]);
    expected.response.body = Body::Json(model_json!({
        "id": "e6167145-7865-4d3d-ad19-2a59fb3f1870", "adminPass": "{password}",
        "created_at": "2023-01-02T06:29:17Z"
    }));
    assert_eq!(shown, trace(vec![expected]));
}
