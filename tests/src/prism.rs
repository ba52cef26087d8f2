//! A Stoplight Prism mock server for end-to-end tests, from the pinned install in
//! `tools/prism/`. Shared by `tests/tests/e2e_prism.rs` (through this crate) and
//! `cli/tests/mcp_inspector.rs` (included with `#[path]`), so it only uses std.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root (both including crates sit one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate has a parent directory")
        .to_path_buf()
}

/// The pinned Prism binary; panics saying how to install it when it is missing.
pub fn prism_bin() -> PathBuf {
    let bin = root().join("tools/prism/node_modules/.bin/prism");
    assert!(
        bin.exists(),
        "Stoplight Prism is not installed ({} is missing). Install the pinned version with \
         `npm ci --prefix tools/prism --no-fund --no-audit` (needs Node.js >= 18.20 and npm), \
         or run the tests with `scripts/test.sh`, which does it.",
        bin.display()
    );
    bin
}

/// A running Prism mock server, killed (by pid) when dropped, including on panic.
pub struct Prism {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    log: PathBuf,
}

impl Prism {
    /// Start Prism on a free loopback port; `dynamic` adds `-d --seed 1`.
    pub fn spawn(spec: &Path, dynamic: bool, log: PathBuf) -> Prism {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("find a free port")
            .port();
        let out = std::fs::File::create(&log).expect("create the Prism log");
        let err = out.try_clone().expect("clone the Prism log handle");
        let mut cmd = Command::new(prism_bin());
        cmd.args([
            "mock",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-v",
            "fatal",
        ]);
        if dynamic {
            cmd.args(["-d", "--seed", "1"]);
        }
        let child = cmd
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start Prism (is Node.js installed?)");
        Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Wait (bounded) until Prism answers HTTP; panics with its log if it exits or stalls.
    pub fn wait_ready(&mut self, limit: Duration) {
        let addr: SocketAddr = self.url.trim_start_matches("http://").parse().unwrap();
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("poll Prism") {
                panic!(
                    "Prism exited early ({status}) for {}:\n{}",
                    self.url,
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            if answers_http(addr) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "Prism at {} not ready after {limit:?}:\n{}",
            self.url,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when `GET /jwks` gets an HTTP status line back (any status: 401 is fine).
fn answers_http(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /jwks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 ")
}
