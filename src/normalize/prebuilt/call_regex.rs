//! How a call matcher's regex is written (shared with `build.rs`, which embeds the automata of
//! the built-in rules' regexes).

/// A call matcher's regex for `source`: `source` matching the whole text.
pub(crate) fn whole(source: &str) -> String {
    format!("^(?:{source})$")
}
