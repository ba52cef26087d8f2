//! An MCP server (stdio, built on the official Rust SDK `rmcp`) for an API described by
//! agentgen's AgentSpec documents (`agentspec.json` and `ops/<tool>.json`).
//!
//! * [`catalog`]: the operations, deserialized from the AgentSpec documents.
//! * [`policy`]: what a connection may do: a ceiling on the safety class (`read` for a
//!   read-only connection), credentials withheld unless allowed, `private_metadata` hidden
//!   unless allowed.
//! * [`server`]: the MCP server: `progressive` mode (search / describe / call meta-tools) or
//!   `full` mode (one tool per operation, filterable by group); operations the policy
//!   refuses are neither listed, found, described nor called.
//! * [`backend`]: how a call reaches the API. [`HttpBackend`] performs the AgentSpec HTTP
//!   binding with the generated client's own runtime ([`runtime`], the `agentgen-runtime`
//!   crate that every generated crate depends on), so authentication, the API-version header, retries,
//!   typed API errors and secret handling are the generated client's code.
//! * [`validate`]: checks tool arguments against the operation's input schema before a
//!   request is sent.
//! * [`output`]: page-size caps, next-page hints and `private_metadata` removal.
//! * [`search`]: the ranking of `search_operations` (and of `agentgen search`): BM25F over
//!   the operation documents with stemming, stop words, synonyms and ID / email hints.
//!
//! This crate does not depend on `agentgen`: the `agentgen mcp` command generates the
//! documents in memory and hands them over.

pub use agentgen_runtime as runtime;
pub mod backend;
pub mod catalog;
pub mod output;
pub mod policy;
pub use runtime::redact;
pub mod search;
pub mod server;
pub mod validate;

pub use backend::{Backend, CallError, HttpBackend};
pub use catalog::{Catalog, Class, Operation};
pub use policy::{Policy, Refusal};
pub use server::{run_stdio, serve_stdio, Mode, Server, Settings};
