//! One request interpreter: a generated crate's `Client::call` and the MCP server's
//! `HttpBackend` build their requests with the runtime's `build_request`, so the same JSON
//! input must put the same request on the wire. A recording server (wiremock) receives both;
//! method, path, query, headers (but the user agent, which names the caller) and body must be
//! identical, for every kind of parameter and body the fixtures have.

use agentgen_mcp::backend::HttpOptions;
use agentgen_mcp::{Backend, Catalog, HttpBackend, Policy};
use recording::server;
use serde_json::{json, Value};
use std::path::Path;
use wiremock::{MockServer, Request};

mod recording;

const KEY: &str = "sk_test_CallByNameSecret42";

fn backend(fixture: &str, url: &str) -> (Catalog, HttpBackend) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture)
        .join("expected/agent");
    let catalog = Catalog::from_dir(&dir).unwrap();
    let backend = HttpBackend::new(
        &catalog,
        HttpOptions {
            key: Some(KEY.into()),
            base_url: Some(url.into()),
            policy: Policy {
                allow_secrets: true,
                ..Policy::default()
            },
            retry: None,
        },
    )
    .unwrap();
    (catalog, backend)
}

/// What must be equal: method, URL path and query, headers but `user-agent`, body; a
/// multipart boundary (random per request) is replaced by `BOUNDARY`.
fn wire(req: &Request) -> (String, String, Vec<(String, String)>, String) {
    let mut body = String::from_utf8_lossy(&req.body).into_owned();
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(name, _)| name.as_str() != "user-agent")
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").to_string()))
        .collect();
    for (_, value) in headers.iter_mut() {
        if let Some((_, boundary)) = value.split_once("boundary=") {
            let boundary = boundary.to_string();
            body = body.replace(&boundary, "BOUNDARY");
            *value = value.replace(&boundary, "BOUNDARY");
        }
    }
    headers.sort();
    let url = match req.url.query() {
        Some(q) => format!("{}?{q}", req.url.path()),
        None => req.url.path().to_string(),
    };
    (req.method.to_string(), url, headers, body)
}

/// The call went out: the recording server answers `{}` to everything, which the typed
/// decoding of `Client::call` refuses where the model wants a list.
fn sent(
    id: &str,
    result: Result<fixture_accounts::runtime::Response<Value>, fixture_accounts::runtime::Error>,
) {
    use fixture_accounts::runtime::Error;
    assert!(
        matches!(result, Ok(_) | Err(Error::Decode(_))),
        "{id}: {result:?}"
    );
}

fn sent_names(
    id: &str,
    result: Result<fixture_names::runtime::Response<Value>, fixture_names::runtime::Error>,
) {
    use fixture_names::runtime::Error;
    assert!(
        matches!(result, Ok(_) | Err(Error::Decode(_))),
        "{id}: {result:?}"
    );
}

async fn last(server: &MockServer) -> Request {
    let mut seen = server.received_requests().await.unwrap();
    assert!(!seen.is_empty(), "nothing was sent");
    let req = seen.pop().unwrap();
    server.reset().await;
    recording::answer_everything(server).await;
    req
}

#[tokio::test]
async fn dispatch_and_the_mcp_backend_send_the_same_request() {
    let server = server().await;
    let accounts = fixture_accounts::Client::builder()
        .secret_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let (catalog, mcp) = backend("accounts", &server.uri());
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "ListAccounts",
            "accounts_list",
            json!({"email_address": ["a@x.test", "b c@x.test"], "status": ["active", "-locked"], "limit": 20, "offset": 0}),
        ),
        (
            "GetAccount",
            "accounts_get",
            json!({"account_id": "a/b?c#d e"}),
        ),
        (
            "ListAccountSessions",
            "accounts_list_sessions",
            json!({"account_id": "acct_1", "active": true}),
        ),
        (
            "CreateAccount",
            "accounts_create",
            json!({"body": {"email_address": "ada@example.com", "name": "Ada"}}),
        ),
        (
            "UpdateAccount",
            "accounts_update",
            json!({"account_id": "acct_1", "body": {"name": "Grace"}}),
        ),
        (
            "UpdateAccount",
            "accounts_update",
            json!({"account_id": "acct_1"}),
        ),
        (
            "SetAccountAvatar",
            "accounts_set_avatar",
            json!({"account_id": "acct_1", "body": {"file": {"content_base64": "iVBORw0K", "file_name": "a.png", "content_type": "image/png"}, "uploader_id": "u_1"}}),
        ),
        (
            "DeleteAccount",
            "accounts_delete",
            json!({"account_id": "acct_1"}),
        ),
        (
            "ListTokens",
            "tokens_list_tokens",
            json!({"subject": "m 1", "limit": 5}),
        ),
        ("CountAccounts", "accounts_count", json!({})),
    ];
    let mut seen: Vec<String> = Vec::new();
    for (id, tool, input) in cases {
        sent(id, accounts.call(id, input.clone()).await);
        let by_dispatch = wire(&last(&server).await);
        let op = catalog.get(tool).unwrap();
        mcp.call(op, input.clone()).await.unwrap();
        let by_mcp = wire(&last(&server).await);
        assert_eq!(by_dispatch, by_mcp, "{id} with {input}");
        assert!(
            by_dispatch
                .2
                .contains(&("authorization".into(), format!("Bearer {KEY}"))),
            "{id}: {by_dispatch:?}"
        );
        seen.push(by_dispatch.1);
    }
    // What went out is what the spec asks for, not merely the same on both sides.
    assert_eq!(
        seen[..2],
        [
            "/accounts?email_address=a%40x.test&email_address=b%20c%40x.test&status=active%2C-locked&limit=20&offset=0",
            "/accounts/a%2Fb%3Fc%23d%20e",
        ]
    );
}

#[tokio::test]
async fn header_form_and_path_parameters_match_too() {
    let server = server().await;
    let names = fixture_names::Client::builder()
        .secret_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let (catalog, mcp) = backend("names", &server.uri());
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "getThing",
            "things_get_thing",
            json!({"type": "t 1", "use": true, "self": "s", "X-Request-Id": "req-1"}),
        ),
        (
            "listThings",
            "things_list_things",
            json!({"tags": ["a", "b"]}),
        ),
        ("GetTree", "type_api_get_tree", json!({"id": 42})),
        (
            "create_thing",
            "things_create_thing",
            json!({"body": {"name": "n & m", "labels": ["x", "y z"]}}),
        ),
    ];
    for (id, tool, input) in cases {
        sent_names(id, names.call(id, input.clone()).await);
        let by_dispatch = wire(&last(&server).await);
        let op = catalog.get(tool).unwrap();
        mcp.call(op, input.clone()).await.unwrap();
        let by_mcp = wire(&last(&server).await);
        assert_eq!(by_dispatch, by_mcp, "{id} with {input}");
    }
}
