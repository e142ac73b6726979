//! What the collecting pass records for assignment: the spans to replace, the distinct
//! volatile values and the placeholders in order of first appearance.

use super::compiled::Compiled;

/// What a recorded span is replaced with.
#[derive(Debug, Clone, Copy)]
pub(super) enum Repl {
    /// The placeholder assigned to entry `n`.
    Entry(u32),
    /// The constant placeholder `consts[n]`.
    Const(u32),
}

/// A replacement recorded by the collecting pass: string `seq`, byte range, replacement.
/// Kept small (millions of them on long traces); strings and traces past 4 GiB are not
/// normalized rather than mangled.
#[derive(Debug)]
pub(super) struct Span {
    pub(super) seq: u32,
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) repl: Repl,
}

/// One distinct volatile value: its generic kind and the best name offered for it.
#[derive(Debug)]
pub(super) struct Entry<'r> {
    pub(super) kind: &'r str,
    pub(super) name: Option<(u8, String)>,
}

/// A placeholder as it first appears in the output, for the variables list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Sym {
    Entry(usize),
    Kept(usize),
}

/// What the collecting pass found.
pub(super) struct Collected<'r> {
    /// The compiled rules.
    pub rules: &'r Compiled,
    /// Replacements in visiting order.
    pub spans: Vec<Span>,
    /// Distinct volatile values.
    pub entries: Vec<Entry<'r>>,
    /// Constant placeholder names.
    pub consts: Vec<String>,
    /// Placeholders already in the input.
    pub kept: Vec<String>,
    /// Placeholders in order of first appearance, with whether they appear in a path or query.
    pub order: Vec<(Sym, bool)>,
}

/// Starts a replacement in the intermediate form of a string (see [`encode`]).
const MARK: u8 = 0;

/// Writes `text` with its replacements `spans` (those of this one string) into `out` in the
/// intermediate form the collecting pass leaves in the trace, so that the raw value is dropped
/// at once instead of waiting with a list of replacements for the whole trace: each replacement
/// as a NUL, `e` (an entry) or `c` (a constant), its number in decimal and `;`; a NUL of the
/// text itself doubled. Spans are applied in order of start; one overlapping another or past
/// the end of `text` is skipped.
pub(super) fn encode(text: &str, spans: &mut [Span], out: &mut String) {
    out.clear();
    // The common case, one replacement of the whole string, needs no sorting or copying.
    if let [span] = spans {
        if span.start == 0 && span.end as usize == text.len() {
            push_token(out, span.repl);
            return;
        }
    }
    spans.sort_by_key(|s| s.start);
    let mut at = 0;
    for span in spans.iter() {
        let (start, end) = (span.start as usize, span.end as usize);
        if start < at || end > text.len() {
            continue;
        }
        push_escaped(out, &text[at..start]);
        push_token(out, span.repl);
        at = end;
    }
    push_escaped(out, &text[at..]);
}

/// Appends the intermediate form of one replacement.
fn push_token(out: &mut String, repl: Repl) {
    let (tag, number) = match repl {
        Repl::Entry(n) => ('e', n),
        Repl::Const(n) => ('c', n),
    };
    out.push(char::from(MARK));
    out.push(tag);
    out.push_str(itoa::Buffer::new().format(number));
    out.push(';');
}

/// The replacement a token's tag and number stand for (`None`: not a token `encode` writes).
fn token(tag: u8, digits: &[u8]) -> Option<Repl> {
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let mut number: u32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        number = number.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
    }
    match tag {
        b'e' => Some(Repl::Entry(number)),
        b'c' => Some(Repl::Const(number)),
        _ => None,
    }
}

/// The replacement an intermediate form (see [`encode`]) is when it is one replacement and
/// nothing else (the common case: a whole value replaced).
pub(super) fn whole_token(text: &str) -> Option<Repl> {
    match text.as_bytes() {
        [MARK, tag, digits @ .., b';'] => token(*tag, digits),
        _ => None,
    }
}

/// Writes the text an intermediate form (see [`encode`]) stands for into `out`, each
/// replacement as what `write` appends for it.
pub(super) fn decode(text: &str, out: &mut String, mut write: impl FnMut(Repl, &mut String)) {
    out.clear();
    // The common case: the whole string is one replacement.
    if let Some(repl) = whole_token(text) {
        write(repl, out);
        return;
    }
    let mut rest = text;
    while let Some(at) = memchr::memchr(MARK, rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let after = &rest.as_bytes()[at + 1..];
        if after.first() == Some(&MARK) {
            out.push(char::from(MARK));
            rest = &rest[at + 2..];
            continue;
        }
        let repl = memchr::memchr(b';', after).and_then(|end| {
            let (&tag, digits) = after[..end].split_first()?;
            Some((token(tag, digits)?, end))
        });
        match repl {
            Some((repl, end)) => {
                write(repl, out);
                rest = &rest[at + 2 + end..];
            }
            // Not written by `encode`: kept as it is.
            None => {
                out.push(char::from(MARK));
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
}

/// Appends `text` with each NUL doubled.
fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = memchr::memchr(MARK, rest.as_bytes()) {
        out.push_str(&rest[..=at]);
        out.push(char::from(MARK));
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: u32, end: u32, repl: Repl) -> Span {
        Span {
            seq: 0,
            start,
            end,
            repl,
        }
    }

    #[test]
    fn the_intermediate_form_reads_back_with_its_replacements() {
        let text = "a\0b 1234 x\0\0 56;";
        let mut spans = [
            span(13, 15, Repl::Const(3)),
            span(4, 8, Repl::Entry(12)),
            // Overlaps the one before, or ends past the text: skipped, as when rewriting.
            span(6, 9, Repl::Entry(1)),
            span(15, 17, Repl::Entry(2)),
        ];
        let mut encoded = String::new();
        encode(text, &mut spans, &mut encoded);
        assert_eq!(encoded, "a\0\0b \0e12; x\0\0\0\0 \0c3;;");
        let mut decoded = String::new();
        decode(&encoded, &mut decoded, |repl, out| match repl {
            Repl::Entry(n) => out.push_str(&format!("{{e{n}}}")),
            Repl::Const(n) => out.push_str(&format!("{{c{n}}}")),
        });
        assert_eq!(decoded, "a\0b {e12} x\0\0 {c3};");
        let mut whole = [span(0, 4, Repl::Entry(7))];
        encode("1234", &mut whole, &mut encoded);
        assert_eq!(encoded, "\0e7;");
        decode(&encoded, &mut decoded, |repl, out| {
            assert!(matches!(repl, Repl::Entry(7)));
            out.push_str("{x}");
        });
        assert_eq!(decoded, "{x}");
        for odd in ["plain\0", "\0e12", "\0x1;", "\0e;"] {
            decode(odd, &mut decoded, |_, out| out.push('?'));
            assert_eq!(decoded, odd);
        }
    }
}
