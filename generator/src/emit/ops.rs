//! `src/<group>.rs`: the group handle, parameter structs and one method per operation.

use super::types::{arg_type, needs_option, param_type};
use super::{doc_attr, format_file, ident, rust_type, Place};
use crate::ir::{
    Api, BodyEncoding, HttpMethod, Operation, Param, ParamLocation, ResponseKind, SafetyClass,
    TypeRef,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Expression giving a `&V: QueryValue` for a positional argument.
fn arg_ref(api: &Api, p: &Param) -> TokenStream {
    let name = ident(&p.ident);
    match param_type(api, &p.ty) {
        TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => quote! { &#name },
        _ => quote! { #name },
    }
}

fn method_tokens(m: HttpMethod) -> TokenStream {
    let i = format_ident!("{}", m.as_str());
    quote! { reqwest::Method::#i }
}

/// Statements binding each path parameter's encoded segment, and the path expression.
fn path_expr(api: &Api, op: &Operation) -> (Vec<TokenStream>, TokenStream) {
    let mut fmt = String::new();
    let mut lets: Vec<TokenStream> = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        fmt.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
        let name = &rest[start + 1..start + end];
        if let Some(p) = op
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Path && p.wire_name == name)
        {
            let local = format!("path_{}", &p.ident);
            fmt.push_str(&format!("{{{local}}}"));
            let local = format_ident!("{}", local);
            let v = arg_ref(api, p);
            let wire = &p.wire_name;
            lets.push(match param_type(api, &p.ty) {
                TypeRef::String => quote! { let #local = crate::runtime::path_param(#wire, #v)?; },
                _ => quote! { let #local = crate::runtime::path_param(#wire, &crate::runtime::QueryValue::to_query_value(#v))?; },
            });
        }
        rest = &rest[start + end + 1..];
    }
    fmt.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    if lets.is_empty() {
        (lets, quote! { #fmt.to_string() })
    } else {
        (lets, quote! { format!(#fmt) })
    }
}

fn push_param(api: &Api, p: &Param, positional: bool) -> TokenStream {
    let wire = &p.wire_name;
    let explode = p.explode;
    let delim = p.delimiter;
    let name = ident(&p.ident);
    let is_array = matches!(param_type(api, &p.ty), TypeRef::Array(_));
    match p.location {
        ParamLocation::Query => match (positional, is_array) {
            (true, true) => quote! { query.push_array(#wire, #name, #explode, #delim); },
            (true, false) => {
                let v = arg_ref(api, p);
                quote! { query.push(#wire, #v); }
            }
            (false, true) => {
                quote! { query.push_array_opt(#wire, &params.#name, #explode, #delim); }
            }
            (false, false) => quote! { query.push_opt(#wire, &params.#name); },
        },
        ParamLocation::Header | ParamLocation::Cookie => {
            let value = |v: TokenStream| {
                let text = if is_array {
                    quote! { #v.iter().map(crate::runtime::QueryValue::to_query_value).collect::<Vec<_>>().join(",") }
                } else {
                    quote! { crate::runtime::QueryValue::to_query_value(#v) }
                };
                if p.location == ParamLocation::Cookie {
                    quote! { headers.push(("Cookie", format!("{}={}", #wire, #text))); }
                } else {
                    quote! { headers.push((#wire, #text)); }
                }
            };
            if positional {
                value(arg_ref(api, p))
            } else {
                let inner = value(quote! { value });
                quote! { if let Some(value) = &params.#name { #inner } }
            }
        }
        ParamLocation::Path => TokenStream::new(),
    }
}

fn op_doc(api: &Api, op: &Operation) -> TokenStream {
    let mut text = String::new();
    if let Some(s) = &op.summary {
        text.push_str(s.trim());
        text.push_str("\n\n");
    }
    if let Some(d) = &op.description {
        if op.summary.as_deref().map(str::trim) != Some(d.trim()) {
            text.push_str(d.trim());
            text.push_str("\n\n");
        }
    }
    let mut lines = String::new();
    let class = match op.safety.class {
        SafetyClass::Read => "read",
        SafetyClass::Write => "write",
        SafetyClass::Destructive => "destructive",
    };
    lines.push_str(&format!(
        "`{} {}` (operation `{}`). Safety: {class}{}.",
        op.http_method,
        op.path,
        op.operation_id,
        if op.safety.idempotent {
            ", idempotent"
        } else {
            ""
        }
    ));
    if let Some(reason) = &op.safety.reason {
        lines.push_str(&format!(" {reason}"));
    }
    let required: Vec<&Param> = op.params.iter().filter(|p| p.required).collect();
    let docs = doc_attr(Some(text.trim_end()));
    let mut arg_docs = String::new();
    if !required.is_empty() {
        arg_docs.push_str("\n\n# Arguments\n");
        for p in required {
            let d = p
                .description
                .as_deref()
                .and_then(|d| d.lines().next())
                .map(|d| format!(": {}", super::docs::rustdoc(d)))
                .unwrap_or_default();
            arg_docs.push_str(&format!(
                "\n- `{}` ({} `{}`){d}",
                &p.ident,
                p.location.as_str(),
                p.wire_name
            ));
        }
    }
    if !op.error_statuses.is_empty() {
        let codes: Vec<String> = op.error_statuses.iter().map(u16::to_string).collect();
        arg_docs.push_str(&format!(
            "\n\n# Errors\n\n[`crate::runtime::Error::Api`] for a non-success status (declared: {}); transport and decoding failures otherwise.",
            codes.join(", ")
        ));
    }
    let _ = api;
    let rest = if text.trim().is_empty() {
        format!("{lines}{arg_docs}")
    } else {
        format!("\n{lines}{arg_docs}")
    };
    let rest_lines = rest.lines().map(super::doc_line);
    quote! { #docs #(#[doc = #rest_lines])* }
}

fn method_item(api: &Api, op: &Operation) -> Result<TokenStream, String> {
    let name = ident(&op.method_name);
    let mut args: Vec<TokenStream> = Vec::new();
    let mut pushes: Vec<TokenStream> = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let n = ident(&p.ident);
        let t = arg_type(api, &p.ty);
        args.push(quote! { #n: #t });
        pushes.push(push_param(api, p, true));
    }
    if let Some(pt) = &op.params_type {
        let pt = format_ident!("{}", pt);
        args.push(quote! { params: &#pt });
        for p in op.params.iter().filter(|p| !p.required) {
            pushes.push(push_param(api, p, false));
        }
    }
    let body = match &op.body {
        None => quote! { crate::runtime::Body::None },
        Some(b) => {
            let optional = !b.required && needs_option(api, &b.ty);
            let (arg_t, expr) = match b.encoding {
                BodyEncoding::Json | BodyEncoding::Form => {
                    let t = match b.ty.non_null() {
                        TypeRef::Array(inner) if !b.ty.is_nullable() => {
                            let i = rust_type(api, inner, Place::Group);
                            quote! { [#i] }
                        }
                        _ => rust_type(api, &b.ty, Place::Group),
                    };
                    let f = if b.encoding == BodyEncoding::Json {
                        quote! { crate::runtime::Body::json }
                    } else {
                        quote! { crate::runtime::Body::form }
                    };
                    (t, quote! { #f(body)? })
                }
                BodyEncoding::Multipart => {
                    let t = rust_type(api, b.ty.non_null(), Place::Group);
                    (
                        t,
                        quote! { crate::runtime::Body::Multipart(body.to_parts()) },
                    )
                }
                BodyEncoding::Bytes => {
                    let ct = &b.content_type;
                    (
                        quote! { [u8] },
                        quote! { crate::runtime::Body::Bytes { data: body.to_vec(), content_type: #ct.to_string() } },
                    )
                }
            };
            if optional {
                args.push(quote! { body: Option<&#arg_t> });
                quote! { match body { Some(body) => #expr, None => crate::runtime::Body::None } }
            } else {
                args.push(quote! { body: &#arg_t });
                expr
            }
        }
    };
    let (ret, send) = match &op.response.kind {
        ResponseKind::Json(t) => (rust_type(api, t, Place::Group), quote! { send_json }),
        ResponseKind::Empty => (quote! { () }, quote! { send_empty }),
        ResponseKind::Text => (quote! { String }, quote! { send_text }),
        ResponseKind::Bytes => (quote! { Vec<u8> }, quote! { send_bytes }),
    };
    let op_id = &op.operation_id;
    let method = method_tokens(op.http_method);
    let (path_lets, path) = path_expr(api, op);
    let auth = op.auth;
    let idempotent = op.safety.idempotent;
    let doc = op_doc(api, op);
    let stream = super::pagination::stream_item(api, op)?;
    let deprecated = if op.deprecated {
        quote! { #[deprecated(note = "deprecated by the API")] }
    } else {
        TokenStream::new()
    };
    let has_query = op.params.iter().any(|p| p.location == ParamLocation::Query);
    let has_headers = op
        .params
        .iter()
        .any(|p| matches!(p.location, ParamLocation::Header | ParamLocation::Cookie));
    let query_decl = if has_query {
        quote! { let mut query = crate::runtime::Query::new(); }
    } else {
        quote! { let query = crate::runtime::Query::new(); }
    };
    let headers_decl = if has_headers {
        quote! { let mut headers: Vec<(&'static str, String)> = Vec::new(); }
    } else {
        quote! { let headers = Vec::new(); }
    };
    Ok(quote! {
        #doc
        #deprecated
        pub async fn #name(&self #(, #args)*) -> Result<crate::runtime::Response<#ret>, crate::runtime::Error> {
            #query_decl
            #headers_decl
            #(#path_lets)*
            #(#pushes)*
            let request = crate::runtime::Request {
                operation_id: #op_id,
                method: #method,
                path: #path,
                query,
                headers,
                body: #body,
                auth: #auth,
                idempotent: #idempotent,
            };
            self.client.#send(request).await
        }
        #stream
    })
}

fn params_struct(api: &Api, op: &Operation) -> TokenStream {
    let Some(pt) = &op.params_type else {
        return TokenStream::new();
    };
    let pt = format_ident!("{}", pt);
    let fields: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| !p.required)
        .map(|p| {
            let n = ident(&p.ident);
            let t = rust_type(api, &param_type(api, &p.ty), Place::Group);
            let mut d = p.description.clone().unwrap_or_default();
            d = format!(
                "{d}\n\n{} parameter `{}`.",
                capitalize(p.location.as_str()),
                p.wire_name
            );
            if let Some(def) = &p.default {
                d.push_str(&format!(" Server default: `{def}`."));
            }
            if p.deprecated {
                d.push_str(" Deprecated.");
            }
            let doc = doc_attr(Some(d.trim()));
            quote! { #doc pub #n: Option<#t>, }
        })
        .collect();
    let method = op.method_name.clone();
    let sdoc = format!(
        " Optional parameters of `{method}` (`{} {}`). Every field defaults to not sent.",
        op.http_method, op.path
    );
    quote! {
        #[doc = #sdoc]
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct #pt { #(#fields)* }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Emit the module of group `gi`.
pub fn group_rs(api: &Api, gi: usize) -> Result<String, String> {
    let g = &api.groups[gi];
    let ty = format_ident!("{}", g.type_name);
    let ops: Vec<&Operation> = g.operations.iter().map(|&i| &api.operations[i]).collect();
    let reads: Vec<TokenStream> = ops
        .iter()
        .filter(|o| o.safety.read_only_safe())
        .map(|o| method_item(api, o))
        .collect::<Result<_, _>>()?;
    // Reads that return credentials are not in the read-only view (nor behind `write`).
    let secrets: Vec<TokenStream> = ops
        .iter()
        .filter(|o| o.safety.class == SafetyClass::Read && o.safety.credential.is_some())
        .map(|o| method_item(api, o))
        .collect::<Result<_, _>>()?;
    let writes: Vec<TokenStream> = ops
        .iter()
        .filter(|o| o.safety.class != SafetyClass::Read)
        .map(|o| method_item(api, o))
        .collect::<Result<_, _>>()?;
    // Parameter structs of write operations exist only with the `write` feature, like their
    // methods.
    let write_cfg = super::features::attr(Some(&super::features::feature(super::features::WRITE)));
    let params: Vec<TokenStream> = ops
        .iter()
        .map(|o| {
            let item = params_struct(api, o);
            if o.safety.class == SafetyClass::Read || item.is_empty() {
                item
            } else {
                quote! { #write_cfg #item }
            }
        })
        .collect();
    let read_impl = if reads.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            /// Read operations: available on read-only and read-write clients.
            impl<M: crate::runtime::Mode> #ty<'_, M> { #(#reads)* }
        }
    };
    let secret_impl = if secrets.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            /// Read operations that return a secret or credential: only on a read-write
            /// client (a read-only client withholds credentials).
            impl<M: crate::runtime::ReadsCredentials> #ty<'_, M> { #(#secrets)* }
        }
    };
    let write_impl = if writes.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            /// Write and destructive operations: only on a read-write client, with the
            /// `write` feature.
            #write_cfg
            impl #ty<'_, crate::runtime::ReadWrite> { #(#writes)* }
        }
    };
    let sdoc = format!(
        " Operations of the `{}` group. Get one with `client.{}()`.",
        g.wire_name, &g.module
    );
    let tokens = quote! {
        #[doc = #sdoc]
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'a, M: crate::runtime::Mode = crate::runtime::ReadWrite> {
            client: &'a crate::runtime::Client<M>,
        }
        impl<'a, M: crate::runtime::Mode> #ty<'a, M> {
            pub(crate) fn new(client: &'a crate::runtime::Client<M>) -> Self {
                Self { client }
            }
        }
        #read_impl
        #secret_impl
        #write_impl
        #(#params)*
    };
    // The printer copies the tokens it does not own alone: drop the parts quoted above.
    drop((
        reads,
        secrets,
        writes,
        params,
        read_impl,
        secret_impl,
        write_impl,
        write_cfg,
    ));
    let mut doc = format!("The `{}` operations.", g.wire_name);
    if let Some(d) = &g.description {
        doc.push_str("\n\n");
        doc.push_str(&super::docs::rustdoc(d));
    }
    format_file(api, Some(&doc), tokens)
}
