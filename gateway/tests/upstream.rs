//! The REST gateway sends over a connection pool of its own (`upstream.rs`), not through the
//! runtime's reqwest client: what reaches the API must be what the runtime would send, and
//! failures must be retried as the runtime's policy says.

mod common;

use agentgen_mcp::backend::HttpOptions;
use agentgen_mcp::{HttpBackend, Policy};
use common::*;
use serde_json::json;

/// A request as compared: method, target, body, and the headers (sorted, by lowercase name).
fn shape(s: &Seen) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let mut headers: Vec<(String, String)> = s
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    headers.sort();
    (s.method.clone(), s.target.clone(), headers, s.body.clone())
}

#[tokio::test]
async fn the_gateway_sends_what_the_runtime_sends() {
    let mut gw = start("upstream-same").await;
    let catalog = catalog();
    // The runtime's own client, set up as the gateway's `rw` connection.
    let backend = HttpBackend::new(
        &catalog,
        HttpOptions {
            key: Some(KEY.to_string()),
            base_url: Some(gw.upstream.url.clone()),
            policy: Policy::default(),
            retry: Some(common::fast_retry()),
        },
    )
    .unwrap();
    let op = |name: &str| {
        catalog
            .operations
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("no operation {name}"))
    };
    // (REST request through the gateway, the same call through the runtime)
    let cases: Vec<(&str, &str, Option<&str>, &str, serde_json::Value)> = vec![
        (
            "GET",
            "/c/rw/accounts?limit=2&status=active,-locked&email_address=a%40b.test&email_address=c%2Bd%40e.test&starting_after=x%20y",
            None,
            "accounts_list",
            json!({"limit": 2, "status": ["active", "-locked"], "email_address": ["a@b.test", "c+d@e.test"], "starting_after": "x y"}),
        ),
        ("GET", "/c/rw/accounts/acct_1", None, "accounts_get", json!({"account_id": "acct_1"})),
        // A path parameter with characters that are percent-encoded.
        (
            "GET",
            "/c/rw/accounts/a%20b%C3%A9%27",
            None,
            "accounts_get",
            json!({"account_id": "a bé'"}),
        ),
        (
            "POST",
            "/c/rw/accounts",
            Some(r#"{"email_address": "new@example.test", "display_name": "Née"}"#),
            "accounts_create",
            json!({"body": {"email_address": "new@example.test", "display_name": "Née"}}),
        ),
    ];
    for (method, target, body, name, input) in cases {
        gw.upstream.clear();
        let r = send(
            gw.addr,
            method,
            target,
            Some(RW_TOKEN),
            &["Content-Type: application/json"],
            body.map(str::as_bytes),
        )
        .await;
        assert!(r.status < 300, "{target}: {} {}", r.status, r.text());
        let via_gateway = gw.upstream.requests();
        gw.upstream.clear();
        let f = backend.forward(op(name), input).await.unwrap();
        assert!(f.status < 300, "{name}: {}", f.status);
        let via_runtime = gw.upstream.requests();
        assert_eq!(via_gateway.len(), 1, "{target}");
        assert_eq!(via_runtime.len(), 1, "{name}");
        // The body as the gateway's input conversion re-encodes it (key order kept).
        assert_eq!(
            shape(&via_gateway[0]),
            shape(&via_runtime[0]),
            "{target} vs the runtime's {name}"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn failures_are_retried_as_the_runtime_policy_says() {
    // The test policy: 2 attempts, 1 ms apart, 5xx and connection errors retried.
    let mut gw = start("upstream-retry").await;
    // A 503 then a 200: retried, the agent sees the 200.
    let r = req(gw.addr, "GET", "/c/ro/accounts/flaky", Some(RO_TOKEN)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], "flaky");
    assert_eq!(gw.upstream.requests().len(), 2);
    // Always 503 (`Retry-After: 0`): both attempts, then the API's answer as it came.
    gw.upstream.clear();
    let r = req(gw.addr, "GET", "/c/ro/accounts/down", Some(RO_TOKEN)).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["message"], "down");
    assert_eq!(r.header("retry-after").as_deref(), Some("0"));
    assert_eq!(gw.upstream.requests().len(), 2);
    // Not idempotent (POST): never retried.
    gw.upstream.clear();
    let r = send(
        gw.addr,
        "POST",
        "/c/rw/accounts",
        Some(RW_TOKEN),
        &["Content-Type: application/json"],
        Some(br#"{"email_address": "down@example.test"}"#),
    )
    .await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(gw.upstream.requests().len(), 1);
    r.assert_clean();
    gw.stop().await;
}
