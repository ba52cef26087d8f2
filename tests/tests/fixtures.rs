//! Every fixture spec regenerates byte for byte into its committed `expected/` crate and
//! agent documents (`expected/agent/`), its Rust files laid out by rustfmt as
//! `agentgen generate --rustfmt` writes them (the workspace's `cargo fmt --check` sees them).
//!
//! The expected crates are workspace members, so `cargo build`/`clippy`/`test` on the
//! workspace compile them (with `-D warnings` in CI) and run the runtime's unit tests inside
//! them. Bless after an intended change: `AGENTGEN_BLESS=1 cargo test -p agentgen-tests --test fixtures`.

use agentgen::ir::{TypeKind, TypeRef};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn spec_of(dir: &Path) -> Option<PathBuf> {
    ["spec.yaml", "spec.yml", "spec.json"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            read_tree(root, &p, out);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, text);
        }
    }
}

use agentgen_tests::fixture_config;

#[test]
fn fixtures_match_expected_output() {
    let bless = std::env::var_os("AGENTGEN_BLESS").is_some();
    let mut cases = Vec::new();
    for e in std::fs::read_dir(fixtures_dir()).unwrap().flatten() {
        if let Some(spec) = spec_of(&e.path()) {
            cases.push((e.file_name().to_string_lossy().to_string(), spec));
        }
    }
    cases.sort();
    assert!(
        cases.len() >= 3,
        "expected the fixture specs, found {cases:?}"
    );
    let mut failures = Vec::new();
    for (case, spec) in &cases {
        let mut generated = agentgen::load_and_generate(&fixture_config(case, spec))
            .unwrap_or_else(|e| panic!("fixture {case} failed to generate:\n{e}"));
        // Same inputs, same bytes.
        let again = agentgen::load_and_generate(&fixture_config(case, spec)).unwrap();
        assert_eq!(
            generated.files, again.files,
            "fixture {case}: output is not deterministic"
        );
        let expected_dir = fixtures_dir().join(case).join("expected");
        rustfmt(&mut generated.files, &expected_dir);
        if bless {
            let _ = std::fs::remove_dir_all(expected_dir.join("client"));
            let _ = std::fs::remove_dir_all(expected_dir.join("agent"));
            for (rel, text) in &generated.files {
                let p = expected_dir.join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            continue;
        }
        let mut on_disk = BTreeMap::new();
        read_tree(&expected_dir, &expected_dir, &mut on_disk);
        on_disk.retain(|k, _| k != "Cargo.lock");
        for (rel, text) in &generated.files {
            match on_disk.get(rel) {
                None => failures.push(format!("{case}: missing expected/{rel}")),
                Some(t) if t != text => failures.push(format!("{case}: expected/{rel} differs")),
                _ => {}
            }
        }
        for rel in on_disk.keys() {
            if !generated.files.contains_key(rel) {
                failures.push(format!("{case}: stale expected/{rel}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "generated output differs from the committed fixtures (bless with AGENTGEN_BLESS=1 after review):\n{}",
        failures.join("\n")
    );
}

#[test]
fn ir_records_constraints_for_json_schema_and_examples() {
    let spec = fixtures_dir().join("accounts/spec.yaml");
    let api = agentgen::load_and_generate(&fixture_config("accounts", &spec))
        .unwrap()
        .api;
    let list = api
        .operations
        .iter()
        .find(|o| o.operation_id == "ListAccounts")
        .unwrap();
    let limit = list.params.iter().find(|p| p.wire_name == "limit").unwrap();
    let c = &limit.constraints;
    assert_eq!((c.minimum, c.maximum), (Some(1.0), Some(500.0)));
    assert_eq!(c.default, Some(serde_json::json!(10)));
    let field = |ty: &str, wire: &str| {
        let def = api.types.iter().find(|t| t.name == ty).unwrap();
        let TypeKind::Struct { fields } = &def.kind else {
            panic!("{ty} is not a struct")
        };
        fields.iter().find(|f| f.wire_name == wire).unwrap().clone()
    };
    let object = field("Account", "object").constraints;
    assert_eq!(object.const_value, Some(serde_json::json!("account")));
    // The inline body schema: its property's facts are on the field of the body's type.
    let create = api
        .operations
        .iter()
        .find(|o| o.operation_id == "CreateAccount")
        .unwrap();
    let TypeRef::Named(body) = create.body.as_ref().unwrap().ty else {
        panic!("the body of CreateAccount is not a named type")
    };
    let email = field(&api.types[body].name, "email_address");
    assert!(email
        .pointer
        .ends_with("/requestBody/content/application~1json/schema/properties/email_address"));
    assert_eq!(email.constraints.format.as_deref(), Some("email"));
}

/// Lay out the Rust files as `agentgen generate --rustfmt` does; rustfmt is installed wherever
/// `cargo fmt` runs (as in CI), and the comparison needs it.
fn rustfmt(files: &mut BTreeMap<String, String>, out: &Path) {
    let formatted = agentgen::rustfmt::format_files(files, out).unwrap();
    assert!(
        matches!(formatted, agentgen::rustfmt::Formatted::Ran { files, .. } if files > 10),
        "rustfmt did not run ({formatted:?}): install it with `rustup component add rustfmt`"
    );
}

/// Generated code is printed by prettyplease without any rustfmt-skip attribute, docs print as `///` and `//!` lines, never as `#[doc = "..."]`
/// attributes, and the committed crates are what `cargo fmt` leaves alone.
#[test]
fn generated_crates_need_no_rustfmt_skip_and_docs_are_comment_lines() {
    for case in ["accounts", "minimal", "names", "webhooks"] {
        let spec = spec_of(&fixtures_dir().join(case)).unwrap();
        let generated = agentgen::load_and_generate(&fixture_config(case, &spec)).unwrap();
        let mut printed = 0;
        for (rel, text) in &generated.files {
            // Printed files start with the header; the copied sources do not.
            if rel.ends_with(".rs") && text.starts_with("// @generated by agentgen") {
                printed += 1;
                assert!(!text.contains("rustfmt"), "{case}: {rel} mentions rustfmt");
                assert!(
                    !text.contains("#[doc") && !text.contains("#![doc"),
                    "{case}: {rel} has a doc attribute:\n{text}"
                );
            }
        }
        assert!(printed >= 3, "{case}: {printed} printed files");
        let client = fixtures_dir().join(case).join("expected/client");
        let mut committed = BTreeMap::new();
        read_tree(&client, &client, &mut committed);
        let rust_files: Vec<PathBuf> = committed
            .keys()
            .filter(|rel| rel.ends_with(".rs"))
            .map(|rel| client.join(rel))
            .collect();
        assert!(rust_files.len() > 10, "{case}: {rust_files:?}");
        let out = std::process::Command::new(agentgen::rustfmt::program())
            .args(["--check", "--edition", "2021"])
            .args(&rust_files)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{case}: rustfmt would change committed files:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A method of the concrete read-write client (`impl Group<'_, ReadWrite>`) is compiled in
/// every build of the generated crate, whatever its features select, together with the whole
/// request path it calls (for Clerk's `users`-only build, rustc's `-Z time-passes` total was
/// 1.31 s with the two credential reads so written and 0.77 s without). So only the `write`
/// feature's block of a group may be one; reads, credential reads included, are generic over
/// the mode and compiled where they are called.
#[test]
fn only_write_operations_are_methods_of_the_concrete_client() {
    let mut credential_blocks = 0;
    for case in ["accounts", "minimal", "names", "webhooks"] {
        let spec = spec_of(&fixtures_dir().join(case)).unwrap();
        let generated = agentgen::load_and_generate(&fixture_config(case, &spec)).unwrap();
        for (rel, text) in &generated.files {
            if !rel.starts_with("client/src/") || !rel.ends_with(".rs") {
                continue;
            }
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if line.starts_with("impl") && line.contains("<'_, crate::runtime::ReadWrite>") {
                    assert_eq!(
                        i.checked_sub(1).map(|p| lines[p]),
                        Some("#[cfg(feature = \"write\")]"),
                        "{case}: {rel}:{}: a concrete read-write block outside `write`",
                        i + 1
                    );
                }
                if line.starts_with("impl<M: crate::runtime::ReadsCredentials>") {
                    credential_blocks += 1;
                }
            }
        }
    }
    // The accounts fixture has credential reads (tokens): they must have been seen.
    assert!(credential_blocks >= 1, "no credential-read block seen");
}
