//! Rules compiled for speed: one combined value regex, header and key regex sets, call
//! matchers, service tables. Built once per run by [`RuleSet`](super::RuleSet).

use super::pattern::{header_glob_regex, PointerPattern};
use super::rules::{Action, By, CallSpec, HeaderClass, Matcher, Replace, Rule};
use crate::error::{Error, Result};
use crate::severity::Severity;
use crate::trace::Signature;
use regex::{Regex, RegexSet, RegexSetBuilder};
use std::collections::{HashMap, HashSet};

/// What a header, key or pointer rule does to the value it selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextAction {
    /// Placeholder or secret replacement (`true` for secret).
    Replace(Replace, bool),
    /// Constant redaction.
    Redact(String),
}

impl ContextAction {
    /// True when the value is a secret: redacted, or replaced by a `secret` rule.
    pub fn is_secret(&self) -> bool {
        matches!(
            self,
            ContextAction::Redact(_) | ContextAction::Replace(_, true)
        )
    }
}

/// One pattern of the combined value scan (pattern `i`; the last pattern keeps placeholders).
#[derive(Debug, Clone)]
pub struct ValueRule {
    /// The rule's own regex when it has a `v` group limiting the replaced part.
    pub v: Option<Regex>,
    /// What to do with the match.
    pub action: ContextAction,
}

/// What the rules say about one header name.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeaderInfo {
    /// Not compared.
    pub ignored: bool,
    /// What to do with its value: an index into [`Compiled::actions`].
    pub action: Option<usize>,
    /// Its place in the severity policy (the first contract or capture-point rule).
    pub class: HeaderClass,
}

/// What one header pattern's rule does.
#[derive(Debug, Clone, Copy)]
enum HeaderRule {
    Ignore,
    Value(usize),
    Class(HeaderClass),
}

/// A compiled call matcher.
#[derive(Debug, Clone)]
pub struct CallMatch {
    caller: Option<Regex>,
    callee: Option<Regex>,
    method: Option<Regex>,
    path: Option<Regex>,
    finding: Option<Regex>,
    by: By,
}

impl CallMatch {
    fn new(spec: &CallSpec) -> Result<CallMatch, regex::Error> {
        let anchored = |s: &Option<String>| -> Result<Option<Regex>, regex::Error> {
            s.as_ref()
                .map(|s| Regex::new(&format!("^(?:{s})$")))
                .transpose()
        };
        Ok(CallMatch {
            caller: anchored(&spec.caller)?,
            callee: anchored(&spec.callee)?,
            method: anchored(&spec.method)?,
            path: anchored(&spec.path)?,
            finding: anchored(&spec.finding)?,
            by: spec.by,
        })
    }

    /// True when the call (and finding kind, if the rule names one) matches.
    pub fn matches(&self, sig: &Signature, caller_is_client: bool, kind: Option<&str>) -> bool {
        let ok = |re: &Option<Regex>, text: &str| re.as_ref().is_none_or(|re| re.is_match(text));
        let by_ok = match self.by {
            By::Any => true,
            By::Client => caller_is_client,
            By::Service => !caller_is_client,
        };
        let finding_ok = match (&self.finding, kind) {
            (None, _) => true,
            (Some(re), Some(kind)) => re.is_match(kind),
            (Some(_), None) => false,
        };
        by_ok
            && finding_ok
            && ok(&self.caller, &sig.caller)
            && ok(&self.callee, &sig.callee)
            && ok(&self.method, &sig.method)
            && ok(&self.path, &sig.path)
    }
}

/// A JSON location matcher for array order and pins.
#[derive(Debug, Clone)]
pub enum PathMatch {
    /// Pointer patterns.
    Pointer(Vec<PointerPattern>),
    /// A regex on the last key of the pointer.
    Key(Regex),
}

impl PathMatch {
    /// True when `pointer` matches.
    pub fn matches(&self, pointer: &str) -> bool {
        match self {
            PathMatch::Pointer(ps) => ps.iter().any(|p| p.matches(pointer)),
            PathMatch::Key(re) => {
                let last = pointer.rsplit('/').next().unwrap_or_default();
                re.is_match(&last.replace("~1", "/").replace("~0", "~"))
            }
        }
    }
}

/// All rules, compiled.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    /// All value rules in one multi-pattern regex (pattern `i` is value rule `i`, the last
    /// pattern keeps `{placeholders}`), leftmost-first in rule order.
    pub values: Option<regex_automata::meta::Regex>,
    /// The value rules, in alternative order.
    pub value_rules: Vec<ValueRule>,
    /// What header, key and pointer rules do to values, indexed by the rules below.
    pub actions: Vec<ContextAction>,
    header_set: Option<RegexSet>,
    /// What each header pattern's rule does.
    header_rules: Vec<HeaderRule>,
    key_set: Option<RegexSet>,
    /// Key regexes (for `{v}` captures) and an index into `actions`.
    key_rules: Vec<(Regex, usize)>,
    /// Pointer rules that replace values, with an index into `actions`.
    pub pointer_rules: Vec<(Vec<PointerPattern>, usize)>,
    /// Segment naming rules: regex and name template.
    pub segments: Vec<(Regex, String)>,
    arrays: Vec<(PathMatch, bool)>,
    pins: Vec<PathMatch>,
    /// Severity rules.
    pub severities: Vec<(CallMatch, Option<Severity>)>,
    /// Cache-dependent call rules.
    pub cache_dependent: Vec<CallMatch>,
    /// Lower-cased alias (and canonical name) -> canonical name.
    pub aliases: HashMap<String, String>,
    /// Canonical service -> mount prefix.
    pub mounts: HashMap<String, String>,
    /// Port -> canonical service listening on it.
    pub ports: HashMap<u16, String>,
    /// Canonical names of the user's client.
    pub clients: HashSet<String>,
    /// Canonical names of the identity service.
    pub identities: HashSet<String>,
    /// Kinds of numbered placeholders (`uuid` for `{uuid1}`).
    pub numbered_kinds: HashSet<String>,
    /// Names of constant placeholders (`host`, `timestamp`, `password`).
    pub constant_kinds: HashSet<String>,
}

fn context_action(action: &Action) -> Option<ContextAction> {
    match action {
        Action::Placeholder(r) => Some(ContextAction::Replace(r.clone(), false)),
        Action::Secret(r) => Some(ContextAction::Replace(r.clone(), true)),
        Action::Redact(name) => Some(ContextAction::Redact(name.clone())),
        _ => None,
    }
}

/// The error of `rule` not compiling, at its file and line.
fn compile_error(rule: &Rule, e: impl Into<crate::error::BoxedSource>) -> Error {
    Error::Rule {
        path: rule.origin.path().to_path_buf(),
        line: rule.line,
        rule: rule.name.clone(),
        source: e.into(),
    }
}

/// The error of the `kind` rules (`value`, `header`, `key`) not compiling together.
fn combine_error<E: Into<crate::error::BoxedSource>>(
    kind: &'static str,
) -> impl FnOnce(E) -> Error {
    move |e| Error::RuleSet {
        kind,
        source: e.into(),
    }
}

impl Compiled {
    /// Compiles the rules (already validated one by one when loaded).
    pub fn new(rules: &[Rule]) -> Result<Compiled> {
        let mut c = Compiled::default();
        let mut patterns = Vec::new();
        let mut header_patterns = Vec::new();
        let mut key_patterns = Vec::new();
        for rule in rules.iter().filter(|r| r.enabled) {
            match &rule.action {
                Action::Placeholder(r) | Action::Secret(r) if r.numbered => {
                    c.numbered_kinds.insert(r.kind.clone());
                }
                Action::Placeholder(r) | Action::Secret(r) => {
                    c.constant_kinds.insert(r.kind.clone());
                }
                Action::Redact(name) => {
                    c.constant_kinds.insert(name.clone());
                }
                _ => {}
            }
            match (&rule.matcher, &rule.action) {
                (Matcher::Value(source), action) => {
                    let Some(action) = context_action(action) else {
                        continue;
                    };
                    let own = Regex::new(source).map_err(|e| compile_error(rule, e))?;
                    let has_v = own.capture_names().any(|n| n == Some("v"));
                    patterns.push(source.clone());
                    c.value_rules.push(ValueRule {
                        v: has_v.then_some(own),
                        action,
                    });
                }
                (Matcher::Header(globs), action) => {
                    let index = match action {
                        Action::Ignore => HeaderRule::Ignore,
                        Action::Contract => HeaderRule::Class(HeaderClass::Contract),
                        Action::CapturePoint => HeaderRule::Class(HeaderClass::CapturePoint),
                        other => match context_action(other) {
                            Some(a) => {
                                c.actions.push(a);
                                HeaderRule::Value(c.actions.len() - 1)
                            }
                            None => continue,
                        },
                    };
                    for glob in globs {
                        header_patterns.push(header_glob_regex(glob));
                        c.header_rules.push(index);
                    }
                }
                (Matcher::Key(source), Action::Ordered | Action::Unordered | Action::Pin) => {
                    let re = Regex::new(source).map_err(|e| compile_error(rule, e))?;
                    match rule.action {
                        Action::Pin => c.pins.push(PathMatch::Key(re)),
                        Action::Ordered => c.arrays.push((PathMatch::Key(re), true)),
                        _ => c.arrays.push((PathMatch::Key(re), false)),
                    }
                }
                (Matcher::Key(source), action) => {
                    let Some(action) = context_action(action) else {
                        continue;
                    };
                    let re = Regex::new(source).map_err(|e| compile_error(rule, e))?;
                    key_patterns.push(source.clone());
                    c.actions.push(action);
                    c.key_rules.push((re, c.actions.len() - 1));
                }
                (Matcher::Pointer(ps), action) => {
                    let patterns = ps
                        .iter()
                        .map(|p| PointerPattern::parse(p))
                        .collect::<std::result::Result<Vec<_>, _>>()
                        .map_err(|e| compile_error(rule, e))?;
                    match action {
                        Action::Pin => c.pins.push(PathMatch::Pointer(patterns)),
                        Action::Ordered => c.arrays.push((PathMatch::Pointer(patterns), true)),
                        Action::Unordered => c.arrays.push((PathMatch::Pointer(patterns), false)),
                        other => {
                            if let Some(action) = context_action(other) {
                                c.actions.push(action);
                                c.pointer_rules.push((patterns, c.actions.len() - 1));
                            }
                        }
                    }
                }
                (Matcher::Segment(source), Action::Placeholder(r) | Action::Secret(r)) => {
                    let re = Regex::new(source).map_err(|e| compile_error(rule, e))?;
                    if let Some(named) = &r.named {
                        c.segments.push((re, named.clone()));
                    }
                }
                (Matcher::Call(spec), Action::Severity(s)) => {
                    c.severities.push((
                        CallMatch::new(spec).map_err(|e| compile_error(rule, e))?,
                        *s,
                    ));
                }
                (Matcher::Call(spec), Action::CacheDependent) => {
                    c.cache_dependent
                        .push(CallMatch::new(spec).map_err(|e| compile_error(rule, e))?);
                }
                (
                    Matcher::Service(name),
                    Action::Service {
                        aliases,
                        mount,
                        ports,
                        client,
                        identity,
                    },
                ) => {
                    for port in ports {
                        c.ports.entry(*port).or_insert_with(|| name.clone());
                    }
                    for alias in aliases.iter().chain(std::iter::once(name)) {
                        c.aliases
                            .entry(alias.to_ascii_lowercase())
                            .or_insert_with(|| name.clone());
                    }
                    if let Some(m) = mount {
                        c.mounts.entry(name.clone()).or_insert_with(|| m.clone());
                    }
                    if *client {
                        c.clients.insert(name.clone());
                    }
                    if *identity {
                        c.identities.insert(name.clone());
                    }
                }
                _ => {}
            }
        }
        // Placeholders already in the text are kept: last, so that a rule for a value that
        // starts like one (`{SHA256}<hex>`, a hashed token) wins where both start.
        patterns.push(r"\{[A-Za-z_][A-Za-z0-9_]*\}".to_string());
        c.values = Some(
            regex_automata::meta::Regex::builder()
                .configure(
                    regex_automata::meta::Config::new()
                        .nfa_size_limit(Some(64 << 20))
                        .hybrid_cache_capacity(8 << 20),
                )
                .build_many(&patterns)
                .map_err(combine_error("value"))?,
        );
        if !header_patterns.is_empty() {
            c.header_set = Some(
                RegexSetBuilder::new(&header_patterns)
                    .build()
                    .map_err(combine_error("header"))?,
            );
        }
        if !key_patterns.is_empty() {
            c.key_set = Some(
                RegexSetBuilder::new(&key_patterns)
                    .build()
                    .map_err(combine_error("key"))?,
            );
        }
        Ok(c)
    }

    /// What the rules say about header `name`: ignored when any ignore rule matches, the
    /// first matching value rule, and the first matching contract or capture-point rule.
    pub fn header(&self, name: &str) -> HeaderInfo {
        let mut info = HeaderInfo::default();
        let Some(set) = &self.header_set else {
            return info;
        };
        let mut classified = false;
        for i in set.matches(name).iter() {
            match self.header_rules[i] {
                HeaderRule::Ignore => info.ignored = true,
                HeaderRule::Value(action) if info.action.is_none() => info.action = Some(action),
                HeaderRule::Class(class) if !classified => {
                    info.class = class;
                    classified = true;
                }
                HeaderRule::Value(_) | HeaderRule::Class(_) => {}
            }
        }
        info
    }

    /// The first key rule matching JSON key or query parameter `key` (an index into
    /// [`Compiled::actions`]), with its `v` capture.
    pub fn key(&self, key: &str) -> Option<(usize, Option<String>)> {
        let set = self.key_set.as_ref()?;
        let i = set.matches(key).iter().next()?;
        let (re, action) = &self.key_rules[i];
        let capture = re
            .captures(key)
            .and_then(|c| c.name("v"))
            .map(|m| m.as_str().to_string());
        Some((*action, capture))
    }

    /// The first pointer rule matching `pointer` (whose last segment is `key`), if any.
    pub fn pointer(&self, pointer: &str, key: Option<&str>) -> Option<usize> {
        self.pointer_rules
            .iter()
            .find(|(ps, _)| {
                ps.iter()
                    .any(|p| p.could_end_with(key) && p.matches(pointer))
            })
            .map(|(_, action)| *action)
    }

    /// True when the array at `pointer` is ordered (the first matching rule decides).
    pub fn array_ordered(&self, pointer: &str) -> bool {
        self.arrays
            .iter()
            .find(|(m, _)| m.matches(pointer))
            .is_some_and(|(_, ordered)| *ordered)
    }

    /// True when the value at `pointer` is pinned.
    pub fn value_pinned(&self, pointer: &str) -> bool {
        self.pins.iter().any(|m| m.matches(pointer))
    }
}
