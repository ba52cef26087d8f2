//! `src/webhooks.rs` (+ `src/webhooks/verify.rs`): typed webhook events and signature
//! verification, emitted when the spec describes webhooks, behind the `webhooks` feature.

use super::{doc_attr, format_file, rust_type, Place};
use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// The files of the events module, or none when the API has no webhooks.
pub fn files(api: &Api) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    if api.webhooks.is_empty() {
        return Ok(files);
    }
    let module = &api.webhook_names.module;
    files.insert(format!("src/{module}.rs"), webhooks_rs(api)?);
    for (name, text) in super::runtime_files::WEBHOOK_FILES {
        files.insert(format!("src/{module}/{name}"), text.to_string());
    }
    Ok(files)
}

/// The module declaration for `lib.rs` (nothing when the API has no webhooks).
pub fn lib_item(api: &Api) -> TokenStream {
    if api.webhooks.is_empty() {
        return TokenStream::new();
    }
    let module = format_ident!("{}", api.webhook_names.module);
    let feature = &api.webhook_names.feature;
    quote! {
        #[cfg(feature = #feature)]
        pub mod #module;
    }
}

fn webhooks_rs(api: &Api) -> Result<String, String> {
    let events = &api.webhooks;
    let variants = events.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let t = rust_type(api, &e.payload, Place::Group);
        let mut doc = format!("`{}`", e.event_type);
        if let Some(s) = e.summary.as_deref().or(e.description.as_deref()) {
            doc.push_str(&format!(": {}", s.trim()));
        }
        if e.summary.is_some() {
            if let Some(d) = &e.description {
                doc.push_str(&format!("\n\n{}", d.trim()));
            }
        }
        let doc = doc_attr(Some(&doc));
        quote! { #doc #v(Envelope<#t>), }
    });
    let type_arms = events.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let t = &e.event_type;
        quote! { Event::#v(_) => #t, }
    });
    let decode_arms = events.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let t = &e.event_type;
        quote! { #t => Event::#v(verify::decode(#t, value)?), }
    });
    let names = events.iter().map(|e| &e.event_type);
    let tokens = quote! {
        mod verify;
        pub use verify::{Envelope, EventAttributes, Headers, HttpRequest, Webhook, WebhookError, DEFAULT_TOLERANCE};

        /// Every event type this crate decodes into a typed [`Event`] variant, in spec order.
        pub const EVENT_TYPES: &[&str] = &[#(#names),*];

        /// A webhook event, decoded by its `type`.
        ///
        /// Payloads are decoded leniently: every field of a payload type is optional and
        /// unknown fields are ignored, because deliveries do not always follow the spec.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
            /// An event type this crate does not know (added after it was generated).
            Unknown {
                /// The event type.
                r#type: String,
                /// The whole body.
                raw: serde_json::Value,
            },
        }

        impl Event {
            /// The event type (`type` of the body).
            pub fn event_type(&self) -> &str {
                match self {
                    #(#type_arms)*
                    Event::Unknown { r#type, .. } => r#type,
                }
            }

            /// Decode a body whose signature was already verified.
            pub fn from_slice(body: &[u8]) -> Result<Self, WebhookError> {
                let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
                    WebhookError::Payload { event_type: None, message: e.to_string() }
                })?;
                Self::from_value(value)
            }

            /// Decode a JSON body whose signature was already verified.
            pub fn from_value(value: serde_json::Value) -> Result<Self, WebhookError> {
                let Some(event_type) = value.get("type").and_then(serde_json::Value::as_str) else {
                    return Err(WebhookError::Payload {
                        event_type: None,
                        message: "the body has no string `type`".to_string(),
                    });
                };
                let event_type = event_type.to_string();
                Ok(match event_type.as_str() {
                    #(#decode_arms)*
                    _ => Event::Unknown { r#type: event_type, raw: value },
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for Event {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                Event::from_value(value).map_err(serde::de::Error::custom)
            }
        }
    };
    let krate = api.info.crate_name.replace('-', "_");
    let module = &api.webhook_names.module;
    let first = &events[0];
    let doc = format!(
        "Webhook events of {title}: {n} event types, decoded into [`Event`] after [`Webhook`] verifies the signature (Svix / Standard Webhooks scheme: `svix-id`, `svix-timestamp`, `svix-signature` headers, HMAC-SHA256 over `id.timestamp.body`, 5 minutes tolerance). Cargo feature `{feature}` (on by default).\n\n```no_run\n# fn handle(headers: &reqwest::header::HeaderMap, body: &[u8]) -> Result<(), {krate}::{module}::WebhookError> {{\nuse {krate}::{module}::{{Event, Webhook}};\n\nlet webhook = Webhook::new(&std::env::var(\"{env}\").unwrap_or_default())?;\nmatch webhook.verify(headers, body)? {{\n    Event::{v}(event) => println!(\"{t}: {{:?}}\", event.data),\n    other => println!(\"{{}}\", other.event_type()),\n}}\n# Ok(())\n# }}\n```\n\nThe scheme's published test vector verifies:\n\n```\nuse {krate}::{module}::Webhook;\n\nlet webhook = Webhook::new(\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\")?;\nlet headers = [\n    (\"svix-id\", \"msg_p5jXN8AQM9LWM0D4loKWxJek\"),\n    (\"svix-timestamp\", \"1614265330\"),\n    (\"svix-signature\", \"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\"),\n];\nlet body = br#\"{{\"test\": 2432232314}}\"#;\n// `verify` would also decode the event; this body is not one.\nassert_eq!(webhook.verify_signature_at(&headers, body, 1614265330)?, body);\n# Ok::<(), {krate}::{module}::WebhookError>(())\n```",
        title = super::docs::rustdoc(&api.info.title),
        n = events.len(),
        v = first.variant,
        t = first.event_type,
        env = api.webhook_names.secret_env,
        feature = api.webhook_names.feature,
    );
    format_file(api, Some(&doc), tokens)
}
