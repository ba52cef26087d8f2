//! Access tokens: agents present `Authorization: Bearer <token>`; the configuration holds
//! only `sha256:<hex>` hashes, so a leaked configuration file grants nothing.

use sha2::{Digest, Sha256};

/// The SHA-256 of an access token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenHash(sha256:{}…)", &hex(&self.0)[..8])
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl TokenHash {
    /// The hash of `token`.
    pub fn of(token: &str) -> TokenHash {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }

    /// Parse `sha256:<64 hex digits>` (as `sha256sum` prints them; either case).
    pub fn parse(text: &str) -> Result<TokenHash, String> {
        let hex_part = text.strip_prefix("sha256:").ok_or(
            "expected `sha256:<64 hex digits>` (the hash of the token, not the token itself)",
        )?;
        if hex_part.len() != 64 || !hex_part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("expected `sha256:` and 64 hex digits".into());
        }
        let mut out = [0u8; 32];
        for (i, pair) in hex_part.as_bytes().chunks(2).enumerate() {
            let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out[i] = digit(pair[0]) << 4 | digit(pair[1]);
        }
        Ok(TokenHash(out))
    }

    /// `sha256:<hex>`, for the configuration file.
    pub fn to_config(&self) -> String {
        format!("sha256:{}", hex(&self.0))
    }
}

/// The configuration line for `token`: `sha256:<hex>`.
pub fn hash_token(token: &str) -> String {
    TokenHash::of(token).to_config()
}

/// The bearer token of an `Authorization` header value (`Bearer <token>`; the scheme is
/// case-insensitive); `None` for anything else.
pub fn bearer(value: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(value).ok()?;
    let (scheme, token) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim_matches(' ');
    (!token.is_empty() && !token.contains(' ')).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_sha256sum() {
        // printf %s test | sha256sum
        let h = hash_token("test");
        assert_eq!(
            h,
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
        assert_eq!(TokenHash::parse(&h).unwrap(), TokenHash::of("test"));
        assert_eq!(
            TokenHash::parse(&h.to_uppercase().replace("SHA256", "sha256")).unwrap(),
            TokenHash::of("test")
        );
        assert!(TokenHash::parse("test").is_err());
        assert!(TokenHash::parse("sha256:12").is_err());
        assert!(!format!("{:?}", TokenHash::of("test")).contains(&h[20..]));
    }

    #[test]
    fn bearer_tokens_are_read_strictly() {
        assert_eq!(bearer(b"Bearer abc"), Some("abc"));
        assert_eq!(bearer(b"bearer abc"), Some("abc"));
        assert_eq!(bearer(b"Basic abc"), None);
        assert_eq!(bearer(b"Bearer "), None);
        assert_eq!(bearer(b"Bearer a b"), None);
        assert_eq!(bearer(b"Bearerabc"), None);
    }
}
