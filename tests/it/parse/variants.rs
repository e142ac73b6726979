//! Variants seen on real pages (issue 9): response messages with a label or without a path,
//! party lines without backticks, documentation pages that leave out their first sections, and
//! author placeholders in paths. Each fixture is a seed rewritten into the variant; it must
//! read as the same exchanges as the seed.

use super::parsed;
use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout, structure};
use flowdiff::parse::parse;
use flowdiff::trace::{Completeness, Format};

#[test]
fn mermaid_responses_with_a_label_or_without_a_path_pair_as_in_the_seed() {
    let seed = parsed("image-save.hook.md");
    let variant = parsed("image-save.mermaid-response-variants.txt");
    assert_eq!(variant.format, Format::Mermaid);
    assert!(variant.warnings.is_empty(), "{:?}", variant.warnings);
    assert_eq!(structure(&variant), structure(&seed));
    for (a, b) in variant.exchanges.iter().zip(&seed.exchanges) {
        assert_eq!(a.completeness, Completeness::Complete);
        assert_eq!(a.reason, b.reason, "the label is not part of the reason");
        assert_eq!(a.parent, b.parent);
    }
}

#[test]
fn doc_page_diagram_and_arrow_lines_with_response_variants() {
    let original = parsed("image-show.doc-arrow-lines.md");
    let variant = parsed("image-show.doc-arrow-lines-response-variants.md");
    assert_eq!(variant.format, Format::DocPage);
    assert!(variant.warnings.is_empty(), "{:?}", variant.warnings);
    assert_eq!(variant.exchanges, original.exchanges);
    assert_eq!(
        structure(&variant),
        structure(&parsed("image-show.hook.md"))
    );
}

#[test]
fn hook_markdown_response_headings_with_a_label_or_without_a_path() {
    let seed = parsed("image-show.hook.md");
    let variant = parsed("image-show.hook-response-headings.md");
    assert_eq!(variant.format, Format::HookMarkdown);
    assert!(variant.warnings.is_empty(), "{:?}", variant.warnings);
    assert_eq!(variant.exchanges, seed.exchanges);
    assert_eq!(variant.events, seed.events);
}

#[test]
fn a_response_without_a_path_takes_the_path_of_the_request_it_closes() {
    // Nested calls between the same parties: each answer closes the most recent open request.
    let trace = parse(
        "a->>b: GET /outer\nb->>c: GET /x\nc-->>b: 200 OK\na->>b: GET /inner\nb-->>a: Response: 204 No Content\nb-->>a: 200 OK\n",
    )
    .expect("valid mermaid");
    let calls: Vec<(&str, Option<u16>)> = trace
        .exchanges
        .iter()
        .map(|e| (e.path.as_str(), e.status))
        .collect();
    assert_eq!(
        calls,
        [
            ("/outer", Some(200)),
            ("/x", Some(200)),
            ("/inner", Some(204))
        ]
    );
    // A lone response without a path is kept, marked and warned about, its path unknown.
    let lone = parse("a->>b: GET /x\nb-->>a: 200 OK\nc-->>a: Reply: 503 Service Unavailable\n")
        .expect("valid mermaid");
    assert_eq!(lone.exchanges[1].completeness, Completeness::ResponseOnly);
    assert_eq!(lone.exchanges[1].path, "");
    assert_eq!(lone.warnings.len(), 1);
    assert_eq!(lone.warnings[0].line, 3);
    // Rendered again, it is a response without a path (no trailing space), and reads back.
    let drawn = flowdiff::trace_output::mermaid::sequence_diagram(&lone);
    assert!(
        drawn.contains("c-->>a: 503 Service Unavailable\n"),
        "{drawn}"
    );
    let back = parse(&drawn).expect("reads back");
    assert_eq!(back.exchanges.len(), lone.exchanges.len());
}

#[test]
fn party_lines_without_backticks() {
    let seed = parsed("image-save.hook.md");
    let variant = parsed("image-save.hook-bare-parties.md");
    assert_eq!(variant.format, Format::HookMarkdown);
    assert_eq!(variant.exchanges, seed.exchanges);
    assert_eq!(variant.events, seed.events);
    assert_eq!(variant.warnings, seed.warnings);
}

#[test]
fn doc_page_starting_at_section_7_takes_arrow_n_for_section_n() {
    let full = parsed("image-create.doc.md");
    let cut = parsed("image-create.doc-from-section-7.md");
    assert_eq!(cut.format, Format::DocPage);
    assert_eq!(cut.name, full.name);
    assert!(cut.warnings.is_empty(), "{:?}", cut.warnings);
    // Sections (1)-(6) are the first three exchanges of the full page.
    assert_eq!(cut.exchanges.len(), full.exchanges.len() - 3);
    assert_eq!(structure(&cut), structure(&full)[3..]);
    for (a, b) in cut.exchanges.iter().zip(&full.exchanges[3..]) {
        assert_eq!(a.completeness, Completeness::Complete);
        assert_eq!(
            (&a.request.headers, &a.response.headers),
            (&b.request.headers, &b.response.headers)
        );
        assert_eq!(
            (&a.request.body, &a.response.body),
            (&b.request.body, &b.response.body)
        );
    }
}

/// The section-7 page with its last heading renumbered `(N)`, and that heading's line.
fn renumbered_last_section(n: &str) -> (String, usize) {
    let text = crate::common::fixture_text("image-create.doc-from-section-7.md");
    let text = text.replace(
        "### (50) 204 No Content",
        &format!("### ({n}) 204 No Content"),
    );
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with(&format!("### ({n}) ")))
        .expect("renumbered heading");
    (text, line)
}

#[test]
fn a_section_the_diagram_cannot_place_is_an_error_naming_its_line() {
    let (text, line) = renumbered_last_section("51");
    let e = parse(&text).expect_err("section (51) of a 50-arrow diagram");
    assert_eq!(e.line, line);
    assert!(e.message.contains("section (51)"), "{}", e.message);
    assert!(e.message.contains("only 50 arrows"), "{}", e.message);
    let (text, line) = renumbered_last_section("0");
    let e = parse(&text).expect_err("section (0)");
    assert_eq!(e.line, line);
    assert!(e.message.contains("from (1)"), "{}", e.message);
    // Without the diagram, a numbered section has nothing to take its parties from.
    let start = text.find("``` mermaid").expect("diagram");
    let end = start + text[start..].find("\n```\n").expect("diagram end") + 5;
    let no_diagram = format!("{}{}", &text[..start], &text[end..]);
    let e = parse(&no_diagram).expect_err("no diagram");
    assert!(
        e.message.contains("section without parties"),
        "{}",
        e.message
    );
}

#[test]
fn cli_reports_an_unplaceable_section_with_file_and_line() {
    let dir = scratch_dir("unplaceable-section");
    let (text, line) = renumbered_last_section("51");
    let path = dir.join("image-create.section-51.doc.md");
    std::fs::write(&path, text).expect("write");
    let out = flowdiff(&["show", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "image-create.section-51.doc.md:{line}: section (51)"
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn author_placeholders_in_paths_stay_placeholders() {
    let seed = fixture("image-create.diagram-placeholders.mermaid.md");
    let trace = parsed("image-create.diagram-placeholders.mermaid.md");
    let paths: Vec<&str> = trace.exchanges.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&"/identity/v3/endpoints/{image_endpoint_id}"));
    assert!(paths.contains(&"/v1/AUTH_{service_id}/glance/{image_id}"));
    // The same page with the other names authors use.
    let dir = scratch_dir("author-placeholders");
    let renamed = dir.join("image-create.renamed-placeholders.mermaid.md");
    let text = std::fs::read_to_string(&seed).expect("fixture");
    let text = text
        .replace("AUTH_{service_id}", "AUTH_{account}")
        .replace("{image_id}", "{image_uuid}");
    std::fs::write(&renamed, text).expect("write");
    for (file, image, account) in [
        (seed.as_path(), "{image_id}", "AUTH_{service_id}"),
        (renamed.as_path(), "{image_uuid}", "AUTH_{account}"),
    ] {
        let file = file.to_str().expect("utf-8 path");
        for args in [vec!["normalize", file], vec!["show", file, "--normalized"]] {
            let out = flowdiff(&args);
            assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
            let text = stdout(&out);
            for expected in [
                format!("PUT /image/v2/images/{image}/file"),
                format!("HEAD /v1/{account}/glance"),
                format!("PUT /v1/{account}/glance/{image}"),
                "GET /identity/v3/endpoints/{image_endpoint_id}".to_string(),
            ] {
                assert!(
                    text.contains(&expected),
                    "{args:?} lost `{expected}`:\n{text}"
                );
            }
            for mangled in ["{uuid", "{hex", "{project_id}", "{{", "}}"] {
                assert!(
                    !text.contains(mangled),
                    "{args:?} wrote `{mangled}`:\n{text}"
                );
            }
        }
    }
}
