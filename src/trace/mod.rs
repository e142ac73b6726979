//! The trace model: what every capture format parses into and every later stage works on.

mod headers;
pub mod json;

pub use headers::Headers;
pub use json::{Json, Object};
use serde::Serialize;
use serde_json::Value;

/// The capture format a trace was read from (detected from content, never from the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Hook Markdown: `### METHOD PATH` sections with party lines and Header/Body tabs.
    HookMarkdown,
    /// A documentation page: title, command, Mermaid diagram, then numbered sections.
    DocPage,
    /// Mermaid sequence lines (`A->>B: METHOD PATH`), structure only.
    Mermaid,
    /// The hook's raw log (`### (caller) REQ >>> (callee) : METHOD URL` records).
    HookLog,
    /// Tempest's request log (`tempest.log`): one flow per test, client side only.
    TempestLog,
    /// A client's `--debug` output (keystoneauth `REQ: curl …` / `RESP:` lines): one flow.
    ClientDebug,
}

impl Format {
    /// Human-readable name, as `flowdiff show` prints it.
    pub fn label(self) -> &'static str {
        match self {
            Format::HookMarkdown => "hook markdown",
            Format::DocPage => "documentation page",
            Format::Mermaid => "mermaid sequence",
            Format::HookLog => "raw hook log",
            Format::TempestLog => "tempest request log",
            Format::ClientDebug => "client debug output",
        }
    }

    /// Whether a capture in this format holds one flow per test (a Tempest log): its flows are
    /// known by name, compared and checked name by name even when there is only one.
    pub fn holds_flows(self) -> bool {
        matches!(self, Format::TempestLog)
    }

    /// Whether traces in this format carry headers and bodies (Mermaid carries structure only).
    pub fn has_payloads(self) -> bool {
        !matches!(self, Format::Mermaid)
    }
}

/// A parsed capture: the flow's events in capture order and the exchanges built from them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// The flow's name (`openstack image create`), from a title or given by the user.
    pub name: Option<String>,
    /// The format the trace was read from.
    pub format: Format,
    /// Named values declared by the capture itself (a documentation page's variables note),
    /// as `(name, raw value)` pairs in the order given.
    pub variables: Vec<(String, String)>,
    /// Every request and response, in capture order.
    pub events: Vec<Event>,
    /// The exchanges, numbered by step: `exchanges[i]` is step `i + 1`.
    pub exchanges: Vec<Exchange>,
    /// Problems that did not stop parsing (a JSON body that does not parse, a lone response).
    pub warnings: Vec<Warning>,
}

impl Trace {
    /// The exchange with the given 1-based step number.
    pub fn step(&self, step: usize) -> Option<&Exchange> {
        step.checked_sub(1).and_then(|i| self.exchanges.get(i))
    }

    /// Distinct actors (callers and callees) in order of first appearance.
    pub fn actors(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        let mut actors = Vec::new();
        for exchange in &self.exchanges {
            for actor in [exchange.caller.as_str(), exchange.callee.as_str()] {
                if seen.insert(actor) {
                    actors.push(actor);
                }
            }
        }
        actors
    }

    /// Indices of the direct children of exchange `index`, in step order.
    pub fn children(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.exchanges
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.parent == Some(index))
            .map(|(i, _)| i)
    }

    /// Nesting depth of every exchange (0 for a root), bounded so that a malformed parent
    /// chain cannot loop.
    pub fn depths(&self) -> Vec<usize> {
        let n = self.exchanges.len();
        let mut depth = vec![usize::MAX; n];
        for start in 0..n {
            let mut chain = Vec::new();
            let mut at = Some(start);
            while let Some(i) = at.filter(|&i| i < n && depth[i] == usize::MAX && chain.len() <= n)
            {
                chain.push(i);
                at = self.exchanges[i].parent;
            }
            let mut d = at
                .filter(|&i| i < n)
                .map_or(0, |i| depth[i].saturating_add(1));
            if d == usize::MAX {
                d = 0;
            }
            for &i in chain.iter().rev() {
                depth[i] = d;
                d += 1;
            }
        }
        depth
    }
}

/// Whether an event is a request or a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A caller sent a request to a callee.
    Request,
    /// The callee answered.
    Response,
}

/// One request or response as it appeared in the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Request or response.
    pub kind: EventKind,
    /// 1-based line of the event's heading in the source file.
    pub line: usize,
    /// Index into [`Trace::exchanges`] of the exchange this event belongs to.
    pub exchange: usize,
}

/// How completely an exchange was captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Completeness {
    /// Both request and response were seen.
    Complete,
    /// The request was seen but never answered (an interrupted capture).
    Unanswered,
    /// A response was seen with no matching request.
    ResponseOnly,
}

/// One HTTP call: a request from `caller` to `callee` and its response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exchange {
    /// The party that sent the request.
    pub caller: String,
    /// The party that answered.
    pub callee: String,
    /// HTTP method, upper case; empty when only the response was seen and it did not say.
    pub method: String,
    /// URL path without query (`/` for the hook's `None`); empty when only a response was seen
    /// and it did not name the path.
    pub path: String,
    /// Query string without `?`: `None` when the format does not record it (unknown),
    /// `Some("")` when the request had none.
    pub query: Option<String>,
    /// Response status code, when a response was seen.
    pub status: Option<u16>,
    /// Response reason phrase as captured (`MULTIPLE CHOICES`, `Created`).
    pub reason: Option<String>,
    /// The request message.
    pub request: Message,
    /// The response message.
    pub response: Message,
    /// Whether both sides were seen.
    pub completeness: Completeness,
    /// Index of the innermost exchange that was open, with this exchange's caller as its callee,
    /// when this request was sent; `None` for a root of its actor.
    pub parent: Option<usize>,
    /// True when the parent was inferred from a request that came *after* this one (a hook
    /// placed behind keystonemiddleware logs validation calls before their inbound request).
    pub adopted: bool,
}

impl Exchange {
    /// A complete exchange `caller -> callee METHOD path` with nothing else known yet (no query,
    /// status, headers or bodies, no parent); the other fields are set by whoever builds it.
    pub fn new(caller: &str, callee: &str, method: &str, path: &str) -> Exchange {
        Exchange {
            caller: caller.to_string(),
            callee: callee.to_string(),
            method: method.to_string(),
            path: path.to_string(),
            query: None,
            status: None,
            reason: None,
            request: Message::default(),
            response: Message::default(),
            completeness: Completeness::Complete,
            parent: None,
            adopted: false,
        }
    }

    /// `caller -> callee METHOD path`, the raw (un-normalized) call line.
    pub fn call_line(&self) -> String {
        format!(
            "{} -> {} {} {}",
            self.caller, self.callee, self.method, self.path
        )
    }
}

/// One side of an exchange: where it was seen, its headers and its body.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Message {
    /// 1-based line of the message's heading; `None` when this side was not captured.
    pub line: Option<usize>,
    /// Headers in capture order.
    pub headers: Headers,
    /// The body.
    pub body: Body,
    /// The body was cut by the capture (Tempest logs cut bodies at 4096 characters without a
    /// marker): only what was fully present before the cut is known, so nothing missing after
    /// it is drift.
    pub truncated: bool,
}

/// A message body: JSON when the text parses as JSON, otherwise opaque text with its kind.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Body {
    /// The format carries no bodies (Mermaid): nothing is known.
    #[default]
    Unknown,
    /// No body (`none`, `None` or nothing).
    None,
    /// A JSON document.
    Json(Json),
    /// Text that is not JSON.
    Text(String),
    /// A Python bytes repr (`b'QFI\xfb…'...`).
    Bytes(String),
    /// A Python object repr (`<swiftclient.utils.LengthWrapper object at 0x…>`).
    Object(String),
}

impl Body {
    /// Classifies the text of a body block as the hook writes it.
    pub fn from_text(text: &str) -> Body {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("none") {
            return Body::None;
        }
        if let Ok(value) = json::from_str(trimmed) {
            return Body::Json(value);
        }
        if is_bytes_repr(trimmed) {
            Body::Bytes(trimmed.to_string())
        } else if is_object_repr(trimmed) {
            Body::Object(trimmed.to_string())
        } else {
            Body::Text(text.trim_end().to_string())
        }
    }

    /// Whether the text looks like JSON that failed to parse (worth a warning).
    pub fn looks_like_broken_json(text: &str) -> bool {
        let t = text.trim_start();
        (t.starts_with('{') || t.starts_with('['))
            && serde_json::from_str::<Value>(text.trim()).is_err()
    }

    /// The body's kind as reports name it: `unknown`, `none`, `json`, `text`, `bytes`, `object`.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Unknown => "unknown",
            Body::None => "none",
            Body::Json(_) => "json",
            Body::Text(_) => "text",
            Body::Bytes(_) => "bytes",
            Body::Object(_) => "object",
        }
    }
}

/// A Python object repr: `<swiftclient.utils.LengthWrapper object at 0x…>` or
/// `<_io.BufferedReader name='x.img'>` (one `<…>` whose type name is dotted), not markup.
fn is_object_repr(text: &str) -> bool {
    let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else {
        return false;
    };
    let type_name = inner.split([' ', '>']).next().unwrap_or("");
    !inner.contains(['<', '>'])
        && (inner.contains(" object at 0x")
            || (type_name.contains('.') && !type_name.ends_with('.')))
}

fn is_bytes_repr(text: &str) -> bool {
    let rest = match text.strip_prefix('b') {
        Some(rest) => rest,
        None => return false,
    };
    rest.starts_with('\'') || rest.starts_with('"')
}

/// A problem that did not stop parsing, pointing at its source line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based source line.
    pub line: usize,
    /// What was wrong, lower case, no trailing period.
    pub message: String,
}

/// A call's identity for alignment: canonical caller and callee, method, normalized path template.
///
/// Identity is name-free: two signatures are equal when their paths have the same **shape**,
/// literal segments equal and every segment holding a placeholder (`{image_id}`,
/// `AUTH_{project_id}`, an author's `{account}`) matching any other such segment. Placeholder
/// names come from context (what taught the name), so they stay in [`Signature::path`] for
/// people and never decide whether two calls are the same call.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// Canonical caller name.
    pub caller: String,
    /// Canonical callee name.
    pub callee: String,
    /// HTTP method.
    pub method: String,
    /// Path template with placeholders and without the service's mount prefix.
    pub path: String,
}

impl Signature {
    /// The signature `caller -> callee METHOD path`.
    pub fn new(caller: &str, callee: &str, method: &str, path: &str) -> Signature {
        Signature {
            caller: caller.to_string(),
            callee: callee.to_string(),
            method: method.to_string(),
            path: path.to_string(),
        }
    }

    /// The path's segments as identity sees them: a segment holding a placeholder is `{}`.
    pub fn shape(&self) -> impl Iterator<Item = &str> + '_ {
        self.path.split('/').map(|segment| {
            if holds_placeholder(segment) {
                "{}"
            } else {
                segment
            }
        })
    }

    fn key(&self) -> (&str, &str, &str) {
        (&self.caller, &self.callee, &self.method)
    }
}

/// True when `segment` holds a placeholder `{name}`, whole or in part (`AUTH_{project_id}`).
pub fn holds_placeholder(segment: &str) -> bool {
    next_placeholder(segment).is_some()
}

/// The byte range of the first placeholder `{name}` in `text` (name: letters, digits, `_`).
pub fn next_placeholder(text: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(open) = find_byte(b'{', &text.as_bytes()[from..]).map(|at| from + at) {
        let after = &text[open + 1..];
        // By bytes: every byte of a name is ASCII, so the first other byte starts a character.
        let name_len = after
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            return Some(open..open + name_len + 2);
        }
        from = open + 1;
    }
    None
}

/// The first `byte` in `haystack`: a plain loop on short texts (most JSON strings and path
/// segments), where setting up a vectorized search costs more than it saves.
fn find_byte(byte: u8, haystack: &[u8]) -> Option<usize> {
    if haystack.len() < 64 {
        haystack.iter().position(|&b| b == byte)
    } else {
        memchr::memchr(byte, haystack)
    }
}

/// `text` with each placeholder `{name}` (as [`next_placeholder`] finds them) replaced by
/// what `write` appends for its name; borrowed when there is none.
pub fn rewrite_placeholders(
    text: &str,
    mut write: impl FnMut(&str, &mut String),
) -> std::borrow::Cow<'_, str> {
    let Some(first) = next_placeholder(text) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut next = Some(first);
    while let Some(range) = next {
        out.push_str(&rest[..range.start]);
        write(&rest[range.start + 1..range.end - 1], &mut out);
        rest = &rest[range.end..];
        next = next_placeholder(rest);
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

impl PartialEq for Signature {
    fn eq(&self, other: &Signature) -> bool {
        self.key() == other.key() && self.shape().eq(other.shape())
    }
}

impl Eq for Signature {}

impl std::hash::Hash for Signature {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
        for segment in self.shape() {
            segment.hash(state);
        }
    }
}

impl PartialOrd for Signature {
    fn partial_cmp(&self, other: &Signature) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Signature {
    fn cmp(&self, other: &Signature) -> std::cmp::Ordering {
        self.key()
            .cmp(&other.key())
            .then_with(|| self.shape().cmp(other.shape()))
    }
}

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} -> {} {} {}",
            self.caller, self.callee, self.method, self.path
        )
    }
}

#[cfg(test)]
mod tests;
