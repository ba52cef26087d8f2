//! IR -> JSON Schema (draft 2020-12): the input and output schemas of every tool.
//!
//! Rules: OpenAPI `nullable` becomes `type: [T, "null"]` (or `anyOf` with `{"type": "null"}`
//! when the node is not a plain typed schema); named types become local `$defs` reached by
//! `$ref` (never external); no OpenAPI-only keywords (`nullable`, `discriminator`, boolean
//! `exclusiveMinimum`, `example`). Input schemas describe exactly what the generated client's
//! `Client::call` accepts (closed objects, known enum values); output schemas describe what it
//! returns (the typed response serialized again: known fields, open enums).
//!
//! Each named type's definition is built once per [`Mode`] ([`Def`], with the size of its
//! pretty text for the document budget) and shared by every document that embeds it: a
//! document is its own root plus the definitions it reaches ([`Draft`], then [`Schema`]).

use crate::ir::{Api, Constraints, Operation, ResponseKind, TypeId, TypeKind, TypeRef};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, OnceLock};

/// Which side of a call a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// What the caller sends: closed objects, enums and validation keywords.
    Input,
    /// What comes back: open objects, known enum values as `examples`, no validation keywords.
    Output,
}

/// How the MCP variant wraps a response that is not an object (MCP's `outputSchema` and
/// `structuredContent` must be objects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// The response is an object and is used as is.
    None,
    /// An array response becomes `{"items": [...]}`.
    Items,
    /// Any other response becomes `{"value": ...}`.
    Value,
}

impl Wrap {
    /// Name used in documents, if any.
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            Wrap::None => None,
            Wrap::Items => Some("items"),
            Wrap::Value => Some("value"),
        }
    }
}

/// Builds the schemas of one [`Mode`]: every document built with it shares one table of
/// definitions.
pub struct Builder<'a> {
    api: &'a Api,
    mode: Mode,
    defs: BTreeMap<String, Slot>,
    /// Type of each defined name.
    by_name: HashMap<String, TypeId>,
    /// Finished definitions, by type, once a document has embedded them.
    shared: Vec<Option<Arc<Def>>>,
    /// Types defined or queued for definition.
    building: BTreeSet<TypeId>,
    /// Types queued by [`Builder::define`] while another definition is being built: worked
    /// off in a loop so a long chain of references cannot overflow the stack.
    pending: Vec<TypeId>,
    draining: bool,
    /// Unions built in the current [`Builder::define`]: they are `type: object` when all
    /// their variants are, which is decided once the variants' definitions exist
    /// ([`Builder::type_unions`]).
    unions: Vec<String>,
}

/// A definition in the builder: still its own, or already shared.
enum Slot {
    Built(Value),
    Shared(Arc<Def>),
}

impl Slot {
    fn value(&self) -> &Value {
        match self {
            Slot::Built(v) => v,
            Slot::Shared(d) => &d.value,
        }
    }
}

/// The `$defs` entry of a named type in one mode: built once, shared by every document that
/// embeds it.
#[derive(Debug)]
pub struct Def {
    /// The type.
    pub id: TypeId,
    /// Its key in `$defs`.
    pub name: String,
    /// The schema.
    pub value: Value,
    /// Bytes of the schema's pretty JSON text: what it adds to a document that embeds it
    /// (the size measure of the document budget).
    pub size: usize,
    /// Types it references, each once, in order of first reference.
    pub refs: Vec<TypeId>,
}

/// Bytes of `v` as pretty JSON text.
fn pretty_size(v: &Value) -> usize {
    serde_json::to_string_pretty(v).map_or(0, |text| text.len())
}

/// A document before its size is checked: its root and every definition it reaches.
#[derive(Debug)]
pub struct Draft {
    /// The root schema (without `$defs`).
    pub root: Root,
    /// The definitions the root references itself, in order.
    pub seeds: Vec<TypeId>,
    /// Every definition the root reaches, breadth-first from the root.
    pub reach: Vec<Arc<Def>>,
}

impl Draft {
    /// The definition the root is (an output schema whose response type is an object).
    pub fn inlined(&self) -> Option<&Arc<Def>> {
        match &self.root {
            Root::Inlined(d) => Some(d),
            Root::Own(_) => None,
        }
    }

    /// Bytes of definitions the document embeds in full (the inlined root included).
    pub fn need(&self) -> usize {
        self.inlined().map_or(0, |d| d.size) + self.reach.iter().map(|d| d.size).sum::<usize>()
    }

    /// The document with every definition.
    pub fn complete(self) -> Schema {
        let mut defs: Vec<Entry> = self.reach.into_iter().map(Entry::Shared).collect();
        defs.sort_by(|a, b| a.name().cmp(b.name()));
        Schema::with_root(self.root, defs)
    }
}

/// The root of a schema document.
#[derive(Debug, Clone)]
pub enum Root {
    /// Its own schema object.
    Own(Map<String, Value>),
    /// A copy of a definition (an object response type), shared.
    Inlined(Arc<Def>),
}

impl Default for Root {
    fn default() -> Root {
        Root::Own(Map::new())
    }
}

impl Root {
    fn map(&self) -> &Map<String, Value> {
        static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
        match self {
            Root::Own(m) => m,
            Root::Inlined(d) => d
                .value
                .as_object()
                .unwrap_or_else(|| EMPTY.get_or_init(Map::new)),
        }
    }
}

/// One entry of a document's `$defs`.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A definition shared with other documents.
    Shared(Arc<Def>),
    /// A provider's variant of a definition, shared by the documents of that provider.
    Variant(Arc<str>, Arc<Value>),
    /// A definition of this document only.
    Own(String, Value),
}

impl Entry {
    /// Its key in `$defs`.
    pub fn name(&self) -> &str {
        match self {
            Entry::Shared(d) => &d.name,
            Entry::Variant(n, _) => n,
            Entry::Own(n, _) => n,
        }
    }

    /// The schema (a copy).
    pub fn to_value(&self) -> Value {
        match self {
            Entry::Shared(d) => d.value.clone(),
            Entry::Variant(_, v) => Value::clone(v),
            Entry::Own(_, v) => v.clone(),
        }
    }
}

impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Entry::Shared(d) => d.value.serialize(s),
            Entry::Variant(_, v) => v.serialize(s),
            Entry::Own(_, v) => v.serialize(s),
        }
    }
}

/// A JSON Schema document: a root object and its `$defs` (last, by name), which are usually
/// shared with other documents rather than copied.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    root: Root,
    defs: Vec<Entry>,
}

impl Schema {
    /// A document of `root` (no `$defs` in it) and `defs`, sorted by name.
    pub fn new(root: Map<String, Value>, defs: Vec<Entry>) -> Schema {
        Schema::with_root(Root::Own(root), defs)
    }

    /// A document of `root` and `defs`, sorted by name.
    pub fn with_root(root: Root, defs: Vec<Entry>) -> Schema {
        Schema { root, defs }
    }

    /// The root schema, without `$defs`.
    pub fn root(&self) -> &Map<String, Value> {
        self.root.map()
    }

    /// `$defs`, sorted by name.
    pub fn defs(&self) -> &[Entry] {
        &self.defs
    }

    /// The whole document as one value (a copy).
    pub fn to_value(&self) -> Value {
        let mut m = self.root().clone();
        if !self.defs.is_empty() {
            let defs: Map<String, Value> = self
                .defs
                .iter()
                .map(|e| (e.name().to_string(), e.to_value()))
                .collect();
            m.insert("$defs".into(), Value::Object(defs));
        }
        Value::Object(m)
    }

    /// Whether the document has the JSON string `word` anywhere (a key or a value).
    pub fn mentions(&self, word: &str) -> bool {
        self.root()
            .iter()
            .any(|(k, v)| k == word || has_string(v, word))
            || self.defs.iter().any(|e| match e {
                Entry::Shared(d) => has_string(&d.value, word),
                Entry::Variant(_, v) => has_string(v, word),
                Entry::Own(_, v) => has_string(v, word),
            })
    }
}

/// Whether `v` has the string `word` as an object key or a string value, at any depth.
fn has_string(v: &Value, word: &str) -> bool {
    match v {
        Value::String(s) => s == word,
        Value::Array(items) => items.iter().any(|i| has_string(i, word)),
        Value::Object(m) => m.iter().any(|(k, v)| k == word || has_string(v, word)),
        _ => false,
    }
}

impl From<Value> for Schema {
    fn from(v: Value) -> Schema {
        let mut root = match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let defs = match root.shift_remove("$defs") {
            Some(Value::Object(d)) => d.into_iter().map(|(n, v)| Entry::Own(n, v)).collect(),
            _ => Vec::new(),
        };
        Schema::new(root, defs)
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        self.to_value() == other.to_value()
    }
}

/// The root's keys, then `$defs`.
impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Defs<'a>(&'a [Entry]);
        impl Serialize for Defs<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for e in self.0 {
                    m.serialize_entry(e.name(), e)?;
                }
                m.end()
            }
        }
        let root = self.root();
        let extra = usize::from(!self.defs.is_empty());
        let mut m = s.serialize_map(Some(root.len() + extra))?;
        for (k, v) in root {
            m.serialize_entry(k, v)?;
        }
        if !self.defs.is_empty() {
            m.serialize_entry("$defs", &Defs(&self.defs))?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Schema, D::Error> {
        Value::deserialize(d).map(Schema::from)
    }
}

/// The schema of a file upload in a multipart body (what `Client::call` decodes).
pub fn file_schema() -> Value {
    json!({
        "type": "object",
        "description": "A file: its bytes base64-encoded, with an optional name and media type.",
        "properties": {
            "content_base64": {"type": "string", "contentEncoding": "base64"},
            "file_name": {"type": "string"},
            "content_type": {"type": "string"}
        },
        "required": ["content_base64"],
        "additionalProperties": false
    })
}

impl<'a> Builder<'a> {
    /// A builder for one document.
    pub fn new(api: &'a Api, mode: Mode) -> Self {
        Builder {
            api,
            mode,
            defs: BTreeMap::new(),
            by_name: HashMap::new(),
            shared: vec![None; api.types.len()],
            building: BTreeSet::new(),
            pending: Vec::new(),
            draining: false,
            unions: Vec::new(),
        }
    }

    /// The schema of a use of `t` whose schema node has the facts `c` (`None`: a use with no
    /// schema of its own, such as a union variant or a response), with `description`.
    pub fn node(
        &mut self,
        t: &TypeRef,
        c: Option<&Constraints>,
        description: Option<&str>,
        multipart: bool,
    ) -> Value {
        let mut s = self.core(t, c, multipart);
        let mut outer = match s {
            Value::Object(ref mut m) => std::mem::take(m),
            _ => Map::new(),
        };
        if let Some(d) = description.map(str::trim).filter(|d| !d.is_empty()) {
            // A description of the use, in front of everything else.
            let mut with = Map::new();
            with.insert("description".into(), Value::String(d.to_string()));
            for (k, v) in outer {
                if k != "description" {
                    with.insert(k, v);
                }
            }
            outer = with;
        }
        if let Some(c) = c {
            annotations(&mut outer, c, self.mode);
        }
        Value::Object(outer)
    }

    /// Type and validation keywords of a use (no description), nullable applied.
    fn core(&mut self, t: &TypeRef, c: Option<&Constraints>, multipart: bool) -> Value {
        match t {
            TypeRef::Nullable(inner) => {
                let s = self.core(inner, c, multipart);
                nullable(s)
            }
            TypeRef::Named(id) => {
                let name = self.define(*id);
                json!({"$ref": format!("#/$defs/{name}")})
            }
            TypeRef::Array(inner) => {
                let items = self.node(inner, c.map(Constraints::items), None, multipart);
                let mut m = Map::new();
                m.insert("type".into(), json!("array"));
                m.insert("items".into(), items);
                self.validation(&mut m, c);
                Value::Object(m)
            }
            TypeRef::Tuple(items) => {
                // JSON Schema 2020-12: one schema per position, nothing after them.
                let positions: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .map(|(i, t)| self.node(t, c.map(|c| c.prefix_item(i)), None, multipart))
                    .collect();
                let mut m = Map::new();
                m.insert("type".into(), json!("array"));
                m.insert("prefixItems".into(), Value::Array(positions));
                m.insert("items".into(), json!(false));
                m.insert("minItems".into(), json!(items.len()));
                m.insert("maxItems".into(), json!(items.len()));
                Value::Object(m)
            }
            TypeRef::Map(inner) => {
                let values = self.node(inner, c.map(Constraints::values), None, multipart);
                let mut m = Map::new();
                m.insert("type".into(), json!("object"));
                m.insert("additionalProperties".into(), values);
                Value::Object(m)
            }
            TypeRef::Bytes if multipart && self.mode == Mode::Input => file_schema(),
            prim => {
                let mut m = Map::new();
                match prim {
                    TypeRef::String | TypeRef::Bytes => {
                        m.insert("type".into(), json!("string"));
                    }
                    TypeRef::Integer => {
                        m.insert("type".into(), json!("integer"));
                    }
                    TypeRef::Number => {
                        m.insert("type".into(), json!("number"));
                    }
                    TypeRef::Boolean => {
                        m.insert("type".into(), json!("boolean"));
                    }
                    TypeRef::JsonObject => {
                        m.insert("type".into(), json!("object"));
                    }
                    _ => {}
                }
                if !matches!(prim, TypeRef::Json | TypeRef::JsonObject) {
                    self.validation(&mut m, c);
                }
                Value::Object(m)
            }
        }
    }

    /// Validation keywords of a node with the facts `c` (input only; formats in both modes).
    fn validation(&self, m: &mut Map<String, Value>, c: Option<&Constraints>) {
        let Some(c) = c else {
            return;
        };
        let ty = m
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let ty = ty.as_str();
        if let Some(f) = &c.format {
            if (f != "binary" && ty == "string") || matches!(ty, "integer" | "number") {
                m.insert("format".into(), json!(f));
            }
        }
        if self.mode == Mode::Output {
            return;
        }
        if let Some(cv) = &c.const_value {
            m.insert("const".into(), cv.clone());
        }
        match ty {
            "string" => {
                if let Some(p) = &c.pattern {
                    m.insert("pattern".into(), json!(p));
                }
                if let Some(n) = c.min_length {
                    m.insert("minLength".into(), json!(n));
                }
                if let Some(n) = c.max_length {
                    m.insert("maxLength".into(), json!(n));
                }
            }
            "integer" | "number" => {
                if let Some(n) = c.minimum {
                    let key = if c.exclusive_minimum {
                        "exclusiveMinimum"
                    } else {
                        "minimum"
                    };
                    m.insert(key.into(), number(n));
                }
                if let Some(n) = c.maximum {
                    let key = if c.exclusive_maximum {
                        "exclusiveMaximum"
                    } else {
                        "maximum"
                    };
                    m.insert(key.into(), number(n));
                }
            }
            "array" => {
                if let Some(n) = c.min_items {
                    m.insert("minItems".into(), json!(n));
                }
                if let Some(n) = c.max_items {
                    m.insert("maxItems".into(), json!(n));
                }
                if c.unique_items {
                    m.insert("uniqueItems".into(), json!(true));
                }
            }
            _ => {}
        }
    }

    /// Make sure the named type has a `$defs` entry; returns its key.
    pub fn define(&mut self, id: TypeId) -> String {
        let def = &self.api.types[id];
        let name = def.name.clone();
        if self.defs.contains_key(&name) || !self.building.insert(id) {
            return name;
        }
        self.pending.push(id);
        if !self.draining {
            self.draining = true;
            while let Some(next) = self.pending.pop() {
                let schema = self.def_schema(next);
                let name = self.api.types[next].name.clone();
                self.by_name.insert(name.clone(), next);
                self.defs.insert(name, Slot::Built(schema));
            }
            self.type_unions();
            // Every union built here reaches its variants, so all were built here or before:
            // their decisions are final.
            self.unions.clear();
            self.draining = false;
        }
        name
    }

    fn def_schema(&mut self, id: TypeId) -> Value {
        let api = self.api;
        let def = &api.types[id];
        let multipart = def.usage.multipart;
        let own = &def.constraints;
        let mut m = Map::new();
        if let Some(d) = def
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            m.insert("description".into(), json!(d));
        }
        match &def.kind {
            TypeKind::Struct { fields } => {
                m.insert("type".into(), json!("object"));
                let mut props = Map::new();
                let mut required = Vec::new();
                for f in fields {
                    let mut p = self.node(
                        &f.ty,
                        Some(&f.constraints),
                        f.description.as_deref(),
                        multipart,
                    );
                    if f.deprecated {
                        if let Value::Object(pm) = &mut p {
                            pm.insert("deprecated".into(), json!(true));
                        }
                    }
                    if f.read_only {
                        if let Value::Object(pm) = &mut p {
                            pm.insert("readOnly".into(), json!(true));
                        }
                    }
                    props.insert(f.wire_name.clone(), p);
                    if f.required && !(self.mode == Mode::Input && f.read_only) {
                        required.push(json!(f.wire_name));
                    }
                }
                m.insert("properties".into(), Value::Object(props));
                if !required.is_empty() {
                    m.insert("required".into(), Value::Array(required));
                }
                if self.mode == Mode::Input {
                    m.insert("additionalProperties".into(), json!(false));
                    let sets = |v: &[Vec<String>]| -> Vec<Value> {
                        v.iter().map(|r| json!({"required": r})).collect()
                    };
                    if !own.any_of_required.is_empty() {
                        m.insert("anyOf".into(), Value::Array(sets(&own.any_of_required)));
                    }
                    if !own.one_of_required.is_empty() {
                        m.insert("oneOf".into(), Value::Array(sets(&own.one_of_required)));
                    }
                }
            }
            TypeKind::Enum { values } => {
                m.insert("type".into(), json!("string"));
                let vals: Vec<Value> = values.iter().map(|v| json!(v.wire)).collect();
                match self.mode {
                    Mode::Input => m.insert("enum".into(), Value::Array(vals)),
                    Mode::Output => m.insert("examples".into(), Value::Array(vals)),
                };
            }
            TypeKind::Union { variants, .. } => {
                let vs: Vec<Value> = variants
                    .iter()
                    .map(|v| self.node(&v.ty, None, None, multipart))
                    .collect();
                m.insert("anyOf".into(), Value::Array(vs));
                self.unions.push(def.name.clone());
            }
            TypeKind::Alias { target } => {
                let s = self.node(target, Some(own), None, multipart);
                if let Value::Object(sm) = s {
                    for (k, v) in sm {
                        if k == "description" && m.contains_key("description") {
                            continue;
                        }
                        m.insert(k, v);
                    }
                }
                return Value::Object(m);
            }
        }
        annotations(&mut m, own, self.mode);
        Value::Object(m)
    }

    /// Mark unions whose variants are all objects as `type: object` (right before `anyOf`),
    /// repeating until nothing changes so unions of unions are decided too.
    fn type_unions(&mut self) {
        loop {
            let ready: Vec<String> = self
                .unions
                .iter()
                .filter(|name| {
                    self.defs.get(*name).map(Slot::value).is_some_and(|d| {
                        d.get("type").is_none()
                            && d.get("anyOf")
                                .and_then(Value::as_array)
                                .is_some_and(|vs| vs.iter().all(|v| is_object_schema(self, v)))
                    })
                })
                .cloned()
                .collect();
            if ready.is_empty() {
                return;
            }
            for name in ready {
                // Unions of this drain are not shared yet.
                if let Some(Slot::Built(Value::Object(m))) = self.defs.remove(&name) {
                    let mut typed = Map::new();
                    for (k, v) in m {
                        if k == "anyOf" {
                            typed.insert("type".into(), json!("object"));
                        }
                        typed.insert(k, v);
                    }
                    self.defs.insert(name, Slot::Built(Value::Object(typed)));
                }
            }
        }
    }

    /// The shared definition of a defined type.
    fn shared(&mut self, id: TypeId) -> Arc<Def> {
        if let Some(d) = &self.shared[id] {
            return d.clone();
        }
        let name = self.api.types[id].name.clone();
        let value = match self.defs.get_mut(&name) {
            Some(Slot::Built(v)) => std::mem::take(v),
            Some(Slot::Shared(d)) => return d.clone(),
            None => Value::Null,
        };
        let mut names = Vec::new();
        refs_in(&value, &mut names);
        let mut refs: Vec<TypeId> = Vec::new();
        for n in names {
            if let Some(&r) = self.by_name.get(&n) {
                if !refs.contains(&r) {
                    refs.push(r);
                }
            }
        }
        let def = Arc::new(Def {
            id,
            size: pretty_size(&value),
            name: name.clone(),
            value,
            refs,
        });
        self.defs.insert(name, Slot::Shared(def.clone()));
        self.shared[id] = Some(def.clone());
        def
    }

    /// The document of `root` with the definitions it reaches, breadth-first.
    pub fn finish(&mut self, root: Value) -> Draft {
        let mut names = Vec::new();
        refs_in(&root, &mut names);
        let seeds: Vec<TypeId> = names
            .iter()
            .filter_map(|n| self.by_name.get(n).copied())
            .collect();
        let root = match root {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.reach(Root::Own(root), seeds)
    }

    /// The document whose root is the definition of `id`.
    fn finish_inlined(&mut self, id: TypeId) -> Draft {
        let def = self.shared(id);
        let seeds = def.refs.clone();
        self.reach(Root::Inlined(def), seeds)
    }

    fn reach(&mut self, root: Root, seeds: Vec<TypeId>) -> Draft {
        let mut queue: VecDeque<TypeId> = seeds.iter().copied().collect();
        let mut seen = BTreeSet::new();
        let mut reach = Vec::new();
        while let Some(id) = queue.pop_front() {
            if seen.insert(id) {
                let def = self.shared(id);
                queue.extend(def.refs.iter().copied());
                reach.push(def);
            }
        }
        Draft { root, seeds, reach }
    }

    /// The `$defs` entry of a named type, if built.
    pub fn def(&self, name: &str) -> Option<&Value> {
        self.defs.get(name).map(Slot::value)
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// Annotations of a node: default, examples, read/write-only, deprecated (outer level).
fn annotations(m: &mut Map<String, Value>, c: &Constraints, mode: Mode) {
    if c.deprecated {
        m.insert("deprecated".into(), json!(true));
    }
    if mode == Mode::Output {
        return;
    }
    if let Some(d) = &c.default {
        m.insert("default".into(), d.clone());
    }
    // Every example of a 3.1 `examples` list, else the one `example` (objects are left to
    // the operation's examples).
    let examples: Vec<&Value> = if c.examples.is_empty() {
        c.example.iter().collect()
    } else {
        c.examples.iter().collect()
    };
    let examples: Vec<&Value> = examples.into_iter().filter(|e| !e.is_object()).collect();
    if !examples.is_empty() {
        m.insert("examples".into(), json!(examples));
    }
    if c.read_only {
        m.insert("readOnly".into(), json!(true));
    }
    if c.write_only {
        m.insert("writeOnly".into(), json!(true));
    }
}

/// Allow `null` as well.
pub fn nullable(s: Value) -> Value {
    let Value::Object(mut m) = s else {
        return s;
    };
    let plain = !m.contains_key("$ref")
        && !m.contains_key("anyOf")
        && !m.contains_key("oneOf")
        && !m.contains_key("enum")
        && !m.contains_key("const");
    match m.get("type").cloned() {
        Some(Value::String(t)) if plain => {
            m.insert("type".into(), json!([t, "null"]));
            Value::Object(m)
        }
        Some(Value::Array(ts)) if plain => {
            if !ts.iter().any(|t| t == "null") {
                let mut ts = ts;
                ts.push(json!("null"));
                m.insert("type".into(), Value::Array(ts));
            }
            Value::Object(m)
        }
        None if m.is_empty() => Value::Object(m),
        _ => json!({"anyOf": [Value::Object(m), {"type": "null"}]}),
    }
}

fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    if let Some(name) = x.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        out.push(name.to_string());
                    }
                } else {
                    refs_in(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

fn is_object_schema(b: &Builder<'_>, v: &Value) -> bool {
    if v.get("type").and_then(Value::as_str) == Some("object") {
        return true;
    }
    if let Some(name) = v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        return b
            .def(name)
            .and_then(|d| d.get("type"))
            .and_then(Value::as_str)
            == Some("object");
    }
    false
}

/// The input schema of an operation: one property per parameter (wire name) and `body`.
pub fn input_schema(b: &mut Builder<'_>, op: &Operation) -> Draft {
    let mut props = Map::new();
    let mut required = Vec::new();
    for p in &op.params {
        let mut s = b.node(&p.ty, Some(&p.constraints), p.description.as_deref(), false);
        if p.deprecated {
            if let Value::Object(m) = &mut s {
                m.insert("deprecated".into(), json!(true));
            }
        }
        props.insert(p.wire_name.clone(), s);
        if p.required {
            required.push(json!(p.wire_name));
        }
    }
    if let Some(body) = &op.body {
        let multipart = body.encoding == crate::ir::BodyEncoding::Multipart;
        let desc = body
            .description
            .clone()
            .unwrap_or_else(|| format!("The request body ({}).", body.content_type));
        let s = b.node(&body.ty, Some(&body.constraints), Some(&desc), multipart);
        props.insert("body".into(), s);
        if body.required {
            required.push(json!("body"));
        }
    }
    let mut root = Map::new();
    root.insert("type".into(), json!("object"));
    root.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        root.insert("required".into(), Value::Array(required));
    }
    root.insert("additionalProperties".into(), json!(false));
    b.finish(Value::Object(root))
}

/// The output schema of an operation as MCP wants it (an object at the root), and how the
/// response is wrapped to fit. `None` when the operation returns no JSON.
pub fn output_schema(b: &mut Builder<'_>, op: &Operation) -> Option<(Draft, Wrap)> {
    let api = b.api;
    let t = match &op.response.kind {
        ResponseKind::Json(t) => t.clone(),
        ResponseKind::Text => TypeRef::String,
        ResponseKind::Empty | ResponseKind::Bytes => return None,
    };
    let desc: Option<&str> = None;
    let resolved = api.resolve_alias(&t).clone();
    let (root, wrap) = match &resolved {
        TypeRef::Named(id) => {
            let name = b.define(*id);
            let object = b
                .def(&name)
                .and_then(|d| d.get("type"))
                .and_then(Value::as_str)
                == Some("object");
            if object {
                return Some((b.finish_inlined(*id), Wrap::None));
            } else {
                let inner = b.node(&resolved, None, desc, false);
                (wrap_value("value", inner), Wrap::Value)
            }
        }
        TypeRef::Array(_) => {
            let inner = b.node(&resolved, None, desc, false);
            (wrap_value("items", inner), Wrap::Items)
        }
        TypeRef::Map(_) | TypeRef::JsonObject => (b.node(&resolved, None, desc, false), Wrap::None),
        _ => {
            let inner = b.node(&resolved, None, desc, false);
            (wrap_value("value", inner), Wrap::Value)
        }
    };
    Some((b.finish(root), wrap))
}

fn wrap_value(key: &str, inner: Value) -> Value {
    json!({
        "type": "object",
        "properties": {key: inner},
        "required": [key]
    })
}

/// Every property key used anywhere in a schema (`properties` maps), for name-rule checks.
pub fn property_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "properties" {
                    if let Value::Object(props) = x {
                        for (name, p) in props {
                            out.insert(name.clone());
                            property_keys(p, out);
                        }
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

/// The JSON Schema of a webhook payload (what arrives in the envelope's `data`), standalone
/// with its own `$defs`.
pub fn payload_schema(b: &mut Builder<'_>, t: &TypeRef) -> Draft {
    let root = b.node(t, None, None, false);
    b.finish(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_uses_type_arrays_or_any_of() {
        assert_eq!(
            nullable(json!({"type": "string"})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            nullable(json!({"$ref": "#/$defs/A"})),
            json!({"anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]})
        );
        assert_eq!(
            nullable(json!({"type": "string", "enum": ["a"]})),
            json!({"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]})
        );
        assert_eq!(nullable(json!({})), json!({}));
    }

    #[test]
    fn numbers_stay_integers_when_whole() {
        assert_eq!(number(500.0), json!(500));
        assert_eq!(number(0.5), json!(0.5));
    }
}
