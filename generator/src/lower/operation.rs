//! Paths and operations -> IR operations, grouped.

use super::schema::{assign_idents, Hint, SchemaLowerer};
use crate::config::SafetyOverride;
use crate::diagnostics::{join, Diagnostics};
use crate::ir::{
    BodyEncoding, Constraints, Group, HttpMethod, Operation, Param, ParamLocation, RequestBody,
    ResponseKind, Safety, SafetyClass, SuccessResponse, TypeRef,
};
use crate::naming::{self, Namespace};
use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, QueryStyle, ReferenceOr,
    RequestBody as OaBody, Response, StatusCode,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// Module names that the generated crate uses for itself (`client` holds `Client`).
const RESERVED_MODULES: &[&str] = &["runtime", "models", "operations", "prelude", "client"];
/// Methods of the generated `Client` (and of the runtime client it derefs to) that group
/// accessors must not shadow.
const CLIENT_METHODS: &[&str] = &[
    "new",
    "call",
    "with_retry",
    "with_timeout",
    "retry_policy",
    "is_read_only",
    "check_allowed",
    "escalate",
    "deref",
    "builder",
    "read_only",
    "from_env",
    "read_only_view",
    "key_environment",
    "base_url",
    "send_json",
    "send_empty",
    "send_text",
    "send_bytes",
    "clone",
    "fmt",
    "mode",
];

fn method_ops(item: &PathItem) -> [(HttpMethod, Option<&openapiv3::Operation>); 8] {
    HttpMethod::ALL.map(|m| {
        let op = match m {
            HttpMethod::Get => &item.get,
            HttpMethod::Put => &item.put,
            HttpMethod::Post => &item.post,
            HttpMethod::Delete => &item.delete,
            HttpMethod::Options => &item.options,
            HttpMethod::Head => &item.head,
            HttpMethod::Patch => &item.patch,
            HttpMethod::Trace => &item.trace,
        };
        (m, op.as_ref())
    })
}

/// Lower every operation. Returns the groups and the operations.
pub fn lower_operations<'a>(
    doc: &'a OpenAPI,
    schemas: &mut SchemaLowerer<'a>,
    overrides: &BTreeMap<String, SafetyOverride>,
    diags: &mut Diagnostics,
) -> (Vec<Group>, Vec<Operation>) {
    let mut groups: Vec<Group> = Vec::new();
    let mut ops: Vec<Operation> = Vec::new();
    let mut op_ids = Namespace::default();
    let global_auth = auth_required(doc.security.as_deref());
    for (path, item) in &doc.paths.paths {
        let path_ptr = join("#/paths", path);
        let item = match item {
            ReferenceOr::Item(i) => i,
            ReferenceOr::Reference { reference } => {
                diags.error(
                    "unsupported-ref",
                    &path_ptr,
                    format!("path item references (`{reference}`) are not supported"),
                );
                continue;
            }
        };
        if !path.starts_with('/') {
            diags.error("invalid-path", &path_ptr, "paths must start with `/`");
            continue;
        }
        for (method, op) in method_ops(item) {
            let Some(op) = op else { continue };
            let pointer = join(&path_ptr, method.path_item_key());
            let lowered = lower_operation(
                doc,
                schemas,
                overrides,
                path,
                method,
                item,
                op,
                &pointer,
                global_auth,
                &mut groups,
                &mut op_ids,
                diags,
            );
            groups[lowered.group].operations.push(ops.len());
            ops.push(lowered);
        }
    }
    let has_webhooks = ["x-webhooks", crate::normalize::oas31::WEBHOOKS]
        .iter()
        .filter_map(|k| doc.extensions.get(*k))
        .filter_map(Value::as_object)
        .any(|w| !w.is_empty());
    if ops.is_empty() && !has_webhooks {
        let webhooks = doc
            .extensions
            .get("x-webhooks")
            .and_then(Value::as_object)
            .map(|w| w.len());
        let message = match webhooks {
            Some(n) => format!(
                "the spec declares no operations under `paths` (it describes {n} webhooks under `x-webhooks`, which `generate` does not turn into a client): the client has none"
            ),
            None => "the spec declares no operations under `paths`: the client has none".to_string(),
        };
        // `paths` is not needed to generate: an empty client, with a warning.
        diags.warning("no-operations", "#/paths", message);
    }
    finalize_group_names(&mut groups, diags);
    assign_method_names(&groups, &mut ops, diags);
    (groups, ops)
}

fn auth_required(security: Option<&[openapiv3::SecurityRequirement]>) -> bool {
    match security {
        None => false,
        Some(reqs) => !reqs.is_empty() && !reqs.iter().any(|r| r.is_empty()),
    }
}

fn ext_str<'v>(ext: &'v indexmap::IndexMap<String, Value>, key: &str) -> Option<&'v str> {
    ext.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

#[allow(clippy::too_many_arguments)]
fn lower_operation<'a>(
    doc: &'a OpenAPI,
    schemas: &mut SchemaLowerer<'a>,
    overrides: &BTreeMap<String, SafetyOverride>,
    path: &str,
    method: HttpMethod,
    item: &'a PathItem,
    op: &'a openapiv3::Operation,
    pointer: &str,
    global_auth: bool,
    groups: &mut Vec<Group>,
    op_ids: &mut Namespace,
    diags: &mut Diagnostics,
) -> Operation {
    let operation_id = match op.operation_id.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(id) => {
            if op_ids.contains(id) {
                let unique = op_ids.claim(id, "_");
                diags.error(
                    "duplicate-operation-id",
                    pointer,
                    format!("operationId `{id}` is used twice; this one is named `{unique}`"),
                );
                unique
            } else {
                op_ids.claim(id, "_")
            }
        }
        None => {
            let synthesized = op_ids.claim(
                &naming::pascal(&format!("{} {path}", method.path_item_key())),
                "",
            );
            diags.warning(
                "missing-operation-id",
                pointer,
                format!("no operationId; using `{synthesized}`"),
            );
            synthesized
        }
    };
    let op_pascal = naming::pascal(&operation_id);
    let group_wire = ext_str(&op.extensions, "x-speakeasy-group")
        .map(str::to_string)
        .or_else(|| op.tags.first().cloned())
        .unwrap_or_else(|| "default".to_string());
    let tag_description = op.tags.first().and_then(|t| {
        doc.tags
            .iter()
            .find(|d| &d.name == t)
            .and_then(|d| d.description.clone())
    });
    let group = super::group_index(groups, &group_wire, tag_description);
    let method_wire = ext_str(&op.extensions, "x-speakeasy-name-override")
        .unwrap_or(&operation_id)
        .to_string();

    // Parameters: path-item level first, overridden by operation level (same name and location).
    let mut raw_params: Vec<(&'a Parameter, String)> = Vec::new();
    for (i, p) in item.parameters.iter().enumerate() {
        let ptr = format!(
            "{}/parameters/{i}",
            pointer.rsplit_once('/').map_or("", |x| x.0)
        );
        if let Some(p) = resolve_param(doc, p, &ptr, diags) {
            raw_params.push((p, ptr));
        }
    }
    for (i, p) in op.parameters.iter().enumerate() {
        let ptr = format!("{pointer}/parameters/{i}");
        if let Some(p) = resolve_param(doc, p, &ptr, diags) {
            let key = (p.parameter_data_ref().name.clone(), location(p));
            raw_params.retain(|(q, _)| (q.parameter_data_ref().name.clone(), location(q)) != key);
            raw_params.push((p, ptr));
        }
    }
    let names: Vec<&str> = raw_params
        .iter()
        .map(|(p, _)| p.parameter_data_ref().name.as_str())
        .collect();
    let idents = assign_idents(&names, &["params", "body", "self_"]);
    let mut params = Vec::new();
    for ((p, ptr), ident) in raw_params.iter().zip(idents) {
        params.push(lower_param(schemas, p, ptr, ident, &op_pascal, diags));
    }
    check_path_params(path, &mut params, pointer, diags);

    let body = op.request_body.as_ref().and_then(|b| {
        lower_body(
            doc,
            schemas,
            b,
            &format!("{pointer}/requestBody"),
            &op_pascal,
            diags,
        )
    });
    let (response, error_statuses) = lower_responses(doc, schemas, op, pointer, &op_pascal, diags);
    let safety = classify(method, &operation_id, overrides);
    let auth = match &op.security {
        Some(reqs) => auth_required(Some(reqs)),
        None => global_auth,
    };
    Operation {
        tool_name: String::new(),
        sections: Vec::new(),
        operation_id,
        group,
        method_name: method_wire,
        params_type: None,
        http_method: method,
        path: path.to_string(),
        summary: op.summary.clone(),
        description: op.description.clone(),
        deprecated: op.deprecated,
        tags: op.tags.clone(),
        params,
        body,
        response,
        error_statuses,
        safety,
        auth,
        pointer: pointer.to_string(),
        pagination: None,
        extensions: op
            .extensions
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

fn location(p: &Parameter) -> ParamLocation {
    match p {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// Follow `$ref`s to `#/components/<section>/<name>` until an inline item (bounded, so a
/// reference cycle is an error, not a hang).
fn resolve_component<'a, T>(
    item: &'a ReferenceOr<T>,
    section: &str,
    lookup: impl Fn(&str) -> Option<&'a ReferenceOr<T>>,
    pointer: &str,
    diags: &mut Diagnostics,
) -> Option<&'a T> {
    let prefix = format!("#/components/{section}/");
    let mut current = item;
    for _ in 0..16 {
        match current {
            ReferenceOr::Item(item) => return Some(item),
            ReferenceOr::Reference { reference } => {
                match reference.strip_prefix(&prefix).and_then(&lookup) {
                    Some(next) => current = next,
                    None => {
                        diags.error(
                            "dangling-ref",
                            pointer,
                            format!("reference `{reference}` points at no {section} entry"),
                        );
                        return None;
                    }
                }
            }
        }
    }
    diags.error(
        "ref-cycle",
        pointer,
        format!("{section} references form a cycle"),
    );
    None
}

fn resolve_param<'a>(
    doc: &'a OpenAPI,
    p: &'a ReferenceOr<Parameter>,
    pointer: &str,
    diags: &mut Diagnostics,
) -> Option<&'a Parameter> {
    let lookup = |n: &str| doc.components.as_ref()?.parameters.get(n);
    resolve_component(p, "parameters", lookup, pointer, diags)
}

fn lower_param<'a>(
    schemas: &mut SchemaLowerer<'a>,
    p: &'a Parameter,
    pointer: &str,
    ident: String,
    op_pascal: &str,
    diags: &mut Diagnostics,
) -> Param {
    let data = p.parameter_data_ref();
    let loc = location(p);
    let (explode, delimiter) = match p {
        Parameter::Query { style, .. } => match style {
            QueryStyle::Form => (data.explode.unwrap_or(true), ','),
            QueryStyle::SpaceDelimited => (data.explode.unwrap_or(false), ' '),
            QueryStyle::PipeDelimited => (data.explode.unwrap_or(false), '|'),
            QueryStyle::DeepObject => {
                diags.warning(
                    "unsupported-style",
                    pointer,
                    "deepObject query parameters are sent as JSON text",
                );
                (true, ',')
            }
        },
        _ => (data.explode.unwrap_or(false), ','),
    };
    let hint = Hint::Name(format!("{op_pascal}{}", naming::pascal(&data.name)));
    let (ty, constraints, default) = match &data.format {
        ParameterSchemaOrContent::Schema(s) => {
            let default = match s {
                ReferenceOr::Item(s) => s.schema_data.default.as_ref().map(Value::to_string),
                ReferenceOr::Reference { .. } => None,
            };
            let (ty, constraints) =
                schemas.lower(s.into(), hint, &format!("{pointer}/schema"), diags);
            (ty, constraints, default)
        }
        ParameterSchemaOrContent::Content(_) => {
            diags.warning(
                "content-parameter",
                pointer,
                "parameters with `content` are sent as JSON text",
            );
            (TypeRef::Json, Constraints::default(), None)
        }
    };
    Param {
        wire_name: data.name.clone(),
        ident,
        location: loc,
        ty,
        required: data.required || loc == ParamLocation::Path,
        deprecated: data.deprecated.unwrap_or(false),
        description: data.description.clone(),
        explode,
        delimiter,
        default,
        pointer: pointer.to_string(),
        constraints,
    }
}

/// Path template names must match declared path parameters.
fn check_path_params(path: &str, params: &mut Vec<Param>, pointer: &str, diags: &mut Diagnostics) {
    let mut in_template = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            diags.error(
                "invalid-path",
                pointer,
                format!("unbalanced `{{` in path `{path}`"),
            );
            break;
        };
        in_template.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    let declared: Vec<String> = params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| p.wire_name.clone())
        .collect();
    for name in &in_template {
        if !declared.contains(name) {
            diags.warning(
                "undeclared-path-param",
                pointer,
                format!("path parameter `{name}` is not declared; added as a required string"),
            );
            let taken: Vec<String> = params.iter().map(|p| p.ident.clone()).collect();
            let mut ns =
                Namespace::with_reserved(&taken.iter().map(String::as_str).collect::<Vec<_>>());
            let ident = naming::plain_ident(&ns.claim(&naming::snake(name), "_"));
            params.push(Param {
                wire_name: name.clone(),
                ident,
                location: ParamLocation::Path,
                ty: TypeRef::String,
                required: true,
                deprecated: false,
                description: None,
                explode: false,
                delimiter: ',',
                default: None,
                pointer: pointer.to_string(),
                constraints: Constraints::default(),
            });
        }
    }
    params.retain(|p| {
        let keep = p.location != ParamLocation::Path || in_template.contains(&p.wire_name);
        if !keep {
            diags.warning(
                "unused-path-param",
                &p.pointer,
                format!(
                    "path parameter `{}` does not appear in the path; ignored",
                    p.wire_name
                ),
            );
        }
        keep
    });
}

fn media_rank(media: &str) -> Option<(u8, BodyEncoding)> {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if m == "application/json" || m.ends_with("+json") {
        Some((0, BodyEncoding::Json))
    } else if m == "application/x-www-form-urlencoded" {
        Some((1, BodyEncoding::Form))
    } else if m == "multipart/form-data" {
        Some((2, BodyEncoding::Multipart))
    } else {
        Some((3, BodyEncoding::Bytes))
    }
}

fn lower_body<'a>(
    doc: &'a OpenAPI,
    schemas: &mut SchemaLowerer<'a>,
    body: &'a ReferenceOr<OaBody>,
    pointer: &str,
    op_pascal: &str,
    diags: &mut Diagnostics,
) -> Option<RequestBody> {
    let body: &'a OaBody = match body {
        ReferenceOr::Item(b) => b,
        ReferenceOr::Reference { reference } => {
            let found = reference
                .strip_prefix("#/components/requestBodies/")
                .and_then(|n| doc.components.as_ref()?.request_bodies.get(n));
            match found {
                Some(ReferenceOr::Item(b)) => b,
                _ => {
                    diags.error(
                        "dangling-ref",
                        pointer,
                        format!("request body reference `{reference}` cannot be resolved"),
                    );
                    return None;
                }
            }
        }
    };
    let (media, mt, encoding) = body
        .content
        .iter()
        .filter_map(|(m, mt)| media_rank(m).map(|(rank, enc)| (rank, m, mt, enc)))
        .min_by_key(|(rank, ..)| *rank)
        .map(|(_, m, mt, enc)| (m, mt, enc))?;
    let mptr = join(&format!("{pointer}/content"), media);
    let hint = Hint::Name(format!("{op_pascal}Body"));
    let (ty, constraints) = match &mt.schema {
        Some(s) => schemas.lower(s.into(), hint, &format!("{mptr}/schema"), diags),
        None => (TypeRef::Json, Constraints::default()),
    };
    let (encoding, ty) = match encoding {
        BodyEncoding::Multipart if !matches!(ty.non_null(), TypeRef::Named(_)) => {
            diags.warning(
                "multipart-shape",
                &mptr,
                "multipart body is not an object schema; sent as raw bytes",
            );
            (BodyEncoding::Bytes, TypeRef::Bytes)
        }
        BodyEncoding::Bytes => (BodyEncoding::Bytes, TypeRef::Bytes),
        other => (other, ty),
    };
    Some(RequestBody {
        content_type: media.clone(),
        encoding,
        ty,
        required: body.required,
        description: body.description.clone(),
        pointer: mptr,
        constraints,
    })
}

fn resolve_response<'a>(
    doc: &'a OpenAPI,
    r: &'a ReferenceOr<Response>,
    pointer: &str,
    diags: &mut Diagnostics,
) -> Option<&'a Response> {
    let lookup = |n: &str| doc.components.as_ref()?.responses.get(n);
    resolve_component(r, "responses", lookup, pointer, diags)
}

fn status_of(code: &StatusCode) -> u16 {
    match code {
        StatusCode::Code(c) => *c,
        StatusCode::Range(r) => r * 100,
    }
}

fn lower_responses<'a>(
    doc: &'a OpenAPI,
    schemas: &mut SchemaLowerer<'a>,
    op: &'a openapiv3::Operation,
    pointer: &str,
    op_pascal: &str,
    diags: &mut Diagnostics,
) -> (SuccessResponse, Vec<u16>) {
    let mut success: Vec<(u16, String, &'a ReferenceOr<Response>)> = Vec::new();
    let mut redirects = Vec::new();
    let mut errors = Vec::new();
    for (code, r) in &op.responses.responses {
        let status = status_of(code);
        let rptr = join(&format!("{pointer}/responses"), &code.to_string());
        match status {
            200..=299 => success.push((status, rptr, r)),
            300..=399 => {
                redirects.push(status);
                errors.push(status)
            }
            _ => errors.push(status),
        }
    }
    if success.is_empty() {
        if let Some(d) = &op.responses.default {
            success.push((0, format!("{pointer}/responses/default"), d));
        }
    }
    errors.sort_unstable();
    errors.dedup();
    success.sort_by_key(|(s, ..)| *s);
    let resolved: Vec<(u16, String, &'a Response)> = success
        .iter()
        .filter_map(|(s, p, r)| resolve_response(doc, r, p, diags).map(|r| (*s, p.clone(), r)))
        .collect();
    let with_content = resolved.iter().find(|(_, _, r)| !r.content.is_empty());
    let Some((status, rptr, resp)) = with_content.or(resolved.first()) else {
        let status = redirects.first().copied().unwrap_or(0);
        if status == 0 {
            diags.warning(
                "no-success-response",
                pointer,
                "no success response declared; any 2xx is accepted with its body ignored",
            );
        }
        return (
            SuccessResponse {
                status,
                kind: ResponseKind::Empty,
                description: None,
            },
            errors,
        );
    };
    let some_empty = resolved.iter().any(|(_, _, r)| r.content.is_empty());
    let json = resp
        .content
        .iter()
        .find(|(m, _)| matches!(media_rank(m), Some((0, _))));
    let kind = if let Some((media, mt)) = json {
        let sptr = format!("{}/schema", join(&format!("{rptr}/content"), media));
        let ty = match &mt.schema {
            Some(s) => {
                schemas
                    .lower(
                        s.into(),
                        Hint::Name(format!("{op_pascal}Response")),
                        &sptr,
                        diags,
                    )
                    .0
            }
            None => TypeRef::Json,
        };
        let ty = if some_empty && !ty.is_nullable() {
            TypeRef::Nullable(Box::new(ty))
        } else {
            ty
        };
        ResponseKind::Json(ty)
    } else if let Some((media, _)) = resp.content.first() {
        if media.starts_with("text/") {
            ResponseKind::Text
        } else {
            ResponseKind::Bytes
        }
    } else {
        ResponseKind::Empty
    };
    (
        SuccessResponse {
            status: *status,
            kind,
            description: Some(resp.description.clone()).filter(|d| !d.is_empty()),
        },
        errors,
    )
}

/// Default safety class from the HTTP method, then reviewed overrides from the config.
fn classify(
    method: HttpMethod,
    operation_id: &str,
    overrides: &BTreeMap<String, SafetyOverride>,
) -> Safety {
    let (class, idempotent) = match method {
        HttpMethod::Get | HttpMethod::Head | HttpMethod::Options | HttpMethod::Trace => {
            (SafetyClass::Read, true)
        }
        HttpMethod::Delete => (SafetyClass::Destructive, true),
        HttpMethod::Put => (SafetyClass::Write, true),
        HttpMethod::Post | HttpMethod::Patch => (SafetyClass::Write, false),
    };
    // `credential` is decided once every type is lowered (`lower::credentials`).
    match overrides.get(operation_id) {
        Some(o @ SafetyOverride { class: Some(c), .. }) => Safety {
            class: *c,
            idempotent: o.idempotent.unwrap_or(idempotent),
            reason: o.reason.clone(),
            credential: None,
        },
        _ => Safety {
            class,
            idempotent,
            reason: None,
            credential: None,
        },
    }
}

fn finalize_group_names(groups: &mut [Group], diags: &mut Diagnostics) {
    let mut modules = Namespace::with_reserved(RESERVED_MODULES);
    let mut types = Namespace::default();
    for g in groups.iter_mut() {
        let mut base = naming::snake(&g.wire_name);
        if naming::is_keyword(&base) || CLIENT_METHODS.contains(&base.as_str()) {
            base = format!("{base}_api");
        }
        let module = modules.claim(&base, "_");
        if module != naming::snake(&g.wire_name) {
            diags.note(
                "group-renamed",
                "#/paths",
                format!("group `{}` is emitted as module `{module}`", g.wire_name),
            );
        }
        g.feature = naming::group_feature(&module);
        g.module = module;
        g.type_name = types.claim(&naming::pascal(&g.wire_name), "");
    }
}

fn assign_method_names(groups: &[Group], ops: &mut [Operation], diags: &mut Diagnostics) {
    for g in groups {
        let mut ns = Namespace::default();
        for &i in &g.operations {
            let op = &mut ops[i];
            let mut base = naming::snake(&op.method_name);
            if naming::is_keyword(&base) {
                base = format!("{base}_");
            }
            let name = ns.claim(&base, "_");
            if name != base {
                diags.warning(
                    "method-collision",
                    &op.pointer,
                    format!(
                        "method `{base}` already exists in group `{}`; this operation is `{name}`",
                        g.module
                    ),
                );
            }
            let has_optional = op.params.iter().any(|p| !p.required);
            op.params_type = has_optional.then(|| format!("{}Params", naming::pascal(&name)));
            op.method_name = name;
        }
    }
}
