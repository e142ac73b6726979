//! Pairing the flows of OLD with those of NEW: by title, then file name, then structure.

use crate::golden::select::{flow_key, same_calls};
use crate::normalize::RuleSet;
use crate::trace::Signature;
use serde::Serialize;

/// How two flows were paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairedBy {
    /// Same flow title (`openstack image create`).
    Title,
    /// Same file name (`image-create.md`, `image-create.doc.md`), or one's name is the other's title.
    FileName,
    /// The same defining calls (the client's own calls, as `check` chooses a golden).
    Structure,
}

/// One flow of a side, as pairing sees it.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    /// The flow title, if the capture has one.
    pub title: Option<&'a str>,
    /// The file name without extensions (`image-create`).
    pub stem: &'a str,
    /// Its defining calls ([`crate::golden::select::defining_calls`]).
    pub defining: &'a [Signature],
}

/// Which flows pair up, and which are on one side only (indices into the sides, in order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pairing {
    /// `(old, new, how)`.
    pub pairs: Vec<(usize, usize, PairedBy)>,
    /// Flows of OLD no longer captured in NEW.
    pub old_only: Vec<usize>,
    /// Flows of NEW not in OLD.
    pub new_only: Vec<usize>,
}

/// A pairing pass: how it pairs, and whether an old flow fits a new one.
type Pass = (PairedBy, fn(&Key, &Key, &RuleSet) -> bool);

/// Pairs `old` with `new`: each pass (title, file name, defining calls) pairs what the earlier
/// passes left, NEW in order, each with the first unpaired OLD flow that fits. Names compare
/// by [`flow_key`] with the client names of `rules`.
pub fn pair(old: &[Key], new: &[Key], rules: &RuleSet) -> Pairing {
    let mut old_of_new: Vec<Option<(usize, PairedBy)>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];
    let passes: [Pass; 3] = [
        (PairedBy::Title, same_title),
        (PairedBy::FileName, same_name),
        (PairedBy::Structure, same_structure),
    ];
    for (how, fits) in passes {
        for (n, slot) in old_of_new.iter_mut().enumerate() {
            if slot.is_some() {
                continue;
            }
            let found = (0..old.len()).find(|&o| !taken[o] && fits(&old[o], &new[n], rules));
            if let Some(o) = found {
                taken[o] = true;
                *slot = Some((o, how));
            }
        }
    }
    let mut pairing = Pairing::default();
    for (n, slot) in old_of_new.into_iter().enumerate() {
        match slot {
            Some((o, how)) => pairing.pairs.push((o, n, how)),
            None => pairing.new_only.push(n),
        }
    }
    pairing.old_only = (0..old.len()).filter(|&o| !taken[o]).collect();
    pairing
}

/// The flow key of a flow's title, if it has one that is not empty.
fn title(k: &Key, rules: &RuleSet) -> Option<String> {
    k.title
        .map(|t| flow_key(t, rules))
        .filter(|t| !t.is_empty())
}

/// The same title (by flow key).
fn same_title(old: &Key, new: &Key, rules: &RuleSet) -> bool {
    let old_title = title(old, rules);
    old_title.is_some() && old_title == title(new, rules)
}

/// Same file name, or one's file name is the other's title.
fn same_name(old: &Key, new: &Key, rules: &RuleSet) -> bool {
    let (o, n) = (flow_key(old.stem, rules), flow_key(new.stem, rules));
    o == n || title(new, rules).as_ref() == Some(&o) || title(old, rules).as_ref() == Some(&n)
}

/// The same defining calls, and some: a flow without client calls says nothing about which it is.
fn same_structure(old: &Key, new: &Key, _: &RuleSet) -> bool {
    !new.defining.is_empty() && same_calls(old.defining, new.defining)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(path: &str) -> Signature {
        Signature::new("openstack", "nova-api", "GET", path)
    }

    #[test]
    fn title_then_file_name_then_the_same_defining_calls() {
        let (a, b, c) = ([sig("/a")], [sig("/b"), sig("/c")], [sig("/z")]);
        let more = [sig("/z"), sig("/y")];
        let old = [
            Key {
                title: Some("openstack server list"),
                stem: "one",
                defining: &a,
            },
            Key {
                title: None,
                stem: "server-show",
                defining: &a,
            },
            Key {
                title: None,
                stem: "anything",
                defining: &b,
            },
            Key {
                title: None,
                stem: "gone",
                defining: &c,
            },
        ];
        let new = [
            Key {
                title: None,
                stem: "unrelated",
                defining: &b,
            },
            Key {
                title: Some("Server List"),
                stem: "x",
                defining: &a,
            },
            Key {
                title: Some("openstack server show"),
                stem: "y",
                defining: &a,
            },
            Key {
                title: None,
                stem: "brand-new",
                defining: &[],
            },
            // Shares a call with "gone", but it is not the same calls: another flow.
            Key {
                title: None,
                stem: "other",
                defining: &more,
            },
        ];
        let pairing = pair(&old, &new, &RuleSet::builtin());
        assert_eq!(
            pairing.pairs,
            [
                (2, 0, PairedBy::Structure),
                (0, 1, PairedBy::Title),
                (1, 2, PairedBy::FileName),
            ]
        );
        assert_eq!(pairing.old_only, [3]);
        assert_eq!(pairing.new_only, [3, 4]);
    }
}
