//! Reading a query: its words and phrases, the head of its object, its owners, and the
//! hints of emails and IDs.

use super::document::{word_fields, Field, NF};
use super::vocab::words;
use super::Index;
use std::collections::HashSet;

/// Weight of a synonym relative to the word itself.
const SYNONYM_WEIGHT: f64 = 0.6;
/// Weight of the head of the query's object ("sessions" in "list a user's active sessions").
const HEAD_WEIGHT: f64 = 2.0;
/// Weight of the entity named by an ID's prefix (`user` for `user_2abc...`): the ID is what
/// the operation takes rather than what it is about.
const ID_ENTITY_WEIGHT: f64 = 0.5;

/// What a query asks for: a word (or phrase, or hint), the terms that answer it with their
/// weights (the first is the word itself), and where they count.
#[derive(Debug)]
pub(super) struct Concept {
    pub(super) alts: Vec<(String, f64)>,
    pub(super) fields: [f64; NF],
    /// Multiplies its score.
    pub(super) weight: f64,
    /// Whether answering it counts in the share of the query answered.
    pub(super) counts: bool,
    /// Whether it names an owner (`a user's`, `of an organization`).
    pub(super) owner: bool,
}

impl Index {
    /// The head of the query's object: the last term of the words after the first action
    /// word (or from the start when there is none), up to a preposition, an ID or email, or
    /// another stop word (`sessions` in "list a user's active sessions", `users` in "how many
    /// users do we have"). Owners are not heads.
    pub(super) fn head_term(
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
    pub(super) fn concepts(&self, query: &str) -> Vec<Concept> {
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
            owner: false,
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
                        owner: true,
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
                owner: false,
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
                owner: false,
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
pub(super) fn owner_positions(
    ws: &[Option<String>],
    terms: &[(String, Vec<usize>)],
) -> HashSet<usize> {
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
pub(super) fn owner_fields() -> [f64; NF] {
    let mut m = word_fields();
    for (f, x) in [
        (Field::Action, 0.0),
        (Field::Name, 0.2),
        (Field::Title, 0.2),
        (Field::Group, 0.2),
        (Field::Entity, 0.2),
        (Field::Path, 5.0),
        (Field::Owner, 3.0),
    ] {
        m[f as usize] = x;
    }
    m
}

/// `name@domain.tld`.
pub(super) fn is_email(s: &str) -> bool {
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
pub(super) fn id_prefix(s: &str) -> Option<String> {
    let (prefix, rest) = s.rsplit_once('_')?;
    let ok = !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        && prefix.starts_with(|c: char| c.is_ascii_lowercase())
        && rest.len() >= 4
        && rest.chars().all(|c| c.is_ascii_alphanumeric())
        && rest.chars().any(|c| c.is_ascii_digit());
    ok.then(|| prefix.to_string())
}
