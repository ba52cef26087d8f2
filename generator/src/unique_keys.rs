//! Parse YAML or JSON into a JSON value while noticing duplicate mapping keys.
//!
//! Both parsers keep the last of two equal keys without a word, so a spec listing `/users`
//! twice would silently lose one set of operations. Here every duplicate is recorded with the
//! JSON pointer of its mapping so the loader can refuse it with a located error.

use crate::diagnostics::join;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// A duplicate key: the pointer of the mapping holding it, and the key.
pub type Duplicate = (String, String);

/// Deserialize a value, collecting duplicate keys into `dups`.
pub fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
    dups: &RefCell<Vec<Duplicate>>,
) -> Result<Value, D::Error> {
    Seed { at: None, dups }.deserialize(deserializer)
}

/// Where a node sits: a chain of keys and indexes up to the root, turned into a JSON pointer
/// only when a duplicate is found (so parsing allocates nothing per node for it).
enum Step<'a> {
    Key(&'a Step<'a>, &'a str),
    Index(&'a Step<'a>, usize),
    Root,
}

impl Step<'_> {
    fn pointer(&self) -> String {
        match self {
            Step::Root => "#".to_string(),
            Step::Key(parent, key) => join(&parent.pointer(), key),
            Step::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

struct Seed<'a> {
    /// `None` for the root.
    at: Option<&'a Step<'a>>,
    dups: &'a RefCell<Vec<Duplicate>>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    // Integers past 64 bits (`minimum: -9223372036854776000`, the way JavaScript prints
    // -2^63; `maximum: 18446744073709552000`) are kept as the nearest double, as a JSON
    // parser does; the loader decides what a bound outside the Rust type's range means.
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Number::from_f64(v as f64).map_or(Value::Null, Value::Number))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Number::from_f64(v as f64).map_or(Value::Null, Value::Number))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // Non-finite numbers (`.inf`, `.nan` in YAML) have no JSON form.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let root = Step::Root;
        let here = self.at.unwrap_or(&root);
        let mut items = Vec::new();
        loop {
            let step = Step::Index(here, items.len());
            let seed = Seed {
                at: Some(&step),
                dups: self.dups,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let root = Step::Root;
        let here = self.at.unwrap_or(&root);
        let mut out = Map::new();
        while let Some(KeyText(key)) = map.next_key::<KeyText>()? {
            let step = Step::Key(here, &key);
            let seed = Seed {
                at: Some(&step),
                dups: self.dups,
            };
            let value = map.next_value_seed(seed)?;
            if out.contains_key(&key) {
                self.dups.borrow_mut().push((here.pointer(), key.clone()));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// A mapping key as text: YAML allows numbers and booleans as keys (`200:`, `true:`).
struct KeyText(String);

impl<'de> serde::Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> (Value, Vec<Duplicate>) {
        let dups = RefCell::new(Vec::new());
        let v = deserialize(yaml_serde::Deserializer::from_str(text), &dups).unwrap();
        (v, dups.into_inner())
    }

    #[test]
    fn duplicates_are_recorded_with_their_mapping() {
        let (v, dups) = yaml("a: 1\nb:\n  /x: 1\n  /x: 2\n");
        assert_eq!(v, serde_json::json!({"a": 1, "b": {"/x": 2}}));
        assert_eq!(dups, vec![("#/b".to_string(), "/x".to_string())]);
        let dups = RefCell::new(Vec::new());
        let mut de = serde_json::Deserializer::from_str(r#"{"l": [{"k": 1, "k": 2}]}"#);
        deserialize(&mut de, &dups).unwrap();
        assert_eq!(
            dups.into_inner(),
            vec![("#/l/0".to_string(), "k".to_string())]
        );
    }

    #[test]
    fn integers_of_any_size_are_kept() {
        let (v, _) = yaml(
            "a: -9223372036854776000\nb: 18446744073709552000\nc: 1000000000000000000000000000000000000000000\nd: 9223372036854775807\n",
        );
        assert_eq!(v["a"].as_f64(), Some(-9_223_372_036_854_775_808.0));
        assert_eq!(v["b"].as_f64(), Some(18_446_744_073_709_551_616.0));
        assert_eq!(v["c"].as_f64(), Some(1e42));
        assert_eq!(v["d"].as_i64(), Some(i64::MAX));
        let dups = RefCell::new(Vec::new());
        let mut de = serde_json::Deserializer::from_str(
            r#"{"a": -9223372036854776000, "b": 18446744073709552000}"#,
        );
        let v = deserialize(&mut de, &dups).unwrap();
        assert_eq!(v["a"].as_f64(), Some(-9_223_372_036_854_775_808.0));
        assert_eq!(v["b"].as_f64(), Some(18_446_744_073_709_551_616.0));
    }

    #[test]
    fn scalar_keys_become_text() {
        let (v, dups) = yaml("200: ok\ntrue: yes\n1.5: x\n");
        assert!(dups.is_empty());
        assert_eq!(
            v,
            serde_json::json!({"200": "ok", "true": "yes", "1.5": "x"})
        );
    }
}
