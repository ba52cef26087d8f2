//! The `agentgen` command line.

use agentgen::{pin, Config, Severity};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Generate a typed Rust client (and, later, agent documents) from an OpenAPI spec.
#[derive(Parser)]
#[command(name = "agentgen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the client crate into DIR/client/.
    Generate {
        /// The spec (YAML or JSON). Default: the pinned Clerk spec (see spec/clerk-bapi.yaml),
        /// found through AGENTGEN_SPEC_MIRROR, the cache, or a download; its sha256 is checked.
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Output directory; the crate goes to DIR/client/.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Name of the generated crate (default: from the spec title).
        #[arg(long)]
        crate_name: Option<String>,
        /// Reviewed safety overrides (YAML: operationId -> {class, reason, idempotent}).
        #[arg(long, value_name = "FILE")]
        safety: Option<PathBuf>,
        /// Print notes as well as warnings.
        #[arg(long)]
        verbose: bool,
    },
    /// Print a summary of the IR: operations, types, groups, untyped JSON fields, diagnostics.
    Inspect {
        /// The spec (default: the pinned Clerk spec).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
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
        Command::Generate {
            spec,
            out,
            crate_name,
            safety,
            verbose,
        } => {
            let path = spec_path(spec)?;
            let mut config = Config::new(&path);
            config.crate_name = crate_name;
            if let Some(s) = safety {
                let text = std::fs::read_to_string(&s).map_err(|e| {
                    agentgen::Error::msg(s.display().to_string(), format!("cannot read: {e}"))
                })?;
                config = config
                    .safety_overrides_yaml(&text)
                    .map_err(|e| agentgen::Error::msg(s.display().to_string(), e))?;
            }
            let generated = agentgen::generate(&config)?;
            let label = path.display().to_string();
            for d in &generated.diagnostics {
                if verbose || d.severity != Severity::Note {
                    eprintln!("{}", d.render(&label));
                }
            }
            let written = write_tree(&out, &generated.files)?;
            let notes = generated
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Note)
                .count();
            let warnings = generated.diagnostics.len() - notes;
            eprintln!(
                "generated {} operations, {} types into {} ({} files written, {} unchanged; {} warnings, {} notes)",
                generated.api.operations.len(),
                generated.api.types.len(),
                out.display(),
                written,
                generated.files.len() - written,
                warnings,
                notes
            );
            Ok(())
        }
        Command::Inspect { spec, format } => {
            let path = spec_path(spec)?;
            let (api, diags, _) = agentgen::analyze(&Config::new(&path))?;
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
                    println!("diagnostics: {}", summary.diagnostics.len());
                }
            }
            Ok(())
        }
    }
}

/// Write files under `out`, skipping unchanged ones; remove stale generated files under the
/// directories we own. Returns the number of files written.
fn write_tree(
    out: &Path,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<usize, agentgen::Error> {
    let err =
        |p: &Path, e: std::io::Error| agentgen::Error::msg(p.display().to_string(), e.to_string());
    let mut written = 0;
    for (rel, contents) in files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| err(parent, e))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() == Some(contents.as_str()) {
            continue;
        }
        std::fs::write(&path, contents).map_err(|e| err(&path, e))?;
        written += 1;
    }
    let owned: std::collections::BTreeSet<&str> =
        files.keys().filter_map(|k| k.split('/').next()).collect();
    for top in owned {
        remove_stale(&out.join(top), out, files);
    }
    Ok(written)
}

fn remove_stale(dir: &Path, out: &Path, files: &std::collections::BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            remove_stale(&path, out, files);
            continue;
        }
        let Ok(rel) = path.strip_prefix(out) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if files.contains_key(&rel) {
            continue;
        }
        let generated = std::fs::read_to_string(&path)
            .map(|t| t.starts_with("// @generated by agentgen"))
            .unwrap_or(false);
        if generated {
            let _ = std::fs::remove_file(&path);
        }
    }
}
