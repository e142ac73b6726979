//! The comparison diagram: its model on each mutation kind, the Mermaid text (escaping,
//! folding, `--full`, several flows).

use crate::common::{fixture, flowdiff, scratch_dir, stdout};
use crate::compare::edit::Hook;
use crate::compare::{mutations, report, server_create};
use flowdiff::compare::Options;
use flowdiff::report::diagram::{Change, Diagram, Item};
use flowdiff::report::mermaid;

/// A path a capture could hold that would break or extend a Mermaid diagram, or inject HTML,
/// if written as it is.
/// (A `#` would start the URL's fragment; the escaping of `#` is unit-tested.)
pub const HOSTILE_PATH: &str = "/compute/v2.1/flavors/x;y%%end<img/src=x/onerror=alert(1)>&amp;";

/// Seed 001 with a new call whose path is [`HOSTILE_PATH`].
pub fn hostile() -> String {
    let mut hook = Hook::parse(&server_create());
    let extra = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let copy = hook.duplicate_exchange(extra, None);
    hook.set_heading(copy, &format!("GET {HOSTILE_PATH}"));
    hook.set_heading(copy + 1, &format!("200 OK {HOSTILE_PATH}"));
    hook.text()
}

fn diagram_of(new: &str, full: bool) -> Diagram {
    let report = report(
        ("golden/server-create.md", &server_create()),
        ("new.md", new),
        Options::default(),
    );
    Diagram::of(&report, full)
}

#[test]
fn each_mutation_kind_is_drawn_as_its_change() {
    for (name, text) in mutations::all() {
        let diagram = diagram_of(&text, false);
        let changed: Vec<(Change, String, Option<String>)> = diagram
            .calls()
            .filter(|c| c.severity.is_some() || c.change != Change::Same)
            .map(|c| (c.change, c.status_text(), c.times_text()))
            .collect();
        let expected = match name {
            "dropped_call" => (Change::Missing, "200", None),
            "extra_call" => (Change::Extra, "200", None),
            "swapped_same_caller" => (Change::Moved, "200", None),
            "status_changed" => (Change::Same, "200 → 404", None),
            "polling_shortened" => (Change::Same, "200", Some("×2 → ×1".to_string())),
            _ => (Change::Same, "200", None),
        };
        assert_eq!(
            changed,
            vec![(expected.0, expected.1.to_string(), expected.2)],
            "{name}"
        );
        let notes: Vec<Option<String>> = diagram.calls().map(|c| c.note()).collect();
        let payload =
            name.starts_with("field_") || name.ends_with("_changed") || name.starts_with("header_");
        let payload = payload && name != "status_changed";
        assert_eq!(
            notes.iter().flatten().count(),
            usize::from(payload),
            "{name}: {notes:?}"
        );
    }
}

#[test]
fn quiet_runs_fold_unless_full_and_every_call_is_kept() {
    let (_, text) = &mutations::all()[0];
    let folded = diagram_of(text, false);
    let full = diagram_of(text, true);
    assert!(full.items.iter().all(|i| matches!(i, Item::Call(_))));
    let calls = Diagram::call_count;
    // Seed 001 has 55 exchanges; one is dropped, and every one is drawn or counted.
    assert_eq!(calls(&folded), 55);
    assert_eq!(calls(&full), 55);
    assert!(folded.items.len() < 10, "{:?}", folded.items.len());
    let text = mermaid::text(&folded);
    assert!(
        text.contains("Note over openstack,nc: … 22 unchanged calls …"),
        "{text}"
    );
}

#[test]
fn captured_text_cannot_break_or_extend_the_diagram() {
    let diagram = diagram_of(&hostile(), false);
    let text = mermaid::text(&diagram);
    let extra = text
        .lines()
        .find(|l| l.contains("x#59;y"))
        .unwrap_or_else(|| panic!("the new call is drawn: {text}"));
    assert!(
        extra.ends_with(
            ": GET /v2.1/flavors/x#59;y#37;#37;end#60;img/src=x/onerror=alert(1)#62;#38;amp#59; 200"
        ),
        "{extra}"
    );
    let entity = regex::Regex::new("#[0-9]+;").expect("regex");
    for line in text.lines().skip(1) {
        let statement = line.trim_start();
        assert!(
            ["participant ", "Note over ", "rect rgb(", "end"]
                .iter()
                .any(|s| statement.starts_with(s))
                || statement.contains("->>")
                || statement.contains("-x")
                || statement.contains("-)"),
            "{line}"
        );
        let (_, message) = statement.split_once(": ").unwrap_or(("", ""));
        let bare = entity.replace_all(message, "");
        assert!(
            !bare.contains([';', '#', '<', '>', '%', '&']),
            "a character Mermaid reads in {line}"
        );
    }
}

#[test]
fn the_cli_prints_the_diagram_folded_or_full() {
    let dir = scratch_dir("mermaid-cli");
    let new = dir.join("new.md");
    std::fs::write(&new, &mutations::all()[0].1).expect("write");
    let old = fixture("server-create.hook.md");
    let args = |extra: &[&str]| {
        let mut a = vec![
            old.to_str().expect("utf-8 path").to_string(),
            new.to_str().expect("utf-8 path").to_string(),
            "--format".to_string(),
            "mermaid".to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        flowdiff(&a)
    };
    let folded = run(&[]);
    assert_eq!(
        folded.status.code(),
        Some(1),
        "a missing call fails the gate"
    );
    let folded = stdout(&folded);
    assert!(folded.starts_with("sequenceDiagram\n"), "{folded}");
    assert!(folded.contains("unchanged calls …"), "{folded}");
    let full = stdout(&run(&["--full"]));
    assert!(!full.contains("unchanged calls"), "{full}");
    let arrows = full
        .lines()
        .filter(|l| l.contains("->>") || l.contains("-x"))
        .count();
    assert!(arrows > 40, "{full}");
}

#[test]
fn check_prints_one_diagram_per_capture() {
    let output = flowdiff(&[
        "check",
        "tests/fixtures/image-save.hook.md",
        "tests/fixtures/image-show.hook.md",
        "--format",
        "mermaid",
    ]);
    let text = stdout(&output);
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("%% ")).collect();
    assert_eq!(heads.len(), 2, "{text}");
    assert!(heads[0].contains("image-save.hook.md"), "{text}");
    assert_eq!(text.matches("sequenceDiagram\n").count(), 2, "{text}");
}

/// The ```` ```mermaid ```` blocks of a Markdown document, read by a CommonMark parser.
pub fn mermaid_blocks(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "mermaid" => {
                current = Some(String::new())
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

#[test]
fn the_markdown_report_and_the_notes_embed_the_diagram() {
    let dir = scratch_dir("mermaid-markdown");
    let new = dir.join("new.md");
    std::fs::write(&new, &mutations::all()[0].1).expect("write");
    let old = fixture("server-create.hook.md");
    let (old, new) = (old.to_str().expect("utf-8"), new.to_str().expect("utf-8"));
    let diagram = stdout(&flowdiff(&[old, new, "--format", "mermaid"]));
    let markdown = stdout(&flowdiff(&[old, new, "--format", "markdown"]));
    assert_eq!(
        mermaid_blocks(&markdown),
        vec![diagram.clone()],
        "{markdown}"
    );
    // Short: not folded away.
    assert!(diagram.lines().count() <= mermaid::LONG);
    assert!(
        !markdown.contains("<summary>Sequence diagram"),
        "{markdown}"
    );
    let notes = stdout(&flowdiff(&["notes", old, new]));
    assert_eq!(mermaid_blocks(&notes), vec![diagram], "{notes}");
    // Long (`--full`): inside <details>.
    let full = stdout(&flowdiff(&[old, new, "--format", "markdown", "--full"]));
    assert!(
        full.contains("<details><summary>Sequence diagram of 55 calls</summary>\n\n```mermaid\n"),
        "{full}"
    );
}
