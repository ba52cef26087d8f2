//! `<method>_stream`: a [`PageStream`] of the items of a paginated operation, emitted next to
//! the operation's method (same impl block, so read-only clients get the streams of read
//! operations).
//!
//! The stream owns a clone of the client, the positional arguments and the parameters, so it
//! is `'static` and `Send`. Per page it clones the parameters, sets the offset (or cursor) and
//! the limit, and calls the typed method.
//!
//! `PageStream` and the helpers it uses are in the runtime (`generator/runtime/pagination.rs`).

use super::ops::{arg_type, param_type};
use super::{ident, rust_type, Place};
use crate::ir::peel;
use crate::ir::{
    Api, CursorPaging, ItemsAt, Operation, PageStrategy, Pagination, Param, ParamLocation,
    ResponseKind, TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The stream method of `op`, or nothing when it is not paginated.
pub fn stream_item(api: &Api, op: &Operation) -> TokenStream {
    let Some(p) = &op.pagination else {
        return TokenStream::new();
    };
    let Some(pt) = &op.params_type else {
        return TokenStream::new();
    };
    let query = |wire: &str| {
        op.params
            .iter()
            .find(|q| q.location == ParamLocation::Query && q.wire_name == wire && !q.required)
            .map(|q| ident(&q.ident))
    };
    let Some(limit) = query(&p.limit_param) else {
        return TokenStream::new();
    };
    let name = ident(&p.stream_method);
    let pt = format_ident!("{}", pt);
    let item = rust_type(api, &p.item_type, Place::Group);

    // Positional arguments: the same as the method's, owned by the stream.
    let required: Vec<&Param> = op.params.iter().filter(|q| q.required).collect();
    let args: Vec<TokenStream> = required
        .iter()
        .map(|q| {
            let n = ident(&q.ident);
            let t = arg_type(api, &q.ty);
            quote! { #n: #t }
        })
        .collect();
    let owned: Vec<TokenStream> = required
        .iter()
        .map(|q| {
            let n = ident(&q.ident);
            match param_type(api, &q.ty) {
                TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => TokenStream::new(),
                TypeRef::String => quote! { let #n = #n.to_string(); },
                TypeRef::Array(_) => quote! { let #n = #n.to_vec(); },
                _ => quote! { let #n = #n.clone(); },
            }
        })
        .collect();
    let per_page: Vec<TokenStream> = required
        .iter()
        .filter(|q| !is_copy(api, q))
        .map(|q| {
            let n = ident(&q.ident);
            quote! { let #n = #n.clone(); }
        })
        .collect();
    let call_args: Vec<TokenStream> = required
        .iter()
        .map(|q| {
            let n = ident(&q.ident);
            if is_copy(api, q) {
                quote! { #n }
            } else {
                quote! { &#n }
            }
        })
        .collect();

    let group = format_ident!("{}", api.groups[op.group].type_name);
    let method = ident(&op.method_name);
    let Some(extract) = extract(api, op, p) else {
        return TokenStream::new();
    };
    let fetch_body = quote! {
        let client = client.clone();
        #(#per_page)*
        async move {
            let page = #group::new(&client).#method(#(#call_args,)* &params).await?.into_inner();
            #extract
        }
    };
    let max = match p.max_limit {
        Some(m) => quote! { Some(#m) },
        None => quote! { None },
    };
    let cursor_stream = |c: &CursorPaging| -> Option<TokenStream> {
        let after = query(&c.after_param)?;
        let clear_before = c
            .before_param
            .as_deref()
            .and_then(query)
            .map(|b| quote! { params.#b = None; });
        let field = cursor_field(api, &p.item_type, &c.field)?;
        Some(quote! {
            crate::runtime::PageStream::cursor(
                params.#after.clone(),
                page_size,
                |item: &#item| crate::runtime::pagination::CursorValue::cursor_value(&item.#field),
                move |after, limit| {
                    let mut params = params.clone();
                    params.#after = after;
                    #clear_before
                    params.#limit = Some(crate::runtime::pagination::PageNumber::from_count(limit));
                    #fetch_body
                },
            )
        })
    };
    let body = match &p.strategy {
        PageStrategy::Offset { offset_param } => {
            let Some(offset) = query(offset_param) else {
                return TokenStream::new();
            };
            let offset_stream = quote! {
                crate::runtime::PageStream::offset(
                    crate::runtime::pagination::page_start(params.#offset),
                    page_size,
                    move |offset, limit| {
                        let mut params = params.clone();
                        params.#offset = Some(crate::runtime::pagination::PageNumber::from_count(offset));
                        params.#limit = Some(crate::runtime::pagination::PageNumber::from_count(limit));
                        #fetch_body
                    },
                )
            };
            match p
                .alt_cursor
                .as_ref()
                .and_then(|c| Some((query(&c.after_param)?, cursor_stream(c)?)))
            {
                Some((after, cursor)) => quote! {
                    if params.#after.is_some() { #cursor } else { #offset_stream }
                },
                None => offset_stream,
            }
        }
        PageStrategy::Cursor(c) => match cursor_stream(c) {
            Some(s) => s,
            None => return TokenStream::new(),
        },
    };
    let doc = stream_doc(op, p);
    let deprecated = if op.deprecated {
        quote! { #[deprecated(note = "deprecated by the API")] #[allow(deprecated)] }
    } else {
        TokenStream::new()
    };
    quote! {
        #doc
        #deprecated
        pub fn #name(&self, #(#args,)* params: &#pt) -> crate::runtime::PageStream<#item> {
            let client = self.client.clone();
            #(#owned)*
            let params = params.clone();
            let page_size = crate::runtime::pagination::page_size(params.#limit, #max);
            #body
        }
    }
}

/// Positional arguments passed by value (no per-page clone).
fn is_copy(api: &Api, q: &Param) -> bool {
    matches!(
        param_type(api, &q.ty),
        TypeRef::Integer | TypeRef::Number | TypeRef::Boolean
    )
}

/// Statements turning the decoded response `page` into `Ok(Page)`.
fn extract(api: &Api, op: &Operation, p: &Pagination) -> Option<TokenStream> {
    let ResponseKind::Json(t) = &op.response.kind else {
        return None;
    };
    match &p.items {
        ItemsAt::Root => Some(quote! {
            Ok(crate::runtime::Page::new(crate::runtime::pagination::PageItems::into_page_items(page), None))
        }),
        ItemsAt::Field(wire) => {
            let (inner, nullable) = peel(&api.types, t);
            let TypeRef::Named(id) = inner else {
                return None;
            };
            let TypeKind::Struct { fields } = &api.types[*id].kind else {
                return None;
            };
            let field = |w: &str| {
                fields
                    .iter()
                    .find(|f| f.wire_name == w)
                    .map(|f| ident(&f.ident))
            };
            let items = field(wire)?;
            let total = match &p.total_field {
                Some(w) => {
                    let f = field(w)?;
                    quote! { crate::runtime::pagination::PageTotal::page_total(&page.#f) }
                }
                None => quote! { None },
            };
            let unwrap = match nullable {
                0 => TokenStream::new(),
                1 => quote! {
                    let Some(page) = page else {
                        return Ok(crate::runtime::Page::new(Vec::new(), None));
                    };
                },
                _ => return None,
            };
            Some(quote! {
                #unwrap
                let total = #total;
                Ok(crate::runtime::Page::new(crate::runtime::pagination::PageItems::into_page_items(page.#items), total))
            })
        }
    }
}

/// The Rust field of the item that holds the cursor.
fn cursor_field(api: &Api, item: &TypeRef, wire: &str) -> Option<proc_macro2::Ident> {
    let (t, nullable) = peel(&api.types, item);
    let TypeRef::Named(id) = t else {
        return None;
    };
    let TypeKind::Struct { fields } = &api.types[*id].kind else {
        return None;
    };
    if nullable != 0 {
        return None;
    }
    fields
        .iter()
        .find(|f| f.wire_name == wire)
        .map(|f| ident(&f.ident))
}

fn stream_doc(op: &Operation, p: &Pagination) -> TokenStream {
    let method = &op.method_name;
    let size = match p.max_limit {
        Some(m) => format!(
            "`params.{}` items per page (default 100, at most {m})",
            p.limit_param
        ),
        None => format!("`params.{}` items per page (default 100)", p.limit_param),
    };
    let end = "It ends at an empty page or a page shorter than the page size";
    let total = match &p.total_field {
        Some(t) => format!(", or once the offset reaches `{t}`"),
        None => String::new(),
    };
    let mut lines = vec![format!(
        "Every item of [`{method}`](Self::{method}) (`{} {}`), fetched page by page as the stream is consumed.",
        op.http_method, op.path
    )];
    lines.push(String::new());
    match &p.strategy {
        PageStrategy::Offset { offset_param } => {
            lines.push(format!(
                "Pages by offset: {size}, from `params.{offset_param}` (default 0), the offset growing by the items received. {end}{total}."
            ));
            if let Some(c) = &p.alt_cursor {
                lines.push(String::new());
                lines.push(format!(
                    "When `params.{}` is set, pages by cursor instead: each page starts after the `{}` of the last item received (the API refuses a cursor combined with a non-zero offset).",
                    c.after_param, c.field
                ));
            }
        }
        PageStrategy::Cursor(c) => {
            let before = match &c.before_param {
                Some(b) => format!(" `params.{b}` is not sent: the stream pages forward."),
                None => String::new(),
            };
            lines.push(format!(
                "Pages by cursor: {size}, starting after `params.{}` (from the start when unset), each page after the `{}` of the last item received. {end}.{before}",
                c.after_param, c.field
            ));
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "Each page is one call to [`{method}`](Self::{method}), with its retries; an error is yielded once and ends the stream. [`max_items`](crate::runtime::PageStream::max_items) caps the number of items (and shrinks the last request)."
    ));
    let lines = lines.iter().map(|l| super::doc_line(l));
    quote! { #( #[doc = #lines] )* }
}
