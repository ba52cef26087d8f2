//! Clerk's specs, from the local mirror (`AGENTGEN_SPEC_MIRROR`, default `../shared/spec/clerk`
//! next to the checkout): every bapi version, fapi and platform generate with zero errors and
//! the crates pass `cargo clippy --all-targets -D warnings` and `cargo doc` with `-D warnings`;
//! bapi 2026-05-12 covers 249 of 249 operations with no duplicated method, and its models
//! decode Clerk-shaped JSON (and never panic on arbitrary or mutated JSON); the webhooks spec
//! generates a crate whose typed events decode every example of the spec. Generated crates go
//! under `target/clerk-gen/` and are never committed (they carry Clerk's prose).

#[path = "../decode_fuzz/mod.rs"]
mod decode_fuzz;

use agentgen_tests::{mirror, repo_root};
use std::path::{Path, PathBuf};

fn write(dir: &Path, files: &std::collections::BTreeMap<String, String>) {
    let _ = std::fs::remove_dir_all(dir.join("client/src"));
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn cargo(dir: &Path, args: &[&str]) {
    agentgen_tests::cargo_in(dir, args, &repo_root().join("target/clerk-gen-target"));
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
        let generated = agentgen::load_and_generate(&agentgen::Config::new(spec))
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
    let generated = agentgen::load_and_generate(&agentgen::Config::new(&spec)).unwrap();
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
        .filter(|(p, _)| {
            p.starts_with("client/src/")
                && !p.contains("/runtime/")
                && !p.ends_with("/operations.rs")
        })
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
    let generated = agentgen::load_and_generate(&agentgen::Config::new(&spec)).unwrap();
    let dir = repo_root().join("target/clerk-gen/decode");
    write(&dir, &generated.files);
    let tests = dir.join("client/tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("clerk/decode.rs"),
        tests.join("decode.rs"),
    )
    .unwrap();
    // And every model type survives arbitrary and mutated JSON (tests/decode_fuzz/).
    std::fs::write(
        tests.join("decode_fuzz.rs"),
        decode_fuzz::source(&generated.api, "clerk_backend_api"),
    )
    .unwrap();
    cargo(
        &dir.join("client"),
        &[
            "test",
            "--quiet",
            "--test",
            "decode",
            "--test",
            "decode_fuzz",
        ],
    );
}

/// prettyplease prints every doc of Clerk's prose as `///` / `//!` lines: no doc attribute is
/// left (one would, for a line starting with `/` or holding a line break).
#[test]
fn bapi_docs_print_as_comment_lines() {
    let mut config = agentgen::Config::new(mirror().join("bapi/2026-05-12.yml"));
    config.webhooks_spec = Some(mirror().join("webhooks/2025-04-15.yml"));
    config.emit_agent = false;
    let generated = agentgen::load_and_generate(&config).unwrap();
    let mut docs = 0;
    for (path, text) in &generated.files {
        if text.starts_with("// @generated by agentgen") && path.ends_with(".rs") {
            assert!(
                !text.contains("#[doc") && !text.contains("#![doc"),
                "{path} has a doc attribute"
            );
            docs += text
                .lines()
                .filter(|l| l.trim_start().starts_with("///"))
                .count();
        }
    }
    assert!(docs > 5_000, "{docs} doc lines");
}

#[test]
fn webhooks_spec_generates_a_clean_crate_that_decodes_every_example() {
    // The pin (spec/clerk-webhooks.yaml) names the mirror's file: its sha256 matches.
    let pinned =
        agentgen::pin::resolve_with_mirror(&agentgen::pin::Pin::clerk_webhooks(), Some(mirror()))
            .unwrap();
    let spec = mirror().join("webhooks/2025-04-15.yml");
    assert_eq!(pinned, spec);
    let generated = agentgen::load_and_generate(&agentgen::Config::new(&spec))
        .unwrap_or_else(|e| panic!("{} failed:\n{e}", spec.display()));
    let api = &generated.api;
    assert!(api.operations.is_empty());
    assert_eq!(api.webhooks.len(), 45);
    let distinct: std::collections::BTreeSet<String> = api
        .webhooks
        .iter()
        .map(|e| format!("{:?}", e.payload))
        .collect();
    assert_eq!(distinct.len(), 16, "payload types");
    let examples: Vec<(String, serde_json::Value)> = api
        .webhooks
        .iter()
        .flat_map(|e| e.examples.iter().map(|x| (e.event_type.clone(), x.clone())))
        .collect();
    assert_eq!(examples.len(), 45, "one example per event");
    let dir = repo_root().join("target/clerk-gen/webhooks");
    write(&dir, &generated.files);
    let client = dir.join("client");
    let tests = client.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::write(
        tests.join("examples.json"),
        serde_json::to_string(&examples).unwrap(),
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("clerk/webhooks.rs"),
        tests.join("webhooks.rs"),
    )
    .unwrap();
    cargo(
        &client,
        &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
    );
    cargo(&client, &["doc", "--quiet", "--no-deps"]);
    // The examples through the generated crate, and the verifier's own tests (published
    // vector, tampering) plus the doctests.
    cargo(&client, &["test", "--quiet"]);
}

#[test]
fn bapi_pagination_shapes() {
    use agentgen::ir::{ItemsAt, PageStrategy, Pagination};
    let spec = mirror().join("bapi/2026-05-12.yml");
    let api = agentgen::load_and_generate(&agentgen::Config::new(&spec))
        .unwrap()
        .api;
    let of = |id: &str| -> Option<Pagination> {
        api.operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap_or_else(|| panic!("no operation {id}"))
            .pagination
            .clone()
    };
    let names = |id: &str| {
        let op = api
            .operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap();
        api.paging_names(op).unwrap()
    };
    let by_offset = |p: &Pagination| matches!(p.strategy, PageStrategy::Offset { .. });
    // Offset stream with the cursor recorded: `GET /users` also takes `starting_after`.
    let users = of("GetUserList").unwrap();
    assert!(by_offset(&users));
    assert_eq!(users.items, ItemsAt::Root);
    assert!(users.alt_cursor.is_some());
    let n = names("GetUserList");
    assert_eq!(
        (n.limit, n.offset, n.after, n.cursor_field, n.items, n.total),
        (
            "limit",
            Some("offset"),
            Some("starting_after"),
            Some("id"),
            None,
            None
        )
    );
    assert_eq!(users.max_limit, Some(500));
    let orgs = of("ListOrganizations").unwrap();
    assert!(by_offset(&orgs));
    let n = names("ListOrganizations");
    assert_eq!((n.items, n.total), (Some("data"), Some("total_count")));
    assert!(orgs.alt_cursor.is_none());
    let n = names("getM2MTokens");
    assert_eq!(
        (n.items, n.total),
        (Some("m2m_tokens"), Some("total_count"))
    );
    let invitations = of("ListInvitations").unwrap();
    assert_eq!(invitations.items, ItemsAt::Root);
    assert!(by_offset(&invitations));
    // `{data, total_count}` without limit/offset: everything comes in one response.
    assert!(of("ListBlocklistIdentifiers").is_none());
    // Counts per shape (research notes §1.6: 27 `{data,total_count}`, 9 bare arrays,
    // 1 custom envelope, `GET /users` with a cursor).
    let paginated: Vec<&Pagination> = api
        .operations
        .iter()
        .filter_map(|o| o.pagination.as_ref())
        .collect();
    let items: Vec<Option<&str>> = api
        .operations
        .iter()
        .filter_map(|o| api.paging_names(o))
        .map(|n| n.items)
        .collect();
    let count = |f: &dyn Fn(&Pagination) -> bool| paginated.iter().filter(|p| f(p)).count();
    let data = items.iter().filter(|i| **i == Some("data")).count();
    let root = items.iter().filter(|i| i.is_none()).count();
    let custom = items.len() - data - root;
    let cursors = count(&|p| p.cursor().is_some());
    let cursor_streams = count(&|p| matches!(p.strategy, PageStrategy::Cursor(_)));
    eprintln!(
        "bapi 2026-05-12 pagination: {} ops; data envelope {data}, bare array {root}, custom envelope {custom}, with a cursor {cursors}, cursor-only {cursor_streams}",
        paginated.len()
    );
    assert_eq!((data, root, custom), (27, 9, 1));
    assert_eq!((cursors, cursor_streams), (1, 0));
    // Stream methods never collide with operation methods.
    for p in &paginated {
        assert!(p.stream_method.ends_with("_stream"), "{}", p.stream_method);
    }
    // Platform pages its `{data, total_count}` lists by cursor only.
    let platform =
        agentgen::load_and_generate(&agentgen::Config::new(mirror().join("platform/beta.yml")))
            .unwrap()
            .api;
    let cursor_ops: Vec<&str> = platform
        .operations
        .iter()
        .filter(|o| {
            o.pagination
                .as_ref()
                .is_some_and(|p| matches!(p.strategy, PageStrategy::Cursor(_)))
        })
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(
        cursor_ops,
        [
            "PlatformListDomains",
            "PlatformListDomainIntents",
            "PlatformListApplicationTransfers"
        ]
    );
    let domains = platform
        .operations
        .iter()
        .find(|o| o.operation_id == "PlatformListDomains")
        .and_then(|o| o.pagination.clone())
        .unwrap();
    assert!(matches!(domains.strategy, PageStrategy::Cursor(_)));
    let op = platform
        .operations
        .iter()
        .find(|o| o.operation_id == "PlatformListDomains")
        .unwrap();
    let n = platform.paging_names(op).unwrap();
    assert_eq!(
        (n.after, n.before, n.items, n.total),
        (
            Some("starting_after"),
            Some("ending_before"),
            Some("data"),
            Some("total_count")
        )
    );
}

/// The bapi crate with reduced features (`users` read-only, `users` + `write`, no features)
/// passes clippy and rustdoc with `-D warnings`, and the rustdoc output (exactly what was
/// compiled) lacks the write methods without `write` and the types of other groups.
#[test]
fn bapi_feature_subsets_build_warning_free() {
    let spec = mirror().join("bapi/2026-05-12.yml");
    // A name of its own: the other tests document `clerk_backend_api` in the same target
    // directory, and this one deletes its documentation between builds.
    let config = agentgen::Config::new(&spec).crate_name("clerk-backend-features");
    let generated = agentgen::load_and_generate(&config).unwrap();
    let dir = repo_root().join("target/clerk-gen/features");
    write(&dir, &generated.files);
    let client = dir.join("client");
    let doc = repo_root().join("target/clerk-gen-target/doc/clerk_backend_features");
    let page = |p: &str| std::fs::read_to_string(doc.join(p)).ok();
    for features in [None, Some("users"), Some("users,write")] {
        let mut args = vec!["--no-default-features"];
        if let Some(f) = features {
            args.extend(["--features", f]);
        }
        let clippy = [
            &["clippy", "--quiet", "--lib"][..],
            &args,
            &["--", "-D", "warnings"],
        ];
        cargo(&client, &clippy.concat());
        let _ = std::fs::remove_dir_all(&doc);
        cargo(
            &client,
            &[&["doc", "--quiet", "--no-deps"][..], &args].concat(),
        );
        let users = page("users/struct.Users.html");
        match features {
            None => assert!(users.is_none(), "no group without features"),
            Some(f) => {
                let users = users.expect("the users group");
                assert!(users.contains("id=\"method.list\""), "{f}: GetUserList");
                assert_eq!(
                    users.contains("id=\"method.create\""),
                    f.contains("write"),
                    "{f}: CreateUser exists only with `write`"
                );
                assert!(page("models/struct.User.html").is_some(), "{f}");
                assert_eq!(
                    page("models/struct.CreateUserBody.html").is_some(),
                    f.contains("write"),
                    "{f}: the body of CreateUser is reached only by a write"
                );
            }
        }
        // Types only another group reaches, and other groups' modules, are left out.
        assert!(page("models/struct.JwksRsaPublicKey.html").is_none());
        assert!(page("jwks/index.html").is_none());
        assert!(page("organizations/index.html").is_none());
    }
}
