//! Parsing: every format on the seed captures and the converted fixtures, pairing, parents,
//! adoption, line-ending variants and bad input.

use crate::common::{fixture_text, structure};
use flowdiff::parse::parse;
use flowdiff::trace::{Body, Completeness, Exchange, Format, Trace};

pub(crate) fn parsed(name: &str) -> Trace {
    parse(&fixture_text(name)).unwrap_or_else(|e| panic!("{name}:{}: {}", e.line, e.message))
}

fn roots(trace: &Trace) -> usize {
    trace
        .exchanges
        .iter()
        .filter(|e| e.parent.is_none())
        .count()
}

fn callers(trace: &Trace) -> Vec<&str> {
    let mut callers: Vec<&str> = trace.exchanges.iter().map(|e| e.caller.as_str()).collect();
    callers.sort_unstable();
    callers.dedup();
    callers
}

fn find(trace: &Trace, caller: &str, method: &str, path: &str) -> Vec<usize> {
    trace
        .exchanges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.caller == caller && e.method == method && e.path == path)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn seed_000_mermaid_is_structure_only() {
    let trace = parsed("server-create-part.mermaid.txt");
    assert_eq!(trace.format, Format::Mermaid);
    assert_eq!(trace.events.len(), 42);
    assert_eq!(trace.exchanges.len(), 21);
    for e in &trace.exchanges {
        assert_eq!(e.completeness, Completeness::Complete);
        assert_eq!(
            (&e.request.body, &e.response.body),
            (&Body::Unknown, &Body::Unknown)
        );
        assert!(e.request.headers.is_empty() && e.response.headers.is_empty());
        assert_eq!(e.query, None, "mermaid paths carry no query");
    }
    // `300 Multiple Choices None`: the hook's None is `/`.
    assert_eq!(trace.exchanges[2].path, "/");
    assert_eq!(
        trace.exchanges[2].reason.as_deref(),
        Some("Multiple Choices")
    );
}

#[test]
fn seed_001_server_create_parents_and_actors() {
    let mut trace = parsed("server-create.hook.md");
    assert_eq!(trace.format, Format::HookMarkdown);
    assert_eq!(trace.events.len(), 110);
    assert_eq!(trace.exchanges.len(), 55);
    assert_eq!(callers(&trace).len(), 6);
    assert!(trace.warnings.is_empty(), "{:?}", trace.warnings);
    let compute = trace
        .exchanges
        .iter()
        .filter(|e| e.caller == "nova-compute");
    assert_eq!(compute.count(), 24);
    // Issue 2's rule (parent = innermost open exchange whose callee is the caller) gives 45 roots
    // and 10 children; adoption (issue 6, with the rules saying what auth plumbing is) then
    // attaches nova-api's token validation, logged just before the neutron-server -> nova-api
    // external-events request it serves.
    assert_eq!(roots(&trace), 45, "parsing alone adopts nothing");
    flowdiff::normalize::adopt(&mut trace, &flowdiff::normalize::RuleSet::builtin());
    let inferred = trace
        .exchanges
        .iter()
        .filter(|e| e.parent.is_some() && !e.adopted)
        .count();
    assert_eq!(inferred, 10);
    let adopted: Vec<&Exchange> = trace.exchanges.iter().filter(|e| e.adopted).collect();
    assert_eq!(adopted.len(), 1);
    assert_eq!(
        adopted[0].call_line(),
        "nova-api -> keystone GET /identity/v3/auth/tokens"
    );
    let parent = &trace.exchanges[adopted[0].parent.expect("adopted has a parent")];
    assert_eq!(
        parent.call_line(),
        "neutron-server -> nova-api POST /compute/v2.1/os-server-external-events"
    );
    // The capture itself confirms it: the validated token is the one the request carries.
    assert_eq!(
        adopted[0].request.headers.get("X-Subject-Token"),
        parent.request.headers.get("X-Auth-Token")
    );
    assert!(adopted[0].request.headers.get("X-Subject-Token").is_some());
    assert_eq!(roots(&trace), 44);
    // nova-compute is an independent actor: nobody calls it, all its calls are roots.
    assert!(trace
        .exchanges
        .iter()
        .filter(|e| e.caller == "nova-compute")
        .all(|e| e.parent.is_none()));
    // glance-api's keystone calls are children of the client's image GET.
    let image_get = find(
        &trace,
        "openstack",
        "GET",
        "/v2/images/da9259d0-b57f-4230-a2cf-e5bc6cedf19e",
    )[0];
    assert_eq!(trace.children(image_get).count(), 3);
    // Steps follow request order; events reference their exchange.
    for (i, event) in trace.events.iter().enumerate() {
        let e = &trace.exchanges[event.exchange];
        let line = match event.kind {
            flowdiff::EventKind::Request => e.request.line,
            flowdiff::EventKind::Response => e.response.line,
        };
        assert_eq!(line, Some(event.line), "event {i}");
    }
}

#[test]
fn seed_002_swift_keystone_call_is_a_grandchild_of_the_download() {
    let trace = parsed("image-save.hook.md");
    assert_eq!(trace.exchanges.len(), 8);
    let swift_auth = find(
        &trace,
        "swift-proxy-server",
        "GET",
        "/identity/v3/auth/tokens",
    );
    assert_eq!(swift_auth.len(), 1);
    let glance_calls: Vec<usize> = trace
        .exchanges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.caller == "openstack" && e.callee == "glance-api")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(glance_calls.len(), 2);
    let parent = trace.exchanges[swift_auth[0]].parent.expect("parent");
    let grandparent = trace.exchanges[parent].parent.expect("grandparent");
    assert_eq!(trace.exchanges[parent].callee, "swift-proxy-server");
    assert_eq!(grandparent, glance_calls[1]);
    assert!(trace.exchanges[grandparent].path.ends_with("/file"));
    assert_eq!(trace.depths()[swift_auth[0]], 2);
    assert_eq!(trace.exchanges[grandparent].response.body.kind(), "bytes");
}

#[test]
fn seed_003_image_show() {
    let trace = parsed("image-show.hook.md");
    assert_eq!(trace.exchanges.len(), 4);
    assert_eq!(roots(&trace), 3);
    assert!(trace.exchanges.iter().all(|e| e.query.is_none()));
}

#[test]
fn seed_004_documentation_page() {
    let trace = parsed("image-create.doc.md");
    assert_eq!(trace.format, Format::DocPage);
    assert_eq!(trace.name.as_deref(), Some("openstack image create"));
    assert_eq!(trace.events.len(), 50, "`## Output` is not an event");
    assert_eq!(trace.exchanges.len(), 25);
    assert_eq!(
        trace.actors(),
        [
            "openstack-client",
            "keystone-api",
            "glance-api",
            "swift-proxy-server"
        ]
    );
    assert_eq!(trace.variables.len(), 3);
    assert_eq!(trace.variables[0].0, "image_id");
    assert!(trace
        .exchanges
        .iter()
        .all(|e| e.completeness == Completeness::Complete));
    // Paths and queries come from the full URLs of the code-block titles, not the headings'
    // placeholders.
    let image_id = &trace.variables[0].1;
    let upload = find(
        &trace,
        "openstack-client",
        "PUT",
        &format!("/image/v2/images/{image_id}/file"),
    );
    assert_eq!(upload.len(), 1);
    assert_eq!(trace.exchanges[upload[0]].query.as_deref(), Some(""));
    assert_eq!(trace.exchanges[upload[0]].request.body.kind(), "object");
    let limits = find(&trace, "glance-api", "GET", "/identity/v3/limits");
    assert!(!limits.is_empty());
    assert!(limits.iter().all(|&i| trace.exchanges[i]
        .query
        .as_deref()
        .is_some_and(|q| q.contains("resource_name="))));
    let swift = find(
        &trace,
        "glance-api",
        "HEAD",
        "/v1/AUTH_3a16cadd069e4a70b95f71316ec6f3e8/glance",
    );
    assert_eq!(swift.len(), 1);
    assert_eq!(trace.exchanges[swift[0]].parent, Some(upload[0]));
}

#[test]
fn one_capture_converted_into_each_format_gives_the_same_exchanges() {
    let hook = parsed("image-show.hook.md");
    let log = parsed("image-show.hook-log.txt");
    let doc = parsed("image-show.doc-arrow-lines.md");
    let mermaid = parsed("image-show.mermaid-fenced.md");
    assert_eq!(
        (log.format, doc.format, mermaid.format),
        (Format::HookLog, Format::DocPage, Format::Mermaid)
    );
    for other in [&log, &doc, &mermaid] {
        assert_eq!(structure(other), structure(&hook), "{:?}", other.format);
        let parents: Vec<_> = other.exchanges.iter().map(|e| e.parent).collect();
        let expected: Vec<_> = hook.exchanges.iter().map(|e| e.parent).collect();
        assert_eq!(parents, expected, "{:?}", other.format);
    }
    for other in [&log, &doc] {
        for (a, b) in other.exchanges.iter().zip(&hook.exchanges) {
            assert_eq!(a.request.headers, b.request.headers);
            assert_eq!(a.response.headers, b.response.headers);
            assert_eq!(a.request.body, b.request.body);
            assert_eq!(a.response.body, b.response.body);
            assert_eq!(a.reason, b.reason);
            // Full URLs record the query; the hook's headings do not.
            assert_eq!((a.query.as_deref(), b.query.as_deref()), (Some(""), None));
        }
    }
    assert_eq!(doc.name.as_deref(), Some("openstack image show"));
    assert_eq!(mermaid.name.as_deref(), Some("openstack image show"));
}

#[test]
fn raw_hook_log_interleaves_actors_and_keeps_queries_and_odd_bodies() {
    let trace = parsed("interleaved-actors.hook-log.txt");
    assert_eq!(trace.format, Format::HookLog);
    assert_eq!(trace.exchanges.len(), 5);
    let lines: Vec<String> = trace.exchanges.iter().map(Exchange::call_line).collect();
    assert_eq!(
        lines,
        [
            "openstack -> keystone POST /identity/v3/auth/tokens",
            "nova-compute -> neutron-server GET /networking/v2.0/ports",
            "openstack -> glance-api HEAD /image",
            "glance-api -> swift-proxy-server GET /info",
            "openstack -> nova-api DELETE /compute/v2.1/servers/6dc2e525",
        ]
    );
    let e = &trace.exchanges;
    assert_eq!(e[1].query.as_deref(), Some("device_id=6dc2e525&fields=id"));
    assert_eq!(e[0].query.as_deref(), Some(""));
    assert_eq!(e[2].query.as_deref(), Some("format=json"));
    assert_eq!(e[3].parent, Some(2));
    assert_eq!(
        e[0].response.body.kind(),
        "json",
        "a blank line inside JSON"
    );
    match &e[3].response.body {
        Body::Text(text) => assert!(text.starts_with("### swift info\n\ncapabilities")),
        other => panic!("expected a text body, got {other:?}"),
    }
    assert_eq!(e[4].completeness, Completeness::Unanswered);
    assert_eq!(e[4].status, None);
}

#[test]
fn crlf_bom_trailing_spaces_and_no_final_newline_change_nothing() {
    let lf = parsed("interleaved-actors.hook-log.txt");
    let crlf = parsed("interleaved-actors.crlf-bom-no-final-newline.hook-log.txt");
    assert_eq!(crlf.exchanges, lf.exchanges);
    assert_eq!(crlf.events, lf.events);
    for name in [
        "server-create-part.mermaid.txt",
        "image-save.hook.md",
        "image-show.hook.md",
        "image-create.doc.md",
        "image-show.doc-arrow-lines.md",
        "image-show.hook-log.txt",
    ] {
        let text = fixture_text(name);
        let plain = parsed(name);
        let variants = [
            text.replace('\n', "\r\n"),
            format!("\u{feff}{text}"),
            text.trim_end().to_string(),
            text.replace('\n', "  \n"),
        ];
        for (i, variant) in variants.iter().enumerate() {
            let other = parse(variant).unwrap_or_else(|e| panic!("{name} variant {i}: {e:?}"));
            assert_eq!(other.exchanges, plain.exchanges, "{name} variant {i}");
            assert_eq!(other.name, plain.name, "{name} variant {i}");
            assert_eq!(other.variables, plain.variables, "{name} variant {i}");
        }
    }
}

mod bad_input;
mod client_debug;
mod pairing;
mod pathological;
mod tempest;
mod variants;

/// What `flowdiff normalize` writes: a title, a variables note, a diagram, then hook Markdown
/// sections with party lines. Party lines win over the diagram.
#[test]
fn hook_markdown_with_title_variables_and_diagram() {
    let text = r#"# openstack image list

!!! note "variables"
    `image_id`: `a42bfade-78ec-4c95-b7b4-272ba265072c`  

``` mermaid
sequenceDiagram
  participant osc as openstack-client
  osc->>glance: GET /image?format=json
  glance-->>osc: 200 OK /image
```

### (1) GET /image?format=json
`openstack` --> `glance-api`

=== "Header"
    ``` http title="GET /image?format=json" linenums="1"
    Host: 10.0.0.5
    ```

=== "Body"
    ``` json title="GET /image?format=json" linenums="1"
    none
    ```

### (2) 200 OK /image
`openstack` <-- `glance-api`

=== "Header"
    ``` http title="200 OK /image" linenums="1"
    none
    ```

=== "Body"
    ``` json title="200 OK /image" linenums="1"
    {"images": []}
    ```
"#;
    let trace = parse(text).expect("valid hook markdown");
    assert_eq!(trace.format, Format::HookMarkdown);
    assert_eq!(trace.name.as_deref(), Some("openstack image list"));
    assert_eq!(
        trace.variables,
        [(
            "image_id".to_string(),
            "a42bfade-78ec-4c95-b7b4-272ba265072c".to_string()
        )]
    );
    assert_eq!(trace.exchanges.len(), 1);
    let e = &trace.exchanges[0];
    assert_eq!(
        (e.caller.as_str(), e.callee.as_str()),
        ("openstack", "glance-api")
    );
    assert_eq!(
        (e.path.as_str(), e.query.as_deref()),
        ("/image", Some("format=json"))
    );
    assert!(e.response.headers.is_empty(), "`none` means no headers");
    assert_eq!(e.response.body.kind(), "json");
}
