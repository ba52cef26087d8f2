//! Keeping results usable: page sizes are capped (default and maximum), list results say how
//! to get the next page, and `private_metadata` is removed unless the connection allows it.

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
            Some(next) => json!({
                "returned": returned,
                "more": true,
                "next_arguments": next,
                "how": format!("Call `{}` again with `next_arguments` for the next page.", op.name),
            }),
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
