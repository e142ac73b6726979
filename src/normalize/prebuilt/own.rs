//! A built-in rule's own regex answered by DFAs embedded at build time (`build_own.rs`):
//! whether it matches, where, and where its group `v` is in a match, without compiling the
//! regex or running a capture engine.
//!
//! The group's bounds in a match `s..e` of `A(?P<v>B)C` are found as the one position `p`
//! where `A` matches `s..p` and `BC` matches `p..e` (and likewise `q` between `AB` and `C`).
//! The capture engine's answer is always such a position, so when there is exactly one it is
//! the answer; when there are several (an ambiguous split), the caller runs the capture
//! engine.

use super::{load, Embedded, OwnData, Pair, VBounds, OWN_REGEXES};
use regex_automata::dfa::{sparse, Automaton};
use regex_automata::util::start;
use regex_automata::{Anchored, Input};
use std::ops::Range;
use std::sync::OnceLock;

/// A sparse DFA from the binary's own bytes (smaller than a dense one: these search only
/// short texts).
type Sparse = sparse::DFA<&'static [u8]>;

/// A sparse DFA from bytes `build.rs` wrote, its header checked (`embedded_automata_are_valid`
/// checks them whole in the tests).
fn load_sparse(bytes: &'static [u8]) -> Option<Sparse> {
    // SAFETY: as for the dense DFAs (`prebuilt::load`): `to_bytes_*` of a valid sparse DFA
    // wrote these, in this target's byte order, with the regex-automata of this build; a
    // sparse DFA needs no alignment.
    let loaded = unsafe { sparse::DFA::from_bytes_unchecked(bytes) };
    loaded.ok().map(|(dfa, _)| dfa)
}

/// The embedded automata of one regex, loaded on first use (boxed: a rule holds several
/// regexes, and is moved and cloned as the rule set is built).
#[derive(Debug, Clone)]
pub(in crate::normalize) struct OwnRegex {
    data: &'static OwnData,
    loaded: OnceLock<Option<Box<Loaded>>>,
}

/// The automata, loaded.
#[derive(Debug, Clone)]
struct Loaded {
    /// The whole regex's forward and reverse DFAs, when embedded.
    whole: Option<(Sparse, Sparse)>,
    /// The pairs (dense) between which a bound of its group `v` lies.
    v: VBounds<(Embedded, Embedded)>,
}

impl OwnRegex {
    /// The embedded automata of the regex `source`, when `build.rs` made them.
    pub(in crate::normalize) fn lookup(source: &str) -> Option<OwnRegex> {
        let at = OWN_REGEXES
            .binary_search_by(|own| own.source.cmp(source))
            .ok()?;
        Some(OwnRegex {
            data: &OWN_REGEXES[at],
            loaded: OnceLock::new(),
        })
    }

    fn loaded(&self) -> Option<&Loaded> {
        self.loaded
            .get_or_init(|| {
                let pair = |(forward, reverse): &Pair| Some((load(forward)?, load(reverse)?));
                let whole = match self.data.whole {
                    Some((forward, reverse)) => {
                        Some((load_sparse(forward)?, load_sparse(reverse)?))
                    }
                    None => None,
                };
                Some(Box::new(Loaded {
                    whole,
                    v: self.data.v.load(pair)?,
                }))
            })
            .as_deref()
    }

    /// Whether the regex matches somewhere in `text`; `None` when the automata cannot tell.
    pub(in crate::normalize) fn is_match(&self, text: &str) -> Option<bool> {
        let input = Input::new(text).earliest(true);
        let (forward, _) = self.loaded()?.whole.as_ref()?;
        let found = forward.try_search_fwd(&input).ok()?;
        Some(found.is_some())
    }

    /// The first match in `text`: `Some(None)` when there is none, `None` when the automata
    /// cannot tell.
    pub(in crate::normalize) fn find(&self, text: &str) -> Option<Option<Range<usize>>> {
        let (forward, reverse) = self.loaded()?.whole.as_ref()?;
        let Some(end) = forward.try_search_fwd(&Input::new(text)).ok()? else {
            return Some(None);
        };
        let backwards = Input::new(text)
            .span(0..end.offset())
            .anchored(Anchored::Yes);
        let begin = reverse.try_search_rev(&backwards).ok()??;
        Some(Some(begin.offset()..end.offset()))
    }

    /// The span of the group `v` in the regex's match `m` of `text`: `Some(None)` when the
    /// regex has no such group, `None` when the automata cannot tell (the group is nested, or
    /// the match splits around it more than one way).
    pub(in crate::normalize) fn v_in(
        &self,
        text: &str,
        m: Range<usize>,
    ) -> Option<Option<Range<usize>>> {
        let (start, end) = match &self.loaded()?.v {
            VBounds::Absent => return Some(None),
            VBounds::Nested => return None,
            VBounds::Split { start, end } => (start, end),
        };
        let text = text.as_bytes();
        let v_start = match start {
            Some(pair) => only_split(pair, text, m.clone())?,
            None => m.start,
        };
        let v_end = match end {
            Some(pair) => only_split(pair, text, m.clone())?,
            None => m.end,
        };
        Some(Some(v_start..v_end))
    }
}

/// The one position `p` of `m` where `forward` matches `m.start..p` and `reverse` matches
/// `p..m.end` (`None`: none, several, or a byte the automata give up on).
fn only_split(
    (forward, reverse): &(Embedded, Embedded),
    text: &[u8],
    m: Range<usize>,
) -> Option<usize> {
    // One bit per position of the match, on the stack for matches up to 255 bytes.
    let words = (m.len() + 1).div_ceil(64);
    let (mut small, mut large) = ([0u64; 4], Vec::new());
    let ends: &mut [u64] = match words <= small.len() {
        true => &mut small[..words],
        false => {
            large.resize(words, 0);
            &mut large
        }
    };
    walk(forward, text, m.clone(), false, |p| {
        let at = p - m.start;
        ends[at / 64] |= 1 << (at % 64);
        true
    })?;
    let (mut common, mut several) = (None, false);
    walk(reverse, text, m.clone(), true, |p| {
        let at = p - m.start;
        if ends[at / 64] & (1 << (at % 64)) == 0 {
            return true;
        }
        several = common.is_some();
        common = Some(p);
        !several
    })?;
    common.filter(|_| !several)
}

/// Walks the anchored, every-match `dfa` through `m` — forward from `m.start`, or backward
/// from `m.end` when `backward` (a reverse DFA) — calling `each` with every `p` of
/// `m.start..=m.end` where it matches `text[m.start..p]` (forward, ascending) or
/// `text[p..m.end]` (backward, descending), until `each` says stop. `None` when the DFA gives
/// up on a byte or `each` stopped.
fn walk(
    dfa: &Embedded,
    text: &[u8],
    m: Range<usize>,
    backward: bool,
    mut each: impl FnMut(usize) -> bool,
) -> Option<()> {
    let bytes = text.get(m.clone())?;
    let before = m.start.checked_sub(1).and_then(|at| text.get(at).copied());
    let after = text.get(m.end).copied();
    // The byte the search sees behind its start, and past its last byte.
    let (behind, past, last) = match backward {
        false => (before, after, m.end),
        true => (after, before, m.start),
    };
    let config = start::Config::new()
        .anchored(Anchored::Yes)
        .look_behind(behind);
    let mut state = dfa.start_state(&config).ok()?;
    // A DFA enters a match state one byte after the match ends: after the byte at `at`, the
    // match ends at `at` going forward, at `at + 1` going backward.
    for step in 0..bytes.len() {
        let at = if backward {
            bytes.len() - 1 - step
        } else {
            step
        };
        state = dfa.next_state(state, bytes[at]);
        if dfa.is_special_state(state) {
            if dfa.is_match_state(state) {
                each(m.start + at + usize::from(backward)).then_some(())?;
            } else if dfa.is_dead_state(state) {
                return Some(());
            } else if dfa.is_quit_state(state) {
                return None;
            }
        }
    }
    state = match past {
        Some(byte) => dfa.next_state(state, byte),
        None => dfa.next_eoi_state(state),
    };
    if dfa.is_match_state(state) {
        each(last).then_some(())?;
    }
    Some(())
}
