//! Cargo features of the generated crates (one per group, `write`, `dynamic`, `full`): every
//! fixture crate passes clippy and rustdoc with `-D warnings` with no features, each group
//! alone, each group with `write`, and with `dynamic`; doctests pass with one group;
//! and a reduced build really lacks what it should (write methods, other groups' types),
//! checked in the rustdoc output, which shows exactly what was compiled.

use agentgen_tests::repo_root;
use std::path::{Path, PathBuf};

const FIXTURES: &[&str] = &["accounts", "names", "minimal"];

/// The tests share one target directory (and its `doc/`): one at a time.
static CARGO: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn crate_dir(fixture: &str) -> PathBuf {
    repo_root().join(format!("tests/fixtures/{fixture}/expected/client"))
}

fn target_dir() -> PathBuf {
    repo_root().join("target/features-test")
}

/// `cargo <args> --no-default-features --features <features>` on a fixture crate.
fn cargo(dir: &Path, args: &[&str], features: &[&str]) {
    let joined = features.join(",");
    let mut all: Vec<&str> = args.to_vec();
    all.push("--no-default-features");
    if !features.is_empty() {
        all.extend(["--features", joined.as_str()]);
    }
    if args[0] == "clippy" {
        all.extend(["--", "-D", "warnings"]);
    }
    agentgen_tests::cargo_in(dir, &all, &target_dir());
}

/// The group features of a generated crate: the members of `full`.
fn group_features(dir: &Path) -> Vec<String> {
    let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let start = toml.find("\nfull = [").expect("a `full` feature") + "\nfull = [".len();
    let end = start + toml[start..].find(']').unwrap();
    toml[start..end]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn fixture_crates_build_warning_free_under_feature_subsets() {
    let _one = CARGO.lock().unwrap_or_else(|e| e.into_inner());
    for fixture in FIXTURES {
        let dir = crate_dir(fixture);
        let groups = group_features(&dir);
        assert!(!groups.is_empty(), "{fixture}");
        // `dynamic` gates its callers like the operations: one group with it is enough.
        let mut subsets: Vec<Vec<&str>> = vec![
            vec![],
            vec!["write", "dynamic"],
            vec![&groups[0], "dynamic"],
        ];
        for g in &groups {
            subsets.push(vec![g]);
            subsets.push(vec![g, "write"]);
        }
        for features in &subsets {
            cargo(&dir, &["clippy", "--quiet", "--lib"], features);
            cargo(&dir, &["doc", "--quiet", "--no-deps"], features);
        }
    }
    // The webhooks-only fixture: the events (and the payload types they reach) alone, and
    // nothing at all.
    let dir = crate_dir("webhooks");
    for features in [&["webhooks"][..], &[]] {
        cargo(&dir, &["clippy", "--quiet", "--lib"], features);
        cargo(&dir, &["doc", "--quiet", "--no-deps"], features);
    }
    // The crate docs' examples (and the read-only compile_fail proof) hold with one group.
    let dir = crate_dir("accounts");
    cargo(&dir, &["test", "--quiet", "--doc"], &["accounts"]);
    cargo(&dir, &["test", "--quiet", "--doc"], &["accounts", "write"]);
}

/// Rustdoc of the `accounts` fixture with these features: (file, contents) lookups.
struct Docs(PathBuf);

impl Docs {
    fn build(features: &[&str]) -> Docs {
        let out = target_dir().join("doc/fixture_accounts");
        // Rustdoc leaves pages of items that no longer exist: start clean.
        let _ = std::fs::remove_dir_all(&out);
        cargo(
            &crate_dir("accounts"),
            &["doc", "--quiet", "--no-deps"],
            features,
        );
        Docs(out)
    }

    fn has(&self, page: &str) -> bool {
        self.0.join(page).is_file()
    }

    fn page(&self, page: &str) -> String {
        std::fs::read_to_string(self.0.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
    }
}

#[test]
fn reduced_features_compile_only_what_the_enabled_operations_need() {
    let _one = CARGO.lock().unwrap_or_else(|e| e.into_inner());
    // `accounts` alone: its read operations and their types; no writes, no other group.
    let docs = Docs::build(&["accounts"]);
    let group = docs.page("accounts/struct.Accounts.html");
    assert!(group.contains("id=\"method.list\""), "read method");
    assert!(!group.contains("id=\"method.create\""), "write method");
    assert!(
        !group.contains("id=\"method.delete\""),
        "destructive method"
    );
    assert!(docs.has("models/struct.Session.html"), "read type");
    assert!(
        !docs.has("models/struct.DeletedObject.html"),
        "type reached only by a write of accounts"
    );
    assert!(!docs.has("models/enum.Key.html"), "type of the keys group");
    assert!(!docs.has("keys/index.html"), "module of another group");
    // `Client::call` needs `dynamic`.
    assert!(!docs
        .page("struct.Client.html")
        .contains("id=\"method.call\""));

    // With `write`: the other operations of accounts and what only they reach.
    let docs = Docs::build(&["accounts", "write"]);
    let group = docs.page("accounts/struct.Accounts.html");
    assert!(group.contains("id=\"method.create\""));
    assert!(group.contains("id=\"method.delete\""));
    assert!(docs.has("models/struct.DeletedObject.html"));
    assert!(!docs.has("models/enum.Key.html"));

    // Default features: everything.
    let docs = Docs::build(&["full", "write", "dynamic"]);
    assert!(docs.has("models/enum.Key.html"));
    assert!(docs.has("keys/index.html"));
    assert!(docs
        .page("struct.Client.html")
        .contains("id=\"method.call\""));
}
