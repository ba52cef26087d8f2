//! Operations as data: the read-only guard and helpers for calling an operation by name
//! with JSON input (agents, MCP servers, tests).

use super::{Client, Error, FileUpload, Mode, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Safety class of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SafetyClass {
    /// No side effects.
    Read,
    /// Creates or changes data.
    Write,
    /// Deletes, revokes, bans: hard or impossible to undo.
    Destructive,
}

impl SafetyClass {
    /// `read`, `write` or `destructive`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SafetyClass::Read => "read",
            SafetyClass::Write => "write",
            SafetyClass::Destructive => "destructive",
        }
    }
}

/// A parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Name on the wire, also its key in the JSON input of `Client::call` (feature `dynamic`).
    pub name: &'static str,
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'static str,
    /// Whether it must be given.
    pub required: bool,
}

/// The request body of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyInfo {
    /// Media type sent.
    pub content_type: &'static str,
    /// Whether it must be given.
    pub required: bool,
}

/// Static description of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// `operationId`.
    pub id: &'static str,
    /// Group module (`users`).
    pub group: &'static str,
    /// Method within the group (`list`).
    pub method: &'static str,
    /// HTTP method.
    pub http_method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// Summary from the spec.
    pub summary: &'static str,
    /// Safety class.
    pub safety: SafetyClass,
    /// Returns a secret or credential: a read-only client refuses it whatever its class.
    pub credential: bool,
    /// Safe to repeat.
    pub idempotent: bool,
    /// Deprecated by the API.
    pub deprecated: bool,
    /// Parameters.
    pub params: &'static [ParamInfo],
    /// Request body, if any.
    pub body: Option<BodyInfo>,
}

impl<M: Mode> Client<M> {
    /// Whether this client may call `op`: a read-only client refuses every operation that
    /// is not `read` or that returns a credential, whichever way it is chosen (by name, by
    /// table entry).
    pub fn check_allowed(&self, op: &OperationInfo) -> Result<(), Error> {
        if M::READ_ONLY && (op.safety != SafetyClass::Read || op.credential) {
            return Err(Error::ReadOnly {
                operation_id: op.id,
                class: op.safety,
                credential: op.credential,
            });
        }
        Ok(())
    }
}

/// Decode the JSON input of a call by name; errors name the offending input field.
pub fn decode_input<T: DeserializeOwned>(op: &OperationInfo, input: Value) -> Result<T, Error> {
    let input = match input {
        Value::Null => Value::Object(Default::default()),
        other => other,
    };
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        Error::InvalidInput(Box::new(super::error::InvalidInput {
            operation_id: op.id,
            message: if path == "." {
                inner.to_string()
            } else {
                format!("at `{path}`: {inner}")
            },
        }))
    })
}

/// The JSON input of a call by name, taken apart key by key: one key per parameter (its wire
/// name) and `body`. Errors name the offending key; keys left over are refused by
/// [`CallInput::finish`].
#[derive(Debug)]
pub struct CallInput {
    op: &'static OperationInfo,
    map: serde_json::Map<String, Value>,
}

impl CallInput {
    /// The input of `op`: a JSON object, or `null` for no keys.
    pub fn new(op: &'static OperationInfo, input: Value) -> Result<CallInput, Error> {
        match input {
            Value::Null => Ok(CallInput {
                op,
                map: Default::default(),
            }),
            Value::Object(map) => Ok(CallInput { op, map }),
            other => Err(invalid(
                op,
                format!("the input must be a JSON object, not {}", json_kind(&other)),
            )),
        }
    }

    /// The value of a key that must be present.
    pub fn required<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, Error> {
        match self.map.remove(key) {
            Some(value) => decode_value(self.op, key, value),
            None => Err(invalid(self.op, format!("missing field `{key}`"))),
        }
    }

    /// The value of a key that may be absent (absent or `null`: `None`).
    pub fn optional<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, Error> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => decode_value(self.op, key, value).map(Some),
        }
    }

    /// Refuses the keys no parameter took.
    pub fn finish(self) -> Result<(), Error> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) => {
                let mut known: Vec<&str> = self.op.params.iter().map(|p| p.name).collect();
                if self.op.body.is_some() {
                    known.push("body");
                }
                Err(invalid(
                    self.op,
                    format!(
                        "unknown field `{key}`, expected one of: {}",
                        known.join(", ")
                    ),
                ))
            }
        }
    }
}

fn decode_value<T: DeserializeOwned>(
    op: &'static OperationInfo,
    key: &str,
    value: Value,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = if path == "." {
            key.to_string()
        } else {
            format!("{key}.{path}")
        };
        invalid(op, format!("at `{at}`: {inner}"))
    })
}

fn invalid(op: &'static OperationInfo, message: String) -> Error {
    Error::InvalidInput(Box::new(super::error::InvalidInput {
        operation_id: op.id,
        message,
    }))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Turn a typed response into JSON (for callers that work with JSON).
pub fn into_json<T: Serialize>(response: Response<T>) -> Result<Response<Value>, Error> {
    let (status, headers, data) = response.into_parts();
    let value = serde_json::to_value(&data)
        .map_err(|e| Error::Encode(format!("response could not be turned into JSON: {e}")))?;
    Ok(Response::new(status, headers, value))
}

/// JSON form of a file upload: `{"content_base64": "...", "file_name"?: "...", "content_type"?: "..."}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileUploadInput {
    content_base64: String,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
}

impl<'de> serde::Deserialize<'de> for FileUpload {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let input = FileUploadInput::deserialize(deserializer)?;
        let data = decode_base64(&input.content_base64).map_err(serde::de::Error::custom)?;
        Ok(FileUpload {
            data,
            file_name: input.file_name,
            content_type: input.content_type,
        })
    }
}

/// Decode standard or URL-safe base64, with or without padding; whitespace is ignored.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::{alphabet, Engine as _};
    const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
    let compact: String = text.split_ascii_whitespace().collect();
    let engine = if compact.contains(['-', '_']) {
        &URL_SAFE
    } else {
        &STANDARD
    };
    engine
        .decode(compact)
        .map_err(|e| format!("invalid base64: {e}"))
}

/// Encode as standard base64 with padding.
pub fn encode_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOnly, ReadWrite};

    const DELETE: OperationInfo = OperationInfo {
        id: "DeleteUser",
        group: "users",
        method: "delete",
        http_method: "DELETE",
        path: "/users/{user_id}",
        summary: "Delete a user",
        safety: SafetyClass::Destructive,
        credential: false,
        idempotent: true,
        deprecated: false,
        params: &[ParamInfo {
            name: "user_id",
            location: "path",
            required: true,
        }],
        body: None,
    };

    #[test]
    fn read_only_clients_refuse_non_read_operations() {
        let rw: Client<ReadWrite> = Client::new(&crate::TEST_INFO, "sk_test_abc").expect("client");
        assert!(rw.check_allowed(&DELETE).is_ok());
        let ro: Client<ReadOnly> = rw.read_only_view();
        let err = ro.check_allowed(&DELETE).unwrap_err();
        assert!(matches!(err, Error::ReadOnly { .. }));
        assert!(err
            .to_string()
            .contains("DeleteUser is a destructive operation"));
        let read = OperationInfo {
            safety: SafetyClass::Read,
            ..DELETE
        };
        assert!(ro.check_allowed(&read).is_ok());
        // A read that returns a credential is refused too, with the reason.
        let secret = OperationInfo {
            credential: true,
            id: "GetMachineSecretKey",
            ..read
        };
        assert!(rw.check_allowed(&secret).is_ok());
        let err = ro.check_allowed(&secret).unwrap_err();
        assert!(matches!(
            err,
            Error::ReadOnly {
                credential: true,
                ..
            }
        ));
        assert!(
            err.to_string()
                .contains("GetMachineSecretKey returns a credential"),
            "{err}"
        );
    }

    #[test]
    fn input_errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        #[serde(deny_unknown_fields)]
        struct Input {
            user_id: String,
            limit: Option<i64>,
        }
        let err = decode_input::<Input>(&DELETE, serde_json::json!({"user_id": "u", "limit": "x"}))
            .unwrap_err();
        assert!(err.to_string().contains("limit"), "{err}");
        let err = decode_input::<Input>(&DELETE, serde_json::json!({"user_id": "u", "bogus": 1}))
            .unwrap_err();
        assert!(err.to_string().contains("bogus"), "{err}");
        let err = decode_input::<Input>(&DELETE, Value::Null).unwrap_err();
        assert!(err.to_string().contains("user_id"), "{err}");
    }

    #[test]
    fn call_input_names_missing_bad_and_unknown_keys() {
        let mut input = CallInput::new(&DELETE, serde_json::json!({"user_id": "u"})).unwrap();
        assert_eq!(input.required::<String>("user_id").unwrap(), "u");
        assert_eq!(input.optional::<i64>("limit").unwrap(), None);
        input.finish().unwrap();

        let mut input = CallInput::new(&DELETE, Value::Null).unwrap();
        let err = input.required::<String>("user_id").unwrap_err();
        assert!(err.to_string().contains("missing field `user_id`"), "{err}");

        let mut input =
            CallInput::new(&DELETE, serde_json::json!({"body": {"a": [1, "x"]}})).unwrap();
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body {
            a: Vec<i64>,
        }
        let err = input.required::<Body>("body").unwrap_err();
        assert!(err.to_string().contains("at `body.a[1]`"), "{err}");

        let mut input =
            CallInput::new(&DELETE, serde_json::json!({"user_id": "u", "bogus": 1})).unwrap();
        input.required::<String>("user_id").unwrap();
        let err = input.finish().unwrap_err();
        assert!(err.to_string().contains("unknown field `bogus`"), "{err}");

        let err = CallInput::new(&DELETE, serde_json::json!([1])).unwrap_err();
        assert!(err.to_string().contains("JSON object"), "{err}");
    }

    #[test]
    fn base64_and_file_uploads() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("-_8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_base64("aGVs\nbG8=\n").unwrap(), b"hello");
        assert!(decode_base64("a*b").is_err());
        for data in [&b""[..], b"a", b"ab", b"abc", b"\x00\xff\x10hello"] {
            assert_eq!(decode_base64(&encode_base64(data)).unwrap(), data);
        }
        assert_eq!(encode_base64(b"ab"), "YWI=");
        let f: FileUpload = serde_json::from_value(serde_json::json!({
            "content_base64": "aGk=", "file_name": "a.txt", "content_type": "text/plain"
        }))
        .unwrap();
        assert_eq!(f.data, b"hi");
        assert_eq!(f.file_name.as_deref(), Some("a.txt"));
    }
}
