//! Copied into the crate generated from Clerk's webhooks spec by `tests/tests/clerk_specs.rs`
//! and run there, next to `examples.json` (every example of the spec, as the IR holds them):
//! every example decodes into its typed `Event` variant, also after a signed delivery.

use clerk_webhook_events::webhooks::{Event, Webhook, WebhookError, EVENT_TYPES};
use serde_json::Value;

fn examples() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/examples.json"))
        .expect("examples.json next to this test");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_example_decodes_into_its_variant() {
    let examples = examples();
    assert_eq!(EVENT_TYPES.len(), 45);
    let mut covered: Vec<&str> = Vec::new();
    for (event_type, example) in &examples {
        assert_eq!(example["type"], Value::String(event_type.clone()));
        let event =
            Event::from_value(example.clone()).unwrap_or_else(|e| panic!("{event_type}: {e}"));
        assert_eq!(event.event_type(), event_type);
        assert!(
            !matches!(event, Event::Unknown { .. }),
            "{event_type} decoded as Unknown"
        );
        covered.push(EVENT_TYPES.iter().find(|t| *t == event_type).unwrap());
    }
    covered.sort_unstable();
    covered.dedup();
    assert_eq!(covered.len(), 45, "every event type has an example");
    eprintln!(
        "{} examples of {} event types decoded",
        examples.len(),
        covered.len()
    );
}

#[test]
fn typed_fields_are_reachable() {
    let (_, user) = examples()
        .into_iter()
        .find(|(t, _)| t == "user.created")
        .unwrap();
    let Event::UserCreated(event) = Event::from_value(user.clone()).unwrap() else {
        panic!("user.created is UserCreated")
    };
    assert_eq!(event.event_type, "user.created");
    assert_eq!(event.instance_id.as_deref(), user["instance_id"].as_str());
    assert_eq!(event.data.id.as_deref(), user["data"]["id"].as_str());
    let http = event.event_attributes.and_then(|a| a.http_request).unwrap();
    assert!(http.user_agent.unwrap().starts_with("Mozilla"));
}

#[test]
fn signed_deliveries_of_the_examples_verify_and_tampered_ones_do_not() {
    let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let now = 1_716_883_200;
    for (i, (event_type, example)) in examples().iter().enumerate() {
        let body = serde_json::to_vec(example).unwrap();
        let id = format!("msg_{i}");
        let sig = webhook.sign(&id, now, &body);
        let headers = [
            ("svix-id", id.as_str()),
            ("svix-timestamp", &now.to_string()),
            ("svix-signature", sig.as_str()),
        ];
        let event = webhook.verify_at(&headers, &body, now + 10).unwrap();
        assert_eq!(event.event_type(), event_type);
        let mut tampered = body.clone();
        tampered.push(b' ');
        assert_eq!(
            webhook.verify_at(&headers, &tampered, now).unwrap_err(),
            WebhookError::InvalidSignature
        );
    }
}

#[test]
fn unknown_events_keep_their_json() {
    let raw =
        serde_json::json!({"type": "billing.somethingNew", "object": "event", "data": {"x": 1}});
    match Event::from_value(raw.clone()).unwrap() {
        Event::Unknown { r#type, raw: kept } => {
            assert_eq!(r#type, "billing.somethingNew");
            assert_eq!(kept, raw);
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    let event: Event = serde_json::from_value(
        serde_json::json!({"type": "user.deleted", "data": {"id": "user_1", "deleted": true}}),
    )
    .unwrap();
    assert_eq!(event.event_type(), "user.deleted");
}
