//! Code blocks and what they hold, shared by the formats: fence titles, header lines, bodies.

use super::lines::{clip, Cursor};
use crate::error::InputError;
use crate::trace::{Body, Headers, Warning};

/// The value of a fence opener's `title="…"` attribute.
pub(crate) fn fence_title(opener: &str) -> Option<&str> {
    let start = opener.find("title=\"")? + "title=\"".len();
    let len = opener[start..].find('"')?;
    Some(&opener[start..start + len])
}

/// The absolute URL at the end of a code-block title (`GET http://host/path?x=1`), if any.
pub(crate) fn title_url(title: &str) -> Option<&str> {
    let last = title.rsplit(' ').next()?;
    (last.starts_with("http://") || last.starts_with("https://")).then_some(last)
}

/// Parses a `Name: value` header line (already de-indented and trimmed).
pub(crate) fn header_line(text: &str, line: usize) -> Result<(&str, &str), InputError> {
    match memchr::memchr(b':', text.as_bytes()) {
        Some(i) if i > 0 && !text.as_bytes()[..i].contains(&b' ') => {
            Ok((&text[..i], text[i + 1..].trim()))
        }
        _ => Err(InputError::new(
            line,
            format!(
                "expected a `Name: value` header line, found `{}`",
                clip(text)
            ),
        )),
    }
}

/// The number of backticks opening a fence line (after indentation).
pub(crate) fn fence_ticks(text: &str) -> usize {
    text.trim_start().bytes().take_while(|&b| b == b'`').count()
}

/// True for the line closing a fence opened by `opener_ticks` backticks: only backticks, at
/// least as many (CommonMark), after indentation. A longer fence can thus hold ```` ``` ````
/// lines.
pub(crate) fn is_closing_fence(text: &str, opener_ticks: usize) -> bool {
    // Most lines end in something else: a cheap look at the last character first.
    if !text.trim_end().ends_with('`') {
        return false;
    }
    let t = text.trim();
    t.len() >= opener_ticks.max(3) && t.bytes().all(|b| b == b'`')
}

/// Reads a header block: `Name: value` lines, `none` meaning no headers. `content` starts at
/// line `first_line`; each line loses up to `indent` leading spaces.
pub(crate) fn header_lines(
    content: &str,
    indent: usize,
    first_line: usize,
) -> Result<Headers, InputError> {
    // Sized once from the block (an upper bound), not grown line by line.
    let lines = super::count_lines(content) + 1;
    let mut headers = Headers::with_capacity(content.len(), lines);
    for line in Cursor::new(content) {
        let text = dedent(line.text, indent).trim();
        if text.is_empty() || text.eq_ignore_ascii_case("none") {
            continue;
        }
        let (name, value) = header_line(text, first_line + line.no - 1)?;
        headers.push(name, value);
    }
    headers.shrink_to_fit();
    Ok(headers)
}

/// Classifies a body block (`content` starts at line `line`, lines indented by `indent`).
/// Text that looks like JSON but does not parse is kept as text, with a warning naming its line.
pub(crate) fn body_from_text(
    content: &str,
    indent: usize,
    line: usize,
    warnings: &mut Vec<Warning>,
) -> Body {
    let trimmed = content.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // JSON ignores the block's indentation: parse the slice as it is, without copying.
        match crate::trace::json::from_str(trimmed) {
            Ok(value) => return Body::Json(value),
            Err(e) => {
                let lead = &content[..content.len() - content.trim_start().len()];
                let first = line + super::count_lines(lead);
                let what = e.to_string();
                let what = what.split(" at line ").next().unwrap_or("");
                warnings.push(Warning {
                    line: first + e.line().saturating_sub(1),
                    message: format!(
                        "body looks like JSON but does not parse ({what}), kept as text"
                    ),
                });
            }
        }
    }
    // Not JSON: de-indent, drop trailing spaces (the Markdown may carry them), classify.
    let mut text = String::with_capacity(content.len());
    for line in Cursor::new(content) {
        if line.no > 1 {
            text.push('\n');
        }
        text.push_str(dedent(line.text, indent).trim_end());
    }
    Body::from_text(&text)
}

/// Removes up to `indent` leading spaces.
pub(crate) fn dedent(text: &str, indent: usize) -> &str {
    let spaces = text.bytes().take(indent).take_while(|&b| b == b' ').count();
    &text[spaces..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_titles_and_their_urls() {
        let opener = r#"``` http title="GET http://1.2.3.4/identity?x=1" linenums="1""#;
        assert_eq!(fence_title(opener), Some("GET http://1.2.3.4/identity?x=1"));
        assert_eq!(
            title_url("GET http://1.2.3.4/identity"),
            Some("http://1.2.3.4/identity")
        );
        assert_eq!(title_url("GET /identity"), None);
    }

    #[test]
    fn closing_fences_with_blanks_around_and_lines_that_are_not() {
        for fence in ["```", "   ```  ", "\t````\t", "````"] {
            assert!(is_closing_fence(fence, 3), "{fence:?}");
        }
        for other in ["", "``", "```json", "x```", "``` `", "    }"] {
            assert!(!is_closing_fence(other, 3), "{other:?}");
        }
        assert!(!is_closing_fence("```", 4));
    }

    #[test]
    fn header_lines_keep_colons_in_values() {
        let (name, value) = header_line("Location: http://h/x", 3).expect("header");
        assert_eq!((name, value), ("Location", "http://h/x"));
        let (_, empty) = header_line("Accept:", 3).expect("header");
        assert_eq!(empty, "");
        assert_eq!(header_line("no colon here", 7).map_err(|e| e.line), Err(7));
    }
}
