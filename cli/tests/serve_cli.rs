//! `agentgen serve`'s front end without a running server: `--check` builds everything from
//! a configuration and says what it would serve; a bad configuration is refused with the file,
//! line or key path named; `--hash-token` hashes standard input. The key appears in none of
//! their outputs.
#![cfg(feature = "serve")]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

mod common;
use common::{fixture, scratch, text};

const KEY: &str = "sk_live_ServeCliSecret7788";
const HASH: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn serve(args: &[&str], env_key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agentgen"));
    cmd.arg("serve")
        .args(args)
        .env_remove("AGENTGEN_SPEC_MIRROR");
    match env_key {
        Some(k) => cmd.env("SERVE_CLI_KEY", k),
        None => cmd.env_remove("SERVE_CLI_KEY"),
    };
    let o = cmd.output().expect("run agentgen serve");
    for out in [&o.stdout, &o.stderr] {
        assert!(!text(out).contains("ServeCliSecret"), "{}", text(out));
    }
    o
}

#[test]
fn check_builds_the_gateway_and_names_each_connection() {
    let dir = scratch("serve-cli-check");
    let config = dir.join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\n\n[[connections]]\nname = \"support\"\nkey_env = \"SERVE_CLI_KEY\"\nread_only = true\naccess_tokens = [\"{HASH}\"]\n\n[[connections]]\nname = \"onboarding\"\nkey = \"{KEY}\"\nmax_class = \"write\"\naccess_tokens = [\"{HASH}\"]\n"
        ),
    )
    .unwrap();
    let spec = fixture("accounts/spec.yaml");
    let args = [
        "--config",
        config.to_str().unwrap(),
        "--spec",
        &spec,
        "--check",
    ];
    let o = serve(&args, Some(KEY));
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("is valid"), "{err}");
    assert!(
        err.contains("support (read-only, credentials withheld)")
            && err.contains("onboarding (max_class write, credentials withheld)"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    // `--overlay` applies to the spec it serves, as on every command that takes `--spec`.
    let overlay = dir.join("overlay.yaml");
    std::fs::write(
        &overlay,
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: {title: Overlaid Accounts}\n",
    )
    .unwrap();
    let mut with_overlay = args.to_vec();
    with_overlay.extend(["--overlay", overlay.to_str().unwrap()]);
    let o = serve(&with_overlay, Some(KEY));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("Overlaid Accounts"),
        "{}",
        text(&o.stderr)
    );
    // Without the key's environment variable: refused, the key path named.
    let o = serve(&args, None);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("connections[0].key_env") && err.contains("`SERVE_CLI_KEY` is not set"),
        "{err}"
    );
}

#[test]
fn bad_configurations_are_located_and_never_quote_the_key() {
    let dir = scratch("serve-cli-bad");
    let config = dir.join("gateway.toml");
    let spec = fixture("accounts/spec.yaml");
    let base = format!(
        "[[connections]]\nname = \"support\"\nkey = \"{KEY}\"\naccess_tokens = [\"{HASH}\"]\n"
    );
    for (text_, expect) in [
        // A syntax error on the key's own line.
        (
            base.replace(&format!("\"{KEY}\""), &format!("\"{KEY}")),
            "gateway.toml:3",
        ),
        // A misspelt flag must not silently grant writes.
        (
            format!("{base}read_onyl = true\n"),
            "connections[0].read_onyl",
        ),
        // The key where a flag belongs.
        (
            format!("{base}read_only = \"{KEY}\"\n"),
            "connections[0].read_only",
        ),
        // A plain token where its hash belongs.
        (
            base.replace(HASH, "my-plain-token"),
            "connections[0].access_tokens[0]",
        ),
    ] {
        std::fs::write(&config, &text_).unwrap();
        let o = serve(
            &[
                "--config",
                config.to_str().unwrap(),
                "--spec",
                &spec,
                "--check",
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(1), "{text_}");
        let err = text(&o.stderr);
        assert!(err.contains(expect), "{expect}: {err}");
    }
    // A missing file: named.
    let o = serve(
        &[
            "--config",
            dir.join("nope.toml").to_str().unwrap(),
            "--spec",
            &spec,
            "--check",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("nope.toml"), "{}", text(&o.stderr));
}

#[test]
fn hash_token_hashes_standard_input() {
    let hash = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_agentgen"))
            .args(["serve", "--hash-token"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    // sha256("test"), with or without one trailing newline.
    for input in ["test", "test\n"] {
        let o = hash(input);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(text(&o.stdout).trim(), HASH);
    }
    let o = hash("");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("no token"), "{}", text(&o.stderr));
}
