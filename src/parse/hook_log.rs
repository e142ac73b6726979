//! The hook's raw log (format 4): `### (caller) REQ >>> (callee) : METHOD URL` records with
//! header lines, a blank line and the body.

use super::blocks::{body_from_text, header_line};
use super::lines::{clip, parse_call, Call, Cursor};
use super::pairing::{Meta, Pairing, RawEvent};
use crate::error::InputError;
use crate::trace::{EventKind, Format, Headers, Trace};

/// The expected record headings, for error messages.
const SHAPES: &str = "`### (caller) REQ >>> (callee) : METHOD URL` or `### (caller) RESP <<< (callee) : STATUS REASON METHOD URL`";

/// A record heading.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Heading<'a> {
    caller: &'a str,
    callee: &'a str,
    call: Call<'a>,
}

/// Reads a full record heading; `None` for any other line (bodies may hold `###` lines).
pub(crate) fn heading(text: &str) -> Option<Heading<'_>> {
    let rest = text.strip_prefix("### (")?;
    let (caller, rest) = rest.split_once(')')?;
    let rest = rest.trim_start();
    let (kind, rest) = if let Some(rest) = rest.strip_prefix("REQ >>>") {
        (EventKind::Request, rest)
    } else {
        (EventKind::Response, rest.strip_prefix("RESP <<<")?)
    };
    let (callee, rest) = rest.trim_start().strip_prefix('(')?.split_once(')')?;
    let rest = rest.trim_start().strip_prefix(':')?.trim();
    let call = parse_call(rest, kind == EventKind::Response)?;
    let fits = matches!(
        (kind, call),
        (EventKind::Request, Call::Request { .. }) | (EventKind::Response, Call::Response { .. })
    );
    let (caller, callee) = (caller.trim(), callee.trim());
    (fits && !caller.is_empty() && !callee.is_empty()).then_some(Heading {
        caller,
        callee,
        call,
    })
}

/// Parses a raw hook log.
pub(crate) fn parse(text: &str) -> Result<Trace, InputError> {
    let mut meta = Meta::default();
    let mut pairing = Pairing::with_capacity(text.len() / 512);
    let mut cursor = Cursor::new(text);
    while let Some(line) = cursor.next() {
        if line.is_blank() {
            continue;
        }
        let Some(head) = heading(line.text) else {
            return Err(InputError::new(
                line.no,
                format!(
                    "expected a record heading {SHAPES}, found `{}`",
                    clip(line.text)
                ),
            ));
        };
        let mut headers = Headers::default();
        while let Some(next) = cursor.next() {
            if next.is_blank() {
                break;
            }
            if heading(next.text).is_some() {
                cursor.unread(next);
                break;
            }
            let t = next.text.trim();
            if !t.eq_ignore_ascii_case("none") {
                let (name, value) = header_line(t, next.no)?;
                headers.push(name, value);
            }
        }
        let start = cursor.offset();
        let first_line = cursor.line_no() + 1;
        let mut end = text.len();
        while let Some(next) = cursor.next() {
            if next.text.starts_with("### ") && heading(next.text).is_some() {
                end = next.start;
                cursor.unread(next);
                break;
            }
        }
        let content = text[start..end].trim_end();
        let body = body_from_text(content, 0, first_line, &mut meta.warnings);
        pairing.push(RawEvent::new(
            line.no,
            head.call,
            (head.caller, head.callee),
            head.call.target(),
            {
                headers.shrink_to_fit();
                headers
            },
            body,
        ));
    }
    Ok(pairing.finish(Format::HookLog, meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_headings() {
        let h = heading("### (openstack) RESP <<< (keystone) : 201 CREATED POST http://h/x")
            .expect("a response heading");
        assert_eq!((h.caller, h.callee), ("openstack", "keystone"));
        assert!(matches!(h.call, Call::Response { status: 201, .. }));
        assert!(heading("### (a) REQ >>> (b) : GET http://h/?format=json").is_some());
        assert!(heading("### (a) REQ >>> (b) : 200 OK GET http://h/").is_none());
        assert!(heading("### not a record").is_none());
    }
}
