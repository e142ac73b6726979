//! Normalization: turn a trace into its canonical form with a [`RuleSet`].
//!
//! STUB (owned by the normalization work): the signatures below are the contract the
//! comparison and command layers build on; the bodies are placeholders.

pub mod rules;

pub use rules::RuleSet;

use crate::trace::{Exchange, Signature, Trace};

/// Returns the canonical form of `trace`: canonical service names, volatile values replaced by
/// placeholders, secrets redacted. Deterministic and idempotent.
pub fn normalize(trace: &Trace, rules: &RuleSet) -> Trace {
    let _ = rules;
    trace.clone()
}

/// The alignment identity of an exchange of a normalized trace.
pub fn signature(exchange: &Exchange, rules: &RuleSet) -> Signature {
    let _ = rules;
    Signature {
        caller: exchange.caller.clone(),
        callee: exchange.callee.clone(),
        method: exchange.method.clone(),
        path: exchange.path.clone(),
    }
}
