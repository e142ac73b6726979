//! JSON body drift: schema (fields added, removed, retyped) and scalar value changes.
//!
//! Arrays are collections unless a rule says otherwise: the schemas of their elements are merged
//! under the pointer segment `*`, and their values are compared as multisets, so a reshuffled
//! service catalog is not drift. Pointers follow RFC 6901.

use super::without_placeholders;
use crate::intern::Interner;
use crate::normalize::RuleSet;
use crate::trace::{Json as Value, Object};
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value as Shown;
use std::fmt::Write;
use xxhash_rust::xxh3::{xxh3_128_with_seed, Xxh3};

/// What drifted at one pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    /// A field (or ordered-array index) exists only in the new body.
    FieldAdded,
    /// A field exists only in the old body.
    FieldRemoved,
    /// The JSON types at a pointer differ.
    TypeChanged,
    /// A scalar value (or the membership of a collection) differs.
    ValueChanged,
}

/// One difference between two JSON bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// What changed.
    pub kind: DriftKind,
    /// RFC 6901 pointer, `*` standing for any element of an unordered array.
    pub pointer: String,
    /// The old type name or value.
    pub old: Option<Shown>,
    /// The new type name or value.
    pub new: Option<Shown>,
}

/// What the rules say about the arrays of a body, each named by its pointer pattern (every
/// array index `*`).
pub trait ArrayRules {
    /// True when the array is compared in order (else as a collection).
    fn ordered(&self, pattern: &str) -> bool;
    /// The keys identifying the array's elements, in order of preference: of two changed
    /// elements of a collection, those with the same value for the first key they hold pair
    /// and compare inside.
    fn identity_keys(&self, pattern: &str) -> &[String];
}

impl ArrayRules for RuleSet {
    fn ordered(&self, pattern: &str) -> bool {
        self.array_ordered(pattern)
    }

    fn identity_keys(&self, pattern: &str) -> &[String] {
        self.element_identity_keys(pattern)
    }
}

/// Compares two JSON documents, their arrays as `arrays` says.
pub fn compare(old: &Value, new: &Value, arrays: &dyn ArrayRules) -> Vec<Drift> {
    walk(old, new, arrays, true).listed.unwrap_or_default()
}

/// How many differences [`compare`] finds, without writing them out (what pairing calls by
/// content weighs, many times per call).
pub fn count(old: &Value, new: &Value, arrays: &dyn ArrayRules) -> usize {
    walk(old, new, arrays, false).count
}

/// The walk of two documents, its differences listed when `list`.
fn walk<'a>(old: &Value, new: &Value, arrays: &'a dyn ArrayRules, list: bool) -> Walker<'a> {
    let mut walker = Walker {
        arrays,
        count: 0,
        listed: list.then(Vec::new),
    };
    if old != new {
        walker.schema(&[old], &[new], "", "");
        walker.values(old, new, "", "");
    }
    walker
}

/// The type name used in reports.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Appends one RFC 6901 segment (`~` as `~0`, `/` as `~1`).
pub fn child(pointer: &str, segment: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + segment.len() + 1);
    out.push_str(pointer);
    push_segment(&mut out, segment);
    out
}

/// Appends `/` and `segment`, escaped as [`child`] does, to `pointer`.
fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    if !segment.contains(['~', '/']) {
        pointer.push_str(segment);
        return;
    }
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Sorted, `|`-joined non-null type names of a set of values (`number|string`).
fn types(values: &[&Value]) -> Option<String> {
    let mut names: Vec<&str> = values
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| type_name(v))
        .collect();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then(|| names.join("|"))
}

struct Walker<'a> {
    arrays: &'a dyn ArrayRules,
    /// The differences found.
    count: usize,
    /// And each one, when they are listed.
    listed: Option<Vec<Drift>>,
}

impl Walker<'_> {
    /// One difference at `pointer`; its old and new sides are written only when listed.
    fn push(
        &mut self,
        kind: DriftKind,
        pointer: &str,
        old: impl FnOnce() -> Option<Shown>,
        new: impl FnOnce() -> Option<Shown>,
    ) {
        self.count += 1;
        if let Some(listed) = &mut self.listed {
            listed.push(Drift {
                kind,
                pointer: pointer.to_string(),
                old: old(),
                new: new(),
            });
        }
    }

    /// Schema drift between the merged shapes of `old` and `new`, the values found at `pointer`
    /// (`pattern` is the same place with every array index as `*`, as rules name it).
    fn schema(&mut self, old: &[&Value], new: &[&Value], pointer: &str, pattern: &str) {
        if let (Some(o), Some(n)) = (types(old), types(new)) {
            if o != n {
                self.push(
                    DriftKind::TypeChanged,
                    pointer,
                    || Some(Shown::String(o)),
                    || Some(Shown::String(n)),
                );
            }
        }
        self.object_fields(old, new, pointer, pattern);
        self.array_items(old, new, pointer, pattern);
    }

    fn object_fields(&mut self, old: &[&Value], new: &[&Value], pointer: &str, pattern: &str) {
        let old_objects: Vec<&Object> = old.iter().filter_map(|v| v.as_object()).collect();
        let new_objects: Vec<&Object> = new.iter().filter_map(|v| v.as_object()).collect();
        if old_objects.is_empty() || new_objects.is_empty() {
            return;
        }
        // Each key in order of first sight, with its values on each side.
        let mut fields: Interner<(&str, Vec<&Value>, Vec<&Value>), &str> = Interner::default();
        for (side, objects) in [(0, &old_objects), (1, &new_objects)] {
            for object in objects.iter() {
                for (key, value) in object.iter() {
                    let at = fields.intern(&key, || (key, Vec::new(), Vec::new()));
                    let entry = &mut fields[at];
                    if side == 0 {
                        entry.1.push(value);
                    } else {
                        entry.2.push(value);
                    }
                }
            }
        }
        for (key, o, n) in fields.into_values() {
            let (o, n) = (&o, &n);
            let at = child(pointer, key);
            match (o.is_empty(), n.is_empty()) {
                (false, true) => {
                    let kind = || Some(Shown::String(types(o).unwrap_or_else(|| "null".into())));
                    self.push(DriftKind::FieldRemoved, &at, kind, || None);
                }
                (true, false) => {
                    let kind = || Some(Shown::String(types(n).unwrap_or_else(|| "null".into())));
                    self.push(DriftKind::FieldAdded, &at, || None, kind);
                }
                _ => self.schema(o, n, &at, &child(pattern, key)),
            }
        }
    }

    fn array_items(&mut self, old: &[&Value], new: &[&Value], pointer: &str, pattern: &str) {
        let old_arrays: Vec<&[Value]> = old.iter().filter_map(|v| v.as_array()).collect();
        let new_arrays: Vec<&[Value]> = new.iter().filter_map(|v| v.as_array()).collect();
        if old_arrays.is_empty() || new_arrays.is_empty() {
            return;
        }
        let pat = child(pattern, "*");
        if self.arrays.ordered(pattern) {
            let longest = |arrays: &[&[Value]]| arrays.iter().map(|a| a.len()).max();
            let len = longest(&old_arrays).max(longest(&new_arrays)).unwrap_or(0);
            for index in 0..len {
                let o: Vec<&Value> = old_arrays.iter().filter_map(|a| a.get(index)).collect();
                let n: Vec<&Value> = new_arrays.iter().filter_map(|a| a.get(index)).collect();
                let at = child(pointer, &index.to_string());
                match (o.is_empty(), n.is_empty()) {
                    (false, true) => self.push(
                        DriftKind::FieldRemoved,
                        &at,
                        || types(&o).map(Shown::String),
                        || None,
                    ),
                    (true, false) => self.push(
                        DriftKind::FieldAdded,
                        &at,
                        || None,
                        || types(&n).map(Shown::String),
                    ),
                    _ => self.schema(&o, &n, &at, &pat),
                }
            }
        } else {
            let o: Vec<&Value> = old_arrays.iter().flat_map(|a| a.iter()).collect();
            let n: Vec<&Value> = new_arrays.iter().flat_map(|a| a.iter()).collect();
            // An empty collection says nothing about its elements' schema.
            if !o.is_empty() && !n.is_empty() {
                self.schema(&o, &n, &child(pointer, "*"), &pat);
            }
        }
    }

    /// Value changes between two values at the same place; schema drift is reported elsewhere.
    fn values(&mut self, old: &Value, new: &Value, pointer: &str, pattern: &str) {
        if old == new {
            return;
        }
        match (old, new) {
            (Value::Object(o), Value::Object(n)) => {
                let find = n.lookup();
                for (key, value) in o {
                    if let Some(other) = find(key) {
                        self.values(value, other, &child(pointer, key), &child(pattern, key));
                    }
                }
            }
            (Value::Array(o), Value::Array(n)) => {
                let pat = child(pattern, "*");
                if self.arrays.ordered(pattern) {
                    for (index, (a, b)) in o.iter().zip(n.iter()).enumerate() {
                        self.values(a, b, &child(pointer, &index.to_string()), &pat);
                    }
                } else {
                    self.collection(o, n, pointer, pattern);
                }
            }
            (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => {
                if old.is_null() || new.is_null() {
                    self.value_changed(old, new, pointer);
                }
            }
            (Value::String(a), Value::String(b)) => {
                if without_placeholders(a) != without_placeholders(b) {
                    self.value_changed(old, new, pointer);
                }
            }
            _ => {
                let comparable = old.is_null() || new.is_null() || type_name(old) == type_name(new);
                if comparable && old != new {
                    self.value_changed(old, new, pointer);
                }
            }
        }
    }

    fn value_changed(&mut self, old: &Value, new: &Value, pointer: &str) {
        self.push(
            DriftKind::ValueChanged,
            pointer,
            || Some(old.to_value()),
            || Some(new.to_value()),
        );
    }

    /// Compares two unordered arrays as multisets of elements.
    fn collection(&mut self, old: &[Value], new: &[Value], pointer: &str, pattern: &str) {
        let pat = child(pattern, "*");
        let mut place = pat.clone();
        let mut key = |v: &Value| canonical(v, &mut place, self.arrays);
        let at = child(pointer, "*");
        let mut pool: HashMap<u128, Vec<usize>> = HashMap::default();
        for (i, v) in new.iter().enumerate() {
            pool.entry(key(v)).or_default().push(i);
        }
        let mut left_old: Vec<&Value> = Vec::new();
        for v in old {
            match pool.get_mut(&key(v)).and_then(Vec::pop) {
                Some(_) => {}
                None => left_old.push(v),
            }
        }
        let mut rest: Vec<usize> = pool.into_values().flatten().collect();
        rest.sort_unstable();
        let left_new: Vec<&Value> = rest.into_iter().map(|i| &new[i]).collect();
        if left_old.is_empty() && left_new.is_empty() {
            return;
        }
        // Pair leftovers that share an identity (`id`, `name`, … as the rules say) and compare
        // inside.
        let keys = self.arrays.identity_keys(pattern);
        let mut by_identity: HashMap<(usize, String), Vec<usize>> = HashMap::default();
        for (pos, n) in left_new.iter().enumerate().rev() {
            if let Some(id) = identity(n, keys) {
                by_identity.entry(id).or_default().push(pos);
            }
        }
        let single = left_old.len() == 1 && left_new.len() == 1;
        let mut taken = vec![false; left_new.len()];
        let mut unpaired_old: Vec<&Value> = Vec::new();
        for o in left_old {
            let found = match identity(o, keys) {
                Some(id) => by_identity.get_mut(&id).and_then(Vec::pop),
                None => single.then_some(0),
            };
            match found {
                Some(pos) if !taken[pos] && type_name(o) == type_name(left_new[pos]) => {
                    taken[pos] = true;
                    self.values(o, left_new[pos], &at, &pat);
                }
                _ => unpaired_old.push(o),
            }
        }
        let left_new: Vec<&Value> = left_new
            .into_iter()
            .zip(taken)
            .filter_map(|(n, t)| (!t).then_some(n))
            .collect();
        if !unpaired_old.is_empty() || !left_new.is_empty() {
            let shown = |values: Vec<&Value>| {
                Some(Shown::Array(
                    values.into_iter().map(Value::to_value).collect(),
                ))
            };
            self.push(
                DriftKind::ValueChanged,
                pointer,
                || shown(unpaired_old),
                || shown(left_new),
            );
        }
    }
}

/// The identity of a collection's element: the rank in `keys` of the first key the element
/// (an object) holds with a scalar value, and that value.
fn identity(value: &Value, keys: &[String]) -> Option<(usize, String)> {
    let object = value.as_object()?;
    keys.iter()
        .enumerate()
        .find_map(|(rank, key)| match object.get(key) {
            Some(Value::String(s)) => Some((rank, without_placeholders(s).into_owned())),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Some((rank, v.to_string())),
            _ => None,
        })
}

/// The canonical form of an element of a collection, for finding equal elements: equal for
/// two values exactly when they are equal but for the order of unordered arrays and of object
/// fields, and for placeholder numbers. It is a 128-bit hash (XXH3) of that form, computed
/// without writing it out: two different elements share one with a chance of 2⁻¹²⁸.
/// `pattern` is the value's place, every array index `*` (restored on return).
fn canonical(value: &Value, pattern: &mut String, arrays: &dyn ArrayRules) -> u128 {
    // Each kind of value is hashed under its own seed; a container as its elements' (or its
    // fields') hashes, sorted where their order does not count.
    match value {
        Value::Array(items) => {
            let at = pattern.len();
            push_segment(pattern, "*");
            let mut parts: Vec<[u8; 16]> = items
                .iter()
                .map(|v| canonical(v, pattern, arrays).to_le_bytes())
                .collect();
            pattern.truncate(at);
            if !arrays.ordered(pattern) {
                parts.sort_unstable();
            }
            xxh3_128_with_seed(parts.as_flattened(), ARRAY)
        }
        Value::Object(map) => {
            let mut parts: Vec<[u8; 16]> = map
                .iter()
                .map(|(key, v)| {
                    let at = pattern.len();
                    push_segment(pattern, key);
                    let inner = canonical(v, pattern, arrays);
                    pattern.truncate(at);
                    let key = xxh3_128_with_seed(key.as_bytes(), KEY);
                    let field = [key.to_le_bytes(), inner.to_le_bytes()];
                    xxh3_128_with_seed(field.as_flattened(), FIELD).to_le_bytes()
                })
                .collect();
            parts.sort_unstable();
            xxh3_128_with_seed(parts.as_flattened(), OBJECT)
        }
        Value::String(s) => xxh3_128_with_seed(without_placeholders(s).as_bytes(), STRING),
        Value::Null => xxh3_128_with_seed(b"null", SCALAR),
        Value::Bool(b) => xxh3_128_with_seed(if *b { b"true" } else { b"false" }, SCALAR),
        Value::Number(n) => {
            let mut hash = Xxh3::with_seed(SCALAR);
            // Writing into the hash cannot fail.
            let _ = write!(Hashing(&mut hash), "{n}");
            hash.digest128()
        }
    }
}

/// The seeds that keep [`canonical`]'s kinds of hashed text apart.
const STRING: u64 = 1;
const SCALAR: u64 = 2;
const KEY: u64 = 3;
const FIELD: u64 = 4;
const ARRAY: u64 = 5;
const OBJECT: u64 = 6;

/// Text written into a hash.
struct Hashing<'h>(&'h mut Xxh3);

impl std::fmt::Write for Hashing<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.update(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
