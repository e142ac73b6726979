//! `flowdiff show FILE`: the call tree, the model as JSON, or a Mermaid diagram; for a golden
//! set directory, what the set learned from its members.

use super::{emit, load_flows, one_flow, Context, Outcome};
use crate::cli::{ShowArgs, ShowFormat};
use crate::compare::Options;
use crate::error::{Error, InputError, Result};
use crate::golden;
use crate::golden::flows::flows;
use crate::golden::set::Learned;
use crate::normalize::{normalize_in_place, redact_in_place};
use crate::trace_output;
use std::fmt::Write;

/// Runs `flowdiff show`.
pub(super) fn run(args: &ShowArgs, context: &Context) -> Result<Outcome> {
    if args.file.is_dir() {
        let text = golden_set(args, context)?;
        emit(None, text.as_bytes())?;
        return Ok(Outcome::Pass);
    }
    let rules = context.load_rules(&args.rules)?;
    let mut flows = load_flows(&args.file, context.config.limits)?;
    if let Some(name) = &args.flow {
        flows = vec![one_flow(&args.file, flows, Some(name), &rules)?];
    }
    if args.raw {
        eprintln!(
            "flowdiff: note: --raw: this output holds the capture's secrets (tokens, passwords, \
             credentials) in the clear"
        );
    }
    for flow in &mut flows {
        if args.normalized {
            normalize_in_place(flow, &rules);
        } else {
            // As captured, with the auth calls a service logged early under their request, and
            // without its secrets unless asked for.
            crate::normalize::adopt(flow, &rules);
            if !args.raw {
                redact_in_place(flow, &rules)?;
            }
        }
    }
    let text = match (args.format, flows.as_slice()) {
        (ShowFormat::Json, _) => {
            let mut text = serde_json::to_string_pretty(&trace_output::json::capture_json(&flows))
                .map_err(|source| Error::Serialize {
                    what: "trace",
                    source,
                })?;
            text.push('\n');
            text
        }
        (ShowFormat::Text, [one]) => trace_output::tree::call_tree(one, &context.styles),
        (ShowFormat::Text, many) => trace_output::tree::flow_list(many, &context.styles),
        (ShowFormat::Mermaid, [one]) => trace_output::mermaid::sequence_diagram(one),
        (ShowFormat::Mermaid, many) => {
            return Err(InputError::new(0, crate::parse::several_flows(many)).in_file(&args.file))
        }
    };
    emit(None, text.as_bytes())?;
    Ok(Outcome::Pass)
}

/// The members of a golden set and what their differences taught it (optional calls, volatile
/// pointers, repeat spans), so a reviewer sees what a check will accept.
fn golden_set(args: &ShowArgs, context: &Context) -> Result<String> {
    if args.format != ShowFormat::Text {
        return Err(Error::Usage(format!(
            "{}: a golden set directory is shown as text only",
            args.file.display()
        )));
    }
    let rules = context.load_rules(&args.rules)?;
    let members = golden::load_set(&args.file)?;
    let sources: Vec<String> = members.iter().map(|m| m.source.clone()).collect();
    let mut sets = flows(members, &rules)?;
    let Some(set) = sets.pop() else {
        return Err(Error::Usage(format!(
            "{}: no members to show",
            args.file.display()
        )));
    };
    let learned = Learned::learn(&set.members, &rules, &Options::default());
    let lines = learned.describe();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "golden set {} ({} members, reference first):",
        set.name,
        set.members.len()
    );
    for (source, member) in sources.iter().zip(&set.members) {
        let _ = writeln!(out, "  {source}: {} exchanges", member.exchanges.len());
    }
    if lines.is_empty() {
        let _ = writeln!(out, "learned: nothing (the members agree)");
    } else {
        let _ = writeln!(out, "learned ({} accepted variations):", lines.len());
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
    Ok(out)
}
