//! Serde `with` module for tri-state fields: `Option<Option<T>>`.
//!
//! Used as
//! `#[serde(default, skip_serializing_if = "Option::is_none", with = "crate::double_option")]`:
//!
//! | value            | JSON                |
//! |------------------|---------------------|
//! | `None`           | field absent        |
//! | `Some(None)`     | `null` (clear it)   |
//! | `Some(Some(v))`  | the value           |

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes `Some(None)` as `null` and `Some(Some(v))` as `v` (`None` is
/// normally skipped by `skip_serializing_if`; if not, it is `null` too).
pub fn serialize<T, S>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize,
    S: Serializer,
{
    match value {
        None | Some(None) => serializer.serialize_none(),
        Some(Some(inner)) => serializer.serialize_some(inner),
    }
}

/// Deserializes `null` as `Some(None)` and a value as `Some(Some(v))`; an
/// absent field becomes `None` through `#[serde(default)]`.
pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::double_option"
        )]
        name: Option<Option<String>>,
        other: u8,
    }

    #[test]
    fn three_states_round_trip() {
        let cases = [
            (
                Patch {
                    name: None,
                    other: 1,
                },
                r#"{"other":1}"#,
            ),
            (
                Patch {
                    name: Some(None),
                    other: 1,
                },
                r#"{"name":null,"other":1}"#,
            ),
            (
                Patch {
                    name: Some(Some("Ada".into())),
                    other: 1,
                },
                r#"{"name":"Ada","other":1}"#,
            ),
        ];
        for (patch, json) in cases {
            assert_eq!(serde_json::to_string(&patch).expect("serializable"), json);
            assert_eq!(
                serde_json::from_str::<Patch>(json).expect("decodable"),
                patch
            );
        }
    }

    #[test]
    fn wrong_inner_type_is_an_error() {
        assert!(serde_json::from_str::<Patch>(r#"{"name":5,"other":1}"#).is_err());
    }
}
