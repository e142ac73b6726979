//! Shared scanning helpers for every format: a line cursor, call lines, URLs, party names.

/// One line of the input: its 1-based number, byte offset and text without newline and
/// trailing white space.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub no: usize,
    /// Byte offset of the line's first character.
    pub start: usize,
    /// The line without its newline and trailing white space.
    pub text: &'a str,
}

impl<'a> Line<'a> {
    /// True when the line holds only white space.
    pub(super) fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    /// Number of leading spaces (a tab counts as four).
    pub(super) fn indent(&self) -> usize {
        let mut width = 0;
        for b in self.text.bytes() {
            match b {
                b' ' => width += 1,
                b'\t' => width += 4,
                _ => break,
            }
        }
        width
    }

    /// True for a Markdown heading at column 0 (`# `, `## `, `### `, ...).
    pub(super) fn is_heading(&self) -> bool {
        let hashes = self.text.bytes().take_while(|&b| b == b'#').count();
        hashes > 0 && self.text[hashes..].starts_with(' ')
    }
}

/// A forward cursor over the lines of a text (`\n`-separated, no `\r`).
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    no: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the first line of `text`.
    pub(super) fn new(text: &'a str) -> Self {
        Cursor {
            text,
            pos: 0,
            no: 0,
        }
    }

    /// A cursor at the first line of `text`, which is line `lines_before + 1` of a capture read
    /// in parts.
    pub(super) fn starting_at(text: &'a str, lines_before: usize) -> Self {
        Cursor {
            text,
            pos: 0,
            no: lines_before,
        }
    }

    /// The whole text the cursor walks.
    pub(super) fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offset of the next line.
    pub(super) fn offset(&self) -> usize {
        self.pos
    }

    /// Number of the last line returned (0 before the first).
    pub(super) fn line_no(&self) -> usize {
        self.no
    }

    /// The next line without consuming it.
    pub(super) fn peek(&self) -> Option<Line<'a>> {
        self.clone().next()
    }

    /// Steps back so that `line`, the line just returned, is returned again (cheaper than
    /// peeking at every line when only the last one must be left unread).
    pub(super) fn unread(&mut self, line: Line<'a>) {
        self.pos = line.start;
        self.no = line.no - 1;
    }
}

impl<'a> Iterator for Cursor<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let (raw, advance) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        let start = self.pos;
        self.pos += advance;
        self.no += 1;
        Some(Line {
            no: self.no,
            start,
            text: raw.trim_end(),
        })
    }
}

/// The call a heading or arrow describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call<'a> {
    /// `METHOD TARGET`.
    Request {
        /// Upper-case method.
        method: &'a str,
        /// Path or URL as written.
        target: &'a str,
    },
    /// `[PREFIX:] STATUS REASON [METHOD] [TARGET]`.
    Response {
        /// Status code.
        status: u16,
        /// Reason phrase, possibly several words, possibly empty.
        reason: &'a str,
        /// The method, when the format repeats it (raw hook log).
        method: Option<&'a str>,
        /// Path or URL as written; `None` when the message leaves it out (the path is then that
        /// of the request the response closes).
        target: Option<&'a str>,
    },
}

impl<'a> Call<'a> {
    /// The path or URL as written, when the call names one.
    pub(super) fn target(&self) -> Option<&'a str> {
        match *self {
            Call::Request { target, .. } => Some(target),
            Call::Response { target, .. } => target,
        }
    }
}

/// What a section heading / arrow text may look like, for error messages.
pub(crate) const CALL_SHAPES: &str =
    "`METHOD PATH` (e.g. `GET /v2/images`) or `STATUS REASON PATH` (e.g. `200 OK /v2/images`; a response may leave out the path and start with a word like `Response:`, e.g. `Response: 201 Created`)";

/// True for an HTTP method token: upper-case ASCII letters (GET, PATCH, COPY, ...).
pub(crate) fn is_method(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= 20
        && token
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'-' || b == b'_')
        && token.as_bytes()[0].is_ascii_uppercase()
}

/// A status code token: three digits, 100..=599 (what every format's reader accepts, so that
/// a status read from one format is written in a form the others read back).
pub(crate) fn status_code(token: &str) -> Option<u16> {
    if token.len() != 3 || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok().filter(|s| (100..=599).contains(s))
}

/// True for a request target: a path, `None` (the hook's `/`), `*` or an absolute URL.
fn is_target(token: &str) -> bool {
    token.starts_with('/')
        || token == "None"
        || token == "*"
        || token.starts_with("http://")
        || token.starts_with("https://")
}

/// Splits an optional `(N) ` step prefix off: the step number (saturated when it does not fit)
/// and the rest.
pub(crate) fn split_number(text: &str) -> (Option<usize>, &str) {
    let trimmed = text.trim_start();
    if let Some(rest) = trimmed.strip_prefix('(') {
        if let Some(close) = rest.find(')') {
            let digits = &rest[..close];
            if close > 0 && digits.bytes().all(|b| b.is_ascii_digit()) {
                let number = digits.parse().unwrap_or(usize::MAX);
                return (Some(number), rest[close + 1..].trim_start());
            }
        }
    }
    (None, trimmed)
}

/// Strips an optional `(N) ` step prefix.
pub(crate) fn strip_number(text: &str) -> &str {
    split_number(text).1
}

/// Longest prefix (`Response:`, `HTTP reply:`) a response message may carry before its status.
const MAX_PREFIX_WORDS: usize = 3;

/// Strips a short label ending in `:` (`Response: `, `Reply: `) from a response message that
/// does not start with its status; `None` when `text` has no such label.
fn strip_label(text: &str) -> Option<&str> {
    let (label, rest) = text.split_once(':')?;
    let words = label.split_whitespace().count();
    let fits = (1..=MAX_PREFIX_WORDS).contains(&words)
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_'));
    fits.then(|| rest.trim_start())
}

/// True for a reason phrase standing alone (no path after it): words of letters, `-` and `'`
/// (`MULTIPLE CHOICES`, `Non-Authoritative Information`), so that a malformed path is not
/// swallowed into the reason.
fn is_bare_reason(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphabetic() || b == b' ' || b == b'-' || b == b'\'')
}

/// `STATUS[ REASON]` at the start of `head`, the status being its first token.
fn status_and_reason(head: &str) -> Option<(u16, &str)> {
    let (status, reason) = match head.find(' ') {
        Some(i) => (&head[..i], head[i + 1..].trim_start()),
        None => (head, ""),
    };
    Some((status_code(status)?, reason))
}

/// Parses `[(N)] METHOD PATH` or `[(N)] [LABEL:] STATUS REASON [PATH]`; `None` for any other
/// shape. With `method_in_response` (the raw hook log's records) a response is exactly
/// `STATUS REASON METHOD PATH`: no label, the token before the target is its method.
pub(crate) fn parse_call(text: &str, method_in_response: bool) -> Option<Call<'_>> {
    let text = strip_number(text).trim_end();
    let (head, target) = match text.rfind(' ') {
        Some(i) if is_target(&text[i + 1..]) => (text[..i].trim_end(), Some(&text[i + 1..])),
        _ => (text, None),
    };
    if let Some(target) = target.filter(|_| is_method(head)) {
        return Some(Call::Request {
            method: head,
            target,
        });
    }
    if method_in_response {
        let target = Some(target?);
        let (status, reason) = status_and_reason(head)?;
        let (reason, method) = match reason.rfind(' ') {
            Some(i) if is_method(&reason[i + 1..]) => {
                (reason[..i].trim_end(), Some(&reason[i + 1..]))
            }
            _ if is_method(reason) => ("", Some(reason)),
            _ => return None,
        };
        return Some(Call::Response {
            status,
            reason,
            method,
            target,
        });
    }
    let (status, reason) =
        status_and_reason(head).or_else(|| strip_label(head).and_then(status_and_reason))?;
    if target.is_none() && !is_bare_reason(reason) {
        return None;
    }
    Some(Call::Response {
        status,
        reason,
        method: None,
        target,
    })
}

/// Splits a target into path and query. `None` (the hook's word) means `/`. An absolute URL
/// loses scheme and host; `url_query_known` says whether a missing `?` means "no query"
/// (`Some("")`) or "not recorded" (`None`).
pub(crate) fn split_target(target: &str, url_query_known: bool) -> (&str, Option<&str>) {
    if target == "None" {
        return ("/", None);
    }
    let (rest, is_url) = match after_scheme(target) {
        Some(after) => match after.find(['/', '?', '#']) {
            Some(j) => (&after[j..], true),
            None => ("", true),
        },
        None => (target, false),
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let path = if path.is_empty() { "/" } else { path };
    let query = match query {
        Some(q) => Some(q),
        None if is_url && url_query_known => Some(""),
        None => None,
    };
    (path, query)
}

/// What follows `scheme://` when `target` starts with a URL scheme (a letter, then letters,
/// digits, `+`, `-` or `.`: RFC 3986); `None` for a path or anything else, so that a `://`
/// later in a path or query (`/x?next=http://h/`) does not make it a URL.
fn after_scheme(target: &str) -> Option<&str> {
    let (scheme, rest) = target.split_once("://")?;
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    let valid = first.is_ascii_alphabetic()
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid.then_some(rest)
}

/// The authority of an absolute URL as `host:port`, the scheme's default port made explicit
/// (`https://h/x` gives `h:443`, `http://h:8082/x` gives `h:8082`) and user info dropped;
/// `None` when `url` is not absolute or names no host.
pub(crate) fn authority(url: &str) -> Option<String> {
    let rest = after_scheme(url)?;
    let scheme = &url[..url.len() - rest.len() - 3];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host_port = rest[..end].rsplit('@').next().unwrap_or("");
    let port_at = match host_port.rfind(']') {
        Some(bracket) => host_port[bracket..].find(':').map(|i| bracket + i),
        None => host_port.rfind(':'),
    };
    let host = port_at.map_or(host_port, |i| &host_port[..i]);
    if host.is_empty() {
        return None;
    }
    let port = match port_at.map(|i| &host_port[i + 1..]) {
        Some(port) if !port.is_empty() => port,
        _ if scheme.eq_ignore_ascii_case("http") => "80",
        _ if scheme.eq_ignore_ascii_case("https") => "443",
        _ => return Some(host.to_string()),
    };
    Some(format!("{host}:{port}"))
}

/// Parses a party line `caller --> callee` (request) or `caller <-- callee` (response), each
/// name in backticks (`` `openstack` --> `keystone` ``, what the hook writes; a name holding
/// backticks in a longer code span, `` ``a`b`` ``, as CommonMark writes it) or bare
/// (`openstack --> keystone`).
pub(crate) fn party_line(text: &str) -> Option<(&str, &str)> {
    let (caller, rest) = party_name(text.trim())?;
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix("-->")
        .or_else(|| rest.strip_prefix("<--"))?;
    let (callee, rest) = party_name(rest.trim_start())?;
    rest.trim().is_empty().then_some((caller, callee))
}

/// The party name `text` starts with and what follows it: a code span, or a bare name (no
/// spaces, backticks, `<`, `>` or `:`, so that Mermaid arrows and prose are not taken for
/// party lines) up to a space or an arrow.
fn party_name(text: &str) -> Option<(&str, &str)> {
    let ticks = text.bytes().take_while(|&b| b == b'`').count();
    let (name, rest) = if ticks == 0 {
        let end = text
            .char_indices()
            .find(|&(i, c)| {
                c.is_whitespace() || text[i..].starts_with("-->") || text[i..].starts_with("<--")
            })
            .map_or(text.len(), |(i, _)| i);
        let name = &text[..end];
        if name.bytes().any(|b| matches!(b, b'`' | b'<' | b'>' | b':')) {
            return None;
        }
        (name, &text[end..])
    } else {
        code_span(text, ticks)?
    };
    (!name.is_empty()).then_some((name, rest))
}

/// The content of the code span opened by `ticks` backticks at the start of `text` (closed by
/// a run of exactly as many; one space stripped from both ends when both have one), and what
/// follows it.
fn code_span(text: &str, ticks: usize) -> Option<(&str, &str)> {
    let body = &text[ticks..];
    let mut at = 0;
    while let Some(found) = body[at..].find('`') {
        let start = at + found;
        let run = body[start..].bytes().take_while(|&b| b == b'`').count();
        if run == ticks {
            let content = &body[..start];
            let rest = &body[start + run..];
            let padded = content.len() >= 2
                && content.starts_with(' ')
                && content.ends_with(' ')
                && !content.trim().is_empty();
            let content = if padded {
                &content[1..content.len() - 1]
            } else {
                content
            };
            return Some((content, rest));
        }
        at = start + run;
    }
    None
}

/// A line shortened for an error message.
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_read_from_headings() {
        assert_eq!(
            parse_call("(5) GET /v2/images/x", false),
            Some(Call::Request {
                method: "GET",
                target: "/v2/images/x"
            })
        );
        assert_eq!(
            parse_call("300 MULTIPLE CHOICES None", false),
            Some(Call::Response {
                status: 300,
                reason: "MULTIPLE CHOICES",
                method: None,
                target: Some("None")
            })
        );
        assert_eq!(
            parse_call("201 Created POST http://h/x", true),
            Some(Call::Response {
                status: 201,
                reason: "Created",
                method: Some("POST"),
                target: Some("http://h/x")
            })
        );
        assert_eq!(
            parse_call("COPY /v1/a", false).map(|c| matches!(c, Call::Request { .. })),
            Some(true)
        );
        assert_eq!(parse_call("Introduction to things", false), None);
        assert_eq!(parse_call("get /x", false), None);
        assert_eq!(parse_call("999 OK /x", false), None);
    }

    #[test]
    fn targets_split_into_path_and_query() {
        assert_eq!(split_target("None", false), ("/", None));
        assert_eq!(split_target("/a?b=1", false), ("/a", Some("b=1")));
        assert_eq!(split_target("/a", false), ("/a", None));
        assert_eq!(split_target("http://h:8080/a", true), ("/a", Some("")));
        assert_eq!(split_target("http://h:8080", true), ("/", Some("")));
        assert_eq!(
            split_target("http://h/g?format=json", true),
            ("/g", Some("format=json"))
        );
        // A `://` inside a path or query does not make the target a URL (found by fuzzing).
        assert_eq!(split_target("/p:///o://", false), ("/p:///o://", None));
        assert_eq!(
            split_target("/image?next=http://h/info", false),
            ("/image", Some("next=http://h/info"))
        );
        assert_eq!(split_target("a b://h/x", true), ("a b://h/x", None));
    }

    #[test]
    fn authorities_name_the_port() {
        assert_eq!(
            authority("https://158.69.70.115/compute/v2.1"),
            Some("158.69.70.115:443".into())
        );
        assert_eq!(
            authority("http://127.0.0.1:8082/v1/x?a=b"),
            Some("127.0.0.1:8082".into())
        );
        assert_eq!(authority("http://h"), Some("h:80".into()));
        assert_eq!(authority("http://u:p@h:81/"), Some("h:81".into()));
        assert_eq!(authority("http://[::1]/x"), Some("[::1]:80".into()));
        assert_eq!(authority("http://[::1]:5000/x"), Some("[::1]:5000".into()));
        assert_eq!(authority("/v2/images"), None);
        assert_eq!(authority("http:///x"), None);
        assert_eq!(authority("/x?u=http://h/"), None);
    }

    #[test]
    fn party_lines() {
        assert_eq!(
            party_line("`openstack` --> `glance-api`"),
            Some(("openstack", "glance-api"))
        );
        assert_eq!(
            party_line("`openstack` <-- `keystone`  "),
            Some(("openstack", "keystone"))
        );
        assert_eq!(party_line("`a` and `b`"), None);
        assert_eq!(
            party_line("openstack --> glance-api"),
            Some(("openstack", "glance-api"))
        );
        assert_eq!(
            party_line("  nova-api <-- keystone"),
            Some(("nova-api", "keystone"))
        );
        assert_eq!(party_line("osc-->>keystone: GET /identity"), None);
        // Names that need a code span: `:`, arrows, backticks (a longer span), spaces.
        assert_eq!(
            party_line("`nova:api` --> `10.0.0.5:443`"),
            Some(("nova:api", "10.0.0.5:443"))
        );
        assert_eq!(party_line("`a-->b` <-- `c`"), Some(("a-->b", "c")));
        assert_eq!(
            party_line("```` ```x ```` --> `` a`b ``"),
            Some(("```x", "a`b"))
        );
        assert_eq!(party_line("``a`` --> `b` extra"), None);
        assert_eq!(party_line("``a` --> `b`"), None);
        assert_eq!(party_line("the client --> keystone"), None);
        assert_eq!(party_line("--> keystone"), None);
        assert_eq!(party_line("`a` <--> `b`"), None);
    }

    #[test]
    fn responses_may_carry_a_label_and_leave_out_the_path() {
        let response = |status, reason, target| Call::Response {
            status,
            reason,
            method: None,
            target,
        };
        assert_eq!(
            parse_call("Response: 300 MULTIPLE CHOICES", false),
            Some(response(300, "MULTIPLE CHOICES", None))
        );
        assert_eq!(
            parse_call("201 Created", false),
            Some(response(201, "Created", None))
        );
        assert_eq!(
            parse_call("(8) HTTP reply: 204 No Content /v2/x", false),
            Some(response(204, "No Content", Some("/v2/x")))
        );
        assert_eq!(parse_call("204", false), Some(response(204, "", None)));
        assert_eq!(
            parse_call("200 OK: cached /x", false),
            Some(response(200, "OK: cached", Some("/x"))),
            "a reason with a colon is not a label"
        );
        // A path that is not a path is not swallowed into the reason.
        assert_eq!(parse_call("200 OK v2/images", false), None);
        assert_eq!(parse_call("Note: see below", false), None);
        assert_eq!(parse_call("One two three four: 200 OK", false), None);
        // The raw log's records keep their strict shape.
        assert_eq!(parse_call("Response: 200 OK GET http://h/x", true), None);
        assert_eq!(parse_call("200 OK GET", true), None);
    }

    #[test]
    fn step_numbers() {
        assert_eq!(split_number("(7) POST /x"), (Some(7), "POST /x"));
        assert_eq!(split_number("POST /x"), (None, "POST /x"));
        assert_eq!(split_number("() POST /x"), (None, "() POST /x"));
        assert_eq!(
            split_number("(99999999999999999999999) GET /").0,
            Some(usize::MAX)
        );
    }
}
