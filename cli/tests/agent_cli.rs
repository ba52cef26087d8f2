//! The `agentgen` binary's agent-document front-ends: `generate --outputs`, `--templates`,
//! `--workflows`, and `connection-prompt` (prompt on stdout, key never printed, malformed
//! documents rejected with the field named).

use std::path::Path;

mod common;
use common::{agentgen, fixture, scratch, text};

#[test]
fn outputs_select_client_and_agent() {
    let spec = fixture("accounts/spec.yaml");
    let workflows = fixture("accounts/workflows.yaml");
    let both = scratch("outputs-both");
    let o = agentgen(&[
        "generate",
        "--spec",
        &spec,
        "--out",
        both.to_str().unwrap(),
        "--workflows",
        &workflows,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(both.join("client/Cargo.toml").is_file());
    let skill = both.join("agent/skills/accounts-fixture-api/SKILL.md");
    assert!(skill.is_file());
    assert!(both
        .join("agent/workflows/accounts-fixture-api.arazzo.yaml")
        .is_file());
    // Stale agent documents are removed on the next run.
    let stale = both.join("agent/ops/stale_tool.json");
    std::fs::write(&stale, "{}").unwrap();
    let o = agentgen(&["generate", "--spec", &spec, "--out", both.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!stale.exists());

    let agent = scratch("outputs-agent");
    let o = agentgen(&[
        "generate",
        "--spec",
        &spec,
        "--out",
        agent.to_str().unwrap(),
        "--outputs",
        "agent",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!agent.join("client").exists());
    assert!(agent.join("agent/agentspec.json").is_file());

    let client = scratch("outputs-client");
    let o = agentgen(&[
        "generate",
        "--spec",
        &spec,
        "--out",
        client.to_str().unwrap(),
        "--outputs",
        "client",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(client.join("client/Cargo.toml").is_file());
    assert!(!client.join("agent").exists());

    let o = agentgen(&[
        "generate",
        "--spec",
        &spec,
        "--out",
        "x",
        "--outputs",
        "docs",
    ]);
    assert!(!o.status.success());
}

#[test]
fn templates_dir_overrides_a_template() {
    let dir = scratch("templates-override");
    std::fs::write(
        dir.join("skill.md.j2"),
        "---\nname: {{ name }}\n---\nCustom.\n",
    )
    .unwrap();
    let out = scratch("templates-out");
    let o = agentgen(&[
        "generate",
        "--spec",
        &fixture("minimal/spec.json"),
        "--out",
        out.to_str().unwrap(),
        "--outputs",
        "agent",
        "--templates",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let skill = std::fs::read_to_string(out.join("agent/skills/minimal/SKILL.md")).unwrap();
    assert_eq!(skill, "---\nname: minimal\n---\nCustom.\n");
}

/// Every file under `dir`, relative path to contents.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn a_failing_run_leaves_the_output_directory_as_it_was() {
    // A template that parses but fails when rendered: the failure comes after the client's
    // files were handed to the sink.
    let templates = scratch("failing-template");
    std::fs::write(templates.join("skill.md.j2"), "{{ no_such_function() }}\n").unwrap();
    let spec = fixture("accounts/spec.yaml");
    let root = scratch("failing-run");
    let out = root.join("out");
    let generate = |extra: &[&str]| {
        let mut args = vec!["generate", "--spec", &spec, "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        agentgen(&args)
    };
    let failing = ["--templates", templates.to_str().unwrap()];

    // Into a directory the run would create: nothing at all is left behind.
    let o = generate(&failing);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("no_such_function"),
        "{}",
        text(&o.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");

    // Into an existing output with an edited file and a deleted directory: both stay so.
    let o = generate(&[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lib = out.join("client/src/lib.rs");
    let mut edited = std::fs::read(&lib).unwrap();
    edited.extend_from_slice(b"// edited\n");
    std::fs::write(&lib, &edited).unwrap();
    std::fs::remove_dir_all(out.join("agent/ops")).unwrap();
    let before = tree(&out);
    let o = generate(&failing);
    assert!(!o.status.success());
    assert_eq!(tree(&out), before);

    // The next good run repairs both.
    let o = generate(&[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!std::fs::read_to_string(&lib).unwrap().contains("// edited"));
    assert!(out.join("agent/ops").is_dir());
}

const KEY: &str = "sk_live_cliSecretDoNotPrint42";

#[test]
fn connection_prompt_prints_the_prompt_without_the_key() {
    let dir = scratch("connection-prompt");
    let doc = dir.join("connection.json");
    std::fs::write(
        &doc,
        format!(
            r#"{{"display_name": "Accounts prod", "description": "The accounts of the support team.",
                "connection_details": {{"accounts": {{"bearer_token": {{"token": "{KEY}"}}, "read_only": true}}}}}}"#
        ),
    )
    .unwrap();
    let o = agentgen(&[
        "connection-prompt",
        "--connection",
        doc.to_str().unwrap(),
        "--spec",
        &fixture("accounts/spec.yaml"),
        "--workflows",
        &fixture("accounts/workflows.yaml"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("This connection is read-only"), "{out}");
    assert!(out.contains("**production**"), "{out}");
    assert!(out.contains("The accounts of the support team."), "{out}");
    assert!(!out.contains("cliSecret") && !text(&o.stderr).contains("cliSecret"));
    assert!(!out.contains("`accounts_delete`"), "{out}");

    // A malformed document: exit 1, the field named, the key not echoed.
    std::fs::write(
        &doc,
        format!(
            r#"{{"display_name": "x", "connection_details": {{"accounts": {{"bearer_token": {{"token": "{KEY}"}}, "read_only": "{KEY}"}}}}}}"#
        ),
    )
    .unwrap();
    let o = agentgen(&[
        "connection-prompt",
        "--connection",
        doc.to_str().unwrap(),
        "--spec",
        &fixture("accounts/spec.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("connection_details.accounts.read_only"),
        "{err}"
    );
    assert!(!err.contains("cliSecret"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn connection_prompt_through_a_gateway_names_its_urls_and_the_access_token() {
    let dir = scratch("connection-prompt-gateway");
    let doc = dir.join("connection.json");
    std::fs::write(
        &doc,
        format!(
            r#"{{"display_name": "Accounts prod",
                "connection_details": {{"accounts": {{"bearer_token": {{"token": "{KEY}"}}, "read_only": true}}}}}}"#
        ),
    )
    .unwrap();
    let prompt = |gateway: Option<&str>| {
        let mut args = vec![
            "connection-prompt",
            "--connection",
            doc.to_str().unwrap(),
            "--spec",
        ];
        let spec = fixture("accounts/spec.yaml");
        args.push(&spec);
        if let Some(g) = gateway {
            args.extend(["--gateway", g]);
        }
        let o = agentgen(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(!text(&o.stdout).contains("cliSecret") && !text(&o.stderr).contains("cliSecret"));
        text(&o.stdout)
    };
    let direct = prompt(None);
    let via = prompt(Some("https://gw.example/c/support/"));
    assert!(
        !direct.contains("gw.example") && !direct.contains("access token"),
        "{direct}"
    );
    assert!(
        via.contains("`https://gw.example/c/support`")
            && via.contains("`https://gw.example/mcp/support`"),
        "{via}"
    );
    assert!(
        via.contains("Authorization: Bearer <access token>"),
        "{via}"
    );
    assert!(
        via.contains("the gateway refuses every operation that is not `read`"),
        "{via}"
    );
    assert!(!direct.contains("Authorization: Bearer"), "{direct}");
}

#[test]
fn connection_prompt_says_when_private_metadata_is_hidden() {
    let dir = scratch("connection-prompt-private");
    let doc = dir.join("connection.yaml");
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/clerk/bapi/2026-05-12.yml");
    let spec = match std::env::var_os("AGENTGEN_SPEC_MIRROR") {
        Some(m) => Path::new(&m).join("bapi/2026-05-12.yml"),
        None => spec,
    };
    let prompt = |allow: bool| {
        std::fs::write(
            &doc,
            format!("display_name: x\nconnection_details: {{clerk: {{allow_private_metadata: {allow}}}}}\n"),
        )
        .unwrap();
        let o = agentgen(&[
            "connection-prompt",
            "--connection",
            doc.to_str().unwrap(),
            "--spec",
            spec.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout)
    };
    let hidden = "`private_metadata` is not readable through this connection";
    assert!(prompt(false).contains(hidden));
    assert!(!prompt(true).contains(hidden));
    // An API without such fields does not mention it.
    std::fs::write(
        &doc,
        "display_name: x\nconnection_details: {accounts: {}}\n",
    )
    .unwrap();
    let o = agentgen(&[
        "connection-prompt",
        "--connection",
        doc.to_str().unwrap(),
        "--spec",
        &fixture("accounts/spec.yaml"),
    ]);
    assert!(!text(&o.stdout).contains("private_metadata"));
}
