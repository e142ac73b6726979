//! What is certain in a JSON document cut short (Tempest cuts logged bodies at 4096
//! characters without a marker).
//!
//! One pass finds, for the innermost container still open at the cut, where its last complete
//! member ends; the text up to there, closed with the brackets of every open container, is then
//! parsed as usual. So every open container is kept with the members it fully holds, and the
//! member the cut went through (a half key, string, number or literal) is dropped at every
//! level: `{"a": 1, "b": [1, 2, {"c": "x", "d": "y` reads as `{"a": 1, "b": [1, 2, {"c": "x"}]}`.

use crate::trace::Json;

/// One open container: its closing bracket, where its last complete member ends, and (objects)
/// whether a value is expected (after `:`) rather than a key.
struct Open {
    closer: u8,
    safe_end: usize,
    expect_value: bool,
}

/// The complete members of a JSON object or array cut short, or `None` when `text` is not
/// an object or array that was cut (a complete document, a scalar, or not JSON at all).
pub(crate) fn json_prefix(text: &str) -> Option<Json> {
    let bytes = text.as_bytes();
    let start = text.len() - text.trim_start().len();
    if !matches!(bytes.get(start), Some(b'{' | b'[')) {
        return None;
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut in_string = false;
    let mut string_is_value = false;
    let mut scalar = false;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => {
                    in_string = false;
                    if string_is_value {
                        complete(&mut stack, i + 1);
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        if scalar && matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
            scalar = false;
            complete(&mut stack, i);
        }
        match b {
            b'"' => {
                in_string = true;
                string_is_value = stack.last().is_some_and(|o| o.expect_value);
            }
            b'{' | b'[' => {
                if stack.len() >= 128 {
                    return None;
                }
                let is_object = b == b'{';
                stack.push(Open {
                    closer: if is_object { b'}' } else { b']' },
                    safe_end: i + 1,
                    expect_value: !is_object,
                });
            }
            b'}' | b']' => {
                let open = stack.pop()?;
                if open.closer != b {
                    return None;
                }
                if stack.is_empty() {
                    return None; // the document is complete: nothing was cut
                }
                complete(&mut stack, i + 1);
            }
            b':' => {
                if let Some(top) = stack.last_mut() {
                    top.expect_value = true;
                }
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.expect_value = top.closer == b']';
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => scalar = true,
        }
        i += 1;
    }
    let innermost = stack.last()?;
    let mut closed = String::with_capacity(innermost.safe_end - start + stack.len());
    closed.push_str(&text[start..innermost.safe_end]);
    for open in stack.iter().rev() {
        closed.push(char::from(open.closer));
    }
    crate::trace::json::from_str(&closed).ok()
}

/// A value of the innermost open container ends at `end`.
fn complete(stack: &mut [Open], end: usize) {
    if let Some(top) = stack.last_mut() {
        top.safe_end = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prefix(text: &str) -> Option<serde_json::Value> {
        json_prefix(text).map(|j| j.to_value())
    }

    #[test]
    fn the_member_the_cut_went_through_is_dropped_at_every_level() {
        assert_eq!(
            prefix(r#"{"a": 1, "b": [1, 2, {"c": "x", "d": "y"#),
            Some(json!({"a": 1, "b": [1, 2, {"c": "x"}]}))
        );
        assert_eq!(prefix(r#"{"a": 1, "b""#), Some(json!({"a": 1})));
        assert_eq!(prefix(r#"{"a": 12"#), Some(json!({})), "a number may go on");
        assert_eq!(prefix(r#"{"a": tr"#), Some(json!({})));
        assert_eq!(prefix(r#"{"a": true, "#), Some(json!({"a": true})));
        assert_eq!(
            prefix(r#"{"a": {"b": [1]}"#),
            Some(json!({"a": {"b": [1]}}))
        );
        assert_eq!(
            prefix(r#"[{"a": "x\"y"}, {"#),
            Some(json!([{"a": "x\"y"}, {}]))
        );
        assert_eq!(prefix(r#"{"a": "}{]["#), Some(json!({})));
        assert_eq!(
            prefix("{\"a\": 1,\n \"b\": 2\n"),
            Some(json!({"a": 1, "b": 2}))
        );
    }

    #[test]
    fn only_a_cut_object_or_array_has_a_prefix() {
        assert_eq!(prefix(r#"{"a": 1}"#), None, "complete");
        assert_eq!(prefix("403 Forbidden"), None);
        assert_eq!(prefix(r#""abc"#), None);
        assert_eq!(prefix("{]"), None);
        assert_eq!(prefix(&"[".repeat(500)), None, "too deep");
    }
}
