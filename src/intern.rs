//! Interning: one value per distinct string key, numbered in order of first sight.

use rustc_hash::FxHashMap;
use std::ops::{Index, IndexMut};

/// Values numbered by the string key they were made for, in order of first sight: the index of
/// a key's value is stable, and looking a key up again finds it without making a new one.
#[derive(Debug, Clone)]
pub(crate) struct Interner<V> {
    index: FxHashMap<String, usize>,
    values: Vec<V>,
}

impl<V> Default for Interner<V> {
    fn default() -> Self {
        Interner {
            index: FxHashMap::default(),
            values: Vec::new(),
        }
    }
}

impl<V> Interner<V> {
    /// The index of `key`'s value, made by `make` on first sight of `key`.
    pub(crate) fn intern(&mut self, key: &str, make: impl FnOnce() -> V) -> usize {
        if let Some(&index) = self.index.get(key) {
            return index;
        }
        self.values.push(make());
        let index = self.values.len() - 1;
        self.index.insert(key.to_string(), index);
        index
    }

    /// The values, mutable, by index.
    pub(crate) fn values_mut(&mut self) -> &mut [V] {
        &mut self.values
    }

    /// The values in order of first sight.
    pub(crate) fn into_values(self) -> Vec<V> {
        self.values
    }
}

impl<V> Index<usize> for Interner<V> {
    type Output = V;

    fn index(&self, index: usize) -> &V {
        &self.values[index]
    }
}

impl<V> IndexMut<usize> for Interner<V> {
    fn index_mut(&mut self, index: usize) -> &mut V {
        &mut self.values[index]
    }
}

impl Interner<String> {
    /// The index of `key`, stored as its own value on first sight.
    pub(crate) fn intern_str(&mut self, key: &str) -> usize {
        self.intern(key, || key.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::Interner;

    #[test]
    fn a_key_seen_again_keeps_its_index_and_value() {
        let mut names = Interner::default();
        assert_eq!(names.intern_str("server_id"), 0);
        assert_eq!(names.intern_str("port_id"), 1);
        assert_eq!(names.intern_str("server_id"), 0);
        let mut made = 0;
        let mut entries: Interner<usize> = Interner::default();
        for key in ["a", "b", "a", "c", "b"] {
            entries.intern(key, || {
                made += 1;
                made
            });
        }
        assert_eq!(entries.into_values(), vec![1, 2, 3]);
        assert_eq!(names.into_values(), vec!["server_id", "port_id"]);
    }
}
