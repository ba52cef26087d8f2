//! The REST gateway's way to the API: a request built by the runtime's interpreter
//! ([`HttpBackend::prepare`], after the policy and the read-only guard) sent over
//! hyper-util's pooled HTTP/1.1 client, with what the runtime's client sends and does: its
//! default headers, the key, the per-attempt timeout, the connect timeout, no redirects, and
//! its retry policy (which failures, how many attempts, the waits, `Retry-After`, the
//! overall limit).
//!
//! Why not the runtime's reqwest client: for a gateway that forwards every request, reqwest's
//! layers (redirect and retry services, a full `Url::parse` of every request URL with IDNA
//! processing, the conversion of that URL back to a URI) were a quarter of its CPU per
//! request. The base URL is parsed once here, and a request's path and query, which the
//! interpreter has already percent-encoded, are appended to it.
//!
//! Whatever this path does not reproduce byte for byte goes through the runtime's client
//! instead ([`HttpBackend::send_prepared`]): form and multipart bodies, a path or query with
//! a character the URL parser would re-encode, `.`/`..` segments (which the runtime
//! refuses), header parameters, a connection without a key, and any process that has a proxy
//! variable set (reqwest honours them).

use agentgen_mcp::backend::{Forwarded, HttpSettings};
use agentgen_mcp::runtime::{ApiError, Body as RtBody, Request, RetryPolicy};
use agentgen_mcp::{CallError, HttpBackend, Operation};
use axum::http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER,
    USER_AGENT,
};
use axum::http::uri::{Authority, PathAndQuery, Scheme, Uri};
use axum::http::{Method, StatusCode};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::time::MissedTickBehavior;

/// Proxy variables that reqwest's default client honours.
const PROXY_VARS: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

type Pool = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

thread_local! {
    /// This thread's pool of each [`Upstream`] (by [`Upstream::id`]). A pooled connection is
    /// driven by a task on the runtime that opened it: with a pool per thread, a request and
    /// its connection to the API stay on one thread, and no request wakes another thread to
    /// send it (`agentgen serve` runs one single-threaded runtime per core; see `run`).
    static POOLS: std::cell::RefCell<Vec<(u64, Pool)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One connection's pooled clients to its base URL (one pool per thread).
pub(crate) struct Upstream {
    /// Names this upstream's pools in [`POOLS`].
    id: u64,
    connector: HttpsConnector<HttpConnector>,
    scheme: Scheme,
    authority: Authority,
    /// The base URL's path, without a trailing slash (may be empty).
    base_path: String,
    /// `User-Agent`, `Accept` and the API-version header.
    defaults: HeaderMap,
    /// `Bearer <key>`, marked sensitive.
    auth: HeaderValue,
    /// The key, to remove it from the headers of non-2xx answers (as the runtime does).
    secret: Vec<u8>,
    timeout: Duration,
    retry: RetryPolicy,
    /// Held while this upstream lives; its pools' timer keepers stop when it is dropped.
    alive: Arc<()>,
}

impl Upstream {
    /// The pooled client for a backend's settings, or `None` when this path would not send
    /// what the runtime sends (a proxy variable is set, no key, a base URL or header that
    /// does not convert as it is): then every request goes through the runtime's client.
    pub(crate) fn new(settings: HttpSettings<'_>) -> Option<Upstream> {
        if PROXY_VARS
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
        {
            return None;
        }
        let key = settings.key.filter(|k| !k.is_empty())?;
        // The runtime checked the base URL with the URL parser; the URI is its serialization
        // (host lowercased and IDNA-encoded), as reqwest would send it.
        let parsed = reqwest::Url::parse(settings.base_url).ok()?;
        let uri: Uri = parsed.as_str().trim_end_matches('/').parse().ok()?;
        let scheme = uri.scheme()?.clone();
        let authority = uri.authority()?.clone();
        let base_path = uri.path().trim_end_matches('/').to_string();
        if uri.query().is_some() {
            return None;
        }
        let mut defaults = HeaderMap::new();
        defaults.insert(
            USER_AGENT,
            HeaderValue::from_str(settings.info.user_agent).ok()?,
        );
        defaults.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(name) = settings.info.version_header {
            defaults.insert(
                HeaderName::from_bytes(name.as_bytes()).ok()?,
                HeaderValue::from_str(settings.info.api_version).ok()?,
            );
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {key}")).ok()?;
        auth.set_sensitive(true);
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(settings.connect_timeout));
        let tls = rustls_config()?;
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        static IDS: AtomicU64 = AtomicU64::new(0);
        Some(Upstream {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            connector,
            scheme,
            authority,
            base_path,
            defaults,
            auth,
            secret: key.as_bytes().to_vec(),
            timeout: settings.timeout,
            retry: settings.retry.clone(),
            alive: Arc::new(()),
        })
    }

    /// [`HttpBackend::forward`], sent over this pool when it can be sent exactly as the
    /// runtime would, else through the runtime's client.
    pub(crate) async fn forward(
        &self,
        backend: &HttpBackend,
        op: &Operation,
        input: Value,
    ) -> Result<Forwarded, CallError> {
        let req = backend.prepare(op, input)?;
        match self.wire(&req) {
            Some(wire) => self.execute(&req, wire).await,
            None => backend.send_prepared(req).await,
        }
    }

    /// Send `request` over this thread's pool (made on first use).
    fn send(&self, request: axum::http::Request<Full<Bytes>>) -> ResponseFuture {
        POOLS.with(|pools| {
            let mut pools = pools.borrow_mut();
            let at = match pools.iter().position(|(id, _)| *id == self.id) {
                Some(at) => at,
                None => {
                    tokio::spawn(keep_a_timer_pending(Arc::downgrade(&self.alive)));
                    let pool = Client::builder(TokioExecutor::new()).build(self.connector.clone());
                    pools.push((self.id, pool));
                    pools.len() - 1
                }
            };
            pools[at].1.request(request)
        })
    }

    /// The request as it goes on the wire, or `None` when it is not one this path sends
    /// byte for byte as the runtime would.
    fn wire(&self, req: &Request) -> Option<Wire> {
        if !req.auth || !req.headers.is_empty() {
            return None;
        }
        let (content_type, body) = match &req.body {
            RtBody::None => (None, Bytes::new()),
            RtBody::Json(data) => (
                Some(HeaderValue::from_static("application/json")),
                Bytes::copy_from_slice(data),
            ),
            RtBody::Bytes { data, content_type } => (
                Some(HeaderValue::from_str(content_type).ok()?),
                Bytes::copy_from_slice(data),
            ),
            RtBody::Text { data, content_type } => (
                Some(HeaderValue::from_str(content_type).ok()?),
                Bytes::copy_from_slice(data.as_bytes()),
            ),
            _ => return None,
        };
        // The runtime refuses `.`/`..` segments (the URL parser would resolve them): let it.
        let path = req.path.split(['?', '#']).next().unwrap_or_default();
        if path.split('/').any(is_dot_segment) {
            return None;
        }
        let separator = if req.path.starts_with('/') { "" } else { "/" };
        let query = (!req.query.is_empty()).then(|| req.query.encode());
        let mut target = String::with_capacity(
            self.base_path.len() + req.path.len() + 2 + query.as_ref().map_or(0, String::len),
        );
        target.push_str(&self.base_path);
        target.push_str(separator);
        target.push_str(&req.path);
        if let Some(q) = &query {
            target.push(if req.path.contains('?') { '&' } else { '?' });
            target.push_str(q);
        }
        // Only characters the URL parser leaves as they are, so the bytes sent are the ones
        // the runtime would send.
        if !target.bytes().all(verbatim) {
            return None;
        }
        let path_and_query = PathAndQuery::from_maybe_shared(Bytes::from(target)).ok()?;
        let uri = Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
            .ok()?;
        let method = Method::from_bytes(req.method.as_str().as_bytes()).ok()?;
        Some(Wire {
            method,
            uri,
            content_type,
            body,
        })
    }

    /// Sends with the runtime's retry policy (`Client::execute` in the runtime): retries
    /// only what the policy allows, waits as the server asks (`Retry-After`, capped) or with
    /// jittered backoff, and never starts a retry past `max_elapsed`.
    async fn execute(&self, req: &Request, wire: Wire) -> Result<Forwarded, CallError> {
        let policy = &self.retry;
        let attempts = policy.max_attempts.max(1);
        let may_retry = req.idempotent || policy.retry_non_idempotent;
        let started = Instant::now();
        let mut attempt: u32 = 1;
        loop {
            let outcome = self.attempt(&wire).await;
            let retry_after = match &outcome {
                _ if !may_retry => return self.finish(req, outcome),
                Ok(raw)
                    if raw.status == StatusCode::TOO_MANY_REQUESTS
                        || (policy.retry_5xx && raw.status.is_server_error()) =>
                {
                    ApiError::new(
                        req.operation_id,
                        raw.status,
                        raw.headers.clone(),
                        Vec::new(),
                    )
                    .retry_after()
                }
                Err(_) if policy.retry_connection_errors => None,
                _ => return self.finish(req, outcome),
            };
            if attempt >= attempts {
                return self.finish(req, outcome);
            }
            let wait = match retry_after {
                Some(wait) => wait.min(policy.max_interval),
                None => jitter(policy.base_interval(attempt - 1)),
            };
            if started.elapsed().saturating_add(wait) > policy.max_elapsed {
                return self.finish(req, outcome);
            }
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            attempt += 1;
        }
    }

    /// One attempt: send and read the whole answer within the timeout.
    async fn attempt(&self, wire: &Wire) -> Result<Raw, String> {
        let mut request = axum::http::Request::new(Full::new(wire.body.clone()));
        *request.method_mut() = wire.method.clone();
        *request.uri_mut() = wire.uri.clone();
        let headers = request.headers_mut();
        headers.clone_from(&self.defaults);
        if let Some(ct) = &wire.content_type {
            headers.insert(CONTENT_TYPE, ct.clone());
        }
        headers.insert(AUTHORIZATION, self.auth.clone());
        let exchange = async {
            let response = self.send(request).await.map_err(describe)?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(describe)?.to_bytes();
            Ok(Raw {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(outcome) => outcome,
            Err(_) => Err("error sending request: operation timed out".to_string()),
        }
    }

    /// The last attempt's outcome as the gateway answers it; the key is removed from the
    /// headers of a non-2xx answer (the body is scrubbed by the REST handler).
    fn finish(&self, req: &Request, outcome: Result<Raw, String>) -> Result<Forwarded, CallError> {
        let raw =
            outcome.map_err(|e| CallError::Transport(format!("{}: {e}", req.operation_id)))?;
        let success = raw.status.is_success();
        let header = |name: &HeaderName| {
            let value = raw.headers.get(name)?.to_str().ok()?;
            if !success && memchr::memmem::find(value.as_bytes(), &self.secret).is_some() {
                return Some(agentgen_mcp::redact::redact(
                    value,
                    std::str::from_utf8(&self.secret).ok(),
                ));
            }
            Some(value.to_string())
        };
        Ok(Forwarded {
            status: raw.status.as_u16(),
            content_type: header(&CONTENT_TYPE),
            retry_after: header(&RETRY_AFTER),
            body: Vec::from(raw.body),
        })
    }
}

/// How often a timer keeper wakes.
const KEEPER_PERIOD: Duration = Duration::from_secs(1);

/// Keeps a timer pending on this runtime for as long as `alive` has an owner. tokio wakes its
/// I/O driver (an eventfd write: a system call per request, seen with `strace`) whenever a
/// new timer is due before every pending one, which on a worker with nothing else pending is
/// each request's timeout. With this timer pending, a timeout longer than
/// [`KEEPER_PERIOD`] never is. It costs one wake-up a second.
async fn keep_a_timer_pending(alive: Weak<()>) {
    let mut tick = tokio::time::interval(KEEPER_PERIOD);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while alive.strong_count() > 0 {
        tick.tick().await;
    }
}

/// A request ready to go, reused by every attempt.
struct Wire {
    method: Method,
    uri: Uri,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

/// An answer as read from the wire.
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// A transport error with its causes, without the URL (which could hold a parameter).
fn describe(e: impl std::error::Error) -> String {
    let mut text = format!("error sending request: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Bytes of a request target that the URL parser copies as they are (RFC 3986 unreserved
/// and sub-delimiters, `:`, `@`, `/`, `?`, `%`), except `'`, which it encodes in a query.
fn verbatim(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@/?%".contains(&b)
}

/// Whether a raw path segment would be read as `.` or `..` by a URL parser (as the
/// runtime decides).
fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
    )
}

/// TLS as reqwest's `rustls-tls` sets it up: the webpki roots, ring.
fn rustls_config() -> Option<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Some(config)
}

/// "Equal jitter", as the runtime's backoff: a random wait between half of `base` and
/// `base` (xorshift64* seeded from the clock and a counter; not for anything secret).
fn jitter(base: Duration) -> Duration {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos
        ^ COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    if x == 0 {
        x = 0x2545_F491_4F6C_DD1D;
    }
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    let fraction = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
    let half = base / 2;
    half + half.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_characters_are_the_ones_the_url_parser_keeps() {
        let url = |t: &str| {
            reqwest::Url::parse(&format!("http://h{t}"))
                .unwrap()
                .as_str()
                .strip_prefix("http://h")
                .unwrap()
                .to_string()
        };
        for b in 0x21u8..0x7f {
            if !verbatim(b) || b == b'?' {
                continue;
            }
            let t = format!("/a{}b?q={}r", b as char, b as char);
            assert_eq!(url(&t), t, "byte {:?}", b as char);
        }
        // What it changes is not verbatim (nor, to be safe, a few it happens to keep).
        for t in ["/a b", "/a\"b", "/a?q='", "/a{b}", "/a\\b", "/a<b>", "/a`b"] {
            assert_ne!(url(t), t);
            assert!(!t.bytes().all(verbatim), "{t}");
        }
        assert!(!"/a^b|c".bytes().all(verbatim));
    }

    #[test]
    fn jitter_stays_between_half_and_all_of_the_base() {
        let base = Duration::from_millis(800);
        for _ in 0..100 {
            let w = jitter(base);
            assert!(w >= base / 2 && w <= base, "{w:?}");
        }
    }
}
