//! agentgen: turn an OpenAPI spec (Clerk's Backend API first) into a typed Rust client crate.
//!
//! Every front end (the `agentgen` CLI, build scripts, the MCP server, tests) goes through
//! the same two steps: [`Inputs::load`] reads what a [`Config`] names (the spec, a webhooks
//! spec, overlays), then [`generate`] turns the texts into the files to write. `generate` is
//! pure: no file, network or environment access, no threads; writing is the caller's
//! (see [`mod@write`]).
//!
//! The stages, each a module: `load` (text → raw JSON, normalized, typed) → `lower`
//! (OpenAPI → the IR of [`ir`]) → `emit` (IR → the Rust client) and `agent` (IR → the agent
//! documents).
//!
//! # Features
//!
//! - `agent` (off by default): the agent documents — the modules `agent`, `example` and
//!   `publish`, and [`Config::emit_agent`] — with what only they need (minijinja,
//!   regex-syntax/regex-automata, tar, flate2). Without it the library generates the client,
//!   which is what a build script needs (`cargo add --build agentgen-core`); a [`Config`] that
//!   asks for the agent documents then makes [`generate`] fail with an [`Error`] naming the
//!   feature, never a silently missing `agent/` directory.
//!
//! ```no_run
//! let mut config = agentgen::Config::new("bapi/2026-05-12.yml");
//! // The client alone: `Config::new` also asks for the agent documents (under `agent/`),
//! // which need the `agent` feature.
//! config.emit_agent = false;
//! let inputs = agentgen::Inputs::load(&config)?;
//! let generated = agentgen::generate(&inputs, &config)?;
//! for (path, contents) in &generated.files {
//!     println!("{path}: {} bytes", contents.len());
//! }
//! # Ok::<(), agentgen::Error>(())
//! ```
#![warn(missing_docs)]

#[cfg(feature = "agent")]
pub mod agent;
pub mod builder;
pub mod check;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod emit;
mod error;
#[cfg(feature = "agent")]
pub mod example;
pub mod inputs;
pub mod inspect;
pub mod ir;
pub mod layout;
pub mod load;
pub mod lower;
pub mod naming;
pub mod normalize;
pub mod overlay;
pub mod pin;
mod pipeline;
#[cfg(feature = "agent")]
pub mod publish;
pub mod rustfmt;
pub mod timings;
mod unique_keys;
mod validate;
pub mod write;

/// The tests' repository and spec-mirror lookup, shared with the cross-stage tests.
#[cfg(test)]
#[path = "../../tests/src/mirror.rs"]
mod test_mirror;

pub use builder::{configure, Builder, Report};
pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};
pub use error::Error;
pub use inputs::{Inputs, Text};
pub use pipeline::{
    analyze, generate, generate_timed, load_and_analyze, load_and_generate, Generated,
};
pub use timings::Timings;
