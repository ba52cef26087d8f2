//! Checks tool arguments against an operation's input schema before anything is sent, so the
//! model gets an error naming the field instead of an opaque API error.
//!
//! A focused validator for the JSON Schema subset agentgen emits in input schemas: `type`
//! (one or several), `properties`, `required`, `additionalProperties`, `items`, `enum`,
//! `const`, `anyOf`/`oneOf`/`allOf`, local `$ref` (`#/$defs/...`), numeric bounds, string
//! lengths and array sizes. `pattern` and `format` are left to the API (no regex engine).

use serde_json::{Map, Value};
use std::fmt;

/// Deepest schema nesting followed (recursive `$ref`s stop here).
const MAX_DEPTH: usize = 64;

/// `Err` names the first problem: where (`body.email_address[0]`) and what.
pub fn validate(schema: &Value, value: &Value) -> Result<(), String> {
    check(schema, schema, value, &Path::Root, 0)
}

/// Where a value sits in the arguments, written out (`arguments.body.emails[0]`) only for an
/// error: the gateway validates every request, and valid ones should not pay for the names.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("arguments"),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn has_type(v: &Value, ty: &str) -> bool {
    match ty {
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        "number" => v.is_number(),
        other => type_name(v) == other,
    }
}

fn short(v: &Value) -> String {
    let t = v.to_string();
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t
    }
}

fn check(
    root: &Value,
    schema: &Value,
    v: &Value,
    path: &Path<'_>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let Some(s) = schema.as_object() else {
        return match schema {
            Value::Bool(false) => Err(format!("`{path}` is not allowed")),
            _ => Ok(()),
        };
    };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        if let Some(target) = r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            check(root, target, v, path, depth + 1)?;
        }
    }
    if let Some(t) = s.get("type") {
        let listed = match t {
            Value::String(_) => std::slice::from_ref(t),
            Value::Array(ts) => ts.as_slice(),
            _ => &[],
        };
        let mut types = listed.iter().filter_map(Value::as_str).peekable();
        if types.peek().is_some() && !types.clone().any(|t| has_type(v, t)) {
            return Err(format!(
                "`{path}` must be {}, got {} {}",
                types.collect::<Vec<_>>().join(" or "),
                type_name(v),
                short(v)
            ));
        }
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            let list: Vec<String> = options.iter().take(30).map(|o| o.to_string()).collect();
            return Err(format!(
                "`{path}` must be one of {}; got {}",
                list.join(", "),
                short(v)
            ));
        }
    }
    if let Some(c) = s.get("const") {
        if c != v {
            return Err(format!("`{path}` must be {c}; got {}", short(v)));
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array) {
            let mut first_err = None;
            let ok = branches
                .iter()
                .any(|b| match check(root, b, v, path, depth + 1) {
                    Ok(()) => true,
                    Err(e) => {
                        first_err.get_or_insert(e);
                        false
                    }
                });
            if !ok && !branches.is_empty() {
                return Err(format!(
                    "`{path}` matches none of the {} allowed forms (first: {})",
                    branches.len(),
                    first_err.unwrap_or_default()
                ));
            }
        }
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for b in all {
            check(root, b, v, path, depth + 1)?;
        }
    }
    match v {
        Value::Number(n) => numeric(s, n.as_f64().unwrap_or(0.0), path)?,
        Value::String(text) => {
            let len = text.chars().count() as u64;
            if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
                if len < min {
                    return Err(format!("`{path}` must have at least {min} characters"));
                }
            }
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
                if len > max {
                    return Err(format!("`{path}` must have at most {max} characters"));
                }
            }
        }
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
                if len < min {
                    return Err(format!("`{path}` must have at least {min} items"));
                }
            }
            if let Some(max) = s.get("maxItems").and_then(Value::as_u64) {
                if len > max {
                    return Err(format!("`{path}` must have at most {max} items"));
                }
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, a) in items.iter().enumerate() {
                    if items[..i].contains(a) {
                        return Err(format!("`{path}[{i}]` repeats an earlier item"));
                    }
                }
            }
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(root, item_schema, item, &Path::Index(path, i), depth + 1)?;
                }
            }
        }
        Value::Object(map) => object(root, s, map, path, depth)?,
        _ => {}
    }
    Ok(())
}

fn numeric(s: &Map<String, Value>, n: f64, path: &Path<'_>) -> Result<(), String> {
    let bound = |k: &str| s.get(k).and_then(Value::as_f64);
    if let Some(min) = bound("minimum") {
        if n < min {
            return Err(format!("`{path}` must be at least {min}; got {n}"));
        }
    }
    if let Some(max) = bound("maximum") {
        if n > max {
            return Err(format!("`{path}` must be at most {max}; got {n}"));
        }
    }
    if let Some(min) = bound("exclusiveMinimum") {
        if n <= min {
            return Err(format!("`{path}` must be greater than {min}; got {n}"));
        }
    }
    if let Some(max) = bound("exclusiveMaximum") {
        if n >= max {
            return Err(format!("`{path}` must be less than {max}; got {n}"));
        }
    }
    Ok(())
}

fn object(
    root: &Value,
    s: &Map<String, Value>,
    map: &Map<String, Value>,
    path: &Path<'_>,
    depth: usize,
) -> Result<(), String> {
    let props = s.get("properties").and_then(Value::as_object);
    if let Some(required) = s.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(name) {
                return Err(format!("`{path}` is missing the required field `{name}`"));
            }
        }
    }
    for (key, value) in map {
        match props.and_then(|p| p.get(key)) {
            Some(prop) => check(root, prop, value, &Path::Key(path, key), depth + 1)?,
            None => match s.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    let known: Vec<&str> = props
                        .map(|p| p.keys().map(String::as_str).take(40).collect())
                        .unwrap_or_default();
                    return Err(format!(
                        "`{path}` has an unknown field `{key}` (known fields: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ));
                }
                Some(extra @ Value::Object(_)) => {
                    check(root, extra, value, &Path::Key(path, key), depth + 1)?
                }
                _ => {}
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate;
    use serde_json::json;

    fn schema() -> serde_json::Value {
        json!({
            "type": "object",
            "properties": {
                "user_id": {"type": "string", "minLength": 1},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                "status": {"type": "array", "items": {"$ref": "#/$defs/Status"}},
                "body": {
                    "type": "object",
                    "properties": {
                        "name": {"type": ["string", "null"]},
                        "meta": {"anyOf": [{"type": "object"}, {"type": "null"}]}
                    },
                    "required": ["name"],
                    "additionalProperties": false
                }
            },
            "required": ["user_id"],
            "additionalProperties": false,
            "$defs": {"Status": {"type": "string", "enum": ["active", "locked"]}}
        })
    }

    #[test]
    fn accepts_valid_input() {
        let ok = json!({"user_id": "u_1", "limit": 5, "status": ["active"],
            "body": {"name": null, "meta": {"a": 1}}});
        validate(&schema(), &ok).unwrap();
        validate(&schema(), &json!({"user_id": "u", "limit": 5.0})).unwrap();
    }

    #[test]
    fn names_the_bad_field() {
        let cases = [
            (json!({}), "missing the required field `user_id`"),
            (
                json!({"user_id": 3}),
                "`arguments.user_id` must be string, got integer 3",
            ),
            (
                json!({"user_id": "u", "limit": 500}),
                "`arguments.limit` must be at most 100",
            ),
            (
                json!({"user_id": "u", "limit": "5"}),
                "`arguments.limit` must be integer",
            ),
            (
                json!({"user_id": "u", "lmit": 5}),
                "unknown field `lmit` (known fields: user_id, limit",
            ),
            (
                json!({"user_id": "u", "status": ["gone"]}),
                "`arguments.status[0]` must be one of \"active\", \"locked\"",
            ),
            (
                json!({"user_id": "u", "body": {}}),
                "`arguments.body` is missing the required field `name`",
            ),
            (
                json!({"user_id": "u", "body": {"name": "x", "meta": 3}}),
                "`arguments.body.meta` matches none of the 2 allowed forms",
            ),
            (
                json!({"user_id": ""}),
                "`arguments.user_id` must have at least 1 characters",
            ),
        ];
        for (input, want) in cases {
            let err = validate(&schema(), &input).unwrap_err();
            assert!(err.contains(want), "{input}: {err}");
        }
    }

    #[test]
    fn recursive_refs_terminate() {
        let s = json!({"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/A"}}});
        validate(&s, &json!(1)).unwrap();
    }
}
