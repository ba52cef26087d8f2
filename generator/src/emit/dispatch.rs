//! `src/operations.rs`: every operation as data (`OPERATIONS`) and `Client::call`, which
//! calls an operation chosen by name with JSON input, through its typed method.

use super::ops::{needs_option, param_type};
use super::{format_file, ident, rust_type, Place};
use crate::ir::{Api, BodyEncoding, Operation, ParamLocation, SafetyClass, TypeRef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn safety(c: SafetyClass) -> TokenStream {
    match c {
        SafetyClass::Read => quote! { crate::runtime::SafetyClass::Read },
        SafetyClass::Write => quote! { crate::runtime::SafetyClass::Write },
        SafetyClass::Destructive => quote! { crate::runtime::SafetyClass::Destructive },
    }
}

fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn info(api: &Api, op: &Operation) -> TokenStream {
    let id = &op.operation_id;
    let group = crate::naming::unraw(&api.groups[op.group].module);
    let method = crate::naming::unraw(&op.method_name);
    let http = &op.http_method;
    let path = &op.path;
    let summary = op.summary.as_deref().unwrap_or("").trim();
    let safety = safety(op.safety.class);
    let idempotent = op.safety.idempotent;
    let deprecated = op.deprecated;
    let params = op.params.iter().map(|p| {
        let name = &p.wire_name;
        let loc = location(p.location);
        let required = p.required;
        quote! { crate::runtime::ParamInfo { name: #name, location: #loc, required: #required } }
    });
    let body = match &op.body {
        Some(b) => {
            let ct = &b.content_type;
            let required = b.required;
            quote! { Some(crate::runtime::BodyInfo { content_type: #ct, required: #required }) }
        }
        None => quote! { None },
    };
    quote! {
        crate::runtime::OperationInfo {
            id: #id, group: #group, method: #method, http_method: #http, path: #path,
            summary: #summary, safety: #safety, idempotent: #idempotent, deprecated: #deprecated,
            params: &[#(#params),*], body: #body,
        }
    }
}

/// The match arm that decodes the input and calls the typed method.
fn arm(api: &Api, index: usize, op: &Operation) -> TokenStream {
    let group = ident(&api.groups[op.group].module);
    let method = ident(&op.method_name);
    let mut fields = Vec::new();
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let name = ident(&p.ident);
        let wire = &p.wire_name;
        let t = rust_type(api, &param_type(api, &p.ty), Place::Group);
        fields.push(quote! { #[serde(rename = #wire)] #name: #t, });
        args.push(match param_type(api, &p.ty) {
            TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => quote! { input.#name },
            _ => quote! { &input.#name },
        });
    }
    if let Some(pt) = &op.params_type {
        let pt = format_ident!("{}", pt);
        let mut inits = Vec::new();
        for p in op.params.iter().filter(|p| !p.required) {
            let name = ident(&p.ident);
            let wire = &p.wire_name;
            let t = rust_type(api, &param_type(api, &p.ty), Place::Group);
            fields.push(quote! { #[serde(rename = #wire, default)] #name: Option<#t>, });
            inits.push(quote! { #name: input.#name, });
        }
        args.push(quote! { &crate::#group::#pt { #(#inits)* } });
    }
    if let Some(b) = &op.body {
        let (t, arg) = match b.encoding {
            BodyEncoding::Bytes => (quote! { String }, quote! { input.body.as_bytes() }),
            BodyEncoding::Multipart => (
                rust_type(api, b.ty.non_null(), Place::Group),
                quote! { &input.body },
            ),
            BodyEncoding::Json | BodyEncoding::Form => {
                (rust_type(api, &b.ty, Place::Group), quote! { &input.body })
            }
        };
        if !b.required && needs_option(api, &b.ty) {
            fields.push(quote! { #[serde(default)] body: Option<#t>, });
            args.push(quote! { input.body.as_ref() });
        } else if !b.required {
            fields.push(quote! { #[serde(default)] body: #t, });
            args.push(arg);
        } else {
            fields.push(quote! { body: #t, });
            args.push(arg);
        }
    }
    let client = if op.safety.class == SafetyClass::Read {
        quote! { self }
    } else {
        quote! { self.escalate() }
    };
    let decode = if fields.is_empty() {
        quote! { let _: Input = crate::runtime::decode_input(op, input)?; }
    } else {
        quote! { let input: Input = crate::runtime::decode_input(op, input)?; }
    };
    let call = quote! { #client.#group().#method(#(#args),*).await? };
    quote! {
        #index => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Input { #(#fields)* }
            #decode
            crate::runtime::into_json(#call)
        }
    }
}

/// Emit `src/operations.rs`.
pub fn operations_rs(api: &Api) -> Result<String, String> {
    let infos = api.operations.iter().map(|op| info(api, op));
    let arms = api
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| arm(api, i, op));
    let count = api.operations.len();
    let tokens = quote! {
        /// Every operation of the API, in spec order.
        pub const OPERATIONS: &[crate::runtime::OperationInfo; #count] = &[#(#infos),*];

        /// The operation with this operationId.
        pub fn find(operation_id: &str) -> Option<&'static crate::runtime::OperationInfo> {
            OPERATIONS.iter().find(|op| op.id == operation_id)
        }

        #[cfg(feature = "dynamic")]
        impl<M: crate::runtime::Mode> crate::runtime::Client<M> {
            /// Call an operation chosen by its operationId, with JSON input: one key per
            /// parameter (its wire name) and `body` for the request body. The input is
            /// decoded into the operation's typed arguments (unknown keys are refused) and
            /// the typed method is called; its response comes back as JSON.
            ///
            /// A read-only client refuses every operation that is not `read`, before
            /// anything is sent ([`crate::runtime::Error::ReadOnly`]).
            #[allow(deprecated)]
            pub async fn call(
                &self,
                operation_id: &str,
                input: serde_json::Value,
            ) -> Result<crate::runtime::Response<serde_json::Value>, crate::runtime::Error> {
                let Some(index) = OPERATIONS.iter().position(|op| op.id == operation_id) else {
                    return Err(crate::runtime::Error::UnknownOperation(operation_id.to_string()));
                };
                let op = &OPERATIONS[index];
                self.check_allowed(op)?;
                match index {
                    #(#arms)*
                    _ => Err(crate::runtime::Error::UnknownOperation(operation_id.to_string())),
                }
            }
        }
    };
    format_file(
        api,
        Some("Every operation as data, and calling an operation by name with JSON input."),
        tokens,
    )
}
