//! The bearer secret key, kept out of every `Debug` and `Display` output.

use std::fmt;

/// Prefix of secret keys that belong to a development (test) instance.
const TEST_PREFIX: &str = "sk_test_";
/// Prefix of secret keys that belong to a production (live) instance.
const LIVE_PREFIX: &str = "sk_live_";

/// The environment a secret key belongs to, read from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyEnvironment {
    /// A development instance key (`sk_test_…`).
    Test,
    /// A production instance key (`sk_live_…`).
    Live,
    /// A key with neither known prefix.
    Unknown,
}

impl KeyEnvironment {
    /// The environment as a lowercase word: `test`, `live` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyEnvironment::Test => "test",
            KeyEnvironment::Live => "live",
            KeyEnvironment::Unknown => "unknown",
        }
    }

    /// The key prefix for this environment, if it has one.
    fn prefix(&self) -> Option<&'static str> {
        match self {
            KeyEnvironment::Test => Some(TEST_PREFIX),
            KeyEnvironment::Live => Some(LIVE_PREFIX),
            KeyEnvironment::Unknown => None,
        }
    }
}

impl fmt::Display for KeyEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret API key, sent as `Authorization: Bearer <key>`.
///
/// Neither `Debug` nor `Display` reveals the key: both print only the
/// environment prefix, e.g. `SecretKey(sk_test_…, redacted)`.
/// [`SecretKey::expose`] is the only way to read it. The memory holding the
/// key is overwritten (best effort) when the value is dropped.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a secret key.
    pub fn new(key: impl Into<String>) -> Self {
        SecretKey(key.into())
    }

    /// The key itself. This is the only way to read it: do not log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The environment the key belongs to, from its `sk_test_` / `sk_live_` prefix.
    pub fn environment(&self) -> KeyEnvironment {
        if self.0.starts_with(TEST_PREFIX) {
            KeyEnvironment::Test
        } else if self.0.starts_with(LIVE_PREFIX) {
            KeyEnvironment::Live
        } else {
            KeyEnvironment::Unknown
        }
    }

    /// Whether the key is empty (or only whitespace).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.environment().prefix() {
            Some(prefix) => write!(f, "SecretKey({prefix}…, redacted)"),
            None => f.write_str("SecretKey(redacted)"),
        }
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<String> for SecretKey {
    fn from(key: String) -> Self {
        SecretKey(key)
    }
}

impl From<&str> for SecretKey {
    fn from(key: &str) -> Self {
        SecretKey(key.to_owned())
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        // Keep the zeroing from being optimised away.
        std::hint::black_box(&bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_test_SuperSecretValue123";

    #[test]
    fn environment_from_prefix() {
        assert_eq!(SecretKey::new(KEY).environment(), KeyEnvironment::Test);
        assert_eq!(
            SecretKey::new("sk_live_abc").environment(),
            KeyEnvironment::Live
        );
        assert_eq!(
            SecretKey::new("pk_test_abc").environment(),
            KeyEnvironment::Unknown
        );
        assert_eq!(SecretKey::new("").environment(), KeyEnvironment::Unknown);
        assert_eq!(KeyEnvironment::Live.as_str(), "live");
        assert_eq!(KeyEnvironment::Test.to_string(), "test");
        assert_eq!(KeyEnvironment::Unknown.as_str(), "unknown");
    }

    #[test]
    fn debug_and_display_redact() {
        let key = SecretKey::new(KEY);
        for text in [format!("{key:?}"), format!("{key}"), format!("{key:#?}")] {
            assert!(!text.contains("SuperSecret"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
        assert_eq!(format!("{key:?}"), "SecretKey(sk_test_…, redacted)");
        assert_eq!(
            format!("{}", SecretKey::new("opaque")),
            "SecretKey(redacted)"
        );
        assert_eq!(key.expose(), KEY);
    }

    #[test]
    fn emptiness() {
        assert!(SecretKey::new("  ").is_empty());
        assert!(!SecretKey::new(KEY).is_empty());
    }
}
