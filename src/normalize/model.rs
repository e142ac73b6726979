//! The rule model: what one rule of a rules file matches and does, and where it came from.
//! Read by [`load`](super::load), compiled by [`compiled`](super::compiled), queried through
//! [`RuleSet`](super::RuleSet).

use crate::severity::Severity;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a rule came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `rules/default.toml`, compiled in.
    Builtin,
    /// A `--rules FILE`.
    File(PathBuf),
}

/// Where [`DEFAULT_RULES`](super::rules::DEFAULT_RULES) comes from, for messages.
pub(super) const BUILTIN_PATH: &str = "rules/default.toml";

impl Origin {
    /// The file the rule is read from, for messages: `rules/default.toml` for a built-in rule.
    pub fn path(&self) -> &Path {
        match self {
            Origin::Builtin => Path::new(BUILTIN_PATH),
            Origin::File(path) => path,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("built-in"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Which callers a call rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Only calls made by the user's client.
    Client,
    /// Only calls made by a service (not the client).
    Service,
    /// Any caller.
    Any,
}

/// A whole-call matcher: regexes (anchored) on the parts of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSpec {
    /// Canonical caller name regex.
    pub caller: Option<String>,
    /// Canonical callee name regex.
    pub callee: Option<String>,
    /// Method regex.
    pub method: Option<String>,
    /// Path-template regex (without the callee's mount prefix).
    pub path: Option<String>,
    /// Which callers.
    pub by: By,
    /// Finding kind regex (severity rules).
    pub finding: Option<String>,
}

/// What a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// A regex on every string value.
    Value(String),
    /// Header names or `*` globs, any case.
    Header(Vec<String>),
    /// A regex on JSON keys and query parameter names.
    Key(String),
    /// JSON pointer patterns.
    Pointer(Vec<String>),
    /// A regex on the path segment before an id.
    Segment(String),
    /// A whole call.
    Call(CallSpec),
    /// A service, by canonical name.
    Service(String),
}

impl Matcher {
    /// The matcher's kind as rules files name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Matcher::Value(_) => "value",
            Matcher::Header(_) => "header",
            Matcher::Key(_) => "key",
            Matcher::Pointer(_) => "pointer",
            Matcher::Segment(_) => "segment",
            Matcher::Call(_) => "call",
            Matcher::Service(_) => "service",
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Value(re) => write!(f, "value /{re}/"),
            Matcher::Header(globs) => write!(f, "header {}", globs.join(", ")),
            Matcher::Key(re) => write!(f, "key /{re}/"),
            Matcher::Pointer(ps) => write!(f, "pointer {}", ps.join(", ")),
            Matcher::Segment(re) => write!(f, "segment /{re}/"),
            Matcher::Service(s) => write!(f, "service {s}"),
            Matcher::Call(c) => {
                let parts: Vec<String> = [
                    ("finding", &c.finding),
                    ("caller", &c.caller),
                    ("callee", &c.callee),
                    ("method", &c.method),
                    ("path", &c.path),
                ]
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} /{v}/")))
                .collect();
                let by = match c.by {
                    By::Any => "",
                    By::Client => " by client",
                    By::Service => " by service",
                };
                write!(f, "call {}{by}", parts.join(" "))
            }
        }
    }
}

/// How a placeholder rule replaces what it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// Generic placeholder kind (`uuid` -> `{uuid1}`).
    pub kind: String,
    /// Numbered per distinct value (`{uuid1}`), or one constant placeholder (`{timestamp}`).
    pub numbered: bool,
    /// A name template giving the value a meaningful name (`{v:singular}_id`).
    pub named: Option<String>,
    /// Replace the whole value when nothing volatile is found inside it.
    pub whole: bool,
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Replace by a placeholder.
    Placeholder(Replace),
    /// Replace by a placeholder; the whole value goes if anything else would remain.
    Secret(Replace),
    /// Replace the whole value by the constant `{name}`.
    Redact(String),
    /// Do not compare this header.
    Ignore,
    /// Compare this array in order.
    Ordered,
    /// Compare this array as a collection.
    Unordered,
    /// The keys identifying this array's elements, in order of preference: two elements of a
    /// collection that changed pair when they have the same value for the first of them they
    /// hold.
    ElementIdentity(Vec<String>),
    /// A change of this value is a warning.
    Pin,
    /// Findings on matching calls get this severity (`None`: `ignore`, the finding is dropped).
    Severity(Option<Severity>),
    /// The call's presence depends on auth caches.
    CacheDependent,
    /// The header is part of the API contract: removing it is breaking.
    Contract,
    /// Whether the header exists depends on where the capture was taken: changes are info.
    CapturePoint,
    /// Canonical service name, its aliases, its mount prefix, whether it is the user's client
    /// or the identity service.
    Service {
        /// Other names of the service.
        aliases: Vec<String>,
        /// The path prefix the web server mounts it at (`/image`).
        mount: Option<String>,
        /// The ports it listens on when not behind the web server (`8774`, TLS `13774`).
        ports: Vec<u16>,
        /// The user's client.
        client: bool,
        /// The identity service (keystone): token calls to it may be logged before the
        /// inbound request they serve.
        identity: bool,
    },
}

impl Action {
    /// The action's name as rules files write it.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Placeholder(_) => "placeholder",
            Action::Secret(_) => "secret",
            Action::Redact(_) => "redact",
            Action::Ignore => "ignore",
            Action::Ordered => "ordered",
            Action::Unordered => "unordered",
            Action::ElementIdentity(_) => "element-identity",
            Action::Pin => "pin",
            Action::Severity(_) => "severity",
            Action::CacheDependent => "cache-dependent",
            Action::Contract => "contract",
            Action::CapturePoint => "capture-point",
            Action::Service { .. } => "service",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Placeholder(r) | Action::Secret(r) => {
                write!(
                    f,
                    "{} {{{}{}}}",
                    self.name(),
                    r.kind,
                    if r.numbered { "N" } else { "" }
                )?;
                if let Some(named) = &r.named {
                    write!(f, " named {named}")?;
                }
                Ok(())
            }
            Action::Redact(name) => write!(f, "redact {{{name}}}"),
            Action::ElementIdentity(keys) => write!(f, "element-identity keys {}", keys.join(", ")),
            Action::Severity(Some(s)) => write!(f, "severity {s}"),
            Action::Severity(None) => write!(f, "severity ignore"),
            Action::Service {
                aliases,
                mount,
                ports,
                client,
                identity,
            } => {
                f.write_str("service")?;
                if !aliases.is_empty() {
                    write!(f, " aliases {}", aliases.join(", "))?;
                }
                if let Some(m) = mount {
                    write!(f, " mount {m}")?;
                }
                if !ports.is_empty() {
                    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
                    write!(f, " ports {}", ports.join(", "))?;
                }
                if *client {
                    f.write_str(" (client)")?;
                }
                if *identity {
                    f.write_str(" (identity)")?;
                }
                Ok(())
            }
            other => f.write_str(other.name()),
        }
    }
}

/// Where a header stands in the severity policy of header findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderClass {
    /// Neither: a removed or added header is a warning, a changed value info.
    #[default]
    Other,
    /// Part of the API contract (`action = "contract"`): removing it is breaking, changing or
    /// adding it a warning.
    Contract,
    /// Present or not depending on where the capture was taken (`action = "capture-point"`):
    /// every change is info.
    CapturePoint,
}

/// One rule: a name, what it matches, what it does, where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Unique name; a later file's rule of the same name replaces it.
    pub name: String,
    /// The comment above the rule in its file.
    pub about: String,
    /// Where it came from.
    pub origin: Origin,
    /// 1-based line of its `[[rule]]` header (0 when unknown).
    pub line: usize,
    /// False when switched off with `enabled = false`.
    pub enabled: bool,
    /// What it matches.
    pub matcher: Matcher,
    /// What it does.
    pub action: Action,
}
