//! The reviewed workflows as an Arazzo 1.0.1 document: each step names an operationId of the
//! spec, parameters carry their location, bodies become `requestBody` payloads.

use super::data::Workflow;
use crate::ir::Api;
use serde_json::{json, Map, Value};

/// Arazzo version written.
pub const ARAZZO_VERSION: &str = "1.0.1";

/// A name matching Arazzo's `^[A-Za-z0-9_\-]+$` for the source description.
pub fn source_name(title: &str) -> String {
    let s: String = crate::naming::snake(title);
    if s.is_empty() {
        "api".to_string()
    } else {
        s
    }
}

/// The Arazzo document (as JSON) for `workflows`, against the spec at `source_url`.
pub fn arazzo(api: &Api, workflows: &[Workflow], source_url: &str) -> Value {
    let source = source_name(&api.info.title);
    let wfs: Vec<Value> = workflows.iter().map(|w| workflow(api, w)).collect();
    json!({
        "arazzo": ARAZZO_VERSION,
        "info": {
            "title": format!("{} workflows", api.info.title),
            "summary": format!("Reviewed multi-step recipes for {} {}.", api.info.title, api.info.version),
            "version": api.info.version,
        },
        "sourceDescriptions": [{
            "name": source,
            "url": source_url,
            "type": "openapi",
        }],
        "workflows": wfs,
    })
}

fn workflow(api: &Api, w: &Workflow) -> Value {
    let mut out = Map::new();
    out.insert("workflowId".into(), json!(w.id));
    out.insert("summary".into(), json!(w.summary));
    if let Some(d) = &w.description {
        out.insert("description".into(), json!(d));
    }
    let mut inputs = Map::new();
    inputs.insert("type".into(), json!("object"));
    inputs.insert(
        "properties".into(),
        Value::Object(w.inputs.clone().into_iter().collect()),
    );
    if !w.required.is_empty() {
        inputs.insert("required".into(), json!(w.required));
    }
    out.insert("inputs".into(), Value::Object(inputs));
    let steps: Vec<Value> = w
        .steps
        .iter()
        .map(|s| {
            let op = api
                .operations
                .iter()
                .find(|o| o.operation_id == s.operation);
            let mut step = Map::new();
            step.insert("stepId".into(), json!(s.id));
            if let Some(d) = &s.description {
                step.insert("description".into(), json!(d));
            }
            step.insert("operationId".into(), json!(s.operation));
            if !s.params.is_empty() {
                // In the operation's parameter order.
                let mut given: Vec<(&String, &Value)> = s.params.iter().collect();
                given.sort_by_key(|(name, _)| {
                    op.and_then(|o| o.params.iter().position(|p| &p.wire_name == *name))
                        .unwrap_or(usize::MAX)
                });
                let params: Vec<Value> = given
                    .into_iter()
                    .map(|(name, value)| {
                        let location = op
                            .and_then(|o| o.params.iter().find(|p| &p.wire_name == name))
                            .map(|p| p.location.as_str())
                            .unwrap_or("query");
                        json!({"name": name, "in": location, "value": value})
                    })
                    .collect();
                step.insert("parameters".into(), Value::Array(params));
            }
            if let Some(body) = &s.body {
                let ct = op
                    .and_then(|o| o.body.as_ref())
                    .map(|b| b.content_type.clone())
                    .unwrap_or_else(|| "application/json".to_string());
                step.insert(
                    "requestBody".into(),
                    json!({"contentType": ct, "payload": body}),
                );
            }
            let status = op
                .map(|o| o.response.status)
                .filter(|s| *s != 0)
                .unwrap_or(200);
            step.insert(
                "successCriteria".into(),
                json!([{ "condition": format!("$statusCode == {status}") }]),
            );
            if !s.outputs.is_empty() {
                step.insert(
                    "outputs".into(),
                    Value::Object(
                        s.outputs
                            .iter()
                            .map(|(k, v)| (k.clone(), json!(v)))
                            .collect(),
                    ),
                );
            }
            Value::Object(step)
        })
        .collect();
    out.insert("steps".into(), Value::Array(steps));
    if !w.outputs.is_empty() {
        out.insert(
            "outputs".into(),
            Value::Object(
                w.outputs
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect(),
            ),
        );
    }
    Value::Object(out)
}

/// Render as YAML (block style, every string double-quoted so that no YAML 1.1 reader turns
/// `2026-05-12` into a date or `no` into a boolean), with a header comment.
pub fn to_yaml(doc: &Value, header: &str) -> String {
    let mut out = String::from(header);
    emit(doc, 0, &mut out);
    out
}

fn scalar(v: &Value) -> String {
    match v {
        // A JSON string literal is a valid YAML double-quoted scalar.
        Value::String(s) => serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// A mapping key: plain when it cannot be read as anything but that string.
fn key(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
        && !matches!(
            k.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        k.to_string()
    } else {
        scalar(&Value::String(k.to_string()))
    }
}

fn is_empty_container(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = key(k);
                match x {
                    Value::Object(_) | Value::Array(_) if !is_empty_container(x) => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        emit(x, indent + 2, out);
                    }
                    Value::Object(_) => out.push_str(&format!("{pad}{key}: {{}}\n")),
                    Value::Array(_) => out.push_str(&format!("{pad}{key}: []\n")),
                    _ => out.push_str(&format!("{pad}{key}: {}\n", scalar(x))),
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                match x {
                    Value::Object(_) | Value::Array(_) if !is_empty_container(x) => {
                        // The first entry goes on the dash line, the rest indented under it.
                        let mut inner = String::new();
                        emit(x, indent + 2, &mut inner);
                        let inner = inner.strip_prefix(&format!("{pad}  ")).unwrap_or(&inner);
                        out.push_str(&format!("{pad}- {inner}"));
                    }
                    Value::Object(_) => out.push_str(&format!("{pad}- {{}}\n")),
                    Value::Array(_) => out.push_str(&format!("{pad}- []\n")),
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(x))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_round_trips_and_quotes_strings() {
        let doc = json!({
            "version": "2026-05-12",
            "flag": "no",
            "no": 1,
            "n": 3,
            "list": [{"a": 1, "b": ["x", {"c": true}]}, "y", [], {}],
            "empty": {},
            "text": "line \"one\"\nline: two #3"
        });
        let text = to_yaml(&doc, "# h\n");
        assert!(text.contains("version: \"2026-05-12\""), "{text}");
        assert!(
            text.contains("\"no\": 1") || !text.contains("no:"),
            "{text}"
        );
        let back: Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(back, doc, "{text}");
    }
}
