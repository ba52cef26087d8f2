//! `agentgen::publish` on the accounts fixture and on Clerk bapi 2026-05-12 (from the mirror,
//! `AGENTGEN_SPEC_MIRROR`, default `../shared/spec/clerk`): the published directory is written
//! under `target/publish/` (never committed), re-read from disk, and checked: every digest in
//! the discovery index, every archive unpacks to exactly its skill folder, every relative link
//! in llms.txt and index.json resolves, and publishing twice gives identical bytes.

use agentgen_tests::{mirror, repo_root};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

fn publish(config: &agentgen::Config) -> BTreeMap<String, Vec<u8>> {
    let generated = agentgen::load_and_generate(config).expect("generate");
    agentgen::publish::publish(&generated.api.info, &generated.files).expect("publish")
}

fn write(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let _ = std::fs::remove_dir_all(dir);
    for (rel, bytes) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

/// Every file under `dir`, relative path -> bytes.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Decode a gzip member (what agentgen writes: no optional fields, mtime 0, unknown OS),
/// checking its CRC-32 and size, that nothing follows it, and that it is compressed.
fn gunzip(gz: &[u8]) -> Vec<u8> {
    assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "gzip magic / deflate");
    assert_eq!(gz[3], 0, "no optional gzip fields");
    assert_eq!(&gz[4..8], &[0, 0, 0, 0], "gzip mtime must be 0");
    assert_eq!(gz[9], 255, "gzip OS must be unknown");
    let mut decoder = flate2::bufread::GzDecoder::new(gz);
    let mut out = Vec::new();
    decoder
        .read_to_end(&mut out)
        .expect("gzip decodes (CRC-32 and size checked)");
    assert!(
        decoder.into_inner().is_empty(),
        "trailing bytes after the gzip member"
    );
    assert!(
        gz.len() * 2 < out.len(),
        "compressed: {} of {} bytes",
        gz.len(),
        out.len()
    );
    out
}

fn octal(field: &[u8]) -> u64 {
    let s = std::str::from_utf8(field).unwrap();
    let s = s.trim_matches(|c: char| c == '\0' || c == ' ');
    u64::from_str_radix(s, 8).unwrap()
}

/// Regular files of a ustar archive (path -> bytes); checks header checksums, owners,
/// mtimes, modes and entry order.
fn untar(tar: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut names = Vec::new();
    let mut i = 0;
    while i + 512 <= tar.len() {
        let h = &tar[i..i + 512];
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let mut sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        sum -= h[148..156].iter().map(|&b| u64::from(b)).sum::<u64>();
        sum += 8 * u64::from(b' ');
        assert_eq!(sum, octal(&h[148..156]), "tar header checksum");
        assert_eq!(&h[257..263], b"ustar\0");
        let cstr = |b: &[u8]| {
            String::from_utf8(b.iter().take_while(|&&c| c != 0).copied().collect()).unwrap()
        };
        let (name, prefix) = (cstr(&h[..100]), cstr(&h[345..500]));
        let name = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        assert_eq!(octal(&h[108..116]), 0, "uid of {name}");
        assert_eq!(octal(&h[116..124]), 0, "gid of {name}");
        assert_eq!(octal(&h[136..148]), 0, "mtime of {name}");
        let size = octal(&h[124..136]) as usize;
        i += 512;
        match h[156] {
            b'0' | 0 => {
                assert_eq!(octal(&h[100..108]), 0o644, "mode of {name}");
                files.insert(name.clone(), tar[i..i + size].to_vec());
                i += size.div_ceil(512) * 512;
            }
            b'5' => assert_eq!(octal(&h[100..108]), 0o755, "mode of {name}"),
            other => panic!("unexpected tar entry type {other} for {name}"),
        }
        names.push(name);
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "tar entries must be sorted");
    files
}

/// Resolve `link` relative to the directory of `from` (both relative to the root).
fn resolve(from: &str, link: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in link.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "link {link} in {from} leaves the root"
                );
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// `(url)` targets of markdown links in `text`.
fn markdown_links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find(')').expect("unterminated link");
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    out
}

fn check_published(dir: &Path, files: &BTreeMap<String, Vec<u8>>, api_version: &str) {
    write(dir, files);
    let disk = read_tree(dir);
    assert_eq!(
        &disk, files,
        "the directory on disk is what publish returned"
    );
    for required in [
        "llms.txt",
        ".well-known/agent-skills/index.json",
        "agentspec.json",
    ] {
        assert!(disk.contains_key(required), "{required} missing");
    }
    assert!(disk.keys().any(|k| k.starts_with("ops/")));
    assert!(disk.keys().any(|k| k.starts_with("workflows/")));
    for t in ["mcp", "openai", "anthropic", "gemini"] {
        assert!(disk.contains_key(&format!("tools/{t}.tools.json")));
    }

    // The discovery index.
    let index_path = ".well-known/agent-skills/index.json";
    let index: serde_json::Value = serde_json::from_slice(&disk[index_path]).unwrap();
    assert!(index["$schema"]
        .as_str()
        .unwrap()
        .ends_with("/discovery/0.2.0/schema.json"));
    let skills = index["skills"].as_array().unwrap();
    let skill_names: std::collections::BTreeSet<String> = disk
        .keys()
        .filter_map(|k| {
            k.strip_prefix("skills/")?
                .split_once('/')
                .map(|(n, _)| n.to_string())
        })
        .collect();
    assert!(!skill_names.is_empty());
    assert_eq!(
        skills.len(),
        2 * skill_names.len(),
        "each skill listed twice"
    );
    for entry in skills {
        let name = entry["name"].as_str().unwrap();
        assert!(skill_names.contains(name), "{name}");
        assert_eq!(entry["version"], api_version);
        let url = entry["url"].as_str().unwrap();
        let target = resolve(index_path, url);
        let bytes = disk
            .get(&target)
            .unwrap_or_else(|| panic!("index url {url} -> {target} does not exist"));
        let digest = entry["digest"].as_str().unwrap();
        let hex = digest.strip_prefix("sha256:").unwrap();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex, sha256(bytes), "digest of {target}");
        let skill_md = String::from_utf8(disk[&format!("skills/{name}/SKILL.md")].clone()).unwrap();
        let fm: serde_json::Value =
            yaml_serde::from_str(skill_md[4..].split("\n---").next().unwrap()).unwrap();
        assert_eq!(entry["description"], fm["description"]);
        assert_eq!(fm["name"], name);
        match entry["type"].as_str().unwrap() {
            "skill-md" => assert_eq!(target, format!("skills/{name}/SKILL.md")),
            "archive" => {
                assert_eq!(target, format!("skills/{name}.tar.gz"));
                let unpacked = untar(&gunzip(bytes));
                let folder: BTreeMap<String, Vec<u8>> = disk
                    .iter()
                    .filter_map(|(k, v)| {
                        Some((
                            k.strip_prefix(&format!("skills/{name}/"))?.to_string(),
                            v.clone(),
                        ))
                    })
                    .collect();
                assert!(unpacked.contains_key("SKILL.md"));
                assert_eq!(unpacked, folder, "archive of {name} = its folder");
            }
            other => panic!("unexpected type {other}"),
        }
    }

    // llms.txt: H1, blockquote, every relative link resolves.
    let llms = String::from_utf8(disk["llms.txt"].clone()).unwrap();
    assert!(llms.starts_with("# "));
    assert!(llms.lines().any(|l| l.starts_with("> ")));
    let links = markdown_links(&llms);
    for name in &skill_names {
        assert!(links.contains(&format!("skills/{name}/SKILL.md")));
        assert!(links.contains(&format!("skills/{name}.tar.gz")));
    }
    for required in [index_path, "agentspec.json", "tools/mcp.tools.json"] {
        assert!(
            links.iter().any(|l| l == required),
            "llms.txt links {required}"
        );
    }
    assert!(links.iter().any(|l| l.starts_with("workflows/")));
    for link in links {
        // Absolute links (from the spec's own description) are not ours to check.
        if link.contains("://") || link.starts_with('#') || link.starts_with("mailto:") {
            continue;
        }
        let target = resolve("llms.txt", &link);
        assert!(
            disk.contains_key(&target),
            "llms.txt link {link} does not exist"
        );
    }
}

#[test]
fn publish_accounts_fixture() {
    let fixtures = repo_root().join("tests/fixtures/accounts");
    let mut config = agentgen_tests::fixture_config("accounts", &fixtures.join("spec.yaml"));
    config.crate_name = None;
    config.emit_client = false;
    let first = publish(&config);
    let second = publish(&config);
    assert_eq!(first, second, "publishing twice gives identical bytes");
    check_published(
        &repo_root().join("target/publish/accounts"),
        &first,
        "2030-01-01",
    );
}

#[test]
fn publish_clerk_bapi() {
    let mut config = agentgen::Config::new(mirror().join("bapi/2026-05-12.yml"));
    config.emit_client = false;
    let first = publish(&config);
    let second = publish(&config);
    assert_eq!(first, second, "publishing twice gives identical bytes");
    // Output stays under target/ (Clerk's prose is never committed).
    check_published(
        &repo_root().join("target/publish/clerk-bapi"),
        &first,
        "2026-05-12",
    );
}
