//! Unit tests of `trace`.

use super::*;

#[test]
fn body_kinds_are_detected_from_text() {
    assert_eq!(Body::from_text("none"), Body::None);
    assert_eq!(Body::from_text("None\n"), Body::None);
    assert_eq!(Body::from_text("  \n"), Body::None);
    assert_eq!(Body::from_text("{\"a\": 1}").kind(), "json");
    assert_eq!(Body::from_text("b'QFI\\xfb'...").kind(), "bytes");
    assert_eq!(
        Body::from_text("<swiftclient.utils.LengthWrapper object at 0x7f1e3d78c6a0>").kind(),
        "object"
    );
    assert_eq!(
        Body::from_text("<_io.BufferedReader name='cirros.img'>").kind(),
        "object"
    );
    assert_eq!(
        Body::from_text("<html><body>x</body></html>").kind(),
        "text"
    );
    assert_eq!(Body::from_text("hello world").kind(), "text");
    assert!(Body::looks_like_broken_json("{\"a\": "));
    assert!(!Body::looks_like_broken_json("{\"a\": 1}"));
}

#[test]
fn depths_follow_parents_and_survive_a_cycle() {
    let exchange = |parent| Exchange {
        parent,
        ..Exchange::new("a", "b", "GET", "/")
    };
    let trace = |exchanges| Trace {
        name: None,
        format: Format::Mermaid,
        variables: Vec::new(),
        events: Vec::new(),
        exchanges,
        warnings: Vec::new(),
    };
    let nested = trace(vec![exchange(None), exchange(Some(0)), exchange(Some(1))]);
    assert_eq!(nested.depths(), vec![0, 1, 2]);
    let cyclic = trace(vec![exchange(Some(1)), exchange(Some(0)), exchange(None)]);
    let depths = cyclic.depths();
    assert_eq!(depths.len(), 3);
    assert_eq!(depths[2], 0);
}

#[test]
fn headers_are_case_insensitive() {
    let headers: Headers = [("X-Auth-Token", "t")].into_iter().collect();
    assert_eq!(headers.get("x-auth-token"), Some("t"));
    assert_eq!(headers.get("missing"), None);
}
