//! Interning: one value per distinct key, numbered in order of first sight.

use rustc_hash::FxHashMap;
use std::borrow::Borrow;
use std::hash::Hash;
use std::ops::{Index, IndexMut};

/// Values numbered by the key they were made for (a string unless said otherwise), in order of
/// first sight: the index of a key's value is stable, and looking a key up again finds it
/// without making a new one.
#[derive(Debug, Clone)]
pub(crate) struct Interner<V, K = String> {
    index: FxHashMap<K, usize>,
    values: Vec<V>,
}

impl<V, K> Default for Interner<V, K> {
    fn default() -> Self {
        Interner {
            index: FxHashMap::default(),
            values: Vec::new(),
        }
    }
}

impl<V, K: Hash + Eq> Interner<V, K> {
    /// The index of `key`'s value, made by `make` on first sight of `key` (then `key` is
    /// stored as its owned form).
    pub(crate) fn intern<Q>(&mut self, key: &Q, make: impl FnOnce() -> V) -> usize
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(&index) = self.index.get(key) {
            return index;
        }
        self.values.push(make());
        let index = self.values.len() - 1;
        self.index.insert(key.to_owned(), index);
        index
    }
}

impl<V, K> Interner<V, K> {
    /// How many keys were seen.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
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

impl<V, K> Index<usize> for Interner<V, K> {
    type Output = V;

    fn index(&self, index: usize) -> &V {
        &self.values[index]
    }
}

impl<V, K> IndexMut<usize> for Interner<V, K> {
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

    /// Keys of any hashable kind (numbers, borrowed pairs) group values in order of first
    /// sight.
    #[test]
    fn any_key_groups_values_in_order_of_first_sight() {
        let mut by_number: Interner<Vec<char>, u32> = Interner::default();
        for (key, item) in [(7, 'a'), (3, 'b'), (7, 'c')] {
            let at = by_number.intern(&key, Vec::new);
            by_number[at].push(item);
        }
        assert_eq!(by_number.len(), 2);
        assert_eq!(by_number.into_values(), vec![vec!['a', 'c'], vec!['b']]);
        let mut sides: Interner<bool, (bool, &str)> = Interner::default();
        let ids: Vec<usize> = [(false, "x"), (true, "x"), (false, "x")]
            .iter()
            .map(|&(side, name)| sides.intern(&(side, name), || side))
            .collect();
        assert_eq!(ids, [0, 1, 0]);
        assert_eq!(sides.into_values(), [false, true]);
    }
}
