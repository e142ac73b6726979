//! Small matchers used by rules: header globs, JSON pointer patterns, name templates, singulars.

/// Turns a header glob (`X-Requestshook-*`, any case) into an anchored regex source.
pub(super) fn header_glob_regex(glob: &str) -> String {
    format!("(?i){}", glob_regex(glob))
}

/// Turns a glob (`*` any run of characters, everything else literal) into an anchored,
/// case-sensitive regex source.
pub fn glob_regex(glob: &str) -> String {
    let parts: Vec<String> = glob.split('*').map(regex::escape).collect();
    format!("^{}$", parts.join(".*"))
}

/// A JSON pointer pattern: literal segments, `*` for one segment, `**` for any number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PointerPattern {
    segments: Vec<String>,
    /// Where its runs of any length are (decided once, not at each pointer matched).
    runs: Runs,
}

/// Where a pointer pattern's runs of any length (`**`) are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runs {
    /// None: one pointer segment for each of the pattern's.
    None,
    /// One, at this segment: the segments before it and after it match the pointer's two ends.
    One(usize),
    /// Two or more: matched by backtracking.
    Several,
}

impl PointerPattern {
    /// Parses `/a/*/b`; the empty pattern (or `/`) is the root. Fails without a leading `/`.
    pub(super) fn parse(text: &str) -> Result<PointerPattern, String> {
        let rest = match text.strip_prefix('/') {
            Some(rest) => rest,
            None if text.is_empty() => "",
            None => return Err(format!("pointer `{text}` must start with `/`")),
        };
        let segments: Vec<String> = match rest {
            "" => vec![],
            rest => rest
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect(),
        };
        let mut any = segments.iter().enumerate().filter(|(_, s)| *s == "**");
        let runs = match (any.next(), any.next()) {
            (None, _) => Runs::None,
            (Some((at, _)), None) => Runs::One(at),
            (Some(_), Some(_)) => Runs::Several,
        };
        Ok(PointerPattern { segments, runs })
    }

    /// True when the pointer (RFC 6901 text, array indices or `*`) matches the pattern.
    pub(super) fn matches(&self, pointer: &str) -> bool {
        let rest = match pointer.strip_prefix('/') {
            Some("") | None => return self.segments.iter().all(|s| s == "**"),
            Some(rest) => rest,
        };
        let mut segments = segments_forwards(rest);
        let any = match self.runs {
            Runs::None => {
                // Matched as they come, none collected.
                return self.segments.iter().all(|pattern| {
                    segments
                        .next()
                        .is_some_and(|seg| segment_matches(seg, pattern))
                }) && segments.next().is_none();
            }
            Runs::Several => {
                let segments: Vec<&str> = segments.collect();
                return match_segments(&self.segments, &segments);
            }
            Runs::One(at) => at,
        };
        let (before, after) = (&self.segments[..any], &self.segments[any + 1..]);
        // `before`, any number of segments, then `after` (most such patterns: `/**/token/id`):
        // the pointer's first segments matched forwards and its last ones backwards, none
        // collected.
        let count = memchr::memchr_iter(b'/', rest.as_bytes()).count() + 1;
        count >= before.len() + after.len()
            && before
                .iter()
                .zip(segments.by_ref())
                .all(|(pattern, seg)| segment_matches(seg, pattern))
            && after
                .iter()
                .rev()
                .zip(segments_backwards(rest))
                .all(|(pattern, seg)| segment_matches(seg, pattern))
    }

    /// A cheap pre-check: false when the pattern's last segment is a literal other than `key`
    /// (the last key of the pointer, `None` for an array element or the root).
    pub(super) fn could_end_with(&self, key: Option<&str>) -> bool {
        match (self.segments.last().map(String::as_str), key) {
            (None | Some("*" | "**"), _) => true,
            (Some(last), Some(key)) => last == key,
            (Some(_), None) => true,
        }
    }
}

/// The `/`-separated segments of `rest` (a pointer without its leading `/`), first to last.
/// Found with `memchr`: on this path, asked for every key some pointer rule may end with,
/// `str::split`'s character searcher cost a third more.
fn segments_forwards(rest: &str) -> impl Iterator<Item = &str> {
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let tail = &rest[from..];
        match memchr::memchr(b'/', tail.as_bytes()) {
            Some(at) => {
                start = Some(from + at + 1);
                Some(&tail[..at])
            }
            None => {
                start = None;
                Some(tail)
            }
        }
    })
}

/// The `/`-separated segments of `rest` (a pointer without its leading `/`), last to first
/// (found with `memrchr`, as [`segments_forwards`] with `memchr`).
fn segments_backwards(rest: &str) -> impl Iterator<Item = &str> {
    let mut end = Some(rest.len());
    std::iter::from_fn(move || {
        let head = &rest[..end?];
        match memchr::memrchr(b'/', head.as_bytes()) {
            Some(at) => {
                end = Some(at);
                Some(&head[at + 1..])
            }
            None => {
                end = None;
                Some(head)
            }
        }
    })
}

/// Matches escaped pointer segments against a pattern; `**` backtracks (patterns are short).
fn match_segments(pattern: &[String], segments: &[&str]) -> bool {
    match pattern.split_first() {
        None => segments.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=segments.len()).any(|i| match_segments(rest, &segments[i..]))
        }
        Some((first, rest)) => match segments.split_first() {
            Some((seg, tail)) => segment_matches(seg, first) && match_segments(rest, tail),
            None => false,
        },
    }
}

/// Whether an escaped pointer segment matches a pattern's segment (`*`, or a literal).
fn segment_matches(escaped: &str, pattern: &str) -> bool {
    pattern == "*" || segment_equals(escaped, pattern)
}

/// Compares an escaped pointer segment (`a~1b`) with an unescaped literal (`a/b`).
fn segment_equals(escaped: &str, literal: &str) -> bool {
    if escaped.contains('~') {
        escaped.replace("~1", "/").replace("~0", "~") == literal
    } else {
        escaped == literal
    }
}

/// English singular of a plural collection name (`images` -> `image`, `policies` -> `policy`);
/// words that do not look plural are returned unchanged.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        if !stem.is_empty() {
            return format!("{stem}y");
        }
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_string();
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.is_empty() => stem.to_string(),
        _ => word.to_string(),
    }
}

/// Expands a name template: `{v}` (the rule's capture), `{parent}` (the enclosing JSON key),
/// each optionally `:singular`. `None` when a variable the template needs is not available.
pub(super) fn expand_name(
    template: &str,
    capture: Option<&str>,
    parent: Option<&str>,
) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 8);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let (var, modifier) = match after[..end].split_once(':') {
            Some((var, modifier)) => (var, Some(modifier)),
            None => (&after[..end], None),
        };
        let value = match var {
            "v" => capture?,
            "parent" => parent?,
            _ => return None,
        };
        match modifier {
            Some("singular") => out.push_str(&singular(value)),
            _ => out.push_str(value),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    let name = sanitize_name(&out);
    (!name.is_empty()).then_some(name)
}

/// Lower-cases a name and maps every character outside `[a-z0-9_]` to `_`.
pub(super) fn sanitize_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Validates a name template's variables, returning a message for the first unknown one.
pub(super) fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in name template `{template}`"))?;
        let var = after[..end].split(':').next().unwrap_or_default();
        let modifier = after[..end].split_once(':').map(|(_, m)| m);
        if !matches!(var, "v" | "parent") {
            return Err(format!(
                "unknown variable `{var}` in name template `{template}` (expected v or parent)"
            ));
        }
        if let Some(m) = modifier {
            if m != "singular" {
                return Err(format!(
                    "unknown modifier `{m}` in name template `{template}` (expected singular)"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singulars_of_openstack_collections() {
        assert_eq!(singular("images"), "image");
        assert_eq!(singular("servers"), "server");
        assert_eq!(singular("policies"), "policy");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("services"), "service");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("image"), "image");
    }

    #[test]
    fn templates_expand_and_fail_without_their_variables() {
        assert_eq!(
            expand_name("{v:singular}_id", Some("os-hypervisors"), None).as_deref(),
            Some("os_hypervisor_id")
        );
        assert_eq!(
            expand_name("{parent:singular}_id", None, Some("images")).as_deref(),
            Some("image_id")
        );
        assert_eq!(expand_name("{parent}_id", None, None), None);
        assert_eq!(
            expand_name("project_id", None, None).as_deref(),
            Some("project_id")
        );
        assert!(check_template("{w}_id").is_err());
        assert!(check_template("{v:plural}").is_err());
        assert!(check_template("{v:singular}_id").is_ok());
    }

    #[test]
    fn pointer_patterns_match_segments_and_wildcards() {
        let p = PointerPattern::parse("/token/catalog").expect("valid");
        assert!(p.matches("/token/catalog"));
        assert!(!p.matches("/token/catalog/0"));
        let p = PointerPattern::parse("/*/status").expect("valid");
        assert!(p.matches("/server/status"));
        assert!(!p.matches("/status"));
        let p = PointerPattern::parse("/**/id").expect("valid");
        assert!(p.matches("/id"));
        assert!(p.matches("/token/catalog/3/endpoints/*/id"));
        assert!(!p.matches("/token/catalog"));
        assert!(PointerPattern::parse("token").is_err());
        // The root, an empty segment, escaped segments.
        let root = PointerPattern::parse("/").expect("valid");
        assert!(root.matches("") && root.matches("/") && !root.matches("/id"));
        let p = PointerPattern::parse("/token").expect("valid");
        assert!(!p.matches("/token/") && !p.matches("") && !p.matches("/"));
        let p = PointerPattern::parse("/links/a~1b/*").expect("valid");
        assert!(p.matches("/links/a~1b/0") && !p.matches("/links/a/b/0"));
    }

    #[test]
    fn pointer_patterns_match_as_backtracking_over_all_segments_does() {
        // Every pattern and pointer of up to four segments over a small alphabet (literals,
        // an escaped one, wildcards), held to the general backtracking matcher.
        let pattern_parts = ["a", "b", "a~1b", "*", "**"];
        let pointer_parts = ["a", "b", "a~1b", "0", ""];
        let joined = |parts: &[&str], n: usize, mut i: usize| {
            let mut text = String::new();
            for _ in 0..n {
                text.push('/');
                text.push_str(parts[i % parts.len()]);
                i /= parts.len();
            }
            text
        };
        let all = |parts: &[&str]| -> Vec<String> {
            (0..=4)
                .flat_map(|n| (0..parts.len().pow(n as u32)).map(move |i| (n, i)))
                .map(|(n, i)| joined(parts, n, i))
                .collect()
        };
        let pointers = all(&pointer_parts);
        let mut checked = 0;
        for text in all(&pattern_parts) {
            let pattern = PointerPattern::parse(&text).expect("valid");
            for pointer in &pointers {
                let segments: Vec<&str> = match pointer.strip_prefix('/') {
                    Some("") | None => vec![],
                    Some(rest) => rest.split('/').collect(),
                };
                let expected = match_segments(&pattern.segments, &segments);
                assert_eq!(pattern.matches(pointer), expected, "{text} on {pointer}");
                checked += usize::from(expected);
            }
        }
        assert!(checked > 1000, "only {checked} matches");
    }

    #[test]
    fn header_globs_are_anchored_and_case_insensitive() {
        let re = regex::Regex::new(&header_glob_regex("X-Requestshook-*")).expect("valid");
        assert!(re.is_match("x-requestshook-request-id"));
        assert!(!re.is_match("A-X-Requestshook-Id"));
    }
}
