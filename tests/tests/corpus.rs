//! The real-world corpus (`tests/corpus/corpus.yaml`: GitHub, OpenAI, Anthropic, Cohere, Azure
//! OpenAI, Scalar Galaxy; OpenAPI 3.0 and 3.1, YAML and JSON), fetched by package name and
//! version with a pinned sha256 and never committed: each spec generates, its operation count
//! is the one counted from the raw document, and every client passes `cargo clippy -D
//! warnings` (a check, not a build) in one workspace under `target/corpus/` with the target
//! directory the Clerk crates use. The report (operations, types, warnings, generation and
//! check time) is printed and written to `target/corpus/report.md`; README.md shows the last
//! one. The agent documents are validated in `agent_docs.rs`.

#[path = "../corpus/mod.rs"]
mod corpus;

use agentgen_tests::repo_root;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// `cargo clippy` for one package of the corpus workspace; the time it took.
fn clippy(root: &std::path::Path, package: &str) -> Duration {
    let start = Instant::now();
    agentgen_tests::cargo_in(
        root,
        &["clippy", "--quiet", "-p", package, "--", "-D", "warnings"],
        &repo_root().join("target/clerk-gen-target"),
    );
    start.elapsed()
}

#[test]
fn real_world_specs_generate_count_and_pass_clippy() {
    let entries = corpus::entries();
    assert!(entries.len() >= 5, "{entries:?}");
    let root = repo_root().join("target/corpus");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    struct Row {
        entry: corpus::Entry,
        format: &'static str,
        types: usize,
        warnings: usize,
        generation: Duration,
        check: Duration,
    }
    let mut rows = Vec::new();
    for e in entries {
        let spec = corpus::fetch(&e);
        let text = std::fs::read_to_string(&spec).unwrap();
        let counted = corpus::count_operations(&text);
        assert_eq!(
            counted, e.operations,
            "{}: operations in the raw document",
            e.name
        );
        assert!(
            text.contains(&e.openapi),
            "{}: not OpenAPI {}",
            e.name,
            e.openapi
        );
        let start = Instant::now();
        let config = agentgen::Config::new(&spec).crate_name(e.crate_name());
        let generated = agentgen::load_and_generate(&config)
            .unwrap_or_else(|err| panic!("{} ({}) failed:\n{err}", e.name, spec.display()));
        let generation = start.elapsed();
        assert_eq!(
            generated.api.operations.len(),
            counted,
            "{}: every operation of the spec is generated",
            e.name
        );
        let fns: usize = generated
            .files
            .iter()
            .filter(|(p, _)| {
                p.starts_with("client/src/")
                    && !p.contains("/runtime/")
                    && !p.ends_with("/operations.rs")
            })
            .map(|(_, t)| t.matches("pub async fn ").count())
            .sum();
        assert_eq!(fns, counted, "{}: one method per operation", e.name);
        for (rel, contents) in &generated.files {
            if let Some(rel) = rel.strip_prefix("client/") {
                let p = root.join(&e.name).join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, contents).unwrap();
            }
        }
        let warnings = generated
            .diagnostics
            .iter()
            .filter(|d| d.severity == agentgen::Severity::Warning)
            .count();
        rows.push(Row {
            format: e.format(&text),
            entry: e,
            types: generated.api.types.len(),
            warnings,
            generation,
            check: Duration::ZERO,
        });
    }
    // One workspace: the dependencies are checked once for all clients.
    let members: Vec<String> = rows
        .iter()
        .map(|r| format!("\"{}\"", r.entry.name))
        .collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    // The shared dependencies (and the first runtime copy), apart from any one client.
    let smallest = rows.iter().min_by_key(|r| r.entry.operations).unwrap();
    let dependencies = clippy(&root, &format!("{}-runtime", smallest.entry.crate_name()));
    for row in &mut rows {
        row.check = clippy(&root, &row.entry.crate_name());
    }
    let mut report = String::from(
        "| spec | package | OpenAPI | format | operations | types | warnings | generation | clippy |\n|---|---|---|---|---:|---:|---:|---:|---:|\n",
    );
    for r in &rows {
        let e = &r.entry;
        let _ = writeln!(
            report,
            "| {} | {} `{}` {} | {} | {} | {} | {} | {} | {} | {} |",
            e.name,
            e.registry,
            e.package,
            e.version,
            e.openapi,
            r.format,
            e.operations,
            r.types,
            r.warnings,
            secs(r.generation),
            secs(r.check)
        );
    }
    let _ = writeln!(
        report,
        "\nShared dependencies: {} (clippy of the first runtime copy); generation in the test profile (unoptimized).",
        secs(dependencies)
    );
    std::fs::write(root.join("report.md"), &report).unwrap();
    println!("{report}");
}

#[test]
fn operations_are_counted_from_the_raw_document() {
    let yaml = "openapi: 3.1.0\npaths:\n  /a:\n    get: {x: 18446744073709552000}\n    post: {}\n    parameters: []\n    summary: s\n  /b:\n    $ref: '#/components/pathItems/B'\ncomponents:\n  pathItems:\n    B: {delete: {}, put: {}, trace: {}}\n";
    assert_eq!(corpus::count_operations(yaml), 5);
    let json = r#"{"paths": {"/a": {"get": {"minimum": -9223372036854776000}, "head": {}}}}"#;
    assert_eq!(corpus::count_operations(json), 2);
}
