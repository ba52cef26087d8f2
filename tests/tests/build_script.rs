//! The build-script front-end (`agentgen::configure()`) in a real build script, and the
//! `generated/clerk-backend` crate that uses it.
//!
//! A tiny crate under `target/build-script-test/` has a `build.rs` that calls the builder with
//! the pinned spec, read from a temporary mirror. Built with `cargo build -v` (its own target
//! directory, reused between runs): the first build runs the build script; a second build and a
//! build after touching an unrelated file do not; touching the spec does; a relative mirror is
//! taken from the workspace root; a mirror without the spec fails with one message that says
//! how to provide it.

use agentgen_tests::{mirror, repo_root};
use std::path::Path;
use std::process::{Command, Output};

/// `cargo build -v` of the tiny crate with this mirror.
fn build(krate: &Path, mirror: &Path) -> Output {
    Command::new(env!("CARGO"))
        .args(["build", "-v"])
        .current_dir(krate)
        .env(
            "CARGO_TARGET_DIR",
            repo_root().join("target/build-script-test/target"),
        )
        .env("AGENTGEN_SPEC_MIRROR", mirror)
        .env("AGENTGEN_CACHE_DIR", krate.join("no-cache"))
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Whether cargo ran the tiny crate's build script (as opposed to finding it fresh).
fn ran_build_script(out: &Output) -> bool {
    text(out).lines().any(|l| {
        l.trim_start().starts_with("Running `")
            && l.contains("build/tiny-")
            && l.contains("build-script-build")
    })
}

fn succeed(out: Output, what: &str) -> Output {
    assert!(out.status.success(), "{what} failed:\n{}", text(&out));
    out
}

#[test]
fn build_script_reruns_when_the_spec_changes_and_only_then() {
    let root = repo_root().join("target/build-script-test");
    let krate = root.join("tiny");
    let mirror_dir = root.join("mirror");
    let _ = std::fs::remove_dir_all(&krate);
    let _ = std::fs::remove_dir_all(&mirror_dir);
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::create_dir_all(mirror_dir.join("bapi")).unwrap();
    let spec = mirror_dir.join("bapi/2026-05-12.yml");
    std::fs::copy(mirror().join("bapi/2026-05-12.yml"), &spec).unwrap();

    let generator = repo_root().join("generator");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [build-dependencies]\nagentgen-core = {{ path = {:?} }}\n\n[workspace]\n",
            generator.display().to_string()
        ),
    )
    .unwrap();
    // The workspace lock file: the same dependency versions, no resolution needed.
    std::fs::copy(repo_root().join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    std::fs::write(
        krate.join("build.rs"),
        r#"fn main() -> std::process::ExitCode {
    match agentgen::configure().crate_name("tiny").compile() {
        Ok(report) => {
            assert!(report.include_file.ends_with("tiny.rs"));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
"#,
    )
    .unwrap();
    // Only checks that the file exists: compiling the whole client is clerk-backend's job.
    std::fs::write(
        krate.join("src/lib.rs"),
        "pub const GENERATED: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/tiny.rs\"));\n",
    )
    .unwrap();
    std::fs::write(krate.join("NOTES.md"), "unrelated\n").unwrap();

    let first = succeed(build(&krate, &mirror_dir), "first build");
    assert!(ran_build_script(&first), "{}", text(&first));
    // The directives the build script printed: the spec it read and the variables that
    // locate the pinned spec.
    let build_dir = repo_root().join("target/build-script-test/target/debug/build");
    // Earlier runs (another agentgen, another hash) leave their own `tiny-*` directories:
    // the newest output is this build's.
    let output = std::fs::read_dir(&build_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("tiny-"))
        .map(|e| e.path().join("output"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .max()
        .map(|(_, p)| std::fs::read_to_string(p).unwrap())
        .filter(|t| t.contains("cargo:rerun-if-changed="))
        .expect("the build script's output file");
    let lines: Vec<&str> = output.lines().collect();
    assert!(
        lines.contains(&format!("cargo:rerun-if-changed={}", spec.display()).as_str()),
        "{output}"
    );
    for var in [
        "AGENTGEN_SPEC_MIRROR",
        "AGENTGEN_CACHE_DIR",
        "XDG_CACHE_HOME",
    ] {
        assert!(
            lines.contains(&format!("cargo:rerun-if-env-changed={var}").as_str()),
            "{output}"
        );
    }
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("cargo:rerun-if-changed="))
            .count(),
        1,
        "only the spec was read: {output}"
    );

    let second = succeed(build(&krate, &mirror_dir), "second build");
    assert!(!ran_build_script(&second), "{}", text(&second));

    // mtimes have a resolution; make sure the touches below are newer than the last run.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(krate.join("NOTES.md"), "still unrelated\n").unwrap();
    let unrelated = succeed(build(&krate, &mirror_dir), "build after an unrelated edit");
    assert!(!ran_build_script(&unrelated), "{}", text(&unrelated));

    // Same bytes, new mtime: the spec was touched.
    let bytes = std::fs::read(&spec).unwrap();
    std::fs::write(&spec, bytes).unwrap();
    let touched = succeed(build(&krate, &mirror_dir), "build after touching the spec");
    assert!(ran_build_script(&touched), "{}", text(&touched));

    // A relative mirror is relative to the workspace root (here the tiny crate itself), not
    // to wherever the build script happens to run.
    let relative = succeed(
        build(&krate, Path::new("../mirror")),
        "build with a relative mirror",
    );
    assert!(ran_build_script(&relative), "{}", text(&relative));

    // A mirror without the spec: one clear message saying how to provide it.
    let nowhere = root.join("empty-mirror");
    std::fs::create_dir_all(&nowhere).unwrap();
    let missing = build(&krate, &nowhere);
    assert!(!missing.status.success(), "{}", text(&missing));
    let msg = text(&missing);
    assert_eq!(
        msg.matches("AGENTGEN_SPEC_MIRROR is set, but the mirror has no `bapi/2026-05-12.yml`")
            .count(),
        1,
        "{msg}"
    );
    assert_eq!(
        msg.matches("Provide the spec in one of these ways").count(),
        1,
        "{msg}"
    );
    assert!(msg.contains("--spec FILE"), "{msg}");
    assert!(msg.contains("AGENTGEN_CACHE_DIR"), "{msg}");
    assert!(!msg.contains("panicked"), "{msg}");
}

/// `key = value` lines per `[section]` of a simple TOML file.
fn sections(toml: &str) -> Vec<(String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in toml.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            section = line.to_string();
            continue;
        }
        out.push((section.clone(), line.to_string()));
    }
    out
}

#[test]
fn clerk_backend_manifest_covers_what_the_generated_code_needs() {
    // Shaped like what the crate is built from: operations, one group named `webhooks` (as
    // Clerk's Svix settings are), and webhook events (merged from the webhooks spec).
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      x-speakeasy-group: webhooks\n      responses:\n        '204': {description: ok}\nx-webhooks:\n  a.b:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {properties: {data: {type: object}}}\n";
    let generated = agentgen::generate(
        &agentgen::Inputs::from_text("t.yaml", spec),
        &agentgen::Config::new("t.yaml"),
    )
    .unwrap();
    let wanted = sections(&generated.files["client/Cargo.toml"]);
    let have = sections(
        &std::fs::read_to_string(repo_root().join("generated/clerk-backend/Cargo.toml")).unwrap(),
    );
    let mut checked = 0;
    for (section, line) in &wanted {
        // Features depend on the spec's groups: checked against the pinned spec below.
        if !["[dependencies]", "[dev-dependencies]"].contains(&section.as_str()) {
            continue;
        }
        checked += 1;
        // The runtime: a renamed copy next to a generated crate, the crate itself here.
        if line.starts_with("agentgen-runtime = ") {
            assert!(
                line.contains("path = \"runtime\""),
                "the generated crate depends on its copy of the runtime: {line}"
            );
            assert!(
                have.contains(&(
                    section.clone(),
                    "agentgen-runtime = { path = \"../../generator/runtime\" }".to_string()
                )),
                "generated/clerk-backend/Cargo.toml must depend on agentgen-runtime"
            );
            continue;
        }
        assert!(
            have.contains(&(section.clone(), line.clone())),
            "generated/clerk-backend/Cargo.toml lacks `{line}` in {section}: the generated code needs it (see generator/src/emit/crate_files.rs)"
        );
    }
    assert!(checked >= 6, "{wanted:?}");
}

/// The copy of the runtime that `agentgen generate` writes has the dependencies of the
/// `agentgen-runtime` crate it copies.
#[test]
fn the_runtime_copy_has_the_runtime_crate_dependencies() {
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '204': {description: ok}\n";
    let generated = agentgen::generate(
        &agentgen::Inputs::from_text("t.yaml", spec),
        &agentgen::Config::new("t.yaml"),
    )
    .unwrap();
    let only = |toml: &str, wanted: &str| -> Vec<String> {
        sections(toml)
            .into_iter()
            .filter(|(section, _)| section == wanted)
            .map(|(_, line)| line)
            .collect()
    };
    let copy = &generated.files["client/runtime/Cargo.toml"];
    let crate_manifest =
        std::fs::read_to_string(repo_root().join("generator/runtime/Cargo.toml")).unwrap();
    for section in ["[dependencies]", "[dev-dependencies]"] {
        let deps = only(copy, section);
        assert!(!deps.is_empty(), "{section} of the copy: {copy}");
        assert_eq!(
            deps,
            only(&crate_manifest, section),
            "{section}: generator/runtime/Cargo.toml and the copy written by generator/src/emit/runtime_files.rs differ"
        );
    }
    assert!(copy.contains("name = \"t-runtime\""), "{copy}");
    // Every source file of the runtime crate is copied, unchanged.
    let src = repo_root().join("generator/runtime/src");
    let mut copied = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            generated.files.get(&format!("client/runtime/src/{name}")),
            Some(&text),
            "{name} is not copied as it is (list it in generator/src/emit/runtime_files.rs)"
        );
        copied += 1;
    }
    assert!(copied >= 10, "{copied}");
}

/// The `[features]` section of a manifest, without comments.
fn features_section(toml: &str) -> String {
    let start = toml.find("\n[features]\n").expect("a [features] section");
    let rest = &toml[start + 1..];
    let end = rest[1..].find("\n[").map_or(rest.len(), |i| i + 1);
    rest[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The code `include!`d from OUT_DIR tests clerk-backend's own features (`#[cfg(feature =
/// "users")]`), so its manifest must declare exactly the features of the crate generated from
/// the pinned spec with the pinned webhooks merged (as its build script does): one per group,
/// `full`, `write`, `dynamic` and `webhook-events`, all on by default.
#[test]
fn clerk_backend_features_match_the_generated_crate() {
    let pin = std::fs::read_to_string(repo_root().join("spec/clerk-bapi.yaml")).unwrap();
    assert!(
        pin.contains("version: \"2026-05-12\""),
        "update the spec path below"
    );
    let spec = mirror().join("bapi/2026-05-12.yml");
    let mut config = agentgen::Config::new(&spec);
    config.webhooks_spec = Some(mirror().join("webhooks/2025-04-15.yml"));
    let generated = agentgen::load_and_generate(&config).unwrap();
    let wanted = features_section(&generated.files["client/Cargo.toml"]);
    let have = features_section(
        &std::fs::read_to_string(repo_root().join("generated/clerk-backend/Cargo.toml")).unwrap(),
    );
    assert!(wanted.contains("\nusers = []"), "{wanted}");
    assert!(
        wanted.contains("default = [\"webhook-events\", \"full\", \"write\", \"dynamic\"]"),
        "{wanted}"
    );
    assert_eq!(
        have, wanted,
        "generated/clerk-backend/Cargo.toml [features] must equal what generator/src/emit/crate_files.rs writes for the pinned spec"
    );
}
