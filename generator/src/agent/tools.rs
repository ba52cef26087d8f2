//! Tool definitions per runtime, all from the AgentSpec operation documents: an MCP
//! `tools/list` result, OpenAI function tools (strict where the schema allows it), Anthropic
//! tools and Gemini function declarations. Names and order are the same in every file.

use super::agentspec::OperationSpec;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The MCP `tools/list` result: `{"tools": [Tool...]}`.
pub fn mcp(specs: &[&OperationSpec]) -> Value {
    let tools: Vec<Value> = specs.iter().map(|s| mcp_tool(s)).collect();
    json!({ "tools": tools })
}

/// One MCP `Tool`.
pub fn mcp_tool(s: &OperationSpec) -> Value {
    let mut t = Map::new();
    t.insert("name".into(), json!(s.name));
    t.insert("title".into(), json!(s.title));
    t.insert("description".into(), json!(s.description));
    t.insert("inputSchema".into(), s.input_schema.clone());
    if let Some(o) = &s.output_schema {
        t.insert("outputSchema".into(), o.clone());
    }
    t.insert(
        "annotations".into(),
        serde_json::to_value(&s.annotations).unwrap_or(Value::Null),
    );
    let mut meta = Map::new();
    meta.insert("operationId".into(), json!(s.operation_id));
    meta.insert("method".into(), json!(s.http.method));
    meta.insert("path".into(), json!(s.http.path));
    meta.insert("class".into(), json!(s.safety.class));
    if let Some(w) = &s.output.wrap {
        meta.insert("wrap".into(), json!(w));
    }
    t.insert("_meta".into(), json!({ "agentgen/operation": meta }));
    Value::Object(t)
}

/// OpenAI function tools (Responses API shape). A tool is `strict: true` when its schema can
/// be made strict (every object closed, every property required, optional ones nullable);
/// otherwise `strict: false` with the reason in `nonStrict`.
pub fn openai(specs: &[&OperationSpec]) -> Value {
    let mut tools = Vec::new();
    let mut non_strict = Map::new();
    for s in specs {
        let (parameters, strict) = match strict_schema(&s.input_schema) {
            Ok(p) => (p, true),
            Err(reason) => {
                non_strict.insert(s.name.clone(), json!(reason));
                (s.input_schema.clone(), false)
            }
        };
        tools.push(json!({
            "type": "function",
            "name": s.name,
            "description": s.description,
            "parameters": parameters,
            "strict": strict,
        }));
    }
    json!({
        "format": "openai-function-tools",
        "note": "Strict tools list every property as required; a property that is optional in the API accepts null there, which means 'not set': drop null-valued optional keys before calling. Tools listed in nonStrict keep the portable schema.",
        "tools": tools,
        "nonStrict": non_strict,
    })
}

/// Anthropic tools: `{name, description, input_schema}`.
pub fn anthropic(specs: &[&OperationSpec]) -> Value {
    let tools: Vec<Value> = specs
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "description": s.description,
                "input_schema": s.input_schema,
            })
        })
        .collect();
    json!({ "tools": tools })
}

/// Gemini: `{"functionDeclarations": [{name, description, parametersJsonSchema}]}`, with the
/// schema reduced to the keywords Gemini documents.
pub fn gemini(specs: &[&OperationSpec]) -> Value {
    let decls: Vec<Value> = specs
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "description": s.description,
                "parametersJsonSchema": gemini_schema(&s.input_schema),
            })
        })
        .collect();
    json!({ "functionDeclarations": decls })
}

/// Keywords Gemini's `parametersJsonSchema` accepts.
pub const GEMINI_KEYWORDS: &[&str] = &[
    "$defs",
    "$ref",
    "type",
    "format",
    "title",
    "description",
    "enum",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "anyOf",
    "oneOf",
    "properties",
    "additionalProperties",
    "required",
];

fn is_required_only(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.contains_key("required"))
}

/// Reduce a schema to Gemini's keywords: `const` becomes a one-value `enum`, type arrays
/// become `anyOf`, validation-only `anyOf`/`oneOf` (`{required: [...]}` members) are dropped.
pub fn gemini_schema(v: &Value) -> Value {
    let Value::Object(m) = v else {
        return v.clone();
    };
    let mut out = Map::new();
    for (k, x) in m {
        match k.as_str() {
            "properties" | "$defs" => {
                let mapped: Map<String, Value> = x
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(n, s)| (n.clone(), gemini_schema(s)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(mapped));
            }
            "anyOf" | "oneOf" => {
                let members: Vec<Value> = x
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|s| !is_required_only(s))
                            .map(gemini_schema)
                            .collect()
                    })
                    .unwrap_or_default();
                if !members.is_empty() {
                    out.insert(k.clone(), Value::Array(members));
                }
            }
            "items" | "additionalProperties" => {
                out.insert(k.clone(), gemini_schema(x));
            }
            "const" => {
                out.insert("enum".into(), json!([x]));
            }
            k if GEMINI_KEYWORDS.contains(&k) => {
                out.insert(k.to_string(), x.clone());
            }
            _ => {}
        }
    }
    if let Some(Value::Array(types)) = out.get("type").cloned() {
        out.remove("type");
        let members: Vec<Value> = types.iter().map(|t| json!({ "type": t })).collect();
        let mut typed = Map::new();
        let mut rest = Map::new();
        for (k, x) in out {
            match k.as_str() {
                "description" | "title" | "$defs" => {
                    rest.insert(k, x);
                }
                _ => {
                    typed.insert(k, x);
                }
            }
        }
        let members: Vec<Value> = members
            .into_iter()
            .map(|mut m| {
                if m["type"] != "null" {
                    if let Value::Object(mm) = &mut m {
                        for (k, x) in &typed {
                            mm.insert(k.clone(), x.clone());
                        }
                    }
                }
                m
            })
            .collect();
        rest.insert("anyOf".into(), Value::Array(members));
        return Value::Object(rest);
    }
    Value::Object(out)
}

/// Keywords OpenAI strict mode accepts.
pub const OPENAI_STRICT_KEYWORDS: &[&str] = &[
    "$defs",
    "$ref",
    "type",
    "description",
    "title",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
];

/// String formats OpenAI strict mode accepts.
pub const OPENAI_STRICT_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

/// The strict-mode variant of a portable input schema, or why there is none.
pub fn strict_schema(schema: &Value) -> Result<Value, String> {
    let out = strict_node(schema, "", true)?;
    check_limits(&out)?;
    Ok(out)
}

fn allows_null(v: &Value) -> bool {
    match v.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => v
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(allows_null)),
    }
}

fn strict_node(v: &Value, at: &str, root: bool) -> Result<Value, String> {
    let Value::Object(m) = v else {
        return Ok(v.clone());
    };
    let here = if at.is_empty() { "the input" } else { at };
    for bad in ["allOf", "oneOf", "not", "if", "then", "else"] {
        if m.contains_key(bad) {
            let validation_only = m
                .get(bad)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().all(is_required_only));
            if !(bad == "oneOf" && validation_only) {
                return Err(format!(
                    "`{here}` uses `{bad}`, which strict mode does not support"
                ));
            }
        }
    }
    let is_object = m.get("type").is_some_and(|t| {
        t == "object"
            || t.as_array()
                .is_some_and(|a| a.iter().any(|x| x == "object"))
    });
    if is_object && !m.contains_key("properties") && !m.contains_key("anyOf") {
        return Err(format!(
            "`{here}` is a free-form object (such as metadata), which strict mode cannot express"
        ));
    }
    let typed = ["type", "$ref", "anyOf", "enum", "const"]
        .iter()
        .any(|k| m.contains_key(*k));
    if !typed {
        return Err(format!(
            "`{here}` is untyped JSON, which strict mode cannot express"
        ));
    }
    if let Some(ap) = m.get("additionalProperties") {
        if ap != &Value::Bool(false) {
            return Err(format!(
                "`{here}` is a map with free keys, which strict mode cannot express"
            ));
        }
    }
    let mut out = Map::new();
    let mut notes = Vec::new();
    for (k, x) in m {
        match k.as_str() {
            "properties" => {
                let props = x.as_object().cloned().unwrap_or_default();
                let required: BTreeSet<String> = m
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let mut new_props = Map::new();
                for (name, p) in &props {
                    let path = if at.is_empty() {
                        name.clone()
                    } else {
                        format!("{at}.{name}")
                    };
                    let mut s = strict_node(p, &path, false)?;
                    if !required.contains(name) {
                        if allows_null(p) && !root {
                            return Err(format!(
                                "`{path}` is optional and nullable: leaving it out and sending null mean different things, which strict mode cannot express"
                            ));
                        }
                        s = super::schema::nullable(s);
                    }
                    new_props.insert(name.clone(), s);
                }
                out.insert("required".into(), json!(props.keys().collect::<Vec<_>>()));
                out.insert("properties".into(), Value::Object(new_props));
                out.insert("additionalProperties".into(), json!(false));
            }
            "required" | "additionalProperties" => {}
            "$defs" => {
                let mut defs = Map::new();
                for (name, d) in x.as_object().cloned().unwrap_or_default() {
                    defs.insert(name.clone(), strict_node(&d, &name, false)?);
                }
                out.insert(k.clone(), Value::Object(defs));
            }
            "items" => {
                out.insert(k.clone(), strict_node(x, &format!("{at}[]"), false)?);
            }
            "anyOf" => {
                let members = x.as_array().cloned().unwrap_or_default();
                if members.iter().all(is_required_only) {
                    let sets: Vec<String> = members
                        .iter()
                        .map(|s| {
                            s["required"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(Value::as_str)
                                        .collect::<Vec<_>>()
                                        .join(" and ")
                                })
                                .unwrap_or_default()
                        })
                        .collect();
                    notes.push(format!("Set at least one of: {}.", sets.join("; ")));
                    continue;
                }
                let mut new = Vec::new();
                for s in &members {
                    new.push(strict_node(s, at, false)?);
                }
                out.insert(k.clone(), Value::Array(new));
            }
            "oneOf" => {
                let sets: Vec<String> = x
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        s["required"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(Value::as_str)
                                    .collect::<Vec<_>>()
                                    .join(" and ")
                            })
                            .unwrap_or_default()
                    })
                    .collect();
                notes.push(format!("Set exactly one of: {}.", sets.join("; ")));
            }
            "format"
                if x.as_str()
                    .is_some_and(|f| OPENAI_STRICT_FORMATS.contains(&f)) =>
            {
                out.insert(k.clone(), x.clone());
            }
            // Other formats are not accepted in strict mode.
            "format" => {}
            k if OPENAI_STRICT_KEYWORDS.contains(&k) => {
                out.insert(k.to_string(), x.clone());
            }
            _ => {}
        }
    }
    if !notes.is_empty() {
        let d = out
            .get("description")
            .and_then(Value::as_str)
            .map(|d| format!("{d} {}", notes.join(" ")))
            .unwrap_or_else(|| notes.join(" "));
        out.insert("description".into(), json!(d));
    }
    Ok(Value::Object(out))
}

/// OpenAI's documented strict-mode limits.
fn check_limits(schema: &Value) -> Result<(), String> {
    let mut props = 0usize;
    let mut enum_values = 0usize;
    let mut chars = 0usize;
    count(schema, &mut props, &mut enum_values, &mut chars);
    if props > 5000 {
        return Err(format!("{props} properties exceed strict mode's 5,000"));
    }
    if enum_values > 1000 {
        return Err(format!(
            "{enum_values} enum values exceed strict mode's 1,000"
        ));
    }
    if chars > 120_000 {
        return Err(format!(
            "{chars} characters of names and enum values exceed strict mode's 120,000"
        ));
    }
    let depth = depth(schema, schema, &mut Vec::new());
    if depth > 10 {
        return Err(format!("objects nest {depth} deep; strict mode allows 10"));
    }
    Ok(())
}

fn count(v: &Value, props: &mut usize, enums: &mut usize, chars: &mut usize) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match k.as_str() {
                    "properties" => {
                        if let Value::Object(p) = x {
                            *props += p.len();
                            *chars += p.keys().map(String::len).sum::<usize>();
                            for s in p.values() {
                                count(s, props, enums, chars);
                            }
                        }
                    }
                    "enum" => {
                        if let Value::Array(a) = x {
                            *enums += a.len();
                            *chars += a
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::len)
                                .sum::<usize>();
                        }
                    }
                    "const" => *chars += x.as_str().map_or(0, str::len),
                    _ => count(x, props, enums, chars),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| count(x, props, enums, chars)),
        _ => {}
    }
}

/// Object nesting depth, following local `$ref`s (a recursive reference ends the path).
fn depth(v: &Value, root: &Value, stack: &mut Vec<String>) -> usize {
    match v {
        Value::Object(m) => {
            let own = usize::from(m.contains_key("properties"));
            let mut deepest = 0;
            for (k, x) in m {
                if k == "$defs" {
                    continue;
                }
                if k == "$ref" {
                    if let Some(name) = x.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        if stack.iter().any(|s| s == name) {
                            continue;
                        }
                        if let Some(d) = root.get("$defs").and_then(|d| d.get(name)) {
                            stack.push(name.to_string());
                            deepest = deepest.max(depth(d, root, stack));
                            stack.pop();
                        }
                    }
                    continue;
                }
                deepest = deepest.max(depth(x, root, stack));
            }
            own + deepest
        }
        Value::Array(a) => a.iter().map(|x| depth(x, root, stack)).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_makes_optional_nullable_and_closes_objects() {
        let s = json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "default": "x", "minLength": 1, "format": "int64"},
                "b": {"type": "integer"}
            },
            "required": ["b"],
            "additionalProperties": false
        });
        let out = strict_schema(&s).unwrap();
        assert_eq!(
            out,
            json!({
                "type": "object",
                "required": ["a", "b"],
                "properties": {"a": {"type": ["string", "null"]}, "b": {"type": "integer"}},
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn strict_refuses_free_form_and_tri_state() {
        let free = json!({"type": "object", "properties": {"m": {"type": "object"}}, "additionalProperties": false});
        assert!(strict_schema(&free).unwrap_err().contains("free-form"));
        let tri = json!({"type": "object", "properties": {"body": {"$ref": "#/$defs/B"}}, "additionalProperties": false,
            "$defs": {"B": {"type": "object", "properties": {"n": {"type": ["string", "null"]}}, "additionalProperties": false}}});
        assert!(strict_schema(&tri)
            .unwrap_err()
            .contains("optional and nullable"));
    }

    #[test]
    fn gemini_turns_type_arrays_into_any_of() {
        let s =
            json!({"type": ["string", "null"], "description": "d", "maxLength": 3, "const": "x"});
        assert_eq!(
            gemini_schema(&s),
            json!({"description": "d", "anyOf": [{"type": "string", "enum": ["x"]}, {"type": "null"}]})
        );
    }
}
