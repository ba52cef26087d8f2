//! Agent documents (`agent/`): for Clerk's Backend API 2026-05-12 from the mirror
//! (`AGENTGEN_SPEC_MIRROR`, default `../shared/spec/clerk`) and for our fixture specs: every
//! operation appears once everywhere, every document validates (AgentSpec schema, MCP
//! `tools/list` schema, 2020-12 input/output schemas), each runtime's name and schema rules
//! hold, the skills keep their budgets, output is deterministic, no secret leaks, Arazzo
//! steps name real operations, and the connection prompt follows its rules. Clerk outputs are
//! written only under `target/` (they carry Clerk's prose).

#[path = "../corpus/mod.rs"]
mod corpus;

use agentgen_tests::{mirror, repo_root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn clerk_spec() -> PathBuf {
    mirror().join("bapi/2026-05-12.yml")
}

/// Clerk bapi 2026-05-12, generated once for every test of this file.
fn clerk() -> &'static agentgen::Generated {
    static GEN: OnceLock<agentgen::Generated> = OnceLock::new();
    GEN.get_or_init(|| {
        let g = agentgen::load_and_generate(&agentgen::Config::new(clerk_spec())).unwrap();
        // For people to look at; never committed.
        let dir = repo_root().join("target/clerk-gen/agent-docs");
        let _ = std::fs::remove_dir_all(&dir);
        for (rel, text) in g.files.iter().filter(|(k, _)| k.starts_with("agent/")) {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        g
    })
}

fn agent_files(g: &agentgen::Generated) -> BTreeMap<String, String> {
    g.files
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("agent/").map(|k| (k.to_string(), v.clone())))
        .collect()
}

fn json(files: &BTreeMap<String, String>, path: &str) -> Value {
    let text = files
        .get(path)
        .unwrap_or_else(|| panic!("missing agent/{path}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("agent/{path}: {e}"))
}

fn load_schema(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn agentspec_schema() -> Value {
    load_schema(&repo_root().join("schemas/agentspec.schema.json"))
}

fn mcp_list_schema() -> Value {
    let shared = std::env::var_os("AGENTGEN_SHARED_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/schemas"));
    load_schema(&shared.join("mcp-list-tools-result.schema.json"))
}

fn skill_name(files: &BTreeMap<String, String>) -> String {
    json(files, "agentspec.json")["name"]
        .as_str()
        .unwrap()
        .to_string()
}

fn errors_of(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every `$ref` is local (`#/$defs/...`) and resolves; no OpenAPI-only keyword is left.
fn check_schema_hygiene(schema: &Value, at: &str, failures: &mut Vec<String>) {
    fn walk(v: &Value, root: &Value, at: &str, failures: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match k.as_str() {
                        "$ref" => {
                            let r = x.as_str().unwrap_or("");
                            match r.strip_prefix("#/$defs/") {
                                Some(name) if root["$defs"].get(name).is_some() => {}
                                _ => failures.push(format!("{at}: dangling or external $ref {r}")),
                            }
                        }
                        "nullable" | "discriminator" | "example" | "x-nullable" => {
                            failures.push(format!("{at}: OpenAPI keyword `{k}`"))
                        }
                        "properties" | "$defs" => {
                            for s in x.as_object().into_iter().flat_map(|o| o.values()) {
                                walk(s, root, at, failures);
                            }
                        }
                        _ => walk(x, root, at, failures),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, root, at, failures)),
            _ => {}
        }
    }
    walk(schema, schema, at, failures);
    if let Err(e) = jsonschema::meta::validate(schema) {
        failures.push(format!("{at}: not a valid 2020-12 schema: {e}"));
    }
    if let Err(e) = jsonschema::draft202012::new(schema) {
        failures.push(format!("{at}: does not compile as 2020-12: {e}"));
    }
}

fn property_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "properties" {
                    for (name, p) in x.as_object().into_iter().flatten() {
                        out.insert(name.clone());
                        property_keys(p, out);
                    }
                } else {
                    property_keys(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| property_keys(x, out)),
        _ => {}
    }
}

fn keywords(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                match k.as_str() {
                    "properties" | "$defs" => {
                        for s in x.as_object().into_iter().flat_map(|o| o.values()) {
                            keywords(s, out);
                        }
                    }
                    "enum" | "const" | "required" | "default" | "examples" => {}
                    _ => keywords(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keywords(x, out)),
        _ => {}
    }
}

/// Name rules: the allowed first character, the allowed other characters, the longest length.
type NameRule = (fn(char) -> bool, fn(char) -> bool, usize);

fn rule(re: &str) -> NameRule {
    fn word(c: char) -> bool {
        c.is_ascii_alphanumeric() || c == '_' || c == '-'
    }
    fn dotted(c: char) -> bool {
        c.is_ascii_alphanumeric() || "_.-".contains(c)
    }
    fn gemini_first(c: char) -> bool {
        c.is_ascii_alphabetic() || c == '_'
    }
    fn gemini_rest(c: char) -> bool {
        c.is_ascii_alphanumeric() || "_.:-".contains(c)
    }
    fn lower(c: char) -> bool {
        c.is_ascii_lowercase()
    }
    fn snake(c: char) -> bool {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
    }
    match re {
        // OpenAI and Anthropic tool names: ^[a-zA-Z0-9_-]{1,64}$.
        "openai" => (word, word, 64),
        // Anthropic property keys: ^[a-zA-Z0-9_.-]{1,64}$.
        "anthropic-key" => (dotted, dotted, 64),
        // Gemini: starts with a letter or `_`, then [a-zA-Z0-9_.:-], at most 64.
        "gemini" => (gemini_first, gemini_rest, 64),
        // MCP: [A-Za-z0-9_.-], 1 to 128.
        "mcp" => (dotted, dotted, 128),
        // Our portable profile: ^[a-z][a-z0-9_]{0,63}$.
        "portable" => (lower, snake, 64),
        _ => unreachable!(),
    }
}

fn matches(re: &str, s: &str) -> bool {
    let (first, rest, max) = rule(re);
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if first(c) => {}
        _ => return false,
    }
    s.chars().count() <= max && chars.all(rest)
}

/// Every check that does not depend on the API: returns failures.
fn check_documents(g: &agentgen::Generated) -> Vec<String> {
    let files = agent_files(g);
    let api = &g.api;
    let mut failures = Vec::new();
    let spec_validator = jsonschema::draft202012::new(&agentspec_schema()).unwrap();
    let manifest = json(&files, "agentspec.json");
    failures.extend(
        errors_of(&spec_validator, &manifest)
            .into_iter()
            .map(|e| format!("agentspec.json: {e}")),
    );

    // Every operation once in the manifest, in ops/, in the index and in each tool file.
    let ids: BTreeSet<&str> = api
        .operations
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    let manifest_ops = manifest["operations"].as_array().unwrap();
    let names: Vec<String> = manifest_ops
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    let name_set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    if names.len() != api.operations.len() || name_set.len() != names.len() {
        failures.push(format!(
            "manifest lists {} operations ({} distinct names) for {} in the spec",
            names.len(),
            name_set.len(),
            api.operations.len()
        ));
    }
    let manifest_ids: BTreeSet<&str> = manifest_ops
        .iter()
        .map(|o| o["operationId"].as_str().unwrap())
        .collect();
    if manifest_ids != ids {
        failures.push("manifest operationIds differ from the spec's".into());
    }
    let op_files: BTreeSet<&str> = files
        .keys()
        .filter_map(|k| k.strip_prefix("ops/")?.strip_suffix(".json"))
        .collect();
    if op_files != name_set {
        failures.push("ops/*.json differ from the manifest's operations".into());
    }
    let count_in = |list: &Vec<Value>, key: &str| -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for t in list {
            *m.entry(t[key].as_str().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
        m
    };
    let once: BTreeMap<String, usize> = names.iter().map(|n| (n.clone(), 1)).collect();
    let mcp = json(&files, "tools/mcp.tools.json");
    let openai = json(&files, "tools/openai.tools.json");
    let anthropic = json(&files, "tools/anthropic.tools.json");
    let gemini = json(&files, "tools/gemini.tools.json");
    for (what, list) in [
        ("mcp", mcp["tools"].as_array().unwrap()),
        ("openai", openai["tools"].as_array().unwrap()),
        ("anthropic", anthropic["tools"].as_array().unwrap()),
        ("gemini", gemini["functionDeclarations"].as_array().unwrap()),
    ] {
        if count_in(list, "name") != once {
            failures.push(format!(
                "{what}: tool names differ from the manifest's, or repeat"
            ));
        }
    }
    let skill = skill_name(&files);
    for (dir, read_only) in [(skill.clone(), false), (format!("{skill}-readonly"), true)] {
        // A webhooks-only API has no operation index (nothing to call).
        let Some(index) = files.get(&format!("skills/{dir}/references/index.md")) else {
            if !api.operations.is_empty() || api.webhooks.is_empty() {
                failures.push(format!("skills/{dir}/references/index.md missing"));
            }
            continue;
        };
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for line in index.lines() {
            if let Some(rest) = line.strip_prefix("- `") {
                let name = rest.split('`').next().unwrap().to_string();
                *seen.entry(name).or_insert(0) += 1;
            }
        }
        let expected: BTreeMap<String, usize> = manifest_ops
            .iter()
            .filter(|o| !read_only || (o["class"] == "read" && o.get("credential").is_none()))
            .map(|o| (o["name"].as_str().unwrap().to_string(), 1))
            .collect();
        if seen != expected {
            failures.push(format!(
                "skills/{dir}/references/index.md: operation lines differ from the manifest"
            ));
        }
        // Index links point at existing group files.
        for line in index.lines().filter(|l| l.starts_with("- `")) {
            let target = line
                .rsplit("](")
                .next()
                .and_then(|t| t.split('#').next())
                .unwrap_or("");
            if !files.contains_key(&format!("skills/{dir}/references/{target}")) {
                failures.push(format!("skills/{dir}: index links to missing {target}"));
                break;
            }
        }
    }

    // Operation documents: AgentSpec schema, schema hygiene, examples valid, hints explicit.
    for name in &names {
        let path = format!("ops/{name}.json");
        let doc = json(&files, &path);
        failures.extend(
            errors_of(&spec_validator, &doc)
                .into_iter()
                .map(|e| format!("{path}: {e}")),
        );
        let input = &doc["inputSchema"];
        check_schema_hygiene(input, &format!("{path} inputSchema"), &mut failures);
        if let Some(out) = doc.get("outputSchema") {
            check_schema_hygiene(out, &format!("{path} outputSchema"), &mut failures);
            if out["type"] != "object" {
                failures.push(format!("{path}: outputSchema root is not an object"));
            }
        }
        if input["type"] != "object" || input["additionalProperties"] != false {
            failures.push(format!("{path}: inputSchema root is not a closed object"));
        }
        for c in ["anyOf", "oneOf", "allOf", "not", "if"] {
            if input.get(c).is_some() {
                failures.push(format!("{path}: inputSchema has root `{c}`"));
            }
        }
        if let Ok(v) = jsonschema::draft202012::new(input) {
            for ex in doc["examples"].as_array().unwrap() {
                let errs = errors_of(&v, &ex["input"]);
                if !errs.is_empty() {
                    failures.push(format!("{path}: example does not validate: {errs:?}"));
                }
            }
        }
        let a = &doc["annotations"];
        for h in [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            if !a[h].is_boolean() {
                failures.push(format!("{path}: annotation {h} is not explicit"));
            }
        }
        let class = doc["safety"]["class"].as_str().unwrap();
        let op = api
            .operations
            .iter()
            .find(|o| o.operation_id == doc["operationId"])
            .unwrap();
        let ir_class = match op.safety.class {
            agentgen::ir::SafetyClass::Read => "read",
            agentgen::ir::SafetyClass::Write => "write",
            agentgen::ir::SafetyClass::Destructive => "destructive",
        };
        if class != ir_class || a["idempotentHint"] != op.safety.idempotent {
            failures.push(format!("{path}: safety differs from the IR"));
        }
        // Input keys are exactly the parameters' wire names plus `body` (what Client::call takes).
        let keys: BTreeSet<&str> = input["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected: BTreeSet<&str> = op.params.iter().map(|p| p.wire_name.as_str()).collect();
        if op.body.is_some() {
            expected.insert("body");
        }
        if keys != expected {
            failures.push(format!("{path}: input keys {keys:?} != {expected:?}"));
        }
    }

    // MCP tools/list result.
    let mcp_validator = jsonschema::draft202012::new(&mcp_list_schema()).unwrap();
    failures.extend(
        errors_of(&mcp_validator, &mcp)
            .into_iter()
            .map(|e| format!("mcp.tools.json: {e}")),
    );
    for t in mcp["tools"].as_array().unwrap() {
        let n = t["name"].as_str().unwrap();
        if !matches("mcp", n) || !matches("portable", n) {
            failures.push(format!("mcp: bad tool name {n}"));
        }
    }
    // OpenAI: names; strict tools use the strict subset; others say why.
    let non_strict = openai["nonStrict"].as_object().unwrap();
    for t in openai["tools"].as_array().unwrap() {
        let n = t["name"].as_str().unwrap();
        if !matches("openai", n) {
            failures.push(format!("openai: bad tool name {n}"));
        }
        if t["strict"] == true {
            check_openai_strict(&t["parameters"], n, &mut failures);
            if non_strict.contains_key(n) {
                failures.push(format!("openai: {n} is strict but listed in nonStrict"));
            }
        } else if non_strict
            .get(n)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            failures.push(format!("openai: {n} is not strict and gives no reason"));
        }
    }
    // Anthropic: names, property keys, no root composition.
    for t in anthropic["tools"].as_array().unwrap() {
        let n = t["name"].as_str().unwrap();
        if !matches("openai", n) {
            failures.push(format!("anthropic: bad tool name {n}"));
        }
        let s = &t["input_schema"];
        if s["type"] != "object"
            || ["oneOf", "anyOf", "allOf"]
                .iter()
                .any(|c| s.get(*c).is_some())
        {
            failures.push(format!(
                "anthropic: {n} input_schema root is not a plain object"
            ));
        }
        let mut keys = BTreeSet::new();
        property_keys(s, &mut keys);
        for k in keys {
            if !matches("anthropic-key", &k) {
                failures.push(format!("anthropic: {n} has property key {k:?}"));
            }
        }
        let obj = t.as_object().unwrap();
        let fields: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        if fields != BTreeSet::from(["name", "description", "input_schema"]) {
            failures.push(format!("anthropic: {n} has fields {fields:?}"));
        }
    }
    // Gemini: names and the documented keyword subset.
    let allowed: BTreeSet<&str> = [
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
    ]
    .into_iter()
    .collect();
    for t in gemini["functionDeclarations"].as_array().unwrap() {
        let n = t["name"].as_str().unwrap();
        if !matches("gemini", n) {
            failures.push(format!("gemini: bad tool name {n}"));
        }
        let s = &t["parametersJsonSchema"];
        let mut kw = BTreeSet::new();
        keywords(s, &mut kw);
        for k in kw {
            if !allowed.contains(k.as_str()) {
                failures.push(format!("gemini: {n} uses keyword {k}"));
            }
        }
        if let Err(e) = jsonschema::draft202012::new(s) {
            failures.push(format!("gemini: {n} does not compile: {e}"));
        }
    }
    failures
}

fn check_openai_strict(schema: &Value, name: &str, failures: &mut Vec<String>) {
    let allowed: BTreeSet<&str> = [
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
    ]
    .into_iter()
    .collect();
    let mut kw = BTreeSet::new();
    keywords(schema, &mut kw);
    for k in kw {
        if !allowed.contains(k.as_str()) {
            failures.push(format!("openai strict: {name} uses keyword {k}"));
        }
    }
    fn objects(v: &Value, name: &str, failures: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(props)) = m.get("properties") {
                    if m.get("additionalProperties") != Some(&Value::Bool(false)) {
                        failures.push(format!("openai strict: {name} has an open object"));
                    }
                    let req: BTreeSet<&str> = m
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let keys: BTreeSet<&str> = props.keys().map(String::as_str).collect();
                    if req != keys {
                        failures.push(format!("openai strict: {name} has optional properties"));
                    }
                }
                if m.get("type") == Some(&Value::String("object".into()))
                    && !m.contains_key("properties")
                    && !m.contains_key("anyOf")
                {
                    failures.push(format!("openai strict: {name} has a free-form object"));
                }
                for (k, x) in m {
                    match (k.as_str(), x) {
                        // Maps of schemas (a property may be named `properties`).
                        ("properties" | "$defs", Value::Object(schemas)) => {
                            schemas.values().for_each(|s| objects(s, name, failures))
                        }
                        _ => objects(x, name, failures),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| objects(x, name, failures)),
            _ => {}
        }
    }
    objects(schema, name, failures);
}

/// Frontmatter fields and body of a SKILL.md.
fn split_skill(text: &str) -> (BTreeMap<String, Value>, String) {
    let rest = text.strip_prefix("---\n").expect("frontmatter");
    let end = rest.find("\n---\n").expect("frontmatter end");
    let fm: BTreeMap<String, Value> = yaml_serde::from_str(&rest[..end]).unwrap();
    (fm, rest[end + 5..].to_string())
}

/// Agent Skills rules and budgets for both skills: returns failures and (lines, tokens) of
/// each SKILL.md body.
fn check_skills(g: &agentgen::Generated) -> (Vec<String>, Vec<(String, usize, usize)>) {
    let files = agent_files(g);
    let skill = skill_name(&files);
    let mut failures = Vec::new();
    let mut sizes = Vec::new();
    for dir in [skill.clone(), format!("{skill}-readonly")] {
        let text = &files[&format!("skills/{dir}/SKILL.md")];
        let (fm, body) = split_skill(text);
        let keys: BTreeSet<&str> = fm.keys().map(String::as_str).collect();
        for k in &keys {
            if ![
                "name",
                "description",
                "license",
                "compatibility",
                "metadata",
                "allowed-tools",
            ]
            .contains(k)
            {
                failures.push(format!(
                    "{dir}: frontmatter key {k} is not in the Agent Skills spec"
                ));
            }
        }
        let name = fm["name"].as_str().unwrap_or("");
        if name != dir {
            failures.push(format!("{dir}: name {name} differs from the folder"));
        }
        let valid_name = !name.is_empty()
            && name.len() <= 64
            && name.split('-').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if !valid_name || name.contains("claude") || name.contains("anthropic") {
            failures.push(format!("{dir}: invalid skill name {name}"));
        }
        let desc = fm["description"].as_str().unwrap_or("");
        let head: String = desc.chars().take(250).collect();
        if desc.is_empty() || desc.chars().count() > 1024 {
            failures.push(format!(
                "{dir}: description has {} chars",
                desc.chars().count()
            ));
        }
        if !head.contains("Use when") || desc.contains('<') {
            failures.push(format!(
                "{dir}: description must say when to use it within 250 chars: {head}"
            ));
        }
        let compat = fm
            .get("compatibility")
            .and_then(Value::as_str)
            .unwrap_or("");
        if compat.chars().count() > 500 {
            failures.push(format!("{dir}: compatibility too long"));
        }
        let lines = body.lines().count();
        let tokens = body.chars().count() / 4;
        if lines >= 500 || tokens > 5000 {
            failures.push(format!(
                "{dir}: SKILL.md body has {lines} lines, ~{tokens} tokens"
            ));
        }
        sizes.push((dir.clone(), lines, tokens));
        // Every reference named in SKILL.md exists; long references have a table of contents.
        for r in body.split("`references/").skip(1) {
            let file = r.split('`').next().unwrap();
            if file.contains('<') {
                continue;
            }
            if !files.contains_key(&format!("skills/{dir}/references/{file}")) {
                failures.push(format!("{dir}: SKILL.md names missing references/{file}"));
            }
        }
        for (p, t) in files
            .iter()
            .filter(|(p, _)| p.starts_with(&format!("skills/{dir}/references/")))
        {
            if t.lines().count() > 100 && !t.contains("\n## Contents\n") {
                failures.push(format!("{p}: over 100 lines without a table of contents"));
            }
        }
    }
    // The read-only skill lists only read operations and tells the agent to refuse writes.
    let ro = format!("skills/{skill}-readonly/");
    let manifest = json(&files, "agentspec.json");
    let writes: Vec<&str> = manifest["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["class"] != "read")
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for (p, t) in files.iter().filter(|(p, _)| p.starts_with(&ro)) {
        for w in &writes {
            if t.contains(&format!("`{w}`")) || t.contains(&format!("## {w}\n")) {
                failures.push(format!("{p} mentions the write operation {w}"));
                break;
            }
        }
    }
    // ... nor operations that return credentials (SKILL.md names them once, to say they are
    // left out).
    let credentials: Vec<&str> = manifest["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["credential"] == true)
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    let ro_refs = format!("{ro}references/");
    for (p, t) in files.iter().filter(|(p, _)| p.starts_with(&ro_refs)) {
        for c in &credentials {
            if t.contains(&format!("`{c}`")) || t.contains(&format!("## {c}\n")) {
                failures.push(format!("{p} mentions the credential operation {c}"));
                break;
            }
        }
    }
    let ro_skill = &files[&format!("{ro}SKILL.md")];
    for c in &credentials {
        if !writes.contains(c) && !ro_skill.contains(&format!("`{c}`")) {
            failures.push(format!(
                "read-only SKILL.md does not say that it leaves out {c}"
            ));
        }
    }
    if !files[&format!("{ro}SKILL.md")].contains("Refuse writes") {
        failures.push("read-only SKILL.md does not tell the agent to refuse writes".into());
    }
    (failures, sizes)
}

#[test]
fn clerk_documents_cover_every_operation_and_validate() {
    let g = clerk();
    assert_eq!(g.api.operations.len(), 249);
    let failures = check_documents(g);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let agent_warnings: Vec<_> = g
        .diagnostics
        .iter()
        .filter(|d| d.code == "agent-data")
        .collect();
    assert!(
        agent_warnings.is_empty(),
        "reviewed data does not fit the spec: {agent_warnings:?}"
    );
}

/// Checks of the webhooks part of the documents: every event once in the manifest with a
/// payload schema that is valid JSON Schema, the reference in both skills, SKILL.md pointing
/// to it.
fn check_webhooks(g: &agentgen::Generated) -> Vec<String> {
    let files = agent_files(g);
    let manifest = json(&files, "agentspec.json");
    let mut failures = Vec::new();
    let hooks = &manifest["webhooks"];
    let events = hooks["events"].as_array().cloned().unwrap_or_default();
    if events.len() != g.api.webhooks.len() || events.is_empty() {
        failures.push(format!(
            "manifest lists {} webhook events for {}",
            events.len(),
            g.api.webhooks.len()
        ));
    }
    for (e, ir) in events.iter().zip(&g.api.webhooks) {
        if e["type"] != ir.event_type.as_str() {
            failures.push(format!("event {} out of order", ir.event_type));
        }
        let key = e["payload"].as_str().unwrap_or_default();
        match hooks["payloads"].get(key) {
            Some(schema) => {
                if let Err(err) = jsonschema::meta::validate(schema) {
                    failures.push(format!("payload schema {key}: {err}"));
                }
            }
            None => failures.push(format!("{}: payload {key} has no schema", ir.event_type)),
        }
    }
    let reference = hooks["reference"].as_str().unwrap_or_default();
    if !files.contains_key(reference) {
        failures.push(format!("webhooks reference {reference} missing"));
    }
    for (path, text) in &files {
        if path.ends_with("/SKILL.md") {
            let dir = path.trim_end_matches("SKILL.md");
            let file = "references/webhook-events.md";
            if !text.contains(file) || !files.contains_key(&format!("{dir}{file}")) {
                failures.push(format!("{path}: no webhooks section pointing to {file}"));
            }
        }
        if path.ends_with("references/webhook-events.md") {
            for e in &g.api.webhooks {
                if !text.contains(&format!("`{}`", e.event_type)) {
                    failures.push(format!("{path}: event {} missing", e.event_type));
                }
            }
            for needle in [
                "svix-signature",
                "HMAC-SHA256",
                "whsec_",
                "```rust",
                "```python",
            ] {
                if !text.contains(needle) {
                    failures.push(format!("{path}: lacks {needle}"));
                }
            }
        }
    }
    failures
}

#[test]
fn clerk_webhooks_documents_validate_alone_and_merged() {
    let webhooks = mirror().join("webhooks/2025-04-15.yml");
    let alone = agentgen::load_and_generate(&agentgen::Config::new(&webhooks)).unwrap();
    assert_eq!(alone.api.webhooks.len(), 45);
    let mut config = agentgen::Config::new(clerk_spec());
    config.webhooks_spec = Some(webhooks);
    let merged = agentgen::load_and_generate(&config).unwrap();
    assert_eq!(merged.api.operations.len(), 249);
    assert_eq!(merged.api.webhooks.len(), 45);
    let mut failures = Vec::new();
    for (name, g) in [("webhooks alone", &alone), ("bapi + webhooks", &merged)] {
        let found = check_documents(g)
            .into_iter()
            .chain(check_skills(g).0)
            .chain(check_webhooks(g));
        failures.extend(found.map(|f| format!("{name}: {f}")));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let manifest = json(&agent_files(&merged), "agentspec.json");
    let payloads = manifest["webhooks"]["payloads"].as_object().unwrap();
    assert_eq!(
        payloads.len(),
        16,
        "{:?}",
        payloads.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        manifest["webhooks"]["verification"]["secretEnv"],
        "CLERK_WEBHOOK_SIGNING_SECRET"
    );
    println!(
        "bapi + webhooks agentspec.json: {} bytes; webhooks alone: {} bytes",
        agent_files(&merged)["agentspec.json"].len(),
        agent_files(&alone)["agentspec.json"].len()
    );
}

#[test]
fn clerk_skills_follow_the_agent_skills_rules() {
    let (failures, sizes) = check_skills(clerk());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let files = agent_files(clerk());
    let skill = skill_name(&files);
    assert_eq!(skill, "clerk-backend-api");
    for (dir, lines, tokens) in sizes {
        let total: usize = files
            .iter()
            .filter(|(p, _)| p.starts_with(&format!("skills/{dir}/")))
            .map(|(_, t)| t.len())
            .sum();
        let count = files
            .keys()
            .filter(|p| p.starts_with(&format!("skills/{dir}/")))
            .count();
        println!("{dir}: SKILL.md body {lines} lines, ~{tokens} tokens; skill {count} files, {total} bytes");
    }
}

#[test]
fn clerk_annotations_and_reviewed_hints() {
    let files = agent_files(clerk());
    let op = |name: &str| json(&files, &format!("ops/{name}.json"));
    let list = op("users_list");
    assert_eq!(list["operationId"], "GetUserList");
    assert_eq!(
        list["annotations"],
        serde_json::json!({"title": "List all users", "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false})
    );
    assert_eq!(list["output"]["wrap"], "items");
    assert_eq!(list["outputSchema"]["properties"]["items"]["type"], "array");
    let invite = op("invitations_create");
    assert_eq!(invite["annotations"]["openWorldHint"], true);
    assert_eq!(invite["safety"]["confirm"], "required");
    let ban = op("users_ban");
    assert_eq!(ban["annotations"]["destructiveHint"], true);
    assert!(ban["safety"]["reason"].is_string());
    // Free-form metadata cannot be strict for OpenAI; the reason says so.
    let openai = json(&files, "tools/openai.tools.json");
    let reason = openai["nonStrict"]["users_update_metadata"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("free-form") || reason.contains("nullable"),
        "{reason}"
    );
    assert!(
        openai["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["strict"] == true),
        "some tools are strict"
    );
}

#[test]
fn clerk_output_is_byte_identical_across_runs() {
    let again = agentgen::load_and_generate(&agentgen::Config::new(clerk_spec())).unwrap();
    let first = agent_files(clerk());
    let second = agent_files(&again);
    assert_eq!(first.len(), second.len());
    for (k, v) in &first {
        assert!(second.get(k) == Some(v), "agent/{k} differs between runs");
    }
}

#[test]
fn clerk_arazzo_steps_name_existing_operations() {
    let g = clerk();
    let files = agent_files(g);
    let manifest = json(&files, "agentspec.json");
    let path = manifest["workflows"].as_str().expect("workflows file");
    let doc: Value = yaml_serde::from_str(&files[path]).unwrap();
    assert_eq!(doc["arazzo"], "1.0.1");
    let workflows = doc["workflows"].as_array().unwrap();
    assert!(workflows.len() >= 5);
    for w in workflows {
        for s in w["steps"].as_array().unwrap() {
            let id = s["operationId"].as_str().unwrap();
            let op = g
                .api
                .operations
                .iter()
                .find(|o| o.operation_id == id)
                .unwrap_or_else(|| panic!("step {} names unknown {id}", s["stepId"]));
            for p in s["parameters"].as_array().into_iter().flatten() {
                let param = op
                    .params
                    .iter()
                    .find(|x| x.wire_name == p["name"])
                    .unwrap_or_else(|| panic!("{id} has no parameter {}", p["name"]));
                let loc = serde_json::to_value(param.location).unwrap();
                assert_eq!(p["in"], loc);
            }
        }
    }
}

const SECRET: &str = "sk_live_Zq8fakeSecretValue0123456789abcdef";

/// A connection document in the documented shape.
fn connection(token: &str, read_only: &str) -> String {
    format!(
        r#"{{"display_name": "Acme production", "description": "Acme's customer accounts, used by the support desk.",
            "connection_details": {{"clerk": {{"bearer_token": {{"token": "{token}"}}, "read_only": {read_only}}}}}}}"#
    )
}

#[test]
fn no_secret_in_any_document() {
    let g = clerk();
    let config = agentgen::Config::new(clerk_spec());
    let mut outputs: Vec<(String, String)> = agent_files(g).into_iter().collect();
    let full = agentgen::agent::connection::PromptOptions::full();
    for read_only in ["true", "false"] {
        let prompt = agentgen::agent::connection_prompt(
            &g.api,
            &config,
            &connection(SECRET, read_only),
            &full,
        )
        .unwrap();
        outputs.push((format!("prompt read_only={read_only}"), prompt));
    }
    // Errors about the document do not echo the key either.
    for bad in [
        connection(SECRET, &format!("\"{SECRET}\"")),
        connection(SECRET, "true").replace("read_only", "readonly"),
        connection(SECRET, "true").replace("display_name", "name"),
    ] {
        let err = agentgen::agent::connection_prompt(&g.api, &config, &bad, &full).unwrap_err();
        outputs.push(("error".into(), err));
    }
    for (path, text) in &outputs {
        assert!(!text.contains(SECRET), "{path} contains the secret key");
        assert!(
            !text.contains("Zq8fakeSecret"),
            "{path} contains part of the secret key"
        );
    }
}

#[test]
fn connection_prompt_rules() {
    let g = clerk();
    let config = agentgen::Config::new(clerk_spec());
    let full = agentgen::agent::connection::PromptOptions::full();
    let prompt = |doc: &str| agentgen::agent::connection_prompt(&g.api, &config, doc, &full);
    let ro = prompt(&connection("sk_live_abc123", "true")).unwrap();
    assert!(ro.contains("This connection is read-only"), "{ro}");
    assert!(ro.contains("enforced"), "{ro}");
    assert!(ro.contains("**production**"), "{ro}");
    assert!(!ro.contains("abc123"));
    assert!(ro.contains("`users_list`"));
    assert!(
        !ro.contains("`users_delete`"),
        "read-only prompt lists a write"
    );
    assert!(ro.contains("Acme's customer accounts, used by the support desk."));
    assert!(ro.contains("## Workflows") && ro.contains("Find a user by email address"));
    let rw = prompt(&connection("sk_test_xyz789", "false")).unwrap();
    assert!(rw.contains("**development**"), "{rw}");
    assert!(!rw.contains("xyz789"));
    assert!(!rw.contains("This connection is read-only"));
    assert!(rw.contains("`users_delete`"));
    let lines = rw.lines().count();
    assert!(lines < 400, "connection prompt has {lines} lines");
    // Group titles appear once, however many tags share them.
    for title in ["Email & SMS Templates", "Allow-list / Block-list"] {
        assert_eq!(rw.matches(&format!("- {title}:")).count(), 1, "{title}");
    }
    // The operator's words arrive as written, fenced, never HTML-escaped.
    let described = prompt(&connection("sk_test_1", "true").replace(
        "Acme's customer accounts, used by the support desk.",
        "Find a user: GET /v1/users?email_address=<email> & check `status`",
    ))
    .unwrap();
    assert!(
        described.contains(
            "```text\nFind a user: GET /v1/users?email_address=<email> & check `status`\n```"
        ),
        "{described}"
    );
    assert!(!described.contains("&lt;"));
    // Behind a tool server: groups with counts, not every tool; withheld credentials are
    // counted, not named; and it is much shorter.
    let tools = agentgen::agent::connection_prompt(
        &g.api,
        &config,
        &connection("sk_test_xyz789", "false"),
        &agentgen::agent::connection::PromptOptions::via_tools(),
    )
    .unwrap();
    assert!(
        tools.contains("By group: ") && tools.contains("Users ("),
        "{tools}"
    );
    assert!(!tools.contains("`users_delete`") && !tools.contains("`machines_get_secret_key`"));
    assert!(tools.contains("Credentials are withheld"));
    assert!(
        tools.len() * 2 < rw.len(),
        "{} vs {}",
        tools.len(),
        rw.len()
    );
    // A write ceiling: destructive operations refused, credentials withheld.
    let onboarding = prompt(
        &connection("sk_test_1", "false")
            .replace("\"read_only\": false", "\"max_class\": \"write\""),
    )
    .unwrap();
    assert!(onboarding.contains("ceiling is `write`"), "{onboarding}");
    assert!(onboarding.contains("`invitations_create`") && !onboarding.contains("`users_delete`"));
    // Malformed documents: the error names the field.
    let err = prompt(&connection("sk_test_1", "\"maybe\"")).unwrap_err();
    assert!(err.contains("connection_details.clerk.read_only"), "{err}");
    let err =
        prompt(&connection("sk_test_1", "true").replace("read_only", "readonly")).unwrap_err();
    assert!(err.contains("readonly"), "{err}");
    let err = prompt(r#"{"connection_details": {"clerk": {}}}"#).unwrap_err();
    assert!(err.contains("display_name"), "{err}");
    let err =
        prompt(r#"{"display_name": ["x"], "connection_details": {"clerk": {}}}"#).unwrap_err();
    assert!(err.contains("`display_name`"), "{err}");
    let err = prompt(
        r#"{"display_name": "x", "connection_details": {"clerk": {"bearer_token": "sk_test_1"}}}"#,
    )
    .unwrap_err();
    assert!(
        err.contains("connection_details.clerk.bearer_token"),
        "{err}"
    );
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        for n in ["spec.yaml", "spec.yml", "spec.json"] {
            let p = e.path().join(n);
            if p.is_file() {
                out.push((e.file_name().to_string_lossy().to_string(), p));
            }
        }
    }
    out.sort();
    out
}

use agentgen_tests::fixture_config;

#[test]
fn fixture_documents_validate() {
    let mut failures = Vec::new();
    for (case, spec) in fixtures() {
        let g = agentgen::load_and_generate(&fixture_config(&case, &spec)).unwrap();
        failures.extend(
            check_documents(&g)
                .into_iter()
                .map(|f| format!("{case}: {f}")),
        );
        failures.extend(
            check_skills(&g)
                .0
                .into_iter()
                .map(|f| format!("{case}: {f}")),
        );
        if !g.api.webhooks.is_empty() {
            failures.extend(
                check_webhooks(&g)
                    .into_iter()
                    .map(|f| format!("{case}: {f}")),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn templates_can_be_overridden() {
    let (case, spec) = fixtures()
        .into_iter()
        .find(|(c, _)| c == "minimal")
        .unwrap();
    let mut config = fixture_config(&case, &spec);
    config.templates.insert(
        "index.md.j2".to_string(),
        "# custom index for {{ skill }}\n".to_string(),
    );
    let g = agentgen::load_and_generate(&config).unwrap();
    let files = agent_files(&g);
    let skill = skill_name(&files);
    assert_eq!(
        files[&format!("skills/{skill}/references/index.md")],
        format!("# custom index for {skill}\n")
    );
    // An undefined variable is an error, not an empty string.
    config.templates.insert(
        "index.md.j2".to_string(),
        "{{ no_such_variable }}\n".to_string(),
    );
    let err = agentgen::load_and_generate(&config)
        .unwrap_err()
        .to_string();
    assert!(err.contains("undefined"), "{err}");
}

#[test]
fn the_checks_catch_broken_documents() {
    let (case, spec) = fixtures()
        .into_iter()
        .find(|(c, _)| c == "accounts")
        .unwrap();
    let good = agentgen::load_and_generate(&fixture_config(&case, &spec)).unwrap();
    assert!(check_documents(&good).is_empty());
    let edit = |path: &str, f: &dyn Fn(&mut Value)| {
        let mut g = good.clone();
        let key = format!("agent/{path}");
        let mut v: Value = serde_json::from_str(&g.files[&key]).unwrap();
        f(&mut v);
        g.files.insert(key, serde_json::to_string(&v).unwrap());
        check_documents(&g)
    };
    let found = |failures: Vec<String>, what: &str| {
        assert!(
            failures.iter().any(|f| f.contains(what)),
            "expected a failure mentioning {what:?}, got {failures:?}"
        );
    };
    found(
        edit("tools/mcp.tools.json", &|v| {
            v["tools"].as_array_mut().unwrap().pop();
        }),
        "mcp: tool names differ",
    );
    found(
        edit("ops/accounts_get.json", &|v| {
            v["inputSchema"]["properties"]["account_id"]["nullable"] = Value::Bool(true);
        }),
        "OpenAPI keyword `nullable`",
    );
    found(
        edit("ops/accounts_get.json", &|v| {
            v["inputSchema"]["properties"]["account_id"] =
                serde_json::json!({"$ref": "#/$defs/Nope"});
        }),
        "dangling or external $ref",
    );
    found(
        edit("ops/accounts_get.json", &|v| {
            v["annotations"]["readOnlyHint"] = Value::Bool(false);
        }),
        "ops/accounts_get.json",
    );
    found(
        edit("tools/openai.tools.json", &|v| {
            let t = v["tools"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|t| t["strict"] == true)
                .unwrap();
            t["parameters"]["required"] = serde_json::json!([]);
        }),
        "has optional properties",
    );
    found(
        edit("tools/gemini.tools.json", &|v| {
            v["functionDeclarations"][0]["parametersJsonSchema"]["default"] = Value::Null;
        }),
        "uses keyword default",
    );
}

#[test]
fn clerk_reference_files_are_one_per_tag() {
    let g = clerk();
    let files = agent_files(g);
    let dir = skill_name(&files);
    let manifest = json(&files, "agentspec.json");
    let mut tags: BTreeSet<String> = BTreeSet::new();
    for op in &g.api.operations {
        let entry = manifest["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["operationId"] == op.operation_id.as_str())
            .unwrap_or_else(|| panic!("{} missing from the manifest", op.operation_id));
        let tool = entry["name"].as_str().unwrap();
        for tag in &op.tags {
            tags.insert(tag.clone());
            let file = agentgen::lower::sections::reference_file(tag);
            let text = files
                .get(&format!("skills/{dir}/references/{file}.md"))
                .unwrap_or_else(|| panic!("no reference file for tag {tag}"));
            assert!(
                text.contains(tool),
                "{tool} is not in the file of its tag {tag}"
            );
        }
    }
    // Clerk uses 41 tags; every one has its file, and operations with two tags are in both.
    assert_eq!(tags.len(), 41);
    assert!(g.api.operations.iter().any(|o| o.tags.len() == 2));
    // A plural acronym stays one word in the file name, and the manifest links the file the
    // skill has.
    assert!(tags.contains("Redirect URLs"));
    let redirect = format!("skills/{dir}/references/redirect-urls.md");
    assert!(files.contains_key(&redirect), "no {redirect}");
    assert!(!files.keys().any(|k| k.contains("redirect-ur-ls")));
    let groups = manifest["groups"].as_array().unwrap();
    let entry = groups
        .iter()
        .find(|g| g["title"] == "Redirect URLs")
        .expect("a Redirect URLs group");
    assert_eq!(
        entry["reference"],
        format!("skills/{dir}/references/redirect-urls.md")
    );
    for g in groups {
        let reference = g["reference"].as_str().unwrap();
        assert!(files.contains_key(reference), "{reference} is not a file");
    }
}

/// The real-world corpus (`tests/corpus/corpus.yaml`, fetched and cached by `tests/corpus/`):
/// every spec's documents validate and its skills follow the Agent Skills rules.
#[test]
fn corpus_documents_validate() {
    let mut failures = Vec::new();
    for e in corpus::entries() {
        let spec = corpus::fetch(&e);
        let g =
            agentgen::load_and_generate(&agentgen::Config::new(&spec).crate_name(e.crate_name()))
                .unwrap_or_else(|err| panic!("{}: {err}", e.name));
        assert_eq!(g.api.operations.len(), e.operations, "{}", e.name);
        let found = check_documents(&g)
            .into_iter()
            .chain(check_skills(&g).0)
            .chain(if g.api.webhooks.is_empty() {
                Vec::new()
            } else {
                check_webhooks(&g)
            });
        failures.extend(found.map(|f| format!("{}: {f}", e.name)));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `(group module, stream method)` of every stream of the generated client: a `pub fn` whose
/// signature returns a `PageStream`.
fn client_streams(g: &agentgen::Generated) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, text) in &g.files {
        let Some(module) = path
            .strip_prefix("client/src/")
            .and_then(|f| f.strip_suffix(".rs"))
        else {
            continue;
        };
        for chunk in text.split("pub fn ").skip(1) {
            let name: String = chunk
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let signature = &chunk[..chunk.find('{').unwrap_or(chunk.len())];
            if signature.contains("PageStream<") {
                out.insert((module.to_string(), name));
            }
        }
    }
    out
}

/// `(group, stream)` of every operation whose AgentSpec advertises paging, and the failures
/// of operations that advertise one half (a `pagination` section without a stream or the
/// reverse).
fn advertised_streams(g: &agentgen::Generated) -> (BTreeSet<(String, String)>, Vec<String>) {
    let files = agent_files(g);
    let mut out = BTreeSet::new();
    let mut failures = Vec::new();
    for (path, text) in files.iter().filter(|(k, _)| k.starts_with("ops/")) {
        let spec: Value = serde_json::from_str(text).unwrap();
        let stream = spec["rust"]["stream"].as_str();
        match (spec.get("pagination").is_some(), stream) {
            (true, Some(stream)) => {
                let group = spec["rust"]["group"].as_str().unwrap().to_string();
                out.insert((group, stream.to_string()));
            }
            (false, None) => {}
            (paging, stream) => {
                failures.push(format!("{path}: pagination {paging}, stream {stream:?}"))
            }
        }
    }
    (out, failures)
}

/// The number of streams of the client, after checking that its AgentSpec advertises paging
/// for exactly those.
fn check_streams_advertised(case: &str, g: &agentgen::Generated) -> usize {
    let client = client_streams(g);
    let (advertised, failures) = advertised_streams(g);
    assert!(failures.is_empty(), "{case}: {}", failures.join("\n"));
    assert_eq!(client, advertised, "{case}");
    let paginated = g
        .api
        .operations
        .iter()
        .filter(|o| o.pagination.is_some())
        .count();
    assert_eq!(advertised.len(), paginated, "{case}");
    client.len()
}

#[test]
fn paging_is_advertised_exactly_where_the_client_streams() {
    for (case, spec) in fixtures() {
        let g = agentgen::load_and_generate(&fixture_config(&case, &spec)).unwrap();
        let streams = check_streams_advertised(&case, &g);
        // Not vacuous: the accounts fixture has offset, cursor and envelope streams.
        if case == "accounts" {
            assert_eq!(streams, 4);
        }
    }
    assert_eq!(check_streams_advertised("clerk", clerk()), 37);
}
