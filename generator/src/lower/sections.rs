//! Document sections: the title of each group, the tags every operation is filed under in the
//! skills, and the reference file of each tag. Decided here once, so that the skills, the
//! AgentSpec manifest and the connection prompt name the same files.

use crate::ir::{Group, Operation, Section};
use crate::naming::{self, Namespace};

/// Most tags an operation is filed under (each tag's reference file repeats the operation).
pub const MAX_TAG_FILES: usize = 8;

/// File names (without `.md`) the skills use for their own references.
const RESERVED_FILES: &[&str] = &["index", "types", "webhook-events"];

/// Fill [`Group::title`], [`Group::section`] and [`Operation::sections`], and return the
/// sections in order of first appearance.
pub fn assign(groups: &mut [Group], ops: &mut [Operation]) -> Vec<Section> {
    for g in groups.iter_mut() {
        g.title = display_title(g, ops);
    }
    let mut sections: Vec<Section> = Vec::new();
    let mut files = Namespace::default();
    let mut claim = |sections: &mut Vec<Section>, title: String| -> usize {
        match sections.iter().position(|s| s.title == title) {
            Some(i) => i,
            None => {
                let file = files.claim(&reference_file(&title), "-");
                sections.push(Section { title, file });
                sections.len() - 1
            }
        }
    };
    for op in ops.iter_mut() {
        let mut tags: Vec<String> = Vec::new();
        for t in &op.tags {
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() && !tags.contains(&t) && tags.len() < MAX_TAG_FILES {
                tags.push(t);
            }
        }
        if tags.is_empty() {
            tags.push(groups[op.group].title.clone());
        }
        op.sections = tags.into_iter().map(|t| claim(&mut sections, t)).collect();
    }
    for g in groups.iter_mut() {
        g.section = claim(&mut sections, g.title.clone());
    }
    sections
}

/// Reference file name (without `.md`) of a tag: `SCIM Directories` -> `scim-directories`,
/// `Redirect URLs` -> `redirect-urls`; never one of the files the skills use themselves
/// (`index` -> `index-tag`).
pub fn reference_file(tag: &str) -> String {
    let slug = naming::snake(&naming::plural_acronyms(tag)).replace('_', "-");
    if RESERVED_FILES.contains(&slug.as_str()) {
        format!("{slug}-tag")
    } else {
        slug
    }
}

/// Human title of a group from its wire name (`organizationMemberships` -> `Organization
/// memberships`).
pub fn group_title(wire: &str) -> String {
    let words = naming::snake(&naming::plural_acronyms(wire)).replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => words,
    }
}

/// Display title of a group: the first tag most of its operations carry (the spec's own
/// wording, `API Keys`), else a title made from the group name.
fn display_title(group: &Group, ops: &[Operation]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for &i in &group.operations {
        if let Some(t) = ops[i].tags.first() {
            match counts.iter_mut().find(|(n, _)| n == t) {
                Some(c) => c.1 += 1,
                None => counts.push((t, 1)),
            }
        }
    }
    let best = counts.iter().map(|c| c.1).max().unwrap_or(0);
    counts
        .iter()
        .find(|c| c.1 == best)
        .map(|c| c.0.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| group_title(&group.wire_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_files_keep_plural_acronyms_whole() {
        assert_eq!(reference_file("Redirect URLs"), "redirect-urls");
        assert_eq!(reference_file("SCIM Directories"), "scim-directories");
        assert_eq!(reference_file("API Keys"), "api-keys");
        assert_eq!(reference_file("JWT Templates"), "jwt-templates");
        assert_eq!(reference_file("OAuth Applications"), "oauth-applications");
        assert_eq!(reference_file("Index"), "index-tag");
        assert_eq!(reference_file("Webhook events"), "webhook-events-tag");
    }

    #[test]
    fn group_titles_read_well() {
        assert_eq!(
            group_title("organizationMemberships"),
            "Organization memberships"
        );
        assert_eq!(group_title("emailSMSTemplates"), "Email sms templates");
        assert_eq!(group_title("redirectURLs"), "Redirect urls");
    }
}
