//! [`Headers`]: a message's header lines, stored compactly (one text buffer and offsets).

use serde::ser::{Serialize, SerializeSeq, Serializer};

/// Ordered HTTP headers; names are kept as captured and compared case-insensitively.
///
/// Stored as one buffer holding every name and value back to back, plus where each ends: a
/// trace has millions of header lines, and two heap strings per line cost more than the text.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Headers {
    /// Names and values concatenated in capture order.
    text: String,
    /// Per header line, the end offsets in `text` of its name and of its value; the name
    /// starts where the previous value ended. 32 bits each: one message's header lines hold
    /// less than 4 GiB (a longer tail reads as empty, never out of bounds).
    ends: Vec<(u32, u32)>,
}

/// An offset into a header buffer, saturating at `u32::MAX`.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

impl Headers {
    /// Appends a header line.
    pub fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = offset(self.text.len());
        self.text.push_str(value);
        self.ends.push((name_end, offset(self.text.len())));
    }

    /// The first value of header `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Iterates `(name, value)` pairs in capture order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&(name_end, value_end)| {
            let (name_end, value_end) = (name_end as usize, value_end as usize);
            let part = |range: std::ops::Range<usize>| self.text.get(range).unwrap_or("");
            let pair = (part(start..name_end), part(name_end..value_end));
            start = value_end;
            pair
        })
    }

    /// Number of header lines.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are no headers.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Lets `edit` rewrite each value in place (it is given the name and the value), in
    /// capture order; the buffer is rebuilt only from the first value that changes on.
    pub fn edit_values(&mut self, mut edit: impl FnMut(&str, &mut String)) {
        let mut value = String::new();
        let mut rebuilt: Option<Headers> = None;
        for (i, (name, old)) in self.iter().enumerate() {
            value.clear();
            value.push_str(old);
            edit(name, &mut value);
            match &mut rebuilt {
                Some(headers) => headers.push(name, &value),
                None if value != old => {
                    let kept = i
                        .checked_sub(1)
                        .map_or(0, |prev| self.ends[prev].1 as usize);
                    let mut headers = Headers {
                        text: String::with_capacity(self.text.len() + value.len()),
                        ends: Vec::with_capacity(self.ends.len()),
                    };
                    headers.text.push_str(self.text.get(..kept).unwrap_or(""));
                    headers.ends.extend_from_slice(&self.ends[..i]);
                    headers.push(name, &value);
                    rebuilt = Some(headers);
                }
                None => {}
            }
        }
        if let Some(mut headers) = rebuilt {
            headers.shrink_to_fit();
            *self = headers;
        }
    }

    /// Empty headers with room for as many lines and bytes as `other` has (for rebuilding
    /// `other` with some values changed, without growing the buffers line by line).
    pub(crate) fn with_room_of(other: &Headers) -> Headers {
        Headers::with_capacity(other.text.len(), other.ends.len())
    }

    /// Empty headers with room for `bytes` of names and values in `lines` lines.
    pub(crate) fn with_capacity(bytes: usize, lines: usize) -> Headers {
        Headers {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(lines),
        }
    }

    /// Releases spare capacity (after the last [`push`](Headers::push)).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> Self {
        let mut headers = Headers::default();
        for (name, value) in pairs {
            headers.push(name.as_ref(), value.as_ref());
        }
        headers.shrink_to_fit();
        headers
    }
}

/// Shows the pairs, as the list of `(name, value)` tuples the headers stand for.
impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pairs: Vec<(&str, &str)> = self.iter().collect();
        f.debug_tuple("Headers").field(&pairs).finish()
    }
}

/// Serializes as a list of `[name, value]` pairs.
impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for pair in self.iter() {
            seq.serialize_element(&pair)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_round_trip_and_values_can_be_rewritten() {
        let mut headers: Headers = [("Host", "h"), ("X-Auth-Token", "secret"), ("Empty", "")]
            .into_iter()
            .collect();
        assert_eq!(headers.len(), 3);
        assert_eq!(headers.get("x-auth-token"), Some("secret"));
        assert_eq!(headers.get("empty"), Some(""));
        headers.edit_values(|name, value| {
            if name == "X-Auth-Token" {
                *value = "{token}".to_string();
            }
        });
        let before = headers.clone();
        headers.edit_values(|_, _| {});
        assert_eq!(headers, before);
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        assert_eq!(
            pairs,
            [("Host", "h"), ("X-Auth-Token", "{token}"), ("Empty", "")]
        );
        assert_eq!(
            format!("{headers:?}"),
            r#"Headers([("Host", "h"), ("X-Auth-Token", "{token}"), ("Empty", "")])"#
        );
        assert_eq!(
            serde_json::to_string(&headers).expect("serializes"),
            r#"[["Host","h"],["X-Auth-Token","{token}"],["Empty",""]]"#
        );
    }
}
