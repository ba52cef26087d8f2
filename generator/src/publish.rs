//! `agentgen publish`: the agent documents as a static directory ready to host.
//!
//! Layout (relative to the output directory):
//! - `llms.txt`: the entry point, linking (relative URLs) to everything below;
//! - `.well-known/agent-skills/index.json`: the draft Agent Skills discovery index, each
//!   skill listed twice (`skill-md` and `archive`) with `sha256:` digests;
//! - `skills/<name>/…` (the skill folders) and `skills/<name>.tar.gz` (deterministic
//!   archives with `SKILL.md` at the root);
//! - `agentspec.json`, `ops/…`, `tools/…`, `workflows/…`, `README.md`: as generated.
//!
//! Pure: from the generated agent files to output files; writes nothing.

use crate::ir::ApiInfo;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// `$schema` of the discovery index (draft 0.2.0 of the Agent Skills well-known URI).
pub const INDEX_SCHEMA: &str = "https://schemas.agentskills.io/discovery/0.2.0/schema.json";

/// Path of the discovery index in the published directory.
pub const INDEX_PATH: &str = ".well-known/agent-skills/index.json";

/// Build the published directory from generated files (`agent/…` keys as in
/// [`crate::Generated::files`]; other keys are ignored). Returns relative path -> bytes.
pub fn publish(
    info: &ApiInfo,
    files: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (path, text) in files {
        if let Some(rel) = path.strip_prefix("agent/") {
            out.insert(rel.to_string(), text.clone().into_bytes());
        }
    }
    if out.is_empty() {
        return Err("no agent documents to publish".into());
    }
    // Skill folders: skills/<name>/...
    let mut skills: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    for (path, bytes) in &out {
        if let Some(rest) = path.strip_prefix("skills/") {
            if let Some((name, inner)) = rest.split_once('/') {
                skills
                    .entry(name.to_string())
                    .or_default()
                    .insert(inner.to_string(), bytes.clone());
            }
        }
    }
    let mut entries = Vec::new();
    for (name, folder) in &skills {
        let skill_md = folder
            .get("SKILL.md")
            .ok_or_else(|| format!("skill `{name}` has no SKILL.md"))?;
        let (fm_name, description) = frontmatter(&String::from_utf8_lossy(skill_md))
            .map_err(|e| format!("skills/{name}/SKILL.md: {e}"))?;
        if fm_name != *name {
            return Err(format!(
                "skills/{name}/SKILL.md: frontmatter name `{fm_name}` differs from the folder"
            ));
        }
        let archive = tar_gz(folder)?;
        let md_url = format!("skills/{name}/SKILL.md");
        let archive_url = format!("skills/{name}.tar.gz");
        for (kind, url, bytes) in [
            ("skill-md", &md_url, skill_md.as_slice()),
            ("archive", &archive_url, archive.as_slice()),
        ] {
            entries.push(serde_json::json!({
                "name": name,
                "description": description,
                "type": kind,
                // Relative to the index (`.well-known/agent-skills/`), so the directory
                // can be hosted under any path.
                "url": format!("../../{url}"),
                "digest": format!("sha256:{}", sha256_hex(bytes)),
                "version": info.version,
            }));
        }
        out.insert(archive_url, archive);
    }
    let index = serde_json::json!({ "$schema": INDEX_SCHEMA, "skills": entries });
    let mut index_text = serde_json::to_string_pretty(&index).map_err(|e| e.to_string())?;
    index_text.push('\n');
    out.insert(INDEX_PATH.to_string(), index_text.into_bytes());
    let llms = llms_txt(info, &out, &skills);
    out.insert("llms.txt".to_string(), llms.into_bytes());
    Ok(out)
}

/// Lowercase hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `name` and `description` from a SKILL.md YAML frontmatter.
fn frontmatter(text: &str) -> Result<(String, String), String> {
    let rest = text
        .strip_prefix("---\n")
        .ok_or("no YAML frontmatter (`---` on the first line)")?;
    let end = rest.find("\n---").ok_or("unterminated YAML frontmatter")?;
    let value: serde_json::Value =
        yaml_serde::from_str(&rest[..end]).map_err(|e| format!("invalid frontmatter: {e}"))?;
    let field = |k: &str| {
        value
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or(format!("frontmatter has no string `{k}`"))
    };
    Ok((field("name")?, field("description")?))
}

fn llms_txt(
    info: &ApiInfo,
    out: &BTreeMap<String, Vec<u8>>,
    skills: &BTreeMap<String, BTreeMap<String, Vec<u8>>>,
) -> String {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut t = format!("# {}\n\n", info.title);
    t.push_str(&format!(
        "> Agent documents for {} (API version {}): Agent Skills, an AgentSpec manifest, tool definitions for MCP, OpenAI, Anthropic and Gemini, and Arazzo workflows.\n\n",
        info.title, info.version
    ));
    if let Some(d) = info.description.as_deref().map(one_line) {
        if !d.is_empty() {
            t.push_str(&d);
            t.push_str("\n\n");
        }
    }
    t.push_str("## Skills\n\n");
    for (name, folder) in skills {
        let desc = folder
            .get("SKILL.md")
            .and_then(|b| frontmatter(&String::from_utf8_lossy(b)).ok())
            .map(|(_, d)| one_line(&d))
            .unwrap_or_default();
        t.push_str(&format!("- [{name}](skills/{name}/SKILL.md): {desc}\n"));
        t.push_str(&format!(
            "- [{name}.tar.gz](skills/{name}.tar.gz): the `{name}` skill as an archive (SKILL.md at the root)\n"
        ));
    }
    t.push_str(&format!(
        "- [Agent Skills index]({INDEX_PATH}): every skill with its sha256 digest\n\n"
    ));
    t.push_str("## Manifest\n\n");
    if out.contains_key("agentspec.json") {
        t.push_str("- [agentspec.json](agentspec.json): AgentSpec manifest — every operation with its safety class and links to per-operation documents\n");
    }
    let ops = out.keys().filter(|k| k.starts_with("ops/")).count();
    if let Some(first) = out.keys().find(|k| k.starts_with("ops/")) {
        t.push_str(&format!(
            "- [{first}]({first}): first of {ops} per-operation documents under `ops/`\n"
        ));
    }
    let section = |t: &mut String, title: &str, prefix: &str, note: &str| {
        let paths: Vec<&String> = out.keys().filter(|k| k.starts_with(prefix)).collect();
        if paths.is_empty() {
            return;
        }
        t.push_str(&format!("\n## {title}\n\n"));
        for p in paths {
            let file = p.rsplit('/').next().unwrap_or(p);
            t.push_str(&format!("- [{file}]({p}): {note}\n"));
        }
    };
    section(&mut t, "Tools", "tools/", "tool definitions");
    section(&mut t, "Workflows", "workflows/", "Arazzo workflow");
    if out.contains_key("README.md") {
        t.push_str("\n## Optional\n\n- [README.md](README.md): overview of these documents\n");
    }
    t
}

/// A deterministic `.tar.gz` of a skill folder (relative path -> bytes): ustar entries
/// sorted, directories before their contents, mtime 0, uid/gid 0, no owner names, modes
/// 0644/0755; gzip at the best compression, without file name, with mtime 0 and the
/// operating system "unknown" (255).
pub fn tar_gz(files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>, String> {
    let mut entries: BTreeSet<String> = BTreeSet::new();
    for path in files.keys() {
        let mut dir = String::new();
        let parts: Vec<&str> = path.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            dir.push_str(part);
            dir.push('/');
            entries.insert(dir.clone());
        }
        entries.insert(path.clone());
    }
    let gzip = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    for entry in &entries {
        let (data, mode, kind) = match files.get(entry) {
            Some(bytes) => (bytes.as_slice(), 0o644, tar::EntryType::Regular),
            None => (&[][..], 0o755, tar::EntryType::Directory),
        };
        let mut header = tar::Header::new_ustar();
        header
            .set_path(entry)
            .map_err(|e| format!("cannot archive {entry}: {e}"))?;
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_size(data.len() as u64);
        header.set_cksum();
        tar.append(&header, data)
            .map_err(|e| format!("cannot archive {entry}: {e}"))?;
    }
    let gzip = tar
        .into_inner()
        .map_err(|e| format!("cannot finish the archive: {e}"))?;
    gzip.finish()
        .map_err(|e| format!("cannot compress the archive: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn archives_are_deterministic_compressed_and_sorted() {
        let mut files = BTreeMap::new();
        files.insert("SKILL.md".to_string(), "hi ".repeat(1000).into_bytes());
        files.insert("references/a.md".to_string(), b"a".to_vec());
        let a = tar_gz(&files).unwrap();
        assert_eq!(a, tar_gz(&files).unwrap());
        // gzip, no optional fields, mtime 0, best compression, unknown OS.
        assert_eq!(&a[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(&a[..])
            .read_to_end(&mut tar)
            .unwrap();
        assert!(
            a.len() * 4 < tar.len(),
            "{} of {} bytes",
            a.len(),
            tar.len()
        );
        let mut archive = tar::Archive::new(&tar[..]);
        let entries: Vec<(String, u32, u64)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
                assert_eq!(h.mtime().unwrap(), 0);
                let path = String::from_utf8(e.path_bytes().into_owned()).unwrap();
                (path, h.mode().unwrap(), h.size().unwrap())
            })
            .collect();
        assert_eq!(
            entries,
            [
                ("SKILL.md".to_string(), 0o644, 3000),
                ("references/".to_string(), 0o755, 0),
                ("references/a.md".to_string(), 0o644, 1),
            ]
        );
    }

    #[test]
    fn long_paths_are_split_and_too_long_ones_are_errors() {
        let (a, b) = ("a".repeat(60), "b".repeat(60));
        let deep = format!("{a}/{b}/{}.md", "f".repeat(90));
        let files = BTreeMap::from([(deep.clone(), b"x".to_vec())]);
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(&tar_gz(&files).unwrap()[..])
            .read_to_end(&mut tar)
            .unwrap();
        let mut archive = tar::Archive::new(&tar[..]);
        let paths: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| String::from_utf8(e.unwrap().path_bytes().into_owned()).unwrap())
            .collect();
        assert_eq!(paths, [format!("{a}/"), format!("{a}/{b}/"), deep]);
        let files = BTreeMap::from([("x".repeat(300), b"x".to_vec())]);
        let err = tar_gz(&files).unwrap_err();
        assert!(err.contains("cannot archive"), "{err}");
    }
}
