//! The published agent documents (`agentgen publish`'s directory: `llms.txt`,
//! `.well-known/agent-skills/index.json`, skills, AgentSpec, tool exports) served at the root
//! with strong ETags (`If-None-Match` answers 304). They hold no secret and no connection, so
//! they need no access token. Paths are looked up exactly as sent: no decoding, no `..`.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One document.
struct Doc {
    body: axum::body::Bytes,
    etag: HeaderValue,
    content_type: HeaderValue,
}

/// The documents by path (without the leading `/`).
#[derive(Default)]
pub struct Discovery {
    docs: BTreeMap<String, Doc>,
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

impl Discovery {
    /// From `agentgen publish`'s files (relative path -> bytes).
    pub fn new(files: BTreeMap<String, Vec<u8>>) -> Discovery {
        let docs = files
            .into_iter()
            .map(|(path, bytes)| {
                let digest = Sha256::digest(&bytes);
                let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
                let etag = HeaderValue::from_str(&format!("\"{hex}\""))
                    .expect("hex digits are a valid header value");
                let doc = Doc {
                    content_type: HeaderValue::from_static(content_type(&path)),
                    body: bytes.into(),
                    etag,
                };
                (path, doc)
            })
            .collect();
        Discovery { docs }
    }

    /// Whether `path` (with its leading `/`) is a document.
    pub fn has(&self, path: &str) -> bool {
        path.strip_prefix('/')
            .is_some_and(|p| self.docs.contains_key(p))
    }

    /// Answer `GET`/`HEAD` of a document (the caller checked [`Discovery::has`]).
    pub fn serve(&self, path: &str, head: bool, headers: &HeaderMap) -> Response {
        let Some(doc) = path.strip_prefix('/').and_then(|p| self.docs.get(p)) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let fresh = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t.as_bytes() == doc.etag.as_bytes());
        let mut response = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else if head {
            let mut r = StatusCode::OK.into_response();
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(doc.body.len()));
            r
        } else {
            (StatusCode::OK, doc.body.clone()).into_response()
        };
        let h = response.headers_mut();
        h.insert(header::ETAG, doc.etag.clone());
        h.insert(header::CONTENT_TYPE, doc.content_type.clone());
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300, must-revalidate"),
        );
        response
    }

    /// How many documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}
