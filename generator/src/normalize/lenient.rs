//! Fields that generation does not need, missing or malformed: a located warning and a
//! default instead of a fatal error (`info.title`, `info.version`, the optional `info`
//! fields, `paths: null`). Anything generation does need stays an error elsewhere.

use crate::diagnostics::{join, Diagnostics};
use serde_json::{Map, Value};

/// Title used when `info.title` is missing or unusable.
pub const DEFAULT_TITLE: &str = "API";
/// Version used when `info.version` is missing or unusable.
pub const DEFAULT_VERSION: &str = "unversioned";

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Give `info` the fields the typed model requires, and drop optional fields of the wrong
/// type; `paths: null` (an empty `paths:` in YAML) becomes no `paths`.
pub fn fill(root: &mut Map<String, Value>, diags: &mut Diagnostics) {
    if root.get("paths").is_some_and(Value::is_null) {
        root.shift_remove("paths");
    }
    let info = match root.get_mut("info") {
        Some(Value::Object(info)) => info,
        Some(other) => {
            diags.warning(
                "invalid-info",
                "#/info",
                format!(
                    "`info` must be a mapping, found {}; using defaults",
                    kind(other)
                ),
            );
            root.insert("info".into(), Value::Object(Map::new()));
            info_mut(root)
        }
        None => {
            diags.warning("missing-info", "#", "no `info`; using defaults");
            root.insert("info".into(), Value::Object(Map::new()));
            info_mut(root)
        }
    };
    for (key, default) in [("title", DEFAULT_TITLE), ("version", DEFAULT_VERSION)] {
        let at = join("#/info", key);
        let text = match info.get(key) {
            Some(Value::String(_)) => continue,
            // `version: 1.0` in YAML is a number: read it as its text.
            Some(v @ (Value::Number(_) | Value::Bool(_))) => {
                let text = v.to_string();
                diags.warning(
                    "invalid-info",
                    at,
                    format!("`{key}` should be a string; read as \"{text}\""),
                );
                text
            }
            Some(other) => {
                diags.warning(
                    "invalid-info",
                    at,
                    format!(
                        "`{key}` must be a string, found {}; using \"{default}\"",
                        kind(other)
                    ),
                );
                default.to_string()
            }
            None => {
                diags.warning(
                    "missing-info",
                    "#/info",
                    format!("no `info.{key}`; using \"{default}\""),
                );
                default.to_string()
            }
        };
        info.insert(key.into(), Value::String(text));
    }
    for (key, object) in [
        ("description", false),
        ("termsOfService", false),
        ("contact", true),
        ("license", true),
    ] {
        let wrong = match info.get(key) {
            None => continue,
            Some(Value::Object(_)) => !object,
            Some(Value::String(_)) => object,
            Some(_) => true,
        };
        // A license must have a name (3.1 allows an SPDX `identifier` in its place).
        let nameless = key == "license"
            && !wrong
            && info[key].get("name").is_none_or(|n| !n.is_string())
            && info[key].get("identifier").is_none_or(|n| !n.is_string());
        // An identifier alone names the license (the 3.0 model needs a `name`).
        if key == "license" && !wrong && !nameless {
            if let Some(Value::Object(license)) = info.get_mut(key) {
                if !license.get("name").is_some_and(Value::is_string) {
                    let id = license.get("identifier").cloned().unwrap_or_default();
                    license.insert("name".into(), id);
                }
            }
            continue;
        }
        if wrong || nameless {
            let what = if object { "a mapping" } else { "a string" };
            let found = if nameless {
                "one without a `name`".to_string()
            } else {
                kind(&info[key]).to_string()
            };
            diags.warning(
                "invalid-info",
                join("#/info", key),
                format!("`{key}` must be {what}, found {found}; ignored"),
            );
            info.shift_remove(key);
        }
    }
}

fn info_mut(root: &mut Map<String, Value>) -> &mut Map<String, Value> {
    match root.get_mut("info") {
        Some(Value::Object(info)) => info,
        _ => unreachable!("`info` was just set to a mapping"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fill_value(mut v: Value) -> (Value, Vec<crate::Diagnostic>) {
        let mut d = Diagnostics::default();
        fill(v.as_object_mut().unwrap(), &mut d);
        (v, d.into_sorted())
    }

    #[test]
    fn missing_and_malformed_info_fields_get_defaults_and_warnings() {
        let (v, d) = fill_value(json!({"info": {"title": ["T"], "version": 1.0}, "paths": null}));
        assert_eq!(v, json!({"info": {"title": "API", "version": "1.0"}}));
        let found: Vec<(&str, &str)> = d.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert_eq!(
            found,
            [
                ("invalid-info", "#/info/title"),
                ("invalid-info", "#/info/version")
            ]
        );
        let (v, d) = fill_value(json!({"info": {"title": "Anthropic API"}}));
        assert_eq!(v["info"]["version"], "unversioned");
        assert_eq!(
            (d[0].code, d[0].pointer.as_str()),
            ("missing-info", "#/info")
        );
        let (v, d) = fill_value(json!({}));
        assert_eq!(v["info"], json!({"title": "API", "version": "unversioned"}));
        assert_eq!(d.len(), 3);
        let (v, d) = fill_value(
            json!({"info": {"title": "T", "version": "1", "license": {"url": "u"}, "contact": "me", "description": 5}}),
        );
        assert_eq!(v["info"], json!({"title": "T", "version": "1"}));
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|d| d.severity == crate::Severity::Warning));
        let (v, d) = fill_value(
            json!({"info": {"title": "T", "version": "1", "license": {"identifier": "MIT"}}}),
        );
        assert_eq!(
            v["info"]["license"],
            json!({"identifier": "MIT", "name": "MIT"})
        );
        assert!(d.is_empty());
    }
}
