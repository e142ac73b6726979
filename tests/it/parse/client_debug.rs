//! A client's `--debug` output (format 6): the `openstack server create --debug` excerpt of
//! `formats.md` with its cuts filled in.

use crate::common::{fixture_text, warnings};
use flowdiff::parse::{parse, parse_flows};
use flowdiff::trace::{Body, Completeness, Format, Trace};
use flowdiff::trace_output::hook_markdown::{hook_markdown, round_trip};
use serde_json::json;

fn server_create() -> Trace {
    parse(&fixture_text("client-debug.server-create.txt"))
        .unwrap_or_else(|e| panic!("{}: {}", e.line, e.message))
}

#[test]
fn the_server_create_excerpt_is_one_flow_with_the_token_request_synthesised() {
    let trace = server_create();
    assert_eq!(trace.format, Format::ClientDebug);
    assert!(trace.warnings.is_empty(), "{:?}", trace.warnings);
    let calls: Vec<_> = trace
        .exchanges
        .iter()
        .map(|e| {
            (
                e.caller.as_str(),
                e.callee.as_str(),
                e.method.as_str(),
                e.path.as_str(),
                e.query.as_deref().unwrap_or("?"),
                e.status,
            )
        })
        .collect();
    let host = "172.31.10.216:80";
    assert_eq!(
        calls,
        [
            ("openstack", host, "GET", "/identity", "", Some(300)),
            (
                "openstack",
                host,
                "POST",
                "/identity/v3/auth/tokens",
                "",
                Some(201)
            ),
            (
                "openstack",
                host,
                "GET",
                "/image/v2/images/cirros-0.5.2-x86_64-disk",
                "",
                Some(404)
            ),
            (
                "openstack",
                host,
                "GET",
                "/image/v2/images",
                "name=cirros-0.5.2-x86_64-disk",
                Some(200)
            ),
            (
                "openstack",
                host,
                "GET",
                "/compute/v2.1/flavors/1",
                "",
                Some(200)
            ),
            (
                "openstack",
                "172.31.10.216:9696",
                "GET",
                "/v2.0/networks",
                "name=private",
                Some(200)
            ),
            (
                "openstack",
                host,
                "POST",
                "/compute/v2.1/servers",
                "",
                Some(202)
            ),
        ]
    );
    assert!(trace
        .exchanges
        .iter()
        .all(|e| e.parent.is_none() && e.completeness == Completeness::Complete));
    assert_eq!(trace.events.len(), 14);
}

#[test]
fn the_token_request_has_its_status_and_body_from_the_bare_json() {
    let trace = server_create();
    let token = &trace.exchanges[1];
    assert_eq!(token.request.body, Body::Unknown);
    assert!(token.request.headers.is_empty());
    let Body::Json(body) = &token.response.body else {
        panic!("a JSON token body, found {:?}", token.response.body)
    };
    assert_eq!(body.to_value()["token"]["methods"], json!(["password"]));
    assert_eq!(
        (token.request.line, token.response.line),
        (Some(7), Some(9))
    );
}

#[test]
fn requests_and_responses_carry_their_headers_and_bodies() {
    let trace = server_create();
    let versions = &trace.exchanges[0];
    assert_eq!(
        versions.request.headers.get("Accept"),
        Some("application/json")
    );
    assert_eq!(versions.request.body, Body::None);
    assert_eq!(
        versions.response.headers.get("Date"),
        Some("Tue, 16 Nov 2021 22:51:55 GMT")
    );
    assert_eq!(
        versions.response.headers.get("Location"),
        Some("http://172.31.10.216/identity/v3/")
    );
    assert_eq!(versions.response.headers.len(), 8);
    let missing = &trace.exchanges[2];
    assert_eq!(
        missing.request.headers.get("X-Auth-Token"),
        Some("{SHA256}47d331cb112e7ffd3549b9958f475e4a36ab4d7848770b6ca54f337a6ca9a37e")
    );
    assert_eq!(missing.response.body, Body::Unknown, "omitted: not logged");
    let create = trace.exchanges.last().expect("the create");
    let Body::Json(request) = &create.request.body else {
        panic!("{:?}", create.request.body)
    };
    assert_eq!(request.to_value()["server"]["name"], "test-2");
    assert_eq!(
        create.response.headers.get("X-OpenStack-Nova-API-Version"),
        Some("2.1")
    );
    assert_eq!(
        create.response.headers.get("Vary"),
        Some("OpenStack-API-Version,X-OpenStack-Nova-API-Version")
    );
    let Body::Json(response) = &create.response.body else {
        panic!("{:?}", create.response.body)
    };
    assert_eq!(
        response.to_value()["server"]["adminPass"],
        "L3e7F8A8YrtC",
        "the table after it is not part of it"
    );
}

#[test]
fn lines_behind_an_oslo_prefix_with_colour_and_an_unanswered_request() {
    let text = "\x1b[00;32m2021-11-16 22:51:55.001 123 DEBUG keystoneauth.session [-] REQ: curl -g -i -X GET https://h/identity -H \"Accept: application/json\"\x1b[00m\n\
2021-11-16 22:51:55.002 123 DEBUG keystoneauth.session [-] RESP: [200] Content-Type: application/json\n\
2021-11-16 22:51:55.003 123 DEBUG keystoneauth.session [-] RESP BODY: {\"a\": 1}\n\
2021-11-16 22:51:55.004 123 DEBUG keystoneauth.session [-] REQ: curl -g -i -X DELETE https://h:8774/x\n";
    let flows = parse_flows(text).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    assert_eq!(flows.len(), 1);
    let trace = &flows[0];
    assert_eq!(trace.exchanges[0].callee, "h:443");
    assert_eq!(
        trace.exchanges[0].response.headers.get("content-type"),
        Some("application/json")
    );
    assert_eq!(trace.exchanges[0].response.body.kind(), "json");
    assert_eq!(trace.exchanges[1].completeness, Completeness::Unanswered);
    assert_eq!(trace.warnings.len(), 1);
    assert_eq!(trace.warnings[0].line, 4);
    // The warning every format gives for an unanswered request.
    assert_eq!(
        trace.warnings[0].message,
        "request without a response: `openstack -> h:8774 DELETE /x` was never answered"
    );
}

#[test]
fn a_debug_output_without_a_readable_request_is_an_error_naming_the_line() {
    let error = parse_flows("output\nREQ: curl -g -i -X GET\n").expect_err("no request");
    assert_eq!(error.line, 2);
    assert!(
        error.message.contains("expected `REQ: curl"),
        "{}",
        error.message
    );
}

#[test]
fn every_cut_of_the_debug_fixture_reads_without_panic() {
    super::tempest::every_cut_reads_without_panic("client-debug.server-create.txt");
}

/// Found by the `normalize_round_trip` fuzz target: a `-H` argument whose name has spaces (a
/// table pasted into the output) was kept as a header, and the golden written from it did not
/// read back.
#[test]
fn a_curl_header_that_is_not_name_colon_value_is_left_out_with_a_warning() {
    let text = "REQ: curl -g -i -X GET http://h:9696/v2.0/networks -H \"User   | Value  |\" -H \"Accept: application/json\"\n\
RESP: [200] Content-Type: application/json\n";
    let trace = parse(text).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    let headers: Vec<(&str, &str)> = trace.exchanges[0].request.headers.iter().collect();
    assert_eq!(headers, [("Accept", "application/json")]);
    assert_eq!(trace.warnings.len(), 1, "{:?}", trace.warnings);
    assert_eq!(trace.warnings[0].line, 1);
    assert!(
        trace.warnings[0]
            .message
            .starts_with("expected a `Name: value` header line, found `User   | Value  |`"),
        "{}",
        trace.warnings[0].message
    );
    let rules = flowdiff::normalize::RuleSet::builtin();
    let written = hook_markdown(&flowdiff::normalize::normalize(&trace, &rules));
    round_trip(&written).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
}

/// A curl `-d` body that starts like JSON but does not parse is kept as text, and the warning
/// reaches the trace (with the `REQ:` line) like the body warnings of every other format; it
/// was dropped.
#[test]
fn a_broken_curl_body_warns_with_its_line() {
    let fixture = fixture_text("client-debug.server-create.txt");
    let good = r#"-d '{"server": {"name": "test-2", "#;
    let (at, _) = fixture
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(good))
        .expect("the server create request has a -d body");
    // The body's closing braces cut off: JSON that does not parse.
    let broken = fixture.replacen(r#"}]}}'"#, r#"}]'"#, 1);
    assert_ne!(broken, fixture, "the body's end is in the fixture");
    let trace = parse(&broken).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    let create = trace.exchanges.last().expect("the create");
    assert_eq!(create.request.body.kind(), "text");
    let warnings = warnings(&trace);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].0, at + 1);
    assert!(
        warnings[0]
            .1
            .starts_with("body looks like JSON but does not parse ("),
        "{}",
        warnings[0].1
    );

    // `show` prints it with the file and line, as it does every parse warning.
    let dir = crate::common::scratch_dir("broken-curl-body");
    let path = dir.join("server-create.debug.txt");
    std::fs::write(&path, &broken).expect("write the capture");
    let path = path.to_str().expect("UTF-8 path");
    let output = crate::common::flowdiff(&["show", path]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&output)
    );
    let expected = format!(
        "flowdiff: warning: {path}:{}: body looks like JSON but does not parse (",
        at + 1
    );
    assert!(
        crate::common::stderr(&output).contains(&expected),
        "{}",
        crate::common::stderr(&output)
    );
}

/// Found by the `normalize_round_trip` fuzz target: a URL with white space in it (text after
/// the URL of `Making authentication request to`, a quoted curl URL with a space) gave a path
/// with a space, and the golden written from it did not read back. Such a URL is not read as
/// one: the call is left out with a warning naming the line.
#[test]
fn a_url_with_white_space_is_left_out_with_a_warning() {
    let text = "REQ: curl -g -i -X GET \"http://h/v2/a b\" -H \"Accept: application/json\"\n\
Making authentication request to http://h/identity/v3/auth/tokens -\n\
REQ: curl -g -i -X GET http://h/v2/ok\n\
RESP: [200] Content-Type: application/json\n";
    let trace = parse(text).unwrap_or_else(|e| panic!("{}: {}", e.line, e.message));
    let paths: Vec<&str> = trace.exchanges.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["/v2/ok"]);
    let warnings = warnings(&trace);
    assert_eq!(
        warnings,
        [
            (
                1,
                "expected an absolute URL with a host and no white space, found `http://h/v2/a b`"
            ),
            (
                2,
                "expected an absolute URL without white space after `Making authentication request to`, found `http://h/identity/v3/auth/tokens -`"
            ),
        ]
    );
    // The fuzzer's minimized input: no request can be read at all.
    let error = parse("REQ: curl -\nMaking authentication request to p://6/ -\n")
        .expect_err("no readable request");
    assert_eq!(error.line, 1);
}
