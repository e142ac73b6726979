//! Rules compiled for speed: one combined value regex, header and key regex sets, call
//! matchers, service tables. Built once per run by [`RuleSet`](super::RuleSet).

use super::pattern::{header_glob_regex, PointerPattern};
use super::rules::{Action, By, CallSpec, Matcher, Replace, Rule};
use crate::error::{Error, Result};
use crate::severity::Severity;
use crate::trace::Signature;
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use std::collections::{HashMap, HashSet};

/// The group name of the built-in alternative that keeps existing `{placeholders}`.
pub const KEEP_GROUP: &str = "keep";

/// What a header, key or pointer rule does to the value it selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextAction {
    /// Placeholder or secret replacement (`true` for secret).
    Replace(Replace, bool),
    /// Constant redaction.
    Redact(String),
}

/// One alternative of the combined value regex.
#[derive(Debug, Clone)]
pub struct ValueRule {
    /// Group name of the whole alternative.
    pub group: String,
    /// Group name of its `v` capture, when it has one.
    pub v_group: Option<String>,
    /// What to do with the match.
    pub action: ContextAction,
}

/// What the rules say about one header name.
#[derive(Debug, Clone, Default)]
pub struct HeaderInfo {
    /// Not compared.
    pub ignored: bool,
    /// What to do with its value.
    pub action: Option<ContextAction>,
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
    fn new(spec: &CallSpec) -> Result<CallMatch> {
        let anchored = |s: &Option<String>| -> Result<Option<Regex>> {
            s.as_ref()
                .map(|s| Regex::new(&format!("^(?:{s})$")).map_err(|e| Error::Usage(e.to_string())))
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
        let ok = |re: &Option<Regex>, text: &str| re.as_ref().map_or(true, |re| re.is_match(text));
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
    /// The combined value regex (the keep alternative first, then each value rule).
    pub values: Option<Regex>,
    /// The value rules, in alternative order.
    pub value_rules: Vec<ValueRule>,
    header_set: Option<RegexSet>,
    header_rules: Vec<Action>,
    key_set: Option<RegexSet>,
    /// Key regexes (for `{v}` captures) and what each key rule does.
    pub key_rules: Vec<(Regex, ContextAction)>,
    /// Pointer rules that replace values.
    pub pointer_rules: Vec<(Vec<PointerPattern>, ContextAction)>,
    /// Segment naming rules: regex and name template.
    pub segments: Vec<(Regex, String)>,
    arrays: Vec<(PathMatch, bool)>,
    pins: Vec<PathMatch>,
    /// Severity rules.
    pub severities: Vec<(CallMatch, Severity)>,
    /// Cache-dependent call rules.
    pub cache_dependent: Vec<CallMatch>,
    /// Lower-cased alias (and canonical name) -> canonical name.
    pub aliases: HashMap<String, String>,
    /// Canonical service -> mount prefix.
    pub mounts: HashMap<String, String>,
    /// Canonical names of the user's client.
    pub clients: HashSet<String>,
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

fn compile_error(rule: &Rule, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("rule `{}` ({}): {e}", rule.name, rule.origin))
}

impl Compiled {
    /// Compiles the rules (already validated one by one when loaded).
    pub fn new(rules: &[Rule]) -> Result<Compiled> {
        let mut c = Compiled::default();
        let mut alternatives = vec![format!(r"(?P<{KEEP_GROUP}>\{{[A-Za-z_][A-Za-z0-9_]*\}})")];
        let mut header_patterns = Vec::new();
        let mut key_patterns = Vec::new();
        let group_re = Regex::new(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
            .map_err(|e| Error::Usage(e.to_string()))?;
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
                    let i = c.value_rules.len();
                    let renamed = group_re.replace_all(source, format!("(?P<r{i}_$1>").as_str());
                    let v_group = format!("r{i}_v");
                    let has_v = renamed.contains(&format!("(?P<{v_group}>"));
                    alternatives.push(format!("(?P<r{i}>{renamed})"));
                    c.value_rules.push(ValueRule {
                        group: format!("r{i}"),
                        v_group: has_v.then_some(v_group),
                        action,
                    });
                }
                (Matcher::Header(globs), action) => {
                    for glob in globs {
                        header_patterns.push(header_glob_regex(glob));
                        c.header_rules.push(action.clone());
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
                    c.key_rules.push((re, action));
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
                                c.pointer_rules.push((patterns, action));
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
                        client,
                    },
                ) => {
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
                }
                _ => {}
            }
        }
        c.values = Some(
            RegexBuilder::new(&alternatives.join("|"))
                .size_limit(64 << 20)
                .build()
                .map_err(|e| Error::Usage(format!("the value rules do not combine: {e}")))?,
        );
        if !header_patterns.is_empty() {
            c.header_set = Some(
                RegexSetBuilder::new(&header_patterns)
                    .build()
                    .map_err(|e| Error::Usage(format!("the header rules do not combine: {e}")))?,
            );
        }
        if !key_patterns.is_empty() {
            c.key_set = Some(
                RegexSetBuilder::new(&key_patterns)
                    .build()
                    .map_err(|e| Error::Usage(format!("the key rules do not combine: {e}")))?,
            );
        }
        Ok(c)
    }

    /// What the rules say about header `name`: ignored when any ignore rule matches, and the
    /// first matching value rule.
    pub fn header(&self, name: &str) -> HeaderInfo {
        let mut info = HeaderInfo::default();
        let Some(set) = &self.header_set else {
            return info;
        };
        for i in set.matches(name).iter() {
            match &self.header_rules[i] {
                Action::Ignore => info.ignored = true,
                action if info.action.is_none() => info.action = context_action(action),
                _ => {}
            }
        }
        info
    }

    /// The first key rule matching JSON key or query parameter `key`, with its `v` capture.
    pub fn key(&self, key: &str) -> Option<(ContextAction, Option<String>)> {
        let set = self.key_set.as_ref()?;
        let i = set.matches(key).iter().next()?;
        let (re, action) = &self.key_rules[i];
        let capture = re
            .captures(key)
            .and_then(|c| c.name("v"))
            .map(|m| m.as_str().to_string());
        Some((action.clone(), capture))
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
