//! The effective rule set: built-in `rules/default.toml` plus `--rules` files, compiled once
//! per run (each regex on first use), and the queries the comparison asks of it.

use super::compiled::Compiled;
use super::load::{parse_builtin_rules, parse_rules};
use super::model::BUILTIN_PATH;
pub use super::model::{Action, By, CallSpec, HeaderClass, Matcher, Origin, Replace, Rule};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::severity::Severity;
use crate::trace::Signature;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The built-in rules file, compiled into the binary.
pub const DEFAULT_RULES: &str = include_str!("../../../rules/default.toml");

/// The effective, compiled rule set: built-in defaults plus user files.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Shared by clones: a copy handed to another thread costs a reference count.
    rules: Arc<[Rule]>,
    /// Shared by clones, so that a regex compiled on first use is compiled once.
    pub(super) compiled: Arc<Compiled>,
    /// The `secret` and `redact` rules alone, compiled on first use (showing a raw capture).
    secrets: Arc<OnceLock<std::result::Result<Compiled, String>>>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::builtin()
    }
}

impl RuleSet {
    /// The built-in rules (`rules/default.toml`, compiled into the binary). Loaded once per
    /// process and shared by every copy; each regex is compiled on first use.
    pub fn builtin() -> RuleSet {
        static BUILTIN: OnceLock<RuleSet> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // `builtin_rules_load_and_compile` and `builtin_rules_parse_and_compile`
                // (rules/tests.rs) check every built-in rule.
                #[allow(clippy::expect_used)]
                RuleSet::from_rules(builtin_rules())
                    .expect("the built-in rules load (checked by the tests)")
            })
            .clone()
    }

    /// The built-in rules plus each file in `files`, later files overriding earlier ones by name.
    /// Every bad rule of every file is reported.
    pub fn load(files: &[&Path]) -> Result<RuleSet> {
        if files.is_empty() {
            return Ok(RuleSet::builtin());
        }
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
        let compiled = Arc::new(Compiled::new(&rules)?);
        Ok(RuleSet {
            rules: rules.into(),
            compiled,
            secrets: Arc::default(),
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

    /// The keys identifying the elements of the array at JSON `pointer` (segments `*` for any
    /// element), in order of preference (`id`, `name`, …; empty when no rule names any).
    pub fn element_identity_keys(&self, pointer: &str) -> &[String] {
        self.compiled.element_keys(pointer)
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

    /// The names the user's client goes by, lower case: each `client` service's canonical name
    /// and aliases (`openstack`, `osc`, …), in no particular order.
    pub fn client_names(&self) -> impl Iterator<Item = &str> {
        self.compiled
            .aliases
            .iter()
            .filter(|(_, canonical)| self.compiled.clients.contains(*canonical))
            .map(|(name, _)| name.as_str())
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

/// The built-in rules, checked; an error only if `rules/default.toml` is broken (the test
/// `builtin_rules_load_and_compile` also checks that they are the rules of its text).
pub(super) fn try_builtin_rules() -> Result<Vec<Rule>> {
    parse_builtin_rules(Path::new(BUILTIN_PATH))
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

#[cfg(test)]
mod tests;
