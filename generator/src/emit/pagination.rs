//! `<method>_stream`: a [`PageStream`] of the items of a paginated operation, emitted next to
//! the operation's method (same impl block, so read-only clients get the streams of read
//! operations).
//!
//! The stream owns a clone of the client, the positional arguments and the parameters, so it
//! is `'static` and `Send`. Per page it clones the parameters, sets the offset (or cursor) and
//! the limit, and calls the typed method.
//!
//! `PageStream` and the helpers it uses are in the runtime (`generator/runtime/pagination.rs`).

use super::types::{arg_type, param_type};
use super::{ident, rust_type, Place};
use crate::ir::{
    Api, CursorPaging, FieldRef, ItemsAt, Operation, PageStrategy, Pagination, Param, TypeRef,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The stream method of `op`, or nothing when it is not paginated; an error when its
/// pagination refers to parameters or fields that are not there (lowering never builds one).
pub fn stream_item(api: &Api, op: &Operation) -> Result<TokenStream, String> {
    let Some(p) = &op.pagination else {
        return Ok(TokenStream::new());
    };
    p.check(op, api)?;
    let Some(pt) = &op.params_type else {
        return Ok(TokenStream::new());
    };
    let param = |i: usize| ident(&op.params[i].ident);
    let field = |r: FieldRef| {
        api.field(r).map(|f| ident(&f.ident)).ok_or_else(|| {
            format!(
                "the pagination of `{}` names a missing field",
                op.operation_id
            )
        })
    };
    let limit = param(p.limit);
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
    let extract = extract(p, &field)?;
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
    let cursor_stream = |c: &CursorPaging| -> Result<TokenStream, String> {
        let after = param(c.after);
        let clear_before = c.before.map(|b| {
            let b = param(b);
            quote! { params.#b = None; }
        });
        let field = field(c.field)?;
        Ok(quote! {
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
        PageStrategy::Offset { offset } => {
            let offset = param(*offset);
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
            match &p.alt_cursor {
                Some(c) => {
                    let after = param(c.after);
                    let cursor = cursor_stream(c)?;
                    quote! {
                        if params.#after.is_some() { #cursor } else { #offset_stream }
                    }
                }
                None => offset_stream,
            }
        }
        PageStrategy::Cursor(c) => cursor_stream(c)?,
    };
    let doc = stream_doc(api, op, p);
    let deprecated = if op.deprecated {
        quote! { #[deprecated(note = "deprecated by the API")] #[allow(deprecated)] }
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        #doc
        #deprecated
        pub fn #name(&self, #(#args,)* params: &#pt) -> crate::runtime::PageStream<#item> {
            let client = self.client.clone();
            #(#owned)*
            let params = params.clone();
            let page_size = crate::runtime::pagination::page_size(params.#limit, #max);
            #body
        }
    })
}

/// Positional arguments passed by value (no per-page clone).
fn is_copy(api: &Api, q: &Param) -> bool {
    matches!(
        param_type(api, &q.ty),
        TypeRef::Integer | TypeRef::Number | TypeRef::Boolean
    )
}

/// Statements turning the decoded response `page` into `Ok(Page)`.
fn extract(
    p: &Pagination,
    field: &dyn Fn(FieldRef) -> Result<proc_macro2::Ident, String>,
) -> Result<TokenStream, String> {
    Ok(match p.items {
        ItemsAt::Root => quote! {
            Ok(crate::runtime::Page::new(crate::runtime::pagination::PageItems::into_page_items(page), None))
        },
        ItemsAt::Envelope {
            items,
            total,
            nullable,
        } => {
            let items = field(items)?;
            let total = match total {
                Some(t) => {
                    let f = field(t)?;
                    quote! { crate::runtime::pagination::PageTotal::page_total(&page.#f) }
                }
                None => quote! { None },
            };
            let unwrap = if nullable {
                quote! {
                    let Some(page) = page else {
                        return Ok(crate::runtime::Page::new(Vec::new(), None));
                    };
                }
            } else {
                TokenStream::new()
            };
            quote! {
                #unwrap
                let total = #total;
                Ok(crate::runtime::Page::new(crate::runtime::pagination::PageItems::into_page_items(page.#items), total))
            }
        }
    })
}

fn stream_doc(api: &Api, op: &Operation, p: &Pagination) -> TokenStream {
    let method = &op.method_name;
    let wire = |i: usize| op.params[i].wire_name.as_str();
    let limit_param = wire(p.limit);
    let size = match p.max_limit {
        Some(m) => format!("`params.{limit_param}` items per page (default 100, at most {m})"),
        None => format!("`params.{limit_param}` items per page (default 100)"),
    };
    let end = "It ends at an empty page or a page shorter than the page size";
    let total = match p.total() {
        Some(t) => format!(", or once the offset reaches `{}`", api.field_name(t)),
        None => String::new(),
    };
    let mut lines = vec![format!(
        "Every item of [`{method}`](Self::{method}) (`{} {}`), fetched page by page as the stream is consumed.",
        op.http_method, op.path
    )];
    lines.push(String::new());
    match &p.strategy {
        PageStrategy::Offset { offset } => {
            let offset_param = wire(*offset);
            lines.push(format!(
                "Pages by offset: {size}, from `params.{offset_param}` (default 0), the offset growing by the items received. {end}{total}."
            ));
            if let Some(c) = &p.alt_cursor {
                lines.push(String::new());
                lines.push(format!(
                    "When `params.{}` is set, pages by cursor instead: each page starts after the `{}` of the last item received (the API refuses a cursor combined with a non-zero offset).",
                    wire(c.after),
                    api.field_name(c.field)
                ));
            }
        }
        PageStrategy::Cursor(c) => {
            let before = match c.before {
                Some(b) => format!(
                    " `params.{}` is not sent: the stream pages forward.",
                    wire(b)
                ),
                None => String::new(),
            };
            lines.push(format!(
                "Pages by cursor: {size}, starting after `params.{}` (from the start when unset), each page after the `{}` of the last item received. {end}.{before}",
                wire(c.after),
                api.field_name(c.field)
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
