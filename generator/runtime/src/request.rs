//! Requests as built by the generated operations: path, query, headers and body.

use std::fmt;

use crate::Error;

/// One API call, described independently of any HTTP library so that it can
/// be sent again on retry.
#[derive(Clone)]
pub struct Request {
    /// The OpenAPI operation id, e.g. `GetUserList`; used in errors.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path relative to the base URL, already percent-encoded, starting
    /// with `/`, e.g. `/users/user_123`.
    pub path: String,
    /// The query parameters.
    pub query: Query,
    /// Extra headers (header parameters of the operation); they replace
    /// default headers of the same name.
    pub headers: Vec<(&'static str, String)>,
    /// The request body.
    pub body: Body,
    /// Whether to send the secret key as a bearer token.
    pub auth: bool,
    /// Whether the request may be retried by default (safe to repeat).
    pub idempotent: bool,
}

impl Request {
    /// A request with no query, headers or body, sending the key, and
    /// idempotent when the method is (`GET`, `HEAD`, `PUT`, `DELETE`,
    /// `OPTIONS`, `TRACE`).
    pub fn new(
        operation_id: &'static str,
        method: reqwest::Method,
        path: impl Into<String>,
    ) -> Self {
        let idempotent = method.is_idempotent();
        Request {
            operation_id,
            method,
            path: path.into(),
            query: Query::new(),
            headers: Vec::new(),
            body: Body::None,
            auth: true,
            idempotent,
        }
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values are left out: header parameters may carry tokens.
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("Request")
            .field("operation_id", &self.operation_id)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &header_names)
            .field("body", &self.body)
            .field("auth", &self.auth)
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded.
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes every byte of `text` that is not unreserved (UTF-8 bytes
/// are encoded one by one; a space becomes `%20`).
pub(crate) fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// Percent-encodes one path segment so that it cannot change the path:
/// everything but RFC 3986 unreserved characters is encoded (including `/`,
/// `?`, `#`, `%` and spaces), and a segment that is exactly `.` or `..` is
/// encoded as `%2E` / `%2E%2E` so it cannot traverse.
///
/// URL parsers (WHATWG, and so reqwest) still read `%2E%2E` as `..`, so the
/// client also refuses, before sending, any path with such a segment; use
/// [`path_param`] to reject `.`, `..` and empty values up front.
pub fn encode_path(segment: &str) -> String {
    match segment {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => percent_encode(segment),
    }
}

/// Encodes a path parameter with [`encode_path`], refusing an empty value
/// (which would silently address a different endpoint, e.g. `/users/`) and
/// `.` / `..` (which URL parsers resolve even when percent-encoded).
pub fn path_param(name: &str, value: &str) -> Result<String, Error> {
    match value {
        "" => Err(Error::Encode(format!(
            "path parameter `{name}` must not be empty"
        ))),
        "." | ".." => Err(Error::Encode(format!(
            "path parameter `{name}` must not be `{value}`"
        ))),
        _ => Ok(encode_path(value)),
    }
}

/// A value that can be written into a query string.
pub trait QueryValue {
    /// The value as query text (before percent-encoding).
    fn to_query_value(&self) -> String;
}

impl QueryValue for str {
    fn to_query_value(&self) -> String {
        self.to_owned()
    }
}

impl QueryValue for String {
    fn to_query_value(&self) -> String {
        self.clone()
    }
}

impl QueryValue for bool {
    fn to_query_value(&self) -> String {
        if *self { "true" } else { "false" }.to_owned()
    }
}

/// Implements [`QueryValue`] with `to_string` for number types.
macro_rules! query_value_via_to_string {
    ($($ty:ty),*) => {
        $(impl QueryValue for $ty {
            fn to_query_value(&self) -> String {
                self.to_string()
            }
        })*
    };
}

query_value_via_to_string!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

impl QueryValue for serde_json::Value {
    /// A string unquoted; anything else as JSON text.
    fn to_query_value(&self) -> String {
        match self {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query_value(&self) -> String {
        (**self).to_query_value()
    }
}

/// Query parameters: an ordered list of `(name, value)` pairs, not yet
/// percent-encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value`.
    pub fn push<V: QueryValue + ?Sized>(&mut self, name: &str, value: &V) {
        self.pairs.push((name.to_owned(), value.to_query_value()));
    }

    /// Adds `name=value` if the value is present.
    pub fn push_opt<V: QueryValue>(&mut self, name: &str, value: &Option<V>) {
        if let Some(value) = value {
            self.push(name, value);
        }
    }

    /// Adds an array: with `explode`, one `name=value` pair per element
    /// (`name=a&name=b`); otherwise a single pair whose value joins the
    /// elements with `delimiter` (`,` for form style, `' '` for
    /// spaceDelimited, `|` for pipeDelimited). An empty array adds nothing.
    pub fn push_array<V: QueryValue>(
        &mut self,
        name: &str,
        values: &[V],
        explode: bool,
        delimiter: char,
    ) {
        if values.is_empty() {
            return;
        }
        if explode {
            for value in values {
                self.push(name, value);
            }
        } else {
            let joined = values
                .iter()
                .map(QueryValue::to_query_value)
                .collect::<Vec<_>>()
                .join(delimiter.encode_utf8(&mut [0; 4]));
            self.pairs.push((name.to_owned(), joined));
        }
    }

    /// Adds an array if present; see [`Query::push_array`].
    pub fn push_array_opt<V: QueryValue>(
        &mut self,
        name: &str,
        values: &Option<Vec<V>>,
        explode: bool,
        delimiter: char,
    ) {
        if let Some(values) = values {
            self.push_array(name, values, explode, delimiter);
        }
    }

    /// The pairs, in insertion order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The percent-encoded query string without the leading `?`
    /// (spaces as `%20`).
    pub fn encode(&self) -> String {
        encode_pairs(&self.pairs)
    }
}

/// Percent-encodes `name=value` pairs joined by `&`.
fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A request body.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// A JSON document (`application/json`).
    Json(Vec<u8>),
    /// Form fields (`application/x-www-form-urlencoded`).
    Form(Vec<(String, String)>),
    /// A `multipart/form-data` body.
    Multipart(Vec<Part>),
    /// Raw bytes with their content type.
    Bytes {
        /// The bytes.
        data: Vec<u8>,
        /// The `Content-Type` to send.
        content_type: String,
    },
    /// Text with its content type.
    Text {
        /// The text.
        data: String,
        /// The `Content-Type` to send.
        content_type: String,
    },
}

impl Body {
    /// A JSON body; [`Error::Encode`] if the value cannot be serialized.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(|e| Error::Encode(format!("JSON body: {e}")))
    }

    /// A form body from a value that serializes to a JSON object, flattened:
    /// `null` fields are skipped, strings are sent as they are, numbers and
    /// booleans as their text, arrays as repeated keys, and nested objects as
    /// JSON text.
    pub fn form<T: serde::Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
        let value =
            serde_json::to_value(value).map_err(|e| Error::Encode(format!("form body: {e}")))?;
        let fields = match value {
            serde_json::Value::Object(fields) => fields,
            other => {
                return Err(Error::Encode(format!(
                    "form body must serialize to a JSON object, not {}",
                    crate::union::kind_of(&other).as_str()
                )))
            }
        };
        let mut pairs = Vec::new();
        for (name, value) in fields {
            match value {
                serde_json::Value::Array(items) => {
                    for item in items {
                        push_form_scalar(&mut pairs, &name, item);
                    }
                }
                other => push_form_scalar(&mut pairs, &name, other),
            }
        }
        Ok(Body::Form(pairs))
    }

    /// The `Content-Type` this body is sent with (multipart sets its own).
    pub(crate) fn content_type(&self) -> Option<&str> {
        match self {
            Body::None | Body::Multipart(_) => None,
            Body::Json(_) => Some("application/json"),
            Body::Form(_) => Some("application/x-www-form-urlencoded"),
            Body::Bytes { content_type, .. } | Body::Text { content_type, .. } => {
                Some(content_type)
            }
        }
    }

    /// The encoded form body.
    pub(crate) fn encode_form(pairs: &[(String, String)]) -> String {
        encode_pairs(pairs)
    }
}

/// Adds one flattened form value: `null` skipped, strings as they are,
/// objects and arrays as JSON text, anything else via `to_string`.
fn push_form_scalar(pairs: &mut Vec<(String, String)>, name: &str, value: serde_json::Value) {
    let text = match value {
        serde_json::Value::Null => return,
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    pairs.push((name.to_owned(), text));
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::None => f.write_str("None"),
            Body::Json(bytes) => write!(f, "Json({} bytes)", bytes.len()),
            Body::Form(pairs) => {
                let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
                f.debug_tuple("Form").field(&names).finish()
            }
            Body::Multipart(parts) => f.debug_tuple("Multipart").field(parts).finish(),
            Body::Bytes { data, content_type } => {
                write!(f, "Bytes({} bytes, {content_type})", data.len())
            }
            Body::Text { data, content_type } => {
                write!(f, "Text({} bytes, {content_type})", data.len())
            }
        }
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Clone, PartialEq, Eq)]
pub struct Part {
    name: String,
    content: PartContent,
}

/// What a [`Part`] carries.
#[derive(Clone, PartialEq, Eq)]
enum PartContent {
    Text(String),
    File(FileUpload),
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Part {
            name: name.into(),
            content: PartContent::Text(value.into()),
        }
    }

    /// A file field (the bytes are copied).
    pub fn file(name: impl Into<String>, file: &FileUpload) -> Self {
        Part {
            name: name.into(),
            content: PartContent::File(file.clone()),
        }
    }

    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Builds the reqwest part; called once per attempt.
    pub(crate) fn to_reqwest(&self) -> Result<reqwest::multipart::Part, Error> {
        match &self.content {
            PartContent::Text(text) => Ok(reqwest::multipart::Part::text(text.clone())),
            PartContent::File(file) => {
                let mut part = reqwest::multipart::Part::bytes(file.data.clone());
                if let Some(file_name) = &file.file_name {
                    part = part.file_name(file_name.clone());
                }
                match &file.content_type {
                    Some(content_type) => part.mime_str(content_type).map_err(|_| {
                        Error::Encode(format!(
                            "multipart part `{}`: invalid content type `{content_type}`",
                            self.name
                        ))
                    }),
                    None => Ok(part),
                }
            }
        }
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.content {
            PartContent::Text(text) => {
                write!(f, "Part::text({:?}, {} bytes)", self.name, text.len())
            }
            PartContent::File(file) => write!(f, "Part::file({:?}, {file:?})", self.name),
        }
    }
}

/// A file to upload in a multipart body.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FileUpload {
    /// The file contents.
    pub data: Vec<u8>,
    /// The file name sent to the server, if any.
    pub file_name: Option<String>,
    /// The content type, e.g. `image/png`; the server guesses if absent.
    pub content_type: Option<String>,
}

impl FileUpload {
    /// A file with these contents and no name or content type.
    pub fn new(data: impl Into<Vec<u8>>) -> Self {
        FileUpload {
            data: data.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// Reads a file from disk, naming it after the last path component.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let data = std::fs::read(path)?;
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        Ok(FileUpload {
            data,
            file_name,
            content_type: None,
        })
    }

    /// Sets the file name sent to the server.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the content type, e.g. `image/png`.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUpload")
            .field("len", &self.data.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_path_escapes_everything_but_unreserved() {
        assert_eq!(encode_path("user_123"), "user_123");
        assert_eq!(encode_path("a-b.c~d"), "a-b.c~d");
        assert_eq!(encode_path("a b"), "a%20b");
        assert_eq!(encode_path("a/b"), "a%2Fb");
        assert_eq!(encode_path("a?b=c"), "a%3Fb%3Dc");
        assert_eq!(encode_path("a#b"), "a%23b");
        assert_eq!(encode_path("100%"), "100%25");
        assert_eq!(encode_path("+&;"), "%2B%26%3B");
        assert_eq!(encode_path("é"), "%C3%A9");
        assert_eq!(encode_path("日本"), "%E6%97%A5%E6%9C%AC");
        assert_eq!(encode_path("."), "%2E");
        assert_eq!(encode_path(".."), "%2E%2E");
        assert_eq!(encode_path("../admin"), "..%2Fadmin");
        assert_eq!(encode_path("..."), "...");
        assert_eq!(encode_path(""), "");
    }

    #[test]
    fn path_param_rejects_empty() {
        assert_eq!(path_param("user_id", "u 1").ok().as_deref(), Some("u%201"));
        for bad in ["", ".", ".."] {
            let err = path_param("user_id", bad).map(|_| ()).unwrap_err();
            assert!(
                matches!(err, Error::Encode(ref m) if m.contains("user_id")),
                "{err}"
            );
        }
        assert_eq!(path_param("user_id", "...").ok().as_deref(), Some("..."));
    }

    #[test]
    fn query_explode_and_delimiters() {
        let ids = vec!["a".to_owned(), "b c".to_owned()];
        let mut q = Query::new();
        q.push_array("user_id", &ids, true, ',');
        assert_eq!(
            q.pairs(),
            &[
                ("user_id".into(), "a".into()),
                ("user_id".into(), "b c".into())
            ]
        );
        assert_eq!(q.encode(), "user_id=a&user_id=b%20c");

        let mut q = Query::new();
        q.push_array("user_id", &ids, false, ',');
        assert_eq!(q.pairs(), &[("user_id".into(), "a,b c".into())]);
        assert_eq!(q.encode(), "user_id=a%2Cb%20c");

        let mut q = Query::new();
        q.push_array("n", &[1, 2, 3], false, ' ');
        q.push_array("p", &[1, 2], false, '|');
        q.push_array("empty", &Vec::<i32>::new(), false, ',');
        q.push_array_opt("absent", &None::<Vec<i32>>, true, ',');
        q.push_array_opt("present", &Some(vec![true]), true, ',');
        assert_eq!(q.encode(), "n=1%202%203&p=1%7C2&present=true");
    }

    #[test]
    fn query_scalars() {
        let mut q = Query::new();
        q.push("limit", &10);
        q.push("offset", &0u64);
        q.push("ratio", &1.5f64);
        q.push("flag", &true);
        q.push("off", &false);
        q.push("s", "x&y=z");
        q.push("owned", &"o".to_owned());
        q.push("ref", &&"r");
        q.push("json_str", &serde_json::json!("plain"));
        q.push("json_obj", &serde_json::json!({"a": 1}));
        q.push_opt("skipped", &None::<String>);
        q.push_opt("kept", &Some(-3i64));
        let expected: Vec<(String, String)> = [
            ("limit", "10"),
            ("offset", "0"),
            ("ratio", "1.5"),
            ("flag", "true"),
            ("off", "false"),
            ("s", "x&y=z"),
            ("owned", "o"),
            ("ref", "r"),
            ("json_str", "plain"),
            ("json_obj", "{\"a\":1}"),
            ("kept", "-3"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        assert_eq!(q.pairs(), expected.as_slice());
        assert!(q.encode().contains("s=x%26y%3Dz"));
        assert!(Query::new().is_empty());
    }

    #[test]
    fn form_flattening() {
        let value = serde_json::json!({
            "name": "Ada Lovelace",
            "age": 36,
            "admin": false,
            "nothing": null,
            "tags": ["a", 2, null, {"k": "v"}],
            "meta": {"x": [1]},
        });
        let Body::Form(pairs) = Body::form(&value).expect("object") else {
            panic!("not a form body");
        };
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut expected = vec![
            ("name", "Ada Lovelace"),
            ("age", "36"),
            ("admin", "false"),
            ("tags", "a"),
            ("tags", "2"),
            ("tags", "{\"k\":\"v\"}"),
            ("meta", "{\"x\":[1]}"),
        ];
        let mut got_sorted = got.clone();
        got_sorted.sort();
        expected.sort();
        assert_eq!(got_sorted, expected);
        assert_eq!(
            Body::encode_form(&[("a b".into(), "c&d".into())]),
            "a%20b=c%26d"
        );
        assert!(matches!(Body::form(&[1, 2]), Err(Error::Encode(m)) if m.contains("array")));
        assert!(matches!(Body::form("x"), Err(Error::Encode(_))));
    }

    #[test]
    fn json_body_and_content_types() {
        let body = Body::json(&serde_json::json!({"a": 1})).expect("serializable");
        assert_eq!(body, Body::Json(b"{\"a\":1}".to_vec()));
        assert_eq!(body.content_type(), Some("application/json"));
        assert_eq!(Body::None.content_type(), None);
        assert_eq!(
            Body::Text {
                data: "<p/>".into(),
                content_type: "text/html".into()
            }
            .content_type(),
            Some("text/html")
        );
        // Maps with non-string keys cannot be JSON.
        let bad: std::collections::BTreeMap<Vec<u8>, i32> = [(vec![1u8], 1)].into_iter().collect();
        assert!(matches!(Body::json(&bad), Err(Error::Encode(_))));
    }

    #[test]
    fn uploads_and_debug() {
        let file = FileUpload::new(vec![0u8; 2048])
            .with_file_name("a.png")
            .with_content_type("image/png");
        let debug = format!("{file:?}");
        assert!(debug.contains("2048") && debug.contains("a.png"), "{debug}");
        assert!(debug.len() < 200);
        let part = Part::file("file", &file);
        assert_eq!(part.name(), "file");
        assert!(part.to_reqwest().is_ok());
        let bad = Part::file(
            "file",
            &FileUpload::new(vec![1]).with_content_type("not a mime"),
        );
        assert!(matches!(bad.to_reqwest(), Err(Error::Encode(_))));
        assert!(Part::text("k", "v").to_reqwest().is_ok());

        let mut req = Request::new("CreateThing", reqwest::Method::POST, "/things");
        assert!(!req.idempotent && req.auth);
        req.headers.push(("x-token", "hidden-value".into()));
        req.body = Body::Multipart(vec![part]);
        let debug = format!("{req:?}");
        assert!(
            debug.contains("x-token") && !debug.contains("hidden-value"),
            "{debug}"
        );
        assert!(Request::new("GetThing", reqwest::Method::GET, "/t").idempotent);
        assert!(Request::new("DeleteThing", reqwest::Method::DELETE, "/t").idempotent);
    }

    #[test]
    fn file_upload_from_path() {
        let path = std::env::temp_dir().join(format!(
            "agentgen-runtime-upload-{}.txt",
            std::process::id()
        ));
        std::fs::write(&path, b"hello").expect("temp file");
        let file = FileUpload::from_path(&path).expect("readable");
        let _ = std::fs::remove_file(&path);
        assert_eq!(file.data, b"hello");
        assert_eq!(
            file.file_name.as_deref(),
            path.file_name().and_then(|n| n.to_str())
        );
    }
}
