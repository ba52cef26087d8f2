//! Words: splitting prose and identifiers, stemming, stop words, and the synonym tables
//! with their phrases.

use rust_stemmers::{Algorithm, Stemmer};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The search vocabulary that fits any API (reviewed data: `spec/search-synonyms.yaml`).
pub const GENERIC_VOCABULARY: &str = include_str!("../../spec/search-synonyms.yaml");
/// Longest phrase of the synonym tables, in words.
const MAX_PHRASE: usize = 4;
/// Words a query phrase may have in between (`sign a user out`).
const PHRASE_GAP: usize = 2;
/// Texts up to this many words match a phrase of the tables when they contain all its words,
/// in any order (`organization_invitations_create` has `create invitation`).
const SHORT_TEXT: usize = 12;

/// `spec/search-synonyms.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VocabularyFile {
    #[serde(default)]
    pub(super) stop_words: Vec<String>,
    #[serde(default)]
    pub(super) synonyms: Vec<Vec<String>>,
}

pub(super) fn parse_vocabulary(text: &str) -> Result<VocabularyFile, String> {
    yaml_serde::from_str(text).map_err(|e| format!("spec/search-synonyms.yaml: {e}"))
}

pub(super) fn generic_vocabulary() -> &'static VocabularyFile {
    static VOCABULARY: OnceLock<VocabularyFile> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        // Embedded at build time and parsed by a unit test: it cannot fail at run time.
        parse_vocabulary(GENERIC_VOCABULARY).expect("the embedded search vocabulary parses")
    })
}

/// Lower-case words of prose: runs of letters and digits.
pub(super) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Lower-case words of an identifier: split on `_`, `-`, `.` and camelCase humps
/// (`apiKeyID` is `api key id`).
pub(super) fn identifier_words(name: &str) -> Vec<String> {
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
pub(super) fn snake(name: &str) -> String {
    identifier_words(name).join("_")
}

/// Stemming, stop words and synonyms.
pub(super) struct Vocabulary {
    pub(super) stemmer: Stemmer,
    pub(super) stop: HashSet<String>,
    /// Stemmed term (a phrase: stems joined by a space) -> the other members of its groups,
    /// stemmed, in table order.
    pub(super) synonyms: HashMap<String, Vec<String>>,
    /// Stemmed term -> the other members of its groups as written (lower case).
    pub(super) synonym_words: HashMap<String, Vec<String>>,
    /// Phrases of the tables, stemmed, by their first stem.
    pub(super) phrases: HashMap<String, Vec<Vec<String>>>,
}

impl Vocabulary {
    pub(super) fn new(api_synonyms: &[Vec<String>]) -> Vocabulary {
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

    pub(super) fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }

    pub(super) fn is_stop(&self, word: &str) -> bool {
        self.stop.contains(word)
    }

    /// The phrase of the tables that starts at `stems[i]`, its words in order with at most
    /// [`PHRASE_GAP`] other words in between and none of them `taken` or a break (`None`):
    /// the positions of its words.
    pub(super) fn phrase_at(
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
    pub(super) fn sequence_terms(&self, ws: &[Option<String>]) -> Vec<String> {
        self.sequence_terms_at(ws)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// [`Vocabulary::sequence_terms`] with the positions of each term's words.
    pub(super) fn sequence_terms_at(&self, ws: &[Option<String>]) -> Vec<(String, Vec<usize>)> {
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
    pub(super) fn terms(&self, ws: &[String]) -> Vec<String> {
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
