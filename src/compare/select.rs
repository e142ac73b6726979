//! Choosing the golden flow a capture is checked against: by flow name, else by similarity.

use crate::trace::Signature;
use std::collections::HashMap;

/// Below this similarity no golden is chosen (rather than comparing with the wrong flow).
pub const THRESHOLD: f64 = 0.5;

/// A golden flow as selection sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The golden's name (`image-create`).
    pub name: &'a str,
    /// The golden's flow title (`openstack image create`), if it has one.
    pub title: Option<&'a str>,
    /// Signatures of its exchanges.
    pub sigs: &'a [Signature],
}

/// Which golden to use.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Candidate `index`, matched by flow name.
    ByName(usize),
    /// Candidate `index`, the most similar one, with its similarity in 0..=1.
    BySimilarity(usize, f64),
    /// None is close enough; the closest one and its similarity, if there is any candidate.
    NoMatch(Option<(usize, f64)>),
}

/// A flow name reduced for matching: lower case, without a leading `openstack`, dashed.
pub fn flow_key(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("openstack")
        .filter(|r| r.starts_with([' ', '-', '_']))
        .unwrap_or(&lower);
    let words: Vec<&str> = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("-")
}

/// Dice similarity of two signature multisets: 1 for the same calls, 0 for nothing shared.
pub fn similarity(a: &[Signature], b: &[Signature]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut counts: HashMap<&Signature, (usize, usize)> = HashMap::new();
    for sig in a {
        counts.entry(sig).or_default().0 += 1;
    }
    for sig in b {
        counts.entry(sig).or_default().1 += 1;
    }
    let shared: usize = counts.values().map(|(x, y)| x.min(y)).copied().sum();
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

/// The candidate whose name or title is the flow `name` (compared by [`flow_key`]).
pub fn by_name(name: &str, candidates: &[Candidate]) -> Option<usize> {
    let key = flow_key(name);
    if key.is_empty() {
        return None;
    }
    candidates
        .iter()
        .position(|c| flow_key(c.name) == key || c.title.is_some_and(|t| flow_key(t) == key))
}

/// Picks the golden for a capture named `flow` (if it has a name) with signatures `sigs`.
pub fn choose(flow: Option<&str>, sigs: &[Signature], candidates: &[Candidate]) -> Choice {
    if let Some(index) = flow.and_then(|name| by_name(name, candidates)) {
        return Choice::ByName(index);
    }
    let mut best: Option<(usize, f64)> = None;
    for (index, candidate) in candidates.iter().enumerate() {
        let score = similarity(sigs, candidate.sigs);
        if best.map_or(true, |(_, b)| score > b) {
            best = Some((index, score));
        }
    }
    match best {
        Some((index, score)) if score >= THRESHOLD => Choice::BySimilarity(index, score),
        other => Choice::NoMatch(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(path: &str) -> Signature {
        Signature::new("openstack", "glance-api", "GET", path)
    }

    #[test]
    fn flow_names_match_loosely() {
        assert_eq!(flow_key("openstack image create"), "image-create");
        assert_eq!(flow_key("image-create"), "image-create");
        assert_eq!(flow_key("Image Create"), "image-create");
    }

    #[test]
    fn name_wins_then_similarity_then_nothing() {
        let a = [sig("/a"), sig("/b")];
        let b = [sig("/c")];
        let candidates = [
            Candidate {
                name: "image-show",
                title: None,
                sigs: &a,
            },
            Candidate {
                name: "image-save",
                title: Some("openstack image save"),
                sigs: &b,
            },
        ];
        assert_eq!(
            choose(Some("openstack image save"), &a, &candidates),
            Choice::ByName(1)
        );
        assert_eq!(choose(None, &a, &candidates), Choice::BySimilarity(0, 1.0));
        let other = [sig("/z")];
        assert_eq!(
            choose(None, &other, &candidates),
            Choice::NoMatch(Some((0, 0.0)))
        );
        assert!((similarity(&[sig("/a"), sig("/b")], &[sig("/a")]) - 2.0 / 3.0).abs() < 1e-9);
    }
}
