//! An incoming HTTP request, already matched to its operation, as that operation's JSON input
//! (the AgentSpec input: one key per parameter by wire name, plus `body`), which the input
//! schema then checks and the runtime turns back into a request. Nothing of the incoming
//! request reaches the API except through this input: no header, query key or body the
//! operation does not declare.
//!
//! * Path parameters come decoded from [`crate::route`].
//! * The query is split on `&` only (a `;` is part of a value), each key and value decoded
//!   as `application/x-www-form-urlencoded` (`+` is a space; invalid escapes or UTF-8 are
//!   refused). Keys must be query parameters of the operation. An array parameter takes
//!   repeated keys when it is exploded, else one key whose value is split on its
//!   delimiter; any other parameter given twice is refused. Values become JSON by the
//!   parameter's schema (`integer`, `number`, `boolean`, arrays of them; strings stay
//!   strings), and the schema check decides whether they fit.
//! * The body: refused on an operation without one; otherwise the `Content-Type` must be
//!   the operation's (`application/json`, `application/x-www-form-urlencoded`; a `charset`
//!   other than UTF-8 is refused), and it must parse. Multipart and raw byte bodies are not
//!   accepted here (use the MCP endpoint, whose input carries files as base64).
//!
//! Kept in one module so that it can move when the request interpreters are unified.

use agentgen_mcp::catalog::{HttpParam, Operation};
use serde_json::{Map, Number, Value};

/// Why a request cannot become an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Malformed or not what the operation takes (400).
    Invalid(String),
    /// A body in a media type the operation does not take (415).
    MediaType(String),
}

/// The parts of an incoming request that may reach the input.
pub struct Incoming<'a> {
    /// Path parameters by name, decoded.
    pub path_params: Vec<(String, String)>,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The request headers (only the operation's header parameters are read).
    pub headers: &'a axum::http::HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// Headers that are the gateway's or the transport's, never an operation's parameter.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-type",
    "content-length",
    "transfer-encoding",
    "connection",
    "cookie",
];

/// The operation's JSON input for `req`.
pub fn to_input(op: &Operation, req: Incoming<'_>) -> Result<Value, InputError> {
    let root = &op.input_schema;
    let props = root.get("properties");
    let prop = |name: &str| props.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
    let mut input = Map::new();
    for (name, value) in req.path_params {
        let v = coerce(root, prop(&name), &value);
        input.insert(name, v);
    }
    if let Some(query) = req.query {
        query_into(op, root, query, &mut input)?;
    }
    for p in op.http.params.iter().filter(|p| p.location == "header") {
        if RESERVED_HEADERS.contains(&p.name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let mut values = req.headers.get_all(p.name.as_str()).iter();
        if let Some(v) = values.next() {
            if values.next().is_some() {
                return Err(InputError::Invalid(format!(
                    "header `{}` is given more than once",
                    p.name
                )));
            }
            let text = v.to_str().map_err(|_| {
                InputError::Invalid(format!("header `{}` is not visible ASCII", p.name))
            })?;
            input.insert(p.name.clone(), coerce(root, prop(&p.name), text));
        }
    }
    let content_type = req
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    match &op.http.body {
        None if !req.body.is_empty() => {
            return Err(InputError::Invalid(format!(
                "`{} {}` takes no request body",
                op.http.method, op.http.path
            )))
        }
        None => {}
        Some(b) if req.body.is_empty() && b.required => {
            return Err(InputError::Invalid(format!(
                "`{} {}` needs a request body ({})",
                op.http.method, op.http.path, b.content_type
            )));
        }
        Some(_) if req.body.is_empty() => {}
        Some(b) => {
            let media = media_type(content_type, &b.content_type)?;
            let body = match (b.encoding.as_str(), media.as_str()) {
                ("json", "application/json") => serde_json::from_slice::<Value>(req.body)
                    .map_err(|e| {
                        InputError::Invalid(format!("the body is not valid JSON: {e}"))
                    })?,
                ("form", "application/x-www-form-urlencoded") => {
                    let text = std::str::from_utf8(req.body).map_err(|_| {
                        InputError::Invalid("the form body is not UTF-8".to_string())
                    })?;
                    form(root, prop("body"), text)?
                }
                (enc, _) => {
                    return Err(InputError::MediaType(format!(
                        "`{} {}` takes a {enc} body ({}), which this gateway does not accept over REST; use the MCP endpoint",
                        op.http.method, op.http.path, b.content_type
                    )))
                }
            };
            input.insert("body".to_string(), body);
        }
    }
    Ok(Value::Object(input))
}

/// The media type of the request, which must be `expected`'s; `charset` must be UTF-8.
fn media_type(content_type: Option<&str>, expected: &str) -> Result<String, InputError> {
    let wrong = || {
        InputError::MediaType(format!(
            "the body must be sent with `Content-Type: {expected}`"
        ))
    };
    let ct = content_type.ok_or_else(wrong)?;
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    if media != expected.to_ascii_lowercase() {
        return Err(wrong());
    }
    for param in parts {
        let (k, v) = param.split_once('=').unwrap_or((param, ""));
        if k.trim().eq_ignore_ascii_case("charset")
            && !v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(InputError::MediaType(
                "only UTF-8 bodies are accepted".into(),
            ));
        }
    }
    Ok(media)
}

/// `key=value` pairs of a query or form body, decoded.
fn pairs(text: &str) -> Result<Vec<(String, String)>, InputError> {
    let mut out = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            crate::route::percent_decode(s, true).ok_or_else(|| {
                InputError::Invalid(
                    "the query has an invalid percent-encoding or is not UTF-8".into(),
                )
            })
        };
        out.push((decode(k)?, decode(v)?));
    }
    Ok(out)
}

/// A name as it may be quoted in an error (it comes from the caller).
fn shown(name: &str) -> String {
    let s: String = name.chars().take(60).collect();
    format!("{s:?}")
}

fn query_into(
    op: &Operation,
    root: &Value,
    query: &str,
    input: &mut Map<String, Value>,
) -> Result<(), InputError> {
    let mut grouped: Vec<(&HttpParam, Vec<String>)> = Vec::new();
    for (key, value) in pairs(query)? {
        let Some(p) = op
            .http
            .params
            .iter()
            .find(|p| p.location == "query" && p.name == key)
        else {
            return Err(InputError::Invalid(format!(
                "unknown query parameter {} for `{}`",
                shown(&key),
                op.name
            )));
        };
        match grouped.iter_mut().find(|(q, _)| q.name == p.name) {
            Some((_, values)) => values.push(value),
            None => grouped.push((p, vec![value])),
        }
    }
    let props = root.get("properties");
    for (p, values) in grouped {
        let schema = resolve(
            root,
            props.and_then(|x| x.get(&p.name)).unwrap_or(&Value::Null),
        );
        let value = if has_type(root, schema, "array") {
            let items = resolve(root, schema.get("items").unwrap_or(&Value::Null));
            let texts: Vec<String> = if p.explode {
                values
            } else if values.len() > 1 {
                return Err(twice(&p.name, values.len()));
            } else {
                let delim = p.delimiter.as_deref().unwrap_or(",");
                values[0].split(delim).map(str::to_string).collect()
            };
            Value::Array(texts.iter().map(|t| coerce(root, items, t)).collect())
        } else if values.len() > 1 {
            return Err(twice(&p.name, values.len()));
        } else {
            coerce(root, schema, &values[0])
        };
        input.insert(p.name.clone(), value);
    }
    Ok(())
}

fn twice(name: &str, n: usize) -> InputError {
    InputError::Invalid(format!(
        "query parameter `{name}` is given {n} times; it takes one value"
    ))
}

/// A form body as an object: repeated keys become arrays when the property is one.
fn form(root: &Value, schema: &Value, text: &str) -> Result<Value, InputError> {
    let schema = resolve(root, schema);
    let props = schema.get("properties");
    let mut out = Map::new();
    for (key, value) in pairs(text)? {
        let prop = resolve(
            root,
            props.and_then(|p| p.get(&key)).unwrap_or(&Value::Null),
        );
        if has_type(root, prop, "array") {
            let items = resolve(root, prop.get("items").unwrap_or(&Value::Null));
            let v = coerce(root, items, &value);
            match out.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(a) => a.push(v),
                _ => unreachable!("only arrays are inserted for array properties"),
            }
        } else if out.contains_key(&key) {
            return Err(InputError::Invalid(format!(
                "form field {} is given more than once",
                shown(&key)
            )));
        } else {
            let v = coerce(root, prop, &value);
            out.insert(key, v);
        }
    }
    Ok(Value::Object(out))
}

/// Follow local `$ref`s (`#/$defs/X`), a few levels at most.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// The JSON types a schema allows (through `anyOf`/`oneOf` branches and `enum` values);
/// empty when it does not say.
fn types(root: &Value, schema: &Value, out: &mut Vec<&'static str>, depth: usize) {
    if depth > 8 {
        return;
    }
    let schema = resolve(root, schema);
    const ALL: [&str; 7] = [
        "string", "integer", "number", "boolean", "null", "array", "object",
    ];
    let mut add = |t: &str| {
        if let Some(t) = ALL.iter().find(|a| **a == t) {
            if !out.contains(t) {
                out.push(t);
            }
        }
    };
    match schema.get("type") {
        Some(Value::String(t)) => add(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).for_each(&mut add),
        _ => {}
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        for v in values {
            add(match v {
                Value::String(_) => "string",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                Value::Null => "null",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            });
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for b in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            types(root, b, out, depth + 1);
        }
    }
}

fn has_type(root: &Value, schema: &Value, ty: &str) -> bool {
    let mut out = Vec::new();
    types(root, schema, &mut out, 0);
    out.contains(&ty)
}

/// Query text as the JSON value the schema asks for: a string when strings are allowed (or
/// nothing is said), else the first of integer, number, boolean, null that parses; text
/// that parses as none stays a string, for the schema check to report.
fn coerce(root: &Value, schema: &Value, text: &str) -> Value {
    let mut allowed = Vec::new();
    types(root, schema, &mut allowed, 0);
    if allowed.is_empty() || allowed.contains(&"string") {
        return Value::String(text.to_string());
    }
    for ty in allowed {
        let parsed = match ty {
            "integer" => text
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<u64>().map(Value::from))
                .ok(),
            "number" => text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(Number::from_f64)
                .map(Value::Number),
            "boolean" => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            "null" => (text == "null").then_some(Value::Null),
            _ => None,
        };
        if let Some(v) = parsed {
            return v;
        }
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(params: Value, body: Value, schema: Value) -> Operation {
        serde_json::from_value(json!({
            "name": "things_list", "title": "t", "description": "d",
            "inputSchema": schema,
            "annotations": {"title": "t", "readOnlyHint": true, "destructiveHint": false,
                "idempotentHint": true, "openWorldHint": false},
            "operationId": "ListThings", "group": "things",
            "http": {"method": "GET", "path": "/things/{id}", "auth": true, "params": params,
                "body": body, "response": "json"},
            "output": {"summary": "s"},
            "safety": {"class": "read", "idempotent": true, "confirm": "never"}
        }))
        .unwrap()
    }

    fn list_op() -> Operation {
        op(
            json!([
                {"name": "id", "in": "path", "required": true, "explode": false},
                {"name": "email", "in": "query", "required": false, "explode": true},
                {"name": "status", "in": "query", "required": false, "explode": false},
                {"name": "limit", "in": "query", "required": false, "explode": true},
                {"name": "active", "in": "query", "required": false, "explode": true},
                {"name": "q", "in": "query", "required": false, "explode": true}
            ]),
            Value::Null,
            json!({"type": "object", "properties": {
                "id": {"type": "string"},
                "email": {"type": "array", "items": {"type": "string"}},
                "status": {"type": "array", "items": {"$ref": "#/$defs/S"}},
                "limit": {"type": "integer"},
                "active": {"type": ["boolean", "null"]},
                "q": {"type": "string"}
            }, "$defs": {"S": {"type": "string", "enum": ["a", "b"]}}}),
        )
    }

    fn run(
        op: &Operation,
        query: &str,
        ct: Option<&str>,
        body: &[u8],
    ) -> Result<Value, InputError> {
        let mut headers = axum::http::HeaderMap::new();
        if let Some(ct) = ct {
            headers.insert("content-type", ct.parse().unwrap());
        }
        to_input(
            op,
            Incoming {
                path_params: vec![("id".into(), "t_1".into())],
                query: Some(query),
                headers: &headers,
                body,
            },
        )
    }

    #[test]
    fn queries_become_typed_input() {
        let op = list_op();
        let v = run(
            &op,
            "email=a%40x.io&email=b+c&status=a,b&limit=5&active=true&q=x%3Blimit%3D500",
            None,
            b"",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"id": "t_1", "email": ["a@x.io", "b c"], "status": ["a", "b"], "limit": 5,
                   "active": true, "q": "x;limit=500"})
        );
        // `;` does not separate, `%26` does not either.
        let v = run(&op, "q=a;limit=9&limit=1", None, b"").unwrap();
        assert_eq!(v["q"], "a;limit=9");
        let v = run(&op, "q=a%26limit%3D9", None, b"").unwrap();
        assert_eq!(v["q"], "a&limit=9");
        assert!(v.get("limit").is_none());
        // Text that does not parse stays a string, for the schema check.
        assert_eq!(run(&op, "limit=lots", None, b"").unwrap()["limit"], "lots");
    }

    #[test]
    fn smuggled_queries_are_refused() {
        let op = list_op();
        for q in [
            "limit=1&limit=2",
            "status=a&status=b",
            "_method=DELETE",
            "limit;=1",
            "q=%zz",
            "q=%FF",
            "Limit=1",
        ] {
            assert!(
                matches!(run(&op, q, None, b""), Err(InputError::Invalid(_))),
                "{q}"
            );
        }
    }

    #[test]
    fn bodies_must_fit_the_operation() {
        let op = list_op();
        assert!(matches!(
            run(&op, "", Some("application/json"), b"{\"_method\":\"DELETE\"}"),
            Err(InputError::Invalid(m)) if m.contains("takes no request body")
        ));
        let with_body = op_with_body("json", "application/json");
        let v = run(
            &with_body,
            "",
            Some("application/json; charset=UTF-8"),
            b"{\"a\": 1}",
        )
        .unwrap();
        assert_eq!(v["body"], json!({"a": 1}));
        for (ct, body) in [
            (None, &b"{}"[..]),
            (Some("text/plain"), b"{}"),
            (Some("application/json; charset=latin1"), b"{}"),
            (Some("application/x-www-form-urlencoded"), b"a=1"),
        ] {
            assert!(
                matches!(run(&with_body, "", ct, body), Err(InputError::MediaType(_))),
                "{ct:?}"
            );
        }
        assert!(matches!(
            run(&with_body, "", Some("application/json"), b"{\"a\": "),
            Err(InputError::Invalid(_))
        ));
        assert!(matches!(
            run(&with_body, "", Some("application/json"), b"{} {}"),
            Err(InputError::Invalid(_))
        ));
        let multipart = op_with_body("multipart", "multipart/form-data");
        assert!(matches!(
            run(&multipart, "", Some("multipart/form-data"), b"x"),
            Err(InputError::MediaType(_))
        ));
        let form = op_with_body("form", "application/x-www-form-urlencoded");
        let v = run(
            &form,
            "",
            Some("application/x-www-form-urlencoded"),
            b"a=1&b=x+y",
        )
        .unwrap();
        assert_eq!(v["body"], json!({"a": 1, "b": "x y"}));
    }

    fn op_with_body(encoding: &str, ct: &str) -> Operation {
        op(
            json!([{"name": "id", "in": "path", "required": true, "explode": false}]),
            json!({"contentType": ct, "encoding": encoding, "required": true}),
            json!({"type": "object", "properties": {
                "id": {"type": "string"},
                "body": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}}
            }}),
        )
    }
}
