//! The enforcing REST gateway: one decision path for every request of a connection.
//!
//! 1. [`crate::route`] matches the method and path to exactly one operation (else 400, 404
//!    or 405; nothing is sent).
//! 2. The connection's [`Policy`](agentgen_mcp::Policy) decides (403 with the rule that
//!    refused it; nothing is sent).
//! 3. The body is read, up to the size limit (413).
//! 4. [`crate::input`] turns path, query and body into the operation's JSON input (400,
//!    415), which the input schema checks (400, naming the field).
//! 5. The runtime's interpreter builds the request, which goes to the connection's base URL
//!    with the key and the API-version header, with the runtime's retries and timeouts
//!    (`upstream`); the API's status and body come back as they are,
//!    except that `private_metadata` is removed unless the connection allows it, and the key
//!    is scrubbed from anything answered.

use crate::app::{method_not_allowed, refuse, Conn, Ctx, State};
use crate::audit::Decision;
use crate::input::{to_input, Incoming, InputError};
use crate::respond::Refusal;
use crate::route::Miss;
use agentgen_mcp::backend::Forwarded;
use agentgen_mcp::CallError;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use memchr::memmem::Finder;
use std::sync::LazyLock;

pub(crate) async fn handle<'s>(
    state: &'s State,
    conn: &'s Conn,
    mut ctx: Ctx<'s>,
    req: Request<Body>,
    api_path: &str,
) -> Response {
    let found = match state.routes.find(req.method().as_str(), api_path) {
        Ok(f) => f,
        Err(Miss::Method(allow)) => {
            let allow: Vec<&str> = allow.iter().map(String::as_str).collect();
            return method_not_allowed(state, &ctx, &allow);
        }
        Err(Miss::NotFound) => {
            return refuse(
                state,
                &ctx,
                Refusal::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no operation of the API has this path (paths are matched exactly: case, no trailing or double `/`, no percent-encoded literals)",
                ),
            )
        }
        Err(Miss::BadPath(why)) => {
            return refuse(
                state,
                &ctx,
                Refusal::new(StatusCode::BAD_REQUEST, "bad_path", why),
            )
        }
    };
    let op = &state.catalog.operations[found.op];
    ctx.operation = Some(&op.name);
    ctx.class = Some(op.safety.class.as_str());
    if let Err(r) = conn.policy.check(op) {
        return refuse(
            state,
            &ctx,
            Refusal::new(StatusCode::FORBIDDEN, "refused", r.message(&op.name)),
        );
    }
    let (parts, body) = req.into_parts();
    let bytes = match read_body(&parts.headers, body, state.max_body).await {
        Ok(b) => b,
        Err(r) => return refuse(state, &ctx, r),
    };
    let incoming = Incoming {
        path_params: found.params,
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &bytes,
    };
    let input = match to_input(op, incoming) {
        Ok(v) => v,
        Err(e) => return refuse(state, &ctx, input_refusal(e)),
    };
    if let Err(m) = agentgen_mcp::validate::validate(&op.input_schema, &input) {
        return refuse(
            state,
            &ctx,
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                format!("{m} (nothing was sent)"),
            ),
        );
    }
    let secret = conn.secret.expose();
    let forwarded = match &conn.upstream {
        Some(upstream) => upstream.forward(&conn.backend, op, input).await,
        None => conn.backend.forward(op, input).await,
    };
    match forwarded {
        Ok(f) => {
            let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_GATEWAY);
            state
                .audit
                .record(&ctx.line(Decision::Forwarded, status, None));
            answer(f, status, conn.policy.allow_private_metadata, conn)
        }
        Err(e) => refuse(state, &ctx, call_refusal(&e, secret)),
    }
}

/// The request body, read up to `max` bytes (a declared or actual larger one is refused
/// with 413 before or while reading).
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {max} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, max).await.map_err(|e| {
        let over = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if over {
            too_large()
        } else {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "the request body could not be read",
            )
        }
    })
}

/// The refusal of a request whose path, query or body is not the operation's input.
fn input_refusal(e: InputError) -> Refusal {
    match e {
        InputError::Invalid(m) => Refusal::new(StatusCode::BAD_REQUEST, "invalid_input", m),
        InputError::MediaType(m) => Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            m,
        ),
    }
}

/// The answer to a call that did not come back from the API (or came back unusable), with
/// the key scrubbed from its message.
fn call_refusal(e: &CallError, secret: &str) -> Refusal {
    let (status, code) = match e {
        CallError::Refused(_) => (StatusCode::FORBIDDEN, "refused"),
        CallError::InvalidInput(_) => (StatusCode::BAD_REQUEST, "invalid_input"),
        CallError::Transport(m) if m.contains("timed out") => {
            (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
        }
        CallError::Transport(_) => (StatusCode::BAD_GATEWAY, "upstream_unreachable"),
        CallError::Decode(_) | CallError::Api { .. } => (StatusCode::BAD_GATEWAY, "upstream_error"),
        CallError::Config(_) => (StatusCode::INTERNAL_SERVER_ERROR, "gateway_error"),
    };
    let message = agentgen_mcp::redact::redact(&e.message(), Some(secret));
    Refusal::new(status, code, message)
}

/// `private` and `\u`: an answer without either has no `private_metadata` (which may also be
/// spelt with escapes, `private\u005fmetadata`). Searchers built once.
static PRIVATE: LazyLock<[Finder<'static>; 2]> =
    LazyLock::new(|| [Finder::new(b"private"), Finder::new(b"\\u")]);

/// The API's answer, passed on.
fn answer(f: Forwarded, status: StatusCode, allow_private: bool, conn: &Conn) -> Response {
    let json = f
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
    let mut body = f.body;
    if json && !allow_private && PRIVATE.iter().any(|p| p.find(&body).is_some()) {
        if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&body) {
            if agentgen_mcp::output::strip_private_metadata(&mut v) > 0 {
                body = serde_json::to_vec(&v).unwrap_or_default();
            }
        }
    }
    let secret = conn.secret.expose();
    if conn
        .secret_finder
        .as_ref()
        .is_some_and(|s| s.find(&body).is_some())
    {
        let text = String::from_utf8_lossy(&body);
        body = agentgen_mcp::redact::redact(&text, Some(secret)).into_bytes();
    }
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.remove(header::CONTENT_TYPE);
    if let Some(ct) = f.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_TYPE, ct);
    }
    if let Some(ra) = f.retry_after.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::RETRY_AFTER, ra);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_calls_map_to_gateway_statuses_without_the_key() {
        let key = "sk_live_SecretKey123";
        let cases = [
            (
                CallError::Transport(format!(
                    "GetUser: error sending request: operation timed out ({key})"
                )),
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
            ),
            (
                CallError::Transport("GetUser: connection refused".into()),
                StatusCode::BAD_GATEWAY,
                "upstream_unreachable",
            ),
            (
                CallError::Decode(format!("not JSON: {key}")),
                StatusCode::BAD_GATEWAY,
                "upstream_error",
            ),
            (
                CallError::Refused("above the ceiling".into()),
                StatusCode::FORBIDDEN,
                "refused",
            ),
            (
                CallError::InvalidInput("user_id: missing".into()),
                StatusCode::BAD_REQUEST,
                "invalid_input",
            ),
            (
                CallError::Config("no base URL".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "gateway_error",
            ),
        ];
        for (error, status, code) in cases {
            let r = call_refusal(&error, key);
            assert_eq!((r.status, r.code), (status, code), "{error:?}");
            assert!(!r.message.contains(key), "{}", r.message);
        }
    }
}
