//! The `generated/clerk-backend` crate (the client generated into `OUT_DIR` by its build
//! script and included by its `src/lib.rs`): the whole API is there, and the read-only client
//! of its example lists users by email address against a mock server.

use clerk_backend::models::{EmailAddress, User};
use clerk_backend::users::ListParams;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn the_whole_api_is_generated() {
    assert_eq!(clerk_backend::operations::OPERATIONS.len(), 249);
    // Write operations exist on a read-write client only (the read-only side is proven by
    // the compile_fail doctest of the crate).
    let _create = clerk_backend::users::Users::<clerk_backend::ReadWrite>::create;
    let _list = clerk_backend::users::Users::<clerk_backend::ReadOnly>::list;
    // Reads that return credentials too (withheld from the read-only client).
    let _secret = clerk_backend::machines::Machines::<clerk_backend::ReadWrite>::get_secret_key;
    let credentials: Vec<&str> = clerk_backend::operations::OPERATIONS
        .iter()
        .filter(|o| o.credential && o.safety == clerk_backend::runtime::SafetyClass::Read)
        .map(|o| o.id)
        .collect();
    for id in [
        "GetMachineSecretKey",
        "GetOAuthAccessToken",
        "getApiKeySecret",
    ] {
        assert!(credentials.contains(&id), "{id} in {credentials:?}");
    }
}

#[tokio::test]
async fn read_only_client_lists_users_by_email() {
    let server = MockServer::start().await;
    let user = User {
        id: "user_123".into(),
        object: "user".into(),
        email_addresses: vec![EmailAddress {
            id: Some("idn_1".into()),
            object: "email_address".into(),
            email_address: "ada@example.com".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("email_address", "ada@example.com"))
        .and(header("authorization", "Bearer sk_test_example"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vec![&user]))
        .expect(1)
        .mount(&server)
        .await;
    let client = clerk_backend::Client::builder()
        .secret_key("sk_test_example")
        .base_url(server.uri())
        .build_read_only()
        .unwrap();
    let users = client
        .users()
        .list(&ListParams {
            email_address: Some(vec!["ada@example.com".into()]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].id, "user_123");
    assert_eq!(users[0].email_addresses[0].email_address, "ada@example.com");
    assert!(!format!("{client:?}").contains("sk_test_example"));
}

#[test]
fn webhook_events_of_the_pinned_webhooks_spec_are_merged() {
    use clerk_backend::webhook_events::{Event, Webhook, EVENT_TYPES};
    assert_eq!(EVENT_TYPES.len(), 45);
    // The Backend API's own `webhooks` group (Svix settings) keeps its module.
    let _svix = clerk_backend::webhooks::Webhooks::<clerk_backend::ReadWrite>::create_svix_app;
    let body = br#"{"type":"user.created","object":"event","timestamp":1716883200000,"instance_id":"ins_1","data":{"id":"user_1","object":"user","email_addresses":[{"email_address":"ada@example.com"}]}}"#;
    let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let now = 1_716_883_200;
    let sig = webhook.sign("msg_1", now, body);
    let headers = [
        ("svix-id", "msg_1"),
        ("svix-timestamp", "1716883200"),
        ("svix-signature", sig.as_str()),
    ];
    let Event::UserCreated(event) = webhook.verify_at(&headers, body, now).unwrap() else {
        panic!("user.created")
    };
    // Payload types that collide with Backend API models get a `Webhook` prefix.
    let user: &clerk_backend::models::WebhookUser = &event.data;
    assert_eq!(user.id.as_deref(), Some("user_1"));
    assert!(!format!("{webhook:?}").contains("MfKQ9r8"));
}
