//! One JSON line per request: when, which connection and operation, its class, the decision,
//! the status and the latency. Never the key, the access token, the path, the query or a
//! body (any of which may carry personal data or a misplaced secret).
//!
//! A request only appends its line to a shared buffer; a writer thread of its own writes the
//! buffer out (standard output or a file) every [`FLUSH_EVERY`], and on [`Audit::flush`] and
//! shutdown. So a slow disk never holds a request, and no request pays for a thread wake-up or
//! a write: a channel to a writer task woke it on every line, and `tokio::fs` handed every
//! write to the blocking pool (together about a tenth of the gateway's CPU per request; see
//! BENCHMARKS.md). The cost: a crash loses at most the last [`FLUSH_EVERY`] of lines.

use serde::Serialize;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the gateway decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Forwarded to the API.
    Forwarded,
    /// Refused by the connection's policy (ceiling, credentials).
    Refused,
    /// No or a wrong access token.
    Unauthorized,
    /// Over the connection's rate limit.
    RateLimited,
    /// No operation matches, or the method is not the route's.
    NoRoute,
    /// The request is malformed or does not fit the operation.
    Invalid,
    /// Too large.
    TooLarge,
    /// Served by the gateway itself (MCP, discovery, prompt, health).
    Served,
    /// The API could not be reached.
    UpstreamError,
}

/// One audit line. It borrows what it names, so that recording costs no allocation.
#[derive(Debug, Clone, Serialize)]
pub struct Line<'a> {
    /// When the request was answered: RFC 3339 UTC, milliseconds.
    pub ts: Timestamp,
    /// `rest`, `mcp`, `mcp-call` (one operation called through MCP), `discovery`.
    pub via: &'static str,
    /// The connection (only once the access token was accepted).
    pub connection: Option<&'a str>,
    /// HTTP method of the request.
    pub method: &'a str,
    /// The operation's tool name.
    pub operation: Option<&'a str>,
    /// Its safety class.
    pub class: Option<&'static str>,
    /// The decision.
    pub decision: Decision,
    /// The status answered.
    pub status: u16,
    /// Time spent, in milliseconds.
    pub latency_ms: f64,
    /// The error code answered, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

/// A point in time, serialized as RFC 3339 UTC with milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub SystemTime);

impl Timestamp {
    /// Now.
    pub fn now() -> Timestamp {
        Timestamp(SystemTime::now())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let buf = rfc3339_bytes(self.0);
        // Digits, `-`, `:`, `.`, `T` and `Z` only.
        s.serialize_str(std::str::from_utf8(&buf).unwrap_or_default())
    }
}

/// How often the writer thread writes out the lines recorded since.
pub const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// Records audit lines (cheap to clone: all clones share one buffer and one writer).
#[derive(Clone)]
pub struct Audit {
    shared: Arc<Shared>,
}

struct Shared {
    /// Lines recorded and not yet written.
    pending: Mutex<Vec<u8>>,
    /// Where they go, buffered.
    out: Mutex<std::io::BufWriter<Box<dyn std::io::Write + Send>>>,
}

impl Shared {
    /// Write out every line recorded so far.
    fn write_out(&self) {
        let lines = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        if !lines.is_empty() {
            let _ = out.write_all(&lines);
        }
        let _ = out.flush();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.write_out();
    }
}

impl Audit {
    /// Start the writer: to `path` (appended to), else standard output. Returns the handle
    /// and the writer thread, which ends (after writing everything out) once every [`Audit`]
    /// is dropped.
    pub fn start(path: Option<&Path>) -> std::io::Result<(Audit, std::thread::JoinHandle<()>)> {
        let out: Box<dyn std::io::Write + Send> = match path {
            Some(p) => Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            ),
            None => Box::new(std::io::stdout()),
        };
        let shared = Arc::new(Shared {
            pending: Mutex::new(Vec::with_capacity(64 * 1024)),
            out: Mutex::new(std::io::BufWriter::with_capacity(64 * 1024, out)),
        });
        let weak: Weak<Shared> = Arc::downgrade(&shared);
        let thread = std::thread::Builder::new()
            .name("agentgen-audit".into())
            .spawn(move || loop {
                std::thread::sleep(FLUSH_EVERY);
                // The last handle's drop writes the rest out.
                match weak.upgrade() {
                    Some(shared) => shared.write_out(),
                    None => break,
                }
            })?;
        Ok((Audit { shared }, thread))
    }

    /// Record a line.
    pub fn record(&self, line: &Line) {
        // Serialized straight into the buffer; a line that fails (it cannot: plain fields)
        // leaves nothing behind.
        let mut pending = self
            .shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let start = pending.len();
        if serde_json::to_writer(&mut *pending, line).is_ok() {
            pending.push(b'\n');
        } else {
            pending.truncate(start);
        }
    }

    /// Write out every line recorded so far (on a blocking thread).
    pub async fn flush(&self) {
        let shared = Arc::clone(&self.shared);
        let _ = tokio::task::spawn_blocking(move || shared.write_out()).await;
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (hand-written: one civil-date conversion does not justify a
/// date-time dependency, and it is written digit by digit because every request pays for it).
fn rfc3339_bytes(t: SystemTime) -> [u8; 24] {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(0, 9999) as u64;
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: u64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, month as u64);
    put(8, 2, day as u64);
    put(11, 2, rem / 3600);
    put(14, 2, rem % 3600 / 60);
    put(17, 2, rem % 60);
    put(20, 3, u64::from(d.subsec_millis()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc3339(t: SystemTime) -> String {
        serde_json::to_value(Timestamp(t))
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_210_096_789);
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56.789Z");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_799);
        assert_eq!(rfc3339(t), "2099-12-31T23:59:59.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(951_782_400_007);
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00.007Z");
    }
}
