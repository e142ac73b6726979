//! A small direct-mapped memo of scan results for short strings: header values, keys, paths
//! and words repeat a lot, and a hash costs less than a regex search. Bounded memory: a string
//! whose slot is taken by another simply replaces it.

use super::find::Found;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Slots (a power of two).
const SLOTS: usize = 4096;
/// Longer strings are rarely repeated: they are scanned every time.
const MAX_LEN: usize = 64;

/// One memoized string and its matches (offsets relative to the string).
#[derive(Debug, Default)]
struct Slot {
    text: String,
    found: Vec<Found>,
}

/// Scan results of recently seen short strings.
#[derive(Debug, Default)]
pub(super) struct Memo {
    slots: Vec<Slot>,
}

fn slot_of(text: &str) -> usize {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    (h.finish() as usize) & (SLOTS - 1)
}

impl Memo {
    /// Appends the matches of `text[start..end]` to `out`: memoized ones, or those `find`
    /// appends (then memoized).
    pub(super) fn find(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        out: &mut Vec<Found>,
        find: impl FnOnce(&mut Vec<Found>),
    ) {
        let slice = &text[start..end];
        if self.get(slice, start, out) {
            return;
        }
        let from = out.len();
        find(out);
        self.put(slice, start, &out[from..]);
    }

    /// Appends the memoized matches of `text` (shifted by `start`) to `out`; false when `text`
    /// is not memoized.
    pub(super) fn get(&self, text: &str, start: usize, out: &mut Vec<Found>) -> bool {
        if text.is_empty() || text.len() > MAX_LEN {
            return false;
        }
        match self.slots.get(slot_of(text)) {
            Some(slot) if slot.text == text => {
                out.extend(slot.found.iter().map(|f| Found {
                    start: f.start + start,
                    end: f.end + start,
                    rule: f.rule,
                }));
                true
            }
            _ => false,
        }
    }

    /// Memoizes `found`, the matches of `text` shifted by `start`.
    pub(super) fn put(&mut self, text: &str, start: usize, found: &[Found]) {
        if text.is_empty() || text.len() > MAX_LEN {
            return;
        }
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, Slot::default);
        }
        if let Some(slot) = self.slots.get_mut(slot_of(text)) {
            slot.text.clear();
            slot.text.push_str(text);
            slot.found.clear();
            slot.found.extend(found.iter().map(|f| Found {
                start: f.start - start,
                end: f.end - start,
                rule: f.rule,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_matches_relative_to_the_string() {
        let mut memo = Memo::default();
        let mut out = Vec::new();
        assert!(!memo.get("ab12", 5, &mut out));
        let f = Found {
            start: 7,
            end: 9,
            rule: Some(3),
        };
        memo.put("ab12", 5, &[f]);
        assert!(memo.get("ab12", 10, &mut out));
        assert_eq!((out[0].start, out[0].end, out[0].rule), (12, 14, Some(3)));
        assert!(!memo.get("ab13", 0, &mut out));
        assert!(!memo.get(&"x".repeat(MAX_LEN + 1), 0, &mut out));
    }
}
