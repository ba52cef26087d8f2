//! Webhook events (`x-webhooks`, as Clerk writes them) -> IR [`WebhookEvent`]s.
//!
//! Each entry of `x-webhooks` is keyed by the event type and holds one operation (`post`) whose
//! JSON request body is the delivered envelope. The envelope's `data` property (found in the
//! schema itself or in an `allOf` member, following `$ref`s) is the event's payload type.
//!
//! Real specs' examples break their own payload schemas (missing required fields, `null` in
//! non-nullable fields; see `/work/shared/research/clerk-spec.md`), so the types reachable only
//! from webhooks are relaxed by [`relax`]: every field becomes optional. Enums are open anyway
//! and unknown properties are ignored, so every example decodes.

use super::schema::{Hint, SchemaLowerer, SchemaRef};
use crate::diagnostics::{join, Diagnostics};
use crate::ir::{Api, ApiInfo, Group, TypeDef, TypeKind, TypeRef, WebhookEvent, WebhookNames};
use crate::naming::{self, Namespace};
use openapiv3::{OpenAPI, ReferenceOr, Schema};
use serde_json::Value;

/// An event read from the spec, with its payload schema owned (it comes from an extension).
pub struct RawEvent {
    event_type: String,
    /// The event's key in its map (the event type, unless the body names another).
    key: String,
    pointer: String,
    summary: Option<String>,
    description: Option<String>,
    examples: Vec<Value>,
    /// The payload schema and its pointer, when the envelope has a `data` property.
    data: Option<(ReferenceOr<Schema>, String)>,
}

/// The events under `x-webhooks`, in spec order. Shape errors are diagnostics naming the place.
pub fn parse(doc: &OpenAPI, diags: &mut Diagnostics) -> Vec<RawEvent> {
    // Clerk's `x-webhooks`, and OpenAPI 3.1's `webhooks` (moved aside by the loader).
    let mut out = Vec::new();
    for (key, base) in [
        ("x-webhooks", "#/x-webhooks"),
        (crate::normalize::oas31::WEBHOOKS, "#/webhooks"),
    ] {
        let Some(hooks) = doc.extensions.get(key) else {
            continue;
        };
        let Some(hooks) = hooks.as_object() else {
            diags.error(
                "invalid-webhooks",
                base,
                format!(
                    "`{}` must be a mapping from event type to a path item",
                    &base[2..]
                ),
            );
            continue;
        };
        let first = out.len();
        parse_map(doc, hooks, base, &mut out, diags);
        // The body's constant `type` names the events only when it tells them apart
        // (Anthropic's share one envelope whose `type` is `event`).
        let mut seen = std::collections::BTreeSet::new();
        if !out.iter().all(|e| seen.insert(e.event_type.clone())) {
            for e in &mut out[first..] {
                e.event_type = e.key.clone();
            }
        }
    }
    out
}

fn parse_map(
    doc: &OpenAPI,
    hooks: &serde_json::Map<String, Value>,
    base: &str,
    out: &mut Vec<RawEvent>,
    diags: &mut Diagnostics,
) {
    let components = doc
        .components
        .as_ref()
        .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    for (event_type, item) in hooks {
        let pointer = join(base, event_type);
        let Some((method, op)) = item.as_object().and_then(|o| {
            ["post", "put", "patch", "get"]
                .iter()
                .find_map(|m| o.get(*m).filter(|v| v.is_object()).map(|v| (*m, v)))
        }) else {
            diags.error(
                "invalid-webhook",
                &pointer,
                "a webhook must hold an operation (`post`) describing the delivered request",
            );
            continue;
        };
        let op_ptr = join(&pointer, method);
        let text = |k: &str| {
            op.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let media = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .and_then(|c| {
                c.iter()
                    .find(|(k, _)| k.starts_with("application/json") || k.ends_with("+json"))
            });
        let media_ptr = match media {
            Some((key, _)) => join(&join(&join(&op_ptr, "requestBody"), "content"), key),
            None => op_ptr.clone(),
        };
        let media = media.map(|(_, v)| v);
        let Some(media) = media else {
            diags.error(
                "invalid-webhook",
                &op_ptr,
                "a webhook needs a JSON request body (`requestBody.content.application/json`)",
            );
            continue;
        };
        let mut examples = Vec::new();
        if let Some(e) = media.get("example") {
            examples.push(e.clone());
        }
        if let Some(all) = media.get("examples").and_then(Value::as_object) {
            for (name, e) in all {
                match resolve_example(e, &components) {
                    Some(v) => examples.push(v),
                    None => diags.warning(
                        "unresolved-example",
                        join(&join(&media_ptr, "examples"), name),
                        "this example has no `value` and its `$ref` points at no example",
                    ),
                }
            }
        }
        let data = match media.get("schema") {
            Some(schema) => {
                let found = find_data(schema, &join(&media_ptr, "schema"), &components, 0);
                match found {
                    Some((value, ptr)) => match serde_json::from_value(value) {
                        Ok(s) => Some((s, ptr)),
                        Err(e) => {
                            diags.error(
                                "invalid-schema",
                                &ptr,
                                format!("the payload schema is not a valid schema: {e}"),
                            );
                            None
                        }
                    },
                    None => {
                        diags.warning(
                            "webhook-without-data",
                            join(&media_ptr, "schema"),
                            "the body has no `data` property: the payload is untyped JSON",
                        );
                        None
                    }
                }
            }
            None => None,
        };
        out.push(RawEvent {
            // A 3.1 webhook is keyed by a name (`batch_cancelled`); the body's constant
            // `type` (`batch.cancelled`) is what a delivery carries.
            event_type: match media.get("schema") {
                Some(schema) if base == "#/webhooks" => {
                    type_constant(schema, &components, 0).unwrap_or_else(|| event_type.clone())
                }
                _ => event_type.clone(),
            },
            key: event_type.clone(),
            pointer,
            summary: text("summary"),
            description: text("description"),
            examples,
            data,
        });
    }
}

fn resolve_example(e: &Value, components: &Value) -> Option<Value> {
    if let Some(v) = e.get("value") {
        return Some(v.clone());
    }
    let name = e
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/examples/")?;
    components.get("examples")?.get(name)?.get("value").cloned()
}

/// The one value of the `type` property of an envelope schema (`enum: [v]`; a 3.1 `const`
/// was rewritten to it), in `properties` or an `allOf` member, through component `$ref`s.
fn type_constant(schema: &Value, components: &Value, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        let target = components.get("schemas")?.get(name)?;
        return type_constant(target, components, depth + 1);
    }
    if let Some(values) = schema
        .pointer("/properties/type/enum")
        .and_then(Value::as_array)
    {
        return match values.as_slice() {
            [Value::String(only)] => Some(only.clone()),
            _ => None,
        };
    }
    schema
        .get("allOf")?
        .as_array()?
        .iter()
        .find_map(|m| type_constant(m, components, depth + 1))
}

/// The `data` property schema of an envelope schema, with its pointer: in `properties`, or in
/// an `allOf` member (through component `$ref`s).
fn find_data(
    schema: &Value,
    pointer: &str,
    components: &Value,
    depth: usize,
) -> Option<(Value, String)> {
    if depth > 16 {
        return None;
    }
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        let target = components.get("schemas")?.get(name)?;
        return find_data(
            target,
            &join("#/components/schemas", name),
            components,
            depth + 1,
        );
    }
    if let Some(data) = schema.pointer("/properties/data") {
        return Some((data.clone(), format!("{pointer}/properties/data")));
    }
    let members = schema.get("allOf")?.as_array()?;
    members
        .iter()
        .enumerate()
        .find_map(|(i, m)| find_data(m, &format!("{pointer}/allOf/{i}"), components, depth + 1))
}

/// Lower the payload types of the events into the arena.
pub fn lower<'a>(
    raw: &'a [RawEvent],
    schemas: &mut SchemaLowerer<'a>,
    diags: &mut Diagnostics,
) -> Vec<WebhookEvent> {
    let mut variants = Namespace::with_reserved(&["Unknown"]);
    raw.iter()
        .map(|e| {
            let variant = variants.claim(&naming::pascal(&e.event_type), "");
            let payload = match &e.data {
                Some((schema, ptr)) => {
                    schemas
                        .lower(
                            SchemaRef::from(schema),
                            Hint::Name(format!("{variant}Payload")),
                            ptr,
                            diags,
                        )
                        .0
                }
                None => TypeRef::Json,
            };
            WebhookEvent {
                event_type: e.event_type.clone(),
                variant,
                payload,
                summary: e.summary.clone(),
                description: e.description.clone(),
                examples: e.examples.clone(),
                pointer: e.pointer.clone(),
            }
        })
        .collect()
}

/// Make every field of the types reachable from webhook payloads, and from no operation,
/// optional, so that payloads that break their schema's `required` still decode. Marks those
/// types as decoded from responses.
pub fn relax(types: &mut [TypeDef], events: &[WebhookEvent]) {
    let seen = crate::ir::reachable(types, events.iter().map(|e| &e.payload));
    for id in seen {
        let def = &mut types[id];
        let shared = def.usage.request || def.usage.response;
        if !shared {
            if let TypeKind::Struct { fields } = &mut def.kind {
                for f in fields {
                    f.required = false;
                }
            }
        }
        def.usage.response = true;
    }
}

/// The names of the webhook events' module, feature and signing secret: the module is
/// `webhooks`, or `webhook_events` when an operations group already has that name (Clerk's
/// Backend API has a `webhooks` group for its Svix settings); the feature is the module name in
/// kebab-case; the secret is Clerk's `CLERK_WEBHOOK_SIGNING_SECRET`, else the key variable's
/// prefix with `_WEBHOOK_SECRET`.
pub fn names(groups: &[Group], info: &ApiInfo) -> WebhookNames {
    let module = if groups.iter().any(|g| g.module == "webhooks") {
        "webhook_events"
    } else {
        "webhooks"
    };
    let secret_env = match info.key_env_var.strip_prefix("CLERK_") {
        Some(_) => "CLERK_WEBHOOK_SIGNING_SECRET".to_string(),
        None => {
            let base = info
                .key_env_var
                .trim_end_matches("_API_KEY")
                .trim_end_matches("_SECRET_KEY");
            format!("{base}_WEBHOOK_SECRET")
        }
    };
    WebhookNames {
        module: module.to_string(),
        feature: module.replace('_', "-"),
        secret_env,
    }
}

/// Merge the webhook events (and their types) of `hooks`, lowered from a separate webhooks
/// spec named `label`, into `api`. Colliding type names get a `Webhook` prefix; pointers are
/// prefixed with `label` so those of the two specs stay apart.
pub fn merge(api: &mut Api, hooks: Api, label: &str) {
    let offset = api.types.len();
    let mut names = Namespace::default();
    for t in &api.types {
        names.claim(&t.name, "");
    }
    let shift = |t: &mut TypeRef| shift_ref(t, offset);
    let prefix = |p: &str| format!("{label}{p}");
    for mut def in hooks.types {
        let base = if names.contains(&def.name) {
            format!("Webhook{}", def.name)
        } else {
            def.name.clone()
        };
        def.name = names.claim(&base, "");
        def.pointer = prefix(&def.pointer);
        match &mut def.kind {
            TypeKind::Struct { fields } => {
                for f in fields {
                    shift(&mut f.ty);
                    f.pointer = prefix(&f.pointer);
                }
            }
            TypeKind::Union { variants, .. } => {
                for v in variants {
                    shift(&mut v.ty);
                    v.pointer = prefix(&v.pointer);
                }
            }
            TypeKind::Alias { target } => shift(target),
            TypeKind::Enum { .. } => {}
        }
        api.types.push(def);
    }
    for mut e in hooks.webhooks {
        shift(&mut e.payload);
        e.pointer = prefix(&e.pointer);
        api.webhooks.push(e);
    }
}

fn shift_ref(t: &mut TypeRef, offset: usize) {
    match t {
        TypeRef::Named(id) => *id += offset,
        TypeRef::Array(i) | TypeRef::Map(i) | TypeRef::Nullable(i) => shift_ref(i, offset),
        TypeRef::Tuple(items) => items.iter_mut().for_each(|i| shift_ref(i, offset)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    fn analyze(spec: &str) -> Result<crate::ir::Api, String> {
        crate::analyze(
            &crate::Inputs::from_text("hooks.yaml", spec),
            &crate::Config::new("hooks.yaml"),
        )
        .map(|(api, _)| api)
        .map_err(|e| e.to_string())
    }

    #[test]
    fn malformed_webhooks_are_located_errors() {
        let err = analyze("openapi: 3.0.3\ninfo: {title: T, version: '1'}\nx-webhooks: [1]\n")
            .unwrap_err();
        assert!(
            err.contains("invalid-webhooks") && err.contains("#/x-webhooks"),
            "{err}"
        );
        let err = analyze(
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nx-webhooks:\n  a.b: 5\n  c.d:\n    post: {}\n",
        )
        .unwrap_err();
        assert!(err.contains("#/x-webhooks/a.b"), "{err}");
        assert!(err.contains("#/x-webhooks/c.d/post"), "{err}");
        assert!(err.contains("hooks.yaml:6"), "{err}");
    }

    #[test]
    fn payload_is_the_data_property_and_fields_are_relaxed() {
        let api = analyze(
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nx-webhooks:\n  thing.made:\n    post:\n      summary: Made\n      requestBody:\n        content:\n          application/json:\n            schema:\n              allOf:\n                - $ref: '#/components/schemas/Env'\n                - properties: {data: {$ref: '#/components/schemas/Thing'}}\ncomponents:\n  schemas:\n    Env: {type: object, properties: {type: {type: string}}}\n    Thing: {type: object, required: [id], properties: {id: {type: string}}}\n",
        )
        .unwrap();
        let e = &api.webhooks[0];
        assert_eq!(
            (e.event_type.as_str(), e.variant.as_str()),
            ("thing.made", "ThingMade")
        );
        assert_eq!(e.summary.as_deref(), Some("Made"));
        let crate::ir::TypeRef::Named(id) = e.payload else {
            panic!("{:?}", e.payload)
        };
        assert_eq!(api.types[id].name, "Thing");
        let crate::ir::TypeKind::Struct { fields } = &api.types[id].kind else {
            panic!()
        };
        assert!(!fields[0].required, "relaxed for lenient decoding");
    }
}
