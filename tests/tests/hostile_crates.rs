//! The hostile specs that generate (`tests/fixtures/hostile/expectations.txt`, outcome `ok` or `warning`)
//! and the `accounts` fixture, generated into one temporary workspace under
//! `target/hostile-gen/` and checked once over all crates: `cargo clippy --all-targets
//! -D warnings`, `cargo doc` with `-D warnings`, `cargo test --doc` (spec text must never
//! become a doctest), and the decode fuzz test (`tests/decode_fuzz/`): every model type
//! decodes arbitrary and mutated JSON without panicking.

#[path = "../decode_fuzz/mod.rs"]
mod decode_fuzz;

use agentgen_tests::repo_root;
use std::path::Path;

/// Shares `target/clerk-gen-target` with tests/clerk_specs.rs: dependencies are built once for both.
fn cargo(dir: &Path, args: &[&str]) -> String {
    agentgen_tests::cargo_in(dir, args, &repo_root().join("target/clerk-gen-target"))
}

fn ok_cases() -> Vec<String> {
    let dir = repo_root().join("tests/fixtures/hostile");
    let text = std::fs::read_to_string(dir.join("expectations.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            matches!(f.get(1), Some(&"ok" | &"warning")).then(|| f[0].to_string())
        })
        .collect()
}

#[test]
fn hostile_crates_compile_lint_document_and_decode() {
    let root = repo_root().join("target/hostile-gen");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let mut specs: Vec<(String, std::path::PathBuf)> = ok_cases()
        .into_iter()
        .map(|f| {
            let stem = f.rsplit_once('.').unwrap().0.replace('_', "-");
            (stem, repo_root().join("tests/fixtures/hostile").join(f))
        })
        .collect();
    assert!(specs.len() >= 5, "{specs:?}");
    specs.push((
        "accounts".into(),
        repo_root().join("tests/fixtures/accounts/spec.yaml"),
    ));
    let mut members = Vec::new();
    for (name, spec) in &specs {
        let krate = format!("hostile-{name}");
        let config = agentgen::Config::new(spec).crate_name(&krate);
        let g = agentgen::load_and_generate(&config).unwrap_or_else(|e| panic!("{name}: {e}"));
        let dir = root.join(name);
        for (rel, text) in &g.files {
            if let Some(rel) = rel.strip_prefix("client/") {
                let p = dir.join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
        }
        // A crate without model types (a spec with empty `paths`) has nothing to decode.
        if !g.api.types.is_empty() {
            let tests = dir.join("tests");
            std::fs::create_dir_all(&tests).unwrap();
            std::fs::write(
                tests.join("decode_fuzz.rs"),
                decode_fuzz::source(&g.api, &krate.replace('-', "_")),
            )
            .unwrap();
        }
        members.push(format!("{name:?}"));
    }
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    // The repository's lock file: the same dependency versions as the rest of the build.
    std::fs::copy(repo_root().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    cargo(
        &root,
        &[
            "clippy",
            "--quiet",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    cargo(&root, &["doc", "--quiet", "--workspace", "--no-deps"]);
    // Spec fences and prose in rustdoc never run as doctests: the only doctests are the
    // generator's own, and they pass.
    let doc = cargo(&root, &["test", "--workspace", "--doc"]);
    assert!(!doc.contains("FAILED"), "{doc}");
    cargo(
        &root,
        &["test", "--quiet", "--workspace", "--test", "decode_fuzz"],
    );
}
