//! Where the repository and Clerk's spec mirror are, for tests. Std only: it is also
//! included with `#[path]` by the generator's own tests (`generator/tests/*.rs` and the
//! library's test modules), which cannot depend on this crate.

use std::path::{Path, PathBuf};

/// The repository root (the parent of the package directory: `generator/` or `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the package directory has a parent")
        .to_path_buf()
}

/// The local mirror of Clerk's spec repository: `AGENTGEN_SPEC_MIRROR` (relative paths are
/// taken from the repository root), else `../shared/spec/clerk` next to the checkout.
/// Panics with a message saying how to provide it when it is missing.
pub fn mirror() -> PathBuf {
    let dir = std::env::var_os("AGENTGEN_SPEC_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/spec/clerk"));
    let dir = if dir.is_relative() {
        repo_root().join(dir)
    } else {
        dir
    };
    assert!(
        dir.join("bapi/2026-05-12.yml").is_file(),
        "Clerk spec mirror not found at {}: set AGENTGEN_SPEC_MIRROR to a directory laid out like github.com/clerk/openapi-specs",
        dir.display()
    );
    dir
}
