//! Shared helpers of the cross-stage tests in `tests/*.rs`.

mod mirror;
pub mod prism;

pub use mirror::{mirror, repo_root};

/// Run `cargo <args>` in `dir` with its own target directory, rustdoc warnings denied and the
/// caller's `RUSTFLAGS` dropped; panics with cargo's output unless it succeeds. Returns stdout.
pub fn cargo_in(dir: &std::path::Path, args: &[&str], target: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "`cargo {}` failed in {}:\n{}\n{stdout}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
