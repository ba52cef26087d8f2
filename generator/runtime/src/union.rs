//! Helpers for decoding `oneOf` / `anyOf` unions.
//!
//! Generated `Deserialize` impls first read a [`serde_json::Value`], ask
//! [`candidates`] which variants fit its shape, then try them in that order
//! with [`decode_variant`].

use serde_json::Value;

/// The JSON type of a value or of a variant's schema.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum JsonKind {
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
    /// A JSON string.
    String,
    /// A JSON number without a fraction.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
    /// Any JSON value (a schema without a type).
    Any,
}

impl JsonKind {
    /// The kind as a lowercase word, e.g. `object`.
    pub fn as_str(&self) -> &'static str {
        match self {
            JsonKind::Object => "object",
            JsonKind::Array => "array",
            JsonKind::String => "string",
            JsonKind::Integer => "integer",
            JsonKind::Number => "number",
            JsonKind::Boolean => "boolean",
            JsonKind::Null => "null",
            JsonKind::Any => "any",
        }
    }

    /// Whether a value of kind `value` fits a schema of this kind.
    fn accepts(self, value: JsonKind) -> bool {
        self == JsonKind::Any
            || self == value
            || (self == JsonKind::Number && value == JsonKind::Integer)
    }
}

/// The kind of a JSON value (`Integer` for numbers without a fraction).
pub fn kind_of(value: &Value) -> JsonKind {
    match value {
        Value::Object(_) => JsonKind::Object,
        Value::Array(_) => JsonKind::Array,
        Value::String(_) => JsonKind::String,
        Value::Number(n) if n.is_i64() || n.is_u64() => JsonKind::Integer,
        Value::Number(_) => JsonKind::Number,
        Value::Bool(_) => JsonKind::Boolean,
        Value::Null => JsonKind::Null,
    }
}

/// What a union variant looks like, as far as choosing a variant goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VariantShape {
    /// The JSON kind of the variant.
    pub kind: JsonKind,
    /// For objects: properties that must be present.
    pub required: &'static [&'static str],
    /// For objects: all known properties (required ones included).
    pub properties: &'static [&'static str],
    /// For objects: string properties with known values (enums and constant tags). A value
    /// outside the list still decodes (enums are open) but makes the variant a worse fit.
    pub values: &'static [(&'static str, &'static [&'static str])],
}

/// How well an object fits a shape; larger is better.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Fit {
    required: usize,
    /// Negated count of string properties whose value is not among the known values.
    mismatched: std::cmp::Reverse<usize>,
    /// Count of string properties whose value is among the known values.
    matched: usize,
    known: usize,
    /// Negated count of unknown keys, so that fewer is better.
    unknown: std::cmp::Reverse<usize>,
}

/// The fit of `value` to `shape`, or `None` if it cannot be that variant.
fn fit(value: &Value, shape: &VariantShape) -> Option<Fit> {
    if !shape.kind.accepts(kind_of(value)) {
        return None;
    }
    let Value::Object(object) = value else {
        return Some(Fit {
            required: 0,
            mismatched: std::cmp::Reverse(0),
            matched: 0,
            known: 0,
            unknown: std::cmp::Reverse(0),
        });
    };
    if !shape.required.iter().all(|name| object.contains_key(*name)) {
        return None;
    }
    let is_known = |key: &String| {
        shape.properties.contains(&key.as_str()) || shape.required.contains(&key.as_str())
    };
    let known = object.keys().filter(|key| is_known(key)).count();
    let (mut matched, mut mismatched) = (0, 0);
    for (name, allowed) in shape.values {
        if let Some(Value::String(actual)) = object.get(*name) {
            if allowed.contains(&actual.as_str()) {
                matched += 1;
            } else {
                mismatched += 1;
            }
        }
    }
    Some(Fit {
        required: shape.required.len(),
        mismatched: std::cmp::Reverse(mismatched),
        matched,
        known,
        unknown: std::cmp::Reverse(object.len() - known),
    })
}

/// Indices of variants worth trying, best first: a variant is a candidate if
/// the value's JSON kind matches (Integer also matches Number; Any matches
/// everything) and, for objects, all its `required` names are present. Order:
/// most required names matched first, then fewest string values outside their known values,
/// then most string values among their known values, then most known properties present,
/// then the smallest number of unknown keys (keys not in `properties`), then
/// declaration order.
pub fn candidates(value: &Value, shapes: &[VariantShape]) -> Vec<usize> {
    let mut fits: Vec<(usize, Fit)> = shapes
        .iter()
        .enumerate()
        .filter_map(|(index, shape)| fit(value, shape).map(|f| (index, f)))
        .collect();
    // Stable sort: equal fits keep declaration order.
    fits.sort_by(|(_, a), (_, b)| b.cmp(a));
    fits.into_iter().map(|(index, _)| index).collect()
}

/// Decodes a variant from a value; on failure, the message names the JSON
/// path inside the value where decoding failed.
pub fn decode_variant<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("at `{path}`: {inner}")
        }
    })
}

/// A message for a value that matched no variant of the union `type_name`,
/// listing why each tried variant failed.
pub fn no_match_message(type_name: &str, value: &Value, failures: &[(&str, String)]) -> String {
    let mut message = format!(
        "{} value matches no variant of {type_name}",
        kind_of(value).as_str()
    );
    for (variant, reason) in failures {
        message.push_str(&format!("; {variant}: {reason}"));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PUBLIC: VariantShape = VariantShape {
        kind: JsonKind::Object,
        required: &["kty", "crv", "x"],
        properties: &["kty", "crv", "x", "kid", "alg", "use"],
        values: &[],
    };
    const PRIVATE: VariantShape = VariantShape {
        kind: JsonKind::Object,
        required: &["kty", "crv", "x", "d"],
        properties: &["kty", "crv", "x", "d", "kid", "alg", "use"],
        values: &[],
    };

    #[test]
    fn private_key_preferred_when_d_present() {
        let shapes = [PUBLIC, PRIVATE];
        let private = json!({"kty": "OKP", "crv": "Ed25519", "x": "abc", "d": "secret"});
        assert_eq!(candidates(&private, &shapes), vec![1, 0]);
        let public = json!({"kty": "OKP", "crv": "Ed25519", "x": "abc", "kid": "k1"});
        assert_eq!(candidates(&public, &shapes), vec![0]);
        // Declaration order does not matter.
        assert_eq!(candidates(&private, &[PRIVATE, PUBLIC]), vec![0, 1]);
        assert_eq!(
            candidates(&json!({"kty": "OKP"}), &shapes),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn known_and_unknown_keys_break_ties() {
        let a = VariantShape {
            kind: JsonKind::Object,
            required: &["id"],
            properties: &["id", "name"],
            values: &[],
        };
        let b = VariantShape {
            kind: JsonKind::Object,
            required: &["id"],
            properties: &["id", "slug"],
            values: &[],
        };
        let c = VariantShape {
            kind: JsonKind::Object,
            required: &["id"],
            properties: &["id", "name", "extra"],
            values: &[],
        };
        assert_eq!(
            candidates(&json!({"id": 1, "slug": "s"}), &[a, b]),
            vec![1, 0]
        );
        assert_eq!(
            candidates(&json!({"id": 1, "name": "n"}), &[a, b]),
            vec![0, 1]
        );
        // Same known count: fewer unknown keys wins; a tie keeps declaration order.
        assert_eq!(candidates(&json!({"id": 1, "zzz": 0}), &[a, c]), vec![0, 1]);
        assert_eq!(
            candidates(&json!({"id": 1, "extra": 0}), &[a, c]),
            vec![1, 0]
        );
    }

    #[test]
    fn scalar_kinds() {
        let shapes = [
            VariantShape {
                kind: JsonKind::String,
                required: &[],
                properties: &[],
                values: &[],
            },
            VariantShape {
                kind: JsonKind::Number,
                required: &[],
                properties: &[],
                values: &[],
            },
            VariantShape {
                kind: JsonKind::Integer,
                required: &[],
                properties: &[],
                values: &[],
            },
            VariantShape {
                kind: JsonKind::Any,
                required: &[],
                properties: &[],
                values: &[],
            },
            VariantShape {
                kind: JsonKind::Boolean,
                required: &[],
                properties: &[],
                values: &[],
            },
            VariantShape {
                kind: JsonKind::Null,
                required: &[],
                properties: &[],
                values: &[],
            },
            VariantShape {
                kind: JsonKind::Array,
                required: &[],
                properties: &[],
                values: &[],
            },
        ];
        assert_eq!(candidates(&json!("s"), &shapes), vec![0, 3]);
        assert_eq!(candidates(&json!(5), &shapes), vec![1, 2, 3]);
        assert_eq!(candidates(&json!(5.5), &shapes), vec![1, 3]);
        assert_eq!(candidates(&json!(true), &shapes), vec![3, 4]);
        assert_eq!(candidates(&Value::Null, &shapes), vec![3, 5]);
        assert_eq!(candidates(&json!([1]), &shapes), vec![3, 6]);
        assert_eq!(candidates(&json!({}), &shapes), vec![3]);
    }

    #[test]
    fn known_values_break_ties_between_same_shapes() {
        // Clerk's OTP and admin verifications share required properties; without the
        // `object` tag only the values of `strategy` tell them apart.
        let otp = VariantShape {
            kind: JsonKind::Object,
            required: &["status", "strategy"],
            properties: &["status", "strategy", "object"],
            values: &[("strategy", &["email_code", "phone_code"])],
        };
        let admin = VariantShape {
            kind: JsonKind::Object,
            required: &["status", "strategy"],
            properties: &["status", "strategy", "object"],
            values: &[("strategy", &["admin"])],
        };
        let value = json!({"status": "verified", "strategy": "admin"});
        assert_eq!(candidates(&value, &[otp, admin]), vec![1, 0]);
        let value = json!({"status": "verified", "strategy": "email_code"});
        assert_eq!(candidates(&value, &[otp, admin]), vec![0, 1]);
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Key {
        kty: String,
        x: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    #[test]
    fn decode_variant_reports_path() {
        let ok: Key = decode_variant(&json!({"kty": "OKP", "x": [{"n": 1}]})).expect("valid");
        assert_eq!(ok.kty, "OKP");
        let err = decode_variant::<Key>(&json!({"kty": "OKP", "x": [{"n": 1}, {"n": "two"}]}))
            .unwrap_err();
        assert!(
            err.starts_with("at `x[1].n`: invalid type: string"),
            "{err}"
        );
        let err = decode_variant::<Key>(&json!(3)).unwrap_err();
        assert!(err.starts_with("invalid type: integer"), "{err}");
        let message = no_match_message("Jwk", &json!(3), &[("Public", err)]);
        assert!(
            message.starts_with("integer value matches no variant of Jwk; Public: invalid type"),
            "{message}"
        );
    }
}
