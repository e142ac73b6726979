//! Renderings of a trace (not of a comparison): call tree, JSON model, Mermaid, hook Markdown.
