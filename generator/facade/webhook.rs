//! Webhook signature verification (the Svix / Standard Webhooks scheme) and the envelope of
//! every event.
//!
//! This file is copied verbatim into generated crates whose spec describes webhooks, as
//! `src/webhooks/verify.rs` (`src/webhook_events/verify.rs` when an operations group is
//! named `webhooks`), compiled with the feature of that module. The scheme:
//!
//! 1. Read the headers `svix-id`, `svix-timestamp` and `svix-signature` (or their Standard
//!    Webhooks names `webhook-id`, `webhook-timestamp`, `webhook-signature`).
//! 2. Reject a timestamp (Unix seconds) more than the tolerance (default 5 minutes) away from
//!    now, in either direction: it stops replays of captured deliveries.
//! 3. The key is the base64 text after the `whsec_` prefix of the signing secret, decoded.
//! 4. Compute HMAC-SHA256 over `{id}.{timestamp}.{body}` with the raw body bytes.
//! 5. The signature header holds space-separated `v1,<base64 signature>` entries (several while
//!    a secret is rotated); accept when one of them equals the computed one, compared in
//!    constant time.
//! 6. Only then parse the body as JSON.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

/// How far a delivery's timestamp may be from now, by default (either direction).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The headers of a delivery, read by name (case-insensitive).
///
/// Implemented for `reqwest::header::HeaderMap` (the `http` crate's `HeaderMap`, also used by
/// axum, hyper and actix-web 4 through `http`), string maps, and lists of `(name, value)` pairs.
pub trait Headers {
    /// The value of the header `name` (lower case), if present and text.
    fn header(&self, name: &str) -> Option<&str>;
}

impl Headers for reqwest::header::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> Headers for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<V: AsRef<str>> Headers for std::collections::BTreeMap<String, V> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<V: AsRef<str>, S> Headers for std::collections::HashMap<String, V, S> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// Why a delivery was rejected. Never contains the signing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signing secret is not `whsec_` followed by base64 (the secret itself is not shown).
    InvalidSecret(&'static str),
    /// A required header is missing (named by its `svix-*` name).
    MissingHeader(&'static str),
    /// The timestamp header is not a whole number of seconds.
    InvalidTimestamp,
    /// The timestamp is older than the tolerance allows (a replay, or a very late delivery).
    TimestampTooOld {
        /// Timestamp of the delivery (Unix seconds).
        timestamp: i64,
        /// The time it was checked at (Unix seconds).
        now: i64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    TimestampTooNew {
        /// Timestamp of the delivery (Unix seconds).
        timestamp: i64,
        /// The time it was checked at (Unix seconds).
        now: i64,
    },
    /// No `v1` signature in the signature header matches the body.
    InvalidSignature,
    /// The signature is valid but the body is not the JSON of an event.
    Payload {
        /// The event type, when the body has one.
        event_type: Option<String>,
        /// What is wrong, with the JSON path.
        message: String,
    },
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::InvalidSecret(why) => write!(f, "invalid webhook signing secret: {why}"),
            WebhookError::MissingHeader(name) => write!(f, "missing webhook header `{name}`"),
            WebhookError::InvalidTimestamp => {
                write!(f, "the webhook timestamp header is not Unix seconds")
            }
            WebhookError::TimestampTooOld { timestamp, now } => write!(
                f,
                "the webhook timestamp {timestamp} is too old (now {now}): rejected as a possible replay"
            ),
            WebhookError::TimestampTooNew { timestamp, now } => write!(
                f,
                "the webhook timestamp {timestamp} is too far in the future (now {now})"
            ),
            WebhookError::InvalidSignature => {
                write!(f, "no webhook signature matches the body")
            }
            WebhookError::Payload {
                event_type: Some(t),
                message,
            } => write!(f, "cannot decode the `{t}` webhook event: {message}"),
            WebhookError::Payload {
                event_type: None,
                message,
            } => write!(f, "cannot decode the webhook event: {message}"),
        }
    }
}

impl std::error::Error for WebhookError {}

/// Verifies deliveries signed with one endpoint's signing secret (`whsec_...`).
///
/// [`Webhook::verify`] checks the headers and the signature of the raw body, then decodes the
/// event; [`Webhook::verify_signature`] only checks; the `_at` variants take the current time
/// (Unix seconds) for tests. The module documentation has an example.
#[derive(Clone)]
pub struct Webhook {
    key: Vec<u8>,
    tolerance: Duration,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("key", &"<redacted>")
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Webhook {
    /// A verifier for the signing secret shown in the dashboard (`whsec_<base64>`; the prefix
    /// may be left out).
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        let encoded = secret.trim();
        let encoded = encoded.strip_prefix("whsec_").unwrap_or(encoded);
        if encoded.is_empty() {
            return Err(WebhookError::InvalidSecret("it is empty"));
        }
        let key = crate::runtime::decode_base64(encoded)
            .map_err(|_| WebhookError::InvalidSecret("the part after `whsec_` is not base64"))?;
        if key.is_empty() {
            return Err(WebhookError::InvalidSecret("the key is empty"));
        }
        Ok(Webhook {
            key,
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// Accept timestamps this far from now (default [`DEFAULT_TOLERANCE`], 5 minutes).
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verify a delivery and decode its event. `body` must be the raw bytes received.
    pub fn verify<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<super::Event, WebhookError> {
        self.verify_at(headers, body, unix_now())
    }

    /// [`Webhook::verify`] at a given time (Unix seconds), for tests and replays.
    pub fn verify_at<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: i64,
    ) -> Result<super::Event, WebhookError> {
        let body = self.verify_signature_at(headers, body, now)?;
        super::Event::from_slice(body)
    }

    /// Verify a delivery without decoding it: returns the body, now trusted.
    pub fn verify_signature<'b, H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &'b [u8],
    ) -> Result<&'b [u8], WebhookError> {
        self.verify_signature_at(headers, body, unix_now())
    }

    /// [`Webhook::verify_signature`] at a given time (Unix seconds).
    pub fn verify_signature_at<'b, H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &'b [u8],
        now: i64,
    ) -> Result<&'b [u8], WebhookError> {
        let id = header(headers, "id")?;
        let timestamp_text = header(headers, "timestamp")?;
        let signatures = header(headers, "signature")?;
        let timestamp: i64 = timestamp_text
            .trim()
            .parse()
            .map_err(|_| WebhookError::InvalidTimestamp)?;
        let tolerance = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        if now.saturating_sub(timestamp) > tolerance {
            return Err(WebhookError::TimestampTooOld { timestamp, now });
        }
        if timestamp.saturating_sub(now) > tolerance {
            return Err(WebhookError::TimestampTooNew { timestamp, now });
        }
        let mac = self.mac(id, timestamp_text.trim(), body);
        let matched = signatures.split(' ').any(|entry| {
            let Some(("v1", encoded)) = entry.split_once(',') else {
                return false;
            };
            match crate::runtime::decode_base64(encoded) {
                // `verify_slice` compares in constant time.
                Ok(sig) => mac.clone().verify_slice(&sig).is_ok(),
                Err(_) => false,
            }
        });
        if matched {
            Ok(body)
        } else {
            Err(WebhookError::InvalidSignature)
        }
    }

    /// The signature header value (`v1,<base64>`) for a delivery: for tests of handlers.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self
            .mac(id, &timestamp.to_string(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", crate::runtime::encode_base64(&tag))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length.
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// `svix-<suffix>`, else `webhook-<suffix>`.
fn header<'h, H: Headers + ?Sized>(
    headers: &'h H,
    suffix: &'static str,
) -> Result<&'h str, WebhookError> {
    let (svix, standard) = match suffix {
        "id" => ("svix-id", "webhook-id"),
        "timestamp" => ("svix-timestamp", "webhook-timestamp"),
        _ => ("svix-signature", "webhook-signature"),
    };
    headers
        .header(svix)
        .or_else(|| headers.header(standard))
        .ok_or(WebhookError::MissingHeader(svix))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// What every event carries around its payload (`data`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Envelope<T> {
    /// The event type (`user.created`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// The object type (`event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// When the event happened (Unix time; Clerk sends milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// The instance the event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// About the request that caused the event, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_attributes: Option<EventAttributes>,
    /// The payload.
    pub data: T,
}

/// `event_attributes` of an event.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventAttributes {
    /// The HTTP request that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_request: Option<HttpRequest>,
}

/// The request that caused an event.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HttpRequest {
    /// The client's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// The client's user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// Decode an envelope whose `data` has type `T`, naming the JSON path on failure.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    event_type: &str,
    value: serde_json::Value,
) -> Result<Envelope<T>, WebhookError> {
    serde_path_to_error::deserialize(value).map_err(|e| WebhookError::Payload {
        event_type: Some(event_type.to_string()),
        message: format!("at `{}`: {}", e.path(), e.inner()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector published with the Svix libraries (e.g. svix/svix-webhooks, PHP
    // `testSignFunctionWorks`) and used across Standard Webhooks implementations.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers(id: &str, ts: &str, sig: &str) -> Vec<(String, String)> {
        vec![
            ("svix-id".into(), id.into()),
            ("svix-timestamp".into(), ts.into()),
            ("svix-signature".into(), sig.into()),
        ]
    }

    fn hook() -> Webhook {
        Webhook::new(SECRET).unwrap()
    }

    #[test]
    fn the_published_vector_signs_and_verifies() {
        assert_eq!(hook().sign(ID, TS, BODY), SIG);
        let h = headers(ID, &TS.to_string(), SIG);
        assert_eq!(hook().verify_signature_at(&h, BODY, TS).unwrap(), BODY);
        // Without the prefix, and with the Standard Webhooks header names.
        let bare = Webhook::new(SECRET.trim_start_matches("whsec_")).unwrap();
        let standard = [
            ("Webhook-Id", ID),
            ("Webhook-Timestamp", "1614265330"),
            ("Webhook-Signature", SIG),
        ];
        assert!(bare.verify_signature_at(&standard, BODY, TS).is_ok());
        let mut map = reqwest::header::HeaderMap::new();
        for (k, v) in standard {
            map.insert(
                reqwest::header::HeaderName::from_static(match k {
                    "Webhook-Id" => "webhook-id",
                    "Webhook-Timestamp" => "webhook-timestamp",
                    _ => "webhook-signature",
                }),
                v.parse().unwrap(),
            );
        }
        assert!(hook().verify_signature_at(&map, BODY, TS + 299).is_ok());
    }

    #[test]
    fn one_of_several_signatures_suffices() {
        let other = "v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ=";
        let h = headers(ID, "1614265330", &format!("v2,abc {other} {SIG}"));
        assert!(hook().verify_signature_at(&h, BODY, TS).is_ok());
        let h = headers(
            ID,
            "1614265330",
            &format!("{other} v1,!!! v2,{}", &SIG[3..]),
        );
        assert_eq!(
            hook().verify_signature_at(&h, BODY, TS),
            Err(WebhookError::InvalidSignature)
        );
    }

    #[test]
    fn tampering_is_rejected() {
        let ts = TS.to_string();
        let bad = |h: Vec<(String, String)>, body: &[u8]| {
            hook().verify_signature_at(&h, body, TS).map(|_| ())
        };
        assert_eq!(
            bad(headers(ID, &ts, SIG), br#"{"test": 2432232315}"#),
            Err(WebhookError::InvalidSignature)
        );
        assert_eq!(
            bad(headers("msg_other", &ts, SIG), BODY),
            Err(WebhookError::InvalidSignature)
        );
        // A different timestamp inside the tolerance: the signature no longer matches.
        assert_eq!(
            bad(headers(ID, &(TS + 1).to_string(), SIG), BODY),
            Err(WebhookError::InvalidSignature)
        );
        let flipped = SIG.replace("g0h", "g1h");
        assert_eq!(
            bad(headers(ID, &ts, &flipped), BODY),
            Err(WebhookError::InvalidSignature)
        );
        assert_eq!(
            bad(headers(ID, &ts, ""), BODY),
            Err(WebhookError::InvalidSignature)
        );
        let wrong = Webhook::new("whsec_dGhpcyBpcyBhbm90aGVyIGtleQ==").unwrap();
        assert_eq!(
            wrong.verify_signature_at(&headers(ID, &ts, SIG), BODY, TS),
            Err(WebhookError::InvalidSignature)
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_rejected() {
        let h = headers(ID, &TS.to_string(), SIG);
        let at = |now| hook().verify_signature_at(&h, BODY, now);
        assert!(at(TS + 300).is_ok());
        assert!(at(TS - 300).is_ok());
        assert_eq!(
            at(TS + 301),
            Err(WebhookError::TimestampTooOld {
                timestamp: TS,
                now: TS + 301
            })
        );
        assert_eq!(
            at(TS - 301),
            Err(WebhookError::TimestampTooNew {
                timestamp: TS,
                now: TS - 301
            })
        );
        // With the real clock, this 2021 delivery is a replay.
        assert!(matches!(
            hook().verify_signature(&h, BODY),
            Err(WebhookError::TimestampTooOld { .. })
        ));
        let wide = hook().with_tolerance(Duration::from_secs(3600));
        assert!(wide.verify_signature_at(&h, BODY, TS + 3600).is_ok());
        let h = headers(ID, "1614265330.5", SIG);
        assert_eq!(
            hook().verify_signature_at(&h, BODY, TS),
            Err(WebhookError::InvalidTimestamp)
        );
    }

    #[test]
    fn missing_headers_are_named() {
        let full = headers(ID, &TS.to_string(), SIG);
        for (i, name) in ["svix-id", "svix-timestamp", "svix-signature"]
            .iter()
            .enumerate()
        {
            let mut h = full.clone();
            h.remove(i);
            assert_eq!(
                hook().verify_signature_at(&h, BODY, TS),
                Err(WebhookError::MissingHeader(name))
            );
        }
    }

    #[test]
    fn malformed_secrets_are_rejected_without_showing_them() {
        for secret in ["", "whsec_", "whsec_not*base64!", "   "] {
            let err = Webhook::new(secret).unwrap_err();
            assert!(matches!(err, WebhookError::InvalidSecret(_)), "{secret:?}");
            let text = format!("{err} {err:?}");
            assert!(!text.contains("not*base64"), "{text}");
        }
        let debug = format!("{:?}", hook());
        assert!(!debug.contains("MfKQ9r8"), "{debug}");
        assert!(debug.contains("redacted"), "{debug}");
    }

    #[test]
    fn verified_bodies_decode_into_events() {
        let body = br#"{"type":"nobody.knows","object":"event","data":{"a":1}}"#;
        let sig = hook().sign(ID, TS, body);
        let h = headers(ID, &TS.to_string(), &sig);
        let event = hook().verify_at(&h, body, TS).unwrap();
        assert_eq!(event.event_type(), "nobody.knows");
        assert!(matches!(event, super::super::Event::Unknown { .. }));
        let not_json = b"not json";
        let sig = hook().sign(ID, TS, not_json);
        let h = headers(ID, &TS.to_string(), &sig);
        assert!(matches!(
            hook().verify_at(&h, not_json, TS),
            Err(WebhookError::Payload { .. })
        ));
    }
}
