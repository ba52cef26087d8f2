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

/// A deterministic `.tar.gz` of a skill folder (relative path -> bytes): entries sorted,
/// directories before their contents, mtime 0, uid/gid 0, modes 0644/0755, gzip without
/// timestamp (deflate stored blocks).
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
    let mut tar = Vec::new();
    for entry in &entries {
        match files.get(entry) {
            Some(bytes) => {
                tar.extend(ustar_header(entry, 0o644, bytes.len() as u64, b'0')?);
                tar.extend_from_slice(bytes);
                tar.resize(tar.len().next_multiple_of(512), 0);
            }
            None => tar.extend(ustar_header(entry, 0o755, 0, b'5')?),
        }
    }
    tar.resize(tar.len() + 1024, 0);
    Ok(gzip_stored(&tar))
}

fn ustar_header(path: &str, mode: u32, size: u64, kind: u8) -> Result<[u8; 512], String> {
    let mut h = [0u8; 512];
    let (prefix, name) = if path.len() <= 100 {
        ("", path)
    } else {
        // Split at a '/' so that name <= 100 and prefix <= 155 bytes.
        let cut = path[..path.len().min(156)]
            .rfind('/')
            .filter(|&i| path.len() - i - 1 <= 100 && i > 0)
            .ok_or_else(|| format!("path too long for a tar archive: {path}"))?;
        (&path[..cut], &path[cut + 1..])
    };
    let put = |h: &mut [u8; 512], at: usize, s: &[u8]| h[at..at + s.len()].copy_from_slice(s);
    put(&mut h, 0, name.as_bytes());
    put(&mut h, 100, format!("{mode:07o}\0").as_bytes());
    put(&mut h, 108, b"0000000\0");
    put(&mut h, 116, b"0000000\0");
    if size >= 1 << 33 {
        return Err(format!("file too large for a tar archive: {path}"));
    }
    put(&mut h, 124, format!("{size:011o}\0").as_bytes());
    put(&mut h, 136, b"00000000000\0");
    put(&mut h, 148, b"        ");
    h[156] = kind;
    put(&mut h, 257, b"ustar\0");
    put(&mut h, 263, b"00");
    put(&mut h, 345, prefix.as_bytes());
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    put(&mut h, 148, format!("{sum:06o}\0 ").as_bytes());
    Ok(h)
}

/// gzip (RFC 1952) with mtime 0 and deflate stored blocks (RFC 1951 §3.2.4).
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks: Vec<&[u8]> = data.chunks(0xffff).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i == last));
        let len = chunk.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE, reflected, as used by gzip).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn tar_headers_have_valid_checksums_and_sorted_entries() {
        let mut files = BTreeMap::new();
        files.insert("SKILL.md".to_string(), b"hi".to_vec());
        files.insert("references/a.md".to_string(), b"a".to_vec());
        let a = tar_gz(&files).unwrap();
        assert_eq!(a, tar_gz(&files).unwrap());
        assert_eq!(&a[..4], &[0x1f, 0x8b, 8, 0]);
        assert_eq!(&a[4..8], &[0, 0, 0, 0]);
    }
}
