//! Shared helpers of the cross-stage tests in `tests/*.rs`.

mod mirror;
pub mod prism;

pub use mirror::{mirror, repo_root};
