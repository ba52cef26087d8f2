//! Lowering: the typed OpenAPI document -> the IR. The only module that sees OpenAPI types.

pub mod credentials;
mod operation;
pub mod pagination;
pub mod schema;
pub mod sections;
pub mod webhooks;

use crate::config::{Config, SafetyOverride};
use crate::diagnostics::Diagnostics;
use crate::ir::{Api, ApiInfo, Group, RetryInfo, TypeDef, TypeKind, TypeRef};
use openapiv3::OpenAPI;
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

/// Lower a loaded document into the IR.
pub fn lower(doc: &OpenAPI, config: &Config, diags: &mut Diagnostics) -> Api {
    let raw_webhooks = webhooks::parse(doc, diags);
    let mut schemas = schema::SchemaLowerer::new(doc, diags);
    let overrides = safety_overrides(doc, config, diags);
    let (groups, operations) = operation::lower_operations(doc, &mut schemas, &overrides, diags);
    for id in overrides.keys() {
        if !operations.iter().any(|o| &o.operation_id == id) {
            diags.warning(
                "unknown-safety-override",
                "#/paths",
                format!("the safety overrides name `{id}`, which is not an operation of this spec"),
            );
        }
    }
    let events = webhooks::lower(&raw_webhooks, &mut schemas, diags);
    let mut types = schemas.into_types(diags);
    mark_usage(&mut types, &operations);
    webhooks::relax(&mut types, &events);
    mark_boxed(&mut types);
    check_alias_cycles(&types, diags);
    let mut operations = pagination::detect(operations, &groups, &types, diags);
    credentials::mark(&mut operations, &types, &overrides, diags);
    let tool_names = crate::naming::tool_names(
        operations
            .iter()
            .map(|o| (groups[o.group].module.as_str(), o.method_name.as_str())),
    );
    for (op, name) in operations.iter_mut().zip(tool_names) {
        op.tool_name = name;
    }
    let mut groups = groups;
    let sections = sections::assign(&mut groups, &mut operations);
    let info = api_info(doc, config);
    let webhook_names = webhooks::names(&groups, &info);
    Api {
        info,
        groups,
        sections,
        operations,
        types,
        webhooks: events,
        webhook_names,
    }
}

/// The reviewed safety overrides that apply: the config's, else the ones shipped for the spec.
fn safety_overrides(
    doc: &OpenAPI,
    config: &Config,
    diags: &mut Diagnostics,
) -> BTreeMap<String, SafetyOverride> {
    if let Some(o) = &config.safety_overrides {
        return o.clone();
    }
    if doc.info.title == "Clerk Backend API" {
        match crate::config::parse_safety(crate::config::CLERK_BAPI_SAFETY) {
            Ok(o) => return o,
            Err(e) => diags.error("safety-overrides", "#", e),
        }
    }
    BTreeMap::new()
}

fn api_info(doc: &OpenAPI, config: &Config) -> ApiInfo {
    let title = doc.info.title.clone();
    let is_clerk = title.to_ascii_lowercase().contains("clerk");
    let default_base_url = doc
        .servers
        .first()
        .map(|s| {
            let mut url = s.url.clone();
            if let Some(vars) = &s.variables {
                for (name, var) in vars {
                    url = url.replace(&format!("{{{name}}}"), &var.default);
                }
            }
            url
        })
        .unwrap_or_else(|| "http://localhost".to_string());
    let slug = slug(&title);
    let crate_name = config.crate_name.clone().unwrap_or_else(|| slug.clone());
    let key_env_var = if is_clerk {
        "CLERK_SECRET_KEY".to_string()
    } else {
        format!("{}_API_KEY", slug.replace('-', "_").to_ascii_uppercase())
    };
    ApiInfo {
        title,
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        summary: doc
            .info
            .extensions
            .get(crate::normalize::oas31::SUMMARY)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        license: doc.info.license.as_ref().and_then(|l| {
            let text = l
                .extensions
                .get(crate::normalize::oas31::LICENSE_IDENTIFIER)
                .and_then(Value::as_str)
                .unwrap_or(&l.name)
                .trim();
            (!text.is_empty()).then(|| text.to_string())
        }),
        default_base_url,
        version_header: is_clerk.then(|| "Clerk-API-Version".to_string()),
        key_env_var,
        retry: retry_info(doc.extensions.get("x-speakeasy-retries")),
        crate_name,
        crate_version: config.crate_version.clone(),
        source: Default::default(),
    }
}

/// Words of a title that describe the document rather than the API.
const DOCUMENT_WORDS: &[&str] = &[
    "official",
    "openapi",
    "swagger",
    "spec",
    "specs",
    "specification",
    "extension",
    "extensions",
];

/// kebab-case slug of a title, for crate and skill names: `Clerk Backend API` ->
/// `clerk-backend-api`, `GitHub's official OpenAPI spec + Octokit extension` -> `github`.
/// Words are split at spaces and punctuation, not inside a word (`GitHub`, `OpenAI` stay
/// one word), a possessive `'s` goes, the title is cut at a ` + `, ` - `, `: ` or ` (`
/// qualifier, and words about the document (`official`, `OpenAPI`, `spec`) are dropped
/// while others remain.
pub fn slug(title: &str) -> String {
    let head = [" + ", " - ", " – ", " — ", ": ", " (", " | "]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .map_or(title, |i| &title[..i]);
    let head = if head.trim().is_empty() { title } else { head };
    let words: Vec<String> = head
        .replace(['’', '\''], "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| {
            let w = w.strip_suffix("'s").unwrap_or(w).replace('\'', "");
            w.to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !DOCUMENT_WORDS.contains(w))
        .collect();
    let words = if kept.is_empty() {
        words.iter().map(String::as_str).collect()
    } else {
        kept
    };
    let s = crate::naming::snake(&words.join(" ")).replace('_', "-");
    if s.is_empty() {
        "api-client".to_string()
    } else {
        s
    }
}

/// Attempts of a retried call, the first included: `x-speakeasy-retries` has no field for it,
/// so the runtime's default for APIs without a retry policy (`RetryConfig::DEFAULT`).
const MAX_ATTEMPTS: u32 = 4;

fn retry_info(v: Option<&Value>) -> Option<RetryInfo> {
    let v = v?;
    let backoff = v.get("backoff")?;
    let num = |k: &str| backoff.get(k).and_then(Value::as_f64);
    let codes: Vec<&str> = v
        .get("statusCodes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    Some(RetryInfo {
        initial_interval_ms: num("initialInterval").unwrap_or(500.0) as u64,
        max_interval_ms: num("maxInterval").unwrap_or(60_000.0) as u64,
        exponent: num("exponent").unwrap_or(1.5),
        max_elapsed_ms: num("maxElapsedTime").unwrap_or(3_600_000.0) as u64,
        max_attempts: MAX_ATTEMPTS,
        retry_5xx: codes
            .iter()
            .any(|c| c.eq_ignore_ascii_case("5XX") || c.starts_with('5')),
        retry_connection_errors: v
            .get("retryConnectionErrors")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

fn mark_usage(types: &mut [TypeDef], ops: &[crate::ir::Operation]) {
    let mut multipart = Vec::new();
    for b in ops.iter().filter_map(|o| o.body.as_ref()) {
        if b.encoding == crate::ir::BodyEncoding::Multipart {
            b.ty.named_ids(&mut multipart);
        }
    }
    let requests = ops.iter().flat_map(|o| {
        o.params
            .iter()
            .map(|p| &p.ty)
            .chain(o.body.as_ref().map(|b| &b.ty))
    });
    let request = crate::ir::reachable(types, requests);
    let responses = ops.iter().filter_map(|o| match &o.response.kind {
        crate::ir::ResponseKind::Json(t) => Some(t),
        _ => None,
    });
    let response = crate::ir::reachable(types, responses);
    for id in multipart {
        types[id].usage.multipart = true;
    }
    for id in request {
        types[id].usage.request = true;
    }
    for id in response {
        types[id].usage.response = true;
    }
}

/// Edges that need indirection: a field or variant holding a named type directly (not
/// through a `Vec` or map, which already allocate).
fn direct(t: &TypeRef) -> Option<usize> {
    match t {
        TypeRef::Named(id) => Some(*id),
        TypeRef::Nullable(i) => direct(i),
        _ => None,
    }
}

fn direct_children(def: &TypeDef) -> Vec<usize> {
    match &def.kind {
        TypeKind::Struct { fields } => fields.iter().filter_map(|f| direct(&f.ty)).collect(),
        TypeKind::Union { variants, .. } => variants.iter().filter_map(|v| direct(&v.ty)).collect(),
        TypeKind::Alias { target } => direct(target).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn reaches(types: &[TypeDef], from: usize, to: usize) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if seen.insert(id) {
            stack.extend(direct_children(&types[id]));
        }
    }
    false
}

fn mark_boxed(types: &mut [TypeDef]) {
    for id in 0..types.len() {
        let decisions: Vec<bool> = match &types[id].kind {
            TypeKind::Struct { fields } => fields
                .iter()
                .map(|f| direct(&f.ty).is_some_and(|t| reaches(types, t, id)))
                .collect(),
            TypeKind::Union { variants, .. } => variants
                .iter()
                .map(|v| direct(&v.ty).is_some_and(|t| reaches(types, t, id)))
                .collect(),
            _ => continue,
        };
        match &mut types[id].kind {
            TypeKind::Struct { fields } => {
                for (f, b) in fields.iter_mut().zip(decisions) {
                    f.boxed = b;
                }
            }
            TypeKind::Union { variants, .. } => {
                for (v, b) in variants.iter_mut().zip(decisions) {
                    v.boxed = b;
                }
            }
            _ => {}
        }
    }
}

fn check_alias_cycles(types: &[TypeDef], diags: &mut Diagnostics) {
    for (id, def) in types.iter().enumerate() {
        if let TypeKind::Alias { target } = &def.kind {
            let mut seen = BTreeSet::from([id]);
            let mut cur = direct(target);
            while let Some(next) = cur {
                if !seen.insert(next) {
                    diags.error(
                        "alias-cycle",
                        &def.pointer,
                        "this schema is defined only through references that lead back to it",
                    );
                    break;
                }
                cur = match &types[next].kind {
                    TypeKind::Alias { target } => direct(target),
                    _ => None,
                };
            }
        }
    }
}

/// Group lookup used by operation lowering.
pub(crate) fn group_index(
    groups: &mut Vec<Group>,
    wire: &str,
    description: Option<String>,
) -> usize {
    let module = crate::naming::snake(wire);
    if let Some(i) = groups
        .iter()
        .position(|g| g.module == module || g.wire_name == wire)
    {
        return i;
    }
    groups.push(Group {
        wire_name: wire.to_string(),
        feature: crate::naming::group_feature(&module),
        module,
        type_name: crate::naming::pascal(wire),
        description,
        title: String::new(),
        section: 0,
        operations: Vec::new(),
    });
    groups.len() - 1
}

#[cfg(test)]
mod slug_tests {
    #[test]
    fn crate_names_from_titles() {
        for (title, slug) in [
            ("Clerk Backend API", "clerk-backend-api"),
            (
                "GitHub's official OpenAPI spec + Octokit extension",
                "github",
            ),
            ("OpenAI API", "openai-api"),
            ("Anthropic API", "anthropic-api"),
            ("Azure OpenAI Service API", "azure-openai-service-api"),
            ("Scalar Galaxy", "scalar-galaxy"),
            ("Accounts Fixture API", "accounts-fixture-api"),
            ("OpenAPI Spec", "openapi-spec"),
            ("Petstore - OpenAPI 3.1", "petstore"),
            ("Hostile */ {{ 7 * 7 }} --- Text", "hostile-7-7-text"),
        ] {
            assert_eq!(super::slug(title), slug, "{title}");
        }
    }
}

#[cfg(test)]
mod retry_tests {
    #[test]
    fn retry_policy_is_read_once_with_its_attempts() {
        let spec = serde_json::json!({
            "strategy": "backoff",
            "backoff": {"initialInterval": 100, "maxInterval": 2000, "maxElapsedTime": 10000, "exponent": 2},
            "statusCodes": ["5XX"],
            "retryConnectionErrors": true
        });
        let r = super::retry_info(Some(&spec)).unwrap();
        assert_eq!(
            (
                r.initial_interval_ms,
                r.max_interval_ms,
                r.max_elapsed_ms,
                r.max_attempts
            ),
            (100, 2000, 10000, super::MAX_ATTEMPTS)
        );
        assert!(r.retry_5xx && r.retry_connection_errors);
        assert!(super::retry_info(None).is_none());
    }
}
