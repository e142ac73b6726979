//! The comparison as a Mermaid `sequenceDiagram` (`--format mermaid`, and the diagram the
//! Markdown report and the release notes embed).
//!
//! Participants get short ids (`nova-api` is `na`, shown as `nova-api`); missing, new and moved
//! calls stand in colored `rect` blocks with a note saying what they are; captured text is
//! written with Mermaid's entity codes for every character that could end a statement, start a
//! comment or an entity, or make HTML, so no path or name can break or extend the diagram.

use super::diagram::{Call, Change, Diagram, Item};
use super::Report;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Words Mermaid's sequence diagrams reserve: no participant id may be one of them.
const KEYWORDS: [&str; 27] = [
    "actor",
    "activate",
    "alt",
    "and",
    "as",
    "autonumber",
    "box",
    "break",
    "create",
    "critical",
    "deactivate",
    "destroy",
    "details",
    "else",
    "end",
    "left",
    "link",
    "links",
    "loop",
    "note",
    "opt",
    "over",
    "par",
    "participant",
    "properties",
    "rect",
    "right",
];

/// Background of the block around missing calls (light red).
const MISSING_FILL: &str = "rgb(255, 221, 221)";
/// Background of the block around new calls (light green).
const EXTRA_FILL: &str = "rgb(221, 245, 221)";
/// Background of the block around moved calls (light yellow).
const MOVED_FILL: &str = "rgb(255, 243, 196)";

/// Writes one diagram per report; several (from `check`) each start with a `%%` comment line
/// naming the flow, separated by a blank line.
pub fn render(reports: &[Report], full: bool, out: &mut dyn Write) -> io::Result<()> {
    for (i, report) in reports.iter().enumerate() {
        if reports.len() > 1 {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "%% {}", comment(&report.title()))?;
        }
        out.write_all(text(&Diagram::of(report, full)).as_bytes())?;
    }
    Ok(())
}

/// Diagrams longer than this many lines are embedded folded in `<details>`.
pub const LONG: usize = 25;

/// The diagram of `report` as a fenced ` ```mermaid ` block for Markdown (the report and the
/// release notes), inside `<details>` when it is longer than [`LONG`] lines.
pub fn fenced(report: &Report, full: bool) -> String {
    let diagram = Diagram::of(report, full);
    let text = text(&diagram);
    let block = format!("```mermaid\n{text}```\n");
    let lines = text.lines().count();
    if lines > LONG {
        let calls = diagram.call_count();
        format!(
            "<details><summary>Sequence diagram of {calls} calls</summary>\n\n{block}\n</details>\n"
        )
    } else {
        block
    }
}

/// `text` made safe for a `%%` comment line.
pub(super) fn comment(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// The Mermaid text of `diagram`.
pub fn text(diagram: &Diagram) -> String {
    let ids = ids(&diagram.participants);
    let mut out = String::from("sequenceDiagram\n");
    for (id, name) in ids.iter().zip(&diagram.participants) {
        if id == name {
            let _ = writeln!(out, "    participant {id}");
        } else {
            let _ = writeln!(out, "    participant {id} as {}", escape(name));
        }
    }
    let span = match ids.as_slice() {
        [] => String::new(),
        [only] => only.clone(),
        [first, .., last] => format!("{first},{last}"),
    };
    let mut block: Option<Change> = None;
    for item in &diagram.items {
        let change = match item {
            Item::Call(call) => Some(call.change).filter(|c| block_note(*c).is_some()),
            Item::Folded { .. } => None,
        };
        if block != change {
            if block.is_some() {
                out.push_str("    end\n");
            }
            if let Some(note) = change.and_then(block_note) {
                let fill = match change {
                    Some(Change::Missing) => MISSING_FILL,
                    Some(Change::Extra) => EXTRA_FILL,
                    _ => MOVED_FILL,
                };
                let _ = writeln!(out, "    rect {fill}");
                let _ = writeln!(out, "        Note over {span}: {note}");
            }
            block = change;
        }
        let indent = if block.is_some() { "        " } else { "    " };
        match item {
            Item::Call(call) => arrow(call, &ids, indent, &mut out),
            Item::Folded { calls, .. } => {
                let plural = if *calls == 1 { "call" } else { "calls" };
                let _ = writeln!(
                    out,
                    "{indent}Note over {span}: … {calls} unchanged {plural} …"
                );
            }
        }
    }
    if block.is_some() {
        out.push_str("    end\n");
    }
    out
}

/// The note opening the block of a change that stands out; `None` for the others.
fn block_note(change: Change) -> Option<&'static str> {
    match change {
        Change::Missing => Some("missing in new"),
        Change::Extra => Some("new call"),
        Change::Moved => Some("moved"),
        Change::Same | Change::Plumbing => None,
    }
}

/// The arrow of `call` and its note, if any.
fn arrow(call: &Call, ids: &[String], indent: &str, out: &mut String) {
    let (from, to) = (&ids[call.from], &ids[call.to]);
    let head = match call.change {
        Change::Missing => "-x",
        Change::Moved => "-)",
        Change::Plumbing => "-->>",
        Change::Same | Change::Extra => "->>",
    };
    let _ = writeln!(out, "{indent}{from}{head}{to}: {}", escape(&call.label()));
    if let Some(note) = call.note() {
        let over = if from == to {
            from.clone()
        } else {
            format!("{from},{to}")
        };
        let _ = writeln!(out, "{indent}Note over {over}: {}", escape(&note));
    }
}

/// A short id per participant, unique, made of letters, digits and `_`, never a keyword:
/// the name itself when it already is one, else the initials of its words (`nova-api` → `na`).
fn ids(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    // Ids given so far, and the next number to try per base (linear in the participants).
    let mut taken: rustc_hash::FxHashSet<String> = Default::default();
    let mut next_number: rustc_hash::FxHashMap<String, usize> = Default::default();
    for name in names {
        let words: Vec<&str> = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let mut base = match words.as_slice() {
            [] => "p".to_string(),
            [word] => word.chars().take(12).collect(),
            words => words
                .iter()
                .filter_map(|w| w.chars().next())
                .collect::<String>(),
        }
        .to_ascii_lowercase();
        if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base.insert(0, 'p');
        }
        if KEYWORDS.contains(&base.as_str()) {
            base.push('_');
        }
        // On a clash, more letters of the last word (`nova-scheduler` after `neutron-server`
        // is `nsc`), then a number.
        let more: Vec<char> = words
            .last()
            .map(|w| w.to_ascii_lowercase().chars().skip(1).collect())
            .unwrap_or_default();
        let mut id = base.clone();
        let mut extra = more.iter();
        while taken.contains(&id) || KEYWORDS.contains(&id.as_str()) {
            match extra.next().filter(|_| words.len() > 1) {
                Some(c) => id.push(*c),
                None => {
                    let n = next_number.entry(base.clone()).or_insert(2);
                    id = format!("{base}{n}");
                    *n += 1;
                }
            }
        }
        taken.insert(id.clone());
        out.push(id);
    }
    out
}

/// Captured text as Mermaid message text: `#`, `;`, `%`, `<`, `>`, `&`, quotes and backslashes
/// become entity codes (`#35;`), line breaks spaces.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' | ';' | '%' | '<' | '>' | '&' | '"' | '\'' | '`' | '\\' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_unique_and_never_keywords() {
        let names = [
            "openstack",
            "nova-api",
            "nova-agent",
            "neutron-server",
            "nova-scheduler",
            "end",
            "10.0.0.5:443",
            "x;y",
        ]
        .map(String::from);
        assert_eq!(
            ids(&names),
            [
                "openstack",
                "na",
                "nag",
                "ns",
                "nsc",
                "end_",
                "p10054",
                "xy"
            ]
        );
    }

    #[test]
    fn text_that_could_end_or_extend_a_statement_is_escaped() {
        assert_eq!(
            escape("a;b#c%%d<br>\"e\"\nf"),
            "a#59;b#35;c#37;#37;d#60;br#62;#34;e#34; f"
        );
    }
}
