//! The request interpreter: an operation's description ([`OperationInfo`]) and JSON input
//! become the [`Request`] to send. Everything that calls an operation by name goes through
//! [`build_request`]: a generated crate's `Client::call` and the MCP server.
//!
//! The input is a JSON object with one key per parameter (its wire name) and `body` for the
//! request body. Keys no parameter takes are refused, required ones must be present, and
//! every value must have its parameter's type; each error names the key, and nothing is
//! sent.

use crate::operation::{
    BodyCheck, BodyEncoding, BodyInfo, Models, OperationInfo, ParamInfo, ParamLocation, ParamType,
    ResponseKind, ScalarType,
};
use crate::{
    path_param, Body, Client, Error, FileUpload, InvalidInput, Mode, Part, QueryValue, Request,
    Response,
};
use serde_json::{Map, Value};

/// The request for `op` with `input` (a JSON object, or `null` for no keys).
///
/// Path parameters are percent-encoded into their segment (`/`, `?`, `#` included; empty,
/// `.` and `..` are refused with [`Error::Encode`]); query arrays follow the parameter's
/// style and explode; header arrays are joined with `,`; cookies go into one `Cookie`
/// header; the body is encoded per [`BodyEncoding`]. Bad input is [`Error::InvalidInput`]
/// naming the key.
pub fn build_request(op: &OperationInfo, input: Value) -> Result<Request, Error> {
    build(op, input, None)
}

/// [`build_request`], with `check` run on the body (when given) before it is encoded.
fn build(op: &OperationInfo, input: Value, check: Option<BodyCheck>) -> Result<Request, Error> {
    let mut args = match input {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            return Err(invalid(
                op,
                format!("the input must be a JSON object, not {}", kind(&other)),
            ))
        }
    };
    // Refuse unknown keys first, so that a misspelt key is named rather than reported as a
    // missing required one.
    if let Some(key) = args
        .keys()
        .find(|k| !(op.params.iter().any(|p| p.name == *k) || (*k == "body" && op.body.is_some())))
    {
        let mut known: Vec<&str> = op.params.iter().map(|p| p.name).collect();
        if op.body.is_some() {
            known.push("body");
        }
        let expected = if known.is_empty() {
            "this operation takes no input".to_string()
        } else {
            format!("expected one of: {}", known.join(", "))
        };
        return Err(invalid(op, format!("unknown field `{key}`, {expected}")));
    }
    let method = reqwest::Method::from_bytes(op.http_method.as_bytes())
        .map_err(|_| invalid(op, format!("unknown HTTP method `{}`", op.http_method)))?;
    let mut values: Vec<(&ParamInfo, Option<Value>)> = Vec::with_capacity(op.params.len());
    for p in op.params {
        let value = match args.remove(p.name) {
            None | Some(Value::Null) if p.required => {
                return Err(invalid(op, format!("missing field `{}`", p.name)))
            }
            None | Some(Value::Null) => None,
            Some(value) => Some(value),
        };
        values.push((p, value));
    }
    let path = fill_path(op, &values)?;
    let mut req = Request::new(op.id, method, path);
    req.auth = op.auth;
    req.idempotent = op.idempotent;
    for (p, value) in values {
        let Some(value) = value else { continue };
        match p.location {
            ParamLocation::Path => {}
            ParamLocation::Query => match p.ty {
                ParamType::Array(t) => {
                    let items = array_texts(op, p, t, &value)?;
                    req.query
                        .push_array(p.name, &items, p.explode, p.style.delimiter());
                }
                _ => req.query.push(p.name, &text(op, p, &value)?),
            },
            ParamLocation::Header => req.headers.push((p.name, text(op, p, &value)?)),
            ParamLocation::Cookie => req
                .headers
                .push(("Cookie", format!("{}={}", p.name, text(op, p, &value)?))),
        }
    }
    if let Some(b) = op.body {
        match args.remove("body") {
            None | Some(Value::Null) if b.required => {
                return Err(invalid(op, "missing field `body`".to_string()))
            }
            None | Some(Value::Null) => {}
            Some(body) => {
                if let Some(check) = check {
                    check(op, &body)?;
                }
                req.body = encode_body(op, &b, body)?;
            }
        }
    }
    Ok(req)
}

/// The path template with every `{name}` replaced by its encoded parameter value.
fn fill_path(op: &OperationInfo, values: &[(&ParamInfo, Option<Value>)]) -> Result<String, Error> {
    let mut path = String::with_capacity(op.path.len());
    let mut rest = op.path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .ok_or_else(|| invalid(op, format!("bad path template `{}`", op.path)))?;
        path.push_str(&rest[..start]);
        let name = &rest[start + 1..end];
        let (p, value) = values
            .iter()
            .find(|(p, _)| p.location == ParamLocation::Path && p.name == name)
            .ok_or_else(|| {
                invalid(
                    op,
                    format!("the path template names `{name}`, which is no path parameter"),
                )
            })?;
        let value = value
            .as_ref()
            .ok_or_else(|| invalid(op, format!("missing field `{name}`")))?;
        path.push_str(&path_param(name, &text(op, p, value)?)?);
        rest = &rest[end + 1..];
    }
    path.push_str(rest);
    Ok(path)
}

/// A parameter value as text: scalars by their type, arrays joined with the style's
/// delimiter, JSON as it is when a string and as JSON text otherwise.
fn text(op: &OperationInfo, p: &ParamInfo, value: &Value) -> Result<String, Error> {
    match p.ty {
        ParamType::Scalar(t) => scalar_text(op, p.name, t, value),
        ParamType::Array(t) => {
            let items = array_texts(op, p, t, value)?;
            Ok(items.join(p.style.delimiter().encode_utf8(&mut [0; 4])))
        }
        ParamType::Json => Ok(value.to_query_value()),
    }
}

fn array_texts(
    op: &OperationInfo,
    p: &ParamInfo,
    t: ScalarType,
    value: &Value,
) -> Result<Vec<String>, Error> {
    let Value::Array(items) = value else {
        return Err(type_error(op, p.name, "an array", value));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| scalar_text(op, &format!("{}[{i}]", p.name), t, item))
        .collect()
}

/// A scalar as the typed methods write it (`i64` and `f64` formatting).
fn scalar_text(
    op: &OperationInfo,
    at: &str,
    t: ScalarType,
    value: &Value,
) -> Result<String, Error> {
    match (t, value) {
        (ScalarType::String, Value::String(s)) => Ok(s.clone()),
        (ScalarType::Boolean, Value::Bool(b)) => Ok(b.to_query_value()),
        (ScalarType::Integer, Value::Number(n)) => n
            .as_i64()
            .map(|i| i.to_query_value())
            .ok_or_else(|| type_error(op, at, "an integer", value)),
        (ScalarType::Number, Value::Number(n)) => n
            .as_f64()
            .map(|f| f.to_query_value())
            .ok_or_else(|| type_error(op, at, "a number", value)),
        (ScalarType::String, _) => Err(type_error(op, at, "a string", value)),
        (ScalarType::Integer, _) => Err(type_error(op, at, "an integer", value)),
        (ScalarType::Number, _) => Err(type_error(op, at, "a number", value)),
        (ScalarType::Boolean, _) => Err(type_error(op, at, "a boolean", value)),
    }
}

fn encode_body(op: &OperationInfo, b: &BodyInfo, body: Value) -> Result<Body, Error> {
    match b.encoding {
        BodyEncoding::Json => Body::json(&body),
        BodyEncoding::Form => {
            if !body.is_object() {
                return Err(type_error(op, "body", "an object", &body));
            }
            Body::form(&body)
        }
        BodyEncoding::Multipart => {
            let Value::Object(fields) = body else {
                return Err(type_error(op, "body", "an object", &body));
            };
            let mut parts = Vec::new();
            for (name, value) in fields {
                match value {
                    Value::Null => {}
                    Value::Object(ref o) if o.contains_key("content_base64") => {
                        parts.push(Part::file(name.clone(), &file(op, &name, value)?));
                    }
                    Value::Array(items) => {
                        for item in items {
                            parts.push(Part::text(name.clone(), item.to_query_value()));
                        }
                    }
                    other => parts.push(Part::text(name, other.to_query_value())),
                }
            }
            Ok(Body::Multipart(parts))
        }
        BodyEncoding::Bytes => {
            let data = match body {
                Value::String(text) => text.into_bytes(),
                Value::Object(ref o) if o.contains_key("content_base64") => {
                    file(op, "", body)?.data
                }
                other => {
                    return Err(type_error(
                        op,
                        "body",
                        "a string or a file object (`content_base64`)",
                        &other,
                    ))
                }
            };
            Ok(Body::Bytes {
                data,
                content_type: b.content_type.to_string(),
            })
        }
    }
}

/// A file object (`{"content_base64": .., "file_name"?: .., "content_type"?: ..}`) of the
/// body (`field` empty) or of one of its fields.
fn file(op: &OperationInfo, field: &str, value: Value) -> Result<FileUpload, Error> {
    let at = if field.is_empty() {
        "body".to_string()
    } else {
        format!("body.{field}")
    };
    serde_json::from_value(value).map_err(|e| invalid(op, format!("at `{at}`: {e}")))
}

/// Refusal of bad input for `op`.
pub(crate) fn invalid(op: &OperationInfo, message: String) -> Error {
    Error::InvalidInput(Box::new(InvalidInput {
        operation_id: op.id,
        message,
    }))
}

fn type_error(op: &OperationInfo, at: &str, expected: &str, got: &Value) -> Error {
    invalid(
        op,
        format!("at `{at}`: expected {expected}, got {}", kind(got)),
    )
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<M: Mode> Client<M> {
    /// Calls `op` with JSON input: the guard ([`Client::check_allowed`]), then
    /// [`build_request`] with the body checked against its model, then the request is sent
    /// and a JSON response decoded with its model (see [`Models`]; without models, the
    /// input is not checked beyond [`build_request`] and the response comes back as sent).
    /// The response comes back as JSON: the document for JSON responses, `null` for empty
    /// ones, a string for text and an array of byte values for bytes.
    pub async fn call_operation(
        &self,
        op: &OperationInfo,
        input: Value,
        models: Models,
    ) -> Result<Response<Value>, Error> {
        self.check_allowed(op)?;
        let req = build(op, input, models.body)?;
        match (op.response, models.response) {
            (ResponseKind::Json, Some(decode)) => self.send_json_with(req, decode).await,
            (ResponseKind::Json, None) => self.send_json::<Value>(req).await,
            (ResponseKind::Empty, _) => crate::into_json(self.send_empty(req).await?),
            (ResponseKind::Text, _) => crate::into_json(self.send_text(req).await?),
            (ResponseKind::Bytes, _) => crate::into_json(self.send_bytes(req).await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::ParamStyle;
    use crate::SafetyClass;
    use serde_json::json;

    const fn param(
        name: &'static str,
        location: ParamLocation,
        required: bool,
        ty: ParamType,
    ) -> ParamInfo {
        let style = match location {
            ParamLocation::Query => ParamStyle::Form,
            _ => ParamStyle::Simple,
        };
        ParamInfo {
            name,
            location,
            required,
            style,
            explode: false,
            ty,
        }
    }

    const STRING: ParamType = ParamType::Scalar(ScalarType::String);
    const INTEGER: ParamType = ParamType::Scalar(ScalarType::Integer);

    const OP: OperationInfo = OperationInfo {
        id: "ListThings",
        group: "things",
        method: "list",
        http_method: "GET",
        path: "/orgs/{org_id}/things/{thing_id}/items",
        summary: "",
        safety: SafetyClass::Read,
        credential: false,
        idempotent: true,
        deprecated: false,
        auth: true,
        params: &[
            param("org_id", ParamLocation::Path, true, STRING),
            param("thing_id", ParamLocation::Path, true, INTEGER),
            param("limit", ParamLocation::Query, false, INTEGER),
            param(
                "ratio",
                ParamLocation::Query,
                false,
                ParamType::Scalar(ScalarType::Number),
            ),
            param(
                "active",
                ParamLocation::Query,
                false,
                ParamType::Scalar(ScalarType::Boolean),
            ),
            ParamInfo {
                explode: true,
                ..param(
                    "user_id",
                    ParamLocation::Query,
                    false,
                    ParamType::Array(ScalarType::String),
                )
            },
            param(
                "ids",
                ParamLocation::Query,
                false,
                ParamType::Array(ScalarType::Integer),
            ),
            ParamInfo {
                style: ParamStyle::PipeDelimited,
                ..param(
                    "tags",
                    ParamLocation::Query,
                    false,
                    ParamType::Array(ScalarType::String),
                )
            },
            param("filter", ParamLocation::Query, false, ParamType::Json),
            param("X-Request-Id", ParamLocation::Header, false, STRING),
            param(
                "X-Flags",
                ParamLocation::Header,
                false,
                ParamType::Array(ScalarType::String),
            ),
            param("session", ParamLocation::Cookie, false, STRING),
        ],
        body: None,
        response: ResponseKind::Json,
    };

    const CREATE: OperationInfo = OperationInfo {
        id: "CreateThing",
        method: "create",
        http_method: "POST",
        path: "/things",
        safety: SafetyClass::Write,
        idempotent: false,
        params: &[],
        body: Some(BodyInfo {
            content_type: "application/json",
            required: true,
            encoding: BodyEncoding::Json,
        }),
        ..OP
    };

    fn with_body(encoding: BodyEncoding, content_type: &'static str) -> OperationInfo {
        OperationInfo {
            body: Some(BodyInfo {
                content_type,
                required: false,
                encoding,
            }),
            ..CREATE
        }
    }

    fn message(err: Error) -> String {
        match err {
            Error::InvalidInput(e) => e.message,
            other => panic!("not an input error: {other}"),
        }
    }

    fn ids() -> Value {
        json!({"org_id": "org_1", "thing_id": 7})
    }

    fn with(extra: Value) -> Value {
        let mut input = ids();
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    }

    #[test]
    fn path_parameters_are_encoded_into_their_segment() {
        let req = build_request(&OP, ids()).unwrap();
        assert_eq!(req.path, "/orgs/org_1/things/7/items");
        assert_eq!(req.method, reqwest::Method::GET);
        assert_eq!(req.operation_id, "ListThings");
        assert!(req.auth && req.idempotent && req.query.is_empty() && req.headers.is_empty());
        for (value, encoded) in [
            ("a/b", "a%2Fb"),
            ("a?x=1", "a%3Fx%3D1"),
            ("a#frag", "a%23frag"),
            ("a b", "a%20b"),
            ("100%", "100%25"),
            ("../x", "..%2Fx"),
            ("é", "%C3%A9"),
        ] {
            let req = build_request(&OP, json!({"org_id": value, "thing_id": 1})).unwrap();
            assert_eq!(
                req.path,
                format!("/orgs/{encoded}/things/1/items"),
                "{value}"
            );
        }
        for value in ["", ".", ".."] {
            let err = build_request(&OP, json!({"org_id": value, "thing_id": 1})).unwrap_err();
            assert!(
                matches!(err, Error::Encode(ref m) if m.contains("org_id")),
                "{value:?}: {err}"
            );
        }
    }

    #[test]
    fn query_scalars_arrays_and_objects() {
        let req = build_request(
            &OP,
            with(json!({
                "limit": 10,
                "ratio": 1.0,
                "active": false,
                "user_id": ["a", "b c"],
                "ids": [1, 2],
                "tags": ["x", "y"],
                "filter": {"n": [1], "name": "a&b"},
            })),
        )
        .unwrap();
        assert_eq!(
            req.query.encode(),
            "limit=10&ratio=1&active=false&user_id=a&user_id=b%20c&ids=1%2C2&tags=x%7Cy\
             &filter=%7B%22n%22%3A%5B1%5D%2C%22name%22%3A%22a%26b%22%7D"
        );
        // A string for a JSON parameter is sent as it is; empty arrays add nothing; null is
        // absent.
        let req = build_request(
            &OP,
            with(json!({"filter": "plain", "ids": [], "limit": null})),
        )
        .unwrap();
        assert_eq!(req.query.encode(), "filter=plain");
    }

    #[test]
    fn headers_and_cookies() {
        let req = build_request(
            &OP,
            with(json!({"X-Request-Id": "r-1", "X-Flags": ["a", "b"], "session": "s"})),
        )
        .unwrap();
        assert_eq!(
            req.headers,
            vec![
                ("X-Request-Id", "r-1".to_string()),
                ("X-Flags", "a,b".to_string()),
                ("Cookie", "session=s".to_string()),
            ]
        );
    }

    #[test]
    fn missing_required_keys_are_named() {
        for input in [json!({}), Value::Null, json!({"org_id": "o"})] {
            let m = message(build_request(&OP, input.clone()).unwrap_err());
            assert!(m.starts_with("missing field `"), "{input}: {m}");
        }
        let m = message(build_request(&OP, json!({"org_id": null, "thing_id": 1})).unwrap_err());
        assert_eq!(m, "missing field `org_id`");
        let m = message(build_request(&CREATE, json!({})).unwrap_err());
        assert_eq!(m, "missing field `body`");
        let m = message(build_request(&CREATE, json!({"body": null})).unwrap_err());
        assert_eq!(m, "missing field `body`");
    }

    #[test]
    fn unknown_keys_are_refused_with_the_known_ones() {
        let m = message(build_request(&OP, with(json!({"method": "DELETE"}))).unwrap_err());
        assert!(
            m.starts_with("unknown field `method`, expected one of: org_id, thing_id, limit"),
            "{m}"
        );
        // A body is refused where the operation takes none, and reported before a missing key.
        let m = message(build_request(&OP, json!({"body": {}})).unwrap_err());
        assert!(m.starts_with("unknown field `body`"), "{m}");
        let none = OperationInfo {
            params: &[],
            path: "/ping",
            ..OP
        };
        let m = message(build_request(&none, json!({"x": 1})).unwrap_err());
        assert_eq!(m, "unknown field `x`, this operation takes no input");
        let m = message(build_request(&OP, json!([1])).unwrap_err());
        assert_eq!(m, "the input must be a JSON object, not an array");
    }

    #[test]
    fn wrong_types_are_located() {
        for (input, expected) in [
            (
                json!({"limit": "ten"}),
                "at `limit`: expected an integer, got a string",
            ),
            (
                json!({"limit": 1.5}),
                "at `limit`: expected an integer, got a number",
            ),
            (
                json!({"active": "yes"}),
                "at `active`: expected a boolean, got a string",
            ),
            (
                json!({"ratio": true}),
                "at `ratio`: expected a number, got a boolean",
            ),
            (
                json!({"ids": [1, "2"]}),
                "at `ids[1]`: expected an integer, got a string",
            ),
            (
                json!({"ids": 1}),
                "at `ids`: expected an array, got an integer",
            ),
            (
                json!({"org_id": 5}),
                "at `org_id`: expected a string, got an integer",
            ),
            (
                json!({"X-Request-Id": ["a"]}),
                "at `X-Request-Id`: expected a string, got an array",
            ),
        ] {
            let m = message(build_request(&OP, with(input.clone())).unwrap_err());
            assert_eq!(m, expected, "{input}");
        }
    }

    #[test]
    fn broken_descriptions_are_errors_not_panics() {
        for path in ["/things/{thing_id", "/things/{other}"] {
            let op = OperationInfo { path, ..OP };
            let m = message(build_request(&op, ids()).unwrap_err());
            assert!(m.contains("path"), "{path}: {m}");
        }
        let op = OperationInfo {
            http_method: "GE T",
            ..OP
        };
        let m = message(build_request(&op, ids()).unwrap_err());
        assert_eq!(m, "unknown HTTP method `GE T`");
    }

    #[test]
    fn bodies_by_encoding() {
        let req = build_request(&CREATE, json!({"body": {"a": [true], "b": 1}})).unwrap();
        assert_eq!(req.method, reqwest::Method::POST);
        assert!(!req.idempotent);
        assert_eq!(req.body, Body::Json(br#"{"a":[true],"b":1}"#.to_vec()));

        let form = with_body(BodyEncoding::Form, "application/x-www-form-urlencoded");
        let req =
            build_request(&form, json!({"body": {"name": "a b", "tags": ["x", "y"]}})).unwrap();
        assert_eq!(
            req.body,
            Body::Form(vec![
                ("name".into(), "a b".into()),
                ("tags".into(), "x".into()),
                ("tags".into(), "y".into()),
            ])
        );
        let m = message(build_request(&form, json!({"body": [1]})).unwrap_err());
        assert_eq!(m, "at `body`: expected an object, got an array");
        // An optional body may be left out.
        assert_eq!(build_request(&form, json!({})).unwrap().body, Body::None);

        let multipart = with_body(BodyEncoding::Multipart, "multipart/form-data");
        let req = build_request(
            &multipart,
            json!({"body": {
                "file": {"content_base64": "aGk=", "file_name": "a.txt"},
                "n": 3, "tags": ["a", 1], "skip": null,
            }}),
        )
        .unwrap();
        let file = FileUpload::new(b"hi".to_vec()).with_file_name("a.txt");
        assert_eq!(
            req.body,
            Body::Multipart(vec![
                Part::file("file", &file),
                Part::text("n", "3"),
                Part::text("tags", "a"),
                Part::text("tags", "1"),
            ])
        );
        let m = message(
            build_request(
                &multipart,
                json!({"body": {"file": {"content_base64": "*"}}}),
            )
            .unwrap_err(),
        );
        assert!(m.starts_with("at `body.file`: invalid base64"), "{m}");

        let bytes = with_body(BodyEncoding::Bytes, "text/plain");
        let req = build_request(&bytes, json!({"body": "hello"})).unwrap();
        assert_eq!(
            req.body,
            Body::Bytes {
                data: b"hello".to_vec(),
                content_type: "text/plain".into()
            }
        );
        let req = build_request(&bytes, json!({"body": {"content_base64": "AP8="}})).unwrap();
        assert!(matches!(req.body, Body::Bytes { ref data, .. } if data == &[0, 255]));
        let m = message(build_request(&bytes, json!({"body": 1})).unwrap_err());
        assert!(
            m.starts_with("at `body`: expected a string or a file object"),
            "{m}"
        );
    }

    #[test]
    fn typed_body_checks_run_before_encoding() {
        fn refuse(op: &OperationInfo, body: &Value) -> Result<(), Error> {
            match body.get("email") {
                Some(_) => Ok(()),
                None => Err(invalid(op, "at `body`: missing field `email`".into())),
            }
        }
        let err = build(&CREATE, json!({"body": {}}), Some(refuse)).unwrap_err();
        assert!(err.to_string().contains("missing field `email`"), "{err}");
        assert!(build(&CREATE, json!({"body": {"email": "e"}}), Some(refuse)).is_ok());
        // Unknown keys are named before the body is checked.
        let m = message(build(&CREATE, json!({"x": 1, "body": {}}), Some(refuse)).unwrap_err());
        assert!(m.starts_with("unknown field `x`"), "{m}");
    }
}
