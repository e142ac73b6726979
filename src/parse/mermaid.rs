//! Mermaid sequence lines (format 3), bare or fenced; also the diagram inside a documentation page.

use super::lines::{clip, parse_call, Call, Cursor, Line, CALL_SHAPES};
use super::pairing::{Meta, Pairing, RawEvent};
use crate::error::InputError;
use crate::trace::{Body, Format, Headers, Trace};
use std::collections::HashMap;

/// One message arrow of a sequence diagram.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arrow<'a> {
    /// 1-based source line.
    pub line: usize,
    /// The participant on the left (as written, maybe an alias).
    pub from: &'a str,
    /// The participant on the right.
    pub to: &'a str,
    /// The call the message text describes.
    pub call: Call<'a>,
}

/// A sequence diagram: participant aliases and message arrows in order.
#[derive(Debug, Default)]
pub(crate) struct Diagram<'a> {
    aliases: HashMap<&'a str, &'a str>,
    /// The arrows in order.
    pub arrows: Vec<Arrow<'a>>,
}

/// Statements that carry no calls.
const KEYWORDS: &[&str] = &[
    "sequenceDiagram",
    "autonumber",
    "Note",
    "note",
    "rect",
    "loop",
    "alt",
    "else",
    "opt",
    "par",
    "and",
    "critical",
    "option",
    "break",
    "end",
    "activate",
    "deactivate",
    "box",
    "title",
    "accTitle",
    "accDescr",
    "create",
    "destroy",
    "link",
    "links",
];

/// Arrow tokens, longest first so `-->>` is not read as `->>`.
const ARROWS: &[&str] = &["-->>", "->>", "--)", "-)", "-->", "->"];

impl<'a> Diagram<'a> {
    /// The full name of a participant (`osc` declared `participant osc as openstack-client`).
    pub(super) fn name(&self, participant: &'a str) -> &'a str {
        self.aliases
            .get(participant)
            .copied()
            .unwrap_or(participant)
    }

    /// `(caller, callee)` of an arrow: a request goes left to right, a response right to left.
    pub(super) fn parties(&self, arrow: &Arrow<'a>) -> (&'a str, &'a str) {
        match arrow.call {
            Call::Request { .. } => (self.name(arrow.from), self.name(arrow.to)),
            Call::Response { .. } => (self.name(arrow.to), self.name(arrow.from)),
        }
    }

    /// Reads one diagram statement (already known to be inside a diagram).
    pub(super) fn statement(&mut self, line: Line<'a>) -> Result<(), InputError> {
        let text = line.text.trim();
        if text.is_empty() || text.starts_with("%%") {
            return Ok(());
        }
        let word = text.split([' ', ':']).next().unwrap_or("");
        if word == "participant" || word == "actor" {
            let rest = text[word.len()..].trim();
            if let Some((alias, name)) = rest.split_once(" as ") {
                self.aliases.insert(alias.trim(), name.trim());
            }
            return Ok(());
        }
        if KEYWORDS.contains(&word) {
            return Ok(());
        }
        match arrow(text, line.no)? {
            Some(arrow) => {
                self.arrows.push(arrow);
                Ok(())
            }
            None => Err(InputError::new(
                line.no,
                format!(
                    "unknown mermaid line `{}`: expected `A->>B: METHOD PATH`, `B-->>A: STATUS REASON PATH` or a diagram statement",
                    clip(text)
                ),
            )),
        }
    }
}

/// Parses `A->>B: METHOD PATH` / `B-->>A: STATUS REASON PATH`; `Ok(None)` when the text is not
/// an arrow at all, an error when it is an arrow whose message is not a call.
pub(crate) fn arrow(text: &str, line: usize) -> Result<Option<Arrow<'_>>, InputError> {
    let text = text.trim();
    let Some((left, message)) = text.split_once(':') else {
        return Ok(None);
    };
    let Some((at, token)) = ARROWS
        .iter()
        .find_map(|token| left.find(token).map(|at| (at, *token)))
    else {
        return Ok(None);
    };
    let from = left[..at].trim();
    let to = left[at + token.len()..]
        .trim_start_matches(['+', '-'])
        .trim();
    if from.is_empty() || to.is_empty() {
        return Ok(None);
    }
    let message = message.trim();
    let call = parse_call(message, false).ok_or_else(|| {
        InputError::new(
            line,
            format!(
                "unknown arrow message `{}`: expected {CALL_SHAPES}",
                clip(message)
            ),
        )
    })?;
    Ok(Some(Arrow {
        line,
        from,
        to,
        call,
    }))
}

/// True when a trimmed line opens a fenced Mermaid block.
pub(crate) fn is_mermaid_fence(text: &str) -> bool {
    text.strip_prefix("```")
        .map(|rest| rest.trim_start().starts_with("mermaid"))
        .unwrap_or(false)
}

/// Reads a fenced diagram whose opener was just consumed, up to its closing fence.
pub(crate) fn fenced<'a>(
    cursor: &mut Cursor<'a>,
    opened_at: usize,
) -> Result<Diagram<'a>, InputError> {
    let mut diagram = Diagram::default();
    for line in cursor.by_ref() {
        if line.text.trim() == "```" {
            return Ok(diagram);
        }
        diagram.statement(line)?;
    }
    Err(InputError::new(
        opened_at,
        "unterminated mermaid block: expected a closing ``` line",
    ))
}

/// Parses a Mermaid capture: bare lines, or the fenced blocks of a page (other text ignored).
pub(crate) fn parse(text: &str) -> Result<Trace, InputError> {
    let fenced_only = Cursor::new(text).any(|l| is_mermaid_fence(l.text.trim_start()));
    let mut meta = Meta::default();
    let mut diagram = Diagram::default();
    let mut cursor = Cursor::new(text);
    while let Some(line) = cursor.next() {
        if let Some(title) = line.text.strip_prefix("# ") {
            meta.name.get_or_insert_with(|| title.trim().to_string());
        } else if !fenced_only {
            diagram.statement(line)?;
        } else if is_mermaid_fence(line.text.trim_start()) {
            let block = fenced(&mut cursor, line.no)?;
            diagram.aliases.extend(block.aliases);
            diagram.arrows.extend(block.arrows);
        }
    }
    if diagram.arrows.is_empty() {
        return Err(InputError::new(
            1,
            "no mermaid arrows found: expected lines like `A->>B: METHOD PATH`",
        ));
    }
    let mut pairing = Pairing::with_capacity(diagram.arrows.len());
    for arrow in &diagram.arrows {
        pairing.push(raw_event(&diagram, arrow));
    }
    Ok(pairing.finish(Format::Mermaid, meta))
}

/// The structure-only event an arrow stands for.
fn raw_event<'a>(diagram: &Diagram<'a>, arrow: &Arrow<'a>) -> RawEvent<'a> {
    let parties = diagram.parties(arrow);
    RawEvent::new(
        arrow.line,
        arrow.call,
        parties,
        None,
        Headers::default(),
        Body::Unknown,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_with_dashed_names() {
        let a = arrow("glance-api-->>openstack: 300 Multiple Choices None", 4)
            .expect("valid")
            .expect("an arrow");
        assert_eq!((a.from, a.to), ("glance-api", "openstack"));
        let b = arrow("nova-compute->>+neutron-server: GET /v2.0/ports", 5)
            .expect("valid")
            .expect("an arrow");
        assert_eq!((b.from, b.to), ("nova-compute", "neutron-server"));
        assert!(arrow("a->>b: hello there", 6).is_err());
        assert!(arrow("just prose", 7).expect("no error").is_none());
    }
}
