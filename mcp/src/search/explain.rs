//! Why an operation matched, in a few words.

use super::document::{Doc, Field, Named, NF};
use super::vocab::snake;
use std::collections::HashSet;

impl Doc {
    /// Why the document matched, in a few words: the title words matched, then the filters,
    /// inputs or response fields that did (words already shown are not repeated).
    pub(super) fn why(&self, matched: &[(&str, [f64; NF])]) -> String {
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
