//! Structural identity of types: a canonical text of what a type looks like on the wire
//! (property names, required-ness, nullability, item and value types, formats, enum values,
//! union variants), with names of inline types, descriptions and examples left out.
//!
//! References to other component schemas appear by component name, mapped through the
//! renames found so far: `schemas-CommerceSubscriptionItem` and
//! `CommerceSubscriptionItem-2` are identical once `schemas-CommercePlan` is known to be
//! `CommercePlan-2`. Comparing by name (not by expanding references) keeps a change inside a
//! shared schema from making every schema that uses it look different; that change is
//! reported once, on the shared schema.

use crate::ir::{Api, Constraints, TypeId, TypeKind, TypeRef};
use std::collections::BTreeMap;

/// Canonical shapes of the types of one API.
pub(super) struct Shapes<'a> {
    api: &'a Api,
}

impl<'a> Shapes<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        Shapes { api }
    }

    /// The structural hash of a named type (sha256 of its canonical text, 16 hex digits);
    /// component names it refers to are mapped through `renames` (old name -> new name).
    pub(super) fn hash(&self, id: TypeId, renames: &BTreeMap<String, String>) -> String {
        let text = self.named(id, renames, true, 0);
        crate::pin::sha256_hex(text.as_bytes())[..16].to_string()
    }

    fn canonical(&self, t: &TypeRef, renames: &BTreeMap<String, String>, depth: usize) -> String {
        match t {
            TypeRef::Named(id) => self.named(*id, renames, false, depth + 1),
            TypeRef::String => "string".into(),
            TypeRef::Integer => "integer".into(),
            TypeRef::Number => "number".into(),
            TypeRef::Boolean => "boolean".into(),
            TypeRef::Bytes => "bytes".into(),
            TypeRef::Json => "json".into(),
            TypeRef::JsonObject => "json-object".into(),
            TypeRef::Array(i) => format!("[{}]", self.canonical(i, renames, depth)),
            TypeRef::Map(i) => format!("{{{}}}", self.canonical(i, renames, depth)),
            TypeRef::Nullable(i) => format!("?{}", self.canonical(i, renames, depth)),
            TypeRef::Tuple(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|i| self.canonical(i, renames, depth))
                    .collect();
                format!("({})", items.join(","))
            }
        }
    }

    fn named(
        &self,
        id: TypeId,
        renames: &BTreeMap<String, String>,
        root: bool,
        depth: usize,
    ) -> String {
        let def = &self.api.types[id];
        if let (false, Some(w)) = (root, &def.wire_name) {
            return format!("@{}", renames.get(w).unwrap_or(w));
        }
        if depth > 64 {
            return "deep".into();
        }
        match &def.kind {
            TypeKind::Struct { fields } => {
                let mut parts: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}{}:{}{}",
                            f.wire_name,
                            if f.required { "!" } else { "" },
                            self.canonical(&f.ty, renames, depth),
                            facts(&f.constraints)
                        )
                    })
                    .collect();
                parts.sort();
                format!("object({})", parts.join(","))
            }
            TypeKind::Enum { values } => {
                let mut v: Vec<&str> = values.iter().map(|v| v.wire.as_str()).collect();
                v.sort_unstable();
                format!("enum({})", v.join("|"))
            }
            TypeKind::Union { tag, variants } => {
                let mut parts: Vec<String> = variants
                    .iter()
                    .map(|v| {
                        format!(
                            "{}={}",
                            v.tag_values.join("/"),
                            self.canonical(&v.ty, renames, depth)
                        )
                    })
                    .collect();
                parts.sort();
                format!(
                    "union[{}]({})",
                    tag.as_deref().unwrap_or(""),
                    parts.join(",")
                )
            }
            TypeKind::Alias { target } => self.canonical(target, renames, depth),
        }
    }
}

/// Wire-relevant validation facts of a schema node.
fn facts(c: &Constraints) -> String {
    let mut s = String::new();
    if let Some(f) = &c.format {
        s.push_str(&format!("~{f}"));
    }
    if let Some(v) = &c.const_value {
        s.push_str(&format!("={v}"));
    }
    s
}

/// A short human description of a type: `string`, `array of User`, `object`, `User | null`.
pub(super) fn describe(api: &Api, t: &TypeRef) -> String {
    match t {
        TypeRef::Named(id) => {
            let def = &api.types[*id];
            if let Some(w) = &def.wire_name {
                return w.clone();
            }
            match &def.kind {
                TypeKind::Struct { .. } => format!("object `{}`", def.name),
                TypeKind::Enum { .. } => format!("enum `{}`", def.name),
                TypeKind::Union { .. } => format!("union `{}`", def.name),
                TypeKind::Alias { target } => describe(api, target),
            }
        }
        TypeRef::String => "string".into(),
        TypeRef::Integer => "integer".into(),
        TypeRef::Number => "number".into(),
        TypeRef::Boolean => "boolean".into(),
        TypeRef::Bytes => "binary".into(),
        TypeRef::Json => "any JSON".into(),
        TypeRef::JsonObject => "JSON object".into(),
        TypeRef::Array(i) => format!("array of {}", describe(api, i)),
        TypeRef::Map(i) => format!("map of {}", describe(api, i)),
        TypeRef::Nullable(i) => format!("{} | null", describe(api, i)),
        TypeRef::Tuple(items) => {
            let items: Vec<String> = items.iter().map(|i| describe(api, i)).collect();
            format!("tuple ({})", items.join(", "))
        }
    }
}

/// A short description of a named type's kind.
pub(super) fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct { .. } => "object",
        TypeKind::Enum { .. } => "enum",
        TypeKind::Union { .. } => "union",
        TypeKind::Alias { .. } => "alias",
    }
}
