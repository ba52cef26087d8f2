//! The server: one handler in front of everything, so that every request takes the same
//! checks in the same order.
//!
//! | path | what | access token |
//! |---|---|---|
//! | `/healthz` | `{"status": "ok"}` | no |
//! | `/c/<connection>/<API path>` | the enforcing REST gateway ([`crate::rest`]) | yes |
//! | `/mcp/<connection>` | remote MCP, Streamable HTTP ([`crate::mcp_http`]) | yes |
//! | `/prompt/<connection>` | the connection prompt (markdown) for agents of this gateway | yes |
//! | anything else | the published agent documents ([`crate::discovery`]) | no |
//!
//! Absolute-form request targets (`GET http://host/...`) are refused; the `Host` header is
//! never used for anything: the API is reached only at the connection's base URL.

use crate::audit::{Audit, Decision, Line, Timestamp};
use crate::config::{Config, Connection};
use crate::discovery::Discovery;
use crate::mcp_http::{self, McpService};
use crate::respond::{unauthorized, Refusal};
use crate::route::Routes;
use crate::token::{bearer, TokenHash};
use agentgen_mcp::backend::HttpOptions;
use agentgen_mcp::runtime::RetryConfig;
use agentgen_mcp::{Catalog, HttpBackend, Policy};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt as _;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use tower_service::Service as _;

/// What the gateway serves, as the `agentgen serve` command hands it over.
pub struct Setup {
    /// The configuration file, checked.
    pub config: Config,
    /// The operations (from the AgentSpec documents).
    pub catalog: Catalog,
    /// `agentgen publish`'s files, served for discovery.
    pub published: BTreeMap<String, Vec<u8>>,
    /// The connection prompt of each connection (by name), pointing agents at the gateway.
    pub prompts: BTreeMap<String, String>,
    /// The remote MCP server's instructions for each connection (by name): the connection
    /// prompt for an agent whose tools list the operations (a missing entry: the prompt).
    pub instructions: BTreeMap<String, String>,
    /// Retry settings from the spec.
    pub retry: Option<RetryConfig>,
}

/// One connection, ready to serve.
pub(crate) struct Conn {
    pub name: String,
    pub policy: Policy,
    pub tokens: Vec<TokenHash>,
    pub backend: Arc<HttpBackend>,
    /// The REST gateway's pooled client to the API (`None`: through the runtime's client).
    pub upstream: Option<crate::upstream::Upstream>,
    pub limiter: Option<DefaultDirectRateLimiter>,
    pub mcp: McpService,
    pub prompt: String,
    /// The key, only to scrub it from what is answered.
    pub secret: crate::config::Secret,
    /// A searcher for the key (`None` for an empty key), built once.
    pub secret_finder: Option<memchr::memmem::Finder<'static>>,
}

/// Everything a request may need.
pub(crate) struct State {
    pub catalog: Arc<Catalog>,
    pub routes: Routes,
    pub conns: HashMap<String, Conn>,
    pub discovery: Discovery,
    pub max_body: usize,
    pub audit: Audit,
}

/// A gateway ready to serve.
pub struct Gateway {
    state: Arc<State>,
    cancel: CancellationToken,
    grace: std::time::Duration,
    /// The audit writer thread (it ends when the last [`Audit`] handle is dropped).
    _audit_thread: std::thread::JoinHandle<()>,
    audit: Audit,
    /// Operations the REST gateway cannot reach (a parameter inside a path segment).
    pub unreachable: Vec<String>,
}

fn limiter(conn: &Connection) -> Option<DefaultDirectRateLimiter> {
    conn.rate_limit.map(|r| {
        let quota = Quota::per_second(r.per_second).allow_burst(r.burst.unwrap_or(r.per_second));
        RateLimiter::direct(quota)
    })
}

impl Gateway {
    /// Build the connections (HTTP clients, MCP servers, rate limiters) and start the audit
    /// writer. Errors name the connection and never contain a key.
    pub async fn new(setup: Setup) -> Result<Gateway, String> {
        let Setup {
            config,
            catalog,
            published,
            prompts,
            instructions,
            retry,
        } = setup;
        let (audit, audit_thread) = Audit::start(config.audit_log.as_deref()).map_err(|e| {
            format!(
                "audit_log {}: {e}",
                config
                    .audit_log
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        })?;
        let cancel = CancellationToken::new();
        let catalog = Arc::new(catalog);
        let mut conns = HashMap::new();
        for (i, c) in config.connections.iter().enumerate() {
            let policy = Policy {
                ceiling: c.ceiling,
                allow_secrets: c.allow_secrets,
                allow_private_metadata: c.allow_private_metadata,
            };
            let key = c.key.expose();
            let hide = |e: String| agentgen_mcp::redact::redact(&e, Some(key));
            let backend = HttpBackend::new(
                &catalog,
                HttpOptions {
                    key: Some(key.to_string()),
                    base_url: c.base_url.clone(),
                    policy,
                    retry,
                },
            )
            .map_err(|e| format!("connections[{i}] ({}): {}", c.name, hide(e)))?;
            let backend = Arc::new(backend);
            let prompt = prompts.get(&c.name).cloned().unwrap_or_default();
            let mcp = mcp_http::service(
                &catalog,
                c,
                policy,
                Arc::clone(&backend),
                instructions
                    .get(&c.name)
                    .cloned()
                    .unwrap_or_else(|| prompt.clone()),
                &config,
                audit.clone(),
                cancel.child_token(),
            )
            .map_err(|e| format!("connections[{i}].mcp ({}): {}", c.name, hide(e)))?;
            conns.insert(
                c.name.clone(),
                Conn {
                    name: c.name.clone(),
                    policy,
                    tokens: c.access_tokens.clone(),
                    upstream: crate::upstream::Upstream::new(backend.settings()),
                    backend,
                    limiter: limiter(c),
                    mcp,
                    prompt,
                    secret: c.key.clone(),
                    secret_finder: (!key.is_empty())
                        .then(|| memchr::memmem::Finder::new(key.as_bytes()).into_owned()),
                },
            );
        }
        let routes = Routes::new(&catalog.operations);
        let unreachable = routes.unsupported.clone();
        let state = Arc::new(State {
            catalog,
            routes,
            conns,
            discovery: Discovery::new(published),
            max_body: config.max_body_bytes,
            audit: audit.clone(),
        });
        Ok(Gateway {
            state,
            cancel,
            grace: config.shutdown_grace,
            _audit_thread: audit_thread,
            audit,
            unreachable,
        })
    }

    /// How many documents discovery serves.
    pub fn documents(&self) -> usize {
        self.state.discovery.len()
    }

    /// The router (one handler for every path).
    pub fn router(&self) -> axum::Router {
        let state = Arc::clone(&self.state);
        axum::Router::new().fallback(move |req: Request<Body>| {
            let state = Arc::clone(&state);
            async move { handle(state, req).await }
        })
    }

    /// Serve on `listener` until `shutdown` completes; then stop accepting, end the MCP
    /// sessions, let in-flight requests finish for at most the configured grace period, and
    /// flush the audit log.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let stopping = Arc::new(tokio::sync::Notify::new());
        let notify = Arc::clone(&stopping);
        let cancel = self.cancel.clone();
        let server = axum::serve(listener.tap_io(no_delay), self.router()).with_graceful_shutdown(
            async move {
                shutdown.await;
                cancel.cancel();
                notify.notify_one();
            },
        );
        let grace = self.grace;
        let result = tokio::select! {
            r = server => r,
            _ = async {
                stopping.notified().await;
                tokio::time::sleep(grace).await;
            } => Ok(()),
        };
        self.audit.flush().await;
        drop(self.state);
        drop(self.audit);
        result
    }

    /// [`Gateway::serve`] on `workers` threads that each accept from `listener` (a clone of
    /// it) on a single-threaded runtime of their own; this task is one of them. A request,
    /// its call to the API and that call's pooled connection then stay on one thread, as in
    /// nginx's worker processes: on a multi-threaded runtime, handing a request to the
    /// connection task of another worker cost a thread wake-up each time (BENCHMARKS.md,
    /// connection gateway). On shutdown every worker stops accepting and finishes its
    /// requests within the same grace period.
    pub async fn serve_on_threads(
        self,
        listener: std::net::TcpListener,
        workers: usize,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let mut threads = Vec::new();
        for i in 1..workers.max(1) {
            // A socket of its own on the same address when `listener` allows it
            // (`SO_REUSEPORT`, as `run` binds it), so that the kernel spreads connections
            // over the workers; else the same socket, accepted from by every worker.
            let socket = match bind_reuse_port(addr) {
                Ok(own) => Ok(own),
                Err(_) => Err(listener.try_clone()?),
            };
            let router = self.router();
            let stop = self.cancel.clone();
            let thread = std::thread::Builder::new()
                .name(format!("agentgen-serve-{i}"))
                .spawn(move || -> std::io::Result<()> {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    runtime.block_on(async move {
                        let listener = match socket {
                            Ok(own) => own.listen(BACKLOG)?,
                            Err(shared) => tokio::net::TcpListener::from_std(shared)?,
                        };
                        axum::serve(listener.tap_io(no_delay), router)
                            .with_graceful_shutdown(stop.cancelled_owned())
                            .await
                    })
                })?;
            threads.push(thread);
        }
        let grace = self.grace;
        let result = self
            .serve(tokio::net::TcpListener::from_std(listener)?, shutdown)
            .await;
        // The other workers were told to stop with this one; wait for them as long as the
        // grace period allows (their requests hold the audit log open until they end).
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        });
        let _ = tokio::time::timeout(grace, joined).await;
        result
    }
}

/// Answers go out as soon as they are written (no Nagle delay), as nginx's `tcp_nodelay`.
fn no_delay(stream: &mut tokio::net::TcpStream) {
    let _ = stream.set_nodelay(true);
}

/// Pending connections each listening socket queues.
pub const BACKLOG: u32 = 1024;

/// A TCP socket bound to `addr` with `SO_REUSEADDR` and `SO_REUSEPORT`, not yet listening:
/// more sockets can then be bound to the same address, one per worker
/// ([`Gateway::serve_on_threads`]).
pub fn bind_reuse_port(addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpSocket> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    #[cfg(unix)]
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    Ok(socket)
}

/// Per-request facts for the audit line (borrowed from the gateway's state).
pub(crate) struct Ctx<'s> {
    pub started: Instant,
    pub via: &'static str,
    pub method: Method,
    pub connection: Option<&'s str>,
    pub operation: Option<&'s str>,
    pub class: Option<&'static str>,
}

impl Ctx<'_> {
    pub fn line(
        &self,
        decision: Decision,
        status: StatusCode,
        error: Option<&'static str>,
    ) -> Line<'_> {
        Line {
            ts: Timestamp::now(),
            via: self.via,
            connection: self.connection,
            method: self.method.as_str(),
            operation: self.operation,
            class: self.class,
            decision,
            status: status.as_u16(),
            latency_ms: (self.started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            error,
        }
    }
}

/// The decision a refusal stands for.
fn decision_of(r: &Refusal) -> Decision {
    match r.status {
        StatusCode::UNAUTHORIZED => Decision::Unauthorized,
        StatusCode::FORBIDDEN => Decision::Refused,
        StatusCode::TOO_MANY_REQUESTS => Decision::RateLimited,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Decision::NoRoute,
        StatusCode::PAYLOAD_TOO_LARGE => Decision::TooLarge,
        s if s.is_server_error() => Decision::UpstreamError,
        _ => Decision::Invalid,
    }
}

/// Answer a refusal and audit it.
pub(crate) fn refuse(state: &State, ctx: &Ctx<'_>, r: Refusal) -> Response {
    state
        .audit
        .record(&ctx.line(decision_of(&r), r.status, Some(r.code)));
    r.response()
}

/// Headers that ask for another method than the request's: refused, never honoured.
const METHOD_OVERRIDES: &[&str] = &[
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

async fn handle(state: Arc<State>, req: Request<Body>) -> Response {
    let mut ctx = Ctx {
        started: Instant::now(),
        via: "rest",
        method: req.method().clone(),
        connection: None,
        operation: None,
        class: None,
    };
    // A clone (reference-counted) so that the path can be borrowed after `req` moves on.
    let uri = req.uri().clone();
    if uri.scheme().is_some() || uri.authority().is_some() {
        return refuse(
            &state,
            &ctx,
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "absolute-form request targets are refused: send the path only",
            ),
        );
    }
    let path = uri.path();
    if path == "/healthz" {
        return if req.method() == Method::GET {
            axum::Json(serde_json::json!({"status": "ok"})).into_response()
        } else {
            method_not_allowed(&state, &ctx, &["GET"])
        };
    }
    for (prefix, via) in [("/c/", "rest"), ("/mcp/", "mcp"), ("/prompt/", "prompt")] {
        let Some(rest) = path.strip_prefix(prefix) else {
            continue;
        };
        ctx.via = via;
        let (name, api_path) = match via {
            "rest" => rest.find('/').map_or((rest, ""), |i| rest.split_at(i)),
            _ => (rest, ""),
        };
        // The access token first: the same 401 whether or not the connection exists.
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| bearer(v.as_bytes()))
            .map(TokenHash::of);
        let conn = state
            .conns
            .get(name)
            .filter(|c| presented.is_some_and(|h| c.tokens.contains(&h)));
        let Some(conn) = conn else {
            return refuse(&state, &ctx, unauthorized());
        };
        ctx.connection = Some(&conn.name);
        if let Some(l) = &conn.limiter {
            if l.check().is_err() {
                return refuse(
                    &state,
                    &ctx,
                    Refusal::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate_limited",
                        format!(
                            "connection `{}` is over its rate limit: retry later",
                            conn.name
                        ),
                    ),
                );
            }
        }
        if let Some(h) = METHOD_OVERRIDES
            .iter()
            .find(|h| req.headers().contains_key(**h))
        {
            return refuse(
                &state,
                &ctx,
                Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "method_override",
                    format!("the `{h}` header is refused: send the operation's own method"),
                ),
            );
        }
        return match via {
            "rest" => crate::rest::handle(&state, conn, ctx, req, api_path).await,
            "mcp" => mcp(&state, conn, ctx, req).await,
            _ => prompt(&state, conn, &ctx, req.method()),
        };
    }
    if (req.method() == Method::GET || req.method() == Method::HEAD) && state.discovery.has(path) {
        ctx.via = "discovery";
        let r = state
            .discovery
            .serve(path, req.method() == Method::HEAD, req.headers());
        state
            .audit
            .record(&ctx.line(Decision::Served, r.status(), None));
        return r;
    }
    ctx.via = "discovery";
    refuse(
        &state,
        &ctx,
        Refusal::new(StatusCode::NOT_FOUND, "not_found", "nothing is served here"),
    )
}

pub(crate) fn method_not_allowed(state: &State, ctx: &Ctx<'_>, allow: &[&str]) -> Response {
    let mut r = refuse(
        state,
        ctx,
        Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!(
                "`{}` is not allowed here; allowed: {}",
                ctx.method,
                allow.join(", ")
            ),
        ),
    );
    if let Ok(v) = allow.join(", ").parse() {
        r.headers_mut().insert(header::ALLOW, v);
    }
    r
}

/// Pass an authorized request to the connection's MCP service.
async fn mcp(state: &State, conn: &Conn, ctx: Ctx<'_>, req: Request<Body>) -> Response {
    if !matches!(*req.method(), Method::GET | Method::POST | Method::DELETE) {
        return method_not_allowed(state, &ctx, &["GET", "POST", "DELETE"]);
    }
    let mut svc = conn.mcp.clone();
    let response = match svc.call(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status();
    let decision = if status.is_success() {
        Decision::Served
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        Decision::TooLarge
    } else {
        Decision::Invalid
    };
    state.audit.record(&ctx.line(decision, status, None));
    response.map(Body::new)
}

fn prompt(state: &State, conn: &Conn, ctx: &Ctx<'_>, method: &Method) -> Response {
    if method != Method::GET {
        return method_not_allowed(state, ctx, &["GET"]);
    }
    let text = agentgen_mcp::redact::redact(&conn.prompt, Some(conn.secret.expose()));
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/markdown; charset=utf-8"),
    );
    state
        .audit
        .record(&ctx.line(Decision::Served, StatusCode::OK, None));
    r
}
