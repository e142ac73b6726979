//! Parsing: detect a capture's format from its content and read it into a [`Trace`].
//!
//! One file per format (`hook_markdown`, `doc_page`, `mermaid`, `hook_log`, `tempest`,
//! `client_debug`); `pairing` turns
//! the events any of them read into exchanges with parents (adoption, which needs the rules,
//! is [`crate::normalize::adopt`]); `records` builds the flows of the client-side formats, whose
//! records are whole exchanges; `lines` and `blocks` hold the shared scanning helpers, `pyrepr`
//! the Python repr readers and `json_prefix` the reading of a JSON body cut short.
//! Everything is plain string scanning, linear in the input.

mod blocks;
mod client_debug;
mod doc_page;
mod hook_log;
mod hook_markdown;
mod json_prefix;
mod lines;
mod mermaid;
mod pairing;
mod pyrepr;
mod records;
mod tempest;

pub(crate) use hook_markdown::NOT_CAPTURED;
pub(crate) use pairing::repair;

use crate::error::InputError;
use crate::trace::{Format, Trace};
use lines::{parse_call, Cursor, Line};
use std::borrow::Cow;

/// What every format looks like, for the "not a capture" message.
const EXPECTED: &str = "expected a capture in one of the formats: hook Markdown sections (`### GET /path`), a documentation page with a mermaid diagram, Mermaid lines (`A->>B: GET /path`), a raw hook log (`### (caller) REQ >>> (callee) : GET http://host/path`), a Tempest log (`… INFO … rest_client … Request (Class:test): 200 GET http://host/path`) or a client's debug output (`REQ: curl -g -i -X GET http://host/path`)";

/// Parses a capture in any supported format (detected from content) into its flows: one for
/// the hook and diagram formats and a client's `--debug` output, one per test (caller label) for
/// a Tempest log, each named, in order of first appearance.
///
/// Windows line endings, a UTF-8 BOM, trailing spaces and a missing final newline are accepted.
/// Problems that do not stop parsing (a body that looks like JSON but does not parse, a response
/// without its request) are reported in each flow's [`Trace::warnings`].
pub fn parse_flows(text: &str) -> Result<Vec<Trace>, InputError> {
    let text = prepare(text)?;
    match detect(&text)? {
        Format::HookLog => hook_log::parse(&text).map(|t| vec![t]),
        Format::Mermaid => mermaid::parse(&text).map(|t| vec![t]),
        Format::HookMarkdown | Format::DocPage => hook_markdown::parse(&text).map(|t| vec![t]),
        Format::TempestLog => tempest::parse(&text),
        Format::ClientDebug => client_debug::parse(&text).map(|t| vec![t]),
    }
}

/// A capture read in parts, for files too large to hold whole (a full Tempest run's log is
/// hundreds of MB): the command layer reads the file in parts of complete lines, [`start`]s with
/// the first, and — when the format reads in parts — feeds the rest. A Tempest log reads in
/// parts always; hook Markdown only from a source that can be read again whole (a regular
/// file), since what only the whole text can tell (a documentation page's diagram, which its
/// sections take their parties from, or an error) is left to [`parse_flows`] on the whole
/// text, which gives the same flows or the same error. Any other format is read whole.
///
/// [`start`]: PartReader::start
pub struct PartReader {
    stream: Stream,
    /// Lines read so far (for line numbers in errors).
    lines: usize,
}

/// What a [`PartReader`] reads with.
enum Stream {
    /// A Tempest log: a flow per test.
    Tests(tempest::Stream),
    /// Hook Markdown: sections, as long as they are all it takes.
    Sections(Box<hook_markdown::Stream>),
}

impl PartReader {
    /// Starts reading a capture whose first part is `first` (complete lines); `None` when its
    /// format is not read in parts (or cannot be told from the first part), or when the first
    /// part already shows the capture must be read whole (a page's diagram at its top, as
    /// every blessed golden has): the caller reads on from that part instead of reading the
    /// file again. `rereadable_size`
    /// is the size of a source that can be read again from its start (a regular file), `None`
    /// for one that cannot (a pipe).
    pub fn start(
        first: &str,
        rereadable_size: Option<usize>,
    ) -> Result<Option<PartReader>, InputError> {
        let prepared = prepare(first)?;
        let stream = match (detect(&prepared), rereadable_size) {
            (Ok(format), _) if format.holds_flows() => Stream::Tests(tempest::Stream::default()),
            (Ok(Format::HookMarkdown), Some(size)) => {
                Stream::Sections(Box::new(hook_markdown::Stream::new(size)))
            }
            _ => return Ok(None),
        };
        let mut reader = PartReader { stream, lines: 0 };
        Ok(reader.take(&prepared).then_some(reader))
    }

    /// Reads the next part (complete lines, after the previous part); `Ok(false)` once the
    /// capture must be read whole with [`parse_flows`] (the rest need not be fed).
    pub fn feed(&mut self, part: &str) -> Result<bool, InputError> {
        let lines = self.lines;
        let prepared =
            prepare_part(part).map_err(|e| InputError::new(lines + e.line, e.message))?;
        Ok(self.take(&prepared))
    }

    /// Hands each event read since the last call to `visit`, in capture order, with the index
    /// of its exchange and the exchange (whose message for that event is complete): what lets
    /// normalization look at a capture while it is read. Only hook Markdown read in parts hands
    /// out events; the others hand out none.
    pub(crate) fn hand_events(
        &mut self,
        visit: &mut dyn FnMut(usize, crate::trace::EventKind, &mut crate::trace::Exchange),
    ) {
        match &mut self.stream {
            Stream::Tests(_) => {}
            Stream::Sections(stream) => stream.hand_events(visit),
        }
    }

    /// The flows, once every part was fed; `Ok(None)` when the capture must be read whole with
    /// [`parse_flows`].
    pub fn finish(self) -> Result<Option<Vec<Trace>>, InputError> {
        match self.stream {
            Stream::Tests(stream) => stream.finish().map(Some),
            Stream::Sections(stream) => Ok(stream.finish().map(|flow| vec![flow])),
        }
    }

    /// Reads a prepared part; false once the capture must be read whole.
    fn take(&mut self, prepared: &str) -> bool {
        self.lines += count_lines(prepared);
        match &mut self.stream {
            Stream::Tests(stream) => {
                stream.feed(prepared);
                true
            }
            Stream::Sections(stream) => stream.feed(prepared),
        }
    }
}

/// Parses a capture that holds one flow (see [`parse_flows`] for captures holding several).
///
/// ```
/// let text = "a->>b: GET /x\nb-->>a: 200 OK /x\n";
/// assert_eq!(flowdiff::parse::parse(text).expect("one flow").exchanges.len(), 1);
/// ```
pub fn parse(text: &str) -> Result<Trace, InputError> {
    let mut flows = parse_flows(text)?;
    if flows.len() == 1 {
        return Ok(flows.remove(0));
    }
    Err(InputError::new(0, several_flows(&flows)))
}

/// The message for a capture holding several flows where one was expected.
pub fn several_flows(flows: &[Trace]) -> String {
    format!("{}: expected one; name it with --flow", flow_names(flows))
}

/// `the capture holds 7 flows (a, b, c, d, e and 2 more)`: what a capture holds, for messages.
pub fn flow_names(flows: &[Trace]) -> String {
    const SHOWN: usize = 5;
    let names: Vec<&str> = flows
        .iter()
        .take(SHOWN)
        .map(|f| f.name.as_deref().unwrap_or("(unnamed)"))
        .collect();
    let more = flows.len().saturating_sub(SHOWN);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "the capture holds {} flows ({}{tail})",
        flows.len(),
        names.join(", ")
    )
}

/// True when `text` is in one of the capture formats (whether or not it then parses cleanly):
/// what a directory walk uses to skip files that are not captures at all.
pub fn is_capture(text: &str) -> bool {
    prepare(text).and_then(|t| detect(&t)).is_ok()
}

/// True for a byte that never occurs in a text capture: a control character other than tab,
/// line feed, form feed and carriage return, or DEL.
const fn is_binary(b: u8) -> bool {
    (b < 0x20 && !matches!(b, 0x09 | 0x0a | 0x0c | 0x0d)) || b == 0x7f
}

/// True when `bytes` holds a byte [`prepare_part`] acts on: a binary one ([`is_binary`], the
/// colour escape's ESC among them) or a carriage return. Folded in blocks, so that the compiler
/// vectorizes it.
fn has_special_byte(bytes: &[u8]) -> bool {
    let special = |b: u8| is_binary(b) || b == b'\r';
    let mut blocks = bytes.chunks_exact(64);
    let found = blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |any, &b| any | special(b)));
    found || blocks.remainder().iter().any(|&b| special(b))
}

/// The number of line feeds in `text` (a `str` or bytes), counted with `memchr`: the line
/// number of an offset is `1 +` the count before it.
pub(crate) fn count_lines(text: &(impl AsRef<[u8]> + ?Sized)) -> usize {
    memchr::memchr_iter(b'\n', text.as_ref()).count()
}

/// Strips a BOM and colour escapes (`\x1b[…m`, which logs carry anywhere in a line), turns
/// CRLF into LF, and rejects empty and binary input.
fn prepare(text: &str) -> Result<Cow<'_, str>, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError::new(0, format!("empty file, {EXPECTED}")));
    }
    prepare_part(text)
}

/// [`prepare`] for a part of a capture after its first: colour escapes stripped, binary data
/// refused (line numbers relative to the part), CRLF turned into LF.
fn prepare_part(text: &str) -> Result<Cow<'_, str>, InputError> {
    // Nearly every part holds no escape, control byte or carriage return: one vectorized pass
    // over the bytes says so.
    if !has_special_byte(text.as_bytes()) {
        return Ok(Cow::Borrowed(text));
    }
    let mut text = Cow::Borrowed(text);
    if text.contains('\x1b') {
        text = Cow::Owned(strip_colours(&text));
    }
    let control = text.bytes().position(is_binary);
    if let Some(at) = control {
        let line = 1 + count_lines(&text[..at]);
        return Err(InputError::new(
            line,
            format!(
                "binary data (control byte 0x{:02x}), {EXPECTED}",
                text.as_bytes()[at]
            ),
        ));
    }
    if text.contains('\r') {
        let mut clean = text.replace("\r\n", "\n");
        if clean.contains('\r') {
            clean = clean.replace('\r', "\n");
        }
        return Ok(Cow::Owned(clean));
    }
    Ok(text)
}

/// `text` without its SGR colour escapes (`ESC [ digits and ; m`); any other escape is kept.
fn strip_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let params = after.strip_prefix('[').map(|p| {
            p.bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b';')
                .count()
        });
        match params {
            Some(n) if after.as_bytes().get(1 + n) == Some(&b'm') => rest = &after[n + 2..],
            _ => {
                out.push('\x1b');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// True for a line that is (or is meant as) a Mermaid message arrow.
fn is_arrow(line: Line<'_>) -> bool {
    line.text.contains(">>")
        && line.text.contains(':')
        && matches!(mermaid::arrow(line.text, line.no), Ok(Some(_)) | Err(_))
}

/// The format: the first decisive line wins: a `### ` heading decides between raw log and
/// Markdown sections, a Tempest `rest_client` request line makes a Tempest log, a `REQ: curl`
/// line a client's debug output; without any, Mermaid arrows make a Mermaid capture; anything
/// else is not a capture. A `# ` title decides nothing, and the lines of a fenced Mermaid
/// diagram only count as arrows (a flow or party named like a log line does not make the page
/// a log).
fn detect(text: &str) -> Result<Format, InputError> {
    let mut saw_arrow = false;
    let mut first_text = None;
    let mut in_diagram = false;
    for line in Cursor::new(text) {
        if line.is_blank() {
            continue;
        }
        first_text.get_or_insert(line.no);
        if line.text.starts_with("# ") {
            // A title (a flow's name) decides nothing, whatever it quotes.
            continue;
        }
        if in_diagram || mermaid::is_mermaid_fence(line.text.trim_start()) {
            in_diagram = !in_diagram || line.text.trim() != "```";
            saw_arrow = saw_arrow || (in_diagram && is_arrow(line));
        } else if let Some(heading) = line.text.strip_prefix("### ") {
            if hook_log::heading(line.text).is_some() {
                return Ok(Format::HookLog);
            }
            if parse_call(heading, false).is_some() {
                return Ok(Format::HookMarkdown);
            }
        } else if tempest::is_request_line(line.text) {
            return Ok(Format::TempestLog);
        } else if client_debug::is_request_line(line.text) {
            return Ok(Format::ClientDebug);
        } else {
            saw_arrow = saw_arrow || is_arrow(line);
        }
    }
    if saw_arrow {
        return Ok(Format::Mermaid);
    }
    Err(InputError::new(
        first_text.unwrap_or(1),
        format!("not a capture (no call heading or arrow found), {EXPECTED}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::{count_lines, has_special_byte, prepare_part, PartReader};

    /// The first `lines` lines of `text`, as the first part of a file read in parts.
    fn first_lines(text: &str, lines: usize) -> String {
        text.split_inclusive('\n').take(lines).collect()
    }

    #[test]
    fn a_capture_whose_first_part_needs_it_read_whole_is_read_on_not_read_again() {
        // Every blessed golden starts with its diagram: reading in parts stops there, so the
        // first part says the capture is read whole (and the caller reads on from it).
        let goldens = crate::golden::builtin();
        assert!(!goldens.is_empty());
        for golden in goldens {
            let text = &golden.text;
            for lines in [20, usize::MAX] {
                let first = first_lines(text, lines);
                let started = PartReader::start(&first, Some(text.len())).expect("reads");
                assert!(started.is_none(), "{} started in parts", golden.source);
            }
            assert!(super::parse_flows(text).is_ok(), "{}", golden.source);
        }
        // A hook capture without a diagram is read in parts, from its first part on.
        let hook = crate::test_support::fixture("server-create.hook.md");
        let first = first_lines(&hook, 40);
        let started = PartReader::start(&first, Some(hook.len())).expect("reads");
        assert!(started.is_some());
    }

    #[test]
    fn the_vectorized_scan_flags_exactly_the_bytes_prepare_acts_on() {
        for b in 0..=u8::MAX {
            // Control bytes but tab, line feed and form feed (carriage return is acted on: it
            // becomes a line feed), and DEL.
            let acted_on = (b < 0x20 && !matches!(b, 0x09 | 0x0a | 0x0c)) || b == 0x7f;
            // At every position of a block and of the remainder after the blocks.
            for at in [0, 63, 64, 100] {
                let mut bytes = vec![b'a'; 101];
                bytes[at] = b;
                assert_eq!(has_special_byte(&bytes), acted_on, "byte 0x{b:02x} at {at}");
            }
        }
        let crlf = "a\r\nb\n".repeat(40);
        assert_eq!(
            prepare_part(&crlf).ok().as_deref(),
            Some("a\nb\n".repeat(40).as_str())
        );
        assert_eq!(count_lines(&crlf), 80);
    }
}
