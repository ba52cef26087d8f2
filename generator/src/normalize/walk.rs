//! Visit every schema of an OpenAPI document (3.0 or 3.1), as raw JSON, with its pointer.
//!
//! A keyword means different things in a schema and elsewhere (`examples` is a list in a
//! schema, a map of Example Objects in a media type), so rewrites that only apply to schemas
//! need to know which nodes are schemas. This walk follows the document's structure (paths,
//! webhooks, components, operations, parameters, media types, headers) to the schemas, then
//! the schema keywords that hold subschemas. Hand-written: the typed models this crate could
//! use do not keep the raw JSON, and the rewrite must run before typing.

use crate::diagnostics::join;
use serde_json::{Map, Value};

/// Where a schema sits, for rewrites that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A member of `allOf`, `anyOf` or `oneOf`.
    Member,
    /// Anywhere else (a component, a property, items, a parameter's or body's schema).
    Other,
}

/// Schemas nest no deeper than this here; deeper nodes are left alone (the loader reports
/// documents nested past 256 levels as an error).
const MAX_DEPTH: usize = 256;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `visit` on every schema of `doc` in pre-order: a schema is visited (and may be
/// rewritten) before the subschemas it holds after the visit.
pub fn schemas(doc: &mut Value, visit: &mut dyn FnMut(&mut Value, &str, Place)) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let mut w = Walker { visit };
    for key in ["paths", "webhooks", "x-webhooks"] {
        if let Some(Value::Object(items)) = root.get_mut(key) {
            for (name, item) in items.iter_mut() {
                w.path_item(item, &join(&join("#", key), name));
            }
        }
    }
    let Some(Value::Object(components)) = root.get_mut("components") else {
        return;
    };
    for (kind, entries) in components.iter_mut() {
        let Value::Object(entries) = entries else {
            continue;
        };
        let base = join("#/components", kind);
        for (name, v) in entries.iter_mut() {
            let at = join(&base, name);
            match kind.as_str() {
                "schemas" => w.schema(v, &at, Place::Other, 0),
                "parameters" | "headers" => w.parameter(v, &at),
                "requestBodies" => w.content_of(v, &at),
                "responses" => w.response(v, &at),
                "pathItems" => w.path_item(v, &at),
                "callbacks" => w.callback(v, &at),
                _ => {}
            }
        }
    }
}

struct Walker<'f> {
    visit: &'f mut dyn FnMut(&mut Value, &str, Place),
}

impl Walker<'_> {
    fn path_item(&mut self, item: &mut Value, at: &str) {
        let Value::Object(item) = item else {
            return;
        };
        for (key, v) in item.iter_mut() {
            let here = join(at, key);
            if key == "parameters" {
                self.parameters(v, &here);
            } else if METHODS.contains(&key.as_str()) {
                self.operation(v, &here);
            }
        }
    }

    fn callback(&mut self, v: &mut Value, at: &str) {
        if let Value::Object(items) = v {
            for (expr, item) in items.iter_mut() {
                self.path_item(item, &join(at, expr));
            }
        }
    }

    fn operation(&mut self, op: &mut Value, at: &str) {
        let Value::Object(op) = op else {
            return;
        };
        for (key, v) in op.iter_mut() {
            let here = join(at, key);
            match key.as_str() {
                "parameters" => self.parameters(v, &here),
                "requestBody" => self.content_of(v, &here),
                "responses" => {
                    if let Value::Object(responses) = v {
                        for (status, r) in responses.iter_mut() {
                            self.response(r, &join(&here, status));
                        }
                    }
                }
                "callbacks" => {
                    if let Value::Object(callbacks) = v {
                        for (name, c) in callbacks.iter_mut() {
                            self.callback(c, &join(&here, name));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn parameters(&mut self, v: &mut Value, at: &str) {
        if let Value::Array(list) = v {
            for (i, p) in list.iter_mut().enumerate() {
                self.parameter(p, &format!("{at}/{i}"));
            }
        }
    }

    /// A parameter or a header: `schema`, or `content`.
    fn parameter(&mut self, v: &mut Value, at: &str) {
        let Value::Object(p) = v else {
            return;
        };
        if let Some(s) = p.get_mut("schema") {
            self.schema(s, &join(at, "schema"), Place::Other, 0);
        }
        self.content(p, at);
    }

    fn response(&mut self, v: &mut Value, at: &str) {
        let Value::Object(r) = v else {
            return;
        };
        if let Some(Value::Object(headers)) = r.get_mut("headers") {
            for (name, h) in headers.iter_mut() {
                self.parameter(h, &join(&join(at, "headers"), name));
            }
        }
        self.content(r, at);
    }

    /// A request body: its `content`.
    fn content_of(&mut self, v: &mut Value, at: &str) {
        if let Value::Object(m) = v {
            self.content(m, at);
        }
    }

    /// The media types under `content` of `m`: their schema and their encodings' headers.
    fn content(&mut self, m: &mut Map<String, Value>, at: &str) {
        let Some(Value::Object(content)) = m.get_mut("content") else {
            return;
        };
        let at = join(at, "content");
        for (media, mt) in content.iter_mut() {
            let Value::Object(mt) = mt else {
                continue;
            };
            let here = join(&at, media);
            if let Some(s) = mt.get_mut("schema") {
                self.schema(s, &join(&here, "schema"), Place::Other, 0);
            }
            if let Some(Value::Object(encodings)) = mt.get_mut("encoding") {
                for (prop, e) in encodings.iter_mut() {
                    if let Some(Value::Object(headers)) = e.get_mut("headers") {
                        let base = join(&join(&join(&here, "encoding"), prop), "headers");
                        for (name, h) in headers.iter_mut() {
                            self.parameter(h, &join(&base, name));
                        }
                    }
                }
            }
        }
    }

    fn schema(&mut self, v: &mut Value, at: &str, place: Place, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        (self.visit)(v, at, place);
        let Value::Object(m) = v else {
            return;
        };
        for (key, child) in m.iter_mut() {
            match key.as_str() {
                // `additionalProperties: false` is also a 3.0 boolean: left as it is.
                "additionalProperties" | "unevaluatedProperties" | "unevaluatedItems"
                    if child.is_boolean() => {}
                // One subschema.
                "items"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedItems"
                | "unevaluatedProperties"
                | "additionalItems"
                | "contentSchema" => {
                    if let Value::Array(list) = child {
                        // Draft 4 tuples: `items: [A, B]`.
                        for (i, s) in list.iter_mut().enumerate() {
                            let here = format!("{}/{i}", join(at, key));
                            self.schema(s, &here, Place::Other, depth + 1);
                        }
                    } else {
                        self.schema(child, &join(at, key), Place::Other, depth + 1);
                    }
                }
                // Maps of subschemas.
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => {
                    if let Value::Object(map) = child {
                        let base = join(at, key);
                        for (name, s) in map.iter_mut() {
                            self.schema(s, &join(&base, name), Place::Other, depth + 1);
                        }
                    }
                }
                // Lists of subschemas.
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    if let Value::Array(list) = child {
                        let place = if key == "prefixItems" {
                            Place::Other
                        } else {
                            Place::Member
                        };
                        for (i, s) in list.iter_mut().enumerate() {
                            let here = format!("{}/{i}", join(at, key));
                            self.schema(s, &here, place, depth + 1);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_visited_once_with_its_pointer() {
        let mut doc = serde_json::json!({
            "paths": {"/a/{id}": {
                "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"x": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
                        "additionalProperties": false
                    }}}},
                    "responses": {"200": {
                        "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                        "content": {"application/json": {"examples": {"a": {"value": 1}},
                            "schema": {"type": "array", "prefixItems": [{"type": "number"}]}}}
                    }}
                }
            }},
            "webhooks": {"made": {"post": {"requestBody": {"content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/S"}}}}}}},
            "components": {
                "schemas": {"S": {"type": "object", "properties": {"y": {"items": {"const": 1}}}}},
                "pathItems": {"P": {"get": {"parameters": [{"name": "q", "in": "query",
                    "content": {"application/json": {"schema": {"type": "boolean"}}}}]}}}
            }
        });
        let mut seen = Vec::new();
        schemas(&mut doc, &mut |_, at, place| {
            seen.push((at.to_string(), place))
        });
        let at: Vec<&str> = seen.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            at,
            [
                "#/paths/~1a~1{id}/parameters/0/schema",
                "#/paths/~1a~1{id}/post/requestBody/content/application~1json/schema",
                "#/paths/~1a~1{id}/post/requestBody/content/application~1json/schema/properties/x",
                "#/paths/~1a~1{id}/post/requestBody/content/application~1json/schema/properties/x/anyOf/0",
                "#/paths/~1a~1{id}/post/requestBody/content/application~1json/schema/properties/x/anyOf/1",
                "#/paths/~1a~1{id}/post/responses/200/headers/X-Rate/schema",
                "#/paths/~1a~1{id}/post/responses/200/content/application~1json/schema",
                "#/paths/~1a~1{id}/post/responses/200/content/application~1json/schema/prefixItems/0",
                "#/webhooks/made/post/requestBody/content/application~1json/schema",
                "#/components/schemas/S",
                "#/components/schemas/S/properties/y",
                "#/components/schemas/S/properties/y/items",
                "#/components/pathItems/P/get/parameters/0/content/application~1json/schema",
            ]
        );
        assert_eq!(seen[3].1, Place::Member);
        assert_eq!(seen[2].1, Place::Other);
    }
}
