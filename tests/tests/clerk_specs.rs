//! Clerk's specs, from the local mirror (`AGENTGEN_SPEC_MIRROR`, default `../shared/spec/clerk`
//! next to the checkout): every bapi version, fapi and platform generate with zero errors and
//! the crates pass `cargo clippy --all-targets -D warnings` and `cargo doc` with `-D warnings`;
//! bapi 2026-05-12 covers 249 of 249 operations with no duplicated method, and its models
//! decode Clerk-shaped JSON; webhooks fails cleanly. Generated crates go under
//! `target/clerk-gen/` and are never committed (they carry Clerk's prose).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn mirror() -> PathBuf {
    let dir = std::env::var_os("AGENTGEN_SPEC_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/spec/clerk"));
    let dir = if dir.is_relative() {
        repo_root().join(dir)
    } else {
        dir
    };
    assert!(
        dir.join("bapi/2026-05-12.yml").is_file(),
        "Clerk spec mirror not found at {}: set AGENTGEN_SPEC_MIRROR to a directory laid out like github.com/clerk/openapi-specs",
        dir.display()
    );
    dir
}

fn write(dir: &Path, files: &std::collections::BTreeMap<String, String>) {
    let _ = std::fs::remove_dir_all(dir.join("client/src"));
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn cargo(dir: &Path, args: &[&str]) {
    let target = repo_root().join("target/clerk-gen-target");
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "`cargo {}` failed in {}:\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn clerk_specs_generate_and_pass_clippy() {
    let mirror = mirror();
    let mut specs: Vec<PathBuf> = std::fs::read_dir(mirror.join("bapi"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    specs.sort();
    assert_eq!(specs.len(), 5, "{specs:?}");
    specs.push(mirror.join("fapi/2026-05-12.yml"));
    specs.push(mirror.join("platform/beta.yml"));
    for spec in &specs {
        let generated = agentgen::generate(&agentgen::Config::new(spec))
            .unwrap_or_else(|e| panic!("{} failed:\n{e}", spec.display()));
        assert!(
            generated
                .diagnostics
                .iter()
                .all(|d| d.severity != agentgen::Severity::Error),
            "{}",
            spec.display()
        );
        let name = spec
            .strip_prefix(&mirror)
            .unwrap()
            .to_string_lossy()
            .replace(['/', '.'], "_");
        let dir = repo_root().join("target/clerk-gen").join(name);
        write(&dir, &generated.files);
        let client = dir.join("client");
        cargo(
            &client,
            &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
        );
        cargo(&client, &["doc", "--quiet", "--no-deps"]);
    }
}

#[test]
fn bapi_2026_05_12_covers_every_operation_once() {
    let spec = mirror().join("bapi/2026-05-12.yml");
    let generated = agentgen::generate(&agentgen::Config::new(&spec)).unwrap();
    let api = &generated.api;
    assert_eq!(api.operations.len(), 249);
    let mut ids: Vec<&str> = api
        .operations
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 249, "operationIds are unique");
    let mut methods: Vec<(usize, &str)> = api
        .operations
        .iter()
        .map(|o| (o.group, o.method_name.as_str()))
        .collect();
    methods.sort_unstable();
    methods.dedup();
    assert_eq!(methods.len(), 249, "no duplicated functions");
    // Each operation is emitted exactly once, as `pub async fn`.
    let fns: usize = generated
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("client/src/") && !p.contains("/runtime/"))
        .map(|(_, t)| t.matches("pub async fn ").count())
        .sum();
    assert_eq!(fns, 249);
    // The parameter-name collision of GET /public/interstitial stays two parameters.
    let op = api
        .operations
        .iter()
        .find(|o| o.path == "/public/interstitial")
        .unwrap();
    let wires: Vec<&str> = op.params.iter().map(|p| p.wire_name.as_str()).collect();
    assert!(wires.contains(&"frontendApi") && wires.contains(&"frontend_api"));
    let mut idents: Vec<&str> = op.params.iter().map(|p| p.ident.as_str()).collect();
    idents.sort_unstable();
    idents.dedup();
    assert_eq!(idents.len(), op.params.len());
    // The reviewed safety overrides (spec/clerk-bapi.safety.yaml) apply to Clerk's spec.
    use agentgen::ir::SafetyClass;
    let class = |id: &str| {
        let op = api
            .operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap();
        (op.safety.class, op.safety.reason.is_some())
    };
    assert_eq!(class("verifyApiKey"), (SafetyClass::Read, true));
    assert_eq!(class("VerifyPassword"), (SafetyClass::Write, true));
    assert_eq!(class("BanUser"), (SafetyClass::Destructive, true));
    assert_eq!(class("DeleteUser"), (SafetyClass::Destructive, false));
    assert_eq!(class("GetUserList"), (SafetyClass::Read, false));
    assert!(
        !generated
            .diagnostics
            .iter()
            .any(|d| d.code == "unknown-safety-override"),
        "every reviewed override names an operation of the spec"
    );
}

#[test]
fn bapi_models_decode_clerk_shaped_json() {
    let spec = mirror().join("bapi/2026-05-12.yml");
    let generated = agentgen::generate(&agentgen::Config::new(&spec)).unwrap();
    let dir = repo_root().join("target/clerk-gen/decode");
    write(&dir, &generated.files);
    let tests = dir.join("client/tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("clerk/decode.rs"),
        tests.join("decode.rs"),
    )
    .unwrap();
    cargo(
        &dir.join("client"),
        &["test", "--quiet", "--test", "decode"],
    );
}

#[test]
fn webhooks_spec_fails_cleanly() {
    let spec = mirror().join("webhooks/2025-04-15.yml");
    let err = agentgen::generate(&agentgen::Config::new(&spec)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no-operations"), "{text}");
    assert!(text.contains("x-webhooks"), "{text}");
    assert!(text.contains("#/paths"), "{text}");
}
