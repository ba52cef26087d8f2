//! Tool definitions per runtime, all from the AgentSpec operation documents: an MCP
//! `tools/list` result, OpenAI function tools (strict where the schema allows it), Anthropic
//! tools and Gemini function declarations. Names and order are the same in every file.

use super::agentspec::{Annotations, OperationSpec};
use super::schema::{Entry, Schema};
use crate::ir::TypeId;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The MCP `tools/list` result: `{"tools": [Tool...]}`.
#[derive(Serialize)]
pub struct McpTools<'a> {
    /// The tools, in document order.
    pub tools: Vec<McpTool<'a>>,
}

/// One MCP `Tool`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct McpTool<'a> {
    name: &'a str,
    title: &'a str,
    description: &'a str,
    input_schema: &'a Schema,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_schema: Option<&'a Schema>,
    annotations: &'a Annotations,
    #[serde(rename = "_meta")]
    meta: McpMeta<'a>,
}

#[derive(Serialize)]
struct McpMeta<'a> {
    #[serde(rename = "agentgen/operation")]
    operation: McpOperation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct McpOperation<'a> {
    operation_id: &'a str,
    method: &'a str,
    path: &'a str,
    class: &'a str,
    /// Returns a credential (withheld from connections without `allow_secrets`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    credential: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    wrap: Option<&'a str>,
}

/// The MCP `tools/list` result: `{"tools": [Tool...]}`.
pub fn mcp<'a>(specs: &[&'a OperationSpec]) -> McpTools<'a> {
    McpTools {
        tools: specs.iter().map(|s| mcp_tool(s)).collect(),
    }
}

/// One MCP `Tool`.
pub fn mcp_tool(s: &OperationSpec) -> McpTool<'_> {
    McpTool {
        name: &s.name,
        title: &s.title,
        description: &s.description,
        input_schema: &s.input_schema,
        output_schema: s.output_schema.as_ref(),
        annotations: &s.annotations,
        meta: McpMeta {
            operation: McpOperation {
                operation_id: &s.operation_id,
                method: &s.http.method,
                path: &s.http.path,
                class: &s.safety.class,
                credential: s.safety.credential.is_some(),
                wrap: s.output.wrap.as_deref(),
            },
        },
    }
}

/// OpenAI function tools, with the reasons some are not strict.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenAiTools<'a> {
    format: &'static str,
    note: &'static str,
    tools: Vec<OpenAiTool<'a>>,
    non_strict: Map<String, Value>,
}

#[derive(Serialize)]
struct OpenAiTool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    description: &'a str,
    parameters: Schema,
    strict: bool,
}

/// OpenAI function tools (Responses API shape). A tool is `strict: true` when its schema can
/// be made strict (every object closed, every property required, optional ones nullable);
/// otherwise `strict: false` with the reason in `nonStrict`.
pub fn openai<'a>(specs: &[&'a OperationSpec]) -> OpenAiTools<'a> {
    let mut cache = StrictCache::default();
    let mut tools = Vec::new();
    let mut non_strict = Map::new();
    for s in specs {
        let (parameters, strict) = match strict_variant(&s.input_schema, &mut cache) {
            Ok(p) => (p, true),
            Err(reason) => {
                non_strict.insert(s.name.clone(), json!(reason));
                (s.input_schema.clone(), false)
            }
        };
        tools.push(OpenAiTool {
            kind: "function",
            name: &s.name,
            description: &s.description,
            parameters,
            strict,
        });
    }
    OpenAiTools {
        format: "openai-function-tools",
        note: "Strict tools list every property as required; a property that is optional in the API accepts null there, which means 'not set': drop null-valued optional keys before calling. Tools listed in nonStrict keep the portable schema.",
        tools,
        non_strict,
    }
}

/// Anthropic tools: `{name, description, input_schema}`, and the inputs whose names
/// Anthropic does not accept as property keys, renamed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnthropicTools<'a> {
    tools: Vec<AnthropicTool<'a>>,
    /// Per tool, the renamed inputs: key in `input_schema` -> the input's name (the key of
    /// the other exports, what `Client::call` takes).
    #[serde(skip_serializing_if = "Map::is_empty")]
    input_names: Map<String, Value>,
}

#[derive(Serialize)]
struct AnthropicTool<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: std::borrow::Cow<'a, Schema>,
}

/// Whether Anthropic accepts `key` as a property key: `^[a-zA-Z0-9_.-]{1,64}$`.
fn anthropic_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// Anthropic tools: `{name, description, input_schema}`. Inputs named outside Anthropic's
/// key rule (query parameters such as `created_at[gt]`, `include[]`) are renamed
/// (`created_at_gt`, `include`), with the name in their description and in `inputNames`.
pub fn anthropic<'a>(specs: &[&'a OperationSpec]) -> AnthropicTools<'a> {
    let mut input_names = Map::new();
    let tools = specs
        .iter()
        .map(|s| {
            let root = s.input_schema.root();
            let props = root.get("properties").and_then(Value::as_object);
            let input_schema = match props {
                Some(props) if !props.keys().all(|k| anthropic_key(k)) => {
                    let (schema, renamed) = rename_inputs(&s.input_schema, props);
                    input_names.insert(s.name.clone(), Value::Object(renamed));
                    std::borrow::Cow::Owned(schema)
                }
                _ => std::borrow::Cow::Borrowed(&s.input_schema),
            };
            AnthropicTool {
                name: &s.name,
                description: &s.description,
                input_schema,
            }
        })
        .collect();
    AnthropicTools { tools, input_names }
}

/// `schema` with its root properties renamed to Anthropic keys; the renames (new -> old).
fn rename_inputs(schema: &Schema, props: &Map<String, Value>) -> (Schema, Map<String, Value>) {
    let mut taken: BTreeSet<String> = props.keys().filter(|k| anthropic_key(k)).cloned().collect();
    let mut renamed = Map::new();
    let mut new_props = Map::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for (key, p) in props {
        if anthropic_key(key) {
            new_props.insert(key.clone(), p.clone());
            continue;
        }
        let base: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_matches('_')
            .chars()
            .take(60)
            .collect();
        let base = if base.is_empty() {
            "input".to_string()
        } else {
            base
        };
        let mut new = base.clone();
        let mut n = 2;
        while taken.contains(&new) {
            new = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(new.clone());
        let mut p = p.clone();
        if let Value::Object(m) = &mut p {
            let note = format!("(The API's `{key}`.)");
            let d = match m.get("description").and_then(Value::as_str) {
                Some(d) => format!("{d} {note}"),
                None => note,
            };
            m.insert("description".into(), json!(d));
        }
        new_props.insert(new.clone(), p);
        renamed.insert(new.clone(), json!(key));
        names.insert(key.clone(), new);
    }
    let mut root = schema.root().clone();
    root.insert("properties".into(), Value::Object(new_props));
    if let Some(Value::Array(required)) = root.get_mut("required") {
        for r in required.iter_mut() {
            if let Some(new) = r.as_str().and_then(|k| names.get(k)) {
                *r = json!(new);
            }
        }
    }
    (Schema::new(root, schema.defs().to_vec()), renamed)
}

/// Gemini function declarations.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeminiTools<'a> {
    function_declarations: Vec<GeminiDeclaration<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GeminiDeclaration<'a> {
    name: &'a str,
    description: &'a str,
    parameters_json_schema: Schema,
}

/// Gemini: `{"functionDeclarations": [{name, description, parametersJsonSchema}]}`, with the
/// schema reduced to the keywords Gemini documents.
pub fn gemini<'a>(specs: &[&'a OperationSpec]) -> GeminiTools<'a> {
    let mut cache: HashMap<TypeId, Entry> = HashMap::new();
    GeminiTools {
        function_declarations: specs
            .iter()
            .map(|s| GeminiDeclaration {
                name: &s.name,
                description: &s.description,
                parameters_json_schema: gemini_variant(&s.input_schema, &mut cache),
            })
            .collect(),
    }
}

/// [`gemini_schema`] of a document, each shared definition converted once.
fn gemini_variant(s: &Schema, cache: &mut HashMap<TypeId, Entry>) -> Schema {
    // A root with a type list would be restructured around its `$defs`: not one we write.
    if !s.root().get("type").is_none_or(Value::is_string) || s.root().contains_key("$defs") {
        return Schema::from(gemini_schema(&s.to_value()));
    }
    let root = match gemini_object(s.root()) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let defs = s
        .defs()
        .iter()
        .map(|e| match e {
            Entry::Shared(d) => cache
                .entry(d.id)
                .or_insert_with(|| {
                    Entry::Variant(
                        Arc::from(d.name.as_str()),
                        Arc::new(gemini_schema(&d.value)),
                    )
                })
                .clone(),
            other => Entry::Own(other.name().to_string(), gemini_schema(&other.to_value())),
        })
        .collect();
    Schema::new(root, defs)
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
    match v {
        Value::Object(m) => gemini_object(m),
        other => other.clone(),
    }
}

fn gemini_object(m: &Map<String, Value>) -> Value {
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
            "prefixItems" => {
                let positions: Vec<Value> = x
                    .as_array()
                    .map(|a| a.iter().map(gemini_schema).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(positions));
            }
            // `items: false` after a tuple's `prefixItems`: Gemini documents schemas only.
            "items" if x.is_boolean() => {}
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
    let mut counts = Counts::default();
    count(&out, &mut counts);
    check_limits(&out, counts, Defs::InDocument(&out))?;
    Ok(out)
}

/// A definition's strict variant, its counts, and its `$defs` entry (sharing the value).
struct StrictDef {
    value: Arc<Value>,
    counts: Counts,
    entry: Entry,
}

/// Where a strict schema's `$defs` are.
#[derive(Clone, Copy)]
enum Defs<'v> {
    /// In the document itself.
    InDocument(&'v Value),
    /// Shared, sorted by name.
    Shared(&'v [Arc<StrictDef>]),
}

impl<'v> Defs<'v> {
    fn get(self, name: &str) -> Option<&'v Value> {
        match self {
            Defs::InDocument(doc) => doc.get("$defs").and_then(|d| d.get(name)),
            Defs::Shared(defs) => defs
                .binary_search_by(|d| d.entry.name().cmp(name))
                .ok()
                .map(|i| &*defs[i].value),
        }
    }
}

/// Strict variants of shared definitions (or why there is none), by type.
#[derive(Default)]
struct StrictCache(HashMap<TypeId, Result<Arc<StrictDef>, String>>);

/// [`strict_schema`] of a document, each shared definition converted once.
fn strict_variant(s: &Schema, cache: &mut StrictCache) -> Result<Schema, String> {
    // Validation-only sets at the root would add notes after `$defs`: not a root we write.
    if ["anyOf", "oneOf", "$defs"]
        .iter()
        .any(|k| s.root().contains_key(*k))
    {
        return strict_schema(&s.to_value()).map(Schema::from);
    }
    let root = match strict_object(s.root(), "", true)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut defs: Vec<Arc<StrictDef>> = Vec::with_capacity(s.defs().len());
    for e in s.defs() {
        let def = match e {
            Entry::Shared(d) => cache
                .0
                .entry(d.id)
                .or_insert_with(|| strict_def(&d.name, &d.value))
                .clone()?,
            other => strict_def(other.name(), &other.to_value())?,
        };
        defs.push(def);
    }
    let root_value = Value::Object(root);
    let mut counts = Counts::default();
    count(&root_value, &mut counts);
    for d in &defs {
        counts.add(d.counts);
    }
    check_limits(&root_value, counts, Defs::Shared(&defs))?;
    let Value::Object(root) = root_value else {
        unreachable!("built as an object above")
    };
    Ok(Schema::new(
        root,
        defs.iter().map(|d| d.entry.clone()).collect(),
    ))
}

fn strict_def(name: &str, value: &Value) -> Result<Arc<StrictDef>, String> {
    let v = Arc::new(strict_node(value, name, false)?);
    let mut counts = Counts::default();
    count(&v, &mut counts);
    Ok(Arc::new(StrictDef {
        entry: Entry::Variant(Arc::from(name), Arc::clone(&v)),
        value: v,
        counts,
    }))
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
    match v {
        Value::Object(m) => strict_object(m, at, root),
        other => Ok(other.clone()),
    }
}

fn strict_object(m: &Map<String, Value>, at: &str, root: bool) -> Result<Value, String> {
    let here = if at.is_empty() { "the input" } else { at };
    for bad in ["allOf", "oneOf", "not", "if", "then", "else", "prefixItems"] {
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

/// What strict mode's size limits count.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    props: usize,
    enum_values: usize,
    chars: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.props += o.props;
        self.enum_values += o.enum_values;
        self.chars += o.chars;
    }
}

/// Most steps the nesting-depth search takes before it calls the schema too deep to check
/// (the longest path through recursive references is found by search).
const DEPTH_STEPS: usize = 1_000_000;

/// OpenAI's documented strict-mode limits, for a schema with `counts` whose `$defs` are
/// found by `defs`.
fn check_limits(schema: &Value, counts: Counts, defs: Defs<'_>) -> Result<(), String> {
    let Counts {
        props,
        enum_values,
        chars,
    } = counts;
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
    let mut steps = 0;
    let depth = depth(schema, defs, &mut Vec::new(), &mut steps);
    if steps > DEPTH_STEPS {
        return Err(
            "objects nest too intricately to check against strict mode's depth limit of 10"
                .to_string(),
        );
    }
    if depth > 10 {
        return Err(format!("objects nest {depth} deep; strict mode allows 10"));
    }
    Ok(())
}

fn count(v: &Value, c: &mut Counts) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match k.as_str() {
                    "properties" => {
                        if let Value::Object(p) = x {
                            c.props += p.len();
                            c.chars += p.keys().map(String::len).sum::<usize>();
                            for s in p.values() {
                                count(s, c);
                            }
                        }
                    }
                    "enum" => {
                        if let Value::Array(a) = x {
                            c.enum_values += a.len();
                            c.chars += a
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::len)
                                .sum::<usize>();
                        }
                    }
                    "const" => c.chars += x.as_str().map_or(0, str::len),
                    _ => count(x, c),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| count(x, c)),
        _ => {}
    }
}

/// Object nesting depth, following local `$ref`s (a recursive reference ends the path);
/// gives up (the caller checks `steps`) after [`DEPTH_STEPS`] steps.
fn depth<'v>(v: &'v Value, defs: Defs<'v>, stack: &mut Vec<String>, steps: &mut usize) -> usize {
    *steps += 1;
    if *steps > DEPTH_STEPS {
        return 0;
    }
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
                        if let Some(d) = defs.get(name) {
                            stack.push(name.to_string());
                            deepest = deepest.max(depth(d, defs, stack, steps));
                            stack.pop();
                        }
                    }
                    continue;
                }
                deepest = deepest.max(depth(x, defs, stack, steps));
            }
            own + deepest
        }
        Value::Array(a) => a
            .iter()
            .map(|x| depth(x, defs, stack, steps))
            .max()
            .unwrap_or(0),
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
    fn depth_search_gives_up_on_exponentially_many_paths() {
        // 40 levels, each with four required properties referencing the next: 4^40 paths.
        let mut defs = Map::new();
        for i in 0..40 {
            let next = json!({"$ref": format!("#/$defs/D{}", i + 1)});
            let props: Map<String, Value> =
                (0..4).map(|j| (format!("p{j}"), next.clone())).collect();
            defs.insert(
                format!("D{i}"),
                json!({"type": "object", "properties": props, "required": ["p0", "p1", "p2", "p3"], "additionalProperties": false}),
            );
        }
        defs.insert(
            "D40".into(),
            json!({"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"], "additionalProperties": false}),
        );
        let s = json!({"type": "object", "properties": {"body": {"$ref": "#/$defs/D0"}}, "required": ["body"], "additionalProperties": false, "$defs": defs});
        let e = strict_schema(&s).unwrap_err();
        assert!(e.contains("too intricately"), "{e}");
        // A plain chain is measured exactly.
        let chain = json!({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}, "required": ["b"], "additionalProperties": false}}, "required": ["a"], "additionalProperties": false});
        assert!(strict_schema(&chain).is_ok());
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
