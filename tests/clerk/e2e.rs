//! Copied into the crate generated from Clerk's bapi 2026-05-12 by `tests/tests/e2e_prism.rs`
//! and run there against two Stoplight Prism servers (static examples, and dynamic
//! `-d --seed 1`) serving the same spec. Every operation is called by name with the input
//! `agentgen::example` synthesized; each call must get a declared 2xx status, carry no
//! request-side `sl-violations`, and decode into the generated types. Invalid calls must
//! come back as typed errors.
//!
//! Environment (set by the outer test): `AGENTGEN_E2E_STATIC_URL`,
//! `AGENTGEN_E2E_DYNAMIC_URL`, `AGENTGEN_E2E_INPUTS` (JSON: operation id ->
//! `{"input": ..., "status": declared success status}`).

use clerk_backend_api::operations::OPERATIONS;
use clerk_backend_api::runtime::{ApiError, ApiErrorKind, Body, Error, Request, Response};
use clerk_backend_api::Client;
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};

/// Upper bound of any single call (Prism answers in milliseconds; dynamic mode in tens).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Static,
    Dynamic,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Server::Static => "static",
            Server::Dynamic => "dynamic",
        }
    }

    fn url(self) -> String {
        let var = match self {
            Server::Static => "AGENTGEN_E2E_STATIC_URL",
            Server::Dynamic => "AGENTGEN_E2E_DYNAMIC_URL",
        };
        std::env::var(var).unwrap_or_else(|_| {
            panic!("{var} is not set: run this through tests/tests/e2e_prism.rs")
        })
    }
}

/// Operations allowed to fail against one server, grouped by reason. An entry that stops
/// failing is reported too, so the list stays exact. Static-mode entries must pass in
/// dynamic mode.
const EXCEPTIONS: &[(&[&str], Server, &str)] = &[(
    &[
        // Return a User, whose `saml_accounts[].saml_connection` is a SAMLAccountConnection.
        "GetUserList",
        "CreateUser",
        "GetUser",
        "UpdateUser",
        "BanUser",
        "UnbanUser",
        "UsersBan",
        "UsersUnban",
        "LockUser",
        "UnlockUser",
        "SetUserProfileImage",
        "DeleteUserProfileImage",
        "ReplaceUserMetadata",
        "UpdateUserMetadata",
        "RemoveUserPassword",
        "SetUserPasswordCompromised",
        "UnsetUserPasswordCompromised",
        // Return a SAMLConnection.
        "ListSAMLConnections",
        "CreateSAMLConnection",
        "GetSAMLConnection",
        "UpdateSAMLConnection",
    ],
    Server::Static,
    "Prism's static example of a schema with a validation-only \
     `anyOf: [{required: [domain]}, {required: [domains]}]` (SAMLConnection, \
     SAMLAccountConnection) is `{}`, which lacks the schema's required `id`/`object`: the \
     mock's response violates the spec, and decoding rightly fails",
)];

fn exception(id: &str, server: Server) -> Option<&'static str> {
    EXCEPTIONS
        .iter()
        .find(|(ops, s, _)| ops.contains(&id) && *s == server)
        .map(|(_, _, reason)| *reason)
}

fn cases() -> serde_json::Map<String, Value> {
    let path = std::env::var("AGENTGEN_E2E_INPUTS")
        .expect("AGENTGEN_E2E_INPUTS is not set: run this through tests/tests/e2e_prism.rs");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    match serde_json::from_str(&text).unwrap() {
        Value::Object(map) => map,
        other => panic!("{path} is not an object: {other}"),
    }
}

fn client(url: &str) -> Client {
    Client::builder()
        .secret_key("sk_test_e2e")
        .base_url(url)
        .build()
        .expect("client")
}

async fn bounded<T>(call: impl Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(CALL_TIMEOUT, call)
        .await
        .map_err(|_| format!("no answer within {CALL_TIMEOUT:?}"))
}

/// Prism's request-side violations (`location[0] == "request"`) from `sl-violations`.
fn request_violations(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    let Some(raw) = headers.get("sl-violations") else {
        return Vec::new();
    };
    let parsed: Value = serde_json::from_slice(raw.as_bytes())
        .unwrap_or_else(|e| panic!("sl-violations is not JSON ({e}): {:?}", raw));
    parsed
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["location"][0] == "request")
        .map(|v| {
            format!(
                "{} {}: {}",
                v["location"],
                v["code"].as_str().unwrap_or("?"),
                v["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn clip(text: &str) -> String {
    let mut s: String = text.chars().take(400).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// One operation against one server: `Err` explains what went wrong.
async fn check_operation(client: &Client, id: &str, case: &Value) -> Result<(), String> {
    let declared = case["status"].as_u64().unwrap_or(0) as u16;
    let input = case["input"].clone();
    match bounded(client.call(id, input)).await? {
        Ok(response) => {
            let status = response.status().as_u16();
            let violations = request_violations(response.headers());
            if !(200..300).contains(&status) {
                return Err(format!("status {status}"));
            }
            if declared != 0 && status != declared {
                return Err(format!("status {status}, the spec declares {declared}"));
            }
            if !violations.is_empty() {
                return Err(format!("request violations: {violations:?}"));
            }
            Ok(())
        }
        Err(Error::Api(e)) => Err(format!(
            "HTTP {} ({:?}); request violations {:?}; body {}",
            e.status().as_u16(),
            e.kind(),
            request_violations(e.headers()),
            clip(&e.body_text())
        )),
        Err(other) => Err(clip(&other.to_string())),
    }
}

struct Sweep {
    server: Server,
    accepted: usize,
    /// (reason, operation) of each failure the allow-list excuses.
    excused: Vec<(&'static str, String)>,
    failures: Vec<String>,
    elapsed: Duration,
}

async fn sweep(server: Server, cases: &serde_json::Map<String, Value>) -> Sweep {
    let started = Instant::now();
    let client = client(&server.url());
    let mut out = Sweep {
        server,
        accepted: 0,
        excused: Vec::new(),
        failures: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for op in OPERATIONS {
        let Some(case) = cases.get(op.id) else {
            out.failures
                .push(format!("{}: no synthesized input", op.id));
            continue;
        };
        let result = check_operation(&client, op.id, case).await;
        let label = format!("{} ({} {})", op.id, op.http_method, op.path);
        match (result, exception(op.id, server)) {
            (Ok(()), None) => out.accepted += 1,
            (Ok(()), Some(reason)) => out.failures.push(format!(
                "{label}: passes, but is listed as an exception ({reason}); remove the entry"
            )),
            // Every exception is about the mock's response: the request must still be
            // accepted, and only the decoding may fail.
            (Err(why), Some(reason)) if why.contains("could not decode") => {
                out.excused.push((reason, op.id.to_string()))
            }
            (Err(why), _) => out.failures.push(format!("{label}: {why}")),
        }
    }
    out.elapsed = started.elapsed();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_accepted_and_decoded() {
    let cases = cases();
    assert_eq!(OPERATIONS.len(), 249, "bapi 2026-05-12 has 249 operations");
    assert_eq!(
        cases.len(),
        OPERATIONS.len(),
        "one synthesized input per operation"
    );
    for (ops, server, reason) in EXCEPTIONS {
        for op in *ops {
            assert!(
                OPERATIONS.iter().any(|o| o.id == *op),
                "exception names unknown operation {op}"
            );
            assert!(
                *server != Server::Static || exception(op, Server::Dynamic).is_none(),
                "{op} is excused in both modes; static-only exceptions must pass dynamically ({reason})"
            );
        }
    }
    let (fixed, dynamic) = tokio::join!(
        sweep(Server::Static, &cases),
        sweep(Server::Dynamic, &cases)
    );
    let total = OPERATIONS.len();
    let mut report = String::new();
    for s in [&fixed, &dynamic] {
        eprintln!(
            "e2e {}: {}/{total} accepted, {} allowed exceptions, {} failures, {:.1?}",
            s.server.name(),
            s.accepted,
            s.excused.len(),
            s.failures.len(),
            s.elapsed
        );
        for (ops, server, reason) in EXCEPTIONS {
            let hit: Vec<&str> = s
                .excused
                .iter()
                .filter(|(r, op)| r == reason && ops.contains(&op.as_str()))
                .map(|(_, op)| op.as_str())
                .collect();
            if *server == s.server && !hit.is_empty() {
                eprintln!(
                    "e2e {} exceptions ({}): {}; reason: {reason}",
                    s.server.name(),
                    hit.len(),
                    hit.join(", ")
                );
            }
        }
        for f in &s.failures {
            report.push_str(&format!("\n[{}] {f}", s.server.name()));
        }
    }
    let allowed = |s: &Sweep| match s.excused.len() {
        0 => String::new(),
        n => format!(", {n} allowed exceptions"),
    };
    eprintln!(
        "e2e: {}/{total} operations accepted (static{}), {}/{total} (dynamic{})",
        fixed.accepted,
        allowed(&fixed),
        dynamic.accepted,
        allowed(&dynamic)
    );
    assert!(
        fixed.failures.is_empty() && dynamic.failures.is_empty(),
        "{} failures (static {}, dynamic {}):{report}",
        fixed.failures.len() + dynamic.failures.len(),
        fixed.failures.len(),
        dynamic.failures.len()
    );
}

fn api_error(result: Result<Response<Value>, Error>) -> ApiError {
    match result {
        Err(Error::Api(e)) => e,
        Ok(r) => panic!("expected an API error, got {}", r.status()),
        Err(other) => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_calls_come_back_as_typed_errors() {
    let url = Server::Static.url();
    let client = client(&url);

    // A bad enum value in the path: the open enum lets it through, Prism rejects it.
    let e = api_error(
        bounded(client.call("GetTemplateList", json!({"template_type": "bogus"})))
            .await
            .unwrap(),
    );
    assert_eq!(e.kind(), ApiErrorKind::UnprocessableEntity, "{e:?}");
    let v = request_violations(e.headers());
    assert!(v.iter().any(|v| v.contains("enum")), "{v:?}");
    assert!(
        e.clerk_errors().is_some(),
        "Clerk-shaped error body: {}",
        e.body_text()
    );

    // A bad enum value in a JSON body.
    let body = json!({"name": "x", "provider": "saml_bogus", "domain": "example.com"});
    let e = api_error(
        bounded(client.call("CreateSAMLConnection", json!({"body": body})))
            .await
            .unwrap(),
    );
    assert_eq!(e.kind(), ApiErrorKind::UnprocessableEntity, "{e:?}");
    assert!(
        request_violations(e.headers())
            .iter()
            .any(|v| v.contains("provider")),
        "{e:?}"
    );

    // A body missing a required field: the typed input refuses it before sending...
    let err = bounded(client.call("CreateInvitation", json!({"body": {}})))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains("email_address"), "{err}");
    // ...and sent raw through the runtime, Prism answers 422 and the error is typed.
    let mut raw = Request::new("CreateInvitation", reqwest::Method::POST, "/invitations");
    raw.body = Body::json(&json!({"redirect_url": "https://example.com"})).unwrap();
    let e = match bounded(client.send_json::<Value>(raw)).await.unwrap() {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    };
    assert_eq!(e.kind(), ApiErrorKind::UnprocessableEntity, "{e:?}");
    assert_eq!(e.operation_id(), "CreateInvitation");
    let v = request_violations(e.headers());
    assert!(v.iter().any(|v| v.contains("email_address")), "{v:?}");

    // A request without `Authorization`: Prism answers 401.
    let mut raw = Request::new("GetUserList", reqwest::Method::GET, "/users");
    raw.auth = false;
    let e = match bounded(client.send_json::<Value>(raw)).await.unwrap() {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    };
    assert_eq!(e.kind(), ApiErrorKind::Unauthorized, "{e:?}");
    assert!(
        request_violations(e.headers())
            .iter()
            .any(|v| v.to_lowercase().contains("security")),
        "{e:?}"
    );
}

#[tokio::test]
async fn missing_key_and_read_only_are_refused_before_sending() {
    let url = Server::Static.url();
    // No key: an operation with auth is refused by the client itself.
    let keyless = Client::builder()
        .base_url(&url)
        .build()
        .expect("keyless client");
    let err = bounded(keyless.call("GetUserList", json!({})))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("secret key"), "{err}");
    // An operation without auth (`security: []`) works without a key.
    let page = bounded(keyless.call("GetPublicInterstitial", json!({})))
        .await
        .unwrap()
        .expect("a public operation without a key");
    assert_eq!(page.status().as_u16(), 200);

    // A read-only view refuses writes by name, and still reads.
    let read_only = client(&url).read_only_view();
    let err = bounded(read_only.call("DeleteUser", json!({"user_id": "user_x"})))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    // ... and reads that return credentials, before sending anything.
    for (id, input) in [
        ("GetMachineSecretKey", json!({"machine_id": "mch_x"})),
        (
            "GetOAuthAccessToken",
            json!({"user_id": "user_x", "provider": "oauth_google"}),
        ),
        ("getApiKeySecret", json!({"apiKeyID": "ak_x"})),
    ] {
        let err = bounded(read_only.call(id, input))
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(err, Error::ReadOnly { credential: true, .. }),
            "{id}: {err:?}"
        );
    }
    let ok = bounded(read_only.call("GetUsersCount", json!({})))
        .await
        .unwrap()
        .expect("a read on a read-only client");
    assert_eq!(ok.status().as_u16(), 200);
}
