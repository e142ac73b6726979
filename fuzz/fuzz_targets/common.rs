//! What every fuzz target shares.

use flowdiff::normalize::RuleSet;
use std::sync::OnceLock;

/// The built-in rules, compiled once per fuzzing process.
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(RuleSet::builtin)
}
