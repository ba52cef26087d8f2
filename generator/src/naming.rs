//! Names: how wire names from the spec become Rust identifiers. Decided once, in lowering.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Words that cannot be used as plain identifiers (strict and reserved keywords, 2021 + 2024).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Mixed-case acronyms that case converters split badly (`OAuth` -> `o_auth`).
fn normalize_acronyms(s: &str) -> String {
    s.replace("OAuth", "Oauth")
}

/// A plural acronym as one word (`URLs` -> `Urls`, `IDs` -> `Ids`), so that case converters
/// do not split it (`ur_ls`). For titles and file names; identifiers keep their names.
pub fn plural_acronyms(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_uppercase() {
            i += 1;
        }
        let run = i - start;
        let plural = run >= 2
            && chars.get(i) == Some(&'s')
            && !chars.get(i + 1).is_some_and(|c| c.is_ascii_lowercase());
        if plural {
            out.push(chars[start]);
            out.extend(chars[start + 1..i].iter().map(|c| c.to_ascii_lowercase()));
        } else if run > 0 {
            out.extend(&chars[start..i]);
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// snake_case identifier text (without keyword escaping). Never empty, never starts with a digit.
pub fn snake(s: &str) -> String {
    let converted = normalize_acronyms(s).to_snake_case();
    let mut out = String::with_capacity(converted.len());
    for c in converted.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "value".to_string()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{out}")
    } else {
        out
    }
}

/// PascalCase identifier text. Never empty, never starts with a digit.
pub fn pascal(s: &str) -> String {
    let converted = normalize_acronyms(s).to_upper_camel_case();
    let out: String = converted
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if out.is_empty() {
        "Value".to_string()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{out}")
    } else if out == "Self" {
        // `Self` cannot name a type or variant, not even as a raw identifier.
        "SelfValue".to_string()
    } else {
        out
    }
}

/// Name of an enum variant for a wire value: `""` -> `Empty`, `-x` -> `MinusX`, `*` -> `Star`.
pub fn enum_variant(wire: &str) -> String {
    if wire.is_empty() {
        return "Empty".to_string();
    }
    let mut prefix = String::new();
    let mut rest = wire;
    while let Some(c) = rest.chars().next() {
        let word = match c {
            '-' => "Minus",
            '+' => "Plus",
            '*' => "Star",
            '.' => "Dot",
            '/' => "Slash",
            '@' => "At",
            '#' => "Hash",
            '$' => "Dollar",
            '!' => "Not",
            '~' => "Tilde",
            _ => break,
        };
        prefix.push_str(word);
        rest = &rest[c.len_utf8()..];
    }
    let body = if rest.chars().any(|c| c.is_ascii_alphanumeric()) {
        pascal(rest)
    } else {
        String::new()
    };
    let name = format!("{prefix}{body}");
    if name.is_empty() {
        "Value".to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// True if `s` is a keyword.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// The plain name of an identifier (what the IR stores): keywords that cannot be raw get a
/// trailing underscore (`self_`); the others stay as they are (`type`) and are escaped only
/// when printed ([`rust_ident`]).
pub fn plain_ident(s: &str) -> String {
    if NOT_RAW.contains(&s) {
        format!("{s}_")
    } else {
        s.to_string()
    }
}

/// A plain name as Rust source text: keywords become raw (`r#type`).
pub fn rust_ident(name: &str) -> String {
    if is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// Longest tool name (OpenAI, Anthropic and Gemini all stop at 64).
pub const MAX_TOOL_NAME: usize = 64;

/// Tool name of each operation given its group's module and its method name:
/// `<group>_<method>` in snake_case, at most [`MAX_TOOL_NAME`] characters (longer ones keep a
/// prefix and gain a short hash), unique (`_2`, `_3` on collision).
pub fn tool_names<'a>(ops: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut ns = Namespace::default();
    ops.into_iter()
        .map(|(module, method)| {
            let base = shorten(
                &format!("{}_{}", snake(module), snake(method)),
                MAX_TOOL_NAME - 4,
            );
            ns.claim(&base, "_")
        })
        .collect()
}

/// Deterministically shorten a name to `max` characters: a prefix, `_`, 8 hex digits of its
/// sha256.
pub fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let hash = &crate::pin::sha256_hex(name.as_bytes())[..8];
    let keep = max - hash.len() - 1;
    let prefix = name[..keep].trim_end_matches('_');
    format!("{prefix}_{hash}")
}

/// Cargo features of the generated crate that are not groups.
pub const RESERVED_FEATURES: &[&str] = &["default", "full", "write", "dynamic"];

/// The cargo feature of a group with this module name: the same text, or `<module>_group`
/// when that is one of the [`RESERVED_FEATURES`] (a group named `default`, as untagged
/// operations are, keeps its module name).
pub fn group_feature(module: &str) -> String {
    if RESERVED_FEATURES.contains(&module) {
        format!("{module}_group")
    } else {
        module.to_string()
    }
}

/// Hands out unique names within one scope; collisions get a numeric suffix.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace with some names already reserved.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// True if `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Claim `base`, or `base2`, `base3`, ... (with `sep` between) if taken. Returns the claimed name.
    pub fn claim(&mut self, base: &str, sep: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let mut n = 2usize;
        loop {
            let candidate = format!("{base}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_features_follow_modules_and_avoid_reserved_names() {
        assert_eq!(group_feature("users"), "users");
        assert_eq!(group_feature("email_addresses"), "email_addresses");
        assert_eq!(group_feature("default"), "default_group");
        assert_eq!(group_feature("write"), "write_group");
    }

    #[test]
    fn snake_handles_acronyms_and_symbols() {
        assert_eq!(snake("GetOAuthAccessToken"), "get_oauth_access_token");
        assert_eq!(snake("frontendApi"), "frontend_api");
        assert_eq!(snake("x5t#S256"), "x5t_s256");
        assert_eq!(snake("$id"), "id");
        assert_eq!(snake("clk._domainkey"), "clk_domainkey");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(snake(""), "value");
        assert_eq!(snake("GetJWKS"), "get_jwks");
    }

    #[test]
    fn pascal_handles_dotted_and_suffixed_names() {
        assert_eq!(pascal("JWKS.ed25519.PublicKey"), "JwksEd25519PublicKey");
        assert_eq!(pascal("CommercePlan-2"), "CommercePlan2");
        assert_eq!(pascal("Client.List"), "ClientList");
        assert_eq!(pascal("verification_otp"), "VerificationOtp");
    }

    #[test]
    fn enum_variants_stay_distinct() {
        assert_eq!(enum_variant("manual_invitation"), "ManualInvitation");
        assert_eq!(enum_variant("-manual_invitation"), "MinusManualInvitation");
        assert_eq!(enum_variant("*"), "Star");
        assert_eq!(enum_variant(""), "Empty");
        assert_eq!(enum_variant("payer-credits"), "PayerCredits");
        assert_eq!(enum_variant("user:org:read"), "UserOrgRead");
        assert_eq!(enum_variant("self"), "SelfValue");
        assert_eq!(enum_variant("Self"), "SelfValue");
        assert_eq!(pascal("self"), "SelfValue");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(plain_ident("type"), "type");
        assert_eq!(plain_ident("self"), "self_");
        assert_eq!(plain_ident("name"), "name");
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(rust_ident("use"), "r#use");
        assert_eq!(rust_ident("self_"), "self_");
        assert_eq!(rust_ident("name"), "name");
    }

    #[test]
    fn plural_acronyms_stay_one_word() {
        assert_eq!(plural_acronyms("Redirect URLs"), "Redirect Urls");
        assert_eq!(plural_acronyms("redirectURLs"), "redirectUrls");
        assert_eq!(plural_acronyms("ListIDsAndAPIs"), "ListIdsAndApis");
        assert_eq!(plural_acronyms("SAMLConnections"), "SAMLConnections");
        assert_eq!(plural_acronyms("ASsets"), "ASsets");
        assert_eq!(plural_acronyms("users"), "users");
    }

    #[test]
    fn long_names_shorten_deterministically() {
        let long = "a".repeat(40) + "_" + &"b".repeat(40);
        let s = shorten(&long, 60);
        assert_eq!(s.len(), 60);
        assert_eq!(s, shorten(&long, 60));
        assert_ne!(s, shorten(&(long.clone() + "c"), 60));
        assert_eq!(shorten("users_list", 60), "users_list");
    }

    #[test]
    fn tool_names_are_unique_short_and_plain() {
        let long = "m".repeat(80);
        let names = tool_names([
            ("users", "list"),
            ("users_list", "type"),
            ("type", "get"),
            ("users", "list"),
            ("a", long.as_str()),
        ]);
        assert_eq!(
            names[..4],
            ["users_list", "users_list_type", "type_get", "users_list_2"]
        );
        assert!(names[4].len() <= MAX_TOOL_NAME - 4, "{}", names[4]);
    }

    #[test]
    fn namespace_suffixes_collisions() {
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("a", "_"), "a");
        assert_eq!(ns.claim("a", "_"), "a_2");
        assert_eq!(ns.claim("a", "_"), "a_3");
    }
}
