//! Pagination metadata: which operations page through a list, and how.
//!
//! Clerk's specs declare no `x-speakeasy-pagination`, so the shape is detected from the IR of
//! each operation (see [`crate::ir::Pagination`]):
//!
//! - an optional integer (or number) query parameter `limit` (the page size), and
//! - an optional integer (or number) query parameter `offset` (offset paging), or an optional string
//!   query parameter `starting_after` (cursor paging, `ending_before` recorded when present)
//!   whose value is the `id` of the last item seen, and
//! - a JSON success response that is an array of items, or an object with an array property
//!   `data`, or an object with exactly one array property and an integer `total_count`
//!   (`{m2m_tokens, total_count}`; `getM2MTokens` types it as a `number`), and
//! - no request body.
//!
//! When an operation accepts both an offset and a cursor, the stream pages by offset (it
//! works with every `order_by`) and the cursor is kept as [`Pagination::alt_cursor`].
//! Operations with an envelope but no `limit` (Clerk's `ListBlocklistIdentifiers`) return
//! everything at once and are not paginated.

use crate::diagnostics::Diagnostics;
use crate::ir::{
    peel, CursorPaging, FieldRef, Group, ItemsAt, Operation, PageStrategy, Pagination, ParamIdx,
    ParamLocation, ResponseKind, TypeDef, TypeKind, TypeRef,
};
use crate::naming::Namespace;

/// Page-size parameter.
const LIMIT: &str = "limit";
/// Offset parameter.
const OFFSET: &str = "offset";
/// Cursor parameter: the page starts after the item with this id.
const AFTER: &str = "starting_after";
/// Cursor parameter: the page ends before the item with this id.
const BEFORE: &str = "ending_before";
/// Item property whose value is the cursor.
const CURSOR_FIELD: &str = "id";
/// Envelope property with the total number of items.
const TOTAL: &str = "total_count";
/// Envelope property with the items, preferred when present.
const DATA: &str = "data";

/// Fill [`Operation::pagination`] for every operation.
pub fn detect(
    mut ops: Vec<Operation>,
    groups: &[Group],
    types: &[TypeDef],
    diags: &mut Diagnostics,
) -> Vec<Operation> {
    for g in groups {
        let mut names = Namespace::with_reserved(
            &g.operations
                .iter()
                .map(|&i| ops[i].method_name.as_str())
                .collect::<Vec<_>>(),
        );
        for &i in &g.operations {
            let found = detect_one(&ops[i], types, diags);
            if let Some(mut p) = found {
                let base = format!("{}_stream", &ops[i].method_name);
                p.stream_method = names.claim(&base, "_");
                ops[i].pagination = Some(p);
            }
        }
    }
    ops
}

/// The optional query parameter of the given wire name whose type is one of `want`.
fn query_param(
    op: &Operation,
    types: &[TypeDef],
    name: &str,
    want: &[TypeRef],
) -> Option<ParamIdx> {
    op.params.iter().position(|p| {
        p.location == ParamLocation::Query
            && p.wire_name == name
            && !p.required
            && want.contains(peel(types, &p.ty).0)
    })
}

fn detect_one(op: &Operation, types: &[TypeDef], diags: &mut Diagnostics) -> Option<Pagination> {
    if op.body.is_some() || op.params_type.is_none() {
        return None;
    }
    // Clerk's `getM2MTokens` declares `limit` and `offset` as `number`.
    let counts = [TypeRef::Integer, TypeRef::Number];
    let limit = query_param(op, types, LIMIT, &counts)?;
    let offset = query_param(op, types, OFFSET, &counts);
    let after = query_param(op, types, AFTER, &[TypeRef::String]);
    if offset.is_none() && after.is_none() {
        return None;
    }
    let Some((items, item_type)) = page_shape(op, types) else {
        diags.note(
            "pagination-unrecognized",
            &op.pointer,
            format!(
                "`{}` takes `{LIMIT}` and `{}` but its response is neither an array of items nor an object with `data` (or one array property and `total_count`); no stream is generated",
                op.operation_id,
                if offset.is_some() { OFFSET } else { AFTER }
            ),
        );
        return None;
    };
    let cursor = after.and_then(|after| {
        cursor_field(types, &item_type).map(|field| CursorPaging {
            after,
            before: query_param(op, types, BEFORE, &[TypeRef::String]),
            field,
        })
    });
    let (strategy, alt_cursor) = match (offset, cursor) {
        (Some(offset), cursor) => (PageStrategy::Offset { offset }, cursor),
        (None, Some(c)) => (PageStrategy::Cursor(c), None),
        (None, None) => {
            diags.note(
                "pagination-unrecognized",
                &op.pointer,
                format!(
                    "`{}` takes `{AFTER}` but its items have no string `{CURSOR_FIELD}`; no stream is generated",
                    op.operation_id
                ),
            );
            return None;
        }
    };
    let max_limit = op.params[limit]
        .constraints
        .maximum
        .filter(|m| *m >= 1.0)
        .map(|m| m as u64);
    Some(Pagination {
        strategy,
        alt_cursor,
        limit,
        max_limit,
        items,
        item_type,
        stream_method: String::new(),
    })
}

/// Where the items are and their type, for a list response.
fn page_shape(op: &Operation, types: &[TypeDef]) -> Option<(ItemsAt, TypeRef)> {
    let ResponseKind::Json(t) = &op.response.kind else {
        return None;
    };
    let (page, nullable) = peel(types, t);
    match page {
        TypeRef::Array(item) => Some((ItemsAt::Root, (**item).clone())),
        // The generated code unwraps at most one `Option` around an envelope.
        TypeRef::Named(id) if nullable <= 1 => {
            let TypeKind::Struct { fields } = &types[*id].kind else {
                return None;
            };
            let at = |field| FieldRef { ty: *id, field };
            let arrays: Vec<(usize, &str, &TypeRef)> = fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| match peel(types, &f.ty).0 {
                    TypeRef::Array(item) => Some((i, f.wire_name.as_str(), &**item)),
                    _ => None,
                })
                .collect();
            let total = fields.iter().position(|f| {
                f.wire_name == TOTAL
                    && matches!(peel(types, &f.ty).0, TypeRef::Integer | TypeRef::Number)
            });
            let (i, _, item) = match arrays.iter().find(|(_, n, _)| *n == DATA) {
                Some(found) => *found,
                None if arrays.len() == 1 && total.is_some() => arrays[0],
                None => return None,
            };
            let items = ItemsAt::Envelope {
                items: at(i),
                total: total.map(at),
                nullable: nullable == 1,
            };
            Some((items, item.clone()))
        }
        _ => None,
    }
}

/// The string `id` field of the items, when they are objects (not nullable) with one.
fn cursor_field(types: &[TypeDef], item: &TypeRef) -> Option<FieldRef> {
    let (t, nullable) = peel(types, item);
    let TypeRef::Named(id) = t else {
        return None;
    };
    let TypeKind::Struct { fields } = &types[*id].kind else {
        return None;
    };
    if nullable != 0 {
        return None;
    }
    fields
        .iter()
        .position(|f| f.wire_name == CURSOR_FIELD && peel(types, &f.ty).0 == &TypeRef::String)
        .map(|field| FieldRef { ty: *id, field })
}
