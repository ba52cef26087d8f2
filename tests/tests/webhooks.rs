//! Webhooks through the generated fixture crate `fixture-webhooks` (spec
//! `tests/fixtures/webhooks/spec.yaml`, webhooks only): every example of the spec decodes into
//! its typed variant (including one that breaks its schema, as Clerk's do), unknown events keep
//! their JSON, and signed deliveries verify while tampered ones do not.

use fixture_webhooks::models::{NoteSharedPayloadRole, NoteVisibility};
use fixture_webhooks::webhooks::{Event, Webhook, WebhookError, EVENT_TYPES};
use std::path::Path;

fn spec_examples() -> Vec<(String, serde_json::Value)> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/webhooks/spec.yaml");
    let generated = agentgen::load_and_generate(&agentgen::Config::new(&spec)).unwrap();
    generated
        .api
        .webhooks
        .iter()
        .flat_map(|e| e.examples.iter().map(|x| (e.event_type.clone(), x.clone())))
        .collect()
}

#[test]
fn every_example_of_the_spec_decodes_into_its_variant() {
    let examples = spec_examples();
    assert_eq!(
        examples.len(),
        4,
        "one $ref'd example, one inline in `examples`, two `example`s"
    );
    for (event_type, example) in &examples {
        let event =
            Event::from_value(example.clone()).unwrap_or_else(|e| panic!("{event_type}: {e}"));
        assert_eq!(event.event_type(), event_type);
        assert!(!matches!(event, Event::Unknown { .. }));
    }
    assert_eq!(EVENT_TYPES, ["note.created", "note.deleted", "note.shared"]);
}

#[test]
fn payloads_are_typed_and_lenient() {
    let examples = spec_examples();
    let Event::NoteCreated(created) = Event::from_value(examples[0].1.clone()).unwrap() else {
        panic!("note.created")
    };
    assert_eq!(created.data.title.as_deref(), Some("Groceries"));
    assert_eq!(created.data.visibility, Some(NoteVisibility::Shared));
    assert_eq!(created.timestamp, Some(1_732_306_236_469));
    let ip = created
        .event_attributes
        .and_then(|a| a.http_request)
        .and_then(|r| r.client_ip);
    assert_eq!(ip.as_deref(), Some("192.0.2.1"));
    // `deleted` is required and `id` is not nullable; the example has neither: still decodes.
    let broken = examples
        .iter()
        .find(|(t, x)| t == "note.deleted" && x["data"]["id"].is_null())
        .unwrap();
    let Event::NoteDeleted(deleted) = Event::from_value(broken.1.clone()).unwrap() else {
        panic!("note.deleted")
    };
    assert_eq!((deleted.data.id, deleted.data.deleted), (None, None));
    // An enum value outside the schema is kept.
    let Event::NoteShared(shared) = Event::from_value(examples[3].1.clone()).unwrap() else {
        panic!("note.shared")
    };
    assert_eq!(
        shared.data.role,
        Some(NoteSharedPayloadRole::Unknown("commenter".into()))
    );
}

#[test]
fn a_wrong_payload_is_an_error_naming_the_event_and_path() {
    let body = serde_json::json!({"type": "note.created", "data": {"title": 5}});
    let err = Event::from_value(body).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("note.created") && text.contains("data.title"),
        "{text}"
    );
}

#[test]
fn signed_deliveries_verify_and_tampered_ones_do_not() {
    let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let now = 1_732_306_236;
    for (i, (event_type, example)) in spec_examples().iter().enumerate() {
        let body = serde_json::to_vec(example).unwrap();
        let id = format!("msg_{i}");
        let ts = now.to_string();
        let sig = webhook.sign(&id, now, &body);
        let headers = vec![
            ("webhook-id".to_string(), id.clone()),
            ("webhook-timestamp".to_string(), ts.clone()),
            ("webhook-signature".to_string(), sig.clone()),
        ];
        assert_eq!(
            webhook
                .verify_at(&headers, &body, now)
                .unwrap()
                .event_type(),
            event_type
        );
        let other = Webhook::new("whsec_dGhpcyBpcyBhbm90aGVyIGtleQ==").unwrap();
        assert_eq!(
            other.verify_at(&headers, &body, now).unwrap_err(),
            WebhookError::InvalidSignature
        );
        assert!(matches!(
            webhook.verify_at(&headers, &body, now + 301).unwrap_err(),
            WebhookError::TimestampTooOld { .. }
        ));
    }
}
