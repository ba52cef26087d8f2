//! `agentgen serve`: generate the agent documents in memory (as `generate` and `publish` do),
//! write each connection's prompt for agents of the gateway, and run the `agentgen-gateway`
//! server. Audit lines go to standard output (or the configured file); the one status line
//! goes to standard error. Neither ever holds a key or an access token.

use agentgen::agent::connection::PromptOptions;
use agentgen_gateway::config as gw_config;
use agentgen_mcp::{Catalog, Class};
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::PathBuf;

/// Options of `agentgen serve`.
pub struct ServeArgs {
    pub config: PathBuf,
    /// The spec and its reviewed data.
    pub source: crate::DocumentSource,
    /// Check the configuration and the documents, print the summary, do not serve.
    pub check: bool,
}

/// `agentgen serve --hash-token`: the `sha256:` line for the token on standard input (one
/// trailing newline is ignored, so `echo TOKEN |` and `printf %s TOKEN |` agree).
pub fn hash_token() -> Result<(), agentgen::Error> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| agentgen::Error::msg("standard input", format!("cannot read: {e}")))?;
    let token = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    if token.is_empty() {
        return Err(agentgen::Error::msg(
            "standard input",
            "no token: pipe the access token in, e.g. `printf %s \"$TOKEN\" | agentgen serve --hash-token`",
        ));
    }
    println!("{}", agentgen_gateway::hash_token(token));
    Ok(())
}

/// The connection document (the format of `connection-prompt`) for a gateway connection,
/// to render its prompt. It holds the key only so that the prompt can name the key's
/// environment; the prompt never contains the key.
fn connection_document(service: &str, c: &gw_config::Connection) -> String {
    let mut details = serde_json::json!({
        "bearer_token": {"token": c.key.expose()},
        "max_class": c.ceiling.as_str(),
        "allow_secrets": c.allow_secrets,
        "allow_private_metadata": c.allow_private_metadata,
    });
    if let Some(url) = &c.base_url {
        details["base_url"] = url.clone().into();
    }
    serde_json::json!({
        "display_name": c.display_name,
        "description": c.description,
        "connection_details": {service: details},
    })
    .to_string()
}

fn describe(c: &gw_config::Connection) -> String {
    let ceiling = match c.ceiling {
        Class::Read => "read-only",
        Class::Write => "max_class write",
        Class::Destructive => "no ceiling",
    };
    let secrets = if c.allow_secrets {
        ""
    } else {
        ", credentials withheld"
    };
    format!("{} ({ceiling}{secrets})", c.name)
}

pub fn run(args: ServeArgs) -> Result<(), agentgen::Error> {
    let gw = gw_config::load(&args.config, &|var| std::env::var(var).ok())
        .map_err(|e| agentgen::Error::msg("serve", e))?;
    let config = args.source.into_config()?;
    let generated = agentgen::load_and_generate(&config)?;
    let spec_label = config.spec_path.display().to_string();
    let documents: BTreeMap<String, String> = generated
        .files
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("agent/")?.to_string(), v.clone())))
        .collect();
    let catalog = Catalog::from_documents(&documents)
        .map_err(|e| agentgen::Error::msg("agent documents", e))?;
    let published = agentgen::publish::publish(&generated.api.info, &generated.files)
        .map_err(|e| agentgen::Error::msg(&spec_label, e))?;
    let service = catalog
        .manifest
        .name
        .split('-')
        .next()
        .unwrap_or("api")
        .to_string();
    // Per connection: the prompt served at /prompt/<name> (every operation named, for an
    // agent that reads the skill and calls the REST gateway) and the remote MCP server's
    // instructions (the tools list the operations themselves), both pointing at the gateway.
    let mut prompts = BTreeMap::new();
    let mut instructions = BTreeMap::new();
    for c in &gw.connections {
        let doc = connection_document(&service, c);
        let url = gw.connection_url(&c.name);
        let render = |options: PromptOptions| {
            agentgen::agent::connection_prompt(&generated.api, &config, &doc, &options).map_err(
                |e| {
                    agentgen::Error::msg(
                        format!("{} (connection {})", args.config.display(), c.name),
                        agentgen_mcp::redact::redact(&e, Some(c.key.expose())),
                    )
                },
            )
        };
        prompts.insert(
            c.name.clone(),
            render(PromptOptions::full().through_gateway(url.clone()))?,
        );
        instructions.insert(
            c.name.clone(),
            render(PromptOptions::via_tools().through_gateway(url))?,
        );
    }
    let retry = generated.api.info.retry.as_ref().map(crate::retry_config);
    let title = format!(
        "{} {}",
        catalog.manifest.api.title, catalog.manifest.api.version
    );
    let operations = catalog.operations.len();
    let connections: Vec<String> = gw.connections.iter().map(describe).collect();
    let audit = gw
        .audit_log
        .as_ref()
        .map_or("standard output".to_string(), |p| p.display().to_string());
    let public_url = gw.public_url.clone();
    let check = args.check;
    let setup = agentgen_gateway::Setup {
        config: gw,
        catalog,
        published,
        prompts,
        instructions,
        retry,
    };
    if check {
        eprintln!(
            "agentgen serve: {} is valid: {title}, {operations} operations, connections: {}",
            args.config.display(),
            connections.join(", ")
        );
        return Ok(());
    }
    agentgen_gateway::run(setup, |addr, gateway| {
        for op in &gateway.unreachable {
            eprintln!("agentgen serve: warning: `{op}` has a parameter inside a path segment; it is not reachable over REST (use MCP)");
        }
        eprintln!(
            "agentgen serve: {title}: {operations} operations; listening on http://{addr} (agents use {public_url}); connections: {}; REST /c/<name>/…, MCP /mcp/<name>, prompts /prompt/<name>, {} discovery documents; audit lines to {audit}",
            connections.join(", "),
            gateway.documents(),
        );
    })
    .map_err(|e| agentgen::Error::msg("serve", e))
}
