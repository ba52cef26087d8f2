//! End to end against Stoplight Prism: the client generated from Clerk's bapi 2026-05-12
//! calls every operation, by name, with the input `agentgen::example` synthesizes, against
//! Prism serving the same spec, in static and in dynamic (`-d --seed 1`) mode. Prism checks
//! each request against the spec (`sl-violations`); the client decodes each response into
//! the generated types. Invalid calls must come back as typed errors.
//!
//! Prism is pinned in `tools/prism/` (install: `npm ci --prefix tools/prism --no-fund
//! --no-audit`, or run `scripts/test.sh`). The generated crate lives under
//! `target/clerk-gen/e2e/` and runs `tests/clerk/e2e.rs` as its own integration test.

use agentgen_tests::prism::Prism;
use agentgen_tests::{mirror, repo_root};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn write(dir: &Path, files: &std::collections::BTreeMap<String, String>) {
    let _ = std::fs::remove_dir_all(dir.join("client/src"));
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[test]
fn every_bapi_operation_against_prism() {
    let started = Instant::now();
    let mirror = mirror();
    let spec = mirror.join("bapi/2026-05-12.yml");
    let dir = repo_root().join("target/clerk-gen/e2e");
    std::fs::create_dir_all(&dir).unwrap();

    // Both servers load the spec (3-6 s) while the client is generated.
    let mut fixed = Prism::spawn(&spec, false, dir.join("prism-static.log"));
    let mut dynamic = Prism::spawn(&spec, true, dir.join("prism-dynamic.log"));

    let generated = agentgen::load_and_generate(&agentgen::Config::new(&spec))
        .unwrap_or_else(|e| panic!("{} failed:\n{e}", spec.display()));
    let api = &generated.api;
    assert_eq!(api.operations.len(), 249);
    write(&dir, &generated.files);
    let client = dir.join("client");

    // For each operation: the synthesized input and the declared success status.
    let mut cases = serde_json::Map::new();
    for op in &api.operations {
        let input = agentgen::example::operation_input(api, op);
        agentgen::example::validate_input(api, op, &input)
            .unwrap_or_else(|e| panic!("synthesized input of {}: {e}", op.operation_id));
        cases.insert(
            op.operation_id.clone(),
            serde_json::json!({"input": input, "status": op.response.status}),
        );
    }
    let inputs = client.join("e2e-inputs.json");
    std::fs::write(
        &inputs,
        serde_json::to_string_pretty(&serde_json::Value::Object(cases)).unwrap(),
    )
    .unwrap();
    let unsatisfied = agentgen::example::unsatisfiable_patterns(api);
    assert!(unsatisfied.is_empty(), "{unsatisfied:?}");

    let tests = client.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("clerk/e2e.rs"),
        tests.join("e2e.rs"),
    )
    .unwrap();

    fixed.wait_ready(Duration::from_secs(90));
    dynamic.wait_ready(Duration::from_secs(90));
    eprintln!(
        "e2e: Prism static at {}, dynamic at {} (ready after {:.1?})",
        fixed.url,
        dynamic.url,
        started.elapsed()
    );

    let inner = Instant::now();
    let out = Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--test", "e2e", "--", "--nocapture"])
        .current_dir(&client)
        .env(
            "CARGO_TARGET_DIR",
            repo_root().join("target/clerk-gen-target"),
        )
        .env_remove("RUSTFLAGS")
        .env("AGENTGEN_E2E_STATIC_URL", &fixed.url)
        .env("AGENTGEN_E2E_DYNAMIC_URL", &dynamic.url)
        .env("AGENTGEN_E2E_INPUTS", &inputs)
        // The client must reach 127.0.0.1 directly even where a proxy is configured.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stdout.lines().chain(stderr.lines()) {
        if line.starts_with("e2e") {
            eprintln!("{line}");
        }
    }
    assert!(
        out.status.success(),
        "`cargo test --test e2e` failed in {}:\n{stdout}\n{stderr}",
        client.display()
    );
    eprintln!(
        "e2e: inner cargo test (build + run) {:.1?}, whole test {:.1?}",
        inner.elapsed(),
        started.elapsed()
    );
}
