//! Operations that return credentials: the response-field heuristic, the safety file's
//! `credential` / `no_credential` decisions, what `agentgen inspect` reports, and how the
//! agent documents mark them.

mod common;
use common::{agentgen, scratch, text};

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Vault API, version: "1"}
servers: [{url: "https://vault.example.test"}]
paths:
  /apps:
    get:
      operationId: ListApps
      responses:
        "200":
          description: Apps.
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/App"}}
    post:
      operationId: CreateApp
      responses:
        "200":
          description: The new app with its secret.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/NewApp"}
  /apps/{app_id}/secret:
    get:
      operationId: GetAppSecret
      parameters: [{name: app_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: The secret.
          content:
            application/json:
              schema:
                type: object
                properties:
                  nested: {type: object, properties: {clientSecret: {type: string}}}
components:
  schemas:
    App:
      type: object
      properties:
        id: {type: string}
        has_password: {type: boolean}
        token_count: {type: integer}
        webhook_token: {type: string, nullable: true}
    NewApp:
      type: object
      properties:
        id: {type: string}
        client_secret: {type: string}
"##;

fn write_spec(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = scratch(name);
    let spec = dir.join("vault.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    (dir, spec)
}

fn credentials(spec: &std::path::Path, safety: Option<&std::path::Path>) -> serde_json::Value {
    let mut args = vec![
        "inspect",
        "--format",
        "json",
        "--spec",
        spec.to_str().unwrap(),
    ];
    if let Some(s) = safety {
        args.extend(["--safety", s.to_str().unwrap()]);
    }
    let o = agentgen(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    summary["credentials"].clone()
}

#[test]
fn the_heuristic_flags_credential_fields_and_inspect_reports_them() {
    let (_, spec) = write_spec("credentials-heuristic");
    let found = credentials(&spec, None);
    let by_op = |id: &str| {
        found
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["operation"] == id)
            .cloned()
    };
    // Strings named like credentials, nested objects included; booleans and integers not.
    let list = by_op("ListApps").expect("ListApps");
    assert_eq!(
        list["fields"],
        serde_json::json!(["[].webhook_token"]),
        "{list}"
    );
    assert_eq!(list["source"], "heuristic");
    assert_eq!(list["withheld"], true);
    let create = by_op("CreateApp").expect("CreateApp");
    assert_eq!(create["fields"], serde_json::json!(["client_secret"]));
    assert_eq!(create["class"], "write");
    let get = by_op("GetAppSecret").expect("GetAppSecret");
    assert_eq!(get["fields"], serde_json::json!(["nested.clientSecret"]));
}

#[test]
fn the_safety_file_confirms_or_dismisses_each_finding() {
    let (dir, spec) = write_spec("credentials-reviewed");
    let safety = dir.join("safety.yaml");
    std::fs::write(
        &safety,
        "ListApps: {no_credential: \"`webhook_token` is a public identifier.\"}\nGetAppSecret: {credential: \"Returns the app's client secret.\"}\n",
    )
    .unwrap();
    let found = credentials(&spec, Some(&safety));
    let by_op = |id: &str| {
        found
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["operation"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_op("ListApps")["withheld"], false);
    let get = by_op("GetAppSecret");
    assert_eq!(
        (get["source"].as_str(), get["reason"].as_str()),
        (Some("reviewed"), Some("Returns the app's client secret."))
    );
    assert_eq!(by_op("CreateApp")["source"], "heuristic");

    // The documents mark them: AgentSpec (with the reason), the MCP export, the skills.
    let out = dir.join("out");
    let o = agentgen(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--safety",
        safety.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--outputs",
        "agent",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let op: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("agent/ops/default_get_app_secret.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        op["safety"]["credential"],
        serde_json::json!({"reason": "Returns the app's client secret.", "source": "reviewed", "fields": ["nested.clientSecret"]})
    );
    assert_eq!(op["safety"]["confirm"], "required");
    assert!(op["description"]
        .as_str()
        .unwrap()
        .contains("Credential: Returns the app's client secret."));
    let list: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("agent/ops/default_list_apps.json")).unwrap(),
    )
    .unwrap();
    assert!(list["safety"].get("credential").is_none(), "{list}");
    let mcp = std::fs::read_to_string(out.join("agent/tools/mcp.tools.json")).unwrap();
    let mcp: serde_json::Value = serde_json::from_str(&mcp).unwrap();
    let secret_tool = mcp["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "default_get_app_secret")
        .unwrap();
    assert_eq!(
        secret_tool["_meta"]["agentgen/operation"]["credential"],
        true
    );
    let ro = std::fs::read_to_string(out.join("agent/skills/vault-api-readonly/SKILL.md")).unwrap();
    assert!(
        ro.contains("**No credentials.**") && ro.contains("`default_get_app_secret`"),
        "{ro}"
    );
    let ro_index =
        std::fs::read_to_string(out.join("agent/skills/vault-api-readonly/references/index.md"))
            .unwrap();
    assert!(!ro_index.contains("default_get_app_secret"), "{ro_index}");
    assert!(ro_index.contains("default_list_apps"), "{ro_index}");
    let full_index =
        std::fs::read_to_string(out.join("agent/skills/vault-api/references/index.md")).unwrap();
    assert!(full_index.contains("read, credential"), "{full_index}");
}

#[test]
fn bad_safety_entries_are_located_errors() {
    let (dir, spec) = write_spec("credentials-bad-safety");
    for (entry, expect) in [
        (
            "ListApps: {credential: \"x\", no_credential: \"y\"}",
            "both",
        ),
        ("ListApps: {class: read}", "no `reason`"),
        ("ListApps: {credential: \"\"}", "empty"),
        ("ListApps: {}", "decides nothing"),
        ("ListApps: {credential: true}", "ListApps"),
    ] {
        let safety = dir.join("bad.yaml");
        std::fs::write(&safety, entry).unwrap();
        let o = agentgen(&[
            "inspect",
            "--spec",
            spec.to_str().unwrap(),
            "--safety",
            safety.to_str().unwrap(),
        ]);
        assert!(!o.status.success(), "{entry}");
        let err = text(&o.stderr);
        assert!(
            err.contains("bad.yaml") && err.contains(expect),
            "{entry}: {err}"
        );
    }
}

#[test]
fn agent_data_with_the_old_sensitive_list_says_where_it_moved() {
    let (dir, spec) = write_spec("credentials-old-agent-data");
    let data = dir.join("workflows.yaml");
    std::fs::write(&data, "sensitive:\n  GetAppSecret: Returns the secret.\n").unwrap();
    let o = agentgen(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--workflows",
        data.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("sensitive") && err.contains("credential"),
        "{err}"
    );
}
