//! Pairing without request ids, incomplete exchanges, parent inference and adoption (which the
//! rules drive: only auth plumbing is adopted).

use crate::common::{fixture_text, warnings};
use flowdiff::normalize::{adopt, RuleSet};
use flowdiff::parse::parse;
use flowdiff::trace::{Completeness, Trace};

/// `trace` after adoption with the built-in rules.
fn with_adoption(mut trace: Trace) -> Trace {
    adopt(&mut trace, &RuleSet::builtin());
    trace
}

fn mermaid(lines: &[&str]) -> Trace {
    parse(&lines.join("\n")).expect("a mermaid capture")
}

fn parents(trace: &Trace) -> Vec<(Option<usize>, bool)> {
    trace
        .exchanges
        .iter()
        .map(|e| (e.parent, e.adopted))
        .collect()
}

#[test]
fn a_response_closes_the_most_recent_open_request_between_the_same_parties() {
    let trace = mermaid(&[
        "a->>b: GET /one",
        "a->>b: GET /two",
        "b-->>a: 200 OK /two",
        "b-->>a: 404 Not Found /one",
    ]);
    let got: Vec<(&str, Option<u16>)> = trace
        .exchanges
        .iter()
        .map(|e| (e.path.as_str(), e.status))
        .collect();
    assert_eq!(got, [("/one", Some(404)), ("/two", Some(200))]);
}

#[test]
fn lone_requests_and_responses_are_kept_and_marked() {
    let trace = mermaid(&[
        "b-->>a: 500 Internal Server Error /early",
        "a->>b: GET /x",
        "b-->>a: 200 OK /x",
        "a->>c: DELETE /y",
    ]);
    assert_eq!(trace.exchanges.len(), 3);
    assert_eq!(trace.exchanges[0].completeness, Completeness::ResponseOnly);
    assert_eq!(trace.exchanges[0].path, "/early");
    assert_eq!(trace.exchanges[0].status, Some(500));
    assert_eq!(trace.exchanges[0].request.line, None);
    assert_eq!(trace.exchanges[2].completeness, Completeness::Unanswered);
    assert_eq!(
        warnings(&trace),
        [
            (
                1,
                "response without a request: no open `a -> b` request before it"
            ),
            (
                4,
                "request without a response: `a -> c DELETE /y` was never answered"
            ),
        ]
    );
}

#[test]
fn a_response_only_exchange_takes_the_step_of_its_response() {
    let trace = mermaid(&[
        "a->>b: GET /first",
        "c-->>d: 200 OK /orphan",
        "b-->>a: 200 OK /first",
        "a->>b: GET /second",
        "b-->>a: 200 OK /second",
    ]);
    let paths: Vec<&str> = trace.exchanges.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["/first", "/orphan", "/second"]);
}

#[test]
fn parent_is_the_innermost_open_exchange_into_the_caller() {
    let trace = mermaid(&[
        "cli->>api: POST /servers",
        "api->>db: GET /a",
        "db->>auth: GET /token",
        "auth-->>db: 200 OK /token",
        "db-->>api: 200 OK /a",
        "api-->>cli: 202 Accepted /servers",
        "api->>db: GET /later",
        "db-->>api: 200 OK /later",
    ]);
    assert_eq!(
        parents(&trace),
        [
            (None, false),
            (Some(0), false),
            (Some(1), false),
            (None, false)
        ]
    );
}

#[test]
fn calls_logged_before_their_inbound_request_are_adopted() {
    let trace = with_adoption(mermaid(&[
        "cli->>keystone: POST /identity/v3/auth/tokens",
        "keystone-->>cli: 201 CREATED /identity/v3/auth/tokens",
        "glance->>keystone: GET /identity/",
        "keystone-->>glance: 300 MULTIPLE CHOICES /identity/",
        "glance->>keystone: GET /identity/v3/auth/tokens",
        "keystone-->>glance: 200 OK /identity/v3/auth/tokens",
        "cli->>glance: GET /v2/images/x",
        "glance-->>cli: 200 OK /v2/images/x",
    ]));
    assert_eq!(
        parents(&trace),
        [
            (None, false),
            (Some(3), true),
            (Some(3), true),
            (None, false)
        ]
    );
    assert_eq!(trace.depths()[1], 1);
}

#[test]
fn independent_actors_and_reactions_are_not_adopted() {
    let trace = with_adoption(mermaid(&[
        // nova-compute polls on its own; the next request goes to someone else.
        "nova-compute->>neutron: GET /v2.0/ports",
        "neutron-->>nova-compute: 200 OK /v2.0/ports",
        "cli->>nova-api: GET /servers",
        "nova-api-->>cli: 200 OK /servers",
        // neutron notifies nova-api, then nova-api calls neutron: a reaction, not a cause.
        "neutron->>nova-api: POST /os-server-external-events",
        "nova-api-->>neutron: 200 OK /os-server-external-events",
        "nova-api->>neutron: GET /v2.0/ports",
        "neutron-->>nova-api: 200 OK /v2.0/ports",
        // glance's call, then an unrelated event, then the inbound request: not contiguous.
        "glance->>keystone: GET /identity/v3/auth/tokens",
        "keystone-->>glance: 200 OK /identity/v3/auth/tokens",
        "cli->>keystone: GET /identity/",
        "keystone-->>cli: 300 MULTIPLE CHOICES /identity/",
        "cli->>glance: GET /v2/images",
        "glance-->>cli: 200 OK /v2/images",
    ]));
    assert!(trace.exchanges.iter().all(|e| e.parent.is_none()));
}

/// Seed 001 with neutron-server's first notification of nova-api (its own call, not auth
/// plumbing) moved to just before the request to neutron-server that precedes it: the hook's
/// order makes it look like work done for that request, but only auth plumbing is adopted, so
/// it stays a root and the comparison with the seed is clean.
#[test]
fn an_independent_call_logged_just_before_another_actors_request_stays_a_root() {
    let text = fixture_text("server-create.hook.md");
    let sections: Vec<&str> = text.split_inclusive("\n### ").collect();
    let party = |i: usize, line: &str| sections[i].lines().nth(1) == Some(line);
    let request = (0..sections.len())
        .find(|&i| party(i, "`neutron-server` --> `nova-api`"))
        .expect("neutron-server notifies nova-api in the seed");
    let response = (request..sections.len())
        .find(|&i| party(i, "`neutron-server` <-- `nova-api`"))
        .expect("nova-api answers");
    let inbound = (0..request)
        .rev()
        .find(|&i| party(i, "`nova-compute` --> `neutron-server`"))
        .expect("nova-compute calls neutron-server before that");
    let mut moved: Vec<&str> = sections[..inbound].to_vec();
    moved.extend([sections[request], sections[response]]);
    moved.extend(
        (inbound..sections.len())
            .filter(|&i| i != request && i != response)
            .map(|i| sections[i]),
    );
    let moved = moved.concat();
    let rules = RuleSet::builtin();
    let trace = with_adoption(parse(&moved).expect("variant parses"));
    // The moved notification's response is followed directly by nova-compute's request to
    // neutron-server: the shape adoption looks for.
    let notification = trace
        .exchanges
        .iter()
        .position(|e| e.caller == "neutron-server" && e.callee == "nova-api")
        .expect("the moved notification");
    let answered = trace
        .events
        .iter()
        .position(|e| e.exchange == notification && e.kind == flowdiff::EventKind::Response)
        .expect("its response");
    let next = &trace.exchanges[trace.events[answered + 1].exchange];
    assert_eq!(
        (next.caller.as_str(), next.callee.as_str()),
        ("nova-compute", "neutron-server")
    );
    assert_eq!(trace.exchanges[notification].parent, None);
    assert!(!trace.exchanges[notification].adopted);
    let old = flowdiff::normalize::normalize(&parse(&text).expect("seed parses"), &rules);
    let new = flowdiff::normalize::normalize(&trace, &rules);
    let c = flowdiff::compare::compare(&old, &new, &rules, &Default::default());
    assert!(c.findings.is_empty(), "{:#?}", c.findings);
}

/// Seed 002 with glance-api's validation call moved before the inbound request it serves (a
/// hook placed behind keystonemiddleware's auth_token filter).
#[test]
fn seed_002_with_validation_logged_first_adopts_it() {
    let text = fixture_text("image-save.hook.md");
    let at = |needle: &str| text.find(needle).expect("section in the seed");
    let inbound = at("### (5) ");
    let validation = at("### (6) ");
    let after = at("### (8) ");
    let moved = format!(
        "{}{}{}{}",
        &text[..inbound],
        &text[validation..after],
        &text[inbound..validation],
        &text[after..]
    );
    let original = with_adoption(parse(&text).expect("seed parses"));
    let trace = with_adoption(parse(&moved).expect("variant parses"));
    assert_eq!(trace.exchanges.len(), 8);
    let validation = trace
        .exchanges
        .iter()
        .position(|e| e.caller == "glance-api" && e.path == "/identity/v3/auth/tokens")
        .expect("the validation call");
    let exchange = &trace.exchanges[validation];
    assert!(exchange.adopted);
    let parent = &trace.exchanges[exchange.parent.expect("adopted")];
    assert_eq!(parent.call_line(), original.exchanges[2].call_line());
    assert_eq!(trace.exchanges.iter().filter(|e| e.adopted).count(), 1);
    assert!(!original.exchanges.iter().any(|e| e.adopted));
}

#[test]
fn request_ids_pair_answers_that_come_in_any_order() {
    let record = |kind: &str, n: usize, status: &str| {
        format!(
            "### (cli) {kind} (api) : {status}GET http://h/r/{n}\nX-Requestshook-Request-Id: id{n}\n\nnone\n\n"
        )
    };
    let mut log = String::new();
    for n in 0..4 {
        log.push_str(&record("REQ >>>", n, ""));
    }
    for n in [0, 2, 3, 1] {
        log.push_str(&record("RESP <<<", n, &format!("20{n} X ")));
    }
    let trace = parse(&log).expect("a raw hook log");
    let got: Vec<(String, Option<u16>)> = trace
        .exchanges
        .iter()
        .map(|e| (e.path.clone(), e.status))
        .collect();
    let expected: Vec<(String, Option<u16>)> =
        (0..4).map(|n| (format!("/r/{n}"), Some(200 + n))).collect();
    assert_eq!(got, expected);
    assert!(trace.warnings.is_empty());
}
