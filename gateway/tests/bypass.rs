//! The bypass corpus: attempts to get a forbidden request past the gateway, sent as raw bytes
//! (no client-side URL normalisation) to a gateway in front of a recording upstream. Each is
//! refused or neutralized, and the upstream's record shows that nothing the connection's
//! ceiling forbids ever reached it, and nothing reached any other host.

mod common;

use common::*;

/// Every request the upstream saw was a read of the accounts fixture (the read-only
/// connection's whole world), sent with the key.
fn only_reads(seen: &[Seen]) {
    for s in seen {
        assert_eq!(s.method, "GET", "{s:?}");
        assert!(
            !s.target.contains("/keys/rotate") && !s.target.starts_with("/v1/tokens?"),
            "{s:?}"
        );
        assert_eq!(s.header("authorization"), Some(&*format!("Bearer {KEY}")));
    }
}

#[tokio::test]
async fn path_tricks_are_refused_before_anything_is_sent() {
    let mut gw = start("bypass-paths").await;
    let cases: &[(&str, u16)] = &[
        // Encoded slashes and dots trying to climb out of a parameter.
        ("/c/ro/accounts/acct_1%2F..%2F..%2Fkeys%2Frotate", 400),
        ("/c/ro/accounts/acct_1%2f..%2fkeys", 400),
        ("/c/ro/accounts/%2e%2e/keys/rotate", 400),
        ("/c/ro/accounts/%2E%2E", 400),
        ("/c/ro/accounts/.%2e", 400),
        ("/c/ro/accounts/%2e", 400),
        // Dot segments, raw.
        ("/c/ro/accounts/../keys/rotate", 400),
        ("/c/ro/./accounts", 400),
        ("/c/ro/accounts/acct_1/..", 400),
        // Double and trailing slashes.
        ("/c/ro//accounts", 400),
        ("/c/ro/accounts/", 400),
        ("/c/ro/accounts//acct_1", 400),
        // Case changes and encoded literals match nothing.
        ("/c/ro/Accounts", 404),
        ("/c/ro/ACCOUNTS/acct_1", 404),
        ("/c/ro/%61ccounts", 404),
        ("/c/ro/accounts%2Facct_1", 404),
        // A parameter holding `?`, `#`, `;`, `\`, NUL, CR/LF, or invalid escapes.
        ("/c/ro/accounts/acct_1%3Fx=1", 400),
        ("/c/ro/accounts/acct_1%23frag", 400),
        ("/c/ro/accounts/acct_1;jsessionid=1", 400),
        ("/c/ro/accounts/acct_1%3Bx", 400),
        ("/c/ro/accounts/acct%5C..%5Ckeys", 400),
        ("/c/ro/accounts/acct%00", 400),
        ("/c/ro/accounts/acct%0D%0AX-Evil:%201", 400),
        ("/c/ro/accounts/acct%zz", 400),
        ("/c/ro/accounts/%C0%AE%C0%AE", 400),
        // Nothing after the connection, and paths the API does not have.
        ("/c/ro", 400),
        ("/c/ro/", 400),
        ("/c/ro/accounts/acct_1/sessions/extra", 404),
        ("/c/ro/admin", 404),
    ];
    for (target, status) in cases {
        let r = req(gw.addr, "GET", target, Some(RO_TOKEN)).await;
        assert_eq!(r.status, *status, "{target}: {}", r.text());
        assert!(r.json()["error"]["message"].is_string(), "{target}");
    }
    // Encoded slashes and dots aimed at a write on the read-write connection: refused too.
    for target in [
        "/c/rw/accounts/acct_1%2F..%2F..%2Fkeys%2Frotate",
        "/c/rw/accounts/..%2Fkeys%2Frotate",
        "/c/rw/accounts/%2e%2e",
    ] {
        let r = req(gw.addr, "DELETE", target, Some(RW_TOKEN)).await;
        assert_eq!(r.status, 400, "{target}: {}", r.text());
    }
    assert!(
        gw.upstream.requests().is_empty(),
        "{:?}",
        gw.upstream.requests()
    );
    // Unreserved characters and escapes of harmless ones pass, decoded once and re-encoded.
    let r = req(
        gw.addr,
        "GET",
        "/c/ro/accounts/acct_A-1.x~y%40z",
        Some(RO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let seen = gw.upstream.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "/v1/accounts/acct_A-1.x~y%40z");
    gw.stop().await;
    only_reads(&gw.upstream.requests());
}

#[tokio::test]
async fn methods_are_matched_exactly_and_never_overridden() {
    let mut gw = start("bypass-methods").await;
    for (method, target) in [
        ("HEAD", "/c/ro/accounts"),
        ("OPTIONS", "/c/ro/accounts"),
        ("TRACE", "/c/ro/accounts"),
        ("PROPFIND", "/c/ro/accounts"),
        ("get", "/c/ro/accounts"),
        ("Get", "/c/ro/accounts/acct_1"),
        // On the read-write connection: a method is never borrowed from another template
        // (`DELETE /accounts/{account_id}` exists, `/accounts/count` has only GET).
        ("DELETE", "/c/rw/accounts/count"),
        ("PUT", "/c/rw/accounts/acct_1"),
        ("HEAD", "/c/rw/accounts/acct_1"),
        ("OPTIONS", "/c/rw/accounts/acct_1"),
    ] {
        let token = if target.starts_with("/c/ro/") {
            RO_TOKEN
        } else {
            RW_TOKEN
        };
        let r = req(gw.addr, method, target, Some(token)).await;
        assert_eq!(r.status, 405, "{method} {target}: {}", r.text());
        if method != "HEAD" {
            assert_eq!(r.code(), "method_not_allowed");
        }
        assert!(r.header("allow").is_some(), "{method} {target}");
    }
    let r = req(gw.addr, "DELETE", "/c/rw/accounts/count", Some(RW_TOKEN)).await;
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
    // Method-override headers, on a read: refused, whatever they ask for.
    for h in [
        "X-HTTP-Method-Override: DELETE",
        "x-http-method-override: GET",
        "X-HTTP-Method: DELETE",
        "X-Method-Override: PATCH",
    ] {
        for (target, token) in [
            ("/c/ro/accounts/acct_1", RO_TOKEN),
            ("/c/rw/accounts/acct_1", RW_TOKEN),
        ] {
            let r = send(gw.addr, "GET", target, Some(token), &[h], None).await;
            assert_eq!(r.status, 400, "{h}: {}", r.text());
            assert_eq!(r.code(), "method_override");
        }
        // POST with an override to a read path: still refused.
        let r = send(
            gw.addr,
            "POST",
            "/c/rw/accounts",
            Some(RW_TOKEN),
            &[h, "Content-Type: application/json"],
            Some(b"{\"email_address\":\"a@b.c\"}"),
        )
        .await;
        assert_eq!(r.status, 400, "{h}: {}", r.text());
    }
    assert!(
        gw.upstream.requests().is_empty(),
        "{:?}",
        gw.upstream.requests()
    );
    // Other rewriting headers are never forwarded: the upstream sees the plain read.
    let r = send(
        gw.addr,
        "GET",
        "/c/ro/accounts/acct_1",
        Some(RO_TOKEN),
        &[
            "X-Original-URL: /v1/keys/rotate",
            "X-Rewrite-URL: /v1/keys/rotate",
            "X-Original-Method: POST",
            "X-Forwarded-Host: evil.example",
            "X-Forwarded-For: 10.0.0.1",
            "Forwarded: host=evil.example",
            "Cookie: session=1",
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let seen = gw.upstream.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.as_str()),
        ("GET", "/v1/accounts/acct_1")
    );
    for (k, _) in &seen[0].headers {
        let k = k.to_ascii_lowercase();
        assert!(
            !k.starts_with("x-") && k != "forwarded" && k != "cookie",
            "forwarded header {k}"
        );
    }
    gw.stop().await;
    only_reads(&gw.upstream.requests());
}

#[tokio::test]
async fn query_smuggling_is_refused_or_neutralized() {
    let mut gw = start("bypass-query").await;
    for q in [
        "limit=1&limit=500",
        "status=active&status=locked",
        "_method=DELETE",
        "method=DELETE",
        "account_id=acct_1",
        "limit=1&LIMIT=2",
        "limit%3D1",
        "limit=%zz",
        "limit=abc",
        "limit=99999",
        "body=%7B%7D",
    ] {
        let r = req(
            gw.addr,
            "GET",
            &format!("/c/ro/accounts?{q}"),
            Some(RO_TOKEN),
        )
        .await;
        assert_eq!(r.status, 400, "{q}: {}", r.text());
    }
    assert!(
        gw.upstream.requests().is_empty(),
        "{:?}",
        gw.upstream.requests()
    );
    // Separators hidden in values stay inside the value: the upstream gets one parameter.
    for (q, expect) in [
        (
            "starting_after=x;limit=500",
            "starting_after=x%3Blimit%3D500",
        ),
        (
            "starting_after=x%26limit%3D500",
            "starting_after=x%26limit%3D500",
        ),
        ("starting_after=a+b", "starting_after=a%20b"),
        ("starting_after=a%2Bb", "starting_after=a%2Bb"),
        (
            "email_address=a%40x.io&email_address=b%40x.io",
            "email_address=a%40x.io&email_address=b%40x.io",
        ),
    ] {
        gw.upstream.clear();
        let r = req(
            gw.addr,
            "GET",
            &format!("/c/ro/accounts?{q}"),
            Some(RO_TOKEN),
        )
        .await;
        assert_eq!(r.status, 200, "{q}: {}", r.text());
        let seen = gw.upstream.requests();
        assert_eq!(seen.len(), 1, "{q}");
        assert_eq!(seen[0].target, format!("/v1/accounts?{expect}"), "{q}");
    }
    // A non-exploded array is one parameter, split on its delimiter and joined again.
    gw.upstream.clear();
    let r = req(
        gw.addr,
        "GET",
        "/c/ro/accounts?status=active,-locked",
        Some(RO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let target = &gw.upstream.requests()[0].target;
    assert!(target.starts_with("/v1/accounts?status=active"), "{target}");
    assert!(!target.contains('&'), "{target}");
    // And a value outside its enum is refused by the schema check.
    let r = req(
        gw.addr,
        "GET",
        "/c/ro/accounts?status=deleted",
        Some(RO_TOKEN),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    gw.stop().await;
    only_reads(&gw.upstream.requests());
}

#[tokio::test]
async fn absolute_form_and_host_tricks_never_leave_the_base_url() {
    let mut gw = start("bypass-host").await;
    let upstream_host = gw
        .upstream
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_string();
    // Absolute-form targets: refused, whatever host they name.
    for target in [
        "http://evil.example/c/ro/accounts".to_string(),
        format!("http://{}/c/ro/accounts", gw.addr),
        format!("http://{upstream_host}/v1/keys/rotate"),
    ] {
        let r = req(gw.addr, "GET", &target, Some(RO_TOKEN)).await;
        assert_eq!(r.status, 400, "{target}: {}", r.text());
    }
    // CONNECT (authority-form) is no operation.
    let r = raw(gw.addr, format!("CONNECT {upstream_host} HTTP/1.1\r\nHost: {upstream_host}\r\nConnection: close\r\n\r\n").as_bytes()).await;
    assert!(r.status >= 400 && r.status < 500, "{}", r.head);
    assert!(gw.upstream.requests().is_empty());
    // The Host header is ignored: the request goes to the configured base URL only.
    for host in [
        "evil.example",
        "127.0.0.1:1",
        &upstream_host,
        "localhost\r\nX-Injected: 1",
    ] {
        let request = format!(
            "GET /c/ro/accounts/acct_1 HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {RO_TOKEN}\r\nConnection: close\r\n\r\n"
        );
        let r = raw(gw.addr, request.as_bytes()).await;
        assert!(r.status == 200 || r.status == 400, "{host}: {}", r.head);
    }
    for s in gw.upstream.requests() {
        assert_eq!(s.header("host"), Some(upstream_host.as_str()), "{s:?}");
        assert_eq!(s.target, "/v1/accounts/acct_1");
        assert!(s.header("x-injected").is_none());
    }
    gw.stop().await;
    only_reads(&gw.upstream.requests());
}

#[tokio::test]
async fn bodies_are_checked_and_writes_cannot_tunnel_through_reads() {
    let mut gw = start("bypass-bodies").await;
    let json_ct = "Content-Type: application/json";
    // A write tunnelled through a read's path: a body on GET is refused.
    for (token, target) in [
        (RO_TOKEN, "/c/ro/accounts"),
        (RW_TOKEN, "/c/rw/accounts/acct_1"),
    ] {
        let r = send(
            gw.addr,
            "GET",
            target,
            Some(token),
            &[json_ct],
            Some(b"{\"_method\":\"DELETE\"}"),
        )
        .await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(r.text().contains("takes no request body"), "{}", r.text());
    }
    // Chunked body on a read: refused as well.
    let chunked = format!(
        "GET /c/ro/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {RO_TOKEN}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    );
    assert_eq!(raw(gw.addr, chunked.as_bytes()).await.status, 400);
    // Wrong or missing content types, malformed and oversized bodies, fields the schema
    // does not have: all refused on the read-write connection.
    let cases: Vec<(Vec<&str>, Vec<u8>, u16)> = vec![
        (
            vec!["Content-Type: text/plain"],
            b"{\"email_address\":\"a@b.c\"}".to_vec(),
            415,
        ),
        (vec![], b"{\"email_address\":\"a@b.c\"}".to_vec(), 415),
        (
            vec!["Content-Type: application/x-www-form-urlencoded"],
            b"email_address=a@b.c".to_vec(),
            415,
        ),
        (
            vec!["Content-Type: application/json; charset=latin1"],
            b"{\"email_address\":\"a@b.c\"}".to_vec(),
            415,
        ),
        (vec![json_ct], b"{\"email_address\":".to_vec(), 400),
        (
            vec![json_ct],
            b"{\"email_address\":\"a@b.c\"} trailing".to_vec(),
            400,
        ),
        (vec![json_ct], b"\xff\xfe".to_vec(), 400),
        (
            vec![json_ct],
            b"{\"email_address\":\"a@b.c\",\"_method\":\"DELETE\"}".to_vec(),
            400,
        ),
        (vec![json_ct], b"{\"display_name\":\"x\"}".to_vec(), 400),
        (vec![json_ct], b"[]".to_vec(), 400),
        (vec![json_ct], Vec::new(), 400),
        (
            vec![json_ct],
            [
                b"{\"email_address\":\"".as_slice(),
                &vec![b'a'; 5000],
                b"\"}",
            ]
            .concat(),
            413,
        ),
        (
            vec![json_ct],
            format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes(),
            400,
        ),
    ];
    for (headers, body, status) in &cases {
        let r = send(
            gw.addr,
            "POST",
            "/c/rw/accounts",
            Some(RW_TOKEN),
            headers,
            Some(body),
        )
        .await;
        assert_eq!(
            r.status,
            *status,
            "{headers:?} {:?}: {}",
            String::from_utf8_lossy(&body[..body.len().min(40)]),
            r.text()
        );
    }
    // Oversized without a Content-Length (chunked): 413 too.
    let big = "a".repeat(6000);
    let chunked = format!(
        "POST /c/rw/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {RW_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
        big.len()
    );
    assert_eq!(raw(gw.addr, chunked.as_bytes()).await.status, 413);
    // Multipart is not taken over REST.
    let r = send(
        gw.addr,
        "POST",
        "/c/rw/accounts/acct_1/avatar",
        Some(RW_TOKEN),
        &["Content-Type: multipart/form-data; boundary=x"],
        Some(b"--x--\r\n"),
    )
    .await;
    assert_eq!(r.status, 415, "{}", r.text());
    assert!(
        gw.upstream.requests().is_empty(),
        "{:?}",
        gw.upstream.requests()
    );
    // The same write, well-formed, is forwarded once, re-serialized from the checked input.
    let r = send(
        gw.addr,
        "POST",
        "/c/rw/accounts",
        Some(RW_TOKEN),
        &[json_ct],
        Some(b"{ \"email_address\" : \"a@b.c\" }"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let seen = gw.upstream.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].body, b"{\"email_address\":\"a@b.c\"}");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    gw.stop().await;
}

#[tokio::test]
async fn ceilings_and_credentials_decide_before_anything_is_sent() {
    let mut gw = start("bypass-policy").await;
    let json_ct = "Content-Type: application/json";
    let body: &[u8] = b"{\"email_address\":\"a@b.c\"}";
    // Read-only: every write and destructive operation, and the credential read, is 403.
    for (method, target, b) in [
        ("POST", "/c/ro/accounts", Some(body)),
        ("PATCH", "/c/ro/accounts/acct_1", Some(&b"{}"[..])),
        ("DELETE", "/c/ro/accounts/acct_1", None),
        ("POST", "/c/ro/keys/rotate", None),
        ("GET", "/c/ro/tokens?subject=m_1", None),
    ] {
        let r = send(gw.addr, method, target, Some(RO_TOKEN), &[json_ct], b).await;
        assert_eq!(r.status, 403, "{method} {target}: {}", r.text());
        assert_eq!(r.code(), "refused");
        assert!(r.text().contains("nothing was sent"), "{}", r.text());
    }
    // max_class write: writes pass, deletes do not; credentials stay withheld.
    let r = send(
        gw.addr,
        "DELETE",
        "/c/writer/accounts/acct_1",
        Some(WRITER_TOKEN),
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("max_class: write"), "{}", r.text());
    let r = req(
        gw.addr,
        "GET",
        "/c/writer/tokens?subject=m_1",
        Some(WRITER_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("credential"), "{}", r.text());
    let r = req(gw.addr, "GET", "/c/rw/tokens?subject=m_1", Some(RW_TOKEN)).await;
    assert_eq!(
        r.status, 403,
        "credentials are withheld on read-write connections too"
    );
    assert!(
        gw.upstream.requests().is_empty(),
        "{:?}",
        gw.upstream.requests()
    );

    let r = send(
        gw.addr,
        "POST",
        "/c/writer/accounts",
        Some(WRITER_TOKEN),
        &[json_ct],
        Some(body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = req(gw.addr, "POST", "/c/writer/keys/rotate", Some(WRITER_TOKEN)).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.body.is_empty());
    // allow_secrets on a read-only connection: the credential read passes, writes do not.
    let r = req(
        gw.addr,
        "GET",
        "/c/secrets/tokens?subject=m_1",
        Some(SECRETS_TOKEN),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = req(
        gw.addr,
        "POST",
        "/c/secrets/keys/rotate",
        Some(SECRETS_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let seen: Vec<(String, String)> = gw
        .upstream
        .requests()
        .iter()
        .map(|s| (s.method.clone(), s.target.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST".to_string(), "/v1/accounts".to_string()),
            ("POST".to_string(), "/v1/keys/rotate".to_string()),
            ("GET".to_string(), "/v1/tokens?subject=m_1".to_string()),
        ]
    );
    gw.stop().await;
}

#[tokio::test]
async fn access_tokens_are_required_and_reveal_no_connection() {
    let mut gw = start("bypass-tokens").await;
    let mut bodies = Vec::new();
    for (target, auth) in [
        ("/c/ro/accounts", None),
        ("/c/ro/accounts", Some("Bearer wrong-token")),
        ("/c/ro/accounts", Some(&*format!("Bearer {RW_TOKEN}"))),
        ("/c/ro/accounts", Some(&*format!("Basic {RO_TOKEN}"))),
        ("/c/ro/accounts", Some(&*format!("Bearer{RO_TOKEN}"))),
        ("/c/ro/accounts", Some(&*format!("Bearer {RO_TOKEN}x"))),
        ("/c/nope/accounts", Some(&*format!("Bearer {RO_TOKEN}"))),
        ("/c/RO/accounts", Some(&*format!("Bearer {RO_TOKEN}"))),
        ("/c/ro%2F/accounts", Some(&*format!("Bearer {RO_TOKEN}"))),
        (&*format!("/c/ro/accounts?access_token={RO_TOKEN}"), None),
        ("/mcp/nope", Some(&*format!("Bearer {RO_TOKEN}"))),
        ("/mcp/rw", Some(&*format!("Bearer {RO_TOKEN}"))),
        ("/prompt/rw", None),
    ] {
        let headers: Vec<String> = auth
            .map(|a| format!("Authorization: {a}"))
            .into_iter()
            .collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let r = send(gw.addr, "GET", target, None, &headers, None).await;
        assert_eq!(r.status, 401, "{target} {auth:?}: {}", r.text());
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Bearer realm=\"agentgen\", error=\"invalid_token\"")
        );
        bodies.push(r.text());
    }
    // One answer for all: it does not say whether the connection exists.
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:#?}");
    assert!(gw.upstream.requests().is_empty());
    // The prompt is served to its own agents.
    let r = req(gw.addr, "GET", "/prompt/ro", Some(RO_TOKEN)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "You use connection ro.");
    gw.stop().await;
    // The audit lines of the refusals name no connection (and hold no token: see `raw`).
    let lines = gw.audit_lines();
    let unauthorized: Vec<_> = lines
        .iter()
        .filter(|l| l["decision"] == "unauthorized")
        .collect();
    assert_eq!(unauthorized.len(), bodies.len());
    assert!(unauthorized.iter().all(|l| l["connection"].is_null()));
}

#[tokio::test]
async fn keys_and_tokens_appear_in_no_output() {
    let mut gw = start("bypass-secrets").await;
    // The upstream echoes the key in a success and in an error: the gateway scrubs both.
    let r = req(gw.addr, "GET", "/c/rw/accounts/echo-key", Some(RW_TOKEN)).await;
    assert_eq!(r.status, 200);
    assert!(
        r.json()["seen"].as_str().unwrap().contains("Bearer"),
        "{}",
        r.text()
    );
    let r = req(
        gw.addr,
        "GET",
        "/c/rw/accounts/echo-key-error",
        Some(RW_TOKEN),
    )
    .await;
    assert_eq!(r.status, 401);
    // Upstream saw the key; the agent never does (checked by `raw` on every response).
    assert!(gw
        .upstream
        .requests()
        .iter()
        .all(|s| s.header("authorization") == Some(&*format!("Bearer {KEY}"))));
    // Tokens in odd places: the path (as a connection name), a query value, a header.
    for target in [
        format!("/c/{RO_TOKEN}/accounts"),
        format!("/c/ro/accounts?starting_after={RO_TOKEN}"),
        format!("/c/ro/{RO_TOKEN}"),
    ] {
        let r = raw(gw.addr, format!("GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {RO_TOKEN}\r\nConnection: close\r\n\r\n").as_bytes()).await;
        // `raw` checks the response; the log is checked below.
        let _ = r;
    }
    gw.stop().await;
    let log = std::fs::read_to_string(&gw.audit).unwrap();
    assert!(!log.is_empty());
    for s in NEVER {
        assert!(!log.contains(s), "{s} in the audit log:\n{log}");
    }
    assert!(
        !log.contains("starting_after"),
        "the audit log has no queries:\n{log}"
    );
    assert!(!log.contains("/c/"), "the audit log has no paths:\n{log}");
}

#[tokio::test]
async fn smuggled_requests_and_connection_climbing_reach_nothing() {
    let mut gw = start("bypass-smuggling").await;
    let auth = format!("Authorization: Bearer {RO_TOKEN}");
    // A delete hidden in the chunked body of a read that also claims a Content-Length
    // (CL.TE), in a body with two Content-Lengths, and a body on a read sent as the next
    // request would be read by a lenient parser.
    let hidden = "DELETE /c/ro/accounts/acct_1 HTTP/1.1\r\nHost: x\r\n\r\n";
    let requests = [
        format!(
            "GET /c/ro/accounts HTTP/1.1\r\nHost: x\r\n{auth}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{hidden}\r\n0\r\n\r\n",
            hidden.len()
        ),
        format!(
            "GET /c/ro/accounts HTTP/1.1\r\nHost: x\r\n{auth}\r\nContent-Length: 0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{hidden}",
            hidden.len()
        ),
        format!(
            "GET /c/ro/accounts HTTP/1.1\r\nHost: x\r\n{auth}\r\nTransfer-Encoding: identity, chunked\r\nConnection: close\r\n\r\n{:x}\r\n{hidden}\r\n0\r\n\r\n",
            hidden.len()
        ),
        format!(
            "GET /c/ro/accounts HTTP/1.1\r\nHost: x\r\n{auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{hidden}",
            hidden.len()
        ),
    ];
    for request in &requests {
        let r = raw(gw.addr, request.as_bytes()).await;
        assert!(
            r.status == 400 || r.status == 411,
            "{request:?}: {}\n{}",
            r.head,
            r.text()
        );
        assert!(
            !r.text().contains("HTTP/1.1 200"),
            "a second answer: {}",
            r.text()
        );
    }
    // Pipelined on one connection: a read, then a delete with the same read-only token.
    // Each is decided on its own: the read passes, the delete is refused.
    let pipelined = format!(
        "GET /c/ro/accounts/acct_1 HTTP/1.1\r\nHost: x\r\n{auth}\r\n\r\nDELETE /c/ro/accounts/acct_1 HTTP/1.1\r\nHost: x\r\n{auth}\r\nConnection: close\r\n\r\n"
    );
    let r = raw(gw.addr, pipelined.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.head);
    assert!(r.text().contains("HTTP/1.1 403"), "{}", r.text());
    // Climbing from one connection's path to another's: refused before the token is
    // matched against the other connection, and the token decides the connection.
    for target in [
        "/c/ro/../rw/accounts/acct_1",
        "/c/ro/%2e%2e/rw/accounts/acct_1",
        "/c/ro/..%2Frw/accounts/acct_1",
        "/c/ro%2F..%2Frw/accounts/acct_1",
        "/c/./rw/accounts/acct_1",
        "/c//rw/accounts/acct_1",
    ] {
        let r = req(gw.addr, "DELETE", target, Some(RO_TOKEN)).await;
        assert!(
            r.status == 400 || r.status == 401 || r.status == 404,
            "{target}: {}",
            r.text()
        );
    }
    let seen: Vec<(String, String)> = gw
        .upstream
        .requests()
        .iter()
        .map(|s| (s.method.clone(), s.target.clone()))
        .collect();
    assert_eq!(
        seen,
        [("GET".to_string(), "/v1/accounts/acct_1".to_string())],
        "only the pipelined read was sent"
    );
    gw.stop().await;
    only_reads(&gw.upstream.requests());
}
