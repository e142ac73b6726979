//! Hook Markdown (format 1) and the sections of a documentation page (format 2): `### METHOD
//! PATH` sections with party lines (or diagram parties) and `=== "Header"` / `=== "Body"` tabs.

use super::blocks::{
    body_from_text, fence_ticks, fence_title, header_lines, is_closing_fence, title_url,
};
use super::doc_page::{self, Place};
use super::lines::{clip, parse_call, split_number, Call, Cursor, Line, CALL_SHAPES};
use super::mermaid::{self, Arrow, Diagram};
use super::pairing::{Meta, Pairing, RawEvent};
use crate::error::InputError;
use crate::trace::{Body, Format, Headers, Trace, Warning};

/// A section as read, before its parties are resolved against the diagram.
struct Section<'a> {
    line: usize,
    /// Which diagram arrow the section takes when it names no parties.
    place: Place,
    call: Call<'a>,
    url: Option<&'a str>,
    party_line: Option<(&'a str, &'a str)>,
    arrow: Option<Arrow<'a>>,
    headers: Headers,
    body: Body,
    /// Which of the `Header` and `Body` tabs the section had.
    tabs: (bool, bool),
}

/// The line standing for the tabs of a message whose headers and body were not captured (a
/// Tempest request logged without its DEBUG block): such a section is complete without tabs.
pub(crate) const NOT_CAPTURED: &str = "*headers and body not captured*";

/// The expected heading shapes, for error messages.
fn heading_shapes() -> String {
    format!("expected `### [(N)] ` followed by {CALL_SHAPES}")
}

/// Parses a hook Markdown capture or a documentation page.
///
/// Sections go straight to pairing while they name their parties; from the first one that
/// needs the page's diagram on, they wait for the end, where the diagram is chosen.
pub(crate) fn parse(text: &str) -> Result<Trace, InputError> {
    let mut meta = Meta::default();
    let mut diagrams: Vec<Diagram<'_>> = Vec::new();
    let mut pairing = Pairing::with_capacity(text.len() / 512);
    let mut deferred: Vec<Section<'_>> = Vec::new();
    let mut count = 0;
    // The highest diagram arrow any section takes, to choose the diagram.
    let mut reach = 0;
    let mut tabs = TabCheck::default();
    let mut cursor = Cursor::new(text);
    while let Some(line) = cursor.next() {
        if let Some(heading) = line.text.strip_prefix("### ") {
            let place = Place {
                number: split_number(heading).0,
                ordinal: count,
            };
            let s = section(&mut cursor, line, heading, place, &mut meta.warnings)?;
            tabs.see(&s);
            count += 1;
            reach = reach.max(place.arrow());
            match s.party_line {
                Some(parties) if deferred.is_empty() => pairing.push(event(s, parties)),
                _ => deferred.push(s),
            }
        } else if let Some(title) = doc_page::title(&line) {
            meta.name.get_or_insert_with(|| title.to_string());
        } else if doc_page::is_variables_note(line.text) {
            doc_page::variables(&mut cursor, &mut meta.variables);
        } else if mermaid::is_mermaid_fence(line.text.trim_start()) {
            diagrams.push(mermaid::fenced(&mut cursor, line.no)?);
        } else if line.text.starts_with("```") {
            skip_fence(&mut cursor, line)?;
        }
    }
    if count == 0 {
        return Err(InputError::new(
            1,
            format!("no sections found: {}", heading_shapes()),
        ));
    }
    tabs.check()?;
    let diagram = doc_page::pick_diagram(&diagrams, reach);
    let mut from_page = false;
    for s in deferred {
        let is_request = matches!(s.call, Call::Request { .. });
        let parties = match (s.party_line, s.arrow) {
            (Some(parties), _) => parties,
            (None, Some(arrow)) => {
                from_page = true;
                oriented(diagram, &arrow, is_request, &mut meta.warnings)
            }
            (None, None) => {
                from_page = true;
                let arrow = doc_page::diagram_arrow(diagram, s.place, s.line)?;
                oriented(diagram, arrow, is_request, &mut meta.warnings)
            }
        };
        pairing.push(event(s, parties));
    }
    let format = if from_page {
        Format::DocPage
    } else {
        Format::HookMarkdown
    };
    Ok(pairing.finish(format, meta))
}

/// The event a section stands for, once its parties are known.
fn event<'a>(s: Section<'a>, parties: (&'a str, &'a str)) -> RawEvent<'a> {
    RawEvent::new(s.line, s.call, parties, s.url, s.headers, s.body)
}

/// The hook writes both tabs in every section: when some section has them, one without is a
/// capture cut short (or hand-damaged), not a section to guess about.
#[derive(Default)]
struct TabCheck {
    any_complete: bool,
    first_incomplete: Option<usize>,
}

impl TabCheck {
    fn see(&mut self, s: &Section<'_>) {
        if s.tabs == (true, true) {
            self.any_complete = true;
        } else if self.first_incomplete.is_none() {
            self.first_incomplete = Some(s.line);
        }
    }

    fn check(&self) -> Result<(), InputError> {
        match self.first_incomplete {
            Some(line) if self.any_complete => Err(InputError::new(
                line,
                "truncated section: expected both `=== \"Header\"` and `=== \"Body\"` tabs under the heading, like the other sections",
            )),
            _ => Ok(()),
        }
    }
}

/// `(caller, callee)` of a section from an arrow, oriented by the section's own heading.
fn oriented<'a>(
    diagram: Option<&Diagram<'a>>,
    arrow: &Arrow<'a>,
    is_request: bool,
    warnings: &mut Vec<Warning>,
) -> (&'a str, &'a str) {
    let name = |n| diagram.map_or(n, |d| d.name(n));
    let arrow_is_request = matches!(arrow.call, Call::Request { .. });
    if arrow_is_request != is_request {
        warnings.push(Warning {
            line: arrow.line,
            message: format!(
                "diagram arrow is a {} but its section is a {}; parties taken from the section's heading",
                kind_word(arrow_is_request),
                kind_word(is_request)
            ),
        });
    }
    if is_request {
        (name(arrow.from), name(arrow.to))
    } else {
        (name(arrow.to), name(arrow.from))
    }
}

fn kind_word(is_request: bool) -> &'static str {
    if is_request {
        "request"
    } else {
        "response"
    }
}

/// Reads one section whose heading line was consumed; stops before the next heading.
fn section<'a>(
    cursor: &mut Cursor<'a>,
    heading_line: Line<'a>,
    heading: &'a str,
    place: Place,
    warnings: &mut Vec<Warning>,
) -> Result<Section<'a>, InputError> {
    let call = parse_call(heading, false).ok_or_else(|| {
        InputError::new(
            heading_line.no,
            format!(
                "unknown heading shape `{}`: {}",
                clip(heading_line.text),
                heading_shapes()
            ),
        )
    })?;
    let mut s = Section {
        line: heading_line.no,
        place,
        call,
        url: None,
        party_line: None,
        arrow: None,
        headers: Headers::default(),
        body: Body::Unknown,
        tabs: (false, false),
    };
    let mut seen_tab = false;
    let mut stray = Stray::default();
    while let Some(line) = cursor.next() {
        if line.is_heading() {
            cursor.unread(line);
            break;
        }
        if line.is_blank() {
            continue;
        }
        if !seen_tab && line.text.trim() == NOT_CAPTURED {
            s.tabs = (true, true);
            continue;
        }
        let looking_for_parties = !seen_tab && s.party_line.is_none() && s.arrow.is_none();
        if looking_for_parties {
            // Before fences: a party name may itself start with backticks.
            if let Some(parties) = super::lines::party_line(line.text) {
                s.party_line = Some(parties);
                continue;
            }
        }
        if line.indent() == 0 {
            if let Some(tab) = line.text.strip_prefix("=== ") {
                stray.end(warnings);
                seen_tab = true;
                let block = block(cursor, line)?;
                if s.url.is_none() {
                    s.url = block.title.and_then(title_url);
                }
                let tab = tab.trim().trim_matches('"');
                if tab.eq_ignore_ascii_case("header") || tab.eq_ignore_ascii_case("headers") {
                    s.tabs.0 = true;
                    s.headers = header_lines(block.content, block.indent, block.first_line)?;
                } else if tab.eq_ignore_ascii_case("body") {
                    s.tabs.1 = true;
                    s.body =
                        body_from_text(block.content, block.indent, block.first_line, warnings);
                } else {
                    warnings.push(Warning {
                        line: line.no,
                        message: format!(
                            "unknown tab `{}` (its block is ignored): expected `=== \"Header\"` or `=== \"Body\"`",
                            clip(line.text.trim())
                        ),
                    });
                }
                continue;
            }
            if line.text.starts_with("```") {
                stray.end(warnings);
                skip_fence(cursor, line)?;
                continue;
            }
            if is_admonition(line.text) {
                // An mkdocs admonition (a page's `??? quote "logs"`): not part of the capture.
                stray.end(warnings);
                while cursor
                    .peek()
                    .is_some_and(|l| l.is_blank() || l.indent() > 0)
                {
                    cursor.next();
                }
                continue;
            }
        }
        if seen_tab {
            stray.see(line);
            continue;
        }
        if !looking_for_parties {
            continue;
        }
        if let Some(arrow) = doc_page::arrow_line(&line)? {
            s.arrow = Some(arrow);
        }
    }
    stray.end(warnings);
    Ok(s)
}

/// True for the first line of an mkdocs admonition (`!!! note "…"`, `??? quote "…"`,
/// `???+ tip`), whose content is the indented lines after it.
fn is_admonition(text: &str) -> bool {
    ["!!! ", "??? ", "???+ "]
        .iter()
        .any(|marker| text.starts_with(marker))
}

/// A run of lines after a section's tab blocks that belong to no tab: reported, not dropped
/// silently (a hand edit or a capture damaged between two sections).
#[derive(Default)]
struct Stray<'a> {
    first: Option<Line<'a>>,
    more: usize,
}

impl<'a> Stray<'a> {
    fn see(&mut self, line: Line<'a>) {
        match self.first {
            Some(_) => self.more += 1,
            None => self.first = Some(line),
        }
    }

    /// Ends the run with its warning.
    fn end(&mut self, warnings: &mut Vec<Warning>) {
        let Some(first) = self.first.take() else {
            return;
        };
        let more = match std::mem::take(&mut self.more) {
            0 => String::new(),
            1 => " (and 1 more line)".to_string(),
            n => format!(" (and {n} more lines)"),
        };
        warnings.push(Warning {
            line: first.no,
            message: format!(
                "`{}`{more} after the section's code block is in no tab, ignored: expected a `=== \"Header\"` or `=== \"Body\"` tab or the next `### ` heading",
                clip(first.text.trim())
            ),
        });
    }
}

/// A fenced block inside a tab.
struct Block<'a> {
    title: Option<&'a str>,
    content: &'a str,
    indent: usize,
    first_line: usize,
}

/// Reads the fenced block a `=== "Tab"` line introduces.
fn block<'a>(cursor: &mut Cursor<'a>, tab: Line<'a>) -> Result<Block<'a>, InputError> {
    let truncated = || {
        InputError::new(
            tab.no,
            format!(
                "truncated section: expected an indented ``` block after `{}`",
                clip(tab.text)
            ),
        )
    };
    let opener = loop {
        match cursor.peek() {
            Some(line) if line.is_blank() => {
                cursor.next();
            }
            Some(line) if line.text.trim_start().starts_with("```") => {
                cursor.next();
                break line;
            }
            _ => return Err(truncated()),
        }
    };
    let indent = opener.indent();
    let ticks = fence_ticks(opener.text);
    let start = cursor.offset();
    let first_line = opener.no + 1;
    let text = cursor.text();
    for line in cursor.by_ref() {
        if is_closing_fence(line.text, ticks) {
            return Ok(Block {
                title: fence_title(opener.text),
                content: &text[start..line.start],
                indent,
                first_line,
            });
        }
        if indent > 0 && !line.is_blank() && line.indent() < indent {
            break;
        }
    }
    Err(unterminated(opener.no))
}

fn unterminated(opened_at: usize) -> InputError {
    InputError::new(
        opened_at,
        "truncated section: code block opened here is not closed (expected a closing ``` line)",
    )
}

/// Skips a fenced block at column 0 whose opener was consumed.
fn skip_fence(cursor: &mut Cursor<'_>, opener: Line<'_>) -> Result<(), InputError> {
    let ticks = fence_ticks(opener.text);
    for line in cursor.by_ref() {
        if line.indent() == 0 && is_closing_fence(line.text, ticks) {
            return Ok(());
        }
    }
    Err(unterminated(opener.no))
}
