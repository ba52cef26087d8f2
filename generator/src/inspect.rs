//! `agentgen inspect`: a JSON summary of the IR.

use crate::diagnostics::Diagnostic;
use crate::ir::{Api, TypeKind, TypeRef};
use serde::Serialize;

/// Summary printed by `agentgen inspect --format json`.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// API title.
    pub title: String,
    /// API version.
    pub version: String,
    /// Number of operations.
    pub operations: usize,
    /// Number of named types.
    pub types: usize,
    /// Groups with their operation counts.
    pub groups: Vec<GroupSummary>,
    /// Every field typed as untyped JSON.
    pub json_value_fields: Vec<JsonField>,
    /// Operations by safety class.
    pub safety: SafetyCounts,
    /// Operations that return a credential, and heuristic hits a review dismissed.
    pub credentials: Vec<CredentialSummary>,
    /// Diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// One group.
#[derive(Debug, Serialize)]
pub struct GroupSummary {
    /// Module name.
    pub name: String,
    /// Name in the spec.
    pub wire_name: String,
    /// Number of operations.
    pub operations: usize,
}

/// A field typed as untyped JSON.
#[derive(Debug, Serialize)]
pub struct JsonField {
    /// Rust type name.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Field name on the wire.
    pub field: String,
    /// `value` (any JSON) or `object` (free-form JSON object).
    pub kind: &'static str,
    /// JSON pointer of the field's schema.
    pub pointer: String,
}

/// Operation counts by safety class.
#[derive(Debug, Serialize, Default)]
pub struct SafetyCounts {
    /// Read.
    pub read: usize,
    /// Write.
    pub write: usize,
    /// Destructive.
    pub destructive: usize,
}

/// One operation whose response looks like or is reviewed as a credential.
#[derive(Debug, Serialize)]
pub struct CredentialSummary {
    /// `operationId`.
    pub operation: String,
    /// Safety class.
    pub class: crate::ir::SafetyClass,
    /// Withheld from connections without `allow_secrets` (false: a review dismissed the
    /// heuristic's finding).
    pub withheld: bool,
    /// `reviewed` or `heuristic`.
    pub source: &'static str,
    /// Why (the review's words, or the fields found).
    pub reason: String,
    /// Response fields that look like credentials.
    pub fields: Vec<String>,
}

fn json_kind(t: &TypeRef) -> Option<&'static str> {
    match t {
        TypeRef::Json => Some("value"),
        TypeRef::JsonObject => Some("object"),
        TypeRef::Nullable(i) | TypeRef::Array(i) | TypeRef::Map(i) => json_kind(i),
        TypeRef::Tuple(items) => items.iter().find_map(json_kind),
        _ => None,
    }
}

/// Build the summary.
pub fn summarize(api: &Api, diagnostics: Vec<Diagnostic>) -> Summary {
    let mut json_value_fields = Vec::new();
    for def in &api.types {
        if let TypeKind::Struct { fields } = &def.kind {
            for f in fields {
                if let Some(kind) = json_kind(&f.ty) {
                    json_value_fields.push(JsonField {
                        type_name: def.name.clone(),
                        field: f.wire_name.clone(),
                        kind,
                        pointer: f.pointer.clone(),
                    });
                }
            }
        }
    }
    let mut safety = SafetyCounts::default();
    for op in &api.operations {
        match op.safety.class {
            crate::ir::SafetyClass::Read => safety.read += 1,
            crate::ir::SafetyClass::Write => safety.write += 1,
            crate::ir::SafetyClass::Destructive => safety.destructive += 1,
        }
    }
    let credentials = api
        .operations
        .iter()
        .filter_map(|op| {
            let summary = match &op.safety.credential {
                Some(c) => CredentialSummary {
                    operation: op.operation_id.clone(),
                    class: op.safety.class,
                    withheld: true,
                    source: c.source.as_str(),
                    reason: c.reason.clone(),
                    fields: c.fields.clone(),
                },
                None => {
                    let fields = crate::lower::credentials::credential_fields(&api.types, op);
                    if fields.is_empty() {
                        return None;
                    }
                    CredentialSummary {
                        operation: op.operation_id.clone(),
                        class: op.safety.class,
                        withheld: false,
                        source: "reviewed",
                        reason: "dismissed by the safety file (`no_credential`)".to_string(),
                        fields,
                    }
                }
            };
            Some(summary)
        })
        .collect();
    Summary {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        operations: api.operations.len(),
        types: api.types.len(),
        groups: api
            .groups
            .iter()
            .map(|g| GroupSummary {
                name: g.module.clone(),
                wire_name: g.wire_name.clone(),
                operations: g.operations.len(),
            })
            .collect(),
        json_value_fields,
        safety,
        credentials,
        diagnostics,
    }
}
