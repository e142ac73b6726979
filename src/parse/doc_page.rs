//! Documentation pages (format 2): the page furniture around the sections (title, variables
//! note, sequence diagram) and party resolution for sections without party lines.

use super::lines::{Cursor, Line};
use super::mermaid::{self, Arrow, Diagram};
use crate::error::InputError;

/// The title of a `# name` line.
pub(crate) fn title<'a>(line: &Line<'a>) -> Option<&'a str> {
    line.text
        .strip_prefix("# ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// True for the admonition that opens a variables note (`!!! note "variables"`).
pub(crate) fn is_variables_note(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("!!!")
        .or_else(|| text.strip_prefix("???"))
    else {
        return false;
    };
    let rest = rest.trim_start_matches(['+', ' ']);
    rest.starts_with("note") && rest.to_ascii_lowercase().contains("\"variables\"")
}

/// Reads the indented `` `name`: `value` `` lines of a variables note whose opener was consumed.
pub(crate) fn variables(cursor: &mut Cursor<'_>, into: &mut Vec<(String, String)>) {
    while let Some(line) = cursor.peek() {
        if !line.is_blank() && line.indent() == 0 {
            return;
        }
        cursor.next();
        if let Some(pair) = variable(line.text.trim()) {
            into.push(pair);
        }
    }
}

/// One `` `name`: `value` `` line.
fn variable(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix('`')?;
    let (name, rest) = rest.split_once('`')?;
    let value = rest.trim_start().strip_prefix(':')?.trim();
    let value = value.strip_prefix('`')?.strip_suffix('`')?;
    (!name.is_empty()).then(|| (name.to_string(), value.to_string()))
}

/// Reads a section's indented arrow line (`  osc->>keystone: GET /identity`), if it is one.
pub(crate) fn arrow_line<'a>(line: &Line<'a>) -> Result<Option<Arrow<'a>>, InputError> {
    if line.indent() == 0 {
        return Ok(None);
    }
    mermaid::arrow(line.text, line.no)
}

/// The diagram that describes the sections: the first one with exactly one arrow per section,
/// else the first one.
pub(crate) fn pick_diagram<'d, 'a>(
    diagrams: &'d [Diagram<'a>],
    sections: usize,
) -> Option<&'d Diagram<'a>> {
    diagrams
        .iter()
        .find(|d| d.arrows.len() == sections)
        .or_else(|| diagrams.first())
}

/// The arrow giving the parties of the section at `ordinal` (0-based): the diagram's arrow of
/// that rank.
pub(crate) fn diagram_arrow<'d, 'a>(
    diagram: Option<&'d Diagram<'a>>,
    ordinal: usize,
    heading_line: usize,
) -> Result<&'d Arrow<'a>, InputError> {
    let Some(diagram) = diagram else {
        return Err(InputError::new(
            heading_line,
            "section without parties: expected a party line like `` `caller` --> `callee` `` under the heading, an arrow line like `caller->>callee: GET /path`, or a mermaid diagram before the sections",
        ));
    };
    match diagram.arrows.get(ordinal) {
        Some(arrow) => Ok(arrow),
        None => Err(InputError::new(
            heading_line,
            format!(
                "section {} has no party line and the diagram has only {} arrows: expected one arrow per section",
                ordinal + 1,
                diagram.arrows.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_and_titles() {
        assert_eq!(
            variable("`image_id`: `e6167145-7865`"),
            Some(("image_id".into(), "e6167145-7865".into()))
        );
        assert_eq!(variable("some prose"), None);
        assert!(is_variables_note("!!! note \"variables\""));
        assert!(is_variables_note("!!! note \"Variables\""));
        assert!(!is_variables_note("!!! tip \"\""));
    }
}
