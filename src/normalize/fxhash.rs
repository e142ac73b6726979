//! A small fast hasher (rustc's Fx hash plus a final mix) for the normalizer's many
//! short-string maps; keys are never attacker-controlled in a way that matters for a batch tool.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type FxSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// The Fx hash: multiply-rotate per word.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // A final mix (murmur3's fmix64): without it the low bits, which pick the bucket,
        // barely depend on the high bytes of a word, and names such as `server_id1234`
        // collide in clusters.
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_maps_work() {
        let mut map: FxMap<String, usize> = FxMap::default();
        map.insert("X-Auth-Token".into(), 1);
        map.insert("X-Auth-Tokem".into(), 2);
        assert_eq!(map.get("X-Auth-Token"), Some(&1));
        assert_eq!(map.get("X-Auth-Tokem"), Some(&2));
        assert_eq!(map.get("x-auth-token"), None);
    }

    #[test]
    fn numbered_names_spread_over_the_low_bits() {
        let low = |s: &str| {
            let mut h = FxHasher::default();
            std::hash::Hash::hash(s, &mut h);
            h.finish() & 0xfff
        };
        let distinct: std::collections::HashSet<u64> =
            (0..1000).map(|i| low(&format!("server_id{i}"))).collect();
        assert!(distinct.len() > 700, "{} distinct low bits", distinct.len());
    }
}
