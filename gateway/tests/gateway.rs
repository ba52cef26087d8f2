//! The gateway's behaviour beyond refusals: what passes comes back as the API sent it (status,
//! body, content type) without `private_metadata`; rate limits, discovery with ETags, health,
//! the MCP endpoint, audit lines, concurrency and graceful shutdown.

mod common;

use common::*;
use std::time::Duration;

#[tokio::test]
async fn reads_come_back_as_the_api_sent_them_without_private_metadata() {
    let mut gw = start("gateway-reads").await;
    let r = req(gw.addr, "GET", "/c/ro/accounts?limit=2", Some(RO_TOKEN)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let v = r.json();
    assert_eq!(v[0]["id"], "acct_1");
    assert_eq!(v[1]["id"], "acct_2");
    // Removed, including the member spelt with a JSON escape.
    assert!(!r.text().contains("ssn"), "{}", r.text());
    assert!(v[0].get("private_metadata").is_none());
    let seen = gw.upstream.requests();
    assert_eq!(seen[0].target, "/v1/accounts?limit=2");
    assert_eq!(
        seen[0].header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert!(seen[0].header("user-agent").is_some());
    // A connection that allows it keeps it.
    let r = req(
        gw.addr,
        "GET",
        "/c/secrets/accounts/acct_9",
        Some(SECRETS_TOKEN),
    )
    .await;
    assert_eq!(r.json()["private_metadata"]["ssn"], "123-45");
    // API errors keep their status and body.
    let r = req(gw.addr, "GET", "/c/ro/accounts/missing", Some(RO_TOKEN)).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["errors"][0]["code"], "resource_not_found");
    assert_eq!(r.json()["clerk_trace_id"], "t1");
    // Text responses pass as text.
    let r = req(gw.addr, "GET", "/c/ro/status-page", Some(RO_TOKEN)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "<html>ok</html>");
    gw.stop().await;
    // Audit: one line per request with connection, operation, class, decision, status.
    let lines = gw.audit_lines();
    let first = &lines[0];
    assert_eq!(first["via"], "rest");
    assert_eq!(first["connection"], "ro");
    assert_eq!(first["operation"], "accounts_list");
    assert_eq!(first["class"], "read");
    assert_eq!(first["decision"], "forwarded");
    assert_eq!(first["status"], 200);
    assert!(first["latency_ms"].as_f64().unwrap() >= 0.0);
    assert!(first["ts"].as_str().unwrap().ends_with('Z'));
    assert_eq!(lines.len(), 4);
}

#[tokio::test]
async fn an_unreachable_api_is_a_gateway_error() {
    // A connection whose base URL has nothing listening.
    let mut gw = start("gateway-down").await;
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let audit = gw.audit.with_file_name("gateway-down-2.audit.jsonl");
    let text = config_text(&format!("http://127.0.0.1:{port}/v1"), &audit, "");
    let config = agentgen_gateway::config::parse("t.toml", &text, true, &|_| None).unwrap();
    let gateway = agentgen_gateway::Gateway::new(agentgen_gateway::Setup {
        config,
        catalog: catalog(),
        published: Default::default(),
        prompts: Default::default(),
        instructions: Default::default(),
        retry: Some(agentgen_mcp::runtime::RetryConfig {
            initial_interval_ms: 1,
            max_interval_ms: 1,
            exponent: 1.0,
            max_elapsed_ms: 10,
            max_attempts: 1,
            retry_5xx: false,
            retry_connection_errors: false,
        }),
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(gateway.serve(listener, async move {
        let _ = stopped.await;
    }));
    let r = req(addr, "GET", "/c/ro/accounts", Some(RO_TOKEN)).await;
    assert_eq!(r.status, 502, "{}", r.text());
    assert_eq!(r.code(), "upstream_unreachable");
    let _ = stop.send(());
    task.await.unwrap().unwrap();
    gw.stop().await;
}

#[tokio::test]
async fn the_rate_limit_is_per_connection() {
    let mut gw = start("gateway-rate").await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            req(
                gw.addr,
                "GET",
                "/c/limited/accounts/acct_1",
                Some(LIMITED_TOKEN),
            )
            .await,
        );
    }
    let codes: Vec<u16> = statuses.iter().map(|r| r.status).collect();
    // A burst of two at one per second: the third and fourth (sent within milliseconds) wait.
    assert_eq!(&codes[..2], &[200, 200], "{codes:?}");
    assert!(codes[2..].contains(&429), "{codes:?}");
    let limited = statuses.iter().find(|r| r.status == 429).unwrap();
    assert_eq!(limited.code(), "rate_limited");
    assert_eq!(limited.header("retry-after").as_deref(), Some("1"));
    // Other connections are not affected.
    assert_eq!(
        req(gw.addr, "GET", "/c/ro/accounts/acct_1", Some(RO_TOKEN))
            .await
            .status,
        200
    );
    let to_limited = gw.upstream.requests().len();
    assert_eq!(to_limited, codes.iter().filter(|c| **c == 200).count() + 1);
    gw.stop().await;
}

#[tokio::test]
async fn discovery_documents_have_etags_and_health_answers() {
    let mut gw = start("gateway-discovery").await;
    let r = req(gw.addr, "GET", "/llms.txt", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "# Accounts\n");
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let etag = r.header("etag").unwrap();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    let again = send(
        gw.addr,
        "GET",
        "/llms.txt",
        None,
        &[&format!("If-None-Match: {etag}")],
        None,
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = send(
        gw.addr,
        "GET",
        "/llms.txt",
        None,
        &["If-None-Match: \"other\""],
        None,
    )
    .await;
    assert_eq!(other.status, 200);
    let r = req(gw.addr, "GET", "/.well-known/agent-skills/index.json", None).await;
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let head = req(gw.addr, "HEAD", "/llms.txt", None).await;
    assert_eq!(head.status, 200);
    for missing in ["/LLMS.txt", "/llms.txt/", "/%6clms.txt", "/./llms.txt", "/"] {
        assert_eq!(
            req(gw.addr, "GET", missing, None).await.status,
            404,
            "{missing}"
        );
    }
    assert_eq!(req(gw.addr, "POST", "/llms.txt", None).await.status, 404);
    let h = req(gw.addr, "GET", "/healthz", None).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.json(), serde_json::json!({"status": "ok"}));
    assert_eq!(req(gw.addr, "POST", "/healthz", None).await.status, 405);
    assert!(gw.upstream.requests().is_empty());
    gw.stop().await;
}

/// What one request of the concurrency test is, and what its answer must be.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A read on the read-write connection: 200, its own id, `private_metadata` removed.
    Read,
    /// A read on the connection that allows `private_metadata`: 200, its own id, kept.
    ReadPrivate,
    /// A create on the read-write connection: 201, its own email echoed.
    Create,
    /// A delete on the read-only connection: 403, nothing sent.
    RefusedDelete,
    /// A credential read on the `max_class: write` connection: 403, nothing sent.
    RefusedCredential,
    /// A read whose query does not fit the schema: 400, nothing sent.
    Invalid,
}

#[tokio::test]
async fn concurrent_mixed_requests_get_their_own_answers() {
    concurrent_mixed_requests(start("gateway-concurrency").await).await;
}

/// The same on three worker threads, as `agentgen serve` runs (one runtime and one pool of
/// connections to the API per thread).
#[tokio::test]
async fn concurrent_mixed_requests_on_worker_threads_get_their_own_answers() {
    concurrent_mixed_requests(start_on_threads("gateway-threads", 3).await).await;
}

async fn concurrent_mixed_requests(mut gw: Running) {
    let addr = gw.addr;
    const KINDS: [Kind; 6] = [
        Kind::Read,
        Kind::ReadPrivate,
        Kind::Create,
        Kind::RefusedDelete,
        Kind::RefusedCredential,
        Kind::Invalid,
    ];
    // 4 rounds of 64 requests in flight at once, the six kinds interleaved; each request
    // carries its own id (path or body), so a mixed-up answer shows.
    let mut answers = Vec::new();
    for round in 0..4 {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..64 {
            let kind = KINDS[(i + round) % KINDS.len()];
            let id = format!("acct_{round}_{i}");
            set.spawn(async move {
                let json_ct = "Content-Type: application/json";
                let r = match kind {
                    Kind::Read => {
                        req(addr, "GET", &format!("/c/rw/accounts/{id}"), Some(RW_TOKEN)).await
                    }
                    Kind::ReadPrivate => {
                        req(
                            addr,
                            "GET",
                            &format!("/c/secrets/accounts/{id}"),
                            Some(SECRETS_TOKEN),
                        )
                        .await
                    }
                    Kind::Create => {
                        let body = format!("{{\"email_address\":\"{id}@example.com\"}}");
                        send(
                            addr,
                            "POST",
                            "/c/rw/accounts",
                            Some(RW_TOKEN),
                            &[json_ct],
                            Some(body.as_bytes()),
                        )
                        .await
                    }
                    Kind::RefusedDelete => {
                        req(
                            addr,
                            "DELETE",
                            &format!("/c/ro/accounts/{id}"),
                            Some(RO_TOKEN),
                        )
                        .await
                    }
                    Kind::RefusedCredential => {
                        req(
                            addr,
                            "GET",
                            &format!("/c/writer/tokens?subject={id}"),
                            Some(WRITER_TOKEN),
                        )
                        .await
                    }
                    Kind::Invalid => {
                        req(
                            addr,
                            "GET",
                            &format!("/c/ro/accounts/{id}?limit=abc"),
                            Some(RO_TOKEN),
                        )
                        .await
                    }
                };
                (kind, id, r)
            });
        }
        while let Some(done) = set.join_next().await {
            answers.push(done.unwrap());
        }
    }
    assert_eq!(answers.len(), 256, "no request lost");
    let mut expected: Vec<(String, String, String)> = Vec::new();
    for (kind, id, r) in &answers {
        match kind {
            Kind::Read | Kind::ReadPrivate => {
                assert_eq!(r.status, 200, "{kind:?} {id}: {}", r.text());
                assert_eq!(
                    r.json()["id"],
                    id.as_str(),
                    "mixed-up answer to {kind:?} {id}"
                );
                assert_eq!(
                    r.json().get("private_metadata").is_some(),
                    matches!(kind, Kind::ReadPrivate),
                    "{kind:?} {id}: {}",
                    r.text()
                );
                expected.push(("GET".into(), format!("/v1/accounts/{id}"), String::new()));
            }
            Kind::Create => {
                assert_eq!(r.status, 201, "{id}: {}", r.text());
                let email = format!("{id}@example.com");
                assert_eq!(
                    r.json()["echo"]["email_address"],
                    email.as_str(),
                    "mixed-up answer to {id}"
                );
                expected.push((
                    "POST".into(),
                    "/v1/accounts".into(),
                    format!("{{\"email_address\":\"{email}\"}}"),
                ));
            }
            Kind::RefusedDelete => {
                assert_eq!(r.status, 403, "{id}: {}", r.text());
                assert!(r.text().contains("read-only"), "{id}: {}", r.text());
            }
            Kind::RefusedCredential => {
                assert_eq!(r.status, 403, "{id}: {}", r.text());
                assert!(r.text().contains("credential"), "{id}: {}", r.text());
            }
            Kind::Invalid => {
                assert_eq!(r.status, 400, "{id}: {}", r.text());
                assert!(r.text().contains("limit"), "{id}: {}", r.text());
            }
        }
    }
    // The upstream saw each forwarded request exactly once and nothing else.
    let mut seen: Vec<(String, String, String)> = gw
        .upstream
        .requests()
        .into_iter()
        .map(|s| (s.method, s.target, String::from_utf8(s.body).unwrap()))
        .collect();
    seen.sort();
    expected.sort();
    assert_eq!(
        seen, expected,
        "each permitted request reached the API exactly once"
    );
    gw.stop().await;
    let lines = gw.audit_lines();
    assert_eq!(lines.len(), 256, "one audit line per request");
    let refused = lines.iter().filter(|l| l["decision"] == "refused").count();
    let n = |k: fn(&Kind) -> bool| answers.iter().filter(|(kind, _, _)| k(kind)).count();
    assert_eq!(
        refused,
        n(|k| matches!(k, Kind::RefusedDelete | Kind::RefusedCredential))
    );
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let mut gw = start("gateway-shutdown").await;
    let addr = gw.addr;
    let slow =
        tokio::spawn(async move { req(addr, "GET", "/c/ro/accounts/slow", Some(RO_TOKEN)).await });
    // Let the slow request reach the upstream, then ask the gateway to stop.
    for _ in 0..100 {
        if !gw.upstream.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(gw.upstream.requests().len(), 1);
    gw.stop().await;
    let r = slow.await.unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], "slow");
    // It no longer accepts connections, and the audit log holds the finished request.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let lines = gw.audit_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["status"], 200);
}

#[tokio::test]
async fn the_mcp_endpoint_serves_the_connection_behind_its_token() {
    let mut gw = start("gateway-mcp").await;
    let init = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let headers = [
        "Content-Type: application/json",
        "Accept: application/json, text/event-stream",
    ];
    let r = send(gw.addr, "POST", "/mcp/ro", None, &headers, Some(init)).await;
    assert_eq!(r.status, 401);
    let r = send(
        gw.addr,
        "POST",
        "/mcp/ro",
        Some(RO_TOKEN),
        &headers,
        Some(init),
    )
    .await;
    assert_eq!(r.status, 200, "{}\n{}", r.head, r.text());
    assert!(r.text().contains("\"serverInfo\""), "{}", r.text());
    assert!(
        r.text().contains("You use connection ro."),
        "the prompt is the instructions: {}",
        r.text()
    );
    assert!(r.header("mcp-session-id").is_some(), "{}", r.head);
    assert_eq!(
        send(
            gw.addr,
            "PUT",
            "/mcp/ro",
            Some(RO_TOKEN),
            &headers,
            Some(init)
        )
        .await
        .status,
        405
    );
    gw.stop().await;
}
