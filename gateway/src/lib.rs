//! `agentgen serve`: an HTTP gateway between agents and an API described by agentgen's
//! AgentSpec documents, which makes a connection's `read_only` / `max_class` /
//! `allow_secrets` real at the network. Agents hold an access token, never the API key; the
//! gateway matches each request to exactly one operation, lets the connection's policy
//! decide before anything is sent, checks the input against the operation's schema, and
//! sends it through the generated clients' runtime to the configured base URL only.
//!
//! * [`config`]: the configuration file (TOML or YAML).
//! * [`token`]: access tokens and their `sha256:` hashes.
//! * [`route`]: the strict path rules and the operation table.
//! * [`input`]: an incoming request as the operation's JSON input.
//! * [`rest`]: the REST decision path, sent to the API by `upstream` (hyper-util's pool); [`mcp_http`]: remote MCP (Streamable HTTP).
//! * [`discovery`]: the published agent documents, with ETags.
//! * [`audit`]: one JSON line per request.
//! * [`app`]: the server: paths, access, rate limits, graceful shutdown.
//!
//! This crate does not depend on `agentgen`: the `agentgen serve` command builds the
//! documents and connection prompts and hands them over in a [`Setup`].

pub mod app;
pub mod audit;
pub mod config;
pub mod discovery;
pub mod input;
pub mod mcp_http;
pub mod respond;
pub mod rest;
pub mod route;
pub mod token;
mod upstream;

pub use app::{Gateway, Setup};
pub use token::hash_token;

/// Serve `setup` on its configured address until SIGINT or SIGTERM, for a synchronous
/// `main`: one worker thread per core, or the configuration's `workers`, each with a
/// single-threaded runtime of its own ([`Gateway::serve_on_threads`]). `ready` is called
/// with the bound address and the gateway once it listens (for a status line).
pub fn run(setup: Setup, ready: impl FnOnce(std::net::SocketAddr, &Gateway)) -> Result<(), String> {
    let workers = setup.config.workers.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let addr = setup.config.listen;
        let gateway = Gateway::new(setup).await?;
        let listener = app::bind_reuse_port(addr)
            .and_then(|s| s.listen(app::BACKLOG)?.into_std())
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = listener.local_addr().unwrap_or(addr);
        ready(bound, &gateway);
        gateway
            .serve_on_threads(listener, workers, shutdown_signal())
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
