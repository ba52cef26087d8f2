//! Operation search, shared by the MCP server's `search_operations` and `agentgen search`:
//! BM25F over the fields of each operation document, with English stemming, stop words,
//! synonyms and hints taken from IDs and email addresses in the query.
//!
//! Each operation is a document with fields of different weights: the action of its tool name
//! (`create` in `organization_invitations_create`, and what its method and path say: a GET of
//! a collection lists, of one item gets) and the rest of it, its title, group, description
//! (without the sentences that many operations share), the names of its query parameters (the
//! filters of a list operation) and their enum values, its path parameters (and apart, those
//! that scope it: `user_id` in `/users/{user_id}/sessions`, its owner), its body fields, the
//! descriptions of those, the field names of its response, and the whole names of its path
//! and query parameters (for ID hints).
//!
//! A query is split into words and the phrases of the synonym tables (`look up`, `sign out`,
//! also with a word or two in between: `sign a user out`); stop words are left out; the rest is
//! stemmed. Each word asks for its own stem and, at a lower weight, for its synonyms
//! (spec/search-synonyms.yaml for any API, the manifest's `search.synonyms` for this one). An
//! email address in the query asks for an operation that filters by email (or takes one); an ID
//! such as `user_2abc...` asks for its entity (`user`) and for an operation that takes a
//! `user_id`. An operation's score is the BM25F sum over what the query asks for, times the
//! share of it that the operation answers, times the agreement of its action and of its class
//! (read or not) with what the query says to do, and of its owner with the query's (`a user's
//! memberships` are not those of `/organizations/{organization_id}/memberships`). Ties keep
//! catalog order: the ranking is deterministic.
//!
//! The index is built once per server (or command) from the operations it may show.

mod document;
mod explain;
mod query;
mod score;
mod vocab;

use crate::catalog::{Catalog, Operation};
use document::{sentences, Doc, Field, NF};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use vocab::Vocabulary;

/// One result: an operation (its index in the catalog), its score and why it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index of the operation in [`Catalog::operations`].
    pub op: usize,
    /// Relevance (higher is better; only the order means something).
    pub score: f64,
    /// Why it matched, in a few words (`list users; filter email_address`).
    pub why: String,
}

/// One result as `search_operations` and `agentgen search --format json` show it:
/// `{name, class, summary, why}` (no `why` when listing without a query).
pub fn result_json(op: &Operation, why: Option<&str>) -> Value {
    let mut out = serde_json::json!({
        "name": op.name,
        "class": op.safety.class,
        "summary": op.title,
    });
    if let Some(why) = why.filter(|w| !w.is_empty()) {
        out["why"] = Value::String(why.to_string());
    }
    out
}

/// The search index over some operations of a catalog.
pub struct Index {
    vocab: Vocabulary,
    docs: Vec<Doc>,
    /// Every term of an action field.
    actions: HashSet<String>,
    /// Average field lengths.
    avg_len: Vec<f64>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("operations", &self.docs.len())
            .finish_non_exhaustive()
    }
}

impl Index {
    /// The index over the operations of `catalog` at the indices `ops` (in catalog order).
    pub fn new(catalog: &Catalog, ops: &[usize]) -> Index {
        let vocab = Vocabulary::new(&catalog.manifest.search.synonyms);
        // Sentences that many descriptions share ("Changes data.", the paging sentence) say
        // nothing about any one operation: leave them out.
        let mut sentence_df: HashMap<&str, usize> = HashMap::new();
        for &i in ops {
            let mut seen = HashSet::new();
            for s in sentences(&catalog.operations[i].description) {
                if seen.insert(s) {
                    *sentence_df.entry(s).or_default() += 1;
                }
            }
        }
        let common = (ops.len() / 20).max(5);
        let group_titles: HashMap<&str, &str> = catalog
            .manifest
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.title.as_str()))
            .collect();
        let docs: Vec<Doc> = ops
            .iter()
            .map(|&i| {
                let op = &catalog.operations[i];
                let description: Vec<&str> = sentences(&op.description)
                    .into_iter()
                    .filter(|s| sentence_df.get(s).copied().unwrap_or(0) <= common)
                    .collect();
                let group_title = group_titles.get(op.group.as_str()).copied();
                Doc::new(&vocab, i, op, &description.join(" "), group_title)
            })
            .collect();
        let actions = docs
            .iter()
            .flat_map(|d| d.tf[Field::Action as usize].keys().cloned())
            .collect();
        let n = docs.len().max(1) as f64;
        let avg_len = (0..NF)
            .map(|f| (docs.iter().map(|d| d.len[f]).sum::<f64>() / n).max(1.0))
            .collect();
        Index {
            vocab,
            docs,
            actions,
            avg_len,
        }
    }

    /// Number of operations indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no operation is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// One page of results as `search_operations` returns it: `{total, results, next_page?,
    /// hint?}` with [`result_json`] items. An empty query lists every operation in catalog
    /// order; `group` keeps only that group's operations. `catalog` is the one the index was
    /// built from.
    pub fn page(
        &self,
        catalog: &Catalog,
        query: &str,
        group: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Value {
        let ranked: Vec<(usize, Option<String>)> = if query.trim().is_empty() {
            self.docs.iter().map(|d| (d.op, None)).collect()
        } else {
            self.search(query)
                .into_iter()
                .map(|h| (h.op, Some(h.why)))
                .collect()
        };
        let ranked: Vec<(&Operation, Option<String>)> = ranked
            .into_iter()
            .map(|(i, why)| (&catalog.operations[i], why))
            .filter(|(op, _)| group.is_none_or(|g| op.group == g))
            .collect();
        let total = ranked.len();
        let results: Vec<Value> = ranked
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(op, why)| result_json(op, why.as_deref()))
            .collect();
        let mut out = serde_json::json!({"total": total, "results": results});
        if offset.saturating_add(limit) < total {
            let mut next =
                serde_json::json!({"query": query, "offset": offset + limit, "limit": limit});
            if let Some(g) = group {
                next["group"] = Value::String(g.to_string());
            }
            out["next_page"] = next;
        }
        if total == 0 {
            out["hint"] = Value::String(
                "No match: try other words (what to do and to what, e.g. `list users`), or an empty query to list everything.".to_string(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::query::{id_prefix, is_email};
    use super::vocab::{identifier_words, parse_vocabulary, snake, words, GENERIC_VOCABULARY};
    use super::*;

    use serde_json::json;
    use std::collections::BTreeMap;

    /// One operation document: `params` are (name, `in`); `body` field names.
    fn op(name: &str, group: &str, title: &str, params: &[(&str, &str)], body: &[&str]) -> Value {
        let mut props = serde_json::Map::new();
        for (p, _) in params {
            props.insert(p.to_string(), json!({"type": "string"}));
        }
        if !body.is_empty() {
            let fields: serde_json::Map<String, Value> = body
                .iter()
                .map(|f| (f.to_string(), json!({"type": "string"})))
                .collect();
            props.insert(
                "body".into(),
                json!({"type": "object", "properties": fields}),
            );
        }
        let class = if title.starts_with("List") || title.starts_with("Retrieve") {
            "read"
        } else {
            "write"
        };
        json!({
            "name": name,
            "title": title,
            "description": format!("{title}."),
            "inputSchema": {"type": "object", "properties": props},
            "annotations": {"title": title, "readOnlyHint": class == "read", "destructiveHint": false, "idempotentHint": false, "openWorldHint": false},
            "operationId": name,
            "group": group,
            "http": {
                "method": "GET",
                "path": "/x",
                "auth": true,
                "params": params.iter().map(|(p, at)| json!({"name": p, "in": at, "required": *at == "path", "explode": true})).collect::<Vec<_>>(),
                "response": "json"
            },
            "output": {"summary": "something"},
            "safety": {"class": class, "idempotent": false, "confirm": "never"}
        })
    }

    fn catalog(ops: &[Value], synonyms: Value) -> Catalog {
        let mut files = BTreeMap::new();
        let mut groups: Vec<String> = Vec::new();
        for o in ops {
            let g = o["group"].as_str().unwrap().to_string();
            if !groups.contains(&g) {
                groups.push(g);
            }
            files.insert(
                format!("ops/{}.json", o["name"].as_str().unwrap()),
                o.to_string(),
            );
        }
        let manifest = json!({
            "name": "test-api",
            "title": "Test API",
            "description": "A test API.",
            "api": {"title": "Test API", "version": "1", "baseUrl": "http://x"},
            "auth": {"env": "TEST_KEY"},
            "groups": groups.iter().map(|g| json!({"name": g, "title": g})).collect::<Vec<_>>(),
            "operations": ops.iter().map(|o| json!({"name": o["name"], "file": format!("ops/{}.json", o["name"].as_str().unwrap())})).collect::<Vec<_>>(),
            "search": {"synonyms": synonyms},
        });
        files.insert("agentspec.json".into(), manifest.to_string());
        Catalog::from_documents(&files).unwrap()
    }

    fn ranked(c: &Catalog, query: &str) -> Vec<String> {
        let all: Vec<usize> = (0..c.operations.len()).collect();
        Index::new(c, &all)
            .search(query)
            .iter()
            .map(|h| c.operations[h.op].name.clone())
            .collect()
    }

    fn widgets() -> Vec<Value> {
        vec![
            op(
                "widgets_list",
                "widgets",
                "List widgets",
                &[("color", "query")],
                &[],
            ),
            op(
                "widgets_get",
                "widgets",
                "Retrieve a widget",
                &[("widget_id", "path")],
                &[],
            ),
            op(
                "widgets_create",
                "widgets",
                "Create a widget",
                &[],
                &["color"],
            ),
            op(
                "widgets_delete",
                "widgets",
                "Delete a widget",
                &[("widget_id", "path")],
                &[],
            ),
            op(
                "widgets_polish",
                "widgets",
                "Polish a widget",
                &[("widget_id", "path")],
                &[],
            ),
            op(
                "gadgets_frobnicate",
                "gadgets",
                "Frobnicate a gadget",
                &[("gadget_id", "path")],
                &[],
            ),
        ]
    }

    #[test]
    fn rare_words_weigh_more_than_common_ones() {
        let c = catalog(&widgets(), json!([]));
        // `widget` is in five documents, `frobnicate` in one: the rare word decides.
        assert_eq!(ranked(&c, "frobnicate widget")[0], "gadgets_frobnicate");
        // Every operation that has a word of the query is listed, none that has none.
        let r = ranked(&c, "widget");
        assert_eq!(r.len(), 5, "{r:?}");
        assert!(ranked(&c, "spaceship").is_empty());
    }

    #[test]
    fn stemming_matches_other_forms_of_a_word() {
        let c = catalog(&widgets(), json!([]));
        assert_eq!(ranked(&c, "polishing widgets")[0], "widgets_polish");
        assert_eq!(ranked(&c, "creates")[0], "widgets_create");
    }

    #[test]
    fn synonyms_match_at_a_lower_weight() {
        let c = catalog(&widgets(), json!([]));
        // No document says `remove` or `add`: the generic table does.
        assert_eq!(ranked(&c, "remove a widget")[0], "widgets_delete");
        assert_eq!(ranked(&c, "add a widget")[0], "widgets_create");
        assert_eq!(ranked(&c, "show all widgets")[0], "widgets_list");
        // The API's own synonyms come from the manifest.
        assert!(ranked(&c, "shine widget")
            .first()
            .is_none_or(|n| n != "widgets_polish"));
        let c = catalog(&widgets(), json!([["polish", "shine", "buff"]]));
        assert_eq!(ranked(&c, "shine widget")[0], "widgets_polish");
        // A word itself beats its synonym: `delete` is exact for delete, a synonym of remove.
        let mut ops = widgets();
        ops.push(op(
            "widgets_remove_color",
            "widgets",
            "Remove the color of a widget",
            &[("widget_id", "path")],
            &[],
        ));
        let c = catalog(&ops, json!([]));
        assert_eq!(ranked(&c, "delete widget")[0], "widgets_delete");
    }

    #[test]
    fn query_parameter_filters_and_emails_count() {
        let ops = vec![
            op(
                "users_list_devices",
                "users",
                "List a user's devices",
                &[("user_id", "path")],
                &[],
            ),
            op(
                "users_list",
                "users",
                "List users",
                &[("email_address", "query"), ("name", "query")],
                &[],
            ),
            op(
                "users_get",
                "users",
                "Retrieve a user",
                &[("user_id", "path")],
                &[],
            ),
            op(
                "email_templates_list",
                "email_templates",
                "List email templates",
                &[],
                &[],
            ),
        ];
        let c = catalog(&ops, json!([]));
        assert_eq!(ranked(&c, "find user by email")[0], "users_list");
        // An email address in the query asks for an email filter.
        assert_eq!(ranked(&c, "ada@example.com")[0], "users_list");
        assert_eq!(ranked(&c, "user ada@example.com")[0], "users_list");
        let all: Vec<usize> = (0..c.operations.len()).collect();
        let hits = Index::new(&c, &all).search("find user by email");
        assert!(
            hits[0].why.contains("filter email_address"),
            "{}",
            hits[0].why
        );
    }

    #[test]
    fn ids_in_the_query_ask_for_their_entity_and_parameter() {
        let ops = vec![
            op(
                "sessions_list_all",
                "sessions",
                "List all sessions",
                &[],
                &[],
            ),
            op(
                "sessions_list",
                "sessions",
                "List sessions",
                &[("user_id", "query")],
                &[],
            ),
            op(
                "sessions_get",
                "sessions",
                "Retrieve a session",
                &[("session_id", "path")],
                &[],
            ),
        ];
        let c = catalog(&ops, json!([["sess", "session"]]));
        assert_eq!(
            ranked(&c, "sessions of user_2abcDEF123")[0],
            "sessions_list"
        );
        // `sess_` names a session: an operation that takes a session_id.
        assert_eq!(ranked(&c, "sess_2xYz9QwErTy")[0], "sessions_get");
        let all: Vec<usize> = (0..c.operations.len()).collect();
        let hits = Index::new(&c, &all).search("sess_2xYz9QwErTy");
        assert!(hits[0].why.contains("session_id"), "{}", hits[0].why);
    }

    #[test]
    fn ties_keep_catalog_order_and_results_repeat() {
        let ops = vec![
            op("a_frob", "a", "Frob a thing", &[], &[]),
            op("b_frob", "b", "Frob a thing", &[], &[]),
        ];
        let c = catalog(&ops, json!([]));
        assert_eq!(ranked(&c, "frob thing"), ["a_frob", "b_frob"]);
        let c = catalog(&widgets(), json!([]));
        let once = ranked(&c, "list the widgets by color");
        assert_eq!(once, ranked(&c, "list the widgets by color"));
        // Stop words alone ask for nothing.
        assert!(ranked(&c, "the of a").is_empty());
    }

    #[test]
    fn a_page_lists_everything_without_a_query_and_stays_compact() {
        let c = catalog(&widgets(), json!([]));
        let index = Index::new(&c, &[0, 2, 3]);
        let page = index.page(&c, "", None, 0, 2);
        assert_eq!(page["total"], 3);
        let names: Vec<&str> = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["widgets_list", "widgets_create"]);
        assert_eq!(
            page["next_page"],
            json!({"query": "", "offset": 2, "limit": 2})
        );
        let page = index.page(&c, "delete widget", Some("widgets"), 0, 10);
        let first = &page["results"][0];
        assert_eq!(first["name"], "widgets_delete");
        let mut keys: Vec<&str> = first
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(keys, ["class", "name", "summary", "why"]);
        // Only the indexed operations are found: `widgets_polish` (index 4) is not.
        assert!(index.search("polish").is_empty());
        let page = index.page(&c, "widget", Some("gadgets"), 0, 10);
        assert_eq!(page["total"], 0);
        assert!(page["hint"].is_string());
    }

    /// `op` with an HTTP method and path.
    fn op_at(method: &str, path: &str, o: Value) -> Value {
        let mut o = o;
        o["http"]["method"] = json!(method);
        o["http"]["path"] = json!(path);
        o
    }

    #[test]
    fn the_method_and_path_say_whether_an_operation_lists_or_gets() {
        assert_eq!(document::http_action("GET", "/api_keys"), Some("list"));
        assert_eq!(document::http_action("GET", "/api_keys/{id}"), Some("get"));
        assert_eq!(
            document::http_action("DELETE", "/users/{id}"),
            Some("delete")
        );
        assert_eq!(document::http_action("POST", "/users"), None);
        // Both tool names say `get`: the path says which one lists.
        let ops = vec![
            op_at(
                "GET",
                "/api_keys/{api_key_id}",
                op(
                    "api_keys_get_api_key",
                    "api_keys",
                    "Get an API key",
                    &[("api_key_id", "path")],
                    &[],
                ),
            ),
            op_at(
                "GET",
                "/api_keys",
                op(
                    "api_keys_get_api_keys",
                    "api_keys",
                    "Get API keys",
                    &[("subject", "query")],
                    &[],
                ),
            ),
        ];
        let c = catalog(&ops, json!([]));
        assert_eq!(ranked(&c, "list the API keys")[0], "api_keys_get_api_keys");
    }

    #[test]
    fn an_owner_named_by_the_query_beats_another_owner_with_a_filter() {
        assert_eq!(
            document::owner_params("/organizations/{organization_id}/memberships/{user_id}"),
            ["organization_id"]
        );
        assert!(document::owner_params("/users/{user_id}").is_empty());
        // The organization's member list filters by user, but it is scoped by an organization:
        // "a user's memberships" are the user's own.
        let ops = vec![
            op_at(
                "GET",
                "/organizations/{organization_id}/memberships",
                op(
                    "organization_memberships_list",
                    "organization_memberships",
                    "List the memberships of an organization",
                    &[
                        ("organization_id", "path"),
                        ("user_id", "query"),
                        ("role", "query"),
                    ],
                    &[],
                ),
            ),
            op_at(
                "GET",
                "/users/{user_id}/organization_memberships",
                op(
                    "users_get_organization_memberships",
                    "users",
                    "Retrieve all memberships for a user",
                    &[("user_id", "path")],
                    &[],
                ),
            ),
        ];
        let c = catalog(&ops, json!([]));
        assert_eq!(
            ranked(&c, "a user's organization memberships")[0],
            "users_get_organization_memberships"
        );
        assert_eq!(
            ranked(&c, "memberships of an organization")[0],
            "organization_memberships_list"
        );
    }

    #[test]
    fn a_verb_that_only_writing_operations_do_asks_for_a_write() {
        // `give` is no operation's action; its synonym `assign` is only a writing one's: the
        // query asks to change the balance, not to read it.
        let ops = vec![
            op(
                "users_get_credit_balance",
                "users",
                "Retrieve a user's credit balance",
                &[("user_id", "path")],
                &[],
            ),
            op(
                "users_adjust_credit_balance",
                "users",
                "Adjust a user's credit balance",
                &[("user_id", "path")],
                &["amount"],
            ),
            op(
                "roles_assign_permission",
                "roles",
                "Assign a permission to a role",
                &[("role_id", "path")],
                &[],
            ),
        ];
        let c = catalog(&ops, json!([]));
        assert_eq!(
            ranked(&c, "give a user credits")[0],
            "users_adjust_credit_balance"
        );
        // A reading verb asks for a read.
        assert_eq!(
            ranked(&c, "show a user's credits")[0],
            "users_get_credit_balance"
        );
    }

    #[test]
    fn phrases_match_with_words_in_between() {
        let ops = vec![
            op(
                "sessions_revoke",
                "sessions",
                "Revoke a session",
                &[("session_id", "path")],
                &[],
            ),
            op(
                "users_get",
                "users",
                "Retrieve a user",
                &[("user_id", "path")],
                &[],
            ),
        ];
        let c = catalog(&ops, json!([["sign out", "revoke session"]]));
        assert_eq!(ranked(&c, "sign a user out")[0], "sessions_revoke");
    }

    #[test]
    fn the_generic_vocabulary_parses_and_has_no_empty_group() {
        let v = parse_vocabulary(GENERIC_VOCABULARY).unwrap();
        assert!(v.stop_words.contains(&"the".to_string()));
        for g in &v.synonyms {
            assert!(g.len() >= 2, "{g:?}");
            assert!(g.iter().all(|w| !words(w).is_empty()), "{g:?}");
        }
    }

    #[test]
    fn identifiers_split_on_underscores_and_humps() {
        assert_eq!(identifier_words("email_address"), ["email", "address"]);
        assert_eq!(identifier_words("apiKeyID"), ["api", "key", "id"]);
        assert_eq!(identifier_words("statementID"), ["statement", "id"]);
        assert_eq!(
            snake("adminPortalLinkTokenID"),
            "admin_portal_link_token_id"
        );
    }

    #[test]
    fn emails_and_ids_are_recognised() {
        assert!(is_email("ada@example.com"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("ada@localhost"));
        assert_eq!(id_prefix("user_2abcDEF123").as_deref(), Some("user"));
        assert_eq!(id_prefix("org_2x9z").as_deref(), Some("org"));
        assert_eq!(id_prefix("email_address"), None);
        assert_eq!(id_prefix("created_at"), None);
        assert_eq!(id_prefix("last_24"), None);
    }
}
