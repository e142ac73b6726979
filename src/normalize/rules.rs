//! Loading and compiling rules (`rules/default.toml` plus `--rules FILE`).
//!
//! STUB: the query methods are the contract the comparison uses; bodies are placeholders.

use crate::error::Result;
use crate::severity::Severity;
use crate::trace::Signature;
use std::path::Path;

/// The effective, compiled rule set: built-in defaults plus user files.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {}

impl RuleSet {
    /// The built-in rules (`rules/default.toml`, compiled into the binary).
    pub fn builtin() -> RuleSet {
        RuleSet {}
    }

    /// The built-in rules plus each file in `files`, later files overriding earlier ones by name.
    pub fn load(files: &[&Path]) -> Result<RuleSet> {
        let _ = files;
        Ok(RuleSet::builtin())
    }

    /// True when header `name` (any case) is ignored for comparison.
    pub fn header_ignored(&self, name: &str) -> bool {
        matches!(
            name.to_ascii_lowercase().as_str(),
            "date" | "connection" | "content-length" | "x-openstack-request-id" | "server"
        ) || name.to_ascii_lowercase().starts_with("x-requestshook-")
    }

    /// True when the array at JSON `pointer` (segments `*` for any element) is ordered.
    pub fn array_ordered(&self, pointer: &str) -> bool {
        let _ = pointer;
        false
    }

    /// True when a rule pins the value at JSON `pointer`: a change is a warning, not info.
    pub fn value_pinned(&self, pointer: &str) -> bool {
        let _ = pointer;
        false
    }

    /// A rule's severity for findings of `kind` (`missing_call`, …) on `signature`, if any.
    pub fn severity_override(&self, kind: &str, signature: &Signature) -> Option<Severity> {
        let _ = (kind, signature);
        None
    }

    /// True when a call's presence depends on auth caches (version discovery, service token
    /// issue and validation), so its presence or count is noise unless `--strict-auth`.
    pub fn cache_dependent(&self, signature: &Signature, caller_is_client: bool) -> bool {
        let _ = (signature, caller_is_client);
        false
    }

    /// True when `actor` (canonical name) is the user's client (`openstack`).
    pub fn is_client(&self, actor: &str) -> bool {
        actor == "openstack"
    }
}
