//! Which operations return a secret or credential (`Safety::credential`).
//!
//! A reviewed safety file decides when it has an entry for the operation (`credential: <what
//! it returns>`, or `no_credential: <why not>`). Otherwise a heuristic looks at the fields of
//! the success response: an operation is taken to return a credential when a field of its
//! response (through arrays, nullables, aliases, union variants and up to [`MAX_DEPTH`]
//! nested objects) has a credential-like name ([`is_credential_name`]) and a string or
//! object type. The heuristic errs on the side of withholding: a reviewer dismisses a false
//! positive with `no_credential`, and `agentgen inspect` lists every decision with its source.

use crate::config::SafetyOverride;
use crate::diagnostics::Diagnostics;
use crate::ir::{
    Credential, CredentialSource, Operation, ResponseKind, TypeDef, TypeKind, TypeRef,
};
use std::collections::BTreeMap;

/// How many objects deep the heuristic looks into a response (`data[].oauth.access_token` is 3).
pub const MAX_DEPTH: usize = 3;

/// Field names (snake_case) that name a credential.
const EXACT: &[&str] = &[
    "secret",
    "token",
    "password",
    "passcode",
    "jwt",
    "private_key",
    "secret_key",
    "client_secret",
    "api_key",
    "access_token",
    "refresh_token",
    "id_token",
];

/// Endings (snake_case) that name a credential: `token_secret`, `session_token`, ...
const SUFFIXES: &[&str] = &[
    "_secret",
    "_token",
    "_password",
    "_private_key",
    "_secret_key",
    "_api_key",
];

/// Whether a property name names a credential (`client_secret`, `accessToken`, `api_key`).
pub fn is_credential_name(name: &str) -> bool {
    let snake = crate::naming::snake(name);
    EXACT.contains(&snake.as_str()) || SUFFIXES.iter().any(|s| snake.ends_with(s))
}

/// The response fields of `op` that look like credentials, as paths into the success
/// response (`secret`, `data[].api_key`), in field order without repeats.
pub fn credential_fields(types: &[TypeDef], op: &Operation) -> Vec<String> {
    let ResponseKind::Json(t) = &op.response.kind else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut stack = Vec::new();
    walk(types, t, "", 0, &mut stack, &mut found);
    found
}

fn walk(
    types: &[TypeDef],
    t: &TypeRef,
    path: &str,
    depth: usize,
    stack: &mut Vec<usize>,
    found: &mut Vec<String>,
) {
    match t {
        TypeRef::Nullable(inner) => walk(types, inner, path, depth, stack, found),
        TypeRef::Array(inner) => walk(types, inner, &format!("{path}[]"), depth, stack, found),
        TypeRef::Map(inner) => walk(types, inner, &format!("{path}{{}}"), depth, stack, found),
        TypeRef::Named(id) => {
            if stack.contains(id) || depth >= MAX_DEPTH {
                return;
            }
            stack.push(*id);
            match &types[*id].kind {
                TypeKind::Struct { fields } => {
                    for f in fields {
                        let at = if path.is_empty() {
                            f.wire_name.clone()
                        } else {
                            format!("{path}.{}", f.wire_name)
                        };
                        if is_credential_name(&f.wire_name)
                            && may_hold_secret(types, &f.ty)
                            && !found.contains(&at)
                        {
                            found.push(at.clone());
                        }
                        walk(types, &f.ty, &at, depth + 1, stack, found);
                    }
                }
                TypeKind::Alias { target } => walk(types, target, path, depth, stack, found),
                TypeKind::Union { variants, .. } => {
                    for v in variants {
                        walk(types, &v.ty, path, depth, stack, found);
                    }
                }
                TypeKind::Enum { .. } => {}
            }
            stack.pop();
        }
        _ => {}
    }
}

/// Strings and objects may hold a secret; numbers, booleans and enums do not.
fn may_hold_secret(types: &[TypeDef], t: &TypeRef) -> bool {
    match t {
        TypeRef::Nullable(inner) | TypeRef::Array(inner) => may_hold_secret(types, inner),
        TypeRef::Integer | TypeRef::Number | TypeRef::Boolean => false,
        TypeRef::Named(id) => match &types[*id].kind {
            TypeKind::Enum { .. } => false,
            TypeKind::Alias { target } => may_hold_secret(types, target),
            _ => true,
        },
        _ => true,
    }
}

/// Decide `safety.credential` of every operation: the reviewed entry when there is one, else
/// the heuristic. Notes name each operation the heuristic alone marks, and reviewed entries
/// that contradict what the heuristic sees.
pub fn mark(
    operations: &mut [Operation],
    types: &[TypeDef],
    overrides: &BTreeMap<String, SafetyOverride>,
    diags: &mut Diagnostics,
) {
    for op in operations.iter_mut() {
        let fields = credential_fields(types, op);
        let reviewed = overrides.get(&op.operation_id);
        op.safety.credential = match reviewed {
            Some(SafetyOverride {
                credential: Some(reason),
                ..
            }) => Some(Credential {
                reason: reason.clone(),
                source: CredentialSource::Reviewed,
                fields,
            }),
            Some(SafetyOverride {
                no_credential: Some(_),
                ..
            }) => {
                if fields.is_empty() {
                    diags.note(
                        "credential-review",
                        &op.pointer,
                        format!("`{}` is reviewed as returning no credential, but no response field looks like one: the entry is not needed", op.operation_id),
                    );
                }
                None
            }
            _ if fields.is_empty() => None,
            _ => {
                let list = fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                diags.note(
                    "credential-heuristic",
                    &op.pointer,
                    format!("`{}` is treated as returning a credential: its response has {list}; confirm with `credential: <what it returns>` or dismiss with `no_credential: <why>` in the safety file", op.operation_id),
                );
                Some(Credential {
                    reason: format!("Its response has fields that look like credentials: {list}."),
                    source: CredentialSource::Heuristic,
                    fields,
                })
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_recognised() {
        for yes in [
            "secret",
            "token",
            "client_secret",
            "clientSecret",
            "access_token",
            "token_secret",
            "session_token",
            "private_key",
            "api_key",
            "apiKey",
            "webhook_signing_secret",
            "password",
        ] {
            assert!(is_credential_name(yes), "{yes}");
        }
        for no in [
            "id",
            "token_type",
            "password_enabled",
            "tokens",
            "public_key",
            "key",
            "secret_count",
            "object",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
        // `has_password` has a credential-like name; its boolean type keeps it out
        // (`may_hold_secret`).
        assert!(is_credential_name("has_password"));
        assert!(!may_hold_secret(&[], &TypeRef::Boolean));
        assert!(may_hold_secret(
            &[],
            &TypeRef::Nullable(Box::new(TypeRef::String))
        ));
    }
}
