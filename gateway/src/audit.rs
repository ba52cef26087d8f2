//! One JSON line per request: when, which connection and operation, its class, the decision,
//! the status and the latency. Never the key, the access token, the path, the query or a
//! body (any of which may carry personal data or a misplaced secret).
//!
//! Lines go through a channel to one writer task (standard output or a file, buffered and
//! flushed whenever the channel is drained), so a slow disk never holds a request.

use serde::Serialize;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

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

/// One audit line.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// RFC 3339 UTC, milliseconds.
    pub ts: String,
    /// `rest`, `mcp`, `mcp-call` (one operation called through MCP), `discovery`.
    pub via: &'static str,
    /// The connection (only once the access token was accepted).
    pub connection: Option<String>,
    /// HTTP method of the request.
    pub method: String,
    /// The operation's tool name.
    pub operation: Option<String>,
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

/// Sends audit lines to the writer task.
#[derive(Clone)]
pub struct Audit {
    tx: mpsc::UnboundedSender<Msg>,
}

enum Msg {
    Line(Vec<u8>),
    Flush(tokio::sync::oneshot::Sender<()>),
}

impl Audit {
    /// Start the writer: to `path` (appended to), else standard output. Returns the handle
    /// and the task, which ends once every [`Audit`] is dropped and the lines are written.
    pub async fn start(
        path: Option<&Path>,
    ) -> std::io::Result<(Audit, tokio::task::JoinHandle<()>)> {
        let out: Box<dyn tokio::io::AsyncWrite + Unpin + Send> = match path {
            Some(p) => Box::new(
                tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .await?,
            ),
            None => Box::new(tokio::io::stdout()),
        };
        let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
        let task = tokio::spawn(async move {
            let mut out = tokio::io::BufWriter::new(out);
            let mut waiting = Vec::new();
            while let Some(first) = rx.recv().await {
                let mut next = Some(first);
                while let Some(msg) = next {
                    match msg {
                        Msg::Line(line) => {
                            let _ = out.write_all(&line).await;
                        }
                        Msg::Flush(done) => waiting.push(done),
                    }
                    next = rx.try_recv().ok();
                }
                let _ = out.flush().await;
                for done in waiting.drain(..) {
                    let _ = done.send(());
                }
            }
            let _ = out.flush().await;
        });
        Ok((Audit { tx }, task))
    }

    /// Record a line.
    pub fn record(&self, line: &Line) {
        if let Ok(mut bytes) = serde_json::to_vec(line) {
            bytes.push(b'\n');
            let _ = self.tx.send(Msg::Line(bytes));
        }
    }

    /// Wait until every line recorded so far is written.
    pub async fn flush(&self) {
        let (done, wait) = tokio::sync::oneshot::channel();
        if self.tx.send(Msg::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

/// `SystemTime` as RFC 3339 UTC with milliseconds (hand-written: one civil-date conversion
/// does not justify a date-time dependency).
pub fn rfc3339(t: SystemTime) -> String {
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
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_210_096_789);
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56.789Z");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_799);
        assert_eq!(rfc3339(t), "2099-12-31T23:59:59.000Z");
    }
}
