//! The CLI never prints a key: `connection-prompt` with keys of any shape (not only `sk_…`),
//! placed where they do not belong (description, display name, wrong-typed fields), in
//! documents that are truncated or malformed; and `generate --verbose` logs on a spec whose
//! text carries a key-shaped string.

use std::path::Path;
use std::process::Output;

mod common;
use common::{agentgen, fixture, scratch};

/// Not `sk_`-shaped: redaction must not rely on the prefix alone.
const OPAQUE: &str = "opaqueTokenValue9876XYZ";
const LIVE: &str = "sk_live_SecretsCliNeverPrint77";

fn assert_clean(o: &Output, what: &str) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for key in [OPAQUE, LIVE, "SecretsCliNeverPrint", "opaqueTokenValue"] {
        assert!(!all.contains(key), "{what}: key printed:\n{all}");
    }
}

fn prompt(doc: &Path) -> Output {
    agentgen(&[
        "connection-prompt",
        "--connection",
        doc.to_str().unwrap(),
        "--spec",
        &fixture("accounts/spec.yaml"),
    ])
}

#[test]
fn connection_prompt_never_prints_a_key() {
    let dir = scratch("secrets-cli");
    let doc = dir.join("connection.yaml");
    for key in [OPAQUE, LIVE] {
        // The key also pasted into the description and the display name by mistake.
        let good = format!(
            "display_name: \"Prod {key}\"\ndescription: \"Use key {key} for support.\"\nconnection_details:\n  accounts:\n    bearer_token: {{token: \"{key}\"}}\n    read_only: true\n"
        );
        std::fs::write(&doc, &good).unwrap();
        let o = prompt(&doc);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("read-only"));
        assert_clean(&o, "valid document");

        let broken = [
            // Truncated right after the key.
            good[..good.find(key).unwrap() + key.len()].to_string(),
            // Wrong types next to and at the key.
            good.replace("read_only: true", &format!("read_only: \"{key}\"")),
            good.replace(&format!("token: \"{key}\""), &format!("token: [\"{key}\"]")),
            good.replace("bearer_token:", &format!("bearer_token: \"{key}\"\n    x:")),
            format!("- {key}\n"),
            format!("{key}: [\n"),
        ];
        for (i, text) in broken.iter().enumerate() {
            std::fs::write(&doc, text).unwrap();
            let o = prompt(&doc);
            assert!(!o.status.success(), "case {i} was accepted:\n{text}");
            assert_clean(&o, &format!("malformed case {i}:\n{text}"));
        }
    }
}

#[test]
fn generate_logs_do_not_repeat_key_shaped_spec_text() {
    // A spec that (wrongly) carries a key in an example and a bad extension next to it: the
    // diagnostics printed by `generate --verbose` name places, not values.
    let dir = scratch("secrets-generate");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        format!(
            "openapi: 3.0.3\ninfo: {{title: Keyed, version: '1'}}\npaths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n        - {{name: Authorization, in: header, example: \"Bearer {LIVE}\", schema: {{type: string}}}}\n      responses: {{'200': {{description: ok}}}}\n"
        ),
    )
    .unwrap();
    let o = agentgen(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
        "--verbose",
    ]);
    assert_clean(&o, "generate");
    // And a spec that is broken at the key's line.
    std::fs::write(
        &spec,
        format!("openapi: 3.0.3\ninfo: {{title: Keyed, version: '1'}}\npaths:\n  /a: {{get: \"{LIVE}\"}}\n"),
    )
    .unwrap();
    let o = agentgen(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        dir.join("out2").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert_clean(&o, "generate (broken)");
}
