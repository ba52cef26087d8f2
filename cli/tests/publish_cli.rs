//! The `agentgen publish` subcommand: exit status, files written, deterministic output, and a
//! bad flag rejected.

use std::path::Path;

mod common;
use common::{agentgen, fixture};

#[test]
fn publish_writes_the_static_directory() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("publish-cli");
    let _ = std::fs::remove_dir_all(&out);
    let spec = fixture("accounts/spec.yaml");
    let args = ["publish", "--spec", &spec, "--out", out.to_str().unwrap()];
    let o = agentgen(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "llms.txt",
        ".well-known/agent-skills/index.json",
        "agentspec.json",
        "tools/mcp.tools.json",
        "skills/accounts-fixture-api/SKILL.md",
        "skills/accounts-fixture-api.tar.gz",
        "skills/accounts-fixture-api-readonly.tar.gz",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(!out.join("client").exists(), "agent documents only");
    let first = std::fs::read(out.join("skills/accounts-fixture-api.tar.gz")).unwrap();
    let o = agentgen(&args);
    assert!(o.status.success());
    let second = std::fs::read(out.join("skills/accounts-fixture-api.tar.gz")).unwrap();
    assert_eq!(first, second);
}

#[test]
fn publish_rejects_a_bad_flag_and_a_missing_spec() {
    let spec = fixture("accounts/spec.yaml");
    let o = agentgen(&["publish", "--spec", &spec, "--out", "x", "--bogus"]);
    assert_eq!(o.status.code(), Some(2), "clap usage error");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--bogus"));
    let o = agentgen(&["publish", "--spec", &spec]);
    assert_eq!(o.status.code(), Some(2), "--out is required");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("publish-cli-missing");
    let o = agentgen(&[
        "publish",
        "--spec",
        "/nonexistent/spec.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error:"));
    assert!(!out.exists());
}
