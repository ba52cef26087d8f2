//! The operation document: the fields of an operation that a query is matched against.

use super::vocab::{identifier_words, snake, words, Vocabulary};
use crate::catalog::Operation;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The fields of an operation document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// The first word of the tool name after the group: what the operation does.
    Action,
    /// The rest of the tool name after the group.
    Name,
    Title,
    /// Group name and title.
    Group,
    /// The last word of the group name: what the operation acts on (`domains` in
    /// `organization_domains`).
    Entity,
    Description,
    /// Query parameter names (paging parameters left out).
    Filters,
    /// Enum values of the query parameters (`pending`, `active`).
    FilterValues,
    /// Path parameter names.
    Path,
    /// Names of the path parameters that scope the operation: those followed by more of the
    /// path (`user_id` in `/users/{user_id}/sessions`), whose entity owns what it acts on.
    Owner,
    /// Request body field names.
    Body,
    /// Descriptions of the parameters and body fields.
    ParamDocs,
    /// Response field names.
    Response,
    /// Whole names of path and query parameters, in snake_case (`user_id`): for ID hints only.
    Ids,
}

pub(super) const FIELDS: [Field; 14] = [
    Field::Action,
    Field::Name,
    Field::Title,
    Field::Group,
    Field::Entity,
    Field::Description,
    Field::Filters,
    Field::FilterValues,
    Field::Path,
    Field::Owner,
    Field::Body,
    Field::ParamDocs,
    Field::Response,
    Field::Ids,
];
pub(super) const NF: usize = FIELDS.len();

impl Field {
    /// BM25F weight and length normalization (`b`).
    pub(super) fn weight_b(self) -> (f64, f64) {
        match self {
            Field::Action => (3.0, 0.0),
            Field::Name => (2.0, 0.3),
            Field::Title => (2.5, 0.5),
            Field::Group => (1.5, 0.3),
            Field::Entity => (1.5, 0.0),
            Field::Description => (1.0, 0.75),
            // A list operation with many filters is not a worse match for one of them.
            Field::Filters => (2.0, 0.0),
            Field::FilterValues => (0.5, 0.0),
            // Mostly the entity's own ID (`user_id`), already said by the group and title.
            Field::Path => (0.2, 0.0),
            Field::Owner => (1.0, 0.0),
            Field::Body => (1.0, 0.2),
            Field::ParamDocs => (0.15, 0.75),
            Field::Response => (0.3, 0.5),
            Field::Ids => (3.0, 0.0),
        }
    }
}

/// Multipliers per field: what a word of the query is matched against (all but the ID field).
pub(super) fn word_fields() -> [f64; NF] {
    let mut m = [1.0; NF];
    m[Field::Ids as usize] = 0.0;
    // Said as an owner (`a user's`, `of a user`) it counts in full; otherwise it is mostly
    // the path parameter, already counted.
    m[Field::Owner as usize] = 0.0;
    m
}

/// A named thing of an operation (a parameter, a body or response field) and its terms.
#[derive(Debug)]
pub(super) struct Named {
    pub(super) name: String,
    pub(super) terms: HashSet<String>,
}

impl Named {
    fn new(vocab: &Vocabulary, name: &str) -> Named {
        Named {
            name: name.to_string(),
            terms: vocab.terms(&identifier_words(name)).into_iter().collect(),
        }
    }
}

/// One operation, indexed.
pub(super) struct Doc {
    /// Index in the catalog.
    pub(super) op: usize,
    /// Term frequencies per field.
    pub(super) tf: Vec<HashMap<String, f64>>,
    /// Field lengths in terms.
    pub(super) len: Vec<f64>,
    /// Title words as written (lower case) with their stems, for explanations.
    pub(super) title: Vec<(String, String)>,
    pub(super) filters: Vec<Named>,
    pub(super) params: Vec<Named>,
    pub(super) response: Vec<Named>,
    /// Stems of the tool name's words (stop words left out).
    pub(super) name_words: Vec<String>,
    /// Class `read`.
    pub(super) read: bool,
}

/// Follow local `$ref`s (`#/$defs/X`) from `schema` within `root`.
pub(super) fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(pointer) = r.strip_prefix('#') else {
            break;
        };
        match root.pointer(pointer) {
            Some(s) => schema = s,
            None => break,
        }
    }
    schema
}

/// Properties of an object schema (with its `allOf` parts), resolved: name -> schema.
pub(super) fn properties<'a>(root: &'a Value, schema: &'a Value) -> Vec<(&'a str, &'a Value)> {
    let schema = resolve(root, schema);
    let mut out = Vec::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        out.extend(props.iter().map(|(k, v)| (k.as_str(), v)));
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            let part = resolve(root, part);
            if let Some(props) = part.get("properties").and_then(Value::as_object) {
                out.extend(props.iter().map(|(k, v)| (k.as_str(), v)));
            }
        }
    }
    out
}

/// String enum values of a parameter schema (or of its array items).
pub(super) fn enum_values(root: &Value, schema: &Value) -> Vec<String> {
    let schema = resolve(root, schema);
    let schema = match schema.get("items") {
        Some(items) if schema.get("type").and_then(Value::as_str) == Some("array") => {
            resolve(root, items)
        }
        _ => schema,
    };
    schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Field names of a response: the top-level properties, and for an envelope (at most three
/// properties, one of them an array, such as `{data, total_count}`) the item's properties.
pub(super) fn response_fields(output: &Value) -> Vec<String> {
    let top = properties(output, output);
    let mut out: Vec<String> = top.iter().map(|(k, _)| k.to_string()).collect();
    if top.len() <= 3 {
        for (_, s) in &top {
            let s = resolve(output, s);
            if s.get("type").and_then(Value::as_str) == Some("array") {
                if let Some(items) = s.get("items") {
                    out.extend(properties(output, items).iter().map(|(k, _)| k.to_string()));
                }
            }
        }
    }
    out
}

/// The action that an HTTP method on a path implies: `list` for a GET of a collection (the path
/// ends in a literal segment), `get` for a GET of one item (it ends in a parameter), `delete`
/// for a DELETE; `None` for the rest (a POST may create or do anything).
pub(super) fn http_action(method: &str, path: &str) -> Option<&'static str> {
    let item = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .is_some_and(|s| s.starts_with('{'));
    match method.to_ascii_uppercase().as_str() {
        "GET" if item => Some("get"),
        "GET" => Some("list"),
        "DELETE" => Some("delete"),
        _ => None,
    }
}

/// The path parameters followed by more of the path: the owners of what the operation acts on
/// (`user_id` in `/users/{user_id}/sessions`, not in `/users/{user_id}`).
pub(super) fn owner_params(path: &str) -> Vec<&str> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments
        .iter()
        .enumerate()
        .filter(|(i, _)| i + 1 < segments.len())
        .filter_map(|(_, s)| s.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

pub(super) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(". ") {
        out.push(rest[..=i].trim());
        rest = &rest[i + 2..];
    }
    if !rest.trim().is_empty() {
        out.push(rest.trim());
    }
    out
}

impl Doc {
    /// Whether `term` is in one of the fields with a multiplier.
    pub(super) fn has(&self, term: &str, fields: &[f64; NF]) -> bool {
        (0..NF).any(|i| fields[i] != 0.0 && self.tf[i].contains_key(term))
    }

    pub(super) fn new(
        vocab: &Vocabulary,
        index: usize,
        op: &Operation,
        description: &str,
        group_title: Option<&str>,
    ) -> Doc {
        let mut fields: Vec<Vec<String>> = vec![Vec::new(); NF];
        let mut put = |f: Field, terms: Vec<String>| fields[f as usize].extend(terms);
        if let Some((action, rest)) = action_terms(vocab, op) {
            put(Field::Action, action);
            put(Field::Name, rest);
        }
        let title_words = words(&op.title);
        put(Field::Title, vocab.terms(&title_words));
        let mut group = identifier_words(&op.group);
        if let Some(last) = group.last() {
            put(Field::Entity, vocab.terms(std::slice::from_ref(last)));
        }
        group.extend(group_title.map(words).unwrap_or_default());
        put(Field::Group, vocab.terms(&group));
        let description: Vec<Option<String>> = words(description).into_iter().map(Some).collect();
        put(Field::Description, vocab.sequence_terms(&description));

        let Params {
            filters,
            values,
            path,
            owner,
            body,
            docs: param_docs,
            ids,
        } = params_of(vocab, op);
        let response: Vec<Named> = response_fields(&op.output_schema)
            .iter()
            .map(|n| Named::new(vocab, n))
            .collect();
        let flat = |list: &[Named]| -> Vec<String> {
            list.iter()
                .flat_map(|n| vocab.terms(&identifier_words(&n.name)))
                .collect()
        };
        put(Field::Filters, flat(&filters));
        put(Field::FilterValues, values);
        put(Field::Path, flat(&path));
        put(Field::Owner, owner);
        put(Field::Body, flat(&body));
        put(Field::ParamDocs, param_docs);
        put(Field::Response, flat(&response));
        put(Field::Ids, ids);

        let tf = fields
            .iter()
            .map(|terms| {
                let mut m: HashMap<String, f64> = HashMap::new();
                for t in terms {
                    *m.entry(t.clone()).or_default() += 1.0;
                }
                m
            })
            .collect();
        let len = fields.iter().map(|t| t.len() as f64).collect();
        let mut params = path;
        params.extend(body);
        let mut name_words: Vec<String> = identifier_words(&op.name)
            .iter()
            .filter(|w| !vocab.is_stop(w))
            .map(|w| vocab.stem(w))
            .collect();
        name_words.sort();
        name_words.dedup();
        Doc {
            op: index,
            name_words,
            read: op.is_read(),
            tf,
            len,
            title: title_words
                .iter()
                .map(|w| (w.clone(), vocab.stem(w)))
                .collect(),
            filters,
            params,
            response,
        }
    }
}

/// The terms of the tool name's action (its first word after the group), with what the HTTP
/// method and path say it does and the phrases of the vocabulary made of it and other words of
/// the name; and the terms of the rest of the name. `None` for a name with no words.
fn action_terms(vocab: &Vocabulary, op: &Operation) -> Option<(Vec<String>, Vec<String>)> {
    let method = op
        .name
        .strip_prefix(&format!("{}_", op.group))
        .unwrap_or(&op.name);
    let method_words = identifier_words(method);
    let (action, rest) = method_words.split_first()?;
    // The action, and the phrases of the tables made of it and other words of the tool name
    // (`create invitation` for `organization_invitations_create`).
    let action = vocab.stem(action);
    let name_stems: HashSet<String> = identifier_words(&op.name)
        .iter()
        .map(|w| vocab.stem(w))
        .collect();
    let mut terms = vec![action.clone()];
    // What the method and path say it does, when the name says something else: a GET of a
    // collection lists, a GET of one item gets, a DELETE deletes (`api_keys_get_api_keys`
    // lists; `api_keys_get_api_key` gets).
    if let Some(http) = http_action(&op.http.method, &op.http.path) {
        let http = vocab.stem(http);
        if http != action {
            terms.push(http);
        }
    }
    let mut phrases: Vec<String> = vocab
        .phrases
        .values()
        .flatten()
        .filter(|p| p.contains(&action) && p.iter().all(|w| name_stems.contains(w)))
        .map(|p| p.join(" "))
        .collect();
    phrases.sort();
    phrases.dedup();
    terms.extend(phrases);
    Some((terms, vocab.terms(rest)))
}

/// What an operation's parameters add to its document.
struct Params {
    /// Query parameters other than paging.
    filters: Vec<Named>,
    /// Terms of the filters' enum values.
    values: Vec<String>,
    /// Path parameters.
    path: Vec<Named>,
    /// Terms of the path parameters followed by more of the path (see [`owner_params`]).
    owner: Vec<String>,
    /// Properties of the body.
    body: Vec<Named>,
    /// Terms of the parameters' and properties' descriptions.
    docs: Vec<String>,
    /// Filter and path parameter names in snake case.
    ids: Vec<String>,
}

/// The parameters' part of an operation's document: query filters (not paging), path and body
/// parameters, and their descriptions.
fn params_of(vocab: &Vocabulary, op: &Operation) -> Params {
    let input = &op.input_schema;
    let props: HashMap<&str, &Value> = properties(input, input).into_iter().collect();
    let paging: Vec<&str> = op
        .pagination
        .iter()
        .flat_map(|p| {
            [
                Some(p.limit_param.as_str()),
                p.offset_param.as_deref(),
                p.cursor_param.as_deref(),
            ]
        })
        .flatten()
        .collect();
    let describe = |schema: Option<&Value>| -> Vec<String> {
        schema
            .and_then(|s| s.get("description"))
            .and_then(Value::as_str)
            .map(|d| {
                let ws: Vec<Option<String>> = words(d).into_iter().map(Some).collect();
                vocab.sequence_terms(&ws)
            })
            .unwrap_or_default()
    };
    let mut out = Params {
        filters: Vec::new(),
        values: Vec::new(),
        path: Vec::new(),
        owner: Vec::new(),
        body: Vec::new(),
        docs: Vec::new(),
        ids: Vec::new(),
    };
    let owner_params = owner_params(&op.http.path);
    for p in &op.http.params {
        let name = p.name.as_str();
        let schema = props.get(name).copied();
        match p.location.as_str() {
            "query" if !paging.contains(&name) => {
                out.filters.push(Named::new(vocab, name));
                out.ids.push(snake(name));
                for value in schema.map(|s| enum_values(input, s)).unwrap_or_default() {
                    out.values.extend(vocab.terms(&identifier_words(&value)));
                }
            }
            "path" => {
                if owner_params.contains(&name) {
                    out.owner.extend(vocab.terms(&identifier_words(name)));
                }
                out.path.push(Named::new(vocab, name));
                out.ids.push(snake(name));
            }
            _ => continue,
        }
        out.docs.extend(describe(schema));
    }
    if let Some(b) = props.get("body") {
        for (name, schema) in properties(input, b) {
            out.body.push(Named::new(vocab, name));
            out.docs.extend(describe(Some(schema)));
        }
    }
    out
}
