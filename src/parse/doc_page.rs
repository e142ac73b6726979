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

/// The diagram arrow a section without parties takes: section `(N)` takes arrow N (a page may
/// leave out its first sections and start at `(7)`), an unnumbered section the arrow of its
/// rank among all sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    /// The `(N)` of the heading, if any.
    pub number: Option<usize>,
    /// 0-based rank among all the page's sections.
    pub ordinal: usize,
}

impl Place {
    /// The 1-based arrow of the diagram this section takes (0 for a section numbered `(0)`).
    pub(super) fn arrow(self) -> usize {
        self.number.unwrap_or(self.ordinal.saturating_add(1))
    }
}

/// The diagram that describes the sections: the first one with exactly as many arrows as the
/// sections reach (`reach`, the highest [`Place::arrow`] of them), else the first one.
pub(crate) fn pick_diagram<'d, 'a>(
    diagrams: &'d [Diagram<'a>],
    reach: usize,
) -> Option<&'d Diagram<'a>> {
    diagrams
        .iter()
        .find(|d| d.arrows.len() == reach)
        .or_else(|| diagrams.first())
}

/// The arrow giving the parties of the section at `place`; an error naming the heading's line
/// when there is no diagram or no such arrow.
pub(crate) fn diagram_arrow<'d, 'a>(
    diagram: Option<&'d Diagram<'a>>,
    place: Place,
    heading_line: usize,
) -> Result<&'d Arrow<'a>, InputError> {
    let Some(diagram) = diagram else {
        return Err(InputError::new(
            heading_line,
            "section without parties: expected a party line like `` `caller` --> `callee` `` under the heading, an arrow line like `caller->>callee: GET /path`, or a mermaid diagram before the sections",
        ));
    };
    let arrows = diagram.arrows.len();
    let found = place
        .arrow()
        .checked_sub(1)
        .and_then(|i| diagram.arrows.get(i));
    found.ok_or_else(|| {
        let message = match place.number {
            Some(0) => "section (0) has no party line: expected section numbers from (1), section (N) taking the diagram's arrow N".to_string(),
            Some(n) => format!(
                "section ({n}) has no party line and the diagram has only {arrows} arrows: expected a party line, or section (N) to take the diagram's arrow N"
            ),
            None => format!(
                "section {} has no party line and the diagram has only {arrows} arrows: expected one arrow per section",
                place.ordinal + 1
            ),
        };
        InputError::new(heading_line, message)
    })
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

    fn diagram(arrows: usize) -> Diagram<'static> {
        let mut d = Diagram::default();
        for no in 1..=arrows {
            let text = "a->>b: GET /x";
            d.statement(Line { no, start: 0, text }).expect("an arrow");
        }
        d
    }

    #[test]
    fn numbered_sections_take_the_arrow_of_their_number() {
        let diagrams = [diagram(2), diagram(5)];
        let picked = pick_diagram(&diagrams, 5).expect("a diagram");
        assert_eq!(picked.arrows.len(), 5, "the diagram the sections reach");
        assert_eq!(pick_diagram(&diagrams, 3).map(|d| d.arrows.len()), Some(2));
        let place = |number, ordinal| Place { number, ordinal };
        let line = |p| diagram_arrow(Some(picked), p, 40).map(|a| a.line);
        assert_eq!(line(place(Some(5), 0)), Ok(5));
        assert_eq!(line(place(None, 1)), Ok(2), "unnumbered: its rank");
        let e = line(place(Some(6), 3)).expect_err("beyond the arrows");
        assert_eq!(e.line, 40);
        assert!(e.message.contains("section (6)") && e.message.contains("only 5 arrows"));
        assert!(line(place(Some(0), 0)).is_err());
        assert!(diagram_arrow(None, place(Some(1), 0), 40).is_err());
    }
}
