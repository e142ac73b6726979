//! `flowdiff rules`: the effective rule set, in the order rules apply, with each rule's origin.

use super::{emit, Context, Outcome};
use crate::cli::RulesArgs;
use crate::error::Result;
use crate::normalize::rules::{Origin, Rule, RuleSet};
use crate::report::Styles;
use owo_colors::OwoColorize;
use std::fmt::Write;

/// Runs `flowdiff rules`.
pub(super) fn run(args: &RulesArgs, context: &Context) -> Result<Outcome> {
    let rules = context.load_rules(&args.rules)?;
    emit(None, render(&rules, &context.styles).as_bytes())?;
    Ok(Outcome::Pass)
}

/// The listing: a header line, then three lines per rule (name and origin, what it does to
/// what, its comment).
pub(super) fn render(rules: &RuleSet, styles: &Styles) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} rules, first matching rule wins (a --rules file's rule replaces a built-in one of the same name)\n",
        rules.rules().len()
    );
    for rule in rules.rules() {
        describe(&mut out, rule, styles);
    }
    out
}

fn describe(out: &mut String, rule: &Rule, styles: &Styles) {
    let origin = match &rule.origin {
        Origin::Builtin => format!("built-in, rules/default.toml:{}", rule.line),
        Origin::File(path) => format!("{}:{}", path.display(), rule.line),
    };
    let disabled = if rule.enabled { "" } else { ", disabled" };
    let _ = writeln!(
        out,
        "{} {}",
        rule.name.style(styles.bold),
        format!("({origin}{disabled})").style(styles.dim)
    );
    let _ = writeln!(out, "  {} on {}", rule.action, rule.matcher);
    if !rule.about.is_empty() {
        let _ = writeln!(out, "  {}", rule.about.style(styles.dim));
    }
    out.push('\n');
}
