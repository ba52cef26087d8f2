//! Test-only check of [`super::print`] on real output: while the check is on, every printed
//! token stream is kept with its text, and the test parses both back with syn and compares.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static ON: AtomicBool = AtomicBool::new(false);
static KEPT: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Whether printed streams are being kept.
pub(super) fn enabled() -> bool {
    ON.load(Ordering::SeqCst)
}

/// Keep a printed stream (`tokens` as `TokenStream::to_string`) and its text.
pub(super) fn keep(tokens: String, text: &str) {
    KEPT.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((tokens, text.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::print::{doc_values, token_list};
    use crate::test_mirror::{mirror, repo_root};
    use quote::ToTokens;

    /// The client-only configs: every fixture spec, the hostile specs that generate, and
    /// Clerk's Backend API with its webhooks.
    fn configs() -> Vec<crate::Config> {
        let fixtures = repo_root().join("tests/fixtures");
        let mut specs = Vec::new();
        for case in ["accounts", "minimal", "names", "webhooks"] {
            let dir = fixtures.join(case);
            let spec = ["spec.yaml", "spec.json"]
                .iter()
                .map(|n| dir.join(n))
                .find(|p| p.is_file())
                .unwrap_or_else(|| panic!("no spec in {}", dir.display()));
            specs.push(crate::Config::new(spec));
        }
        let hostile = fixtures.join("hostile");
        let expectations = std::fs::read_to_string(hostile.join("expectations.txt")).unwrap();
        for line in expectations.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split_whitespace();
            if let (Some(file), Some("ok")) = (cols.next(), cols.next()) {
                specs.push(crate::Config::new(hostile.join(file)));
            }
        }
        let mirror = mirror();
        let mut clerk = crate::Config::new(mirror.join("bapi/2026-05-12.yml"));
        clerk.webhooks_spec = Some(mirror.join("webhooks/2025-04-15.yml"));
        specs.push(clerk);
        for c in &mut specs {
            c.emit_agent = false;
        }
        specs
    }

    fn tokens_of(file: &syn::File) -> String {
        file.to_token_stream().to_string()
    }

    /// Where two strings first differ, with some context.
    fn first_difference(a: &str, b: &str) -> String {
        let at = a
            .char_indices()
            .zip(b.chars())
            .find(|((_, x), y)| x != y)
            .map(|((i, _), _)| i)
            .unwrap_or(a.len().min(b.len()));
        let from = a[..at].char_indices().rev().nth(200).map_or(0, |(i, _)| i);
        let context = |s: &str| s[from.min(s.len())..].chars().take(400).collect::<String>();
        format!("expected ...{}\n   found ...{}", context(a), context(b))
    }

    #[test]
    fn printed_files_parse_to_the_same_tokens_as_prettyplease_output() {
        let configs = configs();
        ON.store(true, Ordering::SeqCst);
        let generated: Vec<_> = configs
            .iter()
            .map(|c| {
                crate::generate(c).unwrap_or_else(|e| panic!("{}: {e}", c.spec_path.display()))
            })
            .collect();
        ON.store(false, Ordering::SeqCst);
        let kept = std::mem::take(&mut *KEPT.lock().unwrap());

        // Every Rust file written (with its header, inner docs and hand-written parts) parses.
        let mut files = 0;
        for (config, g) in configs.iter().zip(&generated) {
            for (path, text) in &g.files {
                if path.ends_with(".rs") && !path.contains("/runtime/") {
                    files += 1;
                    syn::parse_file(text).unwrap_or_else(|e| {
                        panic!("{} {path} does not parse: {e}", config.spec_path.display())
                    });
                }
            }
        }
        // One printed stream per file, and two for models.rs (its use line and its items).
        assert!(
            kept.len() >= files,
            "{} streams printed for {files} files",
            kept.len()
        );

        for (tokens, text) in &kept {
            // The printed text is made of exactly the emitted tokens.
            let emitted: proc_macro2::TokenStream = tokens.parse().unwrap();
            let reparsed: proc_macro2::TokenStream = text.parse().unwrap();
            let (want, got) = (token_list(emitted.clone()), token_list(reparsed.clone()));
            if want != got {
                let at = want.iter().zip(&got).take_while(|(a, b)| a == b).count();
                let from = at.saturating_sub(40);
                panic!(
                    "printed tokens differ at {at}:\nemitted ...{}\nprinted ...{}\n{text}",
                    want[from..(at + 10).min(want.len())].join(" "),
                    got[from..(at + 10).min(got.len())].join(" ")
                );
            }
            // Doc strings are the emitted ones byte for byte.
            assert_eq!(doc_values(emitted), doc_values(reparsed));
            // And syn reads the same program from the printed text as from what prettyplease
            // made of the tokens before (both printed by prettyplease to compare them
            // independently of layout and trailing commas, which prettyplease adds).
            let from_tokens: syn::File = syn::parse_str(tokens).expect("the emitted tokens parse");
            let printed = syn::parse_file(text)
                .unwrap_or_else(|e| panic!("printed code does not parse: {e}\n{text}"));
            let canonical = |f: &syn::File| {
                let text = prettyplease::unparse(f);
                tokens_of(&syn::parse_file(&text).unwrap())
            };
            let (want, got) = (canonical(&from_tokens), canonical(&printed));
            assert!(want == got, "{}", first_difference(&want, &got));
        }
    }
}
