//! Tempest's request log (`tempest.log`, format 5): one flow per caller label (`Class:test_x`,
//! `Class:setUpClass`, `main`), client side only.
//!
//! A record is an INFO line `Request (CALLER): STATUS METHOD URL[ SECONDS s]` and, when debug
//! logging was on, a DEBUG block from the same worker (`Request - Headers: {…}`, `Body: …`,
//! `Response - Headers: {…}`, `Body: …`, maybe a `FUNC PATH.py:LINE` trailer). Workers (the pid
//! after the timestamp) append to one file, so records interleave: a DEBUG block belongs to its
//! worker's last INFO line, and the lines without a log prefix belong to the line before them.
//! One pass over the lines; the prefix is found by pattern (timestamp, pid, level) wherever it
//! sits, so an outer prefix wrapping every line and any bracket content are accepted.

use super::blocks::body_from_text;
use super::json_prefix::json_prefix;
use super::lines::{clip, is_method, status_code, Cursor};
use super::pyrepr::{dict, literal};
use super::records;
use crate::error::InputError;
use crate::intern::Interner;
use crate::trace::{Body, Format, Headers, Message, Trace, Warning};
use regex::Regex;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Tempest cuts every logged body at this many characters, without a marker.
const BODY_LIMIT: usize = 4096;

/// The caller every exchange of a Tempest log has.
const CALLER: &str = "tempest";

/// Response "headers" Tempest adds itself (they are not HTTP headers).
const ADDED_HEADERS: [&str; 2] = ["status", "content-location"];

/// What a request line looks like, for messages.
const REQUEST_SHAPE: &str = "`Request (CALLER): STATUS METHOD URL[ SECONDS s]`";

/// The log prefix: timestamp (`.` or `,` before the fraction), pid, level.
fn prefix_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)? +(\d+) +(?:INFO|DEBUG|WARNING|WARN|ERROR|CRITICAL|TRACE|AUDIT)\b",
        )
        .unwrap_or_else(|e| unreachable!("the prefix pattern compiles: {e}"))
    })
}

/// Where a log prefix sits in a line: the outer prefix before it, the worker, the rest.
struct Prefixed<'a> {
    /// Length of whatever wraps the line before the timestamp.
    wrap: usize,
    /// The worker (pid).
    pid: &'a str,
    /// The text after the level: logger, bracket content, message.
    rest: &'a str,
}

/// Longest line start searched for a log prefix (an outer prefix may come first).
const PREFIX_WINDOW: usize = 512;

fn prefixed(line: &str) -> Option<Prefixed<'_>> {
    let mut window = line.len().min(PREFIX_WINDOW);
    while !line.is_char_boundary(window) {
        window -= 1;
    }
    let caps = prefix_pattern().captures(&line[..window])?;
    let (whole, pid) = (caps.get(0)?, caps.get(1)?);
    Some(Prefixed {
        wrap: whole.start(),
        pid: pid.as_str(),
        rest: &line[whole.end()..],
    })
}

/// Where the message of a `rest_client` log line starts (after the logger name and bracket
/// content, at `marker`), as an offset in `rest`.
fn rest_client_message(rest: &str, marker: &str) -> Option<usize> {
    let after = rest.find("rest_client")? + "rest_client".len();
    Some(after + rest[after..].find(marker)?)
}

/// An INFO request line's fields.
#[derive(Debug, PartialEq, Eq)]
struct RequestLine<'a> {
    caller: &'a str,
    status: u16,
    method: &'a str,
    url: &'a str,
}

/// Reads `Request (CALLER): STATUS METHOD URL[ SECONDS s]`; `Err(())` when the message starts
/// like one but does not fit.
fn request_message(message: &str) -> Result<RequestLine<'_>, ()> {
    let rest = message.strip_prefix("Request (").ok_or(())?;
    let close = rest.find("): ").ok_or(())?;
    let mut tokens = rest[close + 3..].split(' ').filter(|t| !t.is_empty());
    let status = tokens.next().and_then(status_code).ok_or(())?;
    let method = tokens.next().filter(|t| is_method(t)).ok_or(())?;
    let url = tokens.next().filter(|t| t.contains("://")).ok_or(())?;
    let seconds = tokens.next();
    let fits = tokens.next().is_none()
        && seconds.is_none_or(|s| {
            s.strip_suffix('s').is_some_and(|n| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            })
        });
    let caller = &rest[..close];
    (fits && !caller.is_empty())
        .then_some(RequestLine {
            caller,
            status,
            method,
            url,
        })
        .ok_or(())
}

/// True for a Tempest request line (what detection looks for).
pub(crate) fn is_request_line(line: &str) -> bool {
    line.contains("Request (")
        && prefixed(line)
            .and_then(|p| Some(&p.rest[rest_client_message(p.rest, "Request (")?..]))
            .is_some_and(|m| request_message(m).is_ok())
}

/// The record a worker wrote last.
#[derive(Clone, Copy)]
struct Last {
    flow: usize,
    exchange: usize,
    line: usize,
    debugged: bool,
}

/// The parser's state over one pass.
#[derive(Default)]
struct Reader {
    /// One flow per test (caller label), in order of first sight.
    flows: Interner<Trace>,
    workers: HashMap<String, Last>,
    /// Warnings before any flow exists (given to the first flow).
    orphans: Vec<Warning>,
}

/// A log entry: a prefixed line and the unprefixed lines after it.
struct Entry<'a> {
    line: usize,
    pid: &'a str,
    /// Offset of the entry's text after the level, in the whole text.
    start: usize,
    /// The entry's text when lines had to be unwrapped (an outer prefix on every line).
    unwrapped: Option<String>,
}

/// Parses a Tempest log into one flow per caller label.
pub(crate) fn parse(text: &str) -> Result<Vec<Trace>, InputError> {
    let mut reader = Reader::default();
    read_entries(&mut reader, text, 0);
    reader.finish()
}

/// A Tempest log read in parts (a full run's log is hundreds of MB): each part is complete
/// lines; whole entries are read as soon as the next prefixed line shows they are complete, so
/// only the last, maybe unfinished, entry is kept between parts.
#[derive(Default)]
pub(crate) struct Stream {
    reader: Reader,
    /// Text from the start of the last entry seen, not read yet.
    pending: String,
    /// Where in `pending` the search for an entry start may begin (what is before was searched).
    searched: usize,
    /// Lines before `pending`.
    lines_before: usize,
}

impl Stream {
    /// Takes the next part of the log: complete lines (ending in a newline), already prepared.
    pub(crate) fn feed(&mut self, part: &str) {
        let from = self.searched;
        self.pending.push_str(part);
        let cut = last_entry_start(&self.pending, from);
        if cut == 0 {
            // No new entry starts here: search only the new lines next time.
            self.searched = self.pending.len();
            return;
        }
        let complete = &self.pending[..cut];
        read_entries(&mut self.reader, complete, self.lines_before);
        self.lines_before += super::count_lines(complete);
        self.pending.drain(..cut);
        self.searched = 0;
    }

    /// Reads what is left and returns the flows.
    pub(crate) fn finish(mut self) -> Result<Vec<Trace>, InputError> {
        let rest = std::mem::take(&mut self.pending);
        read_entries(&mut self.reader, &rest, self.lines_before);
        self.reader.finish()
    }
}

/// Where the last prefixed line of `text` starting after byte `from` starts (0 when none does
/// after the first line): everything before it is complete entries. Searches backwards, so the
/// cost is the lines after that start (or after `from`).
fn last_entry_start(text: &str, from: usize) -> usize {
    let mut end = text.len();
    while end > from {
        let start = text[..end.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        if start == 0 || start < from {
            return 0;
        }
        if prefixed(&text[start..end]).is_some() {
            return start;
        }
        end = start;
    }
    0
}

/// Reads the entries of `text`, whose first line is line `lines_before + 1` of the log.
fn read_entries(reader: &mut Reader, text: &str, lines_before: usize) {
    let mut wrap: Option<&str> = None;
    let mut entry: Option<Entry> = None;
    for line in Cursor::new(text) {
        if let Some(p) = prefixed(line.text) {
            if let Some(done) = entry.take() {
                reader.entry(&done, entry_text(text, &done, line.start));
            }
            wrap = (p.wrap > 0).then(|| &line.text[..p.wrap]);
            let start = line.start + (line.text.len() - p.rest.len());
            entry = Some(Entry {
                line: lines_before + line.no,
                pid: p.pid,
                start,
                unwrapped: wrap.map(|_| p.rest.to_string()),
            });
        } else if let Some(Entry {
            unwrapped: Some(joined),
            ..
        }) = entry.as_mut()
        {
            joined.push('\n');
            joined.push_str(unwrap(line.text, wrap));
        }
    }
    if let Some(done) = entry.take() {
        reader.entry(&done, entry_text(text, &done, text.len()));
    }
}

/// The text of an entry that ends where the next one starts (`end`).
fn entry_text<'a>(text: &'a str, entry: &'a Entry, end: usize) -> &'a str {
    match &entry.unwrapped {
        Some(joined) => joined,
        None => text[entry.start..end]
            .strip_suffix('\n')
            .unwrap_or(&text[entry.start..end]),
    }
}

/// A continuation line without the outer prefix every line of the file carries, when it has
/// one of the same shape (same length, same characters except digits).
fn unwrap<'a>(line: &'a str, wrap: Option<&str>) -> &'a str {
    let Some(wrap) = wrap else { return line };
    let same_shape = line.len() >= wrap.len()
        && line.is_char_boundary(wrap.len())
        && line
            .bytes()
            .zip(wrap.bytes())
            .all(|(a, b)| a == b || (a.is_ascii_digit() && b.is_ascii_digit()));
    if same_shape {
        &line[wrap.len()..]
    } else {
        line
    }
}

impl Reader {
    fn entry(&mut self, entry: &Entry<'_>, message: &str) {
        let first = message.split('\n').next().unwrap_or("");
        if let Some(at) = rest_client_message(first, "Request (") {
            let request = &first[at..];
            match request_message(request) {
                Ok(record) => self.request(entry, record),
                Err(()) => self.warn(
                    entry.pid,
                    entry.line,
                    format!(
                        "expected a request line {REQUEST_SHAPE}, found `{}`",
                        clip(request)
                    ),
                ),
            }
        } else if let Some(at) = rest_client_message(first, "Request - Headers:") {
            self.debug_block(entry, &message[at..]);
        }
    }

    fn request(&mut self, entry: &Entry<'_>, record: RequestLine<'_>) {
        let Some(mut exchange) = records::exchange(CALLER, record.method, record.url, entry.line)
        else {
            return self.warn(
                entry.pid,
                entry.line,
                format!(
                    "expected an absolute URL with a host, found `{}`",
                    clip(record.url)
                ),
            );
        };
        exchange.status = Some(record.status);
        exchange.response.line = Some(entry.line);
        let flow = self.flows.intern(record.caller, || {
            records::flow(Some(record.caller.to_string()), Format::TempestLog)
        });
        let exchanges = &mut self.flows[flow].exchanges;
        exchanges.push(exchange);
        self.workers.insert(
            entry.pid.to_string(),
            Last {
                flow,
                exchange: exchanges.len() - 1,
                line: entry.line,
                debugged: false,
            },
        );
    }

    /// A DEBUG block: it completes its worker's last request line.
    fn debug_block(&mut self, entry: &Entry<'_>, block: &str) {
        let last = match self.workers.get_mut(entry.pid) {
            Some(last) if !last.debugged => {
                last.debugged = true;
                *last
            }
            _ => {
                return self.warn(
                    entry.pid,
                    entry.line,
                    "debug block without a request line of its worker before it, skipped".into(),
                )
            }
        };
        let flow = &mut self.flows[last.flow];
        let exchange = &mut flow.exchanges[last.exchange];
        let read = read_block(block, entry.line, &mut flow.warnings);
        exchange.request.headers = read.request.headers;
        exchange.request.body = read.request.body;
        exchange.request.truncated = read.request.truncated;
        if read.response.line.is_some() {
            exchange.response = read.response;
        } else {
            flow.warnings.push(Warning {
                line: entry.line,
                message: format!(
                    "the debug block of the request at line {} ends before `Response - Headers: {{…}}` and its `Body:`: kept with what it holds",
                    last.line
                ),
            });
        }
    }

    fn warn(&mut self, pid: &str, line: usize, message: String) {
        let warning = Warning { line, message };
        match self.workers.get(pid) {
            Some(last) => self.flows[last.flow].warnings.push(warning),
            None => self.orphans.push(warning),
        }
    }

    fn finish(mut self) -> Result<Vec<Trace>, InputError> {
        let Some(first) = self.flows.values_mut().first_mut() else {
            let (line, what) = self
                .orphans
                .first()
                .map_or((1, String::new()), |w| (w.line, format!(": {}", w.message)));
            return Err(InputError::new(
                line,
                format!("no Tempest request line {REQUEST_SHAPE} could be read{what}"),
            ));
        };
        first.warnings.append(&mut self.orphans);
        Ok(self
            .flows
            .into_values()
            .into_iter()
            .map(records::finish)
            .collect())
    }
}

/// What a DEBUG block holds.
struct Block {
    request: Message,
    response: Message,
}

/// Reads a DEBUG block starting at `Request - Headers:` on line `line`. Problems become
/// warnings; what could be read is kept.
fn read_block(block: &str, line: usize, warnings: &mut Vec<Warning>) -> Block {
    let mut request = Message::default();
    let mut response = Message::default();
    let line_of = |offset: usize| line + super::count_lines(&block[..offset]);
    let headers_at = "Request - Headers:".len();
    request.headers = headers(block, headers_at, false, line, warnings);
    let Some(body_at) = labelled_line(block, headers_at, "Body:") else {
        return Block { request, response };
    };
    let response_at = labelled_line(block, body_at, "Response - Headers:");
    let request_end = response_at.map_or(block.len(), |at| line_start(block, at).saturating_sub(1));
    (request.body, request.truncated) = body(
        &block[body_at..request_end.max(body_at)],
        line_of(body_at),
        warnings,
    );
    let Some(response_at) = response_at else {
        return Block { request, response };
    };
    let response_line = line_of(response_at);
    response.line = Some(response_line);
    response.headers = headers(block, response_at, true, response_line, warnings);
    match labelled_line(block, response_at, "Body:") {
        Some(at) => {
            let end = trailer(block, at).unwrap_or(block.len());
            (response.body, response.truncated) = body(&block[at..end], line_of(at), warnings);
        }
        None => warnings.push(Warning {
            line: response_line,
            message: "the response headers are not followed by `Body:`: the body is unknown".into(),
        }),
    }
    Block { request, response }
}

/// The offset just past `label ` on the first line after `from`'s line whose text starts
/// (after indentation) with `label`.
fn labelled_line(block: &str, from: usize, label: &str) -> Option<usize> {
    let mut at = from + block[from..].find('\n')? + 1;
    loop {
        let line = &block[at..];
        let text = line.trim_start_matches([' ', '\t']);
        if let Some(rest) = text.strip_prefix(label) {
            let start = block.len() - rest.len();
            return Some(if rest.starts_with(' ') {
                start + 1
            } else {
                start
            });
        }
        at += line.find('\n')? + 1;
    }
}

/// Offset of the start of the line holding `offset`.
fn line_start(block: &str, offset: usize) -> usize {
    block[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Reads the header dict repr after a `… Headers:` label at `label_end`; the response loses the
/// "headers" Tempest adds. A malformed repr gives a warning and no headers.
fn headers(
    block: &str,
    label_end: usize,
    is_response: bool,
    line: usize,
    warnings: &mut Vec<Warning>,
) -> Headers {
    let text = block[label_end..].trim_start_matches(' ');
    let mut headers = Headers::default();
    match dict(text) {
        Ok((pairs, _)) => {
            for (name, value) in &pairs {
                let added = ADDED_HEADERS.iter().any(|a| a.eq_ignore_ascii_case(name));
                if !is_token(name) {
                    warnings.push(Warning {
                        line,
                        message: format!(
                            "header name `{}` is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~), dropped",
                            clip(name)
                        ),
                    });
                } else if !(is_response && added) {
                    let one_line = field_value(value);
                    if value.contains(['\r', '\n']) {
                        warnings.push(Warning {
                            line,
                            message: format!(
                                "header `{}` has a line break in its value, folded into one line",
                                clip(name)
                            ),
                        });
                    }
                    headers.push(name, &one_line);
                }
            }
        }
        Err((at, expected)) => warnings.push(Warning {
            line: line + super::count_lines(&text[..at.min(text.len())]),
            message: format!(
                "the headers are not a Python dict repr: expected {expected} at `{}`, kept none",
                clip(&text[at.min(text.len())..])
            ),
        }),
    }
    headers.shrink_to_fit();
    headers
}

/// A header value as HTTP carries it (RFC 9110, 5.5): CR, LF and NUL replaced by a space, no
/// white space around it. A Python repr may hold any of them (`'a\nb'`); a header line of a
/// written golden cannot.
fn field_value(value: &str) -> Cow<'_, str> {
    if value.contains(['\r', '\n', '\0']) {
        Cow::Owned(value.replace(['\r', '\n', '\0'], " ").trim().to_string())
    } else {
        Cow::Borrowed(value.trim())
    }
}

/// True for a header name HTTP allows (RFC 9110 `token`): what a header line can hold.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Offset of the `FUNC PATH.py:LINE` trailer oslo.log appends to a debug message (glued to the
/// body or on its own line), searched from `from` on; the separating space is not included in
/// the body, so the offset is that of the space (or of the trailer at a line start).
fn trailer(block: &str, from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let len = block[at..].find('\n').unwrap_or(block.len() - at);
        let line = &block[at..at + len];
        if let Some(start) = trailer_in(line) {
            let sep = usize::from(start > 0 && line.as_bytes()[start - 1] == b' ');
            return Some(at + start - sep);
        }
        if at + len >= block.len() {
            return None;
        }
        at += len + 1;
    }
}

/// Where a line's trailing `FUNC PATH.py:LINE` starts.
fn trailer_in(line: &str) -> Option<usize> {
    let line = line.trim_end();
    let (head, number) = line.rsplit_once(':')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (head, path) = head.rsplit_once(' ')?;
    if !path.ends_with(".py") {
        return None;
    }
    let start = head.rfind([' ', '\t']).map_or(0, |i| i + 1);
    let func = &head[start..];
    let identifier = func
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && func.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    identifier.then_some(start)
}

/// Classifies a logged body (the text after `Body: `, exactly as logged) and says whether it
/// was cut. The cut is recognised by length: Tempest keeps the first 4096 characters of
/// `str(body)`, so the logged text (the repr itself for bytes, before decoding) is then exactly
/// 4096 characters long (counted as code points, or as bytes for Python 2's byte strings).
fn body(raw: &str, line: usize, warnings: &mut Vec<Warning>) -> (Body, bool) {
    let at_limit = raw.len() == BODY_LIMIT || raw.chars().count() == BODY_LIMIT;
    if raw.starts_with("b'") || raw.starts_with("b\"") {
        let first = raw.split('\n').next().unwrap_or(raw);
        if let Some(lit) = literal(first) {
            let decoded = String::from_utf8(lit.bytes).ok();
            let repr = Body::Bytes(first[..lit.end].to_string());
            if lit.closed {
                return match decoded {
                    Some(t) if t.is_empty() => (Body::None, false),
                    Some(t) => match crate::trace::json::from_str(t.trim()) {
                        Ok(json) => (Body::Json(json), false),
                        Err(_) => (repr, false),
                    },
                    None => (repr, false),
                };
            }
            if !at_limit {
                warnings.push(Warning {
                    line,
                    message: "a bytes body without its closing quote, shorter than the 4096-character cut: kept as logged".into(),
                });
                return (repr, false);
            }
            let prefix = decoded.as_deref().and_then(json_prefix);
            return (prefix.map_or(repr, Body::Json), true);
        }
    }
    if at_limit && crate::trace::json::from_str(raw.trim()).is_err() {
        return match json_prefix(raw) {
            Some(json) => (Body::Json(json), true),
            None => (Body::Text(raw.trim_end().to_string()), true),
        };
    }
    (body_from_text(raw, 0, line, warnings), false)
}
