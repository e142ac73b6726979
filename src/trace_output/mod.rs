//! Renderings of a trace (not of a comparison): call tree, JSON model, Mermaid, hook Markdown.

pub mod hook_markdown;
pub mod json;
pub mod mermaid;
pub mod tree;

use crate::trace::Exchange;

/// A response as Mermaid arrows and hook headings write it: `STATUS[ REASON][ PATH]` (a
/// response read without a path, whose request was never seen, has none).
pub(crate) fn response_message(exchange: &Exchange) -> String {
    let mut message = exchange.status.map(|s| s.to_string()).unwrap_or_default();
    for part in [exchange.reason.as_deref().unwrap_or(""), &exchange.path] {
        if !part.is_empty() {
            message.push(' ');
            message.push_str(part);
        }
    }
    message
}
