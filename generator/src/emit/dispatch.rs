//! `src/operations.rs`: every operation as data (`OPERATIONS`) and `Client::call`, which
//! calls an operation chosen by name with JSON input, through its typed method.

use super::types::{needs_option, param_type};
use super::{format_file, ident, rust_type, Place};
use crate::ir::{Api, BodyEncoding, Operation, SafetyClass, TypeRef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn safety(c: SafetyClass) -> TokenStream {
    match c {
        SafetyClass::Read => quote! { crate::runtime::SafetyClass::Read },
        SafetyClass::Write => quote! { crate::runtime::SafetyClass::Write },
        SafetyClass::Destructive => quote! { crate::runtime::SafetyClass::Destructive },
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
    let params = op.params.iter().map(|p| {
        let name = &p.wire_name;
        let loc = p.location.as_str();
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
            summary: #summary, safety: #safety, credential: #credential,
            idempotent: #idempotent, deprecated: #deprecated,
            params: &[#(#params),*], body: #body,
        }
    }
}

/// The caller of one operation: a small function that decodes the JSON input into the
/// operation's typed arguments and returns the boxed future of the typed method. One small
/// function per operation (rather than one `async fn` with an arm per operation) keeps every
/// state machine small, which is what makes the crate quick to compile.
fn caller(api: &Api, op: &Operation, name: &proc_macro2::Ident) -> TokenStream {
    let group = ident(&api.groups[op.group].module);
    let group_type = quote::format_ident!("{}", api.groups[op.group].type_name);
    let method = ident(&op.method_name);
    let mut takes = Vec::new();
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let name = ident(&p.ident);
        let wire = &p.wire_name;
        let t = rust_type(api, &param_type(api, &p.ty), Place::Group);
        takes.push(quote! { let #name: #t = input.required(#wire)?; });
        args.push(match param_type(api, &p.ty) {
            TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => quote! { #name },
            _ => quote! { &#name },
        });
    }
    if let Some(pt) = &op.params_type {
        let pt = format_ident!("{}", pt);
        let inits = op.params.iter().filter(|p| !p.required).map(|p| {
            let name = ident(&p.ident);
            let wire = &p.wire_name;
            quote! { #name: input.optional(#wire)?, }
        });
        takes.push(quote! { let params = crate::#group::#pt { #(#inits)* }; });
        args.push(quote! { &params });
    }
    if let Some(b) = &op.body {
        let (t, arg) = match b.encoding {
            BodyEncoding::Bytes => (quote! { String }, quote! { body.as_bytes() }),
            BodyEncoding::Multipart => (
                rust_type(api, b.ty.non_null(), Place::Group),
                quote! { &body },
            ),
            BodyEncoding::Json | BodyEncoding::Form => {
                (rust_type(api, &b.ty, Place::Group), quote! { &body })
            }
        };
        if !b.required && needs_option(api, &b.ty) {
            takes.push(quote! { let body: Option<#t> = input.optional("body")?; });
            args.push(quote! { body.as_ref() });
        } else if !b.required {
            takes.push(quote! { let body: #t = input.optional("body")?.unwrap_or_default(); });
            args.push(arg);
        } else {
            takes.push(quote! { let body: #t = input.required("body")?; });
            args.push(arg);
        }
    }
    // Operations outside the read-only view need the read-write client; `call` checked the
    // mode before.
    let client = if op.safety.read_only_safe() {
        quote! { client }
    } else {
        quote! { &client.escalate() }
    };
    let input = if takes.is_empty() {
        quote! { let input = crate::runtime::CallInput::new(op, input)?; }
    } else {
        quote! { let mut input = crate::runtime::CallInput::new(op, input)?; }
    };
    let cfg = super::features::op_attr(api, op);
    quote! {
        #cfg
        pub(super) fn #name<'a, M: crate::runtime::Mode>(
            op: &'static crate::runtime::OperationInfo,
            client: &'a crate::runtime::Client<M>,
            input: serde_json::Value,
        ) -> Result<CallFuture<'a>, crate::runtime::Error> {
            #input
            #(#takes)*
            input.finish()?;
            Ok(Box::pin(async move { crate::runtime::into_json(crate::#group::#group_type::new(#client).#method(#(#args),*).await?) }))
        }
    }
}

/// `call_<operation id>`, unique within the API.
fn caller_names(api: &Api) -> Vec<proc_macro2::Ident> {
    let mut ns = crate::naming::Namespace::default();
    api.operations
        .iter()
        .map(|op| {
            let name = ns.claim(
                &format!("call_{}", crate::naming::snake(&op.operation_id)),
                "_",
            );
            format_ident!("{}", name)
        })
        .collect()
}

/// Emit `src/operations.rs`.
pub fn operations_rs(api: &Api) -> Result<String, String> {
    let infos = api.operations.iter().map(|op| {
        let cfg = super::features::op_attr(api, op);
        let info = info(api, op);
        quote! { #cfg #info }
    });
    let names = caller_names(api);
    let callers = api
        .operations
        .iter()
        .zip(&names)
        .map(|(op, name)| caller(api, op, name));
    let entries = api.operations.iter().zip(&names).map(|(op, name)| {
        let cfg = super::features::op_attr(api, op);
        quote! { #cfg callers::#name::<M> }
    });
    let tokens = quote! {
        /// Every operation of the API that the enabled features compile (one cargo feature per
        /// group, `write` for the operations that change data), in spec order.
        pub const OPERATIONS: &[crate::runtime::OperationInfo] = &[#(#infos),*];

        /// The operation with this operationId, if the enabled features compile it.
        pub fn find(operation_id: &str) -> Option<&'static crate::runtime::OperationInfo> {
            OPERATIONS.iter().find(|op| op.id == operation_id)
        }

        /// The future of one call by name.
        #[cfg(feature = "dynamic")]
        type CallFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<crate::runtime::Response<serde_json::Value>, crate::runtime::Error>> + Send + 'a>>;

        /// Decodes the input of one operation and starts the call.
        #[cfg(feature = "dynamic")]
        type Caller<M> = for<'a> fn(&'static crate::runtime::OperationInfo, &'a crate::runtime::Client<M>, serde_json::Value) -> Result<CallFuture<'a>, crate::runtime::Error>;

        #[cfg(feature = "dynamic")]
        impl<M: crate::runtime::Mode> crate::Client<M> {
            /// The caller of each entry of [`OPERATIONS`], at the same index.
            const CALLERS: &'static [Caller<M>] = &[#(#entries),*];

            /// Call an operation chosen by its operationId, with JSON input: one key per
            /// parameter (its wire name) and `body` for the request body. The input is
            /// decoded into the operation's typed arguments (unknown keys are refused) and
            /// the typed method is called; its response comes back as JSON.
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
                let op = &OPERATIONS[index];
                self.0.check_allowed(op)?;
                let caller = Self::CALLERS.get(index).ok_or_else(unknown)?;
                caller(op, &self.0, input)?.await
            }
        }

        /// One caller per operation, named after its operationId.
        #[cfg(feature = "dynamic")]
        #[allow(deprecated)]
        mod callers {
            #[allow(unused_imports)]
            use super::CallFuture;
            #(#callers)*
        }
    };
    format_file(
        api,
        Some("Every operation as data, and calling an operation by name with JSON input."),
        tokens,
    )
}
