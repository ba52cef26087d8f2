//! Shared helpers of the cross-stage tests in `tests/*.rs`.

mod mirror;
pub mod prism;

pub use mirror::{mirror, repo_root};

/// The config every front end uses for a fixture spec: the crate is `fixture-<case>`, with the
/// reviewed agent data (`workflows.yaml`) and safety decisions (`safety.yaml`) beside the
/// spec when the case has them.
pub fn fixture_config(case: &str, spec: &std::path::Path) -> agentgen::Config {
    let mut c = agentgen::Config::new(spec).crate_name(format!("fixture-{case}"));
    c.agent_data = std::fs::read_to_string(spec.with_file_name("workflows.yaml")).ok();
    if let Ok(text) = std::fs::read_to_string(spec.with_file_name("safety.yaml")) {
        c = c
            .safety_overrides_yaml(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", spec.with_file_name("safety.yaml").display()));
    }
    c
}

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
