//! What every fuzz target shares.

use flowdiff::normalize::RuleSet;
use flowdiff::trace::Trace;
use std::sync::OnceLock;

/// The built-in rules, compiled once per fuzzing process.
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(RuleSet::builtin)
}

/// The flows of a fuzzed input that is UTF-8 text and parses; `None` otherwise (nothing to test).
#[allow(dead_code)] // compare_mutant parses its own two halves
pub fn flows(data: &[u8]) -> Option<Vec<Trace>> {
    let text = std::str::from_utf8(data).ok()?;
    flowdiff::parse::parse_flows(text).ok()
}
