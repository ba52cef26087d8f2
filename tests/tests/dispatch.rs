//! Calling operations by name (`Client::call`) and the runtime read-only guard, through the
//! generated `accounts` fixture. None of these calls may reach the network: the base URL
//! is a closed local port, so anything sent would surface as a transport error instead.

use fixture_accounts::operations::{find, OPERATIONS};
use fixture_accounts::runtime::{Error, SafetyClass};
use fixture_accounts::Client;
use serde_json::json;

fn client() -> Client {
    Client::builder()
        .secret_key("sk_test_dispatch")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap()
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn operation_table_matches_the_spec() {
    let mut ids: Vec<&str> = OPERATIONS.iter().map(|o| o.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), OPERATIONS.len());
    let delete = find("DeleteAccount").unwrap();
    assert_eq!(
        (delete.http_method, delete.path),
        ("DELETE", "/accounts/{account_id}")
    );
    assert_eq!(delete.safety, SafetyClass::Destructive);
    assert_eq!(find("ListAccounts").unwrap().safety, SafetyClass::Read);
    assert!(find("listaccounts").is_none());
}

#[test]
fn read_only_client_refuses_writes_chosen_by_name() {
    let ro = client().read_only_view();
    for (id, input) in [
        ("DeleteAccount", json!({"account_id": "acct_1"})),
        (
            "CreateAccount",
            json!({"body": {"email_address": "a@b.test"}}),
        ),
        ("UpdateAccount", json!({"account_id": "acct_1", "body": {}})),
        ("RotateKeys", json!({})),
    ] {
        let err = run(ro.call(id, input)).unwrap_err();
        assert!(matches!(err, Error::ReadOnly { .. }), "{id}: {err}");
        assert!(err.to_string().contains("read-only"), "{err}");
    }
    // A read that returns a credential (ListTokens, per the fixture's safety file) is refused
    // too, and says why; a read-write client may call it.
    assert!(find("ListTokens").unwrap().credential);
    let err = run(ro.call("ListTokens", json!({"subject": "m"}))).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReadOnly {
                credential: true,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("returns a credential"), "{err}");
    let err = run(client().call("ListTokens", json!({"subject": "m"}))).unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
    // The same guard applies to a table entry chosen any other way.
    for op in OPERATIONS
        .iter()
        .filter(|o| o.safety != SafetyClass::Read || o.credential)
    {
        assert!(ro.check_allowed(op).is_err(), "{}", op.id);
    }
    // Reads pass the guard (and then fail only because nothing listens on the port).
    let err = run(ro.call("GetAccount", json!({"account_id": "acct_1"}))).unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
}

#[test]
fn names_and_inputs_are_checked_before_sending() {
    let c = client();
    let err = run(c.call("DropDatabase", json!({}))).unwrap_err();
    assert!(matches!(err, Error::UnknownOperation(ref id) if id == "DropDatabase"));
    let err =
        run(c.call("GetAccount", json!({"account_id": "a", "method": "DELETE"}))).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput(_)) && err.to_string().contains("method"),
        "{err}"
    );
    let err = run(c.call("GetAccount", json!({}))).unwrap_err();
    assert!(err.to_string().contains("account_id"), "{err}");
    let err = run(c.call("ListAccounts", json!({"limit": "ten"}))).unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
    let err = run(c.call("CreateAccount", json!({"body": {}}))).unwrap_err();
    assert!(err.to_string().contains("email_address"), "{err}");
    // Path tricks cannot change the operation's path.
    for id in ["..", ".", "", "a/../../keys", "a?x=1", "a#frag"] {
        let err = run(c.call("GetAccount", json!({"account_id": id}))).unwrap_err();
        assert!(
            matches!(err, Error::Encode(_) | Error::Transport(_)),
            "{id:?}: {err}"
        );
        if id.is_empty() || id == "." || id == ".." {
            assert!(
                matches!(err, Error::Encode(_)),
                "{id:?} must be refused: {err}"
            );
        }
    }
}

#[test]
fn keys_never_leak_through_dispatch_errors() {
    let ro = client().read_only_view();
    let errs = [
        run(ro.call("DeleteAccount", json!({"account_id": "x"}))).unwrap_err(),
        run(ro.call("Nope", json!({}))).unwrap_err(),
        run(ro.call("GetAccount", json!({"bad": 1}))).unwrap_err(),
        run(ro.call("GetAccount", json!({"account_id": "x"}))).unwrap_err(),
    ];
    for e in errs {
        assert!(!format!("{e} {e:?}").contains("sk_test_dispatch"), "{e:?}");
    }
    assert!(!format!("{ro:?}").contains("sk_test_dispatch"));
}
