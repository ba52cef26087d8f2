//! Operations as data: the read-only guard and helpers for calling an operation by name
//! with JSON input (agents, MCP servers, tests).

use super::{Error, FileUpload, Response, SafetyClass};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    /// A `{name}` segment of the path template.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A `name=value` pair of the `Cookie` header.
    Cookie,
}

impl ParamLocation {
    /// `path`, `query`, `header` or `cookie`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// How an array parameter is written when it is not exploded (OpenAPI `style`): the
/// delimiter between its elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamStyle {
    /// Path and header parameters: `a,b`.
    Simple,
    /// Query parameters: `name=a,b` (or `name=a&name=b` exploded).
    Form,
    /// Query parameters: `name=a%20b`.
    SpaceDelimited,
    /// Query parameters: `name=a|b`.
    PipeDelimited,
}

impl ParamStyle {
    /// The delimiter between the elements of an array that is not exploded.
    pub fn delimiter(&self) -> char {
        match self {
            ParamStyle::Simple | ParamStyle::Form => ',',
            ParamStyle::SpaceDelimited => ' ',
            ParamStyle::PipeDelimited => '|',
        }
    }
}

/// The JSON type a scalar parameter value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// A string (enums too: they are open).
    String,
    /// An integer (`i64`).
    Integer,
    /// A number (`f64`).
    Number,
    /// `true` or `false`.
    Boolean,
}

/// The type of a parameter value in the JSON input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// One scalar.
    Scalar(ScalarType),
    /// An array of scalars.
    Array(ScalarType),
    /// Any JSON: a string is sent as it is, anything else as JSON text.
    Json,
}

/// A parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Name on the wire, also its key in the JSON input of a call by name.
    pub name: &'static str,
    /// Where it goes.
    pub location: ParamLocation,
    /// Whether it must be given.
    pub required: bool,
    /// How an array is delimited when not exploded.
    pub style: ParamStyle,
    /// Arrays in the query: one `name=value` pair per element.
    pub explode: bool,
    /// The type its value must have.
    pub ty: ParamType,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyEncoding {
    /// A JSON document.
    Json,
    /// `application/x-www-form-urlencoded` fields.
    Form,
    /// `multipart/form-data` parts; files as `{"content_base64": ..}` objects.
    Multipart,
    /// Raw bytes with the body's media type: a string (sent as UTF-8) or a file object.
    Bytes,
}

/// The request body of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyInfo {
    /// Media type sent.
    pub content_type: &'static str,
    /// Whether it must be given.
    pub required: bool,
    /// How it is encoded.
    pub encoding: BodyEncoding,
}

/// What a successful response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseKind {
    /// A JSON document.
    Json,
    /// Nothing.
    Empty,
    /// Text.
    Text,
    /// Raw bytes.
    Bytes,
}

/// Static description of one operation: everything needed to build its request from JSON
/// input ([`build_request`](crate::build_request)) and to guard it.
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
    /// Sends the secret key.
    pub auth: bool,
    /// Parameters.
    pub params: &'static [ParamInfo],
    /// Request body, if any.
    pub body: Option<BodyInfo>,
    /// What a successful response carries.
    pub response: ResponseKind,
}

/// Checks a request body given as JSON against the body type `T` of `op`, before the
/// request is built from the JSON as given; errors name the offending field, as in
/// ``at `body.items[2].name`: ..``. A generated crate's `Client::call` checks every body with its
/// typed model this way.
pub fn check_body<T: DeserializeOwned>(op: &OperationInfo, body: &Value) -> Result<(), Error> {
    serde_path_to_error::deserialize::<_, T>(body)
        .map(drop)
        .map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let at = if path == "." {
                "body".to_string()
            } else {
                format!("body.{path}")
            };
            crate::interpret::invalid(op, format!("at `{at}`: {inner}"))
        })
}

/// A typed check of a request body ([`check_body`] for the body's model).
pub type BodyCheck = fn(&OperationInfo, &Value) -> Result<(), Error>;

/// The models of one operation, for a call by name that checks and decodes as its typed
/// method does (a generated crate's `Client::call`): the request body is checked against its
/// model before the request is built, and a JSON response is decoded into its model (and
/// back into JSON).
#[derive(Debug, Clone, Copy, Default)]
pub struct Models {
    /// The typed check of the request body, if the operation takes a JSON, form or
    /// multipart body.
    pub body: Option<BodyCheck>,
    /// The typed decoding of the response, if it is JSON.
    pub response: Option<crate::ResponseDecode>,
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
    use crate::{Client, ReadOnly, ReadWrite};

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
        auth: true,
        params: &[ParamInfo {
            name: "user_id",
            location: ParamLocation::Path,
            required: true,
            style: ParamStyle::Simple,
            explode: false,
            ty: ParamType::Scalar(ScalarType::String),
        }],
        body: None,
        response: ResponseKind::Empty,
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
    fn body_checks_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body {
            a: Vec<i64>,
            name: String,
        }
        check_body::<Body>(&DELETE, &serde_json::json!({"a": [1], "name": "n"})).unwrap();
        let err = check_body::<Body>(&DELETE, &serde_json::json!({"a": [1, "x"], "name": "n"}))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
        assert!(err.to_string().contains("at `body.a[1]`"), "{err}");
        let err = check_body::<Body>(&DELETE, &serde_json::json!({"a": []})).unwrap_err();
        assert!(
            err.to_string().contains("at `body`: missing field `name`"),
            "{err}"
        );
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
