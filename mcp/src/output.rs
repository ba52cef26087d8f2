//! Keeping results usable and small: page sizes are capped (default and maximum), list results
//! say how to get the next page, `private_metadata` is removed unless the connection allows
//! it, a `fields` selection keeps only the fields the agent asked for, and schemas shown to
//! the agent carry one-sentence descriptions.

use crate::catalog::Operation;
use serde_json::{json, Map, Value};

/// Page-size policy for list operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Page size when the caller gives none.
    pub default_limit: u64,
    /// Largest page size accepted.
    pub max_limit: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            default_limit: 20,
            max_limit: 100,
        }
    }
}

impl Limits {
    /// The maximum for `op`: ours, or the API's when that is smaller.
    fn max_for(&self, op: &Operation) -> u64 {
        let api = op
            .pagination
            .as_ref()
            .and_then(|p| p.max_limit)
            .unwrap_or(u64::MAX);
        self.max_limit.min(api).max(1)
    }

    fn default_for(&self, op: &Operation) -> u64 {
        self.default_limit.min(self.max_for(op)).max(1)
    }
}

/// The input schema as the server lists it: the page-size parameter gets our default and
/// maximum.
pub fn listed_schema(op: &Operation, limits: &Limits) -> Value {
    let mut schema = op.input_schema.clone();
    let Some(p) = &op.pagination else {
        return schema;
    };
    let (default, max) = (limits.default_for(op), limits.max_for(op));
    if let Some(prop) = schema
        .get_mut("properties")
        .and_then(|props| props.get_mut(&p.limit_param))
        .and_then(Value::as_object_mut)
    {
        prop.insert("default".into(), default.into());
        prop.insert("maximum".into(), max.into());
        let text = format!("Page size (default {default}, at most {max}).");
        let description = match prop.get("description").and_then(Value::as_str) {
            Some(d) if !d.is_empty() => format!("{d} {text}"),
            _ => text,
        };
        prop.insert("description".into(), description.into());
    }
    schema
}

/// Fill in the default page size.
pub fn with_defaults(op: &Operation, args: &mut Map<String, Value>, limits: &Limits) {
    if let Some(p) = &op.pagination {
        if !args.contains_key(&p.limit_param) {
            args.insert(p.limit_param.clone(), limits.default_for(op).into());
        }
    }
}

/// Remove every `private_metadata` member, at any depth; returns how many were removed.
pub fn strip_private_metadata(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let mut n = usize::from(map.shift_remove("private_metadata").is_some());
            for v in map.values_mut() {
                n += strip_private_metadata(v);
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(strip_private_metadata).sum(),
        _ => 0,
    }
}

/// The tool result for a successful call: the response (an object; arrays go under `items`),
/// with a `next_page` member for list operations.
pub fn shape(op: &Operation, args: &Map<String, Value>, body: Value, allow_private: bool) -> Value {
    let mut body = body;
    let removed = if allow_private {
        0
    } else {
        strip_private_metadata(&mut body)
    };
    let mut out = match body {
        Value::Object(m) => m,
        Value::Array(items) => {
            let mut m = Map::new();
            m.insert("items".into(), Value::Array(items));
            m
        }
        other => {
            let mut m = Map::new();
            m.insert("value".into(), other);
            m
        }
    };
    if let Some(p) = &op.pagination {
        let items_key = p.items_field.as_deref().unwrap_or("items");
        let items = out.get(items_key).and_then(Value::as_array);
        let returned = items.map_or(0, Vec::len) as u64;
        let limit = args
            .get(&p.limit_param)
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let offset_key = p.offset_param.as_deref();
        let offset = offset_key
            .and_then(|k| args.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let total = p
            .total_field
            .as_deref()
            .and_then(|t| out.get(t))
            .and_then(Value::as_u64);
        let more = match total {
            Some(total) => offset + returned < total,
            None => returned > 0 && returned >= limit,
        };
        let mut next_args = args.clone();
        let next = if !more {
            None
        } else if let Some(k) = offset_key {
            next_args.insert(k.to_string(), (offset + returned).into());
            Some(next_args)
        } else {
            // Cursor paging: start after the last item.
            let cursor = p.cursor_field.as_deref().and_then(|f| {
                items
                    .and_then(|i| i.last())
                    .and_then(|last| last.get(f))
                    .cloned()
            });
            match (p.cursor_param.as_deref(), cursor) {
                (Some(param), Some(c)) => {
                    next_args.insert(param.to_string(), c);
                    Some(next_args)
                }
                _ => None,
            }
        };
        let page = match next {
            Some(next) => json!({"returned": returned, "more": true, "next_arguments": next}),
            None => json!({"returned": returned, "more": false}),
        };
        out.insert("next_page".into(), page);
    }
    if removed > 0 {
        out.insert(
            "omitted".into(),
            json!(format!("private_metadata was removed from {removed} object(s): this connection does not allow reading it")),
        );
    }
    Value::Object(out)
}

/// Longest description kept in a compact schema.
pub const MAX_DESCRIPTION: usize = 160;

/// `schema` with every `description` cut to its first sentence (at most
/// [`MAX_DESCRIPTION`] characters, whitespace collapsed): what `describe_operation` shows.
/// Types, enums, defaults and bounds are kept whole; arguments are still checked against
/// the full schema.
pub fn compact_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("description", Value::String(d)) => (k.clone(), first_sentence(d).into()),
                    _ => (k.clone(), compact_schema(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(compact_schema).collect()),
        other => other.clone(),
    }
}

/// The first sentence of `text`, whitespace collapsed, at most [`MAX_DESCRIPTION`]
/// characters.
pub fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && flat[i + c.len_utf8()..].starts_with(' '))
        .map_or(flat.len(), |(i, c)| i + c.len_utf8());
    let sentence = &flat[..end];
    if sentence.chars().count() <= MAX_DESCRIPTION {
        sentence.to_string()
    } else {
        let cut: String = sentence.chars().take(MAX_DESCRIPTION - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Keep only `fields` (names, or dotted paths such as `email_addresses.email_address`) of
/// each item of a list result, or of the result itself; the paging and notes the server
/// adds are kept. Fields that no item has are reported under `fields_not_found`.
pub fn select_fields(op: &Operation, out: &mut Value, fields: &[String]) {
    if fields.is_empty() {
        return;
    }
    let paths: Vec<Vec<&str>> = fields.iter().map(|f| f.split('.').collect()).collect();
    let Value::Object(map) = out else {
        return;
    };
    let list_key = op
        .pagination
        .as_ref()
        .map(|p| p.items_field.as_deref().unwrap_or("items"))
        .or_else(|| map.contains_key("items").then_some("items"));
    let mut seen = vec![false; paths.len()];
    match list_key
        .and_then(|k| map.get_mut(k))
        .and_then(Value::as_array_mut)
    {
        Some(items) => {
            for item in items.iter_mut() {
                *item = pick(item, &paths, &mut seen);
            }
        }
        None => {
            let kept: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| matches!(k.as_str(), "next_page" | "omitted"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut picked = pick(&Value::Object(std::mem::take(map)), &paths, &mut seen);
            if let Value::Object(p) = &mut picked {
                p.extend(kept);
            }
            *out = picked;
        }
    }
    let missing: Vec<&String> = fields
        .iter()
        .zip(&seen)
        .filter(|(_, s)| !**s)
        .map(|(f, _)| f)
        .collect();
    if let (false, Value::Object(map)) = (missing.is_empty(), out) {
        map.insert("fields_not_found".into(), json!(missing));
    }
}

/// The parts of `value` that `paths` name (arrays are picked element by element); `seen[i]`
/// is set when path `i` matched something.
fn pick(value: &Value, paths: &[Vec<&str>], seen: &mut [bool]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| pick(v, paths, seen)).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                // The paths under this key, and whether one ends here (keep it whole).
                let mut whole = false;
                let mut rest: Vec<(usize, Vec<&str>)> = Vec::new();
                for (i, p) in paths.iter().enumerate() {
                    if p.first() == Some(&key.as_str()) {
                        if p.len() == 1 {
                            whole = true;
                            seen[i] = true;
                        } else {
                            rest.push((i, p[1..].to_vec()));
                        }
                    }
                }
                if whole {
                    out.insert(key.clone(), v.clone());
                } else if !rest.is_empty() {
                    let sub: Vec<Vec<&str>> = rest.iter().map(|(_, p)| p.clone()).collect();
                    let mut sub_seen = vec![false; sub.len()];
                    out.insert(key.clone(), pick(v, &sub, &mut sub_seen));
                    for ((i, _), s) in rest.iter().zip(sub_seen) {
                        seen[*i] |= s;
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(pagination: Value) -> Operation {
        serde_json::from_value(json!({
            "name": "users_list", "title": "List users", "description": "d",
            "inputSchema": {"type": "object", "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": 500},
                "offset": {"type": "integer"}}, "additionalProperties": false},
            "annotations": {"title": "t", "readOnlyHint": true, "destructiveHint": false,
                "idempotentHint": true, "openWorldHint": false},
            "operationId": "GetUserList", "group": "users",
            "http": {"method": "GET", "path": "/users", "auth": true, "params": [], "response": "json"},
            "output": {"summary": "users"},
            "safety": {"class": "read", "idempotent": true, "confirm": "never"},
            "pagination": pagination
        }))
        .unwrap()
    }

    #[test]
    fn limit_gets_our_default_and_cap() {
        let op = op(
            json!({"strategy": "offset", "limitParam": "limit", "maxLimit": 500, "offsetParam": "offset"}),
        );
        let s = listed_schema(&op, &Limits::default());
        assert_eq!(s["properties"]["limit"]["maximum"], 100);
        assert_eq!(s["properties"]["limit"]["default"], 20);
        let mut args = Map::new();
        with_defaults(&op, &mut args, &Limits::default());
        assert_eq!(args["limit"], 20);
    }

    #[test]
    fn full_pages_point_to_the_next_one() {
        let op = op(json!({"strategy": "offset", "limitParam": "limit", "offsetParam": "offset"}));
        let args: Map<String, Value> =
            serde_json::from_value(json!({"limit": 2, "offset": 4})).unwrap();
        let out = shape(&op, &args, json!([{"id": "a"}, {"id": "b"}]), false);
        assert_eq!(
            out["next_page"]["next_arguments"],
            json!({"limit": 2, "offset": 6})
        );
        let out = shape(&op, &args, json!([{"id": "a"}]), false);
        assert_eq!(out["next_page"]["more"], false);
    }

    #[test]
    fn totals_decide_when_there_are_any() {
        let op = op(
            json!({"strategy": "offset", "limitParam": "limit", "offsetParam": "offset",
            "itemsField": "data", "totalField": "total_count"}),
        );
        let args: Map<String, Value> = serde_json::from_value(json!({"limit": 1})).unwrap();
        let out = shape(
            &op,
            &args,
            json!({"data": [{"id": "a"}], "total_count": 1}),
            false,
        );
        assert_eq!(out["next_page"]["more"], false);
        let out = shape(
            &op,
            &args,
            json!({"data": [{"id": "a"}], "total_count": 3}),
            false,
        );
        assert_eq!(out["next_page"]["next_arguments"]["offset"], 1);
    }

    #[test]
    fn fields_keep_only_what_was_asked_for() {
        let op = op(json!({"strategy": "offset", "limitParam": "limit", "offsetParam": "offset"}));
        let args: Map<String, Value> = serde_json::from_value(json!({"limit": 2})).unwrap();
        let body = json!([
            {"id": "u1", "first_name": "Ada", "email_addresses": [{"id": "e1", "email_address": "ada@example.com", "verification": {}}], "private_metadata": {}},
            {"id": "u2", "first_name": "Bob", "email_addresses": []}
        ]);
        let mut out = shape(&op, &args, body, false);
        let fields = ["id", "email_addresses.email_address", "nickname"].map(String::from);
        select_fields(&op, &mut out, &fields);
        assert_eq!(
            out["items"],
            json!([
                {"id": "u1", "email_addresses": [{"email_address": "ada@example.com"}]},
                {"id": "u2", "email_addresses": []}
            ])
        );
        // Paging survives; the next page came from the whole items.
        assert_eq!(out["next_page"]["next_arguments"]["offset"], 2);
        assert_eq!(out["fields_not_found"], json!(["nickname"]));
        // A single object is picked itself, and server notes stay.
        let one = self::op(Value::Null);
        let mut out = shape(
            &one,
            &Map::new(),
            json!({"id": "u", "name": "x", "private_metadata": {}}),
            false,
        );
        select_fields(&one, &mut out, &["name".to_string()]);
        assert_eq!(out["name"], "x");
        assert!(out.get("id").is_none());
        assert!(out["omitted"].is_string());
        assert!(out.get("fields_not_found").is_none());
    }

    #[test]
    fn compact_schemas_keep_one_sentence_and_every_constraint() {
        let s = json!({"type": "object", "properties": {
            "q": {"type": "string", "description": "Returns users.\nFor each user ID, the `+` can be\nprepended.", "enum": ["a"], "default": "a"},
            "long": {"description": "x".repeat(300)}}});
        let c = compact_schema(&s);
        assert_eq!(c["properties"]["q"]["description"], "Returns users.");
        assert_eq!(c["properties"]["q"]["enum"], json!(["a"]));
        assert_eq!(c["properties"]["q"]["default"], "a");
        let long = c["properties"]["long"]["description"].as_str().unwrap();
        assert!(long.ends_with('…') && long.chars().count() == MAX_DESCRIPTION);
        assert_eq!(first_sentence("v1.2 is out. Next"), "v1.2 is out.");
    }

    #[test]
    fn private_metadata_is_removed_unless_allowed() {
        let op = op(Value::Null);
        let body = json!({"id": "u", "private_metadata": {"ssn": 1},
            "organization": {"private_metadata": {}, "name": "x"}});
        let out = shape(&op, &Map::new(), body.clone(), false);
        assert!(!out.to_string().contains("ssn"));
        assert!(out["organization"].get("private_metadata").is_none());
        assert!(out["omitted"].as_str().unwrap().contains("2 object"));
        let out = shape(&op, &Map::new(), body, true);
        assert_eq!(out["private_metadata"]["ssn"], 1);
        assert!(out.get("omitted").is_none());
    }
}
