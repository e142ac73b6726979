//! Both sides of a comparison (traces, signatures, cache-dependent calls, rules): what every
//! finding is built from.

use super::{default_severity, Finding, Kind, Part};
use crate::normalize::RuleSet;
use crate::trace::{Signature, Trace};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Both traces and their signatures: what every finding is built from.
pub(super) struct Sides<'a> {
    pub old: &'a Trace,
    pub new: &'a Trace,
    pub old_sigs: &'a [Signature],
    pub new_sigs: &'a [Signature],
    /// Whether each old / new exchange is a cache-dependent call (from the call trees).
    pub old_cache: &'a [bool],
    pub new_cache: &'a [bool],
    pub rules: &'a RuleSet,
    /// Whether each header name seen is ignored: asked of the rules once per name (their
    /// header scan costs far more than a lookup, and every exchange repeats the same names).
    pub ignored_headers: RefCell<FxHashMap<String, bool>>,
}

impl<'a> Sides<'a> {
    /// The same sides with a cache of their own, for another thread.
    pub(super) fn with_own_cache(&self) -> Sides<'a> {
        Sides {
            ignored_headers: RefCell::default(),
            ..*self
        }
    }

    /// True when the rules ignore header `name` (memoized per name).
    pub(crate) fn header_ignored(&self, name: &str) -> bool {
        if let Some(&ignored) = self.ignored_headers.borrow().get(name) {
            return ignored;
        }
        let ignored = self.rules.header_ignored(name);
        self.ignored_headers
            .borrow_mut()
            .insert(name.to_string(), ignored);
        ignored
    }

    /// A finding with its default severity, on old exchange `old` and/or new exchange `new`.
    pub(super) fn finding(
        &self,
        kind: Kind,
        part: Part,
        old: Option<usize>,
        new: Option<usize>,
    ) -> Finding {
        let call = match (new, old) {
            (Some(n), _) => self.new_sigs[n].to_string(),
            (None, Some(o)) => self.old_sigs[o].to_string(),
            (None, None) => String::new(),
        };
        Finding {
            id: String::new(),
            kind,
            severity: default_severity(kind),
            call,
            old_step: old.map(|o| o + 1),
            new_step: new.map(|n| n + 1),
            part,
            pointer: None,
            old: None,
            new: None,
            message: String::new(),
            line: None,
            old_line: None,
            new_line: None,
        }
    }

    /// A call as its method and path (`GET /v2/images/{}`).
    pub(super) fn short(sig: &Signature) -> String {
        format!("{} {}", sig.method, sig.path)
    }
}
