//! Rules compiled for speed: one combined value regex, header and key regex sets, call
//! matchers, service tables. Built once per run by [`RuleSet`](super::RuleSet).

use super::globs::{self, HeaderGlob};
use super::key_set::KeySet;
use super::lazy::LazyRegex;
use super::model::{Action, By, CallSpec, HeaderClass, Matcher, Origin, Replace, Rule};
use super::pattern::PointerPattern;
use super::prebuilt::call_regex::whole;
use super::prebuilt::kept::KEPT_PLACEHOLDER;
use super::value_scan::ValueScan;
use crate::error::{BoxedSource, Error, Result};
use crate::severity::Severity;
use crate::trace::Signature;
use regex_automata::meta;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// What a header, key or pointer rule does to the value it selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ContextAction {
    /// Placeholder or secret replacement (`true` for secret).
    Replace(Replace, bool),
    /// Constant redaction.
    Redact(String),
}

impl ContextAction {
    /// True when the value is a secret: redacted, or replaced by a `secret` rule.
    pub(super) fn is_secret(&self) -> bool {
        matches!(
            self,
            ContextAction::Redact(_) | ContextAction::Replace(_, true)
        )
    }
}

/// One pattern of the combined value scan (pattern `i`; the last pattern keeps placeholders).
#[derive(Debug, Clone)]
pub(super) struct ValueRule {
    /// The rule's own regex when it has a `v` group limiting the replaced part.
    pub v: Option<LazyRegex>,
    /// What to do with the match.
    pub action: ContextAction,
}

/// What the rules say about one header name.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct HeaderInfo {
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
pub(super) struct CallMatch {
    caller: Option<LazyRegex>,
    callee: Option<LazyRegex>,
    method: Option<LazyRegex>,
    path: Option<LazyRegex>,
    finding: Option<LazyRegex>,
    by: By,
}

impl CallMatch {
    fn new(spec: &CallSpec, eager: bool) -> std::result::Result<CallMatch, BoxedSource> {
        let anchored = |s: &Option<String>| {
            s.as_ref()
                .map(|s| LazyRegex::new(whole(s), eager))
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
    pub(super) fn matches(
        &self,
        sig: &Signature,
        caller_is_client: bool,
        kind: Option<&str>,
    ) -> bool {
        let ok =
            |re: &Option<LazyRegex>, text: &str| re.as_ref().is_none_or(|re| re.is_match(text));
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
pub(super) enum PathMatch {
    /// Pointer patterns.
    Pointer(Vec<PointerPattern>),
    /// A regex on the last key of the pointer.
    Key(LazyRegex),
}

impl PathMatch {
    /// True when `pointer` matches.
    pub(super) fn matches(&self, pointer: &str) -> bool {
        match self {
            PathMatch::Pointer(ps) => ps.iter().any(|p| p.matches(pointer)),
            PathMatch::Key(re) => {
                let last = pointer.rsplit('/').next().unwrap_or_default();
                re.is_match(&last.replace("~1", "/").replace("~0", "~"))
            }
        }
    }
}

/// The configuration of the multi-pattern scans: they are searched for where and which
/// pattern matches, never for captures, and their patterns have no common literal worth a
/// prefilter, so only the lazy DFA (and the PikeVM it falls back on) is built: the one-pass
/// and backtracking engines, a full DFA and the literal extraction were most of compiling them.
/// Matching is the same whichever engines are built.
fn scan_config() -> meta::Config {
    meta::Config::new()
        .auto_prefilter(false)
        .onepass(false)
        .backtrack(false)
        .dfa(false)
}

/// All rules, compiled.
#[derive(Debug, Clone, Default)]
pub(super) struct Compiled {
    /// All value rules in one multi-pattern regex (pattern `i` is value rule `i`, the last
    /// pattern keeps `{placeholders}`), leftmost-first in rule order.
    pub values: Option<ValueScan>,
    /// The value rules, in alternative order.
    pub value_rules: Vec<ValueRule>,
    /// What header, key and pointer rules do to values, indexed by the rules below.
    pub actions: Vec<ContextAction>,
    /// The header globs, in rule order, and what each one's rule does.
    header_rules: Vec<(HeaderGlob, HeaderRule)>,
    /// The key rules' regexes, as a set: which of them match a key.
    key_set: Option<KeySet>,
    /// Key regexes (for `{v}` captures) and an index into `actions`.
    key_rules: Vec<(LazyRegex, usize)>,
    /// Pointer rules that replace values, with an index into `actions`.
    pub pointer_rules: Vec<(Vec<PointerPattern>, usize)>,
    /// Segment naming rules: regex and name template.
    pub segments: Vec<(LazyRegex, String)>,
    arrays: Vec<(PathMatch, bool)>,
    /// Element-identity rules: where, and the keys identifying the elements there.
    element_keys: Vec<(PathMatch, Vec<String>)>,
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

/// The regex sources gathered rule by rule, combined into multi-pattern scans at the end.
#[derive(Default)]
struct Sources {
    values: Vec<String>,
    keys: Vec<String>,
}

impl Compiled {
    /// Compiles the rules (already validated one by one when loaded). The multi-pattern scans
    /// are built here; each rule's own regex on first use, except for rules read from files,
    /// whose regexes are compiled here so that a bad one is reported with its rule.
    pub(super) fn new(rules: &[Rule]) -> Result<Compiled> {
        let mut c = Compiled::default();
        let mut sources = Sources::default();
        for rule in rules.iter().filter(|r| r.enabled) {
            c.add_kind(&rule.action);
            c.add(rule, &mut sources).map_err(|e| Error::Rule {
                path: rule.origin.path().to_path_buf(),
                line: rule.line,
                rule: rule.name.clone(),
                source: e,
            })?;
        }
        c.combine(sources)?;
        Ok(c)
    }

    /// Records the placeholder kind a replacing action writes.
    fn add_kind(&mut self, action: &Action) {
        match action {
            Action::Placeholder(r) | Action::Secret(r) if r.numbered => {
                self.numbered_kinds.insert(r.kind.clone());
            }
            Action::Placeholder(r) | Action::Secret(r) => {
                self.constant_kinds.insert(r.kind.clone());
            }
            Action::Redact(name) => {
                self.constant_kinds.insert(name.clone());
            }
            _ => {}
        }
    }

    /// Adds one enabled rule; its value, header and key regexes go to `sources`.
    fn add(&mut self, rule: &Rule, sources: &mut Sources) -> std::result::Result<(), BoxedSource> {
        let eager = rule.origin != Origin::Builtin;
        let regex = |source: &str| LazyRegex::new(source.to_string(), eager);
        match (&rule.matcher, &rule.action) {
            (Matcher::Value(source), action) => {
                if let Some(action) = context_action(action) {
                    sources.values.push(source.clone());
                    self.value_rules.push(ValueRule {
                        v: Some(regex(source)?),
                        action,
                    });
                }
            }
            (Matcher::Header(globs), action) => self.add_header(globs, action, eager)?,
            (
                Matcher::Key(source),
                Action::Ordered | Action::Unordered | Action::Pin | Action::ElementIdentity(_),
            ) => {
                self.add_path_match(PathMatch::Key(regex(source)?), &rule.action);
            }
            (Matcher::Key(source), action) => {
                if let Some(action) = context_action(action) {
                    sources.keys.push(source.clone());
                    let index = self.push_action(action);
                    self.key_rules.push((regex(source)?, index));
                }
            }
            (Matcher::Pointer(ps), action) => {
                let patterns = ps
                    .iter()
                    .map(|p| PointerPattern::parse(p))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                match action {
                    Action::Pin
                    | Action::Ordered
                    | Action::Unordered
                    | Action::ElementIdentity(_) => {
                        self.add_path_match(PathMatch::Pointer(patterns), action);
                    }
                    other => {
                        if let Some(action) = context_action(other) {
                            let index = self.push_action(action);
                            self.pointer_rules.push((patterns, index));
                        }
                    }
                }
            }
            (Matcher::Segment(source), Action::Placeholder(r) | Action::Secret(r)) => {
                let re = regex(source)?;
                if let Some(named) = &r.named {
                    self.segments.push((re, named.clone()));
                }
            }
            (Matcher::Call(spec), Action::Severity(s)) => {
                let call = CallMatch::new(spec, eager)?;
                self.severities.push((call, *s));
            }
            (Matcher::Call(spec), Action::CacheDependent) => {
                let call = CallMatch::new(spec, eager)?;
                self.cache_dependent.push(call);
            }
            (Matcher::Service(name), action @ Action::Service { .. }) => {
                self.add_service(name, action);
            }
            _ => {}
        }
        Ok(())
    }

    /// Appends a header, key or pointer rule's action; returns its index in `actions`.
    fn push_action(&mut self, action: ContextAction) -> usize {
        self.actions.push(action);
        self.actions.len() - 1
    }

    /// A header rule: one header glob per name it lists, all doing what the rule does.
    fn add_header(
        &mut self,
        globs: &[String],
        action: &Action,
        eager: bool,
    ) -> std::result::Result<(), BoxedSource> {
        let rule = match action {
            Action::Ignore => HeaderRule::Ignore,
            Action::Contract => HeaderRule::Class(HeaderClass::Contract),
            Action::CapturePoint => HeaderRule::Class(HeaderClass::CapturePoint),
            other => match context_action(other) {
                Some(action) => HeaderRule::Value(self.push_action(action)),
                None => return Ok(()),
            },
        };
        for glob in globs {
            self.header_rules
                .push((HeaderGlob::new(glob, eager)?, rule));
        }
        Ok(())
    }

    /// An array-order, element-identity or pin rule on JSON locations.
    fn add_path_match(&mut self, matcher: PathMatch, action: &Action) {
        match action {
            Action::Pin => self.pins.push(matcher),
            Action::ElementIdentity(keys) => self.element_keys.push((matcher, keys.clone())),
            Action::Ordered => self.arrays.push((matcher, true)),
            _ => self.arrays.push((matcher, false)),
        }
    }

    /// A service rule: its names, ports, mount prefix and role (first rule wins each).
    fn add_service(&mut self, name: &str, action: &Action) {
        let Action::Service {
            aliases,
            mount,
            ports,
            client,
            identity,
        } = action
        else {
            return;
        };
        for port in ports {
            self.ports.entry(*port).or_insert_with(|| name.to_string());
        }
        for alias in aliases.iter().map(String::as_str).chain([name]) {
            self.aliases
                .entry(alias.to_ascii_lowercase())
                .or_insert_with(|| name.to_string());
        }
        if let Some(m) = mount {
            self.mounts
                .entry(name.to_string())
                .or_insert_with(|| m.clone());
        }
        if *client {
            self.clients.insert(name.to_string());
        }
        if *identity {
            self.identities.insert(name.to_string());
        }
    }

    /// Builds the multi-pattern scans: values (plus kept placeholders) and keys. A value
    /// rule keeps its own regex only when it has a `v` group limiting the replaced part.
    fn combine(&mut self, mut sources: Sources) -> Result<()> {
        sources.values.push(KEPT_PLACEHOLDER.to_string());
        let config = scan_config()
            .nfa_size_limit(Some(64 << 20))
            .hybrid_cache_capacity(8 << 20);
        let values = ValueScan::new(&sources.values, config).map_err(|source| Error::RuleSet {
            kind: "value",
            source,
        })?;
        for (i, rule) in self.value_rules.iter_mut().enumerate() {
            if !values.has_group(i, "v") {
                rule.v = None;
            }
        }
        self.values = Some(values);
        if !sources.keys.is_empty() {
            let keys =
                KeySet::new(&sources.keys, scan_config()).map_err(|source| Error::RuleSet {
                    kind: "key",
                    source,
                })?;
            self.key_set = Some(keys);
        }
        Ok(())
    }

    /// What the rules say about header `name`: ignored when any ignore rule matches, the
    /// first matching value rule, and the first matching contract or capture-point rule.
    pub(super) fn header(&self, name: &str) -> HeaderInfo {
        let mut info = HeaderInfo::default();
        let mut classified = false;
        let plain = globs::plain(name);
        let matching = self
            .header_rules
            .iter()
            .filter(|(glob, _)| glob.matches(name, plain));
        for (_, rule) in matching {
            match *rule {
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
    pub(super) fn key(&self, key: &str) -> Option<(usize, Option<String>)> {
        let i = self.key_set.as_ref()?.first_match(key)?;
        let (re, action) = self.key_rules.get(i)?;
        let capture = re.first_v(key).flatten().map(|v| key[v].to_string());
        Some((*action, capture))
    }

    /// The pointer rules (indices into `pointer_rules`, in rule order) that can match a pointer
    /// whose last segment is `key`: asked once per key, so that [`Compiled::pointer_among`]
    /// looks at no other rule.
    pub(super) fn pointer_candidates(&self, key: Option<&str>) -> Box<[u32]> {
        (0..self.pointer_rules.len())
            .filter(|&i| {
                self.pointer_rules[i]
                    .0
                    .iter()
                    .any(|p| p.could_end_with(key))
            })
            .filter_map(|i| u32::try_from(i).ok())
            .collect()
    }

    /// The first pointer rule matching `pointer` (whose last segment is `key`) among the
    /// `candidates` [`Compiled::pointer_candidates`] gave for `key`, as an index into
    /// [`Compiled::actions`].
    pub(super) fn pointer_among(
        &self,
        candidates: &[u32],
        pointer: &str,
        key: Option<&str>,
    ) -> Option<usize> {
        candidates
            .iter()
            .filter_map(|&i| self.pointer_rules.get(i as usize))
            .find(|(ps, _)| {
                ps.iter()
                    .any(|p| p.could_end_with(key) && p.matches(pointer))
            })
            .map(|(_, action)| *action)
    }

    /// True when the array at `pointer` is ordered (the first matching rule decides).
    pub(super) fn array_ordered(&self, pointer: &str) -> bool {
        self.arrays
            .iter()
            .find(|(m, _)| m.matches(pointer))
            .is_some_and(|(_, ordered)| *ordered)
    }

    /// The keys identifying the elements of the array at `pointer` (the first matching rule
    /// decides; none: elements have no identity).
    pub(crate) fn element_keys(&self, pointer: &str) -> &[String] {
        self.element_keys
            .iter()
            .find(|(m, _)| m.matches(pointer))
            .map_or(&[], |(_, keys)| keys.as_slice())
    }

    /// True when the value at `pointer` is pinned.
    pub(super) fn value_pinned(&self, pointer: &str) -> bool {
        self.pins.iter().any(|m| m.matches(pointer))
    }
}
