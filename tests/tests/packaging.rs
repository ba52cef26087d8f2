//! The packages a Rust user installs: every publishable crate passes `cargo package` with
//! verification, and a scratch crate outside the workspace generates a client from its
//! `build.rs` through the packaged crates only, as a user would after
//! `cargo add --build agentgen-core` (`[patch.crates-io]` points at the unpacked packages,
//! since they are not published).
//!
//! The unpacked packages and the scratch crate are under `target/packaging-test/`; the builds
//! share the workspace's target directory.

use agentgen_tests::repo_root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The publishable packages, in dependency order.
const PACKAGES: &[&str] = &[
    "agentgen-runtime",
    "agentgen-core",
    "agentgen-mcp",
    "agentgen-gateway",
    "agentgen-tool",
];

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo")
}

fn succeed(out: Output, what: &str) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// Remove what earlier runs extracted of our packages from the local registries of
/// `cargo package` (`$CARGO_HOME/registry/src/-<hash>/<name>-<version>`): cargo does not
/// extract a crate again when a directory of the same name and version is there, so the
/// verification would compile the sources of an earlier run (crates.io's registry,
/// `index.crates.io-…`, is left alone).
fn forget_extracted_packages(version: &str) {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else {
        return;
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return;
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for p in PACKAGES {
            let dir = registry.path().join(format!("{p}-{version}"));
            if dir.is_dir() {
                std::fs::remove_dir_all(&dir)
                    .unwrap_or_else(|e| panic!("remove {}: {e}", dir.display()));
            }
        }
    }
}

/// Unpack `crate_file` (a `.crate`: gzipped tar of `<name>-<version>/...`) into `into`.
fn unpack(crate_file: &Path, into: &Path) {
    let file = std::fs::File::open(crate_file).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(into)
        .unwrap_or_else(|e| panic!("unpack {}: {e}", crate_file.display()));
}

#[test]
fn packages_verify_and_a_build_script_uses_the_packaged_core() {
    let root = repo_root().join("target/packaging-test");
    // The workspace's target directory: the dependencies are built once for both.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let mut args = vec!["package", "--allow-dirty"];
    for p in PACKAGES {
        args.extend(["-p", p]);
    }
    // Verification builds each package from its unpacked `.crate`: a file a package embeds
    // but does not contain fails here.
    forget_extracted_packages(env!("CARGO_PKG_VERSION"));
    succeed(cargo(&repo_root(), &target, &args), "cargo package");

    let unpacked = root.join("unpacked");
    let _ = std::fs::remove_dir_all(&unpacked);
    std::fs::create_dir_all(&unpacked).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let dir_of = |name: &str| -> PathBuf {
        let file = target.join(format!("package/{name}-{version}.crate"));
        unpack(&file, &unpacked);
        unpacked.join(format!("{name}-{version}"))
    };
    let dirs: Vec<(&str, PathBuf)> = PACKAGES.iter().map(|p| (*p, dir_of(p))).collect();

    // What a build script pulls in: the core library without the command line (clap) and
    // without the MCP server.
    let core_manifest =
        std::fs::read_to_string(dirs[1].1.join("Cargo.toml")).expect("agentgen-core manifest");
    for heavy in ["clap", "agentgen-mcp", "rmcp", "mimalloc"] {
        assert!(
            !core_manifest.contains(&format!("dependencies.{heavy}]")),
            "agentgen-core depends on {heavy}:\n{core_manifest}"
        );
    }
    // The binary lives in agentgen-tool, and is named agentgen.
    let tool_manifest = std::fs::read_to_string(dirs[4].1.join("Cargo.toml")).unwrap();
    assert!(
        tool_manifest.contains("name = \"agentgen\""),
        "{tool_manifest}"
    );

    // A scratch crate outside the workspace: our `minimal` fixture spec, generated from
    // build.rs with the packaged core, compiled against the packaged runtime.
    let krate = root.join("consumer");
    let _ = std::fs::remove_dir_all(&krate);
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let fixture = repo_root().join("tests/fixtures/minimal");
    let expected = std::fs::read_to_string(fixture.join("expected/client/Cargo.toml")).unwrap();
    let features = &expected[expected.find("[features]").expect("a [features] table")..];
    let features = &features[..features
        .find("\n[dev-dependencies]")
        .unwrap_or(features.len())];
    let patch: String = dirs
        .iter()
        .filter(|(name, _)| ["agentgen-core", "agentgen-runtime"].contains(name))
        .map(|(name, dir)| format!("{name} = {{ path = {:?} }}\n", dir.display().to_string()))
        .collect();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"fixture-minimal\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nagentgen-runtime = \"{version}\"\n\
             reqwest = {{ version = \"0.12\", default-features = false, features = [\"rustls-tls\", \"multipart\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\nserde_path_to_error = \"0.1\"\n\n\
             [build-dependencies]\nagentgen-core = \"{version}\"\n\n{features}\n\n\
             [patch.crates-io]\n{patch}\n[workspace]\n"
        ),
    )
    .unwrap();
    // The build script a user writes (`compile()`), preceded by this test's check of the core
    // built without its `agent` feature: asking for the agent documents is an error that names
    // the feature and the way out, not a silently missing `agent/` directory.
    let spec = fixture.join("spec.json").display().to_string();
    std::fs::write(
        krate.join("build.rs"),
        format!(
            "fn main() -> std::process::ExitCode {{\n    \
             let config = agentgen::Config::new({spec:?});\n    \
             assert!(config.emit_agent, \"Config::new asks for the agent documents\");\n    \
             match agentgen::load_and_generate(&config) {{\n        \
             Err(e) => {{\n            let e = e.to_string();\n            \
             assert!(e.contains(\"without its `agent` feature\") && e.contains(\"emit_agent = false\") && e.contains(\"spec.json\"), \"unclear error: {{e}}\");\n        }}\n        \
             Ok(g) => panic!(\"agent documents asked for without the `agent` feature: no error, {{}} files\", g.files.len()),\n    }}\n\n    \
             match agentgen::configure().spec({spec:?}).compile() {{\n        \
             Ok(_) => std::process::ExitCode::SUCCESS,\n        \
             Err(e) => {{\n            eprintln!(\"{{e}}\");\n            std::process::ExitCode::FAILURE\n        }}\n    }}\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        krate.join("src/lib.rs"),
        "include!(concat!(env!(\"OUT_DIR\"), \"/fixture_minimal.rs\"));\n\n\
         /// The generated client is usable: a client for a base URL, and its read-only view.\n\
         pub fn client() -> Client<ReadOnly> {\n    Client::builder().secret_key(\"sk_test_x\").base_url(\"http://127.0.0.1:9\").build().expect(\"client\").read_only_view()\n}\n",
    )
    .unwrap();
    let text = succeed(
        cargo(&krate, &target, &["build", "--offline", "-v"]),
        "the consumer's build",
    );
    // The patched (packaged) crates were used, not anything from the workspace (`-v` names
    // each unit, `Compiling` or `Fresh`, with its source directory).
    assert!(
        text.contains(&format!("agentgen-core v{version} ({}", unpacked.display())),
        "{text}"
    );
    // The core without features compiled none of what only the agent documents need (`-v`
    // names every unit of the build, compiled or fresh).
    let units: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("Compiling ")
                .or_else(|| l.strip_prefix("Fresh "))
        })
        .filter_map(|unit| unit.split_whitespace().next())
        .collect();
    assert!(units.contains(&"agentgen-core"), "{text}");
    for agent_only in ["minijinja", "tar", "flate2"] {
        assert!(
            !units.contains(&agent_only),
            "the consumer's build compiled {agent_only}, which only agentgen-core's `agent` feature needs:\n{text}"
        );
    }
}
