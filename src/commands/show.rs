//! `flowdiff show FILE`: the call tree, the model as JSON, or a Mermaid diagram.

use super::{emit, load_rules, load_trace, Context, Outcome};
use crate::cli::{ShowArgs, ShowFormat};
use crate::error::{Error, Result};
use crate::normalize::normalize;
use crate::render;

/// Runs `flowdiff show`.
pub fn run(args: &ShowArgs, context: &Context) -> Result<Outcome> {
    let mut trace = load_trace(&args.file)?;
    if args.normalized {
        let rules = load_rules(&args.rules)?;
        trace = normalize(&trace, &rules);
    }
    let text = match args.format {
        ShowFormat::Text => render::tree::call_tree(&trace, &context.styles),
        ShowFormat::Json => {
            let mut text = serde_json::to_string_pretty(&render::json::trace_json(&trace))
                .map_err(|e| Error::Usage(format!("cannot serialize trace: {e}")))?;
            text.push('\n');
            text
        }
        ShowFormat::Mermaid => render::mermaid::sequence_diagram(&trace),
    };
    emit(None, text.as_bytes())?;
    Ok(Outcome::Pass)
}
