//! The same API moved from OpenAPI 3.0 to 3.1: `agentgen diff` reports no breaking change,
//! and the generated client code is the same (its docs may gain a `$ref`'s `description`). For Clerk's Backend API (from the mirror,
//! `AGENTGEN_SPEC_MIRROR`) the 3.1 document is made here, at test time, by a converter of
//! this file: Clerk's spec and anything made from it are never committed. For our own
//! `accounts` fixture the 3.1 version is committed (`tests/fixtures/accounts/spec-3.1.yaml`,
//! converted by hand).

use agentgen::diff::{diff, Class, DiffOptions};
use agentgen_tests::{mirror, repo_root};
use serde_json::{json, Map, Value};

/// Rewrite an OpenAPI 3.0 document as 3.1, construct by construct: `nullable` becomes a
/// `type` list (or an `anyOf` with `{type: "null"}`), a schema's `example` an `examples`
/// list, boolean `exclusiveMinimum`/`exclusiveMaximum` numbers, one-value `enum`s `const`,
/// `format: binary`/`byte` `contentMediaType`/`contentEncoding`, `x-webhooks` `webhooks`.
fn to_3_1(doc: &Value) -> Value {
    let mut doc = doc.clone();
    let root = doc.as_object_mut().unwrap();
    root.insert("openapi".into(), json!("3.1.0"));
    if let Some(hooks) = root.shift_remove("x-webhooks") {
        root.insert("webhooks".into(), hooks);
    }
    walk(&mut doc, false);
    doc
}

/// Visit every node; `schema` says whether `v` is a schema.
fn walk(v: &mut Value, schema: bool) {
    match v {
        Value::Object(m) => {
            if schema {
                convert_schema(m);
            }
            for (k, child) in m.iter_mut() {
                match k.as_str() {
                    "schema" | "items" | "not" => walk(child, true),
                    "additionalProperties" if child.is_object() => walk(child, true),
                    "allOf" | "anyOf" | "oneOf" => {
                        if let Value::Array(list) = child {
                            list.iter_mut().for_each(|s| walk(s, true));
                        }
                    }
                    "properties" | "schemas" if schema || k == "schemas" => {
                        if let Value::Object(map) = child {
                            map.values_mut().for_each(|s| walk(s, true));
                        }
                    }
                    // Not schemas: examples, extensions, enum values, defaults.
                    "example" | "examples" | "enum" | "default" | "const" => {}
                    k if k.starts_with("x-") && k != "x-webhooks" => {}
                    _ => walk(child, false),
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|x| walk(x, false)),
        _ => {}
    }
}

fn convert_schema(m: &mut Map<String, Value>) {
    if let Some(example) = m.shift_remove("example") {
        m.insert("examples".into(), json!([example]));
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if m.get(flag) == Some(&Value::Bool(true)) {
            if let Some(n) = m.shift_remove(bound) {
                m.insert(flag.into(), n);
            }
        } else if m.get(flag) == Some(&Value::Bool(false)) {
            m.shift_remove(flag);
        }
    }
    match m.get("format").and_then(Value::as_str) {
        Some("binary") => {
            m.shift_remove("format");
            m.insert("contentMediaType".into(), json!("application/octet-stream"));
        }
        Some("byte") => {
            m.shift_remove("format");
            m.insert("contentEncoding".into(), json!("base64"));
        }
        _ => {}
    }
    if let Some(Value::Array(values)) = m.get("enum") {
        if let [only] = values.as_slice() {
            let only = only.clone();
            m.shift_remove("enum");
            m.insert("const".into(), only);
        }
    }
    if m.shift_remove("nullable") == Some(Value::Bool(true)) {
        match m.get("type").cloned() {
            Some(Value::String(t)) => {
                m.insert("type".into(), json!([t, "null"]));
                // A nullable enum lists null among its values in 3.1.
                if let Some(Value::Array(values)) = m.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            _ => {
                // No type (a `$ref`, an `allOf` wrapper, a union): `anyOf` with null.
                let annotations = [
                    "description",
                    "title",
                    "readOnly",
                    "writeOnly",
                    "deprecated",
                    "default",
                ];
                let mut inner = Map::new();
                let mut outer = Map::new();
                for (k, x) in std::mem::take(m) {
                    if annotations.contains(&k.as_str()) {
                        outer.insert(k, x);
                    } else {
                        inner.insert(k, x);
                    }
                }
                // `allOf: [$ref]` is a 3.0 way to put siblings next to a `$ref`.
                let inner = match inner.get("allOf") {
                    Some(Value::Array(one)) if one.len() == 1 && inner.len() == 1 => one[0].clone(),
                    _ => Value::Object(inner),
                };
                outer.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                *m = outer;
            }
        }
    }
}

fn parse(text: &str) -> Value {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).unwrap()
    } else {
        yaml_serde::from_str(text).unwrap()
    }
}

#[test]
fn the_converter_writes_3_1() {
    let doc = json!({
        "openapi": "3.0.3",
        "x-webhooks": {"a.b": {"post": {}}},
        "components": {"schemas": {"A": {"type": "object", "properties": {
            "n": {"type": "string", "nullable": true, "example": "x"},
            "r": {"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true, "description": "d"},
            "o": {"type": "string", "enum": ["user"]},
            "f": {"type": "string", "format": "binary"},
            "m": {"type": "integer", "minimum": 0, "exclusiveMinimum": true}
        }}}}
    });
    let out = to_3_1(&doc);
    assert_eq!(out["openapi"], "3.1.0");
    assert!(out["webhooks"]["a.b"].is_object());
    let p = &out["components"]["schemas"]["A"]["properties"];
    assert_eq!(
        p["n"],
        json!({"type": ["string", "null"], "examples": ["x"]})
    );
    assert_eq!(
        p["r"],
        json!({"description": "d", "anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]})
    );
    assert_eq!(p["o"], json!({"type": "string", "const": "user"}));
    assert_eq!(
        p["f"],
        json!({"type": "string", "contentMediaType": "application/octet-stream"})
    );
    assert_eq!(p["m"], json!({"type": "integer", "exclusiveMinimum": 0}));
}

/// The diff of `old` (3.0) and `new` (its 3.1 version): no breaking change, and the same
/// client code, file for file.
fn same_api(label: &str, old: &str, new: &str) {
    let report = diff(
        &format!("{label} (3.0)"),
        old,
        &format!("{label} (3.1)"),
        new,
        &DiffOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{label}: {e}"));
    let listed: Vec<String> = report
        .changes
        .iter()
        .filter(|c| c.class == Class::Breaking || c.wire_breaking)
        .map(|c| format!("{} [{}] {:?} -> {:?}", c.place(), c.kind, c.old, c.new))
        .collect();
    assert!(
        listed.is_empty(),
        "{label}: {} breaking changes:\n{}",
        listed.len(),
        listed.join("\n")
    );
    println!(
        "{label}: {}",
        agentgen::diff::summary_line(&report).replace("**", "")
    );
    let file = format!("{label}.yaml");
    let generate = |text: &str| {
        agentgen::generate(
            &agentgen::Inputs::from_text(&file, text),
            &agentgen::Config::new(&file),
        )
        .unwrap_or_else(|e| panic!("{label}: {e}"))
        .files
    };
    // Doc comments aside: a `description` next to a `$ref` documents the field in 3.1 and
    // is ignored in 3.0.
    let code = |files: std::collections::BTreeMap<String, String>| {
        files
            .into_iter()
            .map(|(k, v)| {
                let code: Vec<&str> = v
                    .lines()
                    .filter(|l| {
                        let t = l.trim_start();
                        !t.starts_with("///") && !t.starts_with("//!")
                    })
                    .collect();
                (k, code.join("\n"))
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (a, b) = (code(generate(old)), code(generate(new)));
    let differing: std::collections::BTreeSet<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| k.starts_with("client/src/") && a.get(*k) != b.get(*k))
        .collect();
    // Under target/ (never committed: Clerk's prose), to compare by eye.
    let dir = repo_root().join("target/oas31-diff").join(label);
    for (side, files) in [("3.0", &a), ("3.1", &b)] {
        for k in &differing {
            if let Some(text) = files.get(*k) {
                let p = dir.join(side).join(k);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
        }
    }
    assert!(
        differing.is_empty(),
        "{label}: the 3.1 version generates different client files: {differing:?}"
    );
}

#[test]
fn clerk_bapi_moved_to_3_1_has_no_breaking_change() {
    let path = mirror().join("bapi/2026-05-12.yml");
    let old = std::fs::read_to_string(&path).unwrap();
    let new = serde_json::to_string_pretty(&to_3_1(&parse(&old))).unwrap();
    assert!(new.contains("\"openapi\": \"3.1.0\"") && !new.contains("\"nullable\""));
    same_api("clerk-bapi-2026-05-12", &old, &new);
}

#[test]
fn clerk_webhooks_moved_to_3_1_has_no_breaking_change() {
    let path = mirror().join("webhooks/2025-04-15.yml");
    let old = std::fs::read_to_string(&path).unwrap();
    let new = serde_json::to_string_pretty(&to_3_1(&parse(&old))).unwrap();
    let api = agentgen::generate(
        &agentgen::Inputs::from_text("hooks.json", new),
        &agentgen::Config::new("hooks.json"),
    )
    .unwrap()
    .api;
    assert_eq!(
        api.webhooks.len(),
        45,
        "3.1 `webhooks` read like `x-webhooks`"
    );
    assert_eq!(
        api.webhooks[0].pointer,
        format!("#/webhooks/{}", api.webhooks[0].event_type)
    );
}

#[test]
fn accounts_fixture_converted_by_hand_has_no_breaking_change() {
    let dir = repo_root().join("tests/fixtures/accounts");
    let old = std::fs::read_to_string(dir.join("spec.yaml")).unwrap();
    let new = std::fs::read_to_string(dir.join("spec-3.1.yaml")).unwrap();
    assert!(new.contains("openapi: 3.1.0"));
    same_api("accounts", &old, &new);
}
