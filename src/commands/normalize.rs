//! `flowdiff normalize FILE [-o OUT]`: the normalized capture as hook Markdown.

use super::{emit, load_trace, Context, Outcome};
use crate::cli::NormalizeArgs;
use crate::error::Result;
use crate::normalize::normalize_in_place;
use crate::trace_output::hook_markdown::hook_markdown;

/// Runs `flowdiff normalize`: the capture's own flow name wins over `--flow`; in a capture of
/// several flows (a Tempest log), `--flow` says which one.
pub(super) fn run(args: &NormalizeArgs, context: &Context) -> Result<Outcome> {
    let rules = context.load_rules(&args.rules)?;
    let mut trace = load_trace(
        &args.file,
        args.flow.as_deref(),
        &rules,
        context.config.limits,
    )?;
    if trace.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        trace.name.clone_from(&args.flow);
    }
    normalize_in_place(&mut trace, &rules);
    emit(args.output.as_deref(), hook_markdown(&trace).as_bytes())?;
    Ok(Outcome::Pass)
}
