//! Readers for the Python reprs Tempest logs: `str(dict)` of headers (`{'a': 'b', u'c': 1}`)
//! and `str(bytes)` of bodies (`b'{"a": 1}\n'`), Python 2 and 3 alike.
//!
//! Both are lenient where the log is lossy: a bytes repr cut by the 4096-character limit (no
//! closing quote) still decodes up to the cut, dropping an escape the cut split.

/// A string or bytes literal read from a repr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    /// The decoded content: characters for a text literal, raw bytes for a bytes literal
    /// (`\xNN` is one byte there, one character U+00NN in text).
    pub bytes: Vec<u8>,
    /// Byte offset in the input just past the literal (past the closing quote when closed).
    pub end: usize,
    /// Whether the closing quote was found.
    pub closed: bool,
}

/// Reads a Python string literal at the start of `text`: an optional `u`, `b` or `r` prefix
/// (any case, `br`/`rb` too), then `'…'` or `"…"` with backslash escapes. `None` when `text`
/// does not start with a literal.
pub(crate) fn literal(text: &str) -> Option<Literal> {
    let prefix = text
        .bytes()
        .take(2)
        .take_while(|b| matches!(b.to_ascii_lowercase(), b'u' | b'b' | b'r'))
        .count();
    let flags = text[..prefix].to_ascii_lowercase();
    let quote = *text.as_bytes().get(prefix)?;
    if quote != b'\'' && quote != b'"' {
        return None;
    }
    let is_bytes = flags.contains('b');
    let raw = flags.contains('r');
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len().min(256));
    let mut i = prefix + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if b == quote {
            return Some(Literal {
                bytes: out,
                end: i + 1,
                closed: true,
            });
        }
        if b != b'\\' || raw {
            out.push(b);
            i += 1;
            continue;
        }
        match escape(&bytes[i + 1..], is_bytes) {
            Some((decoded, used)) => {
                push_char(&mut out, decoded, is_bytes);
                i += 1 + used;
            }
            // An escape cut by the end of the text: what follows the cut is unknown.
            None => break,
        }
    }
    Some(Literal {
        bytes: out,
        end: bytes.len(),
        closed: false,
    })
}

/// Appends a decoded escape: a byte in a bytes literal, a character (UTF-8) in text.
fn push_char(out: &mut Vec<u8>, code: u32, is_bytes: bool) {
    if is_bytes && code <= 0xff {
        out.push(code as u8);
        return;
    }
    let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buf = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Decodes the escape after a backslash: the code point (or byte) and the bytes it used.
/// `None` when the escape is cut by the end of the text. An unknown escape keeps its backslash
/// (as Python does).
fn escape(after: &[u8], is_bytes: bool) -> Option<(u32, usize)> {
    let first = *after.first()?;
    let simple = match first {
        b'\\' => Some(u32::from(b'\\')),
        b'\'' => Some(u32::from(b'\'')),
        b'"' => Some(u32::from(b'"')),
        b'n' => Some(0x0a),
        b't' => Some(0x09),
        b'r' => Some(0x0d),
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'v' => Some(0x0b),
        _ => None,
    };
    if let Some(code) = simple {
        return Some((code, 1));
    }
    let hex_len = match first {
        b'x' => 2,
        b'u' if !is_bytes => 4,
        b'U' if !is_bytes => 8,
        b'0'..=b'7' => {
            let digits = after
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(*b))
                .count();
            let code = after[..digits]
                .iter()
                .fold(0u32, |n, b| n * 8 + u32::from(b - b'0'));
            return Some((code, digits));
        }
        _ => return Some((u32::from(b'\\'), 0)),
    };
    let digits = after.get(1..1 + hex_len)?;
    let text = std::str::from_utf8(digits).ok()?;
    match u32::from_str_radix(text, 16) {
        Ok(code) => Some((code, 1 + hex_len)),
        Err(_) => Some((u32::from(b'\\'), 0)),
    }
}

/// A Python dict repr read as ordered `(key, value)` text pairs.
pub(crate) type Pairs = Vec<(String, String)>;

/// Reads a Python dict repr at the start of `text` (`{'k': 'v', u'n': 1, 'x': None}`): keys and
/// values are literals or bare tokens (numbers, `None`, `True`), kept as their text. Returns the
/// pairs and the byte offset just past the closing brace, or what was expected and where (a
/// byte offset) when the repr is malformed or cut.
pub(crate) fn dict(text: &str) -> Result<(Pairs, usize), (usize, &'static str)> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'{') {
        return Err((0, "`{`"));
    }
    let mut pairs = Vec::new();
    let mut i = skip_spaces(text, 1);
    if bytes.get(i) == Some(&b'}') {
        return Ok((pairs, i + 1));
    }
    loop {
        let (key, after) = item(text, i).ok_or((i, "a quoted key"))?;
        i = skip_spaces(text, after);
        if bytes.get(i) != Some(&b':') {
            return Err((i, "`:` after a key"));
        }
        i = skip_spaces(text, i + 1);
        let (value, after) = item(text, i).ok_or((i, "a value"))?;
        pairs.push((key, value));
        i = skip_spaces(text, after);
        match bytes.get(i) {
            Some(b',') => i = skip_spaces(text, i + 1),
            Some(b'}') => return Ok((pairs, i + 1)),
            _ => return Err((i, "`,` or `}`")),
        }
    }
}

/// One key or value of a dict repr at `at`: a closed literal (decoded) or a bare token up to
/// `,`, `:` or `}`; with the offset just past it.
fn item(text: &str, at: usize) -> Option<(String, usize)> {
    let rest = text.get(at..)?;
    if let Some(lit) = literal(rest) {
        if !lit.closed {
            return None;
        }
        return Some((
            String::from_utf8_lossy(&lit.bytes).into_owned(),
            at + lit.end,
        ));
    }
    let len = rest.find([',', ':', '}']).unwrap_or(rest.len());
    let token = rest[..len].trim_end();
    let plain = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'));
    plain.then(|| (token.to_string(), at + token.len()))
}

fn skip_spaces(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or("");
    at + (rest.len() - rest.trim_start_matches([' ', '\t']).len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lit: &Literal) -> &str {
        std::str::from_utf8(&lit.bytes).expect("utf-8")
    }

    #[test]
    fn dict_reprs_of_python_2_and_3() {
        let (pairs, end) = dict("{'Content-Type': 'application/json', u'x': u'it\\'s', \"q\": \"a'b\", 'n': 75, 'z': None} tail")
            .expect("a dict");
        assert_eq!(
            pairs,
            vec![
                ("Content-Type".into(), "application/json".into()),
                ("x".into(), "it's".into()),
                ("q".into(), "a'b".into()),
                ("n".into(), "75".into()),
                ("z".into(), "None".into()),
            ]
        );
        assert_eq!(&"{'Content-Type': 'application/json', u'x': u'it\\'s', \"q\": \"a'b\", 'n': 75, 'z': None} tail"[end..], " tail");
        assert_eq!(dict("{}").map(|(p, e)| (p.len(), e)), Ok((0, 2)));
        assert_eq!(dict("{'a': 'b'").map_err(|e| e.1), Err("`,` or `}`"));
        assert_eq!(dict("{'a' 'b'}").map_err(|e| e.1), Err("`:` after a key"));
        assert_eq!(dict("{'a': 'b").map_err(|e| e.1), Err("a value"));
        assert_eq!(dict("Headers").map_err(|e| e.0), Err(0));
    }

    #[test]
    fn bytes_reprs_decode_escapes() {
        let lit = literal(r#"b'{"a": "it\'s"}\n' rest"#).expect("a literal");
        assert!(lit.closed);
        assert_eq!(text(&lit), "{\"a\": \"it's\"}\n");
        let lit = literal(r"b'caf\xc3\xa9 \\n'").expect("a literal");
        assert_eq!(text(&lit), "café \\n");
        let lit = literal(r#"b"it's""#).expect("a literal");
        assert_eq!(text(&lit), "it's");
        assert_eq!(
            literal("b''").map(|l| (l.bytes.len(), l.closed)),
            Some((0, true))
        );
        assert_eq!(literal(r"b'\xff'").map(|l| l.bytes), Some(vec![0xff]));
        assert!(literal("None").is_none());
    }

    #[test]
    fn text_literals_take_unicode_escapes() {
        let lit = literal(r"u'caf\xe9 \u20ac \U0001F600 \q'").expect("a literal");
        assert_eq!(text(&lit), "café € 😀 \\q");
    }

    #[test]
    fn a_cut_repr_decodes_up_to_the_cut() {
        let lit = literal(r#"b'{"servers": [{"id": "a\x"#).expect("a literal");
        assert!(!lit.closed);
        assert_eq!(text(&lit), r#"{"servers": [{"id": "a"#);
        let lit = literal(r"b'abc\").expect("a literal");
        assert_eq!(text(&lit), "abc");
    }
}
