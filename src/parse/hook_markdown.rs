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
use crate::trace::{Body, EventKind, Exchange, Format, Headers, Trace, Warning};

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

/// What reading sections carries from one line (and one part of a capture) to the next.
struct Reading {
    meta: Meta,
    pairing: Pairing,
    /// Sections read.
    count: usize,
    /// The highest diagram arrow any section takes, to choose the diagram.
    reach: usize,
    tabs: TabCheck,
}

impl Reading {
    /// Ready for a capture of about `size` bytes.
    fn new(size: usize) -> Reading {
        Reading {
            meta: Meta::default(),
            // Room for an event per 2 KB, about what captures hold (the seeds an event per 2.4
            // KB, bodies of dozens of ids one per 4.5 KB). One per 512 bytes, four times what
            // traces use, cost 20 MB more peak memory on the 2 x 99 MB pair.
            pairing: Pairing::with_capacity(size / 2048),
            count: 0,
            reach: 0,
            tabs: TabCheck::default(),
        }
    }

    /// Reads the lines of `cursor` to its end. A section that waits for the page's diagram goes
    /// to `deferred` and a Mermaid diagram to `diagrams`; without them (a capture read in
    /// parts) such a line stops reading and `Ok(false)` says the capture must be read whole.
    fn read<'a>(
        &mut self,
        cursor: &mut Cursor<'a>,
        mut page: Option<(&mut Vec<Section<'a>>, &mut Vec<Diagram<'a>>)>,
    ) -> Result<bool, InputError> {
        while let Some(line) = cursor.next() {
            if let Some(heading) = line.text.strip_prefix("### ") {
                let place = Place {
                    number: split_number(heading).0,
                    ordinal: self.count,
                };
                let s = section(cursor, line, heading, place, &mut self.meta.warnings)?;
                self.tabs.see(&s);
                self.count += 1;
                self.reach = self.reach.max(place.arrow());
                match (s.party_line, &mut page) {
                    (Some(parties), Some((deferred, _))) if deferred.is_empty() => {
                        self.pairing.push(event(s, parties));
                    }
                    (Some(parties), None) => self.pairing.push(event(s, parties)),
                    (_, Some((deferred, _))) => deferred.push(s),
                    (None, None) => return Ok(false),
                }
            } else if let Some(title) = doc_page::title(&line) {
                self.meta.name.get_or_insert_with(|| title.to_string());
            } else if doc_page::is_variables_note(line.text) {
                doc_page::variables(cursor, &mut self.meta.variables);
            } else if mermaid::is_mermaid_fence(line.text.trim_start()) {
                let Some((_, diagrams)) = &mut page else {
                    return Ok(false);
                };
                diagrams.push(mermaid::fenced(cursor, line.no)?);
            } else if line.text.starts_with("```") {
                skip_fence(cursor, line)?;
            }
        }
        Ok(true)
    }

    /// The errors of a capture read to its end.
    fn check(&self) -> Result<(), InputError> {
        if self.count == 0 {
            return Err(InputError::new(
                1,
                format!("no sections found: {}", heading_shapes()),
            ));
        }
        self.tabs.check()
    }
}

/// Parses a hook Markdown capture or a documentation page.
///
/// Sections go straight to pairing while they name their parties; from the first one that
/// needs the page's diagram on, they wait for the end, where the diagram is chosen.
pub(crate) fn parse(text: &str) -> Result<Trace, InputError> {
    let mut reading = Reading::new(text.len());
    let mut diagrams: Vec<Diagram<'_>> = Vec::new();
    let mut deferred: Vec<Section<'_>> = Vec::new();
    let mut cursor = Cursor::new(text);
    reading.read(&mut cursor, Some((&mut deferred, &mut diagrams)))?;
    reading.check()?;
    let Reading {
        mut meta,
        mut pairing,
        reach,
        ..
    } = reading;
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

/// Hook Markdown read in parts, for a capture too large to hold whole: text waits only until
/// the next `### ` heading, and the sections before it are read and paired. A capture that
/// needs more than its sections (a page whose sections take their parties from a diagram) or
/// that has an error is left to [`parse`] on the whole text, which gives the same trace or
/// the same error as reading whole always did: a part ends just before a line that starts a
/// section wherever it stands, else reading it fails (a fence left open) and the whole text is
/// read.
pub(crate) struct Stream {
    reading: Reading,
    /// Text from the start of the last heading seen, not read yet.
    pending: String,
    /// Lines before `pending`.
    lines_before: usize,
    /// False once the capture must be read whole (reading stopped).
    streaming: bool,
    /// Events handed out so far ([`Stream::hand_events`]).
    handed: usize,
}

impl Stream {
    /// Ready for a capture of about `size` bytes.
    pub(crate) fn new(size: usize) -> Stream {
        Stream {
            reading: Reading::new(size),
            pending: String::new(),
            lines_before: 0,
            streaming: true,
            handed: 0,
        }
    }

    /// Takes the next part of the capture: complete lines, already prepared. False when the
    /// capture must be read whole with [`parse`] (then the rest need not be fed).
    pub(crate) fn feed(&mut self, part: &str) -> bool {
        if !self.streaming {
            return false;
        }
        // A part is whole lines: the section left open before it ends at its first heading.
        let Some(first) = first_heading_start(part) else {
            self.pending.push_str(part);
            return true;
        };
        self.pending.push_str(&part[..first]);
        self.read_pending();
        // The sections that start and end in the part are read from it; only the one left
        // open at its end is kept for the next part.
        let last = last_heading_start(part, first + 1).max(first);
        if self.streaming && last > first {
            self.streaming = self.read_complete(&part[first..last]);
        }
        self.pending.push_str(&part[last..]);
        self.streaming
    }

    /// Reads the pending text (whole sections once the part after it starts with a heading or
    /// the capture ends) and empties it, keeping its room.
    fn read_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        self.streaming = self.read_complete(&pending);
        pending.clear();
        self.pending = pending;
    }

    /// Reads `complete` (whole sections: up to a heading or the end) and counts its lines;
    /// false when reading stopped (the capture must be read whole).
    fn read_complete(&mut self, complete: &str) -> bool {
        let mut cursor = Cursor::starting_at(complete, self.lines_before);
        let streaming = matches!(self.reading.read(&mut cursor, None), Ok(true));
        self.lines_before += super::count_lines(complete);
        streaming
    }

    /// Hands each event read since the last call to `visit`, in capture order, with the index
    /// of its exchange and the exchange (whose message for that event is complete).
    pub(crate) fn hand_events(&mut self, visit: &mut dyn FnMut(usize, EventKind, &mut Exchange)) {
        self.handed = self.reading.pairing.hand_events(self.handed, visit);
    }

    /// Reads what is left and returns the flow; `None` when the capture must be read whole
    /// with [`parse`] (it needs more than its sections, or has an error).
    pub(crate) fn finish(mut self) -> Option<Trace> {
        if self.streaming {
            self.read_pending();
        }
        if !self.streaming || self.reading.check().is_err() {
            return None;
        }
        let Reading { meta, pairing, .. } = self.reading;
        Some(pairing.finish(Format::HookMarkdown, meta))
    }
}

/// Where the first line of `text` that starts with `### ` starts.
fn first_heading_start(text: &str) -> Option<usize> {
    if text.starts_with("### ") {
        return Some(0);
    }
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|newline| newline + 1)
        .find(|&start| text.as_bytes()[start..].starts_with(b"### "))
}

/// Where the last line of `text` that starts with `### ` and begins after byte `from` starts (0
/// when none does after the first line). Searches backwards, so the cost is the lines after
/// that start (or after `from`).
fn last_heading_start(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    while let Some(newline) = memchr::memrchr(b'\n', &bytes[..end]) {
        let start = newline + 1;
        if start < from {
            break;
        }
        if bytes[start..].starts_with(b"### ") {
            return start;
        }
        end = newline;
    }
    0
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
    let mut reader = SectionReader {
        section: Section {
            line: heading_line.no,
            place,
            call,
            url: None,
            party_line: None,
            arrow: None,
            headers: Headers::default(),
            body: Body::Unknown,
            tabs: (false, false),
        },
        cursor,
        warnings,
        seen_tab: false,
        stray: Stray::default(),
    };
    while let Some(line) = reader.cursor.next() {
        if line.is_heading() {
            reader.cursor.unread(line);
            break;
        }
        reader.line(line)?;
    }
    reader.stray.end(reader.warnings);
    Ok(reader.section)
}

/// Reading the lines under one section's heading: the section so far, and what its lines
/// before tell about the next one.
struct SectionReader<'a, 'r> {
    /// The section read so far.
    section: Section<'a>,
    /// The capture's lines, from just after the heading.
    cursor: &'r mut Cursor<'a>,
    /// The capture's warnings.
    warnings: &'r mut Vec<Warning>,
    /// Whether a `=== ` tab line was seen (parties and arrows come before the tabs).
    seen_tab: bool,
    /// Lines after the tabs' blocks that belong to no tab.
    stray: Stray<'a>,
}

impl<'a> SectionReader<'a, '_> {
    /// Reads one line of the section (not a heading), with the block it opens.
    fn line(&mut self, line: Line<'a>) -> Result<(), InputError> {
        if line.is_blank() {
            return Ok(());
        }
        if !self.seen_tab && line.text.trim() == NOT_CAPTURED {
            self.section.tabs = (true, true);
            return Ok(());
        }
        let s = &self.section;
        let looking_for_parties = !self.seen_tab && s.party_line.is_none() && s.arrow.is_none();
        if looking_for_parties {
            // Before fences: a party name may itself start with backticks.
            if let Some(parties) = super::lines::party_line(line.text) {
                self.section.party_line = Some(parties);
                return Ok(());
            }
        }
        if line.indent() == 0 && self.block(line)? {
            return Ok(());
        }
        if self.seen_tab {
            self.stray.see(line);
        } else if looking_for_parties {
            if let Some(arrow) = doc_page::arrow_line(&line)? {
                self.section.arrow = Some(arrow);
            }
        }
        Ok(())
    }

    /// Reads or skips the block a line at column 0 opens: a tab's, a fence or an mkdocs
    /// admonition; false when the line opens none.
    fn block(&mut self, line: Line<'a>) -> Result<bool, InputError> {
        if let Some(tab) = line.text.strip_prefix("=== ") {
            self.stray.end(self.warnings);
            self.seen_tab = true;
            self.tab(line, tab)?;
        } else if line.text.starts_with("```") {
            self.stray.end(self.warnings);
            skip_fence(self.cursor, line)?;
        } else if is_admonition(line.text) {
            // An mkdocs admonition (a page's `??? quote "logs"`): not part of the capture.
            self.stray.end(self.warnings);
            while self
                .cursor
                .peek()
                .is_some_and(|l| l.is_blank() || l.indent() > 0)
            {
                self.cursor.next();
            }
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Reads the block of the tab named `tab` (on `line`) into the section: its headers or its
    /// body, and the URL its fence title gives.
    fn tab(&mut self, line: Line<'a>, tab: &str) -> Result<(), InputError> {
        let block = block(self.cursor, line)?;
        let s = &mut self.section;
        if s.url.is_none() {
            s.url = block.title.and_then(title_url);
        }
        let tab = tab.trim().trim_matches('"');
        if tab.eq_ignore_ascii_case("header") || tab.eq_ignore_ascii_case("headers") {
            s.tabs.0 = true;
            s.headers = header_lines(block.content, block.indent, block.first_line)?;
        } else if tab.eq_ignore_ascii_case("body") {
            s.tabs.1 = true;
            s.body = body_from_text(block.content, block.indent, block.first_line, self.warnings);
        } else {
            self.warnings.push(Warning {
                line: line.no,
                message: format!(
                    "unknown tab `{}` (its block is ignored): expected `=== \"Header\"` or `=== \"Body\"`",
                    clip(line.text.trim())
                ),
            });
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::{first_heading_start, last_heading_start, parse, Stream};
    use crate::trace::Trace;

    /// `text` fed in parts of `lines` lines each, as the command layer reads a capture.
    fn in_parts(text: &str, lines: usize) -> Option<Trace> {
        let all: Vec<&str> = text.split_inclusive('\n').collect();
        let mut stream = Stream::new(text.len());
        for part in all.chunks(lines) {
            if !stream.feed(&part.concat()) {
                return None;
            }
        }
        stream.finish()
    }

    fn fixture(name: &str) -> String {
        let path = format!("{}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).expect(&path)
    }

    #[test]
    fn a_capture_read_in_parts_gives_the_trace_read_whole_wherever_the_parts_end() {
        for name in [
            "tests/fixtures/server-create.hook.md",
            "tests/fixtures/image-save.hook.md",
            "tests/fixtures/image-show.hook-response-headings.md",
        ] {
            let text = fixture(name);
            let whole = parse(&text).expect("reads whole");
            for lines in [1, 2, 3, 7, 100, 1_000_000] {
                let parts = in_parts(&text, lines);
                assert!(
                    parts.as_ref() == Some(&whole),
                    "{name} in parts of {lines} lines"
                );
            }
        }
    }

    #[test]
    fn what_only_the_whole_text_can_tell_is_left_to_reading_whole() {
        // A page with a diagram (its sections may take their parties from it).
        for name in [
            "tests/fixtures/image-create.doc.md",
            "tests/fixtures/image-create.doc-from-section-7.md",
            "tests/fixtures/image-show.doc-arrow-lines.md",
            "golden/server-create.md",
        ] {
            assert!(parse(&fixture(name)).is_ok(), "{name}");
            assert!(in_parts(&fixture(name), 5).is_none(), "{name}");
        }
        // A heading inside a fenced block at column 0 is not a section: the part cut before
        // it has an open fence, so the capture is read whole (and reads as one section).
        let fenced = "### GET /a\n`x` --> `y`\n\n=== \"Header\"\n```\nA: b\n### GET /not-a-section\n```\n\n=== \"Body\"\n    ```\n    {}\n    ```\n";
        assert!(in_parts(fenced, 3).is_none());
        // An error (a section cut short) is left to reading whole, which reports it.
        let truncated = "### GET /a\n`x` --> `y`\n\n=== \"Header\"\n";
        assert!(parse(truncated).is_err());
        assert!(in_parts(truncated, 1).is_none());
    }

    #[test]
    fn parts_are_cut_before_the_last_heading_after_what_was_searched() {
        let text = "### GET /a\nx\n### GET /b\ny\n";
        assert_eq!(last_heading_start(text, 0), 13);
        assert_eq!(last_heading_start(text, 13), 13);
        assert_eq!(last_heading_start(text, 14), 0);
        assert_eq!(last_heading_start("### GET /a\nx\n", 0), 0);
        assert_eq!(first_heading_start(text), Some(0));
        assert_eq!(first_heading_start(&text[1..]), Some(12));
        assert_eq!(first_heading_start("x\n## GET /a\n#### b\n"), None);
    }
}
