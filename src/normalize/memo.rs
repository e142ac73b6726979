//! A small direct-mapped memo of scan results for short strings: header values, keys, paths
//! and words repeat a lot, and a hash costs less than a regex search. Bounded memory: a string
//! whose slot is taken by another simply replaces it.

use super::find::Found;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Slots at most (a power of two).
const SLOTS: usize = 4096;
/// Slots at first (a power of two): a small capture does not touch the pages of all of them.
const FIRST_SLOTS: usize = 256;
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
    /// Strings memoized since the slots last grew: past as many as there are slots, they
    /// grow fourfold (up to [`SLOTS`]).
    puts: usize,
}

/// The slot of `text` among `slots` (a power of two).
fn slot_of(text: &str, slots: usize) -> usize {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    (h.finish() as usize) & slots.saturating_sub(1)
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
        match self.slots.get(slot_of(text, self.slots.len())) {
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
            self.slots.resize_with(FIRST_SLOTS, Slot::default);
        } else if self.puts >= self.slots.len() && self.slots.len() < SLOTS {
            self.grow();
        }
        self.puts += 1;
        let at = slot_of(text, self.slots.len());
        if let Some(slot) = self.slots.get_mut(at) {
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

    /// Four times the slots, each string memoized so far in its new slot.
    fn grow(&mut self) {
        let count = (self.slots.len() * 4).min(SLOTS);
        let old = std::mem::take(&mut self.slots);
        self.slots.resize_with(count, Slot::default);
        for slot in old.into_iter().filter(|slot| !slot.text.is_empty()) {
            let at = slot_of(&slot.text, count);
            if let Some(new) = self.slots.get_mut(at) {
                *new = slot;
            }
        }
        self.puts = 0;
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

    /// Strings memoized before the slots grow are still found after: of many distinct
    /// strings, the last ones put are all there (a direct-mapped memo keeps the latest).
    #[test]
    fn keeps_what_it_holds_as_it_grows() {
        let mut memo = Memo::default();
        let f = |i: usize| Found {
            start: i,
            end: i + 1,
            rule: Some(i),
        };
        let texts: Vec<String> = (0..SLOTS).map(|i| format!("value-{i}")).collect();
        for (i, text) in texts.iter().enumerate() {
            memo.put(text, 0, &[f(i)]);
        }
        assert_eq!(memo.slots.len(), SLOTS);
        let mut out = Vec::new();
        let held = texts.iter().filter(|t| memo.get(t, 0, &mut out)).count();
        assert!(held > SLOTS / 2, "{held} of {SLOTS}");
        for (i, text) in texts.iter().enumerate() {
            out.clear();
            if memo.get(text, 0, &mut out) {
                assert_eq!((out[0].start, out[0].rule), (i, Some(i)), "{text}");
            }
        }
    }
}
