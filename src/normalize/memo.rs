//! A small direct-mapped memo of scan results: header values, keys, paths and words repeat a
//! lot, and a hash costs less than a regex search. Long strings have a table of their own, so
//! that they never push the many short ones out: few are repeated, but those that are (a
//! token, a service catalog sent in a header with every request) cost the most to scan.
//! Bounded memory: a string whose slot is taken by another simply replaces it.

use super::find::Found;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Strings at most this long go in the short table; longer ones in the long table.
const SHORT_LEN: usize = 64;
/// Slots of the short table at most (a power of two).
const SLOTS: usize = 4096;
/// Slots of the short table at first (a power of two): a small capture does not touch the
/// pages of all of them.
const FIRST_SLOTS: usize = 256;
/// Slots of the long table (a power of two).
const LONG_SLOTS: usize = 64;
/// Longer strings are scanned every time: the long table holds at most `LONG_SLOTS` times
/// this many bytes.
const MAX_LEN: usize = 4096;

/// One memoized string and its matches (offsets relative to the string).
#[derive(Debug, Default)]
struct Slot {
    text: String,
    found: Vec<Found>,
}

/// Scan results of recently seen strings: the short ones' table, and the long ones'.
#[derive(Debug)]
pub(super) struct Memo {
    tables: [Table; 2],
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            tables: [
                Table::new(FIRST_SLOTS, SLOTS),
                Table::new(LONG_SLOTS, LONG_SLOTS),
            ],
        }
    }
}

/// One direct-mapped table of slots.
#[derive(Debug)]
struct Table {
    slots: Vec<Slot>,
    /// Slots at first, and at most (powers of two).
    first: usize,
    most: usize,
    /// Strings memoized since the slots last grew: past as many as there are slots, they
    /// grow fourfold (up to `most`).
    puts: usize,
}

/// Which of the memo's tables `text` goes in: the short strings' (0) or the long ones' (1);
/// `None` when it is empty, or too long to memoize.
fn table_of(text: &str) -> Option<usize> {
    match text.len() {
        0 => None,
        1..=SHORT_LEN => Some(0),
        len if len <= MAX_LEN => Some(1),
        _ => None,
    }
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
        table_of(text).is_some_and(|table| self.tables[table].get(text, start, out))
    }

    /// Memoizes `found`, the matches of `text` shifted by `start`.
    pub(super) fn put(&mut self, text: &str, start: usize, found: &[Found]) {
        if let Some(table) = table_of(text) {
            self.tables[table].put(text, start, found);
        }
    }
}

impl Table {
    /// An empty table that starts with `first` slots and grows to `most`.
    fn new(first: usize, most: usize) -> Table {
        Table {
            slots: Vec::new(),
            first,
            most,
            puts: 0,
        }
    }

    /// Appends the matches memoized for `text` (shifted by `start`) to `out`; false when its
    /// slot holds another string.
    fn get(&self, text: &str, start: usize, out: &mut Vec<Found>) -> bool {
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

    /// Memoizes `found`, the matches of `text` shifted by `start`, in `text`'s slot.
    fn put(&mut self, text: &str, start: usize, found: &[Found]) {
        if self.slots.is_empty() {
            self.slots.resize_with(self.first, Slot::default);
        } else if self.puts >= self.slots.len() && self.slots.len() < self.most {
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

    /// Four times the slots (at most `most`), each string memoized so far in its new slot.
    fn grow(&mut self) {
        let count = (self.slots.len() * 4).min(self.most);
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

    /// A match of rule `i` over the one character at `i`.
    fn one_char_match(i: usize) -> Found {
        Found {
            start: i,
            end: i + 1,
            rule: Some(i),
        }
    }

    /// A long string is memoized apart: many short strings after it do not push it out, and
    /// one longer than the limit is not held at all.
    #[test]
    fn long_strings_stay_beside_the_short_ones() {
        let mut memo = Memo::default();
        let f = one_char_match;
        let long = "catalog ".repeat(SHORT_LEN);
        memo.put(&long, 0, &[f(1)]);
        for i in 0..SLOTS {
            memo.put(&format!("value-{i}"), 0, &[f(i)]);
        }
        let mut out = Vec::new();
        assert!(memo.get(&long, 3, &mut out));
        assert_eq!((out[0].start, out[0].rule), (4, Some(1)));
        let too_long = "x".repeat(MAX_LEN + 1);
        memo.put(&too_long, 0, &[f(2)]);
        assert!(!memo.get(&too_long, 0, &mut out));
    }

    /// Strings memoized before the slots grow are still found after: of many distinct
    /// strings, the last ones put are all there (a direct-mapped memo keeps the latest).
    #[test]
    fn keeps_what_it_holds_as_it_grows() {
        let mut memo = Memo::default();
        let f = one_char_match;
        let texts: Vec<String> = (0..SLOTS).map(|i| format!("value-{i}")).collect();
        for (i, text) in texts.iter().enumerate() {
            memo.put(text, 0, &[f(i)]);
        }
        assert_eq!(memo.tables[0].slots.len(), SLOTS);
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
