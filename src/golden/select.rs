//! Choosing the golden flow a capture is checked against: by name (`--flow`, the capture's
//! title, its file name), else by its defining calls (what its client asked for).
//!
//! Every command of one service shares the same discovery and token preamble, so similarity
//! over all calls would check `image delete` against `image show`. A capture's **defining
//! calls** are its client's own top-level calls without the cache-dependent ones; a golden is
//! chosen by structure only when its defining calls are the capture's.

use crate::normalize::{signature, RuleSet};
use crate::trace::{Signature, Trace};
use std::collections::HashMap;
use std::path::Path;

/// A golden flow as selection sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The golden's name (`image-create`).
    pub name: &'a str,
    /// The golden's flow title (`openstack image create`), if it has one.
    pub title: Option<&'a str>,
    /// Its defining calls ([`defining_calls`]).
    pub defining: &'a [Signature],
}

/// Which golden to use.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Candidate `index`, named by the capture's title.
    ByTitle(usize),
    /// Candidate `index`, named by the capture's file name.
    ByFileName(usize),
    /// Candidate `index`, with the same defining calls.
    ByCalls(usize),
    /// No candidate fits: the closest one, if there is any candidate.
    NoMatch(Option<Closest>),
}

/// The candidate sharing the most defining calls with a capture no candidate fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closest {
    /// Index of the candidate (ties go to the first name in order).
    pub index: usize,
    /// How many of the capture's defining calls it shares (as multisets).
    pub shared: usize,
    /// How many defining calls the capture has.
    pub of: usize,
}

/// A flow name reduced for matching: lower case, without a leading client name (a `client`
/// service of `rules` or one of its aliases: `openstack server create` is `server-create`),
/// dashed.
pub fn flow_key(name: &str, rules: &RuleSet) -> String {
    let lower = name.trim().to_ascii_lowercase();
    // The longest client name the flow name starts with, as a word of its own.
    let rest = rules
        .client_names()
        .filter_map(|client| lower.strip_prefix(client))
        .filter(|rest| rest.starts_with([' ', '-', '_']))
        .min_by_key(|rest| rest.len())
        .unwrap_or(&lower);
    let words: Vec<&str> = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("-")
}

/// Whether flow names `a` and `b` name the same flow: equal, or equal by [`flow_key`].
pub fn same_flow(a: &str, b: &str, rules: &RuleSet) -> bool {
    a == b || flow_key(a, rules) == flow_key(b, rules)
}

/// The file name up to its first dot, which names the flow of a capture without a title:
/// `image-create.doc.md` is `image-create` (a name starting with a dot is kept whole).
pub fn file_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.split_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name,
    }
}

/// The defining calls of a normalized trace, in order: the top-level calls of its client (per
/// the rules' `client` services) that are not plumbing (cache-dependent), a run of the same call repeated
/// consecutively (a poll) counted once.
pub fn defining_calls(trace: &Trace, rules: &RuleSet) -> Vec<Signature> {
    let mut calls: Vec<Signature> = Vec::new();
    for exchange in trace.exchanges.iter().filter(|e| e.parent.is_none()) {
        let sig = signature(exchange, rules);
        if !rules.is_client(&sig.caller) || rules.plumbing(&sig) {
            continue;
        }
        if calls.last() != Some(&sig) {
            calls.push(sig);
        }
    }
    calls
}

/// How many calls `a` and `b` share, as multisets.
pub fn shared(a: &[Signature], b: &[Signature]) -> usize {
    let mut counts: HashMap<&Signature, (usize, usize)> = HashMap::new();
    for sig in a {
        counts.entry(sig).or_default().0 += 1;
    }
    for sig in b {
        counts.entry(sig).or_default().1 += 1;
    }
    counts.values().map(|&(x, y)| x.min(y)).sum()
}

/// Whether `a` and `b` are the same calls as multisets (order aside).
pub fn same_calls(a: &[Signature], b: &[Signature]) -> bool {
    a.len() == b.len() && shared(a, b) == a.len()
}

/// The candidate whose name or title is the flow `name` (compared by [`flow_key`]).
pub fn by_name(name: &str, candidates: &[Candidate], rules: &RuleSet) -> Option<usize> {
    let key = flow_key(name, rules);
    if key.is_empty() {
        return None;
    }
    candidates.iter().position(|c| {
        flow_key(c.name, rules) == key || c.title.is_some_and(|t| flow_key(t, rules) == key)
    })
}

/// Picks the golden for a capture with title `title`, file stem `stem` and defining calls
/// `defining`: by title, else by file stem, else the first candidate (in name order) with the
/// same defining calls. A capture without defining calls matches none by its calls. Names
/// compare by [`flow_key`] with the client names of `rules`.
pub fn choose(
    title: Option<&str>,
    stem: Option<&str>,
    defining: &[Signature],
    candidates: &[Candidate],
    rules: &RuleSet,
) -> Choice {
    if let Some(index) = title.and_then(|name| by_name(name, candidates, rules)) {
        return Choice::ByTitle(index);
    }
    if let Some(index) = stem.and_then(|name| by_name(name, candidates, rules)) {
        return Choice::ByFileName(index);
    }
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| candidates[i].name);
    if !defining.is_empty() {
        if let Some(&index) = order
            .iter()
            .find(|&&i| same_calls(defining, candidates[i].defining))
        {
            return Choice::ByCalls(index);
        }
    }
    let mut closest: Option<Closest> = None;
    for index in order {
        let shared = shared(defining, candidates[index].defining);
        if closest.is_none_or(|c| shared > c.shared) {
            closest = Some(Closest {
                index,
                shared,
                of: defining.len(),
            });
        }
    }
    Choice::NoMatch(closest)
}

/// Why no candidate fits, for an error message: `closest is image-save (1 of 2 defining calls
/// shared)`, or that there is no candidate or the capture has no defining calls.
pub fn no_match_reason(closest: Option<Closest>, candidates: &[Candidate]) -> String {
    match closest {
        None => "there are no golden flows to choose from".to_string(),
        Some(c) if c.of == 0 => {
            "it has no defining calls (top-level calls of the client) to choose one by".to_string()
        }
        Some(c) => format!(
            "closest is {} ({} of {} defining calls shared)",
            candidates.get(c.index).map_or("?", |k| k.name),
            c.shared,
            c.of
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(method: &str, path: &str) -> Signature {
        Signature::new("openstack", "glance-api", method, path)
    }

    fn token() -> Signature {
        Signature::new("openstack", "keystone", "POST", "/v3/auth/tokens")
    }

    #[test]
    fn flow_names_match_loosely() {
        let rules = RuleSet::builtin();
        assert_eq!(flow_key("openstack image create", &rules), "image-create");
        assert_eq!(flow_key("OSC image create", &rules), "image-create");
        assert_eq!(
            flow_key("openstack-client image-create", &rules),
            "image-create"
        );
        assert_eq!(flow_key("image-create", &rules), "image-create");
        assert_eq!(flow_key("Image Create", &rules), "image-create");
        // A client name is a word of its own, and only a client's.
        assert_eq!(flow_key("openstacker list", &rules), "openstacker-list");
        assert_eq!(flow_key("nova server create", &rules), "nova-server-create");
        assert!(same_flow("openstack image create", "image-create", &rules));
        assert!(!same_flow("openstack image create", "image-save", &rules));
    }

    #[test]
    fn the_client_names_come_from_the_rules() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let path = dir.path().join("client.toml");
        let rules = "[[rule]]\nname = \"service-myclient\"\nservice = \"myclient\"\n\
                     client = true\naction = \"service\"\n";
        std::fs::write(&path, rules).expect("writes the rules file");
        let rules = RuleSet::load(&[path.as_path()]).expect("the rules load");
        assert_eq!(flow_key("myclient server create", &rules), "server-create");
        assert_eq!(flow_key("openstack server create", &rules), "server-create");
        let builtin = RuleSet::builtin();
        assert_eq!(
            flow_key("myclient server create", &builtin),
            "myclient-server-create"
        );
    }

    #[test]
    fn file_stems_stop_at_the_first_dot() {
        assert_eq!(file_stem(Path::new("x/image-delete.md")), "image-delete");
        assert_eq!(file_stem(Path::new("image-delete.body.md")), "image-delete");
        assert_eq!(file_stem(Path::new("a.b/plain")), "plain");
        assert_eq!(file_stem(Path::new(".hidden")), ".hidden");
    }

    #[test]
    fn shared_calls_count_as_multisets() {
        let a = [
            token(),
            sig("GET", "/v2/images/{}"),
            sig("GET", "/v2/images/{}"),
        ];
        let b = [sig("GET", "/v2/images/{}"), token()];
        assert_eq!(shared(&a, &b), 2);
        assert!(!same_calls(&a, &b));
        assert!(same_calls(&b, &[token(), sig("GET", "/v2/images/{}")]));
        assert!(!same_calls(&b, &[token(), sig("DELETE", "/v2/images/{}")]));
    }

    fn candidates<'a>(show: &'a [Signature], save: &'a [Signature]) -> [Candidate<'a>; 2] {
        [
            Candidate {
                name: "image-show",
                title: None,
                defining: show,
            },
            Candidate {
                name: "image-save",
                title: Some("openstack image save"),
                defining: save,
            },
        ]
    }

    #[test]
    fn title_then_file_name_then_the_same_defining_calls() {
        let show = [token(), sig("GET", "/v2/images/{}")];
        let save = [token(), sig("GET", "/v2/images/{}/file")];
        let candidates = candidates(&show, &save);
        let title = Some("openstack image save");
        assert_eq!(
            choose(
                title,
                Some("image-show"),
                &show,
                &candidates,
                &RuleSet::builtin()
            ),
            Choice::ByTitle(1)
        );
        assert_eq!(
            choose(
                Some("openstack image list"),
                Some("image-save"),
                &show,
                &candidates,
                &RuleSet::builtin()
            ),
            Choice::ByFileName(1)
        );
        let reordered = [sig("GET", "/v2/images/{}/file"), token()];
        assert_eq!(
            choose(
                None,
                Some("capture"),
                &reordered,
                &candidates,
                &RuleSet::builtin()
            ),
            Choice::ByCalls(1)
        );
    }

    #[test]
    fn a_shared_preamble_is_not_enough() {
        let show = [token(), sig("GET", "/v2/images/{}")];
        let save = [token(), sig("GET", "/v2/images/{}/file")];
        let candidates = candidates(&show, &save);
        // Shares one call with each: the tie goes to the first name, image-save.
        let delete = [token(), sig("DELETE", "/v2/images/{}")];
        let choice = choose(None, None, &delete, &candidates, &RuleSet::builtin());
        let closest = Closest {
            index: 1,
            shared: 1,
            of: 2,
        };
        assert_eq!(choice, Choice::NoMatch(Some(closest)));
        assert_eq!(
            no_match_reason(Some(closest), &candidates),
            "closest is image-save (1 of 2 defining calls shared)"
        );
        // More calls than a golden's, even all of them included, is another command.
        let more = [
            token(),
            sig("GET", "/v2/images/{}"),
            sig("GET", "/v2/schemas"),
        ];
        assert!(matches!(
            choose(None, None, &more, &candidates, &RuleSet::builtin()),
            Choice::NoMatch(Some(Closest {
                index: 0,
                shared: 2,
                of: 3
            }))
        ));
        assert_eq!(
            choose(None, None, &delete, &[], &RuleSet::builtin()),
            Choice::NoMatch(None)
        );
        assert_eq!(
            no_match_reason(None, &[]),
            "there are no golden flows to choose from"
        );
    }

    #[test]
    fn no_defining_calls_match_nothing() {
        let empty: [Signature; 0] = [];
        let candidates = [Candidate {
            name: "odd",
            title: None,
            defining: &empty,
        }];
        let choice = choose(None, None, &empty, &candidates, &RuleSet::builtin());
        assert!(matches!(
            choice,
            Choice::NoMatch(Some(Closest { of: 0, .. }))
        ));
    }

    #[test]
    fn defining_calls_are_the_clients_own_uncached_calls_polls_once() {
        let rules = RuleSet::builtin();
        let text = "\
openstack->>keystone: GET /identity/
keystone-->>openstack: 300 MULTIPLE CHOICES /identity/
openstack->>keystone: POST /identity/v3/auth/tokens
keystone-->>openstack: 201 CREATED /identity/v3/auth/tokens
openstack->>glance-api: GET /image/v2/images/{image_id}
glance-api->>keystone: GET /identity/v3/auth/tokens
keystone-->>glance-api: 200 OK /identity/v3/auth/tokens
glance-api-->>openstack: 200 OK /image/v2/images/{image_id}
openstack->>glance-api: GET /image/v2/images/{image_id}
glance-api-->>openstack: 200 OK /image/v2/images/{image_id}
glance-api->>keystone: GET /identity/v3/limits
keystone-->>glance-api: 200 OK /identity/v3/limits
openstack->>glance-api: DELETE /image/v2/images/{image_id}
glance-api-->>openstack: 204 NO CONTENT /image/v2/images/{image_id}
";
        let trace = crate::parse::parse(text).expect("parses");
        let trace = crate::normalize::normalize(&trace, &rules);
        let calls: Vec<String> = defining_calls(&trace, &rules)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            calls,
            [
                "openstack -> glance-api GET /v2/images/{image_id}",
                "openstack -> glance-api DELETE /v2/images/{image_id}",
            ]
        );
    }
}
