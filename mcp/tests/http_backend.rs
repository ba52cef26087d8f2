//! `HttpBackend` against a canned local HTTP server: the generated client's runtime sends the
//! bearer key and the API-version header, Clerk-style errors become `CallError::Api` with
//! status, code and message, unreachable servers become transport errors, and the key is in
//! none of them.

use agentgen_mcp::backend::HttpOptions;
use agentgen_mcp::runtime::RetryConfig;
use agentgen_mcp::{Backend, CallError, Catalog, Class, HttpBackend, Policy};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

const KEY: &str = "sk_test_HttpBackendSecret77";

fn catalog() -> Catalog {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/accounts/expected/agent");
    Catalog::from_dir(&dir).unwrap()
}

/// Serves one request with `status` and `body`; returns the base URL and a handle yielding
/// the request head.
fn serve_once(
    status: &'static str,
    body: &'static str,
) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 16384];
        let mut head = String::new();
        while !head.contains("\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            head.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(resp.as_bytes()).unwrap();
        head
    });
    (url, handle)
}

fn backend(url: &str, policy: Policy) -> HttpBackend {
    HttpBackend::new(
        &catalog(),
        HttpOptions {
            key: Some(KEY.into()),
            base_url: Some(url.into()),
            policy,
            retry: Some(RetryConfig {
                initial_interval_ms: 1,
                max_interval_ms: 1,
                exponent: 1.0,
                max_elapsed_ms: 10,
                max_attempts: 1,
                retry_5xx: false,
                retry_connection_errors: false,
            }),
        },
    )
    .unwrap()
}

#[tokio::test]
async fn requests_carry_the_key_and_errors_are_typed() {
    let cat = catalog();
    let (url, head) = serve_once(
        "404 Not Found",
        r#"{"errors":[{"message":"not found","long_message":"No account with that id","code":"resource_not_found","meta":{"param_name":"account_id"}}],"clerk_trace_id":"t-9"}"#,
    );
    let b = backend(&url, Policy::default());
    let op = cat.get("accounts_get").unwrap();
    let err = b
        .call(op, json!({"account_id": "acc 1"}))
        .await
        .unwrap_err();
    let head = head.join().unwrap();
    assert!(head.starts_with("GET /accounts/acc%201 "), "{head}");
    assert!(
        head.to_lowercase()
            .contains(&format!("authorization: bearer {}", KEY.to_lowercase())),
        "{head}"
    );
    match &err {
        CallError::Api {
            status,
            code,
            message,
            errors,
            trace_id,
        } => {
            assert_eq!(*status, 404);
            assert_eq!(code.as_deref(), Some("resource_not_found"));
            assert!(
                message.contains("not found") && message.contains("No account"),
                "{message}"
            );
            assert_eq!(errors[0]["meta"]["param_name"], "account_id");
            assert_eq!(trace_id.as_deref(), Some("t-9"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert!(!format!("{err:?} {}", err.message()).contains("HttpBackendSecret"));
}

#[tokio::test]
async fn lists_send_query_parameters_and_return_json() {
    let cat = catalog();
    let (url, head) = serve_once("200 OK", r#"[{"id":"a"},{"id":"b"}]"#);
    let b = backend(&url, Policy::read_only());
    let op = cat.get("accounts_list").unwrap();
    let out = b.call(op, json!({"limit": 2, "status": ["active", "-locked"], "email_address": ["a@x.test", "b@x.test"]})).await.unwrap();
    assert_eq!(out, json!([{"id": "a"}, {"id": "b"}]));
    let head = head.join().unwrap();
    let line = head.lines().next().unwrap();
    // `email_address` is exploded (one pair per value), `status` is not (joined with `,`).
    assert!(line.contains("limit=2"), "{line}");
    assert!(
        line.contains("email_address=a%40x.test&email_address=b%40x.test"),
        "{line}"
    );
    assert!(line.contains("status=active%2C-locked"), "{line}");
}

#[tokio::test]
async fn the_backend_refuses_what_the_policy_refuses() {
    let cat = catalog();
    // Nothing listens here: a refused call must not even try to connect.
    let b = backend("http://127.0.0.1:9", Policy::read_only());
    let op = cat.get("accounts_delete").unwrap();
    let err = b.call(op, json!({"account_id": "a"})).await.unwrap_err();
    assert!(
        matches!(err, CallError::Refused(ref m) if m.contains("read-only")),
        "{err:?}"
    );
    // A read that returns a credential (the fixture's `tokens_list_tokens`).
    let op = cat.get("tokens_list_tokens").unwrap();
    let err = b.call(op, json!({"subject": "m"})).await.unwrap_err();
    assert!(
        matches!(err, CallError::Refused(ref m) if m.contains("returns a credential")),
        "{err:?}"
    );
    // A write ceiling refuses destructive operations.
    let write = Policy {
        ceiling: Class::Write,
        ..Policy::default()
    };
    let b = backend("http://127.0.0.1:9", write);
    let op = cat.get("accounts_delete").unwrap();
    let err = b.call(op, json!({"account_id": "a"})).await.unwrap_err();
    assert!(
        matches!(err, CallError::Refused(ref m) if m.contains("max_class: write")),
        "{err:?}"
    );
}

#[tokio::test]
async fn unreachable_servers_are_transport_errors_without_the_key() {
    let cat = catalog();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let b = backend(&format!("http://127.0.0.1:{port}"), Policy::default());
    let op = cat.get("accounts_get").unwrap();
    let err = b.call(op, json!({"account_id": "a"})).await.unwrap_err();
    assert!(matches!(err, CallError::Transport(_)), "{err:?}");
    assert!(!format!("{err:?}").contains("HttpBackendSecret"));
}

#[tokio::test]
async fn bodies_that_are_not_json_are_decode_errors() {
    let cat = catalog();
    let (url, head) = serve_once("200 OK", "<html>not json</html>");
    let b = backend(&url, Policy::read_only());
    let op = cat.get("accounts_get").unwrap();
    let err = b.call(op, json!({"account_id": "a"})).await.unwrap_err();
    head.join().unwrap();
    assert!(matches!(err, CallError::Decode(_)), "{err:?}");
    assert_eq!(err.kind(), "decode_error");
}
