//! `src/models.rs`: one item per named type.

use super::{doc_attr, format_file, ident, rust_type, Place};
use crate::ir::{Api, Field, JsonKind, TypeDef, TypeKind, TypeRef, Variant};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Which named types can derive `Default` (fixpoint over the arena).
pub fn defaultable(api: &Api) -> Vec<bool> {
    let mut ok: Vec<bool> = api
        .types
        .iter()
        .map(|t| matches!(t.kind, TypeKind::Struct { .. } | TypeKind::Alias { .. }))
        .collect();
    loop {
        let mut changed = false;
        for (id, def) in api.types.iter().enumerate() {
            if !ok[id] {
                continue;
            }
            let fine = match &def.kind {
                TypeKind::Struct { fields } => fields
                    .iter()
                    .all(|f| !f.required || f.ty.is_nullable() || ref_default(&ok, &f.ty)),
                TypeKind::Alias { target } => ref_default(&ok, target),
                _ => false,
            };
            if !fine {
                ok[id] = false;
                changed = true;
            }
        }
        if !changed {
            return ok;
        }
    }
}

fn ref_default(ok: &[bool], t: &TypeRef) -> bool {
    match t {
        TypeRef::Named(id) => ok[*id],
        _ => true,
    }
}

/// Emit `src/models.rs`.
pub fn models_rs(api: &Api) -> Result<String, String> {
    let defaults = defaultable(api);
    let gates = super::features::Gates::new(api);
    let mut body = String::new();
    let mut items: Vec<TokenStream> = Vec::new();
    // The items printed so far, before a hand-laid `object!` or `open_enum!` invocation.
    let flush = |items: &mut Vec<TokenStream>, body: &mut String| -> Result<(), String> {
        if !items.is_empty() {
            let tokens = quote! { #(#items)* };
            items.clear();
            body.push_str(&super::print_items(tokens)?);
            body.push('\n');
        }
        Ok(())
    };
    for (id, def) in api.types.iter().enumerate() {
        let cfg = gates.type_attr(id);
        match &def.kind {
            TypeKind::Struct { fields } => {
                items.push(struct_item(api, def, fields, defaults[id], &cfg));
                flush(&mut items, &mut body)?;
                body.push_str(&gates.type_attr_text(id));
                body.push_str(&object_text(def, fields, !def.usage.multipart));
                body.push('\n');
            }
            TypeKind::Union { tag, variants } => {
                items.push(union_item(api, def, tag.as_deref(), variants, &cfg))
            }
            TypeKind::Alias { target } => {
                let name = format_ident!("{}", def.name);
                let doc = doc_attr(def.description.as_deref());
                let t = rust_type(api, target, Place::Models);
                items.push(quote! { #doc #cfg pub type #name = #t; });
            }
            TypeKind::Enum { values } => {
                flush(&mut items, &mut body)?;
                body.push_str(&gates.type_attr_text(id));
                body.push_str(&enum_text(def, values));
                body.push('\n');
            }
        }
    }
    flush(&mut items, &mut body)?;
    let preamble = format_file(
        api,
        Some("Data types of the API: one per component schema and per inline object."),
        quote! {
            #[allow(unused_imports)]
            use serde::{Deserialize, Serialize};
        },
    )?;
    Ok(format!("{preamble}\n{body}").trim_end().to_string() + "\n")
}

/// How a field is typed and how it goes over the wire.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// `T`: must be present and not `null`.
    Required,
    /// `Option<T>`: must be present but may be `null`; always written.
    RequiredNullable,
    /// `Option<T>`: may be absent (or `null`); left out when `None`.
    Optional,
    /// `Option<Option<T>>` in a request: absent, `null` (clears) or a value.
    TriState,
}

fn presence(def: &TypeDef, f: &Field) -> Presence {
    let nullable = f.ty.is_nullable();
    if f.required && !nullable {
        Presence::Required
    } else if !f.required && nullable && def.usage.request {
        Presence::TriState
    } else if f.required {
        Presence::RequiredNullable
    } else {
        Presence::Optional
    }
}

fn field_tokens(api: &Api, def: &TypeDef, f: &Field) -> TokenStream {
    let place = if def.usage.multipart {
        Place::Multipart
    } else {
        Place::Models
    };
    let name = ident(&f.ident);
    let inner = rust_type(api, f.ty.non_null(), place);
    let inner = if f.boxed {
        quote! { Box<#inner> }
    } else {
        inner
    };
    let presence = presence(def, f);
    let ty = match presence {
        Presence::Required => inner,
        Presence::TriState => quote! { Option<Option<#inner>> },
        Presence::RequiredNullable | Presence::Optional => quote! { Option<#inner> },
    };
    let mut doc = f.description.clone().unwrap_or_default();
    if f.deprecated {
        doc = format!("{doc}\n\nDeprecated.").trim().to_string();
    }
    if f.read_only {
        doc = format!("{doc}\n\nRead-only: set by the server.")
            .trim()
            .to_string();
    }
    if presence == Presence::TriState {
        doc = format!("{doc}\n\n`None`: not sent; `Some(None)`: sent as `null` (clears the value); `Some(Some(v))`: sent as `v`.")
            .trim()
            .to_string();
    }
    let doc = doc_attr(Some(&doc));
    quote! { #doc pub #name: #ty, }
}

/// The `object!` invocation that gives a struct its serde impls (see the runtime's `de`
/// module): one line per field, its wire name as a string literal.
fn object_text(def: &TypeDef, fields: &[Field], serialize: bool) -> String {
    let mut out = String::from("crate::runtime::object! {\n    ");
    if !serialize {
        out.push_str("@deserialize_only ");
    }
    out.push_str(&def.name);
    if fields.is_empty() {
        out.push_str(" {}\n}\n");
        return out;
    }
    out.push_str(" {\n");
    for f in fields {
        let kind = match presence(def, f) {
            Presence::Required => "required",
            Presence::RequiredNullable => "nullable",
            Presence::Optional => "optional",
            Presence::TriState => "tristate",
        };
        let wire = proc_macro2::Literal::string(&f.wire_name);
        out.push_str(&format!(
            "        {}: {kind} {wire},\n",
            crate::naming::rust_ident(&f.ident)
        ));
    }
    out.push_str("    }\n}\n");
    out
}

fn struct_item(
    api: &Api,
    def: &TypeDef,
    fields: &[Field],
    default: bool,
    cfg: &TokenStream,
) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = doc_attr(def.description.as_deref());
    let fs: Vec<TokenStream> = fields.iter().map(|f| field_tokens(api, def, f)).collect();
    let default = if default {
        quote! { , Default }
    } else {
        TokenStream::new()
    };
    let item = quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq #default)]
        pub struct #name { #(#fs)* }
    };
    if !def.usage.multipart {
        return item;
    }
    let parts = multipart_parts(api, def, fields);
    quote! {
        #item
        #cfg
        impl #name {
            /// The multipart form parts of this body.
            pub fn to_parts(&self) -> Vec<crate::runtime::Part> {
                let mut parts = Vec::new();
                #(#parts)*
                parts
            }
        }
    }
}

fn multipart_parts(api: &Api, def: &TypeDef, fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let presence = presence(def, f);
            let name = ident(&f.ident);
            let wire = &f.wire_name;
            let optional = !f.required || f.ty.is_nullable();
            let value = quote! { value };
            let push = match api.resolve_alias(f.ty.non_null()) {
                TypeRef::Bytes => quote! { parts.push(crate::runtime::Part::file(#wire, #value)); },
                TypeRef::Array(inner) if matches!(**inner, TypeRef::Bytes) => quote! {
                    for item in #value { parts.push(crate::runtime::Part::file(#wire, item)); }
                },
                TypeRef::Array(_) => quote! {
                    for item in #value { parts.push(crate::runtime::Part::text(#wire, crate::runtime::QueryValue::to_query_value(item))); }
                },
                TypeRef::Json | TypeRef::JsonObject | TypeRef::Map(_) => quote! {
                    parts.push(crate::runtime::Part::text(#wire, serde_json::to_string(#value).unwrap_or_default()));
                },
                TypeRef::Named(_) => quote! {
                    parts.push(crate::runtime::Part::text(#wire, serde_json::to_value(#value).map(|v| crate::runtime::QueryValue::to_query_value(&v)).unwrap_or_default()));
                },
                _ => quote! {
                    parts.push(crate::runtime::Part::text(#wire, crate::runtime::QueryValue::to_query_value(#value)));
                },
            };
            if presence == Presence::TriState {
                // A form has no `null`: only a value is sent.
                quote! { if let Some(Some(value)) = &self.#name { #push } }
            } else if optional {
                quote! { if let Some(value) = &self.#name { #push } }
            } else {
                quote! { { let value = &self.#name; #push } }
            }
        })
        .collect()
}

fn json_kind(k: JsonKind) -> TokenStream {
    match k {
        JsonKind::Object => quote! { crate::runtime::JsonKind::Object },
        JsonKind::Array => quote! { crate::runtime::JsonKind::Array },
        JsonKind::String => quote! { crate::runtime::JsonKind::String },
        JsonKind::Integer => quote! { crate::runtime::JsonKind::Integer },
        JsonKind::Number => quote! { crate::runtime::JsonKind::Number },
        JsonKind::Boolean => quote! { crate::runtime::JsonKind::Boolean },
        JsonKind::Any => quote! { crate::runtime::JsonKind::Any },
    }
}

fn union_item(
    api: &Api,
    def: &TypeDef,
    tag: Option<&str>,
    variants: &[Variant],
    cfg: &TokenStream,
) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = doc_attr(def.description.as_deref());
    let vs: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let vi = format_ident!("{}", v.ident);
            let t = rust_type(api, &v.ty, Place::Models);
            let t = if v.boxed {
                quote! { Box<#t> }
            } else {
                t
            };
            quote! { #vi(#t), }
        })
        .collect();
    let decode = |v: &Variant| {
        let vi = format_ident!("{}", v.ident);
        if v.boxed {
            quote! { crate::runtime::union::decode_variant(&value).map(|v| Self::#vi(Box::new(v))) }
        } else {
            quote! { crate::runtime::union::decode_variant(&value).map(Self::#vi) }
        }
    };
    let tagged = match tag {
        Some(tag) if variants.iter().any(|v| !v.tag_values.is_empty()) => {
            let arms: Vec<TokenStream> = variants
                .iter()
                .filter(|v| !v.tag_values.is_empty())
                .map(|v| {
                    let values = &v.tag_values;
                    let d = decode(v);
                    quote! { Some(#(#values)|*) => return #d.map_err(serde::de::Error::custom), }
                })
                .collect();
            quote! {
                match value.get(#tag).and_then(serde_json::Value::as_str) {
                    #(#arms)*
                    Some(_) => return Ok(Self::Unknown(value)),
                    None => {}
                }
            }
        }
        _ => TokenStream::new(),
    };
    let shapes: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let kind = json_kind(v.json_kind);
            let req = &v.required;
            let props = &v.properties;
            let values = v.values.iter().map(|(name, allowed)| quote! { (#name, &[#(#allowed),*]) });
            quote! { crate::runtime::VariantShape { kind: #kind, required: &[#(#req),*], properties: &[#(#props),*], values: &[#(#values),*] }, }
        })
        .collect();
    let tries: Vec<TokenStream> = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let d = decode(v);
            quote! { #i => #d, }
        })
        .collect();
    let tag_doc = tag
        .map(|t| format!(" Selected by the `{t}` property when present; otherwise by shape."))
        .unwrap_or_else(|| " Selected by shape: the variant whose required properties are present and known properties match best.".to_string());
    quote! {
        #doc
        #[doc = ""]
        #[doc = #tag_doc]
        #cfg
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(#vs)*
            /// A value that matches no known variant; the raw JSON is kept.
            Unknown(serde_json::Value),
        }
        #cfg
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                #tagged
                const SHAPES: &[crate::runtime::VariantShape] = &[#(#shapes)*];
                for index in crate::runtime::union::candidates(&value, SHAPES) {
                    let decoded: Result<Self, String> = match index {
                        #(#tries)*
                        _ => continue,
                    };
                    if let Ok(decoded) = decoded {
                        return Ok(decoded);
                    }
                }
                Ok(Self::Unknown(value))
            }
        }
    }
}

/// Enums go through the runtime's `open_enum!` macro, written by hand so it stays readable.
fn enum_text(def: &TypeDef, values: &[crate::ir::EnumValue]) -> String {
    let mut out = String::from("crate::runtime::open_enum! {\n");
    if let Some(d) = def.description.as_deref().filter(|d| !d.trim().is_empty()) {
        for line in super::docs::rustdoc(d).lines() {
            out.push_str(&format!(
                "    ///{}{line}\n",
                if line.is_empty() { "" } else { " " }
            ));
        }
    }
    out.push_str(&format!("    pub enum {} {{\n", def.name));
    for v in values {
        let lit = proc_macro2::Literal::string(&v.wire);
        out.push_str(&format!("        {} => {lit},\n", v.ident));
    }
    out.push_str("    }\n}\n");
    out
}
