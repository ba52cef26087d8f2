//! The Clerk Backend API client, generated at build time by agentgen (see `build.rs`) from the
//! pinned spec, `spec/clerk-bapi.yaml`, with the webhook events of `spec/clerk-webhooks.yaml`
//! in [`webhook_events`].
//!
#![doc = include_str!(concat!(env!("OUT_DIR"), "/clerk_backend.md"))]

include!(concat!(env!("OUT_DIR"), "/clerk_backend.rs"));
