//! A client's `--debug` output (keystoneauth, format 6): one flow, caller `openstack`.
//!
//! Each call is `REQ: curl -g -i -X METHOD URL -H "Name: value"… [-d '…']`, urllib3's
//! connection lines, `RESP: [STATUS] Name: value Name: value…` and `RESP BODY: …` (several
//! lines until the next recognised line). The token request is never logged that way: it is
//! synthesised from `Making authentication request to URL`, urllib3's
//! `"POST /…/auth/tokens HTTP/1.1" 201 SIZE` line and the bare JSON body after it. The markers
//! are found anywhere in a line, so an oslo.log prefix before them is accepted; program output
//! and warnings between calls are skipped. With keystoneauth's `split-loggers` the `REQ:` /
//! `RESP:` prefixes are missing: such output is not read.

use super::blocks::{body_from_text, header_line};
use super::lines::{clip, is_method, status_code, Cursor, Line};
use super::records;
use crate::error::InputError;
use crate::trace::{Body, Completeness, Exchange, Format, Headers, Trace, Warning};
use memchr::memmem::Finder;
use std::sync::OnceLock;

/// The caller every exchange of a debug output has.
const CALLER: &str = "openstack";

const REQ: &str = "REQ: curl ";
const RESP: &str = "RESP: [";
const RESP_BODY: &str = "RESP BODY:";
const AUTH: &str = "Making authentication request to ";

/// The kinds of lines the reader recognises.
#[derive(Debug, PartialEq, Eq)]
enum Kind<'a> {
    /// `REQ: curl …`: the text after `curl `.
    Request(&'a str),
    /// `RESP: [STATUS] headers`: the text after `RESP: [`.
    Response(&'a str),
    /// `RESP BODY: …`: the text after the marker.
    ResponseBody(&'a str),
    /// `Making authentication request to URL`.
    Auth(&'a str),
    /// urllib3's `http://host:port "METHOD PATH HTTP/1.1" STATUS SIZE`: the status.
    Connection(u16),
    /// Another line of keystoneauth or urllib3 (it ends a body).
    Other,
    /// Anything else (program output, a body's next line).
    Unknown,
}

/// True for a line that starts a logged request (what detection looks for).
pub(crate) fn is_request_line(line: &str) -> bool {
    line.contains(REQ)
}

/// Lines of keystoneauth or urllib3 that are part of no call (they end a body).
const OTHER: [&str; 3] = [
    "Starting new HTTP",
    "Resetting dropped connection",
    " used request id ",
];

/// Searchers for the markers [`kind`] looks for in every line, built once: `str::find` builds
/// its searcher on each call, for each line and marker, and how the compiler inlined it moved
/// the cost of reading an output by 3% from one build of the same code to the next.
struct Markers {
    /// [`REQ`].
    request: Finder<'static>,
    /// [`RESP`].
    response: Finder<'static>,
    /// [`RESP_BODY`].
    response_body: Finder<'static>,
    /// [`AUTH`].
    auth: Finder<'static>,
    /// [`OTHER`].
    other: [Finder<'static>; 3],
}

impl Markers {
    /// The markers, built on first use.
    fn get() -> &'static Markers {
        static MARKERS: OnceLock<Markers> = OnceLock::new();
        MARKERS.get_or_init(|| Markers {
            request: Finder::new(REQ),
            response: Finder::new(RESP),
            response_body: Finder::new(RESP_BODY),
            auth: Finder::new(AUTH),
            other: OTHER.map(Finder::new),
        })
    }
}

/// What kind of line `line` is, by the first marker found in it.
fn kind(line: &str) -> Kind<'_> {
    let markers = Markers::get();
    let after = |marker: &Finder<'_>| {
        let at = marker.find(line.as_bytes())?;
        Some(&line[at + marker.needle().len()..])
    };
    if let Some(rest) = after(&markers.request) {
        return Kind::Request(rest);
    }
    if let Some(rest) = after(&markers.response) {
        return Kind::Response(rest);
    }
    if let Some(rest) = after(&markers.response_body) {
        return Kind::ResponseBody(rest.strip_prefix(' ').unwrap_or(rest));
    }
    if let Some(rest) = after(&markers.auth) {
        return Kind::Auth(rest.trim());
    }
    if let Some(status) = connection_status(line) {
        return Kind::Connection(status);
    }
    if markers
        .other
        .iter()
        .any(|m| m.find(line.as_bytes()).is_some())
    {
        return Kind::Other;
    }
    Kind::Unknown
}

/// The status of urllib3's `SCHEME://HOST:PORT "METHOD PATH HTTP/x.y" STATUS SIZE` line.
fn connection_status(line: &str) -> Option<u16> {
    let (head, rest) = line.split_once(" \"")?;
    if !head.rsplit(' ').next()?.contains("://") {
        return None;
    }
    let (request, tail) = rest.split_once("\" ")?;
    let mut words = request.split(' ');
    let method = words.next()?;
    let _path = words.next()?;
    let version = words.next()?;
    if !is_method(method) || !version.starts_with("HTTP/") {
        return None;
    }
    let status = tail.split(' ').next()?;
    status_code(status)
}

/// What the reader is in the middle of.
enum State {
    /// Between calls.
    Idle,
    /// Collecting a body's lines, from `start` (offset) on line `line`, for exchange `exchange`.
    Body {
        exchange: usize,
        line: usize,
        start: usize,
        end: usize,
    },
    /// After the token request's status: its bare JSON body may come next.
    AuthBody(usize),
}

/// Parses a client's debug output into one flow.
pub(crate) fn parse(text: &str) -> Result<Trace, InputError> {
    let mut reader = Reader {
        text,
        trace: records::flow(None, Format::ClientDebug),
        state: State::Idle,
        open: None,
        open_is_auth: false,
    };
    for line in Cursor::new(text) {
        reader.line(line);
    }
    reader.finish()
}

/// Reading a debug output line by line: the flow so far, what the reader is in the middle of
/// and the call whose response is awaited.
struct Reader<'t> {
    /// The whole output (bodies are sliced from it).
    text: &'t str,
    /// The flow read so far.
    trace: Trace,
    /// What the reader is in the middle of.
    state: State,
    /// The exchange whose response is awaited.
    open: Option<usize>,
    /// Whether `open` is the synthesised token request.
    open_is_auth: bool,
}

impl<'t> Reader<'t> {
    /// Reads one line: it goes on a body being collected, or starts the token request's body,
    /// or is read for what it is.
    fn line(&mut self, line: Line<'t>) {
        let kind = kind(line.text);
        if self.continues_body(&line, &kind) || self.starts_auth_body(&line, &kind) {
            return;
        }
        match kind {
            Kind::Request(command) => self.request_line(command, line.no),
            Kind::Auth(url) => self.auth_line(url, line.no),
            Kind::Connection(status) => self.connection_line(status, line.no),
            Kind::Response(rest) => self.response_line(rest, &line),
            Kind::ResponseBody(rest) => self.response_body_line(rest, &line),
            Kind::Other | Kind::Unknown => {}
        }
    }

    /// While a body is collected: true when `line` (unrecognised) goes on it, else the body
    /// ends before the line.
    fn continues_body(&mut self, line: &Line<'_>, kind: &Kind<'_>) -> bool {
        let State::Body { ref mut end, .. } = self.state else {
            return false;
        };
        if *kind == Kind::Unknown {
            *end = line.start + line.text.len();
            return true;
        }
        self.end_body();
        false
    }

    /// Ends the body being collected, if any: it becomes its exchange's response body.
    fn end_body(&mut self) {
        if let State::Body {
            exchange,
            line,
            start,
            end,
        } = std::mem::replace(&mut self.state, State::Idle)
        {
            self.trace.exchanges[exchange].response.body =
                body(&self.text[start..end], line, &mut self.trace.warnings);
        }
    }

    /// Just after the token request's status: true when `line` (bare JSON) starts its body;
    /// any other line ends the wait.
    fn starts_auth_body(&mut self, line: &Line<'_>, kind: &Kind<'_>) -> bool {
        let State::AuthBody(exchange) = self.state else {
            return false;
        };
        self.state = State::Idle;
        let t = line.text.trim_start();
        if *kind != Kind::Unknown || !(t.starts_with('{') || t.starts_with('[')) {
            return false;
        }
        let start = line.start + (line.text.len() - t.len());
        self.trace.exchanges[exchange]
            .response
            .line
            .get_or_insert(line.no);
        self.state = State::Body {
            exchange,
            line: line.no,
            start,
            end: line.start + line.text.len(),
        };
        true
    }

    /// Closes the call awaiting its response and makes `exchange` the one awaiting it.
    fn open(&mut self, exchange: Exchange, is_auth: bool) {
        self.trace.exchanges.push(exchange);
        self.open = Some(self.trace.exchanges.len() - 1);
        self.open_is_auth = is_auth;
    }

    /// A warning on line `line`.
    fn warn(&mut self, line: usize, message: String) {
        self.trace.warnings.push(Warning { line, message });
    }

    /// `REQ: curl COMMAND` on line `no`: a new call.
    fn request_line(&mut self, command: &str, no: usize) {
        close(&mut self.trace, self.open.take());
        match request(command, no, &mut self.trace.warnings) {
            Ok(exchange) => self.open(exchange, false),
            Err(message) => self.warn(no, message),
        }
    }

    /// `Making authentication request to URL` on line `no`: the token request, synthesised.
    fn auth_line(&mut self, url: &str, no: usize) {
        close(&mut self.trace, self.open.take());
        match records::exchange(CALLER, "POST", url, no) {
            Some(exchange) => self.open(exchange, true),
            None => self.warn(
                no,
                format!(
                    "expected an absolute URL without white space after `{}`, found `{}`",
                    AUTH.trim_end(),
                    clip(url)
                ),
            ),
        }
    }

    /// urllib3's connection line on line `no`: the open call's status unless its `RESP:` line
    /// gave it; for the token request, its body may come next.
    fn connection_line(&mut self, status: u16, no: usize) {
        let Some(i) = self.open else { return };
        let exchange = &mut self.trace.exchanges[i];
        if exchange.status.is_none() {
            exchange.status = Some(status);
            if self.open_is_auth {
                // The synthesised token request: its status, then maybe its body.
                exchange.response.line = Some(no);
                self.state = State::AuthBody(i);
            }
        }
    }

    /// `RESP: [REST` on `line`: the open call's status and response headers.
    fn response_line(&mut self, rest: &str, line: &Line<'_>) {
        let Some(i) = self.open else {
            self.warn(
                line.no,
                "a `RESP:` line without a `REQ: curl` line before it, skipped".into(),
            );
            return;
        };
        match response(rest) {
            Some((status, headers)) => {
                let exchange = &mut self.trace.exchanges[i];
                exchange.status = Some(status);
                exchange.response.line = Some(line.no);
                exchange.response.headers = headers;
                exchange.response.body = Body::None;
            }
            None => self.warn(
                line.no,
                format!(
                    "expected `RESP: [STATUS] Name: value …`, found `{}`",
                    clip(line.text)
                ),
            ),
        }
    }

    /// `RESP BODY: REST` on `line`: the open call's response body starts with `rest`.
    fn response_body_line(&mut self, rest: &str, line: &Line<'_>) {
        let exchanges = &self.trace.exchanges;
        let Some(i) = self.open.filter(|&i| exchanges[i].response.line.is_some()) else {
            self.warn(
                line.no,
                "a `RESP BODY:` line without its `RESP:` line, skipped".into(),
            );
            return;
        };
        let start = line.start + (line.text.len() - rest.len());
        self.state = State::Body {
            exchange: i,
            line: line.no,
            start,
            end: line.start + line.text.len(),
        };
    }

    /// The flow read: its last body and call closed. An error when no request could be read.
    fn finish(mut self) -> Result<Trace, InputError> {
        self.end_body();
        close(&mut self.trace, self.open);
        let mut trace = self.trace;
        if trace.exchanges.is_empty() {
            let line = trace.warnings.first().map_or(1, |w| w.line);
            return Err(InputError::new(
                line,
                "no request could be read: expected `REQ: curl -g -i -X METHOD URL …` lines",
            ));
        }
        let unpaired = super::pairing::unpaired_warnings(&trace.exchanges);
        trace.warnings.extend(unpaired);
        Ok(records::finish(trace))
    }
}

/// Marks exchange `open` unanswered when no response was seen for it (the warning is the
/// shared one, [`super::pairing::unpaired_warnings`], given once the flow is read).
fn close(trace: &mut Trace, open: Option<usize>) {
    let Some(exchange) = open.map(|i| &mut trace.exchanges[i]) else {
        return;
    };
    if exchange.status.is_none() {
        exchange.completeness = Completeness::Unanswered;
    }
}

/// A response body: the lines collected; when several lines are not JSON but the first is,
/// the others were output that followed it. `Omitted, Content-Type is set to …` means the
/// client did not log it: unknown.
fn body(text: &str, line: usize, warnings: &mut Vec<Warning>) -> Body {
    if text
        .trim_start()
        .starts_with("Omitted, Content-Type is set to")
    {
        return Body::Unknown;
    }
    if let Some((first, _)) = text.split_once('\n') {
        let whole = crate::trace::json::from_str(text.trim()).is_ok();
        if !whole {
            if let Ok(json) = crate::trace::json::from_str(first.trim()) {
                return Body::Json(json);
            }
        }
    }
    body_from_text(text, 0, line, warnings)
}

/// Reads a curl command line (the text after `curl `) into an exchange.
fn request(command: &str, line: usize, warnings: &mut Vec<Warning>) -> Result<Exchange, String> {
    let mut method = None;
    let mut url = None;
    let mut headers = Headers::default();
    let mut data = None;
    let mut rest = command.trim_start();
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix("-d '") {
            // Single quotes inside are not escaped: the body runs to the line's last quote.
            data = Some(body.rfind('\'').map_or(body, |end| &body[..end]));
            break;
        }
        let (token, after) = word(rest);
        rest = after.trim_start();
        match token {
            "-X" => {
                let (m, after) = word(rest);
                method = Some(m);
                rest = after.trim_start();
            }
            "-H" => {
                let (header, after) = word(rest);
                rest = after.trim_start();
                // A header that is not `Name: value` (a name with spaces would not read back
                // from a written golden) is left out, with a warning.
                match header_line(header.trim(), line) {
                    Ok((name, value)) => headers.push(name, value),
                    Err(e) => warnings.push(Warning {
                        line,
                        message: format!("{}, left out of the request", e.message),
                    }),
                }
            }
            t if t.contains("://") && url.is_none() => url = Some(t),
            _ => {}
        }
    }
    let url = url.ok_or_else(|| {
        format!(
            "expected `REQ: curl -g -i -X METHOD URL …` with an absolute URL, found `curl {}`",
            clip(command)
        )
    })?;
    let method = method.filter(|m| is_method(m)).unwrap_or("GET");
    let mut exchange = records::exchange(CALLER, method, url, line).ok_or_else(|| {
        format!(
            "expected an absolute URL with a host and no white space, found `{}`",
            clip(url)
        )
    })?;
    headers.shrink_to_fit();
    exchange.request.headers = headers;
    exchange.request.body = data.map_or(Body::None, |d| body_from_text(d, 0, line, warnings));
    Ok(exchange)
}

/// The next word of a curl command: a double-quoted string (closed by the first `"` followed
/// by the end or by ` -`, as values may hold quotes) or a bare word; and what follows it.
fn word(text: &str) -> (&str, &str) {
    if let Some(inner) = text.strip_prefix('"') {
        let mut from = 0;
        while let Some(at) = inner[from..].find('"').map(|i| from + i) {
            let after = &inner[at + 1..];
            if after.is_empty() || after.starts_with(" -") {
                return (&inner[..at], after);
            }
            from = at + 1;
        }
        return (inner, "");
    }
    let end = text.find(' ').unwrap_or(text.len());
    (&text[..end], &text[end..])
}

/// Reads `STATUS] Name: value Name: value …` (the text after `RESP: [`). Values hold spaces,
/// so a header starts at each word that is a header name followed by a colon
/// (`[A-Za-z0-9-]+:`, a letter or digit first); a word of a value that looks like that would
/// start a header too (none does in keystoneauth's output: dates, URLs and tokens do not end
/// in a colon).
fn response(rest: &str) -> Option<(u16, Headers)> {
    let (status, headers_text) = rest.split_once(']')?;
    let status = status_code(status.trim())?;
    let mut headers = Headers::default();
    let mut current: Option<(&str, usize, usize)> = None;
    let mut offset = 0;
    for word in headers_text.split(' ') {
        let start = offset;
        offset = (offset + word.len() + 1).min(headers_text.len());
        if word.is_empty() {
            continue;
        }
        let name = word.strip_suffix(':').filter(|n| is_header_name(n));
        match (name, current.as_mut()) {
            (Some(name), _) => {
                if let Some((n, from, to)) = current.take() {
                    headers.push(n, headers_text[from..to].trim());
                }
                current = Some((name, offset, offset));
            }
            (None, Some((_, _, to))) => *to = start + word.len(),
            (None, None) => return None,
        }
    }
    if let Some((n, from, to)) = current {
        headers.push(n, headers_text[from..to.max(from)].trim());
    }
    headers.shrink_to_fit();
    Some((status, headers))
}

/// A header name token: letters, digits and `-`, starting with a letter or digit.
fn is_header_name(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_lines_split_before_each_header_name() {
        let (status, headers) = response(
            "202] Connection: close Date: Tue, 16 Nov 2021 22:51:55 GMT OpenStack-API-Version: compute 2.1 location: http://h/x Empty: Vary: X-Auth-Token Last:",
        )
        .expect("a response");
        assert_eq!(status, 202);
        let pairs: Vec<_> = headers.iter().collect();
        assert_eq!(
            pairs,
            vec![
                ("Connection", "close"),
                ("Date", "Tue, 16 Nov 2021 22:51:55 GMT"),
                ("OpenStack-API-Version", "compute 2.1"),
                ("location", "http://h/x"),
                ("Empty", ""),
                ("Vary", "X-Auth-Token"),
                ("Last", ""),
            ]
        );
        assert_eq!(response("300]").map(|(s, h)| (s, h.len())), Some((300, 0)));
        assert!(response("abc] X: y").is_none());
        assert!(response("200] not a header").is_none());
    }

    #[test]
    fn curl_commands() {
        let e = request(
            r#"-g -i -X POST "http://h/v2/x?a=b" -H "Accept: application/json" -H "X-Auth-Token: {SHA256}ab" -d '{"a": "it's"}'"#,
            3,
            &mut Vec::new(),
        )
        .expect("a request");
        assert_eq!((e.method.as_str(), e.callee.as_str()), ("POST", "h:80"));
        assert_eq!(
            (e.path.as_str(), e.query.as_deref()),
            ("/v2/x", Some("a=b"))
        );
        assert_eq!(e.request.headers.get("x-auth-token"), Some("{SHA256}ab"));
        assert_eq!(
            e.request.body.kind(),
            "json",
            "a quote inside does not end the body"
        );
        assert!(request("-g -i -X GET", 1, &mut Vec::new()).is_err());
    }

    #[test]
    fn connection_lines() {
        assert_eq!(
            connection_status(r#"http://h:80 "POST /identity/v3/auth/tokens HTTP/1.1" 201 2804"#),
            Some(201)
        );
        assert_eq!(connection_status(r#"say "hi" 200"#), None);
    }
}
