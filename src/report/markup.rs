//! What the HTML page and its SVG diagram share (`html`, `svg`): text made inert in markup, and
//! how a severity is told apart (its CSS class and its symbol).

use crate::severity::Severity;

/// Text made inert in HTML (element content and quoted attribute values).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The CSS class of a severity (`breaking`, `warning`, `info`).
pub fn severity_class(severity: Severity) -> &'static str {
    severity.as_str()
}

/// The symbol shown with a severity's colour, so it reads without colour too.
pub fn symbol(severity: Severity) -> &'static str {
    match severity {
        Severity::Breaking => "✖",
        Severity::Warning => "▲",
        Severity::Info => "ℹ",
    }
}
