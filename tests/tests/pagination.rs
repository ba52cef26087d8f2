//! The generated `<method>_stream` methods of the accounts fixture against a mock server:
//! every pagination shape over several pages, checking the items, the number of requests and
//! their query strings.

use fixture_accounts::accounts::{ListParams, ListSessionsParams};
use fixture_accounts::models::{Account, Session, Token, TokenEvent};
use fixture_accounts::tokens::{ListTokenEventsParams, ListTokensParams};
use fixture_accounts::{Client, Error};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .secret_key("sk_test_x")
        .base_url(server.uri())
        .build()
        .unwrap()
}

fn account(i: usize) -> Value {
    json!({
        "id": format!("acc_{i}"),
        "object": "account",
        "status": "active",
        "email_addresses": [],
        "created_at": 1_700_000_000_000u64 + i as u64,
        "updated_at": 1_700_000_000_000u64,
        "display_name": null
    })
}

fn accounts(range: std::ops::Range<usize>) -> Value {
    Value::Array(range.map(account).collect())
}

fn session(i: usize) -> Value {
    json!({"id": format!("sess_{i}"), "object": "session", "account_id": "acc_1", "status": "active"})
}

fn token(i: usize) -> Value {
    json!({"id": format!("tok_{i}"), "subject": "mch_1", "name": null})
}

/// Mounts a page served once, for a GET on `p` with these query parameters.
async fn page(server: &MockServer, p: &str, query: &[(&str, &str)], body: Value) {
    let mut mock = Mock::given(method("GET")).and(path(p));
    for (k, v) in query {
        mock = mock.and(query_param(*k, *v));
    }
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

/// The query strings of the requests received, in order.
async fn queries(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.query().unwrap_or("").to_string())
        .collect()
}

fn ids_of_accounts(items: &[Account]) -> Vec<&str> {
    items.iter().map(|a| a.id.as_str()).collect()
}

#[tokio::test]
async fn bare_array_pages_by_offset_until_a_short_page() {
    let server = MockServer::start().await;
    page(
        &server,
        "/accounts",
        &[("offset", "0"), ("limit", "2")],
        accounts(0..2),
    )
    .await;
    page(
        &server,
        "/accounts",
        &[("offset", "2"), ("limit", "2")],
        accounts(2..4),
    )
    .await;
    page(
        &server,
        "/accounts",
        &[("offset", "4"), ("limit", "2")],
        accounts(4..5),
    )
    .await;
    let client = client(&server);
    let params = ListParams {
        limit: Some(2),
        email_address: Some(vec!["a@example.test".into()]),
        ..Default::default()
    };
    let items: Vec<Account> = client
        .accounts()
        .list_stream(&params)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        ids_of_accounts(&items),
        ["acc_0", "acc_1", "acc_2", "acc_3", "acc_4"]
    );
    assert_eq!(
        queries(&server).await,
        [
            "email_address=a%40example.test&limit=2&offset=0",
            "email_address=a%40example.test&limit=2&offset=2",
            "email_address=a%40example.test&limit=2&offset=4",
        ]
    );
}

#[tokio::test]
async fn bare_array_exact_multiple_ends_at_an_empty_page() {
    let server = MockServer::start().await;
    page(&server, "/accounts", &[("offset", "10")], accounts(10..12)).await;
    page(&server, "/accounts", &[("offset", "12")], accounts(12..14)).await;
    page(&server, "/accounts", &[("offset", "14")], json!([])).await;
    let client = client(&server);
    let params = ListParams {
        limit: Some(2),
        offset: Some(10),
        ..Default::default()
    };
    // Read-only clients have the streams of read operations too.
    let read_only = client.read_only_view();
    let items = read_only
        .accounts()
        .list_stream(&params)
        .collect_items()
        .await
        .unwrap();
    assert_eq!(
        ids_of_accounts(&items),
        ["acc_10", "acc_11", "acc_12", "acc_13"]
    );
    assert_eq!(
        queries(&server).await,
        [
            "limit=2&offset=10",
            "limit=2&offset=12",
            "limit=2&offset=14"
        ]
    );
}

#[tokio::test]
async fn default_page_size_is_100_and_an_empty_first_page_ends_the_stream() {
    let server = MockServer::start().await;
    page(
        &server,
        "/accounts",
        &[("offset", "0"), ("limit", "100")],
        json!([]),
    )
    .await;
    let client = client(&server);
    let mut stream = client.accounts().list_stream(&ListParams::default());
    assert_eq!(stream.page_size(), 100);
    assert!(stream.next().await.is_none());
    assert_eq!(queries(&server).await, ["limit=100&offset=0"]);
    // A limit over the spec's maximum (500) is capped.
    let big = ListParams {
        limit: Some(10_000),
        ..Default::default()
    };
    assert_eq!(client.accounts().list_stream(&big).page_size(), 500);
}

#[tokio::test]
async fn cursor_pages_after_the_last_id_when_starting_after_is_set() {
    let server = MockServer::start().await;
    for (after, body) in [
        ("acc_0", accounts(1..3)),
        ("acc_2", accounts(3..5)),
        ("acc_4", accounts(5..6)),
    ] {
        // The cursor stream never sends an offset.
        Mock::given(method("GET"))
            .and(path("/accounts"))
            .and(query_param("limit", "2"))
            .and(query_param("starting_after", after))
            .and(query_param_is_missing("offset"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let params = ListParams {
        limit: Some(2),
        starting_after: Some("acc_0".into()),
        ..Default::default()
    };
    let items = client
        .accounts()
        .list_stream(&params)
        .collect_items()
        .await
        .unwrap();
    assert_eq!(
        ids_of_accounts(&items),
        ["acc_1", "acc_2", "acc_3", "acc_4", "acc_5"]
    );
    assert_eq!(
        queries(&server).await,
        [
            "limit=2&starting_after=acc_0",
            "limit=2&starting_after=acc_2",
            "limit=2&starting_after=acc_4",
        ]
    );
}

#[tokio::test]
async fn data_envelope_stops_at_total_count_with_positional_arguments() {
    let server = MockServer::start().await;
    let p = "/accounts/acc_1/sessions";
    let envelope = |r: std::ops::Range<usize>| json!({"data": r.map(session).collect::<Vec<_>>(), "total_count": 6});
    page(&server, p, &[("offset", "0")], envelope(0..3)).await;
    page(&server, p, &[("offset", "3")], envelope(3..6)).await;
    let client = client(&server);
    let params = ListSessionsParams {
        active: Some(true),
        limit: Some(3),
        ..Default::default()
    };
    let stream = client.accounts().list_sessions_stream("acc_1", &params);
    let items: Vec<Session> = stream.try_collect().await.unwrap();
    let ids: Vec<&str> = items.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["sess_0", "sess_1", "sess_2", "sess_3", "sess_4", "sess_5"]
    );
    // Two full pages, no third request: the offset reached total_count.
    assert_eq!(
        queries(&server).await,
        [
            "active=true&limit=3&offset=0",
            "active=true&limit=3&offset=3"
        ]
    );
}

#[tokio::test]
async fn custom_envelope_pages_its_one_array_property() {
    let server = MockServer::start().await;
    let envelope = |r: std::ops::Range<usize>| json!({"tokens": r.map(token).collect::<Vec<_>>(), "total_count": 5});
    page(&server, "/tokens", &[("offset", "0")], envelope(0..2)).await;
    page(&server, "/tokens", &[("offset", "2")], envelope(2..4)).await;
    page(&server, "/tokens", &[("offset", "4")], envelope(4..5)).await;
    let client = client(&server);
    let params = ListTokensParams {
        limit: Some(2),
        ..Default::default()
    };
    let items: Vec<Token> = client
        .tokens()
        .list_tokens_stream("mch_1", &params)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = items.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["tok_0", "tok_1", "tok_2", "tok_3", "tok_4"]);
    assert_eq!(
        queries(&server).await,
        [
            "subject=mch_1&limit=2&offset=0",
            "subject=mch_1&limit=2&offset=2",
            "subject=mch_1&limit=2&offset=4",
        ]
    );
}

#[tokio::test]
async fn cursor_only_envelope_pages_forward_and_stops_at_total_count() {
    let server = MockServer::start().await;
    let event = |i: usize| json!({"id": format!("evt_{i}"), "kind": "used"});
    let envelope = |r: std::ops::Range<usize>| json!({"data": r.map(event).collect::<Vec<_>>(), "total_count": 4});
    Mock::given(method("GET"))
        .and(path("/tokens/events"))
        .and(query_param_is_missing("starting_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(0..2)))
        .expect(1)
        .mount(&server)
        .await;
    page(
        &server,
        "/tokens/events",
        &[("starting_after", "evt_1")],
        envelope(2..4),
    )
    .await;
    let client = client(&server);
    let params = ListTokenEventsParams {
        limit: Some(2),
        // Paging forward: the stream does not send `ending_before`.
        ending_before: Some("evt_9".into()),
        ..Default::default()
    };
    let items: Vec<TokenEvent> = client
        .tokens()
        .list_token_events_stream(&params)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = items.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["evt_0", "evt_1", "evt_2", "evt_3"]);
    // Full pages, but 4 of 4 received: no third request.
    assert_eq!(
        queries(&server).await,
        ["limit=2", "limit=2&starting_after=evt_1"]
    );
}

#[tokio::test]
async fn max_items_shrinks_the_last_request() {
    let server = MockServer::start().await;
    page(
        &server,
        "/accounts",
        &[("offset", "0"), ("limit", "2")],
        accounts(0..2),
    )
    .await;
    page(
        &server,
        "/accounts",
        &[("offset", "2"), ("limit", "1")],
        accounts(2..3),
    )
    .await;
    let client = client(&server);
    let params = ListParams {
        limit: Some(2),
        ..Default::default()
    };
    let stream = client.accounts().list_stream(&params).max_items(3);
    let items = stream.collect_items().await.unwrap();
    assert_eq!(ids_of_accounts(&items), ["acc_0", "acc_1", "acc_2"]);
    assert_eq!(
        queries(&server).await,
        ["limit=2&offset=0", "limit=1&offset=2"]
    );
    // `take` works too, and stops requesting once satisfied.
    let server = MockServer::start().await;
    page(&server, "/accounts", &[("offset", "0")], accounts(0..2)).await;
    let client = self::client(&server);
    let taken: Vec<_> = client
        .accounts()
        .list_stream(&params)
        .take(1)
        .collect()
        .await;
    assert_eq!(taken.len(), 1);
}

#[tokio::test]
async fn an_error_mid_way_is_yielded_once_and_ends_the_stream() {
    let server = MockServer::start().await;
    page(&server, "/accounts", &[("offset", "0")], accounts(0..2)).await;
    Mock::given(method("GET"))
        .and(path("/accounts"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "errors": [{"message": "bad", "long_message": "bad offset", "code": "form_param_invalid"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let params = ListParams {
        limit: Some(2),
        ..Default::default()
    };
    let mut stream = client.accounts().list_stream(&params);
    assert_eq!(stream.next().await.unwrap().unwrap().id, "acc_0");
    assert_eq!(stream.next().await.unwrap().unwrap().id, "acc_1");
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
    assert_eq!(stream.requests(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[test]
fn fixture_ir_records_each_shape() {
    use agentgen::ir::{ItemsAt, PageStrategy};
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/accounts/spec.yaml");
    let api = agentgen::load_and_generate(&agentgen::Config::new(&spec))
        .unwrap()
        .api;
    let pagination = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap()
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
    let list = pagination("ListAccounts").unwrap();
    let PageStrategy::Offset { offset } = list.strategy else {
        panic!("{list:?}")
    };
    let op = api
        .operations
        .iter()
        .find(|o| o.operation_id == "ListAccounts")
        .unwrap();
    assert_eq!(op.params[offset].wire_name, "offset");
    assert_eq!(op.params[list.limit].wire_name, "limit");
    assert_eq!(list.items, ItemsAt::Root);
    assert!(list.alt_cursor.is_some());
    let n = names("ListAccounts");
    assert_eq!(
        (n.offset, n.after, n.cursor_field),
        (Some("offset"), Some("starting_after"), Some("id"))
    );
    assert_eq!(list.max_limit, Some(500));
    assert_eq!(list.stream_method, "list_stream");
    let sessions = pagination("ListAccountSessions").unwrap();
    let n = names("ListAccountSessions");
    assert_eq!((n.items, n.total), (Some("data"), Some("total_count")));
    assert!(sessions.alt_cursor.is_none());
    assert_eq!(names("ListTokens").items, Some("tokens"));
    let events = pagination("ListTokenEvents").unwrap();
    assert!(
        matches!(events.strategy, PageStrategy::Cursor(_)),
        "{events:?}"
    );
    assert_eq!(names("ListTokenEvents").before, Some("ending_before"));
    assert_eq!(events.stream_method, "list_token_events_stream");
    // An envelope without limit/offset returns everything at once.
    assert!(pagination("ListKeys").is_none());
    assert!(pagination("GetAccount").is_none());
    assert!(pagination("CountAccounts").is_none());
    let json = serde_json::to_value(&list).unwrap();
    assert_eq!(
        json["strategy"],
        json!({"kind": "offset", "offset": offset})
    );
    assert_eq!(json["items"], json!({"kind": "root"}));
}

#[test]
fn a_broken_pagination_is_an_error_not_a_missing_stream() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/accounts/spec.yaml");
    let api = agentgen::load_and_generate(&agentgen::Config::new(&spec))
        .unwrap()
        .api;
    assert!(agentgen::emit::client(&api).is_ok());
    let i = api
        .operations
        .iter()
        .position(|o| o.operation_id == "ListAccountSessions")
        .unwrap();
    // A limit that is not one of the operation's parameters.
    let mut broken = api.clone();
    let p = broken.operations[i].pagination.as_mut().unwrap();
    p.limit = 99;
    let err = agentgen::emit::client(&broken).unwrap_err();
    assert!(err.contains("ListAccountSessions"), "{err}");
    // An envelope field that the envelope does not have.
    let mut broken = api.clone();
    let p = broken.operations[i].pagination.as_mut().unwrap();
    let agentgen::ir::ItemsAt::Envelope { items, .. } = &mut p.items else {
        panic!("{p:?}")
    };
    items.field = 99;
    let err = agentgen::emit::client(&broken).unwrap_err();
    assert!(err.contains("ListAccountSessions"), "{err}");
}
