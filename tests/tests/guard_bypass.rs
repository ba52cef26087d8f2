//! Attempts to get around the read-only guarantees of a generated client (fixtures
//! `accounts` and `names`), watched by a mock server that records what reaches the wire:
//! operation names with odd casing, whitespace or the aliases agents see (tool names,
//! `group.method`), method-override fields and headers in the input, header injection, and
//! path parameters that try to leave their segment (`../`, `%2e%2e`, `?`, `#`, `/`, encoded
//! slashes). Nothing may reach a write endpoint, change the HTTP method, or leave the path.

use fixture_accounts::operations::OPERATIONS;
use fixture_accounts::runtime::{Error, SafetyClass};
use recording::server;
use serde_json::json;
use wiremock::MockServer;

mod recording;

const KEY: &str = "sk_test_GuardBypassSecret1";

fn accounts(server: &MockServer) -> fixture_accounts::Client {
    fixture_accounts::Client::builder()
        .secret_key(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .build()
        .unwrap()
}

async fn seen(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn write_operations_cannot_be_reached_by_other_names() {
    let server = server().await;
    let rw = accounts(&server);
    let ro = rw.read_only_view();
    for op in OPERATIONS
        .iter()
        .filter(|o| o.safety != SafetyClass::Read || o.credential)
    {
        let id = op.id;
        // The exact name reaches the guard.
        let err = ro.call(id, json!({})).await.unwrap_err();
        assert!(matches!(err, Error::ReadOnly { .. }), "{id}: {err}");
        // Every other spelling is simply unknown, for both clients.
        let aliases = [
            id.to_lowercase(),
            id.to_uppercase(),
            format!(" {id}"),
            format!("{id} "),
            format!("{id}\n"),
            format!("{id}\0"),
            format!("{}.{}", op.group, op.method),
            format!("{}_{}", op.group, op.method),
            op.method.to_string(),
            format!("{} {}", op.http_method, op.path),
        ];
        for alias in aliases.iter().filter(|a| a.as_str() != id) {
            for err in [
                ro.call(alias, json!({})).await.unwrap_err(),
                rw.call(alias, json!({})).await.unwrap_err(),
            ] {
                assert!(
                    matches!(err, Error::UnknownOperation(_)),
                    "{alias:?}: {err}"
                );
            }
        }
    }
    assert!(seen(&server).await.is_empty(), "a request was sent");
}

#[tokio::test]
async fn method_overrides_in_the_input_are_refused() {
    let server = server().await;
    let ro = accounts(&server).read_only_view();
    for field in [
        "_method",
        "method",
        "http_method",
        "X-HTTP-Method-Override",
        "x-http-method-override",
        "X-HTTP-Method",
        "X-Method-Override",
        "headers",
        "path",
        "url",
        "body",
    ] {
        let input = json!({"account_id": "acct_1", field: "DELETE"});
        let err = ro.call("GetAccount", input).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{field}: {err}");
        assert!(!format!("{err} {err:?}").contains(KEY));
    }
    // A body smuggled into a read that takes none, and override keys inside a write body.
    let err = ro
        .call("ListAccounts", json!({"body": {"_method": "DELETE"}}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(seen(&server).await.is_empty(), "a request was sent");
}

#[tokio::test]
async fn header_parameters_cannot_inject_headers() {
    let server = server().await;
    let client = fixture_names::Client::builder()
        .secret_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap()
        .read_only_view();
    for value in [
        "a\r\nX-HTTP-Method-Override: DELETE",
        "a\nX-HTTP-Method-Override: DELETE",
        "a\rb",
    ] {
        let input = json!({"type": "t", "X-Request-Id": value});
        let err = client.call("getThing", input).await.unwrap_err();
        assert!(
            matches!(err, fixture_names::runtime::Error::Encode(_)),
            "{value:?}: {err}"
        );
    }
    assert!(seen(&server).await.is_empty(), "a request was sent");
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[tokio::test]
async fn path_parameters_stay_in_their_segment() {
    let server = server().await;
    let ro = accounts(&server).read_only_view();
    let values = [
        "../keys/rotate",
        "..%2fkeys%2frotate",
        "%2e%2e",
        "%2E%2E/keys",
        ".%2e",
        "%2e.",
        "a/b",
        "a%2Fb",
        "a%252Fb",
        "a\\..\\b",
        "a?x=1",
        "a#frag",
        "a;b=c",
        "a b",
        "a\r\nb",
        "%00",
        "....//",
        "..;",
        "\u{FF0E}\u{FF0E}",
        "\u{2025}",
        "😀",
        "count",
    ];
    let mut sent = 0;
    for value in values {
        let result = ro.call("GetAccount", json!({"account_id": value})).await;
        if let Err(e) = &result {
            assert!(!format!("{e} {e:?}").contains(KEY), "{e:?}");
        }
        let requests = seen(&server).await;
        if requests.len() == sent {
            // Refused before sending: only acceptable as an encoding error.
            assert!(
                matches!(result, Err(Error::Encode(_))),
                "{value:?}: {result:?}"
            );
            continue;
        }
        sent = requests.len();
        let req = requests.last().unwrap();
        assert_eq!(req.method.as_str(), "GET", "{value:?}");
        assert_eq!(req.url.query(), None, "{value:?}: {}", req.url);
        let path = req.url.path();
        let segment = path
            .strip_prefix("/v1/accounts/")
            .unwrap_or_else(|| panic!("{value:?} left its path: {path}"));
        assert!(
            !segment.contains('/'),
            "{value:?} split the segment: {path}"
        );
        assert_eq!(
            percent_decode(segment),
            value.as_bytes(),
            "{value:?} was not sent verbatim: {path}"
        );
        for name in [
            "x-http-method-override",
            "x-http-method",
            "x-method-override",
        ] {
            assert!(req.headers.get(name).is_none());
        }
    }
    assert!(
        sent >= values.len() - 2,
        "only {sent} of {} sent",
        values.len()
    );
    // Empty, `.` and `..` are refused outright.
    for value in ["", ".", ".."] {
        let err = ro
            .call("GetAccount", json!({"account_id": value}))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Encode(_)), "{value:?}: {err}");
    }
    assert_eq!(seen(&server).await.len(), sent);
}
