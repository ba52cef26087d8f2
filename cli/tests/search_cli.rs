//! `agentgen search`: the ranking of the MCP server's `search_operations`, from the command
//! line, on the accounts fixture (text and JSON, `--read-only`, `--group`, `--limit`).
#![cfg(feature = "mcp")]

mod common;
use common::{agentgen, fixture, text};
use serde_json::Value;

fn search(args: &[&str]) -> (bool, String, String) {
    let spec = fixture("accounts/spec.yaml");
    let mut all = vec!["search", "--spec", &spec];
    all.extend_from_slice(args);
    let o = agentgen(&all);
    (o.status.success(), text(&o.stdout), text(&o.stderr))
}

#[test]
fn search_ranks_operations_for_a_task() {
    let (ok, out, err) = search(&["delete", "an", "account", "--format", "json"]);
    assert!(ok, "{err}");
    let page: Value = serde_json::from_str(&out).unwrap();
    let results = page["results"].as_array().unwrap();
    assert_eq!(results[0]["name"], "accounts_delete", "{page}");
    assert!(
        results[0]["why"].as_str().unwrap().contains("delete"),
        "{page}"
    );
    assert_eq!(results[0]["class"], "destructive");

    // Text: one line per result, best first.
    let (ok, out, err) = search(&["delete an account", "--limit", "2"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with(" 1. accounts_delete"), "{out}");
    assert!(lines[1].starts_with(" 2. "), "{out}");
    assert!(lines[2].starts_with("2 of "), "{out}");

    // Read-only: only `read` operations are searched.
    let (ok, out, err) = search(&["delete", "account", "--read-only", "--format", "json"]);
    assert!(ok, "{err}");
    let page: Value = serde_json::from_str(&out).unwrap();
    for r in page["results"].as_array().unwrap() {
        assert_eq!(r["class"], "read", "{page}");
    }

    // An unknown group is an error that lists the groups.
    let (ok, _, err) = search(&["accounts", "--group", "nosuch"]);
    assert!(!ok);
    assert!(
        err.contains("unknown group `nosuch`") && err.contains("accounts"),
        "{err}"
    );
}
