//! Bad input: each case gives one clear error naming the line and what was expected (or, for
//! a broken JSON body, a warning), never a panic or a silent partial result.

use flowdiff::error::InputError;
use flowdiff::parse::parse;

fn error(text: &str) -> InputError {
    match parse(text) {
        Ok(trace) => panic!(
            "expected an error, parsed {} exchanges",
            trace.exchanges.len()
        ),
        Err(e) => e,
    }
}

const SECTION: &str = "### (1) GET /identity/\n`openstack` --> `keystone`\n\n=== \"Header\"\n    ``` http title=\"GET /identity/\"\n    Host: 10.0.0.5\n    ```\n\n=== \"Body\"\n    ``` json title=\"GET /identity/\"\n    none\n    ```\n";

#[test]
fn empty_and_blank_files() {
    for text in ["", "\n\n  \n", "\u{feff}"] {
        let e = error(text);
        assert_eq!(e.line, 0);
        assert!(e.message.starts_with("empty file"), "{}", e.message);
        assert!(e.message.contains("expected a capture"));
    }
}

#[test]
fn prose_is_not_a_capture() {
    let e =
        error("# Release notes\n\nSome prose about the release.\n\n## Changes\n- fixed things\n");
    assert_eq!(e.line, 1);
    assert!(e.message.starts_with("not a capture"), "{}", e.message);
    assert!(e.message.contains("`### GET /path`"));
}

#[test]
fn binary_junk_names_its_line() {
    let e = error("openstack->>keystone: GET /\n\u{0}\u{1}\u{2}PNG\u{1a}\n");
    assert_eq!(e.line, 2);
    assert!(e.message.starts_with("binary data"), "{}", e.message);
}

#[test]
fn unterminated_code_block_is_a_truncated_section() {
    let truncated = SECTION.trim_end().trim_end_matches("```");
    let e = error(truncated);
    assert_eq!(e.line, 10, "the line of the block's opener");
    assert!(e.message.starts_with("truncated section"), "{}", e.message);
    assert!(e.message.contains("closing ```"));
    // A block cut short by the next section is truncated too.
    let cut = format!(
        "{}\n{SECTION}",
        &SECTION[..SECTION.find("    Host").expect("host")]
    );
    let e = error(&cut);
    assert_eq!(e.line, 5);
    assert!(e.message.starts_with("truncated section"));
}

#[test]
fn capture_cut_after_a_heading_is_a_truncated_section() {
    let text =
        format!("{SECTION}\n### (2) 300 MULTIPLE CHOICES /identity/\n`openstack` <-- `keystone`\n");
    let e = error(&text);
    assert_eq!(e.line, 14);
    assert!(e.message.starts_with("truncated section"), "{}", e.message);
}

#[test]
fn tab_without_a_block_is_a_truncated_section() {
    let e = error("### GET /x\n`a` --> `b`\n\n=== \"Header\"\n");
    assert_eq!(e.line, 4);
    assert!(
        e.message.contains("expected an indented ``` block"),
        "{}",
        e.message
    );
}

#[test]
fn unknown_heading_shape_inside_hook_markdown() {
    let text = format!("{SECTION}\n### Some notes about this flow\nprose\n");
    let e = error(&text);
    assert_eq!(e.line, 14);
    assert!(
        e.message.starts_with("unknown heading shape"),
        "{}",
        e.message
    );
    assert!(e.message.contains("METHOD PATH") && e.message.contains("STATUS REASON PATH"));
}

#[test]
fn bad_header_line_names_its_line() {
    let text = SECTION.replace("Host: 10.0.0.5", "this is not a header");
    let e = error(&text);
    assert_eq!(e.line, 6);
    assert!(e.message.contains("`Name: value`"), "{}", e.message);
}

#[test]
fn broken_json_body_is_kept_as_text_with_a_warning() {
    // Body lines 11-13: `{`, `"a": 1,`, `"b":`, then the closing fence.
    let text = SECTION.replace("    none\n", "    {\n      \"a\": 1,\n      \"b\":\n");
    let trace = parse(&text).expect("a warning, not an error");
    assert_eq!(trace.exchanges[0].request.body.kind(), "text");
    // The JSON warning, and the request's (the section has no response).
    assert_eq!(trace.warnings.len(), 2);
    assert!(trace.warnings[0]
        .message
        .starts_with("request without a response"));
    let warning = &trace.warnings[1];
    assert_eq!(warning.line, 13, "the line where the JSON breaks");
    assert!(
        warning.message.contains("does not parse"),
        "{}",
        warning.message
    );
}

#[test]
fn section_without_parties_or_diagram() {
    let text = SECTION.replace("`openstack` --> `keystone`\n", "");
    let e = error(&text);
    assert_eq!(e.line, 1);
    assert!(e.message.contains("party line"), "{}", e.message);
}

#[test]
fn more_sections_than_diagram_arrows() {
    let text = format!(
        "# flow\n\n``` mermaid\nsequenceDiagram\n  a->>b: GET /identity/\n```\n\n{}\n{}",
        SECTION.replace("`openstack` --> `keystone`\n", ""),
        SECTION
            .replace("`openstack` --> `keystone`\n", "")
            .replace("### (1) GET", "### (2) GET")
    );
    let e = error(&text);
    assert_eq!(e.line, 20);
    assert!(e.message.contains("only 1 arrows"), "{}", e.message);
}

#[test]
fn unknown_mermaid_line() {
    let e = error("a->>b: GET /x\nb-->>a: 200 OK /x\nthis line is prose\n");
    assert_eq!(e.line, 3);
    assert!(
        e.message.starts_with("unknown mermaid line"),
        "{}",
        e.message
    );
    let e = error("a->>b: fetch the thing\n");
    assert_eq!(e.line, 1);
    assert!(e.message.contains("METHOD PATH"), "{}", e.message);
}

#[test]
fn raw_log_with_text_before_the_first_record() {
    let text = "some banner\n### (a) REQ >>> (b) : GET http://h/x\nHost: h\n\nnone\n";
    let e = error(text);
    assert_eq!(e.line, 1);
    assert!(e.message.contains("REQ >>>"), "{}", e.message);
}

#[test]
fn unusual_methods_and_reasons_are_accepted() {
    let trace = parse(
        "a->>swift: COPY /v1/AUTH_x/c/o\nswift-->>a: 201 created /v1/AUTH_x/c/o\na->>dav: PROPFIND /x?depth=1\ndav-->>a: 207 Multi Status /x\n",
    )
    .expect("valid mermaid");
    assert_eq!(trace.exchanges[0].method, "COPY");
    assert_eq!(trace.exchanges[0].reason.as_deref(), Some("created"));
    assert_eq!(trace.exchanges[1].method, "PROPFIND");
    assert_eq!(trace.exchanges[1].query.as_deref(), Some("depth=1"));
    assert_eq!(trace.exchanges[1].reason.as_deref(), Some("Multi Status"));
}

#[test]
fn captures_cut_anywhere_give_a_trace_or_a_located_error() {
    for name in [
        "image-show.hook.md",
        "image-show.hook-log.txt",
        "image-show.doc-arrow-lines.md",
        "server-create-part.mermaid.txt",
    ] {
        let text = crate::common::fixture_text(name);
        let lines = text.lines().count();
        let mut cut = 1;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                match parse(&text[..cut]) {
                    Ok(trace) => assert!(trace.events.len() <= lines),
                    Err(e) => assert!(
                        e.line <= lines && !e.message.is_empty(),
                        "{name} cut at {cut}"
                    ),
                }
            }
            cut += 37;
        }
    }
}

#[test]
fn invalid_utf8_past_the_first_part_of_a_large_file_names_its_line() {
    // More than one read part (1 MB) of a capture read whole, then a byte that is not UTF-8.
    let seed = crate::common::fixture_text("image-show.hook.md");
    let mut text = String::new();
    while text.len() < 3 << 20 {
        text.push_str(&seed);
    }
    let line = text.matches('\n').count() + 1;
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"\xff\n");
    let dir = crate::common::scratch_dir("utf8-late");
    let file = dir.join("large.md");
    std::fs::write(&file, bytes).expect("write");
    let out = crate::common::flowdiff(&["show", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = crate::common::stderr(&out);
    assert!(
        err.contains(&format!("large.md:{line}: invalid UTF-8")),
        "{err}"
    );
}
