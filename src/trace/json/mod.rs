//! [`Json`]: a JSON body as the model keeps it, compact (a trace holds hundreds of thousands).
//!
//! Like `serde_json::Value` with `preserve_order`, and written out identically, but an object
//! is a plain list of members instead of an indexed hash map: a member costs 56 bytes instead
//! of about 130, and small objects (nearly all of them) need no index to be looked up in.

mod read;

use compact_str::CompactString;
pub(crate) use read::from_str;
use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

/// A JSON value.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` reads it.
    Number(Number),
    /// A string (inline up to 24 bytes).
    String(CompactString),
    /// An array (a boxed slice, like [`Object`]'s members: a JSON value is 24 bytes).
    Array(Box<[Json]>),
    /// An object, members in document order.
    Object(Object),
}

/// A JSON object: members in document order, keys unique (a repeated key keeps its first
/// place and its last value, as `serde_json` does).
#[derive(Debug, Clone, Default)]
pub struct Object(Box<[(CompactString, Json)]>);

/// Objects up to this size are searched member by member; larger ones through a hash map.
const SMALL: usize = 16;

impl Json {
    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The same value as a `serde_json::Value` (what reports carry).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n),
            Value::String(s) => Json::String(s.into()),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => {
                Json::Object(map.into_iter().map(|(k, v)| (k, v.into())).collect())
            }
        }
    }
}

/// Compact JSON text, as `serde_json::Value` displays it.
impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

impl Object {
    /// The value of member `key`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A lookup by key for many look-ups in one object: a hash map when the object is large,
    /// so that going over another object's keys stays linear.
    pub fn lookup<'a>(&'a self) -> impl Fn(&str) -> Option<&'a Json> + 'a {
        let index: Option<HashMap<&str, &Json>> =
            (self.len() > SMALL).then(|| self.iter().collect());
        move |key| match &index {
            Some(index) => index.get(key).copied(),
            None => self.get(key),
        }
    }

    /// Members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Members in order, values writable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Json)> {
        self.0.iter_mut().map(|(k, v)| (k.as_str(), v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets member `key` (in place when it exists, else at the end); returns the old value.
    pub fn insert(&mut self, key: impl Into<CompactString>, value: Json) -> Option<Json> {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, old)) => Some(std::mem::replace(old, value)),
            None => {
                let mut members = std::mem::take(&mut self.0).into_vec();
                members.push((key, value));
                self.0 = members.into_boxed_slice();
                None
            }
        }
    }
}

impl<K: Into<CompactString>> FromIterator<(K, Json)> for Object {
    fn from_iter<I: IntoIterator<Item = (K, Json)>>(members: I) -> Object {
        let mut list: Vec<(CompactString, Json)> =
            members.into_iter().map(|(k, v)| (k.into(), v)).collect();
        if has_repeats(&list) {
            let mut first: HashMap<CompactString, usize> = HashMap::default();
            let mut unique: Vec<(CompactString, Json)> = Vec::with_capacity(list.len());
            for (key, value) in list {
                match first.get(&key) {
                    Some(&at) => unique[at].1 = value,
                    None => {
                        first.insert(key.clone(), unique.len());
                        unique.push((key, value));
                    }
                }
            }
            list = unique;
        }
        Object(list.into_boxed_slice())
    }
}

/// Whether some key occurs twice (linear: pairwise for small lists, hashed otherwise).
fn has_repeats(list: &[(CompactString, Json)]) -> bool {
    if list.len() <= SMALL {
        return list
            .iter()
            .enumerate()
            .any(|(i, (k, _))| list[..i].iter().any(|(other, _)| other == k));
    }
    let mut seen = FxHashSet::with_capacity_and_hasher(list.len(), Default::default());
    !list.iter().all(|(k, _)| seen.insert(k.as_str()))
}

impl IntoIterator for Object {
    type Item = (CompactString, Json);
    type IntoIter = std::vec::IntoIter<(CompactString, Json)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a str, &'a Json);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (CompactString, Json)>,
        fn(&'a (CompactString, Json)) -> (&'a str, &'a Json),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Equal when the members are, in any order (as `serde_json` objects compare).
impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        if self.len() != other.len() {
            return false;
        }
        if self.0.iter().zip(&other.0).all(|(a, b)| a == b) {
            return true;
        }
        let find = other.lookup();
        self.iter().all(|(k, v)| find(k) == Some(v))
    }
}

/// Written exactly as `serde_json::Value` is.
impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => n.serialize(serializer),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(object) => {
                let mut map = serializer.serialize_map(Some(object.len()))?;
                for (k, v) in object {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests;
