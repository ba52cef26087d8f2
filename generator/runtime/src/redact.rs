//! Keeping the secret key out of text: errors, logs, tool results and documents.
//!
//! One implementation for the generated clients (which compile this runtime), the MCP server
//! (which compiles it too) and the generator's connection prompt (which includes this file).

/// What a key is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Whether `bytes` hold `secret` (an empty secret is never held).
pub fn contains(bytes: &[u8], secret: &[u8]) -> bool {
    !secret.is_empty() && bytes.windows(secret.len()).any(|w| w == secret)
}

/// `bytes` with every occurrence of `secret` replaced by [`REDACTED`]; `None` if it has none.
pub fn redact_bytes(bytes: &[u8], secret: &[u8]) -> Option<Vec<u8>> {
    if !contains(bytes, secret) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(secret) {
            out.extend_from_slice(REDACTED.as_bytes());
            i += secret.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// `text` with every occurrence of `secret` (when at least 4 characters long) and every
/// key-shaped token (`sk_live_...`, `sk_test_...`) replaced by [`REDACTED`]; the environment
/// part of a key's prefix (`sk_live_`) stays.
pub fn redact(text: &str, secret: Option<&str>) -> String {
    let text = match secret.map(str::trim).filter(|s| s.len() >= 4) {
        Some(s) => text.replace(s, REDACTED),
        None => text.to_string(),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(pos) = rest.find("sk_") {
        let at_boundary = !rest[..pos]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(tail.len());
        let token = &tail[..len];
        // Keep `sk_live_` / `sk_test_`, drop what follows.
        let keep = token
            .match_indices('_')
            .nth(1)
            .map(|(i, _)| i + 1)
            .unwrap_or(3);
        if at_boundary && token.len() > keep {
            out.push_str(&token[..keep]);
            out.push_str(REDACTED);
        } else {
            out.push_str(token);
        }
        // `token` starts with `sk_`, so it is never empty.
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{redact, redact_bytes};

    #[test]
    fn removes_the_key_and_key_shaped_tokens() {
        assert_eq!(redact("a sk_live_abc123 b", None), "a sk_live_<redacted> b");
        assert_eq!(redact("k=mysecret1", Some("mysecret1")), "k=<redacted>");
        assert_eq!(redact("task_sk_ok", None), "task_sk_ok");
        assert_eq!(redact("prefix `sk_live_`", None), "prefix `sk_live_`");
        assert_eq!(redact("sk_", None), "sk_");
        assert_eq!(redact("sk_abc", None), "sk_<redacted>");
        assert_eq!(
            redact("x sk_test_Z-9 y sk_test_Q", None),
            "x sk_test_<redacted> y sk_test_<redacted>"
        );
        // Short secrets would match ordinary text: only key-shaped tokens go.
        assert_eq!(redact("abc", Some("abc")), "abc");
    }

    #[test]
    fn redact_bytes_replaces_every_occurrence() {
        assert_eq!(
            redact_bytes(b"a KEYKEY b KEY", b"KEY").unwrap(),
            b"a <redacted><redacted> b <redacted>"
        );
        assert_eq!(redact_bytes(b"nothing here", b"KEY"), None);
    }
}
