//! `agentgen mcp`: generate the agent documents in memory (the same path as `generate`) and
//! serve them over MCP on stdio with `agentgen-mcp`. Standard output belongs to the protocol;
//! the one status line goes to standard error. The key never appears in either.

use agentgen::agent::connection;
use agentgen_mcp::backend::HttpOptions;
use agentgen_mcp::output::Limits;
use agentgen_mcp::{Catalog, Class, HttpBackend, Mode, Policy, Server, Settings};
use std::path::PathBuf;
use std::sync::Arc;

/// Options of `agentgen mcp`.
pub struct McpArgs {
    pub connection: PathBuf,
    pub full: bool,
    pub groups: Vec<String>,
    pub base_url: Option<String>,
    /// The spec and its reviewed data.
    pub source: crate::DocumentSource,
}

/// The server's policy for a connection document.
pub fn policy(conn: &connection::Connection) -> Policy {
    use agentgen::ir::SafetyClass;
    Policy {
        ceiling: match conn.ceiling() {
            SafetyClass::Read => Class::Read,
            SafetyClass::Write => Class::Write,
            SafetyClass::Destructive => Class::Destructive,
        },
        allow_secrets: conn.allow_secrets(),
        allow_private_metadata: conn.allow_private_metadata(),
    }
}

pub fn run(args: McpArgs) -> Result<(), agentgen::Error> {
    let conn_label = args.connection.display().to_string();
    let text = std::fs::read_to_string(&args.connection)
        .map_err(|e| agentgen::Error::msg(&conn_label, format!("cannot read: {e}")))?;
    let conn = connection::parse(&text).map_err(|e| agentgen::Error::msg(&conn_label, e))?;

    let config = args.source.into_config()?;
    let (api, _) = agentgen::load_and_analyze(&config)?;
    let spec_label = config.spec_path.display().to_string();
    let files = agentgen::agent::agentspec_documents(&api, &config)
        .map_err(|e| agentgen::Error::msg(&spec_label, e))?;
    // The server lists (full mode) or searches (progressive mode) the operations itself: the
    // prompt names only the groups.
    let prompt = agentgen::agent::connection_prompt(
        &api,
        &config,
        &text,
        &connection::PromptOptions::via_tools(),
    )
    .map_err(|e| agentgen::Error::msg(&conn_label, e))?;
    let catalog =
        Catalog::from_documents(&files).map_err(|e| agentgen::Error::msg("agent documents", e))?;

    // The key: the connection document's, else the API's environment variable.
    let env_var = catalog.manifest.auth.env.clone();
    let key = match conn.key() {
        Some(k) => k.expose().trim().to_string(),
        None => std::env::var(&env_var)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    if key.is_empty() {
        return Err(agentgen::Error::msg(
            &conn_label,
            format!(
                "no secret key: put it in the connection document (connection_details.{}.bearer_token.token) or set {env_var}",
                conn.details().0
            ),
        ));
    }
    let hide = |e: String| agentgen_mcp::redact::redact(&e, Some(&key));
    let base_url = args.base_url.or_else(|| conn.details().1.base_url.clone());
    let retry = api.info.retry.as_ref().map(crate::retry_config);
    let backend = HttpBackend::new(
        &catalog,
        HttpOptions {
            key: Some(key.clone()),
            base_url: base_url.clone(),
            policy: policy(&conn),
            retry,
        },
    )
    .map_err(|e| agentgen::Error::msg(&conn_label, hide(e)))?;
    let settings = Settings {
        mode: if args.full {
            Mode::Full
        } else {
            Mode::Progressive
        },
        groups: args.groups,
        policy: policy(&conn),
        instructions: prompt,
        limits: Limits::default(),
        secret: Some(key.clone()),
    };
    let title = format!(
        "{} {}",
        catalog.manifest.api.title, catalog.manifest.api.version
    );
    let url = base_url.unwrap_or_else(|| catalog.manifest.api.base_url.clone());
    let server = Server::new(catalog, settings, Arc::new(backend))
        .map_err(|e| agentgen::Error::msg("--groups", e))?;
    eprintln!(
        "{}",
        hide(format!(
            "agentgen mcp: {title} at {url}: {} operations as {} tools ({} mode{}); serving on stdio",
            server.visible_operations().len(),
            server.tools().len(),
            if args.full { "full" } else { "progressive" },
            match (conn.ceiling(), conn.allow_secrets()) {
                (agentgen::ir::SafetyClass::Read, false) => ", read-only, credentials withheld",
                (agentgen::ir::SafetyClass::Read, true) => ", read-only",
                (agentgen::ir::SafetyClass::Write, false) => ", max_class write, credentials withheld",
                (agentgen::ir::SafetyClass::Write, true) => ", max_class write",
                (_, false) => ", credentials withheld",
                (_, true) => "",
            },
        ))
    );
    agentgen_mcp::run_stdio(server).map_err(|e| agentgen::Error::msg("mcp", hide(e)))
}
