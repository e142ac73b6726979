//! Reading JSON text into [`Json`] values that hold no spare capacity.
//!
//! Members and array items are gathered on two shared stacks and each object and array is
//! built once, at its exact size (growing a list member by member would leave room for up to
//! twice its members, and reallocate and copy it on the way). The values
//! are the ones `serde_json::from_str::<Value>` reads, and so are the errors.

use super::{Json, Object};
use compact_str::CompactString;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;
use std::fmt;

/// Parses `text` as one JSON document (what `serde_json::from_str::<Value>` accepts).
pub(crate) fn from_str(text: &str) -> serde_json::Result<Json> {
    let mut stack = Vec::new();
    let mut items = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Compact {
        stack: &mut stack,
        items: &mut items,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Builds one value; `stack` holds the members of the objects still open around it, `items`
/// the items of the arrays.
struct Compact<'s> {
    stack: &'s mut Vec<(CompactString, Json)>,
    items: &'s mut Vec<Json>,
}

impl Compact<'_> {
    /// The builder of a value inside the one being built.
    fn inner(&mut self) -> Compact<'_> {
        Compact {
            stack: &mut *self.stack,
            items: &mut *self.items,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Compact<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Compact<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        Ok(Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.into()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value.into()))
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Json, A::Error> {
        let start = self.items.len();
        while let Some(item) = seq.next_element_seed(self.inner())? {
            self.items.push(item);
        }
        let items: Box<[Json]> = self.items.drain(start..).collect();
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut access: A) -> Result<Json, A::Error> {
        let start = self.stack.len();
        while let Some(key) = access.next_key::<CompactString>()? {
            let value = access.next_value_seed(self.inner())?;
            self.stack.push((key, value));
        }
        let object: Object = self.stack.drain(start..).collect();
        Ok(Json::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn values_are_those_serde_json_reads() {
        for text in [
            r#"{"b": 1, "a": [1, -2, 3.5, 1e-7, null, true], "c": {"d": "\u00e9\n", "e": {}}, "b": 2}"#,
            "[]",
            "\"x\"",
            "18446744073709551615",
            "  {\"nested\": [[{\"k\": [{}]}]]}  ",
        ] {
            let ours = from_str(text).expect("parses");
            let theirs: Value = serde_json::from_str(text).expect("parses");
            assert_eq!(ours.to_value(), theirs, "{text}");
            assert_eq!(ours, Json::from(theirs.clone()), "{text}");
            assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
        }
        for bad in ["{\"a\": }", "1e400", "[1, 2", "{} {}", "tru"] {
            let ours = from_str(bad)
                .map(|v| v.to_value())
                .map_err(|e| (e.line(), e.column(), e.to_string()));
            let theirs = serde_json::from_str::<Value>(bad)
                .map_err(|e| (e.line(), e.column(), e.to_string()));
            assert_eq!(ours, theirs, "{bad}");
        }
    }
}
