//! OpenAPI 3.1 -> the OpenAPI 3.0 model, on the raw JSON value, before typing.
//!
//! The typed model (`openapiv3`) reads 3.0 only. 3.1 is 3.0 with JSON Schema 2020-12 schemas
//! and a few document fields; each 3.1 construct has a 3.0 spelling that means the same to a
//! client generator, so the document is rewritten to it (see `DESIGN-oas31.md`):
//!
//! | 3.1 | rewritten to |
//! |---|---|
//! | `type: [T, "null"]`, `anyOf`/`oneOf` with a `{type: "null"}` member | `type: T`, `nullable: true` (the member removed) |
//! | `type: [A, B]` | `anyOf: [{type: A, ...}, {type: B, ...}]`, each with its type's keywords |
//! | `const: v` | `enum: [v]` (and `type` from the value when missing) |
//! | `examples: [a, b]` | `example: a`; all of them in `x-agentgen-examples` when more than one |
//! | `exclusiveMinimum: n` | `minimum: n, exclusiveMinimum: true` (unless `minimum` is stricter) |
//! | `$ref` with siblings | `allOf: [{$ref}]` with the siblings (annotations of a union member are dropped) |
//! | `prefixItems: [A, B]` (no further items) | `type: array, anyOf: [A, B]`, `x-agentgen-tuple: true` |
//! | `contentEncoding: base64` / `contentMediaType` of binary content | `format: byte` / `format: binary` |
//! | `true` / `false` as a schema | `{}` / `{not: {}}` |
//! | top-level `webhooks` | `x-agentgen-webhooks` (read like `x-webhooks`) |
//! | `$ref` to `#/components/pathItems/...` | the path item, inlined |
//! | `info.summary`, `license.identifier` | `x-agentgen-summary`, `x-agentgen-license-identifier` |
//!
//! Extensions named `x-agentgen-*` carry what the 3.0 model has no field for; only this
//! module writes them. Every rewrite that changes meaning beyond spelling leaves a note.

use super::walk::{self, Place};
use crate::diagnostics::{join, Diagnostics};
use serde_json::{json, Map, Value};

/// The 3.1 `webhooks` map, moved out of the way of the 3.0 model (read by
/// `lower::webhooks` like `x-webhooks`, with pointers under `#/webhooks`).
pub const WEBHOOKS: &str = "x-agentgen-webhooks";
/// `info.summary`.
pub const SUMMARY: &str = "x-agentgen-summary";
/// `info.license.identifier` (an SPDX expression).
pub const LICENSE_IDENTIFIER: &str = "x-agentgen-license-identifier";
/// Every value of a schema's `examples`, when there are several (`example` holds the first).
pub const EXAMPLES: &str = "x-agentgen-examples";
/// Marks an array schema whose `anyOf` members are the positions of a tuple (`prefixItems`).
pub const TUPLE: &str = "x-agentgen-tuple";

/// Rewrite a 3.1 document (`openapi: 3.1.x`) to the 3.0 model, with notes for the reader.
pub fn rewrite(doc: &mut Value, diags: &mut Diagnostics) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(info)) = root.get_mut("info") {
        if let Some(summary) = info.shift_remove("summary") {
            info.insert(SUMMARY.into(), summary);
        }
        if let Some(Value::Object(license)) = info.get_mut("license") {
            if let Some(id) = license.shift_remove("identifier") {
                if !license.contains_key("name") {
                    license.insert("name".into(), id.clone());
                }
                license.insert(LICENSE_IDENTIFIER.into(), id);
            }
        }
    }
    inline_path_item_refs(root, diags);
    walk::schemas(doc, &mut |node, at, place| schema(node, at, place, diags));
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    match root.shift_remove("webhooks") {
        Some(Value::Object(hooks)) => {
            root.insert(WEBHOOKS.into(), Value::Object(hooks));
        }
        Some(_) => diags.warning(
            "invalid-webhooks",
            "#/webhooks",
            "`webhooks` must be a mapping from a name to a path item; ignored",
        ),
        None => {}
    }
}

/// Replace `{$ref: '#/components/pathItems/X', ...}` under `paths`, `webhooks` and callbacks
/// by the path item it names (its siblings, such as `summary`, win).
fn inline_path_item_refs(root: &mut Map<String, Value>, diags: &mut Diagnostics) {
    let items = match root.get("components").and_then(|c| c.get("pathItems")) {
        Some(Value::Object(items)) => items.clone(),
        _ => Map::new(),
    };
    for key in ["paths", "webhooks"] {
        if let Some(Value::Object(map)) = root.get_mut(key) {
            for (name, item) in map.iter_mut() {
                inline_one(item, &items, &join(&join("#", key), name), diags);
            }
        }
    }
}

fn inline_one(item: &mut Value, items: &Map<String, Value>, at: &str, diags: &mut Diagnostics) {
    let mut seen: Vec<String> = Vec::new();
    while let Some(Value::String(reference)) = item.get("$ref").cloned() {
        let Some(name) = reference.strip_prefix("#/components/pathItems/") else {
            return;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        let target = match items.get(&name) {
            Some(Value::Object(t)) if !seen.contains(&name) => t.clone(),
            Some(_) if seen.contains(&name) => {
                diags.error(
                    "ref-cycle",
                    at,
                    format!("path item `$ref` `{reference}` leads back to itself"),
                );
                return;
            }
            _ => {
                diags.error(
                    "dangling-ref",
                    at,
                    format!("path item reference `{reference}` points at no path item"),
                );
                return;
            }
        };
        seen.push(name);
        let Value::Object(here) = item else {
            return;
        };
        here.shift_remove("$ref");
        let mut merged = target;
        for (k, v) in std::mem::take(here) {
            merged.insert(k, v);
        }
        *here = merged;
        diags.note(
            "path-item-ref",
            at,
            format!("path item `{reference}` inlined"),
        );
    }
}

/// Keywords that only annotate: dropped from a `$ref` that is a union member (the member's
/// type is the reference; a wrapper would lose the variant's name).
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "summary",
    "example",
    "examples",
    "$comment",
];

/// Keywords that apply to one JSON type, for splitting `type: [A, B]`.
fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "string" => &[
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "contentMediaType",
            "contentEncoding",
        ],
        "integer" | "number" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
        "array" => &[
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
        ],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "minProperties",
            "maxProperties",
            "propertyNames",
        ],
        _ => &[],
    }
}

/// Rewrite one schema node (its subschemas are visited after it).
fn schema(node: &mut Value, at: &str, place: Place, diags: &mut Diagnostics) {
    match node {
        Value::Bool(true) => *node = json!({}),
        Value::Bool(false) => *node = json!({"not": {}}),
        Value::Object(m) => {
            ref_siblings(m, at, place, diags);
            type_list(m, at, diags);
            null_members(m);
            constant(m);
            examples(m);
            exclusive_bounds(m);
            content(m);
            prefix_items(m, at, diags);
        }
        _ => {}
    }
}

fn ref_siblings(m: &mut Map<String, Value>, at: &str, place: Place, diags: &mut Diagnostics) {
    if !m.contains_key("$ref") || m.len() == 1 {
        return;
    }
    if place == Place::Member {
        for k in ANNOTATIONS {
            m.shift_remove(*k);
        }
        if m.len() == 1 {
            return;
        }
    }
    let Some(reference) = m.shift_remove("$ref") else {
        return;
    };
    let mut members = vec![json!({"$ref": reference})];
    if let Some(Value::Array(more)) = m.shift_remove("allOf") {
        members.extend(more);
    }
    m.insert("allOf".into(), Value::Array(members));
    diags.note(
        "ref-sibling",
        at,
        "`$ref` with sibling keywords rewritten to `allOf: [$ref]` so they are kept",
    );
}

fn type_list(m: &mut Map<String, Value>, at: &str, diags: &mut Diagnostics) {
    let types: Vec<String> = match m.get("type") {
        Some(Value::String(t)) if t == "null" => vec![t.clone()],
        Some(Value::Array(list)) if list.iter().all(Value::is_string) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => return,
    };
    let mut rest: Vec<String> = Vec::new();
    for t in &types {
        if t != "null" && !rest.contains(t) {
            rest.push(t.clone());
        }
    }
    if rest.len() < types.len() {
        m.insert("nullable".into(), Value::Bool(true));
    }
    // `integer` is a `number`: `[integer, number]` is a number.
    if rest.len() == 2 && rest.contains(&"integer".to_string()) && rest.contains(&"number".into()) {
        rest = vec!["number".into()];
    }
    match rest.as_slice() {
        [] => {
            m.shift_remove("type");
        }
        [one] => {
            m.insert("type".into(), Value::String(one.clone()));
        }
        [first, ..] if m.contains_key("anyOf") || m.contains_key("oneOf") => {
            diags.warning(
                "type-list",
                join(at, "type"),
                format!(
                    "a list of types next to `anyOf`/`oneOf` is read as its first type, `{first}`"
                ),
            );
            m.insert("type".into(), Value::String(first.clone()));
        }
        many => {
            let mut branches = Vec::new();
            for t in many {
                let mut branch = Map::new();
                branch.insert("type".into(), Value::String(t.clone()));
                for k in keywords_of(t) {
                    if let Some(v) = m.get(*k) {
                        branch.insert((*k).to_string(), v.clone());
                    }
                }
                branches.push(Value::Object(branch));
            }
            for t in many {
                for k in keywords_of(t) {
                    m.shift_remove(*k);
                }
            }
            m.shift_remove("type");
            m.insert("anyOf".into(), Value::Array(branches));
            diags.note(
                "type-list",
                join(at, "type"),
                format!(
                    "`type: [{}]` read as `anyOf` one schema per type",
                    many.join(", ")
                ),
            );
        }
    }
}

/// A member that only says "null": `{type: "null"}`, `{type: ["null"]}`, `{const: null}`,
/// `{enum: [null]}`, with annotations at most.
fn is_null_schema(v: &Value) -> bool {
    let Value::Object(m) = v else {
        return false;
    };
    let says_null = match (m.get("type"), m.get("const"), m.get("enum")) {
        (Some(Value::String(t)), None, None) => t == "null",
        (Some(Value::Array(l)), None, None) => l.len() == 1 && l[0] == "null",
        (None, Some(Value::Null), None) => true,
        (None, None, Some(Value::Array(l))) => l.len() == 1 && l[0].is_null(),
        _ => false,
    };
    says_null
        && m.keys().all(|k| {
            ["type", "const", "enum", "nullable"].contains(&k.as_str())
                || ANNOTATIONS.contains(&k.as_str())
        })
}

fn null_members(m: &mut Map<String, Value>) {
    let mut nullable = false;
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(list)) = m.get_mut(key) else {
            continue;
        };
        let before = list.len();
        list.retain(|v| !is_null_schema(v));
        if list.len() < before {
            nullable = true;
            if list.is_empty() {
                m.shift_remove(key);
            }
        }
    }
    if nullable {
        m.insert("nullable".into(), Value::Bool(true));
    }
}

fn constant(m: &mut Map<String, Value>) {
    let Some(value) = m.shift_remove("const") else {
        return;
    };
    if !m.contains_key("type") {
        let ty = match &value {
            Value::String(_) => Some("string"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            _ => None,
        };
        if let Some(ty) = ty {
            m.insert("type".into(), json!(ty));
        }
    }
    if value.is_null() {
        m.insert("nullable".into(), Value::Bool(true));
    }
    m.entry("enum").or_insert_with(|| Value::Array(vec![value]));
}

fn examples(m: &mut Map<String, Value>) {
    let Some(Value::Array(list)) = m.get("examples") else {
        return;
    };
    let list = list.clone();
    m.shift_remove("examples");
    if let Some(first) = list.first() {
        m.entry("example").or_insert_with(|| first.clone());
    }
    if list.len() > 1 {
        m.insert(EXAMPLES.into(), Value::Array(list));
    }
}

fn exclusive_bounds(m: &mut Map<String, Value>) {
    for (exclusive, bound, stricter) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        let Some(Value::Number(n)) = m.get(exclusive).cloned() else {
            continue;
        };
        let x = n.as_f64().unwrap_or(0.0);
        let other = m.get(bound).and_then(Value::as_f64);
        // `minimum: 0, exclusiveMinimum: 5` bounds at 5 (exclusive); with `minimum: 9` the
        // inclusive 9 is the stricter bound.
        let use_exclusive = match other {
            None => true,
            Some(o) => x.partial_cmp(&o) != Some(stricter.reverse()),
        };
        if use_exclusive {
            m.insert(bound.into(), Value::Number(n));
            m.insert(exclusive.into(), Value::Bool(true));
        } else {
            m.shift_remove(exclusive);
        }
    }
}

/// Media types whose content is text (or JSON, XML, form data): a string of such content is
/// a `String`; any other `contentMediaType` without a `contentEncoding` is raw bytes.
fn is_textual(media: &str) -> bool {
    let media = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    media.starts_with("text/")
        || media.ends_with("+json")
        || media.ends_with("+xml")
        || [
            "application/json",
            "application/xml",
            "application/x-www-form-urlencoded",
            "application/javascript",
            "application/yaml",
            "application/x-yaml",
        ]
        .contains(&media.as_str())
}

fn content(m: &mut Map<String, Value>) {
    if m.contains_key("format") {
        return;
    }
    let encoding = m.get("contentEncoding").and_then(Value::as_str);
    let media = m.get("contentMediaType").and_then(Value::as_str);
    let format = match (encoding, media) {
        (Some(e), _) if e.eq_ignore_ascii_case("base64") || e.eq_ignore_ascii_case("base64url") => {
            "byte"
        }
        (None, Some(media)) if !is_textual(media) => "binary",
        _ => return,
    };
    m.entry("type").or_insert_with(|| json!("string"));
    if m.get("type").and_then(Value::as_str) == Some("string") {
        m.insert("format".into(), json!(format));
    }
}

fn prefix_items(m: &mut Map<String, Value>, at: &str, diags: &mut Diagnostics) {
    let Some(Value::Array(positions)) = m.get("prefixItems").cloned() else {
        return;
    };
    let closed = match m.get("items") {
        None | Some(Value::Bool(false)) => true,
        Some(_) => m
            .get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|max| max as usize <= positions.len()),
    };
    m.shift_remove("prefixItems");
    if !closed || positions.is_empty() || m.contains_key("anyOf") || m.contains_key("oneOf") {
        diags.note(
            "prefix-items",
            join(at, "prefixItems"),
            "`prefixItems` followed by more items: typed as a list of `items`",
        );
        return;
    }
    m.shift_remove("items");
    m.insert("type".into(), json!("array"));
    m.insert("anyOf".into(), Value::Array(positions));
    m.insert(TUPLE.into(), Value::Bool(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(schema: Value) -> (Value, Vec<crate::Diagnostic>) {
        let mut doc = json!({"components": {"schemas": {"S": schema}}});
        let mut d = Diagnostics::default();
        rewrite(&mut doc, &mut d);
        (doc["components"]["schemas"]["S"].clone(), d.into_sorted())
    }

    #[test]
    fn type_lists_and_null_members_become_nullable() {
        assert_eq!(
            one(json!({"type": ["string", "null"], "maxLength": 3})).0,
            json!({"type": "string", "maxLength": 3, "nullable": true})
        );
        assert_eq!(
            one(json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})).0,
            json!({"anyOf": [{"$ref": "#/components/schemas/A"}], "nullable": true})
        );
        let (split, notes) =
            one(json!({"type": ["string", "integer", "null"], "minimum": 1, "maxLength": 2}));
        assert_eq!(
            split,
            json!({"nullable": true, "anyOf": [{"type": "string", "maxLength": 2}, {"type": "integer", "minimum": 1}]})
        );
        assert_eq!(notes[0].code, "type-list");
        assert_eq!(notes[0].pointer, "#/components/schemas/S/type");
        assert_eq!(
            one(json!({"type": ["integer", "number"]})).0,
            json!({"type": "number"})
        );
    }

    #[test]
    fn const_examples_and_exclusive_bounds() {
        assert_eq!(
            one(json!({"const": "user"})).0,
            json!({"type": "string", "enum": ["user"]})
        );
        assert_eq!(
            one(json!({"type": "integer", "examples": [1, 2], "exclusiveMinimum": 0})).0,
            json!({"type": "integer", "example": 1, "x-agentgen-examples": [1, 2], "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(
            one(json!({"type": "number", "minimum": 5, "exclusiveMinimum": 2, "exclusiveMaximum": 9})).0,
            json!({"type": "number", "minimum": 5, "maximum": 9, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn ref_siblings_tuples_content_and_booleans() {
        let (lifted, notes) = one(json!({"$ref": "#/components/schemas/A", "description": "d"}));
        assert_eq!(
            lifted,
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(notes[0].code, "ref-sibling");
        assert_eq!(
            one(json!({"oneOf": [{"$ref": "#/components/schemas/A", "description": "d"}]})).0,
            json!({"oneOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(
            one(
                json!({"type": "array", "prefixItems": [{"type": "number"}, true], "items": false})
            )
            .0,
            json!({"type": "array", "anyOf": [{"type": "number"}, {}], "x-agentgen-tuple": true})
        );
        assert_eq!(
            one(json!({"type": "array", "prefixItems": [{"type": "number"}], "items": {"type": "string"}})).0,
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(
            one(json!({"type": "string", "contentMediaType": "image/png"})).0,
            json!({"type": "string", "contentMediaType": "image/png", "format": "binary"})
        );
        assert_eq!(
            one(json!({"type": "string", "contentMediaType": "application/json"})).0,
            json!({"type": "string", "contentMediaType": "application/json"})
        );
        assert_eq!(
            one(json!({"contentEncoding": "base64"})).0,
            json!({"contentEncoding": "base64", "type": "string", "format": "byte"})
        );
        assert_eq!(
            one(json!({"properties": {"a": false, "b": true}, "additionalProperties": false})).0,
            json!({"properties": {"a": {"not": {}}, "b": {}}, "additionalProperties": false})
        );
    }

    #[test]
    fn document_fields_move_to_the_3_0_model() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1", "summary": "S", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {"/a": {"$ref": "#/components/pathItems/A", "summary": "here"}},
            "webhooks": {"made": {"$ref": "#/components/pathItems/A"}},
            "components": {"pathItems": {"A": {"summary": "there", "get": {"responses": {}}}}}
        });
        let mut d = Diagnostics::default();
        rewrite(&mut doc, &mut d);
        assert_eq!(doc["info"]["x-agentgen-summary"], "S");
        assert_eq!(
            doc["info"]["license"]["x-agentgen-license-identifier"],
            "MIT"
        );
        assert_eq!(
            doc["paths"]["/a"],
            json!({"summary": "here", "get": {"responses": {}}})
        );
        assert!(doc.get("webhooks").is_none());
        assert_eq!(doc[WEBHOOKS]["made"]["get"], json!({"responses": {}}));
        let mut doc = json!({"paths": {"/a": {"$ref": "#/components/pathItems/B"}}, "components": {"pathItems": {"B": {"$ref": "#/components/pathItems/B"}}}});
        let mut d = Diagnostics::default();
        rewrite(&mut doc, &mut d);
        let errors = d.into_sorted();
        assert_eq!(
            (errors[0].code, errors[0].pointer.as_str()),
            ("ref-cycle", "#/paths/~1a")
        );
    }
}
