//! Lines and comments in the text of a TOML file (rules files, `flowdiff.toml`). Plain `std`:
//! `build.rs` uses it too, to number and describe the built-in rules at build time.

/// 1-based line of byte offset `offset`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let line = 1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    line.min(text.lines().count().max(1))
}

/// Lines of the `header` lines (`[[rule]]`), in order.
pub(crate) fn header_lines(text: &str, header: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(i, _)| i + 1)
        .collect()
}

/// The `#` comment lines right above line `line` (1-based), joined.
pub(crate) fn comment_above(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
    let mut comment: Vec<&str> = lines
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    comment.reverse();
    comment.join(" ")
}
