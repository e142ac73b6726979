//! Header-name globs matched without a regex where that gives the regex's answer: compiling
//! the built-in header globs as one case-insensitive regex set was a quarter of a small
//! comparison's instructions, and a capture has only a few dozen header names.

use super::lazy::LazyRegex;
use super::pattern::header_glob_regex;
use crate::error::BoxedSource;
use std::sync::OnceLock;

/// One header glob (`X-Auth-Token`, `X-Openstack-*-API-Version`): its regex
/// ([`header_glob_regex`]: case-insensitive, `*` any run of characters but a newline) and, for
/// an ASCII glob, its parts between the `*`s, lower-cased.
#[derive(Debug, Clone)]
pub(super) struct HeaderGlob {
    /// The parts between the `*`s (one part: no `*`), lower case; `None` when the glob is not
    /// all ASCII, so that only its regex knows which names its letters fold to.
    parts: Option<Vec<String>>,
    /// The glob as written, for its regex.
    glob: String,
    /// Its regex: compiled as a rules file loads (checked then), else written on first use.
    regex: OnceLock<LazyRegex>,
}

impl HeaderGlob {
    /// The glob; its regex compiled now when `eager` (rules files), else on first use.
    pub(super) fn new(glob: &str, eager: bool) -> Result<HeaderGlob, BoxedSource> {
        let parts = glob
            .is_ascii()
            .then(|| glob.split('*').map(str::to_ascii_lowercase).collect());
        let regex = OnceLock::new();
        if eager {
            // A fresh cell: setting it cannot fail.
            let _ = regex.set(LazyRegex::new(header_glob_regex(glob), true)?);
        }
        Ok(HeaderGlob {
            parts,
            glob: glob.to_string(),
            regex,
        })
    }

    /// True when header `name` matches, as the glob's regex says. A [`plain`] name against an
    /// ASCII glob is compared directly: then Unicode case folding is ASCII case folding, and
    /// `.` matches every character.
    pub(super) fn matches(&self, name: &str, plain: bool) -> bool {
        match &self.parts {
            Some(parts) if plain => ascii_glob(parts, name),
            _ => self
                .regex
                .get_or_init(|| LazyRegex::lazy(header_glob_regex(&self.glob)))
                .is_match(name),
        }
    }
}

/// True when header `name` can be compared with ASCII globs directly: it is ASCII without a
/// newline.
pub(super) fn plain(name: &str) -> bool {
    name.bytes().all(|b| b.is_ascii() && b != b'\n')
}

/// True when ASCII `name` is, ignoring ASCII case, `parts` joined by runs of any characters.
fn ascii_glob(parts: &[String], name: &str) -> bool {
    let name = name.as_bytes();
    let (first, rest) = match parts {
        [first, rest @ ..] => (first.as_bytes(), rest),
        [] => return name.is_empty(),
    };
    let Some((last, middle)) = rest.split_last() else {
        return name.eq_ignore_ascii_case(first);
    };
    let last = last.as_bytes();
    if name.len() < first.len() + last.len()
        || !name[..first.len()].eq_ignore_ascii_case(first)
        || !name[name.len() - last.len()..].eq_ignore_ascii_case(last)
    {
        return false;
    }
    // The middle parts, each at its leftmost place after the one before.
    let mut between = &name[first.len()..name.len() - last.len()];
    for part in middle.iter().map(String::as_bytes) {
        match find_ignore_case(between, part) {
            Some(at) => between = &between[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Where `needle` first occurs in `haystack`, ignoring ASCII case.
fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct comparison and the glob's regex agree, on names that take the direct path
    /// and on names that take the regex.
    #[test]
    fn matches_as_the_regex_does() {
        let globs = [
            "X-Auth-Token",
            "*-Timestamp",
            "X-*-Meta-Temp-URL-Key*",
            "X-OpenStack-*-API-Version",
            "a*b*a",
            "*",
            "**",
            "",
            "Kelvin",
        ];
        let names = [
            "x-auth-token",
            "X-AUTH-TOKEN",
            "X-Auth-Tokens",
            "X-Auth-Toke",
            "X-Timestamp",
            "-Timestamp",
            "Timestamp",
            "X-Object-Meta-Temp-URL-Key",
            "x-account-meta-temp-url-key-2",
            "X--Meta-Temp-URL-Key",
            "X-OpenStack-Nova-API-Version",
            "X-OpenStack-API-Version",
            "aba",
            "ab",
            "aXbYa",
            "a\nb\na",
            "X-Auth\n-Token",
            "",
            "\u{212a}elvin",
            "\u{17f}-Timestamp",
            "X-\u{e9}-Meta-Temp-URL-Key",
        ];
        for glob in globs {
            let fast = HeaderGlob::new(glob, false).expect("a glob's regex compiles");
            let regex = regex::Regex::new(&header_glob_regex(glob)).expect("compiles");
            for name in names {
                assert_eq!(
                    fast.matches(name, plain(name)),
                    regex.is_match(name),
                    "glob {glob:?}, name {name:?}"
                );
            }
        }
    }

    #[test]
    fn a_glob_that_is_not_ascii_goes_by_its_regex() {
        // KELVIN SIGN folds to ASCII `k`: only the regex knows.
        let glob = HeaderGlob::new("X-\u{212a}ey", false).expect("compiles");
        assert!(glob.matches("x-key", true));
        assert!(!glob.matches("x-kez", true));
    }
}
