//! How much of the schema graph each document embeds, so that the documents grow linearly
//! with the spec.
//!
//! Every schema document (an operation's input or output schema, a webhook payload) embeds
//! as local `$defs` the definitions it reaches, and the tool files repeat each operation's
//! documents: without a limit, a spec whose operations all reach one large cycle of schemas
//! writes operations × schemas × description bytes. So each document embeds definitions
//! breadth-first from its root while they fit its budget; the rest become placeholders
//! ([`placeholder`]): open schemas that keep the definition's `type` and say where the type
//! is described, so references never dangle, inputs the API accepts are still accepted, and
//! outputs still validate.
//!
//! A document's budget is [`MAX_DOCUMENT_DEFS`], lowered when the documents of one mode
//! together would embed more than the mode's pool: `max(MIN_POOL, POOL_PER_SPEC_BYTE × spec
//! bytes)`. Then every document gets the same level, the largest for which the documents'
//! definitions fit the pool (small documents keep everything). Definitions are measured as
//! their pretty JSON text at indentation 0.

use super::schema::{Def, Draft, Entry, Root, Schema};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Most bytes of definitions one schema document embeds in full.
pub const MAX_DOCUMENT_DEFS: usize = 256 * 1024;

/// Bytes of definitions the documents of one mode (inputs, or outputs and webhook payloads)
/// may embed together, per byte of spec...
pub const POOL_PER_SPEC_BYTE: usize = 4;

/// ...and at least this many.
pub const MIN_POOL: usize = 2 * 1024 * 1024;

/// The budget of each document of one mode, given how many bytes each needs: `usize::MAX`
/// (everything) when all fit the pool.
pub fn budgets(needs: &[usize], spec_bytes: usize) -> Vec<usize> {
    let pool = MIN_POOL.max(POOL_PER_SPEC_BYTE.saturating_mul(spec_bytes));
    let level = level(needs, pool);
    needs
        .iter()
        .map(|&need| {
            if need <= level.min(MAX_DOCUMENT_DEFS) {
                usize::MAX
            } else {
                level.min(MAX_DOCUMENT_DEFS)
            }
        })
        .collect()
}

/// The largest `level` with `sum(min(need, level)) <= pool`.
fn level(needs: &[usize], pool: usize) -> usize {
    let total: usize = needs.iter().fold(0usize, |a, &n| a.saturating_add(n));
    if total <= pool {
        return usize::MAX;
    }
    let mut sorted = needs.to_vec();
    sorted.sort_unstable();
    let mut left = pool;
    for (i, &need) in sorted.iter().enumerate() {
        let rest = sorted.len() - i;
        if need.saturating_mul(rest) <= left {
            left -= need;
        } else {
            return left / rest;
        }
    }
    usize::MAX
}

/// A document that did not fit its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Definitions embedded in full.
    pub kept: usize,
    /// Definitions left as placeholders.
    pub placeholders: usize,
    /// The budget, in bytes.
    pub budget: usize,
}

/// The document of `draft` within `budget` bytes of definitions; `see` says where a type
/// left out is described.
pub fn fit(draft: Draft, budget: usize, see: &dyn Fn(&Def) -> String) -> (Schema, Option<Cut>) {
    if draft.need() <= budget {
        return (draft.complete(), None);
    }
    let mut left = budget;
    let (root, seeds) = match draft.root {
        Root::Inlined(def) if def.size > left => {
            // Not even the root fits: an open object (MCP wants an object at the root).
            let mut m = Map::new();
            m.insert("type".into(), json!("object"));
            m.insert("description".into(), json!(note(&def, see)));
            let cut = Cut {
                kept: 0,
                placeholders: 1,
                budget,
            };
            return (Schema::new(m, Vec::new()), Some(cut));
        }
        Root::Inlined(def) => {
            left -= def.size;
            let seeds = def.refs.clone();
            (Root::Inlined(def), seeds)
        }
        Root::Own(m) => (Root::Own(m), draft.seeds.clone()),
    };
    // Breadth-first from the root, as the draft was built; after the first definition that
    // does not fit, every definition reached is a placeholder (and reaches nothing).
    let by_id: HashMap<_, _> = draft.reach.iter().map(|d| (d.id, d.clone())).collect();
    let mut queue: VecDeque<_> = seeds.into();
    let mut seen = BTreeSet::new();
    let mut entries = Vec::new();
    let mut open = true;
    let (mut kept, mut placeholders) = (0, 0);
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) {
            continue;
        }
        let Some(def) = by_id.get(&id) else { continue };
        if open && def.size <= left {
            left -= def.size;
            queue.extend(def.refs.iter().copied());
            entries.push(Entry::Shared(def.clone()));
            kept += 1;
        } else {
            open = false;
            entries.push(Entry::Own(def.name.clone(), placeholder(def, see)));
            placeholders += 1;
        }
    }
    entries.sort_by(|a, b| a.name().cmp(b.name()));
    let schema = match root {
        Root::Own(m) => Schema::new(m, entries),
        inlined => Schema::with_root(inlined, entries),
    };
    let cut = Cut {
        kept,
        placeholders,
        budget,
    };
    (schema, Some(cut))
}

fn note(def: &Def, see: &dyn Fn(&Def) -> String) -> String {
    format!(
        "{}: not expanded here (document size limit){}",
        def.name,
        see(def)
    )
}

/// What stands in for a definition left out: its `type` (if it has one) and a description
/// saying where it is described. Open: any value of that type is accepted.
pub fn placeholder(def: &Def, see: &dyn Fn(&Def) -> String) -> Value {
    let mut m = Map::new();
    if let Some(t) = def.value.get("type") {
        m.insert("type".into(), t.clone());
    }
    m.insert("description".into(), json!(note(def, see)));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_fits_a_large_pool() {
        assert_eq!(level(&[10, 20, 30], 60), usize::MAX);
        assert_eq!(budgets(&[10, 20, 30], 1), vec![usize::MAX; 3]);
    }

    #[test]
    fn the_level_shares_the_pool_and_small_documents_keep_everything() {
        // 10 fits; the two large ones share what is left.
        assert_eq!(level(&[100, 10, 100], 110), 50);
        let l = level(&[100, 10, 100], 110);
        assert!([100usize, 10, 100].iter().map(|&n| n.min(l)).sum::<usize>() <= 110);
        let huge = vec![MAX_DOCUMENT_DEFS * 4; 3];
        let b = budgets(&huge, 0);
        assert!(b.iter().all(|&x| x <= MAX_DOCUMENT_DEFS));
        assert!(b.iter().sum::<usize>() <= MIN_POOL);
    }
}
