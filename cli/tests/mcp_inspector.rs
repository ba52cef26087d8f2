//! `agentgen mcp` driven by a real MCP client: the pinned MCP Inspector CLI
//! (`tools/inspector`, install with `npm ci --prefix tools/inspector --no-fund --no-audit` or
//! run `scripts/test.sh`) talks to the server over stdio, and the server calls Stoplight Prism
//! (`tools/prism`) serving Clerk's bapi spec.
//!
//! Checked: `tools/list --strict` passes in both modes; a read-only listing has no write tools
//! (nor do search results) and no operation that returns a credential; a user listing returns
//! Prism's data, capped and with paging info and without `private_metadata`; a write, the
//! three credential reads (a machine's secret key, a user's OAuth access token, an API key's
//! secret) on a read-only connection and a bad argument are tool errors; with
//! `allow_secrets: true` the credential reads are listed and reach Prism; a `max_class: write`
//! connection creates an invitation and refuses to delete a user; the secret key appears
//! nowhere in any output, including failed starts.
#![cfg(feature = "mcp")]

#[path = "../../tests/src/prism.rs"]
mod prism;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Only for this test; Prism accepts any bearer token.
const KEY: &str = "sk_test_McpInspectorSecret0123456789";
const SECRET_PART: &str = "McpInspectorSecret";

#[path = "../../tests/src/mirror.rs"]
mod mirror;
use mirror::{mirror, repo_root as root};

fn spec() -> PathBuf {
    mirror().join("bapi/2026-05-12.yml")
}

fn inspector_bin() -> PathBuf {
    let bin = root().join("tools/inspector/node_modules/.bin/mcp-inspector");
    assert!(
        bin.exists(),
        "the MCP Inspector is not installed ({} is missing). Install the pinned version with \
         `npm ci --prefix tools/inspector --no-fund --no-audit` (needs Node.js and npm), or run \
         the tests with `scripts/test.sh`, which does it.",
        bin.display()
    );
    bin
}

/// One Inspector run: exit code, stdout, stderr (the server's stderr comes through it).
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The method's result (`--format json` wraps it in `{"result": ...}`).
    fn json(&self) -> Value {
        let v: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "Inspector output is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        });
        match v.get("result") {
            Some(r) => r.clone(),
            None => v,
        }
    }

    /// The tool result's first text block, parsed as JSON when it is JSON.
    fn text(&self) -> String {
        self.json()["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("no text content:\n{}", self.stdout))
            .to_string()
    }
}

/// `mcp-inspector --cli <inspector args> -e ... agentgen mcp <server args>`.
fn inspect(inspector_args: &[&str], env: &[(&str, &str)], server_args: &[&str]) -> Run {
    let mut cmd = Command::new(inspector_bin());
    // Keep the Inspector's catalog file out of the home directory.
    cmd.env(
        "MCP_CATALOG_PATH",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-inspector-catalog.json"),
    );
    // Generous: a debug build on a busy machine takes seconds to load the spec.
    cmd.args(["--cli", "--format", "json", "--connect-timeout", "120000"])
        .args(inspector_args);
    // The Inspector starts the server with a minimal environment plus these.
    for (k, v) in env
        .iter()
        .chain(&[("NO_PROXY", "127.0.0.1"), ("no_proxy", "127.0.0.1")])
    {
        cmd.arg("-e").arg(format!("{k}={v}"));
    }
    cmd.arg(env!("CARGO_BIN_EXE_agentgen"))
        .arg("mcp")
        .args(server_args);
    let out = cmd
        .output()
        .expect("run the MCP Inspector (is Node.js installed?)");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tool_names(run: &Run) -> Vec<String> {
    run.json()["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools:\n{}\n{}", run.stdout, run.stderr))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// Every tool carries all four hints, as booleans.
fn assert_all_hints(run: &Run) {
    for t in run.json()["tools"].as_array().unwrap() {
        for hint in [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            assert!(
                t["annotations"][hint].is_boolean(),
                "{} lacks {hint}",
                t["name"]
            );
        }
    }
}

/// The tool name of an operation, from the manifest.
fn manifest_name(manifest: &Value, operation_id: &str) -> String {
    manifest["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operationId"] == operation_id)
        .and_then(|o| o["name"].as_str())
        .unwrap()
        .to_string()
}

#[test]
fn inspector_drives_the_mcp_server_against_prism() {
    let started = Instant::now();
    let spec = spec();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-inspector");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut prism = prism::Prism::spawn(&spec, false, dir.join("prism.log"));

    // Read-only, key in the document; read-write, key from CLERK_SECRET_KEY.
    let ro = dir.join("read-only.json");
    std::fs::write(
        &ro,
        format!(
            r#"{{"display_name": "Support (read-only)", "description": "Mock instance for tests.",
                "connection_details": {{"clerk": {{"bearer_token": {{"token": "{KEY}"}}, "read_only": true}}}}}}"#
        ),
    )
    .unwrap();
    let rw = dir.join("read-write.json");
    std::fs::write(
        &rw,
        r#"{"display_name": "Admin", "connection_details": {"clerk": {"read_only": false}}}"#,
    )
    .unwrap();
    let ro_secrets = dir.join("read-only-secrets.json");
    std::fs::write(
        &ro_secrets,
        r#"{"display_name": "Key desk", "connection_details": {"clerk": {"read_only": true, "allow_secrets": true}}}"#,
    )
    .unwrap();
    let onboarding = dir.join("onboarding.json");
    std::fs::write(
        &onboarding,
        r#"{"display_name": "Onboarding", "connection_details": {"clerk": {"max_class": "write"}}}"#,
    )
    .unwrap();
    let spec_s = spec.display().to_string();
    let ro_s = ro.display().to_string();
    let rw_s = rw.display().to_string();
    let ro_secrets_s = ro_secrets.display().to_string();
    let onboarding_s = onboarding.display().to_string();
    prism.wait_ready(Duration::from_secs(90));
    let url = prism.url.clone();
    let common = |conn: &str| -> Vec<String> {
        vec![
            "--connection".into(),
            conn.into(),
            "--spec".into(),
            spec_s.clone(),
            "--base-url".into(),
            url.clone(),
        ]
    };
    let ro_args = common(&ro_s);
    let rw_args = common(&rw_s);
    let secrets_args = common(&ro_secrets_s);
    let onboarding_args = common(&onboarding_s);
    let call = |tool: &str, args: &str| -> Vec<String> {
        vec![
            "--method".into(),
            "tools/call".into(),
            "--tool-name".into(),
            tool.into(),
            "--tool-args-json".into(),
            args.into(),
        ]
    };
    let with = |base: &[String], extra: &[&str]| -> Vec<String> {
        base.iter()
            .cloned()
            .chain(extra.iter().map(|s| s.to_string()))
            .collect()
    };
    let env_key = [("CLERK_SECRET_KEY", KEY)];

    // The runs are independent: run them three at a time, then check.
    type Job = (Vec<String>, Vec<(&'static str, &'static str)>, Vec<String>);
    let jobs: Vec<(&str, Job)> = vec![
        (
            "ro-list",
            (
                vec!["--method".into(), "tools/list".into(), "--strict".into()],
                vec![],
                ro_args.clone(),
            ),
        ),
        (
            "ro-full-list",
            (
                vec!["--method".into(), "tools/list".into(), "--strict".into()],
                vec![],
                with(&ro_args, &["--mode", "full"]),
            ),
        ),
        (
            "rw-full-groups",
            (
                vec!["--method".into(), "tools/list".into(), "--strict".into()],
                env_key.to_vec(),
                with(
                    &rw_args,
                    &["--mode", "full", "--groups", "users,organizations"],
                ),
            ),
        ),
        (
            "ro-call-list",
            (
                vec![
                    "--method".into(),
                    "tools/call".into(),
                    "--tool-name".into(),
                    "call_operation".into(),
                    "--tool-args-json".into(),
                    r#"{"name":"users_list","arguments":{"limit":2}}"#.into(),
                ],
                vec![],
                ro_args.clone(),
            ),
        ),
        (
            "ro-call-write",
            (
                vec![
                    "--method".into(),
                    "tools/call".into(),
                    "--tool-name".into(),
                    "call_operation".into(),
                    "--tool-args-json".into(),
                    r#"{"name":"users_create","arguments":{"body":{}}}"#.into(),
                ],
                vec![],
                ro_args.clone(),
            ),
        ),
        (
            "ro-search",
            (
                vec![
                    "--method".into(),
                    "tools/call".into(),
                    "--tool-name".into(),
                    "search_operations".into(),
                    "--tool-args-json".into(),
                    r#"{"query":"user","limit":50}"#.into(),
                ],
                vec![],
                ro_args.clone(),
            ),
        ),
        (
            "ro-full-bad-arg",
            (
                vec![
                    "--method".into(),
                    "tools/call".into(),
                    "--tool-name".into(),
                    "users_list".into(),
                    "--tool-args-json".into(),
                    r#"{"limit":"lots"}"#.into(),
                ],
                vec![],
                with(&ro_args, &["--mode", "full"]),
            ),
        ),
        (
            "rw-full-call",
            (
                vec![
                    "--method".into(),
                    "tools/call".into(),
                    "--tool-name".into(),
                    "users_get".into(),
                    "--tool-args-json".into(),
                    r#"{"user_id":"user_123"}"#.into(),
                ],
                env_key.to_vec(),
                with(&rw_args, &["--mode", "full", "--groups", "users"]),
            ),
        ),
        // Credentials: withheld on a read-only connection, offered with allow_secrets.
        (
            "ro-call-machine-secret",
            (
                call(
                    "call_operation",
                    r#"{"name":"machines_get_secret_key","arguments":{"machine_id":"mch_123"}}"#,
                ),
                vec![],
                ro_args.clone(),
            ),
        ),
        (
            "ro-call-oauth-token",
            (
                call(
                    "call_operation",
                    r#"{"name":"users_get_oauth_access_token","arguments":{"user_id":"user_123","provider":"oauth_google"}}"#,
                ),
                vec![],
                ro_args.clone(),
            ),
        ),
        (
            "ro-describe-api-key-secret",
            (
                call(
                    "describe_operation",
                    r#"{"name":"api_keys_get_api_key_secret"}"#,
                ),
                vec![],
                ro_args.clone(),
            ),
        ),
        (
            "ro-secrets-full-list",
            (
                vec!["--method".into(), "tools/list".into(), "--strict".into()],
                env_key.to_vec(),
                with(&secrets_args, &["--mode", "full"]),
            ),
        ),
        (
            "ro-secrets-call",
            (
                call("machines_get_secret_key", r#"{"machine_id":"mch_123"}"#),
                env_key.to_vec(),
                with(&secrets_args, &["--mode", "full", "--groups", "machines"]),
            ),
        ),
        // A write ceiling: invitations yes, deletions no.
        (
            "write-full-list",
            (
                vec!["--method".into(), "tools/list".into(), "--strict".into()],
                env_key.to_vec(),
                with(
                    &onboarding_args,
                    &["--mode", "full", "--groups", "users,invitations"],
                ),
            ),
        ),
        (
            "write-call-invite",
            (
                call(
                    "call_operation",
                    r#"{"name":"invitations_create","arguments":{"body":{"email_address":"new.user@example.com"}}}"#,
                ),
                env_key.to_vec(),
                onboarding_args.clone(),
            ),
        ),
        (
            "write-call-delete",
            (
                call(
                    "call_operation",
                    r#"{"name":"users_delete","arguments":{"user_id":"user_123"}}"#,
                ),
                env_key.to_vec(),
                onboarding_args.clone(),
            ),
        ),
        // Fails to start: the key must not leak into the error either.
        (
            "bad-base-url",
            (
                vec!["--method".into(), "tools/list".into()],
                vec![],
                with(
                    &common(&ro_s)[..4],
                    &[
                        "--base-url",
                        "not a url sk_test_McpInspectorSecret0123456789",
                    ],
                ),
            ),
        ),
    ];
    let mut runs: Vec<(&str, Run)> = Vec::new();
    for batch in jobs.chunks(3) {
        runs.extend(std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .iter()
                .map(|(name, (iargs, env, sargs))| {
                    let iargs: Vec<&str> = iargs.iter().map(String::as_str).collect();
                    let sargs: Vec<&str> = sargs.iter().map(String::as_str).collect();
                    s.spawn(move || (*name, inspect(&iargs, env, &sargs)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        }));
    }
    let run = |name: &str| -> &Run { &runs.iter().find(|(n, _)| *n == name).unwrap().1 };

    // The key never appears, in any output of any run (stderr carries the server's).
    for (name, r) in &runs {
        assert!(
            !r.stdout.contains(SECRET_PART) && !r.stderr.contains(SECRET_PART),
            "{name} leaked the key:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }

    // Progressive, read-only: three meta-tools, all hints, strict schemas.
    let r = run("ro-list");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        tool_names(r),
        ["search_operations", "describe_operation", "call_operation"]
    );
    assert_all_hints(r);
    let call_tool = &r.json()["tools"][2];
    assert_eq!(call_tool["annotations"]["readOnlyHint"], true);
    assert!(r.stderr.contains("read-only"), "{}", r.stderr);

    // Full, read-only: only read tools, and exactly those of the agent documents.
    let r = run("ro-full-list");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_all_hints(r);
    let names = tool_names(r);
    let mut config = agentgen::Config::new(&spec);
    config.emit_client = false;
    let generated = agentgen::load_and_generate(&config).unwrap();
    let manifest: Value = serde_json::from_str(&generated.files["agent/agentspec.json"]).unwrap();
    let credentials: Vec<String> = generated
        .api
        .operations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.safety.credential.is_some())
        .map(|(i, _)| manifest_name(&manifest, &generated.api.operations[i].operation_id))
        .collect();
    let read: Vec<&str> = manifest["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["class"] == "read")
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    let read_safe: Vec<&str> = read
        .iter()
        .copied()
        .filter(|n| !credentials.iter().any(|c| c == n))
        .collect();
    assert_eq!(names, read_safe);
    for withheld in [
        "machines_get_secret_key",
        "users_get_oauth_access_token",
        "api_keys_get_api_key_secret",
    ] {
        assert!(read.contains(&withheld), "{withheld} is a read");
        assert!(!names.contains(&withheld.to_string()), "{withheld} listed");
    }
    assert!(names.contains(&"users_list".to_string()));
    assert!(!names.contains(&"users_create".to_string()));
    assert!(!names.contains(&"users_delete".to_string()));
    for t in r.json()["tools"].as_array().unwrap() {
        assert_eq!(t["annotations"]["readOnlyHint"], true, "{}", t["name"]);
    }
    let users_list = r.json()["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "users_list")
        .cloned()
        .unwrap();
    assert_eq!(
        users_list["inputSchema"]["properties"]["limit"]["maximum"],
        100
    );
    assert_eq!(
        users_list["inputSchema"]["properties"]["limit"]["default"],
        20
    );

    // Full, read-write, two groups: writes are there, nothing outside the groups.
    let r = run("rw-full-groups");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let names = tool_names(r);
    let groups: Vec<(&str, &str)> = manifest["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["group"] == "users" || o["group"] == "organizations")
        .map(|o| (o["name"].as_str().unwrap(), o["class"].as_str().unwrap()))
        // Credentials are withheld without allow_secrets, on read-write connections too.
        .filter(|(name, _)| !credentials.iter().any(|c| c == name))
        .collect();
    assert_eq!(names, groups.iter().map(|g| g.0).collect::<Vec<_>>());
    assert!(names.contains(&"users_create".to_string()));
    assert!(names.contains(&"organizations_create".to_string()));
    assert!(!names.contains(&"users_get_oauth_access_token".to_string()));
    let delete = r.json()["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "users_delete")
        .cloned()
        .unwrap();
    assert_eq!(delete["annotations"]["destructiveHint"], true);
    assert_eq!(delete["annotations"]["readOnlyHint"], false);

    // A user listing comes back from Prism: capped, with paging, without private_metadata.
    let r = run("ro-call-list");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let data: Value = serde_json::from_str(&r.text()).unwrap();
    let items = data["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 2, "{data}");
    assert_eq!(items[0]["object"], "user");
    assert!(data["next_page"]["returned"].is_u64(), "{data}");
    assert!(!r.text().contains("\"private_metadata\""), "{data}");
    assert!(data["omitted"]
        .as_str()
        .unwrap()
        .contains("private_metadata"));

    // A write on a read-only connection is refused, as a tool error.
    let r = run("ro-call-write");
    assert_eq!(r.code, 5, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["isError"], true);
    assert!(r.text().contains("read-only") && r.text().contains("nothing was sent"));

    // Search never offers write operations on a read-only connection.
    let r = run("ro-search");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let found: Value = serde_json::from_str(&r.text()).unwrap();
    let results = found["results"].as_array().unwrap();
    assert!(results.iter().any(|x| x["name"] == "users_list"), "{found}");
    for x in results {
        assert_eq!(x["class"], "read", "{x}");
    }

    // The three credential reads are refused (call, describe) on the read-only connection,
    // naming the rule; nothing was sent.
    for name in [
        "ro-call-machine-secret",
        "ro-call-oauth-token",
        "ro-describe-api-key-secret",
    ] {
        let r = run(name);
        assert_eq!(r.code, 5, "{name}: {}\n{}", r.stdout, r.stderr);
        assert_eq!(r.json()["isError"], true, "{name}");
        assert!(
            r.text().contains("returns a credential")
                && r.text().contains("allow_secrets")
                && r.text().contains("nothing was sent"),
            "{name}: {}",
            r.text()
        );
    }
    // With allow_secrets they are listed, and a call reaches Prism.
    let r = run("ro-secrets-full-list");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let names = tool_names(r);
    for listed in [
        "machines_get_secret_key",
        "users_get_oauth_access_token",
        "api_keys_get_api_key_secret",
    ] {
        assert!(names.contains(&listed.to_string()), "{listed} not listed");
    }
    assert!(!names.contains(&"users_delete".to_string()));
    let r = run("ro-secrets-call");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let secret: Value = serde_json::from_str(&r.text()).unwrap();
    assert!(secret.get("secret").is_some(), "{secret}");

    // A write ceiling lists and calls invitations_create, and refuses users_delete.
    let r = run("write-full-list");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let names = tool_names(r);
    assert!(
        names.contains(&"invitations_create".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"users_update".to_string()), "{names:?}");
    assert!(!names.contains(&"users_delete".to_string()), "{names:?}");
    assert!(
        !names.contains(&"invitations_revoke".to_string()),
        "{names:?}"
    );
    let r = run("write-call-invite");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let invitation: Value = serde_json::from_str(&r.text()).unwrap();
    assert_eq!(invitation["object"], "invitation", "{invitation}");
    let r = run("write-call-delete");
    assert_eq!(r.code, 5, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.text().contains("destructive")
            && r.text().contains("max_class: write")
            && r.text().contains("nothing was sent"),
        "{}",
        r.text()
    );

    // A bad argument is a tool error naming the field, and the server keeps serving.
    let r = run("ro-full-bad-arg");
    assert_eq!(r.code, 5, "{}\n{}", r.stdout, r.stderr);
    assert!(r.text().contains("`arguments.limit`"), "{}", r.text());

    // Read-write, key from the environment: a call reaches Prism.
    let r = run("rw-full-call");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let user: Value = serde_json::from_str(&r.text()).unwrap();
    assert_eq!(user["object"], "user");

    // A server that cannot start says why on stderr, without the key.
    let r = run("bad-base-url");
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("base URL") || r.stderr.contains("base url"),
        "{}",
        r.stderr
    );

    eprintln!(
        "mcp_inspector: {} Inspector runs in {:.1?}",
        runs.len(),
        started.elapsed()
    );
}
