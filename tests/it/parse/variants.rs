//! Variants seen on real pages (issue 9): response messages with a label or without a path,
//! party lines without backticks, documentation pages that leave out their first sections, and
//! author placeholders in paths. Each fixture is a seed rewritten into the variant; it must
//! read as the same exchanges as the seed.

use super::parsed;
use crate::common::structure;
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
