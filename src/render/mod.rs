//! Renderings of a trace (not of a comparison): call tree, JSON model, Mermaid, hook Markdown.

pub mod hook_markdown;
pub mod json;
pub mod mermaid;
pub mod tree;
