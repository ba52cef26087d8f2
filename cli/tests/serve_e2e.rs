//! `agentgen serve` end to end: the binary runs with a configuration file in front of
//! Stoplight Prism (`tools/prism`) serving Clerk's bapi spec, and in front of a recording
//! upstream.
//!
//! * Remote MCP: the pinned MCP Inspector CLI (`tools/inspector`) connects over Streamable
//!   HTTP with an access token: `tools/list --strict`, a user listing with Prism's data, a
//!   refused write and a refused credential read (tool errors; nothing sent, and the
//!   recording upstream behind a second connection saw none of them); without a token it
//!   cannot connect.
//! * REST over raw HTTP: a read passes with Prism's data; a write on the read-only connection
//!   is refused with 403 and the recording upstream saw nothing (it did see the read sent
//!   the same way, so it is listening).
//! * The prompt served at `/prompt/<connection>` points the agent at the gateway.
//! * SIGTERM stops the server cleanly, and no key or access token appears in any output:
//!   Inspector runs, HTTP answers, the server's status line and its audit lines.
#![cfg(feature = "serve")]

#[path = "../../tests/src/mirror.rs"]
mod mirror;
#[path = "../../tests/src/prism.rs"]
mod prism;

use mirror::{mirror, repo_root as root};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "sk_test_ServeE2eSecretKey4242";
const TOKEN: &str = "serve-e2e-access-token-5c1d";
const NEVER: &[&str] = &["ServeE2eSecretKey4242", "serve-e2e-access-token-5c1d"];

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A std-only upstream that records each request line and answers `200 []`.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (Arc::clone(&seen), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_secs(5)))
                            .unwrap();
                        let mut buf = [0u8; 8192];
                        let n = stream.read(&mut buf).unwrap_or(0);
                        let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                        s.lock()
                            .unwrap()
                            .push(head.lines().next().unwrap_or_default().to_string());
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]");
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Recorder {
            url,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The `agentgen serve` child, stopped (SIGTERM, then kill) when dropped.
struct Serve {
    child: Child,
    log: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status and body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

fn http(port: u16, method: &str, target: &str, token: Option<&str>, body: Option<&str>) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    match body {
        Some(b) => req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        )),
        None => req.push_str("\r\n"),
    }
    stream.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    for s in NEVER {
        assert!(!text.contains(s), "{s} leaked:\n{text}");
    }
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// One MCP Inspector CLI run against the gateway's MCP endpoint.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        let v: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "Inspector output is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        });
        v.get("result").cloned().unwrap_or(v)
    }

    fn text(&self) -> String {
        self.json()["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("no text content:\n{}", self.stdout))
            .to_string()
    }
}

fn inspect(url: &str, token: Option<&str>, args: &[&str]) -> Run {
    let bin = root().join("tools/inspector/node_modules/.bin/mcp-inspector");
    assert!(
        bin.exists(),
        "the MCP Inspector is not installed ({} is missing): run `npm ci --prefix tools/inspector --no-fund --no-audit` or scripts/test.sh",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    cmd.env(
        "MCP_CATALOG_PATH",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-e2e-catalog.json"),
    )
    .env("NO_PROXY", "127.0.0.1")
    .env("no_proxy", "127.0.0.1")
    .args([
        "--cli",
        "--format",
        "json",
        "--transport",
        "http",
        "--server-url",
        url,
    ]);
    if let Some(t) = token {
        cmd.arg("--header")
            .arg(format!("Authorization: Bearer {t}"));
    }
    let out = cmd.args(args).output().expect("run the MCP Inspector");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for s in NEVER {
        assert!(
            !run.stdout.contains(s) && !run.stderr.contains(s),
            "{s} leaked:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

fn strings(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn call(name: &str, arguments: &str) -> Vec<String> {
    [
        "--method",
        "tools/call",
        "--tool-name",
        "call_operation",
        "--tool-args-json",
        &format!(r#"{{"name":"{name}","arguments":{arguments}}}"#),
    ]
    .map(str::to_string)
    .to_vec()
}

#[test]
fn serve_enforces_read_only_over_rest_and_remote_mcp_in_front_of_prism() {
    let started = Instant::now();
    let spec = mirror().join("bapi/2026-05-12.yml");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-e2e");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut prism = prism::Prism::spawn(&spec, false, dir.join("prism.log"));
    let recorder = Recorder::start();
    let port = free_port();
    let hash = agentgen_hash(TOKEN);
    let audit = dir.join("audit.jsonl");
    let config = dir.join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:{port}"
audit_log = "{audit}"

[[connections]]
name = "support"
description = "Mock instance for the end-to-end test."
key_env = "SERVE_E2E_KEY"
base_url = "{prism}"
read_only = true
access_tokens = ["{hash}"]

[[connections]]
name = "recorded"
key_env = "SERVE_E2E_KEY"
base_url = "{recorder}"
read_only = true
access_tokens = ["{hash}"]
"#,
            audit = audit.display(),
            prism = prism.url,
            recorder = recorder.url,
        ),
    )
    .unwrap();
    prism.wait_ready(Duration::from_secs(90));
    let log = dir.join("serve.log");
    let child = Command::new(env!("CARGO_BIN_EXE_agentgen"))
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--spec")
        .arg(&spec)
        .env("SERVE_E2E_KEY", KEY)
        .env("NO_PROXY", "127.0.0.1")
        .env("no_proxy", "127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut serve = Serve { child, log };
    // Bounded wait for /healthz (a debug build loads the spec in a few seconds).
    let ready = Instant::now();
    loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            panic!(
                "agentgen serve exited ({status}):\n{}",
                std::fs::read_to_string(&serve.log).unwrap_or_default()
            );
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/healthz", None, None).status == 200
        {
            break;
        }
        assert!(
            ready.elapsed() < Duration::from_secs(120),
            "agentgen serve did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // REST: a read passes with Prism's data.
    let r = http(port, "GET", "/c/support/users?limit=2", Some(TOKEN), None);
    assert_eq!(r.status, 200, "{}\n{}", r.head, r.body);
    let users: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(users[0]["object"], "user", "{users}");
    assert!(!r.body.contains("\"private_metadata\""), "{}", r.body);
    // A write and a credential read on the read-only connection: 403, nothing sent.
    let r = http(
        port,
        "POST",
        "/c/recorded/users",
        Some(TOKEN),
        Some(r#"{"email_address":["a@b.c"]}"#),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body.contains("read-only") && r.body.contains("nothing was sent"),
        "{}",
        r.body
    );
    let r = http(
        port,
        "DELETE",
        "/c/recorded/users/user_1",
        Some(TOKEN),
        None,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = http(
        port,
        "GET",
        "/c/recorded/machines/mch_1/secret_key",
        Some(TOKEN),
        None,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("credential"), "{}", r.body);
    assert!(recorder.seen().is_empty(), "{:?}", recorder.seen());
    // The recorder does see what the connection may send.
    let r = http(port, "GET", "/c/recorded/users", Some(TOKEN), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(recorder.seen(), ["GET /v1/users HTTP/1.1"]);
    // Without the token: 401.
    assert_eq!(
        http(port, "GET", "/c/support/users", None, None).status,
        401
    );

    // The prompt points the agent at the gateway, with a token, not a key.
    let r = http(port, "GET", "/prompt/support", Some(TOKEN), None);
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains(&format!("http://127.0.0.1:{port}/c/support")),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("http://127.0.0.1:{port}/mcp/support")),
        "{}",
        r.body
    );
    assert!(r.body.contains("access token"), "{}", r.body);
    // Discovery.
    let r = http(
        port,
        "GET",
        "/.well-known/agent-skills/index.json",
        None,
        None,
    );
    assert_eq!(r.status, 200);
    assert!(r.head.to_ascii_lowercase().contains("etag:"), "{}", r.head);

    // Remote MCP through the Inspector.
    let url = format!("http://127.0.0.1:{port}/mcp/support");
    let list = inspect(&url, Some(TOKEN), &["--method", "tools/list", "--strict"]);
    assert_eq!(list.code, 0, "{}\n{}", list.stdout, list.stderr);
    let tools = list.json()["tools"].clone();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["search_operations", "describe_operation", "call_operation"]
    );
    let args = call("users_list", r#"{"limit":2}"#);
    let r = inspect(&url, Some(TOKEN), &strings(&args));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let data: Value = serde_json::from_str(&r.text()).unwrap();
    assert_eq!(data["items"][0]["object"], "user", "{data}");
    let args = call("users_create", r#"{"body":{}}"#);
    let r = inspect(&url, Some(TOKEN), &strings(&args));
    assert_eq!(r.json()["isError"], true, "{}", r.stdout);
    assert!(
        r.text().contains("read-only") && r.text().contains("nothing was sent"),
        "{}",
        r.text()
    );
    let args = call("machines_get_secret_key", r#"{"machine_id":"mch_123"}"#);
    let r = inspect(&url, Some(TOKEN), &strings(&args));
    assert_eq!(r.json()["isError"], true, "{}", r.stdout);
    assert!(r.text().contains("returns a credential"), "{}", r.text());
    // The same refusals on the recorded connection's MCP endpoint: nothing reaches it.
    let recorded = format!("http://127.0.0.1:{port}/mcp/recorded");
    for (name, arguments) in [
        ("users_create", r#"{"body":{"email_address":["a@b.c"]}}"#),
        ("users_delete", r#"{"user_id":"user_1"}"#),
        ("machines_get_secret_key", r#"{"machine_id":"mch_1"}"#),
    ] {
        let r = inspect(&recorded, Some(TOKEN), &strings(&call(name, arguments)));
        assert_eq!(r.json()["isError"], true, "{name}: {}", r.stdout);
        assert!(
            r.text().contains("nothing was sent"),
            "{name}: {}",
            r.text()
        );
    }
    assert_eq!(recorder.seen(), ["GET /v1/users HTTP/1.1"]);
    // Without a token the Inspector cannot connect.
    let r = inspect(&url, None, &["--method", "tools/list"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    let r = inspect(&url, Some("wrong-token"), &["--method", "tools/list"]);
    assert_ne!(r.code, 0, "{}", r.stdout);

    // SIGTERM: a clean exit.
    let pid = serve.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let stop = Instant::now();
    let status = loop {
        if let Some(s) = serve.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            stop.elapsed() < Duration::from_secs(30),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let stderr = std::fs::read_to_string(&serve.log).unwrap();
    assert!(stderr.contains("listening on"), "{stderr}");
    let lines = std::fs::read_to_string(&audit).unwrap();
    for s in NEVER {
        assert!(!stderr.contains(s) && !lines.contains(s), "{s} leaked");
    }
    let lines: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines
        .iter()
        .any(|l| l["via"] == "mcp-call" && l["operation"] == "users_list"));
    assert!(lines.iter().any(|l| l["via"] == "rest"
        && l["operation"] == "users_create"
        && l["decision"] == "refused"));
    eprintln!("serve_e2e: done in {:.1?}", started.elapsed());
}

/// `agentgen serve --hash-token` with the token on standard input.
fn agentgen_hash(token: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentgen"))
        .args(["serve", "--hash-token"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{token}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(line.starts_with("sha256:") && line.len() == 71, "{line}");
    line
}
