//! Errors returned by every operation.
//!
//! None of these types ever holds the secret key, so they are safe to log.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// How many characters of a non-JSON error body `Display` shows.
const BODY_SNIPPET_CHARS: usize = 200;

/// Everything that can go wrong when calling the API.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status outside 2xx (including redirects).
    Api(ApiError),
    /// The server answered 2xx but the body does not match the expected type.
    Decode(DecodeError),
    /// The request could not be sent or the response not read (connection
    /// failure, timeout, I/O error).
    Transport(reqwest::Error),
    /// The client is misconfigured: bad base URL, missing or refused key, …
    Config(String),
    /// The request could not be encoded (body serialization, invalid header).
    Encode(String),
    /// A read-only client refused an operation that changes data or returns a credential;
    /// nothing was sent.
    ReadOnly {
        /// The refused operation.
        operation_id: &'static str,
        /// Its safety class.
        class: crate::safety::SafetyClass,
        /// It returns a secret or credential (refused even when `read`).
        credential: bool,
    },
    /// No operation has this operationId (calls by name).
    UnknownOperation(String),
    /// The JSON input of a call by name does not fit the operation; nothing was sent.
    InvalidInput(Box<InvalidInput>),
}

impl Error {
    /// The HTTP status, for [`Error::Api`] and [`Error::Decode`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::Decode(e) => Some(e.status()),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The API error, if the server answered with a non-2xx status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The kind of API error, if the server answered with a non-2xx status.
    pub fn api_kind(&self) -> Option<ApiErrorKind> {
        self.as_api().map(ApiError::kind)
    }

    /// Whether the server answered 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::NotFound)
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_timeout())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Decode(e) => fmt::Display::fmt(e, f),
            Error::Transport(e) => {
                write!(f, "transport error: {e}")?;
                // reqwest's message is terse; the cause chain says what failed.
                let mut source = std::error::Error::source(e);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
            Error::Config(message) => write!(f, "configuration error: {message}"),
            Error::Encode(message) => write!(f, "could not encode the request: {message}"),
            Error::ReadOnly {
                operation_id,
                class,
                credential: false,
            } => write!(
                f,
                "{operation_id} is a {} operation; this client is read-only and refused it (nothing was sent)",
                class.as_str()
            ),
            Error::ReadOnly {
                operation_id,
                credential: true,
                ..
            } => write!(
                f,
                "{operation_id} returns a credential; this client is read-only, which withholds credentials, and refused it (nothing was sent)"
            ),
            Error::UnknownOperation(id) => write!(f, "unknown operation `{id}`"),
            Error::InvalidInput(e) => write!(
                f,
                "invalid input for {}: {} (nothing was sent)",
                e.operation_id, e.message
            ),
        }
    }
}

/// Why the JSON input of a call by name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    /// The operation.
    pub operation_id: &'static str,
    /// What is wrong, naming the input field.
    pub message: String,
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Api(e) => Some(e),
            Error::Decode(e) => Some(e),
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e)
    }
}

/// The broad class of an [`ApiError`], from its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 3xx: a redirect, which this client never follows.
    Redirect,
    /// 400 Bad Request.
    BadRequest,
    /// 401 Unauthorized: the key is missing, invalid or revoked.
    Unauthorized,
    /// 402 Payment Required: the feature needs a paid plan.
    PaymentRequired,
    /// 403 Forbidden.
    Forbidden,
    /// 404 Not Found.
    NotFound,
    /// 409 Conflict.
    Conflict,
    /// 410 Gone.
    Gone,
    /// 413 Payload Too Large.
    PayloadTooLarge,
    /// 422 Unprocessable Entity: the request failed validation.
    UnprocessableEntity,
    /// 423 Locked.
    Locked,
    /// 429 Too Many Requests: rate limited.
    TooManyRequests,
    /// 5xx: a server error.
    Server,
    /// Any other status.
    Other,
}

impl ApiErrorKind {
    /// The kind for an HTTP status.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            300..=399 => ApiErrorKind::Redirect,
            400 => ApiErrorKind::BadRequest,
            401 => ApiErrorKind::Unauthorized,
            402 => ApiErrorKind::PaymentRequired,
            403 => ApiErrorKind::Forbidden,
            404 => ApiErrorKind::NotFound,
            409 => ApiErrorKind::Conflict,
            410 => ApiErrorKind::Gone,
            413 => ApiErrorKind::PayloadTooLarge,
            422 => ApiErrorKind::UnprocessableEntity,
            423 => ApiErrorKind::Locked,
            429 => ApiErrorKind::TooManyRequests,
            500..=599 => ApiErrorKind::Server,
            _ => ApiErrorKind::Other,
        }
    }
}

/// The error body Clerk returns with a non-2xx status.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize, serde::Serialize)]
pub struct ClerkErrors {
    /// The individual errors, most relevant first.
    #[serde(default)]
    pub errors: Vec<ClerkError>,
    /// Extra data about the failure as a whole.
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
    /// The trace id to quote when asking Clerk support about this request.
    #[serde(default)]
    pub clerk_trace_id: Option<String>,
}

/// One entry of [`ClerkErrors::errors`].
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize, serde::Serialize)]
pub struct ClerkError {
    /// A short human-readable message.
    #[serde(default)]
    pub message: String,
    /// A longer human-readable message, if any.
    #[serde(default)]
    pub long_message: Option<String>,
    /// A stable machine-readable code, e.g. `resource_not_found`.
    #[serde(default)]
    pub code: String,
    /// Extra data, e.g. the name of the offending parameter.
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
}

/// A non-2xx response.
#[derive(Clone)]
pub struct ApiError(Box<ApiErrorData>);

/// The fields of an [`ApiError`], boxed to keep [`Error`] small.
#[derive(Clone)]
struct ApiErrorData {
    operation_id: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    clerk: Option<ClerkErrors>,
}

impl ApiError {
    /// Builds an API error from a raw response. The body is parsed as
    /// [`ClerkErrors`] leniently: if it does not parse, only the raw body is kept.
    pub fn new(
        operation_id: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Self {
        let clerk = serde_json::from_slice::<ClerkErrors>(&body).ok();
        ApiError(Box::new(ApiErrorData {
            operation_id,
            status,
            headers,
            body,
            clerk,
        }))
    }

    /// The operation that failed, e.g. `GetUser`.
    pub fn operation_id(&self) -> &'static str {
        self.0.operation_id
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The response headers (for a redirect, `Location` says where to).
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The raw response body.
    pub fn body(&self) -> &[u8] {
        &self.0.body
    }

    /// The response body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.0.body).into_owned()
    }

    /// The parsed Clerk error body, if the body was one.
    pub fn clerk_errors(&self) -> Option<&ClerkErrors> {
        self.0.clerk.as_ref()
    }

    /// The first Clerk error, if any.
    pub fn first_error(&self) -> Option<&ClerkError> {
        self.0.clerk.as_ref().and_then(|c| c.errors.first())
    }

    /// The machine-readable code of the first Clerk error, if any.
    pub fn code(&self) -> Option<&str> {
        self.first_error().map(|e| e.code.as_str())
    }

    /// The broad class of error, from the status.
    pub fn kind(&self) -> ApiErrorKind {
        ApiErrorKind::from_status(self.0.status)
    }

    /// Clerk's trace id: from the body, else from the `x-clerk-trace-id` header.
    pub fn clerk_trace_id(&self) -> Option<&str> {
        self.0
            .clerk
            .as_ref()
            .and_then(|c| c.clerk_trace_id.as_deref())
            .filter(|id| !id.is_empty())
            .or_else(|| header_str(&self.0.headers, "x-clerk-trace-id"))
    }

    /// The `Location` header of a redirect, if present.
    pub fn location(&self) -> Option<&str> {
        header_str(&self.0.headers, "location")
    }

    /// How long the server asked to wait (`Retry-After`, in seconds or as an HTTP date).
    pub fn retry_after(&self) -> Option<Duration> {
        header_str(&self.0.headers, "retry-after")
            .and_then(|value| crate::retry::parse_retry_after(value, SystemTime::now()))
    }

    /// A short single-line excerpt of a body that is not a Clerk error body.
    fn body_snippet(&self) -> Option<String> {
        let text = self.body_text();
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            return None;
        }
        let mut snippet: String = line.chars().take(BODY_SNIPPET_CHARS).collect();
        if line.chars().count() > BODY_SNIPPET_CHARS {
            snippet.push('…');
        }
        Some(snippet)
    }
}

/// A header value as text, if present and visible ASCII.
fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.operation_id, self.0.status)?;
        match self.0.clerk.as_ref().filter(|c| !c.errors.is_empty()) {
            Some(clerk) => {
                let first = &clerk.errors[0];
                if !first.code.is_empty() {
                    write!(f, ": {}", first.code)?;
                }
                let message = first.long_message.as_deref().unwrap_or(&first.message);
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                if clerk.errors.len() > 1 {
                    write!(f, " (and {} more)", clerk.errors.len() - 1)?;
                }
            }
            None => {
                if let Some(location) = self
                    .location()
                    .filter(|_| self.kind() == ApiErrorKind::Redirect)
                {
                    write!(f, ": redirect to {location} (not followed)")?;
                } else if let Some(snippet) = self.body_snippet() {
                    write!(f, ": {snippet}")?;
                }
            }
        }
        if let Some(trace) = self.clerk_trace_id() {
            write!(f, " (trace {trace})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation_id", &self.0.operation_id)
            .field("status", &self.0.status)
            .field("clerk", &self.0.clerk)
            .field("headers", &self.0.headers)
            .field("body", &self.body_text())
            .finish()
    }
}

impl std::error::Error for ApiError {}

/// A 2xx response whose body does not match the expected type.
#[derive(Clone)]
pub struct DecodeError(Box<DecodeErrorData>);

/// The fields of a [`DecodeError`], boxed to keep [`Error`] small.
#[derive(Clone)]
struct DecodeErrorData {
    operation_id: &'static str,
    status: StatusCode,
    path: String,
    message: String,
    body: Vec<u8>,
}

impl DecodeError {
    /// Builds a decode error. `path` is the JSON path of the failing field
    /// (`.` for the whole body).
    pub fn new(
        operation_id: &'static str,
        status: StatusCode,
        path: impl Into<String>,
        message: impl Into<String>,
        body: Vec<u8>,
    ) -> Self {
        DecodeError(Box::new(DecodeErrorData {
            operation_id,
            status,
            path: path.into(),
            message: message.into(),
            body,
        }))
    }

    /// The operation whose response failed to decode.
    pub fn operation_id(&self) -> &'static str {
        self.0.operation_id
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The JSON path of the failing field, e.g.
    /// `data[0].email_addresses[1].verification.expire_at` (`.` for the whole body).
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What was wrong with the value at [`DecodeError::path`].
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The raw response body.
    pub fn body(&self) -> &[u8] {
        &self.0.body
    }

    /// The response body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.0.body).into_owned()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the {} response at `{}`: {}",
            self.0.operation_id, self.0.status, self.0.path, self.0.message
        )
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("operation_id", &self.0.operation_id)
            .field("status", &self.0.status)
            .field("path", &self.0.path)
            .field("message", &self.0.message)
            .field("body", &self.body_text())
            .finish()
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn not_found_body() -> Vec<u8> {
        br#"{"errors":[{"message":"not found","long_message":"User not found","code":"resource_not_found"}],"clerk_trace_id":"abc123"}"#.to_vec()
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
        assert_traits::<Error>();
        assert_traits::<ApiError>();
        assert_traits::<DecodeError>();
    }

    #[test]
    fn error_stays_small() {
        assert!(
            std::mem::size_of::<Error>() <= 32,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn kind_mapping() {
        let cases = [
            (301, ApiErrorKind::Redirect),
            (302, ApiErrorKind::Redirect),
            (400, ApiErrorKind::BadRequest),
            (401, ApiErrorKind::Unauthorized),
            (402, ApiErrorKind::PaymentRequired),
            (403, ApiErrorKind::Forbidden),
            (404, ApiErrorKind::NotFound),
            (409, ApiErrorKind::Conflict),
            (410, ApiErrorKind::Gone),
            (413, ApiErrorKind::PayloadTooLarge),
            (422, ApiErrorKind::UnprocessableEntity),
            (423, ApiErrorKind::Locked),
            (429, ApiErrorKind::TooManyRequests),
            (500, ApiErrorKind::Server),
            (503, ApiErrorKind::Server),
            (418, ApiErrorKind::Other),
            (100, ApiErrorKind::Other),
        ];
        for (code, kind) in cases {
            let status = StatusCode::from_u16(code).expect("valid status");
            assert_eq!(ApiErrorKind::from_status(status), kind, "{code}");
        }
    }

    #[test]
    fn clerk_body_display_and_trace() {
        let e = ApiError::new(
            "GetUser",
            StatusCode::NOT_FOUND,
            HeaderMap::new(),
            not_found_body(),
        );
        assert_eq!(e.kind(), ApiErrorKind::NotFound);
        assert_eq!(e.code(), Some("resource_not_found"));
        assert_eq!(e.clerk_trace_id(), Some("abc123"));
        assert_eq!(
            e.to_string(),
            "GetUser: 404 Not Found: resource_not_found: User not found (trace abc123)"
        );
        let err = Error::Api(e);
        assert!(err.is_not_found());
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
        assert!(err.to_string().starts_with("GetUser: 404 Not Found"));
    }

    #[test]
    fn multiple_errors_are_counted() {
        let body =
            br#"{"errors":[{"message":"a","code":"x"},{"message":"b","code":"y"}]}"#.to_vec();
        let e = ApiError::new(
            "CreateUser",
            StatusCode::UNPROCESSABLE_ENTITY,
            HeaderMap::new(),
            body,
        );
        assert_eq!(
            e.to_string(),
            "CreateUser: 422 Unprocessable Entity: x: a (and 1 more)"
        );
    }

    #[test]
    fn lenient_body_and_header_trace() {
        let mut headers = HeaderMap::new();
        headers.insert("x-clerk-trace-id", HeaderValue::from_static("hdr-trace"));
        let e = ApiError::new(
            "GetUser",
            StatusCode::BAD_GATEWAY,
            headers,
            b"<html>\n<body>Bad   gateway</body></html>".to_vec(),
        );
        assert!(e.clerk_errors().is_none());
        assert_eq!(e.clerk_trace_id(), Some("hdr-trace"));
        assert_eq!(e.body_text(), "<html>\n<body>Bad   gateway</body></html>");
        assert_eq!(
            e.to_string(),
            "GetUser: 502 Bad Gateway: <html> <body>Bad gateway</body></html> (trace hdr-trace)"
        );
        let empty = ApiError::new(
            "GetUser",
            StatusCode::INTERNAL_SERVER_ERROR,
            HeaderMap::new(),
            vec![],
        );
        assert_eq!(empty.to_string(), "GetUser: 500 Internal Server Error");
    }

    #[test]
    fn redirect_display_names_location() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "location",
            HeaderValue::from_static("https://example.com/elsewhere"),
        );
        let e = ApiError::new("GetUser", StatusCode::FOUND, headers, vec![]);
        assert_eq!(e.kind(), ApiErrorKind::Redirect);
        assert_eq!(e.location(), Some("https://example.com/elsewhere"));
        assert_eq!(
            e.to_string(),
            "GetUser: 302 Found: redirect to https://example.com/elsewhere (not followed)"
        );
    }

    #[test]
    fn retry_after_header() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        let e = ApiError::new("GetUser", StatusCode::TOO_MANY_REQUESTS, headers, vec![]);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        let none = ApiError::new(
            "GetUser",
            StatusCode::TOO_MANY_REQUESTS,
            HeaderMap::new(),
            vec![],
        );
        assert_eq!(none.retry_after(), None);
    }

    #[test]
    fn other_displays() {
        let d = DecodeError::new(
            "GetUserList",
            StatusCode::OK,
            "data[0].id",
            "invalid type: null, expected a string",
            b"{}".to_vec(),
        );
        assert_eq!(
            d.to_string(),
            "GetUserList: could not decode the 200 OK response at `data[0].id`: invalid type: null, expected a string"
        );
        assert_eq!(Error::Decode(d).status(), Some(StatusCode::OK));
        assert_eq!(
            Error::Config("no key".into()).to_string(),
            "configuration error: no key"
        );
        assert_eq!(
            Error::Encode("bad".into()).to_string(),
            "could not encode the request: bad"
        );
        assert!(format!("{:?}", Error::Config("x".into())).contains("Config"));
    }
}
