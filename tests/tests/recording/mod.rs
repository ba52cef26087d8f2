//! The recording server of the tests that watch what reaches the wire (`call_by_name`,
//! `guard_bypass`): it answers `200 {}` to every request and keeps them all.

use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A started server that answers `200 {}` to everything.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    answer_everything(&server).await;
    server
}

/// Make `server` answer `200 {}` to every request (again, after a `reset`).
pub async fn answer_everything(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(server)
        .await;
}
