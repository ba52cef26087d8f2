//! The HTTP client: configuration, default headers, sending and retrying.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use reqwest::{StatusCode, Url};

use crate::redact::{contains, redact_bytes, REDACTED};
use crate::request::Body;
use crate::retry::{Jitter, RetryConfig};
use crate::{
    ApiError, DecodeError, Error, KeyEnvironment, Request, Response, RetryPolicy, SecretKey,
};

/// Default overall timeout of one attempt.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default timeout for establishing a connection.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Static facts about the API a crate was generated for (its `API_INFO`), given to
/// [`Client::builder`].
#[derive(Debug, Clone, Copy)]
pub struct ApiInfo {
    /// The API title from the spec.
    pub title: &'static str,
    /// The API version the crate was generated from.
    pub api_version: &'static str,
    /// The base URL used unless [`ClientBuilder::base_url`] says otherwise.
    pub default_base_url: &'static str,
    /// Header carrying `api_version` on every request, if the API has one.
    pub version_header: Option<&'static str>,
    /// The default `User-Agent`.
    pub user_agent: &'static str,
    /// Environment variable read by [`Client::from_env`].
    pub key_env_var: &'static str,
    /// Default retry settings.
    pub retry: RetryConfig,
}

mod sealed {
    /// Keeps [`Mode`](super::Mode) from being implemented outside this module.
    pub trait Sealed {}
}

/// What a [`Client`] may do: [`ReadWrite`] or [`ReadOnly`].
///
/// Operations that change data exist only on `Client<ReadWrite>`, so a
/// read-only client cannot even express them. This trait is sealed.
pub trait Mode: sealed::Sealed + fmt::Debug + Clone + Copy + Send + Sync + 'static {
    /// Whether clients in this mode refuse operations that change data.
    const READ_ONLY: bool;
}

/// Mode of a client that may call every operation.
#[derive(Debug, Clone, Copy)]
pub struct ReadWrite;

/// Mode of a client that may only call operations that read data.
#[derive(Debug, Clone, Copy)]
pub struct ReadOnly;

impl sealed::Sealed for ReadWrite {}
impl sealed::Sealed for ReadOnly {}

impl Mode for ReadWrite {
    const READ_ONLY: bool = false;
}

impl Mode for ReadOnly {
    const READ_ONLY: bool = true;
}

/// The modes whose clients may read credentials: [`ReadWrite`] only (sealed, like [`Mode`]).
///
/// Generated reads that return a secret are methods for `M: ReadsCredentials` rather than for
/// `Client<ReadWrite>` alone: a read-only client still cannot name them, and, being generic,
/// they are compiled only where they are called. (A method of the concrete type is compiled
/// in every build of the generated crate, together with the whole request path it uses.)
pub trait ReadsCredentials: Mode {}

impl ReadsCredentials for ReadWrite {}

/// Shared state behind every clone of a [`Client`].
struct Inner {
    info: &'static ApiInfo,
    http: reqwest::Client,
    base_url: String,
    key: Option<SecretKey>,
    /// `Bearer <key>`, marked sensitive.
    auth_header: Option<HeaderValue>,
    user_agent: HeaderValue,
    timeout: Duration,
    retry: RetryPolicy,
}

/// A client for the API. Cheap to clone: clones share one connection pool.
///
/// `M` is [`ReadWrite`] (the default) or [`ReadOnly`]; see [`Mode`].
pub struct Client<M: Mode = ReadWrite> {
    inner: Arc<Inner>,
    mode: PhantomData<M>,
}

impl<M: Mode> Client<M> {
    /// The same client with full rights. For the generated operation dispatcher only, which
    /// calls it after [`Client::check_allowed`] passed.
    #[doc(hidden)]
    pub fn escalate(&self) -> Client<ReadWrite> {
        Client {
            inner: Arc::clone(&self.inner),
            mode: PhantomData,
        }
    }
}

impl<M: Mode> Clone for Client<M> {
    fn clone(&self) -> Self {
        Client {
            inner: Arc::clone(&self.inner),
            mode: PhantomData,
        }
    }
}

impl<M: Mode> fmt::Debug for Client<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("read_only", &M::READ_ONLY)
            .field("base_url", &self.redact_text(&self.inner.base_url))
            .field("key", &self.inner.key)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client<ReadWrite> {
    /// A client for the API `info` describes, with this secret key and the default settings.
    pub fn new(info: &'static ApiInfo, key: impl Into<String>) -> Result<Client<ReadWrite>, Error> {
        Self::builder(info).secret_key(key).build()
    }

    /// A read-only client with this secret key and the default settings.
    pub fn read_only(
        info: &'static ApiInfo,
        key: impl Into<String>,
    ) -> Result<Client<ReadOnly>, Error> {
        Self::builder(info).secret_key(key).build_read_only()
    }

    /// A client whose key comes from the environment variable named by
    /// `info.key_env_var` (e.g. `CLERK_SECRET_KEY`).
    pub fn from_env(info: &'static ApiInfo) -> Result<Client<ReadWrite>, Error> {
        Self::builder(info)
            .secret_key(key_from_env(info.key_env_var)?)
            .build()
    }

    /// A builder for a client of the API `info` describes, with custom settings.
    pub fn builder(info: &'static ApiInfo) -> ClientBuilder {
        ClientBuilder::new(info)
    }

    /// A read-only view of this client, sharing its connection pool and settings.
    pub fn read_only_view(&self) -> Client<ReadOnly> {
        Client {
            inner: Arc::clone(&self.inner),
            mode: PhantomData,
        }
    }
}

/// Reads a secret key from an environment variable; errors name the
/// variable, never a value.
fn key_from_env(var: &str) -> Result<String, Error> {
    match std::env::var(var) {
        Ok(key) if !key.trim().is_empty() => Ok(key),
        Ok(_) => Err(Error::Config(format!(
            "environment variable {var} is empty"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Error::Config(format!(
            "environment variable {var} is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::Config(format!(
            "environment variable {var} is not valid UTF-8"
        ))),
    }
}

/// Builds a [`Client`] with custom settings.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    info: &'static ApiInfo,
    key: Option<SecretKey>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    retry: Option<RetryPolicy>,
    refuse_live_keys: bool,
    /// Ignore proxy environment variables (set by tests, which only talk to 127.0.0.1).
    no_proxy: bool,
}

impl ClientBuilder {
    /// A builder with the defaults of the API `info` describes.
    pub fn new(info: &'static ApiInfo) -> Self {
        ClientBuilder {
            info,
            key: None,
            base_url: None,
            timeout: None,
            connect_timeout: None,
            user_agent: None,
            http_client: None,
            retry: None,
            refuse_live_keys: false,
            no_proxy: false,
        }
    }

    /// Sets the secret key (leading and trailing whitespace is ignored).
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(SecretKey::new(key));
        self
    }

    /// Sets the base URL (`http` or `https`; a trailing slash is ignored).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sets the overall timeout of each attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the connection timeout (default 10 s). Ignored with
    /// [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Replaces the default `User-Agent`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses this reqwest client instead of building one. Build it with
    /// `redirect::Policy::none()` so that redirects are reported rather than
    /// followed; the timeout of this builder still applies to each attempt.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the retry policy (default: the API's, from `ApiInfo::retry`).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Makes [`build`](ClientBuilder::build) fail on a live (`sk_live_`) key,
    /// so a test suite cannot touch production by mistake. Off by default.
    pub fn refuse_live_keys(mut self, refuse: bool) -> Self {
        self.refuse_live_keys = refuse;
        self
    }

    /// Ignores proxy environment variables, so tests reach 127.0.0.1 directly.
    #[cfg(test)]
    fn without_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// Builds a client that may call every operation.
    pub fn build(self) -> Result<Client<ReadWrite>, Error> {
        self.build_mode()
    }

    /// Builds a client that may only call operations that read data.
    pub fn build_read_only(self) -> Result<Client<ReadOnly>, Error> {
        self.build_mode()
    }

    /// Validates the settings and builds a client in mode `M`.
    fn build_mode<M: Mode>(self) -> Result<Client<M>, Error> {
        let base_url = normalize_base_url(
            self.base_url
                .as_deref()
                .unwrap_or(self.info.default_base_url),
        )?;
        let key = self
            .key
            .as_ref()
            .map(|key| check_key(key, self.refuse_live_keys))
            .transpose()?;
        let auth_header = key.as_ref().map(bearer_header).transpose()?;
        let user_agent = self.user_agent.as_deref().unwrap_or(self.info.user_agent);
        let user_agent = HeaderValue::from_str(user_agent).map_err(|_| {
            Error::Config("the user agent contains characters not allowed in a header".to_owned())
        })?;
        let http = match self.http_client {
            Some(http) => http,
            None => default_http_client(
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                self.no_proxy,
            )?,
        };
        let inner = Inner {
            info: self.info,
            http,
            base_url,
            key,
            auth_header,
            user_agent,
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            retry: self
                .retry
                .unwrap_or_else(|| RetryPolicy::from_config(self.info.retry)),
        };
        Ok(Client {
            inner: Arc::new(inner),
            mode: PhantomData,
        })
    }
}

/// The reqwest client used unless the caller supplies one: redirects are
/// never followed, so that a 3xx comes back as an [`ApiError`].
fn default_http_client(
    connect_timeout: Duration,
    no_proxy: bool,
) -> Result<reqwest::Client, Error> {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout);
    let builder = if no_proxy {
        builder.no_proxy()
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))
}

/// Trims the key and checks it is usable; the result is what gets sent.
fn check_key(key: &SecretKey, refuse_live_keys: bool) -> Result<SecretKey, Error> {
    let trimmed = key.expose().trim();
    if trimmed.is_empty() {
        return Err(Error::Config("the secret key is empty".to_owned()));
    }
    let key = SecretKey::new(trimmed);
    if refuse_live_keys && key.environment() == KeyEnvironment::Live {
        return Err(Error::Config(
            "refusing a live secret key (sk_live_…) because refuse_live_keys is set".to_owned(),
        ));
    }
    Ok(key)
}

/// The `Authorization` header for a key, marked sensitive.
fn bearer_header(key: &SecretKey) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
        Error::Config("the secret key contains characters not allowed in a header".to_owned())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Checks a base URL and drops trailing slashes. Errors never echo the URL,
/// which could hold credentials.
fn normalize_base_url(raw: &str) -> Result<String, Error> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|e| Error::Config(format!("invalid base URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "the base URL must use http or https, not {}",
            url.scheme()
        )));
    }
    if !url.has_host() {
        return Err(Error::Config("the base URL has no host".to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "the base URL must not contain credentials".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(
            "the base URL must not contain a query or fragment".to_owned(),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Whether a raw path segment would be read as `.` or `..` by a URL parser.
fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
    )
}

/// Parses a header name given by generated code.
fn header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Encode(format!("invalid header name `{name}`")))
}

/// Parses a header value given by generated code or the caller.
fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value).map_err(|_| {
        Error::Encode(format!(
            "header `{name}` contains characters not allowed in a header"
        ))
    })
}

/// The boxed future of `Client::execute`.
type Execute<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<RawResponse, Error>> + Send + 'a>>;

/// A response as read from the wire, before decoding.
struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl RawResponse {
    /// The `Retry-After` delay the server asked for, if any.
    fn retry_after(&self) -> Option<Duration> {
        let value = self
            .headers
            .get(reqwest::header::RETRY_AFTER)?
            .to_str()
            .ok()?;
        crate::retry::parse_retry_after(value, std::time::SystemTime::now())
    }
}

/// What to do after an attempt.
enum Next {
    /// Return this outcome.
    Done,
    /// Try again, waiting as the server asked if it did.
    Retry(Option<Duration>),
}

impl<M: Mode> Client<M> {
    /// The environment of the configured key ([`KeyEnvironment::Unknown`] without one).
    pub fn key_environment(&self) -> KeyEnvironment {
        self.inner
            .key
            .as_ref()
            .map_or(KeyEnvironment::Unknown, SecretKey::environment)
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The same client (same key, connection pool and mode) with another retry policy,
    /// for one call or a few: `client.with_retry(RetryPolicy::none()).users().create(..)`.
    pub fn with_retry(&self, retry: RetryPolicy) -> Client<M> {
        self.derive(|inner| inner.retry = retry)
    }

    /// The same client with another per-attempt timeout.
    pub fn with_timeout(&self, timeout: Duration) -> Client<M> {
        self.derive(|inner| inner.timeout = timeout)
    }

    fn derive(&self, change: impl FnOnce(&mut Inner)) -> Client<M> {
        let mut inner = Inner {
            info: self.inner.info,
            http: self.inner.http.clone(),
            base_url: self.inner.base_url.clone(),
            key: self.inner.key.clone(),
            auth_header: self.inner.auth_header.clone(),
            user_agent: self.inner.user_agent.clone(),
            timeout: self.inner.timeout,
            retry: self.inner.retry.clone(),
        };
        change(&mut inner);
        Client {
            inner: Arc::new(inner),
            mode: PhantomData,
        }
    }

    /// Whether this client refuses operations that change data.
    pub fn is_read_only(&self) -> bool {
        M::READ_ONLY
    }

    /// Sends a request and decodes a 2xx JSON body (an empty body reads as `null`).
    #[doc(hidden)]
    pub async fn send_json<T: serde::de::DeserializeOwned>(
        &self,
        req: Request,
    ) -> Result<Response<T>, Error> {
        let raw = self.execute(&req).await?;
        let data = decode_json(req.operation_id, raw.status, &raw.body)
            .map_err(|e| self.redact_decode(e))?;
        Ok(Response::new(raw.status, raw.headers, data))
    }

    /// Sends a request and decodes a 2xx JSON body with `decode` (the typed decoding of
    /// an operation's response model, [`crate::decode_response`], for a call by name).
    #[doc(hidden)]
    pub async fn send_json_with(
        &self,
        req: Request,
        decode: crate::ResponseDecode,
    ) -> Result<Response<serde_json::Value>, Error> {
        let raw = self.execute(&req).await?;
        let data = decode(req.operation_id, raw.status, &raw.body).map_err(|e| match e {
            Error::Decode(e) => Error::Decode(self.redact_decode(e)),
            other => other,
        })?;
        Ok(Response::new(raw.status, raw.headers, data))
    }

    /// Sends a request and ignores the 2xx body.
    #[doc(hidden)]
    pub async fn send_empty(&self, req: Request) -> Result<Response<()>, Error> {
        let raw = self.execute(&req).await?;
        Ok(Response::new(raw.status, raw.headers, ()))
    }

    /// Sends a request and returns the 2xx body as text (it must be UTF-8).
    #[doc(hidden)]
    pub async fn send_text(&self, req: Request) -> Result<Response<String>, Error> {
        let raw = self.execute(&req).await?;
        let text = String::from_utf8(raw.body).map_err(|e| {
            let message = format!("the body is not valid UTF-8: {}", e.utf8_error());
            self.redact_decode(DecodeError::new(
                req.operation_id,
                raw.status,
                ".",
                message,
                e.into_bytes(),
            ))
        })?;
        Ok(Response::new(raw.status, raw.headers, text))
    }

    /// Sends a request and returns the 2xx body as bytes.
    #[doc(hidden)]
    pub async fn send_bytes(&self, req: Request) -> Result<Response<Vec<u8>>, Error> {
        let raw = self.execute(&req).await?;
        Ok(Response::new(raw.status, raw.headers, raw.body))
    }

    /// Sends a request with retries; a non-2xx final answer becomes [`Error::Api`].
    ///
    /// The future is boxed: every operation awaits it, and a boxed `dyn Future + Send` is
    /// `Send` at a glance, where proving it for the nested reqwest futures again in each of
    /// hundreds of operations was most of the time a generated crate took to compile. One
    /// allocation per request is nothing beside the network.
    fn execute<'a>(&'a self, req: &'a Request) -> Execute<'a> {
        Box::pin(self.execute_inner(req))
    }

    async fn execute_inner(&self, req: &Request) -> Result<RawResponse, Error> {
        let url = self.url(req)?;
        let headers = self.headers(req)?;
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut jitter = Jitter::new();
        let mut attempt: u32 = 1;
        loop {
            let outcome = self.attempt(req, &url, &headers).await;
            let retry_after = match self.next(req, &outcome) {
                Next::Done => return self.finish(req, outcome),
                Next::Retry(retry_after) => retry_after,
            };
            if attempt >= policy.attempts() {
                return self.finish(req, outcome);
            }
            let wait = policy.wait(attempt - 1, retry_after, &mut jitter);
            if started.elapsed().saturating_add(wait) > policy.max_elapsed {
                return self.finish(req, outcome);
            }
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            attempt += 1;
        }
    }

    /// Whether an attempt's outcome is worth retrying under the client's policy.
    fn next(&self, req: &Request, outcome: &Result<RawResponse, Error>) -> Next {
        let policy = &self.inner.retry;
        if !policy.allows(req.idempotent) {
            return Next::Done;
        }
        match outcome {
            Ok(raw) if policy.retries_status(raw.status) => Next::Retry(raw.retry_after()),
            Err(Error::Transport(e)) if policy.retries_transport(e) => Next::Retry(None),
            _ => Next::Done,
        }
    }

    /// Sends one attempt and reads the whole body.
    async fn attempt(
        &self,
        req: &Request,
        url: &Url,
        headers: &HeaderMap,
    ) -> Result<RawResponse, Error> {
        let builder = self
            .inner
            .http
            .request(req.method.clone(), url.clone())
            .headers(headers.clone())
            .timeout(self.inner.timeout);
        let builder = match &req.body {
            Body::None => builder,
            Body::Json(bytes) | Body::Bytes { data: bytes, .. } => builder.body(bytes.clone()),
            Body::Form(pairs) => builder.body(Body::encode_form(pairs)),
            Body::Text { data, .. } => builder.body(data.clone()),
            Body::Multipart(parts) => {
                let form =
                    parts
                        .iter()
                        .try_fold(reqwest::multipart::Form::new(), |form, part| {
                            Ok::<_, Error>(form.part(part.name().to_owned(), part.to_reqwest()?))
                        })?;
                builder.multipart(form)
            }
        };
        let response = builder.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// The full URL of a request: base URL, path and query.
    fn url(&self, req: &Request) -> Result<Url, Error> {
        let separator = if req.path.starts_with('/') { "" } else { "/" };
        // The URL parser resolves `..` even as `%2E%2E`: refuse rather than traverse.
        let path = req.path.split(['?', '#']).next().unwrap_or_default();
        if path.split('/').any(is_dot_segment) {
            return Err(Error::Encode(format!(
                "{}: the path must not contain `.` or `..` segments",
                req.operation_id
            )));
        }
        let mut url = format!("{}{separator}{}", self.inner.base_url, req.path);
        if !req.query.is_empty() {
            url.push(if req.path.contains('?') { '&' } else { '?' });
            url.push_str(&req.query.encode());
        }
        Url::parse(&url)
            .map_err(|e| Error::Encode(format!("{}: invalid request URL: {e}", req.operation_id)))
    }

    /// The headers of a request: defaults, then the request's own, which
    /// replace defaults of the same name.
    fn headers(&self, req: &Request) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, self.inner.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let info = self.inner.info;
        if let Some(name) = info.version_header {
            headers.insert(header_name(name)?, header_value(name, info.api_version)?);
        }
        if let Some(content_type) = req.body.content_type() {
            headers.insert(CONTENT_TYPE, header_value("content-type", content_type)?);
        }
        if req.auth {
            let auth = self
                .inner
                .auth_header
                .as_ref()
                .ok_or_else(|| missing_key(req.operation_id, info.key_env_var))?;
            headers.insert(AUTHORIZATION, auth.clone());
        }
        let extra = req
            .headers
            .iter()
            .map(|(name, value)| Ok((header_name(name)?, header_value(name, value)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        for (name, _) in &extra {
            headers.remove(name);
        }
        for (name, value) in extra {
            headers.append(name, value);
        }
        Ok(headers)
    }
}

/// The error for a request that needs the key when none is configured.
fn missing_key(operation_id: &str, key_env_var: &str) -> Error {
    Error::Config(format!(
        "no secret key configured for {operation_id}: set {key_env_var} or call ClientBuilder::secret_key"
    ))
}

impl<M: Mode> Client<M> {
    /// Turns the last attempt's outcome into the result: non-2xx becomes [`Error::Api`],
    /// with the key removed wherever the server echoed it (body or headers), since errors
    /// end up in logs.
    fn finish(
        &self,
        req: &Request,
        outcome: Result<RawResponse, Error>,
    ) -> Result<RawResponse, Error> {
        let raw = outcome.map_err(|e| self.redact_transport(e))?;
        if raw.status.is_success() {
            return Ok(raw);
        }
        let secret = self.secret();
        let mut headers = raw.headers;
        if let Some(secret) = secret {
            for value in headers.values_mut() {
                if let Some(clean) = redact_bytes(value.as_bytes(), secret) {
                    *value = HeaderValue::from_bytes(&clean)
                        .unwrap_or_else(|_| HeaderValue::from_static(REDACTED));
                }
            }
        }
        let body = match secret.and_then(|s| redact_bytes(&raw.body, s)) {
            Some(clean) => clean,
            None => raw.body,
        };
        Err(Error::Api(ApiError::new(
            req.operation_id,
            raw.status,
            headers,
            body,
        )))
    }

    /// A decode error without the key in its message or body (a server may echo it).
    fn redact_decode(&self, e: DecodeError) -> DecodeError {
        let Some(secret) = self.secret() else {
            return e;
        };
        let body = redact_bytes(e.body(), secret);
        let message = redact_bytes(e.message().as_bytes(), secret);
        let path = redact_bytes(e.path().as_bytes(), secret);
        if body.is_none() && message.is_none() && path.is_none() {
            return e;
        }
        let text = |b: Option<Vec<u8>>, orig: &str| {
            b.map_or_else(
                || orig.to_owned(),
                |b| String::from_utf8_lossy(&b).into_owned(),
            )
        };
        DecodeError::new(
            e.operation_id(),
            e.status(),
            text(path, e.path()),
            text(message, e.message()),
            body.unwrap_or_else(|| e.body().to_vec()),
        )
    }

    /// The key as bytes to look for in responses (not when too short to be told from text).
    /// A transport error names the request URL. When the URL holds the key (put in the base
    /// URL or a parameter by mistake), the URL is dropped from the error.
    fn redact_transport(&self, e: Error) -> Error {
        match (e, self.secret()) {
            (Error::Transport(t), Some(secret))
                if t.url()
                    .is_some_and(|u| contains(u.as_str().as_bytes(), secret)) =>
            {
                Error::Transport(t.without_url())
            }
            (e, _) => e,
        }
    }

    /// `text` with the key replaced by [`REDACTED`](crate::redact::REDACTED).
    fn redact_text(&self, text: &str) -> String {
        match self.secret().and_then(|s| redact_bytes(text.as_bytes(), s)) {
            Some(clean) => String::from_utf8_lossy(&clean).into_owned(),
            None => text.to_owned(),
        }
    }

    fn secret(&self) -> Option<&[u8]> {
        self.inner
            .key
            .as_ref()
            .map(|k| k.expose().trim().as_bytes())
            .filter(|k| k.len() >= MIN_REDACTED_LEN)
    }
}

/// Keys shorter than this are not searched for in responses (they would match ordinary text).
const MIN_REDACTED_LEN: usize = 8;

/// Decodes a JSON response body into the model `T` and turns it back into JSON: what a call
/// by name returns, so that it decodes exactly as the typed method does. Errors name the
/// JSON path of the first mismatch.
pub fn decode_response<T: serde::de::DeserializeOwned + serde::Serialize>(
    operation_id: &'static str,
    status: StatusCode,
    body: &[u8],
) -> Result<serde_json::Value, Error> {
    let data: T = decode_json(operation_id, status, body)?;
    serde_json::to_value(&data)
        .map_err(|e| Error::Encode(format!("response could not be turned into JSON: {e}")))
}

/// A typed decoding of a response body ([`decode_response`] for the operation's model).
pub type ResponseDecode = fn(&'static str, StatusCode, &[u8]) -> Result<serde_json::Value, Error>;

/// Decodes a JSON body, naming the JSON path of the first mismatch. An
/// empty (or all-whitespace) body decodes as `null`.
fn decode_json<T: serde::de::DeserializeOwned>(
    operation_id: &'static str,
    status: StatusCode,
    body: &[u8],
) -> Result<T, DecodeError> {
    let input: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    let mut deserializer = serde_json::Deserializer::from_slice(input);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        DecodeError::new(
            operation_id,
            status,
            e.path().to_string(),
            e.inner().to_string(),
            body.to_vec(),
        )
    })?;
    deserializer
        .end()
        .map_err(|e| DecodeError::new(operation_id, status, ".", e.to_string(), body.to_vec()))?;
    Ok(value)
}

impl<M: Mode> Client<M> {
    /// Whether this client may call `op`: a read-only client refuses every operation that
    /// is not `read` or that returns a credential, whichever way it is chosen (by name, by
    /// table entry).
    pub fn check_allowed(&self, op: &crate::OperationInfo) -> Result<(), Error> {
        if M::READ_ONLY && (op.safety != crate::SafetyClass::Read || op.credential) {
            return Err(Error::ReadOnly {
                operation_id: op.id,
                class: op.safety,
                credential: op.credential,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiErrorKind, FileUpload, Part, Query};
    use reqwest::Method;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::sync::Mutex;
    use std::thread::JoinHandle;

    const KEY: &str = "sk_test_TopSecretRuntimeKey42";
    /// Upper bound for every test that touches the network.
    const TEST_DEADLINE: Duration = Duration::from_secs(20);

    /// A request as the test server saw it.
    #[derive(Debug, Clone)]
    struct Seen {
        request_line: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// A tiny HTTP/1.1 server on 127.0.0.1 answering a scripted sequence of
    /// raw responses, one connection each, then stopping.
    struct TestServer {
        addr: SocketAddr,
        seen: Arc<Mutex<Vec<Seen>>>,
        handle: Option<JoinHandle<()>>,
    }

    impl TestServer {
        fn start(responses: Vec<String>) -> TestServer {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
            let addr = listener.local_addr().expect("local addr");
            listener.set_nonblocking(true).expect("nonblocking");
            let seen = Arc::new(Mutex::new(Vec::new()));
            let log = Arc::clone(&seen);
            let handle = std::thread::spawn(move || {
                let deadline = Instant::now() + TEST_DEADLINE;
                for response in responses {
                    let Some(mut stream) = accept_until(&listener, deadline) else {
                        return;
                    };
                    let Some(request) = read_request(&mut stream) else {
                        return;
                    };
                    log.lock().expect("log").push(request);
                    let _ = stream.write_all(response.as_bytes());
                    let _ = stream.flush();
                }
            });
            TestServer {
                addr,
                seen,
                handle: Some(handle),
            }
        }

        fn url(&self) -> String {
            format!("http://{}", self.addr)
        }

        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().expect("log").clone()
        }

        fn client(&self, policy: RetryPolicy) -> Client {
            Client::builder(&crate::TEST_INFO)
                .without_proxy()
                .secret_key(KEY)
                .base_url(format!("{}/v1/", self.url()))
                .timeout(Duration::from_secs(5))
                .retry(policy)
                .build()
                .expect("client")
        }
    }

    impl Drop for TestServer {
        fn drop(&mut self) {
            if let Some(handle) = self.handle.take() {
                if handle.is_finished() {
                    let _ = handle.join();
                }
            }
        }
    }

    fn accept_until(listener: &TcpListener, deadline: Instant) -> Option<TcpStream> {
        while Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).ok()?;
                    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
                    return Some(stream);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(_) => return None,
            }
        }
        None
    }

    fn read_request(stream: &mut TcpStream) -> Option<Seen> {
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos;
            }
            let n = stream.read(&mut buf).ok()?;
            if n == 0 {
                return None;
            }
            data.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let request_line = lines.next()?.to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = data[head_end + 4..].to_vec();
        while body.len() < length {
            let n = stream.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        Some(Seen {
            request_line,
            headers,
            body,
        })
    }

    fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
        let mut text = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        text.push_str(body);
        text
    }

    fn json_response(status: &str, body: &str) -> String {
        response(status, &[("Content-Type", "application/json")], body)
    }

    fn fast_policy() -> RetryPolicy {
        RetryPolicy::default()
            .max_attempts(4)
            .initial_interval(Duration::from_millis(1))
            .max_interval(Duration::from_millis(5))
            .max_elapsed(Duration::from_secs(10))
    }

    fn get(op: &'static str, path: &str) -> Request {
        Request::new(op, Method::GET, path)
    }

    async fn bounded<F: std::future::Future>(future: F) -> F::Output {
        tokio::time::timeout(TEST_DEADLINE, future)
            .await
            .expect("test timed out")
    }

    fn assert_no_key(text: &str) {
        assert!(!text.contains(KEY), "key leaked: {text}");
        assert!(!text.contains("TopSecret"), "key leaked: {text}");
    }

    fn assert_error_redacted(error: &Error) {
        assert_no_key(&format!("{error:?}"));
        assert_no_key(&format!("{error:#?}"));
        assert_no_key(&error.to_string());
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct User {
        id: String,
        #[serde(default)]
        email_addresses: Vec<Email>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Email {
        id: String,
        verification: Option<Verification>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Verification {
        expire_at: i64,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct UserList {
        data: Vec<User>,
    }

    // ----- configuration (no network) -----

    #[test]
    fn per_call_overrides_keep_key_and_mode() {
        let client = Client::new(&crate::TEST_INFO, KEY).expect("client");
        let once = client.with_retry(RetryPolicy::none());
        assert_eq!(once.retry_policy(), &RetryPolicy::none());
        assert_eq!(client.retry_policy(), &RetryPolicy::default());
        assert_eq!(once.key_environment(), KeyEnvironment::Test);
        let ro = client.read_only_view().with_timeout(Duration::from_secs(1));
        assert!(ro.is_read_only());
        assert!(!format!("{ro:?}").contains(KEY));
    }

    #[test]
    fn defaults() {
        let client = Client::new(&crate::TEST_INFO, KEY).expect("client");
        assert_eq!(
            client.base_url(),
            crate::TEST_INFO.default_base_url.trim_end_matches('/')
        );
        assert_eq!(client.key_environment(), KeyEnvironment::Test);
        assert!(!client.is_read_only());
        assert_eq!(client.retry_policy(), &RetryPolicy::default());
        let view = client.read_only_view();
        assert!(view.is_read_only());
        assert!(Arc::ptr_eq(&view.inner, &client.inner));
        let read_only = Client::read_only(&crate::TEST_INFO, KEY).expect("client");
        assert!(read_only.is_read_only());
        let keyless = Client::builder(&crate::TEST_INFO).build().expect("client");
        assert_eq!(keyless.key_environment(), KeyEnvironment::Unknown);
    }

    #[test]
    fn base_url_validation() {
        let ok = |url: &str| {
            Client::builder(&crate::TEST_INFO)
                .base_url(url)
                .build()
                .map(|c| c.base_url().to_owned())
        };
        assert_eq!(
            ok("https://api.example.com/v1/").ok().as_deref(),
            Some("https://api.example.com/v1")
        );
        assert_eq!(
            ok("http://127.0.0.1:8080").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            ok("http://localhost:1//").ok().as_deref(),
            Some("http://localhost:1")
        );
        for bad in [
            "ftp://example.com",
            "not a url",
            "",
            "/v1",
            "https://user:pw@example.com",
            "https://x.com/v1?a=b",
            "file:///etc",
        ] {
            let err = ok(bad).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{bad}: {err:?}");
            if bad.contains("pw@") {
                assert!(!err.to_string().contains("pw"), "{err}");
            }
        }
    }

    #[test]
    fn key_validation_and_live_keys() {
        let live = "sk_live_TopSecretRuntimeKey42";
        let refused = Client::builder(&crate::TEST_INFO)
            .secret_key(live)
            .refuse_live_keys(true)
            .build()
            .unwrap_err();
        assert!(
            matches!(refused, Error::Config(ref m) if m.contains("live")),
            "{refused}"
        );
        assert!(!refused.to_string().contains("TopSecret"));
        assert!(Client::builder(&crate::TEST_INFO)
            .secret_key(KEY)
            .refuse_live_keys(true)
            .build()
            .is_ok());
        let allowed = Client::builder(&crate::TEST_INFO)
            .secret_key(live)
            .build()
            .expect("live keys allowed by default");
        assert_eq!(allowed.key_environment(), KeyEnvironment::Live);
        assert!(!format!("{allowed:?}").contains("TopSecret"));

        assert!(matches!(
            Client::new(&crate::TEST_INFO, "  "),
            Err(Error::Config(_))
        ));
        let bad = Client::new(&crate::TEST_INFO, "sk_test_TopSecret\nInjected").unwrap_err();
        assert!(matches!(bad, Error::Config(_)));
        assert!(!bad.to_string().contains("TopSecret"));
        // Surrounding whitespace (e.g. from a file) is ignored.
        let padded = Client::new(&crate::TEST_INFO, format!(" {KEY}\n")).expect("trimmed");
        assert_eq!(padded.inner.key.as_ref().map(SecretKey::expose), Some(KEY));
        assert!(matches!(
            Client::builder(&crate::TEST_INFO)
                .user_agent("bad\nagent")
                .build(),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn key_from_env_names_the_variable() {
        let var = "AGENTGEN_RUNTIME_TEST_SURELY_UNSET_VAR";
        let err = key_from_env(var).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("configuration error: environment variable {var} is not set")
        );
        // Setting variables is left out: it races with other threads reading the environment.
    }

    #[test]
    fn debug_output_never_contains_the_key() {
        let builder = Client::builder(&crate::TEST_INFO)
            .secret_key(KEY)
            .base_url("http://127.0.0.1:9");
        assert_no_key(&format!("{builder:?}"));
        let client = builder.build().expect("client");
        assert_no_key(&format!("{client:?}"));
        assert_no_key(&format!("{client:#?}"));
        assert_no_key(&format!("{:?}", client.read_only_view()));
        assert_no_key(&format!("{:?}", client.inner.auth_header));
        let headers = client
            .headers(&get("GetUser", "/users/u"))
            .expect("headers");
        assert_no_key(&format!("{headers:?}"));
        assert_eq!(
            headers.get(AUTHORIZATION).map(HeaderValue::is_sensitive),
            Some(true)
        );
        let secret = SecretKey::new(KEY);
        assert_no_key(&format!("{secret:?} {secret} {secret:#?}"));
        for err in [
            Client::builder(&crate::TEST_INFO)
                .secret_key(KEY)
                .base_url("ftp://x")
                .build()
                .unwrap_err(),
            Client::builder(&crate::TEST_INFO)
                .secret_key(KEY)
                .base_url("::")
                .build()
                .unwrap_err(),
            Client::builder(&crate::TEST_INFO)
                .secret_key("sk_live_TopSecret")
                .refuse_live_keys(true)
                .build()
                .unwrap_err(),
        ] {
            assert_error_redacted(&err);
        }
    }

    #[test]
    fn urls_and_headers() {
        let client = Client::builder(&crate::TEST_INFO)
            .secret_key(KEY)
            .base_url("https://api.example.com/v1/")
            .build()
            .expect("client");
        let mut req = get("GetUserList", "/users");
        req.query.push_array("user_id", &["a b", "c"], true, ',');
        req.query.push("limit", &10);
        let url = client.url(&req).expect("url");
        assert_eq!(
            url.as_str(),
            "https://api.example.com/v1/users?user_id=a%20b&user_id=c&limit=10"
        );
        let relative = client.url(&get("GetUser", "users/x")).expect("url");
        assert_eq!(relative.as_str(), "https://api.example.com/v1/users/x");
        let encoded = format!("/users/{}", crate::encode_path("a/b?c#d"));
        assert_eq!(
            client.url(&get("GetUser", &encoded)).expect("url").path(),
            "/v1/users/a%2Fb%3Fc%23d"
        );
        // Without the check, the URL parser would turn `/users/%2E%2E` into `/`.
        assert_eq!(
            Url::parse("https://a.example/v1/users/%2E%2E")
                .expect("url")
                .path(),
            "/v1/"
        );
        for dots in [".", ".."] {
            let path = format!("/users/{}", crate::encode_path(dots));
            let err = client.url(&get("GetUser", &path)).unwrap_err();
            assert!(matches!(err, Error::Encode(_)), "{dots}: {err:?}");
        }

        let mut req = get("GetUser", "/users/x");
        req.headers.push(("Accept", "text/html".into()));
        req.headers.push(("X-Extra", "1".into()));
        let headers = client.headers(&req).expect("headers");
        assert_eq!(headers.get_all(ACCEPT).iter().count(), 1);
        assert_eq!(
            headers.get(ACCEPT).and_then(|v| v.to_str().ok()),
            Some("text/html")
        );
        assert_eq!(
            headers.get("x-extra").and_then(|v| v.to_str().ok()),
            Some("1")
        );
        if let Some(name) = crate::TEST_INFO.version_header {
            assert_eq!(
                headers.get(name).and_then(|v| v.to_str().ok()),
                Some(crate::TEST_INFO.api_version)
            );
        }
        let mut bad = get("GetUser", "/users/x");
        bad.headers.push(("X-Bad", "a\nb".into()));
        assert!(matches!(client.headers(&bad), Err(Error::Encode(_))));
        let mut bad = get("GetUser", "/users/x");
        bad.headers.push(("Bad Name", "x".into()));
        assert!(matches!(client.headers(&bad), Err(Error::Encode(_))));
    }

    #[test]
    fn decode_json_paths_and_empty_bodies() {
        let ok =
            decode_json::<Option<User>>("GetUser", StatusCode::OK, b"").expect("empty is null");
        assert_eq!(ok, None);
        decode_json::<()>("DeleteUser", StatusCode::NO_CONTENT, b" \n").expect("unit");
        let err =
            decode_json::<User>("GetUser", StatusCode::OK, br#"{"id":"u"} trailing"#).unwrap_err();
        assert_eq!(err.path(), ".");
        assert!(err.message().contains("trailing"), "{}", err.message());
    }

    #[test]
    fn decode_response_goes_through_the_model() {
        #[derive(serde::Deserialize, serde::Serialize)]
        struct Named {
            id: String,
            #[serde(default)]
            tags: Vec<String>,
        }
        // The model's shape comes back, not the bytes: defaults filled in, unknown keys
        // dropped (as this model does not keep them).
        let value =
            decode_response::<Named>("GetNamed", StatusCode::OK, br#"{"id":"n","extra":1}"#)
                .expect("decodes");
        assert_eq!(value, serde_json::json!({"id": "n", "tags": []}));
        let err =
            decode_response::<Named>("GetNamed", StatusCode::OK, br#"{"tags":[1]}"#).unwrap_err();
        let Error::Decode(err) = err else {
            panic!("not a decode error: {err}");
        };
        assert_eq!(err.path(), "tags[0]");
        let err =
            decode_response::<Named>("GetNamed", StatusCode::OK, br#"{"tags":[]}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `id`"), "{err}");
    }

    #[test]
    fn clients_and_futures_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        fn assert_send<T: Send>(_: &T) {}
        let client = Client::new(&crate::TEST_INFO, KEY).expect("client");
        assert_send_sync(&client);
        assert_send_sync(&client.read_only_view());
        assert_send_sync(&Client::builder(&crate::TEST_INFO));
        // Futures are only created, never polled: no network.
        let future = client.send_json::<User>(get("GetUser", "/users/u"));
        assert_send(&future);
        assert_send(&client.send_empty(get("DeleteUser", "/users/u")));
    }

    // ----- sending (tiny local server) -----

    #[tokio::test]
    async fn retries_5xx_then_succeeds_with_default_headers() {
        let server = TestServer::start(vec![
            json_response("503 Service Unavailable", "{}"),
            json_response("503 Service Unavailable", ""),
            json_response("200 OK", r#"{"id":"user_1"}"#),
        ]);
        let client = server.client(fast_policy());
        let response = bounded(client.send_json::<User>(get("GetUser", "/users/user_1")))
            .await
            .expect("retried");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.id, "user_1");
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        for request in &seen {
            assert_eq!(request.request_line, "GET /v1/users/user_1 HTTP/1.1");
            assert_eq!(
                request.header("authorization"),
                Some(format!("Bearer {KEY}").as_str())
            );
            assert_eq!(
                request.header("user-agent"),
                Some(crate::TEST_INFO.user_agent)
            );
            if let Some(name) = crate::TEST_INFO.version_header {
                assert_eq!(
                    request.header(&name.to_ascii_lowercase()),
                    Some(crate::TEST_INFO.api_version)
                );
            }
            assert_eq!(request.header("accept"), Some("application/json"));
        }
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts() {
        let server = TestServer::start(vec![json_response("502 Bad Gateway", ""); 3]);
        let client = server.client(fast_policy().max_attempts(3));
        let err = bounded(client.send_empty(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        assert_eq!(err.api_kind(), Some(ApiErrorKind::Server));
        assert_eq!(server.seen().len(), 3);
    }

    #[tokio::test]
    async fn max_elapsed_stops_retries() {
        let server = TestServer::start(vec![json_response("503 Service Unavailable", ""); 2]);
        let client = server.client(
            fast_policy()
                .initial_interval(Duration::from_millis(50))
                .max_elapsed(Duration::ZERO),
        );
        let err = bounded(client.send_empty(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn honours_retry_after_on_429() {
        let server = TestServer::start(vec![
            response("429 Too Many Requests", &[("Retry-After", "0")], ""),
            json_response("200 OK", r#"{"id":"user_2"}"#),
        ]);
        // A long backoff proves Retry-After (0 s) was used instead.
        let client = server.client(
            fast_policy()
                .initial_interval(Duration::from_secs(30))
                .max_interval(Duration::from_secs(30)),
        );
        let started = Instant::now();
        let user = bounded(client.send_json::<User>(get("GetUser", "/users/user_2")))
            .await
            .expect("retried");
        assert_eq!(user.into_inner().id, "user_2");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(server.seen().len(), 2);
    }

    #[tokio::test]
    async fn non_idempotent_requests_are_not_retried_by_default() {
        let server = TestServer::start(vec![
            json_response(
                "500 Internal Server Error",
                r#"{"errors":[{"message":"boom","code":"internal"}]}"#,
            ),
            json_response("200 OK", "{}"),
        ]);
        let client = server.client(fast_policy());
        let err = bounded(client.send_empty(Request::new("CreateUser", Method::POST, "/users")))
            .await
            .unwrap_err();
        assert_eq!(err.api_kind(), Some(ApiErrorKind::Server));
        assert_eq!(
            err.to_string(),
            "CreateUser: 500 Internal Server Error: internal: boom"
        );
        assert_eq!(server.seen().len(), 1);

        let server = TestServer::start(vec![
            response("429 Too Many Requests", &[("Retry-After", "0")], ""),
            json_response("200 OK", "{}"),
        ]);
        let err = bounded(server.client(fast_policy()).send_empty(Request::new(
            "CreateUser",
            Method::POST,
            "/users",
        )))
        .await
        .unwrap_err();
        assert_eq!(err.api_kind(), Some(ApiErrorKind::TooManyRequests));
        assert_eq!(
            err.as_api().and_then(ApiError::retry_after),
            Some(Duration::ZERO)
        );
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn non_idempotent_retries_when_opted_in() {
        let server = TestServer::start(vec![
            response("429 Too Many Requests", &[("Retry-After", "0")], ""),
            json_response("500 Internal Server Error", ""),
            json_response("201 Created", r#"{"id":"user_3"}"#),
        ]);
        let client = server.client(fast_policy().retry_non_idempotent(true));
        let mut req = Request::new("CreateUser", Method::POST, "/users");
        req.body = Body::json(&serde_json::json!({"first_name": "Ada"})).expect("json");
        let user = bounded(client.send_json::<User>(req))
            .await
            .expect("retried");
        assert_eq!(user.status(), StatusCode::CREATED);
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        for request in &seen {
            assert_eq!(request.body, br#"{"first_name":"Ada"}"#);
            assert_eq!(request.header("content-type"), Some("application/json"));
        }
    }

    #[tokio::test]
    async fn not_found_is_an_api_error_with_clerk_details() {
        let body = r#"{"errors":[{"message":"not found","long_message":"No user with that id","code":"resource_not_found"}],"clerk_trace_id":"trace-404"}"#;
        let server = TestServer::start(vec![json_response("404 Not Found", body)]);
        let client = server.client(fast_policy());
        let err = bounded(client.send_json::<User>(get("GetUser", "/users/missing")))
            .await
            .unwrap_err();
        let api = err.as_api().expect("api error");
        assert_eq!(api.kind(), ApiErrorKind::NotFound);
        assert_eq!(api.code(), Some("resource_not_found"));
        assert_eq!(api.clerk_trace_id(), Some("trace-404"));
        assert_eq!(api.operation_id(), "GetUser");
        assert_eq!(api.body_text(), body);
        assert_eq!(
            err.to_string(),
            "GetUser: 404 Not Found: resource_not_found: No user with that id (trace trace-404)"
        );
        assert_error_redacted(&err);
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn a_key_echoed_by_the_server_is_redacted_from_errors() {
        // A 401 whose body and headers repeat the key (a misbehaving proxy or server).
        let body = format!(
            r#"{{"errors":[{{"message":"bad key {KEY}","long_message":"Key {KEY} is invalid","code":"authentication_invalid"}}],"echo":"Bearer {KEY}"}}"#
        );
        let auth = format!("Bearer {KEY}");
        let server = TestServer::start(vec![response(
            "401 Unauthorized",
            &[
                ("content-type", "application/json"),
                ("x-echo-authorization", &auth),
                ("www-authenticate", &auth),
            ],
            &body,
        )]);
        let client = server.client(fast_policy());
        let err = bounded(client.send_json::<User>(get("GetUser", "/users/u1")))
            .await
            .unwrap_err();
        assert_error_redacted(&err);
        let api = err.as_api().expect("api error");
        assert_no_key(&api.body_text());
        assert_no_key(&format!("{:?}", api.headers()));
        assert!(
            api.body_text().contains("<redacted>"),
            "{}",
            api.body_text()
        );
        assert!(
            err.to_string().contains("Key <redacted> is invalid"),
            "{err}"
        );
        // Not a Clerk error body: the snippet in Display is redacted too.
        let server = TestServer::start(vec![response(
            "502 Bad Gateway",
            &[],
            &format!("upstream said {KEY}"),
        )]);
        let client = server.client(RetryPolicy::none());
        let err = bounded(client.send_json::<User>(get("GetUser", "/users/u1")))
            .await
            .unwrap_err();
        assert_error_redacted(&err);
        assert!(err.to_string().contains("<redacted>"), "{err}");
        // A 2xx echoing the key where a number belongs: the decode error quotes the value.
        let body = format!(
            r#"{{"id":"u1","email_addresses":[{{"id":"{KEY}","verification":{{"expire_at":"{KEY}"}}}}]}}"#
        );
        let server = TestServer::start(vec![json_response("200 OK", &body)]);
        let client = server.client(fast_policy());
        let err = bounded(client.send_json::<User>(get("GetUser", "/users/u1")))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert_error_redacted(&err);
        let Error::Decode(decode) = &err else {
            unreachable!()
        };
        assert_no_key(&decode.body_text());
    }

    #[tokio::test]
    async fn wrong_shape_is_a_decode_error_naming_the_path() {
        let body = r#"{"data":[{"id":"u1","email_addresses":[{"id":"e1","verification":null},{"id":"e2","verification":{"expire_at":"soon"}}]}]}"#;
        let server = TestServer::start(vec![json_response("200 OK", body)]);
        let client = server.client(fast_policy());
        let err = bounded(client.send_json::<UserList>(get("GetUserList", "/users")))
            .await
            .unwrap_err();
        let Error::Decode(decode) = &err else {
            panic!("expected a decode error, got {err:?}")
        };
        assert_eq!(
            decode.path(),
            "data[0].email_addresses[1].verification.expire_at"
        );
        assert_eq!(decode.operation_id(), "GetUserList");
        assert_eq!(decode.status(), StatusCode::OK);
        assert_eq!(decode.body(), body.as_bytes());
        assert!(
            err.to_string()
                .contains("data[0].email_addresses[1].verification.expire_at"),
            "{err}"
        );
        assert_error_redacted(&err);
    }

    #[tokio::test]
    async fn redirects_are_reported_not_followed() {
        let server = TestServer::start(vec![response(
            "302 Found",
            &[("Location", "http://127.0.0.1:9/elsewhere")],
            "",
        )]);
        let client = server.client(fast_policy());
        let err = bounded(client.send_empty(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        let api = err.as_api().expect("api error");
        assert_eq!(api.kind(), ApiErrorKind::Redirect);
        assert_eq!(api.status(), StatusCode::FOUND);
        assert_eq!(api.location(), Some("http://127.0.0.1:9/elsewhere"));
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn unauthenticated_requests_and_other_bodies() {
        let server = TestServer::start(vec![
            response("200 OK", &[("Content-Type", "text/html")], "<p>hi</p>"),
            response(
                "200 OK",
                &[("Content-Type", "application/octet-stream")],
                "\u{1}\u{2}",
            ),
            response("204 No Content", &[], ""),
            response("200 OK", &[], "\u{ff}"),
        ]);
        let client = server.client(fast_policy());
        let mut req = get("GetPublicPage", "/public");
        req.auth = false;
        let text = bounded(client.send_text(req)).await.expect("text");
        assert_eq!(text.data(), "<p>hi</p>");
        let bytes = bounded(client.send_bytes(get("GetBytes", "/bytes")))
            .await
            .expect("bytes");
        assert_eq!(bytes.into_inner(), vec![1, 2]);
        let none = bounded(client.send_json::<Option<User>>(get("GetMaybe", "/maybe")))
            .await
            .expect("null");
        assert_eq!(*none, None);
        // U+00FF is valid UTF-8 on the wire, so this succeeds too.
        assert_eq!(
            bounded(client.send_text(get("GetText", "/t")))
                .await
                .expect("text")
                .into_inner(),
            "\u{ff}"
        );
        let seen = server.seen();
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[0].header("authorization"), None);
        assert_eq!(
            seen[0].header("user-agent"),
            Some(crate::TEST_INFO.user_agent)
        );
        assert!(seen[1].header("authorization").is_some());
    }

    #[tokio::test]
    async fn form_and_multipart_bodies() {
        let server = TestServer::start(vec![
            json_response("200 OK", "{}"),
            json_response("200 OK", "{}"),
        ]);
        let client = server.client(fast_policy());
        let mut req = Request::new("UpdateThing", Method::PATCH, "/things/1");
        req.body =
            Body::form(&serde_json::json!({"name": "a b", "tags": ["x", "y"]})).expect("form");
        req.query = Query::new();
        bounded(client.send_empty(req)).await.expect("form");
        let mut req = Request::new("UploadLogo", Method::PUT, "/logo");
        let file = FileUpload::new(b"PNGDATA".to_vec())
            .with_file_name("logo.png")
            .with_content_type("image/png");
        req.body = Body::Multipart(vec![
            Part::text("uploader_user_id", "user_1"),
            Part::file("file", &file),
        ]);
        bounded(client.send_empty(req)).await.expect("multipart");
        let seen = server.seen();
        assert_eq!(
            seen[0].header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(seen[0].body, b"name=a%20b&tags=x&tags=y");
        let content_type = seen[1].header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
        let body = String::from_utf8_lossy(&seen[1].body);
        assert!(
            body.contains("name=\"uploader_user_id\"") && body.contains("user_1"),
            "{body}"
        );
        assert!(
            body.contains("filename=\"logo.png\"")
                && body.contains("image/png")
                && body.contains("PNGDATA")
        );
    }

    #[tokio::test]
    async fn missing_key_fails_before_any_network_call() {
        let server = TestServer::start(vec![json_response("200 OK", "{}")]);
        let client = Client::builder(&crate::TEST_INFO)
            .without_proxy()
            .base_url(server.url())
            .build()
            .expect("keyless client");
        let err = bounded(client.send_empty(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Config(ref m) if m.contains("no secret key") && m.contains(crate::TEST_INFO.key_env_var)),
            "{err}"
        );
        let mut public = get("GetJwks", "/jwks");
        public.auth = false;
        bounded(client.send_empty(public))
            .await
            .expect("no auth needed");
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].request_line, "GET /jwks HTTP/1.1");
    }

    #[tokio::test]
    async fn closed_port_is_a_transport_error_without_the_key() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("addr").port()
        };
        let client = Client::builder(&crate::TEST_INFO)
            .without_proxy()
            .secret_key(KEY)
            .base_url(format!("http://127.0.0.1:{port}"))
            .connect_timeout(Duration::from_secs(2))
            .retry(fast_policy().max_attempts(2))
            .build()
            .expect("client");
        let err = bounded(client.send_json::<User>(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Transport(ref e) if e.is_connect()),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("transport error: "), "{err}");
        assert_error_redacted(&err);
        assert_no_key(&format!("{client:?}"));
    }

    #[tokio::test]
    async fn a_key_in_the_base_url_stays_out_of_transport_errors() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("addr").port()
        };
        let client = Client::builder(&crate::TEST_INFO)
            .without_proxy()
            .secret_key(KEY)
            .base_url(format!("http://127.0.0.1:{port}/{KEY}/"))
            .connect_timeout(Duration::from_secs(2))
            .retry(fast_policy().max_attempts(1))
            .build()
            .expect("client");
        let err = bounded(client.send_json::<User>(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Transport(ref e) if e.is_connect() && e.url().is_none()),
            "{err:?}"
        );
        assert_error_redacted(&err);
        assert_no_key(&format!("{client:?}"));
        // Without the key in it, the URL stays in the error: it helps.
        let plain = Client::builder(&crate::TEST_INFO)
            .without_proxy()
            .secret_key(KEY)
            .base_url(format!("http://127.0.0.1:{port}/v1/"))
            .connect_timeout(Duration::from_secs(2))
            .retry(fast_policy().max_attempts(1))
            .build()
            .expect("client");
        let err = bounded(plain.send_json::<User>(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Transport(ref e) if e.url().is_some()),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn timeouts_and_swapped_arguments_keep_the_key_out() {
        // A server that accepts the connection and never answers.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let client = Client::builder(&crate::TEST_INFO)
            .without_proxy()
            .secret_key(KEY)
            .base_url(format!("http://127.0.0.1:{port}"))
            .timeout(Duration::from_millis(300))
            .retry(RetryPolicy::none())
            .build()
            .expect("client");
        let err = bounded(client.send_json::<User>(get("GetUser", "/users/u")))
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert_error_redacted(&err);
        drop(listener);
        // The key given as the base URL (arguments swapped): the error does not repeat it.
        for url in [
            KEY.to_owned(),
            format!("https://{KEY}@api.example.test"),
            format!("{KEY}://x"),
        ] {
            let err = Client::builder(&crate::TEST_INFO)
                .secret_key(KEY)
                .base_url(url)
                .build()
                .unwrap_err();
            assert_error_redacted(&err);
        }
    }
}
