//! Scoring: BM25F over the fields of each operation, times the share of the query that it
//! answers and the agreement of its action with the query's.

use super::document::{Doc, Field, FIELDS, NF};
use super::query::Concept;
use super::{Hit, Index};
use std::collections::HashSet;

/// BM25 saturation.
const K1: f64 = 3.0;
/// How much answering only part of the query costs: the score is multiplied by the share of
/// the query's words answered, to this power.
const COORDINATION: f64 = 0.7;
/// When the query says what to do (a word that is the action of some operation: `list`,
/// `ban`, or a synonym), an operation whose action is none of those is multiplied by this...
const OTHER_ACTION: f64 = 0.5;
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
/// An operation scoped by an owner (a path parameter followed by more of the path) other than
/// the one the query names (`a user's memberships` vs `/organizations/{id}/memberships`) is
/// multiplied by this.
const OTHER_OWNER: f64 = 0.7;
/// A query that says nothing to do ("which user has external id 12345", "ada@example.com")
/// asks to read, and so does one whose action only reading operations do (`show`); one whose
/// action only other operations do (`give`, whose synonym `assign` only writes) asks to
/// write. An operation of the other kind is multiplied by this.
const OTHER_CLASS: f64 = 0.8;

impl Index {
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
        // Whether what the query says to do is only done by reading operations (`show`,
        // `list`), or only by others (`give`, `ban`): then operations of the other kind weigh
        // less, as when it says nothing to do.
        let does = |d: &Doc, c: &Concept| {
            let action = &d.tf[Field::Action as usize];
            c.alts.iter().any(|(t, _)| action.contains_key(t))
        };
        let (mut reads, mut writes) = (0usize, 0usize);
        for (c, _) in concepts.iter().zip(&is_action).filter(|(_, &a)| a) {
            for d in self.docs.iter().filter(|d| does(d, c)) {
                if d.read {
                    reads += 1;
                } else {
                    writes += 1;
                }
            }
        }
        let wants_read = !wants_action || writes == 0;
        let wants_write = wants_action && reads == 0;
        let owners: Vec<&Concept> = concepts.iter().filter(|c| c.owner).collect();
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
                let read_factor = if (wants_read && !doc.read) || (wants_write && doc.read) {
                    OTHER_CLASS
                } else {
                    1.0
                };
                // The query's owner is the operation's owner, or what it acts on (`a
                // member's role` and `/organizations/{id}/memberships/{user_id}`).
                let doc_owner = &doc.tf[Field::Owner as usize];
                let owned_by = |t: &str| {
                    [Field::Owner, Field::Entity, Field::Name]
                        .iter()
                        .any(|&f| doc.tf[f as usize].contains_key(t))
                };
                let owner_factor = if owners.is_empty()
                    || doc_owner.is_empty()
                    || owners
                        .iter()
                        .any(|c| c.alts.iter().any(|(t, _)| owned_by(t)))
                {
                    1.0
                } else {
                    OTHER_OWNER
                };
                let score = score
                    * share.powf(COORDINATION)
                    * action_factor
                    * (1.0 - nc + nc * named)
                    * read_factor
                    * owner_factor;
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
    pub(super) fn field_tf(&self, doc: &Doc, term: &str, fields: &[f64; NF]) -> [f64; NF] {
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
}
