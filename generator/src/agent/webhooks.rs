//! The webhooks part of the agent documents: the AgentSpec manifest's `webhooks` section
//! (events, payload JSON Schemas, the verification scheme) and the skill reference
//! `references/webhooks.md` (events table, payload types, how to verify a delivery).

use super::agentspec::{Verification, WebhookEventEntry, WebhooksSection};
use super::model::{type_label, Model};
use super::skill::{fields_of, FieldView, Templates};
use crate::ir::Api;
use serde::Serialize;
use serde_json::Value;

/// File name of the webhooks reference in a skill's `references/` (not `webhooks.md`: an API
/// may have a tag of that name, as Clerk's Backend API does).
pub const REFERENCE_FILE: &str = "webhook-events.md";

/// Seconds a delivery's timestamp may be away from now (either direction).
pub const TOLERANCE_SECONDS: u64 = 300;

fn verification(api: &Api) -> Verification {
    Verification {
        scheme: "standard-webhooks".to_string(),
        headers: vec![
            "svix-id".to_string(),
            "svix-timestamp".to_string(),
            "svix-signature".to_string(),
        ],
        alternate_headers: vec![
            "webhook-id".to_string(),
            "webhook-timestamp".to_string(),
            "webhook-signature".to_string(),
        ],
        algorithm: "HMAC-SHA256".to_string(),
        signed_content: "{id}.{timestamp}.{body}".to_string(),
        secret: "whsec_<base64>: the HMAC key is the base64-decoded text after `whsec_`"
            .to_string(),
        secret_env: api.webhook_names.secret_env.clone(),
        signature: "space-separated `v1,<base64 HMAC>` entries; valid when one matches (constant-time comparison)".to_string(),
        tolerance_seconds: TOLERANCE_SECONDS,
        never_log: true,
    }
}

fn envelope_schema() -> Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "type": {"type": "string", "description": "The event type (`user.created`)."},
            "object": {"type": "string", "description": "The object type (`event`)."},
            "timestamp": {"type": "integer", "description": "When the event happened (Unix time, milliseconds)."},
            "instance_id": {"type": "string", "description": "The instance the event belongs to."},
            "event_attributes": {
                "type": "object",
                "properties": {"http_request": {"type": "object", "properties": {
                    "client_ip": {"type": "string"}, "user_agent": {"type": "string"}
                }}}
            },
            "data": {"description": "The payload: see `payloads`."}
        },
        "required": ["type", "data"]
    })
}

/// The manifest section, when the API has webhooks.
pub fn section(model: &Model<'_>) -> Option<WebhooksSection> {
    let api = model.api;
    if api.webhooks.is_empty() {
        return None;
    }
    let events = api
        .webhooks
        .iter()
        .map(|e| {
            let payload = type_label(api, &e.payload);
            WebhookEventEntry {
                event_type: e.event_type.clone(),
                rust_variant: e.variant.clone(),
                payload,
                description: e.summary.clone().or_else(|| e.description.clone()),
            }
        })
        .collect();
    Some(WebhooksSection {
        events,
        payloads: model.payloads.clone(),
        envelope: envelope_schema(),
        verification: verification(api),
        reference: format!("skills/{}/references/{REFERENCE_FILE}", model.skill_name),
    })
}

#[derive(Serialize)]
struct EventView {
    event_type: String,
    variant: String,
    payload: String,
    description: String,
}

#[derive(Serialize)]
struct PayloadView {
    name: String,
    events: Vec<String>,
    fields: Vec<FieldView>,
    more: usize,
}

#[derive(Serialize)]
struct WebhooksView {
    title: String,
    skill: String,
    crate_name: String,
    module: String,
    feature: String,
    secret_env: String,
    tolerance: u64,
    events: Vec<EventView>,
    payloads: Vec<PayloadView>,
    example_variant: String,
    example_type: String,
}

/// `references/webhooks.md` of a skill, when the API has webhooks.
pub fn reference(
    model: &Model<'_>,
    templates: &Templates,
    skill: &str,
) -> Result<Option<String>, String> {
    let api = model.api;
    let Some(first) = api.webhooks.first() else {
        return Ok(None);
    };
    let mut payloads: Vec<PayloadView> = Vec::new();
    for e in &api.webhooks {
        let name = type_label(api, &e.payload);
        match payloads.iter_mut().find(|p| p.name == name) {
            Some(p) => p.events.push(e.event_type.clone()),
            None => {
                let (fields, more) =
                    fields_of(api, &e.payload, 40, super::skill::MAX_FIELD_LIST_BYTES);
                payloads.push(PayloadView {
                    name,
                    events: vec![e.event_type.clone()],
                    fields,
                    more,
                });
            }
        }
    }
    let view = WebhooksView {
        title: api.info.title.clone(),
        skill: skill.to_string(),
        crate_name: api.info.crate_name.replace('-', "_"),
        module: api.webhook_names.module.clone(),
        feature: api.webhook_names.feature.clone(),
        secret_env: api.webhook_names.secret_env.clone(),
        tolerance: TOLERANCE_SECONDS,
        events: api
            .webhooks
            .iter()
            .map(|e| EventView {
                event_type: e.event_type.clone(),
                variant: e.variant.clone(),
                payload: type_label(api, &e.payload),
                description: super::markdown::first_sentence(
                    e.summary
                        .as_deref()
                        .or(e.description.as_deref())
                        .unwrap_or(""),
                    160,
                ),
            })
            .collect(),
        payloads,
        example_variant: first.variant.clone(),
        example_type: first.event_type.clone(),
    };
    templates.render("webhooks.md.j2", &view).map(Some)
}
