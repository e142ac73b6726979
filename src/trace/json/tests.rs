//! Unit tests of `trace::json`.

use super::*;
use serde_json::json;

#[test]
fn objects_compare_in_any_order_and_keep_theirs() {
    let a = Json::from(json!({"b": 1, "a": [true, null, "x"]}));
    let b = Json::from(json!({"a": [true, null, "x"], "b": 1}));
    assert_eq!(a, b);
    assert_ne!(a, Json::from(json!({"a": [true, null, "x"], "b": 2})));
    assert_eq!(a.to_string(), r#"{"b":1,"a":[true,null,"x"]}"#);
    assert_eq!(a.to_value(), json!({"b": 1, "a": [true, null, "x"]}));
    let big: Object = (0..40)
        .map(|i| (format!("k{i}"), Json::Bool(true)))
        .collect();
    let reversed: Object = (0..40)
        .rev()
        .map(|i| (format!("k{i}"), Json::Bool(true)))
        .collect();
    assert_eq!(big, reversed);
}

#[test]
fn a_repeated_key_keeps_its_place_and_its_last_value() {
    for n in [3, 30] {
        let mut members: Vec<(String, Json)> = (0..n)
            .map(|i| (format!("k{i}"), Json::Bool(false)))
            .collect();
        members.push(("k0".into(), Json::Bool(true)));
        let object: Object = members.into_iter().collect();
        assert_eq!(object.len(), n);
        assert_eq!(object.keys().next(), Some("k0"));
        assert_eq!(object.get("k0"), Some(&Json::Bool(true)));
    }
}

#[test]
fn a_value_takes_as_much_memory_as_an_inline_string() {
    // Every member of a parsed body is a key and a value: a value larger than the key's
    // inline string would add its difference per member, on traces of millions of them.
    assert_eq!(
        std::mem::size_of::<Json>(),
        std::mem::size_of::<CompactString>()
    );
    let mut object = Object::from_iter([("a", Json::Null)]);
    assert_eq!(object.insert("b", Json::Bool(true)), None);
    assert_eq!(object.insert("a", Json::Bool(false)), Some(Json::Null));
    assert_eq!(Json::Object(object).to_string(), r#"{"a":false,"b":true}"#);
}
