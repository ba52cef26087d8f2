//! The `agentgen` command line.

/// mimalloc instead of the system allocator: generation makes many small allocations from
/// three threads, and `agentgen generate` for Clerk's Backend API spends ~18% less user
/// CPU with mimalloc than with glibc's malloc (~8% less wall time). `no_thp` (no
/// transparent huge pages) keeps peak RSS near the system allocator's: ~50 MB instead of
/// ~85 MB. Only the binary sets it (default feature `mimalloc`); the library leaves the
/// allocator to its users.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use agentgen::{pin, Config, Severity};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(feature = "mcp")]
mod mcp_cmd;
#[cfg(feature = "mcp")]
mod search_cmd;
#[cfg(feature = "serve")]
mod serve_cmd;

/// Generate a typed Rust client and agent documents from an OpenAPI spec.
#[derive(Parser)]
#[command(name = "agentgen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the client crate (DIR/client/) and the agent documents (DIR/agent/).
    Generate(GenerateArgs),
    /// Write the agent documents as a static directory ready to host: skill folders and
    /// .tar.gz archives, .well-known/agent-skills/index.json (sha256 digests), agentspec.json,
    /// ops/, tools/, workflows/ and llms.txt as the entry point.
    Publish {
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Output directory (files not produced by this run are left alone).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        options: GenerateOptions,
    },
    /// Print the system prompt for an agent using a connection (a YAML or JSON document:
    /// name, secret_key, read_only, description, base_url). The key is never printed: only
    /// the environment its prefix names.
    ConnectionPrompt {
        /// The connection document.
        #[arg(long, value_name = "FILE")]
        connection: PathBuf,
        /// The spec (default: the pinned Clerk spec).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Directory whose `*.md.j2` templates replace the built-in ones of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Reviewed agent data (default: the file shipped for the spec, if any).
        #[arg(long, value_name = "FILE")]
        workflows: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        safety: Option<PathBuf>,
        /// The connection's URL on an `agentgen serve` gateway (`<gateway>/c/<connection>`):
        /// the prompt tells the agent to call it with its access token instead of the API
        /// with a key.
        #[arg(long, value_name = "URL")]
        gateway: Option<String>,
        /// An OpenAPI Overlay 1.0 document applied to the spec before loading (repeatable:
        /// in the order given).
        #[arg(long = "overlay", value_name = "FILE")]
        overlays: Vec<PathBuf>,
    },
    /// Serve the API over MCP on stdio for one connection (the document of
    /// `connection-prompt`; the key may instead come from the API's environment variable,
    /// e.g. CLERK_SECRET_KEY). A read-only connection lists and accepts only `read` operations.
    #[cfg(feature = "mcp")]
    Mcp {
        /// The connection document.
        #[arg(long, value_name = "FILE")]
        connection: PathBuf,
        /// The spec (default: the pinned Clerk spec).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// `progressive`: three tools (search, describe, call) for small contexts;
        /// `full`: one tool per operation.
        #[arg(long, value_enum, default_value_t = McpMode::Progressive)]
        mode: McpMode,
        /// Only these operation groups, e.g. `users,organizations`.
        #[arg(long, value_delimiter = ',', value_name = "GROUPS")]
        groups: Vec<String>,
        /// Server URL (default: the connection's `base_url`, else the spec's).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// As for `generate`.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        workflows: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        safety: Option<PathBuf>,
        /// An OpenAPI Overlay 1.0 document applied to the spec before loading (repeatable:
        /// in the order given).
        #[arg(long = "overlay", value_name = "FILE")]
        overlays: Vec<PathBuf>,
    },
    /// Run the connection gateway: agents call the API (REST under /c/<connection>/, MCP
    /// over Streamable HTTP at /mcp/<connection>) with an access token; the gateway holds
    /// the keys and enforces each connection's read_only / max_class / allow_secrets before
    /// anything is sent. Also serves the published agent documents and /healthz.
    #[cfg(feature = "serve")]
    Serve {
        /// The configuration file (TOML, or YAML/JSON): listen address and connections.
        #[arg(long, value_name = "FILE", required_unless_present = "hash_token")]
        config: Option<PathBuf>,
        /// Print the `sha256:` hash of the access token on standard input (for the
        /// configuration's `access_tokens`) and exit.
        #[arg(long, conflicts_with_all = ["config", "check"])]
        hash_token: bool,
        /// Check the configuration and build everything, then exit without serving.
        #[arg(long)]
        check: bool,
        /// The spec (default: the pinned Clerk spec).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        workflows: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        safety: Option<PathBuf>,
        /// An OpenAPI Overlay 1.0 document applied to the spec before loading (repeatable:
        /// in the order given).
        #[arg(long = "overlay", value_name = "FILE")]
        overlays: Vec<PathBuf>,
    },
    /// Find operations by what you want to do (`agentgen search find user by email`), ranked
    /// as the MCP server's `search_operations` ranks them: relevance over names, titles,
    /// descriptions, parameters and response fields, with stemming and synonyms; IDs
    /// (`user_2abc...`) and email addresses in the query count.
    #[cfg(feature = "mcp")]
    Search {
        /// What to look for (several words need no quotes; an empty query lists everything).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// The spec (default: the pinned Clerk spec).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// How many results.
        #[arg(long, value_name = "N", default_value_t = 10)]
        limit: usize,
        /// Only `read` operations, as a read-only connection sees them.
        #[arg(long)]
        read_only: bool,
        /// Only operations of this group.
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// Output format: `json` is the `search_operations` result.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        workflows: Option<PathBuf>,
        /// An OpenAPI Overlay 1.0 document applied to the spec before loading (repeatable:
        /// in the order given).
        #[arg(long = "overlay", value_name = "FILE")]
        overlays: Vec<PathBuf>,
    },
    /// Print a summary of the IR: operations, types, groups, untyped JSON fields, operations
    /// that return credentials, diagnostics.
    Inspect {
        /// The spec (default: the pinned Clerk spec).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_name = "FILE")]
        safety: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// An OpenAPI Overlay 1.0 document applied to the spec before loading (repeatable:
        /// in the order given).
        #[arg(long = "overlay", value_name = "FILE")]
        overlays: Vec<PathBuf>,
    },
    /// Write a change report between two specs: operations, parameters, fields, enum values
    /// and types added, removed or changed, each classified, with a semver suggestion.
    Diff {
        /// The old spec.
        old: PathBuf,
        /// The new spec.
        new: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
        /// Current version of the generated crate (for the semver suggestion).
        #[arg(long, value_name = "VERSION", default_value = "0.1.0")]
        crate_version: String,
        /// Write the report to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Fail unless the pinned spec matches its sha256 and the outputs under DIR are what
    /// `generate` (with the same options) produces now.
    Check {
        /// Check outputs generated from this spec instead of the pinned one (its sha256 is
        /// then not checked).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Directory written by `agentgen generate --out DIR`; without it only the pinned
        /// spec is checked.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// As for `generate`.
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = vec![Output::Client, Output::Agent])]
        outputs: Vec<Output>,
        #[command(flatten)]
        options: GenerateOptions,
    },
}

/// The options that decide what `generate` produces, shared by `generate`, `publish` and
/// `check` (which must regenerate exactly what `generate` wrote).
#[derive(Args)]
struct GenerateOptions {
    /// Name of the generated crate (default: from the spec title).
    #[arg(long)]
    crate_name: Option<String>,
    /// Reviewed safety decisions (YAML: operationId -> {class, reason, idempotent,
    /// credential, no_credential}). Default: the file shipped for the spec, if any.
    #[arg(long, value_name = "FILE")]
    safety: Option<PathBuf>,
    /// Directory whose `*.md.j2` templates replace the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Reviewed agent data (YAML: key prefixes, open-world operations, gotchas,
    /// workflows). Default: the file shipped for the spec, if any.
    #[arg(long, value_name = "FILE")]
    workflows: Option<PathBuf>,
    /// Merge the webhooks (`x-webhooks`) of this spec into the client and documents.
    #[arg(long, value_name = "FILE", conflicts_with = "clerk_webhooks")]
    webhooks_spec: Option<PathBuf>,
    /// Merge the webhooks of the pinned Clerk webhooks spec (spec/clerk-webhooks.yaml).
    #[arg(long)]
    clerk_webhooks: bool,
    /// An OpenAPI Overlay 1.0 document applied to the spec before loading (repeatable: in
    /// the order given); see README "Overlays".
    #[arg(long = "overlay", value_name = "FILE")]
    overlays: Vec<PathBuf>,
}

impl GenerateOptions {
    /// The configuration for the spec at `path` with these options.
    fn config(self, path: &Path) -> Result<Config, agentgen::Error> {
        let mut config = Config::new(path);
        config.webhooks_spec = webhooks_path(self.webhooks_spec, self.clerk_webhooks)?;
        config.crate_name = self.crate_name;
        config.overlays = self.overlays;
        if let Some(dir) = &self.templates {
            config.templates = agentgen::inputs::read_templates(dir)?;
        }
        config.agent_data = self.workflows.as_deref().map(read_file).transpose()?;
        with_safety(config, self.safety)
    }
}

/// The layout of the Rust files of `files`, to be written to or compared with `out`, and how
/// `files` then compare with `out`: laid out by rustfmt when `rustfmt` (warning on stderr
/// when it is not installed); else as printed, except files on disk that differ only in
/// rustfmt's layout, which are kept.
fn layout(
    files: &mut std::collections::BTreeMap<String, String>,
    out: &Path,
    rustfmt: bool,
) -> Result<agentgen::write::TreeCheck, agentgen::Error> {
    if rustfmt {
        if let Some(warning) = agentgen::rustfmt::format_files(files, out)?.warning() {
            eprintln!("{warning}");
        }
    }
    let mut check = agentgen::write::compare(out, files);
    if !rustfmt {
        agentgen::rustfmt::keep_formatted(files, out, &mut check)?;
    }
    Ok(check)
}

/// Where the commands that serve agent documents (`connection-prompt`, `mcp`, `serve`) get
/// them: the spec and the reviewed data beside it.
pub struct DocumentSource {
    /// The spec (the pinned one when `--spec` is not given).
    pub spec: PathBuf,
    /// `--templates DIR`.
    pub templates: Option<PathBuf>,
    /// The text of `--workflows FILE`.
    pub agent_data: Option<String>,
    /// `--safety FILE`.
    pub safety: Option<PathBuf>,
    /// `--overlay FILE`, in order.
    pub overlays: Vec<PathBuf>,
}

impl DocumentSource {
    /// From the command-line options: `--spec` (default: the pinned spec), `--templates`,
    /// `--workflows` (read here), `--safety`, `--overlay`.
    fn new(
        spec: Option<PathBuf>,
        templates: Option<PathBuf>,
        workflows: Option<PathBuf>,
        safety: Option<PathBuf>,
        overlays: Vec<PathBuf>,
    ) -> Result<Self, agentgen::Error> {
        Ok(DocumentSource {
            spec: spec_path(spec)?,
            templates,
            agent_data: workflows.as_deref().map(read_file).transpose()?,
            safety,
            overlays,
        })
    }

    /// The configuration that generates the agent documents (no client); its `spec_path`
    /// is [`DocumentSource::spec`].
    pub fn into_config(self) -> Result<Config, agentgen::Error> {
        let mut config = with_safety(Config::new(&self.spec), self.safety)?;
        config.emit_client = false;
        config.emit_agent = true;
        config.overlays = self.overlays;
        if let Some(dir) = &self.templates {
            config.templates = agentgen::inputs::read_templates(dir)?;
        }
        config.agent_data = self.agent_data;
        Ok(config)
    }
}

/// The runtime's retry policy from the spec's (`x-speakeasy-retries`), for the MCP server and
/// the gateway alike.
#[cfg(any(feature = "mcp", feature = "serve"))]
fn retry_config(r: &agentgen::ir::RetryInfo) -> agentgen_mcp::runtime::RetryConfig {
    agentgen_mcp::runtime::RetryConfig {
        initial_interval_ms: r.initial_interval_ms,
        max_interval_ms: r.max_interval_ms,
        exponent: r.exponent,
        max_elapsed_ms: r.max_elapsed_ms,
        max_attempts: r.max_attempts,
        retry_5xx: r.retry_5xx,
        retry_connection_errors: r.retry_connection_errors,
    }
}

/// `config` with the reviewed safety file at `safety`, when given.
fn with_safety(config: Config, safety: Option<PathBuf>) -> Result<Config, agentgen::Error> {
    match safety {
        Some(s) => config.safety_file(&s),
        None => Ok(config),
    }
}

#[cfg(feature = "mcp")]
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum McpMode {
    Progressive,
    Full,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Markdown,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Client,
    Agent,
}

fn read_file(p: &Path) -> Result<String, agentgen::Error> {
    std::fs::read_to_string(p)
        .map_err(|e| agentgen::Error::msg(p.display().to_string(), format!("cannot read: {e}")))
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The webhooks spec to merge: the file given, else the pinned Clerk one when asked for.
fn webhooks_path(file: Option<PathBuf>, clerk: bool) -> Result<Option<PathBuf>, agentgen::Error> {
    match (file, clerk) {
        (Some(p), _) => Ok(Some(p)),
        (None, true) => pin::resolve(&pin::Pin::clerk_webhooks()).map(Some),
        (None, false) => Ok(None),
    }
}

fn spec_path(spec: Option<PathBuf>) -> Result<PathBuf, agentgen::Error> {
    match spec {
        Some(p) => Ok(p),
        None => pin::resolve(&pin::Pin::default_pin()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), agentgen::Error> {
    match cli.command {
        Command::Generate(args) => generate(args),
        Command::Publish { spec, out, options } => publish(spec, out, options),
        Command::ConnectionPrompt {
            connection,
            spec,
            templates,
            workflows,
            safety,
            gateway,
            overlays,
        } => connection_prompt(
            connection,
            DocumentSource::new(spec, templates, workflows, safety, overlays)?,
            gateway,
        ),
        #[cfg(feature = "mcp")]
        Command::Mcp {
            connection,
            spec,
            mode,
            groups,
            base_url,
            templates,
            workflows,
            safety,
            overlays,
        } => mcp_cmd::run(mcp_cmd::McpArgs {
            connection,
            full: mode == McpMode::Full,
            groups,
            base_url,
            source: DocumentSource::new(spec, templates, workflows, safety, overlays)?,
        }),
        #[cfg(feature = "serve")]
        Command::Serve {
            hash_token: true, ..
        } => serve_cmd::hash_token(),
        #[cfg(feature = "serve")]
        Command::Serve {
            config,
            check,
            spec,
            templates,
            workflows,
            safety,
            overlays,
            ..
        } => serve_cmd::run(serve_cmd::ServeArgs {
            config: config.expect("clap requires --config without --hash-token"),
            source: DocumentSource::new(spec, templates, workflows, safety, overlays)?,
            check,
        }),
        #[cfg(feature = "mcp")]
        Command::Search {
            query,
            spec,
            limit,
            read_only,
            group,
            format,
            workflows,
            overlays,
        } => search_cmd::run(search_cmd::SearchArgs {
            query: query.join(" "),
            spec: spec_path(spec)?,
            limit,
            read_only,
            group,
            json: matches!(format, Format::Json),
            agent_data: workflows.as_deref().map(read_file).transpose()?,
            overlays,
        }),
        Command::Inspect {
            spec,
            safety,
            format,
            overlays,
        } => inspect(spec, safety, format, overlays),
        Command::Diff {
            old,
            new,
            format,
            crate_version,
            out,
        } => diff(&old, &new, format, crate_version, out),
        Command::Check {
            spec,
            out,
            outputs,
            options,
        } => check(spec, out, outputs, options),
    }
}

/// The arguments of `agentgen generate`.
#[derive(clap::Args)]
struct GenerateArgs {
    /// The spec (YAML or JSON). Default: the pinned Clerk spec (see spec/clerk-bapi.yaml),
    /// found through AGENTGEN_SPEC_MIRROR, the cache, or a download; its sha256 is checked.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Output directory; the crate goes to DIR/client/.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    options: GenerateOptions,
    /// Print notes as well as warnings.
    #[arg(long)]
    verbose: bool,
    /// What to write: `client` (DIR/client/), `agent` (DIR/agent/), or both.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = vec![Output::Client, Output::Agent])]
    outputs: Vec<Output>,
    /// Print how long each phase took to stderr (also: AGENTGEN_TIMINGS=1).
    #[arg(long)]
    timings: bool,
    /// Lay the Rust files out with rustfmt (RUSTFMT, or rustfmt on PATH, with the
    /// rustfmt.toml found from the output directory), as `cargo fmt` would. Without it
    /// they are as prettyplease prints them, and files on disk that differ only in
    /// rustfmt's layout are left as they are.
    #[arg(long)]
    rustfmt: bool,
}

/// `agentgen generate`: the client crate and the agent documents into a directory.
fn generate(args: GenerateArgs) -> Result<(), agentgen::Error> {
    let GenerateArgs {
        spec,
        out,
        options,
        verbose,
        outputs,
        timings,
        rustfmt,
    } = args;
    let show_timings = timings || std::env::var_os("AGENTGEN_TIMINGS").is_some_and(|v| v != "0");
    let mut phases = agentgen::Timings::default();
    let path = phases.time("resolve spec", || spec_path(spec))?;
    let mut config = options.config(&path)?;
    config.emit_client = outputs.contains(&Output::Client);
    config.emit_agent = outputs.contains(&Output::Agent);
    let inputs = phases.time("read", || agentgen::Inputs::load(&config))?;
    let mut generated = agentgen::generate_timed(&inputs, &config, &mut phases)?;
    let check = phases.time("compare and rustfmt", || {
        layout(&mut generated.files, &out, rustfmt)
    })?;
    let written = phases.time("write", || {
        agentgen::write::apply(&out, &generated.files, &check)
    })?;
    let label = path.display().to_string();
    for d in &generated.diagnostics {
        if verbose || d.severity != Severity::Note {
            eprintln!("{}", d.render(&label));
        }
    }
    if show_timings {
        eprint!("{}", phases.render());
    }
    let notes = generated
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Note)
        .count();
    let warnings = generated.diagnostics.len() - notes;
    eprintln!(
        "generated {} operations, {} types into {} ({} files written, {} unchanged, {} removed; {} warnings, {} notes)",
        generated.api.operations.len(),
        generated.api.types.len(),
        out.display(),
        written.written.len(),
        written.unchanged.len(),
        written.removed.len(),
        warnings,
        notes
    );
    Ok(())
}

/// `agentgen connection-prompt`: the prompt that tells an agent how to use a connection.
fn connection_prompt(
    connection: PathBuf,
    source: DocumentSource,
    gateway: Option<String>,
) -> Result<(), agentgen::Error> {
    let text = read_file(&connection)?;
    let config = source.into_config()?;
    let (api, _) = agentgen::load_and_analyze(&config)?;
    let mut options = agentgen::agent::connection::PromptOptions::full();
    if let Some(url) = gateway {
        options = options.through_gateway(url);
    }
    let prompt = agentgen::agent::connection_prompt(&api, &config, &text, &options)
        .map_err(|e| agentgen::Error::msg(connection.display().to_string(), e))?;
    print!("{prompt}");
    Ok(())
}

/// `agentgen inspect`: what the generator makes of a spec.
fn inspect(
    spec: Option<PathBuf>,
    safety: Option<PathBuf>,
    format: Format,
    overlays: Vec<PathBuf>,
) -> Result<(), agentgen::Error> {
    let path = spec_path(spec)?;
    let mut config = with_safety(Config::new(&path), safety)?;
    config.overlays = overlays;
    let (api, diags) = agentgen::load_and_analyze(&config)?;
    let summary = agentgen::inspect::summarize(&api, diags);
    match format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&summary)
                .map_err(|e| agentgen::Error::msg("inspect", e.to_string()))?;
            println!("{text}");
        }
        Format::Text => {
            println!("{} {}", summary.title, summary.version);
            println!("operations: {}", summary.operations);
            println!(
                "  read: {}, write: {}, destructive: {}",
                summary.safety.read, summary.safety.write, summary.safety.destructive
            );
            println!("types: {}", summary.types);
            println!("groups: {}", summary.groups.len());
            for g in &summary.groups {
                println!("  {:<28} {}", g.name, g.operations);
            }
            println!("untyped JSON fields: {}", summary.json_value_fields.len());
            let withheld: Vec<_> = summary.credentials.iter().filter(|c| c.withheld).collect();
            println!(
                "credentials: {} operations withheld without allow_secrets",
                withheld.len()
            );
            for c in &summary.credentials {
                println!(
                    "  {:<40} {:<11} {:<9} {}{}",
                    c.operation,
                    c.class.as_str(),
                    c.source,
                    if c.withheld { "" } else { "not withheld: " },
                    c.reason
                );
            }
            println!("diagnostics: {}", summary.diagnostics.len());
        }
    }
    Ok(())
}

/// `agentgen diff`: what changed between two specs, breaking or additive.
fn diff(
    old: &std::path::Path,
    new: &std::path::Path,
    format: ReportFormat,
    crate_version: String,
    out: Option<PathBuf>,
) -> Result<(), agentgen::Error> {
    let options = agentgen::diff::DiffOptions { crate_version };
    let report = agentgen::diff::diff_files(old, new, &options)?;
    let text = match format {
        ReportFormat::Markdown => agentgen::diff::markdown(&report),
        ReportFormat::Json => report.to_json() + "\n",
    };
    match out {
        Some(file) => std::fs::write(&file, text)
            .map_err(|e| agentgen::Error::msg(file.display().to_string(), e.to_string()))?,
        None => print!("{text}"),
    }
    eprintln!(
        "{}",
        agentgen::diff::summary_line(&report).replace("**", "")
    );
    Ok(())
}

/// `agentgen publish`: the agent documents only, as a static directory.
fn publish(
    spec: Option<PathBuf>,
    out: PathBuf,
    options: GenerateOptions,
) -> Result<(), agentgen::Error> {
    let path = spec_path(spec)?;
    let mut config = options.config(&path)?;
    config.emit_client = false;
    config.emit_agent = true;
    let generated = agentgen::load_and_generate(&config)?;
    let label = path.display().to_string();
    for d in &generated.diagnostics {
        if d.severity != Severity::Note {
            eprintln!("{}", d.render(&label));
        }
    }
    let files = agentgen::publish::publish(&generated.api.info, &generated.files)
        .map_err(|e| agentgen::Error::msg(&label, e))?;
    agentgen::write::write(&out, &files)?;
    eprintln!("published {} files into {}", files.len(), out.display());
    Ok(())
}

/// `agentgen check`: prints a summary; fails when anything is off.
fn check(
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    outputs: Vec<Output>,
    options: GenerateOptions,
) -> Result<(), agentgen::Error> {
    use agentgen::check::{pinned_spec, render_tree, PinCheck};
    let mut problems = 0;
    let path = match spec {
        Some(p) => {
            println!(
                "spec {}: given with --spec (not the pin; sha256 not checked)",
                p.display()
            );
            Some(p)
        }
        None => {
            let pin = pin::Pin::default_pin();
            match pinned_spec(&pin) {
                PinCheck::Ok { path, sha256 } => {
                    println!(
                        "pinned spec {} {}: sha256 {} matches ({})",
                        pin.name,
                        pin.version,
                        &sha256[..12],
                        path.display()
                    );
                    Some(path)
                }
                PinCheck::Failed(msg) => {
                    problems += 1;
                    println!("pinned spec {} {}: FAILED\n{msg}", pin.name, pin.version);
                    None
                }
            }
        }
    };
    if let Some(out) = &out {
        match &path {
            None => println!("outputs in {}: not checked (no usable spec)", out.display()),
            Some(path) => {
                // The same options as `generate`.
                let mut config = options.config(path)?;
                config.emit_client = outputs.contains(&Output::Client);
                config.emit_agent = outputs.contains(&Output::Agent);
                let mut generated = agentgen::load_and_generate(&config)?;
                let tree = layout(&mut generated.files, out, false)?;
                println!("{}", render_tree(out, &tree));
                if !tree.is_clean() {
                    problems += 1;
                    println!(
                        "regenerate with `agentgen generate --out {}` (and the same options)",
                        out.display()
                    );
                }
            }
        }
    }
    if problems > 0 {
        return Err(agentgen::Error::msg(
            "check",
            format!("{problems} problem(s), see above"),
        ));
    }
    println!("check passed");
    Ok(())
}
