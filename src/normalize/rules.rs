//! The rule model and the effective rule set: built-in `rules/default.toml` plus `--rules`
//! files, compiled once per run, and the queries the comparison asks of it.

use super::compiled::Compiled;
use super::load::parse_rules;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::severity::Severity;
use crate::trace::Signature;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The built-in rules file, compiled into the binary.
pub const DEFAULT_RULES: &str = include_str!("../../rules/default.toml");

/// Where [`DEFAULT_RULES`] comes from, for messages.
const BUILTIN_PATH: &str = "rules/default.toml";

/// Where a rule came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `rules/default.toml`, compiled in.
    Builtin,
    /// A `--rules FILE`.
    File(PathBuf),
}

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

/// The effective, compiled rule set: built-in defaults plus user files.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    pub(super) compiled: Compiled,
    /// The `secret` and `redact` rules alone, compiled on first use (showing a raw capture).
    secrets: OnceLock<std::result::Result<Compiled, String>>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::builtin()
    }
}

impl RuleSet {
    /// The built-in rules (`rules/default.toml`, compiled into the binary).
    ///
    /// Cannot fail: the file is part of the binary, and the test
    /// `builtin_rules_parse_and_compile` (`normalize/rules_tests.rs`) fails the build's tests
    /// when it does not load.
    pub fn builtin() -> RuleSet {
        #[allow(clippy::expect_used)] // the invariant is checked by a test; see above
        RuleSet::from_rules(builtin_rules())
            .expect("rules/default.toml compiles (test builtin_rules_parse_and_compile)")
    }

    /// The built-in rules plus each file in `files`, later files overriding earlier ones by name.
    /// Every bad rule of every file is reported.
    pub fn load(files: &[&Path]) -> Result<RuleSet> {
        let mut rules = builtin_rules();
        let mut errors = Vec::new();
        for path in files {
            let text = fsutil::read_text(path)?;
            match parse_rules(&text, path, &Origin::File(path.to_path_buf())) {
                Ok(extra) => rules = merge(rules, extra),
                Err(Error::Many(many)) => errors.extend(many),
                Err(e) => errors.push(e),
            }
        }
        match errors.len() {
            0 => RuleSet::from_rules(rules),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }

    /// A rule set from rules in effective order (first matching rule wins).
    pub fn from_rules(rules: Vec<Rule>) -> Result<RuleSet> {
        let compiled = Compiled::new(&rules)?;
        Ok(RuleSet {
            rules,
            compiled,
            secrets: OnceLock::new(),
        })
    }

    /// The rules that replace secrets (`secret` and `redact` actions) and no other, compiled:
    /// what redacting a capture shown as it was captured applies.
    pub(super) fn secret_rules(&self) -> Result<&Compiled> {
        let compiled = self.secrets.get_or_init(|| {
            let secret: Vec<Rule> = self
                .rules
                .iter()
                .filter(|r| matches!(r.action, Action::Secret(_) | Action::Redact(_)))
                .cloned()
                .collect();
            Compiled::new(&secret).map_err(|e| e.to_string())
        });
        compiled.as_ref().map_err(|e| Error::RuleSet {
            kind: "secret",
            source: e.clone().into(),
        })
    }

    /// The effective rules in order, including switched-off ones.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// True when header `name` (any case) is ignored for comparison.
    pub fn header_ignored(&self, name: &str) -> bool {
        self.compiled.header(name).ignored
    }

    /// True when the array at JSON `pointer` (segments `*` for any element) is ordered.
    pub fn array_ordered(&self, pointer: &str) -> bool {
        self.compiled.array_ordered(pointer)
    }

    /// True when a rule pins the value at JSON `pointer`: a change is a warning, not info.
    pub fn value_pinned(&self, pointer: &str) -> bool {
        self.compiled.value_pinned(pointer)
    }

    /// A rule's severity for findings of `kind` (`missing_call`, …) on `signature`, if any
    /// (`Some(None)`: the rule says `ignore`, drop the finding).
    pub fn severity_override(&self, kind: &str, signature: &Signature) -> Option<Option<Severity>> {
        let caller_is_client = self.is_client(&signature.caller);
        self.compiled
            .severities
            .iter()
            .find(|(call, _)| call.matches(signature, caller_is_client, Some(kind)))
            .map(|(_, severity)| *severity)
    }

    /// True when a call's presence depends on auth caches (version discovery, service token
    /// issue and validation), so its presence or count is noise unless `--strict-auth`.
    pub fn cache_dependent(&self, signature: &Signature, caller_is_client: bool) -> bool {
        self.compiled
            .cache_dependent
            .iter()
            .any(|call| call.matches(signature, caller_is_client, None))
    }

    /// Where header `name` (any case) stands in the severity policy: in the API contract,
    /// capture-point-dependent, or neither (the first matching rule decides).
    pub fn header_class(&self, name: &str) -> HeaderClass {
        self.compiled.header(name).class
    }

    /// True when `actor` is the identity service (keystone).
    pub fn is_identity(&self, actor: &str) -> bool {
        self.compiled.identities.contains(&self.canonical(actor))
    }

    /// True when a call is plumbing: its presence or count depends on caches or on the capture
    /// point rather than on the flow. That is a cache-dependent call, or a service calling
    /// itself (a proxy's internal sub-requests). Plumbing is aligned apart and reported as info.
    pub fn plumbing(&self, signature: &Signature) -> bool {
        signature.caller == signature.callee
            || self.cache_dependent(signature, self.is_client(&signature.caller))
    }

    /// True when `actor` (canonical name) is the user's client (`openstack`).
    pub fn is_client(&self, actor: &str) -> bool {
        self.compiled.clients.contains(&self.canonical(actor))
    }

    /// The canonical name of a service or client (`keystone-api` -> `keystone`).
    pub fn canonical(&self, actor: &str) -> String {
        self.compiled
            .aliases
            .get(&actor.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| actor.to_string())
    }

    /// The canonical callee of a call to `callee` at `path`: its canonical name when it is a
    /// known name; when it is a URL's authority (`host:port`, what client-side captures know),
    /// the service listening on that port, else the service whose mount prefix starts the path;
    /// else the authority as it is.
    pub fn callee(&self, callee: &str, path: &str) -> String {
        let canonical = self.canonical(callee);
        if canonical != callee || !is_authority(callee) {
            return canonical;
        }
        let port = callee
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse::<u16>().ok());
        if let Some(service) = port.and_then(|p| self.compiled.ports.get(&p)) {
            return service.clone();
        }
        // The longest mount prefix that starts the path (ties by name: deterministic).
        let mounted = self
            .compiled
            .mounts
            .iter()
            .filter(|(_, mount)| {
                path.strip_prefix(mount.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .min_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
        match mounted {
            Some((service, _)) => service.clone(),
            None => canonical,
        }
    }

    /// The mount prefix of canonical service `service` (`/image` for glance), if any.
    pub fn mount(&self, service: &str) -> Option<&str> {
        self.compiled.mounts.get(service).map(String::as_str)
    }
}

/// Whether an actor name is a URL's authority (`host:port`), as client-side captures name the
/// services they call, rather than a service name.
fn is_authority(name: &str) -> bool {
    match name.rsplit_once(':') {
        Some((host, port)) => {
            !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// The built-in rules, parsed (checked by the test `builtin_rules_parse_and_compile`).
fn builtin_rules() -> Vec<Rule> {
    #[allow(clippy::expect_used)] // the invariant is checked by a test; see RuleSet::builtin
    try_builtin_rules().expect("rules/default.toml parses (test builtin_rules_parse_and_compile)")
}

/// The built-in rules, parsed; an error only if `rules/default.toml` is broken.
pub(super) fn try_builtin_rules() -> Result<Vec<Rule>> {
    parse_rules(DEFAULT_RULES, Path::new(BUILTIN_PATH), &Origin::Builtin)
}

/// Merges a file's rules into the effective list: same name replaces in place, new rules go
/// first (in file order) so that they take precedence.
fn merge(mut rules: Vec<Rule>, extra: Vec<Rule>) -> Vec<Rule> {
    let mut new = Vec::new();
    for rule in extra {
        match rules.iter_mut().find(|r| r.name == rule.name) {
            Some(existing) => *existing = rule,
            None => new.push(rule),
        }
    }
    new.extend(rules);
    new
}
