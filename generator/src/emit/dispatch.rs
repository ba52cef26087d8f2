//! `src/operations.rs`: every operation as data (`OPERATIONS`) and `Client::call`, which
//! calls an operation chosen by name with JSON input through the runtime's request
//! interpreter.

use super::types::param_type;
use super::{format_file, rust_type, Place};
use crate::ir::{
    Api, BodyEncoding, Operation, Param, ParamLocation, ResponseKind, SafetyClass, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

fn safety(c: SafetyClass) -> TokenStream {
    match c {
        SafetyClass::Read => quote! { crate::runtime::SafetyClass::Read },
        SafetyClass::Write => quote! { crate::runtime::SafetyClass::Write },
        SafetyClass::Destructive => quote! { crate::runtime::SafetyClass::Destructive },
    }
}

fn location(l: ParamLocation) -> TokenStream {
    match l {
        ParamLocation::Path => quote! { crate::runtime::ParamLocation::Path },
        ParamLocation::Query => quote! { crate::runtime::ParamLocation::Query },
        ParamLocation::Header => quote! { crate::runtime::ParamLocation::Header },
        ParamLocation::Cookie => quote! { crate::runtime::ParamLocation::Cookie },
    }
}

/// The parameter's style: path and header parameters are `simple`; a query parameter's
/// delimiter (from its `style` in the spec) names its style.
fn style(p: &Param) -> TokenStream {
    match (p.location, p.delimiter) {
        (ParamLocation::Query, ' ') => quote! { crate::runtime::ParamStyle::SpaceDelimited },
        (ParamLocation::Query, '|') => quote! { crate::runtime::ParamStyle::PipeDelimited },
        (ParamLocation::Query, _) => quote! { crate::runtime::ParamStyle::Form },
        _ => quote! { crate::runtime::ParamStyle::Simple },
    }
}

fn scalar(t: &TypeRef) -> Option<TokenStream> {
    Some(match t {
        TypeRef::Integer => quote! { crate::runtime::ScalarType::Integer },
        TypeRef::Number => quote! { crate::runtime::ScalarType::Number },
        TypeRef::Boolean => quote! { crate::runtime::ScalarType::Boolean },
        // Strings and (open) enums.
        TypeRef::String | TypeRef::Named(_) => quote! { crate::runtime::ScalarType::String },
        _ => return None,
    })
}

/// The parameter's type in JSON input: the type its typed method takes it as.
fn param_ty(api: &Api, p: &Param) -> TokenStream {
    match param_type(api, &p.ty) {
        TypeRef::Array(inner) => match scalar(&inner) {
            Some(s) => quote! { crate::runtime::ParamType::Array(#s) },
            None => quote! { crate::runtime::ParamType::Json },
        },
        t => match scalar(&t) {
            Some(s) => quote! { crate::runtime::ParamType::Scalar(#s) },
            None => quote! { crate::runtime::ParamType::Json },
        },
    }
}

fn info(api: &Api, op: &Operation) -> TokenStream {
    let id = &op.operation_id;
    let group = &api.groups[op.group].module;
    let method = &op.method_name;
    let http = op.http_method.as_str();
    let path = &op.path;
    let summary = op.summary.as_deref().unwrap_or("").trim();
    let safety = safety(op.safety.class);
    let credential = op.safety.credential.is_some();
    let idempotent = op.safety.idempotent;
    let deprecated = op.deprecated;
    let auth = op.auth;
    let params = op.params.iter().map(|p| {
        let name = &p.wire_name;
        let loc = location(p.location);
        let required = p.required;
        let style = style(p);
        let explode = p.explode;
        let ty = param_ty(api, p);
        quote! {
            crate::runtime::ParamInfo {
                name: #name, location: #loc, required: #required, style: #style,
                explode: #explode, ty: #ty,
            }
        }
    });
    let body = match &op.body {
        Some(b) => {
            let ct = &b.content_type;
            let required = b.required;
            let encoding = match b.encoding {
                BodyEncoding::Json => quote! { crate::runtime::BodyEncoding::Json },
                BodyEncoding::Form => quote! { crate::runtime::BodyEncoding::Form },
                BodyEncoding::Multipart => quote! { crate::runtime::BodyEncoding::Multipart },
                BodyEncoding::Bytes => quote! { crate::runtime::BodyEncoding::Bytes },
            };
            quote! {
                Some(crate::runtime::BodyInfo {
                    content_type: #ct, required: #required, encoding: #encoding,
                })
            }
        }
        None => quote! { None },
    };
    let response = match op.response.kind {
        ResponseKind::Json(_) => quote! { crate::runtime::ResponseKind::Json },
        ResponseKind::Empty => quote! { crate::runtime::ResponseKind::Empty },
        ResponseKind::Text => quote! { crate::runtime::ResponseKind::Text },
        ResponseKind::Bytes => quote! { crate::runtime::ResponseKind::Bytes },
    };
    quote! {
        crate::runtime::OperationInfo {
            id: #id, group: #group, method: #method, http_method: #http, path: #path,
            summary: #summary, safety: #safety, credential: #credential,
            idempotent: #idempotent, deprecated: #deprecated, auth: #auth,
            params: &[#(#params),*], body: #body, response: #response,
        }
    }
}

/// The models of the operation, so that `Client::call` checks and decodes as the typed
/// method does: its request body model checks the JSON body (bytes bodies are text and need
/// none), and its response model decodes a JSON response.
fn models(api: &Api, op: &Operation) -> TokenStream {
    let body = match &op.body {
        Some(b) if b.encoding != BodyEncoding::Bytes => {
            let t = match b.encoding {
                BodyEncoding::Multipart => rust_type(api, b.ty.non_null(), Place::Group),
                _ => rust_type(api, &b.ty, Place::Group),
            };
            quote! { Some(crate::runtime::check_body::<#t>) }
        }
        _ => quote! { None },
    };
    let response = match &op.response.kind {
        ResponseKind::Json(t) => {
            let t = rust_type(api, t, Place::Group);
            quote! { Some(crate::runtime::decode_response::<#t>) }
        }
        _ => quote! { None },
    };
    quote! { crate::runtime::Models { body: #body, response: #response } }
}

/// Emit `src/operations.rs`.
pub fn operations_rs(api: &Api) -> Result<String, String> {
    let infos = api.operations.iter().map(|op| {
        let cfg = super::features::op_attr(api, op);
        let info = info(api, op);
        quote! { #cfg #info }
    });
    let models = api.operations.iter().map(|op| {
        let cfg = super::features::op_attr(api, op);
        let models = models(api, op);
        quote! { #cfg #models }
    });
    let tokens = quote! {
        /// Every operation of the API that the enabled features compile (one cargo feature per
        /// group, `write` for the operations that change data), in spec order.
        pub const OPERATIONS: &[crate::runtime::OperationInfo] = &[#(#infos),*];

        /// The operation with this operationId, if the enabled features compile it.
        pub fn find(operation_id: &str) -> Option<&'static crate::runtime::OperationInfo> {
            OPERATIONS.iter().find(|op| op.id == operation_id)
        }

        /// The models of each entry of [`OPERATIONS`], at the same index: `Client::call`
        /// checks request bodies and decodes responses with them, as the typed methods do.
        #[cfg(feature = "dynamic")]
        #[allow(deprecated)]
        const MODELS: &[crate::runtime::Models] = &[#(#models),*];

        #[cfg(feature = "dynamic")]
        impl<M: crate::runtime::Mode> crate::Client<M> {
            /// Call an operation chosen by its operationId, with JSON input: one key per
            /// parameter (its wire name) and `body` for the request body. Unknown keys,
            /// missing required ones and values of the wrong type are refused, naming the
            /// key, and the body is checked against its model; the request is then built by
            /// the runtime's interpreter ([`crate::runtime::build_request`]) and sent. The
            /// response is decoded with its model, as the typed method does, and comes back
            /// as JSON.
            ///
            /// A read-only client refuses every operation that is not `read`, before
            /// anything is sent ([`crate::runtime::Error::ReadOnly`]). Operations that the
            /// enabled features do not compile are unknown.
            pub async fn call(
                &self,
                operation_id: &str,
                input: serde_json::Value,
            ) -> Result<crate::runtime::Response<serde_json::Value>, crate::runtime::Error> {
                let unknown = || crate::runtime::Error::UnknownOperation(operation_id.to_string());
                let index = OPERATIONS.iter().position(|op| op.id == operation_id).ok_or_else(unknown)?;
                let models = MODELS.get(index).copied().ok_or_else(unknown)?;
                self.0.call_operation(&OPERATIONS[index], input, models).await
            }
        }
    };
    format_file(
        api,
        Some("Every operation as data, and calling an operation by name with JSON input."),
        tokens,
    )
}
