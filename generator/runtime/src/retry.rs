//! Retry policy: which failures are retried, and how long to wait between attempts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;

/// Retry settings as written in the generated crate's `API_INFO`
/// (plain numbers so that they can live in a `const`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryConfig {
    /// Wait before the first retry, in milliseconds.
    pub initial_interval_ms: u64,
    /// Longest single wait, in milliseconds.
    pub max_interval_ms: u64,
    /// Factor applied to the wait after each retry.
    pub exponent: f64,
    /// Give up once this much time has passed since the first attempt, in milliseconds.
    pub max_elapsed_ms: u64,
    /// Total number of attempts, the first one included.
    pub max_attempts: u32,
    /// Retry on 5xx responses.
    pub retry_5xx: bool,
    /// Retry on connection failures and timeouts.
    pub retry_connection_errors: bool,
}

impl RetryConfig {
    /// The settings of an API whose spec says nothing about retries (`x-speakeasy-retries`).
    pub const DEFAULT: RetryConfig = RetryConfig {
        initial_interval_ms: 500,
        max_interval_ms: 60_000,
        exponent: 1.5,
        max_elapsed_ms: 300_000,
        max_attempts: 4,
        retry_5xx: true,
        retry_connection_errors: true,
    };
}

/// When and how a client retries failed requests.
///
/// Only idempotent requests are retried unless
/// [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent) is set. A
/// retryable failure is a 5xx response, a connection failure or timeout, or a
/// 429 response (whose `Retry-After` is honoured, capped at `max_interval`).
///
/// Fields can be set directly or with the chainable setters of the same name:
///
/// ```text
/// let policy = RetryPolicy::default().max_attempts(2).initial_interval(Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Total number of attempts, the first one included (0 is treated as 1).
    pub max_attempts: u32,
    /// Wait before the first retry (before jitter).
    pub initial_interval: Duration,
    /// Longest single wait, including one asked for by `Retry-After`.
    pub max_interval: Duration,
    /// Factor applied to the wait after each retry.
    pub exponent: f64,
    /// No retry starts once this much time has passed since the first attempt.
    pub max_elapsed: Duration,
    /// Also retry requests that are not idempotent (e.g. most `POST`s). Off by default.
    pub retry_non_idempotent: bool,
    /// Retry on 5xx responses.
    pub retry_5xx: bool,
    /// Retry on connection failures and timeouts.
    pub retry_connection_errors: bool,
}

impl RetryPolicy {
    /// A policy from the generated crate's retry settings.
    pub fn from_config(config: RetryConfig) -> Self {
        RetryPolicy {
            max_attempts: config.max_attempts.max(1),
            initial_interval: Duration::from_millis(config.initial_interval_ms),
            max_interval: Duration::from_millis(config.max_interval_ms),
            exponent: config.exponent,
            max_elapsed: Duration::from_millis(config.max_elapsed_ms),
            retry_non_idempotent: false,
            retry_5xx: config.retry_5xx,
            retry_connection_errors: config.retry_connection_errors,
        }
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::from_config(RetryConfig::DEFAULT)
        }
    }

    /// Sets the total number of attempts, the first one included.
    pub fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Sets the wait before the first retry.
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval;
        self
    }

    /// Sets the longest single wait.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// Sets the factor applied to the wait after each retry.
    pub fn exponent(mut self, exponent: f64) -> Self {
        self.exponent = exponent;
        self
    }

    /// Sets the overall time after which no retry starts.
    pub fn max_elapsed(mut self, max_elapsed: Duration) -> Self {
        self.max_elapsed = max_elapsed;
        self
    }

    /// Sets whether requests that are not idempotent are retried too.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// Sets whether 5xx responses are retried.
    pub fn retry_5xx(mut self, yes: bool) -> Self {
        self.retry_5xx = yes;
        self
    }

    /// Sets whether connection failures and timeouts are retried.
    pub fn retry_connection_errors(mut self, yes: bool) -> Self {
        self.retry_connection_errors = yes;
        self
    }

    /// The wait before retry number `retry` (0 for the first retry), before
    /// jitter: `initial_interval * exponent^retry`, capped at `max_interval`.
    pub fn base_interval(&self, retry: u32) -> Duration {
        let exponent = if self.exponent.is_finite() && self.exponent >= 1.0 {
            self.exponent
        } else {
            1.0
        };
        let power = i32::try_from(retry).unwrap_or(i32::MAX);
        let millis = self.initial_interval.as_secs_f64() * 1000.0 * exponent.powi(power);
        let max_millis = self.max_interval.as_secs_f64() * 1000.0;
        if !millis.is_finite() || millis >= max_millis {
            self.max_interval
        } else {
            Duration::from_secs_f64(millis.max(0.0) / 1000.0)
        }
    }

    /// The total number of attempts allowed (at least one).
    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// Whether a request may be retried at all under this policy.
    pub(crate) fn allows(&self, idempotent: bool) -> bool {
        idempotent || self.retry_non_idempotent
    }

    /// Whether a response with this status is worth retrying.
    pub(crate) fn retries_status(&self, status: StatusCode) -> bool {
        status == StatusCode::TOO_MANY_REQUESTS || (self.retry_5xx && status.is_server_error())
    }

    /// Whether a transport failure is worth retrying.
    pub(crate) fn retries_transport(&self, error: &reqwest::Error) -> bool {
        self.retry_connection_errors
            && !error.is_builder()
            && (error.is_connect() || error.is_timeout() || error.is_request() || error.is_body())
    }

    /// The wait before retry number `retry`: the server's `Retry-After` if
    /// given, else the jittered backoff; never more than `max_interval`.
    pub(crate) fn wait(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        jitter: &mut Jitter,
    ) -> Duration {
        match retry_after {
            Some(wait) => wait.min(self.max_interval),
            None => jitter.apply(self.base_interval(retry)),
        }
    }
}

impl Default for RetryPolicy {
    /// [`RetryConfig::DEFAULT`]. A client's own default is its API's (`ApiInfo::retry`):
    /// see `Client::retry_policy`.
    fn default() -> Self {
        Self::from_config(RetryConfig::DEFAULT)
    }
}

/// A tiny xorshift64* generator for backoff jitter (not for anything secret).
#[derive(Debug)]
pub(crate) struct Jitter(u64);

/// Distinguishes generators created in the same nanosecond.
static JITTER_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Jitter {
    /// A generator seeded from the clock and a process-wide counter.
    pub(crate) fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let count = JITTER_COUNTER.fetch_add(1, Ordering::Relaxed);
        Self::with_seed(nanos ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// A generator with a fixed seed (0 is replaced, xorshift needs a non-zero state).
    pub(crate) fn with_seed(seed: u64) -> Self {
        Jitter(if seed == 0 {
            0x2545_F491_4F6C_DD1D
        } else {
            seed
        })
    }

    /// The next pseudo-random number.
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniformly random fraction in `[0, 1)`.
    fn next_fraction(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// "Equal jitter": a random wait between half of `base` and `base`.
    pub(crate) fn apply(&mut self, base: Duration) -> Duration {
        let half = base / 2;
        half + half.mul_f64(self.next_fraction())
    }
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date
/// (IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`). A date in the past
/// means no wait.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = month_number(parts.next()?)?;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour: u64 = clock.next()?.parse().ok()?;
    let minute: u64 = clock.next()?.parse().ok()?;
    let second: u64 = clock.next()?.parse().ok()?;
    if parts.next()? != "GMT" || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = u64::try_from(days_from_civil(year, month, day)).ok()?;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// The month number (1–12) of an English three-letter month name.
fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS
        .iter()
        .position(|m| *m == name)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
            .initial_interval(Duration::from_millis(500))
            .max_interval(Duration::from_secs(10))
            .exponent(1.5)
    }

    #[test]
    fn default_comes_from_api_info() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts, RetryConfig::DEFAULT.max_attempts);
        assert_eq!(
            p.initial_interval,
            Duration::from_millis(RetryConfig::DEFAULT.initial_interval_ms)
        );
        assert!(!p.retry_non_idempotent);
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::none().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn backoff_grows_by_exponent_and_is_capped() {
        let p = policy();
        assert_eq!(p.base_interval(0), Duration::from_millis(500));
        assert_eq!(p.base_interval(1), Duration::from_millis(750));
        assert_eq!(p.base_interval(2), Duration::from_micros(1_125_000));
        let mut previous = Duration::ZERO;
        for retry in 0..40 {
            let base = p.base_interval(retry);
            assert!(base >= previous, "retry {retry}");
            assert!(base <= p.max_interval, "retry {retry}");
            previous = base;
        }
        assert_eq!(p.base_interval(40), p.max_interval);
        assert_eq!(p.base_interval(u32::MAX), p.max_interval);
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let p = policy();
        let mut jitter = Jitter::with_seed(42);
        for retry in 0..20 {
            let base = p.base_interval(retry);
            for _ in 0..50 {
                let wait = p.wait(retry, None, &mut jitter);
                assert!(wait >= base / 2 && wait <= base, "{wait:?} vs {base:?}");
                assert!(wait <= p.max_interval);
            }
        }
        assert!(Jitter::new().next_fraction() < 1.0);
    }

    #[test]
    fn retry_after_is_capped() {
        let p = policy();
        let mut jitter = Jitter::with_seed(1);
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(3)), &mut jitter),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(3600)), &mut jitter),
            p.max_interval
        );
    }

    #[test]
    fn parses_retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn parses_retry_after_http_date() {
        // 1994-11-06T08:49:37Z is 784111777 seconds after the epoch.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(
            parse_http_date(date),
            UNIX_EPOCH.checked_add(Duration::from_secs(784_111_777))
        );
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 - 30);
        assert_eq!(parse_retry_after(date, now), Some(Duration::from_secs(30)));
        let later = UNIX_EPOCH + Duration::from_secs(784_111_777 + 30);
        assert_eq!(parse_retry_after(date, later), Some(Duration::ZERO));
        // 2000-02-29 (leap day) and 2026-05-12.
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"),
            UNIX_EPOCH.checked_add(Duration::from_secs(951_782_400))
        );
        assert_eq!(
            parse_http_date("Tue, 12 May 2026 12:00:00 GMT"),
            UNIX_EPOCH.checked_add(Duration::from_secs(1_778_587_200))
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun 06 Nov 1994 08:49:37 GMT"), None);
    }

    #[test]
    fn which_failures_are_retried() {
        let p = RetryPolicy::default();
        assert!(p.retries_status(StatusCode::TOO_MANY_REQUESTS));
        assert!(p.retries_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!p.retries_status(StatusCode::NOT_FOUND));
        assert!(!p
            .clone()
            .retry_5xx(false)
            .retries_status(StatusCode::BAD_GATEWAY));
        assert!(p.allows(true));
        assert!(!p.allows(false));
        assert!(p.retry_non_idempotent(true).allows(false));
    }
}
