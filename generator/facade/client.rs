//! The client of this API: [`Client`] and [`ClientBuilder`].
//!
//! They wrap the runtime's client ([`crate::runtime::Client`]) with this API's facts
//! (`API_INFO`: base URL, version header, key variable, retry settings); the runtime's
//! methods (`base_url`, `key_environment`, `retry_policy`, `is_read_only`, ...) are reached
//! through `Deref`. Each group of operations has an accessor on `Client` (`client.users()`).

use crate::runtime::{self, Error, Mode, ReadOnly, ReadWrite, RetryPolicy};
use std::fmt;
use std::time::Duration;

/// A client for the API. Cheap to clone: clones share one connection pool.
///
/// `M` is [`ReadWrite`] (the default) or [`ReadOnly`]: operations that change data exist
/// only on `Client<ReadWrite>`, so a read-only client cannot even express them.
pub struct Client<M: Mode = ReadWrite>(pub(crate) runtime::Client<M>);

impl Client<ReadWrite> {
    /// A client with this secret key and the default settings.
    pub fn new(key: impl Into<String>) -> Result<Client<ReadWrite>, Error> {
        runtime::Client::new(&crate::API_INFO, key).map(Client)
    }

    /// A read-only client with this secret key and the default settings.
    pub fn read_only(key: impl Into<String>) -> Result<Client<ReadOnly>, Error> {
        runtime::Client::read_only(&crate::API_INFO, key).map(Client)
    }

    /// A client whose key comes from the API's environment variable (see the crate docs).
    pub fn from_env() -> Result<Client<ReadWrite>, Error> {
        runtime::Client::from_env(&crate::API_INFO).map(Client)
    }

    /// A builder for a client with custom settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder(runtime::Client::builder(&crate::API_INFO))
    }

    /// A read-only view of this client, sharing its connection pool and settings.
    pub fn read_only_view(&self) -> Client<ReadOnly> {
        Client(self.0.read_only_view())
    }
}

impl<M: Mode> Client<M> {
    /// The same client (same key, connection pool and mode) with another retry policy,
    /// for one call or a few: `client.with_retry(RetryPolicy::none())`.
    pub fn with_retry(&self, retry: RetryPolicy) -> Client<M> {
        Client(self.0.with_retry(retry))
    }

    /// The same client with another per-attempt timeout.
    pub fn with_timeout(&self, timeout: Duration) -> Client<M> {
        Client(self.0.with_timeout(timeout))
    }
}

impl<M: Mode> std::ops::Deref for Client<M> {
    type Target = runtime::Client<M>;

    fn deref(&self) -> &runtime::Client<M> {
        &self.0
    }
}

impl<M: Mode> Clone for Client<M> {
    fn clone(&self) -> Self {
        Client(self.0.clone())
    }
}

impl<M: Mode> fmt::Debug for Client<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Builds a [`Client`] with custom settings.
#[derive(Debug, Clone)]
pub struct ClientBuilder(runtime::ClientBuilder);

impl ClientBuilder {
    /// Sets the secret key (leading and trailing whitespace is ignored).
    pub fn secret_key(self, key: impl Into<String>) -> Self {
        ClientBuilder(self.0.secret_key(key))
    }

    /// Sets the base URL (`http` or `https`; a trailing slash is ignored).
    pub fn base_url(self, base_url: impl Into<String>) -> Self {
        ClientBuilder(self.0.base_url(base_url))
    }

    /// Sets the overall timeout of each attempt (default 30 s).
    pub fn timeout(self, timeout: Duration) -> Self {
        ClientBuilder(self.0.timeout(timeout))
    }

    /// Sets the connection timeout (default 10 s). Ignored with
    /// [`ClientBuilder::http_client`].
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        ClientBuilder(self.0.connect_timeout(timeout))
    }

    /// Replaces the default `User-Agent`.
    pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
        ClientBuilder(self.0.user_agent(user_agent))
    }

    /// Uses this reqwest client instead of building one. Build it with
    /// `redirect::Policy::none()` so that redirects are reported rather than
    /// followed; the timeout of this builder still applies to each attempt.
    pub fn http_client(self, client: reqwest::Client) -> Self {
        ClientBuilder(self.0.http_client(client))
    }

    /// Sets the retry policy (default: the API's, `API_INFO.retry`).
    pub fn retry(self, policy: RetryPolicy) -> Self {
        ClientBuilder(self.0.retry(policy))
    }

    /// Makes [`build`](ClientBuilder::build) fail on a live (`sk_live_`) key,
    /// so a test suite cannot touch production by mistake. Off by default.
    pub fn refuse_live_keys(self, refuse: bool) -> Self {
        ClientBuilder(self.0.refuse_live_keys(refuse))
    }

    /// Builds a client that may call every operation.
    pub fn build(self) -> Result<Client<ReadWrite>, Error> {
        self.0.build().map(Client)
    }

    /// Builds a client that may only call operations that read data.
    pub fn build_read_only(self) -> Result<Client<ReadOnly>, Error> {
        self.0.build_read_only().map(Client)
    }
}
