//! OpenAPI Overlay 1.0 (<https://spec.openapis.org/overlay/v1.0.0>): ordered actions that
//! `update` (merge into) or `remove` the nodes a JSONPath (RFC 9535, `serde_json_path`)
//! selects in the spec's raw JSON value, before it is loaded. Real-world specs are fixed
//! this way (Clerk keeps one for its SDK toolchain) rather than edited.
//!
//! A pass over values with diagnostics; reading the files is the caller's. Each problem is
//! located in the overlay: its JSON pointer (`#/actions/2/target`), with the JSONPath in the
//! message.

use crate::diagnostics::Diagnostics;
use serde_json::{Map, Value};
use serde_json_path::JsonPath;

/// Apply the overlay document `overlay` to `doc`, action by action. Problems go to `diags`
/// (pointers into the overlay); an action that fails changes nothing.
pub fn apply(doc: &mut Value, overlay: &Value, diags: &mut Diagnostics) {
    let Some(root) = overlay.as_object() else {
        diags.error(
            "invalid-overlay",
            "#",
            "an overlay must be a mapping with `overlay`, `info` and `actions`",
        );
        return;
    };
    match root.get("overlay") {
        Some(Value::String(v)) if v.starts_with("1.") => {}
        Some(other) => diags.error(
            "invalid-overlay",
            "#/overlay",
            format!("unsupported overlay version {other} (1.x is supported)"),
        ),
        None => diags.error(
            "invalid-overlay",
            "#",
            "missing `overlay` version field: this is not an OpenAPI Overlay document",
        ),
    }
    let Some(actions) = root.get("actions").and_then(Value::as_array) else {
        diags.error(
            "invalid-overlay",
            "#/actions",
            "`actions` must be a list of actions (`target` with `update` or `remove`)",
        );
        return;
    };
    if diags.has_errors() {
        return;
    }
    for (i, action) in actions.iter().enumerate() {
        apply_action(doc, action, &format!("#/actions/{i}"), diags);
    }
}

fn apply_action(doc: &mut Value, action: &Value, at: &str, diags: &mut Diagnostics) {
    let Some(action) = action.as_object() else {
        diags.error("invalid-overlay", at, "an action must be a mapping");
        return;
    };
    let Some(target) = action.get("target").and_then(Value::as_str) else {
        diags.error(
            "invalid-overlay",
            at,
            "an action needs a `target` (a JSONPath expression)",
        );
        return;
    };
    let target_at = format!("{at}/target");
    let path = match JsonPath::parse(target) {
        Ok(p) => p,
        Err(e) => {
            diags.error(
                "overlay-target",
                target_at,
                format!("`{target}` is not a JSONPath expression (RFC 9535): {e}"),
            );
            return;
        }
    };
    let remove = match action.get("remove") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(_) => {
            diags.error(
                "invalid-overlay",
                format!("{at}/remove"),
                "`remove` must be true or false",
            );
            return;
        }
    };
    let update = action.get("update");
    if !remove && update.is_none() {
        diags.error(
            "invalid-overlay",
            at,
            format!("the action on `{target}` has neither `update` nor `remove: true`"),
        );
        return;
    }
    let pointers: Vec<String> = path
        .query_located(doc)
        .into_iter()
        .map(|n| n.location().to_json_pointer())
        .collect();
    if pointers.is_empty() {
        diags.error(
            "overlay-target",
            target_at,
            format!("`{target}` matches nothing in the spec"),
        );
        return;
    }
    if remove {
        // Last first, so that removing an array element leaves the other pointers valid.
        for pointer in pointers.iter().rev() {
            remove_at(doc, pointer);
        }
        return;
    }
    let Some(update) = update else {
        return;
    };
    for pointer in &pointers {
        let Some(node) = doc.pointer_mut(pointer) else {
            continue;
        };
        match (node, update) {
            (Value::Object(node), Value::Object(update)) => merge(node, update),
            (Value::Array(items), Value::Array(more)) => items.extend(more.iter().cloned()),
            (Value::Array(items), one) => items.push(one.clone()),
            (node, _) => {
                diags.error(
                    "overlay-target",
                    target_at.as_str(),
                    format!(
                        "`{target}` selects `{}`, which is neither a mapping nor a list: an update cannot merge into it",
                        if pointer.is_empty() { "/" } else { pointer }
                    ),
                );
                let _ = node;
                return;
            }
        }
    }
}

/// Merge `update` into `node`: mappings recursively, anything else replaced.
fn merge(node: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (k, v) in update {
        match (node.get_mut(k), v) {
            (Some(Value::Object(inner)), Value::Object(more)) => merge(inner, more),
            _ => {
                node.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Remove the node at `pointer` (RFC 6901) from its parent.
fn remove_at(doc: &mut Value, pointer: &str) {
    let Some(split) = pointer.rfind('/') else {
        // The root itself: nothing to remove it from.
        return;
    };
    let (parent, last) = (&pointer[..split], &pointer[split + 1..]);
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: Value, overlay: Value) -> (Value, Vec<crate::Diagnostic>) {
        let mut doc = doc;
        let mut d = Diagnostics::default();
        apply(&mut doc, &overlay, &mut d);
        (doc, d.into_sorted())
    }

    fn spec() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {
                "/a": {"get": {"tags": ["x"], "responses": {}}, "delete": {"responses": {}}},
                "/b": {"get": {"tags": ["internal"], "responses": {}}}
            }
        })
    }

    #[test]
    fn updates_merge_and_removes_remove_in_order() {
        let (doc, d) = run(
            spec(),
            json!({"overlay": "1.0.0", "info": {"title": "fix", "version": "1"}, "actions": [
                {"target": "$.info", "update": {"title": "Fixed", "x-logo": {"url": "u"}}},
                {"target": "$.paths['/a'].get.tags", "update": "y"},
                {"target": "$.paths[*][?(@.tags && @.tags[0] == 'internal')]", "remove": true},
                {"target": "$.paths['/a'].delete", "remove": true},
                {"target": "$.paths.*.get", "update": {"x-checked": true}}
            ]}),
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            doc["info"],
            json!({"title": "Fixed", "version": "1", "x-logo": {"url": "u"}})
        );
        assert_eq!(
            doc["paths"],
            json!({"/a": {"get": {"tags": ["x", "y"], "responses": {}, "x-checked": true}}, "/b": {}})
        );
    }

    #[test]
    fn problems_name_the_action_and_the_jsonpath() {
        let (doc, d) = run(
            spec(),
            json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [
                {"target": "$.paths['/nope']", "remove": true},
                {"target": "$.paths[", "update": {}},
                {"target": "$.info.title", "update": {"a": 1}},
                {"target": "$.info"}
            ]}),
        );
        assert_eq!(doc, spec(), "failed actions change nothing");
        let found: Vec<(&str, &str)> = d.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert_eq!(
            found,
            [
                ("overlay-target", "#/actions/0/target"),
                ("overlay-target", "#/actions/1/target"),
                ("overlay-target", "#/actions/2/target"),
                ("invalid-overlay", "#/actions/3"),
            ]
        );
        assert!(
            d[0].message.contains("$.paths['/nope']"),
            "{}",
            d[0].message
        );
        let (_, d) = run(spec(), json!({"actions": []}));
        assert_eq!(d[0].code, "invalid-overlay");
    }
}
