//! agentgen: turn an OpenAPI spec (Clerk's Backend API first) into a typed Rust client crate.
//!
//! One pure entry point, [`generate`], sits behind every front-end (the `agentgen` CLI, build
//! scripts, tests): it reads the spec and returns the files to write, without writing anything.
//!
//! ```no_run
//! let config = agentgen::Config::new("bapi/2026-05-12.yml");
//! let generated = agentgen::generate(&config)?;
//! for (path, contents) in &generated.files {
//!     println!("{path}: {} bytes", contents.len());
//! }
//! # Ok::<(), agentgen::Error>(())
//! ```
#![warn(missing_docs)]

pub mod agent;
pub mod builder;
pub mod check;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod emit;
mod error;
pub mod example;
pub mod inspect;
pub mod ir;
pub mod layout;
pub mod load;
pub mod lower;
pub mod naming;
pub mod pin;
pub mod publish;
mod unique_keys;
mod validate;

pub use builder::{configure, Builder, Report};
pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};
pub use error::Error;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The result of generation: files by relative path, plus diagnostics.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Relative path (`client/src/lib.rs`) -> contents, ordered.
    pub files: BTreeMap<String, String>,
    /// Findings that did not stop generation (warnings, notes).
    pub diagnostics: Vec<Diagnostic>,
    /// Files read (for `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    /// The IR the files were generated from.
    pub api: ir::Api,
}

/// Read and lower the spec named by `config` into the IR, with diagnostics.
pub fn analyze(config: &Config) -> Result<(ir::Api, Vec<Diagnostic>, Vec<PathBuf>), Error> {
    let label = config.spec_path.display().to_string();
    let (text, inputs) = match &config.spec_text {
        Some(t) => (t.clone(), Vec::new()),
        None => {
            let text = std::fs::read_to_string(&config.spec_path)
                .map_err(|e| Error::msg(&label, format!("cannot read the spec: {e}")))?;
            (text, vec![config.spec_path.clone()])
        }
    };
    let mut diags = diagnostics::Diagnostics::default();
    let fail = |mut diags: diagnostics::Diagnostics, text: &str| {
        let lines: Vec<&str> = text.lines().collect();
        diags.locate(|p| load::yaml_line_in(&lines, p));
        let all = diags.into_sorted();
        Error::with_diagnostics(&label, "the spec cannot be used", all)
    };
    let Some(raw) = load::parse_text(&text, &mut diags) else {
        return Err(fail(diags, &text));
    };
    let Some(loaded) = load::load(raw, &mut diags) else {
        return Err(fail(diags, &text));
    };
    let api = lower::lower(&loaded.doc, config, &mut diags);
    if diags.has_errors() {
        return Err(fail(diags, &text));
    }
    let lines: Vec<&str> = text.lines().collect();
    diags.locate(|p| load::yaml_line_in(&lines, p));
    Ok((api, diags.into_sorted(), inputs))
}

/// Generate every output for `config`. Pure: reads the spec, writes nothing.
pub fn generate(config: &Config) -> Result<Generated, Error> {
    let (api, mut diagnostics, inputs) = analyze(config)?;
    let mut files = BTreeMap::new();
    if config.emit_client {
        let label = config.spec_path.display().to_string();
        let client = emit::client(&api).map_err(|e| Error::msg(&label, e))?;
        if config.layout == layout::Layout::OutDir {
            let out = layout::out_dir_files(&api.info.crate_name, &client)
                .map_err(|e| Error::msg(&label, e))?;
            files.extend(out);
        } else {
            for (path, contents) in client {
                files.insert(format!("client/{path}"), contents);
            }
        }
    }
    if config.emit_agent {
        let label = config.spec_path.display().to_string();
        let (agent, warnings) = agent::generate(&api, config).map_err(|e| Error::msg(label, e))?;
        for (path, contents) in agent {
            files.insert(format!("agent/{path}"), contents);
        }
        diagnostics.extend(warnings);
    }
    Ok(Generated {
        files,
        diagnostics,
        inputs,
        api,
    })
}
