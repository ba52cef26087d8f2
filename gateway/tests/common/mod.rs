//! A gateway in front of a recording upstream, both on loopback, for the accounts fixture
//! (`tests/fixtures/accounts/expected/agent`), and a raw HTTP/1.1 client that sends bytes as
//! written (no URL normalisation), so that path tricks reach the gateway unchanged.
#![allow(dead_code)]

use agentgen_gateway::{config, Gateway, Setup};
use agentgen_mcp::runtime::RetryConfig;
use agentgen_mcp::Catalog;
use axum::body::Body;
use axum::http::Request;
use axum::response::IntoResponse;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The secret key the gateway holds (upstream sees it; agents never do).
pub const KEY: &str = "sk_test_GatewaySecretKey0042";
/// Access tokens (their hashes are in the configuration).
pub const RO_TOKEN: &str = "agent-token-read-only-7f3a";
pub const RW_TOKEN: &str = "agent-token-read-write-91bc";
pub const WRITER_TOKEN: &str = "agent-token-writer-0d11";
pub const SECRETS_TOKEN: &str = "agent-token-secrets-55e2";
pub const LIMITED_TOKEN: &str = "agent-token-limited-a001";

/// Strings that must never appear in anything the gateway answers or logs.
pub const NEVER: &[&str] = &[
    "GatewaySecretKey0042",
    "agent-token-read-only-7f3a",
    "agent-token-read-write-91bc",
    "agent-token-writer-0d11",
    "agent-token-secrets-55e2",
    "agent-token-limited-a001",
];

/// One request as the upstream received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as received.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The recording upstream.
#[derive(Clone, Default)]
pub struct Upstream {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub url: String,
}

impl Upstream {
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.seen.lock().unwrap().clear();
    }
}

async fn upstream_handler(
    seen: Arc<Mutex<Vec<Seen>>>,
    req: Request<Body>,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default()
        .to_vec();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        target: target.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.clone(),
    });
    let path = parts.uri.path();
    let json = |status: u16, v: serde_json::Value| {
        (
            axum::http::StatusCode::from_u16(status).unwrap(),
            axum::Json(v),
        )
            .into_response()
    };
    match (parts.method.as_str(), path) {
        ("GET", "/v1/accounts/missing") => json(
            404,
            serde_json::json!({"errors": [{"code": "resource_not_found", "message": "not found", "long_message": "No account acct_missing"}], "clerk_trace_id": "t1"}),
        ),
        // An upstream that echoes the key it was sent, in a success and in an error.
        ("GET", "/v1/accounts/echo-key") => {
            json(200, serde_json::json!({"id": "echo", "seen": auth}))
        }
        ("GET", "/v1/accounts/echo-key-error") => json(
            401,
            serde_json::json!({"errors": [{"code": "bad_key", "message": auth}]}),
        ),
        ("GET", "/v1/accounts/slow") => {
            tokio::time::sleep(Duration::from_millis(700)).await;
            json(200, serde_json::json!({"id": "slow"}))
        }
        ("GET", "/v1/status-page") => "<html>ok</html>".into_response(),
        // Fails every other time (first 503, then 200), and always.
        ("GET", "/v1/accounts/flaky") => {
            let tries = seen
                .lock()
                .unwrap()
                .iter()
                .filter(|s| s.target == "/v1/accounts/flaky")
                .count();
            if tries % 2 == 1 {
                json(
                    503,
                    serde_json::json!({"errors": [{"code": "unavailable", "message": "try again"}]}),
                )
            } else {
                json(200, serde_json::json!({"id": "flaky", "object": "account"}))
            }
        }
        ("GET", "/v1/accounts/down") => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", "0")],
            axum::Json(serde_json::json!({"errors": [{"code": "unavailable", "message": "down"}]})),
        )
            .into_response(),
        ("POST", "/v1/accounts") if body.windows(4).any(|w| w == b"down") => json(
            503,
            serde_json::json!({"errors": [{"code": "unavailable", "message": "down"}]}),
        ),
        ("POST", "/v1/keys/rotate") => axum::http::StatusCode::NO_CONTENT.into_response(),
        ("GET", p) if p.starts_with("/v1/accounts/") => {
            let id = &p["/v1/accounts/".len()..];
            json(
                200,
                serde_json::json!({"id": id, "object": "account", "private_metadata": {"ssn": "123-45"}, "public_metadata": {}}),
            )
        }
        ("POST", "/v1/accounts") => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            json(
                201,
                serde_json::json!({"id": "acct_new", "object": "account", "echo": v}),
            )
        }
        // The second item spells the member with a JSON escape.
        _ => (
            [("content-type", "application/json")],
            r#"[{"id": "acct_1", "object": "account", "private_metadata": {"ssn": "1"}},
                {"id": "acct_2", "object": "account", "private\u005fmetadata": {"ssn": "2"}}]"#,
        )
            .into_response(),
    }
}

/// Start the recording upstream on a free loopback port.
pub async fn upstream() -> Upstream {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let s = Arc::clone(&seen);
    let app = axum::Router::new()
        .fallback(move |req: Request<Body>| upstream_handler(Arc::clone(&s), req));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Upstream {
        seen,
        url: format!("http://{addr}/v1"),
    }
}

pub fn catalog() -> Catalog {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/accounts/expected/agent");
    Catalog::from_dir(&dir).unwrap()
}

/// A running gateway.
pub struct Running {
    pub addr: SocketAddr,
    pub upstream: Upstream,
    pub audit: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stop (graceful) and wait until the server has ended.
    pub async fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap().unwrap();
        }
    }

    /// The audit log as JSON lines (after [`Running::stop`], or whatever is flushed).
    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l}: {e}")))
            .collect()
    }
}

fn temp_file(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gateway-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// The configuration used by the tests: five connections on `upstream`.
pub fn config_text(upstream: &str, audit: &Path, extra: &str) -> String {
    let h = agentgen_gateway::hash_token;
    format!(
        r#"listen = "127.0.0.1:0"
max_body_bytes = 4096
audit_log = "{audit}"
shutdown_grace_seconds = 5
{extra}

[[connections]]
name = "ro"
description = "Read-only test connection."
key = "{KEY}"
base_url = "{upstream}"
read_only = true
access_tokens = ["{ro}"]

[[connections]]
name = "rw"
key = "{KEY}"
base_url = "{upstream}"
access_tokens = ["{rw}"]

[[connections]]
name = "writer"
key = "{KEY}"
base_url = "{upstream}"
max_class = "write"
access_tokens = ["{writer}"]

[[connections]]
name = "secrets"
key = "{KEY}"
base_url = "{upstream}"
read_only = true
allow_secrets = true
allow_private_metadata = true
access_tokens = ["{secrets}"]

[[connections]]
name = "limited"
key = "{KEY}"
base_url = "{upstream}"
read_only = true
access_tokens = ["{limited}"]
rate_limit = {{ per_second = 1, burst = 2 }}
"#,
        audit = audit.display(),
        ro = h(RO_TOKEN),
        rw = h(RW_TOKEN),
        writer = h(WRITER_TOKEN),
        secrets = h(SECRETS_TOKEN),
        limited = h(LIMITED_TOKEN),
    )
}

/// Start a gateway (named `name` for its audit file) in front of a new recording upstream.
pub async fn start(name: &str) -> Running {
    start_with(name, None).await
}

/// [`start`], served as `agentgen serve` serves: by `workers` threads with a runtime each,
/// on `SO_REUSEPORT` sockets ([`Gateway::serve_on_threads`]).
pub async fn start_on_threads(name: &str, workers: usize) -> Running {
    start_with(name, Some(workers)).await
}

async fn start_with(name: &str, workers: Option<usize>) -> Running {
    let upstream = upstream().await;
    let audit = temp_file(&format!("{name}.audit.jsonl"));
    let text = config_text(&upstream.url, &audit, "");
    let config = config::parse("test.toml", &text, true, &|_| None).unwrap();
    let mut published = BTreeMap::new();
    published.insert("llms.txt".to_string(), b"# Accounts\n".to_vec());
    published.insert(
        ".well-known/agent-skills/index.json".to_string(),
        b"{\"skills\": []}".to_vec(),
    );
    let prompts = config
        .connections
        .iter()
        .map(|c| (c.name.clone(), format!("You use connection {}.", c.name)))
        .collect();
    let gateway = Gateway::new(Setup {
        config,
        catalog: catalog(),
        published,
        prompts,
        instructions: BTreeMap::new(),
        retry: Some(fast_retry()),
    })
    .await
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped = async move {
        let _ = stopped.await;
    };
    let (addr, task) = match workers {
        None => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            (addr, tokio::spawn(gateway.serve(listener, stopped)))
        }
        Some(n) => {
            let socket =
                agentgen_gateway::app::bind_reuse_port("127.0.0.1:0".parse().unwrap()).unwrap();
            let listener = socket.listen(64).unwrap().into_std().unwrap();
            let addr = listener.local_addr().unwrap();
            (
                addr,
                tokio::spawn(gateway.serve_on_threads(listener, n, stopped)),
            )
        }
    };
    Running {
        addr,
        upstream,
        audit,
        stop: Some(stop),
        task: Some(task),
    }
}

/// A response as read from the wire.
#[derive(Debug, Clone)]
pub struct Raw {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.head, self.text()))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    /// The error code of a gateway refusal.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Panics if a key or token is anywhere in the response.
    pub fn assert_clean(&self) {
        let all = format!("{}\n{}", self.head, self.text());
        for s in NEVER {
            assert!(!all.contains(s), "{s} leaked:\n{all}");
        }
    }
}

/// Send `request` as written (add `Connection: close`), read the whole response.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> Raw {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut buf))
        .await
        .expect("the gateway answers within 20 s")
        .unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {:?}", String::from_utf8_lossy(&buf)));
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut body = buf[split + 4..].to_vec();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line: {head}"));
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    let r = Raw { status, head, body };
    r.assert_clean();
    r
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
    out
}

/// `METHOD target` with a bearer token, no body.
pub async fn req(addr: SocketAddr, method: &str, target: &str, token: Option<&str>) -> Raw {
    send(addr, method, target, token, &[], None).await
}

/// A request with extra header lines and an optional body (with its Content-Length).
pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    token: Option<&str>,
    headers: &[&str],
    body: Option<&[u8]>,
) -> Raw {
    let mut text =
        format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(t) = token {
        text.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for h in headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    let mut bytes = text.into_bytes();
    if let Some(b) = body {
        bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", b.len()).as_bytes());
        bytes.extend_from_slice(b);
    } else {
        bytes.extend_from_slice(b"\r\n");
    }
    raw(addr, &bytes).await
}

/// Two attempts, 1 ms apart: retries the tests can see without waiting.
pub fn fast_retry() -> RetryConfig {
    RetryConfig {
        initial_interval_ms: 1,
        max_interval_ms: 1,
        exponent: 1.0,
        max_elapsed_ms: 50,
        max_attempts: 2,
        retry_5xx: true,
        retry_connection_errors: true,
    }
}
