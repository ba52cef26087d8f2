//! Matching a request to exactly one operation, by method and path template. Anything that is
//! not unambiguously one operation is refused, never forwarded.
//!
//! The rules, applied to the raw (still percent-encoded) path after `/c/<connection>`:
//!
//! 1. The path starts with `/` and is split on `/`. Empty segments are refused (no `//`, no
//!    trailing `/`), and so are dot segments (`.`, `..`, also percent-encoded).
//! 2. Every byte is an RFC 3986 path character (unreserved, sub-delimiter, `:`, `@`) or part
//!    of a valid `%XX` escape; anything else (`\`, spaces, raw non-ASCII) is refused.
//! 3. A literal segment of a template matches only the byte-identical raw segment: no
//!    percent-decoding, no case folding (`/Users`, `/us%65rs` match nothing).
//! 4. A parameter segment matches one raw segment, which is percent-decoded (valid UTF-8
//!    only) and refused when it is empty, `.` or `..` (raw or encoded), or contains `/`,
//!    `\`, `?`, `#`, `;` or a control character once decoded.
//! 5. Among the templates that match, the one with a literal at the first position where
//!    they differ wins (`/users/count` before `/users/{user_id}`, as OpenAPI prescribes).
//!    Templates with the same shape (literals in the same places) are one route.
//! 6. Then the method, compared exactly (`get` is not `GET`): a route without it answers
//!    405 with the methods it has. `HEAD`, `OPTIONS`, `TRACE` and unknown methods are only
//!    accepted where an operation declares them. A method is never guessed from another
//!    route: `DELETE /users/count` is 405 even though `DELETE /users/{user_id}` exists.

use agentgen_mcp::catalog::Operation;

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Lit(String),
    Param,
}

/// Templates of one shape, with the operation of each method.
#[derive(Debug)]
struct Route {
    segs: Vec<Seg>,
    /// (method, operation index, parameter names in segment order).
    methods: Vec<(String, usize, Vec<String>)>,
}

/// Every operation's template, grouped by shape.
#[derive(Debug, Default)]
pub struct Routes {
    routes: Vec<Route>,
    /// Operations whose template has a parameter inside a segment (`/files/{id}.json`);
    /// not reachable through the REST gateway.
    pub unsupported: Vec<String>,
}

/// A matched operation.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    /// Index into the catalog's operations.
    pub op: usize,
    /// Path parameters by name, decoded.
    pub params: Vec<(String, String)>,
}

/// Why no operation matched.
#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    /// The path breaks the rules above (400).
    BadPath(String),
    /// No template matches (404).
    NotFound,
    /// The path's route has no such method (405); the methods it has.
    Method(Vec<String>),
}

impl Routes {
    /// The table for `ops`.
    pub fn new(ops: &[Operation]) -> Routes {
        let mut table = Routes::default();
        for (i, op) in ops.iter().enumerate() {
            let Some((segs, names)) = template(&op.http.path) else {
                table.unsupported.push(op.name.clone());
                continue;
            };
            let method = op.http.method.to_ascii_uppercase();
            match table.routes.iter_mut().find(|r| r.segs == segs) {
                Some(r) => {
                    // Two operations with one method and shape: the first wins (documents
                    // are generated from one spec, where that cannot happen).
                    if !r.methods.iter().any(|(m, _, _)| *m == method) {
                        r.methods.push((method, i, names));
                    }
                }
                None => table.routes.push(Route {
                    segs,
                    methods: vec![(method, i, names)],
                }),
            }
        }
        table
    }

    /// The operation for `method` and the raw `path` (relative to the connection).
    pub fn find(&self, method: &str, path: &str) -> Result<Found, Miss> {
        let raw = split(path)?;
        let mut best: Option<&Route> = None;
        for r in &self.routes {
            if r.segs.len() != raw.len() {
                continue;
            }
            let fits = r.segs.iter().zip(&raw).all(|(s, seg)| match s {
                Seg::Lit(l) => l == seg,
                Seg::Param => true,
            });
            if !fits {
                continue;
            }
            best = Some(match best {
                None => r,
                Some(b) => more_specific(b, r),
            });
        }
        let route = best.ok_or(Miss::NotFound)?;
        let Some((_, op, names)) = route.methods.iter().find(|(m, _, _)| m == method) else {
            let mut allow: Vec<String> = route.methods.iter().map(|m| m.0.clone()).collect();
            allow.sort();
            return Err(Miss::Method(allow));
        };
        let mut params = Vec::with_capacity(names.len());
        let mut names = names.iter();
        for (s, seg) in route.segs.iter().zip(&raw) {
            if *s == Seg::Param {
                let name = names.next().expect("one name per parameter segment");
                params.push((name.clone(), param_value(name, seg)?));
            }
        }
        Ok(Found { op: *op, params })
    }
}

/// Of two matching routes, the one with a literal where they first differ.
fn more_specific<'a>(a: &'a Route, b: &'a Route) -> &'a Route {
    for (x, y) in a.segs.iter().zip(&b.segs) {
        match (x, y) {
            (Seg::Lit(_), Seg::Param) => return a,
            (Seg::Param, Seg::Lit(_)) => return b,
            _ => {}
        }
    }
    a
}

/// A template's segments and parameter names; `None` when a parameter does not fill its
/// segment.
fn template(path: &str) -> Option<(Vec<Seg>, Vec<String>)> {
    let mut segs = Vec::new();
    let mut names = Vec::new();
    for s in path.strip_prefix('/')?.split('/') {
        if let Some(name) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if name.contains(['{', '}']) || name.is_empty() {
                return None;
            }
            segs.push(Seg::Param);
            names.push(name.to_string());
        } else if s.contains(['{', '}']) || s.is_empty() {
            return None;
        } else {
            segs.push(Seg::Lit(s.to_string()));
        }
    }
    Some((segs, names))
}

/// RFC 3986 `pchar` minus `%` (checked separately).
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
        )
}

/// The raw segments of a path, checked against rules 1 and 2.
fn split(path: &str) -> Result<Vec<&str>, Miss> {
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| Miss::BadPath("the path must start with `/`".into()))?;
    let mut out = Vec::new();
    for seg in rest.split('/') {
        if seg.is_empty() {
            return Err(Miss::BadPath(
                "empty path segment (`//` or a trailing `/`)".into(),
            ));
        }
        if matches!(
            seg.to_ascii_lowercase().as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        ) {
            return Err(Miss::BadPath("`.` and `..` segments are refused".into()));
        }
        let bytes = seg.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' => {
                    let ok = bytes.len() > i + 2
                        && bytes[i + 1].is_ascii_hexdigit()
                        && bytes[i + 2].is_ascii_hexdigit();
                    if !ok {
                        return Err(Miss::BadPath("invalid percent-encoding".into()));
                    }
                    i += 3;
                }
                b if is_path_byte(b) => i += 1,
                _ => {
                    return Err(Miss::BadPath(
                        "the path has a character that must be percent-encoded".into(),
                    ))
                }
            }
        }
        out.push(seg);
    }
    Ok(out)
}

/// Decode `%XX` escapes (already checked by [`split`]); `None` when the result is not UTF-8.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A path parameter's value, under rule 4.
fn param_value(name: &str, raw: &str) -> Result<String, Miss> {
    let bad = |why: &str| Miss::BadPath(format!("path parameter `{name}`: {why}"));
    let value =
        percent_decode(raw, false).ok_or_else(|| bad("the percent-encoding is not UTF-8"))?;
    if value.is_empty() || value == "." || value == ".." {
        return Err(bad("must not be empty, `.` or `..`"));
    }
    if value
        .chars()
        .any(|c| matches!(c, '/' | '\\' | '?' | '#' | ';') || c.is_control())
    {
        return Err(bad(
            "must not contain `/`, `\\`, `?`, `#`, `;` or control characters",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(name: &str, method: &str, path: &str) -> Operation {
        serde_json::from_value(json!({
            "name": name, "title": name, "description": "d",
            "inputSchema": {"type": "object"},
            "annotations": {"title": "t", "readOnlyHint": true, "destructiveHint": false,
                "idempotentHint": true, "openWorldHint": false},
            "operationId": name, "group": "g",
            "http": {"method": method, "path": path, "auth": true, "params": [], "response": "json"},
            "output": {"summary": "s"},
            "safety": {"class": "read", "idempotent": true, "confirm": "never"}
        }))
        .unwrap()
    }

    fn table() -> (Vec<Operation>, Routes) {
        let ops = vec![
            op("list", "GET", "/users"),
            op("get", "GET", "/users/{user_id}"),
            op("delete", "DELETE", "/users/{id}"),
            op("count", "GET", "/users/count"),
            op("ban", "POST", "/users/{user_id}/ban"),
            op("file", "GET", "/files/{name}.json"),
        ];
        let routes = Routes::new(&ops);
        (ops, routes)
    }

    fn name(ops: &[Operation], r: Result<Found, Miss>) -> String {
        match r {
            Ok(f) => format!("{} {:?}", ops[f.op].name, f.params),
            Err(m) => format!("{m:?}"),
        }
    }

    #[test]
    fn literals_win_and_methods_are_never_borrowed() {
        let (ops, t) = table();
        assert_eq!(name(&ops, t.find("GET", "/users")), "list []");
        assert_eq!(name(&ops, t.find("GET", "/users/count")), "count []");
        assert_eq!(
            name(&ops, t.find("GET", "/users/u_1")),
            "get [(\"user_id\", \"u_1\")]"
        );
        assert_eq!(
            name(&ops, t.find("DELETE", "/users/u_1")),
            "delete [(\"id\", \"u_1\")]"
        );
        assert_eq!(
            t.find("DELETE", "/users/count"),
            Err(Miss::Method(vec!["GET".into()]))
        );
        assert_eq!(
            t.find("HEAD", "/users"),
            Err(Miss::Method(vec!["GET".into()]))
        );
        assert_eq!(
            t.find("get", "/users"),
            Err(Miss::Method(vec!["GET".into()]))
        );
        assert_eq!(t.unsupported, vec!["file".to_string()]);
    }

    #[test]
    fn odd_paths_are_refused_or_match_nothing() {
        let (_, t) = table();
        for p in ["/Users", "/us%65rs", "/users/x/BAN", "/c", "/users/x/ban/x"] {
            assert_eq!(t.find("GET", p), Err(Miss::NotFound), "{p}");
        }
        for p in [
            "/users//count",
            "/users/",
            "//users",
            "users",
            "/users/a%2",
            "/users/a%zz",
            "/users/a\\b",
            "/users/a b",
            "/users/%2e%2e",
            "/users/%2E",
            "/users/..",
            "/users/.",
            "/users/../users",
            "/./users",
            "/users/count/",
            "/users/a%2Fb",
            "/users/a%2fb",
            "/users/a%3Fb",
            "/users/a%23b",
            "/users/a;b",
            "/users/a%3Bb",
            "/users/a%5Cb",
            "/users/a%00b",
            "/users/a%0Ab",
            "/users/%FF",
        ] {
            assert!(matches!(t.find("GET", p), Err(Miss::BadPath(_))), "{p}");
        }
        // Unreserved characters are fine, and escapes of them decode.
        assert!(t.find("GET", "/users/user_2x~A-b.c").is_ok());
        let f = t.find("GET", "/users/a%40b").unwrap();
        assert_eq!(f.params[0].1, "a@b");
    }
}
