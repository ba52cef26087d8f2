//! A fast upstream for `scripts/bench_gateway.sh`: answers every request on loopback with a
//! fixed JSON account (paths ending in `/pm` get one with `private_metadata`, which the
//! gateway must parse and remove). Usage: `bench_upstream 127.0.0.1:PORT`.

use axum::http::{header, Request};
use axum::response::IntoResponse;

const ACCOUNT: &str = r#"{"id":"acct_1","object":"account","email_address":"ada@example.com","display_name":"Ada Lovelace","locale":"en-GB","status":"active","created_at":1700000000000,"updated_at":1700000000000,"public_metadata":{"plan":"pro","seats":12},"external_id":null,"last_sign_in_at":1700000000000,"attribute_mapping":{"given_name":"Ada","family_name":"Lovelace"},"sessions":[{"id":"sess_1","status":"active"},{"id":"sess_2","status":"ended"}]}"#;
const WITH_PRIVATE: &str = r#"{"id":"acct_1","object":"account","email_address":"ada@example.com","display_name":"Ada Lovelace","locale":"en-GB","status":"active","created_at":1700000000000,"updated_at":1700000000000,"public_metadata":{"plan":"pro","seats":12},"private_metadata":{"crm_id":"c-123","notes":"vip"},"external_id":null,"last_sign_in_at":1700000000000,"sessions":[{"id":"sess_1","status":"active"},{"id":"sess_2","status":"ended"}]}"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".to_string());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    let app = axum::Router::new().fallback(|req: Request<axum::body::Body>| async move {
        let body = if req.uri().path().ends_with("/pm") {
            WITH_PRIVATE
        } else {
            ACCOUNT
        };
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    });
    axum::serve(listener, app).await.expect("serve");
}
