//! How the client passes parameters and bodies: the Rust types of positional arguments and
//! whether an optional body is an `Option`. Shared by the methods (`ops`), their streams
//! (`pagination`), their feature gates (`features`) and the callers by name (`dispatch`).

use super::{rust_type, Place};
use crate::ir::{Api, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

/// The type a parameter is passed as: scalars, enums and arrays of them; anything else is JSON.
pub(crate) fn param_type(api: &Api, t: &TypeRef) -> TypeRef {
    let t = api.resolve_alias(t.non_null());
    match t {
        TypeRef::String | TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => t.clone(),
        TypeRef::Named(id) if matches!(api.types[*id].kind, TypeKind::Enum { .. }) => t.clone(),
        TypeRef::Array(inner) => match param_type(api, inner) {
            TypeRef::Json => TypeRef::Json,
            scalar => TypeRef::Array(Box::new(scalar)),
        },
        _ => TypeRef::Json,
    }
}

/// Type of a required parameter passed positionally (borrowed where that is natural).
pub(crate) fn arg_type(api: &Api, t: &TypeRef) -> TokenStream {
    match param_type(api, t) {
        TypeRef::String => quote! { &str },
        TypeRef::Array(inner) => {
            let i = rust_type(api, &inner, Place::Group);
            quote! { &[#i] }
        }
        TypeRef::Integer => quote! { i64 },
        TypeRef::Number => quote! { f64 },
        TypeRef::Boolean => quote! { bool },
        other => {
            let t = rust_type(api, &other, Place::Group);
            quote! { &#t }
        }
    }
}

/// An optional body is an `Option` only when an empty body cannot stand for "nothing"
/// (its type has required fields, so `Default` cannot make one).
pub(crate) fn needs_option(api: &Api, t: &TypeRef) -> bool {
    match api.resolve_alias(t.non_null()) {
        TypeRef::Named(id) => match &api.types[*id].kind {
            TypeKind::Struct { fields } => fields.iter().any(|f| f.required),
            _ => true,
        },
        _ => false,
    }
}
