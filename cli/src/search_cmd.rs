//! `agentgen search QUERY`: the operation search of the MCP server's `search_operations`, for
//! people and skill users. The AgentSpec documents are generated in memory as `agentgen mcp`
//! does, and ranked by the same code (`agentgen_mcp::search`).

use agentgen::Config;
use agentgen_mcp::search::Index;
use agentgen_mcp::Catalog;
use serde_json::Value;
use std::path::PathBuf;

/// Options of `agentgen search`.
pub struct SearchArgs {
    pub query: String,
    pub spec: PathBuf,
    pub limit: usize,
    pub read_only: bool,
    pub group: Option<String>,
    pub json: bool,
    pub agent_data: Option<String>,
    /// OpenAPI Overlay documents applied to the spec (`--overlay`).
    pub overlays: Vec<PathBuf>,
}

pub fn run(args: SearchArgs) -> Result<(), agentgen::Error> {
    let mut config = Config::new(&args.spec);
    config.emit_client = false;
    config.emit_agent = true;
    config.agent_data = args.agent_data;
    config.overlays = args.overlays;
    let (api, _) = agentgen::load_and_analyze(&config)?;
    let spec_label = args.spec.display().to_string();
    let files = agentgen::agent::agentspec_documents(&api, &config)
        .map_err(|e| agentgen::Error::msg(&spec_label, e))?;
    let catalog =
        Catalog::from_documents(&files).map_err(|e| agentgen::Error::msg("agent documents", e))?;
    if let Some(g) = &args.group {
        let known = catalog.group_names();
        if !known.contains(&g.as_str()) {
            return Err(agentgen::Error::msg(
                "--group",
                format!("unknown group `{g}`; the groups are: {}", known.join(", ")),
            ));
        }
    }
    // Every operation, or those a read-only connection sees (`read`, no credentials).
    let read_only = agentgen_mcp::Policy::read_only();
    let visible: Vec<usize> = catalog
        .operations
        .iter()
        .enumerate()
        .filter(|(_, op)| !args.read_only || read_only.permits(op))
        .map(|(i, _)| i)
        .collect();
    let index = Index::new(&catalog, &visible);
    let page = index.page(&catalog, &args.query, args.group.as_deref(), 0, args.limit);
    if args.json {
        let text = serde_json::to_string_pretty(&page)
            .map_err(|e| agentgen::Error::msg("search", e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    let results = page["results"].as_array().cloned().unwrap_or_default();
    let str_of = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let width = results
        .iter()
        .map(|r| str_of(r, "name").len())
        .max()
        .unwrap_or(0);
    for (i, r) in results.iter().enumerate() {
        let why = str_of(r, "why");
        println!(
            "{:>2}. {:<width$}  {:<11}  {}{}",
            i + 1,
            str_of(r, "name"),
            str_of(r, "class"),
            str_of(r, "summary"),
            if why.is_empty() {
                String::new()
            } else {
                format!("  ({why})")
            },
        );
    }
    let total = page["total"].as_u64().unwrap_or(0);
    if total == 0 {
        println!("{}", str_of(&page, "hint"));
    } else {
        println!(
            "{} of {total} matching operations (of {} searched){}",
            results.len(),
            index.len(),
            if args.read_only { ", read-only" } else { "" }
        );
    }
    Ok(())
}
