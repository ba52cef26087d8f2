//! Schemas -> named types in the arena.

use crate::diagnostics::{join, Diagnostics};
use crate::ir::{
    Constraints, EnumValue, Field, JsonKind, TypeDef, TypeId, TypeKind, TypeRef, Usage, Variant,
};
use crate::naming::{self, Namespace};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, OpenAPI, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Names that would shadow the prelude or the crate's own items inside `models`.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Result",
    "Vec",
    "String",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Value",
    "Map",
    "Default",
    "Serialize",
    "Deserialize",
    "Deserializer",
    "Serializer",
    "BTreeMap",
    "Self",
];

const MAX_DEPTH: usize = 64;

/// A uniform view over openapiv3's typed and `Any` schema kinds.
struct View<'a> {
    ty: Option<String>,
    format: Option<String>,
    enum_values: Vec<Value>,
    properties: Option<&'a IndexMap<String, ReferenceOr<Box<Schema>>>>,
    required: &'a [String],
    additional: Option<&'a AdditionalProperties>,
    items: Option<&'a ReferenceOr<Box<Schema>>>,
    one_of: &'a [ReferenceOr<Schema>],
    all_of: &'a [ReferenceOr<Schema>],
    any_of: &'a [ReferenceOr<Schema>],
    not: bool,
    limits: Constraints,
}

fn format_name<T: serde::Serialize>(f: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(item) => serde_json::to_value(item)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string)),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

impl<'a> View<'a> {
    fn of(schema: &'a Schema) -> View<'a> {
        let mut v = View {
            ty: None,
            format: None,
            enum_values: Vec::new(),
            properties: None,
            required: &[],
            additional: None,
            items: None,
            one_of: &[],
            all_of: &[],
            any_of: &[],
            not: false,
            limits: Constraints::default(),
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                v.ty = Some("string".into());
                v.format = format_name(&s.format);
                v.limits.pattern = s.pattern.clone();
                v.limits.min_length = s.min_length;
                v.limits.max_length = s.max_length;
                v.enum_values = s
                    .enumeration
                    .iter()
                    .map(|o| o.clone().map(Value::String).unwrap_or(Value::Null))
                    .collect();
            }
            SchemaKind::Type(Type::Number(n)) => {
                v.ty = Some("number".into());
                v.format = format_name(&n.format);
                v.limits.minimum = n.minimum;
                v.limits.maximum = n.maximum;
                v.limits.exclusive_minimum = n.exclusive_minimum;
                v.limits.exclusive_maximum = n.exclusive_maximum;
                v.enum_values = n
                    .enumeration
                    .iter()
                    .map(|o| o.map(Value::from).unwrap_or(Value::Null))
                    .collect();
            }
            SchemaKind::Type(Type::Integer(n)) => {
                v.ty = Some("integer".into());
                v.format = format_name(&n.format);
                v.limits.minimum = n.minimum.map(|m| m as f64);
                v.limits.maximum = n.maximum.map(|m| m as f64);
                v.limits.exclusive_minimum = n.exclusive_minimum;
                v.limits.exclusive_maximum = n.exclusive_maximum;
                v.enum_values = n
                    .enumeration
                    .iter()
                    .map(|o| o.map(Value::from).unwrap_or(Value::Null))
                    .collect();
            }
            SchemaKind::Type(Type::Boolean(b)) => {
                v.ty = Some("boolean".into());
                v.enum_values = b
                    .enumeration
                    .iter()
                    .map(|o| o.map(Value::from).unwrap_or(Value::Null))
                    .collect();
            }
            SchemaKind::Type(Type::Object(o)) => {
                v.ty = Some("object".into());
                v.properties = Some(&o.properties);
                v.required = &o.required;
                v.additional = o.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(a)) => {
                v.ty = Some("array".into());
                v.items = a.items.as_ref();
                v.limits.min_items = a.min_items;
                v.limits.max_items = a.max_items;
                v.limits.unique_items = a.unique_items;
            }
            SchemaKind::OneOf { one_of } => v.one_of = one_of,
            SchemaKind::AllOf { all_of } => v.all_of = all_of,
            SchemaKind::AnyOf { any_of } => v.any_of = any_of,
            SchemaKind::Not { .. } => v.not = true,
            SchemaKind::Any(a) => {
                v.ty = a.typ.clone();
                v.format = a.format.clone();
                v.enum_values = a.enumeration.clone();
                if !a.properties.is_empty() {
                    v.properties = Some(&a.properties);
                }
                v.required = &a.required;
                v.additional = a.additional_properties.as_ref();
                v.items = a.items.as_ref();
                v.one_of = &a.one_of;
                v.all_of = &a.all_of;
                v.any_of = &a.any_of;
                v.not = a.not.is_some();
                v.limits.pattern = a.pattern.clone();
                v.limits.minimum = a.minimum;
                v.limits.maximum = a.maximum;
                v.limits.exclusive_minimum = a.exclusive_minimum.unwrap_or(false);
                v.limits.exclusive_maximum = a.exclusive_maximum.unwrap_or(false);
                v.limits.min_length = a.min_length;
                v.limits.max_length = a.max_length;
                v.limits.min_items = a.min_items;
                v.limits.max_items = a.max_items;
                v.limits.unique_items = a.unique_items.unwrap_or(false);
            }
        }
        v
    }

    fn has_properties(&self) -> bool {
        self.properties.is_some_and(|p| !p.is_empty())
    }

    /// `{required: [...]}` alone: a validation constraint, not a type.
    fn is_validation_only(&self) -> bool {
        self.ty.is_none()
            && !self.has_properties()
            && self.items.is_none()
            && self.one_of.is_empty()
            && self.all_of.is_empty()
            && self.any_of.is_empty()
            && self.enum_values.is_empty()
            && !self.required.is_empty()
    }
}

/// Where the type for a schema should be named.
#[derive(Clone)]
pub enum Hint {
    /// Fill this pre-registered slot (a component).
    Slot(TypeId),
    /// A new type with this base name.
    Name(String),
}

/// Either a reference or a schema, borrowed.
#[derive(Clone, Copy)]
pub enum SchemaRef<'a> {
    /// `$ref`.
    Ref(&'a str),
    /// Inline schema.
    Inline(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

/// Properties gathered from an object schema and its `allOf` members.
#[derive(Default)]
struct ObjectParts<'a> {
    props: IndexMap<String, (SchemaRef<'a>, String)>,
    required: BTreeSet<String>,
}

/// The kind of a slot reserved and not lowered yet (see [`SchemaLowerer::into_types`]).
const RESERVED: TypeKind = TypeKind::Alias {
    target: TypeRef::Json,
};

/// Lowers schemas into the type arena.
pub struct SchemaLowerer<'a> {
    doc: &'a OpenAPI,
    /// The arena. A slot is reserved (so that references to it resolve) before its schema is
    /// lowered; until then its kind is a placeholder and `lowered` says so.
    types: Vec<TypeDef>,
    /// Whether each slot of `types` has its kind.
    lowered: Vec<bool>,
    components: IndexMap<String, TypeId>,
    nullable_components: BTreeSet<TypeId>,
    names: Namespace,
    inline_cache: HashMap<String, TypeId>,
    depth: usize,
}

impl<'a> SchemaLowerer<'a> {
    /// Register every component schema (so references resolve in any order), then lower them.
    pub fn new(doc: &'a OpenAPI, diags: &mut Diagnostics) -> Self {
        let mut this = SchemaLowerer {
            doc,
            types: Vec::new(),
            lowered: Vec::new(),
            components: IndexMap::new(),
            nullable_components: BTreeSet::new(),
            names: Namespace::with_reserved(RESERVED_TYPE_NAMES),
            inline_cache: HashMap::new(),
            depth: 0,
        };
        let Some(components) = doc.components.as_ref() else {
            return this;
        };
        for (name, schema) in &components.schemas {
            let pointer = join("#/components/schemas", name);
            let rust = this.names.claim(&naming::pascal(name), "");
            let description = match schema {
                ReferenceOr::Item(s) => s.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            this.types.push(TypeDef {
                name: rust,
                wire_name: Some(name.clone()),
                description,
                kind: RESERVED,
                usage: Usage::default(),
                pointer,
                constraints: Constraints::default(),
            });
            this.lowered.push(false);
            this.components.insert(name.clone(), this.types.len() - 1);
        }
        for (name, schema) in &components.schemas {
            let id = this.components[name.as_str()];
            let pointer = join("#/components/schemas", name);
            let (lowered, constraints) = this.lower(schema.into(), Hint::Slot(id), &pointer, diags);
            this.types[id].constraints = constraints;
            if lowered.is_nullable() && lowered.non_null() == &TypeRef::Named(id) {
                this.nullable_components.insert(id);
            }
            if !this.lowered[id] {
                if lowered.non_null() == &TypeRef::Named(id) {
                    // Only possible through a self-referencing alias.
                    diags.error(
                        "alias-cycle",
                        &pointer,
                        "this schema is only a reference to itself",
                    );
                    this.define(
                        id,
                        TypeKind::Alias {
                            target: TypeRef::Json,
                        },
                    );
                } else {
                    this.define(id, TypeKind::Alias { target: lowered });
                }
            }
        }
        this
    }

    /// Give the reserved slot `id` its kind.
    fn define(&mut self, id: TypeId, kind: TypeKind) {
        self.types[id].kind = kind;
        self.lowered[id] = true;
    }

    /// The arena, once every schema is lowered. A slot reserved and never lowered would be a
    /// bug of this module: it is reported as an error (and stays an alias of any JSON value)
    /// rather than leaving a type without a kind in the IR.
    pub fn into_types(self, diags: &mut Diagnostics) -> Vec<TypeDef> {
        for (def, lowered) in self.types.iter().zip(&self.lowered) {
            if !lowered {
                diags.error(
                    "internal-unlowered-type",
                    &def.pointer,
                    format!(
                        "internal error: type `{}` was reserved for this schema but never lowered",
                        def.name
                    ),
                );
            }
        }
        self.types
    }

    /// Resolve `#/components/schemas/X` to its component slot.
    fn resolve(&self, reference: &str, pointer: &str, diags: &mut Diagnostics) -> Option<TypeId> {
        let Some(name) = reference.strip_prefix("#/components/schemas/") else {
            diags.error(
                "unsupported-ref",
                pointer,
                format!("reference `{reference}` is not a local component schema; only `#/components/schemas/...` is supported here"),
            );
            return None;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        match self.components.get(name.as_str()) {
            Some(id) => Some(*id),
            None => {
                diags.error(
                    "dangling-ref",
                    pointer,
                    format!("reference `{reference}` points at no schema"),
                );
                None
            }
        }
    }

    fn component_schema(&self, id: TypeId) -> Option<&'a ReferenceOr<Schema>> {
        let name = self.types[id].wire_name.as_deref()?;
        self.doc.components.as_ref()?.schemas.get(name)
    }

    fn base_name(&self, hint: &Hint) -> String {
        match hint {
            Hint::Slot(id) => self.types[*id].name.clone(),
            Hint::Name(n) => n.clone(),
        }
    }

    /// The type `schema` at `pointer` with `facts` defines: the component's slot (whose facts
    /// [`SchemaLowerer::new`] records), else a new type.
    fn slot(&mut self, hint: &Hint, pointer: &str, schema: &Schema, facts: &Constraints) -> TypeId {
        match hint {
            Hint::Slot(id) => *id,
            Hint::Name(base) => {
                let name = self.names.claim(base, "");
                self.types.push(TypeDef {
                    name,
                    wire_name: None,
                    description: schema.schema_data.description.clone(),
                    kind: RESERVED,
                    usage: Usage::default(),
                    pointer: pointer.to_string(),
                    constraints: facts.clone(),
                });
                self.lowered.push(false);
                self.types.len() - 1
            }
        }
    }

    /// Lower a schema or reference into a type reference, with the validation facts of the
    /// schema written at `pointer` (empty for a `$ref`: those are the named type's).
    pub fn lower(
        &mut self,
        schema: SchemaRef<'a>,
        hint: Hint,
        pointer: &str,
        diags: &mut Diagnostics,
    ) -> (TypeRef, Constraints) {
        match schema {
            SchemaRef::Ref(reference) => {
                let ty = match self.resolve(reference, pointer, diags) {
                    Some(id) if self.nullable_components.contains(&id) => {
                        TypeRef::Nullable(Box::new(TypeRef::Named(id)))
                    }
                    Some(id) => TypeRef::Named(id),
                    None => TypeRef::Json,
                };
                (ty, Constraints::default())
            }
            SchemaRef::Inline(s) => {
                if self.depth >= MAX_DEPTH {
                    diags.error(
                        "too-deep",
                        pointer,
                        format!("schemas nest deeper than {MAX_DEPTH} levels"),
                    );
                    return (TypeRef::Json, Constraints::default());
                }
                let mut facts = own_constraints(s, pointer, diags);
                self.depth += 1;
                let inner = self.lower_schema(s, hint, pointer, &mut facts, diags);
                self.depth -= 1;
                let ty = if s.schema_data.nullable && !inner.is_nullable() {
                    TypeRef::Nullable(Box::new(inner))
                } else {
                    inner
                };
                (ty, facts)
            }
        }
    }

    /// [`SchemaLowerer::lower`] for a node whose facts are recorded elsewhere (or nowhere).
    fn lower_type(
        &mut self,
        schema: SchemaRef<'a>,
        hint: Hint,
        pointer: &str,
        diags: &mut Diagnostics,
    ) -> TypeRef {
        self.lower(schema, hint, pointer, diags).0
    }

    /// For inline named shapes: reuse an identical earlier shape (ignoring prose).
    fn cached(&self, hint: &Hint, schema: &Schema) -> (Option<TypeId>, Option<String>) {
        if matches!(hint, Hint::Slot(_)) {
            return (None, None);
        }
        let Ok(mut value) = serde_json::to_value(schema) else {
            return (None, None);
        };
        strip_prose(&mut value);
        let key = value.to_string();
        (self.inline_cache.get(&key).copied(), Some(key))
    }

    /// The type of an inline schema whose own facts are `facts`; records there the facts of
    /// the items, values or positions it writes itself.
    fn lower_schema(
        &mut self,
        schema: &'a Schema,
        hint: Hint,
        pointer: &str,
        facts: &mut Constraints,
        diags: &mut Diagnostics,
    ) -> TypeRef {
        let v = View::of(schema);

        // A tuple (OpenAPI 3.1 `prefixItems`, its positions moved to `anyOf` by the loader).
        if schema
            .schema_data
            .extensions
            .get(crate::normalize::oas31::TUPLE)
            .is_some_and(|t| t == &Value::Bool(true))
            && !v.any_of.is_empty()
        {
            let base = self.base_name(&hint);
            let (items, positions): (Vec<TypeRef>, Vec<Constraints>) = v
                .any_of
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let h = Hint::Name(format!("{base}Item{i}"));
                    self.lower(m.into(), h, &format!("{pointer}/prefixItems/{i}"), diags)
                })
                .unzip();
            if positions.iter().any(|p| !p.is_empty()) {
                facts.prefix_items = positions;
            }
            return TypeRef::Tuple(items);
        }

        // allOf: a single reference is a wrapper; several members are merged.
        if !v.all_of.is_empty() {
            let only_wrapper = v.all_of.len() == 1
                && !v.has_properties()
                && v.one_of.is_empty()
                && v.any_of.is_empty();
            if only_wrapper {
                return self.lower_type(
                    (&v.all_of[0]).into(),
                    hint,
                    &format!("{pointer}/allOf/0"),
                    diags,
                );
            }
            return self.lower_object(schema, hint, pointer, facts, diags);
        }

        // oneOf / anyOf: validation-only members are not variants.
        let mut members: Vec<(SchemaRef<'a>, String)> = Vec::new();
        for (i, m) in v.one_of.iter().enumerate() {
            if !self.is_validation_only(m.into()) {
                members.push((m.into(), format!("{pointer}/oneOf/{i}")));
            }
        }
        for (i, m) in v.any_of.iter().enumerate() {
            if !self.is_validation_only(m.into()) {
                members.push((m.into(), format!("{pointer}/anyOf/{i}")));
            }
        }
        if members.len() == 1 && !v.has_properties() {
            let (m, p) = members.remove(0);
            return self.lower_type(m, hint, &p, diags);
        }
        if members.len() > 1 {
            return self.lower_union(schema, members, hint, pointer, facts, diags);
        }

        if v.not {
            diags.warning(
                "unsupported-not",
                pointer,
                "`not` schemas are not supported; typed as untyped JSON",
            );
            return TypeRef::Json;
        }

        if !v.enum_values.is_empty() {
            return self.lower_enum(schema, &v, hint, pointer, facts, diags);
        }

        match v.ty.as_deref() {
            Some("string") => {
                if v.format.as_deref() == Some("binary") {
                    TypeRef::Bytes
                } else {
                    TypeRef::String
                }
            }
            Some("integer") => TypeRef::Integer,
            Some("number") => TypeRef::Number,
            Some("boolean") => TypeRef::Boolean,
            Some("array") => match v.items {
                Some(items) => {
                    let item_hint = Hint::Name(format!("{}Item", self.base_name(&hint)));
                    let (inner, of_items) =
                        self.lower(items.into(), item_hint, &format!("{pointer}/items"), diags);
                    facts.items = (!of_items.is_empty()).then(|| Box::new(of_items));
                    TypeRef::Array(Box::new(inner))
                }
                None => TypeRef::Array(Box::new(TypeRef::Json)),
            },
            Some("object") | None if v.has_properties() => {
                self.lower_object(schema, hint, pointer, facts, diags)
            }
            Some("object") | None => match v.additional {
                Some(AdditionalProperties::Schema(inner)) => {
                    let value_hint = Hint::Name(format!("{}Value", self.base_name(&hint)));
                    let inner: &'a ReferenceOr<Schema> = inner;
                    let (t, of_values) = self.lower(
                        inner.into(),
                        value_hint,
                        &format!("{pointer}/additionalProperties"),
                        diags,
                    );
                    facts.values = (!of_values.is_empty()).then(|| Box::new(of_values));
                    TypeRef::Map(Box::new(t))
                }
                _ if v.ty.is_some() => TypeRef::JsonObject,
                _ => TypeRef::Json,
            },
            Some(other) => {
                diags.warning(
                    "unknown-type",
                    pointer,
                    format!("unknown schema type `{other}`; typed as untyped JSON"),
                );
                TypeRef::Json
            }
        }
    }

    fn is_validation_only(&self, m: SchemaRef<'a>) -> bool {
        match m {
            SchemaRef::Inline(s) => View::of(s).is_validation_only(),
            SchemaRef::Ref(_) => false,
        }
    }

    fn lower_enum(
        &mut self,
        schema: &'a Schema,
        v: &View<'a>,
        hint: Hint,
        pointer: &str,
        facts: &Constraints,
        diags: &mut Diagnostics,
    ) -> TypeRef {
        let strings: Vec<&str> = v.enum_values.iter().filter_map(Value::as_str).collect();
        if strings.is_empty() {
            return match v.ty.as_deref() {
                Some("boolean") => TypeRef::Boolean,
                Some("integer") => TypeRef::Integer,
                Some("number") => TypeRef::Number,
                _ if v.enum_values.iter().all(Value::is_boolean) => TypeRef::Boolean,
                _ if v.enum_values.iter().all(Value::is_i64) => TypeRef::Integer,
                _ if v.enum_values.iter().all(Value::is_number) => TypeRef::Number,
                _ => TypeRef::Json,
            };
        }
        if strings.len() < v.enum_values.iter().filter(|x| !x.is_null()).count() {
            diags.warning(
                "mixed-enum",
                pointer,
                "enum mixes strings with other types; typed as untyped JSON",
            );
            return TypeRef::Json;
        }
        // A single value is a constant tag (`object: user`): a plain string documents it best.
        let distinct: BTreeSet<&str> = strings.iter().copied().collect();
        if distinct.len() == 1 {
            return TypeRef::String;
        }
        let (cached, key) = self.cached(&hint, schema);
        if let Some(id) = cached {
            return TypeRef::Named(id);
        }
        let id = self.slot(&hint, pointer, schema, facts);
        if let Some(key) = key {
            self.inline_cache.insert(key, id);
        }
        let mut ns = Namespace::with_reserved(&["Unknown"]);
        let mut seen = BTreeSet::new();
        let mut values = Vec::new();
        for s in strings {
            if !seen.insert(s) {
                continue;
            }
            let base = naming::enum_variant(s);
            let ident = ns.claim(&base, "");
            if ident != base {
                diags.note(
                    "enum-collision",
                    pointer,
                    format!("enum value `{s}` collides after case conversion; named `{ident}`"),
                );
            }
            values.push(EnumValue {
                wire: s.to_string(),
                ident,
            });
        }
        self.define(id, TypeKind::Enum { values });
        TypeRef::Named(id)
    }

    /// Gather properties of an object schema, merging `allOf` members (later definitions win).
    fn collect(
        &self,
        schema: SchemaRef<'a>,
        pointer: &str,
        parts: &mut ObjectParts<'a>,
        visiting: &mut Vec<TypeId>,
        diags: &mut Diagnostics,
    ) {
        let (s, ptr): (&'a Schema, String) = match schema {
            SchemaRef::Ref(r) => {
                let Some(id) = self.resolve(r, pointer, diags) else {
                    return;
                };
                if visiting.contains(&id) {
                    diags.error(
                        "allof-cycle",
                        pointer,
                        format!("`allOf` reaches `{r}` again (a cycle)"),
                    );
                    return;
                }
                if visiting.len() > MAX_DEPTH {
                    diags.error(
                        "too-deep",
                        pointer,
                        format!("`allOf` chains nest deeper than {MAX_DEPTH} schemas"),
                    );
                    return;
                }
                let Some(target) = self.component_schema(id) else {
                    return;
                };
                visiting.push(id);
                let target_ptr = self.types[id].pointer.clone();
                self.collect(target.into(), &target_ptr, parts, visiting, diags);
                visiting.pop();
                return;
            }
            SchemaRef::Inline(s) => (s, pointer.to_string()),
        };
        let v = View::of(s);
        for (i, m) in v.all_of.iter().enumerate() {
            self.collect(
                m.into(),
                &format!("{ptr}/allOf/{i}"),
                parts,
                visiting,
                diags,
            );
        }
        // A member that is itself a single-variant oneOf/anyOf wrapper contributes that variant.
        for (key, list) in [("oneOf", v.one_of), ("anyOf", v.any_of)] {
            let typed: Vec<_> = list
                .iter()
                .enumerate()
                .filter(|(_, m)| !self.is_validation_only((*m).into()))
                .collect();
            if typed.len() == 1 {
                let (i, m) = typed[0];
                self.collect(
                    m.into(),
                    &format!("{ptr}/{key}/{i}"),
                    parts,
                    visiting,
                    diags,
                );
            } else if typed.len() > 1 {
                diags.warning(
                    "union-in-allof",
                    &ptr,
                    format!("`{key}` inside a merged object is ignored for typing"),
                );
            }
        }
        if let Some(props) = v.properties {
            for (name, p) in props {
                let pp = join(&format!("{ptr}/properties"), name);
                parts.props.insert(name.clone(), (p.into(), pp));
            }
        }
        parts.required.extend(v.required.iter().cloned());
    }

    fn lower_object(
        &mut self,
        schema: &'a Schema,
        hint: Hint,
        pointer: &str,
        facts: &Constraints,
        diags: &mut Diagnostics,
    ) -> TypeRef {
        let (cached, key) = self.cached(&hint, schema);
        if let Some(id) = cached {
            return TypeRef::Named(id);
        }
        let mut parts = ObjectParts::default();
        self.collect(
            SchemaRef::Inline(schema),
            pointer,
            &mut parts,
            &mut Vec::new(),
            diags,
        );
        let base = self.base_name(&hint);
        let id = self.slot(&hint, pointer, schema, facts);
        if let Some(key) = key {
            self.inline_cache.insert(key, id);
        }
        self.define(id, TypeKind::Struct { fields: Vec::new() });
        for name in &parts.required {
            if !parts.props.contains_key(name) {
                diags.note(
                    "required-undefined",
                    pointer,
                    format!(
                        "`{name}` is listed in `required` but not defined in `properties`; ignored"
                    ),
                );
            }
        }
        let names: Vec<&str> = parts.props.keys().map(String::as_str).collect();
        let idents = assign_idents(&names, &[]);
        let mut fields = Vec::new();
        for ((name, (prop, pp)), ident) in parts.props.iter().zip(idents) {
            let field_hint = Hint::Name(format!("{base}{}", naming::pascal(name)));
            let (ty, constraints) = self.lower(*prop, field_hint, pp, diags);
            let (description, deprecated, read_only) = match prop {
                SchemaRef::Inline(s) => (
                    s.schema_data.description.clone(),
                    s.schema_data.deprecated,
                    s.schema_data.read_only,
                ),
                SchemaRef::Ref(_) => (None, false, false),
            };
            fields.push(Field {
                wire_name: name.clone(),
                ident,
                ty,
                required: parts.required.contains(name),
                description,
                deprecated,
                read_only,
                boxed: false,
                pointer: pp.clone(),
                constraints,
            });
        }
        self.define(id, TypeKind::Struct { fields });
        TypeRef::Named(id)
    }

    /// JSON kind, required and property names of a variant (through references and `allOf`).
    #[allow(clippy::type_complexity)]
    fn shape(
        &self,
        m: SchemaRef<'a>,
        pointer: &str,
    ) -> (
        JsonKind,
        Vec<String>,
        Vec<String>,
        Vec<(String, Vec<String>)>,
    ) {
        let schema: &'a Schema = match m {
            SchemaRef::Inline(s) => s,
            SchemaRef::Ref(r) => {
                let mut quiet = Diagnostics::default();
                match self
                    .resolve(r, pointer, &mut quiet)
                    .and_then(|id| self.component_schema(id))
                {
                    Some(ReferenceOr::Item(s)) => s,
                    Some(ReferenceOr::Reference { reference }) => {
                        return self.shape(SchemaRef::Ref(reference), pointer)
                    }
                    None => return (JsonKind::Any, Vec::new(), Vec::new(), Vec::new()),
                }
            }
        };
        let v = View::of(schema);
        let kind = match v.ty.as_deref() {
            Some("object") => JsonKind::Object,
            Some("array") => JsonKind::Array,
            Some("string") => JsonKind::String,
            Some("integer") => JsonKind::Integer,
            Some("number") => JsonKind::Number,
            Some("boolean") => JsonKind::Boolean,
            _ if v.has_properties() || !v.all_of.is_empty() => JsonKind::Object,
            _ => JsonKind::Any,
        };
        if kind != JsonKind::Object {
            return (kind, Vec::new(), Vec::new(), Vec::new());
        }
        let mut parts = ObjectParts::default();
        let mut quiet = Diagnostics::default();
        self.collect(
            SchemaRef::Inline(schema),
            pointer,
            &mut parts,
            &mut Vec::new(),
            &mut quiet,
        );
        let props: Vec<String> = parts.props.keys().cloned().collect();
        let required = parts
            .required
            .iter()
            .filter(|r| parts.props.contains_key(*r))
            .cloned()
            .collect();
        let mut values = Vec::new();
        for (name, (p, _)) in &parts.props {
            if let Some(v) = self.string_values(*p) {
                values.push((name.clone(), v));
            }
        }
        (kind, required, props, values)
    }

    /// Known string values of a property schema (its enum), through references.
    fn string_values(&self, p: SchemaRef<'a>) -> Option<Vec<String>> {
        let s = match p {
            SchemaRef::Inline(s) => s,
            SchemaRef::Ref(r) => match self
                .resolve(r, "#", &mut Diagnostics::default())
                .and_then(|id| self.component_schema(id))?
            {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { .. } => return None,
            },
        };
        let values: Vec<String> = View::of(s)
            .enum_values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        (!values.is_empty()).then_some(values)
    }

    /// Single string value of property `prop` in a variant (its discriminator constant).
    fn const_of(&self, m: SchemaRef<'a>, prop: &str) -> Option<String> {
        let mut parts = ObjectParts::default();
        let mut quiet = Diagnostics::default();
        self.collect(m, "#", &mut parts, &mut Vec::new(), &mut quiet);
        let (p, _) = parts.props.get(prop)?;
        let s = match p {
            SchemaRef::Inline(s) => *s,
            SchemaRef::Ref(r) => match self
                .resolve(r, "#", &mut quiet)
                .and_then(|id| self.component_schema(id))?
            {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { .. } => return None,
            },
        };
        let v = View::of(s);
        match v.enum_values.as_slice() {
            [Value::String(only)] => Some(only.clone()),
            _ => None,
        }
    }

    fn lower_union(
        &mut self,
        schema: &'a Schema,
        members: Vec<(SchemaRef<'a>, String)>,
        hint: Hint,
        pointer: &str,
        facts: &Constraints,
        diags: &mut Diagnostics,
    ) -> TypeRef {
        let (cached, key) = self.cached(&hint, schema);
        if let Some(id) = cached {
            return TypeRef::Named(id);
        }
        let base = self.base_name(&hint);
        let id = self.slot(&hint, pointer, schema, facts);
        if let Some(key) = key {
            self.inline_cache.insert(key, id);
        }
        self.define(
            id,
            TypeKind::Union {
                tag: None,
                variants: Vec::new(),
            },
        );
        let discriminator = schema.schema_data.discriminator.as_ref();
        let tag = discriminator.map(|d| d.property_name.clone());
        let mut ns = Namespace::with_reserved(&["Unknown"]);
        let mut claimed_tags: BTreeSet<String> = BTreeSet::new();
        let mut variants = Vec::new();
        for (i, (m, mp)) in members.into_iter().enumerate() {
            let const_tag = tag.as_deref().and_then(|t| self.const_of(m, t));
            let (kind, required, properties, values) = self.shape(m, &mp);
            let (base_ident, variant_hint) = match m {
                SchemaRef::Ref(r) => {
                    let ident = self
                        .resolve(r, &mp, &mut Diagnostics::default())
                        .map(|cid| self.variant_name_of_component(cid))
                        .unwrap_or_else(|| format!("Variant{i}"));
                    (ident, Hint::Name(format!("{base}Variant{i}")))
                }
                SchemaRef::Inline(_) => {
                    // Name inline variants by their constant tag (the discriminator, else an
                    // `object` constant), else by their only property, else by position.
                    let name_tag = const_tag.clone().or_else(|| self.const_of(m, "object"));
                    let ident = match (&name_tag, kind) {
                        (Some(c), _) => naming::pascal(c),
                        (None, JsonKind::Object) if properties.len() == 1 => {
                            naming::pascal(&properties[0])
                        }
                        (None, JsonKind::Object) => format!("Object{i}"),
                        (None, JsonKind::Array) => "Array".to_string(),
                        (None, JsonKind::String) => "String".to_string(),
                        (None, JsonKind::Integer) => "Integer".to_string(),
                        (None, JsonKind::Number) => "Number".to_string(),
                        (None, JsonKind::Boolean) => "Boolean".to_string(),
                        (None, JsonKind::Any) => format!("Variant{i}"),
                    };
                    let h = Hint::Name(format!("{base}{ident}"));
                    (ident, h)
                }
            };
            let ident = ns.claim(&base_ident, "");
            let (ty, constraints) = self.lower(m, variant_hint, &mp, diags);
            let mut tag_values = Vec::new();
            if let Some(d) = discriminator {
                let target = match m {
                    SchemaRef::Ref(r) => Some(r),
                    SchemaRef::Inline(_) => None,
                };
                for (value, to) in &d.mapping {
                    let matches = target.is_some_and(|r| {
                        r == to || r.strip_prefix("#/components/schemas/") == Some(to.as_str())
                    });
                    if matches {
                        tag_values.push(value.clone());
                    }
                }
                if let Some(c) = &const_tag {
                    tag_values.push(c.clone());
                }
                if d.mapping.is_empty() {
                    if let Some(name) = target.and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        tag_values.push(name.to_string());
                    }
                }
                let mut unique = Vec::new();
                for t in tag_values {
                    if !unique.contains(&t) {
                        unique.push(t);
                    }
                }
                tag_values = unique;
                tag_values.retain(|t| {
                    if claimed_tags.insert(t.clone()) {
                        true
                    } else {
                        diags.warning(
                            "duplicate-tag",
                            pointer,
                            format!("discriminator value `{t}` selects several variants; the first wins"),
                        );
                        false
                    }
                });
            }
            variants.push(Variant {
                ident,
                ty,
                tag_values,
                json_kind: kind,
                required,
                properties,
                values,
                boxed: false,
                pointer: mp,
                constraints,
            });
        }
        self.define(id, TypeKind::Union { tag, variants });
        TypeRef::Named(id)
    }

    /// Variant name for a component: its `x-speakeasy-name-override`, else its type name.
    fn variant_name_of_component(&self, id: TypeId) -> String {
        if let Some(ReferenceOr::Item(s)) = self.component_schema(id) {
            if let Some(Value::String(o)) =
                s.schema_data.extensions.get("x-speakeasy-name-override")
            {
                return naming::pascal(o);
            }
        }
        self.types[id].name.clone()
    }
}

/// The validation facts a schema states about itself (not those of the schemas inside it).
fn own_constraints(s: &Schema, pointer: &str, diags: &mut Diagnostics) -> Constraints {
    let v = View::of(s);
    let mut c = v.limits;
    if v.ty.as_deref() == Some("integer") {
        integer_bounds(&mut c, pointer, diags);
    }
    c.format = v.format.clone();
    c.default = s.schema_data.default.clone();
    c.example = s.schema_data.example.clone();
    if let Some(Value::Array(all)) = s
        .schema_data
        .extensions
        .get(crate::normalize::oas31::EXAMPLES)
    {
        c.examples = all.clone();
    }
    c.read_only = s.schema_data.read_only;
    c.write_only = s.schema_data.write_only;
    c.deprecated = s.schema_data.deprecated;
    let non_null: Vec<&Value> = v.enum_values.iter().filter(|e| !e.is_null()).collect();
    if let [only] = non_null.as_slice() {
        c.const_value = Some((*only).clone());
    }
    let required_sets = |members: &[ReferenceOr<Schema>]| -> Vec<Vec<String>> {
        members
            .iter()
            .filter_map(|m| match m {
                ReferenceOr::Item(m) if View::of(m).is_validation_only() => {
                    Some(View::of(m).required.to_vec())
                }
                _ => None,
            })
            .collect()
    };
    c.any_of_required = required_sets(v.any_of);
    c.one_of_required = required_sets(v.one_of);
    c
}

/// Drop integer bounds that no `i64` can meet or that every `i64` meets (`maximum:
/// 18446744073709552000`, a `minimum` written as a JavaScript-printed -2^63 is `i64::MIN`
/// and stays), each with a note: the generated type is `i64`. Numbers are `f64`: any finite
/// bound fits.
fn integer_bounds(c: &mut Constraints, pointer: &str, diags: &mut Diagnostics) {
    // i64::MIN and 2^63 as doubles, exactly.
    const LOW: f64 = -9_223_372_036_854_775_808.0;
    const HIGH: f64 = 9_223_372_036_854_775_808.0;
    for (name, bound) in [("minimum", &mut c.minimum), ("maximum", &mut c.maximum)] {
        if let Some(b) = *bound {
            if !(LOW..HIGH).contains(&b) {
                diags.note(
                    "bound-out-of-range",
                    join(pointer, name),
                    format!(
                        "`{name}: {b}` is outside the range of the generated type (i64); dropped"
                    ),
                );
                *bound = None;
            }
        }
    }
    if c.minimum.is_none() {
        c.exclusive_minimum = false;
    }
    if c.maximum.is_none() {
        c.exclusive_maximum = false;
    }
}

/// Remove prose (descriptions, examples, titles) so identical shapes compare equal.
fn strip_prose(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in [
                "description",
                "example",
                "examples",
                "title",
                "externalDocs",
                crate::normalize::oas31::EXAMPLES,
            ] {
                map.shift_remove(key);
            }
            for (_, child) in map.iter_mut() {
                strip_prose(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_prose),
        _ => {}
    }
}

/// Snake-case identifiers for wire names, unique within one scope. Names already in snake
/// case keep their spelling; others yield on collision (to their lower-case spelling, then a
/// numeric suffix), so `frontend_api` and `frontendApi` stay two distinct identifiers.
pub fn assign_idents(names: &[&str], reserved: &[&str]) -> Vec<String> {
    let mut ns = Namespace::with_reserved(reserved);
    let mut out: Vec<Option<String>> = vec![None; names.len()];
    for (i, name) in names.iter().enumerate() {
        let s = naming::snake(name);
        if s == *name && !ns.contains(&s) {
            ns.claim(&s, "_");
            out[i] = Some(naming::plain_ident(&s));
        }
    }
    for (i, name) in names.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let s = naming::snake(name);
        let chosen = if !ns.contains(&s) {
            ns.claim(&s, "_")
        } else {
            let flat: String = name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let flat = naming::snake(&flat);
            ns.claim(&flat, "_")
        };
        out[i] = Some(naming::plain_ident(&chosen));
    }
    out.into_iter().map(Option::unwrap_or_default).collect()
}

#[cfg(test)]
mod tests {
    use super::assign_idents;
    use crate::ir::{Api, Field, TypeDef, TypeKind, TypeRef};
    use serde_json::json;

    #[test]
    fn a_slot_never_lowered_is_an_error_not_a_type_without_a_kind() {
        let doc: openapiv3::OpenAPI = serde_json::from_value(json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": {"Thing": {"type": "object", "properties": {"a": {"type": "string"}}}}}
        }))
        .unwrap();
        let mut diags = crate::diagnostics::Diagnostics::default();
        let mut lowerer = super::SchemaLowerer::new(&doc, &mut diags);
        let schema = openapiv3::Schema {
            schema_data: Default::default(),
            schema_kind: openapiv3::SchemaKind::Any(Default::default()),
        };
        let hint = super::Hint::Name("Orphan".into());
        let id = lowerer.slot(&hint, "#/x", &schema, &Default::default());
        assert!(!diags.has_errors());
        let types = lowerer.into_types(&mut diags);
        assert!(matches!(types[0].kind, TypeKind::Struct { .. }));
        assert_eq!(types[id].name, "Orphan");
        let found = diags.into_sorted();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, "internal-unlowered-type");
        assert_eq!(found[0].pointer, "#/x");
    }

    #[test]
    fn colliding_parameter_names_stay_distinct() {
        let ids = assign_idents(&["frontendApi", "frontend_api", "type"], &[]);
        assert_eq!(ids, vec!["frontendapi", "frontend_api", "type"]);
    }

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /things:
    post:
      operationId: CreateThing
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 10}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [email, code, own_code, tags]
              properties:
                email: {type: string, format: email, maxLength: 50}
                code: {$ref: '#/components/schemas/Code'}
                own_code:
                  allOf: [{$ref: '#/components/schemas/Code'}]
                  example: XYZ
                tags: {type: array, minItems: 1, items: {type: string, pattern: '^[a-z]+$'}}
                labels: {type: object, additionalProperties: {type: string, maxLength: 5}}
                size:
                  oneOf:
                    - {type: string, maxLength: 3}
                    - {type: integer, minimum: 5}
      responses: {'204': {description: done}}
components:
  schemas:
    Code: {type: string, pattern: '^[A-Z]{3}$', example: ABC}
    Codes: {type: array, items: {type: string, minLength: 2}}
"##;

    fn api() -> Api {
        let inputs = crate::Inputs::from_text("inline.yaml", SPEC);
        crate::analyze(&inputs, &crate::Config::new("inline.yaml"))
            .unwrap()
            .0
    }

    fn named<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
        api.types.iter().find(|t| t.name == name).unwrap()
    }

    fn field<'a>(def: &'a TypeDef, wire: &str) -> &'a Field {
        let TypeKind::Struct { fields } = &def.kind else {
            panic!("{} is not a struct", def.name)
        };
        fields.iter().find(|f| f.wire_name == wire).unwrap()
    }

    #[test]
    fn constraints_reach_the_nodes_they_constrain() {
        let api = api();
        let op = &api.operations[0];
        // A parameter's schema.
        let limit = &op.params[0].constraints;
        assert_eq!((limit.minimum, limit.maximum), (Some(1.0), Some(100.0)));
        assert_eq!(limit.default, Some(json!(10)));
        assert_eq!(op.pagination, None);
        // Properties of an inline body: on the fields of the body's type.
        let body = op.body.as_ref().unwrap();
        assert!(body.constraints.is_empty());
        let TypeRef::Named(id) = body.ty else {
            panic!("the body is not a named type")
        };
        let def = &api.types[id];
        let email = &field(def, "email").constraints;
        assert_eq!(email.format.as_deref(), Some("email"));
        assert_eq!(email.max_length, Some(50));
        // Items and map values written inside a property.
        let tags = &field(def, "tags").constraints;
        assert_eq!(tags.min_items, Some(1));
        assert_eq!(tags.items().pattern.as_deref(), Some("^[a-z]+$"));
        let labels = &field(def, "labels").constraints;
        assert_eq!(labels.values().max_length, Some(5));
        // Union members: on their variants.
        let TypeRef::Named(size) = field(def, "size").ty else {
            panic!("`size` is not a named union")
        };
        let TypeKind::Union { variants, .. } = &api.types[size].kind else {
            panic!("`size` is not a union")
        };
        assert_eq!(variants[0].constraints.max_length, Some(3));
        assert_eq!(variants[1].constraints.minimum, Some(5.0));
        // A named schema: on its definition; a `$ref` to it has none of its own.
        let code = named(&api, "Code");
        assert_eq!(code.constraints.pattern.as_deref(), Some("^[A-Z]{3}$"));
        assert_eq!(code.constraints.example, Some(json!("ABC")));
        assert!(field(def, "code").constraints.is_empty());
        assert_eq!(named(&api, "Codes").constraints.items().min_length, Some(2));
        // A use site with facts of its own keeps them next to the definition's.
        let own_code = field(def, "own_code");
        assert_eq!(
            own_code.ty,
            TypeRef::Named(api.types.iter().position(|t| t.name == "Code").unwrap())
        );
        assert_eq!(own_code.constraints.example, Some(json!("XYZ")));
    }

    #[test]
    fn the_use_site_comes_before_the_named_definition() {
        let api = api();
        let op = &api.operations[0];
        let input = crate::example::operation_input(&api, op);
        crate::example::validate_input(&api, op, &input).unwrap();
        // The use site's example wins; a bare `$ref` gets the definition's; the definition's
        // pattern still holds for both.
        assert_eq!(input["body"]["own_code"], json!("XYZ"));
        assert_eq!(input["body"]["code"], json!("ABC"));
        let mut bad = input.clone();
        bad["body"]["own_code"] = json!("xyz");
        let err = crate::example::validate_input(&api, op, &bad).unwrap_err();
        assert!(err.contains("does not match"), "{err}");
    }
}
