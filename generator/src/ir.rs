//! The intermediate representation: plain, serializable data with every name decided.
//!
//! Lowering (the `lower` module) is the only code that sees OpenAPI types; emitters and document
//! renderers read only this.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Index of a type in [`Api::types`].
pub type TypeId = usize;

/// The whole API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Api {
    /// Facts about the API used by the runtime and the documents.
    pub info: ApiInfo,
    /// Operation groups (Rust modules), in first-appearance order.
    pub groups: Vec<Group>,
    /// Sections of the skills (tags), in order of first appearance in [`Api::operations`].
    pub sections: Vec<Section>,
    /// Every operation, in spec order (path order, then method order).
    pub operations: Vec<Operation>,
    /// The type arena.
    pub types: Vec<TypeDef>,
    /// Webhook events the API sends (`x-webhooks`), in spec order; empty for most APIs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<WebhookEvent>,
    /// Names of the webhook events' module, feature and secret (decided even when the API
    /// sends no webhooks, so that nothing downstream derives them).
    pub webhook_names: WebhookNames,
}

/// The names the client and the documents give to the webhook events of an API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookNames {
    /// Module of the generated crate with the events (`webhooks`, or `webhook_events` when an
    /// operations group already has the name `webhooks`).
    pub module: String,
    /// Cargo feature that compiles the module (the module name in kebab-case).
    pub feature: String,
    /// Environment variable that holds the webhook signing secret.
    pub secret_env: String,
}

impl Api {
    /// The field a [`FieldRef`] names.
    pub fn field(&self, r: FieldRef) -> Option<&Field> {
        match &self.types.get(r.ty)?.kind {
            TypeKind::Struct { fields } => fields.get(r.field),
            _ => None,
        }
    }

    /// The wire names the pagination of `op` refers to, if it pages.
    pub fn paging_names<'a>(&'a self, op: &'a Operation) -> Option<PagingNames<'a>> {
        let p = op.pagination.as_ref()?;
        let wire = |i: ParamIdx| op.params.get(i).map_or("", |q| q.wire_name.as_str());
        let cursor = p.cursor();
        Some(PagingNames {
            limit: wire(p.limit),
            offset: p.offset().map(wire),
            after: cursor.map(|c| wire(c.after)),
            before: cursor.and_then(|c| c.before).map(wire),
            cursor_field: cursor.map(|c| self.field_name(c.field)),
            items: match p.items {
                ItemsAt::Root => None,
                ItemsAt::Envelope { items, .. } => Some(self.field_name(items)),
            },
            total: p.total().map(|t| self.field_name(t)),
        })
    }

    /// The wire name of the field a [`FieldRef`] names (empty when it names none, which
    /// lowering never produces).
    pub fn field_name(&self, r: FieldRef) -> &str {
        self.field(r).map_or("", |f| f.wire_name.as_str())
    }

    /// The type behind any aliases (`Nullable` wrappers are kept).
    pub fn resolve_alias<'a>(&'a self, t: &'a TypeRef) -> &'a TypeRef {
        let mut cur = t;
        // Bounded: alias cycles are reported by lowering.
        for _ in 0..64 {
            match cur {
                TypeRef::Named(id) => match &self.types[*id].kind {
                    TypeKind::Alias { target } => cur = target,
                    _ => return cur,
                },
                _ => return cur,
            }
        }
        cur
    }
}

/// The type behind aliases and `Nullable` wrappers, and how many `Nullable` layers were
/// crossed (each is one `Option` in the generated Rust type).
pub fn peel<'a>(types: &'a [TypeDef], t: &'a TypeRef) -> (&'a TypeRef, usize) {
    let mut cur = t;
    let mut nullable = 0;
    // Bounded: alias cycles are reported by lowering.
    for _ in 0..64 {
        match cur {
            TypeRef::Nullable(inner) => {
                nullable += 1;
                cur = inner;
            }
            TypeRef::Named(id) => match &types[*id].kind {
                TypeKind::Alias { target } => cur = target,
                _ => break,
            },
            _ => break,
        }
    }
    (cur, nullable)
}

/// One webhook event the API sends to its users (from `x-webhooks`).
///
/// The body is an envelope (`{type, object, timestamp, instance_id, event_attributes, data}`)
/// whose `data` has [`WebhookEvent::payload`]'s type. Payload types are decoded leniently: the
/// examples of real specs break their own schemas, so every field of a type reachable only from
/// webhooks is optional.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookEvent {
    /// The event type sent in the body's `type` (`user.created`).
    pub event_type: String,
    /// Variant name of the generated `Event` enum (`UserCreated`).
    pub variant: String,
    /// Type of the envelope's `data`.
    pub payload: TypeRef,
    /// `summary` of the event.
    pub summary: Option<String>,
    /// `description` of the event.
    pub description: Option<String>,
    /// Example bodies (whole envelopes), `$ref`s resolved.
    pub examples: Vec<serde_json::Value>,
    /// JSON pointer of the event (`#/x-webhooks/user.created`).
    pub pointer: String,
}

/// Validation facts of one schema node (what JSON Schema needs beyond the Rust type), and of
/// the schema nodes written inside it that have no IR node of their own (array items, map
/// values, tuple positions).
///
/// Every IR node that stands for a schema written in the spec carries the facts of that
/// schema: [`Field::constraints`] (the property), [`Param::constraints`] (its `schema`),
/// [`RequestBody::constraints`] (the media type's `schema`), [`Variant::constraints`] (the
/// `oneOf`/`anyOf` member) and [`TypeDef::constraints`] (the schema that defines the type).
/// A use of a named type has two: the use site's (a `$ref`'s are empty; an inline schema
/// that became a named type has its own, equal to the definition's) and the definition's.
/// Where both count (example synthesis, `crate::example`), the use site's come first: the
/// first `const`, `format`, `example` and `default` found wins, limits are intersected. The
/// JSON Schemas of the agent documents put the use site's on the use and the definition's
/// in its `$defs` entry; the diff and pagination read the use site's only.
///
/// Facts come only from a schema written at the node itself: the facts of a schema behind a
/// `$ref` are its definition's, and the facts inside a one-member `allOf`/`oneOf`/`anyOf`
/// wrapper are not the node's (only the wrapper's own are).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Constraints {
    /// `format` (`email`, `int64`, `date-time`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `pattern` (ECMA-262 regular expression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `minimum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// `maximum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// OpenAPI 3.0 boolean `exclusiveMinimum`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exclusive_minimum: bool,
    /// OpenAPI 3.0 boolean `exclusiveMaximum`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exclusive_maximum: bool,
    /// `minLength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    /// `maxLength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// `minItems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    /// `maxItems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    /// `uniqueItems`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unique_items: bool,
    /// `default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// `example` (the first of `examples` in OpenAPI 3.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
    /// Every value of an OpenAPI 3.1 `examples` list, when it has more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<serde_json::Value>,
    /// The only allowed value (a single-valued `enum`, such as `object: user`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub const_value: Option<serde_json::Value>,
    /// `readOnly`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// `writeOnly`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub write_only: bool,
    /// `deprecated`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Validation-only `anyOf` members (`{required: [...]}`, e.g. `domain` or `domains`):
    /// at least one of these property sets must be present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_of_required: Vec<Vec<String>>,
    /// Validation-only `oneOf` members: exactly one of these property sets must be present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub one_of_required: Vec<Vec<String>>,
    /// Facts of the `items` schema of an array written here ([`TypeRef::Array`]'s element).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Constraints>>,
    /// Facts of the `additionalProperties` schema of a map written here ([`TypeRef::Map`]'s
    /// value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Box<Constraints>>,
    /// Facts of the `prefixItems` schemas of a tuple written here, by position
    /// ([`TypeRef::Tuple`]'s members).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prefix_items: Vec<Constraints>,
}

/// No facts: what a node without constraints reads.
static NONE: Constraints = Constraints {
    format: None,
    pattern: None,
    minimum: None,
    maximum: None,
    exclusive_minimum: false,
    exclusive_maximum: false,
    min_length: None,
    max_length: None,
    min_items: None,
    max_items: None,
    unique_items: false,
    default: None,
    example: None,
    examples: Vec::new(),
    const_value: None,
    read_only: false,
    write_only: false,
    deprecated: false,
    any_of_required: Vec::new(),
    one_of_required: Vec::new(),
    items: None,
    values: None,
    prefix_items: Vec::new(),
};

impl Constraints {
    /// True when nothing is recorded (nested facts included).
    pub fn is_empty(&self) -> bool {
        self == &NONE
    }

    /// Facts of the array items (empty when none are recorded).
    pub fn items(&self) -> &Constraints {
        self.items.as_deref().unwrap_or(&NONE)
    }

    /// Facts of the map values (empty when none are recorded).
    pub fn values(&self) -> &Constraints {
        self.values.as_deref().unwrap_or(&NONE)
    }

    /// Facts of tuple position `i` (empty when none are recorded).
    pub fn prefix_item(&self, i: usize) -> &Constraints {
        self.prefix_items.get(i).unwrap_or(&NONE)
    }
}

/// API-wide facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiInfo {
    /// `info.title`.
    pub title: String,
    /// `info.version` (Clerk: the API version sent in `Clerk-API-Version`).
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.summary` (OpenAPI 3.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The license of the API description: `info.license.identifier` (an SPDX expression,
    /// OpenAPI 3.1), else `info.license.name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// First server URL with variables substituted by their defaults.
    pub default_base_url: String,
    /// Header that carries `version` on every request, if any.
    pub version_header: Option<String>,
    /// Environment variable holding the secret key.
    pub key_env_var: String,
    /// Retry policy from `x-speakeasy-retries`, if present.
    pub retry: Option<RetryInfo>,
    /// Name of the generated crate (kebab-case).
    pub crate_name: String,
    /// Version of the generated crate.
    pub crate_version: String,
    /// The spec text this IR was lowered from.
    pub source: SpecSource,
}

/// Facts about the spec text an [`Api`] comes from, for the documents that cite it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecSource {
    /// sha256 of the spec text (hex).
    pub sha256: String,
    /// Bytes of spec the IR comes from (the webhooks spec included).
    pub bytes: usize,
    /// Where the spec is published: the pinned URL when the spec is the pinned one, else
    /// its file name (never an absolute path: output must not depend on where it sits).
    pub location: String,
}

/// Backoff settings from `x-speakeasy-retries`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetryInfo {
    /// First wait.
    pub initial_interval_ms: u64,
    /// Longest wait.
    pub max_interval_ms: u64,
    /// Growth factor per attempt.
    pub exponent: f64,
    /// Give up after this long.
    pub max_elapsed_ms: u64,
    /// Total number of attempts, the first one included.
    pub max_attempts: u32,
    /// Retry on 5XX.
    pub retry_5xx: bool,
    /// Retry on connection errors.
    pub retry_connection_errors: bool,
}

/// A group of operations: one Rust module and one accessor on the client.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Name as written in the spec (`x-speakeasy-group` or tag).
    pub wire_name: String,
    /// Module name and accessor method (`users`).
    pub module: String,
    /// Cargo feature of the generated crate that compiles this group (`users`): the module
    /// name without `r#`, so feature, module and accessor read the same.
    pub feature: String,
    /// Type name of the group handle (`Users`).
    pub type_name: String,
    /// Description of the tag the group came from, if any.
    pub description: Option<String>,
    /// Indices into [`Api::operations`].
    pub operations: Vec<usize>,
    /// Title in documents: the first tag most of its operations carry (`API Keys`), else a
    /// title made from the wire name.
    pub title: String,
    /// The section (index into [`Api::sections`]) whose reference file describes the group:
    /// the one of its title.
    pub section: usize,
}

/// A section of the skills: a tag (or the title of a group whose operations have none) and
/// its reference file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The tag, whitespace normalized (`Redirect URLs`).
    pub title: String,
    /// Its reference file under a skill's `references/`, without `.md` (`redirect-urls`),
    /// unique in the API.
    pub file: String,
}

/// Safety class of an operation, shared by the client and every agent document. Ordered
/// from least to most harmful, so that a ceiling compares with `<=`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SafetyClass {
    /// No side effects.
    Read,
    /// Creates or changes state.
    Write,
    /// Deletes, revokes, bans: hard or impossible to undo.
    Destructive,
}

impl SafetyClass {
    /// `read`, `write` or `destructive`.
    pub fn as_str(self) -> &'static str {
        match self {
            SafetyClass::Read => "read",
            SafetyClass::Write => "write",
            SafetyClass::Destructive => "destructive",
        }
    }
}

/// Safety classification of an operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Safety {
    /// The class.
    pub class: SafetyClass,
    /// Repeating the call has the same effect as calling once.
    pub idempotent: bool,
    /// Why the class differs from the HTTP-method default, when it does.
    pub reason: Option<String>,
    /// What secret or credential the operation returns, when it returns one (decided by
    /// `lower::credentials`).
    pub credential: Option<Credential>,
}

impl Safety {
    /// Whether a read-only connection or client may call the operation: it is `read` and
    /// returns no credential ("cannot change anything and cannot obtain credentials").
    pub fn read_only_safe(&self) -> bool {
        self.class == SafetyClass::Read && self.credential.is_none()
    }
}

/// Why an operation counts as returning a credential.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credential {
    /// What it returns, in words (`Returns the secret key of a machine.`).
    pub reason: String,
    /// Who decided.
    pub source: CredentialSource,
    /// Response fields that look like credentials (`secret`, `data[].api_key`), found by the
    /// heuristic; empty when none does.
    pub fields: Vec<String>,
}

/// Who decided that an operation returns a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialSource {
    /// The reviewed safety file (`credential:`).
    Reviewed,
    /// The response-field heuristic, not overruled by the safety file (`no_credential:`).
    Heuristic,
}

impl CredentialSource {
    /// `reviewed` or `heuristic`.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialSource::Reviewed => "reviewed",
            CredentialSource::Heuristic => "heuristic",
        }
    }
}

/// One API operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// `operationId` (synthesized from method and path when missing).
    pub operation_id: String,
    /// The name every agent document calls the operation by (`users_list`): the group's
    /// module and the method, snake_case, at most [`crate::naming::MAX_TOOL_NAME`]
    /// characters, unique in the API.
    pub tool_name: String,
    /// Index into [`Api::groups`].
    pub group: usize,
    /// Rust method name within the group (`list`).
    pub method_name: String,
    /// Name of the optional-parameters struct, when the operation has optional parameters.
    pub params_type: Option<String>,
    /// HTTP method.
    pub http_method: HttpMethod,
    /// Path template relative to the server URL (`/users/{user_id}`).
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Deprecated operation.
    pub deprecated: bool,
    /// Tags, in spec order.
    pub tags: Vec<String>,
    /// The sections (indices into [`Api::sections`]) the skills file the operation under:
    /// its first distinct tags, else its group's title. The first is where the index lists it.
    pub sections: Vec<usize>,
    /// Parameters in spec order.
    pub params: Vec<Param>,
    /// Request body.
    pub body: Option<RequestBody>,
    /// Success response.
    pub response: SuccessResponse,
    /// Declared non-success status codes, ascending.
    pub error_statuses: Vec<u16>,
    /// Safety classification.
    pub safety: Safety,
    /// Whether the bearer key is sent.
    pub auth: bool,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// How the operation pages through a list, when it does (filled after lowering by
    /// `lower::pagination`).
    pub pagination: Option<Pagination>,
    /// The operation's vendor extensions (`x-...`), as written (the change report compares
    /// them).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, serde_json::Value>,
}

/// How a list operation pages, detected from its parameters and success response (Clerk
/// declares no `x-speakeasy-pagination`).
///
/// Every list operation has a numeric page-size parameter (`limit`) and either a numeric
/// `offset` or a cursor parameter (`starting_after`) that takes the `id` of the last item
/// seen. Its items are the whole response (a bare array) or the one array property of an
/// envelope object (`{data, total_count}`, `{m2m_tokens, total_count}`). The generated
/// `<method>_stream` pages with [`Pagination::strategy`]; an operation that accepts both an
/// offset and a cursor (Clerk's `GetUserList`) streams by offset and records the cursor in
/// [`Pagination::alt_cursor`], which the stream switches to when the caller sets it.
///
/// Parameters and fields are referred to by index, never by name: lowering found them, so
/// the client's stream and every document that advertises it use the same ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pagination {
    /// What the generated stream pages with.
    pub strategy: PageStrategy,
    /// A cursor the operation also accepts when the strategy is [`PageStrategy::Offset`].
    pub alt_cursor: Option<CursorPaging>,
    /// The optional query parameter with the page size.
    pub limit: ParamIdx,
    /// Largest page size the spec allows (the limit parameter's `maximum`), if declared.
    pub max_limit: Option<u64>,
    /// Where the items are in a page.
    pub items: ItemsAt,
    /// Type of one item.
    pub item_type: TypeRef,
    /// Name of the generated stream method (`list_stream`), unique in the group.
    pub stream_method: String,
}

/// The wire names of the parameters and fields a [`Pagination`] refers to
/// ([`Api::paging_names`]), as the documents show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingNames<'a> {
    /// Page-size parameter (`limit`).
    pub limit: &'a str,
    /// Offset parameter, when the stream pages by offset.
    pub offset: Option<&'a str>,
    /// Cursor parameter that starts a page after an item (`starting_after`), if any.
    pub after: Option<&'a str>,
    /// Cursor parameter that ends a page before an item (`ending_before`), if any.
    pub before: Option<&'a str>,
    /// Item property whose value is the cursor (`id`), with a cursor.
    pub cursor_field: Option<&'a str>,
    /// Envelope property with the items; `None` when the response is the array.
    pub items: Option<&'a str>,
    /// Envelope property with the total number of items, if any.
    pub total: Option<&'a str>,
}

/// Index of a parameter in [`Operation::params`].
pub type ParamIdx = usize;

/// A field of a struct in the type arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldRef {
    /// The struct ([`TypeKind::Struct`]).
    pub ty: TypeId,
    /// Index into its fields.
    pub field: usize,
}

/// How the generated stream advances from page to page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageStrategy {
    /// `offset` grows by the number of items received; the end is an empty page, a page
    /// shorter than the limit, or `offset >= total`.
    Offset {
        /// The optional query parameter with the offset.
        offset: ParamIdx,
    },
    /// The cursor of the next page is the last item's [`CursorPaging::field`]; the end is an
    /// empty page, a page shorter than the limit, or `total` items received.
    Cursor(CursorPaging),
}

/// A cursor parameter and the item property that feeds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CursorPaging {
    /// The optional query parameter that starts a page after an item (`starting_after`).
    pub after: ParamIdx,
    /// The optional query parameter that ends a page before an item (`ending_before`), if any.
    pub before: Option<ParamIdx>,
    /// The item's field whose value is the cursor (`id`); the item type is this struct, not
    /// nullable.
    pub field: FieldRef,
}

/// Where the items of a page are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemsAt {
    /// The response is the array of items.
    Root,
    /// The response is an envelope object (a struct, perhaps `null`) with the items in an
    /// array field.
    Envelope {
        /// The array field with the items.
        items: FieldRef,
        /// The integer field with the total number of items, if any (same struct).
        total: Option<FieldRef>,
        /// The response may be `null` (one `Option` around the envelope).
        nullable: bool,
    },
}

impl Pagination {
    /// The cursor the operation accepts, whichever strategy the stream uses.
    pub fn cursor(&self) -> Option<&CursorPaging> {
        match &self.strategy {
            PageStrategy::Cursor(c) => Some(c),
            PageStrategy::Offset { .. } => self.alt_cursor.as_ref(),
        }
    }

    /// The offset parameter, when the stream pages by offset.
    pub fn offset(&self) -> Option<ParamIdx> {
        match self.strategy {
            PageStrategy::Offset { offset } => Some(offset),
            PageStrategy::Cursor(_) => None,
        }
    }

    /// The field with the total number of items, if any.
    pub fn total(&self) -> Option<FieldRef> {
        match self.items {
            ItemsAt::Envelope { total, .. } => total,
            ItemsAt::Root => None,
        }
    }

    /// Check that every parameter and field this refers to exists and has the shape the
    /// stream needs: optional query parameters of `op` (which has a parameters struct), fields
    /// of structs. Lowering only builds paginations that pass; the emitter checks again so
    /// that a broken one is an error, never a silently missing stream.
    pub fn check(&self, op: &Operation, api: &Api) -> Result<(), String> {
        let fail = |what: String| Err(format!("the pagination of `{}` {what}", op.operation_id));
        if op.params_type.is_none() {
            return fail("needs optional parameters, and the operation has none".into());
        }
        let mut params = vec![self.limit];
        params.extend(self.offset());
        for c in self.cursor().into_iter().chain(self.alt_cursor.as_ref()) {
            params.push(c.after);
            params.extend(c.before);
        }
        for i in params {
            match op.params.get(i) {
                Some(p) if p.location == ParamLocation::Query && !p.required => {}
                _ => {
                    return fail(format!(
                        "refers to parameter #{i}, which is not an optional query parameter"
                    ))
                }
            }
        }
        let mut fields: Vec<FieldRef> = self.cursor().map(|c| c.field).into_iter().collect();
        if let ItemsAt::Envelope { items, total, .. } = self.items {
            fields.push(items);
            fields.extend(total);
        }
        for r in fields {
            if api.field(r).is_none() {
                return fail(format!(
                    "refers to field #{} of type #{}, which does not exist",
                    r.field, r.ty
                ));
            }
        }
        Ok(())
    }
}

/// The HTTP method of an operation: one of the eight an OpenAPI path item can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `PATCH`.
    Patch,
    /// `TRACE`.
    Trace,
}

impl HttpMethod {
    /// Every method, in the order of the fields of an OpenAPI path item.
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Trace,
    ];

    /// The method as sent on the wire, upper case (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// The key of the method in an OpenAPI path item, lower case (`get`).
    pub fn path_item_key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Options => "options",
            HttpMethod::Head => "head",
            HttpMethod::Patch => "patch",
            HttpMethod::Trace => "trace",
        }
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// Path segment.
    Path,
    /// Query string.
    Query,
    /// Request header.
    Header,
    /// Cookie.
    Cookie,
}

impl ParamLocation {
    /// The location as OpenAPI's `in` names it (`path`, `query`, `header`, `cookie`): the
    /// one spelling every document, the runtime's operation table and the diff use.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// A parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust identifier (already escaped, e.g. `r#type`).
    pub ident: String,
    /// Location.
    pub location: ParamLocation,
    /// Type.
    pub ty: TypeRef,
    /// Required.
    pub required: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Description.
    pub description: Option<String>,
    /// For arrays: repeated keys (`true`) or one joined value (`false`).
    pub explode: bool,
    /// For arrays that are not exploded: the delimiter.
    pub delimiter: char,
    /// Default value from the schema, as JSON text.
    pub default: Option<String>,
    /// JSON pointer.
    pub pointer: String,
    /// Validation facts of its `schema` (at `pointer` + `/schema`).
    pub constraints: Constraints,
}

/// How the request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Raw bytes with a content type.
    Bytes,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    /// Media type sent.
    pub content_type: String,
    /// Encoding.
    pub encoding: BodyEncoding,
    /// Type of the body.
    pub ty: TypeRef,
    /// `requestBody.required`.
    pub required: bool,
    /// Description.
    pub description: Option<String>,
    /// JSON pointer of the media type (its schema is at `pointer` + `/schema`).
    pub pointer: String,
    /// Validation facts of the media type's `schema`.
    pub constraints: Constraints,
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuccessResponse {
    /// Status code declared (200, 201, 204...), or 0 when the spec declares none.
    pub status: u16,
    /// Body kind.
    pub kind: ResponseKind,
    /// Description.
    pub description: Option<String>,
}

/// Body of a successful response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "type", rename_all = "lowercase")]
pub enum ResponseKind {
    /// JSON decoded into a type.
    Json(TypeRef),
    /// No body.
    Empty,
    /// Text (HTML, plain).
    Text,
    /// Raw bytes.
    Bytes,
}

/// A reference to a type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "of", rename_all = "snake_case")]
pub enum TypeRef {
    /// A named type in the arena.
    Named(TypeId),
    /// String.
    String,
    /// 64-bit integer (timestamps are milliseconds).
    Integer,
    /// 64-bit float.
    Number,
    /// Boolean.
    Boolean,
    /// Binary content (file uploads).
    Bytes,
    /// Untyped JSON.
    Json,
    /// Free-form JSON object (`additionalProperties: true` or no properties).
    JsonObject,
    /// Array.
    Array(Box<TypeRef>),
    /// Map with string keys.
    Map(Box<TypeRef>),
    /// The value may be `null`.
    Nullable(Box<TypeRef>),
    /// A fixed-length array whose positions have their own types (`prefixItems`): a Rust
    /// tuple.
    Tuple(Vec<TypeRef>),
}

/// Every named type that `roots` mention and every named type those reach through fields,
/// variants and alias targets: the one walk of the type graph that lowering, the feature
/// gates, the skills and the diff share.
pub fn reachable<'a>(
    types: &[TypeDef],
    roots: impl IntoIterator<Item = &'a TypeRef>,
) -> BTreeSet<TypeId> {
    let mut stack = Vec::new();
    for r in roots {
        r.named_ids(&mut stack);
    }
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            for r in types[id].refs() {
                r.named_ids(&mut stack);
            }
        }
    }
    seen
}

impl Operation {
    /// The types an operation mentions: its parameters', its body's and its JSON response's.
    pub fn type_roots(&self) -> Vec<&TypeRef> {
        let mut roots: Vec<&TypeRef> = self.params.iter().map(|p| &p.ty).collect();
        roots.extend(self.body.as_ref().map(|b| &b.ty));
        if let ResponseKind::Json(t) = &self.response.kind {
            roots.push(t);
        }
        roots
    }
}

impl TypeDef {
    /// The type references inside this type: its fields', its variants' or its alias target.
    pub fn refs(&self) -> Vec<&TypeRef> {
        match &self.kind {
            TypeKind::Struct { fields } => fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Union { variants, .. } => variants.iter().map(|v| &v.ty).collect(),
            TypeKind::Alias { target } => vec![target],
            TypeKind::Enum { .. } => Vec::new(),
        }
    }
}

impl TypeRef {
    /// Push the named types this reference mentions, through arrays, maps, `Nullable` and
    /// tuples (not through other named types).
    pub fn named_ids(&self, out: &mut Vec<TypeId>) {
        match self {
            TypeRef::Named(id) => out.push(*id),
            TypeRef::Array(i) | TypeRef::Map(i) | TypeRef::Nullable(i) => i.named_ids(out),
            TypeRef::Tuple(items) => items.iter().for_each(|i| i.named_ids(out)),
            _ => {}
        }
    }

    /// The type without a top-level `Nullable`.
    pub fn non_null(&self) -> &TypeRef {
        match self {
            TypeRef::Nullable(inner) => inner.non_null(),
            other => other,
        }
    }
    /// True if the value may be `null`.
    pub fn is_nullable(&self) -> bool {
        matches!(self, TypeRef::Nullable(_))
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDef {
    /// Rust name (PascalCase, unique).
    pub name: String,
    /// Name in the spec for components (`JWKS.ed25519.PublicKey`), else None.
    pub wire_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Shape.
    pub kind: TypeKind,
    /// Where it is used (filled after operations are lowered).
    pub usage: Usage,
    /// JSON pointer of its schema.
    pub pointer: String,
    /// Validation facts of the schema at `pointer` (for an alias of an array, map or tuple,
    /// also of its items, values or positions).
    pub constraints: Constraints,
}

/// Where a type is reachable from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// From a request body.
    pub request: bool,
    /// From a response body.
    pub response: bool,
    /// Sent as a multipart form (fields are parts, not JSON).
    pub multipart: bool,
}

/// Shape of a named type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeKind {
    /// Object with known properties.
    Struct {
        /// Fields in spec order.
        fields: Vec<Field>,
    },
    /// String enum; always open (unknown values are kept).
    Enum {
        /// Known values.
        values: Vec<EnumValue>,
    },
    /// `oneOf` / real `anyOf`.
    Union {
        /// Discriminator property, when declared.
        tag: Option<String>,
        /// Variants, most specific first.
        variants: Vec<Variant>,
    },
    /// Another name for a type (array components, primitive components, `$ref` wrappers).
    Alias {
        /// Target.
        target: TypeRef,
    },
}

/// A struct field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Property name on the wire.
    pub wire_name: String,
    /// Rust identifier (escaped).
    pub ident: String,
    /// Type (may be `Nullable`).
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// Description.
    pub description: Option<String>,
    /// Deprecated.
    pub deprecated: bool,
    /// `readOnly`.
    pub read_only: bool,
    /// Must be boxed (recursive type).
    pub boxed: bool,
    /// JSON pointer.
    pub pointer: String,
    /// Validation facts of the property's schema (a `$ref`'s are empty: see
    /// [`TypeDef::constraints`]).
    pub constraints: Constraints,
}

/// A known enum value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumValue {
    /// Value on the wire.
    pub wire: String,
    /// Variant name.
    pub ident: String,
}

/// A union variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Variant name.
    pub ident: String,
    /// Payload type.
    pub ty: TypeRef,
    /// Discriminator values that select this variant.
    pub tag_values: Vec<String>,
    /// JSON kind of the payload (for untagged dispatch).
    pub json_kind: JsonKind,
    /// Required property names (objects).
    pub required: Vec<String>,
    /// Known property names (objects).
    pub properties: Vec<String>,
    /// String properties with known values (enums and constant tags), for dispatch by shape.
    pub values: Vec<(String, Vec<String>)>,
    /// Must be boxed (recursive type).
    pub boxed: bool,
    /// JSON pointer of the `oneOf`/`anyOf` member schema.
    pub pointer: String,
    /// Validation facts of the member schema (a `$ref`'s are empty).
    pub constraints: Constraints,
}

/// JSON kind of a union variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonKind {
    /// Object.
    Object,
    /// Array.
    Array,
    /// String.
    String,
    /// Integer.
    Integer,
    /// Number.
    Number,
    /// Boolean.
    Boolean,
    /// Anything.
    Any,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.to_string(),
            wire_name: None,
            description: None,
            kind,
            usage: Usage::default(),
            pointer: String::new(),
            constraints: Constraints::default(),
        }
    }

    #[test]
    fn reachable_follows_fields_variants_aliases_and_wrappers_once() {
        let field = |ty: TypeRef| Field {
            wire_name: "f".into(),
            ident: "f".into(),
            ty,
            required: true,
            description: None,
            deprecated: false,
            read_only: false,
            boxed: false,
            pointer: String::new(),
            constraints: Constraints::default(),
        };
        let named = |id| Box::new(TypeRef::Named(id));
        let types = vec![
            // 0 -> 1 through Nullable(Array(..)), and back to itself.
            def(
                "A",
                TypeKind::Struct {
                    fields: vec![
                        field(TypeRef::Nullable(Box::new(TypeRef::Array(named(1))))),
                        field(TypeRef::Named(0)),
                    ],
                },
            ),
            // 1 -> 2 through a tuple.
            def(
                "B",
                TypeKind::Alias {
                    target: TypeRef::Tuple(vec![TypeRef::String, TypeRef::Map(named(2))]),
                },
            ),
            def("C", TypeKind::Enum { values: Vec::new() }),
            // Reached by nothing.
            def(
                "D",
                TypeKind::Alias {
                    target: TypeRef::Named(0),
                },
            ),
        ];
        let root = TypeRef::Named(0);
        assert_eq!(reachable(&types, [&root]), BTreeSet::from([0, 1, 2]));
        assert_eq!(reachable(&types, [&TypeRef::String]), BTreeSet::new());
        assert_eq!(
            reachable(&types, [&TypeRef::Named(3)]),
            BTreeSet::from([0, 1, 2, 3])
        );
    }
}
