//! Remote MCP: the `agentgen mcp` server ([`agentgen_mcp::Server`], the same tools, modes
//! and enforcement) per connection, over rmcp's Streamable HTTP server transport, behind the
//! gateway's access token and rate limit. Each operation called through it is audited
//! (`via: "mcp-call"`) besides the HTTP request itself.

use crate::audit::{Audit, Decision};
use crate::config::{Config, Connection, McpMode};
use agentgen_mcp::backend::BoxFuture;
use agentgen_mcp::output::Limits;
use agentgen_mcp::{Backend, CallError, Catalog, HttpBackend, Mode, Operation, Policy, Server};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// The MCP endpoint of one connection.
pub(crate) type McpService = StreamableHttpService<Server, LocalSessionManager>;

/// Calls through the HTTP backend and audits each one.
struct Audited {
    inner: Arc<HttpBackend>,
    audit: Audit,
    connection: String,
}

impl Backend for Audited {
    fn call<'a>(
        &'a self,
        op: &'a Operation,
        input: Value,
    ) -> BoxFuture<'a, Result<Value, CallError>> {
        Box::pin(async move {
            let started = Instant::now();
            let result = self.inner.call(op, input).await;
            let (decision, status) = match &result {
                Ok(_) => (Decision::Forwarded, 200),
                Err(CallError::Api { status, .. }) => (Decision::Forwarded, *status),
                Err(CallError::Refused(_)) => (Decision::Refused, 403),
                Err(CallError::InvalidInput(_)) => (Decision::Invalid, 400),
                Err(_) => (Decision::UpstreamError, 502),
            };
            self.audit.record(&crate::audit::Line {
                ts: crate::audit::Timestamp::now(),
                via: "mcp-call",
                connection: Some(&self.connection),
                method: &op.http.method,
                operation: Some(&op.name),
                class: Some(op.safety.class.as_str()),
                decision,
                status,
                latency_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
                error: result.as_ref().err().map(CallError::kind),
            });
            result
        })
    }
}

/// The Streamable HTTP service of `conn`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn service(
    catalog: &Catalog,
    conn: &Connection,
    policy: Policy,
    backend: Arc<HttpBackend>,
    instructions: String,
    config: &Config,
    audit: Audit,
    cancel: CancellationToken,
) -> Result<McpService, String> {
    let settings = agentgen_mcp::Settings {
        mode: match conn.mcp.mode {
            McpMode::Progressive => Mode::Progressive,
            McpMode::Full => Mode::Full,
        },
        groups: conn.mcp.groups.clone(),
        policy,
        instructions,
        limits: Limits::default(),
        secret: Some(conn.key.expose().to_string()),
    };
    let backend = Arc::new(Audited {
        inner: backend,
        audit,
        connection: conn.name.clone(),
    });
    let server = Server::new(catalog.clone(), settings, backend)?;
    let mut mcp_config = StreamableHttpServerConfig::default();
    mcp_config.cancellation_token = cancel;
    mcp_config.max_request_body_bytes = config.max_body_bytes;
    // rmcp's Host check guards unauthenticated local servers against DNS rebinding; here
    // every request needs a bearer token that a rebinding page cannot have, so it only
    // applies when the configuration lists hosts.
    mcp_config = if config.mcp_allowed_hosts.is_empty() {
        mcp_config.disable_allowed_hosts()
    } else {
        mcp_config.with_allowed_hosts(config.mcp_allowed_hosts.clone())
    };
    Ok(StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        mcp_config,
    ))
}
