//! Normalization: turn a trace into its canonical form with a [`RuleSet`]: canonical service
//! names, volatile values replaced by placeholders that keep meaning, secrets redacted.

mod adoption;
mod as_read;
mod assign;
mod compiled;
mod contexts;
mod find;
mod globs;
mod key_set;
mod lazy;
pub(crate) mod load;
mod memo;
mod model;
mod pattern;
mod placeholders;
mod prebuilt;
mod prescan;
mod record;
pub mod rules;
mod scan;
mod toml_text;
mod value_scan;
mod walk;

#[cfg(test)]
mod tests;

pub use adoption::adopt;
pub(crate) use as_read::{CollectAsRead, Unfinished};
pub use pattern::{glob_regex, singular};
pub use rules::RuleSet;

use crate::trace::{Exchange, Signature, Trace};
use contexts::Collector;
use rustc_hash::FxHashMap;

/// Returns the canonical form of `trace`: canonical service names, volatile values replaced by
/// placeholders, secrets redacted. Its `variables` are the named placeholders of paths and
/// queries (`image_id`, `server_id`), each as `(name, "{name}")`. Deterministic and idempotent.
pub fn normalize(trace: &Trace, rules: &RuleSet) -> Trace {
    let mut out = trace.clone();
    normalize_in_place(&mut out, rules);
    out
}

/// [`normalize`] without the copy: rewrites `trace` into its canonical form.
pub fn normalize_in_place(trace: &mut Trace, rules: &RuleSet) {
    let running = prescan::Running::start();
    let ahead = running.scan_ahead(&trace.exchanges);
    normalize_with(trace, rules, ahead);
    drop(running);
}

/// [`normalize_in_place`] on the calling thread only, for callers keeping the other cores busy.
pub fn normalize_in_place_on_one_core(trace: &mut Trace, rules: &RuleSet) {
    normalize_with(trace, rules, false);
}

/// [`normalize_in_place`], scanning long traces ahead on two cores when `ahead`.
fn normalize_with(trace: &mut Trace, rules: &RuleSet, ahead: bool) {
    // Canonical names may merge parties the capture's names told apart: events are then
    // paired again, as reading the written trace back pairs them.
    if canonical_names(trace, rules) {
        crate::parse::repair(trace);
    }
    adopt(trace, rules);
    let pointers = !rules.compiled.pointer_rules.is_empty();
    let variables = std::mem::take(&mut trace.variables);
    let prescan = match ahead {
        true => prescan::Prescan::new(&rules.compiled, &mut trace.exchanges),
        false => prescan::Prescan::default(),
    };
    let mut collector = Collector::new(&rules.compiled, &variables, prescan);
    walk::walk(trace, &mut collector, pointers);
    let mut assignment = collector.finish();
    // Rewriting looks at no context: no JSON pointers to build.
    walk::walk(trace, &mut assignment, false);
    trace.variables = named_variables(&assignment.variables);
}

/// Gives the parties of `trace` their canonical names; true when two names the capture told
/// apart became one (the events must then be paired again).
fn canonical_names(trace: &mut Trace, rules: &RuleSet) -> bool {
    let mut named: FxHashMap<String, String> = FxHashMap::default();
    let mut merged = false;
    for exchange in &mut trace.exchanges {
        let caller = rules.canonical(&exchange.caller);
        let callee = rules.callee(&exchange.callee, &exchange.path);
        for (canonical, raw) in [(&caller, &exchange.caller), (&callee, &exchange.callee)] {
            match named.get(canonical) {
                Some(seen) => merged |= seen != raw,
                None => {
                    named.insert(canonical.clone(), raw.clone());
                }
            }
        }
        exchange.caller = caller;
        exchange.callee = callee;
    }
    merged
}

/// The variables of a normalized trace: the named placeholders of its calls.
fn named_variables(names: &[String]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|name| (name.clone(), format!("{{{name}}}")))
        .collect()
}

/// Redacts the secrets of `trace` and changes nothing else: what the rules' `secret` and
/// `redact` actions match (tokens, passwords, credentials) is replaced as normalization
/// replaces it (`{token1}`, `{password}`), every other value is left as captured. For showing a
/// capture as it was captured without its secrets. Fails only when the secret rules do not
/// compile apart from the others.
pub fn redact_in_place(trace: &mut Trace, rules: &RuleSet) -> crate::error::Result<()> {
    let secrets = rules.secret_rules()?;
    let pointers = !secrets.pointer_rules.is_empty();
    let mut collector = Collector::new(secrets, &[], prescan::Prescan::default());
    walk::walk(trace, &mut collector, pointers);
    let mut assignment = collector.finish();
    walk::walk(trace, &mut assignment, false);
    Ok(())
}

/// The [`signature`] of every exchange of a normalized trace, in step order.
pub fn signatures(trace: &Trace, rules: &RuleSet) -> Vec<Signature> {
    trace
        .exchanges
        .iter()
        .map(|e| signature(e, rules))
        .collect()
}

/// The alignment identity of one exchange of a normalized trace: canonical caller and callee,
/// method, and the path without the callee's mount prefix, without a trailing slash, and with
/// placeholder numbers dropped (`{uuid2}` -> `{uuid}`).
pub fn signature(exchange: &Exchange, rules: &RuleSet) -> Signature {
    let caller = rules.canonical(&exchange.caller);
    let callee = rules.callee(&exchange.callee, &exchange.path);
    let mut path = exchange.path.as_str();
    if let Some(mount) = rules.mount(&callee) {
        if let Some(rest) = path.strip_prefix(mount) {
            if rest.is_empty() || rest.starts_with('/') {
                path = rest;
            }
        }
    }
    let path = path.trim_end_matches('/');
    Signature {
        caller,
        callee,
        method: exchange.method.to_ascii_uppercase(),
        path: if path.is_empty() {
            "/".to_string()
        } else {
            path_template(path)
        },
    }
}

/// Drops the numbers of placeholders: `/servers/{uuid2}` -> `/servers/{uuid}`.
fn path_template(path: &str) -> String {
    crate::trace::rewrite_placeholders(path, |name, out| {
        out.push('{');
        out.push_str(name.trim_end_matches(|c: char| c.is_ascii_digit()));
        out.push('}');
    })
    .into_owned()
}
