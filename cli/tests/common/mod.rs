//! Helpers shared by the tests that run the `agentgen` binary.
// Each test crate includes this module and uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run the binary with `args`, without the spec mirror from the environment.
pub fn agentgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentgen"))
        .args(args)
        .env_remove("AGENTGEN_SPEC_MIRROR")
        .output()
        .expect("run agentgen")
}

/// Path of a file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// An empty scratch directory under the test target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Bytes as text, lossily.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The standard error of a run, as text.
pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}
