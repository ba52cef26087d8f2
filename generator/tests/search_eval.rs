//! The retrieval evaluation of operation search on Clerk's Backend API: every phrasing of
//! `tests/search-eval/clerk-bapi.yaml` is ranked with the code of `search_operations` and
//! `agentgen search` (`agentgen_mcp::search::Index`) over the AgentSpec documents generated
//! from the pinned spec, as `agentgen mcp` builds them. Prints top-1, top-5 and MRR (and each
//! phrasing whose answer is not first) and fails below the floors.
#![cfg(feature = "mcp")]

#[path = "../../tests/src/mirror.rs"]
mod mirror;

use agentgen_mcp::search::Index;
use agentgen_mcp::Catalog;
use serde::Deserialize;

/// Floors. The targets are top-1 >= 0.90 and top-5 >= 0.98. The ranking reaches
/// top-1 0.847 (111 of 131), top-5 0.977 and MRR 0.903 so far: the floors are what it
/// reaches, to catch regressions, until the ranking meets the targets.
const TOP1_FLOOR: f64 = 0.84;
const TOP5_FLOOR: f64 = 0.97;
const MRR_FLOOR: f64 = 0.90;
/// The set must stay large enough to mean something.
const MIN_QUERIES: usize = 80;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalSet {
    queries: Vec<Query>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    q: String,
    ok: Vec<String>,
}

fn clerk_catalog() -> Catalog {
    let spec = mirror::mirror().join("bapi/2026-05-12.yml");
    let config = agentgen::Config::new(&spec);
    let (api, _, _) = agentgen::analyze(&config).expect("the pinned spec analyzes");
    let files =
        agentgen::agent::agentspec_documents(&api, &config).expect("the documents generate");
    Catalog::from_documents(&files).expect("the documents load")
}

#[test]
fn search_finds_the_operation_for_task_phrasings() {
    let path = mirror::repo_root().join("tests/search-eval/clerk-bapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let set: EvalSet =
        yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        set.queries.len() >= MIN_QUERIES,
        "{} queries",
        set.queries.len()
    );

    let catalog = clerk_catalog();
    assert!(
        !catalog.manifest.search.synonyms.is_empty(),
        "the reviewed synonyms reach the manifest"
    );
    let all: Vec<usize> = (0..catalog.operations.len()).collect();
    let index = Index::new(&catalog, &all);
    let id_of = |i: usize| catalog.operations[i].operation_id.as_str();

    let (mut top1, mut top5, mut rr) = (0usize, 0usize, 0.0f64);
    let mut misses = Vec::new();
    for q in &set.queries {
        for id in &q.ok {
            assert!(
                catalog.operations.iter().any(|o| &o.operation_id == id),
                "{}: `{id}` (for {:?}) is not an operationId of the spec",
                path.display(),
                q.q
            );
        }
        let hits = index.search(&q.q);
        let rank = hits
            .iter()
            .position(|h| q.ok.iter().any(|id| id == id_of(h.op)));
        match rank {
            Some(0) => {
                top1 += 1;
                top5 += 1;
                rr += 1.0;
            }
            Some(r) => {
                if r < 5 {
                    top5 += 1;
                }
                rr += 1.0 / (r + 1) as f64;
            }
            None => {}
        }
        if rank != Some(0) {
            let got: Vec<String> = hits
                .iter()
                .take(3)
                .map(|h| format!("{} ({})", id_of(h.op), h.why))
                .collect();
            misses.push(format!(
                "  {:?}: want {:?} at {}; got {}",
                q.q,
                q.ok,
                rank.map_or("none".to_string(), |r| (r + 1).to_string()),
                got.join(", ")
            ));
        }
    }
    let n = set.queries.len() as f64;
    let (top1, top5, mrr) = (top1 as f64 / n, top5 as f64 / n, rr / n);
    println!(
        "search eval ({} queries): top-1 {top1:.3}, top-5 {top5:.3}, MRR {mrr:.3}",
        set.queries.len()
    );
    for m in &misses {
        println!("{m}");
    }
    assert!(
        top1 >= TOP1_FLOOR && top5 >= TOP5_FLOOR && mrr >= MRR_FLOOR,
        "below the floors (top-1 {TOP1_FLOOR}, top-5 {TOP5_FLOOR}, MRR {MRR_FLOOR}): top-1 {top1:.3}, top-5 {top5:.3}, MRR {mrr:.3}"
    );
}
