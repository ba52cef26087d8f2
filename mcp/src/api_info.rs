//! `crate::API_INFO`, which the runtime sources read (base URL, version header, user agent,
//! key variable, retry defaults). A generated crate has it as a `const`; here it comes from
//! the AgentSpec manifest at start-up ([`set_api_info`]), before the first client is built.

use crate::runtime::{ApiInfo, RetryConfig};
use std::ops::Deref;
use std::sync::OnceLock;

static INFO: OnceLock<ApiInfo> = OnceLock::new();

/// Retry defaults of a generated client when the spec has no `x-speakeasy-retries`.
pub const DEFAULT_RETRY: RetryConfig = RetryConfig {
    initial_interval_ms: 500,
    max_interval_ms: 60_000,
    exponent: 1.5,
    max_elapsed_ms: 300_000,
    max_attempts: 4,
    retry_5xx: true,
    retry_connection_errors: true,
};

/// In effect until [`set_api_info`] (and in this crate's unit tests of the runtime).
const FALLBACK: ApiInfo = ApiInfo {
    title: "API",
    api_version: "",
    default_base_url: "https://api.invalid/v1",
    version_header: None,
    user_agent: concat!("agentgen-mcp/", env!("CARGO_PKG_VERSION")),
    key_env_var: "API_KEY",
    retry: DEFAULT_RETRY,
};

/// Record the API facts for this process. The first call wins (one process serves one API);
/// returns whether this call's value is the one in effect.
pub fn set_api_info(info: ApiInfo) -> bool {
    let mut set = false;
    INFO.get_or_init(|| {
        set = true;
        info
    });
    set || INFO
        .get()
        .is_some_and(|i| i.title == info.title && i.api_version == info.api_version)
}

/// Derefs to the recorded [`ApiInfo`] (a neutral fallback before [`set_api_info`]).
pub struct ApiInfoCell;

impl Deref for ApiInfoCell {
    type Target = ApiInfo;
    fn deref(&self) -> &ApiInfo {
        INFO.get().unwrap_or(&FALLBACK)
    }
}

/// What the runtime reads as `crate::API_INFO`.
pub static API_INFO: ApiInfoCell = ApiInfoCell;
