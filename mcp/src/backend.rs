//! How a call reaches the API: the [`Backend`] trait, and [`HttpBackend`], which performs the
//! AgentSpec HTTP binding with the generated client's runtime ([`crate::runtime`]): the
//! binding becomes the runtime's operation description, and the runtime's request
//! interpreter ([`runtime::build_request`]) builds every request, as it does for a
//! generated crate's `Client::call`.

use crate::catalog::{Catalog, Class, Operation};
use crate::policy::Policy;
use crate::runtime::{
    self, build_request, ApiInfo, BodyEncoding, BodyInfo, Client, OperationInfo, ParamInfo,
    ParamLocation, ParamStyle, ParamType, ReadOnly, ReadWrite, Request, ResponseKind, RetryConfig,
    SafetyClass, ScalarType,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Calls one operation with its JSON input (already checked against the input schema) and
/// returns the response body as JSON.
///
/// [`HttpBackend`] sends HTTP requests; tests use a fake; a generated crate's
/// `Client::call` could be plugged in the same way.
pub trait Backend: Send + Sync + 'static {
    /// Perform `op` with `input`.
    fn call<'a>(
        &'a self,
        op: &'a Operation,
        input: Value,
    ) -> BoxFuture<'a, Result<Value, CallError>>;
}

/// Why a call failed. None of these ever holds the secret key.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The API answered with a non-2xx status.
    Api {
        /// HTTP status.
        status: u16,
        /// The first error's code (`resource_not_found`), when the body has one.
        code: Option<String>,
        /// The first error's message (with its long message), else a summary of the body.
        message: String,
        /// Every error entry of the body, as JSON.
        errors: Vec<Value>,
        /// The trace id to quote to the API's support.
        trace_id: Option<String>,
    },
    /// The connection's policy refuses the operation (above its ceiling, or it returns a
    /// credential); nothing was sent.
    Refused(String),
    /// The input does not fit the operation; nothing was sent.
    InvalidInput(String),
    /// The request could not be sent or the response not read.
    Transport(String),
    /// The response does not have the expected shape.
    Decode(String),
    /// The client is misconfigured (no key, bad base URL, ...).
    Config(String),
}

impl CallError {
    /// A short kind: `api_error`, `refused`, `invalid_input`, `transport_error`,
    /// `decode_error`, `config_error`.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Api { .. } => "api_error",
            CallError::Refused(_) => "refused",
            CallError::InvalidInput(_) => "invalid_input",
            CallError::Transport(_) => "transport_error",
            CallError::Decode(_) => "decode_error",
            CallError::Config(_) => "config_error",
        }
    }

    /// One line for the model.
    pub fn message(&self) -> String {
        match self {
            CallError::Api {
                status,
                code,
                message,
                ..
            } => match code {
                Some(code) => format!("the API answered HTTP {status} ({code}): {message}"),
                None => format!("the API answered HTTP {status}: {message}"),
            },
            CallError::Refused(m) => m.clone(),
            CallError::InvalidInput(m) => format!("invalid arguments: {m} (nothing was sent)"),
            CallError::Transport(m) => m.clone(),
            CallError::Decode(m) => m.clone(),
            CallError::Config(m) => m.clone(),
        }
    }

    /// Structured form, for the tool result.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("error".into(), self.kind().into());
        out.insert("message".into(), self.message().into());
        if let CallError::Api {
            status,
            code,
            errors,
            trace_id,
            ..
        } = self
        {
            out.insert("status".into(), (*status).into());
            if let Some(code) = code {
                out.insert("code".into(), code.clone().into());
            }
            if !errors.is_empty() {
                out.insert("errors".into(), Value::Array(errors.clone()));
            }
            if let Some(t) = trace_id {
                out.insert("clerk_trace_id".into(), t.clone().into());
            }
        }
        Value::Object(out)
    }
}

impl From<runtime::Error> for CallError {
    fn from(e: runtime::Error) -> Self {
        use runtime::Error as E;
        match e {
            E::Api(api) => {
                let first = api.first_error();
                let message = match first {
                    Some(f) => match f.long_message.as_deref() {
                        Some(long) if long != f.message => format!("{} ({long})", f.message),
                        _ => f.message.clone(),
                    },
                    None => {
                        let body = api.body_text();
                        let body: String = body.chars().take(300).collect();
                        if body.trim().is_empty() {
                            "no error details in the response".to_string()
                        } else {
                            body
                        }
                    }
                };
                CallError::Api {
                    status: api.status().as_u16(),
                    code: api.code().map(str::to_string),
                    message,
                    errors: api
                        .clerk_errors()
                        .map(|c| {
                            c.errors
                                .iter()
                                .filter_map(|e| serde_json::to_value(e).ok())
                                .collect()
                        })
                        .unwrap_or_default(),
                    trace_id: api.clerk_trace_id().map(str::to_string),
                }
            }
            E::ReadOnly { .. } => CallError::Refused(e.to_string()),
            E::InvalidInput(_) | E::Encode(_) | E::UnknownOperation(_) => {
                CallError::InvalidInput(e.to_string())
            }
            E::Transport(_) => CallError::Transport(e.to_string()),
            E::Decode(_) => CallError::Decode(e.to_string()),
            E::Config(_) => CallError::Config(e.to_string()),
            // The runtime's `Error` is non-exhaustive: kinds added later are reported as they are.
            _ => CallError::Config(e.to_string()),
        }
    }
}

/// Settings of an [`HttpBackend`].
#[derive(Clone, Default)]
pub struct HttpOptions {
    /// The secret key (else the request goes out without one and the API answers 401).
    pub key: Option<String>,
    /// Another server URL.
    pub base_url: Option<String>,
    /// What the connection may do: refused operations are never sent. A read-only policy
    /// without secrets builds a read-only client, whose own guard refuses them too.
    pub policy: Policy,
    /// Retry settings from the spec (`x-speakeasy-retries`), else the generated default.
    pub retry: Option<RetryConfig>,
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

enum AnyClient {
    ReadWrite(Client<ReadWrite>),
    ReadOnly(Client<ReadOnly>),
}

/// The timeout of one attempt (the runtime's default, set explicitly so that a gateway
/// sending on its own uses the same).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// The timeout for establishing a connection (the runtime's default, set explicitly).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends requests through the generated client's runtime.
pub struct HttpBackend {
    client: AnyClient,
    info: &'static ApiInfo,
    /// The key as sent (trimmed), for [`HttpBackend::settings`].
    key: Option<String>,
    /// The runtime's description of each operation, by tool name, built once (the runtime
    /// wants `&'static` data).
    ops: BTreeMap<String, &'static OperationInfo>,
    policy: Policy,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The runtime's facts about the API, from the manifest. Leaks them (a few strings) once per
/// backend, which lives as long as the process.
pub fn api_info(catalog: &Catalog, retry: Option<RetryConfig>) -> &'static ApiInfo {
    let api = &catalog.manifest.api;
    Box::leak(Box::new(ApiInfo {
        title: leak(&api.title),
        api_version: leak(&api.version),
        default_base_url: leak(&api.base_url),
        version_header: api.version_header.as_deref().map(leak),
        user_agent: leak(&format!(
            "{}-mcp agentgen-mcp/{}",
            catalog.manifest.name,
            env!("CARGO_PKG_VERSION")
        )),
        key_env_var: leak(&catalog.manifest.auth.env),
        retry: retry.unwrap_or(RetryConfig::DEFAULT),
    }))
}

impl HttpBackend {
    /// A backend for `catalog`'s operations; errors never contain the key.
    pub fn new(catalog: &Catalog, options: HttpOptions) -> Result<HttpBackend, String> {
        let info = api_info(catalog, options.retry);
        let mut builder = Client::builder(info)
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT);
        if let Some(key) = &options.key {
            builder = builder.secret_key(key.clone());
        }
        if let Some(url) = &options.base_url {
            builder = builder.base_url(url.clone());
        }
        let secret = options.key.as_deref();
        let hide = |e: runtime::Error| crate::redact::redact(&e.to_string(), secret);
        let client = if options.policy.is_read_only() && !options.policy.allow_secrets {
            AnyClient::ReadOnly(builder.build_read_only().map_err(hide)?)
        } else {
            AnyClient::ReadWrite(builder.build().map_err(hide)?)
        };
        let ops = catalog
            .operations
            .iter()
            .map(|op| Ok((op.name.clone(), operation_info(op)?)))
            .collect::<Result<_, String>>()?;
        Ok(HttpBackend {
            client,
            info,
            key: options.key.as_deref().map(|k| k.trim().to_string()),
            ops,
            policy: options.policy,
        })
    }
}

/// The runtime's description of `op`, from its AgentSpec HTTP binding; the parameter types
/// come from its input schema. Leaked once per backend, which lives as long as the process.
fn operation_info(op: &Operation) -> Result<&'static OperationInfo, String> {
    let bad = |what: &str, value: &str| {
        format!(
            "operation `{}`: unknown {what} `{value}` in its HTTP binding",
            op.name
        )
    };
    let params = op
        .http
        .params
        .iter()
        .map(|p| {
            let location = match p.location.as_str() {
                "path" => ParamLocation::Path,
                "query" => ParamLocation::Query,
                "header" => ParamLocation::Header,
                "cookie" => ParamLocation::Cookie,
                other => return Err(bad("parameter location", other)),
            };
            let style = match (location, p.delimiter.as_deref()) {
                (ParamLocation::Query, Some(" ")) => ParamStyle::SpaceDelimited,
                (ParamLocation::Query, Some("|")) => ParamStyle::PipeDelimited,
                (ParamLocation::Query, _) => ParamStyle::Form,
                _ => ParamStyle::Simple,
            };
            let schema = op.input_schema.pointer(&format!(
                "/properties/{}",
                p.name.replace('~', "~0").replace('/', "~1")
            ));
            Ok(ParamInfo {
                name: leak(&p.name),
                location,
                required: p.required,
                style,
                explode: p.explode,
                ty: schema.map_or(ParamType::Json, |s| param_type(s, &op.input_schema)),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let safety = match op.safety.class {
        Class::Read => SafetyClass::Read,
        Class::Write => SafetyClass::Write,
        Class::Destructive => SafetyClass::Destructive,
    };
    let body = match &op.http.body {
        None => None,
        Some(b) => Some(BodyInfo {
            content_type: leak(&b.content_type),
            required: b.required,
            encoding: match b.encoding.as_str() {
                "json" => BodyEncoding::Json,
                "form" => BodyEncoding::Form,
                "multipart" => BodyEncoding::Multipart,
                "bytes" => BodyEncoding::Bytes,
                other => return Err(bad("body encoding", other)),
            },
        }),
    };
    let response = match op.http.response.as_str() {
        "json" => ResponseKind::Json,
        "empty" => ResponseKind::Empty,
        "text" => ResponseKind::Text,
        "bytes" => ResponseKind::Bytes,
        other => return Err(bad("response kind", other)),
    };
    Ok(Box::leak(Box::new(OperationInfo {
        id: leak(&op.operation_id),
        group: leak(&op.group),
        method: leak(&op.name),
        http_method: leak(&op.http.method),
        path: leak(&op.http.path),
        summary: leak(&op.title),
        safety,
        credential: op.safety.credential.is_some(),
        idempotent: op.safety.idempotent,
        deprecated: op.deprecated,
        auth: op.http.auth,
        params: Box::leak(params.into_boxed_slice()),
        body,
        response,
    })))
}

/// The type of a parameter's value, read from its schema in the input schema `root`
/// (`$ref`s into its `$defs` followed, a nullable type read as its other type).
fn param_type(schema: &Value, root: &Value) -> ParamType {
    match resolve(schema, root).and_then(|s| scalar_or_array(s, root)) {
        Some((false, t)) => ParamType::Scalar(t),
        Some((true, t)) => ParamType::Array(t),
        None => ParamType::Json,
    }
}

/// `(is_array, element type)` of a scalar or an array of scalars.
fn scalar_or_array(schema: &Value, root: &Value) -> Option<(bool, ScalarType)> {
    match type_name(schema)? {
        "array" => {
            let items = resolve(schema.get("items")?, root)?;
            Some((true, scalar(type_name(items)?)?))
        }
        other => Some((false, scalar(other)?)),
    }
}

fn scalar(name: &str) -> Option<ScalarType> {
    Some(match name {
        "string" => ScalarType::String,
        "integer" => ScalarType::Integer,
        "number" => ScalarType::Number,
        "boolean" => ScalarType::Boolean,
        _ => return None,
    })
}

/// The schema's one non-null `type` (an `enum` of strings is a string).
fn type_name(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(ts)) => {
            let mut names = ts.iter().filter_map(Value::as_str).filter(|t| *t != "null");
            let first = names.next()?;
            names.next().is_none().then_some(first)
        }
        _ => match schema.get("enum")?.as_array()?.iter().all(Value::is_string) {
            true => Some("string"),
            false => None,
        },
    }
}

/// Follows `$ref`s into `root`'s `$defs`, and a nullable `anyOf`/`oneOf` to its one
/// non-null branch.
fn resolve<'a>(mut schema: &'a Value, root: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            schema = root.pointer(r.strip_prefix('#')?)?;
            continue;
        }
        let branches = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array);
        if let Some(branches) = branches {
            let mut real = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"));
            let one = real.next()?;
            if real.next().is_some() {
                return None;
            }
            schema = one;
            continue;
        }
        return Some(schema);
    }
    None
}

impl HttpBackend {
    async fn send<M: runtime::Mode>(
        client: &Client<M>,
        info: &OperationInfo,
        req: Request,
    ) -> Result<Value, runtime::Error> {
        Ok(match info.response {
            ResponseKind::Empty => {
                let r = client.send_empty(req).await?;
                serde_json::json!({"ok": true, "status": r.status().as_u16()})
            }
            ResponseKind::Text => Value::String(client.send_text(req).await?.into_inner()),
            ResponseKind::Bytes => {
                let data = client.send_bytes(req).await?.into_inner();
                serde_json::json!({"bytes": data.len(), "content_base64": runtime::encode_base64(&data)})
            }
            ResponseKind::Json => client.send_json::<Value>(req).await?.into_inner(),
        })
    }

    async fn perform(&self, op: &Operation, input: Value) -> Result<Value, CallError> {
        // The connection's policy, checked again here: a backend never sends what it refuses.
        if let Err(refusal) = self.policy.check(op) {
            return Err(CallError::Refused(refusal.message(&op.name)));
        }
        Ok(self.send_checked(op, input).await?)
    }

    async fn send_checked(&self, op: &Operation, input: Value) -> Result<Value, runtime::Error> {
        let info = *self
            .ops
            .get(&op.name)
            .ok_or_else(|| runtime::Error::UnknownOperation(op.name.clone()))?;
        match &self.client {
            AnyClient::ReadWrite(c) => Self::send(c, info, build_request(info, input)?).await,
            AnyClient::ReadOnly(c) => {
                // The generated client's guard: refuses before anything is built or sent.
                c.check_allowed(info)?;
                Self::send(c, info, build_request(info, input)?).await
            }
        }
    }
}

impl Backend for HttpBackend {
    fn call<'a>(
        &'a self,
        op: &'a Operation,
        input: Value,
    ) -> BoxFuture<'a, Result<Value, CallError>> {
        Box::pin(self.perform(op, input))
    }
}

/// The API's answer as it came, for a gateway that passes it on: status, `Content-Type`,
/// `Retry-After` and body (non-2xx answers too; the runtime has removed the key from them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// `Retry-After`, if any.
    pub retry_after: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpBackend {
    /// Perform `op` with `input` (already checked against the input schema) and return the
    /// API's answer unchanged, whatever its status. `Err` only when the policy refuses the
    /// operation (nothing sent), the input does not fit, or the API could not be reached.
    pub async fn forward(&self, op: &Operation, input: Value) -> Result<Forwarded, CallError> {
        let req = self.prepare(op, input)?;
        self.send_prepared(req).await
    }

    /// The request [`HttpBackend::forward`] sends for `op` with `input`: the connection's
    /// policy and the read-only client's guard are checked first (nothing is built for a
    /// refused operation), then the runtime's interpreter builds it. For a gateway that sends
    /// it itself, with the headers, timeout and retry policy of [`HttpBackend::settings`].
    pub fn prepare(&self, op: &Operation, input: Value) -> Result<Request, CallError> {
        if let Err(refusal) = self.policy.check(op) {
            return Err(CallError::Refused(refusal.message(&op.name)));
        }
        let info = *self
            .ops
            .get(&op.name)
            .ok_or_else(|| CallError::from(runtime::Error::UnknownOperation(op.name.clone())))?;
        if let AnyClient::ReadOnly(c) = &self.client {
            c.check_allowed(info)?;
        }
        Ok(build_request(info, input)?)
    }

    /// Send a request made by [`HttpBackend::prepare`] through the runtime's client
    /// (retries, timeouts, the key removed from non-2xx answers) and return the API's
    /// answer, whatever its status.
    pub async fn send_prepared(&self, req: Request) -> Result<Forwarded, CallError> {
        let header = |h: &reqwest::header::HeaderMap, name: reqwest::header::HeaderName| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let sent = match &self.client {
            AnyClient::ReadWrite(c) => c.send_bytes(req).await,
            AnyClient::ReadOnly(c) => c.send_bytes(req).await,
        };
        use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
        match sent {
            Ok(r) => Ok(Forwarded {
                status: r.status().as_u16(),
                content_type: header(r.headers(), CONTENT_TYPE),
                retry_after: header(r.headers(), RETRY_AFTER),
                body: r.into_inner(),
            }),
            Err(runtime::Error::Api(api)) => Ok(Forwarded {
                status: api.status().as_u16(),
                content_type: header(api.headers(), CONTENT_TYPE),
                retry_after: header(api.headers(), RETRY_AFTER),
                body: api.body().to_vec(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// What the runtime's client sends with every request of this backend, for a gateway
    /// that sends [`HttpBackend::prepare`]'s requests over a connection pool of its own.
    pub fn settings(&self) -> HttpSettings<'_> {
        let (base_url, retry) = match &self.client {
            AnyClient::ReadWrite(c) => (c.base_url(), c.retry_policy()),
            AnyClient::ReadOnly(c) => (c.base_url(), c.retry_policy()),
        };
        HttpSettings {
            info: self.info,
            base_url,
            key: self.key.as_deref(),
            retry,
            timeout: ATTEMPT_TIMEOUT,
            connect_timeout: CONNECT_TIMEOUT,
        }
    }
}

/// The runtime client's settings of an [`HttpBackend`] ([`HttpBackend::settings`]).
#[derive(Clone, Copy)]
pub struct HttpSettings<'a> {
    /// User agent, API version and its header.
    pub info: &'static ApiInfo,
    /// The base URL, checked by the runtime, without a trailing slash.
    pub base_url: &'a str,
    /// The secret key, as sent (trimmed).
    pub key: Option<&'a str>,
    /// Which failures are retried, and the waits.
    pub retry: &'a runtime::RetryPolicy,
    /// The timeout of one attempt (sending and reading the whole answer).
    pub timeout: Duration,
    /// The timeout for establishing a connection.
    pub connect_timeout: Duration,
}

impl std::fmt::Debug for HttpSettings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSettings")
            .field("key", &self.key.map(|_| "<redacted>"))
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
