//! Operation search, shared by the MCP server's `search_operations` and `agentgen search`:
//! BM25F over the fields of each operation document, with English stemming, stop words,
//! synonyms and hints taken from IDs and email addresses in the query.
//!
//! Each operation is a document with fields of different weights: the action of its tool name
//! (`create` in `organization_invitations_create`) and the rest of it, its title, group,
//! description (without the sentences that many operations share), the names of its query
//! parameters (the filters of a list operation) and their enum values, its path parameters,
//! its body fields, the descriptions of those, the field names of its response, and the whole
//! names of its path and query parameters (for ID hints).
//!
//! A query is split into words and the phrases of the synonym tables (`look up`, `sign out`,
//! also with a word or two in between: `sign a user out`); stop words are left out; the rest is
//! stemmed. Each word asks for its own stem and, at a lower weight, for its synonyms
//! (spec/search-synonyms.yaml for any API, the manifest's `search.synonyms` for this one). An
//! email address in the query asks for an operation that filters by email (or takes one); an ID
//! such as `user_2abc...` asks for its entity (`user`) and for an operation that takes a
//! `user_id`. An operation's score is the BM25F sum over what the query asks for, times the
//! share of it that the operation answers. Ties keep catalog order: the ranking is
//! deterministic.
//!
//! The index is built once per server (or command) from the operations it may show.

use crate::catalog::{Catalog, Operation};
use rust_stemmers::{Algorithm, Stemmer};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The search vocabulary that fits any API (reviewed data: `spec/search-synonyms.yaml`).
pub const GENERIC_VOCABULARY: &str = include_str!("../../spec/search-synonyms.yaml");

/// BM25 saturation.
const K1: f64 = 3.0;
/// Weight of a synonym relative to the word itself.
const SYNONYM_WEIGHT: f64 = 0.6;
/// Longest phrase of the synonym tables, in words.
const MAX_PHRASE: usize = 4;
/// Words a query phrase may have in between (`sign a user out`).
const PHRASE_GAP: usize = 2;
/// Texts up to this many words match a phrase of the tables when they contain all its words,
/// in any order (`organization_invitations_create` has `create invitation`).
const SHORT_TEXT: usize = 12;
/// How much answering only part of the query costs: the score is multiplied by the share of
/// the query's words answered, to this power.
const COORDINATION: f64 = 1.0;
/// When the query says what to do (a word that is the action of some operation: `list`,
/// `ban`, or a synonym), an operation whose action is none of those is multiplied by this...
const OTHER_ACTION: f64 = 0.6;
/// ... and one whose action is only a synonym of one (`get` for `list`) by this.
const SYNONYM_ACTION: f64 = 0.85;
/// A query word counts as answered in full when its weighted frequency reaches this (a match
/// in a field of weight 1 or more); a weaker match (only in parameter descriptions, say)
/// answers it in part.
const ANSWERED: f64 = 1.0;
/// How much an operation's tool name must be explained by the query: the score is multiplied
/// by `1 - NAME_COVERAGE + NAME_COVERAGE * share`, where `share` is the share of the tool
/// name's words that the query asks for (directly or by a synonym). Among operations that
/// answer the query, the one whose name is the query (`organizations_list` for "list all
/// organizations") beats one with more to it (`organization_domains_list_all`).
const NAME_COVERAGE: f64 = 0.3;
/// A query that says nothing to do ("which user has external id 12345", "ada@example.com")
/// asks to read: other operations are multiplied by this.
const NOT_READ: f64 = 0.8;
/// Weight of the head of the query's object ("sessions" in "list a user's active sessions").
const HEAD_WEIGHT: f64 = 2.0;
/// Weight of the entity named by an ID's prefix (`user` for `user_2abc...`): the ID is what
/// the operation takes rather than what it is about.
const ID_ENTITY_WEIGHT: f64 = 0.5;

/// The fields of an operation document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
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
    /// Request body field names.
    Body,
    /// Descriptions of the parameters and body fields.
    ParamDocs,
    /// Response field names.
    Response,
    /// Whole names of path and query parameters, in snake_case (`user_id`): for ID hints only.
    Ids,
}

const FIELDS: [Field; 13] = [
    Field::Action,
    Field::Name,
    Field::Title,
    Field::Group,
    Field::Entity,
    Field::Description,
    Field::Filters,
    Field::FilterValues,
    Field::Path,
    Field::Body,
    Field::ParamDocs,
    Field::Response,
    Field::Ids,
];
const NF: usize = FIELDS.len();

impl Field {
    /// BM25F weight and length normalization (`b`).
    fn weight_b(self) -> (f64, f64) {
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
            Field::Body => (1.0, 0.2),
            Field::ParamDocs => (0.15, 0.75),
            Field::Response => (0.3, 0.5),
            Field::Ids => (3.0, 0.0),
        }
    }
}

/// Multipliers per field: what a word of the query is matched against (all but the ID field).
fn word_fields() -> [f64; NF] {
    let mut m = [1.0; NF];
    m[Field::Ids as usize] = 0.0;
    m
}

/// `spec/search-synonyms.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    #[serde(default)]
    stop_words: Vec<String>,
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
}

fn parse_vocabulary(text: &str) -> Result<VocabularyFile, String> {
    yaml_serde::from_str(text).map_err(|e| format!("spec/search-synonyms.yaml: {e}"))
}

fn generic_vocabulary() -> &'static VocabularyFile {
    static VOCABULARY: OnceLock<VocabularyFile> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        // Embedded at build time and parsed by a unit test: it cannot fail at run time.
        parse_vocabulary(GENERIC_VOCABULARY).expect("the embedded search vocabulary parses")
    })
}

/// Lower-case words of prose: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Lower-case words of an identifier: split on `_`, `-`, `.` and camelCase humps
/// (`apiKeyID` is `api key id`).
fn identifier_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            if (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_uppercase() && cur.is_uppercase() && next_lower)
            {
                out.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        if start < chars.len() {
            out.push(chars[start..].iter().collect::<String>().to_lowercase());
        }
    }
    out
}

/// An identifier as lower-case snake_case (`apiKeyID` -> `api_key_id`).
fn snake(name: &str) -> String {
    identifier_words(name).join("_")
}

/// Stemming, stop words and synonyms.
struct Vocabulary {
    stemmer: Stemmer,
    stop: HashSet<String>,
    /// Stemmed term (a phrase: stems joined by a space) -> the other members of its groups,
    /// stemmed, in table order.
    synonyms: HashMap<String, Vec<String>>,
    /// Stemmed term -> the other members of its groups as written (lower case).
    synonym_words: HashMap<String, Vec<String>>,
    /// Phrases of the tables, stemmed, by their first stem.
    phrases: HashMap<String, Vec<Vec<String>>>,
}

impl Vocabulary {
    fn new(api_synonyms: &[Vec<String>]) -> Vocabulary {
        let generic = generic_vocabulary();
        let mut v = Vocabulary {
            stemmer: Stemmer::create(Algorithm::English),
            stop: generic
                .stop_words
                .iter()
                .map(|w| w.to_lowercase())
                .collect(),
            synonyms: HashMap::new(),
            synonym_words: HashMap::new(),
            phrases: HashMap::new(),
        };
        for group in generic.synonyms.iter().chain(api_synonyms) {
            let members: Vec<(String, String)> = group
                .iter()
                .filter_map(|m| {
                    let ws = words(m);
                    if ws.is_empty() || ws.len() > MAX_PHRASE {
                        return None;
                    }
                    let stems: Vec<String> = ws.iter().map(|w| v.stem(w)).collect();
                    if stems.len() > 1 {
                        let known = v.phrases.entry(stems[0].clone()).or_default();
                        if !known.contains(&stems) {
                            known.push(stems.clone());
                        }
                    }
                    Some((stems.join(" "), ws.join(" ")))
                })
                .collect();
            for (term, _) in &members {
                for (other, written) in &members {
                    if other == term {
                        continue;
                    }
                    let alts = v.synonyms.entry(term.clone()).or_default();
                    if !alts.contains(other) {
                        alts.push(other.clone());
                    }
                    let ws = v.synonym_words.entry(term.clone()).or_default();
                    if !ws.contains(written) {
                        ws.push(written.clone());
                    }
                }
            }
        }
        // Longest phrases first.
        for list in v.phrases.values_mut() {
            list.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        }
        v
    }

    fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }

    fn is_stop(&self, word: &str) -> bool {
        self.stop.contains(word)
    }

    /// The phrase of the tables that starts at `stems[i]`, its words in order with at most
    /// [`PHRASE_GAP`] other words in between and none of them `taken` or a break (`None`):
    /// the positions of its words.
    fn phrase_at(
        &self,
        stems: &[Option<String>],
        taken: &[bool],
        i: usize,
    ) -> Option<(String, Vec<usize>)> {
        let first = stems[i].as_ref()?;
        'phrases: for phrase in self.phrases.get(first)? {
            let mut at = vec![i];
            let mut gap = 0;
            let mut j = i + 1;
            for want in &phrase[1..] {
                loop {
                    let (Some(Some(s)), false) =
                        (stems.get(j), taken.get(j).copied().unwrap_or(true))
                    else {
                        continue 'phrases;
                    };
                    if s == want {
                        at.push(j);
                        j += 1;
                        break;
                    }
                    gap += 1;
                    j += 1;
                    if gap > PHRASE_GAP {
                        continue 'phrases;
                    }
                }
            }
            return Some((phrase.join(" "), at));
        }
        None
    }

    /// The terms of prose (a query, a description): its phrases of the tables (as one term
    /// each), and the stems of its other words that are not stop words.
    fn sequence_terms(&self, ws: &[Option<String>]) -> Vec<String> {
        self.sequence_terms_at(ws)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// [`Vocabulary::sequence_terms`] with the positions of each term's words.
    fn sequence_terms_at(&self, ws: &[Option<String>]) -> Vec<(String, Vec<usize>)> {
        let stems: Vec<Option<String>> = ws
            .iter()
            .map(|w| w.as_ref().map(|w| self.stem(w)))
            .collect();
        let mut taken = vec![false; ws.len()];
        let mut out = Vec::new();
        for i in 0..ws.len() {
            if taken[i] {
                continue;
            }
            if let Some((phrase, at)) = self.phrase_at(&stems, &taken, i) {
                for &k in &at {
                    taken[k] = true;
                }
                out.push((phrase, at));
                continue;
            }
            if let (Some(w), Some(s)) = (&ws[i], &stems[i]) {
                if !self.is_stop(w) {
                    out.push((s.clone(), vec![i]));
                }
            }
        }
        out
    }

    /// The terms of a short text (a name, a title): the stems of its words that are not stop
    /// words, and every phrase of the tables all of whose words it has. Longer texts are read
    /// as prose ([`Vocabulary::sequence_terms`]).
    fn terms(&self, ws: &[String]) -> Vec<String> {
        if ws.len() > SHORT_TEXT {
            let seq: Vec<Option<String>> = ws.iter().cloned().map(Some).collect();
            return self.sequence_terms(&seq);
        }
        let stems: Vec<String> = ws.iter().map(|w| self.stem(w)).collect();
        let mut out: Vec<String> = ws
            .iter()
            .zip(&stems)
            .filter(|(w, _)| !self.is_stop(w))
            .map(|(_, s)| s.clone())
            .collect();
        let have: HashSet<&String> = stems.iter().collect();
        let mut seen = HashSet::new();
        for s in &stems {
            for phrase in self.phrases.get(s).into_iter().flatten() {
                if phrase.iter().all(|p| have.contains(p)) && seen.insert(phrase) {
                    out.push(phrase.join(" "));
                }
            }
        }
        out
    }
}

/// A named thing of an operation (a parameter, a body or response field) and its terms.
#[derive(Debug)]
struct Named {
    name: String,
    terms: HashSet<String>,
}

/// One operation, indexed.
struct Doc {
    /// Index in the catalog.
    op: usize,
    /// Term frequencies per field.
    tf: Vec<HashMap<String, f64>>,
    /// Field lengths in terms.
    len: Vec<f64>,
    /// Title words as written (lower case) with their stems, for explanations.
    title: Vec<(String, String)>,
    filters: Vec<Named>,
    params: Vec<Named>,
    response: Vec<Named>,
    /// Stems of the tool name's words (stop words left out).
    name_words: Vec<String>,
    /// Class `read`.
    read: bool,
}

/// One result: an operation (its index in the catalog), its score and why it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index of the operation in [`Catalog::operations`].
    pub op: usize,
    /// Relevance (higher is better; only the order means something).
    pub score: f64,
    /// Why it matched, in a few words (`list users; filter email_address`).
    pub why: String,
}

/// One result as `search_operations` and `agentgen search --format json` show it:
/// `{name, class, summary, why}` (no `why` when listing without a query).
pub fn result_json(op: &Operation, why: Option<&str>) -> Value {
    let mut out = serde_json::json!({
        "name": op.name,
        "class": op.safety.class,
        "summary": op.title,
    });
    if let Some(why) = why.filter(|w| !w.is_empty()) {
        out["why"] = Value::String(why.to_string());
    }
    out
}

/// What a query asks for: a word (or phrase, or hint), the terms that answer it with their
/// weights (the first is the word itself), and where they count.
#[derive(Debug)]
struct Concept {
    alts: Vec<(String, f64)>,
    fields: [f64; NF],
    /// Multiplies its score.
    weight: f64,
    /// Whether answering it counts in the share of the query answered.
    counts: bool,
}

/// The search index over some operations of a catalog.
pub struct Index {
    vocab: Vocabulary,
    docs: Vec<Doc>,
    /// Every term of an action field.
    actions: HashSet<String>,
    /// Average field lengths.
    avg_len: Vec<f64>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("operations", &self.docs.len())
            .finish_non_exhaustive()
    }
}

/// Follow local `$ref`s (`#/$defs/X`) from `schema` within `root`.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
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
fn properties<'a>(root: &'a Value, schema: &'a Value) -> Vec<(&'a str, &'a Value)> {
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
fn enum_values(root: &Value, schema: &Value) -> Vec<String> {
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
fn response_fields(output: &Value) -> Vec<String> {
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

fn sentences(text: &str) -> Vec<&str> {
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

impl Index {
    /// The index over the operations of `catalog` at the indices `ops` (in catalog order).
    pub fn new(catalog: &Catalog, ops: &[usize]) -> Index {
        let vocab = Vocabulary::new(&catalog.manifest.search.synonyms);
        // Sentences that many descriptions share ("Changes data.", the paging sentence) say
        // nothing about any one operation: leave them out.
        let mut sentence_df: HashMap<&str, usize> = HashMap::new();
        for &i in ops {
            let mut seen = HashSet::new();
            for s in sentences(&catalog.operations[i].description) {
                if seen.insert(s) {
                    *sentence_df.entry(s).or_default() += 1;
                }
            }
        }
        let common = (ops.len() / 20).max(5);
        let group_titles: HashMap<&str, &str> = catalog
            .manifest
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.title.as_str()))
            .collect();
        let docs: Vec<Doc> = ops
            .iter()
            .map(|&i| {
                let op = &catalog.operations[i];
                let description: Vec<&str> = sentences(&op.description)
                    .into_iter()
                    .filter(|s| sentence_df.get(s).copied().unwrap_or(0) <= common)
                    .collect();
                let group_title = group_titles.get(op.group.as_str()).copied();
                Doc::new(&vocab, i, op, &description.join(" "), group_title)
            })
            .collect();
        let actions = docs
            .iter()
            .flat_map(|d| d.tf[Field::Action as usize].keys().cloned())
            .collect();
        let n = docs.len().max(1) as f64;
        let avg_len = (0..NF)
            .map(|f| (docs.iter().map(|d| d.len[f]).sum::<f64>() / n).max(1.0))
            .collect();
        Index {
            vocab,
            docs,
            actions,
            avg_len,
        }
    }

    /// Number of operations indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no operation is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// One page of results as `search_operations` returns it: `{total, results, next_page?,
    /// hint?}` with [`result_json`] items. An empty query lists every operation in catalog
    /// order; `group` keeps only that group's operations. `catalog` is the one the index was
    /// built from.
    pub fn page(
        &self,
        catalog: &Catalog,
        query: &str,
        group: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Value {
        let ranked: Vec<(usize, Option<String>)> = if query.trim().is_empty() {
            self.docs.iter().map(|d| (d.op, None)).collect()
        } else {
            self.search(query)
                .into_iter()
                .map(|h| (h.op, Some(h.why)))
                .collect()
        };
        let ranked: Vec<(&Operation, Option<String>)> = ranked
            .into_iter()
            .map(|(i, why)| (&catalog.operations[i], why))
            .filter(|(op, _)| group.is_none_or(|g| op.group == g))
            .collect();
        let total = ranked.len();
        let results: Vec<Value> = ranked
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(op, why)| result_json(op, why.as_deref()))
            .collect();
        let mut out = serde_json::json!({"total": total, "results": results});
        if offset.saturating_add(limit) < total {
            let mut next =
                serde_json::json!({"query": query, "offset": offset + limit, "limit": limit});
            if let Some(g) = group {
                next["group"] = Value::String(g.to_string());
            }
            out["next_page"] = next;
        }
        if total == 0 {
            out["hint"] = Value::String(
                "No match: try other words (what to do and to what, e.g. `list users`), or an empty query to list everything.".to_string(),
            );
        }
        out
    }

    /// The operations that match `query`, best first (ties in catalog order), each with why.
    /// A query with no usable word (empty, only stop words) matches nothing.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let concepts = self.concepts(query);
        if concepts.is_empty() {
            return Vec::new();
        }
        // The rarer the word, the more it tells: the inverse document frequency of the most
        // common of the word and its synonyms (a word is as telling as what it means: `search`
        // is rare in descriptions but means `list`, which is not).
        let n = self.docs.len() as f64;
        let idf: Vec<f64> = concepts
            .iter()
            .map(|c| {
                let df = |term: &str| self.docs.iter().filter(|d| d.has(term, &c.fields)).count();
                let mut df_c = df(&c.alts[0].0);
                if df_c == 0 {
                    df_c = c.alts.iter().map(|(t, _)| df(t)).max().unwrap_or(0);
                }
                let df_c = df_c as f64;
                (1.0 + (n - df_c + 0.5) / (df_c + 0.5)).ln()
            })
            .collect();
        // The concepts that say what to do.
        let is_action: Vec<bool> = concepts
            .iter()
            .map(|c| c.counts && c.alts.iter().any(|(t, _)| self.actions.contains(t)))
            .collect();
        let wants_action = is_action.contains(&true);
        // Every term the query asks for, with the words of its phrases.
        let asked: HashSet<&str> = concepts
            .iter()
            .flat_map(|c| c.alts.iter())
            .flat_map(|(t, _)| std::iter::once(t.as_str()).chain(t.split(' ')))
            .collect();
        // The share of the query answered weighs each word by its idf: leaving out a rare word
        // costs more than leaving out a common one.
        let counted: f64 = concepts
            .iter()
            .zip(&idf)
            .filter(|(c, _)| c.counts)
            .map(|(c, idf)| c.weight * idf)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let mut hits: Vec<Hit> = self
            .docs
            .iter()
            .filter_map(|doc| {
                let mut score = 0.0;
                let mut answered = 0.0;
                let action = &doc.tf[Field::Action as usize];
                let actions = || concepts.iter().zip(&is_action).filter(|(_, &a)| a);
                // The operation does what the query says, or a synonym of it, or else.
                let action_factor = if !wants_action
                    || actions().any(|(c, _)| action.contains_key(&c.alts[0].0))
                {
                    1.0
                } else if actions().any(|(c, _)| c.alts.iter().any(|(t, _)| action.contains_key(t)))
                {
                    SYNONYM_ACTION
                } else {
                    OTHER_ACTION
                };
                let mut matched: Vec<(&str, [f64; NF])> = Vec::new();
                for (c, idf) in concepts.iter().zip(&idf) {
                    // A synonym adds its weighted frequency to the word's (BM25F with the
                    // synonyms folded into one term).
                    let mut tf = 0.0;
                    // Without parameter descriptions and response fields: what counts as
                    // answering the word.
                    let mut strong = 0.0;
                    for (term, w) in &c.alts {
                        let per_field = self.field_tf(doc, term, &c.fields);
                        let t: f64 = per_field.iter().sum();
                        if t > 0.0 {
                            tf += w * t;
                            strong += w
                                * (t - per_field[Field::ParamDocs as usize]
                                    - per_field[Field::Response as usize]);
                            matched.push((term, per_field));
                        }
                    }
                    if tf > 0.0 {
                        if c.counts {
                            answered += c.weight * idf * (strong / ANSWERED).min(1.0);
                        }
                        score += c.weight * idf * tf / (K1 + tf);
                    }
                }
                let share = answered / counted;
                let named = doc
                    .name_words
                    .iter()
                    .filter(|w| asked.contains(w.as_str()))
                    .count() as f64
                    / doc.name_words.len().max(1) as f64;
                let nc = NAME_COVERAGE;
                let read_factor = if wants_action || doc.read {
                    1.0
                } else {
                    NOT_READ
                };
                let score = score
                    * share.powf(COORDINATION)
                    * action_factor
                    * (1.0 - nc + nc * named)
                    * read_factor;
                (score > 0.0).then(|| Hit {
                    op: doc.op,
                    score,
                    why: doc.why(&matched),
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.op.cmp(&b.op)));
        hits
    }

    /// The weighted, length-normalized frequency of `term` in each field of `doc`, times the
    /// field's multiplier.
    fn field_tf(&self, doc: &Doc, term: &str, fields: &[f64; NF]) -> [f64; NF] {
        let mut per_field = [0.0; NF];
        for (i, f) in FIELDS.iter().enumerate() {
            if fields[i] == 0.0 {
                continue;
            }
            let Some(&count) = doc.tf[i].get(term) else {
                continue;
            };
            let (w, b) = f.weight_b();
            let norm = 1.0 - b + b * doc.len[i] / self.avg_len[i];
            per_field[i] = fields[i] * w * count / norm;
        }
        per_field
    }

    /// The head of the query's object: the last term of the words after the first action
    /// word (or from the start when there is none), up to a preposition, an ID or email, or
    /// another stop word (`sessions` in "list a user's active sessions", `users` in "how many
    /// users do we have"). Owners are not heads.
    fn head_term(
        &self,
        seq: &[Option<String>],
        terms: &[(String, Vec<usize>)],
        owners: &HashSet<usize>,
    ) -> Option<usize> {
        let is_action = |t: &str| {
            self.actions.contains(t)
                || self
                    .vocab
                    .synonyms
                    .get(t)
                    .is_some_and(|alts| alts.iter().any(|a| self.actions.contains(a)))
        };
        let start = terms
            .iter()
            .position(|(t, _)| is_action(t))
            .map(|k| terms[k].1.iter().max().copied().unwrap_or(0) + 1)
            .unwrap_or(0);
        let term_at = |i: usize| terms.iter().position(|(_, at)| at.contains(&i));
        let mut head = None;
        for (i, w) in seq.iter().enumerate().skip(start) {
            let Some(w) = w else {
                break;
            };
            match term_at(i) {
                Some(k) if is_action(&terms[k].0) && head.is_some() => break,
                Some(k) => {
                    if !owners.contains(&i) {
                        head = Some(k);
                    }
                }
                None => {
                    let determiner = matches!(
                        w.as_str(),
                        "a" | "an"
                            | "the"
                            | "this"
                            | "that"
                            | "these"
                            | "those"
                            | "my"
                            | "our"
                            | "your"
                            | "their"
                            | "his"
                            | "her"
                            | "its"
                            | "s"
                            | "which"
                            | "what"
                    );
                    if !determiner && head.is_some() {
                        break;
                    }
                }
            }
        }
        head
    }

    /// What the query asks for: one concept per word or phrase of the tables (stop words
    /// left out, repeats once), plus the hints of emails and IDs.
    fn concepts(&self, query: &str) -> Vec<Concept> {
        let v = &self.vocab;
        // Words in order; `None` where an email or ID was (a phrase does not span it).
        let mut seq: Vec<Option<String>> = Vec::new();
        let mut emails = false;
        let mut ids: Vec<String> = Vec::new();
        for chunk in query.split_whitespace() {
            let chunk = chunk.trim_matches(|c: char| !c.is_alphanumeric());
            if is_email(chunk) {
                emails = true;
                seq.push(None);
            } else if let Some(prefix) = id_prefix(chunk) {
                if !ids.contains(&prefix) {
                    ids.push(prefix);
                }
                seq.push(None);
            } else {
                seq.extend(words(chunk).into_iter().map(Some));
            }
        }
        let mut concepts: Vec<Concept> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let word_concept = |term: &str| Concept {
            alts: std::iter::once((term.to_string(), 1.0))
                .chain(
                    v.synonyms
                        .get(term)
                        .into_iter()
                        .flatten()
                        .map(|s| (s.clone(), SYNONYM_WEIGHT)),
                )
                .collect(),
            fields: word_fields(),
            weight: 1.0,
            counts: true,
        };
        let terms = v.sequence_terms_at(&seq);
        let owners = owner_positions(&seq, &terms);
        let head = self.head_term(&seq, &terms, &owners);
        for (k, (t, at)) in terms.into_iter().enumerate() {
            if seen.insert(t.clone()) {
                if head == Some(k) {
                    concepts.push(Concept {
                        weight: HEAD_WEIGHT,
                        ..word_concept(&t)
                    });
                    continue;
                }
                if at.iter().all(|k| owners.contains(k)) {
                    // "a user's sessions", "the invitations of an organization": the owner
                    // is what the operation is scoped by (a path parameter, a filter) more
                    // than what it is about.
                    concepts.push(Concept {
                        fields: owner_fields(),
                        ..word_concept(&t)
                    });
                } else {
                    concepts.push(word_concept(&t));
                }
            }
        }
        if emails {
            // An email address is a value to filter by (or to send).
            let mut fields = [0.0; NF];
            fields[Field::Filters as usize] = 1.0;
            fields[Field::Body as usize] = 1.0;
            concepts.push(Concept {
                alts: vec![(v.stem("email"), 1.0)],
                fields,
                weight: 1.0,
                counts: true,
            });
        }
        for prefix in ids {
            // `org_...`: the entity (`org`, and its synonyms such as `organization`) and an
            // operation that takes its ID (`org_id`, `organization_id`).
            let stem = v.stem(&prefix);
            let mut entities = vec![prefix.clone()];
            entities.extend(v.synonym_words.get(&stem).into_iter().flatten().cloned());
            let mut fields = [0.0; NF];
            fields[Field::Ids as usize] = 1.0;
            concepts.push(Concept {
                alts: entities
                    .iter()
                    .enumerate()
                    .map(|(k, e)| {
                        let w = if k == 0 { 1.0 } else { SYNONYM_WEIGHT };
                        (format!("{}_id", e.replace(' ', "_")), w)
                    })
                    .collect(),
                fields,
                weight: 1.0,
                counts: true,
            });
            // Unless the query already names the entity (`organization ... org_2abc`).
            let named = concepts
                .iter()
                .any(|c| c.alts.iter().any(|(t, _)| *t == stem) && c.counts);
            if !named && seen.insert(stem.clone()) {
                concepts.push(Concept {
                    weight: ID_ENTITY_WEIGHT,
                    counts: false,
                    ..word_concept(&stem)
                });
            }
        }
        concepts
    }
}

/// Positions of the query words that name an owner: a word before a possessive `'s`, and the
/// words after `of` or `for` (past articles, up to the next other stop word or ID). `of` in a
/// phrase (`number of`) does not count.
fn owner_positions(ws: &[Option<String>], terms: &[(String, Vec<usize>)]) -> HashSet<usize> {
    const DETERMINERS: [&str; 14] = [
        "a", "an", "the", "this", "that", "these", "those", "my", "our", "your", "their", "his",
        "her", "its",
    ];
    let in_phrase: HashSet<usize> = terms
        .iter()
        .filter(|(_, at)| at.len() > 1)
        .flat_map(|(_, at)| at.iter().copied())
        .collect();
    let word = |i: usize| ws.get(i).and_then(|w| w.as_deref());
    let content: HashSet<usize> = terms
        .iter()
        .flat_map(|(_, at)| at.iter().copied())
        .collect();
    let mut out = HashSet::new();
    for i in 0..ws.len() {
        if word(i + 1) == Some("s") && content.contains(&i) {
            out.insert(i);
        }
        if matches!(word(i), Some("of" | "for")) && !in_phrase.contains(&i) {
            let mut j = i + 1;
            while let Some(w) = word(j) {
                if content.contains(&j) {
                    out.insert(j);
                } else if !DETERMINERS.contains(&w) {
                    break;
                }
                j += 1;
            }
        }
    }
    out
}

/// Multipliers per field for an owner: it scopes the operation (path parameters, filters)
/// more than it names what the operation is about.
fn owner_fields() -> [f64; NF] {
    let mut m = word_fields();
    for (f, x) in [
        (Field::Action, 0.0),
        (Field::Name, 0.2),
        (Field::Title, 0.2),
        (Field::Group, 0.2),
        (Field::Entity, 0.2),
        (Field::Path, 5.0),
    ] {
        m[f as usize] = x;
    }
    m
}

/// `name@domain.tld`.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
}

/// The prefix of an ID such as `user_2abcDEF` or `org_2xyz` (letters, `_`, then at least four
/// letters and digits with a digit among them); `None` for anything else (`email_address`).
fn id_prefix(s: &str) -> Option<String> {
    let (prefix, rest) = s.rsplit_once('_')?;
    let ok = !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        && prefix.starts_with(|c: char| c.is_ascii_lowercase())
        && rest.len() >= 4
        && rest.chars().all(|c| c.is_ascii_alphanumeric())
        && rest.chars().any(|c| c.is_ascii_digit());
    ok.then(|| prefix.to_string())
}

impl Doc {
    /// Whether `term` is in one of the fields with a multiplier.
    fn has(&self, term: &str, fields: &[f64; NF]) -> bool {
        (0..NF).any(|i| fields[i] != 0.0 && self.tf[i].contains_key(term))
    }

    fn new(
        vocab: &Vocabulary,
        index: usize,
        op: &Operation,
        description: &str,
        group_title: Option<&str>,
    ) -> Doc {
        let mut fields: Vec<Vec<String>> = vec![Vec::new(); NF];
        let mut put = |f: Field, terms: Vec<String>| fields[f as usize].extend(terms);
        let method = op
            .name
            .strip_prefix(&format!("{}_", op.group))
            .unwrap_or(&op.name);
        let method_words = identifier_words(method);
        if let Some((action, rest)) = method_words.split_first() {
            // The action, and the phrases of the tables made of it and other words of the
            // tool name (`create invitation` for `organization_invitations_create`).
            let action = vocab.stem(action);
            let name_stems: HashSet<String> = identifier_words(&op.name)
                .iter()
                .map(|w| vocab.stem(w))
                .collect();
            let mut terms = vec![action.clone()];
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
            put(Field::Action, terms);
            put(Field::Name, vocab.terms(rest));
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
        let named = |name: &str| Named {
            name: name.to_string(),
            terms: vocab.terms(&identifier_words(name)).into_iter().collect(),
        };
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
        let mut filters = Vec::new();
        let mut path = Vec::new();
        let mut body = Vec::new();
        let mut ids = Vec::new();
        let mut param_docs = Vec::new();
        let mut values = Vec::new();
        for p in &op.http.params {
            let name = p.name.as_str();
            let schema = props.get(name).copied();
            match p.location.as_str() {
                "query" if !paging.contains(&name) => {
                    filters.push(named(name));
                    ids.push(snake(name));
                    for value in schema.map(|s| enum_values(input, s)).unwrap_or_default() {
                        values.extend(vocab.terms(&identifier_words(&value)));
                    }
                }
                "path" => {
                    path.push(named(name));
                    ids.push(snake(name));
                }
                _ => continue,
            }
            param_docs.extend(describe(schema));
        }
        if let Some(b) = props.get("body") {
            for (name, schema) in properties(input, b) {
                body.push(named(name));
                param_docs.extend(describe(Some(schema)));
            }
        }
        let response: Vec<Named> = response_fields(&op.output_schema)
            .iter()
            .map(|n| named(n))
            .collect();
        let flat = |list: &[Named]| -> Vec<String> {
            list.iter()
                .flat_map(|n| vocab.terms(&identifier_words(&n.name)))
                .collect()
        };
        put(Field::Filters, flat(&filters));
        put(Field::FilterValues, values);
        put(Field::Path, flat(&path));
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

    /// Why the document matched, in a few words: the title words matched, then the filters,
    /// inputs or response fields that did (words already shown are not repeated).
    fn why(&self, matched: &[(&str, [f64; NF])]) -> String {
        let via = |fs: &[Field]| -> HashSet<&str> {
            matched
                .iter()
                .filter(|(_, per)| fs.iter().any(|&f| per[f as usize] > 0.0))
                .flat_map(|(t, _)| std::iter::once(*t).chain(t.split(' ')))
                .collect()
        };
        let mut parts: Vec<String> = Vec::new();
        let in_title = via(&[Field::Title]);
        let mut title: Vec<&str> = Vec::new();
        let mut shown: HashSet<&str> = HashSet::new();
        for (w, s) in &self.title {
            if in_title.contains(s.as_str()) && !title.contains(&w.as_str()) {
                title.push(w);
                shown.insert(s);
            }
        }
        if !title.is_empty() {
            parts.push(title.join(" "));
        }
        let names = |list: &[Named], terms: &HashSet<&str>, shown: &HashSet<&str>| {
            list.iter()
                .filter(|n| {
                    n.terms
                        .iter()
                        .any(|t| terms.contains(t.as_str()) && !shown.contains(t.as_str()))
                })
                .take(2)
                .map(|n| n.name.clone())
                .collect::<Vec<String>>()
        };
        let filters = names(
            &self.filters,
            &via(&[Field::Filters, Field::FilterValues]),
            &shown,
        );
        if !filters.is_empty() {
            parts.push(format!("filter {}", filters.join(", ")));
        }
        // ID hints match whole parameter names (`user_id`).
        let id_terms = via(&[Field::Ids]);
        let by_id: Vec<&str> = self
            .params
            .iter()
            .chain(&self.filters)
            .map(|n| n.name.as_str())
            .filter(|n| id_terms.contains(snake(n).as_str()))
            .filter(|n| !filters.iter().any(|f| f == n))
            .take(1)
            .collect();
        if !by_id.is_empty() {
            parts.push(format!("takes {}", by_id.join(", ")));
        }
        let inputs: Vec<String> = names(&self.params, &via(&[Field::Path, Field::Body]), &shown)
            .into_iter()
            .filter(|n| !by_id.contains(&n.as_str()))
            .collect();
        if !inputs.is_empty() {
            parts.push(format!("input {}", inputs.join(", ")));
        }
        if parts.is_empty() {
            let returns = names(&self.response, &via(&[Field::Response]), &shown);
            if !returns.is_empty() {
                parts.push(format!("returns {}", returns.join(", ")));
            }
        }
        if parts.is_empty() {
            let fields = [
                (Field::Action, "name"),
                (Field::Entity, "name"),
                (Field::Name, "name"),
                (Field::Group, "group"),
                (Field::Description, "description"),
                (Field::ParamDocs, "parameter descriptions"),
            ];
            for (f, label) in fields {
                if !via(&[f]).is_empty() {
                    parts.push(format!("{label} mentions it"));
                    break;
                }
            }
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;
    use std::collections::BTreeMap;

    /// One operation document: `params` are (name, `in`); `body` field names.
    fn op(name: &str, group: &str, title: &str, params: &[(&str, &str)], body: &[&str]) -> Value {
        let mut props = serde_json::Map::new();
        for (p, _) in params {
            props.insert(p.to_string(), json!({"type": "string"}));
        }
        if !body.is_empty() {
            let fields: serde_json::Map<String, Value> = body
                .iter()
                .map(|f| (f.to_string(), json!({"type": "string"})))
                .collect();
            props.insert(
                "body".into(),
                json!({"type": "object", "properties": fields}),
            );
        }
        let class = if title.starts_with("List") || title.starts_with("Retrieve") {
            "read"
        } else {
            "write"
        };
        json!({
            "name": name,
            "title": title,
            "description": format!("{title}."),
            "inputSchema": {"type": "object", "properties": props},
            "annotations": {"title": title, "readOnlyHint": class == "read", "destructiveHint": false, "idempotentHint": false, "openWorldHint": false},
            "operationId": name,
            "group": group,
            "http": {
                "method": "GET",
                "path": "/x",
                "auth": true,
                "params": params.iter().map(|(p, at)| json!({"name": p, "in": at, "required": *at == "path", "explode": true})).collect::<Vec<_>>(),
                "response": "json"
            },
            "output": {"summary": "something"},
            "safety": {"class": class, "idempotent": false, "confirm": "never"}
        })
    }

    fn catalog(ops: &[Value], synonyms: Value) -> Catalog {
        let mut files = BTreeMap::new();
        let mut groups: Vec<String> = Vec::new();
        for o in ops {
            let g = o["group"].as_str().unwrap().to_string();
            if !groups.contains(&g) {
                groups.push(g);
            }
            files.insert(
                format!("ops/{}.json", o["name"].as_str().unwrap()),
                o.to_string(),
            );
        }
        let manifest = json!({
            "name": "test-api",
            "title": "Test API",
            "description": "A test API.",
            "api": {"title": "Test API", "version": "1", "baseUrl": "http://x"},
            "auth": {"env": "TEST_KEY"},
            "groups": groups.iter().map(|g| json!({"name": g, "title": g})).collect::<Vec<_>>(),
            "operations": ops.iter().map(|o| json!({"name": o["name"], "file": format!("ops/{}.json", o["name"].as_str().unwrap())})).collect::<Vec<_>>(),
            "search": {"synonyms": synonyms},
        });
        files.insert("agentspec.json".into(), manifest.to_string());
        Catalog::from_documents(&files).unwrap()
    }

    fn ranked(c: &Catalog, query: &str) -> Vec<String> {
        let all: Vec<usize> = (0..c.operations.len()).collect();
        Index::new(c, &all)
            .search(query)
            .iter()
            .map(|h| c.operations[h.op].name.clone())
            .collect()
    }

    fn widgets() -> Vec<Value> {
        vec![
            op(
                "widgets_list",
                "widgets",
                "List widgets",
                &[("color", "query")],
                &[],
            ),
            op(
                "widgets_get",
                "widgets",
                "Retrieve a widget",
                &[("widget_id", "path")],
                &[],
            ),
            op(
                "widgets_create",
                "widgets",
                "Create a widget",
                &[],
                &["color"],
            ),
            op(
                "widgets_delete",
                "widgets",
                "Delete a widget",
                &[("widget_id", "path")],
                &[],
            ),
            op(
                "widgets_polish",
                "widgets",
                "Polish a widget",
                &[("widget_id", "path")],
                &[],
            ),
            op(
                "gadgets_frobnicate",
                "gadgets",
                "Frobnicate a gadget",
                &[("gadget_id", "path")],
                &[],
            ),
        ]
    }

    #[test]
    fn rare_words_weigh_more_than_common_ones() {
        let c = catalog(&widgets(), json!([]));
        // `widget` is in five documents, `frobnicate` in one: the rare word decides.
        assert_eq!(ranked(&c, "frobnicate widget")[0], "gadgets_frobnicate");
        // Every operation that has a word of the query is listed, none that has none.
        let r = ranked(&c, "widget");
        assert_eq!(r.len(), 5, "{r:?}");
        assert!(ranked(&c, "spaceship").is_empty());
    }

    #[test]
    fn stemming_matches_other_forms_of_a_word() {
        let c = catalog(&widgets(), json!([]));
        assert_eq!(ranked(&c, "polishing widgets")[0], "widgets_polish");
        assert_eq!(ranked(&c, "creates")[0], "widgets_create");
    }

    #[test]
    fn synonyms_match_at_a_lower_weight() {
        let c = catalog(&widgets(), json!([]));
        // No document says `remove` or `add`: the generic table does.
        assert_eq!(ranked(&c, "remove a widget")[0], "widgets_delete");
        assert_eq!(ranked(&c, "add a widget")[0], "widgets_create");
        assert_eq!(ranked(&c, "show all widgets")[0], "widgets_list");
        // The API's own synonyms come from the manifest.
        assert!(ranked(&c, "shine widget")
            .first()
            .is_none_or(|n| n != "widgets_polish"));
        let c = catalog(&widgets(), json!([["polish", "shine", "buff"]]));
        assert_eq!(ranked(&c, "shine widget")[0], "widgets_polish");
        // A word itself beats its synonym: `delete` is exact for delete, a synonym of remove.
        let mut ops = widgets();
        ops.push(op(
            "widgets_remove_color",
            "widgets",
            "Remove the color of a widget",
            &[("widget_id", "path")],
            &[],
        ));
        let c = catalog(&ops, json!([]));
        assert_eq!(ranked(&c, "delete widget")[0], "widgets_delete");
    }

    #[test]
    fn query_parameter_filters_and_emails_count() {
        let ops = vec![
            op(
                "users_list_devices",
                "users",
                "List a user's devices",
                &[("user_id", "path")],
                &[],
            ),
            op(
                "users_list",
                "users",
                "List users",
                &[("email_address", "query"), ("name", "query")],
                &[],
            ),
            op(
                "users_get",
                "users",
                "Retrieve a user",
                &[("user_id", "path")],
                &[],
            ),
            op(
                "email_templates_list",
                "email_templates",
                "List email templates",
                &[],
                &[],
            ),
        ];
        let c = catalog(&ops, json!([]));
        assert_eq!(ranked(&c, "find user by email")[0], "users_list");
        // An email address in the query asks for an email filter.
        assert_eq!(ranked(&c, "ada@example.com")[0], "users_list");
        assert_eq!(ranked(&c, "user ada@example.com")[0], "users_list");
        let all: Vec<usize> = (0..c.operations.len()).collect();
        let hits = Index::new(&c, &all).search("find user by email");
        assert!(
            hits[0].why.contains("filter email_address"),
            "{}",
            hits[0].why
        );
    }

    #[test]
    fn ids_in_the_query_ask_for_their_entity_and_parameter() {
        let ops = vec![
            op(
                "sessions_list_all",
                "sessions",
                "List all sessions",
                &[],
                &[],
            ),
            op(
                "sessions_list",
                "sessions",
                "List sessions",
                &[("user_id", "query")],
                &[],
            ),
            op(
                "sessions_get",
                "sessions",
                "Retrieve a session",
                &[("session_id", "path")],
                &[],
            ),
        ];
        let c = catalog(&ops, json!([["sess", "session"]]));
        assert_eq!(
            ranked(&c, "sessions of user_2abcDEF123")[0],
            "sessions_list"
        );
        // `sess_` names a session: an operation that takes a session_id.
        assert_eq!(ranked(&c, "sess_2xYz9QwErTy")[0], "sessions_get");
        let all: Vec<usize> = (0..c.operations.len()).collect();
        let hits = Index::new(&c, &all).search("sess_2xYz9QwErTy");
        assert!(hits[0].why.contains("session_id"), "{}", hits[0].why);
    }

    #[test]
    fn ties_keep_catalog_order_and_results_repeat() {
        let ops = vec![
            op("a_frob", "a", "Frob a thing", &[], &[]),
            op("b_frob", "b", "Frob a thing", &[], &[]),
        ];
        let c = catalog(&ops, json!([]));
        assert_eq!(ranked(&c, "frob thing"), ["a_frob", "b_frob"]);
        let c = catalog(&widgets(), json!([]));
        let once = ranked(&c, "list the widgets by color");
        assert_eq!(once, ranked(&c, "list the widgets by color"));
        // Stop words alone ask for nothing.
        assert!(ranked(&c, "the of a").is_empty());
    }

    #[test]
    fn a_page_lists_everything_without_a_query_and_stays_compact() {
        let c = catalog(&widgets(), json!([]));
        let index = Index::new(&c, &[0, 2, 3]);
        let page = index.page(&c, "", None, 0, 2);
        assert_eq!(page["total"], 3);
        let names: Vec<&str> = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["widgets_list", "widgets_create"]);
        assert_eq!(
            page["next_page"],
            json!({"query": "", "offset": 2, "limit": 2})
        );
        let page = index.page(&c, "delete widget", Some("widgets"), 0, 10);
        let first = &page["results"][0];
        assert_eq!(first["name"], "widgets_delete");
        let mut keys: Vec<&str> = first
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(keys, ["class", "name", "summary", "why"]);
        // Only the indexed operations are found: `widgets_polish` (index 4) is not.
        assert!(index.search("polish").is_empty());
        let page = index.page(&c, "widget", Some("gadgets"), 0, 10);
        assert_eq!(page["total"], 0);
        assert!(page["hint"].is_string());
    }

    #[test]
    fn phrases_match_with_words_in_between() {
        let ops = vec![
            op(
                "sessions_revoke",
                "sessions",
                "Revoke a session",
                &[("session_id", "path")],
                &[],
            ),
            op(
                "users_get",
                "users",
                "Retrieve a user",
                &[("user_id", "path")],
                &[],
            ),
        ];
        let c = catalog(&ops, json!([["sign out", "revoke session"]]));
        assert_eq!(ranked(&c, "sign a user out")[0], "sessions_revoke");
    }

    #[test]
    fn the_generic_vocabulary_parses_and_has_no_empty_group() {
        let v = parse_vocabulary(GENERIC_VOCABULARY).unwrap();
        assert!(v.stop_words.contains(&"the".to_string()));
        for g in &v.synonyms {
            assert!(g.len() >= 2, "{g:?}");
            assert!(g.iter().all(|w| !words(w).is_empty()), "{g:?}");
        }
    }

    #[test]
    fn identifiers_split_on_underscores_and_humps() {
        assert_eq!(identifier_words("email_address"), ["email", "address"]);
        assert_eq!(identifier_words("apiKeyID"), ["api", "key", "id"]);
        assert_eq!(identifier_words("statementID"), ["statement", "id"]);
        assert_eq!(
            snake("adminPortalLinkTokenID"),
            "admin_portal_link_token_id"
        );
    }

    #[test]
    fn emails_and_ids_are_recognised() {
        assert!(is_email("ada@example.com"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("ada@localhost"));
        assert_eq!(id_prefix("user_2abcDEF123").as_deref(), Some("user"));
        assert_eq!(id_prefix("org_2x9z").as_deref(), Some("org"));
        assert_eq!(id_prefix("email_address"), None);
        assert_eq!(id_prefix("created_at"), None);
        assert_eq!(id_prefix("last_24"), None);
    }
}
