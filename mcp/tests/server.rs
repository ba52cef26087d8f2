//! The server's behaviour with a fake backend, over the accounts fixture's AgentSpec
//! documents: listing and refusal on read-only connections, credentials withheld unless
//! allowed, `max_class` ceilings, group filters, argument checks,
//! page-size defaults, error mapping and secret scrubbing.

use agentgen_mcp::backend::BoxFuture;
use agentgen_mcp::{Backend, CallError, Catalog, Class, Mode, Operation, Policy, Server, Settings};
use serde_json::{json, Map, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};

const SECRET: &str = "sk_test_FakeBackendSecret42";

fn catalog() -> Catalog {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/accounts/expected/agent");
    Catalog::from_dir(&dir).expect("fixture documents load")
}

type Reply = Box<dyn Fn(&Operation) -> Result<Value, CallError> + Send + Sync>;

/// Records calls; answers with `reply`.
struct Fake {
    calls: Mutex<Vec<(String, Value)>>,
    reply: Reply,
}

impl Backend for Fake {
    fn call<'a>(
        &'a self,
        op: &'a Operation,
        input: Value,
    ) -> BoxFuture<'a, Result<Value, CallError>> {
        self.calls.lock().unwrap().push((op.name.clone(), input));
        let r = (self.reply)(op);
        Box::pin(async move { r })
    }
}

fn server(
    mode: Mode,
    policy: Policy,
    groups: &[&str],
    reply: impl Fn(&Operation) -> Result<Value, CallError> + Send + Sync + 'static,
) -> (Server, Arc<Fake>) {
    let fake = Arc::new(Fake {
        calls: Mutex::new(Vec::new()),
        reply: Box::new(reply),
    });
    let settings = Settings {
        mode,
        policy,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        instructions: "You are connected to the Accounts API.".into(),
        secret: Some(SECRET.into()),
        ..Settings::default()
    };
    let server = Server::new(catalog(), settings, fake.clone()).unwrap();
    (server, fake)
}

fn args(v: Value) -> Option<Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn text(r: &rmcp::model::CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn names(s: &Server) -> Vec<String> {
    s.tools().iter().map(|t| t.name.to_string()).collect()
}

#[tokio::test]
async fn read_only_lists_and_calls_only_reads() {
    let (s, fake) = server(Mode::Full, Policy::read_only(), &[], |_| {
        Ok(json!({"id": "a"}))
    });
    let listed = names(&s);
    assert!(listed.contains(&"accounts_get".to_string()));
    for w in [
        "accounts_create",
        "accounts_delete",
        "accounts_update",
        "keys_rotate_keys",
    ] {
        assert!(!listed.contains(&w.to_string()), "{w} listed");
        let r = s.call(w, args(json!({}))).await;
        assert_eq!(r.is_error, Some(true));
        assert!(
            text(&r).contains("read-only") && text(&r).contains("nothing was sent"),
            "{}",
            text(&r)
        );
    }
    assert!(
        fake.calls.lock().unwrap().is_empty(),
        "a refused call reached the backend"
    );
    for t in s.tools() {
        let a = t.annotations.as_ref().unwrap();
        assert_eq!(a.read_only_hint, Some(true));
        assert!(
            a.destructive_hint.is_some()
                && a.idempotent_hint.is_some()
                && a.open_world_hint.is_some()
        );
    }
    assert!(s
        .instructions()
        .starts_with("You are connected to the Accounts API."));
    assert!(s.instructions().contains("read-only"));
}

#[tokio::test]
async fn progressive_search_describe_and_call_respect_read_only() {
    let (s, fake) = server(Mode::Progressive, Policy::read_only(), &[], |_| {
        Ok(json!([{"id": "a"}]))
    });
    assert_eq!(
        names(&s),
        ["search_operations", "describe_operation", "call_operation"]
    );
    let r = s
        .call(
            "search_operations",
            args(json!({"query": "accounts", "limit": 50})),
        )
        .await;
    let found: Value = serde_json::from_str(&text(&r)).unwrap();
    let results = found["results"].as_array().unwrap();
    assert!(results.iter().any(|x| x["name"] == "accounts_list"));
    assert!(results.iter().all(|x| x["class"] == "read"), "{found}");
    let r = s
        .call(
            "describe_operation",
            args(json!({"name": "accounts_delete"})),
        )
        .await;
    assert_eq!(r.is_error, Some(true));
    let r = s
        .call("describe_operation", args(json!({"name": "accounts_list"})))
        .await;
    let d: Value = serde_json::from_str(&text(&r)).unwrap();
    assert_eq!(d["inputSchema"]["properties"]["limit"]["maximum"], 100);
    let r = s
        .call(
            "call_operation",
            args(json!({"name": "accounts_create", "arguments": {}})),
        )
        .await;
    assert_eq!(r.is_error, Some(true));
    let r = s
        .call("call_operation", args(json!({"name": "accounts_list"})))
        .await;
    assert_eq!(r.is_error, Some(false), "{}", text(&r));
    // The default page size was filled in.
    let calls = fake.calls.lock().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].1["limit"], 20);
}

#[tokio::test]
async fn bad_arguments_are_tool_errors_naming_the_field() {
    let (s, fake) = server(Mode::Full, Policy::default(), &[], |_| Ok(json!({})));
    let cases = [
        ("accounts_get", json!({}), "account_id"),
        (
            "accounts_get",
            json!({"account_id": 7}),
            "arguments.account_id",
        ),
        ("accounts_list", json!({"limit": 101}), "arguments.limit"),
        (
            "accounts_get",
            json!({"account_id": "a", "extra": 1}),
            "extra",
        ),
        ("no_such_tool", json!({}), "no_such_tool"),
    ];
    for (tool, input, field) in cases {
        let r = s.call(tool, args(input.clone())).await;
        assert_eq!(r.is_error, Some(true), "{tool} {input}");
        assert!(text(&r).contains(field), "{tool} {input}: {}", text(&r));
    }
    assert!(fake.calls.lock().unwrap().is_empty());
    let (s, _) = server(Mode::Progressive, Policy::default(), &[], |_| Ok(json!({})));
    for bad in [
        json!({}),
        json!({"name": 3}),
        json!({"name": "accounts_get", "arguments": []}),
        json!({"name": "accounts_get", "argz": {}}),
    ] {
        let r = s.call("call_operation", args(bad.clone())).await;
        assert_eq!(r.is_error, Some(true), "{bad}");
    }
}

#[tokio::test]
async fn groups_filter_tools_and_unknown_groups_are_errors() {
    let (s, _) = server(Mode::Full, Policy::default(), &["keys"], |_| Ok(json!({})));
    assert_eq!(
        names(&s),
        ["keys_list_keys", "keys_rotate_keys", "keys_get_status_page"]
    );
    let r = s
        .call("accounts_get", args(json!({"account_id": "a"})))
        .await;
    assert_eq!(r.is_error, Some(true));
    let err = Server::new(
        catalog(),
        Settings {
            groups: vec!["nope".into()],
            ..Settings::default()
        },
        Arc::new(Fake {
            calls: Mutex::new(vec![]),
            reply: Box::new(|_| Ok(Value::Null)),
        }),
    )
    .err()
    .unwrap();
    assert!(err.contains("nope") && err.contains("accounts"), "{err}");
}

#[tokio::test]
async fn api_errors_carry_status_code_and_message_and_never_the_key() {
    let (s, _) = server(Mode::Full, Policy::default(), &[], |_| {
        Err(CallError::Api {
            status: 422,
            code: Some("form_param_format_invalid".into()),
            message: format!("bad value for {SECRET}"),
            errors: vec![
                json!({"code": "form_param_format_invalid", "message": "x", "meta": {"param_name": "email"}}),
            ],
            trace_id: Some("trace-1".into()),
        })
    });
    let r = s
        .call("accounts_get", args(json!({"account_id": "a"})))
        .await;
    assert_eq!(r.is_error, Some(true));
    let t = text(&r);
    assert!(
        t.contains("HTTP 422") && t.contains("form_param_format_invalid"),
        "{t}"
    );
    assert!(t.contains("param_name") && t.contains("trace-1"), "{t}");
    assert!(!t.contains("FakeBackendSecret"), "{t}");
    let (s, _) = server(Mode::Full, Policy::default(), &[], |_| {
        Err(CallError::Transport(format!("connect failed {SECRET}")))
    });
    let t = text(
        &s.call("accounts_get", args(json!({"account_id": "a"})))
            .await,
    );
    assert!(
        t.contains("connect failed") && !t.contains("FakeBackendSecret"),
        "{t}"
    );
}

#[tokio::test]
async fn results_are_scrubbed_and_private_metadata_removed() {
    let (s, _) = server(Mode::Full, Policy::default(), &[], |_| {
        Ok(json!({"id": "a", "note": SECRET, "private_metadata": {"x": 1}}))
    });
    let t = text(
        &s.call("accounts_get", args(json!({"account_id": "a"})))
            .await,
    );
    assert!(
        !t.contains("FakeBackendSecret") && t.contains("<redacted>"),
        "{t}"
    );
    assert!(!t.contains("\"private_metadata\""), "{t}");
}

#[tokio::test]
async fn credentials_are_withheld_unless_the_connection_allows_secrets() {
    // `tokens_list_tokens` (ListTokens) is a read that returns machine tokens (the fixture's safety
    // file says so): a read-only connection neither lists, finds, describes nor calls it.
    for mode in [Mode::Full, Mode::Progressive] {
        let (s, fake) = server(mode, Policy::read_only(), &[], |_| {
            Ok(json!({"tokens": []}))
        });
        assert!(!s.visible_operations().contains(&"tokens_list_tokens"));
        assert!(!names(&s).contains(&"tokens_list_tokens".to_string()));
        let (tool, call_args) = match mode {
            Mode::Full => ("tokens_list_tokens", json!({"subject": "m"})),
            Mode::Progressive => (
                "call_operation",
                json!({"name": "tokens_list_tokens", "arguments": {"subject": "m"}}),
            ),
        };
        let r = s.call(tool, args(call_args)).await;
        assert_eq!(r.is_error, Some(true));
        let t = text(&r);
        assert!(
            t.contains("returns a credential")
                && t.contains("allow_secrets")
                && t.contains("nothing was sent"),
            "{t}"
        );
        assert!(
            fake.calls.lock().unwrap().is_empty(),
            "a withheld call was sent"
        );
        if mode == Mode::Progressive {
            let r = s
                .call(
                    "search_operations",
                    args(json!({"query": "tokens", "limit": 50})),
                )
                .await;
            assert!(!text(&r).contains("\"tokens_list_tokens\""), "{}", text(&r));
            let r = s
                .call(
                    "describe_operation",
                    args(json!({"name": "tokens_list_tokens"})),
                )
                .await;
            assert_eq!(r.is_error, Some(true));
            assert!(text(&r).contains("returns a credential"), "{}", text(&r));
            assert!(s.instructions().contains("credentials"));
        }
    }
    // A full-access connection withholds them too, unless it allows secrets.
    let (s, _) = server(Mode::Full, Policy::default(), &[], |_| Ok(json!({})));
    assert!(!names(&s).contains(&"tokens_list_tokens".to_string()));
    let allow = Policy {
        allow_secrets: true,
        ..Policy::read_only()
    };
    let (s, fake) = server(Mode::Full, allow, &[], |_| Ok(json!({"tokens": []})));
    assert!(names(&s).contains(&"tokens_list_tokens".to_string()));
    let r = s
        .call("tokens_list_tokens", args(json!({"subject": "m"})))
        .await;
    assert_eq!(r.is_error, Some(false), "{}", text(&r));
    assert_eq!(fake.calls.lock().unwrap().len(), 1);
    // Writes stay refused on that read-only connection.
    let r = s
        .call("accounts_delete", args(json!({"account_id": "a"})))
        .await;
    assert_eq!(r.is_error, Some(true));
}

#[tokio::test]
async fn a_write_ceiling_allows_writes_and_refuses_destructive_operations() {
    let write = Policy {
        ceiling: Class::Write,
        ..Policy::default()
    };
    let (s, fake) = server(Mode::Full, write, &[], |_| Ok(json!({"id": "a"})));
    let listed = names(&s);
    assert!(
        listed.contains(&"accounts_create".to_string()),
        "{listed:?}"
    );
    assert!(listed.contains(&"accounts_get".to_string()));
    assert!(
        !listed.contains(&"accounts_delete".to_string()),
        "{listed:?}"
    );
    let r = s
        .call(
            "accounts_create",
            args(json!({"body": {"email_address": "a@example.com"}})),
        )
        .await;
    assert_eq!(r.is_error, Some(false), "{}", text(&r));
    let r = s
        .call("accounts_delete", args(json!({"account_id": "a"})))
        .await;
    assert_eq!(r.is_error, Some(true));
    let t = text(&r);
    assert!(
        t.contains("destructive")
            && t.contains("max_class: write")
            && t.contains("nothing was sent"),
        "{t}"
    );
    let calls = fake.calls.lock().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "accounts_create");
    assert!(s.instructions().contains("max_class: write"));
}

#[tokio::test]
async fn call_operation_selects_fields_and_describe_is_compact() {
    let (s, _) = server(Mode::Progressive, Policy::read_only(), &[], |_| {
        Ok(json!([
            {"id": "a1", "email_address": "ada@example.com", "name": "Ada", "metadata": {"x": 1}},
            {"id": "a2", "email_address": "bob@example.com", "name": "Bob"}
        ]))
    });
    let r = s
        .call(
            "call_operation",
            args(json!({"name": "accounts_list", "arguments": {"limit": 2}, "fields": ["id", "email_address"]})),
        )
        .await;
    assert_eq!(r.is_error, Some(false), "{}", text(&r));
    let out: Value = serde_json::from_str(&text(&r)).unwrap();
    assert_eq!(
        out["items"],
        json!([{"id": "a1", "email_address": "ada@example.com"}, {"id": "a2", "email_address": "bob@example.com"}])
    );
    assert_eq!(out["next_page"]["more"], true);
    for bad in [json!("id"), json!([""]), json!(["a..b"]), json!([1])] {
        let r = s
            .call(
                "call_operation",
                args(json!({"name": "accounts_list", "fields": bad})),
            )
            .await;
        assert_eq!(r.is_error, Some(true), "{bad}");
        assert!(text(&r).contains("fields"), "{}", text(&r));
    }
    // describe: one-sentence descriptions, every constraint kept, no repeated prose.
    let r = s
        .call("describe_operation", args(json!({"name": "accounts_list"})))
        .await;
    let d: Value = serde_json::from_str(&text(&r)).unwrap();
    assert_eq!(d["class"], "read");
    assert_eq!(d["http"], "GET /accounts");
    assert_eq!(d["inputSchema"]["properties"]["limit"]["maximum"], 100);
    assert!(
        d.get("annotations").is_none() && d.get("title").is_none(),
        "{d}"
    );
    for (_, p) in d["inputSchema"]["properties"].as_object().unwrap() {
        if let Some(desc) = p["description"].as_str() {
            assert!(
                !desc.contains('\n') && desc.chars().count() <= 160,
                "{desc}"
            );
        }
    }
}

#[tokio::test]
async fn search_ranks_with_the_search_index_and_answers_compactly() {
    let (s, _) = server(Mode::Progressive, Policy::default(), &[], |_| Ok(json!({})));
    let catalog = catalog();
    // The server ranks what the connection may see (credentials are withheld by default).
    let visible: Vec<usize> = (0..catalog.operations.len())
        .filter(|&i| Policy::default().permits(&catalog.operations[i]))
        .collect();
    let index = agentgen_mcp::search::Index::new(&catalog, &visible);
    for query in [
        "delete an account",
        "list accounts",
        "remove account acc_12345678",
    ] {
        let r = s
            .call(
                "search_operations",
                args(json!({"query": query, "limit": 50})),
            )
            .await;
        assert_eq!(r.is_error, Some(false), "{}", text(&r));
        let found: Value = serde_json::from_str(&text(&r)).unwrap();
        assert_eq!(found, index.page(&catalog, query, None, 0, 50), "{query}");
        let results = found["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{query}: {found}");
        for x in results {
            let mut keys: Vec<&str> = x.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            keys.sort();
            assert_eq!(keys, ["class", "name", "summary", "why"], "{x}");
        }
    }
    let r = s
        .call(
            "search_operations",
            args(json!({"query": "delete an account"})),
        )
        .await;
    let found: Value = serde_json::from_str(&text(&r)).unwrap();
    assert_eq!(found["results"][0]["name"], "accounts_delete", "{found}");
    // An empty query lists everything in catalog order, paged.
    let r = s
        .call("search_operations", args(json!({"query": "", "limit": 2})))
        .await;
    let found: Value = serde_json::from_str(&text(&r)).unwrap();
    assert_eq!(found["total"], visible.len());
    assert_eq!(
        found["results"][0]["name"],
        catalog.operations[0].name.as_str()
    );
    assert_eq!(found["next_page"]["offset"], 2);
}
